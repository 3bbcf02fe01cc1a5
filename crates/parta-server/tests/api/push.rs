//! Web push through the API to a push service started here (`push_receiver.py`: an
//! HTTPS server that checks each request's VAPID token and decrypts the payload as a
//! browser does, with PyPI's http_ece, not Parta's code): who gets which push, with
//! which words; quiet chats, kinds turned off and the school's quiet hours; a service
//! that is down or says the subscription is gone; subscriptions refused and ended.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use crate::journal::{days_ahead, marked_lesson, week};
use crate::messaging::{chat_id, class_with_people, quiet_hours_now};
use crate::on_both_backends;
use crate::recovery::free_port;
use crate::support::TestApp;
use crate::timetable::setup;

on_both_backends!(
    pushes_reach_the_browser_encrypted_signed_and_only_whom_they_concern,
    a_push_service_down_delays_and_a_gone_subscription_is_dropped,
    families_hear_of_marks_after_quiet_hours,
    subscriptions_are_checked_and_end_with_their_session,
    a_backlog_is_taken_in_one_run_and_pushed_where_devices_are,
    an_announcement_reaches_every_device_in_one_run,
);

/// Whether the push service can run here; under CI=true it must.
pub fn receiver_ready() -> bool {
    let ready = std::process::Command::new("python3")
        .args(["-c", "import http_ece, cryptography"])
        .status()
        .is_ok_and(|s| s.success());
    let required = std::env::var("CI").is_ok_and(|v| v == "true");
    assert!(ready || !required, "http_ece is required here (the test command installs it)");
    if !ready {
        eprintln!("note: http_ece missing; the push checks did not run");
    }
    ready
}

/// An HTTPS service on 127.0.0.1 with its own certificate: a push service with a
/// browser behind it, and for GETs an API such as an SMS gateway's.
pub struct PushService {
    port: u16,
    dir: PathBuf,
    process: Option<tokio::process::Child>,
}

impl PushService {
    pub async fn start(dir: &Path) -> PushService {
        let mut service = PushService { port: free_port(), dir: dir.to_owned(), process: None };
        service.run().await;
        service
    }

    async fn run(&mut self) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api/push_receiver.py");
        let process = tokio::process::Command::new("python3")
            .arg(script)
            .arg(self.port.to_string())
            .arg(self.dir.join("cert.pem"))
            .arg(self.dir.join("key.pem"))
            .arg(self.dir.join("log.jsonl"))
            .arg(self.dir.join("browser.json"))
            .kill_on_drop(true)
            .spawn()
            .expect("the push service starts");
        self.process = Some(process);
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the push service did not listen on {}", self.port);
    }

    async fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.kill().await.expect("stopped");
        }
    }

    pub fn endpoint(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}/{path}", self.port)
    }

    /// What a browser gives its server to subscribe with.
    fn subscription(&self, path: &str) -> Value {
        let keys: Value =
            serde_json::from_slice(&std::fs::read(self.dir.join("browser.json")).expect("the browser's keys"))
                .expect("JSON");
        json!({ "endpoint": self.endpoint(path), "keys": { "p256dh": keys["p256dh"], "auth": keys["auth"] } })
    }

    /// Every request received so far, in order.
    pub fn received(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.join("log.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).expect("a JSON line"))
            .collect()
    }

    /// Pushes received at `path` that the push service took.
    fn at(&self, path: &str) -> Vec<Value> {
        self.received().into_iter().filter(|p| p["path"] == format!("/{path}") && p["status"] == 201).collect()
    }
}

