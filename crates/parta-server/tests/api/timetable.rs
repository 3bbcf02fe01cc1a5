//! The weekly timetable: set whole per class, refused where a teacher, a room or the
//! class would be in two places at once, and the week of a class or a teacher that
//! follows from it on the school days of the year.

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{Person, School, TestApp};

on_both_backends!(
    a_week_follows_the_timetable_on_school_days_and_clashes_are_refused,
    ending_an_assignment_takes_its_lessons_out_of_the_week,
);

pub struct Setup {
    pub school: School,
    pub year: i64,
    pub class_a: i64,
    pub class_b: i64,
    pub maths: Person,
    pub english: Person,
    pub english_2: Person,
    pub student: Person,
    pub other_student: Person,
    /// Assignments: maths in 5А and 5Б, English to each half of 5А.
    pub maths_a: i64,
    pub maths_b: i64,
    pub english_g1: i64,
    pub english_g2: i64,
    /// The two English groups of 5А (no students in them yet).
    pub groups: [i64; 2],
}

pub async fn setup(app: &TestApp, n: u32) -> Setup {
    let school = app.school(n).await;
    let org = school.org;
    let (class_a, class_b) = (app.create_class(&school, "5А", 5).await, app.create_class(&school, "5Б", 5).await);
    let maths = app.join(&school, school.staff_room, "teacher", None, "Математикова").await;
    let english = app.join(&school, school.staff_room, "teacher", None, "Англичанова").await;
    let english_2 = app.join(&school, school.staff_room, "teacher", None, "Инглишева").await;
    let student = app.join(&school, class_a, "student", None, "Ученикова").await;
    let other_student = app.join(&school, class_b, "student", None, "Другова").await;
    let year = app
        .post(&format!("/api/v1/orgs/{org}/years"))
        .token(&school.admin)
        .json(json!({
            "name": "2026/2027", "starts_on": "2026-09-01", "ends_on": "2027-05-31", "school_days": 5,
            "period_kind": "halves",
            "periods": [{ "starts_on": "2026-09-01", "ends_on": "2026-12-28" }, { "starts_on": "2027-01-12", "ends_on": "2027-05-26" }],
            "days_off": [{ "starts_on": "2027-02-23", "ends_on": "2027-02-23", "kind": "day_off", "name": "День защитника Отечества" }],
        }))
        .send()
        .await
        .expect(201)
        .id();
    app.put(&format!("/api/v1/orgs/{org}/years/{year}/bells"))
        .token(&school.admin)
        .json(json!({ "bells": [
            { "shift": 1, "number": 1, "starts_at": "08:30", "ends_at": "09:10" },
            { "shift": 1, "number": 2, "starts_at": "09:20", "ends_at": "10:00" },
            { "shift": 1, "number": 3, "starts_at": "10:20", "ends_at": "11:00" },
        ]}))
        .send()
        .await
        .expect(200);
    let subjects = app.get(&format!("/api/v1/orgs/{org}/subjects")).token(&school.admin).send().await.expect(200);
    let subject = |name: &str| subjects.list().iter().find(|s| s["name"] == name).expect("subject")["id"].clone();
    let group = |name: &'static str| {
        app.post(&format!("/api/v1/orgs/{org}/classes/{class_a}/groups"))
            .token(&school.admin)
            .json(json!({ "name": name }))
            .send()
    };
    let g1 = group("Английский, группа 1").await.expect(201).id();
    let g2 = group("Английский, группа 2").await.expect(201).id();
    let assign = |body: Value| {
        app.post(&format!("/api/v1/orgs/{org}/years/{year}/assignments")).token(&school.admin).json(body).send()
    };
    let maths_subject = subject("Математика");
    let english_subject = subject("Иностранный язык (английский)");
    let maths_a = assign(json!({ "teacher_id": maths.id, "subject_id": maths_subject, "class_id": class_a }))
        .await
        .expect(201)
        .id();
    let maths_b = assign(json!({ "teacher_id": maths.id, "subject_id": maths_subject, "class_id": class_b }))
        .await
        .expect(201)
        .id();
    let english_g1 =
        assign(json!({ "teacher_id": english.id, "subject_id": english_subject, "class_id": class_a, "group_id": g1 }))
            .await
            .expect(201)
            .id();
    let english_g2 = assign(
        json!({ "teacher_id": english_2.id, "subject_id": english_subject, "class_id": class_a, "group_id": g2 }),
    )
    .await
    .expect(201)
    .id();
    Setup {
        school,
        year,
        class_a,
        class_b,
        maths,
        english,
        english_2,
        student,
        other_student,
        maths_a,
        maths_b,
        english_g1,
        english_g2,
        groups: [g1, g2],
    }
}

