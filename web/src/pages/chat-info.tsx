// The chat's info panel, opened from the conversation header: its name and kind,
// renaming, one's own notifications from it («не беспокоить», only mentions), the members
// with their roles (mutes, moderators, channel authors, adding and removing), invite
// links, the read-only switch, and leaving the chat.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Chat, ChatMember, ChatRole, Member } from '../api/types';
import { addMembers, leaveChat, removeMember, renameChat, setChatRole, setSilence, type SilenceFor } from '../chat/actions';
import { nameMatches, sortMembers, standing, type Standing } from '../chat/manage';
import { isMuted, isSilenced } from '../chat/model';
import { silenceText } from '../chat/silence';
import { personBadges } from '../chat/person';
import { conversations, entries, loadMembers, members } from '../chat/store';
import { PeoplePicker } from '../components/people-picker';
import { chunk, ConfirmButton, errorText, Field, FormMessage, InlineError, Loading, Modal, Submit, useAction, useForm, useId } from '../components/ui';
import { fullName } from '../format';
import { t, tk, tn, type Key } from '../i18n';
import { navigate } from '../router';
import { me } from '../state';
import { ChatInviteLinks } from './chat-invite';
import { MuteControl, ReadOnlySwitch, untilText } from './chat-moderation';
import { PersonButton, RoleBadges } from './person';

/** «Импорт истории»: its own chunk, fetched when opened. */
const importChunk = chunk(() => import('./chat-import/chat-import'));

const BADGE: Record<Standing, string> = { owner: 'admin', moderator: 'teacher', author: 'ok', member: 'neutral' };

export function ChatInfoDialog({ chatId, timeZone, onClose }: { chatId: number; timeZone?: string; onClose: () => void }) {
  const entry = entries.value.get(chatId);
  useEffect(() => {
    void loadMembers(chatId);
  }, [chatId]);
  if (!entry) return null;
  const chat = entry.chat;
  const can = chat.abilities;
  const list = members.value[chatId];
  return (
    <Modal title={t('chatmgmt.info_title')} onClose={onClose} class="modal--chat-info">
      <section class="info-section" aria-labelledby={`ci-about-${chatId}`}>
        <h3 id={`ci-about-${chatId}`} class="info-chat-title">
          {chat.title}
        </h3>
        <p class="muted" data-chat-kind={chat.kind}>
          {tk('chat_kind', chat.kind)}
          {list ? ` · ${tn('chats.members', list.length)}` : ''}
        </p>
        {can.manage_members ? <RenameForm chat={chat} /> : null}
        {can.set_read_only ? (
          <div class="info-readonly">
            <p class="hint">{chat.read_only ? t('chatmgmt.readonly_on_hint') : t('chatmgmt.readonly_hint')}</p>
            <ReadOnlySwitch chat={chat} />
          </div>
        ) : null}
      </section>
      <SilenceSection chat={chat} timeZone={timeZone} />
      <MembersSection chat={chat} list={list} timeZone={timeZone} addable={can.manage_members} onLeave={onClose} />
      {can.manage_members ? <ChatInviteLinks chat={chat} timeZone={timeZone} /> : null}
      {can.import_history ? (
        <section class="info-section" aria-labelledby={`ci-import-${chatId}`}>
          <h3 id={`ci-import-${chatId}`}>{t('chatimport.open')}</h3>
          <p class="hint">{t('chatimport.open_hint')}</p>
          <button
            type="button"
            class="btn btn--secondary btn--small"
            data-action="chat-import"
            aria-haspopup="dialog"
            onClick={() => {
              onClose();
              void importChunk().then((m) => m.openChatImport(chat, timeZone));
            }}
          >
            {t('chatimport.open')}
          </button>
        </section>
      ) : null}
      {can.leave ? <LeaveSection chat={chat} onLeft={onClose} /> : null}
    </Modal>
  );
}

const SILENCE_FOR: { mute: SilenceFor; key: Key }[] = [
  { mute: '1h', key: 'silence.for.1h' },
  { mute: '8h', key: 'silence.for.8h' },
  { mute: 'tomorrow', key: 'silence.for.tomorrow' },
  { mute: 'forever', key: 'silence.for.forever' },
];

