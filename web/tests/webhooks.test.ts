import { describe, expect, it } from 'vitest';
import { EVENTS, eventName } from '../src/pages/school/webhooks.strings';

describe('webhook events', () => {
  it('have Russian names, and an unknown one shows its code', () => {
    expect(EVENTS.map(eventName)).toEqual([
      'Человек присоединился к школе',
      'Человек выбыл из школы',
      'Новость в канале школы или учительской',
      'Отметка в журнале',
      'Пропуск или опоздание',
    ]);
    expect(eventName('member.deleted')).toBe('member.deleted');
  });
});
