import { afterEach, describe, expect, it } from 'vitest';
import type { Me, MySchool, Notification } from '../src/api/types';
import { lang } from '../src/i18n';
import { adoptPage, bellUnread, forgetBell, markedRead, noteNotificationEvent } from '../src/notifications/bell';
import { targetOf } from '../src/notifications/targets';
import { describe as word } from '../src/notifications/wording';

afterEach(() => {
  lang.value = 'ru';
  forgetBell();
});

const anna = { id: 7, given_name: 'Анна', family_name: 'Петрова', patronymic: 'Ивановна' };
let nextId = 1;
const note = (kind: string, over: Partial<Notification> = {}, details: Notification['details'] = {}): Notification => ({
  id: nextId++,
  kind,
  org_id: 1,
  created_at: '2026-12-02T09:00:00Z',
  read: false,
  actor: null,
  details,
  ...over,
});

describe('what a notification says, in Russian', () => {
  const cases: [string, Notification, string, string | null][] = [
    ['mention', note('mention', { actor: anna, chat_id: 3, message_id: 40 }, { chat_title: '5А — родители', preview: 'Завтра контрольная' }), 'Вас упомянули в чате «5А — родители»', 'Анна Петрова: Завтра контрольная'],
    ['reply', note('reply', { actor: anna, chat_id: 3, message_id: 41 }, { chat_title: '5А — родители', preview: 'Да, приду' }), 'Ответ на ваше сообщение в чате «5А — родители»', 'Анна Петрова: Да, приду'],
    ['direct_chat', note('direct_chat', { actor: anna, chat_id: 9 }), 'Новый личный чат: Анна Петрова', null],
    ['join_request', note('join_request', { actor: anna }, { class_name: '5А' }), 'Новая заявка на вступление: 5А', 'Анна Петрова'],
    ['join_request to the school', note('join_request', {}, {}), 'Новая заявка на вступление в школу', null],
    ['report', note('report', { chat_id: 3, message_id: 42 }, { chat_title: '5А — родители', preview: 'грубость' }), 'Жалоба на сообщение в чате «5А — родители»', 'грубость'],
    ['mark, a parent', note('mark', { student_id: 11, lesson_id: 5 }, { mark: '5', subject: 'Математика', date: '2026-12-02', student_name: 'Иван' }), 'Новая оценка 5 по предмету «Математика» (Иван, 2 декабря)', null],
    ['mark, the student', note('mark', { student_id: 11 }, { mark: '4', subject: 'Русский язык', date: '2026-12-02' }), 'Новая оценка 4 по предмету «Русский язык» (2 декабря)', null],
    ['absent', note('absence', { student_id: 11 }, { absence: 'absent', subject: 'Математика', date: '2026-12-02', student_name: 'Иван' }), 'Пропуск урока «Математика» (Иван, 2 декабря)', null],
    ['ill', note('absence', { student_id: 11 }, { absence: 'ill', subject: 'Математика', date: '2026-12-02' }), 'Пропуск урока «Математика» по болезни (2 декабря)', null],
    ['excused', note('absence', { student_id: 11 }, { absence: 'excused', subject: 'Математика', date: '2026-12-02' }), 'Пропуск урока «Математика» по уважительной причине (2 декабря)', null],
    ['late, 1 minute', note('absence', { student_id: 11 }, { absence: 'late', minutes_late: 1, subject: 'Физика', date: '2026-12-02' }), 'Опоздание на урок «Физика» на 1 минуту (2 декабря)', null],
    ['late, 3 minutes', note('absence', { student_id: 11 }, { absence: 'late', minutes_late: 3, subject: 'Физика', date: '2026-12-02' }), 'Опоздание на урок «Физика» на 3 минуты (2 декабря)', null],
    ['late, 10 minutes', note('absence', { student_id: 11 }, { absence: 'late', minutes_late: 10, subject: 'Физика', date: '2026-12-02', student_name: 'Иван' }), 'Опоздание на урок «Физика» на 10 минут (Иван, 2 декабря)', null],
    ['homework', note('homework', { student_id: 11 }, { subject: 'Математика', due_on: '2026-12-05', date: '2026-12-02', preview: '№ 12, 14' }), 'Домашнее задание по предмету «Математика» к 5 декабря', '№ 12, 14'],
    ['homework, a parent', note('homework', { student_id: 11 }, { subject: 'Математика', due_on: '2026-12-05', student_name: 'Иван' }), 'Домашнее задание по предмету «Математика» к 5 декабря (Иван)', null],
    ['a sign-in from a new device', note('login', {}, { device: 'Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile', ip: '203.0.113.7', session_id: 5 }), 'Вход в вашу учётную запись с нового устройства', 'Chrome, Android · 203.0.113.7'],
    ['an unknown kind', note('something_new'), 'Уведомление', null],
  ];
  for (const [name, n, title, line] of cases) {
    it(name, () => {
      expect(word(n, 'ru')).toEqual({ title, line });
    });
  }

  it('never guesses the actor\'s gender', () => {
    for (const [, n] of cases) expect(word(n, 'ru').title).not.toMatch(/(ла|л) (вас|вам|на ваше)|отсутствовал/i);
  });
});

