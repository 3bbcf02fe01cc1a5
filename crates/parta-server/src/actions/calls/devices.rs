//! A device in a call: joining with its offer (or waiting to be admitted), the
//! media unit's renegotiation, its switches and raised hand, and leaving — by
//! choice, with its socket, its session or its seat in the chat.

use std::sync::Weak;

use parta_domain::{CallId, ChatId};
use parta_protocol::{CallLeftReason, ClientFrame, SdpKind, ServerFrame};
use parta_sfu::{JoinOptions, Layer, MediaKind, PeerId, RoomId, SfuEvent, Signal};
use tokio::sync::mpsc;

use super::{CallAccess, announce, call_access, tell, tell_waiting_room};
use crate::actions::events::do_chat_event;
use crate::auth::Actor;
use crate::bus::Envelope;
use crate::calls::{ConnRef, LivePeer, Waiting};
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::i18n::{Lang, problem_detail};
use crate::state::{AppState, Inner};
use crate::store;

/// A call's frame from a device: handled here when its call runs on this node,
/// otherwise passed to that node over the bus. True when it was passed on.
pub async fn from_device(state: &AppState, actor: &Actor, conn: u64, frame: ClientFrame) -> bool {
    let Some(call) = call_of(&frame) else { return false };
    let own = &state.calls.settings.node;
    let here = ConnRef { node: own.as_str().into(), id: conn };
    // A device in a call of this node signals without the call being read again.
    if !matches!(frame, ClientFrame::CallJoin { .. }) && own_peer(state, &here, call).is_some() {
        handle(state, actor, &here, frame).await;
        return false;
    }
    let node = {
        let Ok(mut db) = state.db.reads().acquire().await else { return false };
        match store::calls::get(&mut db, call).await {
            Ok(Some(row)) => row.node,
            _ => state.calls.settings.node.clone(),
        }
    };
    if node == *own {
        handle(state, actor, &here, frame).await;
        return false;
    }
    let frame = serde_json::to_string(&frame).unwrap_or_default();
    let envelope =
        Envelope::CallFrame { node, from: own.clone(), conn, user: actor.user_id, session: actor.session_id, frame };
    state.bus.publish(vec![envelope]);
    true
}

fn call_of(frame: &ClientFrame) -> Option<CallId> {
    match frame {
        ClientFrame::CallJoin { call_id, .. }
        | ClientFrame::CallSignal { call_id, .. }
        | ClientFrame::CallMedia { call_id, .. }
        | ClientFrame::CallLeave { call_id }
        | ClientFrame::CallView { call_id, .. }
        | ClientFrame::CallHand { call_id, .. } => Some(*call_id),
        _ => None,
    }
}

/// A call's frame on the node its call runs on, from a connection here or elsewhere.
async fn handle(state: &AppState, actor: &Actor, conn: &ConnRef, frame: ClientFrame) {
    match frame {
        ClientFrame::CallJoin { call_id, sdp, audio, video } => {
            let answer = join(state, actor, conn, call_id, &sdp, audio, video).await;
            tell(state, conn, &answer);
        }
        ClientFrame::CallSignal { call_id, kind, sdp } => signal(state, conn, call_id, kind, sdp),
        ClientFrame::CallMedia { call_id, audio, video } => media(state, conn, call_id, audio, video).await,
        ClientFrame::CallLeave { call_id } => leave(state, conn, call_id).await,
        ClientFrame::CallView { call_id, peer_id, view: shown } => view(state, conn, call_id, peer_id, shown),
        ClientFrame::CallHand { call_id, raised } => hand(state, conn, call_id, raised).await,
        _ => {}
    }
}

/// Joins a running call from the device behind connection `conn`: the answer to its
/// offer, or why not.
async fn join(
    state: &AppState,
    actor: &Actor,
    conn: &ConnRef,
    id: CallId,
    offer: &str,
    audio: bool,
    video: bool,
) -> ServerFrame {
    match try_join(state, actor, conn, id, offer, audio, video).await {
        Ok(frame) => frame,
        Err(error) => {
            let code = error.code();
            if code == "internal" {
                tracing::warn!(%error, "joining a call failed");
            }
            ServerFrame::CallRefused { call_id: id, code: code.into(), detail: problem_detail(code, Lang::Ru).into() }
        }
    }
}

