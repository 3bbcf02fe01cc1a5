//! A chat's history imported from Telegram and WhatsApp exports: the dry run with
//! its suggested authors, the mapping confirmed and corrected, guests, replies,
//! forwards and photos, the original times, the same export again adding nothing;
//! hostile exports refused with their codes and the chat as it was; and who may
//! import (the chat's owner, an admin of its school) and who may not.

use std::io::Write;

use serde_json::{Value, json};

use crate::messaging::{chat_id, class_with_people};
use crate::on_both_backends;
use crate::support::{TestApp, png};

on_both_backends!(
    a_telegram_export_is_tried_then_imported_once_with_replies_forwards_and_photos,
    whatsapp_exports_in_russian_and_english_are_imported_in_the_chosen_zone,
    hostile_exports_are_refused_with_their_code_and_the_chat_stays_as_it_was,
    only_the_chats_owner_or_a_school_admin_may_import,
    an_importer_has_one_import_kept_for_an_hour_and_a_cut_off_run_may_be_applied_again,
    a_long_history_is_written_a_thousand_at_a_time_in_one_row_of_positions_then_told_once,
);

pub(crate) fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        zip.start_file(*name, options).expect("entry");
        zip.write_all(bytes).expect("written");
    }
    zip.finish().expect("zip").into_inner()
}

pub(crate) fn telegram_export() -> String {
    json!({
        "name": "5А чат", "type": "private_group", "id": 42,
        "messages": [
            {"id": 10, "type": "service", "date_unixtime": "1704099600", "actor": "Классова Тест", "action": "create_group", "text": ""},
            {"id": 11, "type": "message", "date_unixtime": "1704103200", "from": "Тест Классова", "from_id": "user1",
             "text": ["Завтра ", {"type": "bold", "text": "контрольная"}, " по математике"]},
            {"id": 12, "type": "message", "date_unixtime": "1704103260", "from": "Ученик Тест", "from_id": "user2",
             "text": "А во сколько?", "reply_to_message_id": 11},
            {"id": 13, "type": "message", "date_unixtime": "1704103320", "from": "Бабушка Маша", "from_id": "user3",
             "text": "Смотрите расписание", "forwarded_from": "Школа № 1"},
            {"id": 14, "type": "message", "date_unixtime": "1704103380", "from": "Тест Классова", "from_id": "user1",
             "text": "", "photo": "photos/photo_1@01-01-2024_10-03-00.jpg"}
        ]
    })
    .to_string()
}

/// Uploads an export as `token`; the reply as it comes.
pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    chat: i64,
    content_type: &str,
    body: Vec<u8>,
) -> crate::support::Reply {
    app.post(&format!("/api/v1/chats/{chat}/imports")).token(token).raw(content_type, body).send().await
}

/// Applies a staged import and waits for it to end; its final progress.
async fn apply(app: &TestApp, token: &str, chat: i64, import: &str, body: Value) -> Value {
    apply_on(app, app, token, chat, import, body).await
}

