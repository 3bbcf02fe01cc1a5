use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use parta_domain::ApplicationId;
use parta_protocol::{
    AdminContactsRequest, Application, ApplicationApproved, ApplicationForm, ApplicationReceived, CreatedInvite,
    Problem, RejectApplicationRequest,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::applications::{self};
use crate::auth::{Actor, ClientInfo};
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(applications_list, applications_submit))
        .routes(routes!(applications_get))
        .routes(routes!(applications_order))
        .routes(routes!(applications_approve))
        .routes(routes!(applications_reject))
        .routes(routes!(applications_admin_invite))
        .routes(routes!(applications_admin_contacts))
}

/// # `POST /api/v1/applications`
/// Submits a school application as `multipart/form-data`: the text fields of
/// `ApplicationForm` and the director's order as the file part `order` (PDF, PNG or
/// JPEG, at most 10 MiB). No account needed; at most 20 an hour from one address (429).
#[utoipa::path(post, path = "/api/v1/applications", tag = "applications",
    request_body(content = ApplicationForm, content_type = "multipart/form-data"),
    responses((status = 201, body = ApplicationReceived), (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn applications_submit(
    State(state): State<AppState>,
    client: ClientInfo,
    request: axum::extract::Request,
) -> Result<impl IntoResponse> {
    applications::count_submission(&state, &client).await?;
    let mut upload = super::upload::read_form(&state, request, "order", state.settings.max_upload_bytes).await?;
    let mut take = |name: &str| upload.take(name);
    let form = ApplicationForm {
        school_name: take("school_name"),
        short_name: take("short_name"),
        address: take("address"),
        inn: take("inn"),
        ogrn: take("ogrn"),
        region: take("region"),
        time_zone: take("time_zone"),
        admin_family_name: take("admin_family_name"),
        admin_given_name: take("admin_given_name"),
        admin_patronymic: Some(take("admin_patronymic")),
        admin_email: take("admin_email"),
        admin_phone: take("admin_phone"),
        authority: Some(take("authority")),
        order: String::new(),
    };
    let received = applications::submit(&state, &form, upload.file).await?;
    Ok((StatusCode::CREATED, Json(received)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct StatusFilter {
    /// `pending`, `approved` or `rejected`; all when absent.
    status: Option<String>,
}

/// # `GET /api/v1/applications`
/// School applications, newest first (operator).
#[utoipa::path(get, path = "/api/v1/applications", tag = "applications", security(("bearer" = []), ("cookie" = [])),
    params(StatusFilter), responses((status = 200, body = [Application]), (status = 403, body = Problem)))]
async fn applications_list(
    State(state): State<AppState>,
    actor: Actor,
    Query(filter): Query<StatusFilter>,
) -> Result<Json<Vec<Application>>> {
    Ok(Json(applications::list(&state, &actor, filter.status.as_deref()).await?))
}

/// # `GET /api/v1/applications/{application_id}`
#[utoipa::path(get, path = "/api/v1/applications/{application_id}", tag = "applications", security(("bearer" = []), ("cookie" = [])),
    params(("application_id" = i64, Path)), responses((status = 200, body = Application), (status = 404, body = Problem)))]
async fn applications_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> Result<Json<Application>> {
    Ok(Json(applications::get(&state, &actor, ApplicationId(id)).await?))
}

/// # `GET /api/v1/applications/{application_id}/order`
/// The attached director's order, as a download (operator).
#[utoipa::path(get, path = "/api/v1/applications/{application_id}/order", tag = "applications", security(("bearer" = []), ("cookie" = [])),
    params(("application_id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = String, description = "The file (binary)"), (status = 404, body = Problem)))]
async fn applications_order(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
) -> Result<Response> {
    let file = applications::order_file(&state, &actor, ApplicationId(id)).await?;
    super::files::attachment(&state, file, &headers).await
}

/// # `POST /api/v1/applications/{application_id}/approve`
/// Creates the school with «Учительская» and returns the one-time link for its first admin.
#[utoipa::path(post, path = "/api/v1/applications/{application_id}/approve", tag = "applications", security(("bearer" = []), ("cookie" = [])),
    params(("application_id" = i64, Path)),
    responses((status = 200, body = ApplicationApproved), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn applications_approve(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> Result<Json<ApplicationApproved>> {
    Ok(Json(applications::approve(&state, &actor, ApplicationId(id)).await?))
}

/// # `POST /api/v1/applications/{application_id}/reject`
#[utoipa::path(post, path = "/api/v1/applications/{application_id}/reject", tag = "applications", security(("bearer" = []), ("cookie" = [])),
    params(("application_id" = i64, Path)), request_body = RejectApplicationRequest,
    responses((status = 200, body = Application), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn applications_reject(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    AppJson(body): AppJson<RejectApplicationRequest>,
) -> Result<Json<Application>> {
    Ok(Json(applications::reject(&state, &actor, ApplicationId(id), &body.reason).await?))
}

/// # `PUT /api/v1/applications/{application_id}/admin-contacts`
/// Corrects the first admin's e-mail and phone and issues a new link bound to them,
/// while no admin has joined yet (the operator); earlier links stop working.
#[utoipa::path(put, path = "/api/v1/applications/{application_id}/admin-contacts", tag = "applications", security(("bearer" = []), ("cookie" = [])),
    params(("application_id" = i64, Path)), request_body = AdminContactsRequest,
    responses((status = 201, body = CreatedInvite), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn applications_admin_contacts(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    AppJson(body): AppJson<AdminContactsRequest>,
) -> Result<(StatusCode, Json<CreatedInvite>)> {
    Ok((StatusCode::CREATED, Json(applications::set_admin_contacts(&state, &actor, ApplicationId(id), &body).await?)))
}

/// # `POST /api/v1/applications/{application_id}/admin-invite`
/// A new one-time link for the first admin of an approved school, while no admin has
/// joined yet; earlier unused links stop working.
#[utoipa::path(post, path = "/api/v1/applications/{application_id}/admin-invite", tag = "applications", security(("bearer" = []), ("cookie" = [])),
    params(("application_id" = i64, Path)),
    responses((status = 201, body = CreatedInvite), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn applications_admin_invite(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<CreatedInvite>)> {
    Ok((StatusCode::CREATED, Json(applications::reissue_admin_invite(&state, &actor, ApplicationId(id)).await?)))
}
