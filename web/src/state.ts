import { computed, signal } from '@preact/signals';
import { ApiClient, ApiError } from './api/client';
import type { Me, MySchool } from './api/types';
import { lang, setLang, t } from './i18n';

/** undefined while the first /me is loading; null when nobody is signed in. */
export const me = signal<Me | null | undefined>(undefined);

export const api = new ApiClient({
  language: () => lang.value,
  fallbackText: (k) => t(k === 'network' ? 'error.network' : 'error.unexpected'),
  onUnauthenticated: () => {
    api.setCsrf(null);
    me.value = null;
  },
});

const ORG_KEY = 'parta.school';
function savedOrg(): number | null {
  try {
    const v = Number(localStorage.getItem(ORG_KEY));
    return Number.isFinite(v) && v > 0 ? v : null;
  } catch {
    return null;
  }
}
const chosenOrg = signal<number | null>(typeof localStorage === 'undefined' ? null : savedOrg());

/** The school the person is looking at (the chosen one, else their first). */
export const currentSchool = computed<MySchool | null>(() => {
  const schools = me.value?.schools ?? [];
  return schools.find((s) => s.org_id === chosenOrg.value) ?? schools[0] ?? null;
});

export function chooseSchool(orgId: number): void {
  chosenOrg.value = orgId;
  try {
    localStorage.setItem(ORG_KEY, String(orgId));
  } catch {
    /* ignore */
  }
}

/** The signed-in person as the server gave them; their language is the interface's. */
/** A language chosen on this device and not yet kept on the account: chosen while the
 *  account was still loading, or while it is being saved. An account read meanwhile
 *  (with the language before) must not switch it back. */
let chosenLanguage: 'ru' | 'en' | null = null;

export function setMe(m: Me): void {
  me.value = m;
  if (chosenLanguage && m.language !== chosenLanguage) {
    void keepLanguage(chosenLanguage);
    return;
  }
  chosenLanguage = null;
  if ((m.language === 'ru' || m.language === 'en') && m.language !== lang.value) setLang(m.language);
}

/** Switches the interface's language and, when someone is signed in, keeps it on their
 *  account (for their letters and their other devices) — once the account is known,
 *  if it is still loading. */
export async function chooseLanguage(next: 'ru' | 'en'): Promise<void> {
  setLang(next);
  chosenLanguage = next;
  if (me.value) await keepLanguage(next);
}

let keeping: Promise<void> | null = null;

async function keepLanguage(next: 'ru' | 'en'): Promise<void> {
  if (me.value?.language === next) {
    chosenLanguage = null;
    return;
  }
  if (keeping) return keeping;
  keeping = (async () => {
    try {
      const m = await api.put('/api/v1/me/language', undefined, { language: next });
      if (chosenLanguage === next) chosenLanguage = null;
      setMe(m);
    } catch {
      /* the switch works on this device either way; tried again with the next account read */
    } finally {
      keeping = null;
    }
  })();
  return keeping;
}

export async function loadMe(): Promise<void> {
  try {
    setMe(await api.get('/api/v1/me'));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) me.value = null;
    else if (me.value === undefined) me.value = null;
  }
}

export async function login(loginName: string, password: string): Promise<Me> {
  const session = await api.post('/api/v1/auth/login', undefined, { login: loginName, password });
  api.setCsrf(session.csrf_token);
  setMe(session.user);
  return session.user;
}

export async function logout(): Promise<void> {
  try {
    await api.post('/api/v1/auth/logout');
  } catch {
    /* the session may already be gone */
  }
  api.setCsrf(null);
  me.value = null;
}

/** Whether the server's permission table lets the person do `name` across the whole school (/me). */
export function may(s: Pick<MySchool, 'permissions'>, name: string): boolean {
  return (s.permissions ?? []).includes(name);
}

/**
 * Whether the person sets up the school year of a school: its years, bells and subjects
 * (the school's admins and the deputy director) — as the server says with /me.
 */
export function managesSchoolYear(s: MySchool): boolean {
  return may(s, 'manage_school_year') || s.manages_school_year;
}

/**
 * Whether the person reads the whole school's journal and its compliance report
 * («Соблюдение положения»): the admins, the director and the deputy director
 * (the server's `read_journal` across the school).
 */
export function readsCompliance(s: MySchool): boolean {
  return may(s, 'read_journal');
}

/**
 * Whether the person issues remote-learning orders («Дистанционное обучение»): the
 * director and the admins (the server's `issue_orders`).
 */
export function issuesOrders(s: MySchool): boolean {
  return may(s, 'issue_orders');
}

/** The school-wide permissions that open a tab of the school console. */
const CONSOLE_PERMISSIONS = [
  'read_statistics',
  'read_school_audit',
  'read_reports',
  'moderate_chats',
  'manage_admins',
  'manage_webhooks',
  'read_journal',
  'issue_orders',
  'manage_school_year',
  'move_year_on',
  'exchange_roster',
];

/**
 * Whether the person can open the school console for a school: an admin, a class
 * teacher, or whoever a console tab's permission is given to (the director reads the
 * statistics, the audit log and the reports and appoints admins without being one).
 */
export function canManage(s: MySchool | null | undefined): boolean {
  return !!s && (s.is_admin || s.class_teacher_of.length > 0 || managesSchoolYear(s) || CONSOLE_PERMISSIONS.some((p) => may(s, p)));
}

/** Where a signed-in person lands. */
export function homePath(m: Me): string {
  const s = currentSchool.value;
  if (s && canManage(s)) return `/school/${s.org_id}`;
  if (m.is_operator) return '/operator';
  if (m.authorities.length) return `/authority/${m.authorities[0]!.id}`;
  return '/profile';
}

/** A curator of an education authority with no school and no operator's role: figures only, no chats. */
export function onlyCurator(m: Me): boolean {
  return !m.schools.length && !m.is_operator && m.authorities.length > 0;
}
