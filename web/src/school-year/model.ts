// The school year's screens without IO: the year form (defaults for a usual Russian
// year, period rows that follow the division, the request it sends), the bell
// schedule (rows per shift, the request and where the server's complaints go), and
// the subject list. Dates are `YYYY-MM-DD`, times `HH:MM`, as the API takes them.
import type { AcademicYear, Bell, BellsRequest, DayOffKind, PeriodKind, Subject, SubjectChange, YearRequest } from '../api/types';

/** Server field path → its message (`periods[1].starts_on`, `bells[2].ends_at`). */
export type FieldErrors = Record<string, string>;

export const PERIOD_KINDS: PeriodKind[] = ['quarters', 'trimesters', 'halves'];
export const PERIOD_COUNT: Record<PeriodKind, number> = { quarters: 4, trimesters: 3, halves: 2 };

let lastKey = 0;
/** A key for a row the person adds or removes (so inputs keep their place and focus). */
export function rowKey(): number {
  return ++lastKey;
}

// ---------- dates ----------

export function ymd(year: number, month: number, dayOfMonth: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(dayOfMonth).padStart(2, '0')}`;
}

/** The calendar year of a `YYYY-MM-DD` date that exists, else null. */
export function yearOf(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(2000, mo - 1, d));
  t.setUTCFullYear(y);
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d ? y : null;
}

function lastOfFebruary(year: number): number {
  return new Date(Date.UTC(2000 + (year % 400), 2, 0)).getUTCDate();
}

/** The school year under way on `today`: from August on, the one starting this year. */
export function academicYearNow(today: Date): number {
  return today.getMonth() >= 7 ? today.getFullYear() : today.getFullYear() - 1;
}

/** «2026/2027» for a year from 2026-09-01 to 2027-05-31; empty while a date is incomplete. */
export function yearName(startsOn: string, endsOn: string): string {
  const a = yearOf(startsOn);
  const b = yearOf(endsOn);
  if (a === null || b === null) return '';
  return a === b ? String(a) : `${a}/${b}`;
}

// ---------- the year form ----------

export interface PeriodRow {
  key: number;
  starts_on: string;
  ends_on: string;
}

export interface DayOffRow {
  key: number;
  starts_on: string;
  /** Empty for a single day: the start is sent as the end. */
  ends_on: string;
  kind: DayOffKind;
  name: string;
}

export interface YearDraft {
  name: string;
  starts_on: string;
  ends_on: string;
  school_days: 5 | 6;
  period_kind: PeriodKind;
  periods: PeriodRow[];
  days_off: DayOffRow[];
  /** A year id, or '' to set the bells later (creation only). */
  copy_bells_from: string;
  /**
   * The last complete start and end typed: a date input is empty while a part of it is
   * being typed, and what follows the dates compares with these.
   */
  seen_start: string;
  seen_end: string;
}

type Span = [string, string];

/**
 * The usual dates of a Russian school year starting in September of `year`: four
 * quarters with the autumn, winter and spring holidays between them, three trimesters,
 * or two halves. A school checks them against its own calendar.
 */
export function usualPeriods(kind: PeriodKind, year: number): Span[] {
  const y = year;
  const n = year + 1;
  switch (kind) {
    case 'quarters':
      return [
        [ymd(y, 9, 1), ymd(y, 10, 24)],
        [ymd(y, 11, 5), ymd(y, 12, 28)],
        [ymd(n, 1, 12), ymd(n, 3, 20)],
        [ymd(n, 3, 30), ymd(n, 5, 26)],
      ];
    case 'trimesters':
      return [
        [ymd(y, 9, 1), ymd(y, 11, 30)],
        [ymd(y, 12, 1), ymd(n, 2, lastOfFebruary(n))],
        [ymd(n, 3, 1), ymd(n, 5, 26)],
      ];
    case 'halves':
      return [
        [ymd(y, 9, 1), ymd(y, 12, 28)],
        [ymd(n, 1, 12), ymd(n, 5, 26)],
      ];
  }
}

/** The school's data, so in the school's language whatever the interface's. */
export function usualDaysOff(year: number): Omit<DayOffRow, 'key'>[] {
  const y = year;
  const n = year + 1;
  return [
    { starts_on: ymd(y, 10, 25), ends_on: ymd(y, 11, 4), kind: 'holidays', name: 'Осенние каникулы' },
    { starts_on: ymd(y, 12, 29), ends_on: ymd(n, 1, 11), kind: 'holidays', name: 'Зимние каникулы' },
    { starts_on: ymd(n, 2, 23), ends_on: ymd(n, 2, 23), kind: 'day_off', name: 'День защитника Отечества' },
    { starts_on: ymd(n, 3, 8), ends_on: ymd(n, 3, 8), kind: 'day_off', name: 'Международный женский день' },
    { starts_on: ymd(n, 3, 21), ends_on: ymd(n, 3, 29), kind: 'holidays', name: 'Весенние каникулы' },
    { starts_on: ymd(n, 5, 1), ends_on: ymd(n, 5, 1), kind: 'day_off', name: 'Праздник Весны и Труда' },
    { starts_on: ymd(n, 5, 9), ends_on: ymd(n, 5, 9), kind: 'day_off', name: 'День Победы' },
  ];
}

const periodRows = (spans: Span[]): PeriodRow[] => spans.map(([starts_on, ends_on]) => ({ key: rowKey(), starts_on, ends_on }));

/** A usual year from 1 September of `year` to 31 May of the next, divided as asked. */
export function usualYear(year: number, kind: PeriodKind = 'quarters'): YearDraft {
  const starts_on = ymd(year, 9, 1);
  const ends_on = ymd(year + 1, 5, 31);
  return {
    name: yearName(starts_on, ends_on),
    starts_on,
    ends_on,
    school_days: 5,
    period_kind: kind,
    periods: periodRows(usualPeriods(kind, year)),
    days_off: usualDaysOff(year).map((d) => ({ ...d, key: rowKey() })),
    copy_bells_from: '',
    seen_start: starts_on,
    seen_end: ends_on,
  };
}

/**
 * The form for a school's next year: after its latest year (or the year under way,
 * whichever is later), bells taken from the latest year that has them.
 */
export function newYearDraft(years: AcademicYear[], today: Date): YearDraft {
  const latest = Math.max(-Infinity, ...years.map((y) => yearOf(y.starts_on) ?? -Infinity));
  const start = Math.max(academicYearNow(today), Number.isFinite(latest) ? latest + 1 : -Infinity);
  const draft = usualYear(start);
  const withBells = years.filter((y) => y.bells.length > 0).sort((a, b) => b.starts_on.localeCompare(a.starts_on))[0];
  return { ...draft, copy_bells_from: withBells ? String(withBells.id) : '' };
}

/** The form of a year as stored. */
export function draftOf(year: AcademicYear): YearDraft {
  return {
    name: year.name,
    starts_on: year.starts_on,
    ends_on: year.ends_on,
    school_days: year.school_days === 6 ? 6 : 5,
    period_kind: year.period_kind,
    periods: [...year.periods].sort((a, b) => a.number - b.number).map((p) => ({ key: rowKey(), starts_on: p.starts_on, ends_on: p.ends_on })),
    days_off: year.days_off.map((d) => ({ key: rowKey(), starts_on: d.starts_on, ends_on: d.ends_on === d.starts_on ? '' : d.ends_on, kind: d.kind, name: d.name })),
    copy_bells_from: '',
    seen_start: year.starts_on,
    seen_end: year.ends_on,
  };
}

const sameSpans = (rows: { starts_on: string; ends_on: string }[], spans: Span[]) =>
  rows.length === spans.length && rows.every((r, i) => r.starts_on === spans[i]![0] && r.ends_on === spans[i]![1]);

const sameDaysOff = (rows: DayOffRow[], usual: Omit<DayOffRow, 'key'>[]) =>
  rows.length === usual.length &&
  rows.every((r, i) => {
    const u = usual[i]!;
    return r.starts_on === u.starts_on && (r.ends_on || r.starts_on) === u.ends_on && r.kind === u.kind && r.name === u.name;
  });

/** Whether the end, the periods and the days off are still the usual ones of `year`. */
export function isUsual(draft: YearDraft, year: number): boolean {
  return (
    draft.ends_on === ymd(year + 1, 5, 31) &&
    sameSpans(draft.periods, usualPeriods(draft.period_kind, year)) &&
    sameDaysOff(draft.days_off, usualDaysOff(year))
  );
}

/**
 * A new start date. While the rest of the form is still the usual year, it moves to
 * the new year with it (typing 01.09.2031 gives the whole 2031/2032); a first period
 * that started with the year keeps doing so; a name that followed the dates follows.
 */
export function withStartsOn(draft: YearDraft, starts_on: string): YearDraft {
  const year = yearOf(starts_on);
  if (year === null) return { ...draft, starts_on };
  const before = draft.seen_start;
  const beforeYear = yearOf(before);
  let next: YearDraft = { ...draft, starts_on, seen_start: starts_on };
  if (beforeYear !== null && beforeYear !== year && isUsual(draft, beforeYear)) {
    const usual = usualYear(year, draft.period_kind);
    next = { ...next, ends_on: usual.ends_on, seen_end: usual.ends_on, periods: usual.periods, days_off: usual.days_off };
  }
  const first = next.periods[0];
  if (first && draft.periods[0]?.starts_on === before && first.starts_on !== starts_on) {
    next = { ...next, periods: [{ ...first, starts_on }, ...next.periods.slice(1)] };
  }
  return followName(draft, next);
}

export function withEndsOn(draft: YearDraft, ends_on: string): YearDraft {
  if (yearOf(ends_on) === null) return { ...draft, ends_on };
  return followName(draft, { ...draft, ends_on, seen_end: ends_on });
}

/** The name follows the dates while it is empty or what they gave. */
function followName(before: YearDraft, next: YearDraft): YearDraft {
  const name = before.name.trim();
  if (name !== '' && name !== yearName(before.seen_start, before.seen_end)) return next;
  const auto = yearName(next.seen_start, next.seen_end);
  return auto ? { ...next, name: auto } : next;
}

/**
 * Another division: as many period rows as it has, with the usual dates of the
 * year's start (empty rows while the start is not a date).
 */
export function withKind(draft: YearDraft, kind: PeriodKind): YearDraft {
  if (kind === draft.period_kind) return draft;
  const year = yearOf(draft.starts_on);
  const periods =
    year === null
      ? Array.from({ length: PERIOD_COUNT[kind] }, () => ({ key: rowKey(), starts_on: '', ends_on: '' }))
      : periodRows(usualPeriods(kind, year));
  return { ...draft, period_kind: kind, periods };
}

/** The end, the periods and the days off filled with the usual ones of the start's year. */
export function refilled(draft: YearDraft): YearDraft {
  const year = yearOf(draft.starts_on);
  if (year === null) return draft;
  const usual = usualYear(year, draft.period_kind);
  // The first period starts with the year, whatever day in September that is.
  const [first, ...others] = usual.periods;
  const periods = first ? [{ ...first, starts_on: draft.starts_on }, ...others] : [];
  return followName(draft, { ...draft, seen_start: draft.starts_on, ends_on: usual.ends_on, seen_end: usual.ends_on, periods, days_off: usual.days_off });
}

export function withPeriod(draft: YearDraft, index: number, field: 'starts_on' | 'ends_on', value: string): YearDraft {
  return { ...draft, periods: draft.periods.map((p, i) => (i === index ? { ...p, [field]: value } : p)) };
}

export function withDayOff(draft: YearDraft, index: number, field: 'starts_on' | 'ends_on' | 'kind' | 'name', value: string): YearDraft {
  return { ...draft, days_off: draft.days_off.map((d, i) => (i === index ? { ...d, [field]: value } : d)) };
}

export function withNewDayOff(draft: YearDraft): YearDraft {
  return { ...draft, days_off: [...draft.days_off, { key: rowKey(), starts_on: '', ends_on: '', kind: 'day_off', name: '' }] };
}

export function withoutDayOff(draft: YearDraft, index: number): YearDraft {
  return { ...draft, days_off: draft.days_off.filter((_, i) => i !== index) };
}

/** What the form sends: trimmed; a day off without an end is one day; bells to copy only on creation. */
export function yearRequest(draft: YearDraft, creating: boolean): YearRequest {
  const request: YearRequest = {
    name: draft.name.trim(),
    starts_on: draft.starts_on.trim(),
    ends_on: draft.ends_on.trim(),
    school_days: draft.school_days,
    period_kind: draft.period_kind,
    periods: draft.periods.map((p) => ({ starts_on: p.starts_on.trim(), ends_on: p.ends_on.trim() })),
    days_off: draft.days_off.map((d) => ({
      starts_on: d.starts_on.trim(),
      ends_on: d.ends_on.trim() || d.starts_on.trim(),
      kind: d.kind,
      name: d.name.trim(),
    })),
  };
  if (creating && /^\d+$/.test(draft.copy_bells_from)) request.copy_bells_from = Number(draft.copy_bells_from);
  return request;
}

/** The server's field paths the year form has a place for. */
export function yearFields(draft: YearDraft, creating: boolean): Set<string> {
  const shown = new Set(['name', 'starts_on', 'ends_on', 'school_days', 'period_kind', 'periods', 'days_off']);
  if (creating) shown.add('copy_bells_from');
  draft.periods.forEach((_, i) => ['starts_on', 'ends_on'].forEach((f) => shown.add(`periods[${i}].${f}`)));
  draft.days_off.forEach((_, i) => ['starts_on', 'ends_on', 'kind', 'name'].forEach((f) => shown.add(`days_off[${i}].${f}`)));
  return shown;
}

/** Splits the server's field messages into those shown at a field and the rest (for the form's message). */
export function placeErrors(fields: FieldErrors, shown: Set<string>): { at: FieldErrors; rest: string[] } {
  const at: FieldErrors = {};
  const rest: string[] = [];
  for (const [field, text] of Object.entries(fields)) {
    if (shown.has(field)) at[field] = text;
    else if (!rest.includes(text)) rest.push(text);
  }
  return { at, rest };
}

export function withoutError(errors: FieldErrors, field: string): FieldErrors {
  if (!(field in errors)) return errors;
  const next = { ...errors };
  delete next[field];
  return next;
}

/**
 * The messages after row `index` of `list` is removed: its own go, those of the rows
 * after it move up with their rows.
 */
export function withoutRowErrors(errors: FieldErrors, list: string, index: number): FieldErrors {
  const next: FieldErrors = {};
  const pattern = new RegExp(`^${list.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\[(\\d+)\\](.*)$`);
  for (const [field, text] of Object.entries(errors)) {
    const m = pattern.exec(field);
    if (!m) next[field] = text;
    else if (Number(m[1]) > index) next[`${list}[${Number(m[1]) - 1}]${m[2]}`] = text;
    else if (Number(m[1]) < index) next[field] = text;
  }
  return next;
}

// ---------- bells ----------

export const SHIFTS_MAX = 3;
export const SLOT_MAX = 12;
export const LESSON_MINUTES = 45;
/** When a shift's first lesson usually begins. */
export const SHIFT_STARTS: Record<number, string> = { 1: '08:30', 2: '14:00', 3: '18:00' };

export interface BellRow {
  key: number;
  shift: number;
  /** As typed (a number from 0 to 12). */
  number: string;
  starts_at: string;
  ends_at: string;
}

export type BellField = 'number' | 'starts_at' | 'ends_at';

export function minutesOf(time: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(time.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h < 24 && min < 60 ? h * 60 + min : null;
}

export function timeOf(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The break before lesson `number`: the long ones (20 minutes) after the 2nd and the 3rd. */
export function breakBefore(number: number): number {
  return number === 3 || number === 4 ? 20 : 10;
}

export function bellRowsOf(bells: Bell[]): BellRow[] {
  return [...bells]
    .sort((a, b) => a.shift - b.shift || a.number - b.number)
    .map((b) => ({ key: rowKey(), shift: b.shift, number: String(b.number), starts_at: b.starts_at, ends_at: b.ends_at }));
}

export function shiftRows(rows: BellRow[], shift: number): BellRow[] {
  return rows.filter((r) => r.shift === shift);
}

/** The next lesson of a shift: numbered after its last, after the break, 45 minutes long. */
export function withNewBell(rows: BellRow[], shift: number): BellRow[] {
  const own = shiftRows(rows, shift);
  const numbers = own.map((r) => Number(r.number)).filter((n) => Number.isInteger(n) && n >= 0);
  const number = numbers.length ? Math.max(...numbers) + 1 : 1;
  const lastEnd = own.length ? minutesOf(own[own.length - 1]!.ends_at) : null;
  const start = lastEnd === null ? (own.length ? null : minutesOf(SHIFT_STARTS[shift] ?? '08:30')) : lastEnd + breakBefore(number);
  const end = start === null ? null : start + LESSON_MINUTES;
  const fits = start !== null && end !== null && end < 24 * 60;
  const row: BellRow = { key: rowKey(), shift, number: String(number), starts_at: fits ? timeOf(start) : '', ends_at: fits ? timeOf(end) : '' };
  // The new row goes after the shift's last one, so rows stay grouped by shift.
  const at = rows.reduce((last, r, i) => (r.shift <= shift ? i : last), -1);
  return [...rows.slice(0, at + 1), row, ...rows.slice(at + 1)];
}

/** A usual day for an empty shift: seven lessons of 45 minutes from its usual start. */
export function withUsualShift(rows: BellRow[], shift: number): BellRow[] {
  let next = rows.filter((r) => r.shift !== shift);
  for (let i = 0; i < 7; i++) next = withNewBell(next, shift);
  return next;
}

export function withBell(rows: BellRow[], key: number, field: BellField, value: string): BellRow[] {
  return rows.map((r) => (r.key === key ? { ...r, [field]: value } : r));
}

export function withoutBell(rows: BellRow[], key: number): BellRow[] {
  return rows.filter((r) => r.key !== key);
}

/** The shifts shown: the first always, then up to the last with lessons or the last opened. */
export function shiftsShown(rows: BellRow[], opened: number): number[] {
  const last = Math.min(SHIFTS_MAX, Math.max(1, opened, ...rows.map((r) => r.shift)));
  return Array.from({ length: last }, (_, i) => i + 1);
}

/**
 * The whole schedule to send, shift by shift in the order shown, and which row each
 * bell came from (the server names a refused bell by its place: `bells[2].starts_at`).
 */
export function bellsRequest(rows: BellRow[]): { body: BellsRequest; keys: number[] } {
  const ordered = [...rows].sort((a, b) => a.shift - b.shift);
  return {
    // A number that is not one is sent as -1, so the server marks that very cell.
    body: {
      bells: ordered.map((r) => ({
        shift: r.shift,
        number: /^\d{1,2}$/.test(r.number.trim()) ? Number(r.number) : -1,
        starts_at: r.starts_at.trim(),
        ends_at: r.ends_at.trim(),
      })),
    },
    keys: ordered.map((r) => r.key),
  };
}

/** The server's messages for a bell schedule, by row and cell; the rest for the form's message. */
export function bellErrors(fields: FieldErrors, keys: number[]): { at: Record<number, Partial<Record<BellField, string>>>; rest: string[] } {
  const at: Record<number, Partial<Record<BellField, string>>> = {};
  const rest: string[] = [];
  for (const [field, text] of Object.entries(fields)) {
    const m = /^bells\[(\d+)\]\.(number|starts_at|ends_at)$/.exec(field);
    const key = m ? keys[Number(m[1])] : undefined;
    if (m && key !== undefined) at[key] = { ...at[key], [m[2] as BellField]: text };
    else if (!rest.includes(text)) rest.push(text);
  }
  return { at, rest };
}

// ---------- subjects ----------

const collator = new Intl.Collator('ru');

/** Those taught first, then the archived ones; each by name. */
export function sortSubjects(subjects: Subject[]): Subject[] {
  return [...subjects].sort((a, b) => Number(a.archived) - Number(b.archived) || collator.compare(a.name, b.name));
}

/**
 * Only what changed (trimmed); null when nothing did. A blank short name is sent blank:
 * the server then takes the name (or says it is needed, for a long name).
 */
export function subjectChange(subject: Subject, name: string, shortName: string): SubjectChange | null {
  const change: SubjectChange = {};
  const n = name.trim();
  const s = shortName.trim();
  if (n !== subject.name) change.name = n;
  if ((s || n) !== subject.short_name) change.short_name = s;
  return Object.keys(change).length ? change : null;
}
