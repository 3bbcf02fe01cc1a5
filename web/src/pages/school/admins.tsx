// The school's admins: who appointed them and when, removing one, appointing a staff member.
import { useState } from 'preact/hooks';
import { ConfirmButton, ErrorBox, FormMessage, SelectField, Submit, useForm, useLoad } from '../../components/ui';
import { dateTime, fullName } from '../../format';
import { t } from '../../i18n';
import { api, loadMe } from '../../state';
import { STAFF } from './members';

export function AdminsTab({ org, tz }: { org: number; tz?: string }) {
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
