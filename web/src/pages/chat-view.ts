// What every view of one chat's messages shares (the chat page's conversation and the
// call page's chat panel): being the chat on screen, a log that keeps its newest
// message in view, and a mute that ends by itself.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { isMuted, readTarget } from '../chat/model';
import { conversations, entries, loadConversation, loadSchool, markRead, openChat } from '../chat/store';

/**
 * While `active`, the chat is the one on screen: loaded (then kept live by the socket),
 * its messages read as they arrive, its school's profile (time zone, quiet hours) at
 * hand. `onLoad` hears the first load's outcome (null: loaded).
 */
export function useChatOnScreen(chatId: number, active: boolean, onLoad: (error: unknown) => void): void {
  const entry = entries.value.get(chatId);
  const conv = conversations.value[chatId];
  useEffect(() => {
    if (!active) return;
    openChat.value = chatId;
    loadConversation(chatId).then(
      () => onLoad(null),
      (e: unknown) => onLoad(e),
    );
    return () => {
      if (openChat.value === chatId) openChat.value = null;
    };
  }, [chatId, active]);

  const orgId = entry?.chat.org_id;
  useEffect(() => {
    if (active && orgId) void loadSchool(orgId);
  }, [orgId, active]);

  // Read up to the latest position while the chat is on screen.
  const head = entry ? readTarget(entry, conv) : 0;
  useEffect(() => {
    if (active && conv && entry) void markRead(chatId);
  }, [chatId, active, !!conv, head]);
}

/**
 * A message log that stays at its bottom as messages arrive (`changes`), unless the
 * reader scrolled up; `ready` once the log is drawn. Pictures load after the text and
 * grow the log: the bottom stays in view then too.
 */
export function useStickyLog(ready: boolean, changes: unknown[]) {
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [...changes, ready]);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const grown = (e: Event) => {
      if (e.target instanceof HTMLImageElement && stick.current) el.scrollTop = el.scrollHeight;
    };
    el.addEventListener('load', grown, true);
    return () => el.removeEventListener('load', grown, true);
  }, [ready]);

  const onScroll = (e: Event) => {
    const el = e.currentTarget as HTMLDivElement;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  };
  return { ref, onScroll };
}

/** Draws the caller again when a mute ends, so the composer comes back by itself. */
export function useMuteEnding(mutedUntil: string | null | undefined): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!isMuted(mutedUntil)) return;
    const ms = new Date(mutedUntil!).getTime() - Date.now() + 500;
    const timer = setTimeout(() => setTick((n) => n + 1), Math.min(ms, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [mutedUntil]);
}
