import { describe, expect, it } from 'vitest';
import type { Member, PersonRef } from '../src/api/types';
import { ApiError } from '../src/api/client';
import { cardState, issuesSignInCode, personBadges } from '../src/chat/person';

const ME = 1;
const person = (id: number): PersonRef => ({ id, family_name: 'Волкова', given_name: 'Анастасия', patronymic: 'Дмитриевна' });

function member(over: Partial<Member> = {}): Member {
  return {
    person: person(7),
    roles: ['parent'],
    places: [{ class: { id: 3, kind: 'class', name: '5А' }, child: person(8), membership_id: 11, role: 'parent', started_on: '2025-09-01' }],
    class_teacher_of: [],
    is_admin: false,
    teacher_verified: false,
    may_message: true,
    ...over,
  };
}

describe('badges beside a name', () => {
  it('lists roles in a fixed order, leaders first', () => {
    expect(personBadges(['parent', 'teacher', 'director'], true).roles).toEqual(['director', 'teacher', 'parent']);
  });
  it('marks teachers verified or not, and nobody else', () => {
    expect(personBadges(['teacher'], true).verification).toBe('verified');
    expect(personBadges(['teacher'], false).verification).toBe('unverified');
    expect(personBadges(['parent'], true).verification).toBeNull();
    expect(personBadges(['student'], false).verification).toBeNull();
  });
  it('gives no badge for no school role', () => {
    expect(personBadges([], false)).toEqual({ roles: [], verification: null });
  });
});

describe('the person card', () => {
  it('is loading until the server answers', () => {
    expect(cardState(person(7), null, ME).kind).toBe('loading');
  });
  it('keeps only the name when the school hides the person (404)', () => {
    const s = cardState(person(7), { status: 404, error: new ApiError(404, 'not_found', 'Не найдено') }, ME);
    expect(s).toEqual({ kind: 'hidden', name: person(7) });
  });
  it('shows other failures as errors', () => {
    expect(cardState(person(7), { status: 500, error: new Error('x') }, ME).kind).toBe('error');
  });
  it('offers «Написать» only when the server allows it', () => {
    const yes = cardState(person(7), { member: member() }, ME);
    expect(yes.kind === 'shown' && yes.canWrite).toBe(true);
    const no = cardState(person(7), { member: member({ may_message: false }) }, ME);
    expect(no.kind === 'shown' && no.canWrite).toBe(false);
    const absent = cardState(person(7), { member: member({ may_message: null }) }, ME);
    expect(absent.kind === 'shown' && absent.canWrite).toBe(false);
  });
  it('never offers writing to oneself', () => {
    const s = cardState(person(ME), { member: member({ person: person(ME) }) }, ME);
    expect(s.kind === 'shown' && s.canWrite).toBe(false);
  });
  it('lists the places with the child of a parent, and a student without the staff room', () => {
    const s = cardState(person(7), { member: member() }, ME);
    expect(s.kind === 'shown' && s.places).toEqual([{ class: { id: 3, kind: 'class', name: '5А' }, child: person(8) }]);
    const staff = { class: { id: 1, kind: 'staff_room', name: 'Учительская' }, child: null, membership_id: 2, role: 'student' as const, started_on: '2025-09-01' };
    const cls = { class: { id: 3, kind: 'class', name: '5А' }, child: null, membership_id: 3, role: 'student' as const, started_on: '2025-09-01' };
    const student = cardState(person(7), { member: member({ roles: ['student'], places: [staff, cls] }) }, ME);
    expect(student.kind === 'shown' && student.places.map((p) => p.class.name)).toEqual(['5А']);
    const teacher = cardState(person(7), { member: member({ roles: ['teacher'], teacher_verified: true, places: [staff], class_teacher_of: [cls.class] }) }, ME);
    expect(teacher.kind === 'shown' && [teacher.places.length, teacher.classTeacherOf, teacher.badges.verification]).toEqual([1, ['5А'], 'verified']);
  });
});

describe('who gives a sign-in code', () => {
  const admin = { permissions: ['issue_sign_in_codes'], class_teacher_of: [] };
  const classTeacher = (id: number) => ({ permissions: [], class_teacher_of: [{ id }] });
  const student = member({ person: person(9), roles: ['student'], places: [{ class: { id: 3, kind: 'class', name: '5А' }, child: null, membership_id: 12, role: 'student', started_on: '2025-09-01' }] });
  const teacher = member({ roles: ['teacher'], places: [{ class: { id: 3, kind: 'class', name: '5А' }, child: null, membership_id: 13, role: 'teacher', started_on: '2025-09-01' }] });
  it('an admin: anyone of the school but admins and oneself', () => {
    expect(issuesSignInCode(admin, student, ME)).toBe(true);
    expect(issuesSignInCode(admin, teacher, ME)).toBe(true);
    expect(issuesSignInCode(admin, member({ is_admin: true, roles: ['teacher'] }), ME)).toBe(false);
    expect(issuesSignInCode(admin, member({ person: person(ME) }), ME)).toBe(false);
  });
  it('a class teacher: the students and parents of their classes only', () => {
    expect(issuesSignInCode(classTeacher(3), student, ME)).toBe(true);
    expect(issuesSignInCode(classTeacher(3), member(), ME)).toBe(true);
    expect(issuesSignInCode(classTeacher(3), teacher, ME)).toBe(false);
    expect(issuesSignInCode(classTeacher(4), student, ME)).toBe(false);
    expect(issuesSignInCode({ permissions: [], class_teacher_of: [] }, student, ME)).toBe(false);
  });
});
