// The digest's stop link: the letter's link opens this page, and a button stops the
// digest (a mail client that opens links on its own to check them stops nothing). No
// sign-in needed; the token in the link says whose digest it is.
import { useState } from 'preact/hooks';
import { ErrorBox, PageTitle } from '../components/ui';
import { queryParam } from '../router';
import { api } from '../state';
import { t } from './recovery.strings';

export function UnsubscribePage() {
  const token = queryParam(location.search, 'token') ?? '';
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const stop = async () => {
    setBusy(true);
    try {
      await api.post('/api/v1/digest/unsubscribe', undefined, { token });
      setDone(true);
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="narrow">
      <PageTitle>{t('uns.title')}</PageTitle>
      <div class="card" data-unsubscribe={done ? 'done' : 'asked'}>
        {done ? (
          <p role="status">
            {t('uns.done')} <a href="/profile">{t('uns.to_profile')}</a>
          </p>
        ) : token ? (
          <>
            <p>{t('uns.lead')}</p>
            {error ? <ErrorBox error={error} /> : null}
            <div class="actions">
              <button type="button" class="btn" disabled={busy} onClick={() => void stop()}>
                {t('uns.submit')}
              </button>
            </div>
          </>
        ) : (
          <p>
            {t('uns.no_token')} <a href="/profile">{t('uns.to_profile')}</a>
          </p>
        )}
      </div>
    </div>
  );
}
