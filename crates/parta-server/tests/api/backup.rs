//! Backups: a deployment copied while messages are being sent, put back into an empty
//! data directory (and, on PostgreSQL, a new database), holds every message that was
//! acknowledged before the backup began and every file, byte for byte.

use std::time::Instant;

use serde_json::json;

use crate::messaging::{chat_id, class_with_people};
use crate::on_both_backends;
use parta_server::db::Backend;

use crate::support::{TestApp, multipart};

on_both_backends!(a_backup_taken_under_load_restores_every_acknowledged_message_and_file);

/// Where a backup of `app` is restored: a new folder, and for PostgreSQL a new database
/// (dropped by the caller) with the same search path.
async fn restore_target(app: &TestApp) -> (String, std::path::PathBuf, Option<String>) {
    let dir =
        std::env::temp_dir().join(format!("parta-restored-{}-{}", std::process::id(), parta_server::clock::now_ms()));
    match app.backend {
        Backend::Sqlite => (parta_server::cli::sqlite_url(&dir.join("parta.db")), dir, None),
        Backend::Postgres => {
            use sqlx::Connection;
            let url = app.database_url();
            let (address, query) = url.split_once('?').unwrap_or((url, ""));
            let (server, _) = address.rsplit_once('/').expect("a database name");
            let name = format!("restored_{}", parta_server::clock::now_ms());
            let mut conn = sqlx::AnyConnection::connect(address).await.expect("PostgreSQL");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .expect("created");
            conn.close().await.expect("closed");
            (format!("{server}/{name}?{query}"), dir, Some(name))
        }
    }
}

async fn a_backup_taken_under_load_restores_every_acknowledged_message_and_file(app: TestApp) {
    // One teacher sends as fast as the server answers: no flood limit here.
    let app = app.with_settings(|s| s.messages_per_minute = 0);
    let c = class_with_people(&app, 651).await;
    let chat = chat_id(&app, &c.teacher.token, c.school.org, "parents", Some(c.a)).await;
    let send = |key: String| {
        app.post(&format!("/api/v1/chats/{chat}/messages"))
            .token(&c.teacher.token)
            .json(json!({ "client_msg_id": key, "body": "Напоминание о собрании в четверг" }))
    };
    // Files posted in the chat, and a history for the copy to take some time over.
    let mut files = Vec::new();
    for n in 0..3 {
        let bytes = format!("Протокол собрания № {n}\n").repeat(200 + n).into_bytes();
        let (content_type, body) = multipart(&[], &[("file", &format!("протокол-{n}.txt"), &bytes)]);
        let file = app
            .post(&format!("/api/v1/chats/{chat}/files"))
            .token(&c.teacher.token)
            .raw(&content_type, body)
            .send()
            .await;
        let id = file.expect(201).id();
        app.post(&format!("/api/v1/chats/{chat}/messages"))
            .token(&c.teacher.token)
            .json(json!({ "client_msg_id": format!("file-{n}"), "body": "", "attachments": [id] }))
            .send()
            .await
            .expect(201);
        files.push((id, bytes));
    }
    for n in 0..300 {
        send(format!("history-{n}")).send().await.expect(201);
    }

    // Sends go on, acknowledged one after another, while the backup is taken.
    let dest = app.scratch_dir("backup");
    let stop = std::sync::atomic::AtomicBool::new(false);
    let mut acked: Vec<(String, Instant)> = Vec::new();
    let writing = async {
        let mut n = 0;
        while !stop.load(std::sync::atomic::Ordering::SeqCst) {
            let key = format!("load-{n}");
            send(key.clone()).send().await.expect(201);
            acked.push((key, Instant::now()));
            n += 1;
            tokio::task::yield_now().await;
        }
    };
    let backing = async {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let started = Instant::now();
        let made = parta_server::backup::backup(app.database_url(), app.data_dir(), &dest).await;
        let finished = Instant::now();
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        (made, started, finished)
    };
    let ((), (made, started, finished)) = tokio::join!(writing, backing);
    let manifest = made.expect("backed up");
    assert_eq!(manifest.files, 3 + 1, "the three posted and the school's application order: {manifest:?}");
    let before: Vec<&String> = acked.iter().filter(|(_, at)| *at < started).map(|(k, _)| k).collect();
    let during = acked.iter().filter(|(_, at)| *at >= started && *at <= finished).count();
    assert!(
        !before.is_empty() && during > 0,
        "sends went on while the backup was taken ({} before, {during} during)",
        before.len()
    );

    // Into an empty place: every message acknowledged before the backup began, and the files.
    let (url, dir, database) = restore_target(&app).await;
    let put = parta_server::backup::restore(&url, &dir, &dest).await.expect("restored");
    assert_eq!(put, manifest);
    let restored = TestApp::on_existing(&url, dir.clone()).await.with_settings(|s| s.messages_per_minute = 0);
    let keys: Vec<String> = before.iter().map(|k| format!("'{k}'")).collect();
    let found =
        restored.count(format!("SELECT COUNT(*) FROM messages WHERE client_msg_id IN ({})", keys.join(", "))).await;
    assert_eq!(found, before.len() as i64, "acknowledged before the backup began, and missing after the restore");
    assert_eq!(restored.count("SELECT COUNT(*) FROM messages WHERE client_msg_id LIKE 'history-%'".into()).await, 300);
    for (id, bytes) in &files {
        let download = restored.get(&format!("/api/v1/files/{id}")).token(&c.teacher.token).send().await.expect(200);
        assert_eq!(&download.bytes, bytes, "file {id}");
    }
    // The restored deployment works: a new message is taken.
    restored
        .post(&format!("/api/v1/chats/{chat}/messages"))
        .token(&c.teacher.token)
        .json(json!({ "client_msg_id": "after-restore", "body": "Снова на связи" }))
        .send()
        .await
        .expect(201);

    // A restore never overwrites: not into the same place again, nor a backup into a full folder.
    let again = parta_server::backup::restore(&url, &dir, &dest).await.expect_err("refused");
    assert!(again.to_string().contains("empty") || again.to_string().contains("new database"), "{again}");
    let full = parta_server::backup::backup(app.database_url(), app.data_dir(), &dest).await.expect_err("refused");
    assert!(full.to_string().contains("not empty"), "{full}");

    if let Some(name) = database {
        use sqlx::Connection;
        drop(restored);
        let (address, _) = app.database_url().split_once('?').expect("a query");
        let mut conn = sqlx::AnyConnection::connect(address).await.expect("PostgreSQL");
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)")))
            .execute(&mut conn)
            .await
            .expect("dropped");
    }
}
