// Join requests from links that need approval: filtered by status, accepted or
// rejected with a reason.
import { useState } from 'preact/hooks';
import type { JoinRequest } from '../../api/types';
import { Badge, ErrorBox, Field, FormMessage, Loading, Submit, useForm, useLoad } from '../../components/ui';
import { optional } from '../../form';
import { dateTime, fullName } from '../../format';
import { t, tk, type Key } from '../../i18n';
import { api } from '../../state';
import { className } from '../entry';

export function RequestsTab({ org, tz }: { org: number; tz?: string }) {
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

function RequestRow({ org, r, tz, onChange }: { org: number; r: JoinRequest; tz?: string; onChange: () => void }) {
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
