//! The authorization matrix: every API operation × every kind of person, with
//! the expected answer written out. The operations come from the OpenAPI
//! document, so a route without a row here fails the test.
//!
//! Expectations: `Allow` — authorization passed (the answer is not 401, 403 or
//! 404; requests are shaped so that allowed people get a success or a harmless
//! business error); `Deny` — 403 (the person sees the object, the act is not
//! theirs); `Hidden` — 404 (the object is private to them: absent and forbidden
//! look the same); `Unauth` — 401.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{PASSWORD, Person, School, TestApp, multipart};

on_both_backends!(every_operation_for_every_person, foreign_ids_in_own_school_paths);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Anonymous,
    Operator,
    OtherSchoolAdmin,
    OtherSchoolTeacher,
    OtherSchoolStudent,
    Removed,
    ParentOfOtherChild,
    Parent,
    Student,
    Employee,
    Teacher,
    ClassTeacherOfOtherClass,
    ClassTeacher,
    Director,
    /// «Завуч»: a deputy director, not an admin.
    Deputy,
    /// The curator of the education authority school A is attached to.
    Curator,
    /// The curator of another authority (school B's).
    OtherCurator,
    Admin,
}

use Who::*;

/// In the order they act: admins last, so that what they change (revocations,
/// decisions) cannot turn someone else's expected denial into something else.
const EVERYONE: [Who; 18] = [
    Anonymous,
    Operator,
    OtherSchoolAdmin,
    OtherSchoolTeacher,
    OtherSchoolStudent,
    Removed,
    ParentOfOtherChild,
    Parent,
    Student,
    Employee,
    Teacher,
    ClassTeacherOfOtherClass,
    ClassTeacher,
    Director,
    Deputy,
    Curator,
    OtherCurator,
    Admin,
];

/// Current members of school A.
const MEMBERS: [Who; 10] = [
    ParentOfOtherChild,
    Parent,
    Student,
    Employee,
    Teacher,
    ClassTeacherOfOtherClass,
    ClassTeacher,
    Director,
    Deputy,
    Admin,
];
/// Staff of school A.
const STAFF: [Who; 7] = [Employee, Teacher, ClassTeacherOfOtherClass, ClassTeacher, Director, Deputy, Admin];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allow,
    Deny,
    Hidden,
    Unauth,
}

/// The world: school A with one person of every kind, school B beside it.
struct World {
    a: School,
    b: School,
    class_5a: i64,
    class_5b: i64,
    unit: i64,
    invite_5a: i64,
    preview_token: String,
    revoked_token: String,
    join_request_5a: i64,
    student: Person,
    teacher: Person,
    application: i64,
    admin_spare_session: i64,
    /// Two of the admin's devices subscribed to pushes: one to change, one to end.
    admin_push_devices: [i64; 2],
    /// School A's webhooks: one to change, one to remove.
    webhooks: [i64; 2],
    /// A teacher school A's register expects, who has not joined.
    expected: i64,
    class_chat_5a: i64,
    school_channel: i64,
    students_message: i64,
    students_other_message: i64,
    ack_post: i64,
    poll: i64,
    report: i64,
    file: i64,
    image: i64,
    upload: (String, Vec<u8>),
    /// A call the class teacher started in the class chat of 5А.
    call_5a: i64,
    group_chat: i64,
    group_link: String,
    spare_group_link: i64,
    employee: Person,
    parent: Person,
    year: i64,
    subject: i64,
    group: i64,
    assignment: i64,
    lesson: i64,
    submission: i64,
    lesson_override: i64,
    grade_type: i64,
    /// A remote-learning order for 5А, over; the student marked without a device.
    order: i64,
    /// The teacher's individual assignment to the student under that order.
    individual: i64,
    calendar: String,
    /// School A's authority, and a curator of it the operator removes.
    authority: i64,
    other_authority: i64,
    spare_curator: i64,
    tokens: Vec<(Who, String)>,
    logout_tokens: Vec<(Who, String)>,
}

impl World {
    fn token(&self, who: Who) -> Option<&str> {
        self.tokens.iter().find(|(w, _)| *w == who).map(|(_, t)| t.as_str())
    }

    fn logout_token(&self, who: Who) -> Option<&str> {
        self.logout_tokens.iter().find(|(w, _)| *w == who).map(|(_, t)| t.as_str())
    }
}

