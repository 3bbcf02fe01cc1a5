// Chat state for the page: the list, open conversations, the offline queue and the
// connection, as signals. The rules live in ./model (pure, unit-tested); this file
// does the requests and feeds socket frames through them.
import { computed, effect, signal, untracked } from '@preact/signals';
import { ABORTED, ApiError, type UploadHandle } from '../api/client';
import type { AckStatus, ChatMember, ChatSilence, FileInfo, Message, MessageVersion, Poll, Report, School } from '../api/types';
import { api, loadMe, me } from '../state';
import {
  applyToConversation,
  applyToEntry,
  applyToMembers,
  changesMyRights,
  memberListStale,
  classify,
  readTarget,
  dueForSending,
  emptyConversation,
  enqueue,
  mergeChatList,
  newClientMsgId,
  oldestSeq,
  pinNeedsFetch,
  prependPage,
  replacePage,
  resumeFrame,
  setPendingState,
  settle,
  sortChats,
  totalUnread,
  type ChatEntry,
  type Conversation,
  type Pending,
  type ServerFrame,
} from './model';
import { forgetDrafts, loadDrafts } from './drafts';
import { ChatSocket, socketUrl, type ConnState } from './socket';
import { addUploads, failed, progress, removed, restarted, sent, uploaded, type Refusal, type Upload } from './uploads';
import { noteFinalMarksChange, noteJournalChange, noteTimetableChange } from '../journal/live';
import { forgetBell, loadBell, noteNotificationEvent } from '../notifications/bell';
import { dispatchCallFrame, forgetCalls, noteCallEvent, setCallSender, type CallFrame } from '../calls/live';

export const PAGE = 30;

export const entries = signal<Map<number, ChatEntry>>(new Map());
export const chatsState = signal<'idle' | 'loading' | 'ready' | 'error'>('idle');
export const chatsError = signal<unknown>(null);
export const conversations = signal<Record<number, Conversation>>({});
export const outbox = signal<Pending[]>([]);
export const connState = signal<ConnState>('closed');
/** The chat on screen (its messages count as read). */
export const openChat = signal<number | null>(null);
/** chat → user → until (ms). */
export const typing = signal<Record<number, Record<number, number>>>({});
export const members = signal<Record<number, ChatMember[]>>({});
/** Files on their way to (or ready for) each chat's next message. */
export const uploads = signal<Upload[]>([]);
/** School profiles (time zone, quiet hours) of the chats' schools, by id. */
export const schools = signal<Record<number, School>>({});

export const allChats = computed(() => sortChats(entries.value.values()));
/** Unread messages of every chat not quieted now: read at each render, so a quiet that has ended counts again. */
export function unreadTotal(): number {
  return totalUnread(entries.value.values());
}

let userSeq: number | null = null;
let myId = 0;
let socket: ChatSocket | null = null;
let started = false;
const stopEffects: (() => void)[] = [];

const myUserId = () => me.value?.id ?? myId;

// ---------- the offline queue, kept across reloads ----------

const outboxKey = () => `parta.outbox.${myUserId()}`;

function loadOutbox(): Pending[] {
  try {
    const v = JSON.parse(localStorage.getItem(outboxKey()) ?? '[]') as Pending[];
    return Array.isArray(v) ? v.map((p) => (p.state === 'sending' ? { ...p, state: 'queued' as const } : p)) : [];
  } catch {
    return [];
  }
}

function saveOutbox(q: Pending[]): void {
  try {
    if (q.length) localStorage.setItem(outboxKey(), JSON.stringify(q));
    else localStorage.removeItem(outboxKey());
  } catch {
    /* storage may be unavailable */
  }
}

// ---------- lifecycle ----------

