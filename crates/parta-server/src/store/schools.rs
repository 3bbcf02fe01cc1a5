//! Schools (organizations), their structure units and classes.

use parta_domain::{ClassId, OrgId, UnitId};
use parta_protocol::{ClassRef, School, SchoolRef, Unit};
use sqlx::AnyConnection;

use crate::clock::{now_ms, rfc3339};

pub const STAFF_ROOM_NAME: &str = "Учительская";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgRow {
    pub id: i64,
    pub name: String,
    pub short_name: String,
    pub address: String,
    pub inn: String,
    pub ogrn: String,
    pub region: String,
    pub time_zone: String,
    pub join_approval_required: i64,
    pub created_at: i64,
    pub quiet_from: Option<String>,
    pub quiet_to: Option<String>,
    pub student_safe_mode: i64,
    pub students_supervised: i64,
    pub push_previews: i64,
    pub names_locked: i64,
}

impl OrgRow {
    pub fn org_id(&self) -> OrgId {
        OrgId(self.id)
    }

    pub fn school(&self) -> School {
        School {
            id: OrgId(self.id),
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            address: self.address.clone(),
            inn: self.inn.clone(),
            ogrn: self.ogrn.clone(),
            region: self.region.clone(),
            time_zone: self.time_zone.clone(),
            join_approval_required: self.join_approval_required == 1,
            quiet_hours: match (&self.quiet_from, &self.quiet_to) {
                (Some(from), Some(to)) => Some(parta_protocol::QuietHours { from: from.clone(), to: to.clone() }),
                _ => None,
            },
            student_safe_mode: self.student_safe_mode == 1,
            students_supervised: self.students_supervised == 1,
            push_previews: self.push_previews == 1,
            names_locked: self.names_locked == 1,
            created_at: rfc3339(self.created_at),
        }
    }

    /// How closely the school guards its students in chats.
    pub fn student_safety(&self) -> parta_domain::chats::StudentSafety {
        parta_domain::chats::StudentSafety::of_settings(self.student_safe_mode == 1, self.students_supervised == 1)
    }

    pub fn school_ref(&self) -> SchoolRef {
        SchoolRef {
            id: OrgId(self.id),
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            time_zone: self.time_zone.clone(),
        }
    }
}

/// The profile of a new or edited school; validated by the caller.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub short_name: String,
    pub address: String,
    pub inn: String,
    pub ogrn: String,
    pub region: String,
    pub time_zone: String,
    pub join_approval_required: bool,
}

const ORG_COLUMNS: &str = "id, name, short_name, address, inn, ogrn, region, time_zone, join_approval_required, created_at, quiet_from, quiet_to, student_safe_mode, students_supervised, push_previews, names_locked";

pub async fn get(conn: &mut AnyConnection, id: OrgId) -> sqlx::Result<Option<OrgRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {ORG_COLUMNS} FROM organizations WHERE id = $1")))
        .bind(id.0)
        .fetch_optional(conn)
        .await
}

pub async fn insert(conn: &mut AnyConnection, profile: &Profile) -> sqlx::Result<OrgId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO organizations (name, short_name, address, inn, ogrn, region, time_zone, join_approval_required, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(&profile.name)
    .bind(&profile.short_name)
    .bind(&profile.address)
    .bind(&profile.inn)
    .bind(&profile.ogrn)
    .bind(&profile.region)
    .bind(&profile.time_zone)
    .bind(super::flag(profile.join_approval_required))
    .bind(now_ms())
    .fetch_one(conn)
    .await?;
    Ok(OrgId(id))
}

