import { afterEach, describe, expect, it } from 'vitest';
import type { Chat } from '../src/api/types';
import { isSilenced, totalUnread, type ChatEntry } from '../src/chat/model';
import { silenceText, silencedForever } from '../src/chat/silence';
import { lang } from '../src/i18n';
import { MEMBER_ABILITIES } from './fixtures';

afterEach(() => {
  lang.value = 'ru';
});

const MSK = 'Europe/Moscow';
// 15:10 in Moscow on 7 December 2026.
const NOW = new Date('2026-12-07T12:10:00Z');

function entry(id: number, unread: number, silenced_until: string | null, org_id = 1): ChatEntry {
  const chat: Chat = {
    id,
    org_id,
    mentions_only: false,
    silenced_until,
    kind: 'group',
    title: `Чат ${id}`,
    read_only: false,
    my_role: 'member',
    abilities: MEMBER_ABILITIES,
    quiet_hours: true,
    last_seq: 10,
    last_read_seq: 10 - unread,
    unread,
    last_message: null,
  };
  return { chat, pos: 10 };
}

describe('is a chat quieted now', () => {
  const now = NOW.getTime();

  it('not without a time, nor with one that has passed or is now', () => {
    expect(isSilenced({ silenced_until: null }, now)).toBe(false);
    expect(isSilenced({}, now)).toBe(false);
    expect(isSilenced({ silenced_until: '2026-12-07T12:09:59Z' }, now)).toBe(false);
    expect(isSilenced({ silenced_until: '2026-12-07T12:10:00Z' }, now)).toBe(false);
    expect(isSilenced({ silenced_until: 'not a time' }, now)).toBe(false);
  });

  it('yes until the time comes, and for good', () => {
    expect(isSilenced({ silenced_until: '2026-12-07T13:10:00Z' }, now)).toBe(true);
    expect(isSilenced({ silenced_until: '9999-12-31T23:59:59Z' }, now)).toBe(true);
  });

  it('quieted chats leave the unread total; one whose quiet has ended counts again', () => {
    const list = [entry(1, 3, null), entry(2, 5, '2026-12-07T13:10:00Z'), entry(3, 2, '2026-12-07T11:00:00Z'), entry(4, 7, null, 2)];
    expect(totalUnread(list, undefined, now)).toBe(12);
    expect(totalUnread(list, 1, now)).toBe(5);
    // An hour later the second chat's quiet is over.
    expect(totalUnread(list, 1, now + 3600_000)).toBe(10);
  });
});

describe('until when, in words', () => {
  it('today: the time alone', () => {
    expect(silenceText('2026-12-07T15:40:00Z', NOW, MSK)).toBe('Без звука до 18:40');
    expect(silenceText('2026-12-07T13:10:00Z', NOW, MSK)).toBe('Без звука до 16:10');
  });

  it('tomorrow: the hour as it is said, without a leading zero', () => {
    expect(silenceText('2026-12-08T05:00:00Z', NOW, MSK)).toBe('Без звука до завтра, 8:00');
    // Eight hours from 20:00 end after midnight in the school's zone.
    expect(silenceText('2026-12-08T01:00:00Z', new Date('2026-12-07T17:00:00Z'), MSK)).toBe('Без звука до завтра, 4:00');
  });

  it('the school’s zone decides the day', () => {
    // 23:30 UTC is already the 8th in Moscow, still the 7th in UTC.
    const late = new Date('2026-12-07T20:30:00Z');
    expect(silenceText('2026-12-07T23:30:00Z', late, 'UTC')).toBe('Без звука до 23:30');
    expect(silenceText('2026-12-07T23:30:00Z', late, MSK)).toBe('Без звука до завтра, 2:30');
  });

  it('later: the date', () => {
    const text = silenceText('2026-12-10T05:00:00Z', NOW, MSK);
    expect(text.startsWith('Без звука до ')).toBe(true);
    expect(text).toContain('10');
    expect(text).toContain('08:00');
  });

  it('for good: the year 9999', () => {
    expect(silencedForever('9999-12-31T23:59:59Z')).toBe(true);
    expect(silencedForever('2026-12-08T05:00:00Z')).toBe(false);
    expect(silenceText('9999-12-31T23:59:59Z', NOW, MSK)).toBe('Без звука навсегда');
  });

  it('in English', () => {
    lang.value = 'en';
    expect(silenceText('2026-12-07T15:40:00Z', NOW, MSK)).toBe('Muted until 18:40');
    expect(silenceText('2026-12-08T05:00:00Z', NOW, MSK)).toBe('Muted until tomorrow, 8:00');
    expect(silenceText('9999-12-31T23:59:59Z', NOW, MSK)).toBe('Muted for good');
  });
});
