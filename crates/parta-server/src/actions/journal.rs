//! The class journal: a timetable lesson written down by its teacher with its topic,
//! who was absent and the marks given. A teacher writes only the lessons of their
//! own assignments; the class teacher and the administration read the class's
//! (`Permission::ReadJournal`). Every change of attendance or of a mark keeps the
//! value before it (`store::journal`): a journal is a legal record.

use std::collections::{BTreeMap, HashMap};

use parta_domain::journal::{Absence, DEFAULT_GRADE_TYPES, MINUTES_LATE_MAX, Mark, WEIGHT_MAX, WEIGHT_MIN};
use parta_domain::lesson_plan::{Place, Status};
use parta_domain::notifications::NoticeKind;
use parta_domain::permission::Permission;
use parta_domain::quiet::DayTime;
use parta_domain::{ClassId, GradeTypeId, GroupId, LessonId, OrgId, SubjectId, UserId, YearId, validate};
use parta_protocol::{
    AttendanceEntry, AttendanceRequest, Grade, GradeType, GradeTypeChange, GradeTypeRequest, GradesRequest, GroupRef,
    Homework, HomeworkRequest, Lesson, LessonPage, LessonRequest, LessonStudent, NotificationDetails, SubjectRef,
    UserEvent,
};
use sqlx::AnyConnection;

use super::Fields;
use super::events::do_user_event;
use super::notifications::{About, do_notify};
use super::plan::Whose;
use crate::access;
use crate::auth::Actor;
use crate::clock::rfc3339;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::journal::{AttendanceRow, GradeRow, LessonRow, NewGrade};
use crate::work::Work;

pub const TOPIC_MAX_CHARS: usize = 500;
pub const REASON_MAX_CHARS: usize = 200;
pub const COMMENT_MAX_CHARS: usize = 300;
pub const CHANGES_MAX: usize = 200;

/// The kinds of work a school starts with, unless it has some.
pub async fn do_seed_grade_types(conn: &mut AnyConnection, org: OrgId) -> Result<()> {
    if !store::journal::grade_types(conn, org).await?.is_empty() {
        return Ok(());
    }
    for (name, weight) in DEFAULT_GRADE_TYPES {
        store::journal::insert_grade_type(conn, org, name, (weight * 100.0).round() as i64).await?;
    }
    Ok(())
}

/// # The kinds of work marks are given for, with their weights (everyone of the school).
pub async fn grade_types(state: &AppState, actor: &Actor, org: OrgId) -> Result<Vec<GradeType>> {
    let mut conn = state.db.reads().acquire().await?;
    access::visible_school(&mut conn, actor, org).await?;
    Ok(store::journal::grade_types(&mut conn, org).await?.into_iter().map(render_grade_type).collect())
}

fn render_grade_type(t: store::journal::GradeTypeRow) -> GradeType {
    GradeType {
        id: GradeTypeId(t.id),
        name: t.name,
        weight: t.weight_centi as f64 / 100.0,
        archived: t.archived_at.is_some(),
    }
}

pub const GRADE_TYPE_NAME_MAX_CHARS: usize = 60;

fn weight_centi(fields: &mut Fields, weight: f64) -> Option<i64> {
    if weight.is_finite() && (WEIGHT_MIN..=WEIGHT_MAX).contains(&weight) {
        Some((weight * 100.0).round() as i64)
    } else {
        fields.reject("weight", "out_of_range");
        None
    }
}

fn grade_type_taken(error: sqlx::Error) -> Error {
    if store::is_unique_violation(&error) { Error::Conflict("grade_type_exists") } else { error.into() }
}

/// # Add a kind of work with its weight (admins, the deputy director)
pub async fn create_grade_type(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    request: &GradeTypeRequest,
) -> Result<GradeType> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ManageSchoolYear).await?;
    let mut fields = Fields::default();
    let name = fields.check(validate::line("name", &request.name, GRADE_TYPE_NAME_MAX_CHARS));
    let weight = weight_centi(&mut fields, request.weight);
    fields.finish()?;
    let (name, weight) = (super::checked(name)?, super::checked(weight)?);
    let id = store::journal::insert_grade_type(&mut work, org, &name, weight).await.map_err(grade_type_taken)?;
    let details = serde_json::json!({ "name": name, "weight": request.weight });
    store::audit::record(
        &mut work,
        store::audit::Entry::in_school(org, actor.user_id, "grade_type_created", "grade_type", id.0, details),
    )
    .await?;
    let row = store::journal::grade_type(&mut work, org, id).await?.ok_or(Error::NotFound)?;
    work.commit(state).await?;
    Ok(render_grade_type(row))
}

