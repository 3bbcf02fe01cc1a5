// The school's subjects: those taught first, then the archived ones (marked); adding
// one, renaming it or changing its short name in place, archiving and restoring.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import type { Subject } from '../../api/types';
import { Badge, ErrorBox, Field, FormMessage, InlineError, Loading, Notice, Submit, useAction, useForm, useLoad } from '../../components/ui';
import { t, tn } from './year.strings';
import { api } from '../../state';
import { sortSubjects, subjectChange } from '../../school-year/model';

/** «Такой предмет в школе уже есть» belongs at the name. */
function atName(e: unknown): unknown {
  return e instanceof ApiError && e.code === 'subject_exists' ? new ApiError(e.status, e.code, '', { name: e.detail }) : e;
}

export function SubjectsSection({ org }: { org: number }) {
  const loaded = useLoad(() => api.get('/api/v1/orgs/{org_id}/subjects', { org_id: org }), [org]);
  // Changes are applied to the list here, so a row keeps its place (and its focus).
  const [changed, setChanged] = useState<Subject[] | null>(null);
  const add = useForm({ name: '', short_name: '' });
  const [added, setAdded] = useState<string | null>(null);
  const list = sortSubjects(changed ?? loaded.data ?? []);
  const archived = list.filter((s) => s.archived).length;
  const replace = (s: Subject) => setChanged(list.map((x) => (x.id === s.id ? s : x)));

  return (
    <section class="card subjects" aria-labelledby="subjects-title">
      <h2 id="subjects-title">{t('subjects.title')}</h2>
      <p class="hint">{t('subjects.hint')}</p>
      {loaded.error ? <ErrorBox error={loaded.error} onRetry={loaded.reload} /> : null}
      {loaded.loading && !loaded.data ? <Loading /> : null}
      {loaded.data ? (
        <p class="muted subjects-count">
          {list.length - archived ? tn('subjects.count', list.length - archived) : t('subjects.none')}
          {archived ? `, ${t('subjects.in_archive', { n: archived })}` : ''}
        </p>
      ) : null}
      <ul class="list subject-list">
        {list.map((s) => (
          <SubjectItem key={s.id} org={org} subject={s} onChange={replace} />
        ))}
      </ul>
      <form
        class="form new-subject"
        noValidate
        aria-labelledby="new-subject-title"
        onSubmit={async (e) => {
          e.preventDefault();
          setAdded(null);
          const created = await add.submit(async (v) => {
            const name = String(v.name).trim();
            const short = String(v.short_name).trim();
            try {
              return await api.post('/api/v1/orgs/{org_id}/subjects', { org_id: org }, short ? { name, short_name: short } : { name });
            } catch (err) {
              throw atName(err);
            }
          });
          if (created) {
            setChanged([...list, created]);
            setAdded(t('subjects.added', { name: created.name }));
            add.reset();
          }
        }}
      >
        <h3 id="new-subject-title">{t('subjects.new')}</h3>
        {added ? <Notice>{added}</Notice> : null}
        <FormMessage form={add} />
        <div class="row">
          <Field form={add} name="name" label={t('subjects.name')} required maxLength={80} />
          <Field form={add} name="short_name" label={t('subjects.short_name')} maxLength={20} hint={t('subjects.short_hint')} />
        </div>
        <Submit form={add} kind="secondary">
          {t('subjects.add')}
        </Submit>
      </form>
    </section>
  );
}

function SubjectItem({ org, subject, onChange }: { org: number; subject: Subject; onChange: (s: Subject) => void }) {
  const [editing, setEditing] = useState(false);
  const form = useForm({ name: subject.name, short_name: subject.short_name });
  const action = useAction();
  const item = useRef<HTMLLIElement>(null);
  const toggled = useRef(false);
  const edited = useRef(false);

  // Focus stays with the row: on its first field when editing starts, back on its
  // buttons when editing ends or it goes to (or comes back from) the archive. Layout
  // effects, before paint: focus moved after paint could land while someone types.
  useLayoutEffect(() => {
    if (editing) item.current?.querySelector<HTMLElement>('input')?.focus();
    else if (edited.current) item.current?.querySelector<HTMLElement>('.edit-subject')?.focus();
    edited.current = false;
  }, [editing]);
  useLayoutEffect(() => {
    if (toggled.current) item.current?.querySelector<HTMLElement>('.archive-toggle')?.focus();
    toggled.current = false;
  }, [subject.archived]);

  const close = () => {
    edited.current = true;
    setEditing(false);
  };

  if (editing)
    return (
      <li ref={item} class="list-item subject-item" data-subject={subject.name}>
        <form
          class="form inline-form"
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            const change = subjectChange(subject, String(form.values.value.name), String(form.values.value.short_name));
            if (!change) return close();
            const next = await form.submit(async () => {
              try {
                return await api.patch('/api/v1/orgs/{org_id}/subjects/{subject_id}', { org_id: org, subject_id: subject.id }, change);
              } catch (err) {
                throw atName(err);
              }
            });
            if (next) {
              onChange(next);
              close();
            }
          }}
        >
          <FormMessage form={form} />
          <Field form={form} name="name" label={t('subjects.name')} required maxLength={80} />
          <Field form={form} name="short_name" label={t('subjects.short_name')} maxLength={20} />
          <Submit form={form}>{t('common.save')}</Submit>
          <button type="button" class="btn btn--secondary" onClick={close}>
            {t('common.cancel')}
          </button>
        </form>
      </li>
    );

  return (
    <li ref={item} class={`list-item subject-item${subject.archived ? ' subject-item--archived' : ''}`} data-subject={subject.name} data-archived={subject.archived ? 'yes' : 'no'}>
      <div>
        <span class="subject-name">{subject.name}</span>
        {subject.archived ? (
          <>
            {' '}
            <Badge kind="warn">{t('subjects.archived')}</Badge>
          </>
        ) : null}
        {subject.short_name !== subject.name ? <div class="muted">{t('subjects.short', { short: subject.short_name })}</div> : null}
      </div>
      <span class="item-actions">
        <button
          type="button"
          class="btn btn--secondary btn--small edit-subject"
          aria-label={`${t('common.edit')}: ${subject.name}`}
          onClick={() => {
            form.reset({ name: subject.name, short_name: subject.short_name });
            setEditing(true);
          }}
        >
          {t('common.edit')}
        </button>
        <button
          type="button"
          class="btn btn--secondary btn--small archive-toggle"
          aria-label={`${subject.archived ? t('subjects.restore') : t('subjects.archive')}: ${subject.name}`}
          aria-busy={action.busy || undefined}
          onClick={() =>
            // Not disabled while it runs: a disabled button would drop the focus.
            !action.busy &&
            action.run(async () => {
              const next = await api.patch('/api/v1/orgs/{org_id}/subjects/{subject_id}', { org_id: org, subject_id: subject.id }, { archived: !subject.archived });
              toggled.current = true;
              onChange(next);
            })
          }
        >
          {subject.archived ? t('subjects.restore') : t('subjects.archive')}
        </button>
      </span>
      <InlineError error={action.error} />
    </li>
  );
}
