//! Chats driven by the directory, messages, and realtime delivery over real
//! WebSockets: live fan-out, resume without gaps or duplicates, removal and
//! logout taking effect at once.

use std::time::Duration;

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{Person, School, Socket, TestApp, multipart, sent_bodies};

on_both_backends!(
    the_registry_seats_people_in_their_chats,
    messages_are_sent_once_edited_and_deleted,
    history_pages_back_and_unread_counts_follow,
    a_channel_is_read_by_all_and_posted_by_authors,
    sockets_receive_live_and_resume_exactly_what_they_missed,
    a_removed_member_stops_receiving_at_once,
    logout_closes_the_socket,
    sockets_need_a_live_session,
    reactions_and_pins_are_shared_live,
    a_must_acknowledge_post_shows_who_has_not_confirmed,
    polls_count_votes_live_and_close,
    files_are_shared_with_the_chat_only,
    typing_reaches_the_chat_and_floods_are_limited,
    moderators_handle_reports_mutes_and_read_only,
    quiet_hours_hold_messages_until_morning,
    edits_pass_the_checks_of_a_send,
    polls_and_edits_wait_for_the_end_of_quiet_hours,
    direct_messages_follow_shared_classes_and_safe_mode,
    live_events_wait_for_the_resume,
    events_committed_but_never_published_are_relayed,
    concurrent_sends_commit_together_and_fail_alone,
    sends_of_one_batch_see_each_others_keys_and_counts,
    a_batch_refused_by_the_database_is_written_again_send_by_send,
    work_that_ends_without_commit_leaves_nothing_behind,
    sends_behind_a_send_whose_client_hung_up_are_written,
    a_chat_held_up_holds_up_only_its_own_lane,
);

async fn chats_of(app: &TestApp, token: &str, org: i64) -> Vec<Value> {
    app.get(&format!("/api/v1/chats?org_id={org}"))
        .token(token)
        .send()
        .await
        .expect(200)
        .json
        .as_array()
        .expect("list")
        .clone()
}

/// The chat's latest 100 messages, as `token` reads them.
async fn latest_messages(app: &TestApp, token: &str, chat: i64) -> Vec<Value> {
    let page = app.get(&format!("/api/v1/chats/{chat}/messages?limit=100")).token(token).send().await.expect(200);
    page.json["messages"].as_array().expect("list").clone()
}

pub async fn chat_id(app: &TestApp, token: &str, org: i64, kind: &str, class: Option<i64>) -> i64 {
    let chats = chats_of(app, token, org).await;
    chats
        .iter()
        .find(|c| c["kind"] == kind && (class.is_none() || c["class_id"] == json!(class)))
        .unwrap_or_else(|| panic!("no {kind} chat in {chats:?}"))["id"]
        .as_i64()
        .expect("id")
}

