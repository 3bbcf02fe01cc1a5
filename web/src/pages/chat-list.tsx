// The list of one's chats in the chosen school: title, time and preview of the last
// message (or «Черновик: …» where one is being written), unread counts, a quieted chat's bell.
import type { Message } from '../api/types';
import { ErrorBox, Loading } from '../components/ui';
import { isSilenced } from '../chat/model';
import { plainText } from '../chat/rich';
import { drafts } from '../chat/drafts';
import { allChats, chatsError, chatsState, refreshChats } from '../chat/store';
import { shortName } from '../format';
import { t, tn } from '../i18n';
import { currentSchool, me } from '../state';
import { timeOf } from './chat-text';

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

/** A crossed-out bell beside a quieted chat's title (drawn here: the list is in the shell). */
function BellOffIcon() {
  return (
    <svg class="icon" width={15} height={15} viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width={2} stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
      <path d="M6 16v-5a6 6 0 0 1 12 0v5l2 2H4zM10 21h4M3 3l18 18" />
    </svg>
  );
}

export function ChatList({ current }: { current: number | null }) {
  const school = currentSchool.value;
  const draft = drafts.value;
  const list = allChats.value.filter((c) => !school || c.org_id === school.org_id);
  if (chatsState.value === 'error' && !list.length) return <ErrorBox error={chatsError.value} onRetry={() => void refreshChats()} />;
  if (chatsState.value !== 'ready' && !list.length) return <Loading />;
  if (!list.length) return <p class="muted">{t('chats.none')}</p>;
  return (
    <nav aria-label={t('chats.list')}>
      <ul class="chat-list">
        {list.map((c) => {
          // Compared with now at each render: a quiet that has ended shows as none.
          const quiet = isSilenced(c);
          return (
            <li key={c.id}>
              <a class="chat-link" href={`/chats/${c.id}`} aria-current={current === c.id ? 'page' : undefined} data-chat-id={c.id} data-silenced={quiet ? 'true' : undefined}>
                <span class="chat-link-top">
                  <span class="chat-title">{c.title}</span>
                  {quiet ? (
                    <span class="chat-silenced">
                      <BellOffIcon />
                      <span class="visually-hidden">{t('silence.badge')}</span>
                    </span>
                  ) : null}
                  {c.archived ? <span class="badge badge--neutral chat-archived">{t('chats.archived_badge')}</span> : null}
                  {c.last_message ? <span class="chat-time">{timeOf(c.last_message.created_at)}</span> : null}
                </span>
                <span class="chat-link-bottom">
                  {draft[c.id] && current !== c.id ? (
                    <span class="chat-preview chat-draft">
                      <span class="chat-draft-label">{t('chats.draft')}:</span> {draft[c.id]!.replace(/\s+/g, ' ')}
                    </span>
                  ) : (
                    <span class="chat-preview">{preview(c.last_message)}</span>
                  )}
                  {c.unread > 0 ? (
                    <span class={`unread${quiet ? ' unread--quiet' : ''}`} data-unread={c.unread}>
                      <span aria-hidden="true">{c.unread}</span>
                      <span class="visually-hidden">{tn('chats.unread', c.unread)}</span>
                    </span>
                  ) : null}
                </span>
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
