//! API integration tests: every flow through HTTP, on SQLite and PostgreSQL.
//! One test binary for the whole API keeps link time low.

mod support;

mod accounts;
mod applications;
mod authz;
mod cluster;
mod crash;
mod delivery;
mod directory;
mod groups;
mod invites;
mod messaging;
mod movement;
mod privacy;
mod protocol;
