//! A school's own setup: the profile and settings, structure units, classes,
//! class teachers, admins and teacher verification.

use serde_json::json;

use crate::on_both_backends;
use crate::support::TestApp;

on_both_backends!(
    members_read_the_profile_and_admins_edit_it,
    the_join_approval_setting_is_the_default_of_new_links,
    only_admins_edit_and_other_schools_see_nothing,
    units_are_created_renamed_and_deleted_when_empty,
    classes_are_checked_on_creation,
    classes_are_renamed_and_detached_but_the_staff_room_is_fixed,
    class_teachers_are_attached_and_detached,
    admins_are_appointed_among_staff_and_one_always_stays,
    teachers_are_verified_with_a_badge,
    a_class_teacher_is_one_of_the_class,
    the_first_admin_is_appointed_by_the_operator,
);

async fn members_read_the_profile_and_admins_edit_it(app: TestApp) {
    let school = app.school(101).await;
    let class = app.create_class(&school, "5А", 5).await;
    let teacher = app.join(&school, school.staff_room, "teacher", None, "Петрова").await;
    let student = app.join(&school, class, "student", None, "Иванов").await;
    let parent = app.join(&school, class, "parent", Some(student.id), "Иванова").await;
    let path = format!("/api/v1/orgs/{}", school.org);
    for token in [&school.admin, &teacher.token, &student.token, &parent.token] {
        let profile = app.get(&path).token(token).send().await.expect(200);
        assert_eq!(profile.json["id"], school.org);
        assert_eq!(profile.json["short_name"], "Школа № 101");
        assert_eq!(profile.json["join_approval_required"], false);
    }
    // A partial edit changes only what it names.
    let edited = app
        .patch(&path)
        .token(&school.admin)
        .json(
            json!({ "short_name": "Школа № 101 им. А. С. Пушкина", "address": "  г. Екатеринбург, ул. Мира, д. 5  " }),
        )
        .send()
        .await
        .expect(200);
    assert_eq!(edited.json["short_name"], "Школа № 101 им. А. С. Пушкина");
    assert_eq!(edited.json["address"], "г. Екатеринбург, ул. Мира, д. 5");
    assert_eq!(edited.json["name"], "МБОУ «Средняя общеобразовательная школа № 101»");
    assert_eq!(edited.json["inn"], "6601234565");
    assert_eq!(edited.json["time_zone"], "Asia/Yekaterinburg");
    let seen = app.get(&path).token(&student.token).send().await.expect(200);
    assert_eq!(seen.json, edited.json);
    // Invalid values change nothing and are all named.
    app.patch(&path)
        .token(&school.admin)
        .json(json!({ "inn": "6601234566", "ogrn": "123", "time_zone": "Asia/Ekaterinburg-City", "name": " " }))
        .send()
        .await
        .invalid(&[
            ("inn", "invalid_checksum"),
            ("ogrn", "invalid_format"),
            ("time_zone", "invalid_time_zone"),
            ("name", "required"),
        ]);
    app.patch(&path)
        .token(&school.admin)
        .json(json!({ "inn": 6601234565u64 }))
        .send()
        .await
        .problem(422, "validation_failed");
    let unchanged = app.get(&path).token(&school.admin).send().await.expect(200);
    assert_eq!(unchanged.json, edited.json);
    let moved = app
        .patch(&path)
        .token(&school.admin)
        .json(json!({ "time_zone": "Europe/Moscow", "inn": "7707083893", "region": "г. Москва" }))
        .send()
        .await
        .expect(200);
    assert_eq!(moved.json["time_zone"], "Europe/Moscow");
    assert_eq!(moved.json["inn"], "7707083893");
    assert_eq!(moved.json["region"], "г. Москва");
    // An empty edit is harmless.
    let same = app.patch(&path).token(&school.admin).json(json!({})).send().await.expect(200);
    assert_eq!(same.json, moved.json);
    // The edit is audited with who made it.
    let audit = app.get(&format!("{path}/audit")).token(&school.admin).send().await.expect(200);
    let entry = audit.list().iter().find(|e| e["action"] == "school_updated").expect("audited").clone();
    assert_eq!(entry["actor"]["id"], school.admin_id);
    assert_eq!(entry["target_id"], school.org);
}

