//! `parta-bench statistics`: a school's dashboard over a year of activity, timed. Takes
//! the school `parta-bench journal --prepare-only` left in `--data` (60 classes, 1,500
//! students with a parent each, 100 teachers, weeks of journal), gives it a year of
//! chat history written straight into its SQLite file (`--messages` spread over the
//! class, parents and staff chats across `--days` days; one post in 400 of the parents
//! chats to confirm, most confirmed; reports, quiet-hours holds, everyone's read
//! positions), a year of people signing in (per day and week, as the server counts
//! them), and an education authority with the school's admin as its curator; then
//! copies the school `--schools - 1` times into the same authority (its people, chats
//! and year of messages, journal and activity under new ids). Then starts Parta on it
//! and times `GET …/statistics` for each period and the authority's comparison of all
//! its schools through the API, `--runs` times each.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use parta_domain::statistics::{SETTLED_AFTER_DAYS, day_number, week_number};
use serde::Serialize;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, SqliteConnection};

use crate::http::Conn;
use crate::journal::school::call;
use crate::provision::Directory;
use crate::run::{Launch, machine, start_parta};

#[derive(Debug, Args)]
pub struct StatisticsArgs {
    /// The `parta` binary; by default the one beside this binary.
    #[arg(long)]
    parta_bin: Option<PathBuf>,
    /// A data directory prepared by `parta-bench journal --prepare-only --data …` (SQLite).
    #[arg(long)]
    data: PathBuf,
    /// Messages of the year of history (written once per data directory).
    #[arg(long, default_value_t = 2_000_000)]
    messages: usize,
    /// Days the history spans, ending today.
    #[arg(long, default_value_t = 365)]
    days: i64,
    /// Schools of the authority: the prepared school and copies of it (written once).
    #[arg(long, default_value_t = 100)]
    schools: usize,
    /// Requests timed per period.
    #[arg(long, default_value_t = 10)]
    runs: usize,
    /// Write the results here as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
struct Timing {
    what: String,
    runs_ms: Vec<f64>,
    median_ms: f64,
    max_ms: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    date: String,
    machine: String,
    schools: i64,
    messages: i64,
    ack_posts: i64,
    acks: i64,
    active_days: i64,
    timings: Vec<Timing>,
}

/// A small fixed generator, so every data directory gets the same history.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
}

const DAY_MS: i64 = 86_400_000;

/// A message row: id, chat, position, sender, text, time, to confirm, released from quiet hours.
type Row = (i64, i64, i64, i64, String, i64, i64, Option<i64>);

