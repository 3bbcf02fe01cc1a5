// «Соблюдение положения» without IO: the ranges the report is asked for (this week,
// last week, this month), the columns its tables show and which of them count
// breaches, and a flagged lesson's breaches in words. Used by the report's tab only
// (a chunk of its own), never by the app's shell.
import type { ComplianceCounts, FlaggedLesson } from '../api/types';
import { type Lang } from '../i18n';
import { ru as cmpRu, en as cmpEn } from '../pages/school/compliance.strings';
import { interpolate, pluralize } from '../i18n/plural';
import { addDays, isDate, mondayOf } from './model';
import { minutesText } from './regulations';

export type Preset = 'this_week' | 'last_week' | 'this_month';
export const PRESETS: Preset[] = ['this_week', 'last_week', 'this_month'];

export interface Range {
  from: string;
  to: string;
}

/** The days of a preset around `today` (`YYYY-MM-DD`): Monday to Sunday, or the month's first to last. */
export function presetRange(preset: Preset, today: string): Range {
  if (preset === 'this_month') {
    const first = `${today.slice(0, 8)}01`;
    const [y, m] = [Number(today.slice(0, 4)), Number(today.slice(5, 7))];
    const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
    return { from: first, to: addDays(next, -1) };
  }
  const monday = mondayOf(today);
  const from = preset === 'last_week' ? addDays(monday, -7) : monday;
  return { from, to: addDays(from, 6) };
}

/** Which preset a range is, if any (the pressed button). */
export function presetOf(range: Range, today: string): Preset | null {
  return PRESETS.find((p) => {
    const r = presetRange(p, today);
    return r.from === range.from && r.to === range.to;
  }) ?? null;
}

/** The range typed into the two date fields, or null while either is not a date yet. */
export function typedRange(from: string, to: string): Range | null {
  const f = from.trim();
  const t = to.trim();
  return isDate(f) && isDate(t) ? { from: f, to: t } : null;
}

export type Column = keyof ComplianceCounts;

/** The counts that are breaches of the regulations (the rest is context). */
export const BREACHES: Column[] = ['homework_late', 'late_marks', 'online_over_length', 'overloaded_days'];

/** The columns of a table: a teacher's row has no heavy days (those are a class's). */
export function columnsFor(table: 'teachers' | 'classes' | 'weeks'): Column[] {
  const all: Column[] = ['lessons', 'homework_set', 'homework_late', 'marks', 'late_marks', 'online_lessons', 'online_over_length', 'overloaded_days'];
  return table === 'teachers' ? all.filter((c) => c !== 'overloaded_days') : all;
}

export function isBreach(column: Column): boolean {
  return BREACHES.includes(column);
}

/** How many breaches a row counts (heavy days only where the table shows them). */
export function breaches(c: ComplianceCounts, columns: Column[] = BREACHES): number {
  return columns.filter(isBreach).reduce((sum, k) => sum + c[k], 0);
}

const DICTS = { ru: cmpRu, en: cmpEn };

/** A flagged lesson's breaches in words: «задание внесено позже срока», «2 отметки позже срока», «онлайн 40 мин при норме 30 мин». */
export function lessonProblems(l: FlaggedLesson, language: Lang): string[] {
  const d = DICTS[language];
  const out: string[] = [];
  if (l.homework_late) out.push(d['cmp.problem.homework_late']);
  if (l.late_marks > 0) out.push(pluralize(language, l.late_marks, d['cmp.problem.late_marks']));
  const minutes = l.online_minutes ?? null;
  const limit = l.online_limit_minutes ?? null;
  if (minutes !== null && limit !== null && minutes > limit)
    out.push(interpolate(d['cmp.problem.online'], { minutes: minutesText(minutes, language), limit: minutesText(limit, language) }));
  return out;
}

/** The report's query string for a range, and for whose lessons. */
export function reportQuery(range: Range, focus?: { kind: 'teacher' | 'class'; id: number } | null): Record<string, string | number> {
  const q: Record<string, string | number> = { from: range.from, to: range.to };
  if (focus) q[focus.kind === 'teacher' ? 'teacher_id' : 'class_id'] = focus.id;
  return q;
}

/** Where the report's file downloads from. */
export function exportHref(org: number, range: Range, format: 'xlsx' | 'csv'): string {
  const q = new URLSearchParams({ from: range.from, to: range.to, format });
  return `/api/v1/orgs/${org}/compliance/export?${q.toString()}`;
}
