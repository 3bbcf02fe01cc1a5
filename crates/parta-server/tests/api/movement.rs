//! Movement of people («движение обучающихся и работников»): transfers with the
//! parents following, leavers and graduates, staff role changes, and the history
//! and audit trail each leaves.

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{Person, School, TestApp};

on_both_backends!(
    a_transfer_moves_the_student_and_their_parents,
    transfers_are_checked,
    a_leaver_loses_every_place_and_their_parents_too,
    leaving_is_checked_and_the_last_admin_stays,
    a_staff_member_who_leaves_stops_leading_classes,
    a_role_change_ends_class_teaching_and_verification,
    every_movement_is_audited,
    dates_before_the_start_are_refused,
);

fn memberships(school: &School, class: i64) -> String {
    format!("/api/v1/orgs/{}/classes/{class}/memberships", school.org)
}

fn member_ids(list: &[Value]) -> Vec<i64> {
    let mut ids: Vec<i64> = list.iter().filter_map(|m| m["person"]["id"].as_i64()).collect();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort();
    ids
}

/// The history entry of `person` in a class history list with this role, if any.
fn entry<'a>(history: &'a [Value], person: i64, role: &str, current: bool) -> &'a Value {
    history
        .iter()
        .find(|m| m["person"]["id"] == person && m["role"] == role && m["ended_on"].is_null() == current)
        .unwrap_or_else(|| panic!("no {role} entry of {person} (current: {current}) in {history:?}"))
}

async fn transfer(app: &TestApp, school: &School, user: i64, body: Value) -> crate::support::Reply {
    app.post(&format!("/api/v1/orgs/{}/members/{user}/transfer", school.org))
        .token(&school.admin)
        .json(body)
        .send()
        .await
}

async fn leave(app: &TestApp, school: &School, user: i64, body: Value) -> crate::support::Reply {
    app.post(&format!("/api/v1/orgs/{}/members/{user}/leave", school.org)).token(&school.admin).json(body).send().await
}

