//! Who belongs where: memberships (role × class, with history), per-school member
//! records (teacher verification), school admins and class teachers.
//! Rows are ended, never deleted, so "who was in 5А last year" stays answerable.

use parta_domain::{ChatId, ClassId, MemberRole, MembershipId, OrgId, UserId};
use parta_protocol::{ClassRef, PersonRef, Place};
use sqlx::AnyConnection;

use crate::clock::now_ms;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlaceRow {
    pub membership_id: i64,
    pub org_id: i64,
    pub user_id: i64,
    pub role: String,
    pub class_id: i64,
    pub class_name: String,
    pub class_kind: String,
    pub academic_year: Option<i64>,
    pub child_user_id: Option<i64>,
    pub child_family_name: Option<String>,
    pub child_given_name: Option<String>,
    pub child_patronymic: Option<String>,
    pub family_name: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub started_on: String,
    pub ended_on: Option<String>,
    pub end_reason: Option<String>,
}

impl PlaceRow {
    pub fn role(&self) -> MemberRole {
        MemberRole::parse(&self.role).unwrap_or(MemberRole::Employee)
    }

    pub fn class_id(&self) -> ClassId {
        ClassId(self.class_id)
    }

    pub fn class_ref(&self) -> ClassRef {
        ClassRef {
            id: ClassId(self.class_id),
            name: self.class_name.clone(),
            kind: self.class_kind.clone(),
            academic_year: self.academic_year,
        }
    }

    pub fn person(&self) -> PersonRef {
        PersonRef::new(UserId(self.user_id), &self.family_name, &self.given_name, self.patronymic.as_deref())
    }

    pub fn child(&self) -> Option<PersonRef> {
        Some(PersonRef::new(
            UserId(self.child_user_id?),
            self.child_family_name.as_deref()?,
            self.child_given_name.as_deref()?,
            self.child_patronymic.as_deref(),
        ))
    }

    pub fn place(&self) -> Place {
        Place {
            membership_id: MembershipId(self.membership_id),
            role: self.role(),
            class: self.class_ref(),
            child: self.child(),
            started_on: self.started_on.clone(),
        }
    }
}

const PLACE_SELECT: &str = "SELECT m.id AS membership_id, m.org_id, m.user_id, m.role, m.class_id,
        c.name AS class_name, c.kind AS class_kind, c.academic_year,
        m.child_user_id, ch.family_name AS child_family_name, ch.given_name AS child_given_name,
        ch.patronymic AS child_patronymic, u.family_name, u.given_name, u.patronymic,
        m.started_on, m.ended_on, m.end_reason
    FROM memberships m
    JOIN classes c ON c.id = m.class_id
    JOIN users u ON u.id = m.user_id
    LEFT JOIN users ch ON ch.id = m.child_user_id";

/// A person's current places in one school.
pub async fn active_places(conn: &mut AnyConnection, org: OrgId, user: UserId) -> sqlx::Result<Vec<PlaceRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PLACE_SELECT} WHERE m.org_id = $1 AND m.user_id = $2 AND m.ended_at IS NULL ORDER BY m.id"
    )))
    .bind(org.0)
    .bind(user.0)
    .fetch_all(conn)
    .await
}

/// Every place a person held in one school, ended ones too, the latest first.
pub async fn all_places(conn: &mut AnyConnection, org: OrgId, user: UserId) -> sqlx::Result<Vec<PlaceRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PLACE_SELECT} WHERE m.org_id = $1 AND m.user_id = $2 ORDER BY m.id DESC"
    )))
    .bind(org.0)
    .bind(user.0)
    .fetch_all(conn)
    .await
}

/// A person's current places in every school.
pub async fn active_places_everywhere(conn: &mut AnyConnection, user: UserId) -> sqlx::Result<Vec<PlaceRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PLACE_SELECT} WHERE m.user_id = $1 AND m.ended_at IS NULL ORDER BY m.org_id, m.id"
    )))
    .bind(user.0)
    .fetch_all(conn)
    .await
}

/// Current places of everyone in a school (or in one class of it).
pub async fn school_places(
    conn: &mut AnyConnection,
    org: OrgId,
    class: Option<ClassId>,
) -> sqlx::Result<Vec<PlaceRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PLACE_SELECT} WHERE m.org_id = $1 AND ($2 = 0 OR m.class_id = $2) AND m.ended_at IS NULL
         ORDER BY u.family_name, u.given_name, m.user_id, m.id"
    )))
    .bind(org.0)
    .bind(class.map_or(0, |c| c.0))
    .fetch_all(conn)
    .await
}

/// Every membership a class ever had, current ones first.
pub async fn class_history(conn: &mut AnyConnection, org: OrgId, class: ClassId) -> sqlx::Result<Vec<PlaceRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PLACE_SELECT} WHERE m.org_id = $1 AND m.class_id = $2
         ORDER BY CASE WHEN m.ended_at IS NULL THEN 0 ELSE 1 END, u.family_name, u.given_name, m.id"
    )))
    .bind(org.0)
    .bind(class.0)
    .fetch_all(conn)
    .await
}