async fn try_join(
    state: &AppState,
    actor: &Actor,
    conn: &ConnRef,
    id: CallId,
    offer: &str,
    audio: bool,
    video: bool,
) -> Result<ServerFrame> {
    let mut db = state.db.reads().acquire().await?;
    let CallAccess { call, leads } = call_access(&mut db, actor, id).await?;
    if call.ended_at.is_some() {
        return Err(Error::Gone("call_ended"));
    }
    if call.node != state.calls.settings.node {
        return Err(Error::Refused("call_elsewhere"));
    }
    if store::calls::was_removed(&mut db, id, actor.user_id).await? {
        return Err(Error::Refused("removed_from_call"));
    }
    // A locked call lets back only those who were in it.
    if call.locked == 1 && !leads && !store::calls::was_in(&mut db, id, actor.user_id).await? {
        return Err(Error::Refused("call_locked"));
    }
    let person = store::users::get(&mut db, actor.user_id).await?.ok_or(Error::NotFound)?.person();
    drop(db);
    // An announced call opens when one who leads it comes; until then, and past a
    // waiting room until admitted, the others wait.
    let waits = !leads
        && (call.started_at.is_none() || (call.waiting_room == 1 && !state.calls.is_admitted(id, actor.user_id)));
    if waits {
        if state.calls.wait(id, Waiting { conn: conn.clone(), person }) {
            tell_waiting_room(state, id);
        }
        return Ok(ServerFrame::CallWaiting { call_id: id });
    }
    if call.started_at.is_none() {
        open(state, &call, person.clone()).await?;
    }
    let sfu = state.calls.sfu().map_err(|_| Error::Refused("calls_off"))?;
    // One place in a call per connection: joining again replaces the last one, so a
    // socket repeating `call_join` holds one peer, not one per frame.
    let replaced = state.calls.take(|p| p.conn == *conn && p.call == id);
    drop_media(state, &replaced);
    close_stays(state, replaced, CallLeftReason::Left).await?;
    let peer = state.calls.next_peer();
    // A broadcast's viewers receive and send nothing until brought on stage.
    let on_stage = leads || !call.is_broadcast();
    let answer = sfu
        .join(RoomId(id.0 as u64), PeerId(peer), offer, JoinOptions { may_send: on_stage })
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
        session: actor.session_id,
        conn: conn.clone(),
        person,
        audio,
        video,
        hand_raised: false,
        on_stage,
        leads,
        presence,
    });
    announce(state, id).await?;
    if leads {
        tell_waiting_room(state, id);
    }
    Ok(ServerFrame::CallJoined {
        call_id: id,
        peer_id: peer as i64,
        sdp: answer,
        ice_servers: state.calls.settings.ice_servers_for(actor.user_id, now_ms() / 1000),
    })
}

/// The device's peer in `call`, if this connection holds one.
fn own_peer(state: &AppState, conn: &ConnRef, call: CallId) -> Option<LivePeer> {
    state.calls.in_call(call).into_iter().find(|p| p.conn == *conn)
}

/// A session description from the device (an answer to the unit's offer, or its own offer).
fn signal(state: &AppState, conn: &ConnRef, call: CallId, kind: SdpKind, sdp: String) {
    let (Some(peer), Some(sfu)) = (own_peer(state, conn, call), state.calls.running_sfu()) else { return };
    let signal = match kind {
        SdpKind::Offer => Signal::Offer(sdp),
        SdpKind::Answer => Signal::Answer(sdp),
    };
    let _ = sfu.signal(PeerId(peer.peer), signal);
}

/// The device switched its microphone or camera; turning one on lifts the host's mute of it.
async fn media(state: &AppState, conn: &ConnRef, call: CallId, audio: bool, video: bool) {
    let Some(peer) = own_peer(state, conn, call) else { return };
    if (peer.audio, peer.video) == (audio, video) {
        return;
    }
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
    announced(state, call).await;
}

/// How the device shows another's video: the layer the unit sends it, or none.
fn view(state: &AppState, conn: &ConnRef, call: CallId, origin: i64, view: parta_protocol::CallView) {
    let (Some(peer), Some(sfu)) = (own_peer(state, conn, call), state.calls.running_sfu()) else { return };
    let layer = match view {
        parta_protocol::CallView::Large => Layer::High,
        parta_protocol::CallView::Small => Layer::Low,
        parta_protocol::CallView::Hidden => Layer::Off,
    };
    let _ = sfu.view(PeerId(peer.peer), PeerId(origin as u64), layer);
}

/// The device raised or lowered its hand.
async fn hand(state: &AppState, conn: &ConnRef, call: CallId, raised: bool) {
    let Some(peer) = own_peer(state, conn, call) else { return };
    if peer.hand_raised == raised {
        return;
    }
    state.calls.update(peer.peer, |p| p.hand_raised = raised);
    announced(state, call).await;
}

/// Announces, logging a failure (the device's frame has no answer to carry it).
async fn announced(state: &AppState, call: CallId) {
    if let Err(error) = announce(state, call).await {
        tracing::warn!(%error, "telling who is in a call failed");
    }
}

