//! Calls in chats: starting one (a way of posting), joining it from a device over
//! the WebSocket, the host's controls, and the end — each stay of each device
//! written down (`call_presence`) for attendance. Who is in a call now and the
//! media unit are `crate::calls`; rights are the chat table's (`StartCall`,
//! `JoinCall`, `HostCalls`), and whoever started a call leads it.

use std::sync::Weak;
use std::time::Duration;

use parta_domain::chat_rights::ChatAbility;
use parta_domain::{CallId, ChatId, ClassId, LessonId, OrgId, UserId, online_lesson};
use parta_protocol::{
    Call, CallAbilities, CallLeftReason, CallMediaKind, CallStay, ChatEvent, OnlineLesson, OnlineStudent, SdpKind,
    ServerFrame,
};
use parta_sfu::{JoinOptions, MediaKind, PeerId, RoomId, SfuEvent, Signal};
use sqlx::AnyConnection;
use tokio::sync::mpsc;

use super::events::do_chat_event;
use crate::access;
use crate::auth::Actor;
use crate::bus::Envelope;
use crate::calls::LivePeer;
use crate::clock::{now_ms, rfc3339};
use crate::error::{Error, Result};
use crate::i18n::{Lang, problem_detail};
use crate::state::{AppState, Inner};
use crate::store;
use crate::store::calls::CallRow;

/// A call nobody is in ends after this long.
pub const EMPTY_CALL_ENDS_AFTER: Duration = Duration::from_secs(120);

