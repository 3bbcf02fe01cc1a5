import { useEffect, useState } from 'preact/hooks';
import type { AuditEntry, CreatedInvite, Member, MySchool, School, SchoolClass } from '../api/types';
import {
  Badge,
  CheckField,
  ConfirmButton,
  CopyField,
  ErrorBox,
  Field,
  FormMessage,
  Loading,
  Notice,
  PageTitle,
  QrCode,
  SelectField,
  Submit,
  useForm,
  useLoad,
} from '../components/ui';
import { optional, type Form, type Values } from '../form';
import { dateTime, fullName, todayIn } from '../format';
import { t, tk, tn, type Key } from '../i18n';
import { api, loadMe } from '../state';
import { ApiError } from '../api/client';
import { rememberSchool } from '../chat/store';
import { className, timeZoneOptions } from './entry';
import { ReportsTab } from './reports';

type Tab = 'profile' | 'structure' | 'invites' | 'requests' | 'members' | 'admins' | 'reports' | 'audit';
const ADMIN_TABS: Tab[] = ['profile', 'structure', 'invites', 'requests', 'members', 'admins', 'reports', 'audit'];
const TEACHER_TABS: Tab[] = ['invites', 'requests', 'reports'];

export function SchoolConsole({ school, tab }: { school: MySchool; tab?: string }) {
  const tabs = school.is_admin ? ADMIN_TABS : TEACHER_TABS;
  const active = (tabs.includes(tab as Tab) ? tab : tabs[0]) as Tab;
  const org = school.org_id;
  const info = useLoad(() => api.get('/api/v1/orgs/{org_id}', { org_id: org }), [org]);
  const tz = info.data?.time_zone;
  return (
    <div class="page">
      <PageTitle>{school.short_name}</PageTitle>
      <nav class="tabs" aria-label={t('console.sections')}>
        {tabs.map((k) => (
          <a key={k} href={`/school/${org}/${k}`} class="tab" aria-current={k === active ? 'page' : undefined}>
            {t(`console.tab.${k}` as Key)}
          </a>
        ))}
      </nav>
      <div class="tab-panel">
        {active === 'profile' ? (
          info.data ? <ProfileTab school={info.data} onSaved={info.reload} /> : info.error ? <ErrorBox error={info.error} onRetry={info.reload} /> : <Loading />
        ) : null}
        {active === 'structure' ? <StructureTab org={org} /> : null}
        {active === 'invites' ? <InvitesTab school={school} tz={tz} /> : null}
        {active === 'requests' ? <RequestsTab org={org} tz={tz} /> : null}
        {active === 'members' ? <MembersTab org={org} tz={tz} /> : null}
        {active === 'admins' ? <AdminsTab org={org} tz={tz} /> : null}
        {active === 'reports' ? <ReportsTab org={org} tz={tz} /> : null}
        {active === 'audit' ? <AuditTab org={org} tz={tz} /> : null}
      </div>
    </div>
  );
}

/* ---------- profile and settings ---------- */

