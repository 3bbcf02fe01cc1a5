//! Operational endpoints outside the API version: liveness, readiness, metrics.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::state::AppState;

/// # `GET /healthz` — the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// # `GET /readyz` — the database answers too.
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, [(header::CONTENT_TYPE, "text/plain")], "database unavailable")
                .into_response()
        }
    }
}

/// The process-wide metrics recorder; installed once, however many apps a test builds.
pub fn metrics_handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// # `GET /metrics` — Prometheus text format.
pub async fn metrics_endpoint() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], metrics_handle().render())
}

/// A request that took longer than this is logged at info.
const SLOW_REQUEST: Duration = Duration::from_secs(1);

/// Counts requests and their latency by route template (never by raw path, which
/// would carry ids and tokens into the metrics).
pub async fn track(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_owned();
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let code = response.status().as_u16();
    // Every request is logged at debug (`PARTA_LOG=info,parta::http=debug`): at info, a
    // line per request cost a twentieth of the server's CPU under load. Server
    // errors and slow requests are always logged.
    let ms = elapsed.as_secs_f64() * 1000.0;
    if code >= 500 {
        tracing::warn!(target: "parta::http", %method, %route, status = code, ms, "request failed");
    } else if elapsed >= SLOW_REQUEST {
        tracing::info!(target: "parta::http", %method, %route, status = code, ms, "slow request");
    } else {
        tracing::debug!(target: "parta::http", %method, %route, status = code, ms, "request");
    }
    let status = code.to_string();
    metrics::counter!("parta_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("parta_http_request_duration_seconds", "method" => method, "route" => route)
        .record(elapsed.as_secs_f64());
    response
}