/// # Rename, reweigh or archive a kind of work (admins, the deputy director)
/// Marks already given keep the weight they were given with.
pub async fn update_grade_type(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    id: GradeTypeId,
    change: &GradeTypeChange,
) -> Result<GradeType> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ManageSchoolYear).await?;
    let row = store::journal::grade_type(&mut work, org, id).await?.ok_or(Error::NotFound)?;
    let mut fields = Fields::default();
    let name = match &change.name {
        Some(name) => fields.check(validate::line("name", name, GRADE_TYPE_NAME_MAX_CHARS)),
        None => Some(row.name.clone()),
    };
    let weight = match change.weight {
        Some(weight) => weight_centi(&mut fields, weight),
        None => Some(row.weight_centi),
    };
    fields.finish()?;
    let (name, weight) = (super::checked(name)?, super::checked(weight)?);
    let archived_at = match change.archived {
        Some(true) => row.archived_at.or(Some(crate::clock::now_ms())),
        Some(false) => None,
        None => row.archived_at,
    };
    store::journal::update_grade_type(&mut work, id, &name, weight, archived_at).await.map_err(grade_type_taken)?;
    let details =
        serde_json::json!({ "name": name, "weight": weight as f64 / 100.0, "archived": archived_at.is_some() });
    store::audit::record(
        &mut work,
        store::audit::Entry::in_school(org, actor.user_id, "grade_type_changed", "grade_type", id.0, details),
    )
    .await?;
    let row = store::journal::grade_type(&mut work, org, id).await?.ok_or(Error::NotFound)?;
    work.commit(state).await?;
    Ok(render_grade_type(row))
}

/// A lesson the actor reads: its teacher (who taught it that day), the assignment's
/// teacher, or whoever reads the class's journal.
pub(crate) async fn readable_lesson(
    conn: &mut AnyConnection,
    actor: &Actor,
    org: OrgId,
    id: LessonId,
) -> Result<LessonRow> {
    let school = access::visible_school(conn, actor, org).await?;
    let row = store::journal::lesson(conn, org, id).await?.ok_or(Error::NotFound)?;
    let assignment =
        store::teaching::assignment(conn, org, YearId(row.year_id), parta_domain::AssignmentId(row.assignment_id))
            .await?;
    if row.teacher_id == actor.user_id.0
        || assignment.is_some_and(|a| a.teacher_id == actor.user_id.0)
        || school.allows_in_class(Permission::ReadJournal, ClassId(row.class_id))
    {
        Ok(row)
    } else {
        Err(Error::Forbidden)
    }
}

/// A lesson the actor writes: only its teacher — the one who teaches it that day —
/// and only while its year is not archived.
pub(crate) async fn writable_lesson(
    conn: &mut AnyConnection,
    actor: &Actor,
    org: OrgId,
    id: LessonId,
) -> Result<LessonRow> {
    access::visible_school(conn, actor, org).await?;
    let row = store::journal::lesson(conn, org, id).await?.ok_or(Error::NotFound)?;
    if row.teacher_id != actor.user_id.0 {
        return Err(Error::Forbidden);
    }
    super::school_year::changing_year(conn, org, YearId(row.year_id)).await?;
    Ok(row)
}

/// The students a lesson is for: the class's that day, or those of its group among them.
pub(crate) async fn roster(conn: &mut AnyConnection, row: &LessonRow) -> Result<Vec<UserId>> {
    let org = OrgId(row.org_id);
    let class = store::journal::class_students_on(conn, org, ClassId(row.class_id), &row.held_on).await?;
    Ok(match row.group_id {
        Some(group) => {
            let members = store::teaching::group_students(conn, GroupId(group)).await?;
            class.into_iter().filter(|s| members.contains(s)).collect()
        }
        None => class,
    })
}

async fn render_lesson(conn: &mut AnyConnection, row: &LessonRow) -> Result<Lesson> {
    let org = OrgId(row.org_id);
    let subject = store::school_year::subject(conn, org, SubjectId(row.subject_id)).await?.ok_or(Error::NotFound)?;
    let class = store::schools::get_class(conn, org, ClassId(row.class_id)).await?.ok_or(Error::NotFound)?;
    let teacher = store::users::person(conn, UserId(row.teacher_id)).await?.ok_or(Error::NotFound)?;
    let group = match row.group_id {
        Some(group) => store::teaching::group(conn, org, ClassId(row.class_id), GroupId(group))
            .await?
            .map(|g| GroupRef { id: g.group_id(), name: g.name }),
        None => None,
    };
    Ok(Lesson {
        id: row.lesson_id(),
        year_id: YearId(row.year_id),
        assignment_id: parta_domain::AssignmentId(row.assignment_id),
        date: row.held_on.clone(),
        shift: row.shift,
        number: row.number,
        starts_at: rfc3339(row.starts_at),
        ends_at: rfc3339(row.ends_at),
        subject: SubjectRef { id: subject.subject_id(), name: subject.name, short_name: subject.short_name },
        teacher,
        class: class.class_ref(),
        group,
        topic: row.topic.clone(),
    })
}

