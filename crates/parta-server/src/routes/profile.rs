//! A person's own profile — name, language, e-mail and phone confirmed by a code,
//! photo — and a school admin's correction of a member's name.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use parta_domain::profile::ContactKind;
use parta_domain::{OrgId, UserId};
use parta_protocol::{
    ConfirmContactRequest, ContactChangePending, EmailChangeRequest, LanguageRequest, Me, Member, NameRequest,
    PhoneChangeRequest, Problem,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::profile;
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me_name))
        .routes(routes!(me_language))
        .routes(routes!(me_email))
        .routes(routes!(me_email_confirm))
        .routes(routes!(me_phone))
        .routes(routes!(me_phone_confirm))
        .routes(routes!(me_photo_put, me_photo_delete))
        .routes(routes!(users_photo))
        .routes(routes!(members_name))
}

/// # `PUT /api/v1/me/name`
/// Changes one's own name. Refused (403 `names_locked`) while a school of theirs keeps
/// names to its register («ФИО только по списку школы»): its admins correct them.
#[utoipa::path(put, path = "/api/v1/me/name", tag = "profile", security(("bearer" = []), ("cookie" = [])),
    request_body = NameRequest,
    responses((status = 200, body = Me), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn me_name(State(state): State<AppState>, actor: Actor, AppJson(body): AppJson<NameRequest>) -> Result<Json<Me>> {
    Ok(Json(profile::rename_self(&state, &actor, &body).await?))
}

/// # `PUT /api/v1/me/language`
/// Sets one's language (`ru` or `en`): the web client's, and that of one's letters.
#[utoipa::path(put, path = "/api/v1/me/language", tag = "profile", security(("bearer" = []), ("cookie" = [])),
    request_body = LanguageRequest, responses((status = 200, body = Me), (status = 422, body = Problem)))]
async fn me_language(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(body): AppJson<LanguageRequest>,
) -> Result<Json<Me>> {
    Ok(Json(profile::set_language(&state, &actor, &body.language).await?))
}

