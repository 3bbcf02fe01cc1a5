//! The class journal through the API: a teacher writes down a lesson of the
//! timetable with its topic, takes attendance and gives marks; who else reads it;
//! every change kept with the value before it.

use serde_json::{Value, json};

use crate::on_both_backends;
use std::time::Duration;

use crate::support::{Socket, TestApp};
use crate::timetable::{Setup, lesson, setup, timetable_path};

on_both_backends!(
    a_teacher_writes_down_a_lesson_takes_attendance_and_gives_marks,
    a_group_lesson_is_for_its_group_and_only_its_teacher_writes_it,
    a_parent_reads_the_childs_diary_and_hears_of_each_change_at_once,
    the_journal_grid_averages_marks_and_a_closed_period_changes_only_by_an_admin,
    homework_set_at_a_lesson_is_in_the_diary_on_its_day,
    homework_is_a_card_in_the_class_chat_that_follows_it,
    the_school_edits_its_kinds_of_work_and_given_marks_keep_their_weight,
    a_parent_signs_the_week_and_the_class_teacher_sees_who_has,
    a_calendar_feed_lists_lessons_and_homework_until_its_link_is_replaced,
    the_school_rounds_by_its_own_rule_and_year_marks_close_with_the_year,
);

/// The next week's Monday, Tuesday and Saturday, with the year moved around them: the
/// class's students joined today, and a lesson is for those in the class that day.
pub async fn days_ahead(app: &TestApp, s: &Setup) -> [String; 3] {
    let today = jiff::Zoned::now().date();
    let day = |n: i64| today.checked_add(jiff::Span::new().days(n)).expect("a date");
    let monday = day(7 - i64::from(today.weekday().to_monday_zero_offset()));
    let plus = |n: i64| monday.checked_add(jiff::Span::new().days(n)).expect("a date").to_string();
    let year = json!({
        "name": "Этот год", "starts_on": plus(-60), "ends_on": plus(120), "school_days": 5, "period_kind": "halves",
        "periods": [{ "starts_on": plus(-60), "ends_on": plus(20) }, { "starts_on": plus(21), "ends_on": plus(110) }],
    });
    app.put(&format!("/api/v1/orgs/{}/years/{}", s.school.org, s.year))
        .token(&s.school.admin)
        .json(year)
        .send()
        .await
        .expect(200);
    [monday.to_string(), plus(1), plus(5)]
}

pub async fn week(app: &TestApp, s: &Setup) {
    let entries = json!({ "entries": [
        lesson(1, 1, s.maths_a, "214"),
        lesson(2, 2, s.english_g1, "301"),
        lesson(2, 2, s.english_g2, "302"),
    ]});
    app.put(&timetable_path(s, s.class_a)).token(&s.school.admin).json(entries).send().await.expect(200);
}

pub fn lessons_path(s: &Setup) -> String {
    format!("/api/v1/orgs/{}/lessons", s.school.org)
}

/// Monday's maths lesson of 5А written down by its teacher: «Дроби», a 5 for the
/// student, the classmate ill. Returns the lesson and the kind of work of the mark.
pub async fn marked_lesson(app: &TestApp, s: &Setup, monday: &str, classmate: i64) -> (i64, i64) {
    let open = json!({ "assignment_id": s.maths_a, "date": monday, "shift": 1, "number": 1, "topic": "Дроби" });
    let page = app.post(&lessons_path(s)).token(&s.maths.token).json(open).send().await.expect(200);
    let lesson = page.json["lesson"]["id"].as_i64().expect("id");
    let types =
        app.get(&format!("/api/v1/orgs/{}/grade-types", s.school.org)).token(&s.maths.token).send().await.expect(200);
    let oral = types.list()[0]["id"].as_i64().expect("a grade type");
    app.put(&format!("{}/{lesson}/grades", lessons_path(s)))
        .token(&s.maths.token)
        .json(json!({ "grades": [{ "student_id": s.student.id, "mark": "5", "grade_type_id": oral }] }))
        .send()
        .await
        .expect(200);
    app.put(&format!("{}/{lesson}/attendance", lessons_path(s)))
        .token(&s.maths.token)
        .json(json!({ "entries": [{ "student_id": classmate, "absence": "ill" }] }))
        .send()
        .await
        .expect(200);
    (lesson, oral)
}

fn students(page: &Value) -> Vec<i64> {
    page["students"].as_array().expect("students").iter().filter_map(|s| s["person"]["id"].as_i64()).collect()
}

