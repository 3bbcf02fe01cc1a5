// The year transition's choices without IO: which years may end and which may follow,
// the ending year's classes and students, the admin's draft (leaving grades, 9th
// classes going on, exceptions by student, the graduates' last day), the request it
// sends, and where the server's complaints go. The server plans and does the rest.
import type { AcademicYear, ExceptionAction, Member, SchoolClass, YearTransitionRequest } from '../api/types';
import { fullName } from '../format';
import { rowKey, type FieldErrors } from './model';

export const EXCEPTION_ACTIONS: ExceptionAction[] = ['repeat', 'leave', 'move'];
/** The grades that leave unless the admin says otherwise: after the 9th and the 11th. */
export const DEFAULT_LEAVING_GRADES = [9, 11];
export const GRADES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

/** 2026 for a year starting on 2026-09-01: the `academic_year` its classes carry. */
export function calendarYear(year: Pick<AcademicYear, 'starts_on'>): number {
  return Number(year.starts_on.slice(0, 4));
}

/** The years that can end: not archived, earliest first. */
export function endingYears(years: AcademicYear[]): AcademicYear[] {
  return years.filter((y) => !y.archived).sort((a, b) => a.starts_on.localeCompare(b.starts_on));
}

/** The years that can follow `from`: starting after it ends, not archived, earliest first. */
export function followingYears(years: AcademicYear[], from: AcademicYear | undefined): AcademicYear[] {
  if (!from) return [];
  return years.filter((y) => !y.archived && y.starts_on > from.ends_on).sort((a, b) => a.starts_on.localeCompare(b.starts_on));
}

/**
 * The ending year chosen first: the year under way on `today` if it may end, else the
 * earliest one that has a year after it, else the earliest that may end.
 */
export function defaultFrom(years: AcademicYear[], today: string): AcademicYear | undefined {
  const open = endingYears(years);
  return (
    open.find((y) => y.starts_on <= today && today <= y.ends_on) ?? open.find((y) => followingYears(years, y).length > 0) ?? open[0]
  );
}

/** The ending year's classes (not the staff room), by grade then name. */
export function classesOfYear(classes: SchoolClass[], year: AcademicYear | undefined): SchoolClass[] {
  if (!year) return [];
  const cy = calendarYear(year);
  return classes
    .filter((c) => c.kind === 'class' && c.academic_year === cy)
    .sort((a, b) => (a.grade ?? 0) - (b.grade ?? 0) || a.name.localeCompare(b.name, 'ru'));
}

/** The classes of a leaving grade: each may go on all the same (a 9th to the 10th). */
export function leavingClasses(classes: SchoolClass[], leavingGrades: number[]): SchoolClass[] {
  return classes.filter((c) => c.grade != null && leavingGrades.includes(c.grade));
}

/** Whether a class leaves the school at the end of the year, by the draft. */
export function classGraduates(c: Pick<SchoolClass, 'id' | 'grade'>, draft: Pick<TransitionDraft, 'leaving_grades' | 'continuing'>): boolean {
  return c.grade != null && draft.leaving_grades.includes(c.grade) && !draft.continuing.includes(c.id);
}

export interface StudentChoice {
  id: number;
  name: string;
  class_id: number;
  class_name: string;
}

/** The students of the given classes, by name, each with their class. */
export function studentsOf(members: Member[], classes: SchoolClass[]): StudentChoice[] {
  const byId = new Map(classes.map((c) => [c.id, c]));
  const out: StudentChoice[] = [];
  for (const m of members) {
    const place = m.places.find((p) => p.role === 'student' && byId.has(p.class.id));
    if (!place) continue;
    out.push({ id: m.person.id, name: fullName(m.person), class_id: place.class.id, class_name: byId.get(place.class.id)!.name });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name, 'ru') || a.class_name.localeCompare(b.class_name, 'ru'));
}

