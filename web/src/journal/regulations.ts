// The regulations' rules on the web, without IO: a day's homework load as words
// («1 ч 30 мин»), which notice the homework form shows for it, when the load is worth
// asking for, what the homework card says of its deadline, and the school's numbers
// as a form (its draft, its request, the server's refusals at their fields). Used by
// the lesson page and the «Учебный год» tab, never by the app's shell.
import { ApiError } from '../api/client';
import type { HomeworkLoad, LessonDeadlines, Regulations } from '../api/types';
import { lang, type Lang } from '../i18n';
import { HOMEWORK_MINUTES_MAX, isDate } from './model';

const UNITS: Record<Lang, [string, string]> = { ru: ['ч', 'мин'], en: ['h', 'min'] };

/**
 * Minutes as people say them: «45 мин», «2 ч», «1 ч 30 мин» (a non-breaking space
 * between a number and its unit, so «30 мин» never breaks across lines).
 */
export function hoursMinutes(total: number, language: Lang = lang.value): string {
  const [h, m] = UNITS[language];
  const n = Math.max(0, Math.round(total));
  const hours = Math.floor(n / 60);
  const minutes = n % 60;
  const parts: string[] = [];
  if (hours) parts.push(`${hours}\u00a0${h}`);
  if (minutes || !hours) parts.push(`${minutes}\u00a0${m}`);
  return parts.join(' ');
}

/** A number of minutes as a field in minutes shows it: «30 мин», «120 мин». */
export function minutesText(n: number, language: Lang = lang.value): string {
  return `${n}\u00a0${UNITS[language][1]}`;
}

/**
 * The grade of a class from its name («5А», «10-Б» → 5, 10), for «норма для 5 класса»;
 * null for a staff room, an «объединение» or a name that starts with no grade 1–11.
 */
export function gradeOf(cls: { name: string; kind: string } | null | undefined): number | null {
  if (!cls || cls.kind !== 'class') return null;
  const m = /^\s*(\d{1,2})(?!\d)/.exec(cls.name);
  const n = m ? Number(m[1]) : NaN;
  return n >= 1 && n <= 11 ? n : null;
}

/** The homework-load query for what is typed, or null while the day is not a date or the minutes are not 0–240. */
export function loadQuery(dueOn: string, minutes: string): { due_on: string; minutes: number } | null {
  const day = dueOn.trim();
  if (!isDate(day)) return null;
  const s = minutes.trim();
  const n = s === '' ? 0 : Number(s);
  if (!Number.isInteger(n) || n < 0 || n > HOMEWORK_MINUTES_MAX) return null;
  return { due_on: day, minutes: n };
}

/**
 * What the homework form says of a day's load:
 * - `none`: nothing (no load known, no limit for the grade, or nothing due);
 * - `within`: a quiet «В этот день: 1 ч 40 мин из 2 ч»;
 * - `over`: a warning, saving is still allowed;
 * - `refused`: the school refuses it — as the server does, only when the save adds
 *   minutes to the day (`standing`: the minutes the saved homework already puts on
 *   that day, 0 when it is due on another day or not set).
 */
export type LoadNotice =
  | { kind: 'none' }
  | { kind: 'within' | 'over' | 'refused'; total: number; limit: number };

export function loadNotice(load: HomeworkLoad | null | undefined, typed: number, standing: number): LoadNotice {
  const limit = load?.limit_minutes;
  if (!load || limit == null) return { kind: 'none' };
  if (!load.over) return load.minutes > 0 ? { kind: 'within', total: load.minutes, limit } : { kind: 'none' };
  return { kind: load.strict && typed > standing ? 'refused' : 'over', total: load.minutes, limit };
}

/** The minutes the saved homework puts on `dueOn` (0 when it is due another day or has none). */
export function standingMinutes(saved: { due_on: string; minutes?: number | null } | null | undefined, dueOn: string): number {
  return saved && saved.due_on === dueOn.trim() ? (saved.minutes ?? 0) : 0;
}

/**
 * What the homework card says of its deadline, for the lesson's teacher: `enter_by`
 * while there is no homework and its deadline is ahead; `late` when it was entered
 * after it; otherwise nothing.
 */
