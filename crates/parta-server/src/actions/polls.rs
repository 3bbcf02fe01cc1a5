//! Polls: single or multiple choice, anonymous or named, with an optional
//! deadline. A poll is a message whose body is the question; every vote and the
//! closing are chat events, so results update live.

use parta_domain::chat_rights::ChatAbility;
use parta_domain::{ChatId, MessageId, OrgId, UserId};
use parta_protocol::{ChatEvent, CreatePollRequest, Message, Poll, PollOption};
use sqlx::AnyConnection;

use super::Fields;
use super::events::{do_chat_event, do_chat_event_at};
use super::messages::{Posting, check_posting};
use super::quiet::quiet_hold;
use super::render::render;
use crate::access::{self, ChatAccess};
use crate::auth::Actor;
use crate::clock::{now_ms, rfc3339_opt};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::messages::NewMessage;
use crate::store::polls::{NewPoll, PollRow};

pub const MAX_OPTIONS: usize = 10;

pub(crate) async fn render_poll(conn: &mut AnyConnection, poll: &PollRow, viewer: Option<UserId>) -> Result<Poll> {
    let options = store::polls::options(conn, poll.id).await?;
    let votes = store::polls::votes(conn, poll.id).await?;
    let anonymous = poll.anonymous == 1;
    let mut voters: Vec<i64> = votes.iter().map(|(_, user)| *user).collect();
    voters.sort_unstable();
    voters.dedup();
    Ok(Poll {
        id: poll.id,
        multiple: poll.multiple == 1,
        anonymous,
        closes_at: rfc3339_opt(poll.closes_at),
        closed: poll.is_closed(now_ms()),
        options: options
            .into_iter()
            .map(|(id, text)| {
                let chosen: Vec<UserId> =
                    votes.iter().filter(|(option, _)| *option == id).map(|(_, user)| UserId(*user)).collect();
                PollOption {
                    id,
                    text,
                    votes: chosen.len() as i64,
                    voter_ids: if anonymous { Vec::new() } else { chosen },
                }
            })
            .collect(),
        voters: voters.len() as i64,
        my_option_ids: viewer
            .map(|viewer| votes.iter().filter(|(_, user)| *user == viewer.0).map(|(option, _)| *option).collect())
            .unwrap_or_default(),
    })
}

/// # Post a poll
/// Whoever may post in the chat may ask; the same `client_msg_id` again returns the poll already posted.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    chat: ChatId,
    request: &CreatePollRequest,
) -> Result<(Message, bool)> {
    let mut work = state.begin().await?;
    let (context, seat, key) = match check_posting(&mut work, state, actor, chat, &request.client_msg_id).await? {
        Posting::Repeat(message) => return Ok((message, false)),
        Posting::New { context, seat, key } => (context, seat, key),
    };
    // A poll is a post like any other: in quiet hours it waits for their end.
    let held_until = quiet_hold(&context, now_ms());
    let row = context.chat;
    let key = key.as_str();
    let mut fields = Fields::default();
    let question = fields.check(parta_domain::validate::text("question", &request.question, 500));
    let mut options: Vec<String> = Vec::new();
    for (index, option) in request.options.iter().enumerate() {
        if let Some(text) = fields.check(parta_domain::validate::line(&format!("options[{index}]"), option, 200)) {
            if options.contains(&text) {
                fields.reject(&format!("options[{index}]"), "duplicate");
            }
            options.push(text);
        }
    }
    if !(2..=MAX_OPTIONS).contains(&request.options.len()) {
        fields.reject("options", "out_of_range");
    }
    let closes_at = match request.closes_at.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(text) => match text.parse::<jiff::Timestamp>() {
            Ok(at) if at.as_millisecond() > now_ms() => Some(at.as_millisecond()),
            Ok(_) => {
                fields.reject("closes_at", "in_the_past");
                None
            }
            Err(_) => {
                fields.reject("closes_at", "invalid_format");
                None
            }
        },
    };
    fields.finish()?;
    let question = super::checked(question)?;
    let org = OrgId(row.org_id);
    let seq = if held_until.is_some() { 0 } else { store::events::next_seq(&mut work, chat).await? };
    let message = store::messages::insert_message(
        &mut work,
        &NewMessage {
            org,
            chat,
            seq,
            sender: actor.user_id,
            client_msg_id: key,
            body: &question,
            reply_to: None,
            needs_ack: false,
            held_until,
            forwarded_from: None,
            created_at: now_ms(),
        },
    )
    .await?;
    super::messages::do_index(&mut work, org, chat, message, &question).await?;
    store::polls::insert(
        &mut work,
        &NewPoll {
            org,
            chat,
            message,
            multiple: request.multiple,
            anonymous: request.anonymous,
            closes_at,
            created_by: actor.user_id,
            options: &options,
        },
    )
    .await?;
    let stored = store::messages::message(&mut work, message).await?.ok_or(Error::NotFound)?;
    let rendered = render(&mut work, &stored, None).await?;
    if held_until.is_none() {
        do_chat_event_at(&mut work, org, chat, seq, ChatEvent::MessageSent { message: rendered.clone() }).await?;
        store::seats::set_last_read(&mut work, seat.id, seq).await?;
        crate::push::do_queue_message(&mut work, message).await?;
    }
    work.commit(state).await?;
    Ok((rendered, true))
}

