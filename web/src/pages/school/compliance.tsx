// «Соблюдение положения»: the compliance report of the school's regulations for its
// administration (the admins, the director, the deputy). Over a range of days (this
// week by default), three tables — by teacher, by class, by week — count homework and
// marks entered late, online lessons over length and days over the homework limit;
// a teacher's or a class's row opens the lessons behind its numbers (each linking to
// the lesson page) and a class's heavy days; the same report downloads as XLSX or CSV.
// It counts what the regulations ask, never how much anyone posts. A chunk of its own,
// with its strings (compliance.strings.ts).
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import type { ComplianceCounts, ComplianceReport } from '../../api/types';
import { ErrorBox, Loading, useId, useLoad } from '../../components/ui';
import { day, fullName, shortName, todayIn } from '../../format';
import { lang } from '../../i18n';
import {
  breaches,
  columnsFor,
  exportHref,
  isBreach,
  lessonProblems,
  presetOf,
  presetRange,
  PRESETS,
  reportQuery,
  typedRange,
  type Column,
  type Range,
} from '../../journal/compliance';
import { minutesText } from '../../journal/regulations';
import { api } from '../../state';
import { t, tn, type Key } from './compliance.strings';
import './compliance.css';

interface Focus {
  kind: 'teacher' | 'class';
  id: number;
  name: string;
}

export function ComplianceTab({ org, tz }: { org: number; tz?: string }) {
  const today = todayIn(tz);
  const [range, setRange] = useState<Range>(() => presetRange('this_week', today));
  const [focus, setFocus] = useState<Focus | null>(null);
  const report = useLoad(() => api.get('/api/v1/orgs/{org_id}/compliance', { org_id: org, ...reportQuery(range) }), [org, range.from, range.to]);
  const refused = report.error instanceof ApiError && report.error.status === 422 ? report.error.fieldCodes : null;
  const opener = useRef<string | null>(null);

  const open = (f: Focus) => {
    opener.current = `${f.kind}-${f.id}`;
    setFocus(f);
  };
  const close = () => {
    setFocus(null);
    const key = opener.current;
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-cmp-open="${key}"]`)?.focus());
  };

  return (
    <section class="card compliance" aria-labelledby="cmp-title">
      <h2 id="cmp-title">{t('console.tab.compliance')}</h2>
      <p class="hint">{t('cmp.lead')}</p>
      <p class="hint">{t('cmp.not_activity')}</p>
      <RangePicker range={range} today={today} refused={refused} onChange={setRange} />
      {report.error && !refused ? <ErrorBox error={report.error} onRetry={report.reload} /> : null}
      {report.loading && !report.data ? <Loading /> : null}
      {report.data && !refused ? (
        <div aria-busy={report.loading ? 'true' : undefined}>
          <Report org={org} report={report.data} focus={focus} onOpen={open} />
          {focus ? <DrillDown key={`${focus.kind}-${focus.id}`} org={org} range={range} focus={focus} onClose={close} /> : null}
        </div>
      ) : null}
    </section>
  );
}

function RangePicker({ range, today, refused, onChange }: { range: Range; today: string; refused: Record<string, string> | null; onChange: (r: Range) => void }) {
  const id = useId('cmp');
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  // A field that is not a date yet is said at once, without asking the server.
  const [unfinished, setUnfinished] = useState<Record<string, string>>({});
  const pressed = presetOf(range, today);
  const choose = (r: Range) => {
    setFrom(r.from);
    setTo(r.to);
    setUnfinished({});
    onChange(r);
  };
  const date = (name: 'from' | 'to', value: string, set: (v: string) => void) => {
    const code = unfinished[name] ?? (Object.keys(unfinished).length ? undefined : refused?.[name]);
    const error = code ? t(`cmp.field.${code}` as Key) : null;
    return (
      <div class={`field${error ? ' field--error' : ''}`}>
        <label for={`${id}-${name}`}>{t(`cmp.${name}`)}</label>
        <input
          id={`${id}-${name}`}
          name={name}
          type="date"
          value={value}
          required
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-${name}-error` : undefined}
          onInput={(e) => set((e.currentTarget as HTMLInputElement).value)}
        />
        {error ? (
          <p class="field-error" id={`${id}-${name}-error`}>
            {error}
          </p>
        ) : null}
      </div>
    );
  };
  return (
    <div class="cmp-range">
      <div class="segmented" role="group" aria-label={t('cmp.range')}>
        {PRESETS.map((p) => (
          <button key={p} type="button" class="seg" aria-pressed={pressed === p} onClick={() => choose(presetRange(p, today))}>
            {t(`cmp.preset.${p}`)}
          </button>
        ))}
      </div>
      <form
        class="cmp-dates"
        noValidate
        aria-label={t('cmp.range')}
        onSubmit={(e) => {
          e.preventDefault();
          const r = typedRange(from, to);
          const bad: Record<string, string> = {};
          if (!typedRange(from, from)) bad.from = 'invalid_date';
          if (!typedRange(to, to)) bad.to = 'invalid_date';
          setUnfinished(bad);
          if (r) onChange(r);
        }}
      >
        {date('from', from, setFrom)}
        {date('to', to, setTo)}
        <button type="submit" class="btn btn--secondary">
          {t('cmp.show')}
        </button>
      </form>
    </div>
  );
}

