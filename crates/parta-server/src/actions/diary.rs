//! The diary: a student's week — each school day's lessons from the timetable (those
//! of the student's groups only), with the topic, the student's attendance and marks
//! once the teacher has written the lesson down. Read by the student, their parents,
//! and whoever reads the class's journal; to anyone else of the school it is refused,
//! to anyone outside it does not exist.

use std::collections::BTreeMap;

use parta_domain::journal::Absence;
use parta_domain::permission::Permission;
use parta_domain::{ClassId, GradeId, GradeTypeId, GroupId, MemberRole, OrgId, UserId};
use parta_protocol::{
    AttendanceEntry, ClassSignatures, DatedMark, DiaryDay, DiaryLesson, DiaryMarks, DiaryWeek, DueHomework, Grade,
    SignWeekRequest, StudentSignatures, SubjectMarks, SubjectRef, WeekSignature,
};

use super::plan::Whose;
use super::timetable::{Lookup, calendar};
use crate::access;
use crate::auth::Actor;
use crate::clock::rfc3339;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;

/// A student of the school whose diary the actor reads: the student, their parents,
/// or whoever reads the class's journal.
async fn readable_student(
    conn: &mut sqlx::AnyConnection,
    school: &access::SchoolAccess,
    actor: &Actor,
    org: OrgId,
    student: UserId,
) -> Result<store::directory::PlaceRow> {
    let place = store::directory::active_places(conn, org, student)
        .await?
        .into_iter()
        .find(|p| p.role() == MemberRole::Student)
        .ok_or(Error::NotFound)?;
    let class = place.class_id();
    let is_parent = store::directory::parent_places_for_child(conn, org, student)
        .await?
        .iter()
        .any(|p| p.user_id == actor.user_id.0);
    if !(student == actor.user_id || is_parent || school.allows_in_class(Permission::ReadJournal, class)) {
        return Err(Error::Forbidden);
    }
    Ok(place)
}

/// The student's place in the school year `year`: their class then (last year's 5А
/// after the move to 6А), or the current one where they held none that year.
async fn place_in_year(
    conn: &mut sqlx::AnyConnection,
    org: OrgId,
    current: store::directory::PlaceRow,
    year: &store::school_year::YearRow,
) -> Result<store::directory::PlaceRow> {
    let calendar_year = year.starts_on.get(..4).and_then(|y| y.parse::<i64>().ok());
    if current.academic_year.is_none() || current.academic_year == calendar_year {
        return Ok(current);
    }
    Ok(store::directory::all_places(conn, org, UserId(current.user_id))
        .await?
        .into_iter()
        .find(|p| p.role() == MemberRole::Student && p.academic_year == calendar_year)
        .unwrap_or(current))
}

/// Whether `student` is in `group`, asked of the database once per group a request meets.
async fn in_group(
    conn: &mut sqlx::AnyConnection,
    known: &mut BTreeMap<i64, bool>,
    group: i64,
    student: UserId,
) -> Result<bool> {
    if let Some(answer) = known.get(&group) {
        return Ok(*answer);
    }
    let answer = store::teaching::group_students(conn, GroupId(group)).await?.contains(&student);
    known.insert(group, answer);
    Ok(answer)
}

