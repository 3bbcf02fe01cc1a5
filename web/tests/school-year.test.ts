import { describe, expect, it } from 'vitest';
import type { AcademicYear, Subject } from '../src/api/types';
import {
  bellErrors,
  bellRowsOf,
  bellsRequest,
  draftOf,
  isUsual,
  newYearDraft,
  placeErrors,
  refilled,
  shiftsShown,
  sortSubjects,
  subjectChange,
  usualYear,
  withBell,
  withDayOff,
  withEndsOn,
  withKind,
  withNewBell,
  withNewDayOff,
  withPeriod,
  withStartsOn,
  withUsualShift,
  withoutBell,
  withoutRowErrors,
  yearFields,
  yearName,
  yearOf,
  yearRequest,
  type BellRow,
} from '../src/school-year/model';

const spans = (rows: { starts_on: string; ends_on: string }[]) => rows.map((r) => [r.starts_on, r.ends_on]);

function stored(over: Partial<AcademicYear> = {}): AcademicYear {
  return {
    id: 7,
    org_id: 1,
    name: '2026/2027',
    starts_on: '2026-09-01',
    ends_on: '2027-05-31',
    school_days: 5,
    period_kind: 'halves',
    periods: [
      { number: 2, name: '2 полугодие', starts_on: '2027-01-12', ends_on: '2027-05-26', closed: false },
      { number: 1, name: '1 полугодие', starts_on: '2026-09-01', ends_on: '2026-12-28', closed: false },
    ],
    days_off: [
      { starts_on: '2026-12-29', ends_on: '2027-01-11', kind: 'holidays', name: 'Зимние каникулы' },
      { starts_on: '2027-02-23', ends_on: '2027-02-23', kind: 'day_off', name: 'День защитника Отечества' },
    ],
    bells: [],
    ...over,
  };
}

describe('dates', () => {
  it('reads only dates that exist', () => {
    expect(yearOf('2026-09-01')).toBe(2026);
    expect(yearOf('2028-02-29')).toBe(2028);
    expect(yearOf('2027-02-29')).toBeNull();
    expect(yearOf('2026-13-01')).toBeNull();
    expect(yearOf('')).toBeNull();
    expect(yearOf('01.09.2026')).toBeNull();
  });

  it('names a year by its two calendar years', () => {
    expect(yearName('2026-09-01', '2027-05-31')).toBe('2026/2027');
    expect(yearName('2026-01-09', '2026-12-20')).toBe('2026');
    expect(yearName('2026-09-01', '')).toBe('');
  });
});

describe('a usual year', () => {
  it('runs from 1 September to 31 May in four quarters with the holidays between them', () => {
    const d = usualYear(2026);
    expect(d.name).toBe('2026/2027');
    expect([d.starts_on, d.ends_on, d.school_days, d.period_kind]).toEqual(['2026-09-01', '2027-05-31', 5, 'quarters']);
    expect(spans(d.periods)).toEqual([
      ['2026-09-01', '2026-10-24'],
      ['2026-11-05', '2026-12-28'],
      ['2027-01-12', '2027-03-20'],
      ['2027-03-30', '2027-05-26'],
    ]);
    const holidays = d.days_off.filter((x) => x.kind === 'holidays');
    expect(holidays.map((x) => [x.name, x.starts_on, x.ends_on])).toEqual([
      ['Осенние каникулы', '2026-10-25', '2026-11-04'],
      ['Зимние каникулы', '2026-12-29', '2027-01-11'],
      ['Весенние каникулы', '2027-03-21', '2027-03-29'],
    ]);
    // The holidays fill the gaps between the quarters exactly.
    for (let i = 0; i < 3; i++) {
      const gap = holidays[i]!;
      expect(new Date(gap.starts_on).getTime() - new Date(d.periods[i]!.ends_on).getTime()).toBe(86_400_000);
      expect(new Date(d.periods[i + 1]!.starts_on).getTime() - new Date(gap.ends_on).getTime()).toBe(86_400_000);
    }
    // Every day off lies inside the year.
    for (const x of d.days_off) expect(x.starts_on >= d.starts_on && (x.ends_on || x.starts_on) <= d.ends_on).toBe(true);
    expect(isUsual(d, 2026)).toBe(true);
  });

  it('trimesters end February on its last day, leap years too', () => {
    expect(spans(usualYear(2027, 'trimesters').periods)[1]).toEqual(['2027-12-01', '2028-02-29']);
    expect(spans(usualYear(2026, 'trimesters').periods)[1]).toEqual(['2026-12-01', '2027-02-28']);
  });

  it('a new year comes after the latest one, or is the year under way', () => {
    expect(newYearDraft([], new Date(2026, 9, 1)).starts_on).toBe('2026-09-01');
    expect(newYearDraft([], new Date(2027, 2, 1)).starts_on).toBe('2026-09-01');
    expect(newYearDraft([], new Date(2026, 7, 20)).starts_on).toBe('2026-09-01');
    expect(newYearDraft([stored()], new Date(2026, 9, 1)).name).toBe('2027/2028');
    // A school that skipped years starts again at the one under way.
    expect(newYearDraft([stored({ starts_on: '2020-09-01', ends_on: '2021-05-31' })], new Date(2026, 9, 1)).starts_on).toBe('2026-09-01');
  });

  it('takes the bells of the latest year that has them', () => {
    const bell = { shift: 1, number: 1, starts_at: '08:30', ends_at: '09:15' };
    const years = [
      stored({ id: 9, starts_on: '2027-09-01', ends_on: '2028-05-31', bells: [] }),
      stored({ id: 8, starts_on: '2026-09-01', ends_on: '2027-05-31', bells: [bell] }),
      stored({ id: 3, starts_on: '2025-09-01', ends_on: '2026-05-31', bells: [bell] }),
    ];
    expect(newYearDraft(years, new Date(2026, 9, 1)).copy_bells_from).toBe('8');
    expect(newYearDraft([stored()], new Date(2026, 9, 1)).copy_bells_from).toBe('');
  });
});

