import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/client';
import type { AcademicYear, Member, MemberRole, PersonRef, SchoolClass } from '../src/api/types';
import {
  assignmentRequest,
  assignmentsOfGroup,
  atStudents,
  atTeacher,
  byClass,
  byName,
  classStudents,
  defaultYear,
  filterAssignments,
  firstHalf,
  groupRequest,
  missingChoices,
  neighbour,
  otherGroups,
  pickedInOrder,
  secondHalf,
  sortGroups,
  teachers,
  teachingClasses,
  type Assignment,
  type ClassGroup,
} from '../src/school-year/teaching';

const person = (id: number, family_name: string, given_name: string, patronymic?: string): PersonRef => ({ id, family_name, given_name, patronymic });

const volkova = person(1, 'Волкова', 'Анастасия', 'Дмитриевна');
const lebedev = person(2, 'Лебедев', 'Артём', 'Андреевич');
const kozlova = person(3, 'Козлова', 'Варвара', 'Ильинична');
const yolkin = person(4, 'Ёлкин', 'Пётр');
const orlov = person(10, 'Орлов', 'Дмитрий', 'Игоревич');
const ivanova = person(11, 'Иванова', 'Мария', 'Сергеевна');
const secretary = person(12, 'Соколова', 'Анна', 'Павловна');
const director = person(13, 'Петрова', 'Ольга', 'Николаевна');

const cls = (id: number, name: string, grade: number | null, kind = 'class'): SchoolClass => ({ id, name, grade, kind, class_teachers: [] });
const ref = (id: number, name: string) => ({ id, name, kind: 'class' });

function member(p: PersonRef, places: [number, MemberRole][]): Member {
  return {
    person: p,
    is_admin: false,
    teacher_verified: false,
    class_teacher_of: [],
    roles: [...new Set(places.map(([, r]) => r))],
    places: places.map(([classId, role], i) => ({ class: ref(classId, `c${classId}`), role, membership_id: p.id * 10 + i, started_on: '2026-09-01' })),
  };
}

let nextId = 100;
function assignment(subject: string, klass: [number, string], teacher: PersonRef, group?: [number, string]): Assignment {
  const id = ++nextId;
  return {
    id,
    year_id: 7,
    subject: { id: subject.length, name: subject, short_name: subject },
    class: ref(...klass),
    group: group ? { id: group[0], name: group[1] } : null,
    teacher,
  };
}

function year(id: number, starts_on: string, ends_on: string): AcademicYear {
  return { id, org_id: 1, name: `${starts_on.slice(0, 4)}`, starts_on, ends_on, school_days: 5, period_kind: 'quarters', periods: [], days_off: [], bells: [] };
}

describe('people in the order of a class list', () => {
  it('sorts by family name, given name, patronymic, with ё in its Russian place', () => {
    const twin = person(5, 'Волкова', 'Анастасия', 'Андреевна');
    expect([lebedev, volkova, yolkin, kozlova, twin].sort(byName).map((p) => p.id)).toEqual([5, 1, 4, 3, 2]);
  });

  it('takes a class’s current students, not its parents or teachers, nor students of another class', () => {
    const members = [
      member(lebedev, [[5, 'student']]),
      member(volkova, [[5, 'student']]),
      member(kozlova, [[6, 'student']]),
      member(person(20, 'Волкова', 'Ирина'), [[5, 'parent']]),
      member(ivanova, [[5, 'teacher'], [1, 'teacher']]),
    ];
    expect(classStudents(members, 5)).toEqual([volkova, lebedev]);
    expect(classStudents(members, 7)).toEqual([]);
  });

  it('offers teachers, the director and the deputy as teachers, not other staff', () => {
    const members = [
      member(orlov, [[1, 'teacher']]),
      member(secretary, [[1, 'employee']]),
      member(director, [[1, 'director']]),
      member(ivanova, [[1, 'teacher'], [5, 'teacher']]),
      member(volkova, [[5, 'student']]),
    ];
    expect(teachers(members)).toEqual([ivanova, orlov, director]);
  });

  it('lists the classes with lessons, younger first, 10А after 9А', () => {
    const list = teachingClasses([cls(1, 'Учительская', null, 'staff_room'), cls(2, '10А', 10), cls(3, '5Б', 5), cls(4, '9А', 9), cls(5, '5А', 5), cls(6, '1А', 1)]);
    expect(list.map((c) => c.name)).toEqual(['1А', '5А', '5Б', '9А', '10А']);
  });
});

