// Files of homework and of students' work: uploaded to the school one by one as they
// are picked (the same upload pipeline as chats), then referenced by id when the
// homework is saved or the work handed in. Shown as download links.
import { useState } from 'preact/hooks';
import type { FileInfo } from '../api/types';
import { errorText, useId } from '../components/ui';
import { formatBytes } from '../format';
import { t } from './journal/journal.strings';
import { JOURNAL_FILES_MAX } from '../journal/submissions';
import { api } from '../state';
import { FileChip } from './chat-files';

/** Files as download links (nothing when there are none). */
export function JournalFiles({ files, label }: { files: FileInfo[]; label?: string }) {
  if (!files.length) return null;
  return (
    <ul class="file-list journal-files" aria-label={label ?? t('submission.files')}>
      {files.map((f) => (
        <li key={f.id}>
          <FileChip f={f} />
        </li>
      ))}
    </ul>
  );
}

interface Pending {
  key: number;
  name: string;
  error: string | null;
}

let keys = 0;

/** The files a form holds: those stored and those on their way. */
export function useJournalFiles(org: number, initial: FileInfo[]) {
  const [files, setFiles] = useState<FileInfo[]>(initial);
  const [pending, setPending] = useState<Pending[]>([]);
  const add = (picked: File[]) => {
    const room = JOURNAL_FILES_MAX - files.length - pending.filter((p) => !p.error).length;
    for (const file of picked.slice(0, Math.max(0, room))) {
      const key = ++keys;
      setPending((p) => [...p, { key, name: file.name, error: null }]);
      const form = new FormData();
      form.append('file', file, file.name);
      api
        .upload('/api/v1/orgs/{org_id}/journal/files', { org_id: org }, form, () => {})
        .done.then((stored) => {
          setFiles((f) => [...f, stored]);
          setPending((p) => p.filter((x) => x.key !== key));
        })
        .catch((e: unknown) => setPending((p) => p.map((x) => (x.key === key ? { ...x, error: errorText(e) } : x))));
    }
  };
  return {
    files,
    pending,
    busy: pending.some((p) => !p.error),
    add,
    remove: (id: number) => setFiles((f) => f.filter((x) => x.id !== id)),
    dismiss: (key: number) => setPending((p) => p.filter((x) => x.key !== key)),
    reset: (to: FileInfo[]) => {
      setFiles(to);
      setPending([]);
    },
  };
}

export type JournalFilesState = ReturnType<typeof useJournalFiles>;

/** A file picker (the browser's own, reachable with the keyboard) and the files picked. */
export function FilePicker({ state, label }: { state: JournalFilesState; label: string }) {
  const id = useId('files');
  const full = state.files.length >= JOURNAL_FILES_MAX;
  return (
    <div class="field journal-picker">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="file"
        multiple
        disabled={full}
        aria-describedby={`${id}-hint`}
        onChange={(e) => {
          const input = e.currentTarget as HTMLInputElement;
          state.add(Array.from(input.files ?? []));
          input.value = '';
        }}
      />
      <p class="hint" id={`${id}-hint`}>
        {t('submission.files_hint', { n: JOURNAL_FILES_MAX })}
      </p>
      {state.files.length || state.pending.length ? (
        <ul class="picked-files" aria-live="polite">
          {state.files.map((f) => (
            <li key={f.id} data-file-id={f.id}>
              <span class="file-name">{f.name}</span> <span class="muted">{formatBytes(f.size)}</span>{' '}
              <button type="button" class="btn btn--link btn--small" aria-label={t('submission.file_remove', { name: f.name })} onClick={() => state.remove(f.id)}>
                {t('submission.remove')}
              </button>
            </li>
          ))}
          {state.pending.map((p) => (
            <li key={`p${p.key}`} class={p.error ? 'picked-failed' : 'picked-uploading'}>
              <span class="file-name">{p.name}</span>{' '}
              {p.error ? (
                <>
                  <span class="field-error">{p.error}</span>{' '}
                  <button type="button" class="btn btn--link btn--small" onClick={() => state.dismiss(p.key)}>
                    {t('submission.remove')}
                  </button>
                </>
              ) : (
                <span class="muted">{t('submission.uploading')}</span>
              )}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
