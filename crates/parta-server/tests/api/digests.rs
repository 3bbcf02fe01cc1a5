//! A parent's digest by e-mail, checked against the test's own account of what
//! happened: each child's marks, absences and homework, the posts awaiting their
//! confirmation, the school's announcements; nothing of other families; nothing for
//! who did not ask or has no news; stopped from the letter's link without signing in.

use serde_json::json;

use crate::journal::{days_ahead, lessons_path, marked_lesson, week};
use crate::messaging::chat_id;
use crate::on_both_backends;
use crate::support::{Person, TestApp};
use crate::timetable::setup;

on_both_backends!(a_parent_gets_a_digest_of_what_happened_for_the_child);

async fn digest_letters(app: &TestApp, to: &str) -> Vec<(String, String)> {
    sqlx::query_as("SELECT subject, text_body FROM mail_outbox WHERE kind = 'digest' AND to_address = $1 ORDER BY id")
        .bind(to)
        .fetch_all(&mut *app.state.db.reads().acquire().await.expect("a connection"))
        .await
        .expect("the outbox")
}

async fn subscribe(app: &TestApp, who: &Person, frequency: &str) -> serde_json::Value {
    app.put("/api/v1/me/digest").token(&who.token).json(json!({ "frequency": frequency })).send().await.expect(200).json
}

