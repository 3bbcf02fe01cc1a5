//! API integration tests: every flow through HTTP, on SQLite and PostgreSQL.
//! One test binary for the whole API keeps link time low.

mod support;

mod accounts;
mod applications;
mod authz;
mod backup;
mod calls;
mod chat_import;
mod chat_rights;
mod cluster;
mod corpus;
mod crash;
mod delivery;
mod digests;
mod directory;
mod distance;
mod fuzz_checks;
mod groups;
mod invites;
mod journal;
mod messaging;
mod movement;
mod notifications;
mod oidc;
mod oversight;
mod personal_data;
mod png_bomb;
mod privacy;
mod profile;
mod protocol;
mod push;
mod recovery;
mod registry;
mod regulations;
mod roster;
mod school_year;
mod statistics;
mod submissions;
mod timetable;
mod uploads;
mod webhooks;
mod year_transition;
