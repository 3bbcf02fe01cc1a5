// One message in the log: avatar, sender and time (once per group), the quoted message,
// the text, poll or files, must-acknowledge, reactions, the delivery ticks of one's own,
// and its menu of actions (react, reply, copy, edit, pin, versions, who read it, forward,
// report, delete); editing in place; and one's own messages still on their way.
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Chat, ChatMember, Message, School } from '../api/types';
import { errorText, InlineError, Modal, showDialog, useId } from '../components/ui';
import { isHeld, toggleReaction, type Conversation, type Pending } from '../chat/model';
import { plainText } from '../chat/rich';
import { conversations, deleteMessage, dropPending, editMessage, pin, react, retryPending } from '../chat/store';
import { clock, day, shortName, whenLater } from '../format';
import { t } from '../i18n';
import { teaches } from '../journal/who';
import { currentSchool, me } from '../state';
import { AckBlock } from './chat-ack';
import { Attachments, FileNames } from './chat-files';
import { ForwardDialog, forwardable } from './chat-forward';
import { ReportDialog, VersionsDialog } from './chat-moderation';
import { PollView } from './chat-poll';
import { openReads, ReadsLine } from './chat-reads';
import { Avatar } from './chat-avatar';
import { MenuButton, openMenu, useMenuGestures, type MenuAction } from './chat-menu';
import { Quote } from './chat-quote';
import { ForwardedLabel, RichBody } from './chat-rich';
import { PersonButton } from './person';
import { nameOf, timeOf } from './chat-text';

export const REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏', '👏', '🔥', '✅', '👀'] as const;

/** «Будет доставлено завтра в 07:00»: when a held message goes out, on the school's clock. */
export function heldText(iso: string, timeZone?: string, now = new Date()): string {
  const w = whenLater(iso, now, timeZone);
  if (w.day === 'today') return t('chats.held_today', { time: w.time });
  if (w.day === 'tomorrow') return t('chats.held_tomorrow', { time: w.time });
  return t('chats.held_later', { time: w.time, date: day(w.date) });
}

/** Who wrote a message and when, then what `children` add (edited, pinned, …). */
export function MessageMeta({
  m,
  own,
  orgId,
  cont = false,
  clockOnly = false,
  children,
}: {
  m: Message;
  own: boolean;
  orgId?: number;
  /** In a group of the sender's messages: the time alone. */
  cont?: boolean;
  /** The day is said above (a day heading): the time of day alone. */
  clockOnly?: boolean;
  children?: ComponentChildren;
}) {
  const time = <time dateTime={m.created_at}>{clockOnly ? clock(m.created_at) : timeOf(m.created_at)}</time>;
  if (cont)
    return (
      <p class="msg-meta">
        {time}
        {children}
      </p>
    );
  return (
    <p class="msg-meta">
      {m.guest_name ? (
        // An imported message's author who is no member: the export's name, marked.
        <span class="msg-sender msg-sender--guest">
          {m.guest_name} <span class="muted">({t('chats.guest')})</span>
        </span>
      ) : own || orgId === undefined ? (
        <span class="msg-sender">{own ? t('chats.you') : shortName(m.sender)}</span>
      ) : (
        <PersonButton orgId={orgId} person={m.sender}>
          <span class="msg-sender">{shortName(m.sender)}</span>
        </PersonButton>
      )}{' '}
      · {time}
      {children}
    </p>
  );
}

/** Whose initials a message shows: an imported guest's are their own, not their importer's. */
function avatarOf(m: Message): Message['sender'] {
  return m.guest_name ? { id: 0, family_name: m.guest_name, given_name: '', patronymic: null } : m.sender;
}

/** What stands for a deleted message's text. */
export function DeletedBody({ m }: { m: Message }) {
  return <p class="msg-body msg-body--deleted">{m.deleted_by_moderator ? t('chats.deleted_by_moderator') : t('chats.deleted')}</p>;
}

/** A post quiet hours hold (seen by its sender only): when it goes out, and why. */
export function HeldNote({ m, timeZone }: { m: Message; timeZone?: string }) {
  if (!isHeld(m)) return null;
  return (
    <p class="msg-held" data-held-until={m.held_until}>
      {heldText(m.held_until!, timeZone)}
      <span class="msg-held-hint">{t('chats.held_hint')}</span>
    </p>
  );
}