describe('a group’s students', () => {
  const list = [volkova, yolkin, kozlova, lebedev, person(6, 'Морозова', 'Полина')];

  it('splits a class list in halves, the first the larger one when the class is odd', () => {
    expect(firstHalf(list)).toEqual([volkova, yolkin, kozlova]);
    expect(secondHalf(list)).toEqual([lebedev, list[4]]);
    expect(firstHalf(list.slice(0, 4)).length).toBe(2);
    expect(secondHalf(list.slice(0, 4)).length).toBe(2);
    expect(firstHalf([])).toEqual([]);
    expect(secondHalf([volkova])).toEqual([]);
    expect([...firstHalf(list), ...secondHalf(list)]).toEqual(list);
  });

  it('sends the ticked students in the class list’s order, the name trimmed; who left the class drops out', () => {
    const picked = new Set([2, 1, 99]);
    expect(pickedInOrder(list, picked)).toEqual([1, 2]);
    expect(groupRequest('  Английский, группа 1 ', list, picked)).toEqual({ name: 'Английский, группа 1', student_ids: [1, 2] });
    expect(groupRequest('Пусто', list, new Set())).toEqual({ name: 'Пусто', student_ids: [] });
  });

  const groups: ClassGroup[] = [
    { id: 3, class_id: 5, name: 'Английский, группа 10', student_ids: [1] },
    { id: 1, class_id: 5, name: 'Английский, группа 2', student_ids: [2, 1] },
    { id: 2, class_id: 5, name: 'Английский, группа 1', student_ids: [3] },
  ];

  it('orders groups by name with numbers read as numbers', () => {
    expect(sortGroups(groups).map((g) => g.id)).toEqual([2, 1, 3]);
    expect(groups.map((g) => g.id)).toEqual([3, 1, 2]);
  });

  it('names the other groups a student is in, not the one being edited', () => {
    expect(otherGroups(groups, 1)).toEqual(['Английский, группа 2', 'Английский, группа 10']);
    expect(otherGroups(groups, 1, 1)).toEqual(['Английский, группа 10']);
    expect(otherGroups(groups, 4)).toEqual([]);
  });

  it('puts a refusal about one student at the list of students, and keeps the rest', () => {
    const e = new ApiError(
      422,
      'validation_failed',
      'Проверьте поля формы.',
      { name: 'Укажите название.', 'student_ids[2]': 'Обучающийся не найден в этом классе.', 'student_ids[0]': 'другое' },
      { name: 'required', 'student_ids[2]': 'unknown_student', 'student_ids[0]': 'unknown_student' },
    );
    const at = atStudents(e) as ApiError;
    expect(at.fields).toEqual({ name: 'Укажите название.', student_ids: 'Обучающийся не найден в этом классе.' });
    expect(at.fieldCodes.student_ids).toBe('unknown_student');
    expect([at.status, at.code, at.detail]).toEqual([422, 'validation_failed', 'Проверьте поля формы.']);
    const other = new Error('сеть');
    expect(atStudents(other)).toBe(other);
  });
});

