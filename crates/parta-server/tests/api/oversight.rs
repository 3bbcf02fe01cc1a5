//! What the seeds give the administration and ask of teachers: the director oversees
//! and appoints admins without being one; a teacher not yet verified writes to no
//! student or parent, makes no chat with them and no invite link; quiet hours hold
//! wherever the school and families meet; the class teacher's urgent post goes
//! through them and is audited.

use serde_json::json;

use crate::messaging::{chat_id, class_with_people, quiet_hours_now};
use crate::on_both_backends;
use crate::support::TestApp;

on_both_backends!(
    the_director_oversees_and_appoints_admins,
    an_unverified_teacher_waits_for_the_admin,
    quiet_hours_hold_wherever_families_are,
    the_class_teacher_sends_urgently_and_it_is_audited,
    consent_is_recorded_with_its_version,
);

async fn the_director_oversees_and_appoints_admins(app: TestApp) {
    let c = class_with_people(&app, 181).await;
    let org = c.school.org;
    let director = app.join(&c.school, c.school.staff_room, "teacher", None, "Директорова").await;
    app.post(&format!("/api/v1/orgs/{org}/members/{}/role", director.id))
        .token(&c.school.admin)
        .json(json!({ "role": "director" }))
        .send()
        .await
        .expect(200);
    let me = app.me(&director.token).await;
    let school = &me["schools"][0];
    assert_eq!(school["is_admin"], false);
    let permissions: Vec<&str> =
        school["permissions"].as_array().expect("permissions").iter().filter_map(|p| p.as_str()).collect();
    for held in
        ["read_statistics", "read_school_audit", "read_reports", "manage_admins", "read_journal", "issue_orders"]
    {
        assert!(permissions.contains(&held), "{held} in {permissions:?}");
    }
    for not_held in ["edit_school", "manage_structure", "moderate_chats", "move_year_on"] {
        assert!(!permissions.contains(&not_held), "{not_held} in {permissions:?}");
    }
    // The audit log and the reports queue, read; a report is not theirs to resolve.
    app.get(&format!("/api/v1/orgs/{org}/audit")).token(&director.token).send().await.expect(200);
    let class_chat = chat_id(&app, &c.teacher.token, org, "class", Some(c.a)).await;
    let message = app
        .post(&format!("/api/v1/chats/{class_chat}/messages"))
        .token(&c.student.token)
        .json(json!({ "client_msg_id": "rude", "body": "Грубость" }))
        .send()
        .await
        .expect(201)
        .id();
    let report = app
        .post(&format!("/api/v1/chats/{class_chat}/messages/{message}/report"))
        .token(&c.teacher.token)
        .json(json!({ "reason": "Оскорбление" }))
        .send()
        .await
        .expect(201)
        .id();
    let queue = app.get(&format!("/api/v1/orgs/{org}/reports")).token(&director.token).send().await.expect(200);
    assert!(queue.list().iter().any(|r| r["id"] == report));
    app.post(&format!("/api/v1/orgs/{org}/reports/{report}/resolve"))
        .token(&director.token)
        .json(json!({ "delete_message": false }))
        .send()
        .await
        .problem(403, "forbidden");
    // The director appoints the class teacher an admin, and removes them again.
    app.post(&format!("/api/v1/orgs/{org}/admins"))
        .token(&director.token)
        .json(json!({ "user_id": c.teacher.id }))
        .send()
        .await
        .expect(200);
    assert_eq!(app.me(&c.teacher.token).await["schools"][0]["is_admin"], true);
    app.delete(&format!("/api/v1/orgs/{org}/admins/{}", c.teacher.id)).token(&director.token).send().await.expect(200);
    assert_eq!(app.me(&c.teacher.token).await["schools"][0]["is_admin"], false);
    let audit = app.get(&format!("/api/v1/orgs/{org}/audit")).token(&director.token).send().await.expect(200);
    let actions: Vec<&str> = audit.list().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"admin_appointed") && actions.contains(&"admin_removed"), "{actions:?}");
    // The director writes the school channel (an author), as the administration does.
    let channel = chat_id(&app, &director.token, org, "school_channel", None).await;
    app.post(&format!("/api/v1/chats/{channel}/messages"))
        .token(&director.token)
        .json(json!({ "client_msg_id": "news", "body": "Приказ о каникулах" }))
        .send()
        .await
        .expect(201);
}

