use axum::Json;
use axum::extract::{Path, State};
use parta_domain::OrgId;
use parta_protocol::{Problem, YearTransitionPlan, YearTransitionRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::year_transition;
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(transition_preview)).routes(routes!(transition_run))
}

/// # `POST /api/v1/orgs/{org_id}/year-transition/preview`
/// What moving on to the next year would do: classes, students, chats, exceptions; nothing changes (the admins).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/year-transition/preview", tag = "school year",
    security(("bearer" = []), ("cookie" = [])), params(("org_id" = i64, Path)), request_body = YearTransitionRequest,
    responses((status = 200, body = YearTransitionPlan), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn transition_preview(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    AppJson(body): AppJson<YearTransitionRequest>,
) -> Result<Json<YearTransitionPlan>> {
    Ok(Json(year_transition::preview(&state, &actor, OrgId(org), &body).await?))
}

/// # `POST /api/v1/orgs/{org_id}/year-transition`
/// Moves the school on to the next year in one transaction: classes promoted, leavers gone, chats carried on or archived, the ending year read-only (the admins).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/year-transition", tag = "school year",
    security(("bearer" = []), ("cookie" = [])), params(("org_id" = i64, Path)), request_body = YearTransitionRequest,
    responses((status = 200, body = YearTransitionPlan), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn transition_run(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    AppJson(body): AppJson<YearTransitionRequest>,
) -> Result<Json<YearTransitionPlan>> {
    Ok(Json(year_transition::run(&state, &actor, OrgId(org), &body).await?))
}
