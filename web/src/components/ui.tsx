import { signal } from '@preact/signals';
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { createForm, type Form, type Values } from '../form';
import { t } from '../i18n';

/** What a failed action says to the person (a problem's detail, or the error's text). */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** One action at a time for a control: `busy` while it runs; its failure as `error`, cleared by the next success. */
export function useAction(): { busy: boolean; error: string | null; setError: (e: string | null) => void; run: (f: () => Promise<void>) => Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    try {
      await f();
      setError(null);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

/** An action's failure next to its control, read out when it appears. */
export function InlineError({ error }: { error: string | null }) {
  return error ? (
    <p class="field-error" role="alert">
      {error}
    </p>
  ) : null;
}

let uid = 0;
export function useId(prefix = 'f'): string {
  return useMemo(() => `${prefix}-${++uid}`, []);
}

export function useForm<T extends Values>(initial: T, aliases?: Record<string, keyof T & string>): Form<T> {
  return useMemo(() => createForm(initial, aliases), []);
}

/** Loads data when deps change; gives the data, the error, and a reload function. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | undefined; error: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: unknown) => live && setState({ data: undefined, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}

interface FieldProps<T extends Values> {
  form: Form<T>;
  name: keyof T & string;
  label: string;
  type?: string;
  autocomplete?: string;
  required?: boolean;
  hint?: string;
  inputMode?: JSX.HTMLAttributes['inputMode'];
  min?: number;
  max?: number;
  maxLength?: number;
  textarea?: boolean;
}

export function Field<T extends Values>(p: FieldProps<T>) {
  const id = useId(p.name);
  const error = p.form.errors.value[p.name];
  const value = p.form.values.value[p.name];
  const described = [p.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: p.name,
    value: String(value ?? ''),
    required: p.required,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': described,
    onInput: (e: Event) => p.form.set(p.name, (e.currentTarget as HTMLInputElement).value as T[typeof p.name]),
  };
  return (
    <div class={`field${error ? ' field--error' : ''}`}>
      <label for={id}>
        {p.label}
        {p.required ? <span class="req" aria-hidden="true"> *</span> : null}
      </label>
      {p.textarea ? (
        <textarea {...common} rows={3} maxLength={p.maxLength} />
      ) : (
        <input
          {...common}
          type={p.type ?? 'text'}
          autoComplete={p.autocomplete}
          inputMode={p.inputMode}
          min={p.min}
          max={p.max}
          maxLength={p.maxLength}
        />
      )}
      {p.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function SelectField<T extends Values>(p: {
  form: Form<T>;
  name: keyof T & string;
  label: string;
  options: { value: string; label: string }[];
  required?: boolean;
  hint?: string;
}) {
  const id = useId(p.name);
  const error = p.form.errors.value[p.name];
  const current = String(p.form.values.value[p.name] ?? '');
  const described = [p.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' field--error' : ''}`}>
      <label for={id}>
        {p.label}
        {p.required ? <span class="req" aria-hidden="true"> *</span> : null}
      </label>
      <select
        id={id}
        name={p.name}
        value={current}
        required={p.required}
        aria-invalid={error ? true : undefined}
        aria-describedby={described}
        onChange={(e) => p.form.set(p.name, (e.currentTarget as HTMLSelectElement).value as T[typeof p.name])}
      >
        {p.options.map((o) => (
          <option key={o.value} value={o.value} selected={o.value === current}>
            {o.label}
          </option>
        ))}
      </select>
      {p.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function CheckField<T extends Values>(p: { form: Form<T>; name: keyof T & string; label: string; hint?: string }) {
  const id = useId(p.name);
  const error = p.form.errors.value[p.name];
  return (
    <div class="field field--check">
      <input
        id={id}
        type="checkbox"
        name={p.name}
        checked={p.form.values.value[p.name] === true}
        aria-describedby={p.hint ? `${id}-hint` : undefined}
        onChange={(e) => p.form.set(p.name, (e.currentTarget as HTMLInputElement).checked as T[typeof p.name])}
      />
      <label for={id}>{p.label}</label>
      {p.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      {error ? <p class="field-error">{error}</p> : null}
    </div>
  );
}

export function FormMessage({ form }: { form: Form<Values> | Form<any> }) {
  const m = form.message.value;
  if (!m) return null;
  return (
    <div class="alert alert--error" role="alert">
      {m}
    </div>
  );
}

export function Submit({ form, children, kind = 'primary' }: { form: Form<any>; children: ComponentChildren; kind?: string }) {
  return (
    <button type="submit" class={`btn btn--${kind}`} disabled={form.busy.value} aria-busy={form.busy.value || undefined}>
      {children}
    </button>
  );
}

export function Loading() {
  return (
    <p class="loading" role="status">
      {t('common.loading')}
    </p>
  );
}

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const text = error instanceof Error ? error.message : String(error);
  return (
    <div class="alert alert--error" role="alert">
      <p>{text}</p>
      {onRetry ? (
        <button type="button" class="btn btn--secondary" onClick={onRetry}>
          {t('common.retry')}
        </button>
      ) : null}
    </div>
  );
}

export function Badge({ children, kind = 'neutral', title }: { children: ComponentChildren; kind?: string; title?: string }) {
  return (
    <span class={`badge badge--${kind}`} title={title}>
      {children}
    </span>
  );
}

export function Notice({ children, kind = 'ok' }: { children: ComponentChildren; kind?: 'ok' | 'info' | 'error' }) {
  return (
    <div class={`alert alert--${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function CopyField({ value, label }: { value: string; label: string }) {
  const id = useId('copy');
  const [copied, setCopied] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      input.current?.select();
      document.execCommand?.('copy');
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2500);
  };
  return (
    <div class="field copy-field">
      <label for={id}>{label}</label>
      <div class="copy-row">
        <input id={id} ref={input} readOnly value={value} onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
        <button type="button" class="btn btn--secondary" onClick={copy}>
          {t('common.copy')}
        </button>
      </div>
      <p class="hint" role="status">
        {copied ? t('common.copied') : ''}
      </p>
    </div>
  );
}

export function QrCode({ text, label }: { text: string; label: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    // Loaded on demand: only the invite screens draw QR codes.
    import('qrcode')
      .then((QRCode) => QRCode.toDataURL(text, { margin: 2, width: 240, errorCorrectionLevel: 'M' }))
      .then((url) => live && setSrc(url), () => live && setSrc(null));
    return () => {
      live = false;
    };
  }, [text]);
  return src ? <img class="qr" src={src} width={240} height={240} alt={label} /> : null;
}

/** A confirm step inline: first press asks, second press does. */
export function ConfirmButton({
  children,
  confirm,
  onConfirm,
  kind = 'danger',
}: {
  children: ComponentChildren;
  confirm: string;
  onConfirm: () => void | Promise<void>;
  kind?: string;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking)
    return (
      <button type="button" class={`btn btn--${kind} btn--small`} onClick={() => setAsking(true)}>
        {children}
      </button>
    );
  return (
    <span class="confirm" role="group" aria-label={confirm}>
      <span class="confirm-text">{confirm}</span>
      <button
        type="button"
        class={`btn btn--${kind} btn--small`}
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            await onConfirm();
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        {t('common.yes')}
      </button>
      <button type="button" class="btn btn--secondary btn--small" onClick={() => setAsking(false)}>
        {t('common.cancel')}
      </button>
    </span>
  );
}

export function PageTitle({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    const text = ref.current?.textContent;
    if (text) document.title = `${text} — ${t('app.name')}`;
  });
  return (
    <h1 ref={ref} tabIndex={-1} class="page-title">
      {children}
    </h1>
  );
}

/**
 * A modal dialog (the browser's own <dialog>: focus stays inside, Escape closes).
 * Focus goes back to where it was when the dialog closes.
 */
export function Modal({ title, onClose, children, class: cls }: { title: string; onClose: () => void; children: ComponentChildren; class?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId('dlg');
  useEffect(() => {
    const d = ref.current;
    const before = document.activeElement as HTMLElement | null;
    if (d && !d.open) {
      if (typeof d.showModal === 'function') d.showModal();
      else d.setAttribute('open', '');
    }
    return () => {
      if (d?.open) d.close();
      if (before && before.isConnected) before.focus({ preventScroll: true });
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class={`modal${cls ? ` ${cls}` : ''}`}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        // A click on the backdrop (outside the content) closes it.
        if (e.target === ref.current) onClose();
      }}
    >
      <div class="modal-body">
        <div class="modal-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" class="btn btn--secondary btn--small modal-close" onClick={onClose}>
            {t('common.close')}
          </button>
        </div>
        {children}
      </div>
    </dialog>
  );
}

/**
 * One dialog at a time, drawn outside the page's content: a dialog opened from inside a
 * live region (the message log) must not be read out as part of it.
 */
const hosted = signal<{ key: number; node: ComponentChildren } | null>(null);
let hostedKey = 0;

export function showDialog(render: (close: () => void) => ComponentChildren): void {
  const key = ++hostedKey;
  const close = () => {
    if (hosted.value?.key === key) hosted.value = null;
  };
  hosted.value = { key, node: render(close) };
}

export function closeDialog(): void {
  hosted.value = null;
}

export function DialogHost() {
  const h = hosted.value;
  return h ? <div key={h.key}>{h.node}</div> : null;
}

/** A code chunk fetched once, on first use; a failed fetch (no connection) is tried again next time. */
export function chunk<M>(load: () => Promise<M>): () => Promise<M> {
  let pending: Promise<M> | null = null;
  return () =>
    (pending ??= load().catch((e: unknown) => {
      pending = null;
      throw e;
    }));
}

/** Draws a screen from a chunk loaded on demand: «Загрузка…» until it comes, «Повторить» if it fails. */
export function Lazy<M>({ load, render }: { load: () => Promise<M>; render: (m: M) => ComponentChildren }) {
  const c = useLoad(load, [load]);
  if (c.data) return <>{render(c.data)}</>;
  if (c.error) return <ErrorBox error={new Error(t('console.load_failed'))} onRetry={c.reload} />;
  return <Loading />;
}
