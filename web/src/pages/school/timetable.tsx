// The «Расписание» part of the school year tab: a class's weekly grid (the bells'
// slots × the teaching weekdays) where whoever sets up the year places the class's
// assignments with rooms and saves the whole week — a refused lesson keeps what was
// typed and shows why in its cell — and «Замены и изменения» for a chosen date: a
// replacement teacher, a cancelled, moved or extra lesson, listed and taken back.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import type { AcademicYear, Bell, Member, WeekLesson } from '../../api/types';
import { ConfirmButton, ErrorBox, errorText, Field, FormMessage, InlineError, Loading, Notice, SelectField, Submit, useForm, useId, useLoad } from '../../components/ui';
import { shortName, todayIn } from '../../format';
import { t, type Key } from './year.strings';
import { addDays, mondayOf, yearFor } from '../../journal/model';
import {
  OVERRIDE_FIELDS,
  assignmentLabel,
  draftsOf,
  inCell,
  lessonKey,
  newKey,
  overrideRequest,
  placeErrors,
  timetableRequest,
  type Assignment,
  type Draft,
  type LessonOverride,
  type OverrideDraft,
} from '../../school-year/timetable';
import { api } from '../../state';
import { dayMonth, dayTitle, span } from '../journal-parts';
import { ChangeNote, isOff, RemoteNote } from '../lesson-change';
import './timetable.css';

const WEEKDAYS = [1, 2, 3, 4, 5, 6];

function slotsOf(year: AcademicYear): Bell[] {
  return [...year.bells].sort((a, b) => a.shift - b.shift || a.number - b.number);
}

function slotName(b: Pick<Bell, 'shift' | 'number'>, shifts: number): string {
  return shifts > 1 ? t('tt.slot_shift', { n: b.number, shift: b.shift }) : t('tt.slot', { n: b.number });
}