async fn render_page(conn: &mut AnyConnection, row: &LessonRow) -> Result<LessonPage> {
    let lesson = render_lesson(conn, row).await?;
    let students = roster(conn, row).await?;
    let attendance: BTreeMap<i64, AttendanceRow> =
        store::journal::attendance(conn, row.lesson_id()).await?.into_iter().map(|a| (a.student_id, a)).collect();
    let grade_rows = store::journal::grades(conn, row.lesson_id()).await?;
    let mut grades: BTreeMap<i64, Vec<Grade>> = BTreeMap::new();
    for grade in grade_rows.iter().cloned() {
        grades.entry(grade.student_id).or_default().push(Grade {
            id: parta_domain::GradeId(grade.id),
            mark: grade.mark,
            grade_type_id: GradeTypeId(grade.grade_type_id),
            weight: grade.weight_centi as f64 / 100.0,
            comment: grade.comment,
            given_at: rfc3339(grade.given_at),
        });
    }
    let mut out = Vec::with_capacity(students.len());
    for student in students {
        let Some(person) = store::users::person(conn, student).await? else { continue };
        let entry = attendance.get(&student.0).and_then(|a| {
            Some(AttendanceEntry {
                absence: Absence::parse(&a.absence)?,
                minutes_late: a.minutes_late,
                reason: a.reason.clone(),
            })
        });
        out.push(LessonStudent { person, attendance: entry, grades: grades.remove(&student.0).unwrap_or_default() });
    }
    out.sort_by(|a, b| {
        (&a.person.family_name, &a.person.given_name).cmp(&(&b.person.family_name, &b.person.given_name))
    });
    let homework_row = store::journal::homework(conn, row.lesson_id()).await?;
    let thresholds = store::regulations::thresholds(conn, OrgId(row.org_id)).await?;
    let deadlines = super::regulations::deadlines(row, &thresholds, homework_row.as_ref(), &grade_rows);
    let homework = match homework_row {
        Some(h) => Some(with_files(conn, h).await?),
        None => None,
    };
    Ok(LessonPage { lesson, homework, students: out, deadlines })
}

/// A homework row as the wire shows it, with its files.
pub(crate) async fn with_files(conn: &mut AnyConnection, row: store::journal::HomeworkRow) -> Result<Homework> {
    let lesson = LessonId(row.lesson_id);
    let mut homework = render_homework(row);
    homework.files = store::submissions::homework_files(conn, lesson).await?.iter().map(|f| f.info()).collect();
    Ok(homework)
}

/// A homework row as the wire shows it, without its files (`with_files` adds them).
pub(crate) fn render_homework(row: store::journal::HomeworkRow) -> Homework {
    Homework {
        body: row.body,
        due_on: row.due_on,
        minutes: row.minutes,
        entered_at: rfc3339(row.entered_at),
        files: Vec::new(),
    }
}

pub const HOMEWORK_MAX_CHARS: usize = 2000;
pub const HOMEWORK_MINUTES_MAX: i64 = 240;

/// # Set a lesson's homework: what, for which day, how long it takes (the lesson's teacher)
/// Its students and their parents are told at once, and its card in the class's chat
/// is posted or rewritten.
pub async fn set_homework(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    id: LessonId,
    request: &HomeworkRequest,
) -> Result<LessonPage> {
    let mut work = state.begin().await?;
    let row = writable_lesson(&mut work, actor, org, id).await?;
    let mut fields = Fields::default();
    let body = fields.check(validate::text("body", &request.body, HOMEWORK_MAX_CHARS));
    match parta_domain::school_year::date("due_on", &request.due_on) {
        Ok(due) if due.to_string() < row.held_on => fields.reject("due_on", "before_lesson"),
        Ok(_) => {}
        Err(e) => {
            fields.check::<()>(Err(e));
        }
    }
    if request.minutes.is_some_and(|m| !(1..=HOMEWORK_MINUTES_MAX).contains(&m)) {
        fields.reject("minutes", "out_of_range");
    }
    if let Some(files) = &request.files {
        super::submissions::check_files(
            &mut work,
            actor,
            org,
            files,
            &mut fields,
            |place| matches!(place, store::submissions::FilePlace::Homework(lesson) if *lesson == id),
        )
        .await?;
    }
    fields.finish()?;
    let body = super::checked(body)?;
    let due_on = request.due_on.trim().to_owned();
    // A school that made the day's limit a hard stop refuses homework that adds to a
    // day over it; a change that adds nothing (a reworded text) still saves.
    let thresholds = store::regulations::thresholds(&mut work, org).await?;
    let minutes = request.minutes.unwrap_or(0);
    let load = super::regulations::load(&mut work, &row, &thresholds, &due_on, minutes).await?;
    let standing = store::journal::homework(&mut work, id).await?;
    let before = standing.as_ref().filter(|h| h.due_on == due_on).and_then(|h| h.minutes).unwrap_or(0);
    if load.over && load.strict && minutes > before {
        return Err(Error::field("minutes", "day_over_limit"));
    }
    let homework = store::journal::NewHomework {
        body: &body,
        due_on: &due_on,
        minutes: request.minutes,
        due_by: thresholds.homework_due_by(row.ends_at),
    };
    store::journal::set_homework(&mut work, &row, &homework, actor.user_id).await?;
    if let Some(files) = &request.files {
        store::submissions::set_homework_files(&mut work, org, id, files).await?;
    }
    let stored = store::journal::homework(&mut work, id).await?;
    super::homework_card::do_follow(&mut work, &row, stored.as_ref(), actor.user_id).await?;
    let students = roster(&mut work, &row).await?;
    do_tell_family(&mut work, &row, &students).await?;
    // Families hear of new homework, or of a changed text or day; not of a resave.
    let changed = standing.as_ref().is_none_or(|h| h.body != body || h.due_on != due_on);
    if changed {
        let details = NotificationDetails {
            preview: Some(parta_domain::notifications::preview(&body, 120)),
            due_on: Some(due_on.clone()),
            ..Default::default()
        };
        let notices: Vec<(UserId, NotificationDetails)> = students.iter().map(|s| (*s, details.clone())).collect();
        do_notify_family(&mut work, &row, NoticeKind::Homework, actor.user_id, &notices).await?;
    }
    let page = render_page(&mut work, &row).await?;
    work.commit(state).await?;
    Ok(page)
}

