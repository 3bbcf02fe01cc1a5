// «Переход на новый учебный год» in the school console (the admins): the ending year
// and the new one (created beforehand in «Учебный год»), the leaving grades and the 9th
// classes that go on, the exceptions picked by name (kept down, leaving, moving), the
// graduates' last day; «Показать, что изменится» asks the server for its plan (classes,
// new classes, exceptions in words, chats going on and archived, names already taken),
// and «Перейти на новый год», after a confirmation, does it. Refusals are shown at their
// fields. Its own chunk with its own strings (transition.strings.ts).
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import type { AcademicYear, Member, PlannedException, SchoolClass, YearTransitionPlan } from '../../api/types';
import { ErrorBox, Loading, Modal, errorText, useId, useLoad } from '../../components/ui';
import { day, fullName, todayIn } from '../../format';
import { withoutError, withoutRowErrors, type FieldErrors } from '../../school-year/model';
import {
  EXCEPTION_ACTIONS,
  GRADES,
  classesOfYear,
  endingYears,
  findStudents,
  followingYears,
  leavingClasses,
  moveTargets,
  newDraft,
  placeTransitionErrors,
  studentsOf,
  transitionRequest,
  withContinuing,
  withException,
  withExceptionChange,
  withFrom,
  withGrade,
  withoutException,
  type StudentChoice,
  type TransitionDraft,
} from '../../school-year/transition';
import { api } from '../../state';
import { DraftInput, DraftSelect } from './year-parts';
import { t, tn, type Key } from './transition.strings';
import './transition.css';

export function TransitionTab({ org, tz }: { org: number; tz?: string }) {
  const today = todayIn(tz);
  const years = useLoad(() => api.get('/api/v1/orgs/{org_id}/years', { org_id: org }), [org]);
  const classes = useLoad(() => api.get('/api/v1/orgs/{org_id}/classes', { org_id: org }), [org]);
  const members = useLoad(() => api.get('/api/v1/orgs/{org_id}/members', { org_id: org }), [org]);
  const [done, setDone] = useState<YearTransitionPlan | null>(null);

  const ready = years.data && classes.data;
  return (
    <>
      <section class="card ytr" aria-labelledby="ytr-title">
        <h2 id="ytr-title">{t('ytr.title')}</h2>
        <p class="hint">{t('ytr.lead')}</p>
        <p class="hint">{t('ytr.lead_invites')}</p>
        {years.error ? <ErrorBox error={years.error} onRetry={years.reload} /> : null}
        {classes.error ? <ErrorBox error={classes.error} onRetry={classes.reload} /> : null}
        {!ready && !years.error && !classes.error ? <Loading /> : null}
      </section>
      {done ? (
        <Done org={org} plan={done} />
      ) : null}
      {ready && !done ? (
        <TransitionForm
          org={org}
          today={today}
          years={years.data!}
          classes={classes.data!}
          members={members.data}
          membersError={members.error}
          onMembersRetry={members.reload}
          onDone={(plan) => {
            setDone(plan);
            years.reload();
            classes.reload();
            members.reload();
          }}
        />
      ) : null}
    </>
  );
}

function yearLabel(y: AcademicYear): string {
  return t('ytr.year_option', { name: y.name, from: day(y.starts_on), to: day(y.ends_on) });
}

