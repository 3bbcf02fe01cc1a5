// Requests that manage chats (making them, members and roles, invite links) and keep
// the held list and member lists in step at once; the socket's events confirm later.
import type { Chat, ChatMember, ChatRole, Member } from '../api/types';
import type { components } from '../api/schema';
import { api, me } from '../state';
import { applySilence, entries, loadMembers, members, refreshChats } from './store';

export type ChatInvite = components['schemas']['ChatInvite'];
export type ChatInvitePreview = components['schemas']['ChatInvitePreview'];

/** Puts a chat just made or joined into the list so it opens at once. */
export function rememberChat(chat: Chat): void {
  const m = new Map(entries.value);
  const old = m.get(chat.id);
  m.set(chat.id, { chat: old ? { ...old.chat, ...chat } : chat, pos: Math.max(old?.pos ?? 0, chat.last_seq) });
  entries.value = m;
}

function patchChat(chatId: number, patch: Partial<Chat>): void {
  const e = entries.value.get(chatId);
  if (!e) return;
  const m = new Map(entries.value);
  m.set(chatId, { ...e, chat: { ...e.chat, ...patch } });
  entries.value = m;
}

function setMembers(chatId: number, f: (list: ChatMember[]) => ChatMember[]): void {
  const list = members.value[chatId];
  if (list) members.value = { ...members.value, [chatId]: f(list) };
}

export async function createChat(orgId: number, body: { kind: 'group' | 'subject'; title: string; class_id?: number; member_ids?: number[] }): Promise<Chat> {
  const chat = await api.post('/api/v1/orgs/{org_id}/chats', { org_id: orgId }, body);
  rememberChat(chat);
  void loadMembers(chat.id);
  return chat;
}

export async function renameChat(chatId: number, title: string): Promise<void> {
  const chat = await api.patch('/api/v1/chats/{chat_id}', { chat_id: chatId }, { title });
  patchChat(chatId, { title: chat.title });
}

export async function addMembers(chatId: number, userIds: number[]): Promise<void> {
  await api.post('/api/v1/chats/{chat_id}/members', { chat_id: chatId }, { user_ids: userIds });
  await loadMembers(chatId);
}

export async function removeMember(chatId: number, userId: number): Promise<void> {
  await api.del('/api/v1/chats/{chat_id}/members/{user_id}', { chat_id: chatId, user_id: userId });
  setMembers(chatId, (list) => list.filter((m) => m.person.id !== userId));
}

/** Leaves the chat: it goes from the list at once. */
export async function leaveChat(chatId: number): Promise<void> {
  await api.del('/api/v1/chats/{chat_id}/members/{user_id}', { chat_id: chatId, user_id: me.value?.id ?? 0 });
  const m = new Map(entries.value);
  m.delete(chatId);
  entries.value = m;
  void refreshChats();
}

/** How long one quiets a chat for oneself, or `off`. */
export type SilenceFor = '1h' | '8h' | 'tomorrow' | 'forever' | 'off';

/** Quiets a chat for oneself or lets only mentions through; a field left out stays as it is. */
export async function setSilence(chatId: number, body: { mute?: SilenceFor; mentions_only?: boolean }): Promise<void> {
  applySilence(await api.put('/api/v1/chats/{chat_id}/silence', { chat_id: chatId }, body));
}

export async function setChatRole(chatId: number, userId: number, role: ChatRole): Promise<void> {
  await api.put('/api/v1/chats/{chat_id}/members/{user_id}/role', { chat_id: chatId, user_id: userId }, { role });
  // The effective role may differ (a directory moderator stays one): read it back.
  await loadMembers(chatId);
}

export function chatInvites(chatId: number): Promise<ChatInvite[]> {
  return api.get('/api/v1/chats/{chat_id}/invites', { chat_id: chatId });
}

export function createChatInvite(chatId: number): Promise<ChatInvite> {
  return api.post('/api/v1/chats/{chat_id}/invites', { chat_id: chatId });
}

export async function revokeChatInvite(chatId: number, inviteId: number): Promise<void> {
  await api.post('/api/v1/chats/{chat_id}/invites/{invite_id}/revoke', { chat_id: chatId, invite_id: inviteId });
}

export function previewChatInvite(token: string): Promise<ChatInvitePreview> {
  return api.get('/api/v1/chat-invites/{token}', { token });
}

export async function joinByChatInvite(token: string): Promise<Chat> {
  const chat = await api.post('/api/v1/chat-invites/{token}/join', { token });
  rememberChat(chat);
  return chat;
}

/** The school's people for the pickers, fetched at most every few minutes per school. */
const people = new Map<number, { at: number; list: Promise<Member[]> }>();
const PEOPLE_TTL = 3 * 60_000;

export function schoolPeople(orgId: number): Promise<Member[]> {
  const held = people.get(orgId);
  if (held && Date.now() - held.at < PEOPLE_TTL) return held.list;
  const list = api.get('/api/v1/orgs/{org_id}/members', { org_id: orgId });
  list.catch(() => people.delete(orgId));
  people.set(orgId, { at: Date.now(), list });
  return list;
}
