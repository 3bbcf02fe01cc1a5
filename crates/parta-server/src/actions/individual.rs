//! Students without a device or connection under a remote-learning order (seed 001 §4):
//! the class teacher marks them; their teachers set them individual assignments due
//! after the order, and mark them once the order is over — apart from the class's
//! lessons. Each student and their parents read their own; the class teacher and the
//! administration read their classes'.

use std::collections::{HashMap, HashSet};

use parta_domain::journal::Mark;
use parta_domain::permission::Permission;
use parta_domain::{AssignmentId, ClassId, IndividualId, OrderId, OrgId, SubjectId, UserId, validate};
use parta_protocol::{
    IndividualAssignment, IndividualMarkRequest, IndividualRequest, OfflineRequest, OfflineStudent, SubjectRef,
};
use sqlx::AnyConnection;

use super::Fields;
use crate::access::{self, SchoolAccess};
use crate::auth::Actor;
use crate::clock::{now_ms, rfc3339, today_in};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::distance::{IndividualRow, NewIndividual, OrderRow};

pub const BODY_MAX_CHARS: usize = 2000;

async fn order_of(conn: &mut AnyConnection, org: OrgId, id: OrderId) -> Result<OrderRow> {
    store::distance::order(conn, org, id).await?.ok_or(Error::NotFound)
}

/// # Mark a class's students without a device or connection under an order (its class teacher, the administration)
/// The list given replaces the class's.
pub async fn set_offline(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    id: OrderId,
    request: &OfflineRequest,
) -> Result<Vec<OfflineStudent>> {
    let mut work = state.begin().await?;
    let school = access::visible_school(&mut work, actor, org).await?;
    let order = order_of(&mut work, org, id).await?;
    let class = request.class_id;
    if !school.allows_in_class(Permission::ReadJournal, class) {
        return Err(Error::Forbidden);
    }
    let mut fields = Fields::default();
    if !store::distance::classes(&mut work, order.order_id()).await?.contains(&class.0) {
        fields.reject("class_id", "not_in_order");
    }
    let students: HashSet<UserId> =
        store::journal::class_students_on(&mut work, org, class, &today_in(&school.org.time_zone))
            .await?
            .into_iter()
            .collect();
    // Sets, not scans: a long list costs linear time.
    let mut seen = HashSet::with_capacity(request.student_ids.len());
    for (index, student) in request.student_ids.iter().enumerate() {
        if !students.contains(student) || !seen.insert(*student) {
            fields.reject(&format!("student_ids[{index}]"), "unknown_student");
        }
    }
    fields.finish()?;
    store::distance::set_offline(&mut work, id, class, &request.student_ids, actor.user_id, now_ms()).await?;
    let out = offline_of(&mut work, org, id).await?;
    work.commit(state).await?;
    Ok(out)
}

/// # Who is without a device or connection under an order (the school's staff)
pub async fn offline(state: &AppState, actor: &Actor, org: OrgId, id: OrderId) -> Result<Vec<OfflineStudent>> {
    let mut conn = state.db.reads().acquire().await?;
    let school = access::visible_school(&mut conn, actor, org).await?;
    order_of(&mut conn, org, id).await?;
    if !school.is_staff() {
        return Err(Error::Forbidden);
    }
    offline_of(&mut conn, org, id).await
}

async fn offline_of(conn: &mut AnyConnection, org: OrgId, id: OrderId) -> Result<Vec<OfflineStudent>> {
    let mut out = Vec::new();
    for (student, class) in store::distance::offline(conn, id).await? {
        let (Some(person), Some(class)) = (
            store::users::person(conn, UserId(student)).await?,
            store::schools::get_class(conn, org, ClassId(class)).await?,
        ) else {
            continue;
        };
        out.push(OfflineStudent { person, class: class.class_ref() });
    }
    Ok(out)
}

/// # Set an individual assignment to a student without a device (the teacher of the subject in their class)
/// Due after the order's last day.
pub async fn set(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    id: OrderId,
    request: &IndividualRequest,
) -> Result<IndividualAssignment> {
    let mut work = state.begin().await?;
    access::visible_school(&mut work, actor, org).await?;
    let order = order_of(&mut work, org, id).await?;
    let assignment = teachers_assignment(&mut work, actor, org, request.assignment_id).await?;
    let mut fields = Fields::default();
    let offline: HashMap<i64, i64> = store::distance::offline(&mut work, id).await?.into_iter().collect();
    if offline.get(&request.student_id.0) != Some(&assignment.class_id) {
        fields.reject("student_id", "not_offline");
    } else if let Some(group) = assignment.group_id
        && !store::teaching::group_students(&mut work, parta_domain::GroupId(group))
            .await?
            .contains(&request.student_id)
    {
        // A group's teacher sets work to the group's students only.
        fields.reject("student_id", "unknown_student");
    }
    let body = fields.check(validate::text("body", &request.body, BODY_MAX_CHARS));
    // Due after the order's last day in force: its end, or the day it was ended early
    // (none when it was ended before it began).
    match parta_domain::school_year::date("due_on", &request.due_on) {
        Ok(due) if order.in_force_until.as_deref().is_some_and(|last| due.to_string().as_str() <= last) => {
            fields.reject("due_on", "during_order")
        }
        Ok(_) => {}
        Err(e) => {
            fields.check::<()>(Err(e));
        }
    }
    fields.finish()?;
    let body = super::checked(body)?;
    let new = NewIndividual {
        org,
        order: id,
        student: request.student_id,
        assignment: assignment.id,
        body: &body,
        due_on: request.due_on.trim(),
        by: actor.user_id,
        at: now_ms(),
    };
    let created = store::distance::insert_individual(&mut work, &new).await?;
    let row = store::distance::individual(&mut work, org, created).await?.ok_or(Error::NotFound)?;
    let out = render(&mut work, &row).await?;
    work.commit(state).await?;
    Ok(out)
}

