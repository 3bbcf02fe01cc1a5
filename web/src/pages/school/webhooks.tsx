// «Вебхуки»: the school's webhooks — each endpoint with its events and its status (the
// last delivery, the last error, what waits), turned off or on, removed, its delivery
// log; a new one with its signing key shown once. A chunk of its own.
import { useState } from 'preact/hooks';
import type { CreatedWebhook, Webhook } from '../../api/types';
import { Badge, CheckField, ConfirmButton, CopyField, ErrorBox, Field, FormMessage, Loading, Submit, useForm, useLoad } from '../../components/ui';
import { dateTime } from '../../format';
import { api } from '../../state';
import { EVENTS, eventName, t, type Key } from './webhooks.strings';
import './webhooks.css';

const STATUS_KIND: Record<string, string> = { ok: 'ok', retrying: 'warn', failed: 'danger', new: 'neutral' };

function Deliveries({ org, hook, tz }: { org: number; hook: number; tz?: string }) {
  const list = useLoad(() => api.get('/api/v1/orgs/{org_id}/webhooks/{webhook_id}/deliveries', { org_id: org, webhook_id: hook }), [org, hook]);
  if (list.error) return <ErrorBox error={list.error} onRetry={list.reload} />;
  if (!list.data) return <Loading />;
  if (!list.data.length) return <p class="muted">{t('wh.deliveries_none')}</p>;
  return (
    <ul class="list wh-deliveries">
      {list.data.map((d) => (
        <li key={d.id} class="list-item" data-status={d.status}>
          <span>{t('wh.delivery', { id: d.id, event: eventName(d.event), at: dateTime(d.created_at, tz) })}</span>
          <span class="muted">
            {d.status === 'waiting' ? t('wh.delivery.waiting', { n: d.attempts }) : t(`wh.delivery.${d.status}` as Key)}
            {d.last_status ? ` · ${t('wh.delivery.http', { status: d.last_status })}` : ''}
            {d.status !== 'delivered' && d.last_error && !d.last_status ? ` · ${d.last_error}` : ''}
          </span>
        </li>
      ))}
    </ul>
  );
}

function HookItem({ org, hook, tz, onChanged }: { org: number; hook: Webhook; tz?: string; onChanged: () => void }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const path = { org_id: org, webhook_id: hook.id };
  return (
    <li class="list-item wh-item" data-webhook={hook.id}>
      <div class="wh-main">
        <strong class="wh-url">{hook.url}</strong>
        <div>
          {hook.active ? <Badge kind={STATUS_KIND[hook.status] ?? 'neutral'}>{t(`wh.status.${hook.status}` as Key)}</Badge> : <Badge>{t('wh.off')}</Badge>}
        </div>
        <div class="muted">{t('wh.events', { list: hook.events.map(eventName).join(', ') })}</div>
        {hook.last_success_at ? <div class="muted">{t('wh.last_success', { at: dateTime(hook.last_success_at, tz) })}</div> : null}
        {hook.last_error && hook.status !== 'ok' ? <div class="muted">{t('wh.last_error', { error: hook.last_error })}</div> : null}
        {hook.waiting > 0 ? <div class="muted">{t('wh.waiting', { n: hook.waiting })}</div> : null}
        {error ? <ErrorBox error={error} /> : null}
        {open ? <Deliveries org={org} hook={hook.id} tz={tz} /> : null}
      </div>
      <div class="actions">
        <button type="button" class="btn" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? t('wh.deliveries_hide') : t('wh.deliveries')}
        </button>
        <button
          type="button"
          class="btn"
          onClick={async () => {
            setError(null);
            try {
              await api.patch('/api/v1/orgs/{org_id}/webhooks/{webhook_id}', path, { active: !hook.active });
              onChanged();
            } catch (e) {
              setError(e);
            }
          }}
        >
          {hook.active ? t('wh.turn_off') : t('wh.turn_on')}
        </button>
        <ConfirmButton
          confirm={t('wh.remove_q')}
          onConfirm={async () => {
            setError(null);
            try {
              await api.del('/api/v1/orgs/{org_id}/webhooks/{webhook_id}', path);
              onChanged();
            } catch (e) {
              setError(e);
            }
          }}
        >
          {t('wh.remove')}
        </ConfirmButton>
      </div>
    </li>
  );
}

export function WebhooksTab({ org, tz }: { org: number; tz?: string }) {
  const hooks = useLoad(() => api.get('/api/v1/orgs/{org_id}/webhooks', { org_id: org }), [org]);
  const initial: Record<string, string | boolean> = { url: '' };
  for (const e of EVENTS) initial[e] = false;
  // The server names the list `events`: its error shows at the first box.
  const form = useForm(initial, { events: EVENTS[0] });
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  return (
    <div class="grid">
      <section class="card" aria-labelledby="wh-title">
        <h2 id="wh-title">{t('wh.list')}</h2>
        <p class="hint">{t('wh.lead')}</p>
        {hooks.error ? <ErrorBox error={hooks.error} onRetry={hooks.reload} /> : null}
        {hooks.data && !hooks.data.length ? <p class="muted">{t('wh.none')}</p> : null}
        <ul class="list">
          {(hooks.data ?? []).map((h) => (
            <HookItem key={h.id} org={org} hook={h} tz={tz} onChanged={hooks.reload} />
          ))}
        </ul>
      </section>
      <form
        class="card form"
        noValidate
        aria-labelledby="wh-add-title"
        onSubmit={async (e) => {
          e.preventDefault();
          const made = await form.submit((v) =>
            api.post('/api/v1/orgs/{org_id}/webhooks', { org_id: org }, { url: String(v.url), events: EVENTS.filter((ev) => v[ev] === true) }),
          );
          if (made) {
            setCreated(made);
            form.reset();
            hooks.reload();
          }
        }}
      >
        <h2 id="wh-add-title">{t('wh.add')}</h2>
        <FormMessage form={form} />
        <Field form={form} name="url" label={t('wh.url')} type="url" inputMode="url" required hint={t('wh.url_hint')} />
        <fieldset class="wh-events">
          <legend>{t('wh.choose_events')}</legend>
          {EVENTS.map((e) => (
            <CheckField key={e} form={form} name={e} label={eventName(e)} />
          ))}
        </fieldset>
        <div class="actions">
          <Submit form={form}>{t('wh.add_submit')}</Submit>
        </div>
        {created ? (
          <section class="wh-secret" aria-labelledby="wh-secret-title">
            <h3 id="wh-secret-title">{t('wh.secret_title')}</h3>
            <p class="hint">{t('wh.secret_lead')}</p>
            <CopyField value={created.secret} label={t('wh.secret_label')} />
          </section>
        ) : null}
      </form>
    </div>
  );
}
