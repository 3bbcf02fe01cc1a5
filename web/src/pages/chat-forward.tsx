// Forwarding a message: pick one of one's chats of the same school where one may
// write; the server copies the text and files and marks the copy as forwarded.
import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { Chat, Message } from '../api/types';
import { Modal, useId } from '../components/ui';
import { fold } from '../chat/mentions';
import { isHeld, isMuted, newClientMsgId } from '../chat/model';
import { allChats, entries } from '../chat/store';
import { t } from '../i18n';
import { api } from '../state';

/** Whether a message can be forwarded at all (the server refuses polls and held posts). */
export function forwardable(m: Message): boolean {
  return !m.deleted && !m.poll && !isHeld(m);
}

/** Chats a message may go to: same school, writable, not muted there, not its own chat. */
export function forwardTargets(chats: Chat[], from: Pick<Message, 'chat_id'>, orgId: number | undefined, filter = ''): Chat[] {
  const q = fold(filter.trim());
  return chats.filter(
    (c) => c.id !== from.chat_id && c.org_id === orgId && c.abilities.post && !isMuted(c.muted_until) && (!q || fold(c.title).includes(q)),
  );
}

/** The server's words for a refusal: its detail, and a field's own message when there is one. */
export function problemText(e: unknown): string {
  if (e instanceof ApiError) {
    const fields = Object.values(e.fields);
    return fields.length ? fields.join(' ') : e.detail;
  }
  return e instanceof Error ? e.message : String(e);
}

export function ForwardDialog({ m, onClose }: { m: Message; onClose: () => void }) {
  const filterId = useId('fwd-filter');
  const [filter, setFilter] = useState('');
  const [busy, setBusy] = useState<number | null>(null);
  const [done, setDone] = useState<Chat | null>(null);
  const [error, setError] = useState<string | null>(null);
  const orgId = entries.value.get(m.chat_id)?.chat.org_id;
  const targets = forwardTargets(allChats.value, m, orgId, filter);
  const send = async (c: Chat) => {
    setBusy(c.id);
    setError(null);
    setDone(null);
    try {
      // No text of its own: the copy takes the original's text and files.
      await api.post('/api/v1/chats/{chat_id}/messages', { chat_id: c.id }, { client_msg_id: newClientMsgId(), body: '', forward_of: m.id });
      setDone(c);
    } catch (e) {
      setError(problemText(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <Modal title={t('msg.forward_title')} onClose={onClose} class="modal--forward">
      <p class="muted">{t('msg.forward_hint')}</p>
      <div class="field">
        <label for={filterId}>{t('msg.forward_filter')}</label>
        <input id={filterId} type="search" value={filter} autoComplete="off" onInput={(e) => setFilter((e.currentTarget as HTMLInputElement).value)} />
      </div>
      {targets.length ? (
        <ul class="plain forward-list">
          {targets.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                class="btn btn--secondary forward-target"
                data-chat-id={c.id}
                disabled={busy !== null}
                aria-label={t('msg.forward_to', { chat: c.title })}
                onClick={() => void send(c)}
              >
                {c.title}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{t('msg.forward_none')}</p>
      )}
      <div role="status" class="forward-status">
        {done ? (
          <p class="alert alert--ok">
            {t('msg.forward_done', { chat: done.title })}{' '}
            <a href={`/chats/${done.id}`} onClick={onClose}>
              {t('msg.forward_open')}
            </a>
          </p>
        ) : null}
      </div>
      {error ? (
        <p class="alert alert--error" role="alert">
          {error}
        </p>
      ) : null}
    </Modal>
  );
}
