import { lang } from './i18n';
import type { PersonRef } from './api/types';

const locale = () => (lang.value === 'ru' ? 'ru-RU' : 'en-GB');

/** An instant (`2026-11-22T00:44:17.518Z`) in the school's time zone. */
export function dateTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(d);
  } catch {
    return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
  }
}

/** A calendar date (`2026-11-22`), shown as written: no time-zone shift. */
export function day(ymd: string | null | undefined): string {
  if (!ymd) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) return ymd;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'long', timeZone: 'UTC' }).format(d);
}

/** Today as `YYYY-MM-DD` in a time zone. */
export function todayIn(timeZone?: string): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  } catch {
    return new Date().toISOString().slice(0, 10);
  }
}

/** «Фамилия Имя Отчество». */
export function fullName(p: Pick<PersonRef, 'family_name' | 'given_name' | 'patronymic'> | null | undefined): string {
  if (!p) return '';
  return [p.family_name, p.given_name, p.patronymic].filter(Boolean).join(' ');
}

/** «Фамилия И. О.» for tight places. */
export function shortName(p: Pick<PersonRef, 'family_name' | 'given_name' | 'patronymic'> | null | undefined): string {
  if (!p) return '';
  const initials = [p.given_name, p.patronymic].filter(Boolean).map((s) => `${s!.charAt(0)}.`).join(' ');
  return `${p.family_name} ${initials}`.trim();
}

export function fileSize(bytes: number): string {
  const ru = lang.value === 'ru';
  if (bytes < 1024) return `${bytes} ${ru ? 'Б' : 'B'}`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} ${ru ? 'КБ' : 'KB'}`;
  return `${(bytes / 1024 / 1024).toFixed(1).replace('.', ru ? ',' : '.')} ${ru ? 'МБ' : 'MB'}`;
}
