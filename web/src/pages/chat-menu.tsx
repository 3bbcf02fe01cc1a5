// A message's actions in one menu, opened by its «⋯» button, a right click or a long
// press, with a quick row of reactions on top. A menu button and a menu as ARIA has
// them: arrows, Home and End move, Escape or Tab close, and the focus goes back to the
// button. Drawn in the dialog host, outside the live log, so it is not read out as news.
import type { ComponentChildren, RefObject } from 'preact';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { showDialog } from '../components/ui';

export interface MenuAction {
  label: string;
  run: () => void;
  /** Opens a dialog (said by aria-haspopup). */
  dialog?: boolean;
  danger?: boolean;
}

export interface MenuReaction {
  emoji: string;
  mine: boolean;
  run: () => void;
}

const LONG_PRESS_MS = 500;

/** Opens a menu at a point (fixed position; a bottom sheet on a phone, by CSS). */
export function openMenu(opts: {
  x: number;
  y: number;
  label: string;
  reactionsLabel: string;
  reactions: MenuReaction[];
  actions: MenuAction[];
  trigger: HTMLElement | null;
  onClosed: () => void;
}): void {
  showDialog((close) => <ActionMenu {...opts} close={close} />);
}

function ActionMenu(p: Parameters<typeof openMenu>[0] & { close: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  // A finger lifted after a long press may click what is under it: the backdrop, at once.
  const openedAt = useRef(Date.now());
  const outside = () => Date.now() - openedAt.current > 400 && p.close();
  const items = () => Array.from(ref.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]') ?? []);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    // Where it was asked for, kept inside the window.
    const r = el.getBoundingClientRect();
    el.style.left = `${Math.max(8, Math.min(p.x, innerWidth - r.width - 8))}px`;
    el.style.top = `${Math.max(8, p.y + r.height > innerHeight - 8 ? p.y - r.height : p.y)}px`;
    const first = el.querySelector<HTMLElement>('[role="menuitem"]') ?? items()[0];
    first?.focus();
  }, []);
  // However it closes (an item, Escape, another dialog), the button gets the focus back.
  useEffect(
    () => () => {
      p.onClosed();
      if (p.trigger?.isConnected) p.trigger.focus({ preventScroll: true });
    },
    [],
  );
  const onKeyDown = (e: KeyboardEvent) => {
    const list = items();
    const i = list.indexOf(document.activeElement as HTMLElement);
    const go = (n: number) => {
      e.preventDefault();
      list[(n + list.length) % list.length]?.focus();
    };
    if (e.key === 'ArrowDown' || e.key === 'ArrowRight') go(i + 1);
    else if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') go(i - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(list.length - 1);
    else if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault();
      p.close();
    }
  };
  // The action runs after the menu is gone, so a dialog it opens takes its place.
  const pick = (run: () => void) => () => {
    p.close();
    run();
  };
  return (
    <>
      <div
        class="menu-backdrop"
        aria-hidden="true"
        onClick={outside}
        onContextMenu={(e) => {
          e.preventDefault();
          outside();
        }}
      />
      <div class="msg-menu" role="menu" aria-label={p.label} ref={ref} onKeyDown={onKeyDown}>
        {p.reactions.length ? (
          <div class="menu-reactions" role="group" aria-label={p.reactionsLabel}>
            {p.reactions.map((r) => (
              <button key={r.emoji} type="button" role="menuitemcheckbox" aria-checked={r.mine} tabIndex={-1} class="reaction" onClick={pick(r.run)}>
                {r.emoji}
              </button>
            ))}
          </div>
        ) : null}
        {p.actions.map((a) => (
          <button
            key={a.label}
            type="button"
            role="menuitem"
            tabIndex={-1}
            class={`menu-item${a.danger ? ' menu-item--danger' : ''}`}
            aria-haspopup={a.dialog ? 'dialog' : undefined}
            onClick={pick(a.run)}
          >
            {a.label}
          </button>
        ))}
      </div>
    </>
  );
}

/**
 * Handlers that open the menu on a long press (a finger held still) and on a right click;
 * `open` gets the point. A press on a link, a button or a field keeps its own meaning.
 */
export function useMenuGestures(open: (x: number, y: number) => void) {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const start = useRef<[number, number]>([0, 0]);
  const cancel = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
  };
  const own = (e: Event) => !(e.target as Element).closest?.('a, button, input, textarea, select, label, .poll');
  return {
    onContextMenu: (e: MouseEvent) => {
      if (!own(e)) return;
      e.preventDefault();
      cancel();
      open(e.clientX, e.clientY);
    },
    onTouchStart: (e: TouchEvent) => {
      const t = e.touches[0];
      if (!t || e.touches.length > 1 || !own(e)) return;
      start.current = [t.clientX, t.clientY];
      cancel();
      timer.current = setTimeout(() => {
        timer.current = null;
        open(start.current[0], start.current[1]);
      }, LONG_PRESS_MS);
    },
    onTouchMove: (e: TouchEvent) => {
      const t = e.touches[0];
      if (t && Math.hypot(t.clientX - start.current[0], t.clientY - start.current[1]) > 10) cancel();
    },
    onTouchEnd: cancel,
    onTouchCancel: cancel,
  };
}

/** The «⋯» button that opens a message's menu (Enter, Space or ArrowDown from the keyboard). */
export function MenuButton({
  expanded,
  label,
  onOpen,
  buttonRef,
  children,
}: {
  expanded: boolean;
  label: string;
  onOpen: (el: HTMLElement) => void;
  buttonRef?: RefObject<HTMLButtonElement>;
  children?: ComponentChildren;
}) {
  return (
    <button
      ref={buttonRef}
      type="button"
      class="msg-more"
      aria-haspopup="menu"
      aria-expanded={expanded}
      aria-label={label}
      title={label}
      onClick={(e) => onOpen(e.currentTarget as HTMLElement)}
      onKeyDown={(e) => {
        // ArrowDown opens it as well, as a menu button does.
        if (e.key === 'ArrowDown') {
          e.preventDefault();
          onOpen(e.currentTarget as HTMLElement);
        }
      }}
    >
      {children ?? <span aria-hidden="true">⋯</span>}
    </button>
  );
}
