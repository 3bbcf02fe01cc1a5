import { signal } from '@preact/signals';

export type RouteParams = Record<string, string>;

/**
 * Matches a pattern such as `/join/:token` or `/school/:org/:tab?` against a path
 * (query and hash ignored). Returns the decoded params, or null.
 */
export function matchRoute(pattern: string, path: string): RouteParams | null {
  const clean = (path.split(/[?#]/)[0] ?? '/').replace(/\/+$/, '') || '/';
  const pat = pattern.replace(/\/+$/, '') || '/';
  const ps = pat.split('/').filter(Boolean);
  const xs = clean.split('/').filter(Boolean);
  const params: RouteParams = {};
  let i = 0;
  for (; i < ps.length; i++) {
    const p = ps[i]!;
    const x = xs[i];
    if (p.startsWith(':')) {
      const optional = p.endsWith('?');
      const name = p.slice(1, optional ? -1 : undefined);
      if (x === undefined) {
        if (optional) continue;
        return null;
      }
      try {
        params[name] = decodeURIComponent(x);
      } catch {
        return null;
      }
    } else if (p !== x) {
      return null;
    }
  }
  if (xs.length > ps.length) return null;
  return params;
}

export function queryParam(search: string, name: string): string | null {
  return new URLSearchParams(search).get(name);
}

const here = () => (typeof location === 'undefined' ? '/' : location.pathname + location.search);
export const currentPath = signal<string>(here());

export function navigate(to: string, replace = false): void {
  if (to === here()) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  currentPath.value = here();
  window.scrollTo(0, 0);
}

/** Keeps currentPath in step with back/forward and turns same-origin link clicks into navigation. */
export function startRouter(): void {
  window.addEventListener('popstate', () => (currentPath.value = here()));
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
    e.preventDefault();
    navigate(url.pathname + url.search);
  });
}
