//! Web push (RFC 8030, payloads encrypted as RFC 8291 says, the server identified by
//! VAPID, RFC 8292). A delivered message or a notification queues one event in the
//! work that made it (`do_queue_message`, `do_queue_notice`), so a send stays one
//! insert; a sender on every node turns each event, taken once, into a push per
//! device (`expand_waiting`) — minus the devices of whoever sent it, quieted the chat
//! or turned the kind off, and held for families until the school's quiet hours end
//! — and hands pushes to their push services (`deliver_due`), retrying with backoff
//! while a service is unreachable and dropping a subscription the service says is gone.

pub mod seal;
pub mod vapid;
pub mod words;

use std::collections::HashSet;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::StreamExt;
use parta_domain::notifications::NoticeKind;
use parta_domain::profile::Language;
use parta_domain::{MessageId, NotificationId, OrgId};
use sqlx::AnyConnection;

use crate::clock::now_ms;
use crate::error::Result;
use crate::state::AppState;
use crate::store;
use crate::store::push::{DueRow, EventRow, NewDelivery, TargetRow};

/// Push services a subscription may name: the browsers' own. A deployment adds its
/// own (`push_hosts`); `*.` matches any subdomain.
pub const DEFAULT_HOSTS: [&str; 5] = [
    "fcm.googleapis.com",
    "*.push.services.mozilla.com",
    "*.notify.windows.com",
    "web.push.apple.com",
    "*.push.apple.com",
];

/// Where pushes may go and how they are protected.
#[derive(Debug, Clone)]
pub struct PushSettings {
    /// Hosts of push services subscriptions may name (a subscription names the URL
    /// the server then calls: only push services, never an address inside the network).
    pub hosts: Vec<String>,
    /// A certificate authority (PEM) to trust besides the public ones.
    pub extra_ca_pem: Option<Vec<u8>>,
    /// Who push services contact about this server: `mailto:` or an `https:` URL.
    pub contact: String,
}

impl Default for PushSettings {
    fn default() -> PushSettings {
        PushSettings { hosts: DEFAULT_HOSTS.map(str::to_owned).to_vec(), extra_ca_pem: None, contact: String::new() }
    }
}

impl PushSettings {
    /// Whether an endpoint's host is one of the push services allowed.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.hosts.iter().any(|allowed| match allowed.strip_prefix("*.") {
            Some(suffix) => host.len() > suffix.len() + 1 && host.ends_with(&format!(".{suffix}")),
            None => host == allowed.to_ascii_lowercase(),
        })
    }
}

/// The kind a device may turn off for a plain message (the others are `NoticeKind`'s).
pub const MESSAGE: &str = "message";

/// Whether `text` names a kind of push.
pub fn is_kind(text: &str) -> bool {
    text == MESSAGE || NoticeKind::parse(text).is_some()
}

/// Kinds held for families while the school's quiet hours last, as messages to them are.
fn held_for_families(kind: &str) -> bool {
    matches!(kind, "mark" | "absence" | "homework")
}

/// Queues a delivered message for its chat's devices, inside the work that delivered it.
pub async fn do_queue_message(conn: &mut AnyConnection, message: MessageId) -> Result<()> {
    store::push::queue_event(conn, MESSAGE, Some(message.0), None, now_ms()).await?;
    Ok(())
}

/// Queues a notification for its person's devices, inside the work that made it.
pub async fn do_queue_notice(conn: &mut AnyConnection, kind: NoticeKind, notification: NotificationId) -> Result<()> {
    store::push::queue_event(conn, kind.as_str(), None, Some(notification.0), now_ms()).await?;
    Ok(())
}

/// Events worked out at once, and such batches per run at most: a run every two
/// seconds keeps up with 2,500 messages a second. The writer is held only to take
/// events and queue their pushes, at most `PUSHES` pushes a transaction, so that a
/// busy chat full of devices does not keep sends waiting.
const EVENTS: i64 = 200;
const BATCHES: usize = 25;
const PUSHES: usize = 500;

/// A push worked out for one device, to be queued when its event is taken.
struct Planned {
    subscription: i64,
    payload: String,
    topic: Option<String>,
    urgency: &'static str,
    due: i64,
}

