// Pure chat state: what the list and a conversation hold, and how each realtime
// event changes them. No I/O here — everything is a function of (state, input),
// so the rules (no doubles, no gaps, unread counts, the offline queue) are unit-tested.
import type {
  AckStatus,
  Chat,
  ChatEvent,
  ChatMember,
  ClientFrame,
  FileInfo,
  Message,
  Poll,
  QuietHours,
  Reaction,
  ServerFrame,
} from '../api/types';

// ---------- wire frames of /api/v1/ws (from the API document, like the REST types) ----------

export type { ChatEvent, ClientFrame, ServerFrame, UserEvent } from '../api/types';

/** Parses one text frame; null for anything that is not a known frame. */
export function parseFrame(text: string): ServerFrame | null {
  try {
    const v = JSON.parse(text) as { type?: unknown };
    if (!v || typeof v !== 'object' || typeof v.type !== 'string') return null;
    return v as ServerFrame;
  } catch {
    return null;
  }
}

// ---------- positions ----------

/** The resume frame: the personal position and, per chat, the last event applied. */
export function resumeFrame(userSeq: number, positions: ReadonlyMap<number, number>): ClientFrame {
  const chats = [...positions.entries()].sort((a, b) => a[0] - b[0]).map(([chat_id, seq]) => ({ chat_id, seq }));
  return { type: 'resume', user_seq: userSeq, chats };
}

/** Reconnect delay: 0.5 s doubling up to 15 s, with up to 30 % jitter (random in [0,1)). */
export function backoff(attempt: number, random = 0): number {
  const base = Math.min(15_000, 500 * 2 ** Math.max(0, attempt));
  return Math.round(base * (1 + 0.3 * random));
}

// ---------- a conversation ----------

export interface Conversation {
  chatId: number;
  /** Loaded messages, oldest first, unique by id. */
  messages: Message[];
  hasMore: boolean;
  /** The author's view of must-acknowledge posts, by message id (when fetched). */
  acks: Record<number, AckStatus>;
  /** Must-acknowledge posts the reader has confirmed (seen in events or done here). */
  myAcks: number[];
  /** Posts the reader was reminded to confirm. */
  reminded: number[];
  /** Others' read positions (for «прочитано»), by user id. */
  readBy: Record<number, number>;
  /** Pinned messages, most recently pinned first (may be older than the loaded page). */
  pins: Message[];
  /**
   * Mutes seen since the chat was opened (user id → until, null when lifted): the member
   * list does not say who is muted, the `member_muted` events do.
   */
  muted: Record<number, string | null>;
}

export function emptyConversation(chatId: number): Conversation {
  return { chatId, messages: [], hasMore: false, acks: {}, myAcks: [], reminded: [], readBy: {}, pins: [], muted: {} };
}

/** Whether a mute (an instant, or none) still holds at `now` (ms). */
export function isMuted(until: string | null | undefined, now = Date.now()): boolean {
  if (!until) return false;
  const at = new Date(until).getTime();
  return Number.isFinite(at) && at > now;
}

/**
 * Whether one's own quiet of a chat («не беспокоить») holds at `now` (ms): one whose
 * time has passed counts as none, whatever the list last heard.
 */
export function isSilenced(chat: Pick<Chat, 'silenced_until'>, now = Date.now()): boolean {
  return isMuted(chat.silenced_until, now);
}

/**
 * What takes the composer's place for this reader, from the chat's abilities (never
 * re-derived here): the composer (with a note for a moderator of a read-only chat), a
 * mute until it ends, or why nobody in this seat posts (a channel's authors, a
 * read-only chat's moderators, an archive of an ended year).
 */
export type Posting = 'post' | 'post_read_only' | 'muted' | 'channel' | 'closed' | 'archived';

export function postingState(chat: Pick<Chat, 'abilities' | 'muted_until' | 'read_only' | 'kind' | 'archived'>, now = Date.now()): Posting {
  // An archive (its class's year has ended) is read-only for everyone, whatever the seat.
  if (chat.archived) return 'archived';
  if (!chat.abilities.post) return chat.kind.endsWith('_channel') ? 'channel' : 'closed';
  if (isMuted(chat.muted_until, now)) return 'muted';
  return chat.read_only && chat.abilities.set_read_only ? 'post_read_only' : 'post';
}