fn kinds(chats: &[Value]) -> Vec<(String, Option<i64>, String)> {
    let mut kinds: Vec<_> = chats
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap_or("").to_owned(),
                c["class_id"].as_i64(),
                c["my_role"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    kinds.sort();
    kinds
}

pub(crate) async fn send(app: &TestApp, who: &Person, chat: i64, key: &str, body: &str) -> Value {
    app.post(&format!("/api/v1/chats/{chat}/messages"))
        .token(&who.token)
        .json(json!({ "client_msg_id": key, "body": body }))
        .send()
        .await
        .expect(201)
        .json
}

/// A school with classes 5А and 5Б, 5А's class teacher, a student and their parent.
pub struct Class5 {
    pub school: School,
    pub a: i64,
    pub b: i64,
    pub teacher: Person,
    pub student: Person,
    pub parent: Person,
}

pub async fn class_with_people(app: &TestApp, n: u32) -> Class5 {
    let school = app.school(n).await;
    let a = app.create_class(&school, "5А", 5).await;
    let b = app.create_class(&school, "5Б", 5).await;
    let teacher = app.join(&school, school.staff_room, "teacher", None, "Классова").await;
    app.assign_class_teacher(&school, a, teacher.id).await;
    let student = app.join(&school, a, "student", None, "Учеников").await;
    let parent = app.join(&school, a, "parent", Some(student.id), "Родителев").await;
    Class5 { school, a, b, teacher, student, parent }
}

async fn the_registry_seats_people_in_their_chats(app: TestApp) {
    let c = class_with_people(&app, 71).await;
    let s = |k: &str, class: Option<i64>, role: &str| (k.to_owned(), class, role.to_owned());
    assert_eq!(
        kinds(&chats_of(&app, &c.student.token, c.school.org).await),
        [s("class", Some(c.a), "member"), s("school_channel", None, "member")]
    );
    assert_eq!(
        kinds(&chats_of(&app, &c.parent.token, c.school.org).await),
        [s("parents", Some(c.a), "member"), s("school_channel", None, "member")]
    );
    assert_eq!(
        kinds(&chats_of(&app, &c.teacher.token, c.school.org).await),
        [
            s("class", Some(c.a), "moderator"),
            s("class_teachers", Some(c.a), "moderator"),
            s("parents", Some(c.a), "moderator"),
            s("school_channel", None, "member"),
            s("staff_channel", None, "member"),
            s("staff_room", Some(c.school.staff_room), "member"),
        ]
    );
    assert_eq!(
        kinds(&chats_of(&app, &c.school.admin, c.school.org).await),
        [
            s("school_channel", None, "moderator"),
            s("staff_channel", None, "moderator"),
            s("staff_room", Some(c.school.staff_room), "moderator")
        ]
    );
    // A transfer moves the student and the parent to 5Б's chats.
    app.post(&format!("/api/v1/orgs/{}/members/{}/transfer", c.school.org, c.student.id))
        .token(&c.school.admin)
        .json(json!({ "to_class_id": c.b }))
        .send()
        .await
        .expect(200);
    assert_eq!(kinds(&chats_of(&app, &c.student.token, c.school.org).await)[0], s("class", Some(c.b), "member"));
    assert_eq!(kinds(&chats_of(&app, &c.parent.token, c.school.org).await)[0], s("parents", Some(c.b), "member"));
    let class_a_chat = chat_id(&app, &c.teacher.token, c.school.org, "class", Some(c.a)).await;
    let members =
        app.get(&format!("/api/v1/chats/{class_a_chat}/members")).token(&c.teacher.token).send().await.expect(200);
    assert!(members.json.as_array().expect("list").iter().all(|m| m["person"]["id"] != c.student.id));
    app.get(&format!("/api/v1/chats/{class_a_chat}")).token(&c.student.token).send().await.problem(404, "not_found");
    // Renaming the class renames its chats.
    app.patch(&format!("/api/v1/orgs/{}/classes/{}", c.school.org, c.b))
        .token(&c.school.admin)
        .json(json!({ "name": "5Б (профильный)" }))
        .send()
        .await
        .expect(200);
    let renamed = chats_of(&app, &c.student.token, c.school.org).await;
    assert!(renamed.iter().any(|c| c["title"] == "5Б (профильный) — класс"), "{renamed:?}");
    // A leaver sits nowhere, and neither does their parent.
    let joined_on =
        app.get("/api/v1/me").token(&c.student.token).send().await.json["schools"][0]["places"][0]["started_on"]
            .clone();
    app.post(&format!("/api/v1/orgs/{}/members/{}/leave", c.school.org, c.student.id))
        .token(&c.school.admin)
        .json(json!({ "on": joined_on }))
        .send()
        .await
        .expect(204);
    assert!(chats_of(&app, &c.student.token, c.school.org).await.is_empty());
    assert!(chats_of(&app, &c.parent.token, c.school.org).await.is_empty());
}

async fn messages_are_sent_once_edited_and_deleted(app: TestApp) {
    let c = class_with_people(&app, 72).await;
    let chat = chat_id(&app, &c.student.token, c.school.org, "class", Some(c.a)).await;
    let first = send(&app, &c.student, chat, "k-1", "  Когда контрольная?  ").await;
    assert_eq!(first["body"], "Когда контрольная?");
    // The same key again: the stored message, not a second one.
    let again = app
        .post(&format!("/api/v1/chats/{chat}/messages"))
        .token(&c.student.token)
        .json(json!({ "client_msg_id": "k-1", "body": "Когда контрольная?" }))
        .send()
        .await
        .expect(200);
    assert_eq!(again.json["id"], first["id"]);
    let history = app.get(&format!("/api/v1/chats/{chat}/messages")).token(&c.teacher.token).send().await.expect(200);
    assert_eq!(history.json["messages"].as_array().expect("list").len(), 1);
    // Bad input is refused and changes nothing.
    for (body, code) in [("   ", "required"), (&"я".repeat(4001)[..], "too_long")] {
        app.post(&format!("/api/v1/chats/{chat}/messages"))
            .token(&c.student.token)
            .json(json!({ "client_msg_id": format!("bad-{code}"), "body": body }))
            .send()
            .await
            .invalid(&[("body", code)]);
    }
    // Edit: the sender only, marked as edited.
    let id = first["id"].as_i64().expect("id");
    let edited = app
        .patch(&format!("/api/v1/chats/{chat}/messages/{id}"))
        .token(&c.student.token)
        .json(json!({ "body": "Когда контрольная по математике?" }))
        .send()
        .await
        .expect(200);
    assert!(edited.json["edited_at"].is_string());
    app.patch(&format!("/api/v1/chats/{chat}/messages/{id}"))
        .token(&c.teacher.token)
        .json(json!({ "body": "чужое" }))
        .send()
        .await
        .problem(403, "forbidden");
    // The class teacher moderates the chat and sees what the message said before.
    let versions = app
        .get(&format!("/api/v1/chats/{chat}/messages/{id}/versions"))
        .token(&c.teacher.token)
        .send()
        .await
        .expect(200);
    assert_eq!(versions.json[0]["body"], "Когда контрольная?");
    app.get(&format!("/api/v1/chats/{chat}/messages/{id}/versions"))
        .token(&c.student.token)
        .send()
        .await
        .problem(403, "forbidden");
    // Delete: the class teacher moderates the class chat.
    app.delete(&format!("/api/v1/chats/{chat}/messages/{id}")).token(&c.teacher.token).send().await.expect(204);
    let history = app.get(&format!("/api/v1/chats/{chat}/messages")).token(&c.student.token).send().await.expect(200);
    let message = &history.json["messages"][0];
    assert_eq!(
        (message["deleted"].as_bool(), message["deleted_by_moderator"].as_bool(), message["body"].as_str()),
        (Some(true), Some(true), Some(""))
    );
    app.delete(&format!("/api/v1/chats/{chat}/messages/{id}"))
        .token(&c.student.token)
        .send()
        .await
        .problem(409, "message_deleted");
    // A parent is not in the class chat: it does not exist for them.
    app.post(&format!("/api/v1/chats/{chat}/messages"))
        .token(&c.parent.token)
        .json(json!({ "client_msg_id": "p-1", "body": "Здравствуйте" }))
        .send()
        .await
        .problem(404, "not_found");
    // A reply must point into the same chat.
    let parents_chat = chat_id(&app, &c.parent.token, c.school.org, "parents", Some(c.a)).await;
    let parents_message = send(&app, &c.parent, parents_chat, "p-2", "Добрый вечер").await;
    app.post(&format!("/api/v1/chats/{chat}/messages"))
        .token(&c.student.token)
        .json(json!({ "client_msg_id": "k-2", "body": "ответ", "reply_to": parents_message["id"] }))
        .send()
        .await
        .invalid(&[("reply_to", "unknown_message")]);
}

async fn history_pages_back_and_unread_counts_follow(app: TestApp) {
    let c = class_with_people(&app, 73).await;
    let chat = chat_id(&app, &c.student.token, c.school.org, "class", Some(c.a)).await;
    for n in 1..=7 {
        send(&app, &c.student, chat, &format!("m{n}"), &format!("Сообщение {n}")).await;
    }
    let page =
        app.get(&format!("/api/v1/chats/{chat}/messages?limit=3")).token(&c.teacher.token).send().await.expect(200);
    let bodies = |page: &Value| {
        page["messages"]
            .as_array()
            .expect("list")
            .iter()
            .map(|m| m["body"].as_str().unwrap_or("").to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(bodies(&page.json), ["Сообщение 5", "Сообщение 6", "Сообщение 7"]);
    assert_eq!(page.json["has_more"], true);
    let before = page.json["messages"][0]["seq"].as_i64().expect("seq");
    let older = app
        .get(&format!("/api/v1/chats/{chat}/messages?limit=10&before={before}"))
        .token(&c.teacher.token)
        .send()
        .await
        .expect(200);
    assert_eq!(bodies(&older.json), ["Сообщение 1", "Сообщение 2", "Сообщение 3", "Сообщение 4"]);
    assert_eq!(older.json["has_more"], false);
    // The teacher has 7 unread; the sender none.
    let teacher_view = app.get(&format!("/api/v1/chats/{chat}")).token(&c.teacher.token).send().await.expect(200);
    assert_eq!(teacher_view.json["unread"], 7);
    assert_eq!(
        app.get(&format!("/api/v1/chats/{chat}")).token(&c.student.token).send().await.expect(200).json["unread"],
        0
    );
    let last = teacher_view.json["last_seq"].as_i64().expect("seq");
    app.post(&format!("/api/v1/chats/{chat}/read"))
        .token(&c.teacher.token)
        .json(json!({ "seq": last }))
        .send()
        .await
        .expect(204);
    assert_eq!(
        app.get(&format!("/api/v1/chats/{chat}")).token(&c.teacher.token).send().await.expect(200).json["unread"],
        0
    );
    app.post(&format!("/api/v1/chats/{chat}/read"))
        .token(&c.teacher.token)
        .json(json!({ "seq": last + 100 }))
        .send()
        .await
        .invalid(&[("seq", "out_of_range")]);
    // The read receipt is visible to the chat.
    let members = app.get(&format!("/api/v1/chats/{chat}/members")).token(&c.student.token).send().await.expect(200);
    let teacher = members
        .json
        .as_array()
        .expect("list")
        .iter()
        .find(|m| m["person"]["id"] == c.teacher.id)
        .expect("teacher")
        .clone();
    assert_eq!(teacher["last_read_seq"], last);
}

async fn a_channel_is_read_by_all_and_posted_by_authors(app: TestApp) {
    let c = class_with_people(&app, 74).await;
    let channel = chat_id(&app, &c.parent.token, c.school.org, "school_channel", None).await;
    let admin = Person { id: c.school.admin_id, token: c.school.admin.clone(), email: String::new() };
    let post = send(&app, &admin, channel, "news-1", "Завтра линейка в 8:30").await;
    app.post(&format!("/api/v1/chats/{channel}/messages"))
        .token(&c.parent.token)
        .json(json!({ "client_msg_id": "x", "body": "А можно позже?" }))
        .send()
        .await
        .problem(403, "forbidden");
    for reader in [&c.parent, &c.student, &c.teacher] {
        let page = app.get(&format!("/api/v1/chats/{channel}/messages")).token(&reader.token).send().await.expect(200);
        assert_eq!(page.json["messages"][0]["id"], post["id"]);
    }
    let seen = app.get(&format!("/api/v1/chats/{channel}")).token(&c.parent.token).send().await.expect(200);
    assert_eq!((seen.json["abilities"]["post"].as_bool(), seen.json["unread"].as_i64()), (Some(false), Some(1)));
    // Another school's admin cannot see it at all.
    let other = app.school(75).await;
    app.get(&format!("/api/v1/chats/{channel}/messages")).token(&other.admin).send().await.problem(404, "not_found");
}

async fn sockets_receive_live_and_resume_exactly_what_they_missed(app: TestApp) {
    let c = class_with_people(&app, 76).await;
    let address = app.serve().await;
    let chat = chat_id(&app, &c.student.token, c.school.org, "class", Some(c.a)).await;
    let parents_chat = chat_id(&app, &c.parent.token, c.school.org, "parents", Some(c.a)).await;
    let (mut teacher, _) = Socket::connect(address, &c.teacher.token).await;
    let (mut parent, _) = Socket::connect(address, &c.parent.token).await;
    send(&app, &c.student, chat, "live-1", "Первое").await;
    let frame = teacher.next().await.expect("live event");
    assert_eq!((frame["type"].as_str(), frame["chat_id"].as_i64()), (Some("chat_event"), Some(chat)));
    assert_eq!(frame["event"]["message"]["body"], "Первое");
    let seen = frame["seq"].as_i64().expect("seq");
    // Fan-out: the parent does not sit in the class chat and hears nothing of it.
    send(&app, &c.parent, parents_chat, "live-p", "Вопрос родителям").await;
    let to_parent = parent.next().await.expect("own chat event");
    assert_eq!(to_parent["chat_id"], parents_chat);
    assert!(parent.next_within(Duration::from_millis(300)).await.is_none(), "the parent heard something else");

    // The teacher drops off; three messages go by; the teacher resumes from `seen`.
    drop(teacher);
    let _ = teacher_frames_after_parent(&mut Socket::connect(address, &c.teacher.token).await.0).await;
    for n in 2..=4 {
        send(&app, &c.student, chat, &format!("live-{n}"), &format!("Сообщение {n}")).await;
    }
    let (mut teacher, welcome) = Socket::connect(address, &c.teacher.token).await;
    let user_seq = welcome["user_seq"].as_i64().expect("user seq");
    teacher.send(json!({ "type": "resume", "user_seq": user_seq, "chats": [{ "chat_id": chat, "seq": seen }] })).await;
    let replay = teacher.until("ready").await;
    assert_eq!(sent_bodies(&replay, chat), ["Сообщение 2", "Сообщение 3", "Сообщение 4"]);
    let seqs: Vec<i64> = replay.iter().filter(|f| f["chat_id"] == chat).filter_map(|f| f["seq"].as_i64()).collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1) && seqs[0] == seen + 1, "gapless positions: {seqs:?}");
    // And live again, without doubles.
    send(&app, &c.student, chat, "live-5", "Пятое").await;
    let live = teacher.next().await.expect("live");
    assert_eq!(
        (live["event"]["message"]["body"].as_str(), live["seq"].as_i64()),
        (Some("Пятое"), Some(seqs[seqs.len() - 1] + 1))
    );
    // A position from the future is refused.
    let (mut confused, welcome) = Socket::connect(address, &c.teacher.token).await;
    let ahead = welcome["user_seq"].as_i64().expect("seq") + 10;
    confused.send(json!({ "type": "resume", "user_seq": ahead, "chats": [] })).await;
    assert_eq!(confused.closed_with(Duration::from_secs(2)).await, Some(4009));
}

/// Drains whatever a fresh socket gets at once (nothing is expected) and closes it.
async fn teacher_frames_after_parent(socket: &mut Socket) -> Vec<Value> {
    let mut frames = Vec::new();
    while let Some(frame) = socket.next_within(Duration::from_millis(100)).await {
        frames.push(frame);
    }
    frames
}

async fn a_removed_member_stops_receiving_at_once(app: TestApp) {
    let c = class_with_people(&app, 77).await;
    let address = app.serve().await;
    let chat_a = chat_id(&app, &c.student.token, c.school.org, "class", Some(c.a)).await;
    let (mut student, _) = Socket::connect(address, &c.student.token).await;
    app.post(&format!("/api/v1/orgs/{}/members/{}/transfer", c.school.org, c.student.id))
        .token(&c.school.admin)
        .json(json!({ "to_class_id": c.b }))
        .send()
        .await
        .expect(200);
    let mut frames = Vec::new();
    while let Some(frame) = student.next_within(Duration::from_millis(500)).await {
        frames.push(frame);
    }
    let left = frames.iter().any(|f| {
        f["chat_id"] == chat_a && f["event"]["type"] == "member_left" && f["event"]["user_id"] == c.student.id
    });
    let removed = frames
        .iter()
        .any(|f| f["type"] == "user_event" && f["event"]["type"] == "chat_removed" && f["event"]["chat_id"] == chat_a);
    let chat_b = chat_id(&app, &c.student.token, c.school.org, "class", Some(c.b)).await;
    let added = frames
        .iter()
        .any(|f| f["type"] == "user_event" && f["event"]["type"] == "chat_added" && f["event"]["chat_id"] == chat_b);
    assert!(left && removed && added, "{frames:?}");
    // What 5А says now does not reach them; what 5Б says does.
    send(&app, &c.teacher, chat_a, "after-1", "Только для 5А").await;
    let classmate = app.join(&c.school, c.b, "student", None, "Новенький").await;
    send(&app, &classmate, chat_b, "after-2", "Привет, 5Б").await;
    let mut later = Vec::new();
    while let Some(frame) = student.next_within(Duration::from_millis(500)).await {
        later.push(frame);
    }
    assert!(sent_bodies(&later, chat_a).is_empty(), "{later:?}");
    assert_eq!(sent_bodies(&later, chat_b), ["Привет, 5Б"]);
}

async fn logout_closes_the_socket(app: TestApp) {
    let c = class_with_people(&app, 78).await;
    let address = app.serve().await;
    let other_session = app.login(&c.teacher.email, crate::support::PASSWORD).await;
    let (mut on_phone, _) = Socket::connect(address, &c.teacher.token).await;
    let (mut on_laptop, _) = Socket::connect(address, &other_session).await;
    app.post("/api/v1/auth/logout").token(&c.teacher.token).send().await.expect(204);
    assert_eq!(on_phone.closed_with(Duration::from_secs(1)).await, Some(4003));
    // The other device stays connected.
    assert!(on_laptop.next_within(Duration::from_millis(300)).await.is_none());
    let chat = chat_id(&app, &c.student.token, c.school.org, "class", Some(c.a)).await;
    send(&app, &c.student, chat, "still-1", "Вы тут?").await;
    assert_eq!(on_laptop.next().await.expect("live")["event"]["message"]["body"], "Вы тут?");
    // A password change ends every other session, sockets included.
    app.post("/api/v1/me/password")
        .token(&other_session)
        .json(json!({ "current_password": crate::support::PASSWORD, "new_password": "новый пароль 2026" }))
        .send()
        .await
        .expect(204);
    let (mut fresh, _) = Socket::connect(address, &other_session).await;
    let _ = &mut fresh;
    assert!(on_laptop.next_within(Duration::from_millis(300)).await.is_none(), "the changing session keeps its socket");
}

async fn sockets_need_a_live_session(app: TestApp) {
    let address = app.serve().await;
    let (stream, _) = tokio_tungstenite::connect_async(format!("ws://{address}/api/v1/ws")).await.expect("connects");
    let mut socket = Socket::wrap(stream);
    socket.send(json!({ "type": "auth", "token": "not a token" })).await;
    assert_eq!(socket.closed_with(Duration::from_secs(2)).await, Some(4001));
    let (stream, _) = tokio_tungstenite::connect_async(format!("ws://{address}/api/v1/ws")).await.expect("connects");
    let mut silent = Socket::wrap(stream);
    silent.send(json!({ "type": "typing", "chat_id": 1 })).await;
    assert_eq!(silent.closed_with(Duration::from_secs(2)).await, Some(4001));
}

async fn reactions_and_pins_are_shared_live(app: TestApp) {
    let c = class_with_people(&app, 79).await;
    let address = app.serve().await;
    let chat = chat_id(&app, &c.student.token, c.school.org, "class", Some(c.a)).await;
    let message = send(&app, &c.student, chat, "r-1", "Смотрите, какая радуга!").await;
    let id = message["id"].as_i64().expect("id");
    let (mut student, _) = Socket::connect(address, &c.student.token).await;
    let thumbs = "%F0%9F%91%8D";
    let reactions = app
        .put(&format!("/api/v1/chats/{chat}/messages/{id}/reactions/{thumbs}"))
        .token(&c.teacher.token)
        .send()
        .await
        .expect(200);
    assert_eq!(reactions.json, json!([{ "emoji": "👍", "user_ids": [c.teacher.id] }]));
    // Twice is once.
    app.put(&format!("/api/v1/chats/{chat}/messages/{id}/reactions/{thumbs}"))
        .token(&c.teacher.token)
        .send()
        .await
        .expect(200);
    app.put(&format!("/api/v1/chats/{chat}/messages/{id}/reactions/%3Cb%3E"))
        .token(&c.teacher.token)
        .send()
        .await
        .invalid(&[("emoji", "unknown_reaction")]);
    let frame = student.next().await.expect("reaction event");
    assert_eq!(
        (frame["event"]["type"].as_str(), frame["event"]["reactions"][0]["emoji"].as_str()),
        (Some("reactions_changed"), Some("👍"))
    );
    assert!(student.next_within(Duration::from_millis(300)).await.is_none(), "a repeated reaction is no event");
    // Pins: the class teacher pins; the student cannot.
    app.put(&format!("/api/v1/chats/{chat}/messages/{id}/pin"))
        .token(&c.student.token)
        .send()
        .await
        .problem(403, "forbidden");
    app.put(&format!("/api/v1/chats/{chat}/messages/{id}/pin")).token(&c.teacher.token).send().await.expect(204);
    let pinned = student.next().await.expect("pin event");
    assert_eq!(
        (pinned["event"]["type"].as_str(), pinned["event"]["pinned"].as_bool()),
        (Some("message_pinned"), Some(true))
    );
    let pins = app.get(&format!("/api/v1/chats/{chat}/pins")).token(&c.student.token).send().await.expect(200);
    assert_eq!(pins.json[0]["id"], id);
    assert_eq!(pins.json[0]["reactions"][0]["user_ids"], json!([c.teacher.id]));
    app.delete(&format!("/api/v1/chats/{chat}/messages/{id}/reactions/{thumbs}"))
        .token(&c.teacher.token)
        .send()
        .await
        .expect(200);
    app.delete(&format!("/api/v1/chats/{chat}/messages/{id}/pin")).token(&c.teacher.token).send().await.expect(204);
    let history = app.get(&format!("/api/v1/chats/{chat}/messages")).token(&c.student.token).send().await.expect(200);
    let first = &history.json["messages"][0];
    assert_eq!((first["pinned"].as_bool(), first["reactions"].clone()), (Some(false), json!([])));
}

fn ids_of(list: &Value) -> Vec<i64> {
    let mut ids: Vec<i64> =
        list.as_array().expect("list").iter().filter_map(|p| p["id"].as_i64().or(p["person"]["id"].as_i64())).collect();
    ids.sort();
    ids
}

async fn a_must_acknowledge_post_shows_who_has_not_confirmed(app: TestApp) {
    let c = class_with_people(&app, 80).await;
    let address = app.serve().await;
    let second_child = app.join(&c.school, c.a, "student", None, "Второй").await;
    let second_parent = app.join(&c.school, c.a, "parent", Some(second_child.id), "Вторая").await;
    let chat = chat_id(&app, &c.parent.token, c.school.org, "parents", Some(c.a)).await;
    // Parents cannot ask for confirmation; the class teacher can.
    app.post(&format!("/api/v1/chats/{chat}/messages"))
        .token(&c.parent.token)
        .json(json!({ "client_msg_id": "a-0", "body": "Прошу подтвердить", "needs_ack": true }))
        .send()
        .await
        .problem(403, "forbidden");
    let post = app
        .post(&format!("/api/v1/chats/{chat}/messages"))
        .token(&c.teacher.token)
        .json(json!({ "client_msg_id": "a-1", "body": "Родительское собрание в четверг в 18:00.", "needs_ack": true }))
        .send()
        .await
        .expect(201);
    assert_eq!(post.json["needs_ack"], true);
    let id = post.id();
    let acks = format!("/api/v1/chats/{chat}/messages/{id}/acks");
    let status = app.get(&acks).token(&c.teacher.token).send().await.expect(200);
    let mut both = vec![c.parent.id, second_parent.id];
    both.sort();
    assert_eq!(ids_of(&status.json["pending"]), both);
    // A parent confirms, once; the teacher sees it live and in the status.
    let (mut teacher, _) = Socket::connect(address, &c.teacher.token).await;
    for _ in 0..2 {
        app.post(&format!("/api/v1/chats/{chat}/messages/{id}/ack")).token(&c.parent.token).send().await.expect(204);
    }
    let frame = teacher.next().await.expect("ack event");
    assert_eq!(
        (frame["event"]["type"].as_str(), frame["event"]["user_id"].as_i64()),
        (Some("message_acknowledged"), Some(c.parent.id))
    );
    assert!(teacher.next_within(Duration::from_millis(300)).await.is_none(), "the second confirmation is no event");
    let status = app.get(&acks).token(&c.teacher.token).send().await.expect(200);
    assert_eq!(ids_of(&status.json["confirmed"]), [c.parent.id]);
    // Each reader sees whether they have confirmed.
    let acked = |token: String| {
        let app = &app;
        async move {
            let page = app.get(&format!("/api/v1/chats/{chat}/messages")).token(&token).send().await.expect(200);
            page.json["messages"][0]["acked_by_me"].as_bool()
        }
    };
    assert_eq!(acked(c.parent.token.clone()).await, Some(true));
    assert_eq!(acked(second_parent.token.clone()).await, Some(false));
    assert_eq!(ids_of(&status.json["pending"]), [second_parent.id]);
    // Parents do not see who has confirmed; the teacher reminds the one who has not.
    app.get(&acks).token(&c.parent.token).send().await.problem(403, "forbidden");
    let (mut reminded, _) = Socket::connect(address, &second_parent.token).await;
    let reminder = app
        .post(&format!("/api/v1/chats/{chat}/messages/{id}/remind"))
        .token(&c.teacher.token)
        .send()
        .await
        .expect(200);
    assert_eq!(ids_of(&reminder.json["pending"]), [second_parent.id]);
    let frame = reminded.next().await.expect("reminder");
    assert_eq!(
        (frame["event"]["type"].as_str(), frame["event"]["user_ids"].clone()),
        (Some("ack_reminder"), json!([second_parent.id]))
    );
    // The author need not confirm, and ordinary messages cannot be confirmed.
    app.post(&format!("/api/v1/chats/{chat}/messages/{id}/ack"))
        .token(&c.teacher.token)
        .send()
        .await
        .problem(409, "ack_own_message");
    let plain = send(&app, &c.parent, chat, "a-2", "Спасибо!").await;
    app.post(&format!("/api/v1/chats/{chat}/messages/{}/ack", plain["id"]))
        .token(&second_parent.token)
        .send()
        .await
        .problem(409, "ack_not_requested");
}

async fn polls_count_votes_live_and_close(app: TestApp) {
    let c = class_with_people(&app, 82).await;
    let address = app.serve().await;
    let classmate = app.join(&c.school, c.a, "student", None, "Одноклассница").await;
    let chat = chat_id(&app, &c.student.token, c.school.org, "class", Some(c.a)).await;
    let polls = format!("/api/v1/chats/{chat}/polls");
    // Checked: at least two distinct options, a deadline in the future.
    app.post(&polls)
        .token(&c.teacher.token)
        .json(json!({ "client_msg_id": "p-bad", "question": "?", "options": ["Да"] }))
        .send()
        .await
        .invalid(&[("options", "out_of_range")]);
    app.post(&polls).token(&c.teacher.token)
        .json(json!({ "client_msg_id": "p-bad2", "question": "Когда?", "options": ["Да", "Да"], "closes_at": "2001-01-01T00:00:00Z" }))
        .send().await.invalid(&[("options[1]", "duplicate"), ("closes_at", "in_the_past")]);
    let created = app.post(&polls).token(&c.teacher.token)
        .json(json!({ "client_msg_id": "p-1", "question": "Куда поедем на экскурсию?", "options": ["Музей", "Зоопарк", "Планетарий"] }))
        .send().await.expect(201);
    assert_eq!(created.json["body"], "Куда поедем на экскурсию?");
    let poll = created.json["poll"]["id"].as_i64().expect("poll");
    let options: Vec<i64> =
        created.json["poll"]["options"].as_array().expect("options").iter().filter_map(|o| o["id"].as_i64()).collect();
    let vote = format!("/api/v1/chats/{chat}/polls/{poll}/vote");
    let (mut teacher, _) = Socket::connect(address, &c.teacher.token).await;
    let mine =
        app.put(&vote).token(&c.student.token).json(json!({ "option_ids": [options[0]] })).send().await.expect(200);
    assert_eq!(mine.json["my_option_ids"], json!([options[0]]));
    let live = teacher.next().await.expect("poll event");
    assert_eq!(live["event"]["type"], "poll_updated");
    assert_eq!(live["event"]["poll"]["options"][0]["voter_ids"], json!([c.student.id]));
    // Single choice: one option at a time; changing the vote moves it.
    app.put(&vote)
        .token(&c.student.token)
        .json(json!({ "option_ids": [options[0], options[1]] }))
        .send()
        .await
        .invalid(&[("option_ids", "single_choice")]);
    app.put(&vote)
        .token(&c.student.token)
        .json(json!({ "option_ids": [999_999] }))
        .send()
        .await
        .invalid(&[("option_ids", "unknown_option")]);
    app.put(&vote).token(&c.student.token).json(json!({ "option_ids": [options[1]] })).send().await.expect(200);
    let result =
        app.put(&vote).token(&classmate.token).json(json!({ "option_ids": [options[1]] })).send().await.expect(200);
    let votes: Vec<i64> =
        result.json["options"].as_array().expect("options").iter().filter_map(|o| o["votes"].as_i64()).collect();
    assert_eq!((votes, result.json["voters"].as_i64()), (vec![0, 2, 0], Some(2)));
    // Only its author or a moderator closes it; then nobody votes.
    app.post(&format!("/api/v1/chats/{chat}/polls/{poll}/close"))
        .token(&c.student.token)
        .send()
        .await
        .problem(403, "forbidden");
    let closed =
        app.post(&format!("/api/v1/chats/{chat}/polls/{poll}/close")).token(&c.teacher.token).send().await.expect(200);
    assert_eq!(closed.json["closed"], true);
    app.put(&vote)
        .token(&c.student.token)
        .json(json!({ "option_ids": [options[2]] }))
        .send()
        .await
        .problem(409, "poll_closed");
    // Anonymous and multiple: counts without names; a deadline closes it by itself.
    let anonymous = app
        .post(&polls)
        .token(&c.student.token)
        .json(json!({ "client_msg_id": "p-2", "question": "Что взять с собой?", "options": ["Воду", "Бутерброды"],
            "multiple": true, "anonymous": true, "closes_at": "2099-01-01T00:00:00Z" }))
        .send()
        .await
        .expect(201);
    let poll2 = anonymous.json["poll"]["id"].as_i64().expect("poll");
    let both: Vec<i64> = anonymous.json["poll"]["options"]
        .as_array()
        .expect("options")
        .iter()
        .filter_map(|o| o["id"].as_i64())
        .collect();
    let counted = app
        .put(&format!("/api/v1/chats/{chat}/polls/{poll2}/vote"))
        .token(&classmate.token)
        .json(json!({ "option_ids": both }))
        .send()
        .await
        .expect(200);
    assert_eq!(counted.json["options"][0]["votes"], 1);
    assert_eq!(counted.json["options"][0]["voter_ids"], json!([]));
    app.sql("UPDATE polls SET closes_at = 1").await;
    app.put(&format!("/api/v1/chats/{chat}/polls/{poll2}/vote"))
        .token(&c.teacher.token)
        .json(json!({ "option_ids": [both[0]] }))
        .send()
        .await
        .problem(409, "poll_closed");
    // History shows each reader their own choice.
    let history = app.get(&format!("/api/v1/chats/{chat}/messages")).token(&classmate.token).send().await.expect(200);
    let first_poll = history.json["messages"]
        .as_array()
        .expect("list")
        .iter()
        .find(|m| m["poll"]["id"] == poll)
        .expect("poll message")
        .clone();
    assert_eq!(first_poll["poll"]["my_option_ids"], json!([options[1]]));
}

async fn upload(app: &TestApp, who: &Person, chat: i64, name: &str, bytes: &[u8]) -> crate::support::Reply {
    let (content_type, body) = multipart(&[], &[("file", name, bytes)]);
    app.post(&format!("/api/v1/chats/{chat}/files")).token(&who.token).raw(&content_type, body).send().await
}

async fn files_are_shared_with_the_chat_only(app: TestApp) {
    let c = class_with_people(&app, 83).await;
    let classmate = app.join(&c.school, c.a, "student", None, "Соседова").await;
    let chat = chat_id(&app, &c.student.token, c.school.org, "class", Some(c.a)).await;
    let text = "Домашнее задание: упражнения 5–7.".as_bytes();
    let file = upload(&app, &c.student, chat, "../../домашка.txt", text).await.expect(201);
    assert_eq!(file.json["name"], "домашка.txt", "no path from the client's file name");
    assert_eq!(file.json["content_type"], "text/plain; charset=utf-8");
    let id = file.id();
    // Before it is posted, only its uploader can fetch it.
    app.get(&format!("/api/v1/files/{id}")).token(&classmate.token).send().await.problem(404, "not_found");
    app.get(&format!("/api/v1/files/{id}")).token(&c.student.token).send().await.expect(200);
    let sent = app
        .post(&format!("/api/v1/chats/{chat}/messages"))
        .token(&c.student.token)
        .json(json!({ "client_msg_id": "f-1", "body": "", "attachments": [id] }))
        .send()
        .await
        .expect(201);
    assert_eq!(sent.json["attachments"][0]["id"], id);
    // The chat downloads it, as an attachment that is never rendered or sniffed.
    let download = app.get(&format!("/api/v1/files/{id}")).token(&c.teacher.token).send().await.expect(200);
    assert_eq!(download.bytes, text);
    assert!(download.header_str("content-disposition").is_some_and(|v| v.starts_with("attachment")));
    assert_eq!(download.header_str("x-content-type-options"), Some("nosniff"));
    assert!(download.header_str("content-security-policy").is_some_and(|v| v.contains("sandbox")));
    let part = app
        .get(&format!("/api/v1/files/{id}"))
        .token(&classmate.token)
        .header("range", "bytes=0-7")
        .send()
        .await
        .expect(206);
    assert_eq!(part.bytes, &text[..8]);
    assert_eq!(part.header_str("content-range").map(str::to_owned), Some(format!("bytes 0-7/{}", text.len())));
    app.get(&format!("/api/v1/files/{id}"))
        .token(&classmate.token)
        .header("range", "bytes=9999-")
        .send()
        .await
        .expect(416);
    // Not for the parents, not for another school.
    app.get(&format!("/api/v1/files/{id}")).token(&c.parent.token).send().await.problem(404, "not_found");
    let other = app.school(84).await;
    app.get(&format!("/api/v1/files/{id}")).token(&other.admin).send().await.problem(404, "not_found");
    // A file is attached once, by its uploader, in its chat.
    app.post(&format!("/api/v1/chats/{chat}/messages"))
        .token(&c.student.token)
        .json(json!({ "client_msg_id": "f-2", "body": "ещё раз", "attachments": [id] }))
        .send()
        .await
        .invalid(&[("attachments[0]", "unknown_file")]);
    let mine = upload(&app, &classmate, chat, "рисунок.txt", b"kartinka").await.expect(201).id();
    app.post(&format!("/api/v1/chats/{chat}/messages"))
        .token(&c.student.token)
        .json(json!({ "client_msg_id": "f-3", "body": "чужой", "attachments": [mine] }))
        .send()
        .await
        .invalid(&[("attachments[0]", "unknown_file")]);
    // HTML is stored as text, over the limit is refused, nothing is stored for a parent.
    let page = upload(&app, &c.student, chat, "page.html", b"<html><script>alert(1)</script>").await.expect(201);
    assert_eq!(page.json["content_type"], "text/plain; charset=utf-8");
    upload(&app, &c.student, chat, "big.bin", &vec![7u8; 600 * 1024]).await.problem(413, "payload_too_large");
    upload(&app, &c.parent, chat, "x.txt", b"x").await.problem(404, "not_found");
    // Deleting the message takes the file with it.
    let message = sent.id();
    app.delete(&format!("/api/v1/chats/{chat}/messages/{message}")).token(&c.student.token).send().await.expect(204);
    app.get(&format!("/api/v1/files/{id}")).token(&c.teacher.token).send().await.problem(404, "not_found");
}

async fn typing_reaches_the_chat_and_floods_are_limited(app: TestApp) {
    let c = class_with_people(&app, 85).await;
    let address = app.serve().await;
    let chat = chat_id(&app, &c.student.token, c.school.org, "class", Some(c.a)).await;
    let (mut student, _) = Socket::connect(address, &c.student.token).await;
    let (mut teacher, _) = Socket::connect(address, &c.teacher.token).await;
    let (mut parent, _) = Socket::connect(address, &c.parent.token).await;
    student.send(json!({ "type": "typing", "chat_id": chat })).await;
    let typing = teacher.next().await.expect("typing");
    assert_eq!((typing["type"].as_str(), typing["user_id"].as_i64()), (Some("typing"), Some(c.student.id)));
    assert!(student.next_within(Duration::from_millis(300)).await.is_none(), "one's own typing is not echoed");
    assert!(parent.next_within(Duration::from_millis(100)).await.is_none(), "outside the chat nobody hears it");
    // Typing into a chat one does not sit in goes nowhere.
    let parents_chat = chat_id(&app, &c.parent.token, c.school.org, "parents", Some(c.a)).await;
    student.send(json!({ "type": "typing", "chat_id": parents_chat })).await;
    assert!(parent.next_within(Duration::from_millis(300)).await.is_none());
    // One typing frame per person and chat every two seconds; the rest are dropped.
    for _ in 0..5 {
        student.send(json!({ "type": "typing", "chat_id": chat })).await;
    }
    assert!(teacher.next_within(Duration::from_millis(300)).await.is_none(), "typing is rate-limited");
    // Typing follows the posting rules: not into a channel one only reads…
    let channel = chat_id(&app, &c.student.token, c.school.org, "school_channel", None).await;
    student.send(json!({ "type": "typing", "chat_id": channel })).await;
    assert!(teacher.next_within(Duration::from_millis(300)).await.is_none(), "a channel's reader types nothing");
    // …nor while muted.
    let mute = format!("/api/v1/chats/{chat}/members/{}/mute", c.student.id);
    app.put(&mute).token(&c.teacher.token).json(json!({ "minutes": 10 })).send().await.expect(204);
    assert_eq!(teacher.next().await.expect("the mute")["event"]["type"], "member_muted");
    tokio::time::sleep(parta_server::ephemeral::Kind::Typing.interval()).await;
    student.send(json!({ "type": "typing", "chat_id": chat })).await;
    assert!(teacher.next_within(Duration::from_millis(300)).await.is_none(), "the muted type nothing");
    app.put(&mute).token(&c.teacher.token).json(json!({ "minutes": 0 })).send().await.expect(204);
    // The admin, who may post in the channel, is heard there.
    let (mut admin, _) = Socket::connect(address, &c.school.admin).await;
    admin.send(json!({ "type": "typing", "chat_id": channel })).await;
    let heard = parent.next().await.expect("typing in the channel");
    assert_eq!((heard["type"].as_str(), heard["chat_id"].as_i64()), (Some("typing"), Some(channel)));
    // Thirty messages a minute, then a clear refusal; nothing is stored past the limit.
    for n in 0..30 {
        send(&app, &c.student, chat, &format!("flood-{n}"), "спам").await;
    }
    app.post(&format!("/api/v1/chats/{chat}/messages"))
        .token(&c.student.token)
        .json(json!({ "client_msg_id": "flood-30", "body": "ещё" }))
        .send()
        .await
        .problem(429, "send_rate_limited");
    // A retry of a message already sent is still answered.
    app.post(&format!("/api/v1/chats/{chat}/messages"))
        .token(&c.student.token)
        .json(json!({ "client_msg_id": "flood-0", "body": "спам" }))
        .send()
        .await
        .expect(200);
    assert_eq!(latest_messages(&app, &c.teacher.token, chat).await.len(), 30);
}

async fn moderators_handle_reports_mutes_and_read_only(app: TestApp) {
    let c = class_with_people(&app, 86).await;
    let address = app.serve().await;
    let witness = app.join(&c.school, c.a, "student", None, "Свидетелева").await;
    let chat = chat_id(&app, &c.student.token, c.school.org, "class", Some(c.a)).await;
    let rude = send(&app, &c.student, chat, "m-1", "Грубость").await;
    let rude_id = rude["id"].as_i64().expect("id");
    let report_path = format!("/api/v1/chats/{chat}/messages/{rude_id}/report");
    app.post(&report_path)
        .token(&witness.token)
        .json(json!({ "reason": " " }))
        .send()
        .await
        .invalid(&[("reason", "required")]);
    let report = app
        .post(&report_path)
        .token(&witness.token)
        .json(json!({ "reason": "Оскорбляет одноклассников" }))
        .send()
        .await
        .expect(201);
    app.post(&report_path)
        .token(&witness.token)
        .json(json!({ "reason": "Ещё раз" }))
        .send()
        .await
        .problem(409, "already_reported");
    // The queue: the school's admins and the chat's moderators; not parents, not other schools.
    let queue = format!("/api/v1/orgs/{}/reports?status=open", c.school.org);
    for reader in [&c.school.admin, &c.teacher.token] {
        let open = app.get(&queue).token(reader).send().await.expect(200);
        assert_eq!(open.json[0]["id"], report.json["id"]);
        assert_eq!(open.json[0]["message"]["body"], "Грубость");
    }
    app.get(&queue).token(&c.parent.token).send().await.problem(403, "forbidden");
    let other = app.school(87).await;
    app.get(&queue).token(&other.admin).send().await.problem(404, "not_found");
    // The class teacher removes the message; the chat sees it removed by a moderator.
    let (mut listener, _) = Socket::connect(address, &witness.token).await;
    let resolve = format!("/api/v1/orgs/{}/reports/{}/resolve", c.school.org, report.id());
    let resolved = app
        .post(&resolve)
        .token(&c.teacher.token)
        .json(json!({ "delete_message": true, "note": "Удалено" }))
        .send()
        .await
        .expect(200);
    assert_eq!(
        (resolved.json["status"].as_str(), resolved.json["message"]["deleted_by_moderator"].as_bool()),
        (Some("removed"), Some(true))
    );
    let frame = listener.next().await.expect("deletion");
    assert_eq!(
        (frame["event"]["type"].as_str(), frame["event"]["by_moderator"].as_bool()),
        (Some("message_deleted"), Some(true))
    );
    app.post(&resolve)
        .token(&c.school.admin)
        .json(json!({ "delete_message": false }))
        .send()
        .await
        .problem(409, "report_resolved");
    // A mute stops posting for a while; moderators cannot be muted.
    let mute = |user: i64| format!("/api/v1/chats/{chat}/members/{user}/mute");
    app.put(&mute(c.student.id))
        .token(&witness.token)
        .json(json!({ "minutes": 10 }))
        .send()
        .await
        .problem(403, "forbidden");
    app.put(&mute(c.student.id)).token(&c.teacher.token).json(json!({ "minutes": 10 })).send().await.expect(204);
    app.post(&format!("/api/v1/chats/{chat}/messages"))
        .token(&c.student.token)
        .json(json!({ "client_msg_id": "m-2", "body": "А я всё равно" }))
        .send()
        .await
        .problem(403, "muted");
    let view = app.get(&format!("/api/v1/chats/{chat}")).token(&c.student.token).send().await.expect(200);
    assert!(view.json["muted_until"].is_string());
    // Not by a poll either.
    app.post(&format!("/api/v1/chats/{chat}/polls"))
        .token(&c.student.token)
        .json(json!({ "client_msg_id": "m-poll", "question": "Кто за?", "options": ["Я", "Не я"] }))
        .send()
        .await
        .problem(403, "muted");
    app.put(&mute(c.teacher.id))
        .token(&c.teacher.token)
        .json(json!({ "minutes": 10 }))
        .send()
        .await
        .problem(409, "cannot_mute_moderator");
    app.put(&mute(c.student.id)).token(&c.teacher.token).json(json!({ "minutes": 0 })).send().await.expect(204);
    send(&app, &c.student, chat, "m-3", "Извините").await;
    // Read-only: only moderators post until it is opened again.
    let read_only = format!("/api/v1/chats/{chat}/read-only");
    app.put(&read_only).token(&c.teacher.token).json(json!({ "read_only": true })).send().await.expect(204);
    app.post(&format!("/api/v1/chats/{chat}/messages"))
        .token(&witness.token)
        .json(json!({ "client_msg_id": "m-4", "body": "Можно?" }))
        .send()
        .await
        .problem(403, "forbidden");
    assert_eq!(
        app.get(&format!("/api/v1/chats/{chat}")).token(&witness.token).send().await.json["abilities"]["post"],
        false
    );
    send(&app, &c.teacher, chat, "m-5", "Объявление для класса").await;
    app.put(&read_only).token(&c.teacher.token).json(json!({ "read_only": false })).send().await.expect(204);
    send(&app, &witness, chat, "m-6", "Спасибо!").await;
    // All of it is in the school's audit log.
    let audit = app
        .get(&format!("/api/v1/orgs/{}/audit?limit=200", c.school.org))
        .token(&c.school.admin)
        .send()
        .await
        .expect(200);
    let actions: Vec<&str> = audit.json.as_array().expect("list").iter().filter_map(|e| e["action"].as_str()).collect();
    for action in ["report_resolved", "member_muted", "chat_read_only"] {
        assert!(actions.contains(&action), "{action} missing from {actions:?}");
    }
}

/// `HH:MM` in the school's zone (Asia/Yekaterinburg) `minutes` from now.
/// Quiet hours from an hour ago to an hour from now where the school is: whatever is
/// sent now is held.
pub async fn quiet_hours_now(app: &TestApp, org: i64, admin: &str) {
    let window = json!({ "from": school_time_in(-60), "to": school_time_in(60) });
    app.patch(&format!("/api/v1/orgs/{org}"))
        .token(admin)
        .json(json!({ "quiet_hours": window }))
        .send()
        .await
        .expect(200);
}

pub fn school_time_in(minutes: i64) -> String {
    let zone = jiff::tz::TimeZone::get("Asia/Yekaterinburg").expect("zone");
    let at = jiff::Timestamp::now().checked_add(jiff::SignedDuration::from_mins(minutes)).expect("time").to_zoned(zone);
    format!("{:02}:{:02}", at.hour(), at.minute())
}

async fn quiet_hours_hold_messages_until_morning(app: TestApp) {
    let c = class_with_people(&app, 88).await;
    let address = app.serve().await;
    let school = format!("/api/v1/orgs/{}", c.school.org);
    app.patch(&school)
        .token(&c.school.admin)
        .json(json!({ "quiet_hours": { "from": "25:00", "to": "07:00" } }))
        .send()
        .await
        .invalid(&[("quiet_hours.from", "invalid_time")]);
    // Quiet hours around now, so the test does not depend on the clock.
    let window = json!({ "from": school_time_in(-60), "to": school_time_in(60) });
    let profile =
        app.patch(&school).token(&c.school.admin).json(json!({ "quiet_hours": window })).send().await.expect(200);
    assert_eq!(profile.json["quiet_hours"], window);

    let chat = chat_id(&app, &c.parent.token, c.school.org, "parents", Some(c.a)).await;
    let (mut parent, _) = Socket::connect(address, &c.parent.token).await;
    let held = send(&app, &c.teacher, chat, "q-1", "Завтра контрольная").await;
    assert!(held["held_until"].is_string(), "{held}");
    // The parent neither hears nor sees it yet; the teacher sees it waiting.
    assert!(parent.next_within(Duration::from_millis(300)).await.is_none());
    let parents_view =
        app.get(&format!("/api/v1/chats/{chat}/messages")).token(&c.parent.token).send().await.expect(200);
    assert!(parents_view.json["messages"].as_array().expect("list").is_empty());
    let teachers_view =
        app.get(&format!("/api/v1/chats/{chat}/messages")).token(&c.teacher.token).send().await.expect(200);
    assert_eq!(teachers_view.json["messages"][0]["held_until"], held["held_until"]);
    // Its author may still correct it: it stays held, and the parent sees nothing yet.
    let corrected = app
        .patch(&format!("/api/v1/chats/{chat}/messages/{}", held["id"]))
        .token(&c.teacher.token)
        .json(json!({ "body": "Завтра контрольная по математике" }))
        .send()
        .await
        .expect(200);
    assert_eq!(corrected.json["held_until"], held["held_until"]);
    assert!(corrected.json["edited_at"].is_null(), "nobody saw the first text: {}", corrected.json);
    assert!(parent.next_within(Duration::from_millis(300)).await.is_none());
    app.patch(&format!("/api/v1/chats/{chat}/messages/{}", held["id"]))
        .token(&c.parent.token)
        .json(json!({ "body": "не моё" }))
        .send()
        .await
        .problem(404, "not_found");
    // Staff among themselves are not held; urgent posts by admins and the class teacher
    // are not held; others cannot mark urgent.
    let staff_room = chat_id(&app, &c.teacher.token, c.school.org, "staff_room", None).await;
    assert!(send(&app, &c.teacher, staff_room, "q-2", "Коллеги, педсовет в 8:00").await["held_until"].is_null());
    app.post(&format!("/api/v1/chats/{chat}/messages"))
        .token(&c.parent.token)
        .json(json!({ "client_msg_id": "q-3", "body": "Срочно", "urgent": true }))
        .send()
        .await
        .problem(403, "forbidden");
    let channel = chat_id(&app, &c.parent.token, c.school.org, "school_channel", None).await;
    let admin = Person { id: c.school.admin_id, token: c.school.admin.clone(), email: String::new() };
    let urgent = app
        .post(&format!("/api/v1/chats/{channel}/messages"))
        .token(&admin.token)
        .json(json!({ "client_msg_id": "q-4", "body": "Школа закрыта из-за мороза", "urgent": true }))
        .send()
        .await
        .expect(201);
    assert!(urgent.json["held_until"].is_null());
    assert_eq!(parent.next().await.expect("urgent post")["event"]["message"]["body"], "Школа закрыта из-за мороза");
    // Morning comes: the held message takes its position and goes out.
    app.sql("UPDATE messages SET held_until = 1 WHERE held_until IS NOT NULL").await;
    assert_eq!(parta_server::actions::quiet::release_held(&app.state).await.expect("release"), 1);
    assert_eq!(parta_server::actions::quiet::release_held(&app.state).await.expect("release"), 0, "once only");
    let delivered = parent.next().await.expect("delivered");
    assert_eq!(delivered["event"]["message"]["body"], "Завтра контрольная по математике");
    let parents_view =
        app.get(&format!("/api/v1/chats/{chat}/messages")).token(&c.parent.token).send().await.expect(200);
    assert_eq!(parents_view.json["messages"][0]["held_until"], Value::Null);
    assert!(parents_view.json["messages"][0]["seq"].as_i64().is_some_and(|s| s > 0));
    // Turned off, nothing waits.
    app.patch(&school).token(&c.school.admin).json(json!({ "quiet_hours": null })).send().await.expect(200);
    assert!(send(&app, &c.teacher, chat, "q-5", "Добрый вечер").await["held_until"].is_null());
}

/// An edit is a post: a muted member, a member of a read-only chat and someone over
/// the send limit cannot change what they wrote before either.
async fn edits_pass_the_checks_of_a_send(app: TestApp) {
    let app = app.with_settings(|s| s.messages_per_minute = 5);
    let c = class_with_people(&app, 96).await;
    let chat = chat_id(&app, &c.student.token, c.school.org, "class", Some(c.a)).await;
    let said = send(&app, &c.student, chat, "e-1", "Первое").await;
    let edit = |body: &str| {
        app.patch(&format!("/api/v1/chats/{chat}/messages/{}", said["id"]))
            .token(&c.student.token)
            .json(json!({ "body": body }))
            .send()
    };
    edit("Первое, исправленное").await.expect(200);
    let mute = format!("/api/v1/chats/{chat}/members/{}/mute", c.student.id);
    app.put(&mute).token(&c.teacher.token).json(json!({ "minutes": 10 })).send().await.expect(204);
    edit("А я всё равно").await.problem(403, "muted");
    app.put(&mute).token(&c.teacher.token).json(json!({ "minutes": 0 })).send().await.expect(204);
    let read_only = format!("/api/v1/chats/{chat}/read-only");
    app.put(&read_only).token(&c.teacher.token).json(json!({ "read_only": true })).send().await.expect(204);
    edit("Можно?").await.problem(403, "forbidden");
    app.put(&read_only).token(&c.teacher.token).json(json!({ "read_only": false })).send().await.expect(204);
    // One send and one edit so far: three more edits fit the limit of five, then no more.
    let replies = futures_util::future::join_all((0..8).map(|n| edit(&format!("Правка {n}")))).await;
    let accepted = replies.iter().filter(|r| r.status.as_u16() == 200).count();
    assert_eq!(accepted, 3, "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    assert!(replies.iter().filter(|r| r.status.as_u16() != 200).all(|r| r.json["code"] == "send_rate_limited"));
    // Edits count against sends too.
    app.post(&format!("/api/v1/chats/{chat}/messages"))
        .token(&c.student.token)
        .json(json!({ "client_msg_id": "e-2", "body": "Ещё" }))
        .send()
        .await
        .expect(201);
}

/// In quiet hours a poll is held like a message, and an edit of a delivered message
/// waits too: only its author sees the new text until the morning.
async fn polls_and_edits_wait_for_the_end_of_quiet_hours(app: TestApp) {
    let c = class_with_people(&app, 97).await;
    let address = app.serve().await;
    let chat = chat_id(&app, &c.parent.token, c.school.org, "parents", Some(c.a)).await;
    let evening = send(&app, &c.teacher, chat, "p-1", "Собрание в четверг").await;
    let school = format!("/api/v1/orgs/{}", c.school.org);
    let window = json!({ "from": school_time_in(-60), "to": school_time_in(60) });
    app.patch(&school).token(&c.school.admin).json(json!({ "quiet_hours": window })).send().await.expect(200);
    let (mut parent, _) = Socket::connect(address, &c.parent.token).await;

    let poll = app
        .post(&format!("/api/v1/chats/{chat}/polls"))
        .token(&c.teacher.token)
        .json(json!({ "client_msg_id": "p-2", "question": "Удобно в 18:00?", "options": ["Да", "Нет"] }))
        .send()
        .await
        .expect(201);
    assert!(poll.json["held_until"].is_string(), "{}", poll.json);
    let edited = app
        .patch(&format!("/api/v1/chats/{chat}/messages/{}", evening["id"]))
        .token(&c.teacher.token)
        .json(json!({ "body": "Собрание в пятницу" }))
        .send()
        .await
        .expect(200);
    assert_eq!(edited.json["body"], "Собрание в пятницу");
    assert!(edited.json["held_until"].is_string());
    assert!(parent.next_within(Duration::from_millis(300)).await.is_none(), "nothing reaches the parent at night");
    let parents_view = latest_messages(&app, &c.parent.token, chat).await;
    assert_eq!(parents_view.len(), 1);
    assert_eq!(parents_view[0]["body"], "Собрание в четверг");
    let teachers_view = latest_messages(&app, &c.teacher.token, chat).await;
    let own = teachers_view.iter().find(|m| m["id"] == evening["id"]).expect("the edited message");
    assert_eq!(own["body"], "Собрание в пятницу");
    // Nobody votes in a poll they cannot see.
    let option = poll.json["poll"]["options"][0]["id"].as_i64().expect("option");
    app.put(&format!("/api/v1/chats/{chat}/polls/{}/vote", poll.json["poll"]["id"]))
        .token(&c.parent.token)
        .json(json!({ "option_ids": [option] }))
        .send()
        .await
        .problem(404, "not_found");

    // Morning: the poll goes out and the edit is applied, once each.
    app.sql("UPDATE messages SET held_until = 1 WHERE held_until IS NOT NULL").await;
    app.sql("UPDATE messages SET pending_until = 1 WHERE pending_until IS NOT NULL").await;
    assert_eq!(parta_server::actions::quiet::release_held(&app.state).await.expect("release"), 2);
    assert_eq!(parta_server::actions::quiet::release_held(&app.state).await.expect("release"), 0, "once only");
    let mut seen = Vec::new();
    for _ in 0..2 {
        let frame = parent.next().await.expect("delivered");
        seen.push((frame["event"]["type"].as_str().map(str::to_owned), frame["event"]["message"]["body"].clone()));
    }
    seen.sort_by_key(|(kind, _)| kind.clone());
    assert_eq!(
        seen,
        vec![
            (Some("message_edited".into()), json!("Собрание в пятницу")),
            (Some("message_sent".into()), json!("Удобно в 18:00?")),
        ]
    );
    let parents_view = latest_messages(&app, &c.parent.token, chat).await;
    assert_eq!(parents_view[0]["body"], "Собрание в пятницу");
    assert!(parents_view[0]["edited_at"].is_string());
    assert!(parents_view[1]["poll"].is_object());
}

async fn direct_messages_follow_shared_classes_and_safe_mode(app: TestApp) {
    let c = class_with_people(&app, 89).await;
    let other_class_student = app.join(&c.school, c.b, "student", None, "Бэшкин").await;
    let direct = format!("/api/v1/orgs/{}/direct", c.school.org);
    // The class teacher writes to their student; opening it again finds the same conversation.
    let opened =
        app.post(&direct).token(&c.teacher.token).json(json!({ "user_id": c.student.id })).send().await.expect(200);
    assert_eq!((opened.json["kind"].as_str(), opened.json["title"].as_str()), (Some("direct"), Some("Учеников Тест")));
    let again =
        app.post(&direct).token(&c.student.token).json(json!({ "user_id": c.teacher.id })).send().await.expect(200);
    assert_eq!(again.json["id"], opened.json["id"]);
    assert_eq!(again.json["title"], "Классова Тест");
    let chat = opened.id();
    send(&app, &c.teacher, chat, "d-1", "Зайди после уроков, пожалуйста").await;
    let student_view = app.get(&format!("/api/v1/chats/{chat}")).token(&c.student.token).send().await.expect(200);
    assert_eq!(student_view.json["unread"], 1);
    // Their own parent reaches them; in safe mode a classmate's parent and a student of
    // another class do not.
    app.post(&direct).token(&c.parent.token).json(json!({ "user_id": c.student.id })).send().await.expect(200);
    app.post(&direct)
        .token(&other_class_student.token)
        .json(json!({ "user_id": c.student.id }))
        .send()
        .await
        .problem(404, "not_found");
    let other_parent_child = app.join(&c.school, c.a, "student", None, "Соседкин").await;
    let other_parent = app.join(&c.school, c.a, "parent", Some(other_parent_child.id), "Соседкина").await;
    app.post(&direct)
        .token(&other_parent.token)
        .json(json!({ "user_id": c.student.id }))
        .send()
        .await
        .problem(404, "not_found");
    // With safe mode off, sharing the class is enough.
    app.patch(&format!("/api/v1/orgs/{}", c.school.org))
        .token(&c.school.admin)
        .json(json!({ "student_safe_mode": false }))
        .send()
        .await
        .expect(200);
    app.post(&direct).token(&other_parent.token).json(json!({ "user_id": c.student.id })).send().await.expect(200);
    app.post(&direct)
        .token(&c.student.token)
        .json(json!({ "user_id": c.student.id }))
        .send()
        .await
        .invalid(&[("user_id", "self")]);
    // Another school's people are never found.
    let other = app.school(90).await;
    app.post(&direct)
        .token(&other.admin)
        .json(json!({ "user_id": c.student.id }))
        .send()
        .await
        .problem(404, "not_found");
    // Someone who leaves the school leaves its direct conversations.
    let joined_on =
        app.get("/api/v1/me").token(&c.student.token).send().await.json["schools"][0]["places"][0]["started_on"]
            .clone();
    app.post(&format!("/api/v1/orgs/{}/members/{}/leave", c.school.org, c.student.id))
        .token(&c.school.admin)
        .json(json!({ "on": joined_on }))
        .send()
        .await
        .expect(204);
    app.get(&format!("/api/v1/chats/{chat}")).token(&c.student.token).send().await.problem(404, "not_found");
}

async fn live_events_wait_for_the_resume(app: TestApp) {
    let c = class_with_people(&app, 91).await;
    let address = app.serve().await;
    let chat = chat_id(&app, &c.student.token, c.school.org, "class", Some(c.a)).await;
    send(&app, &c.student, chat, "o-1", "Первое").await;
    let seen = app.get(&format!("/api/v1/chats/{chat}")).token(&c.teacher.token).send().await.json["last_seq"]
        .as_i64()
        .expect("seq");
    send(&app, &c.student, chat, "o-2", "Второе").await;
    // The teacher reconnects; a message arrives between `welcome` and their `resume`.
    let (stream, _) = tokio_tungstenite::connect_async(format!("ws://{address}/api/v1/ws")).await.expect("connects");
    let mut teacher = Socket::wrap(stream);
    teacher.send(json!({ "type": "auth", "token": c.teacher.token })).await;
    let welcome = teacher.next().await.expect("welcome");
    send(&app, &c.student, chat, "o-3", "Третье").await;
    teacher
        .send(json!({ "type": "resume", "user_seq": welcome["user_seq"], "chats": [{ "chat_id": chat, "seq": seen }] }))
        .await;
    let mut frames = teacher.until("ready").await;
    while let Some(frame) = teacher.next_within(Duration::from_millis(300)).await {
        frames.push(frame);
    }
    assert_eq!(sent_bodies(&frames, chat), ["Второе", "Третье"], "in order, once each: {frames:?}");
}

async fn events_committed_but_never_published_are_relayed(app: TestApp) {
    let c = class_with_people(&app, 92).await;
    let address = app.serve().await;
    let chat = chat_id(&app, &c.student.token, c.school.org, "class", Some(c.a)).await;
    let (mut teacher, _) = Socket::connect(address, &c.teacher.token).await;
    // Written on a node whose bus this one never hears: nothing arrives live.
    let dead_node = app.unheard_node();
    for (key, body) in [("r-1", "Первое"), ("r-2", "Второе")] {
        app.post(&format!("/api/v1/chats/{chat}/messages"))
            .via(&dead_node)
            .token(&c.student.token)
            .json(json!({ "client_msg_id": key, "body": body }))
            .send()
            .await
            .expect(201);
    }
    assert!(teacher.next_within(Duration::from_millis(300)).await.is_none(), "nothing is published here");
    // Not yet a second old: the relay leaves them to the bus.
    let now = parta_server::clock::now_ms();
    assert_eq!(parta_server::gateway::relay_unpublished(&app.state, now).await.expect("relay runs"), 0);
    // Older than that, the relay hands them to this node's sockets, in order and once.
    assert_eq!(parta_server::gateway::relay_unpublished(&app.state, now + 2_000).await.expect("relay runs"), 1);
    let mut frames = Vec::new();
    while let Some(frame) = teacher.next_within(Duration::from_millis(300)).await {
        frames.push(frame);
    }
    assert_eq!(sent_bodies(&frames, chat), ["Первое", "Второе"], "{frames:?}");
    // What the bus then brings late is not delivered twice; the relay has nothing more.
    assert_eq!(parta_server::gateway::relay_unpublished(&app.state, now + 2_000).await.expect("relay runs"), 0);
}

/// Sends that arrive together share a transaction on SQLite (group commit): each is
/// still acknowledged or refused on its own, and a send that fails after writing
/// leaves nothing behind — no row, no position taken.
async fn concurrent_sends_commit_together_and_fail_alone(app: TestApp) {
    let c = class_with_people(&app, 93).await;
    let chat = chat_id(&app, &c.teacher.token, c.school.org, "class", Some(c.a)).await;
    let (content_type, body) = multipart(&[], &[("file", "план.txt", "план урока".as_bytes())]);
    let file = app
        .post(&format!("/api/v1/chats/{chat}/files"))
        .token(&c.teacher.token)
        .raw(&content_type, body)
        .send()
        .await
        .expect(201)
        .id();
    let with_file = app
        .post(&format!("/api/v1/chats/{chat}/messages"))
        .token(&c.teacher.token)
        .json(json!({ "client_msg_id": "with-file", "body": "План урока", "attachments": [file] }))
        .send()
        .await
        .expect(201)
        .json;
    // The file's bytes are gone: forwarding it fails after the copy's message row is written.
    app.sql("UPDATE files SET storage_key = 'chat-files/gone-' || id WHERE chat_id IS NOT NULL").await;

    let calls = (0..40).map(|i| {
        let (who, body) = match i % 8 {
            // Refused before anything is written: a reply to a message that does not exist.
            6 => (&c.student, json!({ "client_msg_id": format!("bad-{i}"), "body": "Ответ", "reply_to": 999_999 })),
            // Refused after writing: the forwarded file cannot be copied.
            7 => {
                (&c.teacher, json!({ "client_msg_id": format!("fwd-{i}"), "body": "", "forward_of": with_file["id"] }))
            }
            n if n % 2 == 0 => {
                (&c.teacher, json!({ "client_msg_id": format!("t-{i}"), "body": format!("Учитель {i}") }))
            }
            _ => (&c.student, json!({ "client_msg_id": format!("s-{i}"), "body": format!("Ученик {i}") })),
        };
        app.post(&format!("/api/v1/chats/{chat}/messages")).token(&who.token).json(body).send()
    });
    let replies = futures_util::future::join_all(calls).await;
    for (i, reply) in replies.iter().enumerate() {
        let want = match i % 8 {
            6 => 422,
            7 => 500,
            _ => 201,
        };
        assert_eq!(reply.status.as_u16(), want, "send {i}: {:?}", reply.json);
    }

    let messages = latest_messages(&app, &c.teacher.token, chat).await;
    let mut keys: Vec<&str> = messages.iter().map(|m| m["client_msg_id"].as_str().expect("key")).collect();
    keys.sort_unstable();
    let mut expected: Vec<String> = (0..40)
        .filter(|i| i % 8 < 6)
        .map(|i| format!("{}-{i}", if i % 2 == 0 { "t" } else { "s" }))
        .chain(["with-file".to_owned()])
        .collect();
    expected.sort_unstable();
    assert_eq!(keys, expected);
    // Positions follow each other with no hole where a failed send had taken one.
    let mut seqs: Vec<i64> = messages.iter().map(|m| m["seq"].as_i64().expect("seq")).collect();
    seqs.sort_unstable();
    let first = seqs[0];
    assert_eq!(seqs, (first..first + seqs.len() as i64).collect::<Vec<_>>());
    // And the event log agrees: a reader resuming from before them hears each exactly once.
    let address = app.serve().await;
    let (mut reader, welcome) = Socket::connect(address, &c.student.token).await;
    let user_seq = welcome["user_seq"].as_i64().expect("user seq");
    reader
        .send(json!({ "type": "resume", "user_seq": user_seq, "chats": [{ "chat_id": chat, "seq": first - 1 }] }))
        .await;
    let replay = reader.until("ready").await;
    let mut heard: Vec<i64> = replay
        .iter()
        .filter(|f| f["chat_id"] == chat && f["event"]["type"] == "message_sent")
        .filter_map(|f| f["seq"].as_i64())
        .collect();
    heard.sort_unstable();
    assert_eq!(heard, seqs);
}

/// Sends that meet in one batch are checked as if they came one after another: a key
/// repeated at once is stored once, a key taken in another chat is refused, and the
/// flood limit counts the batch's own sends.
async fn sends_of_one_batch_see_each_others_keys_and_counts(app: TestApp) {
    let app = app.with_settings(|s| s.messages_per_minute = 20);
    let c = class_with_people(&app, 94).await;
    let class = chat_id(&app, &c.teacher.token, c.school.org, "class", Some(c.a)).await;
    let staff = chat_id(&app, &c.teacher.token, c.school.org, "staff_room", Some(c.school.staff_room)).await;
    let post = |chat: i64, key: &str, body: &str| {
        app.post(&format!("/api/v1/chats/{chat}/messages"))
            .token(&c.teacher.token)
            .json(json!({ "client_msg_id": key, "body": body }))
            .send()
    };

    // One key, twelve times at once, into one chat: one message, twelve answers naming it.
    let replies = futures_util::future::join_all((0..12).map(|_| post(class, "same", "Один раз"))).await;
    let mut statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [[200; 11].as_slice(), &[201]].concat(), "{:?}", replies.last().map(|r| &r.json));
    let ids: Vec<&Value> = replies.iter().map(|r| &r.json["id"]).collect();
    assert!(ids.iter().all(|id| *id == ids[0] && id.is_i64()), "{ids:?}");

    // One key into two chats at once: the chat that stores it first keeps it.
    let calls = (0..12).map(|i| post(if i % 2 == 0 { class } else { staff }, "two-chats", "Куда?"));
    let replies = futures_util::future::join_all(calls).await;
    let created: Vec<&Value> = replies.iter().filter(|r| r.status.as_u16() == 201).map(|r| &r.json).collect();
    assert_eq!(created.len(), 1, "{:?}", replies.iter().map(|r| r.status.as_u16()).collect::<Vec<_>>());
    let winner = created[0]["chat_id"].as_i64().expect("chat");
    for (i, reply) in replies.iter().enumerate() {
        let chat = if i % 2 == 0 { class } else { staff };
        match reply.status.as_u16() {
            201 | 200 => assert_eq!((chat, &reply.json["id"]), (winner, &created[0]["id"])),
            409 => {
                assert_ne!(chat, winner);
                assert_eq!(reply.json["code"], "client_msg_id_reused");
            }
            other => panic!("send {i}: {other} {:?}", reply.json),
        }
    }

    // Two sends are stored so far; of thirty more at once, eighteen fit in the minute's twenty.
    let calls = (0..30).map(|i| post(class, &format!("flood-{i}"), "Много"));
    let replies = futures_util::future::join_all(calls).await;
    let count = |status: u16| replies.iter().filter(|r| r.status.as_u16() == status).count();
    assert_eq!((count(201), count(429)), (18, 12));
    assert!(replies.iter().filter(|r| r.status.as_u16() == 429).all(|r| r.json["code"] == "send_rate_limited"));
}

/// The database refuses one message of a batch while it is written (on SQLite, in the
/// one call that carries the batch's BEGIN, writes and COMMIT): the batch is rolled
/// back and written again send by send, so only that send fails, and the writer
/// connection is left without a transaction open for the next one.
async fn a_batch_refused_by_the_database_is_written_again_send_by_send(app: TestApp) {
    let c = class_with_people(&app, 95).await;
    let chat = chat_id(&app, &c.teacher.token, c.school.org, "class", Some(c.a)).await;
    if app.state.db.backend == parta_server::db::Backend::Sqlite {
        app.sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON messages WHEN NEW.body = 'сбой'
             BEGIN SELECT RAISE(ABORT, 'refused'); END",
        )
        .await;
    } else {
        app.sql(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN IF NEW.body = 'сбой' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$",
        )
        .await;
        app.sql("CREATE TRIGGER refuse BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse()").await;
    }
    let post = |key: String, body: &'static str| {
        app.post(&format!("/api/v1/chats/{chat}/messages"))
            .token(&c.teacher.token)
            .json(json!({ "client_msg_id": key, "body": body }))
            .send()
    };
    let calls = (0..30).map(|i| post(format!("m-{i}"), if i % 10 == 3 { "сбой" } else { "Обычное сообщение" }));
    let replies = futures_util::future::join_all(calls).await;
    for (i, reply) in replies.iter().enumerate() {
        assert_eq!(reply.status.as_u16(), if i % 10 == 3 { 500 } else { 201 }, "send {i}: {:?}", reply.json);
    }
    // The writer is free and clean: the next send is stored at the next position.
    let after = post("after".into(), "После сбоя").await.expect(201).json;
    let messages = latest_messages(&app, &c.teacher.token, chat).await;
    let mut seqs: Vec<i64> = messages.iter().map(|m| m["seq"].as_i64().expect("seq")).collect();
    seqs.sort_unstable();
    assert_eq!(messages.len(), 28, "27 of the 30 and the one after");
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "positions without a gap: {seqs:?}");
    assert_eq!(after["seq"].as_i64(), seqs.last().copied());
    assert!(messages.iter().all(|m| m["body"] != "сбой"));
}

