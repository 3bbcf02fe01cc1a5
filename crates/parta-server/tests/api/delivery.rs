//! Delivery under stress, over real WebSockets.
//!
//! - Readers dropped at random points (abrupt, reset, torn mid-stream, after a pause,
//!   closed cleanly, before `resume`) while messages stream in resume from their last
//!   position with no gap and no double. The seed (`PARTA_TEST_SEED`) fixes the drop
//!   plan (after how many frames and how); the interleaving with the writers is the
//!   machine's.
//! - Fan-out reaches exactly the people the directory implies, computed here from the
//!   school the test built, before and after a transfer, two leavers and a change of
//!   class teacher.
//! - A consumer that stops reading is cut off once its queue is full, while a steady
//!   reader misses nothing; resuming from its last position it gets the rest once.
//!   Large messages fill the (small) socket buffers; typing frames, which cost no
//!   write, fill the 1,024-frame queue quickly.
//! - The test client skips frames of a type it does not know (typing, and whatever
//!   the server learns to send later) and counts them; known frames that are wrong
//!   (a gap, a double, another chat's event) still fail. A reader resuming while
//!   others type gets every stored event once.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;

use crate::on_both_backends;
use crate::support::{PASSWORD, Person, Rng, TestApp, test_seed};

on_both_backends!(
    readers_dropped_at_random_resume_without_gaps_or_doubles,
    fan_out_reaches_exactly_whom_the_directory_implies,
    a_slow_consumer_is_cut_off_and_catches_up_from_the_log,
    a_chat_added_while_away_is_replayed_from_its_from_seq,
    a_reader_resuming_while_others_type_gets_every_event_once,
);

/// How long a socket may stay silent while something is still due to it.
const STALL: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------
// A WebSocket client that can also misbehave: stop reading, tear the stream, reset.
// ---------------------------------------------------------------------------

struct Client {
    ws: WebSocketStream<TcpStream>,
    /// Frames of a type this client does not know, in the order they came: skipped
    /// by `next`, kept here to be counted.
    ignored: Vec<Value>,
}

/// The frame types this client understands. Any other (typing, which these readers
/// have no use for, or a type added later) is skipped, as a real client must.
const KNOWN_FRAMES: [&str; 6] = ["welcome", "chat_event", "user_event", "ready", "resync", "error"];

#[derive(Debug)]
enum Got {
    Frame(Value),
    /// The close code (1006: the connection ended without a close frame).
    Closed(u16),
}

impl Client {
    /// Connects (with a fixed receive buffer when asked, which also stops the kernel
    /// from growing it) and authenticates; returns the `welcome` frame.
    async fn open(address: SocketAddr, token: &str, receive_buffer: Option<u32>) -> (Client, Value) {
        let socket = TcpSocket::new_v4().expect("tcp socket");
        if let Some(size) = receive_buffer {
            socket.set_recv_buffer_size(size).expect("SO_RCVBUF");
        }
        let stream = socket.connect(address).await.expect("tcp connects");
        let (ws, _) = tokio_tungstenite::client_async(format!("ws://{address}/api/v1/ws"), stream)
            .await
            .expect("websocket handshake");
        let mut client = Client { ws, ignored: Vec::new() };
        client.send(json!({ "type": "auth", "token": token })).await;
        let welcome = client.frame().await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        (client, welcome)
    }

    async fn send(&mut self, frame: Value) {
        self.ws.send(WsMessage::Text(frame.to_string().into())).await.expect("ws send");
    }

    /// The next frame of a known type or the end of the connection; `None` when
    /// neither came within `wait`. Frames of other types go to `ignored`.
    async fn next(&mut self, wait: Duration) -> Option<Got> {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            match tokio::time::timeout(left, self.ws.next()).await.ok()? {
                Some(Ok(WsMessage::Text(text))) => {
                    let frame: Value = serde_json::from_str(&text).expect("json frame");
                    let kind = frame["type"].as_str().unwrap_or_else(|| panic!("a frame without a type: {frame}"));
                    if !KNOWN_FRAMES.contains(&kind) {
                        self.ignored.push(frame);
                        continue;
                    }
                    return Some(Got::Frame(frame));
                }
                Some(Ok(WsMessage::Close(frame))) => {
                    return Some(Got::Closed(frame.map_or(1005, |f| u16::from(f.code))));
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Some(Got::Closed(1006)),
            }
        }
    }

    /// How many frames of `kind` were skipped as unknown.
    fn ignored_of(&self, kind: &str) -> usize {
        self.ignored.iter().filter(|frame| frame["type"] == kind).count()
    }

    /// The next frame, which must come.
    async fn frame(&mut self) -> Value {
        match self.next(STALL).await {
            Some(Got::Frame(frame)) => frame,
            other => panic!("expected a frame, got {other:?}"),
        }
    }

    /// Sends `resume` from these positions and returns the chat events replayed before `ready`.
    async fn resume(&mut self, user_seq: i64, positions: &BTreeMap<i64, i64>) -> Vec<(i64, Event)> {
        self.send(resume_frame(user_seq, positions)).await;
        let mut events = Vec::new();
        loop {
            let frame = self.frame().await;
            match frame["type"].as_str() {
                Some("ready") => return events,
                Some("chat_event") => events.push(chat_event(&frame)),
                _ => panic!("unexpected frame before `ready`: {frame}"),
            }
        }
    }
}

fn resume_frame(user_seq: i64, positions: &BTreeMap<i64, i64>) -> Value {
    let chats: Vec<Value> = positions.iter().map(|(chat, seq)| json!({ "chat_id": chat, "seq": seq })).collect();
    json!({ "type": "resume", "user_seq": user_seq, "chats": chats })
}

/// One chat event as received: its position, its type, and the message it carries.
#[derive(Debug, Clone, PartialEq)]
struct Event {
    seq: i64,
    kind: String,
    message: Option<(i64, String)>,
}

/// `(chat, event)` of a `chat_event` frame.
fn chat_event(frame: &Value) -> (i64, Event) {
    let chat = frame["chat_id"].as_i64().unwrap_or_else(|| panic!("no chat_id in {frame}"));
    let seq = frame["seq"].as_i64().unwrap_or_else(|| panic!("no seq in {frame}"));
    let event = &frame["event"];
    let message = &event["message"];
    let message = message["id"].as_i64().map(|id| (id, message["body"].as_str().unwrap_or_default().to_owned()));
    (chat, Event { seq, kind: event["type"].as_str().unwrap_or_default().to_owned(), message })
}

