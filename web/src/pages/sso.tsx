// Signing in with an external service (OpenID Connect): the login page's buttons and
// the error a failed sign-in comes back with, joining by an invite link with a
// service, and the profile's «Вход через внешние сервисы». A chunk of its own: the
// shell only knows where to draw it.
import { useState } from 'preact/hooks';
import type { OidcLink, OidcProvider } from '../api/types';
import { ConfirmButton, ErrorBox, Field, FormMessage, Notice, Submit, useForm, useLoad } from '../components/ui';
import { dateTime } from '../format';
import { api } from '../state';
import { has, t } from './sso.strings';

const startUrl = (id: string, query = '') => `/api/v1/auth/oidc/${encodeURIComponent(id)}/start${query}`;

/** The readable message for a sign-in's error code, from `?sso_error=`. */
export function ssoErrorText(code: string): string {
  const key = `sso.e.${code}`;
  if (has(key)) return t(key);
  if (code.startsWith('oidc_token_expired')) return t('sso.e.oidc_token_expired');
  if (code.startsWith('oidc_token')) return t('sso.e.oidc_token');
  return t('sso.error');
}

/** Why the last sign-in with a service came back refused (`?sso_error=`). */
export function ErrorFromQuery() {
  const code = new URLSearchParams(location.search).get('sso_error');
  return code ? <Notice kind="error">{ssoErrorText(code)}</Notice> : null;
}

function useProviders() {
  return useLoad(() => api.get('/api/v1/auth/oidc'), []);
}

/** Under the login form: «Войти через …» for each provider. */
export function SsoLogin() {
  const providers = useProviders();
  const list: OidcProvider[] = providers.data ?? [];
  if (!list.length) return null;
  return (
    <div class="card sso" data-sso>
      <p class="muted sso-or">{t('sso.or')}</p>
      {list.map((p) => (
        <a key={p.id} class="btn btn--secondary sso-button" href={startUrl(p.id)}>
          {t('sso.login_with', { name: p.name })}
        </a>
      ))}
    </div>
  );
}

/** In the join page's registration: «Присоединиться через …», after the consent boxes above. */
export function SsoJoin({ token, consentVersion }: { token: string; consentVersion: () => string | null }) {
  const providers = useProviders();
  const [missing, setMissing] = useState(false);
  const list: OidcProvider[] = providers.data ?? [];
  if (!list.length) return <ErrorFromQuery />;
  const go = (id: string) => {
    const version = consentVersion();
    if (!version) {
      setMissing(true);
      return;
    }
    const query = `?invite=${encodeURIComponent(token)}&consent_version=${encodeURIComponent(version)}`;
    location.assign(startUrl(id, query));
  };
  return (
    <div class="sso" data-sso>
      <ErrorFromQuery />
      <p class="muted sso-or">{t('sso.or')}</p>
      <p class="hint">{t('sso.join_hint')}</p>
      {missing ? <Notice kind="error">{t('sso.join_consent_needed')}</Notice> : null}
      {list.map((p) => (
        <button key={p.id} type="button" class="btn btn--secondary sso-button" onClick={() => go(p.id)}>
          {t('sso.join_with', { name: p.name })}
        </button>
      ))}
    </div>
  );
}

function LinkForm({ provider }: { provider: OidcProvider }) {
  const form = useForm({ password: '' });
  return (
    <form
      class="form sso-link"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        const r = await form.submit((v) => api.post('/api/v1/me/oidc/{id}/link', { id: provider.id }, { password: String(v.password) }));
        if (r) location.assign(r.url);
      }}
    >
      <FormMessage form={form} />
      <Field form={form} name="password" label={t('sso.link_password')} type="password" autocomplete="current-password" required />
      <div class="actions">
        <Submit form={form}>{t('sso.link_go')}</Submit>
      </div>
    </form>
  );
}

/** The profile's section: each provider, linked or not, to link (after the password) or unlink. */
export function SsoProfile() {
  const providers = useProviders();
  const links = useLoad(() => api.get('/api/v1/me/oidc'), []);
  const [linking, setLinking] = useState<string | null>(null);
  const list: OidcProvider[] = providers.data ?? [];
  const mine: OidcLink[] = links.data ?? [];
  if (!list.length && !mine.length) return null;
  if (links.error) return <ErrorBox error={links.error} onRetry={links.reload} />;
  const justLinked = new URLSearchParams(location.search).get('sso') === 'linked';
  const names = new Map(list.map((p) => [p.id, p.name]));
  for (const l of mine) if (!names.has(l.provider)) names.set(l.provider, l.name ?? l.provider);
  return (
    <section class="card" aria-labelledby="sso-title" data-sso-profile>
      <h2 id="sso-title">{t('sso.profile_title')}</h2>
      <p class="hint">{t('sso.profile_hint')}</p>
      {justLinked ? <Notice>{t('sso.just_linked')}</Notice> : null}
      <ErrorFromQuery />
      <ul class="plain">
        {[...names].map(([id, name]) => {
          const link = mine.find((l) => l.provider === id);
          return (
            <li key={id} data-sso-provider={id} data-linked={link ? 'yes' : 'no'}>
              <strong>{name}</strong>{' '}
              <span class="muted">
                {link ? (link.label ? t('sso.linked', { label: link.label }) : t('sso.linked_plain')) : t('sso.not_linked')}
                {link?.last_used_at ? ` · ${dateTime(link.last_used_at)}` : ''}
              </span>{' '}
              {link ? (
                <ConfirmButton
                  confirm={t('sso.unlink_q', { name })}
                  onConfirm={async () => {
                    await api.del('/api/v1/me/oidc/{id}', { id });
                    links.reload();
                  }}
                >
                  {t('sso.unlink')}
                </ConfirmButton>
              ) : list.some((p) => p.id === id) && linking !== id ? (
                <button type="button" class="btn btn--secondary" onClick={() => setLinking(id)}>
                  {t('sso.link')}
                </button>
              ) : null}
              {!link && linking === id ? <LinkForm provider={{ id, name }} /> : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
