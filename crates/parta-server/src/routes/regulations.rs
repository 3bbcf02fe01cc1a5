use axum::Json;
use axum::extract::{Path, Query, State};
use parta_domain::{LessonId, OrgId};
use parta_protocol::{HomeworkLoad, Problem, Regulations, RegulationsView};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::regulations;
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(regulations_get, regulations_set)).routes(routes!(homework_load_get))
}

/// # `GET /api/v1/orgs/{org_id}/regulations`
/// The school's numbers for the regulations' rules, and the regulations' own (everyone of the school).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/regulations", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), responses((status = 200, body = RegulationsView), (status = 404, body = Problem)))]
async fn regulations_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
) -> Result<Json<RegulationsView>> {
    Ok(Json(regulations::regulations(&state, &actor, OrgId(org)).await?))
}

/// # `PUT /api/v1/orgs/{org_id}/regulations`
/// Tightens the school's numbers or makes the homework limit a hard stop (admins, the deputy director); audited.
#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/regulations", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), request_body = Regulations,
    responses((status = 200, body = RegulationsView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn regulations_set(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    AppJson(body): AppJson<Regulations>,
) -> Result<Json<RegulationsView>> {
    Ok(Json(regulations::set_regulations(&state, &actor, OrgId(org), &body).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct LoadQuery {
    /// `YYYY-MM-DD`: the day the homework would be due.
    due_on: String,
    /// Minutes it would take (none: 0).
    minutes: Option<i64>,
}

/// # `GET /api/v1/orgs/{org_id}/lessons/{lesson_id}/homework-load`
/// How heavy a day would be with the lesson's homework due on it, against the grade's limit (who reads the lesson).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/lessons/{lesson_id}/homework-load", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("lesson_id" = i64, Path), LoadQuery),
    responses((status = 200, body = HomeworkLoad), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn homework_load_get(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, lesson)): Path<(i64, i64)>,
    Query(query): Query<LoadQuery>,
) -> Result<Json<HomeworkLoad>> {
    Ok(Json(
        regulations::homework_load(&state, &actor, OrgId(org), LessonId(lesson), &query.due_on, query.minutes).await?,
    ))
}
