//! Permissions as data: which role may do what, and how far a held role reaches.
//! Loading who holds which role is the server's `access` module; deciding is here.

use crate::ids::{AuthorityId, ClassId, OrgId};

/// Something a person may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// List, open, approve and reject school applications.
    ReviewApplications,
    /// Read the audit log of every school.
    ReadPlatformAudit,
    /// Read a school's profile, structure units and classes.
    ReadSchool,
    /// Edit a school's profile and settings.
    EditSchool,
    /// Create and edit structure units and classes.
    ManageStructure,
    /// Attach and detach class teachers.
    AssignClassTeachers,
    /// Appoint and remove school admins.
    ManageAdmins,
    /// Create, list and revoke invite links for students and parents.
    ManageInvites,
    /// Create, list and revoke invite links for staff (teachers, employees), and
    /// decide the join requests they bring: whoever joins by one reads the staff
    /// room and the school's directory.
    ManageStaffInvites,
    /// Accept or reject join requests.
    ReviewJoinRequests,
    /// Verify or withdraw a teacher's status.
    VerifyTeachers,
    /// Transfer students, mark leavers, change staff roles.
    MoveMembers,
    /// See the people of a school or a class: names, role badges, classes.
    ReadMembers,
    /// See members' phone numbers and e-mail addresses.
    ReadContacts,
    /// Read a school's audit log.
    ReadSchoolAudit,
    /// Moderate every chat of a school: the reports queue, deleting reported messages.
    ModerateChats,
    /// Make group chats (administration chats, committees) and subject chats.
    CreateChats,
    /// Set up the school year: its periods, holidays and days off, the bells, the
    /// subjects (the admins and «завуч», the deputy director).
    ManageSchoolYear,
    /// Read the journal of every lesson: attendance and marks (a class teacher: their
    /// class's; the administration: every class's).
    ReadJournal,
    /// Change a period mark after its period was closed (with a reason, kept in the
    /// audit log): the admins only.
    AmendClosedMarks,
    /// Issue and end orders («приказы») that put classes on remote learning: the
    /// director, and the admins acting for them.
    IssueOrders,
    /// Move the school on to the next year: classes promoted, the leaving grades
    /// leaving, the ending year archived (the admins).
    MoveYearOn,
    /// Read the reports queue of every chat of a school without acting on it: the
    /// director and deputies oversee what the moderators do.
    ReadReports,
    /// Read a school's statistics of reach and care — counts, never names (the
    /// administration, the authority's curator); a class teacher their class's.
    ReadStatistics,
    /// Create education authorities, attach schools to them, invite their curators.
    ManageAuthorities,
    /// Read the platform's statistics, in aggregate.
    ReadPlatformStatistics,
    /// Give a person without e-mail a one-time code to set a new password with (a
    /// student or parent of the class; the admins, for anyone of the school but admins).
    IssueSignInCodes,
    /// Correct a member's name in the school's register («Исправить ФИО»), audited with
    /// the name before and after (the admins).
    CorrectNames,
    /// Import the school's register from a OneRoster bundle (classes, people, their
    /// parents, each person's own link) and export it the same way, contacts
    /// included (the admins).
    ExchangeRoster,
    /// Register the school's webhooks — endpoints of its own systems told of chosen
    /// events — and see their deliveries (the admins).
    ManageWebhooks,
}

impl Permission {
    pub const ALL: [Permission; 30] = [
        Permission::ReviewApplications,
        Permission::ReadPlatformAudit,
        Permission::ReadSchool,
        Permission::EditSchool,
        Permission::ManageStructure,
        Permission::AssignClassTeachers,
        Permission::ManageAdmins,
        Permission::ManageInvites,
        Permission::ManageStaffInvites,
        Permission::ReviewJoinRequests,
        Permission::VerifyTeachers,
        Permission::MoveMembers,
        Permission::ReadMembers,
        Permission::ReadContacts,
        Permission::ReadSchoolAudit,
        Permission::ModerateChats,
        Permission::CreateChats,
        Permission::ManageSchoolYear,
        Permission::ReadJournal,
        Permission::AmendClosedMarks,
        Permission::IssueOrders,
        Permission::MoveYearOn,
        Permission::ReadReports,
        Permission::ReadStatistics,
        Permission::ManageAuthorities,
        Permission::ReadPlatformStatistics,
        Permission::IssueSignInCodes,
        Permission::CorrectNames,
        Permission::ExchangeRoster,
        Permission::ManageWebhooks,
    ];

