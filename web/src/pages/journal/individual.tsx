// «Индивидуальные задания» in the class journal, apart from the class's lessons: for
// each remote-learning order over the class, the individual assignments of this subject
// set to its students without a device or connection (student, task, date due, mark);
// the subject's teacher sets one (a student the class teacher marked, the text, a date
// after the order) and, once the order is over, gives its mark. Refusals show at their
// fields. Part of the grid's chunk.
import { useState } from 'preact/hooks';
import type { Assignment, IndividualAssignment, OfflineStudent, Order, PersonRef } from '../../api/types';
import { ApiError } from '../../api/client';
import { ErrorBox, errorText, Field, FormMessage, Loading, SelectField, Submit, useForm, useLoad } from '../../components/ui';
import { day, fullName } from '../../format';
import { assignmentsOf, fieldErrors, firstDueDay, INDIVIDUAL_MARKS, individualRequest, marksOpen, ordersOfClass } from '../../journal/individual';
import { api } from '../../state';
import { t, type Key } from './individual.strings';

interface OrderWork {
  order: Order;
  offline: OfflineStudent[];
  items: IndividualAssignment[];
}

/** The area's wording of a refusal's field code, with the order's first day due filled in. */
const codeText = (o: Order) => (key: string) => t(key as Key, { date: day(firstDueDay(o)) });

export function IndividualSection(p: { org: number; assignment: Assignment; students: PersonRef[]; mine: boolean; today: string; onChanged: () => void }) {
  const { org, assignment } = p;
  const classId = assignment.class.id;
  const inGrid = new Set(p.students.map((s) => s.id));
  const work = useLoad(async (): Promise<OrderWork[]> => {
    const orders = ordersOfClass(await api.get('/api/v1/orgs/{org_id}/orders', { org_id: org }), classId);
    const out = await Promise.all(
      orders.map(async (order) => {
        const [offline, items] = await Promise.all([
          api.get('/api/v1/orgs/{org_id}/orders/{order_id}/offline', { org_id: org, order_id: order.id }),
          api.get('/api/v1/orgs/{org_id}/orders/{order_id}/individual', { org_id: org, order_id: order.id }),
        ]);
        return { order, offline: offline.filter((s) => s.class.id === classId && inGrid.has(s.person.id)), items: assignmentsOf(items, assignment.id) };
      }),
    );
    return out.filter((w) => w.offline.length || w.items.length);
  }, [org, assignment.id]);

  if (work.error) return <ErrorBox error={work.error} onRetry={work.reload} />;
  if (!work.data) return work.loading ? <Loading /> : null;
  if (!work.data.length) return null;
  return (
    <section class="jg-individual" aria-labelledby="jg-ind-h">
      <h2 id="jg-ind-h">{t('ind.title')}</h2>
      {work.data.map((w) => (
        <OrderBlock key={w.order.id} org={org} assignment={assignment} work={w} mine={p.mine} today={p.today} onChanged={p.onChanged} />
      ))}
    </section>
  );
}