/// Work dropped before its commit — returned early, or cancelled while it waited —
/// keeps none of its writes, and the next writer finds the connection free of its
/// transaction (SQLite's one writer rolls back what its last holder left open).
async fn work_that_ends_without_commit_leaves_nothing_behind(app: TestApp) {
    app.sql("CREATE TABLE scratch (n BIGINT NOT NULL)").await;
    let mut dropped = app.state.begin().await.expect("work");
    sqlx::query("INSERT INTO scratch (n) VALUES (1)").execute(&mut *dropped).await.expect("insert");
    drop(dropped);
    let state = app.state.clone();
    let cancelled = tokio::time::timeout(Duration::from_millis(200), async move {
        let mut work = state.begin().await.expect("work");
        sqlx::query("INSERT INTO scratch (n) VALUES (2)").execute(&mut *work).await.expect("insert");
        std::future::pending::<()>().await;
    });
    assert!(cancelled.await.is_err(), "the work waited until it was cancelled");
    app.sql("INSERT INTO scratch (n) VALUES (3)").await;
    let kept: Vec<i64> =
        sqlx::query_scalar("SELECT n FROM scratch").fetch_all(app.state.db.reads()).await.expect("read");
    assert_eq!(kept, vec![3]);
    // Sends, written as deferred work on SQLite, go on at the next position.
    let c = class_with_people(&app, 96).await;
    let chat = chat_id(&app, &c.teacher.token, c.school.org, "class", Some(c.a)).await;
    let first = send(&app, &c.teacher, chat, "w-1", "Первое").await;
    let second = send(&app, &c.teacher, chat, "w-2", "Второе").await;
    assert_eq!(second["seq"].as_i64(), first["seq"].as_i64().map(|seq| seq + 1));
}