function TransitionForm({
  org,
  today,
  years,
  classes: allClasses,
  members,
  membersError,
  onMembersRetry,
  onDone,
}: {
  org: number;
  today: string;
  years: AcademicYear[];
  classes: SchoolClass[];
  members: Member[] | undefined;
  membersError: unknown;
  onMembersRetry: () => void;
  onDone: (plan: YearTransitionPlan) => void;
}) {
  const [draft, setDraft] = useState<TransitionDraft>(() => newDraft(years, today));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [plan, setPlan] = useState<YearTransitionPlan | null>(null);
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);
  const [refused, setRefused] = useState(0);
  const form = useRef<HTMLFormElement>(null);
  const formId = useId('ytr-form');

  const from = years.find((y) => String(y.id) === draft.from_year_id);
  const ending = endingYears(years);
  const following = followingYears(years, from);
  const classes = useMemo(() => classesOfYear(allClasses, from), [allClasses, from]);
  const leaving = leavingClasses(classes, draft.leaving_grades);
  const students = useMemo(() => studentsOf(members ?? [], classes), [members, classes]);
  const studentById = useMemo(() => new Map(students.map((s) => [s.id, s])), [students]);

  // After a refusal, the first field the server complained about takes the focus, else
  // the message (a refused run closed its dialog and the preview with its button).
  useLayoutEffect(() => {
    if (!refused) return;
    const at = form.current?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form.current?.querySelector<HTMLElement>('.ytr-message');
    at?.focus();
  }, [refused]);

  const change = (next: TransitionDraft, ...fields: string[]) => {
    setDraft(next);
    if (fields.length) setErrors((e) => fields.reduce(withoutError, e));
    if (plan) {
      setPlan(null);
      setStale(true);
    }
  };

  /** Sends the draft to `path`; the answer, or null with the refusal placed at its fields. */
  const send = async (run: boolean): Promise<YearTransitionPlan | null> => {
    setBusy(true);
    setMessage(null);
    try {
      const body = transitionRequest(draft, classes);
      return run
        ? await api.post('/api/v1/orgs/{org_id}/year-transition', { org_id: org }, body)
        : await api.post('/api/v1/orgs/{org_id}/year-transition/preview', { org_id: org }, body);
    } catch (err) {
      const problem = err instanceof ApiError ? err : new ApiError(0, 'unexpected', errorText(err));
      const { at, rest } = placeTransitionErrors(problem.fields, draft);
      setErrors(at);
      const detail = problem.code === 'year_archived' ? t('ytr.error.year_archived') : problem.detail;
      setMessage([detail, ...rest].filter(Boolean).join(' '));
      setPlan(null);
      setRefused((n) => n + 1);
      return null;
    } finally {
      setBusy(false);
    }
  };

  const preview = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const got = await send(false);
    if (got) {
      setErrors({});
      setStale(false);
      setPlan(got);
    }
  };

  if (!ending.length) {
    return (
      <section class="card">
        <p>{t('ytr.no_from')}</p>
      </section>
    );
  }

  return (
    <>
      <form ref={form} class="card form ytr-form" noValidate aria-labelledby="ytr-title" onSubmit={preview}>
        {message ? (
          <div class="alert alert--error ytr-message" role="alert" tabIndex={-1}>
            {message}
          </div>
        ) : null}
        <div class="row">
          <DraftSelect
            name="from_year_id"
            label={t('ytr.from')}
            value={draft.from_year_id}
            error={errors.from_year_id}
            options={ending.map((y) => ({ value: String(y.id), label: yearLabel(y) }))}
            onChange={(v) => {
              setErrors({});
              change(withFrom(draft, years, v));
            }}
          />
          {following.length ? (
            <DraftSelect
              name="to_year_id"
              label={t('ytr.to')}
              value={draft.to_year_id}
              error={errors.to_year_id}
              options={following.map((y) => ({ value: String(y.id), label: yearLabel(y) }))}
              onChange={(v) => change({ ...draft, to_year_id: v }, 'to_year_id')}
            />
          ) : null}
        </div>
        {!following.length ? (
          <div class="alert alert--info ytr-no-year">
            <p>{t('ytr.no_to', { name: from?.name ?? '' })}</p>
            <p>
              <a href={`/school/${org}/year`}>{t('ytr.create_year')}</a>
            </p>
          </div>
        ) : null}

        <CheckGroup
          legend={t('ytr.grades')}
          hint={t('ytr.grades_hint')}
          error={errors.leaving_grades}
          class="ytr-grades"
          items={GRADES.map((g) => ({
            key: String(g),
            label: t('ytr.grade', { n: g }),
            checked: draft.leaving_grades.includes(g),
            onChange: (on: boolean) => change(withGrade(draft, g, on), 'leaving_grades', 'continuing'),
          }))}
        />

        {!classes.length ? <p class="muted">{t('ytr.classes_none')}</p> : null}
        <CheckGroup
          legend={t('ytr.continuing')}
          hint={leaving.length ? t('ytr.continuing_hint') : undefined}
          error={errors.continuing}
          empty={t('ytr.continuing_none')}
          class="ytr-continuing"
          items={leaving.map((c) => ({
            key: String(c.id),
            label: t('ytr.continues', { name: c.name, n: (c.grade ?? 0) + 1 }),
            checked: draft.continuing.includes(c.id),
            onChange: (on: boolean) => change(withContinuing(draft, c.id, on), 'continuing'),
          }))}
        />

        <div class="row">
          <DraftInput
            name="graduated_on"
            type="date"
            label={t('ytr.graduated_on')}
            hint={t('ytr.graduated_on_hint')}
            value={draft.graduated_on}
            error={errors.graduated_on}
            onInput={(v) => change({ ...draft, graduated_on: v }, 'graduated_on')}
          />
        </div>

        <fieldset class="ytr-exceptions" aria-describedby={`${formId}-ex-hint`}>
          <legend>{t('ytr.exceptions')}</legend>
          <p class="hint" id={`${formId}-ex-hint`}>
            {t('ytr.exceptions_hint')}
          </p>
          {!draft.exceptions.length ? <p class="muted">{t('ytr.exceptions_none')}</p> : null}
          {draft.exceptions.map((row, i) => {
            const s = studentById.get(row.student_id);
            const name = s?.name ?? String(row.student_id);
            const at = (f: string) => errors[`exceptions[${i}].${f}`];
            const targets = s ? moveTargets(classes, s.class_id, draft) : [];
            return (
              <fieldset key={row.key} class="subgroup ytr-exception" data-student={name}>
                <legend>{t('ytr.exception_title', { name, class: s?.class_name ?? '' })}</legend>
                <div class="row">
                  <DraftSelect
                    name={`exceptions[${i}].action`}
                    label={t('ytr.action')}
                    value={row.action}
                    error={at('action') ?? at('student_id')}
                    options={EXCEPTION_ACTIONS.map((a) => ({ value: a, label: t(`ytr.action.${a}` as Key) }))}
                    onChange={(v) =>
                      change(withExceptionChange(draft, i, { action: v as TransitionDraft['exceptions'][number]['action'] }), `exceptions[${i}].action`, `exceptions[${i}].student_id`, `exceptions[${i}].to_class_id`)
                    }
                  />
                  {row.action === 'move' ? (
                    <DraftSelect
                      name={`exceptions[${i}].to_class_id`}
                      label={t('ytr.move_to')}
                      value={row.to_class_id}
                      error={at('to_class_id')}
                      options={[{ value: '', label: t('ytr.move_to_pick') }, ...targets.map((c) => ({ value: String(c.id), label: c.name }))]}
                      onChange={(v) => change(withExceptionChange(draft, i, { to_class_id: v }), `exceptions[${i}].to_class_id`)}
                    />
                  ) : null}
                </div>
                {row.action === 'move' ? <p class="hint">{t('ytr.move_to_hint')}</p> : null}
                <button
                  type="button"
                  class="btn btn--secondary btn--small"
                  aria-label={t('ytr.remove_named', { name })}
                  onClick={() => {
                    setErrors((e) => withoutRowErrors(e, 'exceptions', i));
                    change(withoutException(draft, i));
                    form.current?.querySelector<HTMLElement>('.ytr-find input')?.focus();
                  }}
                >
                  {t('ytr.remove')}
                </button>
              </fieldset>
            );
          })}
          {membersError ? <ErrorBox error={membersError} onRetry={onMembersRetry} /> : null}
          {!members && !membersError ? <Loading /> : null}
          {members ? <AddException students={students.filter((s) => !draft.exceptions.some((e) => e.student_id === s.id))} onAdd={(id) => change(withException(draft, id))} /> : null}
        </fieldset>

        <div class="actions">
          <button type="submit" class="btn btn--primary" disabled={busy || !following.length} aria-busy={busy || undefined}>
            {t('ytr.preview')}
          </button>
        </div>
        {stale ? (
          <p class="hint ytr-stale" role="status">
            {t('ytr.changed')}
          </p>
        ) : null}
      </form>
      {plan ? (
        <Preview
          key={JSON.stringify(plan)}
          plan={plan}
          graduatedOn={draft.graduated_on}
          busy={busy}
          onRun={async () => {
            const got = await send(true);
            if (got) onDone(got);
            return got !== null;
          }}
        />
      ) : null}
    </>
  );
}

