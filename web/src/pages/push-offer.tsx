// «Включите уведомления»: offered above the chat list while this browser has never been
// asked, so a parent learns of a mark or an announcement without keeping Parta open.
// «Не сейчас» is remembered on this device; a refusal in the browser's own prompt ends it.
import { useState } from 'preact/hooks';
import { errorText } from '../components/ui';
import { t } from '../i18n';
import { subscribe, supported } from '../notifications/push';

const DISMISSED = 'parta-push-offer-dismissed';

function offerable(): boolean {
  try {
    return supported() && Notification.permission === 'default' && localStorage.getItem(DISMISSED) !== '1';
  } catch {
    return false;
  }
}

export function PushOffer() {
  const [shown, setShown] = useState(offerable);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!shown) return null;
  const later = () => {
    localStorage.setItem(DISMISSED, '1');
    setShown(false);
  };
  const turnOn = async () => {
    setBusy(true);
    setError(null);
    try {
      const made = await subscribe();
      if (made === 'denied') later();
      else setShown(false);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="push-offer" role="region" aria-label={t('chats.push_offer_title')}>
      <p>{t('chats.push_offer')}</p>
      <div class="actions">
        <button type="button" class="btn btn--primary btn--small" disabled={busy} onClick={() => void turnOn()}>
          {t('chats.push_offer_on')}
        </button>
        <button type="button" class="btn btn--link" disabled={busy} onClick={later}>
          {t('chats.push_offer_later')}
        </button>
      </div>
      {error ? <p class="field-error">{error}</p> : null}
    </div>
  );
}
