//! A parent's digest by e-mail (PRODUCT.md §8.5): daily or weekly, as the person
//! chose, what happened for each child — marks, absences, homework, from their
//! notifications —, the posts still awaiting their confirmation and the school's
//! announcements. Made in the evening where the school is (`send_due`, every few
//! minutes on every node; each due digest is taken once), queued in the outbox, never
//! empty, and stopped from the link in it without signing in.

use std::collections::BTreeMap;

use parta_domain::UserId;
use parta_domain::digest::Frequency;
use parta_domain::notifications::preview;
use parta_protocol::{DigestRequest, DigestSettings, NotificationDetails};

use crate::auth::Actor;
use crate::clock::{now_ms, rfc3339};
use crate::error::{Error, Result};
use crate::mail::templates;
use crate::secrets;
use crate::state::AppState;
use crate::store;
use crate::store::notifications::NotificationRow;

/// Digests made per run.
const BATCH: i64 = 50;

fn zone_of(name: Option<String>) -> jiff::tz::TimeZone {
    name.and_then(|n| jiff::tz::TimeZone::get(&n).ok()).unwrap_or(jiff::tz::TimeZone::UTC)
}

/// `now` where the person's school is.
async fn local_now(conn: &mut sqlx::AnyConnection, user: UserId, now: i64) -> Result<jiff::Zoned> {
    let zone = zone_of(store::digests::time_zone(conn, user).await?);
    Ok(jiff::Timestamp::from_millisecond(now).map_err(anyhow::Error::from)?.to_zoned(zone))
}

fn next_due(frequency: Frequency, now: &jiff::Zoned) -> Option<i64> {
    frequency.next_due(now).map(|z| z.timestamp().as_millisecond())
}

/// # One's digest settings (every signed-in person)
pub async fn settings(state: &AppState, actor: &Actor) -> Result<DigestSettings> {
    let mut conn = state.db.reads().acquire().await?;
    let row = store::digests::get(&mut conn, actor.user_id).await?;
    let email = store::users::get(&mut conn, actor.user_id).await?.and_then(|u| u.email);
    Ok(DigestSettings {
        frequency: row.as_ref().map_or_else(|| "off".to_owned(), |r| r.frequency.clone()),
        next_due_at: row.and_then(|r| r.next_due_at).map(rfc3339),
        email,
    })
}

/// # Choose how often one's digest comes: `off`, `daily` or `weekly`
pub async fn set(state: &AppState, actor: &Actor, request: &DigestRequest) -> Result<DigestSettings> {
    let frequency = Frequency::parse(&request.frequency).ok_or_else(|| Error::field("frequency", "invalid_value"))?;
    let mut work = state.begin().await?;
    let email = store::users::get(&mut work, actor.user_id).await?.and_then(|u| u.email);
    if email.is_none() && frequency != Frequency::Off {
        return Err(Error::field("frequency", "no_email"));
    }
    let now = now_ms();
    let due = next_due(frequency, &local_now(&mut work, actor.user_id, now).await?);
    // The stop link's token is made once: every letter's link works.
    store::digests::set(&mut work, actor.user_id, frequency.as_str(), due, &secrets::new_token(), now).await?;
    work.commit(state).await?;
    Ok(DigestSettings { frequency: frequency.as_str().to_owned(), next_due_at: due.map(rfc3339), email })
}

/// # Stop one's digest from the link in a letter (no sign-in)
/// Any of the person's letters' links; twice is no harm. A token nobody has: 410.
pub async fn unsubscribe(state: &AppState, token: &str) -> Result<()> {
    let mut work = state.begin().await?;
    let stopped = store::digests::unsubscribe(&mut work, token.trim(), now_ms()).await?;
    work.commit(state).await?;
    stopped.map(|_| ()).ok_or(Error::Gone("unsubscribe_link_unknown"))
}

