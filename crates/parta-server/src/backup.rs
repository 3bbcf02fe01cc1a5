//! Backups of a deployment, taken while it runs, and putting one back.
//!
//! `backup` copies the database as one consistent snapshot — SQLite's `VACUUM INTO`
//! (a read transaction of its own: the server goes on writing meanwhile), or
//! PostgreSQL's own `pg_dump` — and then the files. Files are copied after the
//! snapshot, so every file the snapshot names was written before it (a file is
//! stored before the row that names it commits). `restore` puts a backup into an
//! empty data directory (and, on PostgreSQL, a database without Parta's tables),
//! checks it, and leaves migrations to the next start.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail, ensure};
use serde::{Deserialize, Serialize};
use sqlx::Connection;

/// What a backup holds, written beside it as `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: u32,
    pub parta_version: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub created_at: String,
    /// The last migration the database had.
    pub migration: i64,
    pub files: u64,
    pub file_bytes: u64,
}

const MANIFEST: &str = "manifest.json";
const SQLITE_FILE: &str = "parta.db";
const DUMP_FILE: &str = "database.dump";
const FILES: &str = "files";

fn is_sqlite(database_url: &str) -> bool {
    database_url.starts_with("sqlite:")
}

/// The database file a `sqlite://…` URL names.
fn sqlite_path(database_url: &str) -> PathBuf {
    let rest = database_url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    PathBuf::from(rest.split('?').next().unwrap_or(rest))
}

/// `'…'` for SQL, quotes doubled.
fn sql_text(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The schema a PostgreSQL URL puts first on the search path (a deployment sharing a
/// database keeps to its schema), if it names one.
fn pg_schema(database_url: &str) -> Option<String> {
    let query = database_url.split_once('?')?.1;
    let options = query.split('&').find_map(|pair| pair.strip_prefix("options="))?;
    let decoded = percent_decode(options);
    let path = decoded.split("search_path").nth(1)?.trim_start_matches([' ', '=']);
    let schema = path.split([',', ' ']).next()?.trim();
    (!schema.is_empty() && schema.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then(|| schema.to_owned())
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Runs one of PostgreSQL's own tools, saying what failed.
fn run_tool(program: &str, args: &[&str]) -> anyhow::Result<()> {
    let output = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("running {program} (PostgreSQL's client tools must be installed)"))?;
    ensure!(output.status.success(), "{program} failed: {}", String::from_utf8_lossy(&output.stderr).trim());
    Ok(())
}

async fn last_migration(database_url: &str) -> anyhow::Result<i64> {
    let mut conn = sqlx::AnyConnection::connect(database_url).await?;
    let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM parta_migrations")
        .fetch_one(&mut conn)
        .await
        .context("the database has no Parta tables")?;
    conn.close().await?;
    Ok(version.unwrap_or(0))
}

/// Copies a folder's files into another, recursively, each synced to disk; returns
/// how many files and bytes.
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<(u64, u64)> {
    let (mut files, mut bytes) = (0, 0);
    if !from.exists() {
        return Ok((0, 0));
    }
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            let (f, b) = copy_tree(&entry.path(), &target)?;
            files += f;
            bytes += b;
        } else if kind.is_file() {
            bytes += std::fs::copy(entry.path(), &target)?;
            std::fs::File::open(&target)?.sync_all()?;
            files += 1;
        }
    }
    Ok((files, bytes))
}

fn empty_or_missing(dir: &Path) -> std::io::Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e),
    }
}

