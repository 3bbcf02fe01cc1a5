// The school's rounding rule for the marks the journal suggests: from which average
// a fraction rounds up (4,5 unless the school chose a stricter 4,6 or 4,7). Set by
// whoever sets up the school year; kept in the audit log.
import { useState } from 'preact/hooks';
import { ErrorBox, InlineError, Loading, Notice, useAction, useId, useLoad } from '../../components/ui';
import { t } from './year.strings';
import { api } from '../../state';

const CHOICES = [4.5, 4.6, 4.7, 4.8];

export function RoundingSection({ org }: { org: number }) {
  const loaded = useLoad(() => api.get('/api/v1/orgs/{org_id}/journal-settings', { org_id: org }), [org]);
  const [value, setValue] = useState<number | null>(null);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const id = useId('rounding');
  const current = value ?? loaded.data?.round_from ?? 4.5;
  const choices = CHOICES.includes(current) ? CHOICES : [...CHOICES, current].sort();
  const show = (n: number) => String(n).replace('.', ',');

  return (
    <section class="card rounding" aria-labelledby="rounding-title">
      <h2 id="rounding-title">{t('rounding.title')}</h2>
      <p class="hint">{t('rounding.hint')}</p>
      {loaded.error ? <ErrorBox error={loaded.error} onRetry={loaded.reload} /> : null}
      {loaded.loading && !loaded.data ? <Loading /> : null}
      {loaded.data ? (
        <form
          class="form-row"
          onSubmit={(e) => {
            e.preventDefault();
            setSaved(false);
            void action.run(async () => {
              const r = await api.put('/api/v1/orgs/{org_id}/journal-settings', { org_id: org }, { round_from: current });
              setValue(r.round_from);
              setSaved(true);
            });
          }}
        >
          <div class="field">
            <label for={id}>{t('rounding.label')}</label>
            <select id={id} value={String(current)} onChange={(e) => setValue(Number((e.currentTarget as HTMLSelectElement).value))}>
              {choices.map((c) => (
                <option key={c} value={String(c)}>
                  {t('rounding.option', { from: show(c), below: show(Math.round((c - 1) * 100) / 100) })}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" class="btn btn--secondary" disabled={action.busy}>
            {t('common.save')}
          </button>
          <InlineError error={action.error} />
          {saved ? <Notice>{t('common.saved')}</Notice> : null}
        </form>
      ) : null}
    </section>
  );
}
