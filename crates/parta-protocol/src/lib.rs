//! Wire types of the REST API: what clients send and receive, with OpenAPI schemas.
//! No behaviour lives here; the server fills these from storage.
//!
//! Times are RFC 3339 strings in UTC; calendar dates are `YYYY-MM-DD`.

pub mod accounts;
pub mod applications;
pub mod calls;
pub mod chat_import;
pub mod chats;
pub mod compliance;
pub mod directory;
pub mod distance;
pub mod invites;
pub mod journal;
pub mod notifications;
pub mod oidc;
pub mod plan;
pub mod problem;
pub mod profile;
pub mod push;
pub mod regulations;
pub mod roster;
pub mod school_year;
pub mod statistics;
pub mod submissions;
pub mod teaching;
pub mod webhooks;
pub mod year_transition;

pub use accounts::*;
pub use applications::*;
pub use calls::*;
pub use chat_import::*;
pub use chats::*;
pub use compliance::*;
pub use directory::*;
pub use distance::*;
pub use invites::*;
pub use journal::*;
pub use notifications::*;
pub use oidc::*;
pub use plan::*;
pub use problem::*;
pub use profile::*;
pub use push::*;
pub use regulations::*;
pub use roster::*;
pub use school_year::*;
pub use statistics::*;
pub use submissions::*;
pub use teaching::*;
pub use webhooks::*;
pub use year_transition::*;

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`).
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}