/** Starts after sign-in: the list, then the socket (resuming from the list's positions). */
export function startChats(): void {
  if (started || typeof window === 'undefined') return;
  started = true;
  myId = me.value?.id ?? 0;
  outbox.value = loadOutbox();
  loadDrafts(myId);
  stopEffects.push(effect(() => saveOutbox(outbox.value)));
  socket = new ChatSocket({
    url: socketUrl(location),
    resume: (w) => {
      myId = w.user_id;
      if (userSeq === null) userSeq = w.user_seq;
      const positions = new Map<number, number>();
      for (const [id, e] of entries.value) positions.set(id, e.pos);
      return resumeFrame(userSeq, positions);
    },
    onFrame,
    onState: (s) => {
      connState.value = s;
      if (s === 'live') void flush();
    },
    onSessionEnded: () => {
      stopChats();
      api.setCsrf(null);
      me.value = null;
    },
    onResyncAll: () => {
      userSeq = null;
      entries.value = new Map();
      needsFullReload = true;
    },
  });
  setCallSender((f) => socket?.send(f) ?? false);
  const offline = () => socket?.wentOffline();
  const online = () => {
    socket?.cameOnline();
    void flush();
  };
  window.addEventListener('offline', offline);
  window.addEventListener('online', online);
  stopEffects.push(() => {
    window.removeEventListener('offline', offline);
    window.removeEventListener('online', online);
  });
  const visible = () => {
    const open = openChat.value;
    if (open !== null && document.visibilityState === 'visible') void markRead(open);
  };
  document.addEventListener('visibilitychange', visible);
  stopEffects.push(() => document.removeEventListener('visibilitychange', visible));
  const tick = setInterval(expireTyping, 2000);
  stopEffects.push(() => clearInterval(tick));
  void refreshChats().finally(() => socket?.start());
}

/** On sign-out or when the session ends: close and forget everything. */
export function stopChats(): void {
  if (!started) return;
  started = false;
  socket?.stop();
  socket = null;
  setCallSender(null);
  forgetCalls();
  for (const f of stopEffects.splice(0)) f();
  // Unsent messages do not outlive the session on a shared device.
  saveOutbox([]);
  forgetDrafts();
  userSeq = null;
  entries.value = new Map();
  conversations.value = {};
  outbox.value = [];
  members.value = {};
  typing.value = {};
  for (const [key, u] of running) {
    running.delete(key);
    u.handle?.abort();
  }
  uploads.value = [];
  schools.value = {};
  schoolLoads.clear();
  forgetBell();
  chatsState.value = 'idle';
  connState.value = 'closed';
}

let needsFullReload = false;

// ---------- REST ----------

let listInFlight: Promise<void> | null = null;
let listAgain = false;

export function refreshChats(): Promise<void> {
  if (listInFlight) {
    listAgain = true;
    return listInFlight;
  }
  if (chatsState.value !== 'ready') chatsState.value = 'loading';
  listInFlight = (async () => {
    try {
      do {
        listAgain = false;
        const list = await api.get('/api/v1/chats');
        entries.value = mergeChatList(entries.value, list);
        chatsState.value = 'ready';
        chatsError.value = null;
      } while (listAgain);
    } catch (e) {
      chatsError.value = e;
      if (chatsState.value !== 'ready') chatsState.value = 'error';
    } finally {
      listInFlight = null;
    }
  })();
  return listInFlight;
}

function setConv(chatId: number, f: (c: Conversation) => Conversation): void {
  const cur = conversations.value[chatId];
  if (!cur) return;
  const next = f(cur);
  if (next !== cur) conversations.value = { ...conversations.value, [chatId]: next };
}

function setEntryChat(chatId: number, f: (e: ChatEntry) => ChatEntry): void {
  const e = entries.value.get(chatId);
  if (!e) return;
  const m = new Map(entries.value);
  m.set(chatId, f(e));
  entries.value = m;
}

/** Loads the newest page (first open, or after a resync). */
export async function loadConversation(chatId: number, force = false): Promise<void> {
  if (conversations.value[chatId] && !force) return;
  const [page, pins] = await Promise.all([
    api.get('/api/v1/chats/{chat_id}/messages', { chat_id: chatId, limit: PAGE }),
    api.get('/api/v1/chats/{chat_id}/pins', { chat_id: chatId }).catch(() => [] as Message[]),
  ]);
  const cur = conversations.value[chatId] ?? emptyConversation(chatId);
  conversations.value = { ...conversations.value, [chatId]: { ...replacePage(cur, page.messages, page.has_more), pins } };
  if (!members.value[chatId]) void loadMembers(chatId);
}

export async function loadMembers(chatId: number): Promise<void> {
  try {
    const list = await api.get('/api/v1/chats/{chat_id}/members', { chat_id: chatId });
    members.value = { ...members.value, [chatId]: list };
  } catch {
    /* names fall back to what messages carry */
  }
}

