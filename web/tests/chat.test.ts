import { describe, expect, it } from 'vitest';
import type { AckStatus, Chat, Message, Poll } from '../src/api/types';
import {
  ackConfirmed,
  applyToConversation,
  applyToEntry,
  applyToMembers,
  backoff,
  classify,
  dueForSending,
  emptyConversation,
  enqueue,
  inQuietHours,
  isHeld,
  isMuted,
  minutesIn,
  oldestSeq,
  mergeChatList,
  parseFrame,
  pendingFor,
  pinNeedsFetch,
  postingState,
  prependPage,
  readTarget,
  replacePage,
  resumeFrame,
  setPendingState,
  settle,
  sortChats,
  toggleReaction,
  totalUnread,
  type ChatEntry,
  type ChatEvent,
  type Conversation,
} from '../src/chat/model';
import { MEMBER_ABILITIES, NO_ACTIONS } from './fixtures';

const ME = 17;
const TEACHER = 3;
const person = (id: number) => ({ id, family_name: id === ME ? 'Волкова' : 'Иванова', given_name: 'И', patronymic: null });

function msg(id: number, seq: number, over: Partial<Message> = {}): Message {
  return {
    id,
    chat_id: 8,
    seq,
    sender: person(TEACHER),
    client_msg_id: `k${id}`,
    acked_by_me: false,
    body: `сообщение ${id}`,
    rich: [{ kind: 'paragraph', spans: [{ text: `сообщение ${id}` }] }],
    mentions: [],
    forwarded_from: null,
    reply_to: null,
    created_at: `2026-11-22T10:00:${String(seq).padStart(2, '0')}Z`,
    edited_at: null,
    deleted: false,
    deleted_by_moderator: false,
    pinned: false,
    needs_ack: false,
    reactions: [],
    poll: null,
    attachments: [],
    ...over,
  };
}

function chat(over: Partial<Chat> = {}): Chat {
  return {
    id: 8,
    org_id: 1,
    mentions_only: false,
    kind: 'parents',
    class_id: 2,
    title: '5А — родители',
    read_only: false,
    my_role: 'member',
    abilities: MEMBER_ABILITIES,
    quiet_hours: true,
    last_seq: 10,
    last_read_seq: 10,
    unread: 0,
    last_message: null,
    ...over,
  };
}

function poll(over: Partial<Poll> = {}): Poll {
  return {
    id: 4,
    multiple: false,
    anonymous: false,
    closes_at: null,
    closed: false,
    voters: 0,
    my_option_ids: [],
    options: [
      { id: 1, text: 'Суббота', votes: 0, voter_ids: [] },
      { id: 2, text: 'Воскресенье', votes: 0, voter_ids: [] },
    ],
    ...over,
  };
}

const sent = (m: Message): ChatEvent => ({ type: 'message_sent', message: m });

function conv(messages: Message[]): Conversation {
  return { ...emptyConversation(8), messages };
}

describe('frames and positions', () => {
  it('parses known frames and refuses junk', () => {
    expect(parseFrame('{"type":"ready"}')).toEqual({ type: 'ready' });
    expect(parseFrame('not json')).toBeNull();
    expect(parseFrame('{"no":"type"}')).toBeNull();
    expect(parseFrame('42')).toBeNull();
  });

  it('builds the resume frame from the positions held, ordered by chat', () => {
    const f = resumeFrame(5, new Map([[9, 3], [2, 19], [8, 41]]));
    expect(f).toEqual({ type: 'resume', user_seq: 5, chats: [{ chat_id: 2, seq: 19 }, { chat_id: 8, seq: 41 }, { chat_id: 9, seq: 3 }] });
    expect(JSON.parse(JSON.stringify(f))).toEqual(f);
  });

  it('classifies events: old ones are doubles, a jump is a gap', () => {
    expect(classify(10, 9)).toBe('old');
    expect(classify(10, 10)).toBe('old');
    expect(classify(10, 11)).toBe('next');
    expect(classify(10, 13)).toBe('gap');
  });

  it('backs off exponentially up to 15 s, with jitter', () => {
    expect(backoff(0)).toBe(500);
    expect(backoff(1)).toBe(1000);
    expect(backoff(3)).toBe(4000);
    expect(backoff(10)).toBe(15000);
    expect(backoff(0, 0.999)).toBeLessThanOrEqual(650);
    expect(backoff(0, 0.5)).toBeGreaterThan(500);
  });
});

