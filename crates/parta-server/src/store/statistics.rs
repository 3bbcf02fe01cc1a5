//! What the statistics read: who has joined each class, what a period's posts to
//! confirm, reports, holds and online lessons came to, and the active people counted
//! per day and week (`active_days`, `active_weeks` and their counts, written once per
//! person per day by `record_active`).

use parta_domain::{ClassId, OrgId, UserId};
use parta_protocol::PersonRef;
use sqlx::AnyConnection;

/// Milliseconds from `from` (included) to `to` (excluded).
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub from: i64,
    pub to: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClassReachRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub academic_year: Option<i64>,
    pub grade: Option<i64>,
    pub students: i64,
    pub students_with_parent: i64,
    pub parents: i64,
}

const STUDENT_HAS_PARENT: &str = "EXISTS (SELECT 1 FROM memberships p WHERE p.org_id = s.org_id AND p.role = 'parent'
     AND p.child_user_id = s.user_id AND p.ended_at IS NULL)";

/// The classes of the school's current year (those of a year it moved on from are
/// left out), or one class: its students, those with a parent joined, its parents.
pub async fn class_reach(
    conn: &mut AnyConnection,
    org: OrgId,
    only: Option<ClassId>,
) -> sqlx::Result<Vec<ClassReachRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT c.id, c.name, c.kind, c.academic_year, c.grade,
           (SELECT COUNT(DISTINCT s.user_id) FROM memberships s
              WHERE s.class_id = c.id AND s.role = 'student' AND s.ended_at IS NULL) AS students,
           (SELECT COUNT(DISTINCT s.user_id) FROM memberships s
              WHERE s.class_id = c.id AND s.role = 'student' AND s.ended_at IS NULL AND {STUDENT_HAS_PARENT})
              AS students_with_parent,
           (SELECT COUNT(DISTINCT p.user_id) FROM memberships p
              WHERE p.class_id = c.id AND p.role = 'parent' AND p.ended_at IS NULL) AS parents
         FROM classes c
         WHERE c.org_id = $1 AND c.kind = 'class' AND ($2 = 0 OR c.id = $2)
           AND (c.academic_year IS NULL OR NOT EXISTS (
                 SELECT 1 FROM academic_years y WHERE y.org_id = c.org_id AND y.archived_at IS NOT NULL
                   AND substr(y.starts_on, 1, 4) = CAST(c.academic_year AS TEXT)))
         ORDER BY c.grade, c.name, c.id"
    )))
    .bind(org.0)
    .bind(only.map_or(0, |c| c.0))
    .fetch_all(conn)
    .await
}

/// The students of a class with no parent joined, by name.
pub async fn students_without_parent(
    conn: &mut AnyConnection,
    org: OrgId,
    class: ClassId,
) -> sqlx::Result<Vec<PersonRef>> {
    let rows: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT DISTINCT u.id, u.family_name, u.given_name, u.patronymic
         FROM memberships s JOIN users u ON u.id = s.user_id
         WHERE s.org_id = $1 AND s.class_id = $2 AND s.role = 'student' AND s.ended_at IS NULL
           AND NOT {STUDENT_HAS_PARENT}
         ORDER BY u.family_name, u.given_name, u.id"
    )))
    .bind(org.0)
    .bind(class.0)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(id, f, g, p)| PersonRef::new(UserId(id), &f, &g, p.as_deref())).collect())
}

/// People of the school now, by group: (students, parents, staff), each person once per group.
pub async fn people(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<(i64, i64, i64)> {
    sqlx::query_as(
        "SELECT
           (SELECT COUNT(DISTINCT user_id) FROM memberships WHERE org_id = $1 AND role = 'student' AND ended_at IS NULL),
           (SELECT COUNT(DISTINCT user_id) FROM memberships WHERE org_id = $1 AND role = 'parent' AND ended_at IS NULL),
           (SELECT COUNT(DISTINCT user_id) FROM memberships WHERE org_id = $1
              AND role IN ('teacher', 'employee', 'director', 'deputy') AND ended_at IS NULL)",
    )
    .bind(org.0)
    .fetch_one(conn)
    .await
}

/// Students with a parent joined, in the whole school.
pub async fn students_with_parent(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<i64> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(DISTINCT s.user_id) FROM memberships s
         WHERE s.org_id = $1 AND s.role = 'student' AND s.ended_at IS NULL AND {STUDENT_HAS_PARENT}"
    )))
    .bind(org.0)
    .fetch_one(conn)
    .await
}