export async function loadOlder(chatId: number): Promise<void> {
  const c = conversations.value[chatId];
  if (!c || !c.hasMore) return;
  const before = oldestSeq(c);
  const page = await api.get('/api/v1/chats/{chat_id}/messages', { chat_id: chatId, before, limit: PAGE });
  setConv(chatId, (x) => prependPage(x, page.messages, page.has_more));
}

async function reloadPins(chatId: number): Promise<void> {
  try {
    const pins = await api.get('/api/v1/chats/{chat_id}/pins', { chat_id: chatId });
    setConv(chatId, (c) => ({ ...c, pins }));
  } catch {
    /* keep what is shown */
  }
}

/**
 * Marks the open chat read up to its latest message. Only messages count: marking
 * read is itself an event, so reading «up to the latest event» would never settle.
 */
export async function markRead(chatId: number): Promise<void> {
  const e = entries.value.get(chatId);
  if (!e) return;
  const seq = readTarget(e, conversations.value[chatId]);
  if (e.chat.unread) setEntryChat(chatId, (x) => ({ ...x, chat: { ...x.chat, unread: 0 } }));
  if (seq <= e.chat.last_read_seq) return;
  setEntryChat(chatId, (x) => ({ ...x, chat: { ...x.chat, last_read_seq: Math.max(x.chat.last_read_seq, seq) } }));
  try {
    await api.post('/api/v1/chats/{chat_id}/read', { chat_id: chatId }, { seq });
  } catch {
    /* read marks are best effort; the next view sends it again */
    setEntryChat(chatId, (x) => ({ ...x, chat: { ...x.chat, last_read_seq: e.chat.last_read_seq } }));
  }
}

let readTimer: ReturnType<typeof setTimeout> | null = null;
function scheduleRead(chatId: number): void {
  if (readTimer) clearTimeout(readTimer);
  readTimer = setTimeout(() => {
    readTimer = null;
    if (openChat.value === chatId && (typeof document === 'undefined' || document.visibilityState !== 'hidden')) void markRead(chatId);
  }, 300);
}

// ---------- sending, with the offline queue ----------

export interface SendExtras {
  /** Files already uploaded to the chat. */
  attachments?: FileInfo[];
  /** An admin's post delivered even in quiet hours. */
  urgent?: boolean;
}

export function sendMessage(chatId: number, body: string, replyTo: number | null, needsAck: boolean, extras: SendExtras = {}): void {
  const files = extras.attachments ?? [];
  outbox.value = enqueue(outbox.value, {
    client_msg_id: newClientMsgId(),
    chat_id: chatId,
    body,
    reply_to: replyTo,
    needs_ack: needsAck,
    ...(files.length ? { attachments: files } : {}),
    ...(extras.urgent ? { urgent: true } : {}),
  });
  if (files.length) {
    const ids = new Set(files.map((f) => f.id));
    for (const u of uploads.value) if (u.chatId === chatId && u.file && ids.has(u.file.id)) running.delete(u.key);
    uploads.value = sent(uploads.value, chatId, files);
  }
  void flush();
}

export function retryPending(id: string): void {
  outbox.value = setPendingState(outbox.value, id, 'queued');
  void flush();
}

export function dropPending(id: string): void {
  outbox.value = outbox.value.filter((p) => p.client_msg_id !== id);
}

let flushing = false;
let flushTimer: ReturnType<typeof setTimeout> | null = null;

