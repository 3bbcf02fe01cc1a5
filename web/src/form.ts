import { batch, signal, type Signal } from '@preact/signals';
import { ApiError } from './api/client';

export type Values = Record<string, string | boolean>;

export interface Form<T extends Values> {
  values: Signal<T>;
  /** field → message shown next to the field */
  errors: Signal<Record<string, string>>;
  /** message for the whole form (problem detail, plus field messages no input shows) */
  message: Signal<string | null>;
  busy: Signal<boolean>;
  set<K extends keyof T>(name: K, value: T[K]): void;
  /** Runs the action; on failure shows the problem and keeps every value as typed. */
  submit<R>(action: (values: T) => Promise<R>): Promise<R | undefined>;
  fail(error: unknown): void;
  reset(values?: T): void;
}

/** Maps a server field path to the input that shows it (e.g. `order` or `email`). */
export function createForm<T extends Values>(initial: T, aliases: Record<string, keyof T & string> = {}): Form<T> {
  const values = signal<T>({ ...initial });
  const errors = signal<Record<string, string>>({});
  const message = signal<string | null>(null);
  const busy = signal(false);

  const fail = (error: unknown) => {
    const e =
      error instanceof ApiError ? error : new ApiError(0, 'unexpected', error instanceof Error ? error.message : String(error));
    const shown: Record<string, string> = {};
    const orphan: string[] = [];
    for (const [field, text] of Object.entries(e.fields)) {
      const target = aliases[field] ?? field;
      if (target in initial) {
        if (!(target in shown)) shown[target] = text;
      } else {
        orphan.push(text);
      }
    }
    batch(() => {
      errors.value = shown;
      message.value = [e.detail, ...orphan].filter(Boolean).join(' ');
    });
  };

  return {
    values,
    errors,
    message,
    busy,
    set(name, value) {
      batch(() => {
        values.value = { ...values.value, [name]: value };
        if (errors.value[name as string]) {
          const next = { ...errors.value };
          delete next[name as string];
          errors.value = next;
        }
      });
    },
    async submit(action) {
      if (busy.value) return undefined;
      batch(() => {
        busy.value = true;
        errors.value = {};
        message.value = null;
      });
      try {
        return await action(values.value);
      } catch (e) {
        fail(e);
        return undefined;
      } finally {
        busy.value = false;
      }
    },
    fail,
    reset(next) {
      batch(() => {
        values.value = { ...(next ?? initial) };
        errors.value = {};
        message.value = null;
      });
    },
  };
}

/** Trims strings; empty optional strings become null (as the API expects for absent values). */
export function optional(v: string | boolean | undefined): string | null {
  if (typeof v !== 'string') return null;
  const s = v.trim();
  return s === '' ? null : s;
}
