//! The regulations' rules through the API (seed 001 §5.1–5.2): a school's numbers,
//! tightened but never loosened; the day's homework load, warned of or refused; and
//! lateness of homework and marks, recorded by the deadline in force when entered.

use serde_json::{Value, json};

use crate::journal::{days_ahead, lessons_path, week};
use crate::on_both_backends;
use crate::support::TestApp;
use crate::timetable::{Setup, setup};

on_both_backends!(
    a_school_tightens_the_regulations_numbers_but_cannot_loosen_them,
    homework_over_the_days_limit_is_warned_of_and_refused_where_the_school_says_so,
    late_homework_and_marks_are_recorded_by_the_deadline_in_force_when_entered,
    the_compliance_report_counts_by_teacher_class_and_week_and_lists_what_is_behind_it,
);

fn regulations_path(s: &Setup) -> String {
    format!("/api/v1/orgs/{}/regulations", s.school.org)
}

fn numbers(lesson: [i64; 4], homework: [i64; 4], entry_minutes: i64, days: i64, strict: bool) -> Value {
    json!({
        "lesson_minutes": lesson, "homework_day_minutes": homework,
        "homework_entry_minutes": entry_minutes, "marks_entry_days": days, "homework_limit_strict": strict,
    })
}

/// The student in the first English group of 5А: its homework is theirs, not the class's.
async fn english_group_1(app: &TestApp, s: &Setup) {
    app.put(&format!("/api/v1/orgs/{}/classes/{}/groups/{}", s.school.org, s.class_a, s.groups[0]))
        .token(&s.school.admin)
        .json(json!({ "name": "Английский, группа 1", "student_ids": [s.student.id] }))
        .send()
        .await
        .expect(200);
}

const SEEDS_LESSON: [i64; 4] = [20, 25, 30, 35];
const SEEDS_HOMEWORK: [i64; 4] = [90, 120, 150, 210];

async fn a_school_tightens_the_regulations_numbers_but_cannot_loosen_them(app: TestApp) {
    let s = setup(&app, 601).await;
    let path = regulations_path(&s);
    let seeds = numbers(SEEDS_LESSON, SEEDS_HOMEWORK, 120, 7, false);
    let read = app.get(&path).token(&s.maths.token).send().await.expect(200);
    assert_eq!((&read.json["school"], &read.json["seeds"]), (&seeds, &seeds), "a school starts on the seeds' numbers");
    app.put(&path)
        .token(&s.school.admin)
        .json(numbers([20, 25, 45, 35], SEEDS_HOMEWORK, 0, 8, false))
        .send()
        .await
        .invalid(&[
            ("lesson_minutes[2]", "looser_than_regulations"),
            ("homework_entry_minutes", "out_of_range"),
            ("marks_entry_days", "looser_than_regulations"),
        ]);
    let mut three = numbers(SEEDS_LESSON, SEEDS_HOMEWORK, 120, 7, false);
    three["homework_day_minutes"] = json!([90, 120, 150]);
    app.put(&path).token(&s.school.admin).json(three).send().await.invalid(&[("homework_day_minutes", "out_of_range")]);
    let tighter = numbers([20, 25, 25, 30], [60, 90, 120, 180], 60, 3, true);
    app.put(&path).token(&s.maths.token).json(tighter.clone()).send().await.problem(403, "forbidden");
    let set = app.put(&path).token(&s.school.admin).json(tighter.clone()).send().await.expect(200);
    assert_eq!((&set.json["school"], &set.json["seeds"]), (&tighter, &seeds));
    let read = app.get(&path).token(&s.student.token).send().await.expect(200);
    assert_eq!(read.json["school"], tighter);
    let audit =
        app.get(&format!("/api/v1/orgs/{}/audit", s.school.org)).token(&s.school.admin).send().await.expect(200);
    let entries = audit.json.as_array().expect("entries");
    let changed = entries.iter().find(|e| e["action"] == "regulations_changed").expect("audited");
    assert_eq!(changed["details"]["before"]["marks_entry_days"], 7);
}

