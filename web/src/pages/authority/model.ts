// Pure logic of the authority pages: which schools may be attached, the platform's
// active people against the previous period.
import type { components } from '../../api/schema';
import { compare, formatValue, MEASURES, share, type Measure } from '../../stats/measures';

type S = components['schemas'];
export interface SchoolOption {
  org_id: number;
  short_name: string;
}

/** The approved schools not yet in the authority, by name. */
export function attachable(schools: SchoolOption[], authority: Pick<S['Authority'], 'schools'>): SchoolOption[] {
  const inIt = new Set(authority.schools.map((s) => s.org_id));
  const seen = new Set<number>();
  return schools
    .filter((s) => !inIt.has(s.org_id) && !seen.has(s.org_id) && seen.add(s.org_id))
    .sort((a, b) => a.short_name.localeCompare(b.short_name, 'ru'));
}

/** Active people on average, written and compared as the statistics write averages («4,6», «+1,2», «без изменений»). */
const ACTIVE: Measure = { key: 'active_people', section: 'activity', label: () => '', value: () => null, kind: 'average', better: 'higher' };

export interface AverageCell {
  now: string;
  before: string;
  change: { text: string; trend: 'better' | 'worse' | 'same' | 'none' };
}

export function averageCell(now: number, before: number): AverageCell {
  return { now: formatValue(ACTIVE, now), before: formatValue(ACTIVE, before), change: compare(ACTIVE, now, before) };
}

const GROUPS = ['student', 'parent', 'staff'];

/** Active people by group (daily and weekly averages) now and before, students, parents, staff in that order. */
export function activityRows(now: S['GroupActivity'][], before: S['GroupActivity'][]) {
  const rank = (g: string) => (GROUPS.indexOf(g) + GROUPS.length + 1) % (GROUPS.length + 1);
  return [...now]
    .sort((a, b) => rank(a.group) - rank(b.group))
    .map((g) => {
      const p = before.find((x) => x.group === g.group);
      return {
        group: g.group,
        people: g.people,
        daily: averageCell(g.daily_average, p?.daily_average ?? 0),
        weekly: averageCell(g.weekly_average, p?.weekly_average ?? 0),
      };
    });
}

// ---------- the comparison of an authority's schools ----------


/** The period measures compared across schools, by key of the shared list (stats/measures.ts). */
export const COMPARED = [
  'ack_confirmed',
  'channel_read',
  'report_resolve_hours',
  'homework_on_time',
  'marks_on_time',
  'online_attendance',
  'active_weekly.student',
  'active_weekly.parent',
] as const;

export interface Column {
  measure: Measure;
  /** The value now and before: a reach figure is only now (no previous is kept). */
  now: (s: S['SchoolSummary']) => number | null;
  before: (s: S['SchoolSummary']) => number | null;
  /** Whether the cell shows a change against the previous period. */
  changes: boolean;
}

/** The columns of the table: reach first (students with a parent, join requests waiting), then the shared measures. */
export function comparisonColumns(reachLabels: { withParent: () => string; pending: () => string }): Column[] {
  const reach = (key: string, kind: Measure['kind'], better: Measure['better'], label: () => string, v: (r: S['Reach']) => number | null): Column => ({
    measure: { key, section: 'reach', label, value: () => null, kind, better },
    now: (s) => v(s.reach),
    before: () => null,
    changes: false,
  });
  const period = COMPARED.map((key): Column => {
    const m = MEASURES.find((x) => x.key === key);
    if (!m) throw new Error(`no measure ${key}`);
    return { measure: m, now: (s) => m.value(s.current), before: (s) => m.value(s.previous), changes: true };
  });
  return [
    reach('students_with_parent', 'share', 'higher', reachLabels.withParent, (r) => share(r.students_with_parent, r.students)),
    reach('pending_requests', 'count', 'none', reachLabels.pending, (r) => r.pending_requests),
    ...period,
  ];
}

export interface Cell {
  key: string;
  value: number | null;
  text: string;
  change: { text: string; trend: 'better' | 'worse' | 'same' | 'none' } | null;
  /** A share's width for its bar (0…1), null for the rest. */
  bar: number | null;
}

export interface Row {
  org_id: number;
  school: string;
  cells: Cell[];
}

/** One row per school, by name; each cell the value and its change against the previous period. */
export function comparisonRows(schools: S['SchoolSummary'][], cols: Column[]): Row[] {
  return [...schools]
    .sort((a, b) => a.school.localeCompare(b.school, 'ru'))
    .map((s) => ({
      org_id: s.org_id,
      school: s.school,
      cells: cols.map((c) => {
        const value = c.now(s);
        return {
          key: c.measure.key,
          value,
          text: formatValue(c.measure, value),
          change: !c.changes ? null : compare(c.measure, value, c.before(s)),
          bar: c.measure.kind === 'share' && value !== null ? Math.max(0, Math.min(1, value)) : null,
        };
      }),
    }));
}

function csvField(v: string): string {
  const plain = v.replace(/\u00a0|\u202f/g, ' ');
  return /[;"\r\n]/.test(plain) ? `"${plain.replace(/"/g, '""')}"` : plain;
}

/**
 * The table as CSV for Excel: `;`-separated, CRLF, UTF-8 with a BOM (so Cyrillic reads
 * right); the school, then each column's value and its change.
 */
export function comparisonCsv(rows: Row[], cols: Column[], heads: { school: string; change: (label: string) => string }): string {
  const header = [heads.school, ...cols.flatMap((c) => (c.changes ? [c.measure.label(), heads.change(c.measure.label())] : [c.measure.label()]))];
  const lines = rows.map((r) => [
    r.school,
    ...r.cells.flatMap((cell, i) => (cols[i]!.changes ? [cell.text, cell.change?.text ?? ''] : [cell.text])),
  ]);
  return '\ufeff' + [header, ...lines].map((l) => l.map(csvField).join(';')).join('\r\n') + '\r\n';
}
