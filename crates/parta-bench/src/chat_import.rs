//! `parta-bench chat-import`: a Telegram export of `--messages` messages imported into
//! a chat through the API, timed. Makes a `result.json` (five authors, every tenth
//! message a reply, every twentieth a forward), starts a demo Parta on a fresh data
//! directory for each run, signs in as the demo school's admin, and times the upload
//! with its dry run, the import applied to the end (polled), and the same export
//! again (nothing added). While the import runs, a teacher sends to her class's chat
//! every 100 ms: how long those sends wait says what the import costs the rest of
//! the school (on SQLite its messages' transaction holds the one writer).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use serde::Serialize;
use serde_json::{Value, json};

use crate::http::Conn;
use crate::run::{Launch, machine, start_parta_with};

#[derive(Debug, Args)]
pub struct ChatImportArgs {
    /// The `parta` binary; by default the one beside this binary.
    #[arg(long)]
    parta_bin: Option<PathBuf>,
    /// A PostgreSQL URL (a fresh schema is the caller's to give); SQLite in the data directory otherwise.
    #[arg(long)]
    database_url: Option<String>,
    /// Messages in the export.
    #[arg(long, default_value_t = 50_000)]
    messages: usize,
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Write the results here as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
struct Run {
    dry_run_secs: f64,
    import_secs: f64,
    again_secs: f64,
    imported: i64,
    /// Sends to another chat during the import: how many, their median and longest.
    sends_during: usize,
    send_p50_ms: f64,
    send_max_ms: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    date: String,
    machine: String,
    messages: usize,
    export_bytes: usize,
    runs: Vec<Run>,
}

const AUTHORS: [&str; 5] = ["Анна Смирнова", "Борис Петров", "Вера Иванова", "Глеб Соколов", "Дарья Орлова"];

/// A Telegram Desktop `result.json` of `count` messages, a minute apart.
fn export(count: usize) -> Vec<u8> {
    let start = 1_704_099_600i64;
    let messages: Vec<Value> = (1..=count)
        .map(|id| {
            let mut message = json!({
                "id": id, "type": "message", "date_unixtime": (start + 60 * id as i64).to_string(),
                "from": AUTHORS[id % AUTHORS.len()], "from_id": format!("user{}", id % AUTHORS.len()),
                "text": format!("Сообщение {id}: домашнее задание по математике, упражнения {} и {}", id % 300, id % 300 + 1),
            });
            if id % 10 == 0 {
                message["reply_to_message_id"] = json!(id - 1);
            }
            if id % 20 == 0 {
                message["forwarded_from"] = json!("Школа");
            }
            message
        })
        .collect();
    serde_json::to_vec_pretty(&json!({ "name": "Bench", "type": "private_group", "id": 1, "messages": messages }))
        .unwrap_or_default()
}

/// Uploads the export; the dry run and how long it took.
async fn upload(conn: &mut Conn, chat: i64, token: &str, body: &[u8]) -> anyhow::Result<(f64, Value)> {
    let started = Instant::now();
    let path = format!("/api/v1/chats/{chat}/imports");
    let reply = conn
        .request(hyper::Method::POST, &path, Some(token), Some("application/json"), bytes::Bytes::from(body.to_vec()))
        .await?;
    let secs = started.elapsed().as_secs_f64();
    Ok((secs, reply.json(200).with_context(|| format!("POST {path}"))?))
}

/// Applies a staged import with every author a guest and waits for its end.
async fn apply(conn: &mut Conn, chat: i64, token: &str, preview: &Value) -> anyhow::Result<(f64, Value)> {
    let import = preview["import_id"].as_str().context("an import id")?;
    let authors: Vec<Value> = preview["authors"]
        .as_array()
        .context("authors")?
        .iter()
        .map(|a| json!({ "name": a["name"], "member_id": null }))
        .collect();
    let started = Instant::now();
    let path = format!("/api/v1/chats/{chat}/imports/{import}");
    let _: Value = conn.post(&format!("{path}/apply"), Some(token), &json!({ "authors": authors })).await?.json(200)?;
    loop {
        let progress: Value = conn.get(&path, Some(token)).await?.json(200)?;
        if progress["state"] != "running" {
            anyhow::ensure!(progress["state"] == "done", "the import ended {progress}");
            return Ok((started.elapsed().as_secs_f64(), progress));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A teacher sends to her class's chat every 100 ms until told to stop; each send's
/// time to its answer, in milliseconds.
async fn send_meanwhile(
    mut conn: Conn,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> anyhow::Result<Vec<f64>> {
    let login = json!({ "login": "ivanova@demo.parta.local", "password": "demo-parta-2026" });
    let session: Value = conn.post("/api/v1/auth/login", None, &login).await?.json(200)?;
    let token = session["token"].as_str().context("a session token")?.to_owned();
    let chats: Value = conn.get("/api/v1/chats", Some(&token)).await?.json(200)?;
    let chat = chats
        .as_array()
        .and_then(|list| list.iter().find(|c| c["kind"] == "class" && c["abilities"]["post"] == true))
        .and_then(|c| c["id"].as_i64())
        .context("a class chat the teacher writes in")?;
    let mut times = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        tick.tick().await;
        let body =
            json!({ "client_msg_id": format!("meanwhile-{}", times.len()), "body": "Напоминаю про сменную обувь" });
        let started = Instant::now();
        let _: Value = conn.post(&format!("/api/v1/chats/{chat}/messages"), Some(&token), &body).await?.json(201)?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(times)
}

pub async fn chat_import(args: ChatImportArgs) -> anyhow::Result<()> {
    let body = export(args.messages);
    eprintln!("export: {} messages, {} KB", args.messages, body.len() / 1024);
    let launch = Launch { parta_bin: args.parta_bin.as_deref(), database_url: args.database_url.as_deref() };
    let mut runs = Vec::new();
    for run in 0..args.runs {
        let data = std::env::temp_dir().join(format!("parta-bench-chat-import-{}-{run}", std::process::id()));
        std::fs::create_dir_all(&data)?;
        let server = start_parta_with(&launch, &data, 93, &["--demo".to_owned()]).await?;
        let mut conn = Conn::new(server.address);
        let login = json!({ "login": "admin@demo.parta.local", "password": "demo-parta-2026" });
        let session: Value = conn.post("/api/v1/auth/login", None, &login).await?.json(200)?;
        let token = session["token"].as_str().context("a session token")?.to_owned();
        let chats: Value = conn.get("/api/v1/chats", Some(&token)).await?.json(200)?;
        let chat = chats
            .as_array()
            .and_then(|list| list.iter().find(|c| c["abilities"]["import_history"] == true))
            .and_then(|c| c["id"].as_i64())
            .context("a chat the admin may import into")?;
        let (dry_run_secs, preview) = upload(&mut conn, chat, &token, &body).await?;
        anyhow::ensure!(preview["messages"] == args.messages, "the dry run counted {}", preview["messages"]);
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let sender = tokio::spawn(send_meanwhile(Conn::new(server.address), stop.clone()));
        let imported = apply(&mut conn, chat, &token, &preview).await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut sends = sender.await??;
        let (import_secs, done) = imported?;
        sends.sort_by(f64::total_cmp);
        let (again_upload, preview) = upload(&mut conn, chat, &token, &body).await?;
        let (again_apply, again) = apply(&mut conn, chat, &token, &preview).await?;
        anyhow::ensure!(again["imported"] == 0, "the same export again added {}", again["imported"]);
        let result = Run {
            dry_run_secs,
            import_secs,
            again_secs: again_upload + again_apply,
            imported: done["imported"].as_i64().unwrap_or_default(),
            sends_during: sends.len(),
            send_p50_ms: sends.get(sends.len() / 2).copied().unwrap_or_default(),
            send_max_ms: sends.last().copied().unwrap_or_default(),
        };
        eprintln!(
            "run {}: upload and dry run {:.2} s, import {:.2} s ({} messages), the same again {:.2} s; \
             {} sends elsewhere meanwhile: median {:.1} ms, longest {:.0} ms",
            run + 1,
            result.dry_run_secs,
            result.import_secs,
            result.imported,
            result.again_secs,
            result.sends_during,
            result.send_p50_ms,
            result.send_max_ms
        );
        runs.push(result);
        drop(server);
        let _ = std::fs::remove_dir_all(&data);
    }
    let report = Report {
        date: jiff::Timestamp::now().to_string(),
        machine: machine(),
        messages: args.messages,
        export_bytes: body.len(),
        runs,
    };
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)?;
    }
    Ok(())
}
