// The chats page (/chats, /chats/:id): the list beside the open conversation (one at a
// time on a phone), search, «Новый чат» and the connection's state.
import { PageTitle } from '../components/ui';
import { connState } from '../chat/store';
import { t } from '../i18n';
import { currentSchool } from '../state';
import { ChatList } from './chat-list';
import { ConversationView } from './chat-conversation';
import { NewChatButton } from './chat-new';
import { PushOffer } from './push-offer';
import { SearchEntry } from './chat-search';

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
          <PushOffer />
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
