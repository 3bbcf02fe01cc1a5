//! Chats people make (group and subject chats), chat invite links, appointed roles,
//! student safety, who has read a post, search, forwarding and formatting.

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{Person, School, TestApp, multipart};

on_both_backends!(
    a_group_chat_gets_members_by_hand_and_by_link,
    students_sit_in_group_chats_only_with_a_teacher,
    a_subject_chat_follows_the_class_roll,
    admins_appoint_channel_authors_who_outlive_directory_changes,
    authors_see_who_has_read_a_post,
    supervised_students_write_directly_only_to_adults,
    search_finds_word_forms_in_ones_own_chats_only,
    forwarding_copies_text_and_files_within_the_school,
    formatting_is_parsed_and_mentions_name_real_members,
    images_get_previews_and_uploads_obey_mutes_and_limits,
    an_image_of_too_many_pixels_is_stored_without_a_preview,
    a_moderators_removal_keeps_the_evidence,
);

struct Setup {
    school: School,
    a: i64,
    b: i64,
    class_teacher: Person,
    subject_teacher: Person,
    student: Person,
    parent: Person,
    other_student: Person,
}

async fn setup(app: &TestApp, n: u32) -> Setup {
    let school = app.school(n).await;
    let a = app.create_class(&school, "5А", 5).await;
    let b = app.create_class(&school, "5Б", 5).await;
    let class_teacher = app.join(&school, school.staff_room, "teacher", None, "Классова").await;
    app.assign_class_teacher(&school, a, class_teacher.id).await;
    let subject_teacher = app.join(&school, a, "teacher", None, "Математикова").await;
    let student = app.join(&school, a, "student", None, "Учеников").await;
    let parent = app.join(&school, a, "parent", Some(student.id), "Родителев").await;
    let other_student = app.join(&school, b, "student", None, "Бэшкин").await;
    Setup { school, a, b, class_teacher, subject_teacher, student, parent, other_student }
}

async fn chats(app: &TestApp, token: &str, org: i64) -> Vec<Value> {
    app.get(&format!("/api/v1/chats?org_id={org}"))
        .token(token)
        .send()
        .await
        .expect(200)
        .json
        .as_array()
        .expect("present")
        .clone()
}

async fn chat_of(app: &TestApp, token: &str, org: i64, kind: &str, class: Option<i64>) -> i64 {
    chats(app, token, org)
        .await
        .iter()
        .find(|c| c["kind"] == kind && (class.is_none() || c["class_id"] == json!(class)))
        .unwrap_or_else(|| panic!("no {kind} chat"))["id"]
        .as_i64()
        .expect("present")
}

async fn member_ids(app: &TestApp, token: &str, chat: i64) -> Vec<i64> {
    let members = app.get(&format!("/api/v1/chats/{chat}/members")).token(token).send().await.expect(200);
    let mut ids: Vec<i64> = members.list().iter().map(|m| m["person"]["id"].as_i64().expect("present")).collect();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort();
    ids
}

async fn send(app: &TestApp, token: &str, chat: i64, key: &str, body: &str) -> Value {
    app.post(&format!("/api/v1/chats/{chat}/messages"))
        .token(token)
        .json(json!({ "client_msg_id": key, "body": body }))
        .send()
        .await
        .expect(201)
        .json
}

