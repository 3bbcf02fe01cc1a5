//! Builds a school the way people do, through the HTTP API: an application approved
//! by the operator, its admin registered by the approval's link, classes, one staff
//! room link for the class teachers, one link per class for its students, one link
//! per parent. Registration answers with a session, so nobody logs in (and the
//! login throttle is never involved). Requests run concurrently.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use bytes::Bytes;
use futures_util::StreamExt;
use parta_domain::InviteRole;
use parta_protocol::{
    ApplicationApproved, ApplicationReceived, Chat, ChatMember, Class, CreateClassRequest, CreateInviteRequest,
    CreatedInvite, LoginRequest, RegisterRequest, Registered, SessionCreated, SetPasswordRequest,
};
use serde::{Deserialize, Serialize};

use crate::http::{Conn, Pool};

pub const PASSWORD: &str = "bench password 2026";
const IN_FLIGHT: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shape {
    pub classes: usize,
    pub students: usize,
    /// Parents per class, one per student from the first.
    pub parents: usize,
    /// Teachers beyond the class teachers (one per class), who lead no class.
    #[serde(default)]
    pub extra_teachers: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Person {
    pub id: i64,
    pub token: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClassSeats {
    pub class_id: i64,
    pub class_chat: i64,
    pub parents_chat: i64,
    pub teacher: Person,
    pub students: Vec<Person>,
    pub parents: Vec<Person>,
}

/// What was provisioned: enough to know every chat's members without asking.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Directory {
    pub shape: Shape,
    pub org: i64,
    pub channel: i64,
    pub admin: Person,
    pub classes: Vec<ClassSeats>,
    /// The teachers beyond the class teachers (`Shape::extra_teachers`).
    #[serde(default)]
    pub extra_teachers: Vec<Person>,
    /// Seconds per stage, and in all.
    pub timings: Vec<(String, f64)>,
    pub requests: u64,
}

/// Someone the bench connects, with the chats they sit in (of those it posts to).
#[derive(Debug, Clone)]
pub struct Seat {
    pub user: i64,
    pub token: String,
    pub chats: Vec<i64>,
}

impl Directory {
    pub fn users(&self) -> usize {
        1 + self.extra_teachers.len()
            + self.classes.iter().map(|c| 1 + c.students.len() + c.parents.len()).sum::<usize>()
    }

    /// Everyone, class by class (teacher, students, parents), the other teachers, the admin last.
    pub fn seats(&self) -> Vec<Seat> {
        let mut seats = Vec::with_capacity(self.users());
        for class in &self.classes {
            let seat = |p: &Person, chats: Vec<i64>| Seat { user: p.id, token: p.token.clone(), chats };
            seats.push(seat(&class.teacher, vec![class.class_chat, class.parents_chat, self.channel]));
            for student in &class.students {
                seats.push(seat(student, vec![class.class_chat, self.channel]));
            }
            for parent in &class.parents {
                seats.push(seat(parent, vec![class.parents_chat, self.channel]));
            }
        }
        for teacher in &self.extra_teachers {
            seats.push(Seat { user: teacher.id, token: teacher.token.clone(), chats: vec![self.channel] });
        }
        seats.push(Seat { user: self.admin.id, token: self.admin.token.clone(), chats: vec![self.channel] });
        seats
    }

    pub fn load(path: &Path) -> anyhow::Result<Directory> {
        Ok(serde_json::from_slice(&std::fs::read(path)?)?)
    }

    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        std::fs::write(path, serde_json::to_vec(self)?)?;
        Ok(())
    }
}

/// How the operator gets in.
pub enum Operator {
    /// The one-time code `parta admin create-operator` printed, with the e-mail it was made for.
    Code {
        email: String,
        code: String,
    },
    Login {
        login: String,
        password: String,
    },
}

/// Runs `job` over `items` with at most `IN_FLIGHT` at once, each on a pooled connection; keeps order.
pub(crate) async fn all<T, R, F, Fut>(pool: &Pool, items: Vec<T>, job: F) -> anyhow::Result<Vec<R>>
where
    F: Fn(Conn, T) -> Fut,
    Fut: Future<Output = (Conn, anyhow::Result<R>)>,
{
    let results: Vec<anyhow::Result<R>> = futures_util::stream::iter(items)
        .map(|item| {
            let conn = pool.take();
            let future = job(conn, item);
            async move {
                let (conn, result) = future.await;
                pool.give(conn);
                result
            }
        })
        .buffered(IN_FLIGHT)
        .collect()
        .await;
    results.into_iter().collect()
}