describe('the period rows follow the division', () => {
  it('as many rows as parts, with the usual dates of the start year', () => {
    const d = usualYear(2026);
    const tri = withKind(d, 'trimesters');
    expect(tri.period_kind).toBe('trimesters');
    expect(spans(tri.periods)).toEqual([
      ['2026-09-01', '2026-11-30'],
      ['2026-12-01', '2027-02-28'],
      ['2027-03-01', '2027-05-26'],
    ]);
    expect(spans(withKind(tri, 'halves').periods)).toEqual([
      ['2026-09-01', '2026-12-28'],
      ['2027-01-12', '2027-05-26'],
    ]);
    expect(withKind(withKind(tri, 'halves'), 'quarters').periods).toHaveLength(4);
    // The days off stay as they were.
    expect(tri.days_off).toBe(d.days_off);
  });

  it('empty rows while the start is not a date', () => {
    const d = withKind({ ...usualYear(2026), starts_on: '' }, 'trimesters');
    expect(spans(d.periods)).toEqual([['', ''], ['', ''], ['', '']]);
  });

  it('choosing the same division again changes nothing', () => {
    const d = withPeriod(usualYear(2026), 0, 'ends_on', '2026-10-23');
    expect(withKind(d, 'quarters')).toBe(d);
  });
});

describe('the dates move together while they are the usual ones', () => {
  it('a new start year moves the whole usual year, its name too', () => {
    const d = withStartsOn(usualYear(2026), '2031-09-01');
    expect(d.name).toBe('2031/2032');
    expect(d.ends_on).toBe('2032-05-31');
    expect(spans(d.periods)[0]).toEqual(['2031-09-01', '2031-10-24']);
    expect(d.days_off[0]).toMatchObject({ name: 'Осенние каникулы', starts_on: '2031-10-25', ends_on: '2031-11-04' });
    expect(isUsual(d, 2031)).toBe(true);
  });

  it('typing through an incomplete date (the input is empty meanwhile) still moves it', () => {
    let d = usualYear(2026);
    d = withStartsOn(d, '');
    expect(d.starts_on).toBe('');
    expect(d.name).toBe('2026/2027');
    d = withStartsOn(d, '2031-09-01');
    expect(d.name).toBe('2031/2032');
    expect(d.ends_on).toBe('2032-05-31');
  });

  it('once the periods are changed by hand, only the start moves (and the first period that began with it)', () => {
    const touched = withPeriod(usualYear(2026), 1, 'starts_on', '2026-11-06');
    const d = withStartsOn(touched, '2026-09-02');
    expect(d.periods[0]!.starts_on).toBe('2026-09-02');
    expect(d.periods[1]!.starts_on).toBe('2026-11-06');
    const moved = withStartsOn(touched, '2031-09-01');
    expect(moved.ends_on).toBe('2027-05-31');
    expect(moved.periods[1]!.starts_on).toBe('2026-11-06');
  });

  it('a name typed by hand stays', () => {
    const d = withStartsOn({ ...usualYear(2026), name: 'Учебный год 26/27' }, '2031-09-01');
    expect(d.name).toBe('Учебный год 26/27');
    expect(withEndsOn({ ...usualYear(2026), name: '' }, '2027-06-30').name).toBe('2026/2027');
    expect(withEndsOn(usualYear(2026), '2026-12-31').name).toBe('2026');
  });

  it('«fill in the usual dates» brings them back for the start year', () => {
    let d = withKind(usualYear(2026), 'halves');
    d = withPeriod(d, 1, 'ends_on', '2027-05-20');
    d = withDayOff(d, 0, 'name', 'Каникулы');
    d = withStartsOn(d, '2028-09-01');
    expect(d.ends_on).toBe('2027-05-31');
    const r = refilled(d);
    expect(r.ends_on).toBe('2029-05-31');
    expect(spans(r.periods)).toEqual([
      ['2028-09-01', '2028-12-28'],
      ['2029-01-12', '2029-05-26'],
    ]);
    expect(r.days_off[0]!.name).toBe('Осенние каникулы');
    expect(r.name).toBe('2028/2029');
  });
});

