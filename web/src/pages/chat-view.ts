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
 * reader scrolled up; `ready` once the log is drawn. It opens at the bottom, or at what
 * `opening` names (the first unread) when there is one. Pictures load after the text and
 * grow the log, a resize reflows it: the bottom stays in view then too. `atBottom` and `toBottom` serve the
 * «to the latest» button; `opened` turns true once the log has taken its opening place.
 */
export function useStickyLog(ready: boolean, changes: unknown[], opening?: () => HTMLElement | null | undefined) {
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const opened = useRef(false);
  const [atBottom, setAtBottom] = useState(true);
  const check = (el: HTMLElement) => {
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    setAtBottom(stick.current);
  };
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const anchor = ready && !opened.current ? opening?.() : null;
    if (ready) opened.current = true;
    if (anchor) {
      // The log is the anchor's offset parent (it is positioned): a little of what was read shows above.
      el.scrollTop = anchor.offsetTop - 8;
      check(el);
    } else if (stick.current) el.scrollTop = el.scrollHeight;
  }, [...changes, ready]);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const grown = (e: Event) => {
      if (e.target instanceof HTMLImageElement && stick.current) el.scrollTop = el.scrollHeight;
    };
    el.addEventListener('load', grown, true);
    // A narrower window (a phone turned, a pane resized) makes the log taller: the bottom stays.
    const resized = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => stick.current && (el.scrollTop = el.scrollHeight));
    resized?.observe(el);
    return () => {
      el.removeEventListener('load', grown, true);
      resized?.disconnect();
    };
  }, [ready]);

  const onScroll = (e: Event) => check(e.currentTarget as HTMLDivElement);
  const toBottom = () => {
    const el = ref.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    check(el);
  };
  return { ref, onScroll, atBottom, toBottom, opened };
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

/**
 * Where the conversation starts on the page, as `--conv-top` on it (measured once it is
 * `drawn`, and on resizing): on a phone it takes the rest of the screen below the app's
 * header, whatever that header's height.
 */
export function useConvTop(drawn: boolean) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const measure = () => {
      const el = ref.current;
      if (el) el.style.setProperty('--conv-top', `${Math.round(el.getBoundingClientRect().top + scrollY)}px`);
    };
    measure();
    addEventListener('resize', measure);
    return () => removeEventListener('resize', measure);
  }, [drawn]);
  return ref;
}
