use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use parta_domain::{ClassId, OrgId, UnitId, UserId};
use parta_protocol::{
    Admin, Class, CreateClassRequest, Problem, School, Unit, UnitRequest, UpdateClassRequest, UpdateSchoolRequest,
    UserRef,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::actions::schools;
use crate::auth::Actor;
use crate::error::Result;
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(schools_get, schools_update))
        .routes(routes!(units_list, units_create))
        .routes(routes!(units_rename, units_delete))
        .routes(routes!(classes_list, classes_create))
        .routes(routes!(classes_get, classes_update))
        .routes(routes!(class_teachers_add))
        .routes(routes!(class_teachers_remove))
        .routes(routes!(admins_list, admins_appoint))
        .routes(routes!(admins_remove))
}

/// # `GET /api/v1/orgs/{org_id}`
/// The school profile and settings, for its members. Another school's id is 404.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), responses((status = 200, body = School), (status = 404, body = Problem)))]
async fn schools_get(State(state): State<AppState>, actor: Actor, Path(org): Path<i64>) -> Result<Json<School>> {
    Ok(Json(schools::get(&state, &actor, OrgId(org)).await?))
}

/// # `PATCH /api/v1/orgs/{org_id}`
/// Edits the profile and settings (admins). Only the fields present change.
#[utoipa::path(patch, path = "/api/v1/orgs/{org_id}", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), request_body = UpdateSchoolRequest,
    responses((status = 200, body = School), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn schools_update(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    AppJson(body): AppJson<UpdateSchoolRequest>,
) -> Result<Json<School>> {
    Ok(Json(schools::update(&state, &actor, OrgId(org), &body).await?))
}

/// # `GET /api/v1/orgs/{org_id}/units`
/// Structure units («Начальная школа», «Старшая школа»…).
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/units", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), responses((status = 200, body = [Unit]), (status = 404, body = Problem)))]
async fn units_list(State(state): State<AppState>, actor: Actor, Path(org): Path<i64>) -> Result<Json<Vec<Unit>>> {
    Ok(Json(schools::units(&state, &actor, OrgId(org)).await?))
}

/// # `POST /api/v1/orgs/{org_id}/units`
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/units", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), request_body = UnitRequest,
    responses((status = 201, body = Unit), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn units_create(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    AppJson(body): AppJson<UnitRequest>,
) -> Result<(StatusCode, Json<Unit>)> {
    Ok((StatusCode::CREATED, Json(schools::create_unit(&state, &actor, OrgId(org), &body.name).await?)))
}

/// # `PATCH /api/v1/orgs/{org_id}/units/{unit_id}`
#[utoipa::path(patch, path = "/api/v1/orgs/{org_id}/units/{unit_id}", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("unit_id" = i64, Path)), request_body = UnitRequest,
    responses((status = 200, body = Unit), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn units_rename(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, unit)): Path<(i64, i64)>,
    AppJson(body): AppJson<UnitRequest>,
) -> Result<Json<Unit>> {
    Ok(Json(schools::rename_unit(&state, &actor, OrgId(org), UnitId(unit), &body.name).await?))
}

/// # `DELETE /api/v1/orgs/{org_id}/units/{unit_id}`
/// Deletes an empty unit; one that still has classes is 409.
#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/units/{unit_id}", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("unit_id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn units_delete(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, unit)): Path<(i64, i64)>,
) -> Result<StatusCode> {
    schools::delete_unit(&state, &actor, OrgId(org), UnitId(unit)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// # `GET /api/v1/orgs/{org_id}/classes`
/// Every class of the school, «Учительская» first, with class teachers.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/classes", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), responses((status = 200, body = [Class]), (status = 404, body = Problem)))]
async fn classes_list(State(state): State<AppState>, actor: Actor, Path(org): Path<i64>) -> Result<Json<Vec<Class>>> {
    Ok(Json(schools::classes(&state, &actor, OrgId(org)).await?))
}

/// # `POST /api/v1/orgs/{org_id}/classes`
/// Creates a class such as «5А» (grade 0–11) in an academic year.
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/classes", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), request_body = CreateClassRequest,
    responses((status = 201, body = Class), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn classes_create(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    AppJson(body): AppJson<CreateClassRequest>,
) -> Result<(StatusCode, Json<Class>)> {
    Ok((StatusCode::CREATED, Json(schools::create_class(&state, &actor, OrgId(org), &body).await?)))
}

/// # `GET /api/v1/orgs/{org_id}/classes/{class_id}`
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/classes/{class_id}", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("class_id" = i64, Path)), responses((status = 200, body = Class), (status = 404, body = Problem)))]
async fn classes_get(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, class)): Path<(i64, i64)>,
) -> Result<Json<Class>> {
    Ok(Json(schools::class(&state, &actor, OrgId(org), ClassId(class)).await?))
}

/// # `PATCH /api/v1/orgs/{org_id}/classes/{class_id}`
/// Renames a class, changes its grade or unit (`unit_id: null` detaches it).
#[utoipa::path(patch, path = "/api/v1/orgs/{org_id}/classes/{class_id}", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("class_id" = i64, Path)), request_body = UpdateClassRequest,
    responses((status = 200, body = Class), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn classes_update(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, class)): Path<(i64, i64)>,
    AppJson(body): AppJson<UpdateClassRequest>,
) -> Result<Json<Class>> {
    Ok(Json(schools::update_class(&state, &actor, OrgId(org), ClassId(class), &body).await?))
}

