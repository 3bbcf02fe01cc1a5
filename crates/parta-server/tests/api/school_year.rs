//! The school year as a school sets it up: dates, quarters or trimesters, holidays,
//! bells, and the subject catalogue, through the API on both backends.

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{School, TestApp};

on_both_backends!(
    an_admin_sets_up_a_year_with_quarters_holidays_and_bells,
    a_year_is_refused_whole_and_nothing_is_written,
    the_deputy_director_sets_up_the_year_and_teachers_only_read_it,
    subjects_start_from_the_catalogue_and_the_school_edits_them,
    groups_split_a_class_and_take_only_its_students,
    assignments_say_who_teaches_what_and_keep_their_history,
);

/// A usual year: four quarters with the holidays between them and two days off.
fn year_2026() -> Value {
    json!({
        "name": "2026/2027",
        "starts_on": "2026-09-01",
        "ends_on": "2027-05-31",
        "school_days": 5,
        "period_kind": "quarters",
        "periods": [
            { "starts_on": "2026-09-01", "ends_on": "2026-10-24" },
            { "starts_on": "2026-11-05", "ends_on": "2026-12-28" },
            { "starts_on": "2027-01-12", "ends_on": "2027-03-20" },
            { "starts_on": "2027-03-30", "ends_on": "2027-05-26" },
        ],
        "days_off": [
            { "starts_on": "2027-02-23", "ends_on": "2027-02-23", "kind": "day_off", "name": "День защитника Отечества" },
            { "starts_on": "2027-02-09", "ends_on": "2027-02-15", "kind": "holidays", "name": "Дополнительные каникулы для первоклассников" },
        ],
    })
}

fn bells() -> Value {
    json!({ "bells": [
        { "shift": 1, "number": 1, "starts_at": "08:30", "ends_at": "09:10" },
        { "shift": 1, "number": 2, "starts_at": "09:20", "ends_at": "10:00" },
        { "shift": 1, "number": 3, "starts_at": "10:20", "ends_at": "11:00" },
        { "shift": 2, "number": 1, "starts_at": "13:30", "ends_at": "14:10" },
    ]})
}

fn years_path(school: &School) -> String {
    format!("/api/v1/orgs/{}/years", school.org)
}