describe('assignments', () => {
  const c5a: [number, string] = [5, '5А'];
  const c10a: [number, string] = [10, '10А'];
  const c9a: [number, string] = [9, '9А'];
  const enWhole = assignment('Иностранный язык (английский)', c5a, orlov);
  const en2 = assignment('Иностранный язык (английский)', c5a, orlov, [2, 'Английский, группа 2']);
  const en1 = assignment('Иностранный язык (английский)', c5a, ivanova, [1, 'Английский, группа 1']);
  const ru5 = assignment('Русский язык', c5a, ivanova);
  const ma5 = assignment('Математика', c5a, orlov);
  const ph10 = assignment('Физика', c10a, orlov);
  const ru9 = assignment('Русский язык', c9a, ivanova);
  const all = [ru5, ph10, en2, ma5, en1, ru9, enWhole];

  it('groups them by class in the classes’ order, by subject inside, the whole class before its groups', () => {
    const grouped = byClass(all, [5, 9, 10]);
    expect(grouped.map((c) => c.class.name)).toEqual(['5А', '9А', '10А']);
    expect(grouped[0]!.items).toEqual([enWhole, en1, en2, ma5, ru5]);
    expect(grouped[1]!.items).toEqual([ru9]);
  });

  it('puts classes not in the order after the others, by name', () => {
    expect(byClass(all).map((c) => c.class.name)).toEqual(['5А', '9А', '10А']);
    expect(byClass(all, [10]).map((c) => c.class.name)).toEqual(['10А', '5А', '9А']);
    expect(byClass([])).toEqual([]);
  });

  it('narrows to a class, to a teacher, or to both', () => {
    expect(filterAssignments(all, {})).toEqual(all);
    expect(filterAssignments(all, { classId: 5 }).length).toBe(5);
    expect(filterAssignments(all, { teacherId: ivanova.id })).toEqual([ru5, en1, ru9]);
    expect(filterAssignments(all, { classId: 5, teacherId: ivanova.id })).toEqual([ru5, en1]);
    expect(filterAssignments(all, { classId: '', teacherId: '' })).toEqual(all);
  });

  it('finds a group’s assignments', () => {
    expect(assignmentsOfGroup(all, 2)).toEqual([en2]);
    expect(assignmentsOfGroup(all, 99)).toEqual([]);
  });

  it('shows the year under way, else the next one, else the latest', () => {
    const past = year(1, '2025-09-01', '2026-05-31');
    const now = year(2, '2026-09-01', '2027-05-31');
    const next = year(3, '2027-09-01', '2028-05-31');
    const later = year(4, '2028-09-01', '2029-05-31');
    expect(defaultYear([past, now, next], '2026-12-01')).toBe(2);
    expect(defaultYear([later, past, next], '2026-12-01')).toBe(3);
    expect(defaultYear([now, past], '2027-07-01')).toBe(2);
    expect(defaultYear([now], '2026-09-01')).toBe(2);
    expect(defaultYear([now], '2027-05-31')).toBe(2);
    expect(defaultYear([], '2026-12-01')).toBe('');
  });

  it('builds the request from the selects: no group is the whole class', () => {
    expect(assignmentRequest({ class_id: '5', group_id: '', subject_id: '12', teacher_id: '10' })).toEqual({ class_id: 5, group_id: null, subject_id: 12, teacher_id: 10 });
    expect(assignmentRequest({ class_id: '5', group_id: '2', subject_id: '12', teacher_id: '10' }).group_id).toBe(2);
  });

  it('asks for the class, the subject and the teacher before sending; the group may stay unchosen', () => {
    expect(missingChoices({ class_id: '', group_id: '', subject_id: '', teacher_id: '' })).toEqual(['class_id', 'subject_id', 'teacher_id']);
    expect(missingChoices({ class_id: '5', group_id: '', subject_id: '3', teacher_id: '' })).toEqual(['teacher_id']);
    expect(missingChoices({ class_id: '5', group_id: '', subject_id: '3', teacher_id: '10' })).toEqual([]);
  });

  it('puts «already there» at the teacher and leaves other refusals as they are', () => {
    const dup = atTeacher(new ApiError(409, 'assignment_exists', 'Такое назначение уже есть.')) as ApiError;
    expect(dup.fields).toEqual({ teacher_id: 'Такое назначение уже есть.' });
    expect(dup.detail).toBe('');
    const group = new ApiError(422, 'validation_failed', 'Проверьте поля формы.', { group_id: 'Группа не найдена в этом классе.' });
    expect(atTeacher(group)).toBe(group);
  });

  it('after a row leaves, the next one takes its place, else the one before', () => {
    expect(neighbour([1, 2, 3], 2)).toBe(3);
    expect(neighbour([1, 2, 3], 3)).toBe(2);
    expect(neighbour([1], 1)).toBeNull();
    expect(neighbour([1, 2], 9)).toBeNull();
  });
});