/// Applies a staged import through one node and waits for it to end, asking another.
pub(crate) async fn apply_on(
    applying: &TestApp,
    asked: &TestApp,
    token: &str,
    chat: i64,
    import: &str,
    body: Value,
) -> Value {
    applying
        .post(&format!("/api/v1/chats/{chat}/imports/{import}/apply"))
        .token(token)
        .json(body)
        .send()
        .await
        .expect(200);
    for _ in 0..400 {
        let progress =
            asked.get(&format!("/api/v1/chats/{chat}/imports/{import}")).token(token).send().await.expect(200).json;
        if progress["state"] != "running" {
            return progress;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the import did not end");
}

async fn messages(app: &TestApp, token: &str, chat: i64) -> Vec<Value> {
    let page = app.get(&format!("/api/v1/chats/{chat}/messages?limit=100")).token(token).send().await.expect(200);
    let mut list = page.json["messages"].as_array().expect("list").clone();
    list.sort_by_key(|m| m["seq"].as_i64());
    list
}

async fn count_messages(app: &TestApp, chat: i64) -> i64 {
    app.count(format!("SELECT COUNT(*) FROM messages WHERE chat_id = {chat}")).await
}

async fn a_telegram_export_is_tried_then_imported_once_with_replies_forwards_and_photos(app: TestApp) {
    let c = class_with_people(&app, 901).await;
    let chat = chat_id(&app, &c.teacher.token, c.school.org, "class", Some(c.a)).await;
    let photo = png(8, 8);
    let bundle = zip_of(&[
        ("ChatExport_2024-01-01/result.json", telegram_export().as_bytes()),
        ("ChatExport_2024-01-01/photos/photo_1@01-01-2024_10-03-00.jpg", &photo),
    ]);

    // The dry run: the school's admin (not sitting in the class's chat) imports.
    let preview = upload(&app, &c.school.admin, chat, "application/zip", bundle.clone()).await.expect(200).json;
    assert_eq!(preview["source"], "telegram");
    assert_eq!(preview["chat_name"], "5А чат");
    assert_eq!(preview["messages"], 4);
    assert_eq!(preview["already_imported"], 0);
    assert_eq!(preview["first_at"], "2024-01-01T10:00:00Z");
    assert_eq!(preview["files"]["found"], 1);
    assert_eq!(preview["skipped"], json!([{ "reason": "service_message", "count": 1 }]));
    assert_eq!(preview["needs_time_zone"], false);
    let authors = preview["authors"].as_array().expect("authors");
    let suggested =
        |name: &str| authors.iter().find(|a| a["name"] == name).expect("author")["suggested_member"].clone();
    // «Тест Классова» is the teacher's name, words the other way round.
    assert_eq!(suggested("Тест Классова"), json!(c.teacher.id));
    assert_eq!(suggested("Ученик Тест"), Value::Null);
    assert_eq!(suggested("Бабушка Маша"), Value::Null);
    assert_eq!(count_messages(&app, chat).await, 0, "a dry run writes nothing");

    // The mapping confirmed for the teacher, corrected for the student, a guest kept.
    let import = preview["import_id"].as_str().expect("id").to_owned();
    let mapping = json!({ "authors": [
        { "name": "Тест Классова", "member_id": c.teacher.id },
        { "name": "Ученик Тест", "member_id": c.student.id },
        { "name": "Бабушка Маша", "member_id": null },
    ]});
    // Someone else cannot apply it.
    app.post(&format!("/api/v1/chats/{chat}/imports/{import}/apply"))
        .token(&c.teacher.token)
        .json(mapping.clone())
        .send()
        .await
        .problem(404, "not_found");
    // A mapping to someone outside the chat is refused.
    app.post(&format!("/api/v1/chats/{chat}/imports/{import}/apply"))
        .token(&c.school.admin)
        .json(json!({ "authors": [{ "name": "Тест Классова", "member_id": c.parent.id }] }))
        .send()
        .await
        .invalid(&[("authors[0].member_id", "not_a_member")]);
    let notifications = app.count("SELECT COUNT(*) FROM notifications".into()).await;
    let pushes = app.count("SELECT COUNT(*) FROM push_events".into()).await;
    let done = apply(&app, &c.school.admin, chat, &import, mapping.clone()).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["imported"], 4);
    assert_eq!(done["files"], 1);

    let list = messages(&app, &c.student.token, chat).await;
    assert_eq!(list.len(), 4);
    assert!(list.iter().all(|m| m["imported"] == true));
    assert_eq!(list[0]["sender"]["id"], c.teacher.id);
    assert_eq!(list[0]["body"], "Завтра контрольная по математике");
    assert_eq!(list[0]["created_at"], "2024-01-01T10:00:00Z");
    assert_eq!(list[1]["sender"]["id"], c.student.id);
    assert_eq!(list[1]["reply_to"], list[0]["id"]);
    assert_eq!(list[2]["guest_name"], "Бабушка Маша");
    assert_eq!(list[2]["sender"]["id"], c.school.admin_id, "a guest's message is stored under its importer");
    assert_eq!(list[2]["forwarded_from_name"], "Школа № 1");
    assert_eq!(list[3]["attachments"].as_array().expect("files").len(), 1);
    let file = list[3]["attachments"][0]["id"].as_i64().expect("file id");
    let downloaded = app.get(&format!("/api/v1/files/{file}")).token(&c.student.token).send().await.expect(200);
    assert_eq!(downloaded.bytes, photo);
    // Nobody was told of each message: no notifications, no pushes; the student had
    // read everything, so the history is no news to them.
    assert_eq!(app.count("SELECT COUNT(*) FROM notifications".into()).await, notifications);
    assert_eq!(app.count("SELECT COUNT(*) FROM push_events".into()).await, pushes);
    let chats = app.get(&format!("/api/v1/chats/{chat}")).token(&c.student.token).send().await.expect(200).json;
    assert_eq!(chats["unread"], 0, "{chats}");
    // An imported message is the export's words: not edited as its sender's.
    let id = list[0]["id"].as_i64().expect("id");
    app.patch(&format!("/api/v1/chats/{chat}/messages/{id}"))
        .token(&c.teacher.token)
        .json(json!({ "body": "другое" }))
        .send()
        .await
        .problem(409, "imported_message");

    // The same export again: everything already there, nothing added.
    let again = upload(&app, &c.school.admin, chat, "application/zip", bundle).await.expect(200).json;
    assert_eq!(again["already_imported"], 4);
    let import = again["import_id"].as_str().expect("id").to_owned();
    let done = apply(&app, &c.school.admin, chat, &import, mapping).await;
    assert_eq!((done["state"].as_str(), done["imported"].as_i64()), (Some("done"), Some(0)));
    assert_eq!(count_messages(&app, chat).await, 4);
}

const WHATSAPP_RU: &str = "12.01.2024, 09:05 - Сообщения и звонки защищены сквозным шифрованием.\n\
12.01.2024, 09:06 - Классова Тест: Доброе утро!\nНе забудьте сменку\n\
12.01.2024, 09:07 - Мама Пети: IMG-20240112-WA0001.jpg (файл добавлен)\nФото расписания\n\
12.01.2024, 09:08 - Мама Пети: DOC-20240112-WA0002.pdf (файл добавлен)\n";

const WHATSAPP_EN: &str = "1/13/24, 9:05 PM - Classova: Homework is on page 12\n\
1/13/24, 9:06 PM - Classova: and page 13\nthat's all\n";

async fn whatsapp_exports_in_russian_and_english_are_imported_in_the_chosen_zone(app: TestApp) {
    let c = class_with_people(&app, 902).await;
    let chat = chat_id(&app, &c.teacher.token, c.school.org, "class", Some(c.a)).await;
    let photo = png(4, 4);
    let bundle = zip_of(&[("WhatsApp Chat with 5А.txt", WHATSAPP_RU.as_bytes()), ("IMG-20240112-WA0001.jpg", &photo)]);
    let preview = upload(&app, &c.teacher.token, chat, "application/zip", bundle).await;
    // The teacher neither owns the class's chat nor runs the school.
    preview.problem(403, "forbidden");
    let bundle = zip_of(&[("WhatsApp Chat with 5А.txt", WHATSAPP_RU.as_bytes()), ("IMG-20240112-WA0001.jpg", &photo)]);
    let preview = upload(&app, &c.school.admin, chat, "application/zip", bundle).await.expect(200).json;
    assert_eq!(preview["source"], "whatsapp");
    assert_eq!(preview["messages"], 3);
    assert_eq!(preview["needs_time_zone"], true);
    assert_eq!(preview["first_at"], "2024-01-12T09:06:00");
    assert_eq!(preview["files"]["found"], 1);
    assert_eq!(preview["files"]["missing"], 1);
    assert_eq!(preview["skipped"], json!([{ "reason": "service_message", "count": 1 }]));
    let import = preview["import_id"].as_str().expect("id").to_owned();
    // Every author must be mapped.
    app.post(&format!("/api/v1/chats/{chat}/imports/{import}/apply"))
        .token(&c.school.admin)
        .json(json!({ "authors": [{ "name": "Классова Тест", "member_id": c.teacher.id }] }))
        .send()
        .await
        .invalid(&[("authors", "author_missing")]);
    let mapping = json!({ "time_zone": "Asia/Yekaterinburg", "authors": [
        { "name": "Классова Тест", "member_id": c.teacher.id },
        { "name": "Мама Пети", "member_id": null },
    ]});
    let done = apply(&app, &c.school.admin, chat, &import, mapping).await;
    assert_eq!(
        (done["state"].as_str(), done["imported"].as_i64(), done["files"].as_i64()),
        (Some("done"), Some(3), Some(1))
    );
    let list = messages(&app, &c.teacher.token, chat).await;
    assert_eq!(list[0]["body"], "Доброе утро!\nНе забудьте сменку");
    // 09:06 in Yekaterinburg (UTC+5).
    assert_eq!(list[0]["created_at"], "2024-01-12T04:06:00Z");
    assert_eq!(list[1]["body"], "Фото расписания");
    assert_eq!(list[1]["guest_name"], "Мама Пети");
    assert_eq!(list[1]["attachments"].as_array().expect("files").len(), 1);
    assert_eq!(list[2]["attachments"].as_array().expect("files").len(), 0, "the missing file is not there");

    // English, month first, as a bare text file; the school's zone when none is given.
    let preview =
        upload(&app, &c.school.admin, chat, "text/plain", WHATSAPP_EN.as_bytes().to_vec()).await.expect(200).json;
    assert_eq!(preview["first_at"], "2024-01-13T21:05:00");
    let import = preview["import_id"].as_str().expect("id").to_owned();
    let done =
        apply(&app, &c.school.admin, chat, &import, json!({ "authors": [{ "name": "Classova", "member_id": null }] }))
            .await;
    assert_eq!(done["imported"], 2);
    let list = messages(&app, &c.teacher.token, chat).await;
    assert_eq!(list.len(), 5);
    assert_eq!(list[4]["body"], "and page 13\nthat's all");
    let zone = preview["time_zone"].as_str().expect("zone");
    let expected = jiff::civil::datetime(2024, 1, 13, 21, 6, 0, 0)
        .to_zoned(jiff::tz::TimeZone::get(zone).expect("zone"))
        .expect("zoned");
    assert_eq!(list[4]["created_at"], expected.timestamp().to_string().replace(".000", ""));
}

/// A zip whose `result.json` declares `size` bytes, whatever it holds.
fn lying_zip(size: u32) -> Vec<u8> {
    let mut bytes = zip_of(&[("result.json", telegram_export().as_bytes())]);
    let declared = size.to_le_bytes();
    // The local header's uncompressed size (offset 22), and the central directory's (24).
    bytes[22..26].copy_from_slice(&declared);
    let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").expect("central directory");
    bytes[central + 24..central + 28].copy_from_slice(&declared);
    bytes
}

async fn hostile_exports_are_refused_with_their_code_and_the_chat_stays_as_it_was(app: TestApp) {
    let c = class_with_people(&app, 903).await;
    let chat = chat_id(&app, &c.teacher.token, c.school.org, "class", Some(c.a)).await;
    let before = app.count(format!("SELECT last_seq FROM chats WHERE id = {chat}")).await;
    let long_line = format!("12.01.2024, 09:06 - Анна: {}\n", "а".repeat(600_000));
    // A zip bomb: an entry that inflates to 2 GiB (as its header says).
    let bomb = lying_zip(i32::MAX as u32);
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        ("broken encoding", b"12.01.2024, 09:06 - \xD0\xA2\xFF: x\n".to_vec(), "upload:1", "not_utf8"),
        ("a line of more than 1 MiB", long_line.into_bytes(), "upload:1", "line_too_long"),
        ("broken JSON", b"{\"messages\": [{\"id\": 1,".to_vec(), "upload:1", "invalid_json"),
        (
            "a name climbing out",
            zip_of(&[("result.json", telegram_export().as_bytes()), ("../../etc/cron.d/x", b"x")]),
            "upload",
            "unsafe_path",
        ),
        (
            "an absolute name",
            zip_of(&[("/etc/passwd", b"x"), ("result.json", telegram_export().as_bytes())]),
            "upload",
            "unsafe_path",
        ),
        (
            "a path in the history climbing out",
            zip_of(&[("result.json", telegram_export().replace("photos/photo_1", "../../photo_1").as_bytes())]),
            "result.json",
            "unsafe_path",
        ),
        ("a zip bomb", bomb, "result.json", "too_large"),
        ("a size that lies", lying_zip(20), "result.json", "size_mismatch"),
        ("not a zip", b"PK\x03\x04 nothing".to_vec(), "upload", "not_a_zip"),
        ("no history", zip_of(&[("photo.jpg", b"x")]), "upload", "no_history"),
        ("plain text", "просто письмо".as_bytes().to_vec(), "upload", "unknown_format"),
    ];
    for (what, body, field, code) in cases {
        let reply = upload(&app, &c.school.admin, chat, "application/octet-stream", body).await;
        assert_eq!(reply.status.as_u16(), 422, "{what}: {}", reply.json);
        assert_eq!(reply.field_errors(), [(field.to_owned(), code.to_owned())], "{what}");
    }
    assert_eq!(count_messages(&app, chat).await, 0);
    assert_eq!(app.count(format!("SELECT last_seq FROM chats WHERE id = {chat}")).await, before);
    assert_eq!(app.count(format!("SELECT COUNT(*) FROM files WHERE chat_id = {chat}")).await, 0);
}

