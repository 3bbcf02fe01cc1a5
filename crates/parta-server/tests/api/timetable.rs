//! The weekly timetable: set whole per class, refused where a teacher, a room or the
//! class would be in two places at once, and the week of a class or a teacher that
//! follows from it on the school days of the year.

use serde_json::{Value, json};

use crate::on_both_backends;
use std::time::Duration;

use crate::support::{Person, School, Socket, TestApp};

on_both_backends!(
    a_week_follows_the_timetable_on_school_days_and_clashes_are_refused,
    ending_an_assignment_takes_its_lessons_out_of_the_week,
    a_replacement_teacher_sees_the_lesson_and_writes_it_down,
    cancelled_moved_and_extra_lessons_show_where_they_are_held,
    overrides_that_do_not_fit_the_day_are_refused_at_their_field,
    a_change_is_told_at_once_to_the_class_families_and_the_teachers_concerned,
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

fn overrides_path(s: &Setup, class: i64) -> String {
    format!("/api/v1/orgs/{}/years/{}/classes/{class}/overrides", s.school.org, s.year)
}

fn lessons_path(s: &Setup) -> String {
    format!("/api/v1/orgs/{}/lessons", s.school.org)
}

fn open(assignment: i64, date: &str, number: i64) -> Value {
    json!({ "assignment_id": assignment, "date": date, "shift": 1, "number": number })
}

/// 5А: maths first on Monday, then both English groups side by side; maths first on
/// Tuesday. 5Б: maths third on Monday.
async fn timetable(app: &TestApp, s: &Setup) {
    let week_a = json!({ "entries": [
        lesson(1, 1, s.maths_a, "214"),
        lesson(1, 2, s.english_g1, "301"),
        lesson(1, 2, s.english_g2, "302"),
        lesson(2, 1, s.maths_a, "214"),
    ]});
    app.put(&timetable_path(s, s.class_a)).token(&s.school.admin).json(week_a).send().await.expect(200);
    let week_b = json!({ "entries": [lesson(1, 3, s.maths_b, "215")] });
    app.put(&timetable_path(s, s.class_b)).token(&s.school.admin).json(week_b).send().await.expect(200);
}

/// The lessons of a day of a week, as (subject short, teacher id, change kind).
fn day(week: &Value, index: usize) -> Vec<(i64, i64, Option<String>)> {
    week["days"][index]["lessons"]
        .as_array()
        .expect("lessons")
        .iter()
        .map(|l| {
            (
                l["number"].as_i64().expect("number"),
                l["teacher"]["id"].as_i64().expect("teacher"),
                l["change"]["kind"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

async fn a_replacement_teacher_sees_the_lesson_and_writes_it_down(app: TestApp) {
    let s = setup(&app, 154).await;
    timetable(&app, &s).await;
    let org = s.school.org;
    // The maths teacher wrote Monday's lesson down before she fell ill.
    let early = app
        .post(&lessons_path(&s))
        .token(&s.maths.token)
        .json(open(s.maths_a, "2026-11-02", 1))
        .send()
        .await
        .expect(200);
    let lesson = early.json["lesson"]["id"].as_i64().expect("lesson id");
    let set = app
        .post(&overrides_path(&s, s.class_a))
        .token(&s.school.admin)
        .json(json!({ "kind": "substitute", "assignment_id": s.maths_a, "date": "2026-11-02", "shift": 1, "number": 1, "teacher_id": s.english.id, "room": "301" }))
        .send()
        .await
        .expect(201);
    assert_eq!(set.json["kind"], "substitute");
    assert_eq!(set.json["teacher"]["id"], s.english.id);
    assert_eq!(set.json["usual_teacher"]["id"], s.maths.id);
    // The replacement's week has the lesson, marked, with the usual teacher named.
    let theirs = app
        .get(&week_path(&s, "2026-11-02", &format!("teacher_id={}", s.english.id)))
        .token(&s.english.token)
        .send()
        .await
        .expect(200);
    assert_eq!(day(&theirs.json, 0), [(1, s.english.id, Some("substitute".to_owned())), (2, s.english.id, None)]);
    let replaced = &theirs.json["days"][0]["lessons"][0];
    assert_eq!(replaced["usual_teacher"], Value::Null);
    assert_eq!(replaced["change"]["usual_teacher"]["id"], s.maths.id);
    assert_eq!(replaced["room"], "301");
    assert_eq!(replaced["class"]["name"], "5А");
    // The usual teacher's week shows whom the lesson went to.
    let hers = app
        .get(&week_path(&s, "2026-11-02", &format!("teacher_id={}", s.maths.id)))
        .token(&s.maths.token)
        .send()
        .await
        .expect(200);
    assert_eq!(day(&hers.json, 0), [(1, s.english.id, Some("substitute".to_owned())), (3, s.maths.id, None)]);
    // The class's diary names the replacement.
    let diary = app
        .get(&format!("/api/v1/orgs/{org}/diary?student_id={}&date=2026-11-02", s.student.id))
        .token(&s.student.token)
        .send()
        .await
        .expect(200);
    assert_eq!(diary.json["days"][0]["lessons"][0]["teacher"]["id"], s.english.id);
    assert_eq!(diary.json["days"][0]["lessons"][0]["change"]["kind"], "substitute");
    // The replacement writes the lesson: it is theirs now; the usual teacher reads it but no longer writes it.
    let page = app
        .post(&lessons_path(&s))
        .token(&s.english.token)
        .json(open(s.maths_a, "2026-11-02", 1))
        .send()
        .await
        .expect(200);
    assert_eq!(page.json["lesson"]["id"], lesson);
    assert_eq!(page.json["lesson"]["teacher"]["id"], s.english.id);
    let attendance = json!({ "entries": [] });
    app.put(&format!("/api/v1/orgs/{org}/lessons/{lesson}/attendance"))
        .token(&s.english.token)
        .json(attendance.clone())
        .send()
        .await
        .expect(200);
    app.post(&lessons_path(&s))
        .token(&s.maths.token)
        .json(open(s.maths_a, "2026-11-02", 1))
        .send()
        .await
        .problem(403, "forbidden");
    app.put(&format!("/api/v1/orgs/{org}/lessons/{lesson}/attendance"))
        .token(&s.maths.token)
        .json(attendance)
        .send()
        .await
        .problem(403, "forbidden");
    app.get(&format!("/api/v1/orgs/{org}/lessons/{lesson}")).token(&s.maths.token).send().await.expect(200);
    // A teacher who is neither cannot open it.
    app.post(&lessons_path(&s))
        .token(&s.english_2.token)
        .json(open(s.maths_a, "2026-11-02", 1))
        .send()
        .await
        .problem(403, "forbidden");
    // Listed for the admins; taken back, the lesson is the usual teacher's again.
    let listed = app
        .get(&format!("{}?from=2026-11-02&to=2026-11-08", overrides_path(&s, s.class_a)))
        .token(&s.school.admin)
        .send()
        .await
        .expect(200);
    assert_eq!(listed.list().len(), 1);
    let id = listed.list()[0]["id"].as_i64().expect("id");
    app.delete(&format!("/api/v1/orgs/{org}/years/{}/overrides/{id}", s.year))
        .token(&s.school.admin)
        .send()
        .await
        .expect(204);
    let back = app.get(&format!("/api/v1/orgs/{org}/lessons/{lesson}")).token(&s.maths.token).send().await.expect(200);
    assert_eq!(back.json["lesson"]["teacher"]["id"], s.maths.id);
    app.post(&lessons_path(&s))
        .token(&s.english.token)
        .json(open(s.maths_a, "2026-11-02", 1))
        .send()
        .await
        .problem(403, "forbidden");
    // Each change is audited.
    let audit = app.get(&format!("/api/v1/orgs/{org}/audit")).token(&s.school.admin).send().await.expect(200);
    let text = audit.json.to_string();
    assert!(text.contains("lesson_override_set") && text.contains("lesson_override_removed"), "{text}");
}

async fn cancelled_moved_and_extra_lessons_show_where_they_are_held(app: TestApp) {
    let s = setup(&app, 155).await;
    timetable(&app, &s).await;
    let org = s.school.org;
    let post = |body: Value| app.post(&overrides_path(&s, s.class_a)).token(&s.school.admin).json(body).send();
    // Tuesday's maths is cancelled; next Monday's moves to next Tuesday's third lesson; an extra on Wednesday.
    post(json!({ "kind": "cancel", "assignment_id": s.maths_a, "date": "2026-11-03", "shift": 1, "number": 1, "reason": "Экскурсия" })).await.expect(201);
    let moved = post(json!({ "kind": "move", "assignment_id": s.maths_a, "date": "2026-11-09", "shift": 1, "number": 1, "to_date": "2026-11-10", "to_shift": 1, "to_number": 3 })).await.expect(201);
    assert_eq!(moved.json["moved_to"]["date"], "2026-11-10");
    assert_eq!(moved.json["room"], "214", "a moved lesson keeps its room");
    post(json!({ "kind": "extra", "assignment_id": s.maths_a, "date": "2026-11-04", "shift": 1, "number": 2, "room": "214" })).await.expect(201);
    // The class's week: the cancelled lesson shown, marked, with its reason; the extra one on Wednesday.
    let week = app
        .get(&week_path(&s, "2026-11-02", &format!("class_id={}", s.class_a)))
        .token(&s.student.token)
        .send()
        .await
        .expect(200);
    let tuesday = &week.json["days"][1]["lessons"][0];
    assert_eq!(
        (tuesday["change"]["kind"].as_str(), tuesday["change"]["reason"].as_str()),
        (Some("cancel"), Some("Экскурсия"))
    );
    assert_eq!(day(&week.json, 2), [(2, s.maths.id, Some("extra".to_owned()))]);
    let diary = app
        .get(&format!("/api/v1/orgs/{org}/diary?student_id={}&date=2026-11-03", s.student.id))
        .token(&s.student.token)
        .send()
        .await
        .expect(200);
    assert_eq!(diary.json["days"][1]["lessons"][0]["change"]["kind"], "cancel");
    assert_eq!(diary.json["days"][2]["lessons"][0]["change"]["kind"], "extra");
    // Next week: Monday's maths marked as moved, held on Tuesday third.
    let next = app
        .get(&week_path(&s, "2026-11-09", &format!("class_id={}", s.class_a)))
        .token(&s.student.token)
        .send()
        .await
        .expect(200);
    assert_eq!(next.json["days"][0]["lessons"][0]["change"]["moved_to"]["number"], 3);
    assert_eq!(day(&next.json, 1), [(1, s.maths.id, None), (3, s.maths.id, Some("move".to_owned()))]);
    assert_eq!(next.json["days"][1]["lessons"][1]["change"]["moved_from"]["date"], "2026-11-09");
    // A cancelled or moved-away lesson cannot be written down; the moved and the extra one can.
    let opening = |body: Value| app.post(&lessons_path(&s)).token(&s.maths.token).json(body).send();
    opening(open(s.maths_a, "2026-11-03", 1)).await.invalid(&[("number", "lesson_cancelled")]);
    opening(open(s.maths_a, "2026-11-09", 1)).await.invalid(&[("number", "lesson_moved")]);
    opening(open(s.maths_a, "2026-11-10", 3)).await.expect(200);
    opening(open(s.maths_a, "2026-11-04", 2)).await.expect(200);
    // Written down, the extra and the moved lesson stay; the cancelled one comes back when taken back.
    let listed = app
        .get(&format!("{}?from=2026-11-02&to=2026-11-15", overrides_path(&s, s.class_a)))
        .token(&s.school.admin)
        .send()
        .await
        .expect(200);
    assert_eq!(listed.list().len(), 3);
    for o in listed.list() {
        let path = format!("/api/v1/orgs/{org}/years/{}/overrides/{}", s.year, o["id"]);
        let reply = app.delete(&path).token(&s.school.admin).send().await;
        if o["kind"] == "cancel" {
            reply.expect(204);
        } else {
            reply.problem(409, "lesson_written");
        }
    }
    opening(open(s.maths_a, "2026-11-03", 1)).await.expect(200);
    // A written-down lesson is not cancelled or moved away.
    post(json!({ "kind": "cancel", "assignment_id": s.maths_a, "date": "2026-11-03", "shift": 1, "number": 1 }))
        .await
        .invalid(&[("number", "lesson_written")]);
}

async fn overrides_that_do_not_fit_the_day_are_refused_at_their_field(app: TestApp) {
    let s = setup(&app, 156).await;
    timetable(&app, &s).await;
    let org = s.school.org;
    let post = |class: i64, body: Value| app.post(&overrides_path(&s, class)).token(&s.school.admin).json(body).send();
    let on_monday = |kind: &str, assignment: i64, number: i64| json!({ "kind": kind, "assignment_id": assignment, "date": "2026-11-02", "shift": 1, "number": number });
    // The English teacher teaches her group while the other group's teacher would be replaced by her.
    let mut busy = on_monday("substitute", s.english_g2, 2);
    busy["teacher_id"] = json!(s.english.id);
    post(s.class_a, busy).await.invalid(&[("teacher_id", "teacher_busy")]);
    // Room 301 is the first English group's; 5А has both groups then.
    let mut room = on_monday("extra", s.maths_b, 2);
    room["room"] = json!("301");
    post(s.class_b, room).await.invalid(&[("room", "room_busy")]);
    post(s.class_a, on_monday("extra", s.maths_a, 2)).await.invalid(&[("number", "class_busy")]);
    // Moving 5А's Monday maths onto 5Б's third lesson: the teacher is there.
    let mut onto = on_monday("move", s.maths_a, 1);
    onto["to_date"] = json!("2026-11-02");
    onto["to_shift"] = json!(1);
    onto["to_number"] = json!(3);
    post(s.class_a, onto).await.invalid(&[("to_number", "teacher_busy")]);
    // A day off; a lesson the timetable does not have; a student as the replacement; another class's assignment.
    post(
        s.class_a,
        json!({ "kind": "cancel", "assignment_id": s.maths_a, "date": "2027-02-23", "shift": 1, "number": 1 }),
    )
    .await
    .invalid(&[("date", "not_a_school_day"), ("number", "not_in_timetable")]);
    post(s.class_a, on_monday("cancel", s.maths_a, 3)).await.invalid(&[("number", "not_in_timetable")]);
    let mut student = on_monday("substitute", s.maths_a, 1);
    student["teacher_id"] = json!(s.student.id);
    post(s.class_a, student).await.invalid(&[("teacher_id", "not_a_teacher")]);
    let mut own = on_monday("substitute", s.maths_a, 1);
    own["teacher_id"] = json!(s.maths.id);
    post(s.class_a, own).await.invalid(&[("teacher_id", "same_teacher")]);
    post(s.class_a, on_monday("cancel", s.maths_b, 3)).await.invalid(&[("assignment_id", "unknown_assignment")]);
    post(s.class_a, on_monday("substitute", s.maths_a, 1)).await.invalid(&[("teacher_id", "required")]);
    // One change per lesson and date.
    post(s.class_a, on_monday("cancel", s.maths_a, 1)).await.expect(201);
    post(s.class_a, on_monday("cancel", s.maths_a, 1)).await.invalid(&[("number", "already_changed")]);
    // Nothing else was written; no one but the admins sets or reads them; another school finds nothing.
    let listed = app
        .get(&format!("{}?from=2026-11-01&to=2026-11-30", overrides_path(&s, s.class_a)))
        .token(&s.school.admin)
        .send()
        .await
        .expect(200);
    assert_eq!(listed.list().len(), 1);
    let none = app
        .get(&format!("{}?from=2026-11-01&to=2026-11-30", overrides_path(&s, s.class_b)))
        .token(&s.school.admin)
        .send()
        .await
        .expect(200);
    assert!(none.list().is_empty());
    app.post(&overrides_path(&s, s.class_a))
        .token(&s.maths.token)
        .json(on_monday("cancel", s.maths_a, 1))
        .send()
        .await
        .problem(403, "forbidden");
    let other = app.school(157).await;
    app.get(&format!("{}?from=2026-11-01&to=2026-11-30", overrides_path(&s, s.class_a)))
        .token(&other.admin)
        .send()
        .await
        .problem(404, "not_found");
    let id = listed.list()[0]["id"].as_i64().expect("id");
    app.delete(&format!("/api/v1/orgs/{}/years/{}/overrides/{id}", other.org, s.year))
        .token(&other.admin)
        .send()
        .await
        .problem(404, "not_found");
    app.delete(&format!("/api/v1/orgs/{org}/years/{}/overrides/{id}", s.year))
        .token(&s.maths.token)
        .send()
        .await
        .problem(403, "forbidden");
}

async fn a_change_is_told_at_once_to_the_class_families_and_the_teachers_concerned(app: TestApp) {
    let s = setup(&app, 158).await;
    timetable(&app, &s).await;
    let parent = app.join(&s.school, s.class_a, "parent", Some(s.student.id), "Родителева").await;
    let address = app.serve().await;
    let (mut students, _) = Socket::connect(address, &s.student.token).await;
    let (mut parents, _) = Socket::connect(address, &parent.token).await;
    let (mut usual, _) = Socket::connect(address, &s.maths.token).await;
    let (mut substitute, _) = Socket::connect(address, &s.english.token).await;
    let (mut bystander, _) = Socket::connect(address, &s.english_2.token).await;
    let (mut other_class, _) = Socket::connect(address, &s.other_student.token).await;
    // A Monday ahead, when the student is in the class: maths taught by another teacher.
    let set = json!({ "kind": "substitute", "assignment_id": s.maths_a, "date": "2027-02-22", "shift": 1, "number": 1, "teacher_id": s.english.id });
    app.post(&overrides_path(&s, s.class_a)).token(&s.school.admin).json(set).send().await.expect(201);
    for socket in [&mut students, &mut parents, &mut usual, &mut substitute] {
        let change = socket.user_event("timetable_changed", Duration::from_secs(5)).await.expect("the change is told");
        assert_eq!(change["class_id"], s.class_a);
        assert_eq!(change["dates"], json!(["2027-02-22"]));
    }
    for socket in [&mut bystander, &mut other_class] {
        assert!(
            socket.user_event("timetable_changed", Duration::from_millis(300)).await.is_none(),
            "told someone it does not concern"
        );
    }
    // A move is told for both its dates; taking it back is told too.
    let moved = json!({ "kind": "move", "assignment_id": s.maths_a, "date": "2027-03-01", "shift": 1, "number": 1, "to_date": "2027-03-03", "to_shift": 1, "to_number": 3 });
    let id = app.post(&overrides_path(&s, s.class_a)).token(&s.school.admin).json(moved).send().await.expect(201).id();
    let change = parents.user_event("timetable_changed", Duration::from_secs(5)).await.expect("the move is told");
    assert_eq!(change["dates"], json!(["2027-03-01", "2027-03-03"]));
    app.delete(&format!("/api/v1/orgs/{}/years/{}/overrides/{id}", s.school.org, s.year))
        .token(&s.school.admin)
        .send()
        .await
        .expect(204);
    students.user_event("timetable_changed", Duration::from_secs(5)).await.expect("the move");
    students.user_event("timetable_changed", Duration::from_secs(5)).await.expect("taking it back is told");
}