function Report({ org, report, focus, onOpen }: { org: number; report: ComplianceReport; focus: Focus | null; onOpen: (f: Focus) => void }) {
  const found = breaches(report.total);
  const range = { from: report.from, to: report.to };
  return (
    <>
      <p class="cmp-showing">{t('cmp.showing', { from: day(report.from), to: day(report.to) })}</p>
      <div role="status" class="cmp-summary">
        {found ? (
          <p class="cmp-found">
            <span aria-hidden="true" class="cmp-mark">
              !
            </span>{' '}
            {tn('cmp.found', found)}
          </p>
        ) : (
          <p class="alert alert--ok">{report.total.lessons ? t('cmp.none') : `${t('cmp.none')} ${t('cmp.no_lessons')}`}</p>
        )}
      </div>
      <div class="item-actions cmp-downloads">
        <a class="btn btn--secondary" href={exportHref(org, range, 'xlsx')} download>
          {t('cmp.download_xlsx')}
        </a>
        <a class="btn btn--secondary" href={exportHref(org, range, 'csv')} download aria-label={`${t('cmp.download')} CSV`}>
          {t('cmp.download_csv')}
        </a>
      </div>
      <p class="hint">{t('cmp.download_hint')}</p>
      {report.teachers.length || report.classes.length ? <p class="hint">{t('cmp.open_hint')}</p> : null}
      {report.teachers.length ? (
        <CountsTable
          id="cmp-teachers"
          title={t('cmp.by_teacher')}
          head={t('cmp.col.teacher')}
          columns={columnsFor('teachers')}
          total={report.total}
          rows={report.teachers.map((r) => ({
            key: `teacher-${r.teacher.id}`,
            label: fullName(r.teacher),
            counts: r.counts,
            open: () => onOpen({ kind: 'teacher', id: r.teacher.id, name: fullName(r.teacher) }),
            current: focus?.kind === 'teacher' && focus.id === r.teacher.id,
          }))}
        />
      ) : null}
      {report.classes.length ? (
        <CountsTable
          id="cmp-classes"
          title={t('cmp.by_class')}
          head={t('cmp.col.class')}
          columns={columnsFor('classes')}
          total={report.total}
          rows={report.classes.map((r) => ({
            key: `class-${r.class.id}`,
            label: r.class.name,
            counts: r.counts,
            open: () => onOpen({ kind: 'class', id: r.class.id, name: r.class.name }),
            current: focus?.kind === 'class' && focus.id === r.class.id,
          }))}
        />
      ) : null}
      {report.weeks.length ? (
        <CountsTable
          id="cmp-weeks"
          title={t('cmp.by_week')}
          head={t('cmp.col.week')}
          columns={columnsFor('weeks')}
          total={report.total}
          rows={report.weeks.map((r) => ({ key: `week-${r.week_of}`, label: t('cmp.week_of', { date: day(r.week_of) }), counts: r.counts }))}
        />
      ) : null}
    </>
  );
}

interface Row {
  key: string;
  label: string;
  counts: ComplianceCounts;
  open?: () => void;
  current?: boolean;
}

function Count({ n, column }: { n: number; column: Column }) {
  if (n === 0) return <td class="num cmp-zero">0</td>;
  if (!isBreach(column)) return <td class="num">{n}</td>;
  // A breach stands out by more than colour: bold, with a «!» before it.
  return (
    <td class="num cmp-bad">
      <strong>
        <span aria-hidden="true" class="cmp-mark">
          !
        </span>{' '}
        {n}
      </strong>
    </td>
  );
}

