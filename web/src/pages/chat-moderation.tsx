// Moderation in a conversation: reporting a message, a message's earlier versions,
// a member's mute, and the read-only switch (both shown in the chat's info panel).
import { useEffect, useState } from 'preact/hooks';
import type { Chat, ChatMember, Message, MessageVersion } from '../api/types';
import { errorText, ErrorBox, Loading, Modal, useId } from '../components/ui';
import { isMuted } from '../chat/model';
import { messageVersions, muteMember, reportMessage, setReadOnly } from '../chat/store';
import { dateTime, fullName, shortName, whenLater } from '../format';
import { t, tk, type Key } from '../i18n';

/** «14:30» today, «завтра в 14:30»-like dates otherwise: the end of a mute. */
export function untilText(iso: string, timeZone?: string): string {
  const w = whenLater(iso, new Date(), timeZone);
  return w.day === 'today' ? w.time : dateTime(iso, timeZone);
}

export const REPORT_REASONS = ['insult', 'spam', 'inappropriate', 'personal', 'other'] as const;

export function ReportDialog({ m, onClose }: { m: Message; onClose: () => void }) {
  const name = useId('report-reason');
  const detailsId = useId('report-details');
  const [reason, setReason] = useState<(typeof REPORT_REASONS)[number] | ''>('');
  const [details, setDetails] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const submit = async () => {
    const extra = details.trim();
    if (!reason || (reason === 'other' && !extra)) {
      setError(reason ? t('chats.report_need_details') : t('chats.report_need_reason'));
      return;
    }
    // Sent in the school's language: the reason is read by the school's moderators.
    const text = reason === 'other' ? extra : `${tk('report_reason', reason)}${extra ? `: ${extra}` : ''}`;
    setBusy(true);
    try {
      await reportMessage(m.chat_id, m.id, text.slice(0, 1000));
      setDone(true);
      setError(null);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={t('chats.report_title')} onClose={onClose} class="modal--report">
      <blockquote class="quote">
        <span class="quote-who">{shortName(m.sender)}</span>
        <span class="quote-text">{m.body || (m.attachments[0]?.name ?? '')}</span>
      </blockquote>
      {done ? (
        <>
          <p class="alert alert--ok" role="status">
            {t('chats.report_sent')}
          </p>
          <div class="actions">
            <button type="button" class="btn btn--primary" onClick={onClose}>
              {t('common.close')}
            </button>
          </div>
        </>
      ) : (
        <form
          class="form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <p class="hint">{t('chats.report_lead')}</p>
          <fieldset>
            <legend>{t('chats.report_reason')}</legend>
            {REPORT_REASONS.map((r) => (
              <div class="field field--check" key={r}>
                <input id={`${name}-${r}`} type="radio" name={name} value={r} checked={reason === r} onChange={() => setReason(r)} />
                <label for={`${name}-${r}`}>{t(`report_reason.${r}` as Key)}</label>
              </div>
            ))}
          </fieldset>
          <div class="field">
            <label for={detailsId}>{t('chats.report_details')}</label>
            <textarea
              id={detailsId}
              rows={3}
              maxLength={900}
              value={details}
              aria-describedby={`${detailsId}-hint`}
              onInput={(e) => setDetails((e.currentTarget as HTMLTextAreaElement).value)}
            />
            <p class="hint" id={`${detailsId}-hint`}>
              {t('chats.report_details_hint')}
            </p>
          </div>
          {error ? (
            <p class="alert alert--error" role="alert">
              {error}
            </p>
          ) : null}
          <div class="actions">
            <button type="submit" class="btn btn--primary" disabled={busy}>
              {t('chats.report_submit')}
            </button>
            <button type="button" class="btn btn--secondary" onClick={onClose}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}

export function VersionsDialog({ m, timeZone, onClose }: { m: Message; timeZone?: string; onClose: () => void }) {
  const [list, setList] = useState<MessageVersion[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    messageVersions(m.chat_id, m.id).then(setList, setError);
  }, [m.id]);
  return (
    <Modal title={t('chats.versions_title')} onClose={onClose}>
      {error ? <ErrorBox error={error} /> : null}
      {!list && !error ? <Loading /> : null}
      {list ? (
        <ol class="versions">
          {list.map((v, i) => (
            <li key={i} class="version">
              <p class="msg-meta">{t('chats.version_written', { at: dateTime(v.written_at, timeZone) })}</p>
              <p class="msg-body">{v.body}</p>
            </li>
          ))}
          <li class="version version--now">
            <p class="msg-meta">{t('chats.version_now', { at: dateTime(m.edited_at ?? m.created_at, timeZone) })}</p>
            <p class="msg-body">{m.body}</p>
          </li>
        </ol>
      ) : null}
      {list && !list.length ? <p class="muted">{t('chats.versions_none')}</p> : null}
    </Modal>
  );
}

export const MUTE_MINUTES = [15, 60, 180, 1440, 10080] as const;

/** A moderator's mute for one member: «for how long» and a button, or lifting it. */
export function MuteControl({ chatId, member, until }: { chatId: number; member: ChatMember; until: string | null | undefined }) {
  const id = useId('mute');
  const [minutes, setMinutes] = useState<number>(60);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const muted = isMuted(until);
  const act = async (n: number) => {
    setBusy(true);
    try {
      await muteMember(chatId, member.person.id, n);
      setError(null);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const name = fullName(member.person);
  return (
    <>
      {muted ? (
        <button type="button" class="btn btn--secondary btn--small" disabled={busy} onClick={() => act(0)}>
          {t('chats.unmute')}
          <span class="visually-hidden">: {name}</span>
        </button>
      ) : (
        <form
          class="mute-form"
          onSubmit={(e) => {
            e.preventDefault();
            void act(minutes);
          }}
        >
          <label for={id} class="visually-hidden">
            {t('chats.mute_for', { name })}
          </label>
          <select id={id} value={String(minutes)} onChange={(e) => setMinutes(Number((e.currentTarget as HTMLSelectElement).value))}>
            {MUTE_MINUTES.map((n) => (
              <option key={n} value={String(n)}>
                {t(`chats.mute_minutes.${n}` as Key)}
              </option>
            ))}
          </select>
          <button type="submit" class="btn btn--danger btn--small" disabled={busy}>
            {t('chats.mute')}
            <span class="visually-hidden">: {name}</span>
          </button>
        </form>
      )}
      {error ? (
        <p class="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}

/** The moderators' switch between «only moderators write» and «everyone writes». */
export function ReadOnlySwitch({ chat }: { chat: Chat }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!chat.abilities.set_read_only) return null;
  return (
    <>
      <button
        type="button"
        class="btn btn--secondary btn--small"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            await setReadOnly(chat.id, !chat.read_only);
            setError(null);
          } catch (e) {
            setError(errorText(e));
          } finally {
            setBusy(false);
          }
        }}
      >
        {chat.read_only ? t('chats.lift_readonly') : t('chats.make_readonly')}
      </button>
      {error ? (
        <p class="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}

