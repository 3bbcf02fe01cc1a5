//! Reactions and pinned messages.

use parta_domain::chat_rights::ChatAbility;
use parta_domain::chats::{self};
use parta_domain::{ChatId, MessageId};
use parta_protocol::{ChatEvent, Message, Reaction};

use super::events::do_chat_event;
use super::render::{group_reactions, render};
use crate::access;
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;

/// # Add or remove a reaction.
pub async fn react(
    state: &AppState,
    actor: &Actor,
    chat: ChatId,
    id: MessageId,
    emoji: &str,
    present: bool,
) -> Result<Vec<Reaction>> {
    let mut work = state.begin().await?;
    let (access, _message) = access::message(&mut work, actor, chat, id).await?;
    access.require(ChatAbility::React)?;
    if !chats::REACTIONS.contains(&emoji) {
        return Err(Error::field("emoji", "unknown_reaction"));
    }
    let org = access.org_id();
    let changed = store::reactions::set_reaction(&mut work, org, id, actor.user_id, emoji, present).await?;
    let reactions = group_reactions(store::reactions::reactions(&mut work, id).await?);
    if changed {
        let event = ChatEvent::ReactionsChanged { message_id: id, reactions: reactions.clone() };
        do_chat_event(&mut work, org, chat, event).await?;
    }
    work.commit(state).await?;
    Ok(reactions)
}

/// # Pin or unpin a message (moderators).
pub async fn pin(state: &AppState, actor: &Actor, chat: ChatId, id: MessageId, pinned: bool) -> Result<()> {
    let mut work = state.begin().await?;
    let (access, message) = access::message(&mut work, actor, chat, id).await?;
    access.require(ChatAbility::Pin)?;
    if message.pinned_at.is_some() == pinned {
        return Ok(());
    }
    store::reactions::set_pinned(&mut work, id, pinned.then_some(actor.user_id)).await?;
    do_chat_event(&mut work, access.org_id(), chat, ChatEvent::MessagePinned { message_id: id, pinned }).await?;
    work.commit(state).await?;
    Ok(())
}

/// # The chat's pinned messages, most recently pinned first.
pub async fn pinned(state: &AppState, actor: &Actor, chat: ChatId) -> Result<Vec<Message>> {
    let mut conn = state.db.reads().acquire().await?;
    access::chat(&mut conn, actor, chat).await?;
    let rows = store::reactions::pinned(&mut conn, chat).await?;
    let mut messages = Vec::with_capacity(rows.len());
    for row in &rows {
        messages.push(render(&mut conn, row, Some(actor.user_id)).await?);
    }
    Ok(messages)
}
