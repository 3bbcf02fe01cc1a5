import { describe, expect, it } from 'vitest';
import { openClasses } from '../src/school-year/archive';

describe('openClasses', () => {
  const classes = [
    { id: 1, name: 'Учительская', academic_year: null },
    { id: 2, name: '5А', academic_year: 2026 },
    { id: 3, name: '6А', academic_year: 2027 },
  ];
  it('leaves out the classes of an archived year, keeps the staff room', () => {
    const years = [
      { starts_on: '2026-09-01', archived: true },
      { starts_on: '2027-09-01', archived: false },
    ];
    expect(openClasses(classes, years).map((c) => c.name)).toEqual(['Учительская', '6А']);
  });
  it('keeps every class while no year is archived (or the years are not known yet)', () => {
    expect(openClasses(classes, [{ starts_on: '2026-09-01', archived: false }])).toHaveLength(3);
    expect(openClasses(classes, [])).toHaveLength(3);
  });
});