async fn homework_over_the_days_limit_is_warned_of_and_refused_where_the_school_says_so(app: TestApp) {
    let s = setup(&app, 602).await;
    week(&app, &s).await;
    let [monday, tuesday, _] = days_ahead(&app, &s).await;
    english_group_1(&app, &s).await;
    let open = |assignment: i64, date: &str, number: i64| json!({ "assignment_id": assignment, "date": date, "shift": 1, "number": number });
    let maths = app.post(&lessons_path(&s)).token(&s.maths.token).json(open(s.maths_a, &monday, 1)).send().await;
    let maths = maths.expect(200).json["lesson"]["id"].as_i64().expect("id");
    let english =
        app.post(&lessons_path(&s)).token(&s.english.token).json(open(s.english_g1, &tuesday, 2)).send().await;
    let english = english.expect(200).json["lesson"]["id"].as_i64().expect("id");
    let load = |lesson: i64, minutes: i64| {
        format!("{}/{lesson}/homework-load?due_on={tuesday}&minutes={minutes}", lessons_path(&s))
    };
    let homework = |lesson: i64| format!("{}/{lesson}/homework", lessons_path(&s));
    let set = |body: &str, minutes: i64| json!({ "body": body, "due_on": tuesday, "minutes": minutes });

    // 5th grade: two hours a day (seed 001 §5.1).
    let alone = app.get(&load(maths, 100)).token(&s.maths.token).send().await.expect(200);
    assert_eq!(
        alone.json,
        json!({ "due_on": tuesday, "minutes": 100, "limit_minutes": 120, "over": false, "strict": false })
    );
    app.put(&homework(maths)).token(&s.maths.token).json(set("§12", 100)).send().await.expect(200);
    // Group 1's English on top of the class's maths: over, warned of, saved all the same.
    let over = app.get(&load(english, 30)).token(&s.english.token).send().await.expect(200);
    assert_eq!((over.json["minutes"].as_i64(), over.json["over"].as_bool()), (Some(130), Some(true)));
    app.put(&homework(english)).token(&s.english.token).json(set("Unit 3", 30)).send().await.expect(200);
    // The lesson's own homework counts once, as it would be: maths at 60 makes the day 90.
    let replaced = app.get(&load(maths, 60)).token(&s.maths.token).send().await.expect(200);
    assert_eq!((replaced.json["minutes"].as_i64(), replaced.json["over"].as_bool()), (Some(90), Some(false)));
    // Another teacher's lesson: its load is not theirs to read.
    app.get(&load(maths, 10)).token(&s.english_2.token).send().await.problem(403, "forbidden");
    app.get(&format!("{}/{maths}/homework-load?due_on=someday", lessons_path(&s)))
        .token(&s.maths.token)
        .send()
        .await
        .invalid(&[("due_on", "invalid_date")]);

    // The school makes the limit a hard stop: more on that day is refused, a reworded
    // text is not, and less is welcome.
    let strict = numbers(SEEDS_LESSON, SEEDS_HOMEWORK, 120, 7, true);
    app.put(&regulations_path(&s)).token(&s.school.admin).json(strict).send().await.expect(200);
    app.put(&homework(english))
        .token(&s.english.token)
        .json(set("Unit 3 and 4", 40))
        .send()
        .await
        .invalid(&[("minutes", "day_over_limit")]);
    let reworded = app.put(&homework(english)).token(&s.english.token).json(set("Unit 3, ex. 1–4", 30)).send().await;
    assert_eq!(reworded.expect(200).json["homework"]["body"], "Unit 3, ex. 1–4");
    app.put(&homework(english)).token(&s.english.token).json(set("Unit 3, ex. 1–2", 20)).send().await.expect(200);
    let now = app.get(&load(english, 20)).token(&s.english.token).send().await.expect(200);
    assert_eq!((now.json["minutes"].as_i64(), now.json["over"].as_bool()), (Some(120), Some(false)));
}