/// A send that finds the group commit idle is written in its own request. Should its
/// client hang up meanwhile, it is still written and heard live — never committed and
/// left unpublished — and the sends that queued behind it are written too. On SQLite
/// the held writer keeps the first send waiting until it is abandoned.
async fn sends_behind_a_send_whose_client_hung_up_are_written(app: TestApp) {
    let sqlite = app.backend == parta_server::db::Backend::Sqlite;
    let c = class_with_people(&app, 909).await;
    let chat = chat_id(&app, &c.teacher.token, c.school.org, "class", Some(c.a)).await;
    let address = app.serve().await;
    let (mut listener, _) = Socket::connect(address, &c.student.token).await;
    let post = |who: &Person, key: String| {
        app.post(&format!("/api/v1/chats/{chat}/messages"))
            .token(&who.token)
            .json(json!({ "client_msg_id": key, "body": key }))
            .send()
    };
    for round in 0..3 {
        let held = app.state.begin().await.expect("work");
        // Boxed, so that dropping it below ends the request.
        let mut abandoned = Box::pin(post(&c.teacher, format!("gone-{round}")));
        let waited = tokio::time::timeout(Duration::from_millis(50), &mut abandoned).await.is_err();
        assert!(waited || !sqlite, "the first send waits for the held writer");
        let behind = futures_util::future::join_all((0..4).map(|i| post(&c.student, format!("behind-{round}-{i}"))));
        tokio::pin!(behind);
        let _ = tokio::time::timeout(Duration::from_millis(50), &mut behind).await;
        drop(abandoned);
        drop(held);
        let replies =
            tokio::time::timeout(Duration::from_secs(10), behind).await.expect("the sends behind were written");
        for reply in replies {
            reply.expect(201);
        }
    }
    let mut keys: Vec<String> = latest_messages(&app, &c.teacher.token, chat)
        .await
        .iter()
        .filter_map(|m| m["client_msg_id"].as_str().map(str::to_owned))
        .collect();
    keys.sort_unstable();
    let mut expected: Vec<String> = (0..3)
        .flat_map(|round| (0..4).map(move |i| format!("behind-{round}-{i}")).chain([format!("gone-{round}")]))
        .collect();
    expected.sort_unstable();
    assert_eq!(keys, expected, "every send written once, the abandoned ones too");
    let mut frames = Vec::new();
    while frames.len() < 15 {
        frames.push(listener.next().await.expect("a live event for every send"));
    }
    let mut heard = sent_bodies(&frames, chat);
    heard.sort_unstable();
    assert_eq!(heard, expected, "every send heard live, the abandoned ones too");
    send(&app, &c.teacher, chat, "after", "Дальше").await;
}

