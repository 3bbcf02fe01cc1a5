import { useEffect, useState } from 'preact/hooks';
import type { Application, CreatedInvite } from '../api/types';
import { Badge, CopyField, ErrorBox, Field, FormMessage, Loading, Notice, PageTitle, Submit, useForm, useLoad } from '../components/ui';
import { dateTime, fileSize, fullName } from '../format';
import { t, tk, type Key } from '../i18n';
import { api } from '../state';
import { AuditList } from './school/audit';

function statusKind(s: string) {
  return s === 'pending' ? 'warn' : s === 'approved' ? 'ok' : 'danger';
}

const OPERATOR_TABS = [
  ['applications', '/operator', 'operator.applications'],
  ['authorities', '/operator/authorities', 'operator.authorities'],
  ['statistics', '/operator/statistics', 'operator.statistics'],
  ['audit', '/operator/audit', 'audit.title'],
] as const;

/** The operator console's sections. */
export function OperatorTabs({ current }: { current: (typeof OPERATOR_TABS)[number][0] }) {
  return (
    <nav class="tabs" aria-label={t('console.sections')}>
      {OPERATOR_TABS.map(([id, href, label]) => (
        <a key={id} class="tab" href={href} aria-current={id === current ? 'page' : undefined}>
          {t(label)}
        </a>
      ))}
    </nav>
  );
}