pub struct NewMembership {
    pub org: OrgId,
    pub user: UserId,
    pub role: MemberRole,
    pub class: ClassId,
    pub child: Option<UserId>,
    pub started_on: String,
    pub created_by: Option<UserId>,
}

/// Adds a place, and the person's record in the school if this is their first.
pub async fn insert_membership(conn: &mut AnyConnection, new: &NewMembership) -> sqlx::Result<MembershipId> {
    let now = now_ms();
    sqlx::query("INSERT INTO members (org_id, user_id, joined_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(new.org.0)
        .bind(new.user.0)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO memberships (org_id, user_id, role, class_id, child_user_id, started_at, started_on, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(new.org.0)
    .bind(new.user.0)
    .bind(new.role.as_str())
    .bind(new.class.0)
    .bind(new.child.map(|c| c.0))
    .bind(now)
    .bind(&new.started_on)
    .bind(new.created_by.map(|u| u.0))
    .fetch_one(conn)
    .await?;
    Ok(MembershipId(id))
}

pub async fn end_membership(conn: &mut AnyConnection, id: MembershipId, on: &str, reason: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE memberships SET ended_at = $1, ended_on = $2, end_reason = $3 WHERE id = $4 AND ended_at IS NULL",
    )
    .bind(now_ms())
    .bind(on)
    .bind(reason)
    .bind(id.0)
    .execute(conn)
    .await
    .map(|_| ())
}

/// Current parent places held for `child` in `class`.
pub async fn parent_places_for_child(
    conn: &mut AnyConnection,
    org: OrgId,
    child: UserId,
) -> sqlx::Result<Vec<PlaceRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PLACE_SELECT} WHERE m.org_id = $1 AND m.child_user_id = $2 AND m.role = 'parent' AND m.ended_at IS NULL"
    )))
    .bind(org.0)
    .bind(child.0)
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone, Default)]
pub struct MemberRecord {
    pub teacher_verified: bool,
}

pub async fn member_record(conn: &mut AnyConnection, org: OrgId, user: UserId) -> sqlx::Result<Option<MemberRecord>> {
    let row: Option<Option<i64>> =
        sqlx::query_scalar("SELECT teacher_verified_at FROM members WHERE org_id = $1 AND user_id = $2")
            .bind(org.0)
            .bind(user.0)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|verified_at| MemberRecord { teacher_verified: verified_at.is_some() }))
}

/// The school roles of the people now seated in a chat: (user, role) per current place.
pub async fn roles_in_chat(conn: &mut AnyConnection, org: OrgId, chat: ChatId) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT DISTINCT m.user_id, m.role FROM memberships m
         JOIN chat_members c ON c.user_id = m.user_id AND c.chat_id = $2 AND c.left_at IS NULL
         WHERE m.org_id = $1 AND m.ended_at IS NULL",
    )
    .bind(org.0)
    .bind(chat.0)
    .fetch_all(conn)
    .await
}

pub async fn verified_teachers(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<Vec<UserId>> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT user_id FROM members WHERE org_id = $1 AND teacher_verified_at IS NOT NULL")
            .bind(org.0)
            .fetch_all(conn)
            .await?;
    Ok(ids.into_iter().map(UserId).collect())
}

pub async fn set_teacher_verified(
    conn: &mut AnyConnection,
    org: OrgId,
    user: UserId,
    by: Option<UserId>,
    verified: bool,
) -> sqlx::Result<()> {
    let at = verified.then(now_ms);
    sqlx::query(
        "UPDATE members SET teacher_verified_at = $1, teacher_verified_by = $2 WHERE org_id = $3 AND user_id = $4",
    )
    .bind(at)
    .bind(if verified { by.map(|u| u.0) } else { None })
    .bind(org.0)
    .bind(user.0)
    .execute(conn)
    .await
    .map(|_| ())
}

// School admins.

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AdminRow {
    pub user_id: i64,
    pub family_name: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub appointed_at: i64,
    pub appointed_by: Option<i64>,
}

pub async fn list_admins(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<Vec<AdminRow>> {
    sqlx::query_as(
        "SELECT a.user_id, u.family_name, u.given_name, u.patronymic, a.appointed_at, a.appointed_by
         FROM org_admins a JOIN users u ON u.id = a.user_id
         WHERE a.org_id = $1 AND a.removed_at IS NULL ORDER BY a.appointed_at",
    )
    .bind(org.0)
    .fetch_all(conn)
    .await
}

pub async fn is_admin(conn: &mut AnyConnection, org: OrgId, user: UserId) -> sqlx::Result<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM org_admins WHERE org_id = $1 AND user_id = $2 AND removed_at IS NULL")
            .bind(org.0)
            .bind(user.0)
            .fetch_one(conn)
            .await?;
    Ok(n > 0)
}