describe('a conversation', () => {
  it('appends a new message once, however often it arrives', () => {
    let c = conv([msg(1, 5)]);
    c = applyToConversation(c, sent(msg(2, 6)), ME);
    c = applyToConversation(c, sent(msg(2, 6)), ME);
    expect(c.messages.map((m) => m.id)).toEqual([1, 2]);
  });

  it('keeps the list ordered by position even when a page and an event overlap', () => {
    let c = conv([msg(3, 9)]);
    c = prependPage(c, [msg(1, 5), msg(2, 7), msg(3, 9, { body: 'old copy' })], true);
    expect(c.messages.map((m) => m.seq)).toEqual([5, 7, 9]);
    expect(c.messages[2]!.body).toBe('сообщение 3'); // what was there is newer than the page
    expect(c.hasMore).toBe(true);
  });

  it('puts held messages (quiet hours, no position yet) last, and in place once delivered', () => {
    const held = msg(9, 0, { held_until: '2026-11-23T04:00:00Z', sender: person(ME) });
    let c = replacePage(conv([]), [msg(1, 5), msg(2, 6), held], false);
    expect(c.messages.map((m) => m.id)).toEqual([1, 2, 9]);
    expect(oldestSeq(c)).toBe(5);
    c = applyToConversation(c, sent(msg(3, 7)), ME);
    expect(c.messages.map((m) => m.id)).toEqual([1, 2, 3, 9]);
    // Released: the same message takes its position.
    c = applyToConversation(c, sent({ ...held, seq: 8, held_until: null }), ME);
    expect(c.messages.map((m) => [m.id, m.seq])).toEqual([[1, 5], [2, 6], [3, 7], [9, 8]]);
    expect(isHeld(c.messages[3]!)).toBe(false);
    expect(oldestSeq(conv([held]))).toBeUndefined();
  });

  it('edits, deletes (clearing text, reactions, pin and poll) and marks moderator deletions', () => {
    let c = conv([msg(1, 5, { reactions: [{ emoji: '👍', user_ids: [ME] }], pinned: true }), msg(2, 6)]);
    c = applyToConversation(c, { type: 'message_edited', message: msg(2, 6, { body: 'исправлено', edited_at: '2026-11-22T10:01:00Z' }) }, ME);
    expect(c.messages[1]!.body).toBe('исправлено');
    expect(c.messages[1]!.edited_at).toBeTruthy();
    c = applyToConversation(c, { type: 'message_deleted', message_id: 1, by_moderator: true }, ME);
    expect(c.messages[0]).toMatchObject({ deleted: true, deleted_by_moderator: true, body: '', reactions: [], pinned: false });
    // An event for a message not loaded changes nothing.
    expect(applyToConversation(c, { type: 'message_deleted', message_id: 99, by_moderator: false }, ME)).toBe(c);
  });

  it('replaces reactions with the event, and toggles one optimistically', () => {
    let c = conv([msg(1, 5)]);
    c = applyToConversation(c, { type: 'reactions_changed', message_id: 1, reactions: [{ emoji: '❤️', user_ids: [3, 4] }] }, ME);
    expect(c.messages[0]!.reactions).toEqual([{ emoji: '❤️', user_ids: [3, 4] }]);
    const r1 = toggleReaction(c.messages[0]!.reactions, '❤️', ME);
    expect(r1).toEqual([{ emoji: '❤️', user_ids: [3, 4, ME] }]);
    expect(toggleReaction(r1, '❤️', ME)).toEqual([{ emoji: '❤️', user_ids: [3, 4] }]);
    expect(toggleReaction([], '👍', ME)).toEqual([{ emoji: '👍', user_ids: [ME] }]);
    expect(toggleReaction([{ emoji: '👍', user_ids: [ME] }], '👍', ME)).toEqual([]);
  });

  it('tracks pins: a pinned loaded message joins the bar, unpinning or deleting removes it', () => {
    let c = conv([msg(1, 5), msg(2, 6)]);
    const pinOne: ChatEvent = { type: 'message_pinned', message_id: 1, pinned: true };
    c = applyToConversation(c, pinOne, ME);
    expect(c.messages[0]!.pinned).toBe(true);
    expect(c.pins.map((m) => m.id)).toEqual([1]);
    c = applyToConversation(c, { type: 'message_pinned', message_id: 2, pinned: true }, ME);
    expect(c.pins.map((m) => m.id)).toEqual([2, 1]);
    c = applyToConversation(c, { type: 'message_pinned', message_id: 2, pinned: false }, ME);
    expect(c.pins.map((m) => m.id)).toEqual([1]);
    c = applyToConversation(c, { type: 'message_deleted', message_id: 1, by_moderator: false }, ME);
    expect(c.pins).toEqual([]);
    // A pin of a message older than the loaded page: the pins are fetched again.
    expect(pinNeedsFetch(c, { type: 'message_pinned', message_id: 77, pinned: true })).toBe(true);
    expect(pinNeedsFetch(applyToConversation(c, pinOne, ME), pinOne)).toBe(false);
  });

  it('updates polls live but keeps the reader’s own choice (events carry none)', () => {
    let c = conv([msg(1, 5, { poll: poll({ my_option_ids: [2] }) })]);
    const counted = poll({ voters: 2, options: [{ id: 1, text: 'Суббота', votes: 1, voter_ids: [4] }, { id: 2, text: 'Воскресенье', votes: 1, voter_ids: [ME] }] });
    c = applyToConversation(c, { type: 'poll_updated', message_id: 1, poll: counted }, ME);
    expect(c.messages[0]!.poll!.voters).toBe(2);
    expect(c.messages[0]!.poll!.my_option_ids).toEqual([2]);
    // An edit event renders the poll for everyone too.
    c = applyToConversation(c, { type: 'message_edited', message: msg(1, 5, { poll: counted }) }, ME);
    expect(c.messages[0]!.poll!.my_option_ids).toEqual([2]);
    // A fresh page (with the reader's view) wins.
    c = replacePage(c, [msg(1, 5, { poll: { ...counted, my_option_ids: [1] } })], false);
    expect(c.messages[0]!.poll!.my_option_ids).toEqual([1]);
  });

  it('acknowledgements: mine are remembered; the author’s pending list shrinks', () => {
    const status: AckStatus = { message_id: 1, confirmed: [], pending: [person(ME), person(21)] };
    let c: Conversation = { ...conv([msg(1, 5, { needs_ack: true })]), acks: { 1: status } };
    c = applyToConversation(c, { type: 'message_acknowledged', message_id: 1, user_id: ME }, ME);
    expect(c.myAcks).toEqual([1]);
    expect(c.acks[1]!.pending.map((p) => p.id)).toEqual([21]);
    expect(c.acks[1]!.confirmed.map((e) => e.person.id)).toEqual([ME]);
    // The same again (a replay) changes nothing.
    const again = applyToConversation(c, { type: 'message_acknowledged', message_id: 1, user_id: ME }, ME);
    expect(again.myAcks).toEqual([1]);
    expect(again.acks[1]!.confirmed).toHaveLength(1);
    expect(ackConfirmed(status, 999)).toBe(status);
  });

  it('a reminder marks the post for those named who have not confirmed', () => {
    let c = conv([msg(1, 5, { needs_ack: true })]);
    c = applyToConversation(c, { type: 'ack_reminder', message_id: 1, user_ids: [21] }, ME);
    expect(c.reminded).toEqual([]);
    c = applyToConversation(c, { type: 'ack_reminder', message_id: 1, user_ids: [ME, 21] }, ME);
    expect(c.reminded).toEqual([1]);
  });

  it('remembers how far others have read, never backwards', () => {
    let c = conv([]);
    c = applyToConversation(c, { type: 'read_up_to', user_id: 3, seq: 9 }, ME);
    c = applyToConversation(c, { type: 'read_up_to', user_id: 3, seq: 7 }, ME);
    expect(c.readBy).toEqual({ 3: 9 });
  });
});

