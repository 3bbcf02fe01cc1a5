// Who teaches what, without IO: the classes that have lessons in their order, a
// class's students and the school's teachers in the order of a class list, a group's
// students split in halves, the request a group form sends, the assignments grouped by
// class and filtered, the year they are shown for, and where the server's refusals go.
import { ApiError } from '../api/client';
import type { components } from '../api/schema';
import type { AcademicYear, Member, PersonRef, SchoolClass } from '../api/types';

type S = components['schemas'];
export type ClassGroup = S['ClassGroup'];
export type GroupRequest = S['GroupRequest'];
export type Assignment = S['Assignment'];
export type AssignmentRequest = S['AssignmentRequest'];

const collator = new Intl.Collator('ru', { numeric: true, sensitivity: 'base' });

/** «Фамилия Имя Отчество» order, as a class list is read; ties by id, so the order is stable. */
export function byName(a: PersonRef, b: PersonRef): number {
  return (
    collator.compare(a.family_name, b.family_name) ||
    collator.compare(a.given_name, b.given_name) ||
    collator.compare(a.patronymic ?? '', b.patronymic ?? '') ||
    a.id - b.id
  );
}

/** The classes that have lessons (not the staff room), younger first: 1А, 5А, 5Б, 10А. */
export function teachingClasses(classes: SchoolClass[]): SchoolClass[] {
  return classes
    .filter((c) => c.kind === 'class')
    .sort((a, b) => (a.grade ?? 99) - (b.grade ?? 99) || collator.compare(a.name, b.name) || a.id - b.id);
}

/** The class's current students, in the order of the class list. */
export function classStudents(members: Member[], classId: number): PersonRef[] {
  return members
    .filter((m) => m.places.some((p) => p.role === 'student' && p.class.id === classId))
    .map((m) => m.person)
    .sort(byName);
}

/** Whoever may be given a subject: teachers, the director and the deputy director. */
export const TEACHING_ROLES = ['teacher', 'director', 'deputy'];

export function teachers(members: Member[]): PersonRef[] {
  return members
    .filter((m) => m.roles.some((r) => TEACHING_ROLES.includes(r)))
    .map((m) => m.person)
    .sort(byName);
}

// ---------- groups ----------

/** The first half of a class list (the larger half when the class is odd), in its order. */
export function firstHalf<T>(list: T[]): T[] {
  return list.slice(0, Math.ceil(list.length / 2));
}

/** The rest of the list after `firstHalf`. */
export function secondHalf<T>(list: T[]): T[] {
  return list.slice(Math.ceil(list.length / 2));
}

/** The ids ticked, in the order of the class list (ids of people no longer in it drop out). */
export function pickedInOrder(students: PersonRef[], picked: ReadonlySet<number>): number[] {
  return students.filter((s) => picked.has(s.id)).map((s) => s.id);
}

export function groupRequest(name: string, students: PersonRef[], picked: ReadonlySet<number>): GroupRequest {
  return { name: name.trim(), student_ids: pickedInOrder(students, picked) };
}

/** The class's groups by name: «группа 1» before «группа 2» before «группа 10». */
export function sortGroups(groups: ClassGroup[]): ClassGroup[] {
  return [...groups].sort((a, b) => collator.compare(a.name, b.name) || a.id - b.id);
}

/** The names of the other groups a student is in (for «также в группе …» beside the name). */
export function otherGroups(groups: ClassGroup[], studentId: number, except?: number): string[] {
  return sortGroups(groups)
    .filter((g) => g.id !== except && g.student_ids.includes(studentId))
    .map((g) => g.name);
}

/** A refusal about one student (`student_ids[3]`) belongs at the list of students. */
export function atStudents(e: unknown): unknown {
  if (!(e instanceof ApiError)) return e;
  const fields: Record<string, string> = {};
  const codes: Record<string, string> = {};
  for (const [field, text] of Object.entries(e.fields)) {
    const target = field.startsWith('student_ids') ? 'student_ids' : field;
    if (!(target in fields)) {
      fields[target] = text;
      codes[target] = e.fieldCodes[field] ?? '';
    }
  }
  return new ApiError(e.status, e.code, e.detail, fields, codes);
}

