import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Chat, ChatMember, Message, Poll, School } from '../api/types';
import { ConfirmButton, errorText, ErrorBox, InlineError, Loading, PageTitle, showDialog, useAction, useId } from '../components/ui';
import { inQuietHours, isHeld, isMuted, pendingFor, quietApplies, readTarget, toggleReaction, type Conversation, type Pending } from '../chat/model';
import { attachable, MAX_ATTACHMENTS, type Refusal } from '../chat/uploads';
import {
  acknowledge,
  allChats,
  attachFiles,
  chatsError,
  chatsState,
  closePoll,
  connState,
  conversations,
  createPoll,
  deleteMessage,
  dropPending,
  editMessage,
  entries,
  loadAcks,
  loadConversation,
  loadOlder,
  loadSchool,
  markRead,
  members,
  openChat,
  outbox,
  pin,
  react,
  refreshChats,
  remind,
  retryPending,
  schools,
  sendMessage,
  sendTyping,
  typing,
  uploads,
  vote,
} from '../chat/store';
import { day, shortName, whenLater } from '../format';
import { lang, t, tn } from '../i18n';
import { currentSchool, me } from '../state';
import { AttachButton, Attachments, draggedFiles, FileNames, UploadList } from './chat-files';
import { ReportDialog, untilText, VersionsDialog } from './chat-moderation';
import { ChatInfoDialog } from './chat-info';
import { NewChatButton } from './chat-new';
import { plainText } from '../chat/rich';
import { FormatTools, useMentionPicker } from './chat-compose';
import { ForwardDialog, forwardable } from './chat-forward';
import { ReadsLine } from './chat-reads';
import { ForwardedLabel, RichBody } from './chat-rich';
import { SearchEntry, useJumpToMessage } from './chat-search';

export const REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏', '👏', '🔥', '✅', '👀'] as const;

function timeOf(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  const loc = lang.value === 'ru' ? 'ru-RU' : 'en-GB';
  return new Intl.DateTimeFormat(loc, sameDay ? { timeStyle: 'short' } : { dateStyle: 'short', timeStyle: 'short' }).format(d);
}

const CONN_TEXT = {
  live: 'chats.conn.live',
  connecting: 'chats.conn.connecting',
  offline: 'chats.conn.offline',
  closed: 'chats.conn.closed',
} as const;

export function ConnectionStatus() {
  const s = connState.value;
  return (
    <p class={`conn conn--${s}`} role="status" data-conn={s}>
      <span class="conn-dot" aria-hidden="true" />
      {t(CONN_TEXT[s])}
    </p>
  );
}

function preview(m: Message | null | undefined): string {
  if (!m) return t('chats.no_messages');
  if (m.deleted) return t('chats.deleted');
  const who = m.sender.id === me.value?.id ? t('chats.you') : shortName(m.sender);
  const n = m.attachments.length;
  // A file alone is named; several are counted after the text.
  const files = n === 1 && !m.body ? m.attachments[0]!.name : n ? `(${tn('chats.files_count', n)})` : '';
  const text = m.poll ? t('chats.poll_prefix', { question: m.body }) : [plainText(m.rich, m.body), files].filter(Boolean).join(' ');
  return `${who}: ${text.replace(/\s+/g, ' ')}`;
}

