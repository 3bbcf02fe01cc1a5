// Students' work for homework. In the diary: the student hands in text and files
// («Сдать работу»), again until it is graded, and sees where it stands; a parent sees
// that read-only. On the lesson page: «Сданные работы» — every student with their work,
// its text and files, returned with a comment or graded with a mark key (the mark goes
// into the journal at the lesson).
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { GradeType, StudentSubmission, Submission } from '../api/types';
import { ApiError } from '../api/client';
import { Badge, ErrorBox, errorText, Loading, useId, useLoad } from '../components/ui';
import { dateTime, fullName } from '../format';
import { t } from './journal/journal.strings';
import {
  answerable,
  canHandIn,
  HOMEWORK_KIND,
  handInEmpty,
  handInRequest,
  MARK_KEYS,
  RETURN_COMMENT_MAX_CHARS,
  statusKey,
  statusTone,
  SUBMISSION_MAX_CHARS,
} from '../journal/submissions';
import { activeTypes } from '../journal/model';
import { api } from '../state';
import { FilePicker, JournalFiles, useJournalFiles } from './journal-files';

/** Where work stands, as a badge (with the mark once graded). */
export function SubmissionBadge({ submission }: { submission: Submission | null | undefined }) {
  const status = submission?.status ?? 'not_handed_in';
  return (
    <Badge kind={statusTone(status)}>
      <span data-status={status}>
        {t(statusKey(status))}
        {submission?.grade ? `: ${submission.grade.mark}` : ''}
      </span>
    </Badge>
  );
}

/** The work as handed in: when, its text and files, and the teacher's comment. */
function WorkView({ submission: s }: { submission: Submission }) {
  return (
    <div class="work">
      <p class="muted work-when">{t('submission.handed_in_at', { when: dateTime(s.handed_in_at) })}</p>
      {s.body ? <p class="hw-text work-body">{s.body}</p> : null}
      <JournalFiles files={s.files} label={t('submission.files')} />
      {s.comment ? (
        <p class="work-comment">
          <span class="muted">{t('submission.teacher_comment')}:</span> {s.comment}
        </p>
      ) : null}
    </div>
  );
}

/**
 * The diary's part of homework for whose work it is: the student hands in (or again, while
 * it is not graded); a parent only reads where it stands.
 */
