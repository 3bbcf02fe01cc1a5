//! A school's own setup: profile and settings, structure units, classes, class
//! teachers and admins.

use parta_domain::permission::Permission;
use parta_domain::validate;
use parta_domain::{ClassId, MemberRole, OrgId, UnitId, UserId};
use parta_protocol::{Admin, Class, CreateClassRequest, School, Unit, UpdateClassRequest, UpdateSchoolRequest};
use serde_json::json;
use sqlx::AnyConnection;

use super::{Fields, checked};
use crate::access;
use crate::auth::Actor;
use crate::clock::{is_time_zone, rfc3339, today_in};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::audit::Entry;
use crate::store::directory::NewMembership;
use crate::store::schools::{ClassRow, NewClass, Profile, STAFF_ROOM_NAME};

fn audit<'a>(
    org: OrgId,
    actor: &Actor,
    action: &'a str,
    target_type: &'a str,
    target_id: i64,
    details: serde_json::Value,
) -> Entry<'a> {
    Entry { org: Some(org), actor: Some(actor.user_id), action, target_type, target_id: Some(target_id), details }
}

/// A school profile as typed, before validation.
pub struct ProfileInput<'a> {
    pub name: &'a str,
    pub short_name: &'a str,
    pub address: &'a str,
    pub inn: &'a str,
    pub ogrn: &'a str,
    pub region: &'a str,
    pub time_zone: &'a str,
    pub join_approval_required: bool,
}

/// Validates a complete profile, collecting every field's problem.
pub fn check_profile(input: &ProfileInput<'_>, fields: &mut Fields) -> Option<Profile> {
    let name = fields.check(validate::line("name", input.name, 300));
    let short_name = fields.check(validate::line("short_name", input.short_name, 100));
    let address = fields.check(validate::line("address", input.address, 500));
    let inn = fields.check(validate::inn(input.inn));
    let ogrn = fields.check(validate::ogrn(input.ogrn));
    let region = fields.check(validate::line("region", input.region, 200));
    let time_zone = fields.check(validate::line("time_zone", input.time_zone, 64)).and_then(|tz| {
        if is_time_zone(&tz) {
            Some(tz)
        } else {
            fields.reject("time_zone", "invalid_time_zone");
            None
        }
    });
    Some(Profile {
        name: name?,
        short_name: short_name?,
        address: address?,
        inn: inn?,
        ogrn: ogrn?,
        region: region?,
        time_zone: time_zone?,
        join_approval_required: input.join_approval_required,
    })
}

/// The trusted write that creates a school with its built-in «Учительская».
pub async fn do_create_school(
    conn: &mut AnyConnection,
    profile: &Profile,
    by: Option<UserId>,
) -> Result<(OrgId, ClassId)> {
    let org = store::schools::insert(conn, profile).await?;
    let staff_room = store::schools::insert_class(
        conn,
        org,
        &NewClass { kind: "staff_room", name: STAFF_ROOM_NAME, grade: None, academic_year: None, unit: None },
    )
    .await?;
    super::seats::do_create_school_chats(conn, org, staff_room).await?;
    super::school_year::do_seed_subjects(conn, org).await?;
    super::journal::do_seed_grade_types(conn, org).await?;
    store::audit::record(
        conn,
        Entry {
            org: Some(org),
            actor: by,
            action: "school_created",
            target_type: "organization",
            target_id: Some(org.0),
            details: json!({ "name": profile.name, "inn": profile.inn }),
        },
    )
    .await?;
    Ok((org, staff_room))
}

/// # The school profile, for its members (and the operator).
pub async fn get(state: &AppState, actor: &Actor, org: OrgId) -> Result<School> {
    let mut conn = state.db.reads().acquire().await?;
    let access = access::visible_school(&mut conn, actor, org).await?;
    Ok(access.org.school())
}