async fn a_teacher_writes_down_a_lesson_takes_attendance_and_gives_marks(app: TestApp) {
    let s = setup(&app, 160).await;
    week(&app, &s).await;
    let [monday, tuesday, saturday] = days_ahead(&app, &s).await;
    let classmate = app.join(&s.school, s.class_a, "student", None, "Одноклассников").await;
    let open = |date: &str, number: i64, topic: Value| json!({ "assignment_id": s.maths_a, "date": date, "shift": 1, "number": number, "topic": topic });
    // Only what the timetable holds on a school day is written down.
    app.post(&lessons_path(&s))
        .token(&s.maths.token)
        .json(open(&tuesday, 1, Value::Null))
        .send()
        .await
        .invalid(&[("number", "not_in_timetable")]);
    app.post(&lessons_path(&s))
        .token(&s.maths.token)
        .json(open(&saturday, 1, Value::Null))
        .send()
        .await
        .invalid(&[("date", "not_a_school_day"), ("number", "not_in_timetable")]);
    app.post(&lessons_path(&s))
        .token(&s.english.token)
        .json(open(&monday, 1, json!("Дроби")))
        .send()
        .await
        .problem(403, "forbidden");
    let page = app
        .post(&lessons_path(&s))
        .token(&s.maths.token)
        .json(open(&monday, 1, json!("Обыкновенные дроби")))
        .send()
        .await
        .expect(200);
    let lesson = page.json["lesson"]["id"].as_i64().expect("lesson id");
    // 08:30 on the school's clock.
    let profile = app.get(&format!("/api/v1/orgs/{}", s.school.org)).token(&s.school.admin).send().await.expect(200);
    let zone = jiff::tz::TimeZone::get(profile.json["time_zone"].as_str().expect("time zone")).expect("a zone");
    let day: jiff::civil::Date = monday.parse().expect("a date");
    let start = day.at(8, 30, 0, 0).to_zoned(zone).expect("an instant").timestamp();
    let starts_at: jiff::Timestamp =
        page.json["lesson"]["starts_at"].as_str().expect("starts_at").parse().expect("an instant");
    assert_eq!(starts_at, start);
    assert_eq!(
        (page.json["lesson"]["topic"].as_str(), page.json["lesson"]["subject"]["name"].as_str()),
        (Some("Обыкновенные дроби"), Some("Математика"))
    );
    let mut roll = students(&page.json);
    roll.sort_unstable();
    let mut expected = vec![s.student.id, classmate.id];
    expected.sort_unstable();
    assert_eq!(roll, expected, "the class's students, not 5Б's");
    // Opening it again finds the same lesson; a new topic replaces the old.
    let again = app
        .post(&lessons_path(&s))
        .token(&s.maths.token)
        .json(open(&monday, 1, json!("Сложение дробей")))
        .send()
        .await
        .expect(200);
    assert_eq!(
        (again.json["lesson"]["id"].as_i64(), again.json["lesson"]["topic"].as_str()),
        (Some(lesson), Some("Сложение дробей"))
    );
    // Attendance: refused whole when anything is wrong.
    let attendance = format!("{}/{lesson}/attendance", lessons_path(&s));
    app.put(&attendance)
        .token(&s.maths.token)
        .json(json!({ "entries": [
            { "student_id": s.student.id, "absence": "late" },
            { "student_id": s.other_student.id, "absence": "absent" },
            { "student_id": classmate.id, "absence": "excused" },
        ]}))
        .send()
        .await
        .invalid(&[
            ("entries[0].minutes_late", "required"),
            ("entries[1].student_id", "unknown_student"),
            ("entries[2].reason", "required"),
        ]);
    let taken = app
        .put(&attendance)
        .token(&s.maths.token)
        .json(json!({ "entries": [
            { "student_id": s.student.id, "absence": "late", "minutes_late": 10 },
            { "student_id": classmate.id, "absence": "ill" },
        ]}))
        .send()
        .await
        .expect(200);
    let entry = |page: &Value, id: i64| {
        page["students"].as_array().expect("students").iter().find(|x| x["person"]["id"] == id).expect("student")["attendance"].clone()
    };
    assert_eq!(entry(&taken.json, s.student.id), json!({ "absence": "late", "minutes_late": 10, "reason": null }));
    let back = app
        .put(&attendance)
        .token(&s.maths.token)
        .json(json!({ "entries": [{ "student_id": classmate.id, "absence": null }] }))
        .send()
        .await
        .expect(200);
    assert!(entry(&back.json, classmate.id).is_null(), "present again");
    // Marks: a whole class at once; a mark off the scale refuses the request.
    let types =
        app.get(&format!("/api/v1/orgs/{}/grade-types", s.school.org)).token(&s.maths.token).send().await.expect(200);
    let kind =
        |name: &str| types.list().iter().find(|t| t["name"] == name).expect("grade type")["id"].as_i64().expect("id");
    let (oral, test) = (kind("Ответ на уроке"), kind("Контрольная работа"));
    let grades = format!("{}/{lesson}/grades", lessons_path(&s));
    app.put(&grades)
        .token(&s.maths.token)
        .json(json!({ "grades": [
            { "student_id": s.student.id, "mark": "5", "grade_type_id": oral },
            { "student_id": classmate.id, "mark": "6", "grade_type_id": oral },
            { "student_id": s.other_student.id, "mark": "4", "grade_type_id": 999999 },
        ]}))
        .send()
        .await
        .invalid(&[
            ("grades[1].mark", "invalid_mark"),
            ("grades[2].student_id", "unknown_student"),
            ("grades[2].grade_type_id", "unknown_grade_type"),
        ]);
    let given = app
        .put(&grades)
        .token(&s.maths.token)
        .json(json!({ "grades": [
            { "student_id": s.student.id, "mark": "5", "grade_type_id": oral, "comment": "Отличный ответ" },
            { "student_id": s.student.id, "mark": "4", "grade_type_id": test },
            { "student_id": classmate.id, "mark": "зачёт", "grade_type_id": oral },
        ]}))
        .send()
        .await
        .expect(200);
    let marks = |page: &Value, id: i64| -> Vec<(String, f64)> {
        page["students"].as_array().expect("students").iter().find(|x| x["person"]["id"] == id).expect("student")["grades"]
            .as_array()
            .expect("grades")
            .iter()
            .map(|g| (g["mark"].as_str().expect("mark").to_owned(), g["weight"].as_f64().expect("weight")))
            .collect()
    };
    assert_eq!(marks(&given.json, s.student.id), [("5".to_owned(), 1.0), ("4".to_owned(), 2.0)]);
    assert_eq!(marks(&given.json, classmate.id), [("зч".to_owned(), 1.0)]);
    let first = given.json["students"]
        .as_array()
        .expect("students")
        .iter()
        .find(|x| x["person"]["id"] == s.student.id)
        .expect("student")["grades"][1]["id"]
        .as_i64()
        .expect("id");
    let zach = given.json["students"]
        .as_array()
        .expect("students")
        .iter()
        .find(|x| x["person"]["id"] == classmate.id)
        .expect("student")["grades"][0]["id"]
        .as_i64()
        .expect("id");
    let changed = app
        .put(&grades)
        .token(&s.maths.token)
        .json(json!({ "grades": [{ "id": first, "student_id": s.student.id, "mark": "3", "grade_type_id": test }], "delete": [zach] }))
        .send()
        .await
        .expect(200);
    assert_eq!(marks(&changed.json, s.student.id), [("5".to_owned(), 1.0), ("3".to_owned(), 2.0)]);
    assert!(marks(&changed.json, classmate.id).is_empty());
    // The record keeps every earlier value: the mark before its change and the one taken back,
    // and each attendance change.
    assert_eq!(app.count(format!("SELECT COUNT(*) FROM grade_history WHERE grade_id IN ({first}, {zach})")).await, 2);
    assert_eq!(app.count(format!("SELECT COUNT(*) FROM attendance_history WHERE lesson_id = {lesson}")).await, 3);
    // Who reads the lesson: its teacher, the class teacher, the administration; not the student, nor another school.
    app.assign_class_teacher(&s.school, s.class_a, s.english.id).await;
    let page_path = format!("{}/{lesson}", lessons_path(&s));
    for reader in [&s.maths.token, &s.english.token, &s.school.admin] {
        app.get(&page_path).token(reader).send().await.expect(200);
    }
    app.get(&page_path).token(&s.student.token).send().await.problem(403, "forbidden");
    app.get(&page_path).token(&s.english_2.token).send().await.problem(403, "forbidden");
    let other = app.school(161).await;
    app.get(&format!("/api/v1/orgs/{}/lessons/{lesson}", other.org))
        .token(&other.admin)
        .send()
        .await
        .problem(404, "not_found");
    app.get(&page_path).token(&other.admin).send().await.problem(404, "not_found");
    // Only the lesson's teacher writes it, even the class teacher or the admin do not.
    for writer in [&s.english.token, &s.school.admin] {
        app.put(&grades).token(writer).json(json!({ "grades": [] })).send().await.problem(403, "forbidden");
    }
}

