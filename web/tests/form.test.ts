import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/client';
import { createForm, optional } from '../src/form';

const validation = () =>
  new ApiError(
    422,
    'validation_failed',
    'Проверьте заполнение полей.',
    { inn: 'Контрольная цифра не сходится.', order: 'Приложите файл приказа.', something_else: 'Неверный формат.' },
  );

describe('form state', () => {
  it('keeps every typed value when the server refuses', async () => {
    const form = createForm({ inn: '', school_name: '', order: '' });
    form.set('inn', '7707083890');
    form.set('school_name', 'Школа № 7');
    const result = await form.submit(async () => {
      throw validation();
    });
    expect(result).toBeUndefined();
    expect(form.values.value).toEqual({ inn: '7707083890', school_name: 'Школа № 7', order: '' });
    expect(form.errors.value).toEqual({ inn: 'Контрольная цифра не сходится.', order: 'Приложите файл приказа.' });
    expect(form.message.value).toBe('Проверьте заполнение полей. Неверный формат.');
    expect(form.busy.value).toBe(false);
  });

  it('clears a field error as soon as the field is edited', async () => {
    const form = createForm({ inn: '' });
    await form.submit(async () => {
      throw validation();
    });
    expect(form.errors.value.inn).toBeDefined();
    form.set('inn', '7707083893');
    expect(form.errors.value.inn).toBeUndefined();
  });

  it('clears old errors on a new attempt and returns the result on success', async () => {
    const form = createForm({ inn: '' });
    await form.submit(async () => {
      throw validation();
    });
    const r = await form.submit(async (v) => `ok ${v.inn}`);
    expect(r).toBe('ok ');
    expect(form.errors.value).toEqual({});
    expect(form.message.value).toBeNull();
  });

  it('maps a server field to the input that shows it', async () => {
    const form = createForm({ phone: '' }, { contact: 'phone' });
    await form.submit(async () => {
      throw new ApiError(422, 'validation_failed', 'Проверьте.', { contact: 'Укажите телефон или e-mail.' });
    });
    expect(form.errors.value).toEqual({ phone: 'Укажите телефон или e-mail.' });
  });

  it('does not run twice while busy', async () => {
    const form = createForm({});
    let runs = 0;
    let release!: () => void;
    const first = form.submit(() => new Promise<void>((r) => ((release = r), runs++)));
    const second = await form.submit(async () => void runs++);
    expect(second).toBeUndefined();
    release();
    await first;
    expect(runs).toBe(1);
  });

  it('shows a plain error as the form message', async () => {
    const form = createForm({ a: '' });
    await form.submit(async () => {
      throw new Error('boom');
    });
    expect(form.message.value).toBe('boom');
  });

  it('optional() trims and turns blanks into null', () => {
    expect(optional('  ')).toBeNull();
    expect(optional(' Иванович ')).toBe('Иванович');
    expect(optional(false)).toBeNull();
  });
});
