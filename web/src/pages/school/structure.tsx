// The school's structure: units, classes (with their unit and grade) and class teachers.
import { useState } from 'preact/hooks';
import type { Member, SchoolClass } from '../../api/types';
import { ConfirmButton, ErrorBox, Field, FormMessage, Loading, SelectField, Submit, useForm, useLoad } from '../../components/ui';
import { fullName } from '../../format';
import { t } from '../../i18n';
import { api } from '../../state';
import { className } from '../entry';

function currentAcademicYear(): number {
  const d = new Date();
  return d.getMonth() >= 7 ? d.getFullYear() : d.getFullYear() - 1;
}

export function StructureTab({ org }: { org: number }) {
  const units = useLoad(() => api.get('/api/v1/orgs/{org_id}/units', { org_id: org }), [org]);
  const classes = useLoad(() => api.get('/api/v1/orgs/{org_id}/classes', { org_id: org }), [org]);
  const members = useLoad(() => api.get('/api/v1/orgs/{org_id}/members', { org_id: org }), [org]);
  const unitForm = useForm({ name: '' });
  const classForm = useForm({ name: '', grade: '5', academic_year: String(currentAcademicYear()), unit_id: '' });
  const unitOptions = [{ value: '', label: t('structure.no_unit') }, ...(units.data ?? []).map((u) => ({ value: String(u.id), label: u.name }))];
  const teachers = (members.data ?? []).filter((m) => m.roles.includes('teacher'));

  return (
    <div class="grid">
      <section class="card" aria-labelledby="units-title">
        <h2 id="units-title">{t('structure.units')}</h2>
        <p class="hint">{t('structure.units_hint')}</p>
        {units.error ? <ErrorBox error={units.error} onRetry={units.reload} /> : null}
        <ul class="list">
          {(units.data ?? []).map((u) => (
            <UnitRow key={u.id} org={org} unit={u} onChange={() => (units.reload(), classes.reload())} />
          ))}
        </ul>
        <form
          class="form inline-form"
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            const ok = await unitForm.submit(async (v) => api.post('/api/v1/orgs/{org_id}/units', { org_id: org }, { name: String(v.name).trim() }));
            if (ok) {
              unitForm.reset();
              units.reload();
            }
          }}
        >
          <FormMessage form={unitForm} />
          <Field form={unitForm} name="name" label={t('structure.new_unit')} required />
          <Submit form={unitForm} kind="secondary">
            {t('structure.add_unit')}
          </Submit>
        </form>
      </section>

      <section class="card wide" aria-labelledby="classes-title">
        <h2 id="classes-title">{t('structure.classes')}</h2>
        {classes.error ? <ErrorBox error={classes.error} onRetry={classes.reload} /> : null}
        {classes.loading && !classes.data ? <Loading /> : null}
        <ul class="list">
          {(classes.data ?? []).map((c) => (
            <ClassRow key={c.id} org={org} cls={c} unitOptions={unitOptions} teachers={teachers} onChange={classes.reload} units={units.data ?? []} />
          ))}
        </ul>
        <form
          class="form"
          noValidate
          aria-labelledby="new-class-title"
          onSubmit={async (e) => {
            e.preventDefault();
            const ok = await classForm.submit(async (v) =>
              api.post('/api/v1/orgs/{org_id}/classes', { org_id: org }, {
                name: String(v.name).trim(),
                // Empty: a group without a grade («объединение»), outside the grade rules.
                grade: String(v.grade).trim() === '' ? null : Number(v.grade),
                academic_year: Number(v.academic_year),
                unit_id: v.unit_id ? Number(v.unit_id) : null,
              }),
            );
            if (ok) {
              classForm.reset({ ...classForm.values.value, name: '' });
              classes.reload();
            }
          }}
        >
          <h3 id="new-class-title">{t('structure.new_class')}</h3>
          <FormMessage form={classForm} />
          <div class="row">
            <Field form={classForm} name="name" label={t('structure.class_name')} required hint={t('structure.class_name_hint')} />
            <Field form={classForm} name="grade" label={t('structure.grade')} type="number" min={0} max={11} hint={t('structure.grade_hint')} />
            <Field form={classForm} name="academic_year" label={t('structure.year')} type="number" required hint={t('structure.year_hint')} />
            <SelectField form={classForm} name="unit_id" label={t('structure.unit')} options={unitOptions} />
          </div>
          <Submit form={classForm} kind="secondary">
            {t('structure.add_class')}
          </Submit>
        </form>
      </section>
    </div>
  );
}

function UnitRow({ org, unit, onChange }: { org: number; unit: { id: number; name: string }; onChange: () => void }) {
  const [editing, setEditing] = useState(false);
  const form = useForm({ name: unit.name });
  const [error, setError] = useState<unknown>(null);
  if (editing)
    return (
      <li class="list-item">
        <form
          class="form inline-form"
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            const ok = await form.submit((v) => api.patch('/api/v1/orgs/{org_id}/units/{unit_id}', { org_id: org, unit_id: unit.id }, { name: String(v.name).trim() }));
            if (ok) {
              setEditing(false);
              onChange();
            }
          }}
        >
          <FormMessage form={form} />
          <Field form={form} name="name" label={t('structure.unit_name')} required />
          <Submit form={form}>{t('common.save')}</Submit>
          <button type="button" class="btn btn--secondary" onClick={() => setEditing(false)}>
            {t('common.cancel')}
          </button>
        </form>
      </li>
    );
  return (
    <li class="list-item">
      <span>{unit.name}</span>
      <span class="item-actions">
        <button type="button" class="btn btn--secondary btn--small" onClick={() => setEditing(true)} aria-label={`${t('common.rename')}: ${unit.name}`}>
          {t('common.rename')}
        </button>
        <ConfirmButton
          confirm={t('structure.delete_unit_q')}
          onConfirm={async () => {
            try {
              await api.del('/api/v1/orgs/{org_id}/units/{unit_id}', { org_id: org, unit_id: unit.id });
              onChange();
            } catch (e) {
              setError(e);
            }
          }}
        >
          {t('common.delete')}
        </ConfirmButton>
      </span>
      {error ? <ErrorBox error={error} /> : null}
    </li>
  );
}