export function TimetableSection({ org, years, tz }: { org: number; years: AcademicYear[]; tz?: string }) {
  const today = todayIn(tz);
  const [yearId, setYearId] = useState<number | null>(null);
  const [classId, setClassId] = useState('');
  const classes = useLoad(() => api.get('/api/v1/orgs/{org_id}/classes', { org_id: org }), [org]);
  // The year in progress; in summer, the coming one.
  const coming = [...years].sort((a, b) => a.starts_on.localeCompare(b.starts_on)).find((y) => y.ends_on >= today);
  const year = years.find((y) => y.id === yearId) ?? yearFor(years, today) ?? coming ?? years[years.length - 1];
  const yearSelect = useId('tt-year');
  const classSelect = useId('tt-class');
  const list = (classes.data ?? []).filter((c) => c.kind !== 'staff_room');
  if (!years.length) return null;
  return (
    <section class="card timetable" aria-labelledby="tt-title">
      <h2 id="tt-title">{t('tt.title')}</h2>
      <p class="hint">{t('tt.hint')}</p>
      {classes.error ? <ErrorBox error={classes.error} onRetry={classes.reload} /> : null}
      <div class="row">
        {years.length > 1 ? (
          <div class="field">
            <label for={yearSelect}>{t('tt.year')}</label>
            <select id={yearSelect} value={String(year?.id ?? '')} onChange={(e) => setYearId(Number((e.currentTarget as HTMLSelectElement).value))}>
              {years.map((y) => (
                <option key={y.id} value={String(y.id)}>
                  {y.name}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div class="field">
          <label for={classSelect}>{t('tt.class')}</label>
          <select id={classSelect} name="class" value={classId} onChange={(e) => setClassId((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">{t('common.choose')}</option>
            {list.map((c) => (
              <option key={c.id} value={String(c.id)}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      {year && classId ? <ClassTimetable key={`${year.id}-${classId}`} org={org} year={year} classId={Number(classId)} today={today} /> : null}
    </section>
  );
}

function ClassTimetable({ org, year, classId, today }: { org: number; year: AcademicYear; classId: number; today: string }) {
  const data = useLoad(async () => {
    const [timetable, assignments, members] = await Promise.all([
      api.get('/api/v1/orgs/{org_id}/years/{year_id}/classes/{class_id}/timetable', { org_id: org, year_id: year.id, class_id: classId }),
      api.get('/api/v1/orgs/{org_id}/years/{year_id}/assignments', { org_id: org, year_id: year.id, class_id: classId }),
      api.get('/api/v1/orgs/{org_id}/members', { org_id: org }),
    ]);
    return { timetable, assignments, members };
  }, [org, year.id, classId]);
  const [changed, setChanged] = useState(0);
  if (data.error) return <ErrorBox error={data.error} onRetry={data.reload} />;
  if (!data.data) return <Loading />;
  if (!year.bells.length) return <p>{t('tt.no_bells')}</p>;
  const teachers = data.data.members
    .filter((m: Member) => m.roles.some((r) => r === 'teacher' || r === 'director' || r === 'deputy'))
    .sort((a, b) => shortName(a.person).localeCompare(shortName(b.person)));
  return (
    <>
      <WeekGrid org={org} year={year} classId={classId} entries={data.data.timetable.entries} assignments={data.data.assignments} onSaved={() => setChanged((n) => n + 1)} />
      <Overrides key={changed} org={org} year={year} classId={classId} today={today} assignments={data.data.assignments} teachers={teachers} />
    </>
  );
}

function WeekGrid(p: { org: number; year: AcademicYear; classId: number; entries: Parameters<typeof draftsOf>[0]; assignments: Assignment[]; onSaved: () => void }) {
  const [drafts, setDrafts] = useState<Draft[]>(() => draftsOf(p.entries));
  const [errors, setErrors] = useState<Record<number, string[]>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [focusKey, setFocusKey] = useState<number | null>(null);
  const [refused, setRefused] = useState(0);
  const grid = useRef<HTMLDivElement>(null);
  const slots = slotsOf(p.year);
  const shifts = new Set(slots.map((s) => s.shift)).size;
  const days = WEEKDAYS.filter((d) => d <= p.year.school_days);
  const options = p.assignments.map((a) => ({ value: String(a.id), label: assignmentLabel(a, shortName(a.teacher)) }));

  // A lesson just added: its subject is chosen next. After a refusal: the first lesson refused.
  useLayoutEffect(() => {
    if (focusKey !== null) grid.current?.querySelector<HTMLSelectElement>(`[data-key="${focusKey}"] select`)?.focus();
  }, [focusKey]);
  useLayoutEffect(() => {
    if (refused) grid.current?.querySelector<HTMLElement>('.tt-lesson--error select')?.focus();
  }, [refused]);

  const edit = (key: number, change: Partial<Draft>) => {
    setSaved(false);
    setDrafts((list) => list.map((d) => (d.key === key ? { ...d, ...change } : d)));
    if (errors[key]) setErrors((e) => ({ ...e, [key]: [] }));
  };
  const add = (weekday: number, b: Bell) => {
    const key = newKey();
    setSaved(false);
    setDrafts((list) => [...list, { key, weekday, shift: b.shift, number: b.number, assignment: '', room: '' }]);
    setFocusKey(key);
  };
  const remove = (key: number) => {
    setSaved(false);
    setDrafts((list) => list.filter((d) => d.key !== key));
  };
  const save = async () => {
    const { request, order } = timetableRequest(drafts);
    setBusy(true);
    setMessage(null);
    setSaved(false);
    try {
      const result = await api.put(
        '/api/v1/orgs/{org_id}/years/{year_id}/classes/{class_id}/timetable',
        { org_id: p.org, year_id: p.year.id, class_id: p.classId },
        request,
      );
      setDrafts(draftsOf(result.entries));
      setErrors({});
      setSaved(true);
      p.onSaved();
    } catch (e) {
      if (e instanceof ApiError && Object.keys(e.fields).length) {
        const placed = placeErrors(e.fields, order);
        setErrors(placed.byKey);
        setMessage([e.detail, ...placed.rest].join(' '));
        setRefused((n) => n + 1);
      } else {
        setMessage(errorText(e));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="tt-week">
      <h3>{t('tt.week')}</h3>
      {!p.assignments.length ? <p class="muted">{t('tt.no_assignments')}</p> : null}
      <div class="table-scroll" ref={grid}>
        <table class="tt-grid">
          <caption class="visually-hidden">{t('tt.week')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('tt.lesson')}</th>
              {days.map((d) => (
                <th key={d} scope="col">
                  {t(`tt.day.${d}` as Key)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {slots.map((b) => (
              <tr key={`${b.shift}-${b.number}`}>
                <th scope="row">
                  {slotName(b, shifts)}
                  <div class="muted">{span(b.starts_at, b.ends_at)}</div>
                </th>
                {days.map((d) => {
                  const here = inCell(drafts, d, b.shift, b.number);
                  const where = `${t(`tt.day_long.${d}` as Key)}, ${slotName(b, shifts)}`;
                  return (
                    <td key={d} data-cell={`${d}-${b.shift}-${b.number}`}>
                      {here.map((l) => (
                        <CellLesson key={l.key} lesson={l} where={where} options={options} errors={errors[l.key]} onEdit={edit} onRemove={remove} />
                      ))}
                      <button type="button" class="btn btn--link btn--small tt-add" onClick={() => add(d, b)} aria-label={t('tt.add_at', { where })}>
                        +
                      </button>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {message ? <InlineError error={message} /> : null}
      {saved ? <Notice>{t('tt.saved')}</Notice> : null}
      <div class="actions">
        <button type="button" class="btn btn--primary" disabled={busy} aria-busy={busy || undefined} onClick={() => void save()}>
          {t('tt.save')}
        </button>
      </div>
    </div>
  );
}

function CellLesson(p: {
  lesson: Draft;
  where: string;
  options: { value: string; label: string }[];
  errors: string[] | undefined;
  onEdit: (key: number, change: Partial<Draft>) => void;
  onRemove: (key: number) => void;
}) {
  const id = useId('ttl');
  const l = p.lesson;
  const error = p.errors?.length ? p.errors.join(' ') : null;
  return (
    <div class={`tt-lesson${error ? ' tt-lesson--error' : ''}`} data-key={l.key}>
      <select
        id={`${id}-a`}
        aria-label={t('tt.subject_at', { where: p.where })}
        value={l.assignment}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-e` : undefined}
        onChange={(e) => p.onEdit(l.key, { assignment: (e.currentTarget as HTMLSelectElement).value })}
      >
        <option value="">{t('common.choose')}</option>
        {p.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <input
        class="tt-room"
        aria-label={t('tt.room_at', { where: p.where })}
        placeholder={t('tt.room')}
        value={l.room}
        maxLength={30}
        autoComplete="off"
        onInput={(e) => p.onEdit(l.key, { room: (e.currentTarget as HTMLInputElement).value })}
      />
      <button type="button" class="btn btn--link btn--small" aria-label={t('tt.remove_at', { where: p.where })} onClick={() => p.onRemove(l.key)}>
        ×
      </button>
      {error ? (
        <p class="field-error" id={`${id}-e`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

const BLANK: OverrideDraft = { kind: 'substitute', lesson: '', assignment: '', teacher: '', room: '', reason: '', to_date: '', to_slot: '' };

function Overrides(p: { org: number; year: AcademicYear; classId: number; today: string; assignments: Assignment[]; teachers: Member[] }) {
  const first = p.today < p.year.starts_on ? p.year.starts_on : p.today > p.year.ends_on ? p.year.ends_on : p.today;
  const [date, setDate] = useState(first);
  const dateId = useId('tt-date');
  const monday = mondayOf(date);
  const week = useLoad(async () => {
    const [days, list] = await Promise.all([
      api.get('/api/v1/orgs/{org_id}/years/{year_id}/week', { org_id: p.org, year_id: p.year.id, date, class_id: p.classId }),
      api.get('/api/v1/orgs/{org_id}/years/{year_id}/classes/{class_id}/overrides', {
        org_id: p.org,
        year_id: p.year.id,
        class_id: p.classId,
        from: monday,
        to: addDays(monday, 6),
      }),
    ]);
    return { days, list };
  }, [p.org, p.year.id, p.classId, monday]);
  const form = useForm<OverrideDraft>({ ...BLANK }, OVERRIDE_FIELDS);
  const [done, setDone] = useState<string | null>(null);
  const [removeError, setRemoveError] = useState<string | null>(null);
  const v = form.values.value;
  const slots = slotsOf(p.year);
  const shifts = new Set(slots.map((s) => s.shift)).size;
  const day = week.data?.days.days.find((d) => d.date === date);
  const lessons = (day?.lessons ?? []).filter((l) => !l.change);
  const slotOptions = [{ value: '', label: t('common.choose') }, ...slots.map((b) => ({ value: `${b.shift}|${b.number}`, label: `${slotName(b, shifts)}, ${span(b.starts_at, b.ends_at)}` }))];
  const kinds = (['substitute', 'cancel', 'move', 'extra'] as const).map((k) => ({ value: k, label: t(`tt.kind.${k}` as Key) }));
  const lessonLabel = (l: WeekLesson) => `${slotName(l, shifts)}: ${l.subject.name}${l.group ? ` (${l.group.name})` : ''} — ${shortName(l.teacher)}`;

  const submit = async (e: Event) => {
    e.preventDefault();
    setDone(null);
    const made = await form.submit(async (values) => {
      const request = overrideRequest(date, values);
      if (!request) throw new ApiError(422, 'validation_failed', t('tt.choose_lesson'), { lesson: t('tt.choose_lesson') });
      return api.post('/api/v1/orgs/{org_id}/years/{year_id}/classes/{class_id}/overrides', { org_id: p.org, year_id: p.year.id, class_id: p.classId }, request);
    });
    if (made) {
      setDone(t('tt.override_set'));
      form.reset({ ...BLANK, kind: v.kind });
      week.reload();
    }
  };

  return (
    <div class="tt-overrides">
      <h3 id="tt-over-title">{t('tt.overrides')}</h3>
      <div class="field">
        <label for={dateId}>{t('tt.date')}</label>
        <input
          id={dateId}
          type="date"
          name="override-date"
          value={date}
          min={p.year.starts_on}
          max={p.year.ends_on}
          onChange={(e) => {
            const value = (e.currentTarget as HTMLInputElement).value;
            if (!value) return;
            setDate(value);
            // A lesson chosen on another day is not this day's.
            if (form.values.value.kind !== 'extra') form.set('lesson', '');
            setDone(null);
          }}
        />
      </div>
      {week.error ? <ErrorBox error={week.error} onRetry={week.reload} /> : null}
      {week.loading && !week.data ? <Loading /> : null}
      {week.data ? (
        <>
          <h4>{t('tt.day_of', { day: dayTitle(date) })}</h4>
          {!day?.school_day ? <p class="muted">{t('tt.not_school_day')}</p> : null}
          {day?.lessons.length ? (
            <ul class="list tt-day">
              {day.lessons.map((l) => (
                <li key={`${l.assignment_id}-${l.shift}-${l.number}`} class="list-item" data-subject={l.subject.name}>
                  <div>
                    {lessonLabel(l)}
                    {l.room ? <span class="muted"> · {t('journal.room', { room: l.room })}</span> : null}
                    <ChangeNote change={l.change} />
                    {isOff(l.change) ? null : <RemoteNote remote={l.remote} />}
                  </div>
                </li>
              ))}
            </ul>
          ) : null}
          <h4>{t('tt.week_changes', { from: dayMonth(monday), to: dayMonth(addDays(monday, 5)) })}</h4>
          <InlineError error={removeError} />
          {week.data.list.length ? (
            <ul class="list tt-changes">
              {week.data.list.map((o: LessonOverride) => (
                <li key={o.id} class="list-item" data-kind={o.kind}>
                  <div>
                    <strong>{t(`tt.kind.${o.kind}` as Key)}</strong>: {dayMonth(o.place.date)}, {slotName(o.place, shifts)} — {o.subject.name}
                    {o.group ? ` (${o.group.name})` : ''}
                    <div class="muted">
                      {o.kind === 'substitute' ? t('tt.instead', { who: shortName(o.teacher), usual: shortName(o.usual_teacher) }) : shortName(o.teacher)}
                      {o.moved_to ? ` · ${t('tt.moved_to', { day: dayMonth(o.moved_to.date), slot: slotName(o.moved_to, shifts) })}` : ''}
                      {o.room ? ` · ${t('journal.room', { room: o.room })}` : ''}
                      {o.reason ? ` · ${o.reason}` : ''}
                    </div>
                  </div>
                  <span class="item-actions">
                    <ConfirmButton
                      confirm={t('tt.take_back_q')}
                      onConfirm={async () => {
                        setRemoveError(null);
                        try {
                          await api.del('/api/v1/orgs/{org_id}/years/{year_id}/overrides/{override_id}', { org_id: p.org, year_id: p.year.id, override_id: o.id });
                          week.reload();
                        } catch (err) {
                          setRemoveError(errorText(err));
                        }
                      }}
                    >
                      {t('tt.take_back')}
                      <span class="visually-hidden">
                        {' '}
                        {t(`tt.kind.${o.kind}` as Key)}, {dayMonth(o.place.date)}
                      </span>
                    </ConfirmButton>
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">{t('tt.no_changes')}</p>
          )}
        </>
      ) : null}
      <form class="form tt-override-form" noValidate aria-labelledby="tt-new-title" onSubmit={(e) => void submit(e)}>
        <h4 id="tt-new-title">{t('tt.new_override', { day: dayMonth(date) })}</h4>
        {done ? <Notice>{done}</Notice> : null}
        <FormMessage form={form} />
        <SelectField form={form} name="kind" label={t('tt.kind')} options={kinds} />
        {v.kind === 'extra' ? (
          <div class="row">
            <SelectField
              form={form}
              name="assignment"
              label={t('tt.subject')}
              required
              options={[{ value: '', label: t('common.choose') }, ...p.assignments.map((a) => ({ value: String(a.id), label: assignmentLabel(a, shortName(a.teacher)) }))]}
            />
            <SelectField form={form} name="lesson" label={t('tt.lesson')} required options={slotOptions} />
          </div>
        ) : (
          <SelectField
            form={form}
            name="lesson"
            label={t('tt.which_lesson')}
            required
            options={[{ value: '', label: lessons.length ? t('common.choose') : t('tt.no_lessons_day') }, ...lessons.map((l) => ({ value: lessonKey(l), label: lessonLabel(l) }))]}
          />
        )}
        {v.kind === 'substitute' || v.kind === 'extra' ? (
          <SelectField
            form={form}
            name="teacher"
            label={v.kind === 'substitute' ? t('tt.substitute') : t('tt.teacher_other')}
            required={v.kind === 'substitute'}
            options={[{ value: '', label: v.kind === 'extra' ? t('tt.teacher_usual') : t('common.choose') }, ...p.teachers.map((m) => ({ value: String(m.person.id), label: shortName(m.person) }))]}
          />
        ) : null}
        {v.kind === 'move' ? (
          <div class="row">
            <Field form={form} name="to_date" label={t('tt.to_date')} type="date" required />
            <SelectField form={form} name="to_slot" label={t('tt.to_slot')} required options={slotOptions} />
          </div>
        ) : null}
        {v.kind === 'cancel' ? <Field form={form} name="reason" label={t('tt.reason')} maxLength={200} /> : null}
        {v.kind !== 'cancel' ? <Field form={form} name="room" label={v.kind === 'extra' ? t('tt.room') : t('tt.room_other')} maxLength={30} /> : null}
        <Submit form={form}>{t('tt.set')}</Submit>
      </form>
    </div>
  );
}