/// Turns waiting events into pushes for each device; returns how many events it took.
/// The pushes are worked out on a reading connection; then transactions take the
/// events (each once, whichever node gets there first) and queue the pushes of those
/// they took.
pub async fn expand_waiting(state: &AppState, now: i64) -> Result<usize> {
    let mut taken = 0;
    for _ in 0..BATCHES {
        let (events, planned) = {
            let mut conn = state.db.reads().acquire().await?;
            let events = store::push::waiting_events(&mut conn, EVENTS).await?;
            let planned = plan(&mut conn, &events, now).await?;
            (events, planned)
        };
        if events.is_empty() {
            break;
        }
        for part in parts(&planned, PUSHES) {
            taken += take_and_queue(state, &events[part.clone()], &planned[part], now).await?;
        }
        if events.len() < EVENTS as usize {
            break;
        }
    }
    Ok(taken)
}

/// The batch cut into transactions, events in order: as many as fit `limit` pushes,
/// one at least.
fn parts(planned: &[Vec<Planned>], limit: usize) -> Vec<std::ops::Range<usize>> {
    let mut parts = Vec::new();
    let (mut start, mut pushes) = (0, 0);
    for (index, event) in planned.iter().enumerate() {
        if index > start && pushes + event.len() > limit {
            parts.push(start..index);
            (start, pushes) = (index, 0);
        }
        pushes += event.len();
    }
    if start < planned.len() {
        parts.push(start..planned.len());
    }
    parts
}

/// One transaction: takes `events` and queues the pushes of those nobody took first.
async fn take_and_queue(state: &AppState, events: &[EventRow], planned: &[Vec<Planned>], now: i64) -> Result<usize> {
    let ids: Vec<i64> = events.iter().map(|event| event.id).collect();
    let mut work = state.begin().await?;
    let took: HashSet<i64> = store::push::take_events(&mut work, &ids).await?.into_iter().collect();
    for (event, pushes) in events.iter().zip(planned) {
        if !took.contains(&event.id) {
            continue;
        }
        for push in pushes {
            let delivery = NewDelivery {
                subscription: push.subscription,
                payload: &push.payload,
                topic: push.topic.as_deref(),
                urgency: push.urgency,
                due: push.due,
            };
            store::push::deliver(&mut work, &delivery, now).await?;
        }
    }
    work.commit(state).await?;
    Ok(took.len())
}

/// Each event's pushes. Messages in chats where nobody has a device are passed over
/// with one query for the batch: at a busy hour most are.
async fn plan(conn: &mut AnyConnection, events: &[EventRow], now: i64) -> Result<Vec<Vec<Planned>>> {
    let mut chats: Vec<i64> = events.iter().filter_map(|event| event.chat_id).collect();
    chats.sort_unstable();
    chats.dedup();
    let heard: HashSet<i64> = store::push::chats_with_devices(conn, &chats).await?.into_iter().collect();
    let mut planned = Vec::with_capacity(events.len());
    for event in events {
        let pushes = match (event.message_id, event.notification_id) {
            (Some(message), _) if event.chat_id.is_some_and(|chat| heard.contains(&chat)) => {
                plan_message(conn, MessageId(message), now).await
            }
            (None, Some(notification)) => plan_notice(conn, NotificationId(notification), now).await,
            _ => Ok(Vec::new()),
        };
        // One event that cannot be turned into pushes must not hold up the others
        // behind it for good: it is taken with none, and said so.
        planned.push(pushes.unwrap_or_else(|error| {
            tracing::warn!(event = event.id, kind = %event.kind, %error, "a push event could not be expanded; dropped");
            Vec::new()
        }));
    }
    // A chat's newer push replaces the one still waiting for the device (`Topic`):
    // of a batch's pushes to one device under one topic, only the newest is queued.
    let mut newer: HashSet<(i64, String)> = HashSet::new();
    for pushes in planned.iter_mut().rev() {
        pushes.retain(|push| match &push.topic {
            Some(topic) => newer.insert((push.subscription, topic.clone())),
            None => true,
        });
    }
    Ok(planned)
}

