import { afterEach, describe, expect, it } from 'vitest';
import type { IndividualAssignment, MySchool, OfflineStudent, Order } from '../src/api/types';
import { lang } from '../src/i18n';
import {
  assignmentsOf,
  covers,
  fieldErrors,
  firstDueDay,
  INDIVIDUAL_CODES,
  INDIVIDUAL_MARKS,
  individualRequest,
  markedClasses,
  marksOpen,
  offlineIds,
  ordersOfClass,
  studentsAssignments,
  takesEffect,
} from '../src/journal/individual';
import { en, ru, t } from '../src/pages/journal/individual.strings';

const c5a = { id: 5, name: '5А', kind: 'class' };
const c5b = { id: 6, name: '5Б', kind: 'class' };
const person = (id: number, family: string, given = 'Анна') => ({ id, family_name: family, given_name: given, patronymic: null });

const order = (over: Partial<Order> = {}): Order =>
  ({
    id: 1,
    number: '9-о',
    issued_on: '2026-12-07',
    reason: 'Морозы',
    starts_on: '2026-12-08',
    ends_on: '2026-12-11',
    whole_school: false,
    classes: [c5a],
    document: null,
    issued_by: person(2, 'Петров'),
    created_at: '2026-12-07T08:00:00Z',
    ended_early_at: null,
    in_force_until: '2026-12-11',
    in_force: false,
    announcements: [],
    ...over,
  }) as Order;

const school = (over: Partial<MySchool> = {}): MySchool =>
  ({ org_id: 1, name: 'Школа', short_name: 'Школа', is_admin: false, manages_school_year: false, class_teacher_of: [], places: [], teacher_verified: true, ...over }) as MySchool;

const item = (id: number, over: Partial<IndividualAssignment> = {}): IndividualAssignment =>
  ({
    id,
    order_id: 1,
    student: person(10, 'Волкова'),
    assignment_id: 3,
    subject: { id: 1, name: 'Математика', short_name: 'Мат' },
    teacher: person(20, 'Смирнов', 'Олег'),
    body: 'Задачи 1–5',
    due_on: '2026-12-14',
    set_at: '2026-12-08T10:00:00Z',
    mark: null,
    marked_at: null,
    ...over,
  }) as IndividualAssignment;

afterEach(() => {
  lang.value = 'ru';
});

describe('which orders concern a class', () => {
  it('an order covers its classes, or every class when for the whole school', () => {
    expect(covers(order(), 5)).toBe(true);
    expect(covers(order(), 6)).toBe(false);
    expect(covers(order({ whole_school: true, classes: [] }), 6)).toBe(true);
  });

  it('an order ended before it began never takes effect; one ended early does', () => {
    expect(takesEffect(order())).toBe(true);
    expect(takesEffect(order({ ended_early_at: '2026-12-09T10:00:00Z', in_force_until: '2026-12-09' }))).toBe(true);
    expect(takesEffect(order({ ended_early_at: '2026-12-07T10:00:00Z', in_force_until: null }))).toBe(false);
  });

  it('keeps the orders over the class in the order listed, one ended before it began too (its work is still marked)', () => {
    const list = [order({ id: 3 }), order({ id: 2, classes: [c5b] }), order({ id: 1, ended_early_at: 'x', in_force_until: null }), order({ id: 4, whole_school: true, classes: [] })];
    expect(ordersOfClass(list, 5).map((o) => o.id)).toEqual([3, 1, 4]);
  });
});

describe('who marks which classes', () => {
  const o = order({ classes: [c5a, c5b] });
  it('a class teacher marks their own classes of the order', () => {
    expect(markedClasses(school({ class_teacher_of: [c5b] }), o)).toEqual([c5b]);
    expect(markedClasses(school({ class_teacher_of: [{ id: 9, name: '9А', kind: 'class' }] }), o)).toEqual([]);
  });
  it('the administration marks every class of the order', () => {
    const place = (role: string) => ({ role, class: { id: 1, name: 'Учительская', kind: 'staff_room' } }) as unknown as MySchool['places'][number];
    expect(markedClasses(school({ is_admin: true }), o)).toEqual([c5a, c5b]);
    expect(markedClasses(school({ places: [place('director')] }), o)).toEqual([c5a, c5b]);
    expect(markedClasses(school({ places: [place('deputy')] }), o)).toEqual([c5a, c5b]);
    expect(markedClasses(school({ places: [place('teacher')] }), o)).toEqual([]);
  });
  it('reads a class\u2019s marked students from the order\u2019s list', () => {
    const list = [
      { person: person(10, 'Волкова'), class: c5a },
      { person: person(11, 'Иванов'), class: c5b },
      { person: person(12, 'Петрова'), class: c5a },
    ] as OfflineStudent[];
    expect(offlineIds(list, 5)).toEqual([10, 12]);
    expect(offlineIds(list, 7)).toEqual([]);
  });
});

