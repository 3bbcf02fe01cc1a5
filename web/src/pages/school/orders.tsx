// «Дистанционное обучение» in the school console (the director and the admins): the
// school's remote-learning orders with where each stands today and its signed document,
// the form that registers one (number, date, reason, period, the classes or the whole
// school, the document uploaded first), and «Завершить досрочно» with a confirmation
// saying what follows. Class teachers and the deputy read the orders of their classes
// (of the school) there; whoever reads a class's journal marks its students without a
// device or connection (./offline). Its own chunk with its own strings (orders.strings.ts).
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import type { FileInfo, MySchool, Order, SchoolClass } from '../../api/types';
import { ConfirmButton, ErrorBox, Field, FormMessage, Loading, Notice, Submit, errorText, useForm, useId, useLoad } from '../../components/ui';
import { dateTime, day, formatBytes, shortName, todayIn } from '../../format';
import { addDays } from '../../journal/model';
import { canEnd, orderErrors, orderRequest, orderStatus, statusDate, type OrderStatus } from '../../journal/orders';
import { markedClasses, takesEffect } from '../../journal/individual';
import { api, issuesOrders } from '../../state';
import { t as indT } from '../journal/individual.strings';
import { OfflinePanel } from './offline';
import { t, type Key } from './orders.strings';
import './orders.css';

const STATUS_KIND: Record<OrderStatus, string> = {
  in_force: 'ok',
  ending_today: 'warn',
  upcoming: 'teacher',
  ended_early: 'neutral',
  cancelled: 'neutral',
  over: 'neutral',
};

/** «Действует по 12 декабря», «Вступит в силу 8 декабря»… */
export function statusText(o: Order, status: OrderStatus): string {
  const date = statusDate(o, status);
  return t(`ord.status.${status}` as Key, date ? { date: day(date) } : undefined);
}

export function OrdersTab({ org, tz, school }: { org: number; tz?: string; school: MySchool }) {
  const today = todayIn(tz);
  const issues = issuesOrders(school);
  const orders = useLoad(() => api.get('/api/v1/orgs/{org_id}/orders', { org_id: org }), [org]);
  const [notice, setNotice] = useState<string | null>(null);
  // The list as loaded, then as changed here (an order registered or ended) until loaded again.
  const [list, setList] = useState<Order[] | null>(null);
  useEffect(() => setList(null), [orders.data]);
  const loaded = list ?? orders.data ?? null;
  // Who does not issue orders reads those of the classes they mark.
  const shown = loaded && !issues ? loaded.filter((o) => markedClasses(school, o).length > 0) : loaded;
  const replace = (o: Order) => setList((loaded ?? []).map((x) => (x.id === o.id ? o : x)));
  return (
    <>
      <section class="card orders" aria-labelledby="ord-title">
        <h2 id="ord-title">{t('console.tab.orders')}</h2>
        <p class="hint">{issues ? t('ord.lead') : indT('ind.orders_lead')}</p>
        {notice ? <Notice>{notice}</Notice> : null}
        <h3>{t('ord.list')}</h3>
        {orders.error ? <ErrorBox error={orders.error} onRetry={orders.reload} /> : null}
        {!shown && !orders.error ? <Loading /> : null}
        {shown && !shown.length ? <p class="muted">{issues ? t('ord.none') : indT('ind.orders_none')}</p> : null}
        {shown && shown.length ? (
          <ul class="list order-list">
            {shown.map((o) => (
              <OrderItem
                key={o.id}
                org={org}
                order={o}
                school={school}
                issues={issues}
                today={today}
                tz={tz}
                onEnded={(ended) => {
                  replace(ended);
                  setNotice(t('ord.ended', { number: ended.number }));
                }}
              />
            ))}
          </ul>
        ) : null}
      </section>
      {issues ? (
        <OrderForm
          org={org}
          today={today}
          onIssued={(o) => {
            setList([o, ...(loaded ?? []).filter((x) => x.id !== o.id)]);
            setNotice(t('ord.registered', { number: o.number }));
          }}
        />
      ) : null}
    </>
  );
}

