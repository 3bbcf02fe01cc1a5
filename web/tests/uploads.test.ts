import { describe, expect, it } from 'vitest';
import type { FileInfo } from '../src/api/types';
import {
  addUploads,
  attachable,
  failed,
  forChat,
  isImage,
  MAX_ATTACHMENTS,
  percent,
  progress,
  removed,
  restarted,
  sent,
  uploaded,
  uploadErrorKey,
  type Upload,
} from '../src/chat/uploads';

const pick = (key: string, size = 1000, name = `${key}.pdf`) => ({ key, name, size, type: 'application/pdf' });
const info = (id: number, name = `f${id}.pdf`, size = 1000): FileInfo => ({ id, name, size, content_type: 'application/pdf' });

function started(keys: string[], chatId = 8): Upload[] {
  return addUploads([], chatId, keys.map((k) => pick(k))).queue;
}

describe('the upload queue', () => {
  it('starts picked files in order, each at 0 %', () => {
    const { queue, started: s, refused } = addUploads([], 8, [pick('a'), pick('b', 5)]);
    expect(queue.map((u) => [u.key, u.state, u.loaded, u.chatId])).toEqual([
      ['a', 'uploading', 0, 8],
      ['b', 'uploading', 0, 8],
    ]);
    expect(s).toHaveLength(2);
    expect(refused).toEqual([]);
  });

  it('refuses empty files and files past the per-message limit, per chat', () => {
    const nine = started(Array.from({ length: 9 }, (_, i) => `k${i}`));
    const other = addUploads(nine, 9, [pick('elsewhere')]).queue;
    const { queue, refused } = addUploads(other, 8, [pick('empty', 0), pick('tenth'), pick('eleventh')]);
    expect(forChat(queue, 8)).toHaveLength(MAX_ATTACHMENTS);
    expect(refused).toEqual([
      { name: 'empty.pdf', reason: 'empty' },
      { name: 'eleventh.pdf', reason: 'too_many' },
    ]);
    expect(forChat(queue, 9)).toHaveLength(1);
  });

  it('shows progress against the file size: never backwards, never 100 % before the answer', () => {
    let q = started(['a']);
    // The request is a little larger than the file (the multipart envelope).
    q = progress(q, 'a', 520, 1040);
    expect(q[0]!.loaded).toBe(500);
    expect(percent(q[0]!)).toBe(50);
    const same = progress(q, 'a', 100, 1040);
    expect(same).toBe(q);
    q = progress(q, 'a', 1040, 1040);
    expect(percent(q[0]!)).toBe(99);
    q = uploaded(q, 'a', info(5));
    expect(q[0]!.state).toBe('done');
    expect(percent(q[0]!)).toBe(100);
    expect(progress(q, 'a', 10, 20)).toBe(q);
  });

  it('keeps the failure and its code; a retry starts from nothing', () => {
    let q = progress(started(['a']), 'a', 300, 1000);
    q = failed(q, 'a', 'Слишком большой запрос или файл.', '413:payload_too_large');
    expect(q[0]).toMatchObject({ state: 'failed', error: 'Слишком большой запрос или файл.', code: '413:payload_too_large' });
    // A late progress event of the dead request changes nothing.
    expect(progress(q, 'a', 900, 1000)).toBe(q);
    q = restarted(q, 'a');
    expect(q[0]).toMatchObject({ state: 'uploading', loaded: 0, error: undefined, code: undefined });
  });

  it('a cancelled upload leaves the queue; unknown keys change nothing', () => {
    const q = started(['a', 'b']);
    expect(removed(q, 'a').map((u) => u.key)).toEqual(['b']);
    expect(removed(q, 'zzz')).toBe(q);
    expect(uploaded(q, 'zzz', info(1))).toBe(q);
  });

  it('a message can go once nothing is on its way; sent files leave the queue', () => {
    let q = started(['a', 'b', 'c']);
    q = uploaded(q, 'a', info(1));
    q = failed(q, 'c', 'нет связи', '0:network');
    expect(attachable(q, 8)).toEqual({ files: [info(1)], waiting: 1, failed: 1 });
    q = uploaded(q, 'b', info(2));
    q = removed(q, 'c');
    const ready = attachable(q, 8);
    expect(ready).toEqual({ files: [info(1), info(2)], waiting: 0, failed: 0 });
    const other = addUploads(q, 9, [pick('x')]).queue;
    const after = sent(other, 8, ready.files);
    expect(after.map((u) => u.key)).toEqual(['x']);
    expect(sent(after, 8, ready.files)).toBe(after);
  });
});

describe('attachments', () => {
  it('draws only the picture types browsers show', () => {
    expect(isImage({ content_type: 'image/png' })).toBe(true);
    expect(isImage({ content_type: 'image/jpeg' })).toBe(true);
    expect(isImage({ content_type: 'image/webp' })).toBe(true);
    expect(isImage({ content_type: 'image/gif' })).toBe(true);
    expect(isImage({ content_type: 'image/svg+xml' })).toBe(false);
    expect(isImage({ content_type: 'application/pdf' })).toBe(false);
    expect(isImage({ content_type: 'text/plain; charset=utf-8' })).toBe(false);
  });

  it('names the upload failures people can act on', () => {
    expect(uploadErrorKey('payload_too_large', 413)).toBe('too_large');
    expect(uploadErrorKey('http_413', 413)).toBe('too_large');
    expect(uploadErrorKey('unsupported_media_type', 415)).toBe('type');
    expect(uploadErrorKey('muted', 403)).toBe('muted');
    expect(uploadErrorKey('forbidden', 403)).toBe('forbidden');
    expect(uploadErrorKey('network', 0)).toBe('network');
    expect(uploadErrorKey('validation_failed', 422)).toBeNull();
  });
});
