//! Getting back into an account: a link by e-mail through a real SMTP server (PyPI's
//! `aiosmtpd`, started here; plain, and STARTTLS with the school's own certificate),
//! kept in the outbox while the server is down; and a one-time code from the school
//! for people without e-mail. Who may give whom a code.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};

use crate::messaging::class_with_people;
use crate::on_both_backends;
use crate::support::TestApp;

on_both_backends!(a_forgotten_password_comes_back_by_email, a_school_gives_a_code_to_who_has_no_email);

/// A real SMTP server that keeps what it receives in a maildir.
pub struct MailServer {
    dir: PathBuf,
    _process: tokio::process::Child,
}

/// Whether the SMTP server can run here; under CI=true it must.
pub fn smtp_ready() -> bool {
    let ready =
        std::process::Command::new("python3").args(["-c", "import aiosmtpd"]).status().is_ok_and(|s| s.success());
    let required = std::env::var("CI").is_ok_and(|v| v == "true");
    assert!(ready || !required, "aiosmtpd is required here (the test command installs it)");
    if !ready {
        eprintln!("note: aiosmtpd missing; the e-mail checks did not run");
    }
    ready
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("address").port()
}

impl MailServer {
    /// Starts on `port`; with `tls` (certificate and key files), it offers STARTTLS and requires it.
    pub async fn start(port: u16, tls: Option<(&PathBuf, &PathBuf)>) -> MailServer {
        let dir = std::env::temp_dir().join(format!("parta-mail-{port}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut command = tokio::process::Command::new("python3");
        // SMTPUTF8, as mail servers have it now: addresses may be in Cyrillic.
        command.args([
            "-m",
            "aiosmtpd",
            "-n",
            "-u",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ]);
        if let Some((cert, key)) = tls {
            command.arg("--tlscert").arg(cert).arg("--tlskey").arg(key);
        }
        command.arg(&dir);
        let process = command.kill_on_drop(true).spawn().expect("aiosmtpd starts");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return MailServer { dir, _process: process };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("aiosmtpd did not listen on {port}");
    }

    /// Every letter received: to, subject, the plain-text part and the HTML part,
    /// decoded as a mail client would (Python's `email` package).
    pub fn letters(&self) -> Vec<Value> {
        let script = r#"
import email, email.policy, json, os, sys
out = []
folder = os.path.join(sys.argv[1], 'new')
for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
    with open(os.path.join(folder, name), 'rb') as f:
        m = email.message_from_binary_file(f, policy=email.policy.default)
    text = m.get_body(preferencelist=('plain',))
    html = m.get_body(preferencelist=('html',))
    out.append({'to': str(m['To']), 'from': str(m['From']), 'subject': str(m['Subject']),
                'text': text.get_content() if text else None, 'html': html.get_content() if html else None})
print(json.dumps(out))
"#;
        let output =
            std::process::Command::new("python3").args(["-c", script]).arg(&self.dir).output().expect("python3");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_slice(&output.stdout).expect("letters as JSON")
    }
}

pub fn mail_settings(
    port: u16,
    security: parta_server::mail::Security,
    ca: Option<Vec<u8>>,
) -> parta_server::mail::MailSettings {
    parta_server::mail::MailSettings {
        host: "127.0.0.1".into(),
        port,
        security,
        credentials: None,
        extra_ca_pem: ca,
        from: "Парта <noreply@parta.test>".into(),
    }
}

/// The link in a letter's text.
fn link_in(text: &str) -> String {
    text.split_whitespace().find(|w| w.starts_with("https://")).expect("a link in the letter").to_owned()
}

async fn reset(app: &TestApp, email: &str) -> crate::support::Reply {
    app.post("/api/v1/auth/password-reset").json(json!({ "email": email })).send().await
}

async fn a_forgotten_password_comes_back_by_email(app: TestApp) {
    if !smtp_ready() {
        return;
    }
    let port = free_port();
    let app = app.with_settings(|s| {
        s.public_url = "https://parta.test".into();
        s.mail = Some(mail_settings(port, parta_server::mail::Security::None, None));
    });
    let c = class_with_people(&app, 621).await;
    let parent_email = c.parent.email.clone();

    // The same answer for a known and an unknown address; a malformed one is refused.
    reset(&app, &parent_email).await.expect(202);
    reset(&app, "nobody-621@nowhere.test").await.expect(202);
    reset(&app, "not an address").await.invalid(&[("email", "invalid_email")]);
    let queued = app.count("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'password_reset'".into()).await;
    assert_eq!(queued, 1, "a letter only for the account that exists");
    // The school's approval sent its first admin a link too.
    assert_eq!(app.count("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'first_admin'".into()).await, 1);

    // The mail server is down: the letters wait, tried again later, nothing lost.
    let now = parta_server::clock::now_ms();
    assert_eq!(parta_server::mail::deliver_due(&app.state, now).await.expect("a run"), 0);
    let waiting = app
        .count(
            "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND attempts = 1 AND last_error IS NOT NULL".into(),
        )
        .await;
    assert_eq!(waiting, 2);
    assert_eq!(parta_server::mail::deliver_due(&app.state, now + 1_000).await.expect("too early"), 0);
    let server = MailServer::start(port, None).await;
    let later = parta_server::clock::now_ms() + 60_000;
    assert_eq!(parta_server::mail::deliver_due(&app.state, later).await.expect("a run"), 2);
    assert_eq!(parta_server::mail::deliver_due(&app.state, later).await.expect("again"), 0, "sent once");
    let letters = server.letters();
    assert_eq!(letters.len(), 2, "{letters:?}");
    let first_admin = letters
        .iter()
        .find(|l| l["subject"].as_str().is_some_and(|s| s.contains("подключена")))
        .expect("the admin's letter");
    let admin_link = link_in(first_admin["text"].as_str().expect("text"));
    assert!(admin_link.starts_with("https://parta.test/join/"), "{admin_link}");
    assert!(first_admin["text"].as_str().expect("text").contains("действует 14 дней"));
    let letter = letters.iter().find(|l| l["to"] == parent_email.as_str()).expect("the parent's letter");
    assert_eq!(letter["to"], parent_email.as_str());
    assert_eq!(letter["subject"], "Восстановление пароля в «Парте»");
    assert!(letter["from"].as_str().is_some_and(|f| f.contains("noreply@parta.test")));
    let text = letter["text"].as_str().expect("a plain-text part");
    assert!(text.contains("Здравствуйте, Тест!") && text.contains("30 минут"), "{text}");
    let link = link_in(text);
    assert!(link.starts_with("https://parta.test/set-password?token="), "{link}");
    assert!(letter["html"].as_str().expect("an HTML part").contains(&format!("href=\"{link}\"")));
    // Sent: its text (and the link in it) is not kept.
    let cleared = app
        .count(
            "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NOT NULL AND text_body = '' AND html_body = ''".into(),
        )
        .await;
    assert_eq!(cleared, 2);

    // The link sets a new password once, and ends every session of the account.
    let token = link.split("token=").nth(1).expect("a token");
    let new_password = "новый-пароль-621";
    app.post("/api/v1/auth/set-password")
        .json(json!({ "token": token, "password": new_password }))
        .send()
        .await
        .expect(204);
    app.get("/api/v1/me").token(&c.parent.token).send().await.expect(401);
    app.login(&parent_email, new_password).await;
    app.post("/api/v1/auth/set-password")
        .json(json!({ "token": token, "password": "ещё-один-пароль" }))
        .send()
        .await
        .problem(409, "token_invalid");

    // Three requests an hour per address, known or not (each asked once above).
    for email in [&parent_email, &"nobody-621@nowhere.test".to_owned()] {
        reset(&app, email).await.expect(202);
        reset(&app, email).await.expect(202);
        reset(&app, email).await.problem(429, "password_reset_limit");
    }
}

async fn a_school_gives_a_code_to_who_has_no_email(app: TestApp) {
    let c = class_with_people(&app, 622).await;
    let org = c.school.org;
    let other_lead = app.join(&c.school, c.school.staff_room, "teacher", None, "Бэшкина").await;
    app.assign_class_teacher(&c.school, c.b, other_lead.id).await;
    let plain = app.join(&c.school, c.school.staff_room, "teacher", None, "Предметникова").await;
    let code_for = |by: String, user: i64| {
        let app = &app;
        async move { app.post(&format!("/api/v1/orgs/{org}/members/{user}/sign-in-code")).token(&by).send().await }
    };

    // The class teacher gives 5А's student a code; the student types it in small letters without dashes.
    let given = code_for(c.teacher.token.clone(), c.student.id).await.expect(201).json;
    assert_eq!(given["person"]["id"], c.student.id);
    let code = given["code"].as_str().expect("a code").to_owned();
    assert_eq!(code.len(), 14);
    let typed = code.replace('-', "").to_lowercase();
    app.post("/api/v1/auth/set-password")
        .json(json!({ "token": typed, "password": "пароль-ученика-622" }))
        .send()
        .await
        .expect(204);
    let student = app.login(&c.student.email, "пароль-ученика-622").await;
    app.get("/api/v1/me").token(&c.student.token).send().await.expect(401);
    app.post("/api/v1/auth/set-password")
        .json(json!({ "token": code, "password": "снова-622-пароль" }))
        .send()
        .await
        .problem(409, "token_invalid");
    // It is in the audit log.
    let audit = app.get(&format!("/api/v1/orgs/{org}/audit")).token(&c.school.admin).send().await.expect(200);
    let entry = audit.list().iter().find(|e| e["action"] == "sign_in_code_issued").cloned().expect("audited");
    assert_eq!(entry["target_id"], c.student.id);

    // The parent too; not by another class's teacher, nor a plain teacher.
    code_for(c.teacher.token.clone(), c.parent.id).await.expect(201);
    code_for(other_lead.token.clone(), c.parent.id).await.problem(403, "forbidden");
    code_for(plain.token.clone(), c.student.id).await.problem(403, "forbidden");
    code_for(student, c.parent.id).await.problem(403, "forbidden");
    // Staff only by an admin; an admin by nobody here; nobody for themselves.
    code_for(c.teacher.token.clone(), plain.id).await.problem(403, "forbidden");
    code_for(c.school.admin.clone(), plain.id).await.expect(201);
    let admin_id = c.school.admin_id;
    code_for(c.teacher.token.clone(), admin_id).await.problem(403, "not_for_admins");
    code_for(c.school.admin.clone(), c.school.admin_id).await.invalid(&[("user_id", "self")]);
    // Another school's admin finds nobody.
    let other = app.school(623).await;
    app.post(&format!("/api/v1/orgs/{}/members/{}/sign-in-code", other.org, c.student.id))
        .token(&other.admin)
        .send()
        .await
        .problem(404, "not_found");
    app.post(&format!("/api/v1/orgs/{org}/members/{}/sign-in-code", c.student.id))
        .token(&other.admin)
        .send()
        .await
        .problem(404, "not_found");
}

/// A school's own mail server with its own certificate: STARTTLS is required and the
/// certificate trusted only when the deployment names it.
#[tokio::test]
async fn letters_go_over_starttls_to_a_server_with_its_own_certificate() {
    if !smtp_ready() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("parta-mail-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a folder");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE", "-addext", "extendedKeyUsage=serverAuth"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl runs");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let port = free_port();
    let server = MailServer::start(port, Some((&cert, &key))).await;
    let pem = std::fs::read(&cert).expect("the certificate");
    for (trusted, expected) in [(false, 0), (true, 2)] {
        let ca = trusted.then(|| pem.clone());
        let app = TestApp::sqlite().await.with_settings(|s| {
            s.mail = Some(mail_settings(port, parta_server::mail::Security::StartTls, ca));
        });
        let c = class_with_people(&app, 624).await;
        reset(&app, &c.parent.email).await.expect(202);
        // The school's first admin's letter and the parent's.
        let sent = parta_server::mail::deliver_due(&app.state, parta_server::clock::now_ms()).await.expect("a run");
        let errors: Vec<(String, Option<String>)> = sqlx::query_as("SELECT to_address, last_error FROM mail_outbox")
            .fetch_all(&mut *app.state.db.reads().acquire().await.expect("a connection"))
            .await
            .expect("the outbox");
        assert_eq!(sent, expected, "trusted: {trusted}: {errors:?}");
        if !trusted {
            let waiting =
                app.count("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL".into()).await;
            assert_eq!(waiting, 2, "an untrusted server gets nothing, and the letters wait");
        }
    }
    let letters = server.letters();
    assert_eq!(letters.len(), 2);
    assert!(letters.iter().any(|l| l["subject"] == "Восстановление пароля в «Парте»"));
}