async fn the_join_approval_setting_is_the_default_of_new_links(app: TestApp) {
    let school = app.school(102).await;
    let class = app.create_class(&school, "1А", 1).await;
    let invites = format!("/api/v1/orgs/{}/invites", school.org);
    let before = app
        .post(&invites)
        .token(&school.admin)
        .json(json!({ "class_id": class, "role": "student" }))
        .send()
        .await
        .expect(201);
    assert_eq!(before.json["invite"]["requires_approval"], false);
    let on = app
        .patch(&format!("/api/v1/orgs/{}", school.org))
        .token(&school.admin)
        .json(json!({ "join_approval_required": true }))
        .send()
        .await
        .expect(200);
    assert_eq!(on.json["join_approval_required"], true);
    let after = app
        .post(&invites)
        .token(&school.admin)
        .json(json!({ "class_id": class, "role": "student" }))
        .send()
        .await
        .expect(201);
    assert_eq!(after.json["invite"]["requires_approval"], true);
    let token = after.json["token"].as_str().expect("token");
    let preview = app.get(&format!("/api/v1/invites/{token}")).send().await.expect(200);
    assert_eq!(preview.json["requires_approval"], true);
    // A link may still say otherwise explicitly.
    let explicit = app
        .post(&invites)
        .token(&school.admin)
        .json(json!({ "class_id": class, "role": "student", "requires_approval": false }))
        .send()
        .await
        .expect(201);
    assert_eq!(explicit.json["invite"]["requires_approval"], false);
    // Links made before the change keep their own setting.
    let list = app.get(&invites).token(&school.admin).send().await.expect(200);
    let first = list.list().iter().find(|i| i["id"] == before.json["invite"]["id"]).expect("listed").clone();
    assert_eq!(first["requires_approval"], false);
    let off = app
        .patch(&format!("/api/v1/orgs/{}", school.org))
        .token(&school.admin)
        .json(json!({ "join_approval_required": false }))
        .send()
        .await
        .expect(200);
    assert_eq!(off.json["join_approval_required"], false);
    let last =
        app.post(&invites).token(&school.admin).json(json!({ "class_id": class, "role": "teacher" })).send().await;
    // A teacher link into a class: allowed (teachers can be placed in a class).
    let last = last.expect(201);
    assert_eq!(last.json["invite"]["requires_approval"], false);
}

