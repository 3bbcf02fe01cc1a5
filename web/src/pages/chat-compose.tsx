// Composer helpers: the @-mention picker (a combobox over the textarea) and the
// bold/italic/code buttons. The text rules live in ../chat/mentions and ../chat/rich.
import type { ComponentChildren, RefObject } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ChatMember } from '../api/types';
import { useId } from '../components/ui';
import { activeMention, insertMention, matchMembers, type MentionQuery } from '../chat/mentions';
import { wrapSelection } from '../chat/rich';
import { fullName } from '../format';
import { t } from '../i18n';

interface Picker {
  /** Attributes that tie the textarea to the list of names. */
  aria: Record<string, string | boolean | undefined>;
  /** Call from input, click and caret moves. */
  update: () => void;
  /** Call first from onKeyDown; true when the picker used the key. */
  onKeyDown: (e: KeyboardEvent) => boolean;
  list: ComponentChildren;
}

/** Keeps the caret where an edit put it once the controlled value is drawn. */
export function useCaret(area: RefObject<HTMLTextAreaElement>) {
  const want = useRef<[number, number] | null>(null);
  useLayoutEffect(() => {
    const el = area.current;
    if (el && want.current) {
      el.setSelectionRange(want.current[0], want.current[1]);
      want.current = null;
    }
  });
  return (start: number, end = start) => (want.current = [start, end]);
}

export function useMentionPicker(opts: {
  area: RefObject<HTMLTextAreaElement>;
  text: string;
  setText: (s: string) => void;
  members: ChatMember[] | undefined;
  myId: number;
}): Picker {
  const { area, text, setText, members, myId } = opts;
  const listId = useId('mentions');
  const [at, setAt] = useState<MentionQuery | null>(null);
  const [active, setActive] = useState(0);
  const [closedAt, setClosedAt] = useState<number | null>(null);
  const setCaret = useCaret(area);
  const found = at && members ? matchMembers(members, at.query, myId) : [];
  const open = !!at && found.length > 0 && closedAt !== at.start;
  const current = open ? Math.min(active, found.length - 1) : -1;

  const update = () => {
    const el = area.current;
    if (!el) return;
    const q = activeMention(el.value, el.selectionStart ?? el.value.length);
    if (q?.start !== at?.start || q?.query !== at?.query) setActive(0);
    // Escape closes the list for this @word until it is typed on.
    if (!q || q.start !== closedAt || q.query !== at?.query) setClosedAt(null);
    setAt(q);
  };
  const choose = (m: ChatMember) => {
    const el = area.current;
    if (!el || !at) return;
    const next = insertMention(text, at, el.selectionStart ?? text.length, m.person);
    setText(next.text);
    setCaret(next.caret);
    setAt(null);
    el.focus();
  };
  const onKeyDown = (e: KeyboardEvent): boolean => {
    if (!open) return false;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const n = found.length;
      setActive((current + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
      return true;
    }
    if ((e.key === 'Enter' || e.key === 'Tab') && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      choose(found[current]!);
      return true;
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      setClosedAt(at!.start);
      return true;
    }
    return false;
  };
  const optionId = (i: number) => `${listId}-${i}`;
  return {
    // A textarea keeps its textbox role (a combobox cannot be multi-line); these are
    // the textbox's own autocomplete attributes.
    aria: {
      'aria-autocomplete': 'list',
      'aria-haspopup': 'listbox',
      'aria-controls': open ? listId : undefined,
      'aria-activedescendant': open ? optionId(current) : undefined,
    },
    update,
    onKeyDown,
    list: open ? (
      <ul class="mention-list" role="listbox" id={listId} aria-label={t('msg.mentions')}>
        {found.map((m, i) => (
          <li
            key={m.person.id}
            id={optionId(i)}
            role="option"
            aria-selected={i === current}
            class={`mention-option${i === current ? ' mention-option--active' : ''}`}
            data-user-id={m.person.id}
            // Keep the focus in the textarea: the choice happens on click.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => choose(m)}
          >
            {fullName(m.person)}
          </li>
        ))}
      </ul>
    ) : null,
  };
}

const TOOLS = [
  { marker: '**', key: 'msg.bold', label: 'Ж', cls: 'fmt-bold' },
  { marker: '*', key: 'msg.italic', label: 'К', cls: 'fmt-italic' },
  { marker: '`', key: 'msg.code', label: '</>', cls: 'fmt-code' },
] as const;

/** Bold, italic and code buttons: wrap the selection in the markers the server reads. */
export function FormatTools({ area, text, setText }: { area: RefObject<HTMLTextAreaElement>; text: string; setText: (s: string) => void }) {
  const setCaret = useCaret(area);
  return (
    <div class="fmt-tools" role="group" aria-label={t('msg.format_tools')}>
      {TOOLS.map((tool) => (
        <button
          key={tool.marker}
          type="button"
          class={`btn btn--secondary btn--small fmt-btn ${tool.cls}`}
          title={t(tool.key)}
          aria-label={t(tool.key)}
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => {
            const el = area.current;
            if (!el) return;
            const r = wrapSelection(text, el.selectionStart ?? text.length, el.selectionEnd ?? text.length, tool.marker);
            setText(r.text);
            setCaret(r.start, r.end);
            el.focus();
          }}
        >
          <span aria-hidden="true">{tool.label}</span>
        </button>
      ))}
    </div>
  );
}