function OrderItem({
  org,
  order: o,
  school,
  issues,
  today,
  tz,
  onEnded,
}: {
  org: number;
  order: Order;
  school: MySchool;
  issues: boolean;
  today: string;
  tz?: string;
  onEnded: (o: Order) => void;
}) {
  const status = orderStatus(o, today);
  // Students are marked while the order holds or is yet to come.
  const marks = takesEffect(o) && (status === 'in_force' || status === 'upcoming' || status === 'ending_today') ? markedClasses(school, o) : [];
  const [error, setError] = useState<string | null>(null);
  const titleId = `order-${o.id}-title`;
  const end = async () => {
    setError(null);
    try {
      onEnded(await api.post('/api/v1/orgs/{org_id}/orders/{order_id}/end', { org_id: org, order_id: o.id }));
      // The button is gone: the order's title keeps the focus.
      requestAnimationFrame(() => document.getElementById(titleId)?.focus());
    } catch (e) {
      const code = e instanceof ApiError ? e.code : '';
      setError(code === 'order_ended' || code === 'order_over' ? t(`ord.error.${code}`) : errorText(e));
    }
  };
  return (
    <li class="list-item order" data-order-id={o.id} data-status={status} aria-labelledby={titleId}>
      <div>
        <h4 id={titleId} class="order-title" tabIndex={-1}>
          {t('ord.title', { number: o.number, date: day(o.issued_on) })}
        </h4>
        <p>
          <span class={`badge badge--${STATUS_KIND[status]} order-status`}>{statusText(o, status)}</span>
        </p>
        <dl class="order-facts">
          <dt>{t('ord.period_label')}</dt>
          <dd>{t('ord.period', { from: day(o.starts_on), to: day(o.ends_on) })}</dd>
          <dt>{t('ord.classes_label')}</dt>
          <dd class="order-classes">{o.whole_school ? t('ord.whole_school') : o.classes.map((c) => c.name).join(', ')}</dd>
          <dt>{t('ord.reason_label')}</dt>
          <dd>{o.reason}</dd>
          <dt>{t('ord.document_label')}</dt>
          <dd>
            {o.document ? (
              <a class="order-document" href={`/api/v1/files/${o.document.id}`} download={o.document.name}>
                {o.document.name} <span class="muted">({formatBytes(o.document.size)})</span>
              </a>
            ) : (
              <span class="muted">{t('ord.no_document')}</span>
            )}
          </dd>
        </dl>
        <p class="hint">{t('ord.issued_by', { name: shortName(o.issued_by), at: dateTime(o.created_at, tz) })}</p>
        {error ? (
          <p class="field-error" role="alert">
            {error}
          </p>
        ) : null}
        {marks.length ? <OfflinePanel org={org} order={o} classes={marks} /> : null}
      </div>
      {issues && canEnd(status) ? (
        <div class="order-actions">
          <ConfirmButton confirm={t(status === 'upcoming' ? 'ord.end_confirm_upcoming' : 'ord.end_confirm')} onConfirm={end}>
            <span aria-hidden="true">{t('ord.end')}</span>
            <span class="visually-hidden">{t('ord.end_named', { number: o.number })}</span>
          </ConfirmButton>
        </div>
      ) : null}
    </li>
  );
}

const FIELD_CODES = new Set(['required', 'invalid_date', 'ends_before_start', 'period_too_long', 'after_period', 'unknown_class', 'unknown_file', 'not_allowed']);

/** The area's wording for a field code (null: the server's own text). */
function codeText(code: string, field: string): string | null {
  if (code === 'required' && field === 'class_ids') return t('ord.field.classes_required');
  if (code === 'invalid_date' || code === 'required') return t(code === 'required' ? 'ord.field.required' : 'ord.field.invalid_date');
  return FIELD_CODES.has(code) ? t(`ord.field.${code}` as Key) : null;
}

