import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../src/api/types';
import { draftKey, readDrafts, writeDraft } from '../src/chat/drafts';
import { lang } from '../src/i18n';
import { avatarColour, initials } from '../src/pages/chat-avatar';
import { dayKey, dayLabel, firstUnreadId, layoutRows, unreadAbove } from '../src/pages/chat-dividers';
import { firstLine } from '../src/pages/chat-quote';

afterEach(() => {
  lang.value = 'ru';
});

const MSK = 'Europe/Moscow';
// 15:10 in Moscow on Monday 7 December 2026.
const NOW = new Date('2026-12-07T12:10:00Z');

let nextId = 1;
function msg(sender: number, at: string, seq: number, extra: Partial<Message> = {}): Message {
  return {
    id: nextId++,
    chat_id: 1,
    seq,
    sender: { id: sender, family_name: 'Иванова', given_name: 'Мария', patronymic: 'Сергеевна' },
    body: `сообщение ${seq}`,
    rich: [],
    created_at: at,
    client_msg_id: `c${seq}`,
    deleted: false,
    deleted_by_moderator: false,
    acked_by_me: false,
    attachments: [],
    mentions: [],
    needs_ack: false,
    pinned: false,
    reactions: [],
    ...extra,
  };
}

describe('day headings', () => {
  it('says today, yesterday, a date, and the year only for another year', () => {
    expect(dayLabel('2026-12-07T05:00:00Z', NOW, MSK)).toBe('Сегодня');
    expect(dayLabel('2026-12-06T20:59:00Z', NOW, MSK)).toBe('Вчера');
    expect(dayLabel('2026-12-05T10:00:00Z', NOW, MSK)).toBe('5 декабря');
    expect(dayLabel('2025-12-05T10:00:00Z', NOW, MSK)).toBe('5 декабря 2025');
  });

  it('counts days on the given clock, not in UTC', () => {
    // 21:30 UTC on the 6th is 00:30 on the 7th in Moscow: today there.
    expect(dayKey('2026-12-06T21:30:00Z', MSK)).toBe('2026-12-07');
    expect(dayLabel('2026-12-06T21:30:00Z', NOW, MSK)).toBe('Сегодня');
    expect(dayLabel('2026-12-06T21:30:00Z', NOW, 'UTC')).toBe('Вчера');
  });

  it('yesterday across a new year', () => {
    expect(dayLabel('2026-12-31T10:00:00Z', new Date('2027-01-01T10:00:00Z'), MSK)).toBe('Вчера');
  });

  it('speaks English too', () => {
    lang.value = 'en';
    expect(dayLabel('2026-12-07T05:00:00Z', NOW, MSK)).toBe('Today');
    expect(dayLabel('2026-12-05T10:00:00Z', NOW, MSK)).toBe('5 December');
    expect(dayLabel('2024-03-01T10:00:00Z', NOW, MSK)).toBe('1 March 2024');
  });
});