pub async fn update(conn: &mut AnyConnection, id: OrgId, profile: &Profile) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE organizations SET name = $1, short_name = $2, address = $3, inn = $4, ogrn = $5, region = $6,
         time_zone = $7, join_approval_required = $8 WHERE id = $9",
    )
    .bind(&profile.name)
    .bind(&profile.short_name)
    .bind(&profile.address)
    .bind(&profile.inn)
    .bind(&profile.ogrn)
    .bind(&profile.region)
    .bind(&profile.time_zone)
    .bind(super::flag(profile.join_approval_required))
    .bind(id.0)
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn set_student_safe_mode(conn: &mut AnyConnection, id: OrgId, on: bool) -> sqlx::Result<()> {
    sqlx::query("UPDATE organizations SET student_safe_mode = $1 WHERE id = $2")
        .bind(super::flag(on))
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn set_push_previews(conn: &mut AnyConnection, id: OrgId, on: bool) -> sqlx::Result<()> {
    sqlx::query("UPDATE organizations SET push_previews = $1 WHERE id = $2")
        .bind(super::flag(on))
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn set_students_supervised(conn: &mut AnyConnection, id: OrgId, on: bool) -> sqlx::Result<()> {
    sqlx::query("UPDATE organizations SET students_supervised = $1 WHERE id = $2")
        .bind(super::flag(on))
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Keeps (or frees) the names of the school's people to its register.
pub async fn set_names_locked(conn: &mut AnyConnection, id: OrgId, on: bool) -> sqlx::Result<()> {
    sqlx::query("UPDATE organizations SET names_locked = $1 WHERE id = $2")
        .bind(super::flag(on))
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Sets or clears the school's quiet hours (`HH:MM` each).
pub async fn set_quiet_hours(conn: &mut AnyConnection, id: OrgId, window: Option<(&str, &str)>) -> sqlx::Result<()> {
    sqlx::query("UPDATE organizations SET quiet_from = $1, quiet_to = $2 WHERE id = $3")
        .bind(window.map(|w| w.0))
        .bind(window.map(|w| w.1))
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Takes the school's row lock for the rest of the transaction, so that checks such
/// as "never the last admin" cannot race on PostgreSQL. SQLite has one writer anyway.
pub async fn lock(conn: &mut AnyConnection, id: OrgId) -> sqlx::Result<()> {
    sqlx::query("UPDATE organizations SET id = id WHERE id = $1").bind(id.0).execute(conn).await.map(|_| ())
}

// Structure units.

pub async fn list_units(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<Vec<Unit>> {
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM units WHERE org_id = $1 ORDER BY name")
        .bind(org.0)
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(|(id, name)| Unit { id: UnitId(id), name }).collect())
}

pub async fn get_unit(conn: &mut AnyConnection, org: OrgId, id: UnitId) -> sqlx::Result<Option<Unit>> {
    let row: Option<(i64, String)> = sqlx::query_as("SELECT id, name FROM units WHERE org_id = $1 AND id = $2")
        .bind(org.0)
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|(id, name)| Unit { id: UnitId(id), name }))
}

pub async fn insert_unit(conn: &mut AnyConnection, org: OrgId, name: &str) -> sqlx::Result<UnitId> {
    let id: i64 = sqlx::query_scalar("INSERT INTO units (org_id, name, created_at) VALUES ($1, $2, $3) RETURNING id")
        .bind(org.0)
        .bind(name)
        .bind(now_ms())
        .fetch_one(conn)
        .await?;
    Ok(UnitId(id))
}

pub async fn rename_unit(conn: &mut AnyConnection, org: OrgId, id: UnitId, name: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE units SET name = $1 WHERE org_id = $2 AND id = $3")
        .bind(name)
        .bind(org.0)
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn unit_has_classes(conn: &mut AnyConnection, org: OrgId, id: UnitId) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM classes WHERE org_id = $1 AND unit_id = $2")
        .bind(org.0)
        .bind(id.0)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

pub async fn delete_unit(conn: &mut AnyConnection, org: OrgId, id: UnitId) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM units WHERE org_id = $1 AND id = $2")
        .bind(org.0)
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

// Classes.

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClassRow {
    pub id: i64,
    pub org_id: i64,
    pub unit_id: Option<i64>,
    pub kind: String,
    pub name: String,
    pub grade: Option<i64>,
    pub academic_year: Option<i64>,
}

impl ClassRow {
    pub fn class_id(&self) -> ClassId {
        ClassId(self.id)
    }

    pub fn is_staff_room(&self) -> bool {
        self.kind == "staff_room"
    }

    pub fn class_ref(&self) -> ClassRef {
        ClassRef {
            id: ClassId(self.id),
            name: self.name.clone(),
            kind: self.kind.clone(),
            academic_year: self.academic_year,
        }
    }
}

const CLASS_COLUMNS: &str = "id, org_id, unit_id, kind, name, grade, academic_year";

/// A class of this school; another school's class id finds nothing.
pub async fn get_class(conn: &mut AnyConnection, org: OrgId, id: ClassId) -> sqlx::Result<Option<ClassRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {CLASS_COLUMNS} FROM classes WHERE org_id = $1 AND id = $2")))
        .bind(org.0)
        .bind(id.0)
        .fetch_optional(conn)
        .await
}

pub async fn list_classes(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<Vec<ClassRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CLASS_COLUMNS} FROM classes WHERE org_id = $1
         ORDER BY CASE WHEN kind = 'staff_room' THEN 0 ELSE 1 END, academic_year DESC,
                  CASE WHEN grade IS NULL THEN 1 ELSE 0 END, grade, name"
    )))
    .bind(org.0)
    .fetch_all(conn)
    .await
}

pub async fn staff_room(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<ClassRow> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CLASS_COLUMNS} FROM classes WHERE org_id = $1 AND kind = 'staff_room'"
    )))
    .bind(org.0)
    .fetch_one(conn)
    .await
}

pub struct NewClass<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub grade: Option<i64>,
    pub academic_year: Option<i64>,
    pub unit: Option<UnitId>,
}

pub async fn insert_class(conn: &mut AnyConnection, org: OrgId, class: &NewClass<'_>) -> sqlx::Result<ClassId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO classes (org_id, unit_id, kind, name, grade, academic_year, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(org.0)
    .bind(class.unit.map(|u| u.0))
    .bind(class.kind)
    .bind(class.name)
    .bind(class.grade)
    .bind(class.academic_year)
    .bind(now_ms())
    .fetch_one(conn)
    .await?;
    Ok(ClassId(id))
}

pub async fn update_class(
    conn: &mut AnyConnection,
    org: OrgId,
    id: ClassId,
    name: &str,
    grade: Option<i64>,
    unit: Option<UnitId>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE classes SET name = $1, grade = $2, unit_id = $3 WHERE org_id = $4 AND id = $5")
        .bind(name)
        .bind(grade)
        .bind(unit.map(|u| u.0))
        .bind(org.0)
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}
