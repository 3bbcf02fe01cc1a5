// Who a person is to the reader, as badges beside their name and as the person card:
// pure rules, unit-tested (tests/person.test.ts); the card itself is pages/person-card.tsx.
import type { ClassRef, Member, MemberRole, PersonRef } from '../api/types';

/** The order roles are shown in: the school's leaders first, then staff, then families. */
const ORDER: MemberRole[] = ['director', 'deputy', 'teacher', 'employee', 'student', 'parent'];

export type Verification = 'verified' | 'unverified' | null;

export interface PersonBadges {
  roles: MemberRole[];
  /** Teachers only: whether a school admin confirmed them (null for everyone else). */
  verification: Verification;
}

/** The role badges and the teacher's mark for someone with these school roles. */
export function personBadges(roles: readonly MemberRole[], teacherVerified: boolean): PersonBadges {
  const own = ORDER.filter((r) => roles.includes(r));
  return { roles: own, verification: own.includes('teacher') ? (teacherVerified ? 'verified' : 'unverified') : null };
}

export type CardState =
  | { kind: 'loading'; name: PersonRef }
  /** The school's rules hide the person from the reader (404): only the name they were opened with. */
  | { kind: 'hidden'; name: PersonRef }
  | { kind: 'error'; name: PersonRef; error: unknown }
  | {
      kind: 'shown';
      member: Member;
      badges: PersonBadges;
      /** Their places: a class (or the staff room), with the child for a parent's place. */
      places: { class: ClassRef; child: PersonRef | null }[];
      classTeacherOf: string[];
      canWrite: boolean;
    };

/** What the card shows once `GET /members/{id}` answered: `answer` is the member, or the failure. */
export function cardState(name: PersonRef, answer: { member: Member } | { status: number; error: unknown } | null, myId: number): CardState {
  if (!answer) return { kind: 'loading', name };
  if ('status' in answer) return answer.status === 404 ? { kind: 'hidden', name } : { kind: 'error', name, error: answer.error };
  const m = answer.member;
  const isStudent = m.roles.includes('student');
  return {
    kind: 'shown',
    member: m,
    badges: personBadges(m.roles, m.teacher_verified),
    // The staff room is where staff sit, not a class: a student's card needs no such line.
    places: m.places.filter((p) => p.class.kind !== 'staff_room' || !isStudent).map((p) => ({ class: p.class, child: p.child ?? null })),
    classTeacherOf: m.class_teacher_of.map((c) => c.name),
    canWrite: m.may_message === true && m.person.id !== myId,
  };
}

/**
 * Whether the reader may give this person a one-time sign-in code (to set a new password
 * without e-mail), as the server decides: a school admin (`issue_sign_in_codes` across the
 * school) for anyone but admins, a class teacher for the students and parents of their
 * classes; never for oneself.
 */
export function issuesSignInCode(
  school: { permissions?: string[]; class_teacher_of: Pick<ClassRef, 'id'>[] },
  member: Pick<Member, 'person' | 'is_admin' | 'places'>,
  myId: number,
): boolean {
  if (member.person.id === myId || member.is_admin) return false;
  if ((school.permissions ?? []).includes('issue_sign_in_codes')) return true;
  const mine = new Set(school.class_teacher_of.map((c) => c.id));
  return member.places.some((p) => (p.role === 'student' || p.role === 'parent') && mine.has(p.class.id));
}
