// The latest change to a student's journal record told to this person (the student
// and their parents get `journal_changed` and `final_marks_changed` in their personal
// stream), and to a class's lessons (`timetable_changed`). The chat store only passes
// them on; the diary decides what to fetch again.
import { signal } from '@preact/signals';
import type { UserEvent } from '../api/types';

export type JournalChange = Extract<UserEvent, { type: 'journal_changed' }>;

/** The change and a running count, so the same change told twice is still a new value. */
export const journalChange = signal<{ change: JournalChange; n: number } | null>(null);

let count = 0;
export function noteJournalChange(change: JournalChange): void {
  journalChange.value = { change, n: ++count };
}

export type TimetableChange = Extract<UserEvent, { type: 'timetable_changed' }>;

/** A class's lessons on some dates changed (a substitute, a cancelled, moved or extra lesson). */
export const timetableChange = signal<{ change: TimetableChange; n: number } | null>(null);

let timetableCount = 0;
export function noteTimetableChange(change: TimetableChange): void {
  timetableChange.value = { change, n: ++timetableCount };
}

export type FinalMarksChange = Extract<UserEvent, { type: 'final_marks_changed' }>;

/** A student's period or year mark was set, changed or taken back. */
export const finalMarksChange = signal<{ change: FinalMarksChange; n: number } | null>(null);

let finalCount = 0;
export function noteFinalMarksChange(change: FinalMarksChange): void {
  finalMarksChange.value = { change, n: ++finalCount };
}