/** Keeps the reader's own poll choices: events carry everyone's view, with none. */
function mergePoll(old: Poll | null | undefined, next: Poll | null | undefined): Poll | null | undefined {
  if (!next) return next;
  if (old && old.id === next.id && next.my_option_ids.length === 0 && old.my_option_ids.length) {
    return { ...next, my_option_ids: old.my_option_ids };
  }
  return next;
}

function mergeMessage(old: Message | undefined, next: Message): Message {
  if (!old) return next;
  return { ...next, poll: mergePoll(old.poll, next.poll) };
}

/** A message held by the school's quiet hours: no position yet, seen by its sender only. */
export function isHeld(m: Pick<Message, 'seq' | 'held_until'>): boolean {
  return !!m.held_until && m.seq <= 0;
}

// ---------- quiet hours ----------

function dayMinutes(hhmm: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h < 24 && min < 60 ? h * 60 + min : null;
}

/** Minutes after midnight of an instant on the clock of a time zone. */
export function minutesIn(now: Date, timeZone?: string): number {
  const opts: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-GB', { ...opts, timeZone }).formatToParts(now);
  } catch {
    parts = new Intl.DateTimeFormat('en-GB', opts).formatToParts(now);
  }
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return (get('hour') % 24) * 60 + get('minute');
}

/**
 * Whether a message written at `now` falls in the school's quiet hours (from `from`
 * until `to`, across midnight when `from` is later; equal ends mean none) — the rule
 * the server holds messages by.
 */
export function inQuietHours(q: QuietHours | null | undefined, now: Date, timeZone?: string): boolean {
  if (!q) return false;
  const from = dayMinutes(q.from);
  const to = dayMinutes(q.to);
  if (from === null || to === null || from === to) return false;
  const here = minutesIn(now, timeZone);
  return from < to ? from <= here && here < to : here >= from || here < to;
}

/** Ordered by position; held messages (no position yet) come last, as they go out later. */
function order(a: Message, b: Message): number {
  const ha = isHeld(a);
  const hb = isHeld(b);
  if (ha !== hb) return ha ? 1 : -1;
  return ha ? a.id - b.id : a.seq - b.seq;
}

/** Inserts or replaces messages (by id), keeping the list ordered by seq. */
export function upsertMessages(list: Message[], incoming: Message[]): Message[] {
  if (!incoming.length) return list;
  const byId = new Map(list.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, mergeMessage(byId.get(m.id), m));
  return [...byId.values()].sort(order);
}

/** The position to page back from: the oldest delivered message. */
export function oldestSeq(c: Conversation): number | undefined {
  return c.messages.find((m) => !isHeld(m))?.seq;
}

/** An older page goes in front (what is already there wins: it is newer). */
export function prependPage(c: Conversation, page: Message[], hasMore: boolean): Conversation {
  const have = new Set(c.messages.map((m) => m.id));
  return { ...c, messages: upsertMessages(page.filter((m) => !have.has(m.id)), c.messages), hasMore };
}

/** A fresh newest page (on open or after a resync): replaces the list. */
export function replacePage(c: Conversation, page: Message[], hasMore: boolean): Conversation {
  const mine = new Map(c.messages.map((m) => [m.id, m]));
  return { ...c, messages: upsertMessages([], page.map((m) => mergeMessage(mine.get(m.id), m))), hasMore };
}

function mapMessage(c: Conversation, id: number, f: (m: Message) => Message): Conversation {
  const i = c.messages.findIndex((m) => m.id === id);
  if (i < 0) return c;
  const messages = c.messages.slice();
  messages[i] = f(messages[i]!);
  return { ...c, messages };
}

/** Applies one chat event to a conversation. `me`: the reader's user id. */
export function applyToConversation(c: Conversation, event: ChatEvent, me: number): Conversation {
  const next = applyToMessages(c, event, me);
  const pins = updatePins(next, event);
  if (next === c && pins === c.pins) return c;
  return { ...next, pins };
}