function CountsTable({ id, title, head, columns, rows, total }: { id: string; title: string; head: string; columns: Column[]; rows: Row[]; total: ComplianceCounts }) {
  return (
    <section class="cmp-table" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{title}</h3>
      <div class="table-wrap" role="region" tabIndex={0} aria-label={t('cmp.scroll', { name: title })}>
        <table class="table cmp-counts" id={id}>
          <thead>
            <tr>
              <th scope="col">{head}</th>
              {columns.map((c) => (
                <th key={c} scope="col" class="num">
                  {t(`cmp.col.${c}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={r.key}
                class={`${breaches(r.counts, columns) ? 'cmp-row--bad' : ''}${r.current ? ' cmp-row--open' : ''}`}
                onClick={r.open ? () => r.open?.() : undefined}
              >
                <th scope="row">
                  {r.open ? (
                    <button
                      type="button"
                      class="cmp-open"
                      data-cmp-open={r.key}
                      aria-expanded={r.current ? 'true' : 'false'}
                      onClick={(e) => {
                        e.stopPropagation();
                        r.open?.();
                      }}
                    >
                      {r.label}
                    </button>
                  ) : (
                    r.label
                  )}
                </th>
                {columns.map((c) => (
                  <Count key={c} n={r.counts[c]} column={c} />
                ))}
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('cmp.total')}</th>
              {columns.map((c) => (
                <Count key={c} n={total[c]} column={c} />
              ))}
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}

function DrillDown({ org, range, focus, onClose }: { org: number; range: Range; focus: Focus; onClose: () => void }) {
  const data = useLoad(() => api.get('/api/v1/orgs/{org_id}/compliance', { org_id: org, ...reportQuery(range, focus) }), [org, range.from, range.to, focus.kind, focus.id]);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const title = focus.kind === 'teacher' ? t('cmp.drill.teacher', { name: focus.name }) : t('cmp.drill.class', { name: focus.name });
  let body: ComponentChildren = null;
  if (data.error) body = <ErrorBox error={data.error} onRetry={data.reload} />;
  else if (!data.data) body = <Loading />;
  else {
    const { lessons, overloaded_days: days } = data.data;
    body = (
      <>
        {lessons.length ? (
          <div class="table-wrap" role="region" tabIndex={0} aria-label={t('cmp.scroll', { name: title })}>
            <table class="table cmp-lessons">
              <thead>
                <tr>
                  <th scope="col">{t('cmp.drill.date')}</th>
                  <th scope="col">{t('cmp.drill.number')}</th>
                  <th scope="col">{t('cmp.col.class')}</th>
                  <th scope="col">{t('cmp.drill.subject')}</th>
                  <th scope="col">{t('cmp.col.teacher')}</th>
                  <th scope="col">{t('cmp.drill.what')}</th>
                </tr>
              </thead>
              <tbody>
                {lessons.map((l) => (
                  <tr key={l.lesson_id} data-lesson-id={l.lesson_id}>
                    <td>
                      <a href={`/lessons/${l.lesson_id}`} aria-label={t('cmp.drill.open', { subject: l.subject.name, class: l.class.name, date: day(l.date) })}>
                        {day(l.date)}
                      </a>
                    </td>
                    <td>{t('cmp.drill.number_n', { n: l.number })}</td>
                    <td>{l.class.name}</td>
                    <td>{l.subject.name}</td>
                    <td>{shortName(l.teacher)}</td>
                    <td>
                      <ul class="cmp-problems">
                        {lessonProblems(l, lang.value).map((p) => (
                          <li key={p}>{p}</li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p>{t('cmp.drill.none')}</p>
        )}
        {focus.kind === 'class' ? (
          <>
            <h4>{t('cmp.drill.days')}</h4>
            {days.length ? (
              <div class="table-wrap" role="region" tabIndex={0} aria-label={t('cmp.scroll', { name: t('cmp.drill.days') })}>
                <table class="table cmp-days">
                  <thead>
                    <tr>
                      <th scope="col">{t('cmp.drill.date')}</th>
                      <th scope="col">{t('cmp.drill.minutes')}</th>
                      <th scope="col">{t('cmp.drill.limit')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {days.map((d) => (
                      <tr key={d.date}>
                        <td>{day(d.date)}</td>
                        <td>
                          <strong>{minutesText(d.minutes)}</strong>
                        </td>
                        <td>{minutesText(d.limit_minutes)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <p>{t('cmp.drill.no_days')}</p>
            )}
          </>
        ) : null}
      </>
    );
  }
  return (
    <section class="cmp-drill" aria-labelledby="cmp-drill-h">
      <div class="cmp-drill-head">
        <h3 id="cmp-drill-h" tabIndex={-1} ref={heading}>
          {title}
        </h3>
        <button type="button" class="btn btn--secondary btn--small" onClick={onClose}>
          {t('cmp.drill.close')}
        </button>
      </div>
      {body}
    </section>
  );
}

