// A must-acknowledge post («ознакомиться»): the reader's confirm button (and a reminder
// received), and for its author and the chat's moderators who has confirmed and who not,
// with a reminder to those who have not.
import { useEffect, useState } from 'preact/hooks';
import type { Chat, Message } from '../api/types';
import { errorText, InlineError } from '../components/ui';
import type { Conversation } from '../chat/model';
import { acknowledge, loadAcks, remind } from '../chat/store';
import { shortName } from '../format';
import { t } from '../i18n';
import { me } from '../state';

export function AckBlock({ m, conv, chat }: { m: Message; conv: Conversation; chat: Chat }) {
  const myId = me.value?.id ?? 0;
  const own = m.sender.id === myId;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [reminded, setReminded] = useState(false);
  const follows = own || chat.abilities.follow_reads;
  const status = conv.acks[m.id];
  useEffect(() => {
    if (follows && !status) loadAcks(chat.id, m.id).catch((e: unknown) => setError(errorText(e)));
  }, [m.id, follows]);
  const done = m.acked_by_me || conv.myAcks.includes(m.id);
  return (
    <div class="ack" data-ack-for={m.id}>
      {!own ? (
        done ? (
          <p class="ack-done">✓ {t('chats.ack_done')}</p>
        ) : (
          <>
            {conv.reminded.includes(m.id) ? <p class="ack-reminded">{t('chats.ack_reminded')}</p> : null}
            <button
              type="button"
              class="btn btn--primary btn--small"
              disabled={busy}
              onClick={async () => {
                setBusy(true);
                try {
                  await acknowledge(chat.id, m.id);
                  setError(null);
                } catch (e) {
                  setError(errorText(e));
                } finally {
                  setBusy(false);
                }
              }}
            >
              {t('chats.ack_button')}
            </button>
          </>
        )
      ) : null}
      {follows && status ? (
        <div class="ack-stats">
          <p class="ack-count" data-confirmed={status.confirmed.length} data-pending={status.pending.length}>
            {t('chats.ack_stats', { confirmed: status.confirmed.length, total: status.confirmed.length + status.pending.length })}
          </p>
          {status.pending.length ? (
            <details class="ack-pending">
              <summary>
                {t('chats.ack_pending')} ({status.pending.length})
              </summary>
              <ul class="plain">
                {status.pending.map((p) => (
                  <li key={p.id}>{shortName(p)}</li>
                ))}
              </ul>
            </details>
          ) : (
            <p class="muted">{t('chats.ack_all')}</p>
          )}
          {status.pending.length ? (
            <button
              type="button"
              class="btn btn--secondary btn--small"
              disabled={busy}
              onClick={async () => {
                setBusy(true);
                try {
                  await remind(chat.id, m.id);
                  setReminded(true);
                  setError(null);
                } catch (e) {
                  setError(errorText(e));
                } finally {
                  setBusy(false);
                }
              }}
            >
              {t('chats.ack_remind')}
            </button>
          ) : null}
          <span role="status" class="muted">
            {reminded ? t('chats.ack_reminder_sent') : ''}
          </span>
        </div>
      ) : null}
      <InlineError error={error} />
    </div>
  );
}
