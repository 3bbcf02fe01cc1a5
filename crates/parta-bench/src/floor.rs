//! The floor: the least server that does Parta's fan-out on this machine. The same
//! stack (tokio, axum's WebSocket), the same frames and the same two endpoints, but
//! in-memory rooms, no authentication, no storage. Every Parta figure is stated
//! next to the floor's, measured by the same generator in the same run.
//!
//! A client's "token" is `floor:<user>:<chat>,<chat>,…`: who it is and which rooms it
//! sits in. A post names its sender the same way in the bearer header.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use parta_domain::{ChatId, MessageId, UserId};
use parta_protocol::{ChatEvent, ClientFrame, Message, PersonRef, SendMessageRequest, ServerFrame};
use tokio::sync::mpsc;

/// As Parta: frames queued for one connection before it counts as a slow consumer.
const CONNECTION_QUEUE: usize = 1024;
const CLOSE_SLOW: u16 = 4008;

pub fn token(user: i64, chats: &[i64]) -> String {
    let chats: Vec<String> = chats.iter().map(i64::to_string).collect();
    format!("floor:{user}:{}", chats.join(","))
}

fn parse_token(token: &str) -> Option<(i64, Vec<i64>)> {
    let mut parts = token.strip_prefix("floor:")?.splitn(2, ':');
    let user = parts.next()?.parse().ok()?;
    let chats = parts
        .next()
        .unwrap_or("")
        .split(',')
        .filter(|c| !c.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    Some((user, chats))
}

#[derive(Default)]
struct Room {
    seq: i64,
    members: HashMap<u64, mpsc::Sender<Arc<str>>>,
}

#[derive(Default)]
struct Floor {
    rooms: Mutex<HashMap<i64, Room>>,
    next_conn: AtomicU64,
    next_message: AtomicI64,
    /// The WebSocket read buffer per connection; `None`: the library's default (128 KiB).
    read_buffer: Option<usize>,
}

impl Floor {
    fn rooms(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Room>> {
        self.rooms.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

pub async fn serve(listen: SocketAddr, read_buffer: Option<usize>) -> anyhow::Result<()> {
    let floor = Arc::new(Floor { read_buffer, ..Floor::default() });
    let app = Router::new()
        .route("/api/v1/ws", get(ws))
        .route("/api/v1/chats/{chat_id}/messages", post(send))
        .route("/readyz", get(|| async { "ok" }))
        .with_state(floor);
    let listener = tokio::net::TcpListener::bind(listen).await?;
    eprintln!("floor listening on {}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

async fn send(
    State(floor): State<Arc<Floor>>,
    Path(chat): Path<i64>,
    headers: HeaderMap,
    axum::Json(request): axum::Json<SendMessageRequest>,
) -> Response {
    let Some((user, _)) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(parse_token)
    else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let id = floor.next_message.fetch_add(1, Ordering::Relaxed) + 1;
    let mut message = message(id, chat, user, request.client_msg_id, request.body);
    {
        // Positions are taken and frames queued under the room's lock, so they go out in order.
        let mut rooms = floor.rooms();
        let room = rooms.entry(chat).or_default();
        room.seq += 1;
        message.seq = room.seq;
        let frame = ServerFrame::ChatEvent {
            chat_id: ChatId(chat),
            seq: room.seq,
            event: Box::new(ChatEvent::MessageSent { message: message.clone() }),
        };
        let frame: Arc<str> = serde_json::to_string(&frame).unwrap_or_default().into();
        // Dropping a full queue's sender closes that connection, as Parta does.
        room.members.retain(|_, queue| queue.try_send(Arc::clone(&frame)).is_ok());
    }
    (StatusCode::CREATED, axum::Json(message)).into_response()
}

async fn ws(State(floor): State<Arc<Floor>>, upgrade: WebSocketUpgrade) -> Response {
    let upgrade = match floor.read_buffer {
        Some(size) => upgrade.read_buffer_size(size),
        None => upgrade,
    };
    upgrade.max_message_size(64 * 1024).on_upgrade(move |socket| async move {
        let _ = connection(floor, socket).await;
    })
}

async fn connection(floor: Arc<Floor>, mut socket: WebSocket) -> anyhow::Result<()> {
    let Some(Ok(WsMessage::Text(first))) = tokio::time::timeout(Duration::from_secs(10), socket.recv()).await? else {
        return Ok(());
    };
    let Ok(ClientFrame::Auth { token }) = serde_json::from_str::<ClientFrame>(&first) else { return Ok(()) };
    let Some((user, chats)) = parse_token(&token) else { return Ok(()) };
    let id = floor.next_conn.fetch_add(1, Ordering::Relaxed);
    let (queue, mut incoming) = mpsc::channel::<Arc<str>>(CONNECTION_QUEUE);
    {
        let mut rooms = floor.rooms();
        for chat in &chats {
            rooms.entry(*chat).or_default().members.insert(id, queue.clone());
        }
    }
    drop(queue);
    let result = async {
        let welcome = ServerFrame::Welcome { user_id: UserId(user), user_seq: 0 };
        socket.send(WsMessage::Text(serde_json::to_string(&welcome)?.into())).await?;
        // Nothing to replay: answer the resume with `ready` at once.
        loop {
            match socket.recv().await {
                Some(Ok(WsMessage::Text(_))) => break,
                Some(Ok(WsMessage::Close(_)) | Err(_)) | None => return Ok(()),
                Some(Ok(_)) => {}
            }
        }
        socket.send(WsMessage::Text(serde_json::to_string(&ServerFrame::Ready)?.into())).await?;
        loop {
            tokio::select! {
                frame = incoming.recv() => {
                    let Some(frame) = frame else {
                        let close = CloseFrame { code: CLOSE_SLOW, reason: "slow consumer".into() };
                        let _ = socket.send(WsMessage::Close(Some(close))).await;
                        return Ok(());
                    };
                    socket.send(WsMessage::Text(frame.as_ref().into())).await?;
                }
                message = socket.recv() => match message {
                    Some(Ok(WsMessage::Close(_)) | Err(_)) | None => return Ok(()),
                    Some(Ok(_)) => {}
                },
            }
        }
    }
    .await;
    let mut rooms = floor.rooms();
    for chat in &chats {
        if let Some(room) = rooms.get_mut(chat) {
            room.members.remove(&id);
        }
    }
    result
}

/// A message as the floor (and the insert floor's event rows) carry it: Parta's shape.
pub fn message(id: i64, chat: i64, sender: i64, client_msg_id: String, body: String) -> Message {
    Message {
        id: MessageId(id),
        chat_id: ChatId(chat),
        seq: 0,
        sender: PersonRef::new(UserId(sender), "Учителева", "Тест", None),
        client_msg_id,
        rich: parta_domain::format::parse(&body),
        body,
        mentions: Vec::new(),
        forwarded_from: None,
        reply_to: None,
        created_at: jiff::Timestamp::now().to_string(),
        edited_at: None,
        deleted: false,
        deleted_by_moderator: false,
        pinned: false,
        needs_ack: false,
        acked_by_me: false,
        reactions: Vec::new(),
        homework: None,
        poll: None,
        attachments: Vec::new(),
        held_until: None,
        imported: false,
        guest_name: None,
        forwarded_from_name: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_the_user_and_the_rooms() {
        assert_eq!(parse_token(&token(7, &[1, 22, 333])), Some((7, vec![1, 22, 333])));
        assert_eq!(parse_token(&token(7, &[])), Some((7, vec![])));
        assert_eq!(parse_token("Bearer x"), None);
        assert_eq!(parse_token("floor:x:1"), None);
    }
}
