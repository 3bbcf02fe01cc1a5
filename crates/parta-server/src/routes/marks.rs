use axum::Json;
use axum::extract::{Path, State};
use parta_domain::{OrgId, YearId};
use parta_protocol::{JournalGrid, JournalSettings, Problem, YearMarksRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::marks;
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(journal_settings_get, journal_settings_set)).routes(routes!(year_marks_set))
}

/// # `GET /api/v1/orgs/{org_id}/journal-settings`
/// The school's journal settings: the rounding rule for suggested marks (everyone of the school).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/journal-settings", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), responses((status = 200, body = JournalSettings), (status = 404, body = Problem)))]
async fn journal_settings_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
) -> Result<Json<JournalSettings>> {
    Ok(Json(marks::settings(&state, &actor, OrgId(org)).await?))
}

/// # `PUT /api/v1/orgs/{org_id}/journal-settings`
/// Sets the school's rounding rule (admins, the deputy director); audited.
#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/journal-settings", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), request_body = JournalSettings,
    responses((status = 200, body = JournalSettings), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn journal_settings_set(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    AppJson(body): AppJson<JournalSettings>,
) -> Result<Json<JournalSettings>> {
    Ok(Json(marks::set_settings(&state, &actor, OrgId(org), &body).await?))
}

/// # `PUT /api/v1/orgs/{org_id}/years/{year_id}/year-marks`
/// Sets year marks (the assignment's teacher; once the year's last period is closed, an admin with a reason).
#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/years/{year_id}/year-marks", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("year_id" = i64, Path)), request_body = YearMarksRequest,
    responses((status = 200, body = JournalGrid), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn year_marks_set(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, year)): Path<(i64, i64)>,
    AppJson(body): AppJson<YearMarksRequest>,
) -> Result<Json<JournalGrid>> {
    Ok(Json(marks::set_year_marks(&state, &actor, OrgId(org), YearId(year), &body).await?))
}
