//! The database handle shared by both backends: connection pools, durability
//! settings checked at start, and the embedded migration history of each backend.
//!
//! Both backends go through sqlx's `Any` driver with one SQL dialect: `$1`
//! placeholders (SQLite reads them as numbered parameters), 64-bit integers for
//! ids, times (Unix ms) and 0/1 flags, and text for everything else.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyConnection, AnyPool, Connection, Executor, Row};
use tokio::sync::{Mutex, OwnedMutexGuard};

pub type Tx = sqlx::Transaction<'static, Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Clone)]
pub struct Db {
    pub backend: Backend,
    reads: AnyPool,
    writes: Writes,
}

#[derive(Clone)]
enum Writes {
    Pool(AnyPool),
    /// SQLite has one writer at a time: one connection, queued for in-process,
    /// instead of writers failing each other with SQLITE_BUSY. Not an sqlx pool of
    /// one: a pool pings each connection it gets back, one more round trip to
    /// SQLite's thread per transaction.
    Sqlite(Arc<Mutex<SqliteWriter>>),
}

/// SQLite's write connection. `open` says a transaction may be open on it: work
/// that ended without committing left it so, and the next holder rolls it back
/// before anything else (`Db::sqlite_writer`).
pub struct SqliteWriter {
    conn: Option<AnyConnection>,
    options: AnyConnectOptions,
    pub open: bool,
}

impl SqliteWriter {
    pub fn conn(&mut self) -> &mut AnyConnection {
        self.conn.as_mut().expect("the writer is connected while held (`Db::sqlite_writer`)")
    }

    pub fn conn_ref(&self) -> &AnyConnection {
        self.conn.as_ref().expect("the writer is connected while held (`Db::sqlite_writer`)")
    }
}

pub type SqliteWriterGuard = OwnedMutexGuard<SqliteWriter>;

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

/// One history per backend, kept in step: a migration is added to both at once,
/// and the whole API test suite runs on both.
/// Both backends' scripts of one migration, by file name.
macro_rules! migration {
    ($version:literal, $name:literal, $file:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $file)),
            postgres: include_str!(concat!("../migrations/postgres/", $file)),
        }
    };
}

const MIGRATIONS: &[Migration] = &[
    migration!(1, "foundation", "0001_foundation.sql"),
    migration!(2, "messaging", "0002_messaging.sql"),
    migration!(3, "reactions_pins_acks", "0003_reactions_pins_acks.sql"),
    migration!(4, "polls", "0004_polls.sql"),
    migration!(5, "attachments", "0005_attachments.sql"),
    migration!(6, "message_versions", "0006_message_versions.sql"),
    migration!(7, "moderation", "0007_moderation.sql"),
    migration!(8, "quiet_hours", "0008_quiet_hours.sql"),
    migration!(9, "direct_messages", "0009_direct_messages.sql"),
    migration!(10, "org_on_child_rows", "0010_org_on_child_rows.sql"),
    migration!(11, "group_chats", "0011_group_chats.sql"),
    migration!(12, "search_forwarding", "0012_search_forwarding.sql"),
    migration!(13, "search_terms_lean", "0013_search_terms_lean.sql"),
    migration!(14, "search_terms_no_fk", "0014_search_terms_no_fk.sql"),
    migration!(15, "search_fts", "0015_search_fts.sql"),
    migration!(16, "hardening", "0016_hardening.sql"),
    migration!(17, "school_year", "0017_school_year.sql"),
    migration!(18, "teaching", "0018_teaching.sql"),
    migration!(19, "timetable", "0019_timetable.sql"),
    migration!(20, "journal", "0020_journal.sql"),
    migration!(21, "period_marks", "0021_period_marks.sql"),
    migration!(22, "homework", "0022_homework.sql"),
    migration!(23, "diary_signatures", "0023_diary_signatures.sql"),
    migration!(24, "calendar_feeds", "0024_calendar_feeds.sql"),
    migration!(25, "lesson_overrides", "0025_lesson_overrides.sql"),
    migration!(26, "submissions", "0026_submissions.sql"),
    migration!(27, "journal_settings", "0027_journal_settings.sql"),
    migration!(28, "homework_cards", "0028_homework_cards.sql"),
    migration!(29, "calls", "0029_calls.sql"),
    migration!(30, "regulations", "0030_regulations.sql"),
    migration!(31, "distance_orders", "0031_distance_orders.sql"),
    migration!(32, "individual_assignments", "0032_individual_assignments.sql"),
    migration!(33, "year_transition", "0033_year_transition.sql"),
    migration!(34, "oversight", "0034_oversight.sql"),
    migration!(35, "settled_posts", "0035_settled_posts.sql"),
    migration!(36, "notifications", "0036_notifications.sql"),
    migration!(37, "mail", "0037_mail.sql"),
    migration!(38, "chat_silence", "0038_chat_silence.sql"),
    migration!(39, "digests", "0039_digests.sql"),
    migration!(40, "push", "0040_push.sql"),
    migration!(41, "profile", "0041_profile.sql"),
    migration!(42, "list_unsubscribe", "0042_list_unsubscribe.sql"),
    migration!(43, "roster", "0043_roster.sql"),
    migration!(44, "webhooks", "0044_webhooks.sql"),
    migration!(45, "oidc", "0045_oidc.sql"),
    migration!(46, "chat_import", "0046_chat_import.sql"),
    migration!(47, "chat_import_staging", "0047_chat_import_staging.sql"),
];