/// Asserts that `got` holds exactly the positions `after+1..=until`, once each and in
/// order, and that wherever a message was sent (`sent`: position → id and body) it is
/// that message.
#[track_caller]
fn assert_exactly(
    who: &str,
    chat: i64,
    got: &[Event],
    after: i64,
    until: i64,
    sent: &BTreeMap<i64, (i64, String)>,
    context: &str,
) {
    let seqs: Vec<i64> = got.iter().map(|e| e.seq).collect();
    let due: Vec<i64> = (after + 1..=until).collect();
    if seqs != due {
        let at = seqs.iter().zip(&due).position(|(a, b)| a != b).unwrap_or(seqs.len().min(due.len()));
        let around = |list: &[i64]| list[at.saturating_sub(3)..(at + 4).min(list.len())].to_vec();
        panic!(
            "{who}, chat {chat}: received positions are not exactly {}..={until}: first difference at index {at}, \
             received …{:?}… where …{:?}… was due ({} received, {} due); {context}",
            after + 1,
            around(&seqs),
            around(&due),
            seqs.len(),
            due.len(),
        );
    }
    for event in got {
        if let Some((id, body)) = sent.get(&event.seq) {
            assert!(
                event.kind == "message_sent" && event.message.as_ref() == Some(&(*id, body.clone())),
                "{who}, chat {chat}, position {}: expected message {id} as sent, received {event:?}; {context}",
                event.seq
            );
        }
    }
}

async fn chat_list(app: &TestApp, token: &str, org: i64) -> Vec<Value> {
    app.get(&format!("/api/v1/chats?org_id={org}")).token(token).send().await.expect(200).list().clone()
}

fn find_chat(chats: &[Value], kind: &str, class: Option<i64>) -> i64 {
    chats
        .iter()
        .find(|c| c["kind"] == kind && (class.is_none() || c["class_id"] == json!(class)))
        .and_then(|c| c["id"].as_i64())
        .unwrap_or_else(|| panic!("no {kind} chat (class {class:?}) in {chats:?}"))
}

async fn last_seq(app: &TestApp, token: &str, chat: i64) -> i64 {
    app.get(&format!("/api/v1/chats/{chat}")).token(token).send().await.expect(200).json["last_seq"]
        .as_i64()
        .expect("last_seq")
}

/// Posts a message, which must be stored and delivered now (not held for quiet hours);
/// returns its position and id.
async fn post(app: &TestApp, token: &str, chat: i64, key: &str, body: &str) -> (i64, i64) {
    let reply = app
        .post(&format!("/api/v1/chats/{chat}/messages"))
        .token(token)
        .json(json!({ "client_msg_id": key, "body": body }))
        .send()
        .await
        .expect(201);
    assert!(reply.json["held_until"].is_null(), "held: {}", reply.json);
    assert_eq!(reply.json["body"], body);
    (reply.json["seq"].as_i64().expect("seq"), reply.id())
}

// ---------------------------------------------------------------------------
// 1. Randomized drop and resume.
// ---------------------------------------------------------------------------

const MESSAGES_PER_CHAT: usize = 100;
/// A reader handles between one and this many frames on a connection before it drops it.
const MOST_FRAMES_PER_CONNECTION: u64 = 10;

/// How the connections of one reader ended.
#[derive(Debug, Default, Clone, Copy)]
struct Drops {
    connections: u32,
    /// After `welcome`, before `resume`.
    before_resume: u32,
    /// The socket is dropped: FIN, frames in flight lost.
    abrupt: u32,
    /// `SO_LINGER` 0: the kernel answers with RST.
    reset: u32,
    /// Some raw bytes are read past the WebSocket layer, then dropped: a frame torn apart.
    torn: u32,
    /// Of those, how many actually had bytes to tear.
    torn_bytes: u32,
    /// A random pause of up to 2 ms (frames keep coming), then dropped.
    linger: u32,
    /// A clean WebSocket close between frames.
    close: u32,
    /// Drops that happened while the writers were still sending.
    while_writing: u32,
    /// Connections the server ended (none are expected here).
    server_closed: u32,
    /// The last connection, closed by the reader once it had everything (none when
    /// its last drop came just before the final positions were known).
    finished: u32,
}

impl Drops {
    fn disconnects(&self) -> u32 {
        self.before_resume + self.abrupt + self.reset + self.torn + self.linger + self.close
    }

    fn add(&mut self, other: &Drops) {
        self.connections += other.connections;
        self.before_resume += other.before_resume;
        self.abrupt += other.abrupt;
        self.reset += other.reset;
        self.torn += other.torn;
        self.torn_bytes += other.torn_bytes;
        self.linger += other.linger;
        self.close += other.close;
        self.while_writing += other.while_writing;
        self.server_closed += other.server_closed;
        self.finished += other.finished;
    }
}

struct Reader {
    name: String,
    token: String,
    address: SocketAddr,
    chats: Vec<i64>,
    rng: Rng,
    writing: Arc<AtomicBool>,
    /// The chats' final positions, once the writers are done.
    finals: watch::Receiver<Option<BTreeMap<i64, i64>>>,
}

struct ReaderLog {
    name: String,
    got: BTreeMap<i64, Vec<Event>>,
    drops: Drops,
}

fn caught_up(positions: &BTreeMap<i64, i64>, finals: &Option<BTreeMap<i64, i64>>) -> bool {
    finals.as_ref().is_some_and(|finals| finals.iter().all(|(chat, last)| positions.get(chat) >= Some(last)))
}

/// Reads the chats from position 0, dropping the connection after a random number of
/// frames in a random way and resuming from the last position received, until the
/// writers are done and everything up to the final positions has arrived.
async fn drop_and_resume(mut reader: Reader) -> ReaderLog {
    let mut positions: BTreeMap<i64, i64> = reader.chats.iter().map(|&chat| (chat, 0)).collect();
    let mut got: BTreeMap<i64, Vec<Event>> = reader.chats.iter().map(|&chat| (chat, Vec::new())).collect();
    let mut user_seq: Option<i64> = None;
    let mut drops = Drops::default();
    'connections: loop {
        if caught_up(&positions, &reader.finals.borrow()) {
            break;
        }
        let (mut client, welcome) = Client::open(reader.address, &reader.token, None).await;
        drops.connections += 1;
        let seq = *user_seq.get_or_insert(welcome["user_seq"].as_i64().expect("user_seq"));
        if reader.rng.below(20) == 0 {
            drops.before_resume += 1;
            drops.while_writing += u32::from(reader.writing.load(Ordering::SeqCst));
            drop(client);
            continue;
        }
        client.send(resume_frame(seq, &positions)).await;
        let budget = reader.rng.between(1, MOST_FRAMES_PER_CONNECTION);
        let mut handled = 0;
        loop {
            let finals_known = reader.finals.borrow().is_some();
            let next = tokio::select! {
                next = client.next(STALL) => next,
                _ = reader.finals.changed(), if !finals_known => {
                    if caught_up(&positions, &reader.finals.borrow()) {
                        let _ = client.ws.close(None).await;
                        drops.finished += 1;
                        break 'connections;
                    }
                    continue;
                }
            };
            match next {
                None => panic!("{}: nothing came for {STALL:?} at positions {positions:?}", reader.name),
                Some(Got::Closed(code)) => {
                    eprintln!("{}: the server closed the connection with {code}", reader.name);
                    drops.server_closed += 1;
                    continue 'connections;
                }
                Some(Got::Frame(frame)) => match frame["type"].as_str() {
                    Some("chat_event") => {
                        let (chat, event) = chat_event(&frame);
                        let position = positions
                            .get_mut(&chat)
                            .unwrap_or_else(|| panic!("{}: an event of another chat: {frame}", reader.name));
                        *position = (*position).max(event.seq);
                        got.entry(chat).or_default().push(event);
                    }
                    Some("user_event") => user_seq = frame["seq"].as_i64(),
                    Some("ready") => {}
                    _ => panic!("{}: unexpected frame {frame}", reader.name),
                },
            }
            handled += 1;
            if caught_up(&positions, &reader.finals.borrow()) {
                let _ = client.ws.close(None).await;
                drops.finished += 1;
                break 'connections;
            }
            if handled >= budget {
                disconnect(client, &mut reader.rng, &mut drops, reader.writing.load(Ordering::SeqCst)).await;
                continue 'connections;
            }
        }
    }
    ReaderLog { name: reader.name, got, drops }
}