async fn a_transfer_moves_the_student_and_their_parents(app: TestApp) {
    let school = app.school(301).await;
    let a = app.create_class(&school, "5А", 5).await;
    let b = app.create_class(&school, "5Б", 5).await;
    let student = app.join(&school, a, "student", None, "Ершов").await;
    let classmate = app.join(&school, a, "student", None, "Андреев").await;
    let mother = app.join(&school, a, "parent", Some(student.id), "Ершова").await;
    let father = app.join(&school, a, "parent", Some(student.id), "Ершов").await;
    let other_parent = app.join(&school, a, "parent", Some(classmate.id), "Андреева").await;

    let moved = transfer(&app, &school, student.id, json!({ "to_class_id": b })).await.expect(200);
    assert_eq!(moved.json["person"]["id"], student.id);
    assert_eq!(moved.json["roles"], json!(["student"]));
    let places = moved.json["places"].as_array().expect("places");
    assert_eq!(places.len(), 1);
    assert_eq!(places[0]["class"]["id"], b);
    let today = places[0]["started_on"].as_str().expect("date").to_owned();

    // The parents follow, still for the same child.
    for parent in [&mother, &father] {
        let me = app.me(&parent.token).await;
        let places = me["schools"][0]["places"].as_array().expect("places").clone();
        assert_eq!(places.len(), 1, "{places:?}");
        assert_eq!(places[0]["role"], "parent");
        assert_eq!(places[0]["class"]["id"], b);
        assert_eq!(places[0]["class"]["name"], "5Б");
        assert_eq!(places[0]["child"]["id"], student.id);
        assert_eq!(places[0]["started_on"], today.as_str());
    }
    // The classmate's parent stays where they were.
    let me = app.me(&other_parent.token).await;
    assert_eq!(me["schools"][0]["places"][0]["class"]["id"], a);
    let me = app.me(&student.token).await;
    assert_eq!(me["schools"][0]["places"][0]["class"]["id"], b);

    // 5А now: the classmate and their parent. 5Б: the student and both parents.
    let now_a = app
        .get(&format!("/api/v1/orgs/{}/members?class_id={a}", school.org))
        .token(&school.admin)
        .send()
        .await
        .expect(200);
    assert_eq!(member_ids(now_a.list()), sorted(vec![classmate.id, other_parent.id]));
    let now_b = app
        .get(&format!("/api/v1/orgs/{}/members?class_id={b}", school.org))
        .token(&school.admin)
        .send()
        .await
        .expect(200);
    assert_eq!(member_ids(now_b.list()), sorted(vec![student.id, mother.id, father.id]));

    // 5А's history keeps the past memberships, ended today as transfers.
    let history = app.get(&memberships(&school, a)).token(&school.admin).send().await.expect(200);
    let history = history.list();
    assert_eq!(history.len(), 5, "{history:?}");
    for (person, role) in [(student.id, "student"), (mother.id, "parent"), (father.id, "parent")] {
        let past = entry(history, person, role, false);
        assert_eq!(past["end_reason"], "transferred");
        assert_eq!(past["ended_on"], today.as_str());
    }
    assert_eq!(entry(history, mother.id, "parent", false)["child"]["id"], student.id);
    assert!(entry(history, classmate.id, "student", true)["end_reason"].is_null());
    let history_b = app.get(&memberships(&school, b)).token(&school.admin).send().await.expect(200);
    assert_eq!(history_b.list().len(), 3);
    assert!(history_b.list().iter().all(|m| m["ended_on"].is_null() && m["started_on"] == today.as_str()));

    // And back, on a given date.
    let back = transfer(&app, &school, student.id, json!({ "to_class_id": a, "on": "2026-12-29" })).await.expect(200);
    assert_eq!(back.json["places"][0]["class"]["id"], a);
    assert_eq!(back.json["places"][0]["started_on"], "2026-12-29");
    let history_b = app.get(&memberships(&school, b)).token(&school.admin).send().await.expect(200);
    for (person, role) in [(student.id, "student"), (mother.id, "parent"), (father.id, "parent")] {
        let past = entry(history_b.list(), person, role, false);
        assert_eq!(past["end_reason"], "transferred");
        assert_eq!(past["ended_on"], "2026-12-29");
    }
    let me = app.me(&father.token).await;
    assert_eq!(me["schools"][0]["places"][0]["class"]["id"], a);
}

async fn transfers_are_checked(app: TestApp) {
    let school = app.school(302).await;
    let a = app.create_class(&school, "8А", 8).await;
    let b = app.create_class(&school, "8Б", 8).await;
    let student = app.join(&school, a, "student", None, "Тихонов").await;
    let parent = app.join(&school, a, "parent", Some(student.id), "Тихонова").await;
    let teacher = app.join(&school, school.staff_room, "teacher", None, "Власова").await;
    app.assign_class_teacher(&school, a, teacher.id).await;
    let other = app.school(303).await;
    let foreign = app.create_class(&other, "8В", 8).await;

    transfer(&app, &school, student.id, json!({ "to_class_id": a })).await.problem(409, "same_class");
    transfer(&app, &school, parent.id, json!({ "to_class_id": b })).await.problem(409, "not_student");
    transfer(&app, &school, teacher.id, json!({ "to_class_id": b })).await.problem(409, "not_student");
    transfer(&app, &school, 999999, json!({ "to_class_id": b })).await.problem(409, "not_student");
    transfer(&app, &school, student.id, json!({ "to_class_id": school.staff_room })).await.problem(409, "staff_room");
    transfer(&app, &school, student.id, json!({ "to_class_id": foreign }))
        .await
        .invalid(&[("to_class_id", "unknown_class")]);
    transfer(&app, &school, student.id, json!({ "to_class_id": b, "on": "29.12.2026" }))
        .await
        .invalid(&[("on", "invalid_date")]);
    transfer(&app, &school, student.id, json!({ "to_class_id": b, "on": "2026-02-30" }))
        .await
        .invalid(&[("on", "invalid_date")]);
    transfer(&app, &school, student.id, json!({})).await.invalid(&[("to_class_id", "required")]);
    // Not even the class teacher may move students; another school's admin finds nothing.
    for token in [&teacher.token, &student.token, &parent.token] {
        app.post(&format!("/api/v1/orgs/{}/members/{}/transfer", school.org, student.id))
            .token(token)
            .json(json!({ "to_class_id": b }))
            .send()
            .await
            .problem(403, "forbidden");
    }
    app.post(&format!("/api/v1/orgs/{}/members/{}/transfer", school.org, student.id))
        .token(&other.admin)
        .json(json!({ "to_class_id": b }))
        .send()
        .await
        .problem(404, "not_found");
    // Nothing moved.
    let me = app.me(&student.token).await;
    assert_eq!(me["schools"][0]["places"][0]["class"]["id"], a);
    let history = app.get(&memberships(&school, a)).token(&school.admin).send().await.expect(200);
    assert!(history.list().iter().all(|m| m["ended_on"].is_null()), "{}", history.json);
}