/// Schools where the person is an admin now.
pub async fn admin_of(conn: &mut AnyConnection, user: UserId) -> sqlx::Result<Vec<OrgId>> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT org_id FROM org_admins WHERE user_id = $1 AND removed_at IS NULL")
        .bind(user.0)
        .fetch_all(conn)
        .await?;
    Ok(ids.into_iter().map(OrgId).collect())
}

pub async fn count_admins(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM org_admins WHERE org_id = $1 AND removed_at IS NULL")
        .bind(org.0)
        .fetch_one(conn)
        .await
}

pub async fn insert_admin(conn: &mut AnyConnection, org: OrgId, user: UserId, by: Option<UserId>) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO org_admins (org_id, user_id, appointed_by, appointed_at) VALUES ($1, $2, $3, $4)")
        .bind(org.0)
        .bind(user.0)
        .bind(by.map(|u| u.0))
        .bind(now_ms())
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn remove_admin(conn: &mut AnyConnection, org: OrgId, user: UserId, by: Option<UserId>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE org_admins SET removed_at = $1, removed_by = $2 WHERE org_id = $3 AND user_id = $4 AND removed_at IS NULL",
    )
    .bind(now_ms())
    .bind(by.map(|u| u.0))
    .bind(org.0)
    .bind(user.0)
    .execute(conn)
    .await
    .map(|_| ())
}

// Class teachers.

pub async fn class_teachers(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<Vec<(ClassId, PersonRef)>> {
    let rows: Vec<(i64, i64, String, String, Option<String>)> = sqlx::query_as(
        "SELECT t.class_id, u.id, u.family_name, u.given_name, u.patronymic
         FROM class_teachers t JOIN users u ON u.id = t.user_id
         WHERE t.org_id = $1 AND t.removed_at IS NULL ORDER BY t.assigned_at",
    )
    .bind(org.0)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(class, id, family_name, given_name, patronymic)| {
            (ClassId(class), PersonRef::new(UserId(id), &family_name, &given_name, patronymic.as_deref()))
        })
        .collect())
}

/// Classes the person leads now, in one school.
pub async fn classes_led_by(conn: &mut AnyConnection, org: OrgId, user: UserId) -> sqlx::Result<Vec<ClassRef>> {
    let rows: Vec<(i64, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT c.id, c.name, c.kind, c.academic_year FROM class_teachers t JOIN classes c ON c.id = t.class_id
         WHERE t.org_id = $1 AND t.user_id = $2 AND t.removed_at IS NULL ORDER BY c.name",
    )
    .bind(org.0)
    .bind(user.0)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, kind, academic_year)| ClassRef { id: ClassId(id), name, kind, academic_year })
        .collect())
}

/// The classes that the classes a person leads now continue, year by year back
/// (6А ← 5А ← 4А). `UNION` (not `ALL`) stops at a class already found.
pub async fn earlier_classes_led_by(conn: &mut AnyConnection, org: OrgId, user: UserId) -> sqlx::Result<Vec<ClassId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "WITH RECURSIVE earlier(id) AS (
             SELECT c.previous_class_id FROM class_teachers t JOIN classes c ON c.id = t.class_id
             WHERE t.org_id = $1 AND t.user_id = $2 AND t.removed_at IS NULL AND c.previous_class_id IS NOT NULL
             UNION
             SELECT c.previous_class_id FROM classes c JOIN earlier e ON c.id = e.id
             WHERE c.previous_class_id IS NOT NULL
         )
         SELECT id FROM earlier",
    )
    .bind(org.0)
    .bind(user.0)
    .fetch_all(conn)
    .await?;
    Ok(ids.into_iter().map(ClassId).collect())
}

pub async fn insert_class_teacher(
    conn: &mut AnyConnection,
    org: OrgId,
    class: ClassId,
    user: UserId,
    by: Option<UserId>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO class_teachers (org_id, class_id, user_id, assigned_by, assigned_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(org.0)
    .bind(class.0)
    .bind(user.0)
    .bind(by.map(|u| u.0))
    .bind(now_ms())
    .execute(conn)
    .await
    .map(|_| ())
}

/// Ends the person's class-teacher assignments: for one class, or all of them in the school.
pub async fn remove_class_teacher(
    conn: &mut AnyConnection,
    org: OrgId,
    class: Option<ClassId>,
    user: UserId,
    by: Option<UserId>,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE class_teachers SET removed_at = $1, removed_by = $2
         WHERE org_id = $3 AND ($4 = 0 OR class_id = $4) AND user_id = $5 AND removed_at IS NULL",
    )
    .bind(now_ms())
    .bind(by.map(|u| u.0))
    .bind(org.0)
    .bind(class.map_or(0, |c| c.0))
    .bind(user.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