describe('the chat list', () => {
  const entry = (over: Partial<Chat> = {}, pos?: number): ChatEntry => {
    const c = chat(over);
    return { chat: c, pos: pos ?? c.last_seq };
  };

  it('counts others’ new messages as unread, not one’s own, and not when the chat is open', () => {
    let e = entry();
    e = applyToEntry(e, 11, sent(msg(1, 11)), ME, false)!;
    expect(e.chat.unread).toBe(1);
    expect(e.pos).toBe(11);
    expect(e.chat.last_message!.id).toBe(1);
    e = applyToEntry(e, 12, sent(msg(2, 12, { sender: person(ME) })), ME, false)!;
    expect(e.chat.unread).toBe(1);
    expect(e.chat.last_read_seq).toBe(12);
    e = applyToEntry(e, 13, sent(msg(3, 13)), ME, true)!;
    expect(e.chat.unread).toBe(0);
  });

  it('ignores a replayed or doubled event', () => {
    const e = applyToEntry(entry(), 11, sent(msg(1, 11)), ME, false)!;
    expect(applyToEntry(e, 11, sent(msg(1, 11)), ME, false)).toBeNull();
    expect(applyToEntry(e, 4, sent(msg(9, 4)), ME, false)).toBeNull();
  });

  it('does not count twice what the REST snapshot already counted', () => {
    // The list was fetched at position 12 (1 unread) while the socket stood at 10.
    let e = entry({ last_seq: 12, unread: 1, last_message: msg(2, 12) }, 10);
    e = applyToEntry(e, 11, sent(msg(1, 11)), ME, false)!;
    e = applyToEntry(e, 12, sent(msg(2, 12)), ME, false)!;
    expect(e.chat.unread).toBe(1);
    expect(e.chat.last_message!.id).toBe(2);
    e = applyToEntry(e, 13, sent(msg(3, 13)), ME, false)!;
    expect(e.chat.unread).toBe(2);
  });

  it('reading elsewhere clears the count; others’ reads do not', () => {
    let e = applyToEntry(entry(), 11, sent(msg(1, 11)), ME, false)!;
    e = applyToEntry(e, 12, { type: 'read_up_to', user_id: 3, seq: 11 }, ME, false)!;
    expect(e.chat.unread).toBe(1);
    e = applyToEntry(e, 13, { type: 'read_up_to', user_id: ME, seq: 11 }, ME, false)!;
    expect(e.chat.unread).toBe(0);
    expect(e.chat.last_read_seq).toBe(11);
  });

  it('keeps the last message preview in step with edits and deletions', () => {
    let e = applyToEntry(entry(), 11, sent(msg(1, 11)), ME, false)!;
    e = applyToEntry(e, 12, { type: 'message_edited', message: msg(1, 11, { body: 'новый текст' }) }, ME, false)!;
    expect(e.chat.last_message!.body).toBe('новый текст');
    e = applyToEntry(e, 13, { type: 'message_deleted', message_id: 1, by_moderator: false }, ME, false)!;
    expect(e.chat.last_message!.deleted).toBe(true);
  });

  it('marks read up to the latest message, never up to a later read event', () => {
    let e = applyToEntry(entry(), 11, sent(msg(1, 11)), ME, true)!;
    e = applyToEntry(e, 12, { type: 'read_up_to', user_id: 3, seq: 11 }, ME, true)!;
    expect(readTarget(e)).toBe(11);
    expect(readTarget(e, conv([msg(1, 11), msg(5, 14)]))).toBe(14);
  });

  it('merges a fresh list: new chats start at their position, known ones keep the socket’s', () => {
    const held = new Map<number, ChatEntry>([[8, { chat: chat({ last_seq: 15, unread: 3 }), pos: 15 }], [9, entry({ id: 9 })]]);
    const merged = mergeChatList(held, [chat({ last_seq: 12, unread: 1 }), chat({ id: 11, last_seq: 4 })]);
    expect([...merged.keys()].sort()).toEqual([11, 8]); // chat 9 is gone
    expect(merged.get(8)!.pos).toBe(15); // the socket is ahead of that snapshot: keep what it built
    expect(merged.get(8)!.chat.unread).toBe(3);
    expect(merged.get(11)!.pos).toBe(4);
    const newer = mergeChatList(held, [chat({ last_seq: 20, unread: 5 })]);
    expect(newer.get(8)!.pos).toBe(15); // events 16..20 still come and apply
    expect(newer.get(8)!.chat.unread).toBe(5);
  });

  it('follows a moderator making the chat read-only, and muting the reader', () => {
    let e = entry();
    e = applyToEntry(e, 11, { type: 'chat_updated', read_only: true }, ME, false)!;
    expect(e.chat.read_only).toBe(true);
    e = applyToEntry(e, 12, { type: 'chat_updated', read_only: false }, ME, false)!;
    expect(e.chat.read_only).toBe(false);
    e = applyToEntry(e, 13, { type: 'member_muted', user_id: 21, until: '2026-11-22T12:00:00Z' }, ME, false)!;
    expect(e.chat.muted_until ?? null).toBeNull();
    e = applyToEntry(e, 14, { type: 'member_muted', user_id: ME, until: '2026-11-22T12:00:00Z' }, ME, false)!;
    expect(e.chat.muted_until).toBe('2026-11-22T12:00:00Z');
  });

  it('sorts by activity and sums unread per school', () => {
    const a = entry({ id: 1, unread: 2, last_message: msg(1, 1, { created_at: '2026-11-22T09:00:00Z' }) });
    const b = entry({ id: 2, unread: 1, org_id: 2, last_message: msg(2, 1, { created_at: '2026-11-22T11:00:00Z' }) });
    const c = entry({ id: 3, unread: 0, last_message: null });
    expect(sortChats([a, b, c]).map((x) => x.id)).toEqual([2, 1, 3]);
    expect(totalUnread([a, b, c])).toBe(3);
    expect(totalUnread([a, b, c], 1)).toBe(2);
  });
});