async fn only_the_chats_owner_or_a_school_admin_may_import(app: TestApp) {
    let c = class_with_people(&app, 904).await;
    let other = app.school(905).await;
    let class_chat = chat_id(&app, &c.teacher.token, c.school.org, "class", Some(c.a)).await;
    let group = app
        .post(&format!("/api/v1/orgs/{}/chats", c.school.org))
        .token(&c.teacher.token)
        .json(json!({ "kind": "group", "title": "Кружок", "member_ids": [c.parent.id] }))
        .send()
        .await
        .expect(201)
        .id();
    let export = || telegram_export().into_bytes();
    // A member of the chat who does not own it; someone outside it; another school's admin.
    upload(&app, &c.student.token, class_chat, "application/json", export()).await.problem(403, "forbidden");
    upload(&app, &c.parent.token, group, "application/json", export()).await.problem(403, "forbidden");
    upload(&app, &c.student.token, group, "application/json", export()).await.problem(404, "not_found");
    upload(&app, &other.admin, class_chat, "application/json", export()).await.problem(404, "not_found");
    upload(&app, &other.admin, group, "application/json", export()).await.problem(404, "not_found");
    // The group's owner may, and so may the school's admin.
    let staged = upload(&app, &c.teacher.token, group, "application/json", export()).await.expect(200).json;
    let import = staged["import_id"].as_str().expect("id").to_owned();
    // Only its importer sees its progress.
    app.get(&format!("/api/v1/chats/{group}/imports/{import}"))
        .token(&c.parent.token)
        .send()
        .await
        .problem(404, "not_found");
    app.get(&format!("/api/v1/chats/{group}/imports/{import}")).token(&c.teacher.token).send().await.expect(200);
    upload(&app, &c.school.admin, group, "application/json", export()).await.expect(200);
    assert_eq!(count_messages(&app, group).await, 0);
}

