// Remote-learning orders («Дистанционное обучение»), the pure part: where an order
// stands today, whether it can still be ended early, the request the registration form
// sends, and the form's errors at their fields from the server's codes.
import type { Order, OrderRequest } from '../api/types';

/**
 * Where an order stands on `today` (`YYYY-MM-DD`, the school's day):
 * - `in_force` — holding today, through its last day;
 * - `ending_today` — ended early today: holding through today, the timetable back tomorrow;
 * - `upcoming` — registered for days yet to come;
 * - `ended_early` — ended early and no longer holding;
 * - `cancelled` — ended before it began: it never took force;
 * - `over` — its period has passed.
 */
export type OrderStatus = 'in_force' | 'ending_today' | 'upcoming' | 'ended_early' | 'cancelled' | 'over';

export function orderStatus(o: Pick<Order, 'starts_on' | 'ends_on' | 'ended_early_at' | 'in_force_until' | 'in_force'>, today: string): OrderStatus {
  if (o.ended_early_at) {
    if (!o.in_force_until) return 'cancelled';
    return o.in_force_until >= today && o.starts_on <= today ? 'ending_today' : 'ended_early';
  }
  if (o.in_force || (o.starts_on <= today && today <= o.ends_on)) return 'in_force';
  if (today < o.starts_on) return 'upcoming';
  return 'over';
}

/** Whether «Завершить досрочно» is offered: an order in force or yet to begin, not ended already. */
export function canEnd(status: OrderStatus): boolean {
  return status === 'in_force' || status === 'upcoming';
}

/** The date a status line names (`{date}` in its wording), if any. */
export function statusDate(o: Pick<Order, 'starts_on' | 'ends_on' | 'in_force_until'>, status: OrderStatus): string | null {
  if (status === 'in_force' || status === 'over') return o.ends_on;
  if (status === 'upcoming') return o.starts_on;
  if (status === 'ended_early') return o.in_force_until ?? null;
  return null;
}

/** What the registration form holds. */
export interface OrderDraft {
  number: string;
  issued_on: string;
  reason: string;
  starts_on: string;
  ends_on: string;
  whole_school: boolean;
  class_ids: number[];
  document: number | null;
}

/** The request the form sends: text trimmed, no classes for the whole school, the classes in the order ticked once each. */
export function orderRequest(d: OrderDraft): OrderRequest {
  const classes = d.whole_school ? [] : d.class_ids.filter((id, i, all) => all.indexOf(id) === i);
  return {
    number: d.number.trim(),
    issued_on: d.issued_on,
    reason: d.reason.trim(),
    starts_on: d.starts_on,
    ends_on: d.ends_on,
    whole_school: d.whole_school,
    class_ids: classes,
    document: d.document ?? null,
  };
}

/** The inputs of the form a server field path is shown at (`class_ids[2]` → `class_ids`). */
export function orderField(path: string): string {
  const m = /^([a-z_]+)(\[\d+\])?/.exec(path);
  return m?.[1] ?? path;
}

/**
 * The form's errors at their fields: the area's own wording for a code it knows
 * (`text(code, field)` returns null when it has none), else the server's text; the
 * first error of a field wins.
 */
export function orderErrors(
  fieldCodes: Record<string, string>,
  fieldTexts: Record<string, string>,
  text: (code: string, field: string) => string | null,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, code] of Object.entries(fieldCodes)) {
    const field = orderField(path);
    if (field in out) continue;
    out[field] = text(code, field) ?? fieldTexts[path] ?? code;
  }
  for (const [path, detail] of Object.entries(fieldTexts)) {
    const field = orderField(path);
    if (!(field in out)) out[field] = detail;
  }
  return out;
}
