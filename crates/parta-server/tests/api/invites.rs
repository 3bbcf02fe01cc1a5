//! Invite links: creation for a class × role, their checks, preview, every way a
//! link stops working, joining by registration or as a signed-in person, join
//! requests, class teachers' own links, registration errors.

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{PASSWORD, Person, School, TestApp};

on_both_backends!(
    admins_create_links_for_each_role,
    link_requests_are_checked,
    the_preview_shows_where_a_link_leads,
    a_revoked_link_admits_no_one,
    a_used_up_link_admits_no_one_more,
    an_expired_link_admits_no_one,
    an_unknown_link_is_not_found,
    use_counts_go_up,
    a_signed_in_person_accepts_a_link_once,
    one_parent_account_holds_two_children,
    join_requests_are_decided_by_admins_and_the_class_teacher,
    class_teachers_manage_their_own_classes_links,
    registration_errors_are_reported,
    registering_with_an_account_and_its_password_joins_that_account,
    a_request_for_a_place_already_held_is_not_accepted_twice,
    nobody_is_their_own_parent,
    a_rejected_request_gives_the_link_back,
    a_parent_link_dies_with_the_childs_place,
);

fn register_body(token: &str, family: &str, email: &str) -> Value {
    json!({
        "consent_version": parta_domain::consent::VERSION, "invite_token": token, "family_name": family, "given_name": "Анна",
        "patronymic": "Сергеевна", "email": email, "password": PASSWORD,
    })
}

async fn create(app: &TestApp, by: &str, org: i64, body: Value) -> crate::support::Reply {
    app.post(&format!("/api/v1/orgs/{org}/invites")).token(by).json(body).send().await
}

async fn links(app: &TestApp, by: &str, org: i64) -> Vec<Value> {
    app.get(&format!("/api/v1/orgs/{org}/invites")).token(by).send().await.expect(200).list().clone()
}

fn find(list: &[Value], id: i64) -> Value {
    list.iter().find(|i| i["id"] == id).unwrap_or_else(|| panic!("invite {id} not in {list:?}")).clone()
}

/// A school with 5А, a student of it, and that student's id.
async fn school_with_student(app: &TestApp, n: u32) -> (School, i64, Person) {
    let school = app.school(n).await;
    let class = app.create_class(&school, "5А", 5).await;
    let student = app.join(&school, class, "student", None, "Волков").await;
    (school, class, student)
}

async fn admins_create_links_for_each_role(app: TestApp) {
    let (school, class, student) = school_with_student(&app, 201).await;
    let mut tokens = Vec::new();
    let mut ids = Vec::new();
    for (class_id, role, child, uses) in [
        (class, "student", None, 50),
        (class, "teacher", None, 50),
        (school.staff_room, "teacher", None, 50),
        (school.staff_room, "employee", None, 50),
        (class, "parent", Some(student.id), 1),
    ] {
        let mut body = json!({ "class_id": class_id, "role": role });
        if let Some(child) = child {
            body["child_user_id"] = json!(child);
        }
        let created = create(&app, &school.admin, school.org, body).await.expect(201);
        let invite = &created.json["invite"];
        assert_eq!(invite["role"], role);
        assert_eq!(invite["class"]["id"], class_id);
        assert_eq!(invite["max_uses"], uses, "default use limit for {role}");
        assert_eq!(invite["use_count"], 0);
        assert_eq!(invite["status"], "active");
        assert_eq!(invite["grants_admin"], false);
        assert!(invite["revoked_at"].is_null());
        assert_eq!(invite["created_by"]["id"], school.admin_id);
        // A week by default.
        let created_at: jiff::Timestamp = invite["created_at"].as_str().expect("created_at").parse().expect("time");
        let expires_at: jiff::Timestamp = invite["expires_at"].as_str().expect("expires_at").parse().expect("time");
        let hours = (expires_at.as_second() - created_at.as_second()) / 3600;
        assert_eq!(hours, 168);
        match child {
            Some(child) => {
                assert_eq!(invite["child"]["id"], child);
                assert_eq!(invite["child"]["family_name"], "Волков");
            }
            None => assert!(invite["child"].is_null()),
        }
        let token = created.json["token"].as_str().expect("token").to_owned();
        // At least 128 bits: 22 characters of base64, URL-safe.
        assert!(token.len() >= 22, "{token}");
        assert!(token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{token}");
        assert_eq!(created.json["path"], format!("/join/{token}"));
        ids.push(invite["id"].as_i64().expect("id"));
        tokens.push(token);
    }
    // Every token is different.
    let mut unique = tokens.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), tokens.len());

    let list = app.get(&format!("/api/v1/orgs/{}/invites", school.org)).token(&school.admin).send().await.expect(200);
    let text = String::from_utf8(list.bytes.clone()).expect("utf-8");
    for token in &tokens {
        assert!(!text.contains(token.as_str()), "the list shows a token");
    }
    assert!(!text.contains("\"token"), "the list has a token field: {text}");
    // Six links: the five above and the one the fixture used for the student; newest first.
    let listed: Vec<i64> = list.list().iter().filter_map(|i| i["id"].as_i64()).collect();
    assert_eq!(listed.len(), 6, "{listed:?}");
    ids.reverse();
    assert_eq!(&listed[..5], &ids[..]);
    // Longest expiry and largest use limit are allowed.
    let long = create(
        &app,
        &school.admin,
        school.org,
        json!({ "class_id": class, "role": "student", "expires_in_hours": 8760, "max_uses": 10000 }),
    )
    .await
    .expect(201);
    assert_eq!(long.json["invite"]["max_uses"], 10000);
}