/// The world numbered `n`: its schools are 101+n and 102+n, its application 103+n.
async fn build_world(app: &TestApp, n: u32) -> World {
    let operator = app.operator().await;
    let a = app.school_with(&operator, 101 + n).await;
    let b = app.school_with(&operator, 102 + n).await;
    let unit = app
        .post(&format!("/api/v1/orgs/{}/units", a.org))
        .token(&a.admin)
        .json(json!({ "name": "Основная школа" }))
        .send()
        .await
        .expect(201)
        .id();
    let class_5a = app.create_class(&a, "5А", 5).await;
    let class_5b = app.create_class(&a, "5Б", 5).await;
    app.patch(&format!("/api/v1/orgs/{}/classes/{class_5a}", a.org))
        .token(&a.admin)
        .json(json!({ "unit_id": unit }))
        .send()
        .await
        .expect(200);

    // School A's admin has a photo, read by the people of A alone.
    app.put("/api/v1/me/photo").token(&a.admin).raw("image/png", crate::support::png(64, 48)).send().await.expect(200);
    let class_teacher = app.join(&a, class_5a, "teacher", None, "Классная").await;
    app.assign_class_teacher(&a, class_5a, class_teacher.id).await;
    let other_class_teacher = app.join(&a, class_5b, "teacher", None, "Другая").await;
    app.assign_class_teacher(&a, class_5b, other_class_teacher.id).await;
    let teacher = app.join(&a, class_5a, "teacher", None, "Предметник").await;
    let director = app.join(&a, a.staff_room, "teacher", None, "Директорова").await;
    app.post(&format!("/api/v1/orgs/{}/members/{}/role", a.org, director.id))
        .token(&a.admin)
        .json(json!({ "role": "director" }))
        .send()
        .await
        .expect(200);
    let deputy = app.join(&a, a.staff_room, "teacher", None, "Завучева").await;
    app.post(&format!("/api/v1/orgs/{}/members/{}/role", a.org, deputy.id))
        .token(&a.admin)
        .json(json!({ "role": "deputy" }))
        .send()
        .await
        .expect(200);
    let employee = app.join(&a, a.staff_room, "employee", None, "Завхозов").await;
    let student = app.join(&a, class_5a, "student", None, "Ученикова").await;
    let student_5b = app.join(&a, class_5b, "student", None, "Другоклассник").await;
    let parent = app.join(&a, class_5a, "parent", Some(student.id), "Родителева").await;
    let parent_other = app.join(&a, class_5b, "parent", Some(student_5b.id), "Чужеродителев").await;
    let removed = app.join(&a, class_5a, "student", None, "Ушедший").await;
    let joined_on =
        app.get("/api/v1/me").token(&removed.token).send().await.json["schools"][0]["places"][0]["started_on"].clone();
    app.post(&format!("/api/v1/orgs/{}/members/{}/leave", a.org, removed.id))
        .token(&a.admin)
        .json(json!({ "on": joined_on }))
        .send()
        .await
        .expect(204);

    let class_b = app.create_class(&b, "5А", 5).await;
    let teacher_b = app.join(&b, class_b, "teacher", None, "Учительбе").await;
    let student_b = app.join(&b, class_b, "student", None, "Ученикбе").await;

    // A pending join request for 5А, two links for 5А, one revoked link.
    let approval_link = app
        .invite(&a.admin, a.org, json!({ "class_id": class_5a, "role": "student", "requires_approval": true }))
        .await;
    let applicant = app.register(&approval_link, "Заявителев", "applicant@people.test").await;
    let _ = applicant;
    let requests = app
        .get(&format!("/api/v1/orgs/{}/join-requests?status=pending", a.org))
        .token(&a.admin)
        .send()
        .await
        .expect(200);
    let join_request_5a = requests.json[0]["id"].as_i64().expect("join request");
    let created = app
        .post(&format!("/api/v1/orgs/{}/invites", a.org))
        .token(&a.admin)
        .json(json!({ "class_id": class_5a, "role": "student" }))
        .send()
        .await
        .expect(201);
    let invite_5a = created.json["invite"]["id"].as_i64().expect("invite id");
    let preview_token = app.invite(&a.admin, a.org, json!({ "class_id": class_5a, "role": "student" })).await;
    let revoked = app
        .post(&format!("/api/v1/orgs/{}/invites", a.org))
        .token(&a.admin)
        .json(json!({ "class_id": class_5b, "role": "student" }))
        .send()
        .await
        .expect(201);
    let revoked_token = revoked.json["token"].as_str().expect("token").to_owned();
    app.post(&format!("/api/v1/orgs/{}/invites/{}/revoke", a.org, revoked.json["invite"]["id"]))
        .token(&a.admin)
        .send()
        .await
        .expect(200);

    let application = app.apply(103 + n).await;

    // School A's education authority with its curator, school B's with another; a spare
    // curator of A's for the operator to remove.
    let authority_of = |name: String, org: i64| {
        let operator = operator.clone();
        async move {
            let created = app
                .post("/api/v1/authorities")
                .token(&operator)
                .json(json!({ "name": name, "region": "Свердловская область" }))
                .send()
                .await
                .expect(201)
                .id();
            app.put(&format!("/api/v1/authorities/{created}/schools/{org}")).token(&operator).send().await.expect(200);
            created
        }
    };
    let authority = authority_of(format!("Управление образования {n}"), a.org).await;
    let other_authority = authority_of(format!("Другое управление {n}"), b.org).await;
    let curator_of = |authority: i64, email: String| {
        let operator = operator.clone();
        async move {
            let added = app
                .post(&format!("/api/v1/authorities/{authority}/curators"))
                .token(&operator)
                .json(json!({ "family_name": "Кураторова", "given_name": "Тест", "email": email }))
                .send()
                .await
                .expect(201);
            let code = added.json["code"].as_str().expect("code").to_owned();
            app.post("/api/v1/auth/set-password")
                .json(json!({ "token": code, "password": PASSWORD }))
                .send()
                .await
                .expect(204);
            (added.json["curator"]["id"].as_i64().expect("id"), app.login(&email, PASSWORD).await)
        }
    };
    let (_, curator) = curator_of(authority, format!("curator{n}@authority.test")).await;
    let (_, other_curator) = curator_of(other_authority, format!("other-curator{n}@authority.test")).await;
    let (spare_curator, _) = curator_of(authority, format!("spare-curator{n}@authority.test")).await;

    let people: Vec<(Who, String)> = vec![
        (Operator, operator.clone()),
        (OtherSchoolAdmin, b.admin.clone()),
        (OtherSchoolTeacher, teacher_b.token.clone()),
        (OtherSchoolStudent, student_b.token.clone()),
        (Removed, removed.token.clone()),
        (ParentOfOtherChild, parent_other.token.clone()),
        (Parent, parent.token.clone()),
        (Student, student.token.clone()),
        (Employee, employee.token.clone()),
        (Teacher, teacher.token.clone()),
        (ClassTeacherOfOtherClass, other_class_teacher.token.clone()),
        (ClassTeacher, class_teacher.token.clone()),
        (Director, director.token.clone()),
        (Deputy, deputy.token.clone()),
        (Curator, curator.clone()),
        (OtherCurator, other_curator.clone()),
        (Admin, a.admin.clone()),
    ];
    // A second session each, for logging out without losing the first.
    let mut logout_tokens = Vec::new();
    for (who, token) in &people {
        let me = app.get("/api/v1/me").token(token).send().await.expect(200);
        let login = me.json["email"].as_str().expect("email").to_owned();
        logout_tokens.push((*who, app.login(&login, PASSWORD).await));
    }
    let spare = app.login(&format!("admin{0}@school{0}.ru", 101 + n), PASSWORD).await;
    let sessions = app.get("/api/v1/me/sessions").token(&spare).send().await.expect(200);
    let admin_spare_session =
        sessions.json.as_array().expect("list").iter().find(|s| s["current"] == true).expect("current")["id"]
            .as_i64()
            .expect("id");

    let mut admin_push_devices = [0; 2];
    for (device, name) in admin_push_devices.iter_mut().zip(["change", "end"]) {
        let subscription = serde_json::json!({
            "endpoint": format!("https://fcm.googleapis.com/fcm/send/authz-{n}-{name}"),
            "keys": {
                "p256dh": "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
                "auth": "BTBZMqHH6r4Tts7J_aSIgg",
            },
        });
        let made = app.post("/api/v1/push/subscriptions").token(&a.admin).json(subscription).send().await.expect(201);
        *device = made.json["id"].as_i64().expect("id");
    }

    let mut webhooks = [0; 2];
    for (hook, path) in webhooks.iter_mut().zip(["change", "remove"]) {
        let body =
            serde_json::json!({ "url": format!("https://hooks.example.org/{path}"), "events": ["member.joined"] });
        let made =
            app.post(&format!("/api/v1/orgs/{}/webhooks", a.org)).token(&a.admin).json(body).send().await.expect(201);
        *hook = made.json["webhook"]["id"].as_i64().expect("id");
    }

    use crate::roster::{MANIFEST, ORGS, SESSIONS, USERS_HEADER, zip_of};
    let register = zip_of(&[
        ("manifest.csv", MANIFEST.into()),
        ("orgs.csv", ORGS.into()),
        ("academicSessions.csv", SESSIONS.into()),
        ("classes.csv", b"sourcedId,title,classType,schoolSourcedId\n".to_vec()),
        ("users.csv", format!("{USERS_HEADER}t9,,,true,,,Вера,Ожидаемова,,,,,,,,\n").into_bytes()),
        ("roles.csv", b"userSourcedId,role,orgSourcedId\nt9,teacher,s1\n".to_vec()),
        ("enrollments.csv", b"classSourcedId,userSourcedId,role\n".to_vec()),
    ]);
    app.post(&format!("/api/v1/orgs/{}/roster/import?apply=true", a.org))
        .token(&a.admin)
        .raw("application/zip", register)
        .send()
        .await
        .expect(200);
    let waiting = app.get(&format!("/api/v1/orgs/{}/roster/people", a.org)).token(&a.admin).send().await.expect(200);
    let expected = waiting.json[0]["id"].as_i64().expect("the expected teacher");

    // The class chat of 5А and the school channel, as the student of 5А sees them.
    let chats = app.get(&format!("/api/v1/chats?org_id={}", a.org)).token(&student.token).send().await.expect(200);
    let chat_of = |kind: &str| {
        chats.json.as_array().expect("chats").iter().find(|c| c["kind"] == kind).expect("chat")["id"]
            .as_i64()
            .expect("id")
    };
    let (class_chat_5a, school_channel) = (chat_of("class"), chat_of("school_channel"));
    let call_5a = app
        .post(&format!("/api/v1/chats/{class_chat_5a}/calls"))
        .token(&class_teacher.token)
        .send()
        .await
        .expect(201)
        .id();
    let mut sent = Vec::new();
    for key in ["authz-1", "authz-2"] {
        let reply = app
            .post(&format!("/api/v1/chats/{class_chat_5a}/messages"))
            .token(&student.token)
            .json(json!({ "client_msg_id": key, "body": "Здравствуйте!" }))
            .send()
            .await
            .expect(201);
        sent.push(reply.id());
    }

    let ack_post = app
        .post(&format!("/api/v1/chats/{class_chat_5a}/messages"))
        .token(&class_teacher.token)
        .json(json!({ "client_msg_id": "authz-ack", "body": "Завтра экскурсия. Ознакомьтесь.", "needs_ack": true }))
        .send()
        .await
        .expect(201)
        .id();

    let poll = app
        .post(&format!("/api/v1/chats/{class_chat_5a}/polls"))
        .token(&class_teacher.token)
        .json(json!({ "client_msg_id": "authz-poll", "question": "Куда поедем?", "options": ["В музей", "В парк"] }))
        .send()
        .await
        .expect(201)
        .json["poll"]["id"]
        .as_i64()
        .expect("poll id");

    let (content_type, body) = multipart(&[], &[("file", "домашка.txt", "Упражнение 5, стр. 12".as_bytes())]);
    let file = app
        .post(&format!("/api/v1/chats/{class_chat_5a}/files"))
        .token(&student.token)
        .raw(&content_type, body)
        .send()
        .await
        .expect(201)
        .id();
    app.post(&format!("/api/v1/chats/{class_chat_5a}/messages"))
        .token(&student.token)
        .json(json!({ "client_msg_id": "authz-file", "body": "Вот задание", "attachments": [file] }))
        .send()
        .await
        .expect(201);

    let (content_type, body) = multipart(&[], &[("file", "доска.png", &crate::support::png(640, 480))]);
    let image = app
        .post(&format!("/api/v1/chats/{class_chat_5a}/files"))
        .token(&student.token)
        .raw(&content_type, body)
        .send()
        .await
        .expect(201)
        .id();
    app.post(&format!("/api/v1/chats/{class_chat_5a}/messages"))
        .token(&student.token)
        .json(json!({ "client_msg_id": "authz-image", "body": "Фото доски", "attachments": [image] }))
        .send()
        .await
        .expect(201);

    let report = app
        .post(&format!("/api/v1/chats/{class_chat_5a}/messages/{ack_post}/report"))
        .token(&student.token)
        .json(json!({ "reason": "Проверка очереди жалоб" }))
        .send()
        .await
        .expect(201)
        .id();

    // A group chat the subject teacher of 5А made with a student of 5А and a parent, and its links.
    let group_chat = app
        .post(&format!("/api/v1/orgs/{}/chats", a.org))
        .token(&teacher.token)
        .json(json!({ "kind": "group", "title": "Олимпиада", "member_ids": [student.id, parent.id] }))
        .send()
        .await
        .expect(201)
        .id();
    let link = app.post(&format!("/api/v1/chats/{group_chat}/invites")).token(&teacher.token).send().await.expect(201);
    let group_link = link.json["token"].as_str().expect("token").to_owned();
    let spare_group_link =
        app.post(&format!("/api/v1/chats/{group_chat}/invites")).token(&teacher.token).send().await.expect(201).id();

    // The school year of A, and a subject of its catalogue.
    let year = app
        .post(&format!("/api/v1/orgs/{}/years", a.org))
        .token(&a.admin)
        .json(year_request("2026/2027"))
        .send()
        .await
        .expect(201)
        .id();
    let subjects = app.get(&format!("/api/v1/orgs/{}/subjects", a.org)).token(&a.admin).send().await.expect(200);
    let subject = subjects.list()[0]["id"].as_i64().expect("a subject");
    let group = app
        .post(&format!("/api/v1/orgs/{}/classes/{class_5a}/groups", a.org))
        .token(&a.admin)
        .json(json!({ "name": "Английский, группа 1", "student_ids": [student.id] }))
        .send()
        .await
        .expect(201)
        .id();
    let assignment = app
        .post(&format!("/api/v1/orgs/{}/years/{year}/assignments", a.org))
        .token(&a.admin)
        .json(json!({ "teacher_id": teacher.id, "subject_id": subject, "class_id": class_5a }))
        .send()
        .await
        .expect(201)
        .id();
    // A Monday lesson of that assignment, written down by its teacher.
    app.put(&format!("/api/v1/orgs/{}/years/{year}/bells", a.org))
        .token(&a.admin)
        .json(json!({ "bells": [{ "shift": 1, "number": 1, "starts_at": "08:30", "ends_at": "09:10" }] }))
        .send()
        .await
        .expect(200);
    app.put(&format!("/api/v1/orgs/{}/years/{year}/classes/{class_5a}/timetable", a.org))
        .token(&a.admin)
        .json(json!({ "entries": [{ "weekday": 1, "shift": 1, "number": 1, "assignment_id": assignment }] }))
        .send()
        .await
        .expect(200);
    let lesson = app
        .post(&format!("/api/v1/orgs/{}/lessons", a.org))
        .token(&teacher.token)
        .json(lesson_request(assignment))
        .send()
        .await
        .expect(200)
        .json["lesson"]["id"]
        .as_i64()
        .expect("lesson id");
    // Homework at that lesson, with work the student handed in (everyone has been in
    // their class since the year began, so the student is one of the lesson's).
    app.sql("UPDATE memberships SET started_on = '2026-09-01' WHERE started_on > '2026-09-01'").await;
    app.put(&format!("/api/v1/orgs/{}/lessons/{lesson}/homework", a.org))
        .token(&teacher.token)
        .json(json!({ "body": "Упражнение 5", "due_on": "2026-11-03" }))
        .send()
        .await
        .expect(200);
    let submission = app
        .post(&format!("/api/v1/orgs/{}/lessons/{lesson}/submissions", a.org))
        .token(&student.token)
        .json(json!({ "body": "Сделано" }))
        .send()
        .await
        .expect(200)
        .id();

    // A lesson of the week after, cancelled.
    let lesson_override = app
        .post(&format!("/api/v1/orgs/{}/years/{year}/classes/{class_5a}/overrides", a.org))
        .token(&a.admin)
        .json(json!({ "kind": "cancel", "assignment_id": assignment, "date": "2026-11-09", "shift": 1, "number": 1 }))
        .send()
        .await
        .expect(201)
        .id();

    // A calendar feed of someone outside the matrix's people, whose link nobody there ends.
    let reader = app.join(&a, class_5a, "student", None, "Календарёва").await;
    let calendar = app.post("/api/v1/me/calendar-feed").token(&reader.token).send().await.expect(201).json["path"]
        .as_str()
        .expect("path")
        .to_owned();
    let grade_types = app.get(&format!("/api/v1/orgs/{}/grade-types", a.org)).token(&a.admin).send().await.expect(200);
    let grade_type = grade_types.list()[0]["id"].as_i64().expect("a grade type");
    let order = app
        .post(&format!("/api/v1/orgs/{}/orders", a.org))
        .token(&a.admin)
        .json(json!({
            "number": "7-о", "issued_on": "2026-11-20", "reason": "Карантин по гриппу",
            "starts_on": "2026-11-23", "ends_on": "2026-11-27", "class_ids": [class_5a],
        }))
        .send()
        .await
        .expect(201)
        .id();
    app.put(&format!("/api/v1/orgs/{}/orders/{order}/offline", a.org))
        .token(&a.admin)
        .json(json!({ "class_id": class_5a, "student_ids": [student.id] }))
        .send()
        .await
        .expect(200);
    let individual = app
        .post(&format!("/api/v1/orgs/{}/orders/{order}/individual", a.org))
        .token(&teacher.token)
        .json(json!({ "student_id": student.id, "assignment_id": assignment, "body": "§5, упр. 3", "due_on": "2026-12-01" }))
        .send()
        .await
        .expect(201)
        .id();

    World {
        order,
        individual,
        calendar,
        grade_type,
        year,
        subject,
        group,
        assignment,
        lesson,
        submission,
        lesson_override,
        group_chat,
        call_5a,
        group_link,
        spare_group_link,
        employee,
        parent,
        report,
        upload: multipart(&[], &[("file", "схема.txt", "план класса".as_bytes())]),
        file,
        image,
        poll,
        ack_post,
        class_chat_5a,
        school_channel,
        students_message: sent[0],
        students_other_message: sent[1],
        a,
        b,
        class_5a,
        class_5b,
        unit,
        invite_5a,
        preview_token,
        revoked_token,
        join_request_5a,
        student,
        teacher,
        application,
        admin_spare_session,
        admin_push_devices,
        webhooks,
        expected,
        authority,
        other_authority,
        spare_curator,
        tokens: people,
        logout_tokens,
    }
}