async fn access_poll(
    conn: &mut AnyConnection,
    actor: &Actor,
    chat: ChatId,
    poll: i64,
) -> Result<(ChatAccess, PollRow)> {
    let poll = store::polls::get(conn, chat, poll).await?.ok_or(Error::NotFound)?;
    // A poll held by quiet hours is nobody's to see yet, nor to vote in or close.
    let (access, _message) = access::message(conn, actor, chat, MessageId(poll.message_id)).await?;
    Ok((access, poll))
}

async fn do_poll_updated(work: &mut crate::work::Work, org: OrgId, chat: ChatId, poll: &PollRow) -> Result<()> {
    let shared = render_poll(work, poll, None).await?;
    do_chat_event(work, org, chat, ChatEvent::PollUpdated { message_id: MessageId(poll.message_id), poll: shared })
        .await?;
    Ok(())
}

/// # Vote (or change or take back one's vote): the options chosen replace earlier ones.
pub async fn vote(state: &AppState, actor: &Actor, chat: ChatId, poll: i64, option_ids: &[i64]) -> Result<Poll> {
    let mut work = state.begin().await?;
    let (access, row) = access_poll(&mut work, actor, chat, poll).await?;
    let org = access.org_id();
    if row.is_closed(now_ms()) {
        return Err(Error::Conflict("poll_closed"));
    }
    let mut chosen = option_ids.to_vec();
    chosen.sort_unstable();
    chosen.dedup();
    let valid: Vec<i64> = store::polls::options(&mut work, poll).await?.into_iter().map(|(id, _)| id).collect();
    if chosen.iter().any(|id| !valid.contains(id)) {
        return Err(Error::field("option_ids", "unknown_option"));
    }
    if row.multiple == 0 && chosen.len() > 1 {
        return Err(Error::field("option_ids", "single_choice"));
    }
    store::polls::set_votes(&mut work, org, poll, actor.user_id, &chosen).await?;
    do_poll_updated(&mut work, org, chat, &row).await?;
    let mine = render_poll(&mut work, &row, Some(actor.user_id)).await?;
    work.commit(state).await?;
    Ok(mine)
}

/// # Close a poll early (its author or the chat's moderators).
pub async fn close(state: &AppState, actor: &Actor, chat: ChatId, poll: i64) -> Result<Poll> {
    let mut work = state.begin().await?;
    let (access, row) = access_poll(&mut work, actor, chat, poll).await?;
    let org = access.org_id();
    if row.created_by != actor.user_id.0 {
        access.require(ChatAbility::ModeratePosts)?;
    }
    if row.closed_at.is_some() {
        return Err(Error::Conflict("poll_closed"));
    }
    store::polls::close(&mut work, poll).await?;
    let row = store::polls::get(&mut work, chat, poll).await?.ok_or(Error::NotFound)?;
    do_poll_updated(&mut work, org, chat, &row).await?;
    let mine = render_poll(&mut work, &row, Some(actor.user_id)).await?;
    work.commit(state).await?;
    Ok(mine)
}
