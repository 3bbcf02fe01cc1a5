//! A school's webhooks.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use parta_domain::OrgId;
use parta_protocol::{CreatedWebhook, Problem, Webhook, WebhookDelivery, WebhookRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::webhooks;
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(webhooks_list, webhook_create))
        .routes(routes!(webhook_update, webhook_delete))
        .routes(routes!(webhook_deliveries))
}

/// # `GET /api/v1/orgs/{org_id}/webhooks`
/// The school's webhooks with their status (`new`, `ok`, `retrying`, `failed`), the
/// last error and how many deliveries wait (its admins).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/webhooks", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)),
    responses((status = 200, body = Vec<Webhook>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn webhooks_list(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
) -> Result<Json<Vec<Webhook>>> {
    Ok(Json(webhooks::list(&state, &actor, OrgId(org)).await?))
}

/// # `POST /api/v1/orgs/{org_id}/webhooks`
/// Registers an `https://` endpoint for chosen events (`member.joined`, `member.left`,
/// `channel.message`, `journal.mark`, `journal.absence`). Each delivery is a JSON
/// POST with `Parta-Event`, `Parta-Delivery` and `Parta-Signature: t=<unix seconds>,
/// v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>`; an endpoint gets its events
/// one at a time, in order, retried with backoff for a day. The secret is in this
/// answer only.
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/webhooks", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), request_body = WebhookRequest,
    responses((status = 201, body = CreatedWebhook), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn webhook_create(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    AppJson(body): AppJson<WebhookRequest>,
) -> Result<(StatusCode, Json<CreatedWebhook>)> {
    Ok((StatusCode::CREATED, Json(webhooks::create(&state, &actor, OrgId(org), &body).await?)))
}

/// # `PATCH /api/v1/orgs/{org_id}/webhooks/{webhook_id}`
/// Changes the address, the events, or turns the endpoint off (nothing is queued for it
/// while off).
#[utoipa::path(patch, path = "/api/v1/orgs/{org_id}/webhooks/{webhook_id}", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("webhook_id" = i64, Path)), request_body = WebhookRequest,
    responses((status = 200, body = Webhook), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn webhook_update(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, id)): Path<(i64, i64)>,
    AppJson(body): AppJson<WebhookRequest>,
) -> Result<Json<Webhook>> {
    Ok(Json(webhooks::update(&state, &actor, OrgId(org), id, &body).await?))
}

/// # `DELETE /api/v1/orgs/{org_id}/webhooks/{webhook_id}`
/// Removes the endpoint; what waited for it is not sent.
#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/webhooks/{webhook_id}", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("webhook_id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn webhook_delete(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, id)): Path<(i64, i64)>,
) -> Result<StatusCode> {
    webhooks::delete(&state, &actor, OrgId(org), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `GET /api/v1/orgs/{org_id}/webhooks/{webhook_id}/deliveries`
/// The endpoint's latest 50 deliveries: `waiting`, `delivered` or `failed`, tries, the
/// last answer.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/webhooks/{webhook_id}/deliveries", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("webhook_id" = i64, Path)),
    responses((status = 200, body = Vec<WebhookDelivery>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn webhook_deliveries(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, id)): Path<(i64, i64)>,
) -> Result<Json<Vec<WebhookDelivery>>> {
    Ok(Json(webhooks::deliveries(&state, &actor, OrgId(org), id).await?))
}
