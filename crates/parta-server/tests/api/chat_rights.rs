//! The chat-ability matrix: every chat operation × every seat (member, channel
//! author, moderator, the school admin, a member of a read-only chat) × every kind
//! of chat, through the API, held against what the server advertises for that seat:
//! `abilities` on the chat and `actions` on each of its members.
//!
//! Answers. An operation is *done* when it answers 2xx, or a business conflict that
//! comes only after the rights were checked (`ack_not_requested` on a post that asked
//! for no confirmation, `poll_closed` on a poll someone closed before,
//! `cannot_mute_moderator`). It is *refused* with 403 — except where the kind of chat
//! refuses first, alike for everyone: the members of the directory's chats (class,
//! parents, class teachers, staff room, the channels) and of direct chats are not
//! managed by hand (409 `chat_members_from_directory`, also the answer to leaving
//! where one may not), their roles are fixed (409 `chat_roles_fixed`), and a chat
//! people make has no authors (422 on `role`).
//!
//! Posting variants are posts first: a must-acknowledge post needs `post` and
//! `request_ack`, an urgent one `post` and `send_urgent` (the server never advertises
//! either where `post` is false, which the written table below holds it to).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{Person, Reply, TestApp, multipart};

on_both_backends!(
    every_chat_operation_answers_as_the_chat_advertises,
    member_actions_answer_as_the_server_enforces,
    chosen_seats_have_the_abilities_written_here,
);

// ---------------------------------------------------------------------------
// The world: one school, one class, a person of each kind, a seat in every kind of chat.
// ---------------------------------------------------------------------------

const ADMIN: usize = 0;
const CLASS_TEACHER: usize = 1;
const SUBJECT_TEACHER: usize = 2;
const EMPLOYEE: usize = 3;
const STUDENT: usize = 4;
const PARENT: usize = 5;
const NAMES: [&str; 6] = ["school admin", "class teacher", "subject teacher", "employee", "student", "parent"];

/// Every ability a chat advertises, in the protocol's order.
const ABILITIES: [&str; 19] = [
    "post",
    "react",
    "acknowledge",
    "report",
    "request_ack",
    "pin",
    "moderate_posts",
    "follow_reads",
    "see_versions",
    "mute",
    "set_read_only",
    "manage_members",
    "handle_reports",
    "send_urgent",
    "appoint_authors",
    "start_call",
    "join_call",
    "host_calls",
    "leave",
];

const ACTIONS: [&str; 6] = ["mute", "remove", "make_moderator", "revoke_moderator", "make_author", "revoke_author"];

struct ChatSpec {
    label: &'static str,
    kind: &'static str,
    id: i64,
    owner: Option<usize>,
    /// Who sits here and in which role, as the world was built.
    seats: Vec<(usize, &'static str)>,
}

impl ChatSpec {
    fn made_by_people(&self) -> bool {
        matches!(self.kind, "group" | "subject")
    }

    fn channel(&self) -> bool {
        matches!(self.kind, "school_channel" | "staff_channel")
    }

    fn role_of(&self, who: usize) -> &'static str {
        self.seats.iter().find(|(w, _)| *w == who).map(|(_, r)| *r).unwrap_or("none")
    }
}

struct World {
    org: i64,
    people: Vec<Person>,
    chats: Vec<ChatSpec>,
    /// Messages members of the read-only group wrote before it became read-only.
    before_read_only: Vec<(usize, i64)>,
}

impl World {
    fn token(&self, who: usize) -> &str {
        &self.people[who].token
    }

    fn chat(&self, label: &str) -> &ChatSpec {
        self.chats.iter().find(|c| c.label == label).unwrap_or_else(|| panic!("no chat {label}"))
    }

    fn who(&self, id: i64) -> usize {
        self.people.iter().position(|p| p.id == id).unwrap_or_else(|| panic!("user {id} is nobody of the world"))
    }
}

