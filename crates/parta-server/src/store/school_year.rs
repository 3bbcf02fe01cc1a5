//! The school year: years, their periods, days off and bells; and the subjects.

use parta_domain::{OrgId, SubjectId, YearId};
use sqlx::AnyConnection;

use crate::clock::now_ms;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct YearRow {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub school_days: i64,
    pub period_kind: String,
    /// Set when the school moved on to the next year: its journal is read-only.
    pub archived_at: Option<i64>,
}

impl YearRow {
    pub fn year_id(&self) -> YearId {
        YearId(self.id)
    }

    pub fn archived(&self) -> bool {
        self.archived_at.is_some()
    }
}

/// A year as written: its dates are checked (`parta_domain::school_year::check_year`).
pub struct NewYear<'a> {
    pub name: &'a str,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub school_days: i64,
    pub period_kind: &'a str,
}

const YEAR_COLUMNS: &str = "id, org_id, name, starts_on, ends_on, school_days, period_kind, archived_at";

/// A school's years, the latest first.
pub async fn years(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<Vec<YearRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {YEAR_COLUMNS} FROM academic_years WHERE org_id = $1 ORDER BY starts_on DESC"
    )))
    .bind(org.0)
    .fetch_all(conn)
    .await
}

pub async fn year(conn: &mut AnyConnection, org: OrgId, id: YearId) -> sqlx::Result<Option<YearRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {YEAR_COLUMNS} FROM academic_years WHERE org_id = $1 AND id = $2"
    )))
    .bind(org.0)
    .bind(id.0)
    .fetch_optional(conn)
    .await
}

