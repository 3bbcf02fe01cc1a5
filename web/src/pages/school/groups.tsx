// A class's groups, for subjects taught in halves: pick a class, see its groups with
// their students (and who teaches them), make one by ticking students of the class —
// the first or the second half of the class list in one press — rename it, change its
// students, delete it (its assignments end: the warning says so first).
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { PersonRef } from '../../api/types';
import { ErrorBox, Field, FormMessage, Loading, Notice, Submit, useForm, useId, useLoad } from '../../components/ui';
import { shortName, fullName } from '../../format';
import { t, tn } from './year.strings';
import { api } from '../../state';
import {
  assignmentsOfGroup,
  atStudents,
  classStudents,
  firstHalf,
  groupRequest,
  neighbour,
  otherGroups,
  secondHalf,
  sortGroups,
  type Assignment,
  type ClassGroup,
} from '../../school-year/teaching';
import { AskFirst, type People } from './teaching';

type Panel = { kind: 'new' } | { kind: 'edit'; id: number } | null;

export function GroupsSection({
  org,
  people,
  assignments,
  onChanged,
}: {
  org: number;
  people: People;
  assignments: Assignment[];
  /** A group was made, changed or (`ended`: its assignments with it) deleted. */
  onChanged: (ended: boolean) => void;
}) {
  const [chosen, setChosen] = useState<number | null>(null);
  const classId = chosen ?? people.classes[0]?.id ?? null;
  const loaded = useLoad(
    async () => ({
      classId,
      groups: classId ? await api.get('/api/v1/orgs/{org_id}/classes/{class_id}/groups', { org_id: org, class_id: classId }) : [],
    }),
    [org, classId],
  );
  // The groups of the class chosen (not those of the one before, while they load).
  const current = loaded.data?.classId === classId ? loaded.data.groups : undefined;
  // Changes are applied here, so a row keeps its place (and its focus).
  const [local, setLocal] = useState<{ from: ClassGroup[] | undefined; items: ClassGroup[] } | null>(null);
  const groups = sortGroups(local && local.from === current ? local.items : (current ?? []));
  const change = (items: ClassGroup[]) => setLocal({ from: current, items });
  const students = classId ? classStudents(people.members, classId) : [];
  const [panel, setPanel] = useState<Panel>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const section = useRef<HTMLElement>(null);
  // What takes the focus after the next render (a row's button, «Новая группа»).
  const focusNext = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (!focusNext.current) return;
    section.current?.querySelector<HTMLElement>(focusNext.current)?.focus();
    focusNext.current = null;
  });
  const className = people.classes.find((c) => c.id === classId)?.name ?? '';

  const closeTo = (selector: string) => {
    focusNext.current = selector;
    setPanel(null);
  };

  return (
    <section ref={section} class="card groups" aria-labelledby="groups-title">
      <h2 id="groups-title">{t('groups.title')}</h2>
      <p class="hint">{t('groups.hint')}</p>
      {people.error ? <ErrorBox error={people.error} onRetry={people.reload} /> : null}
      {!people.ready && !people.error ? <Loading /> : null}
      {people.ready && !people.classes.length ? <p>{t('groups.no_classes')}</p> : null}
      {people.ready && classId ? (
        <>
          <div class="row filters">
            <div class="field">
              <label for="groups-class">{t('groups.class')}</label>
              <select
                id="groups-class"
                value={String(classId)}
                onChange={(e) => {
                  setChosen(Number((e.currentTarget as HTMLSelectElement).value));
                  setPanel(null);
                  setLocal(null);
                  setNotice(null);
                }}
              >
                {people.classes.map((c) => (
                  <option key={c.id} value={String(c.id)}>
                    {c.name}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {notice ? <Notice>{notice}</Notice> : null}
          {loaded.error ? <ErrorBox error={loaded.error} onRetry={loaded.reload} /> : null}
          {!current && !loaded.error ? <Loading /> : null}
          {current ? (
            <p class="muted groups-count">
              {groups.length ? t('groups.count', { n: groups.length, class: className }) : t('groups.none', { class: className })}
            </p>
          ) : null}
          <ul class="list group-list">
            {groups.map((g) =>
              panel?.kind === 'edit' && panel.id === g.id ? (
                <li key={g.id} class="list-item group-item group-item--editing" data-group={g.name} data-group-id={g.id}>
                  <GroupForm
                    org={org}
                    classId={classId}
                    className={className}
                    students={students}
                    groups={groups}
                    group={g}
                    onSaved={(next) => {
                      change(groups.map((x) => (x.id === next.id ? next : x)));
                      setNotice(t('groups.saved', { name: next.name }));
                      closeTo(`[data-group-id="${next.id}"] .edit-group`);
                      onChanged(false);
                    }}
                    onCancel={() => closeTo(`[data-group-id="${g.id}"] .edit-group`)}
                  />
                </li>
              ) : (
                <GroupItem
                  key={g.id}
                  org={org}
                  group={g}
                  students={students}
                  taught={assignmentsOfGroup(assignments, g.id)}
                  onEdit={() => {
                    setNotice(null);
                    setPanel({ kind: 'edit', id: g.id });
                  }}
                  onDeleted={() => {
                    const next = neighbour(
                      groups.map((x) => x.id),
                      g.id,
                    );
                    change(groups.filter((x) => x.id !== g.id));
                    setNotice(t('groups.deleted', { name: g.name }));
                    focusNext.current = next ? `[data-group-id="${next}"] .edit-group` : '.new-group-open';
                    if (panel?.kind === 'edit' && panel.id === g.id) setPanel(null);
                    onChanged(true);
                  }}
                />
              ),
            )}
          </ul>
          {panel?.kind === 'new' ? (
            <div class="new-group">
              <GroupForm
                org={org}
                classId={classId}
                className={className}
                students={students}
                groups={groups}
                onSaved={(made) => {
                  change([...groups, made]);
                  setNotice(t('groups.created', { name: made.name }));
                  closeTo(`[data-group-id="${made.id}"] .edit-group`);
                  onChanged(false);
                }}
                onCancel={() => closeTo('.new-group-open')}
              />
            </div>
          ) : current && !panel ? (
            <div class="actions">
              <button
                type="button"
                class="btn btn--primary new-group-open"
                onClick={() => {
                  setNotice(null);
                  setPanel({ kind: 'new' });
                }}
              >
                {t('groups.new')}
              </button>
            </div>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

function GroupItem({
  org,
  group,
  students,
  taught,
  onEdit,
  onDeleted,
}: {
  org: number;
  group: ClassGroup;
  students: PersonRef[];
  taught: Assignment[];
  onEdit: () => void;
  onDeleted: () => void;
}) {
  const members = students.filter((s) => group.student_ids.includes(s.id));
  const teaching = taught.map((a) => t('groups.taught_one', { subject: a.subject.name, teacher: shortName(a.teacher) })).join('; ');
  return (
    <li class="list-item group-item" data-group={group.name} data-group-id={group.id}>
      <div>
        <span class="group-name">{group.name}</span>
        <span class="muted"> · {tn('groups.students_n', group.student_ids.length)}</span>
        <div class="group-members">{members.length ? members.map((s) => shortName(s)).join(', ') : t('groups.empty')}</div>
        {teaching ? <div class="muted">{t('groups.taught', { list: teaching })}</div> : null}
      </div>
      <span class="item-actions">
        <button type="button" class="btn btn--secondary btn--small edit-group" aria-label={`${t('common.edit')}: ${group.name}`} onClick={onEdit}>
          {t('common.edit')}
        </button>
        <AskFirst
          class="delete-group"
          label={t('common.delete')}
          ariaLabel={`${t('groups.delete')}: ${group.name}`}
          warning={[t('groups.delete_warning', { name: group.name }), teaching ? t('groups.delete_taught', { list: teaching }) : '']
            .filter(Boolean)
            .join(' ')}
          act={t('groups.delete')}
          onConfirm={async () => {
            await api.del('/api/v1/orgs/{org_id}/classes/{class_id}/groups/{group_id}', { org_id: org, class_id: group.class_id, group_id: group.id });
            onDeleted();
          }}
        />
      </span>
    </li>
  );
}

/** A new group of the class, or one changed: its name and its students, ticked. */
function GroupForm({
  org,
  classId,
  className,
  students,
  groups,
  group,
  onSaved,
  onCancel,
}: {
  org: number;
  classId: number;
  className: string;
  students: PersonRef[];
  groups: ClassGroup[];
  group?: ClassGroup;
  onSaved: (g: ClassGroup) => void;
  onCancel: () => void;
}) {
  const form = useForm({ name: group?.name ?? '', student_ids: '' });
  const [picked, setPicked] = useState<Set<number>>(() => new Set(group?.student_ids ?? []));
  const [refused, setRefused] = useState(0);
  const box = useRef<HTMLFormElement>(null);
  const titleId = useId('group-form');
  const listId = useId('group-students');
  const studentsError = form.errors.value.student_ids;

  // The name takes the focus when the form opens; after a refusal, the field refused.
  useLayoutEffect(() => {
    box.current?.querySelector<HTMLElement>('input[name="name"]')?.focus();
  }, []);
  useLayoutEffect(() => {
    if (!refused) return;
    const at = (selector: string) => box.current?.querySelector<HTMLElement>(selector);
    (at('[aria-invalid="true"]') ?? (form.errors.value.student_ids ? at('.student-checks input') : at('input[name="name"]')))?.focus();
  }, [refused]);

  const pick = (ids: number[]) => {
    setPicked(new Set(ids));
    form.set('student_ids', '');
  };
  const toggle = (id: number, on: boolean) => {
    const next = new Set(picked);
    if (on) next.add(id);
    else next.delete(id);
    pick([...next]);
  };

  return (
    <form
      ref={box}
      class="form group-form"
      noValidate
      aria-labelledby={titleId}
      onSubmit={async (e) => {
        e.preventDefault();
        const body = groupRequest(String(form.values.value.name), students, picked);
        const saved = await form.submit(async () => {
          try {
            return group
              ? await api.put('/api/v1/orgs/{org_id}/classes/{class_id}/groups/{group_id}', { org_id: org, class_id: classId, group_id: group.id }, body)
              : await api.post('/api/v1/orgs/{org_id}/classes/{class_id}/groups', { org_id: org, class_id: classId }, body);
          } catch (err) {
            throw atStudents(err);
          }
        });
        if (saved) onSaved(saved);
        else setRefused((n) => n + 1);
      }}
    >
      <h3 id={titleId}>{group ? t('groups.edit_title', { name: group.name }) : t('groups.new_title', { class: className })}</h3>
      <FormMessage form={form} />
      <Field form={form} name="name" label={t('groups.name')} required maxLength={60} hint={group ? undefined : t('groups.name_hint')} />
      <fieldset class={`subgroup group-students${studentsError ? ' field--error' : ''}`} aria-describedby={studentsError ? `${listId}-error` : undefined}>
        <legend>{t('groups.students')}</legend>
        {students.length ? (
          <>
            <div class="quick-pick" role="group" aria-labelledby={`${listId}-quick`}>
              <span id={`${listId}-quick`} class="quick-pick-label">
                {t('groups.quick')}
              </span>
              <button type="button" class="btn btn--secondary btn--small" onClick={() => pick(firstHalf(students).map((s) => s.id))}>
                {t('groups.first_half')}
              </button>
              <button type="button" class="btn btn--secondary btn--small" onClick={() => pick(secondHalf(students).map((s) => s.id))}>
                {t('groups.second_half')}
              </button>
              <button type="button" class="btn btn--secondary btn--small" onClick={() => pick(students.map((s) => s.id))}>
                {t('groups.everyone')}
              </button>
              <button type="button" class="btn btn--secondary btn--small" onClick={() => pick([])}>
                {t('groups.no_one')}
              </button>
            </div>
            <p class="hint">{t('groups.halves_hint')}</p>
            <ul class="student-checks">
              {students.map((s) => {
                const also = otherGroups(groups, s.id, group?.id);
                const id = `${listId}-${s.id}`;
                return (
                  <li key={s.id} class="field field--check">
                    <input id={id} type="checkbox" checked={picked.has(s.id)} onChange={(e) => toggle(s.id, (e.currentTarget as HTMLInputElement).checked)} />
                    <label for={id}>
                      {fullName(s)}
                      {also.length ? <span class="muted also-in">{tn('groups.also_in', also.length, { list: also.map((n) => `«${n}»`).join(', ') })}</span> : null}
                    </label>
                  </li>
                );
              })}
            </ul>
            <p class="muted" role="status">
              {t('groups.picked', { n: picked.size, of: students.length })}
            </p>
          </>
        ) : (
          <p>{t('groups.no_students')}</p>
        )}
        {studentsError ? (
          <p class="field-error" id={`${listId}-error`}>
            {studentsError}
          </p>
        ) : null}
      </fieldset>
      <div class="actions">
        <Submit form={form}>{group ? t('common.save') : t('groups.create')}</Submit>
        <button type="button" class="btn btn--secondary" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
