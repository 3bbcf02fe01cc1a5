// The period switch shared by the authority's comparison and the platform's figures:
// week, month, term or year so far, against the same number of days of the one before.
import type { components } from '../../api/schema';
import { day } from '../../format';
import { t, type Key } from './authority.strings';

export const PERIODS = ['week', 'month', 'term', 'year'] as const;
export type Period = (typeof PERIODS)[number];

export function PeriodSwitch({ value, onChange }: { value: Period; onChange: (p: Period) => void }) {
  return (
    <div class="segmented" role="group" aria-label={t('au.period')}>
      {PERIODS.map((p) => (
        <button key={p} type="button" class="seg" aria-pressed={value === p} onClick={() => onChange(p)}>
          {t(`au.period.${p}` as Key)}
        </button>
      ))}
    </div>
  );
}

/** «С 1 декабря по 7 декабря в сравнении с …»: the days so far and the days compared with. */
export function PeriodDates({ period }: { period: components['schemas']['StatsPeriod'] }) {
  return (
    <p class="period-dates" data-period={period.kind}>
      {t('au.period_dates', { from: day(period.so_far.first), to: day(period.so_far.last), pfrom: day(period.previous.first), pto: day(period.previous.last) })}
      <span class="muted"> {t('au.period_note')}</span>
    </p>
  );
}
