// Formatted message text drawn as elements (never as HTML), and the «Переслано» line.
import type { ComponentChildren } from 'preact';
import type { Message } from '../api/types';
import { layoutRich, type Inline, type RichBlock } from '../chat/rich';
import { dateTime, shortName } from '../format';
import { t } from '../i18n';

function InlineNode({ n }: { n: Inline }): ComponentChildren {
  switch (n.t) {
    case 'text':
      return n.text;
    case 'code':
      return <code>{n.text}</code>;
    case 'strong':
      return <strong>{n.children.map((c, i) => <InlineNode key={i} n={c} />)}</strong>;
    case 'em':
      return <em>{n.children.map((c, i) => <InlineNode key={i} n={c} />)}</em>;
    case 'link':
      return (
        <a href={n.href} target="_blank" rel="noopener noreferrer nofollow">
          {n.children.map((c, i) => <InlineNode key={i} n={c} />)}
          <span class="visually-hidden"> {t('msg.link_new_tab')}</span>
        </a>
      );
    case 'mention':
      return (
        <span class={`mention${n.me ? ' mention--me' : ''}`} data-mention={n.user}>
          {n.text}
          {n.me ? <span class="visually-hidden"> ({t('msg.mention_me')})</span> : null}
        </span>
      );
  }
}

const inlines = (list: Inline[]) => list.map((c, i) => <InlineNode key={i} n={c} />);

function BlockNode({ b }: { b: RichBlock }) {
  switch (b.t) {
    case 'p':
      return <p class="rich-p">{inlines(b.children)}</p>;
    case 'pre':
      return (
        <pre class="rich-pre">
          <code>{b.text}</code>
        </pre>
      );
    case 'ul':
    case 'ol': {
      const Tag = b.t;
      return (
        <Tag class="rich-list">
          {b.items.map((item, i) => (
            <li key={i}>{inlines(item)}</li>
          ))}
        </Tag>
      );
    }
  }
}

/** A message's text: its parsed blocks, or the plain body when the server sent none. */
export function RichBody({ m, me }: { m: Pick<Message, 'body' | 'rich'>; me: number }) {
  const blocks = m.rich?.length ? layoutRich(m.rich, me) : null;
  if (!blocks) return m.body ? <p class="msg-body">{m.body}</p> : null;
  return (
    <div class="msg-body msg-rich">
      {blocks.map((b, i) => (
        <BlockNode key={i} b={b} />
      ))}
    </div>
  );
}

/** «Переслано · автор: Иванова М. С., 21.11.2026 10:00». */
export function ForwardedLabel({ m, timeZone }: { m: Message; timeZone?: string }) {
  const f = m.forwarded_from;
  // An imported message keeps whose it forwarded by name alone.
  if (!f && m.forwarded_from_name) return <p class="msg-forwarded">{t('msg.forwarded_from_name', { name: m.forwarded_from_name })}</p>;
  if (!f) return null;
  return (
    <p class="msg-forwarded" data-forwarded-from={f.sender.id}>
      {t('msg.forwarded_from', { name: shortName(f.sender), time: dateTime(f.sent_at, timeZone) })}
    </p>
  );
}
