//! The regulations' rules as a school applies them (seed 001 §5.1–5.2): its numbers
//! (`parta_domain::regulations::Thresholds`, the seeds' unless it tightened them), the
//! day's homework load a lesson's homework makes, and when a lesson's homework and
//! marks are due in the journal. A teacher may still save late or heavy homework
//! (unless the school made the load a hard stop); the deadline in force at the first
//! entry is stored with it, so lateness stays as it was.

use std::collections::HashMap;

use parta_domain::permission::Permission;
use parta_domain::regulations::{Thresholds, heaviest_day};
use parta_domain::{ClassId, GradeId, LessonId, OrgId, UserId};
use parta_protocol::{HomeworkLoad, LessonDeadlines, Regulations, RegulationsView};
use sqlx::AnyConnection;

use super::journal::{readable_lesson, roster};
use crate::access;
use crate::auth::Actor;
use crate::clock::rfc3339;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::journal::{GradeRow, HomeworkRow, LessonRow};

fn numbers(t: &Thresholds) -> Regulations {
    Regulations {
        lesson_minutes: t.lesson_minutes.to_vec(),
        homework_day_minutes: t.homework_day_minutes.to_vec(),
        homework_entry_minutes: t.homework_entry_minutes,
        marks_entry_days: t.marks_entry_days,
        homework_limit_strict: t.homework_limit_strict,
    }
}

fn view(t: &Thresholds) -> RegulationsView {
    RegulationsView { school: numbers(t), seeds: numbers(&Thresholds::SEEDS) }
}

/// The numbers as sent, each list of four per grade band.
fn thresholds_of(r: &Regulations) -> Result<Thresholds> {
    let four = |field: &str, list: &[i64]| {
        <[i64; 4]>::try_from(list).map_err(|_| parta_domain::validate::FieldError::new(field, "out_of_range"))
    };
    let lesson_minutes = four("lesson_minutes", &r.lesson_minutes);
    let homework_day_minutes = four("homework_day_minutes", &r.homework_day_minutes);
    match (lesson_minutes, homework_day_minutes) {
        (Ok(lesson_minutes), Ok(homework_day_minutes)) => Ok(Thresholds {
            lesson_minutes,
            homework_day_minutes,
            homework_entry_minutes: r.homework_entry_minutes,
            marks_entry_days: r.marks_entry_days,
            homework_limit_strict: r.homework_limit_strict,
        }),
        (a, b) => Err(Error::Validation(a.err().into_iter().chain(b.err()).collect())),
    }
}

/// # The school's numbers for the regulations' rules, with the regulations' own (everyone of the school)
pub async fn regulations(state: &AppState, actor: &Actor, org: OrgId) -> Result<RegulationsView> {
    let mut conn = state.db.reads().acquire().await?;
    access::visible_school(&mut conn, actor, org).await?;
    Ok(view(&store::regulations::thresholds(&mut conn, org).await?))
}

/// # Tighten the school's numbers, or make the homework limit a hard stop (admins, the deputy director)
/// No number may be looser than the regulations'. Audited with the numbers before.
pub async fn set_regulations(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    request: &Regulations,
) -> Result<RegulationsView> {
    let mut work = state.begin().await?;
    access::school(&mut work, actor, org, Permission::ManageSchoolYear).await?;
    let thresholds = thresholds_of(request)?;
    thresholds.check().map_err(Error::Validation)?;
    let before = store::regulations::thresholds(&mut work, org).await?;
    store::regulations::set_thresholds(&mut work, org, &thresholds, actor.user_id).await?;
    let details = serde_json::json!({ "thresholds": thresholds, "before": before });
    store::audit::record(
        &mut work,
        store::audit::Entry::in_school(org, actor.user_id, "regulations_changed", "organization", org.0, details),
    )
    .await?;
    work.commit(state).await?;
    Ok(view(&thresholds))
}

