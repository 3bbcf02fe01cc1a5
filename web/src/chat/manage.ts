// Managing chats from what the client holds: who may start one (from the school),
// members in order, finding people by name, invite links. What the reader may do in a
// chat and to each member comes from the server (`chat.abilities`, `member.actions`).
import type { Chat, ChatMember, ClassRef, Member, MySchool, PersonRef } from '../api/types';

const STAFF = new Set(['teacher', 'employee', 'director', 'deputy']);
const TEACHING = new Set(['teacher', 'director', 'deputy']);

/** Anyone on the staff (or an admin) may start a chat. */
export function canCreateChats(school: MySchool | null | undefined): boolean {
  return !!school && (school.is_admin || school.places.some((p) => STAFF.has(p.role)));
}

/** The classes whose subject chats one may start: those one teaches or leads (admins: any, loaded apart). */
export function teachableClasses(school: MySchool): ClassRef[] {
  const out = new Map<number, ClassRef>();
  for (const p of school.places) if (TEACHING.has(p.role) && p.class.kind !== 'staff_room') out.set(p.class.id, p.class);
  for (const c of school.class_teacher_of) if (c.kind !== 'staff_room') out.set(c.id, c);
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name, 'ru', { numeric: true }));
}

export type Standing = 'owner' | 'moderator' | 'author' | 'member';

export function standing(chat: Chat, m: ChatMember): Standing {
  if (chat.owner_id != null && m.person.id === chat.owner_id) return 'owner';
  return m.role;
}

const ORDER: Record<Standing, number> = { owner: 0, moderator: 1, author: 2, member: 3 };

export function fullNameOf(p: PersonRef): string {
  return [p.family_name, p.given_name, p.patronymic].filter(Boolean).join(' ');
}

/** Owner first, then moderators, authors, everyone else; by name within each. */
export function sortMembers(chat: Chat, list: ChatMember[]): ChatMember[] {
  return [...list].sort((a, b) => ORDER[standing(chat, a)] - ORDER[standing(chat, b)] || fullNameOf(a.person).localeCompare(fullNameOf(b.person), 'ru'));
}

/** Lower case with ё read as е, so «Соловьева» finds «Соловьёва». */
export function normalize(s: string): string {
  return s.toLocaleLowerCase('ru').replace(/ё/g, 'е').replace(/\s+/g, ' ').trim();
}

/** Whether every word of the query starts a word of the name («иван мар» finds «Иванова Мария»). */
export function nameMatches(p: PersonRef, query: string): boolean {
  const words = normalize(query).split(' ').filter(Boolean);
  if (!words.length) return true;
  const parts = normalize(fullNameOf(p)).split(' ');
  return words.every((w) => parts.some((x) => x.startsWith(w)));
}

/** People of the school to offer in a picker: matching the query, not already in, sorted by name. */
export function pickable(people: Member[], query: string, exclude: Iterable<number>, limit = 30): Member[] {
  const out = new Set(exclude);
  return people
    .filter((m) => !out.has(m.person.id) && nameMatches(m.person, query))
    .sort((a, b) => fullNameOf(a.person).localeCompare(fullNameOf(b.person), 'ru'))
    .slice(0, limit);
}

/** Which page a chat invite link that does not work shows. */
export type DeadChatLink = 'not_found' | 'revoked' | 'needs_teacher';

export function deadChatLink(status: number, code: string): DeadChatLink | null {
  if (code === 'chat_needs_teacher') return 'needs_teacher';
  if (status === 410) return 'revoked';
  if (status === 404) return 'not_found';
  return null;
}

/** The link someone opens: the token is in the path, as for school invites. */
export function chatInvitePath(token: string): string {
  return `/chat-invite/${encodeURIComponent(token)}`;
}

/** A chat invite link's state (links have no expiry or use limit yet: only revoking ends one). */
export function inviteState(i: { revoked: boolean }): 'active' | 'revoked' {
  return i.revoked ? 'revoked' : 'active';
}
