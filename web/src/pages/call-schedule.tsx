// «Запланировать»: a meeting or a broadcast announced in a chat — what it is, its title,
// the day and time it begins, and whether those who come wait to be let in. Loaded when
// the button is pressed (the chat screen is part of the app's shell).
import { useState } from 'preact/hooks';
import type { CallKind } from '../api/types';
import { ApiError } from '../api/client';
import { errorText, Modal, useId } from '../components/ui';
import { loadUpcoming } from '../calls/live';
import { t } from './call/call.strings';
import { api } from '../state';

/** `YYYY-MM-DDTHH:MM` of a moment in the browser's time zone (for <input type=datetime-local>). */
export function localInput(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** The next whole hour from now, a sensible default for a meeting. */
function nextHour(): Date {
  const d = new Date(Date.now() + 60 * 60_000);
  d.setMinutes(0, 0, 0);
  return d;
}

export function ScheduleForm({ chatId, onDone }: { chatId: number; onDone: () => void }) {
  const id = useId('plan');
  const [kind, setKind] = useState<Extract<CallKind, 'meeting' | 'broadcast'>>('meeting');
  const [title, setTitle] = useState('');
  const [when, setWhen] = useState(() => localInput(nextHour()));
  const [waitingRoom, setWaitingRoom] = useState(false);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!title.trim()) local.title = t('calls.plan_title_needed');
    const at = new Date(when);
    if (!when || Number.isNaN(at.getTime())) local.starts_at = t('calls.plan_when_needed');
    setErrors(local);
    setMessage(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      await api.post('/api/v1/chats/{chat_id}/meetings', { chat_id: chatId }, { kind, title: title.trim(), starts_at: at.toISOString(), waiting_room: waitingRoom });
      await loadUpcoming(chatId);
      onDone();
    } catch (err) {
      if (err instanceof ApiError && Object.keys(err.fields).length) setErrors(err.fields);
      else setMessage(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const err = (name: string) =>
    errors[name] ? (
      <p class="field-error" id={`${id}-${name}-error`}>
        {errors[name]}
      </p>
    ) : null;
  const described = (name: string) => (errors[name] ? `${id}-${name}-error` : undefined);
  return (
    <Modal title={t('calls.plan_heading')} onClose={onDone} class="modal--plan">
      <form class="form call-plan" noValidate onSubmit={(e) => void submit(e)}>
        <fieldset class="choice call-plan-kind">
          <legend>{t('calls.plan_kind')}</legend>
          <div class="choice-options">
            {(['meeting', 'broadcast'] as const).map((k) => (
              <label key={k} class="choice-option">
                <input type="radio" name={`${id}-kind`} value={k} checked={kind === k} onChange={() => setKind(k)} />
                <span>{t(k === 'meeting' ? 'calls.plan_meeting' : 'calls.plan_broadcast')}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <div class="field">
          <label for={`${id}-name`}>{t('calls.plan_name')}</label>
          <input
            id={`${id}-name`}
            value={title}
            maxLength={200}
            aria-invalid={errors.title ? true : undefined}
            aria-describedby={described('title')}
            onInput={(e) => setTitle((e.currentTarget as HTMLInputElement).value)}
          />
          {err('title')}
        </div>
        <div class="field">
          <label for={`${id}-when`}>{t('calls.plan_when')}</label>
          <input
            id={`${id}-when`}
            type="datetime-local"
            value={when}
            aria-invalid={errors.starts_at ? true : undefined}
            aria-describedby={described('starts_at')}
            onInput={(e) => setWhen((e.currentTarget as HTMLInputElement).value)}
          />
          {err('starts_at')}
        </div>
        <div class="field field--check">
          <input id={`${id}-wait`} type="checkbox" checked={waitingRoom} aria-describedby={`${id}-wait-hint`} onChange={(e) => setWaitingRoom((e.currentTarget as HTMLInputElement).checked)} />
          <label for={`${id}-wait`}>{t('calls.plan_waiting_room')}</label>
        </div>
        <p class="hint" id={`${id}-wait-hint`}>
          {t('calls.plan_waiting_hint')}
        </p>
        {message ? (
          <p class="alert alert--error" role="alert">
            {message}
          </p>
        ) : null}
        <div class="call-plan-actions">
          <button type="submit" class="btn btn--primary" disabled={busy} aria-busy={busy || undefined}>
            {t('calls.plan_submit')}
          </button>
          <button type="button" class="btn btn--secondary" onClick={onDone}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