async fn a_leaver_loses_every_place_and_their_parents_too(app: TestApp) {
    let school = app.school(304).await;
    let a = app.create_class(&school, "11А", 11).await;
    let b = app.create_class(&school, "7А", 7).await;
    let graduate = app.join(&school, a, "student", None, "Выпускников").await;
    let sibling = app.join(&school, b, "student", None, "Выпускникова").await;
    // One parent of the graduate only; one parent of both children.
    let father = app.join(&school, a, "parent", Some(graduate.id), "Выпускников").await;
    let mother = app.join(&school, a, "parent", Some(graduate.id), "Выпускникова").await;
    let second_child = app
        .invite(&school.admin, school.org, json!({ "class_id": b, "role": "parent", "child_user_id": sibling.id }))
        .await;
    app.post("/api/v1/invites/accept")
        .token(&mother.token)
        .json(json!({ "consent_version": parta_domain::consent::VERSION, "token": second_child }))
        .send()
        .await
        .expect(200);
    let me = app.me(&graduate.token).await;
    let on = me["schools"][0]["places"][0]["started_on"].as_str().expect("date").to_owned();

    leave(&app, &school, graduate.id, json!({ "on": on, "reason": "graduated" })).await.expect(204);

    // The graduate: no school in /me, and the school is gone for them.
    let me = app.me(&graduate.token).await;
    assert_eq!(me["schools"], json!([]));
    app.get(&format!("/api/v1/orgs/{}", school.org)).token(&graduate.token).send().await.problem(404, "not_found");
    app.get(&format!("/api/v1/orgs/{}/members?class_id={a}", school.org))
        .token(&graduate.token)
        .send()
        .await
        .problem(404, "not_found");
    // The father held his place only through the graduate: out too.
    assert_eq!(app.me(&father.token).await["schools"], json!([]));
    app.get(&format!("/api/v1/orgs/{}/classes", school.org))
        .token(&father.token)
        .send()
        .await
        .problem(404, "not_found");
    // The mother keeps the younger child's class.
    let me = app.me(&mother.token).await;
    let places = me["schools"][0]["places"].as_array().expect("places").clone();
    assert_eq!(places.len(), 1, "{places:?}");
    assert_eq!(places[0]["class"]["id"], b);
    assert_eq!(places[0]["child"]["id"], sibling.id);
    app.get(&format!("/api/v1/orgs/{}/members?class_id={a}", school.org))
        .token(&mother.token)
        .send()
        .await
        .problem(403, "forbidden");

    // The history says why and when.
    let history = app.get(&memberships(&school, a)).token(&school.admin).send().await.expect(200);
    let past = entry(history.list(), graduate.id, "student", false);
    assert_eq!(past["end_reason"], "graduated");
    assert_eq!(past["ended_on"], on.as_str());
    for parent in [&father, &mother] {
        let past = entry(history.list(), parent.id, "parent", false);
        assert_eq!(past["end_reason"], "child_left");
        assert_eq!(past["ended_on"], on.as_str());
    }
    let now = app
        .get(&format!("/api/v1/orgs/{}/members?class_id={a}", school.org))
        .token(&school.admin)
        .send()
        .await
        .expect(200);
    assert!(now.list().is_empty(), "{}", now.json);
    app.get(&format!("/api/v1/orgs/{}/members/{}", school.org, graduate.id))
        .token(&school.admin)
        .send()
        .await
        .problem(404, "not_found");
    // Leaving twice: they are no longer a member.
    leave(&app, &school, graduate.id, json!({ "on": on })).await.problem(409, "not_member");
    // The account itself stays and can log in.
    app.login(&graduate.email, crate::support::PASSWORD).await;
}

