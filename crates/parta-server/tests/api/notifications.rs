//! The notification centre through the API: who is told of what (mentions, replies, a
//! new direct chat, a join request, a report, a child's marks, absences and homework),
//! live on their own stream and resumed after a drop; nobody else; read and unread;
//! posts awaiting one's confirmation.

use std::time::Duration;

use serde_json::{Value, json};

use crate::journal::{days_ahead, lessons_path, marked_lesson, week};
use crate::messaging::{chat_id, class_with_people, quiet_hours_now};
use crate::on_both_backends;
use crate::support::{PASSWORD, Socket, TestApp};
use crate::timetable::setup;

on_both_backends!(
    mentions_and_replies_reach_only_who_they_name,
    requests_reports_and_direct_chats_reach_who_acts_on_them,
    a_family_hears_of_its_childs_marks_absences_and_homework,
    read_marks_are_ones_own_and_posts_to_confirm_wait_until_confirmed,
    a_sign_in_from_a_new_device_is_told_and_can_be_ended,
    a_member_quiets_a_chat_for_themselves_only,
);

async fn page(app: &TestApp, token: &str) -> Value {
    app.get("/api/v1/notifications").token(token).send().await.expect(200).json
}

fn items(page: &Value) -> Vec<Value> {
    page["items"].as_array().expect("items").clone()
}

fn kinds(page: &Value) -> Vec<String> {
    items(page).iter().map(|n| n["kind"].as_str().expect("kind").to_owned()).collect()
}

async fn send(app: &TestApp, token: &str, chat: i64, body: Value) -> Value {
    app.post(&format!("/api/v1/chats/{chat}/messages")).token(token).json(body).send().await.expect(201).json
}

