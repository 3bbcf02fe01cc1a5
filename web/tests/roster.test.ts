import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, fileNameOf } from '../src/api/client';
import type { RosterLink } from '../src/api/types';
import { lang } from '../src/i18n';
import {
  changeFields,
  changeTitle,
  csvField,
  lineText,
  linkUrl,
  linksCsv,
  placeText,
  reasonText,
  roleText,
} from '../src/pages/school/roster-model';

afterEach(() => {
  lang.value = 'ru';
});

/** Every row code the server gives (RosterRow.code). */
const ROW_CODES = [
  'required', 'invalid_value', 'duplicate_id', 'unknown_reference', 'other_school', 'not_a_class', 'no_child',
  'no_class', 'second_class', 'earlier_year', 'second_lead', 'subject_teaching', 'parent_enrollment',
  'class_not_imported', 'year_archived', 'year_changed', 'class_name_taken', 'role_changed', 'to_be_deleted',
  'too_long', 'invalid_characters', 'invalid_email', 'invalid_phone',
  'parent_link_needed',
];

describe('a row code in words', () => {
  it('every code has a Russian sentence of its own', () => {
    const texts = ROW_CODES.map(reasonText);
    for (const [i, text] of texts.entries()) {
      expect(text, ROW_CODES[i]).toMatch(/[а-яё]/i);
      expect(text, ROW_CODES[i]).toMatch(/\.$/);
      expect(text, ROW_CODES[i]).not.toContain('Строка не принята');
    }
    expect(new Set(texts).size).toBe(ROW_CODES.length);
  });

  it('says what the important ones mean', () => {
    expect(reasonText('invalid_email')).toBe('Неверный адрес e-mail.');
    expect(reasonText('not_a_class')).toContain('группа по предмету');
    expect(reasonText('subject_teaching')).toContain('«Нагрузка»');
    expect(reasonText('to_be_deleted')).toContain('никого не удаляет');
    expect(reasonText('no_child')).toContain('ребёнка');
  });

  it('an unknown code is still explained, with the code', () => {
    expect(reasonText('brand_new')).toBe('Строка не принята (код «brand_new»).');
  });

  it('English has its own sentences', () => {
    lang.value = 'en';
    expect(reasonText('invalid_email')).toBe('Not a valid e-mail address.');
    for (const code of ROW_CODES) expect(reasonText(code)).not.toMatch(/[а-яё]/i);
  });

  it('line 0 is the whole file', () => {
    expect(lineText({ line: 0 })).toBe('весь файл');
    expect(lineText({ line: 12 })).toBe('12');
  });
});

describe('where a refused bundle is wrong', () => {
  it('reads the field of the problem', () => {
    expect(placeText('bundle')).toBe('архив целиком');
    expect(placeText('')).toBe('архив целиком');
    expect(placeText('users.csv')).toBe('файл users.csv');
    expect(placeText('users.csv:12')).toBe('файл users.csv, строка 12');
    expect(placeText('users.csv:familyName')).toBe('файл users.csv, столбец familyName');
    expect(placeText('export/users.csv:3')).toBe('файл export/users.csv, строка 3');
  });
});

describe('a change in words', () => {
  it('names the action and the fields', () => {
    expect(changeTitle({ action: 'created', entity: 'class' })).toBe('Новый класс');
    expect(changeTitle({ action: 'created', entity: 'person' })).toBe('Новый человек');
    expect(changeTitle({ action: 'linked', entity: 'person' })).toBe('Человек уже есть');
    expect(changeFields({ fields: ['family_name', 'class'] })).toBe('меняется: фамилия, класс');
    expect(changeFields({ fields: [] })).toBe('');
    expect(changeFields({ fields: ['shoe_size'] })).toBe('меняется: shoe_size');
  });

  it('roles are the shell\'s words', () => {
    expect(roleText('student')).toBe('Обучающийся');
    expect(roleText('parent')).toBe('Родитель (законный представитель)');
    expect(roleText('teacher')).toBe('Учитель');
    expect(roleText('employee')).toBe('Сотрудник');
  });
});