/// # Take back a lesson's homework (the lesson's teacher)
/// Its card in the class's chat is deleted.
pub async fn delete_homework(state: &AppState, actor: &Actor, org: OrgId, id: LessonId) -> Result<LessonPage> {
    let mut work = state.begin().await?;
    let row = writable_lesson(&mut work, actor, org, id).await?;
    store::submissions::delete_homework_files(&mut work, id).await?;
    if store::journal::delete_homework(&mut work, id).await? {
        super::homework_card::do_follow(&mut work, &row, None, actor.user_id).await?;
        let students = roster(&mut work, &row).await?;
        do_tell_family(&mut work, &row, &students).await?;
    }
    let page = render_page(&mut work, &row).await?;
    work.commit(state).await?;
    Ok(page)
}

/// A student and their parents at the school.
async fn family_of(work: &mut Work, org: OrgId, student: UserId) -> Result<Vec<UserId>> {
    let mut family = vec![student];
    for place in store::directory::parent_places_for_child(work, org, student).await? {
        if !family.contains(&UserId(place.user_id)) {
            family.push(UserId(place.user_id));
        }
    }
    Ok(family)
}

/// Puts a notice in the notification centres of each student's family: a new mark, an
/// absence, homework. `what` gives the words for a student (the mark, the absence).
pub(crate) async fn do_notify_family(
    work: &mut Work,
    row: &LessonRow,
    kind: NoticeKind,
    actor: UserId,
    students: &[(UserId, NotificationDetails)],
) -> Result<()> {
    if students.is_empty() {
        return Ok(());
    }
    let org = OrgId(row.org_id);
    let subject =
        store::school_year::subject(work, org, parta_domain::SubjectId(row.subject_id)).await?.map(|s| s.name);
    let hook = match kind {
        NoticeKind::Mark => Some(parta_domain::webhooks::EventKind::JournalMark),
        NoticeKind::Absence => Some(parta_domain::webhooks::EventKind::JournalAbsence),
        _ => None,
    };
    if let Some(hook) = hook {
        let events: Vec<serde_json::Value> = students
            .iter()
            .map(|(student, details)| {
                serde_json::json!({
                    "student_id": student.0, "lesson_id": row.id, "date": row.held_on, "subject": subject,
                    "mark": details.mark, "absence": details.absence, "minutes_late": details.minutes_late,
                })
            })
            .collect();
        crate::webhooks::do_queue(work, org, hook, &events).await?;
    }
    for (student, details) in students {
        let name = store::users::person(work, *student).await?.map(|p| format!("{} {}", p.given_name, p.family_name));
        let about = About {
            org: Some(org),
            lesson: Some(row.lesson_id()),
            student: Some(*student),
            details: NotificationDetails {
                subject: subject.clone(),
                date: Some(row.held_on.clone()),
                student_name: name,
                ..details.clone()
            },
            ..Default::default()
        };
        let family = family_of(work, org, *student).await?;
        do_notify(work, kind, Some(actor), family, &about).await?;
    }
    Ok(())
}

/// Tells a student and their parents that the student's record at a lesson changed,
/// in their own streams (resumable like everything else). Nobody else hears of it.
pub(crate) async fn do_tell_family(work: &mut Work, row: &LessonRow, students: &[UserId]) -> Result<()> {
    let org = OrgId(row.org_id);
    for student in students {
        for person in family_of(work, org, *student).await? {
            let event = UserEvent::JournalChanged {
                org_id: org,
                student_id: *student,
                lesson_id: row.lesson_id(),
                date: row.held_on.clone(),
            };
            do_user_event(work, person, Some(org), event).await?;
        }
    }
    Ok(())
}

/// The instant a time of day on a date is in a time zone, as Unix milliseconds.
fn instant(date: jiff::civil::Date, at: DayTime, time_zone: &str) -> Option<i64> {
    let zone = jiff::tz::TimeZone::get(time_zone).ok()?;
    let zoned = date.at(at.hours() as i8, at.minutes() as i8, 0, 0).to_zoned(zone).ok()?;
    Some(zoned.timestamp().as_millisecond())
}

