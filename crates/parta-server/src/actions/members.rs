//! The directory as people see it (names, role badges, classes; contacts only for
//! oneself and admins) and the movement of people: teacher verification,
//! transfers, leavers, staff role changes. Memberships are ended and started,
//! never rewritten, so history is kept.

use std::collections::BTreeMap;

use parta_domain::permission::Permission;
use parta_domain::{ClassId, MemberRole, MembershipId, OrgId, StaffRole, UserId};
use parta_protocol::{ClassMembership, LeaveRequest, Member, TransferRequest};
use serde_json::json;
use sqlx::AnyConnection;

use crate::access::{self, SchoolAccess};
use crate::auth::Actor;
use crate::clock::{parse_date, today_in};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::audit::Entry;
use crate::store::directory::{NewMembership, PlaceRow};
use crate::work::Work;

/// Builds directory entries from current places, one per person.
async fn render_members(
    conn: &mut AnyConnection,
    access: &SchoolAccess,
    actor: &Actor,
    places: Vec<PlaceRow>,
) -> Result<Vec<Member>> {
    let org = access.org_id();
    let admins: Vec<i64> = store::directory::list_admins(conn, org).await?.into_iter().map(|a| a.user_id).collect();
    let verified = store::directory::verified_teachers(conn, org).await?;
    let led = store::directory::class_teachers(conn, org).await?;
    let classes: BTreeMap<ClassId, store::schools::ClassRow> =
        store::schools::list_classes(conn, org).await?.into_iter().map(|c| (c.class_id(), c)).collect();
    let sees_contacts = access.allows_in_school(Permission::ReadContacts);

    let mut by_person: BTreeMap<i64, Vec<PlaceRow>> = BTreeMap::new();
    let mut order = Vec::new();
    for place in places {
        if !by_person.contains_key(&place.user_id) {
            order.push(place.user_id);
        }
        by_person.entry(place.user_id).or_default().push(place);
    }
    let mut members = Vec::with_capacity(order.len());
    for user_id in order {
        let places = by_person.remove(&user_id).unwrap_or_default();
        let Some(first) = places.first() else { continue };
        let user = UserId(user_id);
        let mut roles: Vec<MemberRole> = Vec::new();
        for place in &places {
            if !roles.contains(&place.role()) {
                roles.push(place.role());
            }
        }
        let (email, phone) = if sees_contacts || user == actor.user_id {
            let row = store::users::get(conn, user).await?;
            (row.as_ref().and_then(|u| u.email.clone()), row.and_then(|u| u.phone))
        } else {
            (None, None)
        };
        members.push(Member {
            person: first.person(),
            roles,
            class_teacher_of: led
                .iter()
                .filter(|(_, p)| p.id == user)
                .filter_map(|(class, _)| classes.get(class).map(|c| c.class_ref()))
                .collect(),
            is_admin: admins.contains(&user_id),
            teacher_verified: verified.contains(&user),
            places: places.iter().map(PlaceRow::place).collect(),
            email,
            phone,
            may_message: None,
        });
    }
    Ok(members)
}

/// # The people of a school, or of one class
/// Staff and admins read the whole school; students and parents read the classes
/// they (or their children) are in. `unverified_only`: the teachers whose status is
/// not yet confirmed, in one list for the admin who confirms it.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    class: Option<ClassId>,
    unverified_only: bool,
) -> Result<Vec<Member>> {
    let mut conn = state.db.reads().acquire().await?;
    let access = match class {
        Some(class) => access::class(&mut conn, actor, org, class, Permission::ReadMembers).await?.0,
        None => access::school(&mut conn, actor, org, Permission::ReadMembers).await?,
    };
    let places = store::directory::school_places(&mut conn, org, class).await?;
    let mut members = render_members(&mut conn, &access, actor, places).await?;
    if unverified_only {
        members.retain(|m| m.roles.contains(&MemberRole::Teacher) && !m.teacher_verified);
    }
    Ok(members)
}

/// # One person of the school
/// Visible to whoever may read the whole school, or a class the person is in;
/// to anyone else the person does not exist.
pub async fn get(state: &AppState, actor: &Actor, org: OrgId, user: UserId) -> Result<Member> {
    let mut conn = state.db.reads().acquire().await?;
    let access = access::visible_school(&mut conn, actor, org).await?;
    let places = store::directory::active_places(&mut conn, org, user).await?;
    let visible = user == actor.user_id
        || (!places.is_empty() && access.allows_in_school(Permission::ReadMembers))
        || places.iter().any(|p| access.allows_in_class(Permission::ReadMembers, p.class_id()));
    if !visible {
        return Err(Error::NotFound);
    }
    let mut member = render_members(&mut conn, &access, actor, places).await?.pop().ok_or(Error::NotFound)?;
    member.may_message = Some(super::direct::may_write_directly(&mut conn, &access, actor.user_id, user).await?);
    Ok(member)
}

