// The class journal grid without IO: what a cell shows and what a teacher types into
// it («н», «б», «уп: причина», «оп10», marks 1–5, «зч», «нз», several at once), the
// lesson's two requests a column's typed cells become, where the server's field errors
// go back to, the columns (lessons written down and the timetable's lessons not yet
// opened), and moving between cells with the keyboard.
import type { AttendanceRequest, GridCell, GridLesson, GradesRequest, WeekDay } from '../api/types';
import type { Absence } from './model';

export const LETTERS: Record<Absence, string> = { absent: 'н', ill: 'б', excused: 'уп', late: 'оп' };

/** What a cell holds, as typed or as stored. */
export interface CellValue {
  absence: Absence | null;
  minutes: number | null;
  reason: string | null;
  marks: string[];
}

export type CellProblem = 'bad_token' | 'late_minutes' | 'excused_reason' | 'two_absences';

export type Parsed = { ok: true; value: CellValue } | { ok: false; problem: CellProblem; token?: string };

const MARKS: Record<string, string> = { '1': '1', '2': '2', '3': '3', '4': '4', '5': '5', зч: 'зч', нз: 'нз', зачет: 'зч', незачет: 'нз' };

/** A stored cell as the teacher would type it: `оп10 5 4`, `уп: справка`, `н`. */
export function cellText(cell: Pick<GridCell, 'attendance' | 'grades'> | undefined): string {
  if (!cell) return '';
  const parts: string[] = [];
  const a = cell.attendance;
  if (a) parts.push(a.absence === 'late' && a.minutes_late ? `оп${a.minutes_late}` : LETTERS[a.absence]);
  parts.push(...cell.grades.map((g) => g.mark));
  const text = parts.join(' ');
  return a?.absence === 'excused' && a.reason ? `${text}: ${a.reason}` : text;
}

/** The cell's value as stored. */
export function cellValue(cell: Pick<GridCell, 'attendance' | 'grades'> | undefined): CellValue {
  const a = cell?.attendance;
  return {
    absence: a?.absence ?? null,
    minutes: a?.absence === 'late' ? (a.minutes_late ?? null) : null,
    reason: a?.absence === 'excused' ? (a.reason ?? null) : null,
    marks: (cell?.grades ?? []).map((g) => g.mark),
  };
}

/**
 * What the teacher typed: tokens apart by spaces or commas; an excused absence's reason
 * after a colon. `оп` takes its minutes joined to it (`оп10`), so they are never taken
 * for a mark. An empty cell clears it.
 */
export function parseCell(text: string): Parsed {
  const colon = text.indexOf(':');
  const head = (colon >= 0 ? text.slice(0, colon) : text).toLowerCase().replace(/ё/g, 'е');
  const reason = colon >= 0 ? text.slice(colon + 1).trim() : '';
  const value: CellValue = { absence: null, minutes: null, reason: null, marks: [] };
  for (const token of head.split(/[\s,;]+/).filter(Boolean)) {
    const mark = MARKS[token];
    if (mark) {
      value.marks.push(mark);
      continue;
    }
    let absence: Absence | null = null;
    const late = /^оп(\d*)$/.exec(token);
    if (late) {
      absence = 'late';
      const minutes = Number(late[1]);
      if (!late[1] || minutes < 1 || minutes > 90) return { ok: false, problem: 'late_minutes', token };
      value.minutes = minutes;
    } else if (token === 'н' || token === 'нн') absence = 'absent';
    else if (token === 'б') absence = 'ill';
    else if (token === 'уп') absence = 'excused';
    else return { ok: false, problem: 'bad_token', token };
    if (value.absence) return { ok: false, problem: 'two_absences', token };
    value.absence = absence;
  }
  if (value.absence === 'excused') {
    if (!reason) return { ok: false, problem: 'excused_reason' };
    value.reason = reason;
  }
  return { ok: true, value };
}

/** Whether a typed value changes what is stored. */
export function sameValue(a: CellValue, b: CellValue): boolean {
  return (
    a.absence === b.absence &&
    a.minutes === b.minutes &&
    (a.reason ?? '') === (b.reason ?? '') &&
    a.marks.length === b.marks.length &&
    a.marks.every((m, i) => m === b.marks[i])
  );
}

/** One typed cell of a lesson's column. */
export interface TypedCell {
  student: number;
  stored: Pick<GridCell, 'attendance' | 'grades'> | undefined;
  value: CellValue;
}

/**
 * The lesson's attendance and marks requests for its typed cells. Marks are matched by
 * their place in the cell: a changed one keeps its kind of work and comment, a new one
 * gets `gradeType`, a missing one is taken back. `entries`/`grades` list whose row
 * each request line is, so the server's `entries[i]…` errors find their cell.
 */
