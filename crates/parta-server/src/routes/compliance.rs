use axum::Json;
use axum::extract::{Path, Query, State};
use parta_domain::{ClassId, OrgId, UserId};
use parta_protocol::{ComplianceReport, Problem};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::journal::download;
use crate::actions::compliance;
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(compliance_get)).routes(routes!(compliance_export))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ReportQuery {
    /// `YYYY-MM-DD`, the first day.
    from: String,
    /// `YYYY-MM-DD`, the last day (at most 400 days after the first).
    to: String,
    /// List the lessons of this teacher only.
    teacher_id: Option<i64>,
    /// List the lessons and days of this class only.
    class_id: Option<i64>,
}

impl ReportQuery {
    fn query(&self) -> compliance::Query<'_> {
        compliance::Query {
            from: &self.from,
            to: &self.to,
            teacher: self.teacher_id.map(UserId),
            class: self.class_id.map(ClassId),
        }
    }
}

/// # `GET /api/v1/orgs/{org_id}/compliance`
/// The regulations' compliance report over a range of days, by teacher, class and week, with the lessons behind it (the administration).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/compliance", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ReportQuery),
    responses((status = 200, body = ComplianceReport), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn compliance_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    Query(query): Query<ReportQuery>,
) -> Result<Json<ComplianceReport>> {
    Ok(Json(compliance::compliance(&state, &actor, OrgId(org), &query.query()).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ExportQuery {
    /// `YYYY-MM-DD`, the first day.
    from: String,
    /// `YYYY-MM-DD`, the last day.
    to: String,
    /// `xlsx` or `csv`.
    format: String,
}

/// # `GET /api/v1/orgs/{org_id}/compliance/export`
/// The compliance report as XLSX (a sheet each: teachers, classes, weeks, lessons, heavy days) or CSV (the administration).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/compliance/export", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ExportQuery),
    responses((status = 200, description = "The file", content_type = "application/octet-stream", body = Vec<u8>), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn compliance_export(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    Query(query): Query<ExportQuery>,
) -> Result<axum::response::Response> {
    let q = compliance::Query { from: &query.from, to: &query.to, teacher: None, class: None };
    Ok(download(compliance::compliance_file(&state, &actor, OrgId(org), &q, &query.format).await?))
}