/// # Write down a lesson of the timetable, or find it (whoever teaches it that day)
/// The lesson is the assignment's on a school day in a slot where the timetable (with
/// that day's overrides: not a cancelled or moved-away one) has it, taught by the
/// assignment's teacher or a replacement;
/// its topic is set when given. Answers the lesson with its students.
pub async fn open_lesson(state: &AppState, actor: &Actor, org: OrgId, request: &LessonRequest) -> Result<LessonPage> {
    let mut work = state.begin().await?;
    let school = access::visible_school(&mut work, actor, org).await?;
    let date = parta_domain::school_year::date("date", &request.date).map_err(|e| Error::Validation(vec![e]))?;
    let held_on = date.to_string();
    // The assignment, in whichever year of the school it is.
    let mut found = None;
    for year in store::school_year::years(&mut work, org).await? {
        if let Some(assignment) =
            store::teaching::assignment(&mut work, org, year.year_id(), request.assignment_id).await?
        {
            found = Some((year, assignment));
            break;
        }
    }
    let (year, assignment) = found.ok_or_else(|| Error::field("assignment_id", "unknown_assignment"))?;
    if year.archived() {
        return Err(Error::Conflict("year_archived"));
    }
    // Who teaches the lesson that day: the assignment's teacher, or a replacement.
    let calendar = super::timetable::calendar(&mut work, &year).await?;
    let lookup = super::timetable::Lookup::load(&mut work, org, year.year_id()).await?;
    let class = ClassId(assignment.class_id);
    let day =
        super::plan::lessons(&mut work, org, year.year_id(), &lookup, &calendar, Whose::Class(class), (date, date))
            .await?;
    let place = Place { date, shift: request.shift, number: request.number };
    let planned = super::plan::find(&day, assignment.assignment_id(), place);
    let teacher = planned.map_or(UserId(assignment.teacher_id), |l| l.teacher);
    if teacher != actor.user_id {
        return Err(Error::Forbidden);
    }
    let mut fields = Fields::default();
    let topic = fields.check(validate::optional_line("topic", request.topic.as_deref(), TOPIC_MAX_CHARS));
    if !calendar.is_school_day(date) {
        fields.reject("date", "not_a_school_day");
    }
    match planned {
        None => fields.reject("number", "not_in_timetable"),
        Some(lesson) if matches!(lesson.status, Status::Cancelled { .. }) => {
            fields.reject("number", "lesson_cancelled")
        }
        Some(lesson) if !lesson.held() => fields.reject("number", "lesson_moved"),
        Some(_) => {}
    }
    fields.finish()?;
    let topic = topic.flatten();
    let row = match store::journal::lesson_at(&mut work, assignment.id, &held_on, request.shift, request.number).await?
    {
        Some(row) => {
            if request.topic.is_some() && topic != row.topic {
                store::journal::set_topic(&mut work, row.lesson_id(), topic.as_deref()).await?;
            }
            store::journal::lesson(&mut work, org, row.lesson_id()).await?.ok_or(Error::NotFound)?
        }
        None => {
            let bell = store::school_year::bells(&mut work, year.year_id())
                .await?
                .into_iter()
                .find(|b| b.shift == request.shift && b.number == request.number)
                .ok_or_else(|| Error::field("number", "unknown_slot"))?;
            let time_zone = &school.org.time_zone;
            let at = |text: &str| DayTime::parse(text).and_then(|t| instant(date, t, time_zone));
            let (Some(starts_at), Some(ends_at)) = (at(&bell.starts_at), at(&bell.ends_at)) else {
                return Err(Error::Internal(anyhow::anyhow!("a stored bell does not place on {held_on}")));
            };
            let new = LessonRow {
                id: 0,
                org_id: org.0,
                year_id: year.id,
                assignment_id: assignment.id,
                class_id: assignment.class_id,
                group_id: assignment.group_id,
                subject_id: assignment.subject_id,
                teacher_id: teacher.0,
                held_on,
                shift: request.shift,
                number: request.number,
                starts_at,
                ends_at,
                topic,
            };
            let id = store::journal::insert_lesson(&mut work, &new).await?;
            store::journal::lesson(&mut work, org, id).await?.ok_or(Error::NotFound)?
        }
    };
    let page = render_page(&mut work, &row).await?;
    work.commit(state).await?;
    Ok(page)
}

/// # A lesson with its students' attendance and marks (its teacher; the class teacher; the administration)
pub async fn lesson_page(state: &AppState, actor: &Actor, org: OrgId, id: LessonId) -> Result<LessonPage> {
    let mut conn = state.db.reads().acquire().await?;
    let row = readable_lesson(&mut conn, actor, org, id).await?;
    render_page(&mut conn, &row).await
}

