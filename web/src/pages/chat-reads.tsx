// Who read a post: the ticks under one's own (✓ sent, ✓✓ and how many read it, fetched
// once it is on screen and again as read marks arrive) and the names, for its author
// and, from a message's menu, for the chat's moderators.
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

/** Asks who read a post and shows them (the chat's moderators, from a message's menu). */
export async function openReads(m: Message, members: ChatMember[] | undefined): Promise<void> {
  const s = await api.get('/api/v1/chats/{chat_id}/messages/{message_id}/reads', { chat_id: m.chat_id, message_id: m.id });
  showDialog((close) => <ReadsDialog status={s} members={members} authorId={m.sender.id} onClose={close} />);
}

/**
 * The delivery state of one's own post: ✓ sent, ✓✓ with the count once others read it
 * («Прочитали N из M» said in words). Loaded when it scrolls into view and refreshed
 * when someone's read mark passes it; the names open from it where the server gives them.
 */
export function ReadsLine({ m, conv, members }: { m: Message; conv: Conversation; members: ChatMember[] | undefined }) {
  const [status, setStatus] = useState<ReadStatus | null>(null);
  const [visible, setVisible] = useState(false);
  const ref = useRef<HTMLSpanElement>(null);
  const seen = readsSeen(conv, m);
  const load = () =>
    api.get('/api/v1/chats/{chat_id}/messages/{message_id}/reads', { chat_id: m.chat_id, message_id: m.id }).then(setStatus, () => {
      /* the ticks stay as they were; the next read mark asks again */
    });

  // Only posts on screen ask: a long history scrolled past does not refetch on every read mark.
  const asked = useRef<number | null>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === 'undefined') return setVisible(true);
    const io = new IntersectionObserver((list) => setVisible(list[list.length - 1]!.isIntersecting));
    io.observe(el);
    return () => io.disconnect();
  }, []);

  // Read marks come in bursts (everyone opening the chat): ask once they settle.
  useEffect(() => {
    if (!visible || asked.current === seen) return;
    const timer = setTimeout(() => {
      asked.current = seen;
      void load();
    }, asked.current === null ? 0 : 400);
    return () => clearTimeout(timer);
  }, [visible, seen]);

  const read = status?.read ?? 0;
  const ticks = (
    <>
      <span aria-hidden="true" class={`ticks${read ? ' ticks--read' : ''}`}>
        {read ? `✓✓ ${read}` : '✓'}
      </span>
      <span class="visually-hidden">{status ? readsText(status) : t('msg.sent')}</span>
    </>
  );
  return (
    <span class="msg-reads" ref={ref} data-read={status?.read} data-members={status?.members} title={status ? readsText(status) : t('msg.sent')}>
      {status?.readers ? (
        <button
          type="button"
          class="btn btn--link reads-btn"
          aria-haspopup="dialog"
          onClick={() => showDialog((close) => <ReadsDialog status={status} members={members} authorId={m.sender.id} onClose={close} />)}
        >
          {ticks}
        </button>
      ) : (
        ticks
      )}
    </span>
  );
}
