//! A school's webhooks as its admins manage them: register an endpoint for chosen
//! events (its signing secret shown once), change or remove it, see its status and its
//! latest deliveries. What is sent and when is `crate::webhooks`.

use std::collections::HashMap;

use parta_domain::OrgId;
use parta_domain::permission::Permission;
use parta_domain::validate::FieldError;
use parta_domain::webhooks::EventKind;
use parta_protocol::{CreatedWebhook, Webhook, WebhookDelivery, WebhookRequest};
use serde_json::json;
use sqlx::AnyConnection;

use crate::access;
use crate::auth::Actor;
use crate::clock::{now_ms, rfc3339, rfc3339_opt};
use crate::error::{Error, Result};
use crate::secrets;
use crate::state::AppState;
use crate::store;
use crate::store::audit::Entry;
use crate::store::webhooks::{NewWebhook, WebhookRow};

/// Endpoints a school may have.
const MAX_PER_SCHOOL: usize = 10;

async fn render(conn: &mut AnyConnection, row: &WebhookRow, waiting: i64) -> Result<Webhook> {
    let retrying = waiting > 0 && row.last_failure_at.is_some_and(|f| row.last_success_at.is_none_or(|ok| f > ok));
    let status = if retrying {
        "retrying"
    } else if store::webhooks::failed_since_success(conn, row).await? {
        "failed"
    } else if row.last_success_at.is_some() {
        "ok"
    } else {
        "new"
    };
    Ok(Webhook {
        id: row.id,
        url: row.url.clone(),
        events: row.events(),
        active: row.active == 1,
        created_at: rfc3339(row.created_at),
        status: status.into(),
        last_success_at: rfc3339_opt(row.last_success_at),
        last_error: row.last_error.clone(),
        waiting,
    })
}

/// The URL and events of a request, checked: an `https://` address (an address inside
/// the network only where the deployment names its host), known events, at least one.
fn checked(state: &AppState, url: &str, events: &[String]) -> Result<(String, String)> {
    let mut errors = Vec::new();
    let url = url.trim();
    match crate::https::parse(url) {
        None => errors.push(FieldError::new("url", "invalid_url")),
        Some(endpoint) => {
            let literal = endpoint.host.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>();
            let inside = literal.is_ok_and(|ip| !crate::https::is_public(ip));
            if inside && state.settings.webhooks.reach(&endpoint.host) == crate::https::Reach::Public {
                errors.push(FieldError::new("url", "not_public"));
            }
        }
    }
    let mut kinds: Vec<&str> = Vec::new();
    for event in events {
        match EventKind::parse(event.trim()) {
            Some(kind) if !kinds.contains(&kind.as_str()) => kinds.push(kind.as_str()),
            Some(_) => {}
            None => errors.push(FieldError::new("events", "unknown_event")),
        }
    }
    if kinds.is_empty() && errors.iter().all(|e| e.field != "events") {
        errors.push(FieldError::new("events", "required"));
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    Ok((url.to_owned(), kinds.join(",")))
}

fn audit(org: OrgId, actor: &Actor, action: &'static str, id: i64, details: serde_json::Value) -> Entry<'static> {
    Entry { org: Some(org), actor: Some(actor.user_id), action, target_type: "webhook", target_id: Some(id), details }
}

/// # A school's webhooks, with their status
pub async fn list(state: &AppState, actor: &Actor, org: OrgId) -> Result<Vec<Webhook>> {
    let mut conn = state.db.reads().acquire().await?;
    access::school(&mut conn, actor, org, Permission::ManageWebhooks).await?;
    let waiting: HashMap<i64, i64> = store::webhooks::waiting_counts(&mut conn, org).await?.into_iter().collect();
    let mut out = Vec::new();
    for row in store::webhooks::of_school(&mut conn, org).await? {
        let waiting = waiting.get(&row.id).copied().unwrap_or(0);
        out.push(render(&mut conn, &row, waiting).await?);
    }
    Ok(out)
}

/// # Register an endpoint (its secret is in the answer, this once)
pub async fn create(state: &AppState, actor: &Actor, org: OrgId, request: &WebhookRequest) -> Result<CreatedWebhook> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ManageWebhooks).await?;
    let url = request.url.as_deref().unwrap_or_default();
    let (url, events) = checked(state, url, request.events.as_deref().unwrap_or_default())?;
    if store::webhooks::of_school(&mut work, org).await?.len() >= MAX_PER_SCHOOL {
        return Err(Error::Conflict("too_many_webhooks"));
    }
    let secret = format!("whsec_{}", secrets::new_token());
    let new = NewWebhook { org, url: &url, events: &events, secret: &secret, created_by: actor.user_id.0 };
    let id = store::webhooks::insert(&mut work, &new, now_ms()).await?;
    store::audit::record(&mut work, audit(org, actor, "webhook_created", id, json!({ "url": url, "events": events })))
        .await?;
    let row = store::webhooks::get(&mut work, org, id).await?.ok_or(Error::NotFound)?;
    let webhook = render(&mut work, &row, 0).await?;
    work.commit(state).await?;
    Ok(CreatedWebhook { webhook, secret })
}

