//! The school's register as a roster knows it: the people it expects under the
//! roster's ids, their parents and children, the ids of the school and its classes.

use parta_domain::{ClassId, InviteId, OrgId, UserId};
use sqlx::AnyConnection;

use crate::clock::now_ms;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonRow {
    pub id: i64,
    pub org_id: i64,
    pub sourced_id: String,
    pub role: String,
    pub family_name: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub class_id: Option<i64>,
    pub user_id: Option<i64>,
}

impl PersonRow {
    pub fn full_name(&self) -> String {
        full_name(&self.family_name, &self.given_name, self.patronymic.as_deref())
    }
}

/// «Фамилия Имя Отчество».
pub fn full_name(family: &str, given: &str, patronymic: Option<&str>) -> String {
    match patronymic {
        Some(p) if !p.is_empty() => format!("{family} {given} {p}"),
        _ => format!("{family} {given}"),
    }
}

const COLUMNS: &str =
    "id, org_id, sourced_id, role, family_name, given_name, patronymic, email, phone, class_id, user_id";

/// What the register says of one person.
pub struct PersonFields<'a> {
    pub role: &'a str,
    pub family_name: &'a str,
    pub given_name: &'a str,
    pub patronymic: Option<&'a str>,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub class: Option<ClassId>,
}

pub async fn people(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<Vec<PersonRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM roster_people WHERE org_id = $1 ORDER BY id")))
        .bind(org.0)
        .fetch_all(conn)
        .await
}

pub async fn person(conn: &mut AnyConnection, id: i64) -> sqlx::Result<Option<PersonRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM roster_people WHERE id = $1")))
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn insert_person(
    conn: &mut AnyConnection,
    org: OrgId,
    sourced_id: &str,
    fields: &PersonFields<'_>,
    user: Option<UserId>,
) -> sqlx::Result<i64> {
    let now = now_ms();
    sqlx::query_scalar(
        "INSERT INTO roster_people (org_id, sourced_id, role, family_name, given_name, patronymic, email, phone,
            class_id, user_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
    )
    .bind(org.0)
    .bind(sourced_id)
    .bind(fields.role)
    .bind(fields.family_name)
    .bind(fields.given_name)
    .bind(fields.patronymic)
    .bind(fields.email)
    .bind(fields.phone)
    .bind(fields.class.map(|c| c.0))
    .bind(user.map(|u| u.0))
    .bind(now)
    .fetch_one(conn)
    .await
}

pub async fn update_person(conn: &mut AnyConnection, id: i64, fields: &PersonFields<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE roster_people SET role = $1, family_name = $2, given_name = $3, patronymic = $4, email = $5,
            phone = $6, class_id = $7, updated_at = $8 WHERE id = $9",
    )
    .bind(fields.role)
    .bind(fields.family_name)
    .bind(fields.given_name)
    .bind(fields.patronymic)
    .bind(fields.email)
    .bind(fields.phone)
    .bind(fields.class.map(|c| c.0))
    .bind(now_ms())
    .bind(id)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Whether an account is already the register's person of this school.
pub async fn is_linked(conn: &mut AnyConnection, org: OrgId, user: UserId) -> sqlx::Result<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM roster_people WHERE org_id = $1 AND user_id = $2")
        .bind(org.0)
        .bind(user.0)
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

/// The account contacts of everyone with a current place in the school: (user, e-mail, phone).
pub async fn member_contacts(
    conn: &mut AnyConnection,
    org: OrgId,
) -> sqlx::Result<Vec<(i64, Option<String>, Option<String>)>> {
    sqlx::query_as(
        "SELECT DISTINCT u.id, u.email, u.phone FROM users u JOIN memberships m ON m.user_id = u.id
         WHERE m.org_id = $1 AND m.ended_at IS NULL",
    )
    .bind(org.0)
    .fetch_all(conn)
    .await
}

/// Links the register's person to the account that joined by their link.
pub async fn set_user(conn: &mut AnyConnection, id: i64, user: UserId) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE roster_people SET user_id = $1, updated_at = $2 WHERE id = $3 AND user_id IS NULL")
        .bind(user.0)
        .bind(now_ms())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Every (parent, child) pair of the register, as people ids.
pub async fn guardians(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as("SELECT parent_id, child_id FROM roster_guardians WHERE org_id = $1 ORDER BY parent_id, child_id")
        .bind(org.0)
        .fetch_all(conn)
        .await
}