export function OperatorPage() {
  const [filter, setFilter] = useState<'pending' | 'decided' | 'all'>('pending');
  const list = useLoad(() => api.get('/api/v1/applications'), []);
  const shown = (list.data ?? []).filter((a) => (filter === 'all' ? true : filter === 'pending' ? a.status === 'pending' : a.status !== 'pending'));
  return (
    <div class="page">
      <PageTitle>{t('operator.title')}</PageTitle>
      <OperatorTabs current="applications" />
      <section class="card" aria-labelledby="apps-title">
        <h2 id="apps-title">{t('operator.applications')}</h2>
        <div class="segmented" role="group" aria-label={t('requests.filter')}>
          {(['pending', 'decided', 'all'] as const).map((f) => (
            <button key={f} type="button" class="seg" aria-pressed={filter === f} onClick={() => setFilter(f)}>
              {t(`operator.filter.${f}` as Key)}
            </button>
          ))}
        </div>
        {list.error ? <ErrorBox error={list.error} onRetry={list.reload} /> : null}
        {list.loading ? <Loading /> : null}
        {list.data && !shown.length ? <p>{t('operator.none')}</p> : null}
        <ul class="list">
          {shown.map((a) => (
            <li key={a.id} class="list-item" data-application-id={a.id}>
              <div>
                <a href={`/operator/applications/${a.id}`}>
                  <strong>{a.short_name}</strong>
                </a>{' '}
                <Badge kind={statusKind(a.status)}>{tk('app_status', a.status)}</Badge>
                <div class="muted">
                  № {a.id} · {a.region} · {dateTime(a.created_at)}
                </div>
              </div>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

export function OperatorAuditPage() {
  return (
    <div class="page">
      <PageTitle>{t('operator.title')}</PageTitle>
      <OperatorTabs current="audit" />
      <section class="card" aria-labelledby="paudit-title">
        <h2 id="paudit-title">{t('audit.platform_title')}</h2>
        <AuditList load={(before) => api.get('/api/v1/audit', { before_id: before, limit: 50 })} />
      </section>
    </div>
  );
}

export function ApplicationPage({ id }: { id: string }) {
  const app = useLoad(() => api.get('/api/v1/applications/{application_id}', { application_id: id }), [id]);
  const [link, setLink] = useState<CreatedInvite | null>(null);
  const approveForm = useForm({});
  const reissueForm = useForm({});
  const reject = useForm({ reason: '' });
  const contacts = useForm({ admin_email: '', admin_phone: '' });
  // The contacts form starts from what the application gave (and what was corrected since).
  const given = app.data ? `${app.data.admin_email}\n${app.data.admin_phone}` : '';
  useEffect(() => {
    if (app.data) contacts.reset({ admin_email: app.data.admin_email, admin_phone: app.data.admin_phone });
  }, [given]);
  if (app.loading && !app.data) return <Loading />;
  if (app.error) return <ErrorBox error={app.error} onRetry={app.reload} />;
  const a: Application = app.data!;
  return (
    <div class="page">
      <p>
        <a href="/operator">← {t('operator.back')}</a>
      </p>
      <PageTitle>{t('operator.application', { id: a.id })}</PageTitle>
      <div class="grid">
        <section class="card" aria-labelledby="app-school">
          <h2 id="app-school">{a.school_name}</h2>
          <Badge kind={statusKind(a.status)}>{tk('app_status', a.status)}</Badge>
          <dl class="facts">
            <dt>{t('school.short_name')}</dt>
            <dd>{a.short_name}</dd>
            <dt>{t('school.address')}</dt>
            <dd>{a.address}</dd>
            <dt>{t('school.region')}</dt>
            <dd>{a.region}</dd>
            <dt>{t('school.time_zone')}</dt>
            <dd>{tk('tz', a.time_zone)}</dd>
            <dt>{t('school.inn')}</dt>
            <dd>{a.inn}</dd>
            <dt>{t('school.ogrn')}</dt>
            <dd>{a.ogrn}</dd>
            {a.authority ? (
              <>
                <dt>{t('operator.authority')}</dt>
                <dd>{a.authority}</dd>
              </>
            ) : null}
            <dt>{t('operator.admin')}</dt>
            <dd>{fullName({ family_name: a.admin_family_name, given_name: a.admin_given_name, patronymic: a.admin_patronymic })}</dd>
            <dt>{t('person.email')}</dt>
            <dd>{a.admin_email}</dd>
            <dt>{t('person.phone')}</dt>
            <dd>{a.admin_phone}</dd>
            <dt>{t('operator.submitted')}</dt>
            <dd>{dateTime(a.created_at)}</dd>
            {a.decided_at ? (
              <>
                <dt>{t('operator.decided')}</dt>
                <dd>{dateTime(a.decided_at)}</dd>
              </>
            ) : null}
            {a.reject_reason ? (
              <>
                <dt>{t('operator.reject_reason')}</dt>
                <dd>{a.reject_reason}</dd>
              </>
            ) : null}
          </dl>
          <p>
            <a class="btn btn--secondary" href={`/api/v1/applications/${a.id}/order`} download={a.order.name}>
              {t('operator.download_order', { name: a.order.name, size: fileSize(a.order.size) })}
            </a>
          </p>
        </section>

        <section class="card" aria-labelledby="decide-title">
          <h2 id="decide-title">{t('operator.decision')}</h2>
          {link ? (
            <div class="admin-link">
              <Notice>{t('operator.approved_text')}</Notice>
              <CopyField value={location.origin + link.path} label={t('operator.admin_link')} />
              <p class="hint">{t('operator.admin_link_hint', { until: dateTime(link.invite.expires_at) })}</p>
            </div>
          ) : null}
          {a.status === 'pending' ? (
            <>
              <FormMessage form={approveForm} />
              <button
                type="button"
                class="btn btn--primary"
                disabled={approveForm.busy.value}
                onClick={async () => {
                  const res = await approveForm.submit(() => api.post('/api/v1/applications/{application_id}/approve', { application_id: a.id }));
                  if (res) {
                    setLink(res.admin_invite);
                    app.reload();
                  }
                }}
              >
                {t('operator.approve')}
              </button>
              <form
                class="form"
                noValidate
                onSubmit={async (e) => {
                  e.preventDefault();
                  const ok = await reject.submit((v) => api.post('/api/v1/applications/{application_id}/reject', { application_id: a.id }, { reason: String(v.reason).trim() }));
                  if (ok) app.reload();
                }}
              >
                <h3>{t('operator.reject_title')}</h3>
                <FormMessage form={reject} />
                <Field form={reject} name="reason" label={t('operator.reject_reason')} textarea required maxLength={1000} />
                <Submit form={reject} kind="danger">
                  {t('operator.reject')}
                </Submit>
              </form>
            </>
          ) : null}
          {a.status === 'approved' ? (
            <>
              <p>{t('operator.reissue_hint')}</p>
              <FormMessage form={reissueForm} />
              <button
                type="button"
                class="btn btn--secondary"
                disabled={reissueForm.busy.value}
                onClick={async () => {
                  const res = await reissueForm.submit(() => api.post('/api/v1/applications/{application_id}/admin-invite', { application_id: a.id }));
                  if (res) setLink(res);
                }}
              >
                {t('operator.reissue')}
              </button>
              <form
                class="form admin-contacts"
                noValidate
                aria-labelledby="contacts-title"
                onSubmit={async (e) => {
                  e.preventDefault();
                  const res = await contacts.submit((v) =>
                    api.put(
                      '/api/v1/applications/{application_id}/admin-contacts',
                      { application_id: a.id },
                      { admin_email: String(v.admin_email).trim(), admin_phone: String(v.admin_phone).trim() },
                    ),
                  );
                  if (res) {
                    setLink(res);
                    app.reload();
                  }
                }}
              >
                <h3 id="contacts-title">{t('operator.contacts_title')}</h3>
                <p class="hint">{t('operator.contacts_hint')}</p>
                <FormMessage form={contacts} />
                <Field form={contacts} name="admin_email" label={t('person.email')} type="email" required />
                <Field form={contacts} name="admin_phone" label={t('person.phone')} type="tel" inputMode="tel" required />
                <Submit form={contacts} kind="secondary">
                  {t('operator.contacts_submit')}
                </Submit>
              </form>
            </>
          ) : null}
          {a.status === 'rejected' ? <p>{t('operator.rejected_text')}</p> : null}
        </section>
      </div>
    </div>
  );
}
