// «Дневник»: a student's week (their own, or a child's for a parent) — each day's
// lessons with times, subject, teacher, topic, attendance, marks and homework, and the
// homework due that day; a substitute, a cancelled, moved or extra lesson marked; the
// homework's files, and the student's work for it (handed in here by the student, read
// by a parent: ./submissions). Fetched again when the teacher changes something for
// this student that week (`journal_changed` in the reader's personal stream), when the
// class's lessons that week change (`timetable_changed`) and after the connection
// comes back. Loaded
// on demand, a chunk of its own. Under the week, the student's individual assignments
// of remote learning (./diary-individual), when there are any.
import { useEffect } from 'preact/hooks';
import type { DiaryLesson, DueHomework, GradeType, MySchool } from '../api/types';
import { ErrorBox, Loading, PageTitle, useLoad } from '../components/ui';
import { shortName, todayIn } from '../format';
import { t, type Key } from './journal/journal.strings';
import { connState } from '../chat/store';
import { journalChange, timetableChange } from '../journal/live';
import { defaultWeek, diaryDays, inWeek, isDate, mondayOf, touchesWeek, typeName } from '../journal/model';
import { diaryStudents } from '../journal/who';
import { api, me } from '../state';
import { className } from './entry';
import { JournalFiles } from './journal-files';
import { DiaryWork } from './submissions';
import { dayMonth, dayTitle, span, WeekNav } from './journal-parts';
import { ChangeNote, isOff, RemoteNote } from './lesson-change';
import { DiaryViews } from './diary-marks';
import { DiaryIndividual } from './diary-individual';
import { DiaryOnline } from './lesson-online';
import { lessonCallOf } from '../calls/live';

export { DiaryMarksPage } from './diary-marks';

const typesByOrg = new Map<number, Promise<GradeType[]>>();
export function gradeTypes(org: number): Promise<GradeType[]> {
  let p = typesByOrg.get(org);
  if (!p) {
    p = api.get('/api/v1/orgs/{org_id}/grade-types', { org_id: org }).catch((e: unknown) => {
      typesByOrg.delete(org);
      throw e;
    });
    typesByOrg.set(org, p);
  }
  return p;
}

export function DiaryPage({ school, student, date }: { school: MySchool; student: string | null; date: string | null }) {
  const org = school.org_id;
  const students = diaryStudents(me.value, school);
  const shown = students.find((s) => String(s.person.id) === student) ?? students[0]!;
  const today = todayIn();
  const monday = isDate(date) ? mondayOf(date) : defaultWeek(today);
  const week = useLoad(async () => {
    const [diary, types] = await Promise.all([
      api.get('/api/v1/orgs/{org_id}/diary', { org_id: org, student_id: shown.person.id, date: monday }),
      gradeTypes(org).catch(() => [] as GradeType[]),
    ]);
    return { diary, types };
  }, [org, shown.person.id, monday]);

  // A change to this student's record in this week (or homework set earlier, which may
  // be due in it): fetch the week again.
  useEffect(() => {
    const seen = journalChange.peek()?.n ?? 0;
    return journalChange.subscribe((v) => {
      if (!v || v.n <= seen) return;
      const c = v.change;
      if (c.org_id === org && c.student_id === shown.person.id && touchesWeek(c.date, monday)) week.reload();
    });
  }, [org, shown.person.id, monday]);
  // A substitute, a cancelled, moved or extra lesson of the class this week.
  useEffect(() => {
    const seen = timetableChange.peek()?.n ?? 0;
    return timetableChange.subscribe((v) => {
      if (!v || v.n <= seen) return;
      const c = v.change;
      if (c.org_id === org && c.class_id === shown.class.id && c.dates.some((d) => inWeek(d, monday))) week.reload();
    });
  }, [org, shown.class.id, monday]);
  // Back after a drop: what was missed meanwhile may be more than the stream replays.
  useEffect(() => {
    let was = connState.peek();
    return connState.subscribe((s) => {
      if (s === 'live' && was !== 'live') week.reload();
      was = s;
    });
  }, [org, shown.person.id, monday]);

  const href = (id: number, d: string) => `/diary?student=${id}&date=${d}`;
  const days = week.data ? diaryDays(week.data.diary.days) : [];
  return (
    <div class="page journal diary" data-student-id={shown.person.id} data-conn={connState.value}>
      <PageTitle>{t('diary.title')}</PageTitle>
      <DiaryViews student={shown.person.id} current="week" />
      {students.length > 1 ? (
        <nav class="segmented" aria-label={t('diary.whose')}>
          {students.map((s) => (
            <a key={s.person.id} class="seg" href={href(s.person.id, monday)} aria-current={s.person.id === shown.person.id ? 'page' : undefined}>
              {s.person.given_name} · {className(s.class.name, s.class.kind)}
            </a>
          ))}
        </nav>
      ) : null}
      {!shown.own ? (
        <p class="lead">
          {t('diary.of', { name: `${shown.person.family_name} ${shown.person.given_name}`, class: className(shown.class.name, shown.class.kind) })}
        </p>
      ) : null}
      <WeekNav monday={monday} today={today} href={(d) => href(shown.person.id, d)} />
      {week.error ? <ErrorBox error={week.error} onRetry={week.reload} /> : null}
      {week.loading && !week.data ? <Loading /> : null}
      <div class="week-days">
        {days.map((d) => (
          <section key={d.date} class={`card week-day${d.date === today ? ' week-day--today' : ''}`} aria-labelledby={`dday-${d.date}`} data-date={d.date}>
            <h3 id={`dday-${d.date}`}>
              {dayTitle(d.date)}
              {d.date === today ? <span class="badge badge--ok today-badge">{t('journal.today')}</span> : null}
            </h3>
            {!d.lessons.length ? (
              <p class="muted">{t('journal.no_lessons')}</p>
            ) : (
              <ol class="diary-lessons">
                {d.lessons.map((l) => (
                  <DiaryItem
                    key={`${l.shift}-${l.number}-${l.subject.id}`}
                    lesson={l}
                    types={week.data!.types}
                    date={d.date}
                    work={{ org, own: shown.own, onDone: week.reload }}
                  />
                ))}
              </ol>
            )}
            {d.homework_due.length ? <DueList date={d.date} items={d.homework_due} /> : null}
          </section>
        ))}
      </div>
      {week.data ? <DiaryIndividual org={org} student={shown.person.id} classId={shown.class.id} tick={week.data} /> : null}
    </div>
  );
}

