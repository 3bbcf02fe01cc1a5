// «Прочитали N из M» under a post, for its author (fetched once it is on screen and
// again as read marks arrive) and, on request, for the chat's moderators.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatMember, Message, PersonRef } from '../api/types';
import type { components } from '../api/schema';
import { Modal, showDialog } from '../components/ui';
import type { Conversation } from '../chat/model';
import { fullName } from '../format';
import { t, tn } from '../i18n';
import { api } from '../state';

export type ReadStatus = components['schemas']['ReadStatus'];

export function readsText(r: Pick<ReadStatus, 'read' | 'members'>): string {
  return tn('msg.reads', r.read, { total: r.members });
}

/** How many others' read marks (seen live since the chat opened) reach the post. */
export function readsSeen(conv: Conversation, m: Pick<Message, 'seq'>): number {
  let n = 0;
  for (const seq of Object.values(conv.readBy)) if (seq >= m.seq) n++;
  return n;
}

function ReadsDialog({ status, members, authorId, onClose }: { status: ReadStatus; members: ChatMember[] | undefined; authorId: number; onClose: () => void }) {
  const readers = status.readers ?? [];
  const readIds = new Set(readers.map((p) => p.id));
  const unread: PersonRef[] = (members ?? []).map((x) => x.person).filter((p) => p.id !== authorId && !readIds.has(p.id));
  const byName = (a: PersonRef, b: PersonRef) => fullName(a).localeCompare(fullName(b), 'ru');
  return (
    <Modal title={t('msg.reads_title')} onClose={onClose} class="modal--reads">
      <p class="reads-summary">{readsText(status)}</p>
      <h3>
        {t('msg.reads_read')} ({readers.length})
      </h3>
      {readers.length ? (
        <ul class="plain reads-list" data-reads="read">
          {[...readers].sort(byName).map((p) => (
            <li key={p.id}>{fullName(p)}</li>
          ))}
        </ul>
      ) : (
        <p class="muted">{t('msg.reads_nobody')}</p>
      )}
      {members ? (
        <>
          <h3>
            {t('msg.reads_unread')} ({unread.length})
          </h3>
          {unread.length ? (
            <ul class="plain reads-list" data-reads="unread">
              {unread.sort(byName).map((p) => (
                <li key={p.id}>{fullName(p)}</li>
              ))}
            </ul>
          ) : (
            <p class="muted">{t('msg.reads_everyone')}</p>
          )}
        </>
      ) : null}
    </Modal>
  );
}

/**
 * The read count of one post. `auto`: the author's own post — loaded when it scrolls
 * into view and refreshed when someone's read mark passes it; otherwise a button
 * loads it on demand (moderators looking at others' posts).
 */
export function ReadsLine({ m, conv, members, auto }: { m: Message; conv: Conversation; members: ChatMember[] | undefined; auto: boolean }) {
  const [status, setStatus] = useState<ReadStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [visible, setVisible] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const seen = readsSeen(conv, m);
  const load = () =>
    api.get('/api/v1/chats/{chat_id}/messages/{message_id}/reads', { chat_id: m.chat_id, message_id: m.id }).then(
      (s) => {
        setStatus(s);
        setError(null);
        return s;
      },
      (e: unknown) => {
        setError(e instanceof Error ? e.message : String(e));
        return null;
      },
    );

  // Only posts on screen ask: a long history scrolled past does not refetch on every read mark.
  const asked = useRef<number | null>(null);
  useEffect(() => {
    if (!auto) return;
    const el = ref.current;
    if (!el || typeof IntersectionObserver === 'undefined') return setVisible(true);
    const io = new IntersectionObserver((list) => setVisible(list[list.length - 1]!.isIntersecting));
    io.observe(el);
    return () => io.disconnect();
  }, [auto]);

  // Read marks come in bursts (everyone opening the chat): ask once they settle.
  useEffect(() => {
    if (!auto || !visible || asked.current === seen) return;
    const timer = setTimeout(() => {
      asked.current = seen;
      void load();
    }, asked.current === null ? 0 : 400);
    return () => clearTimeout(timer);
  }, [auto, visible, seen]);

  const open = (s: ReadStatus) => showDialog((close) => <ReadsDialog status={s} members={members} authorId={m.sender.id} onClose={close} />);
  const named = !!status?.readers;
  return (
    <div class="msg-reads" ref={ref} data-read={status?.read} data-members={status?.members}>
      {status && named ? (
        <button type="button" class="btn btn--link reads-btn" aria-haspopup="dialog" onClick={() => open(status)}>
          {readsText(status)}
        </button>
      ) : status ? (
        <span class="reads-text">{readsText(status)}</span>
      ) : !auto ? (
        <button
          type="button"
          class="btn btn--link reads-btn"
          aria-haspopup="dialog"
          onClick={async () => {
            const s = await load();
            if (s?.readers) open(s);
          }}
        >
          {t('msg.reads_show')}
        </button>
      ) : null}
      {error ? <span class="field-error">{error}</span> : null}
    </div>
  );
}
