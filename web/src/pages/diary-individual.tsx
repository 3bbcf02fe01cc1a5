// «Индивидуальные задания» in the diary: a student's individual assignments of remote
// learning (set while they were without a device or connection): task, subject,
// teacher, date due and the mark once given, the earliest due first. Read from the
// orders over the student's class; shown only when there are any. Part of the diary's chunk.
import type { IndividualAssignment } from '../api/types';
import { ErrorBox, useLoad } from '../components/ui';
import { day, shortName } from '../format';
import { ordersOfClass, studentsAssignments } from '../journal/individual';
import { api } from '../state';
import { t } from './journal/individual.strings';

export function DiaryIndividual({ org, student, classId, tick }: { org: number; student: number; classId: number; tick?: unknown }) {
  const items = useLoad(async (): Promise<IndividualAssignment[]> => {
    const orders = ordersOfClass(await api.get('/api/v1/orgs/{org_id}/orders', { org_id: org }), classId);
    const lists = await Promise.all(orders.map((o) => api.get('/api/v1/orgs/{org_id}/orders/{order_id}/individual', { org_id: org, order_id: o.id })));
    return studentsAssignments(lists, student);
  }, [org, student, classId, tick]);
  if (items.error) return <ErrorBox error={items.error} onRetry={items.reload} />;
  if (!items.data?.length) return null;
  return (
    <section class="card diary-individual" aria-labelledby="dind-h">
      <h2 id="dind-h">{t('ind.diary_title')}</h2>
      <p class="hint">{t('ind.diary_lead')}</p>
      <ul class="diary-ind-list">
        {items.data.map((a) => (
          <li key={a.id} class="diary-ind" data-individual-id={a.id} data-subject={a.subject.name}>
            <div class="dl-head">
              <span class="dl-main">
                <strong class="dl-subject">{a.subject.name}</strong>
                <span class="lesson-meta">
                  {shortName(a.teacher)} · {t('ind.diary_due', { date: day(a.due_on) })}
                </span>
              </span>
              <span class="dl-results">
                {a.mark ? (
                  <span class={`mark mark--${a.mark}`} data-mark={a.mark}>
                    <span class="visually-hidden">{t('ind.mark')}: </span>
                    {a.mark}
                  </span>
                ) : null}
              </span>
            </div>
            <p class="diary-ind-body">{a.body}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
