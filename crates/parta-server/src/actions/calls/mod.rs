//! Calls: a chat's call (starting one is a way of posting), an online lesson, a
//! meeting or a broadcast announced ahead; joining from a device over the WebSocket
//! (`devices`), the host's controls (`host`), lessons (`lessons`), announced calls
//! (`meetings`), and the end — each stay of each device written down
//! (`call_presence`) for attendance. Who is in a call now and the media unit are
//! `crate::calls`; rights are the chat table's (`StartCall`, `JoinCall`, `HostCalls`)
//! or, for a lesson, its roster; whoever started a call leads it.

mod devices;
mod host;
mod lessons;
mod meetings;

pub use devices::{chat_left, connection_closed, follow_bus, follow_media, from_device};
pub use host::{admit, hand_host, lock, mute, remove, stage};
pub use lessons::{online, start_lesson};
pub use meetings::{schedule, upcoming};

use std::time::Duration;

use parta_domain::chat_rights::ChatAbility;
use parta_domain::{CallId, ChatId, ClassId, LessonId, UserId};
use parta_protocol::{Call, CallAbilities, CallKind, CallLeftReason, CallStay, ChatEvent, ServerFrame};
use parta_sfu::RoomId;
use sqlx::AnyConnection;

use super::events::do_chat_event;
use crate::access;
use crate::auth::Actor;
use crate::bus::Envelope;
use crate::calls::{ConnRef, LivePeer};
use crate::clock::{now_ms, rfc3339};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::calls::CallRow;

/// A call nobody is in ends after this long.
pub const EMPTY_CALL_ENDS_AFTER: Duration = Duration::from_secs(120);

/// A call the actor may join, and whether they lead it.
struct CallAccess {
    pub call: CallRow,
    pub leads: bool,
}

/// A chat's call is its chat members'; an online lesson's is its teacher's and its
/// students'. To anyone else it does not exist. Whoever started a call leads it, and
/// so does whoever leads the chat's calls, or teaches the lesson.
async fn call_access(conn: &mut AnyConnection, actor: &Actor, id: CallId) -> Result<CallAccess> {
    let call = store::calls::get(conn, id).await?.ok_or(Error::NotFound)?;
    let host = call.host_id == actor.user_id.0;
    let leads = match call.lesson_id {
        Some(lesson) => {
            let row = store::journal::lesson(conn, call.org(), LessonId(lesson)).await?.ok_or(Error::NotFound)?;
            let teaches = row.teacher_id == actor.user_id.0;
            if !teaches && !super::journal::roster(conn, &row).await?.contains(&actor.user_id) {
                return Err(Error::NotFound);
            }
            host || teaches
        }
        None => {
            let access = access::chat(conn, actor, call.chat()).await?;
            access.require(ChatAbility::JoinCall)?;
            host || access.allows(ChatAbility::HostCalls)
        }
    };
    Ok(CallAccess { call, leads })
}

/// The grade's longest online lesson by the school's numbers, for a lesson's call.
async fn limit_minutes(conn: &mut AnyConnection, call: &CallRow) -> Result<Option<i64>> {
    let Some(lesson) = call.lesson_id else { return Ok(None) };
    let Some(row) = store::journal::lesson(conn, call.org(), LessonId(lesson)).await? else { return Ok(None) };
    let class = store::schools::get_class(conn, call.org(), ClassId(row.class_id)).await?;
    let thresholds = store::regulations::thresholds(conn, call.org()).await?;
    Ok(class.and_then(|c| c.grade).and_then(|g| thresholds.lesson_limit(g)))
}

fn kind_of(call: &CallRow) -> CallKind {
    CallKind::parse(&call.kind).unwrap_or(CallKind::Call)
}

/// Who is in a call now, as everyone is told: a broadcast lists only those on stage
/// and those with a raised hand, and counts its viewers.
fn roll(state: &AppState, call: &CallRow) -> (Vec<parta_protocol::CallParticipant>, i64) {
    let everyone = state.calls.in_call(call.call_id());
    if !call.is_broadcast() {
        return (everyone.iter().map(LivePeer::participant).collect(), 0);
    }
    let viewers = everyone.iter().filter(|p| !p.on_stage).count() as i64;
    let shown = everyone.iter().filter(|p| p.on_stage || p.hand_raised).map(LivePeer::participant).collect();
    (shown, viewers)
}

