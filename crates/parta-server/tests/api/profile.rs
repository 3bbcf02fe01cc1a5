//! A person's own profile: their name and a school's lock on it, an admin's audited
//! correction told to the person's devices, the language, a new e-mail confirmed by
//! the code read from a real SMTP server (wrong, expired, exhausted, taken), a phone
//! refused without an SMS gateway, and the photo: resized, without its EXIF, read only
//! by who shares a school with its person.

use std::time::Duration;

use serde_json::{Value, json};

use crate::messaging::class_with_people;
use crate::on_both_backends;
use crate::recovery::{MailServer, free_port, mail_settings};
use crate::support::{PASSWORD, Socket, TestApp, multipart};

on_both_backends!(
    a_person_changes_their_name_unless_the_school_locks_it,
    an_admin_corrects_a_name_in_the_register,
    the_language_is_kept_and_shown,
    a_new_email_is_confirmed_by_the_code_sent_to_it,
    a_phone_is_refused_without_an_sms_gateway,
    a_phone_is_confirmed_by_sms_where_a_gateway_is_configured,
    a_phone_code_goes_through_an_https_sms_gateway,
    a_photo_is_square_and_without_its_metadata,
);

fn name(family: &str, given: &str, patronymic: Option<&str>) -> Value {
    json!({ "family_name": family, "given_name": given, "patronymic": patronymic })
}

async fn a_person_changes_their_name_unless_the_school_locks_it(app: TestApp) {
    let c = class_with_people(&app, 731).await;
    let me = app
        .put("/api/v1/me/name")
        .token(&c.parent.token)
        .json(name(" Петрова ", "Мария", Some("Ивановна")))
        .send()
        .await
        .expect(200)
        .json;
    assert_eq!((me["family_name"].as_str(), me["patronymic"].as_str()), (Some("Петрова"), Some("Ивановна")));
    assert_eq!(me["names_locked"], false);
    // Every wrong part at once; an empty patronymic is none.
    app.put("/api/v1/me/name")
        .token(&c.parent.token)
        .json(name("", "М\u{7}", None))
        .send()
        .await
        .invalid(&[("family_name", "required"), ("given_name", "invalid_characters")]);
    let me = app.put("/api/v1/me/name").token(&c.parent.token).json(name("Петрова", "Мария", Some(""))).send().await;
    assert_eq!(me.expect(200).json["patronymic"], Value::Null);

    // The school keeps names to its register: its people no longer change theirs.
    let school = app
        .patch(&format!("/api/v1/orgs/{}", c.school.org))
        .token(&c.school.admin)
        .json(json!({ "names_locked": true }))
        .send()
        .await
        .expect(200)
        .json;
    assert_eq!(school["names_locked"], true);
    assert_eq!(app.me(&c.parent.token).await["names_locked"], true);
    app.put("/api/v1/me/name")
        .token(&c.parent.token)
        .json(name("Иванова", "Мария", None))
        .send()
        .await
        .problem(403, "names_locked");
    // The admin is of the school too.
    app.put("/api/v1/me/name")
        .token(&c.school.admin)
        .json(name("Сидорова", "Анна", None))
        .send()
        .await
        .problem(403, "names_locked");
    assert_eq!(app.me(&c.parent.token).await["family_name"], "Петрова");
    // Another school's people are not held by it.
    let other = app.school(732).await;
    app.put("/api/v1/me/name").token(&other.admin).json(name("Другая", "Анна", None)).send().await.expect(200);
}

