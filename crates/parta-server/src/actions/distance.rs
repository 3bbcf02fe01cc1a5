//! Remote learning by the director's order (seed 001 §4–6): the director (or an admin
//! acting for them) registers the order with its signed document; each class it
//! covers is told in its class chat and its parents' chat by a must-acknowledge post
//! (the class teacher sees who has not confirmed, as for any «ознакомиться»); ended
//! early, the chats are told the normal timetable is back from the next day. Nothing
//! done under an order is undone.

use std::collections::HashMap;

use jiff::civil::Date;
use parta_domain::chats::ChatKind;
use parta_domain::distance::{self, OrderDraft, Period};
use parta_domain::permission::Permission;
use parta_domain::quiet::DayTime;
use parta_domain::regulations::Thresholds;
use parta_domain::{ChatId, ClassId, MessageId, OrderId, OrgId, UserId};
use parta_protocol::{Order, OrderAnnouncement, OrderRequest, RemoteLesson};
use sqlx::AnyConnection;

use super::Fields;
use super::messages::{Post, do_post_as};
use crate::access;
use crate::auth::Actor;
use crate::clock::{now_ms, rfc3339, today_in};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::distance::{NewOrder, OrderRow};
use crate::store::schools::ClassRow;

/// # Register an order putting classes (or the whole school) on remote learning (the director, the admins)
/// Each class's class chat and parents' chat gets a post to confirm. Audited.
pub async fn issue(state: &AppState, actor: &Actor, org: OrgId, request: &OrderRequest) -> Result<Order> {
    let mut work = state.begin().await?;
    let school = access::school(&mut work, actor, org, Permission::IssueOrders).await?;
    let mut fields = Fields::default();
    let checked = distance::check_order(&OrderDraft {
        number: &request.number,
        issued_on: &request.issued_on,
        reason: &request.reason,
        starts_on: &request.starts_on,
        ends_on: &request.ends_on,
    });
    let checked = fields.check_all(checked);
    let classes: Vec<ClassRow> =
        store::schools::list_classes(&mut work, org).await?.into_iter().filter(|c| c.kind == "class").collect();
    let covered: Vec<ClassRow> = if request.whole_school {
        if !request.class_ids.is_empty() {
            fields.reject("class_ids", "not_allowed");
        }
        classes
    } else {
        if request.class_ids.is_empty() {
            fields.reject("class_ids", "required");
        }
        let mut covered = Vec::with_capacity(request.class_ids.len());
        for (index, id) in request.class_ids.iter().enumerate() {
            match classes.iter().find(|c| c.id == id.0) {
                Some(class) if !covered.iter().any(|c: &ClassRow| c.id == class.id) => covered.push(class.clone()),
                _ => fields.reject(&format!("class_ids[{index}]"), "unknown_class"),
            }
        }
        covered
    };
    if let Some(file) = request.document {
        // The document is the issuer's own upload to the school, not yet anything's.
        let mut document = Fields::default();
        super::submissions::check_files(&mut work, actor, org, &[file], &mut document, |_| false).await?;
        if document.finish().is_err() {
            fields.reject("document", "unknown_file");
        }
    }
    fields.finish()?;
    let order = super::checked(checked)?;
    let now = now_ms();
    let id = store::distance::insert(
        &mut work,
        &NewOrder {
            org,
            number: &order.number,
            issued_on: &order.issued_on.to_string(),
            reason: &order.reason,
            starts_on: &order.period.starts_on.to_string(),
            ends_on: &order.period.ends_on.to_string(),
            whole_school: request.whole_school,
            document: request.document,
            by: actor.user_id,
            at: now,
        },
    )
    .await?;
    let thresholds = store::regulations::thresholds(&mut work, org).await?;
    for class in &covered {
        store::distance::add_class(&mut work, id, class.class_id()).await?;
        let minutes = class.grade.and_then(|g| thresholds.lesson_limit(g));
        let bells = class_bells(&mut work, org, class.class_id(), order.period.starts_on).await?;
        let text = distance::announcement(&order, &class.name, minutes, &bells);
        // Told in its class chat and its parents' chat.
        let chats = [ChatKind::Class, ChatKind::Parents];
        for chat in store::chats::class_chats_of(&mut work, org, class.class_id(), chats).await? {
            let key = format!("order-{}-{}", id.0, chat.id);
            let post = Post { sender: actor.user_id, key: &key, text: &text, needs_ack: true, lesson: None };
            let message = do_post_as(&mut work, &chat, &post, now).await?;
            store::distance::add_post(&mut work, id, chat.chat_id(), message).await?;
        }
    }
    let details = serde_json::json!({
        "number": order.number, "starts_on": order.period.starts_on.to_string(),
        "ends_on": order.period.ends_on.to_string(), "classes": covered.iter().map(|c| c.id).collect::<Vec<_>>(),
    });
    store::audit::record(
        &mut work,
        store::audit::Entry::in_school(org, actor.user_id, "order_issued", "order", id.0, details),
    )
    .await?;
    let row = store::distance::order(&mut work, org, id).await?.ok_or(Error::NotFound)?;
    let out = render(&mut work, &row, &today_in(&school.org.time_zone)).await?;
    work.commit(state).await?;
    Ok(out)
}

