//! School applications, from submission to the operator's decision.

use parta_domain::{ApplicationId, FileId, OrgId, UserId};
use sqlx::AnyConnection;

use crate::clock::now_ms;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApplicationRow {
    pub id: i64,
    pub school_name: String,
    pub short_name: String,
    pub address: String,
    pub inn: String,
    pub ogrn: String,
    pub region: String,
    pub time_zone: String,
    pub admin_family_name: String,
    pub admin_given_name: String,
    pub admin_patronymic: Option<String>,
    pub admin_email: String,
    pub admin_phone: String,
    pub authority_name: Option<String>,
    pub order_file_id: i64,
    pub status: String,
    pub reject_reason: Option<String>,
    pub decided_at: Option<i64>,
    pub org_id: Option<i64>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, school_name, short_name, address, inn, ogrn, region, time_zone, admin_family_name,
    admin_given_name, admin_patronymic, admin_email, admin_phone, authority_name, order_file_id, status, reject_reason,
    decided_at, org_id, created_at";

pub struct NewApplication {
    pub school_name: String,
    pub short_name: String,
    pub address: String,
    pub inn: String,
    pub ogrn: String,
    pub region: String,
    pub time_zone: String,
    pub admin_family_name: String,
    pub admin_given_name: String,
    pub admin_patronymic: Option<String>,
    pub admin_email: String,
    pub admin_phone: String,
    pub authority_name: Option<String>,
}

pub async fn insert(conn: &mut AnyConnection, new: &NewApplication, order: FileId) -> sqlx::Result<ApplicationId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO school_applications (school_name, short_name, address, inn, ogrn, region, time_zone,
            admin_family_name, admin_given_name, admin_patronymic, admin_email, admin_phone, order_file_id,
            status, created_at, authority_name)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'pending', $14, $15) RETURNING id",
    )
    .bind(&new.school_name)
    .bind(&new.short_name)
    .bind(&new.address)
    .bind(&new.inn)
    .bind(&new.ogrn)
    .bind(&new.region)
    .bind(&new.time_zone)
    .bind(&new.admin_family_name)
    .bind(&new.admin_given_name)
    .bind(new.admin_patronymic.as_deref())
    .bind(&new.admin_email)
    .bind(&new.admin_phone)
    .bind(order.0)
    .bind(now_ms())
    .bind(new.authority_name.as_deref())
    .fetch_one(conn)
    .await?;
    Ok(ApplicationId(id))
}

pub async fn get(conn: &mut AnyConnection, id: ApplicationId) -> sqlx::Result<Option<ApplicationRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM school_applications WHERE id = $1")))
        .bind(id.0)
        .fetch_optional(conn)
        .await
}

pub async fn set_admin_contacts(
    conn: &mut AnyConnection,
    id: ApplicationId,
    email: &str,
    phone: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE school_applications SET admin_email = $1, admin_phone = $2 WHERE id = $3")
        .bind(email)
        .bind(phone)
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The application a school was approved from.
pub async fn of_school(conn: &mut AnyConnection, org: parta_domain::OrgId) -> sqlx::Result<Option<ApplicationRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM school_applications WHERE org_id = $1")))
        .bind(org.0)
        .fetch_optional(conn)
        .await
}

pub async fn list(conn: &mut AnyConnection, status: Option<&str>) -> sqlx::Result<Vec<ApplicationRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM school_applications WHERE ($1 = '' OR status = $1) ORDER BY id DESC"
    )))
    .bind(status.unwrap_or(""))
    .fetch_all(conn)
    .await
}

/// Records the decision if the application is still pending; false otherwise.
pub async fn decide(
    conn: &mut AnyConnection,
    id: ApplicationId,
    status: &str,
    by: UserId,
    reason: Option<&str>,
    org: Option<OrgId>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE school_applications SET status = $1, decided_by = $2, decided_at = $3, reject_reason = $4, org_id = $5
         WHERE id = $6 AND status = 'pending'",
    )
    .bind(status)
    .bind(by.0)
    .bind(now_ms())
    .bind(reason)
    .bind(org.map(|o| o.0))
    .bind(id.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
