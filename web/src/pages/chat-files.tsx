// Files in a conversation: attachments of messages (pictures inline, other files as
// download chips) and the files on their way to the next message (with progress).
import { useRef, useState } from 'preact/hooks';
import type { FileInfo } from '../api/types';
import { FileIcon, PaperclipIcon } from '../components/icons';
import { Modal, showDialog } from '../components/ui';
import { cancelUpload, retryUpload, uploads } from '../chat/store';
import { forChat, isImage, percent, uploadErrorKey, type Upload } from '../chat/uploads';
import { formatBytes } from '../format';
import { t } from '../i18n';

const fileUrl = (f: Pick<FileInfo, 'id'>) => `/api/v1/files/${f.id}`;
/** The server's JPEG preview (at most 480 px), for images it could make one of. */
export const thumbUrl = (f: Pick<FileInfo, 'id'>) => `/api/v1/files/${f.id}/thumbnail`;

/** A file as a download link: name and size. */
export function FileChip({ f }: { f: FileInfo }) {
  return (
    <a class="file-chip" href={fileUrl(f)} download={f.name} data-file-id={f.id}>
      <FileIcon />
      <span class="visually-hidden">{t('chats.file_download', { name: f.name, size: formatBytes(f.size) })}</span>
      <span class="file-name" aria-hidden="true">
        {f.name}
      </span>
      <span class="file-size" aria-hidden="true">
        {formatBytes(f.size)}
      </span>
    </a>
  );
}

/**
 * A picture shown in the message: the server's preview when it has one (smaller, and
 * re-encoded), else the file itself. The file is served as a download (attachment
 * disposition, sandboxing CSP) — which an <img> ignores; both go with the session
 * cookie like every other request. If it still cannot be drawn (a damaged file, or not
 * visible yet), it turns into a file chip. The box has a fixed shape, so the log does
 * not jump as pictures arrive.
 */
function ImageAttachment({ f }: { f: FileInfo }) {
  const [broken, setBroken] = useState(false);
  if (broken) return <FileChip f={f} />;
  const open = () =>
    showDialog((close) => (
      <Modal title={t('chats.image_title', { name: f.name })} onClose={close} class="modal--image">
        <img class="img-full" src={fileUrl(f)} alt={f.name} />
        <p>
          <a class="btn btn--secondary btn--small" href={fileUrl(f)} download={f.name}>
            {t('chats.download', { size: formatBytes(f.size) })}
          </a>
        </p>
      </Modal>
    ));
  return (
    <figure class="img-attach" data-file-id={f.id}>
      <button type="button" class="img-open" aria-haspopup="dialog" onClick={open}>
        <img src={f.has_thumbnail ? thumbUrl(f) : fileUrl(f)} alt="" loading="lazy" decoding="async" data-thumbnail={f.has_thumbnail ? 'true' : undefined} onError={() => setBroken(true)} />
        <span class="visually-hidden">{t('chats.image_open', { name: f.name })}</span>
      </button>
      <figcaption class="img-caption">
        <span class="file-name">{f.name}</span>{' '}
        <a href={fileUrl(f)} download={f.name}>
          {t('chats.download', { size: formatBytes(f.size) })}
          <span class="visually-hidden"> {f.name}</span>
        </a>
      </figcaption>
    </figure>
  );
}

export function Attachments({ files }: { files: FileInfo[] }) {
  if (!files.length) return null;
  const images = files.filter(isImage);
  const others = files.filter((f) => !isImage(f));
  return (
    <div class="attachments">
      {images.length ? (
        <div class="img-grid">
          {images.map((f) => (
            <ImageAttachment key={f.id} f={f} />
          ))}
        </div>
      ) : null}
      {others.length ? (
        <ul class="file-list">
          {others.map((f) => (
            <li key={f.id}>
              <FileChip f={f} />
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/**
 * Files named without links: a message still waiting to be sent (its sender may already
 * open the files of a post held by quiet hours; nobody else sees that post yet).
 */
export function FileNames({ files }: { files: FileInfo[] }) {
  if (!files.length) return null;
  return (
    <ul class="file-list">
      {files.map((f) => (
        <li key={f.id} class="file-chip file-chip--pending">
          <FileIcon />
          <span class="file-name">{f.name}</span> <span class="file-size">{formatBytes(f.size)}</span>
        </li>
      ))}
    </ul>
  );
}

/** Why an upload failed, in words the person can act on. */
export function uploadError(u: Upload): string {
  const [status, code] = (u.code ?? '').split(':');
  const key = uploadErrorKey(code, Number(status ?? 0));
  return key ? t(`chats.upload_${key}`) : (u.error ?? '');
}

function UploadRow({ u }: { u: Upload }) {
  const pct = percent(u);
  return (
    <li class={`upload upload--${u.state}`} data-upload-state={u.state} data-name={u.name}>
      <div class="upload-top">
        <span class="file-name">{u.name}</span>
        <span class="file-size">{formatBytes(u.size)}</span>
        {u.state === 'uploading' ? (
          <button type="button" class="btn btn--link upload-x" onClick={() => cancelUpload(u.key)}>
            {t('common.cancel')}
            <span class="visually-hidden"> — {t('chats.upload_cancel', { name: u.name })}</span>
          </button>
        ) : (
          <button type="button" class="btn btn--link upload-x" onClick={() => cancelUpload(u.key)}>
            ✕<span class="visually-hidden"> {t('chats.upload_remove', { name: u.name })}</span>
          </button>
        )}
      </div>
      {u.state === 'uploading' ? (
        <div class="upload-progress">
          <progress max={100} value={pct} aria-label={t('chats.upload_progress', { name: u.name })} data-percent={pct} />
          <span class="upload-pct" aria-hidden="true">
            {pct} %
          </span>
        </div>
      ) : u.state === 'done' ? (
        <p class="upload-done">✓ {t('chats.upload_done')}</p>
      ) : (
        <div class="upload-failed">
          <p class="field-error" role="alert">
            {t('chats.upload_failed', { error: uploadError(u) })}
          </p>
          <button type="button" class="btn btn--secondary btn--small" onClick={() => retryUpload(u.key)}>
            {t('common.retry')}
            <span class="visually-hidden"> — {t('chats.upload_retry', { name: u.name })}</span>
          </button>
        </div>
      )}
    </li>
  );
}

export function UploadList({ chatId }: { chatId: number }) {
  const list = forChat(uploads.value, chatId);
  if (!list.length) return null;
  return (
    <ul class="uploads" aria-label={t('chats.uploads')}>
      {list.map((u) => (
        <UploadRow key={u.key} u={u} />
      ))}
    </ul>
  );
}

/** The attach button: opens the file picker (several files at once). */
export function AttachButton({ onFiles }: { onFiles: (files: File[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-attach-input
        onChange={(e) => {
          const el = e.currentTarget as HTMLInputElement;
          const files = Array.from(el.files ?? []);
          el.value = '';
          if (files.length) onFiles(files);
        }}
      />
      <button type="button" class="btn btn--secondary btn--small attach-btn" onClick={() => input.current?.click()}>
        <PaperclipIcon /> {t('chats.attach')}
        <span class="visually-hidden"> — {t('chats.attach_label')}</span>
      </button>
    </>
  );
}

/** Files carried by a drag (not text or links). */
export function draggedFiles(e: DragEvent): boolean {
  return !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');
}
