// «Уроки»: a teacher's week (their lessons, Monday to Saturday, with the ones they
// substitute for, and their own taken by a substitute, cancelled or moved, marked)
// and, from it, a lesson's page (lesson.tsx). Loaded on demand (app.tsx imports it dynamically), with
// lesson.tsx and journal-parts.tsx, into a chunk of its own.
import { useEffect, useState } from 'preact/hooks';
import type { LessonPage, MySchool, WeekLesson } from '../api/types';
import { ErrorBox, errorText, InlineError, Loading, PageTitle, useLoad } from '../components/ui';
import { shortName, todayIn } from '../format';
import { t } from './journal/journal.strings';
import { timetableChange } from '../journal/live';
import { defaultWeek, inWeek, isDate, mondayOf, yearFor } from '../journal/model';
import { navigate } from '../router';
import { api, me } from '../state';
import { className } from './entry';
import { dayTitle, span, WeekNav } from './journal-parts';
import { primeLesson } from './lesson';
import { ChangeNote, isOff, RemoteNote } from './lesson-change';

export { LessonScreen } from './lesson';

export function LessonsWeek({ school, date }: { school: MySchool; date: string | null }) {
  const org = school.org_id;
  const teacher = me.value!.id;
  const today = todayIn();
  const monday = isDate(date) ? mondayOf(date) : defaultWeek(today);
  const week = useLoad(async () => {
    const years = await api.get('/api/v1/orgs/{org_id}/years', { org_id: org });
    const year = yearFor(years, monday);
    if (!year) return null;
    return api.get('/api/v1/orgs/{org_id}/years/{year_id}/week', { org_id: org, year_id: year.id, date: monday, teacher_id: teacher });
  }, [org, monday]);
  // A substitute, a cancelled, moved or extra lesson of this teacher's this week.
  useEffect(() => {
    const seen = timetableChange.peek()?.n ?? 0;
    return timetableChange.subscribe((v) => {
      if (v && v.n > seen && v.change.org_id === org && v.change.dates.some((d) => inWeek(d, monday))) week.reload();
    });
  }, [org, monday]);
  const [opening, setOpening] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const open = async (l: WeekLesson, day: string) => {
    const key = `${day}-${l.shift}-${l.number}`;
    setOpening(key);
    setError(null);
    try {
      const page: LessonPage = await api.post('/api/v1/orgs/{org_id}/lessons', { org_id: org }, { assignment_id: l.assignment_id, date: day, shift: l.shift, number: l.number });
      primeLesson(page);
      navigate(`/lessons/${page.lesson.id}`);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setOpening(null);
    }
  };

  const days = week.data?.days ?? [];
  const none = week.data && days.every((d) => !d.lessons.length);
  return (
    <div class="page journal">
      <PageTitle>{t('lessons.title')}</PageTitle>
      <WeekNav monday={monday} today={today} href={(d) => `/lessons?date=${d}`} />
      <InlineError error={error} />
      {week.error ? <ErrorBox error={week.error} onRetry={week.reload} /> : null}
      {week.loading && !week.data ? <Loading /> : null}
      {week.data === null ? <p>{t('journal.no_year')}</p> : null}
      {none ? <p>{t('lessons.none_week')}</p> : null}
      <div class="week-days">
        {days
          .filter((d, i) => i < 5 || d.lessons.length)
          .map((d) => (
            <section key={d.date} class={`card week-day${d.date === today ? ' week-day--today' : ''}`} aria-labelledby={`day-${d.date}`} data-date={d.date}>
              <h3 id={`day-${d.date}`}>
                {dayTitle(d.date)}
                {d.date === today ? <span class="badge badge--ok today-badge">{t('journal.today')}</span> : null}
              </h3>
              {!d.lessons.length ? (
                <p class="muted">{t('journal.no_lessons')}</p>
              ) : (
                <ol class="lesson-list">
                  {d.lessons.map((l) => {
                    const key = `${d.date}-${l.shift}-${l.number}`;
                    // Not this teacher's to write that day: cancelled, moved away, or taken by a substitute.
                    const taken = l.change?.kind === 'substitute' && l.teacher.id !== teacher;
                    const body = (
                      <>
                        <span class="lesson-num" aria-hidden="true">
                          {l.number}
                        </span>
                        <span class="lesson-main">
                          <span class="lesson-subject">
                            <span class="visually-hidden">{t('journal.lesson_n', { n: l.number })}, </span>
                            {l.subject.name}, {className(l.class.name, l.class.kind)}
                            {l.group ? ` (${l.group.name})` : ''}
                          </span>
                          <span class="lesson-meta">
                            {span(l.starts_at, l.ends_at)}
                            {l.room ? <> · <span class="nowrap">{t('journal.room', { room: l.room })}</span></> : null}
                          </span>
                          {taken ? (
                            <span class="lesson-change" data-change="substitute">
                              {t('change.substitute_by', { name: shortName(l.teacher) })}
                            </span>
                          ) : (
                            <ChangeNote change={l.change} />
                          )}
                          {taken || isOff(l.change) ? null : <RemoteNote remote={l.remote} />}
                        </span>
                      </>
                    );
                    return (
                      <li key={`${key}-${l.assignment_id}`}>
                        {taken || isOff(l.change) ? (
                          <div class="lesson-open lesson-open--off" data-class={l.class.name} data-subject={l.subject.name} data-change={l.change?.kind}>
                            {body}
                          </div>
                        ) : (
                          <button
                            type="button"
                            class="lesson-open"
                            data-class={l.class.name}
                            data-subject={l.subject.name}
                            data-change={l.change?.kind}
                            aria-busy={opening === key || undefined}
                            disabled={opening !== null}
                            onClick={() => void open(l, d.date)}
                          >
                            {body}
                          </button>
                        )}
                      </li>
                    );
                  })}
                </ol>
              )}
            </section>
          ))}
      </div>
    </div>
  );
}