/** One's own notifications from the chat: «не беспокоить» for a while, or only mentions. Nobody else sees them. */
function SilenceSection({ chat, timeZone }: { chat: Chat; timeZone?: string }) {
  const { busy, error, run } = useAction();
  const box = useRef<HTMLElement>(null);
  const moveFocus = useRef(false);
  const quiet = isSilenced(chat);
  const id = `ci-silence-${chat.id}`;
  // Shown ticked at once; the answer (or another device's change) settles it.
  const [mentions, setMentions] = useState(chat.mentions_only);
  useEffect(() => setMentions(chat.mentions_only), [chat.mentions_only]);
  // The pressed button goes away: the focus moves to what takes its place, once enabled.
  useEffect(() => {
    if (!moveFocus.current || busy) return;
    moveFocus.current = false;
    box.current?.querySelector<HTMLButtonElement>('.silence-act')?.focus();
  }, [quiet, busy]);
  const set = (mute: SilenceFor) =>
    run(async () => {
      await setSilence(chat.id, { mute });
      moveFocus.current = true;
    });
  return (
    <section ref={box} class="info-section info-silence" aria-labelledby={id} data-silenced={quiet ? 'true' : 'false'}>
      <h3 id={id}>{t('silence.title')}</h3>
      {quiet && chat.silenced_until ? (
        <div class="silence-now">
          <p class="silence-until">{silenceText(chat.silenced_until, new Date(), timeZone)}</p>
          <button type="button" class="btn btn--secondary btn--small silence-act" disabled={busy} onClick={() => set('off')}>
            {t('silence.off')}
          </button>
        </div>
      ) : (
        <div class="silence-choices" role="group" aria-labelledby={`${id}-dnd`}>
          <span id={`${id}-dnd`} class="silence-label">
            {t('silence.dnd')}
          </span>
          {SILENCE_FOR.map((o) => (
            <button key={o.mute} type="button" class="btn btn--secondary btn--small silence-act" disabled={busy} onClick={() => set(o.mute)}>
              {t(o.key)}
            </button>
          ))}
        </div>
      )}
      <div class="field field--check">
        <input
          id={`${id}-mentions`}
          type="checkbox"
          checked={mentions}
          aria-describedby={`${id}-mentions-hint`}
          onChange={(e) => {
            const on = (e.currentTarget as HTMLInputElement).checked;
            setMentions(on);
            void run(async () => {
              try {
                await setSilence(chat.id, { mentions_only: on });
              } catch (err) {
                setMentions(!on);
                throw err;
              }
            });
          }}
        />
        <label for={`${id}-mentions`}>{t('silence.mentions')}</label>
        <p class="hint" id={`${id}-mentions-hint`}>
          {t('silence.mentions_hint')}
        </p>
      </div>
      <InlineError error={error} />
    </section>
  );
}

function RenameForm({ chat }: { chat: Chat }) {
  const form = useForm({ title: chat.title });
  const [done, setDone] = useState(false);
  return (
    <form
      class="form rename-form"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        setDone(false);
        const ok = await form.submit(async (v) => {
          await renameChat(chat.id, String(v.title).trim());
          return true;
        });
        if (ok) setDone(true);
      }}
    >
      <FormMessage form={form} />
      <Field form={form} name="title" label={t('chatmgmt.rename_label')} required maxLength={100} />
      <div class="actions">
        <Submit form={form} kind="secondary">
          {t('common.rename')}
        </Submit>
        <span class="hint" role="status">
          {done ? t('chatmgmt.renamed') : ''}
        </span>
      </div>
    </form>
  );
}

function MembersSection({ chat, list, timeZone, addable, onLeave }: { chat: Chat; list: ChatMember[] | undefined; timeZone?: string; addable: boolean; onLeave: () => void }) {
  const filterId = useId('member-filter');
  const [query, setQuery] = useState('');
  const conv = conversations.value[chat.id];
  const sorted = sortMembers(chat, list ?? []).filter((m) => nameMatches(m.person, query));
  const headId = `ci-members-${chat.id}`;
  return (
    <section class="info-section" aria-labelledby={headId}>
      <h3 id={headId}>{t('chats.members_title')}</h3>
      {chat.abilities.mute ? <p class="hint">{t('chats.members_mute_hint')}</p> : null}
      {(list?.length ?? 0) > 8 ? (
        <div class="field">
          <label for={filterId}>{t('chatmgmt.member_filter')}</label>
          <input id={filterId} type="search" value={query} autoComplete="off" onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)} />
        </div>
      ) : null}
      {!list ? <Loading /> : null}
      <ul class="list chat-members">
        {sorted.map((m) => (
          <MemberRow
            key={m.person.id}
            chat={chat}
            member={m}
            until={conv && m.person.id in conv.muted ? conv.muted[m.person.id] : m.muted_until}
            timeZone={timeZone}
            onLeave={onLeave}
          />
        ))}
      </ul>
      {addable ? <AddMembers chat={chat} list={list ?? []} /> : null}
    </section>
  );
}