/// Writes the year of history into the prepared school's database.
async fn fill(db: &Path, org: i64, messages: usize, days: i64) -> anyhow::Result<()> {
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", db.display()))?
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let chats: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT id, kind, last_seq FROM chats WHERE org_id = ?1
           AND kind IN ('class', 'parents', 'class_teachers', 'staff_room', 'school_channel') ORDER BY id",
    )
    .bind(org)
    .fetch_all(&mut conn)
    .await?;
    anyhow::ensure!(!chats.is_empty(), "no chats in school {org}");
    let seats: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT chat_id, user_id FROM chat_members WHERE org_id = ?1 AND left_at IS NULL ORDER BY chat_id, user_id",
    )
    .bind(org)
    .fetch_all(&mut conn)
    .await?;
    let mut members: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
    for (chat, user) in seats {
        members.entry(chat).or_default().push(user);
    }
    let now = jiff::Timestamp::now().as_millisecond();
    let start = now - days * DAY_MS;
    let mut rng = Lcg(20_261_207);
    let mut seq: std::collections::HashMap<i64, i64> = chats.iter().map(|(id, _, last)| (*id, *last)).collect();
    let first_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM messages").fetch_one(&mut conn).await?;

    let mut tx = conn.begin().await?;
    const ROWS: usize = 200;
    let mut batch: Vec<Row> = Vec::with_capacity(ROWS);
    let mut acks: Vec<(i64, i64, i64)> = Vec::new();
    let mut reports: Vec<(i64, i64, i64, i64, Option<i64>)> = Vec::new();
    let flush = |batch: &mut Vec<Row>| {
        let rows = std::mem::take(batch);
        let values = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; rows.len()].join(", ");
        let sql = format!(
            "INSERT INTO messages (id, org_id, chat_id, seq, sender_id, client_msg_id, body, created_at, needs_ack, released_at)
             VALUES {values}"
        );
        (sql, rows)
    };
    for i in 0..messages {
        let (chat, kind, _) = &chats[rng.below(chats.len() as u64) as usize];
        let Some(people) = members.get(chat).filter(|p| !p.is_empty()) else { continue };
        let sender = people[rng.below(people.len() as u64) as usize];
        let at = start + (i as i64) * (days * DAY_MS) / messages as i64;
        let position = seq.entry(*chat).or_default();
        *position += 1;
        let id = first_id + 1 + i as i64;
        let needs_ack = i64::from(kind == "parents" && rng.below(400) == 0);
        if needs_ack == 1 {
            for reader in people.iter().filter(|p| **p != sender) {
                if rng.below(10) < 7 {
                    acks.push((id, *reader, at + rng.below(48 * 3_600_000) as i64));
                }
            }
        }
        if rng.below(10_000) == 0 && people.len() > 1 {
            let reporter = people.iter().find(|p| **p != sender).copied().unwrap_or(sender);
            let resolved = (rng.below(10) < 8).then(|| at + rng.below(6 * 3_600_000) as i64);
            reports.push((id, *chat, reporter, at + 60_000, resolved));
        }
        let released = (rng.below(200) == 0).then_some(at + 8 * 3_600_000);
        batch.push((id, *chat, *position, sender, format!("Сообщение {i}"), at, needs_ack, released));
        if batch.len() == ROWS || i + 1 == messages {
            let (sql, rows) = flush(&mut batch);
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, chat, seq, sender, body, at, needs_ack, released) in rows {
                query = query
                    .bind(id)
                    .bind(org)
                    .bind(chat)
                    .bind(seq)
                    .bind(sender)
                    .bind(format!("bench-year-{id}"))
                    .bind(body)
                    .bind(at)
                    .bind(needs_ack)
                    .bind(released);
            }
            query.execute(&mut *tx).await?;
        }
    }
    for chunk in acks.chunks(300) {
        let values = vec!["(?, ?, ?, ?)"; chunk.len()].join(", ");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT OR IGNORE INTO message_acks (message_id, user_id, org_id, at) VALUES {values}"
        )));
        for (message, user, at) in chunk {
            query = query.bind(message).bind(user).bind(org).bind(at);
        }
        query.execute(&mut *tx).await?;
    }
    for (message, chat, reporter, at, resolved) in &reports {
        sqlx::query(
            "INSERT OR IGNORE INTO reports (org_id, chat_id, message_id, reporter_id, reason, status, created_at, resolved_at)
             VALUES (?, ?, ?, ?, 'Оскорбление', ?, ?, ?)",
        )
        .bind(org)
        .bind(chat)
        .bind(message)
        .bind(reporter)
        .bind(if resolved.is_some() { "dismissed" } else { "open" })
        .bind(at)
        .bind(resolved)
        .execute(&mut *tx)
        .await?;
    }
    for (chat, last) in &seq {
        sqlx::query("UPDATE chats SET last_seq = ?1 WHERE id = ?2").bind(last).bind(chat).execute(&mut *tx).await?;
        // Most have read nearly everything; some lag behind.
        sqlx::query("UPDATE chat_members SET last_read_seq = MAX(0, ?1 - (user_id % 7) * 3) WHERE chat_id = ?2 AND left_at IS NULL")
            .bind(last)
            .bind(chat)
            .execute(&mut *tx)
            .await?;
    }

    // Everyone has been there since before the year began, as in a school a year on.
    for (table, column) in [("members", "joined_at"), ("chat_members", "joined_at"), ("memberships", "started_at")] {
        sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE {table} SET {column} = MIN({column}, ?1) WHERE org_id = ?2")))
            .bind(start - DAY_MS)
            .bind(org)
            .execute(&mut *tx)
            .await?;
    }

    // A year of people signing in: staff most school days, students often, parents now and then.
    let people: Vec<(i64, String)> =
        sqlx::query_as("SELECT DISTINCT user_id, role FROM memberships WHERE org_id = ?1 AND ended_at IS NULL")
            .bind(org)
            .fetch_all(&mut *tx)
            .await?;
    let mut groups: std::collections::BTreeMap<i64, (i64, i64, i64)> = std::collections::BTreeMap::new();
    for (user, role) in people {
        let g = groups.entry(user).or_default();
        match role.as_str() {
            "student" => g.0 = 1,
            "parent" => g.1 = 1,
            _ => g.2 = 1,
        }
    }
    let today = day_number(jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get("Europe/Moscow")?).date());
    let mut day_counts: std::collections::BTreeMap<i64, (i64, i64, i64)> = std::collections::BTreeMap::new();
    let mut week_counts: std::collections::BTreeMap<i64, (i64, i64, i64)> = std::collections::BTreeMap::new();
    let mut day_rows: Vec<(i64, i64)> = Vec::new();
    let mut week_rows: std::collections::BTreeSet<(i64, i64)> = std::collections::BTreeSet::new();
    for (user, (s, p, t)) in &groups {
        let per_week = if *t == 1 {
            5
        } else if *s == 1 {
            4
        } else {
            2
        };
        for day in today - days + 1..=today {
            if (day + user).rem_euclid(7) < per_week {
                day_rows.push((day, *user));
                let c = day_counts.entry(day).or_default();
                (c.0, c.1, c.2) = (c.0 + s, c.1 + p, c.2 + t);
                if week_rows.insert((week_number(day), *user)) {
                    let c = week_counts.entry(week_number(day)).or_default();
                    (c.0, c.1, c.2) = (c.0 + s, c.1 + p, c.2 + t);
                }
            }
        }
    }
    for (table, column, rows) in
        [("active_days", "day", day_rows), ("active_weeks", "week", week_rows.into_iter().collect::<Vec<_>>())]
    {
        for chunk in rows.chunks(400) {
            let values = vec!["(?, ?, ?)"; chunk.len()].join(", ");
            let mut query = sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT OR IGNORE INTO {table} (org_id, {column}, user_id) VALUES {values}"
            )));
            for (number, user) in chunk {
                query = query.bind(org).bind(number).bind(user);
            }
            query.execute(&mut *tx).await?;
        }
    }
    for (kind, counts) in [("day", day_counts), ("week", week_counts)] {
        for (number, (s, p, t)) in counts {
            sqlx::query(
                "INSERT INTO active_counts (org_id, kind, number, students, parents, staff) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (org_id, kind, number) DO UPDATE SET students = excluded.students,
                   parents = excluded.parents, staff = excluded.staff",
            )
            .bind(org)
            .bind(kind)
            .bind(number)
            .bind(s)
            .bind(p)
            .bind(t)
            .execute(&mut *tx)
            .await?;
        }
    }
    // The school's authority, with its admin as a curator: who times the comparison.
    sqlx::query("INSERT OR IGNORE INTO authorities (id, name, region, created_at) VALUES (1, 'Управление образования', 'Москва', ?1)")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE organizations SET authority_id = 1 WHERE id = ?1").bind(org).execute(&mut *tx).await?;
    sqlx::query(
        "INSERT INTO authority_curators (authority_id, user_id, joined_at)
         SELECT 1, user_id, ?2 FROM org_admins WHERE org_id = ?1 AND removed_at IS NULL",
    )
    .bind(org)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    conn.close().await?;
    Ok(())
}

