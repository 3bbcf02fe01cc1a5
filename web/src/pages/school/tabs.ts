// Which tabs of the school console a person sees: from the server's permission table
// (`MySchool.permissions`), so the client keeps no copy of who may do what.
import type { MySchool } from '../../api/types';
import { issuesOrders, managesSchoolYear, may, readsCompliance } from '../../state';

/** Whether the person opens «Дистанционное обучение»: who issues orders, the administration, class teachers. */
export function readsOrders(school: MySchool): boolean {
  return issuesOrders(school) || readsCompliance(school) || school.class_teacher_of.length > 0;
}

export type Tab =
  | 'profile'
  | 'statistics'
  | 'structure'
  | 'year'
  | 'transition'
  | 'invites'
  | 'requests'
  | 'members'
  | 'roster'
  | 'admins'
  | 'reports'
  | 'compliance'
  | 'orders'
  | 'audit'
  | 'webhooks'
  | 'class-statistics';

/** Every tab in the order the bar shows them. */
const ORDER: Tab[] = [
  'profile',
  'statistics',
  'structure',
  'year',
  'transition',
  'invites',
  'requests',
  'members',
  'roster',
  'admins',
  'reports',
  'compliance',
  'orders',
  'audit',
  'webhooks',
  'class-statistics',
];

/** Whether the person reads the reports queue: the whole school's, or their chats' as a class teacher or moderator. */
export function readsReports(school: MySchool): boolean {
  return may(school, 'read_reports') || may(school, 'moderate_chats') || school.is_admin || school.class_teacher_of.length > 0;
}

/**
 * Whether the person only reads the school's reports queue (the director and the
 * deputies): they see every report but do not resolve them — unless they moderate the
 * chat it came from (`moderatesChat`).
 */
export function readsReportsOnly(school: MySchool, moderatesChat = false): boolean {
  return may(school, 'read_reports') && !may(school, 'moderate_chats') && !school.is_admin && !moderatesChat;
}

/**
 * The tabs a person sees. The admins: the school's profile, structure, invites, join
 * requests and members; a class teacher their classes' invites, join requests and
 * reports and «Статистика класса» (who is missing in their classes). The rest by
 * permission: «Статистика» (`read_statistics`), «Учебный год» (`manage_school_year`),
 * «Переход на новый год» (`move_year_on`), «Списки OneRoster» (`exchange_roster`),
 * «Администраторы» (`manage_admins`),
 * «Жалобы» (`read_reports`, `moderate_chats`), «Соблюдение положения» (`read_journal`),
 * «Дистанционное обучение» (who issues orders — `issue_orders` — and who reads them:
 * the administration and class teachers), the audit log (`read_school_audit`),
 * «Вебхуки» (`manage_webhooks`).
 */
export function consoleTabs(school: MySchool): Tab[] {
  const admin = school.is_admin;
  const classTeacher = school.class_teacher_of.length > 0;
  const shown: Record<Tab, boolean> = {
    profile: admin,
    statistics: may(school, 'read_statistics'),
    structure: admin,
    year: managesSchoolYear(school),
    transition: may(school, 'move_year_on'),
    invites: admin || classTeacher,
    requests: admin || classTeacher,
    members: admin,
    roster: may(school, 'exchange_roster'),
    admins: may(school, 'manage_admins'),
    reports: readsReports(school),
    compliance: readsCompliance(school),
    orders: readsOrders(school),
    audit: may(school, 'read_school_audit'),
    webhooks: may(school, 'manage_webhooks'),
    'class-statistics': classTeacher,
  };
  return ORDER.filter((tab) => shown[tab]);
}
