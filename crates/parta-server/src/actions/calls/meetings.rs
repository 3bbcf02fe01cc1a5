//! Meetings and broadcasts announced in a chat ahead of their time: a title and a
//! time, told to the chat; they open when one who leads them comes.

use parta_domain::chat_rights::ChatAbility;
use parta_domain::{ChatId, validate};
use parta_protocol::{Call, CallKind, ChatEvent, ScheduleCallRequest};

use super::render;
use crate::access;
use crate::actions::Fields;
use crate::actions::events::do_chat_event;
use crate::auth::Actor;
use crate::clock::{now_ms, rfc3339};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;

pub const TITLE_MAX_CHARS: usize = 200;
/// How far ahead a meeting may be announced.
const AHEAD_MAX_DAYS: i64 = 366;

/// # Announce a meeting or a broadcast in a chat (whoever leads the chat's calls)
pub async fn schedule(state: &AppState, actor: &Actor, chat: ChatId, request: &ScheduleCallRequest) -> Result<Call> {
    let mut work = state.begin().await?;
    let access = access::chat_for(&mut work, actor, chat, ChatAbility::HostCalls).await?;
    let mut fields = Fields::default();
    if !matches!(request.kind, CallKind::Meeting | CallKind::Broadcast) {
        fields.reject("kind", "not_allowed");
    }
    let title = fields.check(validate::line("title", &request.title, TITLE_MAX_CHARS));
    let now = now_ms();
    let at = match request.starts_at.parse::<jiff::Timestamp>() {
        Ok(at)
            if at.as_millisecond() >= now - 3_600_000 && at.as_millisecond() <= now + AHEAD_MAX_DAYS * 86_400_000 =>
        {
            Some(at.as_millisecond())
        }
        Ok(_) => {
            fields.reject("starts_at", "out_of_range");
            None
        }
        Err(_) => {
            fields.reject("starts_at", "invalid_time");
            None
        }
    };
    fields.finish()?;
    let (title, at) = (crate::actions::checked(title)?, crate::actions::checked(at)?);
    let node = &state.calls.settings.node;
    let id = store::calls::insert_scheduled(
        &mut work,
        access.org_id(),
        chat,
        request.kind.as_str(),
        &title,
        at,
        request.waiting_room,
        actor.user_id,
        node,
    )
    .await?;
    let event = ChatEvent::CallScheduled { call_id: id, kind: request.kind, title, starts_at: rfc3339(at) };
    do_chat_event(&mut work, access.org_id(), chat, event).await?;
    let call = store::calls::get(&mut work, id).await?.ok_or(Error::NotFound)?;
    let rendered = render(state, &mut work, &call, actor, true).await?;
    work.commit(state).await?;
    Ok(rendered)
}

/// # Meetings and broadcasts announced in a chat and not open yet, the soonest first
pub async fn upcoming(state: &AppState, actor: &Actor, chat: ChatId) -> Result<Vec<Call>> {
    let mut conn = state.db.reads().acquire().await?;
    let access = access::chat_for(&mut conn, actor, chat, ChatAbility::JoinCall).await?;
    let hosts = access.allows(ChatAbility::HostCalls);
    let mut calls = Vec::new();
    for call in store::calls::scheduled_in(&mut conn, chat).await? {
        let leads = hosts || call.host_id == actor.user_id.0;
        calls.push(render(state, &mut conn, &call, actor, leads).await?);
    }
    Ok(calls)
}