async fn link_requests_are_checked(app: TestApp) {
    let (school, class, student) = school_with_student(&app, 202).await;
    let other_class = app.create_class(&school, "5Б", 5).await;
    let teacher = app.join(&school, school.staff_room, "teacher", None, "Лебедева").await;
    let other = app.school(203).await;
    let stranger_class = app.create_class(&other, "5А", 5).await;
    let org = school.org;

    create(&app, &school.admin, org, json!({ "class_id": class, "role": "parent" }))
        .await
        .invalid(&[("child_user_id", "child_required")]);
    create(&app, &school.admin, org, json!({ "class_id": other_class, "role": "parent", "child_user_id": student.id }))
        .await
        .invalid(&[("child_user_id", "unknown_student")]);
    create(&app, &school.admin, org, json!({ "class_id": class, "role": "parent", "child_user_id": teacher.id }))
        .await
        .invalid(&[("child_user_id", "unknown_student")]);
    create(&app, &school.admin, org, json!({ "class_id": class, "role": "parent", "child_user_id": 999999 }))
        .await
        .invalid(&[("child_user_id", "unknown_student")]);
    create(&app, &school.admin, org, json!({ "class_id": class, "role": "student", "child_user_id": student.id }))
        .await
        .invalid(&[("child_user_id", "child_not_allowed")]);
    create(&app, &school.admin, org, json!({ "class_id": school.staff_room, "role": "student" }))
        .await
        .invalid(&[("role", "not_allowed_in_staff_room")]);
    create(
        &app,
        &school.admin,
        org,
        json!({ "class_id": school.staff_room, "role": "parent", "child_user_id": student.id }),
    )
    .await
    .invalid(&[("role", "not_allowed_in_staff_room"), ("child_user_id", "unknown_student")]);
    for hours in [0, -5, 8761] {
        create(&app, &school.admin, org, json!({ "class_id": class, "role": "student", "expires_in_hours": hours }))
            .await
            .invalid(&[("expires_in_hours", "out_of_range")]);
    }
    for uses in [0, -1, 10001] {
        create(&app, &school.admin, org, json!({ "class_id": class, "role": "student", "max_uses": uses }))
            .await
            .invalid(&[("max_uses", "out_of_range")]);
    }
    create(
        &app,
        &school.admin,
        org,
        json!({ "class_id": class, "role": "student", "expires_in_hours": 0, "max_uses": 0 }),
    )
    .await
    .invalid(&[("expires_in_hours", "out_of_range"), ("max_uses", "out_of_range")]);
    create(&app, &school.admin, org, json!({ "class_id": class, "role": "director" }))
        .await
        .invalid(&[("role", "invalid_value")]);
    create(&app, &school.admin, org, json!({ "role": "student" })).await.invalid(&[("class_id", "required")]);
    // A class of another school, or none at all, is simply not there.
    create(&app, &school.admin, org, json!({ "class_id": stranger_class, "role": "student" }))
        .await
        .problem(404, "not_found");
    create(&app, &school.admin, org, json!({ "class_id": 999999, "role": "student" })).await.problem(404, "not_found");
    // Nothing was created by any of this: only the fixtures' own links (the student's, the teacher's).
    assert_eq!(links(&app, &school.admin, org).await.len(), 2);
}

async fn the_preview_shows_where_a_link_leads(app: TestApp) {
    let (school, class, student) = school_with_student(&app, 204).await;
    let created = create(
        &app,
        &school.admin,
        school.org,
        json!({ "class_id": class, "role": "parent", "child_user_id": student.id }),
    )
    .await
    .expect(201);
    let token = created.json["token"].as_str().expect("token");
    // Anyone holding the link may look, signed in or not.
    let preview = app.get(&format!("/api/v1/invites/{token}")).send().await.expect(200);
    let p = &preview.json;
    assert_eq!(
        p["school"],
        json!({ "id": school.org, "name": "МБОУ «Средняя общеобразовательная школа № 204»", "short_name": "Школа № 204",
            "time_zone": "Asia/Yekaterinburg" })
    );
    assert_eq!(p["class"]["id"], class);
    assert_eq!(p["class"]["name"], "5А");
    assert_eq!(p["class"]["kind"], "class");
    assert_eq!(p["class"]["academic_year"], 2026);
    assert_eq!(p["role"], "parent");
    assert_eq!(p["child"]["id"], student.id);
    assert_eq!(p["child"]["family_name"], "Волков");
    assert_eq!(p["grants_admin"], false);
    assert_eq!(p["requires_approval"], false);
    assert_eq!(p["expires_at"], created.json["invite"]["expires_at"]);
    // The child's contacts are not part of it.
    assert!(p["child"].get("email").is_none() && p["child"].get("phone").is_none(), "{p}");
    // Stray whitespace around a pasted token is forgiven.
    app.get(&format!("/api/v1/invites/%20{token}%20")).send().await.expect(200);
    // Looking does not use it up.
    let listed =
        find(&links(&app, &school.admin, school.org).await, created.json["invite"]["id"].as_i64().expect("id"));
    assert_eq!(listed["use_count"], 0);
}

async fn a_revoked_link_admits_no_one(app: TestApp) {
    let school = app.school(205).await;
    let class = app.create_class(&school, "8А", 8).await;
    let created =
        create(&app, &school.admin, school.org, json!({ "class_id": class, "role": "student" })).await.expect(201);
    let id = created.json["invite"]["id"].as_i64().expect("id");
    let token = created.json["token"].as_str().expect("token").to_owned();
    let revoked = app
        .post(&format!("/api/v1/orgs/{}/invites/{id}/revoke", school.org))
        .token(&school.admin)
        .send()
        .await
        .expect(200);
    assert_eq!(revoked.json["status"], "revoked");
    assert!(revoked.json["revoked_at"].is_string());
    app.post(&format!("/api/v1/orgs/{}/invites/{id}/revoke", school.org))
        .token(&school.admin)
        .send()
        .await
        .problem(409, "invite_already_revoked");

    app.get(&format!("/api/v1/invites/{token}")).send().await.problem(410, "invite_revoked");
    app.post("/api/v1/auth/register")
        .json(register_body(&token, "Опоздалова", "late@mail.ru"))
        .send()
        .await
        .problem(410, "invite_revoked");
    // No account was created for the attempt.
    app.post("/api/v1/auth/login")
        .json(json!({ "login": "late@mail.ru", "password": PASSWORD }))
        .send()
        .await
        .problem(401, "invalid_credentials");
    // A signed-in person cannot use it either.
    let other = app.school(206).await;
    app.post("/api/v1/invites/accept")
        .token(&other.admin)
        .json(json!({ "consent_version": parta_domain::consent::VERSION, "token": token }))
        .send()
        .await
        .problem(410, "invite_revoked");
    assert!(
        app.me(&other.admin).await["schools"].as_array().expect("schools").iter().all(|s| s["org_id"] != school.org)
    );
    let members = app
        .get(&format!("/api/v1/orgs/{}/members?class_id={class}", school.org))
        .token(&school.admin)
        .send()
        .await
        .expect(200);
    assert!(members.list().is_empty(), "{}", members.json);
    let listed = find(&links(&app, &school.admin, school.org).await, id);
    assert_eq!(listed["status"], "revoked");
    assert_eq!(listed["use_count"], 0);
    let audit = app.get(&format!("/api/v1/orgs/{}/audit", school.org)).token(&school.admin).send().await.expect(200);
    let entry = audit.list().iter().find(|e| e["action"] == "invite_revoked").expect("audited").clone();
    assert_eq!(entry["target_id"], id);
    assert_eq!(entry["actor"]["id"], school.admin_id);
    app.post(&format!("/api/v1/orgs/{}/invites/999999/revoke", school.org))
        .token(&school.admin)
        .send()
        .await
        .problem(404, "not_found");
}