/// # Every membership a class has had, current and past.
pub async fn class_history(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    class: ClassId,
) -> Result<Vec<ClassMembership>> {
    let mut conn = state.db.reads().acquire().await?;
    access::class(&mut conn, actor, org, class, Permission::ReadMembers).await?;
    let rows = store::directory::class_history(&mut conn, org, class).await?;
    Ok(rows
        .into_iter()
        .map(|row| ClassMembership {
            membership_id: MembershipId(row.membership_id),
            person: row.person(),
            role: row.role(),
            child: row.child(),
            started_on: row.started_on.clone(),
            ended_on: row.ended_on.clone(),
            end_reason: row.end_reason.clone(),
        })
        .collect())
}

fn entry<'a>(org: OrgId, actor: &Actor, action: &'a str, user: UserId, details: serde_json::Value) -> Entry<'a> {
    Entry { org: Some(org), actor: Some(actor.user_id), action, target_type: "user", target_id: Some(user.0), details }
}

/// # Verify or withdraw a teacher's status (the badge on their profile).
pub async fn set_teacher_verified(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    user: UserId,
    verified: bool,
) -> Result<Member> {
    let mut tx = state.begin().await?;
    access::school(&mut tx, actor, org, Permission::VerifyTeachers).await?;
    let places = store::directory::active_places(&mut tx, org, user).await?;
    if !places.iter().any(|p| p.role().teaches()) {
        return Err(Error::Conflict("not_teacher"));
    }
    store::directory::set_teacher_verified(&mut tx, org, user, Some(actor.user_id), verified).await?;
    let action = if verified { "teacher_verified" } else { "teacher_verification_withdrawn" };
    store::audit::record(&mut tx, entry(org, actor, action, user, json!({}))).await?;
    tx.commit(state).await?;
    get(state, actor, org, user).await
}

pub(crate) fn date_or_today(field: &str, on: Option<&str>, time_zone: &str) -> Result<String> {
    match on.map(str::trim).filter(|d| !d.is_empty()) {
        Some(text) => parse_date(text).ok_or_else(|| Error::field(field, "invalid_date")),
        None => Ok(today_in(time_zone)),
    }
}

/// Ends a place (for `reason`) and starts its successor in another class, same role and child.
pub(crate) async fn do_move_place(
    conn: &mut AnyConnection,
    place: &PlaceRow,
    to: ClassId,
    on: &str,
    by: UserId,
    reason: &str,
) -> Result<()> {
    store::directory::end_membership(conn, MembershipId(place.membership_id), on, reason).await?;
    store::directory::insert_membership(
        conn,
        &NewMembership {
            org: OrgId(place.org_id),
            user: UserId(place.user_id),
            role: place.role(),
            class: to,
            child: place.child_user_id.map(UserId),
            started_on: on.to_owned(),
            created_by: Some(by),
        },
    )
    .await?;
    Ok(())
}

/// Moves a student's place to another class on a date; their parents' places in the
/// class they leave follow; everyone's chats follow the places.
pub(crate) async fn do_transfer_student(
    conn: &mut Work,
    student_place: &PlaceRow,
    to: ClassId,
    on: &str,
    by: UserId,
) -> Result<()> {
    let (org, user, from) = (OrgId(student_place.org_id), UserId(student_place.user_id), student_place.class_id());
    do_move_place(conn, student_place, to, on, by, "transferred").await?;
    super::seats::do_sync_seats(conn, org, user).await?;
    for parent_place in store::directory::parent_places_for_child(conn, org, user).await? {
        if parent_place.class_id() == from {
            do_move_place(conn, &parent_place, to, on, by, "transferred").await?;
            super::seats::do_sync_seats(conn, org, UserId(parent_place.user_id)).await?;
        }
    }
    Ok(())
}

/// # Transfer a student to another class; their parents' places follow.
pub async fn transfer(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    user: UserId,
    request: &TransferRequest,
) -> Result<Member> {
    let mut tx = state.begin().await?;
    let access = access::school(&mut tx, actor, org, Permission::MoveMembers).await?;
    let on = date_or_today("on", request.on.as_deref(), &access.org.time_zone)?;
    let target = store::schools::get_class(&mut tx, org, request.to_class_id)
        .await?
        .ok_or_else(|| Error::field("to_class_id", "unknown_class"))?;
    if target.is_staff_room() {
        return Err(Error::Conflict("staff_room"));
    }
    if let Some(year) = target.academic_year
        && store::year_transition::year_archived(&mut tx, org, year).await?
    {
        return Err(Error::Conflict("year_archived"));
    }
    let places = store::directory::active_places(&mut tx, org, user).await?;
    let Some(student_place) = places.iter().find(|p| p.role() == MemberRole::Student) else {
        return Err(Error::Conflict("not_student"));
    };
    if student_place.class_id() == target.class_id() {
        return Err(Error::Conflict("same_class"));
    }
    if on < student_place.started_on {
        return Err(Error::field("on", "before_start"));
    }
    let from = student_place.class_id();
    do_transfer_student(&mut tx, student_place, target.class_id(), &on, actor.user_id).await?;
    store::audit::record(
        &mut tx,
        entry(
            org,
            actor,
            "student_transferred",
            user,
            json!({ "from_class_id": from, "to_class_id": target.id, "on": on }),
        ),
    )
    .await?;
    tx.commit(state).await?;
    get(state, actor, org, user).await
}