/** Sends queued messages in order; each keeps its client_msg_id, so a retry never doubles. */
export async function flush(): Promise<void> {
  if (flushing || !started) return;
  flushing = true;
  try {
    for (;;) {
      const next = dueForSending(outbox.value)[0];
      if (!next) break;
      if (typeof navigator !== 'undefined' && navigator.onLine === false) break;
      outbox.value = setPendingState(outbox.value, next.client_msg_id, 'sending');
      try {
        const m = await api.post(
          '/api/v1/chats/{chat_id}/messages',
          { chat_id: next.chat_id },
          {
            client_msg_id: next.client_msg_id,
            body: next.body,
            reply_to: next.reply_to,
            needs_ack: next.needs_ack,
            ...(next.attachments?.length ? { attachments: next.attachments.map((f) => f.id) } : {}),
            ...(next.urgent ? { urgent: true } : {}),
          },
        );
        storeOwn(m);
      } catch (e) {
        if (e instanceof ApiError && (e.status === 0 || e.status >= 500 || e.status === 429)) {
          // No answer (or a passing server trouble): wait for the connection and try again.
          outbox.value = setPendingState(outbox.value, next.client_msg_id, 'queued');
          if (!flushTimer) flushTimer = setTimeout(() => ((flushTimer = null), void flush()), 5000);
          break;
        }
        outbox.value = setPendingState(outbox.value, next.client_msg_id, 'failed', e instanceof Error ? e.message : String(e));
        // Muted or closed meanwhile: fetch the chat so the composer says so, and until when.
        if (e instanceof ApiError && e.status === 403) void refreshEntry(next.chat_id);
      }
    }
  } finally {
    flushing = false;
  }
}

/** The stored copy of one's own message: it replaces the pending one. */
function storeOwn(m: Message): void {
  outbox.value = settle(outbox.value, m, myUserId());
  setConv(m.chat_id, (c) => applyToConversation(c, { type: 'message_sent', message: m }, myUserId()));
}

export async function createPoll(chatId: number, p: { question: string; options: string[]; multiple: boolean; anonymous: boolean }): Promise<void> {
  const m = await api.post('/api/v1/chats/{chat_id}/polls', { chat_id: chatId }, { client_msg_id: newClientMsgId(), ...p });
  storeOwn(m);
}

function setPoll(chatId: number, messageId: number, poll: Poll): void {
  setConv(chatId, (c) => ({ ...c, messages: c.messages.map((m) => (m.id === messageId ? { ...m, poll } : m)) }));
}

export async function vote(chatId: number, messageId: number, pollId: number, optionIds: number[]): Promise<void> {
  const poll = await api.put('/api/v1/chats/{chat_id}/polls/{poll_id}/vote', { chat_id: chatId, poll_id: pollId }, { option_ids: optionIds });
  setPoll(chatId, messageId, poll);
}

export async function closePoll(chatId: number, messageId: number, pollId: number): Promise<void> {
  const poll = await api.post('/api/v1/chats/{chat_id}/polls/{poll_id}/close', { chat_id: chatId, poll_id: pollId });
  const mine = conversations.value[chatId]?.messages.find((m) => m.id === messageId)?.poll?.my_option_ids ?? [];
  setPoll(chatId, messageId, { ...poll, my_option_ids: poll.my_option_ids.length ? poll.my_option_ids : mine });
}

export async function editMessage(chatId: number, messageId: number, body: string): Promise<void> {
  const m = await api.patch('/api/v1/chats/{chat_id}/messages/{message_id}', { chat_id: chatId, message_id: messageId }, { body });
  setConv(chatId, (c) => applyToConversation(c, { type: 'message_edited', message: m }, myUserId()));
}

export async function deleteMessage(chatId: number, messageId: number, byModerator: boolean): Promise<void> {
  await api.del('/api/v1/chats/{chat_id}/messages/{message_id}', { chat_id: chatId, message_id: messageId });
  setConv(chatId, (c) => applyToConversation(c, { type: 'message_deleted', message_id: messageId, by_moderator: byModerator }, myUserId()));
}

export async function react(chatId: number, messageId: number, emoji: string, present: boolean): Promise<void> {
  const params = { chat_id: chatId, message_id: messageId, emoji };
  const reactions = present
    ? await api.put('/api/v1/chats/{chat_id}/messages/{message_id}/reactions/{emoji}', params)
    : await api.del('/api/v1/chats/{chat_id}/messages/{message_id}/reactions/{emoji}', params);
  if (Array.isArray(reactions)) setConv(chatId, (c) => applyToConversation(c, { type: 'reactions_changed', message_id: messageId, reactions }, myUserId()));
}

export async function pin(chatId: number, messageId: number, pinned: boolean): Promise<void> {
  const params = { chat_id: chatId, message_id: messageId };
  if (pinned) await api.put('/api/v1/chats/{chat_id}/messages/{message_id}/pin', params);
  else await api.del('/api/v1/chats/{chat_id}/messages/{message_id}/pin', params);
  setConv(chatId, (c) => applyToConversation(c, { type: 'message_pinned', message_id: messageId, pinned }, myUserId()));
}