function OrderBlock({ org, assignment, work, mine, today, onChanged }: { org: number; assignment: Assignment; work: OrderWork; mine: boolean; today: string; onChanged: () => void }) {
  const o = work.order;
  const [items, setItems] = useState(work.items);
  const open = marksOpen(o, today);
  const headId = `jg-ind-${o.id}`;
  const put = (a: IndividualAssignment) => {
    setItems((now) => assignmentsOf([...now.filter((x) => x.id !== a.id), a], assignment.id));
    onChanged();
  };
  return (
    <div class="jg-ind-order" data-order-id={o.id} aria-labelledby={headId} role="group">
      <h3 id={headId}>{t('ind.order', { number: o.number, from: day(o.starts_on), to: day(o.in_force_until ?? o.ends_on) })}</h3>
      <p class="hint">{t('ind.grid_lead')}</p>
      {items.length ? (
        <div class="jg-ind-wrap" tabIndex={0} role="region" aria-labelledby={headId}>
          <table class="jg-ind-table">
            <thead>
              <tr>
                <th scope="col">{t('ind.student')}</th>
                <th scope="col">{t('ind.task')}</th>
                <th scope="col">{t('ind.due')}</th>
                <th scope="col">{t('ind.mark')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id} data-individual-id={a.id} data-student-id={a.student.id}>
                  <th scope="row">{fullName(a.student)}</th>
                  <td class="jg-ind-body">{a.body}</td>
                  <td class="nowrap">{day(a.due_on)}</td>
                  <td>{mine && open ? <MarkSelect org={org} item={a} onSaved={put} /> : <span class="jg-ind-mark">{a.mark ?? <span class="muted">{t('ind.no_mark')}</span>}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted">{t('ind.none')}</p>
      )}
      {mine && !open ? <p class="hint jg-ind-later">{t('ind.marks_later')}</p> : null}
      {mine && work.offline.length ? <NewIndividual org={org} assignment={assignment} order={o} offline={work.offline} onSet={put} /> : null}
      {mine && !work.offline.length ? <p class="muted">{t('ind.no_offline')}</p> : null}
    </div>
  );
}

function MarkSelect({ org, item, onSaved }: { org: number; item: IndividualAssignment; onSaved: (a: IndividualAssignment) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [value, setValue] = useState(item.mark ?? '');
  const [saved, setSaved] = useState(false);
  const errId = `jg-ind-mark-${item.id}-error`;
  const save = async (mark: string) => {
    if (!mark) return;
    setValue(mark);
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      onSaved(await api.put('/api/v1/orgs/{org_id}/individual/{individual_id}/mark', { org_id: org, individual_id: item.id }, { mark }));
      setSaved(true);
    } catch (e) {
      setValue(item.mark ?? '');
      if (e instanceof ApiError && e.code === 'order_in_force') setError(t('ind.error.order_in_force'));
      else if (e instanceof ApiError && e.status === 422) setError(fieldErrors(e.fieldCodes, e.fields, (k) => t(k as Key)).mark ?? errorText(e));
      else setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="jg-ind-markbox">
      <select
        aria-label={t('ind.mark_of', { name: fullName(item.student), date: day(item.due_on) })}
        value={value}
        disabled={busy}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errId : undefined}
        onChange={(e) => void save((e.currentTarget as HTMLSelectElement).value)}
      >
        {item.mark ? null : <option value="">—</option>}
        {INDIVIDUAL_MARKS.map((m) => (
          <option key={m} value={m}>
            {m}
          </option>
        ))}
      </select>
      <span role="status" class="visually-hidden">
        {saved ? t('ind.marked') : ''}
      </span>
      {error ? (
        <span id={errId} class="jg-final-error" role="alert">
          {error}
        </span>
      ) : null}
    </span>
  );
}

function NewIndividual({ org, assignment, order, offline, onSet }: { org: number; assignment: Assignment; order: Order; offline: OfflineStudent[]; onSet: (a: IndividualAssignment) => void }) {
  const first = firstDueDay(order);
  const blank = { student_id: offline.length === 1 ? String(offline[0]!.person.id) : '', body: '', due_on: first };
  const form = useForm(blank);
  const [done, setDone] = useState<string | null>(null);
  const options = [
    ...(offline.length === 1 ? [] : [{ value: '', label: t('ind.new_student_pick') }]),
    ...offline.map((s) => ({ value: String(s.person.id), label: fullName(s.person) })),
  ];
  const submit = async (e: Event) => {
    e.preventDefault();
    setDone(null);
    const v = form.values.value;
    if (!v.student_id) {
      form.errors.value = { student_id: t('ind.new_student_pick') };
      return;
    }
    const set = await form.submit(async (values) => {
      try {
        return await api.post('/api/v1/orgs/{org_id}/orders/{order_id}/individual', { org_id: org, order_id: order.id }, individualRequest(values, assignment.id));
      } catch (err) {
        if (err instanceof ApiError && err.status === 422) {
          // At their fields; what no field shows (the assignment) above the button.
          const shown: Record<string, string> = {};
          const rest: string[] = [];
          for (const [f, m] of Object.entries(fieldErrors(err.fieldCodes, err.fields, codeText(order)))) {
            if (f in blank) shown[f] = m;
            else rest.push(m);
          }
          form.errors.value = shown;
          form.message.value = rest.join(' ') || (Object.keys(shown).length ? null : err.detail || null);
          return undefined;
        }
        throw err;
      }
    });
    if (!set) {
      requestAnimationFrame(() => document.querySelector<HTMLElement>(`.jg-ind-form[data-order-id="${order.id}"] [aria-invalid="true"]`)?.focus());
      return;
    }
    form.reset({ ...blank, student_id: form.values.value.student_id });
    setDone(t('ind.set', { name: fullName(set.student) }));
    onSet(set);
  };
  return (
    <form class="form jg-ind-form" noValidate onSubmit={submit} data-order-id={order.id} aria-labelledby={`jg-ind-new-${order.id}`}>
      <h4 id={`jg-ind-new-${order.id}`}>{t('ind.new')}</h4>
      <SelectField form={form} name="student_id" label={t('ind.new_student')} options={options} required />
      <Field form={form} name="body" label={t('ind.new_body')} hint={t('ind.new_body_hint')} textarea required maxLength={2000} />
      <Field form={form} name="due_on" label={t('ind.new_due')} hint={t('ind.new_due_hint', { date: day(first) })} type="date" required />
      <FormMessage form={form} />
      <Submit form={form}>{t('ind.new_submit')}</Submit>
      <p role="status" class="jg-ind-done">
        {done ?? ''}
      </p>
    </form>
  );
}
