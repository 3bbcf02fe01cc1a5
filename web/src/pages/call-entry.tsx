// The chat's way into calls: «Позвонить» in the header when the reader may start one and
// none runs, and the banner «Идёт звонок · N участников · Присоединиться» while one does.
// Which call runs comes from ../calls/live (asked when the chat opens, then its events).
import { useEffect, useState } from 'preact/hooks';
import type { Chat } from '../api/types';
import { chatCalls, loadChatCall, peopleCount, startCall } from '../calls/live';
import { errorText } from '../components/ui';
import { t, tn } from '../i18n';
import { navigate } from '../router';

export function CallButton({ chat }: { chat: Chat }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const call = chatCalls.value[chat.id];
  if (!chat.abilities.start_call || call !== null) return null; // unknown yet, or one runs
  return (
    <>
      <button
        type="button"
        class="btn btn--secondary btn--small conv-call"
        disabled={busy}
        title={t('calls.start_hint')}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            const c = await startCall(chat.id);
            navigate(`/calls/${c.id}`);
          } catch (e) {
            setError(errorText(e));
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? t('calls.starting') : t('calls.start')}
      </button>
      {error ? (
        <p class="field-error conv-call-error" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}

export function CallBanner({ chat }: { chat: Chat }) {
  const call = chatCalls.value[chat.id];
  const id = chat.id;
  useEffect(() => {
    void loadChatCall(id);
  }, [id]);
  // The count is refreshed now and then while the banner shows (only those in the call hear of changes).
  const running = !!call;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void loadChatCall(id), 15_000);
    return () => clearInterval(timer);
  }, [id, running]);
  if (!call) return null;
  const n = peopleCount(call.participants);
  return (
    <div class="call-banner" role="region" aria-label={t('calls.banner')} data-call-id={call.id}>
      <span class="call-banner-dot" aria-hidden="true" />
      <span>
        {t('calls.banner')} · {tn('calls.banner_people', n)}
      </span>
      {chat.abilities.join_call ? (
        <a class="btn btn--primary btn--small" href={`/calls/${call.id}`}>
          {t('calls.join')}
        </a>
      ) : null}
    </div>
  );
}
