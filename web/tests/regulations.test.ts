import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/client';
import type { HomeworkLoad, Regulations } from '../src/api/types';
import { lang } from '../src/i18n';
import { t } from '../src/pages/journal/journal.strings';
import {
  gradeOf,
  homeworkDeadline,
  hoursMinutes,
  loadNotice,
  loadQuery,
  minutesText,
  REGULATIONS_ALIASES,
  regulationsDraft,
  regulationsRequest,
  seedOf,
  standingMinutes,
  withFieldTexts,
} from '../src/journal/regulations';

afterEach(() => {
  lang.value = 'ru';
});

const nb = (s: string) => s.replace(/ /g, '\u00a0');

describe('hours and minutes as people say them', () => {
  it('reads naturally in Russian', () => {
    expect(hoursMinutes(45)).toBe(nb('45 мин'));
    expect(hoursMinutes(120)).toBe(nb('2 ч'));
    expect(hoursMinutes(90)).toBe(`${nb('1 ч')} ${nb('30 мин')}`);
    expect(hoursMinutes(130)).toBe(`${nb('2 ч')} ${nb('10 мин')}`);
    expect(hoursMinutes(0)).toBe(nb('0 мин'));
    expect(hoursMinutes(-5)).toBe(nb('0 мин'));
  });

  it('and in English', () => {
    expect(hoursMinutes(210, 'en')).toBe(`${nb('3 h')} ${nb('30 min')}`);
    expect(hoursMinutes(60, 'en')).toBe(nb('1 h'));
  });

  it('a field in minutes says its number in minutes', () => {
    expect(minutesText(30)).toBe(nb('30 мин'));
    expect(minutesText(90)).toBe(nb('90 мин'));
    expect(minutesText(90, 'en')).toBe(nb('90 min'));
  });
});

describe('the grade of a class', () => {
  it('comes from the start of its name', () => {
    expect(gradeOf({ name: '5А', kind: 'class' })).toBe(5);
    expect(gradeOf({ name: '10-Б', kind: 'class' })).toBe(10);
    expect(gradeOf({ name: '11', kind: 'class' })).toBe(11);
  });

  it('is none for a staff room, an «объединение» or a number out of 1–11', () => {
    expect(gradeOf({ name: 'Учительская', kind: 'staff_room' })).toBeNull();
    expect(gradeOf({ name: 'Робототехника', kind: 'class' })).toBeNull();
    expect(gradeOf({ name: '12А', kind: 'class' })).toBeNull();
    expect(gradeOf({ name: '123', kind: 'class' })).toBeNull();
    expect(gradeOf(null)).toBeNull();
  });
});

describe('when the day\'s load is asked', () => {
  it('only for a real date and 0–240 minutes (none typed: 0)', () => {
    expect(loadQuery('2026-12-08', '30')).toEqual({ due_on: '2026-12-08', minutes: 30 });
    expect(loadQuery(' 2026-12-08 ', '')).toEqual({ due_on: '2026-12-08', minutes: 0 });
    expect(loadQuery('2026-02-30', '30')).toBeNull();
    expect(loadQuery('', '30')).toBeNull();
    expect(loadQuery('2026-12-08', '241')).toBeNull();
    expect(loadQuery('2026-12-08', '1.5')).toBeNull();
    expect(loadQuery('2026-12-08', 'час')).toBeNull();
  });
});

describe('which notice the homework form shows', () => {
  const load = (minutes: number, limit: number | null, strict = false): HomeworkLoad => ({
    due_on: '2026-12-08',
    minutes,
    limit_minutes: limit,
    over: limit != null && minutes > limit,
    strict,
  });

  it('nothing without a load, a limit or anything due', () => {
    expect(loadNotice(null, 30, 0)).toEqual({ kind: 'none' });
    expect(loadNotice(load(300, null), 30, 0)).toEqual({ kind: 'none' });
    expect(loadNotice(load(0, 120), 0, 0)).toEqual({ kind: 'none' });
  });

  it('a quiet count within the limit (at the limit too)', () => {
    expect(loadNotice(load(100, 120), 30, 0)).toEqual({ kind: 'within', total: 100, limit: 120 });
    expect(loadNotice(load(120, 120), 30, 0)).toEqual({ kind: 'within', total: 120, limit: 120 });
  });

  it('a warning over it when the school only warns', () => {
    expect(loadNotice(load(130, 120), 40, 0)).toEqual({ kind: 'over', total: 130, limit: 120 });
  });

  it('a refusal over it when the school refuses and the save adds minutes to the day', () => {
    expect(loadNotice(load(130, 120, true), 40, 0)).toEqual({ kind: 'refused', total: 130, limit: 120 });
    expect(loadNotice(load(140, 120, true), 50, 40)).toEqual({ kind: 'refused', total: 140, limit: 120 });
  });

  it('only a warning when the save adds nothing (the server saves it then)', () => {
    expect(loadNotice(load(130, 120, true), 40, 40)).toEqual({ kind: 'over', total: 130, limit: 120 });
    expect(loadNotice(load(130, 120, true), 30, 40)).toEqual({ kind: 'over', total: 130, limit: 120 });
  });

  it('the saved homework counts as standing only on its own day', () => {
    const saved = { due_on: '2026-12-08', minutes: 40 };
    expect(standingMinutes(saved, '2026-12-08')).toBe(40);
    expect(standingMinutes(saved, '2026-12-09')).toBe(0);
    expect(standingMinutes({ due_on: '2026-12-08', minutes: null }, '2026-12-08')).toBe(0);
    expect(standingMinutes(null, '2026-12-08')).toBe(0);
  });

  it('says the numbers and the grade in Russian', () => {
    const text = t('homework.load_over', { total: hoursMinutes(130), limit: hoursMinutes(120), grade: t('homework.grade_n', { n: 5 }) });
    expect(text).toBe(`С этим заданием у класса на этот день ${nb('2 ч')} ${nb('10 мин')} домашней работы — больше нормы для 5 класса (${nb('2 ч')}). Сохранить всё равно можно.`);
  });
});

