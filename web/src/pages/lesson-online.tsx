// A lesson held online: «Провести онлайн» for its teacher (the call in the class's chat,
// then the call page), and the «Онлайн» panel — each student in the lesson now, there
// for N minutes, or never come, with the mark their presence suggests; the teacher puts
// the suggestions into the journal with one request. And the diary's line for a lesson
// that runs online: «Войти на урок» for the student, where the child is for a parent.
import { useEffect, useState } from 'preact/hooks';
import type { LessonPage, OnlineLesson, OnlineStudent } from '../api/types';
import { ApiError } from '../api/client';
import { errorText, useLoad } from '../components/ui';
import { lessonCallOf } from '../calls/live';
import { presenceOf, suggestionEntries, suggestionLabel } from '../calls/model';
import { clock, fullName } from '../format';
import { t, tn } from './journal/journal.strings';
import { navigate } from '../router';
import { api } from '../state';

const online = (org: number, lessonId: number) => api.get('/api/v1/orgs/{org_id}/lessons/{lesson_id}/online', { org_id: org, lesson_id: lessonId });

/** «в уроке сейчас», «был 12 мин», «не заходил». */
export function presenceText(s: OnlineStudent, diary = false): string {
  const p = presenceOf(s);
  if (p.kind === 'in_call') return t(diary ? 'online.diary_in' : 'online.in_call');
  if (p.kind === 'was') return t(diary ? 'online.diary_was' : 'online.was', { n: p.minutes });
  return t('online.never');
}

/** The lesson's data follows a running call: asked again every 15 s while it runs. */
function useOnline(org: number, lessonId: number, known: number | null) {
  const data = useLoad(() => online(org, lessonId), [org, lessonId, known]);
  const running = !!data.data?.running;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(data.reload, 15_000);
    return () => clearInterval(timer);
  }, [running]);
  return data;
}

export function LessonOnline({ org, page, mine, onApplied }: { org: number; page: LessonPage; mine: boolean; onApplied: (p: LessonPage) => void }) {
  const lessonId = page.lesson.id;
  const data = useOnline(org, lessonId, lessonCallOf(lessonId));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const o: OnlineLesson | undefined = data.data;

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const call = await api.post('/api/v1/orgs/{org_id}/lessons/{lesson_id}/call', { org_id: org, lesson_id: lessonId });
      navigate(`/calls/${call.id}`);
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };

  const apply = async () => {
    if (!o) return;
    const entries = suggestionEntries(o.students, page);
    setError(null);
    setResult(null);
    if (!entries.length) return setResult(t('online.nothing_to_apply'));
    setBusy(true);
    try {
      const saved = await api.put('/api/v1/orgs/{org_id}/lessons/{lesson_id}/attendance', { org_id: org, lesson_id: lessonId }, { entries });
      onApplied(saved);
      setResult(tn('online.applied', entries.length));
    } catch (e) {
      setError(e instanceof ApiError && Object.keys(e.fields).length ? `${e.detail} ${Object.values(e.fields).join(' ')}` : errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const held = !!o?.call_id;
  if (!mine && !held) return null;
  return (
    <section class="card lesson-online" aria-labelledby="lesson-online-title" data-running={o?.running ? 'yes' : 'no'}>
      <h2 id="lesson-online-title">{t('online.title')}</h2>
      {o?.running ? (
        <p class="lesson-online-state">
          <span class="call-banner-dot" aria-hidden="true" /> {t('online.running', { time: o.started_at ? clock(o.started_at) : '' })}
          {o.limit_minutes ? <span class="muted"> · {t('online.limit', { n: o.limit_minutes })}</span> : null}
        </p>
      ) : held && o?.ended_at ? (
        <p class="muted">{t('online.over', { from: o.started_at ? clock(o.started_at) : '', to: clock(o.ended_at) })}</p>
      ) : (
        <p class="muted">{t('online.intro')}</p>
      )}
      {mine ? (
        <p>
          <button type="button" class="btn btn--primary" disabled={busy} onClick={() => void start()}>
            {o?.running ? t('online.return') : t('online.start')}
          </button>
        </p>
      ) : null}
      {held && o ? (
        <>
          <ul class="lesson-online-list">
            {o.students.map((s) => {
              const mark = suggestionLabel(s);
              const p = presenceOf(s);
              return (
                <li key={s.student.id} data-student-id={s.student.id} data-student={fullName(s.student)} data-presence={p.kind}>
                  <span class="lo-name">{fullName(s.student)}</span>
                  <span class={`lo-presence lo-presence--${p.kind}`}>{presenceText(s)}</span>
                  {mark ? (
                    <span class="lo-mark" data-mark={mark}>
                      <span class="visually-hidden">{t('online.suggested')}: </span>
                      {mark}
                    </span>
                  ) : null}
                </li>
              );
            })}
          </ul>
          {mine ? (
            <>
              <p class="hint">{t('online.apply_hint')}</p>
              <p>
                <button type="button" class="btn btn--secondary" disabled={busy} onClick={() => void apply()}>
                  {t('online.apply')}
                </button>
              </p>
            </>
          ) : null}
        </>
      ) : null}
      <div role="status">{result ? <p class="alert alert--ok lesson-online-result">{result}</p> : null}</div>
      {error ? (
        <p class="alert alert--error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}

/** The diary's line for a lesson held online: the student's way in while it runs, and presence. */
export function DiaryOnline({ org, lessonId, own }: { org: number; lessonId: number; own: boolean }) {
  const data = useOnline(org, lessonId, lessonCallOf(lessonId));
  const o = data.data;
  if (!o?.call_id) return null;
  return (
    <div class="dl-online" data-running={o.running ? 'yes' : 'no'}>
      {own && o.running ? (
        <a class="btn btn--primary btn--small" href={`/calls/${o.call_id}`}>
          {t('online.enter')}
        </a>
      ) : null}
      {o.students.map((s) => (
        <span key={s.student.id} class={`lo-presence lo-presence--${presenceOf(s).kind}`} data-student-id={s.student.id}>
          {o.students.length > 1 ? `${s.student.given_name}: ` : ''}
          {presenceText(s, true)}
        </span>
      ))}
    </div>
  );
}
