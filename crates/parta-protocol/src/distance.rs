//! Remote learning by the director's order.

use parta_domain::{AssignmentId, ChatId, ClassId, FileId, IndividualId, MessageId, OrderId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{ClassRef, FileInfo, PersonRef, SubjectRef};

/// An order to register: its number and date as signed, the reason, the period, and
/// the classes it puts on remote learning (or the whole school).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderRequest {
    /// «112-о».
    pub number: String,
    /// `YYYY-MM-DD`: the day it was signed.
    pub issued_on: String,
    /// «Морозы: температура воздуха ниже −30 °C».
    pub reason: String,
    /// `YYYY-MM-DD`: the first day of remote learning.
    pub starts_on: String,
    /// `YYYY-MM-DD`: the last day of remote learning.
    pub ends_on: String,
    /// Every class of the school; `class_ids` is then empty.
    #[serde(default)]
    pub whole_school: bool,
    #[serde(default)]
    pub class_ids: Vec<ClassId>,
    /// The signed document: a file uploaded to `POST /api/v1/orgs/{org_id}/journal/files`.
    pub document: Option<FileId>,
}

/// An order's announcement in a chat, to be confirmed («ознакомиться»).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderAnnouncement {
    pub chat_id: ChatId,
    pub message_id: MessageId,
}

/// An order as registered.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Order {
    pub id: OrderId,
    pub number: String,
    pub issued_on: String,
    pub reason: String,
    pub starts_on: String,
    pub ends_on: String,
    pub whole_school: bool,
    /// The classes it covers (every class of the school when `whole_school`).
    pub classes: Vec<ClassRef>,
    pub document: Option<FileInfo>,
    pub issued_by: PersonRef,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339: when it was ended early.
    pub ended_early_at: Option<String>,
    /// `YYYY-MM-DD`: the last day it is in force (`ends_on`, or the day it was ended
    /// early); none when it was ended before it began.
    pub in_force_until: Option<String>,
    /// In force today, in the school's time zone.
    pub in_force: bool,
    pub announcements: Vec<OrderAnnouncement>,
}

/// A lesson held online under an order: its end cut to the grade's limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RemoteLesson {
    pub order_id: OrderId,
    /// The order's number, «112-о».
    pub order_number: String,
    /// `HH:MM`: when the lesson ends online (the bell's end, or sooner).
    pub ends_at: String,
}

/// The students of a class without a device or connection under an order, as its class
/// teacher marks them (the whole list for that class).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OfflineRequest {
    pub class_id: ClassId,
    pub student_ids: Vec<UserId>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OfflineStudent {
    pub person: PersonRef,
    pub class: ClassRef,
}

/// An individual assignment to set a student without a device: due after the order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IndividualRequest {
    pub student_id: UserId,
    /// The teacher's assignment (subject, class) it belongs to.
    pub assignment_id: AssignmentId,
    pub body: String,
    /// `YYYY-MM-DD`: after the order's last day.
    pub due_on: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IndividualAssignment {
    pub id: IndividualId,
    pub order_id: OrderId,
    pub student: PersonRef,
    pub assignment_id: AssignmentId,
    pub subject: SubjectRef,
    pub teacher: PersonRef,
    pub body: String,
    pub due_on: String,
    /// RFC 3339.
    pub set_at: String,
    /// Its mark, given when the student is back: "1"–"5", «зч» or «нз».
    pub mark: Option<String>,
    pub marked_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IndividualMarkRequest {
    pub mark: String,
}
