use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use parta_domain::{OrderId, OrgId};
use parta_protocol::{Order, OrderRequest, Problem};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::distance;
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(orders_list, orders_issue))
        .routes(routes!(orders_get))
        .routes(routes!(orders_end))
}

/// # `GET /api/v1/orgs/{org_id}/orders`
/// The school's remote-learning orders, the latest first (everyone of the school).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/orders", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), responses((status = 200, body = [Order]), (status = 404, body = Problem)))]
async fn orders_list(State(state): State<AppState>, actor: Actor, Path(org): Path<i64>) -> Result<Json<Vec<Order>>> {
    Ok(Json(distance::list(&state, &actor, OrgId(org)).await?))
}

/// # `POST /api/v1/orgs/{org_id}/orders`
/// Registers an order putting classes (or the whole school) on remote learning; each class's chats get a post to confirm (the director, the admins).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/orders", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), request_body = OrderRequest,
    responses((status = 201, body = Order), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn orders_issue(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    AppJson(body): AppJson<OrderRequest>,
) -> Result<(StatusCode, Json<Order>)> {
    Ok((StatusCode::CREATED, Json(distance::issue(&state, &actor, OrgId(org), &body).await?)))
}

/// # `GET /api/v1/orgs/{org_id}/orders/{order_id}`
/// An order (everyone of the school).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/orders/{order_id}", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("order_id" = i64, Path)), responses((status = 200, body = Order), (status = 404, body = Problem)))]
async fn orders_get(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, order)): Path<(i64, i64)>,
) -> Result<Json<Order>> {
    Ok(Json(distance::get(&state, &actor, OrgId(org), OrderId(order)).await?))
}

/// # `POST /api/v1/orgs/{org_id}/orders/{order_id}/end`
/// Ends an order early: in force through today, the normal timetable back from tomorrow (the director, the admins).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/orders/{order_id}/end", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("order_id" = i64, Path)),
    responses((status = 200, body = Order), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn orders_end(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, order)): Path<(i64, i64)>,
) -> Result<Json<Order>> {
    Ok(Json(distance::end(&state, &actor, OrgId(org), OrderId(order)).await?))
}
