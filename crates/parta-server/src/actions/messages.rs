//! Writing messages: the checks every post shares, sending (through the group
//! commit, `actions::send`), forwarding, editing and deleting.

use std::collections::BTreeMap;

use parta_domain::chat_rights::ChatAbility;
use parta_domain::chats::MESSAGE_MAX_CHARS;
use parta_domain::{ChatId, LessonId, MessageId, OrgId, UserId};
use parta_protocol::{ChatEvent, EditMessageRequest, Message, MessageVersion, SendMessageRequest};
use sqlx::AnyConnection;

use super::events::{do_chat_event, do_chat_event_at};
use super::quiet::quiet_hold_in;
use super::render::render;
use crate::access;
use crate::auth::Actor;
use crate::clock::rfc3339;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::chats::ChatRow;
use crate::store::messages::{MessageRow, NewMessage};
use crate::store::seats::SeatRow;
use crate::work::Work;

/// A body as stored: checked, with each mention rewritten to the person's own name,
/// or to plain text when they are not in the chat.
pub(crate) async fn prepare_body(conn: &mut AnyConnection, chat: ChatId, body: &str) -> Result<String> {
    let body = check_body(body)?;
    let mentioned = parta_domain::format::mentions(&body);
    if mentioned.is_empty() {
        return Ok(body);
    }
    let mut names = BTreeMap::new();
    for user in mentioned {
        if store::seats::seat(conn, chat, user).await?.is_some()
            && let Some(person) = store::users::person(conn, user).await?
        {
            names.insert(user, format!("{} {}", person.given_name, person.family_name));
        }
    }
    Ok(parta_domain::format::rewrite_mentions(&body, |user| names.get(&user).cloned()))
}

/// Indexes a new message's text for search.
pub(crate) async fn do_index(work: &mut Work, org: OrgId, chat: ChatId, message: MessageId, body: &str) -> Result<()> {
    store::search::index(work, org, chat, message, &search_terms(body)).await?;
    Ok(())
}

/// Keeps the search index of an edited message in step with its text.
async fn do_reindex(work: &mut Work, org: OrgId, chat: ChatId, message: MessageId, body: &str) -> Result<()> {
    store::search::reindex(work, org, chat, message, &search_terms(body)).await?;
    Ok(())
}

pub(crate) fn search_terms(body: &str) -> Vec<String> {
    parta_domain::search::terms(&parta_domain::format::plain_text(&parta_domain::format::parse(body)))
}

fn check_body(body: &str) -> Result<String> {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return Err(Error::field("body", "required"));
    }
    if trimmed.chars().count() > MESSAGE_MAX_CHARS {
        return Err(Error::field("body", "too_long"));
    }
    if trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Error::field("body", "invalid_characters"));
    }
    Ok(trimmed.to_owned())
}

/// Whether the actor may post in a chat now, or has already posted this key.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Posting {
    /// The same `client_msg_id` was stored before: its message, as the sender sees it.
    Repeat(Message),
    New {
        context: store::messages::PostingRow,
        seat: SeatRow,
        key: String,
    },
}

/// The checks every post shares (a message or a poll): membership, the idempotency
/// key, who may post here, mutes and the per-person send limit.
pub(crate) async fn check_posting(
    work: &mut Work,
    state: &AppState,
    actor: &Actor,
    chat: ChatId,
    client_msg_id: &str,
) -> Result<Posting> {
    let key = client_msg_id.trim();
    let now = crate::clock::now_ms();
    let probe = store::messages::PostingProbe { chat, user: actor.user_id, key };
    let context = read_postings(work, state, &[probe], now).await?.pop().ok_or(Error::NotFound)?;
    check_posting_row(work, state, actor, chat, key, context, now).await
}

