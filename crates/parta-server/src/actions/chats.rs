//! Chats and messages. The directory drives who sits in which chat
//! (`do_sync_seats`); members read, post, edit, delete and mark as read. Every
//! change is an event at the chat's next position, written in the same
//! transaction and published after commit.

use std::collections::BTreeMap;

use parta_domain::chats::{self, ChatKey, ChatKind, ChatRole, DirectoryFacts, MESSAGE_MAX_CHARS};
use parta_domain::{ChatId, ClassId, MessageId, OrgId, UserId};
use parta_protocol::{
    AckEntry, AckStatus, Chat, ChatEvent, ChatMember, EditMessageRequest, Message, MessagePage, MessageVersion,
    PersonRef, Reaction, ReadStatus, SendMessageRequest, ServerFrame, UserEvent,
};
use sqlx::AnyConnection;

use crate::auth::Actor;
use crate::bus::Envelope;
use crate::clock::{rfc3339, rfc3339_opt};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::chats::{ChatRow, MessageRow, SeatRow};
use crate::work::Work;

pub const PAGE_MAX: i64 = 100;

// ---------------------------------------------------------------------------
// Events: the one place chat and user positions are taken.
// ---------------------------------------------------------------------------

/// Appends an event at the chat's next position and queues it for the bus.
pub async fn do_chat_event(work: &mut Work, org: OrgId, chat: ChatId, event: ChatEvent) -> Result<i64> {
    let seq = store::chats::next_seq(work, chat).await?;
    do_chat_event_at(work, org, chat, seq, event).await?;
    Ok(seq)
}

/// Appends an event at a position already taken with `store::chats::next_seq`.
pub async fn do_chat_event_at(work: &mut Work, org: OrgId, chat: ChatId, seq: i64, event: ChatEvent) -> Result<()> {
    do_chat_events(work, vec![(org, chat, seq, event)]).await
}

/// Appends events at positions already taken, in one statement, and queues them for
/// the bus in the order given.
pub async fn do_chat_events(work: &mut Work, events: Vec<(OrgId, ChatId, i64, ChatEvent)>) -> Result<()> {
    let mut script = store::Script::for_connection(work);
    chat_events_into(work, &mut script, events)?;
    Ok(script.run(work).await?)
}

/// Adds chat events to `script` (which the caller runs) and to the bus's outbox.
pub fn chat_events_into(
    work: &mut Work,
    script: &mut store::Script,
    events: Vec<(OrgId, ChatId, i64, ChatEvent)>,
) -> Result<()> {
    let payloads: Vec<String> = events
        .iter()
        .map(|(_, _, _, event)| serde_json::to_string(event))
        .collect::<std::result::Result<_, _>>()
        .map_err(anyhow::Error::from)?;
    let rows: Vec<store::chats::ChatEventRow> = events
        .iter()
        .zip(&payloads)
        .map(|((org, chat, seq, _), payload)| store::chats::ChatEventRow { org: *org, chat: *chat, seq: *seq, payload })
        .collect();
    store::chats::append_chat_events(script, &rows);
    for (_, chat, seq, event) in events {
        let left = match &event {
            ChatEvent::MemberLeft { user_id } => Some(*user_id),
            _ => None,
        };
        let frame = serde_json::to_string(&ServerFrame::ChatEvent { chat_id: chat, seq, event: Box::new(event) })
            .map_err(anyhow::Error::from)?;
        work.publish_after_commit(Envelope::Chat { chat, seq, frame: frame.into(), left });
    }
    Ok(())
}

pub async fn do_user_event(work: &mut Work, user: UserId, org: Option<OrgId>, event: UserEvent) -> Result<i64> {
    let seq = store::chats::next_user_seq(work, user).await?;
    store::chats::append_user_event(work, user, seq, org, &serde_json::to_string(&event).map_err(anyhow::Error::from)?)
        .await?;
    let frame =
        serde_json::to_string(&ServerFrame::UserEvent { seq, event: event.clone() }).map_err(anyhow::Error::from)?;
    work.publish_after_commit(Envelope::User { user, seq, event, frame: frame.into() });
    Ok(seq)
}

// ---------------------------------------------------------------------------
// The registry drives the chats.
// ---------------------------------------------------------------------------

/// «Учительская» and the two channels of a new school.
pub async fn do_create_school_chats(conn: &mut AnyConnection, org: OrgId, staff_room: ClassId) -> Result<()> {
    store::chats::insert_chat(conn, org, ChatKind::StaffRoom, Some(staff_room), &ChatKind::StaffRoom.title(""), None)
        .await?;
    for kind in [ChatKind::SchoolChannel, ChatKind::StaffChannel] {
        store::chats::insert_chat(conn, org, kind, None, &kind.title(""), None).await?;
    }
    Ok(())
}