async fn only_admins_edit_and_other_schools_see_nothing(app: TestApp) {
    let school = app.school(103).await;
    let other = app.school(104).await;
    let class = app.create_class(&school, "7Б", 7).await;
    let unit = app
        .post(&format!("/api/v1/orgs/{}/units", school.org))
        .token(&school.admin)
        .json(json!({ "name": "Основная школа" }))
        .send()
        .await
        .expect(201)
        .id();
    let teacher = app.join(&school, school.staff_room, "teacher", None, "Смирнова").await;
    let student = app.join(&school, class, "student", None, "Кузнецов").await;
    let outsider = app.join(&other, other.staff_room, "teacher", None, "Чужакова").await;
    let org = school.org;

    // Staff and students of the school: read yes, change no.
    for token in [&teacher.token, &student.token] {
        app.patch(&format!("/api/v1/orgs/{org}"))
            .token(token)
            .json(json!({ "short_name": "Моя школа" }))
            .send()
            .await
            .problem(403, "forbidden");
        app.post(&format!("/api/v1/orgs/{org}/units"))
            .token(token)
            .json(json!({ "name": "Старшая школа" }))
            .send()
            .await
            .problem(403, "forbidden");
        app.patch(&format!("/api/v1/orgs/{org}/units/{unit}"))
            .token(token)
            .json(json!({ "name": "Средняя" }))
            .send()
            .await
            .problem(403, "forbidden");
        app.delete(&format!("/api/v1/orgs/{org}/units/{unit}")).token(token).send().await.problem(403, "forbidden");
        app.post(&format!("/api/v1/orgs/{org}/classes"))
            .token(token)
            .json(json!({ "name": "8В", "grade": 8, "academic_year": 2026 }))
            .send()
            .await
            .problem(403, "forbidden");
        app.patch(&format!("/api/v1/orgs/{org}/classes/{class}"))
            .token(token)
            .json(json!({ "name": "7В" }))
            .send()
            .await
            .problem(403, "forbidden");
        app.post(&format!("/api/v1/orgs/{org}/classes/{class}/class-teachers"))
            .token(token)
            .json(json!({ "user_id": teacher.id }))
            .send()
            .await
            .problem(403, "forbidden");
        app.post(&format!("/api/v1/orgs/{org}/admins"))
            .token(token)
            .json(json!({ "user_id": teacher.id }))
            .send()
            .await
            .problem(403, "forbidden");
        app.delete(&format!("/api/v1/orgs/{org}/admins/{}", school.admin_id))
            .token(token)
            .send()
            .await
            .problem(403, "forbidden");
        app.put(&format!("/api/v1/orgs/{org}/members/{}/teacher-verification", teacher.id))
            .token(token)
            .send()
            .await
            .problem(403, "forbidden");
        app.get(&format!("/api/v1/orgs/{org}/units")).token(token).send().await.expect(200);
        app.get(&format!("/api/v1/orgs/{org}/classes")).token(token).send().await.expect(200);
        app.get(&format!("/api/v1/orgs/{org}/classes/{class}")).token(token).send().await.expect(200);
        app.get(&format!("/api/v1/orgs/{org}/admins")).token(token).send().await.expect(200);
    }

    // Another school's admin and teacher: nothing exists here, reading or writing.
    for token in [&other.admin, &outsider.token] {
        for path in [
            format!("/api/v1/orgs/{org}"),
            format!("/api/v1/orgs/{org}/units"),
            format!("/api/v1/orgs/{org}/classes"),
            format!("/api/v1/orgs/{org}/classes/{class}"),
            format!("/api/v1/orgs/{org}/admins"),
        ] {
            app.get(&path).token(token).send().await.problem(404, "not_found");
        }
        app.patch(&format!("/api/v1/orgs/{org}"))
            .token(token)
            .json(json!({ "short_name": "Захвачено" }))
            .send()
            .await
            .problem(404, "not_found");
        app.post(&format!("/api/v1/orgs/{org}/units"))
            .token(token)
            .json(json!({ "name": "Чужое" }))
            .send()
            .await
            .problem(404, "not_found");
        app.patch(&format!("/api/v1/orgs/{org}/units/{unit}"))
            .token(token)
            .json(json!({ "name": "Чужое" }))
            .send()
            .await
            .problem(404, "not_found");
        app.delete(&format!("/api/v1/orgs/{org}/units/{unit}")).token(token).send().await.problem(404, "not_found");
        app.post(&format!("/api/v1/orgs/{org}/classes"))
            .token(token)
            .json(json!({ "name": "9Я", "grade": 9, "academic_year": 2026 }))
            .send()
            .await
            .problem(404, "not_found");
        app.patch(&format!("/api/v1/orgs/{org}/classes/{class}"))
            .token(token)
            .json(json!({ "name": "9Я" }))
            .send()
            .await
            .problem(404, "not_found");
        app.post(&format!("/api/v1/orgs/{org}/classes/{class}/class-teachers"))
            .token(token)
            .json(json!({ "user_id": teacher.id }))
            .send()
            .await
            .problem(404, "not_found");
        app.delete(&format!("/api/v1/orgs/{org}/classes/{class}/class-teachers/{}", teacher.id))
            .token(token)
            .send()
            .await
            .problem(404, "not_found");
        app.post(&format!("/api/v1/orgs/{org}/admins"))
            .token(token)
            .json(json!({ "user_id": teacher.id }))
            .send()
            .await
            .problem(404, "not_found");
        app.delete(&format!("/api/v1/orgs/{org}/admins/{}", school.admin_id))
            .token(token)
            .send()
            .await
            .problem(404, "not_found");
        app.put(&format!("/api/v1/orgs/{org}/members/{}/teacher-verification", teacher.id))
            .token(token)
            .send()
            .await
            .problem(404, "not_found");
    }
    // The other school's own ids do not reach into this one either: this school's class through the other's path.
    app.get(&format!("/api/v1/orgs/{}/classes/{class}", other.org))
        .token(&other.admin)
        .send()
        .await
        .problem(404, "not_found");
    app.patch(&format!("/api/v1/orgs/{}/classes/{class}", other.org))
        .token(&other.admin)
        .json(json!({ "name": "Чужой" }))
        .send()
        .await
        .problem(404, "not_found");
    app.patch(&format!("/api/v1/orgs/{}/units/{unit}", other.org))
        .token(&other.admin)
        .json(json!({ "name": "Чужое" }))
        .send()
        .await
        .problem(404, "not_found");
    // Nothing changed.
    let profile = app.get(&format!("/api/v1/orgs/{org}")).token(&school.admin).send().await.expect(200);
    assert_eq!(profile.json["short_name"], "Школа № 103");
    let got = app.get(&format!("/api/v1/orgs/{org}/classes/{class}")).token(&school.admin).send().await.expect(200);
    assert_eq!(got.json["name"], "7Б");
    let units = app.get(&format!("/api/v1/orgs/{org}/units")).token(&school.admin).send().await.expect(200);
    assert_eq!(units.json, json!([{ "id": unit, "name": "Основная школа" }]));
    // Without a session, nothing at all.
    app.get(&format!("/api/v1/orgs/{org}")).send().await.problem(401, "unauthenticated");
}