async fn leaving_is_checked_and_the_last_admin_stays(app: TestApp) {
    let school = app.school(305).await;
    let a = app.create_class(&school, "9В", 9).await;
    let student = app.join(&school, a, "student", None, "Уходящий").await;
    let teacher = app.join(&school, school.staff_room, "teacher", None, "Остающаяся").await;
    leave(&app, &school, student.id, json!({ "on": " " })).await.invalid(&[("on", "required")]);
    for bad in ["2026-13-01", "31.05.2027", "вчера"] {
        leave(&app, &school, student.id, json!({ "on": bad })).await.invalid(&[("on", "invalid_date")]);
    }
    leave(&app, &school, student.id, json!({ "on": "2027-05-31", "reason": "expelled" }))
        .await
        .invalid(&[("reason", "invalid_format")]);
    leave(&app, &school, student.id, json!({})).await.invalid(&[("on", "required")]);
    app.post(&format!("/api/v1/orgs/{}/members/{}/leave", school.org, student.id))
        .token(&teacher.token)
        .json(json!({ "on": "2027-05-31" }))
        .send()
        .await
        .problem(403, "forbidden");
    assert_eq!(app.me(&student.token).await["schools"][0]["org_id"], school.org);

    // The only admin cannot be marked as left; with a second admin they can.
    leave(&app, &school, school.admin_id, json!({ "on": "2027-05-31" })).await.problem(409, "last_admin");
    assert_eq!(app.me(&school.admin).await["schools"][0]["is_admin"], true);
    app.post(&format!("/api/v1/orgs/{}/admins", school.org))
        .token(&school.admin)
        .json(json!({ "user_id": teacher.id }))
        .send()
        .await
        .expect(200);
    leave(&app, &school, school.admin_id, json!({ "on": "2027-05-31", "reason": "left" })).await.expect(204);
    assert_eq!(app.me(&school.admin).await["schools"], json!([]));
    let admins = app.get(&format!("/api/v1/orgs/{}/admins", school.org)).token(&teacher.token).send().await.expect(200);
    assert_eq!(member_ids(admins.list()), vec![teacher.id]);
    // The new admin is now the last one.
    app.post(&format!("/api/v1/orgs/{}/members/{}/leave", school.org, teacher.id))
        .token(&teacher.token)
        .json(json!({ "on": "2027-05-31" }))
        .send()
        .await
        .problem(409, "last_admin");
    let history = app.get(&memberships(&school, school.staff_room)).token(&teacher.token).send().await.expect(200);
    let past = entry(history.list(), school.admin_id, "employee", false);
    assert_eq!(past["end_reason"], "left");
    assert_eq!(past["ended_on"], "2027-05-31");
}

async fn a_staff_member_who_leaves_stops_leading_classes(app: TestApp) {
    let school = app.school(306).await;
    let a = app.create_class(&school, "4А", 4).await;
    let teacher = app.join(&school, school.staff_room, "teacher", None, "Увольняемова").await;
    app.assign_class_teacher(&school, a, teacher.id).await;
    leave(&app, &school, teacher.id, json!({ "on": "2026-12-31" })).await.expect(204);
    let class =
        app.get(&format!("/api/v1/orgs/{}/classes/{a}", school.org)).token(&school.admin).send().await.expect(200);
    assert_eq!(class.json["class_teachers"], json!([]));
    assert_eq!(app.me(&teacher.token).await["schools"], json!([]));
    app.post(&format!("/api/v1/orgs/{}/invites", school.org))
        .token(&teacher.token)
        .json(json!({ "class_id": a, "role": "student" }))
        .send()
        .await
        .problem(404, "not_found");
    let history = app.get(&memberships(&school, school.staff_room)).token(&school.admin).send().await.expect(200);
    let past = entry(history.list(), teacher.id, "teacher", false);
    assert_eq!(past["end_reason"], "left");
    assert_eq!(past["ended_on"], "2026-12-31");
}

