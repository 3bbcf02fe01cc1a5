//! Who teaches what: groups inside a class (for subjects taught in halves) and
//! teaching assignments — a teacher, a subject, a class or one of its groups, in a
//! school year. The admins and the deputy director set them; the school's staff read
//! them all, a class's students and parents those of their class.

use parta_domain::permission::Permission;
use parta_domain::{AssignmentId, ClassId, GroupId, OrgId, UserId, YearId, validate};
use parta_protocol::{Assignment, AssignmentRequest, ClassGroup, GroupRef, GroupRequest, SubjectRef};
use serde_json::json;
use sqlx::AnyConnection;

use super::{Fields, checked};
use crate::access;
use crate::auth::Actor;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::audit::Entry;
use crate::store::schools::ClassRow;
use crate::store::teaching::{AssignmentRow, GroupRow, NewAssignment};

pub const GROUP_NAME_MAX_CHARS: usize = 60;
pub const GROUP_MAX_STUDENTS: usize = 60;

async fn render_group(conn: &mut AnyConnection, row: &GroupRow) -> Result<ClassGroup> {
    Ok(ClassGroup {
        id: row.group_id(),
        class_id: ClassId(row.class_id),
        name: row.name.clone(),
        student_ids: store::teaching::group_students(conn, row.group_id()).await?,
    })
}

/// A class of the school that has lessons (not the staff room).
async fn teaching_class(conn: &mut AnyConnection, org: OrgId, class: ClassId) -> Result<Option<ClassRow>> {
    Ok(store::schools::get_class(conn, org, class).await?.filter(|c| c.kind != "staff_room"))
}

/// # A class's groups with their students (the school's staff; the class's students and parents)
pub async fn groups(state: &AppState, actor: &Actor, org: OrgId, class: ClassId) -> Result<Vec<ClassGroup>> {
    let mut conn = state.db.reads().acquire().await?;
    access::class(&mut conn, actor, org, class, Permission::ReadMembers).await?;
    let mut groups = Vec::new();
    for row in store::teaching::groups(&mut conn, org, class).await? {
        groups.push(render_group(&mut conn, &row).await?);
    }
    Ok(groups)
}

/// A group request checked: its name, and students who are students of the class now.
async fn check_group(
    conn: &mut AnyConnection,
    org: OrgId,
    class: ClassId,
    request: &GroupRequest,
) -> Result<(String, Vec<UserId>)> {
    let mut fields = Fields::default();
    let name = fields.check(validate::line("name", &request.name, GROUP_NAME_MAX_CHARS));
    if request.student_ids.len() > GROUP_MAX_STUDENTS {
        fields.reject("student_ids", "out_of_range");
    }
    let places = store::directory::school_places(conn, org, Some(class)).await?;
    let mut students = Vec::with_capacity(request.student_ids.len());
    for (index, student) in request.student_ids.iter().enumerate() {
        let in_class = places.iter().any(|p| p.user_id == student.0 && p.role() == parta_domain::MemberRole::Student);
        if !in_class {
            fields.reject(&format!("student_ids[{index}]"), "unknown_student");
        } else if !students.contains(student) {
            students.push(*student);
        }
    }
    fields.finish()?;
    Ok((checked(name)?, students))
}

/// # Make a group inside a class (admins, the deputy director)
pub async fn create_group(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    class: ClassId,
    request: &GroupRequest,
) -> Result<ClassGroup> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ManageSchoolYear).await?;
    teaching_class(&mut work, org, class).await?.ok_or(Error::NotFound)?;
    let (name, students) = check_group(&mut work, org, class, request).await?;
    let id = store::teaching::insert_group(&mut work, org, class, &name).await?;
    store::teaching::replace_group_students(&mut work, org, id, &students).await?;
    let details = json!({ "class_id": class, "name": name, "students": students.len() });
    store::audit::record(
        &mut work,
        Entry::in_school(org, actor.user_id, "class_group_created", "class_group", id.0, details),
    )
    .await?;
    let row = store::teaching::group(&mut work, org, class, id).await?.ok_or(Error::NotFound)?;
    let rendered = render_group(&mut work, &row).await?;
    work.commit(state).await?;
    Ok(rendered)
}

/// # Rename a group and set its students (admins, the deputy director)
pub async fn update_group(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    class: ClassId,
    id: GroupId,
    request: &GroupRequest,
) -> Result<ClassGroup> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ManageSchoolYear).await?;
    store::teaching::group(&mut work, org, class, id).await?.ok_or(Error::NotFound)?;
    let (name, students) = check_group(&mut work, org, class, request).await?;
    store::teaching::rename_group(&mut work, id, &name).await?;
    store::teaching::replace_group_students(&mut work, org, id, &students).await?;
    let details = json!({ "class_id": class, "name": name, "students": students.len() });
    store::audit::record(
        &mut work,
        Entry::in_school(org, actor.user_id, "class_group_changed", "class_group", id.0, details),
    )
    .await?;
    let row = store::teaching::group(&mut work, org, class, id).await?.ok_or(Error::NotFound)?;
    let rendered = render_group(&mut work, &row).await?;
    work.commit(state).await?;
    Ok(rendered)
}

