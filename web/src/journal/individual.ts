// Students without a device or connection under a remote-learning order and their
// individual assignments (seed 001 §4), the pure part: which orders concern a class,
// who may mark a class's students, when an assignment may be due and marked, the
// requests the forms send and their refusals at their fields.
import type { IndividualAssignment, MySchool, OfflineStudent, Order } from '../api/types';
import { addDays } from './model';

/** The marks an individual assignment takes, as the journal writes them. */
export const INDIVIDUAL_MARKS = ['5', '4', '3', '2', '1', 'зч', 'нз'] as const;

/** Whether an order covers a class (named, or the whole school). */
export function covers(o: Pick<Order, 'whole_school' | 'classes'>, classId: number): boolean {
  return o.whole_school || o.classes.some((c) => c.id === classId);
}

/** Whether an order ever holds: one ended before it began never puts anyone offline. */
export function takesEffect(o: Pick<Order, 'ended_early_at' | 'in_force_until'>): boolean {
  return !(o.ended_early_at && !o.in_force_until);
}

/**
 * The orders over a class, as listed (the latest first): their individual assignments
 * stay the class's even when an order was ended before it began (then marked at once).
 */
export function ordersOfClass<O extends Pick<Order, 'whole_school' | 'classes'>>(orders: O[], classId: number): O[] {
  return orders.filter((o) => covers(o, classId));
}

/**
 * The classes of an order whose students the reader marks: their own classes as class
 * teacher; every class of the order for the administration (who reads the whole
 * school's journal).
 */
export function markedClasses(school: Pick<MySchool, 'is_admin' | 'places' | 'class_teacher_of'>, o: Pick<Order, 'classes'>): Order['classes'] {
  const administration = school.is_admin || school.places.some((p) => p.role === 'director' || p.role === 'deputy');
  if (administration) return o.classes;
  const mine = new Set(school.class_teacher_of.map((c) => c.id));
  return o.classes.filter((c) => mine.has(c.id));
}

/** The students marked offline in one class, by id. */
export function offlineIds(list: OfflineStudent[], classId: number): number[] {
  return list.filter((s) => s.class.id === classId).map((s) => s.person.id);
}

/** The first day an individual assignment may be due: the day after the order's last day. */
export function firstDueDay(o: Pick<Order, 'ends_on'>): string {
  return addDays(o.ends_on, 1);
}

/**
 * Whether an order is over on `today` so its individual assignments are marked: the day
 * after it last held (or any day, when it was ended before it began), as the server judges.
 */
export function marksOpen(o: Pick<Order, 'in_force_until'>, today: string): boolean {
  return !o.in_force_until || today > o.in_force_until;
}

/** What the «set an individual assignment» form holds. */
export interface IndividualDraft {
  student_id: string;
  body: string;
  due_on: string;
}

/** The request it sends (text trimmed). */
export function individualRequest(d: IndividualDraft, assignmentId: number) {
  return { student_id: Number(d.student_id), assignment_id: assignmentId, body: d.body.trim(), due_on: d.due_on };
}

/** Field codes the forms put in their own words: `${field}.${code}`. */
export const INDIVIDUAL_CODES = new Set([
  'class_id.not_in_order',
  'student_ids.unknown_student',
  'student_id.not_offline',
  'student_id.unknown_student',
  'body.required',
  'body.too_long',
  'due_on.required',
  'due_on.invalid_date',
  'due_on.during_order',
  'mark.invalid_mark',
]);

/**
 * The refusal at its fields: the area's words for a code it knows (`text(key)` for
 * `ind.field.${field}.${code}`), else the server's text; `student_ids[3]` shows at
 * `student_ids`, the first error of a field wins.
 */
export function fieldErrors(fieldCodes: Record<string, string>, fieldTexts: Record<string, string>, text: (key: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  const base = (path: string) => /^([a-z_]+)/.exec(path)?.[1] ?? path;
  for (const [path, code] of Object.entries(fieldCodes)) {
    const field = base(path);
    if (field in out) continue;
    const known = `${field}.${code}`;
    out[field] = INDIVIDUAL_CODES.has(known) ? text(`ind.field.${known}`) : (fieldTexts[path] ?? code);
  }
  for (const [path, detail] of Object.entries(fieldTexts)) {
    const field = base(path);
    if (!(field in out)) out[field] = detail;
  }
  return out;
}

/** A student's individual assignments from an order's lists, the earliest due first. */
export function studentsAssignments(lists: IndividualAssignment[][], studentId: number): IndividualAssignment[] {
  return lists
    .flat()
    .filter((a) => a.student.id === studentId)
    .sort((a, b) => a.due_on.localeCompare(b.due_on) || a.subject.name.localeCompare(b.subject.name, 'ru') || a.id - b.id);
}

/** An assignment's individual assignments, by student name then due day. */
export function assignmentsOf(list: IndividualAssignment[], assignmentId: number): IndividualAssignment[] {
  const name = (a: IndividualAssignment) => `${a.student.family_name} ${a.student.given_name}`;
  return list.filter((a) => a.assignment_id === assignmentId).sort((a, b) => name(a).localeCompare(name(b), 'ru') || a.due_on.localeCompare(b.due_on) || a.id - b.id);
}