/// Whether a device hears of `kind` from a chat it sits in with this quiet.
fn wants(target: &TargetRow, kind: &str, now: i64) -> bool {
    if target.kinds_off.split(',').any(|k| k == kind) {
        return false;
    }
    if target.silenced_until.is_some_and(|until| until > now) {
        return false;
    }
    // «Only mentions»: a mention comes as its own notification.
    !(target.mentions_only == 1 && kind == MESSAGE)
}

/// The payload made in the person's language (`Language::ALL`'s order).
fn in_language<'a>(payloads: &'a [serde_json::Result<String>; 2], language: &str) -> Result<&'a str> {
    let made = match Language::from_stored(language) {
        Language::Ru => &payloads[0],
        Language::En => &payloads[1],
    };
    Ok(made.as_deref().map_err(|e| anyhow::anyhow!("a push payload: {e}"))?)
}

/// Whether a message's words may show on lock screens in this chat.
async fn shows_text(conn: &mut AnyConnection, org: OrgId, chat: i64) -> Result<bool> {
    let allowed = store::schools::get(conn, org).await?.is_some_and(|s| s.push_previews == 1);
    Ok(allowed || !store::push::chat_has_students(conn, chat).await?)
}

async fn plan_message(conn: &mut AnyConnection, id: MessageId, now: i64) -> Result<Vec<Planned>> {
    let Some(message) = store::messages::message(conn, id).await? else { return Ok(Vec::new()) };
    if message.deleted_at.is_some() || message.held_until.is_some_and(|until| until > now) {
        return Ok(Vec::new());
    }
    let Some(chat) = store::chats::get(conn, parta_domain::ChatId(message.chat_id)).await? else {
        return Ok(Vec::new());
    };
    let targets = store::push::chat_targets(conn, chat.id, message.sender_id, now).await?;
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    // Those the message mentions or answers are told by their notification's push.
    let told = store::notifications::told_of_message(conn, id.0).await?;
    let text = if shows_text(conn, OrgId(chat.org_id), chat.id).await? {
        Some(parta_domain::format::plain_text(&parta_domain::format::parse(&message.body)))
    } else {
        None
    };
    let sender = format!("{} {}", message.given_name, message.family_name);
    let payloads = Language::ALL
        .map(|lang| serde_json::to_string(&words::message(lang, chat.id, &chat.title, id.0, &sender, text.as_deref())));
    let topic = format!("chat{}", chat.id);
    let urgency = if message.needs_ack == 1 { "high" } else { "normal" };
    targets
        .iter()
        .filter(|t| wants(t, MESSAGE, now) && !told.contains(&t.user_id))
        .map(|target| {
            Ok(Planned {
                subscription: target.subscription_id,
                payload: in_language(&payloads, &target.language)?.to_owned(),
                topic: Some(topic.clone()),
                urgency,
                due: now,
            })
        })
        .collect()
}

async fn plan_notice(conn: &mut AnyConnection, id: NotificationId, now: i64) -> Result<Vec<Planned>> {
    let Some(row) = store::notifications::one(conn, id).await? else { return Ok(Vec::new()) };
    let targets = store::push::person_targets(conn, row.user_id, row.chat_id, now).await?;
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let notification = crate::actions::notifications::render(&row);
    let show_text = match (row.org_id, row.chat_id) {
        (Some(org), Some(chat)) => shows_text(conn, OrgId(org), chat).await?,
        // Homework's words are the teacher's, for a class: as a message in its chat.
        (Some(org), None) if row.kind == "homework" => {
            store::schools::get(conn, OrgId(org)).await?.is_some_and(|s| s.push_previews == 1)
        }
        _ => true,
    };
    let due = match row.org_id {
        Some(org) if held_for_families(&row.kind) => {
            crate::actions::quiet::quiet_hold_for_school(conn, OrgId(org), now).await?.unwrap_or(now)
        }
        _ => now,
    };
    let payloads = Language::ALL.map(|lang| serde_json::to_string(&words::notice(lang, &notification, show_text)));
    let urgency = if row.kind == "login" { "high" } else { "normal" };
    targets
        .iter()
        .filter(|t| wants(t, &row.kind, now))
        .map(|target| {
            let payload = in_language(&payloads, &target.language)?.to_owned();
            Ok(Planned { subscription: target.subscription_id, payload, topic: None, urgency, due })
        })
        .collect()
}