/// A call the actor may join, and whether they lead it.
struct CallAccess {
    call: CallRow,
    leads: bool,
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

/// The grade's longest online lesson, for a lesson's call.
async fn limit_minutes(conn: &mut AnyConnection, call: &CallRow) -> Result<Option<i64>> {
    let Some(lesson) = call.lesson_id else { return Ok(None) };
    let Some(row) = store::journal::lesson(conn, call.org(), LessonId(lesson)).await? else { return Ok(None) };
    let class = store::schools::get_class(conn, call.org(), ClassId(row.class_id)).await?;
    Ok(class.and_then(|c| c.grade).and_then(online_lesson::max_minutes))
}

async fn render(state: &AppState, conn: &mut AnyConnection, call: &CallRow, leads: bool) -> Result<Call> {
    let started_by = store::users::get(conn, UserId(call.started_by)).await?.ok_or(Error::NotFound)?.person();
    Ok(Call {
        id: call.call_id(),
        chat_id: call.chat(),
        lesson_id: call.lesson_id.map(LessonId),
        limit_minutes: limit_minutes(conn, call).await?,
        started_by,
        host_id: UserId(call.host_id),
        started_at: rfc3339(call.started_at),
        ended_at: call.ended_at.map(rfc3339),
        participants: state.calls.in_call(call.call_id()).iter().map(LivePeer::participant).collect(),
        abilities: CallAbilities { join: call.ended_at.is_none(), host: leads },
    })
}

/// # Start a call in a chat, or get the one running there
/// True when this request started it.
pub async fn start(state: &AppState, actor: &Actor, chat: ChatId) -> Result<(bool, Call)> {
    let mut work = state.begin().await?;
    let access = access::chat_for(&mut work, actor, chat, ChatAbility::StartCall).await?;
    access::check_may_post(&access.chat, &access.seat, now_ms())?;
    let at = now_ms();
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
    let rendered = render(state, &mut work, &call, leads).await?;
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
    render(state, &mut conn, &call, leads).await
}

/// # A call, running or over
pub async fn get(state: &AppState, actor: &Actor, id: CallId) -> Result<Call> {
    let mut conn = state.db.reads().acquire().await?;
    let CallAccess { call, leads } = call_access(&mut conn, actor, id).await?;
    render(state, &mut conn, &call, leads).await
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
    let duration_s = (at - call.started_at) / 1000;
    do_chat_event(&mut work, call.org(), call.chat(), ChatEvent::CallEnded { call_id: id, duration_s }).await?;
    work.commit(state).await?;
    let peers = state.calls.take(|p| p.call == id);
    state.calls.forget(id);
    if let Some(sfu) = state.calls.running_sfu() {
        let _ = sfu.end_room(RoomId(id.0 as u64));
    }
    for peer in &peers {
        tell(state, peer.conn, &ServerFrame::CallLeft { call_id: id, reason: CallLeftReason::Ended });
    }
    Ok(())
}

/// # Remove someone from a call (the host): their devices leave and may not come back
pub async fn remove(state: &AppState, actor: &Actor, id: CallId, user: UserId) -> Result<()> {
    let mut conn = state.db.reads().acquire().await?;
    let leads = call_access(&mut conn, actor, id).await?.leads;
    drop(conn);
    if !leads || user == actor.user_id {
        return Err(Error::Forbidden);
    }
    let peers = state.calls.take(|p| p.call == id && p.user == user);
    if peers.is_empty() {
        return Err(Error::Conflict("not_in_call"));
    }
    drop_media(state, &peers);
    close_stays(state, peers, CallLeftReason::Removed).await
}

/// # Turn someone's microphone or camera off (the host); `None`: everyone but the host
pub async fn mute(
    state: &AppState,
    actor: &Actor,
    id: CallId,
    user: Option<UserId>,
    kind: CallMediaKind,
) -> Result<()> {
    let mut conn = state.db.reads().acquire().await?;
    let CallAccess { call, leads } = call_access(&mut conn, actor, id).await?;
    drop(conn);
    if !leads {
        return Err(Error::Forbidden);
    }
    let targets: Vec<LivePeer> = state
        .calls
        .in_call(id)
        .into_iter()
        .filter(|p| match user {
            Some(user) => p.user == user,
            None => p.user != actor.user_id,
        })
        .collect();
    if user.is_some() && targets.is_empty() {
        return Err(Error::Conflict("not_in_call"));
    }
    let sfu = state.calls.running_sfu();
    for peer in &targets {
        if let Some(sfu) = sfu {
            let _ = sfu.block(PeerId(peer.peer), media_kind(kind), true);
        }
        state.calls.update(peer.peer, |p| match kind {
            CallMediaKind::Audio => p.audio = false,
            CallMediaKind::Video => p.video = false,
        });
        tell(state, peer.conn, &ServerFrame::CallMuted { call_id: id, kind });
    }
    announce(state, id, call.chat());
    Ok(())
}

fn media_kind(kind: CallMediaKind) -> MediaKind {
    match kind {
        CallMediaKind::Audio => MediaKind::Audio,
        CallMediaKind::Video => MediaKind::Video,
    }
}

/// # Hold a lesson online (its teacher): a call in its class's chat for the lesson's
/// students, or the one running
pub async fn start_lesson(state: &AppState, actor: &Actor, org: OrgId, lesson: LessonId) -> Result<(bool, Call)> {
    let mut work = state.begin().await?;
    let row = super::journal::writable_lesson(&mut work, actor, org, lesson).await?;
    let chat = store::chats::class_and_subject_chats(&mut work, org, ClassId(row.class_id))
        .await?
        .into_iter()
        .find(|c| c.kind == "class")
        .ok_or(Error::Conflict("no_class_chat"))?;
    let chat = ChatId(chat.id);
    let at = now_ms();
    let node = &state.calls.settings.node;
    let started = store::calls::insert_for_lesson(&mut work, org, chat, lesson, actor.user_id, node, at).await?;
    let call = match started {
        Some(id) => {
            // The whole class is told in its chat; a group's lesson is joined from the diary.
            if row.group_id.is_none() {
                let person = store::users::get(&mut work, actor.user_id).await?.ok_or(Error::NotFound)?.person();
                let event = ChatEvent::CallStarted { call_id: id, started_by: person, lesson_id: Some(lesson) };
                do_chat_event(&mut work, org, chat, event).await?;
            }
            store::calls::get(&mut work, id).await?.ok_or(Error::NotFound)?
        }
        None => store::calls::of_lesson(&mut work, lesson)
            .await?
            .into_iter()
            .find(|c| c.ended_at.is_none())
            .ok_or(Error::Conflict("call_ended"))?,
    };
    let rendered = render(state, &mut work, &call, true).await?;
    work.commit(state).await?;
    if started.is_some() {
        state.calls.started(call.call_id());
    }
    Ok((started.is_some(), rendered))
}

/// # A lesson held online: each student's presence and the attendance it suggests
/// Its teacher and the journal's readers see every student; a student sees
/// themselves, a parent their children.
pub async fn online(state: &AppState, actor: &Actor, org: OrgId, lesson: LessonId) -> Result<OnlineLesson> {
    let mut conn = state.db.reads().acquire().await?;
    let (row, roster) = match super::journal::readable_lesson(&mut conn, actor, org, lesson).await {
        Ok(row) => {
            let roster = super::journal::roster(&mut conn, &row).await?;
            (row, roster)
        }
        Err(Error::Forbidden) => {
            let row = store::journal::lesson(&mut conn, org, lesson).await?.ok_or(Error::NotFound)?;
            let mut own = Vec::new();
            for student in super::journal::roster(&mut conn, &row).await? {
                let parents = store::directory::parent_places_for_child(&mut conn, org, student).await?;
                if student == actor.user_id || parents.iter().any(|p| p.user_id == actor.user_id.0) {
                    own.push(student);
                }
            }
            if own.is_empty() {
                return Err(Error::NotFound);
            }
            (row, own)
        }
        Err(other) => return Err(other),
    };
    let calls = store::calls::of_lesson(&mut conn, lesson).await?;
    let ids: Vec<CallId> = calls.iter().map(CallRow::call_id).collect();
    let stays = store::calls::presence_in(&mut conn, &ids).await?;
    let latest = calls.first();
    let live: Vec<UserId> =
        latest.map(|c| state.calls.in_call(c.call_id()).iter().map(|p| p.user).collect()).unwrap_or_default();
    let people: std::collections::HashMap<UserId, _> =
        store::users::people(&mut conn, &roster).await?.into_iter().map(|p| (p.id, p)).collect();
    let now = now_ms();
    let students = roster
        .iter()
        .filter_map(|student| {
            let theirs: Vec<(i64, Option<i64>)> =
                stays.iter().filter(|s| s.user_id == student.0).map(|s| (s.joined_at, s.left_at)).collect();
            let suggestion = online_lesson::suggest(row.starts_at, row.ends_at, &theirs, now);
            Some(OnlineStudent {
                student: people.get(student)?.clone(),
                in_call: live.contains(student),
                joined_at: theirs.iter().map(|(joined, _)| *joined).min().map(rfc3339),
                minutes_present: suggestion.minutes_present,
                suggested_absence: suggestion.absence,
                suggested_minutes_late: suggestion.minutes_late,
            })
        })
        .collect();
    let class = store::schools::get_class(&mut conn, org, ClassId(row.class_id)).await?;
    Ok(OnlineLesson {
        lesson_id: lesson,
        call_id: latest.map(CallRow::call_id),
        running: latest.is_some_and(|c| c.ended_at.is_none()),
        started_at: latest.map(|c| rfc3339(c.started_at)),
        ended_at: latest.and_then(|c| c.ended_at).map(rfc3339),
        limit_minutes: class.and_then(|c| c.grade).and_then(online_lesson::max_minutes),
        students,
    })
}

/// Joins a running call from the device behind connection `conn`: the answer to its
/// offer, or why not.
pub async fn join(
    state: &AppState,
    actor: &Actor,
    conn: u64,
    id: CallId,
    offer: &str,
    audio: bool,
    video: bool,
) -> ServerFrame {
    match try_join(state, actor, conn, id, offer, audio, video).await {
        Ok(frame) => frame,
        Err(error) => {
            let code = match &error {
                Error::Forbidden => "forbidden",
                Error::NotFound => "not_found",
                Error::Refused(code) | Error::Conflict(code) | Error::Gone(code) | Error::BadRequest(code) => code,
                other => {
                    tracing::warn!(error = %other, "joining a call failed");
                    "internal"
                }
            };
            ServerFrame::CallRefused { call_id: id, code: code.into(), detail: problem_detail(code, Lang::Ru).into() }
        }
    }
}

async fn try_join(
    state: &AppState,
    actor: &Actor,
    conn: u64,
    id: CallId,
    offer: &str,
    audio: bool,
    video: bool,
) -> Result<ServerFrame> {
    let mut db = state.db.reads().acquire().await?;
    let call = call_access(&mut db, actor, id).await?.call;
    if call.ended_at.is_some() {
        return Err(Error::Gone("call_ended"));
    }
    if call.node != state.calls.settings.node {
        return Err(Error::Refused("call_elsewhere"));
    }
    if store::calls::was_removed(&mut db, id, actor.user_id).await? {
        return Err(Error::Refused("removed_from_call"));
    }
    let person = store::users::get(&mut db, actor.user_id).await?.ok_or(Error::NotFound)?.person();
    drop(db);
    let sfu = state.calls.sfu().map_err(|_| Error::Refused("calls_off"))?;
    let peer = state.calls.next_peer();
    let answer = sfu
        .join(RoomId(id.0 as u64), PeerId(peer), offer, JoinOptions { may_send: true })
        .map_err(|_| Error::BadRequest("bad_offer"))?;
    let mut work = state.begin().await?;
    let presence = store::calls::presence_begins(&mut work, id, actor.user_id, peer as i64, now_ms()).await;
    let presence = match presence {
        Ok(presence) => presence,
        Err(error) => {
            let _ = sfu.remove(PeerId(peer));
            return Err(error.into());
        }
    };
    work.commit(state).await?;
    state.calls.add(LivePeer {
        peer,
        call: id,
        chat: call.chat(),
        user: actor.user_id,
        conn,
        person,
        audio,
        video,
        presence,
    });
    announce(state, id, call.chat());
    Ok(ServerFrame::CallJoined {
        call_id: id,
        peer_id: peer as i64,
        sdp: answer,
        ice_servers: state.calls.settings.ice_servers_for(actor.user_id, now_ms() / 1000),
    })
}

/// The device's peer in `call`, if this connection holds one.
fn own_peer(state: &AppState, conn: u64, call: CallId) -> Option<LivePeer> {
    state.calls.in_call(call).into_iter().find(|p| p.conn == conn)
}

/// A session description from the device (an answer to the unit's offer, or its own offer).
pub fn signal(state: &AppState, conn: u64, call: CallId, kind: SdpKind, sdp: String) {
    let (Some(peer), Some(sfu)) = (own_peer(state, conn, call), state.calls.running_sfu()) else { return };
    let signal = match kind {
        SdpKind::Offer => Signal::Offer(sdp),
        SdpKind::Answer => Signal::Answer(sdp),
    };
    let _ = sfu.signal(PeerId(peer.peer), signal);
}

/// The device switched its microphone or camera; turning one on lifts the host's mute of it.
pub fn media(state: &AppState, conn: u64, call: CallId, audio: bool, video: bool) {
    let Some(peer) = own_peer(state, conn, call) else { return };
    if let Some(sfu) = state.calls.running_sfu() {
        if audio {
            let _ = sfu.block(PeerId(peer.peer), MediaKind::Audio, false);
        }
        if video {
            let _ = sfu.block(PeerId(peer.peer), MediaKind::Video, false);
        }
    }
    state.calls.update(peer.peer, |p| {
        p.audio = audio;
        p.video = video;
    });
    announce(state, call, peer.chat);
}

/// The device leaves the call.
pub async fn leave(state: &AppState, conn: u64, call: CallId) {
    let peers = state.calls.take(|p| p.conn == conn && p.call == call);
    drop_media(state, &peers);
    if let Err(error) = close_stays(state, peers, CallLeftReason::Left).await {
        tracing::warn!(%error, "closing a stay in a call failed");
    }
}

/// The connection closed (the page, the network, the session): its devices leave.
pub fn connection_closed(state: &AppState, conn: u64) {
    let peers = state.calls.take(|p| p.conn == conn);
    leave_in_background(state, peers, CallLeftReason::Left);
}

/// The person left a chat (or the school, or the class): their media in its call ends now.
pub fn chat_left(state: &AppState, conn: u64, chat: ChatId) {
    let peers = state.calls.take(|p| p.conn == conn && p.chat == chat);
    leave_in_background(state, peers, CallLeftReason::NotAMember);
}

fn leave_in_background(state: &AppState, peers: Vec<LivePeer>, reason: CallLeftReason) {
    if peers.is_empty() {
        return;
    }
    // Media ends here and now; the record follows.
    drop_media(state, &peers);
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(error) = close_stays(&state, peers, reason).await {
            tracing::warn!(%error, "closing a stay in a call failed");
        }
    });
}

