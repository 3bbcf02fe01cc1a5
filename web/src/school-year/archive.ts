// Classes of a school year the school has moved on from take nobody new (the server
// answers `year_archived`): the forms that pick a class offer only the others.
import type { AcademicYear } from '../api/types';

/** The classes that still take people: the staff room, and classes of no archived year. */
export function openClasses<C extends { academic_year?: number | null }>(
  classes: C[],
  years: Pick<AcademicYear, 'starts_on' | 'archived'>[],
): C[] {
  const archived = new Set(years.filter((y) => y.archived).map((y) => Number(y.starts_on.slice(0, 4))));
  return classes.filter((c) => c.academic_year == null || !archived.has(c.academic_year));
}