/// # `POST /api/v1/orgs/{org_id}/classes/{class_id}/class-teachers`
/// Attaches a teacher of the school as a class teacher (классный руководитель).
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/classes/{class_id}/class-teachers", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("class_id" = i64, Path)), request_body = UserRef,
    responses((status = 200, body = Class), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn class_teachers_add(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, class)): Path<(i64, i64)>,
    AppJson(body): AppJson<UserRef>,
) -> Result<Json<Class>> {
    Ok(Json(schools::assign_class_teacher(&state, &actor, OrgId(org), ClassId(class), body.user_id).await?))
}

/// # `DELETE /api/v1/orgs/{org_id}/classes/{class_id}/class-teachers/{user_id}`
#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/classes/{class_id}/class-teachers/{user_id}", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("class_id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 200, body = Class), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn class_teachers_remove(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, class, user)): Path<(i64, i64, i64)>,
) -> Result<Json<Class>> {
    Ok(Json(schools::remove_class_teacher(&state, &actor, OrgId(org), ClassId(class), UserId(user)).await?))
}

/// # `GET /api/v1/orgs/{org_id}/admins`
/// The school's admins, with who appointed them and when.
#[utoipa::path(get, path = "/api/v1/orgs/{org_id}/admins", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), responses((status = 200, body = [Admin]), (status = 404, body = Problem)))]
async fn admins_list(State(state): State<AppState>, actor: Actor, Path(org): Path<i64>) -> Result<Json<Vec<Admin>>> {
    Ok(Json(schools::admins(&state, &actor, OrgId(org)).await?))
}

/// # `POST /api/v1/orgs/{org_id}/admins`
/// Appoints an admin among the school's current staff.
#[utoipa::path(post, path = "/api/v1/orgs/{org_id}/admins", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path)), request_body = UserRef,
    responses((status = 200, body = [Admin]), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn admins_appoint(
    State(state): State<AppState>,
    actor: Actor,
    Path(org): Path<i64>,
    AppJson(body): AppJson<UserRef>,
) -> Result<Json<Vec<Admin>>> {
    Ok(Json(schools::appoint_admin(&state, &actor, OrgId(org), body.user_id).await?))
}

/// # `DELETE /api/v1/orgs/{org_id}/admins/{user_id}`
/// Removes an admin; the last admin stays (409 `last_admin`).
#[utoipa::path(delete, path = "/api/v1/orgs/{org_id}/admins/{user_id}", tag = "schools", security(("bearer" = []), ("cookie" = [])),
    params(("org_id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 200, body = [Admin]), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn admins_remove(
    State(state): State<AppState>,
    actor: Actor,
    Path((org, user)): Path<(i64, i64)>,
) -> Result<Json<Vec<Admin>>> {
    Ok(Json(schools::remove_admin(&state, &actor, OrgId(org), UserId(user)).await?))
}
