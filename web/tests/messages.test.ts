import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMember } from '../src/api/types';
import { lang } from '../src/i18n';
import { activeMention, insertMention, matchMembers } from '../src/chat/mentions';
import { layoutRich, plainText, safeHref, wrapSelection, type Block } from '../src/chat/rich';
import { highlight, queryStems, snippet, stem } from '../src/chat/search';
import { RichBody } from '../src/pages/chat-rich';
import { readsText } from '../src/pages/chat-reads';
import { forwardable, forwardTargets, problemText } from '../src/pages/chat-forward';
import { ApiError } from '../src/api/client';
import { MEMBER_ABILITIES, NO_ACTIONS } from './fixtures';

afterEach(() => {
  lang.value = 'ru';
});

// ---------- a tiny renderer: function components expanded, elements as tag trees ----------

interface El {
  tag: string;
  props: Record<string, unknown>;
  children: (El | string)[];
}
type VNodeLike = { type: unknown; props: Record<string, unknown> } | string | number | null | undefined | boolean | VNodeLike[];

function render(v: VNodeLike): (El | string)[] {
  if (v === null || v === undefined || typeof v === 'boolean') return [];
  if (typeof v === 'string' || typeof v === 'number') return [String(v)];
  if (Array.isArray(v)) return v.flatMap(render);
  if (typeof v.type === 'function') return render((v.type as (p: unknown) => VNodeLike)(v.props));
  if (typeof v.type !== 'string') return render(v.props.children as VNodeLike);
  const { children, ...props } = v.props;
  return [{ tag: v.type, props, children: render(children as VNodeLike) }];
}

function all(nodes: (El | string)[], tag: string): El[] {
  const out: El[] = [];
  for (const n of nodes) {
    if (typeof n === 'string') continue;
    if (n.tag === tag) out.push(n);
    out.push(...all(n.children, tag));
  }
  return out;
}

function text(nodes: (El | string)[]): string {
  return nodes.map((n) => (typeof n === 'string' ? n : text(n.children))).join('');
}

const para = (...spans: Block['spans']): Block => ({ kind: 'paragraph', spans });

describe('formatted messages', () => {
  it('draws bold, italic, code, lists and code blocks as elements', () => {
    const blocks: Block[] = [
      para({ text: 'Контрольная ' }, { text: 'в пятницу', bold: true }, { text: ', ' }, { text: 'не забудьте', italic: true }, { text: ' ' }, { text: 'x + 1', code: true }),
      { kind: 'bullet', spans: [{ text: 'тетрадь' }] },
      { kind: 'bullet', spans: [{ text: 'ручка' }] },
      { kind: 'numbered', spans: [{ text: 'первое' }] },
      { kind: 'code', spans: [{ text: 'let a = 1;\nlet b = 2;', code: true }] },
    ];
    const out = render(RichBody({ m: { body: '…', rich: blocks }, me: 1 }) as VNodeLike);
    expect(all(out, 'strong').map((e) => text(e.children))).toEqual(['в пятницу']);
    expect(all(out, 'em').map((e) => text(e.children))).toEqual(['не забудьте']);
    expect(all(out, 'ul')).toHaveLength(1);
    expect(all(all(out, 'ul')[0]!.children, 'li').map((e) => text(e.children))).toEqual(['тетрадь', 'ручка']);
    expect(all(out, 'ol')).toHaveLength(1);
    expect(text(all(out, 'pre'))).toBe('let a = 1;\nlet b = 2;');
  });

  it('links open in a new tab without the opener or referrer', () => {
    const out = render(RichBody({ m: { body: '', rich: [para({ text: 'расписание', link: 'https://school.example/plan?a=1' })] }, me: 1 }) as VNodeLike);
    const [a] = all(out, 'a');
    expect(a!.props.href).toBe('https://school.example/plan?a=1');
    expect(a!.props.target).toBe('_blank');
    expect(a!.props.rel).toBe('noopener noreferrer nofollow');
  });

  it('refuses every scheme but http, https and mailto: a javascript: link is plain text', () => {
    for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:x', '/relative', '//evil.example/x', '']) {
      expect(safeHref(bad), bad).toBeNull();
      const out = render(RichBody({ m: { body: '', rich: [para({ text: 'нажми', link: bad })] }, me: 1 }) as VNodeLike);
      expect(all(out, 'a'), bad).toHaveLength(0);
      expect(text(out)).toBe('нажми');
    }
    expect(safeHref('mailto:school@example.ru')).toBe('mailto:school@example.ru');
    expect(safeHref('http://example.ru')).toBe('http://example.ru/');
  });

  it('HTML-looking text stays text', () => {
    const evil = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const out = render(RichBody({ m: { body: evil, rich: [para({ text: evil, bold: true })] }, me: 1 }) as VNodeLike);
    expect(all(out, 'img')).toHaveLength(0);
    expect(all(out, 'script')).toHaveLength(0);
    expect(text(all(out, 'strong'))).toBe(evil);
    // The plain fallback (no blocks) too.
    const plain = render(RichBody({ m: { body: evil, rich: [] }, me: 1 }) as VNodeLike);
    expect(plain).toHaveLength(1);
    expect((plain[0] as El).tag).toBe('p');
    expect((plain[0] as El).children).toEqual([evil]);
  });

  it('marks mentions, the reader’s own one distinctly', () => {
    const blocks = [para({ text: '@Анна Волкова', mention: 7 }, { text: ' и ' }, { text: '@Мария Иванова', mention: 3 })];
    const out = render(RichBody({ m: { body: '', rich: blocks }, me: 3 }) as VNodeLike);
    const spans = all(out, 'span').filter((s) => s.props['data-mention']);
    expect(spans.map((s) => [s.props.class, s.props['data-mention']])).toEqual([
      ['mention', 7],
      ['mention mention--me', 3],
    ]);
    // A mention is never a link, even if a span carried both.
    expect(layoutRich([para({ text: '@X', mention: 5, link: 'https://x.example' })], 1)[0]).toEqual({ t: 'p', children: [{ t: 'mention', user: 5, text: '@X', me: false }] });
  });

  it('plain text for previews drops the markers', () => {
    expect(plainText([para({ text: 'Сбор в ' }, { text: '8:00', bold: true }), { kind: 'bullet', spans: [{ text: 'форма' }] }])).toBe('Сбор в 8:00\nформа');
    expect(plainText([], '**сырой**')).toBe('**сырой**');
  });

  it('wraps the selection in markers and unwraps it again', () => {
    const on = wrapSelection('сдать до пятницы', 6, 9, '**');
    expect(on).toEqual({ text: 'сдать **до** пятницы', start: 8, end: 10 });
    expect(wrapSelection(on.text, on.start, on.end, '**')).toEqual({ text: 'сдать до пятницы', start: 6, end: 8 });
    expect(wrapSelection('', 0, 0, '`')).toEqual({ text: '``', start: 1, end: 1 });
  });
});