async fn an_unverified_teacher_waits_for_the_admin(app: TestApp) {
    let c = class_with_people(&app, 182).await;
    let org = c.school.org;
    let newcomer = app.join_unverified(&c.school, c.a, "teacher", None, "Новенький").await;
    // The admin sees who waits, in one list.
    let waiting =
        app.get(&format!("/api/v1/orgs/{org}/members?unverified=true")).token(&c.school.admin).send().await.expect(200);
    let ids: Vec<i64> = waiting.list().iter().filter_map(|m| m["person"]["id"].as_i64()).collect();
    assert_eq!(ids, [newcomer.id]);
    // Peers see the mark (or its absence) beside the name in the chat's members.
    let staff_room = chat_id(&app, &newcomer.token, org, "staff_room", None).await;
    let members = app.get(&format!("/api/v1/chats/{staff_room}/members")).token(&c.teacher.token).send().await;
    let members = members.expect(200);
    let mark = |id: i64| {
        members
            .list()
            .iter()
            .find(|m| m["person"]["id"] == id)
            .map(|m| (m["teacher_verified"].clone(), m["school_roles"].clone()))
    };
    assert_eq!(mark(newcomer.id), Some((json!(false), json!(["teacher"]))));
    assert_eq!(mark(c.teacher.id), Some((json!(true), json!(["teacher"]))));

    // Until verified: no direct chat with a student or parent (the card does not offer one),
    // no chat with them, no invite link. A colleague is fine.
    for person in [c.student.id, c.parent.id] {
        app.post(&format!("/api/v1/orgs/{org}/direct"))
            .token(&newcomer.token)
            .json(json!({ "user_id": person }))
            .send()
            .await
            .problem(403, "teacher_not_verified");
        let card = app.get(&format!("/api/v1/orgs/{org}/members/{person}")).token(&newcomer.token).send().await;
        assert_eq!(card.expect(200).json["may_message"], false);
    }
    app.post(&format!("/api/v1/orgs/{org}/direct"))
        .token(&newcomer.token)
        .json(json!({ "user_id": c.teacher.id }))
        .send()
        .await
        .expect(200);
    app.post(&format!("/api/v1/orgs/{org}/chats"))
        .token(&newcomer.token)
        .json(json!({ "kind": "group", "title": "Кружок", "member_ids": [c.student.id] }))
        .send()
        .await
        .problem(403, "teacher_not_verified");
    let staff_group = app
        .post(&format!("/api/v1/orgs/{org}/chats"))
        .token(&newcomer.token)
        .json(json!({ "kind": "group", "title": "Методобъединение", "member_ids": [c.teacher.id] }))
        .send()
        .await
        .expect(201)
        .id();
    app.post(&format!("/api/v1/chats/{staff_group}/members"))
        .token(&newcomer.token)
        .json(json!({ "user_ids": [c.parent.id] }))
        .send()
        .await
        .problem(403, "teacher_not_verified");
    app.post(&format!("/api/v1/chats/{staff_group}/invites"))
        .token(&newcomer.token)
        .send()
        .await
        .problem(403, "teacher_not_verified");
    // A class teacher not yet verified makes no invite link for their class.
    app.assign_class_teacher(&c.school, c.b, newcomer.id).await;
    app.post(&format!("/api/v1/orgs/{org}/invites"))
        .token(&newcomer.token)
        .json(json!({ "class_id": c.b, "role": "student" }))
        .send()
        .await
        .problem(403, "teacher_not_verified");

    // Verified: all of it.
    app.put(&format!("/api/v1/orgs/{org}/members/{}/teacher-verification", newcomer.id))
        .token(&c.school.admin)
        .send()
        .await
        .expect(200);
    app.post(&format!("/api/v1/orgs/{org}/direct"))
        .token(&newcomer.token)
        .json(json!({ "user_id": c.student.id }))
        .send()
        .await
        .expect(200);
    let card = app.get(&format!("/api/v1/orgs/{org}/members/{}", c.parent.id)).token(&newcomer.token).send().await;
    assert_eq!(card.expect(200).json["may_message"], true);
    app.post(&format!("/api/v1/chats/{staff_group}/members"))
        .token(&newcomer.token)
        .json(json!({ "user_ids": [c.parent.id] }))
        .send()
        .await
        .expect(204);
    app.post(&format!("/api/v1/orgs/{org}/invites"))
        .token(&newcomer.token)
        .json(json!({ "class_id": c.b, "role": "student" }))
        .send()
        .await
        .expect(201);
    let waiting =
        app.get(&format!("/api/v1/orgs/{org}/members?unverified=true")).token(&c.school.admin).send().await.expect(200);
    assert!(waiting.list().is_empty());
}

