//! The HTTP API under `/api/v1`. One file per resource; each handler parses the
//! request, calls one action and renders its result. Handlers never check
//! permissions and never write: actions do. The OpenAPI document is generated
//! from the `#[utoipa::path]` headers here.

pub mod accounts;
pub mod applications;
pub mod audit;
pub mod calendar;
pub mod calls;
pub mod chat_import;
pub mod chats;
pub mod compliance;
pub mod distance;
pub mod files;
pub mod groups;
pub mod invites;
pub mod journal;
pub mod marks;
pub mod members;
pub mod notifications;
pub mod oidc;
pub mod overrides;
pub mod personal_data;
pub mod profile;
pub mod push;
pub mod regulations;
pub mod roster;
pub mod school_year;
pub mod schools;
pub mod statistics;
pub mod submissions;
pub mod system;
pub mod teaching;
pub mod upload;
pub mod webhooks;
pub mod year_transition;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use parta_domain::validate::FieldError;
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::error::Error;
use crate::state::AppState;

/// JSON body extractor whose failures are problem documents: wrong content type
/// → 415, over the size limit → 413, not JSON → 400, wrong shape → 422.
pub struct AppJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for AppJson<T> {
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<AppJson<T>, Error> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(AppJson(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(Error::UnsupportedMediaType),
            Err(JsonRejection::JsonSyntaxError(_)) => Err(Error::BadRequest("malformed_body")),
            Err(JsonRejection::JsonDataError(error)) => Err(shape_error(&error.body_text())),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(Error::PayloadTooLarge),
            Err(_) => Err(Error::BadRequest("bad_request")),
        }
    }
}

/// Names the field serde complained about, when it says which.
fn shape_error(message: &str) -> Error {
    if let Some(rest) = message.split("missing field `").nth(1)
        && let Some(field) = rest.split('`').next()
    {
        return Error::Validation(vec![FieldError::new(field, "required")]);
    }
    let field = message
        .split(": ")
        .nth(1)
        .and_then(|path| path.split(':').next())
        .filter(|path| !path.is_empty() && !path.contains(' '))
        .unwrap_or("body");
    Error::Validation(vec![FieldError::new(field, "invalid_value")])
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Parta API",
        description = "Школьная платформа: справочник школы, приглашения, учётные записи.\n\n\
            Errors are RFC 9457 problem documents with a stable `code`. Sign in with \
            `POST /api/v1/auth/login`; send the token as `Authorization: Bearer …`, or use the \
            session cookie and echo `csrf_token` in `X-CSRF-Token` on every change."
    ),
    modifiers(&Security),
    // The WebSocket at /api/v1/ws speaks these frames; listed here so clients can generate them too.
    components(schemas(
        parta_protocol::Problem,
        parta_protocol::FieldProblem,
        parta_protocol::ServerFrame,
        parta_protocol::ClientFrame,
        parta_protocol::ChatEvent,
        parta_protocol::UserEvent,
        parta_protocol::ChatPosition
    ))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::SESSION_COOKIE))),
        );
    }
}

/// Every API route with its OpenAPI description.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(accounts::routes())
        .merge(profile::routes())
        .merge(oidc::routes())
        .merge(applications::routes())
        .merge(schools::routes())
        .merge(school_year::routes())
        .merge(teaching::routes())
        .merge(overrides::routes())
        .merge(journal::routes())
        .merge(marks::routes())
        .merge(regulations::routes())
        .merge(compliance::routes())
        .merge(distance::routes())
        .merge(year_transition::routes())
        .merge(statistics::routes())
        .merge(submissions::routes())
        .merge(calendar::routes())
        .merge(invites::routes())
        .merge(members::routes())
        .merge(audit::routes())
        .merge(notifications::routes())
        .merge(push::routes())
        .merge(personal_data::routes())
        .merge(roster::routes())
        .merge(chat_import::routes())
        .merge(webhooks::routes())
        .merge(chats::routes())
        .merge(groups::routes())
        .merge(calls::routes())
        .merge(files::routes())
}
