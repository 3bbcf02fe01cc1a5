use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use parta_domain::{AuthorityId, ClassId, OrgId, UserId};
use parta_protocol::{
    Authority, AuthorityRequest, AuthorityStatistics, ClassReachDetail, CuratorAdded, CuratorRequest,
    PlatformStatistics, Problem, SchoolStatistics,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use super::journal::download;
use crate::actions::{authorities, statistics};
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(school_statistics))
        .routes(routes!(school_statistics_export))
        .routes(routes!(class_reach))
        .routes(routes!(authorities_list, authorities_create))
        .routes(routes!(authority_school_attach, authority_school_detach))
        .routes(routes!(authority_curator_add))
        .routes(routes!(authority_curator_remove))
        .routes(routes!(authority_statistics))
        .routes(routes!(authority_statistics_export))
        .routes(routes!(platform_statistics))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PeriodQuery {
    /// `week` (default), `month`, `term` or `year`: the one today falls in, so far,
    /// compared with as many days of the one before.
    period: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ExportQuery {
    /// `week` (default), `month`, `term` or `year`.
    period: Option<String>,
    /// `xlsx` or `csv`.
    format: String,
}

/// # `GET /api/v1/orgs/{org_id}/statistics`
/// The school's reach and care over a period, against the previous one: who has joined
/// (by class), who read and confirmed, reports handled, the journal on time, online
/// lessons attended, active people by group. Counts only, never message counts (the
/// administration; the curator of the school's authority).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/statistics", tag = "statistics", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), PeriodQuery),
    responses((status = 200, body = SchoolStatistics), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn school_statistics(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    Query(query): Query<PeriodQuery>,
) -> Result<Json<SchoolStatistics>> {
    Ok(Json(statistics::school(&state, &actor, OrgId(org), query.period.as_deref()).await?))
}

/// # `GET /api/v1/orgs/{org_id}/statistics/export`
/// The dashboard as XLSX (a sheet each: the measures, the classes, the days) or CSV.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/statistics/export", tag = "statistics", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ExportQuery),
    responses((status = 200, description = "The file", content_type = "application/octet-stream", body = Vec<u8>), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn school_statistics_export(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    Query(query): Query<ExportQuery>,
) -> Result<axum::response::Response> {
    Ok(download(statistics::school_file(&state, &actor, OrgId(org), query.period.as_deref(), &query.format).await?))
}

/// # `GET /api/v1/orgs/{org_id}/classes/{class_id}/reach`
/// A class's students and parents joined, and the students with no parent joined, by
/// name (the class teacher, the administration).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/classes/{class_id}/reach", tag = "statistics", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("class_id" = i64, Path)),
    responses((status = 200, body = ClassReachDetail), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn class_reach(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, class)): Path<(i64, i64)>,
) -> Result<Json<ClassReachDetail>> {
    Ok(Json(statistics::class(&state, &actor, OrgId(org), ClassId(class)).await?))
}

/// # `GET /api/v1/authorities`
/// Education authorities: every one for the operator, one's own for a curator, none for anyone else.
#[utoipa::path(get, path = "/api/v1/authorities", tag = "statistics", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = [Authority]), (status = 401, body = Problem)))]
async fn authorities_list(State(state): State<AppState>, actor: Actor) -> Result<Json<Vec<Authority>>> {
    Ok(Json(authorities::list(&state, &actor).await?))
}

/// # `POST /api/v1/authorities`
/// Creates an education authority («управление образования») (the operator).
#[utoipa::path(post, path = "/api/v1/authorities", tag = "statistics", security(("bearer" = []), ("cookie" = [])),
    request_body = AuthorityRequest,
    responses((status = 201, body = Authority), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn authorities_create(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(body): AppJson<AuthorityRequest>,
) -> Result<(StatusCode, Json<Authority>)> {
    Ok((StatusCode::CREATED, Json(authorities::create(&state, &actor, &body).await?)))
}

/// # `PUT /api/v1/authorities/{authority_id}/schools/{org_id}`
/// Attaches a school to the authority (moving it from another) (the operator).
#[utoipa::path(put, path = "/api/v1/authorities/{authority_id}/schools/{org_id}", tag = "statistics", security(("bearer" = []), ("cookie" = [])),
    params(("authority_id" = i64, Path), ("org_id" = i64, Path)),
    responses((status = 200, body = Authority), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn authority_school_attach(
    State(state): State<AppState>,
    actor: Actor,
    Path((authority, org)): Path<(i64, i64)>,
) -> Result<Json<Authority>> {
    Ok(Json(authorities::attach(&state, &actor, AuthorityId(authority), OrgId(org)).await?))
}

/// # `DELETE /api/v1/authorities/{authority_id}/schools/{org_id}`
/// Detaches a school from the authority (the operator).
#[utoipa::path(delete, path = "/api/v1/authorities/{authority_id}/schools/{org_id}", tag = "statistics", security(("bearer" = []), ("cookie" = [])),
    params(("authority_id" = i64, Path), ("org_id" = i64, Path)),
    responses((status = 200, body = Authority), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn authority_school_detach(
    State(state): State<AppState>,
    actor: Actor,
    Path((authority, org)): Path<(i64, i64)>,
) -> Result<Json<Authority>> {
    Ok(Json(authorities::detach(&state, &actor, AuthorityId(authority), OrgId(org)).await?))
}

/// # `POST /api/v1/authorities/{authority_id}/curators`
/// Adds a curator («муниципальный куратор»): the account with the e-mail, or a new one
/// with a one-time code to set its password (the operator).
#[utoipa::path(post, path = "/api/v1/authorities/{authority_id}/curators", tag = "statistics", security(("bearer" = []), ("cookie" = [])),
    params(("authority_id" = i64, Path)), request_body = CuratorRequest,
    responses((status = 201, body = CuratorAdded), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn authority_curator_add(
    State(state): State<AppState>,
    actor: Actor,
    Path(authority): Path<i64>,
    AppJson(body): AppJson<CuratorRequest>,
) -> Result<(StatusCode, Json<CuratorAdded>)> {
    Ok((StatusCode::CREATED, Json(authorities::add_curator(&state, &actor, AuthorityId(authority), &body).await?)))
}

/// # `DELETE /api/v1/authorities/{authority_id}/curators/{user_id}`
/// Removes a curator from the authority (the operator).
#[utoipa::path(delete, path = "/api/v1/authorities/{authority_id}/curators/{user_id}", tag = "statistics", security(("bearer" = []), ("cookie" = [])),
    params(("authority_id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 200, body = Authority), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn authority_curator_remove(
    State(state): State<AppState>,
    actor: Actor,
    Path((authority, user)): Path<(i64, i64)>,
) -> Result<Json<Authority>> {
    Ok(Json(authorities::remove_curator(&state, &actor, AuthorityId(authority), UserId(user)).await?))
}

/// # `GET /api/v1/authorities/{authority_id}/statistics`
/// The authority's schools side by side on the same measures, counts only (its curators, the operator).
#[utoipa::path(get, path = "/api/v1/authorities/{authority_id}/statistics", tag = "statistics", security(("bearer" = []), ("cookie" = [])),
    params(("authority_id" = i64, Path), PeriodQuery),
    responses((status = 200, body = AuthorityStatistics), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn authority_statistics(
    State(state): State<AppState>,
    actor: Actor,
    Path(authority): Path<i64>,
    Query(query): Query<PeriodQuery>,
) -> Result<Json<AuthorityStatistics>> {
    Ok(Json(authorities::statistics(&state, &actor, AuthorityId(authority), query.period.as_deref()).await?))
}

/// # `GET /api/v1/authorities/{authority_id}/statistics/export`
/// The comparison as XLSX (a sheet for the period, one for the days before) or CSV.
#[utoipa::path(get, path = "/api/v1/authorities/{authority_id}/statistics/export", tag = "statistics", security(("bearer" = []), ("cookie" = [])),
    params(("authority_id" = i64, Path), ExportQuery),
    responses((status = 200, description = "The file", content_type = "application/octet-stream", body = Vec<u8>), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn authority_statistics_export(
    State(state): State<AppState>,
    actor: Actor,
    Path(authority): Path<i64>,
    Query(query): Query<ExportQuery>,
) -> Result<axum::response::Response> {
    let file =
        authorities::statistics_file(&state, &actor, AuthorityId(authority), query.period.as_deref(), &query.format);
    Ok(download(file.await?))
}

/// # `GET /api/v1/statistics`
/// The platform in aggregate: schools, people by group, active people (the operator).
#[utoipa::path(get, path = "/api/v1/statistics", tag = "statistics", security(("bearer" = []), ("cookie" = [])),
    params(PeriodQuery),
    responses((status = 200, body = PlatformStatistics), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn platform_statistics(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<PeriodQuery>,
) -> Result<Json<PlatformStatistics>> {
    Ok(Json(authorities::platform_statistics(&state, &actor, query.period.as_deref()).await?))
}
