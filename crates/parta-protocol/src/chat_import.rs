//! A chat's history imported from another messenger's export (Telegram Desktop's
//! JSON, WhatsApp's «export chat»): the dry run an upload answers with, what applying
//! it takes, and its progress.

use parta_domain::UserId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::PersonRef;

/// What an uploaded export would bring into the chat. Nothing is written yet: the
/// export is kept on the server as `import_id` (for its importer and this chat, until
/// `expires_at`) for `apply`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChatImportPreview {
    pub import_id: String,
    /// `telegram` or `whatsapp`.
    pub source: String,
    /// The chat's name in the export, where it says.
    pub chat_name: Option<String>,
    /// Messages the export brings.
    pub messages: i64,
    /// Of those, already in the chat from an earlier import of the same history
    /// (applying adds only the others).
    pub already_imported: i64,
    /// The first and last message's time: RFC 3339 for Telegram; the wall clock
    /// without a zone (`YYYY-MM-DDTHH:MM:SS`) for WhatsApp, read in the zone applying
    /// is given.
    pub first_at: Option<String>,
    pub last_at: Option<String>,
    pub files: ChatImportFiles,
    /// Each author of the export with their message count and the chat member their
    /// name fits, if exactly one does.
    pub authors: Vec<ChatImportAuthor>,
    /// The chat's members, whom an author may be mapped to.
    pub members: Vec<PersonRef>,
    /// What is not imported, and why: `service_message`, `empty_message`,
    /// `no_author`, `stray_line`, `bad_time`; `text_cut` for a text cut to 16,000
    /// characters (the message is imported).
    pub skipped: Vec<ChatImportSkipped>,
    /// WhatsApp's times have no zone: applying takes one (`time_zone`).
    pub needs_time_zone: bool,
    /// The zone suggested: the school's.
    pub time_zone: String,
    pub expires_at: String,
}

/// The files the export's messages name.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ChatImportFiles {
    /// In the upload and within the file limit: imported with their messages.
    pub found: i64,
    /// Named but not in the upload (or left out of the export).
    pub missing: i64,
    /// Over the deployment's file limit: their messages come without them.
    pub too_large: i64,
    /// The bytes of those found.
    pub bytes: i64,
    /// The file limit, in bytes.
    pub limit_bytes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChatImportAuthor {
    /// The name as the export writes it.
    pub name: String,
    pub messages: i64,
    pub suggested_member: Option<UserId>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChatImportSkipped {
    pub reason: String,
    pub count: i64,
}

/// Applying a staged import: every author of the preview as a member or a guest
/// (`member_id` null: the messages show the author's name, marked as a guest).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApplyChatImportRequest {
    pub authors: Vec<ChatImportMapping>,
    /// An IANA zone for WhatsApp's times; the school's when absent.
    #[serde(default)]
    pub time_zone: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChatImportMapping {
    pub name: String,
    pub member_id: Option<UserId>,
}

/// How far an applied import is.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChatImportProgress {
    pub import_id: String,
    /// `staged` (not applied yet), `running`, `done`, `failed`.
    pub state: String,
    /// Steps to take and taken: each file stored and each message written is one.
    pub total: i64,
    pub done: i64,
    /// When done: messages added (none for an export imported before) and files.
    pub imported: i64,
    pub files: i64,
    /// When failed: a stable code (the chat is as it was).
    pub error: Option<String>,
}