/// A year of two halves; `name` empty makes it a request every manager sees refused (422).
fn year_request(name: &str) -> Value {
    json!({
        "name": name, "starts_on": "2026-09-01", "ends_on": "2027-05-31", "school_days": 5, "period_kind": "halves",
        "periods": [{ "starts_on": "2026-09-01", "ends_on": "2026-12-28" }, { "starts_on": "2027-01-12", "ends_on": "2027-05-26" }],
    })
}

fn lesson_request(assignment: i64) -> Value {
    json!({ "assignment_id": assignment, "date": "2026-11-02", "shift": 1, "number": 1 })
}

/// One operation: how to call it in the world, and who may.
struct Row {
    method: &'static str,
    template: &'static str,
    path: String,
    body: Option<Body>,
    expect: Box<dyn Fn(Who) -> Expect>,
    /// Logs out or otherwise spends the session: use the spare token.
    spends_session: bool,
}

enum Body {
    Json(Value),
    Multipart(String, Vec<u8>),
}

fn public() -> Box<dyn Fn(Who) -> Expect> {
    Box::new(|_| Expect::Allow)
}

fn signed_in() -> Box<dyn Fn(Who) -> Expect> {
    Box::new(|who| if who == Anonymous { Expect::Unauth } else { Expect::Allow })
}

/// School A's object: `allowed` act; other members of A (and the operator when
/// `operator_sees`) are denied; everyone else finds nothing.
fn school(allowed: &'static [Who], operator_sees: bool) -> Box<dyn Fn(Who) -> Expect> {
    Box::new(move |who| {
        if who == Anonymous {
            Expect::Unauth
        } else if allowed.contains(&who) {
            Expect::Allow
        } else if MEMBERS.contains(&who) || (who == Operator && operator_sees) {
            Expect::Deny
        } else {
            Expect::Hidden
        }
    })
}

/// Private to `allowed`: to everyone else it does not exist.
fn private(allowed: &'static [Who]) -> Box<dyn Fn(Who) -> Expect> {
    Box::new(move |who| {
        if who == Anonymous {
            Expect::Unauth
        } else if allowed.contains(&who) {
            Expect::Allow
        } else {
            Expect::Hidden
        }
    })
}

/// A chat every member of school A sits in: `allowed` act, the other members are
/// refused, and to everyone else (the operator too) it does not exist.
fn chat_of_school(allowed: &'static [Who]) -> Box<dyn Fn(Who) -> Expect> {
    Box::new(move |who| {
        if who == Anonymous {
            Expect::Unauth
        } else if allowed.contains(&who) {
            Expect::Allow
        } else if MEMBERS.contains(&who) {
            Expect::Deny
        } else {
            Expect::Hidden
        }
    })
}

/// The class teacher moderates the class chat of 5А; its student only reads there.
fn moderates_class_chat_5a() -> Box<dyn Fn(Who) -> Expect> {
    Box::new(|who| match who {
        Anonymous => Expect::Unauth,
        ClassTeacher => Expect::Allow,
        Student => Expect::Deny,
        _ => Expect::Hidden,
    })
}

/// The group chat the subject teacher made with the student and the parent: its owner
/// acts, its members are refused, to everyone else it does not exist.
fn owns_group_chat() -> Box<dyn Fn(Who) -> Expect> {
    Box::new(|who| match who {
        Anonymous => Expect::Unauth,
        Teacher => Expect::Allow,
        Student | Parent => Expect::Deny,
        _ => Expect::Hidden,
    })
}

/// The group chat's history imported: its owner and school A's admins act, its
/// members are refused, to everyone else it does not exist.
fn imports_into_group_chat() -> Box<dyn Fn(Who) -> Expect> {
    Box::new(|who| match who {
        Anonymous => Expect::Unauth,
        Teacher | Admin => Expect::Allow,
        Student | Parent => Expect::Deny,
        _ => Expect::Hidden,
    })
}

/// Platform lists: the operator acts, everyone else is refused.
fn platform() -> Box<dyn Fn(Who) -> Expect> {
    Box::new(|who| match who {
        Anonymous => Expect::Unauth,
        Operator => Expect::Allow,
        _ => Expect::Deny,
    })
}

const ADMIN: &[Who] = &[Admin];
/// Who sets up the school year: the admins and «завуч», the deputy director.
const YEAR_MANAGERS: &[Who] = &[Deputy, Admin];
/// Who issues and ends remote-learning orders: the director, and the admins for them.
const ORDER_ISSUERS: &[Who] = &[Director, Admin];
/// The class chat of 5А: its students and its class teacher.
const IN_CLASS_CHAT_5A: &[Who] = &[Student, ClassTeacher];
const OPERATOR: &[Who] = &[Operator];
const READERS_OF_SCHOOL: &[Who] = &[
    Operator,
    ParentOfOtherChild,
    Parent,
    Student,
    Employee,
    Teacher,
    ClassTeacherOfOtherClass,
    ClassTeacher,
    Director,
    Deputy,
    Admin,
];
/// The subject teacher of 5А writes its lessons; its class teacher and the administration read them.
const LESSON_TEACHER: &[Who] = &[Teacher];
const JOURNAL_READERS_OF_5A: &[Who] = &[Teacher, ClassTeacher, Director, Deputy, Admin];
/// The student of 5А's diary: the student, their parent, the class teacher, the administration.
const DIARY_READERS_OF_STUDENT: &[Who] = &[Student, Parent, ClassTeacher, Director, Deputy, Admin];
/// An online lesson of 5А: its teacher, the journal's readers, its student and their parent.
const ONLINE_LESSON_READERS: &[Who] = &[Student, Parent, Teacher, ClassTeacher, Director, Deputy, Admin];
/// Staff of school A read the whole school's teaching.
const STAFF_OF_SCHOOL: &[Who] = &STAFF;
const INVITE_MANAGERS: &[Who] = &[Admin, ClassTeacher, ClassTeacherOfOtherClass];
const MANAGERS_OF_5A: &[Who] = &[Admin, ClassTeacher];
/// The school's administration: who reads every class's journal.
const ADMINISTRATION: &[Who] = &[Director, Deputy, Admin];
const READERS_OF_5A: &[Who] =
    &[Parent, Student, Employee, Teacher, ClassTeacherOfOtherClass, ClassTeacher, Director, Deputy, Admin];

