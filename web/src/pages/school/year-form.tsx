// A school year's form, new or changed: name and dates, the school week, the division
// (its period rows follow it), holidays and days off, and for a new year the bells to
// take from an earlier one. The server's complaints are shown at their fields
// (`periods[1].starts_on`, `days_off[0].name`); nothing typed is lost on a refusal.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import type { AcademicYear, DayOffKind, PeriodKind } from '../../api/types';
import { errorText, useId } from '../../components/ui';
import { t, tn, type Key } from './year.strings';
import { api } from '../../state';
import {
  PERIOD_KINDS,
  draftOf,
  isUsual,
  newYearDraft,
  placeErrors,
  refilled,
  withDayOff,
  withEndsOn,
  withKind,
  withNewDayOff,
  withPeriod,
  withStartsOn,
  withoutDayOff,
  withoutError,
  withoutRowErrors,
  yearFields,
  yearOf,
  yearRequest,
  type DayOffRow,
  type FieldErrors,
  type YearDraft,
} from '../../school-year/model';
import { DraftInput, DraftSelect, useFocusOnOpen } from './year-parts';

export function YearForm({
  org,
  years,
  year,
  onSaved,
  onCancel,
}: {
  org: number;
  years: AcademicYear[];
  /** The year changed; none for a new one. */
  year?: AcademicYear;
  onSaved: (year: AcademicYear) => void;
  onCancel: () => void;
}) {
  const creating = !year;
  const [draft, setDraft] = useState<YearDraft>(() => (year ? draftOf(year) : newYearDraft(years, new Date())));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [refused, setRefused] = useState(0);
  const [focusRow, setFocusRow] = useState<number | null>(null);
  const title = useFocusOnOpen<HTMLHeadingElement>();
  const form = useRef<HTMLFormElement>(null);
  const addButton = useRef<HTMLButtonElement>(null);
  const titleId = useId('year-form');
  const startYear = yearOf(draft.starts_on);

  // After a refusal, the first field the server complained about takes the focus.
  useLayoutEffect(() => {
    if (refused) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [refused]);

  const change = (next: YearDraft, ...fields: string[]) => {
    setDraft(next);
    if (fields.length) setErrors((e) => fields.reduce(withoutError, e));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setMessage(null);
    let saved: AcademicYear | null = null;
    try {
      const body = yearRequest(draft, creating);
      saved = year
        ? await api.put('/api/v1/orgs/{org_id}/years/{year_id}', { org_id: org, year_id: year.id }, body)
        : await api.post('/api/v1/orgs/{org_id}/years', { org_id: org }, body);
    } catch (err) {
      const problem = err instanceof ApiError ? err : new ApiError(0, 'unexpected', errorText(err));
      const { at, rest } = placeErrors(problem.fields, yearFields(draft, creating));
      setErrors(at);
      setMessage([problem.detail, ...rest].filter(Boolean).join(' '));
      setRefused((n) => n + 1);
    } finally {
      setBusy(false);
    }
    if (saved) onSaved(saved);
  };

  const kindName = (k: PeriodKind) => t(`year.kind.${k}` as Key);
  const withBells = years.filter((y) => y.bells.length > 0);

  return (
    <form ref={form} class="card form year-form" noValidate aria-labelledby={titleId} onSubmit={submit}>
      <h2 id={titleId} ref={title} tabIndex={-1}>
        {year ? t('year.edit_title', { name: year.name }) : t('year.new')}
      </h2>
      {message ? (
        <div class="alert alert--error" role="alert">
          {message}
        </div>
      ) : null}
      <div class="row">
        <DraftInput
          name="name"
          label={t('year.name')}
          required
          maxLength={40}
          value={draft.name}
          hint={t('year.name_hint')}
          error={errors.name}
          onInput={(v) => change({ ...draft, name: v }, 'name')}
        />
        <DraftInput
          name="starts_on"
          type="date"
          label={t('year.starts_on')}
          required
          value={draft.starts_on}
          error={errors.starts_on}
          onInput={(v) => change(withStartsOn(draft, v), 'starts_on', 'periods[0].starts_on')}
        />
        <DraftInput
          name="ends_on"
          type="date"
          label={t('year.ends_on')}
          required
          value={draft.ends_on}
          error={errors.ends_on}
          onInput={(v) => change(withEndsOn(draft, v), 'ends_on')}
        />
      </div>
      {startYear !== null && isUsual(draft, startYear) ? (
        <p class="hint usual-hint">{t('year.usual_hint')}</p>
      ) : (
        <div class="actions refill">
          <button type="button" class="btn btn--secondary btn--small" disabled={startYear === null} onClick={() => change(refilled(draft))}>
            {t('year.refill')}
          </button>
        </div>
      )}

      <div class="choices">
        <Choice
          legend={t('year.week')}
          value={String(draft.school_days)}
          options={[
            { value: '5', label: t('year.week_5') },
            { value: '6', label: t('year.week_6') },
          ]}
          error={errors.school_days}
          onChange={(v) => change({ ...draft, school_days: v === '6' ? 6 : 5 }, 'school_days')}
        />
        <Choice
          legend={t('year.division')}
          hint={t('year.division_hint')}
          value={draft.period_kind}
          options={PERIOD_KINDS.map((k) => ({ value: k, label: kindName(k) }))}
          error={errors.period_kind}
          onChange={(v) => {
            // The rows are new: what was said about the old ones no longer applies.
            setErrors((e) => Object.fromEntries(Object.entries(e).filter(([f]) => !f.startsWith('periods') && f !== 'period_kind')));
            setDraft(withKind(draft, v as PeriodKind));
          }}
        />
      </div>

      <fieldset class="periods" aria-describedby={errors.periods ? `${titleId}-periods-error` : undefined}>
        <legend>{kindName(draft.period_kind)}</legend>
        {errors.periods ? (
          <p class="field-error" id={`${titleId}-periods-error`}>
            {errors.periods}
          </p>
        ) : null}
        <div class="period-rows">
          {draft.periods.map((p, i) => (
            <fieldset key={p.key} class="subgroup period-row">
              <legend>{t(`year.period.${draft.period_kind}` as Key, { n: i + 1 })}</legend>
              <div class="row">
                <DraftInput
                  name={`periods[${i}].starts_on`}
                  type="date"
                  label={t('year.period_from')}
                  value={p.starts_on}
                  error={errors[`periods[${i}].starts_on`]}
                  onInput={(v) => change(withPeriod(draft, i, 'starts_on', v), `periods[${i}].starts_on`)}
                />
                <DraftInput
                  name={`periods[${i}].ends_on`}
                  type="date"
                  label={t('year.period_to')}
                  value={p.ends_on}
                  error={errors[`periods[${i}].ends_on`]}
                  onInput={(v) => change(withPeriod(draft, i, 'ends_on', v), `periods[${i}].ends_on`)}
                />
              </div>
            </fieldset>
          ))}
        </div>
      </fieldset>

      <fieldset class="days-off" aria-describedby={`${titleId}-days-off-hint${errors.days_off ? ` ${titleId}-days-off-error` : ''}`}>
        <legend>{t('year.days_off')}</legend>
        <p class="hint" id={`${titleId}-days-off-hint`}>
          {t('year.days_off_hint')}
        </p>
        {errors.days_off ? (
          <p class="field-error" id={`${titleId}-days-off-error`}>
            {errors.days_off}
          </p>
        ) : null}
        {!draft.days_off.length ? <p class="muted">{t('year.days_off_none')}</p> : null}
        {draft.days_off.map((d, i) => (
          <DayOffFields
            key={d.key}
            row={d}
            index={i}
            errors={errors}
            autoFocus={focusRow === d.key}
            onChange={(field, v) => change(withDayOff(draft, i, field, v), `days_off[${i}].${field}`)}
            onRemove={() => {
              setDraft(withoutDayOff(draft, i));
              setErrors((e) => withoutRowErrors(e, 'days_off', i));
              addButton.current?.focus();
            }}
          />
        ))}
        <button
          ref={addButton}
          type="button"
          class="btn btn--secondary btn--small"
          onClick={() => {
            const next = withNewDayOff(draft);
            setFocusRow(next.days_off[next.days_off.length - 1]!.key);
            change(next, 'days_off');
          }}
        >
          {t('year.day_off_add')}
        </button>
      </fieldset>

      {creating && withBells.length ? (
        <DraftSelect
          name="copy_bells_from"
          label={t('year.copy_bells')}
          value={draft.copy_bells_from}
          error={errors.copy_bells_from}
          options={[
            { value: '', label: t('year.copy_bells_none') },
            ...withBells.map((y) => ({ value: String(y.id), label: `${y.name} (${tn('year.bells_n', y.bells.length)})` })),
          ]}
          onChange={(v) => change({ ...draft, copy_bells_from: v }, 'copy_bells_from')}
        />
      ) : null}

      <div class="actions">
        <button type="submit" class="btn btn--primary" disabled={busy} aria-busy={busy || undefined}>
          {creating ? t('year.create') : t('common.save')}
        </button>
        <button type="button" class="btn btn--secondary" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function DayOffFields({
  row,
  index,
  errors,
  autoFocus,
  onChange,
  onRemove,
}: {
  row: DayOffRow;
  index: number;
  errors: FieldErrors;
  autoFocus: boolean;
  onChange: (field: 'starts_on' | 'ends_on' | 'kind' | 'name', value: string) => void;
  onRemove: () => void;
}) {
  const ref = useRef<HTMLFieldSetElement>(null);
  useLayoutEffect(() => {
    if (autoFocus) ref.current?.querySelector<HTMLElement>('select')?.focus();
  }, []);
  const at = (f: string) => errors[`days_off[${index}].${f}`];
  const name = row.name.trim() || t('year.day_off_unnamed');
  return (
    <fieldset ref={ref} class="subgroup day-off-row" data-kind={row.kind}>
      <legend>
        {index + 1}. {name}
      </legend>
      <div class="row">
        <DraftSelect
          name={`days_off[${index}].kind`}
          label={t('year.day_off_kind')}
          value={row.kind}
          error={at('kind')}
          options={(['holidays', 'day_off'] as DayOffKind[]).map((k) => ({ value: k, label: t(`year.day_off.${k}` as Key) }))}
          onChange={(v) => onChange('kind', v)}
        />
        <DraftInput name={`days_off[${index}].name`} label={t('year.day_off_name')} required maxLength={80} value={row.name} error={at('name')} onInput={(v) => onChange('name', v)} />
        <DraftInput name={`days_off[${index}].starts_on`} type="date" label={t('year.day_off_from')} required value={row.starts_on} error={at('starts_on')} onInput={(v) => onChange('starts_on', v)} />
        <DraftInput name={`days_off[${index}].ends_on`} type="date" label={t('year.day_off_to')} value={row.ends_on} error={at('ends_on')} onInput={(v) => onChange('ends_on', v)} />
      </div>
      <button type="button" class="btn btn--secondary btn--small" aria-label={`${t('year.day_off_remove')}: ${name}`} onClick={onRemove}>
        {t('year.day_off_remove')}
      </button>
    </fieldset>
  );
}

/** A choice of a few options as radio buttons in a fieldset with its legend. */
function Choice({
  legend,
  hint,
  value,
  options,
  error,
  onChange,
}: {
  legend: string;
  hint?: string;
  value: string;
  options: { value: string; label: string }[];
  error?: string;
  onChange: (value: string) => void;
}) {
  const id = useId('choice');
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <fieldset class="choice" aria-describedby={described}>
      <legend>{legend}</legend>
      <div class="choice-options">
        {options.map((o) => (
          <label key={o.value} class="choice-option">
            <input type="radio" name={id} value={o.value} checked={o.value === value} onChange={() => onChange(o.value)} />
            <span>{o.label}</span>
          </label>
        ))}
      </div>
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