async fn a_group_lesson_is_for_its_group_and_only_its_teacher_writes_it(app: TestApp) {
    let s = setup(&app, 162).await;
    week(&app, &s).await;
    let [_, tuesday, _] = days_ahead(&app, &s).await;
    let classmate = app.join(&s.school, s.class_a, "student", None, "Одноклассников").await;
    app.put(&format!("/api/v1/orgs/{}/classes/{}/groups/{}", s.school.org, s.class_a, s.groups[0]))
        .token(&s.school.admin)
        .json(json!({ "name": "Английский, группа 1", "student_ids": [s.student.id] }))
        .send()
        .await
        .expect(200);
    let request = |assignment: i64| json!({ "assignment_id": assignment, "date": tuesday, "shift": 1, "number": 2 });
    let first =
        app.post(&lessons_path(&s)).token(&s.english.token).json(request(s.english_g1)).send().await.expect(200);
    assert_eq!(students(&first.json), [s.student.id], "group 1 only");
    assert_eq!(first.json["lesson"]["group"]["name"], "Английский, группа 1");
    let second =
        app.post(&lessons_path(&s)).token(&s.english_2.token).json(request(s.english_g2)).send().await.expect(200);
    assert!(students(&second.json).is_empty(), "nobody in group 2 yet");
    let lesson = first.json["lesson"]["id"].as_i64().expect("id");
    app.put(&format!("{}/{lesson}/attendance", lessons_path(&s)))
        .token(&s.english.token)
        .json(json!({ "entries": [{ "student_id": classmate.id, "absence": "absent" }] }))
        .send()
        .await
        .invalid(&[("entries[0].student_id", "unknown_student")]);
    app.put(&format!("{}/{lesson}/attendance", lessons_path(&s)))
        .token(&s.english_2.token)
        .json(json!({ "entries": [] }))
        .send()
        .await
        .problem(403, "forbidden");
    // Period marks of the group's assignment are for its students only.
    let marks_path = format!("/api/v1/orgs/{}/years/{}/period-marks", s.school.org, s.year);
    let mark = |student: i64| json!({ "assignment_id": s.english_g1, "period": 1, "marks": [{ "student_id": student, "mark": "5" }] });
    app.put(&marks_path)
        .token(&s.english.token)
        .json(mark(classmate.id))
        .send()
        .await
        .invalid(&[("marks[0].student_id", "unknown_student")]);
    let marked = app.put(&marks_path).token(&s.english.token).json(mark(s.student.id)).send().await.expect(200);
    assert_eq!(marked.json["rows"].as_array().map(Vec::len), Some(1), "the group's one student");
}

async fn a_parent_reads_the_childs_diary_and_hears_of_each_change_at_once(app: TestApp) {
    let s = setup(&app, 163).await;
    week(&app, &s).await;
    let [monday, tuesday, _] = days_ahead(&app, &s).await;
    let classmate = app.join(&s.school, s.class_a, "student", None, "Одноклассников").await;
    let parent = app.join(&s.school, s.class_a, "parent", Some(s.student.id), "Родителева").await;
    let other_parent = app.join(&s.school, s.class_a, "parent", Some(classmate.id), "Чужой-Родитель").await;
    app.put(&format!("/api/v1/orgs/{}/classes/{}/groups/{}", s.school.org, s.class_a, s.groups[0]))
        .token(&s.school.admin)
        .json(json!({ "name": "Английский, группа 1", "student_ids": [s.student.id] }))
        .send()
        .await
        .expect(200);
    let address = app.serve().await;
    let (mut parents_socket, _) = Socket::connect(address, &parent.token).await;
    let (mut others_socket, _) = Socket::connect(address, &other_parent.token).await;
    let (mut students_socket, _) = Socket::connect(address, &s.student.token).await;
    // The maths teacher writes Monday's lesson: a mark for the student, an absence for the classmate.
    let (lesson, _) = marked_lesson(&app, &s, &monday, classmate.id).await;
    // Each family hears of its own child only, at once.
    for socket in [&mut parents_socket, &mut students_socket] {
        let change = socket.user_event("journal_changed", Duration::from_secs(5)).await.expect("the mark is announced");
        assert_eq!(
            (change["student_id"].as_i64(), change["lesson_id"].as_i64(), change["date"].as_str()),
            (Some(s.student.id), Some(lesson), Some(monday.as_str()))
        );
        assert!(change.get("mark").is_none(), "the event carries no marks");
    }
    let theirs =
        others_socket.user_event("journal_changed", Duration::from_secs(5)).await.expect("the absence is announced");
    assert_eq!(theirs["student_id"].as_i64(), Some(classmate.id));
    assert!(
        others_socket.user_event("journal_changed", Duration::from_millis(300)).await.is_none(),
        "nothing of the other child"
    );
    assert!(
        parents_socket.user_event("journal_changed", Duration::from_millis(300)).await.is_none(),
        "nothing of the classmate"
    );
    // The diary: Monday's maths with its topic and the mark; Tuesday's English for group 1 only.
    let diary = |who: &str, student: i64| {
        app.get(&format!("/api/v1/orgs/{}/diary?student_id={student}&date={tuesday}", s.school.org)).token(who).send()
    };
    let week = diary(&parent.token, s.student.id).await.expect(200);
    assert_eq!(week.json["monday"], monday.as_str());
    let monday_lessons = week.json["days"][0]["lessons"].as_array().expect("lessons");
    assert_eq!(monday_lessons.len(), 1);
    assert_eq!(
        (
            monday_lessons[0]["topic"].as_str(),
            monday_lessons[0]["grades"][0]["mark"].as_str(),
            monday_lessons[0]["lesson_id"].as_i64()
        ),
        (Some("Дроби"), Some("5"), Some(lesson))
    );
    let tuesday_groups: Vec<Option<&str>> = week.json["days"][1]["lessons"]
        .as_array()
        .expect("lessons")
        .iter()
        .map(|l| l["group"]["name"].as_str())
        .collect();
    assert_eq!(tuesday_groups, [Some("Английский, группа 1")], "not the other group's lesson");
    let classmates = diary(&other_parent.token, classmate.id).await.expect(200);
    assert_eq!(classmates.json["days"][0]["lessons"][0]["attendance"]["absence"], "ill");
    assert!(classmates.json["days"][1]["lessons"].as_array().expect("lessons").is_empty(), "in no English group yet");
    // Who reads whose diary.
    diary(&s.student.token, s.student.id).await.expect(200);
    diary(&other_parent.token, s.student.id).await.problem(403, "forbidden");
    diary(&classmate.token, s.student.id).await.problem(403, "forbidden");
    diary(&s.maths.token, s.student.id).await.problem(403, "forbidden");
    app.assign_class_teacher(&s.school, s.class_a, s.english.id).await;
    diary(&s.english.token, s.student.id).await.expect(200);
    diary(&s.school.admin, s.student.id).await.expect(200);
    let other = app.school(164).await;
    app.get(&format!("/api/v1/orgs/{}/diary?student_id={}&date={tuesday}", other.org, s.student.id))
        .token(&other.admin)
        .send()
        .await
        .problem(404, "not_found");
    diary(&other.admin, s.student.id).await.problem(404, "not_found");
}