async fn a_parent_gets_a_digest_of_what_happened_for_the_child(app: TestApp) {
    let s = setup(&app, 631).await;
    week(&app, &s).await;
    let [monday, _, _] = days_ahead(&app, &s).await;
    let org = s.school.org;
    let parent = app.join(&s.school, s.class_a, "parent", Some(s.student.id), "Родителева").await;
    let classmate = app.join(&s.school, s.class_a, "student", None, "Одноклассников").await;
    let other_parent = app.join(&s.school, s.class_a, "parent", Some(classmate.id), "Чужой-Родитель").await;
    let quiet_parent = app.join(&s.school, s.class_b, "parent", Some(s.other_student.id), "Тихонова").await;

    // Who asks for what: daily, weekly, nothing; a made-up frequency is refused.
    let daily = subscribe(&app, &parent, "daily").await;
    assert_eq!(daily["frequency"], "daily");
    assert_eq!(daily["email"], parent.email.as_str());
    let due: jiff::Timestamp = daily["next_due_at"].as_str().expect("a time").parse().expect("RFC 3339");
    let local = due.to_zoned(jiff::tz::TimeZone::get("Asia/Yekaterinburg").expect("zone"));
    assert_eq!((local.hour(), local.minute()), (18, 0), "made at 18:00 where the school is");
    subscribe(&app, &quiet_parent, "weekly").await;
    app.put("/api/v1/me/digest")
        .token(&parent.token)
        .json(json!({ "frequency": "hourly" }))
        .send()
        .await
        .invalid(&[("frequency", "invalid_value")]);
    assert_eq!(
        app.get("/api/v1/me/digest").token(&other_parent.token).send().await.expect(200).json["frequency"],
        "off"
    );

    // What happens: a mark and homework for the child, an absence for the classmate, an
    // announcement in the school channel, a post to confirm in the parents chat.
    let (lesson, _) = marked_lesson(&app, &s, &monday, classmate.id).await;
    app.put(&format!("{}/{lesson}/homework", lessons_path(&s)))
        .token(&s.maths.token)
        .json(json!({ "body": "№ 15, 16 на с. 42", "due_on": monday }))
        .send()
        .await
        .expect(200);
    let channel = chat_id(&app, &s.school.admin, org, "school_channel", None).await;
    app.post(&format!("/api/v1/chats/{channel}/messages"))
        .token(&s.school.admin)
        .json(json!({ "client_msg_id": "news-631", "body": "В субботу субботник, начало в 10:00" }))
        .send()
        .await
        .expect(201);
    app.assign_class_teacher(&s.school, s.class_a, s.english.id).await;
    let parents_chat = chat_id(&app, &s.english.token, org, "parents", Some(s.class_a)).await;
    app.post(&format!("/api/v1/chats/{parents_chat}/messages"))
        .token(&s.english.token)
        .json(json!({ "client_msg_id": "ack-631", "body": "Собрание в четверг в 18:30", "needs_ack": true }))
        .send()
        .await
        .expect(201);

    // Evening: the parent's digest, and only theirs (the weekly one is not due; the
    // other parent asked for none).
    let evening = due.as_millisecond();
    let queued = parta_server::actions::digests::send_due(&app.state, evening).await.expect("a run");
    assert_eq!(queued, 1);
    assert_eq!(parta_server::actions::digests::send_due(&app.state, evening).await.expect("again"), 0, "taken once");
    let letters = digest_letters(&app, &parent.email).await;
    assert_eq!(letters.len(), 1);
    let (subject, text) = &letters[0];
    assert!(subject.starts_with("«Парта»: сводка за "), "{subject}");
    for expected in [
        "Здравствуйте, Тест!",
        &format!("Оценка 5 — Математика, {monday}"),
        &format!("Домашнее задание — Математика к {monday}: № 15, 16 на с. 42"),
        "Ждут вашего подтверждения",
        "Собрание в четверг в 18:30",
        "Объявления школы",
        "В субботу субботник, начало в 10:00",
    ] {
        assert!(text.contains(expected), "«{expected}» is not in the digest:\n{text}");
    }
    assert!(!text.contains("Пропуск"), "the classmate's absence is another family's:\n{text}");
    assert!(digest_letters(&app, &other_parent.email).await.is_empty(), "asked for none");
    assert!(digest_letters(&app, &quiet_parent.email).await.is_empty(), "not due");

    // A week on, the weekly parent's digest is due; with nothing for them it is not sent.
    let week_on = evening + 8 * 86_400_000;
    parta_server::actions::digests::send_due(&app.state, week_on).await.expect("a run");
    let theirs = digest_letters(&app, &quiet_parent.email).await;
    assert!(theirs.iter().all(|(_, t)| !t.contains("Оценка")), "{theirs:?}");

    // The letter's link stops it without signing in, twice is no harm; a made-up one is refused.
    let link = text.split_whitespace().find(|w| w.contains("/unsubscribe?token=")).expect("a stop link");
    // Every letter carries the same link: the daily one made a week on too (the post still awaits).
    let later = digest_letters(&app, &parent.email).await;
    assert!(later.len() > 1 && later.iter().all(|(_, t)| t.contains(link)), "{later:?}");
    let token = link.split("token=").nth(1).expect("a token");
    // The mail program's own «unsubscribe» (RFC 8058) stops it at one click; opened in a
    // browser, the same address stops nothing and leads to the page that asks.
    let headers: Vec<Option<String>> =
        sqlx::query_scalar("SELECT list_unsubscribe FROM mail_outbox WHERE kind = 'digest' AND to_address = $1")
            .bind(&parent.email)
            .fetch_all(&mut *app.state.db.reads().acquire().await.expect("a connection"))
            .await
            .expect("the outbox");
    let base = link.split("/unsubscribe?token=").next().expect("the public address");
    let one_click = format!("{base}/api/v1/digest/unsubscribe/{token}");
    assert!(headers.iter().all(|h| h.as_deref() == Some(one_click.as_str())), "{headers:?} ≠ {one_click}");
    let path = one_click.trim_start_matches(base);
    let opened = app.get(path).send().await.expect(303);
    assert_eq!(opened.header_str("location"), Some(format!("/unsubscribe?token={token}").as_str()));
    assert_eq!(app.get("/api/v1/me/digest").token(&parent.token).send().await.expect(200).json["frequency"], "daily");
    app.post(path)
        .raw("application/x-www-form-urlencoded", b"List-Unsubscribe=One-Click".to_vec())
        .send()
        .await
        .expect(204);
    assert_eq!(app.get("/api/v1/me/digest").token(&parent.token).send().await.expect(200).json["frequency"], "off");
    app.post("/api/v1/digest/unsubscribe").json(json!({ "token": token })).send().await.expect(204);
    app.post("/api/v1/digest/unsubscribe")
        .json(json!({ "token": "not-a-token" }))
        .send()
        .await
        .problem(410, "unsubscribe_link_unknown");
}
