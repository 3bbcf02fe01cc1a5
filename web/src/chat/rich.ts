// Formatted messages: the server parses a body into blocks of styled spans; this turns
// them into a small tree the page draws as elements. Text stays text here — nothing is
// ever read as markup — and a link is kept only with a scheme we trust.
import type { components } from '../api/schema';

export type Block = components['schemas']['Block'];
export type Span = components['schemas']['Span'];

export type Inline =
  | { t: 'text'; text: string }
  | { t: 'code'; text: string }
  | { t: 'strong' | 'em'; children: Inline[] }
  | { t: 'link'; href: string; children: Inline[] }
  | { t: 'mention'; user: number; text: string; me: boolean };

export type RichBlock = { t: 'p'; children: Inline[] } | { t: 'ul' | 'ol'; items: Inline[][] } | { t: 'pre'; text: string };

const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/** The address when it is an absolute http, https or mailto URL; null for anything else. */
export function safeHref(address: string | null | undefined): string | null {
  if (!address) return null;
  const raw = address.trim();
  // Control characters and spaces could hide a scheme from a lenient parser.
  if (/[\u0000-\u0020\u007f]/.test(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  return SAFE_SCHEMES.has(url.protocol) ? url.href : null;
}

function inline(span: Span, me: number): Inline {
  let node: Inline;
  if (span.mention != null) node = { t: 'mention', user: span.mention, text: span.text, me: span.mention === me };
  else if (span.code) node = { t: 'code', text: span.text };
  else node = { t: 'text', text: span.text };
  if (span.italic) node = { t: 'em', children: [node] };
  if (span.bold) node = { t: 'strong', children: [node] };
  const href = span.mention == null ? safeHref(span.link) : null;
  if (href) node = { t: 'link', href, children: [node] };
  return node;
}

/**
 * Blocks as drawn: paragraphs, runs of list items gathered into one list, code blocks.
 * `me`: the reader's id (their own mentions are marked).
 */
export function layoutRich(blocks: Block[], me: number): RichBlock[] {
  const out: RichBlock[] = [];
  for (const b of blocks) {
    const spans = b.spans.map((s) => inline(s, me));
    if (b.kind === 'code') {
      out.push({ t: 'pre', text: b.spans.map((s) => s.text).join('') });
    } else if (b.kind === 'bullet' || b.kind === 'numbered') {
      const tag = b.kind === 'bullet' ? 'ul' : 'ol';
      const last = out[out.length - 1];
      if (last && last.t === tag) last.items.push(spans);
      else out.push({ t: tag, items: [spans] });
    } else {
      out.push({ t: 'p', children: spans });
    }
  }
  return out;
}

/** The text a reader sees, without markers (for snippets and quotes). */
export function plainText(blocks: Block[], fallback = ''): string {
  if (!blocks.length) return fallback;
  return blocks.map((b) => b.spans.map((s) => s.text).join('')).join('\n');
}

/**
 * Puts a marker (`**`, `*`, `` ` ``) around the selection, or takes it off when the
 * selection is already wrapped; with nothing selected, leaves the caret between a pair.
 */
export function wrapSelection(text: string, start: number, end: number, marker: string): { text: string; start: number; end: number } {
  const k = marker.length;
  // A double-click takes the space after a word too; markers must touch the word.
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  while (start < end && /\s/.test(text[start]!)) start++;
  const inner = text.slice(start, end);
  if (start >= k && text.slice(start - k, start) === marker && text.slice(end, end + k) === marker) {
    return { text: text.slice(0, start - k) + inner + text.slice(end + k), start: start - k, end: end - k };
  }
  return { text: text.slice(0, start) + marker + inner + marker + text.slice(end), start: start + k, end: end + k };
}
