//! Every change of state happens here. `check_*` (or a plain verb) validates
//! untrusted input, authorizes through `access`, opens the transaction and calls
//! `do_*`; `do_*` is the trusted write that also records the audit entry in the
//! same transaction. Handlers only parse, call one action and render.

pub mod accounts;
pub mod acks;
pub mod applications;
pub mod audit;
pub mod authorities;
pub mod calendar;
pub mod calls;
pub mod chat_import;
pub mod chats;
pub mod compliance;
pub mod diary;
pub mod digests;
pub mod direct;
pub mod distance;
pub mod events;
pub mod files;
pub mod groups;
pub mod homework_card;
pub mod individual;
pub mod invites;
pub mod journal;
pub mod journal_export;
pub mod login;
pub mod marks;
pub mod members;
pub mod messages;
pub mod moderation;
pub mod notifications;
pub mod oidc;
pub mod overrides;
pub mod personal_data;
pub mod plan;
pub mod polls;
pub mod profile;
pub mod push;
pub mod quiet;
pub mod reactions;
pub mod recovery;
pub mod regulations;
pub mod render;
pub mod roster;
pub mod roster_gradebook;
pub mod roster_links;
pub mod school_year;
pub mod schools;
pub mod search;
pub mod seats;
pub mod send;
pub mod statistics;
pub mod submissions;
pub mod teaching;
pub mod timetable;
pub mod webhooks;
pub mod year_transition;

use parta_domain::validate::FieldError;

use crate::error::Error;

/// Collects every field error of a request, so a form shows all its problems at once.
#[derive(Default)]
pub struct Fields(Vec<FieldError>);

impl Fields {
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.0.push(error);
                None
            }
        }
    }

    /// Like `check`, for a rule that can name several fields at once.
    pub fn check_all<T>(&mut self, result: Result<T, Vec<FieldError>>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(errors) => {
                self.0.extend(errors);
                None
            }
        }
    }

    pub fn reject(&mut self, field: &str, code: &'static str) {
        self.0.push(FieldError::new(field, code));
    }

    pub fn finish(self) -> Result<(), Error> {
        if self.0.is_empty() { Ok(()) } else { Err(Error::Validation(self.0)) }
    }
}

/// Unwraps a value that `Fields::finish` has vouched for.
pub fn checked<T>(value: Option<T>) -> Result<T, Error> {
    value.ok_or_else(|| Error::Internal(anyhow::anyhow!("checked field missing after validation")))
}