export function PendingItem({ p }: { p: Pending }) {
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

/** Asks before a message is deleted for everyone (from its menu). */
function confirmDelete(onYes: () => void) {
  showDialog((close) => (
    <Modal title={t('chats.delete_q')} onClose={close} class="modal--confirm">
      <div class="actions">
        <button
          type="button"
          class="btn btn--danger"
          onClick={() => {
            close();
            onYes();
          }}
        >
          {t('common.yes')}
        </button>
        <button type="button" class="btn btn--secondary" onClick={close}>
          {t('common.cancel')}
        </button>
      </div>
    </Modal>
  ));
}

export function MessageItem({
  m,
  chat,
  conv,
  school,
  quoted,
  members: list,
  cont = false,
  onReply,
  onJump,
}: {
  m: Message;
  chat: Chat;
  conv: Conversation;
  school: School | undefined;
  quoted: Message | null | undefined;
  members: ChatMember[] | undefined;
  /** Continues the sender's group: no name or avatar of its own. */
  cont?: boolean;
  onReply: () => void;
  /** Brings another message (the quoted one) into view. */
  onJump: (id: number) => void;
}) {
  const myId = me.value?.id ?? 0;
  // A guest's imported message is stored under its importer, but is not theirs.
  const own = m.sender.id === myId && !m.guest_name;
  const [editing, setEditing] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  const opening = useRef(false);
  const trigger = useRef<HTMLButtonElement>(null);
  // Held by quiet hours: nobody else sees it yet, so it takes no replies, reactions or edits.
  const held = isHeld(m);
  const [error, setError] = useState<string | null>(null);
  const run = (f: () => Promise<void>) => f().then(() => setError(null), (e: unknown) => setError(errorText(e)));
  const dialog = (render: (close: () => void) => ComponentChildren) => () => showDialog(render);

  const toggle = (emoji: string, mine: boolean) => {
    void run(() => react(chat.id, m.id, emoji, !mine));
    // Shown at once; the event brings everyone's truth.
    const c = conversations.value[chat.id] ?? conv;
    conversations.value = {
      ...conversations.value,
      [chat.id]: { ...c, messages: c.messages.map((x) => (x.id === m.id ? { ...x, reactions: toggleReaction(x.reactions, emoji, myId) } : x)) },
    };
  };
  const text = plainText(m.rich, m.body);

  // Every action the server allows on this message, as the row of links had them.
  const actions: MenuAction[] = [];
  if (chat.abilities.post && !held) actions.push({ label: t('chats.reply'), run: onReply });
  if (text && typeof navigator !== 'undefined' && navigator.clipboard) actions.push({ label: t('chats.copy'), run: () => void navigator.clipboard.writeText(text).catch(() => {}) });
  // A homework card follows its lesson's homework: it is changed on the lesson page.
  if (own && !m.poll && !m.homework && !m.imported && !held) actions.push({ label: t('chats.edit'), run: () => setEditing(true) });
  if (chat.abilities.pin && !held) actions.push({ label: m.pinned ? t('chats.unpin') : t('chats.pin'), run: () => void run(() => pin(chat.id, m.id, !m.pinned)) });
  if (chat.abilities.see_versions && m.edited_at && !held)
    actions.push({ label: t('chats.versions'), dialog: true, run: dialog((close) => <VersionsDialog m={m} timeZone={school?.time_zone} onClose={close} />) });
  if (chat.abilities.follow_reads && !own && m.seq > 0) actions.push({ label: t('msg.reads_show'), dialog: true, run: () => void run(() => openReads(m, list)) });
  if (forwardable(m)) actions.push({ label: t('msg.forward'), dialog: true, run: dialog((close) => <ForwardDialog m={m} onClose={close} />) });
  if (!own && !held) actions.push({ label: t('chats.report'), dialog: true, run: dialog((close) => <ReportDialog m={m} onClose={close} />) });
  if (own || chat.abilities.moderate_posts)
    actions.push({ label: t('chats.delete'), dialog: true, danger: true, run: () => confirmDelete(() => void run(() => deleteMessage(chat.id, m.id, !own))) });
  const reactions = held
    ? []
    : REACTIONS.map((e) => {
        const mine = m.reactions.some((r) => r.emoji === e && r.user_ids.includes(myId));
        return { emoji: e, mine, run: () => toggle(e, mine) };
      });

  const open = (x: number, y: number) => {
    if (opening.current || (!actions.length && !reactions.length)) return;
    opening.current = true;
    setMenuOpen(true);
    openMenu({
      x,
      y,
      label: t('chats.actions'),
      reactionsLabel: t('chats.react'),
      reactions,
      actions,
      trigger: trigger.current,
      onClosed: () => {
        opening.current = false;
        setMenuOpen(false);
      },
    });
  };
  const gestures = useMenuGestures(open);

  if (m.deleted) {
    return (
      <li class={`msg msg--deleted${cont ? ' msg--cont' : ''}`} data-message-id={m.id} data-seq={m.seq} tabIndex={-1}>
        {own || cont ? null : <Avatar person={avatarOf(m)} />}
        <MessageMeta m={m} own={own} orgId={chat.org_id} cont={cont} clockOnly />
        <DeletedBody m={m} />
      </li>
    );
  }
  return (
    <li
      class={`msg${own ? ' msg--own' : ''}${m.needs_ack ? ' msg--ack' : ''}${cont ? ' msg--cont' : ''}${menuOpen ? ' msg--menu' : ''}`}
      data-message-id={m.id}
      data-seq={m.seq}
      tabIndex={-1}
      {...gestures}
    >
      {own || cont ? null : <Avatar person={avatarOf(m)} />}
      <MessageMeta m={m} own={own} orgId={chat.org_id} cont={cont} clockOnly>
        {m.edited_at ? <span class="msg-edited"> · {t('chats.edited')}</span> : null}
        {m.pinned ? <span class="msg-pin"> · {t('chats.pinned')}</span> : null}
        {m.needs_ack ? <span class="badge badge--warn msg-ack-badge">{t('chats.ack_label')}</span> : null}
        {m.imported ? (
          <span class="badge badge--neutral msg-imported" title={t('chats.imported_hint')}>
            {t('chats.imported')}
          </span>
        ) : null}
      </MessageMeta>
      {actions.length || reactions.length ? (
        <MenuButton
          buttonRef={trigger}
          expanded={menuOpen}
          label={t('chats.actions')}
          onOpen={(el) => {
            const r = el.getBoundingClientRect();
            open(r.left, r.bottom + 4);
          }}
        />
      ) : null}
      <ForwardedLabel m={m} timeZone={school?.time_zone} />
      <HeldNote m={m} timeZone={school?.time_zone} />
      {quoted !== undefined ? <Quote quoted={quoted} onJump={() => m.reply_to && onJump(m.reply_to)} /> : null}
      {editing ? (
        <EditBox m={m} onDone={() => setEditing(false)} />
      ) : m.poll ? (
        <PollView m={m} poll={m.poll} chat={chat} members={list} />
      ) : m.homework ? (
        <div class="msg-homework">
          <RichBody m={m} me={myId} />
          <a class="btn btn--secondary btn--small" href={teaches(currentSchool.value) ? `/lessons/${m.homework.lesson_id}` : `/diary?date=${m.homework.date}`}>
            {teaches(currentSchool.value) ? t('chats.homework_open_lesson') : t('chats.homework_open_diary')}
          </a>
        </div>
      ) : (
        <RichBody m={m} me={myId} />
      )}
      {/* A held post is seen by its sender only, who may open its files already. */}
      {held && !own ? <FileNames files={m.attachments} /> : <Attachments files={m.attachments} />}
      {m.needs_ack ? <AckBlock m={m} conv={conv} chat={chat} /> : null}
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
      {own && !held && m.seq > 0 ? (
        <p class="msg-status">
          <ReadsLine m={m} conv={conv} members={list} />
        </p>
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
  useLayoutEffect(() => area.current?.focus(), []);
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
