// The pure parts of «Списки OneRoster»: a refused row's reason in words, where a
// whole-bundle refusal points (`users.csv:12` → «файл users.csv, строка 12»), a change
// in words, and the personal links as a CSV that Excel opens in a Russian locale
// (UTF-8 with a BOM, «;» between fields). Part of the tab's chunk.
import type { RosterChange, RosterLink, RosterRow } from '../../api/types';
import { tk } from '../../i18n';
import { has, t, type Key } from './roster.strings';

/** The largest bundle the server takes (32 MB). */
export const MAX_BUNDLE_BYTES = 32 * 1024 * 1024;

/** Why a row is refused or left alone, as a sentence. */
export function reasonText(code: string): string {
  const key = `roster.code.${code}`;
  return has(key) ? t(key) : t('roster.code.other', { code });
}

/** A row's line: «весь файл» for line 0 (the file as a whole). */
export function lineText(row: Pick<RosterRow, 'line'>): string {
  return row.line > 0 ? String(row.line) : t('roster.whole_file');
}

/**
 * Where a bundle refused as a whole is wrong, from the problem's field: `bundle`, a file
 * (`users.csv`), a file and a line (`users.csv:12`) or a file and a missing column
 * (`users.csv:familyName`).
 */
export function placeText(field: string): string {
  if (!field || field === 'bundle') return t('roster.place.bundle');
  const at = field.lastIndexOf(':');
  if (at < 0) return t('roster.place.file', { file: field });
  const file = field.slice(0, at);
  const rest = field.slice(at + 1);
  if (/^\d+$/.test(rest)) return t('roster.place.line', { file, line: Number(rest) });
  return t('roster.place.column', { file, column: rest });
}

/** «Новый человек», «Изменятся данные», … for a change. */
export function changeTitle(c: Pick<RosterChange, 'action' | 'entity'>): string {
  const key = `roster.change.${c.action}.${c.entity}`;
  return has(key) ? t(key) : `${c.action} ${c.entity}`;
}

/** «меняется: фамилия, класс» for an update; empty when no field is named. */
export function changeFields(c: Pick<RosterChange, 'fields'>): string {
  if (!c.fields.length) return '';
  const names = c.fields.map((f) => {
    const key = `roster.field.${f}`;
    return has(key) ? t(key as Key) : f;
  });
  return t('roster.change_fields', { fields: names.join(', ') });
}

/** A role of a link in words (the shell's role names). */
export function roleText(role: string): string {
  return tk('role', role);
}

/** The full address of a link's path on this site. */
export function linkUrl(origin: string, path: string): string {
  return origin.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`);
}

/**
 * One CSV field: quoted when it holds the separator, a quote or a line break; a leading
 * =, +, - or @ is kept as text (a spreadsheet would take it for a formula).
 */
export function csvField(value: string): string {
  let v = value;
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[;"\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * The links as a CSV for Excel in a Russian locale: a BOM (so it reads UTF-8), «;»
 * between fields, CRLF between lines; columns ФИО;Роль;Класс;Ссылка;Действует до.
 */
export function linksCsv(links: RosterLink[], origin: string, date: (iso: string) => string): string {
  const header = [t('roster.csv.name'), t('roster.csv.role'), t('roster.csv.class'), t('roster.csv.link'), t('roster.csv.until')];
  const rows = links.map((l) => [l.name, roleText(l.role), l.class_name ?? '', linkUrl(origin, l.path), date(l.expires_at)]);
  return `\uFEFF${[header, ...rows].map((r) => r.map(csvField).join(';')).join('\r\n')}\r\n`;
}
