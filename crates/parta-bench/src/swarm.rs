//! Many WebSocket clients in one process, one task each. A client authenticates
//! with its first frame, resumes (from nothing, or from positions it kept), and then
//! records every message that reaches it: the latency from the time stamped in the
//! body, and the message's number, so losses and doubles can be counted.
//!
//! Frames are read on a fast path (a scan for the bench's marker in the body, and
//! for the frame's chat and position) instead of full deserialisation: the clients
//! share the machine's two cores with the server, and every cycle they spend is
//! taken from it. A unit test holds the scan to the real wire types.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use parta_protocol::{ChatPosition, ClientFrame, ServerFrame};
use tokio::sync::{Notify, Semaphore, watch};
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// Bytes a client reads at once.
const CLIENT_READ_BUFFER: usize = 8 * 1024;

/// The start of every message body the bench sends: `pb:<number>:<due ns>:`.
pub const MARKER: &str = "pb:";

pub fn body(number: u64, due_ns: u64) -> String {
    format!("{MARKER}{number}:{due_ns}: нагрузочный тест")
}

/// What one chat event frame says, read without parsing the whole frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub chat: i64,
    pub seq: i64,
    /// The bench's message number and due time, when the event is one of its messages.
    pub message: Option<(u64, u64)>,
}

fn number_after(text: &str, key: &str) -> Option<i64> {
    let start = text.find(key)? + key.len();
    let digits: &str = &text[start..];
    let end = digits.find(|c: char| !c.is_ascii_digit() && c != '-').unwrap_or(digits.len());
    digits[..end].parse().ok()
}