/// # Edit the profile and settings; only the fields present change.
pub async fn update(state: &AppState, actor: &Actor, org: OrgId, request: &UpdateSchoolRequest) -> Result<School> {
    let mut tx = state.begin().await?;
    let access = access::school(&mut tx, actor, org, Permission::EditSchool).await?;
    let old = &access.org;
    let mut fields = Fields::default();
    let profile = check_profile(
        &ProfileInput {
            name: request.name.as_deref().unwrap_or(&old.name),
            short_name: request.short_name.as_deref().unwrap_or(&old.short_name),
            address: request.address.as_deref().unwrap_or(&old.address),
            inn: request.inn.as_deref().unwrap_or(&old.inn),
            ogrn: request.ogrn.as_deref().unwrap_or(&old.ogrn),
            region: request.region.as_deref().unwrap_or(&old.region),
            time_zone: request.time_zone.as_deref().unwrap_or(&old.time_zone),
            join_approval_required: request.join_approval_required.unwrap_or(old.join_approval_required == 1),
        },
        &mut fields,
    );
    let quiet = match &request.quiet_hours {
        None => None,
        Some(None) => Some(None),
        Some(Some(window)) => {
            let from = parta_domain::quiet::DayTime::parse(&window.from);
            let to = parta_domain::quiet::DayTime::parse(&window.to);
            if from.is_none() {
                fields.reject("quiet_hours.from", "invalid_time");
            }
            if to.is_none() {
                fields.reject("quiet_hours.to", "invalid_time");
            }
            from.zip(to).map(|(from, to)| Some((from.to_string(), to.to_string())))
        }
    };
    fields.finish()?;
    let profile = checked(profile)?;
    store::schools::update(&mut tx, org, &profile).await?;
    if let Some(on) = request.student_safe_mode {
        store::schools::set_student_safe_mode(&mut tx, org, on).await?;
    }
    if let Some(on) = request.push_previews {
        store::schools::set_push_previews(&mut tx, org, on).await?;
    }
    if let Some(on) = request.students_supervised {
        store::schools::set_students_supervised(&mut tx, org, on).await?;
    }
    if let Some(on) = request.names_locked {
        store::schools::set_names_locked(&mut tx, org, on).await?;
    }
    if let Some(window) = &quiet {
        store::schools::set_quiet_hours(&mut tx, org, window.as_ref().map(|(f, t)| (f.as_str(), t.as_str()))).await?;
    }
    store::audit::record(
        &mut tx,
        audit(org, actor, "school_updated", "organization", org.0, serde_json::to_value(request).unwrap_or_default()),
    )
    .await?;
    let row = store::schools::get(&mut tx, org).await?.ok_or(Error::NotFound)?;
    tx.commit(state).await?;
    Ok(row.school())
}

// Structure units.

pub async fn units(state: &AppState, actor: &Actor, org: OrgId) -> Result<Vec<Unit>> {
    let mut conn = state.db.reads().acquire().await?;
    access::visible_school(&mut conn, actor, org).await?;
    Ok(store::schools::list_units(&mut conn, org).await?)
}

pub async fn create_unit(state: &AppState, actor: &Actor, org: OrgId, name: &str) -> Result<Unit> {
    let mut tx = state.begin().await?;
    access::school(&mut tx, actor, org, Permission::ManageStructure).await?;
    let name = validate::line("name", name, 200)?;
    let id = store::schools::insert_unit(&mut tx, org, &name)
        .await
        .map_err(|e| if store::is_unique_violation(&e) { Error::Conflict("unit_name_taken") } else { e.into() })?;
    store::audit::record(&mut tx, audit(org, actor, "unit_created", "unit", id.0, json!({ "name": name }))).await?;
    tx.commit(state).await?;
    Ok(Unit { id, name })
}

