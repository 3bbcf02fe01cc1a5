//! The one error type of actions and routes, and the middleware that renders every
//! failed response — ours or the framework's — as RFC 9457 problem+json in the
//! reader's language. Internal causes are logged, never sent.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use parta_domain::validate::FieldError;
use parta_protocol::{FieldProblem, Problem};

use crate::i18n::{self, Lang};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("validation failed: {0:?}")]
    Validation(Vec<FieldError>),
    /// Absent, or present but private to others: the same answer for both.
    #[error("not found")]
    NotFound,
    /// The object is visible to this person, the action is not theirs to take.
    /// Not found, with a more specific code (an unknown invite link).
    #[error("not found: {0}")]
    Missing(&'static str),
    #[error("forbidden")]
    Forbidden,
    /// Not allowed right now, for a reason the code names (muted in a chat).
    #[error("refused: {0}")]
    Refused(&'static str),
    #[error("not signed in")]
    Unauthenticated,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("too many attempts")]
    TooManyAttempts,
    /// A per-person limit (messages a minute); the code says which.
    #[error("rate limited: {0}")]
    RateLimited(&'static str),
    #[error("missing or wrong CSRF token")]
    CsrfFailed,
    /// The request contradicts the current state; the code says how.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The thing existed and can no longer be used (an expired link).
    #[error("gone: {0}")]
    Gone(&'static str),
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    PayloadTooLarge,
    /// Too much of a bounded kind of work is waiting (password checks): try again shortly.
    #[error("busy")]
    Busy,
    /// A service outside that the request needs failed (the SMS gateway): try later.
    #[error("unavailable: {0}")]
    Unavailable(&'static str),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("internal: {0:#}")]
    Internal(#[from] anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<FieldError> for Error {
    fn from(error: FieldError) -> Error {
        Error::Validation(vec![error])
    }
}

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Error::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::NotFound | Error::Missing(_) => StatusCode::NOT_FOUND,
            Error::Forbidden | Error::CsrfFailed | Error::Refused(_) => StatusCode::FORBIDDEN,
            Error::Unauthenticated | Error::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Error::TooManyAttempts | Error::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::Gone(_) => StatusCode::GONE,
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Busy | Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Database(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Error::Validation(_) => "validation_failed",
            Error::NotFound => "not_found",
            Error::Forbidden => "forbidden",
            Error::Unauthenticated => "unauthenticated",
            Error::InvalidCredentials => "invalid_credentials",
            Error::TooManyAttempts => "too_many_attempts",
            Error::CsrfFailed => "csrf_failed",
            Error::Missing(code)
            | Error::Refused(code)
            | Error::RateLimited(code)
            | Error::Conflict(code)
            | Error::Gone(code)
            | Error::BadRequest(code)
            | Error::Unavailable(code) => code,
            Error::UnsupportedMediaType => "unsupported_media_type",
            Error::PayloadTooLarge => "payload_too_large",
            Error::Busy => "server_busy",
            Error::Database(_) | Error::Internal(_) => "internal",
        }
    }

    pub fn field(field: &str, code: &'static str) -> Error {
        Error::Validation(vec![FieldError::new(field, code)])
    }
}

/// What a failed response carries until the problem layer renders it.
#[derive(Debug, Clone)]
struct ProblemSpec {
    code: &'static str,
    fields: Vec<FieldError>,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if matches!(self, Error::Database(_) | Error::Internal(_)) {
            tracing::error!(error = %self, "request failed");
        }
        let status = self.status();
        let code = self.code();
        let retry_after = match self {
            Error::Busy => Some("1"),
            Error::TooManyAttempts => Some("900"),
            _ => None,
        };
        let fields = match self {
            Error::Validation(fields) => fields,
            _ => Vec::new(),
        };
        let mut response = status.into_response();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static(seconds));
        }
        response.extensions_mut().insert(ProblemSpec { code, fields });
        response
    }
}

/// Renders every response with an error status as problem+json, in Russian unless
/// the request prefers English. Framework answers (unknown route, wrong method,
/// body over the limit) get the same shape as ours.
pub async fn problem_layer(request: Request, next: Next) -> Response {
    let lang = Lang::from_headers(request.headers());
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    if let Some(spec) = response.extensions().get::<ProblemSpec>().cloned() {
        return render(status, spec.code, &spec.fields, lang, response.headers());
    }
    if is_problem(response.headers()) {
        return response;
    }
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_body",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        status if status.is_server_error() => "internal",
        _ => "bad_request",
    };
    render(status, code, &[], lang, response.headers())
}

fn is_problem(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"))
}

fn render(status: StatusCode, code: &str, fields: &[FieldError], lang: Lang, headers: &HeaderMap) -> Response {
    let problem = Problem {
        type_uri: format!("https://parta.example/problems/{}", code.replace('_', "-")),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail: i18n::problem_detail(code, lang).to_owned(),
        code: code.to_owned(),
        errors: fields
            .iter()
            .map(|f| FieldProblem {
                field: f.field.clone(),
                code: f.code.to_owned(),
                detail: i18n::field_detail(f.code, lang).to_owned(),
            })
            .collect(),
    };
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let mut response = (status, body).into_response();
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    out.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.tag()));
    // Keep headers that matter to clients (Retry-After, Allow, WWW-Authenticate).
    for name in [header::RETRY_AFTER, header::ALLOW, header::WWW_AUTHENTICATE] {
        if let Some(value) = headers.get(&name) {
            out.insert(name, value.clone());
        }
    }
    response
}
