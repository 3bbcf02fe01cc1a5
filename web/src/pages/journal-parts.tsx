// What the teacher's lessons and the diary share: the week's navigation, a day's
// heading, a lesson's time. Imported by both chunks, never by the app's shell.
import { lang } from '../i18n';
import { t } from './journal/journal.strings';
import { addDays, defaultWeek, mondayOf, shiftWeek } from '../journal/model';
import './journal.css';

const locale = () => (lang.value === 'ru' ? 'ru-RU' : 'en-GB');

function utc(date: string): Date {
  return new Date(`${date}T12:00:00Z`);
}

/** «7 декабря». */
export function dayMonth(date: string): string {
  return new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'long', timeZone: 'UTC' }).format(utc(date));
}

/** «Понедельник, 7 декабря». */
export function dayTitle(date: string): string {
  const text = new Intl.DateTimeFormat(locale(), { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' }).format(utc(date));
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** «08:30–09:10». */
export function span(from: string, to: string): string {
  return `${from}–${to}`;
}

/** The week shown, with the weeks before and after (links, so «Назад» in the browser works). */
export function WeekNav({ monday, today, href }: { monday: string; today: string; href: (date: string) => string }) {
  const current = defaultWeek(today);
  return (
    <nav class="week-nav" aria-label={t('journal.week_nav')}>
      <a class="btn btn--secondary btn--small" href={href(shiftWeek(monday, -1))} rel="prev">
        <span aria-hidden="true">←</span> {t('journal.prev_week')}
      </a>
      <h2 class="week-title" data-monday={monday}>
        {t('journal.week', { from: dayMonth(monday), to: dayMonth(addDays(monday, 5)) })}
      </h2>
      <a class="btn btn--secondary btn--small" href={href(shiftWeek(monday, 1))} rel="next">
        {t('journal.next_week')} <span aria-hidden="true">→</span>
      </a>
      {mondayOf(monday) !== current ? (
        <a class="btn btn--link" href={href(current)}>
          {t('journal.this_week')}
        </a>
      ) : null}
    </nav>
  );
}