async fn a_group_chat_gets_members_by_hand_and_by_link(app: TestApp) {
    let s = setup(&app, 121).await;
    let org = s.school.org;
    // The parent shares no class with the admin: no direct conversation yet.
    let direct = format!("/api/v1/orgs/{org}/direct");
    app.post(&direct)
        .token(&s.parent.token)
        .json(json!({ "user_id": s.school.admin_id }))
        .send()
        .await
        .problem(404, "not_found");
    // Parents cannot start chats; staff can.
    app.post(&format!("/api/v1/orgs/{org}/chats"))
        .token(&s.parent.token)
        .json(json!({ "kind": "group", "title": "Родкомитет" }))
        .send()
        .await
        .problem(403, "forbidden");
    let created = app
        .post(&format!("/api/v1/orgs/{org}/chats"))
        .token(&s.class_teacher.token)
        .json(json!({ "kind": "group", "title": "  Родительский комитет 5А ", "member_ids": [s.parent.id] }))
        .send()
        .await
        .expect(201);
    let chat = created.id();
    assert_eq!(created.json["title"], "Родительский комитет 5А");
    assert_eq!(created.json["my_role"], "moderator");
    assert_eq!(created.json["owner_id"], s.class_teacher.id);
    assert_eq!(member_ids(&app, &s.parent.token, chat).await, sorted(vec![s.class_teacher.id, s.parent.id]));
    // Sitting together in a chat opens direct messages.
    app.post(&format!("/api/v1/chats/{chat}/members"))
        .token(&s.class_teacher.token)
        .json(json!({ "user_ids": [s.school.admin_id] }))
        .send()
        .await
        .expect(204);
    app.post(&direct).token(&s.parent.token).json(json!({ "user_id": s.school.admin_id })).send().await.expect(200);
    // Someone of another school is not found; bad input is named field by field.
    let other = app.school(122).await;
    app.post(&format!("/api/v1/chats/{chat}/members"))
        .token(&s.class_teacher.token)
        .json(json!({ "user_ids": [other.admin_id] }))
        .send()
        .await
        .invalid(&[("user_ids[0]", "unknown_person")]);
    app.post(&format!("/api/v1/orgs/{org}/chats"))
        .token(&s.class_teacher.token)
        .json(json!({ "kind": "class", "title": "" }))
        .send()
        .await
        .invalid(&[("title", "required"), ("kind", "unsupported")]);
    // A member (not a moderator) neither adds nor renames.
    app.post(&format!("/api/v1/chats/{chat}/members"))
        .token(&s.parent.token)
        .json(json!({ "user_ids": [s.subject_teacher.id] }))
        .send()
        .await
        .problem(403, "forbidden");
    let renamed = app
        .patch(&format!("/api/v1/chats/{chat}"))
        .token(&s.class_teacher.token)
        .json(json!({ "title": "Родкомитет" }))
        .send()
        .await
        .expect(200);
    assert_eq!(renamed.json["title"], "Родкомитет");
    // A link: people of the school join; another school's admin does not even see it.
    let link =
        app.post(&format!("/api/v1/chats/{chat}/invites")).token(&s.class_teacher.token).send().await.expect(201);
    let token = link.json["token"].as_str().expect("present").to_owned();
    app.get(&format!("/api/v1/chat-invites/{token}")).token(&other.admin).send().await.problem(404, "not_found");
    app.post(&format!("/api/v1/chat-invites/{token}/join")).token(&other.admin).send().await.problem(404, "not_found");
    let preview =
        app.get(&format!("/api/v1/chat-invites/{token}")).token(&s.subject_teacher.token).send().await.expect(200);
    assert_eq!((preview.json["title"].as_str(), preview.json["members"].as_i64()), (Some("Родкомитет"), Some(3)));
    assert_eq!(preview.json["already_member"], false);
    let joined = app
        .post(&format!("/api/v1/chat-invites/{token}/join"))
        .token(&s.subject_teacher.token)
        .send()
        .await
        .expect(200);
    assert_eq!(joined.json["id"], chat);
    // Joining twice changes nothing; the link counts one use.
    app.post(&format!("/api/v1/chat-invites/{token}/join")).token(&s.subject_teacher.token).send().await.expect(200);
    let links =
        app.get(&format!("/api/v1/chats/{chat}/invites")).token(&s.class_teacher.token).send().await.expect(200);
    assert_eq!((links.list()[0]["uses"].as_i64(), links.list()[0]["token"].is_null()), (Some(1), true));
    // Revoked, the link answers 410 with its own code.
    app.post(&format!("/api/v1/chats/{chat}/invites/{}/revoke", link.id()))
        .token(&s.class_teacher.token)
        .send()
        .await
        .expect(204);
    app.post(&format!("/api/v1/chat-invites/{token}/join"))
        .token(&s.student.token)
        .send()
        .await
        .problem(410, "chat_link_revoked");
    // Members leave; moderators remove others, never the owner; directory chats are not edited by hand.
    app.delete(&format!("/api/v1/chats/{chat}/members/{}", s.subject_teacher.id))
        .token(&s.subject_teacher.token)
        .send()
        .await
        .expect(204);
    app.put(&format!("/api/v1/chats/{chat}/members/{}/role", s.parent.id))
        .token(&s.class_teacher.token)
        .json(json!({ "role": "moderator" }))
        .send()
        .await
        .expect(204);
    app.delete(&format!("/api/v1/chats/{chat}/members/{}", s.class_teacher.id))
        .token(&s.parent.token)
        .send()
        .await
        .problem(409, "cannot_remove_owner");
    app.delete(&format!("/api/v1/chats/{chat}/members/{}", s.parent.id))
        .token(&s.class_teacher.token)
        .send()
        .await
        .expect(204);
    assert!(chats(&app, &s.parent.token, org).await.iter().all(|c| c["id"] != chat));
    let class_chat = chat_of(&app, &s.class_teacher.token, org, "class", Some(s.a)).await;
    app.delete(&format!("/api/v1/chats/{class_chat}/members/{}", s.student.id))
        .token(&s.class_teacher.token)
        .send()
        .await
        .problem(409, "chat_members_from_directory");
    let audit = app.get(&format!("/api/v1/orgs/{org}/audit")).token(&s.school.admin).send().await.expect(200);
    let actions: Vec<&str> = audit.json["entries"].as_array().map_or_else(
        || audit.list().iter().filter_map(|e| e["action"].as_str()).collect(),
        |entries| entries.iter().filter_map(|e| e["action"].as_str()).collect(),
    );
    for action in ["chat_created", "chat_renamed", "chat_link_created", "chat_joined_by_link", "chat_member_removed"] {
        assert!(actions.contains(&action), "{action} missing from {actions:?}");
    }
}

