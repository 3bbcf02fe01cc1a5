// The message box: the composer (text, the reply, files, must-acknowledge, urgent, a
// poll; or only the text, in a narrow panel) or what takes its place when the reader
// may not post, and its helpers, the @-mention picker (a combobox over the textarea)
// and the bold/italic/code buttons. The text rules live in ../chat/mentions and ../chat/rich.
import type { ComponentChildren, RefObject } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Chat, ChatMember, Message, School } from '../api/types';
import { useId } from '../components/ui';
import { activeMention, insertMention, matchMembers, type MentionQuery } from '../chat/mentions';
import { inQuietHours, postingState } from '../chat/model';
import { wrapSelection } from '../chat/rich';
import { drafts, setDraft } from '../chat/drafts';
import { members, sendMessage, sendTyping, uploads } from '../chat/store';
import { attachable, MAX_ATTACHMENTS, type Refusal } from '../chat/uploads';
import { fullName, shortName } from '../format';
import { t } from '../i18n';
import { me } from '../state';
import { AttachButton, UploadList } from './chat-files';
import { untilText } from './chat-moderation';
import { PollForm } from './chat-poll';
import { quoteText } from './chat-quote';

interface Picker {
  /** Attributes that tie the textarea to the list of names. */
  aria: Record<string, string | boolean | undefined>;
  /** Call from input, click and caret moves. */
  update: () => void;
  /** Call first from onKeyDown; true when the picker used the key. */
  onKeyDown: (e: KeyboardEvent) => boolean;
  list: ComponentChildren;
}

/** Keeps the caret where an edit put it once the controlled value is drawn. */
export function useCaret(area: RefObject<HTMLTextAreaElement>) {
  const want = useRef<[number, number] | null>(null);
  useLayoutEffect(() => {
    const el = area.current;
    if (el && want.current) {
      el.setSelectionRange(want.current[0], want.current[1]);
      want.current = null;
    }
  });
  return (start: number, end = start) => (want.current = [start, end]);
}

export function useMentionPicker(opts: {
  area: RefObject<HTMLTextAreaElement>;
  text: string;
  setText: (s: string) => void;
  members: ChatMember[] | undefined;
  myId: number;
}): Picker {
  const { area, text, setText, members, myId } = opts;
  const listId = useId('mentions');
  const [at, setAt] = useState<MentionQuery | null>(null);
  const [active, setActive] = useState(0);
  const [closedAt, setClosedAt] = useState<number | null>(null);
  const setCaret = useCaret(area);
  const found = at && members ? matchMembers(members, at.query, myId) : [];
  const open = !!at && found.length > 0 && closedAt !== at.start;
  const current = open ? Math.min(active, found.length - 1) : -1;

  const update = () => {
    const el = area.current;
    if (!el) return;
    const q = activeMention(el.value, el.selectionStart ?? el.value.length);
    if (q?.start !== at?.start || q?.query !== at?.query) setActive(0);
    // Escape closes the list for this @word until it is typed on.
    if (!q || q.start !== closedAt || q.query !== at?.query) setClosedAt(null);
    setAt(q);
  };
  const choose = (m: ChatMember) => {
    const el = area.current;
    if (!el || !at) return;
    const next = insertMention(text, at, el.selectionStart ?? text.length, m.person);
    setText(next.text);
    setCaret(next.caret);
    setAt(null);
    el.focus();
  };
  const onKeyDown = (e: KeyboardEvent): boolean => {
    if (!open) return false;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const n = found.length;
      setActive((current + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
      return true;
    }
    if ((e.key === 'Enter' || e.key === 'Tab') && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      choose(found[current]!);
      return true;
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      setClosedAt(at!.start);
      return true;
    }
    return false;
  };
  const optionId = (i: number) => `${listId}-${i}`;
  return {
    // A textarea keeps its textbox role (a combobox cannot be multi-line); these are
    // the textbox's own autocomplete attributes.
    aria: {
      'aria-autocomplete': 'list',
      'aria-haspopup': 'listbox',
      'aria-controls': open ? listId : undefined,
      'aria-activedescendant': open ? optionId(current) : undefined,
    },
    update,
    onKeyDown,
    list: open ? (
      <ul class="mention-list" role="listbox" id={listId} aria-label={t('msg.mentions')}>
        {found.map((m, i) => (
          <li
            key={m.person.id}
            id={optionId(i)}
            role="option"
            aria-selected={i === current}
            class={`mention-option${i === current ? ' mention-option--active' : ''}`}
            data-user-id={m.person.id}
            // Keep the focus in the textarea: the choice happens on click.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => choose(m)}
          >
            {fullName(m.person)}
          </li>
        ))}
      </ul>
    ) : null,
  };
}

const TOOLS = [
  { marker: '**', key: 'msg.bold', label: 'Ж', cls: 'fmt-bold' },
  { marker: '*', key: 'msg.italic', label: 'К', cls: 'fmt-italic' },
  { marker: '`', key: 'msg.code', label: '</>', cls: 'fmt-code' },
] as const;

/** Bold, italic and code buttons: wrap the selection in the markers the server reads. */
export function FormatTools({ area, text, setText }: { area: RefObject<HTMLTextAreaElement>; text: string; setText: (s: string) => void }) {
  const setCaret = useCaret(area);
  return (
    <div class="fmt-tools" role="group" aria-label={t('msg.format_tools')}>
      {TOOLS.map((tool) => (
        <button
          key={tool.marker}
          type="button"
          class={`btn btn--secondary btn--small fmt-btn ${tool.cls}`}
          title={t(tool.key)}
          aria-label={t(tool.key)}
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => {
            const el = area.current;
            if (!el) return;
            const r = wrapSelection(text, el.selectionStart ?? text.length, el.selectionEnd ?? text.length, tool.marker);
            setText(r.text);
            setCaret(r.start, r.end);
            el.focus();
          }}
        >
          <span aria-hidden="true">{tool.label}</span>
        </button>
      ))}
    </div>
  );
}

