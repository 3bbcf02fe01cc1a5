use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use parta_domain::{InviteId, JoinRequestId, OrgId};
use parta_protocol::{
    AcceptInviteRequest, CreateInviteRequest, CreatedInvite, DecideJoinRequest, Invite, InvitePreview, JoinOutcome,
    JoinRequest, Problem,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::invites;
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(invites_list, invites_create))
        .routes(routes!(invites_revoke))
        .routes(routes!(invites_preview))
        .routes(routes!(invites_accept))
        .routes(routes!(join_requests_list))
        .routes(routes!(join_requests_accept))
        .routes(routes!(join_requests_reject))
}

/// # `GET /api/v1/orgs/{org_id}/invites`
/// Invite links with use counts and status: all for admins, own classes' for class teachers.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/invites", tag = "invites", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), responses((status = 200, body = [Invite]), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn invites_list(State(state): State<AppState>, actor: Actor, Path(org): Path<i64>) -> Result<Json<Vec<Invite>>> {
    Ok(Json(invites::list(&state, &actor, OrgId(org)).await?))
}

/// # `POST /api/v1/orgs/{org_id}/invites`
/// Creates a link for a class and a role, with an expiry and a use limit. The token
/// (256 random bits) is in this answer only; the server keeps its hash.
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/invites", tag = "invites", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), request_body = CreateInviteRequest,
    responses((status = 201, body = CreatedInvite), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn invites_create(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    AppJson(body): AppJson<CreateInviteRequest>,
) -> Result<(StatusCode, Json<CreatedInvite>)> {
    Ok((StatusCode::CREATED, Json(invites::create(&state, &actor, OrgId(org), &body).await?)))
}

/// # `POST /api/v1/orgs/{org_id}/invites/{invite_id}/revoke`
/// Revokes a link: nobody joins by it afterwards.
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/invites/{invite_id}/revoke", tag = "invites", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("invite_id" = i64, Path)),
    responses((status = 200, body = Invite), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn invites_revoke(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, invite)): Path<(i64, i64)>,
) -> Result<Json<Invite>> {
    Ok(Json(invites::revoke(&state, &actor, OrgId(org), InviteId(invite)).await?))
}

/// # `GET /api/v1/invites/{token}`
/// What a link leads to: school, class, role (and child for a parent link). An
/// expired, revoked or used-up link is 410 with a code that says which.
#[utoipa::path(get, path = "/api/v1/invites/{token}", tag = "invites",
    params(("token" = String, Path)),
    responses((status = 200, body = InvitePreview), (status = 404, body = Problem), (status = 410, body = Problem)))]
async fn invites_preview(State(state): State<AppState>, Path(token): Path<String>) -> Result<Json<InvitePreview>> {
    Ok(Json(invites::preview(&state, &token).await?))
}

/// # `POST /api/v1/invites/accept`
/// Joins by a link as the signed-in person (the token travels in the body, not the URL).
#[utoipa::path(post, path = "/api/v1/invites/accept", tag = "invites", security(("bearer" = []), ("cookie" = [])),
    request_body = AcceptInviteRequest,
    responses((status = 200, body = JoinOutcome), (status = 404, body = Problem), (status = 409, body = Problem), (status = 410, body = Problem)))]
async fn invites_accept(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(body): AppJson<AcceptInviteRequest>,
) -> Result<Json<JoinOutcome>> {
    Ok(Json(invites::accept(&state, &actor, &body).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct StatusFilter {
    /// `pending`, `accepted` or `rejected`; all when absent.
    status: Option<String>,
}

/// # `GET /api/v1/orgs/{org_id}/join-requests`
/// Join requests: all for admins, own classes' for class teachers.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/join-requests", tag = "invites", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), StatusFilter), responses((status = 200, body = [JoinRequest]), (status = 403, body = Problem)))]
async fn join_requests_list(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    Query(filter): Query<StatusFilter>,
) -> Result<Json<Vec<JoinRequest>>> {
    Ok(Json(invites::list_requests(&state, &actor, OrgId(org), filter.status.as_deref()).await?))
}

/// # `POST /api/v1/orgs/{org_id}/join-requests/{request_id}/accept`
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/join-requests/{request_id}/accept", tag = "invites", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("request_id" = i64, Path)),
    responses((status = 200, body = JoinRequest), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn join_requests_accept(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, id)): Path<(i64, i64)>,
) -> Result<Json<JoinRequest>> {
    Ok(Json(invites::decide_request(&state, &actor, OrgId(org), JoinRequestId(id), true, None).await?))
}

/// # `POST /api/v1/orgs/{org_id}/join-requests/{request_id}/reject`
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/join-requests/{request_id}/reject", tag = "invites", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("request_id" = i64, Path)), request_body = DecideJoinRequest,
    responses((status = 200, body = JoinRequest), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn join_requests_reject(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, id)): Path<(i64, i64)>,
    AppJson(body): AppJson<DecideJoinRequest>,
) -> Result<Json<JoinRequest>> {
    Ok(Json(
        invites::decide_request(&state, &actor, OrgId(org), JoinRequestId(id), false, body.reason.as_deref()).await?,
    ))
}
