import { signal, effect } from '@preact/signals';
import { interpolate, pluralize, type Lang, type PluralForms } from './plural';
import { ru, type Dict } from './ru';
import { en } from './en';

export type { Lang } from './plural';
export type Key = keyof Dict;

const dicts: Record<Lang, Dict> = { ru, en };
const STORE = 'parta.lang';

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORE);
    if (saved === 'ru' || saved === 'en') return saved;
  } catch {
    /* storage may be unavailable */
  }
  return 'ru';
}

export const lang = signal<Lang>(typeof localStorage === 'undefined' ? 'ru' : initialLang());

export function setLang(next: Lang): void {
  lang.value = next;
  try {
    localStorage.setItem(STORE, next);
  } catch {
    /* ignore */
  }
}

if (typeof document !== 'undefined') {
  effect(() => {
    document.documentElement.lang = lang.value;
  });
}

/** Text for a key in the current language, with {placeholders} filled. */
export function t(key: Key, vars?: Record<string, string | number>): string {
  const v = dicts[lang.value][key] ?? ru[key];
  if (typeof v === 'string') return interpolate(v, vars);
  return interpolate(pluralize(lang.value, Number(vars?.n ?? 0), v), vars);
}

/** Plural text: the key must hold plural forms; {n} is the count. */
export function tn(key: Key, n: number, vars?: Record<string, string | number>): string {
  return t(key, { ...vars, n });
}

/** Text for a dynamic key (e.g. a role or an audit action); falls back to the raw code. */
export function tk(prefix: string, code: string): string {
  const key = `${prefix}.${code}` as Key;
  if (key in ru) return t(key);
  return code;
}

export function textIn(l: Lang, key: Key, vars?: Record<string, string | number>): string {
  const v = dicts[l][key];
  if (typeof v === 'string') return interpolate(v, vars);
  return interpolate(pluralize(l, Number(vars?.n ?? 0), v as PluralForms), vars);
}
