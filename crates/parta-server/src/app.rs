//! The whole HTTP surface as one `Router`, which tests drive without a socket.

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{Error, problem_layer};
use crate::routes;
use crate::routes::system;
use crate::state::AppState;

pub fn app(state: AppState) -> Router {
    // Install the metrics recorder now: counters recorded before it exists are lost,
    // so waiting for the first scrape would miss every request until then.
    system::metrics_handle();
    let (api, openapi) = routes::api().split_for_parts();
    let web_dir = state.settings.web_dir.clone();
    let router = Router::new()
        .merge(api)
        .route("/api/v1/ws", get(crate::gateway::ws_connect))
        .route("/healthz", get(system::healthz))
        .route("/readyz", get(system::readyz))
        .route("/metrics", get(system::metrics_endpoint))
        .route_layer(middleware::from_fn(system::track))
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi));
    // A client directory given at start wins (for working on the client); otherwise the
    // client built into the binary; a binary built before the client shows how to build it.
    let router = match web_dir {
        Some(dir) => router.fallback(move |request: Request| serve_web(dir.clone(), request)),
        None if crate::web_assets::embedded() => router.fallback(serve_embedded),
        None => router.route("/", get(landing)).route("/landing.css", get(landing_css)).fallback(not_found),
    };
    router
        .layer(middleware::from_fn_with_state(state.clone(), body_limit))
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn(problem_layer))
        .layer(middleware::from_fn(security_headers))
        .layer(CatchPanicLayer::new())
        .with_state(state)
}

async fn not_found() -> Error {
    Error::NotFound
}

/// The web client: its files, and `index.html` for every other page path so that
/// client-side routes (`/join/…`, `/admin/…`) load the app. Unknown API paths stay 404.
async fn serve_web(dir: std::path::PathBuf, request: Request) -> Response {
    let path = request.uri().path();
    if path.starts_with("/api/") || path == "/api" {
        return Error::NotFound.into_response();
    }
    let index = dir.join("index.html");
    let service = tower_http::services::ServeDir::new(&dir).fallback(tower_http::services::ServeFile::new(index));
    match tower::ServiceExt::oneshot(service, request).await {
        Ok(response) => response.map(Body::new),
        Err(error) => match error {},
    }
}

async fn serve_embedded(request: Request) -> Response {
    let path = request.uri().path();
    if path.starts_with("/api/") || path == "/api" || request.method() != axum::http::Method::GET {
        return Error::NotFound.into_response();
    }
    crate::web_assets::serve(path)
}

/// Caps every request body: uploads by the file limit, everything else by the JSON
/// limit. Reading past the cap fails the extractor with 413.
async fn body_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let is_multipart = crate::routes::upload::is_multipart(request.headers());
    // An anonymous school application carries the director's order, no chat file:
    // it is capped at the order's limit before anything of it is read.
    let largest_file = if request.uri().path() == "/api/v1/applications" {
        state.settings.max_upload_bytes
    } else {
        state.settings.max_upload_bytes.max(state.settings.max_file_bytes)
    };
    // A profile photo may come as the raw image, capped at the upload limit.
    let raw_photo = request.uri().path() == "/api/v1/me/photo" && request.method() == axum::http::Method::PUT;
    let roster = crate::routes::roster::is_import(request.uri().path());
    let chat_import = crate::routes::chat_import::is_upload(request.uri().path());
    let limit = if roster {
        crate::actions::roster::MAX_BUNDLE_BYTES + 64 * 1024
    } else if chat_import {
        crate::chat_import::bundle::UPLOAD_LIMIT as usize + 64 * 1024
    } else if is_multipart {
        largest_file + 64 * 1024
    } else if raw_photo {
        state.settings.max_upload_bytes
    } else {
        state.settings.max_json_bytes
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Error::PayloadTooLarge.into_response();
    }
    let request = request.map(|body| Body::new(http_body_util::Limited::new(body, limit)));
    next.run(request).await
}

/// The Content-Security-Policy of the web client and of every API answer. Same origin
/// only, no inline script or style, no plugins, no `<base>`, never framed. What goes
/// beyond `'self'`, and why:
/// - `img-src data:` — invite QR codes are drawn as `data:image/png` (qrcode's
///   `toDataURL`). No `blob:`: the client makes no object URLs.
///
/// Not needed, so not allowed: `'unsafe-inline'` for scripts (the Vite build emits only
/// `<script type="module" src>`, its modulepreload polyfill sits inside the bundle) and
/// for styles (one stylesheet; the client sets element styles only through
/// `element.style`, which CSP does not restrict); `ws:`/`wss:` (`connect-src 'self'`
/// matches the same host's WebSocket under CSP Level 3). Answers that set their own
/// policy keep it (downloads are served with `sandbox; default-src 'none'`).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; \
    object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The Swagger UI under `/api/docs/` draws its logo as an inline SVG holding one `<style>`
/// element; the docs pages alone also allow that style, by its hash. Its scripts and
/// stylesheets are files, so nothing else differs. A Swagger UI with another logo shows
/// up as a CSP violation in the web client's e2e run.
const SWAGGER_LOGO_STYLE: &str = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";

static DOCS_CONTENT_SECURITY_POLICY: std::sync::LazyLock<HeaderValue> = std::sync::LazyLock::new(|| {
    let policy =
        CONTENT_SECURITY_POLICY.replacen("style-src 'self';", &format!("style-src 'self' {SWAGGER_LOGO_STYLE};"), 1);
    HeaderValue::from_str(&policy).expect("a policy is a header value")
});

async fn security_headers(request: Request, next: Next) -> Response {
    let docs = request.uri().path().starts_with("/api/docs");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let policy =
        if docs { DOCS_CONTENT_SECURITY_POLICY.clone() } else { HeaderValue::from_static(CONTENT_SECURITY_POLICY) };
    headers.entry(header::CONTENT_SECURITY_POLICY).or_insert(policy);
    response
}

/// Until the web client is served here, the root says what is running and where to look.
async fn landing() -> Html<&'static str> {
    Html(include_str!("landing.html"))
}

/// The landing page's style, a file of its own because the policy allows no inline style.
async fn landing_css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("landing.css"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_docs_policy_differs_from_the_app_policy_only_by_the_logo_style() {
        let docs = DOCS_CONTENT_SECURITY_POLICY.to_str().expect("ascii");
        let app: Vec<&str> = CONTENT_SECURITY_POLICY.split("; ").collect();
        let docs: Vec<&str> = docs.split("; ").collect();
        assert_eq!(app.len(), docs.len());
        for (app, docs) in app.iter().zip(&docs) {
            if app.starts_with("style-src") {
                assert_eq!(*docs, format!("style-src 'self' {SWAGGER_LOGO_STYLE}"));
            } else {
                assert_eq!(app, docs);
            }
        }
    }
}