/** Students whose name (or class) holds every word of `query`. */
export function findStudents(students: StudentChoice[], query: string): StudentChoice[] {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return students;
  return students.filter((s) => {
    const text = `${s.name} ${s.class_name}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

// ---------- the draft ----------

export interface ExceptionRow {
  key: number;
  student_id: number;
  action: ExceptionAction;
  /** For `move`: a class of the ending year, as the select's value ('' for none yet). */
  to_class_id: string;
}

export interface TransitionDraft {
  from_year_id: string;
  to_year_id: string;
  leaving_grades: number[];
  continuing: number[];
  exceptions: ExceptionRow[];
  graduated_on: string;
}

export function newDraft(years: AcademicYear[], today: string): TransitionDraft {
  const from = defaultFrom(years, today);
  const to = followingYears(years, from)[0];
  return {
    from_year_id: from ? String(from.id) : '',
    to_year_id: to ? String(to.id) : '',
    leaving_grades: [...DEFAULT_LEAVING_GRADES],
    continuing: [],
    exceptions: [],
    graduated_on: today,
  };
}

/** Another ending year: the new year follows it where the old choice no longer can; the classes' choices go. */
export function withFrom(draft: TransitionDraft, years: AcademicYear[], fromId: string): TransitionDraft {
  const from = years.find((y) => String(y.id) === fromId);
  const next = followingYears(years, from);
  const to = next.some((y) => String(y.id) === draft.to_year_id) ? draft.to_year_id : next[0] ? String(next[0].id) : '';
  return { ...draft, from_year_id: fromId, to_year_id: to, continuing: [], exceptions: [] };
}

export function withGrade(draft: TransitionDraft, grade: number, leaves: boolean): TransitionDraft {
  const grades = leaves ? [...new Set([...draft.leaving_grades, grade])].sort((a, b) => a - b) : draft.leaving_grades.filter((g) => g !== grade);
  return { ...draft, leaving_grades: grades };
}

export function withContinuing(draft: TransitionDraft, classId: number, goesOn: boolean): TransitionDraft {
  const ids = goesOn ? [...new Set([...draft.continuing, classId])] : draft.continuing.filter((c) => c !== classId);
  return { ...draft, continuing: ids };
}

/** A student added to the exceptions (kept down by default); one row a student. */
export function withException(draft: TransitionDraft, studentId: number, action: ExceptionAction = 'repeat'): TransitionDraft {
  if (draft.exceptions.some((e) => e.student_id === studentId)) return draft;
  return { ...draft, exceptions: [...draft.exceptions, { key: rowKey(), student_id: studentId, action, to_class_id: '' }] };
}

export function withExceptionChange(draft: TransitionDraft, index: number, change: Partial<Pick<ExceptionRow, 'action' | 'to_class_id'>>): TransitionDraft {
  return { ...draft, exceptions: draft.exceptions.map((e, i) => (i === index ? { ...e, ...change } : e)) };
}

export function withoutException(draft: TransitionDraft, index: number): TransitionDraft {
  return { ...draft, exceptions: draft.exceptions.filter((_, i) => i !== index) };
}

/**
 * What is sent: the continuing classes only where their grade still leaves, the target
 * class only for a move, the last day as typed (the server judges it).
 */
export function transitionRequest(draft: TransitionDraft, classes: SchoolClass[]): YearTransitionRequest {
  const leaving = new Set(leavingClasses(classes, draft.leaving_grades).map((c) => c.id));
  return {
    from_year_id: Number(draft.from_year_id),
    to_year_id: Number(draft.to_year_id),
    leaving_grades: [...draft.leaving_grades].sort((a, b) => a - b),
    continuing: draft.continuing.filter((id) => leaving.has(id)),
    exceptions: draft.exceptions.map((e) => ({
      student_id: e.student_id,
      action: e.action,
      to_class_id: e.action === 'move' && e.to_class_id ? Number(e.to_class_id) : null,
    })),
    graduated_on: draft.graduated_on.trim() || null,
  };
}

/** The classes a student may move to: the others of the ending year that go on. */
export function moveTargets(classes: SchoolClass[], from: number, draft: Pick<TransitionDraft, 'leaving_grades' | 'continuing'>): SchoolClass[] {
  return classes.filter((c) => c.id !== from && !classGraduates(c, draft));
}

/** The form's fields a complaint can sit at; any other is said in the message. */
export function transitionFields(draft: TransitionDraft): string[] {
  return [
    'from_year_id',
    'to_year_id',
    'leaving_grades',
    'continuing',
    'graduated_on',
    ...draft.exceptions.flatMap((_, i) => [`exceptions[${i}].student_id`, `exceptions[${i}].action`, `exceptions[${i}].to_class_id`]),
  ];
}

/** Server complaints split into those shown at a field and the rest. `exceptions[0]` alone goes to the row's student. */
export function placeTransitionErrors(fields: Record<string, string>, draft: TransitionDraft): { at: FieldErrors; rest: string[] } {
  const known = new Set(transitionFields(draft));
  const at: FieldErrors = {};
  const rest: string[] = [];
  for (const [field, message] of Object.entries(fields)) {
    const row = /^exceptions\[(\d+)\]$/.exec(field);
    const key = row ? `exceptions[${row[1]}].student_id` : /^leaving_grades\[\d+\]$/.test(field) ? 'leaving_grades' : /^continuing\[\d+\]$/.test(field) ? 'continuing' : field;
    if (known.has(key)) at[key] = at[key] ? `${at[key]} ${message}` : message;
    else rest.push(message);
  }
  return { at, rest };
}
