//! The notification centre: what a person is told about (mentions, replies, new direct
//! chats, requests and reports to decide, their children's marks, absences and
//! homework), read and unread, delivered live as `notification_added` on their own
//! stream and resumed like everything else.

use parta_domain::{ChatId, LessonId, MessageId, NotificationId, OrgId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::PersonRef;

/// One notification. What it points at depends on its kind; the client opens it there.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Notification {
    pub id: NotificationId,
    /// `mention`, `reply`, `direct_chat`, `join_request`, `report`, `mark`, `absence`,
    /// `homework` or `login`.
    pub kind: String,
    pub org_id: Option<OrgId>,
    /// The chat it happened in (mention, reply, direct chat, report).
    pub chat_id: Option<ChatId>,
    /// The message it is about (mention, reply, report).
    pub message_id: Option<MessageId>,
    /// The lesson it is about (mark, absence, homework).
    pub lesson_id: Option<LessonId>,
    /// Whose record it is about (mark, absence, homework: the student).
    pub student_id: Option<UserId>,
    /// Who caused it; none for what the school did as a whole.
    pub actor: Option<PersonRef>,
    /// What it says, as it was then: the chat's or class's name, the message's first
    /// words (never in a student's chat a lock screen could show), the subject and mark.
    pub details: NotificationDetails,
    pub created_at: String,
    pub read: bool,
}

/// The words of a notification, kept as they were when it was made.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct NotificationDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark: Option<String>,
    /// The lesson's date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The day homework is due, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_on: Option<String>,
    /// `absent`, `ill`, `excused` or `late` (with `minutes_late`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absence: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes_late: Option<i64>,
    /// A sign-in from a new device: the browser as it named itself, the network
    /// address, and the session (`DELETE /api/v1/me/sessions/{id}` ends it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<parta_domain::SessionId>,
    /// The student's name, for a parent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub student_name: Option<String>,
}

/// A page of one's notifications, newest first, with what the bell counts.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<Notification>,
    /// Notifications not read yet.
    pub unread: i64,
    /// Posts to confirm in one's chats not confirmed yet (the last 30 days).
    pub awaiting_ack: Vec<AwaitingAck>,
    /// Asks for the next page (older): `?before=` this.
    pub next_before: Option<NotificationId>,
}

/// A post to confirm that waits for one's confirmation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AwaitingAck {
    pub chat_id: ChatId,
    pub chat_title: String,
    pub message_id: MessageId,
    pub seq: i64,
    pub sender: PersonRef,
    pub preview: String,
    pub created_at: String,
}

/// Marks notifications read: the ones named, or all of them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct MarkNotificationsRead {
    #[serde(default)]
    pub ids: Vec<NotificationId>,
    #[serde(default)]
    pub all: bool,
}

/// Quiets a chat for oneself («не беспокоить»), or lets only mentions of oneself reach
/// one from it. Each field left out stays as it is.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ChatSilenceRequest {
    /// `1h`, `8h`, `tomorrow` (until 8:00 in the school's time), `forever` or `off`.
    #[serde(default)]
    pub mute: Option<String>,
    #[serde(default)]
    pub mentions_only: Option<bool>,
}

/// One's own quiet for a chat.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChatSilence {
    pub chat_id: ChatId,
    /// Quiet until then (in the year 9999: for good); none: not quieted.
    pub silenced_until: Option<String>,
    pub mentions_only: bool,
}

/// One's digest by e-mail: what happened for each child (marks, absences, homework),
/// posts awaiting one's confirmation and the school's announcements.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DigestSettings {
    /// `off`, `daily` (18:00 where the school is) or `weekly` (Fridays, 18:00).
    pub frequency: String,
    /// When the next one is made, if any.
    pub next_due_at: Option<String>,
    /// The address it goes to; none: the account has no e-mail, and no digest can be sent.
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DigestRequest {
    pub frequency: String,
}

/// Stops one's digest from the link in it, without signing in.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UnsubscribeRequest {
    pub token: String,
}
