//! Groups inside classes and teaching assignments.

use parta_domain::{AssignmentId, ClassId, GroupId, OrgId, UserId, YearId};
use sqlx::AnyConnection;

use crate::clock::now_ms;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupRow {
    pub id: i64,
    pub class_id: i64,
    pub name: String,
}

impl GroupRow {
    pub fn group_id(&self) -> GroupId {
        GroupId(self.id)
    }
}

/// A class's groups still in use, by name.
pub async fn groups(conn: &mut AnyConnection, org: OrgId, class: ClassId) -> sqlx::Result<Vec<GroupRow>> {
    sqlx::query_as(
        "SELECT id, class_id, name FROM class_groups
         WHERE org_id = $1 AND class_id = $2 AND archived_at IS NULL ORDER BY name, id",
    )
    .bind(org.0)
    .bind(class.0)
    .fetch_all(conn)
    .await
}

/// A group still in use, of a class of the school.
pub async fn group(
    conn: &mut AnyConnection,
    org: OrgId,
    class: ClassId,
    id: GroupId,
) -> sqlx::Result<Option<GroupRow>> {
    sqlx::query_as(
        "SELECT id, class_id, name FROM class_groups
         WHERE org_id = $1 AND class_id = $2 AND id = $3 AND archived_at IS NULL",
    )
    .bind(org.0)
    .bind(class.0)
    .bind(id.0)
    .fetch_optional(conn)
    .await
}

pub async fn insert_group(conn: &mut AnyConnection, org: OrgId, class: ClassId, name: &str) -> sqlx::Result<GroupId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO class_groups (org_id, class_id, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(org.0)
    .bind(class.0)
    .bind(name)
    .bind(now_ms())
    .fetch_one(conn)
    .await?;
    Ok(GroupId(id))
}

pub async fn rename_group(conn: &mut AnyConnection, id: GroupId, name: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE class_groups SET name = $1 WHERE id = $2").bind(name).bind(id.0).execute(conn).await.map(|_| ())
}

pub async fn archive_group(conn: &mut AnyConnection, id: GroupId) -> sqlx::Result<()> {
    sqlx::query("UPDATE class_groups SET archived_at = $1 WHERE id = $2 AND archived_at IS NULL")
        .bind(now_ms())
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn group_students(conn: &mut AnyConnection, group: GroupId) -> sqlx::Result<Vec<UserId>> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT student_id FROM class_group_students WHERE group_id = $1 ORDER BY student_id")
            .bind(group.0)
            .fetch_all(conn)
            .await?;
    Ok(ids.into_iter().map(UserId).collect())
}

pub async fn replace_group_students(
    conn: &mut AnyConnection,
    org: OrgId,
    group: GroupId,
    students: &[UserId],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM class_group_students WHERE group_id = $1").bind(group.0).execute(&mut *conn).await?;
    for student in students {
        sqlx::query("INSERT INTO class_group_students (org_id, group_id, student_id) VALUES ($1, $2, $3)")
            .bind(org.0)
            .bind(group.0)
            .bind(student.0)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AssignmentRow {
    pub id: i64,
    pub year_id: i64,
    pub teacher_id: i64,
    pub subject_id: i64,
    pub class_id: i64,
    pub group_id: Option<i64>,
}

impl AssignmentRow {
    pub fn assignment_id(&self) -> AssignmentId {
        AssignmentId(self.id)
    }
}

/// Who teaches what in a year, now; narrowed to one teacher or one class when given.
pub async fn assignments(
    conn: &mut AnyConnection,
    org: OrgId,
    year: YearId,
    teacher: Option<UserId>,
    class: Option<ClassId>,
) -> sqlx::Result<Vec<AssignmentRow>> {
    sqlx::query_as(
        "SELECT id, year_id, teacher_id, subject_id, class_id, group_id FROM teaching_assignments
         WHERE org_id = $1 AND year_id = $2 AND ended_at IS NULL
           AND ($3 = 0 OR teacher_id = $3) AND ($4 = 0 OR class_id = $4)
         ORDER BY class_id, subject_id, id",
    )
    .bind(org.0)
    .bind(year.0)
    .bind(teacher.map_or(0, |t| t.0))
    .bind(class.map_or(0, |c| c.0))
    .fetch_all(conn)
    .await
}

pub async fn assignment(
    conn: &mut AnyConnection,
    org: OrgId,
    year: YearId,
    id: AssignmentId,
) -> sqlx::Result<Option<AssignmentRow>> {
    sqlx::query_as(
        "SELECT id, year_id, teacher_id, subject_id, class_id, group_id FROM teaching_assignments
         WHERE org_id = $1 AND year_id = $2 AND id = $3 AND ended_at IS NULL",
    )
    .bind(org.0)
    .bind(year.0)
    .bind(id.0)
    .fetch_optional(conn)
    .await
}

pub struct NewAssignment {
    pub year: YearId,
    pub teacher: UserId,
    pub subject: parta_domain::SubjectId,
    pub class: ClassId,
    pub group: Option<GroupId>,
}

/// The same assignment, still current, if there is one.
pub async fn same_assignment(conn: &mut AnyConnection, org: OrgId, new: &NewAssignment) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT id FROM teaching_assignments
         WHERE org_id = $1 AND year_id = $2 AND teacher_id = $3 AND subject_id = $4 AND class_id = $5
           AND COALESCE(group_id, 0) = $6 AND ended_at IS NULL",
    )
    .bind(org.0)
    .bind(new.year.0)
    .bind(new.teacher.0)
    .bind(new.subject.0)
    .bind(new.class.0)
    .bind(new.group.map_or(0, |g| g.0))
    .fetch_optional(conn)
    .await
}