async fn students_sit_in_group_chats_only_with_a_teacher(app: TestApp) {
    let s = setup(&app, 123).await;
    let org = s.school.org;
    let chat = app
        .post(&format!("/api/v1/orgs/{org}/chats"))
        .token(&s.subject_teacher.token)
        .json(json!({ "kind": "group", "title": "Кружок" }))
        .send()
        .await
        .expect(201)
        .id();
    // In safe mode a teacher adds only their own students; another class's student is not found.
    app.post(&format!("/api/v1/chats/{chat}/members"))
        .token(&s.subject_teacher.token)
        .json(json!({ "user_ids": [s.other_student.id] }))
        .send()
        .await
        .invalid(&[("user_ids[0]", "unknown_person")]);
    let link =
        app.post(&format!("/api/v1/chats/{chat}/invites")).token(&s.subject_teacher.token).send().await.expect(201);
    let token = link.json["token"].as_str().expect("present").to_owned();
    // The parent becomes a moderator, the teacher leaves: no staff left in the chat.
    app.post(&format!("/api/v1/chat-invites/{token}/join")).token(&s.parent.token).send().await.expect(200);
    app.put(&format!("/api/v1/chats/{chat}/members/{}/role", s.parent.id))
        .token(&s.subject_teacher.token)
        .json(json!({ "role": "moderator" }))
        .send()
        .await
        .expect(204);
    app.delete(&format!("/api/v1/chats/{chat}/members/{}", s.subject_teacher.id))
        .token(&s.subject_teacher.token)
        .send()
        .await
        .expect(204);
    app.post(&format!("/api/v1/chat-invites/{token}/join"))
        .token(&s.other_student.token)
        .send()
        .await
        .problem(403, "chat_needs_teacher");
    // Relaxed by the school, the same link lets the student in.
    app.patch(&format!("/api/v1/orgs/{org}"))
        .token(&s.school.admin)
        .json(json!({ "student_safe_mode": false }))
        .send()
        .await
        .expect(200);
    app.post(&format!("/api/v1/chat-invites/{token}/join")).token(&s.other_student.token).send().await.expect(200);
}