fn rows(w: &World) -> Vec<Row> {
    let org = w.a.org;
    let row = |method: &'static str,
               template: &'static str,
               path: String,
               body: Option<Body>,
               expect: Box<dyn Fn(Who) -> Expect>| Row {
        method,
        template,
        path,
        body,
        expect,
        spends_session: false,
    };
    let json = |value: Value| Some(Body::Json(value));
    let (bad_form_type, bad_form) = multipart(&[("school_name", "")], &[]);
    let (not_an_image_type, not_an_image) = multipart(&[], &[("file", "photo.txt", "не фото".as_bytes())]);
    vec![
        row(
            "POST",
            "/api/v1/auth/login",
            "/api/v1/auth/login".into(),
            json(json!({ "login": "admin101@school101.ru", "password": PASSWORD })),
            public(),
        ),
        Row {
            spends_session: true,
            ..row("POST", "/api/v1/auth/logout", "/api/v1/auth/logout".into(), None, signed_in())
        },
        row(
            "POST",
            "/api/v1/auth/register",
            "/api/v1/auth/register".into(),
            json(
                json!({ "consent_version": parta_domain::consent::VERSION, "invite_token": w.preview_token, "family_name": "", "given_name": "", "password": "x" }),
            ),
            public(),
        ),
        row(
            "POST",
            "/api/v1/auth/set-password",
            "/api/v1/auth/set-password".into(),
            json(json!({ "token": "no such code", "password": PASSWORD })),
            public(),
        ),
        row("GET", "/api/v1/me", "/api/v1/me".into(), None, signed_in()),
        row("DELETE", "/api/v1/me", "/api/v1/me".into(), json(json!({ "password": "not my password" })), signed_in()),
        row("GET", "/api/v1/me/csrf", "/api/v1/me/csrf".into(), None, signed_in()),
        // A link to set a new password: anyone may ask (the same answer for every address).
        row(
            "POST",
            "/api/v1/auth/password-reset",
            "/api/v1/auth/password-reset".into(),
            json(json!({ "email": "nobody@authz.test" })),
            public(),
        ),
        // One's own digest; its stop link works without signing in (an unknown one is gone).
        row("GET", "/api/v1/me/digest", "/api/v1/me/digest".into(), None, signed_in()),
        row("PUT", "/api/v1/me/digest", "/api/v1/me/digest".into(), json(json!({ "frequency": "off" })), signed_in()),
        row(
            "POST",
            "/api/v1/digest/unsubscribe",
            "/api/v1/digest/unsubscribe".into(),
            json(json!({ "token": "not-a-token" })),
            public(),
        ),
        row(
            "POST",
            "/api/v1/digest/unsubscribe/{token}",
            "/api/v1/digest/unsubscribe/not-a-token".into(),
            None,
            public(),
        ),
        row(
            "GET",
            "/api/v1/digest/unsubscribe/{token}",
            "/api/v1/digest/unsubscribe/not-a-token".into(),
            None,
            public(),
        ),
        // Each person's own notifications: nobody reaches another's.
        row("GET", "/api/v1/notifications", "/api/v1/notifications".into(), None, signed_in()),
        row(
            "POST",
            "/api/v1/notifications/read",
            "/api/v1/notifications/read".into(),
            json(json!({ "all": true })),
            signed_in(),
        ),
        // One's own devices for push: nobody reaches another's.
        row("GET", "/api/v1/push/key", "/api/v1/push/key".into(), None, signed_in()),
        row("GET", "/api/v1/push/subscriptions", "/api/v1/push/subscriptions".into(), None, signed_in()),
        row(
            "POST",
            "/api/v1/push/subscriptions",
            "/api/v1/push/subscriptions".into(),
            json(json!({ "endpoint": "http://not-a-push-service.test/", "keys": { "p256dh": "", "auth": "" } })),
            signed_in(),
        ),
        row(
            "PUT",
            "/api/v1/push/subscriptions/{id}",
            format!("/api/v1/push/subscriptions/{}", w.admin_push_devices[0]),
            json(json!({ "kinds_off": ["message"] })),
            private(ADMIN),
        ),
        row(
            "DELETE",
            "/api/v1/push/subscriptions/{id}",
            format!("/api/v1/push/subscriptions/{}", w.admin_push_devices[1]),
            None,
            private(ADMIN),
        ),
        // Signing in with an OpenID provider: the browser's steps are anyone's (an unknown
        // provider sends the browser back to the login page); one's own links are one's own.
        row("GET", "/api/v1/auth/oidc", "/api/v1/auth/oidc".into(), None, public()),
        row("GET", "/api/v1/auth/oidc/{id}/start", "/api/v1/auth/oidc/nope/start".into(), None, public()),
        row("GET", "/api/v1/auth/oidc/{id}/callback", "/api/v1/auth/oidc/nope/callback".into(), None, public()),
        row("GET", "/api/v1/me/oidc", "/api/v1/me/oidc".into(), None, signed_in()),
        // Without the password the body is refused (422) before any provider is asked.
        row("POST", "/api/v1/me/oidc/{id}/link", "/api/v1/me/oidc/nope/link".into(), json(json!({})), signed_in()),
        // Nobody here has a link: there is nothing of anyone's to unlink.
        row("DELETE", "/api/v1/me/oidc/{id}", "/api/v1/me/oidc/nope".into(), None, private(&[])),
        row("GET", "/api/v1/me/sessions", "/api/v1/me/sessions".into(), None, signed_in()),
        row("GET", "/api/v1/me/messages/export", "/api/v1/me/messages/export".into(), None, signed_in()),
        row("GET", "/api/v1/me/export", "/api/v1/me/export".into(), None, signed_in()),
        row(
            "DELETE",
            "/api/v1/me/sessions/{session_id}",
            format!("/api/v1/me/sessions/{}", w.admin_spare_session),
            None,
            private(ADMIN),
        ),
        row(
            "POST",
            "/api/v1/me/password",
            "/api/v1/me/password".into(),
            json(json!({ "current_password": "wrong", "new_password": "whatever123" })),
            signed_in(),
        ),
        // One's own profile: everyone signed in, for themselves only (bodies the server
        // refuses, so nothing changes).
        row(
            "PUT",
            "/api/v1/me/name",
            "/api/v1/me/name".into(),
            json(json!({ "family_name": "", "given_name": "" })),
            signed_in(),
        ),
        row("PUT", "/api/v1/me/language", "/api/v1/me/language".into(), json(json!({ "language": "xx" })), signed_in()),
        row(
            "POST",
            "/api/v1/me/email",
            "/api/v1/me/email".into(),
            json(json!({ "email": "not an address", "current_password": "wrong" })),
            signed_in(),
        ),
        row(
            "POST",
            "/api/v1/me/email/confirm",
            "/api/v1/me/email/confirm".into(),
            json(json!({ "code": "000000" })),
            signed_in(),
        ),
        row(
            "POST",
            "/api/v1/me/phone",
            "/api/v1/me/phone".into(),
            json(json!({ "phone": "+79123456789" })),
            signed_in(),
        ),
        row(
            "POST",
            "/api/v1/me/phone/confirm",
            "/api/v1/me/phone/confirm".into(),
            json(json!({ "code": "000000" })),
            signed_in(),
        ),
        row(
            "PUT",
            "/api/v1/me/photo",
            "/api/v1/me/photo".into(),
            Some(Body::Multipart(not_an_image_type.clone(), not_an_image.clone())),
            signed_in(),
        ),
        // School A's admin's photo: whoever is in school A now; to anyone else it does not
        // exist. Before the row that removes one's photo (the admin acts last).
        row(
            "GET",
            "/api/v1/users/{user_id}/photo",
            format!("/api/v1/users/{}/photo", w.a.admin_id),
            None,
            private(&MEMBERS),
        ),
        row("DELETE", "/api/v1/me/photo", "/api/v1/me/photo".into(), None, signed_in()),
        // «Исправить ФИО»: the admins of the school (an empty name, refused after the check).
        row(
            "PUT",
            "/api/v1/orgs/{org_id}/members/{user_id}/name",
            format!("/api/v1/orgs/{org}/members/{}/name", w.student.id),
            json(json!({ "family_name": "", "given_name": "" })),
            school(ADMIN, true),
        ),
        // The register as OneRoster: the admins (a body that is no zip, refused after the check).
        row(
            "POST",
            "/api/v1/orgs/{org_id}/roster/import",
            format!("/api/v1/orgs/{org}/roster/import"),
            Some(Body::Multipart("application/zip".into(), b"not a zip".to_vec())),
            school(ADMIN, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/roster/export",
            format!("/api/v1/orgs/{org}/roster/export"),
            None,
            school(ADMIN, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/roster/people",
            format!("/api/v1/orgs/{org}/roster/people"),
            None,
            school(ADMIN, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/roster/people/{person_id}/link",
            format!("/api/v1/orgs/{org}/roster/people/{}/link", w.expected),
            None,
            school(ADMIN, true),
        ),
        // Webhooks: the admins (a new one refused for its address, after the check).
        row("GET", "/api/v1/orgs/{org_id}/webhooks", format!("/api/v1/orgs/{org}/webhooks"), None, school(ADMIN, true)),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/webhooks",
            format!("/api/v1/orgs/{org}/webhooks"),
            json(json!({ "url": "http://not-https.example.org", "events": ["member.joined"] })),
            school(ADMIN, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/webhooks/{webhook_id}/deliveries",
            format!("/api/v1/orgs/{org}/webhooks/{}/deliveries", w.webhooks[0]),
            None,
            school(ADMIN, true),
        ),
        row(
            "PATCH",
            "/api/v1/orgs/{org_id}/webhooks/{webhook_id}",
            format!("/api/v1/orgs/{org}/webhooks/{}", w.webhooks[0]),
            json(json!({ "active": false })),
            school(ADMIN, true),
        ),
        row(
            "DELETE",
            "/api/v1/orgs/{org_id}/webhooks/{webhook_id}",
            format!("/api/v1/orgs/{org}/webhooks/{}", w.webhooks[1]),
            None,
            school(ADMIN, true),
        ),
        row(
            "POST",
            "/api/v1/applications",
            "/api/v1/applications".into(),
            Some(Body::Multipart(bad_form_type, bad_form)),
            public(),
        ),
        row("GET", "/api/v1/applications", "/api/v1/applications".into(), None, platform()),
        row(
            "GET",
            "/api/v1/applications/{application_id}",
            format!("/api/v1/applications/{}", w.application),
            None,
            private(OPERATOR),
        ),
        row(
            "GET",
            "/api/v1/applications/{application_id}/order",
            format!("/api/v1/applications/{}/order", w.application),
            None,
            private(OPERATOR),
        ),
        row(
            "POST",
            "/api/v1/applications/{application_id}/reject",
            format!("/api/v1/applications/{}/reject", w.application),
            json(json!({ "reason": "" })),
            private(OPERATOR),
        ),
        row(
            "POST",
            "/api/v1/applications/{application_id}/admin-invite",
            format!("/api/v1/applications/{}/admin-invite", w.application),
            None,
            private(OPERATOR),
        ),
        row(
            "PUT",
            "/api/v1/applications/{application_id}/admin-contacts",
            format!("/api/v1/applications/{}/admin-contacts", w.application),
            json(json!({ "admin_email": "director@school.test", "admin_phone": "+7 900 000 00 00" })),
            private(OPERATOR),
        ),
        row(
            "POST",
            "/api/v1/applications/{application_id}/approve",
            format!("/api/v1/applications/{}/approve", w.application),
            None,
            private(OPERATOR),
        ),
        row("GET", "/api/v1/audit", "/api/v1/audit".into(), None, platform()),
        row("GET", "/api/v1/orgs/{org_id}", format!("/api/v1/orgs/{org}"), None, school(READERS_OF_SCHOOL, true)),
        row("PATCH", "/api/v1/orgs/{org_id}", format!("/api/v1/orgs/{org}"), json(json!({})), school(ADMIN, true)),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/years",
            format!("/api/v1/orgs/{org}/years"),
            None,
            school(READERS_OF_SCHOOL, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/years",
            format!("/api/v1/orgs/{org}/years"),
            json(year_request("")),
            school(YEAR_MANAGERS, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/years/{year_id}",
            format!("/api/v1/orgs/{org}/years/{}", w.year),
            None,
            school(READERS_OF_SCHOOL, true),
        ),
        row(
            "PUT",
            "/api/v1/orgs/{org_id}/years/{year_id}",
            format!("/api/v1/orgs/{org}/years/{}", w.year),
            json(year_request("")),
            school(YEAR_MANAGERS, true),
        ),
        row(
            "PUT",
            "/api/v1/orgs/{org_id}/years/{year_id}/bells",
            format!("/api/v1/orgs/{org}/years/{}/bells", w.year),
            json(json!({ "bells": [{ "shift": 9, "number": 1, "starts_at": "08:30", "ends_at": "09:10" }] })),
            school(YEAR_MANAGERS, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/subjects",
            format!("/api/v1/orgs/{org}/subjects"),
            None,
            school(READERS_OF_SCHOOL, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/subjects",
            format!("/api/v1/orgs/{org}/subjects"),
            json(json!({ "name": "" })),
            school(YEAR_MANAGERS, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/classes/{class_id}/groups",
            format!("/api/v1/orgs/{org}/classes/{}/groups", w.class_5a),
            None,
            school(READERS_OF_5A, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/classes/{class_id}/groups",
            format!("/api/v1/orgs/{org}/classes/{}/groups", w.class_5a),
            json(json!({ "name": "" })),
            school(YEAR_MANAGERS, true),
        ),
        row(
            "PUT",
            "/api/v1/orgs/{org_id}/classes/{class_id}/groups/{group_id}",
            format!("/api/v1/orgs/{org}/classes/{}/groups/{}", w.class_5a, w.group),
            json(json!({ "name": "" })),
            school(YEAR_MANAGERS, true),
        ),
        row(
            "DELETE",
            "/api/v1/orgs/{org_id}/classes/{class_id}/groups/{group_id}",
            format!("/api/v1/orgs/{org}/classes/{}/groups/{}", w.class_5a, w.group),
            None,
            school(YEAR_MANAGERS, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/grade-types",
            format!("/api/v1/orgs/{org}/grade-types"),
            None,
            school(READERS_OF_SCHOOL, true),
        ),
        row("POST", "/api/v1/me/calendar-feed", "/api/v1/me/calendar-feed".into(), None, signed_in()),
        row("DELETE", "/api/v1/me/calendar-feed", "/api/v1/me/calendar-feed".into(), None, signed_in()),
        row("GET", "/api/v1/calendar/{token}", w.calendar.clone(), None, public()),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/grade-types",
            format!("/api/v1/orgs/{org}/grade-types"),
            json(json!({ "name": "", "weight": 1.0 })),
            school(YEAR_MANAGERS, true),
        ),
        row(
            "PATCH",
            "/api/v1/orgs/{org_id}/grade-types/{grade_type_id}",
            format!("/api/v1/orgs/{org}/grade-types/{}", w.grade_type),
            json(json!({ "name": "" })),
            school(YEAR_MANAGERS, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/lessons",
            format!("/api/v1/orgs/{org}/lessons"),
            json(lesson_request(w.assignment)),
            school(LESSON_TEACHER, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/years/{year_id}/journal",
            format!("/api/v1/orgs/{org}/years/{}/journal?assignment_id={}&period=1", w.year, w.assignment),
            None,
            school(JOURNAL_READERS_OF_5A, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/years/{year_id}/journal/export",
            format!(
                "/api/v1/orgs/{org}/years/{}/journal/export?assignment_id={}&period=1&format=csv",
                w.year, w.assignment
            ),
            None,
            school(JOURNAL_READERS_OF_5A, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/years/{year_id}/classes/{class_id}/summary",
            format!("/api/v1/orgs/{org}/years/{}/classes/{}/summary?period=1&format=csv", w.year, w.class_5a),
            None,
            school(&[ClassTeacher, Director, Deputy, Admin], true),
        ),
        row(
            "PUT",
            "/api/v1/orgs/{org_id}/years/{year_id}/period-marks",
            format!("/api/v1/orgs/{org}/years/{}/period-marks", w.year),
            json(json!({ "assignment_id": w.assignment, "period": 1, "marks": [] })),
            school(LESSON_TEACHER, true),
        ),
        row(
            "PUT",
            "/api/v1/orgs/{org_id}/years/{year_id}/year-marks",
            format!("/api/v1/orgs/{org}/years/{}/year-marks", w.year),
            json(json!({ "assignment_id": w.assignment, "marks": [] })),
            school(LESSON_TEACHER, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/journal-settings",
            format!("/api/v1/orgs/{org}/journal-settings"),
            None,
            school(READERS_OF_SCHOOL, true),
        ),
        row(
            "PUT",
            "/api/v1/orgs/{org_id}/journal-settings",
            format!("/api/v1/orgs/{org}/journal-settings"),
            json(json!({ "round_from": 4.5 })),
            school(YEAR_MANAGERS, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/regulations",
            format!("/api/v1/orgs/{org}/regulations"),
            None,
            school(READERS_OF_SCHOOL, true),
        ),
        row(
            "PUT",
            "/api/v1/orgs/{org_id}/regulations",
            format!("/api/v1/orgs/{org}/regulations"),
            json(json!({
                "lesson_minutes": [20, 25, 30, 35],
                "homework_day_minutes": [90, 120, 150, 210],
                "homework_entry_minutes": 120,
                "marks_entry_days": 7,
                "homework_limit_strict": false
            })),
            school(YEAR_MANAGERS, true),
        ),
        // A year into itself: the admins are refused at the field (422), nothing moves.
        row(
            "POST",
            "/api/v1/orgs/{org_id}/year-transition/preview",
            format!("/api/v1/orgs/{org}/year-transition/preview"),
            json(json!({ "from_year_id": w.year, "to_year_id": w.year })),
            school(ADMIN, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/year-transition",
            format!("/api/v1/orgs/{org}/year-transition"),
            json(json!({ "from_year_id": w.year, "to_year_id": w.year })),
            school(ADMIN, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/orders",
            format!("/api/v1/orgs/{org}/orders"),
            None,
            school(READERS_OF_SCHOOL, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/orders",
            format!("/api/v1/orgs/{org}/orders"),
            json(json!({
                "number": "1", "issued_on": "2026-11-01", "reason": "Карантин",
                "starts_on": "2026-11-02", "ends_on": "2026-11-03", "class_ids": [w.class_5a],
            })),
            school(ORDER_ISSUERS, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/orders/{order_id}",
            format!("/api/v1/orgs/{org}/orders/{}", w.order),
            None,
            school(READERS_OF_SCHOOL, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/orders/{order_id}/end",
            format!("/api/v1/orgs/{org}/orders/{}/end", w.order),
            None,
            school(ORDER_ISSUERS, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/orders/{order_id}/offline",
            format!("/api/v1/orgs/{org}/orders/{}/offline", w.order),
            None,
            school(&STAFF, true),
        ),
        row(
            "PUT",
            "/api/v1/orgs/{org_id}/orders/{order_id}/offline",
            format!("/api/v1/orgs/{org}/orders/{}/offline", w.order),
            json(json!({ "class_id": w.class_5a, "student_ids": [w.student.id] })),
            school(&[ClassTeacher, Director, Deputy, Admin], true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/orders/{order_id}/individual",
            format!("/api/v1/orgs/{org}/orders/{}/individual", w.order),
            None,
            school(READERS_OF_SCHOOL, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/orders/{order_id}/individual",
            format!("/api/v1/orgs/{org}/orders/{}/individual", w.order),
            json(
                json!({ "student_id": w.student.id, "assignment_id": w.assignment, "body": "Ещё", "due_on": "2026-12-02" }),
            ),
            school(LESSON_TEACHER, true),
        ),
        row(
            "PUT",
            "/api/v1/orgs/{org_id}/individual/{individual_id}/mark",
            format!("/api/v1/orgs/{org}/individual/{}/mark", w.individual),
            json(json!({ "mark": "5" })),
            // Its teacher marks it; those who read it may not; to the rest it is not there.
            Box::new(|who| match who {
                Anonymous => Expect::Unauth,
                Teacher => Expect::Allow,
                Student | Parent | ClassTeacher | Director | Deputy | Admin => Expect::Deny,
                _ => Expect::Hidden,
            }),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/compliance",
            format!("/api/v1/orgs/{org}/compliance?from=2026-11-01&to=2026-11-30"),
            None,
            school(ADMINISTRATION, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/compliance/export",
            format!("/api/v1/orgs/{org}/compliance/export?from=2026-11-01&to=2026-11-30&format=xlsx"),
            None,
            school(ADMINISTRATION, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/lessons/{lesson_id}/homework-load",
            format!("/api/v1/orgs/{org}/lessons/{}/homework-load?due_on=2026-11-02&minutes=20", w.lesson),
            None,
            school(JOURNAL_READERS_OF_5A, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/years/{year_id}/periods/{number}/close",
            format!("/api/v1/orgs/{org}/years/{}/periods/2/close", w.year),
            None,
            school(YEAR_MANAGERS, true),
        ),
        row(
            "PUT",
            "/api/v1/orgs/{org_id}/lessons/{lesson_id}/homework",
            format!("/api/v1/orgs/{org}/lessons/{}/homework", w.lesson),
            json(json!({ "body": "", "due_on": "2026-11-02" })),
            school(LESSON_TEACHER, true),
        ),
        row(
            "DELETE",
            "/api/v1/orgs/{org_id}/lessons/{lesson_id}/homework",
            format!("/api/v1/orgs/{org}/lessons/{}/homework", w.lesson),
            None,
            school(LESSON_TEACHER, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/journal/files",
            format!("/api/v1/orgs/{org}/journal/files"),
            Some(Body::Multipart(w.upload.0.clone(), w.upload.1.clone())),
            school(&MEMBERS, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/lessons/{lesson_id}/submissions",
            format!("/api/v1/orgs/{org}/lessons/{}/submissions", w.lesson),
            None,
            school(JOURNAL_READERS_OF_5A, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/lessons/{lesson_id}/submissions",
            format!("/api/v1/orgs/{org}/lessons/{}/submissions", w.lesson),
            json(json!({ "body": "" })),
            school(&[Student], true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/submissions/{submission_id}/return",
            format!("/api/v1/orgs/{org}/submissions/{}/return", w.submission),
            json(json!({ "comment": "" })),
            school(LESSON_TEACHER, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/submissions/{submission_id}/grade",
            format!("/api/v1/orgs/{org}/submissions/{}/grade", w.submission),
            json(json!({ "mark": "6" })),
            school(LESSON_TEACHER, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/diary/signatures",
            format!("/api/v1/orgs/{org}/diary/signatures"),
            json(json!({ "student_id": w.student.id, "date": "2026-11-02" })),
            school(&[Parent], true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/classes/{class_id}/diary-signatures",
            format!("/api/v1/orgs/{org}/classes/{}/diary-signatures?date=2026-11-02", w.class_5a),
            None,
            school(&[ClassTeacher, Director, Deputy, Admin], true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/diary/marks",
            format!("/api/v1/orgs/{org}/diary/marks?student_id={}&period=1&date=2026-11-02", w.student.id),
            None,
            school(DIARY_READERS_OF_STUDENT, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/diary",
            format!("/api/v1/orgs/{org}/diary?student_id={}&date=2026-11-02", w.student.id),
            None,
            school(DIARY_READERS_OF_STUDENT, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/lessons/{lesson_id}",
            format!("/api/v1/orgs/{org}/lessons/{}", w.lesson),
            None,
            school(JOURNAL_READERS_OF_5A, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/lessons/{lesson_id}/call",
            format!("/api/v1/orgs/{org}/lessons/{}/call", w.lesson),
            None,
            school(LESSON_TEACHER, true),
        ),
        // Its teacher and the journal's readers see every student; the student
        // themselves and their parent; to anyone else the online lesson does not exist.
        row(
            "GET",
            "/api/v1/orgs/{org_id}/lessons/{lesson_id}/online",
            format!("/api/v1/orgs/{org}/lessons/{}/online", w.lesson),
            None,
            private(ONLINE_LESSON_READERS),
        ),
        row(
            "PUT",
            "/api/v1/orgs/{org_id}/lessons/{lesson_id}/attendance",
            format!("/api/v1/orgs/{org}/lessons/{}/attendance", w.lesson),
            json(json!({ "entries": [] })),
            school(LESSON_TEACHER, true),
        ),
        row(
            "PUT",
            "/api/v1/orgs/{org_id}/lessons/{lesson_id}/grades",
            format!("/api/v1/orgs/{org}/lessons/{}/grades", w.lesson),
            json(json!({ "grades": [] })),
            school(LESSON_TEACHER, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/years/{year_id}/assignments",
            format!("/api/v1/orgs/{org}/years/{}/assignments", w.year),
            None,
            school(STAFF_OF_SCHOOL, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/years/{year_id}/assignments",
            format!("/api/v1/orgs/{org}/years/{}/assignments", w.year),
            json(json!({ "teacher_id": 0, "subject_id": 0, "class_id": 0 })),
            school(YEAR_MANAGERS, true),
        ),
        row(
            "DELETE",
            "/api/v1/orgs/{org_id}/years/{year_id}/assignments/{assignment_id}",
            format!("/api/v1/orgs/{org}/years/{}/assignments/{}", w.year, w.assignment),
            None,
            school(YEAR_MANAGERS, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/years/{year_id}/classes/{class_id}/timetable",
            format!("/api/v1/orgs/{org}/years/{}/classes/{}/timetable", w.year, w.class_5a),
            None,
            school(READERS_OF_5A, true),
        ),
        row(
            "PUT",
            "/api/v1/orgs/{org_id}/years/{year_id}/classes/{class_id}/timetable",
            format!("/api/v1/orgs/{org}/years/{}/classes/{}/timetable", w.year, w.class_5a),
            json(json!({ "entries": [{ "weekday": 9, "shift": 1, "number": 1, "assignment_id": 0 }] })),
            school(YEAR_MANAGERS, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/years/{year_id}/classes/{class_id}/overrides",
            format!(
                "/api/v1/orgs/{org}/years/{}/classes/{}/overrides?from=2026-11-02&to=2026-11-15",
                w.year, w.class_5a
            ),
            None,
            school(YEAR_MANAGERS, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/years/{year_id}/classes/{class_id}/overrides",
            format!("/api/v1/orgs/{org}/years/{}/classes/{}/overrides", w.year, w.class_5a),
            json(json!({ "kind": "cancel", "assignment_id": 0, "date": "2026-11-02", "shift": 1, "number": 1 })),
            school(YEAR_MANAGERS, true),
        ),
        row(
            "DELETE",
            "/api/v1/orgs/{org_id}/years/{year_id}/overrides/{override_id}",
            format!("/api/v1/orgs/{org}/years/{}/overrides/{}", w.year, w.lesson_override),
            None,
            school(YEAR_MANAGERS, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/years/{year_id}/week",
            format!("/api/v1/orgs/{org}/years/{}/week?date=2026-11-02&class_id={}", w.year, w.class_5a),
            None,
            school(READERS_OF_5A, true),
        ),
        row(
            "PATCH",
            "/api/v1/orgs/{org_id}/subjects/{subject_id}",
            format!("/api/v1/orgs/{org}/subjects/{}", w.subject),
            json(json!({ "name": "" })),
            school(YEAR_MANAGERS, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/units",
            format!("/api/v1/orgs/{org}/units"),
            None,
            school(READERS_OF_SCHOOL, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/units",
            format!("/api/v1/orgs/{org}/units"),
            json(json!({ "name": "" })),
            school(ADMIN, true),
        ),
        row(
            "PATCH",
            "/api/v1/orgs/{org_id}/units/{unit_id}",
            format!("/api/v1/orgs/{org}/units/{}", w.unit),
            json(json!({ "name": "Основная школа" })),
            school(ADMIN, true),
        ),
        row(
            "DELETE",
            "/api/v1/orgs/{org_id}/units/{unit_id}",
            format!("/api/v1/orgs/{org}/units/{}", w.unit),
            None,
            school(ADMIN, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/classes",
            format!("/api/v1/orgs/{org}/classes"),
            None,
            school(READERS_OF_SCHOOL, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/classes",
            format!("/api/v1/orgs/{org}/classes"),
            json(json!({ "name": "6А", "grade": 99, "academic_year": 2026 })),
            school(ADMIN, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/classes/{class_id}",
            format!("/api/v1/orgs/{org}/classes/{}", w.class_5a),
            None,
            school(READERS_OF_SCHOOL, true),
        ),
        row(
            "PATCH",
            "/api/v1/orgs/{org_id}/classes/{class_id}",
            format!("/api/v1/orgs/{org}/classes/{}", w.class_5a),
            json(json!({})),
            school(ADMIN, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/classes/{class_id}/class-teachers",
            format!("/api/v1/orgs/{org}/classes/{}/class-teachers", w.class_5a),
            json(json!({ "user_id": w.student.id })),
            school(ADMIN, true),
        ),
        row(
            "DELETE",
            "/api/v1/orgs/{org_id}/classes/{class_id}/class-teachers/{user_id}",
            format!("/api/v1/orgs/{org}/classes/{}/class-teachers/{}", w.class_5a, w.student.id),
            None,
            school(ADMIN, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/classes/{class_id}/memberships",
            format!("/api/v1/orgs/{org}/classes/{}/memberships", w.class_5a),
            None,
            school(READERS_OF_5A, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/admins",
            format!("/api/v1/orgs/{org}/admins"),
            None,
            school(READERS_OF_SCHOOL, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/admins",
            format!("/api/v1/orgs/{org}/admins"),
            json(json!({ "user_id": w.student.id })),
            // The seeds: the director appoints the platform's admins.
            school(&[Director, Admin], true),
        ),
        row(
            "DELETE",
            "/api/v1/orgs/{org_id}/admins/{user_id}",
            format!("/api/v1/orgs/{org}/admins/{}", w.teacher.id),
            None,
            school(&[Director, Admin], true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/invites",
            format!("/api/v1/orgs/{org}/invites"),
            None,
            school(INVITE_MANAGERS, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/invites",
            format!("/api/v1/orgs/{org}/invites"),
            json(json!({ "class_id": w.class_5a, "role": "student", "max_uses": 0 })),
            school(MANAGERS_OF_5A, true),
        ),
        // A staff link, even for a class, is the admin's alone.
        row(
            "POST",
            "/api/v1/orgs/{org_id}/invites",
            format!("/api/v1/orgs/{org}/invites"),
            json(json!({ "class_id": w.class_5a, "role": "teacher", "max_uses": 0 })),
            school(ADMIN, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/invites/{invite_id}/revoke",
            format!("/api/v1/orgs/{org}/invites/{}/revoke", w.invite_5a),
            None,
            school(MANAGERS_OF_5A, true),
        ),
        row("GET", "/api/v1/invites/{token}", format!("/api/v1/invites/{}", w.preview_token), None, public()),
        row(
            "POST",
            "/api/v1/invites/accept",
            "/api/v1/invites/accept".into(),
            json(json!({ "token": w.revoked_token })),
            signed_in(),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/join-requests",
            format!("/api/v1/orgs/{org}/join-requests"),
            None,
            school(INVITE_MANAGERS, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/join-requests/{request_id}/reject",
            format!("/api/v1/orgs/{org}/join-requests/{}/reject", w.join_request_5a),
            json(json!({ "reason": "Не из нашего класса" })),
            school(MANAGERS_OF_5A, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/join-requests/{request_id}/accept",
            format!("/api/v1/orgs/{org}/join-requests/{}/accept", w.join_request_5a),
            None,
            school(MANAGERS_OF_5A, true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/members",
            format!("/api/v1/orgs/{org}/members"),
            None,
            school(&[Employee, Teacher, ClassTeacherOfOtherClass, ClassTeacher, Director, Deputy, Admin], true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/members/{user_id}",
            format!("/api/v1/orgs/{org}/members/{}", w.student.id),
            None,
            private(READERS_OF_5A),
        ),
        row(
            "PUT",
            "/api/v1/orgs/{org_id}/members/{user_id}/teacher-verification",
            format!("/api/v1/orgs/{org}/members/{}/teacher-verification", w.teacher.id),
            None,
            school(ADMIN, true),
        ),
        row(
            "DELETE",
            "/api/v1/orgs/{org_id}/members/{user_id}/teacher-verification",
            format!("/api/v1/orgs/{org}/members/{}/teacher-verification", w.teacher.id),
            None,
            school(ADMIN, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/members/{user_id}/transfer",
            format!("/api/v1/orgs/{org}/members/{}/transfer", w.student.id),
            json(json!({ "to_class_id": w.class_5a })),
            school(ADMIN, true),
        ),
        // A sign-in code for the parent of 5А: their class teacher and the admin give it
        // (the parent asking for themselves is refused as a choice, not a right); who
        // sees the parent is refused; to everyone else they are not there.
        row(
            "POST",
            "/api/v1/orgs/{org_id}/members/{user_id}/sign-in-code",
            format!("/api/v1/orgs/{org}/members/{}/sign-in-code", w.parent.id),
            None,
            Box::new(|who| match who {
                Anonymous => Expect::Unauth,
                ClassTeacher | Admin | Parent => Expect::Allow,
                Student | Employee | Teacher | ClassTeacherOfOtherClass | Director | Deputy => Expect::Deny,
                _ => Expect::Hidden,
            }),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/members/{user_id}/leave",
            format!("/api/v1/orgs/{org}/members/{}/leave", w.student.id),
            json(json!({ "on": "not a date" })),
            school(ADMIN, true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/members/{user_id}/role",
            format!("/api/v1/orgs/{org}/members/{}/role", w.student.id),
            json(json!({ "role": "teacher" })),
            school(ADMIN, true),
        ),
        row("GET", "/api/v1/chats", "/api/v1/chats".into(), None, signed_in()),
        // Calls in the class chat of 5А: its members start and join; the class teacher,
        // who started it, leads it. Ending comes last of the call's rows.
        row(
            "POST",
            "/api/v1/chats/{chat_id}/calls",
            format!("/api/v1/chats/{}/calls", w.class_chat_5a),
            None,
            private(IN_CLASS_CHAT_5A),
        ),
        row(
            "GET",
            "/api/v1/chats/{chat_id}/call",
            format!("/api/v1/chats/{}/call", w.class_chat_5a),
            None,
            private(IN_CLASS_CHAT_5A),
        ),
        row("GET", "/api/v1/calls/{call_id}", format!("/api/v1/calls/{}", w.call_5a), None, private(IN_CLASS_CHAT_5A)),
        row(
            "GET",
            "/api/v1/calls/{call_id}/stays",
            format!("/api/v1/calls/{}/stays", w.call_5a),
            None,
            moderates_class_chat_5a(),
        ),
        row(
            "POST",
            "/api/v1/calls/{call_id}/mute",
            format!("/api/v1/calls/{}/mute", w.call_5a),
            json(json!({ "kind": "audio" })),
            moderates_class_chat_5a(),
        ),
        row(
            "POST",
            "/api/v1/calls/{call_id}/remove",
            format!("/api/v1/calls/{}/remove", w.call_5a),
            json(json!({ "user_id": w.student.id })),
            moderates_class_chat_5a(),
        ),
        row(
            "POST",
            "/api/v1/calls/{call_id}/lock",
            format!("/api/v1/calls/{}/lock", w.call_5a),
            json(json!({ "locked": false })),
            moderates_class_chat_5a(),
        ),
        row(
            "POST",
            "/api/v1/calls/{call_id}/admit",
            format!("/api/v1/calls/{}/admit", w.call_5a),
            json(json!({ "user_id": w.student.id })),
            moderates_class_chat_5a(),
        ),
        row(
            "POST",
            "/api/v1/calls/{call_id}/host",
            format!("/api/v1/calls/{}/host", w.call_5a),
            json(json!({ "user_id": w.student.id })),
            moderates_class_chat_5a(),
        ),
        row(
            "POST",
            "/api/v1/calls/{call_id}/stage",
            format!("/api/v1/calls/{}/stage", w.call_5a),
            json(json!({ "user_id": w.student.id, "on": true })),
            moderates_class_chat_5a(),
        ),
        row(
            "POST",
            "/api/v1/chats/{chat_id}/meetings",
            format!("/api/v1/chats/{}/meetings", w.class_chat_5a),
            json(json!({
                "kind": "meeting",
                "title": "Классный час",
                "starts_at": (jiff::Timestamp::now() + jiff::SignedDuration::from_secs(86_400)).to_string(),
            })),
            moderates_class_chat_5a(),
        ),
        row(
            "GET",
            "/api/v1/chats/{chat_id}/calls/upcoming",
            format!("/api/v1/chats/{}/calls/upcoming", w.class_chat_5a),
            None,
            private(IN_CLASS_CHAT_5A),
        ),
        row(
            "POST",
            "/api/v1/calls/{call_id}/end",
            format!("/api/v1/calls/{}/end", w.call_5a),
            None,
            moderates_class_chat_5a(),
        ),
        row(
            "GET",
            "/api/v1/chats/{chat_id}",
            format!("/api/v1/chats/{}", w.class_chat_5a),
            None,
            private(IN_CLASS_CHAT_5A),
        ),
        row(
            "GET",
            "/api/v1/chats/{chat_id}/members",
            format!("/api/v1/chats/{}/members", w.class_chat_5a),
            None,
            private(IN_CLASS_CHAT_5A),
        ),
        row(
            "GET",
            "/api/v1/chats/{chat_id}/messages",
            format!("/api/v1/chats/{}/messages", w.class_chat_5a),
            None,
            private(IN_CLASS_CHAT_5A),
        ),
        row(
            "POST",
            "/api/v1/chats/{chat_id}/messages",
            format!("/api/v1/chats/{}/messages", w.class_chat_5a),
            json(json!({ "client_msg_id": "matrix", "body": "Добрый день" })),
            private(IN_CLASS_CHAT_5A),
        ),
        // Everyone in school A reads the school channel; its moderators (admins) and its
        // authors (the director and the deputy) post.
        row(
            "POST",
            "/api/v1/chats/{chat_id}/messages",
            format!("/api/v1/chats/{}/messages", w.school_channel),
            json(json!({ "client_msg_id": "matrix-channel", "body": "Объявление" })),
            chat_of_school(ADMINISTRATION),
        ),
        row(
            "PATCH",
            "/api/v1/chats/{chat_id}/messages/{message_id}",
            format!("/api/v1/chats/{}/messages/{}", w.class_chat_5a, w.students_message),
            json(json!({ "body": "Исправлено" })),
            Box::new(|who| match who {
                Anonymous => Expect::Unauth,
                Student => Expect::Allow,
                ClassTeacher => Expect::Deny,
                _ => Expect::Hidden,
            }),
        ),
        row(
            "DELETE",
            "/api/v1/chats/{chat_id}/messages/{message_id}",
            format!("/api/v1/chats/{}/messages/{}", w.class_chat_5a, w.students_other_message),
            None,
            private(IN_CLASS_CHAT_5A),
        ),
        row(
            "POST",
            "/api/v1/chats/{chat_id}/read",
            format!("/api/v1/chats/{}/read", w.class_chat_5a),
            json(json!({ "seq": 1 })),
            private(IN_CLASS_CHAT_5A),
        ),
        // One's own quiet for a chat: its members, each for themselves.
        row(
            "PUT",
            "/api/v1/chats/{chat_id}/silence",
            format!("/api/v1/chats/{}/silence", w.class_chat_5a),
            json(json!({ "mute": "off" })),
            private(IN_CLASS_CHAT_5A),
        ),
        row(
            "PUT",
            "/api/v1/chats/{chat_id}/messages/{message_id}/reactions/{emoji}",
            format!("/api/v1/chats/{}/messages/{}/reactions/%F0%9F%91%8D", w.class_chat_5a, w.students_message),
            None,
            private(IN_CLASS_CHAT_5A),
        ),
        row(
            "DELETE",
            "/api/v1/chats/{chat_id}/messages/{message_id}/reactions/{emoji}",
            format!("/api/v1/chats/{}/messages/{}/reactions/%F0%9F%91%8D", w.class_chat_5a, w.students_message),
            None,
            private(IN_CLASS_CHAT_5A),
        ),
        row(
            "PUT",
            "/api/v1/chats/{chat_id}/messages/{message_id}/pin",
            format!("/api/v1/chats/{}/messages/{}/pin", w.class_chat_5a, w.students_message),
            None,
            moderates_class_chat_5a(),
        ),
        row(
            "DELETE",
            "/api/v1/chats/{chat_id}/messages/{message_id}/pin",
            format!("/api/v1/chats/{}/messages/{}/pin", w.class_chat_5a, w.students_message),
            None,
            moderates_class_chat_5a(),
        ),
        row(
            "GET",
            "/api/v1/chats/{chat_id}/pins",
            format!("/api/v1/chats/{}/pins", w.class_chat_5a),
            None,
            private(IN_CLASS_CHAT_5A),
        ),
        row(
            "POST",
            "/api/v1/chats/{chat_id}/messages/{message_id}/ack",
            format!("/api/v1/chats/{}/messages/{}/ack", w.class_chat_5a, w.ack_post),
            None,
            private(IN_CLASS_CHAT_5A),
        ),
        row(
            "GET",
            "/api/v1/chats/{chat_id}/messages/{message_id}/acks",
            format!("/api/v1/chats/{}/messages/{}/acks", w.class_chat_5a, w.ack_post),
            None,
            moderates_class_chat_5a(),
        ),
        row(
            "POST",
            "/api/v1/chats/{chat_id}/messages/{message_id}/remind",
            format!("/api/v1/chats/{}/messages/{}/remind", w.class_chat_5a, w.ack_post),
            None,
            moderates_class_chat_5a(),
        ),
        row(
            "POST",
            "/api/v1/chats/{chat_id}/polls",
            format!("/api/v1/chats/{}/polls", w.class_chat_5a),
            json(
                json!({ "client_msg_id": "matrix-poll", "question": "Во сколько сбор?", "options": ["8:00", "9:00"] }),
            ),
            private(IN_CLASS_CHAT_5A),
        ),
        row(
            "PUT",
            "/api/v1/chats/{chat_id}/polls/{poll_id}/vote",
            format!("/api/v1/chats/{}/polls/{}/vote", w.class_chat_5a, w.poll),
            json(json!({ "option_ids": [] })),
            private(IN_CLASS_CHAT_5A),
        ),
        row(
            "POST",
            "/api/v1/chats/{chat_id}/polls/{poll_id}/close",
            format!("/api/v1/chats/{}/polls/{}/close", w.class_chat_5a, w.poll),
            None,
            moderates_class_chat_5a(),
        ),
        row(
            "POST",
            "/api/v1/chats/{chat_id}/files",
            format!("/api/v1/chats/{}/files", w.class_chat_5a),
            Some(Body::Multipart(w.upload.0.clone(), w.upload.1.clone())),
            private(IN_CLASS_CHAT_5A),
        ),
        row("GET", "/api/v1/files/{file_id}", format!("/api/v1/files/{}", w.file), None, private(IN_CLASS_CHAT_5A)),
        row(
            "GET",
            "/api/v1/files/{file_id}/thumbnail",
            format!("/api/v1/files/{}/thumbnail", w.image),
            None,
            private(IN_CLASS_CHAT_5A),
        ),
        row(
            "GET",
            "/api/v1/chats/{chat_id}/messages/{message_id}/versions",
            format!("/api/v1/chats/{}/messages/{}/versions", w.class_chat_5a, w.students_message),
            None,
            moderates_class_chat_5a(),
        ),
        row(
            "PUT",
            "/api/v1/chats/{chat_id}/read-only",
            format!("/api/v1/chats/{}/read-only", w.class_chat_5a),
            json(json!({ "read_only": false })),
            moderates_class_chat_5a(),
        ),
        row(
            "PUT",
            "/api/v1/chats/{chat_id}/members/{user_id}/mute",
            format!("/api/v1/chats/{}/members/{}/mute", w.class_chat_5a, w.student.id),
            json(json!({ "minutes": 0 })),
            moderates_class_chat_5a(),
        ),
        row(
            "POST",
            "/api/v1/chats/{chat_id}/messages/{message_id}/report",
            format!("/api/v1/chats/{}/messages/{}/report", w.class_chat_5a, w.students_message),
            json(json!({ "reason": "Оскорбление" })),
            private(IN_CLASS_CHAT_5A),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/reports",
            format!("/api/v1/orgs/{org}/reports"),
            None,
            // Moderators of any chat: class teachers, and the subject teacher who made the group
            // chat; the director and the deputy read the whole queue.
            school(&[Admin, ClassTeacher, ClassTeacherOfOtherClass, Teacher, Director, Deputy], true),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/reports/{report_id}/resolve",
            format!("/api/v1/orgs/{org}/reports/{}/resolve", w.report),
            json(json!({ "delete_message": false, "note": "Проверено" })),
            school(&[Admin, ClassTeacher], true),
        ),
        // Safe mode: the student of 5А is reached by their teachers and their parent (and is told off for picking themself).
        row(
            "POST",
            "/api/v1/orgs/{org_id}/direct",
            format!("/api/v1/orgs/{org}/direct"),
            json(json!({ "user_id": w.student.id })),
            private(&[Student, Parent, ClassTeacher, Teacher]),
        ),
        row(
            "POST",
            "/api/v1/orgs/{org_id}/chats",
            format!("/api/v1/orgs/{org}/chats"),
            json(json!({ "kind": "group", "title": "Методобъединение" })),
            school(&STAFF, true),
        ),
        // A chat's history imported: its owner and the school's admins, who need not sit
        // in it (a body that is no export, refused after the check); its members are
        // refused. A staged import is its importer's alone: to anyone else it does not exist.
        row(
            "POST",
            "/api/v1/chats/{chat_id}/imports",
            format!("/api/v1/chats/{}/imports", w.group_chat),
            Some(Body::Multipart("application/octet-stream".into(), b"not an export".to_vec())),
            imports_into_group_chat(),
        ),
        row(
            "POST",
            "/api/v1/chats/{chat_id}/imports/{import_id}/apply",
            format!("/api/v1/chats/{}/imports/no-such-import/apply", w.group_chat),
            json(json!({ "authors": [] })),
            private(&[]),
        ),
        row(
            "GET",
            "/api/v1/chats/{chat_id}/imports/{import_id}",
            format!("/api/v1/chats/{}/imports/no-such-import", w.group_chat),
            None,
            private(&[]),
        ),
        row(
            "PATCH",
            "/api/v1/chats/{chat_id}",
            format!("/api/v1/chats/{}", w.group_chat),
            json(json!({ "title": "Олимпиада по математике" })),
            owns_group_chat(),
        ),
        // The owner adds the employee (who acts earlier, so nobody's later answer changes) …
        row(
            "POST",
            "/api/v1/chats/{chat_id}/members",
            format!("/api/v1/chats/{}/members", w.group_chat),
            json(json!({ "user_ids": [w.employee.id] })),
            owns_group_chat(),
        ),
        // … and removes them again.
        row(
            "DELETE",
            "/api/v1/chats/{chat_id}/members/{user_id}",
            format!("/api/v1/chats/{}/members/{}", w.group_chat, w.employee.id),
            None,
            owns_group_chat(),
        ),
        row(
            "PUT",
            "/api/v1/chats/{chat_id}/members/{user_id}/role",
            format!("/api/v1/chats/{}/members/{}/role", w.group_chat, w.parent.id),
            json(json!({ "role": "member" })),
            owns_group_chat(),
        ),
        // School admins appoint the school channel's authors.
        row(
            "PUT",
            "/api/v1/chats/{chat_id}/members/{user_id}/role",
            format!("/api/v1/chats/{}/members/{}/role", w.school_channel, w.parent.id),
            json(json!({ "role": "member" })),
            chat_of_school(ADMIN),
        ),
        row(
            "GET",
            "/api/v1/chats/{chat_id}/invites",
            format!("/api/v1/chats/{}/invites", w.group_chat),
            None,
            owns_group_chat(),
        ),
        row(
            "POST",
            "/api/v1/chats/{chat_id}/invites",
            format!("/api/v1/chats/{}/invites", w.group_chat),
            None,
            owns_group_chat(),
        ),
        row(
            "POST",
            "/api/v1/chats/{chat_id}/invites/{invite_id}/revoke",
            format!("/api/v1/chats/{}/invites/{}/revoke", w.group_chat, w.spare_group_link),
            None,
            owns_group_chat(),
        ),
        // A chat link works for people of the same school only.
        row(
            "GET",
            "/api/v1/chat-invites/{token}",
            format!("/api/v1/chat-invites/{}", w.group_link),
            None,
            private(&MEMBERS),
        ),
        // Last of the group chat's rows: whoever joins here changed nothing they were asked above.
        row(
            "POST",
            "/api/v1/chat-invites/{token}/join",
            format!("/api/v1/chat-invites/{}/join", w.group_link),
            None,
            private(&MEMBERS),
        ),
        row(
            "GET",
            "/api/v1/chats/{chat_id}/messages/{message_id}/reads",
            format!("/api/v1/chats/{}/messages/{}/reads", w.class_chat_5a, w.ack_post),
            None,
            moderates_class_chat_5a(),
        ),
        row("GET", "/api/v1/search", "/api/v1/search?q=%D0%B7%D0%B4%D1%80%D0%B0%D0%B2".into(), None, signed_in()),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/audit",
            format!("/api/v1/orgs/{org}/audit"),
            None,
            school(&[Admin, Operator, Director, Deputy], true),
        ),
        // Statistics: the administration and the curator of the school's authority read the
        // school's figures; names of a class's missing families only who reads the class.
        row(
            "GET",
            "/api/v1/orgs/{org_id}/statistics",
            format!("/api/v1/orgs/{org}/statistics?period=month"),
            None,
            school(&[Director, Deputy, Admin, Curator], true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/statistics/export",
            format!("/api/v1/orgs/{org}/statistics/export?period=week&format=csv"),
            None,
            school(&[Director, Deputy, Admin, Curator], true),
        ),
        row(
            "GET",
            "/api/v1/orgs/{org_id}/classes/{class_id}/reach",
            format!("/api/v1/orgs/{org}/classes/{}/reach", w.class_5a),
            None,
            school(&[ClassTeacher, Director, Deputy, Admin], true),
        ),
        row("GET", "/api/v1/authorities", "/api/v1/authorities".into(), None, signed_in()),
        row("GET", "/api/v1/consent", "/api/v1/consent".into(), None, public()),
        row(
            "POST",
            "/api/v1/authorities",
            "/api/v1/authorities".into(),
            json(json!({ "name": format!("Новое управление {}", w.authority), "region": "Москва" })),
            platform(),
        ),
        row(
            "PUT",
            "/api/v1/authorities/{authority_id}/schools/{org_id}",
            format!("/api/v1/authorities/{}/schools/{org}", w.authority),
            None,
            platform(),
        ),
        // School B leaves its authority: nobody's expectation rests on it.
        row(
            "DELETE",
            "/api/v1/authorities/{authority_id}/schools/{org_id}",
            format!("/api/v1/authorities/{}/schools/{}", w.other_authority, w.b.org),
            None,
            platform(),
        ),
        row(
            "POST",
            "/api/v1/authorities/{authority_id}/curators",
            format!("/api/v1/authorities/{}/curators", w.authority),
            json(
                json!({ "family_name": "Новая", "given_name": "Кураторша", "email": format!("new-curator{}@authority.test", w.authority) }),
            ),
            platform(),
        ),
        row(
            "DELETE",
            "/api/v1/authorities/{authority_id}/curators/{user_id}",
            format!("/api/v1/authorities/{}/curators/{}", w.authority, w.spare_curator),
            None,
            platform(),
        ),
        row(
            "GET",
            "/api/v1/authorities/{authority_id}/statistics",
            format!("/api/v1/authorities/{}/statistics?period=term", w.authority),
            None,
            private(&[Operator, Curator]),
        ),
        row(
            "GET",
            "/api/v1/authorities/{authority_id}/statistics/export",
            format!("/api/v1/authorities/{}/statistics/export?period=month&format=csv", w.authority),
            None,
            private(&[Operator, Curator]),
        ),
        row("GET", "/api/v1/statistics", "/api/v1/statistics?period=year".into(), None, platform()),
    ]
}

async fn call(app: &TestApp, row: &Row, token: Option<&str>) -> crate::support::Reply {
    let method = row.method.parse().expect("method");
    let mut request = app.request(method, &row.path);
    if let Some(token) = token {
        request = request.token(token);
    }
    match &row.body {
        Some(Body::Json(value)) => request = request.json(value.clone()),
        Some(Body::Multipart(content_type, bytes)) => request = request.raw(content_type, bytes.clone()),
        None => {}
    }
    request.send().await
}

fn verdict(status: u16) -> Option<Expect> {
    match status {
        401 => Some(Expect::Unauth),
        403 => Some(Expect::Deny),
        404 => Some(Expect::Hidden),
        s if s >= 500 => None,
        _ => Some(Expect::Allow),
    }
}

/// Who changes the school year (the deputy) deletes and closes what the admin acts on
/// after them: they act in a world of their own, built beside the first.
const IN_A_WORLD_OF_THEIR_OWN: [Who; 1] = [Deputy];

async fn every_operation_for_every_person(app: TestApp) {
    let world = build_world(&app, 0).await;
    let second = build_world(&app, 10).await;
    let second_rows = rows(&second);
    let rows = rows(&world);

    // Every documented operation has a row, and every row is documented.
    let spec = app.get("/api/openapi.json").send().await.expect(200).json;
    let documented: BTreeSet<(String, String)> = spec["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object().expect("item").keys().map(move |method| (method.to_uppercase(), path.clone()))
        })
        .filter(|(method, _)| ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str()))
        .collect();
    let covered: BTreeSet<(String, String)> =
        rows.iter().map(|r| (r.method.to_owned(), r.template.to_owned())).collect();
    let missing: Vec<_> = documented.difference(&covered).collect();
    let stale: Vec<_> = covered.difference(&documented).collect();
    assert!(missing.is_empty(), "operations without a row in the authorization matrix: {missing:?}");
    assert!(stale.is_empty(), "rows for operations that do not exist: {stale:?}");

    let mut failures = Vec::new();
    let mut cases = 0;
    for who in EVERYONE {
        let (world, rows) =
            if IN_A_WORLD_OF_THEIR_OWN.contains(&who) { (&second, &second_rows) } else { (&world, &rows) };
        for row in rows {
            let token = if row.spends_session { world.logout_token(who) } else { world.token(who) };
            let reply = call(&app, row, token).await;
            let expected = (row.expect)(who);
            cases += 1;
            match verdict(reply.status.as_u16()) {
                Some(actual) if actual == expected => {}
                actual => failures.push(format!(
                    "{:?} {} {}: expected {:?}, got {} {:?} {}",
                    who, row.method, row.template, expected, reply.status, actual, reply.json
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{} of {cases} cases differ:\n{}", failures.len(), failures.join("\n"));
    let _ = (world.b.org, world.class_5b);
}

/// School B's admin puts school A's ids into school B's paths (and bodies): nothing
/// of A is reached, nothing changes.
async fn foreign_ids_in_own_school_paths(app: TestApp) {
    let world = build_world(&app, 0).await;
    let b = &world.b;
    let a_class = world.class_5a;
    let a_student = world.student.id;
    let a_teacher = world.teacher.id;
    let probes: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", format!("/api/v1/orgs/{}/classes/{a_class}", b.org), None),
        ("PATCH", format!("/api/v1/orgs/{}/classes/{a_class}", b.org), Some(json!({ "name": "захвачен" }))),
        ("GET", format!("/api/v1/orgs/{}/classes/{a_class}/memberships", b.org), None),
        (
            "POST",
            format!("/api/v1/orgs/{}/classes/{a_class}/class-teachers", b.org),
            Some(json!({ "user_id": a_teacher })),
        ),
        ("GET", format!("/api/v1/orgs/{}/members?class_id={a_class}", b.org), None),
        ("GET", format!("/api/v1/orgs/{}/members/{a_student}", b.org), None),
        ("POST", format!("/api/v1/orgs/{}/members/{a_student}/leave", b.org), Some(json!({ "on": "2026-11-01" }))),
        (
            "POST",
            format!("/api/v1/orgs/{}/members/{a_student}/transfer", b.org),
            Some(json!({ "to_class_id": a_class })),
        ),
        ("PUT", format!("/api/v1/orgs/{}/members/{a_teacher}/teacher-verification", b.org), None),
        (
            "PUT",
            format!("/api/v1/orgs/{}/members/{a_student}/name", b.org),
            Some(json!({ "family_name": "Захвачен", "given_name": "Х" })),
        ),
        ("GET", format!("/api/v1/users/{a_student}/photo"), None),
        ("POST", format!("/api/v1/orgs/{}/admins", b.org), Some(json!({ "user_id": a_teacher }))),
        ("POST", format!("/api/v1/orgs/{}/invites", b.org), Some(json!({ "class_id": a_class, "role": "student" }))),
        ("POST", format!("/api/v1/orgs/{}/invites/{}/revoke", b.org, world.invite_5a), None),
        ("POST", format!("/api/v1/orgs/{}/join-requests/{}/accept", b.org, world.join_request_5a), None),
        ("PATCH", format!("/api/v1/orgs/{}/units/{}", b.org, world.unit), Some(json!({ "name": "захвачен" }))),
        ("DELETE", format!("/api/v1/orgs/{}/units/{}", b.org, world.unit), None),
        ("GET", format!("/api/v1/orgs/{}/years/{}", b.org, world.year), None),
        ("PUT", format!("/api/v1/orgs/{}/years/{}/bells", b.org, world.year), Some(json!({ "bells": [] }))),
        ("PATCH", format!("/api/v1/orgs/{}/subjects/{}", b.org, world.subject), Some(json!({ "name": "захвачен" }))),
        ("GET", format!("/api/v1/orgs/{}/classes/{a_class}/groups", b.org), None),
        (
            "PUT",
            format!("/api/v1/orgs/{}/classes/{a_class}/groups/{}", b.org, world.group),
            Some(json!({ "name": "захвачен" })),
        ),
        ("DELETE", format!("/api/v1/orgs/{}/years/{}/assignments/{}", b.org, world.year, world.assignment), None),
        ("GET", format!("/api/v1/orgs/{}/years/{}/classes/{a_class}/timetable", b.org, world.year), None),
        ("GET", format!("/api/v1/orgs/{}/lessons/{}", b.org, world.lesson), None),
        ("GET", format!("/api/v1/orgs/{}/diary?student_id={a_student}&date=2026-11-02", b.org), None),
        ("PUT", format!("/api/v1/orgs/{}/lessons/{}/grades", b.org, world.lesson), Some(json!({ "grades": [] }))),
        ("GET", format!("/api/v1/orgs/{}/lessons/{}/submissions", b.org, world.lesson), None),
        (
            "POST",
            format!("/api/v1/orgs/{}/lessons/{}/submissions", b.org, world.lesson),
            Some(json!({ "body": "Чужое" })),
        ),
        (
            "POST",
            format!("/api/v1/orgs/{}/submissions/{}/grade", b.org, world.submission),
            Some(json!({ "mark": "5" })),
        ),
        (
            "POST",
            format!("/api/v1/orgs/{}/submissions/{}/return", b.org, world.submission),
            Some(json!({ "comment": "Чужое" })),
        ),
        (
            "PUT",
            format!("/api/v1/orgs/{}/years/{}/classes/{a_class}/timetable", b.org, world.year),
            Some(json!({ "entries": [] })),
        ),
        (
            "GET",
            format!(
                "/api/v1/orgs/{}/years/{}/classes/{a_class}/overrides?from=2026-11-02&to=2026-11-15",
                b.org, world.year
            ),
            None,
        ),
        (
            "POST",
            format!("/api/v1/orgs/{}/years/{}/classes/{a_class}/overrides", b.org, world.year),
            Some(
                json!({ "kind": "cancel", "assignment_id": world.assignment, "date": "2026-11-02", "shift": 1, "number": 1 }),
            ),
        ),
        ("DELETE", format!("/api/v1/orgs/{}/years/{}/overrides/{}", b.org, world.year, world.lesson_override), None),
        (
            "POST",
            format!("/api/v1/orgs/{}/year-transition/preview", b.org),
            Some(json!({ "from_year_id": world.year, "to_year_id": world.year })),
        ),
        (
            "POST",
            format!("/api/v1/orgs/{}/year-transition", b.org),
            Some(json!({
                "from_year_id": world.year, "to_year_id": world.year,
                "exceptions": [{ "student_id": a_student, "action": "leave" }],
            })),
        ),
    ];
    for (method, path, body) in probes {
        let mut request = app.request(method.parse().expect("method"), &path).token(&b.admin);
        if let Some(body) = body {
            request = request.json(body);
        }
        let reply = request.send().await;
        let status = reply.status.as_u16();
        assert!(
            status == 404 || status == 409 || status == 422,
            "{method} {path} with school A's ids answered {status}: {}",
            reply.json
        );
        assert!(
            !reply.json.to_string().contains("Ученикова"),
            "{method} {path} leaked school A's data: {}",
            reply.json
        );
    }
    // School A is as it was.
    let class = app
        .get(&format!("/api/v1/orgs/{}/classes/{a_class}", world.a.org))
        .token(&world.a.admin)
        .send()
        .await
        .expect(200);
    assert_eq!(class.json["name"], "5А");
    let members = app
        .get(&format!("/api/v1/orgs/{}/members?class_id={a_class}", world.a.org))
        .token(&world.a.admin)
        .send()
        .await
        .expect(200);
    assert!(members.json.as_array().expect("list").iter().any(|m| m["person"]["id"] == a_student));
    let invites =
        app.get(&format!("/api/v1/orgs/{}/invites", world.a.org)).token(&world.a.admin).send().await.expect(200);
    assert!(
        invites.json.as_array().expect("list").iter().any(|i| i["id"] == world.invite_5a && i["status"] == "active")
    );
}
