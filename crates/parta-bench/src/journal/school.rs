//! The school's year through the API, after `provision` has made its people: subjects,
//! the year with its periods and bells, assignments, class timetables, then the
//! journal of every school day before the simulated today — each lesson opened by its
//! teacher, given its absences and its marks, many lessons at once.
//!
//! What is set up is saved beside the data (`journal-setup.json`), and the journal is
//! written a week at a time with the weeks done saved after each, so an interrupted
//! run picks up where it stopped.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use anyhow::Context;
use futures_util::StreamExt;
use jiff::civil::Date;
use parta_protocol::{AcademicYear, Assignment, ClassTimetable, GradeType, LessonPage, Subject};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::plan::{self, BELLS, DAYS, SUBJECTS, Slot};
use crate::http::{Conn, Pool};
use crate::provision::{Directory, Person};

/// What the journal's school has beyond its people.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Setup {
    pub year_id: i64,
    /// The year's first day (a Monday), `YYYY-MM-DD`.
    pub start: String,
    pub year_weeks: usize,
    /// Weeks of the journal written before the simulated today.
    pub weeks: usize,
    pub periods: usize,
    pub grade_type: i64,
    /// `assignments[class][subject]`.
    pub assignments: Vec<Vec<i64>>,
    /// `teachers[class][subject]`: an index into `Setup::teachers`.
    pub table: Vec<Vec<usize>>,
    pub teachers: Vec<Person>,
    /// Absences and marks per lesson of `students_per_class` (scaled to the roster).
    pub absent: usize,
    pub marked: usize,
    /// Weeks of the journal written so far.
    pub weeks_written: usize,
    pub timings: Vec<(String, f64)>,
}

impl Setup {
    pub fn start_date(&self) -> anyhow::Result<Date> {
        Ok(self.start.parse()?)
    }

    /// The simulated today: the Wednesday of the week after those written.
    pub fn today(&self) -> anyhow::Result<Date> {
        Ok(plan::school_day(self.start_date()?, self.weeks, 2))
    }

    /// The period (1-based) a date falls in.
    pub fn period_of(&self, date: Date) -> anyhow::Result<i64> {
        let periods = plan::periods(self.start_date()?, self.year_weeks, self.periods);
        periods
            .iter()
            .position(|&(first, last)| first <= date && date <= last)
            .map(|i| i as i64 + 1)
            .context("the date is outside the year")
    }

    pub fn week(&self) -> anyhow::Result<Vec<Vec<Slot>>> {
        plan::timetable(&self.table, self.teachers.len())
    }

    pub fn load(path: &Path) -> anyhow::Result<Setup> {
        Ok(serde_json::from_slice(&std::fs::read(path)?)?)
    }

    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        std::fs::write(path, serde_json::to_vec(self)?)?;
        Ok(())
    }
}

/// The teachers in the order `plan::teachers` counts them: class teachers, then the others.
pub fn teachers_of(directory: &Directory) -> Vec<Person> {
    directory.classes.iter().map(|c| c.teacher.clone()).chain(directory.extra_teachers.iter().cloned()).collect()
}

/// One request with up to three tries on a broken connection or a 5xx; the answer
/// read as `T` when its status is `expected`.
pub async fn call<T: DeserializeOwned>(
    conn: &mut Conn,
    method: hyper::Method,
    path: &str,
    token: &str,
    body: Option<&serde_json::Value>,
    expected: u16,
) -> anyhow::Result<T> {
    let mut tries = 0;
    loop {
        tries += 1;
        let bytes = match body {
            Some(body) => bytes::Bytes::from(serde_json::to_vec(body)?),
            None => bytes::Bytes::new(),
        };
        let content_type = body.map(|_| "application/json");
        match conn.request(method.clone(), path, Some(token), content_type, bytes).await {
            Ok(reply) if reply.status.is_server_error() && tries < 3 => continue,
            // Opening a lesson answers 201, or 200 for one opened before.
            Ok(reply) if expected == 201 && reply.status.as_u16() == 200 => {
                return reply.json(200).with_context(|| format!("{method} {path}"));
            }
            Ok(reply) => return reply.json(expected).with_context(|| format!("{method} {path}")),
            Err(_) if tries < 3 => continue,
            Err(error) => return Err(error.context(format!("{method} {path}"))),
        }
    }
}