async fn an_admin_corrects_a_name_in_the_register(app: TestApp) {
    let c = class_with_people(&app, 733).await;
    let org = c.school.org;
    let address = app.serve().await;
    let (mut socket, _) = Socket::connect(address, &c.student.token).await;
    let path = format!("/api/v1/orgs/{org}/members/{}/name", c.student.id);
    let member = app
        .put(&path)
        .token(&c.school.admin)
        .json(name("Ученикова", "Ольга", Some("Петровна")))
        .send()
        .await
        .expect(200)
        .json;
    assert_eq!(member["person"]["family_name"], "Ученикова");
    // The person's devices load /me again.
    assert!(socket.user_event("me_changed", Duration::from_secs(5)).await.is_some(), "me_changed told");
    let me = app.me(&c.student.token).await;
    assert_eq!((me["family_name"].as_str(), me["given_name"].as_str()), (Some("Ученикова"), Some("Ольга")));
    // Audited with the name before and after.
    let audit = app.get(&format!("/api/v1/orgs/{org}/audit")).token(&c.school.admin).send().await.expect(200);
    let entry = audit.list().iter().find(|e| e["action"] == "name_corrected").cloned().expect("audited");
    assert_eq!(entry["target_id"], c.student.id);
    assert_eq!(entry["details"]["from"]["family_name"], "Учеников");
    assert_eq!(entry["details"]["to"]["family_name"], "Ученикова");
    assert_eq!(entry["details"]["to"]["patronymic"], "Петровна");
    // Works while names are locked (that is what the register is for).
    app.patch(&format!("/api/v1/orgs/{org}"))
        .token(&c.school.admin)
        .json(json!({ "names_locked": true }))
        .send()
        .await
        .expect(200);
    app.put(&path).token(&c.school.admin).json(name("Ученикова", "Оля", None)).send().await.expect(200);
    app.put(&path)
        .token(&c.school.admin)
        .json(name("", "", None))
        .send()
        .await
        .invalid(&[("family_name", "required"), ("given_name", "required")]);
    // Not the class teacher's, nor the person's own; another school finds nobody.
    app.put(&path).token(&c.teacher.token).json(name("Х", "Х", None)).send().await.problem(403, "forbidden");
    app.put(&path).token(&c.student.token).json(name("Х", "Х", None)).send().await.problem(403, "forbidden");
    let other = app.school(734).await;
    app.put(&format!("/api/v1/orgs/{}/members/{}/name", other.org, c.student.id))
        .token(&other.admin)
        .json(name("Чужая", "Х", None))
        .send()
        .await
        .problem(404, "not_found");
    app.put(&path).token(&other.admin).json(name("Чужая", "Х", None)).send().await.problem(404, "not_found");
    assert_eq!(app.me(&c.student.token).await["given_name"], "Оля");
}

async fn the_language_is_kept_and_shown(app: TestApp) {
    let c = class_with_people(&app, 735).await;
    assert_eq!(app.me(&c.parent.token).await["language"], "ru");
    let me = app.put("/api/v1/me/language").token(&c.parent.token).json(json!({ "language": "en" })).send().await;
    assert_eq!(me.expect(200).json["language"], "en");
    assert_eq!(app.me(&c.parent.token).await["language"], "en");
    app.put("/api/v1/me/language")
        .token(&c.parent.token)
        .json(json!({ "language": "de" }))
        .send()
        .await
        .invalid(&[("language", "invalid_value")]);
    app.put("/api/v1/me/language").json(json!({ "language": "ru" })).send().await.problem(401, "unauthenticated");
}

async fn ask_email(app: &TestApp, token: &str, email: &str, password: &str) -> crate::support::Reply {
    app.post("/api/v1/me/email").token(token).json(json!({ "email": email, "current_password": password })).send().await
}

async fn confirm_email(app: &TestApp, token: &str, code: &str) -> crate::support::Reply {
    app.post("/api/v1/me/email/confirm").token(token).json(json!({ "code": code })).send().await
}

/// The code in the latest letter to `to`, delivered through the SMTP server.
async fn code_sent_to(app: &TestApp, server: &MailServer, to: &str) -> String {
    parta_server::mail::deliver_due(&app.state, parta_server::clock::now_ms() + 1).await.expect("delivered");
    let letters = server.letters();
    let letter =
        letters.iter().rev().find(|l| l["to"] == to).unwrap_or_else(|| panic!("no letter to {to}: {letters:?}"));
    let text = letter["text"].as_str().expect("a plain-text part");
    assert!(letter["html"].as_str().is_some_and(|h| !h.is_empty()), "an HTML part");
    let code: String = text
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap_or_else(|| panic!("a six-digit code in {text}"))
        .to_owned();
    assert!(letter["subject"].as_str().is_some_and(|s| s.contains(&code)));
    code
}