async fn a_subject_chat_follows_the_class_roll(app: TestApp) {
    let s = setup(&app, 124).await;
    let org = s.school.org;
    // Only a teacher of the class makes its subject chat.
    app.post(&format!("/api/v1/orgs/{org}/chats"))
        .token(&s.subject_teacher.token)
        .json(json!({ "kind": "subject", "title": "Алгебра", "class_id": s.b }))
        .send()
        .await
        .problem(403, "forbidden");
    app.post(&format!("/api/v1/orgs/{org}/chats"))
        .token(&s.subject_teacher.token)
        .json(json!({ "kind": "subject", "title": "Алгебра" }))
        .send()
        .await
        .invalid(&[("class_id", "required")]);
    let created = app
        .post(&format!("/api/v1/orgs/{org}/chats"))
        .token(&s.subject_teacher.token)
        .json(json!({ "kind": "subject", "title": "Алгебра", "class_id": s.a }))
        .send()
        .await
        .expect(201);
    let chat = created.id();
    assert_eq!(created.json["title"], "Алгебра — 5А");
    assert_eq!(
        member_ids(&app, &s.subject_teacher.token, chat).await,
        sorted(vec![s.subject_teacher.id, s.student.id])
    );
    // A new student of 5А joins it at once; a transfer takes the student out.
    let newcomer = app.join(&s.school, s.a, "student", None, "Новенький").await;
    assert_eq!(
        member_ids(&app, &s.subject_teacher.token, chat).await,
        sorted(vec![s.subject_teacher.id, s.student.id, newcomer.id])
    );
    app.post(&format!("/api/v1/orgs/{org}/members/{}/transfer", s.student.id))
        .token(&s.school.admin)
        .json(json!({ "to_class_id": s.b }))
        .send()
        .await
        .expect(200);
    assert_eq!(member_ids(&app, &s.subject_teacher.token, chat).await, sorted(vec![s.subject_teacher.id, newcomer.id]));
    app.get(&format!("/api/v1/chats/{chat}")).token(&s.student.token).send().await.problem(404, "not_found");
    // A second subject chat for the same class is fine.
    app.post(&format!("/api/v1/orgs/{org}/chats"))
        .token(&s.class_teacher.token)
        .json(json!({ "kind": "subject", "title": "Литература", "class_id": s.a }))
        .send()
        .await
        .expect(201);
    // Its students come from the roll: nobody removes them by hand.
    app.delete(&format!("/api/v1/chats/{chat}/members/{}", newcomer.id))
        .token(&s.subject_teacher.token)
        .send()
        .await
        .problem(409, "chat_members_from_directory");
}

async fn admins_appoint_channel_authors_who_outlive_directory_changes(app: TestApp) {
    let s = setup(&app, 125).await;
    let org = s.school.org;
    let channel = chat_of(&app, &s.subject_teacher.token, org, "school_channel", None).await;
    let role = format!("/api/v1/chats/{channel}/members/{}/role", s.subject_teacher.id);
    app.put(&role)
        .token(&s.class_teacher.token)
        .json(json!({ "role": "author" }))
        .send()
        .await
        .problem(403, "forbidden");
    app.put(&role)
        .token(&s.school.admin)
        .json(json!({ "role": "moderator" }))
        .send()
        .await
        .invalid(&[("role", "unsupported")]);
    app.put(&role).token(&s.school.admin).json(json!({ "role": "author" })).send().await.expect(204);
    // A channel's moderators (its admins) are not made authors: the appointment would
    // outlive their admin role.
    let admin_id = app.me(&s.school.admin).await["id"].as_i64().expect("id");
    app.put(&format!("/api/v1/chats/{channel}/members/{admin_id}/role"))
        .token(&s.school.admin)
        .json(json!({ "role": "author" }))
        .send()
        .await
        .problem(403, "forbidden");
    let seen = app.get(&format!("/api/v1/chats/{channel}")).token(&s.subject_teacher.token).send().await.expect(200);
    assert_eq!((seen.json["my_role"].as_str(), seen.json["abilities"]["post"].as_bool()), (Some("author"), Some(true)));
    // A directory change (becoming a class teacher) keeps the appointment.
    app.assign_class_teacher(&s.school, s.b, s.subject_teacher.id).await;
    send(&app, &s.subject_teacher.token, channel, "news-1", "Завтра линейка в 8:30").await;
    // Taken back: a member reads only.
    app.put(&role).token(&s.school.admin).json(json!({ "role": "member" })).send().await.expect(204);
    app.post(&format!("/api/v1/chats/{channel}/messages"))
        .token(&s.subject_teacher.token)
        .json(json!({ "client_msg_id": "news-2", "body": "Ещё" }))
        .send()
        .await
        .problem(403, "forbidden");
    // Directory chats keep their roles.
    let class_chat = chat_of(&app, &s.class_teacher.token, org, "class", Some(s.a)).await;
    app.put(&format!("/api/v1/chats/{class_chat}/members/{}/role", s.student.id))
        .token(&s.class_teacher.token)
        .json(json!({ "role": "moderator" }))
        .send()
        .await
        .problem(409, "chat_roles_fixed");
}