/// # A student's week in the diary (the student, their parents, the class's journal readers)
/// `date` is any day of the week.
pub async fn week(state: &AppState, actor: &Actor, org: OrgId, student: UserId, date: &str) -> Result<DiaryWeek> {
    let mut conn = state.db.reads().acquire().await?;
    let school = access::visible_school(&mut conn, actor, org).await?;
    let place = readable_student(&mut conn, &school, actor, org, student).await?;
    let date = parta_domain::school_year::date("date", date).map_err(|e| Error::Validation(vec![e]))?;
    let person = store::users::person(&mut conn, student).await?.ok_or(Error::NotFound)?;
    let monday = parta_domain::timetable::monday_of(date);
    let day_text = date.to_string();
    let year = store::school_year::years(&mut conn, org)
        .await?
        .into_iter()
        .find(|y| y.starts_on.as_str() <= day_text.as_str() && day_text.as_str() <= y.ends_on.as_str());
    let Some(year) = year else {
        // Outside every school year: a week without lessons.
        let days = (0..6)
            .filter_map(|n| monday.checked_add(jiff::Span::new().days(n)).ok())
            .map(|d| DiaryDay { date: d.to_string(), school_day: false, lessons: Vec::new(), homework_due: Vec::new() })
            .collect();
        let signatures = signatures(&mut conn, student, &monday.to_string()).await?;
        return Ok(DiaryWeek {
            student: person,
            class: place.class_ref(),
            monday: monday.to_string(),
            days,
            signatures,
        });
    };
    let place = place_in_year(&mut conn, org, place, &year).await?;
    let class = place.class_id();
    let calendar = calendar(&mut conn, &year).await?;
    let mut lookup = Lookup::load(&mut conn, org, year.year_id()).await?;
    // The class's lessons, leaving out those of groups the student is not in.
    let saturday = monday.checked_add(jiff::Span::new().days(5)).unwrap_or(monday);
    let mut groups = BTreeMap::new();
    let mut plan = Vec::new();
    for lesson in super::plan::lessons(
        &mut conn,
        org,
        year.year_id(),
        &lookup,
        &calendar,
        Whose::Class(class),
        (monday, saturday),
    )
    .await?
    {
        let group = lookup.assignment(lesson.assignment.0).and_then(|a| a.group_id);
        let theirs = match group {
            Some(group) => in_group(&mut conn, &mut groups, group, student).await?,
            None => true,
        };
        if theirs {
            plan.push(lesson);
        }
    }
    super::plan::know_people(&mut conn, &mut lookup, &plan).await?;
    // Homework due this week, of the lessons that were the student's.
    let week_end = monday.checked_add(jiff::Span::new().days(5)).unwrap_or(monday).to_string();
    let mut due = Vec::new();
    for homework in store::journal::homework_due(&mut conn, class, &monday.to_string(), &week_end).await? {
        let Some(lesson) = store::journal::lesson(&mut conn, org, parta_domain::LessonId(homework.lesson_id)).await?
        else {
            continue;
        };
        if let Some(group) = lesson.group_id
            && !in_group(&mut conn, &mut groups, group, student).await?
        {
            continue;
        }
        let Some(subject) =
            store::school_year::subject(&mut conn, org, parta_domain::SubjectId(lesson.subject_id)).await?
        else {
            continue;
        };
        due.push((
            homework.due_on.clone(),
            DueHomework {
                lesson_id: lesson.lesson_id(),
                subject: SubjectRef { id: subject.subject_id(), name: subject.name, short_name: subject.short_name },
                set_on: lesson.held_on,
                body: homework.body,
                minutes: homework.minutes,
            },
        ));
    }
    // The week's records of the class in a few statements, not several per lesson.
    let (from, to) = (monday.to_string(), saturday.to_string());
    let written_lessons: BTreeMap<(i64, String, i64, i64), store::journal::LessonRow> =
        store::journal::class_lessons_between(&mut conn, class, &from, &to)
            .await?
            .into_iter()
            .map(|l| ((l.assignment_id, l.held_on.clone(), l.shift, l.number), l))
            .collect();
    let of = store::journal::LessonsOf::Class(class);
    let mut attendance_at: BTreeMap<i64, store::journal::AttendanceRow> = BTreeMap::new();
    for (lesson, row) in store::journal::attendance_between(&mut conn, of, (&from, &to), Some(student)).await? {
        attendance_at.insert(lesson, row);
    }
    let mut grades_at: BTreeMap<i64, Vec<store::journal::GradeRow>> = BTreeMap::new();
    for (lesson, row) in store::journal::grades_between(&mut conn, of, (&from, &to), Some(student)).await? {
        grades_at.entry(lesson).or_default().push(row);
    }
    let mut homework_at: BTreeMap<i64, store::journal::HomeworkRow> =
        store::journal::class_homework_between(&mut conn, class, &from, &to)
            .await?
            .into_iter()
            .map(|h| (h.lesson_id, h))
            .collect();
    let remote = super::distance::RemoteDays::load(&mut conn, org, (monday, saturday)).await?;
    let mut days = Vec::with_capacity(6);
    for (day, school_day) in parta_domain::timetable::week(&calendar, monday) {
        let held_on = day.to_string();
        let mut lessons = Vec::new();
        for lesson in plan.iter().filter(|l| l.place.date == day) {
            let Some(assignment) = lookup.assignment(lesson.assignment.0) else { continue };
            let Some(bell) = lookup.bell(lesson.place.shift, lesson.place.number) else { continue };
            let (Some(subject), Some(teacher)) =
                (lookup.subject(assignment.subject_id).cloned(), lookup.person(lesson.teacher.0).cloned())
            else {
                continue;
            };
            let written = written_lessons
                .get(&(assignment.id, held_on.clone(), lesson.place.shift, lesson.place.number))
                .cloned();
            let (mut attendance, mut grades, mut homework, mut submission) = (None, Vec::new(), None, None);
            if let Some(lesson) = &written {
                if let Some(row) = homework_at.remove(&lesson.id) {
                    homework = Some(super::journal::with_files(&mut conn, row).await?);
                    submission = super::submissions::own_submission(&mut conn, lesson.lesson_id(), student).await?;
                }
                attendance = attendance_at.remove(&lesson.id).and_then(|a| {
                    Some(AttendanceEntry {
                        absence: Absence::parse(&a.absence)?,
                        minutes_late: a.minutes_late,
                        reason: a.reason,
                    })
                });
                grades = grades_at
                    .remove(&lesson.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|g| Grade {
                        id: GradeId(g.id),
                        mark: g.mark,
                        grade_type_id: GradeTypeId(g.grade_type_id),
                        weight: g.weight_centi as f64 / 100.0,
                        comment: g.comment,
                        given_at: rfc3339(g.given_at),
                    })
                    .collect();
            }
            lessons.push(DiaryLesson {
                shift: lesson.place.shift,
                number: lesson.place.number,
                starts_at: bell.starts_at.clone(),
                ends_at: bell.ends_at.clone(),
                subject,
                teacher,
                group: lookup.group(assignment.group_id),
                room: lesson.room.clone(),
                change: super::plan::change(&lookup, lesson),
                remote: remote.lesson(class.0, day, &bell.starts_at, &bell.ends_at),
                lesson_id: written.as_ref().map(|l| l.lesson_id()),
                topic: written.and_then(|l| l.topic),
                attendance,
                grades,
                homework,
                submission,
            });
        }
        lessons.sort_by(|a, b| (&a.starts_at, a.shift, a.number).cmp(&(&b.starts_at, b.shift, b.number)));
        let homework_due = due.iter().filter(|(on, _)| *on == held_on).map(|(_, h)| h.clone()).collect();
        days.push(DiaryDay { date: held_on, school_day, lessons, homework_due });
    }
    let signatures = signatures(&mut conn, student, &monday.to_string()).await?;
    Ok(DiaryWeek { student: person, class: place.class_ref(), monday: monday.to_string(), days, signatures })
}

