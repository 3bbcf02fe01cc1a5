// «Импорт истории» (a chat's owner, a school admin), opened from the chat's info: a
// Telegram or WhatsApp export is chosen and «Проверить» sends it (upload progress, then
// the server reading it) for a dry run — how many messages, the period, the files
// found, missing and too large, each author with a select of the chat's members or
// «гость: {имя}» (the member their name fits chosen already), the time zone for
// WhatsApp's times, what is skipped and why. «Импортировать» applies it on the server
// and a progress bar follows it to «Готово». An export refused as a whole says why in
// words. Its own chunk with its own strings (chat-import.strings.ts).
import { useEffect, useRef, useState } from 'preact/hooks';
import { ABORTED, ApiError, type UploadHandle } from '../../api/client';
import type { Chat } from '../../api/types';
import type { components } from '../../api/schema';
import { FileField } from '../../components/file-field';
import { Modal, Notice, errorText, showDialog, useId } from '../../components/ui';
import { dateTime, formatBytes, fullName } from '../../format';
import { api } from '../../state';
import { has, t, tn, type Key } from './chat-import.strings';
import './chat-import.css';

type Preview = components['schemas']['ChatImportPreview'];
type Progress = components['schemas']['ChatImportProgress'];

/** The largest upload the server takes (`chat_import::bundle::UPLOAD_LIMIT`). */
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;
const POLL_MS = 400;

export function openChatImport(chat: Chat, timeZone?: string): void {
  showDialog((close) => <ChatImportDialog chat={chat} timeZone={timeZone} onClose={close} />);
}

/** A code the server refused with, in words (its own sentence for one we do not know). */
function codeText(code: string | undefined, fallback: string): string {
  const key = `ci.code.${code}`;
  return code && has(key) ? t(key as Key) : fallback;
}

/** A time of the preview: an instant in the school's zone, or WhatsApp's wall clock as written. */
function when(at: string | null | undefined, timeZone?: string): string {
  if (!at) return '—';
  return /[zZ]$|[+-]\d\d:\d\d$/.test(at) ? dateTime(at, timeZone) : at.replace('T', ' ').slice(0, 16);
}