async fn a_used_up_link_admits_no_one_more(app: TestApp) {
    let school = app.school(207).await;
    let class = app.create_class(&school, "4Б", 4).await;
    let created =
        create(&app, &school.admin, school.org, json!({ "class_id": class, "role": "student", "max_uses": 1 }))
            .await
            .expect(201);
    let id = created.json["invite"]["id"].as_i64().expect("id");
    let token = created.json["token"].as_str().expect("token").to_owned();
    let first = app.register(&token, "Первая", "pervaya@mail.ru").await;
    app.get(&format!("/api/v1/invites/{token}")).send().await.problem(410, "invite_used_up");
    app.post("/api/v1/auth/register")
        .json(register_body(&token, "Вторая", "vtoraya@mail.ru"))
        .send()
        .await
        .problem(410, "invite_used_up");
    app.post("/api/v1/auth/login")
        .json(json!({ "login": "vtoraya@mail.ru", "password": PASSWORD }))
        .send()
        .await
        .problem(401, "invalid_credentials");
    let other = app.school(208).await;
    app.post("/api/v1/invites/accept")
        .token(&other.admin)
        .json(json!({ "consent_version": parta_domain::consent::VERSION, "token": token }))
        .send()
        .await
        .problem(410, "invite_used_up");
    let listed = find(&links(&app, &school.admin, school.org).await, id);
    assert_eq!(listed["use_count"], 1);
    assert_eq!(listed["status"], "used_up");
    let members = app
        .get(&format!("/api/v1/orgs/{}/members?class_id={class}", school.org))
        .token(&school.admin)
        .send()
        .await
        .expect(200);
    let ids: Vec<i64> = members.list().iter().filter_map(|m| m["person"]["id"].as_i64()).collect();
    assert_eq!(ids, vec![first.id]);
    // A used-up link can still be revoked (it is then reported as revoked).
    app.post(&format!("/api/v1/orgs/{}/invites/{id}/revoke", school.org)).token(&school.admin).send().await.expect(200);
    app.get(&format!("/api/v1/invites/{token}")).send().await.problem(410, "invite_revoked");
}

async fn an_expired_link_admits_no_one(app: TestApp) {
    let school = app.school(209).await;
    let class = app.create_class(&school, "10А", 10).await;
    let created =
        create(&app, &school.admin, school.org, json!({ "class_id": class, "role": "student", "expires_in_hours": 1 }))
            .await
            .expect(201);
    let id = created.json["invite"]["id"].as_i64().expect("id");
    let token = created.json["token"].as_str().expect("token").to_owned();
    let created_at: jiff::Timestamp = created.json["invite"]["created_at"].as_str().expect("t").parse().expect("time");
    let expires_at: jiff::Timestamp = created.json["invite"]["expires_at"].as_str().expect("t").parse().expect("time");
    assert_eq!(expires_at.as_second() - created_at.as_second(), 3600);
    app.get(&format!("/api/v1/invites/{token}")).send().await.expect(200);
    app.sql("UPDATE invites SET expires_at = 0").await;
    app.get(&format!("/api/v1/invites/{token}")).send().await.problem(410, "invite_expired");
    app.post("/api/v1/auth/register")
        .json(register_body(&token, "Поздняя", "pozdnyaya@mail.ru"))
        .send()
        .await
        .problem(410, "invite_expired");
    app.post("/api/v1/auth/login")
        .json(json!({ "login": "pozdnyaya@mail.ru", "password": PASSWORD }))
        .send()
        .await
        .problem(401, "invalid_credentials");
    let other = app.school(210).await;
    app.post("/api/v1/invites/accept")
        .token(&other.admin)
        .json(json!({ "consent_version": parta_domain::consent::VERSION, "token": token }))
        .send()
        .await
        .problem(410, "invite_expired");
    let listed = find(&links(&app, &school.admin, school.org).await, id);
    assert_eq!(listed["status"], "expired");
    assert_eq!(listed["use_count"], 0);
}

async fn an_unknown_link_is_not_found(app: TestApp) {
    let other = app.school(211).await;
    let made_up = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    app.get(&format!("/api/v1/invites/{made_up}")).send().await.problem(404, "invite_not_found");
    app.post("/api/v1/auth/register")
        .json(register_body(made_up, "Никто", "nikto@mail.ru"))
        .send()
        .await
        .problem(404, "invite_not_found");
    app.post("/api/v1/auth/login")
        .json(json!({ "login": "nikto@mail.ru", "password": PASSWORD }))
        .send()
        .await
        .problem(401, "invalid_credentials");
    app.post("/api/v1/invites/accept")
        .token(&other.admin)
        .json(json!({ "consent_version": parta_domain::consent::VERSION, "token": made_up }))
        .send()
        .await
        .problem(404, "invite_not_found");
    app.post("/api/v1/invites/accept")
        .token(&other.admin)
        .json(json!({ "consent_version": parta_domain::consent::VERSION, "token": "" }))
        .send()
        .await
        .problem(404, "invite_not_found");
    // Accepting needs a session.
    app.post("/api/v1/invites/accept")
        .json(json!({ "consent_version": parta_domain::consent::VERSION, "token": made_up }))
        .send()
        .await
        .problem(401, "unauthenticated");
}