/// Ends a connection from the client's side in one of several ways.
async fn disconnect(mut client: Client, rng: &mut Rng, drops: &mut Drops, writing: bool) {
    drops.while_writing += u32::from(writing);
    match rng.below(100) {
        0..30 => drops.abrupt += 1,
        30..45 => {
            drops.reset += 1;
            client.ws.get_ref().set_zero_linger().expect("SO_LINGER");
        }
        45..65 => {
            // The WebSocket layer has taken what had arrived; wait (briefly) for the
            // next bytes and take a few of them past it, leaving a frame cut short.
            drops.torn += 1;
            let mut bytes = [0u8; 64];
            let take = usize::try_from(rng.between(1, 64)).unwrap_or(1);
            let tcp = client.ws.get_mut();
            if tokio::time::timeout(Duration::from_millis(50), tcp.readable()).await.is_ok()
                && tcp.try_read(&mut bytes[..take]).is_ok_and(|n| n > 0)
            {
                drops.torn_bytes += 1;
            }
        }
        65..75 => {
            drops.linger += 1;
            tokio::time::sleep(Duration::from_micros(rng.between(0, 2000))).await;
        }
        _ => {
            drops.close += 1;
            let _ = client.ws.close(None).await;
        }
    }
    drop(client);
}

async fn readers_dropped_at_random_resume_without_gaps_or_doubles(app: TestApp) {
    let seed = test_seed();
    let backend = app.backend;
    eprintln!("delivery drop/resume on {backend:?}: seed {seed} (PARTA_TEST_SEED={seed} repeats the drop plan)");
    let context = format!("seed {seed} on {backend:?}");
    let mut rng = Rng(seed);
    let app = app.with_settings(|s| s.messages_per_minute = 1_000_000);
    let school = app.school(401).await;
    // Six readers: three teachers, each with two sessions; all sit in the three chats.
    let mut sessions = Vec::new();
    for name in ["Дроздова", "Журавлёв", "Синицына"] {
        let teacher = app.join(&school, school.staff_room, "teacher", None, name).await;
        let second = app.login(&teacher.email, PASSWORD).await;
        sessions.push((format!("{name}/1"), teacher.token));
        sessions.push((format!("{name}/2"), second));
    }
    let listed = chat_list(&app, &school.admin, school.org).await;
    let chats: Vec<i64> = ["staff_room", "staff_channel", "school_channel"]
        .into_iter()
        .map(|kind| find_chat(&listed, kind, None))
        .collect();
    let mut heads = BTreeMap::new();
    for &chat in &chats {
        heads.insert(chat, last_seq(&app, &school.admin, chat).await);
    }
    let address = app.serve().await;
    let writing = Arc::new(AtomicBool::new(true));
    let (finals_sender, finals) = watch::channel(None);
    let started = Instant::now();
    let readers: Vec<_> = sessions
        .into_iter()
        .map(|(name, token)| {
            tokio::spawn(drop_and_resume(Reader {
                name,
                token,
                address,
                chats: chats.clone(),
                rng: rng.fork(),
                writing: Arc::clone(&writing),
                finals: finals.clone(),
            }))
        })
        .collect();

    // One writer per chat, all at once, over HTTP.
    let writers = chats.iter().enumerate().map(|(index, &chat)| {
        let mut rng = rng.fork();
        let (app, admin) = (&app, &school.admin);
        async move {
            let mut sent = BTreeMap::new();
            for n in 0..MESSAGES_PER_CHAT {
                let words = rng.between(0, 40) as usize;
                let body = format!("Чат {index}, сообщение {n}{}", " слово".repeat(words));
                let (seq, id) = post(app, admin, chat, &format!("w{index}-{n}"), &body).await;
                sent.insert(seq, (id, body));
                // Paced, not flat out: the readers' drops must meet the writing however fast sends are.
                tokio::time::sleep(Duration::from_micros(rng.between(5_000, 35_000))).await;
            }
            (chat, sent)
        }
    });
    let written: BTreeMap<i64, BTreeMap<i64, (i64, String)>> =
        futures_util::future::join_all(writers).await.into_iter().collect();
    writing.store(false, Ordering::SeqCst);
    let writing_took = started.elapsed();
    let mut final_positions = BTreeMap::new();
    for &chat in &chats {
        let last = last_seq(&app, &school.admin, chat).await;
        // The writers took the chat's next positions, one after another.
        let taken: Vec<i64> = written[&chat].keys().copied().collect();
        assert_eq!(taken, (heads[&chat] + 1..=last).collect::<Vec<_>>(), "chat {chat}: writers' positions");
        final_positions.insert(chat, last);
    }
    finals_sender.send_replace(Some(final_positions.clone()));
    let mut logs = Vec::new();
    for reader in readers {
        let log = tokio::time::timeout(Duration::from_secs(60), reader)
            .await
            .unwrap_or_else(|_| panic!("readers did not catch up within a minute; {context}"))
            .expect("reader task");
        logs.push(log);
    }
    let elapsed = started.elapsed();
    // The server noticed every one of those ends: no connection is left behind.
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.state.hub.connections() > 0 {
        assert!(
            Instant::now() < deadline,
            "{} connections still open on the server after every reader left; {context}",
            app.state.hub.connections()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // Every reader received every position of every chat from the first, exactly once and in order.
    let mut total = Drops::default();
    for log in &logs {
        for &chat in &chats {
            assert_exactly(&log.name, chat, &log.got[&chat], 0, final_positions[&chat], &written[&chat], &context);
        }
        let drops = log.drops;
        assert_eq!(drops.server_closed, 0, "{}: the server ended connections; {context}", log.name);
        assert_eq!(
            drops.connections,
            drops.disconnects() + drops.finished,
            "{}: every connection was dropped by the reader, or closed when all had come; {context}",
            log.name
        );
        assert!(drops.disconnects() >= 20, "{}: only {} disconnects; {context}", log.name, drops.disconnects());
        total.add(&drops);
    }
    let messages: usize = written.values().map(BTreeMap::len).sum();
    eprintln!(
        "delivery drop/resume on {backend:?}: {messages} messages into {} chats in {writing_took:?}; {} readers, \
         {} disconnects ({} while writing: {} abrupt, {} reset, {} torn ({} with bytes torn), {} after a pause, \
         {} closed, {} before resume), {} connections; {elapsed:?} in all",
        chats.len(),
        logs.len(),
        total.disconnects(),
        total.while_writing,
        total.abrupt,
        total.reset,
        total.torn,
        total.torn_bytes,
        total.linger,
        total.close,
        total.before_resume,
        total.connections,
    );
    assert!(total.disconnects() >= 200, "{} disconnects in all; {context}", total.disconnects());
    assert!(total.while_writing >= 100, "only {} disconnects while writing; {context}", total.while_writing);
    for (way, count) in [
        ("abrupt", total.abrupt),
        ("reset", total.reset),
        ("torn", total.torn),
        ("pause", total.linger),
        ("close", total.close),
        ("before resume", total.before_resume),
    ] {
        assert!(count > 0, "no {way} disconnect happened; {context}");
    }
}

// ---------------------------------------------------------------------------
// 2. Fan-out against an oracle computed from the directory the test built.
// ---------------------------------------------------------------------------

/// A chat of the school, named by what it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum SchoolChat {
    Class(i64),
    Parents(i64),
    ClassTeachers(i64),
    StaffRoom,
    SchoolChannel,
    StaffChannel,
}

/// The school as the test built it, kept by the test alone.
#[derive(Debug, Default, Clone)]
struct Directory {
    /// Everyone who works at the school, admins included.
    staff: BTreeSet<i64>,
    /// Student → class.
    students: BTreeMap<i64, i64>,
    /// Parent → children.
    children: BTreeMap<i64, BTreeSet<i64>>,
    /// Teacher → classes they teach (a class teacher teaches their class too).
    teaches: BTreeMap<i64, BTreeSet<i64>>,
    /// Class → its class teachers.
    leads: BTreeMap<i64, BTreeSet<i64>>,
}

impl Directory {
    /// Who should hear what is said in `room`, by the rules of the school.
    fn audience(&self, room: SchoolChat) -> BTreeSet<i64> {
        let leads = |class: i64| self.leads.get(&class).cloned().unwrap_or_default();
        let students_of = |class: i64| self.students.iter().filter(move |(_, c)| **c == class).map(|(s, _)| *s);
        match room {
            SchoolChat::Class(class) => leads(class).into_iter().chain(students_of(class)).collect(),
            SchoolChat::Parents(class) => {
                let children: BTreeSet<i64> = students_of(class).collect();
                let parents = self
                    .children
                    .iter()
                    .filter(|(_, kids)| kids.iter().any(|kid| children.contains(kid)))
                    .map(|(parent, _)| *parent);
                leads(class).into_iter().chain(parents).collect()
            }
            SchoolChat::ClassTeachers(class) => {
                let teachers =
                    self.teaches.iter().filter(|(_, classes)| classes.contains(&class)).map(|(teacher, _)| *teacher);
                leads(class).into_iter().chain(teachers).collect()
            }
            SchoolChat::StaffRoom | SchoolChat::StaffChannel => self.staff.clone(),
            SchoolChat::SchoolChannel => {
                // Staff, students, and parents with a child at the school.
                let parents = self
                    .children
                    .iter()
                    .filter(|(_, kids)| kids.iter().any(|kid| self.students.contains_key(kid)))
                    .map(|(parent, _)| *parent);
                self.staff.iter().copied().chain(self.students.keys().copied()).chain(parents).collect()
            }
        }
    }

    fn lead(&mut self, class: i64, teacher: i64) {
        self.leads.entry(class).or_default().insert(teacher);
        self.teaches.entry(teacher).or_default().insert(class);
    }
}

/// One message posted in the fan-out test.
struct Posted {
    id: i64,
    room: SchoolChat,
    label: String,
}

async fn accept(app: &TestApp, who: &Person, invite: String) {
    let joined = app
        .post("/api/v1/invites/accept")
        .token(&who.token)
        .json(json!({ "consent_version": parta_domain::consent::VERSION, "token": invite }))
        .send()
        .await
        .expect(200);
    assert_eq!(joined.json["status"], "joined");
}

async fn started_on(app: &TestApp, who: &Person) -> Value {
    app.me(&who.token).await["schools"][0]["places"][0]["started_on"].clone()
}

/// Reads every socket until `until` says its stream is complete, recording which
/// person received each `message_sent` (by message id).
async fn collect(
    sockets: &mut BTreeMap<i64, Client>,
    received: &mut BTreeMap<i64, Vec<i64>>,
    names: &BTreeMap<i64, String>,
    mut until: impl FnMut(&Got) -> bool,
) {
    for (person, socket) in sockets.iter_mut() {
        loop {
            let got = socket
                .next(STALL)
                .await
                .unwrap_or_else(|| panic!("{}: the stream did not complete within {STALL:?}", names[person]));
            if let Got::Frame(frame) = &got
                && frame["type"] == "chat_event"
                && frame["event"]["type"] == "message_sent"
            {
                let id = frame["event"]["message"]["id"].as_i64().expect("message id");
                received.entry(id).or_default().push(*person);
            }
            if until(&got) {
                break;
            }
            if let Got::Closed(code) = got {
                panic!("{}: the socket closed early with {code}", names[person]);
            }
        }
    }
}

/// Compares who received each message with its room's audience; lists every difference.
#[track_caller]
fn assert_audiences(
    phase: &str,
    posted: &[Posted],
    directory: &Directory,
    received: &BTreeMap<i64, Vec<i64>>,
    names: &BTreeMap<i64, String>,
) {
    let named = |ids: &BTreeSet<i64>| ids.iter().map(|id| names[id].clone()).collect::<Vec<_>>().join(", ");
    let mut problems = Vec::new();
    for message in posted {
        let list = received.get(&message.id).cloned().unwrap_or_default();
        let heard: BTreeSet<i64> = list.iter().copied().collect();
        if heard.len() != list.len() {
            problems.push(format!("{}: someone received it twice: {list:?}", message.label));
        }
        let due = directory.audience(message.room);
        let missing: BTreeSet<i64> = due.difference(&heard).copied().collect();
        let extra: BTreeSet<i64> = heard.difference(&due).copied().collect();
        if !missing.is_empty() || !extra.is_empty() {
            problems.push(format!(
                "{} ({:?}): missing [{}], not meant for [{}]",
                message.label,
                message.room,
                named(&missing),
                named(&extra)
            ));
        }
    }
    assert!(problems.is_empty(), "{phase}: fan-out differs from the directory:\n{}", problems.join("\n"));
}

async fn fan_out_reaches_exactly_whom_the_directory_implies(app: TestApp) {
    let (backend, started) = (app.backend, Instant::now());
    let school = app.school(402).await;
    let org = school.org;
    let admin = Person { id: school.admin_id, token: school.admin.clone(), email: String::new() };
    let mut directory = Directory::default();
    let mut names: BTreeMap<i64, String> = BTreeMap::from([(admin.id, "админ".to_owned())]);
    directory.staff.insert(admin.id);
    let a = app.create_class(&school, "5А", 5).await;
    let b = app.create_class(&school, "5Б", 5).await;
    let c = app.create_class(&school, "7В", 7).await;

    macro_rules! person {
        ($class:expr, $role:expr, $child:expr, $name:expr) => {{
            let person = app.join(&school, $class, $role, $child, $name).await;
            names.insert(person.id, $name.to_owned());
            person
        }};
    }
    // Class teachers, each from the staff room.
    let mut leads = Vec::new();
    for (class, name) in [(a, "Алексеева"), (b, "Борисов"), (c, "Васильева")] {
        let lead = person!(school.staff_room, "teacher", None, name);
        app.assign_class_teacher(&school, class, lead.id).await;
        directory.staff.insert(lead.id);
        directory.lead(class, lead.id);
        leads.push(lead);
    }
    let [la, lb, lc] = &leads[..] else { unreachable!("three class teachers") };
    // Subject teachers: one teaches 5А and 5Б, one 7В.
    let t1 = person!(a, "teacher", None, "Предметников");
    accept(&app, &t1, app.invite(&school.admin, org, json!({ "class_id": b, "role": "teacher" })).await).await;
    let t2 = person!(c, "teacher", None, "Химикова");
    for (teacher, classes) in [(&t1, vec![a, b]), (&t2, vec![c])] {
        directory.staff.insert(teacher.id);
        directory.teaches.insert(teacher.id, classes.into_iter().collect());
    }
    let employee = person!(school.staff_room, "employee", None, "Бухгалтерова");
    directory.staff.insert(employee.id);
    // Students.
    let sa1 = person!(a, "student", None, "Аникин");
    let sa2 = person!(a, "student", None, "Архипова");
    let sb1 = person!(b, "student", None, "Белов");
    let sc1 = person!(c, "student", None, "Волкова");
    let sc2 = person!(c, "student", None, "Воронин");
    for (student, class) in [(&sa1, a), (&sa2, a), (&sb1, b), (&sc1, c), (&sc2, c)] {
        directory.students.insert(student.id, class);
    }
    // Parents: one with a child in 5А and another in 7В.
    let p1 = person!(a, "parent", Some(sa1.id), "Аникина");
    accept(
        &app,
        &p1,
        app.invite(&school.admin, org, json!({ "class_id": c, "role": "parent", "child_user_id": sc1.id })).await,
    )
    .await;
    let p2 = person!(a, "parent", Some(sa2.id), "Архипов");
    let p3 = person!(b, "parent", Some(sb1.id), "Белова");
    let p4 = person!(c, "parent", Some(sc2.id), "Воронина");
    for (parent, kids) in [(&p1, vec![sa1.id, sc1.id]), (&p2, vec![sa2.id]), (&p3, vec![sb1.id]), (&p4, vec![sc2.id])] {
        directory.children.insert(parent.id, kids.into_iter().collect());
    }
    let everyone: Vec<&Person> = [&admin, la, lb, lc, &t1, &t2, &employee, &sa1, &sa2, &sb1, &sc1, &sc2]
        .into_iter()
        .chain([&p1, &p2, &p3, &p4])
        .collect();

    // Chat ids only: the admin's list for the school-wide chats, each class teacher's for their class.
    let mut rooms: BTreeMap<SchoolChat, i64> = BTreeMap::new();
    let listed = chat_list(&app, &school.admin, org).await;
    rooms.insert(SchoolChat::StaffRoom, find_chat(&listed, "staff_room", None));
    rooms.insert(SchoolChat::SchoolChannel, find_chat(&listed, "school_channel", None));
    rooms.insert(SchoolChat::StaffChannel, find_chat(&listed, "staff_channel", None));
    for (lead, class) in [(la, a), (lb, b), (lc, c)] {
        let listed = chat_list(&app, &lead.token, org).await;
        rooms.insert(SchoolChat::Class(class), find_chat(&listed, "class", Some(class)));
        rooms.insert(SchoolChat::Parents(class), find_chat(&listed, "parents", Some(class)));
        rooms.insert(SchoolChat::ClassTeachers(class), find_chat(&listed, "class_teachers", Some(class)));
    }
    assert_eq!(rooms.values().collect::<BTreeSet<_>>().len(), 12, "twelve distinct chats: {rooms:?}");

    let address = app.serve().await;
    let mut sockets = BTreeMap::new();
    for person in &everyone {
        let (mut client, welcome) = Client::open(address, &person.token, None).await;
        let replayed = client.resume(welcome["user_seq"].as_i64().expect("user_seq"), &BTreeMap::new()).await;
        assert!(replayed.is_empty(), "{replayed:?}");
        sockets.insert(person.id, client);
    }
    let mut received: BTreeMap<i64, Vec<i64>> = BTreeMap::new();

    // Phase 1: someone allowed speaks in every chat.
    let mut posted = Vec::new();
    let phase_one: [(SchoolChat, &Person); 12] = [
        (SchoolChat::Class(a), &sa1),
        (SchoolChat::Class(b), lb),
        (SchoolChat::Class(c), &sc2),
        (SchoolChat::Parents(a), &p1),
        (SchoolChat::Parents(b), &p3),
        (SchoolChat::Parents(c), lc),
        (SchoolChat::ClassTeachers(a), &t1),
        (SchoolChat::ClassTeachers(b), &t1),
        (SchoolChat::ClassTeachers(c), &t2),
        (SchoolChat::StaffRoom, &employee),
        (SchoolChat::SchoolChannel, &admin),
        (SchoolChat::StaffChannel, &admin),
    ];
    for (n, (room, by)) in phase_one.into_iter().enumerate() {
        let label = format!("1/{room:?} by {}", names[&by.id]);
        let (_, id) = post(&app, &by.token, rooms[&room], &format!("one-{n}"), &label).await;
        posted.push(Posted { id, room, label });
    }
    // A sentinel everyone hears, published after all of the above: when it arrives, they have.
    let (_, sentinel) =
        post(&app, &admin.token, rooms[&SchoolChat::SchoolChannel], "one-end", "конец первой части").await;
    posted.push(Posted { id: sentinel, room: SchoolChat::SchoolChannel, label: "sentinel 1".into() });
    collect(
        &mut sockets,
        &mut received,
        &names,
        |got| matches!(got, Got::Frame(f) if f["event"]["message"]["id"] == sentinel),
    )
    .await;
    assert_audiences("phase 1", &posted, &directory, &received, &names);
    let phase_one_ids: Vec<i64> = posted.iter().map(|p| p.id).collect();

    // Phase 2: the directory changes.
    // A student of 5А moves to 5Б; their parent follows (and keeps the child in 7В).
    app.post(&format!("/api/v1/orgs/{org}/members/{}/transfer", sa1.id))
        .token(&school.admin)
        .json(json!({ "to_class_id": b }))
        .send()
        .await
        .expect(200);
    directory.students.insert(sa1.id, b);
    // The subject teacher of 5А and 5Б leaves the school.
    let on = started_on(&app, &t1).await;
    app.post(&format!("/api/v1/orgs/{org}/members/{}/leave", t1.id))
        .token(&school.admin)
        .json(json!({ "on": on }))
        .send()
        .await
        .expect(204);
    directory.staff.remove(&t1.id);
    directory.teaches.remove(&t1.id);
    // A student of 7В leaves; their parent, with no other child here, goes too.
    let on = started_on(&app, &sc2).await;
    app.post(&format!("/api/v1/orgs/{org}/members/{}/leave", sc2.id))
        .token(&school.admin)
        .json(json!({ "on": on }))
        .send()
        .await
        .expect(204);
    directory.students.remove(&sc2.id);
    // 7В changes class teacher: the former one still teaches there.
    app.delete(&format!("/api/v1/orgs/{org}/classes/{c}/class-teachers/{}", lc.id))
        .token(&school.admin)
        .send()
        .await
        .expect(200);
    directory.leads.remove(&c);
    app.assign_class_teacher(&school, c, lb.id).await;
    directory.lead(c, lb.id);

    let mut posted = Vec::new();
    let phase_two: [(SchoolChat, &Person); 12] = [
        (SchoolChat::Class(a), &sa2),
        (SchoolChat::Class(b), &sa1),
        (SchoolChat::Class(c), &sc1),
        (SchoolChat::Parents(a), &p2),
        (SchoolChat::Parents(b), &p1),
        (SchoolChat::Parents(c), lb),
        (SchoolChat::ClassTeachers(a), la),
        (SchoolChat::ClassTeachers(b), lb),
        (SchoolChat::ClassTeachers(c), lc),
        (SchoolChat::StaffRoom, &employee),
        (SchoolChat::SchoolChannel, &admin),
        (SchoolChat::StaffChannel, &admin),
    ];
    for (n, (room, by)) in phase_two.into_iter().enumerate() {
        let label = format!("2/{room:?} by {}", names[&by.id]);
        let (_, id) = post(&app, &by.token, rooms[&room], &format!("two-{n}"), &label).await;
        posted.push(Posted { id, room, label });
    }
    // Logging everyone out closes each socket after what was published before: the
    // end of each stream, also for those who no longer sit in any chat.
    for person in &everyone {
        app.post("/api/v1/auth/logout").token(&person.token).send().await.expect(204);
    }
    let mut close_codes = BTreeSet::new();
    collect(&mut sockets, &mut received, &names, |got| match got {
        Got::Closed(code) => {
            close_codes.insert(*code);
            true
        }
        Got::Frame(_) => false,
    })
    .await;
    assert_eq!(close_codes.into_iter().collect::<Vec<_>>(), [4003], "every socket ends with its session");
    assert_audiences("phase 2", &posted, &directory, &received, &names);
    // Phase 1's messages reached nobody else meanwhile, and nobody twice.
    for id in &phase_one_ids {
        let list = &received[id];
        assert_eq!(list.len(), list.iter().collect::<BTreeSet<_>>().len(), "message {id} twice: {list:?}");
    }
    // Spelled out: the moved student hears 5Б now, not 5А; those who left hear nothing.
    let heard =
        |person: i64, room: SchoolChat| posted.iter().any(|p| p.room == room && received[&p.id].contains(&person));
    assert!(!heard(sa1.id, SchoolChat::Class(a)) && heard(sa1.id, SchoolChat::Class(b)));
    assert!(
        !heard(p1.id, SchoolChat::Parents(a))
            && heard(p1.id, SchoolChat::Parents(b))
            && heard(p1.id, SchoolChat::Parents(c))
    );
    assert!(
        !heard(lc.id, SchoolChat::Class(c))
            && !heard(lc.id, SchoolChat::Parents(c))
            && heard(lc.id, SchoolChat::ClassTeachers(c))
    );
    for gone in [&t1, &sc2, &p4] {
        let heard_any: Vec<&str> =
            posted.iter().filter(|p| received[&p.id].contains(&gone.id)).map(|p| p.label.as_str()).collect();
        assert!(heard_any.is_empty(), "{} left, yet heard {heard_any:?}", names[&gone.id]);
    }
    eprintln!(
        "delivery fan-out on {backend:?}: {} people on sockets, {} chats, {} messages checked against the \
         directory; {:?}",
        everyone.len(),
        rooms.len(),
        phase_one_ids.len() + posted.len(),
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------
// 3. A slow consumer.
// ---------------------------------------------------------------------------

/// Rounds (one large message and some typing) at most while waiting for the cut-off.
const MOST_ROUNDS: usize = 3000;
/// Typing frames per message: cheap frames that fill the per-connection queue fast.
const TYPING_PER_MESSAGE: usize = 7;

/// Serves the app as `TestApp::serve` does, but every accepted socket inherits a
/// small fixed send buffer from the listener, so that little of what the server
/// writes can hide in the kernel.
async fn serve_with_send_buffer(app: &TestApp, bytes: u32) -> SocketAddr {
    let socket = TcpSocket::new_v4().expect("tcp socket");
    socket.set_send_buffer_size(bytes).expect("SO_SNDBUF");
    socket.bind(SocketAddr::from(([127, 0, 0, 1], 0))).expect("bind");
    let listener = socket.listen(1024).expect("listen");
    let address = listener.local_addr().expect("address");
    let service = app.router.clone().into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, service).await;
    });
    address
}

