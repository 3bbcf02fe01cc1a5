// «Кого не хватает»: a class's students and parents joined, its open invites and join
// requests waiting, and the names of the students with no parent joined, with the next
// step in words. Shown in the school's dashboard (a class picked in the reach table) and,
// for a class teacher, as «Статистика класса»: their classes' details. Its own chunk with
// the statistics' strings (stats/stats.strings.ts).
import { useEffect, useRef } from 'preact/hooks';
import type { ClassRef, MySchool } from '../../api/types';
import { ErrorBox, Loading, useLoad } from '../../components/ui';
import { fullName } from '../../format';
import { api } from '../../state';
import { t } from '../../stats/stats.strings';
import { consoleTabs } from './tabs';
import './statistics.css';

/**
 * One class's detail; `focus` moves the keyboard to its heading when it opens; `invites`
 * says whether the reader has the invites and requests tabs to take the next step in.
 */
export function ClassReachCard({ org, cls, focus = false, invites }: { org: number; cls: Pick<ClassRef, 'id' | 'name'>; focus?: boolean; invites: boolean }) {
  const detail = useLoad(() => api.get('/api/v1/orgs/{org_id}/classes/{class_id}/reach', { org_id: org, class_id: cls.id }), [org, cls.id]);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focus) heading.current?.focus();
  }, [focus, cls.id]);
  const id = `st-class-${cls.id}`;
  const d = detail.data;
  return (
    <section class="st-class" aria-labelledby={id} data-class-id={cls.id}>
      <h3 id={id} tabIndex={-1} ref={heading}>
        {t('st.missing_title', { name: cls.name })}
      </h3>
      {detail.error ? <ErrorBox error={detail.error} onRetry={detail.reload} /> : null}
      {detail.loading && !d ? <Loading /> : null}
      {d ? (
        <>
          <dl class="st-figures">
            <div>
              <dt>{t('st.d.students')}</dt>
              <dd>{d.reach.students}</dd>
            </div>
            <div>
              <dt>{t('st.d.with_parent')}</dt>
              <dd>{d.reach.students_with_parent}</dd>
            </div>
            <div>
              <dt>{t('st.d.parents')}</dt>
              <dd>{d.reach.parents}</dd>
            </div>
            <div>
              <dt>{t('st.d.open_invites')}</dt>
              <dd>{d.open_invites}</dd>
            </div>
            <div>
              <dt>{t('st.d.pending_requests')}</dt>
              <dd>{d.pending_requests}</dd>
            </div>
          </dl>
          {d.without_parent.length ? (
            <>
              <h4>{t('st.without_parent')}</h4>
              <ul class="st-missing">
                {d.without_parent.map((p) => (
                  <li key={p.id} data-person-id={p.id}>
                    {fullName(p)}
                  </li>
                ))}
              </ul>
              {invites ? (
                <p class="st-next">
                  {t('st.next_invite')} <a href={`/school/${org}/invites`}>{t('st.open_invites')}</a>
                </p>
              ) : (
                <p class="st-next">{t('st.next_invite_ask')}</p>
              )}
            </>
          ) : (
            <p>{t('st.without_parent_none')}</p>
          )}
          {d.pending_requests > 0 && invites ? (
            <p class="st-next">
              {t('st.next_requests')} <a href={`/school/${org}/requests`}>{t('console.tab.requests')}</a>
            </p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

/** «Статистика класса»: a class teacher's own classes, each with who is missing. */
export function ClassStatisticsTab({ school }: { school: MySchool }) {
  return (
    <section class="card st" aria-labelledby="st-class-tab-title">
      <h2 id="st-class-tab-title">{t('st.class_tab_title')}</h2>
      <p class="hint">{t('st.class_tab_lead')}</p>
      <p class="hint">{t('st.lead_no_messages')}</p>
      {school.class_teacher_of.length ? (
        school.class_teacher_of.map((c) => <ClassReachCard key={c.id} org={school.org_id} cls={c} invites={consoleTabs(school).includes('invites')} />)
      ) : (
        <p>{t('st.no_class')}</p>
      )}
    </section>
  );
}
