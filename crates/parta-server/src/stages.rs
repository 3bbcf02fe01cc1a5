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

use std::sync::LazyLock;
use std::time::Duration;

use metrics::Histogram;

/// One of the stages below.
#[derive(Debug, Clone, Copy)]
pub struct Stage(usize);

const NAMES: [&str; 9] = ["session", "send", "queue", "writer", "statements", "commit", "publish", "reply", "fanout"];

pub const SESSION: Stage = Stage(0);
pub const SEND: Stage = Stage(1);
pub const QUEUE: Stage = Stage(2);
pub const WRITER: Stage = Stage(3);
pub const STATEMENTS: Stage = Stage(4);
pub const COMMIT: Stage = Stage(5);
pub const PUBLISH: Stage = Stage(6);
pub const REPLY: Stage = Stage(7);
pub const FANOUT: Stage = Stage(8);

pub const METRIC: &str = "parta_write_stage_seconds";

/// Each stage's histogram, looked up once: `fanout` is recorded for every frame.
static HISTOGRAMS: LazyLock<Vec<Histogram>> = LazyLock::new(|| {
    // The recorder first: a handle taken before it is installed would record nowhere.
    crate::routes::system::metrics_handle();
    NAMES.iter().map(|name| metrics::histogram!(METRIC, "stage" => *name)).collect()
});

/// Records `times` observations of one stage's duration (none for `times` = 0).
pub fn record(stage: Stage, took: Duration, times: usize) {
    if times == 0 {
        return;
    }
    let histogram = &HISTOGRAMS[stage.0];
    let seconds = took.as_secs_f64();
    for _ in 0..times {
        histogram.record(seconds);
    }
}
