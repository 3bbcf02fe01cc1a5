// One open conversation: loading it and marking it read while on screen, opening at the
// first unread (else the bottom) and keeping the bottom in view, «to the latest», dropping
// files on it, the header with the info panel, the pinned bar, older pages, the messages
// under their day headings and «Новые сообщения», those still on their way, typing, and
// the composer (or why there is none: a mute, a read-only chat or channel).
import { Fragment } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Message } from '../api/types';
import { ErrorBox, Loading } from '../components/ui';
import { isMuted, pendingFor, type Conversation } from '../chat/model';
import { plainText } from '../chat/rich';
import type { Refusal } from '../chat/uploads';
import {
  attachFiles,
  chatsState,
  conversations,
  entries,
  loadConversation,
  loadOlder,
  members,
  outbox,
  schools,
  typing,
} from '../chat/store';
import { t, tn } from '../i18n';
import { currentPath, queryParam } from '../router';
import { me } from '../state';
import { Composer, PostingGate } from './chat-compose';
import { draggedFiles } from './chat-files';
import { CallBanner, CallButton } from './call-entry';
import { ChatInfoDialog } from './chat-info';
import { MessageItem, PendingItem } from './chat-message';
import { layoutRows, unreadAbove } from './chat-dividers';
import { jumpToMessage, useJumpToMessage } from './chat-search';
import { nameOf } from './chat-text';
import { useChatOnScreen, useConvTop, useMuteEnding, useStickyLog } from './chat-view';

/** How many older pages opening a chat loads to reach its first unread message. */
const BACKFILL_PAGES = 3;