/// Tables whose rows a copied school does without: the search index (rebuilt from the
/// messages, not read by any figure) and what belongs to a person rather than a school.
const NOT_COPIED: &[&str] = &[
    "message_terms",
    "sessions",
    "password_tokens",
    "known_devices",
    "calendar_feeds",
    "login_attempts",
    "authorities",
    "authority_curators",
    "school_applications",
    "parta_migrations",
];

/// References the schema does not declare, by (table, column): the table they point into.
const UNDECLARED: &[(&str, &str, &str)] =
    &[("period_mark_history", "assignment_id", "teaching_assignments"), ("period_mark_history", "student_id", "users")];

/// How the rows of one table are copied: its columns as the copy writes them, and
/// which rows are the school's.
struct Copy {
    table: String,
    columns: Vec<String>,
    select: Vec<String>,
    rows: String,
}

/// Writes `schools - 1` copies of school `org` beside it (people, classes, chats and
/// their year of messages, journal, activity), each under new ids and attached to
/// authority 1: every id moves by a table's stride times the copy's number, every
/// reference by its table's, every text that must be unique gets a suffix.
async fn copy_schools(db: &Path, org: i64, schools: usize) -> anyhow::Result<()> {
    // Writing test data: no fsync, and a cache large enough for the indexes of a hundred
    // schools' messages (the default 2 MB makes each copy several times slower).
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", db.display()))?
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Off)
        .pragma("cache_size", "-2097152")
        .foreign_keys(false);
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let have: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM organizations WHERE authority_id = 1").fetch_one(&mut conn).await?;
    if have as usize >= schools {
        return Ok(());
    }
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE '%VIRTUAL%'
         ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await?;
    let tables: Vec<String> =
        tables.into_iter().filter(|t| !NOT_COPIED.contains(&t.as_str()) && !t.contains("_fts")).collect();
    let mut strides: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    let mut copies = Vec::new();
    for table in &tables {
        let columns: Vec<(String, String, i64)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT name, type, pk FROM pragma_table_info('{table}')")))
                .fetch_all(&mut conn)
                .await?;
        let references: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT \"from\", \"table\" FROM pragma_foreign_key_list('{table}')"
        )))
        .fetch_all(&mut conn)
        .await?;
        let unique: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT i.name FROM pragma_index_list('{table}') l, pragma_index_info(l.name) i WHERE l.\"unique\" = 1"
        )))
        .fetch_all(&mut conn)
        .await?;
        let has_id =
            columns.iter().any(|(name, kind, pk)| name == "id" && *pk == 1 && kind.eq_ignore_ascii_case("INTEGER"));
        if has_id {
            let max: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COALESCE(MAX(id), 0) FROM {table}")))
                .fetch_one(&mut conn)
                .await?;
            strides.insert(table.clone(), max + 1);
        }
        let names: Vec<String> = columns.iter().map(|c| c.0.clone()).collect();
        let rows = if table == "organizations" {
            "id = $org".to_owned()
        } else if names.iter().any(|c| c == "org_id") {
            "org_id = $org".to_owned()
        } else if table == "users" {
            "id IN (SELECT user_id FROM members WHERE org_id = $org)".to_owned()
        } else if table == "call_presence" {
            "call_id IN (SELECT id FROM calls WHERE org_id = $org)".to_owned()
        } else if names.iter().any(|c| c == "order_id") {
            "order_id IN (SELECT id FROM distance_orders WHERE org_id = $org)".to_owned()
        } else {
            continue;
        };
        let select = columns
            .iter()
            .map(|(name, kind, _)| {
                let pointed = references
                    .iter()
                    .find(|(from, _)| from == name)
                    .map(|(_, to)| to.as_str())
                    .or_else(|| UNDECLARED.iter().find(|(t, c, _)| t == table && c == name).map(|(_, _, to)| *to));
                if name == "id" && has_id {
                    format!("id + $k * {{{table}}}")
                } else if name == "org_id" {
                    "$new".to_owned()
                } else if table == "organizations" && name == "authority_id" {
                    "1".to_owned()
                } else if table == "organizations" && (name == "name" || name == "short_name") {
                    format!("{name} || ' №' || $k")
                } else if let Some(to) = pointed.filter(|to| !to.is_empty()) {
                    format!("{name} + $k * {{{to}}}")
                } else if unique.contains(name) && kind.eq_ignore_ascii_case("TEXT") {
                    format!("{name} || '·' || $k")
                } else {
                    name.clone()
                }
            })
            .collect();
        copies.push(Copy { table: table.clone(), columns: names, select, rows });
    }
    let stride = |table: &str| strides.get(table).copied().unwrap_or(0);
    let new_org = |k: i64| org + k * stride("organizations");
    for k in have..schools as i64 {
        let started = Instant::now();
        let mut tx = conn.begin().await?;
        for copy in &copies {
            let mut select = copy.select.join(", ");
            // `{table}` placeholders become that table's stride.
            for (table, value) in &strides {
                select = select.replace(&format!("{{{table}}}"), &value.to_string());
            }
            let select = select.replace("$new", &new_org(k).to_string()).replace("$k", &k.to_string());
            let sql = format!(
                "INSERT INTO {} ({}) SELECT {select} FROM {} WHERE {}",
                copy.table,
                copy.columns.join(", "),
                copy.table,
                copy.rows.replace("$org", &org.to_string())
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *tx)
                .await
                .with_context(|| format!("copying {} into school {}", copy.table, new_org(k)))?;
        }
        tx.commit().await?;
        eprintln!("school {} of {schools} written in {:.1} s", k + 1, started.elapsed().as_secs_f64());
    }
    sqlx::query("PRAGMA analysis_limit = 1000").execute(&mut conn).await?;
    sqlx::query("ANALYZE").execute(&mut conn).await?;
    conn.close().await?;
    Ok(())
}

