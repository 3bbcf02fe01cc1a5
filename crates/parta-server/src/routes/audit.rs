use axum::Json;
use axum::extract::{Path, Query, State};
use parta_domain::OrgId;
use parta_protocol::{AuditEntry, Problem};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::actions::audit;
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit_school)).routes(routes!(audit_platform))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct Page {
    /// Entries older than this id (the last id of the previous page).
    before_id: Option<i64>,
    /// 1 to 200, default 50.
    limit: Option<i64>,
}

/// # `GET /api/v1/orgs/{org_id}/audit`
/// The school's audit log, newest first (admins; the operator).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/audit", tag = "audit", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), Page), responses((status = 200, body = [AuditEntry]), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn audit_school(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    Query(page): Query<Page>,
) -> Result<Json<Vec<AuditEntry>>> {
    Ok(Json(audit::school_log(&state, &actor, OrgId(org), page.before_id, page.limit).await?))
}

/// # `GET /api/v1/audit`
/// The whole platform's audit log, newest first (operator).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = []), ("cookie" = [])),
    params(Page), responses((status = 200, body = [AuditEntry]), (status = 403, body = Problem)))]
async fn audit_platform(
    State(state): State<AppState>,
    actor: Actor,
    Query(page): Query<Page>,
) -> Result<Json<Vec<AuditEntry>>> {
    Ok(Json(audit::platform_log(&state, &actor, page.before_id, page.limit).await?))
}
