//! OneRoster 1.2 CSV bundles (a zip of `manifest.csv`, `orgs.csv`,
//! `academicSessions.csv`, `courses.csv`, `classes.csv`, `users.csv`, `roles.csv`,
//! `enrollments.csv`): `read` takes one apart into typed rows, refusing what cannot
//! be read with the file, line and field; `write` makes one. What the rows mean for a
//! school is the roster action's (`actions::roster`); nothing here knows a database.

pub mod read;
pub mod write;

pub use read::{Bundle, BundleError, read_zip};

/// The roles Parta knows, as a roster names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RosterRole {
    Student,
    Parent,
    Teacher,
    Employee,
}

impl RosterRole {
    /// A OneRoster role (1.2 vocabulary, 1.1's too). Aides teach beside a teacher; the
    /// administration's roles (principal, administrator, counsellor) are the school's
    /// employees here: a director's or deputy's powers are given in Parta, by the
    /// school, never by a file.
    pub fn parse(text: &str) -> Option<RosterRole> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "student" => RosterRole::Student,
            "parent" | "guardian" | "relative" => RosterRole::Parent,
            "teacher" | "aide" | "proctor" => RosterRole::Teacher,
            "administrator"
            | "principal"
            | "siteadministrator"
            | "districtadministrator"
            | "counselor"
            | "systemadministrator" => RosterRole::Employee,
            _ => return None,
        })
    }

    /// The name Parta stores and the roster writes (`employee` as `administrator`).
    pub fn as_str(self) -> &'static str {
        match self {
            RosterRole::Student => "student",
            RosterRole::Parent => "parent",
            RosterRole::Teacher => "teacher",
            RosterRole::Employee => "employee",
        }
    }

    pub fn from_stored(text: &str) -> Option<RosterRole> {
        Some(match text {
            "student" => RosterRole::Student,
            "parent" => RosterRole::Parent,
            "teacher" => RosterRole::Teacher,
            "employee" => RosterRole::Employee,
            _ => return None,
        })
    }

    pub fn oneroster(self) -> &'static str {
        match self {
            RosterRole::Employee => "administrator",
            other => other.as_str(),
        }
    }
}

/// A row left alone or refused: where, and a stable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowNote {
    pub file: &'static str,
    pub line: u32,
    pub field: Option<&'static str>,
    pub sourced_id: Option<String>,
    pub code: &'static str,
}

/// A Russian school year as OneRoster counts it: `schoolYear` is the year it ends in
/// (2027 for 2026/27); Parta names a year by the one it starts in.
pub fn parta_year(school_year: i64) -> i64 {
    school_year - 1
}

/// A class's grade from OneRoster's grade codes (`05`, `5`; `KG` and others none).
pub fn grade_of(codes: &[String]) -> Option<i64> {
    codes.iter().find_map(|c| c.trim().parse::<i64>().ok().filter(|g| (1..=11).contains(g)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_map_to_the_four_parta_knows() {
        assert_eq!(RosterRole::parse("Student"), Some(RosterRole::Student));
        assert_eq!(RosterRole::parse("guardian"), Some(RosterRole::Parent));
        assert_eq!(RosterRole::parse("aide"), Some(RosterRole::Teacher));
        assert_eq!(RosterRole::parse("principal"), Some(RosterRole::Employee));
        assert_eq!(RosterRole::parse("pilot"), None);
        for role in [RosterRole::Student, RosterRole::Parent, RosterRole::Teacher, RosterRole::Employee] {
            assert_eq!(RosterRole::parse(role.oneroster()), Some(role));
            assert_eq!(RosterRole::from_stored(role.as_str()), Some(role));
        }
    }

    #[test]
    fn grades_and_years_read_as_a_russian_school_counts_them() {
        assert_eq!(grade_of(&["05".into()]), Some(5));
        assert_eq!(grade_of(&["KG".into(), "11".into()]), Some(11));
        assert_eq!(grade_of(&["13".into()]), None);
        assert_eq!(parta_year(2027), 2026);
    }
}
