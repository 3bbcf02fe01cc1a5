// Where the log's separators go: a heading for each day, «Новые сообщения» above the
// first message that was unread when the chat was opened, and runs of one sender's
// messages drawn as a group (name and avatar once). Pure, so it is unit-tested.
import type { Message } from '../api/types';
import { isHeld } from '../chat/model';
import { lang, t } from '../i18n';

/** Messages of one sender this close together (and on one day) form a group. */
export const GROUP_GAP_MS = 5 * 60_000;

/** `YYYY-MM-DD` of an instant on the clock of a time zone (the browser's when none). */
export function dayKey(at: string | Date, timeZone?: string): string {
  const d = new Date(at);
  const opts: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit' };
  try {
    return new Intl.DateTimeFormat('en-CA', { ...opts, timeZone }).format(d);
  } catch {
    return new Intl.DateTimeFormat('en-CA', opts).format(d);
  }
}

/** The day before a `YYYY-MM-DD` (from noon, so no clock change gets in the way). */
function dayBefore(ymd: string): string {
  return new Date(new Date(`${ymd}T12:00:00Z`).getTime() - 86_400_000).toISOString().slice(0, 10);
}

/** «Сегодня», «Вчера», «5 декабря», or «5 декабря 2025» in another year. */
export function dayLabel(at: string, now: Date = new Date(), timeZone?: string): string {
  const key = dayKey(at, timeZone);
  const today = dayKey(now, timeZone);
  if (key === today) return t('chats.today');
  if (key === dayBefore(today)) return t('chats.yesterday');
  const [y, m, d] = key.split('-').map(Number) as [number, number, number];
  const opts: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'long', timeZone: 'UTC' };
  if (key.slice(0, 4) !== today.slice(0, 4)) opts.year = 'numeric';
  // Russian adds «г.» after a year; a heading reads better without it.
  return new Intl.DateTimeFormat(lang.value === 'ru' ? 'ru-RU' : 'en-GB', opts).format(new Date(Date.UTC(y, m - 1, d))).replace(/\s*г\.$/, '');
}

/**
 * The first message unread at `lastReadSeq` (the reader's mark when the chat was opened,
 * kept so the divider does not move while reading): someone else's, delivered, past it.
 */
export function firstUnreadId(messages: Message[], lastReadSeq: number, me: number): number | null {
  return messages.find((m) => m.seq > lastReadSeq && m.sender.id !== me && !isHeld(m))?.id ?? null;
}

/**
 * Whether unread messages (past `lastReadSeq`) may lie above the loaded ones: then the
 * view pages back before it opens at the first of them.
 */
export function unreadAbove(c: { messages: Message[]; hasMore: boolean }, lastReadSeq: number | null): boolean {
  if (lastReadSeq === null || !c.hasMore) return false;
  const oldest = c.messages.find((m) => !isHeld(m))?.seq;
  return oldest !== undefined && oldest > lastReadSeq;
}

export interface Row {
  m: Message;
  /** A day heading goes above this message. */
  day: string | null;
  /** «Новые сообщения» goes above this message. */
  unread: boolean;
  /** It continues the previous message's group: no name or avatar of its own. */
  cont: boolean;
}

/** The log as rows: each message with the separators above it and whether it starts a group. */
export function layoutRows(messages: Message[], opts: { lastReadSeq: number | null; me: number; now?: Date; timeZone?: string }): Row[] {
  const unreadId = opts.lastReadSeq === null ? null : firstUnreadId(messages, opts.lastReadSeq, opts.me);
  let prev: Message | null = null;
  let prevDay = '';
  return messages.map((m) => {
    const key = dayKey(m.created_at, opts.timeZone);
    const day = key !== prevDay ? dayLabel(m.created_at, opts.now, opts.timeZone) : null;
    const unread = m.id === unreadId;
    const gap = prev ? new Date(m.created_at).getTime() - new Date(prev.created_at).getTime() : Infinity;
    // An imported guest's messages are stored under their importer: a guest is a sender of their own.
    const sameSender = !!prev && prev.sender.id === m.sender.id && (prev.guest_name ?? null) === (m.guest_name ?? null);
    const cont = !!prev && !day && !unread && sameSender && gap >= 0 && gap < GROUP_GAP_MS;
    prev = m;
    prevDay = key;
    return { m, day, unread, cont };
  });
}