fn multipart(fields: &[(&str, String)], file: (&str, &str, &[u8])) -> (String, Vec<u8>) {
    let boundary = "parta-bench-boundary-5e2a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    let (name, file_name, bytes) = file;
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn register(conn: &mut Conn, invite_token: &str, family: &str, email: &str) -> anyhow::Result<Person> {
    let request = RegisterRequest {
        invite_token: invite_token.to_owned(),
        family_name: family.to_owned(),
        given_name: "Тест".to_owned(),
        patronymic: None,
        email: Some(email.to_owned()),
        phone: None,
        password: PASSWORD.to_owned(),
        consent_version: Some(parta_domain::consent::VERSION.to_owned()),
    };
    let registered: Registered = conn.post("/api/v1/auth/register", None, &request).await?.json(201)?;
    anyhow::ensure!(registered.join.status == "joined", "{email} did not join at once: {}", registered.join.status);
    Ok(Person { id: registered.session.user.id.0, token: registered.session.token })
}

async fn invite(conn: &mut Conn, admin: &str, org: i64, request: &CreateInviteRequest) -> anyhow::Result<String> {
    let created: CreatedInvite =
        conn.post(&format!("/api/v1/orgs/{org}/invites"), Some(admin), request).await?.json(201)?;
    Ok(created.token)
}

fn invite_request(class: i64, role: InviteRole, child: Option<i64>, uses: usize) -> CreateInviteRequest {
    CreateInviteRequest {
        class_id: parta_domain::ClassId(class),
        role,
        child_user_id: child.map(parta_domain::UserId),
        expires_in_hours: Some(48),
        max_uses: Some(uses as i64),
        requires_approval: Some(false),
    }
}

struct Clock {
    started: Instant,
    stage: Instant,
    timings: Vec<(String, f64)>,
}

impl Clock {
    fn lap(&mut self, name: &str, count: usize) {
        let secs = self.stage.elapsed().as_secs_f64();
        eprintln!("  provisioning: {name}: {count} in {secs:.1} s");
        self.timings.push((name.to_owned(), secs));
        self.stage = Instant::now();
    }
}

/// Provisions one school of `shape` on the server at `address`.
pub async fn provision(address: SocketAddr, operator: Operator, shape: Shape) -> anyhow::Result<Directory> {
    anyhow::ensure!(shape.parents <= shape.students, "at most one parent per student");
    let pool = Pool::new(address);
    let mut conn = pool.take();
    let now = Instant::now();
    let mut clock = Clock { started: now, stage: now, timings: Vec::new() };
    let mut requests: u64 = 0;

    let operator_token = match operator {
        Operator::Code { email, code } => {
            let reply = conn
                .post("/api/v1/auth/set-password", None, &SetPasswordRequest { token: code, password: PASSWORD.into() })
                .await?;
            anyhow::ensure!(reply.status.as_u16() == 204, "set-password answered {}", reply.status);
            let session: SessionCreated = conn
                .post("/api/v1/auth/login", None, &LoginRequest { login: email, password: PASSWORD.into() })
                .await?
                .json(200)?;
            requests += 2;
            session.token
        }
        Operator::Login { login, password } => {
            let session: SessionCreated =
                conn.post("/api/v1/auth/login", None, &LoginRequest { login, password }).await?.json(200)?;
            requests += 1;
            session.token
        }
    };

    // The school: applied, approved, its admin registered by the approval's link.
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let admin_email = format!("admin-{stamp}@bench.parta.test");
    let fields: Vec<(&str, String)> = vec![
        ("school_name", "МБОУ «Школа нагрузочного теста»".into()),
        ("short_name", "Школа теста".into()),
        ("address", "г. Москва, ул. Учебная, д. 2".into()),
        ("inn", "6601234565".into()),
        ("ogrn", "1026600123450".into()),
        ("region", "Москва".into()),
        ("time_zone", "Europe/Moscow".into()),
        ("admin_family_name", "Директорова".into()),
        ("admin_given_name", "Анна".into()),
        ("admin_email", admin_email.clone()),
        ("admin_phone", "+7 912 555 00 11".into()),
    ];
    let pdf: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
    let (content_type, body) = multipart(&fields, ("order", "prikaz.pdf", pdf));
    let received: ApplicationReceived = conn
        .request(hyper::Method::POST, "/api/v1/applications", None, Some(&content_type), Bytes::from(body))
        .await?
        .json(201)?;
    let approved: ApplicationApproved = conn
        .post(&format!("/api/v1/applications/{}/approve", received.id.0), Some(&operator_token), &serde_json::json!({}))
        .await?
        .json(200)?;
    let org = approved.org_id.0;
    let admin = register(&mut conn, &approved.admin_invite.token, "Директорова", &admin_email).await?;
    let classes: Vec<Class> = conn.get(&format!("/api/v1/orgs/{org}/classes"), Some(&admin.token)).await?.json(200)?;
    let staff_room = classes.iter().find(|c| c.kind == "staff_room").context("the school has a staff room")?.id.0;
    requests += 4;
    clock.lap("school", 1);

    // Classes.
    let admin_token = admin.token.clone();
    let class_ids: Vec<i64> = all(&pool, (0..shape.classes).collect(), |mut conn, n| {
        let admin = admin_token.clone();
        async move {
            let request = CreateClassRequest {
                name: format!("{}-{}", n % 11 + 1, n / 11 + 1),
                grade: Some((n % 11 + 1) as i64),
                academic_year: 2026,
                unit_id: None,
            };
            let result = async {
                let class: Class =
                    conn.post(&format!("/api/v1/orgs/{org}/classes"), Some(&admin), &request).await?.json(201)?;
                Ok(class.id.0)
            }
            .await;
            (conn, result)
        }
    })
    .await?;
    requests += shape.classes as u64;
    clock.lap("classes", shape.classes);

    // Class teachers: one staff room link, then one appointment per class.
    let teacher_link = invite(
        &mut conn,
        &admin.token,
        org,
        &invite_request(staff_room, InviteRole::Teacher, None, (shape.classes + shape.extra_teachers).max(1)),
    )
    .await?;
    let mut teachers: Vec<Person> = all(&pool, (0..shape.classes + shape.extra_teachers).collect(), |mut conn, n| {
        let link = teacher_link.clone();
        async move {
            let result = register(&mut conn, &link, "Учителева", &format!("teacher{n}-{stamp}@bench.parta.test")).await;
            (conn, result)
        }
    })
    .await?;
    let extra_teachers = teachers.split_off(shape.classes);
    let pairs: Vec<(i64, i64)> = class_ids.iter().copied().zip(teachers.iter().map(|t| t.id)).collect();
    all(&pool, pairs, |mut conn, (class, teacher)| {
        let admin = admin_token.clone();
        async move {
            let result = async {
                let reply = conn
                    .post(
                        &format!("/api/v1/orgs/{org}/classes/{class}/class-teachers"),
                        Some(&admin),
                        &serde_json::json!({ "user_id": teacher }),
                    )
                    .await?;
                anyhow::ensure!(reply.status.is_success(), "appointing a class teacher answered {}", reply.status);
                Ok(())
            }
            .await;
            (conn, result)
        }
    })
    .await?;
    requests += 1 + 2 * shape.classes as u64 + shape.extra_teachers as u64;
    clock.lap("class teachers", shape.classes);

    // Students: one link per class.
    let links: Vec<String> = all(&pool, class_ids.clone(), |mut conn, class| {
        let admin = admin_token.clone();
        async move {
            let result = invite(
                &mut conn,
                &admin,
                org,
                &invite_request(class, InviteRole::Student, None, shape.students.max(1)),
            )
            .await;
            (conn, result)
        }
    })
    .await?;
    let jobs: Vec<(usize, usize, String)> =
        links.iter().enumerate().flat_map(|(c, link)| (0..shape.students).map(move |s| (c, s, link.clone()))).collect();
    let students: Vec<Person> = all(&pool, jobs, |mut conn, (c, s, link)| async move {
        let result = register(&mut conn, &link, "Ученикова", &format!("student{c}-{s}-{stamp}@bench.parta.test")).await;
        (conn, result)
    })
    .await?;
    requests += (shape.classes + shape.classes * shape.students) as u64;
    clock.lap("students", students.len());

    // Parents: a link for each, naming the child.
    let jobs: Vec<(usize, usize, i64, i64)> = (0..shape.classes)
        .flat_map(|c| (0..shape.parents).map(move |p| (c, p)))
        .map(|(c, p)| (c, p, class_ids[c], students[c * shape.students + p].id))
        .collect();
    let parents: Vec<Person> = all(&pool, jobs, |mut conn, (c, p, class, child)| {
        let admin = admin_token.clone();
        async move {
            let result = async {
                let link =
                    invite(&mut conn, &admin, org, &invite_request(class, InviteRole::Parent, Some(child), 1)).await?;
                register(&mut conn, &link, "Родителева", &format!("parent{c}-{p}-{stamp}@bench.parta.test")).await
            }
            .await;
            (conn, result)
        }
    })
    .await?;
    requests += 2 * parents.len() as u64;
    clock.lap("parents", parents.len());

    // The chats each class got, as its teacher sees them; the school channel as the admin does.
    let teacher_tokens: Vec<(i64, String)> =
        class_ids.iter().copied().zip(teachers.iter().map(|t| t.token.clone())).collect();
    let chats: Vec<(i64, i64)> = all(&pool, teacher_tokens, |mut conn, (class, token)| async move {
        let result = async {
            let chats: Vec<Chat> = conn.get(&format!("/api/v1/chats?org_id={org}"), Some(&token)).await?.json(200)?;
            let find = |kind: &str| {
                chats
                    .iter()
                    .find(|c| c.kind.as_str() == kind && c.class_id.map(|id| id.0) == Some(class))
                    .map(|c| c.id.0)
                    .with_context(|| format!("no {kind} chat of class {class}"))
            };
            Ok((find("class")?, find("parents")?))
        }
        .await;
        (conn, result)
    })
    .await?;
    let admin_chats: Vec<Chat> =
        conn.get(&format!("/api/v1/chats?org_id={org}"), Some(&admin.token)).await?.json(200)?;
    let channel = admin_chats
        .iter()
        .find(|c| c.kind.as_str() == "school_channel")
        .context("the admin sits in the school channel")?
        .id
        .0;
    requests += 1 + shape.classes as u64;

    let mut students = students.into_iter();
    let mut parents = parents.into_iter();
    let classes: Vec<ClassSeats> = class_ids
        .iter()
        .zip(teachers)
        .zip(chats)
        .map(|((&class_id, teacher), (class_chat, parents_chat))| ClassSeats {
            class_id,
            class_chat,
            parents_chat,
            teacher,
            students: students.by_ref().take(shape.students).collect(),
            parents: parents.by_ref().take(shape.parents).collect(),
        })
        .collect();
    let mut directory =
        Directory { shape, org, channel, admin, classes, extra_teachers, timings: Vec::new(), requests };

    // The bench's expectation of every chat's members, checked against the server's.
    let checks: Vec<(i64, String, usize)> = directory
        .classes
        .iter()
        .flat_map(|c| {
            [
                (c.class_chat, c.teacher.token.clone(), 1 + c.students.len()),
                (c.parents_chat, c.teacher.token.clone(), 1 + c.parents.len()),
            ]
        })
        .chain([(directory.channel, directory.admin.token.clone(), directory.users())])
        .collect();
    requests += checks.len() as u64;
    all(&pool, checks, |mut conn, (chat, token, expected)| async move {
        let result = async {
            let members: Vec<ChatMember> =
                conn.get(&format!("/api/v1/chats/{chat}/members"), Some(&token)).await?.json(200)?;
            anyhow::ensure!(
                members.len() == expected,
                "chat {chat}: the server has {} members, the bench expects {expected}",
                members.len()
            );
            Ok(())
        }
        .await;
        (conn, result)
    })
    .await?;
    clock.lap("chats found and member counts checked", 2 * shape.classes + 1);
    directory.requests = requests;
    clock.timings.push(("total".into(), clock.started.elapsed().as_secs_f64()));
    directory.timings = clock.timings;
    Ok(directory)
}
