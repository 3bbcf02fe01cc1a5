import { afterEach, describe, expect, it } from 'vitest';
import type { ComplianceCounts, FlaggedLesson } from '../src/api/types';
import { lang } from '../src/i18n';
import {
  breaches,
  columnsFor,
  exportHref,
  isBreach,
  lessonProblems,
  presetOf,
  presetRange,
  reportQuery,
  typedRange,
} from '../src/journal/compliance';
import { t } from '../src/pages/school/compliance.strings';

afterEach(() => {
  lang.value = 'ru';
});

const nb = (s: string) => s.replace(/ /g, '\u00a0');

describe('the report\'s ranges', () => {
  it('this week is Monday to Sunday, whatever day today is', () => {
    expect(presetRange('this_week', '2026-12-07')).toEqual({ from: '2026-12-07', to: '2026-12-13' });
    expect(presetRange('this_week', '2026-12-10')).toEqual({ from: '2026-12-07', to: '2026-12-13' });
    expect(presetRange('this_week', '2026-12-13')).toEqual({ from: '2026-12-07', to: '2026-12-13' });
  });

  it('last week is the seven days before this one, across a month and a year', () => {
    expect(presetRange('last_week', '2026-12-10')).toEqual({ from: '2026-11-30', to: '2026-12-06' });
    expect(presetRange('last_week', '2027-01-06')).toEqual({ from: '2026-12-28', to: '2027-01-03' });
  });

  it('this month runs from its first day to its last', () => {
    expect(presetRange('this_month', '2026-12-07')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(presetRange('this_month', '2027-02-15')).toEqual({ from: '2027-02-01', to: '2027-02-28' });
    expect(presetRange('this_month', '2028-02-29')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(presetRange('this_month', '2026-11-30')).toEqual({ from: '2026-11-01', to: '2026-11-30' });
  });

  it('knows which preset a range is', () => {
    expect(presetOf({ from: '2026-11-30', to: '2026-12-06' }, '2026-12-09')).toBe('last_week');
    expect(presetOf({ from: '2026-12-01', to: '2026-12-31' }, '2026-12-09')).toBe('this_month');
    expect(presetOf({ from: '2026-12-01', to: '2026-12-05' }, '2026-12-09')).toBeNull();
  });

  it('takes typed dates only when both are dates', () => {
    expect(typedRange(' 2026-12-01 ', '2026-12-05')).toEqual({ from: '2026-12-01', to: '2026-12-05' });
    expect(typedRange('2026-12-01', '')).toBeNull();
    expect(typedRange('2026-02-30', '2026-03-01')).toBeNull();
  });

  it('asks for a teacher\'s or a class\'s lessons, and downloads the same range', () => {
    const r = { from: '2026-12-01', to: '2026-12-07' };
    expect(reportQuery(r)).toEqual({ from: '2026-12-01', to: '2026-12-07' });
    expect(reportQuery(r, { kind: 'teacher', id: 4 })).toEqual({ from: '2026-12-01', to: '2026-12-07', teacher_id: 4 });
    expect(reportQuery(r, { kind: 'class', id: 9 })).toEqual({ from: '2026-12-01', to: '2026-12-07', class_id: 9 });
    expect(exportHref(3, r, 'xlsx')).toBe('/api/v1/orgs/3/compliance/export?from=2026-12-01&to=2026-12-07&format=xlsx');
  });
});

describe('the report\'s tables', () => {
  const counts = (over: Partial<ComplianceCounts>): ComplianceCounts => ({
    lessons: 10,
    homework_set: 8,
    homework_late: 0,
    marks: 30,
    late_marks: 0,
    online_lessons: 2,
    online_over_length: 0,
    overloaded_days: 0,
    ...over,
  });

  it('counts breaches, not activity', () => {
    expect(breaches(counts({}))).toBe(0);
    expect(breaches(counts({ lessons: 99, marks: 500, homework_set: 99 }))).toBe(0);
    expect(breaches(counts({ homework_late: 1, late_marks: 2, online_over_length: 1, overloaded_days: 3 }))).toBe(7);
    expect(isBreach('late_marks')).toBe(true);
    expect(isBreach('marks')).toBe(false);
  });

  it('a teacher\'s row has no heavy days: those are a class\'s', () => {
    expect(columnsFor('teachers')).not.toContain('overloaded_days');
    expect(columnsFor('classes')).toContain('overloaded_days');
    expect(breaches(counts({ overloaded_days: 2 }), columnsFor('teachers'))).toBe(0);
    expect(breaches(counts({ overloaded_days: 2 }), columnsFor('weeks'))).toBe(2);
  });

  it('every column has a readable name in both languages', () => {
    for (const c of columnsFor('classes')) {
      expect(t(`cmp.col.${c}`)).not.toContain('cmp.');
      lang.value = 'en';
      expect(t(`cmp.col.${c}`)).not.toContain('cmp.');
      lang.value = 'ru';
    }
    expect(t('cmp.col.homework_late')).toBe('Заданий позже срока');
    expect(t('cmp.col.overloaded_days')).toBe('Дней сверх нормы заданий');
  });
});

describe('a flagged lesson in words', () => {
  const lesson = (over: Partial<FlaggedLesson>): FlaggedLesson => ({
    lesson_id: 1,
    date: '2026-12-01',
    number: 2,
    subject: { id: 1, name: 'Математика' },
    class: { id: 1, name: '5А' },
    teacher: { id: 1, family_name: 'Смирнов', given_name: 'Алексей', patronymic: null },
    homework_late: false,
    late_marks: 0,
    online_minutes: null,
    online_limit_minutes: null,
    ...over,
  }) as FlaggedLesson;

  it('says each breach in Russian', () => {
    expect(lessonProblems(lesson({ homework_late: true }), 'ru')).toEqual(['задание внесено позже срока']);
    expect(lessonProblems(lesson({ late_marks: 1 }), 'ru')).toEqual(['1 отметка позже срока']);
    expect(lessonProblems(lesson({ late_marks: 2 }), 'ru')).toEqual(['2 отметки позже срока']);
    expect(lessonProblems(lesson({ late_marks: 5 }), 'ru')).toEqual(['5 отметок позже срока']);
    expect(lessonProblems(lesson({ online_minutes: 40, online_limit_minutes: 30 }), 'ru')).toEqual([`онлайн ${nb('40 мин')} при норме ${nb('30 мин')}`]);
  });

  it('and in English, all of them in order', () => {
    const all = lesson({ homework_late: true, late_marks: 3, online_minutes: 50, online_limit_minutes: 35 });
    expect(lessonProblems(all, 'en')).toEqual(['homework entered late', '3 marks late', `online ${nb('50 min')} against a limit of ${nb('35 min')}`]);
  });

  it('an online lesson within its limit is no breach', () => {
    expect(lessonProblems(lesson({ online_minutes: 30, online_limit_minutes: 30 }), 'ru')).toEqual([]);
    expect(lessonProblems(lesson({ online_minutes: 30, online_limit_minutes: null }), 'ru')).toEqual([]);
  });
});
