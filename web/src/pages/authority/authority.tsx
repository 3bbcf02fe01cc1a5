// An education authority's schools side by side («Управление образования»): the curator's
// landing page, opened by the operator from the console too. Numbers only — no names of
// people, nothing per class. Its own chunk with its own strings (authority.strings.ts).
import { useMemo, useState } from 'preact/hooks';
import { ErrorBox, Loading, PageTitle, useLoad } from '../../components/ui';
import { todayIn } from '../../format';
import { lang } from '../../i18n';
import { api } from '../../state';
import { t as st, type Key as StKey } from '../../stats/stats.strings';
import { SECTIONS } from '../../stats/measures';
import { t } from './authority.strings';
import { comparisonColumns, comparisonCsv, comparisonRows, type Column, type Row } from './model';
import { PeriodDates, PeriodSwitch, type Period } from '../../stats/period';
import './authority.css';

function columns(): Column[] {
  return comparisonColumns({ withParent: () => t('au.col.with_parent'), pending: () => t('au.col.pending') });
}

function download(rows: Row[], cols: Column[], period: Period) {
  const csv = comparisonCsv(rows, cols, { school: t('au.col.school'), change: (label) => t('au.csv.change', { label }) });
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = t('au.csv_name', { period, date: todayIn() });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Every measure of every school, the period and the days before, as the server's XLSX. */
export function authorityExportHref(id: number, period: Period): string {
  return `/api/v1/authorities/${id}/statistics/export?${new URLSearchParams({ period, format: 'xlsx' }).toString()}`;
}

export function AuthorityPage({ id, operator }: { id: number; operator: boolean }) {
  const [period, setPeriod] = useState<Period>('month');
  const s = useLoad(() => api.get('/api/v1/authorities/{authority_id}/statistics', { authority_id: id, period }), [id, period]);
  const cols = useMemo(columns, [lang.value]);
  const d = s.data;
  const rows = d ? comparisonRows(d.schools, cols) : [];
  // The sections the columns fall in, for the header row above the measures.
  const groups = SECTIONS.map((sec) => ({ sec, n: cols.filter((c) => c.measure.section === sec).length })).filter((g) => g.n);
  return (
    <div class="page authority-page">
      {operator ? (
        <p>
          <a href="/operator/authorities">← {t('au.back_operator')}</a>
        </p>
      ) : null}
      {s.error && !d ? <PageTitle>{t('shell.authority')}</PageTitle> : null}
      {s.error ? <ErrorBox error={s.error} onRetry={s.reload} /> : null}
      {!d && s.loading ? <Loading /> : null}
      {d ? (
        <>
          <PageTitle>{d.authority.name}</PageTitle>
          <p class="muted">{t('au.region', { region: d.authority.region })}</p>
          <p class="lead">{t('au.lead')}</p>
          <p class="hint">{t('au.lead_private')}</p>
          <section class="card" aria-labelledby="au-table-title">
            <PeriodSwitch value={period} onChange={setPeriod} />
            <PeriodDates period={d.period} />
            {!rows.length ? (
              <p>{t('au.no_schools')}</p>
            ) : (
              <>
                <h2 id="au-table-title" class="au-caption">
                  {t('au.table_caption')}
                </h2>
                <p class="hint au-scroll-hint">{t('au.table_scroll')}</p>
                <div class="table-wrap au-table-wrap" role="region" aria-labelledby="au-table-title" tabIndex={0}>
                  <table class="table au-table" aria-labelledby="au-table-title" aria-busy={s.loading || undefined}>
                    <thead>
                      <tr>
                        <td class="au-corner" />
                        {groups.map((g) => (
                          <th key={g.sec} scope="colgroup" colSpan={g.n} class="au-section">
                            {st(`st.section.${g.sec}` as StKey)}
                          </th>
                        ))}
                      </tr>
                      <tr>
                        <th scope="col" class="au-school">
                          {t('au.col.school')}
                        </th>
                        {cols.map((c) => (
                          <th key={c.measure.key} scope="col" data-measure={c.measure.key}>
                            {c.measure.label()}
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {rows.map((r) => (
                        <tr key={r.org_id} data-org-id={r.org_id}>
                          <th scope="row" class="au-school">
                            {r.school}
                          </th>
                          {r.cells.map((c) => (
                            <td key={c.key} data-measure={c.key} data-value={c.value ?? ''}>
                              <span class="au-value">{c.text}</span>
                              {c.bar !== null ? (
                                <span class="au-bar" aria-hidden="true">
                                  <span style={{ width: `${Math.round(c.bar * 100)}%` }} />
                                </span>
                              ) : null}
                              {c.change ? <span class={`au-change au-change--${c.change.trend}`}>{c.change.text}</span> : null}
                            </td>
                          ))}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <p>
                  <button type="button" class="btn btn--secondary" onClick={() => download(rows, cols, period)} aria-describedby="au-csv-hint">
                    {t('au.csv')}
                  </button>{' '}
                  <a class="btn btn--secondary" href={authorityExportHref(id, period)} download>
                    {t('au.xlsx')}
                  </a>
                </p>
                <p class="hint" id="au-csv-hint">
                  {t('au.csv_hint')}
                </p>
              </>
            )}
          </section>
        </>
      ) : null}
    </div>
  );
}
