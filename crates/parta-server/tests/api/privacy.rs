//! Privacy and isolation: peers see names, roles and classes but never contacts;
//! students and parents see their (children's) classes only; nothing of one
//! school reaches another's members; the audit log is for admins and the operator.

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{Person, Reply, School, TestApp};

on_both_backends!(
    peers_see_names_roles_and_classes_but_no_contacts,
    students_and_parents_read_their_own_classes_only,
    nothing_of_one_school_reaches_another,
    the_audit_log_is_for_admins_and_the_operator,
);

fn by_id(list: &[Value], id: i64) -> Value {
    list.iter().find(|m| m["person"]["id"] == id).unwrap_or_else(|| panic!("{id} not in {list:?}")).clone()
}

struct Fixture {
    school: School,
    a: i64,
    b: i64,
    student: Person,
    classmate: Person,
    parent: Person,
    other_student: Person,
    teacher: Person,
}

async fn fixture(app: &TestApp, n: u32) -> Fixture {
    let school = app.school(n).await;
    let a = app.create_class(&school, "5А", 5).await;
    let b = app.create_class(&school, "5Б", 5).await;
    let student = app.join(&school, a, "student", None, "Алексеев").await;
    let classmate = app.join(&school, a, "student", None, "Борисова").await;
    let parent = app.join(&school, a, "parent", Some(student.id), "Алексеева").await;
    let other_student = app.join(&school, b, "student", None, "Васильев").await;
    let teacher = app.join(&school, school.staff_room, "teacher", None, "Дмитриева").await;
    Fixture { school, a, b, student, classmate, parent, other_student, teacher }
}

async fn peers_see_names_roles_and_classes_but_no_contacts(app: TestApp) {
    let f = fixture(&app, 401).await;
    let org = f.school.org;

    // A student reading their class: names, roles and classes of everyone; contacts only their own.
    let list = app
        .get(&format!("/api/v1/orgs/{org}/members?class_id={}", f.a))
        .token(&f.student.token)
        .send()
        .await
        .expect(200);
    let mut ids: Vec<i64> = list.list().iter().filter_map(|m| m["person"]["id"].as_i64()).collect();
    ids.sort();
    let mut want = vec![f.student.id, f.classmate.id, f.parent.id];
    want.sort();
    assert_eq!(ids, want);
    let classmate = by_id(list.list(), f.classmate.id);
    assert_eq!(classmate["person"]["family_name"], "Борисова");
    assert_eq!(classmate["person"]["given_name"], "Тест");
    assert_eq!(classmate["roles"], json!(["student"]));
    assert_eq!(classmate["places"][0]["class"]["name"], "5А");
    assert!(classmate["email"].is_null() && classmate["phone"].is_null(), "{classmate}");
    let parent = by_id(list.list(), f.parent.id);
    assert_eq!(parent["roles"], json!(["parent"]));
    assert_eq!(parent["places"][0]["child"]["id"], f.student.id);
    assert!(parent["email"].is_null() && parent["phone"].is_null());
    let own = by_id(list.list(), f.student.id);
    assert_eq!(own["email"], f.student.email.as_str());
    // No contact of anyone else appears anywhere in the answer.
    let text = String::from_utf8(list.bytes.clone()).expect("utf-8");
    for other in [&f.classmate, &f.parent, &f.teacher] {
        assert!(!text.contains(&other.email), "{} leaked", other.email);
    }

    // A teacher reads the whole school, still without contacts.
    let list = app.get(&format!("/api/v1/orgs/{org}/members")).token(&f.teacher.token).send().await.expect(200);
    assert_eq!(list.list().len(), 6, "admin, four in classes, the teacher");
    for member in list.list() {
        if member["person"]["id"] == f.teacher.id {
            assert_eq!(member["email"], f.teacher.email.as_str());
        } else {
            assert!(member["email"].is_null() && member["phone"].is_null(), "{member}");
        }
    }
    let admin_entry = by_id(list.list(), f.school.admin_id);
    assert_eq!(admin_entry["is_admin"], true);
    assert_eq!(admin_entry["roles"], json!(["employee"]));
    // One profile: the same rule.
    let one = app
        .get(&format!("/api/v1/orgs/{org}/members/{}", f.classmate.id))
        .token(&f.teacher.token)
        .send()
        .await
        .expect(200);
    assert!(one.json["email"].is_null() && one.json["phone"].is_null());
    let mine = app
        .get(&format!("/api/v1/orgs/{org}/members/{}", f.student.id))
        .token(&f.student.token)
        .send()
        .await
        .expect(200);
    assert_eq!(mine.json["email"], f.student.email.as_str());
    let peer = app
        .get(&format!("/api/v1/orgs/{org}/members/{}", f.classmate.id))
        .token(&f.student.token)
        .send()
        .await
        .expect(200);
    assert!(peer.json["email"].is_null());
    assert_eq!(peer.json["person"]["family_name"], "Борисова");

    // Admins see contacts.
    let list = app.get(&format!("/api/v1/orgs/{org}/members")).token(&f.school.admin).send().await.expect(200);
    for person in [&f.student, &f.classmate, &f.parent, &f.other_student, &f.teacher] {
        assert_eq!(by_id(list.list(), person.id)["email"], person.email.as_str());
    }
    let one =
        app.get(&format!("/api/v1/orgs/{org}/members/{}", f.parent.id)).token(&f.school.admin).send().await.expect(200);
    assert_eq!(one.json["email"], f.parent.email.as_str());
    // The class history names people, without contacts.
    let history = app
        .get(&format!("/api/v1/orgs/{org}/classes/{}/memberships", f.a))
        .token(&f.student.token)
        .send()
        .await
        .expect(200);
    let text = String::from_utf8(history.bytes.clone()).expect("utf-8");
    assert!(!text.contains('@'), "{text}");
}

