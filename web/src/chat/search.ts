// Search hits as shown: a snippet of the message around the first match, with the
// matched words marked. The server matches word stems (Russian snowball); here a light
// ending-stripper finds the same forms closely enough to mark them.
import { fold } from './mentions';

export interface Segment {
  text: string;
  hit: boolean;
}

// Longest first: the first that leaves a stem of 3+ letters is taken off.
const ENDINGS = [
  'иями', 'ями', 'ами', 'ыми', 'ими', 'ого', 'его', 'ому', 'ему', 'ией', 'ться', 'ешь', 'ете', 'ишь', 'ите', 'ает', 'яет', 'ует', 'ют', 'ут', 'ат', 'ят',
  'ая', 'яя', 'ое', 'ее', 'ые', 'ие', 'ый', 'ий', 'ой', 'ей', 'ую', 'юю', 'ом', 'ем', 'ам', 'ям', 'ах', 'ях', 'ов', 'ев', 'ью', 'ия', 'ию', 'ии', 'ть',
  'ы', 'и', 'а', 'я', 'о', 'е', 'у', 'ю', 'ь', 'й',
  'ing', 'ed', 'es', 's',
];

const WORDS = /[\p{L}\p{N}]+/gu;

/** A word reduced to the part its forms share (lower case, «ё» as «е»). */
export function stem(word: string): string {
  const w = fold(word);
  for (const e of ENDINGS) if (w.endsWith(e) && w.length - e.length >= 3) return w.slice(0, -e.length);
  return w;
}

/** The stems a query looks for (words of two letters or more, as the server takes them). */
export function queryStems(query: string): string[] {
  const out: string[] = [];
  for (const m of query.matchAll(WORDS)) {
    if ([...m[0]].length < 2) continue;
    const s = stem(m[0]);
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

/** The text cut into plain and matched runs (a word matches when it starts with a stem). */
export function highlight(text: string, stems: string[]): Segment[] {
  const out: Segment[] = [];
  let at = 0;
  const push = (s: string, hit: boolean) => {
    if (!s) return;
    const last = out[out.length - 1];
    if (last && last.hit === hit) last.text += s;
    else out.push({ text: s, hit });
  };
  if (stems.length) {
    for (const m of text.matchAll(WORDS)) {
      const w = fold(m[0]);
      if (!stems.some((s) => w.startsWith(s))) continue;
      push(text.slice(at, m.index), false);
      push(m[0], true);
      at = m.index + m[0].length;
    }
  }
  push(text.slice(at), false);
  return out;
}

/**
 * A piece of the text about `max` characters long around its first match (whole words,
 * «…» where cut), marked. Line breaks become spaces.
 */
export function snippet(text: string, query: string, max = 160): Segment[] {
  const flat = text.replace(/\s+/g, ' ').trim();
  const stems = queryStems(query);
  const marked = highlight(flat, stems);
  if (flat.length <= max) return marked;
  let first = 0;
  let pos = 0;
  for (const s of marked) {
    if (s.hit) {
      first = pos;
      break;
    }
    pos += s.text.length;
  }
  let from = Math.max(0, first - Math.floor(max / 3));
  if (from > 0) {
    const space = flat.indexOf(' ', from);
    from = space >= 0 && space < first ? space + 1 : from;
  }
  let to = Math.min(flat.length, from + max);
  if (to < flat.length) {
    const space = flat.lastIndexOf(' ', to);
    if (space > from + max / 2) to = space;
  }
  const piece = flat.slice(from, to);
  return highlight(`${from > 0 ? '…' : ''}${piece}${to < flat.length ? '…' : ''}`, stems);
}