/// Where an import's upload is kept.
async fn upload_key(app: &TestApp, import: &str) -> String {
    let mut conn = app.state.db.reads().acquire().await.expect("connection");
    sqlx::query_scalar("SELECT upload_key FROM chat_imports WHERE id = $1")
        .bind(import)
        .fetch_one(&mut *conn)
        .await
        .expect("the import's row")
}

async fn kept(app: &TestApp, key: &str) -> bool {
    app.state.blobs.open(key, None).await.is_ok()
}

async fn an_importer_has_one_import_kept_for_an_hour_and_a_cut_off_run_may_be_applied_again(app: TestApp) {
    let c = class_with_people(&app, 906).await;
    let chat = chat_id(&app, &c.teacher.token, c.school.org, "class", Some(c.a)).await;
    let export = || telegram_export().into_bytes();
    let progress = |import: &str| format!("/api/v1/chats/{chat}/imports/{import}");
    let staged = |reply: crate::support::Reply| reply.expect(200).json["import_id"].as_str().expect("id").to_owned();

    // A second upload replaces the first, and its upload goes with it.
    let first = staged(upload(&app, &c.school.admin, chat, "application/json", export()).await);
    let first_key = upload_key(&app, &first).await;
    assert!(kept(&app, &first_key).await, "the upload is kept for applying");
    let second = staged(upload(&app, &c.school.admin, chat, "application/json", export()).await);
    app.get(&progress(&first)).token(&c.school.admin).send().await.problem(404, "not_found");
    let mapping = json!({ "authors": [
        { "name": "Тест Классова", "member_id": c.teacher.id },
        { "name": "Ученик Тест", "member_id": null },
        { "name": "Бабушка Маша", "member_id": null },
    ]});
    app.post(&format!("/api/v1/chats/{chat}/imports/{first}/apply"))
        .token(&c.school.admin)
        .json(mapping.clone())
        .send()
        .await
        .problem(404, "not_found");
    assert!(!kept(&app, &first_key).await, "the replaced upload is removed");
    assert_eq!(app.count(format!("SELECT COUNT(*) FROM chat_imports WHERE chat_id = {chat}")).await, 1);

    // While it runs, another upload of the same person waits for it.
    let now = parta_server::clock::now_ms();
    app.sql(format!("UPDATE chat_imports SET state = 'running', updated_at = {now} WHERE id = '{second}'")).await;
    upload(&app, &c.school.admin, chat, "application/json", export()).await.problem(409, "import_running");
    app.post(&format!("/api/v1/chats/{chat}/imports/{second}/apply"))
        .token(&c.school.admin)
        .json(mapping.clone())
        .send()
        .await
        .problem(409, "import_running");

    // A run whose node has said nothing for ten minutes was cut off: it may be applied again.
    let long_ago = now - 11 * 60_000;
    app.sql(format!("UPDATE chat_imports SET updated_at = {long_ago} WHERE id = '{second}'")).await;
    let cut_off = app.get(&progress(&second)).token(&c.school.admin).send().await.expect(200).json;
    assert_eq!((cut_off["state"].as_str(), cut_off["error"].as_str()), (Some("failed"), Some("interrupted")));
    let done = apply(&app, &c.school.admin, chat, &second, mapping).await;
    assert_eq!((done["state"].as_str(), done["imported"].as_i64()), (Some("done"), Some(4)));
    assert_eq!(count_messages(&app, chat).await, 4);

    // Past its hour, the sweep removes the import and its upload.
    let second_key = upload_key(&app, &second).await;
    app.sql(format!("UPDATE chat_imports SET expires_at = {long_ago} WHERE id = '{second}'")).await;
    parta_server::actions::chat_import::sweep(&app.state).await.expect("swept");
    assert!(!kept(&app, &second_key).await, "the expired upload is removed");
    app.get(&progress(&second)).token(&c.school.admin).send().await.problem(404, "not_found");
}

