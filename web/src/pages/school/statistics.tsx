// «Статистика»: the school's dashboard for who reads the school's statistics (the
// director, the deputies, the admins). Reach and care, never message counts: who has
// joined and which classes lack parents, whether posts to confirm are read and confirmed,
// how reports are handled, whether the journal is kept on time, online lessons attended,
// active people by group. A week, month, term or year so far against as many days of the
// one before (stats/measures.ts words the comparison); a class picked in the reach table
// shows who is missing in it (class-reach.tsx); active people by day as a uPlot chart with
// the same numbers in a table; the dashboard as XLSX or CSV. Its own chunk, uPlot with it.
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { components } from '../../api/schema';
import type { ClassRef, MySchool } from '../../api/types';
import { ErrorBox, Loading, useLoad } from '../../components/ui';
import { day } from '../../format';
import { lang } from '../../i18n';
import { api } from '../../state';
import { compare, formatValue, measuresOf, SECTIONS, type Figures } from '../../stats/measures';
import { PeriodDates, PeriodSwitch, type Period } from '../../stats/period';
import { t, type Key } from '../../stats/stats.strings';
import { ClassReachCard } from './class-reach';
import { consoleTabs } from './tabs';
import './statistics.css';

type Statistics = components['schemas']['SchoolStatistics'];
type DayActivity = components['schemas']['DayActivity'];

/** The export's address (a plain link: the browser downloads it with the session cookie). */
export function statisticsExportHref(org: number, period: Period, format: 'xlsx' | 'csv'): string {
  return `/api/v1/orgs/${org}/statistics/export?${new URLSearchParams({ period, format }).toString()}`;
}

export function StatisticsTab({ org, school }: { org: number; tz?: string; school: MySchool }) {
  const [period, setPeriod] = useState<Period>('week');
  const [picked, setPicked] = useState<Pick<ClassRef, 'id' | 'name'> | null>(null);
  const stats = useLoad(() => api.get('/api/v1/orgs/{org_id}/statistics', { org_id: org, period }), [org, period]);
  const s = stats.data;
  return (
    <section class="card st" aria-labelledby="st-title">
      <h2 id="st-title">{t('st.title')}</h2>
      <p class="hint">{t('st.lead')}</p>
      <p class="hint st-no-messages">{t('st.lead_no_messages')}</p>
      <PeriodSwitch value={period} onChange={setPeriod} />
      {stats.error ? <ErrorBox error={stats.error} onRetry={stats.reload} /> : null}
      {stats.loading && !s ? <Loading /> : null}
      {s ? (
        <div aria-busy={stats.loading ? 'true' : undefined} data-period={s.period.kind}>
          <PeriodDates period={s.period} />
          <div class="item-actions st-downloads">
            <a class="btn btn--secondary" href={statisticsExportHref(org, period, 'xlsx')} download aria-label={`${t('st.export')} ${t('st.export_xlsx')}`}>
              {t('st.export_xlsx')}
            </a>
            <a class="btn btn--secondary" href={statisticsExportHref(org, period, 'csv')} download aria-label={`${t('st.export')} ${t('st.export_csv')}`}>
              {t('st.export_csv')}
            </a>
          </div>
          {SECTIONS.map((section) => (
            <MeasureTable key={section} section={section} now={s.current} before={s.previous} />
          ))}
          <ReachTable stats={s} onPick={setPicked} />
          {picked ? <ClassReachCard key={picked.id} org={org} cls={picked} focus invites={consoleTabs(school).includes('invites')} /> : null}
          <DailyActivity stats={s} />
        </div>
      ) : null}
    </section>
  );
}

