//! Must-acknowledge posts («ознакомиться») and read receipts: who confirmed, who
//! read, and reminders to those who have not.

use parta_domain::chat_rights::ChatAbility;
use parta_domain::chats::ChatKind;
use parta_domain::{ChatId, MessageId, UserId};
use parta_protocol::{AckEntry, AckStatus, ChatEvent, ReadStatus};
use sqlx::AnyConnection;

use super::events::do_chat_event;
use crate::access::{self, ChatAccess};
use crate::auth::Actor;
use crate::clock::rfc3339;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::messages::MessageRow;
use crate::store::seats::SeatRow;

/// # Confirm a must-acknowledge post («Ознакомлен»).
pub async fn acknowledge(state: &AppState, actor: &Actor, chat: ChatId, id: MessageId) -> Result<()> {
    let mut work = state.begin().await?;
    let (access, message) = access::message(&mut work, actor, chat, id).await?;
    access.require(ChatAbility::Acknowledge)?;
    if message.needs_ack != 1 {
        return Err(Error::Conflict("ack_not_requested"));
    }
    if message.sender_id == actor.user_id.0 {
        return Err(Error::Conflict("ack_own_message"));
    }
    let org = access.org_id();
    if store::acks::insert_ack(&mut work, org, id, actor.user_id).await? {
        let event = ChatEvent::MessageAcknowledged { message_id: id, user_id: actor.user_id };
        do_chat_event(&mut work, org, chat, event).await?;
    }
    work.commit(state).await?;
    Ok(())
}

/// Who confirmed, and which current members (other than the author) have not.
async fn ack_status(conn: &mut AnyConnection, chat: ChatId, message: &MessageRow) -> Result<AckStatus> {
    let acks = store::acks::acks(conn, message.message_id()).await?;
    let mut confirmed = Vec::with_capacity(acks.len());
    for (user, at) in &acks {
        if let Some(person) = store::users::person(conn, UserId(*user)).await? {
            confirmed.push(AckEntry { person, at: rfc3339(*at) });
        }
    }
    let mut pending = Vec::new();
    for seat in store::seats::chat_seats(conn, chat).await? {
        if seat.user_id == message.sender_id || acks.iter().any(|(user, _)| *user == seat.user_id) {
            continue;
        }
        if let Some(person) = store::users::person(conn, UserId(seat.user_id)).await? {
            pending.push(person);
        }
    }
    Ok(AckStatus { message_id: message.message_id(), confirmed, pending })
}

/// The author of a post follows who read and confirmed it, and so does whoever may
/// follow anyone's (the chat's moderators).
fn require_follow(access: &ChatAccess, message: &MessageRow) -> Result<()> {
    if message.sender_id == access.seat.user_id { Ok(()) } else { access.require(ChatAbility::FollowReads) }
}

/// # Who has confirmed a must-acknowledge post and who has not.
pub async fn acks(state: &AppState, actor: &Actor, chat: ChatId, id: MessageId) -> Result<AckStatus> {
    let mut conn = state.db.reads().acquire().await?;
    let (access, message) = access::message(&mut conn, actor, chat, id).await?;
    require_follow(&access, &message)?;
    if message.needs_ack != 1 {
        return Err(Error::Conflict("ack_not_requested"));
    }
    ack_status(&mut conn, chat, &message).await
}

/// # Remind those who have not confirmed.
pub async fn remind(state: &AppState, actor: &Actor, chat: ChatId, id: MessageId) -> Result<AckStatus> {
    let mut work = state.begin().await?;
    let (access, message) = access::message(&mut work, actor, chat, id).await?;
    require_follow(&access, &message)?;
    if message.needs_ack != 1 {
        return Err(Error::Conflict("ack_not_requested"));
    }
    let status = ack_status(&mut work, chat, &message).await?;
    if !status.pending.is_empty() {
        let user_ids = status.pending.iter().map(|p| p.id).collect();
        do_chat_event(&mut work, access.org_id(), chat, ChatEvent::AckReminder { message_id: id, user_ids }).await?;
    }
    work.commit(state).await?;
    Ok(status)
}

/// # Who has read a post (its author and the chat's moderators)
/// Names everywhere but the school-wide channel, where only the count is shown.
pub async fn reads(state: &AppState, actor: &Actor, chat: ChatId, id: MessageId) -> Result<ReadStatus> {
    let mut conn = state.db.reads().acquire().await?;
    let (access, message) = access::message(&mut conn, actor, chat, id).await?;
    require_follow(&access, &message)?;
    let row = &access.chat;
    let others: Vec<SeatRow> = store::seats::chat_seats(&mut conn, chat)
        .await?
        .into_iter()
        .filter(|s| s.user_id != message.sender_id)
        .collect();
    let read: Vec<&SeatRow> = others.iter().filter(|s| s.last_read_seq >= message.seq).collect();
    let readers = if row.kind() == ChatKind::SchoolChannel {
        None
    } else {
        let mut people = Vec::with_capacity(read.len());
        for seat in &read {
            if let Some(person) = store::users::person(&mut conn, UserId(seat.user_id)).await? {
                people.push(person);
            }
        }
        Some(people)
    };
    Ok(ReadStatus { message_id: id, read: read.len() as i64, members: others.len() as i64, readers })
}
