//! The compliance report (seed 001 §5.1–5.2) for a school's administration: homework
//! and marks in time, days over the homework limit and online lessons over length, by
//! teacher, class and week, with the lessons and days behind the numbers; and the same
//! as a file. Counting is `parta_domain::compliance`; lateness is what was stored when
//! each entry was made (`actions::regulations`).

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use parta_domain::compliance::{Counts, LessonFacts, Overload, report};
use parta_domain::permission::Permission;
use parta_domain::regulations::{DueHomework, heaviest_day};
use parta_domain::{ClassId, LessonId, OrgId, SubjectId, UserId};
use parta_protocol::{
    ClassCompliance, ClassRef, ComplianceCounts, ComplianceReport, FlaggedLesson, OverloadedDay, PersonRef, SubjectRef,
    TeacherCompliance, WeekCompliance,
};
use sqlx::AnyConnection;

use super::journal_export::{Export, FileFormat, Table, full_name, render};
use crate::access;
use crate::auth::Actor;
use crate::clock::now_ms;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;

/// The longest range one report covers: a school year and a little.
pub const RANGE_MAX_DAYS: i64 = 400;

/// What the report is asked for: a range of days, and whose lessons and days to list.
pub struct Query<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub teacher: Option<UserId>,
    pub class: Option<ClassId>,
}

fn counts(c: &Counts) -> ComplianceCounts {
    ComplianceCounts {
        lessons: c.lessons,
        homework_set: c.homework_set,
        homework_late: c.homework_late,
        marks: c.marks,
        late_marks: c.late_marks,
        online_lessons: c.online_lessons,
        online_over_length: c.online_over_length,
        overloaded_days: c.overloaded_days,
    }
}

/// Names read once each.
#[derive(Default)]
struct Names {
    people: HashMap<i64, PersonRef>,
    classes: HashMap<i64, (ClassRef, Option<i64>)>,
    subjects: HashMap<i64, SubjectRef>,
}

impl Names {
    async fn person(&mut self, conn: &mut AnyConnection, id: i64) -> Result<PersonRef> {
        if let Some(p) = self.people.get(&id) {
            return Ok(p.clone());
        }
        let p = store::users::person(conn, UserId(id)).await?.ok_or(Error::NotFound)?;
        self.people.insert(id, p.clone());
        Ok(p)
    }

    /// A class and its grade.
    async fn class(&mut self, conn: &mut AnyConnection, org: OrgId, id: i64) -> Result<(ClassRef, Option<i64>)> {
        if let Some(c) = self.classes.get(&id) {
            return Ok(c.clone());
        }
        let row = store::schools::get_class(conn, org, ClassId(id)).await?.ok_or(Error::NotFound)?;
        let c = (row.class_ref(), row.grade);
        self.classes.insert(id, c.clone());
        Ok(c)
    }

    async fn subject(&mut self, conn: &mut AnyConnection, org: OrgId, id: i64) -> Result<SubjectRef> {
        if let Some(s) = self.subjects.get(&id) {
            return Ok(s.clone());
        }
        let row = store::school_year::subject(conn, org, SubjectId(id)).await?.ok_or(Error::NotFound)?;
        let s = SubjectRef { id: row.subject_id(), name: row.name, short_name: row.short_name };
        self.subjects.insert(id, s.clone());
        Ok(s)
    }
}

fn range(query: &Query<'_>) -> Result<(Date, Date)> {
    let from = parta_domain::school_year::date("from", query.from);
    let to = parta_domain::school_year::date("to", query.to);
    let (from, to) = match (from, to) {
        (Ok(from), Ok(to)) => (from, to),
        (a, b) => return Err(Error::Validation(a.err().into_iter().chain(b.err()).collect())),
    };
    if to < from {
        return Err(Error::field("to", "before_from"));
    }
    if parta_domain::distance::days_between(from, to) > RANGE_MAX_DAYS {
        return Err(Error::field("to", "range_too_long"));
    }
    Ok((from, to))
}

/// # The compliance report over a range of days (the administration)
/// By teacher, class and week; `lessons` and `overloaded_days` list what is behind the
/// numbers, for one teacher or class when asked.
pub async fn compliance(state: &AppState, actor: &Actor, org: OrgId, query: &Query<'_>) -> Result<ComplianceReport> {
    let mut conn = state.db.reads().acquire().await?;
    access::school(&mut conn, actor, org, Permission::ReadJournal).await?;
    let (from, to) = range(query)?;
    build(&mut conn, org, (from, to), query).await
}