async fn a_long_history_is_written_a_thousand_at_a_time_in_one_row_of_positions_then_told_once(app: TestApp) {
    let c = class_with_people(&app, 908).await;
    let chat = chat_id(&app, &c.teacher.token, c.school.org, "class", Some(c.a)).await;
    crate::messaging::send(&app, &c.student, chat, "before", "Всем привет").await;
    let before = app.count(format!("SELECT last_seq FROM chats WHERE id = {chat}")).await;
    // 2,500 messages a minute apart: three transactions; the last answers the first.
    let mut list: Vec<Value> = (1..=2500)
        .map(|n| {
            json!({ "id": n, "type": "message", "date_unixtime": (1_704_099_600 + n * 60).to_string(),
                    "from": if n % 2 == 0 { "Тест Классова" } else { "Бабушка Маша" }, "text": format!("Сообщение {n}") })
        })
        .collect();
    list[2499]["reply_to_message_id"] = json!(1);
    list[1000]["reply_to_message_id"] = json!(1000);
    let export = json!({ "name": "5А", "type": "private_group", "messages": list }).to_string();
    let preview = upload(&app, &c.school.admin, chat, "application/json", export.into_bytes()).await.expect(200).json;
    let import = preview["import_id"].as_str().expect("id").to_owned();
    let mapping = json!({ "authors": [
        { "name": "Тест Классова", "member_id": c.teacher.id },
        { "name": "Бабушка Маша", "member_id": null },
    ]});
    let done = apply(&app, &c.school.admin, chat, &import, mapping).await;
    assert_eq!((done["state"].as_str(), done["imported"].as_i64()), (Some("done"), Some(2500)), "{done}");

    // One row of positions right after the chat's last, in the order written.
    let imported =
        |what: &str| format!("SELECT {what} FROM messages WHERE chat_id = {chat} AND import_key IS NOT NULL");
    assert_eq!(app.count(imported("MIN(seq)")).await, before + 1);
    assert_eq!(app.count(imported("MAX(seq)")).await, before + 2500);
    let first_id = app.count(imported("id") + &format!(" AND seq = {}", before + 1)).await;
    let answer = |seq: i64| imported("reply_to") + &format!(" AND seq = {seq}");
    assert_eq!(app.count(answer(before + 2500)).await, first_id, "an answer to an earlier transaction's message");
    let target = app.count(imported("id") + &format!(" AND seq = {}", before + 1000)).await;
    assert_eq!(app.count(answer(before + 1001)).await, target, "an answer across a transaction's edge");
    // Told once, after them; whoever had read everything has read the history too.
    let told = format!("SELECT COUNT(*) FROM chat_events WHERE chat_id = {chat} AND payload LIKE '%history_imported%'");
    assert_eq!(app.count(told).await, 1);
    assert_eq!(app.count(format!("SELECT last_seq FROM chats WHERE id = {chat}")).await, before + 2501);
    let seen = app.get(&format!("/api/v1/chats/{chat}")).token(&c.student.token).send().await.expect(200).json;
    assert_eq!(seen["unread"], 0, "{seen}");
    // A send after the import comes after the history.
    let after = crate::messaging::send(&app, &c.student, chat, "after", "Спасибо").await;
    assert_eq!(after["seq"].as_i64(), Some(before + 2502));
}