export async function acknowledge(chatId: number, messageId: number): Promise<void> {
  await api.post('/api/v1/chats/{chat_id}/messages/{message_id}/ack', { chat_id: chatId, message_id: messageId });
  setConv(chatId, (c) => applyToConversation(c, { type: 'message_acknowledged', message_id: messageId, user_id: myUserId() }, myUserId()));
}

function setAcks(chatId: number, s: AckStatus): void {
  setConv(chatId, (c) => ({ ...c, acks: { ...c.acks, [s.message_id]: s } }));
}

/** Confirmations seen per post, so an answer that raced with one is fetched again. */
const ackEvents = new Map<number, number>();

export async function loadAcks(chatId: number, messageId: number): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const seen = ackEvents.get(messageId) ?? 0;
    const status = await api.get('/api/v1/chats/{chat_id}/messages/{message_id}/acks', { chat_id: chatId, message_id: messageId });
    setAcks(chatId, status);
    if ((ackEvents.get(messageId) ?? 0) === seen) return;
  }
}

export async function remind(chatId: number, messageId: number): Promise<void> {
  setAcks(chatId, await api.post('/api/v1/chats/{chat_id}/messages/{message_id}/remind', { chat_id: chatId, message_id: messageId }));
}

// ---------- files for the next message ----------

/** The browser's File and the request of each upload not yet stored (kept for a retry). */
const running = new Map<string, { file: File; handle: UploadHandle<FileInfo> | null }>();
let uploadSeq = 0;

/**
 * Starts uploading files to a chat (attach button, drop, paste). Returns the files
 * refused before any request (empty, or past the per-message limit).
 */
export function attachFiles(chatId: number, files: File[]): Refusal[] {
  const picked = files.map((file) => ({ key: `u${++uploadSeq}-${Date.now().toString(36)}`, name: file.name, size: file.size, type: file.type, file }));
  const { queue, started, refused } = addUploads(uploads.value, chatId, picked);
  uploads.value = queue;
  for (const u of started) {
    running.set(u.key, { file: picked.find((p) => p.key === u.key)!.file, handle: null });
    startUpload(u.key, chatId);
  }
  return refused;
}

function startUpload(key: string, chatId: number): void {
  const entry = running.get(key);
  if (!entry) return;
  const form = new FormData();
  form.append('file', entry.file, entry.file.name);
  const handle = api.upload('/api/v1/chats/{chat_id}/files', { chat_id: chatId }, form, (loaded, total) => {
    uploads.value = progress(uploads.value, key, loaded, total);
  });
  entry.handle = handle;
  handle.done.then(
    (file) => {
      uploads.value = uploaded(uploads.value, key, file);
      // Stored: the browser's copy is no longer needed.
      if (running.get(key)?.handle === handle) running.delete(key);
    },
    (e: unknown) => {
      if (e instanceof ApiError && e.code === ABORTED) return;
      const err = e instanceof ApiError ? e : null;
      uploads.value = failed(uploads.value, key, err?.detail ?? String(e), err ? `${err.status}:${err.code}` : undefined);
      if (err?.status === 403) void refreshEntry(chatId);
    },
  );
}

/** Stops an upload (or drops a finished or failed one) and takes it out of the message. */
export function cancelUpload(key: string): void {
  running.get(key)?.handle?.abort();
  running.delete(key);
  uploads.value = removed(uploads.value, key);
}

export function retryUpload(key: string): void {
  const u = uploads.value.find((x) => x.key === key);
  if (!u || u.state !== 'failed' || !running.has(key)) return;
  uploads.value = restarted(uploads.value, key);
  startUpload(key, u.chatId);
}

// ---------- moderation ----------

/** Fetches one chat's own view again (mute, read-only, abilities) without touching its position. */
export async function refreshEntry(chatId: number): Promise<void> {
  try {
    const chat = await api.get('/api/v1/chats/{chat_id}', { chat_id: chatId });
    setEntryChat(chatId, (e) => ({
      ...e,
      chat: { ...e.chat, read_only: chat.read_only, abilities: chat.abilities, quiet_hours: chat.quiet_hours, muted_until: chat.muted_until, my_role: chat.my_role },
    }));
  } catch {
    /* the list refresh will tell */
  }
}

