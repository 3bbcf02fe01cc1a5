//! Events: the one place chat and user positions are taken. Every change is an
//! event at the chat's next position, written in the same transaction as the change
//! and published after commit.

use parta_domain::{ChatId, OrgId, UserId};
use parta_protocol::{ChatEvent, ServerFrame, UserEvent};

use crate::bus::Envelope;
use crate::error::Result;
use crate::store;
use crate::work::Work;

/// Appends an event at the chat's next position and queues it for the bus.
pub async fn do_chat_event(work: &mut Work, org: OrgId, chat: ChatId, event: ChatEvent) -> Result<i64> {
    let seq = store::events::next_seq(work, chat).await?;
    do_chat_event_at(work, org, chat, seq, event).await?;
    Ok(seq)
}

/// Appends an event at a position already taken with `store::events::next_seq`.
pub async fn do_chat_event_at(work: &mut Work, org: OrgId, chat: ChatId, seq: i64, event: ChatEvent) -> Result<()> {
    do_chat_events(work, vec![(org, chat, seq, event)]).await
}

/// Appends events at positions already taken, in one statement, and queues them for
/// the bus in the order given.
pub async fn do_chat_events(work: &mut Work, events: Vec<(OrgId, ChatId, i64, ChatEvent)>) -> Result<()> {
    let mut script = store::Script::for_connection(work);
    chat_events_into(work, &mut script, events)?;
    Ok(script.run(work).await?)
}

/// Adds chat events to `script` (which the caller runs) and to the bus's outbox.
pub fn chat_events_into(
    work: &mut Work,
    script: &mut store::Script,
    events: Vec<(OrgId, ChatId, i64, ChatEvent)>,
) -> Result<()> {
    let payloads: Vec<String> = events
        .iter()
        .map(|(_, _, _, event)| serde_json::to_string(event))
        .collect::<std::result::Result<_, _>>()
        .map_err(anyhow::Error::from)?;
    let rows: Vec<store::events::ChatEventRow> = events
        .iter()
        .zip(&payloads)
        .map(|((org, chat, seq, _), payload)| store::events::ChatEventRow {
            org: *org,
            chat: *chat,
            seq: *seq,
            payload,
        })
        .collect();
    store::events::append_chat_events(script, &rows);
    for (_, chat, seq, event) in events {
        let left = match &event {
            ChatEvent::MemberLeft { user_id } => Some(*user_id),
            _ => None,
        };
        let frame = serde_json::to_string(&ServerFrame::ChatEvent { chat_id: chat, seq, event: Box::new(event) })
            .map_err(anyhow::Error::from)?;
        work.publish_after_commit(Envelope::Chat { chat, seq, frame: frame.into(), left });
    }
    Ok(())
}

pub async fn do_user_event(work: &mut Work, user: UserId, org: Option<OrgId>, event: UserEvent) -> Result<i64> {
    let seq = store::events::next_user_seq(work, user).await?;
    store::events::append_user_event(
        work,
        user,
        seq,
        org,
        &serde_json::to_string(&event).map_err(anyhow::Error::from)?,
    )
    .await?;
    let frame =
        serde_json::to_string(&ServerFrame::UserEvent { seq, event: event.clone() }).map_err(anyhow::Error::from)?;
    work.publish_after_commit(Envelope::User { user, seq, event, frame: frame.into() });
    Ok(seq)
}
