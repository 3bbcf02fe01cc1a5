// How the chat screens write a message's time and a member's name.
import type { ChatMember, Message } from '../api/types';
import { shortName } from '../format';
import { lang } from '../i18n';

/** A message's time: the time alone today, with the date on other days. */
export function timeOf(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  const loc = lang.value === 'ru' ? 'ru-RU' : 'en-GB';
  return new Intl.DateTimeFormat(loc, sameDay ? { timeStyle: 'short' } : { dateStyle: 'short', timeStyle: 'short' }).format(d);
}

/** A member's short name from the member list (else the fallback, else `#id`). */
export function nameOf(list: ChatMember[] | undefined, id: number, fallback?: Message['sender']): string {
  const p = list?.find((x) => x.person.id === id)?.person ?? fallback;
  return p ? shortName(p) : `#${id}`;
}