async fn signatures(conn: &mut sqlx::AnyConnection, student: UserId, monday: &str) -> Result<Vec<WeekSignature>> {
    let mut out = Vec::new();
    for (parent, at) in store::journal::week_signatures(conn, student, monday).await? {
        if let Some(person) = store::users::person(conn, UserId(parent)).await? {
            out.push(WeekSignature { parent: person, signed_at: rfc3339(at) });
        }
    }
    Ok(out)
}

/// # Sign a child's week of the diary («ознакомлен»; the child's parents)
pub async fn sign_week(state: &AppState, actor: &Actor, org: OrgId, request: &SignWeekRequest) -> Result<()> {
    let mut work = state.begin().await?;
    access::visible_school(&mut work, actor, org).await?;
    let is_parent = store::directory::parent_places_for_child(&mut work, org, request.student_id)
        .await?
        .iter()
        .any(|p| p.user_id == actor.user_id.0);
    if !is_parent {
        return Err(Error::Forbidden);
    }
    let date = parta_domain::school_year::date("date", &request.date).map_err(|e| Error::Validation(vec![e]))?;
    let monday = parta_domain::timetable::monday_of(date).to_string();
    store::journal::sign_week(&mut work, org, request.student_id, &monday, actor.user_id).await?;
    work.commit(state).await?;
    Ok(())
}

/// # Which parents have signed a week of the diary, student by student (the class teacher, the administration)
pub async fn class_signatures(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    class: ClassId,
    date: &str,
) -> Result<ClassSignatures> {
    let mut conn = state.db.reads().acquire().await?;
    access::class(&mut conn, actor, org, class, Permission::ReadJournal).await?;
    let date = parta_domain::school_year::date("date", date).map_err(|e| Error::Validation(vec![e]))?;
    let monday = parta_domain::timetable::monday_of(date).to_string();
    let mut students = Vec::new();
    for student in store::journal::class_students_on(&mut conn, org, class, &date.to_string()).await? {
        let Some(person) = store::users::person(&mut conn, student).await? else { continue };
        students
            .push(StudentSignatures { student: person, signatures: signatures(&mut conn, student, &monday).await? });
    }
    students.sort_by(|a, b| {
        (&a.student.family_name, &a.student.given_name).cmp(&(&b.student.family_name, &b.student.given_name))
    });
    Ok(ClassSignatures { monday, students })
}