describe('the log rows', () => {
  const opts = { lastReadSeq: null, me: 1, now: NOW, timeZone: MSK };

  it('a heading above the first message of each day', () => {
    const rows = layoutRows([msg(2, '2026-12-06T08:00:00Z', 1), msg(2, '2026-12-06T09:00:00Z', 2), msg(2, '2026-12-07T08:00:00Z', 3)], opts);
    expect(rows.map((r) => r.day)).toEqual(['Вчера', null, 'Сегодня']);
  });

  it('groups one sender within five minutes on one day', () => {
    const rows = layoutRows(
      [
        msg(2, '2026-12-07T08:00:00Z', 1),
        msg(2, '2026-12-07T08:04:00Z', 2), // same sender, 4 min: grouped
        msg(3, '2026-12-07T08:05:00Z', 3), // another sender
        msg(3, '2026-12-07T08:11:00Z', 4), // 6 min later: a new group
        msg(3, '2026-12-07T08:12:00Z', 5),
      ],
      opts,
    );
    expect(rows.map((r) => r.cont)).toEqual([false, true, false, false, true]);
  });

  it('a new day or the unread divider starts a new group', () => {
    const rows = layoutRows([msg(2, '2026-12-06T20:58:00Z', 1), msg(2, '2026-12-06T21:01:00Z', 2), msg(2, '2026-12-06T21:02:00Z', 3)], {
      ...opts,
      lastReadSeq: 2,
    });
    // 23:58 and 00:01 in Moscow: two days; seq 3 is the first unread.
    expect(rows.map((r) => [r.day !== null, r.unread, r.cont])).toEqual([
      [true, false, false],
      [true, false, false],
      [false, true, false],
    ]);
  });

  it('the unread divider goes above the first message of someone else past the mark', () => {
    const list = [msg(2, '2026-12-07T08:00:00Z', 5), msg(1, '2026-12-07T08:01:00Z', 6), msg(2, '2026-12-07T08:02:00Z', 7), msg(2, '2026-12-07T08:03:00Z', 8)];
    // One's own message after the mark is no news.
    expect(firstUnreadId(list, 5, 1)).toBe(list[2]!.id);
    expect(firstUnreadId(list, 8, 1)).toBeNull();
    expect(firstUnreadId(list, 0, 1)).toBe(list[0]!.id);
    expect(layoutRows(list, { ...opts, lastReadSeq: 5 }).filter((r) => r.unread).map((r) => r.m.seq)).toEqual([7]);
    // No mark known (the chat list not loaded yet): no divider.
    expect(layoutRows(list, opts).some((r) => r.unread)).toBe(false);
  });

  it('pages back while unread messages may lie above the loaded ones', () => {
    const page = [msg(2, '2026-12-07T08:00:00Z', 40), msg(2, '2026-12-07T08:01:00Z', 41)];
    expect(unreadAbove({ messages: page, hasMore: true }, 30)).toBe(true);
    // The mark is within the page, or nothing is older: the first unread is here.
    expect(unreadAbove({ messages: page, hasMore: true }, 40)).toBe(false);
    expect(unreadAbove({ messages: page, hasMore: false }, 30)).toBe(false);
    // Nothing was unread on opening.
    expect(unreadAbove({ messages: page, hasMore: true }, null)).toBe(false);
  });

  it('a held post (no position yet) is not unread news', () => {
    const held = msg(2, '2026-12-07T08:00:00Z', 0, { held_until: '2026-12-08T04:00:00Z' });
    expect(firstUnreadId([held], 3, 1)).toBeNull();
  });
});

/** A Storage in memory, as localStorage behaves. */
function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    key: (i) => [...m.keys()][i] ?? null,
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, String(v)),
    removeItem: (k) => void m.delete(k),
    clear: () => m.clear(),
  };
}

describe('drafts', () => {
  it('are kept per user and chat; blank text removes one', () => {
    const s = memoryStorage();
    writeDraft(s, 7, 1, 'Добрый день');
    writeDraft(s, 7, 2, 'Спасибо');
    writeDraft(s, 8, 1, 'чужой черновик');
    s.setItem('parta.outbox.7', '[]');
    expect(readDrafts(s, 7)).toEqual({ 1: 'Добрый день', 2: 'Спасибо' });
    expect(s.getItem(draftKey(8, 1))).toBe('чужой черновик');
    writeDraft(s, 7, 2, '   ');
    expect(readDrafts(s, 7)).toEqual({ 1: 'Добрый день' });
    // User 7's keys do not match user 70's.
    writeDraft(s, 70, 3, 'x');
    expect(readDrafts(s, 7)).toEqual({ 1: 'Добрый день' });
  });
});

describe('avatars and quotes', () => {
  it('initials: given name, then family name', () => {
    expect(initials({ given_name: 'мария', family_name: 'Иванова' })).toBe('МИ');
    expect(initials({ given_name: '', family_name: '' })).toBe('?');
  });

  it('a colour per person, the same every time, spread over the palette', () => {
    expect(avatarColour(42)).toBe(avatarColour(42));
    const seen = new Set(Array.from({ length: 64 }, (_, i) => avatarColour(i + 1)));
    expect(seen.size).toBe(8);
    for (const c of seen) expect(c >= 0 && c < 8).toBe(true);
  });

  it('a quote shows the first line with text', () => {
    expect(firstLine('\n  Первая строка \nвторая')).toBe('Первая строка');
    expect(firstLine('')).toBe('');
  });
});
