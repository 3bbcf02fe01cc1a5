//! The roles a person holds inside a school, as stored and as invited.

use serde::{Deserialize, Serialize};

/// A person's role in a school, as recorded on a membership row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MemberRole {
    Student,
    Parent,
    Teacher,
    Employee,
    Director,
    Deputy,
}

impl MemberRole {
    pub const ALL: [MemberRole; 6] = [
        MemberRole::Student,
        MemberRole::Parent,
        MemberRole::Teacher,
        MemberRole::Employee,
        MemberRole::Director,
        MemberRole::Deputy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Student => "student",
            MemberRole::Parent => "parent",
            MemberRole::Teacher => "teacher",
            MemberRole::Employee => "employee",
            MemberRole::Director => "director",
            MemberRole::Deputy => "deputy",
        }
    }

    pub fn parse(text: &str) -> Option<MemberRole> {
        MemberRole::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// Staff are everyone who works at the school; they gather in «Учительская».
    pub fn is_staff(self) -> bool {
        StaffRole::from_member_role(self).is_some()
    }

    /// Staff who teach classes: a place in a class in one of these roles makes
    /// someone that class's teacher.
    pub fn teaches(self) -> bool {
        matches!(self, MemberRole::Teacher | MemberRole::Director | MemberRole::Deputy)
    }
}

/// The roles an admin can give a staff member (role changes move between these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum StaffRole {
    Teacher,
    Employee,
    Director,
    Deputy,
}

impl StaffRole {
    pub fn from_member_role(role: MemberRole) -> Option<StaffRole> {
        match role {
            MemberRole::Teacher => Some(StaffRole::Teacher),
            MemberRole::Employee => Some(StaffRole::Employee),
            MemberRole::Director => Some(StaffRole::Director),
            MemberRole::Deputy => Some(StaffRole::Deputy),
            MemberRole::Student | MemberRole::Parent => None,
        }
    }

    pub fn member_role(self) -> MemberRole {
        match self {
            StaffRole::Teacher => MemberRole::Teacher,
            StaffRole::Employee => MemberRole::Employee,
            StaffRole::Director => MemberRole::Director,
            StaffRole::Deputy => MemberRole::Deputy,
        }
    }
}

/// The roles an invite link can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum InviteRole {
    Teacher,
    Student,
    Employee,
    Parent,
}

impl InviteRole {
    pub fn member_role(self) -> MemberRole {
        match self {
            InviteRole::Teacher => MemberRole::Teacher,
            InviteRole::Student => MemberRole::Student,
            InviteRole::Employee => MemberRole::Employee,
            InviteRole::Parent => MemberRole::Parent,
        }
    }

    pub fn from_member_role(role: MemberRole) -> Option<InviteRole> {
        match role {
            MemberRole::Teacher => Some(InviteRole::Teacher),
            MemberRole::Student => Some(InviteRole::Student),
            MemberRole::Employee => Some(InviteRole::Employee),
            MemberRole::Parent => Some(InviteRole::Parent),
            MemberRole::Director | MemberRole::Deputy => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_roles_round_trip_through_text() {
        for role in MemberRole::ALL {
            assert_eq!(MemberRole::parse(role.as_str()), Some(role));
        }
        assert_eq!(MemberRole::parse("admin"), None);
    }

    #[test]
    fn staff_are_exactly_the_working_roles() {
        let staff: Vec<_> = MemberRole::ALL.into_iter().filter(|r| r.is_staff()).collect();
        assert_eq!(staff, [MemberRole::Teacher, MemberRole::Employee, MemberRole::Director, MemberRole::Deputy]);
        let teaching: Vec<_> = MemberRole::ALL.into_iter().filter(|r| r.teaches()).collect();
        assert_eq!(teaching, [MemberRole::Teacher, MemberRole::Director, MemberRole::Deputy]);
    }
}
