import { afterEach, describe, expect, it } from 'vitest';
import { lang, t, tk, tn } from '../src/i18n';
import { area } from '../src/i18n/area';
import { en } from '../src/i18n/en';
import { pluralCategory, pluralize, type PluralForms } from '../src/i18n/plural';
import { ru } from '../src/i18n/ru';

type Strings = Record<string, string | PluralForms>;
/** Every area dictionary of the web (`*.strings.ts`, next to its lazy pages). */
const areas = Object.entries(import.meta.glob<{ ru: Strings; en: Strings }>('../src/**/*.strings.ts', { eager: true }));
const holes = (v: unknown) => JSON.stringify(v).match(/\{\w+\}/g)?.sort().filter((x, i, a) => a.indexOf(x) === i) ?? [];

afterEach(() => {
  lang.value = 'ru';
});

describe('Russian plural forms', () => {
  const cases: [number, string][] = [
    [0, 'many'], [1, 'one'], [2, 'few'], [3, 'few'], [4, 'few'], [5, 'many'], [10, 'many'],
    [11, 'many'], [12, 'many'], [14, 'many'], [15, 'many'], [21, 'one'], [22, 'few'], [24, 'few'],
    [25, 'many'], [101, 'one'], [111, 'many'], [112, 'many'], [1001, 'one'], [1012, 'many'], [1022, 'few'],
  ];
  for (const [n, cat] of cases) it(`${n} → ${cat}`, () => expect(pluralCategory('ru', n)).toBe(cat));

  it('chooses the right word', () => {
    const forms = { one: '{n} ссылка', few: '{n} ссылки', many: '{n} ссылок' };
    expect(pluralize('ru', 1, forms)).toBe('1 ссылка');
    expect(pluralize('ru', 3, forms)).toBe('3 ссылки');
    expect(pluralize('ru', 11, forms)).toBe('11 ссылок');
    expect(pluralize('ru', 21, forms)).toBe('21 ссылка');
  });

  it('English has one and other', () => {
    expect(pluralCategory('en', 1)).toBe('one');
    expect(pluralCategory('en', 2)).toBe('other');
    expect(pluralCategory('en', 0)).toBe('other');
  });

  it('member counts read naturally in both languages', () => {
    expect(tn('members.count', 1)).toBe('Найден 1 человек');
    expect(tn('members.count', 3)).toBe('Найдено 3 человека');
    expect(tn('members.count', 19)).toBe('Найдено 19 человек');
    lang.value = 'en';
    expect(tn('members.count', 1)).toBe('1 person found');
    expect(tn('members.count', 19)).toBe('19 people found');
  });
});

describe('dictionary', () => {
  it('Russian is the default and placeholders are filled', () => {
    expect(t('login.submit')).toBe('Войти');
    expect(t('invites.uses', { used: 3, max: 50 })).toBe('использовано 3 из 50');
  });

  it('follows the language switch', () => {
    lang.value = 'en';
    expect(t('login.submit')).toBe('Sign in');
  });

  it('English has every key Russian has, with the same placeholders', () => {
    const keys = Object.keys(ru) as (keyof typeof ru)[];
    expect(Object.keys(en).sort()).toEqual([...keys].sort());
    for (const k of keys) expect(holes(en[k]), k).toEqual(holes(ru[k]));
  });

  it('dynamic codes fall back to the code itself', () => {
    expect(tk('role', 'teacher')).toBe('Учитель');
    expect(tk('audit', 'something_new')).toBe('something_new');
  });
});

describe('area dictionaries', () => {
  it('are found next to their pages', () => {
    expect(areas.length).toBeGreaterThanOrEqual(4);
  });

  for (const [file, dict] of areas) {
    describe(file.replace('../src/', ''), () => {
      it('English has every key Russian has, with the same placeholders', () => {
        expect(Object.keys(dict.en).sort()).toEqual(Object.keys(dict.ru).sort());
        for (const k of Object.keys(dict.ru)) expect(holes(dict.en[k]), k).toEqual(holes(dict.ru[k]));
      });

      it('plurals have the forms each language needs', () => {
        for (const [k, v] of Object.entries(dict.ru)) {
          if (typeof v === 'string') continue;
          expect(Object.keys(v).sort(), k).toEqual(['few', 'many', 'one']);
          expect(Object.keys(dict.en[k] as PluralForms).sort(), k).toEqual(['one', 'other']);
        }
      });

      it('no key is also the shell\'s or another area\'s', () => {
        for (const k of Object.keys(dict.ru)) {
          expect(k in ru, `${k} is in the shell's dictionary too`).toBe(false);
          for (const [other, o] of areas) if (other !== file) expect(k in o.ru, `${k} is in ${other} too`).toBe(false);
        }
      });

      it('no text is empty', () => {
        for (const l of [dict.ru, dict.en])
          for (const [k, v] of Object.entries(l)) for (const text of typeof v === 'string' ? [v] : Object.values(v)) expect(text?.trim(), k).toBeTruthy();
      });
    });
  }
});

describe('area(ru, en)', () => {
  const a = area(
    {
      'demo.hello': 'Привет, {name}!',
      'demo.files': { one: '{n} файл', few: '{n} файла', many: '{n} файлов' },
      'demo.kind.a': 'Первый',
    },
    { 'demo.hello': 'Hello, {name}!', 'demo.files': { one: '{n} file', other: '{n} files' }, 'demo.kind.a': 'First' },
  );

  it('fills placeholders in the current language and follows the switch', () => {
    expect(a.t('demo.hello', { name: 'Анна' })).toBe('Привет, Анна!');
    lang.value = 'en';
    expect(a.t('demo.hello', { name: 'Anna' })).toBe('Hello, Anna!');
  });

  it('chooses plural forms in both languages', () => {
    expect(a.tn('demo.files', 1)).toBe('1 файл');
    expect(a.tn('demo.files', 3)).toBe('3 файла');
    expect(a.tn('demo.files', 11)).toBe('11 файлов');
    expect(a.tn('demo.files', 21)).toBe('21 файл');
    lang.value = 'en';
    expect(a.tn('demo.files', 1)).toBe('1 file');
    expect(a.tn('demo.files', 5)).toBe('5 files');
  });

  it('English falls back to Russian per key', () => {
    const b = area({ 'demo.x': 'Икс', 'demo.y': 'Игрек' }, { 'demo.x': 'X' } as unknown as { 'demo.x': string; 'demo.y': string });
    lang.value = 'en';
    expect(b.t('demo.x')).toBe('X');
    expect(b.t('demo.y')).toBe('Игрек');
  });

  it('knows the shell\'s keys too', () => {
    expect(a.t('common.retry')).toBe('Повторить');
    expect(a.tn('members.count', 3)).toBe('Найдено 3 человека');
    lang.value = 'en';
    expect(a.t('common.retry')).toBe('Try again');
  });

  it('answers dynamic keys it holds, and a missing one as the key', () => {
    expect(a.has('demo.kind.a')).toBe(true);
    expect(a.has('demo.kind.b')).toBe(false);
    expect(a.textIn('en', 'demo.kind.a')).toBe('First');
    expect(a.textIn('ru', 'demo.kind.b' as 'demo.kind.a')).toBe('demo.kind.b');
  });
});