/// The class chat, the parents chat and the class-teachers chat of a new class.
pub async fn do_create_class_chats(conn: &mut AnyConnection, org: OrgId, class: ClassId, name: &str) -> Result<()> {
    for kind in ChatKind::OF_A_CLASS {
        store::chats::insert_chat(conn, org, kind, Some(class), &kind.title(name), None).await?;
    }
    Ok(())
}

pub(crate) async fn directory_facts(conn: &mut AnyConnection, org: OrgId, user: UserId) -> Result<DirectoryFacts> {
    let places = store::directory::active_places(conn, org, user).await?;
    let staff_room = store::schools::staff_room(conn, org).await?;
    Ok(DirectoryFacts {
        places: places.iter().map(|p| (p.role(), p.class_id())).collect(),
        staff_room: Some(staff_room.class_id()),
        leads: store::directory::classes_led_by(conn, org, user).await?.into_iter().map(|c| c.id).collect(),
        is_admin: store::directory::is_admin(conn, org, user).await?,
    })
}

/// Brings a person's directory-driven seats in one school in line with the
/// directory: new seats, ended seats and changed roles, each with its events
/// (in the chat, and in the person's own stream). Call after every directory change.
pub async fn do_sync_seats(work: &mut Work, org: OrgId, user: UserId) -> Result<()> {
    let facts = directory_facts(work, org, user).await?;
    let wanted: BTreeMap<ChatKey, ChatRole> = chats::directory_chats(&facts);
    let by_key: BTreeMap<ChatKey, ChatRow> = store::chats::org_chats(work, org)
        .await?
        .into_iter()
        .map(|c| (ChatKey { kind: c.kind(), class: c.class_id.map(ClassId) }, c))
        .collect();
    let mut wanted: BTreeMap<ChatId, ChatRole> =
        wanted.into_iter().filter_map(|(key, role)| by_key.get(&key).map(|chat| (chat.chat_id(), role))).collect();
    // Subject chats take the students of their class; their teacher sits there as owner.
    let student_of: Vec<ClassId> =
        facts.places.iter().filter(|(role, _)| *role == parta_domain::MemberRole::Student).map(|(_, c)| *c).collect();
    for chat in store::chats::subject_chats(work, org).await? {
        if chat.class_id.is_some_and(|class| student_of.contains(&ClassId(class))) && chat.owner_id != Some(user.0) {
            wanted.insert(chat.chat_id(), ChatRole::Member);
        }
    }
    let all_seats = store::chats::seats_of(work, user, Some(org)).await?;
    let left_school = facts.places.is_empty() && !facts.is_admin;
    // Someone who left the school leaves their direct conversations there too.
    let seats: Vec<SeatRow> = all_seats.iter().filter(|s| s.source == "directory" || left_school).cloned().collect();
    let person = store::users::person(work, user).await?.ok_or(Error::NotFound)?;

    for seat in &seats {
        let chat = ChatId(seat.chat_id);
        match wanted.get(&chat) {
            None => do_unseat(work, org, seat).await?,
            // An appointed role (a channel author) stands above what the directory gives.
            Some(role) if (*role).max(seat.appointed().unwrap_or(ChatRole::Member)) != seat.role() => {
                let role = (*role).max(seat.appointed().unwrap_or(ChatRole::Member));
                store::chats::set_seat_role(work, seat.id, role).await?;
                do_chat_event(work, org, chat, ChatEvent::MemberJoined { person: person.clone(), role }).await?;
            }
            Some(_) => {}
        }
    }
    for (chat, role) in wanted {
        // A seat of any kind counts: someone added by hand is not seated twice.
        if all_seats.iter().any(|s| s.chat_id == chat.0) {
            continue;
        }
        // History is readable from the start; unread counts start at the join.
        do_seat(work, org, chat, user, role, "directory").await?;
    }
    Ok(())
}

/// Seats someone in a chat (`source`: directory, owner, manual, invite, direct): their joining is an event
/// in the chat, and the chat appears in their list.
pub(crate) async fn do_seat(
    work: &mut Work,
    org: OrgId,
    chat: ChatId,
    user: UserId,
    role: ChatRole,
    source: &str,
) -> Result<()> {
    let person = store::users::person(work, user).await?.ok_or(Error::NotFound)?;
    let seq = do_chat_event(work, org, chat, ChatEvent::MemberJoined { person, role }).await?;
    store::chats::insert_seat(work, org, chat, user, role, source, seq).await?;
    do_user_event(work, user, Some(org), UserEvent::ChatAdded { chat_id: chat, org_id: org, from_seq: seq }).await?;
    Ok(())
}