/// The next chat event on a socket (frames of unknown types, such as typing, are skipped).
async fn next_chat_event(client: &mut Client) -> (i64, Event) {
    let frame = client.frame().await;
    match frame["type"].as_str() {
        Some("chat_event") => chat_event(&frame),
        _ => panic!("unexpected frame {frame}"),
    }
}

/// Reads one chat's events until the final position is known and reached.
async fn read_chat(
    mut client: Client,
    chat: i64,
    mut last: i64,
    mut finals: watch::Receiver<Option<i64>>,
) -> (Client, Vec<Event>) {
    let mut got = Vec::new();
    loop {
        let final_position = *finals.borrow();
        if final_position.is_some_and(|f| last >= f) {
            return (client, got);
        }
        let next = tokio::select! {
            next = client.next(STALL) => next,
            _ = finals.changed(), if final_position.is_none() => continue,
        };
        match next {
            Some(Got::Frame(frame)) if frame["type"] == "chat_event" => {
                let (from, event) = chat_event(&frame);
                assert_eq!(from, chat, "{frame}");
                last = last.max(event.seq);
                got.push(event);
            }
            Some(Got::Frame(frame)) => panic!("the reader got an unexpected frame {frame}"),
            Some(Got::Closed(code)) => panic!("the reader that keeps up was closed with {code} at position {last}"),
            None => panic!("the reader that keeps up got nothing for {STALL:?} at position {last}"),
        }
    }
}