/// What posts are checked against (`store::messages::posting`), with the flood count of
/// the minute before `now`; the count stops at the limit, and with no limit at once.
pub(crate) async fn read_postings(
    conn: &mut AnyConnection,
    state: &AppState,
    probes: &[store::messages::PostingProbe<'_>],
    now: i64,
) -> Result<Vec<store::messages::PostingRow>> {
    let since = now - crate::clock::MINUTE_MS;
    Ok(store::messages::posting(conn, probes, since, state.settings.flood_limit().unwrap_or(0)).await?)
}

/// `check_posting` on the row `store::messages::posting` read for this post.
pub(crate) async fn check_posting_row(
    conn: &mut AnyConnection,
    state: &AppState,
    actor: &Actor,
    chat: ChatId,
    key: &str,
    context: store::messages::PostingRow,
    now: i64,
) -> Result<Posting> {
    if key.is_empty() || key.len() > 64 {
        return Err(Error::field("client_msg_id", if key.is_empty() { "required" } else { "too_long" }));
    }
    if let Some(earlier) = context.earlier_id {
        let existing = store::messages::message(conn, MessageId(earlier)).await?.ok_or(Error::NotFound)?;
        if existing.chat_id != chat.0 {
            return Err(Error::Conflict("client_msg_id_reused"));
        }
        return Ok(Posting::Repeat(render(conn, &existing, Some(actor.user_id)).await?));
    }
    let seat = context.seat();
    access::check_may_post(&context.chat, &seat, now)?;
    if state.settings.flood_limit().is_some_and(|limit| context.sent_recently >= limit) {
        return Err(Error::RateLimited("send_rate_limited"));
    }
    Ok(Posting::New { context, seat, key: key.to_owned() })
}

/// # Send a message
/// Acknowledged only after commit. A retry with the same `client_msg_id` returns
/// the stored message (and `false`: nothing new was created).
pub async fn send(
    state: &AppState,
    actor: &Actor,
    chat: ChatId,
    request: &SendMessageRequest,
) -> Result<(Message, bool)> {
    // Every send goes through the group commit, a lone one as a batch of one (`actions::send`).
    state.sends.send(state, actor, chat, request).await
}

/// A message the actor may forward: live, delivered, in a chat of `org` they sit in.
pub(crate) async fn forwardable(
    conn: &mut AnyConnection,
    actor: &Actor,
    org: OrgId,
    id: MessageId,
) -> Result<MessageRow> {
    let unknown = || Error::field("forward_of", "unknown_message");
    let original = store::messages::message(conn, id).await?.ok_or_else(unknown)?;
    let readable = store::seats::seat(conn, ChatId(original.chat_id), actor.user_id).await?.is_some();
    let same_school = store::chats::get(conn, ChatId(original.chat_id)).await?.is_some_and(|c| c.org_id == org.0);
    if !readable || !same_school || original.held_until.is_some() {
        return Err(unknown());
    }
    if original.deleted_at.is_some() {
        return Err(Error::Conflict("message_deleted"));
    }
    if store::polls::of_message(conn, id).await?.is_some() {
        return Err(Error::field("forward_of", "poll_not_forwardable"));
    }
    Ok(original)
}

/// Attaches a new message's files: those uploaded for it, or copies of a forwarded
/// message's files (readable then by whoever reads the chat they are forwarded to).
pub(crate) async fn do_attach(
    work: &mut Work,
    state: &AppState,
    actor: &Actor,
    chat: &ChatRow,
    message: MessageId,
    uploaded: &[parta_domain::FileId],
    forwarded: Option<&MessageRow>,
) -> Result<usize> {
    let mut files = uploaded.to_vec();
    if let Some(original) = forwarded {
        for file in store::files::attachments(work, original.message_id()).await? {
            // Bytes first, as at upload: a crash before commit leaves an orphan, never a row without bytes.
            let key = crate::blobs::new_key("chat-files");
            state.blobs.duplicate(&file.storage_key, &key).await.map_err(|e| Error::Internal(e.into()))?;
            files.push(store::files::copy_to_chat(work, &file, &key, chat.chat_id(), actor.user_id).await?);
        }
    }
    store::files::attach(work, OrgId(chat.org_id), message, &files).await?;
    Ok(files.len())
}

/// # Edit one's own message (marked as edited).
/// An edit is a post: it passes a send's checks (who may post here, mutes, read-only,
/// the send limit, which edits count against) and its quiet hours. A message still
/// held takes the new text and stays held; an edit written in quiet hours waits for
/// their end, and until then only its author sees it.
pub async fn edit(
    state: &AppState,
    actor: &Actor,
    chat: ChatId,
    id: MessageId,
    request: &EditMessageRequest,
) -> Result<Message> {
    let mut work = state.begin().await?;
    let access::ChatAccess { chat: row, seat, .. } = access::chat(&mut work, actor, chat).await?;
    let stored = store::messages::message(&mut work, id)
        .await?
        .filter(|m| m.chat_id == chat.0 && (m.held_until.is_none() || m.sender_id == actor.user_id.0))
        .ok_or(Error::NotFound)?;
    if stored.deleted_at.is_some() {
        return Err(Error::Conflict("message_deleted"));
    }
    if stored.sender_id != actor.user_id.0 {
        return Err(Error::Forbidden);
    }
    // A homework card follows its lesson's homework (`homework_card`).
    if stored.lesson_id.is_some() {
        return Err(Error::Conflict("homework_card"));
    }
    // An imported message is the export's words, whoever it is stored under.
    if stored.import_key.is_some() {
        return Err(Error::Conflict("imported_message"));
    }
    let now = crate::clock::now_ms();
    access::check_may_post(&row, &seat, now)?;
    if let Some(limit) = state.settings.flood_limit() {
        store::users::lock(&mut work, actor.user_id).await?;
        if store::messages::posts_since(&mut work, actor.user_id, now - crate::clock::MINUTE_MS, limit).await? >= limit
        {
            return Err(Error::RateLimited("send_rate_limited"));
        }
    }
    let body = prepare_body(&mut work, chat, &request.body).await?;
    do_rewrite(&mut work, &row, &stored, &body, actor.user_id, now).await?;
    let edited = store::messages::message(&mut work, id).await?.ok_or(Error::NotFound)?;
    let message = render(&mut work, &edited, Some(actor.user_id)).await?;
    work.commit(state).await?;
    Ok(message)
}

/// A message's new text, written `now` by `by`, as the chat's quiet hours allow: a
/// message still held takes it and stays held; in quiet hours the edit waits for
/// their end; otherwise it is applied at once.
pub(crate) async fn do_rewrite(
    work: &mut Work,
    chat: &ChatRow,
    stored: &MessageRow,
    body: &str,
    by: UserId,
    now: i64,
) -> Result<()> {
    let (org, id) = (OrgId(chat.org_id), stored.message_id());
    if stored.held_until.is_some() {
        // Nobody has seen it yet: the new text goes out when it is released.
        store::held::rewrite_held(work, id, body).await?;
        do_reindex(work, org, chat.chat_id(), id, body).await?;
    } else if let Some(until) = quiet_hold_in(work, org, chat.chat_id(), chat.kind(), now).await? {
        store::held::hold_edit(work, id, body, until).await?;
    } else {
        // A held edit the releaser has not reached yet is overtaken by this one.
        if let Some(until) = stored.pending_until {
            store::held::take_held_edit(work, id, until).await?;
        }
        do_apply_edit(work, org, chat.chat_id(), stored, body, by, now).await?;
    }
    Ok(())
}

/// The trusted write of an edit: the old text kept, the new one indexed and announced.
pub(crate) async fn do_apply_edit(
    work: &mut Work,
    org: OrgId,
    chat: ChatId,
    stored: &MessageRow,
    body: &str,
    by: UserId,
    now: i64,
) -> Result<()> {
    let id = stored.message_id();
    store::messages::insert_version(work, org, stored, Some(by), now).await?;
    store::messages::edit_message(work, id, body).await?;
    do_reindex(work, org, chat, id, body).await?;
    let edited = store::messages::message(work, id).await?.ok_or(Error::NotFound)?;
    let message = render(work, &edited, None).await?;
    do_chat_event(work, org, chat, ChatEvent::MessageEdited { message }).await?;
    Ok(())
}

/// # Delete a message for everyone: one's own, or any as the chat's moderator.
pub async fn delete(state: &AppState, actor: &Actor, chat: ChatId, id: MessageId) -> Result<()> {
    let mut work = state.begin().await?;
    let (access, stored) = access::message(&mut work, actor, chat, id).await?;
    let is_sender = stored.sender_id == actor.user_id.0;
    if !is_sender {
        access.require(ChatAbility::ModeratePosts)?;
    }
    let row = access.chat;
    let org = OrgId(row.org_id);
    if !is_sender {
        // A moderator's removal keeps the text for the chat's moderators and the audit log.
        store::messages::insert_version(&mut work, org, &stored, None, crate::clock::now_ms()).await?;
        store::audit::record(
            &mut work,
            store::audit::Entry {
                org: Some(org),
                actor: Some(actor.user_id),
                action: "message_deleted_by_moderator",
                target_type: "chat",
                target_id: Some(chat.0),
                details: serde_json::json!({ "message_id": id, "sender_id": stored.sender_id }),
            },
        )
        .await?;
    }
    store::messages::delete_message(&mut work, id, actor.user_id).await?;
    store::search::unindex(&mut work, id).await?;
    do_chat_event(
        &mut work,
        OrgId(row.org_id),
        chat,
        ChatEvent::MessageDeleted { message_id: id, by_moderator: !is_sender },
    )
    .await?;
    work.commit(state).await?;
    Ok(())
}

/// # Earlier texts of an edited message (the chat's moderators).
pub async fn versions(state: &AppState, actor: &Actor, chat: ChatId, id: MessageId) -> Result<Vec<MessageVersion>> {
    let mut conn = state.db.reads().acquire().await?;
    let access = access::chat(&mut conn, actor, chat).await?;
    if store::messages::message(&mut conn, id).await?.filter(|m| m.chat_id == chat.0).is_none() {
        return Err(Error::NotFound);
    }
    access.require(ChatAbility::SeeVersions)?;
    Ok(store::messages::versions(&mut conn, id)
        .await?
        .into_iter()
        .map(|(body, at)| MessageVersion { body, written_at: rfc3339(at) })
        .collect())
}

/// A post the server makes for someone (a homework card, an order's announcement).
pub(crate) struct Post<'a> {
    pub sender: UserId,
    /// Its idempotency key, unique per sender.
    pub key: &'a str,
    pub text: &'a str,
    pub needs_ack: bool,
    /// The lesson a homework card follows.
    pub lesson: Option<LessonId>,
}