/// # `POST /api/v1/me/email`
/// Asks to change one's e-mail (with the current password): a six-digit code goes to
/// the new address, valid 15 minutes; the old address stays until it is confirmed.
/// A few requests an hour (429 `contact_change_limit`).
#[utoipa::path(post, path = "/api/v1/me/email", tag = "profile", security(("bearer" = []), ("cookie" = [])),
    request_body = EmailChangeRequest,
    responses((status = 202, body = ContactChangePending), (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn me_email(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(body): AppJson<EmailChangeRequest>,
) -> Result<(StatusCode, Json<ContactChangePending>)> {
    let pending = profile::request_email_change(&state, &actor, &body.email, &body.current_password).await?;
    Ok((StatusCode::ACCEPTED, Json(pending)))
}

/// # `POST /api/v1/me/email/confirm`
/// Confirms the new e-mail with its code: it replaces the old one, which is told in a
/// letter. A wrong code is
/// 422 (`code`: `wrong_code`); the fifth wrong one 429 `code_attempts_exhausted`; past
/// 15 minutes 410 `code_expired`; nothing waiting 409 `no_pending_change`; an address
/// another account has 409 `email_taken`.
#[utoipa::path(post, path = "/api/v1/me/email/confirm", tag = "profile", security(("bearer" = []), ("cookie" = [])),
    request_body = ConfirmContactRequest,
    responses((status = 200, body = Me), (status = 409, body = Problem), (status = 410, body = Problem),
        (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn me_email_confirm(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(body): AppJson<ConfirmContactRequest>,
) -> Result<Json<Me>> {
    Ok(Json(profile::confirm_contact(&state, &actor, ContactKind::Email, &body.code).await?))
}

/// # `POST /api/v1/me/phone`
/// Asks to change one's phone: a code by SMS. Where the server has no SMS gateway the
/// answer is 409 `sms_not_configured` (no code is made).
#[utoipa::path(post, path = "/api/v1/me/phone", tag = "profile", security(("bearer" = []), ("cookie" = [])),
    request_body = PhoneChangeRequest,
    responses((status = 202, body = ContactChangePending), (status = 409, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
async fn me_phone(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(body): AppJson<PhoneChangeRequest>,
) -> Result<(StatusCode, Json<ContactChangePending>)> {
    let pending = profile::request_phone_change(&state, &actor, &body.phone).await?;
    Ok((StatusCode::ACCEPTED, Json(pending)))
}

/// # `POST /api/v1/me/phone/confirm`
/// Confirms the new phone with its code, as the e-mail's (409 `phone_taken`).
#[utoipa::path(post, path = "/api/v1/me/phone/confirm", tag = "profile", security(("bearer" = []), ("cookie" = [])),
    request_body = ConfirmContactRequest,
    responses((status = 200, body = Me), (status = 409, body = Problem), (status = 410, body = Problem),
        (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn me_phone_confirm(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(body): AppJson<ConfirmContactRequest>,
) -> Result<Json<Me>> {
    Ok(Json(profile::confirm_contact(&state, &actor, ContactKind::Phone, &body.code).await?))
}

/// # `PUT /api/v1/me/photo`
/// Sets one's photo: the image as the body (JPEG, PNG, GIF or WebP) or as the part
/// `file` of a form. Its centre square is kept at 256 × 256 as a new JPEG, without any
/// of the upload's metadata. 422 for what is not an image or is too large to decode.
#[utoipa::path(put, path = "/api/v1/me/photo", tag = "profile", security(("bearer" = []), ("cookie" = [])),
    request_body(content = String, content_type = "image/jpeg", description = "the image, or multipart part `file`"),
    responses((status = 200, body = Me), (status = 413, body = Problem), (status = 422, body = Problem),
        (status = 503, body = Problem)))]
async fn me_photo_put(State(state): State<AppState>, actor: Actor, request: Request) -> Result<Json<Me>> {
    let bytes = if super::upload::is_multipart(request.headers()) {
        super::upload::read_form(&state, request, "file", state.settings.max_upload_bytes).await?.file.map(|f| f.bytes)
    } else {
        Some(Bytes::from_request(request, &state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Error::PayloadTooLarge
            } else {
                Error::BadRequest("bad_request")
            }
        })?)
    };
    Ok(Json(profile::set_photo(&state, &actor, bytes).await?))
}

/// # `DELETE /api/v1/me/photo`
/// Removes one's photo.
#[utoipa::path(delete, path = "/api/v1/me/photo", tag = "profile", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = Me)))]
async fn me_photo_delete(State(state): State<AppState>, actor: Actor) -> Result<Json<Me>> {
    Ok(Json(profile::delete_photo(&state, &actor).await?))
}

/// # `GET /api/v1/users/{user_id}/photo`
/// A person's photo (JPEG), for themselves and for who shares a school with them; 404
/// for anyone else and for a person without one.
#[utoipa::path(get, path = "/api/v1/users/{user_id}/photo", tag = "profile", security(("bearer" = []), ("cookie" = [])),
    params(("user_id" = i64, Path)),
    responses((status = 200, content_type = "image/jpeg", body = String, description = "The photo (binary)"),
        (status = 404, body = Problem)))]
async fn users_photo(State(state): State<AppState>, actor: Actor, Path(user): Path<i64>) -> Result<Response> {
    // A new photo has a new URL (`Me.photo_url`).
    Ok(super::files::inline_jpeg(profile::photo(&state, &actor, UserId(user)).await?))
}

/// # `PUT /api/v1/orgs/{org_id}/members/{user_id}/name`
/// Corrects a member's name in the school's register («Исправить ФИО»; the admins),
/// audited with the name before and after. The person's devices are told.
#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/members/{user_id}/name", tag = "members", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("user_id" = i64, Path)), request_body = NameRequest,
    responses((status = 200, body = Member), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn members_name(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, user)): Path<(i64, i64)>,
    AppJson(body): AppJson<NameRequest>,
) -> Result<Json<Member>> {
    Ok(Json(profile::correct_name(&state, &actor, OrgId(org), UserId(user), &body).await?))
}