/// Ends a seat: the last event they get from the chat is their own leaving.
pub(crate) async fn do_unseat(work: &mut Work, org: OrgId, seat: &SeatRow) -> Result<()> {
    let (chat, user) = (ChatId(seat.chat_id), UserId(seat.user_id));
    do_chat_event(work, org, chat, ChatEvent::MemberLeft { user_id: user }).await?;
    store::chats::end_seat(work, seat.id).await?;
    do_user_event(work, user, Some(org), UserEvent::ChatRemoved { chat_id: chat }).await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Reading.
// ---------------------------------------------------------------------------

/// Groups (emoji, user) pairs into reactions, in the order each emoji first appeared.
fn group_reactions(pairs: Vec<(String, i64)>) -> Vec<Reaction> {
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
    let reactions = group_reactions(store::chats::reactions(conn, row.message_id()).await?);
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
            store::chats::acks(conn, row.message_id()).await?.iter().any(|(user, _)| *user == viewer.0);
    }
    if let Some(poll) = store::polls::of_message(conn, row.message_id()).await? {
        message.poll = Some(super::polls::render_poll(conn, &poll, viewer).await?);
    }
    if let Some(original) = row.forwarded_from
        && let Some(original) = store::chats::message(conn, MessageId(original)).await?
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
    PersonRef {
        id: UserId(row.sender_id),
        family_name: row.family_name.clone(),
        given_name: row.given_name.clone(),
        patronymic: row.patronymic.clone(),
    }
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
    }
}

/// A chat's title for one member: a direct conversation is titled with the other person's name.
pub(crate) async fn chat_title(conn: &mut AnyConnection, chat: &ChatRow, user: UserId) -> Result<String> {
    if chat.kind() != ChatKind::Direct {
        return Ok(chat.title.clone());
    }
    for seat in store::chats::chat_seats(conn, chat.chat_id()).await? {
        if seat.user_id != user.0
            && let Some(other) = store::users::person(conn, UserId(seat.user_id)).await?
        {
            return Ok(format!("{} {}", other.family_name, other.given_name));
        }
    }
    Ok(chat.title.clone())
}

pub(crate) async fn render_chat(
    conn: &mut AnyConnection,
    chat: &ChatRow,
    seat: &SeatRow,
    user: UserId,
) -> Result<Chat> {
    let last = match store::chats::last_message(conn, chat.chat_id()).await? {
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
        owner_id: chat.owner_id.map(UserId),
        my_role: seat.role(),
        can_post: chats::can_post(chat.kind(), seat.role(), chat.read_only == 1),
        last_seq: chat.last_seq,
        last_read_seq: seat.last_read_seq,
        unread: store::chats::unread_count(conn, chat.chat_id(), user, seat.last_read_seq).await?,
        muted_until: seat.muted_until.filter(|until| *until > crate::clock::now_ms()).map(rfc3339),
        last_message: last,
    })
}

/// A chat the actor sits in; to anyone else it does not exist.
pub(crate) async fn access_chat(conn: &mut AnyConnection, actor: &Actor, chat: ChatId) -> Result<(ChatRow, SeatRow)> {
    let seat = store::chats::seat(conn, chat, actor.user_id).await?.ok_or(Error::NotFound)?;
    let row = store::chats::get(conn, chat).await?.ok_or(Error::NotFound)?;
    Ok((row, seat))
}

/// # The actor's chats, in every school or one, most recently active first.
pub async fn list(state: &AppState, actor: &Actor, org: Option<OrgId>) -> Result<Vec<Chat>> {
    let mut conn = state.db.reads().acquire().await?;
    let seats = store::chats::seats_of(&mut conn, actor.user_id, org).await?;
    let mut chats = Vec::with_capacity(seats.len());
    for seat in &seats {
        let Some(row) = store::chats::get(&mut conn, ChatId(seat.chat_id)).await? else { continue };
        chats.push(render_chat(&mut conn, &row, seat, actor.user_id).await?);
    }
    chats.sort_by(|a, b| {
        let at = |c: &Chat| c.last_message.as_ref().map(|m| m.created_at.clone()).unwrap_or_default();
        at(b).cmp(&at(a)).then(a.id.cmp(&b.id))
    });
    Ok(chats)
}

pub async fn get(state: &AppState, actor: &Actor, chat: ChatId) -> Result<Chat> {
    let mut conn = state.db.reads().acquire().await?;
    let (row, seat) = access_chat(&mut conn, actor, chat).await?;
    render_chat(&mut conn, &row, &seat, actor.user_id).await
}

pub async fn members(state: &AppState, actor: &Actor, chat: ChatId) -> Result<Vec<ChatMember>> {
    let mut conn = state.db.reads().acquire().await?;
    access_chat(&mut conn, actor, chat).await?;
    let seats = store::chats::chat_seats(&mut conn, chat).await?;
    let mut members = Vec::with_capacity(seats.len());
    for seat in seats {
        let Some(person) = store::users::person(&mut conn, UserId(seat.user_id)).await? else { continue };
        let muted_until = seat.muted_until.filter(|until| *until > crate::clock::now_ms()).map(rfc3339);
        members.push(ChatMember { person, role: seat.role(), last_read_seq: seat.last_read_seq, muted_until });
    }
    Ok(members)
}