/// Waits until the server has counted every settled post to confirm (it does at start),
/// so the timings are of a server in its steady state.
async fn settled(db: &Path) -> anyhow::Result<()> {
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", db.display()))?.read_only(true);
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let before = jiff::Timestamp::now().as_millisecond() - SETTLED_AFTER_DAYS * DAY_MS;
    let started = Instant::now();
    loop {
        let left: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM messages m WHERE m.needs_ack = 1 AND m.created_at < ?1 AND m.seq > 0
               AND m.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM settled_ack_posts k WHERE k.message_id = m.id)",
        )
        .bind(before)
        .fetch_one(&mut conn)
        .await?;
        if left == 0 {
            eprintln!("settled posts counted by the server in {:.1} s", started.elapsed().as_secs_f64());
            return Ok(());
        }
        anyhow::ensure!(started.elapsed().as_secs() < 600, "{left} settled posts still not counted after 10 minutes");
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

fn timing(what: String, mut runs_ms: Vec<f64>) -> Timing {
    let shown = runs_ms.clone();
    runs_ms.sort_by(f64::total_cmp);
    let median_ms = runs_ms[runs_ms.len() / 2];
    let max_ms = runs_ms.last().copied().unwrap_or(0.0);
    Timing { what, runs_ms: shown, median_ms, max_ms }
}