/// What a student's record line says: «Оценка 5 — Математика, 2026-12-02».
fn journal_line(kind: &str, d: &NotificationDetails) -> Option<String> {
    let subject = d.subject.clone().unwrap_or_default();
    let date = d.date.clone().map(|date| format!(", {date}")).unwrap_or_default();
    match kind {
        "mark" => Some(format!("Оценка {} — {subject}{date}", d.mark.clone().unwrap_or_default())),
        "absence" => Some(match d.absence.as_deref() {
            Some("late") => match d.minutes_late {
                Some(minutes) => format!("Опоздание на {minutes} мин — {subject}{date}"),
                None => format!("Опоздание — {subject}{date}"),
            },
            Some("ill") => format!("Пропуск по болезни — {subject}{date}"),
            Some("excused") => format!("Пропуск по уважительной причине — {subject}{date}"),
            _ => format!("Пропуск — {subject}{date}"),
        }),
        "homework" => {
            let due = d.due_on.clone().map(|due| format!(" к {due}")).unwrap_or_default();
            let text = d.preview.clone().map(|p| format!(": {p}")).unwrap_or_default();
            Some(format!("Домашнее задание — {subject}{due}{text}"))
        }
        _ => None,
    }
}

/// The digest's sections for a person since `since`: each child's (or one's own)
/// record, posts awaiting confirmation, announcements, and how much else is in the
/// notification centre. Empty: nothing to tell.
pub async fn sections(conn: &mut sqlx::AnyConnection, user: UserId, since: i64) -> Result<Vec<(String, Vec<String>)>> {
    let notes: Vec<NotificationRow> = store::notifications::since(conn, user, since).await?;
    let mut children: BTreeMap<(String, i64), Vec<String>> = BTreeMap::new();
    let mut other = 0;
    for n in &notes {
        let details: NotificationDetails = serde_json::from_str(&n.details).unwrap_or_default();
        match journal_line(&n.kind, &details) {
            Some(line) => {
                let heading = match (&details.student_name, n.student_id) {
                    (Some(name), _) => name.clone(),
                    (None, _) => "Ваши уроки".to_owned(),
                };
                children.entry((heading, n.student_id.unwrap_or(0))).or_default().push(line);
            }
            None => other += 1,
        }
    }
    let mut out: Vec<(String, Vec<String>)> = children.into_iter().map(|((name, _), lines)| (name, lines)).collect();
    let awaiting = store::notifications::awaiting_acks(conn, user, since.min(now_ms() - 30 * 86_400_000)).await?;
    if !awaiting.is_empty() {
        let lines = awaiting
            .iter()
            .take(10)
            .map(|(_, title, _, _, _, _, _, _, body, _)| {
                let text = parta_domain::format::plain_text(&parta_domain::format::parse(body));
                format!("«{title}»: {}", preview(&text, 120))
            })
            .collect();
        out.push(("Ждут вашего подтверждения".to_owned(), lines));
    }
    let news = store::notifications::announcements(conn, user, since).await?;
    if !news.is_empty() {
        let lines = news
            .iter()
            .take(10)
            .map(|(_, body)| preview(&parta_domain::format::plain_text(&parta_domain::format::parse(body)), 160))
            .collect();
        out.push(("Объявления школы".to_owned(), lines));
    }
    if other > 0 {
        out.push(("Уведомления".to_owned(), vec![format!("Ещё в «Парте»: {other} (упоминания, ответы и другое)")]));
    }
    Ok(out)
}

/// Makes the digests due by `now`; returns how many letters were queued.
pub async fn send_due(state: &AppState, now: i64) -> Result<usize> {
    let due = {
        let mut conn = state.db.reads().acquire().await?;
        store::digests::due(&mut conn, now, BATCH).await?
    };
    let mut queued = 0;
    for row in due {
        let user = UserId(row.user_id);
        let Some(frequency) = Frequency::parse(&row.frequency) else { continue };
        let mut work = state.begin().await?;
        let local = local_now(&mut work, user, now).await?;
        let next = next_due(frequency, &local);
        if !store::digests::take(&mut work, &row, now, next).await? {
            continue;
        }
        let Some(person) = store::users::get(&mut work, user).await? else { continue };
        let since = row.last_sent_at.unwrap_or(now - frequency.span_ms());
        let sections = sections(&mut work, user, since).await?;
        if let (Some(email), false) = (person.email.clone(), sections.is_empty()) {
            let token = &row.unsubscribe_token;
            let base = &state.settings.public_url;
            let today = local.date();
            let subject = match frequency {
                Frequency::Weekly => format!("«Парта»: сводка за неделю до {today}"),
                _ => format!("«Парта»: сводка за {today}"),
            };
            let letter = templates::digest(&email, user.0, &person.given_name, &subject, &sections, base, token);
            crate::mail::queue(&mut work, &letter).await?;
            queued += 1;
        }
        work.commit(state).await?;
    }
    Ok(queued)
}
