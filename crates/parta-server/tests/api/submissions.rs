//! Homework with files, and students' work handed in for it: a teacher attaches a file
//! to homework, the lesson's students and their parents download it; a student hands in
//! text and files, on time or late; the teacher returns it with a comment or grades it,
//! the mark going into the journal at the lesson. Nothing of one child reaches another's parent.

use std::time::Duration;

use serde_json::json;

use crate::on_both_backends;
use crate::support::{Socket, TestApp, multipart};
use crate::timetable::{lesson, setup, timetable_path};

on_both_backends!(homework_files_and_submissions_from_hand_in_to_the_journal);

async fn upload(app: &TestApp, org: i64, token: &str, name: &str, bytes: &[u8]) -> i64 {
    let (content_type, body) = multipart(&[], &[("file", name, bytes)]);
    app.post(&format!("/api/v1/orgs/{org}/journal/files"))
        .token(token)
        .raw(&content_type, body)
        .send()
        .await
        .expect(201)
        .id()
}

async fn homework_files_and_submissions_from_hand_in_to_the_journal(app: TestApp) {
    let s = setup(&app, 171).await;
    let org = s.school.org;
    app.put(&timetable_path(&s, s.class_a))
        .token(&s.school.admin)
        .json(json!({ "entries": [lesson(1, 1, s.maths_a, "214")] }))
        .send()
        .await
        .expect(200);
    // A year around next week; the class's students joined today.
    let today = jiff::Zoned::now().date();
    let day = |n: i64| today.checked_add(jiff::Span::new().days(n)).expect("a date");
    let monday = day(7 - i64::from(today.weekday().to_monday_zero_offset()));
    let plus = |n: i64| monday.checked_add(jiff::Span::new().days(n)).expect("a date").to_string();
    app.put(&format!("/api/v1/orgs/{org}/years/{}", s.year))
        .token(&s.school.admin)
        .json(json!({
            "name": "Этот год", "starts_on": plus(-60), "ends_on": plus(120), "school_days": 5, "period_kind": "halves",
            "periods": [{ "starts_on": plus(-60), "ends_on": plus(20) }, { "starts_on": plus(21), "ends_on": plus(110) }],
        }))
        .send()
        .await
        .expect(200);
    let (monday, tuesday) = (monday.to_string(), plus(1));
    let classmate = app.join(&s.school, s.class_a, "student", None, "Одноклассников").await;
    let parent = app.join(&s.school, s.class_a, "parent", Some(s.student.id), "Родителева").await;
    let other_parent = app.join(&s.school, s.class_a, "parent", Some(classmate.id), "Чужой-Родитель").await;
    let open = json!({ "assignment_id": s.maths_a, "date": monday, "shift": 1, "number": 1, "topic": "Дроби" });
    let page =
        app.post(&format!("/api/v1/orgs/{org}/lessons")).token(&s.maths.token).json(open).send().await.expect(200);
    let lesson = page.json["lesson"]["id"].as_i64().expect("id");
    let homework = format!("/api/v1/orgs/{org}/lessons/{lesson}/homework");
    let submissions = format!("/api/v1/orgs/{org}/lessons/{lesson}/submissions");

    // The teacher uploads a worksheet and sets homework with it; someone else's upload is refused.
    let sheet = upload(&app, org, &s.maths.token, "задание.txt", "Решите № 45–52".as_bytes()).await;
    let foreign = upload(&app, org, &s.english.token, "чужое.txt", b"not yours").await;
    app.put(&homework)
        .token(&s.maths.token)
        .json(json!({ "body": "§12", "due_on": tuesday, "files": [sheet, foreign, sheet] }))
        .send()
        .await
        .invalid(&[("files[1]", "unknown_file"), ("files[2]", "unknown_file")]);
    let set = app
        .put(&homework)
        .token(&s.maths.token)
        .json(json!({ "body": "§12, № 45–52", "due_on": tuesday, "files": [sheet] }))
        .send()
        .await
        .expect(200);
    assert_eq!(set.json["homework"]["files"][0]["name"], "задание.txt");
    // Changed without `files`: the file stays.
    let kept = app
        .put(&homework)
        .token(&s.maths.token)
        .json(json!({ "body": "§12, № 45–53", "due_on": tuesday }))
        .send()
        .await
        .expect(200);
    assert_eq!(kept.json["homework"]["files"][0]["id"].as_i64(), Some(sheet));

    // Who downloads the homework's file: the lesson's students, their parents, its teacher.
    let download = |token: &str, file: i64| app.get(&format!("/api/v1/files/{file}")).token(token).send();
    assert_eq!(download(&s.student.token, sheet).await.expect(200).bytes, "Решите № 45–52".as_bytes());
    download(&parent.token, sheet).await.expect(200);
    download(&classmate.token, sheet).await.expect(200);
    download(&s.maths.token, sheet).await.expect(200);
    download(&s.other_student.token, sheet).await.problem(404, "not_found");
    download(&s.english.token, sheet).await.problem(404, "not_found");
    let diary = |token: &str, student: i64| {
        app.get(&format!("/api/v1/orgs/{org}/diary?student_id={student}&date={monday}")).token(token).send()
    };
    let week = diary(&s.student.token, s.student.id).await.expect(200);
    let at_lesson = &week.json["days"][0]["lessons"][0];
    assert_eq!(at_lesson["homework"]["files"][0]["id"].as_i64(), Some(sheet));
    assert!(at_lesson["submission"].is_null());

    let address = app.serve().await;
    let (mut students_socket, _) = Socket::connect(address, &s.student.token).await;
    let (mut parents_socket, _) = Socket::connect(address, &parent.token).await;
    let (mut others_socket, _) = Socket::connect(address, &other_parent.token).await;

    // Refused hand-ins: nothing, too long, someone else's file; a parent, another class's student.
    let answer = upload(&app, org, &s.student.token, "решение.txt", "x = 5".as_bytes()).await;
    app.post(&submissions)
        .token(&s.student.token)
        .json(json!({ "body": "  " }))
        .send()
        .await
        .invalid(&[("body", "empty_submission")]);
    app.post(&submissions)
        .token(&s.student.token)
        .json(json!({ "body": "а".repeat(10_001), "files": [sheet] }))
        .send()
        .await
        .invalid(&[("body", "too_long"), ("files[0]", "unknown_file")]);
    app.post(&submissions)
        .token(&parent.token)
        .json(json!({ "body": "Сделал за сына" }))
        .send()
        .await
        .problem(403, "not_your_lesson");
    app.post(&submissions)
        .token(&s.other_student.token)
        .json(json!({ "body": "Я из 5Б" }))
        .send()
        .await
        .problem(403, "not_your_lesson");
    // On time.
    let handed = app
        .post(&submissions)
        .token(&s.student.token)
        .json(json!({ "body": "Ответ: x = 5", "files": [answer] }))
        .send()
        .await
        .expect(200);
    assert_eq!(
        (handed.json["status"].as_str(), handed.json["late"].as_bool(), handed.json["files"][0]["id"].as_i64()),
        (Some("handed_in"), Some(false), Some(answer))
    );
    let submission = handed.json["id"].as_i64().expect("id");
    for socket in [&mut students_socket, &mut parents_socket] {
        let told = socket.user_event("journal_changed", Duration::from_secs(5)).await.expect("the family is told");
        assert_eq!((told["student_id"].as_i64(), told["lesson_id"].as_i64()), (Some(s.student.id), Some(lesson)));
    }
    assert!(
        others_socket.user_event("journal_changed", Duration::from_millis(300)).await.is_none(),
        "not another family"
    );
    // The work's file: the student, their parent, the teacher; not a classmate or their parent.
    download(&parent.token, answer).await.expect(200);
    download(&s.maths.token, answer).await.expect(200);
    download(&classmate.token, answer).await.problem(404, "not_found");
    download(&other_parent.token, answer).await.problem(404, "not_found");
    // The parent reads it in the diary; another parent does not read this child's diary.
    let week = diary(&parent.token, s.student.id).await.expect(200);
    assert_eq!(week.json["days"][0]["lessons"][0]["submission"]["status"], "handed_in");
    diary(&other_parent.token, s.student.id).await.problem(403, "forbidden");
    let classmates = diary(&other_parent.token, classmate.id).await.expect(200);
    assert!(classmates.json["days"][0]["lessons"][0]["submission"].is_null());

    // The teacher sees every student with where their work stands; students do not list it.
    let list = app.get(&submissions).token(&s.maths.token).send().await.expect(200);
    let statuses: Vec<(Option<i64>, Option<&str>)> = list.json["students"]
        .as_array()
        .expect("students")
        .iter()
        .map(|st| (st["student"]["id"].as_i64(), st["status"].as_str()))
        .collect();
    assert_eq!(statuses, [(Some(classmate.id), Some("not_handed_in")), (Some(s.student.id), Some("handed_in"))]);
    assert_eq!(list.json["due_on"], tuesday.as_str());
    app.get(&submissions).token(&s.student.token).send().await.problem(403, "forbidden");
    app.get(&submissions).token(&parent.token).send().await.problem(403, "forbidden");

    // Returned with a comment; only the lesson's teacher answers.
    let answer_path = |what: &str| format!("/api/v1/orgs/{org}/submissions/{submission}/{what}");
    app.post(&answer_path("return"))
        .token(&s.english.token)
        .json(json!({ "comment": "Нет" }))
        .send()
        .await
        .problem(403, "forbidden");
    app.post(&answer_path("return"))
        .token(&s.maths.token)
        .json(json!({ "comment": " " }))
        .send()
        .await
        .invalid(&[("comment", "required")]);
    let returned = app
        .post(&answer_path("return"))
        .token(&s.maths.token)
        .json(json!({ "comment": "Покажи решение" }))
        .send()
        .await
        .expect(200);
    assert_eq!(
        (returned.json["status"].as_str(), returned.json["comment"].as_str()),
        (Some("returned"), Some("Покажи решение"))
    );
    parents_socket
        .user_event("journal_changed", Duration::from_secs(5))
        .await
        .expect("the parent is told of the return");

    // Handed in again after the due day: late.
    app.sql("UPDATE homework SET due_on = '2000-01-03'").await;
    let again = app
        .post(&submissions)
        .token(&s.student.token)
        .json(json!({ "body": "Решение: 2x = 10, x = 5", "files": [answer] }))
        .send()
        .await
        .expect(200);
    assert_eq!(
        (again.json["id"].as_i64(), again.json["status"].as_str(), again.json["late"].as_bool()),
        (Some(submission), Some("late"), Some(true))
    );

    // Graded: a mark outside the scale, an unknown kind of work are refused; then «5» as homework.
    app.post(&answer_path("grade"))
        .token(&s.maths.token)
        .json(json!({ "mark": "6" }))
        .send()
        .await
        .invalid(&[("mark", "invalid_mark")]);
    app.post(&answer_path("grade"))
        .token(&s.maths.token)
        .json(json!({ "mark": "5", "grade_type_id": 999_999 }))
        .send()
        .await
        .invalid(&[("grade_type_id", "unknown_grade_type")]);
    while students_socket.user_event("journal_changed", Duration::from_millis(200)).await.is_some() {}
    while parents_socket.user_event("journal_changed", Duration::from_millis(200)).await.is_some() {}
    let graded = app
        .post(&answer_path("grade"))
        .token(&s.maths.token)
        .json(json!({ "mark": "5", "comment": "Молодец" }))
        .send()
        .await
        .expect(200);
    assert_eq!((graded.json["status"].as_str(), graded.json["grade"]["mark"].as_str()), (Some("graded"), Some("5")));
    for socket in [&mut students_socket, &mut parents_socket] {
        let told = socket.user_event("journal_changed", Duration::from_secs(5)).await.expect("the grade is announced");
        assert_eq!(told["lesson_id"].as_i64(), Some(lesson));
    }
    assert!(
        others_socket.user_event("journal_changed", Duration::from_millis(300)).await.is_none(),
        "not another family"
    );
    // Once graded, final here.
    app.post(&answer_path("grade"))
        .token(&s.maths.token)
        .json(json!({ "mark": "4" }))
        .send()
        .await
        .problem(409, "submission_graded");
    app.post(&answer_path("return"))
        .token(&s.maths.token)
        .json(json!({ "comment": "Ещё раз" }))
        .send()
        .await
        .problem(409, "submission_graded");
    app.post(&submissions)
        .token(&s.student.token)
        .json(json!({ "body": "Ещё вариант" }))
        .send()
        .await
        .problem(409, "submission_graded");

    // The mark is in the journal: the lesson page, the grid, the diary; kept on the record.
    let types = app.get(&format!("/api/v1/orgs/{org}/grade-types")).token(&s.maths.token).send().await.expect(200);
    let homework_type =
        types.list().iter().find(|t| t["name"] == "Домашняя работа").expect("homework type")["id"].as_i64();
    let page = app.get(&format!("/api/v1/orgs/{org}/lessons/{lesson}")).token(&s.maths.token).send().await.expect(200);
    let row = page.json["students"]
        .as_array()
        .expect("students")
        .iter()
        .find(|st| st["person"]["id"].as_i64() == Some(s.student.id))
        .expect("the student")
        .clone();
    assert_eq!(
        (
            row["grades"][0]["mark"].as_str(),
            row["grades"][0]["grade_type_id"].as_i64(),
            row["grades"][0]["comment"].as_str()
        ),
        (Some("5"), homework_type, Some("Молодец"))
    );
    let grid = app
        .get(&format!("/api/v1/orgs/{org}/years/{}/journal?assignment_id={}&period=1", s.year, s.maths_a))
        .token(&s.maths.token)
        .send()
        .await
        .expect(200);
    let grid_row = grid.json["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["student"]["id"].as_i64() == Some(s.student.id))
        .expect("the student's row")
        .clone();
    assert_eq!(grid_row["cells"][0]["grades"][0]["mark"], "5");
    let week = diary(&parent.token, s.student.id).await.expect(200);
    let at_lesson = &week.json["days"][0]["lessons"][0];
    assert_eq!(
        (
            at_lesson["grades"][0]["mark"].as_str(),
            at_lesson["submission"]["status"].as_str(),
            at_lesson["submission"]["grade"]["mark"].as_str()
        ),
        (Some("5"), Some("graded"), Some("5"))
    );
    let listed = app.get(&submissions).token(&s.maths.token).send().await.expect(200);
    assert_eq!(listed.json["students"][1]["status"], "graded");

    // A mark taken back in the journal leaves the work to be checked again.
    let grade = graded.json["grade"]["id"].as_i64().expect("grade id");
    app.put(&format!("/api/v1/orgs/{org}/lessons/{lesson}/grades"))
        .token(&s.maths.token)
        .json(json!({ "grades": [], "delete": [grade] }))
        .send()
        .await
        .expect(200);
    let listed = app.get(&submissions).token(&s.maths.token).send().await.expect(200);
    assert_eq!(listed.json["students"][1]["status"], "late");
    let regraded =
        app.post(&answer_path("grade")).token(&s.maths.token).json(json!({ "mark": "4" })).send().await.expect(200);
    assert_eq!(
        (regraded.json["status"].as_str(), regraded.json["grade"]["mark"].as_str()),
        (Some("graded"), Some("4"))
    );

    // Another school sees nothing of it.
    let other = app.school(172).await;
    let theirs = format!("/api/v1/orgs/{}/lessons/{lesson}/submissions", other.org);
    app.get(&theirs).token(&other.admin).send().await.problem(404, "not_found");
    app.post(&theirs).token(&other.admin).json(json!({ "body": "Чужое" })).send().await.problem(404, "not_found");
    app.post(&format!("/api/v1/orgs/{}/submissions/{submission}/return", other.org))
        .token(&other.admin)
        .json(json!({ "comment": "Чужое" }))
        .send()
        .await
        .problem(404, "not_found");
    app.get(&format!("/api/v1/orgs/{org}/lessons/{lesson}/submissions"))
        .token(&other.admin)
        .send()
        .await
        .problem(404, "not_found");
    download(&other.admin, sheet).await.problem(404, "not_found");
    download(&other.admin, answer).await.problem(404, "not_found");
    let (content_type, body) = multipart(&[], &[("file", "x.txt", b"x")]);
    app.post(&format!("/api/v1/orgs/{org}/journal/files"))
        .token(&other.admin)
        .raw(&content_type, body)
        .send()
        .await
        .problem(404, "not_found");
}
