// The measures of a school's statistics, shared by the school's dashboard and the
// education authority's page: what each is, how it is computed from a period's figures,
// how it is written («87 %», «3,5 ч», «12», «—») and how two periods compare
// («+5 п. п.», «−2», «без изменений»). Reach and care, never message counts.
import type { components } from '../api/schema';
import { lang } from '../i18n';
import { t, type Key } from './stats.strings';

export type Figures = components['schemas']['PeriodFigures'];
export type Section = 'reach' | 'heard' | 'care' | 'activity';
export interface Measure {
  key: string;
  section: Section;
  label: () => string;
  /** The value, or null when there is nothing to measure (no posts to confirm → no share). */
  value: (f: Figures) => number | null;
  kind: 'count' | 'share' | 'hours' | 'average';
  /** Which way is better, for the comparison's wording; 'none' for plain counts. */
  better: 'higher' | 'lower' | 'none';
}

export const SECTIONS: Section[] = ['reach', 'heard', 'care', 'activity'];
export const GROUPS = ['student', 'parent', 'staff'] as const;

/** A part of a whole, or null when the whole is nothing. */
export function share(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

const label = (key: Key) => () => t(key);
const count = (key: string, section: Section, value: (f: Figures) => number | null): Measure => ({
  key, section, label: label(`st.m.${key}` as Key), value, kind: 'count', better: 'none',
});
const shareOf = (key: string, section: Section, value: (f: Figures) => number | null): Measure => ({
  key, section, label: label(`st.m.${key}` as Key), value, kind: 'share', better: 'higher',
});
const hours = (key: string, section: Section, value: (f: Figures) => number | null): Measure => ({
  key, section, label: label(`st.m.${key}` as Key), value, kind: 'hours', better: 'lower',
});

function activity(group: (typeof GROUPS)[number], which: 'daily' | 'weekly'): Measure {
  const key = `active_${which}.${group}`;
  return shareOf(key, 'activity', (f) => {
    const g = f.activity.find((a) => a.group === group);
    if (!g) return null;
    return share(which === 'daily' ? g.daily_average : g.weekly_average, g.people);
  });
}

export const MEASURES: Measure[] = [
  count('joined', 'reach', (f) => f.joined),
  count('invites_created', 'reach', (f) => f.invites_created),
  count('invites_used', 'reach', (f) => f.invites_used),
  count('requests_decided', 'reach', (f) => f.requests_decided),
  hours('request_wait_hours', 'reach', (f) => f.request_wait_hours ?? null),
  shareOf('ack_read', 'heard', (f) => share(f.ack_read, f.ack_recipients)),
  shareOf('ack_confirmed', 'heard', (f) => share(f.ack_confirmed, f.ack_recipients)),
  shareOf('ack_confirmed_within_day', 'heard', (f) => share(f.ack_confirmed_within_day, f.ack_recipients)),
  shareOf('channel_read', 'heard', (f) => share(f.channel_readers, f.channel_members)),
  count('reports_raised', 'care', (f) => f.reports_raised),
  count('reports_resolved', 'care', (f) => f.reports_resolved),
  hours('report_resolve_hours', 'care', (f) => f.report_resolve_hours ?? null),
  count('quiet_holds', 'care', (f) => f.quiet_holds),
  shareOf('homework_on_time', 'care', (f) => share(f.homework_set - f.homework_late, f.homework_set)),
  shareOf('marks_on_time', 'care', (f) => share(f.marks - f.late_marks, f.marks)),
  count('online_lessons', 'care', (f) => f.online_lessons),
  shareOf('online_attendance', 'care', (f) => share(f.online_attended, f.online_expected)),
  ...GROUPS.flatMap((g) => [activity(g, 'daily'), activity(g, 'weekly')]),
];

/** The measures of a section, in order. */
export function measuresOf(section: Section): Measure[] {
  return MEASURES.filter((m) => m.section === section);
}

const numberFormat = (digits: number, grouping = true) =>
  new Intl.NumberFormat(lang.value === 'ru' ? 'ru-RU' : 'en-GB', { maximumFractionDigits: digits, useGrouping: grouping });

/** A number and its unit kept on one line. */
const nbsp = (s: string) => s.replace(/ /g, '\u00a0');

/** A value rounded as it is shown: whole percents, tenths of hours and averages, whole counts. */
function shown(m: Measure, v: number): number {
  switch (m.kind) {
    case 'share':
      return Math.round(v * 100);
    case 'hours':
    case 'average':
      return Math.round(v * 10) / 10;
    default:
      return Math.round(v);
  }
}

/** «87 %», «3,5 ч», «12», «—» (a non-breaking space before the unit, as file sizes have). */
export function formatValue(m: Measure, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return t('st.none');
  const n = shown(m, v);
  switch (m.kind) {
    case 'share':
      return `${numberFormat(0).format(n)}\u00a0%`;
    case 'hours':
      return nbsp(t('st.unit.hours', { n: numberFormat(1).format(n) }));
    case 'average':
      return numberFormat(1).format(n);
    default:
      return numberFormat(0).format(n);
  }
}

/** «+5 п. п.», «−2», «−1,5 ч», «без изменений»; the trend by which way is better. */
export function compare(m: Measure, now: number | null, before: number | null): { text: string; trend: 'better' | 'worse' | 'same' | 'none' } {
  if (now === null || before === null || !Number.isFinite(now) || !Number.isFinite(before)) return { text: t('st.none'), trend: 'none' };
  const diff = Math.round((shown(m, now) - shown(m, before)) * 10) / 10;
  if (diff === 0) return { text: t('st.same'), trend: m.better === 'none' ? 'none' : 'same' };
  const sign = diff > 0 ? '+' : '\u2212';
  const abs = numberFormat(m.kind === 'count' || m.kind === 'share' ? 0 : 1).format(Math.abs(diff));
  const text =
    m.kind === 'share'
      ? `${sign}${nbsp(t('st.unit.points', { n: abs }))}`
      : m.kind === 'hours'
        ? `${sign}${nbsp(t('st.unit.hours', { n: abs }))}`
        : `${sign}${abs}`;
  const up = diff > 0;
  const trend = m.better === 'none' ? 'none' : (m.better === 'higher') === up ? 'better' : 'worse';
  return { text, trend };
}