async fn the_journal_grid_averages_marks_and_a_closed_period_changes_only_by_an_admin(app: TestApp) {
    let s = setup(&app, 165).await;
    week(&app, &s).await;
    let [monday, _, _] = days_ahead(&app, &s).await;
    let next_monday = {
        let day: jiff::civil::Date = monday.parse().expect("a date");
        day.checked_add(jiff::Span::new().days(7)).expect("a date").to_string()
    };
    // A classmate with no marks: a row without an average.
    app.join(&s.school, s.class_a, "student", None, "Одноклассников").await;
    let types =
        app.get(&format!("/api/v1/orgs/{}/grade-types", s.school.org)).token(&s.maths.token).send().await.expect(200);
    let kind =
        |name: &str| types.list().iter().find(|t| t["name"] == name).expect("grade type")["id"].as_i64().expect("id");
    let (oral, test) = (kind("Ответ на уроке"), kind("Контрольная работа"));
    for (date, marks) in [(&monday, vec![("5", oral), ("3", test)]), (&next_monday, vec![("4", oral)])] {
        let open = json!({ "assignment_id": s.maths_a, "date": date, "shift": 1, "number": 1 });
        let page = app.post(&lessons_path(&s)).token(&s.maths.token).json(open).send().await.expect(200);
        let lesson = page.json["lesson"]["id"].as_i64().expect("id");
        let grades: Vec<Value> = marks
            .iter()
            .map(|(mark, kind)| json!({ "student_id": s.student.id, "mark": mark, "grade_type_id": kind }))
            .collect();
        app.put(&format!("{}/{lesson}/grades", lessons_path(&s)))
            .token(&s.maths.token)
            .json(json!({ "grades": grades }))
            .send()
            .await
            .expect(200);
    }
    let grid_path =
        format!("/api/v1/orgs/{}/years/{}/journal?assignment_id={}&period=1", s.school.org, s.year, s.maths_a);
    let grid = app.get(&grid_path).token(&s.maths.token).send().await.expect(200);
    assert_eq!(grid.json["lessons"].as_array().expect("lessons").len(), 2);
    let rows = grid.json["rows"].as_array().expect("rows");
    let names: Vec<&str> = rows.iter().filter_map(|r| r["student"]["family_name"].as_str()).collect();
    assert_eq!(names, ["Одноклассников", "Ученикова"], "by name");
    // (5·1 + 3·2 + 4·1) / 4 = 3.75, which rounds to a «4».
    assert_eq!((rows[1]["average"].as_f64(), rows[1]["suggested_mark"].as_str()), (Some(3.75), Some("4")));
    assert!(rows[0]["average"].is_null() && rows[0]["suggested_mark"].is_null(), "no marks, no average");
    assert_eq!(rows[1]["cells"][0]["grades"].as_array().expect("grades").len(), 2);
    // Period marks: the teacher's while the period is open.
    let marks_path = format!("/api/v1/orgs/{}/years/{}/period-marks", s.school.org, s.year);
    let set = |mark: &str| json!({ "assignment_id": s.maths_a, "period": 1, "marks": [{ "student_id": s.student.id, "mark": mark }] });
    app.put(&marks_path)
        .token(&s.maths.token)
        .json(json!({ "assignment_id": s.maths_a, "period": 1, "marks": [{ "student_id": s.student.id, "mark": "6" }, { "student_id": s.other_student.id, "mark": "4" }] }))
        .send()
        .await
        .invalid(&[("marks[0].mark", "invalid_mark"), ("marks[1].student_id", "unknown_student")]);
    let marked = app.put(&marks_path).token(&s.maths.token).json(set("4")).send().await.expect(200);
    assert_eq!(marked.json["rows"][1]["period_mark"], "4");
    app.put(&marks_path).token(&s.school.admin).json(set("5")).send().await.problem(403, "forbidden");
    // Closed by the administration: the teacher may no longer; an admin may, with a reason.
    app.post(&format!("/api/v1/orgs/{}/years/{}/periods/1/close", s.school.org, s.year))
        .token(&s.maths.token)
        .send()
        .await
        .problem(403, "forbidden");
    let closed = app
        .post(&format!("/api/v1/orgs/{}/years/{}/periods/1/close", s.school.org, s.year))
        .token(&s.school.admin)
        .send()
        .await
        .expect(200);
    assert_eq!(
        (closed.json["periods"][0]["closed"].as_bool(), closed.json["periods"][1]["closed"].as_bool()),
        (Some(true), Some(false))
    );
    app.put(&marks_path).token(&s.maths.token).json(set("5")).send().await.problem(409, "period_closed");
    app.put(&marks_path).token(&s.school.admin).json(set("5")).send().await.invalid(&[("reason", "required")]);
    let mut amended = set("5");
    amended["reason"] = json!("Пересдача контрольной по приказу № 12");
    let after = app.put(&marks_path).token(&s.school.admin).json(amended).send().await.expect(200);
    assert_eq!(
        (after.json["rows"][1]["period_mark"].as_str(), after.json["period"]["closed"].as_bool()),
        (Some("5"), Some(true))
    );
    let audit =
        app.get(&format!("/api/v1/orgs/{}/audit", s.school.org)).token(&s.school.admin).send().await.expect(200);
    let entry =
        audit.list().iter().find(|e| e["action"] == "closed_period_marks_changed").expect("in the audit log").clone();
    assert_eq!(entry["details"]["reason"], "Пересдача контрольной по приказу № 12");
    assert_eq!(
        app.count(format!("SELECT COUNT(*) FROM period_mark_history WHERE assignment_id = {}", s.maths_a)).await,
        2
    );
    // The journal and the class's summary as files, Cyrillic intact.
    let export = |format: &str| {
        format!(
            "/api/v1/orgs/{}/years/{}/journal/export?assignment_id={}&period=1&format={format}",
            s.school.org, s.year, s.maths_a
        )
    };
    let csv = app.get(&export("csv")).token(&s.maths.token).send().await.expect(200);
    assert!(csv.bytes.starts_with("\u{feff}".as_bytes()), "a byte-order mark for Excel");
    let text = String::from_utf8(csv.bytes.clone()).expect("UTF-8");
    assert!(text.contains("Математика") && text.contains("Ученикова") && text.contains("3.75"), "{text}");
    assert!(csv.header_str("content-disposition").is_some_and(|d| d.starts_with("attachment; filename=\"journal-")));
    let xlsx = app.get(&export("xlsx")).token(&s.maths.token).send().await.expect(200);
    assert!(xlsx.bytes.starts_with(b"PK"), "an XLSX is a zip");
    app.get(&export("pdf")).token(&s.maths.token).send().await.invalid(&[("format", "unsupported")]);
    app.get(&export("csv")).token(&s.student.token).send().await.problem(403, "forbidden");
    let summary = |format: &str| {
        format!("/api/v1/orgs/{}/years/{}/classes/{}/summary?period=1&format={format}", s.school.org, s.year, s.class_a)
    };
    let sheet = app.get(&summary("csv")).token(&s.school.admin).send().await.expect(200);
    let text = String::from_utf8(sheet.bytes.clone()).expect("UTF-8");
    let line = text.lines().find(|l| l.starts_with("Ученикова")).expect("the student's line");
    assert!(line.ends_with(";5"), "the period mark under Математика: {text}");
    assert!(app.get(&summary("xlsx")).token(&s.school.admin).send().await.expect(200).bytes.starts_with(b"PK"));
    app.get(&summary("csv")).token(&s.maths.token).send().await.problem(403, "forbidden");
    // The diary's marks by subject: the same marks, average and period mark.
    let by_subject = app
        .get(&format!("/api/v1/orgs/{}/diary/marks?student_id={}&period=1&date={monday}", s.school.org, s.student.id))
        .token(&s.student.token)
        .send()
        .await
        .expect(200);
    let maths = by_subject.json["subjects"]
        .as_array()
        .expect("subjects")
        .iter()
        .find(|x| x["subject"]["name"] == "Математика")
        .expect("maths")
        .clone();
    let marks: Vec<&str> =
        maths["marks"].as_array().expect("marks").iter().filter_map(|m| m["mark"].as_str()).collect();
    assert_eq!(marks, ["5", "3", "4"]);
    assert_eq!((maths["average"].as_f64(), maths["period_mark"].as_str()), (Some(3.75), Some("5")));
    app.get(&format!("/api/v1/orgs/{}/diary/marks?student_id={}&period=1&date={monday}", s.school.org, s.student.id))
        .token(&s.english_2.token)
        .send()
        .await
        .problem(403, "forbidden");
    // Who reads the journal.
    app.assign_class_teacher(&s.school, s.class_a, s.english.id).await;
    app.get(&grid_path).token(&s.english.token).send().await.expect(200);
    app.get(&summary("csv")).token(&s.english.token).send().await.expect(200);
    app.get(&grid_path).token(&s.student.token).send().await.problem(403, "forbidden");
    app.get(&grid_path).token(&s.english_2.token).send().await.problem(403, "forbidden");
    let other = app.school(166).await;
    app.get(&grid_path).token(&other.admin).send().await.problem(404, "not_found");
}

