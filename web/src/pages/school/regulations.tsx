// The school's numbers for the regulations' rules (after SanPiN): how long an online
// lesson may run and how much homework a day may carry, by grade; how soon homework
// and marks are entered; and whether homework over the day's limit is refused or only
// warned of. The regulations' own number stands under each field; the school may only
// tighten them. Set by whoever sets up the school year (as the rounding rule beside
// it); kept in the audit log.
import { CheckField, ErrorBox, Field, FormMessage, Loading, Notice, Submit, useForm, useLoad } from '../../components/ui';
import type { Regulations, RegulationsView } from '../../api/types';
import { t, tn } from './year.strings';
import {
  HOMEWORK_BANDS,
  LESSON_BANDS,
  minutesText,
  REGULATIONS_ALIASES,
  regulationsDraft,
  regulationsRequest,
  seedOf,
  withFieldTexts,
  type NumberField,
} from '../../journal/regulations';
import { api } from '../../state';
import { useState } from 'preact/hooks';
import './regulations.css';

export function RegulationsSection({ org }: { org: number }) {
  const loaded = useLoad(() => api.get('/api/v1/orgs/{org_id}/regulations', { org_id: org }), [org]);
  return (
    <section class="card regulations" aria-labelledby="regulations-title">
      <h2 id="regulations-title">{t('regs.title')}</h2>
      <p class="hint">{t('regs.hint')}</p>
      {loaded.error ? <ErrorBox error={loaded.error} onRetry={loaded.reload} /> : null}
      {loaded.loading && !loaded.data ? <Loading /> : null}
      {loaded.data ? <RegulationsForm org={org} view={loaded.data} /> : null}
    </section>
  );
}

/** A field's number as its hint and refusal say it: «30 мин», «7 дней». */
function valueText(field: NumberField, n: number): string {
  return field === 'marks_entry_days' ? tn('regs.days', n) : minutesText(n);
}

function RegulationsForm({ org, view }: { org: number; view: RegulationsView }) {
  const form = useForm(regulationsDraft(view.school), REGULATIONS_ALIASES);
  const [saved, setSaved] = useState(false);
  const seeds: Regulations = view.seeds;
  const number = (name: NumberField, label: string) => (
    <Field
      key={name}
      form={form}
      name={name}
      type="number"
      inputMode="numeric"
      min={1}
      max={seedOf(seeds, name)}
      label={label}
      hint={t('regs.seed', { value: valueText(name, seedOf(seeds, name)) })}
    />
  );
  const band = ([from, to]: [number, number]) => t('regs.band', { from, to });

  return (
    <form
      class="form regulations-form"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        setSaved(false);
        const built = regulationsRequest(form.values.value);
        if ('invalid' in built) {
          form.errors.value = Object.fromEntries(built.invalid.map((f) => [f, t('regs.whole')]));
          form.message.value = null;
          return;
        }
        const r = await form.submit(() =>
          api.put('/api/v1/orgs/{org_id}/regulations', { org_id: org }, built.request).catch((err: unknown) => {
            // The server names these refusals by their codes: the words, with the regulations' number, are ours.
            throw withFieldTexts(err, (field, code) => {
              const name = (REGULATIONS_ALIASES[field] ?? field) as NumberField;
              if (code === 'looser_than_regulations') return t('regs.looser', { value: valueText(name, seedOf(seeds, name)) });
              return code === 'out_of_range' ? t('regs.whole') : null;
            });
          }),
        );
        if (r) {
          form.reset(regulationsDraft(r.school));
          setSaved(true);
        }
      }}
      onInput={() => setSaved(false)}
    >
      <fieldset class="regs-group">
        <legend>{t('regs.lessons')}</legend>
        <div class="regs-row">{LESSON_BANDS.map((b, i) => number(`lesson_${i}` as NumberField, band(b)))}</div>
      </fieldset>
      <fieldset class="regs-group">
        <legend>{t('regs.homework')}</legend>
        <div class="regs-row">{HOMEWORK_BANDS.map((b, i) => number(`homework_${i}` as NumberField, band(b)))}</div>
      </fieldset>
      <div class="regs-row">
        {number('homework_entry_minutes', t('regs.entry'))}
        {number('marks_entry_days', t('regs.marks'))}
      </div>
      <CheckField form={form} name="homework_limit_strict" label={t('regs.strict')} hint={t('regs.strict_hint')} />
      <FormMessage form={form} />
      <div class="actions">
        <Submit form={form} kind="secondary">
          {t('common.save')}
        </Submit>
      </div>
      {saved ? <Notice>{t('common.saved')}</Notice> : null}
    </form>
  );
}