/// The school's first kind of work, to give marks as.
async fn first_grade_type(app: &TestApp, s: &Setup) -> i64 {
    let kinds = app.get(&format!("/api/v1/orgs/{}/grade-types", s.school.org)).token(&s.maths.token).send().await;
    kinds.expect(200).json[0]["id"].as_i64().expect("a kind of work")
}

fn late_marks(page: &Value) -> Vec<i64> {
    page["deadlines"]["late_marks"].as_array().expect("late marks").iter().filter_map(Value::as_i64).collect()
}

fn mark_ids(page: &Value) -> Vec<i64> {
    let students = page["students"].as_array().expect("students");
    students
        .iter()
        .flat_map(|s| s["grades"].as_array().expect("grades").iter().filter_map(|g| g["id"].as_i64()))
        .collect()
}

async fn late_homework_and_marks_are_recorded_by_the_deadline_in_force_when_entered(app: TestApp) {
    let s = setup(&app, 603).await;
    week(&app, &s).await;
    let [monday, tuesday, _] = days_ahead(&app, &s).await;
    let open = json!({ "assignment_id": s.maths_a, "date": monday, "shift": 1, "number": 1 });
    let page = app.post(&lessons_path(&s)).token(&s.maths.token).json(open).send().await.expect(200);
    let lesson = page.json["lesson"]["id"].as_i64().expect("id");
    let ends_at: jiff::Timestamp = page.json["lesson"]["ends_at"].as_str().expect("ends").parse().expect("a time");
    let after = |ms: i64| (ends_at + jiff::SignedDuration::from_millis(ms)).to_string();
    let deadlines = &page.json["deadlines"];
    assert_eq!(
        deadlines["homework_due_by"].as_str(),
        Some(after(2 * 3_600_000).as_str()),
        "2 hours after (seed 001 §5.2)"
    );
    assert_eq!(deadlines["marks_due_by"].as_str(), Some(after(7 * 86_400_000).as_str()), "7 days after");
    assert_eq!((deadlines["homework_late"].as_bool(), late_marks(&page.json)), (Some(false), vec![]));
    let grade_type = first_grade_type(&app, &s).await;
    let give =
        |mark: &str| json!({ "grades": [{ "student_id": s.student.id, "mark": mark, "grade_type_id": grade_type }] });
    let grades = format!("{}/{lesson}/grades", lessons_path(&s));
    let on_time = app.put(&grades).token(&s.maths.token).json(give("5")).send().await.expect(200);
    let first = mark_ids(&on_time.json);

    // The lesson was three hours ago: its homework comes late.
    let now = jiff::Timestamp::now().as_millisecond();
    app.sql(format!(
        "UPDATE lessons SET starts_at = {}, ends_at = {} WHERE id = {lesson}",
        now - 4 * 3_600_000,
        now - 3 * 3_600_000
    ))
    .await;
    let homework = format!("{}/{lesson}/homework", lessons_path(&s));
    let set = app
        .put(&homework)
        .token(&s.maths.token)
        .json(json!({ "body": "§12", "due_on": tuesday, "minutes": 20 }))
        .send()
        .await
        .expect(200);
    assert_eq!(set.json["deadlines"]["homework_late"], true);
    // Changing it later does not move its deadline.
    let changed = app
        .put(&homework)
        .token(&s.maths.token)
        .json(json!({ "body": "§12–13", "due_on": tuesday, "minutes": 20 }))
        .send()
        .await
        .expect(200);
    assert_eq!(changed.json["deadlines"]["homework_late"], true);

    // Eight days ago: a mark given now is late; the one given in time stays in time,
    // even after the school shortens the week to three days.
    app.sql(format!(
        "UPDATE lessons SET starts_at = {}, ends_at = {} WHERE id = {lesson}",
        now - 8 * 86_400_000 - 3_600_000,
        now - 8 * 86_400_000
    ))
    .await;
    let late = app.put(&grades).token(&s.maths.token).json(give("4")).send().await.expect(200);
    let second: Vec<i64> = mark_ids(&late.json).into_iter().filter(|id| !first.contains(id)).collect();
    assert_eq!(late_marks(&late.json), second);
    let tighter = numbers(SEEDS_LESSON, SEEDS_HOMEWORK, 120, 3, false);
    app.put(&regulations_path(&s)).token(&s.school.admin).json(tighter).send().await.expect(200);
    let page = app.get(&format!("{}/{lesson}", lessons_path(&s))).token(&s.maths.token).send().await.expect(200);
    assert_eq!(late_marks(&page.json), second);
    assert_eq!(page.json["deadlines"]["homework_late"], true);
}

