//! A school's webhooks: an event is queued for each endpoint that wants it inside the
//! work that made it (`do_queue`; a send's batch adds its channel posts to its script,
//! `queue_into`), so an endpoint's events are in the order they happened;
//! `deliver_due` (every 2 s on every node) sends each
//! endpoint its events one at a time in order — signed (`Parta-Signature: t=…,v1=…`,
//! HMAC-SHA256 over `<t>.<body>`), to public addresses only unless the deployment names
//! the host — retried with backoff, given up after a day, the endpoint's status kept;
//! the log of deliveries done with kept 30 days (`prune`, hourly).

pub mod events;

use std::sync::Arc;

use hmac::{Hmac, KeyInit, Mac};
use parta_domain::OrgId;
use parta_domain::webhooks::{EventKind, GIVE_UP_SECS, backoff_secs};
use serde_json::{Value, json};
use sha2::Sha256;
use sqlx::AnyConnection;

use crate::clock::{now_ms, rfc3339};
use crate::error::Result;
use crate::https::Reach;
use crate::state::AppState;
use crate::store;
use crate::store::outbox::Queue;
use crate::store::webhooks::DeliveryRow;

/// Where webhooks may go besides public addresses, and whom to trust.
#[derive(Debug, Clone, Default)]
pub struct WebhookSettings {
    /// Hosts that may resolve inside the network (a school's own server).
    pub private_hosts: Vec<String>,
    /// A certificate authority (PEM) to trust besides the public ones.
    pub extra_ca_pem: Option<Vec<u8>>,
}

impl WebhookSettings {
    pub fn reach(&self, host: &str) -> Reach {
        if self.private_hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) { Reach::Anywhere } else { Reach::Public }
    }
}

/// How long a delivery done with stays in the endpoint's log.
const KEPT_MS: i64 = 30 * 24 * 3_600_000;

/// Drops deliveries done with more than 30 days ago.
pub async fn prune(state: &AppState) -> Result<u64> {
    let mut work = state.begin().await?;
    let pruned = store::webhooks::prune(&mut work, now_ms() - KEPT_MS).await?;
    work.commit(state).await?;
    Ok(pruned)
}

/// A delivery taken by a sender is left to it this long.
const LEASE_MS: i64 = 60_000;

/// What one event says, as every endpoint gets it.
pub fn body(kind: EventKind, org: OrgId, at_ms: i64, data: &Value) -> String {
    json!({ "type": kind.as_str(), "school_id": org.0, "created_at": rfc3339(at_ms), "data": data }).to_string()
}

/// `t=<seconds>,v1=<hex HMAC-SHA256 of "<seconds>.<body>">`: the receiver checks the
/// time against replays and the code against the secret.
pub fn signature(secret: &str, at_secs: i64, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(format!("{at_secs}.{body}").as_bytes());
    let code = crate::secrets::hex(&mac.finalize().into_bytes());
    format!("t={at_secs},v1={code}")
}

/// Queues events of one kind for every webhook of the school that wants them, inside
/// the work that made them (nothing is sent if that work rolls back).
pub async fn do_queue(conn: &mut AnyConnection, org: OrgId, kind: EventKind, events: &[Value]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let hooks = store::webhooks::of_school(conn, org).await?;
    let wanting: Vec<_> = hooks.iter().filter(|h| h.wants(kind.as_str())).collect();
    if wanting.is_empty() {
        return Ok(());
    }
    let now = now_ms();
    for data in events {
        let body = body(kind, org, now, data);
        for hook in &wanting {
            store::webhooks::queue(conn, hook.id, kind.as_str(), &body, now).await?;
        }
    }
    Ok(())
}

/// `do_queue` for a send's batch: the statements go into its script (read the
/// webhooks now, write with the batch).
pub async fn queue_into(
    conn: &mut AnyConnection,
    script: &mut store::Script,
    org: OrgId,
    kind: EventKind,
    events: &[Value],
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let hooks = store::webhooks::of_school(conn, org).await?;
    let wanting: Vec<i64> = hooks.iter().filter(|h| h.wants(kind.as_str())).map(|h| h.id).collect();
    if wanting.is_empty() {
        return Ok(());
    }
    let now = now_ms();
    let bodies: Vec<String> = events.iter().map(|data| body(kind, org, now, data)).collect();
    let rows: Vec<(i64, &str, &str)> =
        bodies.iter().flat_map(|b| wanting.iter().map(move |h| (*h, kind.as_str(), b.as_str()))).collect();
    store::webhooks::queue_into(script, &rows, now);
    Ok(())
}

