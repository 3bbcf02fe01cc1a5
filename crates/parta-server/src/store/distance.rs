//! Orders putting classes on remote learning, their classes, and their announcements.

use parta_domain::{ChatId, ClassId, FileId, MessageId, OrderId, OrgId, UserId};
use sqlx::AnyConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderRow {
    pub id: i64,
    pub org_id: i64,
    pub number: String,
    pub issued_on: String,
    pub reason: String,
    pub starts_on: String,
    pub ends_on: String,
    pub whole_school: i64,
    pub document_file_id: Option<i64>,
    pub issued_by: i64,
    pub created_at: i64,
    pub ended_early_at: Option<i64>,
    pub in_force_until: Option<String>,
}

impl OrderRow {
    pub fn order_id(&self) -> OrderId {
        OrderId(self.id)
    }
}

const COLUMNS: &str = "id, org_id, number, issued_on, reason, starts_on, ends_on, whole_school, document_file_id, \
                       issued_by, created_at, ended_early_at, in_force_until";

pub struct NewOrder<'a> {
    pub org: OrgId,
    pub number: &'a str,
    pub issued_on: &'a str,
    pub reason: &'a str,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub whole_school: bool,
    pub document: Option<FileId>,
    pub by: UserId,
    pub at: i64,
}

pub async fn insert(conn: &mut AnyConnection, order: &NewOrder<'_>) -> sqlx::Result<OrderId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO distance_orders (org_id, number, issued_on, reason, starts_on, ends_on, whole_school,
                                      document_file_id, issued_by, created_at, in_force_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $6) RETURNING id",
    )
    .bind(order.org.0)
    .bind(order.number)
    .bind(order.issued_on)
    .bind(order.reason)
    .bind(order.starts_on)
    .bind(order.ends_on)
    .bind(i64::from(order.whole_school))
    .bind(order.document.map(|f| f.0))
    .bind(order.by.0)
    .bind(order.at)
    .fetch_one(conn)
    .await?;
    Ok(OrderId(id))
}

pub async fn add_class(conn: &mut AnyConnection, order: OrderId, class: ClassId) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO distance_order_classes (order_id, class_id) VALUES ($1, $2)")
        .bind(order.0)
        .bind(class.0)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn order(conn: &mut AnyConnection, org: OrgId, id: OrderId) -> sqlx::Result<Option<OrderRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM distance_orders WHERE org_id = $1 AND id = $2")))
        .bind(org.0)
        .bind(id.0)
        .fetch_optional(conn)
        .await
}

/// A school's orders, the latest period first.
pub async fn orders(conn: &mut AnyConnection, org: OrgId) -> sqlx::Result<Vec<OrderRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM distance_orders WHERE org_id = $1 ORDER BY starts_on DESC, id DESC"
    )))
    .bind(org.0)
    .fetch_all(conn)
    .await
}

pub async fn classes(conn: &mut AnyConnection, order: OrderId) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT class_id FROM distance_order_classes WHERE order_id = $1 ORDER BY class_id")
        .bind(order.0)
        .fetch_all(conn)
        .await
}

pub async fn add_post(conn: &mut AnyConnection, order: OrderId, chat: ChatId, message: MessageId) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO distance_order_posts (order_id, chat_id, message_id) VALUES ($1, $2, $3)")
        .bind(order.0)
        .bind(chat.0)
        .bind(message.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The order's announcements: (chat, message).
pub async fn posts(conn: &mut AnyConnection, order: OrderId) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as("SELECT chat_id, message_id FROM distance_order_posts WHERE order_id = $1 ORDER BY chat_id")
        .bind(order.0)
        .fetch_all(conn)
        .await
}

/// Ends an order early: in force through `until` (`None`: never).
pub async fn end_early(
    conn: &mut AnyConnection,
    order: OrderId,
    until: Option<&str>,
    by: UserId,
    at: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE distance_orders SET ended_early_at = $1, ended_by = $2, in_force_until = $3 WHERE id = $4")
        .bind(at)
        .bind(by.0)
        .bind(until)
        .bind(order.0)
        .execute(conn)
        .await
        .map(|_| ())
}