async fn homework_set_at_a_lesson_is_in_the_diary_on_its_day(app: TestApp) {
    let s = setup(&app, 167).await;
    week(&app, &s).await;
    let [monday, tuesday, _] = days_ahead(&app, &s).await;
    let address = app.serve().await;
    let (mut students_socket, _) = Socket::connect(address, &s.student.token).await;
    let open = json!({ "assignment_id": s.maths_a, "date": monday, "shift": 1, "number": 1, "topic": "Дроби" });
    let page = app.post(&lessons_path(&s)).token(&s.maths.token).json(open).send().await.expect(200);
    let lesson = page.json["lesson"]["id"].as_i64().expect("id");
    let homework = format!("{}/{lesson}/homework", lessons_path(&s));
    let before: jiff::civil::Date = monday.parse().expect("a date");
    let day_before = before.checked_sub(jiff::Span::new().days(1)).expect("a date").to_string();
    app.put(&homework)
        .token(&s.maths.token)
        .json(json!({ "body": " ", "due_on": day_before, "minutes": 0 }))
        .send()
        .await
        .invalid(&[("body", "required"), ("due_on", "before_lesson"), ("minutes", "out_of_range")]);
    app.put(&homework)
        .token(&s.english.token)
        .json(json!({ "body": "Чужое", "due_on": tuesday }))
        .send()
        .await
        .problem(403, "forbidden");
    let set = app
        .put(&homework)
        .token(&s.maths.token)
        .json(json!({ "body": "§12, № 45–52", "due_on": tuesday, "minutes": 30 }))
        .send()
        .await
        .expect(200);
    assert_eq!(
        (set.json["homework"]["body"].as_str(), set.json["homework"]["minutes"].as_i64()),
        (Some("§12, № 45–52"), Some(30))
    );
    let told =
        students_socket.user_event("journal_changed", Duration::from_secs(5)).await.expect("the student is told");
    assert_eq!(told["lesson_id"].as_i64(), Some(lesson));
    let diary = app
        .get(&format!("/api/v1/orgs/{}/diary?student_id={}&date={monday}", s.school.org, s.student.id))
        .token(&s.student.token)
        .send()
        .await
        .expect(200);
    assert_eq!(diary.json["days"][0]["lessons"][0]["homework"]["body"], "§12, № 45–52");
    let due = diary.json["days"][1]["homework_due"].as_array().expect("due");
    assert_eq!(due.len(), 1);
    assert_eq!(
        (due[0]["subject"]["name"].as_str(), due[0]["set_on"].as_str()),
        (Some("Математика"), Some(monday.as_str()))
    );
    assert!(diary.json["days"][0]["homework_due"].as_array().expect("due").is_empty());
    // Taken back: gone from the diary.
    let gone = app.delete(&homework).token(&s.maths.token).send().await.expect(200);
    assert!(gone.json["homework"].is_null());
    let diary = app
        .get(&format!("/api/v1/orgs/{}/diary?student_id={}&date={monday}", s.school.org, s.student.id))
        .token(&s.student.token)
        .send()
        .await
        .expect(200);
    assert!(diary.json["days"][1]["homework_due"].as_array().expect("due").is_empty());
}

/// The class's messages that are homework cards, as the student reads them.
async fn cards_in(app: &TestApp, token: &str, chat: i64) -> Vec<Value> {
    let page = app.get(&format!("/api/v1/chats/{chat}/messages?limit=100")).token(token).send().await.expect(200);
    page.json["messages"].as_array().expect("messages").iter().filter(|m| !m["homework"].is_null()).cloned().collect()
}