function ClassRow({
  org,
  cls,
  unitOptions,
  teachers,
  units,
  onChange,
}: {
  org: number;
  cls: SchoolClass;
  unitOptions: { value: string; label: string }[];
  teachers: Member[];
  units: { id: number; name: string }[];
  onChange: () => void;
}) {
  const [open, setOpen] = useState(false);
  const form = useForm({ name: cls.name, grade: String(cls.grade ?? ''), unit_id: cls.unit_id ? String(cls.unit_id) : '' });
  const attach = useForm({ user_id: '' });
  const [error, setError] = useState<unknown>(null);
  const staffRoom = cls.kind === 'staff_room';
  const unitName = units.find((u) => u.id === cls.unit_id)?.name;
  const available = teachers.filter((m) => !cls.class_teachers.some((p) => p.id === m.person.id));
  return (
    <li class="list-item class-item" data-class={cls.name}>
      <div class="class-head">
        <div>
          <strong>{className(cls.name, cls.kind)}</strong>
          {!staffRoom ? (
            <span class="muted">
              {' '}
              · {cls.grade == null ? t('structure.no_grade') : t('structure.grade_n', { n: cls.grade })}
              {cls.academic_year ? ` · ${cls.academic_year}/${String((cls.academic_year + 1) % 100).padStart(2, '0')}` : ''}
              {unitName ? ` · ${unitName}` : ''}
            </span>
          ) : (
            <span class="muted"> · {t('structure.staff_room_hint')}</span>
          )}
          {!staffRoom ? (
            <div class="muted">
              {t('role.class_teacher')}:{' '}
              {cls.class_teachers.length ? cls.class_teachers.map((p) => fullName(p)).join(', ') : t('structure.no_class_teacher')}
            </div>
          ) : null}
        </div>
        {!staffRoom ? (
          <button type="button" class="btn btn--secondary btn--small" aria-expanded={open} onClick={() => setOpen(!open)}>
            {t('common.edit')}
            <span class="visually-hidden"> {cls.name}</span>
          </button>
        ) : null}
      </div>
      {open ? (
        <div class="class-edit">
          <form
            class="form"
            noValidate
            onSubmit={async (e) => {
              e.preventDefault();
              const ok = await form.submit((v) =>
                api.patch('/api/v1/orgs/{org_id}/classes/{class_id}', { org_id: org, class_id: cls.id }, {
                  name: String(v.name).trim(),
                  grade: Number(v.grade),
                  unit_id: v.unit_id ? Number(v.unit_id) : null,
                }),
              );
              if (ok) onChange();
            }}
          >
            <FormMessage form={form} />
            <div class="row">
              <Field form={form} name="name" label={t('structure.class_name')} required />
              <Field form={form} name="grade" label={t('structure.grade')} type="number" min={0} max={11} required />
              <SelectField form={form} name="unit_id" label={t('structure.unit')} options={unitOptions} />
            </div>
            <Submit form={form} kind="secondary">
              {t('common.save')}
            </Submit>
          </form>
          <h4>{t('structure.class_teachers')}</h4>
          {error ? <ErrorBox error={error} /> : null}
          <ul class="plain">
            {cls.class_teachers.map((p) => (
              <li key={p.id}>
                {fullName(p)}{' '}
                <ConfirmButton
                  confirm={t('structure.detach_q')}
                  onConfirm={async () => {
                    try {
                      await api.del('/api/v1/orgs/{org_id}/classes/{class_id}/class-teachers/{user_id}', { org_id: org, class_id: cls.id, user_id: p.id });
                      onChange();
                    } catch (e) {
                      setError(e);
                    }
                  }}
                >
                  {t('structure.detach')}
                </ConfirmButton>
              </li>
            ))}
          </ul>
          <form
            class="form inline-form"
            noValidate
            onSubmit={async (e) => {
              e.preventDefault();
              const ok = await attach.submit((v) =>
                api.post('/api/v1/orgs/{org_id}/classes/{class_id}/class-teachers', { org_id: org, class_id: cls.id }, { user_id: Number(v.user_id) }),
              );
              if (ok) {
                attach.reset();
                onChange();
              }
            }}
          >
            <FormMessage form={attach} />
            <SelectField
              form={attach}
              name="user_id"
              label={t('structure.attach_teacher')}
              options={[{ value: '', label: t('common.choose') }, ...available.map((m) => ({ value: String(m.person.id), label: fullName(m.person) }))]}
            />
            <Submit form={attach} kind="secondary">
              {t('structure.attach')}
            </Submit>
          </form>
        </div>
      ) : null}
    </li>
  );
}
