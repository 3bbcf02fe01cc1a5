// Who sees which part of the journal, from the places /me gives (part of the app's
// shell: the navigation asks it).
import type { ClassRef, Me, MemberRole, MySchool, PersonRef } from '../api/types';

const TEACHING: MemberRole[] = ['teacher', 'director', 'deputy'];

/** Whether the person teaches in the school (a teacher's, director's or deputy's place): «Уроки». */
export function teaches(s: MySchool | null | undefined): boolean {
  return !!s && s.places.some((p) => TEACHING.includes(p.role));
}

export interface DiaryStudent {
  person: PersonRef;
  class: ClassRef;
  /** The person's own diary (a student), not a child's. */
  own: boolean;
}

/** Whose diaries the person reads in a school: their own as a student, their children's as a parent. */
export function diaryStudents(m: Me | null | undefined, s: MySchool | null | undefined): DiaryStudent[] {
  if (!m || !s) return [];
  const out: DiaryStudent[] = [];
  const seen = new Set<number>();
  for (const p of s.places) {
    if (p.role === 'student' && !seen.has(m.id)) {
      seen.add(m.id);
      out.push({ person: { id: m.id, family_name: m.family_name, given_name: m.given_name, patronymic: m.patronymic ?? null }, class: p.class, own: true });
    } else if (p.role === 'parent' && p.child && !seen.has(p.child.id)) {
      seen.add(p.child.id);
      out.push({ person: p.child, class: p.class, own: false });
    }
  }
  return out;
}