// ---------- assignments ----------

/**
 * The year whose assignments are shown first: the one under way, else the next to
 * come, else the latest; '' when the school has none.
 */
export function defaultYear(years: AcademicYear[], today: string): number | '' {
  const now = years.find((y) => y.starts_on <= today && today <= y.ends_on);
  if (now) return now.id;
  const coming = years.filter((y) => y.starts_on > today).sort((a, b) => a.starts_on.localeCompare(b.starts_on));
  const latest = [...years].sort((a, b) => b.ends_on.localeCompare(a.ends_on));
  return coming[0]?.id ?? latest[0]?.id ?? '';
}

export interface AssignmentFilter {
  classId?: number | '';
  teacherId?: number | '';
}

export function filterAssignments(list: Assignment[], f: AssignmentFilter): Assignment[] {
  return list.filter((a) => (!f.classId || a.class.id === f.classId) && (!f.teacherId || a.teacher.id === f.teacherId));
}

export interface ClassAssignments {
  class: Assignment['class'];
  items: Assignment[];
}

/**
 * Assignments under their class, classes in `order` (ids, as `teachingClasses` gives
 * them; others after, by name); inside a class by subject, the whole class before its
 * groups, groups by name, then by teacher.
 */
export function byClass(list: Assignment[], order: number[] = []): ClassAssignments[] {
  const place = (id: number) => {
    const i = order.indexOf(id);
    return i < 0 ? order.length : i;
  };
  const classes = new Map<number, ClassAssignments>();
  for (const a of list) {
    const entry = classes.get(a.class.id) ?? { class: a.class, items: [] };
    entry.items.push(a);
    classes.set(a.class.id, entry);
  }
  const out = [...classes.values()].sort(
    (x, y) => place(x.class.id) - place(y.class.id) || collator.compare(x.class.name, y.class.name) || x.class.id - y.class.id,
  );
  for (const c of out)
    c.items.sort(
      (x, y) =>
        collator.compare(x.subject.name, y.subject.name) ||
        Number(!!x.group) - Number(!!y.group) ||
        collator.compare(x.group?.name ?? '', y.group?.name ?? '') ||
        byName(x.teacher, y.teacher) ||
        x.id - y.id,
    );
  return out;
}

/** The assignments of one group (for its row, and for the warning before it is deleted). */
export function assignmentsOfGroup(list: Assignment[], groupId: number): Assignment[] {
  return list.filter((a) => a.group?.id === groupId);
}

/** After an item leaves a list: the id of the one now in its place (the next, else the one before), or null. */
export function neighbour(ids: number[], gone: number): number | null {
  const i = ids.indexOf(gone);
  if (i < 0) return null;
  return ids[i + 1] ?? ids[i - 1] ?? null;
}

/** The assignment form's values (selects hold ids as text; '' for none). */
export interface AssignmentDraft {
  class_id: string;
  group_id: string;
  subject_id: string;
  teacher_id: string;
}

export function assignmentRequest(d: AssignmentDraft): AssignmentRequest {
  return {
    class_id: Number(d.class_id),
    group_id: d.group_id ? Number(d.group_id) : null,
    subject_id: Number(d.subject_id),
    teacher_id: Number(d.teacher_id),
  };
}

/**
 * The choices still to make before the server is asked (it checks them all again);
 * the group may stay unchosen: the whole class.
 */
export type Choice = 'class_id' | 'subject_id' | 'teacher_id';

export function missingChoices(d: AssignmentDraft): Choice[] {
  return (['class_id', 'subject_id', 'teacher_id'] as const).filter((k) => !d[k]);
}

/** «Такое назначение уже есть» belongs at the teacher, the choice made last. */
export function atTeacher(e: unknown): unknown {
  return e instanceof ApiError && e.code === 'assignment_exists'
    ? new ApiError(e.status, e.code, '', { ...e.fields, teacher_id: e.detail }, { ...e.fieldCodes, teacher_id: e.code })
    : e;
}