/// The order whose signed document a file is.
pub async fn order_of_document(conn: &mut AnyConnection, file: FileId) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT id FROM distance_orders WHERE document_file_id = $1")
        .bind(file.0)
        .fetch_optional(conn)
        .await
}

/// The students marked offline under an order: (student, class).
pub async fn offline(conn: &mut AnyConnection, order: OrderId) -> sqlx::Result<Vec<(i64, i64)>> {
    sqlx::query_as(
        "SELECT student_id, class_id FROM order_offline_students WHERE order_id = $1 ORDER BY class_id, student_id",
    )
    .bind(order.0)
    .fetch_all(conn)
    .await
}

/// Replaces the students of one class marked offline under an order.
pub async fn set_offline(
    conn: &mut AnyConnection,
    order: OrderId,
    class: ClassId,
    students: &[UserId],
    by: UserId,
    at: i64,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM order_offline_students WHERE order_id = $1 AND class_id = $2")
        .bind(order.0)
        .bind(class.0)
        .execute(&mut *conn)
        .await?;
    for student in students {
        sqlx::query(
            "INSERT INTO order_offline_students (order_id, student_id, class_id, marked_by, marked_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(order.0)
        .bind(student.0)
        .bind(class.0)
        .bind(by.0)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IndividualRow {
    pub id: i64,
    pub org_id: i64,
    pub order_id: i64,
    pub student_id: i64,
    pub assignment_id: i64,
    pub body: String,
    pub due_on: String,
    pub set_by: i64,
    pub set_at: i64,
    pub mark: Option<String>,
    pub marked_at: Option<i64>,
}

const INDIVIDUAL_COLUMNS: &str =
    "id, org_id, order_id, student_id, assignment_id, body, due_on, set_by, set_at, mark, marked_at";

pub struct NewIndividual<'a> {
    pub org: OrgId,
    pub order: OrderId,
    pub student: UserId,
    pub assignment: i64,
    pub body: &'a str,
    pub due_on: &'a str,
    pub by: UserId,
    pub at: i64,
}

pub async fn insert_individual(conn: &mut AnyConnection, new: &NewIndividual<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO individual_assignments (org_id, order_id, student_id, assignment_id, body, due_on, set_by, set_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(new.org.0)
    .bind(new.order.0)
    .bind(new.student.0)
    .bind(new.assignment)
    .bind(new.body)
    .bind(new.due_on)
    .bind(new.by.0)
    .bind(new.at)
    .fetch_one(conn)
    .await
}

pub async fn individual(conn: &mut AnyConnection, org: OrgId, id: i64) -> sqlx::Result<Option<IndividualRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {INDIVIDUAL_COLUMNS} FROM individual_assignments WHERE org_id = $1 AND id = $2"
    )))
    .bind(org.0)
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn individuals(conn: &mut AnyConnection, order: OrderId) -> sqlx::Result<Vec<IndividualRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {INDIVIDUAL_COLUMNS} FROM individual_assignments WHERE order_id = $1 ORDER BY student_id, due_on, id"
    )))
    .bind(order.0)
    .fetch_all(conn)
    .await
}

pub async fn mark_individual(conn: &mut AnyConnection, id: i64, mark: &str, by: UserId, at: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE individual_assignments SET mark = $1, marked_by = $2, marked_at = $3 WHERE id = $4")
        .bind(mark)
        .bind(by.0)
        .bind(at)
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// An assignment's individual assignments due between two dates.
pub async fn individuals_of_assignment(
    conn: &mut AnyConnection,
    assignment: i64,
    from: &str,
    to: &str,
) -> sqlx::Result<Vec<IndividualRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {INDIVIDUAL_COLUMNS} FROM individual_assignments
         WHERE assignment_id = $1 AND due_on >= $2 AND due_on <= $3 ORDER BY due_on, id"
    )))
    .bind(assignment)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}
