//! The notification centre: the one place notifications are made (`do_notify`, inside
//! the work that caused them, so they commit with it and go out on the person's own
//! stream as `notification_added` and to their devices by push, `crate::push`), read
//! and marked read. Made for mentions and
//! replies when a message is delivered (not while quiet hours hold it), for a new
//! direct chat, for a join request or a report to decide, and for a student's marks,
//! absences and homework (the student and their parents).

use parta_domain::notifications::{NoticeKind, Silence, preview, told};
use parta_domain::{ChatId, MessageId, NotificationId, OrgId, UserId};
use parta_protocol::{
    AwaitingAck, ChatSilence, ChatSilenceRequest, MarkNotificationsRead, Message, Notification, NotificationDetails,
    NotificationPage, PersonRef, UserEvent,
};
use sqlx::AnyConnection;

use super::events::do_user_event;
use crate::auth::Actor;
use crate::clock::{now_ms, rfc3339};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::notifications::{NewNotification, NotificationRow};
use crate::work::Work;

/// Characters of a message shown in its notification.
const PREVIEW_CHARS: usize = 120;
/// Posts to confirm older than this no longer wait in the centre.
const AWAITING_DAYS: i64 = 30;

/// What a notification is about, beyond its kind and person.
#[derive(Debug, Clone, Default)]
pub struct About {
    pub org: Option<OrgId>,
    pub chat: Option<ChatId>,
    pub message: Option<MessageId>,
    pub lesson: Option<parta_domain::LessonId>,
    pub student: Option<UserId>,
    pub subject: Option<i64>,
    pub details: NotificationDetails,
}

/// Tells each of `people` but `actor` (each once) about something: stored, and sent on
/// their own stream when the work commits.
pub async fn do_notify(
    work: &mut Work,
    kind: NoticeKind,
    actor: Option<UserId>,
    people: impl IntoIterator<Item = UserId>,
    about: &About,
) -> Result<()> {
    let people = match actor {
        Some(actor) => told(actor, people),
        None => told(UserId(0), people),
    };
    if people.is_empty() {
        return Ok(());
    }
    let details = serde_json::to_string(&about.details).map_err(anyhow::Error::from)?;
    let at = now_ms();
    // Who caused it, read once for everyone told.
    let actor_ref = match actor {
        Some(actor) => store::users::person(work, actor).await?,
        None => None,
    };
    for person in people {
        let new = NewNotification {
            user: person,
            org: about.org,
            kind: kind.as_str(),
            chat: about.chat,
            message: about.message,
            lesson: about.lesson,
            student: about.student,
            subject: about.subject,
            actor,
            details: details.clone(),
            at,
        };
        let id = store::notifications::insert(work, &new).await?;
        crate::push::do_queue_notice(work, kind, id).await?;
        let notification = Box::new(Notification {
            id,
            kind: kind.as_str().to_owned(),
            org_id: about.org,
            chat_id: about.chat,
            message_id: about.message,
            lesson_id: about.lesson,
            student_id: about.student,
            actor: actor_ref.clone(),
            details: about.details.clone(),
            created_at: rfc3339(at),
            read: false,
        });
        do_user_event(work, person, about.org, UserEvent::NotificationAdded { notification }).await?;
    }
    Ok(())
}

/// Tells who a delivered message mentions, and the author of the message it answers
/// (if still in the chat), each once: a mention says more than a reply.
pub async fn do_notify_message(work: &mut Work, org: OrgId, chat_title: &str, message: &Message) -> Result<()> {
    // A forward repeats what was said elsewhere: nobody is told again.
    if (message.mentions.is_empty() && message.reply_to.is_none()) || message.forwarded_from.is_some() {
        return Ok(());
    }
    let sender = message.sender.id;
    let about = About {
        org: Some(org),
        chat: Some(message.chat_id),
        message: Some(message.id),
        details: NotificationDetails {
            chat_title: Some(chat_title.to_owned()),
            preview: Some(preview(&parta_domain::format::plain_text(&message.rich), PREVIEW_CHARS)),
            ..Default::default()
        },
        ..Default::default()
    };
    let mentioned = told(sender, message.mentions.iter().copied());
    do_notify(work, NoticeKind::Mention, Some(sender), mentioned.iter().copied(), &about).await?;
    if let Some(answered) = message.reply_to {
        let author = store::messages::message(work, answered).await?.map(|m| UserId(m.sender_id));
        if let Some(author) = author.filter(|a| !mentioned.contains(a))
            && store::seats::seat(work, message.chat_id, author).await?.is_some()
        {
            do_notify(work, NoticeKind::Reply, Some(sender), [author], &about).await?;
        }
    }
    Ok(())
}

pub(crate) fn render(row: &NotificationRow) -> Notification {
    let actor = match (row.actor_id, &row.actor_family_name, &row.actor_given_name) {
        (Some(id), Some(family), Some(given)) => {
            Some(PersonRef::new(UserId(id), family, given, row.actor_patronymic.as_deref()))
        }
        _ => None,
    };
    Notification {
        id: NotificationId(row.id),
        kind: row.kind.clone(),
        org_id: row.org_id.map(OrgId),
        chat_id: row.chat_id.map(ChatId),
        message_id: row.message_id.map(MessageId),
        lesson_id: row.lesson_id.map(parta_domain::LessonId),
        student_id: row.student_id.map(UserId),
        actor,
        details: serde_json::from_str(&row.details).unwrap_or_default(),
        created_at: rfc3339(row.created_at),
        read: row.read_at.is_some(),
    }
}