async fn quiet_hours_hold_wherever_families_are(app: TestApp) {
    let c = class_with_people(&app, 183).await;
    let org = c.school.org;
    let colleague = app.join(&c.school, c.school.staff_room, "teacher", None, "Коллегова").await;
    quiet_hours_now(&app, org, &c.school.admin).await;

    let post = |chat: i64, token: String, key: &'static str| {
        let app = &app;
        async move {
            app.post(&format!("/api/v1/chats/{chat}/messages"))
                .token(&token)
                .json(json!({ "client_msg_id": key, "body": "Вечером" }))
                .send()
                .await
                .expect(201)
                .json
        }
    };
    // A direct chat of the teacher and a parent: held; the chat says so.
    let with_parent = app
        .post(&format!("/api/v1/orgs/{org}/direct"))
        .token(&c.teacher.token)
        .json(json!({ "user_id": c.parent.id }))
        .send()
        .await
        .expect(200);
    assert_eq!(with_parent.json["quiet_hours"], true);
    let sent = post(with_parent.id(), c.teacher.token.clone(), "dm-parent").await;
    assert!(sent["held_until"].is_string(), "{sent}");
    // The parent's answer too: the rule is about the hours, both ways.
    let sent = post(with_parent.id(), c.parent.token.clone(), "dm-back").await;
    assert!(sent["held_until"].is_string(), "{sent}");
    // Two colleagues: not held.
    let colleagues = app
        .post(&format!("/api/v1/orgs/{org}/direct"))
        .token(&c.teacher.token)
        .json(json!({ "user_id": colleague.id }))
        .send()
        .await
        .expect(200);
    assert_eq!(colleagues.json["quiet_hours"], false);
    assert!(post(colleagues.id(), c.teacher.token.clone(), "dm-staff").await["held_until"].is_null());
    // A group chat: staff alone are not held; once a student is in it, it is.
    let group = app
        .post(&format!("/api/v1/orgs/{org}/chats"))
        .token(&c.teacher.token)
        .json(json!({ "kind": "group", "title": "Кружок", "member_ids": [colleague.id] }))
        .send()
        .await
        .expect(201)
        .id();
    assert!(post(group, c.teacher.token.clone(), "group-staff").await["held_until"].is_null());
    app.post(&format!("/api/v1/chats/{group}/members"))
        .token(&c.teacher.token)
        .json(json!({ "user_ids": [c.student.id] }))
        .send()
        .await
        .expect(204);
    assert!(post(group, c.teacher.token.clone(), "group-family").await["held_until"].is_string());
    // A subject chat: held.
    let subject = app
        .post(&format!("/api/v1/orgs/{org}/chats"))
        .token(&c.school.admin)
        .json(json!({ "kind": "subject", "title": "Математика", "class_id": c.a }))
        .send()
        .await
        .expect(201)
        .id();
    assert!(post(subject, c.school.admin.clone(), "subject").await["held_until"].is_string());
    // The staff room: never.
    let staff_room = chat_id(&app, &c.teacher.token, org, "staff_room", None).await;
    assert!(post(staff_room, c.teacher.token.clone(), "staff-room").await["held_until"].is_null());
    // Nobody calls a parent directly in quiet hours either.
    app.post(&format!("/api/v1/chats/{}/calls", with_parent.id()))
        .token(&c.teacher.token)
        .send()
        .await
        .problem(403, "quiet_hours_call");
}

