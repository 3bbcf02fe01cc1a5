use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use parta_domain::{ClassId, OrgId, OverrideId, YearId};
use parta_protocol::{LessonOverride, OverrideRequest, Problem};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::overrides;
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(overrides_list, overrides_create)).routes(routes!(overrides_delete))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RangeQuery {
    /// The first date, `YYYY-MM-DD`.
    from: String,
    /// The last date (at most two months on).
    to: String,
}

/// # `GET /api/v1/orgs/{org_id}/years/{year_id}/classes/{class_id}/overrides`
/// The class's overrides of its lessons (replacements, cancelled, moved and extra
/// lessons) touching a range of dates (admins, the deputy director).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/years/{year_id}/classes/{class_id}/overrides", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("year_id" = i64, Path), ("class_id" = i64, Path), RangeQuery),
    responses((status = 200, body = [LessonOverride]), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn overrides_list(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, year, class)): Path<(i64, i64, i64)>,
    Query(query): Query<RangeQuery>,
) -> Result<Json<Vec<LessonOverride>>> {
    Ok(Json(overrides::list(&state, &actor, OrgId(org), YearId(year), ClassId(class), &query.from, &query.to).await?))
}

/// # `POST /api/v1/orgs/{org_id}/years/{year_id}/classes/{class_id}/overrides`
/// Sets a replacement teacher for a lesson of a date, cancels or moves it, or adds an
/// extra lesson (admins, the deputy director); a teacher, a room or the class in two
/// places at once, a day without lessons, a lesson the timetable does not have that
/// day is refused at its field.
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/years/{year_id}/classes/{class_id}/overrides", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("year_id" = i64, Path), ("class_id" = i64, Path)), request_body = OverrideRequest,
    responses((status = 201, body = LessonOverride), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn overrides_create(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, year, class)): Path<(i64, i64, i64)>,
    AppJson(body): AppJson<OverrideRequest>,
) -> Result<(StatusCode, Json<LessonOverride>)> {
    let made = overrides::create(&state, &actor, OrgId(org), YearId(year), ClassId(class), &body).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// # `DELETE /api/v1/orgs/{org_id}/years/{year_id}/overrides/{override_id}`
/// Takes an override back: the lesson is as the timetable has it again (admins, the
/// deputy director). A moved or extra lesson already written down stays (409).
#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/years/{year_id}/overrides/{override_id}", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("year_id" = i64, Path), ("override_id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn overrides_delete(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, year, id)): Path<(i64, i64, i64)>,
) -> Result<StatusCode> {
    overrides::delete(&state, &actor, OrgId(org), YearId(year), OverrideId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
