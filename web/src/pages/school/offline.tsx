// «Ученики без устройства или связи» under a remote-learning order, in «Дистанционное
// обучение»: for each class the reader marks (their own as class teacher, every class of
// the order for the administration) a checkbox list of its students, saved as the
// class's whole list (PUT …/offline). A refusal shows at the list. Part of the orders
// tab's chunk, with the individual assignments' strings.
import { useEffect, useState } from 'preact/hooks';
import type { ClassRef, Member, OfflineStudent, Order } from '../../api/types';
import { ApiError } from '../../api/client';
import { ErrorBox, errorText, Loading, useId, useLoad } from '../../components/ui';
import { fullName } from '../../format';
import { fieldErrors, offlineIds } from '../../journal/individual';
import { api } from '../../state';
import { t, tn, type Key } from '../journal/individual.strings';

export function OfflinePanel({ org, order, classes }: { org: number; order: Order; classes: ClassRef[] }) {
  const offline = useLoad(() => api.get('/api/v1/orgs/{org_id}/orders/{order_id}/offline', { org_id: org, order_id: order.id }), [org, order.id]);
  const [list, setList] = useState<OfflineStudent[] | null>(null);
  useEffect(() => setList(null), [offline.data]);
  const shown = list ?? offline.data ?? null;
  const titleId = `offline-${order.id}-title`;
  return (
    <section class="offline" aria-labelledby={titleId} data-order-id={order.id}>
      <h5 id={titleId} class="offline-title">
        {t('ind.offline.title')}
      </h5>
      <p class="hint">{t('ind.offline.hint')}</p>
      {offline.error ? <ErrorBox error={offline.error} onRetry={offline.reload} /> : null}
      {!shown && !offline.error ? <Loading /> : null}
      {shown ? classes.map((c) => <OfflineClass key={c.id} org={org} order={order} cls={c} marked={offlineIds(shown, c.id)} onSaved={setList} />) : null}
    </section>
  );
}

function OfflineClass({ org, order, cls, marked, onSaved }: { org: number; order: Order; cls: ClassRef; marked: number[]; onSaved: (l: OfflineStudent[]) => void }) {
  const members = useLoad(() => api.get('/api/v1/orgs/{org_id}/members', { org_id: org, class_id: cls.id }), [org, cls.id]);
  const students = (members.data ?? [])
    .filter((m: Member) => m.places.some((p) => p.role === 'student' && p.class.id === cls.id))
    .map((m) => m.person)
    .sort((a, b) => fullName(a).localeCompare(fullName(b), 'ru'));
  const [ticked, setTicked] = useState<number[]>(marked);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const id = useId(`offline-${order.id}-${cls.id}`);

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const ids = students.map((s) => s.id).filter((s) => ticked.includes(s));
      onSaved(await api.put('/api/v1/orgs/{org_id}/orders/{order_id}/offline', { org_id: org, order_id: order.id }, { class_id: cls.id, student_ids: ids }));
      setSaved(true);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) {
        const errs = fieldErrors(err.fieldCodes, err.fields, (k) => t(k as Key));
        setError(Object.values(errs)[0] ?? err.detail ?? errorText(err));
      } else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="offline-class" noValidate onSubmit={save} data-class={cls.name}>
      <fieldset aria-describedby={error ? `${id}-error` : `${id}-count`}>
        <legend>{t('ind.offline.class', { class: cls.name })}</legend>
        {members.error ? <ErrorBox error={members.error} onRetry={members.reload} /> : null}
        {members.loading && !members.data ? <Loading /> : null}
        {members.data && !students.length ? <p class="muted">{t('ind.offline.no_students')}</p> : null}
        <ul class="offline-list">
          {students.map((s) => (
            <li key={s.id} class="field field--check">
              <input
                id={`${id}-${s.id}`}
                type="checkbox"
                checked={ticked.includes(s.id)}
                onChange={(ev) => {
                  const on = (ev.currentTarget as HTMLInputElement).checked;
                  setSaved(false);
                  setTicked((now) => (on ? [...now, s.id] : now.filter((x) => x !== s.id)));
                }}
              />
              <label for={`${id}-${s.id}`}>{fullName(s)}</label>
            </li>
          ))}
        </ul>
        <p class="hint" id={`${id}-count`}>
          {ticked.length ? tn('ind.offline.marked', ticked.length) : t('ind.offline.nobody')}
        </p>
        {error ? (
          <p class="field-error" id={`${id}-error`} role="alert">
            {error}
          </p>
        ) : null}
      </fieldset>
      <p class="offline-actions">
        <button type="submit" class="btn btn--secondary" disabled={busy || !members.data} aria-busy={busy || undefined}>
          <span aria-hidden="true">{t('ind.offline.save')}</span>
          <span class="visually-hidden">{t('ind.offline.save_named', { class: cls.name })}</span>
        </button>
        <span role="status" class="offline-saved">
          {saved ? t('ind.offline.saved', { class: cls.name }) : ''}
        </span>
      </p>
    </form>
  );
}