function MeasureTable({ section, now, before }: { section: (typeof SECTIONS)[number]; now: Figures; before: Figures }) {
  const id = `st-section-${section}`;
  return (
    <section class="st-section" aria-labelledby={id}>
      <h3 id={id}>{t(`st.section.${section}` as Key)}</h3>
      <div class="table-wrap" role="region" tabIndex={0} aria-labelledby={id}>
        <table class="table st-measures" aria-labelledby={id}>
          <thead>
            <tr>
              <th scope="col">{t('st.col.measure')}</th>
              <th scope="col" class="st-num">{t('st.col.now')}</th>
              <th scope="col" class="st-num">{t('st.col.before')}</th>
              <th scope="col">{t('st.col.change')}</th>
            </tr>
          </thead>
          <tbody>
            {measuresOf(section).map((m) => {
              const a = m.value(now);
              const b = m.value(before);
              const c = compare(m, a, b);
              return (
                <tr key={m.key} data-measure={m.key}>
                  <th scope="row">{m.label()}</th>
                  <td class="st-num">{formatValue(m, a)}</td>
                  <td class="st-num muted">{formatValue(m, b)}</td>
                  <td class={`st-change st-change--${c.trend}`}>
                    {c.text}
                    {c.trend === 'better' || c.trend === 'worse' ? <span class="st-trend">{` (${t(`st.trend.${c.trend}`)})`}</span> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

const percent = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 100) : 0);

function ReachTable({ stats, onPick }: { stats: Statistics; onPick: (c: Pick<ClassRef, 'id' | 'name'>) => void }) {
  const r = stats.reach;
  return (
    <section class="st-section" aria-labelledby="st-reach-title">
      <h3 id="st-reach-title">{t('st.reach_title')}</h3>
      <p>
        {t('st.reach_summary', {
          students: r.students,
          with_parent: r.students_with_parent,
          parents: r.parents,
          staff: r.staff,
          invites: r.open_invites,
          requests: r.pending_requests,
        })}
      </p>
      {r.classes.length ? (
        <div class="table-wrap" role="region" tabIndex={0} aria-labelledby="st-reach-title">
          <table class="table st-reach" aria-labelledby="st-reach-title">
            <thead>
              <tr>
                <th scope="col">{t('st.col.class')}</th>
                <th scope="col" class="st-num">{t('st.col.students')}</th>
                <th scope="col" class="st-num">{t('st.col.with_parent')}</th>
                <th scope="col" class="st-num">{t('st.col.without_parent')}</th>
                <th scope="col" class="st-num">{t('st.col.parents')}</th>
                <th scope="col">{t('st.col.share')}</th>
              </tr>
            </thead>
            <tbody>
              {r.classes.map((c) => {
                const pct = percent(c.students_with_parent, c.students);
                return (
                  <tr key={c.class.id} data-class={c.class.name}>
                    <th scope="row">
                      <button type="button" class="btn--link st-class-link" aria-label={t('st.class_link', { name: c.class.name })} onClick={() => onPick(c.class)}>
                        {c.class.name}
                      </button>
                    </th>
                    <td class="st-num" data-col="students">{c.students}</td>
                    <td class="st-num">{c.students_with_parent}</td>
                    <td class="st-num">{c.students - c.students_with_parent}</td>
                    <td class="st-num">{c.parents}</td>
                    <td>
                      <span class="st-bar" aria-hidden="true">
                        <span style={{ width: `${pct}%` }} />
                      </span>
                      <span class="st-pct">{`${pct}\u00a0%`}</span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : (
        <p>{t('st.no_classes')}</p>
      )}
    </section>
  );
}

const SERIES = [
  { key: 'students', label: 'st.series.students', color: '#1f5fbf', group: 'student' },
  { key: 'parents', label: 'st.series.parents', color: '#b3471d', group: 'parent' },
  { key: 'staff', label: 'st.series.staff', color: '#2e7d32', group: 'staff' },
] as const;

/** A day (`YYYY-MM-DD`) as uPlot's seconds, at UTC midnight. */
const seconds = (ymd: string) => Date.parse(`${ymd}T00:00:00Z`) / 1000;

function DailyActivity({ stats }: { stats: Statistics }) {
  const days = stats.daily;
  const averages = Object.fromEntries(stats.current.activity.map((a) => [a.group, a.daily_average]));
  const avg = (g: string) => new Intl.NumberFormat(lang.value === 'ru' ? 'ru-RU' : 'en-GB', { maximumFractionDigits: 1 }).format(averages[g] ?? 0);
  const first = days[0];
  const last = days[days.length - 1];
  const summary =
    first && last
    ? t('st.chart_label', {
        from: day(first.date),
        to: day(last.date),
        students: avg('student'),
        parents: avg('parent'),
        staff: avg('staff'),
      })
    : '';
  return (
    <section class="st-section" aria-labelledby="st-daily-title">
      <h3 id="st-daily-title">{t('st.daily_title')}</h3>
      {days.length ? (
        <>
          <Chart days={days} label={summary} />
          <details class="st-daily-table">
            <summary>{t('st.table')}</summary>
            <div class="table-wrap" role="region" tabIndex={0} aria-labelledby="st-daily-title">
              <table class="table" aria-labelledby="st-daily-title">
                <thead>
                  <tr>
                    <th scope="col">{t('st.col.date')}</th>
                    <th scope="col" class="st-num">{t('st.series.students')}</th>
                    <th scope="col" class="st-num">{t('st.series.parents')}</th>
                    <th scope="col" class="st-num">{t('st.series.staff')}</th>
                  </tr>
                </thead>
                <tbody>
                  {days.map((d) => (
                    <tr key={d.date} data-date={d.date}>
                      <th scope="row">{day(d.date)}</th>
                      <td class="st-num">{d.students}</td>
                      <td class="st-num">{d.parents}</td>
                      <td class="st-num">{d.staff}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      ) : (
        <p>{t('st.no_days')}</p>
      )}
    </section>
  );
}

/** The uPlot chart: three lines, sized to its box; its canvas is an image described by `label`. */
function Chart({ days, label }: { days: DayActivity[]; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = () => Math.max(260, el.clientWidth);
    // Days by their place (0, 1, 2…), written as short dates: no time zone to shift them.
    const short = new Intl.DateTimeFormat(lang.value === 'ru' ? 'ru-RU' : 'en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
    const dateAt = (i: number) => {
      const d = Number.isInteger(i) ? days[i] : undefined;
      return d ? short.format(new Date(seconds(d.date) * 1000)) : '';
    };
    const data: uPlot.AlignedData = [days.map((_d, i) => i), ...SERIES.map((s) => days.map((d) => d[s.key]))];
    const plot = new uPlot(
      {
        width: width(),
        height: 220,
        cursor: { drag: { x: false, y: false } },
        // Half a day either side, so a single day (a week's Monday) is a point in the middle.
        scales: { x: { time: false, auto: true, range: (_u, min, max) => [min - 0.5, max + 0.5] }, y: { auto: true, range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [
          { incrs: [1, 2, 7, 14, 28, 56], values: (_u, splits) => splits.map((i) => dateAt(i)) },
          { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] },
        ],
        series: [
          { label: t('st.col.date'), value: (_u, i) => (i == null ? '—' : dateAt(i)) },
          ...SERIES.map((s) => ({ label: t(s.label), stroke: s.color, width: 2, points: { show: days.length <= 31 } })),
        ],
      },
      data,
      el,
    );
    const canvas = plot.ctx.canvas;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', label);
    const resized = new ResizeObserver(() => plot.setSize({ width: width(), height: 220 }));
    resized.observe(el);
    return () => {
      resized.disconnect();
      plot.destroy();
    };
  }, [days, label]);
  return <div class="st-chart" ref={box} />;
}