function ProfileTab({ school, onSaved }: { school: School; onSaved: () => void }) {
  const form = useForm({
    name: school.name,
    short_name: school.short_name,
    address: school.address,
    region: school.region,
    time_zone: school.time_zone,
    inn: school.inn,
    ogrn: school.ogrn,
    join_approval_required: school.join_approval_required,
    student_safe_mode: school.student_safe_mode,
    students_supervised: school.student_safe_mode && school.students_supervised,
    quiet_on: !!school.quiet_hours,
    quiet_from: school.quiet_hours?.from ?? '21:00',
    quiet_to: school.quiet_hours?.to ?? '07:00',
  }, { 'quiet_hours.from': 'quiet_from', 'quiet_hours.to': 'quiet_to', quiet_hours: 'quiet_from' });
  const [saved, setSaved] = useState(false);
  const quietOn = form.values.value.quiet_on === true;
  return (
    <form
      class="card form"
      noValidate
      aria-labelledby="sp-title"
      onSubmit={async (e) => {
        e.preventDefault();
        setSaved(false);
        const v0 = form.values.value;
        if (v0.quiet_on === true && String(v0.quiet_from) === String(v0.quiet_to)) {
          form.fail(new ApiError(422, 'local', '', { 'quiet_hours.to': t('console.quiet_same') }));
          return;
        }
        const ok = await form.submit(async (v) => {
          const next = await api.patch('/api/v1/orgs/{org_id}', { org_id: school.id }, {
            name: String(v.name).trim(),
            short_name: String(v.short_name).trim(),
            address: String(v.address).trim(),
            region: String(v.region).trim(),
            time_zone: String(v.time_zone),
            inn: String(v.inn).trim(),
            ogrn: String(v.ogrn).trim(),
            join_approval_required: v.join_approval_required === true,
            student_safe_mode: v.student_safe_mode === true,
            // Supervision means nothing without safe mode: turning that off turns it off too.
            students_supervised: v.student_safe_mode === true && v.students_supervised === true,
            quiet_hours: v.quiet_on === true ? { from: String(v.quiet_from), to: String(v.quiet_to) } : null,
          });
          rememberSchool(next);
          return true;
        });
        if (ok) {
          setSaved(true);
          onSaved();
          void loadMe();
        }
      }}
    >
      <h2 id="sp-title">{t('console.profile_title')}</h2>
      {saved ? <Notice>{t('common.saved')}</Notice> : null}
      <FormMessage form={form} />
      <Field form={form} name="name" label={t('school.name')} required />
      <Field form={form} name="short_name" label={t('school.short_name')} required />
      <Field form={form} name="address" label={t('school.address')} required />
      <Field form={form} name="region" label={t('school.region')} required />
      <SelectField form={form} name="time_zone" label={t('school.time_zone')} options={timeZoneOptions()} required />
      <Field form={form} name="inn" label={t('school.inn')} inputMode="numeric" required />
      <Field form={form} name="ogrn" label={t('school.ogrn')} inputMode="numeric" required />
      <h3>{t('console.settings')}</h3>
      <CheckField form={form} name="join_approval_required" label={t('console.join_approval')} hint={t('console.join_approval_hint')} />
      <CheckField form={form} name="student_safe_mode" label={t('console.safe_mode')} hint={t('console.safe_mode_hint')} />
      <SupervisedField form={form} />
      <fieldset class="quiet-hours" aria-describedby="quiet-hint">
        <legend>{t('console.quiet')}</legend>
        <p class="hint" id="quiet-hint">
          {t('console.quiet_hint')}
        </p>
        <p class="muted quiet-status" data-quiet={school.quiet_hours ? `${school.quiet_hours.from}-${school.quiet_hours.to}` : 'off'}>
          {school.quiet_hours ? t('console.quiet_now', { from: school.quiet_hours.from, to: school.quiet_hours.to }) : t('console.quiet_off')}
        </p>
        <CheckField form={form} name="quiet_on" label={t('console.quiet_on')} />
        {quietOn ? (
          <div class="row">
            <Field form={form} name="quiet_from" label={t('console.quiet_from')} type="time" required />
            <Field form={form} name="quiet_to" label={t('console.quiet_to')} type="time" required />
          </div>
        ) : null}
      </fieldset>
      <p class="muted">{t('console.created', { at: dateTime(school.created_at, school.time_zone) })}</p>
      <div class="actions">
        <Submit form={form}>{t('common.save')}</Submit>
      </div>
    </form>
  );
}

/** «Only with a teacher present»: a stricter safe mode, so it is offered only with safe mode on. */
function SupervisedField<T extends Values & { student_safe_mode: boolean; students_supervised: boolean }>({ form }: { form: Form<T> }) {
  const safe = form.values.value.student_safe_mode === true;
  return (
    <div class="field field--check field--sub" data-supervised={safe && form.values.value.students_supervised === true ? 'on' : 'off'}>
      <input
        id="students-supervised"
        type="checkbox"
        checked={safe && form.values.value.students_supervised === true}
        disabled={!safe}
        aria-describedby="students-supervised-hint"
        onChange={(e) => form.set('students_supervised', (e.currentTarget as HTMLInputElement).checked as T['students_supervised'])}
      />
      <label for="students-supervised">{t('console.supervised')}</label>
      <p class="hint" id="students-supervised-hint">
        {safe ? t('console.supervised_hint') : `${t('console.supervised_hint')} ${t('console.supervised_needs_safe')}`}
      </p>
    </div>
  );
}

