// The bell's count (part of the app's shell): the unread notifications, loaded once the
// connection is ready (after sign-in and after each reconnect) and kept in step with the
// personal stream's `notification_added` and `notifications_read`. The notification
// centre (a chunk of its own) listens here for what arrives while it is open.
import { signal } from '@preact/signals';
import type { NotificationPage, UserEvent } from '../api/types';
import { api } from '../state';

export type NotificationEvent = Extract<UserEvent, { type: 'notification_added' | 'notifications_read' }>;

/** Notifications not read yet (the posts awaiting confirmation are not counted). */
export const bellUnread = signal(0);

/** Notifications known to be unread, so a repeated event changes the count once. */
let unreadIds = new Set<number>();
/** Events since the last load started: a load that raced with one is fetched again. */
let events = 0;
let loading = false;
const listeners = new Set<(e: NotificationEvent) => void>();

/** The count afresh from the server. */
export async function loadBell(): Promise<void> {
  if (loading) return;
  loading = true;
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      const seen = events;
      adoptPage(await api.get('/api/v1/notifications', { limit: 100 }));
      if (events === seen) break;
    }
  } catch {
    /* the count stays as it was; the next reconnect loads it again */
  } finally {
    loading = false;
  }
}

/** The count as a freshly fetched first page tells it (the centre fetches one too). */
export function adoptPage(page: NotificationPage): void {
  unreadIds = new Set(page.items.filter((n) => !n.read).map((n) => n.id));
  bellUnread.value = page.unread;
}

/** A personal-stream event about notifications: the count follows it, and the centre if open. */
export function noteNotificationEvent(e: NotificationEvent): void {
  events++;
  if (e.type === 'notification_added') {
    if (!e.notification.read && !unreadIds.has(e.notification.id)) {
      unreadIds.add(e.notification.id);
      bellUnread.value += 1;
    }
  } else {
    bellUnread.value = Math.max(0, bellUnread.value - countRead(e.ids, e.up_to ?? null));
    // Some unread ones were past the first page loaded: ask for the count.
    if (bellUnread.value > unreadIds.size) void loadBell();
  }
  for (const f of listeners) f(e);
}

/** Forgets the read ones among the known unread; how many there were. */
function countRead(ids: number[], upTo: number | null): number {
  let gone = 0;
  for (const id of [...unreadIds]) {
    if (ids.includes(id) || (upTo !== null && id <= upTo)) {
      unreadIds.delete(id);
      gone++;
    }
  }
  return gone;
}

/** Marks notifications read here at once (the server tells the other devices). */
export function markedRead(ids: number[] | 'all'): void {
  if (ids === 'all') {
    unreadIds.clear();
    bellUnread.value = 0;
  } else bellUnread.value = Math.max(0, bellUnread.value - countRead(ids, null));
}

/** Hears the notification events while the centre is open; returns the way to stop. */
export function onNotificationEvent(f: (e: NotificationEvent) => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

/** On sign-out. */
export function forgetBell(): void {
  unreadIds = new Set();
  bellUnread.value = 0;
}
