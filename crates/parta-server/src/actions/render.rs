//! Chats and messages as a reader sees them: the wire shapes of `parta_protocol`,
//! with the reader's abilities, reactions, attachments, polls and held edits.

use parta_domain::chats::ChatKind;
use parta_domain::{ChatId, ClassId, LessonId, MessageId, OrgId, UserId};
use parta_protocol::{Chat, HomeworkCard, Message, PersonRef, Reaction};
use sqlx::AnyConnection;

use crate::access::ChatAccess;
use crate::clock::{rfc3339, rfc3339_opt};
use crate::error::Result;
use crate::store;
use crate::store::chats::ChatRow;
use crate::store::messages::MessageRow;

/// Groups (emoji, user) pairs into reactions, in the order each emoji first appeared.
pub(crate) fn group_reactions(pairs: Vec<(String, i64)>) -> Vec<Reaction> {
    let mut reactions: Vec<Reaction> = Vec::new();
    for (emoji, user) in pairs {
        match reactions.iter_mut().find(|r| r.emoji == emoji) {
            Some(reaction) => reaction.user_ids.push(UserId(user)),
            None => reactions.push(Reaction { emoji, user_ids: vec![UserId(user)] }),
        }
    }
    reactions
}

/// A stored message with its reactions and poll, as `viewer` sees it (no viewer: as
/// everyone sees it, for events).
pub(crate) async fn render(conn: &mut AnyConnection, row: &MessageRow, viewer: Option<UserId>) -> Result<Message> {
    let reactions = group_reactions(store::reactions::reactions(conn, row.message_id()).await?);
    let mut message = render_message(row, reactions);
    // An edit held by quiet hours: its author sees it, marked with when it goes out.
    if let (Some(body), Some(until)) = (&row.pending_body, row.pending_until)
        && viewer == Some(UserId(row.sender_id))
        && !message.deleted
    {
        message.rich = parta_domain::format::parse(body);
        message.mentions = parta_domain::format::mentions(body);
        message.body = body.clone();
        message.held_until = Some(rfc3339(until));
    }
    if !message.deleted {
        let files = store::files::attachments(conn, row.message_id()).await?;
        message.attachments = files.iter().map(|f| f.info()).collect();
    }
    if let Some(viewer) = viewer.filter(|_| row.needs_ack == 1) {
        message.acked_by_me =
            store::acks::acks(conn, row.message_id()).await?.iter().any(|(user, _)| *user == viewer.0);
    }
    if let Some(poll) = store::polls::of_message(conn, row.message_id()).await? {
        message.poll = Some(super::polls::render_poll(conn, &poll, viewer).await?);
    }
    if let Some(original) = row.forwarded_from
        && let Some(original) = store::messages::message(conn, MessageId(original)).await?
    {
        message.forwarded_from = Some(forwarded_from(&original));
    }
    Ok(message)
}

/// A message just stored, rendered without reading back what it cannot have yet
/// (reactions, acknowledgements, a poll): a send is on the single writer's path.
pub(crate) async fn render_new(
    conn: &mut AnyConnection,
    row: &MessageRow,
    forwarded: Option<&MessageRow>,
    has_files: bool,
) -> Result<Message> {
    let mut message = render_message(row, Vec::new());
    if has_files {
        let files = store::files::attachments(conn, row.message_id()).await?;
        message.attachments = files.iter().map(|f| f.info()).collect();
    }
    message.forwarded_from = forwarded.map(forwarded_from);
    Ok(message)
}

/// Who wrote a forwarded message and when; the copy itself is what readers of this chat see.
fn forwarded_from(original: &MessageRow) -> parta_protocol::ForwardedFrom {
    parta_protocol::ForwardedFrom { sender: sender_of(original), sent_at: rfc3339(original.created_at) }
}

fn sender_of(row: &MessageRow) -> PersonRef {
    PersonRef::new(UserId(row.sender_id), &row.family_name, &row.given_name, row.patronymic.as_deref())
}

pub fn render_message(row: &MessageRow, reactions: Vec<Reaction>) -> Message {
    let deleted = row.deleted_at.is_some();
    let body = if deleted { String::new() } else { row.body.clone() };
    let rich = parta_domain::format::parse(&body);
    let mentions = parta_domain::format::mentions(&body);
    Message {
        id: row.message_id(),
        chat_id: ChatId(row.chat_id),
        seq: row.seq,
        sender: sender_of(row),
        client_msg_id: row.client_msg_id.clone(),
        body,
        rich,
        mentions,
        forwarded_from: None,
        reply_to: row.reply_to.map(MessageId),
        created_at: rfc3339(row.created_at),
        edited_at: rfc3339_opt(row.edited_at),
        deleted,
        deleted_by_moderator: deleted && row.deleted_by != Some(row.sender_id),
        pinned: row.pinned_at.is_some() && !deleted,
        needs_ack: row.needs_ack == 1,
        acked_by_me: false,
        reactions: if deleted { Vec::new() } else { reactions },
        poll: None,
        attachments: Vec::new(),
        held_until: rfc3339_opt(row.held_until),
        homework: row
            .lesson_id
            .zip(row.lesson_on.clone())
            .map(|(lesson, date)| HomeworkCard { lesson_id: LessonId(lesson), date }),
        imported: row.import_key.is_some(),
        guest_name: row.guest_name.clone(),
        forwarded_from_name: row.forwarded_name.clone(),
    }
}

/// A chat's title for one member: a direct conversation is titled with the other person's name.
pub(crate) async fn chat_title(conn: &mut AnyConnection, chat: &ChatRow, user: UserId) -> Result<String> {
    if chat.kind() != ChatKind::Direct {
        return Ok(chat.title.clone());
    }
    for seat in store::seats::chat_seats(conn, chat.chat_id()).await? {
        if seat.user_id != user.0
            && let Some(other) = store::users::person(conn, UserId(seat.user_id)).await?
        {
            return Ok(format!("{} {}", other.family_name, other.given_name));
        }
    }
    Ok(chat.title.clone())
}

/// A chat as the holder of `access` sees it, with what they may do there.
pub(crate) async fn render_chat(conn: &mut AnyConnection, access: &ChatAccess) -> Result<Chat> {
    let (chat, seat) = (&access.chat, &access.seat);
    let user = UserId(seat.user_id);
    let last = match store::messages::last_message(conn, chat.chat_id()).await? {
        Some(row) => Some(render(conn, &row, Some(user)).await?),
        None => None,
    };
    let title = chat_title(conn, chat, user).await?;
    Ok(Chat {
        id: chat.chat_id(),
        org_id: OrgId(chat.org_id),
        kind: chat.kind(),
        class_id: chat.class_id.map(ClassId),
        title,
        read_only: chat.read_only == 1,
        archived: chat.archived_at.is_some(),
        owner_id: chat.owner_id.map(UserId),
        my_role: seat.role(),
        abilities: access.abilities(),
        quiet_hours: super::quiet::quiet_applies(conn, chat.chat_id(), chat.kind()).await?,
        last_seq: chat.last_seq,
        last_read_seq: seat.last_read_seq,
        unread: store::messages::unread_count(conn, chat.chat_id(), user, seat.last_read_seq).await?,
        muted_until: seat.muted_until.filter(|until| *until > crate::clock::now_ms()).map(rfc3339),
        silenced_until: super::notifications::silenced_until(seat),
        mentions_only: seat.mentions_only == 1,
        last_message: last,
    })
}
