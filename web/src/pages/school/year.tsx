// The «Учебный год» tab (for whoever sets up the school year): the school's years,
// one year's form (new or changed), its bells, the subjects, who teaches what
// (teaching.tsx: the classes' groups and the year's assignments), a class's timetable
// with its changes on dates, the rounding rule and the regulations' numbers (SanPiN
// limits and deadlines, regulations.tsx). Loaded on demand (console.tsx
// imports it dynamically), with bells.tsx, subjects.tsx, teaching.tsx, timetable.tsx
// and year-form.tsx, into a chunk of its own.
import { useRef, useState } from 'preact/hooks';
import type { AcademicYear } from '../../api/types';
import { Badge, ErrorBox, Loading, Notice, useLoad } from '../../components/ui';
import { day, todayIn } from '../../format';
import { t, tn, type Key } from './year.strings';
import { api } from '../../state';
import { BellsEditor } from './bells';
import { RegulationsSection } from './regulations';
import { RoundingSection } from './rounding';
import { SubjectsSection } from './subjects';
import { TeachingSections } from './teaching';
import { TimetableSection } from './timetable';
import { YearForm } from './year-form';

type Panel = { kind: 'new' } | { kind: 'edit'; id: number } | { kind: 'bells'; id: number } | null;

export function YearTab({ org, tz }: { org: number; tz?: string }) {
  const years = useLoad(() => api.get('/api/v1/orgs/{org_id}/years', { org_id: org }), [org]);
  const [panel, setPanel] = useState<Panel>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const list = years.data ?? [];
  const today = todayIn(tz);
  const open = panel && panel.kind !== 'new' ? list.find((y) => y.id === panel.id) : undefined;

  const close = () => {
    setPanel(null);
    heading.current?.focus();
  };

  return (
    <div class="year-tab">
      <section class="card" aria-labelledby="years-title">
        <h2 id="years-title" ref={heading} tabIndex={-1}>
          {t('year.years')}
        </h2>
        {notice ? <Notice>{notice}</Notice> : null}
        {years.error ? <ErrorBox error={years.error} onRetry={years.reload} /> : null}
        {years.loading && !years.data ? <Loading /> : null}
        {years.data && !list.length ? <p>{t('year.none')}</p> : null}
        <ul class="list">
          {list.map((y) => (
            <li key={y.id} class="list-item year-item" data-year={y.name}>
              <div>
                <strong>{y.name}</strong>
                {y.archived ? (
                  <>
                    {' '}
                    <Badge kind="neutral">{t('year.archived')}</Badge>
                  </>
                ) : y.starts_on <= today && today <= y.ends_on ? (
                  <>
                    {' '}
                    <Badge kind="ok">{t('year.current')}</Badge>
                  </>
                ) : null}
                <div class="muted">{t('year.dates', { from: day(y.starts_on), to: day(y.ends_on) })}</div>
                <div class="muted">
                  {t(`year.summary.${y.period_kind}` as Key)} · {t(`year.week.${y.school_days === 6 ? 6 : 5}` as Key)} ·{' '}
                  {y.bells.length ? tn('year.bells_n', y.bells.length) : t('year.bells_none')}
                </div>
              </div>
              <span class="item-actions">
                <button
                  type="button"
                  class="btn btn--secondary btn--small"
                  aria-expanded={panel?.kind === 'edit' && panel.id === y.id}
                  onClick={() => {
                    setNotice(null);
                    setPanel(panel?.kind === 'edit' && panel.id === y.id ? null : { kind: 'edit', id: y.id });
                  }}
                >
                  {t('common.edit')}
                  <span class="visually-hidden"> {y.name}</span>
                </button>
                <button
                  type="button"
                  class="btn btn--secondary btn--small"
                  aria-expanded={panel?.kind === 'bells' && panel.id === y.id}
                  onClick={() => {
                    setNotice(null);
                    setPanel(panel?.kind === 'bells' && panel.id === y.id ? null : { kind: 'bells', id: y.id });
                  }}
                >
                  {t('year.bells')}
                  <span class="visually-hidden"> {y.name}</span>
                </button>
              </span>
            </li>
          ))}
        </ul>
        {years.data && panel?.kind !== 'new' ? (
          <div class="actions">
            <button
              type="button"
              class="btn btn--primary"
              onClick={() => {
                setNotice(null);
                setPanel({ kind: 'new' });
              }}
            >
              {t('year.new')}
            </button>
          </div>
        ) : null}
      </section>

      {panel?.kind === 'new' && years.data ? (
        <YearForm
          key="new"
          org={org}
          years={list}
          onSaved={(y: AcademicYear) => {
            setNotice(t(y.bells.length ? 'year.created' : 'year.created_no_bells', { name: y.name }));
            years.reload();
            setPanel({ kind: 'bells', id: y.id });
          }}
          onCancel={close}
        />
      ) : null}
      {panel?.kind === 'edit' && open ? (
        <YearForm
          key={`edit-${open.id}`}
          org={org}
          years={list}
          year={open}
          onSaved={(y: AcademicYear) => {
            setNotice(t('year.saved', { name: y.name }));
            years.reload();
            close();
          }}
          onCancel={close}
        />
      ) : null}
      {panel?.kind === 'bells' && open ? <BellsEditor key={`bells-${open.id}`} org={org} year={open} onSaved={years.reload} onClose={close} /> : null}

      <SubjectsSection org={org} />

      <TeachingSections org={org} years={list} today={today} />
      {years.data ? <TimetableSection org={org} years={list} tz={tz} /> : null}
      <RoundingSection org={org} />
      <RegulationsSection org={org} />
    </div>
  );
}

