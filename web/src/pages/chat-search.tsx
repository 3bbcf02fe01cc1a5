// Message search (`/search?q=`): hits across one's chats with the matched words marked,
// paged back in time; a hit opens its chat at the message (`/chats/:id?m=`).
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { components } from '../api/schema';
import { ErrorBox, Loading, PageTitle, useId } from '../components/ui';
import type { Conversation } from '../chat/model';
import { plainText } from '../chat/rich';
import { snippet, type Segment } from '../chat/search';
import { conversations, loadOlder } from '../chat/store';
import { dateTime, shortName } from '../format';
import { t, tn } from '../i18n';
import { currentPath, navigate, queryParam } from '../router';
import { api, currentSchool } from '../state';
import { problemText } from './chat-forward';

type SearchHit = components['schemas']['SearchHit'];
const PAGE = 20;

const queryOf = (path: string) => queryParam(path.split('?')[1] ?? '', 'q') ?? '';

/** The search box in the chats header: goes to the search page. */
export function SearchEntry() {
  const id = useId('chat-search');
  const [q, setQ] = useState('');
  return (
    <form
      class="chat-search-entry"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        navigate(q.trim() ? `/search?q=${encodeURIComponent(q.trim())}` : '/search');
      }}
    >
      <label for={id} class="visually-hidden">
        {t('search.title')}
      </label>
      <input id={id} type="search" value={q} placeholder={t('search.open')} maxLength={200} onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)} />
      <button type="submit" class="btn btn--secondary btn--small">
        {t('search.submit')}
      </button>
    </form>
  );
}

export function Marked({ parts }: { parts: Segment[] }) {
  return <>{parts.map((s, i) => (s.hit ? <mark key={i}>{s.text}</mark> : s.text))}</>;
}

function HitItem({ hit, q }: { hit: SearchHit; q: string }) {
  const m = hit.message;
  const text = m.poll ? m.body : plainText(m.rich, m.body) || m.attachments.map((f) => f.name).join(', ');
  return (
    <li class="search-hit" data-message-id={m.id} data-chat-id={hit.chat_id}>
      <a href={`/chats/${hit.chat_id}?m=${m.id}`} class="search-hit-link">
        <span class="search-hit-top">
          <span class="search-hit-chat">{hit.chat_title}</span>
          <time dateTime={m.created_at}>{dateTime(m.created_at)}</time>
        </span>
        <span class="search-hit-sender">{shortName(m.sender)}</span>
        <span class="search-hit-text">
          <Marked parts={snippet(text, q)} />
        </span>
      </a>
    </li>
  );
}

export function SearchPage() {
  const q = queryOf(currentPath.value);
  const id = useId('search-q');
  const [draft, setDraft] = useState(q);
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [state, setState] = useState<'idle' | 'loading' | 'ready' | 'error'>('idle');
  const [error, setError] = useState<unknown>(null);
  const orgId = currentSchool.value?.org_id;
  const run = useRef(0);

  const fetchPage = async (before?: number) => {
    const mine = ++run.current;
    setState('loading');
    try {
      const r = await api.get('/api/v1/search', { q, org_id: orgId, before, limit: PAGE });
      if (mine !== run.current) return;
      setHits((h) => (before ? [...h, ...r.hits] : r.hits));
      setHasMore(r.has_more);
      setState('ready');
      setError(null);
    } catch (e) {
      if (mine !== run.current) return;
      setError(new Error(problemText(e)));
      setState('error');
    }
  };

  useEffect(() => {
    setDraft(q);
    setHits([]);
    setHasMore(false);
    if (q.trim()) void fetchPage();
    else {
      run.current++;
      setState('idle');
    }
  }, [q, orgId]);

  return (
    <div class="search-page">
      <a class="back-link" href="/chats">
        ← {t('chats.back')}
      </a>
      <PageTitle>{t('search.title')}</PageTitle>
      <form
        class="search-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const next = draft.trim();
          if (next === q) void fetchPage();
          else navigate(`/search?q=${encodeURIComponent(next)}`);
        }}
      >
        <div class="field">
          <label for={id}>{t('search.label')}</label>
          <div class="search-row">
            <input id={id} type="search" value={draft} maxLength={200} aria-describedby={`${id}-hint`} onInput={(e) => setDraft((e.currentTarget as HTMLInputElement).value)} />
            <button type="submit" class="btn btn--primary">
              {t('search.submit')}
            </button>
          </div>
          <p class="hint" id={`${id}-hint`}>
            {t('search.hint')}
          </p>
        </div>
      </form>
      <p class="search-count" role="status" data-hits={hits.length}>
        {state === 'ready' && hits.length ? `${tn('search.count', hits.length)}${hasMore ? ` (${t('search.count_more')})` : ''}` : ''}
      </p>
      {state === 'error' ? <ErrorBox error={error} onRetry={() => void fetchPage(hits.length ? hits[hits.length - 1]!.message.id : undefined)} /> : null}
      {state === 'ready' && !hits.length ? <p class="muted search-none">{t('search.none')}</p> : null}
      {hits.length ? (
        <ol class="plain search-hits" aria-label={t('search.results')}>
          {hits.map((h) => (
            <HitItem key={h.message.id} hit={h} q={q} />
          ))}
        </ol>
      ) : null}
      {state === 'loading' ? <Loading /> : null}
      {hasMore && state === 'ready' ? (
        <button type="button" class="btn btn--secondary search-more" onClick={() => void fetchPage(hits[hits.length - 1]!.message.id)}>
          {t('search.more')}
        </button>
      ) : null}
    </div>
  );
}

/**
 * Brings a message into view: pages back until it is loaded (at most 20 pages), scrolls
 * it into the middle and marks it for a moment. False when it could not be found.
 */
export async function jumpToMessage(chatId: number, target: number, log: HTMLElement | null, alive: () => boolean = () => true): Promise<boolean> {
  for (let page = 0; page < 20 && alive(); page++) {
    const c = conversations.value[chatId];
    if (!c || c.messages.some((m) => m.id === target) || !c.hasMore) break;
    try {
      await loadOlder(chatId);
    } catch {
      break;
    }
  }
  if (!alive()) return true;
  // Drawn on the next frame, after the page that brought it.
  await new Promise((r) => requestAnimationFrame(r));
  const el = log?.querySelector<HTMLElement>(`[data-message-id="${target}"]`);
  if (!el) return false;
  el.scrollIntoView({ block: 'center' });
  el.classList.add('msg--found');
  el.focus({ preventScroll: true });
  setTimeout(() => el.classList.remove('msg--found'), 4000);
  return true;
}

/** Opens a conversation at `?m=<message id>` (a search hit, a notification). */
export function useJumpToMessage(chatId: number, conv: Conversation | undefined, logRef: RefObject<HTMLElement>): string | null {
  const target = Number(queryParam(currentPath.value.split('?')[1] ?? '', 'm') ?? '');
  const [missing, setMissing] = useState<string | null>(null);
  const done = useRef<number | null>(null);
  const loaded = !!conv;
  useEffect(() => {
    if (!loaded || !target || done.current === target) return;
    done.current = target;
    let cancelled = false;
    void jumpToMessage(chatId, target, logRef.current, () => !cancelled).then((found) => found || setMissing(t('search.not_loaded')));
    return () => {
      cancelled = true;
    };
  }, [chatId, target, loaded]);
  return missing;
}
