// Unsent text kept per chat across reloads (localStorage, by user and chat): the composer
// starts from it, the chat list shows it as «Черновик: …», sending clears it. Like the
// offline queue, drafts do not outlive the session on a shared device.
import { signal } from '@preact/signals';

const PREFIX = 'parta.draft.';

export const draftKey = (user: number, chat: number) => `${PREFIX}${user}.${chat}`;

/** One user's drafts by chat id, as stored. */
export function readDrafts(store: Storage, user: number): Record<number, string> {
  const out: Record<number, string> = {};
  const mine = `${PREFIX}${user}.`;
  for (let i = 0; i < store.length; i++) {
    const key = store.key(i);
    if (key?.startsWith(mine)) out[Number(key.slice(mine.length))] = store.getItem(key) ?? '';
  }
  return out;
}

/** Stores a draft; blank text removes it. */
export function writeDraft(store: Storage, user: number, chat: number, text: string): void {
  if (text.trim()) store.setItem(draftKey(user, chat), text);
  else store.removeItem(draftKey(user, chat));
}

/** The signed-in user's drafts by chat id. */
export const drafts = signal<Record<number, string>>({});
let owner = 0;

const storage = (): Storage | null => {
  try {
    return localStorage;
  } catch {
    return null;
  }
};

export function loadDrafts(user: number): void {
  owner = user;
  const s = storage();
  drafts.value = s ? readDrafts(s, user) : {};
}

export function setDraft(chat: number, text: string): void {
  if ((drafts.value[chat] ?? '') === (text.trim() ? text : '')) return;
  const next = { ...drafts.value };
  if (text.trim()) next[chat] = text;
  else delete next[chat];
  drafts.value = next;
  try {
    const s = storage();
    if (s) writeDraft(s, owner, chat, text);
  } catch {
    /* storage may be full or unavailable: the draft lives on in memory */
  }
}

/** On sign-out: the drafts go with the session. */
export function forgetDrafts(): void {
  const s = storage();
  if (s) for (const chat of Object.keys(readDrafts(s, owner))) s.removeItem(draftKey(owner, Number(chat)));
  drafts.value = {};
}