/** Checkboxes in a fieldset with its legend, hint and error. */
function CheckGroup(p: {
  legend: string;
  hint?: string;
  error?: string;
  empty?: string;
  class: string;
  items: { key: string; label: string; checked: boolean; onChange: (on: boolean) => void }[];
}) {
  const id = useId('ytr-check');
  const described = [p.hint ? `${id}-hint` : '', p.error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <fieldset class={`ytr-checks ${p.class}${p.error ? ' field--error' : ''}`} aria-describedby={described}>
      <legend>{p.legend}</legend>
      {p.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      {!p.items.length && p.empty ? <p class="muted">{p.empty}</p> : null}
      <ul class="ytr-check-list">
        {p.items.map((item) => (
          <li key={item.key} class="field field--check">
            <input
              id={`${id}-${item.key}`}
              type="checkbox"
              checked={item.checked}
              aria-invalid={p.error ? true : undefined}
              onChange={(e) => item.onChange((e.currentTarget as HTMLInputElement).checked)}
            />
            <label for={`${id}-${item.key}`}>{item.label}</label>
          </li>
        ))}
      </ul>
      {p.error ? (
        <p class="field-error" id={`${id}-error`}>
          {p.error}
        </p>
      ) : null}
    </fieldset>
  );
}

/** A student found by name and added to the exceptions. */
function AddException({ students, onAdd }: { students: StudentChoice[]; onAdd: (studentId: number) => void }) {
  const [query, setQuery] = useState('');
  const [picked, setPicked] = useState('');
  const id = useId('ytr-add');
  const found = findStudents(students, query);
  const chosen = found.find((s) => String(s.id) === picked) ?? (found.length === 1 ? found[0] : undefined);
  return (
    <div class="ytr-add">
      <div class="row">
        <div class="field ytr-find">
          <label for={`${id}-q`}>{t('ytr.find')}</label>
          <input
            id={`${id}-q`}
            type="search"
            autoComplete="off"
            value={query}
            aria-describedby={`${id}-q-hint ${id}-count`}
            onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)}
          />
          <p class="hint" id={`${id}-q-hint`}>
            {t('ytr.find_hint')}
          </p>
        </div>
        <div class="field">
          <label for={`${id}-s`}>{t('ytr.student')}</label>
          <select id={`${id}-s`} value={chosen ? String(chosen.id) : ''} onChange={(e) => setPicked((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">{t('ytr.student_pick')}</option>
            {found.map((s) => (
              <option key={s.id} value={String(s.id)} selected={chosen?.id === s.id}>
                {`${s.name}, ${s.class_name}`}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p class="hint" id={`${id}-count`} aria-live="polite">
        {query.trim() ? (found.length ? tn('ytr.students_found', found.length) : t('ytr.students_none')) : ''}
      </p>
      <div class="actions">
        <button
          type="button"
          class="btn btn--secondary"
          disabled={!chosen}
          onClick={() => {
            if (!chosen) return;
            onAdd(chosen.id);
            setQuery('');
            setPicked('');
          }}
        >
          {t('ytr.add')}
        </button>
      </div>
    </div>
  );
}

export function exceptionText(e: PlannedException): string {
  const vars = { name: fullName(e.student), from: e.from_class.name, to: e.to_name ?? '' };
  if (e.action === 'leave') return t('ytr.ex.leave', vars);
  return t(`ytr.ex.${e.action}${e.to_name ? '' : '_plain'}` as Key, vars);
}

/** The server's plan in words: classes, new classes, exceptions, counts and chats. */
function PlanView({ plan }: { plan: YearTransitionPlan }) {
  const H = 'h4';
  // Once done, the headings say what happened.
  const said = (key: Key, done: Key) => t(plan.done ? done : key);
  const counts: [Key, number][] = [
    ['ytr.count.promoted', plan.students_promoted],
    ['ytr.count.graduating', plan.students_graduating],
    ['ytr.count.leaving', plan.students_leaving],
    ['ytr.count.repeating', plan.students_repeating],
    ['ytr.count.moving', plan.students_moving],
  ];
  return (
    <div class="ytr-plan-body">
      <H>{t('ytr.classes')}</H>
      <div class="table-wrap">
        <table class="table ytr-classes">
          <thead>
            <tr>
              <th scope="col">{t('ytr.col.class')}</th>
              <th scope="col">{t('ytr.col.students')}</th>
            </tr>
          </thead>
          <tbody>
            {plan.classes.map((c) => (
              <tr key={c.class.id} data-class={c.class.name} data-outcome={c.outcome}>
                <td>{c.outcome === 'goes_on' ? t('ytr.goes_on', { from: c.class.name, to: c.to_name ?? '' }) : t('ytr.graduates', { from: c.class.name })}</td>
                <td>{tn('ytr.students_n', c.students)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {plan.new_classes.length ? (
        <>
          <H>{t('ytr.new_classes')}</H>
          <p class="ytr-new-classes">{t(plan.done ? 'ytr.done.new_classes_hint' : 'ytr.new_classes_hint', { names: plan.new_classes.join(', ') })}</p>
        </>
      ) : null}
      {plan.exceptions.length ? (
        <>
          <H>{t('ytr.planned_exceptions')}</H>
          <ul class="ytr-lines ytr-planned-exceptions">
            {plan.exceptions.map((e) => (
              <li key={e.student.id}>{exceptionText(e)}</li>
            ))}
          </ul>
        </>
      ) : null}
      <H>{t('ytr.totals')}</H>
      <ul class="ytr-lines ytr-counts">
        {counts
          .filter(([, n], i) => n > 0 || i === 0)
          .map(([key, n]) => (
            <li key={key}>{t(key, { n })}</li>
          ))}
      </ul>
      <H>{said('ytr.chats_following', 'ytr.done.chats_following')}</H>
      {plan.chats_following.length ? (
        <ul class="ytr-lines ytr-chats-following">
          {plan.chats_following.map((c) => (
            <li key={c.chat_id} data-chat-id={c.chat_id}>
              {t('ytr.chat_renamed', { from: c.title, to: c.new_title })}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{t('ytr.chats_following_none')}</p>
      )}
      <H>{said('ytr.chats_archived', 'ytr.done.chats_archived')}</H>
      <p class="hint">{t('ytr.chats_archived_hint')}</p>
      {plan.chats_archived.length ? (
        <ul class="ytr-lines ytr-chats-archived">
          {plan.chats_archived.map((c) => (
            <li key={c.chat_id} data-chat-id={c.chat_id}>
              {t('ytr.chat_renamed', { from: c.title, to: c.new_title })}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{t('ytr.chats_archived_none')}</p>
      )}
    </div>
  );
}

function Preview({ plan, graduatedOn, busy, onRun }: { plan: YearTransitionPlan; graduatedOn: string; busy: boolean; onRun: () => Promise<boolean> }) {
  const [asking, setAsking] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const titleId = useId('ytr-plan');
  useLayoutEffect(() => {
    heading.current?.focus();
  }, []);
  const taken = plan.taken_names.length > 0;
  return (
    <section class="card ytr-plan" aria-labelledby={titleId}>
      <h3 id={titleId} ref={heading} tabIndex={-1}>
        {t('ytr.plan_title', { from: plan.from_year.name, to: plan.to_year.name })}
      </h3>
      <p class="hint">{t('ytr.plan_lead')}</p>
      {taken ? (
        <div class="alert alert--error ytr-taken" role="alert">
          {t('ytr.taken', { year: plan.to_year.name, names: plan.taken_names.join(', ') })}
        </div>
      ) : null}
      <PlanView plan={plan} />
      <div class="actions">
        <button type="button" class="btn btn--danger" disabled={taken || busy} onClick={() => setAsking(true)}>
          {t('ytr.run')}
        </button>
      </div>
      {asking ? (
        <Modal title={t('ytr.confirm_title', { to: plan.to_year.name })} onClose={() => setAsking(false)} class="modal--ytr">
          <p>{t('ytr.confirm_text', { from: plan.from_year.name, date: day(graduatedOn) })}</p>
          <p>
            <strong>{t('ytr.confirm_undo')}</strong>
          </p>
          <div class="actions">
            <button
              type="button"
              class="btn btn--danger"
              disabled={busy}
              aria-busy={busy || undefined}
              onClick={async () => {
                const ok = await onRun();
                if (!ok) setAsking(false);
              }}
            >
              {t('ytr.confirm_run')}
            </button>
            <button type="button" class="btn btn--secondary" onClick={() => setAsking(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </Modal>
      ) : null}
    </section>
  );
}

function Done({ org, plan }: { org: number; plan: YearTransitionPlan }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  return (
    <section class="card ytr-done" aria-labelledby="ytr-done-title">
      <h3 id="ytr-done-title" ref={heading} tabIndex={-1}>
        {t('ytr.done_title', { to: plan.to_year.name })}
      </h3>
      <div class="alert alert--ok" role="status">
        <p>{t('ytr.done_lead', { from: plan.from_year.name })}</p>
        <p>
          <a href={`/school/${org}/invites`}>{t('ytr.done_invites')}</a>
        </p>
      </div>
      <PlanView plan={plan} />
    </section>
  );
}