/// # A student's marks in a period, subject by subject, with averages and period marks
/// (the student, their parents, the class's journal readers)
pub async fn marks(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    student: UserId,
    period: i64,
    date: &str,
) -> Result<DiaryMarks> {
    let mut conn = state.db.reads().acquire().await?;
    let school = access::visible_school(&mut conn, actor, org).await?;
    let place = readable_student(&mut conn, &school, actor, org, student).await?;
    let day = parta_domain::school_year::date("date", date).map_err(|e| Error::Validation(vec![e]))?.to_string();
    let year = store::school_year::years(&mut conn, org)
        .await?
        .into_iter()
        .find(|y| y.starts_on.as_str() <= day.as_str() && day.as_str() <= y.ends_on.as_str())
        .ok_or_else(|| Error::field("date", "outside_year"))?;
    let place = place_in_year(&mut conn, org, place, &year).await?;
    let period_row = store::school_year::periods(&mut conn, year.year_id())
        .await?
        .into_iter()
        .find(|p| p.number == period)
        .ok_or_else(|| Error::field("period", "unknown_period"))?;
    let person = store::users::person(&mut conn, student).await?.ok_or(Error::NotFound)?;
    let mut subjects: Vec<SubjectMarks> = Vec::new();
    let mut individual: BTreeMap<i64, Vec<parta_domain::journal::Mark>> = BTreeMap::new();
    for assignment in store::teaching::assignments_of_year(&mut conn, org, year.year_id()).await? {
        if assignment.class_id != place.class_id().0 {
            continue;
        }
        if let Some(group) = assignment.group_id
            && !store::teaching::group_students(&mut conn, GroupId(group)).await?.contains(&student)
        {
            continue;
        }
        let grades = store::journal::student_grades_between(
            &mut conn,
            assignment.id,
            student,
            &period_row.starts_on,
            &period_row.ends_on,
        )
        .await?;
        let period_mark = store::journal::period_marks(&mut conn, assignment.id, period)
            .await?
            .into_iter()
            .find(|(s, _)| *s == student.0)
            .map(|(_, mark)| mark);
        let year_mark = store::journal::period_marks(&mut conn, assignment.id, store::marks::YEAR)
            .await?
            .into_iter()
            .find(|(s, _)| *s == student.0)
            .map(|(_, mark)| mark);
        let Some(subject) =
            store::school_year::subject(&mut conn, org, parta_domain::SubjectId(assignment.subject_id)).await?
        else {
            continue;
        };
        let marks: Vec<DatedMark> = grades
            .into_iter()
            .map(|(date, mark, weight, kind)| DatedMark {
                date,
                mark,
                weight: weight as f64 / 100.0,
                grade_type_id: GradeTypeId(kind),
            })
            .collect();
        // Individual assignments of remote learning count once each, as the grid counts them.
        let theirs = store::distance::individuals_of_assignment(
            &mut conn,
            assignment.id,
            &period_row.starts_on,
            &period_row.ends_on,
        )
        .await?;
        individual.entry(subject.id).or_default().extend(
            theirs
                .iter()
                .filter(|i| i.student_id == student.0)
                .filter_map(|i| parta_domain::journal::Mark::parse(i.mark.as_deref()?)),
        );
        let entry = SubjectMarks {
            subject: SubjectRef { id: subject.subject_id(), name: subject.name, short_name: subject.short_name },
            marks,
            average: None,
            period_mark,
            year_mark,
        };
        // One subject taught to a group and to the whole class is one line.
        match subjects.iter_mut().find(|s| s.subject.id == entry.subject.id) {
            Some(existing) => {
                existing.marks.extend(entry.marks);
                existing.period_mark = existing.period_mark.take().or(entry.period_mark);
                existing.year_mark = existing.year_mark.take().or(entry.year_mark);
            }
            None => subjects.push(entry),
        }
    }
    for line in &mut subjects {
        let mut scored: Vec<(parta_domain::journal::Mark, f64)> =
            line.marks.iter().filter_map(|m| Some((parta_domain::journal::Mark::parse(&m.mark)?, m.weight))).collect();
        scored.extend(individual.get(&line.subject.id.0).into_iter().flatten().map(|m| (*m, 1.0)));
        line.average = parta_domain::journal::weighted_average(&scored);
    }
    subjects.sort_by(|a, b| a.subject.name.cmp(&b.subject.name));
    Ok(DiaryMarks {
        student: person,
        period: parta_protocol::AcademicPeriod {
            number: period_row.number,
            name: period_row.name,
            starts_on: period_row.starts_on,
            ends_on: period_row.ends_on,
            closed: period_row.closed_at.is_some(),
        },
        subjects,
    })
}