/// Pushes taken at once, how many of them are on their way to push services at a
/// time, and such batches per run at most: an announcement to a school's thousands
/// of devices goes out in seconds, not one push after another. How long a taken
/// push is left to its sender before another may try it.
const BATCH: i64 = 200;
const IN_FLIGHT: usize = 32;
const SENDS: usize = 10;
const LEASE_MS: i64 = 2 * 60_000;
/// How long a push waits for a push service before it is given up on (it would be
/// stale), and what push services are told to keep it while the device is away.
const GIVE_UP_MS: i64 = 24 * 3_600_000;
const TTL_SECONDS: i64 = 24 * 3600;

/// The wait before the next try after `attempts` failed: 15 s doubling, at most an hour.
pub fn backoff_ms(attempts: i64) -> i64 {
    (15_000_i64.saturating_mul(1_i64 << attempts.clamp(1, 20).saturating_sub(1))).min(3_600_000)
}

/// What became of one push.
enum Outcome {
    Sent,
    /// The subscription is gone (404, 410) or unusable: removed.
    Gone(String),
    /// Refused for good (a malformed request, too large): dropped.
    Refused(String),
    /// Try again after this many milliseconds.
    Later(i64, String),
}

/// Hands due pushes to their push services; returns how many were sent. Each batch
/// is taken in one transaction, sent `IN_FLIGHT` at a time, and its outcomes kept
/// in one more.
pub async fn deliver_due(state: &AppState, now: i64) -> Result<usize> {
    let due_now = async || -> Result<Vec<DueRow>> {
        let mut conn = state.db.reads().acquire().await?;
        Ok(store::push::due(&mut conn, now, BATCH).await?)
    };
    let mut due = due_now().await?;
    if due.is_empty() {
        return Ok(0);
    }
    // Made once a run, for all its batches.
    let vapid = vapid::key(state).await?;
    let tls =
        crate::https::tls_config(state.settings.push.extra_ca_pem.as_deref()).map_err(crate::error::Error::Internal)?;
    let mut sent = 0;
    for _ in 0..SENDS {
        let whole = due.len() == BATCH as usize;
        let mut claimed = Vec::with_capacity(due.len());
        let mut work = state.begin().await?;
        for row in due {
            if store::push::claim(&mut work, &row, now + LEASE_MS).await? {
                claimed.push(row);
            }
        }
        work.commit(state).await?;
        let outcomes: Vec<(DueRow, Outcome, i64)> = futures_util::stream::iter(claimed)
            .map(|row: DueRow| {
                let tls = Arc::clone(&tls);
                async move {
                    let outcome = push_one(state, vapid, &tls, &row).await;
                    (row, outcome, now_ms())
                }
            })
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
        let mut work = state.begin().await?;
        for (row, outcome, at) in outcomes {
            sent += usize::from(keep_outcome(&mut work, &row, outcome, at).await?);
        }
        work.commit(state).await?;
        if !whole {
            break;
        }
        due = due_now().await?;
        if due.is_empty() {
            break;
        }
    }
    Ok(sent)
}

/// Keeps what became of one push; true when it was sent.
async fn keep_outcome(conn: &mut AnyConnection, row: &DueRow, outcome: Outcome, at: i64) -> Result<bool> {
    match outcome {
        Outcome::Sent => {
            store::push::done(conn, row.id, row.subscription_id, Some(at)).await?;
            metrics::counter!("parta_push_sent_total").increment(1);
            return Ok(true);
        }
        Outcome::Gone(why) => {
            tracing::info!(subscription = row.subscription_id, %why, "a push subscription is gone; removed");
            store::push::remove(conn, row.subscription_id).await?;
        }
        Outcome::Refused(why) => {
            tracing::warn!(push = row.id, %why, "a push service refused a push for good");
            store::push::done(conn, row.id, row.subscription_id, None).await?;
        }
        Outcome::Later(_, why) if at - row.created_at > GIVE_UP_MS => {
            tracing::warn!(push = row.id, %why, "a push waited a day for its push service; given up");
            store::push::done(conn, row.id, row.subscription_id, None).await?;
        }
        Outcome::Later(wait, why) => {
            let wait = wait.max(backoff_ms(row.attempts + 1));
            tracing::info!(push = row.id, attempts = row.attempts + 1, %why, "a push waits for its push service");
            store::push::retry(conn, row.id, at + wait, &why).await?;
        }
    }
    Ok(false)
}

