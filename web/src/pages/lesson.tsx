// A lesson's page: its topic, and the class list with each student's attendance and
// marks, typed in place and saved at once (attendance with one request, marks with
// another). A refusal puts the server's words at the row they are about and keeps
// everything typed. Enter moves down the list, as in a paper journal. Below, the
// homework set at the lesson: its text, files, the day it is due, how long it takes
// (with the day's load against the grade's limit, asked as it is typed, and when the
// homework is due in the journal); and the work students handed in for it
// (./submissions). Marks and homework entered after their deadline say so.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { GradeType, HomeworkLoad, LessonPage, LessonStudent, MySchool } from '../api/types';
import { ApiError } from '../api/client';
import { Badge, ErrorBox, errorText, Field, FormMessage, InlineError, Loading, Notice, PageTitle, useForm, useId, useLoad } from '../components/ui';
import { clock, fullName, whenLater } from '../format';
import { t, type Key } from './journal/journal.strings';
import {
  ABSENCES,
  activeTypes,
  addDays,
  attendanceRequest,
  defaultDue,
  draftsOf,
  errorsOf,
  gradesRequest,
  homeworkChanged,
  homeworkDraft,
  homeworkRequest,
  HOMEWORK_MAX_CHARS,
  HOMEWORK_MINUTES_MAX,
  mondayOf,
  MINUTES_LATE_MAX,
  placeAttendanceErrors,
  placeGradeErrors,
  rebase,
  rowChanged,
  typeName,
  type AbsenceCode,
  type Drafts,
  type RowErrors,
  type StudentDraft,
} from '../journal/model';
import { api, me } from '../state';
import { className } from './entry';
import { FilePicker, JournalFiles, useJournalFiles } from './journal-files';
import { LessonSubmissions } from './submissions';
import { LessonOnline } from './lesson-online';
import { filesChanged } from '../journal/submissions';
import { gradeOf, homeworkDeadline, hoursMinutes, loadNotice, loadQuery, standingMinutes, withFieldTexts } from '../journal/regulations';
import { dayMonth, dayTitle, span } from './journal-parts';

let primed: LessonPage | null = null;
/** The page the week just opened (written down by POST), so it is not fetched again. */
export function primeLesson(page: LessonPage): void {
  primed = page;
}

async function loadLesson(org: number, id: number) {
  const cached = primed?.lesson.id === id ? primed : null;
  primed = null;
  const [page, types, school] = await Promise.all([
    cached ?? api.get('/api/v1/orgs/{org_id}/lessons/{lesson_id}', { org_id: org, lesson_id: id }),
    api.get('/api/v1/orgs/{org_id}/grade-types', { org_id: org }),
    api.get('/api/v1/orgs/{org_id}', { org_id: org }).catch(() => null),
  ]);
  return { page, types, tz: school?.time_zone };
}

export function LessonScreen({ school, lessonId }: { school: MySchool; lessonId: number }) {
  const org = school.org_id;
  const data = useLoad(() => loadLesson(org, lessonId), [org, lessonId]);
  if (data.error) {
    return (
      <div class="page journal">
        <PageTitle>{t('lessons.title')}</PageTitle>
        <ErrorBox error={data.error} onRetry={data.reload} />
        <p>
          <a href="/lessons">{t('lesson.back')}</a>
        </p>
      </div>
    );
  }
  if (!data.data) return <Loading />;
  return <LessonEditor org={org} initial={data.data.page} types={data.data.types} tz={data.data.tz} />;
}

function studentName(s: LessonStudent): string {
  return fullName(s.person);
}

