//! Moderation: read-only chats, muted members, and reports of messages that reach
//! the chat's moderators and the school's admins. Every moderation act is in the
//! school's audit log, so nothing is hidden from the school.

use parta_domain::chat_rights::{self, ChatAbility};
use parta_domain::notifications::NoticeKind;
use parta_domain::permission::Permission;
use parta_domain::validate;
use parta_domain::{ChatId, MessageId, OrgId, UserId};
use parta_protocol::{ChatEvent, NotificationDetails, Report};
use serde_json::json;
use sqlx::AnyConnection;

use super::events::do_chat_event;
use super::notifications::{About, do_notify};
use super::render::render;
use crate::access;
use crate::auth::Actor;
use crate::clock::{MINUTE_MS, now_ms, rfc3339, rfc3339_opt};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::audit::Entry;
use crate::store::reports::ReportRow;

pub const MUTE_MAX_MINUTES: i64 = 7 * 24 * 60;

fn audit<'a>(
    org: OrgId,
    actor: &Actor,
    action: &'a str,
    target_type: &'a str,
    target: i64,
    details: serde_json::Value,
) -> Entry<'a> {
    Entry { org: Some(org), actor: Some(actor.user_id), action, target_type, target_id: Some(target), details }
}

/// # Make a chat read-only (only moderators post) or open it again.
pub async fn set_read_only(state: &AppState, actor: &Actor, chat: ChatId, read_only: bool) -> Result<()> {
    let mut work = state.begin().await?;
    let row = access::chat_for(&mut work, actor, chat, ChatAbility::SetReadOnly).await?.chat;
    if (row.read_only == 1) == read_only {
        return Ok(());
    }
    let org = OrgId(row.org_id);
    store::chats::set_read_only(&mut work, chat, read_only).await?;
    do_chat_event(&mut work, org, chat, ChatEvent::ChatUpdated { read_only }).await?;
    store::audit::record(
        &mut work,
        audit(org, actor, "chat_read_only", "chat", chat.0, json!({ "read_only": read_only })),
    )
    .await?;
    work.commit(state).await?;
    Ok(())
}

/// # Mute a member for a while (0 minutes lifts it). Moderators are not muted.
pub async fn mute(state: &AppState, actor: &Actor, chat: ChatId, user: UserId, minutes: i64) -> Result<()> {
    let mut work = state.begin().await?;
    let row = access::chat_for(&mut work, actor, chat, ChatAbility::Mute).await?.chat;
    if !(0..=MUTE_MAX_MINUTES).contains(&minutes) {
        return Err(Error::field("minutes", "out_of_range"));
    }
    let target = store::seats::seat(&mut work, chat, user).await?.ok_or(Error::NotFound)?;
    if !chat_rights::can_be_muted(target.role()) {
        return Err(Error::Conflict("cannot_mute_moderator"));
    }
    let until = (minutes > 0).then(|| now_ms() + minutes * MINUTE_MS);
    let org = OrgId(row.org_id);
    store::seats::set_muted(&mut work, target.id, until).await?;
    do_chat_event(&mut work, org, chat, ChatEvent::MemberMuted { user_id: user, until: rfc3339_opt(until) }).await?;
    store::audit::record(
        &mut work,
        audit(org, actor, "member_muted", "chat", chat.0, json!({ "user_id": user, "minutes": minutes })),
    )
    .await?;
    work.commit(state).await?;
    Ok(())
}

/// The reported message as its moderators need it: a removed message keeps the text
/// it had when it was removed (kept among its versions).
async fn evidence(conn: &mut AnyConnection, message: &store::messages::MessageRow) -> Result<parta_protocol::Message> {
    let mut rendered = render(conn, message, None).await?;
    if rendered.deleted
        && let Some((body, _)) = store::messages::versions(conn, message.message_id()).await?.pop()
    {
        rendered.rich = parta_domain::format::parse(&body);
        rendered.body = body;
    }
    Ok(rendered)
}

async fn render_report(conn: &mut AnyConnection, row: &ReportRow) -> Result<Report> {
    let chat = store::chats::get(conn, ChatId(row.chat_id)).await?.ok_or(Error::NotFound)?;
    let message = store::messages::message(conn, MessageId(row.message_id)).await?.ok_or(Error::NotFound)?;
    let reporter = store::users::person(conn, UserId(row.reporter_id)).await?.ok_or(Error::NotFound)?;
    let resolved_by = match row.resolved_by {
        Some(id) => store::users::person(conn, UserId(id)).await?,
        None => None,
    };
    Ok(Report {
        id: row.id,
        org_id: OrgId(row.org_id),
        chat_id: ChatId(row.chat_id),
        chat_title: chat.title,
        message: evidence(conn, &message).await?,
        reporter,
        reason: row.reason.clone(),
        status: row.status.clone(),
        created_at: rfc3339(row.created_at),
        resolved_by,
        resolved_at: rfc3339_opt(row.resolved_at),
        note: row.note.clone(),
    })
}

