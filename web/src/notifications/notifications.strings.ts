// The strings of the notification centre: an area dictionary (i18n/area.ts), loaded with
// its chunk, not with the app's shell. Russian first; English has every key. The words
// never need the actor's gender: «Вас упомянули», «Ответ на ваше сообщение», «Пропуск урока».
import { area, type AreaEn, type AreaKey } from '../i18n/area';
import type { PluralForms } from '../i18n/plural';

export const ru = {
  'nt.title': 'Уведомления',
  'nt.awaiting': 'Ждут вашего подтверждения',
  'nt.awaiting_lead': 'Посты, которые просят подтвердить прочтение. Откройте пост и нажмите «{button}».',
  'nt.awaiting_in': '«{chat}», {who}',
  'nt.list': 'Все уведомления',
  'nt.none': 'Уведомлений пока нет. Здесь появятся упоминания, ответы на ваши сообщения, оценки и домашние задания.',
  'nt.unread_count': { one: '{n} непрочитанное', few: '{n} непрочитанных', many: '{n} непрочитанных' } as PluralForms,
  'nt.all_read': 'Все уведомления прочитаны.',
  'nt.mark_all': 'Отметить все прочитанными',
  'nt.more': 'Показать ещё',
  'nt.new': 'Новое',
  'nt.unread_sr': 'Не прочитано: ',

  'nt.mention': 'Вас упомянули в чате «{chat}»',
  'nt.mention_somewhere': 'Вас упомянули в чате',
  'nt.reply': 'Ответ на ваше сообщение в чате «{chat}»',
  'nt.reply_somewhere': 'Ответ на ваше сообщение',
  'nt.direct_chat': 'Новый личный чат: {who}',
  'nt.direct_chat_someone': 'С вами начали личный чат',
  'nt.join_request': 'Новая заявка на вступление: {class}',
  'nt.join_request_school': 'Новая заявка на вступление в школу',
  'nt.report': 'Жалоба на сообщение в чате «{chat}»',
  'nt.report_somewhere': 'Жалоба на сообщение',
  'nt.mark': 'Новая оценка {mark} по предмету «{subject}»',
  'nt.absent': 'Пропуск урока «{subject}»',
  'nt.ill': 'Пропуск урока «{subject}» по болезни',
  'nt.excused': 'Пропуск урока «{subject}» по уважительной причине',
  'nt.late': 'Опоздание на урок «{subject}»',
  'nt.late_minutes': { one: 'Опоздание на урок «{subject}» на {n} минуту', few: 'Опоздание на урок «{subject}» на {n} минуты', many: 'Опоздание на урок «{subject}» на {n} минут' } as PluralForms,
  'nt.homework': 'Домашнее задание по предмету «{subject}»',
  'nt.homework_due': 'Домашнее задание по предмету «{subject}» к {due}',
  'nt.unknown': 'Уведомление',
  'nt.for': '{text} ({about})',
  'nt.said': '{who}: {text}',
};

export const en: AreaEn<typeof ru> = {
  'nt.title': 'Notifications',
  'nt.awaiting': 'Awaiting your confirmation',
  'nt.awaiting_lead': 'Posts that ask you to confirm you have read them. Open the post and press “{button}”.',
  'nt.awaiting_in': '“{chat}”, {who}',
  'nt.list': 'All notifications',
  'nt.none': 'No notifications yet. Mentions, replies to your messages, marks and homework will show up here.',
  'nt.unread_count': { one: '{n} unread', other: '{n} unread' },
  'nt.all_read': 'All notifications are read.',
  'nt.mark_all': 'Mark all as read',
  'nt.more': 'Show more',
  'nt.new': 'New',
  'nt.unread_sr': 'Unread: ',

  'nt.mention': 'You were mentioned in “{chat}”',
  'nt.mention_somewhere': 'You were mentioned in a chat',
  'nt.reply': 'A reply to your message in “{chat}”',
  'nt.reply_somewhere': 'A reply to your message',
  'nt.direct_chat': 'New direct chat: {who}',
  'nt.direct_chat_someone': 'Someone started a direct chat with you',
  'nt.join_request': 'New join request: {class}',
  'nt.join_request_school': 'New request to join the school',
  'nt.report': 'A report on a message in “{chat}”',
  'nt.report_somewhere': 'A report on a message',
  'nt.mark': 'New mark {mark} in {subject}',
  'nt.absent': 'Absent from {subject}',
  'nt.ill': 'Absent from {subject}, ill',
  'nt.excused': 'Absent from {subject}, excused',
  'nt.late': 'Late for {subject}',
  'nt.late_minutes': { one: 'Late for {subject} by {n} minute', other: 'Late for {subject} by {n} minutes' },
  'nt.homework': 'Homework in {subject}',
  'nt.homework_due': 'Homework in {subject} due {due}',
  'nt.unknown': 'Notification',
  'nt.for': '{text} ({about})',
  'nt.said': '{who}: {text}',
};

export const strings = area(ru, en);
export const { t, tn } = strings;
export type Key = AreaKey<typeof ru>;