async fn mentions_and_replies_reach_only_who_they_name(app: TestApp) {
    let c = class_with_people(&app, 611).await;
    let org = c.school.org;
    let classmate = app.join(&c.school, c.a, "student", None, "Соседов").await;
    let class_chat = chat_id(&app, &c.teacher.token, org, "class", Some(c.a)).await;
    let address = app.serve().await;
    let (mut students_socket, welcome) = Socket::connect(address, &c.student.token).await;
    let (mut classmates_socket, _) = Socket::connect(address, &classmate.token).await;

    // The class teacher mentions the student: the student is told at once, with the
    // chat and the message's first words; the classmate is not, nor the teacher.
    let said = send(
        &app,
        &c.teacher.token,
        class_chat,
        json!({ "client_msg_id": "n-1", "body": format!("@[Ученик]({}) принеси, пожалуйста, журнал", c.student.id) }),
    )
    .await;
    let live = students_socket.user_event("notification_added", Duration::from_secs(5)).await.expect("told at once");
    let notification = &live["notification"];
    assert_eq!(notification["kind"], "mention");
    assert_eq!(notification["chat_id"], class_chat);
    assert_eq!(notification["message_id"], said["id"]);
    assert_eq!(notification["actor"]["id"], c.teacher.id);
    assert_eq!(notification["read"], false);
    let preview = notification["details"]["preview"].as_str().expect("preview");
    assert!(preview.contains("принеси, пожалуйста, журнал"), "{preview}");
    assert!(!preview.contains("]("), "the preview is plain text: {preview}");
    assert!(
        classmates_socket.user_event("notification_added", Duration::from_millis(300)).await.is_none(),
        "nothing for who was not named"
    );
    assert!(items(&page(&app, &c.teacher.token).await).is_empty(), "nobody is told of what they did");

    // The student answers and mentions the teacher in the answer: one notification (the
    // mention), not two. The classmate answers without a mention: a reply.
    let answer = send(
        &app,
        &c.student.token,
        class_chat,
        json!({ "client_msg_id": "n-2", "body": format!("@[Учитель]({}) несу", c.teacher.id), "reply_to": said["id"] }),
    )
    .await;
    send(&app, &classmate.token, class_chat, json!({ "client_msg_id": "n-3", "body": "И я", "reply_to": said["id"] }))
        .await;
    let teachers = page(&app, &c.teacher.token).await;
    assert_eq!(kinds(&teachers), ["reply", "mention"], "newest first: {teachers}");
    assert_eq!(items(&teachers)[1]["message_id"], answer["id"]);
    assert_eq!(items(&teachers)[0]["actor"]["id"], classmate.id);
    assert_eq!(teachers["unread"], 2);
    // A reply to one's own message tells nobody.
    send(&app, &c.student.token, class_chat, json!({ "client_msg_id": "n-4", "body": "ой", "reply_to": answer["id"] }))
        .await;
    assert_eq!(page(&app, &c.student.token).await["unread"], 1);

    // Resumed after a drop: a mention while the student was away is in their stream.
    drop(students_socket);
    send(
        &app,
        &c.teacher.token,
        class_chat,
        json!({ "client_msg_id": "n-5", "body": format!("@[Ученик]({}) спасибо", c.student.id) }),
    )
    .await;
    let (stream, _) = tokio_tungstenite::connect_async(format!("ws://{address}/api/v1/ws")).await.expect("ws");
    let mut again = Socket::wrap(stream);
    again.send(json!({ "type": "auth", "token": c.student.token })).await;
    again.next().await.expect("welcome");
    again.send(json!({ "type": "resume", "user_seq": welcome["user_seq"], "chats": [] })).await;
    let replayed = again.until("ready").await;
    let missed: Vec<&Value> = replayed
        .iter()
        .filter(|f| f["type"] == "user_event" && f["event"]["type"] == "notification_added")
        .map(|f| &f["event"]["notification"])
        .collect();
    assert_eq!(missed.len(), 2, "both mentions are in the stream: {replayed:?}");
    // The mention reads with the person's own name, whatever the sender typed.
    let preview = missed[1]["details"]["preview"].as_str().expect("preview");
    assert!(preview.starts_with('@') && preview.contains("Учеников") && preview.ends_with(" спасибо"), "{preview}");

    // Someone who leaves the chat no longer sees what was said to them in it.
    send(
        &app,
        &c.teacher.token,
        class_chat,
        json!({ "client_msg_id": "n-7", "body": format!("@[Сосед]({}) до свидания", classmate.id) }),
    )
    .await;
    assert_eq!(kinds(&page(&app, &classmate.token).await), ["mention"]);
    let joined_on =
        app.get("/api/v1/me").token(&classmate.token).send().await.json["schools"][0]["places"][0]["started_on"]
            .clone();
    app.post(&format!("/api/v1/orgs/{org}/members/{}/leave", classmate.id))
        .token(&c.school.admin)
        .json(json!({ "on": joined_on }))
        .send()
        .await
        .expect(204);
    let gone = page(&app, &classmate.token).await;
    assert!(items(&gone).is_empty(), "{gone}");
    assert_eq!(gone["unread"], 0);
    // What they said stays told: the teacher keeps the classmate's reply.
    assert_eq!(kinds(&page(&app, &c.teacher.token).await), ["reply", "mention"]);

    // Quiet hours hold a message and its mention: the parent hears of it when it goes out.
    quiet_hours_now(&app, org, &c.school.admin).await;
    let parents_chat = chat_id(&app, &c.teacher.token, org, "parents", Some(c.a)).await;
    let held = send(
        &app,
        &c.teacher.token,
        parents_chat,
        json!({ "client_msg_id": "n-6", "body": format!("@[Родитель]({}) зайдите завтра", c.parent.id) }),
    )
    .await;
    assert!(held["held_until"].is_string());
    assert!(items(&page(&app, &c.parent.token).await).is_empty(), "nothing while it is held");
    app.sql("UPDATE messages SET held_until = 1 WHERE held_until IS NOT NULL").await;
    assert_eq!(parta_server::actions::quiet::release_held(&app.state).await.expect("release"), 1);
    let parents = page(&app, &c.parent.token).await;
    assert_eq!(kinds(&parents), ["mention"]);
    assert_eq!(items(&parents)[0]["message_id"], held["id"]);
}

