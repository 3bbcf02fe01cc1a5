// A file to upload, chosen with its label; below it what was chosen (name and size)
// or a hint, and its error, both tied to the input for screen readers. Pages that
// take large files (roster bundles, chat exports) share it.
import type { RefObject } from 'preact';
import { formatBytes } from '../format';

export function FileField({
  id,
  label,
  accept,
  disabled,
  file,
  hint,
  chosen = (f) => `${f.name}, ${formatBytes(f.size)}`,
  error,
  inputRef,
  onChoose,
}: {
  id: string;
  label: string;
  accept: string;
  disabled: boolean;
  file: File | null;
  hint: string;
  chosen?: (file: File) => string;
  error: string | null;
  inputRef: RefObject<HTMLInputElement>;
  onChoose: (file: File | null) => void;
}) {
  return (
    <div class={`field${error ? ' field--error' : ''}`}>
      <label for={id}>{label}</label>
      <input
        id={id}
        ref={inputRef}
        type="file"
        name="file"
        accept={accept}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        onChange={(e) => onChoose((e.currentTarget as HTMLInputElement).files?.[0] ?? null)}
      />
      <p class="hint" id={`${id}-hint`}>
        {file ? chosen(file) : hint}
      </p>
      {error ? (
        <p class="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
