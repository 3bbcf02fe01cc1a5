//! The new school year (seed 004 §3), run by an admin after a preview: each class of
//! the ending year goes on as next year's class (5А → 6А) with its students, parents,
//! class teachers, chats and open invite links; the leaving grades leave on a date;
//! the exceptions picked by name go where they are sent. Subject chats and a
//! graduating class's chats become read-only archives; the ending year is archived —
//! its periods closed, its journal and timetable read-only. Nothing is deleted,
//! and it all happens in one transaction: a failure changes nothing.

use std::collections::{BTreeSet, HashMap};

use parta_domain::chats::ChatKind;
use parta_domain::permission::Permission;
use parta_domain::year_transition::{self, Choices, ClassNow, Destination, Exception, Outcome, Plan};
use parta_domain::{ClassId, MemberRole, MembershipId, OrgId, UserId};
use parta_protocol::{
    ChatEvent, ChatTransition, ClassOutcome, ClassTransition, ExceptionAction, PlannedException, YearRef,
    YearTransitionPlan, YearTransitionRequest,
};
use serde_json::json;
use sqlx::AnyConnection;

use super::events::do_chat_event;
use super::members::{date_or_today, do_move_place};
use crate::access::{self, SchoolAccess};
use crate::auth::Actor;
use crate::clock::today_in;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::chats::ChatRow;
use crate::store::directory::{NewMembership, PlaceRow};
use crate::store::school_year::YearRow;
use crate::store::schools::{ClassRow, NewClass};

/// A chat and the title it takes.
type Retitled<'a> = (&'a ChatRow, String);

/// Everything a transition is decided from, read in the transaction that runs it.
struct Ground {
    from: YearRow,
    to: YearRow,
    to_calendar_year: i64,
    classes: Vec<ClassRow>,
    /// The current places held in the ending year's classes.
    places: Vec<PlaceRow>,
    /// The school's chats tied to those classes.
    chats: Vec<ChatRow>,
    plan: Plan,
    request: YearTransitionRequest,
    graduated_on: String,
}

/// 2026 for a year that starts on 2026-09-01: how classes name their year.
fn calendar_year(year: &YearRow) -> Result<i64> {
    year.starts_on
        .get(..4)
        .and_then(|y| y.parse().ok())
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("a stored year starts on {}", year.starts_on)))
}

async fn ground(conn: &mut AnyConnection, school: &SchoolAccess, request: &YearTransitionRequest) -> Result<Ground> {
    let org = school.org_id();
    let from = store::school_year::year(conn, org, request.from_year_id)
        .await?
        .ok_or_else(|| Error::field("from_year_id", "unknown_year"))?;
    let to = store::school_year::year(conn, org, request.to_year_id)
        .await?
        .ok_or_else(|| Error::field("to_year_id", "unknown_year"))?;
    if from.archived() {
        return Err(Error::Conflict("year_archived"));
    }
    if to.starts_on <= from.ends_on {
        return Err(Error::field("to_year_id", "not_after_from_year"));
    }
    let leaving_grades = match &request.leaving_grades {
        Some(grades) if grades.iter().any(|g| !(1..=year_transition::LAST_GRADE).contains(g)) => {
            return Err(Error::field("leaving_grades", "invalid_grade"));
        }
        Some(grades) => grades.iter().copied().collect(),
        None => Choices::default_leaving_grades(),
    };
    let graduated_on = date_or_today("graduated_on", request.graduated_on.as_deref(), &school.org.time_zone)?;
    let mut exceptions = Vec::with_capacity(request.exceptions.len());
    for (index, e) in request.exceptions.iter().enumerate() {
        let exception = match (e.action, e.to_class_id) {
            (ExceptionAction::Repeat, _) => Exception::Repeat,
            (ExceptionAction::Leave, _) => Exception::Leave,
            (ExceptionAction::Move, Some(to)) => Exception::MoveWith(to),
            (ExceptionAction::Move, None) => {
                return Err(Error::field(&format!("exceptions[{index}].to_class_id"), "required"));
            }
        };
        exceptions.push((e.student_id, exception));
    }
    let classes = store::year_transition::classes_of_year(conn, org, calendar_year(&from)?).await?;
    let ids: BTreeSet<i64> = classes.iter().map(|c| c.id).collect();
    let places: Vec<PlaceRow> = store::directory::school_places(conn, org, None)
        .await?
        .into_iter()
        .filter(|p| ids.contains(&p.class_id))
        .collect();
    let now: Vec<ClassNow> = classes
        .iter()
        .map(|c| ClassNow {
            id: c.class_id(),
            name: c.name.clone(),
            grade: c.grade,
            students: places
                .iter()
                .filter(|p| p.class_id == c.id && p.role() == MemberRole::Student)
                .map(|p| UserId(p.user_id))
                .collect(),
        })
        .collect();
    let to_calendar_year = calendar_year(&to)?;
    let taken: BTreeSet<String> = store::year_transition::classes_of_year(conn, org, to_calendar_year)
        .await?
        .into_iter()
        .map(|c| c.name)
        .collect();
    let choices = Choices { leaving_grades, continuing: request.continuing.iter().copied().collect(), exceptions };
    let plan = year_transition::plan(&now, &choices, &taken).map_err(Error::Validation)?;
    let chats = store::chats::org_chats(conn, org)
        .await?
        .into_iter()
        .filter(|c| c.archived_at.is_none() && c.class_id.is_some_and(|class| ids.contains(&class)))
        .collect();
    Ok(Ground { from, to, to_calendar_year, classes, places, chats, plan, request: request.clone(), graduated_on })
}