describe('dates and marks', () => {
  it('the first day due is the day after the order\u2019s last day, across a month', () => {
    expect(firstDueDay(order())).toBe('2026-12-12');
    expect(firstDueDay(order({ ends_on: '2026-12-31' }))).toBe('2027-01-01');
  });
  it('marks open the day after the order last held, or at once when it never did', () => {
    expect(marksOpen(order(), '2026-12-11')).toBe(false);
    expect(marksOpen(order(), '2026-12-12')).toBe(true);
    expect(marksOpen(order({ in_force_until: '2026-12-09' }), '2026-12-10')).toBe(true);
    expect(marksOpen(order({ in_force_until: null }), '2026-12-07')).toBe(true);
  });
  it('the marks are the journal\u2019s', () => {
    expect([...INDIVIDUAL_MARKS]).toEqual(['5', '4', '3', '2', '1', 'зч', 'нз']);
  });
});

describe('the form\u2019s request and refusals', () => {
  it('sends the student as a number and the text trimmed', () => {
    expect(individualRequest({ student_id: '10', body: '  Задачи 1–5 \n', due_on: '2026-12-14' }, 3)).toEqual({ student_id: 10, assignment_id: 3, body: 'Задачи 1–5', due_on: '2026-12-14' });
  });

  it('puts a refusal at its field in the area\u2019s words, else the server\u2019s', () => {
    const errs = fieldErrors(
      { due_on: 'during_order', student_id: 'not_offline', body: 'odd_code', 'student_ids[2]': 'unknown_student' },
      { due_on: 'server words', body: 'server body', 'student_ids[2]': 'x', assignment_id: 'no such assignment' },
      (k) => `«${k}»`,
    );
    expect(errs).toEqual({
      due_on: '«ind.field.due_on.during_order»',
      student_id: '«ind.field.student_id.not_offline»',
      body: 'server body',
      student_ids: '«ind.field.student_ids.unknown_student»',
      assignment_id: 'no such assignment',
    });
  });

  it('every code the forms know has words in both languages', () => {
    for (const code of INDIVIDUAL_CODES) {
      expect(ru).toHaveProperty(`ind.field.${code}`);
      expect(en).toHaveProperty(`ind.field.${code}`);
    }
    expect(t('ind.field.due_on.during_order', { date: '12 декабря 2026 г.' })).toBe('Срок — не раньше 12 декабря 2026 г., после окончания приказа.');
  });
});

describe('lists', () => {
  it('a student\u2019s assignments across orders, the earliest due first', () => {
    const a = item(1, { due_on: '2026-12-20' });
    const b = item(2, { due_on: '2026-12-14', subject: { id: 2, name: 'Русский язык', short_name: 'Рус' } as IndividualAssignment['subject'] });
    const c = item(3, { due_on: '2026-12-14' });
    const other = item(4, { student: person(11, 'Иванов') });
    expect(studentsAssignments([[a, other], [b, c]], 10).map((x) => x.id)).toEqual([3, 2, 1]);
  });
  it('an assignment\u2019s individual assignments by student, then date due', () => {
    const list = [item(1, { student: person(12, 'Петрова') }), item(2, { assignment_id: 9 }), item(3, { due_on: '2026-12-20' }), item(4)];
    expect(assignmentsOf(list, 3).map((x) => x.id)).toEqual([4, 3, 1]);
  });
});

describe('the area\u2019s words', () => {
  it('counts ticked students in Russian and English', () => {
    expect(t('ind.offline.marked', { n: 1 })).toBe('Отмечен 1 ученик.');
    expect(t('ind.offline.marked', { n: 3 })).toBe('Отмечено 3 ученика.');
    expect(t('ind.offline.marked', { n: 5 })).toBe('Отмечено 5 учеников.');
    lang.value = 'en';
    expect(t('ind.offline.marked', { n: 2 })).toBe('2 students ticked.');
  });
});
