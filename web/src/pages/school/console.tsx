// The school console: the tab bar and the tab shown (/school/:org/:tab). Which tabs a
// person sees comes from the server's permission table (tabs.ts). The school year tab,
// «Переход на новый год», «Соблюдение положения», «Дистанционное обучение», «Статистика»,
// «Статистика класса», «Списки OneRoster» and «Вебхуки» are loaded when first opened:
// their code (and their strings) are chunks of their own, not part of the app's shell.
import type { MySchool } from '../../api/types';
import { chunk, ErrorBox, Lazy, Loading, PageTitle, useLoad } from '../../components/ui';
import { t, type Key } from '../../i18n';
import { api } from '../../state';
import { AdminsTab } from './admins';
import { AuditTab } from './audit';
import { InvitesTab } from './invites';
import { MembersTab } from './members';
import { ProfileTab } from './profile';
import { ReportsTab } from './reports';
import { RequestsTab } from './requests';
import { StructureTab } from './structure';
import { consoleTabs, type Tab } from './tabs';

const complianceChunk = chunk(() => import('./compliance'));
const ordersChunk = chunk(() => import('./orders'));
const transitionChunk = chunk(() => import('./transition'));
const statisticsChunk = chunk(() => import('./statistics'));
const classReachChunk = chunk(() => import('./class-reach'));
const rosterChunk = chunk(() => import('./roster'));
const webhooksChunk = chunk(() => import('./webhooks'));

type YearModule = typeof import('./year');
let yearModule: Promise<YearModule> | null = null;

/** The year tab's chunk, fetched once; a failed fetch (no connection) is tried again on «Повторить». */
function loadYearModule(): Promise<YearModule> {
  yearModule ??= import('./year').catch((e: unknown) => {
    yearModule = null;
    throw e;
  });
  return yearModule;
}

function YearTabLazy({ org, tz }: { org: number; tz?: string }) {
  const chunk = useLoad(loadYearModule, []);
  if (chunk.data) return <chunk.data.YearTab org={org} tz={tz} />;
  if (chunk.error) return <ErrorBox error={new Error(t('console.load_failed'))} onRetry={chunk.reload} />;
  return <Loading />;
}

export function SchoolConsole({ school, tab }: { school: MySchool; tab?: string }) {
  const tabs = consoleTabs(school);
  const active = (tabs.includes(tab as Tab) ? tab : tabs[0]) as Tab;
  const org = school.org_id;
  const info = useLoad(() => api.get('/api/v1/orgs/{org_id}', { org_id: org }), [org]);
  const tz = info.data?.time_zone;
  return (
    <div class="page">
      <PageTitle>{school.short_name}</PageTitle>
      <nav class="tabs" aria-label={t('console.sections')}>
        {tabs.map((k) => (
          <a key={k} href={`/school/${org}/${k}`} class="tab" aria-current={k === active ? 'page' : undefined}>
            {t(`console.tab.${k}` as Key)}
          </a>
        ))}
      </nav>
      <div class="tab-panel">
        {active === 'profile' ? (
          info.data ? <ProfileTab school={info.data} onSaved={info.reload} /> : info.error ? <ErrorBox error={info.error} onRetry={info.reload} /> : <Loading />
        ) : null}
        {active === 'structure' ? <StructureTab org={org} /> : null}
        {active === 'year' ? <YearTabLazy org={org} tz={tz} /> : null}
        {active === 'transition' ? <Lazy load={transitionChunk} render={(c) => <c.TransitionTab org={org} tz={tz} />} /> : null}
        {active === 'invites' ? <InvitesTab school={school} tz={tz} /> : null}
        {active === 'requests' ? <RequestsTab org={org} tz={tz} /> : null}
        {active === 'members' ? <MembersTab org={org} tz={tz} /> : null}
        {active === 'roster' ? <Lazy load={rosterChunk} render={(c) => <c.RosterTab org={org} tz={tz} />} /> : null}
        {active === 'admins' ? <AdminsTab org={org} tz={tz} /> : null}
        {active === 'statistics' ? <Lazy load={statisticsChunk} render={(c) => <c.StatisticsTab org={org} tz={tz} school={school} />} /> : null}
        {active === 'reports' ? <ReportsTab org={org} tz={tz} school={school} /> : null}
        {active === 'compliance' ? <Lazy load={complianceChunk} render={(c) => <c.ComplianceTab org={org} tz={tz} />} /> : null}
        {active === 'orders' ? <Lazy load={ordersChunk} render={(c) => <c.OrdersTab org={org} tz={tz} school={school} />} /> : null}
        {active === 'audit' ? <AuditTab org={org} tz={tz} /> : null}
        {active === 'webhooks' ? <Lazy load={webhooksChunk} render={(c) => <c.WebhooksTab org={org} tz={tz} />} /> : null}
        {active === 'class-statistics' ? <Lazy load={classReachChunk} render={(c) => <c.ClassStatisticsTab school={school} />} /> : null}
      </div>
    </div>
  );
}