async fn homework_is_a_card_in_the_class_chat_that_follows_it(app: TestApp) {
    let s = setup(&app, 168).await;
    week(&app, &s).await;
    let [monday, tuesday, _] = days_ahead(&app, &s).await;
    let chats = app.get("/api/v1/chats").token(&s.student.token).send().await.expect(200);
    let class_chat =
        chats.list().iter().find(|c| c["kind"] == "class").expect("the class chat")["id"].as_i64().expect("id");
    let open = json!({ "assignment_id": s.maths_a, "date": monday, "shift": 1, "number": 1 });
    let page = app.post(&lessons_path(&s)).token(&s.maths.token).json(open).send().await.expect(200);
    let lesson = page.json["lesson"]["id"].as_i64().expect("id");
    let homework = format!("{}/{lesson}/homework", lessons_path(&s));
    let set = |body: &'static str| json!({ "body": body, "due_on": tuesday, "minutes": 30 });

    app.put(&homework).token(&s.maths.token).json(set("§12, № 45–52")).send().await.expect(200);
    let cards = cards_in(&app, &s.student.token, class_chat).await;
    assert_eq!(cards.len(), 1, "one card: {cards:?}");
    let card = &cards[0];
    assert_eq!(
        (card["homework"]["lesson_id"].as_i64(), card["homework"]["date"].as_str()),
        (Some(lesson), Some(monday.as_str()))
    );
    assert_eq!(card["sender"]["id"].as_i64(), Some(s.maths.id));
    let body = card["body"].as_str().expect("body");
    assert!(body.starts_with("**Домашнее задание** — Математика, урок ") && body.contains("§12, № 45–52"), "{body}");
    assert!(body.contains("примерно 30 мин"), "{body}");

    // Changed: the same card, rewritten; saved unchanged: left alone.
    app.put(&homework).token(&s.maths.token).json(set("§13, № 1–5")).send().await.expect(200);
    app.put(&homework).token(&s.maths.token).json(set("§13, № 1–5")).send().await.expect(200);
    let cards = cards_in(&app, &s.student.token, class_chat).await;
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0]["id"], card["id"]);
    assert!(cards[0]["body"].as_str().expect("body").contains("§13, № 1–5") && !cards[0]["edited_at"].is_null());
    let versions = app.count(format!("SELECT COUNT(*) FROM message_versions WHERE message_id = {}", card["id"])).await;
    assert_eq!(versions, 1, "one rewrite kept, not two");

    // The teacher does not sit in the class chat; a card is changed only with the homework.
    app.patch(&format!("/api/v1/chats/{class_chat}/messages/{}", card["id"]))
        .token(&s.maths.token)
        .json(json!({ "body": "Другое" }))
        .send()
        .await
        .problem(404, "not_found");

    // Taken back: the card is deleted with it.
    app.delete(&homework).token(&s.maths.token).send().await.expect(200);
    let page = app
        .get(&format!("/api/v1/chats/{class_chat}/messages?limit=100"))
        .token(&s.student.token)
        .send()
        .await
        .expect(200);
    let gone = page.json["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .find(|m| m["id"] == card["id"])
        .expect("still listed");
    assert_eq!((gone["deleted"].as_bool(), gone["body"].as_str()), (Some(true), Some("")));

    // The teacher teaches 5А by the year's assignment (no place in the class), so makes
    // its subject chat; named after the subject, it takes the next card.
    let subject_chat = app
        .post(&format!("/api/v1/orgs/{}/chats", s.school.org))
        .token(&s.maths.token)
        .json(json!({ "kind": "subject", "title": "математика", "class_id": s.class_a }))
        .send()
        .await
        .expect(201)
        .id();
    app.put(&homework).token(&s.maths.token).json(set("§14")).send().await.expect(200);
    let there = cards_in(&app, &s.student.token, subject_chat).await;
    assert_eq!(there.len(), 1, "{there:?}");
    assert!(there[0]["body"].as_str().expect("body").contains("§14"));
    app.patch(&format!("/api/v1/chats/{subject_chat}/messages/{}", there[0]["id"]))
        .token(&s.maths.token)
        .json(json!({ "body": "Другое" }))
        .send()
        .await
        .problem(409, "homework_card");
    assert!(cards_in(&app, &s.student.token, class_chat).await.iter().all(|c| c["deleted"] == true));
}

async fn the_school_edits_its_kinds_of_work_and_given_marks_keep_their_weight(app: TestApp) {
    let s = setup(&app, 168).await;
    week(&app, &s).await;
    let [monday, _, _] = days_ahead(&app, &s).await;
    let path = format!("/api/v1/orgs/{}/grade-types", s.school.org);
    let added = app
        .post(&path)
        .token(&s.school.admin)
        .json(json!({ "name": "Диктант", "weight": 1.5 }))
        .send()
        .await
        .expect(201);
    assert_eq!((added.json["weight"].as_f64(), added.json["archived"].as_bool()), (Some(1.5), Some(false)));
    app.post(&path)
        .token(&s.school.admin)
        .json(json!({ "name": "Диктант", "weight": 1.0 }))
        .send()
        .await
        .problem(409, "grade_type_exists");
    app.post(&path)
        .token(&s.school.admin)
        .json(json!({ "name": "Эссе", "weight": 50.0 }))
        .send()
        .await
        .invalid(&[("weight", "out_of_range")]);
    app.post(&path)
        .token(&s.maths.token)
        .json(json!({ "name": "Эссе", "weight": 1.0 }))
        .send()
        .await
        .problem(403, "forbidden");
    let dictation = added.id();
    // A mark given now weighs 1.5, and keeps it when the school reweighs the kind.
    let open = json!({ "assignment_id": s.maths_a, "date": monday, "shift": 1, "number": 1 });
    let page = app.post(&lessons_path(&s)).token(&s.maths.token).json(open).send().await.expect(200);
    let lesson = page.json["lesson"]["id"].as_i64().expect("id");
    app.put(&format!("{}/{lesson}/grades", lessons_path(&s)))
        .token(&s.maths.token)
        .json(json!({ "grades": [{ "student_id": s.student.id, "mark": "4", "grade_type_id": dictation }] }))
        .send()
        .await
        .expect(200);
    let changed = app
        .patch(&format!("{path}/{dictation}"))
        .token(&s.school.admin)
        .json(json!({ "weight": 3.0, "archived": true }))
        .send()
        .await
        .expect(200);
    assert_eq!((changed.json["weight"].as_f64(), changed.json["archived"].as_bool()), (Some(3.0), Some(true)));
    let page = app.get(&format!("{}/{lesson}", lessons_path(&s))).token(&s.maths.token).send().await.expect(200);
    let given = page.json["students"]
        .as_array()
        .expect("students")
        .iter()
        .find(|x| x["person"]["id"] == s.student.id)
        .expect("student")["grades"][0]["weight"]
        .as_f64();
    assert_eq!(given, Some(1.5));
    // An archived kind takes no new marks.
    app.put(&format!("{}/{lesson}/grades", lessons_path(&s)))
        .token(&s.maths.token)
        .json(json!({ "grades": [{ "student_id": s.student.id, "mark": "5", "grade_type_id": dictation }] }))
        .send()
        .await
        .invalid(&[("grades[0].grade_type_id", "unknown_grade_type")]);
}

async fn a_parent_signs_the_week_and_the_class_teacher_sees_who_has(app: TestApp) {
    let s = setup(&app, 169).await;
    let [monday, tuesday, _] = days_ahead(&app, &s).await;
    let classmate = app.join(&s.school, s.class_a, "student", None, "Одноклассников").await;
    let parent = app.join(&s.school, s.class_a, "parent", Some(s.student.id), "Родителева").await;
    let path = format!("/api/v1/orgs/{}/diary/signatures", s.school.org);
    let sign = json!({ "student_id": s.student.id, "date": tuesday });
    app.post(&path).token(&s.student.token).json(sign.clone()).send().await.problem(403, "forbidden");
    app.post(&path)
        .token(&parent.token)
        .json(json!({ "student_id": classmate.id, "date": tuesday }))
        .send()
        .await
        .problem(403, "forbidden");
    app.post(&path).token(&parent.token).json(sign.clone()).send().await.expect(204);
    app.post(&path).token(&parent.token).json(sign).send().await.expect(204);
    let diary = app
        .get(&format!("/api/v1/orgs/{}/diary?student_id={}&date={monday}", s.school.org, s.student.id))
        .token(&s.student.token)
        .send()
        .await
        .expect(200);
    let signed = diary.json["signatures"].as_array().expect("signatures");
    assert_eq!(signed.len(), 1, "signed once");
    assert_eq!(signed[0]["parent"]["id"].as_i64(), Some(parent.id));
    app.assign_class_teacher(&s.school, s.class_a, s.english.id).await;
    let class = format!("/api/v1/orgs/{}/classes/{}/diary-signatures?date={monday}", s.school.org, s.class_a);
    let list = app.get(&class).token(&s.english.token).send().await.expect(200);
    let by_student: Vec<(i64, usize)> = list.json["students"]
        .as_array()
        .expect("students")
        .iter()
        .map(|x| (x["student"]["id"].as_i64().expect("id"), x["signatures"].as_array().expect("signatures").len()))
        .collect();
    assert_eq!(by_student, [(classmate.id, 0), (s.student.id, 1)]);
    app.get(&class).token(&parent.token).send().await.problem(403, "forbidden");
}