/// # Take attendance: each student named is absent, ill, excused or late — or present again (its teacher)
pub async fn set_attendance(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    id: LessonId,
    request: &AttendanceRequest,
) -> Result<LessonPage> {
    let mut work = state.begin().await?;
    let row = writable_lesson(&mut work, actor, org, id).await?;
    let students = roster(&mut work, &row).await?;
    let mut fields = Fields::default();
    if request.entries.len() > CHANGES_MAX {
        fields.reject("entries", "out_of_range");
    }
    let mut changes = Vec::with_capacity(request.entries.len());
    for (index, change) in request.entries.iter().enumerate() {
        let field = |name: &str| format!("entries[{index}].{name}");
        if !students.contains(&change.student_id) {
            fields.reject(&field("student_id"), "unknown_student");
            continue;
        }
        let reason = fields
            .check(validate::optional_line(&field("reason"), change.reason.as_deref(), REASON_MAX_CHARS))
            .flatten();
        let entry = match change.absence {
            None => None,
            Some(Absence::Late) => match change.minutes_late {
                Some(minutes) if (1..=MINUTES_LATE_MAX).contains(&minutes) => Some((Absence::Late, Some(minutes))),
                Some(_) => {
                    fields.reject(&field("minutes_late"), "out_of_range");
                    continue;
                }
                None => {
                    fields.reject(&field("minutes_late"), "required");
                    continue;
                }
            },
            Some(Absence::Excused) if reason.is_none() => {
                fields.reject(&field("reason"), "required");
                continue;
            }
            Some(_) if change.minutes_late.is_some() => {
                fields.reject(&field("minutes_late"), "not_allowed");
                continue;
            }
            Some(absence) => Some((absence, None)),
        };
        let row = entry.map(|(absence, minutes_late)| AttendanceRow {
            student_id: change.student_id.0,
            absence: absence.as_str().to_owned(),
            minutes_late,
            reason: reason.clone(),
        });
        changes.push((change.student_id, row));
    }
    fields.finish()?;
    let mut changed = Vec::new();
    let mut absent = Vec::new();
    for (student, entry) in &changes {
        if store::journal::set_attendance(&mut work, org, id, *student, entry.as_ref(), actor.user_id).await? {
            changed.push(*student);
            // A family hears of an absence or a lateness set, not of one taken back.
            if let Some(entry) = entry {
                let details = NotificationDetails {
                    absence: Some(entry.absence.clone()),
                    minutes_late: entry.minutes_late,
                    ..Default::default()
                };
                absent.push((*student, details));
            }
        }
    }
    do_tell_family(&mut work, &row, &changed).await?;
    do_notify_family(&mut work, &row, NoticeKind::Absence, actor.user_id, &absent).await?;
    let page = render_page(&mut work, &row).await?;
    work.commit(state).await?;
    Ok(page)
}

/// # Give, change and take back a lesson's marks at once (its teacher)
/// A whole class's marks are one request; each changed or taken-back mark keeps its
/// earlier value on record.
pub async fn set_grades(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    id: LessonId,
    request: &GradesRequest,
) -> Result<LessonPage> {
    let mut work = state.begin().await?;
    let row = writable_lesson(&mut work, actor, org, id).await?;
    let students = roster(&mut work, &row).await?;
    let types: BTreeMap<i64, i64> = store::journal::grade_types(&mut work, org)
        .await?
        .into_iter()
        .filter(|t| t.archived_at.is_none())
        .map(|t| (t.id, t.weight_centi))
        .collect();
    let standing: BTreeMap<i64, GradeRow> =
        store::journal::grades(&mut work, id).await?.into_iter().map(|g| (g.id, g)).collect();
    let mut fields = Fields::default();
    if request.grades.len() + request.delete.len() > CHANGES_MAX {
        fields.reject("grades", "out_of_range");
    }
    let mut writes = Vec::with_capacity(request.grades.len());
    for (index, change) in request.grades.iter().enumerate() {
        let field = |name: &str| format!("grades[{index}].{name}");
        let mut ok = true;
        if !students.contains(&change.student_id) {
            fields.reject(&field("student_id"), "unknown_student");
            ok = false;
        }
        let mark = Mark::parse(&change.mark);
        if mark.is_none() {
            fields.reject(&field("mark"), "invalid_mark");
            ok = false;
        }
        let weight = types.get(&change.grade_type_id.0).copied();
        if weight.is_none() {
            fields.reject(&field("grade_type_id"), "unknown_grade_type");
            ok = false;
        }
        let comment =
            fields.check(validate::optional_line(&field("comment"), change.comment.as_deref(), COMMENT_MAX_CHARS));
        let before = match change.id {
            Some(grade) => match standing.get(&grade.0) {
                Some(before) if before.student_id == change.student_id.0 => Some(before.clone()),
                _ => {
                    fields.reject(&field("id"), "unknown_grade");
                    ok = false;
                    None
                }
            },
            None => None,
        };
        if let (true, Some(mark), Some(weight), Some(comment)) = (ok, mark, weight, comment) {
            writes.push((before, change.student_id, mark.as_text(), change.grade_type_id, weight, comment));
        }
    }
    let mut deletions = Vec::with_capacity(request.delete.len());
    for (index, grade) in request.delete.iter().enumerate() {
        match standing.get(&grade.0) {
            Some(before) => deletions.push(before.clone()),
            None => fields.reject(&format!("delete[{index}]"), "unknown_grade"),
        }
    }
    fields.finish()?;
    let thresholds = store::regulations::thresholds(&mut work, org).await?;
    let handed_in: HashMap<i64, i64> = store::submissions::submissions_of_lesson(&mut work, id)
        .await?
        .into_iter()
        .map(|s| (s.student_id, s.handed_in_at))
        .collect();
    for (before, student, mark, grade_type, weight_centi, comment) in &writes {
        let grade = NewGrade {
            student: *student,
            mark,
            grade_type: *grade_type,
            weight_centi: *weight_centi,
            comment: comment.as_deref(),
            due_by: super::regulations::mark_due_by(&row, &thresholds, &handed_in, *student),
        };
        match before {
            Some(before) => store::journal::update_grade(&mut work, org, before, &grade, actor.user_id).await?,
            None => store::journal::insert_grade(&mut work, org, id, &grade, actor.user_id).await.map(|_| ())?,
        }
    }
    for before in &deletions {
        store::journal::delete_grade(&mut work, org, before, actor.user_id).await?;
    }
    let mut changed: Vec<UserId> = writes.iter().map(|(_, student, ..)| *student).collect();
    changed.extend(deletions.iter().map(|d| UserId(d.student_id)));
    changed.sort_unstable();
    changed.dedup();
    do_tell_family(&mut work, &row, &changed).await?;
    // A family hears of a new mark or a changed one, not of a comment reworded.
    let marks: Vec<(UserId, NotificationDetails)> = writes
        .iter()
        .filter(|(before, _, mark, ..)| before.as_ref().is_none_or(|b| b.mark != *mark))
        .map(|(_, student, mark, ..)| {
            (*student, NotificationDetails { mark: Some(mark.to_string()), ..Default::default() })
        })
        .collect();
    do_notify_family(&mut work, &row, NoticeKind::Mark, actor.user_id, &marks).await?;
    let page = render_page(&mut work, &row).await?;
    work.commit(state).await?;
    Ok(page)
}