function ChatImportDialog({ chat, timeZone, onClose }: { chat: Chat; timeZone?: string; onClose: () => void }) {
  const inputId = useId('ci-file');
  const input = useRef<HTMLInputElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [pct, setPct] = useState<number | null | undefined>(undefined);
  const handle = useRef<UploadHandle<Preview> | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [refusal, setRefusal] = useState<unknown>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [zone, setZone] = useState('');
  const [progress, setProgress] = useState<Progress | null>(null);
  const [applyError, setApplyError] = useState<unknown>(null);
  useEffect(() => () => handle.current?.abort(), []);

  const choose = (f: File | null) => {
    setFile(f);
    setFileError(f && f.size > MAX_UPLOAD_BYTES ? t('ci.file_too_large') : null);
    setRefusal(null);
    setPreview(null);
  };

  const check = async () => {
    if (!file || file.size > MAX_UPLOAD_BYTES) {
      setFileError(file ? t('ci.file_too_large') : t('ci.file_needed'));
      input.current?.focus();
      return;
    }
    setRefusal(null);
    setPct(0);
    const h = api.upload('/api/v1/chats/{chat_id}/imports', { chat_id: chat.id }, file, (loaded, total) =>
      setPct(total > 0 && loaded < total ? Math.floor((loaded * 100) / total) : null),
    );
    handle.current = h;
    try {
      const p = await h.done;
      setPreview(p);
      setMapping(Object.fromEntries(p.authors.map((a) => [a.name, a.suggested_member ? String(a.suggested_member) : ''])));
      setZone(p.time_zone);
      requestAnimationFrame(() => heading.current?.focus());
    } catch (e) {
      if (!(e instanceof ApiError && e.code === ABORTED)) setRefusal(e);
    } finally {
      handle.current = null;
      setPct(undefined);
    }
  };

  const apply = async () => {
    if (!preview) return;
    setApplyError(null);
    const authors = preview.authors.map((a) => ({ name: a.name, member_id: mapping[a.name] ? Number(mapping[a.name]) : null }));
    try {
      let p = await api.post('/api/v1/chats/{chat_id}/imports/{import_id}/apply', { chat_id: chat.id, import_id: preview.import_id }, {
        authors,
        time_zone: preview.needs_time_zone ? zone.trim() || null : null,
      });
      setProgress(p);
      while (p.state === 'running') {
        await new Promise((r) => setTimeout(r, POLL_MS));
        p = await api.get('/api/v1/chats/{chat_id}/imports/{import_id}', { chat_id: chat.id, import_id: preview.import_id });
        setProgress(p);
      }
    } catch (e) {
      setApplyError(e);
      setProgress(null);
    }
  };

  const sending = pct !== undefined;
  const running = progress?.state === 'running';
  const finished = progress && progress.state !== 'running';
  return (
    <Modal title={t('ci.title')} onClose={onClose} class="modal--chat-import">
      <div class="chat-import" data-import-state={finished ? progress.state : running ? 'running' : preview ? 'checked' : sending ? 'sending' : 'idle'}>
        {!preview ? (
          <>
            <p class="hint">{t('ci.lead')}</p>
            <FileField
              id={inputId}
              label={t('ci.file')}
              accept=".json,.txt,.zip,application/json,text/plain,application/zip"
              disabled={sending}
              file={file}
              hint={t('ci.file_hint')}
              error={fileError}
              inputRef={input}
              onChoose={choose}
            />
            <div class="actions">
              <button type="button" class="btn btn--primary" disabled={sending} onClick={() => void check()}>
                {t('ci.check')}
              </button>
              {sending ? (
                <button type="button" class="btn btn--secondary" onClick={() => handle.current?.abort()}>
                  {t('ci.cancel')}
                </button>
              ) : null}
            </div>
            {sending ? (
              <div class="upload-progress" role="status">
                {pct !== null ? <progress max={100} value={pct} aria-label={t('ci.progress_label')} /> : <progress aria-label={t('ci.progress_label')} />}
                <span>{pct !== null ? t('ci.sending', { pct: pct ?? 0 }) : t('ci.working')}</span>
              </div>
            ) : null}
            {refusal ? <Refusal error={refusal} /> : null}
          </>
        ) : (
          <PreviewView
            preview={preview}
            timeZone={timeZone}
            headingRef={heading}
            mapping={mapping}
            setMapping={setMapping}
            zone={zone}
            setZone={setZone}
            locked={!!progress}
          />
        )}
        {applyError ? <Notice kind="error">{errorText(applyError)}</Notice> : null}
        {progress ? (
          <div class="chat-import-progress" role="status" aria-live="polite">
            <progress max={Math.max(progress.total, 1)} value={progress.state === 'done' ? Math.max(progress.total, 1) : progress.done} aria-label={t('ci.running_label')} />
            <p>
              {progress.state === 'running'
                ? t('ci.running', { done: progress.done, total: progress.total })
                : progress.state === 'done'
                  ? progress.imported > 0
                    ? t('ci.done', { n: progress.imported, files: progress.files })
                    : t('ci.done_nothing')
                  : progress.imported > 0
                    ? t('ci.failed_partly', { n: progress.imported, code: codeText(progress.error ?? undefined, progress.error ?? '') })
                    : t('ci.failed', { code: codeText(progress.error ?? undefined, progress.error ?? '') })}
            </p>
          </div>
        ) : null}
        {preview ? (
          <div class="actions">
            {!progress || progress.state === 'failed' ? (
              <button type="button" class="btn btn--primary" data-action="chat-import-apply" onClick={() => void apply()}>
                {t('ci.apply')}
              </button>
            ) : null}
            <button type="button" class="btn btn--secondary" disabled={running} onClick={onClose}>
              {finished ? t('ci.close') : t('ci.cancel')}
            </button>
          </div>
        ) : null}
      </div>
    </Modal>
  );
}

