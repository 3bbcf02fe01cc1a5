//! The relay: events committed on some node that died before publishing them would
//! otherwise reach this node's live clients only with the chat's next event. Every
//! node looks at the recent log now and then and hands its own connections the
//! latest position of any chat (or person) the bus has not brought; each connection
//! fills the gap from the log and drops what it already has.

use std::time::Duration;

use parta_protocol::{ChatEvent, ServerFrame, UserEvent};

use super::frame_text;
use crate::bus::Envelope;
use crate::state::AppState;
use crate::store;

/// How old a logged event must be before the relay treats it as never published.
pub const RELAY_MIN_AGE_MS: i64 = 1_000;
/// How far back the relay looks; a node down longer than this has no clients anyway.
pub const RELAY_WINDOW_MS: i64 = 60_000;
/// How much of the last look the relay looks at again: an event logged before the
/// last look but committed after it is still found.
pub const RELAY_OVERLAP_MS: i64 = 10_000;

/// One look at the whole window, as of `now_ms`. Returns how many chats and people
/// were relayed.
pub async fn relay_unpublished(state: &AppState, now_ms: i64) -> anyhow::Result<usize> {
    relay_logged_between(state, now_ms - RELAY_WINDOW_MS, now_ms - RELAY_MIN_AGE_MS).await
}

/// Runs the relay every second for as long as the node runs. Each look starts where
/// the one before ended (less the overlap), so a busy log is read about once, not
/// its whole window every second.
pub async fn relay_forever(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut looked_to = None;
    loop {
        tick.tick().await;
        let (from, to) = relay_window(looked_to, crate::clock::now_ms());
        match relay_logged_between(&state, from, to).await {
            Ok(_) => looked_to = Some(to),
            Err(error) => tracing::warn!(%error, "relaying unpublished events failed"),
        }
    }
}

/// The stretch of the log a look at `now` reads: from the last look's end (less the
/// overlap), never more than the whole window, up to events old enough to count.
fn relay_window(looked_to: Option<i64>, now: i64) -> (i64, i64) {
    let oldest = now - RELAY_WINDOW_MS;
    let from = looked_to.map_or(oldest, |last| (last - RELAY_OVERLAP_MS).max(oldest));
    (from, now - RELAY_MIN_AGE_MS)
}

async fn relay_logged_between(state: &AppState, from: i64, to: i64) -> anyhow::Result<usize> {
    let (chat_heads, user_heads) = {
        let mut db = state.db.reads().acquire().await?;
        (
            store::events::chat_heads_between(&mut db, from, to).await?,
            store::events::user_heads_between(&mut db, from, to).await?,
        )
    };
    let (chats, users) = state.hub.behind(&chat_heads, &user_heads);
    let mut db = state.db.reads().acquire().await?;
    for &(chat, seq) in &chats {
        let Some((_, payload)) = store::events::chat_events_between(&mut db, chat, seq - 1, seq).await?.pop() else {
            continue;
        };
        let event: ChatEvent = serde_json::from_str(&payload)?;
        let left = match &event {
            ChatEvent::MemberLeft { user_id } => Some(*user_id),
            _ => None,
        };
        let frame = frame_text(&ServerFrame::ChatEvent { chat_id: chat, seq, event: Box::new(event) });
        state.hub.dispatch(Envelope::Chat { chat, seq, frame: frame.into(), left });
    }
    for &(user, seq) in &users {
        let Some((_, payload)) = store::events::user_events_between(&mut db, user, seq - 1, seq).await?.pop() else {
            continue;
        };
        let event: UserEvent = serde_json::from_str(&payload)?;
        let frame = frame_text(&ServerFrame::UserEvent { seq, event: event.clone() });
        state.hub.dispatch(Envelope::User { user, seq, event, frame: frame.into() });
    }
    if !chats.is_empty() || !users.is_empty() {
        tracing::info!(
            chats = chats.len(),
            people = users.len(),
            "relayed events that were committed but not published"
        );
    }
    Ok(chats.len() + users.len())
}

#[cfg(test)]
mod tests {
    use super::{RELAY_MIN_AGE_MS, RELAY_OVERLAP_MS, RELAY_WINDOW_MS, relay_window};

    #[test]
    fn the_relay_reads_on_from_its_last_look() {
        let now = 1_000_000;
        // The first look reads the whole window.
        assert_eq!(relay_window(None, now), (now - RELAY_WINDOW_MS, now - RELAY_MIN_AGE_MS));
        // A look a second later starts where the last ended, less the overlap.
        let last = now - RELAY_MIN_AGE_MS;
        assert_eq!(relay_window(Some(last), now + 1_000), (last - RELAY_OVERLAP_MS, now + 1_000 - RELAY_MIN_AGE_MS));
        // After a long pause (failing looks), never more than the window.
        let later = now + 10 * RELAY_WINDOW_MS;
        assert_eq!(relay_window(Some(last), later).0, later - RELAY_WINDOW_MS);
    }
}