function MemberRow({ chat, member, until, timeZone, onLeave }: { chat: Chat; member: ChatMember; until: string | null | undefined; timeZone?: string; onLeave: () => void }) {
  const { busy, error, run } = useAction();
  const myId = me.value?.id ?? 0;
  const can = member.actions;
  const s = standing(chat, member);
  const muted = isMuted(until);
  const name = fullName(member.person);
  const role = (r: ChatRole, key: Key) => (
    <button type="button" class="btn btn--secondary btn--small" disabled={busy} onClick={() => run(() => setChatRole(chat.id, member.person.id, r))}>
      {t(key)}
      <span class="visually-hidden">: {name}</span>
    </button>
  );
  const any = can.mute || can.remove || can.make_moderator || can.revoke_moderator || can.make_author || can.revoke_author;
  return (
    <li class="list-item chat-member" data-user-id={member.person.id} data-role={s} data-muted={muted ? 'true' : 'false'}>
      <div>
        {member.person.id === myId ? (
          <>
            <strong>{name}</strong>
            <span class="muted"> {t('chatmgmt.you')}</span>
          </>
        ) : (
          <PersonButton orgId={chat.org_id} person={member.person} onOpenChat={onLeave}>
            <strong>{name}</strong>
          </PersonButton>
        )}{' '}
        <RoleBadges badges={personBadges(member.school_roles, member.teacher_verified)} compact />
        {s !== 'member' ? <span class={`badge badge--${BADGE[s]}`}>{t(`chatmgmt.standing.${s}` as Key)}</span> : null}
        {muted && until ? <div class="muted chat-member-muted">{t('chats.muted_member', { until: untilText(until, timeZone) })}</div> : null}
      </div>
      {any ? (
        <div class="item-actions">
          {can.mute ? <MuteControl chatId={chat.id} member={member} until={until} /> : null}
          {can.make_moderator ? role('moderator', 'chatmgmt.make_moderator') : null}
          {can.revoke_moderator ? role('member', 'chatmgmt.revoke_moderator') : null}
          {can.make_author ? role('author', 'chatmgmt.make_author') : null}
          {can.revoke_author ? role('member', 'chatmgmt.revoke_author') : null}
          {can.remove ? (
            <ConfirmButton confirm={t('chatmgmt.remove_confirm', { name })} onConfirm={() => run(() => removeMember(chat.id, member.person.id))}>
              {t('chatmgmt.remove')}
              <span class="visually-hidden">: {name}</span>
            </ConfirmButton>
          ) : null}
        </div>
      ) : null}
      <InlineError error={error} />
    </li>
  );
}

function AddMembers({ chat, list }: { chat: Chat; list: ChatMember[] }) {
  const [chosen, setChosen] = useState<Member[]>([]);
  const form = useForm({});
  const [added, setAdded] = useState(0);
  return (
    <details class="add-members-box">
      <summary>{t('chatmgmt.add_members')}</summary>
      <form
        class="form add-members"
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          if (!chosen.length) return;
          const n = chosen.length;
          const ok = await form.submit(async () => {
            await addMembers(chat.id, chosen.map((m) => m.person.id));
            return true;
          });
          if (ok) {
            setChosen([]);
            setAdded(n);
          }
        }}
      >
        <FormMessage form={form} />
        <PeoplePicker orgId={chat.org_id} exclude={list.map((m) => m.person.id)} chosen={chosen} onChange={setChosen} label={t('chatmgmt.add_members_who')} />
        <div class="actions">
          <Submit form={form}>{t('chatmgmt.add')}</Submit>
          <span class="hint" role="status">
            {added ? tn('chatmgmt.added', added) : ''}
          </span>
        </div>
      </form>
    </details>
  );
}

function LeaveSection({ chat, onLeft }: { chat: Chat; onLeft: () => void }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <section class="info-section info-leave" aria-label={t('chatmgmt.leave')}>
      <ConfirmButton
        confirm={t('chatmgmt.leave_confirm')}
        onConfirm={async () => {
          try {
            await leaveChat(chat.id);
            onLeft();
            navigate('/chats');
          } catch (e) {
            setError(errorText(e));
          }
        }}
      >
        {t('chatmgmt.leave')}
      </ConfirmButton>
      <InlineError error={error} />
    </section>
  );
}
