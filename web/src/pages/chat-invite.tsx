// Chat invite links: the moderators' list in the info panel (make, copy, QR, revoke),
// and the page a link opens (/chat-invite/:token), with a distinct page for each way
// a link can fail, as for school invites.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { Chat } from '../api/types';
import { chatInvites, createChatInvite, joinByChatInvite, previewChatInvite, revokeChatInvite, type ChatInvite } from '../chat/actions';
import { chatInvitePath, deadChatLink, inviteState, type DeadChatLink } from '../chat/manage';
import { refreshChats } from '../chat/store';
import { Badge, ConfirmButton, CopyField, ErrorBox, InlineError, Loading, Notice, PageTitle, QrCode, useLoad } from '../components/ui';
import { dateTime, fullName } from '../format';
import { t, tn, type Key } from '../i18n';
import { navigate } from '../router';
import { me } from '../state';

export function ChatInviteLinks({ chat, timeZone }: { chat: Chat; timeZone?: string }) {
  const list = useLoad(() => chatInvites(chat.id), [chat.id]);
  const [created, setCreated] = useState<ChatInvite | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const headId = `ci-links-${chat.id}`;
  const create = async () => {
    setBusy(true);
    try {
      setCreated(await createChatInvite(chat.id));
      setError(null);
      list.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const link = created?.token ? location.origin + chatInvitePath(created.token) : null;
  return (
    <section class="info-section chat-links" aria-labelledby={headId}>
      <h3 id={headId}>{t('chatmgmt.links')}</h3>
      <p class="hint">{t('chatmgmt.links_hint')}</p>
      <button type="button" class="btn btn--secondary" disabled={busy} onClick={create}>
        {t('chatmgmt.link_create')}
      </button>
      {error ? <ErrorBox error={error} /> : null}
      {created && link ? (
        <div class="created-chat-link" data-link-id={created.id}>
          <Notice kind="info">{t('chatmgmt.link_once')}</Notice>
          <CopyField value={link} label={t('chatmgmt.link')} />
          <QrCode text={link} label={t('chatmgmt.link_qr', { title: chat.title })} />
        </div>
      ) : null}
      {list.error ? <ErrorBox error={list.error} onRetry={list.reload} /> : null}
      {list.loading && !list.data ? <Loading /> : null}
      {list.data && !list.data.length ? <p class="muted">{t('chatmgmt.links_none')}</p> : null}
      {list.data?.length ? (
        <ul class="list">
          {list.data.map((i) => (
            <LinkRow key={i.id} chat={chat} invite={i} timeZone={timeZone} onChange={list.reload} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function LinkRow({ chat, invite, timeZone, onChange }: { chat: Chat; invite: ChatInvite; timeZone?: string; onChange: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const state = inviteState(invite);
  return (
    <li class="list-item chat-link-row" data-link-id={invite.id} data-status={state}>
      <div>
        <strong>{t('chatmgmt.link_from', { at: dateTime(invite.created_at, timeZone) })}</strong>{' '}
        <Badge kind={state === 'active' ? 'ok' : 'neutral'}>{t(`chatmgmt.link_state.${state}` as Key)}</Badge>
        <div class="muted">
          {fullName(invite.created_by)} · {invite.uses ? tn('chatmgmt.link_uses', invite.uses) : t('chatmgmt.link_unused')}
        </div>
      </div>
      {state === 'active' ? (
        <div class="item-actions">
          <ConfirmButton
            confirm={t('chatmgmt.link_revoke_confirm')}
            onConfirm={async () => {
              try {
                await revokeChatInvite(chat.id, invite.id);
                setError(null);
                onChange();
              } catch (e) {
                setError(e instanceof Error ? e.message : String(e));
              }
            }}
          >
            {t('chatmgmt.link_revoke')}
          </ConfirmButton>
        </div>
      ) : null}
      <InlineError error={error} />
    </li>
  );
}

const DEAD: Record<DeadChatLink, { title: Key; text: Key }> = {
  not_found: { title: 'chatmgmt.dead.not_found.title', text: 'chatmgmt.dead.not_found.text' },
  revoked: { title: 'chatmgmt.dead.revoked.title', text: 'chatmgmt.dead.revoked.text' },
  needs_teacher: { title: 'chatmgmt.dead.needs_teacher.title', text: 'chatmgmt.dead.needs_teacher.text' },
};

function DeadChatLinkPage({ kind }: { kind: DeadChatLink }) {
  const info = DEAD[kind];
  return (
    <div class="narrow" data-chat-invite-state={kind}>
      <PageTitle>{t(info.title)}</PageTitle>
      <div class="card">
        <p>{t(info.text)}</p>
        <p>
          <a href="/chats">{t('chatmgmt.to_chats')}</a>
        </p>
      </div>
    </div>
  );
}

function deadOf(e: unknown): DeadChatLink | null {
  return e instanceof ApiError ? deadChatLink(e.status, e.code) : null;
}

/** Opens a chat just joined (or already one's own) once the list holds it. */
async function openChat(chatId: number): Promise<void> {
  await refreshChats();
  navigate(`/chats/${chatId}`, true);
}

export function ChatInvitePage({ token }: { token: string }) {
  const preview = useLoad(() => previewChatInvite(token), [token]);
  const [dead, setDead] = useState<DeadChatLink | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const p = preview.data;
  useEffect(() => {
    if (p?.already_member) void openChat(p.chat_id);
  }, [p?.already_member, p?.chat_id]);

  const failed = dead ?? deadOf(preview.error);
  if (failed) return <DeadChatLinkPage kind={failed} />;
  if (preview.loading) return <Loading />;
  if (preview.error || !p) return <ErrorBox error={preview.error} onRetry={preview.reload} />;
  if (p.already_member) return <Loading />;
  const school = me.value?.schools.find((s) => s.org_id === p.org_id);

  const join = async () => {
    setBusy(true);
    try {
      const chat = await joinByChatInvite(token);
      await openChat(chat.id);
    } catch (e) {
      const d = deadOf(e);
      if (d) setDead(d);
      else setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="narrow chat-invite" data-chat-id={p.chat_id}>
      <PageTitle>{t('chatmgmt.invite_title')}</PageTitle>
      <div class="card">
        <dl class="facts">
          <dt>{t('chatmgmt.invite_chat')}</dt>
          <dd class="chat-invite-title">{p.title}</dd>
          {school ? (
            <>
              <dt>{t('join.school')}</dt>
              <dd>{school.name}</dd>
            </>
          ) : null}
          <dt>{t('chatmgmt.invite_members')}</dt>
          <dd>{tn('chats.members', p.members)}</dd>
        </dl>
        {me.value ? <p>{t('join.as_user', { name: fullName(me.value) })}</p> : null}
        {error ? <ErrorBox error={error} /> : null}
        <div class="actions">
          <button type="button" class="btn btn--primary" disabled={busy} aria-busy={busy || undefined} onClick={join}>
            {t('chatmgmt.join')}
          </button>
          <a class="btn btn--secondary" href="/chats">
            {t('chatmgmt.not_now')}
          </a>
        </div>
      </div>
    </div>
  );
}

