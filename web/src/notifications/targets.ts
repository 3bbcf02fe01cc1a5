// Where a notification leads (pure but for the permission helpers): the chat at the
// message, the console's join requests or reports queue, the diary at the lesson's date.
import type { Me, Notification } from '../api/types';
import { diaryStudents } from '../journal/who';
import { readsReports } from '../pages/school/tabs';
import { canManage } from '../state';

export interface Target {
  href: string;
  /** The school to make current first (the diary and the console are per school). */
  org: number | null;
}

/** Where a notification leads, and the school to switch to first; null when nowhere for this person. */
export function targetOf(n: Notification, m: Me | null | undefined): Target | null {
  const school = m?.schools.find((s) => s.org_id === n.org_id) ?? null;
  const chatAt = n.chat_id ? { href: n.message_id ? `/chats/${n.chat_id}?m=${n.message_id}` : `/chats/${n.chat_id}`, org: null } : null;
  switch (n.kind) {
    case 'mention':
    case 'reply':
    case 'direct_chat':
      return chatAt;
    case 'join_request':
      return school && canManage(school) ? { href: `/school/${school.org_id}/requests`, org: school.org_id } : null;
    case 'report':
      return school && canManage(school) && readsReports(school) ? { href: `/school/${school.org_id}/reports`, org: school.org_id } : chatAt;
    case 'mark':
    case 'absence':
    case 'homework': {
      if (!school || !diaryStudents(m, school).some((s) => s.person.id === n.student_id)) return null;
      const q = new URLSearchParams({ student: String(n.student_id) });
      if (n.details.date) q.set('date', n.details.date);
      return { href: `/diary?${q.toString()}`, org: school.org_id };
    }
    // Answered where it is listed: «this was me» or «this was not me».
    case 'login':
      return null;
    default:
      return chatAt;
  }
}