impl Db {
    /// Connects to `sqlite://…` or `postgres://…` and checks that commits are durable.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            bail!("unsupported database URL (expected sqlite:// or postgres://)");
        };
        let options: AnyConnectOptions = url.parse().context("parsing the database URL")?;
        let db = match backend {
            Backend::Sqlite => {
                let writer =
                    SqliteWriter { conn: Some(sqlite_connect(&options).await?), options: options.clone(), open: false };
                let reads = sqlite_pool(4).connect_with(options).await?;
                Db { backend, reads, writes: Writes::Sqlite(Arc::new(Mutex::new(writer))) }
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute("SET synchronous_commit = on").await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await
                    .context("connecting to PostgreSQL")?;
                Db { backend, reads: pool.clone(), writes: Writes::Pool(pool) }
            }
        };
        db.check_durability().await?;
        Ok(db)
    }

    /// The pool for reads that need no transaction.
    pub fn reads(&self) -> &AnyPool {
        &self.reads
    }

    /// Starts a write transaction on PostgreSQL's pool (SQLite's goes through
    /// `sqlite_writer`).
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        match &self.writes {
            Writes::Pool(pool) => pool.begin().await,
            Writes::Sqlite(_) => Err(sqlx::Error::Protocol("SQLite writes through its writer".into())),
        }
    }

    /// SQLite's one write connection, once nobody else holds it, with no transaction
    /// open. `None` on PostgreSQL.
    pub async fn sqlite_writer(&self) -> Option<Result<SqliteWriterGuard, sqlx::Error>> {
        let Writes::Sqlite(writer) = &self.writes else { return None };
        Some(hold(writer).await)
    }

    /// A connection for setting up: migrations, checks.
    async fn with_writer<T>(
        &self,
        run: impl AsyncFnOnce(&mut AnyConnection) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        match &self.writes {
            Writes::Pool(pool) => run(&mut *pool.acquire().await?).await,
            Writes::Sqlite(writer) => run(hold(writer).await?.conn()).await,
        }
    }

    /// Acknowledged must mean durable: refuse to start on settings that lose commits.
    async fn check_durability(&self) -> anyhow::Result<()> {
        let backend = self.backend;
        self.with_writer(async |conn| check_durability(backend, conn).await).await
    }

    /// Applies the migrations this database has not seen, each in its own transaction.
    pub async fn migrate(&self) -> anyhow::Result<Vec<&'static str>> {
        let backend = self.backend;
        self.with_writer(async |conn| migrate(backend, conn).await).await
    }

    /// For `/readyz`: can we run a query right now?
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.reads).await.map(|_| ())
    }

    pub async fn close(&self) {
        self.reads.close().await;
        match &self.writes {
            Writes::Pool(pool) => pool.close().await,
            Writes::Sqlite(writer) => {
                if let Some(conn) = writer.lock().await.conn.take() {
                    let _ = conn.close().await;
                }
            }
        }
    }
}

/// SQLite's writer, once nobody else holds it, cleaned of what its last holder left.
async fn hold(writer: &Arc<Mutex<SqliteWriter>>) -> Result<SqliteWriterGuard, sqlx::Error> {
    let mut writer = writer.clone().lock_owned().await;
    clean(&mut writer).await?;
    Ok(writer)
}

/// Rolls back what the writer's last holder left open; should that fail, the
/// connection is replaced (a connection that may hold a transaction is not used).
async fn clean(writer: &mut SqliteWriter) -> Result<(), sqlx::Error> {
    if writer.conn.is_none() {
        return Err(sqlx::Error::PoolClosed);
    }
    if writer.open {
        if sqlx::query("ROLLBACK").execute(writer.conn()).await.is_err() {
            let fresh = sqlite_connect(&writer.options).await?;
            if let Some(old) = writer.conn.replace(fresh) {
                let _ = old.close_hard().await;
            }
        }
        writer.open = false;
    }
    Ok(())
}