pub async fn rename_unit(state: &AppState, actor: &Actor, org: OrgId, unit: UnitId, name: &str) -> Result<Unit> {
    let mut tx = state.begin().await?;
    access::school(&mut tx, actor, org, Permission::ManageStructure).await?;
    let name = validate::line("name", name, 200)?;
    let old = store::schools::get_unit(&mut tx, org, unit).await?.ok_or(Error::NotFound)?;
    store::schools::rename_unit(&mut tx, org, unit, &name)
        .await
        .map_err(|e| if store::is_unique_violation(&e) { Error::Conflict("unit_name_taken") } else { e.into() })?;
    store::audit::record(
        &mut tx,
        audit(org, actor, "unit_renamed", "unit", unit.0, json!({ "from": old.name, "to": name })),
    )
    .await?;
    tx.commit(state).await?;
    Ok(Unit { id: unit, name })
}

pub async fn delete_unit(state: &AppState, actor: &Actor, org: OrgId, unit: UnitId) -> Result<()> {
    let mut tx = state.begin().await?;
    access::school(&mut tx, actor, org, Permission::ManageStructure).await?;
    let old = store::schools::get_unit(&mut tx, org, unit).await?.ok_or(Error::NotFound)?;
    if store::schools::unit_has_classes(&mut tx, org, unit).await? {
        return Err(Error::Conflict("unit_not_empty"));
    }
    store::schools::delete_unit(&mut tx, org, unit).await?;
    store::audit::record(&mut tx, audit(org, actor, "unit_deleted", "unit", unit.0, json!({ "name": old.name })))
        .await?;
    tx.commit(state).await?;
    Ok(())
}

// Classes.

async fn render_classes(conn: &mut AnyConnection, org: OrgId, rows: Vec<ClassRow>) -> Result<Vec<Class>> {
    let teachers = store::directory::class_teachers(conn, org).await?;
    Ok(rows
        .into_iter()
        .map(|row| Class {
            id: row.class_id(),
            class_teachers: teachers.iter().filter(|(c, _)| *c == row.class_id()).map(|(_, p)| p.clone()).collect(),
            name: row.name,
            kind: row.kind,
            grade: row.grade,
            academic_year: row.academic_year,
            unit_id: row.unit_id.map(UnitId),
        })
        .collect())
}

async fn render_class(conn: &mut AnyConnection, org: OrgId, class: ClassId) -> Result<Class> {
    let row = store::schools::get_class(conn, org, class).await?.ok_or(Error::NotFound)?;
    render_classes(conn, org, vec![row]).await?.pop().ok_or(Error::NotFound)
}

pub async fn classes(state: &AppState, actor: &Actor, org: OrgId) -> Result<Vec<Class>> {
    let mut conn = state.db.reads().acquire().await?;
    access::visible_school(&mut conn, actor, org).await?;
    let rows = store::schools::list_classes(&mut conn, org).await?;
    render_classes(&mut conn, org, rows).await
}

pub async fn class(state: &AppState, actor: &Actor, org: OrgId, class: ClassId) -> Result<Class> {
    let mut conn = state.db.reads().acquire().await?;
    access::visible_school(&mut conn, actor, org).await?;
    render_class(&mut conn, org, class).await
}

async fn check_unit(conn: &mut AnyConnection, org: OrgId, unit: Option<UnitId>, fields: &mut Fields) -> Result<()> {
    if let Some(unit) = unit
        && store::schools::get_unit(conn, org, unit).await?.is_none()
    {
        fields.reject("unit_id", "unknown_unit");
    }
    Ok(())
}

