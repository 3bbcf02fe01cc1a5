//! Students' work for homework, and the journal's files. A student of a lesson hands in
//! text and files for its homework (again, until it is graded), late when the due day
//! has ended in the school's time zone; the lesson's teacher returns it with a comment
//! or grades it, the mark going into the journal at that lesson like any other (kept
//! with its history, told to the student and their parents). Journal readers read.
//!
//! Files are uploaded to the school first and then referenced by one homework or one
//! submission; a homework's file is read by whoever reads the homework (the lesson's
//! students and their parents, its teacher, the class's journal readers), a
//! submission's by its student, their parents, the lesson's teacher and journal readers.

use parta_domain::journal::{Mark, is_late};
use parta_domain::permission::Permission;
use parta_domain::{ClassId, FileId, GradeId, GradeTypeId, LessonId, OrgId, SubmissionId, UserId, validate};
use parta_protocol::{
    Grade, GradeSubmissionRequest, HandInRequest, LessonSubmissions, ReturnSubmissionRequest, StudentSubmission,
    Submission, SubmissionStatus,
};
use sqlx::AnyConnection;

use super::Fields;
use super::journal::{COMMENT_MAX_CHARS, do_tell_family, readable_lesson, roster, writable_lesson};
use crate::access;
use crate::auth::Actor;
use crate::clock::rfc3339;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::files::FileRow;
use crate::store::journal::{LessonRow, NewGrade};
use crate::store::submissions::{FilePlace, SubmissionRow};

pub const SUBMISSION_MAX_CHARS: usize = 10_000;
pub const RETURN_COMMENT_MAX_CHARS: usize = 1000;
pub const FILES_MAX: usize = 10;
/// The kind of work a graded submission's mark is, unless the teacher picks another.
pub const HOMEWORK_GRADE_TYPE: &str = "Домашняя работа";

/// # Upload a file to the journal: for homework or a submission (members of the school)
/// Who may is checked before a byte of the file is read; referenced next by id when
/// setting homework or handing in work.
pub async fn admit_upload(state: &AppState, actor: &Actor, org: OrgId) -> Result<()> {
    let mut conn = state.db.reads().acquire().await?;
    access::visible_school(&mut conn, actor, org).await?;
    if store::directory::active_places(&mut conn, org, actor.user_id).await?.is_empty() {
        return Err(Error::Forbidden);
    }
    super::files::check_upload_rate(&mut conn, state, actor).await
}

/// Checks journal files someone references: uploaded by them to this school, not a
/// chat's, and either free or already where `may_hold` allows (kept on a change).
pub(crate) async fn check_files(
    conn: &mut AnyConnection,
    actor: &Actor,
    org: OrgId,
    files: &[FileId],
    fields: &mut Fields,
    may_hold: impl Fn(&FilePlace) -> bool,
) -> Result<()> {
    if files.len() > FILES_MAX {
        fields.reject("files", "out_of_range");
        return Ok(());
    }
    for (index, file) in files.iter().enumerate() {
        let row = store::files::get(conn, *file).await?;
        let own = row
            .is_some_and(|f| f.uploaded_by == Some(actor.user_id.0) && f.org_id == Some(org.0) && f.chat_id.is_none());
        let usable =
            own && match store::submissions::file_place(conn, *file).await? {
                None => true,
                Some(place) => may_hold(&place),
            } && !files[..index].contains(file);
        if !usable {
            fields.reject(&format!("files[{index}]"), "unknown_file");
        }
    }
    Ok(())
}