async fn requests_reports_and_direct_chats_reach_who_acts_on_them(app: TestApp) {
    let c = class_with_people(&app, 612).await;
    let org = c.school.org;
    let other_lead = app.join(&c.school, c.school.staff_room, "teacher", None, "Бэшкина").await;
    app.assign_class_teacher(&c.school, c.b, other_lead.id).await;
    let plain = app.join(&c.school, c.school.staff_room, "teacher", None, "Предметникова").await;

    // A join request to 5А: the admin and 5А's class teacher are told, nobody else.
    let link = app
        .invite(&c.school.admin, org, json!({ "class_id": c.a, "role": "student", "requires_approval": true }))
        .await;
    let reply = app
        .post("/api/v1/auth/register")
        .json(json!({
            "consent_version": parta_domain::consent::VERSION, "invite_token": link, "family_name": "Ждущая",
            "given_name": "Анна", "email": "zhdushaya-612@mail.ru", "password": PASSWORD,
        }))
        .send()
        .await
        .expect(201);
    let request = reply.json["join"]["join_request_id"].as_i64().expect("a request");
    for decider in [&c.school.admin, &c.teacher.token] {
        let theirs = page(&app, decider).await;
        assert_eq!(kinds(&theirs), ["join_request"], "{theirs}");
        let n = &items(&theirs)[0];
        assert_eq!(n["details"]["class_name"], "5А");
        assert_eq!(n["actor"]["family_name"], "Ждущая");
        assert_eq!(n["org_id"], org);
    }
    for bystander in [&other_lead.token, &plain.token, &c.parent.token] {
        assert!(items(&page(&app, bystander).await).is_empty(), "not theirs to decide");
    }
    app.post(&format!("/api/v1/orgs/{org}/join-requests/{request}/accept"))
        .token(&c.teacher.token)
        .send()
        .await
        .expect(200);

    // A report in 5А's class chat: the admin and the chat's moderator (the class teacher).
    let class_chat = chat_id(&app, &c.teacher.token, org, "class", Some(c.a)).await;
    let rude = send(&app, &c.student.token, class_chat, json!({ "client_msg_id": "r-1", "body": "Грубость" })).await;
    let classmate = app.join(&c.school, c.a, "student", None, "Соседов").await;
    app.post(&format!("/api/v1/chats/{class_chat}/messages/{}/report", rude["id"]))
        .token(&classmate.token)
        .json(json!({ "reason": "Оскорбление" }))
        .send()
        .await
        .expect(201);
    for handler in [&c.school.admin, &c.teacher.token] {
        let theirs = page(&app, handler).await;
        assert_eq!(kinds(&theirs)[0], "report", "{theirs}");
        assert_eq!(items(&theirs)[0]["message_id"], rude["id"]);
    }
    assert!(kinds(&page(&app, &c.student.token).await).is_empty(), "the reported author is not told");
    assert!(kinds(&page(&app, &plain.token).await).is_empty());

    // A direct chat the class teacher opens with the parent: the parent is told, once.
    for _ in 0..2 {
        app.post(&format!("/api/v1/orgs/{org}/direct"))
            .token(&c.teacher.token)
            .json(json!({ "user_id": c.parent.id }))
            .send()
            .await
            .expect(200);
    }
    let parents = page(&app, &c.parent.token).await;
    assert_eq!(kinds(&parents), ["direct_chat"]);
    assert_eq!(items(&parents)[0]["actor"]["id"], c.teacher.id);

    // Another school's people hear nothing of this one.
    let other = app.school(613).await;
    assert!(items(&page(&app, &other.admin).await).is_empty());
}

