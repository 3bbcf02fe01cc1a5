// «Списки OneRoster» in the school console (whoever has `exchange_roster`: the admins).
// A OneRoster zip is chosen and «Проверить» sends it as a dry run (upload progress, then
// an indeterminate bar while the server reads it): the counts, the changes, the rows
// refused and the rows left alone, each with its reason in words. «Загрузить» sends the
// same file for real and shows the personal links once (copy each, or download them all
// as a CSV made here). A bundle refused as a whole shows the server's sentence and the
// file and line it names. «Ждём» lists whom the register expects, with until when each
// one's link works, and gives a new link to someone whose link was lost or ran out (the
// old one stops working). «Выгрузить в OneRoster» downloads the register. Its own chunk
// with its own strings (roster.strings.ts).
import { useEffect, useRef, useState } from 'preact/hooks';
import { ABORTED, ApiError, type UploadHandle } from '../../api/client';
import type { RosterImport, RosterLink, RosterRow, RosterWaiting } from '../../api/types';
import { FileField } from '../../components/file-field';
import { CopyField, ErrorBox, Notice, errorText, useAction, useId, useLoad } from '../../components/ui';
import { dateTime, formatBytes, todayIn } from '../../format';
import { api } from '../../state';
import {
  MAX_BUNDLE_BYTES,
  changeFields,
  changeTitle,
  lineText,
  linkUrl,
  linksCsv,
  placeText,
  reasonText,
  roleText,
} from './roster-model';
import { t } from './roster.strings';
import './roster.css';

/** Changes listed open up to this many; more are folded under «Все изменения». */
const OPEN_CHANGES = 12;

/** Hands a blob to the browser as a download of that name. */
function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

interface Sending {
  apply: boolean;
  /** Per cent of the file sent; null once it is all sent and the server works. */
  pct: number | null;
}

export function RosterTab({ org, tz }: { org: number; tz?: string }) {
  const inputId = useId('roster-file');
  const input = useRef<HTMLInputElement>(null);
  const reportHeading = useRef<HTMLHeadingElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [sending, setSending] = useState<Sending | null>(null);
  const handle = useRef<UploadHandle<RosterImport> | null>(null);
  const [report, setReport] = useState<RosterImport | null>(null);
  /** The file the report is about: «Загрузить» sends that one. */
  const [reportFile, setReportFile] = useState<File | null>(null);
  /** The last import applied: its links stay on the page whatever is checked next. */
  const [applied, setApplied] = useState<RosterImport | null>(null);
  const [refusal, setRefusal] = useState<unknown>(null);
  const [cancelled, setCancelled] = useState(false);
  // Leaving the tab stops an upload under way.
  useEffect(() => () => handle.current?.abort(), []);

  const choose = (f: File | null) => {
    setFile(f);
    setFileError(f && f.size > MAX_BUNDLE_BYTES ? t('roster.file_too_large') : null);
    setRefusal(null);
    setCancelled(false);
    if (f !== reportFile && report?.dry_run) setReport(null);
  };

  const send = async (apply: boolean) => {
    const f = apply ? reportFile : file;
    if (!f) {
      setFileError(t('roster.file_needed'));
      input.current?.focus();
      return;
    }
    if (f.size > MAX_BUNDLE_BYTES) {
      setFileError(t('roster.file_too_large'));
      input.current?.focus();
      return;
    }
    const form = new FormData();
    form.append('file', f, f.name);
    setRefusal(null);
    setCancelled(false);
    setSending({ apply, pct: 0 });
    const h = api.upload('/api/v1/orgs/{org_id}/roster/import', { org_id: org, apply }, form, (loaded, total) =>
      setSending({ apply, pct: total > 0 && loaded < total ? Math.floor((loaded * 100) / total) : null }),
    );
    handle.current = h;
    try {
      const r = await h.done;
      setReport(r);
      setReportFile(f);
      if (!r.dry_run) setApplied(r);
      requestAnimationFrame(() => reportHeading.current?.focus());
    } catch (e) {
      if (e instanceof ApiError && e.code === ABORTED) setCancelled(true);
      else {
        setRefusal(e);
        if (!apply) setReport(null);
      }
    } finally {
      handle.current = null;
      setSending(null);
    }
  };

  const busy = sending !== null;
  const canApply = !!report?.dry_run && !!reportFile && reportFile === file;
  return (
    <>
      <section class="card roster" aria-labelledby="roster-title" data-roster-state={busy ? 'sending' : report ? (report.dry_run ? 'checked' : 'applied') : 'idle'}>
        <h2 id="roster-title">{t('roster.title')}</h2>
        <p class="hint">{t('roster.lead')}</p>
        <p class="roster-how">{t('roster.links_lead')}</p>
        <p class="hint">{t('roster.nobody_removed')}</p>
        <FileField
          id={inputId}
          label={t('roster.file')}
          accept=".zip,application/zip,application/x-zip-compressed"
          disabled={busy}
          file={file}
          hint={t('roster.file_hint')}
          chosen={(f) => t('roster.file_chosen', { name: f.name, size: formatBytes(f.size) })}
          error={fileError}
          inputRef={input}
          onChoose={choose}
        />
        <div class="actions">
          <button type="button" class={`btn ${canApply ? 'btn--secondary' : 'btn--primary'}`} disabled={busy} onClick={() => void send(false)}>
            {report?.dry_run && reportFile === file ? t('roster.check_again') : t('roster.check')}
          </button>
          {canApply ? (
            <button type="button" class="btn btn--primary" disabled={busy} onClick={() => void send(true)}>
              {t('roster.apply')}
            </button>
          ) : null}
        </div>
        {sending ? <Progress sending={sending} onCancel={() => handle.current?.abort()} /> : null}
        {cancelled ? <p class="hint" role="status">{t('roster.cancelled')}</p> : null}
        {refusal ? <Refusal error={refusal} /> : null}
      </section>
      {report ? <Report report={report} headingRef={reportHeading} /> : null}
      {applied ? <Links report={applied} tz={tz} /> : null}
      <Waiting org={org} tz={tz} applied={applied} />
      <Export org={org} />
    </>
  );
}