async fn students_and_parents_read_their_own_classes_only(app: TestApp) {
    let f = fixture(&app, 402).await;
    let org = f.school.org;
    let members = |class: Option<i64>| match class {
        Some(class) => format!("/api/v1/orgs/{org}/members?class_id={class}"),
        None => format!("/api/v1/orgs/{org}/members"),
    };

    for reader in [&f.student, &f.parent] {
        app.get(&members(Some(f.a))).token(&reader.token).send().await.expect(200);
        app.get(&members(None)).token(&reader.token).send().await.problem(403, "forbidden");
        app.get(&members(Some(f.b))).token(&reader.token).send().await.problem(403, "forbidden");
        app.get(&members(Some(f.school.staff_room))).token(&reader.token).send().await.problem(403, "forbidden");
        app.get(&members(Some(999999))).token(&reader.token).send().await.problem(404, "not_found");
        app.get(&format!("/api/v1/orgs/{org}/classes/{}/memberships", f.b))
            .token(&reader.token)
            .send()
            .await
            .problem(403, "forbidden");
        app.get(&format!("/api/v1/orgs/{org}/classes/{}/memberships", f.school.staff_room))
            .token(&reader.token)
            .send()
            .await
            .problem(403, "forbidden");
        // People outside their classes do not exist for them.
        for outside in [f.other_student.id, f.teacher.id, f.school.admin_id, 999999] {
            app.get(&format!("/api/v1/orgs/{org}/members/{outside}"))
                .token(&reader.token)
                .send()
                .await
                .problem(404, "not_found");
        }
        app.get(&format!("/api/v1/orgs/{org}/members/{}", f.classmate.id))
            .token(&reader.token)
            .send()
            .await
            .expect(200);
        // Join requests, links and the audit log are not theirs to read.
        app.get(&format!("/api/v1/orgs/{org}/join-requests"))
            .token(&reader.token)
            .send()
            .await
            .problem(403, "forbidden");
        app.get(&format!("/api/v1/orgs/{org}/invites")).token(&reader.token).send().await.problem(403, "forbidden");
        app.get(&format!("/api/v1/orgs/{org}/audit")).token(&reader.token).send().await.problem(403, "forbidden");
    }
    // The absent and the hidden answer alike.
    let hidden =
        app.get(&format!("/api/v1/orgs/{org}/members/{}", f.other_student.id)).token(&f.student.token).send().await;
    let absent = app.get(&format!("/api/v1/orgs/{org}/members/999999")).token(&f.student.token).send().await;
    assert_eq!(hidden.json, absent.json);
    // The parent sees their child's class as the child does.
    let seen_by_parent = app.get(&members(Some(f.a))).token(&f.parent.token).send().await.expect(200);
    let seen_by_child = app.get(&members(Some(f.a))).token(&f.student.token).send().await.expect(200);
    let names = |r: &Reply| r.list().iter().map(|m| m["person"].clone()).collect::<Vec<_>>();
    assert_eq!(names(&seen_by_parent), names(&seen_by_child));
    // The other class's student sees their own class and not 5А.
    app.get(&members(Some(f.b))).token(&f.other_student.token).send().await.expect(200);
    app.get(&members(Some(f.a))).token(&f.other_student.token).send().await.problem(403, "forbidden");
    app.get(&format!("/api/v1/orgs/{org}/members/{}", f.student.id))
        .token(&f.other_student.token)
        .send()
        .await
        .problem(404, "not_found");
}

