// An area's own dictionary: the strings only its lazy pages use, loaded with their
// chunk instead of with the app's shell. `area(ru, en)` gives a `t` and a `tn` that
// read the current language like the shell's, know the area's keys and every shell
// key besides («Сохранить», «Повторить»…), so a page imports one `t`. English falls
// back to Russian per key, as the shell's `t` does.
import { lang, t as shellT, type Key as ShellKey } from './index';
import { interpolate, pluralize, type Lang, type PluralForms } from './plural';

export type Entry = string | PluralForms;
/** The English of an area: every key of its Russian, a plural where Russian has one. */
export type AreaEn<R extends Record<string, Entry>> = { [K in keyof R]: R[K] extends string ? string : PluralForms };

export interface Area<K extends string> {
  /** Text for an area key (or a shell key) in the current language, with {placeholders} filled. */
  t(key: K | ShellKey, vars?: Record<string, string | number>): string;
  /** Plural text: the key must hold plural forms; {n} is the count. */
  tn(key: K | ShellKey, n: number, vars?: Record<string, string | number>): string;
  /** Text in a given language (for what is written down in one, not shown). */
  textIn(l: Lang, key: K, vars?: Record<string, string | number>): string;
  /** Whether a (dynamic) key is the area's. */
  has(key: string): key is K;
}

export function area<R extends Record<string, Entry>>(ru: R, en: AreaEn<R>): Area<keyof R & string> {
  type K = keyof R & string;
  const dicts: Record<Lang, Partial<Record<K, Entry>>> = { ru, en };
  const has = (key: string): key is K => Object.prototype.hasOwnProperty.call(ru, key);
  const textIn = (l: Lang, key: K, vars?: Record<string, string | number>): string => {
    const v = dicts[l][key] ?? ru[key];
    if (v === undefined) return key;
    if (typeof v === 'string') return interpolate(v, vars);
    return interpolate(pluralize(l, Number(vars?.n ?? 0), v), vars);
  };
  const t = (key: K | ShellKey, vars?: Record<string, string | number>): string =>
    has(key) ? textIn(lang.value, key, vars) : shellT(key as ShellKey, vars);
  return { t, tn: (key, n, vars) => t(key, { ...vars, n }), textIn, has };
}

/** The keys of an area's dictionary, shell keys besides: what its `t` takes. */
export type AreaKey<R> = (keyof R & string) | ShellKey;