async fn build(
    conn: &mut AnyConnection,
    org: OrgId,
    (from, to): (Date, Date),
    query: &Query<'_>,
) -> Result<ComplianceReport> {
    let (first, last) = (from.to_string(), to.to_string());
    let thresholds = store::regulations::thresholds(conn, org).await?;
    let mut names = Names::default();

    // Minutes online per lesson: its calls' time, one still running counted until now.
    let mut online: HashMap<i64, i64> = HashMap::new();
    let now = now_ms();
    for (lesson, started, ended) in store::compliance::lesson_calls(conn, org, &first, &last).await? {
        *online.entry(lesson).or_default() += (ended.unwrap_or(now) - started).max(0);
    }
    let lines = store::compliance::lessons(conn, org, &first, &last).await?;
    let mut facts = Vec::with_capacity(lines.len());
    for line in &lines {
        let Ok(held_on) = line.held_on.parse::<Date>() else { continue };
        let grade = names.class(conn, org, line.class_id).await?.1;
        facts.push(LessonFacts {
            lesson_id: line.id,
            teacher_id: line.teacher_id,
            class_id: line.class_id,
            held_on,
            homework: line.homework_entered_at.map(|at| line.homework_due_by.is_some_and(|due| at > due)),
            marks: line.marks,
            late_marks: line.late_marks,
            online: online.get(&line.id).map(|ms| (ms / 60_000, grade.and_then(|g| thresholds.lesson_limit(g)))),
        });
    }
    let overloads = overloads(conn, org, &mut names, &thresholds, &first, &last).await?;
    let totals = report(&facts, &overloads);

    let mut teachers = Vec::with_capacity(totals.teachers.len());
    for (id, c) in &totals.teachers {
        teachers.push(TeacherCompliance { teacher: names.person(conn, *id).await?, counts: counts(c) });
    }
    teachers.sort_by(|a, b| {
        (&a.teacher.family_name, &a.teacher.given_name).cmp(&(&b.teacher.family_name, &b.teacher.given_name))
    });
    // By grade, then name: 1А before 10А.
    let mut classes = Vec::with_capacity(totals.classes.len());
    for (id, c) in &totals.classes {
        let (class, grade) = names.class(conn, org, *id).await?;
        classes.push((grade.unwrap_or(i64::MAX), ClassCompliance { class, counts: counts(c) }));
    }
    classes.sort_by(|(ga, a), (gb, b)| (ga, &a.class.name).cmp(&(gb, &b.class.name)));
    let classes = classes.into_iter().map(|(_, c)| c).collect();
    let weeks = totals
        .weeks
        .iter()
        .map(|(monday, c)| WeekCompliance { week_of: monday.to_string(), counts: counts(c) })
        .collect();

    let wanted = |teacher: i64, class: i64| {
        query.teacher.is_none_or(|t| t.0 == teacher) && query.class.is_none_or(|c| c.0 == class)
    };
    let mut lessons = Vec::new();
    for (fact, line) in facts.iter().zip(&lines) {
        if !fact.flagged() || !wanted(fact.teacher_id, fact.class_id) {
            continue;
        }
        lessons.push(FlaggedLesson {
            lesson_id: LessonId(fact.lesson_id),
            date: line.held_on.clone(),
            number: line.number,
            subject: names.subject(conn, org, line.subject_id).await?,
            class: names.class(conn, org, fact.class_id).await?.0,
            teacher: names.person(conn, fact.teacher_id).await?,
            homework_late: fact.homework == Some(true),
            late_marks: fact.late_marks,
            online_minutes: fact.online.map(|(minutes, _)| minutes),
            online_limit_minutes: fact.online.and_then(|(_, limit)| limit),
        });
    }
    let mut overloaded_days = Vec::new();
    for day in overloads.iter().filter(|d| query.teacher.is_none() && query.class.is_none_or(|c| c.0 == d.class_id)) {
        overloaded_days.push(OverloadedDay {
            class: names.class(conn, org, day.class_id).await?.0,
            date: day.day.to_string(),
            minutes: day.minutes,
            limit_minutes: day.limit,
        });
    }
    Ok(ComplianceReport {
        from: first,
        to: last,
        total: counts(&totals.total),
        teachers,
        classes,
        weeks,
        lessons,
        overloaded_days,
    })
}

