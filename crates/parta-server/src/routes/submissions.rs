use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use parta_domain::{LessonId, OrgId, SubmissionId};
use parta_protocol::{
    FileInfo, GradeSubmissionRequest, HandInRequest, LessonSubmissions, Problem, ReturnSubmissionRequest, Submission,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::{files, submissions};
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(journal_files_upload))
        .routes(routes!(submissions_list, submissions_hand_in))
        .routes(routes!(submissions_return))
        .routes(routes!(submissions_grade))
}

/// # `POST /api/v1/orgs/{org_id}/journal/files`
/// Uploads a file (multipart part `file`) for homework or a submission; reference it by
/// id when setting the homework or handing in. Downloaded at `GET /api/v1/files/{file_id}`
/// by whoever reads what it belongs to.
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/journal/files", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), request_body(content = String, content_type = "multipart/form-data", description = "part `file`"),
    responses((status = 201, body = FileInfo), (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem)))]
async fn journal_files_upload(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    request: axum::extract::Request,
) -> Result<(StatusCode, Json<FileInfo>)> {
    submissions::admit_upload(&state, &actor, OrgId(org)).await?;
    let max = state.settings.max_file_bytes;
    let form = super::upload::stream_form(&state, request, "file", max, files::JOURNAL_FILES).await?;
    let stored = files::record_upload(&state, &actor, OrgId(org), None, form.file).await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// # `GET /api/v1/orgs/{org_id}/lessons/{lesson_id}/submissions`
/// Every student of the lesson with their work for its homework and where it stands
/// (the lesson's teacher, the class's journal readers).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/lessons/{lesson_id}/submissions", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("lesson_id" = i64, Path)),
    responses((status = 200, body = LessonSubmissions), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn submissions_list(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, lesson)): Path<(i64, i64)>,
) -> Result<Json<LessonSubmissions>> {
    Ok(Json(submissions::lesson_submissions(&state, &actor, OrgId(org), LessonId(lesson)).await?))
}

/// # `POST /api/v1/orgs/{org_id}/lessons/{lesson_id}/submissions`
/// Hands in the signed-in student's work for the lesson's homework (text and/or files),
/// replacing what they handed in before, until it is graded.
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/lessons/{lesson_id}/submissions", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("lesson_id" = i64, Path)), request_body = HandInRequest,
    responses((status = 200, body = Submission), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn submissions_hand_in(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, lesson)): Path<(i64, i64)>,
    AppJson(body): AppJson<HandInRequest>,
) -> Result<Json<Submission>> {
    Ok(Json(submissions::hand_in(&state, &actor, OrgId(org), LessonId(lesson), &body).await?))
}

/// # `POST /api/v1/orgs/{org_id}/submissions/{submission_id}/return`
/// Returns the work with a comment; the student may hand it in again (the lesson's teacher).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/submissions/{submission_id}/return", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("submission_id" = i64, Path)), request_body = ReturnSubmissionRequest,
    responses((status = 200, body = Submission), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn submissions_return(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, id)): Path<(i64, i64)>,
    AppJson(body): AppJson<ReturnSubmissionRequest>,
) -> Result<Json<Submission>> {
    Ok(Json(submissions::return_submission(&state, &actor, OrgId(org), SubmissionId(id), &body).await?))
}

/// # `POST /api/v1/orgs/{org_id}/submissions/{submission_id}/grade`
/// Grades the work: the mark goes into the journal at the homework's lesson, as
/// «Домашняя работа» unless `grade_type_id` names another kind (the lesson's teacher).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/submissions/{submission_id}/grade", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("submission_id" = i64, Path)), request_body = GradeSubmissionRequest,
    responses((status = 200, body = Submission), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn submissions_grade(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, id)): Path<(i64, i64)>,
    AppJson(body): AppJson<GradeSubmissionRequest>,
) -> Result<Json<Submission>> {
    Ok(Json(submissions::grade_submission(&state, &actor, OrgId(org), SubmissionId(id), &body).await?))
}
