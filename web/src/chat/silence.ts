// What one's own quiet of a chat («не беспокоить») says: until when, in the school's time.
import { dateTime, whenLater } from '../format';
import { t } from '../i18n';

/** A quiet «for good» ends in the year 9999. */
export function silencedForever(until: string): boolean {
  return new Date(until).getUTCFullYear() >= 9999;
}

/** «Без звука до 18:40» today, «до завтра, 8:00», a date later on, or «навсегда». */
export function silenceText(until: string, now: Date = new Date(), timeZone?: string): string {
  if (silencedForever(until)) return t('silence.forever');
  const w = whenLater(until, now, timeZone);
  // «8:00», as the hour is said, not «08:00».
  const time = w.time.replace(/^0(\d)/, '$1');
  if (w.day === 'today') return t('silence.until_time', { time });
  if (w.day === 'tomorrow') return t('silence.until_tomorrow', { time });
  return t('silence.until_date', { date: dateTime(until, timeZone) });
}