/// Teachers whose status is not confirmed.
pub async fn teachers_unverified(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(DISTINCT m.user_id) FROM memberships m
         JOIN members r ON r.org_id = m.org_id AND r.user_id = m.user_id
         WHERE m.org_id = $1 AND m.role = 'teacher' AND m.ended_at IS NULL AND r.teacher_verified_at IS NULL",
    )
    .bind(org.0)
    .fetch_one(conn)
    .await
}

/// Invite links that can still be used (the first admin's left out), of the school or a class.
pub async fn open_invites(conn: &mut AnyConnection, org: OrgId, class: Option<ClassId>, now: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM invites WHERE org_id = $1 AND ($2 = 0 OR class_id = $2) AND grants_admin = 0
           AND revoked_at IS NULL AND expires_at > $3 AND use_count < max_uses",
    )
    .bind(org.0)
    .bind(class.map_or(0, |c| c.0))
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Join requests waiting, and when the oldest came.
pub async fn pending_requests(
    conn: &mut AnyConnection,
    org: OrgId,
    class: Option<ClassId>,
) -> sqlx::Result<(i64, Option<i64>)> {
    sqlx::query_as(
        "SELECT COUNT(*), MIN(r.created_at) FROM join_requests r JOIN invites i ON i.id = r.invite_id
         WHERE r.org_id = $1 AND r.status = 'pending' AND ($2 = 0 OR i.class_id = $2)",
    )
    .bind(org.0)
    .bind(class.map_or(0, |c| c.0))
    .fetch_one(conn)
    .await
}

/// People who first joined the school in the window.
pub async fn joined(conn: &mut AnyConnection, org: OrgId, w: Window) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM members WHERE org_id = $1 AND joined_at >= $2 AND joined_at < $3")
        .bind(org.0)
        .bind(w.from)
        .bind(w.to)
        .fetch_one(conn)
        .await
}

/// Invite links made in the window, and how many of them were used.
pub async fn invites(conn: &mut AnyConnection, org: OrgId, w: Window) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT COUNT(*), COUNT(CASE WHEN use_count > 0 THEN 1 END) FROM invites
         WHERE org_id = $1 AND grants_admin = 0 AND created_at >= $2 AND created_at < $3",
    )
    .bind(org.0)
    .bind(w.from)
    .bind(w.to)
    .fetch_one(conn)
    .await
}

/// How long each join request decided in the window waited (ms).
pub async fn request_waits(conn: &mut AnyConnection, org: OrgId, w: Window) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT decided_at - created_at FROM join_requests
         WHERE org_id = $1 AND decided_at >= $2 AND decided_at < $3",
    )
    .bind(org.0)
    .bind(w.from)
    .bind(w.to)
    .fetch_all(conn)
    .await
}

/// One post to confirm's figures, as columns of a statement over `messages m`: its
/// recipients (the chat's members now who were there when it was sent, its sender left
/// out), those who have read it, confirmed it, and confirmed it within a day.
const POST_FIGURES: &str = "
    (SELECT COUNT(*) FROM chat_members c WHERE c.chat_id = m.chat_id AND c.left_at IS NULL
       AND c.user_id <> m.sender_id AND c.joined_at <= m.created_at) AS recipients,
    (SELECT COUNT(*) FROM chat_members c WHERE c.chat_id = m.chat_id AND c.left_at IS NULL
       AND c.user_id <> m.sender_id AND c.joined_at <= m.created_at AND c.last_read_seq >= m.seq) AS readers,
    (SELECT COUNT(*) FROM message_acks a JOIN chat_members c ON c.chat_id = m.chat_id
       AND c.user_id = a.user_id AND c.left_at IS NULL AND c.joined_at <= m.created_at
       WHERE a.message_id = m.id AND a.user_id <> m.sender_id) AS confirmed,
    (SELECT COUNT(*) FROM message_acks a JOIN chat_members c ON c.chat_id = m.chat_id
       AND c.user_id = a.user_id AND c.left_at IS NULL AND c.joined_at <= m.created_at
       WHERE a.message_id = m.id AND a.user_id <> m.sender_id AND a.at <= m.created_at + 86400000) AS in_a_day";

/// Posts to confirm, summed: (posts, recipients, read, confirmed, confirmed within a day).
pub type AckFigures = (i64, i64, i64, i64, i64);