/// # How heavy a day would be with a lesson's homework due on it (who reads the lesson)
/// The heaviest load among the lesson's students (group homework counts for its
/// group), with this lesson's homework as `minutes` and no longer as it stands.
pub async fn homework_load(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    id: LessonId,
    due_on: &str,
    minutes: Option<i64>,
) -> Result<HomeworkLoad> {
    let mut conn = state.db.reads().acquire().await?;
    let row = readable_lesson(&mut conn, actor, org, id).await?;
    let day = parta_domain::school_year::date("due_on", due_on).map_err(|e| Error::Validation(vec![e]))?;
    if minutes.is_some_and(|m| !(0..=super::journal::HOMEWORK_MINUTES_MAX).contains(&m)) {
        return Err(Error::field("minutes", "out_of_range"));
    }
    let thresholds = store::regulations::thresholds(&mut conn, org).await?;
    load(&mut conn, &row, &thresholds, &day.to_string(), minutes.unwrap_or(0)).await
}

/// The day's load with this lesson's homework of `minutes` due on `day`.
pub(crate) async fn load(
    conn: &mut AnyConnection,
    row: &LessonRow,
    thresholds: &Thresholds,
    day: &str,
    minutes: i64,
) -> Result<HomeworkLoad> {
    let class = ClassId(row.class_id);
    let grade = store::schools::get_class(conn, OrgId(row.org_id), class).await?.ok_or(Error::NotFound)?.grade;
    let mut due = store::regulations::due_on(conn, class, day, row.lesson_id()).await?;
    due.push(parta_domain::regulations::DueHomework { minutes, group: row.group_id });
    let groups = groups_by_student(conn, class).await?;
    let students = roster(conn, row).await?;
    let heaviest = heaviest_day(&due, students.iter().map(|s| s.0), |s| groups.get(&s).map_or(&[][..], Vec::as_slice));
    let limit = grade.and_then(|g| thresholds.homework_day_limit(g));
    Ok(HomeworkLoad {
        due_on: day.to_owned(),
        minutes: heaviest,
        limit_minutes: limit,
        over: limit.is_some_and(|l| heaviest > l),
        strict: thresholds.homework_limit_strict,
    })
}

/// The groups of a class each of its students is in.
pub(crate) async fn groups_by_student(conn: &mut AnyConnection, class: ClassId) -> Result<HashMap<i64, Vec<i64>>> {
    let mut groups: HashMap<i64, Vec<i64>> = HashMap::new();
    for (student, group) in store::regulations::group_members(conn, class).await? {
        groups.entry(student).or_default().push(group);
    }
    Ok(groups)
}

/// When a lesson's homework and marks are due, and which of them came late (of the
/// rows the lesson page already read).
pub(crate) fn deadlines(
    row: &LessonRow,
    thresholds: &Thresholds,
    homework: Option<&HomeworkRow>,
    grades: &[GradeRow],
) -> LessonDeadlines {
    let (homework_due_by, homework_late) = match homework {
        Some(h) => (h.due_by.unwrap_or_else(|| thresholds.homework_due_by(row.ends_at)), h.is_late()),
        None => (thresholds.homework_due_by(row.ends_at), false),
    };
    LessonDeadlines {
        homework_due_by: rfc3339(homework_due_by),
        marks_due_by: rfc3339(thresholds.mark_due_by(row.ends_at)),
        homework_late,
        late_marks: grades.iter().filter(|g| g.is_late()).map(|g| GradeId(g.id)).collect(),
    }
}

/// When a mark for `student` at a lesson is due: seven days (by the school's numbers)
/// after the lesson, or after the work they handed in for it (`handed_in`: student →
/// when).
pub(crate) fn mark_due_by(
    row: &LessonRow,
    thresholds: &Thresholds,
    handed_in: &HashMap<i64, i64>,
    student: UserId,
) -> i64 {
    let since = handed_in.get(&student.0).map_or(row.ends_at, |at| (*at).max(row.ends_at));
    thresholds.mark_due_by(since)
}