async fn a_new_email_is_confirmed_by_the_code_sent_to_it(app: TestApp) {
    if !crate::recovery::smtp_ready() {
        return;
    }
    let port = free_port();
    let app = app.with_settings(|s| s.mail = Some(mail_settings(port, parta_server::mail::Security::None, None)));
    let server = MailServer::start(port, None).await;
    let c = class_with_people(&app, 736).await;
    let token = &c.parent.token;
    let old_email = c.parent.email.clone();
    let new_email = "novyi-adres-736@family.test";

    // The password first: a borrowed phone does not take the account over.
    ask_email(&app, token, new_email, "not my password").await.invalid(&[("current_password", "wrong_password")]);
    ask_email(&app, token, "not an address", PASSWORD).await.invalid(&[("email", "invalid_email")]);
    ask_email(&app, token, &old_email, PASSWORD).await.invalid(&[("email", "unchanged")]);
    let pending = ask_email(&app, token, new_email, PASSWORD).await.expect(202).json;
    assert_eq!(pending["sent_to"], new_email);
    assert!(pending["expires_at"].as_str().is_some());
    let code = code_sent_to(&app, &server, new_email).await;
    // Kept only as a digest.
    let plain = app
        .count(format!("SELECT COUNT(*) FROM contact_changes WHERE code_hash = '{code}' OR new_value = '{code}'"))
        .await;
    assert_eq!(plain, 0);
    // The old address works until the code is typed.
    assert_eq!(app.me(token).await["email"], old_email.as_str());

    // A wrong code counts; the right one replaces the address, once.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    confirm_email(&app, token, wrong).await.invalid(&[("code", "wrong_code")]);
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    let me = confirm_email(&app, token, &spaced).await.expect(200).json;
    assert_eq!(me["email"], new_email);
    confirm_email(&app, token, &code).await.problem(409, "no_pending_change");
    app.login(new_email, PASSWORD).await;
    // The old address is told where the account's letters go now.
    parta_server::mail::deliver_due(&app.state, parta_server::clock::now_ms() + 1).await.expect("delivered");
    let letters = server.letters();
    let notice = letters.iter().find(|l| l["to"] == old_email.as_str()).expect("a word to the old address");
    assert_eq!(notice["subject"], "Адрес почты в «Парте» изменён");
    assert!(notice["text"].as_str().is_some_and(|t| t.contains(new_email)), "{notice}");

    // Past fifteen minutes the code no longer works.
    ask_email(&app, token, "tretii-736@family.test", PASSWORD).await.expect(202);
    let code = code_sent_to(&app, &server, "tretii-736@family.test").await;
    app.sql("UPDATE contact_changes SET expires_at = 1").await;
    confirm_email(&app, token, &code).await.problem(410, "code_expired");
    confirm_email(&app, token, &code).await.problem(409, "no_pending_change");

    // Five wrong codes and the change is gone, the right code with it.
    ask_email(&app, token, "chetvertyi-736@family.test", PASSWORD).await.expect(202);
    let code = code_sent_to(&app, &server, "chetvertyi-736@family.test").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..4 {
        confirm_email(&app, token, wrong).await.invalid(&[("code", "wrong_code")]);
    }
    confirm_email(&app, token, wrong).await.problem(429, "code_attempts_exhausted");
    confirm_email(&app, token, &code).await.problem(409, "no_pending_change");
    assert_eq!(app.me(token).await["email"], new_email);

    // Another account's address: asked like any other (its owner gets the code), refused
    // only to whoever holds that code. The English letter for who chose English.
    let teacher = &c.teacher.token;
    app.put("/api/v1/me/language").token(teacher).json(json!({ "language": "en" })).send().await.expect(200);
    ask_email(&app, teacher, new_email, PASSWORD).await.expect(202);
    let code = code_sent_to(&app, &server, new_email).await;
    let letters = server.letters();
    let english = letters.iter().rev().find(|l| l["to"] == new_email).expect("the letter");
    assert!(english["text"].as_str().is_some_and(|t| t.contains("Your confirmation code is")), "{english}");
    confirm_email(&app, teacher, &code).await.problem(409, "email_taken");
    assert_eq!(app.me(teacher).await["email"], c.teacher.email.as_str());

    // Requests for a code are limited: five an hour (the teacher asked once).
    for n in 0..4 {
        ask_email(&app, teacher, &format!("limit-{n}-736@family.test"), PASSWORD).await.expect(202);
    }
    ask_email(&app, teacher, "limit-x-736@family.test", PASSWORD).await.problem(429, "contact_change_limit");
}