function Progress({ sending, onCancel }: { sending: Sending; onCancel: () => void }) {
  const uploading = sending.pct !== null;
  return (
    <div class="roster-progress" data-progress={uploading ? sending.pct : 'working'}>
      <div class="upload-progress">
        {uploading ? (
          <progress max={100} value={sending.pct!} aria-label={t('roster.progress_label')} />
        ) : (
          <progress aria-label={t('roster.progress_label')} />
        )}
        {uploading ? (
          <button type="button" class="btn btn--link" onClick={onCancel}>
            {t('roster.cancel')}
          </button>
        ) : null}
      </div>
      {/* The per cent is seen, not read out at each step: the status says what stage it is at. */}
      <p class="hint" aria-hidden="true">
        {uploading ? t('roster.sending', { pct: sending.pct! }) : t('roster.working')}
      </p>
      <span class="visually-hidden" role="status">
        {uploading ? t('roster.sending_status') : t('roster.working')}
      </span>
    </div>
  );
}

/** A bundle refused as a whole (the server's sentence and where), or any other failure. */
function Refusal({ error }: { error: unknown }) {
  const places = error instanceof ApiError && error.status === 422 ? Object.entries(error.fields) : [];
  if (!places.length) return <Notice kind="error">{errorText(error)}</Notice>;
  return (
    <div class="alert alert--error roster-refusal" role="alert" data-refusal={Object.keys((error as ApiError).fieldCodes).join(' ')}>
      <p class="roster-refusal-title">{t('roster.refused_title')}</p>
      {places.map(([field, detail]) => (
        <p key={field}>
          {detail} {t('roster.refused_where', { place: placeText(field) })}
        </p>
      ))}
    </div>
  );
}

