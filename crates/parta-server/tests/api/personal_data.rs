//! A person's copy of what Parta holds about them (152-ФЗ): one zip with their
//! profile, places, sessions, notifications, messages and uploaded files — theirs
//! only — a few times an hour.

use std::io::Read;

use serde_json::{Value, json};

use crate::messaging::{chat_id, class_with_people};
use crate::on_both_backends;
use crate::support::{TestApp, multipart};

on_both_backends!(a_person_downloads_everything_parta_holds_about_them);

fn entry(archive: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, name: &str) -> Vec<u8> {
    let mut file = archive.by_name(name).unwrap_or_else(|_| panic!("{name} is in the archive"));
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).expect("readable");
    bytes
}

fn json_entry(archive: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, name: &str) -> Value {
    serde_json::from_slice(&entry(archive, name)).unwrap_or_else(|e| panic!("{name} is JSON: {e}"))
}

async fn a_person_downloads_everything_parta_holds_about_them(app: TestApp) {
    let c = class_with_people(&app, 652).await;
    let chat = chat_id(&app, &c.parent.token, c.school.org, "parents", Some(c.a)).await;
    let upload = |token: String, name: &'static str, bytes: Vec<u8>| {
        let (content_type, body) = multipart(&[], &[("file", name, &bytes)]);
        app.post(&format!("/api/v1/chats/{chat}/files")).token(&token).raw(&content_type, body)
    };
    let mine = "Справка для бассейна\n".repeat(50).into_bytes();
    let file = upload(c.parent.token.clone(), "справка.txt", mine.clone()).send().await.expect(201).id();
    app.post(&format!("/api/v1/chats/{chat}/messages"))
        .token(&c.parent.token)
        .json(json!({ "client_msg_id": "pd-1", "body": "Прикладываю справку", "attachments": [file] }))
        .send()
        .await
        .expect(201);
    let theirs =
        upload(c.teacher.token.clone(), "чужой.txt", b"not the parent's".to_vec()).send().await.expect(201).id();
    app.post(&format!("/api/v1/chats/{chat}/messages"))
        .token(&c.teacher.token)
        .json(json!({ "client_msg_id": "pd-2", "body": format!("@[Родитель]({}) спасибо!", c.parent.id), "attachments": [theirs] }))
        .send()
        .await
        .expect(201);

    let got = app.get("/api/v1/me/export").token(&c.parent.token).send().await.expect(200);
    assert_eq!(got.header_str("content-type"), Some("application/zip"));
    assert!(got.header_str("content-disposition").is_some_and(|d| d.starts_with("attachment; filename=\"parta-data-")));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(got.bytes.clone())).expect("a zip");
    let readme = String::from_utf8(entry(&mut archive, "README.txt")).expect("text");
    assert!(readme.contains("Это копия данных"), "{readme}");
    let profile = json_entry(&mut archive, "profile.json");
    assert_eq!(profile["email"], c.parent.email.as_str());
    assert_eq!(profile["consents"].as_array().map(Vec::len), Some(2), "their own and for their child: {profile}");
    let places = json_entry(&mut archive, "memberships.json");
    assert_eq!(places[0]["role"], "parent");
    assert_eq!(places[0]["class"], "5А");
    assert!(places[0]["child"].as_str().is_some_and(|c| c.contains("Учеников")), "{places}");
    let messages = json_entry(&mut archive, "messages.json");
    let bodies: Vec<&str> =
        messages["messages"].as_array().expect("list").iter().filter_map(|m| m["body"].as_str()).collect();
    assert_eq!(bodies, ["Прикладываю справку"], "their own messages only");
    let notifications = json_entry(&mut archive, "notifications.json");
    assert_eq!(notifications[0]["kind"], "mention");
    assert_eq!(json_entry(&mut archive, "sessions.json").as_array().map(Vec::len), Some(1));
    assert_eq!(json_entry(&mut archive, "sign-in-services.json"), json!([]), "no service linked");
    let files = json_entry(&mut archive, "files.json");
    assert_eq!(files.as_array().map(Vec::len), Some(1), "their uploads only: {files}");
    let path = files[0]["path"].as_str().expect("in the archive");
    assert_eq!(path, format!("files/{file}-справка.txt"));
    assert_eq!(entry(&mut archive, path), mine);
    let names: Vec<String> = archive.file_names().map(|n| n.expect("a name").into_owned()).collect();
    assert!(!names.iter().any(|n| n.contains("чужой")), "{names:?}");

    // Three copies an hour.
    app.get("/api/v1/me/export").token(&c.parent.token).send().await.expect(200);
    app.get("/api/v1/me/export").token(&c.parent.token).send().await.expect(200);
    app.get("/api/v1/me/export").token(&c.parent.token).send().await.problem(429, "export_limit");
    app.get("/api/v1/me/export").token(&c.teacher.token).send().await.expect(200);
}