/// Posts into a chat as `post.sender`: held until the chat's quiet hours end, or sent
/// now and told to the chat.
pub(crate) async fn do_post_as(work: &mut Work, chat: &ChatRow, post: &Post<'_>, now: i64) -> Result<MessageId> {
    let org = OrgId(chat.org_id);
    let held_until = quiet_hold_in(work, org, chat.chat_id(), chat.kind(), now).await?;
    let seq = if held_until.is_some() { 0 } else { store::events::next_seq(work, chat.chat_id()).await? };
    let id: MessageId = store::messages::insert_message(
        work,
        &NewMessage {
            org,
            chat: chat.chat_id(),
            seq,
            sender: post.sender,
            client_msg_id: post.key,
            body: post.text,
            reply_to: None,
            needs_ack: post.needs_ack,
            held_until,
            forwarded_from: None,
            created_at: now,
        },
    )
    .await?;
    if let Some(lesson) = post.lesson {
        store::messages::set_lesson(work, id, lesson).await?;
    }
    do_index(work, org, chat.chat_id(), id, post.text).await?;
    if held_until.is_none() {
        let stored = store::messages::message(work, id).await?.ok_or(Error::NotFound)?;
        let message = render(work, &stored, None).await?;
        do_chat_event_at(work, org, chat.chat_id(), seq, ChatEvent::MessageSent { message }).await?;
        crate::push::do_queue_message(work, id).await?;
    }
    Ok(id)
}
