import { describe, expect, it } from 'vitest';
import type { AcademicYear, Member, SchoolClass } from '../src/api/types';
import {
  calendarYear,
  classGraduates,
  classesOfYear,
  defaultFrom,
  endingYears,
  findStudents,
  followingYears,
  leavingClasses,
  moveTargets,
  newDraft,
  placeTransitionErrors,
  studentsOf,
  transitionRequest,
  withContinuing,
  withException,
  withExceptionChange,
  withFrom,
  withGrade,
  withoutException,
} from '../src/school-year/transition';

function year(id: number, startYear: number, over: Partial<AcademicYear> = {}): AcademicYear {
  return {
    id,
    org_id: 1,
    name: `${startYear}/${startYear + 1}`,
    starts_on: `${startYear}-09-01`,
    ends_on: `${startYear + 1}-05-31`,
    school_days: 5,
    period_kind: 'quarters',
    periods: [],
    days_off: [],
    bells: [],
    archived: false,
    ...over,
  };
}

function cls(id: number, name: string, grade: number | null, academic_year: number | null = 2026, kind = 'class'): SchoolClass {
  return { id, name, grade, academic_year, kind, class_teachers: [] };
}

function student(id: number, family: string, given: string, classId: number, className: string, role = 'student'): Member {
  return {
    person: { id, family_name: family, given_name: given, patronymic: null },
    places: [{ role, class: { id: classId, name: className }, membership_id: id, started_on: '2026-09-01' }],
    roles: [role],
    class_teacher_of: [],
    is_admin: false,
    teacher_verified: false,
  } as unknown as Member;
}

const y26 = year(1, 2026);
const y27 = year(2, 2027);
const y25 = year(3, 2025, { archived: true });
const years = [y27, y26, y25];
const classes = [
  cls(1, 'Учительская', null, null, 'staff_room'),
  cls(5, '9А', 9),
  cls(3, '5А', 5),
  cls(4, '5Б', 5),
  cls(6, '11А', 11),
  cls(7, '6А', 6, 2027),
  cls(8, '4А', 4, 2025),
];

describe('which years', () => {
  it('ends only a year not archived, and goes on to one starting after it', () => {
    expect(calendarYear(y26)).toBe(2026);
    expect(endingYears(years).map((y) => y.id)).toEqual([1, 2]);
    expect(followingYears(years, y26).map((y) => y.id)).toEqual([2]);
    expect(followingYears(years, y27)).toEqual([]);
    expect(followingYears(years, undefined)).toEqual([]);
    // A year overlapping the ending one cannot follow it.
    expect(followingYears([y26, year(9, 2027, { starts_on: '2027-05-01' })], y26)).toEqual([]);
  });

  it('chooses the year under way, else the first with a year after it', () => {
    expect(defaultFrom(years, '2026-12-07')?.id).toBe(1);
    expect(defaultFrom(years, '2026-07-01')?.id).toBe(1);
    expect(defaultFrom([y25], '2026-07-01')).toBeUndefined();
    const d = newDraft(years, '2026-12-07');
    expect(d).toMatchObject({ from_year_id: '1', to_year_id: '2', leaving_grades: [9, 11], continuing: [], exceptions: [], graduated_on: '2026-12-07' });
    expect(newDraft([y26], '2026-12-07').to_year_id).toBe('');
  });
});