fn key() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("rights-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

async fn send(app: &TestApp, token: &str, chat: i64, extra: Value) -> Reply {
    let mut body = json!({ "client_msg_id": key(), "body": "Сообщение для проверки прав" });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    app.post(&format!("/api/v1/chats/{chat}/messages")).token(token).json(body).send().await
}

async fn posted(app: &TestApp, token: &str, chat: i64, extra: Value) -> i64 {
    send(app, token, chat, extra).await.expect(201).id()
}

async fn poll(app: &TestApp, token: &str, chat: i64) -> Reply {
    app.post(&format!("/api/v1/chats/{chat}/polls"))
        .token(token)
        .json(json!({ "client_msg_id": key(), "question": "Когда собрание?", "options": ["Во вторник", "В четверг"] }))
        .send()
        .await
}

async fn set_role(app: &TestApp, token: &str, chat: i64, user: i64, role: &str) -> Reply {
    app.put(&format!("/api/v1/chats/{chat}/members/{user}/role"))
        .token(token)
        .json(json!({ "role": role }))
        .send()
        .await
}

async fn chat_id(app: &TestApp, token: &str, org: i64, kind: &str) -> i64 {
    let chats = app.get(&format!("/api/v1/chats?org_id={org}")).token(token).send().await.expect(200);
    chats.list().iter().find(|c| c["kind"] == kind).unwrap_or_else(|| panic!("no {kind} chat"))["id"]
        .as_i64()
        .expect("chat id")
}

async fn build(app: &TestApp) -> World {
    let school = app.school(140).await;
    let org = school.org;
    let class = app.create_class(&school, "5А", 5).await;
    let class_teacher = app.join(&school, school.staff_room, "teacher", None, "Классова").await;
    app.assign_class_teacher(&school, class, class_teacher.id).await;
    let subject_teacher = app.join(&school, class, "teacher", None, "Предметников").await;
    let employee = app.join(&school, school.staff_room, "employee", None, "Завхозов").await;
    let student = app.join(&school, class, "student", None, "Ученикова").await;
    let parent = app.join(&school, class, "parent", Some(student.id), "Родителева").await;
    let admin = Person { id: school.admin_id, token: school.admin.clone(), email: "admin140@school140.ru".into() };
    let people = vec![admin, class_teacher, subject_teacher, employee, student, parent];
    let token = |who: usize| people[who].token.as_str();
    let id = |who: usize| people[who].id;

    let class_chat = chat_id(app, token(CLASS_TEACHER), org, "class").await;
    let parents_chat = chat_id(app, token(CLASS_TEACHER), org, "parents").await;
    let class_teachers_chat = chat_id(app, token(CLASS_TEACHER), org, "class_teachers").await;
    let staff_room = chat_id(app, token(ADMIN), org, "staff_room").await;
    let school_channel = chat_id(app, token(ADMIN), org, "school_channel").await;
    let staff_channel = chat_id(app, token(ADMIN), org, "staff_channel").await;

    // The school admin appoints an author in each channel.
    set_role(app, token(ADMIN), school_channel, id(SUBJECT_TEACHER), "author").await.expect(204);
    set_role(app, token(ADMIN), staff_channel, id(EMPLOYEE), "author").await.expect(204);

    // A group chat the subject teacher made, with the class teacher appointed its moderator.
    let group = app
        .post(&format!("/api/v1/orgs/{org}/chats"))
        .token(token(SUBJECT_TEACHER))
        .json(json!({
            "kind": "group", "title": "Олимпиада",
            "member_ids": [id(CLASS_TEACHER), id(EMPLOYEE), id(STUDENT), id(PARENT), id(ADMIN)],
        }))
        .send()
        .await
        .expect(201)
        .id();
    set_role(app, token(SUBJECT_TEACHER), group, id(CLASS_TEACHER), "moderator").await.expect(204);

    // The subject teacher's chat for the class: its student from the roll, the parent by hand.
    let subject = app
        .post(&format!("/api/v1/orgs/{org}/chats"))
        .token(token(SUBJECT_TEACHER))
        .json(json!({ "kind": "subject", "title": "Алгебра", "class_id": class }))
        .send()
        .await
        .expect(201)
        .id();
    app.post(&format!("/api/v1/chats/{subject}/members"))
        .token(token(SUBJECT_TEACHER))
        .json(json!({ "user_ids": [id(PARENT)] }))
        .send()
        .await
        .expect(204);

    // A group the class teacher made and switched to read-only, the subject teacher its second moderator.
    let read_only = app
        .post(&format!("/api/v1/orgs/{org}/chats"))
        .token(token(CLASS_TEACHER))
        .json(json!({
            "kind": "group", "title": "Дежурство",
            "member_ids": [id(SUBJECT_TEACHER), id(STUDENT), id(PARENT), id(ADMIN)],
        }))
        .send()
        .await
        .expect(201)
        .id();
    set_role(app, token(CLASS_TEACHER), read_only, id(SUBJECT_TEACHER), "moderator").await.expect(204);
    let mut before_read_only = Vec::new();
    for who in [STUDENT, PARENT, ADMIN] {
        before_read_only.push((who, posted(app, token(who), read_only, json!({})).await));
    }
    app.put(&format!("/api/v1/chats/{read_only}/read-only"))
        .token(token(CLASS_TEACHER))
        .json(json!({ "read_only": true }))
        .send()
        .await
        .expect(204);

    // Direct chats: the student with their teacher; the admin with the employee (they share the group).
    let direct = |from: usize, to: usize| {
        app.post(&format!("/api/v1/orgs/{org}/direct")).token(token(from)).json(json!({ "user_id": id(to) })).send()
    };
    let student_teacher = direct(STUDENT, SUBJECT_TEACHER).await.expect(200).id();
    let admin_employee = direct(ADMIN, EMPLOYEE).await.expect(200).id();

    let spec = |label, kind, id, owner, seats: &[(usize, &'static str)]| ChatSpec {
        label,
        kind,
        id,
        owner,
        seats: seats.to_vec(),
    };
    let chats = vec![
        spec("class chat", "class", class_chat, None, &[(CLASS_TEACHER, "moderator"), (STUDENT, "member")]),
        spec("parents chat", "parents", parents_chat, None, &[(CLASS_TEACHER, "moderator"), (PARENT, "member")]),
        spec(
            "class teachers chat",
            "class_teachers",
            class_teachers_chat,
            None,
            &[(CLASS_TEACHER, "moderator"), (SUBJECT_TEACHER, "member")],
        ),
        spec(
            "staff room",
            "staff_room",
            staff_room,
            None,
            &[(ADMIN, "moderator"), (CLASS_TEACHER, "member"), (SUBJECT_TEACHER, "member"), (EMPLOYEE, "member")],
        ),
        spec(
            "school channel",
            "school_channel",
            school_channel,
            None,
            &[
                (ADMIN, "moderator"),
                (CLASS_TEACHER, "member"),
                (SUBJECT_TEACHER, "author"),
                (EMPLOYEE, "member"),
                (STUDENT, "member"),
                (PARENT, "member"),
            ],
        ),
        spec(
            "staff channel",
            "staff_channel",
            staff_channel,
            None,
            &[(ADMIN, "moderator"), (CLASS_TEACHER, "member"), (SUBJECT_TEACHER, "member"), (EMPLOYEE, "author")],
        ),
        spec(
            "direct student–teacher",
            "direct",
            student_teacher,
            None,
            &[(SUBJECT_TEACHER, "member"), (STUDENT, "member")],
        ),
        spec("direct admin–employee", "direct", admin_employee, None, &[(ADMIN, "member"), (EMPLOYEE, "member")]),
        spec(
            "group",
            "group",
            group,
            Some(SUBJECT_TEACHER),
            &[
                (SUBJECT_TEACHER, "moderator"),
                (CLASS_TEACHER, "moderator"),
                (ADMIN, "member"),
                (EMPLOYEE, "member"),
                (STUDENT, "member"),
                (PARENT, "member"),
            ],
        ),
        spec(
            "subject chat",
            "subject",
            subject,
            Some(SUBJECT_TEACHER),
            &[(SUBJECT_TEACHER, "moderator"), (STUDENT, "member"), (PARENT, "member")],
        ),
        spec(
            "read-only group",
            "group",
            read_only,
            Some(CLASS_TEACHER),
            &[
                (CLASS_TEACHER, "moderator"),
                (SUBJECT_TEACHER, "moderator"),
                (ADMIN, "member"),
                (STUDENT, "member"),
                (PARENT, "member"),
            ],
        ),
    ];
    let world = World { org, people, chats, before_read_only };

    // The world is as written: each chat's members and roles, each seat's kind and role.
    for chat in &world.chats {
        let reader = chat.seats[0].0;
        let members =
            app.get(&format!("/api/v1/chats/{}/members", chat.id)).token(world.token(reader)).send().await.expect(200);
        let mut got: Vec<(usize, String)> = members
            .list()
            .iter()
            .map(|m| (world.who(m["person"]["id"].as_i64().expect("id")), m["role"].as_str().expect("role").to_owned()))
            .collect();
        got.sort();
        let mut want: Vec<(usize, String)> = chat.seats.iter().map(|(w, r)| (*w, (*r).to_owned())).collect();
        want.sort();
        assert_eq!(got, want, "{}: members and roles", chat.label);
        for &(who, role) in &chat.seats {
            let seen = app.get(&format!("/api/v1/chats/{}", chat.id)).token(world.token(who)).send().await.expect(200);
            assert_eq!(
                (seen.json["kind"].as_str(), seen.json["my_role"].as_str()),
                (Some(chat.kind), Some(role)),
                "{} in {}",
                NAMES[who],
                chat.label
            );
            assert_eq!(seen.json["read_only"], chat.label == "read-only group", "{}", chat.label);
            assert_eq!(seen.json["owner_id"], json!(chat.owner.map(|o| world.people[o].id)), "{}", chat.label);
        }
    }
    world
}

/// What `who` is told they may do in `chat`.
async fn abilities(app: &TestApp, w: &World, who: usize, chat: &ChatSpec) -> Value {
    let seen = app.get(&format!("/api/v1/chats/{}", chat.id)).token(w.token(who)).send().await.expect(200);
    let abilities = seen.json["abilities"].clone();
    for name in ABILITIES {
        assert!(abilities[name].is_boolean(), "{} in {}: no `{name}` in {abilities}", NAMES[who], chat.label);
    }
    abilities
}

fn may(abilities: &Value, name: &str) -> bool {
    abilities[name].as_bool().unwrap_or_else(|| panic!("no ability `{name}` in {abilities}"))
}

// ---------------------------------------------------------------------------
// Answers and their bookkeeping.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Done,
    Forbidden,
    Conflict(&'static str),
    /// 422 naming this field.
    Invalid(&'static str),
}

const FROM_DIRECTORY: Answer = Answer::Conflict("chat_members_from_directory");
const ROLES_FIXED: Answer = Answer::Conflict("chat_roles_fixed");
const NO_SUCH_ROLE: Answer = Answer::Invalid("role");

/// Whether the reply is `expected`; conflicts named in `harmless` count as done.
fn answered(reply: &Reply, expected: &Answer, harmless: &[&str]) -> bool {
    let status = reply.status.as_u16();
    let code = reply.json["code"].as_str().unwrap_or("");
    match expected {
        Answer::Done => (200..300).contains(&status) || (status == 409 && harmless.contains(&code)),
        Answer::Forbidden => status == 403 && code == "forbidden",
        Answer::Conflict(want) => status == 409 && code == *want,
        Answer::Invalid(field) => status == 422 && reply.json["errors"][0]["field"] == *field,
    }
}

#[derive(Default)]
struct Tally {
    failures: Vec<String>,
    cases: usize,
    /// Per operation: how often it was expected done, and refused.
    seen: BTreeMap<&'static str, (usize, usize)>,
}

impl Tally {
    /// Records one operation: `ability` says whether it should be done, `refusal`
    /// is the answer when it should not.
    #[allow(clippy::too_many_arguments)]
    fn check(
        &mut self,
        who: usize,
        chat: &ChatSpec,
        op: &'static str,
        ability: &str,
        allowed: bool,
        refusal: Answer,
        harmless: &[&str],
        reply: &Reply,
    ) {
        self.cases += 1;
        let expected = if allowed { Answer::Done } else { refusal };
        let entry = self.seen.entry(op).or_default();
        if allowed {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
        if !answered(reply, &expected, harmless) {
            self.failures.push(format!(
                "{} ({}) in {} [{}] × {op}: advertised {ability}={allowed}, expected {expected:?}, got {} {}",
                NAMES[who],
                chat.role_of(who),
                chat.label,
                chat.kind,
                reply.status,
                reply.json
            ));
        }
    }

    #[track_caller]
    fn finish(self, what: &str, both_ways: &[&str]) {
        assert!(
            self.failures.is_empty(),
            "{what}: {} of {} cases differ from what the server advertises:\n{}",
            self.failures.len(),
            self.cases,
            self.failures.join("\n")
        );
        for (op, (done, refused)) in &self.seen {
            assert!(*done > 0, "{what}: `{op}` was never expected to be done: the world does not test it");
            assert!(
                *refused > 0 || !both_ways.contains(op),
                "{what}: `{op}` was never expected to be refused: the world does not test it"
            );
        }
        for op in both_ways {
            assert!(self.seen.contains_key(*op), "{what}: `{op}` was never tried");
        }
    }
}

// ---------------------------------------------------------------------------
// The matrix of operations.
// ---------------------------------------------------------------------------

/// What others posted in a chat, for operations on someone else's post.
struct Theirs {
    message: i64,
    poll: i64,
}

async fn every_chat_operation_answers_as_the_chat_advertises(app: TestApp) {
    let app = app.with_settings(|s| s.messages_per_minute = 1_000_000);
    let w = build(&app).await;
    let started = std::time::Instant::now();
    let mut tally = Tally::default();
    let mut leaving = Vec::new();
    for chat in &w.chats {
        let mut seats = Vec::new();
        for &(who, _) in &chat.seats {
            seats.push((who, abilities(&app, &w, who, chat).await));
        }
        leaving.extend(seats.iter().map(|(who, a)| (chat, *who, may(a, "leave"))));
        operations_in(&app, &w, chat, &seats, &mut tally).await;
    }
    // Leaving last: nothing above depends on who left.
    for (chat, who, allowed) in leaving {
        let reply = app
            .delete(&format!("/api/v1/chats/{}/members/{}", chat.id, w.people[who].id))
            .token(w.token(who))
            .send()
            .await;
        tally.check(who, chat, "leave", "leave", allowed, FROM_DIRECTORY, &[], &reply);
    }
    eprintln!("chat-ability matrix on {:?}: {} cases in {:?}", app.backend, tally.cases, started.elapsed());
    tally.finish(
        "chat-ability matrix",
        &[
            "post",
            "post a poll",
            "upload a file",
            "edit one's own message",
            "post needing acknowledgement",
            "post urgently",
            "pin another's message",
            "delete another's message",
            "close another's poll",
            "who read another's post",
            "who confirmed another's post",
            "remind about another's post",
            "versions of another's message",
            "mute a member",
            "set read-only as it is",
            "rename to the same title",
            "list invite links",
            "add a member",
            "appoint an author",
            "resolve a report",
            "start a call",
            "see who was in another's call",
            "end another's call",
            "leave",
        ],
    );
}

/// Every operation, for every seat of one chat.
async fn operations_in(app: &TestApp, w: &World, chat: &ChatSpec, seats: &[(usize, Value)], tally: &mut Tally) {
    let c = chat.id;
    let view = app.get(&format!("/api/v1/chats/{c}")).token(w.token(seats[0].0)).send().await.expect(200);
    let title = view.json["title"].as_str().expect("title").to_owned();
    let read_only = view.json["read_only"].as_bool().expect("read_only");

    // Two who post, each with a message and a poll; must-acknowledge posts by up to two who may ask.
    let posters: Vec<usize> = seats.iter().filter(|(_, a)| may(a, "post")).map(|(w, _)| *w).collect();
    assert!(posters.len() >= 2, "{}: two people must post here for the matrix", chat.label);
    let mut theirs = BTreeMap::new();
    for &p in posters.iter().take(2) {
        let message = posted(app, w.token(p), c, json!({})).await;
        let poll = poll(app, w.token(p), c).await.expect(201).json["poll"]["id"].as_i64().expect("poll id");
        theirs.insert(p, Theirs { message, poll });
    }
    let mut ack_posts = Vec::new();
    for (p, _) in seats.iter().filter(|(_, a)| may(a, "post") && may(a, "request_ack")).take(2) {
        ack_posts.push((*p, posted(app, w.token(*p), c, json!({ "needs_ack": true })).await));
    }

    let people_made = chat.made_by_people();
    // Managing members: the directory's chats refuse it to everyone before asking who.
    let manage_refusal = if people_made { Answer::Forbidden } else { FROM_DIRECTORY };
    for (t, a) in seats {
        let t = *t;
        let token = w.token(t);
        let other = *posters.iter().find(|&&p| p != t).expect("another who posts");
        let their = &theirs[&other];
        // Someone else's must-acknowledge post; where nobody else may ask, a plain one,
        // which answers `ack_not_requested` once the rights let the request through.
        let (ack_target, ack_harmless): (i64, &[&str]) = match ack_posts.iter().find(|(p, _)| *p != t) {
            Some((_, id)) => (*id, &[]),
            None => (their.message, &["ack_not_requested"]),
        };
        let others: Vec<(usize, &str)> = chat.seats.iter().copied().filter(|(w, _)| *w != t).collect();
        let mut check = |op: &'static str, ability: &'static str, refusal: Answer, harmless: &[&str], reply: &Reply| {
            tally.check(t, chat, op, ability, may(a, ability), refusal, harmless, reply)
        };
        let post = may(a, "post");

        // Posting, in every form.
        let reply = send(app, token, c, json!({})).await;
        check("post", "post", Answer::Forbidden, &[], &reply);
        let own = if reply.status.as_u16() == 201 {
            Some(reply.id())
        } else {
            w.before_read_only.iter().find(|(who, _)| *who == t && chat.label == "read-only group").map(|(_, id)| *id)
        };
        let reply = poll(app, token, c).await;
        check("post a poll", "post", Answer::Forbidden, &[], &reply);
        let (content_type, body) = multipart(&[], &[("file", "план.txt", "План урока".as_bytes())]);
        let reply = app.post(&format!("/api/v1/chats/{c}/files")).token(token).raw(&content_type, body).send().await;
        check("upload a file", "post", Answer::Forbidden, &[], &reply);
        if let Some(own) = own {
            let reply = app
                .patch(&format!("/api/v1/chats/{c}/messages/{own}"))
                .token(token)
                .json(json!({ "body": "Исправленный текст" }))
                .send()
                .await;
            check("edit one's own message", "post", Answer::Forbidden, &[], &reply);
        }
        let reply = send(app, token, c, json!({ "needs_ack": true })).await;
        tally.check(
            t,
            chat,
            "post needing acknowledgement",
            "post+request_ack",
            post && may(a, "request_ack"),
            Answer::Forbidden,
            &[],
            &reply,
        );
        let reply = send(app, token, c, json!({ "urgent": true })).await;
        tally.check(
            t,
            chat,
            "post urgently",
            "post+send_urgent",
            post && may(a, "send_urgent"),
            Answer::Forbidden,
            &[],
            &reply,
        );
        let mut check = |op: &'static str, ability: &'static str, refusal: Answer, harmless: &[&str], reply: &Reply| {
            tally.check(t, chat, op, ability, may(a, ability), refusal, harmless, reply)
        };

        // Responding to others' posts.
        let on = |id: i64, rest: &str| format!("/api/v1/chats/{c}/messages/{id}{rest}");
        let reply = app.put(&on(their.message, "/reactions/%F0%9F%91%8D")).token(token).send().await;
        check("react", "react", Answer::Forbidden, &[], &reply);
        let reply = app.post(&on(ack_target, "/ack")).token(token).send().await;
        check("acknowledge", "acknowledge", Answer::Forbidden, ack_harmless, &reply);
        let reply =
            app.post(&on(their.message, "/report")).token(token).json(json!({ "reason": "Проверка" })).send().await;
        check("report", "report", Answer::Forbidden, &[], &reply);

        // Moderating posts.
        let reply = app.put(&on(their.message, "/pin")).token(token).send().await;
        check("pin another's message", "pin", Answer::Forbidden, &[], &reply);
        let victim = posted(app, w.token(other), c, json!({})).await;
        let reply = app.delete(&on(victim, "")).token(token).send().await;
        check("delete another's message", "moderate_posts", Answer::Forbidden, &[], &reply);
        let reply = app.post(&format!("/api/v1/chats/{c}/polls/{}/close", their.poll)).token(token).send().await;
        check("close another's poll", "moderate_posts", Answer::Forbidden, &["poll_closed"], &reply);
        let reply = app.get(&on(their.message, "/reads")).token(token).send().await;
        check("who read another's post", "follow_reads", Answer::Forbidden, &[], &reply);
        let reply = app.get(&on(ack_target, "/acks")).token(token).send().await;
        check("who confirmed another's post", "follow_reads", Answer::Forbidden, ack_harmless, &reply);
        let reply = app.post(&on(ack_target, "/remind")).token(token).send().await;
        check("remind about another's post", "follow_reads", Answer::Forbidden, ack_harmless, &reply);
        let reply = app.get(&on(their.message, "/versions")).token(token).send().await;
        check("versions of another's message", "see_versions", Answer::Forbidden, &[], &reply);

        // Moderating members and the chat.
        let (mutee, mutee_role) = others.iter().copied().find(|(_, r)| *r != "moderator").unwrap_or(others[0]);
        let harmless: &[&str] = if mutee_role == "moderator" { &["cannot_mute_moderator"] } else { &[] };
        let reply = app
            .put(&format!("/api/v1/chats/{c}/members/{}/mute", w.people[mutee].id))
            .token(token)
            .json(json!({ "minutes": 0 }))
            .send()
            .await;
        check("mute a member", "mute", Answer::Forbidden, harmless, &reply);
        let reply = app
            .put(&format!("/api/v1/chats/{c}/read-only"))
            .token(token)
            .json(json!({ "read_only": read_only }))
            .send()
            .await;
        check("set read-only as it is", "set_read_only", Answer::Forbidden, &[], &reply);
        let reply = app.patch(&format!("/api/v1/chats/{c}")).token(token).json(json!({ "title": title })).send().await;
        check("rename to the same title", "manage_members", manage_refusal.clone(), &[], &reply);
        let reply = app.get(&format!("/api/v1/chats/{c}/invites")).token(token).send().await;
        check("list invite links", "manage_members", manage_refusal.clone(), &[], &reply);
        let reply = app
            .post(&format!("/api/v1/chats/{c}/members"))
            .token(token)
            .json(json!({ "user_ids": [w.people[others[0].0].id] }))
            .send()
            .await;
        check("add a member", "manage_members", manage_refusal.clone(), &[], &reply);

        // Appointing an author, and taking it back.
        let (appointee, _) = others.iter().copied().find(|(_, r)| *r == "member").unwrap_or(others[0]);
        let appointee = w.people[appointee].id;
        let author_refusal = if chat.channel() {
            Answer::Forbidden
        } else if !people_made {
            ROLES_FIXED
        } else if may(a, "manage_members") {
            NO_SUCH_ROLE
        } else {
            Answer::Forbidden
        };
        let reply = set_role(app, token, c, appointee, "author").await;
        check("appoint an author", "appoint_authors", author_refusal, &[], &reply);
        if may(a, "appoint_authors") && reply.status.as_u16() == 204 {
            set_role(app, token, c, appointee, "member").await.expect(204);
        }

        // Calls: starting one is a way of posting; leading someone else's is the chat's hosts'.
        let mut call = app.post(&format!("/api/v1/chats/{c}/calls")).token(w.token(other)).send().await;
        if call.json["host_id"] == w.people[t].id {
            // Still running from an earlier round, and led by this seat: theirs to end.
            app.post(&format!("/api/v1/calls/{}/end", call.id())).token(token).send().await.expect(204);
            call = app.post(&format!("/api/v1/chats/{c}/calls")).token(w.token(other)).send().await;
        }
        assert!(call.status.is_success(), "{} starts a call in {}: {}", NAMES[other], chat.label, call.json);
        let call = call.id();
        let reply = app.post(&format!("/api/v1/chats/{c}/calls")).token(token).send().await;
        check("start a call", "start_call", Answer::Forbidden, &[], &reply);
        let reply = app.get(&format!("/api/v1/chats/{c}/call")).token(token).send().await;
        check("see the chat's call", "join_call", Answer::Forbidden, &[], &reply);
        let reply = app.get(&format!("/api/v1/calls/{call}/stays")).token(token).send().await;
        check("see who was in another's call", "host_calls", Answer::Forbidden, &[], &reply);
        let reply = app.post(&format!("/api/v1/calls/{call}/end")).token(token).send().await;
        check("end another's call", "host_calls", Answer::Forbidden, &["call_ended"], &reply);

        // A fresh report of someone else's message, made by a third person where there is one.
        let reported = posted(app, w.token(other), c, json!({})).await;
        let reporter = others.iter().map(|(w, _)| *w).find(|&r| r != other).unwrap_or(other);
        let report = app
            .post(&on(reported, "/report"))
            .token(w.token(reporter))
            .json(json!({ "reason": "Грубость" }))
            .send()
            .await
            .expect(201)
            .id();
        let reply = app
            .post(&format!("/api/v1/orgs/{}/reports/{report}/resolve", w.org))
            .token(token)
            .json(json!({ "delete_message": false, "note": "Проверено" }))
            .send()
            .await;
        check("resolve a report", "handle_reports", Answer::Forbidden, &[], &reply);
    }
}

// ---------------------------------------------------------------------------
// Actions on members.
// ---------------------------------------------------------------------------

/// One attempt of an action on a member.
async fn attempt(app: &TestApp, token: &str, chat: i64, user: i64, action: &str) -> Reply {
    match action {
        "mute" => {
            app.put(&format!("/api/v1/chats/{chat}/members/{user}/mute"))
                .token(token)
                .json(json!({ "minutes": 0 }))
                .send()
                .await
        }
        "remove" => app.delete(&format!("/api/v1/chats/{chat}/members/{user}")).token(token).send().await,
        "make_moderator" => set_role(app, token, chat, user, "moderator").await,
        "make_author" => set_role(app, token, chat, user, "author").await,
        "revoke_moderator" | "revoke_author" => set_role(app, token, chat, user, "member").await,
        other => panic!("no action {other}"),
    }
}

/// Puts back what a done action changed; `role` is the member's role before it.
async fn undo(app: &TestApp, token: &str, chat: i64, user: i64, action: &str, role: &str) {
    match action {
        "mute" => {}
        "remove" => {
            app.post(&format!("/api/v1/chats/{chat}/members"))
                .token(token)
                .json(json!({ "user_ids": [user] }))
                .send()
                .await
                .expect(204);
            if role != "member" {
                set_role(app, token, chat, user, role).await.expect(204);
            }
        }
        "make_moderator" | "make_author" => {
            set_role(app, token, chat, user, "member").await.expect(204);
        }
        "revoke_moderator" | "revoke_author" => {
            set_role(app, token, chat, user, role).await.expect(204);
        }
        other => panic!("no action {other}"),
    }
}

/// How the server refuses `action` on a member whose `actions` say no, or `None` where
/// the no only means there is nothing to do (making a moderator of a moderator).
fn refusal(chat: &ChatSpec, reader: &Value, action: &str, target_is_owner: bool) -> Option<Answer> {
    let manage = may(reader, "manage_members");
    let authors = may(reader, "appoint_authors");
    match action {
        "mute" => Some(if may(reader, "mute") { Answer::Conflict("cannot_mute_moderator") } else { Answer::Forbidden }),
        "remove" if !chat.made_by_people() => Some(FROM_DIRECTORY),
        "remove" if !manage => Some(Answer::Forbidden),
        "remove" if target_is_owner => Some(Answer::Conflict("cannot_remove_owner")),
        "remove" => Some(FROM_DIRECTORY),
        _ if chat.channel() && !authors => Some(Answer::Forbidden),
        "make_moderator" if chat.channel() => Some(NO_SUCH_ROLE),
        _ if chat.channel() => None,
        _ if !chat.made_by_people() => Some(ROLES_FIXED),
        _ if !manage => Some(Answer::Forbidden),
        "make_author" => Some(NO_SUCH_ROLE),
        _ if target_is_owner => Some(Answer::Conflict("cannot_change_owner")),
        _ => None,
    }
}

async fn member_actions_answer_as_the_server_enforces(app: TestApp) {
    let w = build(&app).await;
    let started = std::time::Instant::now();
    let mut tally = Tally::default();
    for chat in &w.chats {
        for &(reader, _) in &chat.seats {
            let token = w.token(reader);
            let abilities = abilities(&app, &w, reader, chat).await;
            let members = app.get(&format!("/api/v1/chats/{}/members", chat.id)).token(token).send().await.expect(200);
            for member in members.list() {
                let user = member["person"]["id"].as_i64().expect("id");
                let target = w.who(user);
                let role = member["role"].as_str().expect("role");
                let actions = &member["actions"];
                if target == reader {
                    for action in ACTIONS {
                        assert_eq!(
                            actions[action], false,
                            "{} in {}: `{action}` on oneself",
                            NAMES[reader], chat.label
                        );
                    }
                    continue;
                }
                let is_owner = chat.owner == Some(target);
                for action in ACTIONS {
                    let offered = actions[action]
                        .as_bool()
                        .unwrap_or_else(|| panic!("{}: no `{action}` in {member}", chat.label));
                    let refused = refusal(chat, &abilities, action, is_owner);
                    if !offered && refused.is_none() {
                        continue;
                    }
                    let reply = attempt(&app, token, chat.id, user, action).await;
                    let op: &'static str = action;
                    tally.cases += 1;
                    let expected = if offered { Answer::Done } else { refused.clone().expect("a refusal") };
                    let entry = tally.seen.entry(op).or_default();
                    if offered {
                        entry.0 += 1;
                    } else {
                        entry.1 += 1;
                    }
                    // A refused action that was done changed the world the rest relies on: stop at once.
                    assert!(
                        answered(&reply, &expected, &[]),
                        "{} ({}) in {} [{}] × {action} on the {} ({role}): offered {offered}, expected {expected:?}, got {} {}",
                        NAMES[reader],
                        chat.role_of(reader),
                        chat.label,
                        chat.kind,
                        NAMES[target],
                        reply.status,
                        reply.json
                    );
                    if offered {
                        undo(&app, token, chat.id, user, action, role).await;
                    }
                }
            }
        }
    }
    // Everything was put back: every chat has its members in their roles.
    for chat in &w.chats {
        let members = app
            .get(&format!("/api/v1/chats/{}/members", chat.id))
            .token(w.token(chat.seats[0].0))
            .send()
            .await
            .expect(200);
        let mut got: Vec<(usize, String)> = members
            .list()
            .iter()
            .map(|m| (w.who(m["person"]["id"].as_i64().expect("id")), m["role"].as_str().expect("role").to_owned()))
            .collect();
        got.sort();
        let mut want: Vec<(usize, String)> = chat.seats.iter().map(|(w, r)| (*w, (*r).to_owned())).collect();
        want.sort();
        assert_eq!(got, want, "{}: members and roles after the actions were undone", chat.label);
    }
    eprintln!("member actions on {:?}: {} cases in {:?}", app.backend, tally.cases, started.elapsed());
    tally.finish("member actions", &ACTIONS);
}

// ---------------------------------------------------------------------------
// A few seats written out by hand, whatever the server and the domain table say.
// ---------------------------------------------------------------------------

async fn chosen_seats_have_the_abilities_written_here(app: TestApp) {
    let w = build(&app).await;
    const MODERATOR: &[&str] = &[
        "post",
        "react",
        "acknowledge",
        "report",
        "request_ack",
        "pin",
        "moderate_posts",
        "follow_reads",
        "see_versions",
        "start_call",
        "join_call",
        "host_calls",
    ];
    let with = |base: &[&'static str], more: &[&'static str]| -> Vec<&'static str> {
        base.iter().chain(more).copied().collect()
    };
    let expected: Vec<(usize, &str, Vec<&'static str>)> = vec![
        (STUDENT, "class chat", vec!["post", "react", "acknowledge", "report", "start_call", "join_call"]),
        (PARENT, "school channel", vec!["react", "acknowledge", "report", "join_call"]),
        // A channel's authors present its broadcasts too.
        (
            SUBJECT_TEACHER,
            "school channel",
            vec!["post", "react", "acknowledge", "report", "request_ack", "start_call", "join_call", "host_calls"],
        ),
        (
            EMPLOYEE,
            "staff channel",
            vec!["post", "react", "acknowledge", "report", "request_ack", "start_call", "join_call", "host_calls"],
        ),
        // The class teacher informs their class and its parents urgently, through quiet hours.
        (CLASS_TEACHER, "class chat", with(MODERATOR, &["mute", "set_read_only", "handle_reports", "send_urgent"])),
        (CLASS_TEACHER, "parents chat", with(MODERATOR, &["mute", "set_read_only", "handle_reports", "send_urgent"])),
        (ADMIN, "staff room", with(MODERATOR, &["mute", "set_read_only", "handle_reports", "send_urgent"])),
        (ADMIN, "staff channel", with(MODERATOR, &["mute", "handle_reports", "send_urgent", "appoint_authors"])),
        (ADMIN, "school channel", with(MODERATOR, &["mute", "handle_reports", "send_urgent", "appoint_authors"])),
        (STUDENT, "read-only group", vec!["react", "acknowledge", "report", "join_call", "leave"]),
        (ADMIN, "read-only group", vec!["react", "acknowledge", "report", "handle_reports", "join_call", "leave"]),
        (
            SUBJECT_TEACHER,
            "read-only group",
            with(MODERATOR, &["mute", "set_read_only", "manage_members", "handle_reports", "leave"]),
        ),
        (
            SUBJECT_TEACHER,
            "group",
            with(MODERATOR, &["mute", "set_read_only", "manage_members", "handle_reports", "leave"]),
        ),
        (
            CLASS_TEACHER,
            "group",
            with(MODERATOR, &["mute", "set_read_only", "manage_members", "handle_reports", "leave"]),
        ),
        (PARENT, "group", vec!["post", "react", "acknowledge", "report", "start_call", "join_call", "leave"]),
        (STUDENT, "subject chat", vec!["post", "react", "acknowledge", "report", "start_call", "join_call"]),
        (PARENT, "subject chat", vec!["post", "react", "acknowledge", "report", "start_call", "join_call", "leave"]),
        (STUDENT, "direct student–teacher", vec!["post", "react", "acknowledge", "report", "start_call", "join_call"]),
        (
            ADMIN,
            "direct admin–employee",
            vec!["post", "react", "acknowledge", "report", "handle_reports", "send_urgent", "start_call", "join_call"],
        ),
    ];
    let mut failures = Vec::new();
    for (who, label, granted) in &expected {
        let chat = w.chat(label);
        let got = abilities(&app, &w, *who, chat).await;
        for name in ABILITIES {
            let want = granted.contains(&name);
            if may(&got, name) != want {
                failures.push(format!(
                    "{} ({}) in {label}: `{name}` should be {want}",
                    NAMES[*who],
                    chat.role_of(*who)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "abilities differ from the written table:\n{}", failures.join("\n"));

    // What a reader may do to one member, written out the same way: the actions named are offered, no others.
    let offered: &[(usize, &str, usize, &[&str])] = &[
        (SUBJECT_TEACHER, "subject chat", STUDENT, &["mute", "make_moderator"]),
        (SUBJECT_TEACHER, "subject chat", PARENT, &["mute", "remove", "make_moderator"]),
        (SUBJECT_TEACHER, "group", CLASS_TEACHER, &["remove", "revoke_moderator"]),
        (CLASS_TEACHER, "group", SUBJECT_TEACHER, &[]),
        (CLASS_TEACHER, "group", STUDENT, &["mute", "remove", "make_moderator"]),
        (ADMIN, "group", STUDENT, &[]),
        (STUDENT, "group", PARENT, &[]),
        (ADMIN, "school channel", SUBJECT_TEACHER, &["mute", "revoke_author"]),
        (ADMIN, "school channel", STUDENT, &["mute", "make_author"]),
        (CLASS_TEACHER, "school channel", STUDENT, &[]),
        (CLASS_TEACHER, "class chat", STUDENT, &["mute"]),
        (STUDENT, "class chat", CLASS_TEACHER, &[]),
        (ADMIN, "staff room", EMPLOYEE, &["mute"]),
        (ADMIN, "direct admin–employee", EMPLOYEE, &[]),
    ];
    for (reader, label, target, granted) in offered {
        let chat = w.chat(label);
        let members =
            app.get(&format!("/api/v1/chats/{}/members", chat.id)).token(w.token(*reader)).send().await.expect(200);
        let member = members
            .list()
            .iter()
            .find(|m| m["person"]["id"] == w.people[*target].id)
            .unwrap_or_else(|| panic!("{label}: no {}", NAMES[*target]))
            .clone();
        for action in ACTIONS {
            let want = granted.contains(&action);
            if member["actions"][action] != want {
                failures.push(format!(
                    "{} ({}) in {label} on the {} ({}): `{action}` should be {want}",
                    NAMES[*reader],
                    chat.role_of(*reader),
                    NAMES[*target],
                    chat.role_of(*target)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "member actions differ from the written table:\n{}", failures.join("\n"));

    // The chat list tells everyone the same abilities as each chat on its own.
    for (who, person) in w.people.iter().enumerate() {
        let list = app.get(&format!("/api/v1/chats?org_id={}", w.org)).token(&person.token).send().await.expect(200);
        for listed in list.list() {
            let id = listed["id"].as_i64().expect("id");
            let one = app.get(&format!("/api/v1/chats/{id}")).token(&person.token).send().await.expect(200);
            assert_eq!(
                listed["abilities"], one.json["abilities"],
                "{} in chat {id}: the list and the chat",
                NAMES[who]
            );
        }
    }

    // The school admin handles the reports of chats they do not sit in; nobody else
    // outside a chat does, and its members only where they handle reports.
    let class_chat = w.chat("class chat").id;
    let message = posted(&app, w.token(STUDENT), class_chat, json!({})).await;
    let report = |reason: &'static str, by: usize| {
        app.post(&format!("/api/v1/chats/{class_chat}/messages/{message}/report"))
            .token(w.token(by))
            .json(json!({ "reason": reason }))
            .send()
    };
    let first = report("Проверка", STUDENT).await.expect(201).id();
    let second = report("Ещё раз", CLASS_TEACHER).await.expect(201).id();
    let resolve = |id: i64, by: usize| {
        app.post(&format!("/api/v1/orgs/{}/reports/{id}/resolve", w.org))
            .token(w.token(by))
            .json(json!({ "delete_message": false }))
            .send()
    };
    for outsider in [EMPLOYEE, PARENT, SUBJECT_TEACHER] {
        resolve(first, outsider).await.problem(403, "forbidden");
    }
    resolve(first, STUDENT).await.problem(403, "forbidden");
    resolve(first, ADMIN).await.expect(200);
    resolve(second, CLASS_TEACHER).await.expect(200);
    let queue = |by: usize| app.get(&format!("/api/v1/orgs/{}/reports", w.org)).token(w.token(by)).send();
    queue(STUDENT).await.problem(403, "forbidden");
    queue(PARENT).await.problem(403, "forbidden");
    assert_eq!(queue(CLASS_TEACHER).await.expect(200).list().len(), 2);
    assert_eq!(queue(ADMIN).await.expect(200).list().len(), 2);
}
