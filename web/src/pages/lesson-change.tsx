// How a lesson of a week differs from the timetable that day: a replacement teacher
// («замена»), a cancelled lesson (with its reason), a lesson moved from or to another
// date and slot, an extra lesson. Shown in the teacher's week, the diary and the
// admin's timetable screen. Besides, a lesson held online under the director's
// remote-learning order: «Онлайн до 09:00 · приказ № 9-о».
import type { components } from '../api/schema';
import { shortName } from '../format';
import { t } from './journal/journal.strings';
import { dayMonth } from './journal-parts';
import './lesson-change.css';

type LessonChange = components['schemas']['LessonChange'];

/** Whether the lesson is not held where it stands (cancelled, or moved away). */
export function isOff(change: LessonChange | null | undefined): boolean {
  return !!change && (change.kind === 'cancel' || !!change.moved_to);
}

export function changeText(c: LessonChange): string {
  if (c.kind === 'substitute') return c.usual_teacher ? t('change.substitute', { name: shortName(c.usual_teacher) }) : t('change.substitute_plain');
  if (c.kind === 'cancel') return c.reason ? t('change.cancelled_reason', { reason: c.reason }) : t('change.cancelled');
  if (c.kind === 'extra') return t('change.extra');
  if (c.moved_to) return t('change.moved_to', { day: dayMonth(c.moved_to.date), n: c.moved_to.number, at: c.moved_to.starts_at });
  if (c.moved_from) return t('change.moved_from', { day: dayMonth(c.moved_from.date), n: c.moved_from.number });
  return '';
}

export function ChangeNote({ change }: { change: LessonChange | null | undefined }) {
  if (!change) return null;
  return (
    <span class="lesson-change" data-change={change.kind}>
      {changeText(change)}
    </span>
  );
}

type RemoteLesson = components['schemas']['RemoteLesson'];

/** «Онлайн до 09:00 · приказ № 9-о». */
export function remoteText(r: RemoteLesson): string {
  return t('remote.badge', { until: r.ends_at, number: r.order_number });
}

/** The badge of a lesson held online under an order (nothing for a lesson held as usual). */
export function RemoteNote({ remote }: { remote: RemoteLesson | null | undefined }) {
  if (!remote) return null;
  return (
    <span class="lesson-remote" data-order-id={remote.order_id} title={t('remote.title', { until: remote.ends_at })}>
      {remoteText(remote)}
    </span>
  );
}