describe('the request', () => {
  it('trims, sends a day off without an end as one day, and the bells to copy only for a new year', () => {
    let d = { ...usualYear(2026), copy_bells_from: '4', name: ' 2026/2027 ' };
    d = withNewDayOff(d);
    const last = d.days_off.length - 1;
    d = withDayOff(d, last, 'name', ' День города ');
    d = withDayOff(d, last, 'starts_on', '2026-09-12');
    const created = yearRequest(d, true);
    expect(created.name).toBe('2026/2027');
    expect(created.copy_bells_from).toBe(4);
    expect(created.periods).toHaveLength(4);
    expect(created.days_off?.[last]).toEqual({ starts_on: '2026-09-12', ends_on: '2026-09-12', kind: 'day_off', name: 'День города' });
    expect(created.days_off?.[0]).toEqual({ starts_on: '2026-10-25', ends_on: '2026-11-04', kind: 'holidays', name: 'Осенние каникулы' });
    expect('copy_bells_from' in yearRequest(d, false)).toBe(false);
    expect('copy_bells_from' in yearRequest({ ...d, copy_bells_from: '' }, true)).toBe(false);
  });

  it('a stored year comes back as it was sent', () => {
    const d = draftOf(stored());
    expect(spans(d.periods)).toEqual([
      ['2026-09-01', '2026-12-28'],
      ['2027-01-12', '2027-05-26'],
    ]);
    // A single day shows without an end, and is sent with one.
    expect(d.days_off[1]!.ends_on).toBe('');
    const r = yearRequest(d, false);
    expect(r.days_off?.[1]).toEqual({ starts_on: '2027-02-23', ends_on: '2027-02-23', kind: 'day_off', name: 'День защитника Отечества' });
    expect(r).toMatchObject({ name: '2026/2027', school_days: 5, period_kind: 'halves' });
  });
});

describe('where the server’s messages go', () => {
  it('at the inputs the form has; the rest to the form’s message', () => {
    const d = usualYear(2026);
    const { at, rest } = placeErrors(
      {
        'periods[1].starts_on': 'Пересекается с предыдущим или идёт не по порядку.',
        'days_off[0].name': 'Обязательное поле.',
        'periods[4].starts_on': 'Выходит за даты учебного года.',
        copy_bells_from: 'Учебный год не найден в этой школе.',
      },
      yearFields(d, false),
    );
    expect(at).toEqual({ 'periods[1].starts_on': 'Пересекается с предыдущим или идёт не по порядку.', 'days_off[0].name': 'Обязательное поле.' });
    expect(rest).toEqual(['Выходит за даты учебного года.', 'Учебный год не найден в этой школе.']);
    expect(yearFields(d, true).has('copy_bells_from')).toBe(true);
  });

  it('a removed row takes its messages along; those below move up with their rows', () => {
    const errors = { name: 'x', 'days_off[0].name': 'a', 'days_off[1].starts_on': 'b', 'days_off[2].ends_on': 'c', 'periods[2].starts_on': 'p' };
    expect(withoutRowErrors(errors, 'days_off', 1)).toEqual({ name: 'x', 'days_off[0].name': 'a', 'days_off[1].ends_on': 'c', 'periods[2].starts_on': 'p' });
  });
});

