import { describe, expect, it } from 'vitest';
import type { DiaryDay, Homework, LessonPage, LessonStudent, Me, MySchool, WeekDay, WeekLesson } from '../src/api/types';
import { journalChange, noteJournalChange } from '../src/journal/live';
import {
  addDays,
  attendanceRequest,
  defaultWeek,
  diaryDays,
  draftsOf,
  errorsOf,
  freshMarks,
  defaultDue,
  gradesRequest,
  homeworkChanged,
  homeworkDraft,
  homeworkRequest,
  inWeek,
  isDate,
  mondayOf,
  placeAttendanceErrors,
  placeGradeErrors,
  rebase,
  rowChanged,
  shiftWeek,
  touchesWeek,
  weekday,
  yearFor,
  type Drafts,
} from '../src/journal/model';
import { diaryStudents, teaches } from '../src/journal/who';

const person = (id: number, given: string) => ({ id, family_name: 'Волкова', given_name: given, patronymic: null });

function student(id: number, extra: Partial<LessonStudent> = {}): LessonStudent {
  return { person: person(id, `Ученица ${id}`), attendance: null, grades: [], ...extra };
}

function page(students: LessonStudent[]): LessonPage {
  return {
    lesson: {
      id: 7,
      year_id: 1,
      assignment_id: 3,
      date: '2026-12-07',
      shift: 1,
      number: 2,
      starts_at: '2026-12-07T06:20:00Z',
      ends_at: '2026-12-07T07:00:00Z',
      subject: { id: 1, name: 'Математика', short_name: 'Мат' },
      teacher: person(100, 'Учитель'),
      class: { id: 5, name: '5А', kind: 'class' },
      group: null,
      topic: null,
    },
    students,
    deadlines: { homework_due_by: '2026-12-07T09:00:00Z', marks_due_by: '2026-12-14T07:00:00Z', homework_late: false, late_marks: [] },
  };
}

const grade = (id: number, mark: string, type = 1) => ({ id, mark, grade_type_id: type, weight: 1, comment: null, given_at: '2026-12-07T07:00:00Z' });

describe('weeks', () => {
  it('finds the Monday, the weekday and shifts weeks', () => {
    expect(weekday('2026-12-07')).toBe(1);
    expect(weekday('2026-12-06')).toBe(7);
    expect(mondayOf('2026-12-06')).toBe('2026-11-30');
    expect(mondayOf('2026-12-12')).toBe('2026-12-07');
    expect(shiftWeek('2026-12-09', 1)).toBe('2026-12-14');
    expect(shiftWeek('2026-12-09', -1)).toBe('2026-11-30');
    expect(addDays('2026-12-28', 7)).toBe('2027-01-04');
    expect(shiftWeek('2027-03-01', -1)).toBe('2027-02-22');
  });

  it('shows this week, or on Sunday the one ahead', () => {
    expect(defaultWeek('2026-12-09')).toBe('2026-12-07');
    expect(defaultWeek('2026-12-12')).toBe('2026-12-07');
    expect(defaultWeek('2026-12-06')).toBe('2026-12-07');
  });

  it('tells dates in a week and real dates', () => {
    expect(inWeek('2026-12-12', '2026-12-07')).toBe(true);
    expect(inWeek('2026-12-13', '2026-12-07')).toBe(true);
    expect(inWeek('2026-12-14', '2026-12-07')).toBe(false);
    expect(isDate('2026-02-30')).toBe(false);
    expect(isDate('2026-12-07')).toBe(true);
    expect(isDate(null)).toBe(false);
  });

  it('finds the year of a date, else the nearest', () => {
    const years = [
      { id: 1, starts_on: '2025-09-01', ends_on: '2026-05-31' },
      { id: 2, starts_on: '2026-09-01', ends_on: '2027-05-31' },
    ];
    expect(yearFor(years, '2026-12-07')?.id).toBe(2);
    expect(yearFor(years, '2026-06-05')?.id).toBe(1);
    expect(yearFor(years, '2026-08-28')?.id).toBe(2);
    expect(yearFor([], '2026-08-28')).toBeNull();
  });
});