/// The days of the range each class carried more homework than its grade's limit:
/// the heaviest load among its students that day (group homework for its members).
async fn overloads(
    conn: &mut AnyConnection,
    org: OrgId,
    names: &mut Names,
    thresholds: &parta_domain::regulations::Thresholds,
    first: &str,
    last: &str,
) -> Result<Vec<Overload>> {
    let mut by_day: BTreeMap<(i64, String), Vec<DueHomework>> = BTreeMap::new();
    for (class, day, minutes, group) in store::compliance::homework_due(conn, org, first, last).await? {
        by_day.entry((class, day)).or_default().push(DueHomework { minutes: minutes.unwrap_or(0), group });
    }
    let mut groups_of_class: HashMap<i64, HashMap<i64, Vec<i64>>> = HashMap::new();
    let mut out = Vec::new();
    for ((class, day), due) in by_day {
        let Some(limit) = names.class(conn, org, class).await?.1.and_then(|g| thresholds.homework_day_limit(g)) else {
            continue;
        };
        // Cheap before the students are read: a day within the limit even if every
        // piece were for everyone is within it.
        if due.iter().map(|h| h.minutes).sum::<i64>() <= limit {
            continue;
        }
        let groups = match groups_of_class.entry(class) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(place) => place.insert(super::regulations::groups_by_student(conn, ClassId(class)).await?),
        };
        let students = store::journal::class_students_on(conn, org, ClassId(class), &day).await?;
        let minutes =
            heaviest_day(&due, students.iter().map(|s| s.0), |s| groups.get(&s).map_or(&[][..], Vec::as_slice));
        if minutes > limit
            && let Ok(day) = day.parse::<Date>()
        {
            out.push(Overload { class_id: class, day, minutes, limit });
        }
    }
    Ok(out)
}

/// # The compliance report as a file, XLSX or CSV (the administration)
/// A sheet each: by teacher, by class, by week, the flagged lessons, the heavy days.
pub async fn compliance_file(
    state: &AppState,
    actor: &Actor,
    org: OrgId,
    query: &Query<'_>,
    format: &str,
) -> Result<Export> {
    let format = FileFormat::parse(format)?;
    let r = compliance(state, actor, org, query).await?;
    let period = format!("{} — {}", r.from, r.to);
    let header = |first: &str| {
        let mut h = vec![first.to_owned()];
        h.extend(
            [
                "Уроков",
                "Заданий",
                "Заданий позже срока",
                "Отметок",
                "Отметок позже срока",
                "Онлайн-уроков",
                "Онлайн дольше нормы",
                "Дней сверх нормы заданий",
            ]
            .map(String::from),
        );
        h
    };
    let row = |first: String, c: &ComplianceCounts| {
        let mut out = vec![first];
        out.extend(
            [
                c.lessons,
                c.homework_set,
                c.homework_late,
                c.marks,
                c.late_marks,
                c.online_lessons,
                c.online_over_length,
                c.overloaded_days,
            ]
            .map(|n| n.to_string()),
        );
        out
    };
    let mut teachers: Vec<Vec<String>> = r.teachers.iter().map(|t| row(full_name(&t.teacher), &t.counts)).collect();
    teachers.push(row("Всего".into(), &r.total));
    let tables = [
        Table {
            sheet: "По учителям".into(),
            title: format!("Соблюдение положения по учителям, {period}"),
            header: header("Учитель"),
            rows: teachers,
        },
        Table {
            sheet: "По классам".into(),
            title: format!("Соблюдение положения по классам, {period}"),
            header: header("Класс"),
            rows: r.classes.iter().map(|c| row(c.class.name.clone(), &c.counts)).collect(),
        },
        Table {
            sheet: "По неделям".into(),
            title: format!("Соблюдение положения по неделям, {period}"),
            header: header("Неделя с"),
            rows: r.weeks.iter().map(|w| row(w.week_of.clone(), &w.counts)).collect(),
        },
        Table {
            sheet: "Уроки".into(),
            title: format!("Уроки с нарушениями сроков и длительности, {period}"),
            header: [
                "Дата",
                "Урок",
                "Класс",
                "Предмет",
                "Учитель",
                "Задание позже срока",
                "Отметок позже срока",
                "Онлайн, мин",
                "Норма, мин",
            ]
            .map(String::from)
            .to_vec(),
            rows: r
                .lessons
                .iter()
                .map(|l| {
                    vec![
                        l.date.clone(),
                        l.number.to_string(),
                        l.class.name.clone(),
                        l.subject.name.clone(),
                        full_name(&l.teacher),
                        if l.homework_late { "да".into() } else { String::new() },
                        l.late_marks.to_string(),
                        l.online_minutes.map(|m| m.to_string()).unwrap_or_default(),
                        l.online_limit_minutes.map(|m| m.to_string()).unwrap_or_default(),
                    ]
                })
                .collect(),
        },
        Table {
            sheet: "Перегрузка".into(),
            title: format!("Дни, когда домашних заданий больше нормы, {period}"),
            header: ["Дата", "Класс", "Заданий, мин", "Норма, мин"].map(String::from).to_vec(),
            rows: r
                .overloaded_days
                .iter()
                .map(|d| vec![d.date.clone(), d.class.name.clone(), d.minutes.to_string(), d.limit_minutes.to_string()])
                .collect(),
        },
    ];
    render(&tables, format, &format!("compliance-{}-{}", r.from, r.to))
}