pub async fn insert_year(conn: &mut AnyConnection, org: OrgId, year: &NewYear<'_>) -> sqlx::Result<YearId> {
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO academic_years (org_id, name, starts_on, ends_on, school_days, period_kind, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(org.0)
    .bind(year.name)
    .bind(year.starts_on)
    .bind(year.ends_on)
    .bind(year.school_days)
    .bind(year.period_kind)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(YearId(id))
}

pub async fn update_year(conn: &mut AnyConnection, id: YearId, year: &NewYear<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE academic_years SET name = $1, starts_on = $2, ends_on = $3, school_days = $4, period_kind = $5,
         updated_at = $6 WHERE id = $7",
    )
    .bind(year.name)
    .bind(year.starts_on)
    .bind(year.ends_on)
    .bind(year.school_days)
    .bind(year.period_kind)
    .bind(now_ms())
    .bind(id.0)
    .execute(conn)
    .await
    .map(|_| ())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PeriodRow {
    pub number: i64,
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub closed_at: Option<i64>,
    pub closed_by: Option<i64>,
}

pub async fn periods(conn: &mut AnyConnection, year: YearId) -> sqlx::Result<Vec<PeriodRow>> {
    sqlx::query_as(
        "SELECT number, name, starts_on, ends_on, closed_at, closed_by FROM academic_periods
         WHERE year_id = $1 ORDER BY number",
    )
    .bind(year.0)
    .fetch_all(conn)
    .await
}

/// Replaces a year's periods; a period that was closed stays closed under its number.
pub async fn replace_periods(
    conn: &mut AnyConnection,
    org: OrgId,
    year: YearId,
    periods: &[(i64, String, String, String)],
) -> sqlx::Result<()> {
    let before = self::periods(conn, year).await?;
    sqlx::query("DELETE FROM academic_periods WHERE year_id = $1").bind(year.0).execute(&mut *conn).await?;
    for (number, name, starts_on, ends_on) in periods {
        let closed = before.iter().find(|p| p.number == *number);
        sqlx::query(
            "INSERT INTO academic_periods (org_id, year_id, number, name, starts_on, ends_on, closed_at, closed_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(org.0)
        .bind(year.0)
        .bind(number)
        .bind(name)
        .bind(starts_on)
        .bind(ends_on)
        .bind(closed.and_then(|p| p.closed_at))
        .bind(closed.and_then(|p| p.closed_by))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DayOffRow {
    pub starts_on: String,
    pub ends_on: String,
    pub kind: String,
    pub name: String,
}

pub async fn days_off(conn: &mut AnyConnection, year: YearId) -> sqlx::Result<Vec<DayOffRow>> {
    sqlx::query_as("SELECT starts_on, ends_on, kind, name FROM days_off WHERE year_id = $1 ORDER BY starts_on, id")
        .bind(year.0)
        .fetch_all(conn)
        .await
}

pub async fn replace_days_off(
    conn: &mut AnyConnection,
    org: OrgId,
    year: YearId,
    days: &[DayOffRow],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM days_off WHERE year_id = $1").bind(year.0).execute(&mut *conn).await?;
    for day in days {
        sqlx::query(
            "INSERT INTO days_off (org_id, year_id, starts_on, ends_on, kind, name) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(org.0)
        .bind(year.0)
        .bind(&day.starts_on)
        .bind(&day.ends_on)
        .bind(&day.kind)
        .bind(&day.name)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BellRow {
    pub shift: i64,
    pub number: i64,
    pub starts_at: String,
    pub ends_at: String,
}

pub async fn bells(conn: &mut AnyConnection, year: YearId) -> sqlx::Result<Vec<BellRow>> {
    sqlx::query_as("SELECT shift, number, starts_at, ends_at FROM bells WHERE year_id = $1 ORDER BY shift, number")
        .bind(year.0)
        .fetch_all(conn)
        .await
}

pub async fn replace_bells(conn: &mut AnyConnection, org: OrgId, year: YearId, bells: &[BellRow]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM bells WHERE year_id = $1").bind(year.0).execute(&mut *conn).await?;
    for bell in bells {
        sqlx::query(
            "INSERT INTO bells (org_id, year_id, shift, number, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(org.0)
        .bind(year.0)
        .bind(bell.shift)
        .bind(bell.number)
        .bind(&bell.starts_at)
        .bind(&bell.ends_at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubjectRow {
    pub id: i64,
    pub name: String,
    pub short_name: String,
    pub archived_at: Option<i64>,
}

impl SubjectRow {
    pub fn subject_id(&self) -> SubjectId {
        SubjectId(self.id)
    }
}

/// A school's subjects in the order of their names.
pub async fn subjects(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<Vec<SubjectRow>> {
    sqlx::query_as("SELECT id, name, short_name, archived_at FROM subjects WHERE org_id = $1 ORDER BY name, id")
        .bind(org.0)
        .fetch_all(conn)
        .await
}

pub async fn subject(conn: &mut AnyConnection, org: OrgId, id: SubjectId) -> sqlx::Result<Option<SubjectRow>> {
    sqlx::query_as("SELECT id, name, short_name, archived_at FROM subjects WHERE org_id = $1 AND id = $2")
        .bind(org.0)
        .bind(id.0)
        .fetch_optional(conn)
        .await
}

/// Stores a subject; a name the school already has is a unique violation.
pub async fn insert_subject(
    conn: &mut AnyConnection,
    org: OrgId,
    name: &str,
    short_name: &str,
) -> sqlx::Result<SubjectId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO subjects (org_id, name, short_name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(org.0)
    .bind(name)
    .bind(short_name)
    .bind(now_ms())
    .fetch_one(conn)
    .await?;
    Ok(SubjectId(id))
}

pub async fn update_subject(
    conn: &mut AnyConnection,
    id: SubjectId,
    name: &str,
    short_name: &str,
    archived_at: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE subjects SET name = $1, short_name = $2, archived_at = $3 WHERE id = $4")
        .bind(name)
        .bind(short_name)
        .bind(archived_at)
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn has_subjects(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM subjects WHERE org_id = $1 LIMIT 1")
        .bind(org.0)
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

/// Closes a period of a year; false when it was closed already.
pub async fn close_period(
    conn: &mut AnyConnection,
    year: YearId,
    number: i64,
    by: parta_domain::UserId,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE academic_periods SET closed_at = $1, closed_by = $2 WHERE year_id = $3 AND number = $4 AND closed_at IS NULL",
    )
    .bind(crate::clock::now_ms())
    .bind(by.0)
    .bind(year.0)
    .bind(number)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