async fn use_counts_go_up(app: TestApp) {
    let school = app.school(212).await;
    let class = app.create_class(&school, "2В", 2).await;
    let created =
        create(&app, &school.admin, school.org, json!({ "class_id": class, "role": "student", "max_uses": 3 }))
            .await
            .expect(201);
    let id = created.json["invite"]["id"].as_i64().expect("id");
    let token = created.json["token"].as_str().expect("token").to_owned();
    let count = |list: Vec<Value>| {
        (find(&list, id)["use_count"].as_i64(), find(&list, id)["status"].as_str().map(str::to_owned))
    };
    assert_eq!(count(links(&app, &school.admin, school.org).await), (Some(0), Some("active".into())));
    app.register(&token, "Белова", "belova@mail.ru").await;
    assert_eq!(count(links(&app, &school.admin, school.org).await), (Some(1), Some("active".into())));
    app.register(&token, "Белов", "belov@mail.ru").await;
    assert_eq!(count(links(&app, &school.admin, school.org).await), (Some(2), Some("active".into())));
    // A failed registration does not count.
    let mut taken = register_body(&token, "Белов", "belov@mail.ru");
    taken["password"] = json!("not his password");
    app.post("/api/v1/auth/register").json(taken).send().await.problem(401, "invalid_credentials");
    assert_eq!(count(links(&app, &school.admin, school.org).await), (Some(2), Some("active".into())));
    app.register(&token, "Белых", "belyh@mail.ru").await;
    assert_eq!(count(links(&app, &school.admin, school.org).await), (Some(3), Some("used_up".into())));
    let members = app
        .get(&format!("/api/v1/orgs/{}/members?class_id={class}", school.org))
        .token(&school.admin)
        .send()
        .await
        .expect(200);
    assert_eq!(members.list().len(), 3);
}

async fn a_signed_in_person_accepts_a_link_once(app: TestApp) {
    let (school, class, student) = school_with_student(&app, 213).await;
    // A teacher of the school who is also a parent of a 5А student.
    let teacher = app.join(&school, school.staff_room, "teacher", None, "Орлова").await;
    let parent_link = create(
        &app,
        &school.admin,
        school.org,
        json!({ "class_id": class, "role": "parent", "child_user_id": student.id }),
    )
    .await
    .expect(201);
    let token = parent_link.json["token"].as_str().expect("token").to_owned();
    let joined = app
        .post("/api/v1/invites/accept")
        .token(&teacher.token)
        .json(json!({ "consent_version": parta_domain::consent::VERSION, "token": token }))
        .send()
        .await
        .expect(200);
    assert_eq!(joined.json["status"], "joined");
    assert_eq!(joined.json["org_id"], school.org);
    assert!(joined.json["join_request_id"].is_null());
    let me = app.me(&teacher.token).await;
    let places = me["schools"][0]["places"].as_array().expect("places").clone();
    assert_eq!(places.len(), 2, "{places:?}");
    let parent_place = places.iter().find(|p| p["role"] == "parent").expect("parent place");
    assert_eq!(parent_place["class"]["id"], class);
    assert_eq!(parent_place["child"]["id"], student.id);
    assert!(places.iter().any(|p| p["role"] == "teacher" && p["class"]["id"] == school.staff_room));

    // Joining the same place twice is refused, even by a link with uses left.
    let staff_link =
        create(&app, &school.admin, school.org, json!({ "class_id": school.staff_room, "role": "teacher" }))
            .await
            .expect(201);
    let staff_id = staff_link.json["invite"]["id"].as_i64().expect("id");
    let staff_token = staff_link.json["token"].as_str().expect("token").to_owned();
    app.post("/api/v1/invites/accept")
        .token(&teacher.token)
        .json(json!({ "consent_version": parta_domain::consent::VERSION, "token": staff_token }))
        .send()
        .await
        .problem(409, "already_member");
    assert_eq!(find(&links(&app, &school.admin, school.org).await, staff_id)["use_count"], 0);
    // Someone else joins by it fine; then they too are already there.
    let newcomer = app.school(214).await;
    let joined = app
        .post("/api/v1/invites/accept")
        .token(&newcomer.admin)
        .json(json!({ "consent_version": parta_domain::consent::VERSION, "token": staff_token }))
        .send()
        .await
        .expect(200);
    assert_eq!(joined.json["status"], "joined");
    app.post("/api/v1/invites/accept")
        .token(&newcomer.admin)
        .json(json!({ "consent_version": parta_domain::consent::VERSION, "token": staff_token }))
        .send()
        .await
        .problem(409, "already_member");
    assert_eq!(find(&links(&app, &school.admin, school.org).await, staff_id)["use_count"], 1);
    let me = app.me(&newcomer.admin).await;
    assert_eq!(me["schools"].as_array().expect("schools").len(), 2);
    let audit = app.get(&format!("/api/v1/orgs/{}/audit", school.org)).token(&school.admin).send().await.expect(200);
    let joins: Vec<i64> = audit
        .list()
        .iter()
        .filter(|e| e["action"] == "member_joined")
        .filter_map(|e| e["target_id"].as_i64())
        .collect();
    assert!(joins.contains(&teacher.id) && joins.contains(&newcomer.admin_id), "{joins:?}");
}

