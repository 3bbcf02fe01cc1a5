// Files being attached to the next message of a chat: the pure state of the upload
// queue (what is on its way, how far it is, what the server said). The requests live
// in ./store; everything here is a function of (state, input) and unit-tested.
import type { FileInfo } from '../api/types';

/** At most this many files go with one message (the server's limit). */
export const MAX_ATTACHMENTS = 10;

export interface Upload {
  /** Local key (the same file may be chosen twice). */
  key: string;
  chatId: number;
  name: string;
  size: number;
  /** The type the browser claims (for an image preview while it uploads). */
  type: string;
  /** Bytes sent so far (of the whole request, scaled to the file's size). */
  loaded: number;
  /** uploading: a request is out; done: the server stored it; failed: it did not. */
  state: 'uploading' | 'done' | 'failed';
  /** The stored file, once done. */
  file?: FileInfo;
  /** Why it failed, for people. */
  error?: string;
  /** The failure's stable code (`payload_too_large`, `network`…). */
  code?: string;
}

export interface Picked {
  key: string;
  name: string;
  size: number;
  type: string;
}

/** Why a file was not even started. */
export type Refusal = { name: string; reason: 'empty' | 'too_many' };

/**
 * Adds picked files to a chat's queue. Empty files and those past the per-message
 * limit are refused (the server would refuse them too), the rest start uploading.
 */
export function addUploads(q: Upload[], chatId: number, files: Picked[]): { queue: Upload[]; started: Upload[]; refused: Refusal[] } {
  const started: Upload[] = [];
  const refused: Refusal[] = [];
  let room = MAX_ATTACHMENTS - q.filter((u) => u.chatId === chatId).length;
  for (const f of files) {
    if (f.size <= 0) refused.push({ name: f.name, reason: 'empty' });
    else if (room <= 0) refused.push({ name: f.name, reason: 'too_many' });
    else {
      room -= 1;
      started.push({ key: f.key, chatId, name: f.name || 'file', size: f.size, type: f.type, loaded: 0, state: 'uploading' });
    }
  }
  return { queue: started.length ? [...q, ...started] : q, started, refused };
}

function update(q: Upload[], key: string, f: (u: Upload) => Upload): Upload[] {
  const i = q.findIndex((u) => u.key === key);
  if (i < 0) return q;
  const next = f(q[i]!);
  if (next === q[i]) return q;
  const out = q.slice();
  out[i] = next;
  return out;
}

/**
 * Progress of the request body: `loaded` of `total` bytes (the multipart envelope
 * included), shown against the file's own size. Never goes back, never reaches the end
 * before the server answers.
 */
export function progress(q: Upload[], key: string, loaded: number, total: number): Upload[] {
  return update(q, key, (u) => {
    if (u.state !== 'uploading') return u;
    const share = total > 0 ? Math.min(1, loaded / total) : 0;
    const bytes = Math.min(u.size - 1, Math.round(share * u.size));
    return bytes > u.loaded ? { ...u, loaded: bytes } : u;
  });
}

export function uploaded(q: Upload[], key: string, file: FileInfo): Upload[] {
  return update(q, key, (u) => (u.state === 'uploading' ? { ...u, state: 'done', loaded: u.size, file, error: undefined, code: undefined } : u));
}

export function failed(q: Upload[], key: string, error: string, code?: string): Upload[] {
  return update(q, key, (u) => (u.state === 'uploading' ? { ...u, state: 'failed', error, code } : u));
}

/** A failed upload starts again from nothing. */
export function restarted(q: Upload[], key: string): Upload[] {
  return update(q, key, (u) => (u.state === 'failed' ? { ...u, state: 'uploading', loaded: 0, error: undefined, code: undefined } : u));
}

export function removed(q: Upload[], key: string): Upload[] {
  return q.some((u) => u.key === key) ? q.filter((u) => u.key !== key) : q;
}

/** Whole percent done (0–100); 100 only once the server has the file. */
export function percent(u: Pick<Upload, 'loaded' | 'size' | 'state'>): number {
  if (u.state === 'done') return 100;
  if (u.size <= 0) return 0;
  return Math.min(99, Math.floor((u.loaded * 100) / u.size));
}

export function forChat(q: Upload[], chatId: number): Upload[] {
  return q.filter((u) => u.chatId === chatId);
}

/** What a message of this chat can be sent with: `ready` files, or why it must wait. */
export function attachable(q: Upload[], chatId: number): { files: FileInfo[]; waiting: number; failed: number } {
  const mine = forChat(q, chatId);
  return {
    files: mine.flatMap((u) => (u.state === 'done' && u.file ? [u.file] : [])),
    waiting: mine.filter((u) => u.state === 'uploading').length,
    failed: mine.filter((u) => u.state === 'failed').length,
  };
}

/** The chat's files went out with a message: they leave the queue. */
export function sent(q: Upload[], chatId: number, files: FileInfo[]): Upload[] {
  const ids = new Set(files.map((f) => f.id));
  const next = q.filter((u) => !(u.chatId === chatId && u.file && ids.has(u.file.id)));
  return next.length === q.length ? q : next;
}

/** Whether a stored file can be shown inline as a picture (types the browser draws). */
export function isImage(f: Pick<FileInfo, 'content_type'>): boolean {
  return /^image\/(png|jpeg|gif|webp)$/.test(f.content_type.split(';')[0]!.trim().toLowerCase());
}

/** Upload failures the person can act on, by the server's code. */
export function uploadErrorKey(code: string | undefined, status: number): 'too_large' | 'type' | 'muted' | 'forbidden' | 'network' | null {
  if (code === 'payload_too_large' || status === 413) return 'too_large';
  if (code === 'unsupported_media_type' || status === 415) return 'type';
  if (code === 'muted') return 'muted';
  if (code === 'network' || status === 0) return 'network';
  if (status === 403) return 'forbidden';
  return null;
}
