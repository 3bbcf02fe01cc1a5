//! Several nodes: two `parta serve` instances on one PostgreSQL and one NATS
//! deliver to each other's WebSocket clients, in order and without loss.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{Socket, TestApp, sent_bodies};

async fn chat(app: &TestApp, token: &str, org: i64, kind: &str) -> i64 {
    let chats = app.get(&format!("/api/v1/chats?org_id={org}")).token(token).send().await.expect(200);
    chats.json.as_array().expect("list").iter().find(|c| c["kind"] == kind).expect("chat")["id"].as_i64().expect("id")
}

#[tokio::test]
async fn two_nodes_deliver_to_each_others_sockets() {
    let Some((one, two)) = TestApp::cluster().await else { return };
    let school = one.school(81).await;
    let class = one.create_class(&school, "7А", 7).await;
    let teacher = one.join(&school, school.staff_room, "teacher", None, "Узлова").await;
    one.assign_class_teacher(&school, class, teacher.id).await;
    let student = one.join(&school, class, "student", None, "Кластеров").await;
    let class_chat = chat(&one, &student.token, school.org, "class").await;
    let (one_address, two_address) = (one.serve().await, two.serve().await);

    // The teacher listens on node two; the student writes through node one, and back.
    let (mut teacher_socket, _) = Socket::connect(two_address, &teacher.token).await;
    let (mut student_socket, _) = Socket::connect(one_address, &student.token).await;
    for n in 1..=20 {
        one.post(&format!("/api/v1/chats/{class_chat}/messages"))
            .token(&student.token)
            .json(json!({ "client_msg_id": format!("c-{n}"), "body": format!("Вопрос {n}") }))
            .send()
            .await
            .expect(201);
    }
    let mut heard: Vec<Value> = Vec::new();
    while sent_bodies(&heard, class_chat).len() < 20 {
        heard.push(teacher_socket.next().await.expect("the teacher hears every message"));
    }
    let expected: Vec<String> = (1..=20).map(|n| format!("Вопрос {n}")).collect();
    assert_eq!(sent_bodies(&heard, class_chat), expected, "in order, once each");
    two.post(&format!("/api/v1/chats/{class_chat}/messages"))
        .token(&teacher.token)
        .json(json!({ "client_msg_id": "answer", "body": "Отвечаю на уроке" }))
        .send()
        .await
        .expect(201);
    // The student's own socket carries their 20 messages too (other devices stay in step), then the answer.
    let mut frames = Vec::new();
    while sent_bodies(&frames, class_chat).len() < 21 {
        frames.push(student_socket.next().await.expect("the student hears the answer"));
    }
    assert_eq!(sent_bodies(&frames, class_chat)[20], "Отвечаю на уроке");

    // Logging out on node two closes the socket on node one.
    two.post("/api/v1/auth/logout").token(&student.token).send().await.expect(204);
    assert_eq!(student_socket.closed_with(Duration::from_secs(1)).await, Some(4003));
    // Node one, which has the session in its cache, refuses it as soon as the bus
    // tells it: well before its cache would read the session again.
    let told_by = tokio::time::Instant::now() + Duration::from_secs(1);
    while one.get("/api/v1/me").token(&student.token).send().await.status != 401 {
        assert!(tokio::time::Instant::now() < told_by, "node one still serves an ended session");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn upload(app: &TestApp, token: &str, chat: i64, name: &str, bytes: &[u8]) -> crate::support::Reply {
    let (content_type, body) = crate::support::multipart(&[], &[("file", name, bytes)]);
    app.post(&format!("/api/v1/chats/{chat}/files")).token(token).raw(&content_type, body).send().await
}

#[tokio::test]
async fn two_nodes_serve_each_others_files_from_one_s3_store() {
    if crate::support::s3_settings().is_none() {
        return;
    }
    let Some((one, two)) = TestApp::cluster().await else { return };
    const LIMIT: usize = 12 * 1024 * 1024;
    let (one, two) = (one.with_settings(|s| s.max_file_bytes = LIMIT), two.with_settings(|s| s.max_file_bytes = LIMIT));
    let school = one.school(82).await;
    let class = one.create_class(&school, "8Б", 8).await;
    let teacher = one.join(&school, school.staff_room, "teacher", None, "Файлова").await;
    one.assign_class_teacher(&school, class, teacher.id).await;
    let student = one.join(&school, class, "student", None, "Облаков").await;
    let class_chat = chat(&one, &student.token, school.org, "class").await;

    // 11 MiB: sent to the store in three parts while it arrives, through node one.
    let big: Vec<u8> = (0..11 * 1024 * 1024u32).map(|i| (i.wrapping_mul(31) % 251) as u8).collect();
    let file = upload(&one, &student.token, class_chat, "проект.bin", &big).await.expect(201);
    assert_eq!(file.json["size"], big.len());
    let id = file.id();
    let image = upload(&one, &student.token, class_chat, "доска.png", &crate::support::png(800, 600)).await.expect(201);
    assert_eq!(image.json["has_thumbnail"], true, "the preview was made from the stored image");
    one.post(&format!("/api/v1/chats/{class_chat}/messages"))
        .token(&student.token)
        .json(json!({ "client_msg_id": "files", "body": "Проект", "attachments": [id, image.id()] }))
        .send()
        .await
        .expect(201);

    // Node two reads them from the same store: whole, by a range across parts, the preview.
    let whole = two.get(&format!("/api/v1/files/{id}")).token(&teacher.token).send().await.expect(200);
    assert!(whole.bytes == big, "the file comes back byte for byte");
    let (start, end) = (5 * 1024 * 1024 - 10, 5 * 1024 * 1024 + 9);
    let part = two
        .get(&format!("/api/v1/files/{id}"))
        .token(&teacher.token)
        .header("range", &format!("bytes={start}-{end}"))
        .send()
        .await
        .expect(206);
    assert_eq!(part.bytes, &big[start..=end]);
    let preview =
        two.get(&format!("/api/v1/files/{}/thumbnail", image.id())).token(&teacher.token).send().await.expect(200);
    assert_eq!(preview.header_str("content-type"), Some("image/jpeg"));

    // An upload over the limit is given up midway: 413, and nothing to attach.
    let too_big = vec![7u8; LIMIT + 1];
    upload(&two, &teacher.token, class_chat, "много.bin", &too_big).await.problem(413, "payload_too_large");
    // A small file written through node two is read through node one.
    let note = upload(&two, &teacher.token, class_chat, "итоги.txt", "Итоги четверти".as_bytes()).await.expect(201);
    let back = one.get(&format!("/api/v1/files/{}", note.id())).token(&teacher.token).send().await.expect(200);
    assert_eq!(back.bytes, "Итоги четверти".as_bytes());

    // A chat's history uploaded through node one is applied through node two, its
    // progress answered by node one; its photo is read through either.
    use crate::chat_import::{apply_on, telegram_export, upload as upload_export, zip_of};
    let photo = crate::support::png(8, 8);
    let export = zip_of(&[
        ("ChatExport/result.json", telegram_export().as_bytes()),
        ("ChatExport/photos/photo_1@01-01-2024_10-03-00.jpg", &photo),
    ]);
    let staged = upload_export(&one, &school.admin, class_chat, "application/zip", export).await.expect(200).json;
    let import = staged["import_id"].as_str().expect("id");
    let mapping = json!({ "authors": [
        { "name": "Тест Классова", "member_id": teacher.id },
        { "name": "Ученик Тест", "member_id": student.id },
        { "name": "Бабушка Маша", "member_id": null },
    ]});
    let done = apply_on(&two, &one, &school.admin, class_chat, import, mapping).await;
    assert_eq!(
        (done["state"].as_str(), done["imported"].as_i64(), done["files"].as_i64()),
        (Some("done"), Some(4), Some(1))
    );
    let photo_id =
        one.count(format!("SELECT id FROM files WHERE chat_id = {class_chat} AND original_name LIKE 'photo_1%'")).await;
    let back = one.get(&format!("/api/v1/files/{photo_id}")).token(&student.token).send().await.expect(200);
    assert!(back.bytes == photo, "the imported photo comes back through node one");
}