/// Opens an announced call as one who leads it comes; the chat is told it began.
async fn open(state: &AppState, call: &store::calls::CallRow, by: parta_protocol::PersonRef) -> Result<()> {
    let mut work = state.begin().await?;
    let opened = match store::calls::open(&mut work, call.call_id(), now_ms()).await {
        Ok(opened) => opened,
        Err(error) if store::is_unique_violation(&error) => return Err(Error::Conflict("call_running")),
        Err(error) => return Err(error.into()),
    };
    if opened {
        let event = parta_protocol::ChatEvent::CallStarted { call_id: call.call_id(), started_by: by, lesson_id: None };
        do_chat_event(&mut work, call.org(), call.chat(), event).await?;
    }
    work.commit(state).await?;
    if opened {
        state.calls.started(call.call_id());
    }
    Ok(())
}

/// The device leaves the call (or its waiting room).
async fn leave(state: &AppState, conn: &ConnRef, call: CallId) {
    if !state.calls.stop_waiting(|c, w| c == call && w.conn == *conn).is_empty() {
        tell(state, conn, &ServerFrame::CallLeft { call_id: call, reason: CallLeftReason::Left });
        tell_waiting_room(state, call);
    }
    let peers = state.calls.take(|p| p.conn == *conn && p.call == call);
    drop_media(state, &peers);
    if let Err(error) = close_stays(state, peers, CallLeftReason::Left).await {
        tracing::warn!(%error, "closing a stay in a call failed");
    }
}

/// The connection closed (the page, the network, the session): its devices leave.
pub fn connection_closed(state: &AppState, conn: &ConnRef) {
    for (call, _) in state.calls.stop_waiting(|_, w| w.conn == *conn) {
        tell_waiting_room(state, call);
    }
    let peers = state.calls.take(|p| p.conn == *conn);
    leave_in_background(state, peers, CallLeftReason::Left);
}

/// The person left a chat (or the school, or the class): their media in its call ends now.
pub fn chat_left(state: &AppState, conn: &ConnRef, chat: ChatId) {
    let peers = state.calls.take(|p| p.conn == *conn && p.chat == chat);
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

pub(super) fn drop_media(state: &AppState, peers: &[LivePeer]) {
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

/// Tells each device why its stay ended, writes the ends down, and tells the chat who
/// is left. The peers are out of the media unit already: their devices hear it first,
/// not after a wait for the database's writer (a removal ends media within a second).
pub(super) async fn close_stays(state: &AppState, peers: Vec<LivePeer>, reason: CallLeftReason) -> Result<()> {
    if peers.is_empty() {
        return Ok(());
    }
    let at = now_ms();
    for peer in &peers {
        tell(state, &peer.conn, &ServerFrame::CallLeft { call_id: peer.call, reason });
    }
    let mut work = state.begin().await?;
    for peer in &peers {
        store::calls::presence_ends(&mut work, peer.presence, at, reason_code(reason)).await?;
    }
    work.commit(state).await?;
    let calls: std::collections::BTreeSet<CallId> = peers.iter().map(|peer| peer.call).collect();
    for call in calls {
        announce(state, call).await?;
    }
    Ok(())
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
                tell(&state, &live.conn, &ServerFrame::CallSignal { call_id: live.call, kind, sdp });
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
                    tell(&state, &live.conn, &frame);
                }
            }
            SfuEvent::Connected { .. } => {}
        }
    }
}

/// Follows the bus for what concerns this node's calls: frames of devices connected
/// to other nodes, their connections closing, and — from every node — people leaving
/// a chat and sessions ending, whose media here ends at once.
pub async fn follow_bus(state: Weak<Inner>, mut bus: tokio::sync::broadcast::Receiver<Envelope>) {
    loop {
        let envelope = match bus.recv().await {
            Ok(envelope) => envelope,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        };
        let Some(inner) = state.upgrade() else { return };
        let state = AppState::from_inner(inner);
        match envelope {
            Envelope::CallFrame { node, from, conn, user, session, frame } if node == state.calls.settings.node => {
                let Ok(frame) = serde_json::from_str::<ClientFrame>(&frame) else { continue };
                let actor = Actor { user_id: user, session_id: session, is_operator: false, csrf_token: String::new() };
                let conn = ConnRef { node: from.into(), id: conn };
                tokio::spawn(async move { handle(&state, &actor, &conn, frame).await });
            }
            Envelope::ConnectionClosed { node, conn } => {
                connection_closed(&state, &ConnRef { node: node.into(), id: conn })
            }
            Envelope::Chat { chat, left: Some(user), .. } => {
                let peers = state.calls.take(|p| p.chat == chat && p.user == user);
                leave_in_background(&state, peers, CallLeftReason::NotAMember);
            }
            Envelope::SessionsEnded { user, only, keep } => {
                let ends =
                    |p: &LivePeer| p.user == user && only.is_none_or(|s| s == p.session) && keep != Some(p.session);
                let peers = state.calls.take(ends);
                leave_in_background(&state, peers, CallLeftReason::Left);
            }
            _ => {}
        }
    }
}
