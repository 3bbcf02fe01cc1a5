//! Quiet hours: posts written in a school's quiet hours, in the chats they apply
//! to, wait for their end; the releaser delivers them then.

use parta_domain::chats::{Audience, ChatKind};
use parta_domain::{ChatId, MessageId, OrgId, UserId};
use parta_protocol::ChatEvent;
use sqlx::AnyConnection;

use super::events::do_chat_event_at;
use super::messages::do_apply_edit;
use super::render::render;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;

/// When a message written `now` in the chat a posting row read is to be delivered, if it is held.
pub(crate) fn quiet_hold(row: &store::messages::PostingRow, now: i64) -> Option<i64> {
    let audience = Audience { families: row.audience_families == 1, staff: row.audience_staff == 1 };
    if !row.chat.kind().held_in_quiet_hours(audience) {
        return None;
    }
    quiet_release(&row.time_zone, row.quiet_from.as_deref(), row.quiet_to.as_deref(), now)
}

/// Whether quiet hours apply to a chat now: its kind, and for a group or direct chat who sits in it.
pub(crate) async fn quiet_applies(conn: &mut AnyConnection, chat: ChatId, kind: ChatKind) -> Result<bool> {
    let audience =
        if kind.quiet_asks_audience() { store::seats::audience(conn, chat).await? } else { Audience::default() };
    Ok(kind.held_in_quiet_hours(audience))
}

fn quiet_release(time_zone: &str, from: Option<&str>, to: Option<&str>, now: i64) -> Option<i64> {
    use parta_domain::quiet::{DayTime, QuietHours, Release};
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
    chat: ChatId,
    kind: ChatKind,
    now: i64,
) -> Result<Option<i64>> {
    if !quiet_applies(conn, chat, kind).await? {
        return Ok(None);
    }
    quiet_hold_for_school(conn, org, now).await
}

/// When the school's quiet hours, if they hold now, end.
pub(crate) async fn quiet_hold_for_school(conn: &mut AnyConnection, org: OrgId, now: i64) -> Result<Option<i64>> {
    let school = store::schools::get(conn, org).await?.ok_or(Error::NotFound)?;
    Ok(quiet_release(&school.time_zone, school.quiet_from.as_deref(), school.quiet_to.as_deref(), now))
}

/// Delivers messages whose quiet hours have ended: each takes its chat position now
/// and goes out as `message_sent`. Returns how many were released.
pub async fn release_held(state: &AppState) -> Result<usize> {
    let due = {
        let mut conn = state.db.reads().acquire().await?;
        store::held::held_due(&mut conn, crate::clock::now_ms()).await?
    };
    let mut released = 0;
    for (message, chat, org) in due {
        let (message, chat, org) = (MessageId(message), ChatId(chat), OrgId(org));
        let mut work = state.begin().await?;
        let seq = store::events::next_seq(&mut work, chat).await?;
        if !store::held::release_message(&mut work, message, seq).await? {
            continue;
        }
        let stored = store::messages::message(&mut work, message).await?.ok_or(Error::NotFound)?;
        let rendered = render(&mut work, &stored, None).await?;
        let chat_row = store::chats::get(&mut work, chat).await?;
        let title = chat_row.as_ref().map(|c| c.title.clone()).unwrap_or_default();
        super::notifications::do_notify_message(&mut work, org, &title, &rendered).await?;
        if let Some(row) = chat_row.as_ref().filter(|c| crate::webhooks::events::is_channel(&c.kind)) {
            let post = crate::webhooks::events::channel_post(&row.kind, &row.title, &rendered);
            crate::webhooks::do_queue(&mut work, org, parta_domain::webhooks::EventKind::ChannelMessage, &[post])
                .await?;
        }
        crate::push::do_queue_message(&mut work, message).await?;
        do_chat_event_at(&mut work, org, chat, seq, ChatEvent::MessageSent { message: rendered }).await?;
        work.commit(state).await?;
        released += 1;
    }
    let edits = {
        let mut conn = state.db.reads().acquire().await?;
        store::held::edits_due(&mut conn, crate::clock::now_ms()).await?
    };
    for (message, chat, org) in edits {
        let (message, chat, org) = (MessageId(message), ChatId(chat), OrgId(org));
        let mut work = state.begin().await?;
        let Some(stored) = store::messages::message(&mut work, message).await? else { continue };
        let (Some(body), Some(until)) = (stored.pending_body.clone(), stored.pending_until) else { continue };
        if !store::held::take_held_edit(&mut work, message, until).await? {
            continue;
        }
        do_apply_edit(&mut work, org, chat, &stored, &body, UserId(stored.sender_id), until).await?;
        work.commit(state).await?;
        released += 1;
    }
    Ok(released)
}
