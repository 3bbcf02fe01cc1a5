// «Забыли пароль?»: one e-mail field; the server sends a link to set a new password when
// an account has the address, and answers the same either way, so the page says the
// same calm words whatever the address. People without e-mail (students) are sent to
// their class teacher for a sign-in code. Its own chunk, with recovery.strings.ts.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Field, FormMessage, PageTitle, Submit, useForm } from '../components/ui';
import { api } from '../state';
import { t } from './recovery.strings';
import './recovery.css';

function NoEmail() {
  return (
    <p class="aside">
      {t('rec.no_email')} <a href="/set-password">{t('rec.no_email_link')}</a>.
    </p>
  );
}

export function ForgotPasswordPage() {
  const form = useForm({ email: '' });
  const [sentTo, setSentTo] = useState<string | null>(null);
  const notice = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (sentTo !== null) notice.current?.focus();
  }, [sentTo]);
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const email = String(form.values.value.email).trim();
    const ok = await form.submit(async () => {
      await api.post('/api/v1/auth/password-reset', undefined, { email });
      return true;
    });
    if (ok) setSentTo(email);
  };
  return (
    <div class="narrow">
      <PageTitle>{t('rec.title')}</PageTitle>
      {sentTo !== null ? (
        <div class="card" data-reset-sent="true">
          <div class="alert alert--ok" role="status" tabIndex={-1} ref={notice}>
            <h2 class="alert-title">{t('rec.sent_title')}</h2>
            <p>{t('rec.sent', { email: sentTo })}</p>
          </div>
          <div class="actions">
            <a class="btn btn--primary" href="/login">
              {t('rec.to_login')}
            </a>
            <button type="button" class="btn btn--secondary" onClick={() => setSentTo(null)}>
              {t('rec.again')}
            </button>
          </div>
        </div>
      ) : (
        <form class="card form" onSubmit={onSubmit} noValidate>
          <p>{t('rec.lead')}</p>
          <FormMessage form={form} />
          <Field form={form} name="email" label={t('rec.email')} type="email" autocomplete="email" inputMode="email" required />
          <div class="actions">
            <Submit form={form}>{t('rec.submit')}</Submit>
            <a href="/login">{t('rec.to_login')}</a>
          </div>
        </form>
      )}
      <NoEmail />
    </div>
  );
}