pub struct Options {
    pub year_weeks: usize,
    pub weeks: usize,
    pub periods: usize,
    pub absent: usize,
    pub marked: usize,
}

/// Subjects, the year, bells, assignments and timetables.
pub async fn set_up(pool: &Pool, directory: &Directory, options: &Options) -> anyhow::Result<Setup> {
    let org = directory.org;
    let admin = directory.admin.token.as_str();
    let mut conn = pool.take();
    let started = Instant::now();
    let teachers = teachers_of(directory);
    let table = plan::teachers(directory.classes.len(), teachers.len())?;
    plan::timetable(&table, teachers.len())?;

    // Subjects: the school starts with some; the missing ones are added.
    let existing: Vec<Subject> =
        call(&mut conn, hyper::Method::GET, &format!("/api/v1/orgs/{org}/subjects"), admin, None, 200).await?;
    let mut subjects = Vec::with_capacity(SUBJECTS.len());
    for (name, short, _) in SUBJECTS {
        let id = match existing.iter().find(|s| s.name == name) {
            Some(subject) => subject.id.0,
            None => {
                let body = json!({ "name": name, "short_name": short });
                let created: Subject = call(
                    &mut conn,
                    hyper::Method::POST,
                    &format!("/api/v1/orgs/{org}/subjects"),
                    admin,
                    Some(&body),
                    201,
                )
                .await?;
                created.id.0
            }
        };
        subjects.push(id);
    }

    // The year: from the Monday on or after today, so that everyone registered today
    // is in their class on each of its days.
    let today = jiff::Zoned::now().date();
    let start = plan::year_start(today);
    let periods: Vec<serde_json::Value> = plan::periods(start, options.year_weeks, options.periods)
        .into_iter()
        .map(|(first, last)| json!({ "starts_on": first.to_string(), "ends_on": last.to_string() }))
        .collect();
    let kind = match options.periods {
        2 => "halves",
        3 => "trimesters",
        _ => "quarters",
    };
    let year = json!({
        "name": "Нагрузочный год",
        "starts_on": start.to_string(),
        "ends_on": plan::add_days(start, (options.year_weeks * 7) as i64 - 1).to_string(),
        "school_days": DAYS,
        "period_kind": kind,
        "periods": periods,
    });
    let year: AcademicYear =
        call(&mut conn, hyper::Method::POST, &format!("/api/v1/orgs/{org}/years"), admin, Some(&year), 201).await?;
    let year_id = year.id.0;
    let bells: Vec<serde_json::Value> = BELLS
        .iter()
        .enumerate()
        .map(|(i, (from, to))| json!({ "shift": 1, "number": i + 1, "starts_at": from, "ends_at": to }))
        .collect();
    let _: AcademicYear = call(
        &mut conn,
        hyper::Method::PUT,
        &format!("/api/v1/orgs/{org}/years/{year_id}/bells"),
        admin,
        Some(&json!({ "bells": bells })),
        200,
    )
    .await?;
    let grade_types: Vec<GradeType> =
        call(&mut conn, hyper::Method::GET, &format!("/api/v1/orgs/{org}/grade-types"), admin, None, 200).await?;
    let grade_type = grade_types.iter().find(|t| !t.archived).context("the school has a grade type")?.id.0;
    pool.give(conn);

    // Assignments: each class's subjects with their teachers.
    let jobs: Vec<(usize, usize)> =
        (0..directory.classes.len()).flat_map(|c| (0..SUBJECTS.len()).map(move |s| (c, s))).collect();
    let ids: Vec<i64> = crate::provision::all(pool, jobs.clone(), |mut conn, (c, s)| {
        let body = json!({
            "teacher_id": teachers[table[c][s]].id,
            "subject_id": subjects[s],
            "class_id": directory.classes[c].class_id,
        });
        async move {
            let path = format!("/api/v1/orgs/{org}/years/{year_id}/assignments");
            let result: anyhow::Result<Assignment> =
                call(&mut conn, hyper::Method::POST, &path, admin, Some(&body), 201).await;
            (conn, result.map(|a| a.id.0))
        }
    })
    .await?;
    let assignments: Vec<Vec<i64>> = ids.chunks(SUBJECTS.len()).map(<[i64]>::to_vec).collect();

    // Timetables, a class at a time (each is checked against the others').
    let week = plan::timetable(&table, teachers.len())?;
    let mut conn = pool.take();
    for (c, slots) in week.iter().enumerate() {
        let entries: Vec<serde_json::Value> = slots
            .iter()
            .map(|slot| {
                json!({
                    "weekday": slot.day + 1,
                    "shift": 1,
                    "number": slot.bell + 1,
                    "assignment_id": assignments[c][slot.subject],
                })
            })
            .collect();
        let class = directory.classes[c].class_id;
        let path = format!("/api/v1/orgs/{org}/years/{year_id}/classes/{class}/timetable");
        let _: ClassTimetable =
            call(&mut conn, hyper::Method::PUT, &path, admin, Some(&json!({ "entries": entries })), 200).await?;
    }
    pool.give(conn);
    let secs = started.elapsed().as_secs_f64();
    eprintln!("  year {year_id} from {start}, {} assignments, {} timetables in {secs:.1} s", jobs.len(), week.len());
    Ok(Setup {
        year_id,
        start: start.to_string(),
        year_weeks: options.year_weeks,
        weeks: options.weeks,
        periods: options.periods,
        grade_type,
        assignments,
        table,
        teachers,
        absent: options.absent,
        marked: options.marked,
        weeks_written: 0,
        timings: vec![("year, subjects, assignments, timetables".into(), secs)],
    })
}