/* ---------- structure: units, classes, class teachers ---------- */

function currentAcademicYear(): number {
  const d = new Date();
  return d.getMonth() >= 7 ? d.getFullYear() : d.getFullYear() - 1;
}

function StructureTab({ org }: { org: number }) {
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
                grade: Number(v.grade),
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
            <Field form={classForm} name="grade" label={t('structure.grade')} type="number" min={0} max={11} required />
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
              · {t('structure.grade_n', { n: cls.grade ?? 0 })}
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

/* ---------- invites ---------- */

const EXPIRY_HOURS = [24, 72, 168, 720, 2160, 8760];

function inviteStatusKind(s: string): string {
  return s === 'active' ? 'ok' : s === 'revoked' ? 'danger' : 'neutral';
}

/** The roles a link may carry here: staff links (they open the staff room) are for admins only. */
function rolesFor(staffRoom: boolean, admin: boolean): string[] {
  if (staffRoom) return admin ? ['teacher', 'employee'] : [];
  return admin ? ['student', 'parent', 'teacher'] : ['student', 'parent'];
}

function InvitesTab({ school, tz }: { school: MySchool; tz?: string }) {
  const org = school.org_id;
  const invites = useLoad(() => api.get('/api/v1/orgs/{org_id}/invites', { org_id: org }), [org]);
  const classes = useLoad(() => api.get('/api/v1/orgs/{org_id}/classes', { org_id: org }), [org]);
  const own = new Set(school.class_teacher_of.map((c) => c.id));
  const usable = (classes.data ?? []).filter((c) => school.is_admin || (own.has(c.id) && c.kind !== 'staff_room'));
  const form = useForm(
    { class_id: '', role: 'student', child_user_id: '', expires_in_hours: '168', max_uses: '', requires_approval: '' },
  );
  const v = form.values.value;
  const classId = v.class_id || (usable[0] ? String(usable[0].id) : '');
  const cls = usable.find((c) => String(c.id) === classId);
  const staffRoom = cls?.kind === 'staff_room';
  const roles = rolesFor(staffRoom, school.is_admin);
  const role = roles.includes(String(v.role)) ? String(v.role) : roles[0]!;
  const students = useLoad(
    () => (role === 'parent' && classId ? api.get('/api/v1/orgs/{org_id}/members', { org_id: org, class_id: classId }) : Promise.resolve([] as Member[])),
    [org, classId, role],
  );
  const studentList = (students.data ?? []).filter((m) => m.places.some((p) => p.role === 'student' && String(p.class.id) === classId));
  // Keep the form showing what will be sent once the class list has arrived. Read the
  // form as it is now, not as it was rendered: a choice made in between must stay.
  useEffect(() => {
    const now = form.values.value;
    if (!now.class_id && classId) form.set('class_id', classId);
    const chosen = usable.find((c) => String(c.id) === (now.class_id || classId));
    const allowed = rolesFor(chosen?.kind === 'staff_room', school.is_admin);
    if (!allowed.includes(String(now.role))) form.set('role', allowed[0]!);
  }, [classId, role]);
  const [created, setCreated] = useState<CreatedInvite | null>(null);
  const [error, setError] = useState<unknown>(null);

  return (
    <div class="grid">
      <form
        class="card form"
        noValidate
        aria-labelledby="inv-title"
        onSubmit={async (e) => {
          e.preventDefault();
          const res = await form.submit(async (x) =>
            api.post('/api/v1/orgs/{org_id}/invites', { org_id: org }, {
              class_id: Number(classId),
              role: role as 'student',
              child_user_id: role === 'parent' && x.child_user_id ? Number(x.child_user_id) : null,
              expires_in_hours: Number(x.expires_in_hours),
              max_uses: optional(x.max_uses) ? Number(x.max_uses) : null,
              requires_approval: x.requires_approval === '' ? null : x.requires_approval === 'yes',
            }),
          );
          if (res) {
            setCreated(res);
            form.set('child_user_id', '');
            invites.reload();
          }
        }}
      >
        <h2 id="inv-title">{t('invites.new')}</h2>
        <p class="hint">{t('invites.new_hint')}</p>
        <FormMessage form={form} />
        <SelectField
          form={form}
          name="class_id"
          label={t('invites.class')}
          required
          options={usable.map((c) => ({ value: String(c.id), label: className(c.name, c.kind) }))}
        />
        <SelectField form={form} name="role" label={t('invites.role')} required options={roles.map((r) => ({ value: r, label: tk('role', r) }))} />
        {role === 'parent' ? (
          <SelectField
            form={form}
            name="child_user_id"
            label={t('invites.child')}
            required
            hint={t('invites.child_hint')}
            options={[{ value: '', label: students.loading ? t('common.loading') : t('common.choose') }, ...studentList.map((m) => ({ value: String(m.person.id), label: fullName(m.person) }))]}
          />
        ) : null}
        <SelectField
          form={form}
          name="expires_in_hours"
          label={t('invites.expires')}
          options={EXPIRY_HOURS.map((h) => ({ value: String(h), label: t(`invites.expiry.${h}` as Key) }))}
        />
        <Field
          form={form}
          name="max_uses"
          label={t('invites.max_uses')}
          type="number"
          min={1}
          max={10000}
          hint={role === 'parent' ? t('invites.max_uses_hint_parent') : t('invites.max_uses_hint')}
        />
        <SelectField
          form={form}
          name="requires_approval"
          label={t('invites.approval')}
          options={[
            { value: '', label: t('invites.approval_school') },
            { value: 'yes', label: t('invites.approval_yes') },
            { value: 'no', label: t('invites.approval_no') },
          ]}
        />
        <div class="actions">
          <Submit form={form}>{t('invites.create')}</Submit>
        </div>
      </form>

      {created ? (
        <section class="card created-invite" aria-labelledby="created-title" data-invite-id={created.invite.id}>
          <h2 id="created-title">{t('invites.created_title')}</h2>
          <p>
            {className(created.invite.class.name, created.invite.class.kind)} · {tk('role', created.invite.role)}
            {created.invite.child ? ` · ${fullName(created.invite.child)}` : ''}
          </p>
          <Notice kind="info">{t('invites.created_once')}</Notice>
          <CopyField value={location.origin + created.path} label={t('invites.link')} />
          <QrCode text={location.origin + created.path} label={t('invites.qr')} />
        </section>
      ) : null}

      <section class="card wide" aria-labelledby="inv-list-title">
        <h2 id="inv-list-title">{t('invites.list')}</h2>
        {error ? <ErrorBox error={error} /> : null}
        {invites.error ? <ErrorBox error={invites.error} onRetry={invites.reload} /> : null}
        {invites.loading && !invites.data ? <Loading /> : null}
        {invites.data && !invites.data.length ? <p>{t('invites.none')}</p> : null}
        <ul class="list">
          {(invites.data ?? []).map((i) => (
            <li key={i.id} class="list-item" data-invite-id={i.id} data-status={i.status}>
              <div>
                <strong>
                  {className(i.class.name, i.class.kind)} · {i.grants_admin ? t('join.role_admin') : tk('role', i.role)}
                </strong>
                {i.child ? <span> · {fullName(i.child)}</span> : null} <Badge kind={inviteStatusKind(i.status)}>{tk('invite_status', i.status)}</Badge>
                {i.requires_approval ? <Badge kind="neutral">{t('invites.with_approval')}</Badge> : null}
                <div class="muted">
                  {t('invites.uses', { used: i.use_count, max: i.max_uses })} · {t('invites.until', { at: dateTime(i.expires_at, tz) })}
                  {i.created_by ? ` · ${t('invites.by', { name: fullName(i.created_by) })}` : ''}
                </div>
              </div>
              {i.status === 'active' ? (
                <ConfirmButton
                  confirm={t('invites.revoke_q')}
                  onConfirm={async () => {
                    try {
                      await api.post('/api/v1/orgs/{org_id}/invites/{invite_id}/revoke', { org_id: org, invite_id: i.id });
                      invites.reload();
                    } catch (e) {
                      setError(e);
                    }
                  }}
                >
                  {t('invites.revoke')}
                </ConfirmButton>
              ) : null}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

/* ---------- join requests ---------- */

function RequestsTab({ org, tz }: { org: number; tz?: string }) {
  const [status, setStatus] = useState('pending');
  const list = useLoad(() => api.get('/api/v1/orgs/{org_id}/join-requests', { org_id: org, status: status || undefined }), [org, status]);
  return (
    <section class="card" aria-labelledby="jr-title">
      <h2 id="jr-title">{t('requests.title')}</h2>
      <div class="segmented" role="group" aria-label={t('requests.filter')}>
        {['pending', 'accepted', 'rejected', ''].map((s) => (
          <button key={s} type="button" class="seg" aria-pressed={status === s} onClick={() => setStatus(s)}>
            {t(`requests.filter.${s || 'all'}` as Key)}
          </button>
        ))}
      </div>
      {list.error ? <ErrorBox error={list.error} onRetry={list.reload} /> : null}
      {list.loading && !list.data ? <Loading /> : null}
      {list.data && !list.data.length ? <p>{status === 'pending' ? t('requests.none_pending') : t('requests.none')}</p> : null}
      <ul class="list">
        {(list.data ?? []).map((r) => (
          <RequestRow key={r.id} org={org} r={r} tz={tz} onChange={list.reload} />
        ))}
      </ul>
    </section>
  );
}

function RequestRow({ org, r, tz, onChange }: { org: number; r: import('../api/types').JoinRequest; tz?: string; onChange: () => void }) {
  const [rejecting, setRejecting] = useState(false);
  const form = useForm({ reason: '' });
  const acceptForm = useForm({});
  return (
    <li class="list-item request-item" data-request-id={r.id}>
      <div>
        <strong>{fullName(r.person)}</strong> <Badge kind={r.role}>{tk('role', r.role)}</Badge>{' '}
        <Badge kind={r.status === 'pending' ? 'warn' : r.status === 'accepted' ? 'ok' : 'danger'}>{tk('request_status', r.status)}</Badge>
        <div class="muted">
          {className(r.class.name, r.class.kind)}
          {r.child ? ` · ${t('requests.child', { name: fullName(r.child) })}` : ''} · {dateTime(r.created_at, tz)}
        </div>
        {r.email || r.phone ? <div class="muted">{[r.phone, r.email].filter(Boolean).join(' · ')}</div> : null}
        {r.reason ? <div class="muted">{t('requests.reason_was', { reason: r.reason })}</div> : null}
      </div>
      {r.status === 'pending' ? (
        <div class="item-actions">
          <FormMessage form={acceptForm} />
          {!rejecting ? (
            <>
              <button
                type="button"
                class="btn btn--primary btn--small"
                disabled={acceptForm.busy.value}
                onClick={async () => {
                  const ok = await acceptForm.submit(() => api.post('/api/v1/orgs/{org_id}/join-requests/{request_id}/accept', { org_id: org, request_id: r.id }));
                  if (ok) onChange();
                }}
              >
                {t('requests.accept')}
              </button>
              <button type="button" class="btn btn--secondary btn--small" onClick={() => setRejecting(true)}>
                {t('requests.reject')}
              </button>
            </>
          ) : (
            <form
              class="form"
              noValidate
              onSubmit={async (e) => {
                e.preventDefault();
                const ok = await form.submit((v) =>
                  api.post('/api/v1/orgs/{org_id}/join-requests/{request_id}/reject', { org_id: org, request_id: r.id }, { reason: optional(v.reason) }),
                );
                if (ok) onChange();
              }}
            >
              <FormMessage form={form} />
              <Field form={form} name="reason" label={t('requests.reason')} textarea maxLength={500} />
              <Submit form={form} kind="danger">
                {t('requests.reject_submit')}
              </Submit>
              <button type="button" class="btn btn--secondary" onClick={() => setRejecting(false)}>
                {t('common.cancel')}
              </button>
            </form>
          )}
        </div>
      ) : null}
    </li>
  );
}

/* ---------- members ---------- */

const STAFF = ['teacher', 'employee', 'director', 'deputy'];

function MembersTab({ org, tz }: { org: number; tz?: string }) {
  const [classFilter, setClassFilter] = useState('');
  const [query, setQuery] = useState('');
  const classes = useLoad(() => api.get('/api/v1/orgs/{org_id}/classes', { org_id: org }), [org]);
  const members = useLoad(() => api.get('/api/v1/orgs/{org_id}/members', { org_id: org }), [org]);
  const q = query.trim().toLowerCase();
  const shown = (members.data ?? []).filter(
    (m) => (!classFilter || m.places.some((p) => String(p.class.id) === classFilter)) && (!q || fullName(m.person).toLowerCase().includes(q)),
  );
  return (
    <section class="card" aria-labelledby="mem-title">
      <h2 id="mem-title">{t('members.title')}</h2>
      <div class="row filters">
        <div class="field">
          <label for="mem-class">{t('members.class_filter')}</label>
          <select id="mem-class" value={classFilter} onChange={(e) => setClassFilter((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">{t('members.all_classes')}</option>
            {(classes.data ?? []).map((c) => (
              <option key={c.id} value={String(c.id)}>
                {className(c.name, c.kind)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="mem-q">{t('members.search')}</label>
          <input id="mem-q" type="search" value={query} onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)} />
        </div>
      </div>
      {members.error ? <ErrorBox error={members.error} onRetry={members.reload} /> : null}
      {members.loading && !members.data ? <Loading /> : null}
      {members.data ? <p class="muted" role="status">{tn('members.count', shown.length)}</p> : null}
      <ul class="list">
        {shown.map((m) => (
          <MemberRow key={m.person.id} org={org} m={m} classes={classes.data ?? []} tz={tz} onChange={members.reload} />
        ))}
      </ul>
    </section>
  );
}

function MemberRow({ org, m, classes, tz, onChange }: { org: number; m: Member; classes: SchoolClass[]; tz?: string; onChange: () => void }) {
  const isTeacher = m.roles.includes('teacher');
  const isStudent = m.roles.includes('student');
  const staffRole = m.roles.find((r) => STAFF.includes(r));
  const studentPlace = m.places.find((p) => p.role === 'student');
  const [error, setError] = useState<unknown>(null);
  const transfer = useForm({ to_class_id: '', on: todayIn(tz) });
  const leave = useForm({ on: todayIn(tz), reason: 'left' });
  const role = useForm({ role: staffRole ?? 'teacher' });
  const call = async (f: () => Promise<unknown>) => {
    setError(null);
    try {
      await f();
      onChange();
    } catch (e) {
      setError(e);
    }
  };
  const p = { org_id: org, user_id: m.person.id };
  return (
    <li class="list-item member-item" data-user-id={m.person.id}>
      <div class="member-main">
        <strong>{fullName(m.person)}</strong>
        <span class="badges">
          {m.is_admin ? <Badge kind="admin">{t('role.admin')}</Badge> : null}
          {m.roles.map((r) => (
            <Badge key={r} kind={r}>
              {tk('role', r)}
            </Badge>
          ))}
          {m.class_teacher_of.length ? <Badge kind="teacher">{t('role.class_teacher')} {m.class_teacher_of.map((c) => c.name).join(', ')}</Badge> : null}
          {isTeacher ? (
            m.teacher_verified ? (
              <Badge kind="verified">✓ {t('member.verified')}</Badge>
            ) : (
              <Badge kind="warn">{t('member.not_verified')}</Badge>
            )
          ) : null}
        </span>
        <div class="muted">
          {m.places
            .filter((pl) => pl.class.kind !== 'staff_room' || !isStudent)
            .map((pl) => (pl.child ? `${className(pl.class.name, pl.class.kind)} (${fullName(pl.child)})` : className(pl.class.name, pl.class.kind)))
            .join(', ')}
        </div>
        {m.email || m.phone ? <div class="muted">{[m.phone, m.email].filter(Boolean).join(' · ')}</div> : null}
      </div>
      {isTeacher || isStudent || staffRole ? (
        <details class="member-actions">
          <summary>
            {t('members.actions')}
            <span class="visually-hidden">: {fullName(m.person)}</span>
          </summary>
          {error ? <ErrorBox error={error} /> : null}
          {isTeacher ? (
            <div class="action-block">
              <h4>{t('members.verification')}</h4>
              {m.teacher_verified ? (
                <button type="button" class="btn btn--secondary btn--small" onClick={() => call(() => api.del('/api/v1/orgs/{org_id}/members/{user_id}/teacher-verification', p))}>
                  {t('members.unverify')}
                </button>
              ) : (
                <button type="button" class="btn btn--primary btn--small" onClick={() => call(() => api.put('/api/v1/orgs/{org_id}/members/{user_id}/teacher-verification', p))}>
                  {t('members.verify')}
                </button>
              )}
            </div>
          ) : null}
          {isStudent ? (
            <form
              class="form action-block"
              noValidate
              onSubmit={async (e) => {
                e.preventDefault();
                const ok = await transfer.submit((v) =>
                  api.post('/api/v1/orgs/{org_id}/members/{user_id}/transfer', p, { to_class_id: Number(v.to_class_id), on: optional(v.on) }),
                );
                if (ok) onChange();
              }}
            >
              <h4>{t('members.transfer')}</h4>
              <FormMessage form={transfer} />
              <div class="row">
                <SelectField
                  form={transfer}
                  name="to_class_id"
                  label={t('members.to_class')}
                  required
                  options={[
                    { value: '', label: t('common.choose') },
                    ...classes.filter((c) => c.kind === 'class' && c.id !== studentPlace?.class.id).map((c) => ({ value: String(c.id), label: c.name })),
                  ]}
                />
                <Field form={transfer} name="on" label={t('members.date')} type="date" />
              </div>
              <Submit form={transfer} kind="secondary">
                {t('members.transfer_submit')}
              </Submit>
            </form>
          ) : null}
          {staffRole ? (
            <form
              class="form action-block"
              noValidate
              onSubmit={async (e) => {
                e.preventDefault();
                const ok = await role.submit((v) => api.post('/api/v1/orgs/{org_id}/members/{user_id}/role', p, { role: v.role as 'teacher' }));
                if (ok) onChange();
              }}
            >
              <h4>{t('members.role')}</h4>
              <FormMessage form={role} />
              <SelectField form={role} name="role" label={t('members.new_role')} options={STAFF.map((r) => ({ value: r, label: tk('role', r) }))} />
              <Submit form={role} kind="secondary">
                {t('members.role_submit')}
              </Submit>
            </form>
          ) : null}
          <form
            class="form action-block"
            noValidate
            onSubmit={async (e) => {
              e.preventDefault();
              const ok = await leave.submit(async (v) => {
                await api.post('/api/v1/orgs/{org_id}/members/{user_id}/leave', p, { on: String(v.on), reason: isStudent ? String(v.reason) : 'left' });
                return true;
              });
              if (ok) onChange();
            }}
          >
            <h4>{t('members.leave')}</h4>
            <FormMessage form={leave} />
            <div class="row">
              <Field form={leave} name="on" label={t('members.last_day')} type="date" required />
              {isStudent ? (
                <SelectField
                  form={leave}
                  name="reason"
                  label={t('members.leave_reason')}
                  options={[
                    { value: 'left', label: t('members.reason_left') },
                    { value: 'graduated', label: t('members.reason_graduated') },
                  ]}
                />
              ) : null}
            </div>
            <Submit form={leave} kind="danger">
              {t('members.leave_submit')}
            </Submit>
          </form>
        </details>
      ) : null}
    </li>
  );
}

/* ---------- admins ---------- */

function AdminsTab({ org, tz }: { org: number; tz?: string }) {
  const admins = useLoad(() => api.get('/api/v1/orgs/{org_id}/admins', { org_id: org }), [org]);
  const members = useLoad(() => api.get('/api/v1/orgs/{org_id}/members', { org_id: org }), [org]);
  const form = useForm({ user_id: '' });
  const [error, setError] = useState<unknown>(null);
  const candidates = (members.data ?? []).filter((m) => !m.is_admin && m.roles.some((r) => STAFF.includes(r)));
  return (
    <div class="grid">
      <section class="card" aria-labelledby="adm-title">
        <h2 id="adm-title">{t('admins.title')}</h2>
        {error ? <ErrorBox error={error} /> : null}
        {admins.error ? <ErrorBox error={admins.error} onRetry={admins.reload} /> : null}
        <ul class="list">
          {(admins.data ?? []).map((a) => (
            <li key={a.person.id} class="list-item">
              <div>
                <strong>{fullName(a.person)}</strong>
                <div class="muted">
                  {a.appointed_by
                    ? t('admins.appointed_by', { name: fullName(a.appointed_by), at: dateTime(a.appointed_at, tz) })
                    : t('admins.appointed_at', { at: dateTime(a.appointed_at, tz) })}
                </div>
              </div>
              <ConfirmButton
                confirm={t('admins.remove_q')}
                onConfirm={async () => {
                  setError(null);
                  try {
                    await api.del('/api/v1/orgs/{org_id}/admins/{user_id}', { org_id: org, user_id: a.person.id });
                    admins.reload();
                    members.reload();
                    void loadMe();
                  } catch (e) {
                    setError(e);
                  }
                }}
              >
                {t('admins.remove')}
              </ConfirmButton>
            </li>
          ))}
        </ul>
      </section>
      <form
        class="card form"
        noValidate
        aria-labelledby="appoint-title"
        onSubmit={async (e) => {
          e.preventDefault();
          const ok = await form.submit((v) => api.post('/api/v1/orgs/{org_id}/admins', { org_id: org }, { user_id: Number(v.user_id) }));
          if (ok) {
            form.reset();
            admins.reload();
            members.reload();
          }
        }}
      >
        <h2 id="appoint-title">{t('admins.appoint')}</h2>
        <p class="hint">{t('admins.appoint_hint')}</p>
        <FormMessage form={form} />
        <SelectField
          form={form}
          name="user_id"
          label={t('admins.staff')}
          required
          options={[{ value: '', label: t('common.choose') }, ...candidates.map((m) => ({ value: String(m.person.id), label: fullName(m.person) }))]}
        />
        <div class="actions">
          <Submit form={form}>{t('admins.appoint_submit')}</Submit>
        </div>
      </form>
    </div>
  );
}

/* ---------- audit ---------- */

const PAGE = 50;

export function AuditList({ load, tz }: { load: (before: number | null) => Promise<AuditEntry[]>; tz?: string }) {
  const [pages, setPages] = useState<AuditEntry[][]>([]);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const first = useLoad(() => load(null), []);
  const entries = [...(first.data ?? []), ...pages.flat()];
  const more = async () => {
    setBusy(true);
    try {
      const last = entries[entries.length - 1];
      const next = await load(last ? last.id : null);
      setPages([...pages, next]);
      if (next.length < PAGE) setDone(true);
    } finally {
      setBusy(false);
    }
  };
  if (first.loading) return <Loading />;
  if (first.error) return <ErrorBox error={first.error} onRetry={first.reload} />;
  return (
    <>
      {!entries.length ? <p>{t('audit.none')}</p> : null}
      <div class="table-wrap" tabIndex={0} role="region" aria-label={t('audit.title')}>
        <table class="table">
          <caption class="visually-hidden">{t('audit.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('audit.when')}</th>
              <th scope="col">{t('audit.who')}</th>
              <th scope="col">{t('audit.what')}</th>
              <th scope="col">{t('audit.details')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td class="nowrap">{dateTime(e.at, tz)}</td>
                <td>{e.actor ? fullName(e.actor) : t('audit.system')}</td>
                <td>{tk('audit', e.action)}</td>
                <td class="details">{describeDetails(e.details)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!done && (first.data?.length ?? 0) >= PAGE ? (
        <button type="button" class="btn btn--secondary" disabled={busy} onClick={more}>
          {t('audit.more')}
        </button>
      ) : null}
    </>
  );
}

function describeDetails(d: unknown): string {
  if (!d || typeof d !== 'object') return d == null ? '' : String(d);
  return Object.entries(d as Record<string, unknown>)
    .map(([k, v]) => `${tk('field', k)}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join('; ');
}

function AuditTab({ org, tz }: { org: number; tz?: string }) {
  return (
    <section class="card" aria-labelledby="audit-title">
      <h2 id="audit-title">{t('audit.title')}</h2>
      <AuditList tz={tz} load={(before) => api.get('/api/v1/orgs/{org_id}/audit', { org_id: org, before_id: before, limit: PAGE })} />
    </section>
  );
}


