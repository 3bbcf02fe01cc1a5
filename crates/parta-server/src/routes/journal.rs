use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use parta_domain::{AssignmentId, GradeTypeId, LessonId, OrgId, UserId, YearId};
use parta_protocol::{
    AttendanceRequest, ClassSignatures, DiaryMarks, DiaryWeek, GradeType, GradeTypeChange, GradeTypeRequest,
    GradesRequest, HomeworkRequest, JournalGrid, LessonPage, LessonRequest, PeriodMarksRequest, Problem,
    SignWeekRequest,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::journal_export::Export;
use crate::actions::{diary, journal, journal_export};
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(grade_types_list, grade_types_create))
        .routes(routes!(grade_types_update))
        .routes(routes!(lessons_open))
        .routes(routes!(lessons_get))
        .routes(routes!(lessons_attendance))
        .routes(routes!(lessons_grades))
        .routes(routes!(lessons_homework_set, lessons_homework_delete))
        .routes(routes!(diary_week))
        .routes(routes!(diary_sign))
        .routes(routes!(diary_marks))
        .routes(routes!(diary_signatures))
        .routes(routes!(journal_grid))
        .routes(routes!(period_marks_set))
        .routes(routes!(journal_export))
        .routes(routes!(summary_export))
}

/// # `GET /api/v1/orgs/{org_id}/grade-types`
/// The kinds of work marks are given for, with their weights.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/grade-types", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), responses((status = 200, body = [GradeType]), (status = 404, body = Problem)))]
async fn grade_types_list(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
) -> Result<Json<Vec<GradeType>>> {
    Ok(Json(journal::grade_types(&state, &actor, OrgId(org)).await?))
}

/// # `POST /api/v1/orgs/{org_id}/lessons`
/// Writes down a timetable lesson (or finds it), its topic set when given; its teacher only.
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/lessons", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), request_body = LessonRequest,
    responses((status = 200, body = LessonPage), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn lessons_open(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    AppJson(body): AppJson<LessonRequest>,
) -> Result<Json<LessonPage>> {
    Ok(Json(journal::open_lesson(&state, &actor, OrgId(org), &body).await?))
}

/// # `GET /api/v1/orgs/{org_id}/lessons/{lesson_id}`
/// The lesson with its students' attendance and marks (its teacher, the class teacher, the administration).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/lessons/{lesson_id}", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("lesson_id" = i64, Path)),
    responses((status = 200, body = LessonPage), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn lessons_get(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, lesson)): Path<(i64, i64)>,
) -> Result<Json<LessonPage>> {
    Ok(Json(journal::lesson_page(&state, &actor, OrgId(org), LessonId(lesson)).await?))
}

/// # `PUT /api/v1/orgs/{org_id}/lessons/{lesson_id}/attendance`
/// Marks the students named absent, ill, excused or late, or present again (the lesson's teacher).
#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/lessons/{lesson_id}/attendance", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("lesson_id" = i64, Path)), request_body = AttendanceRequest,
    responses((status = 200, body = LessonPage), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn lessons_attendance(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, lesson)): Path<(i64, i64)>,
    AppJson(body): AppJson<AttendanceRequest>,
) -> Result<Json<LessonPage>> {
    Ok(Json(journal::set_attendance(&state, &actor, OrgId(org), LessonId(lesson), &body).await?))
}

