//! A school's webhooks through the API, delivered to a school's own system started here
//! (`webhook_receiver.py`: HTTPS, checks each signature with the secret the school was
//! given, and each endpoint's order): who joined and left, channel posts, marks and
//! absences; an endpoint that fails gets the same delivery again until it takes it, and
//! the next ones only after; the status the admins see; addresses inside the network
//! refused; a removed endpoint told nothing more.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use crate::journal::{days_ahead, marked_lesson, week};
use crate::messaging::chat_id;
use crate::on_both_backends;
use crate::push::certificate;
use crate::recovery::free_port;
use crate::support::TestApp;
use crate::timetable::setup;

on_both_backends!(a_schools_system_hears_of_its_events_signed_in_order_and_again_until_it_answers);

/// The school's own system: an HTTPS service on 127.0.0.1 with its own certificate.
struct Receiver {
    port: u16,
    dir: PathBuf,
    _process: tokio::process::Child,
}

impl Receiver {
    async fn start(dir: &Path) -> Receiver {
        let port = free_port();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api/webhook_receiver.py");
        let process = tokio::process::Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(dir.join("cert.pem"))
            .arg(dir.join("key.pem"))
            .arg(dir.join("log.jsonl"))
            .arg(dir.join("secrets.json"))
            .kill_on_drop(true)
            .spawn()
            .expect("the receiver starts");
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Receiver { port, dir: dir.to_owned(), _process: process };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the receiver did not listen on {port}");
    }

    fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.port)
    }

    fn give_secret(&self, prefix: &str, secret: &str) {
        let file = self.dir.join("secrets.json");
        let mut secrets: Value =
            std::fs::read(&file).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_else(|| json!({}));
        secrets[prefix] = json!(secret);
        std::fs::write(&file, serde_json::to_vec(&secrets).expect("JSON")).expect("written");
    }

    /// Requests at paths starting with `prefix`, in the order they came.
    fn at(&self, prefix: &str) -> Vec<Value> {
        std::fs::read_to_string(self.dir.join("log.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).expect("a JSON line"))
            .filter(|r| r["path"].as_str().is_some_and(|p| p.starts_with(prefix)))
            .collect()
    }
}

/// What the sender does every two seconds: what is due sent. A
/// delivery waiting to be tried again is made due at once (no test waits out backoff).
async fn run_sender(app: &TestApp) {
    app.sql("UPDATE webhook_deliveries SET next_attempt_at = 0 WHERE delivered_at IS NULL AND failed_at IS NULL").await;
    parta_server::webhooks::deliver_due(&app.state).await.expect("deliveries sent");
}

fn events(requests: &[Value]) -> Vec<String> {
    requests.iter().filter(|r| r["status"] == 200).map(|r| r["event"].as_str().unwrap_or_default().to_owned()).collect()
}

async fn a_schools_system_hears_of_its_events_signed_in_order_and_again_until_it_answers(app: TestApp) {
    let dir = certificate("webhooks");
    let pem = std::fs::read(dir.join("cert.pem")).expect("the certificate");
    let app = app.with_settings(|s| {
        s.webhooks.private_hosts.push("127.0.0.1".into());
        s.webhooks.extra_ca_pem = Some(pem);
    });
    let receiver = Receiver::start(&dir).await;
    let s = setup(&app, 771).await;
    week(&app, &s).await;
    let [monday, ..] = days_ahead(&app, &s).await;
    let org = s.school.org;
    let hooks = format!("/api/v1/orgs/{org}/webhooks");

    // What cannot be an endpoint is refused, by field.
    let make = |body: Value| app.post(&hooks).token(&s.school.admin).json(body);
    make(json!({ "url": "http://127.0.0.1/x", "events": ["member.joined"] }))
        .send()
        .await
        .invalid(&[("url", "invalid_url")]);
    make(json!({ "url": "https://10.0.0.7/x", "events": ["member.joined"] }))
        .send()
        .await
        .invalid(&[("url", "not_public")]);
    make(json!({ "url": receiver.url("/a"), "events": ["member.deleted"] }))
        .send()
        .await
        .invalid(&[("events", "unknown_event")]);
    make(json!({ "url": receiver.url("/a"), "events": [] })).send().await.invalid(&[("events", "required")]);
    // Only the admins.
    app.post(&hooks)
        .token(&s.maths.token)
        .json(json!({ "url": receiver.url("/a"), "events": ["member.joined"] }))
        .send()
        .await
        .expect(403);

    let all = json!(["member.joined", "member.left", "channel.message", "journal.mark", "journal.absence"]);
    let a = make(json!({ "url": receiver.url("/ok/a"), "events": all })).send().await.expect(201).json;
    receiver.give_secret("/ok/a", a["secret"].as_str().expect("the secret, shown once"));
    let b = make(json!({ "url": receiver.url("/flaky/3/b"), "events": ["member.joined", "member.left"] }))
        .send()
        .await
        .expect(201)
        .json;
    receiver.give_secret("/flaky/3/b", b["secret"].as_str().expect("a secret"));
    assert_ne!(a["secret"], b["secret"]);
    // A name that resolves inside the network is refused when sending, not only when typed.
    let inside =
        make(json!({ "url": format!("https://localhost:{}/inside", receiver.port), "events": ["member.joined"] }))
            .send()
            .await
            .expect(201)
            .json;
    let listed = app.get(&hooks).token(&s.school.admin).send().await.expect(200);
    assert!(listed.list().iter().all(|h| h["status"] == "new" && h.get("secret").is_none()), "{}", listed.json);

    // Events: someone joins, the school channel gets a post, a lesson's marks and an
    // absence, someone leaves.
    let classmate = app.join(&s.school, s.class_a, "student", None, "Новенький").await;
    let channel = chat_id(&app, &s.school.admin, org, "school_channel", None).await;
    app.post(&format!("/api/v1/chats/{channel}/messages"))
        .token(&s.school.admin)
        .json(json!({ "client_msg_id": "hook-1", "body": "Завтра линейка в 8:30" }))
        .send()
        .await
        .expect(201);
    marked_lesson(&app, &s, &monday, classmate.id).await;
    app.post(&format!("/api/v1/orgs/{org}/members/{}/leave", classmate.id))
        .token(&s.school.admin)
        .json(json!({ "on": school_today(), "reason": "left" }))
        .send()
        .await
        .expect(204);

    // The flaky endpoint answers 503 three times: its first event is tried again, the
    // next waits behind it; the admins see it retrying, with the error.
    run_sender(&app).await;
    let status = app.get(&hooks).token(&s.school.admin).send().await.expect(200);
    let flaky = status.list().iter().find(|h| h["id"] == b["webhook"]["id"]).cloned().expect("listed");
    assert_eq!(
        (flaky["status"].as_str(), flaky["last_error"].as_str()),
        (Some("retrying"), Some("HTTP 503")),
        "{flaky}"
    );
    assert_eq!(flaky["waiting"], 2);
    for _ in 0..4 {
        run_sender(&app).await;
    }

    let got = receiver.at("/ok/a");
    assert_eq!(
        events(&got),
        ["member.joined", "channel.message", "journal.mark", "journal.absence", "member.left"],
        "{got:#?}"
    );
    assert!(got.iter().all(|r| r["signature_ok"] == true && r["in_order"] == true), "{got:#?}");
    let joined = &got[0]["body"];
    assert_eq!(joined["school_id"], org);
    assert_eq!(joined["data"]["person"]["id"], classmate.id);
    assert_eq!(joined["data"]["role"], "student");
    assert_eq!(joined["data"]["class"]["name"], "5А");
    assert_eq!(got[1]["body"]["data"]["text"], "Завтра линейка в 8:30");
    assert_eq!(got[1]["body"]["data"]["chat"]["kind"], "school_channel");
    assert_eq!(got[2]["body"]["data"]["mark"], "5");
    assert_eq!(got[2]["body"]["data"]["student_id"], s.student.id);
    assert_eq!(got[3]["body"]["data"]["absence"], "ill");
    assert_eq!(got[4]["body"]["data"]["reason"], "left");

    let flaky_got = receiver.at("/flaky/3/b");
    let answers: Vec<(i64, String)> = flaky_got
        .iter()
        .map(|r| (r["status"].as_i64().unwrap_or_default(), r["event"].as_str().unwrap_or_default().to_owned()))
        .collect();
    let j = || (503, "member.joined".to_owned());
    assert_eq!(answers, [j(), j(), j(), (200, "member.joined".into()), (200, "member.left".into())]);
    assert!(flaky_got.iter().all(|r| r["signature_ok"] == true && r["in_order"] == true), "{flaky_got:#?}");
    let id = b["webhook"]["id"].as_i64().expect("id");
    let deliveries = app.get(&format!("{hooks}/{id}/deliveries")).token(&s.school.admin).send().await.expect(200);
    let first = deliveries.list().last().cloned().expect("the first delivery");
    assert_eq!((first["status"].as_str(), first["attempts"].as_i64()), (Some("delivered"), Some(4)), "{first}");
    let status = app.get(&hooks).token(&s.school.admin).send().await.expect(200);
    let states: Vec<(&str, &str)> = status
        .list()
        .iter()
        .map(|h| (h["url"].as_str().unwrap_or_default(), h["status"].as_str().unwrap_or_default()))
        .collect();
    assert!(states.contains(&(receiver.url("/flaky/3/b").as_str(), "ok")), "{states:?}");
    // The name inside the network got nothing; its error says why.
    assert!(receiver.at("/inside").is_empty());
    let inside_id = inside["webhook"]["id"].clone();
    let inside_now = status.list().iter().find(|h| h["id"] == inside_id).cloned().expect("listed");
    assert_eq!(inside_now["status"], "retrying", "{inside_now}");
    assert!(inside_now["last_error"].as_str().is_some_and(|e| e.contains("inside the network")), "{inside_now}");

    // Removed: told nothing more. Turned off: nothing queued.
    app.delete(&format!("{hooks}/{id}")).token(&s.school.admin).send().await.expect(204);
    let a_id = a["webhook"]["id"].as_i64().expect("id");
    app.patch(&format!("{hooks}/{a_id}"))
        .token(&s.school.admin)
        .json(json!({ "active": false }))
        .send()
        .await
        .expect(200);
    app.join(&s.school, s.class_a, "student", None, "Позднов").await;
    run_sender(&app).await;
    assert_eq!(receiver.at("/flaky/3/b").len(), 5);
    assert_eq!(receiver.at("/ok/a").len(), 5);
    // The log keeps deliveries done with for 30 days: older ones go.
    assert_eq!(parta_server::webhooks::prune(&app.state).await.expect("pruned"), 0);
    app.sql(format!("UPDATE webhook_deliveries SET delivered_at = 1 WHERE webhook_id = {a_id}")).await;
    assert_eq!(parta_server::webhooks::prune(&app.state).await.expect("pruned"), 5);
    // Another school's admin sees none of it.
    let other = app.school(772).await;
    app.get(&format!("{hooks}/{a_id}/deliveries")).token(&other.admin).send().await.expect(404);
}

/// Today in the test schools' time zone (Yekaterinburg, five hours ahead of UTC): a
/// place taken today starts on that date.
fn school_today() -> String {
    jiff::Timestamp::now().in_tz("Asia/Yekaterinburg").expect("a time zone").date().to_string()
}
