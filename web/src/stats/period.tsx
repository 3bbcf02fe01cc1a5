// The period switch of every statistics page (the school's dashboard, the authority's
// comparison, the platform's figures): week, month, term or year so far, against the same
// number of days of the one before, in the statistics' shared dictionary.
import type { components } from '../api/schema';
import { day } from '../format';
import { t, type Key } from './stats.strings';

export const PERIODS = ['week', 'month', 'term', 'year'] as const;
export type Period = (typeof PERIODS)[number];

export function PeriodSwitch({ value, onChange }: { value: Period; onChange: (p: Period) => void }) {
  return (
    <div class="segmented" role="group" aria-label={t('st.period')}>
      {PERIODS.map((p) => (
        <button key={p} type="button" class="seg" aria-pressed={value === p} onClick={() => onChange(p)}>
          {t(`st.period.${p}` as Key)}
        </button>
      ))}
    </div>
  );
}

/** «С 1 декабря по 7 декабря» and the days compared with. */
export function PeriodDates({ period }: { period: components['schemas']['StatsPeriod'] }) {
  return (
    <p class="period-dates" data-period={period.kind}>
      <strong>{t('st.period_span', { from: day(period.so_far.first), to: day(period.so_far.last) })}</strong>{' '}
      <span class="muted">{t('st.compared', { from: day(period.previous.first), to: day(period.previous.last) })}</span>
    </p>
  );
}
