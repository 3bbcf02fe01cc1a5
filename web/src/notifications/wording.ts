// What a notification says, in either language: a headline and, for a message, who wrote
// what («Анна Петрова: …»). Pure (the language is passed in), so each kind is unit-tested.
import type { Notification, PersonRef } from '../api/types';
import { shortAgent } from '../format';
import type { Lang } from '../i18n/plural';
import { strings, type ru } from './notifications.strings';

type Key = keyof typeof ru;

export interface Wording {
  /** The headline: «Вас упомянули в чате «5А — родители»». */
  title: string;
  /** The words under it: «Анна Петрова: Завтра контрольная» (none when there is nothing to quote). */
  line: string | null;
}

/** «Анна Петрова»: as a mention writes a person. */
export function personName(p: Pick<PersonRef, 'given_name' | 'family_name'> | null | undefined): string {
  return p ? [p.given_name, p.family_name].filter(Boolean).join(' ') : '';
}

/** «2 декабря» (no year: notifications are of this school year). */
export function dayMonthIn(l: Lang, ymd: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(ymd)) return ymd;
  return new Intl.DateTimeFormat(l === 'ru' ? 'ru-RU' : 'en-GB', { day: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(`${ymd}T12:00:00Z`));
}

export function describe(n: Notification, l: Lang): Wording {
  const d = n.details;
  const say = (key: Key, vars?: Record<string, string | number>) => strings.textIn(l, key, vars);
  const actor = personName(n.actor);
  const chat = d.chat_title ?? '';
  const preview = d.preview?.trim() || null;
  /** «Анна Петрова: …», or the words alone. */
  const quote = () => (preview ? (actor ? say('nt.said', { who: actor, text: preview }) : preview) : actor || null);
  /** The student's name for a parent, and the lesson's date: «(Иван, 2 декабря)». */
  const about = (text: string, date: string | null | undefined) => {
    const parts = [d.student_name ?? '', date ? dayMonthIn(l, date) : ''].filter(Boolean);
    return parts.length ? say('nt.for', { text, about: parts.join(', ') }) : text;
  };
  const subject = d.subject ?? '';
  switch (n.kind) {
    case 'mention':
      return { title: chat ? say('nt.mention', { chat }) : say('nt.mention_somewhere'), line: quote() };
    case 'reply':
      return { title: chat ? say('nt.reply', { chat }) : say('nt.reply_somewhere'), line: quote() };
    case 'direct_chat':
      return { title: actor ? say('nt.direct_chat', { who: actor }) : say('nt.direct_chat_someone'), line: preview };
    case 'join_request':
      return { title: d.class_name ? say('nt.join_request', { class: d.class_name }) : say('nt.join_request_school'), line: actor || null };
    case 'report':
      return { title: chat ? say('nt.report', { chat }) : say('nt.report_somewhere'), line: preview };
    case 'mark':
      return { title: about(say('nt.mark', { mark: d.mark ?? '', subject }), d.date), line: null };
    case 'absence': {
      const kind = d.absence ?? 'absent';
      const text =
        kind === 'late'
          ? d.minutes_late
            ? say('nt.late_minutes', { subject, n: d.minutes_late })
            : say('nt.late', { subject })
          : say(kind === 'ill' ? 'nt.ill' : kind === 'excused' ? 'nt.excused' : 'nt.absent', { subject });
      return { title: about(text, d.date), line: null };
    }
    case 'homework': {
      const text = d.due_on ? say('nt.homework_due', { subject, due: dayMonthIn(l, d.due_on) }) : say('nt.homework', { subject });
      return { title: about(text, null), line: preview };
    }
    case 'login':
      return { title: say('nt.login'), line: [d.device ? shortAgent(d.device) : '', d.ip ?? ''].filter(Boolean).join(' · ') || null };
    default:
      return { title: say('nt.unknown'), line: preview };
  }
}