describe('the links as CSV', () => {
  const links: RosterLink[] = [
    { sourced_id: 's1', name: 'Списков Глеб Андреевич', role: 'student', class_name: '10Р', path: '/join/abc', expires_at: '2026-12-21T12:00:00Z' },
    { sourced_id: 'p1', name: 'Спискова Наталья; "Ната"', role: 'parent', class_name: '10Р', path: '/join/def', expires_at: '2026-12-21T12:00:00Z' },
    { sourced_id: 't1', name: '=HYPERLINK("x")', role: 'teacher', class_name: null, path: 'join/ghi', expires_at: '2026-12-21T12:00:00Z' },
  ];
  const csv = linksCsv(links, 'https://parta.school42.ru/', (iso) => `до ${iso.slice(0, 10)}`);

  it('starts with a BOM and a Russian header, «;» between fields, CRLF between lines', () => {
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.slice(1).split('\r\n');
    expect(lines[0]).toBe('ФИО;Роль;Класс;Ссылка;Действует до');
    expect(lines[1]).toBe('Списков Глеб Андреевич;Обучающийся;10Р;https://parta.school42.ru/join/abc;до 2026-12-21');
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('');
  });

  it('quotes what holds a separator or a quote, and keeps formulas as text', () => {
    const lines = csv.slice(1).split('\r\n');
    expect(lines[2]).toBe('"Спискова Наталья; ""Ната""";Родитель (законный представитель);10Р;https://parta.school42.ru/join/def;до 2026-12-21');
    expect(lines[3]).toBe(`"'=HYPERLINK(""x"")";Учитель;;https://parta.school42.ru/join/ghi;до 2026-12-21`);
    expect(csvField('простой')).toBe('простой');
    expect(csvField('два\nстроки')).toBe('"два\nстроки"');
    expect(csvField('-1')).toBe("'-1");
  });

  it('a link is the origin and the path', () => {
    expect(linkUrl('http://127.0.0.1:8080', '/join/x')).toBe('http://127.0.0.1:8080/join/x');
    expect(linkUrl('https://a.ru//', 'join/x')).toBe('https://a.ru/join/x');
  });

  it('an empty list is the header alone', () => {
    expect(linksCsv([], 'https://a.ru', () => '')).toBe('\uFEFFФИО;Роль;Класс;Ссылка;Действует до\r\n');
  });
});

describe('a download\'s file name', () => {
  it('comes from Content-Disposition', () => {
    expect(fileNameOf('attachment; filename="oneroster-1.zip"')).toBe('oneroster-1.zip');
    expect(fileNameOf('attachment; filename=report.csv')).toBe('report.csv');
    expect(fileNameOf("attachment; filename=\"x.zip\"; filename*=UTF-8''%D1%81%D0%BF%D0%B8%D1%81%D0%BA%D0%B8.zip")).toBe('списки.zip');
    expect(fileNameOf('attachment; filename="../../etc/passwd"')).toBe('passwd');
    expect(fileNameOf('attachment')).toBeNull();
    expect(fileNameOf(null)).toBeNull();
    expect(fileNameOf('attachment; filename=""')).toBeNull();
  });

  it('the client gives the bytes and the name', async () => {
    const f = (async () =>
      new Response(new Uint8Array([80, 75, 3, 4]), {
        status: 200,
        headers: { 'content-type': 'application/zip', 'content-disposition': 'attachment; filename="oneroster-1.zip"' },
      })) as typeof fetch;
    const api = new ApiClient({ fetch: f });
    const { blob, name } = await api.download('/api/v1/orgs/{org_id}/roster/export', { org_id: 1 });
    expect(name).toBe('oneroster-1.zip');
    expect(blob.size).toBe(4);
  });

  it('a refusal is the usual problem', async () => {
    const f = (async () =>
      new Response(JSON.stringify({ status: 403, code: 'forbidden', detail: 'Недостаточно прав.' }), {
        status: 403,
        headers: { 'content-type': 'application/problem+json' },
      })) as typeof fetch;
    const api = new ApiClient({ fetch: f });
    await expect(api.download('/api/v1/orgs/{org_id}/roster/export', { org_id: 1 })).rejects.toMatchObject({ status: 403, detail: 'Недостаточно прав.' });
  });
});