function PreviewView(p: {
  preview: Preview;
  timeZone?: string;
  headingRef: { current: HTMLHeadingElement | null };
  mapping: Record<string, string>;
  setMapping: (m: Record<string, string>) => void;
  zone: string;
  setZone: (z: string) => void;
  locked: boolean;
}) {
  const v = p.preview;
  const zoneId = useId('ci-zone');
  const files: string[] = [];
  if (v.files.found) files.push(t('ci.files_found', { n: v.files.found, size: formatBytes(v.files.bytes) }));
  if (v.files.missing) files.push(t('ci.files_missing', { n: v.files.missing }));
  if (v.files.too_large) files.push(t('ci.files_too_large', { n: v.files.too_large, limit: formatBytes(v.files.limit_bytes) }));
  return (
    <section aria-labelledby="ci-preview-title" class="chat-import-preview">
      <h3 id="ci-preview-title" ref={p.headingRef} tabIndex={-1}>
        {t('ci.preview_title')}
      </h3>
      <dl class="chat-import-summary">
        <dt>{t('ci.source')}</dt>
        <dd data-source={v.source}>
          {t(v.source === 'telegram' ? 'ci.source.telegram' : 'ci.source.whatsapp')}
          {v.chat_name ? ` · ${v.chat_name}` : ''}
        </dd>
        <dt>{t('ci.messages')}</dt>
        <dd data-messages={v.messages}>
          {tn('ci.messages_n', v.messages)}
          {v.already_imported ? `; ${t('ci.already', { n: v.already_imported })}` : ''}
        </dd>
        <dt>{t('ci.period')}</dt>
        <dd>
          {when(v.first_at, p.timeZone)} — {when(v.last_at, p.timeZone)}
        </dd>
        <dt>{t('ci.files')}</dt>
        <dd>{files.length ? files.join('; ') : t('ci.files_none')}</dd>
      </dl>
      <fieldset class="chat-import-authors" disabled={p.locked}>
        <legend>{t('ci.authors_title')}</legend>
        <p class="hint">{t('ci.authors_lead')}</p>
        {v.authors.map((a, i) => {
          const id = `ci-author-${i}`;
          return (
            <div class="field" key={a.name}>
              <label for={id}>{t('ci.author_label', { name: a.name, n: a.messages })}</label>
              <select
                id={id}
                data-author={a.name}
                value={p.mapping[a.name] ?? ''}
                aria-describedby={a.suggested_member ? `${id}-hint` : undefined}
                onChange={(e) => p.setMapping({ ...p.mapping, [a.name]: (e.currentTarget as HTMLSelectElement).value })}
              >
                <option value="">{t('ci.guest', { name: a.name })}</option>
                {v.members.map((m) => (
                  <option key={m.id} value={String(m.id)}>
                    {fullName(m)}
                  </option>
                ))}
              </select>
              {a.suggested_member ? (
                <p class="hint" id={`${id}-hint`}>
                  {t('ci.suggested')}
                </p>
              ) : null}
            </div>
          );
        })}
      </fieldset>
      {v.needs_time_zone ? (
        <div class="field">
          <label for={zoneId}>{t('ci.zone')}</label>
          <input id={zoneId} type="text" value={p.zone} disabled={p.locked} aria-describedby={`${zoneId}-hint`} onInput={(e) => p.setZone((e.currentTarget as HTMLInputElement).value)} />
          <p class="hint" id={`${zoneId}-hint`}>
            {t('ci.zone_hint')}
          </p>
        </div>
      ) : null}
      <h4>{t('ci.skipped_title')}</h4>
      {v.skipped.length ? (
        <ul class="chat-import-skipped">
          {v.skipped.map((s) => {
            const key = `ci.skip.${s.reason}`;
            return <li key={s.reason}>{t('ci.skip_count', { reason: has(key) ? t(key as Key) : s.reason, n: s.count })}</li>;
          })}
        </ul>
      ) : (
        <p class="hint">{t('ci.skipped_none')}</p>
      )}
    </section>
  );
}

/** An export refused as a whole: why, in words, and where. */
function Refusal({ error }: { error: unknown }) {
  const codes = error instanceof ApiError && error.status === 422 ? Object.entries(error.fieldCodes) : [];
  if (!codes.length) {
    const code = error instanceof ApiError ? error.code : undefined;
    return <Notice kind="error">{codeText(code, errorText(error))}</Notice>;
  }
  return (
    <div class="alert alert--error chat-import-refusal" role="alert" data-refusal={codes.map(([, code]) => code).join(' ')}>
      <p>
        <strong>{t('ci.refused')}</strong>
      </p>
      {codes.map(([field, code]) => (
        <p key={field}>
          {codeText(code, (error as ApiError).fields[field] ?? code)} {field !== 'upload' ? t('ci.where', { place: field }) : ''}
        </p>
      ))}
    </div>
  );
}