describe('the homework card\'s deadline', () => {
  const deadlines = (due: string, late = false) => ({ homework_due_by: due, marks_due_by: '2026-12-15T10:00:00Z', homework_late: late, late_marks: [] });
  const now = new Date('2026-12-08T09:00:00Z');

  it('asks to enter it while there is none and the deadline is ahead', () => {
    expect(homeworkDeadline(deadlines('2026-12-08T11:45:00Z'), false, now)).toBe('enter_by');
    expect(homeworkDeadline(deadlines('2026-12-08T08:45:00Z'), false, now)).toBeNull();
  });

  it('says when it came late, and nothing when it came in time', () => {
    expect(homeworkDeadline(deadlines('2026-12-08T08:45:00Z', true), true, now)).toBe('late');
    expect(homeworkDeadline(deadlines('2026-12-08T11:45:00Z'), true, now)).toBeNull();
    expect(homeworkDeadline(undefined, false, now)).toBeNull();
  });
});

describe('the school\'s numbers as a form', () => {
  const seeds: Regulations = {
    lesson_minutes: [20, 25, 30, 35],
    homework_day_minutes: [90, 120, 150, 210],
    homework_entry_minutes: 120,
    marks_entry_days: 7,
    homework_limit_strict: false,
  };

  it('goes to the form and back unchanged', () => {
    const draft = regulationsDraft(seeds);
    expect(draft).toMatchObject({ lesson_2: '30', homework_1: '120', homework_entry_minutes: '120', marks_entry_days: '7', homework_limit_strict: false });
    expect(regulationsRequest(draft)).toEqual({ request: seeds });
    expect(regulationsRequest({ ...draft, homework_1: ' 100 ', homework_limit_strict: true })).toEqual({
      request: { ...seeds, homework_day_minutes: [90, 100, 150, 210], homework_limit_strict: true },
    });
  });

  it('names the fields that are not whole numbers of 1 or more', () => {
    const draft = { ...regulationsDraft(seeds), lesson_0: '', homework_3: '2,5', marks_entry_days: '0' };
    expect(regulationsRequest(draft)).toEqual({ invalid: ['lesson_0', 'homework_3', 'marks_entry_days'] });
  });

  it('knows the regulations\' number behind each field and where the server\'s fields go', () => {
    expect(seedOf(seeds, 'lesson_3')).toBe(35);
    expect(seedOf(seeds, 'homework_0')).toBe(90);
    expect(seedOf(seeds, 'homework_entry_minutes')).toBe(120);
    expect(seedOf(seeds, 'marks_entry_days')).toBe(7);
    expect(REGULATIONS_ALIASES['lesson_minutes[2]']).toBe('lesson_2');
    expect(REGULATIONS_ALIASES['homework_day_minutes[0]']).toBe('homework_0');
  });
});

describe('a refusal in the web\'s own words', () => {
  it('replaces the text of the codes it knows and keeps the rest', () => {
    const e = new ApiError(422, 'validation_failed', 'Проверьте поля.', { minutes: 'Некорректное значение.', body: 'Заполните.' }, { minutes: 'day_over_limit', body: 'required' });
    const out = withFieldTexts(e, (_, code) => (code === 'day_over_limit' ? 'Больше нормы.' : null));
    expect(out).toBeInstanceOf(ApiError);
    expect((out as ApiError).fields).toEqual({ minutes: 'Больше нормы.', body: 'Заполните.' });
    expect((out as ApiError).detail).toBe('Проверьте поля.');
    const other = new Error('нет связи');
    expect(withFieldTexts(other, () => 'x')).toBe(other);
  });
});
