// A year's bells: a table per shift of numbered lessons with their start and end,
// rows added and removed, the whole schedule saved at once. The server names a
// refused bell by its place in what was sent (`bells[2].starts_at`); the model maps
// that back to the row, so the message shows in the right cell.
import type { JSX } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import type { AcademicYear } from '../../api/types';
import { errorText, Notice, useId } from '../../components/ui';
import { t } from './year.strings';
import { api } from '../../state';
import {
  SHIFTS_MAX,
  SHIFT_STARTS,
  SLOT_MAX,
  bellErrors,
  bellRowsOf,
  bellsRequest,
  shiftRows,
  shiftsShown,
  withBell,
  withNewBell,
  withUsualShift,
  withoutBell,
  type BellField,
  type BellRow,
} from '../../school-year/model';
import { useFocusOnOpen } from './year-parts';

type CellErrors = Record<number, Partial<Record<BellField, string>>>;

export function BellsEditor({ org, year, onSaved, onClose }: { org: number; year: AcademicYear; onSaved: () => void; onClose: () => void }) {
  const [rows, setRows] = useState<BellRow[]>(() => bellRowsOf(year.bells));
  const [opened, setOpened] = useState(1);
  const [errors, setErrors] = useState<CellErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [refused, setRefused] = useState(0);
  const [focusKey, setFocusKey] = useState<number | null>(null);
  const title = useFocusOnOpen<HTMLHeadingElement>();
  const form = useRef<HTMLFormElement>(null);
  const titleId = useId('bells');
  const shifts = shiftsShown(rows, opened);

  useLayoutEffect(() => {
    if (refused) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [refused]);

  const edit = (next: BellRow[]) => {
    setRows(next);
    setSaved(false);
  };
  const clearCell = (key: number, field: BellField) =>
    setErrors((e) => {
      if (!e[key]?.[field]) return e;
      const cell = { ...e[key] };
      delete cell[field];
      return { ...e, [key]: cell };
    });

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setMessage(null);
    setSaved(false);
    const { body, keys } = bellsRequest(rows);
    try {
      const next = await api.put('/api/v1/orgs/{org_id}/years/{year_id}/bells', { org_id: org, year_id: year.id }, body);
      setRows(bellRowsOf(next.bells));
      setErrors({});
      setSaved(true);
      onSaved();
    } catch (err) {
      const problem = err instanceof ApiError ? err : new ApiError(0, 'unexpected', errorText(err));
      const { at, rest } = bellErrors(problem.fields, keys);
      setErrors(at);
      setMessage([problem.detail, ...rest].filter(Boolean).join(' '));
      setRefused((n) => n + 1);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form ref={form} class="card form bells" noValidate aria-labelledby={titleId} onSubmit={submit}>
      <h2 id={titleId} ref={title} tabIndex={-1}>
        {t('bells.title', { name: year.name })}
      </h2>
      <p class="hint">{t('bells.hint')}</p>
      {saved ? <Notice>{t('bells.saved')}</Notice> : null}
      {message ? (
        <div class="alert alert--error" role="alert">
          {message}
        </div>
      ) : null}
      {shifts.map((shift) => {
        const own = shiftRows(rows, shift);
        const numbers = own.map((r) => Number(r.number)).filter(Number.isFinite);
        const full = numbers.length > 0 && Math.max(...numbers) >= SLOT_MAX;
        return (
          <section key={shift} class="shift" aria-labelledby={`${titleId}-shift-${shift}`} data-shift={shift}>
            <h3 id={`${titleId}-shift-${shift}`}>{t('bells.shift', { n: shift })}</h3>
            {own.length ? (
              <div class="table-wrap">
                <table class="table bells-table">
                  <caption class="visually-hidden">{t('bells.shift', { n: shift })}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('bells.number')}</th>
                      <th scope="col">{t('bells.starts_at')}</th>
                      <th scope="col">{t('bells.ends_at')}</th>
                      <th scope="col">
                        <span class="visually-hidden">{t('bells.actions')}</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {own.map((r, i) => (
                      <BellRowView
                        key={r.key}
                        row={r}
                        index={i}
                        errors={errors[r.key] ?? {}}
                        autoFocus={focusKey === r.key}
                        onChange={(field, v) => {
                          edit(withBell(rows, r.key, field, v));
                          clearCell(r.key, field);
                        }}
                        onRemove={() => {
                          edit(withoutBell(rows, r.key));
                          form.current?.querySelector<HTMLElement>(`[data-add-shift="${shift}"]`)?.focus();
                        }}
                      />
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <p class="muted">{t('bells.empty')}</p>
            )}
            <div class="actions">
              <button
                type="button"
                class="btn btn--secondary btn--small"
                data-add-shift={shift}
                disabled={full}
                onClick={() => {
                  const next = withNewBell(rows, shift);
                  const added = next.find((r) => !rows.includes(r));
                  if (added) setFocusKey(added.key);
                  edit(next);
                }}
              >
                {t('bells.add')}
                <span class="visually-hidden"> — {t('bells.shift', { n: shift })}</span>
              </button>
              {!own.length ? (
                <>
                  <button type="button" class="btn btn--secondary btn--small" onClick={() => edit(withUsualShift(rows, shift))}>
                    {t('bells.fill')}
                    <span class="visually-hidden"> — {t('bells.shift', { n: shift })}</span>
                  </button>
                  <span class="hint">{t('bells.fill_hint', { start: SHIFT_STARTS[shift] ?? '08:30' })}</span>
                </>
              ) : null}
            </div>
          </section>
        );
      })}
      <div class="actions">
        <button type="submit" class="btn btn--primary" disabled={busy} aria-busy={busy || undefined}>
          {t('bells.save')}
        </button>
        {shifts.length < SHIFTS_MAX ? (
          <button type="button" class="btn btn--secondary" onClick={() => setOpened(shifts.length + 1)}>
            {t('bells.add_shift')}
          </button>
        ) : null}
        <button type="button" class="btn btn--secondary" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </form>
  );
}

function BellRowView({
  row,
  index,
  errors,
  autoFocus,
  onChange,
  onRemove,
}: {
  row: BellRow;
  index: number;
  errors: Partial<Record<BellField, string>>;
  autoFocus: boolean;
  onChange: (field: BellField, value: string) => void;
  onRemove: () => void;
}) {
  const id = useId('bell');
  const start = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => {
    if (autoFocus) start.current?.focus();
  }, []);
  const n = row.number.trim() || '?';
  const cell = (field: BellField, label: string, input: (attrs: Record<string, unknown>) => JSX.Element) => {
    const error = errors[field];
    return (
      <td class={error ? 'field--error' : undefined}>
        <label class="visually-hidden" for={`${id}-${field}`}>
          {label}
        </label>
        {input({
          id: `${id}-${field}`,
          name: `bells.${row.shift}.${field}`,
          'aria-invalid': error ? true : undefined,
          'aria-describedby': error ? `${id}-${field}-error` : undefined,
        })}
        {error ? (
          <p class="field-error" id={`${id}-${field}-error`}>
            {error}
          </p>
        ) : null}
      </td>
    );
  };
  return (
    <tr data-bell={`${row.shift}-${n}`}>
      {cell('number', t('bells.number_label', { shift: row.shift, row: index + 1 }), (a) => (
        <input
          {...a}
          class="bell-number"
          type="number"
          min={0}
          max={SLOT_MAX}
          inputMode="numeric"
          value={row.number}
          onInput={(e) => onChange('number', (e.currentTarget as HTMLInputElement).value)}
        />
      ))}
      {cell('starts_at', t('bells.start_label', { shift: row.shift, n }), (a) => (
        <input {...a} ref={start} class="bell-time" type="time" value={row.starts_at} onInput={(e) => onChange('starts_at', (e.currentTarget as HTMLInputElement).value)} />
      ))}
      {cell('ends_at', t('bells.end_label', { shift: row.shift, n }), (a) => (
        <input {...a} class="bell-time" type="time" value={row.ends_at} onInput={(e) => onChange('ends_at', (e.currentTarget as HTMLInputElement).value)} />
      ))}
      <td>
        <button type="button" class="btn btn--secondary btn--small bell-remove" aria-label={t('bells.remove_label', { shift: row.shift, n })} onClick={onRemove}>
          <span class="bell-remove-text">{t('bells.remove')}</span>
          <span class="bell-remove-x" aria-hidden="true">
            ✕
          </span>
        </button>
      </td>
    </tr>
  );
}