/// A call as `actor` sees it: whether they may join (not once removed from it) and lead
/// it, and how their browser reaches the media unit.
async fn render(
    state: &AppState,
    conn: &mut AnyConnection,
    call: &CallRow,
    actor: &Actor,
    leads: bool,
) -> Result<Call> {
    let removed = store::calls::was_removed(conn, call.call_id(), actor.user_id).await?;
    let started_by = store::users::get(conn, UserId(call.started_by)).await?.ok_or(Error::NotFound)?.person();
    let (participants, viewers) = roll(state, call);
    let join = call.ended_at.is_none() && !removed;
    let settings = &state.calls.settings;
    Ok(Call {
        id: call.call_id(),
        kind: kind_of(call),
        title: call.title.clone(),
        scheduled_at: call.scheduled_at.map(rfc3339),
        chat_id: call.chat(),
        lesson_id: call.lesson_id.map(LessonId),
        limit_minutes: limit_minutes(conn, call).await?,
        started_by,
        host_id: UserId(call.host_id),
        started_at: call.started_at.map(rfc3339),
        ended_at: call.ended_at.map(rfc3339),
        participants,
        viewers,
        locked: call.locked == 1,
        waiting_room: call.waiting_room == 1,
        abilities: CallAbilities { join, host: leads },
        // Known before the browser offers: it builds its connection with them.
        ice_servers: if join { settings.ice_servers_for(actor.user_id, now_ms() / 1000) } else { Vec::new() },
        ice_transport_policy: settings.ice_transport_policy(),
    })
}

/// # Start a call in a chat, or get the one running there
/// True when this request started it.
pub async fn start(state: &AppState, actor: &Actor, chat: ChatId) -> Result<(bool, Call)> {
    let mut work = state.begin().await?;
    let access = access::chat_for(&mut work, actor, chat, ChatAbility::StartCall).await?;
    let at = now_ms();
    access::check_may_post(&access.chat, &access.seat, at)?;
    // Nobody rings families in the school's quiet hours.
    if super::quiet::quiet_hold_in(&mut work, access.org_id(), access.chat.chat_id(), access.chat.kind(), at)
        .await?
        .is_some()
    {
        return Err(Error::Refused("quiet_hours_call"));
    }
    let started =
        store::calls::insert(&mut work, access.org_id(), chat, actor.user_id, &state.calls.settings.node, at).await?;
    let call = match started {
        Some(id) => {
            let person = store::users::get(&mut work, actor.user_id).await?.ok_or(Error::NotFound)?.person();
            let event = ChatEvent::CallStarted { call_id: id, started_by: person, lesson_id: None };
            do_chat_event(&mut work, access.org_id(), chat, event).await?;
            store::calls::get(&mut work, id).await?.ok_or(Error::NotFound)?
        }
        None => store::calls::running_in(&mut work, chat).await?.ok_or(Error::Conflict("call_ended"))?,
    };
    let leads = call.host_id == actor.user_id.0 || access.allows(ChatAbility::HostCalls);
    let rendered = render(state, &mut work, &call, actor, leads).await?;
    work.commit(state).await?;
    if started.is_some() {
        state.calls.started(call.call_id());
    }
    Ok((started.is_some(), rendered))
}

/// # The call running in a chat
pub async fn current(state: &AppState, actor: &Actor, chat: ChatId) -> Result<Call> {
    let mut conn = state.db.reads().acquire().await?;
    let access = access::chat_for(&mut conn, actor, chat, ChatAbility::JoinCall).await?;
    let call = store::calls::running_in(&mut conn, chat).await?.ok_or(Error::Missing("no_call"))?;
    let leads = call.host_id == actor.user_id.0 || access.allows(ChatAbility::HostCalls);
    render(state, &mut conn, &call, actor, leads).await
}

/// # A call, running or over
pub async fn get(state: &AppState, actor: &Actor, id: CallId) -> Result<Call> {
    let mut conn = state.db.reads().acquire().await?;
    let CallAccess { call, leads } = call_access(&mut conn, actor, id).await?;
    render(state, &mut conn, &call, actor, leads).await
}

/// # Who was in a call and when (its host, or whoever leads the chat's calls)
pub async fn stays(state: &AppState, actor: &Actor, id: CallId) -> Result<Vec<CallStay>> {
    let mut conn = state.db.reads().acquire().await?;
    if !call_access(&mut conn, actor, id).await?.leads {
        return Err(Error::Forbidden);
    }
    let rows = store::calls::presence(&mut conn, id).await?;
    let ids: Vec<UserId> = rows.iter().map(|r| UserId(r.user_id)).collect();
    let people: std::collections::HashMap<UserId, _> =
        store::users::people(&mut conn, &ids).await?.into_iter().map(|p| (p.id, p)).collect();
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            Some(CallStay {
                person: people.get(&UserId(row.user_id))?.clone(),
                joined_at: rfc3339(row.joined_at),
                left_at: row.left_at.map(rfc3339),
                left_reason: row.left_reason,
            })
        })
        .collect())
}