function LessonEditor({ org, initial, types, tz }: { org: number; initial: LessonPage; types: GradeType[]; tz?: string }) {
  const [page, setPage] = useState(initial);
  const [drafts, setDrafts] = useState<Drafts>(() => draftsOf(initial));
  const active = activeTypes(types);
  const [typeId, setTypeId] = useState<number | null>(active[0]?.id ?? null);
  const [errors, setErrors] = useState<RowErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const list = useRef<HTMLOListElement>(null);
  const kindId = useId('kind');
  const lesson = page.lesson;
  const mine = lesson.teacher.id === me.value?.id;
  const changed = page.students.some((s) => rowChanged(s, drafts[s.person.id]));

  useLayoutEffect(() => {
    // After a refusal the first control the server named takes the focus.
    if (Object.keys(errors).length) list.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors]);

  const edit = (id: number, change: (d: StudentDraft) => StudentDraft) => {
    setSaved(false);
    setDrafts((all) => (all[id] ? { ...all, [id]: change(all[id]!) } : all));
    setErrors((e) => {
      const prefix = `${id}.`;
      if (!Object.keys(e).some((k) => k.startsWith(prefix))) return e;
      return Object.fromEntries(Object.entries(e).filter(([k]) => !k.startsWith(prefix)));
    });
  };

  const save = async () => {
    if (busy) return;
    setBusy(true);
    setSaved(false);
    setMessage(null);
    let current = page;
    let d = drafts;
    const rows: RowErrors = {};
    const rest: string[] = [];
    let refused = false;
    const failed = (e: unknown, place: (fields: Record<string, string>) => { rows: RowErrors; rest: string[] }) => {
      refused = true;
      if (e instanceof ApiError && Object.keys(e.fields).length) {
        const placed = place(e.fields);
        Object.assign(rows, placed.rows);
        rest.push(...placed.rest);
      } else rest.push(errorText(e));
    };
    const params = { org_id: org, lesson_id: lesson.id };
    const att = attendanceRequest(current, d);
    if (att.request.entries.length) {
      try {
        current = await api.put('/api/v1/orgs/{org_id}/lessons/{lesson_id}/attendance', params, att.request);
        d = rebase(d, current, 'attendance');
      } catch (e) {
        failed(e, (f) => placeAttendanceErrors(f, att.order));
      }
    }
    const gr = gradesRequest(current, d, typeId);
    if (gr.request.grades?.length || gr.request.delete?.length) {
      try {
        current = await api.put('/api/v1/orgs/{org_id}/lessons/{lesson_id}/grades', params, gr.request);
        d = rebase(d, current, 'marks');
      } catch (e) {
        failed(e, (f) => placeGradeErrors(f, gr.grades, gr.deletes));
      }
    }
    setPage(current);
    setDrafts(d);
    setErrors(rows);
    if (refused) setMessage([Object.keys(rows).length ? t('lesson.fix_rows') : '', ...rest].filter(Boolean).join(' '));
    else setSaved(true);
    setBusy(false);
  };

  // Enter moves to the same control of the next student (the new mark when they have
  // no such control); on the last row it saves.
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Enter' || e.isComposing) return;
    const el = e.target as HTMLElement;
    const col = el.dataset.col;
    const row = el.closest<HTMLElement>('.jr-row');
    if (!col || !row) return;
    e.preventDefault();
    let next = row.nextElementSibling as HTMLElement | null;
    while (next) {
      const target = next.querySelector<HTMLElement>(`[data-col="${col}"]`) ?? next.querySelector<HTMLElement>('[data-col="fresh"]');
      if (target) {
        target.focus();
        if (target instanceof HTMLInputElement) target.select();
        return;
      }
      next = next.nextElementSibling as HTMLElement | null;
    }
    void save();
  };

  const when = t('lesson.when', {
    day: dayTitle(lesson.date),
    n: lesson.number,
    time: span(clock(lesson.starts_at, tz), clock(lesson.ends_at, tz)),
  });

  return (
    <div class="page journal lesson-page" data-lesson-id={lesson.id}>
      <p class="lesson-back">
        <a href={`/lessons?date=${lesson.date}`}>
          <span aria-hidden="true">←</span> {t('lesson.back')}
        </a>
      </p>
      <PageTitle>
        {lesson.subject.name}, {className(lesson.class.name, lesson.class.kind)}
        {lesson.group ? ` (${lesson.group.name})` : ''}
      </PageTitle>
      <p class="lead">{when}</p>
      {!mine ? <Notice kind="info">{t('lesson.read_only', { teacher: fullName(lesson.teacher) })}</Notice> : null}

      <LessonOnline
        org={org}
        page={page}
        mine={mine}
        onApplied={(p) => {
          setPage(p);
          setDrafts((d) => rebase(d, p, 'attendance'));
          setErrors({});
        }}
      />

      <TopicForm org={org} page={page} readOnly={!mine} onSaved={(p) => setPage((cur) => ({ ...cur, lesson: p.lesson }))} />

      <form
        class="card jr"
        aria-labelledby="jr-title"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <h2 id="jr-title">{t('lesson.students')}</h2>
        {mine ? (
          <div class="jr-top">
            <div class="field jr-kind">
              <label for={kindId}>{t('lesson.kind')}</label>
              <select id={kindId} value={String(typeId ?? '')} onChange={(e) => setTypeId(Number((e.currentTarget as HTMLSelectElement).value) || null)}>
                {active.map((k) => (
                  <option key={k.id} value={String(k.id)}>
                    {k.name} (×{k.weight})
                  </option>
                ))}
              </select>
              <p class="hint">{t('lesson.kind_hint')}</p>
            </div>
            <p class="hint jr-legend">
              {t('lesson.legend')} {t('lesson.marks_hint')}
            </p>
          </div>
        ) : null}
        {!page.students.length ? <p>{t('lesson.no_students')}</p> : null}
        <ol class="jr-list" ref={list} onKeyDown={onKeyDown}>
          {page.students.map((s, i) => (
            <StudentRow
              key={s.person.id}
              n={i + 1}
              student={s}
              draft={drafts[s.person.id]!}
              errors={errors}
              types={types}
              lateMarks={page.deadlines?.late_marks ?? []}
              readOnly={!mine}
              onEdit={(change) => edit(s.person.id, change)}
            />
          ))}
        </ol>
        {mine ? (
          <div class="jr-save">
            <button type="submit" class="btn btn--primary" disabled={busy} aria-busy={busy || undefined}>
              {t('lesson.save')}
            </button>
            <span role="status" class="jr-status">
              {saved ? t('lesson.saved') : changed ? t('lesson.unsaved') : ''}
            </span>
          </div>
        ) : null}
        {message ? (
          <div class="alert alert--error" role="alert">
            {message}
          </div>
        ) : null}
      </form>

      {mine ? (
        <HomeworkForm org={org} page={page} tz={tz} onSaved={(p) => setPage((cur) => ({ ...cur, homework: p.homework, deadlines: p.deadlines }))} />
      ) : (
        <HomeworkView page={page} />
      )}
      {page.homework ? (
        <LessonSubmissions
          org={org}
          lessonId={lesson.id}
          types={types}
          mine={mine}
          onGraded={(student) =>
            void api.get('/api/v1/orgs/{org_id}/lessons/{lesson_id}', { org_id: org, lesson_id: lesson.id }).then((p) => {
              // The new mark joins the student's row; other rows keep what is typed in them.
              setPage(p);
              setDrafts((d) => ({ ...d, [student]: rebase(d, p, 'marks')[student]! }));
            })
          }
        />
      ) : null}
    </div>
  );
}