export async function reportMessage(chatId: number, messageId: number, reason: string): Promise<Report> {
  return api.post('/api/v1/chats/{chat_id}/messages/{message_id}/report', { chat_id: chatId, message_id: messageId }, { reason });
}

export async function setReadOnly(chatId: number, readOnly: boolean): Promise<void> {
  await api.put('/api/v1/chats/{chat_id}/read-only', { chat_id: chatId }, { read_only: readOnly });
  setEntryChat(chatId, (e) => ({ ...e, chat: { ...e.chat, read_only: readOnly } }));
  await refreshEntry(chatId);
}

/** Mutes a member for `minutes` (0 lifts it); shown at once, the event confirms. */
export async function muteMember(chatId: number, userId: number, minutes: number): Promise<void> {
  await api.put('/api/v1/chats/{chat_id}/members/{user_id}/mute', { chat_id: chatId, user_id: userId }, { minutes });
  const until = minutes > 0 ? new Date(Date.now() + minutes * 60_000).toISOString() : null;
  setConv(chatId, (c) => ({ ...c, muted: { ...c.muted, [userId]: until } }));
}

export function messageVersions(chatId: number, messageId: number): Promise<MessageVersion[]> {
  return api.get('/api/v1/chats/{chat_id}/messages/{message_id}/versions', { chat_id: chatId, message_id: messageId });
}

// ---------- the chats' schools ----------

const schoolLoads = new Map<number, Promise<void>>();

/** Loads a school's profile once (for its time zone and quiet hours). */
export function loadSchool(orgId: number, force = false): Promise<void> {
  const inFlight = schoolLoads.get(orgId);
  if (inFlight && !force) return inFlight;
  const p = api.get('/api/v1/orgs/{org_id}', { org_id: orgId }).then(
    (s) => rememberSchool(s),
    () => {
      schoolLoads.delete(orgId);
    },
  );
  schoolLoads.set(orgId, p);
  return p;
}

/** A profile just saved or fetched elsewhere. */
export function rememberSchool(s: School): void {
  schools.value = { ...schools.value, [s.id]: s };
}

// ---------- typing ----------

const typingSent: Record<number, number> = {};

/** Tells the others «печатает…», at most every 3 s per chat. */
export function sendTyping(chatId: number): void {
  const now = Date.now();
  if ((typingSent[chatId] ?? 0) > now - 3000) return;
  if (socket?.send({ type: 'typing', chat_id: chatId })) typingSent[chatId] = now;
}

function expireTyping(): void {
  const now = Date.now();
  let changed = false;
  const next: Record<number, Record<number, number>> = {};
  for (const [chat, users] of Object.entries(typing.value)) {
    const left = Object.fromEntries(Object.entries(users).filter(([, until]) => until > now));
    if (Object.keys(left).length !== Object.keys(users).length) changed = true;
    if (Object.keys(left).length) next[Number(chat)] = left;
  }
  if (changed) typing.value = next;
}

// ---------- frames ----------

const resyncing = new Set<number>();

/** Fetches one chat afresh over REST and continues from its position. */
function resyncChat(chatId: number): void {
  if (resyncing.has(chatId)) return;
  resyncing.add(chatId);
  void (async () => {
    try {
      const chat = await api.get('/api/v1/chats/{chat_id}', { chat_id: chatId });
      const m = new Map(entries.value);
      const old = m.get(chatId);
      m.set(chat.id, { chat, pos: Math.max(chat.last_seq, old?.pos ?? 0) });
      entries.value = m;
      if (conversations.value[chat.id]) await loadConversation(chat.id, true);
    } catch {
      void refreshChats();
    } finally {
      resyncing.delete(chatId);
    }
  })();
}

/** One's own quiet of a chat («не беспокоить», only mentions) into the held list. */
export function applySilence(s: ChatSilence): void {
  const e = entries.value.get(s.chat_id);
  if (!e) return;
  const m = new Map(entries.value);
  m.set(s.chat_id, { ...e, chat: { ...e.chat, silenced_until: s.silenced_until ?? null, mentions_only: s.mentions_only } });
  entries.value = m;
}