// ---------- mentions ----------

const person = (id: number, family_name: string, given_name: string, patronymic: string | null = null): ChatMember => ({
  person: { id, family_name, given_name, patronymic },
  role: 'member',
  last_read_seq: 0,
  school_roles: [],
  teacher_verified: false,
  actions: NO_ACTIONS,
});
const members = [
  person(1, 'Иванова', 'Мария', 'Сергеевна'),
  person(2, 'Волкова', 'Ирина', 'Петровна'),
  person(3, 'Волков', 'Артём'),
  person(4, 'Семёнов', 'Илья'),
  person(5, 'Римская-Корсакова', 'Ольга'),
];

describe('mention picker', () => {
  it('finds the @query under the caret', () => {
    expect(activeMention('Напомню @Вол', 12)).toEqual({ start: 8, query: 'Вол' });
    expect(activeMention('@и', 2)).toEqual({ start: 0, query: 'и' });
    expect(activeMention('(@Сем', 5)).toEqual({ start: 1, query: 'Сем' });
    // Only up to the caret.
    expect(activeMention('@Волкова пишет', 4)).toEqual({ start: 0, query: 'Вол' });
  });

  it('does not open for e-mail addresses, a bare @, digits first, or past a space', () => {
    expect(activeMention('mail school@exa', 15)).toBeNull();
    expect(activeMention('скажу @', 7)).toBeNull();
    expect(activeMention('@5а', 3)).toBeNull();
    expect(activeMention('@Вол ', 5)).toBeNull();
    expect(activeMention('\\@Вол', 5)).toBeNull();
    expect(activeMention('нет собаки', 10)).toBeNull();
  });

  it('matches any word of the name by prefix, ignoring case and ё', () => {
    const ids = (q: string) => matchMembers(members, q).map((m) => m.person.id);
    expect(ids('вол')).toEqual([3, 2]);
    expect(ids('ИР')).toEqual([2]);
    expect(ids('сергеевна')).toEqual([1]);
    expect(ids('семен')).toEqual([4]);
    expect(ids('артем')).toEqual([3]);
    expect(ids('корс')).toEqual([5]);
    expect(ids('ова')).toEqual([]);
    // The writer is left out.
    expect(matchMembers(members, 'вол', 3).map((m) => m.person.id)).toEqual([2]);
  });

  it('inserts the mention the server reads, with the caret after it', () => {
    const text = 'Добрый день, @вол! Жду';
    const at = activeMention(text, 17)!;
    const r = insertMention(text, at, 17, members[1]!.person);
    expect(r.text).toBe('Добрый день, @[Ирина Волкова](2) ! Жду');
    expect(r.caret).toBe('Добрый день, @[Ирина Волкова](2) '.length);
    const end = insertMention('@ива', activeMention('@ива', 4)!, 4, members[0]!.person);
    expect(end).toEqual({ text: '@[Мария Иванова](1) ', caret: 20 });
  });
});