async fn a_family_hears_of_its_childs_marks_absences_and_homework(app: TestApp) {
    let s = setup(&app, 614).await;
    week(&app, &s).await;
    let [monday, _, _] = days_ahead(&app, &s).await;
    let parent = app.join(&s.school, s.class_a, "parent", Some(s.student.id), "Родителева").await;
    let classmate = app.join(&s.school, s.class_a, "student", None, "Одноклассников").await;
    let other_parent = app.join(&s.school, s.class_a, "parent", Some(classmate.id), "Чужой-Родитель").await;
    let (lesson, oral) = marked_lesson(&app, &s, &monday, classmate.id).await;
    let grades = format!("{}/{lesson}/grades", lessons_path(&s));

    // The student and their parent hear of the mark; the classmate's family of the absence.
    for token in [&s.student.token, &parent.token] {
        let theirs = page(&app, token).await;
        assert_eq!(kinds(&theirs), ["mark"], "{theirs}");
        let n = &items(&theirs)[0];
        assert_eq!((n["lesson_id"].as_i64(), n["student_id"].as_i64()), (Some(lesson), Some(s.student.id)));
        assert_eq!(n["details"]["mark"], "5");
        assert_eq!(n["details"]["date"], monday.as_str());
        assert!(n["details"]["subject"].is_string(), "{n}");
        assert_eq!(n["actor"]["id"], s.maths.id);
    }
    for token in [&classmate.token, &other_parent.token] {
        let theirs = page(&app, token).await;
        assert_eq!(kinds(&theirs), ["absence"], "{theirs}");
        assert_eq!(items(&theirs)[0]["details"]["absence"], "ill");
        assert_eq!(items(&theirs)[0]["student_id"], classmate.id);
    }
    // A mark changed is news; the same mark saved again with a comment is not.
    let standing = app.get(&format!("{}/{lesson}", lessons_path(&s))).token(&s.maths.token).send().await.expect(200);
    let grade = standing.json["students"]
        .as_array()
        .expect("students")
        .iter()
        .find(|st| st["person"]["id"] == s.student.id)
        .and_then(|st| st["grades"][0]["id"].as_i64())
        .expect("the grade");
    let change = |mark: &str, comment: &str| json!({ "grades": [{ "id": grade, "student_id": s.student.id, "mark": mark, "grade_type_id": oral, "comment": comment }] });
    app.put(&grades).token(&s.maths.token).json(change("5", "Молодец")).send().await.expect(200);
    assert_eq!(page(&app, &parent.token).await["unread"], 1);
    app.put(&grades).token(&s.maths.token).json(change("4", "Молодец")).send().await.expect(200);
    let parents = page(&app, &parent.token).await;
    assert_eq!(kinds(&parents), ["mark", "mark"]);
    assert_eq!(items(&parents)[0]["details"]["mark"], "4");

    // Homework for the lesson: every student of the class and their parents; resaving it does not repeat it.
    let homework = json!({ "body": "№ 15, 16 на с. 42", "due_on": monday });
    let path = format!("{}/{lesson}/homework", lessons_path(&s));
    app.put(&path).token(&s.maths.token).json(homework.clone()).send().await.expect(200);
    app.put(&path).token(&s.maths.token).json(homework).send().await.expect(200);
    for token in [&s.student.token, &parent.token, &classmate.token, &other_parent.token] {
        let theirs = page(&app, token).await;
        assert_eq!(items(&theirs).iter().filter(|n| n["kind"] == "homework").count(), 1, "{theirs}");
        let n = items(&theirs).into_iter().find(|n| n["kind"] == "homework").expect("homework");
        assert_eq!(n["details"]["preview"], "№ 15, 16 на с. 42");
    }
    // Nobody outside the families: the teacher, another class's student.
    assert!(kinds(&page(&app, &s.other_student.token).await).is_empty());
    assert!(kinds(&page(&app, &s.maths.token).await).is_empty());
}

