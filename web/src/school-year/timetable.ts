// The admin's timetable screen without IO: the week as editable lessons (a slot of the
// bells on a weekday, an assignment, a room), the request the whole week becomes, and
// where the server's field errors (`entries[3]`, `entries[3].room`) go back to; and
// the form of an override of one lesson on a date.
import type { components } from '../api/schema';

type S = components['schemas'];
export type TimetableEntry = S['TimetableEntry'];
export type TimetableRequest = S['TimetableRequest'];
export type OverrideRequest = S['OverrideRequest'];
export type OverrideKind = S['OverrideKind'];
export type LessonOverride = S['LessonOverride'];
export type LessonChange = S['LessonChange'];
export type Assignment = S['Assignment'];

/** One lesson being placed: `assignment` is '' until chosen; `key` stays with the lesson. */
export interface Draft {
  key: number;
  weekday: number;
  shift: number;
  number: number;
  assignment: string;
  room: string;
}

let next = 0;
export function newKey(): number {
  return ++next;
}

export function draftsOf(entries: TimetableEntry[]): Draft[] {
  return entries.map((e) => ({
    key: newKey(),
    weekday: e.weekday,
    shift: e.shift,
    number: e.number,
    assignment: String(e.assignment_id),
    room: e.room ?? '',
  }));
}

/** The lessons of one cell of the grid, in the order they were placed. */
export function inCell(drafts: Draft[], weekday: number, shift: number, number: number): Draft[] {
  return drafts.filter((d) => d.weekday === weekday && d.shift === shift && d.number === number);
}

/** The whole week to send (lessons without a subject chosen are left out), and which lesson each sent one is. */
export function timetableRequest(drafts: Draft[]): { request: TimetableRequest; order: number[] } {
  const sent = drafts.filter((d) => d.assignment !== '');
  return {
    request: {
      entries: sent.map((d) => ({
        weekday: d.weekday,
        shift: d.shift,
        number: d.number,
        assignment_id: Number(d.assignment),
        room: d.room.trim() || null,
      })),
    },
    order: sent.map((d) => d.key),
  };
}

/** The server's field errors by lesson (`entries[2]`, `entries[2].room` → the lesson sent third); the rest apart. */
export function placeErrors(fields: Record<string, string>, order: number[]): { byKey: Record<number, string[]>; rest: string[] } {
  const byKey: Record<number, string[]> = {};
  const rest: string[] = [];
  for (const [field, message] of Object.entries(fields)) {
    const m = /^entries\[(\d+)\]/.exec(field);
    const key = m ? order[Number(m[1])] : undefined;
    if (key === undefined) {
      rest.push(message);
    } else {
      const list = (byKey[key] ??= []);
      if (!list.includes(message)) list.push(message);
    }
  }
  return { byKey, rest };
}

/** What an assignment is called in a cell: «Математика (группа 1) — Смирнов И. П.». */
export function assignmentLabel(a: Assignment, teacher: string): string {
  return `${a.subject.name}${a.group ? ` (${a.group.name})` : ''} — ${teacher}`;
}

/** The fields of the override form, as typed. */
export interface OverrideDraft {
  [field: string]: string;
  kind: OverrideKind;
  /** `assignment|shift|number` of a lesson of the day (substitute, cancel, move); `shift|number`, the slot of an extra one. */
  lesson: string;
  /** An extra lesson's assignment. */
  assignment: string;
  teacher: string;
  room: string;
  reason: string;
  to_date: string;
  to_slot: string;
}

/** The request an override form becomes; null while something it needs is not chosen. */
export function overrideRequest(date: string, d: OverrideDraft): OverrideRequest | null {
  const room = d.room.trim() || null;
  if (d.kind === 'extra') {
    const [shift, number] = d.lesson.split('|').map(Number);
    if (!d.assignment || !shift || number === undefined || Number.isNaN(number)) return null;
    return { kind: 'extra', assignment_id: Number(d.assignment), date, shift, number, room, teacher_id: d.teacher ? Number(d.teacher) : null };
  }
  const [assignment, shift, number] = d.lesson.split('|').map(Number);
  if (!assignment || !shift || number === undefined || Number.isNaN(number)) return null;
  const base = { assignment_id: assignment, date, shift, number };
  if (d.kind === 'substitute') return { ...base, kind: 'substitute', teacher_id: d.teacher ? Number(d.teacher) : null, room };
  if (d.kind === 'cancel') return { ...base, kind: 'cancel', reason: d.reason.trim() || null };
  const [toShift, toNumber] = d.to_slot.split('|').map(Number);
  return {
    ...base,
    kind: 'move',
    room,
    to_date: d.to_date || null,
    to_shift: toShift || null,
    to_number: toNumber === undefined || Number.isNaN(toNumber) ? null : toNumber,
  };
}

/** The form's field an error of the request is shown at (`to_number` → the slot it moves to). */
export const OVERRIDE_FIELDS: Record<string, keyof OverrideDraft & string> = {
  teacher_id: 'teacher',
  number: 'lesson',
  shift: 'lesson',
  to_number: 'to_slot',
  to_shift: 'to_slot',
  assignment_id: 'assignment',
};

/** A lesson of a day as the override form offers it. */
export function lessonKey(l: { assignment_id: number; shift: number; number: number }): string {
  return `${l.assignment_id}|${l.shift}|${l.number}`;
}