pub async fn insert_guardian(conn: &mut AnyConnection, org: OrgId, parent: i64, child: i64) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO roster_guardians (org_id, parent_id, child_id) VALUES ($1, $2, $3)")
        .bind(org.0)
        .bind(parent)
        .bind(child)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The register's people a person's link or place reaches: their parents (`child`
/// given) or their children (`parent` given).
pub async fn relatives(conn: &mut AnyConnection, person: i64, as_child: bool) -> sqlx::Result<Vec<PersonRow>> {
    let (mine, theirs) = if as_child { ("child_id", "parent_id") } else { ("parent_id", "child_id") };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM roster_guardians g JOIN roster_people p ON p.id = g.{theirs}
         WHERE g.{mine} = $1 ORDER BY p.id",
        COLUMNS.split(", ").map(|c| format!("p.{c}")).collect::<Vec<_>>().join(", ")
    )))
    .bind(person)
    .fetch_all(conn)
    .await
}

/// The roster's ids of one kind (`school`, `class`) as (Parta's id, roster's id).
pub async fn ids(conn: &mut AnyConnection, org: OrgId, kind: &str) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT local_id, sourced_id FROM roster_ids WHERE org_id = $1 AND kind = $2")
        .bind(org.0)
        .bind(kind)
        .fetch_all(conn)
        .await
}

pub async fn insert_id(
    conn: &mut AnyConnection,
    org: OrgId,
    kind: &str,
    local: i64,
    sourced: &str,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO roster_ids (org_id, kind, local_id, sourced_id) VALUES ($1, $2, $3, $4)")
        .bind(org.0)
        .bind(kind)
        .bind(local)
        .bind(sourced)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Marks an invite as one person's own link from the register.
pub async fn set_invite_person(conn: &mut AnyConnection, invite: InviteId, person: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE invites SET roster_person_id = $1 WHERE id = $2")
        .bind(person)
        .bind(invite.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// A mark of the journal with what the gradebook says of it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MarkRow {
    pub id: i64,
    pub student_id: i64,
    pub mark: String,
    pub comment: Option<String>,
    pub given_at: i64,
    pub grade_type_id: i64,
    pub grade_type: String,
    pub weight_centi: i64,
    pub lesson_id: i64,
    pub held_on: String,
    pub class_id: i64,
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    pub subject_id: i64,
    pub subject: String,
}

/// Every standing mark of a school's journal, oldest first.
pub async fn marks(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<Vec<MarkRow>> {
    sqlx::query_as(
        "SELECT g.id, g.student_id, g.mark, g.comment, g.given_at, g.grade_type_id, t.name AS grade_type,
                t.weight_centi, l.id AS lesson_id, l.held_on, l.class_id, l.group_id, cg.name AS group_name,
                l.subject_id, s.name AS subject
         FROM grades g
         JOIN lessons l ON l.id = g.lesson_id
         JOIN grade_types t ON t.id = g.grade_type_id
         JOIN subjects s ON s.id = l.subject_id
         LEFT JOIN class_groups cg ON cg.id = l.group_id
         WHERE g.org_id = $1 AND g.deleted_at IS NULL
         ORDER BY g.id",
    )
    .bind(org.0)
    .fetch_all(conn)
    .await
}

/// Someone the register expects, with their class and how long their link lasts.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WaitingRow {
    pub id: i64,
    pub sourced_id: String,
    pub role: String,
    pub family_name: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub class_id: Option<i64>,
    pub class_name: Option<String>,
    /// The latest of their links that still works.
    pub link_expires_at: Option<i64>,
}

/// The register's people who have not joined, by name.
pub async fn waiting(conn: &mut AnyConnection, org: OrgId, now: i64) -> sqlx::Result<Vec<WaitingRow>> {
    sqlx::query_as(
        "SELECT p.id, p.sourced_id, p.role, p.family_name, p.given_name, p.patronymic, p.class_id,
                c.name AS class_name,
                (SELECT MAX(i.expires_at) FROM invites i
                 WHERE i.roster_person_id = p.id AND i.revoked_at IS NULL AND i.use_count < i.max_uses
                   AND i.expires_at > $2) AS link_expires_at
         FROM roster_people p LEFT JOIN classes c ON c.id = p.class_id
         WHERE p.org_id = $1 AND p.user_id IS NULL
         ORDER BY p.family_name, p.given_name, p.id",
    )
    .bind(org.0)
    .bind(now)
    .fetch_all(conn)
    .await
}

/// Revokes every link of a person of the register that still stands.
pub async fn revoke_links(conn: &mut AnyConnection, person: i64, by: UserId) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE invites SET revoked_at = $1, revoked_by = $2 WHERE roster_person_id = $3 AND revoked_at IS NULL",
    )
    .bind(now_ms())
    .bind(by.0)
    .bind(person)
    .execute(conn)
    .await
    .map(|_| ())
}