// ---------- search snippets ----------

describe('search snippets', () => {
  it('forms of a word share a stem', () => {
    expect(stem('контрольная')).toBe(stem('контрольной'));
    expect(stem('контрольную')).toBe(stem('контрольная'));
    expect(stem('Собрание')).toBe(stem('собранию'));
    expect(stem('ёлка')).toBe(stem('елки'));
    expect(queryStems('я в 5 А контрольная')).toEqual([stem('контрольная')]);
  });

  it('marks the matched words, whatever their form', () => {
    const parts = highlight('Завтра контрольной работы не будет; контрольная в среду.', queryStems('контрольная'));
    expect(parts.filter((p) => p.hit).map((p) => p.text)).toEqual(['контрольной', 'контрольная']);
    expect(parts.map((p) => p.text).join('')).toBe('Завтра контрольной работы не будет; контрольная в среду.');
    expect(highlight('ничего общего', queryStems('контрольная'))).toEqual([{ text: 'ничего общего', hit: false }]);
  });

  it('a long text is cut around the first match', () => {
    const long = `${'Вступление к письму. '.repeat(20)}Итоговая контрольная пройдёт в четверг. ${'Прочее. '.repeat(30)}`;
    const parts = snippet(long, 'контрольной', 80);
    const joined = parts.map((p) => p.text).join('');
    expect(joined.startsWith('…')).toBe(true);
    expect(joined.endsWith('…')).toBe(true);
    expect(joined.length).toBeLessThanOrEqual(82);
    expect(parts.some((p) => p.hit && p.text === 'контрольная')).toBe(true);
  });

  it('markup in a hit stays text', () => {
    const parts = snippet('<b>контрольная</b>', 'контрольная');
    expect(parts).toEqual([
      { text: '<b>', hit: false },
      { text: 'контрольная', hit: true },
      { text: '</b>', hit: false },
    ]);
  });
});

// ---------- reads and forwarding ----------

describe('who has read', () => {
  it('reads naturally in Russian and English', () => {
    expect(readsText({ read: 0, members: 5 })).toBe('Прочитали 0 из 5');
    expect(readsText({ read: 1, members: 5 })).toBe('Прочитал 1 из 5');
    expect(readsText({ read: 3, members: 25 })).toBe('Прочитали 3 из 25');
    expect(readsText({ read: 11, members: 25 })).toBe('Прочитали 11 из 25');
    expect(readsText({ read: 21, members: 25 })).toBe('Прочитал 21 из 25');
    lang.value = 'en';
    expect(readsText({ read: 1, members: 2 })).toBe('Read by 1 of 2');
  });
});

describe('forwarding', () => {
  const chat = (id: number, org_id: number, over: Record<string, unknown> = {}) =>
    ({ id, org_id, title: `Чат ${id}`, abilities: MEMBER_ABILITIES, muted_until: null, ...over }) as never;
  it('offers writable chats of the same school, not the source chat', () => {
    const list = [chat(1, 1), chat(2, 1), chat(3, 2), chat(4, 1, { abilities: { ...MEMBER_ABILITIES, post: false } }), chat(5, 1, { muted_until: new Date(Date.now() + 60_000).toISOString() }), chat(6, 1, { title: '5А — родители' })];
    expect(forwardTargets(list, { chat_id: 1 }, 1).map((c: { id: number }) => c.id)).toEqual([2, 6]);
    expect(forwardTargets(list, { chat_id: 1 }, 1, 'РОДИТ').map((c: { id: number }) => c.id)).toEqual([6]);
  });
  it('a refusal shows the server’s own words', () => {
    expect(problemText(new ApiError(409, 'message_deleted', 'Сообщение удалено.'))).toBe('Сообщение удалено.');
    expect(problemText(new ApiError(422, 'validation', 'Проверьте поля.', { forward_of: 'Опрос переслать нельзя.' }))).toBe('Опрос переслать нельзя.');
  });
  it('polls, deleted and held posts are not forwarded', () => {
    const m = { deleted: false, poll: null, held_until: null, seq: 4 } as never;
    expect(forwardable(m)).toBe(true);
    expect(forwardable({ ...(m as object), poll: { id: 1 } } as never)).toBe(false);
    expect(forwardable({ ...(m as object), deleted: true } as never)).toBe(false);
    expect(forwardable({ ...(m as object), held_until: '2026-01-01T00:00:00Z', seq: 0 } as never)).toBe(false);
  });
});