/// A teaching assignment of the actor's, in any year of the school.
async fn teachers_assignment(
    conn: &mut AnyConnection,
    actor: &Actor,
    org: OrgId,
    id: AssignmentId,
) -> Result<store::teaching::AssignmentRow> {
    for year in store::school_year::years(conn, org).await? {
        if let Some(assignment) = store::teaching::assignment(conn, org, year.year_id(), id).await? {
            return if assignment.teacher_id == actor.user_id.0 { Ok(assignment) } else { Err(Error::Forbidden) };
        }
    }
    Err(Error::field("assignment_id", "unknown_assignment"))
}

/// # An order's individual assignments the actor reads
/// Their teacher's, their class teacher's and the administration's; a student's own and
/// their parents'.
pub async fn list(state: &AppState, actor: &Actor, org: OrgId, id: OrderId) -> Result<Vec<IndividualAssignment>> {
    let mut conn = state.db.reads().acquire().await?;
    let school = access::visible_school(&mut conn, actor, org).await?;
    order_of(&mut conn, org, id).await?;
    // Who is in which class under the order, read once for every row.
    let offline: HashMap<i64, i64> = store::distance::offline(&mut conn, id).await?.into_iter().collect();
    let mut out = Vec::new();
    for row in store::distance::individuals(&mut conn, id).await? {
        if reads(&mut conn, &school, actor, &offline, &row).await? {
            out.push(render(&mut conn, &row).await?);
        }
    }
    Ok(out)
}

/// Whether the actor reads an individual assignment; `offline`: the order's students
/// without a device and their classes.
async fn reads(
    conn: &mut AnyConnection,
    school: &SchoolAccess,
    actor: &Actor,
    offline: &HashMap<i64, i64>,
    row: &IndividualRow,
) -> Result<bool> {
    let org = OrgId(row.org_id);
    let student = UserId(row.student_id);
    if row.set_by == actor.user_id.0 || student == actor.user_id {
        return Ok(true);
    }
    if let Some(class) = offline.get(&row.student_id)
        && school.allows_in_class(Permission::ReadJournal, ClassId(*class))
    {
        return Ok(true);
    }
    // Taken off the list after work was set: the class's journal readers still see it.
    if !offline.contains_key(&row.student_id) {
        let assignment = store::teaching::assignment_any_year(conn, org, row.assignment_id).await?;
        if assignment.is_some_and(|class| school.allows_in_class(Permission::ReadJournal, ClassId(class))) {
            return Ok(true);
        }
    }
    super::submissions::is_parent_of(conn, org, actor, student).await
}

/// # Mark an individual assignment once the order is over (its teacher)
pub async fn mark(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    id: IndividualId,
    request: &IndividualMarkRequest,
) -> Result<IndividualAssignment> {
    let mut work = state.begin().await?;
    let school = access::visible_school(&mut work, actor, org).await?;
    let row = store::distance::individual(&mut work, org, id.0).await?.ok_or(Error::NotFound)?;
    let offline: HashMap<i64, i64> =
        store::distance::offline(&mut work, OrderId(row.order_id)).await?.into_iter().collect();
    if !reads(&mut work, &school, actor, &offline, &row).await? {
        return Err(Error::NotFound);
    }
    if row.set_by != actor.user_id.0 {
        return Err(Error::Forbidden);
    }
    let order = order_of(&mut work, org, OrderId(row.order_id)).await?;
    let today = today_in(&school.org.time_zone);
    if order.in_force_until.as_deref().is_some_and(|until| today.as_str() <= until) {
        // The student is marked when back from the order, not while it holds.
        return Err(Error::Conflict("order_in_force"));
    }
    let mark = Mark::parse(&request.mark).ok_or_else(|| Error::field("mark", "invalid_mark"))?;
    store::distance::mark_individual(&mut work, row.id, &mark.as_text(), actor.user_id, now_ms()).await?;
    let row = store::distance::individual(&mut work, org, row.id).await?.ok_or(Error::NotFound)?;
    let out = render(&mut work, &row).await?;
    work.commit(state).await?;
    Ok(out)
}

async fn render(conn: &mut AnyConnection, row: &IndividualRow) -> Result<IndividualAssignment> {
    let org = OrgId(row.org_id);
    let student = store::users::person(conn, UserId(row.student_id)).await?.ok_or(Error::NotFound)?;
    let teacher = store::users::person(conn, UserId(row.set_by)).await?.ok_or(Error::NotFound)?;
    let mut subject = None;
    for year in store::school_year::years(conn, org).await? {
        if let Some(a) = store::teaching::assignment(conn, org, year.year_id(), AssignmentId(row.assignment_id)).await?
        {
            subject = store::school_year::subject(conn, org, SubjectId(a.subject_id)).await?;
            break;
        }
    }
    let subject = subject.ok_or(Error::NotFound)?;
    Ok(IndividualAssignment {
        id: IndividualId(row.id),
        order_id: OrderId(row.order_id),
        student,
        assignment_id: AssignmentId(row.assignment_id),
        subject: SubjectRef { id: subject.subject_id(), name: subject.name, short_name: subject.short_name },
        teacher,
        body: row.body.clone(),
        due_on: row.due_on.clone(),
        set_at: rfc3339(row.set_at),
        mark: row.mark.clone(),
        marked_at: row.marked_at.map(rfc3339),
    })
}