/// On PostgreSQL each chat's sends take a lane of their own: while one chat's batch
/// waits (its row locked by another transaction), a chat of another lane is written
/// at once. On SQLite, one writer, a held writer holds up every send.
async fn a_chat_held_up_holds_up_only_its_own_lane(app: TestApp) {
    use parta_server::actions::send::group_commit::POSTGRES_LANES;
    let sqlite = app.backend == parta_server::db::Backend::Sqlite;
    let c = class_with_people(&app, 912).await;
    let writable: Vec<i64> = chats_of(&app, &c.teacher.token, c.school.org)
        .await
        .iter()
        .filter(|chat| chat["kind"] == "class" || chat["kind"] == "parents")
        .filter_map(|chat| chat["id"].as_i64())
        .collect();
    let lane = |chat: i64| chat.rem_euclid(POSTGRES_LANES as i64);
    let (held_chat, free_chat) = writable
        .iter()
        .flat_map(|&a| writable.iter().map(move |&b| (a, b)))
        .find(|&(a, b)| lane(a) != lane(b))
        .expect("two chats of the teacher in different lanes");
    let post = |chat: i64, key: &str| {
        app.post(&format!("/api/v1/chats/{chat}/messages"))
            .token(&c.teacher.token)
            .json(json!({ "client_msg_id": key, "body": key }))
            .send()
    };
    // On SQLite the work holds the one writer; on PostgreSQL it locks the chat's row.
    let mut held = app.state.begin().await.expect("work");
    if !sqlite {
        sqlx::query("SELECT id FROM chats WHERE id = $1 FOR UPDATE")
            .bind(held_chat)
            .execute(&mut *held)
            .await
            .expect("the chat's row locked");
    }
    let mut waiting = Box::pin(post(held_chat, "held"));
    assert!(
        tokio::time::timeout(Duration::from_millis(100), &mut waiting).await.is_err(),
        "a send to the locked chat waits"
    );
    let mut free = Box::pin(post(free_chat, "free"));
    let written = tokio::time::timeout(Duration::from_millis(if sqlite { 200 } else { 10_000 }), &mut free).await;
    if sqlite {
        assert!(written.is_err(), "SQLite's one writer holds up every send");
    } else {
        written.expect("another lane's chat is written meanwhile").expect(201);
        assert!(
            tokio::time::timeout(Duration::from_millis(50), &mut waiting).await.is_err(),
            "the locked chat's send still waits"
        );
    }
    drop(held);
    let replies = tokio::time::timeout(Duration::from_secs(10), async {
        let held = waiting.await;
        (held, if sqlite { Some(free.await) } else { None })
    })
    .await
    .expect("both written once the lock is gone");
    replies.0.expect(201);
    if let Some(free) = replies.1 {
        free.expect(201);
    }
    for (chat, key) in [(held_chat, "held"), (free_chat, "free")] {
        let keys: Vec<String> = latest_messages(&app, &c.teacher.token, chat)
            .await
            .iter()
            .filter_map(|m| m["client_msg_id"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(keys, [key], "each chat holds its one message");
    }
}

/// SQLite is built as `.cargo/config.toml` asks: with the query planner's stability
/// guarantee (otherwise each new value bound to a `LIMIT ?` prepares the statement
/// again: a fifth of the CPU of a send) and without memory statistics (a global
/// mutex per allocation). A build that lost the flags fails here, not in a benchmark.
#[tokio::test]
async fn sqlite_is_built_to_keep_statements_prepared() {
    let app = TestApp::sqlite().await;
    let options: Vec<String> =
        sqlx::query_scalar("PRAGMA compile_options").fetch_all(app.state.db.reads()).await.expect("options");
    for wanted in ["ENABLE_QPSG", "DEFAULT_MEMSTATUS=0"] {
        assert!(options.iter().any(|option| option == wanted), "SQLite built without {wanted}: {options:?}");
    }
}

/// Statement journals stay in memory on every connection, the writer's above all: a
/// batch's multi-row INSERT journals the pages it changes, and spilled to a temp file
/// that cost a fifth of the writer's time.
#[tokio::test]
async fn sqlite_keeps_temporary_files_in_memory() {
    const MEMORY: i64 = 2;
    let app = TestApp::sqlite().await;
    let reader: i64 = sqlx::query_scalar("PRAGMA temp_store").fetch_one(app.state.db.reads()).await.expect("reader");
    assert_eq!(reader, MEMORY);
    let mut work = app.state.begin().await.expect("writer");
    let writer: i64 = sqlx::query_scalar("PRAGMA temp_store").fetch_one(&mut *work).await.expect("writer");
    assert_eq!(writer, MEMORY);
}