describe('members', () => {
  it('follow joins and departures without doubles', () => {
    const start = [{ person: person(TEACHER), role: 'moderator' as const, last_read_seq: 3, actions: NO_ACTIONS, school_roles: ['teacher' as const], teacher_verified: true }];
    let list = applyToMembers(start, { type: 'member_joined', person: person(ME), role: 'member' });
    list = applyToMembers(list, { type: 'member_joined', person: person(ME), role: 'member' });
    expect(list.map((m) => m.person.id)).toEqual([TEACHER, ME]);
    list = applyToMembers(list, { type: 'member_left', user_id: TEACHER });
    expect(list.map((m) => m.person.id)).toEqual([ME]);
  });

  it('keep the school roles known before a join event, which carries none', () => {
    const start = [{ person: person(TEACHER), role: 'member' as const, last_read_seq: 3, actions: NO_ACTIONS, school_roles: ['teacher' as const], teacher_verified: true }];
    const list = applyToMembers(start, { type: 'member_joined', person: person(TEACHER), role: 'moderator' });
    expect(list.map((m) => [m.role, m.school_roles, m.teacher_verified])).toEqual([['moderator', ['teacher'], true]]);
    const fresh = applyToMembers([], { type: 'member_joined', person: person(ME), role: 'member' });
    expect(fresh.map((m) => [m.school_roles, m.teacher_verified])).toEqual([[[], false]]);
  });
});

