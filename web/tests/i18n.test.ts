import { afterEach, describe, expect, it } from 'vitest';
import { lang, t, tk, tn } from '../src/i18n';
import { en } from '../src/i18n/en';
import { pluralCategory, pluralize } from '../src/i18n/plural';
import { ru } from '../src/i18n/ru';

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
    const holes = (v: unknown) => JSON.stringify(v).match(/\{\w+\}/g)?.sort().filter((x, i, a) => a.indexOf(x) === i) ?? [];
    for (const k of keys) expect(holes(en[k]), k).toEqual(holes(ru[k]));
  });

  it('dynamic codes fall back to the code itself', () => {
    expect(tk('role', 'teacher')).toBe('Учитель');
    expect(tk('audit', 'something_new')).toBe('something_new');
  });
});