async fn a_slow_consumer_is_cut_off_and_catches_up_from_the_log(app: TestApp) {
    let backend = app.backend;
    let app = app.with_settings(|s| s.messages_per_minute = 1_000_000);
    let school = app.school(403).await;
    let steady = app.join(&school, school.staff_room, "teacher", None, "Быстрова").await;
    let stalled = app.join(&school, school.staff_room, "teacher", None, "Медленнов").await;
    let chat = find_chat(&chat_list(&app, &school.admin, school.org).await, "staff_room", None);
    let head = last_seq(&app, &school.admin, chat).await;
    let from = BTreeMap::from([(chat, head)]);
    let address = serve_with_send_buffer(&app, 16 * 1024).await;

    let (mut steady_socket, welcome) = Client::open(address, &steady.token, None).await;
    assert!(steady_socket.resume(welcome["user_seq"].as_i64().expect("seq"), &from).await.is_empty());
    // The slow one has a small fixed receive buffer and stops reading after `ready`.
    let (mut slow_socket, welcome) = Client::open(address, &stalled.token, Some(8 * 1024)).await;
    assert!(slow_socket.resume(welcome["user_seq"].as_i64().expect("seq"), &from).await.is_empty());
    // The admin writes over HTTP and types on a socket of their own, which is read (and ignored).
    let (mut typist, welcome) = Client::open(address, &school.admin, None).await;
    assert!(typist.resume(welcome["user_seq"].as_i64().expect("seq"), &from).await.is_empty());
    let (mut typing, mut echoes) = typist.ws.split();
    tokio::spawn(async move { while echoes.next().await.is_some() {} });
    assert_eq!(app.state.hub.connections(), 3);
    let (final_sender, finals) = watch::channel(None);
    let steady_reader = tokio::spawn(read_chat(steady_socket, chat, head, finals));

    // Large messages (4,000 characters, 8 KB in UTF-8), each followed by some typing,
    // until the server gives up on the socket that reads nothing: it leaves the hub.
    let started = Instant::now();
    let typing_frame = WsMessage::Text(json!({ "type": "typing", "chat_id": chat }).to_string().into());
    let filler = "ж".repeat(3990);
    let mut sent = BTreeMap::new();
    let mut cut_after = None;
    for n in 0..MOST_ROUNDS {
        let body = format!("{n:06} {filler}");
        let (seq, id) = post(&app, &school.admin, chat, &format!("big-{n}"), &body).await;
        sent.insert(seq, (id, body));
        for _ in 0..TYPING_PER_MESSAGE {
            typing.send(typing_frame.clone()).await.expect("typing");
        }
        if app.state.hub.connections() < 3 {
            cut_after = Some(n + 1);
            break;
        }
    }
    let cut_after = cut_after.unwrap_or_else(|| {
        panic!("the server kept a socket that read nothing through {MOST_ROUNDS} messages of 8 KB and their typing")
    });
    // More that can reach the slow consumer only through its resume.
    for n in 0..50 {
        let body = format!("после отключения {n}");
        let (seq, id) = post(&app, &school.admin, chat, &format!("late-{n}"), &body).await;
        sent.insert(seq, (id, body));
    }
    let last = last_seq(&app, &school.admin, chat).await;
    assert_eq!(sent.keys().copied().collect::<Vec<_>>(), (head + 1..=last).collect::<Vec<_>>());
    final_sender.send_replace(Some(last));
    let (mut steady_socket, steady_got) = tokio::time::timeout(Duration::from_secs(60), steady_reader)
        .await
        .expect("the steady reader finishes")
        .expect("steady reader task");
    let steady_typing = steady_socket.ignored_of("typing");
    assert_exactly("the steady reader", chat, &steady_got, head, last, &sent, "");

    // The slow consumer reads again: what was already on its way, then the cut-off.
    let mut slow_got = Vec::new();
    let code = loop {
        match slow_socket.next(STALL).await {
            Some(Got::Frame(frame)) if frame["type"] == "chat_event" => slow_got.push(chat_event(&frame).1),
            Some(Got::Frame(frame)) => panic!("unexpected frame {frame}"),
            Some(Got::Closed(code)) => break code,
            None => panic!("the cut-off socket stayed open, silent, after {} events", slow_got.len()),
        }
    };
    assert_eq!(code, 4008, "closed as a slow consumer after {} events", slow_got.len());
    let slow_typing = slow_socket.ignored_of("typing");
    let drained = slow_got.len() + slow_typing;
    assert!(
        drained >= parta_server::gateway::CONNECTION_QUEUE,
        "a full queue is delivered before the cut-off takes effect: {drained} frames"
    );
    let reached = slow_got.last().map_or(head, |e| e.seq);
    assert!(reached < last, "the slow consumer was cut off before the end ({reached} of {last})");
    assert_exactly("the slow consumer before the cut-off", chat, &slow_got, head, reached, &sent, "");
    // Reconnecting with its last position brings every missed event, once.
    let (mut again, welcome) = Client::open(address, &stalled.token, None).await;
    let replayed = again.resume(welcome["user_seq"].as_i64().expect("seq"), &BTreeMap::from([(chat, reached)])).await;
    let missed = replayed.len();
    slow_got.extend(replayed.into_iter().map(|(from, event)| {
        assert_eq!(from, chat);
        event
    }));
    assert_exactly("the slow consumer after resuming", chat, &slow_got, head, last, &sent, "");
    // And both are live again.
    let (seq, id) = post(&app, &school.admin, chat, "after", "снова вместе").await;
    for socket in [&mut steady_socket, &mut again] {
        let (from, event) = next_chat_event(socket).await;
        assert_eq!((from, event.seq, event.message), (chat, seq, Some((id, "снова вместе".to_owned()))));
    }
    eprintln!(
        "delivery slow consumer on {backend:?}: cut off after {cut_after} messages of 8 KB (and {} typing \
         frames); the steady reader got all {} events (and {steady_typing} typing); the slow one {} events \
         and {slow_typing} typing frames before close 4008, then {missed} on resume; {:?}",
        cut_after * TYPING_PER_MESSAGE,
        steady_got.len(),
        slow_got.len() - missed,
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------
// A chat added while the socket was away is replayed from where the person joined.
// ---------------------------------------------------------------------------

/// A student is moved to another class while their socket is away; a classmate
/// writes there; the student resumes from their last personal position. `chat_added`
/// says the new class chat's events are theirs after `from_seq`, so those are due
/// before the next live one.
async fn a_chat_added_while_away_is_replayed_from_its_from_seq(app: TestApp) {
    let school = app.school(404).await;
    let a = app.create_class(&school, "5А", 5).await;
    let b = app.create_class(&school, "5Б", 5).await;
    let student = app.join(&school, a, "student", None, "Переходов").await;
    let classmate = app.join(&school, b, "student", None, "Старожилова").await;
    let chat_b = find_chat(&chat_list(&app, &classmate.token, school.org).await, "class", Some(b));
    let address = app.serve().await;
    let (mut socket, welcome) = Client::open(address, &student.token, None).await;
    let user_seq = welcome["user_seq"].as_i64().expect("user_seq");
    assert!(socket.resume(user_seq, &BTreeMap::new()).await.is_empty());
    drop(socket);

    app.post(&format!("/api/v1/orgs/{}/members/{}/transfer", school.org, student.id))
        .token(&school.admin)
        .json(json!({ "to_class_id": b }))
        .send()
        .await
        .expect(200);
    let (missed, _) = post(&app, &classmate.token, chat_b, "away-1", "Пока тебя не было").await;

    let (mut socket, _) = Client::open(address, &student.token, None).await;
    socket.send(json!({ "type": "resume", "user_seq": user_seq, "chats": [] })).await;
    let mut from_seq = None;
    let mut got = Vec::new();
    loop {
        let frame = socket.frame().await;
        match frame["type"].as_str() {
            Some("ready") => break,
            Some("user_event") if frame["event"]["type"] == "chat_added" && frame["event"]["chat_id"] == chat_b => {
                from_seq = frame["event"]["from_seq"].as_i64();
            }
            Some("chat_event") if frame["chat_id"] == chat_b => got.push(chat_event(&frame).1.seq),
            _ => {}
        }
    }
    let from_seq = from_seq.expect("chat_added for the new class chat");
    let (live, _) = post(&app, &classmate.token, chat_b, "away-2", "А теперь ты с нами").await;
    got.push(next_chat_event(&mut socket).await.1.seq);
    assert!(missed > from_seq && live == missed + 1);
    assert_eq!(got, (from_seq + 1..=live).collect::<Vec<_>>(), "every event since joining, once");
}

// ---------------------------------------------------------------------------
// 4. Frames the client does not know.
// ---------------------------------------------------------------------------

/// Messages written while the reader is away, and while it is back.
const AWAY: usize = 12;
const LIVE: usize = 8;

/// Reads `chat`'s events into `got` until `enough` holds, in short waits, so that
/// skipped frames alone can make it hold. Any known frame but an event of `chat` fails.
async fn read_until(client: &mut Client, chat: i64, got: &mut Vec<Event>, enough: impl Fn(&Client, &[Event]) -> bool) {
    let deadline = Instant::now() + STALL;
    while !enough(client, got) {
        assert!(
            Instant::now() < deadline,
            "stalled after {} events and {} skipped frames",
            got.len(),
            client.ignored.len()
        );
        match client.next(Duration::from_millis(50)).await {
            None => {}
            Some(Got::Frame(frame)) if frame["type"] == "chat_event" => {
                let (from, event) = chat_event(&frame);
                assert_eq!(from, chat, "an event of another chat: {frame}");
                got.push(event);
            }
            Some(other) => panic!("expected events of chat {chat}, got {other:?}"),
        }
    }
}

/// Two people type in the staff room while a reader comes back to it: typing frames,
/// a type the test client does not know, reach the reader before its `ready` and
/// between live events. They are skipped and counted, and every stored event still
/// comes exactly once, in order.
async fn a_reader_resuming_while_others_type_gets_every_event_once(app: TestApp) {
    let backend = app.backend;
    let app = app.with_settings(|s| s.messages_per_minute = 1_000_000);
    let school = app.school(405).await;
    let reader = app.join(&school, school.staff_room, "teacher", None, "Читалкина").await;
    let typists = [
        app.join(&school, school.staff_room, "teacher", None, "Печаткин").await,
        app.join(&school, school.staff_room, "teacher", None, "Набирова").await,
    ];
    let chat = find_chat(&chat_list(&app, &school.admin, school.org).await, "staff_room", None);
    let head = last_seq(&app, &school.admin, chat).await;
    let address = app.serve().await;

    // The reader last saw `head`; this is written while it is away.
    let mut sent = BTreeMap::new();
    for n in 0..AWAY {
        let body = format!("пока вас не было {n}");
        let (seq, id) = post(&app, &school.admin, chat, &format!("away-{n}"), &body).await;
        sent.insert(seq, (id, body));
    }
    // The typists say so every 300 ms, as clients do while someone types; the server
    // passes one a person every 2 s.
    let stop_typing = Arc::new(AtomicBool::new(false));
    let mut typing_tasks = Vec::new();
    for typist in &typists {
        let (mut socket, welcome) = Client::open(address, &typist.token, None).await;
        assert!(socket.resume(welcome["user_seq"].as_i64().expect("user_seq"), &BTreeMap::new()).await.is_empty());
        let stop = Arc::clone(&stop_typing);
        typing_tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                socket.send(json!({ "type": "typing", "chat_id": chat })).await;
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        }));
    }

    // Back, the reader says nothing until typing has come: past the server's resume
    // grace (2 s) live frames flow, so typing comes before the `ready` of its resume.
    let (mut client, welcome) = Client::open(address, &reader.token, None).await;
    let mut early = Vec::new();
    read_until(&mut client, chat, &mut early, |client, _| client.ignored_of("typing") > 0).await;
    assert!(early.is_empty(), "nothing stored is new since `welcome`: {early:?}");
    let before_ready = client.ignored.len();
    let user_seq = welcome["user_seq"].as_i64().expect("user_seq");
    let mut got: Vec<Event> = client
        .resume(user_seq, &BTreeMap::from([(chat, head)]))
        .await
        .into_iter()
        .map(|(from, event)| {
            assert_eq!(from, chat);
            event
        })
        .collect();
    assert_eq!(got.len(), AWAY, "the resume replays what was written while away");

    // Live: half the messages, then typing, then the rest, so that a skipped frame
    // comes between two known ones.
    let at_ready = client.ignored.len();
    for n in 0..LIVE {
        if n == LIVE / 2 {
            let due = sent.len();
            read_until(&mut client, chat, &mut got, |_, got| got.len() >= due).await;
            let skipped = client.ignored.len();
            read_until(&mut client, chat, &mut got, |client, _| client.ignored.len() > skipped).await;
        }
        let body = format!("снова здесь {n}");
        let (seq, id) = post(&app, &school.admin, chat, &format!("live-{n}"), &body).await;
        sent.insert(seq, (id, body));
    }
    let last = last_seq(&app, &school.admin, chat).await;
    read_until(&mut client, chat, &mut got, |_, got| got.last().is_some_and(|e| e.seq >= last)).await;
    stop_typing.store(true, Ordering::SeqCst);
    for task in typing_tasks {
        task.await.expect("typist task");
    }

    assert_eq!(sent.keys().copied().collect::<Vec<_>>(), (head + 1..=last).collect::<Vec<_>>());
    assert_exactly("the reader", chat, &got, head, last, &sent, "");
    let typist_ids: BTreeSet<i64> = typists.iter().map(|t| t.id).collect();
    for frame in &client.ignored {
        assert!(
            frame["type"] == "typing"
                && frame["chat_id"] == chat
                && frame["user_id"].as_i64().is_some_and(|id| typist_ids.contains(&id)),
            "skipped a frame that is not a typist's typing: {frame}"
        );
    }
    eprintln!(
        "delivery unknown frames on {backend:?}: all {} events once; {} typing frames skipped ({before_ready} \
         before `ready`, {} after it)",
        got.len(),
        client.ignored.len(),
        client.ignored.len() - at_ready
    );
}