export function ConversationView({ chatId }: { chatId: number }) {
  const entry = entries.value.get(chatId);
  const conv = conversations.value[chatId];
  const [error, setError] = useState<unknown>(null);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [dragging, setDragging] = useState(false);
  const [refused, setRefused] = useState<Refusal[]>([]);
  const [showMembers, setShowMembers] = useState(false);
  const [quoteMissing, setQuoteMissing] = useState(false);
  const myId = me.value?.id ?? 0;
  // The read mark as it was on opening, before this view marks the chat read: the
  // «Новые сообщения» divider stays there while reading (none when nothing was unread:
  // what arrives while the chat is on screen is read as it comes).
  const opening = useRef<{ read: number | null; seen: number } | null>(null);
  if (!opening.current && entry) {
    const c = entry.chat;
    opening.current = c.unread ? { read: c.last_read_seq, seen: c.last_read_seq } : { read: null, seen: c.last_message?.seq ?? c.last_read_seq };
  }
  useChatOnScreen(chatId, true, setError);

  // Unread messages older than the first page: a few pages back to the first of them, so
  // that the divider and the opening place are right (past that, the oldest loaded).
  const [backfilled, setBackfilled] = useState(0);
  const read = opening.current?.read ?? null;
  const settled = !!conv && (!unreadAbove(conv, read) || backfilled >= BACKFILL_PAGES);
  useEffect(() => {
    if (!conv || settled) return;
    loadOlder(chatId).then(
      () => setBackfilled((n) => n + 1),
      () => setBackfilled(BACKFILL_PAGES),
    );
  }, [!!conv, settled, conv?.messages[0]?.id]);

  // Open at the first unread (unless a message is asked for: `?m=`), else at the bottom;
  // stay at the bottom when new messages arrive, unless the reader scrolled up.
  const lastId = conv?.messages[conv.messages.length - 1]?.id;
  const pending = conv ? pendingFor(outbox.value, chatId, conv.messages, myId) : [];
  const log = useStickyLog(settled, [lastId, pending.length], () =>
    queryParam(currentPath.value.split('?')[1] ?? '', 'm') ? null : log.ref.current?.querySelector<HTMLElement>('.unread-sep'),
  );
  const logRef = log.ref;
  // One's own message just sent is followed to the bottom, wherever the reader was.
  const sentCount = useRef(pending.length);
  useLayoutEffect(() => {
    if (pending.length > sentCount.current) log.toBottom();
    sentCount.current = pending.length;
  }, [pending.length]);
  const jumpMissing = useJumpToMessage(chatId, conv, logRef);
  useMuteEnding(entry?.chat.muted_until);
  const convRef = useConvTop(!!conv && !!entry);
  // What arrived since the reader last saw the bottom (counted on the «to the latest» button).
  const seenSeq = useRef<number | null>(null);
  if (seenSeq.current === null && opening.current) seenSeq.current = opening.current.seen;
  if (log.atBottom && log.opened.current) seenSeq.current = conv?.messages.reduce((n, m) => Math.max(n, m.seq), 0) ?? 0;

  if (error && !conv) {
    return <ErrorBox error={error} onRetry={() => loadConversation(chatId, true).then(() => setError(null), setError)} />;
  }
  if (!entry && chatsState.value === 'ready') {
    return (
      <div>
        <a class="back-link" href="/chats">
          ← {t('chats.back')}
        </a>
        <p class="alert alert--info">{t('chats.not_found')}</p>
      </div>
    );
  }
  if (!conv || !entry) return <Loading />;
  const chat = entry.chat;
  const list = members.value[chatId];
  const byId = new Map(conv.messages.map((m) => [m.id, m]));
  const typers = Object.keys(typing.value[chatId] ?? {}).map(Number);
  const school = schools.value[chat.org_id];
  const muted = isMuted(chat.muted_until);
  const canAttach = chat.abilities.post && !muted;
  const addFiles = (files: File[]) => setRefused(attachFiles(chatId, files));
  const rows = layoutRows(conv.messages, { lastReadSeq: settled ? read : null, me: myId });
  const unseen = log.atBottom ? 0 : conv.messages.filter((m) => m.seq > (seenSeq.current ?? 0) && m.sender.id !== myId).length;
  const jump = (id: number) => {
    setQuoteMissing(false);
    void jumpToMessage(chatId, id, logRef.current).then((found) => found || setQuoteMissing(true));
  };

  return (
    <div
      class={`conv${dragging ? ' conv--drop' : ''}`}
      ref={convRef}
      data-chat-id={chatId}
      onDragEnter={(e) => {
        if (canAttach && draggedFiles(e)) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragOver={(e) => {
        if (canAttach && draggedFiles(e)) {
          e.preventDefault();
          if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
          if (!dragging) setDragging(true);
        }
      }}
      onDragLeave={(e) => {
        // Leaving for a child is not leaving the conversation.
        const to = e.relatedTarget as Node | null;
        if (!to || !(e.currentTarget as HTMLElement).contains(to)) setDragging(false);
      }}
      onDrop={(e) => {
        setDragging(false);
        if (!canAttach || !draggedFiles(e)) return;
        e.preventDefault();
        const files = Array.from(e.dataTransfer?.files ?? []);
        if (files.length) addFiles(files);
      }}
    >
      <div class="conv-head">
        <a class="back-link" href="/chats">
          <span aria-hidden="true">←</span> <span class="back-text">{t('chats.back')}</span>
        </a>
        <h2 class="conv-title">{chat.title}</h2>
        <button type="button" class="btn btn--link conv-members" aria-haspopup="dialog" onClick={() => setShowMembers(true)}>
          {t('chatmgmt.open_info')}
          {list ? ` · ${tn('chats.members', list.length)}` : ''}
        </button>
        <CallButton chat={chat} />
      </div>
      <CallBanner chat={chat} />
      {showMembers ? <ChatInfoDialog chatId={chatId} timeZone={school?.time_zone} onClose={() => setShowMembers(false)} /> : null}
      <PinnedBar conv={conv} />
      {conv.hasMore ? (
        <button
          type="button"
          class="btn btn--link older"
          onClick={async () => {
            // Keep the reader's place: older messages go above what is on screen.
            const el = logRef.current;
            const fromBottom = el ? el.scrollHeight - el.scrollTop : 0;
            try {
              await loadOlder(chatId);
              requestAnimationFrame(() => el && (el.scrollTop = el.scrollHeight - fromBottom));
            } catch (e) {
              setError(e);
            }
          }}
        >
          {t('chats.older')}
        </button>
      ) : null}
      <div class="log-wrap">
        <div
          class="msg-log"
          role="log"
          aria-live="polite"
          aria-label={t('chats.messages')}
          tabIndex={0}
          ref={logRef}
          onScroll={log.onScroll}
        >
          {conv.messages.length === 0 && pending.length === 0 ? <p class="muted">{t('chats.no_messages')}</p> : null}
          <ol class="msgs">
            {rows.map(({ m, day, unread, cont }) => (
              <Fragment key={m.id}>
                {day ? (
                  <li class="day-sep">
                    <span>{day}</span>
                  </li>
                ) : null}
                {unread ? (
                  <li class="unread-sep">
                    <span>{t('chats.new_messages')}</span>
                  </li>
                ) : null}
                <MessageItem
                  m={m}
                  chat={chat}
                  conv={conv}
                  school={school}
                  quoted={m.reply_to ? (byId.get(m.reply_to) ?? null) : undefined}
                  members={list}
                  cont={cont}
                  onReply={() => setReplyTo(m)}
                  onJump={jump}
                />
              </Fragment>
            ))}
            {pending.map((p) => (
              <PendingItem key={p.client_msg_id} p={p} />
            ))}
          </ol>
        </div>
        {log.atBottom ? null : (
          <button type="button" class="to-latest" onClick={log.toBottom} aria-label={unseen ? tn('chats.to_latest_new', unseen) : t('chats.to_latest')} data-unseen={unseen}>
            <span aria-hidden="true">↓</span>
            {unseen ? (
              <span class="to-latest-count" aria-hidden="true">
                {unseen}
              </span>
            ) : null}
          </button>
        )}
      </div>
      {dragging ? (
        <div class="drop-overlay" aria-hidden="true">
          {t('chats.drop_here')}
        </div>
      ) : null}
      <p class="typing" aria-live="off">
        {typers.length === 1
          ? t('chats.typing_one', { name: nameOf(list, typers[0]!) })
          : typers.length > 1
            ? t('chats.typing_many')
            : ' '}
      </p>
      {error && conv ? <ErrorBox error={error} /> : null}
      {jumpMissing || quoteMissing ? <p class="alert alert--info">{jumpMissing ?? t('search.not_loaded')}</p> : null}
      <PostingGate chat={chat} school={school}>
        <Composer
          chat={chat}
          school={school}
          replyTo={replyTo}
          onReplyDone={() => setReplyTo(null)}
          onFiles={addFiles}
          refused={refused}
          onRefusedSeen={() => setRefused([])}
        />
      </PostingGate>
    </div>
  );
}

function PinnedBar({ conv }: { conv: Conversation }) {
  const top = conv.pins[0];
  if (!top) return null;
  const show = () => {
    const el = document.querySelector<HTMLElement>(`[data-message-id="${top.id}"]`);
    if (el) {
      el.scrollIntoView({ block: 'center' });
      el.focus({ preventScroll: true });
    }
  };
  return (
    <div class="pinned-bar" role="region" aria-label={t('chats.pinned')}>
      <span class="pinned-label">{t('chats.pinned')}:</span>
      <span class="pinned-text">{top.poll ? t('chats.poll_prefix', { question: top.body }) : plainText(top.rich, top.body)}</span>
      {conv.pins.length > 1 ? <span class="muted">{tn('chats.pinned_more', conv.pins.length - 1)}</span> : null}
      {conv.messages.some((m) => m.id === top.id) ? (
        <button type="button" class="btn btn--link" onClick={show}>
          {t('chats.show_pinned')}
        </button>
      ) : null}
    </div>
  );
}