/// Posts to confirm sent in the window, summed: those settled from their counts
/// (`settled_ack_posts`), the rest counted now.
pub async fn ack_posts(conn: &mut AnyConnection, org: OrgId, w: Window) -> sqlx::Result<AckFigures> {
    let settled: AckFigures = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(k.recipients), 0) AS BIGINT), CAST(COALESCE(SUM(k.readers), 0) AS BIGINT),
           CAST(COALESCE(SUM(k.confirmed), 0) AS BIGINT), CAST(COALESCE(SUM(k.confirmed_in_day), 0) AS BIGINT)
         FROM settled_ack_posts k JOIN messages m ON m.id = k.message_id
         WHERE k.org_id = $1 AND k.created_at >= $2 AND k.created_at < $3 AND m.deleted_at IS NULL",
    )
    .bind(org.0)
    .bind(w.from)
    .bind(w.to)
    .fetch_one(&mut *conn)
    .await?;
    let live: AckFigures = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*),
           CAST(COALESCE(SUM(x.recipients), 0) AS BIGINT), CAST(COALESCE(SUM(x.readers), 0) AS BIGINT),
           CAST(COALESCE(SUM(x.confirmed), 0) AS BIGINT), CAST(COALESCE(SUM(x.in_a_day), 0) AS BIGINT)
         FROM (
           SELECT {POST_FIGURES}
           FROM messages m
           WHERE m.org_id = $1 AND m.needs_ack = 1 AND m.created_at >= $2 AND m.created_at < $3
             AND m.deleted_at IS NULL AND m.seq > 0
             AND NOT EXISTS (SELECT 1 FROM settled_ack_posts k WHERE k.message_id = m.id)
         ) x"
    )))
    .bind(org.0)
    .bind(w.from)
    .bind(w.to)
    .fetch_one(conn)
    .await?;
    Ok((settled.0 + live.0, settled.1 + live.1, settled.2 + live.2, settled.3 + live.3, settled.4 + live.4))
}

/// Counts the posts to confirm sent before `before` that are not counted yet, up to
/// `limit` of them, oldest first, into `settled_ack_posts`; returns how many. Every
/// post sent before the latest one counted is counted, so the search starts there.
/// The batch is chosen first and only its posts are counted: a plan that sorts the
/// candidates must not count them all before it cuts the batch.
pub async fn count_settled(conn: &mut AnyConnection, before: i64, now: i64, limit: i64) -> sqlx::Result<u64> {
    let since: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(created_at), 0) FROM settled_ack_posts").fetch_one(&mut *conn).await?;
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO settled_ack_posts
           (message_id, org_id, created_at, recipients, readers, confirmed, confirmed_in_day, counted_at)
         SELECT m.id, m.org_id, m.created_at, {POST_FIGURES}, $3
         FROM messages m
         WHERE m.id IN (
           SELECT p.id FROM messages p
           WHERE p.needs_ack = 1 AND p.created_at >= $1 AND p.created_at < $2 AND p.seq > 0
             AND p.deleted_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM settled_ack_posts k WHERE k.message_id = p.id)
           ORDER BY p.created_at, p.id
           LIMIT $4)
         ON CONFLICT (message_id) DO NOTHING"
    )))
    .bind(since)
    .bind(before)
    .bind(now)
    .bind(limit)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The school channel in the window: (posts, members now, members who have read up
/// to its last post of the window).
pub async fn channel(conn: &mut AnyConnection, org: OrgId, w: Window) -> sqlx::Result<(i64, i64, i64)> {
    let Some(chat) = sqlx::query_scalar::<_, i64>("SELECT id FROM chats WHERE org_id = $1 AND kind = 'school_channel'")
        .bind(org.0)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok((0, 0, 0));
    };
    let (posts, last): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MAX(seq) FROM messages
         WHERE chat_id = $1 AND created_at >= $2 AND created_at < $3 AND deleted_at IS NULL AND seq > 0",
    )
    .bind(chat)
    .bind(w.from)
    .bind(w.to)
    .fetch_one(&mut *conn)
    .await?;
    let (members, readers): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(CASE WHEN last_read_seq >= $2 THEN 1 END) FROM chat_members
         WHERE chat_id = $1 AND left_at IS NULL",
    )
    .bind(chat)
    .bind(last.unwrap_or(i64::MAX))
    .fetch_one(conn)
    .await?;
    Ok((posts, members, readers))
}