/// # Retire a group: it and its assignments end (admins, the deputy director)
pub async fn archive_group(state: &AppState, actor: &Actor, org: OrgId, class: ClassId, id: GroupId) -> Result<()> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ManageSchoolYear).await?;
    store::teaching::group(&mut work, org, class, id).await?.ok_or(Error::NotFound)?;
    for year in store::school_year::years(&mut work, org).await? {
        for assignment in store::teaching::assignments(&mut work, org, year.year_id(), None, Some(class)).await? {
            if assignment.group_id == Some(id.0) {
                store::teaching::end_assignment(&mut work, assignment.assignment_id()).await?;
                store::teaching::remove_entries_of(&mut work, assignment.assignment_id()).await?;
            }
        }
    }
    store::teaching::archive_group(&mut work, id).await?;
    store::audit::record(
        &mut work,
        Entry::in_school(org, actor.user_id, "class_group_archived", "class_group", id.0, json!({ "class_id": class })),
    )
    .await?;
    work.commit(state).await?;
    Ok(())
}

async fn render_assignment(conn: &mut AnyConnection, org: OrgId, row: &AssignmentRow) -> Result<Assignment> {
    let teacher = store::users::person(conn, UserId(row.teacher_id)).await?.ok_or(Error::NotFound)?;
    let subject = store::school_year::subject(conn, org, parta_domain::SubjectId(row.subject_id))
        .await?
        .ok_or(Error::NotFound)?;
    let class = store::schools::get_class(conn, org, ClassId(row.class_id)).await?.ok_or(Error::NotFound)?;
    let group = match row.group_id {
        Some(group) => store::teaching::group(conn, org, ClassId(row.class_id), GroupId(group))
            .await?
            .map(|g| GroupRef { id: g.group_id(), name: g.name }),
        None => None,
    };
    Ok(Assignment {
        id: row.assignment_id(),
        year_id: YearId(row.year_id),
        teacher,
        subject: SubjectRef { id: subject.subject_id(), name: subject.name, short_name: subject.short_name },
        class: class.class_ref(),
        group,
    })
}

/// # Who teaches what in a year
/// The school's staff see all; narrowed to a class, its students and parents see it too.
pub async fn assignments(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    year: YearId,
    teacher: Option<UserId>,
    class: Option<ClassId>,
) -> Result<Vec<Assignment>> {
    let mut conn = state.db.reads().acquire().await?;
    match class {
        Some(class) => access::class(&mut conn, actor, org, class, Permission::ReadMembers).await.map(|_| ())?,
        None => access::school(&mut conn, actor, org, Permission::ReadMembers).await.map(|_| ())?,
    }
    store::school_year::year(&mut conn, org, year).await?.ok_or(Error::NotFound)?;
    let mut out = Vec::new();
    for row in store::teaching::assignments(&mut conn, org, year, teacher, class).await? {
        out.push(render_assignment(&mut conn, org, &row).await?);
    }
    Ok(out)
}

/// # Give a teacher a subject in a class or one of its groups (admins, the deputy director)
pub async fn create_assignment(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    year: YearId,
    request: &AssignmentRequest,
) -> Result<Assignment> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ManageSchoolYear).await?;
    super::school_year::changing_year(&mut work, org, year).await?;
    let mut fields = Fields::default();
    let places = store::directory::active_places(&mut work, org, request.teacher_id).await?;
    if !places.iter().any(|p| p.role().teaches()) {
        fields.reject("teacher_id", "not_a_teacher");
    }
    match store::school_year::subject(&mut work, org, request.subject_id).await? {
        None => fields.reject("subject_id", "unknown_subject"),
        Some(subject) if subject.archived_at.is_some() => fields.reject("subject_id", "archived"),
        Some(_) => {}
    }
    match teaching_class(&mut work, org, request.class_id).await? {
        None => fields.reject("class_id", "unknown_class"),
        Some(_) => {
            if let Some(group) = request.group_id
                && store::teaching::group(&mut work, org, request.class_id, group).await?.is_none()
            {
                fields.reject("group_id", "unknown_group");
            }
        }
    }
    fields.finish()?;
    let new = NewAssignment {
        year,
        teacher: request.teacher_id,
        subject: request.subject_id,
        class: request.class_id,
        group: request.group_id,
    };
    store::schools::lock(&mut work, org).await?;
    if store::teaching::same_assignment(&mut work, org, &new).await?.is_some() {
        return Err(Error::Conflict("assignment_exists"));
    }
    let id = store::teaching::insert_assignment(&mut work, org, &new).await?;
    let details = json!({ "year_id": year, "teacher_id": new.teacher, "subject_id": new.subject, "class_id": new.class, "group_id": new.group });
    store::audit::record(
        &mut work,
        Entry::in_school(org, actor.user_id, "assignment_created", "assignment", id.0, details),
    )
    .await?;
    let row = store::teaching::assignment(&mut work, org, year, id).await?.ok_or(Error::NotFound)?;
    let rendered = render_assignment(&mut work, org, &row).await?;
    work.commit(state).await?;
    Ok(rendered)
}

/// # End a teaching assignment: its lessons leave the timetable; what was taught stays (admins, the deputy director)
pub async fn end_assignment(state: &AppState, actor: &Actor, org: OrgId, year: YearId, id: AssignmentId) -> Result<()> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ManageSchoolYear).await?;
    super::school_year::changing_year(&mut work, org, year).await?;
    let row = store::teaching::assignment(&mut work, org, year, id).await?.ok_or(Error::NotFound)?;
    store::teaching::end_assignment(&mut work, id).await?;
    let lessons = store::teaching::remove_entries_of(&mut work, id).await?;
    let details = json!({
        "teacher_id": row.teacher_id, "subject_id": row.subject_id, "class_id": row.class_id, "timetable_lessons_removed": lessons,
    });
    store::audit::record(
        &mut work,
        Entry::in_school(org, actor.user_id, "assignment_ended", "assignment", id.0, details),
    )
    .await?;
    work.commit(state).await?;
    Ok(())
}