pub async fn statistics(args: StatisticsArgs) -> anyhow::Result<()> {
    let directory = Directory::load(&args.data.join("bench-directory.json"))
        .context("no school in --data: run `parta-bench journal --prepare-only --data …` first")?;
    let marker = args.data.join("statistics-year");
    if !marker.exists() {
        let started = Instant::now();
        fill(&args.data.join("parta.db"), directory.org, args.messages, args.days).await?;
        eprintln!("a year of history written in {:.0} s", started.elapsed().as_secs_f64());
        std::fs::write(&marker, format!("{} messages over {} days\n", args.messages, args.days))?;
    }
    let started = Instant::now();
    copy_schools(&args.data.join("parta.db"), directory.org, args.schools).await?;
    eprintln!("the authority's schools ready in {:.0} s", started.elapsed().as_secs_f64());
    let launch = Launch { parta_bin: args.parta_bin.as_deref(), database_url: None };
    let server = start_parta(&launch, &args.data, 93).await?;
    settled(&args.data.join("parta.db")).await?;
    let mut conn = Conn::new(server.address);
    let admin = directory.admin.token.clone();
    let org = directory.org;
    let mut timings = Vec::new();
    let mut last = serde_json::Value::Null;
    for period in ["week", "month", "term", "year"] {
        for (what, path) in [
            (format!("school dashboard, {period}"), format!("/api/v1/orgs/{org}/statistics?period={period}")),
            (
                format!("authority of {} schools, {period}", args.schools),
                format!("/api/v1/authorities/1/statistics?period={period}"),
            ),
        ] {
            let mut runs = Vec::with_capacity(args.runs);
            for _ in 0..args.runs.max(1) {
                let started = Instant::now();
                last = call(&mut conn, hyper::Method::GET, &path, &admin, None, 200).await?;
                runs.push(started.elapsed().as_secs_f64() * 1000.0);
            }
            let t = timing(what, runs);
            eprintln!("{}: median {:.1} ms, max {:.1} ms", t.what, t.median_ms, t.max_ms);
            timings.push(t);
        }
    }
    drop(server);
    let options =
        SqliteConnectOptions::from_str(&format!("sqlite://{}", args.data.join("parta.db").display()))?.read_only(true);
    let mut db = SqliteConnection::connect_with(&options).await?;
    let count = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
    let report = Report {
        date: jiff::Timestamp::now().to_string(),
        machine: machine(),
        schools: count("SELECT COUNT(*) FROM organizations WHERE authority_id = 1").fetch_one(&mut db).await?,
        messages: count("SELECT COUNT(*) FROM messages").fetch_one(&mut db).await?,
        ack_posts: count("SELECT COUNT(*) FROM messages WHERE needs_ack = 1").fetch_one(&mut db).await?,
        acks: count("SELECT COUNT(*) FROM message_acks").fetch_one(&mut db).await?,
        active_days: count("SELECT COUNT(*) FROM active_days").fetch_one(&mut db).await?,
        timings,
    };
    eprintln!(
        "{} schools, {} messages, {} to confirm ({} confirmations), {} person-days active; last answer {} bytes",
        report.schools,
        report.messages,
        report.ack_posts,
        report.acks,
        report.active_days,
        last.to_string().len()
    );
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)?;
    }
    Ok(())
}
