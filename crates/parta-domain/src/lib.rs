//! The rules of Parta that need no storage and no network: ids, roles, the
//! permission tables (school and chat) and the validation of what people type. Nothing here does IO.

pub mod chat_rights;
pub mod chats;
pub mod compliance;
pub mod consent;
pub mod digest;
pub mod distance;
pub mod format;
pub mod homework;
pub mod ical;
pub mod ids;
pub mod journal;
pub mod lesson_plan;
pub mod notifications;
pub mod online_lesson;
pub mod permission;
pub mod profile;
pub mod quiet;
pub mod regulations;
pub mod roles;
pub mod school_year;
pub mod search;
pub mod statistics;
pub mod timetable;
pub mod validate;
pub mod webhooks;
pub mod year_transition;

pub use ids::*;
pub use permission::{Grant, Permission, Role, Scope};
pub use roles::{InviteRole, MemberRole, StaffRole};