/** The pinned list after an event (a pin of a message not loaded is left to a refetch). */
function updatePins(c: Conversation, event: ChatEvent): Message[] {
  switch (event.type) {
    case 'message_pinned': {
      const rest = c.pins.filter((m) => m.id !== event.message_id);
      if (!event.pinned) return rest;
      const m = c.messages.find((x) => x.id === event.message_id) ?? c.pins.find((x) => x.id === event.message_id);
      return m ? [{ ...m, pinned: true }, ...rest] : rest;
    }
    case 'message_deleted':
      return c.pins.some((m) => m.id === event.message_id) ? c.pins.filter((m) => m.id !== event.message_id) : c.pins;
    case 'message_edited':
      return c.pins.map((m) => (m.id === event.message.id ? event.message : m));
    default:
      return c.pins;
  }
}

/** Whether a pin event names a message the conversation cannot show (refetch the pins). */
export function pinNeedsFetch(c: Conversation, event: ChatEvent): boolean {
  return event.type === 'message_pinned' && event.pinned && !c.pins.some((m) => m.id === event.message_id);
}

function applyToMessages(c: Conversation, event: ChatEvent, me: number): Conversation {
  switch (event.type) {
    case 'message_sent':
    case 'message_edited':
      return { ...c, messages: upsertMessages(c.messages, [event.message]) };
    case 'message_pinned':
      return mapMessage(c, event.message_id, (m) => ({ ...m, pinned: event.pinned }));
    case 'message_deleted':
      return mapMessage(c, event.message_id, (m) => ({
        ...m,
        deleted: true,
        deleted_by_moderator: event.by_moderator,
        body: '',
        reactions: [],
        pinned: false,
        poll: null,
      }));
    case 'reactions_changed':
      return mapMessage(c, event.message_id, (m) => ({ ...m, reactions: event.reactions }));
    case 'poll_updated':
      return mapMessage(c, event.message_id, (m) => ({ ...m, poll: mergePoll(m.poll, event.poll) }));
    case 'message_acknowledged': {
      let next = c;
      if (event.user_id === me && !c.myAcks.includes(event.message_id)) next = { ...next, myAcks: [...next.myAcks, event.message_id] };
      const status = next.acks[event.message_id];
      if (status) next = { ...next, acks: { ...next.acks, [event.message_id]: ackConfirmed(status, event.user_id) } };
      return next;
    }
    case 'ack_reminder':
      if (event.user_ids.includes(me) && !c.myAcks.includes(event.message_id) && !c.reminded.includes(event.message_id))
        return { ...c, reminded: [...c.reminded, event.message_id] };
      return c;
    case 'read_up_to':
      if (event.user_id === me) return c;
      return { ...c, readBy: { ...c.readBy, [event.user_id]: Math.max(c.readBy[event.user_id] ?? 0, event.seq) } };
    case 'member_muted':
      return { ...c, muted: { ...c.muted, [event.user_id]: event.until ?? null } };
    default:
      return c;
  }
}

/** Moves a person from «not yet confirmed» to «confirmed». */
export function ackConfirmed(s: AckStatus, userId: number, at = new Date().toISOString()): AckStatus {
  const person = s.pending.find((p) => p.id === userId);
  if (!person) return s;
  return { ...s, pending: s.pending.filter((p) => p.id !== userId), confirmed: [...s.confirmed, { person, at }] };
}


/** Reactions after the reader toggles one (optimistic; the event brings the truth). */
export function toggleReaction(reactions: Reaction[], emoji: string, me: number): Reaction[] {
  const r = reactions.find((x) => x.emoji === emoji);
  if (!r) return [...reactions, { emoji, user_ids: [me] }];
  const user_ids = r.user_ids.includes(me) ? r.user_ids.filter((u) => u !== me) : [...r.user_ids, me];
  return user_ids.length ? reactions.map((x) => (x === r ? { ...x, user_ids } : x)) : reactions.filter((x) => x !== r);
}

/** What the reader may do to a member until the server says (`memberListStale`). */
const NO_ACTIONS: ChatMember['actions'] = { mute: false, remove: false, make_moderator: false, revoke_moderator: false, make_author: false, revoke_author: false };