async fn a_role_change_ends_class_teaching_and_verification(app: TestApp) {
    let school = app.school(307).await;
    let a = app.create_class(&school, "2Б", 2).await;
    let teacher = app.join(&school, school.staff_room, "teacher", None, "Переходова").await;
    let student = app.join(&school, a, "student", None, "Малышев").await;
    let parent = app.join(&school, a, "parent", Some(student.id), "Малышева").await;
    app.assign_class_teacher(&school, a, teacher.id).await;
    app.put(&format!("/api/v1/orgs/{}/members/{}/teacher-verification", school.org, teacher.id))
        .token(&school.admin)
        .send()
        .await
        .expect(200);
    let role = |user: i64, body: Value, by: &str| {
        app.post(&format!("/api/v1/orgs/{}/members/{user}/role", school.org)).token(by).json(body).send()
    };

    role(teacher.id, json!({ "role": "teacher" }), &school.admin).await.problem(409, "same_role");
    role(student.id, json!({ "role": "employee" }), &school.admin).await.problem(409, "not_staff");
    role(parent.id, json!({ "role": "teacher" }), &school.admin).await.problem(409, "not_staff");
    role(teacher.id, json!({ "role": "janitor" }), &school.admin).await.invalid(&[("role", "invalid_value")]);
    role(teacher.id, json!({ "role": "employee" }), &teacher.token).await.problem(403, "forbidden");

    let changed = role(teacher.id, json!({ "role": "employee" }), &school.admin).await.expect(200);
    assert_eq!(changed.json["roles"], json!(["employee"]));
    assert_eq!(changed.json["teacher_verified"], false);
    assert_eq!(changed.json["class_teacher_of"], json!([]));
    assert_eq!(changed.json["places"][0]["class"]["id"], school.staff_room);
    let class =
        app.get(&format!("/api/v1/orgs/{}/classes/{a}", school.org)).token(&school.admin).send().await.expect(200);
    assert_eq!(class.json["class_teachers"], json!([]));
    let me = app.me(&teacher.token).await;
    assert_eq!(me["schools"][0]["teacher_verified"], false);
    assert_eq!(me["schools"][0]["class_teacher_of"], json!([]));
    assert_eq!(me["schools"][0]["places"][0]["role"], "employee");
    // No longer leading 2Б, they cannot make its links.
    app.post(&format!("/api/v1/orgs/{}/invites", school.org))
        .token(&teacher.token)
        .json(json!({ "class_id": a, "role": "student" }))
        .send()
        .await
        .problem(403, "forbidden");
    // The staff room's history shows the change.
    let history = app.get(&memberships(&school, school.staff_room)).token(&school.admin).send().await.expect(200);
    let past = entry(history.list(), teacher.id, "teacher", false);
    assert_eq!(past["end_reason"], "role_changed");
    entry(history.list(), teacher.id, "employee", true);
    // An employee cannot be verified as a teacher; a deputy director can, and can lead a class.
    app.put(&format!("/api/v1/orgs/{}/members/{}/teacher-verification", school.org, teacher.id))
        .token(&school.admin)
        .send()
        .await
        .problem(409, "not_teacher");
    let deputy = role(teacher.id, json!({ "role": "deputy" }), &school.admin).await.expect(200);
    assert_eq!(deputy.json["roles"], json!(["deputy"]));
    app.put(&format!("/api/v1/orgs/{}/members/{}/teacher-verification", school.org, teacher.id))
        .token(&school.admin)
        .send()
        .await
        .expect(200);
    app.assign_class_teacher(&school, a, teacher.id).await;
    // Becoming a director keeps what teaching staff may hold.
    let director = role(teacher.id, json!({ "role": "director" }), &school.admin).await.expect(200);
    assert_eq!(director.json["teacher_verified"], true);
    assert_eq!(director.json["class_teacher_of"][0]["id"], a);
}