/// Backs up the deployment at `database_url` with its files under `data` into `dest`,
/// a new or empty folder.
pub async fn backup(database_url: &str, data: &Path, dest: &Path) -> anyhow::Result<Manifest> {
    sqlx::any::install_default_drivers();
    ensure!(empty_or_missing(dest)?, "{} is not empty: a backup goes into a new folder", dest.display());
    std::fs::create_dir_all(dest).with_context(|| format!("creating {}", dest.display()))?;
    let migration = last_migration(database_url).await?;
    let backend = if is_sqlite(database_url) {
        let source = sqlite_path(database_url);
        ensure!(source.exists(), "no database at {}", source.display());
        let mut conn = sqlx::AnyConnection::connect(database_url).await?;
        let target = dest.join(SQLITE_FILE);
        let statement = format!("VACUUM INTO {}", sql_text(&target.to_string_lossy()));
        sqlx::query(sqlx::AssertSqlSafe(statement)).execute(&mut conn).await.context("copying the database")?;
        conn.close().await?;
        std::fs::File::open(&target)?.sync_all()?;
        "sqlite"
    } else {
        let file = dest.join(DUMP_FILE);
        let file = file.to_string_lossy();
        let mut args =
            vec!["--format=custom", "--no-owner", "--no-privileges", "--file", &file, "--dbname", database_url];
        let schema = pg_schema(database_url);
        if let Some(schema) = &schema {
            args.extend(["--schema", schema]);
        }
        let args: Vec<String> = args.into_iter().map(str::to_owned).collect();
        tokio::task::spawn_blocking(move || run_tool("pg_dump", &args.iter().map(String::as_str).collect::<Vec<_>>()))
            .await??;
        std::fs::File::open(dest.join(DUMP_FILE))?.sync_all()?;
        "postgres"
    };
    let (from, to) = (data.join(FILES), dest.join(FILES));
    let (files, file_bytes) =
        tokio::task::spawn_blocking(move || copy_tree(&from, &to)).await?.context("copying the files")?;
    let manifest = Manifest {
        format: 1,
        parta_version: env!("CARGO_PKG_VERSION").to_owned(),
        backend: backend.to_owned(),
        created_at: crate::clock::rfc3339(crate::clock::now_ms()),
        migration,
        files,
        file_bytes,
    };
    std::fs::write(dest.join(MANIFEST), serde_json::to_vec_pretty(&manifest)?)?;
    Ok(manifest)
}

/// Puts the backup in `src` into `data` (empty) and the database at `database_url`
/// (new: no Parta tables yet).
pub async fn restore(database_url: &str, data: &Path, src: &Path) -> anyhow::Result<Manifest> {
    sqlx::any::install_default_drivers();
    let manifest: Manifest = serde_json::from_slice(
        &std::fs::read(src.join(MANIFEST)).with_context(|| format!("{} is not a Parta backup", src.display()))?,
    )?;
    ensure!(manifest.format == 1, "this backup's format ({}) is newer than this Parta knows", manifest.format);
    ensure!(
        empty_or_missing(&data.join(FILES))?,
        "{} already holds files: restore into an empty data directory",
        data.display()
    );
    match (manifest.backend.as_str(), is_sqlite(database_url)) {
        ("sqlite", true) => {
            let target = sqlite_path(database_url);
            ensure!(!target.exists(), "{} exists: restore into an empty data directory", target.display());
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let partial = target.with_extension("db.restoring");
            std::fs::copy(src.join(SQLITE_FILE), &partial)?;
            std::fs::File::open(&partial)?.sync_all()?;
            std::fs::rename(&partial, &target)?;
            let mut conn = sqlx::AnyConnection::connect(database_url).await?;
            let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut conn).await?;
            conn.close().await?;
            ensure!(check == "ok", "the restored database fails its integrity check: {check}");
        }
        ("postgres", false) => {
            let mut conn = sqlx::AnyConnection::connect(database_url).await?;
            let taken: Option<String> =
                sqlx::query_scalar("SELECT CAST(to_regclass('parta_migrations') AS TEXT)").fetch_one(&mut conn).await?;
            conn.close().await?;
            ensure!(taken.is_none(), "the database already has Parta's tables: restore into a new database");
            let dump = src.join(DUMP_FILE);
            let dump = dump.to_string_lossy();
            run_tool(
                "pg_restore",
                &[
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    "--dbname",
                    database_url,
                    &dump,
                ],
            )?;
        }
        (backend, _) => bail!("this is a {backend} backup; the database named is not {backend}"),
    }
    let (files, _) = copy_tree(&src.join(FILES), &data.join(FILES)).context("copying the files")?;
    ensure!(files == manifest.files, "the backup lists {} files but holds {files}", manifest.files);
    let migration = last_migration(database_url).await?;
    ensure!(
        migration == manifest.migration,
        "the restored database is at migration {migration}, not {}",
        manifest.migration
    );
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_url_may_keep_to_one_schema() {
        assert_eq!(pg_schema("postgres://p@h/db?options=-c%20search_path%3Dt_1_abc"), Some("t_1_abc".into()));
        assert_eq!(
            pg_schema("postgres://p@h/db?sslmode=disable&options=-c%20search_path%3Dparta,public"),
            Some("parta".into())
        );
        assert_eq!(pg_schema("postgres://p@h/db"), None);
        assert_eq!(pg_schema("postgres://p@h/db?options=-c%20search_path%3D%22x%3By%22"), None);
    }

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(sqlite_path("sqlite:///srv/parta/parta.db?mode=rwc"), PathBuf::from("/srv/parta/parta.db"));
        assert_eq!(sql_text("/tmp/o'brien/parta.db"), "'/tmp/o''brien/parta.db'");
    }
}