async fn awaiting(conn: &mut AnyConnection, user: UserId) -> Result<Vec<AwaitingAck>> {
    let since = now_ms() - AWAITING_DAYS * 86_400_000;
    let rows = store::notifications::awaiting_acks(conn, user, since).await?;
    Ok(rows
        .into_iter()
        .map(|(chat, title, message, seq, sender, family, given, patronymic, body, at)| AwaitingAck {
            chat_id: ChatId(chat),
            chat_title: title,
            message_id: MessageId(message),
            seq,
            sender: PersonRef::new(UserId(sender), &family, &given, patronymic.as_deref()),
            preview: preview(&parta_domain::format::plain_text(&parta_domain::format::parse(&body)), PREVIEW_CHARS),
            created_at: rfc3339(at),
        })
        .collect())
}

/// # One's notifications, newest first, with the bell's counts (every signed-in person)
pub async fn page(
    state: &AppState,
    actor: &Actor,
    before: Option<i64>,
    limit: Option<i64>,
) -> Result<NotificationPage> {
    let limit = limit.unwrap_or(30);
    if !(1..=100).contains(&limit) {
        return Err(Error::field("limit", "out_of_range"));
    }
    let mut conn = state.db.reads().acquire().await?;
    let rows = store::notifications::page(&mut conn, actor.user_id, before.map(NotificationId), limit + 1).await?;
    let more = rows.len() as i64 > limit;
    let items: Vec<Notification> = rows.iter().take(limit as usize).map(render).collect();
    Ok(NotificationPage {
        next_before: if more { items.last().map(|n| n.id) } else { None },
        items,
        unread: store::notifications::unread(&mut conn, actor.user_id).await?,
        awaiting_ack: awaiting(&mut conn, actor.user_id).await?,
    })
}

/// # Mark one's notifications read: those named, or all (every signed-in person)
/// Others' notifications are not touched (nor told apart from unknown ones).
pub async fn mark_read(state: &AppState, actor: &Actor, request: &MarkNotificationsRead) -> Result<()> {
    if !request.all && request.ids.is_empty() {
        return Err(Error::field("ids", "required"));
    }
    if request.ids.len() > 500 {
        return Err(Error::field("ids", "too_many"));
    }
    let mut work = state.begin().await?;
    let now = now_ms();
    let event = if request.all {
        store::notifications::mark_all_read(&mut work, actor.user_id, now)
            .await?
            .map(|up_to| UserEvent::NotificationsRead { ids: Vec::new(), up_to: Some(up_to) })
    } else {
        let ids = store::notifications::mark_read(&mut work, actor.user_id, &request.ids, now).await?;
        (!ids.is_empty()).then_some(UserEvent::NotificationsRead { ids, up_to: None })
    };
    // Every device of the person's clears the same ones.
    if let Some(event) = event {
        do_user_event(&mut work, actor.user_id, None, event).await?;
    }
    work.commit(state).await?;
    Ok(())
}

/// A seat's own quiet while it lasts, as the reader is told it.
pub(crate) fn silenced_until(seat: &crate::store::seats::SeatRow) -> Option<String> {
    seat.silenced_until.filter(|until| *until > now_ms()).map(rfc3339)
}

/// # Quiet a chat for oneself, or let only mentions of oneself reach one from it
/// (every member of the chat, for themselves; every device of theirs hears of it)
pub async fn set_chat_silence(
    state: &AppState,
    actor: &Actor,
    chat: ChatId,
    request: &ChatSilenceRequest,
) -> Result<ChatSilence> {
    let silence = match request.mute.as_deref() {
        None => None,
        Some(text) => Some(Silence::parse(text).ok_or_else(|| Error::field("mute", "invalid_value"))?),
    };
    let mut work = state.begin().await?;
    let access = crate::access::chat(&mut work, actor, chat).await?;
    let org = store::schools::get(&mut work, OrgId(access.chat.org_id)).await?.ok_or(Error::NotFound)?;
    let zone = jiff::tz::TimeZone::get(&org.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let now = jiff::Timestamp::now().to_zoned(zone);
    let until = match silence {
        Some(silence) => silence.until(&now),
        None => access.seat.silenced_until,
    };
    let mentions_only = request.mentions_only.unwrap_or(access.seat.mentions_only == 1);
    store::seats::set_silence(&mut work, access.seat.id, until, mentions_only).await?;
    let seat = store::seats::seat(&mut work, chat, actor.user_id).await?.ok_or(Error::NotFound)?;
    let rendered = ChatSilence { chat_id: chat, silenced_until: silenced_until(&seat), mentions_only };
    do_user_event(
        &mut work,
        actor.user_id,
        Some(org.org_id()),
        UserEvent::ChatSilenceChanged { silence: rendered.clone() },
    )
    .await?;
    work.commit(state).await?;
    Ok(rendered)
}