/// # Change an endpoint: its address, events, or whether it is on
pub async fn update(state: &AppState, actor: &Actor, org: OrgId, id: i64, request: &WebhookRequest) -> Result<Webhook> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ManageWebhooks).await?;
    let row = store::webhooks::get(&mut work, org, id).await?.ok_or(Error::NotFound)?;
    let url = request.url.clone().unwrap_or_else(|| row.url.clone());
    let events = request.events.clone().unwrap_or_else(|| row.events());
    let (url, events) = checked(state, &url, &events)?;
    let active = request.active.unwrap_or(row.active == 1);
    store::webhooks::update(&mut work, id, &url, &events, active).await?;
    let details = json!({ "url": url, "events": events, "active": active });
    store::audit::record(&mut work, audit(org, actor, "webhook_changed", id, details)).await?;
    let row = store::webhooks::get(&mut work, org, id).await?.ok_or(Error::NotFound)?;
    let waiting = store::webhooks::waiting_counts(&mut work, org).await?.into_iter().find(|(w, _)| *w == id);
    let webhook = render(&mut work, &row, waiting.map_or(0, |(_, n)| n)).await?;
    work.commit(state).await?;
    Ok(webhook)
}

/// # Remove an endpoint: nothing more is sent to it
pub async fn delete(state: &AppState, actor: &Actor, org: OrgId, id: i64) -> Result<()> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ManageWebhooks).await?;
    let row = store::webhooks::get(&mut work, org, id).await?.ok_or(Error::NotFound)?;
    store::webhooks::delete(&mut work, id, now_ms()).await?;
    store::audit::record(&mut work, audit(org, actor, "webhook_removed", id, json!({ "url": row.url }))).await?;
    work.commit(state).await?;
    Ok(())
}

/// # An endpoint's latest deliveries (50), newest first
pub async fn deliveries(state: &AppState, actor: &Actor, org: OrgId, id: i64) -> Result<Vec<WebhookDelivery>> {
    let mut conn = state.db.reads().acquire().await?;
    access::school(&mut conn, actor, org, Permission::ManageWebhooks).await?;
    store::webhooks::get(&mut conn, org, id).await?.ok_or(Error::NotFound)?;
    Ok(store::webhooks::deliveries(&mut conn, id, 50)
        .await?
        .into_iter()
        .map(|d| WebhookDelivery {
            id: d.id,
            event: d.event,
            created_at: rfc3339(d.created_at),
            attempts: d.attempts,
            status: if d.delivered_at.is_some() {
                "delivered"
            } else if d.failed_at.is_some() {
                "failed"
            } else {
                "waiting"
            }
            .into(),
            last_status: d.last_status,
            last_error: d.last_error,
            delivered_at: rfc3339_opt(d.delivered_at),
        })
        .collect())
}