/// # A school's orders, the latest first (everyone of the school)
pub async fn list(state: &AppState, actor: &Actor, org: OrgId) -> Result<Vec<Order>> {
    let mut conn = state.db.reads().acquire().await?;
    let school = access::visible_school(&mut conn, actor, org).await?;
    let today = today_in(&school.org.time_zone);
    let mut out = Vec::new();
    for row in store::distance::orders(&mut conn, org).await? {
        out.push(render(&mut conn, &row, &today).await?);
    }
    Ok(out)
}

/// # An order (everyone of the school)
pub async fn get(state: &AppState, actor: &Actor, org: OrgId, id: OrderId) -> Result<Order> {
    let mut conn = state.db.reads().acquire().await?;
    let school = access::visible_school(&mut conn, actor, org).await?;
    let row = store::distance::order(&mut conn, org, id).await?.ok_or(Error::NotFound)?;
    render(&mut conn, &row, &today_in(&school.org.time_zone)).await
}

/// # End an order early (the director, the admins)
/// It holds through today (or never, if it has not begun); the normal timetable is
/// back from tomorrow, and the chats that were told of it are told so. Audited.
pub async fn end(state: &AppState, actor: &Actor, org: OrgId, id: OrderId) -> Result<Order> {
    let mut work = state.begin().await?;
    let school = access::school(&mut work, actor, org, Permission::IssueOrders).await?;
    let row = store::distance::order(&mut work, org, id).await?.ok_or(Error::NotFound)?;
    if row.ended_early_at.is_some() {
        return Err(Error::Conflict("order_ended"));
    }
    let order = checked_order(&row)?;
    let today: Date = today_in(&school.org.time_zone).parse().map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))?;
    let until = distance::end_early(order.period, today).map_err(Error::Conflict)?.map(|p: Period| p.ends_on);
    let now = now_ms();
    store::distance::end_early(&mut work, id, until.map(|d| d.to_string()).as_deref(), actor.user_id, now).await?;
    for (chat_id, _) in store::distance::posts(&mut work, id).await? {
        let Some(chat) = store::chats::get(&mut work, ChatId(chat_id)).await? else { continue };
        let class = match chat.class_id {
            Some(class) => store::schools::get_class(&mut work, org, ClassId(class)).await?,
            None => None,
        };
        let text = distance::ended_note(&order, class.as_ref().map_or("", |c| c.name.as_str()), until);
        let key = format!("order-{}-{}-ended", id.0, chat.id);
        let post = Post { sender: actor.user_id, key: &key, text: &text, needs_ack: false, lesson: None };
        do_post_as(&mut work, &chat, &post, now).await?;
    }
    let details = serde_json::json!({ "number": row.number, "in_force_until": until.map(|d| d.to_string()) });
    store::audit::record(
        &mut work,
        store::audit::Entry::in_school(org, actor.user_id, "order_ended", "order", id.0, details),
    )
    .await?;
    let row = store::distance::order(&mut work, org, id).await?.ok_or(Error::NotFound)?;
    let out = render(&mut work, &row, &today_in(&school.org.time_zone)).await?;
    work.commit(state).await?;
    Ok(out)
}

/// A stored order as the domain reads it.
fn checked_order(row: &OrderRow) -> Result<distance::Order> {
    distance::check_order(&OrderDraft {
        number: &row.number,
        issued_on: &row.issued_on,
        reason: &row.reason,
        starts_on: &row.starts_on,
        ends_on: &row.ends_on,
    })
    .map_err(|_| Error::Internal(anyhow::anyhow!("stored order {} does not read", row.id)))
}

