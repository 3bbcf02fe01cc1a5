import { describe, expect, it } from 'vitest';
import type { GridCell, GridLesson } from '../src/api/types';
import { cellText, columnRequests, columns, currentPeriod, errorsByStudent, move, parseCell, sameValue, cellValue } from '../src/journal/grid';

const grade = (id: number, mark: string, type = 1) => ({ id, mark, grade_type_id: type, weight: 1, comment: null, given_at: '2026-11-02T08:00:00Z' });
const cell = (c: Partial<GridCell>): GridCell => ({ lesson_id: 1, attendance: null, grades: [], ...c });

describe('a grid cell', () => {
  it('reads what a teacher types', () => {
    expect(parseCell('5 4')).toEqual({ ok: true, value: { absence: null, minutes: null, reason: null, marks: ['5', '4'] } });
    expect(parseCell('Н')).toEqual({ ok: true, value: { absence: 'absent', minutes: null, reason: null, marks: [] } });
    expect(parseCell('оп10 5')).toEqual({ ok: true, value: { absence: 'late', minutes: 10, reason: null, marks: ['5'] } });
    expect(parseCell('уп: справка от врача')).toEqual({ ok: true, value: { absence: 'excused', minutes: null, reason: 'справка от врача', marks: [] } });
    expect(parseCell('зачёт')).toMatchObject({ ok: true, value: { marks: ['зч'] } });
    expect(parseCell('')).toEqual({ ok: true, value: { absence: null, minutes: null, reason: null, marks: [] } });
  });

  it('refuses what it cannot be', () => {
    expect(parseCell('6')).toEqual({ ok: false, problem: 'bad_token', token: '6' });
    expect(parseCell('оп')).toMatchObject({ ok: false, problem: 'late_minutes' });
    expect(parseCell('оп120')).toMatchObject({ ok: false, problem: 'late_minutes' });
    expect(parseCell('уп')).toEqual({ ok: false, problem: 'excused_reason' });
    expect(parseCell('н б')).toMatchObject({ ok: false, problem: 'two_absences' });
  });

  it('shows a stored cell as it would be typed, and reads it back the same', () => {
    const stored = cell({ attendance: { absence: 'late', minutes_late: 7, reason: null }, grades: [grade(1, '5'), grade(2, '4')] });
    expect(cellText(stored)).toBe('оп7 5 4');
    const back = parseCell(cellText(stored));
    expect(back.ok && sameValue(back.value, cellValue(stored))).toBe(true);
    expect(cellText(cell({ attendance: { absence: 'excused', minutes_late: null, reason: 'справка' } }))).toBe('уп: справка');
  });
});

describe("a column's requests", () => {
  it('changes marks in place, adds new ones with the chosen kind and takes back the missing', () => {
    const stored = cell({ grades: [grade(11, '5', 3), grade(12, '4')] });
    const typed = parseCell('н 3');
    if (!typed.ok) throw new Error('parses');
    const r = columnRequests(
      [
        { student: 7, stored, value: typed.value },
        { student: 8, stored: undefined, value: { absence: null, minutes: null, reason: null, marks: ['5'] } },
      ],
      2,
    );
    expect(r.attendance).toEqual({ entries: [{ student_id: 7, absence: 'absent', minutes_late: null, reason: null }] });
    expect(r.grades).toEqual({
      grades: [
        { id: 11, student_id: 7, mark: '3', grade_type_id: 3, comment: null },
        { student_id: 8, mark: '5', grade_type_id: 2 },
      ],
      delete: [12],
    });
    expect([r.attendanceOrder, r.gradesOrder, r.deleteOrder]).toEqual([[7], [7, 8], [7]]);
    expect(errorsByStudent({ 'grades[1].mark': 'Нет такой отметки', 'entries[0].reason': 'Укажите' }, { entries: r.attendanceOrder, grades: r.gradesOrder })).toEqual({
      8: 'Нет такой отметки',
      7: 'Укажите',
    });
  });

  it('asks nothing for a cell typed as it was', () => {
    const stored = cell({ grades: [grade(1, '5')] });
    const r = columnRequests([{ student: 1, stored, value: cellValue(stored) }], 1);
    expect([r.attendance.entries.length, r.grades.grades!.length, r.grades.delete!.length]).toEqual([0, 0, 0]);
  });
});

describe('the grid', () => {
  it("puts the timetable's unopened lessons among the written ones, up to today", () => {
    const lessons: GridLesson[] = [{ id: 5, date: '2026-11-03', number: 2, topic: 'Дроби' }];
    const wl = (assignment: number, number: number) => ({ assignment_id: assignment, shift: 1, number }) as never;
    const days = [
      { date: '2026-11-02', lessons: [wl(9, 1), wl(4, 3)] },
      { date: '2026-11-03', lessons: [wl(9, 2)] },
      { date: '2026-11-10', lessons: [wl(9, 1)] },
    ];
    const cols = columns(lessons, days, 9, '2026-11-01', '2026-11-05');
    expect(cols.map((c) => [c.date, c.number, c.lesson?.id ?? null])).toEqual([
      ['2026-11-02', 1, null],
      ['2026-11-03', 2, 5],
    ]);
  });

  it('opens on the current period', () => {
    const periods = [
      { number: 1, starts_on: '2026-09-01', ends_on: '2026-10-25' },
      { number: 2, starts_on: '2026-11-05', ends_on: '2026-12-28' },
    ];
    expect(currentPeriod(periods, '2026-11-10')?.number).toBe(2);
    expect(currentPeriod(periods, '2026-10-30')?.number).toBe(1);
    expect(currentPeriod(periods, '2026-08-01')?.number).toBe(1);
  });

  it('moves with the arrows, Enter and Tab, within its edges', () => {
    expect(move({ row: 0, col: 0 }, 'ArrowDown', 3, 4)).toEqual({ row: 1, col: 0 });
    expect(move({ row: 2, col: 0 }, 'Enter', 3, 4)).toEqual({ row: 2, col: 0 });
    expect(move({ row: 0, col: 3 }, 'Tab', 3, 4)).toEqual({ row: 0, col: 3 });
    expect(move({ row: 0, col: 3 }, 'Tab', 3, 4, true)).toEqual({ row: 0, col: 2 });
    expect(move({ row: 1, col: 1 }, 'x', 3, 4)).toBeNull();
  });
});