function OrderForm({ org, today, onIssued }: { org: number; today: string; onIssued: (o: Order) => void }) {
  const blank = { number: '', issued_on: today, reason: '', starts_on: addDays(today, 1), ends_on: '', whole_school: false };
  const form = useForm(blank);
  const [classIds, setClassIds] = useState<number[]>([]);
  const [doc, setDoc] = useState<FileInfo | null>(null);
  const [upload, setUpload] = useState<{ name: string; error: string | null } | null>(null);
  const [formKey, setFormKey] = useState(0);
  const classes = useLoad(() => api.get('/api/v1/orgs/{org_id}/classes', { org_id: org }), [org]);
  const list = (classes.data ?? []).filter((c: SchoolClass) => c.kind === 'class');
  const errors = form.errors.value;
  const wholeSchool = form.values.value.whole_school === true;
  const classesId = useId('ord-classes');
  const docId = useId('ord-doc');

  const clearError = (field: string) => {
    if (!errors[field]) return;
    const next = { ...errors };
    delete next[field];
    form.errors.value = next;
  };

  const pick = (file: File | undefined) => {
    if (!file) return;
    clearError('document');
    setDoc(null);
    setUpload({ name: file.name, error: null });
    const body = new FormData();
    body.append('file', file, file.name);
    api
      .upload('/api/v1/orgs/{org_id}/journal/files', { org_id: org }, body, () => {})
      .done.then((stored) => {
        setDoc(stored);
        setUpload(null);
      })
      .catch((e: unknown) => setUpload({ name: file.name, error: errorText(e) }));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (upload && !upload.error) {
      form.errors.value = { ...errors, document: t('ord.document_busy') };
      return;
    }
    const issued = await form.submit(async (v) => {
      try {
        return await api.post(
          '/api/v1/orgs/{org_id}/orders',
          { org_id: org },
          orderRequest({ ...v, whole_school: v.whole_school === true, class_ids: classIds, document: doc?.id ?? null }),
        );
      } catch (err) {
        if (err instanceof ApiError && err.status === 422) {
          form.errors.value = orderErrors(err.fieldCodes, err.fields, codeText);
          form.message.value = err.detail || null;
          return undefined;
        }
        throw err;
      }
    });
    if (!issued) {
      requestAnimationFrame(() => document.querySelector<HTMLElement>('.order-form [aria-invalid="true"]')?.focus());
      return;
    }
    form.reset(blank);
    setClassIds([]);
    setDoc(null);
    setUpload(null);
    setFormKey((k) => k + 1);
    onIssued(issued);
  };

  return (
    <form class="card form order-form" noValidate aria-labelledby="ord-new-title" onSubmit={submit} key={formKey}>
      <h3 id="ord-new-title">{t('ord.new')}</h3>
      <p class="hint">{t('ord.new_hint')}</p>
      <div class="row">
        <Field form={form} name="number" label={t('ord.number')} hint={t('ord.number_hint')} required maxLength={40} />
        <Field form={form} name="issued_on" label={t('ord.issued_on')} type="date" required />
      </div>
      <Field form={form} name="reason" label={t('ord.reason')} hint={t('ord.reason_hint')} required textarea maxLength={500} />
      <div class="row">
        <Field form={form} name="starts_on" label={t('ord.starts_on')} type="date" required />
        <Field form={form} name="ends_on" label={t('ord.ends_on')} type="date" required />
      </div>
      <fieldset class={`order-classes-pick${errors.class_ids ? ' field--error' : ''}`} aria-describedby={errors.class_ids ? `${classesId}-error` : undefined}>
        <legend>{t('ord.classes')}</legend>
        <div class="field field--check">
          <input
            id={`${classesId}-all`}
            type="checkbox"
            checked={wholeSchool}
            onChange={(e) => {
              form.set('whole_school', (e.currentTarget as HTMLInputElement).checked);
              clearError('class_ids');
            }}
          />
          <label for={`${classesId}-all`}>{t('ord.whole_school_check')}</label>
        </div>
        {classes.error ? <ErrorBox error={classes.error} onRetry={classes.reload} /> : null}
        {classes.loading && !classes.data ? <Loading /> : null}
        <ul class="order-class-list">
          {list.map((c) => (
            <li key={c.id} class="field field--check">
              <input
                id={`${classesId}-${c.id}`}
                type="checkbox"
                disabled={wholeSchool}
                checked={wholeSchool || classIds.includes(c.id)}
                onChange={(e) => {
                  const on = (e.currentTarget as HTMLInputElement).checked;
                  setClassIds((ids) => (on ? [...ids, c.id] : ids.filter((x) => x !== c.id)));
                  clearError('class_ids');
                }}
              />
              <label for={`${classesId}-${c.id}`}>{c.name}</label>
            </li>
          ))}
        </ul>
        {errors.class_ids ? (
          <p class="field-error" id={`${classesId}-error`}>
            {errors.class_ids}
          </p>
        ) : null}
      </fieldset>
      <div class={`field${errors.document ? ' field--error' : ''}`}>
        <label for={docId}>{t('ord.document')}</label>
        <input
          id={docId}
          type="file"
          accept=".pdf,application/pdf,image/*"
          aria-invalid={errors.document ? true : undefined}
          aria-describedby={errors.document ? `${docId}-error` : undefined}
          onChange={(e) => {
            const input = e.currentTarget as HTMLInputElement;
            pick(input.files?.[0]);
            input.value = '';
          }}
        />
        {doc || upload ? (
          <p class="order-doc" aria-live="polite">
            {doc ? (
              <>
                <span class="file-name" data-file-id={doc.id}>
                  {doc.name}
                </span>{' '}
                <span class="muted">{formatBytes(doc.size)}</span>{' '}
                <button type="button" class="btn btn--link btn--small" aria-label={t('ord.remove_document_named', { name: doc.name })} onClick={() => setDoc(null)}>
                  {t('ord.remove_document')}
                </button>
              </>
            ) : upload ? (
              <>
                <span class="file-name">{upload.name}</span> {upload.error ? <span class="field-error">{upload.error}</span> : <span class="muted">{t('ord.uploading')}</span>}
              </>
            ) : null}
          </p>
        ) : null}
        {errors.document ? (
          <p class="field-error" id={`${docId}-error`}>
            {errors.document}
          </p>
        ) : null}
      </div>
      <FormMessage form={form} />
      <Submit form={form}>{t('ord.submit')}</Submit>
    </form>
  );
}
