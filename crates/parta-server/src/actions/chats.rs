//! Reading chats: the list, one chat, its members, its history, and marking read.

use parta_domain::{ChatId, OrgId, UserId};
use parta_protocol::{Chat, ChatEvent, ChatMember, MessagePage};

use super::events::do_chat_event;
use super::render::{render, render_chat};
use crate::access::{self};
use crate::auth::Actor;
use crate::clock::rfc3339;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;

pub const PAGE_MAX: i64 = 100;

/// # The actor's chats, in every school or one, most recently active first.
pub async fn list(state: &AppState, actor: &Actor, org: Option<OrgId>) -> Result<Vec<Chat>> {
    let mut conn = state.db.reads().acquire().await?;
    let mut chats = Vec::new();
    for access in access::chats_of(&mut conn, actor, org).await? {
        chats.push(render_chat(&mut conn, &access).await?);
    }
    chats.sort_by(|a, b| {
        let at = |c: &Chat| c.last_message.as_ref().map(|m| m.created_at.clone()).unwrap_or_default();
        at(b).cmp(&at(a)).then(a.id.cmp(&b.id))
    });
    Ok(chats)
}

pub async fn get(state: &AppState, actor: &Actor, chat: ChatId) -> Result<Chat> {
    let mut conn = state.db.reads().acquire().await?;
    let access = access::chat(&mut conn, actor, chat).await?;
    render_chat(&mut conn, &access).await
}

pub async fn members(state: &AppState, actor: &Actor, chat: ChatId) -> Result<Vec<ChatMember>> {
    let mut conn = state.db.reads().acquire().await?;
    let access = access::chat(&mut conn, actor, chat).await?;
    let seats = store::seats::chat_seats(&mut conn, chat).await?;
    let org = access.org_id();
    let mut roles: std::collections::HashMap<i64, Vec<parta_domain::MemberRole>> = std::collections::HashMap::new();
    for (user, role) in store::directory::roles_in_chat(&mut conn, org, chat).await? {
        let held = roles.entry(user).or_default();
        if let Some(role) = parta_domain::MemberRole::parse(&role)
            && !held.contains(&role)
        {
            held.push(role);
        }
    }
    let verified = store::directory::verified_teachers(&mut conn, org).await?;
    let mut members = Vec::with_capacity(seats.len());
    for seat in seats {
        let Some(person) = store::users::person(&mut conn, UserId(seat.user_id)).await? else { continue };
        let muted_until = seat.muted_until.filter(|until| *until > crate::clock::now_ms()).map(rfc3339);
        let actions = access.actions_on(&seat);
        let mut school_roles = roles.remove(&seat.user_id).unwrap_or_default();
        school_roles.sort_by_key(|r| parta_domain::MemberRole::ALL.iter().position(|x| x == r));
        members.push(ChatMember {
            teacher_verified: verified.contains(&person.id),
            person,
            school_roles,
            role: seat.role(),
            last_read_seq: seat.last_read_seq,
            muted_until,
            actions,
        });
    }
    Ok(members)
}

/// # History, newest page first: up to `limit` messages before position `before`.
pub async fn history(
    state: &AppState,
    actor: &Actor,
    chat: ChatId,
    before: Option<i64>,
    limit: Option<i64>,
) -> Result<MessagePage> {
    let mut conn = state.db.reads().acquire().await?;
    access::chat(&mut conn, actor, chat).await?;
    let limit = limit.unwrap_or(50).clamp(1, PAGE_MAX);
    let mut rows = store::messages::messages_before(&mut conn, chat, before.unwrap_or(i64::MAX), limit + 1).await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    rows.reverse();
    let mut messages = Vec::with_capacity(rows.len());
    for row in &rows {
        messages.push(render(&mut conn, row, Some(actor.user_id)).await?);
    }
    // One's own messages held by quiet hours follow the newest page; others do not see them yet.
    if before.is_none() {
        for row in store::held::held_of(&mut conn, chat, actor.user_id).await? {
            messages.push(render(&mut conn, &row, Some(actor.user_id)).await?);
        }
    }
    Ok(MessagePage { messages, has_more })
}

/// # Mark the chat as read up to a position (never backwards).
pub async fn mark_read(state: &AppState, actor: &Actor, chat: ChatId, seq: i64) -> Result<()> {
    let mut work = state.begin().await?;
    let access::ChatAccess { chat: row, seat, .. } = access::chat(&mut work, actor, chat).await?;
    if seq < 0 || seq > row.last_seq {
        return Err(Error::field("seq", "out_of_range"));
    }
    if seq <= seat.last_read_seq {
        return Ok(());
    }
    store::seats::set_last_read(&mut work, seat.id, seq).await?;
    do_chat_event(&mut work, OrgId(row.org_id), chat, ChatEvent::ReadUpTo { user_id: actor.user_id, seq }).await?;
    work.commit(state).await?;
    Ok(())
}
