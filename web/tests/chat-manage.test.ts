import { describe, expect, it } from 'vitest';
import type { Chat, ChatEvent, ChatMember, Member, MySchool } from '../src/api/types';
import { applyToEntry, changesMyRights, memberListStale } from '../src/chat/model';
import {
  canCreateChats,
  chatInvitePath,
  deadChatLink,
  inviteState,
  nameMatches,
  pickable,
  sortMembers,
  standing,
  teachableClasses,
} from '../src/chat/manage';
import { MEMBER_ABILITIES, NO_ACTIONS } from './fixtures';

const ME = 3;

function chat(over: Partial<Chat> = {}): Chat {
  return {
    id: 17,
    org_id: 1,
    kind: 'group',
    title: 'Методическое объединение',
    mentions_only: false,
    read_only: false,
    owner_id: ME,
    my_role: 'moderator',
    abilities: { ...MEMBER_ABILITIES, manage_members: true, mute: true, set_read_only: true, pin: true, leave: true },
    quiet_hours: false,
    last_seq: 5,
    last_read_seq: 5,
    unread: 0,
    muted_until: null,
    last_message: null,
    ...over,
  };
}

function person(id: number, family: string, given: string, patronymic: string | null = null) {
  return { id, family_name: family, given_name: given, patronymic };
}

function member(id: number, role: ChatMember['role'], family = `Фамилия${id}`, given = 'Имя'): ChatMember {
  return { person: person(id, family, given), role, last_read_seq: 0, muted_until: null, actions: NO_ACTIONS, school_roles: [], teacher_verified: false };
}

function schoolMember(id: number, family: string, given: string, roles: Member['roles'] = ['teacher']): Member {
  return { person: person(id, family, given), roles, places: [], class_teacher_of: [], is_admin: false, teacher_verified: true };
}

const staffRoom = { id: 1, name: 'Учительская', kind: 'staff_room' };
const c5a = { id: 3, name: '5А', kind: 'class' };
const c10b = { id: 9, name: '10Б', kind: 'class' };
const c9a = { id: 5, name: '9А', kind: 'class' };

function school(over: Partial<MySchool> = {}): MySchool {
  return { org_id: 1, name: 'Школа', short_name: 'Школа', is_admin: false, teacher_verified: true, places: [], class_teacher_of: [], manages_school_year: false, permissions: [], ...over };
}

function place(role: MySchool['places'][number]['role'], cls: typeof c5a, id = cls.id) {
  return { membership_id: id, role, class: cls, started_on: '2026-09-01', child: null };
}

describe('who may start chats', () => {
  it('staff and admins may; parents and students may not', () => {
    expect(canCreateChats(school({ places: [place('teacher', staffRoom)] }))).toBe(true);
    expect(canCreateChats(school({ places: [place('employee', staffRoom)] }))).toBe(true);
    expect(canCreateChats(school({ is_admin: true }))).toBe(true);
    expect(canCreateChats(school({ places: [place('parent', c5a)] }))).toBe(false);
    expect(canCreateChats(school({ places: [place('student', c5a)] }))).toBe(false);
    expect(canCreateChats(null)).toBe(false);
  });

  it('subject chats: the classes one teaches or leads, not the staff room, in class order', () => {
    const s = school({ places: [place('teacher', staffRoom), place('teacher', c10b), place('parent', c9a)], class_teacher_of: [c5a] });
    expect(teachableClasses(s).map((c) => c.name)).toEqual(['5А', '10Б']);
    expect(teachableClasses(school({ places: [place('employee', c5a)] }))).toEqual([]);
  });
});

describe('the info panel', () => {
  it('the owner stands first among members', () => {
    const c = chat({ owner_id: 2, my_role: 'moderator' });
    expect(standing(c, member(2, 'moderator'))).toBe('owner');
    expect(standing(c, member(5, 'author'))).toBe('author');
  });

  it('sorts the owner first, then moderators, authors and the rest by name', () => {
    const c = chat({ owner_id: 9 });
    const list = [member(1, 'member', 'Яковлев'), member(2, 'author', 'Борисов'), member(3, 'moderator', 'Цветаева'), member(9, 'moderator', 'Юдина'), member(4, 'member', 'Алексеев')];
    expect(sortMembers(c, list).map((m) => m.person.family_name)).toEqual(['Юдина', 'Цветаева', 'Борисов', 'Алексеев', 'Яковлев']);
  });
});