    /// The name a client sees (`MySchool::permissions`), so that the web asks the same
    /// table the server does instead of keeping its own copy of it.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ReviewApplications => "review_applications",
            Permission::ReadPlatformAudit => "read_platform_audit",
            Permission::ReadSchool => "read_school",
            Permission::EditSchool => "edit_school",
            Permission::ManageStructure => "manage_structure",
            Permission::AssignClassTeachers => "assign_class_teachers",
            Permission::ManageAdmins => "manage_admins",
            Permission::ManageInvites => "manage_invites",
            Permission::ManageStaffInvites => "manage_staff_invites",
            Permission::ReviewJoinRequests => "review_join_requests",
            Permission::VerifyTeachers => "verify_teachers",
            Permission::MoveMembers => "move_members",
            Permission::ReadMembers => "read_members",
            Permission::ReadContacts => "read_contacts",
            Permission::ReadSchoolAudit => "read_school_audit",
            Permission::ModerateChats => "moderate_chats",
            Permission::CreateChats => "create_chats",
            Permission::ManageSchoolYear => "manage_school_year",
            Permission::ReadJournal => "read_journal",
            Permission::AmendClosedMarks => "amend_closed_marks",
            Permission::IssueOrders => "issue_orders",
            Permission::MoveYearOn => "move_year_on",
            Permission::ReadReports => "read_reports",
            Permission::ReadStatistics => "read_statistics",
            Permission::ManageAuthorities => "manage_authorities",
            Permission::ReadPlatformStatistics => "read_platform_statistics",
            Permission::IssueSignInCodes => "issue_sign_in_codes",
            Permission::CorrectNames => "correct_names",
            Permission::ExchangeRoster => "exchange_roster",
            Permission::ManageWebhooks => "manage_webhooks",
        }
    }
}

/// A role as the authorizer sees it. `Member` is held by everyone with an active
/// place in a school; the others add to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Operator,
    SchoolAdmin,
    Member,
    Director,
    Deputy,
    Teacher,
    Employee,
    ClassTeacher,
    /// Led a class in a year the school has moved on from (5А, now 6А): reads its journal.
    FormerClassTeacher,
    Student,
    Parent,
    /// The curator of an education authority («муниципальный куратор»): held over
    /// each school attached to their authority, and over the authority itself.
    Curator,
}

impl Role {
    pub const ALL: [Role; 12] = [
        Role::Operator,
        Role::SchoolAdmin,
        Role::Member,
        Role::Director,
        Role::Deputy,
        Role::Teacher,
        Role::Employee,
        Role::ClassTeacher,
        Role::FormerClassTeacher,
        Role::Student,
        Role::Parent,
        Role::Curator,
    ];
}

/// What a grant reaches, or what an action targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Platform,
    School(OrgId),
    Class(OrgId, ClassId),
    /// An education authority as a whole (its comparison of schools). Its schools are
    /// not inside it as far as scopes go: a curator's grant over each of them is
    /// loaded with the school, so this scope never reaches a school's own data.
    Authority(AuthorityId),
}

impl Scope {
    /// A platform grant reaches everything, a school grant its classes, a class grant only itself.
    pub fn covers(self, target: Scope) -> bool {
        match (self, target) {
            (Scope::Platform, _) => true,
            (Scope::School(held), Scope::School(wanted)) => held == wanted,
            (Scope::School(held), Scope::Class(wanted, _)) => held == wanted,
            (Scope::Class(held_org, held_class), Scope::Class(org, class)) => held_org == org && held_class == class,
            (Scope::Authority(held), Scope::Authority(wanted)) => held == wanted,
            (Scope::School(_) | Scope::Class(..) | Scope::Authority(_), _) => false,
        }
    }
}

/// A role held over a scope: "class teacher of 5А", "admin of school 3".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

/// The permission table. Adding a feature means adding a permission here and a row
/// in the exhaustive test below.
pub fn role_grants(role: Role) -> &'static [Permission] {
    use Permission::*;
    match role {
        Role::Operator => &[
            ReviewApplications,
            ReadPlatformAudit,
            ReadSchool,
            ReadSchoolAudit,
            ManageAuthorities,
            ReadPlatformStatistics,
        ],
        Role::SchoolAdmin => &[
            ReadSchool,
            EditSchool,
            ManageStructure,
            AssignClassTeachers,
            ManageAdmins,
            ManageInvites,
            ManageStaffInvites,
            ReviewJoinRequests,
            VerifyTeachers,
            MoveMembers,
            ReadMembers,
            ReadContacts,
            ReadSchoolAudit,
            ModerateChats,
            CreateChats,
            ManageSchoolYear,
            ReadJournal,
            AmendClosedMarks,
            IssueOrders,
            MoveYearOn,
            ReadReports,
            ReadStatistics,
            IssueSignInCodes,
            CorrectNames,
            ExchangeRoster,
            ManageWebhooks,
        ],
        Role::Member => &[ReadSchool],
        // The seeds: the director appoints the platform's admins and, with the
        // deputies, oversees it — the audit log, the reports, the statistics — without
        // being an admin.
        Role::Director => &[
            ReadMembers,
            CreateChats,
            ReadJournal,
            IssueOrders,
            ManageAdmins,
            ReadSchoolAudit,
            ReadReports,
            ReadStatistics,
        ],
        Role::Deputy => {
            &[ReadMembers, CreateChats, ManageSchoolYear, ReadJournal, ReadSchoolAudit, ReadReports, ReadStatistics]
        }
        Role::Teacher | Role::Employee => &[ReadMembers, CreateChats],
        Role::ClassTeacher => {
            &[ReadMembers, ManageInvites, ReviewJoinRequests, ReadJournal, ReadStatistics, IssueSignInCodes]
        }
        Role::FormerClassTeacher => &[ReadJournal],
        Role::Student | Role::Parent => &[ReadMembers],
        // Counts of the authority's schools, and nothing else: no messages, no names.
        Role::Curator => &[ReadStatistics],
    }
}