/// One lesson of a class on a date, as the timetable has it.
#[derive(Debug, Clone)]
pub struct LessonJob {
    pub class: usize,
    pub date: Date,
    pub slot: Slot,
}

/// The lessons of a school day, class by class.
pub fn lessons_on(week: &[Vec<Slot>], date: Date, day: usize) -> Vec<LessonJob> {
    week.iter()
        .enumerate()
        .flat_map(|(class, slots)| {
            slots.iter().filter(|s| s.day == day).map(move |&slot| LessonJob { class, date, slot })
        })
        .collect()
}

/// What writing lessons did.
#[derive(Debug, Default)]
pub struct Written {
    pub lessons: AtomicU64,
    pub absences: AtomicU64,
    pub marks: AtomicU64,
    pub requests: AtomicU64,
}

/// A seed for a lesson: the same lesson gets the same absences and marks.
pub fn lesson_seed(job: &LessonJob) -> u64 {
    let day = job.date.to_string();
    let mut seed = job.class as u64 * 1_000_003 + job.slot.bell as u64 * 7919;
    for b in day.bytes() {
        seed = plan::mix(seed ^ u64::from(b));
    }
    seed
}

/// Opens the lesson as its teacher; the page lists its students.
pub async fn open(conn: &mut Conn, org: i64, setup: &Setup, job: &LessonJob) -> anyhow::Result<LessonPage> {
    let teacher = &setup.teachers[setup.table[job.class][job.slot.subject]];
    let body = json!({
        "assignment_id": setup.assignments[job.class][job.slot.subject],
        "date": job.date.to_string(),
        "shift": 1,
        "number": job.slot.bell + 1,
        "topic": format!("Тема урока {}", job.date),
    });
    call(conn, hyper::Method::POST, &format!("/api/v1/orgs/{org}/lessons"), &teacher.token, Some(&body), 201).await
}