/// # History, newest page first: up to `limit` messages before position `before`.
pub async fn history(
    state: &AppState,
    actor: &Actor,
    chat: ChatId,
    before: Option<i64>,
    limit: Option<i64>,
) -> Result<MessagePage> {
    let mut conn = state.db.reads().acquire().await?;
    access_chat(&mut conn, actor, chat).await?;
    let limit = limit.unwrap_or(50).clamp(1, PAGE_MAX);
    let mut rows = store::chats::messages_before(&mut conn, chat, before.unwrap_or(i64::MAX), limit + 1).await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    rows.reverse();
    let mut messages = Vec::with_capacity(rows.len());
    for row in &rows {
        messages.push(render(&mut conn, row, Some(actor.user_id)).await?);
    }
    // One's own messages held by quiet hours follow the newest page; others do not see them yet.
    if before.is_none() {
        for row in store::chats::held_of(&mut conn, chat, actor.user_id).await? {
            messages.push(render(&mut conn, &row, Some(actor.user_id)).await?);
        }
    }
    Ok(MessagePage { messages, has_more })
}

// ---------------------------------------------------------------------------
// Writing.
// ---------------------------------------------------------------------------

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
        if store::chats::seat(conn, chat, user).await?.is_some()
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
// Made once per post and matched at once: the size of its variants does not matter.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Posting {
    /// The same `client_msg_id` was stored before: its message, as the sender sees it.
    Repeat(Message),
    New {
        context: store::chats::PostingRow,
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
    let probe = store::chats::PostingProbe { chat, user: actor.user_id, key };
    let context = read_postings(work, state, &[probe], now).await?.pop().ok_or(Error::NotFound)?;
    check_posting_row(work, state, actor, chat, key, context, now).await
}

/// Whether the holder of `seat` may post in `chat` at `now`: their chat role (a
/// channel's readers, a read-only chat's members may not) and their mute. Every
/// kind of post asks this — messages, polls, files, edits, typing.
pub(crate) fn check_may_post(chat: &ChatRow, seat: &SeatRow, now: i64) -> Result<()> {
    if !chats::can_post(chat.kind(), seat.role(), chat.read_only == 1) {
        return Err(Error::Forbidden);
    }
    if seat.muted_until.is_some_and(|until| until > now) {
        return Err(Error::Refused("muted"));
    }
    Ok(())
}