function ChatList({ current }: { current: number | null }) {
  const school = currentSchool.value;
  const list = allChats.value.filter((c) => !school || c.org_id === school.org_id);
  if (chatsState.value === 'error' && !list.length) return <ErrorBox error={chatsError.value} onRetry={() => void refreshChats()} />;
  if (chatsState.value !== 'ready' && !list.length) return <Loading />;
  if (!list.length) return <p class="muted">{t('chats.none')}</p>;
  return (
    <nav aria-label={t('chats.list')}>
      <ul class="chat-list">
        {list.map((c) => (
          <li key={c.id}>
            <a class="chat-link" href={`/chats/${c.id}`} aria-current={current === c.id ? 'page' : undefined} data-chat-id={c.id}>
              <span class="chat-link-top">
                <span class="chat-title">{c.title}</span>
                {c.last_message ? <span class="chat-time">{timeOf(c.last_message.created_at)}</span> : null}
              </span>
              <span class="chat-link-bottom">
                <span class="chat-preview">{preview(c.last_message)}</span>
                {c.unread > 0 ? (
                  <span class="unread" data-unread={c.unread}>
                    <span aria-hidden="true">{c.unread}</span>
                    <span class="visually-hidden">{tn('chats.unread', c.unread)}</span>
                  </span>
                ) : null}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function ChatsPage({ chatId }: { chatId?: string }) {
  const id = chatId ? Number(chatId) : null;
  return (
    <div class={`chats${id ? ' chats--open' : ''}`}>
      <div class="chats-head">
        <PageTitle>{t('chats.title')}</PageTitle>
        <SearchEntry />
        <ConnectionStatus />
      </div>
      <div class="chats-panes">
        <section class="chats-list-pane" aria-label={t('chats.list')}>
          <NewChatButton school={currentSchool.value} />
          <ChatList current={id} />
        </section>
        <section class="chats-conv-pane">
          {id && Number.isFinite(id) ? <ConversationView key={id} chatId={id} /> : <p class="muted chats-choose">{t('chats.choose')}</p>}
        </section>
      </div>
    </div>
  );
}

function nameOf(list: ChatMember[] | undefined, id: number, fallback?: Message['sender']): string {
  const p = list?.find((x) => x.person.id === id)?.person ?? fallback;
  return p ? shortName(p) : `#${id}`;
}

/** «Будет доставлено завтра в 07:00»: when a held message goes out, on the school's clock. */
export function heldText(iso: string, timeZone?: string, now = new Date()): string {
  const w = whenLater(iso, now, timeZone);
  if (w.day === 'today') return t('chats.held_today', { time: w.time });
  if (w.day === 'tomorrow') return t('chats.held_tomorrow', { time: w.time });
  return t('chats.held_later', { time: w.time, date: day(w.date) });
}

function refusalText(r: Refusal): string {
  return r.reason === 'empty' ? t('chats.refused_empty', { name: r.name }) : t('chats.refused_too_many', { name: r.name, max: MAX_ATTACHMENTS });
}

function ConversationView({ chatId }: { chatId: number }) {
  const entry = entries.value.get(chatId);
  const conv = conversations.value[chatId];
  const [error, setError] = useState<unknown>(null);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [dragging, setDragging] = useState(false);
  const [refused, setRefused] = useState<Refusal[]>([]);
  const [showMembers, setShowMembers] = useState(false);
  const [, setTick] = useState(0);
  const logRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const myId = me.value?.id ?? 0;
  const orgId = entry?.chat.org_id;
  const jumpMissing = useJumpToMessage(chatId, conv, logRef);

  useEffect(() => {
    openChat.value = chatId;
    loadConversation(chatId).then(
      () => setError(null),
      (e: unknown) => setError(e),
    );
    return () => {
      if (openChat.value === chatId) openChat.value = null;
    };
  }, [chatId]);

  useEffect(() => {
    if (orgId) void loadSchool(orgId);
  }, [orgId]);

  // Read up to the latest position while the chat is on screen.
  const head = entry ? readTarget(entry, conv) : 0;
  useEffect(() => {
    if (conv && entry) void markRead(chatId);
  }, [chatId, !!conv, head]);

  // Stay at the bottom when new messages arrive, unless the reader scrolled up.
  const lastId = conv?.messages[conv.messages.length - 1]?.id;
  const pending = conv ? pendingFor(outbox.value, chatId, conv.messages, myId) : [];
  useLayoutEffect(() => {
    const el = logRef.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [lastId, pending.length, !!conv]);

  // Pictures arrive after the text: keep the bottom in view as they grow the log.
  useEffect(() => {
    const el = logRef.current;
    if (!el) return;
    const grown = (e: Event) => {
      if (e.target instanceof HTMLImageElement && stick.current) el.scrollTop = el.scrollHeight;
    };
    el.addEventListener('load', grown, true);
    return () => el.removeEventListener('load', grown, true);
  }, [!!conv]);

  // A mute ends by itself: show the composer again when it does.
  const mutedUntil = entry?.chat.muted_until;
  useEffect(() => {
    if (!isMuted(mutedUntil)) return;
    const ms = new Date(mutedUntil!).getTime() - Date.now() + 500;
    const timer = setTimeout(() => setTick((n) => n + 1), Math.min(ms, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [mutedUntil]);

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
  const moderator = chat.my_role === 'moderator';
  const school = schools.value[chat.org_id];
  const muted = isMuted(chat.muted_until);
  const canAttach = chat.can_post && !muted;
  const addFiles = (files: File[]) => setRefused(attachFiles(chatId, files));

  return (
    <div
      class={`conv${dragging ? ' conv--drop' : ''}`}
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
          ← {t('chats.back')}
        </a>
        <h2 class="conv-title">{chat.title}</h2>
        <button type="button" class="btn btn--link conv-members" aria-haspopup="dialog" onClick={() => setShowMembers(true)}>
          {t('chatmgmt.open_info')}
          {list ? ` · ${tn('chats.members', list.length)}` : ''}
        </button>
      </div>
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
      <div
        class="msg-log"
        role="log"
        aria-live="polite"
        aria-label={t('chats.messages')}
        tabIndex={0}
        ref={logRef}
        onScroll={(e) => {
          const el = e.currentTarget as HTMLDivElement;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
        }}
      >
        {conv.messages.length === 0 && pending.length === 0 ? <p class="muted">{t('chats.no_messages')}</p> : null}
        <ol class="msgs">
          {conv.messages.map((m) => (
            <MessageItem
              key={m.id}
              m={m}
              chat={chat}
              conv={conv}
              school={school}
              quoted={m.reply_to ? (byId.get(m.reply_to) ?? null) : undefined}
              members={list}
              moderator={moderator}
              onReply={() => setReplyTo(m)}
            />
          ))}
          {pending.map((p) => (
            <PendingItem key={p.client_msg_id} p={p} />
          ))}
        </ol>
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
      {jumpMissing ? <p class="alert alert--info">{jumpMissing}</p> : null}
      {chat.can_post && muted ? (
        <p class="alert alert--info composer-closed" data-muted-until={chat.muted_until}>
          {t('chats.muted', { until: untilText(chat.muted_until!, school?.time_zone) })}
        </p>
      ) : chat.can_post ? (
        <>
          {chat.read_only && moderator ? <p class="alert alert--info composer-note">{t('chats.readonly_mod')}</p> : null}
          <Composer
            chat={chat}
            school={school}
            replyTo={replyTo}
            onReplyDone={() => setReplyTo(null)}
            onFiles={addFiles}
            refused={refused}
            onRefusedSeen={() => setRefused([])}
          />
        </>
      ) : (
        <p class="alert alert--info composer-closed">{chat.kind.endsWith('_channel') ? t('chats.channel_readonly') : t('chats.readonly')}</p>
      )}
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

function PendingItem({ p }: { p: Pending }) {
  return (
    <li class="msg msg--own msg--pending" data-pending={p.state} data-client-msg-id={p.client_msg_id}>
      {p.body ? <p class="msg-body">{p.body}</p> : null}
      <FileNames files={p.attachments ?? []} />
      {p.state === 'failed' ? (
        <div class="msg-foot">
          <span class="field-error">{t('chats.not_sent', { error: p.error ?? '' })}</span>
          <button type="button" class="btn btn--secondary btn--small" onClick={() => retryPending(p.client_msg_id)}>
            {t('chats.retry')}
          </button>
          <button type="button" class="btn btn--link" onClick={() => dropPending(p.client_msg_id)}>
            {t('chats.discard')}
          </button>
        </div>
      ) : (
        <p class="msg-meta">{t('chats.sending')}</p>
      )}
    </li>
  );
}

function MessageItem({
  m,
  chat,
  conv,
  school,
  quoted,
  members: list,
  moderator,
  onReply,
}: {
  m: Message;
  chat: Chat;
  conv: Conversation;
  school: School | undefined;
  quoted: Message | null | undefined;
  members: ChatMember[] | undefined;
  moderator: boolean;
  onReply: () => void;
}) {
  const myId = me.value?.id ?? 0;
  const own = m.sender.id === myId;
  const [editing, setEditing] = useState(false);
  const [picker, setPicker] = useState(false);
  // Held by quiet hours: nobody else sees it yet, so it takes no replies, reactions or edits.
  const held = isHeld(m);
  const [error, setError] = useState<string | null>(null);
  const run = (f: () => Promise<void>) => f().then(() => setError(null), (e: unknown) => setError(errorText(e)));

  if (m.deleted) {
    return (
      <li class="msg msg--deleted" data-message-id={m.id} data-seq={m.seq} tabIndex={-1}>
        <p class="msg-meta">
          <span class="msg-sender">{own ? t('chats.you') : shortName(m.sender)}</span> ·{' '}
          <time dateTime={m.created_at}>{timeOf(m.created_at)}</time>
        </p>
        <p class="msg-body msg-body--deleted">{m.deleted_by_moderator ? t('chats.deleted_by_moderator') : t('chats.deleted')}</p>
      </li>
    );
  }
  return (
    <li class={`msg${own ? ' msg--own' : ''}${m.needs_ack ? ' msg--ack' : ''}`} data-message-id={m.id} data-seq={m.seq} tabIndex={-1}>
      <p class="msg-meta">
        <span class="msg-sender">{own ? t('chats.you') : shortName(m.sender)}</span> ·{' '}
        <time dateTime={m.created_at}>{timeOf(m.created_at)}</time>
        {m.edited_at ? <span class="msg-edited"> · {t('chats.edited')}</span> : null}
        {m.pinned ? <span class="msg-pin"> · {t('chats.pinned')}</span> : null}
        {m.needs_ack ? <span class="badge badge--warn msg-ack-badge">{t('chats.ack_label')}</span> : null}
      </p>
      <ForwardedLabel m={m} timeZone={school?.time_zone} />
      {held ? (
        <p class="msg-held" data-held-until={m.held_until}>
          {heldText(m.held_until!, school?.time_zone)}
          <span class="msg-held-hint">{t('chats.held_hint')}</span>
        </p>
      ) : null}
      {quoted !== undefined ? (
        <blockquote class="quote">
          {quoted ? (
            <>
              <span class="quote-who">{shortName(quoted.sender)}</span>
              <span class="quote-text">{quoted.deleted ? t('chats.deleted') : plainText(quoted.rich, quoted.body)}</span>
            </>
          ) : (
            <span class="quote-text">{t('chats.quote_missing')}</span>
          )}
        </blockquote>
      ) : null}
      {editing ? (
        <EditBox m={m} onDone={() => setEditing(false)} />
      ) : m.poll ? (
        <PollView m={m} poll={m.poll} chat={chat} members={list} moderator={moderator} />
      ) : (
        <RichBody m={m} me={myId} />
      )}
      {/* A held post is seen by its sender only, who may open its files already. */}
      {held && !own ? <FileNames files={m.attachments} /> : <Attachments files={m.attachments} />}
      {m.needs_ack ? <AckBlock m={m} conv={conv} chat={chat} moderator={moderator} /> : null}
      {own && !held && m.seq > 0 ? <ReadsLine m={m} conv={conv} members={list} auto /> : null}
      {m.reactions.length ? (
        <div class="reactions" role="group" aria-label={t('chats.reactions')}>
          {m.reactions.map((r) => {
            const mine = r.user_ids.includes(myId);
            return (
              <button
                key={r.emoji}
                type="button"
                class="reaction"
                aria-pressed={mine}
                aria-label={t('chats.reaction_count', { emoji: r.emoji, n: r.user_ids.length })}
                title={r.user_ids.map((u) => nameOf(list, u)).join(', ')}
                onClick={() => run(() => react(chat.id, m.id, r.emoji, !mine))}
              >
                {r.emoji} {r.user_ids.length}
              </button>
            );
          })}
        </div>
      ) : null}
      <div class="msg-actions" role="group" aria-label={t('chats.actions')}>
        {chat.can_post && !held ? (
          <button type="button" class="btn btn--link" onClick={onReply}>
            {t('chats.reply')}
          </button>
        ) : null}
        {!held ? (
          <button type="button" class="btn btn--link" aria-expanded={picker} onClick={() => setPicker(!picker)}>
            {t('chats.react')}
          </button>
        ) : null}
        {own && !m.poll && !held ? (
          <button type="button" class="btn btn--link" onClick={() => setEditing(true)}>
            {t('chats.edit')}
          </button>
        ) : null}
        {moderator && !held ? (
          <button type="button" class="btn btn--link" onClick={() => run(() => pin(chat.id, m.id, !m.pinned))}>
            {m.pinned ? t('chats.unpin') : t('chats.pin')}
          </button>
        ) : null}
        {moderator && m.edited_at && !held ? (
          <button
            type="button"
            class="btn btn--link"
            aria-haspopup="dialog"
            onClick={() => showDialog((close) => <VersionsDialog m={m} timeZone={school?.time_zone} onClose={close} />)}
          >
            {t('chats.versions')}
          </button>
        ) : null}
        {moderator && !own && m.seq > 0 ? <ReadsLine m={m} conv={conv} members={list} auto={false} /> : null}
        {forwardable(m) ? (
          <button type="button" class="btn btn--link" aria-haspopup="dialog" onClick={() => showDialog((close) => <ForwardDialog m={m} onClose={close} />)}>
            {t('msg.forward')}
          </button>
        ) : null}
        {!own && !held ? (
          <button type="button" class="btn btn--link" aria-haspopup="dialog" onClick={() => showDialog((close) => <ReportDialog m={m} onClose={close} />)}>
            {t('chats.report')}
          </button>
        ) : null}
        {own || moderator ? (
          <ConfirmButton kind="link" confirm={t('chats.delete_q')} onConfirm={() => run(() => deleteMessage(chat.id, m.id, !own))}>
            {t('chats.delete')}
          </ConfirmButton>
        ) : null}
      </div>
      {picker ? (
        <div class="reaction-picker" role="group" aria-label={t('chats.react')}>
          {REACTIONS.map((e) => {
            const mine = m.reactions.some((r) => r.emoji === e && r.user_ids.includes(myId));
            return (
              <button
                key={e}
                type="button"
                class="reaction"
                aria-pressed={mine}
                onClick={() => {
                  setPicker(false);
                  void run(() => react(chat.id, m.id, e, !mine));
                  // Shown at once; the event brings everyone's truth.
                  conversations.value = {
                    ...conversations.value,
                    [chat.id]: { ...conv, messages: conv.messages.map((x) => (x.id === m.id ? { ...x, reactions: toggleReaction(x.reactions, e, myId) } : x)) },
                  };
                }}
              >
                {e}
              </button>
            );
          })}
        </div>
      ) : null}
      <InlineError error={error} />
    </li>
  );
}

function EditBox({ m, onDone }: { m: Message; onDone: () => void }) {
  const id = useId('edit');
  const [text, setText] = useState(m.body);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => area.current?.focus(), []);
  const save = async () => {
    if (!text.trim()) return;
    setBusy(true);
    try {
      await editMessage(m.chat_id, m.id, text);
      onDone();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="edit-box"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label for={id} class="visually-hidden">
        {t('chats.edit_label')}
      </label>
      <textarea
        id={id}
        value={text}
        rows={2}
        ref={area}
        onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            void save();
          }
          if (e.key === 'Escape') onDone();
        }}
      />
      {error ? <p class="field-error">{error}</p> : null}
      <div class="actions">
        <button type="submit" class="btn btn--primary btn--small" disabled={busy}>
          {t('common.save')}
        </button>
        <button type="button" class="btn btn--secondary btn--small" onClick={onDone}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function AckBlock({ m, conv, chat, moderator }: { m: Message; conv: Conversation; chat: Chat; moderator: boolean }) {
  const myId = me.value?.id ?? 0;
  const own = m.sender.id === myId;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [reminded, setReminded] = useState(false);
  const follows = own || moderator;
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

function PollView({ m, poll, chat, members: list, moderator }: { m: Message; poll: Poll; chat: Chat; members: ChatMember[] | undefined; moderator: boolean }) {
  const myId = me.value?.id ?? 0;
  const [choice, setChoice] = useState<number[]>(poll.my_option_ids);
  const { busy, error, run: act } = useAction();
  const name = useId('poll');
  useEffect(() => setChoice(poll.my_option_ids), [poll.my_option_ids.join(',')]);
  const total = poll.options.reduce((a, o) => a + o.votes, 0);
  const voted = poll.my_option_ids.length > 0;
  const kinds = [poll.anonymous ? t('chats.poll_kind_anonymous') : '', poll.multiple ? t('chats.poll_kind_multiple') : ''].filter(Boolean);
  return (
    <div class="poll" data-poll-id={poll.id} data-closed={poll.closed ? 'true' : 'false'}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void act(() => vote(chat.id, m.id, poll.id, choice));
        }}
      >
        <fieldset disabled={poll.closed || busy}>
          <legend class="poll-question">
            {m.body}
            {kinds.length ? <span class="muted"> ({kinds.join(', ')})</span> : null}
          </legend>
          <ul class="poll-options">
            {poll.options.map((o) => {
              const pct = total ? Math.round((o.votes * 100) / total) : 0;
              const checked = choice.includes(o.id);
              const names = poll.anonymous ? [] : o.voter_ids.map((u) => (u === myId ? t('chats.you') : nameOf(list, u)));
              return (
                <li key={o.id} class="poll-option" data-option-id={o.id} data-votes={o.votes}>
                  <label class="poll-choice">
                    <input
                      type={poll.multiple ? 'checkbox' : 'radio'}
                      name={name}
                      checked={checked}
                      onChange={(e) => {
                        const on = (e.currentTarget as HTMLInputElement).checked;
                        setChoice(poll.multiple ? (on ? [...choice, o.id] : choice.filter((x) => x !== o.id)) : [o.id]);
                      }}
                    />
                    <span class="poll-text">{o.text}</span>
                    <span class="poll-count">
                      {tn('chats.poll_votes', o.votes)} · {pct} %
                      {poll.my_option_ids.includes(o.id) ? ` · ${t('chats.poll_your_choice')}` : ''}
                    </span>
                  </label>
                  <span class="poll-bar" aria-hidden="true">
                    <span style={{ width: `${pct}%` }} />
                  </span>
                  {names.length ? <span class="poll-names">{names.join(', ')}</span> : null}
                </li>
              );
            })}
          </ul>
        </fieldset>
        <p class="muted poll-summary">
          {tn('chats.poll_voters', poll.voters)}
          {poll.closed ? ` · ${t('chats.poll_closed')}` : ''}
        </p>
        <div class="actions">
          {!poll.closed ? (
            <button type="submit" class="btn btn--primary btn--small" disabled={busy || choice.length === 0}>
              {voted ? t('chats.poll_revote') : t('chats.poll_vote')}
            </button>
          ) : null}
          {!poll.closed && (m.sender.id === myId || moderator) ? (
            <button type="button" class="btn btn--secondary btn--small" disabled={busy} onClick={() => act(() => closePoll(chat.id, m.id, poll.id))}>
              {t('chats.poll_close')}
            </button>
          ) : null}
        </div>
      </form>
      <InlineError error={error} />
    </div>
  );
}

function Composer({
  chat,
  school,
  replyTo,
  onReplyDone,
  onFiles,
  refused,
  onRefusedSeen,
}: {
  chat: Chat;
  school: School | undefined;
  replyTo: Message | null;
  onReplyDone: () => void;
  onFiles: (files: File[]) => void;
  refused: Refusal[];
  onRefusedSeen: () => void;
}) {
  const id = useId('composer');
  const ackId = useId('ask-ack');
  const urgentId = useId('urgent');
  const [text, setText] = useState('');
  const [needsAck, setNeedsAck] = useState(false);
  const [urgent, setUrgent] = useState(false);
  const [polling, setPolling] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const mention = useMentionPicker({ area, text, setText, members: members.value[chat.id], myId: me.value?.id ?? 0 });
  const canAsk = chat.my_role === 'moderator' || chat.my_role === 'author';
  const files = attachable(uploads.value, chat.id);
  // Admins' posts may pass the school's quiet hours where those apply.
  const isAdmin = !!me.value?.schools.find((s) => s.org_id === chat.org_id)?.is_admin;
  const quiet = quietApplies(chat.kind) && school?.quiet_hours ? school.quiet_hours : null;
  const quietNow = !!quiet && inQuietHours(quiet, new Date(), school?.time_zone);
  useEffect(() => {
    if (replyTo) area.current?.focus();
  }, [replyTo?.id]);
  useEffect(() => setNotice(null), [files.waiting, files.failed, files.files.length]);
  const submit = () => {
    const body = text.trim();
    if (files.waiting) return setNotice(t('chats.wait_uploads'));
    if (files.failed) return setNotice(t('chats.failed_uploads'));
    if (!body && !files.files.length) return;
    sendMessage(chat.id, body, replyTo?.id ?? null, needsAck, { attachments: files.files, urgent: urgent && isAdmin });
    setText('');
    setNeedsAck(false);
    setUrgent(false);
    setNotice(null);
    onRefusedSeen();
    onReplyDone();
    area.current?.focus();
  };
  if (polling) return <PollForm chat={chat} onDone={() => setPolling(false)} />;
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      {replyTo ? (
        <div class="reply-preview">
          <span>
            {t('chats.reply_to')}: <strong>{shortName(replyTo.sender)}</strong> — {plainText(replyTo.rich, replyTo.body).slice(0, 120)}
          </span>
          <button type="button" class="btn btn--link" onClick={onReplyDone}>
            {t('chats.reply_cancel')}
          </button>
        </div>
      ) : null}
      {quietNow && quiet ? <p class="composer-quiet">{t('chats.quiet_now', { from: quiet.from, to: quiet.to })}</p> : null}
      <UploadList chatId={chat.id} />
      {refused.length ? (
        <div class="alert alert--error composer-refused" role="alert">
          {refused.map((r, i) => (
            <p key={i}>{refusalText(r)}</p>
          ))}
        </div>
      ) : null}
      <label for={id} class="visually-hidden">
        {t('chats.message')}
      </label>
      <div class="composer-row">
        <textarea
          id={id}
          ref={area}
          rows={2}
          value={text}
          placeholder={t('chats.message')}
          aria-describedby={`${id}-hint`}
          maxLength={4000}
          {...mention.aria}
          onInput={(e) => {
            setText((e.currentTarget as HTMLTextAreaElement).value);
            mention.update();
            sendTyping(chat.id);
          }}
          onClick={mention.update}
          onKeyUp={(e) => {
            if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) mention.update();
          }}
          onPaste={(e) => {
            // A pasted picture or file is attached; pasted text stays text.
            const pasted = Array.from(e.clipboardData?.files ?? []);
            if (pasted.length) {
              e.preventDefault();
              onFiles(pasted);
            }
          }}
          onKeyDown={(e) => {
            if (mention.onKeyDown(e)) return;
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              submit();
            }
          }}
        />
        {mention.list}
        <button type="submit" class="btn btn--primary">
          {t('chats.send')}
        </button>
      </div>
      <p class="hint" id={`${id}-hint`}>
        {t('chats.composer_hint')} {t('msg.format_hint')}
      </p>
      <p class="composer-notice" role="status">
        {notice ?? ''}
      </p>
      <div class="composer-tools">
        <FormatTools area={area} text={text} setText={setText} />
        <AttachButton onFiles={onFiles} />
        {canAsk ? (
          <div class="field field--check">
            <input id={ackId} type="checkbox" checked={needsAck} onChange={(e) => setNeedsAck((e.currentTarget as HTMLInputElement).checked)} />
            <label for={ackId}>{t('chats.ask_ack')}</label>
          </div>
        ) : null}
        {isAdmin && quiet ? (
          <div class="field field--check">
            <input id={urgentId} type="checkbox" checked={urgent} onChange={(e) => setUrgent((e.currentTarget as HTMLInputElement).checked)} />
            <label for={urgentId}>{t('chats.urgent')}</label>
          </div>
        ) : null}
        <button type="button" class="btn btn--secondary btn--small" onClick={() => setPolling(true)}>
          {t('chats.poll')}
        </button>
      </div>
    </form>
  );
}

function PollForm({ chat, onDone }: { chat: Chat; onDone: () => void }) {
  const qid = useId('poll-q');
  const mid = useId('poll-multiple');
  const aid = useId('poll-anon');
  const [question, setQuestion] = useState('');
  const [options, setOptions] = useState<string[]>(['', '']);
  const [multiple, setMultiple] = useState(false);
  const [anonymous, setAnonymous] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const qRef = useRef<HTMLInputElement>(null);
  useEffect(() => qRef.current?.focus(), []);
  const submit = async () => {
    const opts = options.map((o) => o.trim()).filter(Boolean);
    if (!question.trim() || opts.length < 2) {
      setError(t('chats.poll_need_options'));
      return;
    }
    setBusy(true);
    try {
      await createPoll(chat.id, { question: question.trim(), options: opts, multiple, anonymous });
      onDone();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="poll-form card"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3>{t('chats.poll_new')}</h3>
      <div class="field">
        <label for={qid}>{t('chats.poll_question')}</label>
        <input id={qid} value={question} maxLength={300} ref={qRef} onInput={(e) => setQuestion((e.currentTarget as HTMLInputElement).value)} />
      </div>
      {options.map((o, i) => (
        <PollOptionField
          key={i}
          n={i + 1}
          value={o}
          canRemove={options.length > 2}
          onInput={(v) => setOptions(options.map((x, j) => (j === i ? v : x)))}
          onRemove={() => setOptions(options.filter((_, j) => j !== i))}
        />
      ))}
      {options.length < 10 ? (
        <button type="button" class="btn btn--link" onClick={() => setOptions([...options, ''])}>
          + {t('chats.poll_add_option')}
        </button>
      ) : null}
      <div class="field field--check">
        <input id={mid} type="checkbox" checked={multiple} onChange={(e) => setMultiple((e.currentTarget as HTMLInputElement).checked)} />
        <label for={mid}>{t('chats.poll_multiple')}</label>
      </div>
      <div class="field field--check">
        <input id={aid} type="checkbox" checked={anonymous} onChange={(e) => setAnonymous((e.currentTarget as HTMLInputElement).checked)} />
        <label for={aid}>{t('chats.poll_anonymous')}</label>
      </div>
      {error ? (
        <div class="alert alert--error" role="alert">
          {error}
        </div>
      ) : null}
      <div class="actions">
        <button type="submit" class="btn btn--primary" disabled={busy}>
          {t('chats.poll_create')}
        </button>
        <button type="button" class="btn btn--secondary" onClick={onDone}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function PollOptionField({ n, value, canRemove, onInput, onRemove }: { n: number; value: string; canRemove: boolean; onInput: (v: string) => void; onRemove: () => void }) {
  const id = useId('poll-opt');
  return (
    <div class="field poll-opt-field">
      <label for={id}>{t('chats.poll_option', { n })}</label>
      <div class="copy-row">
        <input id={id} value={value} maxLength={200} onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)} />
        {canRemove ? (
          <button type="button" class="btn btn--link" aria-label={t('chats.poll_remove_option', { n })} onClick={onRemove}>
            ✕
          </button>
        ) : null}
      </div>
    </div>
  );
}