pub fn lesson(weekday: i64, number: i64, assignment: i64, room: &str) -> Value {
    json!({ "weekday": weekday, "shift": 1, "number": number, "assignment_id": assignment, "room": room })
}

pub fn timetable_path(s: &Setup, class: i64) -> String {
    format!("/api/v1/orgs/{}/years/{}/classes/{class}/timetable", s.school.org, s.year)
}

fn week_path(s: &Setup, date: &str, of: &str) -> String {
    format!("/api/v1/orgs/{}/years/{}/week?date={date}&{of}", s.school.org, s.year)
}

async fn a_week_follows_the_timetable_on_school_days_and_clashes_are_refused(app: TestApp) {
    let s = setup(&app, 150).await;
    // 5А: maths first on Monday, then both English groups side by side; maths on Tuesday.
    let week_a = json!({ "entries": [
        lesson(1, 1, s.maths_a, "214"),
        lesson(1, 2, s.english_g1, "301"),
        lesson(1, 2, s.english_g2, "302"),
        lesson(2, 1, s.maths_a, "214"),
    ]});
    let set = app.put(&timetable_path(&s, s.class_a)).token(&s.school.admin).json(week_a).send().await.expect(200);
    assert_eq!(set.json["entries"].as_array().expect("entries").len(), 4);
    assert_eq!(
        (set.json["entries"][0]["subject"]["name"].as_str(), set.json["entries"][0]["starts_at"].as_str()),
        (Some("Математика"), Some("08:30"))
    );
    // 5Б cannot have the maths teacher while she teaches 5А, nor room 301 while a group of 5А is there.
    let clashing = json!({ "entries": [
        lesson(1, 1, s.maths_b, "215"),
        lesson(1, 2, s.maths_b, "301"),
        lesson(1, 3, s.maths_b, "215"),
        lesson(1, 3, s.maths_b, "216"),
    ]});
    app.put(&timetable_path(&s, s.class_b)).token(&s.school.admin).json(clashing).send().await.invalid(&[
        ("entries[0]", "teacher_busy"),
        ("entries[1]", "room_busy"),
        ("entries[3]", "teacher_busy"),
    ]);
    // A whole-class lesson beside a group's, a Saturday in a five-day week, a slot the
    // bells do not have, another class's assignment: each refused at its lesson.
    let wrong = json!({ "entries": [
        lesson(3, 1, s.english_g1, "301"),
        lesson(3, 1, s.maths_a, "214"),
        lesson(6, 1, s.maths_a, "214"),
        lesson(4, 9, s.maths_a, "214"),
        lesson(5, 1, s.maths_b, "214"),
    ]});
    app.put(&timetable_path(&s, s.class_a)).token(&s.school.admin).json(wrong).send().await.invalid(&[
        ("entries[2].weekday", "out_of_range"),
        ("entries[3].number", "unknown_slot"),
        ("entries[4].assignment_id", "unknown_assignment"),
        ("entries[1]", "class_busy"),
    ]);
    // The refused timetable left the earlier one as it was.
    let kept = app.get(&timetable_path(&s, s.class_a)).token(&s.student.token).send().await.expect(200);
    assert_eq!(kept.json["entries"], set.json["entries"]);
    app.put(&timetable_path(&s, s.class_b))
        .token(&s.school.admin)
        .json(json!({ "entries": [lesson(1, 3, s.maths_b, "214")] }))
        .send()
        .await
        .expect(200);
    // The week of 22 February 2027: Tuesday the 23rd is a day off, Saturday no school day.
    let week = app
        .get(&week_path(&s, "2027-02-24", &format!("class_id={}", s.class_a)))
        .token(&s.student.token)
        .send()
        .await
        .expect(200);
    assert_eq!(week.json["monday"], "2027-02-22");
    let days = week.json["days"].as_array().expect("days");
    assert_eq!(days.len(), 6);
    let school_days: Vec<bool> = days.iter().map(|d| d["school_day"].as_bool().expect("flag")).collect();
    assert_eq!(school_days, [true, false, true, true, true, false]);
    let monday: Vec<(&str, Option<&str>)> = days[0]["lessons"]
        .as_array()
        .expect("lessons")
        .iter()
        .map(|l| (l["subject"]["name"].as_str().expect("name"), l["group"]["name"].as_str()))
        .collect();
    assert_eq!(
        monday,
        [
            ("Математика", None),
            ("Иностранный язык (английский)", Some("Английский, группа 1")),
            ("Иностранный язык (английский)", Some("Английский, группа 2")),
        ]
    );
    assert!(days[1]["lessons"].as_array().expect("lessons").is_empty(), "no lessons on a day off");
    // The maths teacher's week: 5А first, then 5Б, on Monday.
    let hers = app
        .get(&week_path(&s, "2027-02-22", &format!("teacher_id={}", s.maths.id)))
        .token(&s.maths.token)
        .send()
        .await
        .expect(200);
    let classes: Vec<&str> = hers.json["days"][0]["lessons"]
        .as_array()
        .expect("lessons")
        .iter()
        .filter_map(|l| l["class"]["name"].as_str())
        .collect();
    assert_eq!(classes, ["5А", "5Б"]);
    // Each lesson names its assignment, under which it is written down.
    let assignments: Vec<i64> = hers.json["days"][0]["lessons"]
        .as_array()
        .expect("lessons")
        .iter()
        .filter_map(|l| l["assignment_id"].as_i64())
        .collect();
    assert_eq!(assignments, [s.maths_a, s.maths_b]);
    // Who may see which week.
    app.get(&week_path(&s, "2027-02-22", &format!("class_id={}", s.class_a)))
        .token(&s.other_student.token)
        .send()
        .await
        .problem(403, "forbidden");
    app.get(&week_path(&s, "2027-02-22", &format!("teacher_id={}", s.maths.id)))
        .token(&s.student.token)
        .send()
        .await
        .problem(403, "forbidden");
    app.get(&week_path(&s, "2027-02-22", &format!("teacher_id={}", s.maths.id)))
        .token(&s.english.token)
        .send()
        .await
        .expect(200);
    app.get(&week_path(&s, "2027-02-30", &format!("class_id={}", s.class_a)))
        .token(&s.student.token)
        .send()
        .await
        .invalid(&[("date", "invalid_date")]);
    app.get(&format!("/api/v1/orgs/{}/years/{}/week?date=2027-02-22", s.school.org, s.year))
        .token(&s.school.admin)
        .send()
        .await
        .invalid(&[("class_id", "required")]);
    let other = app.school(151).await;
    app.get(&timetable_path(&s, s.class_a)).token(&other.admin).send().await.problem(404, "not_found");
    app.put(&timetable_path(&s, s.class_a))
        .token(&s.maths.token)
        .json(json!({ "entries": [] }))
        .send()
        .await
        .problem(403, "forbidden");
}

async fn ending_an_assignment_takes_its_lessons_out_of_the_week(app: TestApp) {
    let s = setup(&app, 152).await;
    let week = json!({ "entries": [lesson(1, 1, s.maths_a, "214"), lesson(1, 2, s.english_g1, "301"), lesson(1, 2, s.english_g2, "302")] });
    app.put(&timetable_path(&s, s.class_a)).token(&s.school.admin).json(week).send().await.expect(200);
    app.delete(&format!("/api/v1/orgs/{}/years/{}/assignments/{}", s.school.org, s.year, s.english_g1))
        .token(&s.school.admin)
        .send()
        .await
        .expect(204);
    let left = app.get(&timetable_path(&s, s.class_a)).token(&s.english_2.token).send().await.expect(200);
    let teachers: Vec<i64> =
        left.json["entries"].as_array().expect("entries").iter().filter_map(|e| e["teacher"]["id"].as_i64()).collect();
    assert_eq!(teachers, [s.maths.id, s.english_2.id]);
}