/// # Mark a person as having left (or graduated) on a date
/// Every place ends; a student's parents lose the places they held through them;
/// admin and class-teacher roles end. The school's last admin cannot leave.
pub async fn leave(state: &AppState, actor: &Actor, org: OrgId, user: UserId, request: &LeaveRequest) -> Result<()> {
    let mut tx = state.begin().await?;
    let access = access::school(&mut tx, actor, org, Permission::MoveMembers).await?;
    // The last day is required here: a blank one must not silently mean today.
    if request.on.trim().is_empty() {
        return Err(Error::field("on", "required"));
    }
    let on = date_or_today("on", Some(&request.on), &access.org.time_zone)?;
    let reason = match request.reason.as_deref().unwrap_or("left") {
        reason @ ("left" | "graduated") => reason,
        _ => return Err(Error::field("reason", "invalid_format")),
    };
    store::schools::lock(&mut tx, org).await?;
    let places = store::directory::active_places(&mut tx, org, user).await?;
    let is_admin = store::directory::is_admin(&mut tx, org, user).await?;
    if places.is_empty() && !is_admin {
        return Err(Error::Conflict("not_member"));
    }
    // ISO dates compare as text.
    if places.iter().any(|p| on < p.started_on) {
        return Err(Error::field("on", "before_start"));
    }
    if is_admin {
        if store::directory::count_admins(&mut tx, org).await? <= 1 {
            return Err(Error::Conflict("last_admin"));
        }
        store::directory::remove_admin(&mut tx, org, user, Some(actor.user_id)).await?;
    }
    for place in &places {
        store::directory::end_membership(&mut tx, MembershipId(place.membership_id), &on, reason).await?;
    }
    if places.iter().any(|p| p.role() == MemberRole::Student) {
        for parent_place in store::directory::parent_places_for_child(&mut tx, org, user).await? {
            store::directory::end_membership(&mut tx, MembershipId(parent_place.membership_id), &on, "child_left")
                .await?;
            super::seats::do_sync_seats(&mut tx, org, UserId(parent_place.user_id)).await?;
        }
    }
    store::directory::remove_class_teacher(&mut tx, org, None, user, Some(actor.user_id)).await?;
    super::seats::do_sync_seats(&mut tx, org, user).await?;
    store::audit::record(&mut tx, entry(org, actor, "member_left", user, json!({ "on": on, "reason": reason })))
        .await?;
    crate::webhooks::events::do_member_left(&mut tx, org, user, &on, reason).await?;
    tx.commit(state).await?;
    Ok(())
}

/// # Change a staff member's role
/// Each staff place ends and restarts with the new role; someone who no longer
/// teaches stops leading classes.
pub async fn change_role(state: &AppState, actor: &Actor, org: OrgId, user: UserId, role: StaffRole) -> Result<Member> {
    let mut tx = state.begin().await?;
    let access = access::school(&mut tx, actor, org, Permission::MoveMembers).await?;
    let today = today_in(&access.org.time_zone);
    let places = store::directory::active_places(&mut tx, org, user).await?;
    let staff_places: Vec<&PlaceRow> = places.iter().filter(|p| p.role().is_staff()).collect();
    if staff_places.is_empty() {
        return Err(Error::Conflict("not_staff"));
    }
    let new_role = role.member_role();
    if staff_places.iter().all(|p| p.role() == new_role) {
        return Err(Error::Conflict("same_role"));
    }
    let old_roles: Vec<&str> = staff_places.iter().map(|p| p.role.as_str()).collect();
    let mut seen_classes = Vec::new();
    for place in &staff_places {
        store::directory::end_membership(&mut tx, MembershipId(place.membership_id), &today, "role_changed").await?;
        // Two staff places in one class collapse into one with the new role.
        if seen_classes.contains(&place.class_id) {
            continue;
        }
        seen_classes.push(place.class_id);
        store::directory::insert_membership(
            &mut tx,
            &NewMembership {
                org,
                user,
                role: new_role,
                class: place.class_id(),
                child: None,
                started_on: today.clone(),
                created_by: Some(actor.user_id),
            },
        )
        .await?;
    }
    if !new_role.teaches() {
        store::directory::remove_class_teacher(&mut tx, org, None, user, Some(actor.user_id)).await?;
        store::directory::set_teacher_verified(&mut tx, org, user, None, false).await?;
    }
    store::audit::record(
        &mut tx,
        entry(org, actor, "staff_role_changed", user, json!({ "from": old_roles, "to": new_role })),
    )
    .await?;
    super::seats::do_sync_seats(&mut tx, org, user).await?;
    tx.commit(state).await?;
    get(state, actor, org, user).await
}
