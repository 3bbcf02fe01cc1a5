//! The host's controls: mute, remove, lock, admit from the waiting room, hand the
//! lead on, bring a broadcast's viewer on stage. Each is the call's leaders' alone.

use parta_domain::{CallId, UserId};
use parta_protocol::{CallLeftReason, CallMediaKind, ServerFrame};
use parta_sfu::{MediaKind, PeerId};

use super::devices::{close_stays, drop_media};
use super::{CallAccess, announce, call_access, tell, tell_waiting_room};
use crate::auth::Actor;
use crate::calls::LivePeer;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;

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
        tell(state, &peer.conn, &ServerFrame::CallMuted { call_id: id, kind });
    }
    announce(state, call.call_id()).await
}

pub(super) fn media_kind(kind: CallMediaKind) -> MediaKind {
    match kind {
        CallMediaKind::Audio => MediaKind::Audio,
        CallMediaKind::Video => MediaKind::Video,
    }
}

/// Loads a call the actor leads and that has not ended.
async fn led_call(state: &AppState, actor: &Actor, id: CallId) -> Result<store::calls::CallRow> {
    let mut conn = state.db.reads().acquire().await?;
    let CallAccess { call, leads } = call_access(&mut conn, actor, id).await?;
    if !leads {
        return Err(Error::Forbidden);
    }
    if call.ended_at.is_some() {
        return Err(Error::Conflict("call_ended"));
    }
    Ok(call)
}

/// # Lock a call, or open it again (the host): nobody new joins a locked call
pub async fn lock(state: &AppState, actor: &Actor, id: CallId, locked: bool) -> Result<()> {
    led_call(state, actor, id).await?;
    let mut work = state.begin().await?;
    store::calls::set_locked(&mut work, id, locked).await?;
    work.commit(state).await?;
    announce(state, id).await
}

/// # Admit someone waiting (the host): their devices are told to join
pub async fn admit(state: &AppState, actor: &Actor, id: CallId, user: UserId) -> Result<()> {
    led_call(state, actor, id).await?;
    for waiting in state.calls.admit(id, user) {
        tell(state, &waiting.conn, &ServerFrame::CallAdmitted { call_id: id });
    }
    tell_waiting_room(state, id);
    Ok(())
}

/// # Hand the lead of a call to someone in it (the host)
pub async fn hand_host(state: &AppState, actor: &Actor, id: CallId, user: UserId) -> Result<()> {
    led_call(state, actor, id).await?;
    if !state.calls.in_call(id).iter().any(|p| p.user == user) {
        return Err(Error::Conflict("not_in_call"));
    }
    let mut work = state.begin().await?;
    store::calls::set_host(&mut work, id, user).await?;
    work.commit(state).await?;
    for peer in state.calls.in_call(id) {
        state.calls.update(peer.peer, |p| {
            if p.user == user {
                p.leads = true;
            } else if p.user == actor.user_id {
                p.leads = false;
            }
        });
    }
    announce(state, id).await?;
    tell_waiting_room(state, id);
    Ok(())
}

/// # Bring a broadcast's viewer on stage, or back among the viewers (the host)
pub async fn stage(state: &AppState, actor: &Actor, id: CallId, user: UserId, on: bool) -> Result<()> {
    let call = led_call(state, actor, id).await?;
    if !call.is_broadcast() {
        return Err(Error::Conflict("not_a_broadcast"));
    }
    let peers: Vec<LivePeer> = state.calls.in_call(id).into_iter().filter(|p| p.user == user).collect();
    if peers.is_empty() {
        return Err(Error::Conflict("not_in_call"));
    }
    let sfu = state.calls.running_sfu();
    for peer in &peers {
        if let Some(sfu) = sfu {
            let _ = sfu.set_may_send(PeerId(peer.peer), on);
        }
        state.calls.update(peer.peer, |p| {
            p.on_stage = on;
            p.hand_raised = false;
        });
        tell(state, &peer.conn, &ServerFrame::CallStage { call_id: id, on });
    }
    announce(state, id).await
}
