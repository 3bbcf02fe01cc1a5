use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use parta_domain::{AssignmentId, ClassId, GroupId, OrgId, UserId, YearId};
use parta_protocol::{
    Assignment, AssignmentRequest, ClassGroup, ClassTimetable, GroupRequest, Problem, TimetableRequest, Week,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::teaching;
use crate::actions::timetable::{self, WeekOf};
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(groups_list, groups_create))
        .routes(routes!(groups_update, groups_archive))
        .routes(routes!(assignments_list, assignments_create))
        .routes(routes!(assignments_end))
        .routes(routes!(timetable_get, timetable_set))
        .routes(routes!(week_get))
}

/// # `GET /api/v1/orgs/{org_id}/classes/{class_id}/groups`
/// The class's groups with their students (the school's staff; the class's students and parents).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/classes/{class_id}/groups", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("class_id" = i64, Path)), responses((status = 200, body = [ClassGroup]), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn groups_list(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, class)): Path<(i64, i64)>,
) -> Result<Json<Vec<ClassGroup>>> {
    Ok(Json(teaching::groups(&state, &actor, OrgId(org), ClassId(class)).await?))
}

/// # `POST /api/v1/orgs/{org_id}/classes/{class_id}/groups`
/// Makes a group inside the class (admins, the deputy director).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/classes/{class_id}/groups", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("class_id" = i64, Path)), request_body = GroupRequest,
    responses((status = 201, body = ClassGroup), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn groups_create(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, class)): Path<(i64, i64)>,
    AppJson(body): AppJson<GroupRequest>,
) -> Result<(StatusCode, Json<ClassGroup>)> {
    Ok((StatusCode::CREATED, Json(teaching::create_group(&state, &actor, OrgId(org), ClassId(class), &body).await?)))
}

/// # `PUT /api/v1/orgs/{org_id}/classes/{class_id}/groups/{group_id}`
/// Renames the group and sets its students (admins, the deputy director).
#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/classes/{class_id}/groups/{group_id}", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("class_id" = i64, Path), ("group_id" = i64, Path)), request_body = GroupRequest,
    responses((status = 200, body = ClassGroup), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn groups_update(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, class, group)): Path<(i64, i64, i64)>,
    AppJson(body): AppJson<GroupRequest>,
) -> Result<Json<ClassGroup>> {
    Ok(Json(teaching::update_group(&state, &actor, OrgId(org), ClassId(class), GroupId(group), &body).await?))
}

/// # `DELETE /api/v1/orgs/{org_id}/classes/{class_id}/groups/{group_id}`
/// Retires the group; its teaching assignments end (admins, the deputy director).
#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/classes/{class_id}/groups/{group_id}", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("class_id" = i64, Path), ("group_id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn groups_archive(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, class, group)): Path<(i64, i64, i64)>,
) -> Result<StatusCode> {
    teaching::archive_group(&state, &actor, OrgId(org), ClassId(class), GroupId(group)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AssignmentFilter {
    /// Only this teacher's.
    teacher_id: Option<i64>,
    /// Only this class's (its students and parents may ask for their class).
    class_id: Option<i64>,
}

/// # `GET /api/v1/orgs/{org_id}/years/{year_id}/assignments`
/// Who teaches what in the year: all for the school's staff; a class's for its students and parents.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/years/{year_id}/assignments", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("year_id" = i64, Path), AssignmentFilter),
    responses((status = 200, body = [Assignment]), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn assignments_list(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, year)): Path<(i64, i64)>,
    Query(filter): Query<AssignmentFilter>,
) -> Result<Json<Vec<Assignment>>> {
    let (teacher, class) = (filter.teacher_id.map(UserId), filter.class_id.map(ClassId));
    Ok(Json(teaching::assignments(&state, &actor, OrgId(org), YearId(year), teacher, class).await?))
}

/// # `POST /api/v1/orgs/{org_id}/years/{year_id}/assignments`
/// Gives a teacher a subject in a class or one of its groups (admins, the deputy director).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/years/{year_id}/assignments", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("year_id" = i64, Path)), request_body = AssignmentRequest,
    responses((status = 201, body = Assignment), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn assignments_create(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, year)): Path<(i64, i64)>,
    AppJson(body): AppJson<AssignmentRequest>,
) -> Result<(StatusCode, Json<Assignment>)> {
    Ok((StatusCode::CREATED, Json(teaching::create_assignment(&state, &actor, OrgId(org), YearId(year), &body).await?)))
}

/// # `DELETE /api/v1/orgs/{org_id}/years/{year_id}/assignments/{assignment_id}`
/// Ends the assignment (admins, the deputy director).
#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/years/{year_id}/assignments/{assignment_id}", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("year_id" = i64, Path), ("assignment_id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn assignments_end(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, year, id)): Path<(i64, i64, i64)>,
) -> Result<StatusCode> {
    teaching::end_assignment(&state, &actor, OrgId(org), YearId(year), AssignmentId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `GET /api/v1/orgs/{org_id}/years/{year_id}/classes/{class_id}/timetable`
/// The class's weekly timetable (the school's staff; the class's students and parents).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/years/{year_id}/classes/{class_id}/timetable", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("year_id" = i64, Path), ("class_id" = i64, Path)),
    responses((status = 200, body = ClassTimetable), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn timetable_get(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, year, class)): Path<(i64, i64, i64)>,
) -> Result<Json<ClassTimetable>> {
    Ok(Json(timetable::class_timetable(&state, &actor, OrgId(org), YearId(year), ClassId(class)).await?))
}

/// # `PUT /api/v1/orgs/{org_id}/years/{year_id}/classes/{class_id}/timetable`
/// Sets the class's whole week (admins, the deputy director); a teacher, a room or the
/// class in two places at once is refused at the lesson.
#[utoipa::path(put, path = "/api/v1/orgs/{org_id}/years/{year_id}/classes/{class_id}/timetable", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("year_id" = i64, Path), ("class_id" = i64, Path)), request_body = TimetableRequest,
    responses((status = 200, body = ClassTimetable), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn timetable_set(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, year, class)): Path<(i64, i64, i64)>,
    AppJson(body): AppJson<TimetableRequest>,
) -> Result<Json<ClassTimetable>> {
    Ok(Json(timetable::set_class_timetable(&state, &actor, OrgId(org), YearId(year), ClassId(class), &body).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct WeekQuery {
    /// Any day of the week, `YYYY-MM-DD`.
    date: String,
    /// The class's week…
    class_id: Option<i64>,
    /// …or the teacher's (one of the two).
    teacher_id: Option<i64>,
}

/// # `GET /api/v1/orgs/{org_id}/years/{year_id}/week`
/// A week of lessons of a class or of a teacher, Monday to Saturday, on the year's school days.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/years/{year_id}/week", tag = "school year", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("year_id" = i64, Path), WeekQuery),
    responses((status = 200, body = Week), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn week_get(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, year)): Path<(i64, i64)>,
    Query(query): Query<WeekQuery>,
) -> Result<Json<Week>> {
    let of = match (query.class_id, query.teacher_id) {
        (Some(class), None) => WeekOf::Class(ClassId(class)),
        (None, Some(teacher)) => WeekOf::Teacher(UserId(teacher)),
        (Some(_), Some(_)) => return Err(Error::field("teacher_id", "not_allowed")),
        (None, None) => return Err(Error::field("class_id", "required")),
    };
    Ok(Json(timetable::week(&state, &actor, OrgId(org), YearId(year), of, &query.date).await?))
}