async fn one_parent_account_holds_two_children(app: TestApp) {
    let school = app.school(215).await;
    let a = app.create_class(&school, "3А", 3).await;
    let b = app.create_class(&school, "7Б", 7).await;
    let younger = app.join(&school, a, "student", None, "Григорьев").await;
    let older = app.join(&school, b, "student", None, "Григорьева").await;
    let first = app
        .invite(&school.admin, school.org, json!({ "class_id": a, "role": "parent", "child_user_id": younger.id }))
        .await;
    let second = app
        .invite(&school.admin, school.org, json!({ "class_id": b, "role": "parent", "child_user_id": older.id }))
        .await;
    let parent = app.register(&first, "Григорьева", "grigorieva.mama@mail.ru").await;
    let joined = app
        .post("/api/v1/invites/accept")
        .token(&parent.token)
        .json(json!({ "consent_version": parta_domain::consent::VERSION, "token": second }))
        .send()
        .await
        .expect(200);
    assert_eq!(joined.json["status"], "joined");
    let me = app.me(&parent.token).await;
    assert_eq!(me["schools"].as_array().expect("schools").len(), 1);
    let places = me["schools"][0]["places"].as_array().expect("places").clone();
    let mut seen: Vec<(i64, i64, String)> = places
        .iter()
        .map(|p| {
            assert_eq!(p["role"], "parent");
            (
                p["child"]["id"].as_i64().expect("child"),
                p["class"]["id"].as_i64().expect("class"),
                p["class"]["name"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    seen.sort();
    let mut want = vec![(younger.id, a, "3А".to_owned()), (older.id, b, "7Б".to_owned())];
    want.sort();
    assert_eq!(seen, want);
    // The parent reads both children's classes.
    for class in [a, b] {
        app.get(&format!("/api/v1/orgs/{}/members?class_id={class}", school.org))
            .token(&parent.token)
            .send()
            .await
            .expect(200);
    }
}

async fn join_requests_are_decided_by_admins_and_the_class_teacher(app: TestApp) {
    let school = app.school(216).await;
    let a = app.create_class(&school, "6А", 6).await;
    let b = app.create_class(&school, "6Б", 6).await;
    let lead_a = app.join(&school, school.staff_room, "teacher", None, "Руководителева").await;
    let lead_b = app.join(&school, school.staff_room, "teacher", None, "Бэшкина").await;
    let plain = app.join(&school, school.staff_room, "teacher", None, "Предметникова").await;
    app.assign_class_teacher(&school, a, lead_a.id).await;
    app.assign_class_teacher(&school, b, lead_b.id).await;
    let token = app
        .invite(&school.admin, school.org, json!({ "class_id": a, "role": "student", "requires_approval": true }))
        .await;
    let requests = format!("/api/v1/orgs/{}/join-requests", school.org);

    // Registration by an approval link: an account, no membership yet.
    let reply = app
        .post("/api/v1/auth/register")
        .json(register_body(&token, "Ждущая", "zhdushaya@mail.ru"))
        .send()
        .await
        .expect(201);
    assert_eq!(reply.json["join"]["status"], "pending");
    assert_eq!(reply.json["join"]["org_id"], school.org);
    let first_request = reply.json["join"]["join_request_id"].as_i64().expect("request id");
    assert_eq!(reply.json["session"]["user"]["schools"], json!([]));
    let waiting = reply.json["session"]["token"].as_str().expect("token").to_owned();
    let waiting_id = reply.json["session"]["user"]["id"].as_i64().expect("id");
    app.get(&format!("/api/v1/orgs/{}", school.org)).token(&waiting).send().await.problem(404, "not_found");
    // Using the link again while waiting is refused.
    app.post("/api/v1/invites/accept")
        .token(&waiting)
        .json(json!({ "consent_version": parta_domain::consent::VERSION, "token": token }))
        .send()
        .await
        .problem(409, "join_request_pending");

    // The admin and 6А's class teacher see it; 6Б's class teacher does not; a plain teacher may not look.
    for viewer in [&school.admin, &lead_a.token] {
        let list = app.get(&requests).token(viewer).send().await.expect(200);
        assert_eq!(list.list().len(), 1, "{}", list.json);
        let r = &list.list()[0];
        assert_eq!(r["id"], first_request);
        assert_eq!(r["person"]["id"], waiting_id);
        assert_eq!(r["person"]["family_name"], "Ждущая");
        assert_eq!(r["email"], "zhdushaya@mail.ru");
        assert_eq!(r["role"], "student");
        assert_eq!(r["class"]["id"], a);
        assert_eq!(r["status"], "pending");
        assert!(r["decided_at"].is_null());
    }
    let none = app.get(&requests).token(&lead_b.token).send().await.expect(200);
    assert!(none.list().is_empty(), "{}", none.json);
    app.get(&requests).token(&plain.token).send().await.problem(403, "forbidden");
    app.post(&format!("{requests}/{first_request}/accept")).token(&lead_b.token).send().await.problem(403, "forbidden");
    app.post(&format!("{requests}/{first_request}/accept")).token(&plain.token).send().await.problem(403, "forbidden");
    app.get(&format!("{requests}?status=maybe"))
        .token(&school.admin)
        .send()
        .await
        .invalid(&[("status", "invalid_format")]);

    // The class teacher accepts: now a student of 6А.
    let accepted =
        app.post(&format!("{requests}/{first_request}/accept")).token(&lead_a.token).send().await.expect(200);
    assert_eq!(accepted.json["status"], "accepted");
    assert!(accepted.json["decided_at"].is_string());
    let me = app.me(&waiting).await;
    assert_eq!(me["schools"][0]["org_id"], school.org);
    assert_eq!(me["schools"][0]["places"][0]["role"], "student");
    assert_eq!(me["schools"][0]["places"][0]["class"]["id"], a);
    app.get(&format!("/api/v1/orgs/{}", school.org)).token(&waiting).send().await.expect(200);
    app.post(&format!("{requests}/{first_request}/accept"))
        .token(&school.admin)
        .send()
        .await
        .problem(409, "join_request_decided");
    app.post(&format!("{requests}/{first_request}/reject"))
        .token(&school.admin)
        .json(json!({ "reason": "Поздно" }))
        .send()
        .await
        .problem(409, "join_request_decided");
    // Still a member after the refused second decision.
    assert_eq!(app.me(&waiting).await["schools"][0]["org_id"], school.org);

    // A second person is rejected with a reason and stays outside.
    let reply = app
        .post("/api/v1/auth/register")
        .json(register_body(&token, "Чужая", "chuzhaya@mail.ru"))
        .send()
        .await
        .expect(201);
    let second_request = reply.json["join"]["join_request_id"].as_i64().expect("request id");
    let rejected_token = reply.json["session"]["token"].as_str().expect("token").to_owned();
    let rejected = app
        .post(&format!("{requests}/{second_request}/reject"))
        .token(&school.admin)
        .json(json!({ "reason": "В 6А такой ученицы нет." }))
        .send()
        .await
        .expect(200);
    assert_eq!(rejected.json["status"], "rejected");
    assert_eq!(rejected.json["reason"], "В 6А такой ученицы нет.");
    assert_eq!(app.me(&rejected_token).await["schools"], json!([]));
    app.get(&format!("/api/v1/orgs/{}", school.org)).token(&rejected_token).send().await.problem(404, "not_found");
    app.post(&format!("{requests}/{second_request}/accept"))
        .token(&school.admin)
        .send()
        .await
        .problem(409, "join_request_decided");
    app.post(&format!("{requests}/{second_request}/reject"))
        .token(&lead_a.token)
        .json(json!({}))
        .send()
        .await
        .problem(409, "join_request_decided");
    assert_eq!(app.me(&rejected_token).await["schools"], json!([]));

    // Filters.
    let pending = app.get(&format!("{requests}?status=pending")).token(&school.admin).send().await.expect(200);
    assert!(pending.list().is_empty());
    let done = app.get(&format!("{requests}?status=rejected")).token(&school.admin).send().await.expect(200);
    assert_eq!(done.list().len(), 1);
    assert_eq!(done.list()[0]["id"], second_request);
    let members = app
        .get(&format!("/api/v1/orgs/{}/members?class_id={a}", school.org))
        .token(&school.admin)
        .send()
        .await
        .expect(200);
    let students: Vec<i64> = members
        .list()
        .iter()
        .filter(|m| m["roles"].as_array().is_some_and(|r| r.contains(&json!("student"))))
        .filter_map(|m| m["person"]["id"].as_i64())
        .collect();
    assert_eq!(students, vec![waiting_id]);
    app.post(&format!("{requests}/999999/accept")).token(&school.admin).send().await.problem(404, "not_found");
    let audit = app.get(&format!("/api/v1/orgs/{}/audit", school.org)).token(&school.admin).send().await.expect(200);
    let actions: Vec<&str> = audit.list().iter().filter_map(|e| e["action"].as_str()).collect();
    for action in ["join_requested", "join_request_accepted", "join_request_rejected"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    let accepted_entry = audit.list().iter().find(|e| e["action"] == "join_request_accepted").expect("entry").clone();
    assert_eq!(accepted_entry["actor"]["id"], lead_a.id);
    assert_eq!(accepted_entry["target_id"], first_request);
}

async fn class_teachers_manage_their_own_classes_links(app: TestApp) {
    let school = app.school(217).await;
    let a = app.create_class(&school, "9А", 9).await;
    let b = app.create_class(&school, "9Б", 9).await;
    let lead = app.join(&school, school.staff_room, "teacher", None, "Классная").await;
    let plain = app.join(&school, school.staff_room, "teacher", None, "Простая").await;
    app.assign_class_teacher(&school, a, lead.id).await;
    let student = app.join(&school, a, "student", None, "Зайцев").await;
    let admin_link =
        create(&app, &school.admin, school.org, json!({ "class_id": b, "role": "student" })).await.expect(201);
    let admin_link = admin_link.json["invite"]["id"].as_i64().expect("id");

    let own = create(&app, &lead.token, school.org, json!({ "class_id": a, "role": "student" })).await.expect(201);
    assert_eq!(own.json["invite"]["created_by"]["id"], lead.id);
    let own_id = own.json["invite"]["id"].as_i64().expect("id");
    create(&app, &lead.token, school.org, json!({ "class_id": a, "role": "parent", "child_user_id": student.id }))
        .await
        .expect(201);
    create(&app, &lead.token, school.org, json!({ "class_id": b, "role": "student" })).await.problem(403, "forbidden");
    create(&app, &lead.token, school.org, json!({ "class_id": school.staff_room, "role": "teacher" }))
        .await
        .problem(403, "forbidden");
    // Staff links of their own class are not theirs either: whoever joins by one reads
    // the staff room and the whole directory, so only an admin makes them.
    for role in ["teacher", "employee"] {
        create(&app, &lead.token, school.org, json!({ "class_id": a, "role": role })).await.problem(403, "forbidden");
    }
    let staff_link =
        create(&app, &school.admin, school.org, json!({ "class_id": a, "role": "teacher", "requires_approval": true }))
            .await
            .expect(201);
    let staff_link_id = staff_link.json["invite"]["id"].as_i64().expect("id");

    // The class teacher's list holds only 9А's student and parent links (the fixture's, and their two).
    let list = links(&app, &lead.token, school.org).await;
    assert!(list.iter().all(|i| i["class"]["id"] == a), "{list:?}");
    assert_eq!(list.len(), 3);
    assert!(list.iter().all(|i| i.get("token").is_none()));
    // The admin sees all seven: the fixtures' three, their own two, and the class teacher's two.
    assert_eq!(links(&app, &school.admin, school.org).await.len(), 7);

    let revoke =
        |by: &str, id: i64| app.post(&format!("/api/v1/orgs/{}/invites/{id}/revoke", school.org)).token(by).send();
    revoke(&lead.token, admin_link).await.problem(403, "forbidden");
    revoke(&lead.token, staff_link_id).await.problem(403, "forbidden");
    // A teacher's join request through the admin's link is the admin's to decide.
    let newcomer = app
        .post("/api/v1/auth/register")
        .json(register_body(staff_link.json["token"].as_str().expect("token"), "Новенькая", "novenkaya@school217.ru"))
        .send()
        .await
        .expect(201);
    let request = newcomer.json["join"]["join_request_id"].as_i64().expect("a join request");
    let requests = format!("/api/v1/orgs/{}/join-requests", school.org);
    let seen = app.get(&requests).token(&lead.token).send().await.expect(200);
    assert!(seen.list().iter().all(|r| r["id"] != request), "{:?}", seen.json);
    app.post(&format!("{requests}/{request}/accept")).token(&lead.token).send().await.problem(403, "forbidden");
    app.post(&format!("{requests}/{request}/accept")).token(&school.admin).send().await.expect(200);
    revoke(&plain.token, own_id).await.problem(403, "forbidden");
    let revoked = revoke(&lead.token, own_id).await.expect(200);
    assert_eq!(revoked.json["status"], "revoked");

    // A teacher who leads no class has no links to manage.
    create(&app, &plain.token, school.org, json!({ "class_id": a, "role": "student" })).await.problem(403, "forbidden");
    app.get(&format!("/api/v1/orgs/{}/invites", school.org)).token(&plain.token).send().await.problem(403, "forbidden");
    app.get(&format!("/api/v1/orgs/{}/invites", school.org))
        .token(&student.token)
        .send()
        .await
        .problem(403, "forbidden");
    create(&app, &student.token, school.org, json!({ "class_id": a, "role": "student" }))
        .await
        .problem(403, "forbidden");
    // Once detached, the former class teacher loses the links too.
    app.delete(&format!("/api/v1/orgs/{}/classes/{a}/class-teachers/{}", school.org, lead.id))
        .token(&school.admin)
        .send()
        .await
        .expect(200);
    create(&app, &lead.token, school.org, json!({ "class_id": a, "role": "student" })).await.problem(403, "forbidden");
    app.get(&format!("/api/v1/orgs/{}/invites", school.org)).token(&lead.token).send().await.problem(403, "forbidden");
}

/// Someone with an account who fills in the registration form again (a parent with
/// a child in another school) joins with the account they have, by its password.
async fn registering_with_an_account_and_its_password_joins_that_account(app: TestApp) {
    let first = app.school(219).await;
    let second = app.school(220).await;
    let class = app.create_class(&second, "4Б", 4).await;
    let token =
        create(&app, &second.admin, second.org, json!({ "class_id": class, "role": "teacher" })).await.expect(201).json
            ["token"]
            .as_str()
            .expect("token")
            .to_owned();
    let joined = app
        .post("/api/v1/auth/register")
        .json(register_body(&token, "Другое", "admin219@school219.ru"))
        .send()
        .await
        .expect(201);
    assert_eq!(joined.json["join"]["status"], "joined");
    assert_eq!(joined.json["session"]["user"]["id"], first.admin_id);
    let schools = app.me(joined.json["session"]["token"].as_str().expect("token")).await["schools"].clone();
    assert_eq!(schools.as_array().map(Vec::len), Some(2));
}

async fn registration_errors_are_reported(app: TestApp) {
    let school = app.school(218).await;
    let class = app.create_class(&school, "11А", 11).await;
    let created =
        create(&app, &school.admin, school.org, json!({ "class_id": class, "role": "student" })).await.expect(201);
    let id = created.json["invite"]["id"].as_i64().expect("id");
    let token = created.json["token"].as_str().expect("token").to_owned();
    let register = |body: Value| app.post("/api/v1/auth/register").json(body).send();

    register(json!({ "consent_version": parta_domain::consent::VERSION, "invite_token": token, "family_name": "Без", "given_name": "Контактов", "password": PASSWORD }))
        .await
        .invalid(&[("email", "contact_required"), ("phone", "contact_required")]);
    register(json!({ "consent_version": parta_domain::consent::VERSION, "invite_token": token, "family_name": "Без", "given_name": "Контактов", "email": " ", "phone": "", "password": PASSWORD }))
        .await
        .invalid(&[("email", "contact_required"), ("phone", "contact_required")]);
    register(json!({ "consent_version": parta_domain::consent::VERSION, "invite_token": token, "family_name": "", "given_name": " ", "email": "not-an-email", "password": "short" }))
        .await
        .invalid(&[("family_name", "required"), ("given_name", "required"), ("email", "invalid_email"), ("password", "password_too_short")]);
    register(json!({ "consent_version": parta_domain::consent::VERSION, "invite_token": token, "family_name": "Тел", "given_name": "Плохой", "phone": "12-34", "password": PASSWORD }))
        .await
        .invalid(&[("phone", "invalid_phone")]);
    // The school's admin already has this e-mail, in any case: without the admin's
    // password that is a failed login, answered as a login to an unknown account is.
    let mut twin = register_body(&token, "Двойник", "Admin218@School218.ru");
    twin["password"] = json!("a guess at the password");
    let taken = register(twin).await.problem(401, "invalid_credentials");
    let unknown_login =
        app.post("/api/v1/auth/login").json(json!({ "login": "nobody218@mail.ru", "password": "x" })).send().await;
    assert_eq!(taken.json, unknown_login.problem(401, "invalid_credentials").json);
    // A phone-only registration works and logs in by phone.
    let ok = register(json!({ "consent_version": parta_domain::consent::VERSION, "invite_token": token, "family_name": "Телефонова", "given_name": "Ольга", "phone": "+7 (922) 111-22-33", "password": PASSWORD }))
        .await
        .expect(201);
    assert_eq!(ok.json["join"]["status"], "joined");
    assert_eq!(ok.json["session"]["user"]["phone"], "+79221112233");
    assert!(ok.json["session"]["user"]["email"].is_null());
    app.login("89221112233", PASSWORD).await;
    // That phone, in another spelling, is taken now; so is it alongside a fresh e-mail.
    register(json!({ "consent_version": parta_domain::consent::VERSION, "invite_token": token, "family_name": "Двойник", "given_name": "Тел", "phone": "8 (922) 111-22-33", "password": "another password" }))
        .await
        .problem(401, "invalid_credentials");
    register(json!({ "consent_version": parta_domain::consent::VERSION, "invite_token": token, "family_name": "Двойник", "given_name": "Тел", "email": "dvoinik@mail.ru", "phone": "9221112233", "password": "another password" }))
        .await
        .problem(401, "invalid_credentials");
    app.post("/api/v1/auth/login")
        .json(json!({ "login": "dvoinik@mail.ru", "password": PASSWORD }))
        .send()
        .await
        .problem(401, "invalid_credentials");
    // Only the successful registration used the link.
    assert_eq!(find(&links(&app, &school.admin, school.org).await, id)["use_count"], 1);
}

async fn a_request_for_a_place_already_held_is_not_accepted_twice(app: TestApp) {
    let school = app.school(219).await;
    let class = app.create_class(&school, "3В", 3).await;
    let approval = app
        .invite(&school.admin, school.org, json!({ "class_id": class, "role": "student", "requires_approval": true }))
        .await;
    let direct = app
        .invite(&school.admin, school.org, json!({ "class_id": class, "role": "student", "requires_approval": false }))
        .await;
    let reply = app
        .post("/api/v1/auth/register")
        .json(register_body(&approval, "Торопыгина", "toropygina@mail.ru"))
        .send()
        .await
        .expect(201);
    let token = reply.json["session"]["token"].as_str().expect("token").to_owned();
    let request = reply.json["join"]["join_request_id"].as_i64().expect("request");
    // While the request waits, a direct link lets them in.
    app.post("/api/v1/invites/accept")
        .token(&token)
        .json(json!({ "consent_version": parta_domain::consent::VERSION, "token": direct }))
        .send()
        .await
        .expect(200);
    // Accepting the request now would place them in 3В a second time.
    let path = format!("/api/v1/orgs/{}/join-requests/{request}", school.org);
    app.post(&format!("{path}/accept")).token(&school.admin).send().await.problem(409, "already_member");
    let me = app.me(&token).await;
    assert_eq!(me["schools"][0]["places"].as_array().expect("places").len(), 1, "{me}");
    let members = app
        .get(&format!("/api/v1/orgs/{}/classes/{class}/memberships", school.org))
        .token(&school.admin)
        .send()
        .await
        .expect(200);
    assert_eq!(members.list().len(), 1, "{}", members.json);
    // The request can still be closed.
    let closed = app
        .post(&format!("{path}/reject"))
        .token(&school.admin)
        .json(json!({ "reason": "Уже в классе." }))
        .send()
        .await
        .expect(200);
    assert_eq!(closed.json["status"], "rejected");
    assert_eq!(app.me(&token).await["schools"][0]["places"].as_array().expect("places").len(), 1);
}

async fn nobody_is_their_own_parent(app: TestApp) {
    let (school, class, student) = school_with_student(&app, 220).await;
    let created = create(
        &app,
        &school.admin,
        school.org,
        json!({ "class_id": class, "role": "parent", "child_user_id": student.id }),
    )
    .await
    .expect(201);
    let id = created.json["invite"]["id"].as_i64().expect("id");
    let token = created.json["token"].as_str().expect("token").to_owned();
    app.post("/api/v1/invites/accept")
        .token(&student.token)
        .json(json!({ "consent_version": parta_domain::consent::VERSION, "token": token }))
        .send()
        .await
        .problem(409, "own_child");
    let me = app.me(&student.token).await;
    let places = me["schools"][0]["places"].as_array().expect("places").clone();
    assert_eq!(places.len(), 1);
    assert_eq!(places[0]["role"], "student");
    // The link is still unused and works for the real parent.
    assert_eq!(find(&links(&app, &school.admin, school.org).await, id)["use_count"], 0);
    let parent = app.register(&token, "Волкова", "volkova@mail.ru").await;
    assert_eq!(app.me(&parent.token).await["schools"][0]["places"][0]["child"]["id"], student.id);
}

async fn a_rejected_request_gives_the_link_back(app: TestApp) {
    let school = app.school(61).await;
    let class = app.create_class(&school, "3В", 3).await;
    let child = app.join(&school, class, "student", None, "Дочкина").await;
    // A one-use parent link with approval: a stranger's request is rejected, and the
    // real parent can still use the link.
    let token = app
        .invite(
            &school.admin,
            school.org,
            json!({ "class_id": class, "role": "parent", "child_user_id": child.id, "requires_approval": true }),
        )
        .await;
    let stranger = app.register(&token, "Посторонний", "stranger@people.test").await;
    let requests = format!("/api/v1/orgs/{}/join-requests", school.org);
    let pending = app.get(&format!("{requests}?status=pending")).token(&school.admin).send().await.expect(200);
    let request = pending.list()[0]["id"].as_i64().expect("request");
    app.post(&format!("{requests}/{request}/reject"))
        .token(&school.admin)
        .json(json!({ "reason": "Не родитель" }))
        .send()
        .await
        .expect(200);
    let invites =
        app.get(&format!("/api/v1/orgs/{}/invites", school.org)).token(&school.admin).send().await.expect(200);
    let link = invites.list().iter().find(|i| i["child"]["id"] == child.id).expect("parent link").clone();
    assert_eq!((link["use_count"].as_i64(), link["status"].as_str()), (Some(0), Some("active")));
    app.register(&token, "Настоящая", "real.parent@people.test").await;
    assert_eq!(app.me(&stranger.token).await["schools"], json!([]));
}

async fn a_parent_link_dies_with_the_childs_place(app: TestApp) {
    let school = app.school(62).await;
    let class = app.create_class(&school, "4Г", 4).await;
    let child = app.join(&school, class, "student", None, "Переведённый").await;
    let token = app
        .invite(&school.admin, school.org, json!({ "class_id": class, "role": "parent", "child_user_id": child.id }))
        .await;
    let other = app.create_class(&school, "4Д", 4).await;
    app.post(&format!("/api/v1/orgs/{}/members/{}/transfer", school.org, child.id))
        .token(&school.admin)
        .json(json!({ "to_class_id": other }))
        .send()
        .await
        .expect(200);
    app.post("/api/v1/auth/register")
        .json(json!({ "consent_version": parta_domain::consent::VERSION, "invite_token": token, "family_name": "Опоздавшая", "given_name": "Мама", "email": "late@people.test", "password": PASSWORD }))
        .send()
        .await
        .problem(410, "invite_child_left");
    app.post("/api/v1/auth/login")
        .json(json!({ "login": "late@people.test", "password": PASSWORD }))
        .send()
        .await
        .expect(401);
}
