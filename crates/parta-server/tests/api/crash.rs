//! A real `parta serve` process under abuse.
//!
//! - Durability under `kill -9`: the server is killed at random moments while a client
//!   sends messages with idempotency keys and retries each unacknowledged one after the
//!   restart. Afterwards every acknowledged message exists exactly once, the chat's
//!   positions have no gaps, and the database is intact.
//! - A reconnect storm: readers lose their connections over and over while messages
//!   flow — aborted by the client, closed by a stopping server (1001) and cut by
//!   `kill -9` — and each resumes from its last position: every position arrives at
//!   every reader exactly once.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::on_both_backends;
use crate::support::{Rng, Socket, TestApp, test_seed};

on_both_backends!(acknowledged_messages_survive_kill_nine, a_reconnect_storm_loses_and_doubles_nothing);

/// Kills per backend in the test command; `PARTA_CRASH_KILLS` runs more (e.g. 100).
const KILLS: usize = 20;
/// Forced disconnects per backend in the test command; `PARTA_STORM_DISCONNECTS` runs more (e.g. 1000).
const DISCONNECTS: usize = 150;

/// One HTTP/1.1 request on a fresh connection; `Err` when the server is not there
/// or dies before answering in full.
pub(crate) async fn http(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> std::io::Result<(u16, Value)> {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if let Some(token) = token {
        request.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    if !body.is_empty() {
        request.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(&body);
    stream.write_all(request.as_bytes()).await?;
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response))
        .await
        .map_err(|_| std::io::Error::other("no answer within 10 s"))??;
    let text = String::from_utf8_lossy(&response);
    let (head, rest) = text.split_once("\r\n\r\n").ok_or_else(|| std::io::Error::other("cut short"))?;
    let status: u16 =
        head.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| std::io::Error::other("no status"))?;
    let length: Option<usize> = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)));
    if length.is_some_and(|length| rest.len() < length) {
        return Err(std::io::Error::other("body cut short"));
    }
    Ok((status, serde_json::from_str(rest).unwrap_or(Value::Null)))
}