describe('the lesson grid', () => {
  const saved = page([
    student(1),
    student(2, { attendance: { absence: 'late', minutes_late: 10, reason: null }, grades: [grade(50, '4')] }),
    student(3, { grades: [grade(51, '5', 2), grade(52, '3')] }),
  ]);

  it('sends nothing when nothing changed', () => {
    const d = draftsOf(saved);
    expect(attendanceRequest(saved, d).request.entries).toEqual([]);
    const g = gradesRequest(saved, d, 1);
    expect(g.request).toEqual({ grades: [], delete: [] });
    expect(saved.students.some((s) => rowChanged(s, d[s.person.id]))).toBe(false);
  });

  it('builds one attendance request from the rows that changed', () => {
    const d: Drafts = draftsOf(saved);
    d[1] = { ...d[1]!, attendance: { absence: 'excused', minutes: '5', reason: ' справка ' } };
    d[2] = { ...d[2]!, attendance: { absence: '', minutes: '10', reason: '' } };
    d[3] = { ...d[3]!, attendance: { absence: 'late', minutes: '', reason: '' } };
    const { request, order } = attendanceRequest(saved, d);
    expect(request.entries).toEqual([
      { student_id: 1, absence: 'excused', minutes_late: null, reason: 'справка' },
      { student_id: 2, absence: null },
      { student_id: 3, absence: 'late', minutes_late: null, reason: null },
    ]);
    expect(order).toEqual([1, 2, 3]);
    expect(rowChanged(saved.students[0]!, d[1])).toBe(true);
  });

  it('sends the minutes of a late student as a number', () => {
    const d = draftsOf(saved);
    d[2] = { ...d[2]!, attendance: { absence: 'late', minutes: '15', reason: '' } };
    expect(attendanceRequest(saved, d).request.entries).toEqual([{ student_id: 2, absence: 'late', minutes_late: 15, reason: null }]);
  });

  it('builds one marks request: new, changed and taken back', () => {
    const d = draftsOf(saved);
    d[1] = { ...d[1]!, fresh: '5, 4' };
    d[2] = { ...d[2]!, marks: [{ id: 50, mark: ' 3 ' }] };
    d[3] = { ...d[3]!, marks: [{ id: 51, mark: '' }, { id: 52, mark: 'ЗЧ' }], fresh: '2' };
    const { request, grades, deletes } = gradesRequest(saved, d, 9);
    expect(request.grades).toEqual([
      { student_id: 1, mark: '5', grade_type_id: 9 },
      { student_id: 1, mark: '4', grade_type_id: 9 },
      { id: 50, student_id: 2, mark: '3', grade_type_id: 1, comment: null },
      { id: 52, student_id: 3, mark: 'зч', grade_type_id: 1, comment: null },
      { student_id: 3, mark: '2', grade_type_id: 9 },
    ]);
    expect(request.delete).toEqual([51]);
    expect(grades.map((g) => `${g.student}:${g.slot}`)).toEqual(['1:fresh', '1:fresh', '2:50', '3:52', '3:fresh']);
    expect(deletes).toEqual([{ student: 3, slot: 51 }]);
  });

  it('splits the new-marks box', () => {
    expect(freshMarks(' 5  4;3 ')).toEqual(['5', '4', '3']);
    expect(freshMarks('   ')).toEqual([]);
  });

  it('puts the server’s field errors back at their rows and controls', () => {
    const att = placeAttendanceErrors(
      { 'entries[0].minutes_late': 'Укажите минуты.', 'entries[1].reason': 'Укажите причину.', 'entries[2].student_id': 'Не в классе.', entries: 'Слишком много.' },
      [3, 1, 2],
    );
    expect(att.rows).toEqual({ '3.minutes': 'Укажите минуты.', '1.reason': 'Укажите причину.', '2.row': 'Не в классе.' });
    expect(att.rest).toEqual(['Слишком много.']);
    const gr = placeGradeErrors(
      { 'grades[1].mark': 'Отметка — от 1 до 5.', 'delete[0]': 'Нет такой отметки.', 'grades[5].mark': 'мимо' },
      [
        { student: 1, slot: 'fresh' },
        { student: 2, slot: 50 },
      ],
      [{ student: 3, slot: 51 }],
    );
    expect(gr.rows).toEqual({ '2.mark.50': 'Отметка — от 1 до 5.', '3.mark.51': 'Нет такой отметки.' });
    expect(gr.rest).toEqual(['мимо']);
    expect(errorsOf({ ...att.rows, '3.fresh': 'x' }, 3)).toEqual(['Укажите минуты.', 'x']);
  });

  it('takes one part afresh from a saved page and keeps the other as typed', () => {
    const d = draftsOf(saved);
    d[1] = { ...d[1]!, attendance: { absence: 'absent', minutes: '', reason: '' }, fresh: '9' };
    const after = page([student(1, { attendance: { absence: 'absent', minutes_late: null, reason: null } }), saved.students[1]!, saved.students[2]!]);
    const r = rebase(d, after, 'attendance');
    expect(r[1]!.attendance.absence).toBe('absent');
    expect(r[1]!.fresh).toBe('9');
    const withMark = page([student(1, { grades: [grade(60, '5')] }), saved.students[1]!, saved.students[2]!]);
    const m = rebase(r, withMark, 'marks');
    expect(m[1]!.fresh).toBe('');
    expect(m[1]!.marks).toEqual([{ id: 60, mark: '5' }]);
  });
});