/* ---------- the composer ---------- */

/**
 * The composer (`children`) where this reader may post, else why not: a mute and until
 * when, or who may post in this chat or channel. The callers redraw when a mute ends
 * (`useMuteEnding`).
 */
export function PostingGate({ chat, school, children }: { chat: Chat; school: School | undefined; children: ComponentChildren }) {
  const state = postingState(chat);
  if (state === 'muted') {
    return (
      <p class="alert alert--info composer-closed" data-muted-until={chat.muted_until}>
        {t('chats.muted', { until: untilText(chat.muted_until!, school?.time_zone) })}
      </p>
    );
  }
  if (state === 'archived') return <p class="alert alert--info composer-closed composer-archived">{t('chats.archived')}</p>;
  if (state === 'channel' || state === 'closed') {
    return <p class="alert alert--info composer-closed">{t(state === 'channel' ? 'chats.channel_readonly' : 'chats.readonly')}</p>;
  }
  return (
    <>
      {state === 'post_read_only' ? <p class="alert alert--info composer-note">{t('chats.readonly_mod')}</p> : null}
      {children}
    </>
  );
}

function refusalText(r: Refusal): string {
  return r.reason === 'empty' ? t('chats.refused_empty', { name: r.name }) : t('chats.refused_too_many', { name: r.name, max: MAX_ATTACHMENTS });
}

export function Composer({
  chat,
  school,
  replyTo,
  onReplyDone,
  onFiles,
  refused,
  onRefusedSeen,
  compact = false,
  placeholder,
}: {
  chat: Chat;
  school: School | undefined;
  replyTo: Message | null;
  onReplyDone: () => void;
  onFiles: (files: File[]) => void;
  refused: Refusal[];
  onRefusedSeen: () => void;
  /** Only the text (pasted files still attach): no formatting, file, poll or must-acknowledge tools. */
  compact?: boolean;
  placeholder?: string;
}) {
  const id = useId('composer');
  const ackId = useId('ask-ack');
  const urgentId = useId('urgent');
  // The draft of this chat, kept across reloads until it is sent.
  const [text, setTextNow] = useState(() => drafts.value[chat.id] ?? '');
  const setText = (s: string) => {
    setTextNow(s);
    setDraft(chat.id, s);
  };
  const [help, setHelp] = useState(false);
  const [needsAck, setNeedsAck] = useState(false);
  const [urgent, setUrgent] = useState(false);
  const [polling, setPolling] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const mention = useMentionPicker({ area, text, setText, members: members.value[chat.id], myId: me.value?.id ?? 0 });
  const canAsk = chat.abilities.request_ack;
  const files = attachable(uploads.value, chat.id);
  // Urgent posts (a school admin's; a class teacher's in their class's class and parents chats)
  // pass the school's quiet hours where those apply.
  const mayUrgent = chat.abilities.send_urgent;
  const quiet = chat.quiet_hours && school?.quiet_hours ? school.quiet_hours : null;
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
    sendMessage(chat.id, body, replyTo?.id ?? null, needsAck, { attachments: files.files, urgent: urgent && mayUrgent });
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
        <div class="reply-preview" data-reply-to={replyTo.id}>
          <span class="visually-hidden">{t('chats.reply_to')}:</span>
          <span class="reply-preview-quote">
            <strong class="quote-who">{shortName(replyTo.sender)}</strong>
            <span class="quote-text">{quoteText(replyTo)}</span>
          </span>
          <button type="button" class="btn btn--link reply-cancel" aria-label={t('chats.reply_cancel')} title={t('chats.reply_cancel')} onClick={onReplyDone}>
            <span aria-hidden="true">✕</span>
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
          placeholder={placeholder ?? t('chats.message')}
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
      {/* Read out with the field always; shown on request («?»), as it is the same every time. */}
      <p class={help && !compact ? 'hint composer-hint' : 'visually-hidden'} id={`${id}-hint`}>
        {t('chats.composer_hint')} {t('msg.format_hint')}
      </p>
      <p class="composer-notice" role="status">
        {notice ?? ''}
      </p>
      {compact ? null : (
      <div class="composer-tools">
        <FormatTools area={area} text={text} setText={setText} />
        <button
          type="button"
          class="btn btn--secondary btn--small help-toggle"
          aria-expanded={help}
          aria-controls={`${id}-hint`}
          title={t('chats.help')}
          onClick={() => setHelp(!help)}
        >
          <span aria-hidden="true">?</span>
          <span class="visually-hidden">{t('chats.help')}</span>
        </button>
        <AttachButton onFiles={onFiles} />
        {canAsk ? (
          <div class="field field--check">
            <input id={ackId} type="checkbox" checked={needsAck} onChange={(e) => setNeedsAck((e.currentTarget as HTMLInputElement).checked)} />
            <label for={ackId}>{t('chats.ask_ack')}</label>
          </div>
        ) : null}
        {mayUrgent && quiet ? (
          <div class="field field--check">
            <input id={urgentId} type="checkbox" checked={urgent} onChange={(e) => setUrgent((e.currentTarget as HTMLInputElement).checked)} />
            <label for={urgentId}>{t('chats.urgent')}</label>
          </div>
        ) : null}
        <button type="button" class="btn btn--secondary btn--small" onClick={() => setPolling(true)}>
          {t('chats.poll')}
        </button>
      </div>
      )}
    </form>
  );
}