fn drop_media(state: &AppState, peers: &[LivePeer]) {
    if let Some(sfu) = state.calls.running_sfu() {
        for peer in peers {
            let _ = sfu.remove(PeerId(peer.peer));
        }
    }
}

fn reason_code(reason: CallLeftReason) -> &'static str {
    match reason {
        CallLeftReason::Left => "left",
        CallLeftReason::Ended => "ended",
        CallLeftReason::Removed => "removed",
        CallLeftReason::NotAMember => "not_a_member",
        CallLeftReason::Lost => "lost",
    }
}

/// Writes down the end of these stays, tells each device why, and the chat who is left.
async fn close_stays(state: &AppState, peers: Vec<LivePeer>, reason: CallLeftReason) -> Result<()> {
    if peers.is_empty() {
        return Ok(());
    }
    let at = now_ms();
    let mut work = state.begin().await?;
    for peer in &peers {
        store::calls::presence_ends(&mut work, peer.presence, at, reason_code(reason)).await?;
    }
    work.commit(state).await?;
    let mut told = std::collections::BTreeSet::new();
    for peer in &peers {
        tell(state, peer.conn, &ServerFrame::CallLeft { call_id: peer.call, reason });
        if told.insert(peer.call) {
            announce(state, peer.call, peer.chat);
        }
    }
    Ok(())
}

