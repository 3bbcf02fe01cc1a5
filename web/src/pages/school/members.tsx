// The school's people: filtered by class and name, with teacher verification,
// transfers, staff roles and leaving.
import { useState } from 'preact/hooks';
import type { Member, SchoolClass } from '../../api/types';
import { Badge, ErrorBox, Field, FormMessage, Loading, SelectField, Submit, useForm, useLoad } from '../../components/ui';
import { optional } from '../../form';
import { fullName, todayIn } from '../../format';
import { t, tk, tn } from '../../i18n';
import { api, may, me } from '../../state';
import { className } from '../entry';
import { PersonButton, RoleBadges } from '../person';
import { issuesSignInCode, personBadges } from '../../chat/person';

/** «Выдать код для входа»: the dialog is a chunk of its own, fetched on first use. */
function openSignInCode(org: number, m: Member): void {
  void import('../sign-in-code').then((c) => c.openSignInCode(org, m.person));
}

/** «Исправить ФИО»: the dialog comes with the profile's editing chunk. */
function openNameFix(org: number, m: Member, onDone: () => void): void {
  void import('../profile-edit').then((c) => c.openNameFix(org, m, onDone));
}

/** The staff roles: who may be given another one, or appointed an admin. */
export const STAFF = ['teacher', 'employee', 'director', 'deputy'];

export function MembersTab({ org, tz }: { org: number; tz?: string }) {
  const [classFilter, setClassFilter] = useState('');
  const [query, setQuery] = useState('');
  const classes = useLoad(() => api.get('/api/v1/orgs/{org_id}/classes', { org_id: org }), [org]);
  const members = useLoad(() => api.get('/api/v1/orgs/{org_id}/members', { org_id: org }), [org]);
  const unverified = useLoad(() => api.get('/api/v1/orgs/{org_id}/members', { org_id: org, unverified: true }), [org]);
  const reload = () => {
    members.reload();
    unverified.reload();
  };
  const q = query.trim().toLowerCase();
  const shown = (members.data ?? []).filter(
    (m) => (!classFilter || m.places.some((p) => String(p.class.id) === classFilter)) && (!q || fullName(m.person).toLowerCase().includes(q)),
  );
  return (
    <>
      {unverified.data?.length ? <Unverified org={org} list={unverified.data} onChange={reload} /> : null}
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
            <MemberRow key={m.person.id} org={org} m={m} classes={classes.data ?? []} tz={tz} onChange={reload} />
          ))}
        </ul>
      </section>
    </>
  );
}

/** Teachers whose status is not confirmed yet: until then they cannot write to students and parents. */
function Unverified({ org, list, onChange }: { org: number; list: Member[]; onChange: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const verify = async (m: Member) => {
    setError(null);
    setBusy(m.person.id);
    try {
      await api.put('/api/v1/orgs/{org_id}/members/{user_id}/teacher-verification', { org_id: org, user_id: m.person.id });
      onChange();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };
  return (
    <section class="card unverified" aria-labelledby="unv-title">
      <h2 id="unv-title">{t('members.unverified_title')}</h2>
      <p class="hint">{t('members.unverified_hint')}</p>
      {error ? <ErrorBox error={error} /> : null}
      <ul class="list">
        {list.map((m) => (
          <li key={m.person.id} class="list-item unverified-item" data-user-id={m.person.id}>
            <div>
              <PersonButton orgId={org} person={m.person}>
                <strong>{fullName(m.person)}</strong>
              </PersonButton>
              <div class="muted">
                {m.places.map((pl) => className(pl.class.name, pl.class.kind)).join(', ')}
                {m.email || m.phone ? ` · ${[m.phone, m.email].filter(Boolean).join(' · ')}` : ''}
              </div>
            </div>
            <button type="button" class="btn btn--primary btn--small" disabled={busy === m.person.id} onClick={() => void verify(m)}>
              {t('members.verify')}
              <span class="visually-hidden">: {fullName(m.person)}</span>
            </button>
          </li>
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
  const school = me.value?.schools.find((s) => s.org_id === org);
  const code = !!school && issuesSignInCode(school, m, me.value?.id ?? 0);
  const staffOrStudent = isTeacher || isStudent || !!staffRole;
  const fixesName = !!school && may(school, 'correct_names');
  return (
    <li class="list-item member-item" data-user-id={m.person.id}>
      <div class="member-main">
        <PersonButton orgId={org} person={m.person}>
          <strong>{fullName(m.person)}</strong>
        </PersonButton>
        <span class="badges">
          <RoleBadges badges={personBadges(m.roles, m.teacher_verified)} admin={m.is_admin} />
          {m.class_teacher_of.length ? <Badge kind="teacher">{t('role.class_teacher')} {m.class_teacher_of.map((c) => c.name).join(', ')}</Badge> : null}
        </span>
        <div class="muted">
          {m.places
            .filter((pl) => pl.class.kind !== 'staff_room' || !isStudent)
            .map((pl) => (pl.child ? `${className(pl.class.name, pl.class.kind)} (${fullName(pl.child)})` : className(pl.class.name, pl.class.kind)))
            .join(', ')}
        </div>
        {m.email || m.phone ? <div class="muted">{[m.phone, m.email].filter(Boolean).join(' · ')}</div> : null}
      </div>
      {staffOrStudent || code || fixesName ? (
        <details class="member-actions">
          <summary>
            {t('members.actions')}
            <span class="visually-hidden">: {fullName(m.person)}</span>
          </summary>
          {error ? <ErrorBox error={error} /> : null}
          {fixesName ? (
            <div class="action-block">
              <h4>{t('members.fix_name')}</h4>
              <p class="hint">{t('members.fix_name_hint')}</p>
              <button type="button" class="btn btn--secondary btn--small" aria-haspopup="dialog" onClick={() => openNameFix(org, m, onChange)}>
                {t('members.fix_name')}
                <span class="visually-hidden">: {fullName(m.person)}</span>
              </button>
            </div>
          ) : null}
          {code ? (
            <div class="action-block">
              <h4>{t('members.sign_in')}</h4>
              <p class="hint">{t('members.sign_in_hint')}</p>
              <button type="button" class="btn btn--secondary btn--small" aria-haspopup="dialog" onClick={() => openSignInCode(org, m)}>
                {t('members.sign_in_code')}
                <span class="visually-hidden">: {fullName(m.person)}</span>
              </button>
            </div>
          ) : null}
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
          {staffOrStudent ? (
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
          ) : null}
        </details>
      ) : null}
    </li>
  );
}