/// What posts are checked against (`store::chats::posting`), with the flood count of
/// the minute before `now`; the count stops at the limit, and with no limit at once.
pub(crate) async fn read_postings(
    conn: &mut AnyConnection,
    state: &AppState,
    probes: &[store::chats::PostingProbe<'_>],
    now: i64,
) -> Result<Vec<store::chats::PostingRow>> {
    let since = now - crate::clock::MINUTE_MS;
    Ok(store::chats::posting(conn, probes, since, state.settings.flood_limit().unwrap_or(0)).await?)
}

/// `check_posting` on the row `store::chats::posting` read for this post.
pub(crate) async fn check_posting_row(
    conn: &mut AnyConnection,
    state: &AppState,
    actor: &Actor,
    chat: ChatId,
    key: &str,
    context: store::chats::PostingRow,
    now: i64,
) -> Result<Posting> {
    if key.is_empty() || key.len() > 64 {
        return Err(Error::field("client_msg_id", if key.is_empty() { "required" } else { "too_long" }));
    }
    if let Some(earlier) = context.earlier_id {
        let existing = store::chats::message(conn, MessageId(earlier)).await?.ok_or(Error::NotFound)?;
        if existing.chat_id != chat.0 {
            return Err(Error::Conflict("client_msg_id_reused"));
        }
        return Ok(Posting::Repeat(render(conn, &existing, Some(actor.user_id)).await?));
    }
    let seat = context.seat();
    check_may_post(&context.chat, &seat, now)?;
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
    let original = store::chats::message(conn, id).await?.ok_or_else(unknown)?;
    let readable = store::chats::seat(conn, ChatId(original.chat_id), actor.user_id).await?.is_some();
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
    let (row, seat) = access_chat(&mut work, actor, chat).await?;
    let stored = store::chats::message(&mut work, id)
        .await?
        .filter(|m| m.chat_id == chat.0 && (m.held_until.is_none() || m.sender_id == actor.user_id.0))
        .ok_or(Error::NotFound)?;
    if stored.deleted_at.is_some() {
        return Err(Error::Conflict("message_deleted"));
    }
    if stored.sender_id != actor.user_id.0 {
        return Err(Error::Forbidden);
    }
    let now = crate::clock::now_ms();
    check_may_post(&row, &seat, now)?;
    if let Some(limit) = state.settings.flood_limit() {
        store::users::lock(&mut work, actor.user_id).await?;
        if store::chats::posts_since(&mut work, actor.user_id, now - crate::clock::MINUTE_MS, limit).await? >= limit {
            return Err(Error::RateLimited("send_rate_limited"));
        }
    }
    let body = prepare_body(&mut work, chat, &request.body).await?;
    let org = OrgId(row.org_id);
    if stored.held_until.is_some() {
        // Nobody has seen it yet: the new text goes out when it is released.
        store::chats::rewrite_held(&mut work, id, &body).await?;
        do_reindex(&mut work, org, chat, id, &body).await?;
    } else if let Some(until) = quiet_hold_in(&mut work, org, row.kind(), now).await? {
        store::chats::hold_edit(&mut work, id, &body, until).await?;
    } else {
        // A held edit the releaser has not reached yet is overtaken by this one.
        if let Some(until) = stored.pending_until {
            store::chats::take_held_edit(&mut work, id, until).await?;
        }
        do_apply_edit(&mut work, org, chat, &stored, &body, actor.user_id, now).await?;
    }
    let edited = store::chats::message(&mut work, id).await?.ok_or(Error::NotFound)?;
    let message = render(&mut work, &edited, Some(actor.user_id)).await?;
    work.commit(state).await?;
    Ok(message)
}

/// The trusted write of an edit: the old text kept, the new one indexed and announced.
async fn do_apply_edit(
    work: &mut Work,
    org: OrgId,
    chat: ChatId,
    stored: &MessageRow,
    body: &str,
    by: UserId,
    now: i64,
) -> Result<()> {
    let id = stored.message_id();
    store::chats::insert_version(work, org, stored, Some(by), now).await?;
    store::chats::edit_message(work, id, body).await?;
    do_reindex(work, org, chat, id, body).await?;
    let edited = store::chats::message(work, id).await?.ok_or(Error::NotFound)?;
    let message = render(work, &edited, None).await?;
    do_chat_event(work, org, chat, ChatEvent::MessageEdited { message }).await?;
    Ok(())
}

/// # Delete a message for everyone: one's own, or any as the chat's moderator.
pub async fn delete(state: &AppState, actor: &Actor, chat: ChatId, id: MessageId) -> Result<()> {
    let mut work = state.begin().await?;
    let (row, seat, stored) = access_message(&mut work, actor, chat, id).await?;
    let is_sender = stored.sender_id == actor.user_id.0;
    if !chats::can_delete(seat.role(), is_sender) {
        return Err(Error::Forbidden);
    }
    let org = OrgId(row.org_id);
    if !is_sender {
        // A moderator's removal keeps the text for the chat's moderators and the audit log.
        store::chats::insert_version(&mut work, org, &stored, None, crate::clock::now_ms()).await?;
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
    store::chats::delete_message(&mut work, id, actor.user_id).await?;
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

/// # Mark the chat as read up to a position (never backwards).
pub async fn mark_read(state: &AppState, actor: &Actor, chat: ChatId, seq: i64) -> Result<()> {
    let mut work = state.begin().await?;
    let (row, seat) = access_chat(&mut work, actor, chat).await?;
    if seq < 0 || seq > row.last_seq {
        return Err(Error::field("seq", "out_of_range"));
    }
    if seq <= seat.last_read_seq {
        return Ok(());
    }
    store::chats::set_last_read(&mut work, seat.id, seq).await?;
    do_chat_event(&mut work, OrgId(row.org_id), chat, ChatEvent::ReadUpTo { user_id: actor.user_id, seq }).await?;
    work.commit(state).await?;
    Ok(())
}

/// A live message of a chat the actor sits in.
pub(crate) async fn access_message(
    conn: &mut AnyConnection,
    actor: &Actor,
    chat: ChatId,
    id: MessageId,
) -> Result<(ChatRow, SeatRow, MessageRow)> {
    let (row, seat) = access_chat(conn, actor, chat).await?;
    let message = store::chats::message(conn, id).await?.filter(|m| m.chat_id == chat.0).ok_or(Error::NotFound)?;
    if message.deleted_at.is_some() {
        return Err(Error::Conflict("message_deleted"));
    }
    if message.held_until.is_some() {
        return Err(if message.sender_id == actor.user_id.0 {
            Error::Conflict("message_held")
        } else {
            Error::NotFound
        });
    }
    Ok((row, seat, message))
}

/// # Add or remove a reaction.
pub async fn react(
    state: &AppState,
    actor: &Actor,
    chat: ChatId,
    id: MessageId,
    emoji: &str,
    present: bool,
) -> Result<Vec<Reaction>> {
    let mut work = state.begin().await?;
    let (row, _seat, _message) = access_message(&mut work, actor, chat, id).await?;
    if !chats::REACTIONS.contains(&emoji) {
        return Err(Error::field("emoji", "unknown_reaction"));
    }
    let org = OrgId(row.org_id);
    let changed = store::chats::set_reaction(&mut work, org, id, actor.user_id, emoji, present).await?;
    let reactions = group_reactions(store::chats::reactions(&mut work, id).await?);
    if changed {
        let event = ChatEvent::ReactionsChanged { message_id: id, reactions: reactions.clone() };
        do_chat_event(&mut work, org, chat, event).await?;
    }
    work.commit(state).await?;
    Ok(reactions)
}

/// # Pin or unpin a message (moderators).
pub async fn pin(state: &AppState, actor: &Actor, chat: ChatId, id: MessageId, pinned: bool) -> Result<()> {
    let mut work = state.begin().await?;
    let (row, seat, message) = access_message(&mut work, actor, chat, id).await?;
    if !chats::can_pin(seat.role()) {
        return Err(Error::Forbidden);
    }
    if message.pinned_at.is_some() == pinned {
        return Ok(());
    }
    store::chats::set_pinned(&mut work, id, pinned.then_some(actor.user_id)).await?;
    do_chat_event(&mut work, OrgId(row.org_id), chat, ChatEvent::MessagePinned { message_id: id, pinned }).await?;
    work.commit(state).await?;
    Ok(())
}

/// # The chat's pinned messages, most recently pinned first.
pub async fn pinned(state: &AppState, actor: &Actor, chat: ChatId) -> Result<Vec<Message>> {
    let mut conn = state.db.reads().acquire().await?;
    access_chat(&mut conn, actor, chat).await?;
    let rows = store::chats::pinned(&mut conn, chat).await?;
    let mut messages = Vec::with_capacity(rows.len());
    for row in &rows {
        messages.push(render(&mut conn, row, Some(actor.user_id)).await?);
    }
    Ok(messages)
}

/// # Confirm a must-acknowledge post («Ознакомлен»).
pub async fn acknowledge(state: &AppState, actor: &Actor, chat: ChatId, id: MessageId) -> Result<()> {
    let mut work = state.begin().await?;
    let (row, _seat, message) = access_message(&mut work, actor, chat, id).await?;
    if message.needs_ack != 1 {
        return Err(Error::Conflict("ack_not_requested"));
    }
    if message.sender_id == actor.user_id.0 {
        return Err(Error::Conflict("ack_own_message"));
    }
    let org = OrgId(row.org_id);
    if store::chats::insert_ack(&mut work, org, id, actor.user_id).await? {
        let event = ChatEvent::MessageAcknowledged { message_id: id, user_id: actor.user_id };
        do_chat_event(&mut work, org, chat, event).await?;
    }
    work.commit(state).await?;
    Ok(())
}

/// Who confirmed, and which current members (other than the author) have not.
async fn ack_status(conn: &mut AnyConnection, chat: ChatId, message: &MessageRow) -> Result<AckStatus> {
    let acks = store::chats::acks(conn, message.message_id()).await?;
    let mut confirmed = Vec::with_capacity(acks.len());
    for (user, at) in &acks {
        if let Some(person) = store::users::person(conn, UserId(*user)).await? {
            confirmed.push(AckEntry { person, at: rfc3339(*at) });
        }
    }
    let mut pending = Vec::new();
    for seat in store::chats::chat_seats(conn, chat).await? {
        if seat.user_id == message.sender_id || acks.iter().any(|(user, _)| *user == seat.user_id) {
            continue;
        }
        if let Some(person) = store::users::person(conn, UserId(seat.user_id)).await? {
            pending.push(person);
        }
    }
    Ok(AckStatus { message_id: message.message_id(), confirmed, pending })
}

/// The author of a post and the chat's moderators follow its confirmations.
fn may_follow_acks(seat: &SeatRow, message: &MessageRow) -> bool {
    message.sender_id == seat.user_id || seat.role() >= ChatRole::Moderator
}

/// # Who has confirmed a must-acknowledge post and who has not.
pub async fn acks(state: &AppState, actor: &Actor, chat: ChatId, id: MessageId) -> Result<AckStatus> {
    let mut conn = state.db.reads().acquire().await?;
    let (_row, seat, message) = access_message(&mut conn, actor, chat, id).await?;
    if !may_follow_acks(&seat, &message) {
        return Err(Error::Forbidden);
    }
    if message.needs_ack != 1 {
        return Err(Error::Conflict("ack_not_requested"));
    }
    ack_status(&mut conn, chat, &message).await
}

/// # Remind those who have not confirmed.
pub async fn remind(state: &AppState, actor: &Actor, chat: ChatId, id: MessageId) -> Result<AckStatus> {
    let mut work = state.begin().await?;
    let (row, seat, message) = access_message(&mut work, actor, chat, id).await?;
    if !may_follow_acks(&seat, &message) {
        return Err(Error::Forbidden);
    }
    if message.needs_ack != 1 {
        return Err(Error::Conflict("ack_not_requested"));
    }
    let status = ack_status(&mut work, chat, &message).await?;
    if !status.pending.is_empty() {
        let user_ids = status.pending.iter().map(|p| p.id).collect();
        do_chat_event(&mut work, OrgId(row.org_id), chat, ChatEvent::AckReminder { message_id: id, user_ids }).await?;
    }
    work.commit(state).await?;
    Ok(status)
}

/// # Who has read a post (its author and the chat's moderators)
/// Names everywhere but the school-wide channel, where only the count is shown.
pub async fn reads(state: &AppState, actor: &Actor, chat: ChatId, id: MessageId) -> Result<ReadStatus> {
    let mut conn = state.db.reads().acquire().await?;
    let (row, seat, message) = access_message(&mut conn, actor, chat, id).await?;
    if message.sender_id != actor.user_id.0 && seat.role() < ChatRole::Moderator {
        return Err(Error::Forbidden);
    }
    let others: Vec<SeatRow> = store::chats::chat_seats(&mut conn, chat)
        .await?
        .into_iter()
        .filter(|s| s.user_id != message.sender_id)
        .collect();
    let read: Vec<&SeatRow> = others.iter().filter(|s| s.last_read_seq >= message.seq).collect();
    let readers = if row.kind() == ChatKind::SchoolChannel {
        None
    } else {
        let mut people = Vec::with_capacity(read.len());
        for seat in &read {
            if let Some(person) = store::users::person(&mut conn, UserId(seat.user_id)).await? {
                people.push(person);
            }
        }
        Some(people)
    };
    Ok(ReadStatus { message_id: id, read: read.len() as i64, members: others.len() as i64, readers })
}

/// # Earlier texts of an edited message (the chat's moderators).
pub async fn versions(state: &AppState, actor: &Actor, chat: ChatId, id: MessageId) -> Result<Vec<MessageVersion>> {
    let mut conn = state.db.reads().acquire().await?;
    let (_row, seat) = access_chat(&mut conn, actor, chat).await?;
    if store::chats::message(&mut conn, id).await?.filter(|m| m.chat_id == chat.0).is_none() {
        return Err(Error::NotFound);
    }
    if seat.role() < ChatRole::Moderator {
        return Err(Error::Forbidden);
    }
    Ok(store::chats::versions(&mut conn, id)
        .await?
        .into_iter()
        .map(|(body, at)| MessageVersion { body, written_at: rfc3339(at) })
        .collect())
}

/// Chats where quiet hours hold messages: those with students or parents in them.
fn quiet_hours_apply(kind: ChatKind) -> bool {
    matches!(kind, ChatKind::Class | ChatKind::Parents | ChatKind::SchoolChannel)
}

/// When a message written `now` in a chat of `kind` is to be delivered, if it is held.
pub(crate) fn quiet_hold(school: &store::chats::PostingRow, kind: ChatKind, now: i64) -> Option<i64> {
    quiet_release(&school.time_zone, school.quiet_from.as_deref(), school.quiet_to.as_deref(), kind, now)
}

fn quiet_release(time_zone: &str, from: Option<&str>, to: Option<&str>, kind: ChatKind, now: i64) -> Option<i64> {
    use parta_domain::quiet::{DayTime, QuietHours, Release};
    if !quiet_hours_apply(kind) {
        return None;
    }
    let window = QuietHours { from: DayTime::parse(from?)?, to: DayTime::parse(to?)? };
    let zone = jiff::tz::TimeZone::get(time_zone).ok()?;
    let local = jiff::Timestamp::from_millisecond(now).ok()?.to_zoned(zone.clone());
    let here = DayTime((local.hour() as u16) * 60 + local.minute() as u16);
    let (day, at) = match window.release(here) {
        Release::Now => return None,
        Release::Today(at) => (local.date(), at),
        Release::Tomorrow(at) => (local.date().tomorrow().ok()?, at),
    };
    let release = day.at(at.hours() as i8, at.minutes() as i8, 0, 0).to_zoned(zone).ok()?;
    Some(release.timestamp().as_millisecond())
}

/// `quiet_hold` for a post that has not read the school's settings with its checks.
pub(crate) async fn quiet_hold_in(
    conn: &mut AnyConnection,
    org: OrgId,
    kind: ChatKind,
    now: i64,
) -> Result<Option<i64>> {
    if !quiet_hours_apply(kind) {
        return Ok(None);
    }
    let school = store::schools::get(conn, org).await?.ok_or(Error::NotFound)?;
    Ok(quiet_release(&school.time_zone, school.quiet_from.as_deref(), school.quiet_to.as_deref(), kind, now))
}

/// Delivers messages whose quiet hours have ended: each takes its chat position now
/// and goes out as `message_sent`. Returns how many were released.
pub async fn release_held(state: &AppState) -> Result<usize> {
    let due = {
        let mut conn = state.db.reads().acquire().await?;
        store::chats::held_due(&mut conn, crate::clock::now_ms()).await?
    };
    let mut released = 0;
    for (message, chat, org) in due {
        let (message, chat, org) = (MessageId(message), ChatId(chat), OrgId(org));
        let mut work = state.begin().await?;
        let seq = store::chats::next_seq(&mut work, chat).await?;
        if !store::chats::release_message(&mut work, message, seq).await? {
            continue;
        }
        let stored = store::chats::message(&mut work, message).await?.ok_or(Error::NotFound)?;
        let rendered = render(&mut work, &stored, None).await?;
        do_chat_event_at(&mut work, org, chat, seq, ChatEvent::MessageSent { message: rendered }).await?;
        work.commit(state).await?;
        released += 1;
    }
    let edits = {
        let mut conn = state.db.reads().acquire().await?;
        store::chats::edits_due(&mut conn, crate::clock::now_ms()).await?
    };
    for (message, chat, org) in edits {
        let (message, chat, org) = (MessageId(message), ChatId(chat), OrgId(org));
        let mut work = state.begin().await?;
        let Some(stored) = store::chats::message(&mut work, message).await? else { continue };
        let (Some(body), Some(until)) = (stored.pending_body.clone(), stored.pending_until) else { continue };
        if !store::chats::take_held_edit(&mut work, message, until).await? {
            continue;
        }
        do_apply_edit(&mut work, org, chat, &stored, &body, UserId(stored.sender_id), until).await?;
        work.commit(state).await?;
        released += 1;
    }
    Ok(released)
}

pub(crate) async fn direct_facts(conn: &mut AnyConnection, org: OrgId, user: UserId) -> Result<chats::DirectFacts> {
    let places = store::directory::active_places(conn, org, user).await?;
    let mut facts = chats::DirectFacts { user: Some(user), ..Default::default() };
    for place in &places {
        facts.classes.push(place.class_id());
        if let Some(child) = place.child_user_id {
            facts.children.push(UserId(child));
        }
        match place.role() {
            parta_domain::MemberRole::Student => facts.student_of.push(place.class_id()),
            role if super::schools::teaches(role) => facts.teaches.push(place.class_id()),
            _ => {}
        }
    }
    for class in store::directory::classes_led_by(conn, org, user).await? {
        facts.teaches.push(class.id);
        facts.classes.push(class.id);
    }
    Ok(facts)
}

/// # Open the direct conversation with someone of the same school
/// Only between people who share a class or a group or subject chat; in student safe
/// mode a student is reached only by classmates, their teachers and their parents.
/// Anyone else is not found at all.
pub async fn open_direct(state: &AppState, actor: &Actor, org: OrgId, user: UserId) -> Result<Chat> {
    let mut work = state.begin().await?;
    let school = crate::access::visible_school(&mut work, actor, org).await?;
    if user == actor.user_id {
        return Err(Error::field("user_id", "self"));
    }
    let sender = direct_facts(&mut work, org, actor.user_id).await?;
    let recipient = direct_facts(&mut work, org, user).await?;
    let share_a_chat = store::chats::share_a_chat_made_by_people(&mut work, org, actor.user_id, user).await?;
    if !chats::can_direct_message(&sender, &recipient, school.org.student_safety(), share_a_chat) {
        return Err(Error::NotFound);
    }
    let key = format!("{}:{}:{}", org.0, actor.user_id.0.min(user.0), actor.user_id.0.max(user.0));
    let chat = match store::chats::direct_chat(&mut work, &key).await? {
        Some(chat) => chat.chat_id(),
        None => store::chats::insert_direct_chat(&mut work, org, &key).await?,
    };
    for person in [actor.user_id, user] {
        if store::chats::seat(&mut work, chat, person).await?.is_none() {
            do_seat(&mut work, org, chat, person, ChatRole::Member, "direct").await?;
        }
    }
    let row = store::chats::get(&mut work, chat).await?.ok_or(Error::NotFound)?;
    let seat = store::chats::seat(&mut work, chat, actor.user_id).await?.ok_or(Error::NotFound)?;
    let rendered = render_chat(&mut work, &row, &seat, actor.user_id).await?;
    work.commit(state).await?;
    Ok(rendered)
}
