import { afterEach, describe, expect, it } from 'vitest';
import type { Order } from '../src/api/types';
import { lang } from '../src/i18n';
import { canEnd, orderErrors, orderField, orderRequest, orderStatus, statusDate, type OrderDraft } from '../src/journal/orders';
import { en, ru, t } from '../src/pages/school/orders.strings';
import { t as journalT } from '../src/pages/journal/journal.strings';

const order = (over: Partial<Order> = {}): Order =>
  ({
    id: 1,
    number: '9-о',
    issued_on: '2026-12-07',
    reason: 'Морозы',
    starts_on: '2026-12-08',
    ends_on: '2026-12-11',
    whole_school: false,
    classes: [{ id: 5, name: '5А', kind: 'class' }],
    document: null,
    issued_by: { id: 2, family_name: 'Петров', given_name: 'Пётр', patronymic: 'Петрович' },
    created_at: '2026-12-07T08:00:00Z',
    ended_early_at: null,
    in_force_until: '2026-12-11',
    in_force: false,
    announcements: [],
    ...over,
  }) as Order;

afterEach(() => {
  lang.value = 'ru';
});

describe('order status', () => {
  it('an order registered for days to come is upcoming, and may be ended', () => {
    const o = order();
    expect(orderStatus(o, '2026-12-07')).toBe('upcoming');
    expect(statusDate(o, 'upcoming')).toBe('2026-12-08');
    expect(canEnd('upcoming')).toBe(true);
  });

  it('in force from its first day through its last', () => {
    expect(orderStatus(order({ in_force: true }), '2026-12-08')).toBe('in_force');
    expect(orderStatus(order(), '2026-12-11')).toBe('in_force');
    expect(statusDate(order(), 'in_force')).toBe('2026-12-11');
    expect(canEnd('in_force')).toBe(true);
  });

  it('over after its last day, and no longer ended', () => {
    expect(orderStatus(order(), '2026-12-12')).toBe('over');
    expect(canEnd('over')).toBe(false);
  });

  it('ended early: through today on the day it was ended, then past; before it began, cancelled', () => {
    const ended = order({ ended_early_at: '2026-12-09T10:00:00Z', in_force_until: '2026-12-09', in_force: true });
    expect(orderStatus(ended, '2026-12-09')).toBe('ending_today');
    expect(orderStatus({ ...ended, in_force: false }, '2026-12-10')).toBe('ended_early');
    expect(statusDate(ended, 'ended_early')).toBe('2026-12-09');
    const cancelled = order({ ended_early_at: '2026-12-07T10:00:00Z', in_force_until: null });
    expect(orderStatus(cancelled, '2026-12-07')).toBe('cancelled');
    for (const s of ['ending_today', 'ended_early', 'cancelled'] as const) expect(canEnd(s)).toBe(false);
  });

  it('the wording in Russian and English', () => {
    expect(t('ord.status.in_force', { date: '11 декабря 2026 г.' })).toBe('Действует по 11 декабря 2026 г.');
    expect(t('ord.status.cancelled')).toBe('Завершён досрочно до начала, в силу не вступил');
    expect(t('ord.end_confirm')).toContain('С завтрашнего дня уроки пойдут по обычному расписанию; в чаты классов уйдёт сообщение');
    lang.value = 'en';
    expect(t('ord.status.upcoming', { date: '8 December 2026' })).toBe('Takes effect on 8 December 2026');
  });

  it('English has every key of Russian', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ru).sort());
  });
});

describe('the registration form', () => {
  const draft = (over: Partial<OrderDraft> = {}): OrderDraft => ({
    number: ' 9-о ',
    issued_on: '2026-12-07',
    reason: ' Морозы  ',
    starts_on: '2026-12-08',
    ends_on: '2026-12-11',
    whole_school: false,
    class_ids: [5, 6, 5],
    document: 42,
    ...over,
  });

  it('sends the text trimmed, each class once, and the document', () => {
    expect(orderRequest(draft())).toEqual({
      number: '9-о',
      issued_on: '2026-12-07',
      reason: 'Морозы',
      starts_on: '2026-12-08',
      ends_on: '2026-12-11',
      whole_school: false,
      class_ids: [5, 6],
      document: 42,
    });
  });

  it('sends no classes for the whole school, and no document when none is attached', () => {
    const r = orderRequest(draft({ whole_school: true, document: null }));
    expect(r.whole_school).toBe(true);
    expect(r.class_ids).toEqual([]);
    expect(r.document).toBeNull();
  });

  it('shows the server\'s errors at their fields, a class\'s at the class list', () => {
    expect(orderField('class_ids[1]')).toBe('class_ids');
    expect(orderField('ends_on')).toBe('ends_on');
    const known = (code: string) => (code === 'ends_before_start' ? 'Последний день раньше первого.' : null);
    const errors = orderErrors(
      { ends_on: 'ends_before_start', 'class_ids[1]': 'unknown_class', 'class_ids[2]': 'unknown_class', number: 'too_long' },
      { ends_on: 'server', 'class_ids[1]': 'Нет такого класса.', 'class_ids[2]': 'Нет такого класса (2).', number: 'Слишком длинно.' },
      known,
    );
    expect(errors).toEqual({ ends_on: 'Последний день раньше первого.', class_ids: 'Нет такого класса.', number: 'Слишком длинно.' });
  });
});

describe('the remote badge', () => {
  it('reads «Онлайн до 09:00 · приказ № 9-о»', () => {
    expect(journalT('remote.badge', { until: '09:00', number: '9-о' })).toBe('Онлайн до 09:00 · приказ № 9-о');
    lang.value = 'en';
    expect(journalT('remote.badge', { until: '09:00', number: '9-о' })).toBe('Online until 09:00 · order No. 9-о');
  });
});
