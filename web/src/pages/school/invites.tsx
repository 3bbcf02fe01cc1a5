// Invite links: making one (class, role, the child for a parent's link, expiry, uses,
// approval), showing it once with its QR code, and the list with revoking.
import { useEffect, useState } from 'preact/hooks';
import type { CreatedInvite, Member, MySchool } from '../../api/types';
import { Badge, ConfirmButton, CopyField, ErrorBox, Field, FormMessage, Loading, Notice, QrCode, SelectField, Submit, useForm, useLoad } from '../../components/ui';
import { optional } from '../../form';
import { dateTime, fullName } from '../../format';
import { t, tk, type Key } from '../../i18n';
import { api } from '../../state';
import { openClasses } from '../../school-year/archive';
import { className } from '../entry';

const EXPIRY_HOURS = [24, 72, 168, 720, 2160, 8760];

function inviteStatusKind(s: string): string {
  return s === 'active' ? 'ok' : s === 'revoked' ? 'danger' : 'neutral';
}

/** The roles a link may carry here: staff links (they open the staff room) are for admins only. */
function rolesFor(staffRoom: boolean, admin: boolean): string[] {
  if (staffRoom) return admin ? ['teacher', 'employee'] : [];
  return admin ? ['student', 'parent', 'teacher'] : ['student', 'parent'];
}

export function InvitesTab({ school, tz }: { school: MySchool; tz?: string }) {
  const org = school.org_id;
  const invites = useLoad(() => api.get('/api/v1/orgs/{org_id}/invites', { org_id: org }), [org]);
  const classes = useLoad(() => api.get('/api/v1/orgs/{org_id}/classes', { org_id: org }), [org]);
  const years = useLoad(() => api.get('/api/v1/orgs/{org_id}/years', { org_id: org }), [org]);
  const own = new Set(school.class_teacher_of.map((c) => c.id));
  // Last year's classes take nobody new: only this year's (and the coming one's) are offered.
  const usable = openClasses(classes.data ?? [], years.data ?? []).filter(
    (c) => school.is_admin || (own.has(c.id) && c.kind !== 'staff_room'),
  );
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
