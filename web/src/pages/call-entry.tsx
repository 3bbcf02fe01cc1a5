// The chat's way into calls: «Позвонить» in the header when the reader may start one and
// none runs, and the banner «Идёт звонок · N участников · Присоединиться» while one does
// («Идёт собрание», «Онлайн-урок»); the meetings and broadcasts announced in the chat as
// a strip with «Войти», and «Запланировать» for whoever leads the chat's calls (its form
// is a chunk of its own, ./call-schedule). Which call runs comes from ../calls/live
// (asked when the chat opens, then its events).
import { signal } from '@preact/signals';
import { useEffect, useState } from 'preact/hooks';
import type { Chat } from '../api/types';
import { chatCalls, lessonCalls, loadChatCall, loadUpcoming, peopleCount, startCall, upcomingCalls } from '../calls/live';
import { dateTime } from '../format';
import { errorText } from '../components/ui';
import { t, tn } from '../i18n';
import { navigate } from '../router';

/** The chat whose «Запланировать» form is open. */
const scheduling = signal<number | null>(null);
type ScheduleForm = typeof import('./call-schedule').ScheduleForm;
let scheduleForm: ScheduleForm | null = null;

export function CallButton({ chat }: { chat: Chat }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const call = chatCalls.value[chat.id];
  const plan = chat.abilities.host_calls ? (
    <button
      type="button"
      class="btn btn--secondary btn--small conv-plan"
      aria-expanded={scheduling.value === chat.id}
      onClick={async () => {
        if (scheduling.value === chat.id) return void (scheduling.value = null);
        scheduleForm ??= (await import('./call-schedule')).ScheduleForm;
        scheduling.value = chat.id;
      }}
    >
      {t('calls.plan')}
    </button>
  ) : null;
  if (!chat.abilities.start_call || call !== null) return plan; // unknown yet, or one runs
  return (
    <>
      {plan}
      <button
        type="button"
        class="btn btn--secondary btn--small conv-call"
        disabled={busy}
        title={t('calls.start_hint')}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            const c = await startCall(chat.id);
            navigate(`/calls/${c.id}`);
          } catch (e) {
            setError(errorText(e));
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? t('calls.starting') : t('calls.start')}
      </button>
      {error ? (
        <p class="field-error conv-call-error" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}

export function CallBanner({ chat }: { chat: Chat }) {
  const call = chatCalls.value[chat.id];
  const id = chat.id;
  useEffect(() => {
    void loadChatCall(id);
  }, [id]);
  // The count is refreshed now and then while the banner shows (only those in the call hear of changes).
  const running = !!call;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void loadChatCall(id), 15_000);
    return () => clearInterval(timer);
  }, [id, running]);
  useEffect(() => {
    if (chat.abilities.join_call) void loadUpcoming(id);
  }, [id]);
  const lessons = lessonCalls.value[id] ?? [];
  const upcoming = upcomingCalls.value[id] ?? [];
  const Form = scheduling.value === id ? scheduleForm : null;
  return (
    <>
      {call ? <RunningBanner chat={chat} call={call} /> : null}
      {lessons.map((l) => (
        <div key={l.callId} class="call-banner call-banner--lesson" role="region" aria-label={t('calls.lesson_banner')} data-call-id={l.callId} data-lesson-id={l.lessonId}>
          <span class="call-banner-dot" aria-hidden="true" />
          <span>{t('calls.lesson_banner')}</span>
          <a class="btn btn--primary btn--small" href={`/calls/${l.callId}`}>
            {t('calls.lesson_join')}
          </a>
        </div>
      ))}
      {upcoming.length ? (
        <ul class="call-upcoming" aria-label={t('calls.upcoming')}>
          {upcoming.map((c) => (
            <li key={c.id} data-call-id={c.id} data-kind={c.kind}>
              <span title={`«${c.title}» · ${dateTime(c.scheduled_at)}`}>
                <strong>{t(c.kind === 'broadcast' ? 'calls.kind_broadcast' : 'calls.kind_meeting')}</strong> «{c.title}» · {dateTime(c.scheduled_at)}
                {c.waiting_room ? <span class="muted"> · {t('calls.with_waiting_room')}</span> : null}
              </span>
              <a class="btn btn--secondary btn--small" href={`/calls/${c.id}`}>
                {t('calls.enter')}
                <span class="visually-hidden"> — {c.title}</span>
              </a>
            </li>
          ))}
        </ul>
      ) : null}
      {Form ? <Form chatId={id} onDone={() => (scheduling.value = null)} /> : null}
    </>
  );
}

function RunningBanner({ chat, call }: { chat: Chat; call: NonNullable<(typeof chatCalls.value)[number]> }) {
  const n = peopleCount(call.participants);
  const what = call.title ? t(call.kind === 'broadcast' ? 'calls.banner_broadcast' : 'calls.banner_meeting', { title: call.title }) : t('calls.banner');
  return (
    <div class="call-banner" role="region" aria-label={what} data-call-id={call.id} data-kind={call.kind}>
      <span class="call-banner-dot" aria-hidden="true" />
      <span>
        {what} · {call.kind === 'broadcast' ? tn('calls.viewers', call.viewers) : tn('calls.banner_people', n)}
      </span>
      {chat.abilities.join_call ? (
        <a class="btn btn--primary btn--small" href={`/calls/${call.id}`}>
          {t('calls.join')}
        </a>
      ) : null}
    </div>
  );
}