pub const REASON_FOR_CLOSED_MAX_CHARS: usize = 300;

/// An assignment of a year and one of its periods, for someone who reads its journal:
/// its teacher, or whoever reads the class's journal.
pub(crate) async fn journal_of(
    conn: &mut AnyConnection,
    actor: &Actor,
    org: OrgId,
    year: YearId,
    assignment: parta_domain::AssignmentId,
    period: i64,
) -> Result<(access::SchoolAccess, store::teaching::AssignmentRow, store::school_year::PeriodRow)> {
    let school = access::visible_school(conn, actor, org).await?;
    store::school_year::year(conn, org, year).await?.ok_or(Error::NotFound)?;
    let row = store::teaching::assignments_of_year(conn, org, year)
        .await?
        .into_iter()
        .find(|a| a.id == assignment.0)
        .ok_or(Error::NotFound)?;
    if row.teacher_id != actor.user_id.0 && !school.allows_in_class(Permission::ReadJournal, ClassId(row.class_id)) {
        return Err(Error::Forbidden);
    }
    let period = store::school_year::periods(conn, year)
        .await?
        .into_iter()
        .find(|p| p.number == period)
        .ok_or_else(|| Error::field("period", "unknown_period"))?;
    Ok((school, row, period))
}

/// The students an assignment teaches at any time between two dates: the class's
/// then, or those of its group among them.
pub(crate) async fn assignment_students(
    conn: &mut AnyConnection,
    org: OrgId,
    assignment: &store::teaching::AssignmentRow,
    from: &str,
    to: &str,
) -> Result<Vec<UserId>> {
    let mut students =
        store::journal::class_students_between(conn, org, ClassId(assignment.class_id), from, to).await?;
    if let Some(group) = assignment.group_id {
        let members = store::teaching::group_students(conn, GroupId(group)).await?;
        students.retain(|s| members.contains(s));
    }
    Ok(students)
}