export function columnRequests(
  cells: TypedCell[],
  gradeType: number,
): { attendance: AttendanceRequest; attendanceOrder: number[]; grades: GradesRequest; gradesOrder: number[]; deleteOrder: number[] } {
  const attendance: AttendanceRequest = { entries: [] };
  const grades: GradesRequest = { grades: [], delete: [] };
  const attendanceOrder: number[] = [];
  const gradesOrder: number[] = [];
  const deleteOrder: number[] = [];
  for (const c of cells) {
    const before = cellValue(c.stored);
    if (before.absence !== c.value.absence || before.minutes !== c.value.minutes || (before.reason ?? '') !== (c.value.reason ?? '')) {
      attendance.entries.push({
        student_id: c.student,
        absence: c.value.absence,
        minutes_late: c.value.absence === 'late' ? c.value.minutes : null,
        reason: c.value.absence === 'excused' ? c.value.reason : null,
      });
      attendanceOrder.push(c.student);
    }
    const stored = c.stored?.grades ?? [];
    c.value.marks.forEach((mark, i) => {
      const old = stored[i];
      if (old && old.mark === mark) return;
      grades.grades!.push(
        old
          ? { id: old.id, student_id: c.student, mark, grade_type_id: old.grade_type_id, comment: old.comment ?? null }
          : { student_id: c.student, mark, grade_type_id: gradeType },
      );
      gradesOrder.push(c.student);
    });
    for (const old of stored.slice(c.value.marks.length)) {
      grades.delete!.push(old.id);
      deleteOrder.push(c.student);
    }
  }
  return { attendance, attendanceOrder, grades, gradesOrder, deleteOrder };
}

/** The server's field errors (`entries[2].reason`, `grades[0].mark`, `delete[1]`) by student. */
export function errorsByStudent(
  fields: Record<string, string>,
  orders: { entries?: number[]; grades?: number[]; delete?: number[] },
): Record<number, string> {
  const out: Record<number, string> = {};
  for (const [field, text] of Object.entries(fields)) {
    const m = /^(entries|grades|delete)\[(\d+)\]/.exec(field);
    const student = m ? orders[m[1] as 'entries' | 'grades' | 'delete']?.[Number(m[2])] : undefined;
    if (student !== undefined && !(student in out)) out[student] = text;
  }
  return out;
}

/** A column of the grid: a lesson written down, or one of the timetable not yet opened. */
export interface Column {
  key: string;
  date: string;
  number: number;
  shift: number | null;
  lesson: GridLesson | null;
}

/**
 * The grid's columns by date and slot: its lessons, and the assignment's timetable
 * lessons up to `until` that are not written down yet (a teacher opens one by typing).
 */
export function columns(lessons: GridLesson[], days: Pick<WeekDay, 'date' | 'lessons'>[], assignment: number, from: string, until: string): Column[] {
  const out: Column[] = lessons.map((l) => ({ key: `l${l.id}`, date: l.date, number: l.number, shift: null, lesson: l }));
  const taken = new Set(lessons.map((l) => `${l.date}/${l.number}`));
  for (const d of days) {
    if (d.date < from || d.date > until) continue;
    for (const l of d.lessons) {
      if (l.assignment_id !== assignment || taken.has(`${d.date}/${l.number}`)) continue;
      taken.add(`${d.date}/${l.number}`);
      out.push({ key: `p${d.date}-${l.shift}-${l.number}`, date: d.date, number: l.number, shift: l.shift, lesson: null });
    }
  }
  return out.sort((a, b) => (a.date === b.date ? a.number - b.number : a.date < b.date ? -1 : 1));
}

/** The period a date is in, else the last one begun, else the first. */
export function currentPeriod<P extends { number: number; starts_on: string; ends_on: string }>(periods: P[], today: string): P | null {
  return (
    periods.find((p) => p.starts_on <= today && today <= p.ends_on) ??
    [...periods].reverse().find((p) => p.starts_on <= today) ??
    periods[0] ??
    null
  );
}

export interface Pos {
  row: number;
  col: number;
}

/** Where a key moves the selected cell in a grid of `rows` × `cols` (none: it does not move). */
export function move(pos: Pos, key: string, rows: number, cols: number, shift = false): Pos | null {
  const clamp = (p: Pos): Pos => ({ row: Math.max(0, Math.min(rows - 1, p.row)), col: Math.max(0, Math.min(cols - 1, p.col)) });
  switch (key) {
    case 'ArrowUp':
      return clamp({ ...pos, row: pos.row - 1 });
    case 'ArrowDown':
    case 'Enter':
      return clamp({ ...pos, row: pos.row + 1 });
    case 'ArrowLeft':
      return clamp({ ...pos, col: pos.col - 1 });
    case 'ArrowRight':
      return clamp({ ...pos, col: pos.col + 1 });
    case 'Tab':
      return clamp({ ...pos, col: pos.col + (shift ? -1 : 1) });
    case 'Home':
      return { ...pos, col: 0 };
    case 'End':
      return { ...pos, col: Math.max(0, cols - 1) };
    default:
      return null;
  }
}

/** `2026-11-02` → `02.11`. */
export function shortDate(date: string): string {
  return `${date.slice(8, 10)}.${date.slice(5, 7)}`;
}
