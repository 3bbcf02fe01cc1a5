//! The school's register in and out as a OneRoster 1.2 CSV bundle: what an import
//! would do (a dry run) or did, row by row, and the people's own links it made.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What one import did, or would do on a dry run.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RosterImport {
    /// Nothing was written: this is what applying the same bundle would do.
    pub dry_run: bool,
    pub classes: RosterCounts,
    pub people: RosterCounts,
    /// Each class and person created, changed or linked, in the bundle's order.
    pub changes: Vec<RosterChange>,
    /// What the import leaves alone though the bundle has it, and why.
    pub left: Vec<RosterRow>,
    /// Rows refused, with the file, line and field, and why.
    pub rejected: Vec<RosterRow>,
    /// The personal links made by this import (none on a dry run): each admits only
    /// its person, as the register says. Shown once.
    pub links: Vec<RosterLink>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct RosterCounts {
    pub created: u32,
    pub updated: u32,
    /// Found already in the school under another id (the same class name and year,
    /// the same person by name in the same place) and kept as theirs.
    pub linked: u32,
    pub unchanged: u32,
}

/// One class or person the import creates, changes or links.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RosterChange {
    /// `created`, `updated` or `linked`.
    pub action: String,
    /// `class` or `person`.
    pub entity: String,
    pub sourced_id: String,
    /// The class's name, or the person's full name.
    pub name: String,
    /// What changes, field by field (`family_name`, `class`, …), for `updated`.
    pub fields: Vec<String>,
}

/// A row of the bundle left alone or refused.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RosterRow {
    /// `users.csv`, `classes.csv`, …
    pub file: String,
    /// The row's line in its file (the header is line 1); 0 for the file as a whole.
    pub line: u32,
    /// The column at fault, where one is.
    pub field: Option<String>,
    pub sourced_id: Option<String>,
    /// A stable code: `required`, `invalid_value`, `duplicate_id`,
    /// `unknown_reference`, `other_school`, `not_a_class`, `no_child`, …
    pub code: String,
}

/// A person's own link to join the school.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RosterLink {
    pub sourced_id: String,
    pub name: String,
    /// `student`, `parent`, `teacher` or `employee`.
    pub role: String,
    /// The class (a student's, a parent's child's); none for staff.
    pub class_name: Option<String>,
    /// Path of the page that joins by it (`/join/…`).
    pub path: String,
    pub expires_at: String,
}

/// Who a person's own link from the register is for: the join form fills the name
/// in, and a parent sees the children the register names.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RosterPerson {
    pub family_name: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    /// A parent's children, «Фамилия Имя».
    pub children: Vec<String>,
}

/// Someone the register expects who has not joined yet, for the admins' list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RosterWaiting {
    /// The register's entry (for a new link).
    pub id: i64,
    pub sourced_id: String,
    pub name: String,
    /// `student`, `parent`, `teacher` or `employee`.
    pub role: String,
    /// A student's class; none for staff and parents.
    pub class_name: Option<String>,
    /// Until when their link works; none when it has expired or been replaced, and a
    /// new one is needed.
    pub link_expires_at: Option<String>,
}