async fn units_are_created_renamed_and_deleted_when_empty(app: TestApp) {
    let school = app.school(105).await;
    let units = format!("/api/v1/orgs/{}/units", school.org);
    let primary =
        app.post(&units).token(&school.admin).json(json!({ "name": "Начальная школа" })).send().await.expect(201);
    assert_eq!(primary.json["name"], "Начальная школа");
    let primary = primary.id();
    let senior =
        app.post(&units).token(&school.admin).json(json!({ "name": "  Старшая школа " })).send().await.expect(201);
    assert_eq!(senior.json["name"], "Старшая школа");
    let senior = senior.id();
    app.post(&units)
        .token(&school.admin)
        .json(json!({ "name": "Начальная школа" }))
        .send()
        .await
        .problem(409, "unit_name_taken");
    app.post(&units).token(&school.admin).json(json!({ "name": "" })).send().await.invalid(&[("name", "required")]);
    // Another school may use the same name.
    let other = app.school(106).await;
    app.post(&format!("/api/v1/orgs/{}/units", other.org))
        .token(&other.admin)
        .json(json!({ "name": "Начальная школа" }))
        .send()
        .await
        .expect(201);

    let renamed = app
        .patch(&format!("{units}/{senior}"))
        .token(&school.admin)
        .json(json!({ "name": "Средняя и старшая школа" }))
        .send()
        .await
        .expect(200);
    assert_eq!(renamed.json, json!({ "id": senior, "name": "Средняя и старшая школа" }));
    app.patch(&format!("{units}/{senior}"))
        .token(&school.admin)
        .json(json!({ "name": "Начальная школа" }))
        .send()
        .await
        .problem(409, "unit_name_taken");
    app.patch(&format!("{units}/999999"))
        .token(&school.admin)
        .json(json!({ "name": "Нет такого" }))
        .send()
        .await
        .problem(404, "not_found");
    let list = app.get(&units).token(&school.admin).send().await.expect(200);
    let mut names: Vec<&str> = list.list().iter().filter_map(|u| u["name"].as_str()).collect();
    names.sort();
    assert_eq!(names, ["Начальная школа", "Средняя и старшая школа"]);

    // A unit with a class cannot go; once the class moves out, it can.
    let class = app
        .post(&format!("/api/v1/orgs/{}/classes", school.org))
        .token(&school.admin)
        .json(json!({ "name": "2А", "grade": 2, "academic_year": 2026, "unit_id": primary }))
        .send()
        .await
        .expect(201);
    assert_eq!(class.json["unit_id"], primary);
    let class = class.id();
    app.delete(&format!("{units}/{primary}")).token(&school.admin).send().await.problem(409, "unit_not_empty");
    app.patch(&format!("/api/v1/orgs/{}/classes/{class}", school.org))
        .token(&school.admin)
        .json(json!({ "unit_id": senior }))
        .send()
        .await
        .expect(200);
    app.delete(&format!("{units}/{primary}")).token(&school.admin).send().await.expect(204);
    app.delete(&format!("{units}/{primary}")).token(&school.admin).send().await.problem(404, "not_found");
    let list = app.get(&units).token(&school.admin).send().await.expect(200);
    assert_eq!(list.json, json!([{ "id": senior, "name": "Средняя и старшая школа" }]));
    let audit = app.get(&format!("/api/v1/orgs/{}/audit", school.org)).token(&school.admin).send().await.expect(200);
    let actions: Vec<&str> = audit.list().iter().filter_map(|e| e["action"].as_str()).collect();
    for action in ["unit_created", "unit_renamed", "unit_deleted"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

async fn classes_are_checked_on_creation(app: TestApp) {
    let school = app.school(107).await;
    let other = app.school(108).await;
    let foreign_unit = app
        .post(&format!("/api/v1/orgs/{}/units", other.org))
        .token(&other.admin)
        .json(json!({ "name": "Начальная школа" }))
        .send()
        .await
        .expect(201)
        .id();
    let classes = format!("/api/v1/orgs/{}/classes", school.org);
    let create = |body: serde_json::Value| app.post(&classes).token(&school.admin).json(body).send();

    let first = create(json!({ "name": "0П", "grade": 0, "academic_year": 2026 })).await.expect(201);
    assert_eq!(first.json["kind"], "class");
    assert_eq!(first.json["grade"], 0);
    assert_eq!(first.json["academic_year"], 2026);
    assert!(first.json["unit_id"].is_null());
    assert_eq!(first.json["class_teachers"], json!([]));
    create(json!({ "name": "11А", "grade": 11, "academic_year": 2026 })).await.expect(201);
    // A group of additional education («объединение») has no grade: the grade-based
    // rules (online lesson length, daily homework) leave it out.
    let club = create(json!({ "name": "Робототехника", "academic_year": 2026 })).await.expect(201);
    assert!(club.json["grade"].is_null());
    create(json!({ "name": "12А", "grade": 12, "academic_year": 2026 })).await.invalid(&[("grade", "out_of_range")]);
    create(json!({ "name": "Б", "grade": -1, "academic_year": 2026 })).await.invalid(&[("grade", "out_of_range")]);
    create(json!({ "name": "5А", "grade": 5, "academic_year": 1999 }))
        .await
        .invalid(&[("academic_year", "out_of_range")]);
    create(json!({ "name": "", "grade": 40, "academic_year": 3000 })).await.invalid(&[
        ("name", "required"),
        ("grade", "out_of_range"),
        ("academic_year", "out_of_range"),
    ]);
    create(json!({ "name": "5А", "grade": 5 })).await.invalid(&[("academic_year", "required")]);
    create(json!({ "name": "5А", "grade": 5, "academic_year": 2026, "unit_id": foreign_unit }))
        .await
        .invalid(&[("unit_id", "unknown_unit")]);

    let a2026 = create(json!({ "name": "5А", "grade": 5, "academic_year": 2026 })).await.expect(201).id();
    create(json!({ "name": "5А", "grade": 5, "academic_year": 2026 })).await.problem(409, "class_name_taken");
    let a2027 = create(json!({ "name": "5А", "grade": 6, "academic_year": 2027 })).await.expect(201);
    assert_eq!(a2027.json["academic_year"], 2027);
    assert_ne!(a2027.id(), a2026);
    // Another school has its own 5А.
    app.post(&format!("/api/v1/orgs/{}/classes", other.org))
        .token(&other.admin)
        .json(json!({ "name": "5А", "grade": 5, "academic_year": 2026 }))
        .send()
        .await
        .expect(201);

    let list = app.get(&classes).token(&school.admin).send().await.expect(200);
    let names: Vec<(String, i64)> = list
        .list()
        .iter()
        .map(|c| (c["name"].as_str().unwrap_or("").to_owned(), c["academic_year"].as_i64().unwrap_or(0)))
        .collect();
    assert_eq!(names[0], ("Учительская".to_owned(), 0), "the staff room comes first: {names:?}");
    assert_eq!(names.len(), 6, "{names:?}");
    for wanted in [("0П", 2026), ("11А", 2026), ("5А", 2026), ("5А", 2027)] {
        assert!(names.contains(&(wanted.0.to_owned(), wanted.1)), "{wanted:?} in {names:?}");
    }
    assert_eq!(names[5], ("Робототехника".to_owned(), 2026), "a group without a grade comes after its year's grades");
    let one = app.get(&format!("{classes}/{a2026}")).token(&school.admin).send().await.expect(200);
    assert_eq!(one.json["name"], "5А");
    assert_eq!(one.json["grade"], 5);
    app.get(&format!("{classes}/999999")).token(&school.admin).send().await.problem(404, "not_found");
}

async fn classes_are_renamed_and_detached_but_the_staff_room_is_fixed(app: TestApp) {
    let school = app.school(109).await;
    let unit = app
        .post(&format!("/api/v1/orgs/{}/units", school.org))
        .token(&school.admin)
        .json(json!({ "name": "Основная школа" }))
        .send()
        .await
        .expect(201)
        .id();
    let classes = format!("/api/v1/orgs/{}/classes", school.org);
    let class = app
        .post(&classes)
        .token(&school.admin)
        .json(json!({ "name": "6Б", "grade": 6, "academic_year": 2026, "unit_id": unit }))
        .send()
        .await
        .expect(201)
        .id();
    app.create_class(&school, "6В", 6).await;
    let path = format!("{classes}/{class}");

    let renamed =
        app.patch(&path).token(&school.admin).json(json!({ "name": "6 Б (математический)" })).send().await.expect(200);
    assert_eq!(renamed.json["name"], "6 Б (математический)");
    assert_eq!(renamed.json["grade"], 6);
    assert_eq!(renamed.json["unit_id"], unit, "absent unit_id keeps the unit");
    let regraded = app.patch(&path).token(&school.admin).json(json!({ "grade": 7 })).send().await.expect(200);
    assert_eq!(regraded.json["grade"], 7);
    assert_eq!(regraded.json["name"], "6 Б (математический)");
    app.patch(&path)
        .token(&school.admin)
        .json(json!({ "grade": 12 }))
        .send()
        .await
        .invalid(&[("grade", "out_of_range")]);
    app.patch(&path)
        .token(&school.admin)
        .json(json!({ "unit_id": 999999 }))
        .send()
        .await
        .invalid(&[("unit_id", "unknown_unit")]);
    app.patch(&path).token(&school.admin).json(json!({ "name": "6В" })).send().await.problem(409, "class_name_taken");
    let detached = app.patch(&path).token(&school.admin).json(json!({ "unit_id": null })).send().await.expect(200);
    assert!(detached.json["unit_id"].is_null(), "{}", detached.json);
    assert_eq!(detached.json["name"], "6 Б (математический)");
    let got = app.get(&path).token(&school.admin).send().await.expect(200);
    assert!(got.json["unit_id"].is_null());
    let attached = app.patch(&path).token(&school.admin).json(json!({ "unit_id": unit })).send().await.expect(200);
    assert_eq!(attached.json["unit_id"], unit);

    // «Учительская» is built in: it cannot be renamed or put into a unit.
    let staff_room = format!("{classes}/{}", school.staff_room);
    app.patch(&staff_room)
        .token(&school.admin)
        .json(json!({ "name": "Кабинет" }))
        .send()
        .await
        .problem(409, "staff_room");
    app.patch(&staff_room)
        .token(&school.admin)
        .json(json!({ "unit_id": unit }))
        .send()
        .await
        .problem(409, "staff_room");
    let room = app.get(&staff_room).token(&school.admin).send().await.expect(200);
    assert_eq!(room.json["name"], "Учительская");
    assert_eq!(room.json["kind"], "staff_room");
    assert!(room.json["grade"].is_null() && room.json["unit_id"].is_null());
    app.patch(&format!("{classes}/999999"))
        .token(&school.admin)
        .json(json!({ "name": "7Г" }))
        .send()
        .await
        .problem(404, "not_found");
}

async fn class_teachers_are_attached_and_detached(app: TestApp) {
    let school = app.school(110).await;
    let a = app.create_class(&school, "5А", 5).await;
    let b = app.create_class(&school, "5Б", 5).await;
    let teacher = app.join(&school, school.staff_room, "teacher", None, "Ковалёва").await;
    let employee = app.join(&school, school.staff_room, "employee", None, "Завхозов").await;
    let student = app.join(&school, a, "student", None, "Попов").await;
    let add = |class: i64, user: i64| {
        app.post(&format!("/api/v1/orgs/{}/classes/{class}/class-teachers", school.org))
            .token(&school.admin)
            .json(json!({ "user_id": user }))
            .send()
    };

    let attached = add(a, teacher.id).await.expect(200);
    assert_eq!(attached.json["id"], a);
    let teachers = attached.json["class_teachers"].as_array().expect("list").clone();
    assert_eq!(teachers.len(), 1);
    assert_eq!(teachers[0]["id"], teacher.id);
    assert_eq!(teachers[0]["family_name"], "Ковалёва");
    add(a, teacher.id).await.problem(409, "already_class_teacher");
    add(a, student.id).await.problem(409, "not_teacher");
    add(a, employee.id).await.problem(409, "not_teacher");
    add(a, 999999).await.problem(409, "not_teacher");
    add(school.staff_room, teacher.id).await.problem(409, "staff_room");
    // One teacher may lead two classes.
    add(b, teacher.id).await.expect(200);

    let list = app.get(&format!("/api/v1/orgs/{}/classes", school.org)).token(&teacher.token).send().await.expect(200);
    for class in [a, b] {
        let row = list.list().iter().find(|c| c["id"] == class).expect("class listed").clone();
        assert_eq!(row["class_teachers"][0]["id"], teacher.id);
    }
    let me = app.me(&teacher.token).await;
    let led: Vec<i64> = me["schools"][0]["class_teacher_of"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["id"].as_i64())
        .collect();
    assert_eq!(led.len(), 2);
    assert!(led.contains(&a) && led.contains(&b));

    let remove = |class: i64, user: i64| {
        app.delete(&format!("/api/v1/orgs/{}/classes/{class}/class-teachers/{user}", school.org))
            .token(&school.admin)
            .send()
    };
    let detached = remove(a, teacher.id).await.expect(200);
    assert_eq!(detached.json["class_teachers"], json!([]));
    remove(a, teacher.id).await.problem(409, "not_class_teacher");
    let class_b =
        app.get(&format!("/api/v1/orgs/{}/classes/{b}", school.org)).token(&school.admin).send().await.expect(200);
    assert_eq!(class_b.json["class_teachers"][0]["id"], teacher.id, "the other class keeps its teacher");
    let audit = app.get(&format!("/api/v1/orgs/{}/audit", school.org)).token(&school.admin).send().await.expect(200);
    let assigned = audit.list().iter().filter(|e| e["action"] == "class_teacher_assigned").count();
    let removed = audit.list().iter().filter(|e| e["action"] == "class_teacher_removed").count();
    assert_eq!((assigned, removed), (2, 1));
}

async fn admins_are_appointed_among_staff_and_one_always_stays(app: TestApp) {
    let school = app.school(111).await;
    let class = app.create_class(&school, "9А", 9).await;
    let teacher = app.join(&school, school.staff_room, "teacher", None, "Николаева").await;
    let employee = app.join(&school, school.staff_room, "employee", None, "Секретарёва").await;
    let student = app.join(&school, class, "student", None, "Морозов").await;
    let parent = app.join(&school, class, "parent", Some(student.id), "Морозова").await;
    let admins = format!("/api/v1/orgs/{}/admins", school.org);

    for (who, code) in
        [(student.id, "not_staff"), (parent.id, "not_staff"), (999999, "not_staff"), (school.admin_id, "already_admin")]
    {
        app.post(&admins).token(&school.admin).json(json!({ "user_id": who })).send().await.problem(409, code);
    }
    let list = app.post(&admins).token(&school.admin).json(json!({ "user_id": teacher.id })).send().await.expect(200);
    assert_eq!(list.list().len(), 2);
    let appointed = list.list().iter().find(|a| a["person"]["id"] == teacher.id).expect("appointed").clone();
    assert_eq!(appointed["appointed_by"]["id"], school.admin_id);
    assert_eq!(appointed["appointed_by"]["family_name"], "Сидорова");
    assert!(appointed["appointed_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    app.post(&admins)
        .token(&school.admin)
        .json(json!({ "user_id": teacher.id }))
        .send()
        .await
        .problem(409, "already_admin");
    // The new admin can act as one, and appoint a third.
    let list = app.post(&admins).token(&teacher.token).json(json!({ "user_id": employee.id })).send().await.expect(200);
    assert_eq!(list.list().len(), 3);
    let third = list.list().iter().find(|a| a["person"]["id"] == employee.id).expect("appointed").clone();
    assert_eq!(third["appointed_by"]["id"], teacher.id);
    let me = app.me(&employee.token).await;
    assert_eq!(me["schools"][0]["is_admin"], true);
    // Members see who the admins are.
    let seen = app.get(&admins).token(&parent.token).send().await.expect(200);
    assert_eq!(seen.list().len(), 3);

    // Removal, down to the last one.
    let list = app.delete(&format!("{admins}/{}", employee.id)).token(&school.admin).send().await.expect(200);
    assert_eq!(list.list().len(), 2);
    app.delete(&format!("{admins}/{}", employee.id)).token(&school.admin).send().await.problem(409, "not_admin");
    app.post(&admins)
        .token(&employee.token)
        .json(json!({ "user_id": employee.id }))
        .send()
        .await
        .problem(403, "forbidden");
    // An admin may step down while another remains.
    let list = app.delete(&format!("{admins}/{}", school.admin_id)).token(&school.admin).send().await.expect(200);
    assert_eq!(list.list().len(), 1, "{}", list.json);
    assert_eq!(list.list()[0]["person"]["id"], teacher.id);
    app.get(&admins).token(&school.admin).send().await.expect(200);
    app.post(&admins)
        .token(&school.admin)
        .json(json!({ "user_id": school.admin_id }))
        .send()
        .await
        .problem(403, "forbidden");
    app.delete(&format!("{admins}/{}", teacher.id)).token(&teacher.token).send().await.problem(409, "last_admin");
    let left = app.get(&admins).token(&teacher.token).send().await.expect(200);
    assert_eq!(left.list().len(), 1);
    let audit = app.get(&format!("/api/v1/orgs/{}/audit", school.org)).token(&teacher.token).send().await.expect(200);
    let removals: Vec<i64> = audit
        .list()
        .iter()
        .filter(|e| e["action"] == "admin_removed")
        .filter_map(|e| e["target_id"].as_i64())
        .collect();
    assert_eq!(removals, vec![school.admin_id, employee.id]);
}

async fn teachers_are_verified_with_a_badge(app: TestApp) {
    let school = app.school(112).await;
    let class = app.create_class(&school, "3А", 3).await;
    let teacher = app.join_unverified(&school, school.staff_room, "teacher", None, "Фёдорова").await;
    let employee = app.join(&school, school.staff_room, "employee", None, "Библиотекарева").await;
    let student = app.join(&school, class, "student", None, "Соколов").await;
    let verification = |user: i64| format!("/api/v1/orgs/{}/members/{user}/teacher-verification", school.org);
    let profile = |user: i64| format!("/api/v1/orgs/{}/members/{user}", school.org);

    let before = app.get(&profile(teacher.id)).token(&employee.token).send().await.expect(200);
    assert_eq!(before.json["teacher_verified"], false);
    let verified = app.put(&verification(teacher.id)).token(&school.admin).send().await.expect(200);
    assert_eq!(verified.json["person"]["id"], teacher.id);
    assert_eq!(verified.json["teacher_verified"], true);
    // Everyone who sees the profile sees the badge; so does the teacher.
    let seen = app.get(&profile(teacher.id)).token(&employee.token).send().await.expect(200);
    assert_eq!(seen.json["teacher_verified"], true);
    assert_eq!(app.me(&teacher.token).await["schools"][0]["teacher_verified"], true);
    let list = app.get(&format!("/api/v1/orgs/{}/members", school.org)).token(&employee.token).send().await.expect(200);
    let row = list.list().iter().find(|m| m["person"]["id"] == teacher.id).expect("listed").clone();
    assert_eq!(row["teacher_verified"], true);
    // Verifying again is harmless.
    app.put(&verification(teacher.id)).token(&school.admin).send().await.expect(200);

    app.put(&verification(student.id)).token(&school.admin).send().await.problem(409, "not_teacher");
    app.put(&verification(employee.id)).token(&school.admin).send().await.problem(409, "not_teacher");
    app.put(&verification(999999)).token(&school.admin).send().await.problem(409, "not_teacher");
    app.put(&verification(teacher.id)).token(&teacher.token).send().await.problem(403, "forbidden");

    let withdrawn = app.delete(&verification(teacher.id)).token(&school.admin).send().await.expect(200);
    assert_eq!(withdrawn.json["teacher_verified"], false);
    let seen = app.get(&profile(teacher.id)).token(&employee.token).send().await.expect(200);
    assert_eq!(seen.json["teacher_verified"], false);
    assert_eq!(app.me(&teacher.token).await["schools"][0]["teacher_verified"], false);
    let audit = app.get(&format!("/api/v1/orgs/{}/audit", school.org)).token(&school.admin).send().await.expect(200);
    let entry = audit.list().iter().find(|e| e["action"] == "teacher_verification_withdrawn").expect("audited").clone();
    assert_eq!(entry["target_id"], teacher.id);
    assert_eq!(entry["actor"]["id"], school.admin_id);
}

async fn a_class_teacher_is_one_of_the_class(app: TestApp) {
    let school = app.school(64).await;
    let class = app.create_class(&school, "6Е", 6).await;
    let teacher = app.join(&school, school.staff_room, "teacher", None, "Руководителева").await;
    let student = app.join(&school, class, "student", None, "Шестиклассник").await;
    app.assign_class_teacher(&school, class, teacher.id).await;
    // The class's students see their class teacher in the class list and can open the profile.
    let members = app
        .get(&format!("/api/v1/orgs/{}/members?class_id={class}", school.org))
        .token(&student.token)
        .send()
        .await
        .expect(200);
    let listed = members.list().iter().find(|m| m["person"]["id"] == teacher.id).expect("class teacher listed").clone();
    assert_eq!(listed["class_teacher_of"][0]["id"], class);
    assert!(listed["email"].is_null());
    app.get(&format!("/api/v1/orgs/{}/members/{}", school.org, teacher.id))
        .token(&student.token)
        .send()
        .await
        .expect(200);
    // Detaching ends the leadership; the teacher keeps teaching the class.
    app.delete(&format!("/api/v1/orgs/{}/classes/{class}/class-teachers/{}", school.org, teacher.id))
        .token(&school.admin)
        .send()
        .await
        .expect(200);
    let profile = app
        .get(&format!("/api/v1/orgs/{}/members/{}", school.org, teacher.id))
        .token(&student.token)
        .send()
        .await
        .expect(200);
    assert_eq!(profile.json["class_teacher_of"], json!([]));
}

async fn the_first_admin_is_appointed_by_the_operator(app: TestApp) {
    let school = app.school(65).await;
    let admins = app.get(&format!("/api/v1/orgs/{}/admins", school.org)).token(&school.admin).send().await.expect(200);
    assert_eq!(admins.list().len(), 1);
    assert_eq!(admins.list()[0]["person"]["id"], school.admin_id);
    assert_eq!(admins.list()[0]["appointed_by"]["family_name"], "Оператор");
}
