//! The WebSocket gateway: one endpoint, `/api/v1/ws`, that delivers every event a
//! person may see, resumable from the positions the client last saw.
//!
//! The hub (`hub.rs`) routes envelopes from the bus to the connections subscribed to
//! a chat (or belonging to a user). Each connection (`connection.rs`) keeps the
//! authoritative list of its chats and the last position sent in each; an event past
//! a gap is preceded by the gap, read from the database log (`catch_up.rs`), so a
//! client never sees N+1 before N, and an event at or below the last position is
//! dropped, so it never sees one twice. A connection whose queue is full is cut off;
//! it resumes later without loss. The relay (`relay.rs`) hands connections what was
//! committed on a node that died before publishing it.
//!
//! The hub needs nothing above the bus, so `AppState` can hold it; connections and
//! the relay work through `AppState`.

mod catch_up;
mod connection;
mod hub;
mod relay;

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::http::HeaderMap;
use axum::response::Response;
use parta_protocol::ServerFrame;

pub use connection::CONNECTION_QUEUE;
pub use hub::Hub;
pub use relay::{RELAY_MIN_AGE_MS, RELAY_OVERLAP_MS, RELAY_WINDOW_MS, relay_forever, relay_unpublished};

use crate::auth::Actor;
use crate::state::AppState;

/// # `GET /api/v1/ws`
/// The realtime endpoint. Authenticated by the session cookie, or by a first frame
/// `{"type":"auth","token":"…"}` (never a token in the URL).
pub async fn ws_connect(
    State(state): State<AppState>,
    maybe_actor: Result<Actor, crate::error::Error>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    // A page on another site may open a socket here and the browser would attach
    // our cookie: accept the cookie only from our own origin.
    let same_origin = match (headers.get(axum::http::header::ORIGIN), headers.get(axum::http::header::HOST)) {
        (Some(origin), Some(host)) => origin
            .to_str()
            .ok()
            .and_then(|o| o.split("://").nth(1))
            .zip(host.to_str().ok())
            .is_some_and(|(origin_host, host)| origin_host == host),
        (None, _) => true,
        (Some(_), None) => false,
    };
    let actor = maybe_actor.ok().filter(|_| same_origin);
    // tungstenite's default 128 KiB read buffer is zero-filled on every poll and held
    // by every idle socket; client frames are small (64 KiB at most, and rare).
    upgrade.max_message_size(64 * 1024).read_buffer_size(4 * 1024).on_upgrade(move |socket| async move {
        if let Err(error) = connection::serve(state, actor, socket).await {
            tracing::debug!(%error, "websocket closed with an error");
        }
    })
}

/// A frame as clients receive it; the relay and connections both build them.
fn frame_text(frame: &ServerFrame) -> String {
    serde_json::to_string(frame).unwrap_or_default()
}