describe('what a notification says, in English', () => {
  it('each kind', () => {
    expect(word(note('mention', { actor: anna }, { chat_title: '5A parents', preview: 'Hi' }), 'en')).toEqual({ title: 'You were mentioned in “5A parents”', line: 'Анна Петрова: Hi' });
    expect(word(note('reply', {}, { chat_title: '5A parents' }), 'en').title).toBe('A reply to your message in “5A parents”');
    expect(word(note('direct_chat', { actor: anna }), 'en').title).toBe('New direct chat: Анна Петрова');
    expect(word(note('join_request', {}, { class_name: '5A' }), 'en').title).toBe('New join request: 5A');
    expect(word(note('report', {}, { chat_title: 'X' }), 'en').title).toBe('A report on a message in “X”');
    expect(word(note('mark', {}, { mark: '5', subject: 'Maths', date: '2026-12-02', student_name: 'Ivan' }), 'en').title).toBe('New mark 5 in Maths (Ivan, 2 December)');
    expect(word(note('absence', {}, { absence: 'late', minutes_late: 1, subject: 'Maths', date: '2026-12-02' }), 'en').title).toBe('Late for Maths by 1 minute (2 December)');
    expect(word(note('absence', {}, { absence: 'ill', subject: 'Maths', date: '2026-12-02' }), 'en').title).toBe('Absent from Maths, ill (2 December)');
    expect(word(note('homework', {}, { subject: 'Maths', due_on: '2026-12-05' }), 'en').title).toBe('Homework in Maths due 5 December');
  });
});

const school = (over: Partial<MySchool>): MySchool =>
  ({ org_id: 1, name: 'Школа', short_name: 'Школа', is_admin: false, manages_school_year: false, class_teacher_of: [], places: [], permissions: [], teacher_verified: true, ...over }) as MySchool;
const person = (schools: MySchool[]): Me => ({ id: 20, family_name: 'Волкова', given_name: 'Ирина', is_operator: false, authorities: [], consents: [], schools }) as unknown as Me;
const parentPlace = { membership_id: 1, role: 'parent', started_on: '2026-09-01', class: { id: 5, name: '5А' }, child: { id: 11, family_name: 'Волков', given_name: 'Иван' } } as MySchool['places'][number];

describe('where a notification leads', () => {
  it('a mention or a reply to the chat at its message, a direct chat to the chat', () => {
    expect(targetOf(note('mention', { chat_id: 3, message_id: 40 }), person([]))).toEqual({ href: '/chats/3?m=40', org: null });
    expect(targetOf(note('reply', { chat_id: 3, message_id: 41 }), person([]))).toEqual({ href: '/chats/3?m=41', org: null });
    expect(targetOf(note('direct_chat', { chat_id: 9 }), person([]))).toEqual({ href: '/chats/9', org: null });
  });

  it('a join request to the console\'s requests, a report to its queue (or the chat for a moderator without the console)', () => {
    const admin = person([school({ is_admin: true, permissions: ['moderate_chats', 'read_reports'] })]);
    expect(targetOf(note('join_request'), admin)).toEqual({ href: '/school/1/requests', org: 1 });
    expect(targetOf(note('report', { chat_id: 3, message_id: 42 }), admin)).toEqual({ href: '/school/1/reports', org: 1 });
    expect(targetOf(note('report', { chat_id: 3, message_id: 42 }), person([school({})]))).toEqual({ href: '/chats/3?m=42', org: null });
    expect(targetOf(note('join_request'), person([school({})]))).toBeNull();
  });

  it('a mark, an absence or homework to the diary at the lesson\'s date, for the child it is about', () => {
    const parent = person([school({ places: [parentPlace] })]);
    expect(targetOf(note('mark', { student_id: 11 }, { date: '2026-12-02' }), parent)).toEqual({ href: '/diary?student=11&date=2026-12-02', org: 1 });
    expect(targetOf(note('homework', { student_id: 11 }, {}), parent)).toEqual({ href: '/diary?student=11', org: 1 });
    expect(targetOf(note('absence', { student_id: 12 }, { date: '2026-12-02' }), parent)).toBeNull();
  });
});

describe('the bell\'s count', () => {
  it('follows added and read notifications once each', () => {
    adoptPage({ items: [note('mention', { id: 100 }), note('reply', { id: 101, read: true })], unread: 1, awaiting_ack: [], next_before: null });
    expect(bellUnread.value).toBe(1);
    const added = note('mention', { id: 102 });
    noteNotificationEvent({ type: 'notification_added', notification: added });
    noteNotificationEvent({ type: 'notification_added', notification: added });
    expect(bellUnread.value).toBe(2);
    noteNotificationEvent({ type: 'notifications_read', ids: [102], up_to: null });
    noteNotificationEvent({ type: 'notifications_read', ids: [102], up_to: null });
    expect(bellUnread.value).toBe(1);
    markedRead([100]);
    expect(bellUnread.value).toBe(0);
    noteNotificationEvent({ type: 'notification_added', notification: note('mark', { id: 103 }) });
    noteNotificationEvent({ type: 'notification_added', notification: note('mark', { id: 104 }) });
    noteNotificationEvent({ type: 'notifications_read', ids: [], up_to: 104 });
    expect(bellUnread.value).toBe(0);
  });
});