function Report({ report, headingRef }: { report: RosterImport; headingRef: { current: HTMLHeadingElement | null } }) {
  const dry = report.dry_run;
  const rows: [keyof RosterImport['classes'], string][] = [
    ['created', dry ? t('roster.col.created_dry') : t('roster.col.created')],
    ['updated', dry ? t('roster.col.updated_dry') : t('roster.col.updated')],
    ['linked', dry ? t('roster.col.linked_dry') : t('roster.col.linked')],
    ['unchanged', t('roster.col.unchanged')],
  ];
  const changes = report.changes;
  return (
    <section class="card roster-report" aria-labelledby="roster-report-title" data-dry-run={String(dry)}>
      <h2 id="roster-report-title" tabIndex={-1} ref={headingRef}>
        {dry ? t('roster.report_dry') : t('roster.report_done')}
      </h2>
      {dry ? <p class="roster-dry-note">{t('roster.dry_note')}</p> : null}
      <table class="table roster-counts">
        <caption class="visually-hidden">{t('roster.counts_caption')}</caption>
        <thead>
          <tr>
            <th scope="col">
              <span class="visually-hidden">{t('roster.what')}</span>
            </th>
            <th scope="col">{t('roster.classes')}</th>
            <th scope="col">{t('roster.people')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([k, label]) => (
            <tr key={k} data-count={k}>
              <th scope="row">{label}</th>
              <td data-counts="classes">{report.classes[k]}</td>
              <td data-counts="people">{report.people[k]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.classes.linked + report.people.linked > 0 ? <p class="hint">{t('roster.linked_hint')}</p> : null}

      <h3>{t('roster.changes')}</h3>
      {changes.length ? (
        <details class="roster-changes" open={changes.length <= OPEN_CHANGES}>
          <summary>{t('roster.changes_all', { n: changes.length })}</summary>
          <ul>
            {changes.map((c) => {
              const fields = changeFields(c);
              return (
                <li key={`${c.entity}-${c.sourced_id}`} data-change={c.action}>
                  <span class="roster-change-kind">{changeTitle(c)}:</span> {c.name}
                  {fields ? <span class="hint"> — {fields}</span> : null}
                </li>
              );
            })}
          </ul>
        </details>
      ) : (
        <p class="hint">{t('roster.nothing_to_do')}</p>
      )}

      <h3 id="roster-rejected-title">{t('roster.rejected')}</h3>
      {report.rejected.length ? (
        <>
          <p class="hint">{t('roster.rejected_hint')}</p>
          <RowsTable rows={report.rejected} labelledBy="roster-rejected-title" kind="rejected" />
        </>
      ) : (
        <p class="hint">{t('roster.rejected_none')}</p>
      )}

      {report.left.length ? (
        <>
          <h3 id="roster-left-title">{t('roster.left')}</h3>
          <p class="hint">{t('roster.left_hint')}</p>
          <RowsTable rows={report.left} labelledBy="roster-left-title" kind="left" />
        </>
      ) : null}
    </section>
  );
}

/** «Файл · Строка · Поле · Причина»; on a phone each row becomes a small card. */
function RowsTable({ rows, labelledBy, kind }: { rows: RosterRow[]; labelledBy: string; kind: string }) {
  const head = [t('roster.col.file'), t('roster.col.line'), t('roster.col.field'), t('roster.col.reason')] as const;
  return (
    <table class="table roster-rows" aria-labelledby={labelledBy} data-rows={kind}>
      <thead>
        <tr>
          {head.map((h) => (
            <th key={h} scope="col">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={`${r.file}-${r.line}-${r.field ?? ''}-${r.code}-${i}`} data-code={r.code}>
            <td data-label={head[0]}>{r.file}</td>
            <td data-label={head[1]}>{lineText(r)}</td>
            <td data-label={head[2]}>{r.field || t('roster.no_field')}</td>
            <td data-label={head[3]}>{reasonText(r.code)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The personal links of an import, shown once: each to copy, all as a CSV. */
function Links({ report, tz }: { report: RosterImport; tz?: string }) {
  const links = report.links;
  const origin = location.origin;
  const [saved, setSaved] = useState(false);
  // Until the links are downloaded, closing or reloading the page asks first: they are not shown again.
  useEffect(() => {
    if (!links.length || saved) return;
    const ask = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', ask);
    return () => window.removeEventListener('beforeunload', ask);
  }, [links, saved]);
  const download = () => {
    const csv = linksCsv(links, origin, (iso) => dateTime(iso, tz));
    save(new Blob([csv], { type: 'text/csv;charset=utf-8' }), t('roster.csv_file', { date: todayIn(tz) }));
    setSaved(true);
  };
  return (
    <section class="card roster-links" aria-labelledby="roster-links-title">
      <h2 id="roster-links-title">{t('roster.links')}</h2>
      {links.length ? (
        <>
          <div class="alert alert--info roster-once">{t('roster.links_once')}</div>
          <div class="actions">
            <button type="button" class="btn btn--primary" onClick={download}>
              {t('roster.links_csv')}
            </button>
          </div>
          <ul class="roster-link-list">
            {links.map((l) => (
              <li key={l.sourced_id} data-sourced-id={l.sourced_id}>
                <p class="roster-link-who">
                  <strong>{l.name}</strong>
                  <span class="hint">
                    {[roleText(l.role), l.class_name, t('roster.link_until', { date: dateTime(l.expires_at, tz) })].filter(Boolean).join(' · ')}
                  </span>
                </p>
                <CopyField value={linkUrl(origin, l.path)} label={t('roster.link_label')} />
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p class="hint">{t('roster.links_none')}</p>
      )}
    </section>
  );
}

/** Whom the register expects: each one's link, and a new one for a lost link. */
function Waiting({ org, tz, applied }: { org: number; tz?: string; applied: RosterImport | null }) {
  const list = useLoad(() => api.get('/api/v1/orgs/{org_id}/roster/people', { org_id: org }), [org, applied]);
  const people = list.data ?? [];
  return (
    <section class="card roster-waiting" aria-labelledby="roster-waiting-title">
      <h2 id="roster-waiting-title">{t('roster.waiting_title')}</h2>
      <p class="hint">{t('roster.waiting_lead')}</p>
      {list.error ? <ErrorBox error={list.error} onRetry={list.reload} /> : null}
      {list.data && !people.length ? <p class="muted">{t('roster.waiting_none')}</p> : null}
      {people.length ? (
        <ul class="roster-link-list">
          {people.map((p) => (
            <WaitingPerson key={p.id} org={org} tz={tz} person={p} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function WaitingPerson({ org, tz, person }: { org: number; tz?: string; person: RosterWaiting }) {
  const { busy, error, run } = useAction();
  const [link, setLink] = useState<RosterLink | null>(null);
  const until = link?.expires_at ?? person.link_expires_at;
  const reissue = () =>
    run(async () => {
      setLink(await api.post('/api/v1/orgs/{org_id}/roster/people/{person_id}/link', { org_id: org, person_id: person.id }, undefined));
    });
  return (
    <li data-sourced-id={person.sourced_id}>
      <p class="roster-link-who">
        <strong>{person.name}</strong>
        <span class="hint">
          {[
            roleText(person.role),
            person.class_name,
            until ? t('roster.link_until', { date: dateTime(until, tz) }) : t('roster.link_dead'),
          ]
            .filter(Boolean)
            .join(' · ')}
        </span>
      </p>
      {link ? (
        <>
          <CopyField value={linkUrl(location.origin, link.path)} label={t('roster.link_label')} />
          <p class="hint" role="status">{t('roster.link_new_once')}</p>
        </>
      ) : (
        <div class="actions">
          <button type="button" class="btn btn--secondary" disabled={busy} onClick={() => void reissue()} aria-describedby={`roster-new-${person.id}`}>
            {t('roster.link_new')}
          </button>
          <span class="hint" id={`roster-new-${person.id}`}>
            {t('roster.link_new_hint')}
          </span>
        </div>
      )}
      {error ? <Notice kind="error">{error}</Notice> : null}
    </li>
  );
}

function Export({ org }: { org: number }) {
  const { busy, error, run } = useAction();
  const exportNow = () =>
    run(async () => {
      const { blob, name } = await api.download('/api/v1/orgs/{org_id}/roster/export', { org_id: org });
      save(blob, name ?? `oneroster-${org}.zip`);
    });
  return (
    <section class="card" aria-labelledby="roster-export-title">
      <h2 id="roster-export-title">{t('roster.export_title')}</h2>
      <p class="hint">{t('roster.export_lead')}</p>
      <div class="actions">
        <button type="button" class="btn btn--secondary" disabled={busy} onClick={() => void exportNow()}>
          {t('roster.export')}
        </button>
      </div>
      {error ? <Notice kind="error">{error}</Notice> : null}
    </section>
  );
}
