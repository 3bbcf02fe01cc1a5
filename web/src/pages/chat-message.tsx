// One message in the log: sender and time, the quoted message, the text, poll or files,
// must-acknowledge, reactions and the actions on it (reply, react, edit, pin, versions,
// forward, report, delete); editing in place; and one's own messages still on their way.
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Chat, ChatMember, Message, School } from '../api/types';
import { ConfirmButton, errorText, InlineError, showDialog, useId } from '../components/ui';
import { isHeld, toggleReaction, type Conversation, type Pending } from '../chat/model';
import { plainText } from '../chat/rich';
import { conversations, deleteMessage, dropPending, editMessage, pin, react, retryPending } from '../chat/store';
import { day, shortName, whenLater } from '../format';
import { t } from '../i18n';
import { teaches } from '../journal/who';
import { currentSchool, me } from '../state';
import { AckBlock } from './chat-ack';
import { Attachments, FileNames } from './chat-files';
import { ForwardDialog, forwardable } from './chat-forward';
import { ReportDialog, VersionsDialog } from './chat-moderation';
import { PollView } from './chat-poll';
import { ReadsLine } from './chat-reads';
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
export function MessageMeta({ m, own, orgId, children }: { m: Message; own: boolean; orgId?: number; children?: ComponentChildren }) {
  return (
    <p class="msg-meta">
      {own || orgId === undefined ? (
        <span class="msg-sender">{own ? t('chats.you') : shortName(m.sender)}</span>
      ) : (
        <PersonButton orgId={orgId} person={m.sender}>
          <span class="msg-sender">{shortName(m.sender)}</span>
        </PersonButton>
      )}{' '}
      ·{' '}
      <time dateTime={m.created_at}>{timeOf(m.created_at)}</time>
      {children}
    </p>
  );
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

export function MessageItem({
  m,
  chat,
  conv,
  school,
  quoted,
  members: list,
  onReply,
}: {
  m: Message;
  chat: Chat;
  conv: Conversation;
  school: School | undefined;
  quoted: Message | null | undefined;
  members: ChatMember[] | undefined;
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
        <MessageMeta m={m} own={own} orgId={chat.org_id} />
        <DeletedBody m={m} />
      </li>
    );
  }
  return (
    <li class={`msg${own ? ' msg--own' : ''}${m.needs_ack ? ' msg--ack' : ''}`} data-message-id={m.id} data-seq={m.seq} tabIndex={-1}>
      <MessageMeta m={m} own={own} orgId={chat.org_id}>
        {m.edited_at ? <span class="msg-edited"> · {t('chats.edited')}</span> : null}
        {m.pinned ? <span class="msg-pin"> · {t('chats.pinned')}</span> : null}
        {m.needs_ack ? <span class="badge badge--warn msg-ack-badge">{t('chats.ack_label')}</span> : null}
      </MessageMeta>
      <ForwardedLabel m={m} timeZone={school?.time_zone} />
      <HeldNote m={m} timeZone={school?.time_zone} />
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
        {chat.abilities.post && !held ? (
          <button type="button" class="btn btn--link" onClick={onReply}>
            {t('chats.reply')}
          </button>
        ) : null}
        {!held ? (
          <button type="button" class="btn btn--link" aria-expanded={picker} onClick={() => setPicker(!picker)}>
            {t('chats.react')}
          </button>
        ) : null}
        {/* A homework card follows its lesson's homework: it is changed on the lesson page. */}
        {own && !m.poll && !m.homework && !held ? (
          <button type="button" class="btn btn--link" onClick={() => setEditing(true)}>
            {t('chats.edit')}
          </button>
        ) : null}
        {chat.abilities.pin && !held ? (
          <button type="button" class="btn btn--link" onClick={() => run(() => pin(chat.id, m.id, !m.pinned))}>
            {m.pinned ? t('chats.unpin') : t('chats.pin')}
          </button>
        ) : null}
        {chat.abilities.see_versions && m.edited_at && !held ? (
          <button
            type="button"
            class="btn btn--link"
            aria-haspopup="dialog"
            onClick={() => showDialog((close) => <VersionsDialog m={m} timeZone={school?.time_zone} onClose={close} />)}
          >
            {t('chats.versions')}
          </button>
        ) : null}
        {chat.abilities.follow_reads && !own && m.seq > 0 ? <ReadsLine m={m} conv={conv} members={list} auto={false} /> : null}
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
        {own || chat.abilities.moderate_posts ? (
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