/// A folder with a certificate for 127.0.0.1.
pub fn certificate(name: &str) -> PathBuf {
    // Each test its own (a test runs on both backends at once).
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("time").as_nanos();
    let dir = std::env::temp_dir().join(format!("parta-push-{name}-{}-{nanos}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a folder");
    let made = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2"])
        .args(["-subj", "/CN=127.0.0.1", "-addext", "basicConstraints=critical,CA:FALSE"])
        .args(["-addext", "extendedKeyUsage=serverAuth", "-addext", "subjectAltName=IP:127.0.0.1"])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .output()
        .expect("openssl runs");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    dir
}

/// A node whose pushes may go to the service started here.
fn with_push_service(app: TestApp, dir: &Path) -> TestApp {
    let pem = std::fs::read(dir.join("cert.pem")).expect("the certificate");
    app.with_settings(|s| {
        s.push.hosts.push("127.0.0.1".into());
        s.push.extra_ca_pem = Some(pem);
        s.push.contact = "mailto:it@school.test".into();
    })
}

/// A node whose pushes go to a push service started for this test (none when the
/// service cannot run here).
async fn with_receiver(app: TestApp, name: &str) -> Option<(TestApp, PushService)> {
    if !receiver_ready() {
        return None;
    }
    let dir = certificate(name);
    let service = PushService::start(&dir).await;
    Some((with_push_service(app, &dir), service))
}

/// What the senders on every node do every two seconds, done now (`later_ms` ahead).
async fn push_now(app: &TestApp, later_ms: i64) -> usize {
    let now = parta_server::clock::now_ms() + later_ms;
    parta_server::push::expand_waiting(&app.state, now).await.expect("expanded");
    parta_server::push::deliver_due(&app.state, now).await.expect("delivered")
}

async fn subscribe(app: &TestApp, token: &str, body: Value) -> Value {
    app.post("/api/v1/push/subscriptions").token(token).json(body).send().await.expect(201).json
}

async fn send(app: &TestApp, token: &str, chat: i64, key: &str, body: &str) -> i64 {
    let said = app
        .post(&format!("/api/v1/chats/{chat}/messages"))
        .token(token)
        .json(json!({ "client_msg_id": key, "body": body }))
        .send()
        .await
        .expect(201);
    said.json["id"].as_i64().expect("id")
}

async fn pushes_reach_the_browser_encrypted_signed_and_only_whom_they_concern(app: TestApp) {
    let Some((app, service)) = with_receiver(app, "flow").await else { return };
    let c = class_with_people(&app, 641).await;
    let org = c.school.org;
    let key = app.get("/api/v1/push/key").token(&c.parent.token).send().await.expect(200).json;
    let key = key["public_key"].as_str().expect("a key").to_owned();
    assert_eq!(key.len(), 87, "base64url of 65 bytes");

    let parents_device = subscribe(&app, &c.parent.token, service.subscription("parent")).await;
    assert_eq!(parents_device["current"], true);
    assert_eq!(parents_device["kinds_off"], json!([]));
    subscribe(&app, &c.teacher.token, service.subscription("teacher")).await;
    subscribe(&app, &c.student.token, service.subscription("student")).await;

    // A teacher writes in the parents' chat: the parent's browser gets it, decrypted as
    // a browser would, signed with the server's key for this push service; the teacher
    // who wrote it gets nothing.
    let parents_chat = chat_id(&app, &c.teacher.token, org, "parents", Some(c.a)).await;
    let said = send(&app, &c.teacher.token, parents_chat, "p-1", "Собрание в четверг в 18:00").await;
    assert_eq!(push_now(&app, 0).await, 1);
    let got = service.at("parent");
    assert_eq!(got.len(), 1, "{:?}", service.received());
    let push = &got[0];
    assert_eq!(push["error"], Value::Null, "{push}");
    assert_eq!(push["payload"]["title"], "5А — родители");
    let body = push["payload"]["body"].as_str().expect("body");
    assert!(body.contains("Классова") && body.ends_with(": Собрание в четверг в 18:00"), "{body}");
    assert_eq!(push["payload"]["url"], format!("/chats/{parents_chat}?m={said}"));
    assert_eq!(push["payload"]["tag"], format!("chat-{parents_chat}"));
    assert_eq!(push["vapid_verified"], true);
    assert_eq!(push["vapid_key"], key.as_str());
    assert_eq!(push["claims"]["aud"], format!("https://127.0.0.1:{}", service.port));
    assert_eq!(push["claims"]["sub"], "mailto:it@school.test");
    let expires = push["claims"]["exp"].as_f64().expect("exp");
    let at = push["at"].as_f64().expect("at");
    assert!(expires > at && expires <= at + 86_400.0, "{push}");
    assert_eq!((push["encoding"].as_str(), push["ttl"].as_str()), (Some("aes128gcm"), Some("86400")));
    assert_eq!(push["topic"], format!("chat{parents_chat}"));
    assert!(service.at("teacher").is_empty() && service.at("student").is_empty());

    // In the class chat, with students in it, a lock screen shows who wrote, not what —
    // until the school allows the words.
    let class_chat = chat_id(&app, &c.teacher.token, org, "class", Some(c.a)).await;
    send(&app, &c.teacher.token, class_chat, "c-1", "Контрольная перенесена").await;
    push_now(&app, 0).await;
    let hidden = &service.at("student")[0]["payload"];
    assert!(hidden["body"].as_str().expect("body").ends_with(": новое сообщение"), "{hidden}");
    assert!(!hidden.to_string().contains("Контрольная"), "{hidden}");
    app.patch(&format!("/api/v1/orgs/{org}"))
        .token(&c.school.admin)
        .json(json!({ "push_previews": true }))
        .send()
        .await
        .expect(200);
    send(&app, &c.teacher.token, class_chat, "c-2", "Контрольная в пятницу").await;
    push_now(&app, 0).await;
    let shown = &service.at("student")[1]["payload"];
    assert!(shown["body"].as_str().expect("body").ends_with(": Контрольная в пятницу"), "{shown}");

    // A mention comes once, as the mention (not also as a message).
    let before = service.at("parent").len();
    let mention = format!("@[Родитель]({}) подпишите, пожалуйста, согласие", c.parent.id);
    send(&app, &c.teacher.token, parents_chat, "p-2", &mention).await;
    push_now(&app, 0).await;
    let got = service.at("parent");
    assert_eq!(got.len(), before + 1, "{got:?}");
    assert_eq!(got[before]["payload"]["title"], "Вас упомянули: 5А — родители");
    assert!(got[before]["payload"]["body"].as_str().expect("body").contains("подпишите, пожалуйста, согласие"));

    // In the person's language.
    let language =
        |lang: &'static str| app.put("/api/v1/me/language").token(&c.parent.token).json(json!({ "language": lang }));
    language("en").send().await.expect(200);
    send(&app, &c.teacher.token, parents_chat, "p-en", &mention).await;
    push_now(&app, 0).await;
    assert_eq!(service.at("parent").last().expect("a push")["payload"]["title"], "You were mentioned: 5А — родители");
    language("ru").send().await.expect(200);

    // Messages turned off on this device: a plain message is not pushed, a mention is.
    let device = parents_device["id"].as_i64().expect("id");
    let changed = app
        .put(&format!("/api/v1/push/subscriptions/{device}"))
        .token(&c.parent.token)
        .json(json!({ "kinds_off": ["message", "message"] }))
        .send()
        .await
        .expect(200);
    assert_eq!(changed.json["kinds_off"], json!(["message"]));
    let before = service.at("parent").len();
    send(&app, &c.teacher.token, parents_chat, "p-3", "Просто новость").await;
    send(&app, &c.teacher.token, parents_chat, "p-4", &mention).await;
    push_now(&app, 0).await;
    let titles: Vec<Value> = service.at("parent")[before..].iter().map(|p| p["payload"]["title"].clone()).collect();
    assert_eq!(titles, [json!("Вас упомянули: 5А — родители")]);

    // The chat quieted for an hour: not even a mention is pushed from it.
    app.put(&format!("/api/v1/chats/{parents_chat}/silence"))
        .token(&c.parent.token)
        .json(json!({ "mute": "1h" }))
        .send()
        .await
        .expect(200);
    let before = service.at("parent").len();
    send(&app, &c.teacher.token, parents_chat, "p-5", &mention).await;
    push_now(&app, 0).await;
    assert_eq!(service.at("parent").len(), before, "a quiet chat pushes nothing");

    // Someone else's device is not one's to change or end.
    app.put(&format!("/api/v1/push/subscriptions/{device}"))
        .token(&c.teacher.token)
        .json(json!({ "kinds_off": [] }))
        .send()
        .await
        .problem(404, "not_found");
    app.delete(&format!("/api/v1/push/subscriptions/{device}")).token(&c.student.token).send().await.expect(404);
    app.delete(&format!("/api/v1/push/subscriptions/{device}")).token(&c.parent.token).send().await.expect(204);
    let left = app.get("/api/v1/push/subscriptions").token(&c.parent.token).send().await.expect(200);
    assert_eq!(left.json, json!([]));
}

async fn a_push_service_down_delays_and_a_gone_subscription_is_dropped(app: TestApp) {
    let Some((app, mut service)) = with_receiver(app, "down").await else { return };
    let c = class_with_people(&app, 642).await;
    let parents_chat = chat_id(&app, &c.teacher.token, c.school.org, "parents", Some(c.a)).await;
    subscribe(&app, &c.parent.token, service.subscription("parent")).await;
    let gone = subscribe(&app, &c.parent.token, service.subscription("gone/1")).await;
    subscribe(&app, &c.parent.token, service.subscription("flaky/1")).await;

    // The service is down: nothing is lost, each push waits to be tried again.
    service.stop().await;
    send(&app, &c.teacher.token, parents_chat, "d-1", "Первое").await;
    assert_eq!(push_now(&app, 0).await, 0);
    let waiting = "SELECT COUNT(*) FROM push_deliveries WHERE attempts = 1 AND last_error IS NOT NULL";
    assert_eq!(app.count(waiting.into()).await, 3);
    assert_eq!(push_now(&app, 1_000).await, 0, "not before its time");

    // Back up: the pushes arrive; the service says one subscription is gone (410): it
    // is removed; another answers 503 once: it is tried again and arrives.
    service.run().await;
    assert_eq!(push_now(&app, 60_000).await, 1);
    assert_eq!(service.at("parent").len(), 1);
    assert_eq!(service.at("parent")[0]["payload"]["body"].as_str().map(|b| b.ends_with(": Первое")), Some(true));
    let devices = app.get("/api/v1/push/subscriptions").token(&c.parent.token).send().await.expect(200);
    let ids: Vec<&Value> = devices.list().iter().map(|d| &d["id"]).collect();
    assert!(!ids.contains(&&gone["id"]), "the gone subscription is removed: {ids:?}");
    assert_eq!(ids.len(), 2);
    assert!(service.at("flaky/1").is_empty());
    assert_eq!(push_now(&app, 200_000).await, 1);
    assert_eq!(service.at("flaky/1").len(), 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM push_deliveries".into()).await, 0, "nothing left waiting");

    // A busy chat leaves one push per device waiting, the newest.
    service.stop().await;
    for n in 0..5 {
        send(&app, &c.teacher.token, parents_chat, &format!("b-{n}"), &format!("Сообщение {n}")).await;
    }
    push_now(&app, 0).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM push_deliveries".into()).await, 2, "one for each of two devices");
    send(&app, &c.teacher.token, parents_chat, "b-5", "Сообщение 5").await;
    push_now(&app, 0).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM push_deliveries".into()).await, 2, "still one each");
}

async fn families_hear_of_marks_after_quiet_hours(app: TestApp) {
    let Some((app, service)) = with_receiver(app, "quiet").await else { return };
    let s = setup(&app, 643).await;
    week(&app, &s).await;
    let [monday, _, _] = days_ahead(&app, &s).await;
    let parent = app.join(&s.school, s.class_a, "parent", Some(s.student.id), "Родителева").await;
    let classmate = app.join(&s.school, s.class_a, "student", None, "Одноклассников").await;
    subscribe(&app, &parent.token, service.subscription("parent")).await;
    quiet_hours_now(&app, s.school.org, &s.school.admin).await;
    marked_lesson(&app, &s, &monday, classmate.id).await;
    push_now(&app, 0).await;
    assert!(service.at("parent").is_empty(), "held while the school's quiet hours last");
    assert_eq!(app.count("SELECT COUNT(*) FROM push_deliveries WHERE attempts = 0".into()).await, 1);
    // Quiet hours end an hour from now where the school is.
    assert_eq!(push_now(&app, 62 * 60_000).await, 1);
    let mark = &service.at("parent")[0]["payload"];
    let title = mark["title"].as_str().expect("title");
    assert!(title.starts_with("Оценка 5 — ") && title.contains("Ученикова"), "{mark}");
    assert_eq!(mark["url"], format!("/diary?student={}&date={monday}", s.student.id));
}

/// A busy hour leaves more events than one batch: one run takes them all, a batch a
/// transaction. Pushes go only where a device is, and a busy chat leaves its device one
/// push, the latest.
async fn a_backlog_is_taken_in_one_run_and_pushed_where_devices_are(app: TestApp) {
    let Some((app, service)) = with_receiver(app, "backlog").await else { return };
    let c = class_with_people(&app, 910).await;
    let org = c.school.org;
    let device = subscribe(&app, &c.parent.token, service.subscription("parent")).await;
    let device = device["id"].as_i64().expect("id");
    let class_chat = chat_id(&app, &c.teacher.token, org, "class", Some(c.a)).await;
    let parents_chat = chat_id(&app, &c.teacher.token, org, "parents", Some(c.a)).await;
    let quiet = send(&app, &c.teacher.token, class_chat, "b-0", "Нет устройств").await;
    // The class chat's one event, as if it had been said 512 times.
    for _ in 0..9 {
        app.sql(format!(
            "INSERT INTO push_events (kind, message_id, created_at)
             SELECT kind, message_id, created_at FROM push_events WHERE message_id = {quiet}"
        ))
        .await;
    }
    send(&app, &c.teacher.token, parents_chat, "b-1", "Собрание в четверг").await;
    let latest = send(&app, &c.teacher.token, parents_chat, "b-2", "Собрание переносится на пятницу").await;
    let waiting = app.count("SELECT COUNT(*) FROM push_events".to_owned()).await;
    assert!(waiting > 500, "{waiting} events wait");

    let now = parta_server::clock::now_ms();
    let taken = parta_server::push::expand_waiting(&app.state, now).await.expect("expanded");
    assert_eq!(taken as i64, waiting);
    assert_eq!(app.count("SELECT COUNT(*) FROM push_events".to_owned()).await, 0);
    let queued = app.count(format!("SELECT COUNT(*) FROM push_deliveries WHERE subscription_id = {device}")).await;
    assert_eq!(queued, 1, "one push for the parents' chat, none for the class chat");
    parta_server::push::deliver_due(&app.state, now).await.expect("delivered");
    let got = service.at("parent");
    assert_eq!(got.len(), 1, "{:?}", service.received());
    assert_eq!(got[0]["payload"]["url"], format!("/chats/{parents_chat}?m={latest}"));
}

/// A post to many devices goes out in one run of the sender, many pushes at a time,
/// not a few dozen every two seconds.
async fn an_announcement_reaches_every_device_in_one_run(app: TestApp) {
    let Some((app, service)) = with_receiver(app, "many").await else { return };
    let c = class_with_people(&app, 911).await;
    let parents_chat = chat_id(&app, &c.teacher.token, c.school.org, "parents", Some(c.a)).await;
    // A person keeps ten devices at most: the school's others, as copies of this one
    // at endpoints of their own.
    subscribe(&app, &c.parent.token, service.subscription("device")).await;
    app.sql(
        "INSERT INTO push_subscriptions (user_id, session_id, endpoint, p256dh, auth, kinds_off, user_agent, created_at)
         WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 229)
         SELECT s.user_id, s.session_id, s.endpoint || '-' || n.k, s.p256dh, s.auth, s.kinds_off, s.user_agent, s.created_at
         FROM push_subscriptions s, n"
            .to_owned(),
    )
    .await;
    let devices = 230;
    send(&app, &c.teacher.token, parents_chat, "many-1", "Завтра сокращённый день").await;
    assert_eq!(push_now(&app, 0).await, devices);
    let received = service.received();
    assert_eq!(received.len(), devices);
    assert!(received.iter().all(|push| push["error"] == Value::Null), "{:?}", received.first());
    assert_eq!(app.count("SELECT COUNT(*) FROM push_deliveries".to_owned()).await, 0);
}

async fn subscriptions_are_checked_and_end_with_their_session(app: TestApp) {
    let dir = certificate("checks");
    let app = with_push_service(app, &dir);
    let c = class_with_people(&app, 644).await;
    let port = free_port();
    let keys = json!({
        "p256dh": "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
        "auth": "BTBZMqHH6r4Tts7J_aSIgg",
    });
    let try_with = |endpoint: String, keys: Value, kinds: Value| {
        let body = json!({ "endpoint": endpoint, "keys": keys, "kinds_off": kinds });
        app.post("/api/v1/push/subscriptions").token(&c.parent.token).json(body)
    };
    let ok = format!("https://127.0.0.1:{port}/ok");
    try_with(format!("http://127.0.0.1:{port}/x"), keys.clone(), json!([]))
        .send()
        .await
        .invalid(&[("endpoint", "invalid_url")]);
    // Only push services: never an address inside the network the server sits in.
    for inside in ["https://169.254.169.254/latest/meta-data", "https://10.0.0.1/x", "https://localhost:5432/"] {
        try_with(inside.into(), keys.clone(), json!([]))
            .send()
            .await
            .invalid(&[("endpoint", "push_service_not_allowed")]);
    }
    let mut off_curve = keys.clone();
    off_curve["p256dh"] =
        json!("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw5");
    try_with(ok.clone(), off_curve, json!([])).send().await.invalid(&[("keys.p256dh", "invalid_value")]);
    let mut short_auth = keys.clone();
    short_auth["auth"] = json!("BTBZMqHH6r4Tts7J");
    try_with(ok.clone(), short_auth, json!([])).send().await.invalid(&[("keys.auth", "invalid_value")]);
    try_with(ok.clone(), keys.clone(), json!(["everything"])).send().await.invalid(&[("kinds_off", "invalid_value")]);
    assert_eq!(app.count("SELECT COUNT(*) FROM push_subscriptions".into()).await, 0, "nothing kept of a refusal");

    // Subscribed on a browser whose session then signs out: the subscription goes with it.
    let device = try_with(ok.clone(), keys.clone(), json!(["mark"])).send().await.expect(201);
    assert_eq!(device.json["kinds_off"], json!(["mark"]));
    let second = app.login(&c.parent.email, crate::support::PASSWORD).await;
    let seen = app.get("/api/v1/push/subscriptions").token(&second).send().await.expect(200);
    assert_eq!(seen.list().len(), 1);
    assert_eq!(seen.list()[0]["current"], false, "subscribed from the other session");
    app.post("/api/v1/auth/logout").token(&c.parent.token).send().await.expect(204);
    let seen = app.get("/api/v1/push/subscriptions").token(&second).send().await.expect(200);
    assert_eq!(seen.json, json!([]));
    // The same browser subscribed by someone else now is theirs alone.
    try_with(ok.clone(), keys.clone(), json!([])).send().await.expect(401);
    app.post("/api/v1/push/subscriptions")
        .token(&second)
        .json(json!({ "endpoint": ok, "keys": keys }))
        .send()
        .await
        .expect(201);
    app.post("/api/v1/push/subscriptions")
        .token(&c.teacher.token)
        .json(json!({ "endpoint": ok, "keys": keys }))
        .send()
        .await
        .expect(201);
    let parents = app.get("/api/v1/push/subscriptions").token(&second).send().await.expect(200);
    assert_eq!(parents.json, json!([]), "the endpoint moved to the teacher");
}