async fn authors_see_who_has_read_a_post(app: TestApp) {
    let s = setup(&app, 126).await;
    let org = s.school.org;
    let parents = chat_of(&app, &s.class_teacher.token, org, "parents", Some(s.a)).await;
    let second_parent_child = app.join(&s.school, s.a, "student", None, "Второй").await;
    let second_parent = app.join(&s.school, s.a, "parent", Some(second_parent_child.id), "Вторая").await;
    let post = send(&app, &s.class_teacher.token, parents, "announce", "Собрание в четверг").await;
    let (id, seq) = (post["id"].as_i64().expect("present"), post["seq"].as_i64().expect("present"));
    app.post(&format!("/api/v1/chats/{parents}/read"))
        .token(&s.parent.token)
        .json(json!({ "seq": seq }))
        .send()
        .await
        .expect(204);
    let reads = app
        .get(&format!("/api/v1/chats/{parents}/messages/{id}/reads"))
        .token(&s.class_teacher.token)
        .send()
        .await
        .expect(200);
    assert_eq!((reads.json["read"].as_i64(), reads.json["members"].as_i64()), (Some(1), Some(2)));
    assert_eq!(reads.json["readers"][0]["id"], s.parent.id);
    app.get(&format!("/api/v1/chats/{parents}/messages/{id}/reads"))
        .token(&second_parent.token)
        .send()
        .await
        .problem(403, "forbidden");
    // The school channel shows its author the count only.
    let channel = chat_of(&app, &s.school.admin, org, "school_channel", None).await;
    let notice = send(&app, &s.school.admin, channel, "notice", "Каникулы с 28 октября").await;
    let reads = app
        .get(&format!("/api/v1/chats/{channel}/messages/{}/reads", notice["id"]))
        .token(&s.school.admin)
        .send()
        .await
        .expect(200);
    assert!(reads.json["readers"].is_null() && reads.json["members"].as_i64().expect("present") >= 6, "{}", reads.json);
}

async fn supervised_students_write_directly_only_to_adults(app: TestApp) {
    let s = setup(&app, 127).await;
    let org = s.school.org;
    let classmate = app.join(&s.school, s.a, "student", None, "Одноклассник").await;
    let direct = format!("/api/v1/orgs/{org}/direct");
    app.post(&direct).token(&classmate.token).json(json!({ "user_id": s.student.id })).send().await.expect(200);
    app.patch(&format!("/api/v1/orgs/{org}"))
        .token(&s.school.admin)
        .json(json!({ "students_supervised": true }))
        .send()
        .await
        .expect(200);
    let school = app.get(&format!("/api/v1/orgs/{org}")).token(&s.school.admin).send().await.expect(200);
    assert_eq!(school.json["students_supervised"], true);
    app.post(&direct)
        .token(&classmate.token)
        .json(json!({ "user_id": s.student.id }))
        .send()
        .await
        .problem(404, "not_found");
    app.post(&direct).token(&s.student.token).json(json!({ "user_id": s.class_teacher.id })).send().await.expect(200);
    app.post(&direct).token(&s.parent.token).json(json!({ "user_id": s.student.id })).send().await.expect(200);
}