async fn read_marks_are_ones_own_and_posts_to_confirm_wait_until_confirmed(app: TestApp) {
    let c = class_with_people(&app, 615).await;
    let org = c.school.org;
    let class_chat = chat_id(&app, &c.teacher.token, org, "class", Some(c.a)).await;
    for n in 0..3 {
        send(
            &app,
            &c.teacher.token,
            class_chat,
            json!({ "client_msg_id": format!("m-{n}"), "body": format!("@[Ученик]({}) вопрос {n}", c.student.id) }),
        )
        .await;
    }
    let address = app.serve().await;
    let (mut other_device, _) = Socket::connect(address, &c.student.token).await;
    let all = page(&app, &c.student.token).await;
    assert_eq!(all["unread"], 3);
    let ids: Vec<i64> = items(&all).iter().map(|n| n["id"].as_i64().expect("id")).collect();

    // Paging: two, then the third.
    let first = app.get("/api/v1/notifications?limit=2").token(&c.student.token).send().await.expect(200).json;
    assert_eq!(items(&first).len(), 2);
    let next = first["next_before"].as_i64().expect("more");
    let rest = app
        .get(&format!("/api/v1/notifications?limit=2&before={next}"))
        .token(&c.student.token)
        .send()
        .await
        .expect(200);
    assert_eq!(items(&rest.json).len(), 1);
    assert!(rest.json["next_before"].is_null());
    app.get("/api/v1/notifications?limit=0").token(&c.student.token).send().await.invalid(&[("limit", "out_of_range")]);

    // One read: the count drops, and the person's other device hears which.
    app.post("/api/v1/notifications/read")
        .token(&c.student.token)
        .json(json!({ "ids": [ids[0]] }))
        .send()
        .await
        .expect(204);
    let heard = other_device.user_event("notifications_read", Duration::from_secs(5)).await.expect("the other device");
    assert_eq!(heard["ids"], json!([ids[0]]));
    let now = page(&app, &c.student.token).await;
    assert_eq!(now["unread"], 2);
    assert_eq!(items(&now)[0]["read"], true);
    // Someone else's notification cannot be marked by them (nor told from an unknown one).
    app.post("/api/v1/notifications/read")
        .token(&c.parent.token)
        .json(json!({ "ids": [ids[1]] }))
        .send()
        .await
        .expect(204);
    assert_eq!(page(&app, &c.student.token).await["unread"], 2);
    app.post("/api/v1/notifications/read")
        .token(&c.student.token)
        .json(json!({}))
        .send()
        .await
        .invalid(&[("ids", "required")]);
    // All at once.
    app.post("/api/v1/notifications/read")
        .token(&c.student.token)
        .json(json!({ "all": true }))
        .send()
        .await
        .expect(204);
    let heard = other_device.user_event("notifications_read", Duration::from_secs(5)).await.expect("all read");
    assert_eq!(heard["up_to"], ids[1], "up to the newest that was unread");
    assert_eq!(page(&app, &c.student.token).await["unread"], 0);

    // A post to confirm in the parents chat waits for the parent until they confirm it.
    let parents_chat = chat_id(&app, &c.teacher.token, org, "parents", Some(c.a)).await;
    let post = send(
        &app,
        &c.teacher.token,
        parents_chat,
        json!({ "client_msg_id": "ack-1", "body": "Собрание в четверг в 18:00", "needs_ack": true }),
    )
    .await;
    let parents = page(&app, &c.parent.token).await;
    let waiting = parents["awaiting_ack"].as_array().expect("awaiting");
    assert_eq!(waiting.len(), 1);
    assert_eq!(
        (waiting[0]["message_id"].clone(), waiting[0]["chat_id"].clone(), waiting[0]["preview"].clone()),
        (post["id"].clone(), json!(parents_chat), json!("Собрание в четверг в 18:00"))
    );
    assert!(
        page(&app, &c.teacher.token).await["awaiting_ack"].as_array().expect("awaiting").is_empty(),
        "not one's own"
    );
    app.post(&format!("/api/v1/chats/{parents_chat}/messages/{}/ack", post["id"]))
        .token(&c.parent.token)
        .send()
        .await
        .expect(204);
    assert!(page(&app, &c.parent.token).await["awaiting_ack"].as_array().expect("awaiting").is_empty());
}

async fn a_sign_in_from_a_new_device_is_told_and_can_be_ended(app: TestApp) {
    let c = class_with_people(&app, 616).await;
    let login = |device: Option<String>, agent: &'static str| {
        let app = &app;
        let email = c.parent.email.clone();
        async move {
            let mut call = app.post("/api/v1/auth/login").header("User-Agent", agent);
            if let Some(device) = &device {
                call = call.header("Cookie", &format!("parta_device={device}"));
            }
            call.json(json!({ "login": email, "password": PASSWORD })).send().await.expect(200)
        }
    };
    // The first sign-in on this browser (registering) told nobody; a browser with the
    // device cookie is known.
    let first = login(None, "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0").await;
    let device = first
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("parta_device="))
        .and_then(|c| c.split(';').next())
        .expect("a device cookie")
        .to_owned();
    let told = page(&app, &c.parent.token).await;
    assert_eq!(kinds(&told), ["login"], "registering was one device, this is another: {told}");
    login(Some(device), "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0").await;
    assert_eq!(kinds(&page(&app, &c.parent.token).await), ["login"], "a known device is not news");

    // A new one: told with the browser, the address and the session, which ends on «this was not me».
    let stranger = login(None, "Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile").await;
    let stranger_token = stranger.json["token"].as_str().expect("a token").to_owned();
    let told = page(&app, &c.parent.token).await;
    assert_eq!(kinds(&told), ["login", "login"]);
    let notice = &items(&told)[0];
    assert!(notice["details"]["device"].as_str().is_some_and(|d| d.contains("Android 14")), "{notice}");
    assert!(notice["details"]["ip"].is_string());
    assert!(notice["actor"].is_null());
    let session = notice["details"]["session_id"].as_i64().expect("the session");
    app.get("/api/v1/me").token(&stranger_token).send().await.expect(200);
    app.delete(&format!("/api/v1/me/sessions/{session}")).token(&c.parent.token).send().await.expect(204);
    app.get("/api/v1/me").token(&stranger_token).send().await.expect(401);
    app.get("/api/v1/me").token(&c.parent.token).send().await.expect(200);
}