async fn an_admin_sets_up_a_year_with_quarters_holidays_and_bells(app: TestApp) {
    let school = app.school(140).await;
    let teacher = app.join(&school, school.staff_room, "teacher", None, "Учителева").await;
    let created = app.post(&years_path(&school)).token(&school.admin).json(year_2026()).send().await.expect(201);
    let year = created.id();
    assert_eq!(
        created.json["periods"].as_array().expect("periods").iter().map(|p| p["name"].as_str()).collect::<Vec<_>>(),
        [Some("1 четверть"), Some("2 четверть"), Some("3 четверть"), Some("4 четверть")]
    );
    assert_eq!(created.json["days_off"][0]["starts_on"], "2027-02-09", "days off in date order");
    assert_eq!(created.json["periods"][1]["closed"], false);
    // The bells, every shift at once; everyone of the school reads them.
    let with_bells = app
        .put(&format!("{}/{year}/bells", years_path(&school)))
        .token(&school.admin)
        .json(bells())
        .send()
        .await
        .expect(200);
    assert_eq!(with_bells.json["bells"].as_array().expect("bells").len(), 4);
    let seen = app.get(&format!("{}/{year}", years_path(&school))).token(&teacher.token).send().await.expect(200);
    assert_eq!(seen.json["bells"][1], json!({ "shift": 1, "number": 2, "starts_at": "09:20", "ends_at": "10:00" }));
    // Bells that overlap are refused by field.
    let clash = json!({ "bells": [
        { "shift": 1, "number": 1, "starts_at": "08:30", "ends_at": "09:10" },
        { "shift": 1, "number": 2, "starts_at": "09:00", "ends_at": "09:40" },
    ]});
    app.put(&format!("{}/{year}/bells", years_path(&school)))
        .token(&school.admin)
        .json(clash)
        .send()
        .await
        .invalid(&[("bells[1].starts_at", "overlaps")]);
    // A second year may not overlap the first; the next one takes its bells.
    let mut overlapping = year_2026();
    overlapping["name"] = json!("Пересекается");
    app.post(&years_path(&school)).token(&school.admin).json(overlapping).send().await.problem(409, "year_overlaps");
    let mut next = year_2026();
    next["name"] = json!("2027/2028");
    next["starts_on"] = json!("2027-09-01");
    next["ends_on"] = json!("2028-05-31");
    next["periods"] = json!([
        { "starts_on": "2027-09-01", "ends_on": "2027-12-28" },
        { "starts_on": "2028-01-10", "ends_on": "2028-05-25" },
    ]);
    next["period_kind"] = json!("halves");
    next["school_days"] = json!(6);
    next["days_off"] = json!([]);
    next["copy_bells_from"] = json!(year);
    let next_year = app.post(&years_path(&school)).token(&school.admin).json(next.clone()).send().await.expect(201);
    assert_eq!(next_year.json["bells"], with_bells.json["bells"], "the bells are copied");
    assert_eq!(next_year.json["periods"][1]["name"], "2 полугодие");
    // Another school's year is not a source.
    let other = app.school(141).await;
    let foreign = app.post(&years_path(&other)).token(&other.admin).json(year_2026()).send().await.expect(201).id();
    let mut copying = year_2026();
    copying["starts_on"] = json!("2025-09-01");
    copying["ends_on"] = json!("2026-05-31");
    copying["periods"] = json!([
        { "starts_on": "2025-09-01", "ends_on": "2025-10-24" },
        { "starts_on": "2025-11-05", "ends_on": "2025-12-28" },
        { "starts_on": "2026-01-12", "ends_on": "2026-03-20" },
        { "starts_on": "2026-03-30", "ends_on": "2026-05-26" },
    ]);
    copying["days_off"] = json!([]);
    copying["copy_bells_from"] = json!(foreign);
    app.post(&years_path(&school))
        .token(&school.admin)
        .json(copying)
        .send()
        .await
        .invalid(&[("copy_bells_from", "unknown_year")]);
    // Changing a year replaces its dates and periods; its bells stay.
    let mut changed = year_2026();
    changed["name"] = json!("2026/2027 учебный год");
    changed["periods"][3]["ends_on"] = json!("2027-05-29");
    let updated =
        app.put(&format!("{}/{year}", years_path(&school))).token(&school.admin).json(changed).send().await.expect(200);
    assert_eq!(
        (updated.json["name"].as_str(), updated.json["periods"][3]["ends_on"].as_str()),
        (Some("2026/2027 учебный год"), Some("2027-05-29"))
    );
    assert_eq!(updated.json["bells"], with_bells.json["bells"]);
    // The list: the latest first; another school's year is not found here.
    let list = app.get(&years_path(&school)).token(&teacher.token).send().await.expect(200);
    assert_eq!(
        list.list().iter().map(|y| y["name"].as_str()).collect::<Vec<_>>(),
        [Some("2027/2028"), Some("2026/2027 учебный год")]
    );
    app.get(&format!("{}/{foreign}", years_path(&school))).token(&school.admin).send().await.problem(404, "not_found");
    // Each change is in the school's audit log.
    let audit = app.get(&format!("/api/v1/orgs/{}/audit", school.org)).token(&school.admin).send().await.expect(200);
    let actions: Vec<&str> = audit.list().iter().filter_map(|e| e["action"].as_str()).collect();
    for action in ["school_year_created", "bells_set", "school_year_changed"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

async fn a_year_is_refused_whole_and_nothing_is_written(app: TestApp) {
    let school = app.school(142).await;
    let mut bad = year_2026();
    bad["name"] = json!(" ");
    bad["periods"][1]["starts_on"] = json!("2026-10-20");
    bad["periods"][2]["ends_on"] = json!("2027-13-01");
    bad["days_off"][0]["starts_on"] = json!("2027-06-12");
    bad["days_off"][0]["ends_on"] = json!("2027-06-12");
    bad["school_days"] = json!(7);
    app.post(&years_path(&school)).token(&school.admin).json(bad).send().await.invalid(&[
        ("name", "required"),
        ("school_days", "out_of_range"),
        ("periods[1].starts_on", "overlaps"),
        ("periods[2].ends_on", "invalid_date"),
        ("days_off[0].starts_on", "outside_year"),
    ]);
    let mut trimesters = year_2026();
    trimesters["period_kind"] = json!("trimesters");
    app.post(&years_path(&school))
        .token(&school.admin)
        .json(trimesters)
        .send()
        .await
        .invalid(&[("periods", "count_mismatch")]);
    let mut backwards = year_2026();
    backwards["ends_on"] = json!("2026-08-01");
    backwards["periods"] = json!([]);
    backwards["period_kind"] = json!("halves");
    app.post(&years_path(&school))
        .token(&school.admin)
        .json(backwards)
        .send()
        .await
        .invalid(&[("ends_on", "ends_before_start"), ("periods", "count_mismatch")]);
    let unknown_kind = json!({ "name": "x", "starts_on": "2026-09-01", "ends_on": "2027-05-31", "school_days": 5, "period_kind": "semesters", "periods": [] });
    app.post(&years_path(&school)).token(&school.admin).json(unknown_kind).send().await.expect(422);
    let reply = app.get(&years_path(&school)).token(&school.admin).send().await.expect(200);
    assert!(reply.list().is_empty(), "nothing half-written");
    // The Russian message says what is wrong.
    let mut russian = year_2026();
    russian["periods"][0]["starts_on"] = json!("2026-08-01");
    let problem = app.post(&years_path(&school)).token(&school.admin).json(russian).send().await.expect(422);
    assert_eq!(problem.json["errors"][0]["detail"], "Выходит за даты учебного года.");
}

async fn the_deputy_director_sets_up_the_year_and_teachers_only_read_it(app: TestApp) {
    let school = app.school(143).await;
    let deputy = app.join(&school, school.staff_room, "teacher", None, "Завучева").await;
    app.post(&format!("/api/v1/orgs/{}/members/{}/role", school.org, deputy.id))
        .token(&school.admin)
        .json(json!({ "role": "deputy" }))
        .send()
        .await
        .expect(200);
    let teacher = app.join(&school, school.staff_room, "teacher", None, "Учителева").await;
    let class = app.create_class(&school, "5А", 5).await;
    let student = app.join(&school, class, "student", None, "Ученикова").await;
    // Whoever sets up the year is told so with their school, for the client to offer it.
    let manages = |me: Value| me["schools"][0]["manages_school_year"].as_bool();
    assert_eq!(manages(app.me(&deputy.token).await), Some(true));
    assert_eq!(manages(app.me(&school.admin).await), Some(true));
    assert_eq!(manages(app.me(&teacher.token).await), Some(false));
    app.post(&years_path(&school)).token(&teacher.token).json(year_2026()).send().await.problem(403, "forbidden");
    let year = app.post(&years_path(&school)).token(&deputy.token).json(year_2026()).send().await.expect(201).id();
    app.put(&format!("{}/{year}/bells", years_path(&school)))
        .token(&teacher.token)
        .json(bells())
        .send()
        .await
        .problem(403, "forbidden");
    app.put(&format!("{}/{year}/bells", years_path(&school)))
        .token(&deputy.token)
        .json(bells())
        .send()
        .await
        .expect(200);
    for reader in [&teacher.token, &student.token] {
        let seen = app.get(&format!("{}/{year}", years_path(&school))).token(reader).send().await.expect(200);
        assert_eq!(seen.json["bells"].as_array().expect("bells").len(), 4);
    }
    // Another school's admin does not find it.
    let other = app.school(144).await;
    app.get(&format!("{}/{year}", years_path(&school))).token(&other.admin).send().await.problem(404, "not_found");
    app.put(&format!("{}/{year}", years_path(&other)))
        .token(&other.admin)
        .json(year_2026())
        .send()
        .await
        .problem(404, "not_found");
}

async fn subjects_start_from_the_catalogue_and_the_school_edits_them(app: TestApp) {
    let school = app.school(145).await;
    let teacher = app.join(&school, school.staff_room, "teacher", None, "Учителева").await;
    let path = format!("/api/v1/orgs/{}/subjects", school.org);
    let catalogue = app.get(&path).token(&teacher.token).send().await.expect(200);
    let names: Vec<&str> = catalogue.list().iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names.len(), parta_domain::school_year::DEFAULT_SUBJECTS.len());
    assert!(names.contains(&"Математика") && names.contains(&"Русский язык"));
    let added = app.post(&path).token(&school.admin).json(json!({ "name": "Астрономия" })).send().await.expect(201);
    assert_eq!(
        (added.json["short_name"].as_str(), added.json["archived"].as_bool()),
        (Some("Астрономия"), Some(false))
    );
    app.post(&path)
        .token(&school.admin)
        .json(json!({ "name": "Астрономия" }))
        .send()
        .await
        .problem(409, "subject_exists");
    app.post(&path)
        .token(&school.admin)
        .json(json!({ "name": "Основы финансовой грамотности и предпринимательства" }))
        .send()
        .await
        .invalid(&[("short_name", "required")]);
    app.post(&path).token(&teacher.token).json(json!({ "name": "Шахматы" })).send().await.problem(403, "forbidden");
    let id = added.id();
    let changed = app
        .patch(&format!("{path}/{id}"))
        .token(&school.admin)
        .json(json!({ "short_name": "Астр.", "archived": true }))
        .send()
        .await
        .expect(200);
    assert_eq!((changed.json["short_name"].as_str(), changed.json["archived"].as_bool()), (Some("Астр."), Some(true)));
    app.patch(&format!("{path}/{id}"))
        .token(&school.admin)
        .json(json!({ "name": "Математика" }))
        .send()
        .await
        .problem(409, "subject_exists");
    let back = app
        .patch(&format!("{path}/{id}"))
        .token(&school.admin)
        .json(json!({ "archived": false }))
        .send()
        .await
        .expect(200);
    assert_eq!((back.json["name"].as_str(), back.json["archived"].as_bool()), (Some("Астрономия"), Some(false)));
    // Another school neither sees nor edits them.
    let other = app.school(146).await;
    app.get(&path).token(&other.admin).send().await.problem(404, "not_found");
    app.patch(&format!("/api/v1/orgs/{}/subjects/{id}", other.org))
        .token(&other.admin)
        .json(json!({ "name": "Чужое" }))
        .send()
        .await
        .problem(404, "not_found");
}

async fn groups_split_a_class_and_take_only_its_students(app: TestApp) {
    let school = app.school(147).await;
    let class = app.create_class(&school, "5А", 5).await;
    let other_class = app.create_class(&school, "5Б", 5).await;
    let (anna, boris) = (
        app.join(&school, class, "student", None, "Аннова").await,
        app.join(&school, class, "student", None, "Борисов").await,
    );
    let stranger = app.join(&school, other_class, "student", None, "Чужой").await;
    let parent = app.join(&school, class, "parent", Some(anna.id), "Аннова-мама").await;
    let groups = format!("/api/v1/orgs/{}/classes/{class}/groups", school.org);
    app.post(&groups)
        .token(&school.admin)
        .json(json!({ "name": "Английский, группа 1", "student_ids": [anna.id, stranger.id, parent.id] }))
        .send()
        .await
        .invalid(&[("student_ids[1]", "unknown_student"), ("student_ids[2]", "unknown_student")]);
    let made = app
        .post(&groups)
        .token(&school.admin)
        .json(json!({ "name": "Английский, группа 1", "student_ids": [anna.id, anna.id] }))
        .send()
        .await
        .expect(201);
    assert_eq!(made.json["student_ids"], json!([anna.id]), "each student once");
    let group = made.id();
    let changed = app
        .put(&format!("{groups}/{group}"))
        .token(&school.admin)
        .json(json!({ "name": "Английский, группа 2", "student_ids": [boris.id] }))
        .send()
        .await
        .expect(200);
    assert_eq!(
        (changed.json["name"].as_str(), changed.json["student_ids"].clone()),
        (Some("Английский, группа 2"), json!([boris.id]))
    );
    // The class's own people read its groups; another class's student does not.
    for reader in [&anna.token, &parent.token] {
        assert_eq!(app.get(&groups).token(reader).send().await.expect(200).list().len(), 1);
    }
    app.get(&groups).token(&stranger.token).send().await.problem(403, "forbidden");
    app.post(&groups).token(&anna.token).json(json!({ "name": "Наша" })).send().await.problem(403, "forbidden");
    // The staff room has no groups; a retired group is gone from the list.
    app.post(&format!("/api/v1/orgs/{}/classes/{}/groups", school.org, school.staff_room))
        .token(&school.admin)
        .json(json!({ "name": "Учителя" }))
        .send()
        .await
        .problem(404, "not_found");
    app.delete(&format!("{groups}/{group}")).token(&school.admin).send().await.expect(204);
    assert!(app.get(&groups).token(&school.admin).send().await.expect(200).list().is_empty());
    app.put(&format!("{groups}/{group}"))
        .token(&school.admin)
        .json(json!({ "name": "x" }))
        .send()
        .await
        .problem(404, "not_found");
}

async fn assignments_say_who_teaches_what_and_keep_their_history(app: TestApp) {
    let school = app.school(148).await;
    let class = app.create_class(&school, "7В", 7).await;
    let teacher = app.join(&school, school.staff_room, "teacher", None, "Математикова").await;
    let employee = app.join(&school, school.staff_room, "employee", None, "Завхозов").await;
    let student = app.join(&school, class, "student", None, "Семёнов").await;
    let year = app.post(&years_path(&school)).token(&school.admin).json(year_2026()).send().await.expect(201).id();
    let subjects =
        app.get(&format!("/api/v1/orgs/{}/subjects", school.org)).token(&school.admin).send().await.expect(200);
    let subject = |name: &str| {
        subjects.list().iter().find(|s| s["name"] == name).expect("a subject of the catalogue")["id"]
            .as_i64()
            .expect("id")
    };
    let (algebra, english) = (subject("Алгебра"), subject("Иностранный язык (английский)"));
    let group = app
        .post(&format!("/api/v1/orgs/{}/classes/{class}/groups", school.org))
        .token(&school.admin)
        .json(json!({ "name": "Английский, группа 1", "student_ids": [student.id] }))
        .send()
        .await
        .expect(201)
        .id();
    let path = format!("/api/v1/orgs/{}/years/{year}/assignments", school.org);
    let whole = app
        .post(&path)
        .token(&school.admin)
        .json(json!({ "teacher_id": teacher.id, "subject_id": algebra, "class_id": class }))
        .send()
        .await
        .expect(201);
    assert_eq!(
        (whole.json["subject"]["name"].as_str(), whole.json["class"]["name"].as_str(), whole.json["group"].is_null()),
        (Some("Алгебра"), Some("7В"), true)
    );
    let halves = app
        .post(&path)
        .token(&school.admin)
        .json(json!({ "teacher_id": teacher.id, "subject_id": english, "class_id": class, "group_id": group }))
        .send()
        .await
        .expect(201);
    assert_eq!(halves.json["group"]["name"], "Английский, группа 1");
    app.post(&path)
        .token(&school.admin)
        .json(json!({ "teacher_id": teacher.id, "subject_id": algebra, "class_id": class }))
        .send()
        .await
        .problem(409, "assignment_exists");
    app.post(&path)
        .token(&school.admin)
        .json(json!({ "teacher_id": employee.id, "subject_id": 999999, "class_id": school.staff_room, "group_id": 5 }))
        .send()
        .await
        .invalid(&[("teacher_id", "not_a_teacher"), ("subject_id", "unknown_subject"), ("class_id", "unknown_class")]);
    // The student reads their class's teaching, not the whole school's.
    let theirs = app.get(&format!("{path}?class_id={class}")).token(&student.token).send().await.expect(200);
    assert_eq!(theirs.list().len(), 2);
    app.get(&path).token(&student.token).send().await.problem(403, "forbidden");
    let by_teacher =
        app.get(&format!("{path}?teacher_id={}", teacher.id)).token(&employee.token).send().await.expect(200);
    assert_eq!(by_teacher.list().len(), 2);
    // Ending one keeps the other; an archived subject takes no new assignment.
    app.delete(&format!("{path}/{}", whole.id())).token(&school.admin).send().await.expect(204);
    assert_eq!(app.get(&path).token(&school.admin).send().await.expect(200).list().len(), 1);
    app.delete(&format!("{path}/{}", whole.id())).token(&school.admin).send().await.problem(404, "not_found");
    app.patch(&format!("/api/v1/orgs/{}/subjects/{algebra}", school.org))
        .token(&school.admin)
        .json(json!({ "archived": true }))
        .send()
        .await
        .expect(200);
    app.post(&path)
        .token(&school.admin)
        .json(json!({ "teacher_id": teacher.id, "subject_id": algebra, "class_id": class }))
        .send()
        .await
        .invalid(&[("subject_id", "archived")]);
    // Retiring the group ends its assignment.
    app.delete(&format!("/api/v1/orgs/{}/classes/{class}/groups/{group}", school.org))
        .token(&school.admin)
        .send()
        .await
        .expect(204);
    assert!(app.get(&path).token(&school.admin).send().await.expect(200).list().is_empty());
    let audit = app.get(&format!("/api/v1/orgs/{}/audit", school.org)).token(&school.admin).send().await.expect(200);
    let actions: Vec<&str> = audit.list().iter().filter_map(|e| e["action"].as_str()).collect();
    for action in ["assignment_created", "assignment_ended", "class_group_archived"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}