/// # Report a message to the chat's moderators and the school's admins.
pub async fn report(state: &AppState, actor: &Actor, chat: ChatId, message: MessageId, reason: &str) -> Result<Report> {
    let mut work = state.begin().await?;
    let (access, _message) = access::message(&mut work, actor, chat, message).await?;
    access.require(ChatAbility::Report)?;
    let row = access.chat;
    let reason = validate::text("reason", reason, 1000)?;
    let id =
        store::reports::insert_report(&mut work, OrgId(row.org_id), chat, message, actor.user_id, &reason)
            .await
            .map_err(|e| if store::is_unique_violation(&e) { Error::Conflict("already_reported") } else { e.into() })?;
    let stored = store::reports::report(&mut work, OrgId(row.org_id), id).await?.ok_or(Error::NotFound)?;
    let rendered = render_report(&mut work, &stored).await?;
    // Who handles it hears of it: the school's admins, the chat's moderators.
    let org = OrgId(row.org_id);
    let mut handlers: Vec<UserId> =
        store::directory::list_admins(&mut work, org).await?.iter().map(|a| UserId(a.user_id)).collect();
    for seat in store::seats::chat_seats(&mut work, chat).await? {
        if access::seat_rights(&row, &seat, false).allows(ChatAbility::HandleReports) {
            handlers.push(UserId(seat.user_id));
        }
    }
    let about = About {
        org: Some(org),
        chat: Some(chat),
        message: Some(message),
        subject: Some(id),
        details: NotificationDetails { chat_title: Some(row.title.clone()), ..Default::default() },
        ..Default::default()
    };
    do_notify(&mut work, NoticeKind::Report, Some(actor.user_id), handlers, &about).await?;
    work.commit(state).await?;
    Ok(rendered)
}

/// # The reports queue: all of a school's for its admins and for the director and deputies
/// (who read it, as oversight, without acting on it), their chats' for moderators.
pub async fn reports(state: &AppState, actor: &Actor, org: OrgId, status: Option<&str>) -> Result<Vec<Report>> {
    let mut conn = state.db.reads().acquire().await?;
    let school = access::visible_school(&mut conn, actor, org).await?;
    let status = match status {
        None | Some("") => None,
        Some(s @ ("open" | "dismissed" | "removed")) => Some(s),
        Some(_) => return Err(Error::field("status", "invalid_format")),
    };
    let reads_all = school.allows_in_school(Permission::ReadReports);
    let moderates_something = reads_all
        || school.allows_in_school(Permission::ModerateChats)
        || access::chats_of(&mut conn, actor, Some(org)).await?.iter().any(|c| c.allows(ChatAbility::HandleReports));
    if !moderates_something {
        return Err(Error::Forbidden);
    }
    let mut reports = Vec::new();
    for row in store::reports::reports(&mut conn, org, status).await? {
        if reads_all || access::handles_reports_of(&mut conn, &school, actor, ChatId(row.chat_id)).await? {
            reports.push(render_report(&mut conn, &row).await?);
        }
    }
    Ok(reports)
}

/// # Resolve a report: dismiss it, or delete the message for everyone.
pub async fn resolve(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    id: i64,
    delete_message: bool,
    note: Option<&str>,
) -> Result<Report> {
    let mut work = state.begin().await?;
    let school = access::visible_school(&mut work, actor, org).await?;
    let row = store::reports::report(&mut work, org, id).await?.ok_or(Error::NotFound)?;
    let chat = ChatId(row.chat_id);
    if !access::handles_reports_of(&mut work, &school, actor, chat).await? {
        return Err(Error::Forbidden);
    }
    let note = validate::optional_line("note", note, 1000)?;
    let status = if delete_message { "removed" } else { "dismissed" };
    if !store::reports::resolve_report(&mut work, id, status, actor.user_id, note.as_deref()).await? {
        return Err(Error::Conflict("report_resolved"));
    }
    let message = MessageId(row.message_id);
    if delete_message {
        let stored = store::messages::message(&mut work, message).await?.ok_or(Error::NotFound)?;
        if stored.deleted_at.is_none() {
            store::messages::insert_version(&mut work, org, &stored, None, crate::clock::now_ms()).await?;
            store::messages::delete_message(&mut work, message, actor.user_id).await?;
            store::search::unindex(&mut work, message).await?;
            do_chat_event(&mut work, org, chat, ChatEvent::MessageDeleted { message_id: message, by_moderator: true })
                .await?;
        }
    }
    store::audit::record(
        &mut work,
        audit(
            org,
            actor,
            "report_resolved",
            "report",
            id,
            json!({ "status": status, "message_id": message, "note": note }),
        ),
    )
    .await?;
    let row = store::reports::report(&mut work, org, id).await?.ok_or(Error::NotFound)?;
    let rendered = render_report(&mut work, &row).await?;
    work.commit(state).await?;
    Ok(rendered)
}