async fn a_calendar_feed_lists_lessons_and_homework_until_its_link_is_replaced(app: TestApp) {
    let s = setup(&app, 170).await;
    week(&app, &s).await;
    let [monday, tuesday, _] = days_ahead(&app, &s).await;
    let parent = app.join(&s.school, s.class_a, "parent", Some(s.student.id), "Родителева").await;
    let open = json!({ "assignment_id": s.maths_a, "date": monday, "shift": 1, "number": 1 });
    let page = app.post(&lessons_path(&s)).token(&s.maths.token).json(open).send().await.expect(200);
    let lesson = page.json["lesson"]["id"].as_i64().expect("id");
    app.put(&format!("{}/{lesson}/homework", lessons_path(&s)))
        .token(&s.maths.token)
        .json(json!({ "body": "§12, № 45–52", "due_on": tuesday }))
        .send()
        .await
        .expect(200);
    let feed = |token: &str| app.post("/api/v1/me/calendar-feed").token(token).send();
    let path = feed(&parent.token).await.expect(201).json["path"].as_str().expect("path").to_owned();
    let calendar = app.get(&path).send().await.expect(200);
    assert_eq!(calendar.header_str("content-type"), Some("text/calendar; charset=utf-8"));
    let text = String::from_utf8(calendar.bytes.clone()).expect("UTF-8").replace("\r\n ", "");
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.ends_with("END:VCALENDAR\r\n"));
    assert!(text.contains("SUMMARY:Тест: Математика\r\n"), "the child's lessons, named: {text}");
    assert!(text.contains("SUMMARY:Тест: ДЗ: Математика\r\n") && text.contains("DESCRIPTION:§12\\, № 45–52\r\n"));
    let day = tuesday.replace('-', "");
    assert!(text.contains(&format!("DTSTART;VALUE=DATE:{day}\r\n")), "the deadline on its day");
    // The teacher's own lessons, with the class.
    let hers = feed(&s.maths.token).await.expect(201).json["path"].as_str().expect("path").to_owned();
    let text = String::from_utf8(app.get(&hers).send().await.expect(200).bytes).expect("UTF-8").replace("\r\n ", "");
    assert!(text.contains("SUMMARY:Математика\\, 5А\r\n"), "{text}");
    assert!(!text.contains("ДЗ:"), "no homework of her own to do");
    // A new link ends the old one; taking it away ends the new.
    let newer = feed(&parent.token).await.expect(201).json["path"].as_str().expect("path").to_owned();
    app.get(&path).send().await.problem(404, "not_found");
    app.get(&newer).send().await.expect(200);
    app.delete("/api/v1/me/calendar-feed").token(&parent.token).send().await.expect(204);
    app.get(&newer).send().await.problem(404, "not_found");
}