describe('classes and students', () => {
  const of26 = classesOfYear(classes, y26);

  it('takes the ending year’s classes by grade and name, not the staff room nor other years', () => {
    expect(of26.map((c) => c.name)).toEqual(['5А', '5Б', '9А', '11А']);
    expect(classesOfYear(classes, undefined)).toEqual([]);
    expect(leavingClasses(of26, [9, 11]).map((c) => c.name)).toEqual(['9А', '11А']);
  });

  it('a leaving class goes on when the admin says so', () => {
    const draft = { leaving_grades: [9, 11], continuing: [5] };
    expect(classGraduates(cls(5, '9А', 9), draft)).toBe(false);
    expect(classGraduates(cls(6, '11А', 11), draft)).toBe(true);
    expect(classGraduates(cls(3, '5А', 5), draft)).toBe(false);
    // A student moves only to a class of the year that goes on, not their own.
    expect(moveTargets(of26, 3, draft).map((c) => c.name)).toEqual(['5Б', '9А']);
  });

  it('lists the ending year’s students by name with their class, and finds them by words', () => {
    const members = [
      student(9, 'Лебедев', 'Артём', 3, '5А'),
      student(8, 'Волкова', 'Анастасия', 3, '5А'),
      student(17, 'Волкова', 'Ирина', 3, '5А', 'parent'),
      student(20, 'Орлов', 'Пётр', 7, '6А'),
      student(21, 'Белова', 'Ольга', 5, '9А'),
    ];
    const list = studentsOf(members, of26);
    expect(list.map((s) => `${s.name} ${s.class_name}`)).toEqual(['Белова Ольга 9А', 'Волкова Анастасия 5А', 'Лебедев Артём 5А']);
    expect(findStudents(list, 'лебед').map((s) => s.id)).toEqual([9]);
    expect(findStudents(list, '5а').map((s) => s.id)).toEqual([8, 9]);
    expect(findStudents(list, 'ольга 9А').map((s) => s.id)).toEqual([21]);
    expect(findStudents(list, '  ')).toHaveLength(3);
  });
});

describe('the draft and its request', () => {
  const of26 = classesOfYear(classes, y26);

  it('sends the choices as the server takes them', () => {
    let d = newDraft(years, '2026-12-07');
    d = withContinuing(d, 5, true);
    d = withException(d, 9);
    d = withException(d, 9); // once a student
    d = withException(d, 8, 'leave');
    d = withException(d, 21);
    d = withExceptionChange(d, 2, { action: 'move', to_class_id: '3' });
    expect(d.exceptions).toHaveLength(3);
    expect(transitionRequest(d, of26)).toEqual({
      from_year_id: 1,
      to_year_id: 2,
      leaving_grades: [9, 11],
      continuing: [5],
      exceptions: [
        { student_id: 9, action: 'repeat', to_class_id: null },
        { student_id: 8, action: 'leave', to_class_id: null },
        { student_id: 21, action: 'move', to_class_id: 3 },
      ],
      graduated_on: '2026-12-07',
    });
    // The target class goes with a move only; a continuing class only while its grade leaves.
    const d2 = withGrade(withExceptionChange(d, 2, { action: 'repeat' }), 9, false);
    const r2 = transitionRequest(withoutException({ ...d2, graduated_on: ' ' }, 0), of26);
    expect(r2.exceptions).toEqual([
      { student_id: 8, action: 'leave', to_class_id: null },
      { student_id: 21, action: 'repeat', to_class_id: null },
    ]);
    expect(r2.leaving_grades).toEqual([11]);
    expect(r2.continuing).toEqual([]);
    expect(r2.graduated_on).toBeNull();
    expect(withGrade(withGrade(d2, 4, true), 11, true).leaving_grades).toEqual([4, 11]);
  });

  it('another ending year drops the classes’ choices and keeps a new year that still follows', () => {
    const d = withException(withContinuing(newDraft(years, '2026-12-07'), 5, true), 9);
    const back = withFrom(d, [...years, year(4, 2028)], '2');
    expect(back).toMatchObject({ from_year_id: '2', to_year_id: '4', continuing: [], exceptions: [] });
    expect(withFrom(d, years, '1').to_year_id).toBe('2');
    expect(withFrom(d, years, '2').to_year_id).toBe('');
  });

  it('puts the server’s complaints at their fields, the rest in the message', () => {
    let d = newDraft(years, '2026-12-07');
    d = withException(withException(d, 9), 8);
    const { at, rest } = placeTransitionErrors(
      {
        to_year_id: 'Год начинается раньше.',
        'exceptions[1].to_class_id': 'Укажите класс.',
        'exceptions[0]': 'Ученик указан дважды.',
        'continuing[0]': 'Не выпускной класс.',
        'leaving_grades[1]': 'Параллель — число от 1 до 11.',
        'exceptions[5].student_id': 'Нет такого.',
        something: 'Что-то ещё.',
      },
      d,
    );
    expect(at).toEqual({
      to_year_id: 'Год начинается раньше.',
      'exceptions[1].to_class_id': 'Укажите класс.',
      'exceptions[0].student_id': 'Ученик указан дважды.',
      continuing: 'Не выпускной класс.',
      leaving_grades: 'Параллель — число от 1 до 11.',
    });
    expect(rest).toEqual(['Нет такого.', 'Что-то ещё.']);
  });
});