/// Sends what is due, each endpoint's events one after another in order.
pub async fn deliver_due(state: &AppState) -> Result<usize> {
    let mut sent = 0;
    let mut tls = None;
    // Rounds: an endpoint that took one event gets its next at once.
    for _ in 0..20 {
        let due = {
            let mut conn = state.db.reads().acquire().await?;
            store::webhooks::due(&mut conn, now_ms(), 50).await?
        };
        if due.is_empty() {
            break;
        }
        let tls = match &tls {
            Some(tls) => Arc::clone(tls),
            None => {
                let made = crate::https::tls_config(state.settings.webhooks.extra_ca_pem.as_deref())
                    .map_err(crate::error::Error::Internal)?;
                tls = Some(Arc::clone(&made));
                made
            }
        };
        // Each due delivery is another endpoint's: they go out side by side, so one slow
        // endpoint (15 s at most) holds up no other school's.
        let tries = due.into_iter().map(|(row, url, secret)| deliver_one(state, &tls, row, url, secret));
        for outcome in futures_util::future::join_all(tries).await {
            sent += usize::from(outcome?);
        }
    }
    Ok(sent)
}

/// Takes one delivery, sends it, and keeps what came of it; true when it was taken.
async fn deliver_one(
    state: &AppState,
    tls: &Arc<tokio_rustls::rustls::ClientConfig>,
    row: DeliveryRow,
    url: String,
    secret: String,
) -> Result<bool> {
    let mut work = state.begin().await?;
    let claimed =
        store::outbox::claim(&mut work, Queue::Webhook, row.id, row.next_attempt_at, now_ms() + LEASE_MS).await?;
    work.commit(state).await?;
    if !claimed {
        return Ok(false);
    }
    let answer = send_one(state, tls, &row, &url, &secret).await;
    let now = now_ms();
    let mut work = state.begin().await?;
    let taken = match answer {
        Ok(status) if (200..300).contains(&status) => {
            store::webhooks::delivered(&mut work, &row, status, now).await?;
            metrics::counter!("parta_webhooks_delivered_total").increment(1);
            true
        }
        failed => {
            let (status, error) = match failed {
                Ok(status) => (Some(status), format!("HTTP {status}")),
                Err(error) => (None, error.to_string()),
            };
            let attempts = row.attempts + 1;
            let next = now + backoff_secs(attempts) * 1000;
            let give_up = next - row.created_at > GIVE_UP_SECS * 1000;
            tracing::info!(webhook = row.webhook_id, delivery = row.id, attempts, %error, give_up, "a webhook delivery failed");
            store::webhooks::not_delivered(&mut work, &row, status, &error, (!give_up).then_some(next), now).await?;
            false
        }
    };
    work.commit(state).await?;
    Ok(taken)
}

async fn send_one(
    state: &AppState,
    tls: &Arc<tokio_rustls::rustls::ClientConfig>,
    row: &DeliveryRow,
    url: &str,
    secret: &str,
) -> anyhow::Result<u16> {
    let endpoint = crate::https::parse(url).ok_or_else(|| anyhow::anyhow!("not an https:// address"))?;
    let reach = state.settings.webhooks.reach(&endpoint.host);
    let headers = [
        ("content-type", "application/json".to_owned()),
        ("user-agent", "Parta-Webhooks".to_owned()),
        ("parta-event", row.event.clone()),
        ("parta-delivery", row.id.to_string()),
        ("parta-signature", signature(secret, now_ms() / 1000, &row.body)),
    ];
    let answer = crate::https::post_within(tls, &endpoint, &headers, row.body.clone().into_bytes(), reach).await?;
    Ok(answer.status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_over_time_and_body() {
        // The value computed apart, with Python's hmac module.
        let s = signature("whsec-test", 1_700_000_000, r#"{"type":"member.joined"}"#);
        assert_eq!(s, "t=1700000000,v1=7e726e0451374575a569cb8dac1e925090624de7ca80107f3bef771becacc48a");
    }

    #[test]
    fn only_named_hosts_reach_inside_the_network() {
        let settings = WebhookSettings { private_hosts: vec!["erp.school.local".into()], extra_ca_pem: None };
        assert_eq!(settings.reach("ERP.school.local"), Reach::Anywhere);
        assert_eq!(settings.reach("example.org"), Reach::Public);
    }
}