async fn the_school_rounds_by_its_own_rule_and_year_marks_close_with_the_year(app: TestApp) {
    let s = setup(&app, 177).await;
    week(&app, &s).await;
    let [monday, _, _] = days_ahead(&app, &s).await;
    let org = s.school.org;
    let parent = app.join(&s.school, s.class_a, "parent", Some(s.student.id), "Родителева").await;
    let types = app.get(&format!("/api/v1/orgs/{org}/grade-types")).token(&s.maths.token).send().await.expect(200);
    let oral = types.list().iter().find(|t| t["name"] == "Ответ на уроке").expect("oral")["id"].as_i64().expect("id");
    let open = json!({ "assignment_id": s.maths_a, "date": monday, "shift": 1, "number": 1 });
    let page = app.post(&lessons_path(&s)).token(&s.maths.token).json(open).send().await.expect(200);
    let lesson = page.json["lesson"]["id"].as_i64().expect("id");
    let grades = json!({ "grades": [
        { "student_id": s.student.id, "mark": "5", "grade_type_id": oral },
        { "student_id": s.student.id, "mark": "4", "grade_type_id": oral },
        { "student_id": s.student.id, "mark": "5", "grade_type_id": oral },
        { "student_id": s.student.id, "mark": "4", "grade_type_id": oral },
        { "student_id": s.student.id, "mark": "5", "grade_type_id": oral },
        { "student_id": s.student.id, "mark": "4", "grade_type_id": oral },
        { "student_id": s.student.id, "mark": "5", "grade_type_id": oral },
        { "student_id": s.student.id, "mark": "5", "grade_type_id": oral },
        { "student_id": s.student.id, "mark": "4", "grade_type_id": oral },
        { "student_id": s.student.id, "mark": "5", "grade_type_id": oral },
    ]});
    app.put(&format!("{}/{lesson}/grades", lessons_path(&s)))
        .token(&s.maths.token)
        .json(grades)
        .send()
        .await
        .expect(200);
    // The average is 4.6: a «5» from 4.5 (the default) and from 4.6, a «4» from 4.7.
    let grid_path = format!("/api/v1/orgs/{org}/years/{}/journal?assignment_id={}&period=1", s.year, s.maths_a);
    let student_row = |grid: &Value| {
        grid["rows"].as_array().expect("rows").iter().find(|r| r["student"]["id"] == s.student.id).expect("row").clone()
    };
    let grid = app.get(&grid_path).token(&s.maths.token).send().await.expect(200);
    assert_eq!(grid.json["round_from"].as_f64(), Some(4.5));
    let row = student_row(&grid.json);
    assert_eq!((row["average"].as_f64(), row["suggested_mark"].as_str()), (Some(4.6), Some("5")));
    let settings_path = format!("/api/v1/orgs/{org}/journal-settings");
    let read = app.get(&settings_path).token(&s.student.token).send().await.expect(200);
    assert_eq!(read.json["round_from"].as_f64(), Some(4.5), "everyone of the school reads the rule");
    app.put(&settings_path)
        .token(&s.maths.token)
        .json(json!({ "round_from": 4.7 }))
        .send()
        .await
        .problem(403, "forbidden");
    for bad in [5.0, 4.0, 4.555] {
        app.put(&settings_path)
            .token(&s.school.admin)
            .json(json!({ "round_from": bad }))
            .send()
            .await
            .invalid(&[("round_from", "out_of_range")]);
    }
    let set =
        app.put(&settings_path).token(&s.school.admin).json(json!({ "round_from": 4.7 })).send().await.expect(200);
    assert_eq!(set.json["round_from"].as_f64(), Some(4.7));
    let grid = app.get(&grid_path).token(&s.maths.token).send().await.expect(200);
    assert_eq!(student_row(&grid.json)["suggested_mark"], "4", "a stricter school");
    let audit = app.get(&format!("/api/v1/orgs/{org}/audit")).token(&s.school.admin).send().await.expect(200);
    let entry = audit.list().iter().find(|e| e["action"] == "journal_settings_changed").expect("audited").clone();
    assert_eq!((entry["details"]["round_from"].as_f64(), entry["details"]["before"].as_f64()), (Some(4.7), Some(4.5)));
    app.put(&settings_path).token(&s.school.admin).json(json!({ "round_from": 4.5 })).send().await.expect(200);

    // Period marks 4 and 5: the year mark suggested is their mean, 4.5, a «5» at 4.5.
    let address = app.serve().await;
    let (mut parents_socket, _) = Socket::connect(address, &parent.token).await;
    let (mut students_socket, _) = Socket::connect(address, &s.student.token).await;
    let period_marks = format!("/api/v1/orgs/{org}/years/{}/period-marks", s.year);
    for (period, mark) in [(1, "4"), (2, "5")] {
        let body = json!({ "assignment_id": s.maths_a, "period": period, "marks": [{ "student_id": s.student.id, "mark": mark }] });
        app.put(&period_marks).token(&s.maths.token).json(body).send().await.expect(200);
    }
    let told =
        parents_socket.user_event("final_marks_changed", Duration::from_secs(5)).await.expect("the parent is told");
    assert_eq!((told["student_id"].as_i64(), told["year_id"].as_i64()), (Some(s.student.id), Some(s.year)));
    let grid = app.get(&grid_path).token(&s.maths.token).send().await.expect(200);
    let row = student_row(&grid.json);
    assert_eq!(row["period_marks"], json!([{ "period": 1, "mark": "4" }, { "period": 2, "mark": "5" }]));
    assert_eq!((row["suggested_year_mark"].as_str(), row["year_mark"].as_str()), (Some("5"), None));
    assert_eq!(grid.json["periods"].as_array().map(Vec::len), Some(2));
    assert_eq!(grid.json["year_closed"], false);

    // Year marks: the teacher's while the year is open.
    let year_marks = format!("/api/v1/orgs/{org}/years/{}/year-marks", s.year);
    let year_mark =
        |mark: &str| json!({ "assignment_id": s.maths_a, "marks": [{ "student_id": s.student.id, "mark": mark }] });
    app.put(&year_marks)
        .token(&s.maths.token)
        .json(json!({ "assignment_id": s.maths_a, "marks": [{ "student_id": s.student.id, "mark": "7" }, { "student_id": s.other_student.id, "mark": "4" }] }))
        .send()
        .await
        .invalid(&[("marks[0].mark", "invalid_mark"), ("marks[1].student_id", "unknown_student")]);
    app.put(&year_marks).token(&s.school.admin).json(year_mark("5")).send().await.problem(403, "forbidden");
    app.put(&year_marks).token(&s.english.token).json(year_mark("5")).send().await.problem(403, "forbidden");
    while students_socket.user_event("final_marks_changed", Duration::from_millis(200)).await.is_some() {}
    let marked = app.put(&year_marks).token(&s.maths.token).json(year_mark("5")).send().await.expect(200);
    assert_eq!(marked.json["period"]["number"], 2, "the year's last period by default");
    assert_eq!(student_row(&marked.json)["year_mark"], "5");
    let told =
        students_socket.user_event("final_marks_changed", Duration::from_secs(5)).await.expect("the student is told");
    assert_eq!(told["student_id"].as_i64(), Some(s.student.id));
    // In the diary and in the year's summary.
    let by_subject = app
        .get(&format!("/api/v1/orgs/{org}/diary/marks?student_id={}&period=1&date={monday}", s.student.id))
        .token(&parent.token)
        .send()
        .await
        .expect(200);
    let maths = by_subject.json["subjects"]
        .as_array()
        .expect("subjects")
        .iter()
        .find(|x| x["subject"]["name"] == "Математика")
        .expect("maths")
        .clone();
    assert_eq!((maths["period_mark"].as_str(), maths["year_mark"].as_str()), (Some("4"), Some("5")));
    let summary = format!("/api/v1/orgs/{org}/years/{}/classes/{}/summary?period=0&format=csv", s.year, s.class_a);
    let sheet = app.get(&summary).token(&s.school.admin).send().await.expect(200);
    let text = String::from_utf8(sheet.bytes.clone()).expect("UTF-8");
    assert!(text.contains("учебный год") && text.contains("Математика: Год"), "{text}");
    let line = text.lines().find(|l| l.starts_with("Ученикова")).expect("the student's line");
    assert!(line.contains(";4;5;5"), "both periods and the year under Математика: {text}");
    let export =
        format!("/api/v1/orgs/{org}/years/{}/journal/export?assignment_id={}&period=1&format=csv", s.year, s.maths_a);
    let csv = app.get(&export).token(&s.maths.token).send().await.expect(200);
    let text = String::from_utf8(csv.bytes.clone()).expect("UTF-8");
    assert!(
        text.contains("Годовая") && text.lines().any(|l| l.starts_with("Ученикова") && l.ends_with(";4;5")),
        "{text}"
    );

    // Closing the first period leaves the year open; closing the last closes it.
    let close = |n: i64| format!("/api/v1/orgs/{org}/years/{}/periods/{n}/close", s.year);
    app.post(&close(1)).token(&s.school.admin).send().await.expect(200);
    app.put(&year_marks).token(&s.maths.token).json(year_mark("4")).send().await.expect(200);
    app.post(&close(2)).token(&s.school.admin).send().await.expect(200);
    let grid = app.get(&grid_path).token(&s.maths.token).send().await.expect(200);
    assert_eq!(grid.json["year_closed"], true);
    app.put(&year_marks).token(&s.maths.token).json(year_mark("5")).send().await.problem(409, "year_closed");
    app.put(&year_marks).token(&s.school.admin).json(year_mark("5")).send().await.invalid(&[("reason", "required")]);
    let mut amended = year_mark("5");
    amended["reason"] = json!("Решение педсовета, протокол № 7");
    amended["period"] = json!(1);
    let after = app.put(&year_marks).token(&s.school.admin).json(amended).send().await.expect(200);
    assert_eq!(
        (after.json["period"]["number"].as_i64(), student_row(&after.json)["year_mark"].as_str()),
        (Some(1), Some("5"))
    );
    let audit = app.get(&format!("/api/v1/orgs/{org}/audit")).token(&s.school.admin).send().await.expect(200);
    let entry = audit.list().iter().find(|e| e["action"] == "closed_year_marks_changed").expect("audited").clone();
    assert_eq!(entry["details"]["reason"], "Решение педсовета, протокол № 7");
    assert_eq!(
        app.count(format!(
            "SELECT COUNT(*) FROM period_mark_history WHERE assignment_id = {} AND period = 0",
            s.maths_a
        ))
        .await,
        3,
        "each change keeps the mark before it"
    );
    let other = app.school(178).await;
    app.put(&year_marks).token(&other.admin).json(year_mark("5")).send().await.problem(404, "not_found");
}