describe('finding people by name', () => {
  it('every word starts a part of the name; case and ё do not matter', () => {
    expect(nameMatches(person(1, 'Соловьёва', 'Ева', 'Романовна'), 'соловьева')).toBe(true);
    expect(nameMatches(person(1, 'Иванова', 'Мария', 'Сергеевна'), 'иван мар')).toBe(true);
    expect(nameMatches(person(1, 'Иванова', 'Мария', 'Сергеевна'), 'мария иван')).toBe(true);
    expect(nameMatches(person(1, 'Иванова', 'Мария', 'Сергеевна'), 'ванова')).toBe(false);
    expect(nameMatches(person(1, 'Иванова', 'Мария'), '  ')).toBe(true);
  });

  it('offers matching people not yet in, sorted, up to the limit', () => {
    const people = [schoolMember(4, 'Смирнов', 'Алексей'), schoolMember(3, 'Иванова', 'Мария'), schoolMember(7, 'Соколова', 'Анна', ['employee']), schoolMember(6, 'Орлов', 'Дмитрий')];
    expect(pickable(people, 'с', [4]).map((m) => m.person.id)).toEqual([7]);
    expect(pickable(people, '', [3]).map((m) => m.person.family_name)).toEqual(['Орлов', 'Смирнов', 'Соколова']);
    expect(pickable(people, '', [], 2)).toHaveLength(2);
  });
});

describe('chat invite links', () => {
  it('a failing link gets its own page: not found, revoked, or needs a teacher', () => {
    expect(deadChatLink(404, 'not_found')).toBe('not_found');
    expect(deadChatLink(410, 'chat_link_revoked')).toBe('revoked');
    expect(deadChatLink(403, 'chat_needs_teacher')).toBe('needs_teacher');
    expect(deadChatLink(409, 'chat_needs_teacher')).toBe('needs_teacher');
    expect(deadChatLink(403, 'forbidden')).toBeNull();
    expect(deadChatLink(500, 'internal')).toBeNull();
  });

  it('paths and states', () => {
    expect(chatInvitePath('a_b-C')).toBe('/chat-invite/a_b-C');
    expect(chatInvitePath('a/b')).toBe('/chat-invite/a%2Fb');
    expect(inviteState({ revoked: true })).toBe('revoked');
    expect(inviteState({ revoked: false })).toBe('active');
  });
});

describe('the list follows renames and the reader’s new role', () => {
  const entry = (over: Partial<Chat> = {}) => ({ chat: chat(over), pos: 5 });

  it('a rename changes the title', () => {
    expect(applyToEntry(entry(), 6, { type: 'chat_renamed', title: 'Новое' }, ME, false)?.chat.title).toBe('Новое');
  });

  it('made a channel author, the reader takes the role and asks the server what it allows', () => {
    const ch = entry({ kind: 'school_channel', my_role: 'member', owner_id: null });
    const me = person(ME, 'Иванова', 'Мария');
    const made: ChatEvent = { type: 'member_joined', person: me, role: 'author' };
    const up = applyToEntry(ch, 6, made, ME, false)!;
    expect(up.chat.my_role).toBe('author');
    expect(up.chat.abilities).toEqual(ch.chat.abilities); // unchanged until the server says
    expect(changesMyRights(made, ME)).toBe(true);
    expect(changesMyRights({ type: 'chat_updated', read_only: true }, ME)).toBe(true);
  });

  it('someone else’s role leaves the reader’s alone, but their member row is fetched again', () => {
    const ch = entry({ kind: 'school_channel', my_role: 'member', owner_id: null });
    const other: ChatEvent = { type: 'member_joined', person: person(99, 'Орлов', 'Дмитрий'), role: 'author' };
    const next = applyToEntry(ch, 6, other, ME, false)!;
    expect(next.chat.my_role).toBe('member');
    expect(changesMyRights(other, ME)).toBe(false);
    expect(memberListStale(other, ME)).toBe(true);
    expect(memberListStale({ type: 'chat_renamed', title: 'x' }, ME)).toBe(false);
  });
});
