//! Parta's server: storage, actions, the HTTP API and the command line.
//! Start reading at `app.rs` (the router) and `actions/mod.rs` (where state changes).

pub mod access;
pub mod actions;
pub mod app;
pub mod auth;
pub mod backup;
pub mod blobs;
pub mod blocking_pool;
pub mod bus;
pub mod calls;
pub mod cli;
pub mod clock;
pub mod db;
pub mod demo;
pub mod ephemeral;
pub mod error;
pub mod gateway;
pub mod https;
pub mod i18n;
pub mod mail;
pub mod oidc;
pub mod oneroster;
pub mod passwords;
pub mod preview_pool;
pub mod push;
pub mod routes;
pub mod secrets;
pub mod session_cache;
pub mod sms;
pub mod state;
pub mod store;
pub mod thumbnails;
pub mod web_assets;
pub mod webhooks;
pub mod work;
