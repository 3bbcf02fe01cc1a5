//! Where a send's time goes, stage by stage, as one histogram in `/metrics`:
//! `parta_write_stage_seconds{stage}` (`session` is every request's). In order:
//!
//! - `session`: the request's session looked up (every authenticated request);
//! - `send`: the whole of a send's handler, from its request read and its session
//!   known to its message in hand (the stages below but `fanout` happen in it; what
//!   the request takes besides is reading its body and writing the answer);
//! - `queue`: waiting in the group commit for the batch it goes in;
//! - `writer`: the batch waiting for the database's writer (SQLite's one connection,
//!   or a pooled PostgreSQL transaction begun);
//! - `statements`: the batch's reads and statements (on SQLite a batch of plain sends
//!   defers its writes: they go with `COMMIT`, in `commit`);
//! - `commit`: `COMMIT` and its fsync;
//! - `publish`: the committed events handed to the bus;
//! - `reply`: from the batch's end to the sender's task taking its answer;
//! - `fanout`: from the hub taking an event to its frame written to a socket, per
//!   connection.
//!
//! A stage is recorded per send (a batch's stages once for each send in it), so each
//! histogram reads as "what one send waited here".

use std::time::Duration;

pub const SESSION: &str = "session";
pub const SEND: &str = "send";
pub const QUEUE: &str = "queue";
pub const WRITER: &str = "writer";
pub const STATEMENTS: &str = "statements";
pub const COMMIT: &str = "commit";
pub const PUBLISH: &str = "publish";
pub const REPLY: &str = "reply";
pub const FANOUT: &str = "fanout";

pub const METRIC: &str = "parta_write_stage_seconds";

/// Records `times` observations of one stage's duration (none for `times` = 0).
pub fn record(stage: &'static str, took: Duration, times: usize) {
    if times == 0 {
        return;
    }
    let histogram = metrics::histogram!(METRIC, "stage" => stage);
    let seconds = took.as_secs_f64();
    for _ in 0..times {
        histogram.record(seconds);
    }
}