/** The homework as the students will read it (for anyone but the lesson's teacher). */
function HomeworkView({ page }: { page: LessonPage }) {
  const hw = page.homework;
  return (
    <section class="card hw" aria-labelledby="hw-title">
      <h2 id="hw-title">{t('homework.title')}</h2>
      {hw ? (
        <>
          {page.deadlines?.homework_late ? (
            <p class="hw-deadline">
              <Badge kind="warn">{t('homework.late')}</Badge>
            </p>
          ) : null}
          <p class="hw-body">{hw.body}</p>
          <JournalFiles files={hw.files ?? []} label={t('homework.files')} />
          <p class="muted">
            {t('homework.due_to', { day: dayMonth(hw.due_on) })}
            {hw.minutes ? ` · ${t('homework.about_minutes', { n: hw.minutes })}` : ''}
          </p>
        </>
      ) : (
        <p class="muted">{t('homework.none')}</p>
      )}
    </section>
  );
}

/**
 * The lesson's homework, set or changed with one request and taken back with another.
 * The due day starts as the next lesson of the same subject in the teacher's week (or
 * the next school day); a refusal shows the server's words at the field, keeping all
 * typed.
 */
function HomeworkForm({ org, page, tz, onSaved }: { org: number; page: LessonPage; tz?: string; onSaved: (p: LessonPage) => void }) {
  const l = page.lesson;
  const fallback = defaultDue(l, []);
  const form = useForm(homeworkDraft(page.homework, fallback));
  const files = useJournalFiles(org, page.homework?.files ?? []);
  const [status, setStatus] = useState<'saved' | 'removed' | null>(null);
  const [removing, setRemoving] = useState(false);

  // No homework yet: look for the next lesson of this subject in the teacher's weeks
  // (this one and the next), unless the day has been changed meanwhile.
  useEffect(() => {
    if (page.homework) return;
    let live = true;
    const week = (date: string) =>
      api
        .get('/api/v1/orgs/{org_id}/years/{year_id}/week', { org_id: org, year_id: l.year_id, date, teacher_id: l.teacher.id })
        .then((w) => w.days)
        .catch(() => []);
    void Promise.all([week(mondayOf(l.date)), week(mondayOf(addDays(l.date, 7)))]).then(([a, b]) => {
      if (live && form.values.peek().due_on === fallback) form.set('due_on', defaultDue(l, [...a, ...b]));
    });
    return () => {
      live = false;
    };
  }, [org, l.id]);

  const params = { org_id: org, lesson_id: l.id };
  const { due_on: dueOn, minutes: typedMinutes } = form.values.value;
  const load = useHomeworkLoad(org, l.id, dueOn, typedMinutes);
  const query = loadQuery(dueOn, typedMinutes);
  const notice = loadNotice(load && query && load.due_on === query.due_on ? load : null, query?.minutes ?? 0, standingMinutes(page.homework, dueOn));
  const deadline = homeworkDeadline(page.deadlines, !!page.homework);
  const changed = homeworkChanged(page.homework, form.values.value) || filesChanged(page.homework?.files ?? [], files.files);
  const busy = form.busy.value || removing || files.busy;

  const remove = async () => {
    if (busy) return;
    setRemoving(true);
    setStatus(null);
    try {
      const p = await api.del('/api/v1/orgs/{org_id}/lessons/{lesson_id}/homework', params);
      // What was typed stays in the form, to be set again if it was a slip.
      onSaved(p);
      form.errors.value = {};
      form.message.value = null;
      setStatus('removed');
    } catch (e) {
      form.fail(e);
    } finally {
      setRemoving(false);
    }
  };

  return (
    <form
      class="card hw hw-form"
      aria-labelledby="hw-title"
      noValidate
      data-set={page.homework ? 'yes' : 'no'}
      onSubmit={async (e) => {
        e.preventDefault();
        setStatus(null);
        const p = await form.submit((v) =>
          api
            .put('/api/v1/orgs/{org_id}/lessons/{lesson_id}/homework', params, { ...homeworkRequest(v), files: files.files.map((f) => f.id) })
            .catch((err: unknown) => {
              // The server names the hard stop only by its code: the words are ours.
              throw withFieldTexts(err, (_, code) => (code === 'day_over_limit' ? t('homework.day_over_limit') : null));
            }),
        );
        if (p) {
          onSaved(p);
          form.reset(homeworkDraft(p.homework, fallback));
          files.reset(p.homework?.files ?? []);
          setStatus('saved');
        }
      }}
    >
      <h2 id="hw-title">{t('homework.title')}</h2>
      {deadline === 'enter_by' ? <p class="hint hw-deadline">{t('homework.enter_by', { when: deadlineText(page.deadlines.homework_due_by, tz) })}</p> : null}
      {deadline === 'late' ? (
        <p class="hw-deadline">
          <Badge kind="warn">{t('homework.late')}</Badge>
        </p>
      ) : null}
      <Field form={form} name="body" label={t('homework.body')} textarea maxLength={HOMEWORK_MAX_CHARS} hint={t('homework.body_hint')} />
      <div class="hw-row">
        <Field form={form} name="due_on" type="date" label={t('homework.due_on')} />
        <Field form={form} name="minutes" type="number" inputMode="numeric" min={1} max={HOMEWORK_MINUTES_MAX} label={t('homework.minutes')} hint={t('homework.minutes_hint')} />
      </div>
      <FilePicker state={files} label={t('homework.files')} />
      <div role="status" class="hw-load" data-load={notice.kind}>
        {notice.kind === 'within' ? (
          <p class="hint">{t('homework.load_within', { total: hoursMinutes(notice.total), limit: hoursMinutes(notice.limit) })}</p>
        ) : notice.kind !== 'none' ? (
          <p class="alert alert--warn">
            {t(notice.kind === 'refused' ? 'homework.load_refused' : 'homework.load_over', {
              total: hoursMinutes(notice.total),
              limit: hoursMinutes(notice.limit),
              grade: gradeText(gradeOf(l.class)),
            })}
          </p>
        ) : null}
      </div>
      <FormMessage form={form} />
      <div class="hw-actions">
        <button type="submit" class="btn btn--primary" disabled={busy} aria-busy={form.busy.value || undefined}>
          {t('homework.save')}
        </button>
        {page.homework ? (
          <button type="button" class="btn btn--secondary" disabled={busy} aria-busy={removing || undefined} onClick={() => void remove()}>
            {t('homework.remove')}
          </button>
        ) : null}
        <span role="status" class="jr-status">
          {status === 'saved' && !changed
            ? t('homework.saved')
            : status === 'removed'
              ? t('homework.removed')
              : changed
                ? t('lesson.unsaved')
                : ''}
        </span>
      </div>
    </form>
  );
}

