// The audit log: a paged table of entries (also the operator's platform-wide log) and
// the school's tab.
import { useState } from 'preact/hooks';
import type { AuditEntry } from '../../api/types';
import { ErrorBox, Loading, useLoad } from '../../components/ui';
import { dateTime, fullName } from '../../format';
import { t, tk } from '../../i18n';
import { api } from '../../state';

const PAGE = 50;

export function AuditList({ load, tz }: { load: (before: number | null) => Promise<AuditEntry[]>; tz?: string }) {
  const [pages, setPages] = useState<AuditEntry[][]>([]);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const first = useLoad(() => load(null), []);
  const entries = [...(first.data ?? []), ...pages.flat()];
  const more = async () => {
    setBusy(true);
    try {
      const last = entries[entries.length - 1];
      const next = await load(last ? last.id : null);
      setPages([...pages, next]);
      if (next.length < PAGE) setDone(true);
    } finally {
      setBusy(false);
    }
  };
  if (first.loading) return <Loading />;
  if (first.error) return <ErrorBox error={first.error} onRetry={first.reload} />;
  return (
    <>
      {!entries.length ? <p>{t('audit.none')}</p> : null}
      <div class="table-wrap" tabIndex={0} role="region" aria-label={t('audit.title')}>
        <table class="table">
          <caption class="visually-hidden">{t('audit.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('audit.when')}</th>
              <th scope="col">{t('audit.who')}</th>
              <th scope="col">{t('audit.what')}</th>
              <th scope="col">{t('audit.details')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td class="nowrap">{dateTime(e.at, tz)}</td>
                <td>{e.actor ? fullName(e.actor) : t('audit.system')}</td>
                <td>{tk('audit', e.action)}</td>
                <td class="details">{describeDetails(e.details)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!done && (first.data?.length ?? 0) >= PAGE ? (
        <button type="button" class="btn btn--secondary" disabled={busy} onClick={more}>
          {t('audit.more')}
        </button>
      ) : null}
    </>
  );
}

function describeDetails(d: unknown): string {
  if (!d || typeof d !== 'object') return d == null ? '' : String(d);
  return Object.entries(d as Record<string, unknown>)
    .map(([k, v]) => `${tk('field', k)}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join('; ');
}

export function AuditTab({ org, tz }: { org: number; tz?: string }) {
  return (
    <section class="card" aria-labelledby="audit-title">
      <h2 id="audit-title">{t('audit.title')}</h2>
      <AuditList tz={tz} load={(before) => api.get('/api/v1/orgs/{org_id}/audit', { org_id: org, before_id: before, limit: PAGE })} />
    </section>
  );
}
