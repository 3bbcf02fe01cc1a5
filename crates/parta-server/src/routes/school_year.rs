use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use parta_domain::{OrgId, SubjectId, YearId};
use parta_protocol::{AcademicYear, BellsRequest, Problem, Subject, SubjectChange, SubjectRequest, YearRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::school_year;
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(years_list, years_create))
        .routes(routes!(years_get, years_update))
        .routes(routes!(years_bells))
        .routes(routes!(periods_close))
        .routes(routes!(subjects_list, subjects_create))
        .routes(routes!(subjects_update))
}

/// # `GET /api/v1/orgs/{org_id}/years`
/// The school's years, the latest first, with their periods, days off and bells.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/years", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), responses((status = 200, body = [AcademicYear]), (status = 404, body = Problem)))]
async fn years_list(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
) -> Result<Json<Vec<AcademicYear>>> {
    Ok(Json(school_year::list(&state, &actor, OrgId(org)).await?))
}

/// # `POST /api/v1/orgs/{org_id}/years`
/// Starts a year (admins, the deputy director); `copy_bells_from` takes an earlier year's bells.
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/years", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), request_body = YearRequest,
    responses((status = 201, body = AcademicYear), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn years_create(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    AppJson(body): AppJson<YearRequest>,
) -> Result<(StatusCode, Json<AcademicYear>)> {
    Ok((StatusCode::CREATED, Json(school_year::create(&state, &actor, OrgId(org), &body).await?)))
}

/// # `GET /api/v1/orgs/{org_id}/years/{year_id}`
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/years/{year_id}", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("year_id" = i64, Path)), responses((status = 200, body = AcademicYear), (status = 404, body = Problem)))]
async fn years_get(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, year)): Path<(i64, i64)>,
) -> Result<Json<AcademicYear>> {
    Ok(Json(school_year::get(&state, &actor, OrgId(org), YearId(year)).await?))
}

/// # `PUT /api/v1/orgs/{org_id}/years/{year_id}`
/// Replaces the year's name, dates, periods and days off at once (admins, the deputy director).
#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/years/{year_id}", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("year_id" = i64, Path)), request_body = YearRequest,
    responses((status = 200, body = AcademicYear), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn years_update(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, year)): Path<(i64, i64)>,
    AppJson(body): AppJson<YearRequest>,
) -> Result<Json<AcademicYear>> {
    Ok(Json(school_year::update(&state, &actor, OrgId(org), YearId(year), &body).await?))
}

/// # `PUT /api/v1/orgs/{org_id}/years/{year_id}/bells`
/// Replaces the year's bells, every shift at once (admins, the deputy director).
#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/years/{year_id}/bells", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("year_id" = i64, Path)), request_body = BellsRequest,
    responses((status = 200, body = AcademicYear), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn years_bells(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, year)): Path<(i64, i64)>,
    AppJson(body): AppJson<BellsRequest>,
) -> Result<Json<AcademicYear>> {
    Ok(Json(school_year::set_bells(&state, &actor, OrgId(org), YearId(year), &body).await?))
}

/// # `GET /api/v1/orgs/{org_id}/subjects`
/// The school's subjects, archived ones too.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/subjects", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), responses((status = 200, body = [Subject]), (status = 404, body = Problem)))]
async fn subjects_list(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
) -> Result<Json<Vec<Subject>>> {
    Ok(Json(school_year::subjects(&state, &actor, OrgId(org)).await?))
}

/// # `POST /api/v1/orgs/{org_id}/subjects`
/// Adds a subject (admins, the deputy director); a name the school has is `subject_exists`.
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/subjects", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), request_body = SubjectRequest,
    responses((status = 201, body = Subject), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn subjects_create(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    AppJson(body): AppJson<SubjectRequest>,
) -> Result<(StatusCode, Json<Subject>)> {
    Ok((StatusCode::CREATED, Json(school_year::create_subject(&state, &actor, OrgId(org), &body).await?)))
}

/// # `PATCH /api/v1/orgs/{org_id}/subjects/{subject_id}`
/// Renames a subject, changes its short name, archives it or brings it back.
#[utoipa::path(patch, path = "/api/v1/orgs/{org_id}/subjects/{subject_id}", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("subject_id" = i64, Path)), request_body = SubjectChange,
    responses((status = 200, body = Subject), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn subjects_update(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, subject)): Path<(i64, i64)>,
    AppJson(body): AppJson<SubjectChange>,
) -> Result<Json<Subject>> {
    Ok(Json(school_year::update_subject(&state, &actor, OrgId(org), SubjectId(subject), &body).await?))
}

/// # `POST /api/v1/orgs/{org_id}/years/{year_id}/periods/{number}/close`
/// Closes a period: its marks are final, changed after only by an admin with a reason (admins, the deputy director).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/years/{year_id}/periods/{number}/close", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("year_id" = i64, Path), ("number" = i64, Path)),
    responses((status = 200, body = AcademicYear), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn periods_close(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, year, number)): Path<(i64, i64, i64)>,
) -> Result<Json<AcademicYear>> {
    Ok(Json(school_year::close_period(&state, &actor, OrgId(org), YearId(year), number).await?))
}