/// What managing a link (or a join request it brought) for a place of `role` takes:
/// a staff place opens the staff room and the whole directory.
pub fn to_manage_invites_for(role: crate::roles::MemberRole) -> Permission {
    if role.is_staff() { Permission::ManageStaffInvites } else { Permission::ManageInvites }
}

/// The one decision: does any held grant give `permission` over `target`?
pub fn is_allowed(held: &[Grant], permission: Permission, target: Scope) -> bool {
    held.iter().any(|grant| grant.scope.covers(target) && role_grants(grant.role).contains(&permission))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: OrgId = OrgId(1);
    const OTHER_ORG: OrgId = OrgId(2);
    const CLASS: ClassId = ClassId(10);
    const OTHER_CLASS: ClassId = ClassId(11);
    const AUTHORITY: AuthorityId = AuthorityId(7);
    const OTHER_AUTHORITY: AuthorityId = AuthorityId(8);

    /// The expected table, written independently of `role_grants`: one line per
    /// permission, the roles that hold it.
    const EXPECTED: &[(Permission, &[Role])] = &[
        (Permission::ReviewApplications, &[Role::Operator]),
        (Permission::ReadPlatformAudit, &[Role::Operator]),
        (Permission::ManageAuthorities, &[Role::Operator]),
        (Permission::ReadPlatformStatistics, &[Role::Operator]),
        (Permission::ReadReports, &[Role::SchoolAdmin, Role::Director, Role::Deputy]),
        (
            Permission::ReadStatistics,
            &[Role::SchoolAdmin, Role::Director, Role::Deputy, Role::ClassTeacher, Role::Curator],
        ),
        (Permission::ReadSchool, &[Role::Operator, Role::SchoolAdmin, Role::Member]),
        (Permission::EditSchool, &[Role::SchoolAdmin]),
        (Permission::ManageStructure, &[Role::SchoolAdmin]),
        (Permission::AssignClassTeachers, &[Role::SchoolAdmin]),
        (Permission::ManageAdmins, &[Role::SchoolAdmin, Role::Director]),
        (Permission::ManageInvites, &[Role::SchoolAdmin, Role::ClassTeacher]),
        (Permission::ManageStaffInvites, &[Role::SchoolAdmin]),
        (Permission::ReviewJoinRequests, &[Role::SchoolAdmin, Role::ClassTeacher]),
        (Permission::IssueSignInCodes, &[Role::SchoolAdmin, Role::ClassTeacher]),
        (Permission::VerifyTeachers, &[Role::SchoolAdmin]),
        (Permission::MoveMembers, &[Role::SchoolAdmin]),
        (
            Permission::ReadMembers,
            &[
                Role::SchoolAdmin,
                Role::Director,
                Role::Deputy,
                Role::Teacher,
                Role::Employee,
                Role::ClassTeacher,
                Role::Student,
                Role::Parent,
            ],
        ),
        (Permission::ReadContacts, &[Role::SchoolAdmin]),
        (Permission::ReadSchoolAudit, &[Role::Operator, Role::SchoolAdmin, Role::Director, Role::Deputy]),
        (Permission::ModerateChats, &[Role::SchoolAdmin]),
        (Permission::CreateChats, &[Role::SchoolAdmin, Role::Director, Role::Deputy, Role::Teacher, Role::Employee]),
        (Permission::ManageSchoolYear, &[Role::SchoolAdmin, Role::Deputy]),
        (
            Permission::ReadJournal,
            &[Role::SchoolAdmin, Role::Director, Role::Deputy, Role::ClassTeacher, Role::FormerClassTeacher],
        ),
        (Permission::AmendClosedMarks, &[Role::SchoolAdmin]),
        (Permission::IssueOrders, &[Role::SchoolAdmin, Role::Director]),
        (Permission::MoveYearOn, &[Role::SchoolAdmin]),
        (Permission::CorrectNames, &[Role::SchoolAdmin]),
        (Permission::ExchangeRoster, &[Role::SchoolAdmin]),
        (Permission::ManageWebhooks, &[Role::SchoolAdmin]),
    ];

    #[test]
    fn every_permission_has_an_expected_row() {
        for permission in Permission::ALL {
            assert!(EXPECTED.iter().any(|(p, _)| *p == permission), "{permission:?} has no row in EXPECTED");
        }
    }

    #[test]
    fn the_table_matches_the_expected_rows_for_every_role() {
        for (permission, holders) in EXPECTED {
            for role in Role::ALL {
                assert_eq!(
                    role_grants(role).contains(permission),
                    holders.contains(&role),
                    "{role:?} × {permission:?}"
                );
            }
        }
    }

    /// Every role × permission × (held scope, target scope) pair: a grant works
    /// exactly inside what its scope covers.
    #[test]
    fn grants_reach_exactly_their_scope() {
        let scopes = [
            Scope::Platform,
            Scope::School(ORG),
            Scope::School(OTHER_ORG),
            Scope::Class(ORG, CLASS),
            Scope::Class(ORG, OTHER_CLASS),
            Scope::Class(OTHER_ORG, CLASS),
            Scope::Authority(AUTHORITY),
            Scope::Authority(OTHER_AUTHORITY),
        ];
        for role in Role::ALL {
            for permission in Permission::ALL {
                let holds = role_grants(role).contains(&permission);
                for held in scopes {
                    for target in scopes {
                        let expected_reach = match (held, target) {
                            (Scope::Platform, _) => true,
                            (Scope::School(a), Scope::School(b)) => a == b,
                            (Scope::School(a), Scope::Class(b, _)) => a == b,
                            (Scope::Class(a, x), Scope::Class(b, y)) => a == b && x == y,
                            (Scope::Authority(a), Scope::Authority(b)) => a == b,
                            _ => false,
                        };
                        let allowed = is_allowed(&[Grant { role, scope: held }], permission, target);
                        assert_eq!(
                            allowed,
                            holds && expected_reach,
                            "{role:?} held on {held:?} × {permission:?} on {target:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn permission_names_are_distinct() {
        let names: std::collections::HashSet<_> = Permission::ALL.iter().map(|p| p.as_str()).collect();
        assert_eq!(names.len(), Permission::ALL.len());
    }

    #[test]
    fn a_curator_reads_counts_and_nothing_else() {
        let over_authority = [Grant { role: Role::Curator, scope: Scope::Authority(AUTHORITY) }];
        assert!(is_allowed(&over_authority, Permission::ReadStatistics, Scope::Authority(AUTHORITY)));
        assert!(!is_allowed(&over_authority, Permission::ReadStatistics, Scope::Authority(OTHER_AUTHORITY)));
        // The authority's scope does not reach into a school: its grant there is loaded with it.
        assert!(!is_allowed(&over_authority, Permission::ReadStatistics, Scope::School(ORG)));
        let over_school = [Grant { role: Role::Curator, scope: Scope::School(ORG) }];
        for permission in Permission::ALL {
            let allowed = is_allowed(&over_school, permission, Scope::School(ORG));
            assert_eq!(allowed, permission == Permission::ReadStatistics, "{permission:?}");
        }
    }

    #[test]
    fn no_grants_allow_nothing() {
        for permission in Permission::ALL {
            assert!(!is_allowed(&[], permission, Scope::Platform));
            assert!(!is_allowed(&[], permission, Scope::School(ORG)));
        }
    }

    #[test]
    fn a_class_teacher_manages_invites_of_their_class_only() {
        let held = [
            Grant { role: Role::Member, scope: Scope::School(ORG) },
            Grant { role: Role::Teacher, scope: Scope::School(ORG) },
            Grant { role: Role::ClassTeacher, scope: Scope::Class(ORG, CLASS) },
        ];
        assert!(is_allowed(&held, Permission::ManageInvites, Scope::Class(ORG, CLASS)));
        assert!(!is_allowed(&held, Permission::ManageInvites, Scope::Class(ORG, OTHER_CLASS)));
        assert!(!is_allowed(&held, Permission::ManageInvites, Scope::School(ORG)));
        assert!(!is_allowed(&held, Permission::ManageInvites, Scope::Class(OTHER_ORG, CLASS)));
        // Staff links admit people to the staff room and the directory: admins only.
        assert!(!is_allowed(&held, Permission::ManageStaffInvites, Scope::Class(ORG, CLASS)));
        use crate::roles::MemberRole;
        for (role, permission) in [
            (MemberRole::Student, Permission::ManageInvites),
            (MemberRole::Parent, Permission::ManageInvites),
            (MemberRole::Teacher, Permission::ManageStaffInvites),
            (MemberRole::Employee, Permission::ManageStaffInvites),
        ] {
            assert_eq!(to_manage_invites_for(role), permission, "{role:?}");
        }
    }
}
