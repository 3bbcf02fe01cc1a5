import { afterEach, describe, expect, it } from 'vitest';
import { clock, formatBytes, whenLater } from '../src/format';
import { lang } from '../src/i18n';

const NB = '\u00a0';

afterEach(() => {
  lang.value = 'ru';
});

describe('file sizes', () => {
  it('reads as Russians write them', () => {
    expect(formatBytes(0, 'ru')).toBe(`0${NB}Б`);
    expect(formatBytes(812, 'ru')).toBe(`812${NB}Б`);
    expect(formatBytes(1024, 'ru')).toBe(`1${NB}КБ`);
    expect(formatBytes(1536, 'ru')).toBe(`1,5${NB}КБ`);
    expect(formatBytes(150 * 1024, 'ru')).toBe(`150${NB}КБ`);
    expect(formatBytes(Math.round(1.2 * 1024 * 1024), 'ru')).toBe(`1,2${NB}МБ`);
    expect(formatBytes(50 * 1024 * 1024, 'ru')).toBe(`50${NB}МБ`);
    expect(formatBytes(3.5 * 1024 ** 3, 'ru')).toBe(`3,5${NB}ГБ`);
  });

  it('never shows 1024 of a unit', () => {
    expect(formatBytes(1024 * 1024 - 10, 'ru')).toBe(`1${NB}МБ`);
    expect(formatBytes(1023, 'ru')).toBe(`1023${NB}Б`);
  });

  it('English uses a point and Latin units; the default follows the switch', () => {
    expect(formatBytes(Math.round(1.2 * 1024 * 1024), 'en')).toBe(`1.2${NB}MB`);
    expect(formatBytes(2048)).toBe(`2${NB}КБ`);
    lang.value = 'en';
    expect(formatBytes(2048)).toBe(`2${NB}KB`);
  });

  it('treats nonsense as nothing', () => {
    expect(formatBytes(-5, 'ru')).toBe(`0${NB}Б`);
    expect(formatBytes(Number.NaN, 'ru')).toBe(`0${NB}Б`);
  });
});

describe('times on the school clock', () => {
  const now = new Date('2026-11-22T19:30:00Z'); // 22:30 in Moscow

  it('gives HH:MM in the time zone', () => {
    expect(clock('2026-11-23T04:00:00Z', 'Europe/Moscow')).toBe('07:00');
    expect(clock('2026-11-23T04:00:00Z', 'Asia/Vladivostok')).toBe('14:00');
  });

  it('says today, tomorrow or the date, by the school’s calendar', () => {
    expect(whenLater('2026-11-22T20:00:00Z', now, 'Europe/Moscow')).toEqual({ day: 'today', time: '23:00', date: '2026-11-22' });
    expect(whenLater('2026-11-23T04:00:00Z', now, 'Europe/Moscow')).toEqual({ day: 'tomorrow', time: '07:00', date: '2026-11-23' });
    expect(whenLater('2026-11-25T04:00:00Z', now, 'Europe/Moscow').day).toBe('later');
    // In Vladivostok it is already 05:30 on the 23rd: 14:00 is today there.
    expect(whenLater('2026-11-23T04:00:00Z', now, 'Asia/Vladivostok')).toEqual({ day: 'today', time: '14:00', date: '2026-11-23' });
  });
});