/// Reads a `chat_event` frame: its chat, position and, for `message_sent` with the
/// bench's marker, the message number and due time. `None` for other frames.
pub fn scan(text: &str) -> Option<Seen> {
    if !text.starts_with(r#"{"type":"chat_event""#) {
        return None;
    }
    // The frame's own fields come before the event (serde keeps declaration order).
    let chat = number_after(text, r#""chat_id":"#)?;
    let seq = number_after(text, r#""seq":"#)?;
    let message = if text.contains(r#""type":"message_sent""#) {
        text.find(&format!(r#""body":"{MARKER}"#)).and_then(|at| {
            let rest = &text[at + r#""body":""#.len() + MARKER.len()..];
            let mut parts = rest.splitn(3, ':');
            let number = parts.next()?.parse().ok()?;
            let due = parts.next()?.parse().ok()?;
            Some((number, due))
        })
    } else {
        None
    };
    Some(Seen { chat, seq, message })
}

/// What one client saw since its stats were last taken.
#[derive(Debug, Default)]
pub struct ClientStats {
    /// Each bench message received once: its number and latency in microseconds.
    pub samples: Vec<(u64, u32)>,
    /// Bench message numbers received (a second receipt is a double).
    pub received: HashSet<u64>,
    pub duplicates: u64,
    /// Events whose position skipped ahead of the one before in the same chat.
    pub gaps: u64,
    /// Events at or below a position already seen in the same chat.
    pub repeats: u64,
    pub other_frames: u64,
    /// When each bench message arrived (only for a client that asks, see `timeline`).
    pub arrivals: Vec<(u64, u64)>,
    /// Each `journal_changed` that arrived: the student, the lesson and when.
    pub journal: Vec<JournalSeen>,
}

/// A `journal_changed` user event as it reached a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalSeen {
    pub student: i64,
    pub lesson: i64,
    pub at_ns: u64,
}

/// Reads a `journal_changed` user event frame: its student and lesson. `None` for others.
pub fn scan_journal(text: &str) -> Option<(i64, i64)> {
    if !text.starts_with(r#"{"type":"user_event""#) || !text.contains(r#""type":"journal_changed""#) {
        return None;
    }
    Some((number_after(text, r#""student_id":"#)?, number_after(text, r#""lesson_id":"#)?))
}

/// One client's state, shared with the coordinator.
pub struct Client {
    pub user: i64,
    pub token: String,
    pub stats: Mutex<ClientStats>,
    /// The last position seen per chat; kept across reconnects for `resume`.
    pub positions: Mutex<HashMap<i64, i64>>,
    pub user_seq: AtomicU64,
    pub ready: AtomicBool,
    /// Record each arrival's time (for the catch-up measurement).
    pub timeline: AtomicBool,
    pub closes: AtomicU64,
    pub last_close: Mutex<Option<String>>,
    /// Where to pass each `journal_changed` as it arrives (the client's user with it),
    /// for a bench that acts on it as the diary does.
    pub journal_tx: Mutex<Option<tokio::sync::mpsc::UnboundedSender<(i64, JournalSeen)>>>,
}

impl Client {
    pub fn new(user: i64, token: String) -> Client {
        Client {
            user,
            token,
            stats: Mutex::new(ClientStats::default()),
            positions: Mutex::new(HashMap::new()),
            user_seq: AtomicU64::new(0),
            ready: AtomicBool::new(false),
            timeline: AtomicBool::new(false),
            closes: AtomicU64::new(0),
            last_close: Mutex::new(None),
            journal_tx: Mutex::new(None),
        }
    }

    pub fn take_stats(&self) -> ClientStats {
        std::mem::take(&mut *lock(&self.stats))
    }

    fn on_text(&self, text: &str, now_ns: u64, deliveries: &AtomicU64) {
        let Some(seen) = scan(text) else {
            let mut stats = lock(&self.stats);
            match scan_journal(text) {
                Some((student, lesson)) => {
                    let seen = JournalSeen { student, lesson, at_ns: now_ns };
                    stats.journal.push(seen);
                    if let Some(tx) = &*lock(&self.journal_tx) {
                        let _ = tx.send((self.user, seen));
                    }
                }
                None => stats.other_frames += 1,
            }
            return;
        };
        let step = {
            let mut positions = lock(&self.positions);
            let last = positions.insert(seen.chat, seen.seq);
            match last {
                Some(last) if seen.seq <= last => {
                    positions.insert(seen.chat, last);
                    Step::Repeat
                }
                Some(last) if seen.seq > last + 1 => Step::Gap,
                _ => Step::Next,
            }
        };
        let mut stats = lock(&self.stats);
        match step {
            Step::Repeat => stats.repeats += 1,
            Step::Gap => stats.gaps += 1,
            Step::Next => {}
        }
        if let Some((number, due)) = seen.message {
            if stats.received.insert(number) {
                let micros = u32::try_from(now_ns.saturating_sub(due) / 1_000).unwrap_or(u32::MAX);
                stats.samples.push((number, micros));
                deliveries.fetch_add(1, Ordering::Relaxed);
                if self.timeline.load(Ordering::Relaxed) {
                    stats.arrivals.push((number, now_ns));
                }
            } else {
                stats.duplicates += 1;
            }
        }
    }
}

enum Step {
    Next,
    Gap,
    Repeat,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The clients of one run and what they share.
pub struct Swarm {
    pub address: SocketAddr,
    pub epoch: Instant,
    pub clients: Vec<Arc<Client>>,
    pub deliveries: Arc<AtomicU64>,
    ready: Arc<AtomicUsize>,
    ready_changed: Arc<Notify>,
    stops: Mutex<HashMap<usize, watch::Sender<bool>>>,
    tasks: Mutex<HashMap<usize, tokio::task::JoinHandle<()>>>,
}

impl Swarm {
    pub fn new(address: SocketAddr, epoch: Instant, clients: Vec<Arc<Client>>) -> Swarm {
        Swarm {
            address,
            epoch,
            clients,
            deliveries: Arc::new(AtomicU64::new(0)),
            ready: Arc::new(AtomicUsize::new(0)),
            ready_changed: Arc::new(Notify::new()),
            stops: Mutex::new(HashMap::new()),
            tasks: Mutex::new(HashMap::new()),
        }
    }

    pub fn now_ns(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }

    pub fn ready_count(&self) -> usize {
        self.ready.load(Ordering::Relaxed)
    }

    /// Opens the clients with these indexes (`resume` from their kept positions or from
    /// now) and waits until each has had `ready`, at most `in_flight` handshakes at once.
    pub async fn connect(&self, indexes: &[usize], resume: bool, in_flight: usize) -> anyhow::Result<()> {
        let target = self.ready_count() + indexes.len();
        let gate = Arc::new(Semaphore::new(in_flight));
        for &index in indexes {
            let client = Arc::clone(&self.clients[index]);
            let (stop, stopped) = watch::channel(false);
            lock(&self.stops).insert(index, stop);
            let permit = Arc::clone(&gate).acquire_owned().await?;
            let address = self.address;
            let (epoch, deliveries, ready, notify) =
                (self.epoch, Arc::clone(&self.deliveries), Arc::clone(&self.ready), Arc::clone(&self.ready_changed));
            let task = tokio::spawn(async move {
                let result =
                    run_client(address, &client, resume, epoch, &deliveries, permit, &ready, &notify, stopped).await;
                if client.ready.swap(false, Ordering::Relaxed) {
                    ready.fetch_sub(1, Ordering::Relaxed);
                }
                client.closes.fetch_add(1, Ordering::Relaxed);
                *lock(&client.last_close) = Some(match result {
                    Ok(reason) => reason,
                    Err(error) => format!("{error:#}"),
                });
                notify.notify_waiters();
            });
            lock(&self.tasks).insert(index, task);
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(300);
        while self.ready_count() < target {
            let notified = self.ready_changed.notified();
            if self.ready_count() >= target {
                break;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let failed: Vec<String> = indexes
                    .iter()
                    .filter(|&&i| !self.clients[i].ready.load(Ordering::Relaxed))
                    .take(3)
                    .map(|&i| format!("user {}: {:?}", self.clients[i].user, lock(&self.clients[i].last_close)))
                    .collect();
                anyhow::bail!("{} of {} clients ready after 300 s; e.g. {failed:?}", self.ready_count(), target);
            }
            // A client that ended before `ready` never counts: stop waiting for it.
            let ended = indexes
                .iter()
                .filter(|&&i| {
                    self.clients[i].closes.load(Ordering::Relaxed) > 0 && !self.clients[i].ready.load(Ordering::Relaxed)
                })
                .count();
            if ended > 0 && self.ready_count() + ended >= target {
                let example = indexes
                    .iter()
                    .find(|&&i| self.clients[i].closes.load(Ordering::Relaxed) > 0)
                    .map(|&i| lock(&self.clients[i].last_close).clone());
                anyhow::bail!("{ended} clients closed before `ready`; e.g. {example:?}");
            }
        }
        Ok(())
    }

    /// Closes the clients with these indexes and waits for their tasks.
    pub async fn disconnect(&self, indexes: &[usize]) {
        for index in indexes {
            if let Some(stop) = lock(&self.stops).remove(index) {
                let _ = stop.send(true);
            }
        }
        for index in indexes {
            let task = lock(&self.tasks).remove(index);
            if let Some(task) = task {
                let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
            }
        }
    }

    pub async fn disconnect_all(&self) {
        let all: Vec<usize> = lock(&self.tasks).keys().copied().collect();
        self.disconnect(&all).await;
    }

    /// Clients that are connected and past `ready`.
    pub fn online(&self) -> Vec<usize> {
        (0..self.clients.len()).filter(|&i| self.clients[i].ready.load(Ordering::Relaxed)).collect()
    }
}

type Stream = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn next_text(stream: &mut Stream) -> anyhow::Result<String> {
    loop {
        match stream.next().await {
            Some(Ok(WsMessage::Text(text))) => return Ok(text.as_str().to_owned()),
            Some(Ok(WsMessage::Close(frame))) => anyhow::bail!("closed by the server: {frame:?}"),
            Some(Ok(_)) => continue,
            Some(Err(error)) => return Err(error.into()),
            None => anyhow::bail!("the connection ended"),
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn run_client(
    address: SocketAddr,
    client: &Client,
    resume: bool,
    epoch: Instant,
    deliveries: &AtomicU64,
    permit: tokio::sync::OwnedSemaphorePermit,
    ready: &AtomicUsize,
    notify: &Notify,
    mut stopped: watch::Receiver<bool>,
) -> anyhow::Result<String> {
    // tungstenite zeroes its whole read buffer (128 KiB by default) before every read:
    // frames here are small, so a small buffer saves the clients' share of the CPU.
    let config =
        tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default().read_buffer_size(CLIENT_READ_BUFFER);
    let (mut stream, _) =
        tokio_tungstenite::connect_async_with_config(format!("ws://{address}/api/v1/ws"), Some(config), true).await?;
    let auth = serde_json::to_string(&ClientFrame::Auth { token: client.token.clone() })?;
    stream.send(WsMessage::Text(auth.into())).await?;
    let welcome = next_text(&mut stream).await?;
    let ServerFrame::Welcome { user_seq, .. } = serde_json::from_str(&welcome)? else {
        anyhow::bail!("expected welcome, got {welcome}");
    };
    let (user_seq, chats) = if resume {
        let positions = lock(&client.positions)
            .iter()
            .map(|(&chat, &seq)| ChatPosition { chat_id: parta_domain::ChatId(chat), seq })
            .collect();
        (client.user_seq.load(Ordering::Relaxed) as i64, positions)
    } else {
        client.user_seq.store(user_seq.max(0) as u64, Ordering::Relaxed);
        (user_seq, Vec::new())
    };
    let resume_frame = serde_json::to_string(&ClientFrame::Resume { user_seq, chats })?;
    stream.send(WsMessage::Text(resume_frame.into())).await?;
    // Replayed events come before `ready`: they count like live ones.
    loop {
        let text = next_text(&mut stream).await?;
        if text.starts_with(r#"{"type":"ready""#) {
            break;
        }
        client.on_text(&text, epoch.elapsed().as_nanos() as u64, deliveries);
    }
    drop(permit);
    client.ready.store(true, Ordering::Relaxed);
    ready.fetch_add(1, Ordering::Relaxed);
    notify.notify_waiters();
    loop {
        tokio::select! {
            message = stream.next() => match message {
                Some(Ok(WsMessage::Text(text))) => client.on_text(text.as_str(), epoch.elapsed().as_nanos() as u64, deliveries),
                Some(Ok(WsMessage::Close(frame))) => return Ok(format!("closed by the server: {frame:?}")),
                Some(Ok(_)) => {}
                Some(Err(error)) => return Err(error.into()),
                None => return Ok("the connection ended".into()),
            },
            _ = stopped.changed() => {
                let _ = stream.close(None).await;
                return Ok("closed by the bench".into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parta_domain::{ChatId, UserId};
    use parta_protocol::ChatEvent;

    fn message_frame(chat: i64, seq: i64, body: &str) -> String {
        let mut message = crate::floor::message(9, chat, 3, "k-1".into(), body.into());
        message.seq = seq;
        serde_json::to_string(&ServerFrame::ChatEvent {
            chat_id: ChatId(chat),
            seq,
            event: Box::new(ChatEvent::MessageSent { message }),
        })
        .expect("frame serialises")
    }

    #[test]
    fn the_scan_reads_the_real_wire_frames() {
        let frame = message_frame(42, 7, &body(123_456, 987_654_321));
        assert_eq!(scan(&frame), Some(Seen { chat: 42, seq: 7, message: Some((123_456, 987_654_321)) }));
        let foreign = message_frame(42, 8, "привет, pb:1:2: не в начале");
        assert_eq!(scan(&foreign), Some(Seen { chat: 42, seq: 8, message: None }));
        let read = serde_json::to_string(&ServerFrame::ChatEvent {
            chat_id: ChatId(5),
            seq: 3,
            event: Box::new(ChatEvent::ReadUpTo { user_id: UserId(1), seq: 2 }),
        })
        .expect("frame serialises");
        assert_eq!(scan(&read), Some(Seen { chat: 5, seq: 3, message: None }));
        assert_eq!(scan(&serde_json::to_string(&ServerFrame::Ready).expect("frame serialises")), None);
    }

    #[test]
    fn the_journal_scan_reads_the_real_user_event_frame() {
        let frame = serde_json::to_string(&ServerFrame::UserEvent {
            seq: 12,
            event: parta_protocol::UserEvent::JournalChanged {
                org_id: parta_domain::OrgId(3),
                student_id: UserId(77),
                lesson_id: parta_domain::LessonId(4_321),
                date: "2026-12-09".into(),
            },
        })
        .expect("frame serialises");
        assert_eq!(scan_journal(&frame), Some((77, 4_321)));
        assert_eq!(scan(&frame), None);
        let client = Client::new(77, "t".into());
        client.on_text(&frame, 5_000, &AtomicU64::new(0));
        let stats = client.take_stats();
        assert_eq!(stats.journal, [JournalSeen { student: 77, lesson: 4_321, at_ns: 5_000 }]);
        assert_eq!(stats.other_frames, 0);
        let added = serde_json::to_string(&ServerFrame::UserEvent {
            seq: 13,
            event: parta_protocol::UserEvent::ChatRemoved { chat_id: ChatId(5) },
        })
        .expect("frame serialises");
        assert_eq!(scan_journal(&added), None);
    }

    #[test]
    fn clients_count_latency_doubles_gaps_and_repeats() {
        let client = Client::new(1, "t".into());
        let deliveries = AtomicU64::new(0);
        client.on_text(&message_frame(42, 1, &body(1, 1_000_000)), 3_000_000, &deliveries);
        client.on_text(&message_frame(42, 2, &body(2, 2_000_000)), 3_000_000, &deliveries);
        client.on_text(&message_frame(42, 2, &body(2, 2_000_000)), 4_000_000, &deliveries);
        client.on_text(&message_frame(42, 5, &body(3, 2_000_000)), 4_000_000, &deliveries);
        client.on_text(r#"{"type":"typing","chat_id":42,"user_id":3}"#, 4_000_000, &deliveries);
        let stats = client.take_stats();
        assert_eq!(deliveries.load(Ordering::Relaxed), 3);
        assert_eq!(stats.received.len(), 3);
        assert_eq!(stats.duplicates, 1);
        assert_eq!(stats.repeats, 1);
        assert_eq!(stats.gaps, 1);
        assert_eq!(stats.other_frames, 1);
        assert_eq!(stats.samples, [(1, 2_000), (2, 1_000), (3, 2_000)]);
        assert_eq!(lock(&client.positions).get(&42), Some(&5));
        assert_eq!(client.take_stats().received.len(), 0);
    }
}