async fn nothing_of_one_school_reaches_another(app: TestApp) {
    let f = fixture(&app, 403).await;
    let org = f.school.org;
    let unit = app
        .post(&format!("/api/v1/orgs/{org}/units"))
        .token(&f.school.admin)
        .json(json!({ "name": "Основная школа" }))
        .send()
        .await
        .expect(201)
        .id();
    let invite = app
        .post(&format!("/api/v1/orgs/{org}/invites"))
        .token(&f.school.admin)
        .json(json!({ "class_id": f.a, "role": "student", "requires_approval": true }))
        .send()
        .await
        .expect(201);
    let invite_id = invite.json["invite"]["id"].as_i64().expect("id");
    let token = invite.json["token"].as_str().expect("token").to_owned();
    let waiting = app
        .post("/api/v1/auth/register")
        .json(json!({ "consent_version": parta_domain::consent::VERSION, "invite_token": token, "family_name": "Ожидаева", "given_name": "Юлия", "email": "ozhidaeva@mail.ru", "password": crate::support::PASSWORD }))
        .send()
        .await
        .expect(201);
    let request = waiting.json["join"]["join_request_id"].as_i64().expect("request");

    let other = app.school(404).await;
    let other_class = app.create_class(&other, "5А", 5).await;
    let other_student = app.join(&other, other_class, "student", None, "Чужой").await;
    let other_teacher = app.join(&other, other.staff_room, "teacher", None, "Чужая").await;
    app.assign_class_teacher(&other, other_class, other_teacher.id).await;

    let reads = [
        format!("/api/v1/orgs/{org}"),
        format!("/api/v1/orgs/{org}/units"),
        format!("/api/v1/orgs/{org}/classes"),
        format!("/api/v1/orgs/{org}/classes/{}", f.a),
        format!("/api/v1/orgs/{org}/classes/{}/memberships", f.a),
        format!("/api/v1/orgs/{org}/admins"),
        format!("/api/v1/orgs/{org}/members"),
        format!("/api/v1/orgs/{org}/members?class_id={}", f.a),
        format!("/api/v1/orgs/{org}/members/{}", f.student.id),
        format!("/api/v1/orgs/{org}/invites"),
        format!("/api/v1/orgs/{org}/join-requests"),
        format!("/api/v1/orgs/{org}/audit"),
    ];
    let body = |value: Value| Some(value);
    let writes: Vec<(&str, String, Option<Value>)> = vec![
        ("PATCH", format!("/api/v1/orgs/{org}"), body(json!({ "short_name": "Взломано" }))),
        ("POST", format!("/api/v1/orgs/{org}/units"), body(json!({ "name": "Чужое" }))),
        ("DELETE", format!("/api/v1/orgs/{org}/units/{unit}"), None),
        (
            "POST",
            format!("/api/v1/orgs/{org}/classes"),
            body(json!({ "name": "9Я", "grade": 9, "academic_year": 2026 })),
        ),
        ("POST", format!("/api/v1/orgs/{org}/invites"), body(json!({ "class_id": f.a, "role": "student" }))),
        ("POST", format!("/api/v1/orgs/{org}/invites/{invite_id}/revoke"), None),
        ("POST", format!("/api/v1/orgs/{org}/join-requests/{request}/accept"), None),
        ("POST", format!("/api/v1/orgs/{org}/join-requests/{request}/reject"), body(json!({ "reason": "Чужие" }))),
        ("POST", format!("/api/v1/orgs/{org}/members/{}/transfer", f.student.id), body(json!({ "to_class_id": f.b }))),
        ("POST", format!("/api/v1/orgs/{org}/members/{}/leave", f.student.id), body(json!({ "on": "2027-05-31" }))),
        ("POST", format!("/api/v1/orgs/{org}/members/{}/role", f.teacher.id), body(json!({ "role": "employee" }))),
        ("PUT", format!("/api/v1/orgs/{org}/members/{}/teacher-verification", f.teacher.id), None),
        ("POST", format!("/api/v1/orgs/{org}/admins"), body(json!({ "user_id": f.teacher.id }))),
    ];
    let absent_org = app.get("/api/v1/orgs/999999").token(&other.admin).send().await.problem(404, "not_found");
    for token in [&other.admin, &other_student.token, &other_teacher.token] {
        for path in &reads {
            let reply = app.get(path).token(token).send().await.problem(404, "not_found");
            assert_eq!(reply.json, absent_org.json, "{path}: forbidden and absent must look the same");
        }
        for (method, path, body) in &writes {
            let call = app.request(method.parse().expect("method"), path).token(token);
            let call = match body {
                Some(body) => call.json(body.clone()),
                None => call,
            };
            call.send().await.problem(404, "not_found");
        }
    }
    // School B's own paths with school A's ids find nothing either.
    let theirs = other.org;
    for path in [
        format!("/api/v1/orgs/{theirs}/classes/{}", f.a),
        format!("/api/v1/orgs/{theirs}/classes/{}/memberships", f.a),
        format!("/api/v1/orgs/{theirs}/members/{}", f.student.id),
    ] {
        app.get(&path).token(&other.admin).send().await.problem(404, "not_found");
    }
    app.post(&format!("/api/v1/orgs/{theirs}/invites/{invite_id}/revoke"))
        .token(&other.admin)
        .send()
        .await
        .problem(404, "not_found");
    app.post(&format!("/api/v1/orgs/{theirs}/join-requests/{request}/accept"))
        .token(&other.admin)
        .send()
        .await
        .problem(404, "not_found");
    app.post(&format!("/api/v1/orgs/{theirs}/members/{}/transfer", f.student.id))
        .token(&other.admin)
        .json(json!({ "to_class_id": other_class }))
        .send()
        .await
        .problem(409, "not_student");
    app.post(&format!("/api/v1/orgs/{theirs}/invites"))
        .token(&other.admin)
        .json(json!({ "class_id": f.a, "role": "student" }))
        .send()
        .await
        .problem(404, "not_found");
    app.post(&format!("/api/v1/orgs/{theirs}/invites"))
        .token(&other.admin)
        .json(json!({ "class_id": other_class, "role": "parent", "child_user_id": f.student.id }))
        .send()
        .await
        .invalid(&[("child_user_id", "unknown_student")]);
    let join_requests =
        app.get(&format!("/api/v1/orgs/{theirs}/join-requests")).token(&other.admin).send().await.expect(200);
    assert!(join_requests.list().is_empty());
    let members = app.get(&format!("/api/v1/orgs/{theirs}/members")).token(&other.admin).send().await.expect(200);
    assert!(members.list().iter().all(|m| m["person"]["id"] != f.student.id));

    // School A is untouched.
    let profile = app.get(&format!("/api/v1/orgs/{org}")).token(&f.school.admin).send().await.expect(200);
    assert_eq!(profile.json["short_name"], "Школа № 403");
    let pending = app
        .get(&format!("/api/v1/orgs/{org}/join-requests?status=pending"))
        .token(&f.school.admin)
        .send()
        .await
        .expect(200);
    assert_eq!(pending.list().len(), 1);
    let links = app.get(&format!("/api/v1/orgs/{org}/invites")).token(&f.school.admin).send().await.expect(200);
    let approval_link = links.list().iter().find(|i| i["id"] == invite_id).expect("listed").clone();
    assert_eq!(approval_link["status"], "active");
    assert_eq!(approval_link["use_count"], 1, "the one pending request");
    assert!(links.list().iter().all(|i| i["revoked_at"].is_null()));
    let me = app.me(&f.student.token).await;
    assert_eq!(me["schools"][0]["places"][0]["class"]["id"], f.a);
    let audit = app.get(&format!("/api/v1/orgs/{org}/audit?limit=200")).token(&f.school.admin).send().await.expect(200);
    let actors: Vec<i64> = audit.list().iter().filter_map(|e| e["actor"]["id"].as_i64()).collect();
    for outsider in [other.admin_id, other_student.id, other_teacher.id] {
        assert!(!actors.contains(&outsider), "{outsider} acted in school A");
    }
}

