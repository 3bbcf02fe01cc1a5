// «Кто что ведёт»: a year's teaching assignments under their class, narrowed to a
// class or a teacher; a new one is chosen class → group (or the whole class) →
// subject → teacher; one is ended after a warning that its lessons leave the
// timetable. Refusals show at the choice they are about, nothing chosen is lost.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import type { AcademicYear } from '../../api/types';
import { ErrorBox, FormMessage, Loading, Notice, SelectField, Submit, useForm, useLoad } from '../../components/ui';
import { fullName, shortName } from '../../format';
import { t, tn, type Key } from './year.strings';
import { api } from '../../state';
import { sortSubjects } from '../../school-year/model';
import {
  assignmentRequest,
  atTeacher,
  byClass,
  filterAssignments,
  missingChoices,
  neighbour,
  sortGroups,
  type Assignment,
  type Choice,
} from '../../school-year/teaching';
import { AskFirst, type People } from './teaching';

/** «Иностранный язык (английский), 9А, Английский, группа 1 — Орлов Д. И.» */
function describe(a: Assignment): string {
  return t('assignments.described', {
    subject: a.subject.name,
    class: a.group ? `${a.class.name}, ${a.group.name}` : a.class.name,
    teacher: shortName(a.teacher),
  });
}

export function AssignmentsSection({
  org,
  years,
  yearId,
  onYear,
  people,
  assignments,
  loading,
  error,
  reload,
  groupsVersion,
  onAdded,
  onEnded,
}: {
  org: number;
  years: AcademicYear[];
  yearId: number | '';
  onYear: (id: number) => void;
  people: People;
  assignments: Assignment[];
  loading: boolean;
  error: unknown;
  reload: () => void;
  groupsVersion: number;
  onAdded: (a: Assignment) => void;
  onEnded: (id: number) => void;
}) {
  const [classFilter, setClassFilter] = useState<number | ''>('');
  const [teacherFilter, setTeacherFilter] = useState<number | ''>('');
  const [notice, setNotice] = useState<string | null>(null);
  const section = useRef<HTMLElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const focusNext = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (!focusNext.current) return;
    const el = focusNext.current === 'heading' ? heading.current : section.current?.querySelector<HTMLElement>(focusNext.current);
    el?.focus();
    focusNext.current = null;
  });
  const order = people.classes.map((c) => c.id);
  const shown = byClass(filterAssignments(assignments, { classId: classFilter, teacherId: teacherFilter }), order);
  const shownIds = shown.flatMap((c) => c.items.map((a) => a.id));
  const year = years.find((y) => y.id === yearId);

  return (
    <section ref={section} class="card assignments" aria-labelledby="assignments-title">
      <h2 id="assignments-title" ref={heading} tabIndex={-1}>
        {t('assignments.title')}
      </h2>
      <p class="hint">{t('assignments.hint')}</p>
      {!years.length ? <p>{t('assignments.no_year')}</p> : null}
      {people.error ? <ErrorBox error={people.error} onRetry={people.reload} /> : null}
      {year && people.ready ? (
        <>
          <div class="row filters">
            <div class="field">
              <label for="assignments-year">{t('assignments.year')}</label>
              <select
                id="assignments-year"
                value={String(yearId)}
                onChange={(e) => {
                  setNotice(null);
                  onYear(Number((e.currentTarget as HTMLSelectElement).value));
                }}
              >
                {years.map((y) => (
                  <option key={y.id} value={String(y.id)}>
                    {y.name}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="assignments-class">{t('assignments.class_filter')}</label>
              <select
                id="assignments-class"
                value={String(classFilter)}
                onChange={(e) => {
                  const v = (e.currentTarget as HTMLSelectElement).value;
                  setClassFilter(v ? Number(v) : '');
                }}
              >
                <option value="">{t('assignments.all_classes')}</option>
                {people.classes.map((c) => (
                  <option key={c.id} value={String(c.id)}>
                    {c.name}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="assignments-teacher">{t('assignments.teacher_filter')}</label>
              <select
                id="assignments-teacher"
                value={String(teacherFilter)}
                onChange={(e) => {
                  const v = (e.currentTarget as HTMLSelectElement).value;
                  setTeacherFilter(v ? Number(v) : '');
                }}
              >
                <option value="">{t('assignments.all_teachers')}</option>
                {people.staff.map((p) => (
                  <option key={p.id} value={String(p.id)}>
                    {fullName(p)}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {notice ? <Notice>{notice}</Notice> : null}
          {error ? <ErrorBox error={error} onRetry={reload} /> : null}
          {loading ? <Loading /> : null}
          {!loading && !error ? (
            <p class="muted assignments-count" role="status">
              {shownIds.length
                ? tn('assignments.count', shownIds.length)
                : t(classFilter || teacherFilter ? 'assignments.none_found' : 'assignments.none', { year: year.name })}
            </p>
          ) : null}
          {shown.map((c) => (
            <div key={c.class.id} class="assignment-class" data-class={c.class.name}>
              <h3>{c.class.name}</h3>
              <ul class="list assignment-list">
                {c.items.map((a) => (
                  <li key={a.id} class="list-item assignment-item" data-assignment-id={a.id} data-subject={a.subject.name} data-group={a.group?.name ?? ''}>
                    <div>
                      <span class="assignment-subject">{a.subject.name}</span>
                      <span class="assignment-who">
                        {a.group ? a.group.name : t('assignments.whole_class')} · {fullName(a.teacher)}
                      </span>
                    </div>
                    <span class="item-actions">
                      <AskFirst
                        class="end-assignment"
                        label={t('assignments.end')}
                        ariaLabel={`${t('assignments.end_label')}: ${describe(a)}`}
                        warning={t('assignments.end_warning')}
                        act={t('assignments.end_act')}
                        onConfirm={async () => {
                          await api.del('/api/v1/orgs/{org_id}/years/{year_id}/assignments/{assignment_id}', {
                            org_id: org,
                            year_id: a.year_id,
                            assignment_id: a.id,
                          });
                          const next = neighbour(shownIds, a.id);
                          focusNext.current = next ? `[data-assignment-id="${next}"] .end-assignment` : 'heading';
                          setNotice(t('assignments.ended', { what: describe(a) }));
                          onEnded(a.id);
                        }}
                      />
                    </span>
                  </li>
                ))}
              </ul>
            </div>
          ))}
          <NewAssignment
            key={year.id}
            org={org}
            year={year}
            people={people}
            groupsVersion={groupsVersion}
            onAdded={(a) => {
              setNotice(null);
              onAdded(a);
            }}
          />
        </>
      ) : null}
      {years.length && !people.ready && !people.error ? <Loading /> : null}
    </section>
  );
}

const CHOOSE: Record<Choice, Key> = {
  class_id: 'assignments.choose_class',
  subject_id: 'assignments.choose_subject',
  teacher_id: 'assignments.choose_teacher',
};

function NewAssignment({
  org,
  year,
  people,
  groupsVersion,
  onAdded,
}: {
  org: number;
  year: AcademicYear;
  people: People;
  groupsVersion: number;
  onAdded: (a: Assignment) => void;
}) {
  const form = useForm({ class_id: '', group_id: '', subject_id: '', teacher_id: '' });
  const [added, setAdded] = useState<string | null>(null);
  const [refused, setRefused] = useState(0);
  const [done, setDone] = useState(0);
  const box = useRef<HTMLFormElement>(null);
  const classId = String(form.values.value.class_id);
  const subjects = useLoad(() => api.get('/api/v1/orgs/{org_id}/subjects', { org_id: org }), [org]);
  const groups = useLoad(
    async () => ({
      classId,
      groups: classId ? await api.get('/api/v1/orgs/{org_id}/classes/{class_id}/groups', { org_id: org, class_id: Number(classId) }) : [],
    }),
    [org, classId, groupsVersion],
  );
  // The groups of the class chosen (not those of the one before, while they load).
  const classGroups = groups.data?.classId === classId ? groups.data.groups : undefined;
  const groupList = sortGroups(classGroups ?? []);

  // Another class: the group chosen was of the one before.
  useLayoutEffect(() => {
    if (form.values.value.group_id) form.set('group_id', '');
  }, [classId]);
  // A group that is gone (deleted meanwhile) is no longer chosen.
  useLayoutEffect(() => {
    const chosen = String(form.values.value.group_id);
    if (chosen && classGroups && !classGroups.some((g) => String(g.id) === chosen)) form.set('group_id', '');
  }, [classGroups]);
  // After a refusal, the first choice refused; after an addition, the subject, for the next one.
  useLayoutEffect(() => {
    if (refused) box.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [refused]);
  useLayoutEffect(() => {
    if (done) box.current?.querySelector<HTMLElement>('select[name="subject_id"]')?.focus();
  }, [done]);

  const active = sortSubjects(subjects.data ?? []).filter((s) => !s.archived);
  const choose = { value: '', label: t('common.choose') };

  return (
    <form
      ref={box}
      class="form new-assignment"
      noValidate
      aria-labelledby="new-assignment-title"
      onSubmit={async (e) => {
        e.preventDefault();
        setAdded(null);
        const draft = {
          class_id: String(form.values.value.class_id),
          group_id: String(form.values.value.group_id),
          subject_id: String(form.values.value.subject_id),
          teacher_id: String(form.values.value.teacher_id),
        };
        const missing = missingChoices(draft);
        if (missing.length) {
          form.fail(new ApiError(422, 'invalid', '', Object.fromEntries(missing.map((k) => [k, t(CHOOSE[k])]))));
          setRefused((n) => n + 1);
          return;
        }
        const made = await form.submit(async () => {
          try {
            return await api.post('/api/v1/orgs/{org_id}/years/{year_id}/assignments', { org_id: org, year_id: year.id }, assignmentRequest(draft));
          } catch (err) {
            throw atTeacher(err);
          }
        });
        if (made) {
          onAdded(made);
          setAdded(t('assignments.added', { what: describe(made) }));
          form.reset({ ...draft, subject_id: '', teacher_id: '' });
          setDone((n) => n + 1);
        } else {
          setRefused((n) => n + 1);
        }
      }}
    >
      <h3 id="new-assignment-title">{t('assignments.new', { year: year.name })}</h3>
      {added ? <Notice>{added}</Notice> : null}
      <FormMessage form={form} />
      {subjects.error ? <ErrorBox error={subjects.error} onRetry={subjects.reload} /> : null}
      {groups.error ? <ErrorBox error={groups.error} onRetry={groups.reload} /> : null}
      <div class="row">
        <SelectField
          form={form}
          name="class_id"
          label={t('assignments.class')}
          required
          options={[choose, ...people.classes.map((c) => ({ value: String(c.id), label: c.name }))]}
        />
        <SelectField
          form={form}
          name="group_id"
          label={t('assignments.group')}
          hint={classId && classGroups && !groupList.length ? t('assignments.no_groups') : undefined}
          options={[{ value: '', label: t('assignments.whole_class') }, ...groupList.map((g) => ({ value: String(g.id), label: g.name }))]}
        />
      </div>
      <div class="row">
        <SelectField
          form={form}
          name="subject_id"
          label={t('assignments.subject')}
          required
          options={[choose, ...active.map((s) => ({ value: String(s.id), label: s.name }))]}
        />
        <SelectField
          form={form}
          name="teacher_id"
          label={t('assignments.teacher')}
          required
          options={[choose, ...people.staff.map((p) => ({ value: String(p.id), label: fullName(p) }))]}
        />
      </div>
      <Submit form={form} kind="secondary">
        {t('assignments.add')}
      </Submit>
    </form>
  );
}