/// Reports raised in the window, and how long each resolved in it took (ms).
pub async fn reports(conn: &mut AnyConnection, org: OrgId, w: Window) -> sqlx::Result<(i64, Vec<i64>)> {
    let raised =
        sqlx::query_scalar("SELECT COUNT(*) FROM reports WHERE org_id = $1 AND created_at >= $2 AND created_at < $3")
            .bind(org.0)
            .bind(w.from)
            .bind(w.to)
            .fetch_one(&mut *conn)
            .await?;
    let took = sqlx::query_scalar(
        "SELECT resolved_at - created_at FROM reports WHERE org_id = $1 AND resolved_at >= $2 AND resolved_at < $3",
    )
    .bind(org.0)
    .bind(w.from)
    .bind(w.to)
    .fetch_all(conn)
    .await?;
    Ok((raised, took))
}

/// Posts written in the window that quiet hours held: gone out since, or still held.
pub async fn quiet_holds(conn: &mut AnyConnection, org: OrgId, w: Window) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM messages WHERE org_id = $1 AND released_at IS NOT NULL
                   AND created_at >= $2 AND created_at < $3)
              + (SELECT COUNT(*) FROM messages WHERE held_until IS NOT NULL AND org_id = $1
                   AND created_at >= $2 AND created_at < $3)",
    )
    .bind(org.0)
    .bind(w.from)
    .bind(w.to)
    .fetch_one(conn)
    .await
}

/// Online lessons begun in the window: (lessons, students expected, students who
/// came). Expected: the lesson's group, or its class's students at the time.
pub async fn online_lessons(conn: &mut AnyConnection, org: OrgId, w: Window) -> sqlx::Result<(i64, i64, i64)> {
    sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(x.expected), 0) AS BIGINT), CAST(COALESCE(SUM(x.came), 0) AS BIGINT)
         FROM (
           SELECT
             CASE WHEN l.group_id IS NULL THEN
               (SELECT COUNT(DISTINCT s.user_id) FROM memberships s WHERE s.class_id = l.class_id
                  AND s.role = 'student' AND s.started_at <= l.starts_at
                  AND (s.ended_at IS NULL OR s.ended_at > l.starts_at))
             ELSE (SELECT COUNT(*) FROM class_group_students g WHERE g.group_id = l.group_id) END AS expected,
             (SELECT COUNT(DISTINCT p.user_id) FROM calls c JOIN call_presence p ON p.call_id = c.id
                JOIN memberships s ON s.user_id = p.user_id AND s.class_id = l.class_id AND s.role = 'student'
                WHERE c.lesson_id = l.id) AS came
           FROM lessons l
           WHERE l.id IN (SELECT c.lesson_id FROM calls c WHERE c.org_id = $1 AND c.lesson_id IS NOT NULL
                            AND c.started_at >= $2 AND c.started_at < $3)
         ) x",
    )
    .bind(org.0)
    .bind(w.from)
    .bind(w.to)
    .fetch_one(conn)
    .await
}

/// The journal over days `first..=last` (`YYYY-MM-DD`), counted as the compliance report
/// counts it (`parta_domain::compliance`), in one statement: (lessons written down, with
/// homework, homework entered after it was due, marks, marks given after they were due).
pub async fn journal_counts(
    conn: &mut AnyConnection,
    org: OrgId,
    first: &str,
    last: &str,
) -> sqlx::Result<(i64, i64, i64, i64, i64)> {
    sqlx::query_as(
        "SELECT
           (SELECT COUNT(*) FROM lessons l WHERE l.org_id = $1 AND l.held_on >= $2 AND l.held_on <= $3),
           (SELECT COUNT(*) FROM lessons l JOIN homework h ON h.lesson_id = l.id
              WHERE l.org_id = $1 AND l.held_on >= $2 AND l.held_on <= $3),
           (SELECT COUNT(*) FROM lessons l JOIN homework h ON h.lesson_id = l.id
              WHERE l.org_id = $1 AND l.held_on >= $2 AND l.held_on <= $3
                AND h.due_by IS NOT NULL AND h.entered_at > h.due_by),
           (SELECT COUNT(*) FROM lessons l JOIN grades g ON g.lesson_id = l.id AND g.deleted_at IS NULL
              WHERE l.org_id = $1 AND l.held_on >= $2 AND l.held_on <= $3),
           (SELECT COUNT(*) FROM lessons l JOIN grades g ON g.lesson_id = l.id AND g.deleted_at IS NULL
              WHERE l.org_id = $1 AND l.held_on >= $2 AND l.held_on <= $3
                AND g.due_by IS NOT NULL AND g.given_at > g.due_by)",
    )
    .bind(org.0)
    .bind(first)
    .bind(last)
    .fetch_one(conn)
    .await
}