/** The homework due on a day: subject — text. */
function DueList({ date, items }: { date: string; items: DueHomework[] }) {
  return (
    <div class="hw-due">
      <h4 id={`ddue-${date}`}>{t('diary.homework_due')}</h4>
      <ul aria-labelledby={`ddue-${date}`}>
        {items.map((h) => (
          <li key={h.lesson_id} data-subject={h.subject.name} data-lesson-id={h.lesson_id}>
            <strong>{h.subject.name}</strong> — <span class="hw-text">{h.body}</span>
            {h.minutes ? <span class="hw-minutes"> {t('homework.about_minutes', { n: h.minutes })}</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

function DiaryItem({
  lesson: l,
  types,
  date,
  work,
}: {
  lesson: DiaryLesson;
  types: GradeType[];
  date: string;
  work: { org: number; own: boolean; onDone: () => void };
}) {
  const a = l.attendance;
  const hw = l.homework;
  // The day it is due when not the lesson's own, and how long it takes.
  const meta = hw
    ? [hw.due_on !== date ? t('homework.due_to', { day: dayMonth(hw.due_on) }) : '', hw.minutes ? t('homework.about_minutes', { n: hw.minutes }) : '']
        .filter(Boolean)
        .join(' · ')
    : '';
  return (
    <li
      class={`diary-lesson${isOff(l.change) ? ' diary-lesson--off' : ''}`}
      data-subject={l.subject.name}
      data-lesson-id={l.lesson_id ?? undefined}
      data-change={l.change?.kind}
      data-remote={l.remote ? 'true' : undefined}
    >
      <div class="dl-head">
        <span class="lesson-num" aria-hidden="true">
          {l.number}
        </span>
        <span class="dl-main">
          <strong class="dl-subject">
            <span class="visually-hidden">{t('journal.lesson_n', { n: l.number })}, </span>
            {l.subject.name}
            {l.group ? ` (${l.group.name})` : ''}
          </strong>
          <span class="lesson-meta">
            {span(l.starts_at, l.ends_at)} · {shortName(l.teacher)}
            {l.room ? <> · <span class="nowrap">{t('journal.room', { room: l.room })}</span></> : null}
          </span>
          <ChangeNote change={l.change} />
          {isOff(l.change) ? null : <RemoteNote remote={l.remote} />}
        </span>
        <span class="dl-results">
          {a ? (
            <span class="absence-badge" data-absence={a.absence} title={t(`journal.absence_long.${a.absence}` as Key)}>
              <span aria-hidden="true">{t(`journal.absence.${a.absence}` as Key)}</span>
              <span class="visually-hidden">{t(`journal.absence_long.${a.absence}` as Key)}</span>
              {a.absence === 'late' && a.minutes_late ? <span class="dl-late"> {t('journal.late_minutes', { n: a.minutes_late })}</span> : null}
            </span>
          ) : null}
          {l.grades.map((g) => {
            const kind = typeName(types, g.grade_type_id);
            return (
              <span key={g.id} class={`mark mark--${g.mark}`} data-mark={g.mark} title={kind ?? undefined}>
                {g.mark}
                {kind ? <span class="visually-hidden"> ({kind})</span> : null}
              </span>
            );
          })}
        </span>
      </div>
      {l.lesson_id && (date === todayIn() || lessonCallOf(l.lesson_id) !== null) ? <DiaryOnline org={work.org} lessonId={l.lesson_id} own={work.own} /> : null}
      {l.topic ? (
        <p class="dl-topic">
          <span class="muted">{t('diary.topic')}:</span> {l.topic}
        </p>
      ) : null}
      {a?.reason ? <p class="dl-topic muted">{a.reason}</p> : null}
      {hw ? (
        <div class="dl-hw">
          <span class="muted">{t('diary.homework')}:</span> <span class="hw-text">{hw.body}</span>
          {meta ? <span class="hw-meta">{meta}</span> : null}
          <JournalFiles files={hw.files ?? []} label={t('homework.files')} />
          {l.lesson_id ? <DiaryWork org={work.org} lessonId={l.lesson_id} submission={l.submission} own={work.own} onDone={work.onDone} /> : null}
        </div>
      ) : null}
    </li>
  );
}
