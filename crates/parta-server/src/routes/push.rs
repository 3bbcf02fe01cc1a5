use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use parta_protocol::{Problem, PushDevice, PushKey, PushKindsRequest, PushSubscribeRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::actions::push;
use crate::auth::{Actor, ClientInfo};
use crate::error::Result;
use crate::routes::AppJson;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(push_key))
        .routes(routes!(push_devices, push_subscribe))
        .routes(routes!(push_device_kinds, push_unsubscribe))
}

/// # `GET /api/v1/push/key`
/// The server's VAPID public key, for `pushManager.subscribe({applicationServerKey})`.
#[utoipa::path(get, path = "/api/v1/push/key", tag = "notifications", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = PushKey), (status = 401, body = Problem)))]
async fn push_key(State(state): State<AppState>, _actor: Actor) -> Result<Json<PushKey>> {
    Ok(Json(push::key(&state).await?))
}

/// # `GET /api/v1/push/subscriptions`
/// One's devices that receive pushes, this browser's marked `current`.
#[utoipa::path(get, path = "/api/v1/push/subscriptions", tag = "notifications", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Vec<PushDevice>), (status = 401, body = Problem)))]
async fn push_devices(State(state): State<AppState>, actor: Actor) -> Result<Json<Vec<PushDevice>>> {
    Ok(Json(push::devices(&state, &actor).await?))
}

/// # `POST /api/v1/push/subscriptions`
/// Subscribes this browser (its `PushSubscription.toJSON()`), for this session: signing
/// out here ends it. The endpoint must be a browser's push service; the same endpoint
/// subscribed before is replaced.
#[utoipa::path(post, path = "/api/v1/push/subscriptions", tag = "notifications", security(("bearer" = []), ("cookie" = [])),
    request_body = PushSubscribeRequest,
    responses((status = 201, body = PushDevice), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn push_subscribe(
    State(state): State<AppState>,
    actor: Actor,
    client: ClientInfo,
    AppJson(request): AppJson<PushSubscribeRequest>,
) -> Result<(StatusCode, Json<PushDevice>)> {
    Ok((StatusCode::CREATED, Json(push::subscribe(&state, &actor, &request, &client).await?)))
}

/// # `PUT /api/v1/push/subscriptions/{id}`
/// What one's device is not told of (`kinds_off`).
#[utoipa::path(put, path = "/api/v1/push/subscriptions/{id}", tag = "notifications", security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path)), request_body = PushKindsRequest,
    responses((status = 200, body = PushDevice), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn push_device_kinds(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    AppJson(request): AppJson<PushKindsRequest>,
) -> Result<Json<PushDevice>> {
    Ok(Json(push::set_kinds(&state, &actor, id, &request).await?))
}

/// # `DELETE /api/v1/push/subscriptions/{id}`
/// Stops pushes to one of one's devices.
#[utoipa::path(delete, path = "/api/v1/push/subscriptions/{id}", tag = "notifications", security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn push_unsubscribe(State(state): State<AppState>, actor: Actor, Path(id): Path<i64>) -> Result<StatusCode> {
    push::unsubscribe(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
