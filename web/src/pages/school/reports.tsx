// The moderation queue: reports of messages, for the chats' moderators (class
// teachers) and the school's admins, with the decision on each. The director and the
// deputies read the whole queue without the decision (the server would refuse it),
// unless they moderate the chat a report came from.
import { useState } from 'preact/hooks';
import type { MySchool, Report } from '../../api/types';
import { Badge, ConfirmButton, ErrorBox, Loading, useId, useLoad } from '../../components/ui';
import { dateTime, fullName, shortName } from '../../format';
import { t, tk, type Key } from '../../i18n';
import { api } from '../../state';
import { entries } from '../../chat/store';
import { Attachments } from '../chat-files';
import { readsReportsOnly } from './tabs';

const FILTERS = ['open', 'removed', 'dismissed', ''] as const;

function statusKind(s: string): string {
  return s === 'open' ? 'warn' : s === 'removed' ? 'danger' : 'neutral';
}

export function ReportsTab({ org, tz, school }: { org: number; tz?: string; school: MySchool }) {
  const [status, setStatus] = useState<(typeof FILTERS)[number]>('open');
  const list = useLoad(() => api.get('/api/v1/orgs/{org_id}/reports', { org_id: org, status: status || undefined }), [org, status]);
  return (
    <section class="card" aria-labelledby="rep-title">
      <h2 id="rep-title">{t('reports.title')}</h2>
      <p class="hint">{t('reports.lead')}</p>
      {readsReportsOnly(school) ? <p class="hint reports-read-only">{t('reports.read_only')}</p> : null}
      <div class="segmented" role="group" aria-label={t('reports.filter')}>
        {FILTERS.map((s) => (
          <button key={s} type="button" class="seg" aria-pressed={status === s} onClick={() => setStatus(s)}>
            {t(`reports.filter.${s || 'all'}` as Key)}
          </button>
        ))}
      </div>
      {list.error ? <ErrorBox error={list.error} onRetry={list.reload} /> : null}
      {list.loading && !list.data ? <Loading /> : null}
      {list.data && !list.data.length ? <p>{status === 'open' ? t('reports.none_open') : t('reports.none')}</p> : null}
      <ul class="list">
        {(list.data ?? []).map((r) => (
          <ReportRow key={r.id} org={org} r={r} tz={tz} onChange={list.reload} decides={!readsReportsOnly(school, entries.value.get(r.chat_id)?.chat.my_role === 'moderator')} />
        ))}
      </ul>
    </section>
  );
}

function ReportRow({ org, r, tz, onChange, decides }: { org: number; r: Report; tz?: string; onChange: () => void; decides: boolean }) {
  const noteId = useId('report-note');
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const m = r.message;
  const resolve = async (deleteMessage: boolean) => {
    setBusy(true);
    try {
      await api.post('/api/v1/orgs/{org_id}/reports/{report_id}/resolve', { org_id: org, report_id: r.id }, { delete_message: deleteMessage, note: note.trim() || null });
      setError(null);
      onChange();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <li class="list-item report-item" data-report-id={r.id} data-status={r.status} data-message-id={m.id}>
      <div>
        <strong>{r.chat_title}</strong> <Badge kind={statusKind(r.status)}>{tk('report_status', r.status)}</Badge>
        <div class="muted">{t('reports.from', { name: fullName(r.reporter), at: dateTime(r.created_at, tz) })}</div>
        <p class="report-reason">
          <strong>{t('reports.reason')}:</strong> {r.reason}
        </p>
        <blockquote class="quote">
          <span class="quote-who">{t('reports.message_by', { name: shortName(m.sender), at: dateTime(m.created_at, tz) })}</span>
          {m.deleted ? (
            <span class="quote-text msg-body--deleted">{t('reports.message_gone')}</span>
          ) : (
            <>
              {m.body ? <span class="quote-text">{m.body}</span> : null}
              <Attachments files={m.attachments} />
            </>
          )}
        </blockquote>
        {entries.value.has(r.chat_id) ? <a href={`/chats/${r.chat_id}`}>{t('reports.open_chat', { chat: r.chat_title })}</a> : null}
        {r.status !== 'open' ? (
          <div class="muted">
            {r.resolved_by && r.resolved_at ? t('reports.resolved_by', { name: fullName(r.resolved_by), at: dateTime(r.resolved_at, tz) }) : null}
            {r.note ? <div>{t('reports.note_was', { note: r.note })}</div> : null}
          </div>
        ) : null}
      </div>
      {r.status === 'open' && decides ? (
        <div class="report-decide">
          <div class="field">
            <label for={noteId}>{t('reports.note')}</label>
            <input id={noteId} value={note} maxLength={1000} aria-describedby={`${noteId}-hint`} onInput={(e) => setNote((e.currentTarget as HTMLInputElement).value)} />
            <p class="hint" id={`${noteId}-hint`}>
              {t('reports.note_hint')}
            </p>
          </div>
          {error ? <ErrorBox error={error} /> : null}
          <div class="item-actions">
            <button type="button" class="btn btn--secondary btn--small" disabled={busy} onClick={() => resolve(false)}>
              {t('reports.dismiss')}
            </button>
            {!m.deleted ? (
              <ConfirmButton confirm={t('reports.remove_q')} onConfirm={() => resolve(true)}>
                {t('reports.remove')}
              </ConfirmButton>
            ) : null}
          </div>
        </div>
      ) : null}
    </li>
  );
}