async fn a_phone_is_refused_without_an_sms_gateway(app: TestApp) {
    let c = class_with_people(&app, 737).await;
    let asked =
        app.post("/api/v1/me/phone").token(&c.parent.token).json(json!({ "phone": "8 (912) 345-67-89" })).send();
    let refused = asked.await.problem(409, "sms_not_configured");
    assert!(refused.json["detail"].as_str().is_some_and(|d| d.contains("SMS")));
    // Nothing waits to be confirmed, nothing changed.
    assert_eq!(app.count("SELECT COUNT(*) FROM contact_changes".into()).await, 0);
    app.post("/api/v1/me/phone/confirm")
        .token(&c.parent.token)
        .json(json!({ "code": "123456" }))
        .send()
        .await
        .problem(409, "no_pending_change");
    app.post("/api/v1/me/phone")
        .token(&c.parent.token)
        .json(json!({ "phone": "не номер" }))
        .send()
        .await
        .invalid(&[("phone", "invalid_phone")]);
}

/// An SMS gateway that keeps what it is given.
#[derive(Debug, Default)]
struct SmsOutbox(std::sync::Mutex<Vec<(String, String)>>);

impl parta_server::sms::SmsSender for SmsOutbox {
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> parta_server::sms::SmsFuture<'a> {
        Box::pin(async move {
            self.0.lock().expect("the outbox").push((to.to_owned(), text.to_owned()));
            Ok(())
        })
    }
}

async fn a_phone_is_confirmed_by_sms_where_a_gateway_is_configured(app: TestApp) {
    let outbox = std::sync::Arc::new(SmsOutbox::default());
    let sender: std::sync::Arc<dyn parta_server::sms::SmsSender> = outbox.clone();
    let app = app.with_settings(|s| s.sms = Some(sender));
    let c = class_with_people(&app, 740).await;
    let ask = |token: String, phone: &'static str| {
        let app = &app;
        async move { app.post("/api/v1/me/phone").token(&token).json(json!({ "phone": phone })).send().await }
    };
    let pending = ask(c.parent.token.clone(), "8 (912) 740-00-01").await.expect(202).json;
    assert_eq!(pending["sent_to"], "+79127400001");
    let (to, text) = outbox.0.lock().expect("the outbox").last().cloned().expect("an SMS");
    assert_eq!(to, "+79127400001");
    let code: String = text.split(|ch: char| !ch.is_ascii_digit()).find(|w| w.len() == 6).expect("a code").to_owned();
    let me = app
        .post("/api/v1/me/phone/confirm")
        .token(&c.parent.token)
        .json(json!({ "code": code }))
        .send()
        .await
        .expect(200)
        .json;
    assert_eq!(me["phone"], "+79127400001");
    // Another account's number: refused to whoever holds its code.
    ask(c.teacher.token.clone(), "+7 912 740-00-01").await.expect(202);
    let (_, text) = outbox.0.lock().expect("the outbox").last().cloned().expect("an SMS");
    let code: String = text.split(|ch: char| !ch.is_ascii_digit()).find(|w| w.len() == 6).expect("a code").to_owned();
    app.post("/api/v1/me/phone/confirm")
        .token(&c.teacher.token)
        .json(json!({ "code": code }))
        .send()
        .await
        .problem(409, "phone_taken");
}