/// Active people counted per day (`day`) or week (`week`), numbers `first..=last`:
/// (number, students, parents, staff).
pub async fn active_counts(
    conn: &mut AnyConnection,
    org: OrgId,
    kind: &str,
    first: i64,
    last: i64,
) -> sqlx::Result<Vec<(i64, i64, i64, i64)>> {
    sqlx::query_as(
        "SELECT number, students, parents, staff FROM active_counts
         WHERE org_id = $1 AND kind = $2 AND number >= $3 AND number <= $4 ORDER BY number",
    )
    .bind(org.0)
    .bind(kind)
    .bind(first)
    .bind(last)
    .fetch_all(conn)
    .await
}

/// The schools a person has a place in, with the school's time zone and their roles there.
pub async fn places_for_activity(conn: &mut AnyConnection, user: UserId) -> sqlx::Result<Vec<(i64, String, String)>> {
    sqlx::query_as(
        "SELECT DISTINCT m.org_id, o.time_zone, m.role FROM memberships m
         JOIN organizations o ON o.id = m.org_id
         WHERE m.user_id = $1 AND m.ended_at IS NULL",
    )
    .bind(user.0)
    .fetch_all(conn)
    .await
}

/// Marks `user` active on `day` (and its week) in a school, counting them once in
/// each of their groups (`groups`: students, parents, staff as 0 or 1).
pub async fn record_active(
    conn: &mut AnyConnection,
    org: OrgId,
    user: UserId,
    day: i64,
    week: i64,
    groups: (i64, i64, i64),
) -> sqlx::Result<()> {
    for (table, column, kind, number) in [("active_days", "day", "day", day), ("active_weeks", "week", "week", week)] {
        let added = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} (org_id, {column}, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
        )))
        .bind(org.0)
        .bind(number)
        .bind(user.0)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if added == 1 {
            sqlx::query(
                "INSERT INTO active_counts (org_id, kind, number, students, parents, staff)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (org_id, kind, number) DO UPDATE SET
                   students = active_counts.students + excluded.students,
                   parents = active_counts.parents + excluded.parents,
                   staff = active_counts.staff + excluded.staff",
            )
            .bind(org.0)
            .bind(kind)
            .bind(number)
            .bind(groups.0)
            .bind(groups.1)
            .bind(groups.2)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// The platform's totals: schools, authorities, schools attached to one, people by
/// group (a person in two schools counted in each), curators.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlatformTotals {
    pub schools: i64,
    pub authorities: i64,
    pub schools_in_authorities: i64,
    pub students: i64,
    pub parents: i64,
    pub staff: i64,
    pub curators: i64,
}

pub async fn platform_totals(conn: &mut AnyConnection) -> sqlx::Result<PlatformTotals> {
    sqlx::query_as(
        "SELECT
           (SELECT COUNT(*) FROM organizations) AS schools,
           (SELECT COUNT(*) FROM authorities) AS authorities,
           (SELECT COUNT(*) FROM organizations WHERE authority_id IS NOT NULL) AS schools_in_authorities,
           (SELECT COUNT(*) FROM (SELECT DISTINCT org_id, user_id FROM memberships
              WHERE role = 'student' AND ended_at IS NULL) s) AS students,
           (SELECT COUNT(*) FROM (SELECT DISTINCT org_id, user_id FROM memberships
              WHERE role = 'parent' AND ended_at IS NULL) p) AS parents,
           (SELECT COUNT(*) FROM (SELECT DISTINCT org_id, user_id FROM memberships
              WHERE role IN ('teacher', 'employee', 'director', 'deputy') AND ended_at IS NULL) t) AS staff,
           (SELECT COUNT(DISTINCT user_id) FROM authority_curators WHERE removed_at IS NULL) AS curators",
    )
    .fetch_one(conn)
    .await
}

/// Active people of every school summed per day or week, numbers `first..=last`.
pub async fn platform_active(
    conn: &mut AnyConnection,
    kind: &str,
    first: i64,
    last: i64,
) -> sqlx::Result<Vec<(i64, i64, i64, i64)>> {
    sqlx::query_as(
        "SELECT number, CAST(SUM(students) AS BIGINT), CAST(SUM(parents) AS BIGINT), CAST(SUM(staff) AS BIGINT)
         FROM active_counts WHERE kind = $1 AND number >= $2 AND number <= $3 GROUP BY number ORDER BY number",
    )
    .bind(kind)
    .bind(first)
    .bind(last)
    .fetch_all(conn)
    .await
}
