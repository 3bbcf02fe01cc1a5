// The notification centre the header's bell opens: the posts awaiting one's confirmation
// on top, then one's notifications, newest first, older pages on «Показать ещё». Opening
// one marks it read and goes where it points: the chat at the message, the join requests,
// the reports queue, the diary at the lesson's date. Its own chunk with its own strings.
import { useEffect, useState } from 'preact/hooks';
import type { AwaitingAck, Notification } from '../../api/types';
import { ErrorBox, Loading, PageTitle } from '../../components/ui';
import { lang } from '../../i18n';
import { adoptPage, bellUnread, markedRead, onNotificationEvent } from '../../notifications/bell';
import { t, tn } from '../../notifications/notifications.strings';
import { targetOf, type Target } from '../../notifications/targets';
import { describe, personName } from '../../notifications/wording';
import { navigate } from '../../router';
import { api, chooseSchool, currentSchool, me } from '../../state';
import { timeOf } from '../chat-text';
import { PushSettings } from './push-settings';
import './notifications.css';

const PAGE = 30;

function markRead(ids: number[]): void {
  markedRead(ids);
  void api.post('/api/v1/notifications/read', undefined, { ids }).catch(() => {
    /* best effort: it stays unread on the server and shows so next time */
  });
}

export function NotificationsPage() {
  const [items, setItems] = useState<Notification[]>([]);
  const [awaiting, setAwaiting] = useState<AwaitingAck[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<unknown>(null);
  const [more, setMore] = useState(false);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  void lang.value;

  useEffect(() => {
    let live = true;
    setState('loading');
    api.get('/api/v1/notifications', { limit: PAGE }).then(
      (page) => {
        if (!live) return;
        setItems(page.items);
        setAwaiting(page.awaiting_ack);
        setNext(page.next_before ?? null);
        adoptPage(page);
        setState('ready');
      },
      (e: unknown) => {
        if (!live) return;
        setError(e);
        setState('error');
      },
    );
    const stop = onNotificationEvent((e) => {
      if (e.type === 'notification_added') setItems((xs) => (xs.some((x) => x.id === e.notification.id) ? xs : [e.notification, ...xs]));
      else {
        const ids = new Set(e.ids);
        const upTo = e.up_to ?? null;
        setItems((xs) => xs.map((x) => (!x.read && (ids.has(x.id) || (upTo !== null && x.id <= upTo)) ? { ...x, read: true } : x)));
      }
    });
    return () => {
      live = false;
      stop();
    };
  }, [tick]);

  const loadMore = async () => {
    if (next === null) return;
    setMore(true);
    try {
      const page = await api.get('/api/v1/notifications', { before: next, limit: PAGE });
      setItems((xs) => [...xs, ...page.items.filter((n) => !xs.some((x) => x.id === n.id))]);
      setNext(page.next_before ?? null);
    } catch (e) {
      setError(e);
    } finally {
      setMore(false);
    }
  };

  const markAll = async () => {
    setBusy(true);
    try {
      await api.post('/api/v1/notifications/read', undefined, { all: true });
      markedRead('all');
      setItems((xs) => xs.map((x) => (x.read ? x : { ...x, read: true })));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const open = (n: Notification, to: Target | null) => {
    if (!n.read) {
      markRead([n.id]);
      setItems((xs) => xs.map((x) => (x.id === n.id ? { ...x, read: true } : x)));
    }
    if (!to) return;
    if (to.org !== null && currentSchool.value?.org_id !== to.org) chooseSchool(to.org);
    navigate(to.href);
  };

  const unread = bellUnread.value;
  const m = me.value;
  return (
    <div class="notifications-page">
      <PageTitle>{t('nt.title')}</PageTitle>
      {state === 'loading' ? <Loading /> : null}
      {state === 'error' && !items.length ? <ErrorBox error={error} onRetry={() => setTick((x) => x + 1)} /> : null}
      {state === 'ready' && awaiting.length ? (
        <section class="card nt-awaiting" aria-labelledby="nt-awaiting-h">
          <h2 id="nt-awaiting-h">{t('nt.awaiting')}</h2>
          <p class="muted">{t('nt.awaiting_lead', { button: t('chats.ack_button') })}</p>
          <ul class="nt-list">
            {awaiting.map((a) => (
              <li key={a.message_id} class="nt-item nt-item--ack" data-message-id={a.message_id}>
                <a class="nt-link" href={`/chats/${a.chat_id}?m=${a.message_id}`}>
                  <span class="nt-title">{t('nt.awaiting_in', { chat: a.chat_title, who: personName(a.sender) })}</span>
                  {a.preview ? <span class="nt-line">{a.preview}</span> : null}
                  <time class="nt-time" dateTime={a.created_at}>
                    {timeOf(a.created_at)}
                  </time>
                </a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {state === 'ready' ? (
        <section class="card nt-all" aria-labelledby="nt-all-h">
          <div class="nt-head">
            <h2 id="nt-all-h">{t('nt.list')}</h2>
            <p class="nt-count" role="status" data-unread={unread}>
              {unread ? tn('nt.unread_count', unread) : items.length ? t('nt.all_read') : ''}
            </p>
            {items.some((x) => !x.read) || unread ? (
              <button type="button" class="btn btn--secondary" disabled={busy} onClick={() => void markAll()}>
                {t('nt.mark_all')}
              </button>
            ) : null}
          </div>
          {state === 'ready' && error && items.length ? <ErrorBox error={error} /> : null}
          {items.length ? (
            <ul class="nt-list">
              {items.map((n) => {
                const w = describe(n, lang.value);
                const to = targetOf(n, m);
                const body = (
                  <>
                    {n.read ? null : <span class="visually-hidden">{t('nt.unread_sr')}</span>}
                    <span class="nt-title">{w.title}</span>
                    {w.line ? <span class="nt-line">{w.line}</span> : null}
                    <time class="nt-time" dateTime={n.created_at}>
                      {timeOf(n.created_at)}
                    </time>
                  </>
                );
                return (
                  <li key={n.id} class={`nt-item${n.read ? '' : ' nt-item--unread'}`} data-notification-id={n.id} data-kind={n.kind} data-message-id={n.message_id ?? undefined} data-read={String(n.read)}>
                    {n.kind === 'login' ? (
                      <div class="nt-link">{body}</div>
                    ) : to ? (
                      <a
                        class="nt-link"
                        href={to.href}
                        onClick={(e) => {
                          if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
                          e.preventDefault();
                          open(n, to);
                        }}
                      >
                        {body}
                      </a>
                    ) : (
                      <button type="button" class="nt-link" disabled={n.read} onClick={() => open(n, null)}>
                        {body}
                      </button>
                    )}
                    {n.read ? null : (
                      <span class="nt-dot" aria-hidden="true" title={t('nt.new')} />
                    )}
                    {n.kind === 'login' ? <LoginAnswer n={n} onMine={() => open(n, null)} /> : null}
                  </li>
                );
              })}
            </ul>
          ) : (
            <p class="muted">{t('nt.none')}</p>
          )}
          {next !== null ? (
            <button type="button" class="btn btn--secondary nt-more" disabled={more} onClick={() => void loadMore()}>
              {t('nt.more')}
            </button>
          ) : null}
        </section>
      ) : null}
      <PushSettings />
    </div>
  );
}

/** A sign-in from a new device: «this was me» marks it read; «this was not me» ends that
 * session (the server's `DELETE /me/sessions/{id}`) and leads to changing the password. */
function LoginAnswer({ n, onMine }: { n: Notification; onMine: () => void }) {
  const [ended, setEnded] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const session = n.details.session_id;
  if (ended)
    return (
      <p class="nt-answer" role="status">
        {t('nt.login_ended')} <a href="/profile">{t('nt.to_profile')}</a>
      </p>
    );
  if (n.read || !session) return null;
  const notMine = async () => {
    setBusy(true);
    try {
      await api.del('/api/v1/me/sessions/{session_id}', { session_id: session });
      setEnded(true);
      onMine();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="nt-answer">
      <button type="button" class="btn btn--secondary" disabled={busy} onClick={onMine}>
        {t('nt.login_mine')}
      </button>
      <button type="button" class="btn btn--danger" disabled={busy} onClick={() => void notMine()}>
        {t('nt.login_not_mine')}
      </button>
      {error ? <ErrorBox error={error} /> : null}
    </div>
  );
}