/// The gateway a deployment names (`sms_url`): the code goes out as one HTTPS GET with
/// the number and the text in its query; a gateway that fails is an error, not a code
/// nobody got.
async fn a_phone_code_goes_through_an_https_sms_gateway(app: TestApp) {
    if !crate::push::receiver_ready() {
        return;
    }
    let dir = crate::push::certificate("sms");
    let gateway = crate::push::PushService::start(&dir).await;
    let pem = std::fs::read(dir.join("cert.pem")).expect("the certificate");
    let url = format!("{}?api_id=KEY&to={{digits}}&msg={{text}}", gateway.endpoint("sms/send"));
    let sender: std::sync::Arc<dyn parta_server::sms::SmsSender> =
        std::sync::Arc::new(parta_server::sms::HttpSms::new(&url, Some(&pem)).expect("a gateway"));
    let app = app.with_settings(|s| s.sms = Some(sender));
    let c = class_with_people(&app, 741).await;
    app.post("/api/v1/me/phone")
        .token(&c.parent.token)
        .json(json!({ "phone": "+7 912 741-00-01" }))
        .send()
        .await
        .expect(202);
    let asked = gateway.received();
    assert_eq!(asked.len(), 1, "{asked:?}");
    let path = asked[0]["path"].as_str().expect("a path");
    assert!(path.starts_with("/sms/send?api_id=KEY&to=79127410001&msg="), "{path}");
    let encoded = path.split("msg=").nth(1).expect("the text");
    let text = percent_decoded(encoded);
    assert!(text.starts_with("Код «Парты»: "), "{text} (sent as {encoded})");
    let code: String = text.split(|ch: char| !ch.is_ascii_digit()).find(|w| w.len() == 6).expect("a code").to_owned();
    app.post("/api/v1/me/phone/confirm").token(&c.parent.token).json(json!({ "code": code })).send().await.expect(200);
    let me = app.get("/api/v1/me").token(&c.parent.token).send().await.expect(200).json;
    assert_eq!(me["phone"], "+79127410001");

    // A gateway that answers 503: the request fails, and no code is confirmed by it.
    let down = format!("{}?to={{phone}}&msg={{text}}", gateway.endpoint("down/send"));
    let sender: std::sync::Arc<dyn parta_server::sms::SmsSender> =
        std::sync::Arc::new(parta_server::sms::HttpSms::new(&down, Some(&pem)).expect("a gateway"));
    let app = app.with_settings(|s| s.sms = Some(sender));
    app.post("/api/v1/me/phone")
        .token(&c.teacher.token)
        .json(json!({ "phone": "+7 912 741-00-02" }))
        .send()
        .await
        .problem(503, "sms_failed");
    assert!(
        gateway
            .received()
            .last()
            .is_some_and(|r| r["path"].as_str().is_some_and(|p| p.starts_with("/down/send?to=%2B79127410002")))
    );
}

/// `%D0%9A…` back to text, as the gateway reads its query.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).expect("a hex pair"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("UTF-8")
}