async fn the_audit_log_is_for_admins_and_the_operator(app: TestApp) {
    let operator = app.operator().await;
    let a = app.school_with(&operator, 405).await;
    let b = app.school_with(&operator, 406).await;
    let class = app.create_class(&a, "1А", 1).await;
    let teacher = app.join(&a, a.staff_room, "teacher", None, "Аудиторова").await;
    app.assign_class_teacher(&a, class, teacher.id).await;
    let student = app.join(&a, class, "student", None, "Первоклассников").await;

    let log = app.get(&format!("/api/v1/orgs/{}/audit", a.org)).token(&a.admin).send().await.expect(200);
    assert!(log.list().iter().all(|e| e["org_id"] == a.org), "{}", log.json);
    let actions: Vec<&str> = log.list().iter().filter_map(|e| e["action"].as_str()).collect();
    for action in [
        "school_created",
        "application_approved",
        "class_created",
        "class_teacher_assigned",
        "invite_created",
        "member_joined",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    let created = log.list().iter().find(|e| e["action"] == "class_created").expect("entry").clone();
    assert_eq!(created["actor"]["id"], a.admin_id);
    assert_eq!(created["target_type"], "class");
    assert_eq!(created["target_id"], class);
    assert_eq!(created["details"]["name"], "1А");
    // Newest first, and paged.
    let ids: Vec<i64> = log.list().iter().filter_map(|e| e["id"].as_i64()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    let first = app.get(&format!("/api/v1/orgs/{}/audit?limit=2", a.org)).token(&a.admin).send().await.expect(200);
    assert_eq!(first.list().len(), 2);
    assert_eq!(first.list()[0]["id"], ids[0]);
    let next = app
        .get(&format!("/api/v1/orgs/{}/audit?limit=2&before_id={}", a.org, ids[1]))
        .token(&a.admin)
        .send()
        .await
        .expect(200);
    let next_ids: Vec<i64> = next.list().iter().filter_map(|e| e["id"].as_i64()).collect();
    assert_eq!(next_ids, ids[2..4].to_vec());

    // Teachers, class teachers and students may not read it; another school's admin does not find it.
    for token in [&teacher.token, &student.token] {
        app.get(&format!("/api/v1/orgs/{}/audit", a.org)).token(token).send().await.problem(403, "forbidden");
    }
    app.get(&format!("/api/v1/orgs/{}/audit", a.org)).token(&b.admin).send().await.problem(404, "not_found");
    // B's log holds none of A's entries.
    let log_b = app.get(&format!("/api/v1/orgs/{}/audit?limit=200", b.org)).token(&b.admin).send().await.expect(200);
    assert!(log_b.list().iter().all(|e| e["org_id"] == b.org));

    // The operator reads every school's log and the platform's.
    let seen = app.get(&format!("/api/v1/orgs/{}/audit", a.org)).token(&operator).send().await.expect(200);
    assert_eq!(seen.json, log.json);
    app.get(&format!("/api/v1/orgs/{}/audit", b.org)).token(&operator).send().await.expect(200);
    let platform = app.get("/api/v1/audit?limit=200").token(&operator).send().await.expect(200);
    let orgs: Vec<Value> = platform.list().iter().map(|e| e["org_id"].clone()).collect();
    assert!(orgs.contains(&json!(a.org)) && orgs.contains(&json!(b.org)) && orgs.contains(&Value::Null), "{orgs:?}");
    let submitted = platform.list().iter().filter(|e| e["action"] == "application_submitted").count();
    assert_eq!(submitted, 2);
    let limited = app.get("/api/v1/audit?limit=3").token(&operator).send().await.expect(200);
    assert_eq!(limited.list().len(), 3);
    for token in [&a.admin, &b.admin, &teacher.token, &student.token] {
        app.get("/api/v1/audit").token(token).send().await.problem(403, "forbidden");
    }
    app.get("/api/v1/audit").send().await.problem(401, "unauthenticated");
}
