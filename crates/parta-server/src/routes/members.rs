use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use parta_domain::{ClassId, OrgId, UserId};
use parta_protocol::{ChangeRoleRequest, ClassMembership, LeaveRequest, Member, Problem, SignInCode, TransferRequest};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::{members, recovery};
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(members_list))
        .routes(routes!(members_get))
        .routes(routes!(class_memberships))
        .routes(routes!(members_verify, members_unverify))
        .routes(routes!(members_transfer))
        .routes(routes!(members_leave))
        .routes(routes!(members_change_role))
        .routes(routes!(members_sign_in_code))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ClassFilter {
    /// Only the current members of this class.
    class_id: Option<i64>,
    /// Only the teachers whose status is not yet confirmed (for the admin who confirms it).
    unverified: Option<bool>,
}

/// # `GET /api/v1/orgs/{org_id}/members`
/// Current members with role badges and classes. Staff read the whole school,
/// students and parents their (children's) classes with `class_id`. Phone and
/// e-mail are filled for oneself and for admins only.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/members", tag = "members", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ClassFilter),
    responses((status = 200, body = [Member]), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn members_list(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    Query(filter): Query<ClassFilter>,
) -> Result<Json<Vec<Member>>> {
    let unverified = filter.unverified == Some(true);
    Ok(Json(members::list(&state, &actor, OrgId(org), filter.class_id.map(ClassId), unverified).await?))
}

/// # `GET /api/v1/orgs/{org_id}/members/{user_id}`
/// One person's profile in the school, with the verified-teacher badge.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/members/{user_id}", tag = "members", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("user_id" = i64, Path)), responses((status = 200, body = Member), (status = 404, body = Problem)))]
async fn members_get(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, user)): Path<(i64, i64)>,
) -> Result<Json<Member>> {
    Ok(Json(members::get(&state, &actor, OrgId(org), UserId(user)).await?))
}

/// # `GET /api/v1/orgs/{org_id}/classes/{class_id}/memberships`
/// Every membership the class has had, current and past, with dates and reasons.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/classes/{class_id}/memberships", tag = "members", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("class_id" = i64, Path)),
    responses((status = 200, body = [ClassMembership]), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn class_memberships(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, class)): Path<(i64, i64)>,
) -> Result<Json<Vec<ClassMembership>>> {
    Ok(Json(members::class_history(&state, &actor, OrgId(org), ClassId(class)).await?))
}

/// # `PUT /api/v1/orgs/{org_id}/members/{user_id}/teacher-verification`
/// Verifies a teacher's status (admins).
#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/members/{user_id}/teacher-verification", tag = "members", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 200, body = Member), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn members_verify(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, user)): Path<(i64, i64)>,
) -> Result<Json<Member>> {
    Ok(Json(members::set_teacher_verified(&state, &actor, OrgId(org), UserId(user), true).await?))
}

/// # `DELETE /api/v1/orgs/{org_id}/members/{user_id}/teacher-verification`
/// Withdraws the verification (admins).
#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/members/{user_id}/teacher-verification", tag = "members", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 200, body = Member), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn members_unverify(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, user)): Path<(i64, i64)>,
) -> Result<Json<Member>> {
    Ok(Json(members::set_teacher_verified(&state, &actor, OrgId(org), UserId(user), false).await?))
}

/// # `POST /api/v1/orgs/{org_id}/members/{user_id}/transfer`
/// Moves a student to another class; the parents' places follow.
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/members/{user_id}/transfer", tag = "members", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("user_id" = i64, Path)), request_body = TransferRequest,
    responses((status = 200, body = Member), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn members_transfer(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, user)): Path<(i64, i64)>,
    AppJson(body): AppJson<TransferRequest>,
) -> Result<Json<Member>> {
    Ok(Json(members::transfer(&state, &actor, OrgId(org), UserId(user), &body).await?))
}

/// # `POST /api/v1/orgs/{org_id}/members/{user_id}/leave`
/// Marks a student or staff member as having left (or graduated) on a date.
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/members/{user_id}/leave", tag = "members", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("user_id" = i64, Path)), request_body = LeaveRequest,
    responses((status = 204), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn members_leave(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, user)): Path<(i64, i64)>,
    AppJson(body): AppJson<LeaveRequest>,
) -> Result<StatusCode> {
    members::leave(&state, &actor, OrgId(org), UserId(user), &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `POST /api/v1/orgs/{org_id}/members/{user_id}/sign-in-code`
/// A one-time code (24 hours) for a person without e-mail to set a new password with:
/// a student's or parent's class teacher, or an admin (for anyone but admins). Shown
/// once; audited.
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/members/{user_id}/sign-in-code", tag = "members", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 201, body = SignInCode), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn members_sign_in_code(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, user)): Path<(i64, i64)>,
) -> Result<(StatusCode, Json<SignInCode>)> {
    Ok((StatusCode::CREATED, Json(recovery::issue_code(&state, &actor, OrgId(org), UserId(user)).await?)))
}

/// # `POST /api/v1/orgs/{org_id}/members/{user_id}/role`
/// Changes a staff member's role (teacher, employee, director, deputy).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/members/{user_id}/role", tag = "members", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("user_id" = i64, Path)), request_body = ChangeRoleRequest,
    responses((status = 200, body = Member), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn members_change_role(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, user)): Path<(i64, i64)>,
    AppJson(body): AppJson<ChangeRoleRequest>,
) -> Result<Json<Member>> {
    Ok(Json(members::change_role(&state, &actor, OrgId(org), UserId(user), body.role).await?))
}