/// A 400 × 300 JPEG whose APP1 segment holds EXIF with a camera and a place in it.
fn jpeg_with_exif() -> Vec<u8> {
    let image = image::RgbImage::from_fn(400, 300, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 40]));
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Jpeg).expect("encode a JPEG");
    let plain = out.into_inner();
    // A big-endian TIFF header and one IFD entry (ImageDescription) pointing at the text.
    let text = b"SECRET-CAMERA GPS 55.7558N 37.6173E\0";
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&[0, 1]); // one entry
    tiff.extend_from_slice(&[0x01, 0x0E, 0, 2]); // ImageDescription, ASCII
    tiff.extend_from_slice(&(text.len() as u32).to_be_bytes());
    tiff.extend_from_slice(&26u32.to_be_bytes()); // offset of the text: 8 + 2 + 12 + 4
    tiff.extend_from_slice(&[0, 0, 0, 0]); // no next IFD
    tiff.extend_from_slice(text);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut jpeg = plain[..2].to_vec(); // start of image
    jpeg.extend_from_slice(&[0xFF, 0xE1]);
    jpeg.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    jpeg.extend_from_slice(&app1);
    jpeg.extend_from_slice(&plain[2..]);
    jpeg
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn a_photo_is_square_and_without_its_metadata(app: TestApp) {
    let c = class_with_people(&app, 738).await;
    let upload = jpeg_with_exif();
    assert!(contains(&upload, b"Exif\0\0") && contains(&upload, b"SECRET-CAMERA"));
    assert_eq!(image::load_from_memory(&upload).expect("the upload decodes").width(), 400);

    let me = app.put("/api/v1/me/photo").token(&c.student.token).raw("image/jpeg", upload).send().await.expect(200);
    let url = me.json["photo_url"].as_str().expect("a photo URL").to_owned();
    assert!(url.starts_with(&format!("/api/v1/users/{}/photo?v=", c.student.id)), "{url}");
    let photo = app.get(&url).token(&c.student.token).send().await.expect(200);
    assert_eq!(photo.header_str("content-type"), Some("image/jpeg"));
    let bytes = &photo.bytes;
    assert_eq!(&bytes[..3], &[0xFF, 0xD8, 0xFF]);
    assert!(!contains(bytes, b"Exif"), "no EXIF left");
    assert!(!contains(bytes, b"SECRET-CAMERA"), "nothing of the metadata left");
    assert!(!bytes.windows(2).any(|w| w == [0xFF, 0xE1]), "no APP1 segment");
    let decoded = image::load_from_memory(bytes).expect("a JPEG");
    assert_eq!((decoded.width(), decoded.height()), (256, 256));

    // Who shares the school reads it: a classmate's parent, the teacher, the admin.
    for token in [&c.parent.token, &c.teacher.token, &c.school.admin] {
        app.get(&url).token(token).send().await.expect(200);
    }
    // Another school's people never see this school's people.
    let other = app.school(739).await;
    let stranger = app.join(&other, other.staff_room, "teacher", None, "Чужова").await;
    for token in [&other.admin, &stranger.token] {
        app.get(&url).token(token).send().await.problem(404, "not_found");
    }
    app.get(&url).send().await.problem(401, "unauthenticated");

    // A PNG by form replaces it (a new URL); what is not an image is refused.
    let (content_type, body) = multipart(&[], &[("file", "me.png", &crate::support::png(300, 500))]);
    let me = app.put("/api/v1/me/photo").token(&c.student.token).raw(&content_type, body).send().await.expect(200);
    let new_url = me.json["photo_url"].as_str().expect("a photo URL").to_owned();
    assert_ne!(new_url, url);
    let decoded = image::load_from_memory(&app.get(&new_url).token(&c.parent.token).send().await.expect(200).bytes)
        .expect("a JPEG");
    assert_eq!((decoded.width(), decoded.height()), (256, 256));
    app.put("/api/v1/me/photo")
        .token(&c.student.token)
        .raw("image/jpeg", b"%PDF-1.7 not an image".to_vec())
        .send()
        .await
        .invalid(&[("file", "not_an_image")]);
    app.put("/api/v1/me/photo")
        .token(&c.student.token)
        .raw("image/jpeg", Vec::new())
        .send()
        .await
        .invalid(&[("file", "required")]);

    // Removed: gone for everyone.
    let me = app.delete("/api/v1/me/photo").token(&c.student.token).send().await.expect(200);
    assert_eq!(me.json["photo_url"], Value::Null);
    app.get(&new_url).token(&c.student.token).send().await.problem(404, "not_found");
}