describe('bells', () => {
  it('a usual day: seven lessons of 45 minutes from 8:30 with the long breaks after the 2nd and 3rd', () => {
    const rows = withUsualShift([], 1);
    expect(rows.map((r) => [r.number, r.starts_at, r.ends_at])).toEqual([
      ['1', '08:30', '09:15'],
      ['2', '09:25', '10:10'],
      ['3', '10:30', '11:15'],
      ['4', '11:35', '12:20'],
      ['5', '12:30', '13:15'],
      ['6', '13:25', '14:10'],
      ['7', '14:20', '15:05'],
    ]);
  });

  it('a new lesson follows the shift’s last one; a new shift starts at its usual time; rows stay grouped', () => {
    let rows = withUsualShift([], 1);
    rows = withNewBell(rows, 2);
    expect(rows.at(-1)).toMatchObject({ shift: 2, number: '1', starts_at: '14:00', ends_at: '14:45' });
    rows = withNewBell(rows, 1);
    expect(rows[7]).toMatchObject({ shift: 1, number: '8', starts_at: '15:15', ends_at: '16:00' });
    expect(rows.map((r) => r.shift)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 2]);
    // After a lesson without an end, the times are left to the person.
    const third = withNewBell([], 3);
    expect(third[0]).toMatchObject({ shift: 3, number: '1', starts_at: '18:00', ends_at: '18:45' });
    const noEnd = withBell(third, third[0]!.key, 'ends_at', '');
    expect(withNewBell(noEnd, 3).at(-1)).toMatchObject({ number: '2', starts_at: '', ends_at: '' });
  });

  it('the request goes shift by shift, and a refusal comes back to its row', () => {
    let rows: BellRow[] = bellRowsOf([
      { shift: 2, number: 1, starts_at: '14:00', ends_at: '14:45' },
      { shift: 1, number: 2, starts_at: '09:25', ends_at: '10:10' },
      { shift: 1, number: 1, starts_at: '08:30', ends_at: '09:15' },
    ]);
    expect(rows.map((r) => `${r.shift}.${r.number}`)).toEqual(['1.1', '1.2', '2.1']);
    rows = withNewBell(rows, 1);
    rows = withBell(rows, rows[2]!.key, 'number', '');
    const { body, keys } = bellsRequest(rows);
    expect(body.bells.map((b) => `${b.shift}.${b.number}`)).toEqual(['1.1', '1.2', '1.-1', '2.1']);
    expect(keys).toEqual([rows[0]!.key, rows[1]!.key, rows[2]!.key, rows[3]!.key]);
    const { at, rest } = bellErrors({ 'bells[2].number': 'Значение вне допустимого диапазона.', 'bells[3].starts_at': 'Пересекается.', bells: 'Слишком много.' }, keys);
    expect(at).toEqual({ [rows[2]!.key]: { number: 'Значение вне допустимого диапазона.' }, [rows[3]!.key]: { starts_at: 'Пересекается.' } });
    expect(rest).toEqual(['Слишком много.']);
    expect(withoutBell(rows, rows[0]!.key)).toHaveLength(3);
  });

  it('shows the first shift always, up to the last with lessons or opened', () => {
    expect(shiftsShown([], 1)).toEqual([1]);
    expect(shiftsShown([], 2)).toEqual([1, 2]);
    expect(shiftsShown(withNewBell([], 3), 1)).toEqual([1, 2, 3]);
    expect(shiftsShown([], 5)).toEqual([1, 2, 3]);
  });
});

describe('subjects', () => {
  const s = (id: number, name: string, archived = false, short_name = name): Subject => ({ id, name, short_name, archived });

  it('those taught first, then the archived, each by name', () => {
    const list = [s(1, 'Черчение', true), s(2, 'Физика'), s(3, 'Алгебра'), s(4, 'Ёлочная игрушка'), s(5, 'Астрономия', true)];
    expect(sortSubjects(list).map((x) => x.name)).toEqual(['Алгебра', 'Ёлочная игрушка', 'Физика', 'Астрономия', 'Черчение']);
  });

  it('a change sends only what changed', () => {
    const math = s(1, 'Математика', false, 'Матем.');
    expect(subjectChange(math, 'Математика ', 'Матем.')).toBeNull();
    expect(subjectChange(math, 'Математика', 'Мат.')).toEqual({ short_name: 'Мат.' });
    expect(subjectChange(math, 'Алгебра', 'Алг.')).toEqual({ name: 'Алгебра', short_name: 'Алг.' });
    // A blank short name is sent blank: the server takes the name.
    expect(subjectChange(math, 'Математика', '')).toEqual({ short_name: '' });
    expect(subjectChange(s(2, 'Музыка'), 'Музыка', '')).toBeNull();
  });
});