function gradeText(grade: number | null): string {
  return grade ? t('homework.grade_n', { n: grade }) : t('homework.grade_this');
}

/** «14:45» on the day it falls today, else «9 декабря, 14:45» (in the school's time zone). */
function deadlineText(iso: string, tz?: string): string {
  const w = whenLater(iso, new Date(), tz);
  return w.day === 'today' ? w.time : `${dayMonth(w.date)}, ${w.time}`;
}

/**
 * The day's homework load with this homework as typed, asked 300 ms after the typing
 * stops and only for a real date and 0–240 minutes; the answer to an older question
 * is dropped. A failure leaves no notice: the load only advises.
 */
function useHomeworkLoad(org: number, lessonId: number, dueOn: string, minutes: string): HomeworkLoad | null {
  const [load, setLoad] = useState<HomeworkLoad | null>(null);
  useEffect(() => {
    const q = loadQuery(dueOn, minutes);
    if (!q) {
      setLoad(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      api.get('/api/v1/orgs/{org_id}/lessons/{lesson_id}/homework-load', { org_id: org, lesson_id: lessonId, ...q }).then(
        (r) => live && setLoad(r),
        () => live && setLoad(null),
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [org, lessonId, dueOn, minutes]);
  return load;
}

function TopicForm({ org, page, readOnly, onSaved }: { org: number; page: LessonPage; readOnly: boolean; onSaved: (p: LessonPage) => void }) {
  const l = page.lesson;
  const [topic, setTopic] = useState(l.topic ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const id = useId('topic');
  return (
    <form
      class="card inline-form topic-form"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setDone(false);
        try {
          const p = await api.post('/api/v1/orgs/{org_id}/lessons', { org_id: org }, { assignment_id: l.assignment_id, date: l.date, shift: l.shift, number: l.number, topic: topic.trim() });
          setTopic(p.lesson.topic ?? '');
          setError(null);
          setDone(true);
          onSaved(p);
        } catch (err) {
          setError(errorText(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <div class={`field${error ? ' field--error' : ''}`}>
        <label for={id}>{t('lesson.topic')}</label>
        <input
          id={id}
          name="topic"
          value={topic}
          maxLength={500}
          readOnly={readOnly}
          aria-invalid={error ? true : undefined}
          onInput={(e) => {
            setTopic((e.currentTarget as HTMLInputElement).value);
            setDone(false);
          }}
        />
      </div>
      {readOnly ? null : (
        <button type="submit" class="btn btn--secondary" disabled={busy} aria-busy={busy || undefined}>
          {t('lesson.topic_save')}
        </button>
      )}
      <InlineError error={error} />
      <p class="hint" role="status">
        {done ? t('lesson.topic_saved') : ''}
      </p>
    </form>
  );
}

function StudentRow({
  n,
  student,
  draft,
  errors,
  types,
  lateMarks,
  readOnly,
  onEdit,
}: {
  n: number;
  student: LessonStudent;
  draft: StudentDraft;
  errors: RowErrors;
  types: GradeType[];
  lateMarks: number[];
  readOnly: boolean;
  onEdit: (change: (d: StudentDraft) => StudentDraft) => void;
}) {
  const id = student.person.id;
  const name = studentName(student);
  const a = draft.attendance;
  const errs = errorsOf(errors, id);
  const errId = `jr-err-${id}`;
  const invalid = (key: string) => (errors[`${id}.${key}`] ? { 'aria-invalid': true as const, 'aria-describedby': errId } : {});
  const setAttendance = (patch: Partial<StudentDraft['attendance']>) => onEdit((d) => ({ ...d, attendance: { ...d.attendance, ...patch } }));
  const changed = rowChanged(student, draft);
  return (
    <li class={`jr-row${changed ? ' jr-row--changed' : ''}${errs.length ? ' jr-row--error' : ''}`} data-student-id={id} data-student={name}>
      <span class="jr-n" aria-hidden="true">
        {n}.
      </span>
      <span class="jr-name">{name}</span>
      <div class="jr-controls">
        <span class="jr-att">
          <select
            class="jr-absence"
            data-col="absence"
            data-absence={a.absence}
            aria-label={t('lesson.attendance_of', { name })}
            value={a.absence}
            disabled={readOnly}
            {...invalid('absence')}
            onChange={(e) => setAttendance({ absence: (e.currentTarget as HTMLSelectElement).value as AbsenceCode })}
          >
            <option value="">—</option>
            {ABSENCES.map((x) => (
              <option key={x} value={x}>
                {t(`journal.absence.${x}` as Key)}
              </option>
            ))}
          </select>
          {a.absence === 'late' ? (
            <input
              class="jr-minutes"
              data-col="minutes"
              type="number"
              inputMode="numeric"
              min={1}
              max={MINUTES_LATE_MAX}
              placeholder={t('lesson.minutes')}
              aria-label={t('lesson.minutes_of', { name })}
              value={a.minutes}
              readOnly={readOnly}
              {...invalid('minutes')}
              onInput={(e) => setAttendance({ minutes: (e.currentTarget as HTMLInputElement).value })}
            />
          ) : null}
          {a.absence === 'excused' ? (
            <input
              class="jr-reason"
              data-col="reason"
              maxLength={200}
              placeholder={t('lesson.reason')}
              aria-label={t('lesson.reason_of', { name })}
              value={a.reason}
              readOnly={readOnly}
              {...invalid('reason')}
              onInput={(e) => setAttendance({ reason: (e.currentTarget as HTMLInputElement).value })}
            />
          ) : null}
        </span>
        <span class="jr-marks">
          {draft.marks.map((m) => {
            const g = student.grades.find((x) => x.id === m.id);
            const kind = (g && typeName(types, g.grade_type_id)) ?? '';
            const late = lateMarks.includes(m.id);
            const lateId = `jr-late-${m.id}`;
            const markInvalid = invalid(`mark.${m.id}`);
            const describedBy = [late ? lateId : '', errors[`${id}.mark.${m.id}`] ? errId : ''].filter(Boolean).join(' ') || undefined;
            return (
              <span key={m.id} class="jr-mark">
                <input
                  class="mark-input"
                  data-col={`mark-${m.id}`}
                  data-grade-id={m.id}
                  aria-label={t('lesson.mark_of', { kind, name })}
                  title={kind}
                  value={m.mark}
                  maxLength={5}
                  readOnly={readOnly}
                  {...markInvalid}
                  aria-describedby={describedBy}
                  onInput={(e) => {
                    const v = (e.currentTarget as HTMLInputElement).value;
                    onEdit((d) => ({ ...d, marks: d.marks.map((x) => (x.id === m.id ? { ...x, mark: v } : x)) }));
                  }}
                />
                {readOnly ? null : (
                  <button
                    type="button"
                    class="jr-unmark"
                    tabIndex={-1}
                    aria-label={t('lesson.take_back', { mark: g?.mark ?? m.mark, kind, name })}
                    title={t('lesson.take_back_short')}
                    onClick={() => onEdit((d) => ({ ...d, marks: d.marks.map((x) => (x.id === m.id ? { ...x, mark: '' } : x)) }))}
                  >
                    ×
                  </button>
                )}
                {late ? (
                  <span class="jr-late" id={lateId} title={t('lesson.mark_late_title')} data-late-grade={m.id}>
                    <span aria-hidden="true">{t('lesson.mark_late')}</span>
                    <span class="visually-hidden">{t('lesson.mark_late_title')}</span>
                  </span>
                ) : null}
              </span>
            );
          })}
          {readOnly ? null : (
            <input
              class="mark-input mark-input--new"
              data-col="fresh"
              placeholder="+"
              aria-label={t('lesson.new_mark_of', { name })}
              value={draft.fresh}
              maxLength={20}
              autoComplete="off"
              {...invalid('fresh')}
              onInput={(e) => {
                const v = (e.currentTarget as HTMLInputElement).value;
                onEdit((d) => ({ ...d, fresh: v }));
              }}
            />
          )}
        </span>
      </div>
      {errs.length ? (
        <p class="field-error jr-error" id={errId}>
          {errs.join(' ')}
        </p>
      ) : null}
    </li>
  );
}