pub async fn insert_assignment(
    conn: &mut AnyConnection,
    org: OrgId,
    new: &NewAssignment,
) -> sqlx::Result<AssignmentId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO teaching_assignments (org_id, year_id, teacher_id, subject_id, class_id, group_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(org.0)
    .bind(new.year.0)
    .bind(new.teacher.0)
    .bind(new.subject.0)
    .bind(new.class.0)
    .bind(new.group.map(|g| g.0))
    .bind(now_ms())
    .fetch_one(conn)
    .await?;
    Ok(AssignmentId(id))
}

pub async fn end_assignment(conn: &mut AnyConnection, id: AssignmentId) -> sqlx::Result<()> {
    sqlx::query("UPDATE teaching_assignments SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL")
        .bind(now_ms())
        .bind(id.0)
        .execute(conn)
        .await
        .map(|_| ())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntryRow {
    pub class_id: i64,
    pub weekday: i64,
    pub shift: i64,
    pub number: i64,
    pub assignment_id: i64,
    pub room: Option<String>,
}

/// A year's timetable entries, of one class or of every class.
pub async fn entries(
    conn: &mut AnyConnection,
    org: OrgId,
    year: YearId,
    class: Option<ClassId>,
) -> sqlx::Result<Vec<EntryRow>> {
    sqlx::query_as(
        "SELECT class_id, weekday, shift, number, assignment_id, room FROM timetable_entries
         WHERE org_id = $1 AND year_id = $2 AND ($3 = 0 OR class_id = $3)
         ORDER BY weekday, shift, number, id",
    )
    .bind(org.0)
    .bind(year.0)
    .bind(class.map_or(0, |c| c.0))
    .fetch_all(conn)
    .await
}

pub async fn replace_entries(
    conn: &mut AnyConnection,
    org: OrgId,
    year: YearId,
    class: ClassId,
    entries: &[EntryRow],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM timetable_entries WHERE year_id = $1 AND class_id = $2")
        .bind(year.0)
        .bind(class.0)
        .execute(&mut *conn)
        .await?;
    for entry in entries {
        sqlx::query(
            "INSERT INTO timetable_entries (org_id, year_id, class_id, weekday, shift, number, assignment_id, room)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(org.0)
        .bind(year.0)
        .bind(class.0)
        .bind(entry.weekday)
        .bind(entry.shift)
        .bind(entry.number)
        .bind(entry.assignment_id)
        .bind(&entry.room)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Every assignment of a year, ended ones too (an entry may still point at one).
pub async fn assignments_of_year(
    conn: &mut AnyConnection,
    org: OrgId,
    year: YearId,
) -> sqlx::Result<Vec<AssignmentRow>> {
    sqlx::query_as(
        "SELECT id, year_id, teacher_id, subject_id, class_id, group_id FROM teaching_assignments
         WHERE org_id = $1 AND year_id = $2 ORDER BY id",
    )
    .bind(org.0)
    .bind(year.0)
    .fetch_all(conn)
    .await
}

/// Takes an ended assignment's lessons out of the timetable.
pub async fn remove_entries_of(conn: &mut AnyConnection, assignment: AssignmentId) -> sqlx::Result<u64> {
    sqlx::query("DELETE FROM timetable_entries WHERE assignment_id = $1")
        .bind(assignment.0)
        .execute(conn)
        .await
        .map(|done| done.rows_affected())
}

/// The classes a teacher teaches by an assignment not ended, in a year that `today` is in.
pub async fn classes_taught_on(
    conn: &mut AnyConnection,
    org: OrgId,
    teacher: UserId,
    today: &str,
) -> sqlx::Result<Vec<ClassId>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT DISTINCT a.class_id FROM teaching_assignments a JOIN academic_years y ON y.id = a.year_id
         WHERE a.org_id = $1 AND a.teacher_id = $2 AND a.ended_at IS NULL AND y.starts_on <= $3 AND y.ends_on >= $3
         ORDER BY a.class_id",
    )
    .bind(org.0)
    .bind(teacher.0)
    .bind(today)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(id,)| ClassId(id)).collect())
}

/// The class of an assignment of any year, ended or not.
pub async fn assignment_any_year(conn: &mut AnyConnection, org: OrgId, id: i64) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT class_id FROM teaching_assignments WHERE org_id = $1 AND id = $2")
        .bind(org.0)
        .bind(id)
        .fetch_optional(conn)
        .await
}
