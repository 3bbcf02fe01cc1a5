// Picking a person to mention while typing: where the `@query` under the caret starts,
// who in the chat it matches, and the text after choosing one (`@[Имя Фамилия](id) `,
// the form the server parses and rewrites to the person's own name).
import type { ChatMember, PersonRef } from '../api/types';

export interface MentionQuery {
  /** Index of the `@`. */
  start: number;
  /** What follows it up to the caret. */
  query: string;
}

const WORD = /[\p{L}\p{N}-]/u;

/**
 * The mention being typed at `caret`: an `@` at the start or after a space or
 * punctuation (not inside an e-mail address), followed by at least one letter.
 */
export function activeMention(text: string, caret: number): MentionQuery | null {
  let i = caret;
  while (i > 0 && caret - i < 40 && WORD.test(text[i - 1]!)) i--;
  if (i === caret || text[i - 1] !== '@') return null;
  const start = i - 1;
  const before = start > 0 ? text[start - 1]! : '';
  if (before && (WORD.test(before) || before === '\\' || before === '@' || before === '.')) return null;
  const query = text.slice(i, caret);
  if (!/\p{L}/u.test(query[0]!)) return null;
  return { start, query };
}

/** Lower case with «ё» as «е», for matching names. */
export function fold(s: string): string {
  return s.toLocaleLowerCase('ru').replace(/ё/g, 'е');
}

/** How a mention names someone: «Имя Фамилия», as the server writes it. */
export function mentionName(p: Pick<PersonRef, 'given_name' | 'family_name'>): string {
  return `${p.given_name} ${p.family_name}`.replace(/[[\]\n]/g, '').trim();
}

function words(p: PersonRef): string[] {
  return [p.family_name, p.given_name, p.patronymic ?? ''].flatMap((w) => fold(w).split(/[\s-]+/)).filter(Boolean);
}

/**
 * Members whose family name, given name or patronymic (or a part of a double one)
 * starts with the query; family-name matches first, then by name. `exclude`: the writer.
 */
export function matchMembers(list: ChatMember[], query: string, exclude?: number, limit = 8): ChatMember[] {
  const q = fold(query.trim());
  if (!q) return [];
  const sortKey = (m: ChatMember) => `${m.person.family_name} ${m.person.given_name}`;
  return list
    .filter((m) => m.person.id !== exclude && words(m.person).some((w) => w.startsWith(q)))
    .map((m) => ({ m, family: fold(m.person.family_name).startsWith(q) ? 0 : 1 }))
    .sort((a, b) => a.family - b.family || sortKey(a.m).localeCompare(sortKey(b.m), 'ru'))
    .slice(0, limit)
    .map((x) => x.m);
}

/** The text with the typed `@query` replaced by the mention, and where the caret goes. */
export function insertMention(text: string, at: MentionQuery, caret: number, p: Pick<PersonRef, 'id' | 'given_name' | 'family_name'>): { text: string; caret: number } {
  const mention = `@[${mentionName(p)}](${p.id}) `;
  const rest = text.slice(caret).replace(/^ /, '');
  return { text: text.slice(0, at.start) + mention + rest, caret: at.start + mention.length };
}