export function DiaryWork({ org, lessonId, submission, own, onDone }: { org: number; lessonId: number; submission: Submission | null | undefined; own: boolean; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const s = submission ?? null;
  return (
    <div class="diary-work" data-status={s?.status ?? 'not_handed_in'}>
      <p class="work-status">
        <SubmissionBadge submission={s} />
        {s?.status === 'returned' && s.comment ? <span class="work-returned"> {t('submission.returned_with', { comment: s.comment })}</span> : null}
      </p>
      {s && (s.status !== 'returned' || !own) ? <WorkView submission={s} /> : null}
      {own && canHandIn(s) ? (
        open || !s || s.status === 'returned' ? (
          <HandInForm
            org={org}
            lessonId={lessonId}
            submission={s}
            onCancel={s && s.status !== 'returned' ? () => setOpen(false) : undefined}
            onDone={() => {
              setOpen(false);
              onDone();
            }}
          />
        ) : (
          <button type="button" class="btn btn--secondary btn--small" onClick={() => setOpen(true)}>
            {t('submission.change')}
          </button>
        )
      ) : null}
    </div>
  );
}

function HandInForm({ org, lessonId, submission, onCancel, onDone }: { org: number; lessonId: number; submission: Submission | null; onCancel?: () => void; onDone: () => void }) {
  const [body, setBody] = useState(submission?.body ?? '');
  const files = useJournalFiles(org, submission?.files ?? []);
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId('work');
  const area = useRef<HTMLTextAreaElement>(null);
  useLayoutEffect(() => {
    if (fieldError) area.current?.focus();
  }, [fieldError]);
  return (
    <form
      class="hand-in"
      noValidate
      aria-label={t('submission.form')}
      onSubmit={async (e) => {
        e.preventDefault();
        if (busy || files.busy) return;
        if (handInEmpty(body, files.files)) {
          setFieldError(t('submission.empty'));
          return;
        }
        setBusy(true);
        setError(null);
        setFieldError(null);
        try {
          await api.post('/api/v1/orgs/{org_id}/lessons/{lesson_id}/submissions', { org_id: org, lesson_id: lessonId }, handInRequest(body, files.files));
          onDone();
        } catch (err) {
          if (err instanceof ApiError && err.fields.body) setFieldError(err.fields.body);
          else setError(errorText(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <div class={`field${fieldError ? ' field--error' : ''}`}>
        <label for={id}>{t('submission.body')}</label>
        <textarea
          id={id}
          ref={area}
          name="body"
          value={body}
          maxLength={SUBMISSION_MAX_CHARS}
          aria-invalid={fieldError ? true : undefined}
          aria-describedby={fieldError ? `${id}-err` : undefined}
          onInput={(e) => {
            setBody((e.currentTarget as HTMLTextAreaElement).value);
            setFieldError(null);
          }}
        />
        {fieldError ? (
          <p class="field-error" id={`${id}-err`}>
            {fieldError}
          </p>
        ) : null}
      </div>
      <FilePicker state={files} label={t('submission.attach')} />
      {error ? (
        <div class="alert alert--error" role="alert">
          {error}
        </div>
      ) : null}
      <div class="hw-actions">
        <button type="submit" class="btn btn--primary" disabled={busy || files.busy} aria-busy={busy || undefined}>
          {t('submission.hand_in')}
        </button>
        {onCancel ? (
          <button type="button" class="btn btn--link" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        ) : null}
      </div>
    </form>
  );
}

/**
 * «Сданные работы» on the lesson page: every student of the lesson and where their work
 * stands; the lesson's teacher returns work with a comment or grades it. After a grade
 * the page around is told, to show the mark among the lesson's marks.
 */
export function LessonSubmissions({ org, lessonId, types, mine, onGraded }: { org: number; lessonId: number; types: GradeType[]; mine: boolean; onGraded: (student: number) => void }) {
  const list = useLoad(() => api.get('/api/v1/orgs/{org_id}/lessons/{lesson_id}/submissions', { org_id: org, lesson_id: lessonId }), [org, lessonId]);
  const handed = list.data?.students.filter((s) => s.submission).length ?? 0;
  return (
    <section class="card submissions" aria-labelledby="subs-title">
      <h2 id="subs-title">{t('submission.title')}</h2>
      {list.error ? <ErrorBox error={list.error} onRetry={list.reload} /> : null}
      {list.loading && !list.data ? <Loading /> : null}
      {list.data ? (
        <>
          <p class="muted">{t('submission.count', { n: handed, of: list.data.students.length })}</p>
          <ul class="subs-list">
            {list.data.students.map((s) => (
              <StudentWork
                key={s.student.id}
                org={org}
                entry={s}
                types={types}
                mine={mine}
                onChanged={(graded) => {
                  list.reload();
                  if (graded) onGraded(s.student.id);
                }}
              />
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function StudentWork({ org, entry, types, mine, onChanged }: { org: number; entry: StudentSubmission; types: GradeType[]; mine: boolean; onChanged: (graded: boolean) => void }) {
  const name = fullName(entry.student);
  const s = entry.submission;
  return (
    <li class="subs-row" data-student-id={entry.student.id} data-student={name} data-status={entry.status}>
      <div class="subs-head">
        <strong class="subs-name">{name}</strong> <SubmissionBadge submission={s} />
      </div>
      {s ? <WorkView submission={s} /> : null}
      {mine && answerable(s) ? <Answer org={org} submission={s} name={name} types={types} onChanged={onChanged} /> : null}
    </li>
  );
}

/** The teacher's answer to work: a comment, then a mark key (graded) or «Вернуть» (returned). */
function Answer({ org, submission, name, types, onChanged }: { org: number; submission: Submission; name: string; types: GradeType[]; onChanged: (graded: boolean) => void }) {
  const kinds = activeTypes(types);
  const [kind, setKind] = useState<number | null>(kinds.find((k) => k.name === HOMEWORK_KIND)?.id ?? kinds[0]?.id ?? null);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId('answer');
  const params = { org_id: org, submission_id: submission.id };
  const act = async (f: () => Promise<unknown>, graded: boolean) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await f();
      onChanged(graded);
    } catch (e) {
      setError(e instanceof ApiError && Object.keys(e.fields).length ? Object.values(e.fields).join(' ') : errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="subs-answer" role="group" aria-label={t('submission.answer_of', { name })}>
      <div class="field">
        <label for={`${id}-c`}>{t('submission.comment')}</label>
        <input id={`${id}-c`} value={comment} maxLength={RETURN_COMMENT_MAX_CHARS} onInput={(e) => setComment((e.currentTarget as HTMLInputElement).value)} />
      </div>
      <div class="subs-grade">
        <label for={`${id}-k`} class="visually-hidden">
          {t('lesson.kind')}
        </label>
        <select id={`${id}-k`} value={String(kind ?? '')} onChange={(e) => setKind(Number((e.currentTarget as HTMLSelectElement).value) || null)}>
          {kinds.map((k) => (
            <option key={k.id} value={String(k.id)}>
              {k.name} (×{k.weight})
            </option>
          ))}
        </select>
        <span class="mark-keys">
          {MARK_KEYS.map((m) => (
            <button
              key={m}
              type="button"
              class="btn btn--secondary btn--small mark-key"
              data-mark={m}
              disabled={busy}
              aria-label={t('submission.grade_with', { mark: m, name })}
              onClick={() =>
                void act(
                  () =>
                    api.post('/api/v1/orgs/{org_id}/submissions/{submission_id}/grade', params, {
                      mark: m,
                      grade_type_id: kind,
                      comment: comment.trim() || null,
                    }),
                  true,
                )
              }
            >
              {m}
            </button>
          ))}
        </span>
        <button
          type="button"
          class="btn btn--secondary btn--small subs-return"
          disabled={busy}
          onClick={() => {
            if (!comment.trim()) {
              setError(t('submission.return_needs_comment'));
              document.getElementById(`${id}-c`)?.focus();
              return;
            }
            void act(() => api.post('/api/v1/orgs/{org_id}/submissions/{submission_id}/return', params, { comment: comment.trim() }), false);
          }}
        >
          {t('submission.return')}
        </button>
      </div>
      {error ? (
        <p class="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