/** The member list after someone joins or leaves. */
export function applyToMembers(list: ChatMember[], event: ChatEvent): ChatMember[] {
  if (event.type === 'member_left') return list.filter((m) => m.person.id !== event.user_id);
  if (event.type === 'member_joined') {
    const person = { ...event.person, patronymic: event.person.patronymic ?? null };
    const old = list.find((m) => m.person.id === person.id);
    const rest = list.filter((m) => m.person.id !== person.id);
    return [
      ...rest,
      {
        person,
        role: event.role,
        last_read_seq: old?.last_read_seq ?? 0,
        actions: old?.actions ?? NO_ACTIONS,
        // The event carries no school roles: kept from before, else none until the list is read again.
        school_roles: old?.school_roles ?? [],
        teacher_verified: old?.teacher_verified ?? false,
      },
    ];
  }
  return list;
}

/**
 * Whether an event changes what the reader may do in the chat — it was switched
 * read-only or back, or the reader has a new role — so its abilities are fetched
 * afresh: the server alone decides them.
 */
export function changesMyRights(event: ChatEvent, me: number): boolean {
  return event.type === 'chat_updated' || (event.type === 'member_joined' && event.person.id === me);
}

/** Whether an event changes what the reader may do to members: their roles or the reader's. */
export function memberListStale(event: ChatEvent, me: number): boolean {
  return event.type === 'member_joined' || changesMyRights(event, me);
}

// ---------- the chat list ----------

export interface ChatEntry {
  chat: Chat;
  /** The last event applied from the socket (the resume position). */
  pos: number;
}

/**
 * Where an event stands against the last one applied: `old` (a replay or a double:
 * ignore), `next` (apply), or `gap` (something before it is missing). A gap happens
 * in the moment between `welcome` and the server reading `resume`: live events go out
 * from the server's own position, and the replay from ours repeats them in order
 * afterwards — so a gap is dropped, never applied out of order.
 */
export function classify(pos: number, seq: number): 'old' | 'next' | 'gap' {
  if (seq <= pos) return 'old';
  return seq === pos + 1 ? 'next' : 'gap';
}

/**
 * Applies a chat event to the list entry. Returns null when the event is old (seq at or
 * below what was applied: a replay after resume, or a double) — then nothing else
 * should apply it either. `open`: the reader is looking at the chat (nothing is unread).
 */
export function applyToEntry(e: ChatEntry, seq: number, event: ChatEvent, me: number, open: boolean): ChatEntry | null {
  if (seq <= e.pos) return null;
  // Everything up to chat.last_seq is already in the REST snapshot (last message, unread).
  const fresh = seq > e.chat.last_seq;
  let chat: Chat = { ...e.chat, last_seq: Math.max(e.chat.last_seq, seq) };
  switch (event.type) {
    case 'message_sent': {
      const m = event.message;
      if (fresh) {
        chat.last_message = m;
        if (m.sender.id === me || open) {
          if (m.sender.id === me) chat.last_read_seq = Math.max(chat.last_read_seq, m.seq);
        } else chat.unread += 1;
      }
      break;
    }
    case 'message_edited':
    case 'message_deleted': {
      const id = event.type === 'message_edited' ? event.message.id : event.message_id;
      if (chat.last_message?.id === id) {
        chat.last_message =
          event.type === 'message_edited' ? event.message : { ...chat.last_message, deleted: true, body: '', poll: null };
      }
      break;
    }
    case 'read_up_to':
      if (event.user_id === me && event.seq > chat.last_read_seq) {
        chat.last_read_seq = event.seq;
        // Unread counts messages: read past the latest one, nothing is left.
        if (event.seq >= (chat.last_message?.seq ?? 0)) chat.unread = 0;
      }
      break;
    case 'poll_updated':
      if (chat.last_message?.id === event.message_id) chat.last_message = { ...chat.last_message, poll: event.poll };
      break;
    case 'chat_updated':
      // What the reader may do follows from the server (`changesMyRights`).
      chat.read_only = event.read_only;
      break;
    case 'member_muted':
      if (event.user_id === me) chat.muted_until = event.until;
      break;
    case 'chat_renamed':
      chat.title = event.title;
      break;
    case 'member_joined':
      // A new role for the reader (made moderator, or a channel author); what it lets
      // them do comes from the server (`changesMyRights`).
      if (event.person.id === me && fresh) chat.my_role = event.role;
      break;
    default:
      break;
  }
  if (open && chat.unread) chat = { ...chat, unread: 0 };
  return { chat, pos: seq };
}

