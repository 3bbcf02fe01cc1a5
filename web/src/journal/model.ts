// The journal's screens without IO: weeks (which one is shown, the one before and
// after), the year a date falls in, the lesson grid (what the teacher typed per
// student, the two requests it becomes, and where the server's field errors go back
// to), and the diary's days. Dates are `YYYY-MM-DD`, as the API takes them.
import type {
  AcademicYear,
  AttendanceRequest,
  DiaryDay,
  Grade,
  GradeType,
  GradesRequest,
  Homework,
  HomeworkRequest,
  LessonPage,
  LessonStudent,
  WeekDay,
} from '../api/types';

// ---------- dates and weeks ----------

function parse(date: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, (m ?? 1) - 1, d ?? 1));
}

function print(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Whether a string is a real `YYYY-MM-DD` date. */
export function isDate(s: string | null | undefined): s is string {
  if (!s || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  return print(parse(s)) === s;
}

export function addDays(date: string, n: number): string {
  const d = parse(date);
  d.setUTCDate(d.getUTCDate() + n);
  return print(d);
}

/** Monday 1 … Sunday 7. */
export function weekday(date: string): number {
  return parse(date).getUTCDay() || 7;
}

/** The Monday of the week a date is in. */
export function mondayOf(date: string): string {
  return addDays(date, 1 - weekday(date));
}

/**
 * The week shown when none is asked for: this one, or on Sunday (no lessons, the
 * school week is Monday to Saturday) the one ahead.
 */
export function defaultWeek(today: string): string {
  return weekday(today) === 7 ? addDays(mondayOf(today), 7) : mondayOf(today);
}

/** The Monday of the week `by` weeks from the one a date is in. */
export function shiftWeek(date: string, by: number): string {
  return addDays(mondayOf(date), 7 * by);
}

export function inWeek(date: string, monday: string): boolean {
  return date >= monday && date <= addDays(monday, 6);
}

/**
 * The school year a date belongs to: the one running then, else the nearest one (a
 * week in the summer shows the year ahead or the one just ended, whichever is closer).
 */
export function yearFor<T extends Pick<AcademicYear, 'starts_on' | 'ends_on'>>(years: T[], date: string): T | null {
  const running = years.find((y) => y.starts_on <= date && date <= y.ends_on);
  if (running) return running;
  const gap = (y: T) => Math.abs(parse(date < y.starts_on ? y.starts_on : y.ends_on).getTime() - parse(date).getTime());
  return [...years].sort((a, b) => gap(a) - gap(b))[0] ?? null;
}

// ---------- attendance ----------

export type Absence = 'absent' | 'ill' | 'excused' | 'late';
/** '' is present. */
export type AbsenceCode = '' | Absence;
export const ABSENCES: Absence[] = ['absent', 'ill', 'excused', 'late'];
export const MINUTES_LATE_MAX = 90;

export interface AttendanceDraft {
  absence: AbsenceCode;
  /** As typed; sent for `late` only. */
  minutes: string;
  reason: string;
}

export interface MarkDraft {
  id: number;
  /** As typed; emptied means «take it back». */
  mark: string;
}

export interface StudentDraft {
  attendance: AttendanceDraft;
  /** The student's marks at this lesson, as typed. */
  marks: MarkDraft[];
  /** New marks typed for the student («5», or «5 4» for two). */
  fresh: string;
}

export type Drafts = Record<number, StudentDraft>;

export function attendanceOf(s: LessonStudent): AttendanceDraft {
  const a = s.attendance;
  return { absence: a?.absence ?? '', minutes: a?.minutes_late == null ? '' : String(a.minutes_late), reason: a?.reason ?? '' };
}

export function marksOf(s: LessonStudent): MarkDraft[] {
  return s.grades.map((g) => ({ id: g.id, mark: g.mark }));
}

export function draftsOf(page: LessonPage): Drafts {
  const out: Drafts = {};
  for (const s of page.students) out[s.person.id] = { attendance: attendanceOf(s), marks: marksOf(s), fresh: '' };
  return out;
}

/** The drafts with the attendance (or the marks) taken afresh from a saved page; the rest kept as typed. */
export function rebase(drafts: Drafts, page: LessonPage, part: 'attendance' | 'marks'): Drafts {
  const out: Drafts = {};
  for (const s of page.students) {
    const id = s.person.id;
    const old = drafts[id] ?? { attendance: attendanceOf(s), marks: marksOf(s), fresh: '' };
    out[id] = part === 'attendance' ? { ...old, attendance: attendanceOf(s) } : { ...old, marks: marksOf(s), fresh: '' };
  }
  return out;
}

function sameAttendance(a: AttendanceDraft, b: AttendanceDraft): boolean {
  if (a.absence !== b.absence) return false;
  if (a.absence === '') return true;
  if (a.reason.trim() !== b.reason.trim()) return false;
  return a.absence !== 'late' || a.minutes.trim() === b.minutes.trim();
}

function minutes(text: string): number | null {
  const s = text.trim();
  if (s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? Math.trunc(n) : null;
}

/**
 * The attendance request for what changed (one entry per student whose row differs
 * from the saved page), and the student each entry is for, in order — to put the
 * server's `entries[i].…` errors back at their rows.
 */
export function attendanceRequest(page: LessonPage, drafts: Drafts): { request: AttendanceRequest; order: number[] } {
  const entries: AttendanceRequest['entries'] = [];
  const order: number[] = [];
  for (const s of page.students) {
    const d = drafts[s.person.id]?.attendance;
    if (!d || sameAttendance(d, attendanceOf(s))) continue;
    const reason = d.reason.trim();
    entries.push(
      d.absence === ''
        ? { student_id: s.person.id, absence: null }
        : {
            student_id: s.person.id,
            absence: d.absence,
            minutes_late: d.absence === 'late' ? minutes(d.minutes) : null,
            reason: reason === '' ? null : reason,
          },
    );
    order.push(s.person.id);
  }
  return { request: { entries }, order };
}

// ---------- marks ----------

/** A mark as the API takes it: «5», «зч», «нз» (trimmed, lower case). */
export function normalMark(text: string): string {
  return text.trim().toLowerCase();
}

/** The new marks typed into one box: «5», «5 4», «5, 4». */
export function freshMarks(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map(normalMark)
    .filter(Boolean);
}

/** Which input a grade change came from: an existing mark (its id) or the new-marks box. */
export type MarkSlot = number | 'fresh';

/**
 * The marks request for what changed: changed marks (with their id and kind of work as
 * they were), new ones (of the kind chosen), emptied ones taken back; and which student
 * and input each `grades[i]` and `delete[i]` came from.
 */
export function gradesRequest(
  page: LessonPage,
  drafts: Drafts,
  gradeTypeId: number | null,
): { request: GradesRequest; grades: { student: number; slot: MarkSlot }[]; deletes: { student: number; slot: MarkSlot }[] } {
  const request: Required<GradesRequest> = { grades: [], delete: [] };
  const grades: { student: number; slot: MarkSlot }[] = [];
  const deletes: { student: number; slot: MarkSlot }[] = [];
  for (const s of page.students) {
    const d = drafts[s.person.id];
    if (!d) continue;
    const saved = new Map<number, Grade>(s.grades.map((g) => [g.id, g]));
    for (const m of d.marks) {
      const g = saved.get(m.id);
      if (!g) continue;
      const mark = normalMark(m.mark);
      if (mark === g.mark) continue;
      if (mark === '') {
        request.delete.push(g.id);
        deletes.push({ student: s.person.id, slot: g.id });
      } else {
        request.grades.push({ id: g.id, student_id: s.person.id, mark, grade_type_id: g.grade_type_id, comment: g.comment ?? null });
        grades.push({ student: s.person.id, slot: g.id });
      }
    }
    for (const mark of freshMarks(d.fresh)) {
      // Without a kind of work chosen the server says which field is missing.
      request.grades.push({ student_id: s.person.id, mark, grade_type_id: gradeTypeId ?? 0 });
      grades.push({ student: s.person.id, slot: 'fresh' });
    }
  }
  return { request, grades, deletes };
}

/** Whether a row differs from the saved page (something typed, not saved yet). */
export function rowChanged(s: LessonStudent, d: StudentDraft | undefined): boolean {
  if (!d) return false;
  if (!sameAttendance(d.attendance, attendanceOf(s))) return true;
  if (freshMarks(d.fresh).length) return true;
  return d.marks.some((m) => normalMark(m.mark) !== (s.grades.find((g) => g.id === m.id)?.mark ?? normalMark(m.mark)));
}

/** The kinds of work to choose from (archived ones only where a mark already has them). */
export function activeTypes(types: GradeType[]): GradeType[] {
  return types.filter((t) => !t.archived);
}

// ---------- the server's field errors, back at their rows ----------

/**
 * Where an error shows: `<student>.absence`, `.minutes`, `.reason`, `.mark.<grade id>`,
 * `.fresh`, or `.row` (the student as a whole).
 */
export type RowErrors = Record<string, string>;

const ATTENDANCE_FIELD: Record<string, string> = { absence: 'absence', minutes_late: 'minutes', reason: 'reason' };

/** Places `entries[i].field` errors at the row (and control) of the i-th student sent; others are left over. */
export function placeAttendanceErrors(fields: Record<string, string>, order: number[]): { rows: RowErrors; rest: string[] } {
  const rows: RowErrors = {};
  const rest: string[] = [];
  for (const [path, text] of Object.entries(fields)) {
    const m = /^entries\[(\d+)\](?:\.(\w+))?$/.exec(path);
    const student = m ? order[Number(m[1])] : undefined;
    if (student === undefined) {
      rest.push(text);
      continue;
    }
    const key = `${student}.${ATTENDANCE_FIELD[m![2] ?? ''] ?? 'row'}`;
    rows[key] ??= text;
  }
  return { rows, rest };
}

/** Places `grades[i].…` and `delete[i]` errors at the input each came from. */
export function placeGradeErrors(
  fields: Record<string, string>,
  grades: { student: number; slot: MarkSlot }[],
  deletes: { student: number; slot: MarkSlot }[],
): { rows: RowErrors; rest: string[] } {
  const rows: RowErrors = {};
  const rest: string[] = [];
  for (const [path, text] of Object.entries(fields)) {
    const m = /^(grades|delete)\[(\d+)\]/.exec(path);
    const at = m ? (m[1] === 'grades' ? grades : deletes)[Number(m[2])] : undefined;
    if (!at) {
      rest.push(text);
      continue;
    }
    const key = `${at.student}.${at.slot === 'fresh' ? 'fresh' : `mark.${at.slot}`}`;
    rows[key] ??= text;
  }
  return { rows, rest };
}

/** The errors of one student's row. */
export function errorsOf(rows: RowErrors, student: number): string[] {
  const prefix = `${student}.`;
  return Object.entries(rows)
    .filter(([k]) => k.startsWith(prefix))
    .map(([, v]) => v)
    .filter((v, i, all) => all.indexOf(v) === i);
}

// ---------- the diary ----------

/** The diary's days worth showing: school days, and days off that fall inside the week. */
export function diaryDays(days: DiaryDay[]): DiaryDay[] {
  // Saturday is shown only when it has lessons or homework due (a five-day week has none).
  return days.filter((d, i) => i < 5 || d.lessons.length > 0 || d.homework_due.length > 0);
}

/**
 * Whether a change at a lesson on `date` may show in the diary's week: a lesson of the
 * week, or an earlier one whose homework may be due in it (never before its own day).
 */
export function touchesWeek(date: string, monday: string): boolean {
  return date <= addDays(monday, 6);
}

/** The kind of work's name for a mark, if known. */
export function typeName(types: GradeType[] | undefined, id: number): string | null {
  return types?.find((t) => t.id === id)?.name ?? null;
}

// ---------- homework ----------

export const HOMEWORK_MAX_CHARS = 2000;
export const HOMEWORK_MINUTES_MAX = 240;

/** The homework form as typed. */
export interface HomeworkDraft {
  body: string;
  /** `YYYY-MM-DD`. */
  due_on: string;
  /** As typed; empty when not said. */
  minutes: string;
  [key: string]: string;
}

/**
 * The day homework set at a lesson is due by default: the day of the next lesson of the
 * same assignment (subject, class or group) among the teacher's days given; else the
 * next school day among them; else the next day that is not a Sunday.
 */
export function defaultDue(lesson: { date: string; assignment_id: number }, days: Pick<WeekDay, 'date' | 'school_day' | 'lessons'>[]): string {
  const later = days.filter((d) => d.date > lesson.date).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const next = later.find((d) => d.lessons.some((l) => l.assignment_id === lesson.assignment_id)) ?? later.find((d) => d.school_day);
  if (next) return next.date;
  const day = addDays(lesson.date, 1);
  return weekday(day) === 7 ? addDays(day, 1) : day;
}

/** The form filled from the saved homework, or empty with the due day given. */
export function homeworkDraft(saved: Homework | null | undefined, due: string): HomeworkDraft {
  return saved
    ? { body: saved.body, due_on: saved.due_on, minutes: saved.minutes == null ? '' : String(saved.minutes) }
    : { body: '', due_on: due, minutes: '' };
}

/** The request for what was typed: the text trimmed (as the server keeps it), minutes when given. */
export function homeworkRequest(d: HomeworkDraft): HomeworkRequest {
  return { body: d.body.trim(), due_on: d.due_on.trim(), minutes: minutes(d.minutes) };
}

/** Whether the form differs from the saved homework. */
export function homeworkChanged(saved: Homework | null | undefined, d: HomeworkDraft): boolean {
  const r = homeworkRequest(d);
  if (!saved) return r.body !== '';
  return r.body !== saved.body || r.due_on !== saved.due_on || (r.minutes ?? null) !== (saved.minutes ?? null);
}