async fn a_member_quiets_a_chat_for_themselves_only(app: TestApp) {
    let c = class_with_people(&app, 617).await;
    let org = c.school.org;
    let chat = chat_id(&app, &c.parent.token, org, "parents", Some(c.a)).await;
    let address = app.serve().await;
    let (mut other_device, _) = Socket::connect(address, &c.parent.token).await;
    let silence = |token: String, body: Value| {
        let app = &app;
        async move { app.put(&format!("/api/v1/chats/{chat}/silence")).token(&token).json(body).send().await }
    };
    let seen = |token: String| {
        let app = &app;
        async move {
            let chats = app.get(&format!("/api/v1/chats?org_id={org}")).token(&token).send().await.expect(200);
            chats.list().iter().find(|x| x["id"] == chat).cloned().expect("the chat")
        }
    };
    let hours_from_now = |value: &Value| {
        let until: jiff::Timestamp = value.as_str().expect("a time").parse().expect("RFC 3339");
        (until.as_millisecond() - parta_server::clock::now_ms()) as f64 / 3_600_000.0
    };

    // For an hour: the parent's chat list says so, their other device hears it, nobody else's changes.
    let quiet = silence(c.parent.token.clone(), json!({ "mute": "1h" })).await.expect(200).json;
    assert!((0.99..=1.0).contains(&hours_from_now(&quiet["silenced_until"])), "{quiet}");
    assert_eq!(quiet["mentions_only"], false);
    let heard =
        other_device.user_event("chat_silence_changed", Duration::from_secs(5)).await.expect("the other device");
    assert_eq!(heard["silence"]["silenced_until"], quiet["silenced_until"]);
    assert_eq!(seen(c.parent.token.clone()).await["silenced_until"], quiet["silenced_until"]);
    assert!(seen(c.teacher.token.clone()).await["silenced_until"].is_null(), "the teacher's chat is not quieted");

    // Only mentions, the hour kept; until tomorrow morning; forever; off.
    let only = silence(c.parent.token.clone(), json!({ "mentions_only": true })).await.expect(200).json;
    assert_eq!(
        (only["silenced_until"].clone(), only["mentions_only"].clone()),
        (quiet["silenced_until"].clone(), json!(true))
    );
    let morning = silence(c.parent.token.clone(), json!({ "mute": "tomorrow" })).await.expect(200).json;
    let until: jiff::Timestamp = morning["silenced_until"].as_str().expect("a time").parse().expect("RFC 3339");
    let local = until.to_zoned(jiff::tz::TimeZone::get("Asia/Yekaterinburg").expect("zone"));
    let tomorrow = jiff::Timestamp::now().to_zoned(local.time_zone().clone()).date().tomorrow().expect("a day");
    assert_eq!((local.date(), local.hour(), local.minute()), (tomorrow, 8, 0), "8:00 tomorrow where the school is");
    assert_eq!(morning["mentions_only"], true, "kept");
    let forever = silence(c.parent.token.clone(), json!({ "mute": "forever" })).await.expect(200).json;
    assert!(forever["silenced_until"].as_str().is_some_and(|t| t.starts_with("9999-")), "{forever}");
    let off = silence(c.parent.token.clone(), json!({ "mute": "off", "mentions_only": false })).await.expect(200).json;
    assert!(off["silenced_until"].is_null() && off["mentions_only"] == false, "{off}");
    assert!(seen(c.parent.token.clone()).await["silenced_until"].is_null());

    // A made-up length is refused; a chat one is not in does not exist.
    silence(c.parent.token.clone(), json!({ "mute": "2h" })).await.invalid(&[("mute", "invalid_value")]);
    silence(c.student.token.clone(), json!({ "mute": "1h" })).await.problem(404, "not_found");
    app.put(&format!("/api/v1/chats/{chat}/silence")).json(json!({ "mute": "1h" })).send().await.expect(401);
}