async fn push_one(
    state: &AppState,
    vapid: &vapid::Vapid,
    tls: &Arc<tokio_rustls::rustls::ClientConfig>,
    row: &DueRow,
) -> Outcome {
    let Some(endpoint) = crate::https::parse(&row.endpoint).filter(|e| state.settings.push.allows(&e.host)) else {
        return Outcome::Gone("the endpoint is no longer an allowed push service".into());
    };
    let keys = URL_SAFE_NO_PAD.decode(&row.p256dh).ok().zip(URL_SAFE_NO_PAD.decode(&row.auth).ok());
    let Some(body) = keys.and_then(|(p256dh, auth)| seal::seal(&p256dh, &auth, row.payload.as_bytes()).ok()) else {
        return Outcome::Gone("the subscription's keys are unusable".into());
    };
    let mut headers = vec![
        ("authorization", vapid.authorization(&endpoint.origin, &state.settings.push.contact, now_ms())),
        ("content-encoding", "aes128gcm".to_owned()),
        ("content-type", "application/octet-stream".to_owned()),
        ("ttl", TTL_SECONDS.to_string()),
        ("urgency", row.urgency.clone()),
    ];
    if let Some(topic) = &row.topic {
        headers.push(("topic", topic.clone()));
    }
    match crate::https::post(tls, &endpoint, &headers, body).await {
        Ok(answer) => match answer.status {
            200..=299 => Outcome::Sent,
            404 | 410 => Outcome::Gone(format!("the push service answered {}", answer.status)),
            429 | 500..=599 => Outcome::Later(
                answer.retry_after.unwrap_or(0).saturating_mul(1000),
                format!("the push service answered {}", answer.status),
            ),
            status => Outcome::Refused(format!("the push service answered {status}")),
        },
        Err(error) => Outcome::Later(0, error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_taken_in_transactions_of_a_bounded_number_of_pushes() {
        let push = || Planned { subscription: 1, payload: String::new(), topic: None, urgency: "normal", due: 0 };
        let events = |sizes: &[usize]| -> Vec<Vec<Planned>> {
            sizes.iter().map(|&n| (0..n).map(|_| push()).collect()).collect()
        };
        assert_eq!(parts(&events(&[]), 10), Vec::<std::ops::Range<usize>>::new());
        assert_eq!(parts(&events(&[0, 0, 0]), 10), vec![0..3]);
        assert_eq!(parts(&events(&[4, 6, 1, 0, 9]), 10), vec![0..2, 2..5]);
        // An event with more pushes than the limit goes alone, and nothing is lost.
        assert_eq!(parts(&events(&[2, 25, 3]), 10), vec![0..1, 1..2, 2..3]);
    }

    #[test]
    fn only_push_services_are_allowed() {
        let settings = PushSettings::default();
        assert!(settings.allows("fcm.googleapis.com"));
        assert!(settings.allows("updates.push.services.mozilla.com"));
        assert!(settings.allows("WNS2-DB5P.notify.windows.com"));
        assert!(settings.allows("web.push.apple.com"));
        assert!(!settings.allows("push.services.mozilla.com.evil.example"));
        assert!(!settings.allows("evilpush.services.mozilla.com"));
        assert!(!settings.allows("127.0.0.1"));
        assert!(!settings.allows("169.254.169.254"));
    }

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        assert_eq!(backoff_ms(1), 15_000);
        assert_eq!(backoff_ms(3), 60_000);
        assert_eq!(backoff_ms(40), 3_600_000);
    }

    #[test]
    fn kinds_are_messages_or_notifications() {
        assert!(is_kind("message") && is_kind("mark") && is_kind("login"));
        assert!(!is_kind("everything"));
    }
}
