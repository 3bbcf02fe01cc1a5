//! D: durable ingest. Parta is sent messages as fast as it acknowledges them (no
//! socket open) while its write-ahead log's size is watched; then the **insert floor**
//! writes the same rows — each message, its event and its search terms — with plain
//! batched INSERTs into a scratch SQLite database holding Parta's own tables and
//! indexes (their DDL read from Parta's database), at the same durability (WAL,
//! `synchronous=FULL`), through the same driver.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, Executor, SqliteConnection};

/// Messages per transaction in the insert floor.
pub const FLOOR_BATCH: usize = 1_000;

/// The largest size Parta's `-wal` file reached while watched.
pub struct WalWatch {
    max: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl WalWatch {
    pub fn start(database: &Path) -> WalWatch {
        let wal = PathBuf::from(format!("{}-wal", database.display()));
        let (max, stop) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicBool::new(false)));
        let task = {
            let (max, stop) = (Arc::clone(&max), Arc::clone(&stop));
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    if let Ok(meta) = std::fs::metadata(&wal) {
                        max.fetch_max(meta.len(), Ordering::Relaxed);
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        };
        WalWatch { max, stop, task }
    }

    pub async fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.task.await;
        self.max.load(Ordering::Relaxed)
    }
}

#[derive(Debug, Serialize)]
pub struct InsertFloor {
    pub messages: u64,
    pub batch: usize,
    /// Rows written per message: the message, its event, its row of search terms.
    pub rows_per_message: f64,
    pub secs: f64,
    pub messages_per_s: f64,
    pub wal_max_bytes: u64,
}

/// Where the rows go: one class chat and its teacher, as in D.
pub struct RowShape {
    pub org: i64,
    pub chat: i64,
    pub sender: i64,
}

/// Writes `messages` messages the plain way and times it.
pub async fn insert_floor(parta_db: &Path, messages: u64, shape: &RowShape) -> anyhow::Result<InsertFloor> {
    let ddl = parta_ddl(parta_db).await?;
    let dir = std::env::temp_dir().join(format!("parta-insert-floor-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("floor.db");
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(false);
    let mut conn = SqliteConnection::connect_with(&options).await?;
    for statement in &ddl {
        conn.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(statement.clone()))).await?;
    }
    let payload_of = |number: u64, body: &str| {
        let message = crate::floor::message(number as i64 + 1, shape.chat, shape.sender, key(number), body.to_owned());
        serde_json::to_string(&parta_protocol::ChatEvent::MessageSent { message }).unwrap_or_default()
    };
    let wal = WalWatch::start(&path);
    let started = Instant::now();
    let mut rows = 0_u64;
    let mut number = 0_u64;
    while number < messages {
        let batch: Vec<u64> = (number..messages.min(number + FLOOR_BATCH as u64)).collect();
        number += batch.len() as u64;
        let bodies: Vec<String> = batch.iter().map(|&n| crate::swarm::body(n, n)).collect();
        let now = jiff::Timestamp::now().as_millisecond();
        let mut tx = conn.begin().await?;

        let mut sql = String::from(
            "INSERT INTO messages (id, org_id, chat_id, seq, sender_id, client_msg_id, body, created_at, needs_ack) VALUES ",
        );
        sql.push_str(&placeholders(batch.len(), 9));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (&n, body) in batch.iter().zip(&bodies) {
            let id = n as i64 + 1;
            query = query.bind(id).bind(shape.org).bind(shape.chat).bind(id).bind(shape.sender);
            query = query.bind(key(n)).bind(body.as_str()).bind(now).bind(0_i64);
        }
        query.execute(&mut *tx).await?;

        let mut sql = String::from("INSERT INTO chat_events (chat_id, seq, org_id, payload, created_at) VALUES ");
        sql.push_str(&placeholders(batch.len(), 5));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (&n, body) in batch.iter().zip(&bodies) {
            query = query.bind(shape.chat).bind(n as i64 + 1).bind(shape.org).bind(payload_of(n, body)).bind(now);
        }
        query.execute(&mut *tx).await?;

        // Parta's search index on SQLite: a row of terms per message (FTS5).
        let terms: Vec<(i64, String)> = batch
            .iter()
            .zip(&bodies)
            .map(|(&n, body)| (n as i64 + 1, parta_domain::search::terms(body).join(" ")))
            .collect();
        let mut sql = String::from("INSERT INTO message_search (rowid, terms) VALUES ");
        sql.push_str(&placeholders(terms.len(), 2));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (message, terms) in &terms {
            query = query.bind(*message).bind(terms.as_str());
        }
        query.execute(&mut *tx).await?;
        tx.commit().await?;
        rows += 2 * batch.len() as u64 + terms.len() as u64;
    }
    let secs = started.elapsed().as_secs_f64();
    let wal_max_bytes = wal.finish().await;
    conn.close().await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(InsertFloor {
        messages,
        batch: FLOOR_BATCH,
        rows_per_message: rows as f64 / messages.max(1) as f64,
        secs,
        messages_per_s: messages as f64 / secs,
        wal_max_bytes,
    })
}

fn key(number: u64) -> String {
    format!("floor-{number}")
}

/// `(?, ?, …), (…)`: `rows` groups of `columns` parameters. Plain `?` (SQLite numbers
/// them in order): SQLite treats `$N` as names, looked up one by one as it parses.
fn placeholders(rows: usize, columns: usize) -> String {
    let group = format!("({})", vec!["?"; columns].join(", "));
    vec![group; rows].join(", ")
}

/// Parta's DDL for the tables a message writes to, tables before their indexes.
async fn parta_ddl(parta_db: &Path) -> anyhow::Result<Vec<String>> {
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", parta_db.display()))?.read_only(true);
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let ddl: Vec<String> = sqlx::query_scalar(
        "SELECT sql FROM sqlite_master
         WHERE tbl_name IN ('messages', 'chat_events', 'message_search') AND sql IS NOT NULL
         ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END, name",
    )
    .fetch_all(&mut conn)
    .await?;
    conn.close().await?;
    anyhow::ensure!(ddl.len() >= 3, "Parta's database at {} has no message tables", parta_db.display());
    Ok(ddl)
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_give_every_row_its_columns() {
        assert_eq!(placeholders(2, 3), "(?, ?, ?), (?, ?, ?)");
        assert_eq!(placeholders(1, 1), "(?)");
    }
}