async fn the_class_teacher_sends_urgently_and_it_is_audited(app: TestApp) {
    let c = class_with_people(&app, 184).await;
    let org = c.school.org;
    let other_teacher = app.join(&c.school, c.b, "teacher", None, "Другова").await;
    quiet_hours_now(&app, org, &c.school.admin).await;
    let parents = chat_id(&app, &c.teacher.token, org, "parents", Some(c.a)).await;
    let urgent = app
        .post(&format!("/api/v1/chats/{parents}/messages"))
        .token(&c.teacher.token)
        .json(json!({ "client_msg_id": "urgent-1", "body": "Завтра занятий не будет", "urgent": true }))
        .send()
        .await
        .expect(201);
    assert!(urgent.json["held_until"].is_null(), "delivered now: {}", urgent.json);
    let class_chat = chat_id(&app, &c.teacher.token, org, "class", Some(c.a)).await;
    app.post(&format!("/api/v1/chats/{class_chat}/messages"))
        .token(&c.teacher.token)
        .json(json!({ "client_msg_id": "urgent-2", "body": "Срочно", "urgent": true }))
        .send()
        .await
        .expect(201);
    // Not in another class's chats, not by a parent.
    let other_class = chat_id(&app, &other_teacher.token, org, "class_teachers", Some(c.b)).await;
    app.post(&format!("/api/v1/chats/{other_class}/messages"))
        .token(&other_teacher.token)
        .json(json!({ "client_msg_id": "urgent-3", "body": "Срочно", "urgent": true }))
        .send()
        .await
        .problem(403, "forbidden");
    app.post(&format!("/api/v1/chats/{parents}/messages"))
        .token(&c.parent.token)
        .json(json!({ "client_msg_id": "urgent-4", "body": "Срочно", "urgent": true }))
        .send()
        .await
        .problem(403, "forbidden");
    // Each urgent post is in the audit log: who, which message, which chat.
    let audit = app.get(&format!("/api/v1/orgs/{org}/audit")).token(&c.school.admin).send().await.expect(200);
    let urgent_posts: Vec<(i64, i64)> = audit
        .list()
        .iter()
        .filter(|e| e["action"] == "urgent_post")
        .map(|e| (e["actor"]["id"].as_i64().unwrap_or(0), e["details"]["chat_id"].as_i64().unwrap_or(0)))
        .collect();
    assert_eq!(urgent_posts.len(), 2, "{}", audit.json);
    assert!(urgent_posts.iter().all(|(actor, _)| *actor == c.teacher.id));
    assert!(urgent_posts.iter().any(|(_, chat)| *chat == parents));
}

async fn consent_is_recorded_with_its_version(app: TestApp) {
    let c = class_with_people(&app, 185).await;
    let org = c.school.org;
    let text = app.get("/api/v1/consent").send().await.expect(200);
    let version = text.json["version"].as_str().expect("version").to_owned();
    assert!(text.json["text_self"].as_str().is_some_and(|t| t.contains("152-ФЗ")));
    assert!(text.json["text_child"].as_str().is_some_and(|t| t.contains("законный представитель")));

    // Registering needs the consent, to the text as it stands now.
    let sister = app.join(&c.school, c.a, "student", None, "Сестрова").await;
    let link = app
        .invite(&c.school.admin, org, json!({ "class_id": c.a, "role": "parent", "child_user_id": sister.id }))
        .await;
    let body = |consent: Option<&str>| {
        json!({ "invite_token": link, "family_name": "Мамина", "given_name": "Ольга", "email": "mama@consent.test",
                "password": crate::support::PASSWORD, "consent_version": consent })
    };
    app.post("/api/v1/auth/register").json(body(None)).send().await.invalid(&[("consent_version", "required")]);
    app.post("/api/v1/auth/register")
        .json(body(Some("2019-01-01")))
        .send()
        .await
        .invalid(&[("consent_version", "outdated")]);
    let registered = app.post("/api/v1/auth/register").json(body(Some(&version))).send().await.expect(201);
    let token = registered.json["session"]["token"].as_str().expect("token").to_owned();
    // A parent gives it for themselves and for their child; the profile shows both.
    let me = app.me(&token).await;
    let given: Vec<(String, Option<i64>, String)> = me["consents"]
        .as_array()
        .expect("consents")
        .iter()
        .map(|g| {
            (
                g["kind"].as_str().unwrap_or("").to_owned(),
                g["child"]["id"].as_i64(),
                g["version"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert!(given.contains(&("self".to_owned(), None, version.clone())), "{given:?}");
    assert!(given.contains(&("child".to_owned(), Some(sister.id), version.clone())), "{given:?}");
    // The existing parent joins for a second child by link: the consent for that child first.
    let brother = app.join(&c.school, c.b, "student", None, "Братов").await;
    let second = app
        .invite(&c.school.admin, org, json!({ "class_id": c.b, "role": "parent", "child_user_id": brother.id }))
        .await;
    app.post("/api/v1/invites/accept")
        .token(&token)
        .json(json!({ "token": second }))
        .send()
        .await
        .invalid(&[("consent_version", "required")]);
    app.post("/api/v1/invites/accept")
        .token(&token)
        .json(json!({ "token": second, "consent_version": version }))
        .send()
        .await
        .expect(200);
    let me = app.me(&token).await;
    let children: Vec<i64> = me["consents"]
        .as_array()
        .expect("consents")
        .iter()
        .filter(|g| g["kind"] == "child")
        .filter_map(|g| g["child"]["id"].as_i64())
        .collect();
    assert!(children.contains(&brother.id) && children.contains(&sister.id), "{children:?}");
}