/// Acknowledged must mean durable: refuse to start on settings that lose commits.
async fn check_durability(backend: Backend, conn: &mut AnyConnection) -> anyhow::Result<()> {
    match backend {
        Backend::Sqlite => {
            let journal: String = sqlx::query("PRAGMA journal_mode").fetch_one(&mut *conn).await?.try_get(0)?;
            let synchronous: i64 = sqlx::query("PRAGMA synchronous").fetch_one(&mut *conn).await?.try_get(0)?;
            let foreign_keys: i64 = sqlx::query("PRAGMA foreign_keys").fetch_one(&mut *conn).await?.try_get(0)?;
            if journal.to_lowercase() != "wal" || synchronous != 2 || foreign_keys != 1 {
                bail!(
                    "SQLite must run with journal_mode=WAL, synchronous=FULL, foreign_keys=ON \
                     (found {journal}, {synchronous}, {foreign_keys})"
                );
            }
        }
        Backend::Postgres => {
            let setting: String = sqlx::query("SHOW synchronous_commit").fetch_one(&mut *conn).await?.try_get(0)?;
            if setting != "on" && setting != "remote_apply" && setting != "remote_write" {
                bail!("PostgreSQL must run with synchronous_commit=on (found {setting})");
            }
        }
    }
    Ok(())
}

/// Applies the migrations this database has not seen, each in its own transaction.
async fn migrate(backend: Backend, conn: &mut AnyConnection) -> anyhow::Result<Vec<&'static str>> {
    conn.execute(
        "CREATE TABLE IF NOT EXISTS parta_migrations (
            version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .await?;
    let mut applied = Vec::new();
    for migration in MIGRATIONS {
        let mut tx = conn.begin().await?;
        let done = sqlx::query("SELECT 1 FROM parta_migrations WHERE version = $1")
            .bind(migration.version)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if done {
            continue;
        }
        let script = match backend {
            Backend::Sqlite => migration.sqlite,
            Backend::Postgres => migration.postgres,
        };
        tx.execute(sqlx::raw_sql(script))
            .await
            .with_context(|| format!("migration {} ({})", migration.version, migration.name))?;
        sqlx::query("INSERT INTO parta_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(migration.version)
            .bind(migration.name)
            .bind(crate::clock::now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        applied.push(migration.name);
    }
    Ok(applied)
}

/// Every SQLite connection: WAL, commits durable on return, foreign keys checked,
/// and a wait rather than an error when another process holds the write lock.
/// Temporary files in memory: a statement that may fail halfway (a batch's multi-row
/// INSERT) keeps the pages it changes in a statement journal, which otherwise spills
/// past 64 KiB into a new file in the temp directory — a fifth of the writer's time
/// went to opening and writing those files.
const SQLITE_SETTINGS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
     PRAGMA busy_timeout = 10000; PRAGMA temp_store = MEMORY;";

async fn sqlite_connect(options: &AnyConnectOptions) -> Result<AnyConnection, sqlx::Error> {
    let mut conn = AnyConnection::connect_with(options).await?;
    conn.execute(SQLITE_SETTINGS).await?;
    Ok(conn)
}

fn sqlite_pool(max_connections: u32) -> AnyPoolOptions {
    // A file on local disk cannot drop the connection: no ping before each use
    // (on SQLite a ping is a round trip to the connection's thread).
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(30))
        .test_before_acquire(false)
        .after_connect(|conn: &mut AnyConnection, _| {
            Box::pin(async move {
                conn.execute(SQLITE_SETTINGS).await?;
                Ok(())
            })
        })
}

#[cfg(test)]
mod tests {
    use sqlx::{Connection, Executor, SqliteConnection};

    use super::MIGRATIONS;

    /// A database from before migration 15 keeps its search: each message's terms move
    /// from the B-tree into FTS5, one row per message.
    #[tokio::test]
    async fn sqlite_search_terms_move_into_fts5() {
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.expect("in memory");
        // The terms are written alone, without the messages they belong to.
        conn.execute("PRAGMA foreign_keys = OFF").await.expect("pragma");
        let (before, rest) = MIGRATIONS.split_at(MIGRATIONS.iter().position(|m| m.version == 15).expect("15"));
        for migration in before {
            conn.execute(sqlx::raw_sql(migration.sqlite)).await.expect(migration.name);
        }
        conn.execute(
            "INSERT INTO message_terms (term, message_id, chat_id, org_id) VALUES
             ('контрольн', 7, 1, 1), ('алгебр', 7, 1, 1), ('контрольн', 9, 2, 1), ('5а', 9, 2, 1)",
        )
        .await
        .expect("terms");
        conn.execute(sqlx::raw_sql(rest[0].sqlite)).await.expect("migration 15");
        let found = |query: &'static str| {
            sqlx::query_scalar::<_, i64>(
                "SELECT rowid FROM message_search WHERE message_search MATCH $1 ORDER BY rowid",
            )
            .bind(query)
        };
        assert_eq!(found("\"контр\"*").fetch_all(&mut conn).await.expect("search"), [7, 9]);
        assert_eq!(found("\"алгебр\"* AND \"контр\"*").fetch_all(&mut conn).await.expect("search"), [7]);
        assert_eq!(found("\"5а\"").fetch_all(&mut conn).await.expect("search"), [9]);
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE name = 'message_terms'")
            .fetch_one(&mut conn)
            .await
            .expect("schema");
        assert_eq!(left, 0, "the B-tree is gone");
    }
}
