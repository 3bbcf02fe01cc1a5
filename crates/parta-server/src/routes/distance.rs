use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use parta_domain::{IndividualId, OrderId, OrgId};
use parta_protocol::{
    IndividualAssignment, IndividualMarkRequest, IndividualRequest, OfflineRequest, OfflineStudent, Order,
    OrderRequest, Problem,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::{distance, individual};
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(orders_list, orders_issue))
        .routes(routes!(orders_get))
        .routes(routes!(orders_end))
        .routes(routes!(offline_get, offline_set))
        .routes(routes!(individual_list, individual_set))
        .routes(routes!(individual_mark))
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

/// # `GET /api/v1/orgs/{org_id}/orders/{order_id}/offline`
/// Who is without a device or connection under the order (the school's staff).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/orders/{order_id}/offline", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("order_id" = i64, Path)),
    responses((status = 200, body = [OfflineStudent]), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn offline_get(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, order)): Path<(i64, i64)>,
) -> Result<Json<Vec<OfflineStudent>>> {
    Ok(Json(individual::offline(&state, &actor, OrgId(org), OrderId(order)).await?))
}

/// # `PUT /api/v1/orgs/{org_id}/orders/{order_id}/offline`
/// Marks a class's students without a device or connection; the list replaces the class's (its class teacher, the administration).
#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/orders/{order_id}/offline", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("order_id" = i64, Path)), request_body = OfflineRequest,
    responses((status = 200, body = [OfflineStudent]), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn offline_set(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, order)): Path<(i64, i64)>,
    AppJson(body): AppJson<OfflineRequest>,
) -> Result<Json<Vec<OfflineStudent>>> {
    Ok(Json(individual::set_offline(&state, &actor, OrgId(org), OrderId(order), &body).await?))
}

/// # `GET /api/v1/orgs/{org_id}/orders/{order_id}/individual`
/// The order's individual assignments the reader may see (their teacher, the class teacher, the administration; the student and their parents).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/orders/{order_id}/individual", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("order_id" = i64, Path)),
    responses((status = 200, body = [IndividualAssignment]), (status = 404, body = Problem)))]
async fn individual_list(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, order)): Path<(i64, i64)>,
) -> Result<Json<Vec<IndividualAssignment>>> {
    Ok(Json(individual::list(&state, &actor, OrgId(org), OrderId(order)).await?))
}

/// # `POST /api/v1/orgs/{org_id}/orders/{order_id}/individual`
/// Sets an individual assignment, due after the order, to a student without a device (the teacher of the subject in their class).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/orders/{order_id}/individual", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("order_id" = i64, Path)), request_body = IndividualRequest,
    responses((status = 201, body = IndividualAssignment), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn individual_set(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, order)): Path<(i64, i64)>,
    AppJson(body): AppJson<IndividualRequest>,
) -> Result<(StatusCode, Json<IndividualAssignment>)> {
    Ok((StatusCode::CREATED, Json(individual::set(&state, &actor, OrgId(org), OrderId(order), &body).await?)))
}

/// # `PUT /api/v1/orgs/{org_id}/individual/{individual_id}/mark`
/// Marks an individual assignment once the order is over (its teacher).
#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/individual/{individual_id}/mark", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("individual_id" = i64, Path)), request_body = IndividualMarkRequest,
    responses((status = 200, body = IndividualAssignment), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn individual_mark(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, id)): Path<(i64, i64)>,
    AppJson(body): AppJson<IndividualMarkRequest>,
) -> Result<Json<IndividualAssignment>> {
    Ok(Json(individual::mark(&state, &actor, OrgId(org), IndividualId(id), &body).await?))
}