/// # End a call for everyone (its host, or whoever leads the chat's calls)
pub async fn end(state: &AppState, actor: &Actor, id: CallId) -> Result<()> {
    let mut conn = state.db.reads().acquire().await?;
    let CallAccess { call, leads } = call_access(&mut conn, actor, id).await?;
    drop(conn);
    if !leads {
        return Err(Error::Forbidden);
    }
    if call.ended_at.is_some() {
        return Err(Error::Conflict("call_ended"));
    }
    finish(state, &call).await
}

/// Ends a call: its record, every stay in it, its media, and the chat is told.
async fn finish(state: &AppState, call: &CallRow) -> Result<()> {
    let id = call.call_id();
    let at = now_ms();
    let mut work = state.begin().await?;
    if !store::calls::end(&mut work, id, at).await? {
        return Ok(());
    }
    store::calls::presence_ends_all(&mut work, id, at, "ended").await?;
    let duration_s = (at - call.started_at.unwrap_or(at)) / 1000;
    do_chat_event(&mut work, call.org(), call.chat(), ChatEvent::CallEnded { call_id: id, duration_s }).await?;
    work.commit(state).await?;
    let peers = state.calls.take(|p| p.call == id);
    let waiting = state.calls.forget(id);
    if let Some(sfu) = state.calls.running_sfu() {
        let _ = sfu.end_room(RoomId(id.0 as u64));
    }
    let left = ServerFrame::CallLeft { call_id: id, reason: CallLeftReason::Ended };
    for conn in peers.iter().map(|p| &p.conn).chain(waiting.iter().map(|w| &w.conn)) {
        tell(state, conn, &left);
    }
    Ok(())
}

/// Sends a frame to one connection: through this node's hub, or through the bus to
/// the node the device is connected to.
fn tell(state: &AppState, conn: &ConnRef, frame: &ServerFrame) {
    let text: std::sync::Arc<str> = serde_json::to_string(frame).unwrap_or_default().into();
    if *conn.node == *state.calls.settings.node {
        state.hub.send_to(conn.id, text);
    } else {
        state.bus.publish(vec![Envelope::ToConnection { node: conn.node.to_string(), conn: conn.id, frame: text }]);
    }
}

/// Tells the chat's live sockets who is in its call now, who leads it and whether it
/// is locked (the ephemeral lane: live state, never stored).
async fn announce(state: &AppState, id: CallId) -> Result<()> {
    let mut conn = state.db.reads().acquire().await?;
    let Some(call) = store::calls::get(&mut conn, id).await? else { return Ok(()) };
    drop(conn);
    let (participants, viewers) = roll(state, &call);
    let frame = ServerFrame::CallParticipants {
        call_id: id,
        participants,
        viewers,
        host_id: UserId(call.host_id),
        locked: call.locked == 1,
    };
    state.bus.publish(vec![Envelope::Ephemeral {
        chat: call.chat(),
        user: UserId(0),
        frame: serde_json::to_string(&frame).unwrap_or_default().into(),
    }]);
    Ok(())
}

/// Tells those who lead a call who waits to be admitted.
fn tell_waiting_room(state: &AppState, call: CallId) {
    let waiting = state.calls.waiting(call).into_iter().map(|w| w.person).collect();
    let frame = ServerFrame::CallWaitingRoom { call_id: call, waiting };
    for peer in state.calls.in_call(call).into_iter().filter(|p| p.leads) {
        tell(state, &peer.conn, &frame);
    }
}

/// Ends this node's calls that nobody has been in for a while, and, at start, the
/// calls the node ran before it restarted (their media went with the process).
pub async fn end_abandoned(state: &AppState, at_start: bool) -> Result<()> {
    let calls = if at_start {
        let mut conn = state.db.reads().acquire().await?;
        store::calls::running_on(&mut conn, &state.calls.settings.node).await?
    } else {
        let mut calls = Vec::new();
        for id in state.calls.idle_calls(EMPTY_CALL_ENDS_AFTER) {
            let mut conn = state.db.reads().acquire().await?;
            match store::calls::get(&mut conn, id).await? {
                Some(call) => calls.push(call),
                None => {
                    state.calls.forget(id);
                }
            }
        }
        calls
    };
    for call in calls {
        finish(state, &call).await?;
    }
    Ok(())
}