impl Ground {
    fn class(&self, id: ClassId) -> Option<&ClassRow> {
        self.classes.iter().find(|c| c.id == id.0)
    }

    /// A chat's title once it is an archive: «История — 5А, 2025/2026».
    fn archived_title(&self, chat: &ChatRow) -> String {
        format!("{}, {}", chat.title, self.from.name)
    }

    /// The chats that go on with their class (new title), and those archived.
    fn chats(&self) -> (Vec<Retitled<'_>>, Vec<Retitled<'_>>) {
        let mut following = Vec::new();
        let mut archived = Vec::new();
        for chat in &self.chats {
            let Some(class) = chat.class_id.map(ClassId) else { continue };
            match (chat.kind(), self.plan.outcomes.get(&class)) {
                (ChatKind::Subject, _) | (_, Some(Outcome::Graduates)) => {
                    archived.push((chat, self.archived_title(chat)))
                }
                (kind, Some(Outcome::GoesOn { name, .. })) => following.push((chat, kind.title(name))),
                (_, None) => {}
            }
        }
        (following, archived)
    }

    fn render(&self, done: bool) -> YearTransitionPlan {
        let person = |id: UserId| {
            self.places.iter().find(|p| p.user_id == id.0 && p.role() == MemberRole::Student).map(PlaceRow::person)
        };
        let classes = self
            .classes
            .iter()
            .map(|c| {
                let (outcome, to_name) = match &self.plan.outcomes[&c.class_id()] {
                    Outcome::GoesOn { name, .. } => (ClassOutcome::GoesOn, Some(name.clone())),
                    Outcome::Graduates => (ClassOutcome::Graduates, None),
                };
                let students =
                    self.places.iter().filter(|p| p.class_id == c.id && p.role() == MemberRole::Student).count();
                ClassTransition { class: c.class_ref(), grade: c.grade, outcome, to_name, students: students as i64 }
            })
            .collect();
        let exceptions = self
            .request
            .exceptions
            .iter()
            .filter_map(|e| {
                let (from, goes) = self.plan.students.get(&e.student_id)?;
                let to_name = match goes {
                    Destination::Class(name) => Some(name.clone()),
                    Destination::Graduates | Destination::Leaves => None,
                };
                Some(PlannedException {
                    student: person(e.student_id)?,
                    from_class: self.class(*from)?.class_ref(),
                    action: e.action,
                    to_name,
                })
            })
            .collect();
        let wire = |(chat, new_title): (&ChatRow, String)| ChatTransition {
            chat_id: chat.chat_id(),
            title: chat.title.clone(),
            new_title,
        };
        let (following, archived) = self.chats();
        let count =
            |action: ExceptionAction| self.request.exceptions.iter().filter(|e| e.action == action).count() as i64;
        let graduating = self.plan.students.values().filter(|(_, d)| *d == Destination::Graduates).count() as i64;
        let leaving = count(ExceptionAction::Leave);
        let (repeating, moving) = (count(ExceptionAction::Repeat), count(ExceptionAction::Move));
        YearTransitionPlan {
            from_year: YearRef { id: self.from.year_id(), name: self.from.name.clone() },
            to_year: YearRef { id: self.to.year_id(), name: self.to.name.clone() },
            classes,
            new_classes: self.plan.next_classes.iter().filter(|n| n.from.is_none()).map(|n| n.name.clone()).collect(),
            exceptions,
            chats_following: following.into_iter().map(wire).collect(),
            chats_archived: archived.into_iter().map(wire).collect(),
            taken_names: self.plan.taken.clone(),
            students_promoted: self.plan.students.len() as i64 - graduating - leaving - repeating - moving,
            students_graduating: graduating,
            students_leaving: leaving,
            students_repeating: repeating,
            students_moving: moving,
            done,
        }
    }
}