describe('who sees what', () => {
  const place = (role: string, extra = {}) => ({ membership_id: 1, role, class: { id: 5, name: '5А', kind: 'class' }, started_on: '2026-12-06', ...extra });
  const school = (places: object[]): MySchool =>
    ({ org_id: 1, name: 'Школа', short_name: 'Школа', is_admin: false, manages_school_year: false, class_teacher_of: [], teacher_verified: false, places }) as unknown as MySchool;
  const me = { id: 9, family_name: 'Волкова', given_name: 'Анастасия', patronymic: null, is_operator: false, schools: [] } as unknown as Me;

  it('shows «Уроки» to teachers, the director and the deputy', () => {
    expect(teaches(school([place('teacher')]))).toBe(true);
    expect(teaches(school([place('director')]))).toBe(true);
    expect(teaches(school([place('parent', { child: person(2, 'Аня') })]))).toBe(false);
    expect(teaches(null)).toBe(false);
  });

  it('gives a student their own diary and a parent each child once', () => {
    expect(diaryStudents(me, school([place('student')])).map((s) => [s.person.id, s.own])).toEqual([[9, true]]);
    const kids = diaryStudents(me, school([place('parent', { child: person(2, 'Аня') }), place('parent', { child: person(3, 'Петя') }), place('parent', { child: person(2, 'Аня') })]));
    expect(kids.map((s) => s.person.id)).toEqual([2, 3]);
    expect(diaryStudents(me, school([place('teacher')]))).toEqual([]);
  });
});

describe('the diary', () => {
  it('shows Monday to Friday, and Saturday only with lessons', () => {
    const day = (date: string, lessons = 0): DiaryDay => ({ date, school_day: true, lessons: Array.from({ length: lessons }) as DiaryDay['lessons'], homework_due: [] });
    const week = ['2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11'].map((d) => day(d, 1));
    expect(diaryDays([...week, day('2026-12-12')]).length).toBe(5);
    expect(diaryDays([...week, day('2026-12-12', 2)]).length).toBe(6);
    const due = { ...day('2026-12-12'), homework_due: [{ lesson_id: 1, subject: { id: 1, name: 'Математика' }, set_on: '2026-12-07', body: '№ 5', minutes: null }] } as DiaryDay;
    expect(diaryDays([...week, due]).length).toBe(6);
  });

  it('fetches the week again for changes at its lessons or earlier ones (homework due in it), not later ones', () => {
    expect(touchesWeek('2026-12-09', '2026-12-07')).toBe(true);
    expect(touchesWeek('2026-12-13', '2026-12-07')).toBe(true);
    expect(touchesWeek('2026-11-30', '2026-12-07')).toBe(true);
    expect(touchesWeek('2026-12-14', '2026-12-07')).toBe(false);
  });

  it('tells each journal change as a new value', () => {
    const change = { type: 'journal_changed' as const, org_id: 1, student_id: 2, lesson_id: 3, date: '2026-12-07' };
    noteJournalChange(change);
    const first = journalChange.value!.n;
    noteJournalChange(change);
    expect(journalChange.value!.n).toBe(first + 1);
    expect(journalChange.value!.change).toEqual(change);
  });
});

