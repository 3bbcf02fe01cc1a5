use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use parta_protocol::{CalendarFeed, Problem};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::actions::calendar;
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(feed_create, feed_remove)).routes(routes!(feed_read))
}

/// # `POST /api/v1/me/calendar-feed`
/// Makes one's calendar feed link (a new one ends the old).
#[utoipa::path(post, path = "/api/v1/me/calendar-feed", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    responses((status = 201, body = CalendarFeed), (status = 401, body = Problem)))]
async fn feed_create(State(state): State<AppState>, actor: Actor) -> Result<(StatusCode, Json<CalendarFeed>)> {
    Ok((StatusCode::CREATED, Json(calendar::create_feed(&state, &actor).await?)))
}

/// # `DELETE /api/v1/me/calendar-feed`
/// Takes one's calendar feed link away.
#[utoipa::path(delete, path = "/api/v1/me/calendar-feed", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    responses((status = 204), (status = 401, body = Problem)))]
async fn feed_remove(State(state): State<AppState>, actor: Actor) -> Result<StatusCode> {
    calendar::remove_feed(&state, &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `GET /api/v1/calendar/{token}`
/// The calendar behind a feed link (iCalendar): lessons and homework deadlines from last
/// week to three weeks ahead. The link is the key; an unknown one is not found.
#[utoipa::path(get, path = "/api/v1/calendar/{token}", tag = "journal",
    params(("token" = String, Path)),
    responses((status = 200, description = "iCalendar", content_type = "text/calendar", body = String), (status = 404, body = Problem)))]
async fn feed_read(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response> {
    let text = calendar::feed(&state, &token).await?;
    let mut response = text.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}