pub async fn create_class(state: &AppState, actor: &Actor, org: OrgId, request: &CreateClassRequest) -> Result<Class> {
    let mut tx = state.begin().await?;
    access::school(&mut tx, actor, org, Permission::ManageStructure).await?;
    let mut fields = Fields::default();
    let name = fields.check(validate::class_name(&request.name));
    let grade = match request.grade {
        Some(grade) => fields.check(validate::grade(grade)).map(Some),
        None => Some(None),
    };
    let year = fields.check(validate::academic_year(request.academic_year));
    check_unit(&mut tx, org, request.unit_id, &mut fields).await?;
    if store::year_transition::year_archived(&mut tx, org, request.academic_year).await? {
        fields.reject("academic_year", "year_archived");
    }
    fields.finish()?;
    let name = checked(name)?;
    let new = NewClass {
        kind: "class",
        name: &name,
        grade: checked(grade)?,
        academic_year: Some(checked(year)?),
        unit: request.unit_id,
    };
    let id = store::schools::insert_class(&mut tx, org, &new)
        .await
        .map_err(|e| if store::is_unique_violation(&e) { Error::Conflict("class_name_taken") } else { e.into() })?;
    super::seats::do_create_class_chats(&mut tx, org, id, &name).await?;
    store::audit::record(
        &mut tx,
        audit(
            org,
            actor,
            "class_created",
            "class",
            id.0,
            json!({ "name": name, "grade": new.grade, "academic_year": new.academic_year }),
        ),
    )
    .await?;
    let class = render_class(&mut tx, org, id).await?;
    tx.commit(state).await?;
    Ok(class)
}

pub async fn update_class(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    class: ClassId,
    request: &UpdateClassRequest,
) -> Result<Class> {
    let mut tx = state.begin().await?;
    access::school(&mut tx, actor, org, Permission::ManageStructure).await?;
    let old = store::schools::get_class(&mut tx, org, class).await?.ok_or(Error::NotFound)?;
    if old.is_staff_room() {
        return Err(Error::Conflict("staff_room"));
    }
    let mut fields = Fields::default();
    let name = fields.check(validate::class_name(request.name.as_deref().unwrap_or(&old.name)));
    let grade = match request.grade {
        Some(grade) => fields.check(validate::grade(grade)),
        None => old.grade,
    };
    let unit = match request.unit_id {
        Some(unit) => unit,
        None => old.unit_id.map(UnitId),
    };
    check_unit(&mut tx, org, unit, &mut fields).await?;
    fields.finish()?;
    let name = checked(name)?;
    store::schools::update_class(&mut tx, org, class, &name, grade, unit)
        .await
        .map_err(|e| if store::is_unique_violation(&e) { Error::Conflict("class_name_taken") } else { e.into() })?;
    if name != old.name {
        store::chats::rename_class_chats(&mut tx, class, &name).await?;
    }
    store::audit::record(
        &mut tx,
        audit(org, actor, "class_updated", "class", class.0, serde_json::to_value(request).unwrap_or_default()),
    )
    .await?;
    let rendered = render_class(&mut tx, org, class).await?;
    tx.commit(state).await?;
    Ok(rendered)
}

pub async fn assign_class_teacher(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    class: ClassId,
    user: UserId,
) -> Result<Class> {
    let mut tx = state.begin().await?;
    let access = access::school(&mut tx, actor, org, Permission::AssignClassTeachers).await?;
    let row = store::schools::get_class(&mut tx, org, class).await?.ok_or(Error::NotFound)?;
    if row.is_staff_room() {
        return Err(Error::Conflict("staff_room"));
    }
    let places = store::directory::active_places(&mut tx, org, user).await?;
    if !places.iter().any(|p| p.role().teaches()) {
        return Err(Error::Conflict("not_teacher"));
    }
    if store::directory::classes_led_by(&mut tx, org, user).await?.iter().any(|c| c.id == class) {
        return Err(Error::Conflict("already_class_teacher"));
    }
    store::directory::insert_class_teacher(&mut tx, org, class, user, Some(actor.user_id)).await?;
    // A class teacher is one of the class: its students and parents see them in the
    // class list. A teacher who already teaches there keeps their place.
    if !places.iter().any(|p| p.class_id() == class && p.role().teaches()) {
        let teaching_role = places.iter().map(|p| p.role()).find(|r| r.teaches()).unwrap_or(MemberRole::Teacher);
        store::directory::insert_membership(
            &mut tx,
            &NewMembership {
                org,
                user,
                role: teaching_role,
                class,
                child: None,
                started_on: today_in(&access.org.time_zone),
                created_by: Some(actor.user_id),
            },
        )
        .await?;
    }
    store::audit::record(
        &mut tx,
        audit(org, actor, "class_teacher_assigned", "class", class.0, json!({ "user_id": user })),
    )
    .await?;
    super::seats::do_sync_seats(&mut tx, org, user).await?;
    let rendered = render_class(&mut tx, org, class).await?;
    tx.commit(state).await?;
    Ok(rendered)
}

