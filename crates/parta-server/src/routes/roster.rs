//! The school's register in and out as a OneRoster 1.2 CSV bundle.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::StatusCode;
use parta_domain::OrgId;
use parta_protocol::{Problem, RosterImport, RosterLink, RosterWaiting};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::actions::journal_export::Export;
use crate::actions::{roster, roster_links};
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(roster_import))
        .routes(routes!(roster_export))
        .routes(routes!(roster_waiting))
        .routes(routes!(roster_link))
}

/// Whether a request is a bundle for an import, which may be larger than a JSON body.
pub fn is_import(path: &str) -> bool {
    path.starts_with("/api/v1/orgs/") && path.ends_with("/roster/import")
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ImportQuery {
    /// `true` writes; otherwise a dry run shows what would be written.
    #[serde(default)]
    apply: bool,
}

/// # `POST /api/v1/orgs/{org_id}/roster/import`
/// Imports a OneRoster 1.2 (or 1.1) CSV bundle — the zip as the body, or the part
/// `file` of a form — into the school (its admins): classes, people, parents with
/// their children, who leads each class. Without `apply=true`, a dry run: the same
/// report, nothing written. People already in the school are matched by the roster's
/// id, or once by name in the same place; each new person gets a link of their own
/// (in `links`, shown once). The same bundle twice changes nothing. 422 for a bundle
/// that cannot be read as a whole (the field names the file, and the line); 503 while
/// two imports run on the node.
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/roster/import", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ImportQuery),
    request_body(content = String, content_type = "application/zip", description = "the bundle, or multipart part `file`"),
    responses((status = 200, body = RosterImport), (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem)))]
async fn roster_import(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    Query(query): Query<ImportQuery>,
    request: Request,
) -> Result<Json<RosterImport>> {
    // Who may not import, or one beyond the imports running, is answered before the
    // bundle is read: a stranger's 32 MiB never reaches memory.
    let _permit = roster::admit_import(&state, &actor, OrgId(org)).await?;
    let bytes = if super::upload::is_multipart(request.headers()) {
        super::upload::read_form(&state, request, "file", roster::MAX_BUNDLE_BYTES)
            .await?
            .file
            .map(|f| f.bytes.to_vec())
            .ok_or_else(|| Error::field("file", "required"))?
    } else {
        Bytes::from_request(request, &state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    Error::PayloadTooLarge
                } else {
                    Error::BadRequest("bad_request")
                }
            })?
            .to_vec()
    };
    Ok(Json(roster::import(&state, &actor, OrgId(org), bytes, query.apply).await?))
}

/// # `GET /api/v1/orgs/{org_id}/roster/export`
/// The school's register as a OneRoster 1.2 CSV bundle (its admins): the classes of
/// the years not archived, the people in them and in the staff room with their
/// contacts, those the register still expects, parents and children, who leads each
/// class, and the journal's marks as the gradebook.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/roster/export", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)),
    responses((status = 200, content_type = "application/zip", body = Vec<u8>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn roster_export(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
) -> Result<axum::response::Response> {
    let bytes = roster::export(&state, &actor, OrgId(org)).await?;
    let file_name = format!("oneroster-{org}.zip");
    Ok(super::journal::download(Export { bytes, content_type: "application/zip", file_name }))
}

/// # `GET /api/v1/orgs/{org_id}/roster/people`
/// Who the register expects and has not joined yet (the school's admins), by name,
/// with until when each one's own link works (none: it expired or was replaced).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/roster/people", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)),
    responses((status = 200, body = Vec<RosterWaiting>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn roster_waiting(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
) -> Result<Json<Vec<RosterWaiting>>> {
    Ok(Json(roster_links::waiting(&state, &actor, OrgId(org)).await?))
}

/// # `POST /api/v1/orgs/{org_id}/roster/people/{person_id}/link`
/// A new one-use link for someone the register expects, whose link was lost or ran
/// out (the school's admins): their earlier links stop working; the new one is in the
/// answer only. 409 `already_member` once they have joined.
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/roster/people/{person_id}/link", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("person_id" = i64, Path)),
    responses((status = 201, body = RosterLink), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn roster_link(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, person)): Path<(i64, i64)>,
) -> Result<(StatusCode, Json<RosterLink>)> {
    Ok((StatusCode::CREATED, Json(roster_links::reissue(&state, &actor, OrgId(org), person).await?)))
}