/// A port no other server of this test run has had. The kernel may hand a killed
/// server's port straight to another test's server, whose answers (to a token it does
/// not know) would then reach this test's clients, still aiming at the old port.
/// Counting up from below the kernel's ephemeral range (32768–60999) never reuses one.
fn free_port() -> u16 {
    static NEXT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(21_000);
    loop {
        let port = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        assert!(port < 32_768, "ran out of ports below the ephemeral range");
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

pub(crate) struct Server {
    pub child: tokio::process::Child,
    pub port: u16,
}

pub(crate) async fn start(app: &TestApp, data: &std::path::Path) -> Server {
    let port = free_port();
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_parta"))
        .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}"), "--database-url", app.database_url()])
        .args(["--messages-per-minute", "100000"])
        .arg("--data")
        .arg(data)
        .env("PARTA_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("parta serve starts");
    let started = Instant::now();
    while !matches!(http(port, "GET", "/readyz", None, None).await, Ok((200, _))) {
        assert!(started.elapsed() < Duration::from_secs(60), "the server did not become ready");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Server { child, port }
}

/// Signs in as the demo school's class teacher: her token and her class's chat.
pub(crate) async fn demo_teacher(port: u16) -> (String, i64) {
    let credentials = json!({ "login": "ivanova@demo.parta.local", "password": "demo-parta-2026" });
    let (status, login) = http(port, "POST", "/api/v1/auth/login", None, Some(&credentials)).await.expect("login");
    assert_eq!(status, 200, "{login}");
    let token = login["token"].as_str().expect("token").to_owned();
    let (_, chats) = http(port, "GET", "/api/v1/chats", Some(&token), None).await.expect("chats");
    let chat = chats.as_array().expect("chats").iter().find(|c| c["kind"] == "class").expect("class chat")["id"]
        .as_i64()
        .expect("id");
    (token, chat)
}

async fn acknowledged_messages_survive_kill_nine(app: TestApp) {
    let kills: usize = std::env::var("PARTA_CRASH_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(KILLS);
    let seed = test_seed();
    eprintln!(
        "kill -9 loop on {:?}: {kills} kills, seed {seed} (PARTA_TEST_SEED={seed} repeats the schedule)",
        app.backend
    );
    let mut rng = Rng(seed);
    let data = app.scratch_dir("serve-data");
    let mut server = start(&app, &data).await;
    let (token, chat) = demo_teacher(server.port).await;

    // The sender: one key at a time, retried until the server acknowledges it.
    let port = std::sync::Arc::new(std::sync::atomic::AtomicU16::new(server.port));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sender = {
        let (port, stop, token) = (port.clone(), stop.clone(), token.clone());
        tokio::spawn(async move {
            let mut acknowledged: Vec<String> = Vec::new();
            let mut retries = 0u64;
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let key = format!("crash-{n}");
                let body = json!({ "client_msg_id": key, "body": format!("Сообщение {n}") });
                let path = format!("/api/v1/chats/{chat}/messages");
                match http(port.load(std::sync::atomic::Ordering::SeqCst), "POST", &path, Some(&token), Some(&body))
                    .await
                {
                    Ok((200 | 201, reply)) => {
                        assert_eq!(reply["client_msg_id"], key.as_str());
                        acknowledged.push(key);
                        n += 1;
                    }
                    Ok((status, reply)) => panic!("unexpected answer {status}: {reply}"),
                    Err(_) => {
                        retries += 1;
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                }
            }
            (acknowledged, retries)
        })
    };
    for _ in 0..kills {
        tokio::time::sleep(Duration::from_millis(rng.between(20, 250))).await;
        server.child.start_kill().expect("kill -9");
        server.child.wait().await.expect("reaped");
        server = start(&app, &data).await;
        port.store(server.port, std::sync::atomic::Ordering::SeqCst);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let (acknowledged, retries) = sender.await.expect("sender");
    assert!(acknowledged.len() > kills, "messages flowed between kills: {} acknowledged", acknowledged.len());
    assert!(retries > 0, "some sends met a dead server and were retried");

    // Every acknowledged message exactly once, and nothing that was not sent.
    let mut stored: Vec<Value> = Vec::new();
    let mut before = i64::MAX;
    loop {
        let path = format!("/api/v1/chats/{chat}/messages?limit=100&before={before}");
        let (_, page) = http(server.port, "GET", &path, Some(&token), None).await.expect("history");
        let messages = page["messages"].as_array().expect("page").clone();
        let Some(first) = messages.first() else { break };
        before = first["seq"].as_i64().expect("seq");
        stored.splice(0..0, messages);
        if page["has_more"] != true {
            break;
        }
    }
    let keys: Vec<&str> =
        stored.iter().filter_map(|m| m["client_msg_id"].as_str()).filter(|k| k.starts_with("crash-")).collect();
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), keys.len(), "a message was stored twice");
    for key in &acknowledged {
        assert!(keys.contains(&key.as_str()), "acknowledged {key} is missing");
    }
    // At most the one send in flight at the last kill may be stored unacknowledged — and then it was retried.
    assert!(keys.len() <= acknowledged.len() + 1, "stored {} for {} acknowledged", keys.len(), acknowledged.len());

    // The chat's positions run without a gap: replay the whole log over a socket.
    let (stream, _) =
        tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{}/api/v1/ws", server.port)).await.expect("ws");
    let mut socket = Socket::wrap(stream);
    socket.send(json!({ "type": "auth", "token": token })).await;
    let welcome = socket.next().await.expect("welcome");
    socket
        .send(json!({ "type": "resume", "user_seq": welcome["user_seq"], "chats": [{ "chat_id": chat, "seq": 0 }] }))
        .await;
    let frames = socket.until("ready").await;
    let positions: Vec<i64> = frames
        .iter()
        .filter(|f| f["type"] == "chat_event" && f["chat_id"] == chat)
        .filter_map(|f| f["seq"].as_i64())
        .collect();
    let last = positions.last().copied().unwrap_or(0);
    assert_eq!(positions, (1..=last).collect::<Vec<_>>(), "positions with a gap or a double");
    assert!(last as usize >= acknowledged.len());

    server.child.start_kill().expect("kill -9");
    server.child.wait().await.expect("reaped");
    if app.backend == parta_server::db::Backend::Sqlite {
        let mut conn = app.state.db.reads().acquire().await.expect("connection");
        let verdict: String =
            sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut *conn).await.expect("integrity check");
        assert_eq!(verdict, "ok");
    }
    // The search index went through the same kills: every stored message is in it,
    // and nothing that is not stored.
    let sql = match app.backend {
        parta_server::db::Backend::Sqlite => {
            "WITH hits AS (SELECT rowid AS id FROM message_search WHERE message_search MATCH '\"сообщ\"*')
             SELECT (SELECT count(*) FROM messages WHERE client_msg_id LIKE 'crash-%' AND id IN (SELECT id FROM hits)),
                    (SELECT count(*) FROM hits WHERE id NOT IN (SELECT id FROM messages))"
        }
        parta_server::db::Backend::Postgres => {
            "WITH hits AS (SELECT message_id AS id FROM message_terms WHERE term >= 'сообщ' AND term < 'сообщя')
             SELECT (SELECT count(*) FROM messages WHERE client_msg_id LIKE 'crash-%' AND id IN (SELECT id FROM hits)),
                    (SELECT count(*) FROM hits WHERE id NOT IN (SELECT id FROM messages))"
        }
    };
    let mut conn = app.state.db.reads().acquire().await.expect("connection");
    let (indexed, strays): (i64, i64) = sqlx::query_as(sql).fetch_one(&mut *conn).await.expect("search index");
    assert_eq!((indexed as usize, strays), (keys.len(), 0), "stored messages in the search index, and strays");
    eprintln!("{kills} kills, {} messages acknowledged, {retries} retried sends", acknowledged.len());
}

/// What one reader saw across all its connections.
#[derive(Default)]
struct Seen {
    last: i64,
    gaps: u64,
    doubles: u64,
    connections: u64,
    going_away: u64,
}

/// A reader: connects (waiting while the server is down), resumes from its last
/// position in `chat`, checks every position it hears, and starts over whenever the
/// connection ends — or when `abort` tells it to drop the connection on the spot.
async fn storm_reader(
    port: Arc<AtomicU16>,
    token: String,
    chat: i64,
    seen: Arc<std::sync::Mutex<Seen>>,
    abort: Arc<tokio::sync::Notify>,
    stop: Arc<AtomicBool>,
) {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message as Ws;
    let seen_now = |f: &dyn Fn(&mut Seen)| f(&mut seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    while !stop.load(Ordering::SeqCst) {
        let url = format!("ws://127.0.0.1:{}/api/v1/ws", port.load(Ordering::SeqCst));
        let Ok(Ok((mut stream, _))) =
            tokio::time::timeout(Duration::from_secs(5), tokio_tungstenite::connect_async(url)).await
        else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        seen_now(&|s| s.connections += 1);
        let auth = json!({ "type": "auth", "token": token }).to_string();
        if stream.send(Ws::Text(auth.into())).await.is_err() {
            continue;
        }
        let mut resumed = false;
        loop {
            let next = tokio::select! {
                next = tokio::time::timeout(Duration::from_secs(10), stream.next()) => next,
                () = abort.notified() => break,
            };
            let frame: Value = match next {
                Ok(Some(Ok(Ws::Text(text)))) => serde_json::from_str(&text).expect("json frame"),
                Ok(Some(Ok(Ws::Close(frame)))) => {
                    if frame.is_some_and(|f| u16::from(f.code) == 1001) {
                        seen_now(&|s| s.going_away += 1);
                    }
                    break;
                }
                Ok(Some(Ok(_))) => continue,
                // Cut, or silent for 10 s: a new connection.
                _ => break,
            };
            if frame["type"] == "welcome" && !resumed {
                resumed = true;
                let last = seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).last;
                let resume = json!({ "type": "resume", "user_seq": frame["user_seq"], "chats": [{ "chat_id": chat, "seq": last }] });
                if stream.send(Ws::Text(resume.to_string().into())).await.is_err() {
                    break;
                }
            } else if frame["type"] == "chat_event" && frame["chat_id"] == chat {
                let seq = frame["seq"].as_i64().expect("seq");
                seen_now(&|s| {
                    if seq <= s.last {
                        s.doubles += 1;
                    } else {
                        if seq > s.last + 1 {
                            s.gaps += 1;
                        }
                        s.last = seq;
                    }
                });
            }
        }
    }
}

async fn a_reconnect_storm_loses_and_doubles_nothing(app: TestApp) {
    const READERS: usize = 6;
    let target: usize =
        std::env::var("PARTA_STORM_DISCONNECTS").ok().and_then(|v| v.parse().ok()).unwrap_or(DISCONNECTS);
    let seed = test_seed();
    eprintln!("reconnect storm on {:?}: {target} disconnects, seed {seed}", app.backend);
    let mut rng = Rng(seed);
    let data = app.scratch_dir("storm-data");
    let mut server = start(&app, &data).await;
    let mut tokens = Vec::new();
    for i in 0..=READERS {
        let login = if i % 2 == 0 { "ivanova@demo.parta.local" } else { "student.5a@demo.parta.local" };
        let body = json!({ "login": login, "password": "demo-parta-2026" });
        let (status, reply) = http(server.port, "POST", "/api/v1/auth/login", None, Some(&body)).await.expect("login");
        assert_eq!(status, 200, "{reply}");
        tokens.push(reply["token"].as_str().expect("token").to_owned());
    }
    let writer = tokens.remove(0);
    let (_, chats) = http(server.port, "GET", "/api/v1/chats", Some(&writer), None).await.expect("chats");
    let class_chat =
        chats.as_array().expect("chats").iter().find(|c| c["kind"] == "class").expect("class chat").clone();
    let chat = class_chat["id"].as_i64().expect("id");
    let start_seq = class_chat["last_seq"].as_i64().expect("last_seq");

    let port = Arc::new(AtomicU16::new(server.port));
    let (stop, stop_writing) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
    let sender = {
        let (port, stop, token) = (port.clone(), stop_writing.clone(), writer.clone());
        tokio::spawn(async move {
            let mut acknowledged = 0u64;
            while !stop.load(Ordering::SeqCst) {
                let key = format!("storm-{acknowledged}");
                let body = json!({ "client_msg_id": key, "body": format!("Шторм {acknowledged}") });
                let path = format!("/api/v1/chats/{chat}/messages");
                match http(port.load(Ordering::SeqCst), "POST", &path, Some(&token), Some(&body)).await {
                    Ok((200 | 201, _)) => acknowledged += 1,
                    Ok((status, reply)) => panic!("unexpected answer {status}: {reply}"),
                    Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            acknowledged
        })
    };
    let readers: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            let seen = Arc::new(std::sync::Mutex::new(Seen { last: start_seq, ..Seen::default() }));
            let abort = Arc::new(tokio::sync::Notify::new());
            let task = tokio::spawn(storm_reader(port.clone(), token, chat, seen.clone(), abort.clone(), stop.clone()));
            (seen, abort, task)
        })
        .collect();
    let connections = |readers: &[(Arc<std::sync::Mutex<Seen>>, _, _)]| -> u64 {
        readers
            .iter()
            .map(|(seen, _, _)| seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).connections)
            .sum()
    };

    // Disconnects are the connections beyond each reader's first.
    let (mut closes, mut kills) = (0, 0);
    while connections(&readers) < (target + READERS) as u64 {
        match rng.between(0, 99) {
            0..=3 => {
                // The server stops as on an upgrade: every socket hears 1001 first.
                let pid = server.child.id().expect("running").to_string();
                std::process::Command::new("kill").args(["-TERM", &pid]).status().expect("kill -TERM");
                server.child.wait().await.expect("stopped");
                server = start(&app, &data).await;
                port.store(server.port, Ordering::SeqCst);
                closes += 1;
            }
            4..=5 => {
                server.child.start_kill().expect("kill -9");
                server.child.wait().await.expect("reaped");
                server = start(&app, &data).await;
                port.store(server.port, Ordering::SeqCst);
                kills += 1;
            }
            _ => readers[rng.between(0, READERS as u64 - 1) as usize].1.notify_one(),
        }
        tokio::time::sleep(Duration::from_millis(rng.between(5, 40))).await;
    }
    stop_writing.store(true, Ordering::SeqCst);
    let acknowledged = sender.await.expect("sender");

    // Everyone catches up to the chat's last position.
    let (_, chats) = http(server.port, "GET", "/api/v1/chats", Some(&writer), None).await.expect("chats");
    let last = chats.as_array().expect("chats").iter().find(|c| c["id"] == chat).expect("chat")["last_seq"]
        .as_i64()
        .expect("last_seq");
    assert!(last - start_seq >= acknowledged as i64, "{acknowledged} acknowledged, positions {start_seq}..{last}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while readers.iter().any(|(seen, _, _)| seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).last < last)
    {
        assert!(Instant::now() < deadline, "a reader did not catch up to {last}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::SeqCst);
    let disconnects = connections(&readers) - READERS as u64;
    let mut going_away = 0;
    for (i, (seen, abort, task)) in readers.into_iter().enumerate() {
        abort.notify_one();
        let _ = tokio::time::timeout(Duration::from_secs(15), task).await;
        let seen = seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        assert_eq!((seen.gaps, seen.doubles), (0, 0), "reader {i}: gaps and doubles");
        assert_eq!(seen.last, last, "reader {i}");
        going_away += seen.going_away;
    }
    if closes > 0 {
        assert!(going_away > 0, "a stopping server closed no socket with 1001");
    }
    eprintln!(
        "{disconnects} disconnects ({closes} server stops, {kills} kills, {going_away} closes with 1001), \
         {acknowledged} messages acknowledged, positions {start_seq}..{last}: 0 gaps, 0 doubles"
    );
}
