// «Оценки» in the diary: a student's marks of a period subject by subject, with the
// weighted average, the period mark and the year mark. Fetched again when a mark of this
// student changes (`journal_changed`, `final_marks_changed`) and after the connection
// comes back. Part of the diary's chunk.
import { useEffect, useState } from 'preact/hooks';
import type { GradeType, MySchool } from '../api/types';
import { ErrorBox, Loading, PageTitle, useLoad } from '../components/ui';
import { todayIn } from '../format';
import { t } from './journal/journal.strings';
import { connState } from '../chat/store';
import { finalMarksChange, journalChange } from '../journal/live';
import { typeName, yearFor } from '../journal/model';
import { diaryStudents } from '../journal/who';
import { api, me } from '../state';
import { className } from './entry';
import { dayMonth } from './journal-parts';

/** «4,38»: an average as the journal writes it. */
function average(a: number | null | undefined): string {
  return a === null || a === undefined ? '—' : a.toFixed(2).replace('.', ',');
}

export function DiaryMarksPage({ school, student, types }: { school: MySchool; student: string | null; types: () => Promise<GradeType[]> }) {
  const org = school.org_id;
  const students = diaryStudents(me.value, school);
  const shown = students.find((s) => String(s.person.id) === student) ?? students[0]!;
  const today = todayIn();
  const [period, setPeriod] = useState<number | null>(null);
  const years = useLoad(() => api.get('/api/v1/orgs/{org_id}/years', { org_id: org }), [org]);
  const year = years.data ? yearFor(years.data, today) : null;
  // The period today is in; in the holidays, the one just ended; before the year, its first.
  const current = year?.periods.filter((p) => p.starts_on <= today).pop() ?? year?.periods[0];
  const chosen = period ?? current?.number ?? null;
  const marks = useLoad(async () => {
    if (!year || chosen === null) return null;
    const [m, ts] = await Promise.all([
      api.get('/api/v1/orgs/{org_id}/diary/marks', { org_id: org, student_id: shown.person.id, period: chosen, date: year.starts_on }),
      types().catch(() => [] as GradeType[]),
    ]);
    return { m, ts };
  }, [org, shown.person.id, year?.id, chosen]);

  // A mark of this student given, changed or taken back, or a period or year mark set.
  useEffect(() => {
    const seen = [journalChange.peek()?.n ?? 0, finalMarksChange.peek()?.n ?? 0];
    const mine = (c: { org_id: number; student_id: number }) => c.org_id === org && c.student_id === shown.person.id;
    const a = journalChange.subscribe((v) => v && v.n > seen[0]! && mine(v.change) && marks.reload());
    const b = finalMarksChange.subscribe((v) => v && v.n > seen[1]! && mine(v.change) && marks.reload());
    return () => {
      a();
      b();
    };
  }, [org, shown.person.id, year?.id, chosen]);
  useEffect(() => {
    let was = connState.peek();
    return connState.subscribe((s) => {
      if (s === 'live' && was !== 'live') marks.reload();
      was = s;
    });
  }, [org, shown.person.id, year?.id, chosen]);

  const href = (id: number) => `/diary/marks?student=${id}`;
  const error = years.error ?? marks.error;
  return (
    <div class="page journal diary diary-marks" data-student-id={shown.person.id}>
      <PageTitle>{t('diary.marks_title')}</PageTitle>
      <DiaryViews student={shown.person.id} current="marks" />
      {students.length > 1 ? (
        <nav class="segmented" aria-label={t('diary.whose')}>
          {students.map((s) => (
            <a key={s.person.id} class="seg" href={href(s.person.id)} aria-current={s.person.id === shown.person.id ? 'page' : undefined}>
              {s.person.given_name} · {className(s.class.name, s.class.kind)}
            </a>
          ))}
        </nav>
      ) : null}
      {year && year.periods.length > 1 ? (
        <div class="field">
          <label for="dm-period">{t('diary.marks_period')}</label>
          <select id="dm-period" value={String(chosen ?? '')} onChange={(e) => setPeriod(Number((e.currentTarget as HTMLSelectElement).value))}>
            {year.periods.map((p) => (
              <option key={p.number} value={String(p.number)}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {error ? <ErrorBox error={error} onRetry={() => (years.error ? years.reload() : marks.reload())} /> : null}
      {(years.loading && !years.data) || (marks.loading && !marks.data) ? <Loading /> : null}
      {years.data && !year ? <p class="muted">{t('diary.marks_no_year')}</p> : null}
      {marks.data ? (
        marks.data.m.subjects.length ? (
          <ul class="list subject-marks" aria-label={marks.data.m.period.name}>
            {marks.data.m.subjects.map((s) => (
              <li key={s.subject.id} class="card subject-marks-item" data-subject={s.subject.name}>
                <h2 class="subject-marks-name">{s.subject.name}</h2>
                <p class="subject-marks-list">
                  {s.marks.length ? (
                    s.marks.map((m, i) => (
                      <span key={i} class="mark" data-mark={m.mark} title={`${dayMonth(m.date)} · ${typeName(marks.data!.ts, m.grade_type_id) ?? ''}`}>
                        {m.mark}
                      </span>
                    ))
                  ) : (
                    <span class="muted">{t('diary.marks_none')}</span>
                  )}
                </p>
                <dl class="subject-marks-totals">
                  <div>
                    <dt>{t('diary.marks_average')}</dt>
                    <dd class="subject-marks-average">{average(s.average)}</dd>
                  </div>
                  <div>
                    <dt>{marks.data!.m.period.name}</dt>
                    <dd class="subject-marks-period">{s.period_mark ?? '—'}</dd>
                  </div>
                  <div>
                    <dt>{t('diary.marks_year')}</dt>
                    <dd class="subject-marks-year">{s.year_mark ?? '—'}</dd>
                  </div>
                </dl>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">{t('diary.marks_empty')}</p>
        )
      ) : null}
    </div>
  );
}

/** «Неделя | Оценки»: the diary's two views of the same student. */
export function DiaryViews({ student, current }: { student: number; current: 'week' | 'marks' }) {
  return (
    <nav class="segmented diary-views" aria-label={t('diary.views')}>
      <a class="seg" href={`/diary?student=${student}`} aria-current={current === 'week' ? 'page' : undefined}>
        {t('diary.view_week')}
      </a>
      <a class="seg" href={`/diary/marks?student=${student}`} aria-current={current === 'marks' ? 'page' : undefined}>
        {t('diary.view_marks')}
      </a>
    </nav>
  );
}