async fn the_compliance_report_counts_by_teacher_class_and_week_and_lists_what_is_behind_it(app: TestApp) {
    let s = setup(&app, 604).await;
    week(&app, &s).await;
    let [monday, tuesday, _] = days_ahead(&app, &s).await;
    let org = s.school.org;
    english_group_1(&app, &s).await;
    let open = |assignment: i64, date: &str, number: i64| json!({ "assignment_id": assignment, "date": date, "shift": 1, "number": number });
    let maths = app.post(&lessons_path(&s)).token(&s.maths.token).json(open(s.maths_a, &monday, 1)).send().await;
    let maths = maths.expect(200).json["lesson"]["id"].as_i64().expect("id");
    let english =
        app.post(&lessons_path(&s)).token(&s.english.token).json(open(s.english_g1, &tuesday, 2)).send().await;
    let english = english.expect(200).json["lesson"]["id"].as_i64().expect("id");
    let now = jiff::Timestamp::now().as_millisecond();
    let (minute, hour, day) = (60_000, 3_600_000, 86_400_000);
    let move_lesson = |lesson: i64, starts: i64, ends: i64| {
        format!("UPDATE lessons SET starts_at = {starts}, ends_at = {ends} WHERE id = {lesson}")
    };

    // Maths: held online for 40 minutes of a 5th grade's 30 (seed 001 §5.1), one mark
    // in time and one eight days late, 100 minutes of homework for Tuesday.
    app.sql(move_lesson(maths, now - 2 * minute, now + 38 * minute)).await;
    app.post(&format!("/api/v1/orgs/{org}/lessons/{maths}/call")).token(&s.maths.token).send().await.expect(201);
    app.sql(format!(
        "UPDATE calls SET started_at = {}, ended_at = {} WHERE lesson_id = {maths}",
        now - 50 * minute,
        now - 10 * minute
    ))
    .await;
    let grade_type = first_grade_type(&app, &s).await;
    let give =
        |mark: &str| json!({ "grades": [{ "student_id": s.student.id, "mark": mark, "grade_type_id": grade_type }] });
    let grades = format!("{}/{maths}/grades", lessons_path(&s));
    app.put(&grades).token(&s.maths.token).json(give("5")).send().await.expect(200);
    app.put(&format!("{}/{maths}/homework", lessons_path(&s)))
        .token(&s.maths.token)
        .json(json!({ "body": "§12", "due_on": tuesday, "minutes": 100 }))
        .send()
        .await
        .expect(200);
    app.sql(move_lesson(maths, now - 8 * day - hour, now - 8 * day)).await;
    app.put(&grades).token(&s.maths.token).json(give("4")).send().await.expect(200);
    // English for group 1, three hours after the lesson: late, and the student's Tuesday
    // now carries 130 minutes of the 120 allowed.
    app.sql(move_lesson(english, now - 4 * hour, now - 3 * hour)).await;
    app.put(&format!("{}/{english}/homework", lessons_path(&s)))
        .token(&s.english.token)
        .json(json!({ "body": "Unit 3", "due_on": tuesday, "minutes": 30 }))
        .send()
        .await
        .expect(200);

    let path = format!("/api/v1/orgs/{org}/compliance?from={monday}&to={tuesday}");
    app.get(&path).token(&s.maths.token).send().await.problem(403, "forbidden");
    let r = app.get(&path).token(&s.school.admin).send().await.expect(200).json;
    let counts = |lessons, homework_set, homework_late, marks, late_marks, online, over, overloaded| {
        json!({
            "lessons": lessons, "homework_set": homework_set, "homework_late": homework_late, "marks": marks,
            "late_marks": late_marks, "online_lessons": online, "online_over_length": over, "overloaded_days": overloaded,
        })
    };
    assert_eq!(r["total"], counts(2, 2, 1, 2, 1, 1, 1, 1));
    let by_teacher: Vec<(String, Value)> = r["teachers"]
        .as_array()
        .expect("teachers")
        .iter()
        .map(|t| (t["teacher"]["family_name"].as_str().unwrap_or_default().to_owned(), t["counts"].clone()))
        .collect();
    assert_eq!(
        by_teacher,
        [
            ("Англичанова".to_owned(), counts(1, 1, 1, 0, 0, 0, 0, 0)),
            ("Математикова".to_owned(), counts(1, 1, 0, 2, 1, 1, 1, 0))
        ]
    );
    assert_eq!(r["classes"].as_array().map(Vec::len), Some(1));
    assert_eq!((r["classes"][0]["class"]["name"].as_str(), &r["classes"][0]["counts"]), (Some("5А"), &r["total"]));
    assert_eq!(r["weeks"], json!([{ "week_of": monday, "counts": r["total"] }]));
    let flagged: Vec<(i64, bool, i64, Option<i64>)> = r["lessons"]
        .as_array()
        .expect("lessons")
        .iter()
        .map(|l| {
            (
                l["lesson_id"].as_i64().unwrap_or(0),
                l["homework_late"] == true,
                l["late_marks"].as_i64().unwrap_or(0),
                l["online_minutes"].as_i64(),
            )
        })
        .collect();
    assert_eq!(flagged, [(maths, false, 1, Some(40)), (english, true, 0, None)]);
    assert_eq!(
        r["overloaded_days"],
        json!([{ "class": r["classes"][0]["class"], "date": tuesday, "minutes": 130, "limit_minutes": 120 }])
    );

    // One teacher's lessons; the heavy days are the class's, not a teacher's.
    let theirs =
        app.get(&format!("{path}&teacher_id={}", s.english.id)).token(&s.school.admin).send().await.expect(200).json;
    assert_eq!(
        theirs["lessons"].as_array().map(|l| l.iter().map(|l| l["lesson_id"].as_i64()).collect::<Vec<_>>()),
        Some(vec![Some(english)])
    );
    assert_eq!(theirs["overloaded_days"], json!([]));
    app.get(&format!("/api/v1/orgs/{org}/compliance?from={tuesday}&to={monday}"))
        .token(&s.school.admin)
        .send()
        .await
        .invalid(&[("to", "before_from")]);

    let file = app
        .get(&format!("/api/v1/orgs/{org}/compliance/export?from={monday}&to={tuesday}&format=csv"))
        .token(&s.school.admin)
        .send()
        .await
        .expect(200);
    let text = String::from_utf8_lossy(&file.bytes).into_owned();
    assert!(text.contains("Математикова") && text.contains(&format!("{tuesday};5А;130;120")), "{text}");
    let xlsx = app
        .get(&format!("/api/v1/orgs/{org}/compliance/export?from={monday}&to={tuesday}&format=xlsx"))
        .token(&s.school.admin)
        .send()
        .await
        .expect(200);
    assert!(xlsx.bytes.starts_with(b"PK"), "an XLSX is a zip");
}