export function onFrame(frame: ServerFrame): void {
  switch (frame.type) {
    case 'welcome':
      myId = frame.user_id;
      break;
    case 'ready':
      // The bell's count: after sign-in, and after a reconnect (whatever was missed meanwhile).
      void loadBell();
      if (needsFullReload) {
        needsFullReload = false;
        void refreshChats();
        for (const id of Object.keys(conversations.value)) void loadConversation(Number(id), true).catch(() => {});
      }
      break;
    case 'chat_event': {
      const { chat_id: chatId, seq, event } = frame;
      // Imported history is not sent message by message: the chat is fetched afresh.
      if (event.type === 'history_imported') {
        resyncChat(chatId);
        return;
      }
      const me = myUserId();
      const entry = entries.value.get(chatId);
      if (entry) {
        const where = classify(entry.pos, seq);
        if (where === 'old') return; // seen already: no doubles
        if (where === 'gap') {
          // Before `ready` the replay brings it again in order; after, fetch the chat afresh.
          if (connState.value === 'live') resyncChat(chatId);
          return;
        }
        const next = applyToEntry(entry, seq, event, me, openChat.value === chatId);
        if (!next) return; // seen already: no doubles
        const m = new Map(entries.value);
        m.set(chatId, next);
        entries.value = m;
      } else {
        void refreshChats();
      }
      const conv = conversations.value[chatId];
      if (conv) {
        if (pinNeedsFetch(applyToConversation(conv, event, me), event)) void reloadPins(chatId);
        setConv(chatId, (c) => applyToConversation(c, event, me));
      }
      if (event.type === 'message_sent') {
        outbox.value = settle(outbox.value, event.message, me);
        const who = event.message.sender.id;
        if (typing.value[chatId]?.[who]) {
          const { [who]: _gone, ...rest } = typing.value[chatId]!;
          typing.value = { ...typing.value, [chatId]: rest };
        }
        if (who !== me && openChat.value === chatId) scheduleRead(chatId);
      }
      if (event.type === 'call_started' || event.type === 'call_ended' || event.type === 'call_scheduled') noteCallEvent(chatId, event);
      if (event.type === 'message_acknowledged') ackEvents.set(event.message_id, (ackEvents.get(event.message_id) ?? 0) + 1);
      if (event.type === 'member_left' && event.user_id === me) void refreshChats();
      if (changesMyRights(event, me)) void refreshEntry(chatId);
      const list = members.value[chatId];
      if (list && (event.type === 'member_joined' || event.type === 'member_left')) {
        members.value = { ...members.value, [chatId]: applyToMembers(list, event) };
      }
      if (list && memberListStale(event, me)) void loadMembers(chatId);
      break;
    }
    case 'user_event':
      userSeq = Math.max(userSeq ?? 0, frame.seq);
      if (frame.event.type === 'chat_added' || frame.event.type === 'chat_removed') void refreshChats();
      // A journal change is for the diary, which fetches what it shows again.
      else if (frame.event.type === 'journal_changed') noteJournalChange(frame.event);
      else if (frame.event.type === 'timetable_changed') noteTimetableChange(frame.event);
      else if (frame.event.type === 'final_marks_changed') noteFinalMarksChange(frame.event);
      else if (frame.event.type === 'notification_added' || frame.event.type === 'notifications_read') noteNotificationEvent(frame.event);
      // One's quiet of a chat, set on another device.
      else if (frame.event.type === 'chat_silence_changed') applySilence(frame.event.silence);
      // Something /me shows changed (a name corrected by the school, a photo, the language).
      else if (frame.event.type === 'me_changed') void loadMe();
      break;
    case 'resync':
      resyncChat(frame.chat_id);
      break;
    case 'typing':
      if (frame.user_id !== myUserId()) {
        typing.value = { ...typing.value, [frame.chat_id]: { ...typing.value[frame.chat_id], [frame.user_id]: Date.now() + 6000 } };
      }
      break;
    default:
      // Frames about a call: the chat's banner and the call page.
      if ('call_id' in frame) dispatchCallFrame(frame as CallFrame);
      break;
  }
}

/** Connects after sign-in and disconnects after sign-out. */
export function bindChatsToSession(): () => void {
  return effect(() => {
    const m = me.value;
    untracked(() => {
      if (m) {
        if (started && myId && myId !== m.id) stopChats();
        startChats();
      } else if (m === null) stopChats();
    });
  });
}