/// Sends a frame to one connection of this node.
fn tell(state: &AppState, conn: u64, frame: &ServerFrame) {
    state.hub.send_to(conn, serde_json::to_string(frame).unwrap_or_default().into());
}

/// Tells the chat's live sockets who is in its call now (the ephemeral lane: the
/// list is live state, never stored).
fn announce(state: &AppState, call: CallId, chat: ChatId) {
    let participants = state.calls.in_call(call).iter().map(LivePeer::participant).collect();
    let frame = ServerFrame::CallParticipants { call_id: call, participants };
    state.bus.publish(vec![Envelope::Ephemeral {
        chat,
        user: UserId(0),
        frame: serde_json::to_string(&frame).unwrap_or_default().into(),
    }]);
}

/// Follows the media unit's events for as long as the node runs.
pub async fn follow_media(state: Weak<Inner>, mut events: mpsc::UnboundedReceiver<SfuEvent>) {
    while let Some(event) = events.recv().await {
        let Some(inner) = state.upgrade() else { return };
        let state = AppState::from_inner(inner);
        match event {
            SfuEvent::Signal { peer, signal } => {
                let Some(live) = state.calls.peer(peer.0) else { continue };
                let (kind, sdp) = match signal {
                    Signal::Offer(sdp) => (SdpKind::Offer, sdp),
                    Signal::Answer(sdp) => (SdpKind::Answer, sdp),
                };
                tell(&state, live.conn, &ServerFrame::CallSignal { call_id: live.call, kind, sdp });
            }
            SfuEvent::Gone { peer } => {
                // Still listed: its media failed without anyone taking it out.
                let lost = state.calls.take(|p| p.peer == peer.0);
                if let Err(error) = close_stays(&state, lost, CallLeftReason::Lost).await {
                    tracing::warn!(%error, "closing a lost stay failed");
                }
            }
            SfuEvent::Speaking { room, peer } => {
                let call = CallId(room.0 as i64);
                let frame = ServerFrame::CallSpeaking { call_id: call, peer_id: peer.0 as i64 };
                for live in state.calls.in_call(call) {
                    tell(&state, live.conn, &frame);
                }
            }
            SfuEvent::Connected { .. } => {}
        }
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
                None => state.calls.forget(id),
            }
        }
        calls
    };
    for call in calls {
        finish(state, &call).await?;
    }
    Ok(())
}
