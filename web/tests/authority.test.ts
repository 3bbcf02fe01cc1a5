import { afterEach, describe, expect, it } from 'vitest';
import type { components } from '../src/api/schema';
import { lang } from '../src/i18n';
import { activityRows, attachable, averageCell, comparisonColumns, comparisonCsv, comparisonRows, COMPARED } from '../src/pages/authority/model';

type S = components['schemas'];

afterEach(() => {
  lang.value = 'ru';
});

function figures(over: Partial<S['PeriodFigures']> = {}): S['PeriodFigures'] {
  return {
    ack_confirmed: 0, ack_confirmed_within_day: 0, ack_posts: 0, ack_read: 0, ack_recipients: 0,
    activity: [], channel_members: 0, channel_posts: 0, channel_readers: 0, homework_late: 0,
    homework_set: 0, invites_created: 0, invites_used: 0, joined: 0, late_marks: 0, lessons: 0,
    marks: 0, online_attended: 0, online_expected: 0, online_lessons: 0, quiet_holds: 0,
    report_resolve_hours: null, reports_raised: 0, reports_resolved: 0, request_wait_hours: null,
    requests_decided: 0, ...over,
  };
}

function school(org_id: number, name: string, over: { current?: Partial<S['PeriodFigures']>; previous?: Partial<S['PeriodFigures']>; reach?: Partial<S['Reach']> } = {}): S['SchoolSummary'] {
  return {
    org_id,
    school: name,
    reach: { classes: [], students: 0, students_with_parent: 0, parents: 0, staff: 0, teachers_unverified: 0, open_invites: 0, pending_requests: 0, oldest_request_hours: null, ...over.reach },
    current: figures(over.current),
    previous: figures(over.previous),
  };
}

const cols = () => comparisonColumns({ withParent: () => 'Ученики с родителем', pending: () => 'Заявки ждут' });

describe('the comparison of schools', () => {
  it('has the reach columns first, then the shared measures it compares, each with a label', () => {
    const c = cols();
    expect(c.map((x) => x.measure.key)).toEqual(['students_with_parent', 'pending_requests', ...COMPARED]);
    expect(c.filter((x) => !x.changes).map((x) => x.measure.key)).toEqual(['students_with_parent', 'pending_requests']);
    for (const x of c) expect(x.measure.label()).not.toMatch(/^(st|au)\./);
  });

  it('gives one row per school by name, each cell its value, the change and a bar for shares', () => {
    const rows = comparisonRows(
      [
        school(2, 'Школа № 2', { reach: { students: 10, students_with_parent: 4, pending_requests: 3 }, current: { ack_recipients: 10, ack_confirmed: 9 }, previous: { ack_recipients: 10, ack_confirmed: 7 } }),
        school(1, 'Гимназия № 1', { current: { report_resolve_hours: 2.5 }, previous: { report_resolve_hours: 4 } }),
      ],
      cols(),
    );
    expect(rows.map((r) => r.school)).toEqual(['Гимназия № 1', 'Школа № 2']);
    const [gym, two] = rows;
    const cell = (r: typeof gym, k: string) => r!.cells.find((c) => c.key === k)!;
    expect(cell(two, 'students_with_parent')).toMatchObject({ value: 0.4, text: '40\u00a0%', change: null, bar: 0.4 });
    expect(cell(two, 'pending_requests')).toMatchObject({ value: 3, text: '3', change: null, bar: null });
    expect(cell(two, 'ack_confirmed')).toMatchObject({ value: 0.9, bar: 0.9, change: { trend: 'better' } });
    expect(cell(two, 'ack_confirmed').change!.text).toMatch(/^\+20/);
    expect(cell(gym, 'report_resolve_hours').change!.trend).toBe('better');
    // Nothing to measure: a dash, no bar.
    expect(cell(gym, 'students_with_parent')).toMatchObject({ value: null, text: '—', bar: null });
  });

  it('writes CSV for Excel: a BOM, semicolons, CRLF, a change column after each compared value, quotes where needed', () => {
    const c = cols();
    const rows = comparisonRows([school(1, 'Школа "Радуга"; филиал', { reach: { students: 4, students_with_parent: 3 } })], c);
    const csv = comparisonCsv(rows, c, { school: 'Школа', change: (l) => `${l}: изменение` });
    expect(csv.startsWith('\ufeff')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    const header = lines[0]!.split(';');
    expect(header.slice(0, 4)).toEqual(['Школа', 'Ученики с родителем', 'Заявки ждут', 'Посты «ознакомиться» подтверждены']);
    expect(header[4]).toBe('Посты «ознакомиться» подтверждены: изменение');
    expect(header).toHaveLength(1 + 2 + COMPARED.length * 2);
    expect(lines[1]!.startsWith('"Школа ""Радуга""; филиал";75 %;0;')).toBe(true);
    expect(lines[1]).not.toMatch(/\u00a0/);
  });
});

describe('the operator’s pages', () => {
  it('offers the approved schools not yet in the authority, once each, by name', () => {
    const schools = [
      { org_id: 3, short_name: 'Школа № 3' },
      { org_id: 1, short_name: 'Гимназия' },
      { org_id: 2, short_name: 'Лицей' },
      { org_id: 3, short_name: 'Школа № 3' },
    ];
    expect(attachable(schools, { schools: [{ org_id: 2, short_name: 'Лицей' }] }).map((s) => s.org_id)).toEqual([1, 3]);
  });

  it('compares the average active people with the period before, in Russian numbers', () => {
    expect(averageCell(4.571, 0)).toEqual({ now: '4,6', before: '0', change: { text: '+4,6', trend: 'better' } });
    expect(averageCell(2, 2.5).change).toEqual({ text: '\u22120,5', trend: 'worse' });
    expect(averageCell(3.01, 3).change).toEqual({ text: 'без изменений', trend: 'same' });
    const rows = activityRows(
      [
        { group: 'staff', people: 8, daily_average: 4, weekly_average: 5 },
        { group: 'student', people: 9, daily_average: 1, weekly_average: 2 },
      ],
      [{ group: 'student', people: 9, daily_average: 1, weekly_average: 1 }],
    );
    expect(rows.map((r) => r.group)).toEqual(['student', 'staff']);
    expect(rows[0]!.weekly.change.text).toBe('+1');
    expect(rows[1]!.daily.before).toBe('0');
  });
});
