// The chat beside the call: the call's chat while one watches and listens — its newest
// messages as they are posted (the chat store, fed by the WebSocket) and the text box,
// or why this reader may not post there. A column beside the stage, over it on a phone.
// It stays mounted once the call is on (hidden while closed) so a draft survives closing.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Message, School } from '../../api/types';
import { ErrorBox, Loading } from '../../components/ui';
import { pendingFor } from '../../chat/model';
import { attachFiles, conversations, entries, loadConversation, outbox, schools } from '../../chat/store';
import type { Refusal } from '../../chat/uploads';
import { t } from './call.strings';
import { me } from '../../state';
import { Composer, PostingGate } from '../chat-compose';
import { Attachments } from '../chat-files';
import { DeletedBody, HeldNote, MessageMeta, PendingItem } from '../chat-message';
import { RichBody } from '../chat-rich';
import { useChatOnScreen, useMuteEnding, useStickyLog } from '../chat-view';

/** The newest messages shown; the whole chat is a link away. */
const SHOWN = 50;

export const CHAT_PANEL_ID = 'call-chat';

const noop = () => {};

export function ChatPanel({ chatId, open, narrow, onClose }: { chatId: number; open: boolean; narrow: boolean; onClose: () => void }) {
  const entry = entries.value.get(chatId);
  const conv = conversations.value[chatId];
  const [error, setError] = useState<unknown>(null);
  const [refused, setRefused] = useState<Refusal[]>([]);
  const heading = useRef<HTMLHeadingElement>(null);
  const myId = me.value?.id ?? 0;
  useChatOnScreen(chatId, open, setError);
  useMuteEnding(entry?.chat.muted_until);
  const shown = conv ? conv.messages.slice(-SHOWN) : [];
  const pending = conv ? pendingFor(outbox.value, chatId, conv.messages, myId) : [];
  const log = useStickyLog(open && !!conv, [shown[shown.length - 1]?.id, pending.length]);

  // Opened by its toggle: the reader lands on the panel (new messages never move the focus).
  useEffect(() => {
    if (open) heading.current?.focus();
  }, [open]);

  if (!entry) return null;
  const chat = entry.chat;
  const school = schools.value[chat.org_id];
  return (
    <section id={CHAT_PANEL_ID} class="call-chat" hidden={!open} aria-labelledby="call-chat-title" data-chat-id={chatId}>
      <div class="call-chat-head">
        <h2 id="call-chat-title" class="call-chat-title" tabIndex={-1} ref={heading}>
          {t('calls.chat')}
        </h2>
        <span class="muted call-chat-name">{chat.title}</span>
        <button type="button" class="btn btn--link call-chat-close" onClick={onClose}>
          {narrow ? `← ${t('calls.chat_back')}` : t('calls.chat_hide')}
        </button>
      </div>
      {error && !conv ? (
        <ErrorBox error={error} onRetry={() => loadConversation(chatId, true).then(() => setError(null), setError)} />
      ) : !conv ? (
        open ? <Loading /> : null
      ) : (
        <div class="msg-log call-chat-log" role="log" aria-live="polite" aria-label={t('chats.messages')} tabIndex={0} ref={log.ref} onScroll={log.onScroll}>
          {shown.length === 0 && pending.length === 0 ? <p class="muted">{t('chats.no_messages')}</p> : null}
          <ol class="msgs">
            {shown.map((m) => (
              <PanelMessage key={m.id} m={m} myId={myId} school={school} />
            ))}
            {pending.map((p) => (
              <PendingItem key={p.client_msg_id} p={p} />
            ))}
          </ol>
        </div>
      )}
      {conv ? (
        <PostingGate chat={chat} school={school}>
          <Composer
            compact
            placeholder={t('calls.chat_placeholder')}
            chat={chat}
            school={school}
            replyTo={null}
            onReplyDone={noop}
            onFiles={(files) => setRefused(attachFiles(chatId, files))}
            refused={refused}
            onRefusedSeen={() => setRefused([])}
          />
        </PostingGate>
      ) : null}
      <a class="call-chat-whole" href={`/chats/${chatId}`} target="_blank" rel="noopener">
        {t('calls.chat_whole')}
      </a>
    </section>
  );
}

/** One message as the chat writes it: who and when, when quiet hours let it out, the formatted text, its files. */
function PanelMessage({ m, myId, school }: { m: Message; myId: number; school: School | undefined }) {
  const own = m.sender.id === myId;
  return (
    <li class={`msg${own ? ' msg--own' : ''}${m.deleted ? ' msg--deleted' : ''}`} data-message-id={m.id} data-seq={m.seq}>
      <MessageMeta m={m} own={own} />
      <HeldNote m={m} timeZone={school?.time_zone} />
      {m.deleted ? <DeletedBody m={m} /> : m.poll ? <p class="msg-body">{t('chats.poll_prefix', { question: m.body })}</p> : <RichBody m={m} me={myId} />}
      {m.deleted ? null : <Attachments files={m.attachments} />}
    </li>
  );
}