describe('the offline queue', () => {
  const base = { chat_id: 8, body: 'Хорошо, подпишем', reply_to: null, needs_ack: false };

  it('queues a message once per key, and keeps the key for every retry', () => {
    let q = enqueue([], { ...base, client_msg_id: 'a' });
    q = enqueue(q, { ...base, client_msg_id: 'a' });
    expect(q).toHaveLength(1);
    expect(q[0]!.state).toBe('queued');
    q = setPendingState(q, 'a', 'sending');
    expect(dueForSending(q)).toEqual([]); // not sent twice at once
    q = setPendingState(q, 'a', 'queued'); // no answer: try again later
    expect(dueForSending(q).map((p) => p.client_msg_id)).toEqual(['a']);
  });

  it('sends in order and leaves refused ones for the person', () => {
    let q = enqueue(enqueue(enqueue([], { ...base, client_msg_id: 'a' }), { ...base, client_msg_id: 'b' }), { ...base, client_msg_id: 'c' });
    q = setPendingState(q, 'a', 'failed', 'Слишком длинное сообщение.');
    expect(dueForSending(q).map((p) => p.client_msg_id)).toEqual(['b', 'c']);
    expect(q[0]!.error).toBe('Слишком длинное сообщение.');
  });

  it('the stored message (answer or event) replaces the pending copy exactly once', () => {
    let q = enqueue([], { ...base, client_msg_id: 'a' });
    const stored = msg(7, 20, { client_msg_id: 'a', sender: person(ME) });
    // Someone else's message with the same key is not ours.
    expect(settle(q, { ...stored, sender: person(3) }, ME)).toBe(q);
    expect(pendingFor(q, 8, [], ME)).toHaveLength(1);
    // The event came before the answer: the pending copy is hidden at once…
    expect(pendingFor(q, 8, [stored], ME)).toHaveLength(0);
    q = settle(q, stored, ME);
    expect(q).toEqual([]);
    // …and the answer afterwards changes nothing.
    expect(settle(q, stored, ME)).toBe(q);
    // The conversation holds the message once, whichever arrives first.
    let c = conv([]);
    c = applyToConversation(c, sent(stored), ME);
    c = applyToConversation(c, sent(stored), ME);
    expect(c.messages).toHaveLength(1);
  });

  it('shows pending items only in their chat', () => {
    const q = enqueue(enqueue([], { ...base, client_msg_id: 'a' }), { ...base, chat_id: 9, client_msg_id: 'b' });
    expect(pendingFor(q, 9, [], ME).map((p) => p.client_msg_id)).toEqual(['b']);
  });
});

