// The strings of «Вебхуки», the school's webhooks: an area dictionary (i18n/area.ts),
// loaded with its lazy tab, not with the app's shell. Russian first; English has every key.
import { area, type AreaEn, type AreaKey } from '../../i18n/area';

export const ru = {
  'wh.lead': 'Вебхук сообщает системе вашей школы (электронному журналу района, сайту, СКУД) о событиях в «Парте»: запрос POST с JSON на ваш адрес https://. Каждая доставка подписана; события приходят по порядку, а если сервер не ответил — повторяются в течение суток.',
  'wh.list': 'Вебхуки школы',
  'wh.none': 'Вебхуков пока нет.',
  'wh.events': 'События: {list}',
  'wh.status.new': 'Ещё ничего не отправлено',
  'wh.status.ok': 'Работает',
  'wh.status.retrying': 'Сервер не отвечает — повторяем',
  'wh.status.failed': 'Доставка не удалась',
  'wh.off': 'Выключен',
  'wh.last_success': 'Последняя доставка: {at}',
  'wh.last_error': 'Последняя ошибка: {error}',
  'wh.waiting': 'Ждут отправки: {n}',
  'wh.turn_off': 'Выключить',
  'wh.turn_on': 'Включить',
  'wh.remove': 'Удалить',
  'wh.remove_q': 'Удалить вебхук? Неотправленные события отправлены не будут.',
  'wh.deliveries': 'Журнал доставок',
  'wh.deliveries_hide': 'Скрыть журнал',
  'wh.deliveries_none': 'Доставок ещё не было.',
  'wh.delivery': '№ {id} · {event} · {at}',
  'wh.delivery.delivered': 'доставлено',
  'wh.delivery.waiting': 'ждёт, попыток: {n}',
  'wh.delivery.failed': 'не доставлено',
  'wh.delivery.http': 'ответ {status}',
  'wh.add': 'Новый вебхук',
  'wh.url': 'Адрес (https://…)',
  'wh.url_hint': 'Адрес внутри сети школы разрешает администратор сервера.',
  'wh.choose_events': 'О чём сообщать',
  'wh.add_submit': 'Добавить вебхук',
  'wh.secret_title': 'Ключ подписи',
  'wh.secret_lead': 'Сохраните ключ сейчас: больше он показан не будет. Заголовок Parta-Signature: t=<время>,v1=<HMAC-SHA256 от «<время>.<тело запроса>» этим ключом>. Отклоняйте запросы старше пяти минут.',
  'wh.secret_label': 'Ключ подписи вебхука',
  'wh.event.member.joined': 'Человек присоединился к школе',
  'wh.event.member.left': 'Человек выбыл из школы',
  'wh.event.channel.message': 'Новость в канале школы или учительской',
  'wh.event.journal.mark': 'Отметка в журнале',
  'wh.event.journal.absence': 'Пропуск или опоздание',
};

export const en: AreaEn<typeof ru> = {
  'wh.lead': 'A webhook tells your school\u2019s own system (a district e-journal, the website, the entry system) of events in Parta: a POST with JSON to your https:// address. Each delivery is signed; events come in order, and are tried again for a day when the server does not answer.',
  'wh.list': 'The school\u2019s webhooks',
  'wh.none': 'No webhooks yet.',
  'wh.events': 'Events: {list}',
  'wh.status.new': 'Nothing sent yet',
  'wh.status.ok': 'Working',
  'wh.status.retrying': 'The server does not answer \u2014 trying again',
  'wh.status.failed': 'A delivery failed',
  'wh.off': 'Off',
  'wh.last_success': 'Last delivered: {at}',
  'wh.last_error': 'Last error: {error}',
  'wh.waiting': 'Waiting: {n}',
  'wh.turn_off': 'Turn off',
  'wh.turn_on': 'Turn on',
  'wh.remove': 'Remove',
  'wh.remove_q': 'Remove the webhook? Events not sent yet will not be sent.',
  'wh.deliveries': 'Delivery log',
  'wh.deliveries_hide': 'Hide the log',
  'wh.deliveries_none': 'No deliveries yet.',
  'wh.delivery': 'No. {id} · {event} · {at}',
  'wh.delivery.delivered': 'delivered',
  'wh.delivery.waiting': 'waiting, tries: {n}',
  'wh.delivery.failed': 'not delivered',
  'wh.delivery.http': 'answer {status}',
  'wh.add': 'New webhook',
  'wh.url': 'Address (https://…)',
  'wh.url_hint': 'An address inside the school\u2019s network is allowed by the server\u2019s administrator.',
  'wh.choose_events': 'What to tell of',
  'wh.add_submit': 'Add the webhook',
  'wh.secret_title': 'Signing key',
  'wh.secret_lead': 'Keep the key now: it is not shown again. Header Parta-Signature: t=<time>,v1=<HMAC-SHA256 of "<time>.<request body>" with this key>. Refuse requests older than five minutes.',
  'wh.secret_label': 'The webhook\u2019s signing key',
  'wh.event.member.joined': 'Someone joined the school',
  'wh.event.member.left': 'Someone left the school',
  'wh.event.channel.message': 'A post in the school or staff channel',
  'wh.event.journal.mark': 'A mark in the journal',
  'wh.event.journal.absence': 'An absence or lateness',
};

export type Key = AreaKey<typeof ru>;
export const { t, has } = area(ru, en);

/** The events a webhook may be told of, in the order the form lists them. */
export const EVENTS = ['member.joined', 'member.left', 'channel.message', 'journal.mark', 'journal.absence'] as const;

/** An event's name in the current language (the code itself for one this client does not know). */
export function eventName(event: string): string {
  const key = `wh.event.${event}`;
  return has(key) ? t(key) : event;
}