async fn search_finds_word_forms_in_ones_own_chats_only(app: TestApp) {
    let s = setup(&app, 128).await;
    let org = s.school.org;
    let class_a = chat_of(&app, &s.student.token, org, "class", Some(s.a)).await;
    let class_b = chat_of(&app, &s.other_student.token, org, "class", Some(s.b)).await;
    send(&app, &s.class_teacher.token, class_a, "s-1", "Завтра **контрольная** работа по алгебре").await;
    let edited = send(&app, &s.student.token, class_a, "s-2", "Я болею").await;
    send(&app, &s.other_student.token, class_b, "s-3", "У нас тоже контрольная!").await;
    let search = |token: String, q: &str| {
        let app = &app;
        let q = q.to_owned();
        async move {
            let reply = app.get(&format!("/api/v1/search?q={}", urlencode(&q))).token(&token).send().await.expect(200);
            reply.json["hits"]
                .as_array()
                .expect("present")
                .iter()
                .map(|h| h["message"]["client_msg_id"].as_str().expect("present").to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(search(s.student.token.clone(), "контрольной").await, ["s-1"]);
    assert_eq!(search(s.student.token.clone(), "контр алгебр").await, ["s-1"]);
    assert_eq!(search(s.other_student.token.clone(), "контрольную").await, ["s-3"]);
    assert!(search(s.parent.token.clone(), "контрольная").await.is_empty(), "a parent does not read the class chat");
    // Edits re-index, deletions drop out.
    app.patch(&format!("/api/v1/chats/{class_a}/messages/{}", edited["id"]))
        .token(&s.student.token)
        .json(json!({ "body": "Я болею, пропущу контрольную" }))
        .send()
        .await
        .expect(200);
    assert_eq!(search(s.student.token.clone(), "контрольная").await, ["s-2", "s-1"]);
    app.delete(&format!("/api/v1/chats/{class_a}/messages/{}", edited["id"]))
        .token(&s.student.token)
        .send()
        .await
        .expect(204);
    assert_eq!(search(s.student.token.clone(), "болеть").await, Vec::<String>::new());
    // A very long word (7,800 bytes of letters that compress poorly: more than
    // PostgreSQL's B-tree takes in an index entry) is kept by its start; letters with
    // digits make a word, an apostrophe splits one.
    let mut seed: u32 = 12_345;
    let word: String = (0..3_900)
        .map(|_| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            char::from_u32('а' as u32 + (seed >> 16) % 32).expect("a letter")
        })
        .collect();
    send(&app, &s.class_teacher.token, class_a, "s-4", &format!("{word} для 5А, O'Neil")).await;
    let start: String = word.chars().take(100).collect();
    assert_eq!(search(s.student.token.clone(), &start).await, ["s-4"]);
    assert_eq!(search(s.student.token.clone(), "5а").await, ["s-4"]);
    assert_eq!(search(s.student.token.clone(), "O'Neil контрольная").await, Vec::<String>::new());
    assert_eq!(search(s.student.token.clone(), "O'Neil для").await, ["s-4"]);
    // Paging goes back by message id.
    let first = app
        .get("/api/v1/search?q=%D0%BA%D0%BE%D0%BD%D1%82%D1%80&limit=1")
        .token(&s.class_teacher.token)
        .send()
        .await
        .expect(200);
    assert_eq!(first.json["has_more"], false, "the class teacher of 5А reads only 5А's chat: {}", first.json);
    app.get("/api/v1/search?q=%D1%8F").token(&s.student.token).send().await.invalid(&[("q", "too_short")]);
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

async fn forwarding_copies_text_and_files_within_the_school(app: TestApp) {
    let s = setup(&app, 129).await;
    let org = s.school.org;
    let staff_room = chat_of(&app, &s.class_teacher.token, org, "staff_room", None).await;
    let parents = chat_of(&app, &s.class_teacher.token, org, "parents", Some(s.a)).await;
    let (content_type, body) = multipart(&[], &[("file", "расписание.txt", "Пн: математика".as_bytes())]);
    let file = app
        .post(&format!("/api/v1/chats/{staff_room}/files"))
        .token(&s.school.admin)
        .raw(&content_type, body)
        .send()
        .await
        .expect(201)
        .id();
    let original = app
        .post(&format!("/api/v1/chats/{staff_room}/messages"))
        .token(&s.school.admin)
        .json(json!({ "client_msg_id": "f-1", "body": "Новое расписание", "attachments": [file] }))
        .send()
        .await
        .expect(201)
        .json;
    // The parents of 5А do not read the staff room: the file is not theirs yet.
    app.get(&format!("/api/v1/files/{file}")).token(&s.parent.token).send().await.problem(404, "not_found");
    let forwarded = app
        .post(&format!("/api/v1/chats/{parents}/messages"))
        .token(&s.class_teacher.token)
        .json(json!({ "client_msg_id": "f-2", "body": "", "forward_of": original["id"] }))
        .send()
        .await
        .expect(201)
        .json;
    assert_eq!(forwarded["body"], "Новое расписание");
    assert_eq!(forwarded["forwarded_from"]["sender"]["id"], s.school.admin_id);
    let copy = forwarded["attachments"][0]["id"].as_i64().expect("present");
    assert_ne!(copy, file);
    let download = app.get(&format!("/api/v1/files/{copy}")).token(&s.parent.token).send().await.expect(200);
    assert_eq!(download.bytes, "Пн: математика".as_bytes());
    app.get(&format!("/api/v1/files/{file}")).token(&s.parent.token).send().await.problem(404, "not_found");
    // A parent cannot forward what they cannot read.
    app.post(&format!("/api/v1/chats/{parents}/messages"))
        .token(&s.parent.token)
        .json(json!({ "client_msg_id": "f-3", "body": "", "forward_of": original["id"] }))
        .send()
        .await
        .invalid(&[("forward_of", "unknown_message")]);
}

async fn formatting_is_parsed_and_mentions_name_real_members(app: TestApp) {
    let s = setup(&app, 130).await;
    let org = s.school.org;
    let class_a = chat_of(&app, &s.student.token, org, "class", Some(s.a)).await;
    let body = format!(
        "@[Директор]({}) **Важно:** сдать до пятницы, см. [сайт](https://school.example)\n- тетрадь\n- @[Кто угодно]({})",
        s.student.id, s.other_student.id
    );
    let message = send(&app, &s.class_teacher.token, class_a, "fmt", &body).await;
    // The mention carries the member's real name; someone outside the chat becomes plain text.
    let stored = message["body"].as_str().expect("present");
    assert!(stored.starts_with(&format!("@[Тест Учеников]({})", s.student.id)), "{stored}");
    assert!(stored.ends_with("- @Кто угодно"), "{stored}");
    assert_eq!(message["mentions"], json!([s.student.id]));
    let rich = message["rich"].as_array().expect("present");
    assert_eq!(
        rich.iter().map(|b| b["kind"].as_str().expect("present")).collect::<Vec<_>>(),
        ["paragraph", "bullet", "bullet"]
    );
    let spans = rich[0]["spans"].as_array().expect("present");
    assert_eq!(spans[0]["mention"], s.student.id);
    assert!(spans.iter().any(|s| s["text"] == "Важно:" && s["bold"] == true));
    assert!(spans.iter().any(|s| s["text"] == "сайт" && s["link"] == "https://school.example"));
    // A hostile link stays text.
    let hostile = send(&app, &s.class_teacher.token, class_a, "fmt-2", "[нажми](javascript:alert(1))").await;
    assert!(hostile["rich"][0]["spans"].as_array().expect("present").iter().all(|s| s.get("link").is_none()));
    // Forwarded to the staff room, where the student does not sit: the mention becomes text there.
    let staff_room = chat_of(&app, &s.class_teacher.token, org, "staff_room", None).await;
    let forwarded = app
        .post(&format!("/api/v1/chats/{staff_room}/messages"))
        .token(&s.class_teacher.token)
        .json(json!({ "client_msg_id": "fmt-fwd", "body": "", "forward_of": message["id"] }))
        .send()
        .await
        .expect(201)
        .json;
    assert_eq!(forwarded["mentions"], json!([]));
    assert!(forwarded["body"].as_str().expect("present").starts_with("@Тест Учеников **Важно:**"), "{forwarded}");
}

async fn images_get_previews_and_uploads_obey_mutes_and_limits(app: TestApp) {
    let s = setup(&app, 131).await;
    let org = s.school.org;
    let class_a = chat_of(&app, &s.student.token, org, "class", Some(s.a)).await;
    let upload = |token: String, name: &'static str, bytes: Vec<u8>| {
        let app = &app;
        async move {
            let (content_type, body) = multipart(&[], &[("file", name, &bytes)]);
            app.post(&format!("/api/v1/chats/{class_a}/files")).token(&token).raw(&content_type, body).send().await
        }
    };
    let image = upload(s.student.token.clone(), "доска.png", crate::support::png(1600, 900)).await.expect(201);
    assert_eq!(
        (image.json["content_type"].as_str(), image.json["has_thumbnail"].as_bool()),
        (Some("image/png"), Some(true))
    );
    let id = image.id();
    // Before it is posted only its uploader sees the preview.
    let preview = app.get(&format!("/api/v1/files/{id}/thumbnail")).token(&s.student.token).send().await.expect(200);
    assert_eq!(preview.header_str("content-type"), Some("image/jpeg"));
    assert_eq!(preview.header_str("x-content-type-options"), Some("nosniff"));
    let decoded = image::load_from_memory(&preview.bytes).expect("a JPEG");
    assert_eq!((decoded.width(), decoded.height()), (480, 270));
    app.get(&format!("/api/v1/files/{id}/thumbnail"))
        .token(&s.class_teacher.token)
        .send()
        .await
        .problem(404, "not_found");
    app.post(&format!("/api/v1/chats/{class_a}/messages"))
        .token(&s.student.token)
        .json(json!({ "client_msg_id": "img", "body": "", "attachments": [id] }))
        .send()
        .await
        .expect(201);
    app.get(&format!("/api/v1/files/{id}/thumbnail")).token(&s.class_teacher.token).send().await.expect(200);
    app.get(&format!("/api/v1/files/{id}/thumbnail")).token(&s.parent.token).send().await.problem(404, "not_found");
    // A file that is not an image has no preview.
    let text = upload(s.student.token.clone(), "заметка.txt", "текст".as_bytes().to_vec()).await.expect(201);
    assert_eq!(text.json["has_thumbnail"], false);
    app.get(&format!("/api/v1/files/{}/thumbnail", text.id()))
        .token(&s.student.token)
        .send()
        .await
        .problem(404, "not_found");
    // A muted member cannot upload.
    app.put(&format!("/api/v1/chats/{class_a}/members/{}/mute", s.student.id))
        .token(&s.class_teacher.token)
        .json(json!({ "minutes": 30 }))
        .send()
        .await
        .expect(204);
    upload(s.student.token.clone(), "ещё.txt", b"x".to_vec()).await.problem(403, "muted");
    // Uploads share the per-minute send limit (30): two so far, 28 more, then a clear refusal.
    app.put(&format!("/api/v1/chats/{class_a}/members/{}/mute", s.student.id))
        .token(&s.class_teacher.token)
        .json(json!({ "minutes": 0 }))
        .send()
        .await
        .expect(204);
    for _ in 0..28 {
        upload(s.student.token.clone(), "часть.txt", b"x".to_vec()).await.expect(201);
    }
    upload(s.student.token.clone(), "лишний.txt", b"x".to_vec()).await.problem(429, "upload_rate_limited");
}

async fn an_image_of_too_many_pixels_is_stored_without_a_preview(app: TestApp) {
    let s = setup(&app, 133).await;
    let class_a = chat_of(&app, &s.student.token, s.school.org, "class", Some(s.a)).await;
    // 258 KB that would decode to 254 MiB: the upload is kept, the preview refused.
    let bomb = crate::png_bomb::png_bomb(12_000, 7_400);
    let (content_type, body) = multipart(&[], &[("file", "схема.png", &bomb)]);
    let stored = app
        .post(&format!("/api/v1/chats/{class_a}/files"))
        .token(&s.student.token)
        .raw(&content_type, body)
        .send()
        .await
        .expect(201);
    assert_eq!(
        (stored.json["content_type"].as_str(), stored.json["has_thumbnail"].as_bool(), stored.json["size"].as_u64()),
        (Some("image/png"), Some(false), Some(bomb.len() as u64))
    );
    let id = stored.id();
    app.get(&format!("/api/v1/files/{id}/thumbnail")).token(&s.student.token).send().await.problem(404, "not_found");
    // It is posted and downloaded like any file, byte for byte.
    app.post(&format!("/api/v1/chats/{class_a}/messages"))
        .token(&s.student.token)
        .json(json!({ "client_msg_id": "bomb", "body": "", "attachments": [id] }))
        .send()
        .await
        .expect(201);
    let download = app.get(&format!("/api/v1/files/{id}")).token(&s.class_teacher.token).send().await.expect(200);
    assert!(download.bytes == bomb, "the stored bytes differ from the upload");
}

async fn a_moderators_removal_keeps_the_evidence(app: TestApp) {
    let s = setup(&app, 132).await;
    let org = s.school.org;
    let class_a = chat_of(&app, &s.student.token, org, "class", Some(s.a)).await;
    let rude = send(&app, &s.student.token, class_a, "rude", "Грубое сообщение").await;
    let id = rude["id"].as_i64().expect("id");
    app.put(&format!("/api/v1/chats/{class_a}/members/{}/mute", s.student.id))
        .token(&s.class_teacher.token)
        .json(json!({ "minutes": 60 }))
        .send()
        .await
        .expect(204);
    let members =
        app.get(&format!("/api/v1/chats/{class_a}/members")).token(&s.class_teacher.token).send().await.expect(200);
    let muted = members.list().iter().find(|m| m["person"]["id"] == s.student.id).expect("student");
    assert!(muted["muted_until"].is_string(), "{muted}");
    app.delete(&format!("/api/v1/chats/{class_a}/messages/{id}"))
        .token(&s.class_teacher.token)
        .send()
        .await
        .expect(204);
    // Readers see it removed; the moderators still read what it said, and the audit log has the act.
    let page = app.get(&format!("/api/v1/chats/{class_a}/messages")).token(&s.student.token).send().await.expect(200);
    let removed = page.json["messages"].as_array().expect("page").iter().find(|m| m["id"] == id).expect("message");
    assert_eq!((removed["body"].as_str(), removed["deleted_by_moderator"].as_bool()), (Some(""), Some(true)));
    let versions = app
        .get(&format!("/api/v1/chats/{class_a}/messages/{id}/versions"))
        .token(&s.class_teacher.token)
        .send()
        .await
        .expect(200);
    assert_eq!(versions.list().last().expect("version")["body"], "Грубое сообщение");
    let audit = app.get(&format!("/api/v1/orgs/{org}/audit")).token(&s.school.admin).send().await.expect(200);
    assert!(audit.json.to_string().contains("message_deleted_by_moderator"), "{}", audit.json);
}