describe('moderation state', () => {
  it('remembers who was muted and when it was lifted, from events', () => {
    let c = conv([msg(1, 1)]);
    c = applyToConversation(c, { type: 'member_muted', user_id: 21, until: '2026-11-22T12:00:00Z' }, ME);
    expect(c.muted).toEqual({ 21: '2026-11-22T12:00:00Z' });
    c = applyToConversation(c, { type: 'member_muted', user_id: 21, until: null }, ME);
    expect(c.muted).toEqual({ 21: null });
    expect(c.messages).toHaveLength(1);
  });

  it('a mute holds until its end', () => {
    const now = Date.parse('2026-11-22T11:00:00Z');
    expect(isMuted('2026-11-22T12:00:00Z', now)).toBe(true);
    expect(isMuted('2026-11-22T10:59:59Z', now)).toBe(false);
    expect(isMuted(null, now)).toBe(false);
    expect(isMuted('not a date', now)).toBe(false);
  });

  it('who may post follows the chat’s abilities: a mute, a channel’s authors, a read-only chat’s moderators', () => {
    const now = Date.parse('2026-11-22T11:00:00Z');
    const closed = { ...MEMBER_ABILITIES, post: false };
    expect(postingState(chat(), now)).toBe('post');
    expect(postingState(chat({ muted_until: '2026-11-22T11:30:00Z' }), now)).toBe('muted');
    expect(postingState(chat({ muted_until: '2026-11-22T10:30:00Z' }), now)).toBe('post');
    // A student in the school channel: a member, not an author.
    expect(postingState(chat({ kind: 'school_channel', abilities: closed }), now)).toBe('channel');
    expect(postingState(chat({ kind: 'staff_channel', abilities: closed }), now)).toBe('channel');
    expect(postingState(chat({ read_only: true, abilities: closed }), now)).toBe('closed');
    // Nothing to post, nothing to mute: the mute is not the reason.
    expect(postingState(chat({ read_only: true, abilities: closed, muted_until: '2026-11-22T11:30:00Z' }), now)).toBe('closed');
    // A moderator of a read-only chat still posts, and is told the others cannot.
    expect(postingState(chat({ read_only: true, abilities: { ...MEMBER_ABILITIES, set_read_only: true } }), now)).toBe('post_read_only');
    expect(postingState(chat({ read_only: false, abilities: { ...MEMBER_ABILITIES, set_read_only: true } }), now)).toBe('post');
    // An archive of an ended year: read-only for everyone, its moderators too, whatever the mute.
    expect(postingState(chat({ archived: true, abilities: closed }), now)).toBe('archived');
    expect(postingState(chat({ archived: true, read_only: true, abilities: { ...MEMBER_ABILITIES, set_read_only: true } }), now)).toBe('archived');
    expect(postingState(chat({ archived: true, abilities: closed, muted_until: '2026-11-22T11:30:00Z' }), now)).toBe('archived');
    expect(postingState(chat({ archived: false }), now)).toBe('post');
  });

  it('a queued message keeps its files and the urgent mark', () => {
    const file = { id: 4, name: 'план.pdf', size: 1200, content_type: 'application/pdf' };
    const q = enqueue([], { client_msg_id: 'k', chat_id: 8, body: '', reply_to: null, needs_ack: false, attachments: [file], urgent: true });
    expect(q[0]).toMatchObject({ attachments: [file], urgent: true, state: 'queued' });
  });
});