describe('homework', () => {
  const lesson = { date: '2026-12-08', assignment_id: 7 };
  const at = (assignment_id: number) => ({ assignment_id }) as WeekLesson;
  const wd = (date: string, lessons: WeekLesson[] = [], school_day = true): WeekDay => ({ date, school_day, lessons });

  it('is due by default at the next lesson of the same assignment in the teacher’s weeks', () => {
    const days = [wd('2026-12-07', [at(7)]), wd('2026-12-08', [at(7)]), wd('2026-12-09', [at(3)]), wd('2026-12-10'), wd('2026-12-11', [at(3), at(7)])];
    expect(defaultDue(lesson, days)).toBe('2026-12-11');
    // In the next week, days given out of order.
    expect(defaultDue(lesson, [wd('2026-12-15', [at(7)]), wd('2026-12-14', [at(7)]), wd('2026-12-09', [at(3)])])).toBe('2026-12-14');
  });

  it('else on the next school day, else the next day but Sunday', () => {
    expect(defaultDue(lesson, [wd('2026-12-09', [], false), wd('2026-12-10', [at(3)])])).toBe('2026-12-10');
    expect(defaultDue(lesson, [])).toBe('2026-12-09');
    expect(defaultDue({ date: '2026-12-12', assignment_id: 7 }, [])).toBe('2026-12-14');
    expect(defaultDue({ date: '2026-12-11', assignment_id: 7 }, [])).toBe('2026-12-12');
  });

  it('fills the form from what is saved, or leaves it empty with the due day given', () => {
    const hw: Homework = { body: '№ 12\n№ 14', due_on: '2026-12-11', minutes: 30, entered_at: '2026-12-08T10:00:00Z' };
    expect(homeworkDraft(hw, '2026-12-09')).toEqual({ body: '№ 12\n№ 14', due_on: '2026-12-11', minutes: '30' });
    expect(homeworkDraft({ ...hw, minutes: null }, '2026-12-09').minutes).toBe('');
    expect(homeworkDraft(null, '2026-12-09')).toEqual({ body: '', due_on: '2026-12-09', minutes: '' });
  });

  it('sends the text trimmed, lines kept, and minutes only when given', () => {
    expect(homeworkRequest({ body: '\n  Параграф 12,\nупр. 5  \n', due_on: ' 2026-12-11 ', minutes: ' 30 ' })).toEqual({
      body: 'Параграф 12,\nупр. 5',
      due_on: '2026-12-11',
      minutes: 30,
    });
    expect(homeworkRequest({ body: 'x', due_on: '2026-12-11', minutes: '' }).minutes).toBeNull();
  });

  it('tells a change from what is saved', () => {
    const hw: Homework = { body: 'Упр. 5', due_on: '2026-12-11', minutes: null, entered_at: '2026-12-08T10:00:00Z' };
    expect(homeworkChanged(null, { body: '  ', due_on: '2026-12-09', minutes: '' })).toBe(false);
    expect(homeworkChanged(null, { body: 'Упр. 5', due_on: '2026-12-09', minutes: '' })).toBe(true);
    expect(homeworkChanged(hw, { body: 'Упр. 5 ', due_on: '2026-12-11', minutes: '' })).toBe(false);
    expect(homeworkChanged(hw, { body: 'Упр. 5', due_on: '2026-12-12', minutes: '' })).toBe(true);
    expect(homeworkChanged(hw, { body: 'Упр. 5', due_on: '2026-12-11', minutes: '20' })).toBe(true);
  });
});
