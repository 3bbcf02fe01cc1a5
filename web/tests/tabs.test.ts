import { describe, expect, it } from 'vitest';
import type { MySchool } from '../src/api/types';
import { consoleTabs, readsReportsOnly } from '../src/pages/school/tabs';
import { canManage } from '../src/state';

// The permissions /me lists in the demo school (the server's permission table).
const ADMIN = [
  'read_school', 'edit_school', 'manage_structure', 'assign_class_teachers', 'manage_admins', 'manage_invites',
  'manage_staff_invites', 'review_join_requests', 'verify_teachers', 'move_members', 'read_members', 'read_contacts',
  'read_school_audit', 'moderate_chats', 'create_chats', 'manage_school_year', 'read_journal', 'amend_closed_marks',
  'issue_orders', 'move_year_on', 'read_reports', 'read_statistics', 'exchange_roster',
];
const DIRECTOR = ['read_school', 'manage_admins', 'read_members', 'read_school_audit', 'create_chats', 'read_journal', 'issue_orders', 'read_reports', 'read_statistics'];
const DEPUTY = ['read_school', 'read_members', 'read_school_audit', 'create_chats', 'manage_school_year', 'read_journal', 'read_reports', 'read_statistics'];
const TEACHER = ['read_school', 'read_members', 'create_chats'];
const FIVE_A = [{ id: 5, name: '5А' }] as MySchool['class_teacher_of'];

const school = (over: Partial<MySchool>): MySchool =>
  ({ org_id: 1, name: 'Школа', short_name: 'Школа', is_admin: false, manages_school_year: false, class_teacher_of: [], places: [], permissions: [], teacher_verified: true, ...over }) as MySchool;

describe('console tabs from the permission table', () => {
  it('the admins see every tab but the class teacher\'s, the school year after the structure and the transition after it', () => {
    const tabs = consoleTabs(school({ is_admin: true, manages_school_year: true, permissions: ADMIN }));
    expect(tabs).toEqual(['profile', 'statistics', 'structure', 'year', 'transition', 'invites', 'requests', 'members', 'roster', 'admins', 'reports', 'compliance', 'orders', 'audit']);
  });

  it('the director (not an admin) reads the statistics, the audit log and the reports, appoints admins and issues orders', () => {
    const tabs = consoleTabs(school({ permissions: DIRECTOR }));
    expect(tabs).toEqual(['statistics', 'admins', 'reports', 'compliance', 'orders', 'audit']);
    for (const only of ['profile', 'structure', 'invites', 'requests', 'members', 'transition', 'year']) expect(tabs).not.toContain(only);
  });

  it('the deputy sets up the school year and reads the rest', () => {
    expect(consoleTabs(school({ manages_school_year: true, permissions: DEPUTY }))).toEqual(['statistics', 'year', 'reports', 'compliance', 'orders', 'audit']);
  });

  it('a class teacher: their classes\' invites, requests, reports, orders and «Статистика класса», no school-wide statistics', () => {
    expect(consoleTabs(school({ class_teacher_of: FIVE_A, permissions: TEACHER }))).toEqual(['invites', 'requests', 'reports', 'orders', 'class-statistics']);
  });

  it('a teacher with no class sees no tab', () => {
    expect(consoleTabs(school({ permissions: TEACHER }))).toEqual([]);
    expect(canManage(school({ permissions: TEACHER }))).toBe(false);
  });

  it('each tab follows its permission', () => {
    expect(consoleTabs(school({ permissions: ['read_statistics'] }))).toEqual(['statistics']);
    expect(consoleTabs(school({ permissions: ['read_school_audit'] }))).toEqual(['audit']);
    expect(consoleTabs(school({ permissions: ['read_reports'] }))).toEqual(['reports']);
    expect(consoleTabs(school({ permissions: ['moderate_chats'] }))).toEqual(['reports']);
    expect(consoleTabs(school({ permissions: ['manage_admins'] }))).toEqual(['admins']);
    expect(consoleTabs(school({ permissions: ['read_journal'] }))).toEqual(['compliance', 'orders']);
    expect(consoleTabs(school({ permissions: ['issue_orders'] }))).toEqual(['orders']);
    expect(consoleTabs(school({ permissions: ['manage_school_year'] }))).toEqual(['year']);
    expect(consoleTabs(school({ permissions: ['move_year_on'] }))).toEqual(['transition']);
    expect(consoleTabs(school({ permissions: ['exchange_roster'] }))).toEqual(['roster']);
    expect(canManage(school({ permissions: ['exchange_roster'] }))).toBe(true);
  });

  it('the director and the deputy open the console; who only reads the reports does not resolve them', () => {
    expect(canManage(school({ permissions: DIRECTOR }))).toBe(true);
    expect(canManage(school({ permissions: DEPUTY, manages_school_year: true }))).toBe(true);
    expect(canManage(school({ class_teacher_of: FIVE_A, permissions: TEACHER }))).toBe(true);
    expect(readsReportsOnly(school({ permissions: DIRECTOR }))).toBe(true);
    expect(readsReportsOnly(school({ permissions: DIRECTOR }), true)).toBe(false);
    expect(readsReportsOnly(school({ is_admin: true, permissions: ADMIN }))).toBe(false);
    expect(readsReportsOnly(school({ class_teacher_of: FIVE_A, permissions: TEACHER }))).toBe(false);
  });
});