/**
 * Merges a fresh REST list into what is held. A known chat keeps its socket position;
 * its snapshot wins unless the socket is already past it.
 */
export function mergeChatList(held: ReadonlyMap<number, ChatEntry>, fetched: Chat[]): Map<number, ChatEntry> {
  const out = new Map<number, ChatEntry>();
  for (const c of fetched) {
    const old = held.get(c.id);
    if (!old) out.set(c.id, { chat: c, pos: c.last_seq });
    else if (old.pos > c.last_seq) out.set(c.id, { chat: { ...c, last_seq: old.chat.last_seq, last_message: old.chat.last_message, unread: old.chat.unread, last_read_seq: old.chat.last_read_seq }, pos: old.pos });
    else out.set(c.id, { chat: c, pos: Math.max(old.pos, 0) });
  }
  return out;
}

/** The list order: most recently active first (as the server sorts). */
export function sortChats(entries: Iterable<ChatEntry>): Chat[] {
  const at = (c: Chat) => c.last_message?.created_at ?? '';
  return [...entries].map((e) => e.chat).sort((a, b) => (at(b) < at(a) ? -1 : at(b) > at(a) ? 1 : a.id - b.id));
}

/** The position to mark read: the latest message known (never a later non-message event). */
export function readTarget(e: ChatEntry, c?: Conversation): number {
  let last = 0;
  for (const m of c?.messages ?? []) last = Math.max(last, m.seq);
  return Math.max(e.chat.last_message?.seq ?? 0, last);
}

/** Unread messages across chats (of one school, if given); quieted chats do not count. */
export function totalUnread(entries: Iterable<ChatEntry>, orgId?: number, now = Date.now()): number {
  let n = 0;
  for (const e of entries) if ((orgId === undefined || e.chat.org_id === orgId) && !isSilenced(e.chat, now)) n += e.chat.unread;
  return n;
}

// ---------- the offline queue ----------

export interface Pending {
  client_msg_id: string;
  chat_id: number;
  body: string;
  reply_to: number | null;
  needs_ack: boolean;
  /** Files uploaded beforehand, sent by id (absent in queues saved before files existed). */
  attachments?: FileInfo[];
  /** An admin's post that goes out even in quiet hours. */
  urgent?: boolean;
  /** queued: waits for the connection; sending: a request is out; failed: the server said no. */
  state: 'queued' | 'sending' | 'failed';
  error?: string;
  created_at: string;
}

export function enqueue(q: Pending[], p: Omit<Pending, 'state' | 'created_at'>, now = new Date().toISOString()): Pending[] {
  if (q.some((x) => x.client_msg_id === p.client_msg_id)) return q;
  return [...q, { ...p, state: 'queued', created_at: now }];
}

/** The next items to send: queued ones, oldest first (failed ones wait for the person). */
export function dueForSending(q: Pending[]): Pending[] {
  return q.filter((p) => p.state === 'queued');
}

export function setPendingState(q: Pending[], id: string, state: Pending['state'], error?: string): Pending[] {
  return q.map((p) => (p.client_msg_id === id ? { ...p, state, error } : p));
}

/** The stored message arrived (answer or event): its pending copy goes. */
export function settle(q: Pending[], m: Pick<Message, 'client_msg_id' | 'sender'>, me: number): Pending[] {
  if (m.sender.id !== me) return q;
  return q.some((p) => p.client_msg_id === m.client_msg_id) ? q.filter((p) => p.client_msg_id !== m.client_msg_id) : q;
}

/** Pending items of one chat not yet in the stored list (shown as «отправляется…»). */
export function pendingFor(q: Pending[], chatId: number, stored: Message[], me: number): Pending[] {
  const keys = new Set(stored.filter((m) => m.sender.id === me).map((m) => m.client_msg_id));
  return q.filter((p) => p.chat_id === chatId && !keys.has(p.client_msg_id));
}

/** A fresh idempotency key (kept for every retry of the same message). */
export function newClientMsgId(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  return `m-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}
