use axum::Json;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use parta_domain::ApplicationId;
use parta_protocol::{
    Application, ApplicationApproved, ApplicationForm, ApplicationReceived, CreatedInvite, Problem,
    RejectApplicationRequest,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::applications::{self, Upload};
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(applications_list, applications_submit))
        .routes(routes!(applications_get))
        .routes(routes!(applications_order))
        .routes(routes!(applications_approve))
        .routes(routes!(applications_reject))
        .routes(routes!(applications_admin_invite))
}

/// The multipart limit: the file's limit plus room for the text fields.
pub fn upload_limit(state: &AppState) -> DefaultBodyLimit {
    DefaultBodyLimit::max(state.settings.max_upload_bytes + 64 * 1024)
}

pub(crate) fn multipart_error(error: axum::extract::multipart::MultipartError) -> Error {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Error::PayloadTooLarge
    } else {
        Error::BadRequest("multipart_invalid")
    }
}

/// # `POST /api/v1/applications`
/// Submits a school application as `multipart/form-data`: the text fields of
/// `ApplicationForm` and the director's order as the file part `order` (PDF, PNG or
/// JPEG, at most 10 MiB). No account needed.
#[utoipa::path(post, path = "/api/v1/applications", tag = "applications",
    request_body(content = ApplicationForm, content_type = "multipart/form-data"),
    responses((status = 201, body = ApplicationReceived), (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, body = Problem)))]
async fn applications_submit(
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> Result<impl IntoResponse> {
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(Error::UnsupportedMediaType);
    }
    let mut multipart = <Multipart as axum::extract::FromRequest<AppState>>::from_request(request, &state)
        .await
        .map_err(|_| Error::BadRequest("multipart_invalid"))?;
    let mut text = std::collections::HashMap::<String, String>::new();
    let mut order = None;
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "order" {
            let file_name = field.file_name().unwrap_or("order").to_owned();
            let bytes = field.bytes().await.map_err(multipart_error)?;
            if bytes.len() > state.settings.max_upload_bytes {
                return Err(Error::PayloadTooLarge);
            }
            order = Some(Upload { file_name, bytes: bytes.to_vec() });
        } else if !name.is_empty() {
            let value = field.text().await.map_err(multipart_error)?;
            if value.len() > 4096 {
                return Err(Error::field(&name, "too_long"));
            }
            text.insert(name, value);
        }
    }
    let mut take = |name: &str| text.remove(name).unwrap_or_default();
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
        order: String::new(),
    };
    let received = applications::submit(&state, &form, order).await?;
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
    let (file, handle) = applications::order_file(&state, &actor, ApplicationId(id)).await?;
    super::files::attachment(file, handle, &headers).await
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