/// The bells a class's timetable uses in the school year of `day`, in order.
async fn class_bells(conn: &mut AnyConnection, org: OrgId, class: ClassId, day: Date) -> Result<Vec<distance::Bell>> {
    let day = day.to_string();
    let years = store::school_year::years(conn, org).await?;
    let Some(year) = years.iter().find(|y| y.starts_on <= day && day <= y.ends_on) else { return Ok(Vec::new()) };
    let used: std::collections::BTreeSet<(i64, i64)> = store::teaching::entries(conn, org, year.year_id(), Some(class))
        .await?
        .into_iter()
        .map(|e| (e.shift, e.number))
        .collect();
    let mut bells: Vec<distance::Bell> = store::school_year::bells(conn, year.year_id())
        .await?
        .into_iter()
        .filter(|b| used.contains(&(b.shift, b.number)))
        .filter_map(|b| Some((b.shift, b.number, DayTime::parse(&b.starts_at)?, DayTime::parse(&b.ends_at)?)))
        .collect();
    bells.sort_by_key(|b| (b.0, b.1));
    Ok(bells)
}

/// The orders in force over a range of days, by class: which lessons a week or a diary
/// shows as online, and when each ends.
pub(crate) struct RemoteDays {
    by_class: HashMap<i64, Vec<(Period, OrderId, String)>>,
    grades: HashMap<i64, Option<i64>>,
    thresholds: Thresholds,
}

impl RemoteDays {
    pub async fn load(conn: &mut AnyConnection, org: OrgId, (from, to): (Date, Date)) -> Result<RemoteDays> {
        let mut by_class: HashMap<i64, Vec<(Period, OrderId, String)>> = HashMap::new();
        let mut grades = HashMap::new();
        for row in store::distance::orders(conn, org).await? {
            let Some(until) = row.in_force_until.as_deref().and_then(|d| d.parse::<Date>().ok()) else { continue };
            let Ok(starts_on) = row.starts_on.parse::<Date>() else { continue };
            if until < from || starts_on > to {
                continue;
            }
            let period = Period { starts_on, ends_on: until };
            for class in store::distance::classes(conn, row.order_id()).await? {
                if let std::collections::hash_map::Entry::Vacant(place) = grades.entry(class) {
                    place.insert(store::schools::get_class(conn, org, ClassId(class)).await?.and_then(|c| c.grade));
                }
                by_class.entry(class).or_default().push((period, row.order_id(), row.number.clone()));
            }
        }
        let thresholds = store::regulations::thresholds(conn, org).await?;
        Ok(RemoteDays { by_class, grades, thresholds })
    }

    /// A lesson of `class` on `day` at the bell `starts_at`–`ends_at` (`HH:MM`), if an
    /// order holds it online.
    pub fn lesson(&self, class: i64, day: Date, starts_at: &str, ends_at: &str) -> Option<RemoteLesson> {
        let (_, order, number) = self.by_class.get(&class)?.iter().find(|(period, ..)| period.holds(day))?;
        let limit = self.grades.get(&class).copied().flatten().and_then(|g| self.thresholds.lesson_limit(g));
        let ends = match (DayTime::parse(starts_at), DayTime::parse(ends_at)) {
            (Some(starts), Some(ends)) => distance::online_end(starts, ends, limit).to_string(),
            _ => ends_at.to_owned(),
        };
        Some(RemoteLesson { order_id: *order, order_number: number.clone(), ends_at: ends })
    }
}

/// An order as the wire shows it; `today`: the school's date, for `in_force`.
async fn render(conn: &mut AnyConnection, row: &OrderRow, today: &str) -> Result<Order> {
    let org = OrgId(row.org_id);
    let mut classes = Vec::new();
    for id in store::distance::classes(conn, row.order_id()).await? {
        if let Some(class) = store::schools::get_class(conn, org, ClassId(id)).await? {
            classes.push(class.class_ref());
        }
    }
    let document = match row.document_file_id {
        Some(file) => store::files::get(conn, parta_domain::FileId(file)).await?.map(|f| f.info()),
        None => None,
    };
    let issued_by = store::users::person(conn, UserId(row.issued_by)).await?.ok_or(Error::NotFound)?;
    let in_force = row.in_force_until.as_deref().is_some_and(|until| row.starts_on.as_str() <= today && today <= until);
    let announcements = store::distance::posts(conn, row.order_id())
        .await?
        .into_iter()
        .map(|(chat, message)| OrderAnnouncement { chat_id: ChatId(chat), message_id: MessageId(message) })
        .collect();
    Ok(Order {
        id: row.order_id(),
        number: row.number.clone(),
        issued_on: row.issued_on.clone(),
        reason: row.reason.clone(),
        starts_on: row.starts_on.clone(),
        ends_on: row.ends_on.clone(),
        whole_school: row.whole_school != 0,
        classes,
        document,
        issued_by,
        created_at: rfc3339(row.created_at),
        ended_early_at: row.ended_early_at.map(rfc3339),
        in_force_until: row.in_force_until.clone(),
        in_force,
        announcements,
    })
}