pub(crate) async fn render_grid(
    conn: &mut AnyConnection,
    org: OrgId,
    assignment: &store::teaching::AssignmentRow,
    period: &store::school_year::PeriodRow,
) -> Result<parta_protocol::JournalGrid> {
    use parta_protocol::{AcademicPeriod, GridCell, GridLesson, GridRow, JournalGrid};
    let lessons = store::journal::lessons_between(conn, assignment.id, &period.starts_on, &period.ends_on).await?;
    let students = assignment_students(conn, org, assignment, &period.starts_on, &period.ends_on).await?;
    // Every lesson's records in two statements, not two per lesson.
    let (of, dates) = (store::journal::LessonsOf::Assignment(assignment.id), (&*period.starts_on, &*period.ends_on));
    let mut per_lesson: BTreeMap<i64, (Vec<AttendanceRow>, Vec<GradeRow>)> = BTreeMap::new();
    for (lesson, row) in store::journal::attendance_between(conn, of, dates, None).await? {
        per_lesson.entry(lesson).or_default().0.push(row);
    }
    for (lesson, row) in store::journal::grades_between(conn, of, dates, None).await? {
        per_lesson.entry(lesson).or_default().1.push(row);
    }
    let none = (Vec::new(), Vec::new());
    let people: BTreeMap<i64, parta_protocol::PersonRef> =
        store::users::people(conn, &students).await?.into_iter().map(|p| (p.id.0, p)).collect();
    let set: BTreeMap<i64, String> =
        store::journal::period_marks(conn, assignment.id, period.number).await?.into_iter().collect();
    // The school's rounding rule, and the year's other period marks and year marks.
    let finals = super::marks::FinalMarks::load(conn, org, assignment).await?;
    let individual =
        store::distance::individuals_of_assignment(conn, assignment.id, &period.starts_on, &period.ends_on).await?;
    let mut rows = Vec::with_capacity(students.len());
    for student in students {
        let Some(person) = people.get(&student.0).cloned() else { continue };
        let mut marks = Vec::new();
        let cells = lessons
            .iter()
            .map(|lesson| {
                let (attendance, grades) = per_lesson.get(&lesson.id).unwrap_or(&none);
                let entry = attendance.iter().find(|a| a.student_id == student.0).and_then(|a| {
                    Some(AttendanceEntry {
                        absence: Absence::parse(&a.absence)?,
                        minutes_late: a.minutes_late,
                        reason: a.reason.clone(),
                    })
                });
                let theirs: Vec<Grade> = grades
                    .iter()
                    .filter(|g| g.student_id == student.0)
                    .map(|g| {
                        if let Some(mark) = Mark::parse(&g.mark) {
                            marks.push((mark, g.weight_centi as f64 / 100.0));
                        }
                        Grade {
                            id: parta_domain::GradeId(g.id),
                            mark: g.mark.clone(),
                            grade_type_id: GradeTypeId(g.grade_type_id),
                            weight: g.weight_centi as f64 / 100.0,
                            comment: g.comment.clone(),
                            given_at: rfc3339(g.given_at),
                        }
                    })
                    .collect();
                GridCell { lesson_id: lesson.lesson_id(), attendance: entry, grades: theirs }
            })
            .collect();
        // An individual assignment's mark counts once, as plain work.
        marks.extend(
            individual
                .iter()
                .filter(|i| i.student_id == student.0)
                .filter_map(|i| Mark::parse(i.mark.as_deref()?))
                .map(|m| (m, 1.0)),
        );
        let average = parta_domain::journal::weighted_average(&marks);
        rows.push(GridRow {
            student: person,
            cells,
            average,
            suggested_mark: average.map(|a| parta_domain::journal::suggested_mark(a, finals.round_from).as_text()),
            period_mark: set.get(&student.0).cloned(),
            period_marks: finals.period_marks(student),
            suggested_year_mark: finals.suggested_year_mark(student),
            year_mark: finals.year_mark(student),
        });
    }
    rows.sort_by(|a, b| {
        (&a.student.family_name, &a.student.given_name).cmp(&(&b.student.family_name, &b.student.given_name))
    });
    Ok(JournalGrid {
        assignment_id: assignment.assignment_id(),
        period: AcademicPeriod {
            number: period.number,
            name: period.name.clone(),
            starts_on: period.starts_on.clone(),
            ends_on: period.ends_on.clone(),
            closed: period.closed_at.is_some(),
        },
        lessons: lessons
            .iter()
            .map(|l| GridLesson {
                id: l.lesson_id(),
                date: l.held_on.clone(),
                number: l.number,
                topic: l.topic.clone(),
            })
            .collect(),
        rows,
        periods: finals.periods.iter().map(super::marks::render_period).collect(),
        year_closed: finals.year_closed(),
        round_from: finals.round_from,
        individual: individual
            .into_iter()
            .map(|i| parta_protocol::GridIndividual {
                id: parta_domain::IndividualId(i.id),
                student_id: UserId(i.student_id),
                body: i.body,
                due_on: i.due_on,
                mark: i.mark,
            })
            .collect(),
    })
}

/// # The class journal of an assignment in a period: lessons × students, averages, period marks
/// (its teacher; the class teacher; the administration)
pub async fn grid(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    year: YearId,
    assignment: parta_domain::AssignmentId,
    period: i64,
) -> Result<parta_protocol::JournalGrid> {
    let mut conn = state.db.reads().acquire().await?;
    let (_, row, period) = journal_of(&mut conn, actor, org, year, assignment, period).await?;
    render_grid(&mut conn, org, &row, &period).await
}

/// # Set period marks for an assignment's students (its teacher; after the period is closed, an admin with a reason)
pub async fn set_period_marks(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    year: YearId,
    request: &parta_protocol::PeriodMarksRequest,
) -> Result<parta_protocol::JournalGrid> {
    let mut work = state.begin().await?;
    let (school, row, period) = journal_of(&mut work, actor, org, year, request.assignment_id, request.period).await?;
    let students = assignment_students(&mut work, org, &row, &period.starts_on, &period.ends_on).await?;
    let write = super::marks::FinalWrite {
        which: super::marks::Final::Period(period.number),
        closed: period.closed_at.is_some(),
        students: &students,
        marks: &request.marks,
        reason: request.reason.as_deref(),
    };
    super::marks::do_write_finals(&mut work, actor, &school, year, &row, write).await?;
    let grid = render_grid(&mut work, org, &row, &period).await?;
    work.commit(state).await?;
    Ok(grid)
}