export function homeworkDeadline(deadlines: LessonDeadlines | null | undefined, hasHomework: boolean, now: Date = new Date()): 'enter_by' | 'late' | null {
  if (!deadlines) return null;
  if (hasHomework) return deadlines.homework_late ? 'late' : null;
  const due = new Date(deadlines.homework_due_by).getTime();
  return Number.isFinite(due) && due > now.getTime() ? 'enter_by' : null;
}

// ---------- the school's numbers as a form ----------

/** The four grade bands of each list, as «1–2 классы» labels take them. */
export const LESSON_BANDS: [number, number][] = [
  [1, 2],
  [3, 4],
  [5, 6],
  [7, 11],
];
export const HOMEWORK_BANDS: [number, number][] = [
  [2, 3],
  [4, 5],
  [6, 8],
  [9, 11],
];

/** The form's fields: `lesson_0`…`lesson_3`, `homework_0`…`homework_3`, the two windows and the hard stop. */
export type RegulationsDraft = Record<string, string | boolean>;

export const NUMBER_FIELDS = [
  'lesson_0',
  'lesson_1',
  'lesson_2',
  'lesson_3',
  'homework_0',
  'homework_1',
  'homework_2',
  'homework_3',
  'homework_entry_minutes',
  'marks_entry_days',
] as const;
export type NumberField = (typeof NUMBER_FIELDS)[number];

export function regulationsDraft(r: Regulations): RegulationsDraft {
  const d: RegulationsDraft = {
    homework_entry_minutes: String(r.homework_entry_minutes),
    marks_entry_days: String(r.marks_entry_days),
    homework_limit_strict: r.homework_limit_strict,
  };
  r.lesson_minutes.slice(0, 4).forEach((n, i) => (d[`lesson_${i}`] = String(n)));
  r.homework_day_minutes.slice(0, 4).forEach((n, i) => (d[`homework_${i}`] = String(n)));
  return d;
}

/** The seeds' value behind a field of the form. */
export function seedOf(seeds: Regulations, field: NumberField): number {
  const m = /^(lesson|homework)_(\d)$/.exec(field);
  if (m) return (m[1] === 'lesson' ? seeds.lesson_minutes : seeds.homework_day_minutes)[Number(m[2])] ?? 0;
  return field === 'homework_entry_minutes' ? seeds.homework_entry_minutes : seeds.marks_entry_days;
}

/** The server's field (`lesson_minutes[2]`) → the form's (`lesson_2`). */
export const REGULATIONS_ALIASES: Record<string, NumberField> = Object.fromEntries([
  ...[0, 1, 2, 3].map((i) => [`lesson_minutes[${i}]`, `lesson_${i}`]),
  ...[0, 1, 2, 3].map((i) => [`homework_day_minutes[${i}]`, `homework_${i}`]),
]) as Record<string, NumberField>;

/**
 * The request for what is typed, or the fields that are not whole numbers of at
 * least 1 (nothing is sent then: the server would not read the body at all).
 */
export function regulationsRequest(d: RegulationsDraft): { request: Regulations } | { invalid: NumberField[] } {
  const invalid: NumberField[] = [];
  const num = (f: NumberField) => {
    const s = String(d[f] ?? '').trim();
    const n = s === '' ? NaN : Number(s);
    if (!Number.isInteger(n) || n < 1) invalid.push(f);
    return n;
  };
  const lesson_minutes = [0, 1, 2, 3].map((i) => num(`lesson_${i}` as NumberField));
  const homework_day_minutes = [0, 1, 2, 3].map((i) => num(`homework_${i}` as NumberField));
  const homework_entry_minutes = num('homework_entry_minutes');
  const marks_entry_days = num('marks_entry_days');
  if (invalid.length) return { invalid };
  return {
    request: {
      lesson_minutes,
      homework_day_minutes,
      homework_entry_minutes,
      marks_entry_days,
      homework_limit_strict: d.homework_limit_strict === true,
    },
  };
}

/**
 * The refusal with the web's own words for the field codes `text` knows (the server
 * names some codes, such as `day_over_limit`, only by a generic «Некорректное значение»);
 * any other failure as it was.
 */
export function withFieldTexts(e: unknown, text: (field: string, code: string) => string | null): unknown {
  if (!(e instanceof ApiError)) return e;
  const fields = { ...e.fields };
  for (const [field, code] of Object.entries(e.fieldCodes)) {
    const said = text(field, code);
    if (said) fields[field] = said;
  }
  return new ApiError(e.status, e.code, e.detail, fields, e.fieldCodes);
}