async fn every_movement_is_audited(app: TestApp) {
    let school = app.school(308).await;
    let a = app.create_class(&school, "10А", 10).await;
    let b = app.create_class(&school, "10Б", 10).await;
    let student: Person = app.join(&school, a, "student", None, "Журналов").await;
    let leaver = app.join(&school, a, "student", None, "Ушедший").await;
    let teacher = app.join(&school, school.staff_room, "teacher", None, "Ролевая").await;
    transfer(&app, &school, student.id, json!({ "to_class_id": b, "on": "2027-01-11" })).await.expect(200);
    leave(&app, &school, leaver.id, json!({ "on": "2027-01-12", "reason": "left" })).await.expect(204);
    app.post(&format!("/api/v1/orgs/{}/members/{}/role", school.org, teacher.id))
        .token(&school.admin)
        .json(json!({ "role": "employee" }))
        .send()
        .await
        .expect(200);
    let audit = app.get(&format!("/api/v1/orgs/{}/audit", school.org)).token(&school.admin).send().await.expect(200);
    let find = |action: &str| {
        audit
            .list()
            .iter()
            .find(|e| e["action"] == action)
            .unwrap_or_else(|| panic!("{action} not in {}", audit.json))
            .clone()
    };
    let moved = find("student_transferred");
    assert_eq!(moved["actor"]["id"], school.admin_id);
    assert_eq!(moved["target_type"], "user");
    assert_eq!(moved["target_id"], student.id);
    assert_eq!(moved["org_id"], school.org);
    assert_eq!(moved["details"], json!({ "from_class_id": a, "to_class_id": b, "on": "2027-01-11" }));
    let left = find("member_left");
    assert_eq!(left["actor"]["id"], school.admin_id);
    assert_eq!(left["target_id"], leaver.id);
    assert_eq!(left["details"], json!({ "on": "2027-01-12", "reason": "left" }));
    let changed = find("staff_role_changed");
    assert_eq!(changed["actor"]["id"], school.admin_id);
    assert_eq!(changed["target_id"], teacher.id);
    assert_eq!(changed["details"], json!({ "from": ["teacher"], "to": "employee" }));
    // Newest first.
    let order: Vec<&str> = audit.list().iter().filter_map(|e| e["action"].as_str()).take(3).collect();
    assert_eq!(order, ["staff_role_changed", "member_left", "student_transferred"]);
    // The operator sees the same entries.
    let operator = app.operator().await;
    let seen = app.get(&format!("/api/v1/orgs/{}/audit", school.org)).token(&operator).send().await.expect(200);
    assert_eq!(seen.list()[..3], audit.list()[..3]);
}

async fn dates_before_the_start_are_refused(app: TestApp) {
    let school = app.school(63).await;
    let a = app.create_class(&school, "8А", 8).await;
    let b = app.create_class(&school, "8Б", 8).await;
    let student = app.join(&school, a, "student", None, "Ранний").await;
    let path = |what: &str| format!("/api/v1/orgs/{}/members/{}/{what}", school.org, student.id);
    app.post(&path("transfer"))
        .token(&school.admin)
        .json(json!({ "to_class_id": b, "on": "2001-09-01" }))
        .send()
        .await
        .invalid(&[("on", "before_start")]);
    app.post(&path("leave"))
        .token(&school.admin)
        .json(json!({ "on": "2001-09-01" }))
        .send()
        .await
        .invalid(&[("on", "before_start")]);
    // Nothing moved.
    let me = app.me(&student.token).await;
    assert_eq!(me["schools"][0]["places"][0]["class"]["id"], a);
}