/// # `PUT /api/v1/orgs/{org_id}/lessons/{lesson_id}/grades`
/// Gives, changes and takes back the lesson's marks at once (the lesson's teacher).
#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/lessons/{lesson_id}/grades", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("lesson_id" = i64, Path)), request_body = GradesRequest,
    responses((status = 200, body = LessonPage), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn lessons_grades(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, lesson)): Path<(i64, i64)>,
    AppJson(body): AppJson<GradesRequest>,
) -> Result<Json<LessonPage>> {
    Ok(Json(journal::set_grades(&state, &actor, OrgId(org), LessonId(lesson), &body).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DiaryQuery {
    /// The student whose diary it is.
    student_id: i64,
    /// Any day of the week, `YYYY-MM-DD`.
    date: String,
}

/// # `GET /api/v1/orgs/{org_id}/diary`
/// A student's week: lessons with topics, attendance and marks (the student, their
/// parents, the class teacher, the administration).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/diary", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), DiaryQuery),
    responses((status = 200, body = DiaryWeek), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn diary_week(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    Query(query): Query<DiaryQuery>,
) -> Result<Json<DiaryWeek>> {
    Ok(Json(diary::week(&state, &actor, OrgId(org), UserId(query.student_id), &query.date).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct GridQuery {
    /// The subject in a class or group.
    assignment_id: i64,
    /// The period's number.
    period: i64,
}

/// # `GET /api/v1/orgs/{org_id}/years/{year_id}/journal`
/// An assignment's journal in a period: lessons × students with attendance and marks,
/// weighted averages, suggested and set period marks (its teacher, the class teacher, the administration).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/years/{year_id}/journal", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("year_id" = i64, Path), GridQuery),
    responses((status = 200, body = JournalGrid), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn journal_grid(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, year)): Path<(i64, i64)>,
    Query(query): Query<GridQuery>,
) -> Result<Json<JournalGrid>> {
    let assignment = AssignmentId(query.assignment_id);
    Ok(Json(journal::grid(&state, &actor, OrgId(org), YearId(year), assignment, query.period).await?))
}

/// # `PUT /api/v1/orgs/{org_id}/years/{year_id}/period-marks`
/// Sets period marks (the assignment's teacher; once the period is closed, an admin with a reason).
#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/years/{year_id}/period-marks", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("year_id" = i64, Path)), request_body = PeriodMarksRequest,
    responses((status = 200, body = JournalGrid), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn period_marks_set(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, year)): Path<(i64, i64)>,
    AppJson(body): AppJson<PeriodMarksRequest>,
) -> Result<Json<JournalGrid>> {
    Ok(Json(journal::set_period_marks(&state, &actor, OrgId(org), YearId(year), &body).await?))
}

/// # `PUT /api/v1/orgs/{org_id}/lessons/{lesson_id}/homework`
/// Sets the lesson's homework: text, due day, minutes it takes (the lesson's teacher).
#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/lessons/{lesson_id}/homework", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("lesson_id" = i64, Path)), request_body = HomeworkRequest,
    responses((status = 200, body = LessonPage), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn lessons_homework_set(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, lesson)): Path<(i64, i64)>,
    AppJson(body): AppJson<HomeworkRequest>,
) -> Result<Json<LessonPage>> {
    Ok(Json(journal::set_homework(&state, &actor, OrgId(org), LessonId(lesson), &body).await?))
}

/// # `DELETE /api/v1/orgs/{org_id}/lessons/{lesson_id}/homework`
/// Takes the lesson's homework back (the lesson's teacher).
#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/lessons/{lesson_id}/homework", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("lesson_id" = i64, Path)),
    responses((status = 200, body = LessonPage), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn lessons_homework_delete(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, lesson)): Path<(i64, i64)>,
) -> Result<Json<LessonPage>> {
    Ok(Json(journal::delete_homework(&state, &actor, OrgId(org), LessonId(lesson)).await?))
}

/// # `POST /api/v1/orgs/{org_id}/grade-types`
/// Adds a kind of work with its weight (admins, the deputy director).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/grade-types", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), request_body = GradeTypeRequest,
    responses((status = 201, body = GradeType), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn grade_types_create(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    AppJson(body): AppJson<GradeTypeRequest>,
) -> Result<(StatusCode, Json<GradeType>)> {
    Ok((StatusCode::CREATED, Json(journal::create_grade_type(&state, &actor, OrgId(org), &body).await?)))
}

/// # `PATCH /api/v1/orgs/{org_id}/grade-types/{grade_type_id}`
/// Renames, reweighs or archives a kind of work; marks given keep their weight (admins, the deputy director).
#[utoipa::path(patch, path = "/api/v1/orgs/{org_id}/grade-types/{grade_type_id}", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("grade_type_id" = i64, Path)), request_body = GradeTypeChange,
    responses((status = 200, body = GradeType), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn grade_types_update(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, id)): Path<(i64, i64)>,
    AppJson(body): AppJson<GradeTypeChange>,
) -> Result<Json<GradeType>> {
    Ok(Json(journal::update_grade_type(&state, &actor, OrgId(org), GradeTypeId(id), &body).await?))
}

/// A made file, downloaded under its name.
pub(super) fn download(export: Export) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let mut response = export.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(export.content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", export.file_name)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct GridExportQuery {
    assignment_id: i64,
    period: i64,
    /// `xlsx` or `csv`.
    format: String,
}

/// # `GET /api/v1/orgs/{org_id}/years/{year_id}/journal/export`
/// The assignment's journal in a period as XLSX or CSV (whoever reads that journal).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/years/{year_id}/journal/export", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("year_id" = i64, Path), GridExportQuery),
    responses((status = 200, description = "The file", content_type = "application/octet-stream", body = Vec<u8>), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn journal_export(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, year)): Path<(i64, i64)>,
    Query(query): Query<GridExportQuery>,
) -> Result<axum::response::Response> {
    let assignment = AssignmentId(query.assignment_id);
    let export =
        journal_export::grid_file(&state, &actor, OrgId(org), YearId(year), assignment, query.period, &query.format)
            .await?;
    Ok(download(export))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SummaryQuery {
    /// The period's number; 0 for the year (every period and the year mark).
    period: i64,
    /// `xlsx` or `csv`.
    format: String,
}

/// # `GET /api/v1/orgs/{org_id}/years/{year_id}/classes/{class_id}/summary`
/// The class's period marks in every subject («сводная ведомость») as XLSX or CSV (the class teacher, the administration).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/years/{year_id}/classes/{class_id}/summary", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("year_id" = i64, Path), ("class_id" = i64, Path), SummaryQuery),
    responses((status = 200, description = "The file", content_type = "application/octet-stream", body = Vec<u8>), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn summary_export(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, year, class)): Path<(i64, i64, i64)>,
    Query(query): Query<SummaryQuery>,
) -> Result<axum::response::Response> {
    let export = journal_export::summary_file(
        &state,
        &actor,
        OrgId(org),
        YearId(year),
        parta_domain::ClassId(class),
        query.period,
        &query.format,
    )
    .await?;
    Ok(download(export))
}

/// # `POST /api/v1/orgs/{org_id}/diary/signatures`
/// A parent signs their child's week of the diary («ознакомлен»).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/diary/signatures", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), request_body = SignWeekRequest,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn diary_sign(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    AppJson(body): AppJson<SignWeekRequest>,
) -> Result<StatusCode> {
    diary::sign_week(&state, &actor, OrgId(org), &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct WeekOfQuery {
    /// Any day of the week, `YYYY-MM-DD`.
    date: String,
}

/// # `GET /api/v1/orgs/{org_id}/classes/{class_id}/diary-signatures`
/// Which parents have signed the week, student by student (the class teacher, the administration).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/classes/{class_id}/diary-signatures", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("class_id" = i64, Path), WeekOfQuery),
    responses((status = 200, body = ClassSignatures), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn diary_signatures(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, class)): Path<(i64, i64)>,
    Query(query): Query<WeekOfQuery>,
) -> Result<Json<ClassSignatures>> {
    Ok(Json(diary::class_signatures(&state, &actor, OrgId(org), parta_domain::ClassId(class), &query.date).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct MarksQuery {
    student_id: i64,
    /// The period's number in the year that `date` falls in.
    period: i64,
    /// A day of the year, `YYYY-MM-DD`.
    date: String,
}

/// # `GET /api/v1/orgs/{org_id}/diary/marks`
/// A student's marks in a period, subject by subject, with averages and period marks
/// (the student, their parents, the class teacher, the administration).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/diary/marks", tag = "journal", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), MarksQuery),
    responses((status = 200, body = DiaryMarks), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn diary_marks(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    Query(query): Query<MarksQuery>,
) -> Result<Json<DiaryMarks>> {
    Ok(Json(diary::marks(&state, &actor, OrgId(org), UserId(query.student_id), query.period, &query.date).await?))
}