/// Whether the actor may download a journal file (one without a chat).
pub(crate) async fn journal_file_readable(conn: &mut AnyConnection, actor: &Actor, file: &FileRow) -> Result<bool> {
    let Some(org) = file.org_id.map(OrgId) else { return Ok(false) };
    if file.uploaded_by.is_none() {
        // An application's order, read through its own route.
        return Ok(false);
    }
    let place = store::submissions::file_place(conn, FileId(file.id)).await?;
    let Some(place) = place else { return Ok(file.uploaded_by == Some(actor.user_id.0)) };
    let school = match access::visible_school(conn, actor, org).await {
        Ok(school) => school,
        Err(Error::NotFound) => return Ok(false),
        Err(e) => return Err(e),
    };
    let lesson = match &place {
        FilePlace::Homework(lesson) | FilePlace::Submission { lesson, .. } => *lesson,
        // An order is told to the whole school.
        FilePlace::Order(_) => return Ok(true),
    };
    let Some(row) = store::journal::lesson(conn, org, lesson).await? else { return Ok(false) };
    if row.teacher_id == actor.user_id.0 || school.allows_in_class(Permission::ReadJournal, ClassId(row.class_id)) {
        return Ok(true);
    }
    match place {
        FilePlace::Homework(_) => {
            for student in roster(conn, &row).await? {
                if student == actor.user_id || is_parent_of(conn, org, actor, student).await? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        FilePlace::Submission { student, .. } => {
            Ok(student == actor.user_id || is_parent_of(conn, org, actor, student).await?)
        }
        FilePlace::Order(_) => Ok(true),
    }
}

pub(crate) async fn is_parent_of(conn: &mut AnyConnection, org: OrgId, actor: &Actor, student: UserId) -> Result<bool> {
    Ok(store::directory::parent_places_for_child(conn, org, student)
        .await?
        .iter()
        .any(|p| p.user_id == actor.user_id.0))
}

/// Where work stands; graded only while its mark stands in the journal (a mark taken
/// back there leaves the work to be checked again).
fn status_of(row: &SubmissionRow, grade_stands: bool) -> SubmissionStatus {
    match row.status.as_str() {
        "graded" if grade_stands => SubmissionStatus::Graded,
        "returned" => SubmissionStatus::Returned,
        _ if row.late != 0 => SubmissionStatus::Late,
        _ => SubmissionStatus::HandedIn,
    }
}

/// Whether the work is graded with a mark that still stands in the journal.
async fn graded(conn: &mut AnyConnection, row: &SubmissionRow) -> Result<bool> {
    Ok(match (row.status.as_str(), row.grade_id) {
        ("graded", Some(grade)) => store::submissions::standing_grade(conn, grade).await?.is_some(),
        _ => false,
    })
}

async fn render(conn: &mut AnyConnection, row: &SubmissionRow) -> Result<Submission> {
    let student = store::users::person(conn, UserId(row.student_id)).await?.ok_or(Error::NotFound)?;
    let files =
        store::submissions::submission_files(conn, row.submission_id()).await?.iter().map(FileRow::info).collect();
    let grade = match row.grade_id {
        Some(grade) => store::submissions::standing_grade(conn, grade).await?.map(|g| Grade {
            id: GradeId(g.id),
            mark: g.mark,
            grade_type_id: GradeTypeId(g.grade_type_id),
            weight: g.weight_centi as f64 / 100.0,
            comment: g.comment,
            given_at: rfc3339(g.given_at),
        }),
        None => None,
    };
    Ok(Submission {
        id: row.submission_id(),
        lesson_id: LessonId(row.lesson_id),
        student,
        status: status_of(row, grade.is_some()),
        body: row.body.clone(),
        files,
        handed_in_at: rfc3339(row.handed_in_at),
        late: row.late != 0,
        comment: row.comment.clone(),
        checked_at: row.checked_at.map(rfc3339),
        grade,
    })
}

/// A student's own work for a lesson's homework, as their diary shows it.
pub(crate) async fn own_submission(
    conn: &mut AnyConnection,
    lesson: LessonId,
    student: UserId,
) -> Result<Option<Submission>> {
    match store::submissions::submission_of(conn, lesson, student).await? {
        Some(row) => Ok(Some(render(conn, &row).await?)),
        None => Ok(None),
    }
}

/// # Hand in work for a lesson's homework: text, files or both (the lesson's students)
/// Again and again until it is graded, each time replacing what was there; late when
/// the due day has ended in the school's time zone. The student and their parents are told.
pub async fn hand_in(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    lesson: LessonId,
    request: &HandInRequest,
) -> Result<Submission> {
    let mut work = state.begin().await?;
    let school = access::visible_school(&mut work, actor, org).await?;
    let row = store::journal::lesson(&mut work, org, lesson).await?.ok_or(Error::NotFound)?;
    if !roster(&mut work, &row).await?.contains(&actor.user_id) {
        return Err(Error::Refused("not_your_lesson"));
    }
    let homework = store::journal::homework(&mut work, lesson).await?.ok_or(Error::Missing("no_homework"))?;
    let standing = store::submissions::submission_of(&mut work, lesson, actor.user_id).await?;
    if let Some(standing) = &standing
        && graded(&mut work, standing).await?
    {
        return Err(Error::Conflict("submission_graded"));
    }
    let mut fields = Fields::default();
    let body = if request.body.trim().is_empty() {
        Some(String::new())
    } else {
        fields.check(validate::text("body", &request.body, SUBMISSION_MAX_CHARS))
    };
    if request.body.trim().is_empty() && request.files.is_empty() {
        fields.reject("body", "empty_submission");
    }
    let student = actor.user_id;
    check_files(
        &mut work,
        actor,
        org,
        &request.files,
        &mut fields,
        |place| matches!(place, FilePlace::Submission { lesson: l, student: s } if *l == lesson && *s == student),
    )
    .await?;
    fields.finish()?;
    let body = super::checked(body)?;
    let now = crate::clock::now_ms();
    let due = parta_domain::school_year::date("due_on", &homework.due_on).map_err(|e| Error::Validation(vec![e]))?;
    let late = is_late(now, due, &school.org.time_zone);
    let hand_in = store::submissions::HandIn { lesson, student, body: &body, at: now, late };
    let id = store::submissions::hand_in(&mut work, org, &hand_in).await?;
    store::submissions::set_submission_files(&mut work, org, id, &request.files).await?;
    do_tell_family(&mut work, &row, &[student]).await?;
    let stored = store::submissions::submission(&mut work, org, id).await?.ok_or(Error::NotFound)?;
    let submission = render(&mut work, &stored).await?;
    work.commit(state).await?;
    Ok(submission)
}

/// # The students of a lesson and their work for its homework (its teacher; journal readers)
pub async fn lesson_submissions(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    lesson: LessonId,
) -> Result<LessonSubmissions> {
    let mut conn = state.db.reads().acquire().await?;
    let row = readable_lesson(&mut conn, actor, org, lesson).await?;
    let homework = store::journal::homework(&mut conn, lesson).await?;
    let mut students = roster(&mut conn, &row).await?;
    let submissions = store::submissions::submissions_of_lesson(&mut conn, lesson).await?;
    // Work of someone who has since left the lesson's class stays visible.
    for submission in &submissions {
        if !students.contains(&UserId(submission.student_id)) {
            students.push(UserId(submission.student_id));
        }
    }
    let mut out = Vec::with_capacity(students.len());
    for student in students {
        let Some(person) = store::users::person(&mut conn, student).await? else { continue };
        let submission = match submissions.iter().find(|s| s.student_id == student.0) {
            Some(row) => Some(render(&mut conn, row).await?),
            None => None,
        };
        let status = submission.as_ref().map_or(SubmissionStatus::NotHandedIn, |s| s.status);
        out.push(StudentSubmission { student: person, status, submission });
    }
    out.sort_by(|a, b| {
        (&a.student.family_name, &a.student.given_name).cmp(&(&b.student.family_name, &b.student.given_name))
    });
    Ok(LessonSubmissions { lesson_id: lesson, due_on: homework.map(|h| h.due_on), students: out })
}

/// A submission with its lesson, for the lesson's teacher to answer.
async fn answerable(
    conn: &mut AnyConnection,
    actor: &Actor,
    org: OrgId,
    id: SubmissionId,
) -> Result<(SubmissionRow, LessonRow)> {
    access::visible_school(conn, actor, org).await?;
    let submission = store::submissions::submission(conn, org, id).await?.ok_or(Error::NotFound)?;
    let row = writable_lesson(conn, actor, org, LessonId(submission.lesson_id)).await?;
    if graded(conn, &submission).await? {
        return Err(Error::Conflict("submission_graded"));
    }
    Ok((submission, row))
}

/// # Return work with a comment: the student may hand it in again (the lesson's teacher)
pub async fn return_submission(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    id: SubmissionId,
    request: &ReturnSubmissionRequest,
) -> Result<Submission> {
    let mut work = state.begin().await?;
    let (submission, row) = answerable(&mut work, actor, org, id).await?;
    let comment = validate::text("comment", &request.comment, RETURN_COMMENT_MAX_CHARS)
        .map_err(|e| Error::Validation(vec![e]))?;
    let now = crate::clock::now_ms();
    let check = store::submissions::Check {
        status: "returned",
        comment: Some(&comment),
        grade: None,
        by: actor.user_id,
        at: now,
    };
    store::submissions::check(&mut work, id, &check).await?;
    do_tell_family(&mut work, &row, &[UserId(submission.student_id)]).await?;
    let stored = store::submissions::submission(&mut work, org, id).await?.ok_or(Error::NotFound)?;
    let out = render(&mut work, &stored).await?;
    work.commit(state).await?;
    Ok(out)
}

/// # Grade work: the mark goes into the journal at the homework's lesson (the lesson's teacher)
/// As «Домашняя работа» unless another kind of work is named; once graded, it is final
/// here (the mark itself is changed in the journal like any other).
pub async fn grade_submission(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    id: SubmissionId,
    request: &GradeSubmissionRequest,
) -> Result<Submission> {
    let mut work = state.begin().await?;
    let (submission, row) = answerable(&mut work, actor, org, id).await?;
    let student = UserId(submission.student_id);
    let types: Vec<_> =
        store::journal::grade_types(&mut work, org).await?.into_iter().filter(|t| t.archived_at.is_none()).collect();
    let mut fields = Fields::default();
    let mark = Mark::parse(&request.mark);
    if mark.is_none() {
        fields.reject("mark", "invalid_mark");
    }
    let kind = match request.grade_type_id {
        Some(wanted) => types.iter().find(|t| t.id == wanted.0),
        None => types.iter().find(|t| t.name == HOMEWORK_GRADE_TYPE),
    };
    if kind.is_none() {
        fields.reject("grade_type_id", "unknown_grade_type");
    }
    let comment = fields.check(validate::optional_line("comment", request.comment.as_deref(), COMMENT_MAX_CHARS));
    if !roster(&mut work, &row).await?.contains(&student) {
        fields.reject("mark", "unknown_student");
    }
    fields.finish()?;
    let (mark, kind, comment) = (super::checked(mark)?, super::checked(kind)?, super::checked(comment)?);
    let text = mark.as_text();
    // Due seven days (by the school's numbers) after the work was handed in.
    let thresholds = store::regulations::thresholds(&mut work, org).await?;
    let handed_in = std::collections::HashMap::from([(submission.student_id, submission.handed_in_at)]);
    let grade = NewGrade {
        student,
        mark: &text,
        grade_type: GradeTypeId(kind.id),
        weight_centi: kind.weight_centi,
        comment: comment.as_deref(),
        due_by: super::regulations::mark_due_by(&row, &thresholds, &handed_in, student),
    };
    let grade = store::journal::insert_grade(&mut work, org, row.lesson_id(), &grade, actor.user_id).await?;
    let now = crate::clock::now_ms();
    let check = store::submissions::Check {
        status: "graded",
        comment: comment.as_deref().or(submission.comment.as_deref()),
        grade: Some(grade.0),
        by: actor.user_id,
        at: now,
    };
    store::submissions::check(&mut work, id, &check).await?;
    do_tell_family(&mut work, &row, &[student]).await?;
    let stored = store::submissions::submission(&mut work, org, id).await?.ok_or(Error::NotFound)?;
    let out = render(&mut work, &stored).await?;
    work.commit(state).await?;
    Ok(out)
}
