// Which tabs of the school console a person sees.
import type { MySchool } from '../../api/types';
import { issuesOrders, managesSchoolYear, readsCompliance } from '../../state';

/** Whether the person opens «Дистанционное обучение»: who issues orders, the administration, class teachers. */
export function readsOrders(school: MySchool): boolean {
  return issuesOrders(school) || readsCompliance(school) || school.class_teacher_of.length > 0;
}

export type Tab = 'profile' | 'structure' | 'year' | 'transition' | 'invites' | 'requests' | 'members' | 'admins' | 'reports' | 'compliance' | 'orders' | 'audit';

const ADMIN_TABS: Tab[] = ['profile', 'structure', 'invites', 'requests', 'members', 'admins', 'reports', 'audit'];
const CLASS_TEACHER_TABS: Tab[] = ['invites', 'requests', 'reports'];

/**
 * Admins see every tab; a class teacher their classes' invites, join requests and
 * reports; whoever sets up the school year (admins, the deputy director) the
 * «Учебный год» tab, after the school's structure; the admins, the director and the
 * deputy «Соблюдение положения», after the reports; «Дистанционное обучение»
 * (remote-learning orders) after that: the director and the admins register and end
 * orders there, class teachers and the deputy read them and mark the students without
 * a device or connection (their classes', or every class's for the administration);
 * the admins «Переход на новый год», after the school year (or the structure).
 */
export function consoleTabs(school: MySchool): Tab[] {
  const tabs = school.is_admin ? [...ADMIN_TABS] : school.class_teacher_of.length ? [...CLASS_TEACHER_TABS] : [];
  if (readsCompliance(school)) {
    const after = tabs.indexOf('reports');
    tabs.splice(after < 0 ? tabs.length : after + 1, 0, 'compliance');
  }
  if (readsOrders(school)) {
    const after = tabs.includes('compliance') ? tabs.indexOf('compliance') : tabs.indexOf('reports');
    tabs.splice(after < 0 ? tabs.length : after + 1, 0, 'orders');
  }
  if (managesSchoolYear(school)) {
    const after = tabs.indexOf('structure');
    tabs.splice(after + 1, 0, 'year');
  }
  if (school.is_admin) {
    const after = tabs.includes('year') ? tabs.indexOf('year') : tabs.indexOf('structure');
    tabs.splice(after + 1, 0, 'transition');
  }
  return tabs;
}
