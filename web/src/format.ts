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

const UNITS = { ru: ['Б', 'КБ', 'МБ', 'ГБ'], en: ['B', 'KB', 'MB', 'GB'] } as const;

/**
 * A size as people read it: «812 Б», «4,5 КБ», «1,2 МБ» (binary units, one decimal
 * below 10 and none above 100, a non-breaking space before the unit).
 */
export function formatBytes(bytes: number, language: 'ru' | 'en' = lang.value): string {
  const units = UNITS[language];
  const digitsFor = (unit: number, v: number) => (unit === 0 || v >= 100 ? 0 : 1);
  let value = Math.max(0, Number.isFinite(bytes) ? bytes : 0);
  let unit = 0;
  while (unit < units.length - 1 && value >= 1024) {
    value /= 1024;
    unit += 1;
  }
  // 1023,96 КБ would round to «1024 КБ»: show it in the next unit instead.
  if (unit < units.length - 1 && Number(value.toFixed(digitsFor(unit, value))) >= 1024) {
    value /= 1024;
    unit += 1;
  }
  // Below 1024 of a unit: no thousands separator («1023 Б», not «1 023 Б»).
  const n = new Intl.NumberFormat(language === 'ru' ? 'ru-RU' : 'en-GB', { maximumFractionDigits: digitsFor(unit, value), useGrouping: false }).format(value);
  return `${n}\u00a0${units[unit]}`;
}

export const fileSize = (bytes: number): string => formatBytes(bytes);

/** `HH:MM` (24-hour) of an instant in a time zone (the browser's when none or unknown). */
export function clock(iso: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const opts: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  try {
    return new Intl.DateTimeFormat('en-GB', { ...opts, timeZone }).format(d);
  } catch {
    return new Intl.DateTimeFormat('en-GB', opts).format(d);
  }
}

/**
 * When a future instant falls, seen from `now` in a time zone: today, tomorrow, or
 * another day (with its date), and its time of day — for «будет доставлено завтра в 07:00».
 */
export function whenLater(iso: string, now: Date = new Date(), timeZone?: string): { day: 'today' | 'tomorrow' | 'later'; time: string; date: string } {
  const at = new Date(iso);
  const time = clock(iso, timeZone);
  const ymd = (d: Date) => {
    try {
      return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
    } catch {
      return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
    }
  };
  const target = ymd(at);
  if (target === ymd(now)) return { day: 'today', time, date: target };
  // The next calendar day in that zone (a day later from noon avoids DST edges).
  const base = new Date(`${ymd(now)}T12:00:00Z`);
  const next = new Date(base.getTime() + 24 * 3600 * 1000).toISOString().slice(0, 10);
  if (target === next) return { day: 'tomorrow', time, date: target };
  return { day: 'later', time, date: target };
}

/** «Chrome, Android»: a browser's own long name, as a person knows their device. */
export function shortAgent(ua: string): string {
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /YaBrowser/.test(ua)
      ? 'Яндекс Браузер'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Chrom(e|ium)\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : '';
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : '';
  const s = [browser, os].filter(Boolean).join(', ');
  return s || ua.slice(0, 60);
}