pub async fn remove_class_teacher(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    class: ClassId,
    user: UserId,
) -> Result<Class> {
    let mut tx = state.begin().await?;
    access::school(&mut tx, actor, org, Permission::AssignClassTeachers).await?;
    store::schools::get_class(&mut tx, org, class).await?.ok_or(Error::NotFound)?;
    if store::directory::remove_class_teacher(&mut tx, org, Some(class), user, Some(actor.user_id)).await? == 0 {
        return Err(Error::Conflict("not_class_teacher"));
    }
    store::audit::record(
        &mut tx,
        audit(org, actor, "class_teacher_removed", "class", class.0, json!({ "user_id": user })),
    )
    .await?;
    super::seats::do_sync_seats(&mut tx, org, user).await?;
    let rendered = render_class(&mut tx, org, class).await?;
    tx.commit(state).await?;
    Ok(rendered)
}

// Admins.

pub async fn admins(state: &AppState, actor: &Actor, org: OrgId) -> Result<Vec<Admin>> {
    let mut conn = state.db.reads().acquire().await?;
    access::visible_school(&mut conn, actor, org).await?;
    let rows = store::directory::list_admins(&mut conn, org).await?;
    let mut admins = Vec::with_capacity(rows.len());
    for row in rows {
        let appointed_by = match row.appointed_by {
            Some(id) => store::users::person(&mut conn, UserId(id)).await?,
            None => None,
        };
        admins.push(Admin {
            person: parta_protocol::PersonRef::new(
                UserId(row.user_id),
                &row.family_name,
                &row.given_name,
                row.patronymic.as_deref(),
            ),
            appointed_at: rfc3339(row.appointed_at),
            appointed_by,
        });
    }
    Ok(admins)
}

/// # Appoint an admin among the school's current staff.
pub async fn appoint_admin(state: &AppState, actor: &Actor, org: OrgId, user: UserId) -> Result<Vec<Admin>> {
    let mut tx = state.begin().await?;
    access::school(&mut tx, actor, org, Permission::ManageAdmins).await?;
    store::schools::lock(&mut tx, org).await?;
    let places = store::directory::active_places(&mut tx, org, user).await?;
    if !places.iter().any(|p| p.role().is_staff()) {
        return Err(Error::Conflict("not_staff"));
    }
    if store::directory::is_admin(&mut tx, org, user).await? {
        return Err(Error::Conflict("already_admin"));
    }
    store::directory::insert_admin(&mut tx, org, user, Some(actor.user_id)).await?;
    store::audit::record(&mut tx, audit(org, actor, "admin_appointed", "user", user.0, json!({}))).await?;
    super::seats::do_sync_seats(&mut tx, org, user).await?;
    tx.commit(state).await?;
    admins(state, actor, org).await
}

/// # Remove an admin; a school always keeps at least one.
pub async fn remove_admin(state: &AppState, actor: &Actor, org: OrgId, user: UserId) -> Result<Vec<Admin>> {
    let mut tx = state.begin().await?;
    access::school(&mut tx, actor, org, Permission::ManageAdmins).await?;
    store::schools::lock(&mut tx, org).await?;
    if !store::directory::is_admin(&mut tx, org, user).await? {
        return Err(Error::Conflict("not_admin"));
    }
    if store::directory::count_admins(&mut tx, org).await? <= 1 {
        return Err(Error::Conflict("last_admin"));
    }
    store::directory::remove_admin(&mut tx, org, user, Some(actor.user_id)).await?;
    store::audit::record(&mut tx, audit(org, actor, "admin_removed", "user", user.0, json!({}))).await?;
    super::seats::do_sync_seats(&mut tx, org, user).await?;
    tx.commit(state).await?;
    admins(state, actor, org).await
}
