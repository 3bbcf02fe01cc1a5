//! How a connection catches up from the log: the gap before a live event, a chat
//! added to the person's list, and the replay a `resume` asks for. The connection's
//! last position per chat is what makes these exact: nothing at or below it is sent
//! again, nothing past it is sent before what lies between.

use axum::extract::ws::WebSocket;
use parta_domain::ChatId;
use parta_protocol::{ChatEvent, ChatPosition, ServerFrame, UserEvent};

use super::connection::{CLOSE_RESYNC, Connection, close};
use super::frame_text;
use crate::store;

impl Connection {
    /// Sends every event of `chat` after the last one sent, up to `until`, from the log.
    pub(super) async fn catch_up_chat(
        &mut self,
        socket: &mut WebSocket,
        chat: ChatId,
        until: i64,
    ) -> anyhow::Result<()> {
        let Some(&sent) = self.chats.get(&chat) else { return Ok(()) };
        if until <= sent {
            return Ok(());
        }
        let events = {
            let mut db = self.state.db.reads().acquire().await?;
            store::events::chat_events_between(&mut db, chat, sent, until).await?
        };
        for (seq, payload) in events {
            let event: ChatEvent = serde_json::from_str(&payload)?;
            let removed = matches!(&event, ChatEvent::MemberLeft { user_id } if *user_id == self.actor.user_id);
            let frame = ServerFrame::ChatEvent { chat_id: chat, seq, event: Box::new(event) };
            self.send(socket, &frame_text(&frame)).await?;
            self.chats.insert(chat, seq);
            self.fresh.remove(&chat);
            if removed {
                self.leave(chat);
                break;
            }
        }
        Ok(())
    }

    /// Nothing said in a chat after someone's removal reaches them, whatever the
    /// timing of their personal stream.
    pub(super) fn leave(&mut self, chat: ChatId) {
        self.chats.remove(&chat);
        self.fresh.remove(&chat);
        self.state.hub.unsubscribe(self.id, chat);
        let conn = crate::calls::ConnRef { node: self.state.calls.settings.node.as_str().into(), id: self.id };
        crate::actions::calls::chat_left(&self.state, &conn, chat);
    }

    pub(super) async fn catch_up_user(&mut self, socket: &mut WebSocket, until: i64) -> anyhow::Result<()> {
        if until <= self.user_seq {
            return Ok(());
        }
        let events = {
            let mut db = self.state.db.reads().acquire().await?;
            store::events::user_events_between(&mut db, self.actor.user_id, self.user_seq, until).await?
        };
        for (seq, payload) in events {
            let event: UserEvent = serde_json::from_str(&payload)?;
            let frame = ServerFrame::UserEvent { seq, event: event.clone() };
            self.send(socket, &frame_text(&frame)).await?;
            self.user_seq = seq;
            self.apply_user_event(socket, event).await?;
        }
        Ok(())
    }

    /// A chat added to the person's list is subscribed and caught up; a removed one is left.
    pub(super) async fn apply_user_event(&mut self, socket: &mut WebSocket, event: UserEvent) -> anyhow::Result<()> {
        match event {
            UserEvent::ChatAdded { chat_id, from_seq, .. } => {
                let start = match self.chats.get(&chat_id) {
                    None => {
                        self.state.hub.subscribe(self.id, chat_id);
                        Some(from_seq)
                    }
                    // Taken at its head on opening, but the person joined earlier than that:
                    // what happened since the join has not been sent.
                    Some(&current) if self.fresh.remove(&chat_id) && from_seq < current => Some(from_seq),
                    Some(_) => None,
                };
                if let Some(start) = start {
                    self.chats.insert(chat_id, start);
                    let head = {
                        let mut db = self.state.db.reads().acquire().await?;
                        store::chats::get(&mut db, chat_id).await?.map_or(0, |c| c.last_seq)
                    };
                    self.catch_up_chat(socket, chat_id, head).await?;
                }
            }
            UserEvent::ChatRemoved { chat_id } => self.leave(chat_id),
            // Nothing to subscribe to: the diary asks for the lesson itself.
            UserEvent::JournalChanged { .. }
            | UserEvent::FinalMarksChanged { .. }
            | UserEvent::TimetableChanged { .. }
            | UserEvent::NotificationAdded { .. }
            | UserEvent::NotificationsRead { .. }
            | UserEvent::ChatSilenceChanged { .. }
            | UserEvent::MeChanged {} => {}
        }
        Ok(())
    }

    /// Replays what the client missed: its personal events first (chats added and
    /// removed), then each chat it names from its position; `resync` where the log
    /// no longer reaches back that far; then `ready`. False: the connection is closed.
    pub(super) async fn resume(
        &mut self,
        socket: &mut WebSocket,
        user_seq: i64,
        positions: Vec<ChatPosition>,
    ) -> anyhow::Result<bool> {
        let head = {
            let mut db = self.state.db.reads().acquire().await?;
            store::events::user_seq(&mut db, self.actor.user_id).await?
        };
        if user_seq > head {
            close(socket, CLOSE_RESYNC, "unknown position").await;
            return Ok(false);
        }
        // The client's own positions first, so replaying its personal stream does not
        // start a chat it already knows over again.
        let mut resumed = Vec::new();
        for ChatPosition { chat_id: chat, seq: position } in positions {
            if !self.chats.contains_key(&chat) {
                continue;
            }
            let (head, oldest) = {
                let mut db = self.state.db.reads().acquire().await?;
                let head = store::chats::get(&mut db, chat).await?.map_or(0, |c| c.last_seq);
                (head, store::events::oldest_chat_event(&mut db, chat).await?)
            };
            if position > head || oldest.is_some_and(|oldest| position + 1 < oldest) {
                self.fresh.remove(&chat);
                self.send(socket, &frame_text(&ServerFrame::Resync { chat_id: chat })).await?;
                continue;
            }
            self.chats.insert(chat, position);
            self.fresh.remove(&chat);
            resumed.push(chat);
        }
        self.user_seq = user_seq;
        self.catch_up_user(socket, head).await?;
        for chat in resumed {
            let head = {
                let mut db = self.state.db.reads().acquire().await?;
                store::chats::get(&mut db, chat).await?.map_or(0, |c| c.last_seq)
            };
            self.catch_up_chat(socket, chat, head).await?;
        }
        self.send(socket, &frame_text(&ServerFrame::Ready)).await?;
        Ok(true)
    }
}