describe('quiet hours', () => {
  const at = (iso: string) => new Date(iso);
  const night = { from: '21:00', to: '07:00' };

  it('read the clock of the school', () => {
    expect(minutesIn(at('2026-11-22T18:30:00Z'), 'Europe/Moscow')).toBe(21 * 60 + 30);
    expect(minutesIn(at('2026-11-22T18:30:00Z'), 'Asia/Yekaterinburg')).toBe(23 * 60 + 30);
  });

  it('span midnight when they start later than they end', () => {
    expect(inQuietHours(night, at('2026-11-22T18:00:00Z'), 'Europe/Moscow')).toBe(true); // 21:00
    expect(inQuietHours(night, at('2026-11-22T23:00:00Z'), 'Europe/Moscow')).toBe(true); // 02:00
    expect(inQuietHours(night, at('2026-11-23T04:00:00Z'), 'Europe/Moscow')).toBe(false); // 07:00
    expect(inQuietHours(night, at('2026-11-22T17:59:00Z'), 'Europe/Moscow')).toBe(false); // 20:59
    // 17:00 UTC is 21:00 in Samara but 20:00 in Moscow.
    expect(inQuietHours(night, at('2026-11-22T17:00:00Z'), 'Europe/Samara')).toBe(true);
    expect(inQuietHours(night, at('2026-11-22T17:00:00Z'), 'Europe/Moscow')).toBe(false);
  });

  it('within a day, and never when off, equal or malformed', () => {
    const day = { from: '13:00', to: '15:00' };
    expect(inQuietHours(day, at('2026-11-22T10:30:00Z'), 'Europe/Moscow')).toBe(true);
    expect(inQuietHours(day, at('2026-11-22T12:00:00Z'), 'Europe/Moscow')).toBe(false);
    expect(inQuietHours(null, at('2026-11-22T10:30:00Z'), 'Europe/Moscow')).toBe(false);
    expect(inQuietHours({ from: '07:00', to: '07:00' }, at('2026-11-22T04:00:00Z'), 'Europe/Moscow')).toBe(false);
    expect(inQuietHours({ from: '7:00', to: '08:00' }, at('2026-11-22T04:30:00Z'), 'Europe/Moscow')).toBe(false);
  });
});