/// # What moving on to the next year would do (the admins)
/// Nothing changes: the classes, students, chats and exceptions as they would go.
pub async fn preview(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    request: &YearTransitionRequest,
) -> Result<YearTransitionPlan> {
    let mut conn = state.db.reads().acquire().await?;
    let school = access::school(&mut conn, actor, org, Permission::MoveYearOn).await?;
    Ok(ground(&mut conn, &school, request).await?.render(false))
}

/// # Move the school on to the next year (the admins)
/// Promotes the classes, lets the leaving grades and the leavers go, moves the
/// exceptions, carries the chats on or archives them, and archives the ending year,
/// in one transaction. Refused while a next year's name is taken.
pub async fn run(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    request: &YearTransitionRequest,
) -> Result<YearTransitionPlan> {
    let mut work = state.begin().await?;
    let school = access::school(&mut work, actor, org, Permission::MoveYearOn).await?;
    store::schools::lock(&mut work, org).await?;
    let ground = ground(&mut work, &school, request).await?;
    if !ground.plan.taken.is_empty() {
        return Err(Error::Conflict("class_exists"));
    }
    let by = actor.user_id;
    let today = today_in(&school.org.time_zone);

    // Next year's classes, and the ones they continue.
    let mut next: HashMap<String, ClassId> = HashMap::new();
    for class in &ground.plan.next_classes {
        let unit = class.from.and_then(|from| ground.class(from)).and_then(|c| c.unit_id).map(parta_domain::UnitId);
        let new = NewClass {
            kind: "class",
            name: &class.name,
            grade: class.grade,
            academic_year: Some(ground.to_calendar_year),
            unit,
        };
        let id = store::schools::insert_class(&mut work, org, &new).await?;
        match class.from {
            Some(from) => store::year_transition::set_previous_class(&mut work, id, from).await?,
            None => super::seats::do_create_class_chats(&mut work, org, id, &class.name).await?,
        }
        next.insert(class.name.clone(), id);
    }
    let successor = |class: ClassId| match ground.plan.outcomes.get(&class) {
        Some(Outcome::GoesOn { name, .. }) => next.get(name).copied(),
        _ => None,
    };

    // Chats: a class's go on with it; subject chats and a graduating class's are archived.
    let (following, archived) = ground.chats();
    for (chat, title) in following {
        let to = chat.class_id.map(ClassId).and_then(successor).ok_or(Error::NotFound)?;
        store::year_transition::move_chat(&mut work, chat.chat_id(), to, &title).await?;
        do_chat_event(&mut work, org, chat.chat_id(), ChatEvent::ChatRenamed { title }).await?;
    }
    for (chat, title) in archived {
        store::year_transition::archive_chat(&mut work, chat.chat_id(), &title).await?;
        do_chat_event(&mut work, org, chat.chat_id(), ChatEvent::ChatRenamed { title }).await?;
        do_chat_event(&mut work, org, chat.chat_id(), ChatEvent::ChatUpdated { read_only: true }).await?;
    }

    // Whose chats change beyond their class's moving on: their seats are brought in line.
    let mut resync: BTreeSet<UserId> = BTreeSet::new();
    let class_teachers = store::directory::class_teachers(&mut work, org).await?;
    for class in &ground.classes {
        let id = class.class_id();
        let to = successor(id);
        for (_, teacher) in class_teachers.iter().filter(|(c, _)| *c == id) {
            store::directory::remove_class_teacher(&mut work, org, Some(id), teacher.id, Some(by)).await?;
            match to {
                Some(to) => store::directory::insert_class_teacher(&mut work, org, to, teacher.id, Some(by)).await?,
                None => {
                    resync.insert(teacher.id);
                }
            }
        }
        match to {
            Some(to) => store::year_transition::move_invites(&mut work, id, to).await?,
            None => store::year_transition::revoke_invites(&mut work, id, by).await?,
        }
    }

    // Places: students where the plan sends them, parents with their child, staff with the class.
    let staff_room = store::schools::staff_room(&mut work, org).await?.class_id();
    for place in &ground.places {
        let user = UserId(place.user_id);
        let class = place.class_id();
        let (goes, reason) = match place.role() {
            MemberRole::Student => student_goes(&ground, user, class),
            MemberRole::Parent => match place.child_user_id.map(UserId) {
                Some(child) if ground.plan.students.contains_key(&child) => {
                    let (goes, reason) = student_goes(&ground, child, class);
                    let reason = if matches!(goes, Goes::Out) { "child_left" } else { reason };
                    (goes, reason)
                }
                _ => successor(class).map_or((Goes::Out, "class_graduated"), |to| (Goes::Class(to), "promoted")),
            },
            _ => successor(class).map_or((Goes::StaffRoom, "class_graduated"), |to| (Goes::Class(to), "promoted")),
        };
        let goes = match goes {
            Goes::Class(id) => Some(id),
            Goes::Named(name) => next.get(&name).copied(),
            Goes::Out | Goes::StaffRoom => None,
        };
        match goes {
            Some(to) => {
                do_move_place(&mut work, place, to, &today, by, reason).await?;
                if Some(to) != successor(class) {
                    resync.insert(user);
                }
            }
            None => {
                let on = if place.role().is_staff() { &today } else { &ground.graduated_on };
                if on.as_str() < place.started_on.as_str() {
                    return Err(Error::field("graduated_on", "before_start"));
                }
                store::directory::end_membership(&mut work, MembershipId(place.membership_id), on, reason).await?;
                // Staff of a graduating class stay in the school, in the staff room.
                if place.role().is_staff()
                    && !store::directory::active_places(&mut work, org, user).await?.iter().any(|p| p.role().is_staff())
                {
                    let new = NewMembership {
                        org,
                        user,
                        role: place.role(),
                        class: staff_room,
                        child: None,
                        started_on: today.clone(),
                        created_by: Some(by),
                    };
                    store::directory::insert_membership(&mut work, &new).await?;
                }
                resync.insert(user);
            }
        }
    }
    for user in resync {
        super::seats::do_sync_seats(&mut work, org, user).await?;
    }

    store::year_transition::archive_year(&mut work, ground.from.year_id(), by).await?;
    let rendered = ground.render(true);
    let details = json!({
        "to_year_id": ground.to.id,
        "promoted": rendered.students_promoted,
        "graduated": rendered.students_graduating,
        "left": rendered.students_leaving,
        "repeating": rendered.students_repeating,
        "moved": rendered.students_moving,
        "graduated_on": ground.graduated_on,
    });
    store::audit::record(
        &mut work,
        store::audit::Entry::in_school(org, by, "year_transition", "academic_year", ground.from.id, details),
    )
    .await?;
    work.commit(state).await?;
    Ok(rendered)
}

/// Where a place goes.
enum Goes {
    Class(ClassId),
    /// Next year's class of this name.
    Named(String),
    Out,
    StaffRoom,
}

/// Where the plan sends a student (`class`: the place's class), and why the old place ends.
fn student_goes(ground: &Ground, student: UserId, class: ClassId) -> (Goes, &'static str) {
    let exception = ground.request.exceptions.iter().find(|e| e.student_id == student).map(|e| e.action);
    match ground.plan.students.get(&student) {
        Some((_, Destination::Graduates)) => (Goes::Out, "graduated"),
        Some((_, Destination::Leaves)) => (Goes::Out, "left"),
        Some((main, Destination::Class(name))) if *main == class => (
            Goes::Named(name.clone()),
            match exception {
                Some(ExceptionAction::Repeat) => "repeated",
                Some(ExceptionAction::Move) => "transferred",
                _ => "promoted",
            },
        ),
        // Another place of theirs (a club beside their class) goes with its group.
        _ => match ground.plan.outcomes.get(&class) {
            Some(Outcome::GoesOn { name, .. }) => (Goes::Named(name.clone()), "promoted"),
            _ => (Goes::Out, "graduated"),
        },
    }
}
