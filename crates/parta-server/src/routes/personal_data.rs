use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use parta_protocol::Problem;
use tokio_util::io::ReaderStream;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::actions::personal_data;
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(me_export))
}

/// # `GET /api/v1/me/export`
/// A copy of everything Parta holds about the signed-in person, as a zip: profile and
/// consents, places in schools (past ones too), sessions, notifications, push devices,
/// what they wrote in chats, the files they uploaded, and a README in Russian. Three an
/// hour.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "accounts", security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, content_type = "application/zip", body = Vec<u8>), (status = 401, body = Problem), (status = 429, body = Problem)))]
async fn me_export(State(state): State<AppState>, actor: Actor) -> Result<Response> {
    let (file, size) = personal_data::export(&state, &actor).await?;
    let disposition = format!("attachment; filename=\"{}\"", personal_data::file_name(actor.user_id));
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (header::CONTENT_LENGTH, size.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(ReaderStream::new(file)),
    )
        .into_response())
}