/// The attendance and grades requests of a lesson: who is absent, who gets which mark.
pub fn lesson_writes(setup: &Setup, job: &LessonJob, students: &[i64]) -> (Vec<i64>, Vec<(i64, &'static str)>) {
    let seed = lesson_seed(job);
    let (absent, marked) = plan::pick(seed, students.len(), setup.absent, setup.marked);
    let absent = absent.iter().map(|&i| students[i]).collect();
    let marked = marked.iter().map(|&i| (students[i], plan::mark(seed ^ students[i] as u64))).collect();
    (absent, marked)
}

pub fn attendance_body(absent: &[i64]) -> serde_json::Value {
    let entries: Vec<serde_json::Value> =
        absent.iter().map(|&id| json!({ "student_id": id, "absence": "absent" })).collect();
    json!({ "entries": entries })
}

pub fn grades_body(setup: &Setup, marked: &[(i64, &str)]) -> serde_json::Value {
    let grades: Vec<serde_json::Value> = marked
        .iter()
        .map(|&(id, mark)| json!({ "student_id": id, "mark": mark, "grade_type_id": setup.grade_type }))
        .collect();
    json!({ "grades": grades })
}

async fn write_lesson(
    conn: &mut Conn,
    org: i64,
    setup: &Setup,
    job: &LessonJob,
    written: &Written,
) -> anyhow::Result<()> {
    let page = open(conn, org, setup, job).await?;
    let lesson = page.lesson.id.0;
    let token = &setup.teachers[setup.table[job.class][job.slot.subject]].token;
    let students: Vec<i64> = page.students.iter().map(|s| s.person.id.0).collect();
    let (absent, marked) = lesson_writes(setup, job, &students);
    let mut requests = 1;
    // A lesson written before (an interrupted run) keeps what it has.
    let untouched = page.students.iter().all(|s| s.attendance.is_none() && s.grades.is_empty());
    if untouched && !absent.is_empty() {
        let path = format!("/api/v1/orgs/{org}/lessons/{lesson}/attendance");
        let _: LessonPage = call(conn, hyper::Method::PUT, &path, token, Some(&attendance_body(&absent)), 200).await?;
        requests += 1;
    }
    if untouched && !marked.is_empty() {
        let path = format!("/api/v1/orgs/{org}/lessons/{lesson}/grades");
        let _: LessonPage =
            call(conn, hyper::Method::PUT, &path, token, Some(&grades_body(setup, &marked)), 200).await?;
        requests += 1;
    }
    written.lessons.fetch_add(1, Ordering::Relaxed);
    if untouched {
        written.absences.fetch_add(absent.len() as u64, Ordering::Relaxed);
        written.marks.fetch_add(marked.len() as u64, Ordering::Relaxed);
    }
    written.requests.fetch_add(requests, Ordering::Relaxed);
    Ok(())
}

/// Writes the journal's weeks not yet written, saving progress after each.
pub async fn write_journal(
    pool: &Pool,
    org: i64,
    setup: &mut Setup,
    setup_file: &Path,
    in_flight: usize,
    budget: Option<std::time::Duration>,
) -> anyhow::Result<Written> {
    let week = setup.week()?;
    let start = setup.start_date()?;
    let written = Written::default();
    let started = Instant::now();
    // The weeks before today's, then today's week up to yesterday.
    while setup.weeks_written <= setup.weeks {
        // Out of time: today moves to the week after the last one written.
        if setup.weeks_written < setup.weeks && budget.is_some_and(|b| started.elapsed() > b) {
            eprintln!(
                "  journal: out of time after {} weeks; today moves into week {}",
                setup.weeks_written,
                setup.weeks_written + 1
            );
            setup.weeks = setup.weeks_written;
        }
        let w = setup.weeks_written;
        let days = if w < setup.weeks { DAYS } else { 2 };
        let jobs: Vec<LessonJob> =
            (0..days).flat_map(|d| lessons_on(&week, plan::school_day(start, w, d), d)).collect();
        let week_started = Instant::now();
        let count = jobs.len();
        let results: Vec<anyhow::Result<()>> = futures_util::stream::iter(jobs)
            .map(|job| {
                let setup = &*setup;
                let written = &written;
                async move {
                    let mut conn = pool.take();
                    let result = write_lesson(&mut conn, org, setup, &job, written).await;
                    pool.give(conn);
                    result.with_context(|| format!("class {} on {} at bell {}", job.class, job.date, job.slot.bell + 1))
                }
            })
            .buffer_unordered(in_flight)
            .collect()
            .await;
        results.into_iter().collect::<anyhow::Result<Vec<()>>>()?;
        let secs = week_started.elapsed().as_secs_f64();
        eprintln!(
            "  journal: week {} of {}: {count} lessons in {secs:.1} s ({:.0} lessons/s)",
            w + 1,
            setup.weeks + 1,
            count as f64 / secs.max(1e-9)
        );
        setup.weeks_written += 1;
        setup.save(setup_file)?;
    }
    setup.timings.push(("journal".into(), started.elapsed().as_secs_f64()));
    Ok(written)
}
