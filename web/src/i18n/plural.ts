export type Lang = 'ru' | 'en';
export type PluralCategory = 'one' | 'few' | 'many' | 'other';
export interface PluralForms {
  one: string;
  few?: string;
  many?: string;
  other?: string;
}

/** CLDR plural category of a whole number: Russian one/few/many, English one/other. */
export function pluralCategory(lang: Lang, n: number): PluralCategory {
  const abs = Math.abs(n);
  if (!Number.isInteger(abs)) return 'other';
  if (lang === 'ru') {
    const d = abs % 10;
    const dd = abs % 100;
    if (d === 1 && dd !== 11) return 'one';
    if (d >= 2 && d <= 4 && (dd < 12 || dd > 14)) return 'few';
    return 'many';
  }
  return abs === 1 ? 'one' : 'other';
}

/** Picks the form for n and puts n in place of {n}. */
export function pluralize(lang: Lang, n: number, forms: PluralForms): string {
  const cat = pluralCategory(lang, n);
  const text = forms[cat] ?? forms.many ?? forms.other ?? forms.one;
  return text.replace(/\{n\}/g, String(n));
}

/** Replaces {name} placeholders. */
export function interpolate(text: string, vars?: Record<string, string | number>): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}
