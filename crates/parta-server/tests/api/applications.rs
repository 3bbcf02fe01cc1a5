//! School applications: the multipart form and its checks, the operator's review
//! (list, open, download the order), approval with the first admin's one-time link,
//! rejection with a reason.

use futures_util::StreamExt;
use serde_json::json;

use crate::on_both_backends;
use crate::support::{ORDER_PDF, PASSWORD, TestApp, application_fields, multipart};

on_both_backends!(
    a_valid_application_is_received,
    missing_fields_are_all_listed,
    inn_ogrn_and_time_zone_are_checked,
    the_order_file_is_required_and_must_be_a_document,
    an_order_over_the_limit_is_too_large,
    json_instead_of_multipart_is_unsupported,
    the_operator_lists_opens_and_downloads,
    applications_exist_only_for_the_operator,
    approval_creates_the_school_and_a_one_time_admin_link,
    a_decided_application_stays_decided,
    rejection_needs_a_reason_and_shows_it,
    a_lost_first_admin_link_is_reissued,
    an_application_is_not_read_past_its_own_limit,
    applications_are_limited_per_address,
);

/// A body over the application's limit (the order's 256 KiB here, less than a chat
/// file's 512 KiB) is cut off there: the rest is never read, whatever it claims.
async fn an_application_is_not_read_past_its_own_limit(app: TestApp) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tower::ServiceExt;
    let pairs: Vec<(&str, String)> = form(26, &[]);
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut huge = ORDER_PDF.to_vec();
    huge.resize(480 * 1024, b' ');
    let (content_type, body) = multipart(&pairs, &[("order", "приказ.pdf", huge.as_slice())]);
    let total = body.len();
    let read = Arc::new(AtomicUsize::new(0));
    let counter = read.clone();
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = body.chunks(8 * 1024).map(|c| Ok(c.to_vec())).collect();
    let stream = futures_util::stream::iter(chunks).map(move |chunk| {
        if let Ok(c) = &chunk {
            counter.fetch_add(c.len(), Ordering::SeqCst);
        }
        chunk
    });
    let request = axum::http::Request::post("/api/v1/applications")
        .header("content-type", content_type)
        .body(axum::body::Body::from_stream(stream))
        .expect("request");
    let response = app.router.clone().oneshot(request).await.expect("answer");
    assert_eq!(response.status(), 413);
    let read = read.load(Ordering::SeqCst);
    assert!(read < 256 * 1024 + 64 * 1024 + 16 * 1024, "read {read} of {total} bytes");
}

/// Anonymous applications from one address are limited (20 an hour); the 21st is
/// refused before its body is read, another address is not affected.
async fn applications_are_limited_per_address(app: TestApp) {
    let app = app.with_settings(|s| s.trust_forwarded_for = true);
    let (content_type, body) = multipart(&[("school_name", "")], &[]);
    let from = |address: &str| {
        app.post("/api/v1/applications").header("x-forwarded-for", address).raw(&content_type, body.clone()).send()
    };
    for _ in 0..20 {
        from("198.51.100.60").await.expect(422);
    }
    from("198.51.100.60").await.problem(429, "applications_rate_limited");
    from("198.51.100.61").await.expect(422);
}

/// The valid form of `n`, with some fields replaced (an empty value drops the field).
fn form(n: u32, changes: &[(&str, &str)]) -> Vec<(&'static str, String)> {
    let mut fields = application_fields(n);
    for (name, value) in changes {
        let slot = fields.iter_mut().find(|(k, _)| k == name).expect("known field");
        slot.1 = (*value).to_owned();
    }
    fields.retain(|(_, v)| !v.is_empty());
    fields
}

async fn submit(
    app: &TestApp,
    fields: &[(&'static str, String)],
    files: &[(&str, &str, &[u8])],
) -> crate::support::Reply {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (content_type, body) = multipart(&pairs, files);
    app.post("/api/v1/applications").raw(&content_type, body).send().await
}

async fn a_valid_application_is_received(app: TestApp) {
    let reply = submit(&app, &form(11, &[]), &[("order", "приказ о назначении.pdf", ORDER_PDF)]).await.expect(201);
    assert_eq!(reply.json["status"], "pending");
    let id = reply.id();
    let operator = app.operator().await;
    let got = app.get(&format!("/api/v1/applications/{id}")).token(&operator).send().await.expect(200);
    let a = &got.json;
    assert_eq!(a["id"], id);
    assert_eq!(a["school_name"], "МБОУ «Средняя общеобразовательная школа № 11»");
    assert_eq!(a["short_name"], "Школа № 11");
    assert_eq!(a["inn"], "6601234565");
    assert_eq!(a["ogrn"], "1026600123450");
    assert_eq!(a["time_zone"], "Asia/Yekaterinburg");
    assert_eq!(a["admin_family_name"], "Сидорова");
    assert_eq!(a["admin_patronymic"], "Игоревна");
    assert_eq!(a["admin_email"], "admin11@school11.ru");
    // The phone is stored normalised.
    assert_eq!(a["admin_phone"], "+79120001100");
    assert_eq!(a["status"], "pending");
    assert!(a["reject_reason"].is_null() && a["decided_at"].is_null() && a["org_id"].is_null());
    assert_eq!(a["order"]["name"], "приказ о назначении.pdf");
    assert_eq!(a["order"]["content_type"], "application/pdf");
    assert_eq!(a["order"]["size"], ORDER_PDF.len());
}

async fn missing_fields_are_all_listed(app: TestApp) {
    // Nothing at all: every required field and the file are named at once.
    submit(&app, &[], &[]).await.invalid(&[
        ("school_name", "required"),
        ("short_name", "required"),
        ("address", "required"),
        ("inn", "required"),
        ("ogrn", "required"),
        ("region", "required"),
        ("time_zone", "required"),
        ("admin_family_name", "required"),
        ("admin_given_name", "required"),
        ("admin_email", "required"),
        ("admin_phone", "required"),
        ("order", "required"),
    ]);
    // Blank values count as missing; the patronymic is optional.
    let reply = submit(
        &app,
        &form(12, &[("school_name", "   "), ("admin_given_name", " "), ("admin_patronymic", "")]),
        &[("order", "приказ.pdf", ORDER_PDF)],
    )
    .await;
    reply.invalid(&[("school_name", "required"), ("admin_given_name", "required")]);
    // Malformed contacts are named with their own codes.
    submit(
        &app,
        &form(13, &[("admin_email", "сидорова-at-school"), ("admin_phone", "12345")]),
        &[("order", "приказ.pdf", ORDER_PDF)],
    )
    .await
    .invalid(&[("admin_email", "invalid_email"), ("admin_phone", "invalid_phone")]);
    // None of this stored anything.
    let operator = app.operator().await;
    let list = app.get("/api/v1/applications").token(&operator).send().await.expect(200);
    assert!(list.list().is_empty(), "{}", list.json);
}

async fn inn_ogrn_and_time_zone_are_checked(app: TestApp) {
    let order: &[(&str, &str, &[u8])] = &[("order", "приказ.pdf", ORDER_PDF)];
    submit(&app, &form(14, &[("inn", "6601234566"), ("ogrn", "1026600123451")]), order)
        .await
        .invalid(&[("inn", "invalid_checksum"), ("ogrn", "invalid_checksum")]);
    submit(&app, &form(15, &[("inn", "66012345"), ("ogrn", "10266001234ab")]), order)
        .await
        .invalid(&[("inn", "invalid_format"), ("ogrn", "invalid_format")]);
    submit(&app, &form(16, &[("time_zone", "Europe/Atlantis")]), order)
        .await
        .invalid(&[("time_zone", "invalid_time_zone")]);
    // Real data of other schools passes: Сбербанк's INN/OGRN, Kaliningrad's zone.
    submit(
        &app,
        &form(17, &[("inn", "7707083893"), ("ogrn", "1027700132195"), ("time_zone", "Europe/Kaliningrad")]),
        order,
    )
    .await
    .expect(201);
}

async fn the_order_file_is_required_and_must_be_a_document(app: TestApp) {
    submit(&app, &form(18, &[]), &[]).await.invalid(&[("order", "required")]);
    // A page that would run script if opened inline is refused by its content, whatever its name.
    let html: &[u8] = b"<!doctype html><html><script>alert(document.cookie)</script></html>";
    submit(&app, &form(19, &[]), &[("order", "приказ.pdf", html)]).await.invalid(&[("order", "file_type_not_allowed")]);
    submit(&app, &form(20, &[]), &[("order", "приказ.pdf", &b""[..])])
        .await
        .invalid(&[("order", "file_type_not_allowed")]);
    // PNG and JPEG scans are fine.
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    let jpeg: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F'];
    let id = submit(&app, &form(21, &[]), &[("order", "скан.png", png)]).await.expect(201).id();
    submit(&app, &form(22, &[]), &[("order", "скан.jpg", jpeg)]).await.expect(201);
    let operator = app.operator().await;
    let got = app.get(&format!("/api/v1/applications/{id}")).token(&operator).send().await.expect(200);
    assert_eq!(got.json["order"]["content_type"], "image/png");
}

async fn an_order_over_the_limit_is_too_large(app: TestApp) {
    // The harness allows 256 KiB per file; the form as a whole gets 64 KiB more.
    let mut big = ORDER_PDF.to_vec();
    big.resize(256 * 1024 + 1, b' ');
    submit(&app, &form(23, &[]), &[("order", "приказ.pdf", big.as_slice())]).await.problem(413, "payload_too_large");
    let mut huge = ORDER_PDF.to_vec();
    huge.resize(400 * 1024, b' ');
    submit(&app, &form(24, &[]), &[("order", "приказ.pdf", huge.as_slice())]).await.problem(413, "payload_too_large");
    // Declared too large up front: refused before reading.
    let pairs: Vec<(&str, String)> = form(25, &[]);
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (content_type, body) = multipart(&pairs, &[("order", "приказ.pdf", huge.as_slice())]);
    let length = body.len().to_string();
    app.post("/api/v1/applications")
        .header("content-length", &length)
        .raw(&content_type, body)
        .send()
        .await
        .problem(413, "payload_too_large");
    // Exactly at the limit is accepted.
    let mut limit = ORDER_PDF.to_vec();
    limit.resize(256 * 1024, b' ');
    submit(&app, &form(26, &[]), &[("order", "приказ.pdf", limit.as_slice())]).await.expect(201);
}

async fn json_instead_of_multipart_is_unsupported(app: TestApp) {
    let body: serde_json::Map<String, serde_json::Value> =
        application_fields(27).into_iter().map(|(k, v)| (k.to_owned(), json!(v))).collect();
    app.post("/api/v1/applications").json(json!(body)).send().await.problem(415, "unsupported_media_type");
    app.post("/api/v1/applications").send().await.problem(415, "unsupported_media_type");
    // Multipart in name only.
    app.post("/api/v1/applications")
        .raw("multipart/form-data; boundary=x", b"not a form".to_vec())
        .send()
        .await
        .problem(400, "multipart_invalid");
}

async fn the_operator_lists_opens_and_downloads(app: TestApp) {
    let operator = app.operator().await;
    let first = app.apply(31).await;
    let second = app.apply(32).await;
    let third = app.apply(33).await;
    app.post(&format!("/api/v1/applications/{second}/approve")).token(&operator).send().await.expect(200);
    app.post(&format!("/api/v1/applications/{third}/reject"))
        .token(&operator)
        .json(json!({ "reason": "Приказ не подписан директором." }))
        .send()
        .await
        .expect(200);

    let ids =
        |reply: &crate::support::Reply| reply.list().iter().map(|a| a["id"].as_i64().expect("id")).collect::<Vec<_>>();
    let all = app.get("/api/v1/applications").token(&operator).send().await.expect(200);
    assert_eq!(ids(&all), vec![third, second, first], "newest first");
    let pending = app.get("/api/v1/applications?status=pending").token(&operator).send().await.expect(200);
    assert_eq!(ids(&pending), vec![first]);
    let approved = app.get("/api/v1/applications?status=approved").token(&operator).send().await.expect(200);
    assert_eq!(ids(&approved), vec![second]);
    assert_eq!(approved.list()[0]["status"], "approved");
    assert!(approved.list()[0]["org_id"].as_i64().is_some());
    let rejected = app.get("/api/v1/applications?status=rejected").token(&operator).send().await.expect(200);
    assert_eq!(ids(&rejected), vec![third]);
    app.get("/api/v1/applications?status=lost").token(&operator).send().await.invalid(&[("status", "invalid_format")]);

    let one = app.get(&format!("/api/v1/applications/{first}")).token(&operator).send().await.expect(200);
    assert_eq!(one.json["short_name"], "Школа № 31");
    app.get("/api/v1/applications/999999").token(&operator).send().await.problem(404, "not_found");

    let order = app.get(&format!("/api/v1/applications/{first}/order")).token(&operator).send().await.expect(200);
    assert_eq!(order.bytes, ORDER_PDF);
    assert_eq!(order.header_str("content-type"), Some("application/pdf"));
    let disposition = order.header_str("content-disposition").expect("content-disposition");
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(disposition.contains("%D0%BF%D1%80%D0%B8%D0%BA%D0%B0%D0%B7.pdf"), "the name, encoded: {disposition}");
    assert_eq!(order.header_str("x-content-type-options"), Some("nosniff"));
    let csp = order.header_str("content-security-policy").expect("csp");
    assert!(csp.contains("sandbox"), "{csp}");
    app.get("/api/v1/applications/999999/order").token(&operator).send().await.problem(404, "not_found");
}

async fn applications_exist_only_for_the_operator(app: TestApp) {
    let school = app.school(34).await;
    let class = app.create_class(&school, "5А", 5).await;
    let teacher = app.join(&school, school.staff_room, "teacher", None, "Учителева").await;
    let student = app.join(&school, class, "student", None, "Ученикова").await;
    let application = app.apply(35).await;
    for token in [&school.admin, &teacher.token, &student.token] {
        app.get("/api/v1/applications").token(token).send().await.problem(403, "forbidden");
        app.get(&format!("/api/v1/applications/{application}")).token(token).send().await.problem(404, "not_found");
        app.get(&format!("/api/v1/applications/{application}/order"))
            .token(token)
            .send()
            .await
            .problem(404, "not_found");
        app.post(&format!("/api/v1/applications/{application}/approve"))
            .token(token)
            .send()
            .await
            .problem(404, "not_found");
        app.post(&format!("/api/v1/applications/{application}/reject"))
            .token(token)
            .json(json!({ "reason": "Просто так." }))
            .send()
            .await
            .problem(404, "not_found");
    }
    // Without an account at all.
    app.get("/api/v1/applications").send().await.problem(401, "unauthenticated");
    app.get(&format!("/api/v1/applications/{application}/order")).send().await.problem(401, "unauthenticated");
    app.post(&format!("/api/v1/applications/{application}/approve")).send().await.problem(401, "unauthenticated");
    // It is still pending: none of those attempts decided anything.
    let operator = app.operator().await;
    let got = app.get(&format!("/api/v1/applications/{application}")).token(&operator).send().await.expect(200);
    assert_eq!(got.json["status"], "pending");
}

async fn approval_creates_the_school_and_a_one_time_admin_link(app: TestApp) {
    let operator = app.operator().await;
    let application = app.apply(36).await;
    let approved =
        app.post(&format!("/api/v1/applications/{application}/approve")).token(&operator).send().await.expect(200);
    let org = approved.json["org_id"].as_i64().expect("org id");
    assert_eq!(approved.json["application"]["status"], "approved");
    assert_eq!(approved.json["application"]["org_id"], org);
    assert!(approved.json["application"]["decided_at"].is_string());
    let invite = &approved.json["admin_invite"];
    assert_eq!(invite["invite"]["grants_admin"], true);
    assert_eq!(invite["invite"]["max_uses"], 1);
    assert_eq!(invite["invite"]["role"], "employee");
    assert_eq!(invite["invite"]["class"]["kind"], "staff_room");
    let token = invite["token"].as_str().expect("token").to_owned();
    assert_eq!(invite["path"], format!("/join/{token}"));

    // The link shows the new school.
    let preview = app.get(&format!("/api/v1/invites/{token}")).send().await.expect(200);
    assert_eq!(preview.json["school"]["id"], org);
    assert_eq!(preview.json["school"]["short_name"], "Школа № 36");
    assert_eq!(preview.json["class"]["name"], "Учительская");
    assert_eq!(preview.json["grants_admin"], true);
    assert_eq!(preview.json["requires_approval"], false);

    // The applicant registers by it and is the admin, placed in «Учительская».
    let admin = app.register(&token, "Сидорова", "admin36@school36.ru").await;
    let me = app.me(&admin.token).await;
    assert_eq!(me["schools"].as_array().expect("schools").len(), 1);
    let school = &me["schools"][0];
    assert_eq!(school["org_id"], org);
    assert_eq!(school["is_admin"], true);
    assert_eq!(school["places"][0]["role"], "employee");
    assert_eq!(school["places"][0]["class"]["name"], "Учительская");
    let classes = app.get(&format!("/api/v1/orgs/{org}/classes")).token(&admin.token).send().await.expect(200);
    assert_eq!(classes.list().len(), 1);
    assert_eq!(classes.list()[0]["name"], "Учительская");
    assert_eq!(classes.list()[0]["kind"], "staff_room");
    let profile = app.get(&format!("/api/v1/orgs/{org}")).token(&admin.token).send().await.expect(200);
    assert_eq!(profile.json["name"], "МБОУ «Средняя общеобразовательная школа № 36»");
    assert_eq!(profile.json["inn"], "6601234565");
    assert_eq!(profile.json["time_zone"], "Asia/Yekaterinburg");
    let admins = app.get(&format!("/api/v1/orgs/{org}/admins")).token(&admin.token).send().await.expect(200);
    assert_eq!(admins.list().len(), 1);
    assert_eq!(admins.list()[0]["person"]["id"], admin.id);

    // Used once, the link is spent for everyone else.
    app.get(&format!("/api/v1/invites/{token}")).send().await.problem(410, "invite_used_up");
    app.post("/api/v1/auth/register")
        .json(json!({
            "consent_version": parta_domain::consent::VERSION, "invite_token": token, "family_name": "Захватов", "given_name": "Пётр",
            "email": "zahvatov@mail.ru", "password": PASSWORD,
        }))
        .send()
        .await
        .problem(410, "invite_used_up");
    app.post("/api/v1/auth/login")
        .json(json!({ "login": "zahvatov@mail.ru", "password": PASSWORD }))
        .send()
        .await
        .problem(401, "invalid_credentials");
    let other = app.school(37).await;
    app.post("/api/v1/invites/accept")
        .token(&other.admin)
        .json(json!({ "consent_version": parta_domain::consent::VERSION, "token": token }))
        .send()
        .await
        .problem(410, "invite_used_up");
    // The admin link is not among the school's listed links.
    let links = app.get(&format!("/api/v1/orgs/{org}/invites")).token(&admin.token).send().await.expect(200);
    assert!(links.list().is_empty(), "{}", links.json);
    // Approval is in the school's audit log.
    let audit = app.get(&format!("/api/v1/orgs/{org}/audit")).token(&admin.token).send().await.expect(200);
    let actions: Vec<&str> = audit.list().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"application_approved") && actions.contains(&"school_created"), "{actions:?}");
}

async fn a_decided_application_stays_decided(app: TestApp) {
    let operator = app.operator().await;
    let approved = app.apply(38).await;
    let rejected = app.apply(39).await;
    app.post(&format!("/api/v1/applications/{approved}/approve")).token(&operator).send().await.expect(200);
    app.post(&format!("/api/v1/applications/{approved}/approve"))
        .token(&operator)
        .send()
        .await
        .problem(409, "application_decided");
    app.post(&format!("/api/v1/applications/{approved}/reject"))
        .token(&operator)
        .json(json!({ "reason": "Передумали." }))
        .send()
        .await
        .problem(409, "application_decided");
    app.post(&format!("/api/v1/applications/{rejected}/reject"))
        .token(&operator)
        .json(json!({ "reason": "Нет приказа." }))
        .send()
        .await
        .expect(200);
    app.post(&format!("/api/v1/applications/{rejected}/reject"))
        .token(&operator)
        .json(json!({ "reason": "Ещё раз." }))
        .send()
        .await
        .problem(409, "application_decided");
    app.post(&format!("/api/v1/applications/{rejected}/approve"))
        .token(&operator)
        .send()
        .await
        .problem(409, "application_decided");
    // Still one school only, and the rejection reason unchanged.
    let got = app.get(&format!("/api/v1/applications/{rejected}")).token(&operator).send().await.expect(200);
    assert_eq!(got.json["status"], "rejected");
    assert_eq!(got.json["reject_reason"], "Нет приказа.");
    assert!(got.json["org_id"].is_null());
    let platform = app.get("/api/v1/audit?limit=200").token(&operator).send().await.expect(200);
    let created = platform.list().iter().filter(|e| e["action"] == "school_created").count();
    assert_eq!(created, 1);
}

async fn rejection_needs_a_reason_and_shows_it(app: TestApp) {
    let operator = app.operator().await;
    let id = app.apply(40).await;
    let path = format!("/api/v1/applications/{id}/reject");
    app.post(&path).token(&operator).json(json!({ "reason": "" })).send().await.invalid(&[("reason", "required")]);
    app.post(&path).token(&operator).json(json!({ "reason": "  \n " })).send().await.invalid(&[("reason", "required")]);
    app.post(&path).token(&operator).json(json!({})).send().await.invalid(&[("reason", "required")]);
    let reason = "Приказ о назначении администратора не приложен.\nПриложите скан с подписью директора.";
    let reply = app.post(&path).token(&operator).json(json!({ "reason": reason })).send().await.expect(200);
    assert_eq!(reply.json["status"], "rejected");
    assert_eq!(reply.json["reject_reason"], reason);
    assert!(reply.json["decided_at"].is_string());
    let got = app.get(&format!("/api/v1/applications/{id}")).token(&operator).send().await.expect(200);
    assert_eq!(got.json["reject_reason"], reason);
    // The platform log records who rejected it and why.
    let audit = app.get("/api/v1/audit").token(&operator).send().await.expect(200);
    let entry = audit.list().iter().find(|e| e["action"] == "application_rejected").expect("entry").clone();
    assert_eq!(entry["target_id"], id);
    assert_eq!(entry["details"]["reason"], reason);
    assert!(entry["actor"]["id"].as_i64().is_some());
}

async fn a_lost_first_admin_link_is_reissued(app: TestApp) {
    let operator = app.operator().await;
    let pending = app.apply(66).await;
    app.post(&format!("/api/v1/applications/{pending}/admin-invite"))
        .token(&operator)
        .send()
        .await
        .problem(409, "application_not_approved");
    let application = app.apply(67).await;
    let approved =
        app.post(&format!("/api/v1/applications/{application}/approve")).token(&operator).send().await.expect(200);
    let lost = approved.json["admin_invite"]["token"].as_str().expect("token").to_owned();
    let reissued =
        app.post(&format!("/api/v1/applications/{application}/admin-invite")).token(&operator).send().await.expect(201);
    let token = reissued.json["token"].as_str().expect("token").to_owned();
    assert_eq!(reissued.json["invite"]["grants_admin"], true);
    // The lost link stops working.
    app.get(&format!("/api/v1/invites/{lost}")).send().await.problem(410, "invite_revoked");
    // The link is for the admin the application named: someone else who has it is refused.
    let stranger = json!({
        "consent_version": parta_domain::consent::VERSION, "invite_token": token, "family_name": "Чужакова", "given_name": "Тест",
        "email": "new.admin@school67.ru", "password": PASSWORD,
    });
    app.post("/api/v1/auth/register").json(stranger).send().await.problem(403, "admin_link_contacts");
    // The school says its admin is someone else now: the operator corrects the contacts,
    // which issues a new link for them (the one before stops working).
    app.put(&format!("/api/v1/applications/{application}/admin-contacts"))
        .token(&operator)
        .json(json!({ "admin_email": "not an e-mail", "admin_phone": "" }))
        .send()
        .await
        .invalid(&[("admin_email", "invalid_email"), ("admin_phone", "required")]);
    let corrected = app
        .put(&format!("/api/v1/applications/{application}/admin-contacts"))
        .token(&operator)
        .json(json!({ "admin_email": "New.Admin@school67.ru", "admin_phone": "+7 912 555 00 67" }))
        .send()
        .await
        .expect(201);
    app.get(&format!("/api/v1/invites/{token}")).send().await.problem(410, "invite_revoked");
    let token = corrected.json["token"].as_str().expect("token").to_owned();
    let got = app.get(&format!("/api/v1/applications/{application}")).token(&operator).send().await.expect(200);
    assert_eq!(got.json["admin_email"], "new.admin@school67.ru");
    // The new link makes an admin of that person, once.
    let admin = app.register(&token, "Новоадминова", "new.admin@school67.ru").await;
    assert_eq!(app.me(&admin.token).await["schools"][0]["is_admin"], true);
    app.post(&format!("/api/v1/applications/{application}/admin-invite"))
        .token(&operator)
        .send()
        .await
        .problem(409, "admin_already_joined");
    app.put(&format!("/api/v1/applications/{application}/admin-contacts"))
        .token(&operator)
        .json(json!({ "admin_email": "late@school67.ru", "admin_phone": "+7 912 555 00 68" }))
        .send()
        .await
        .problem(409, "admin_already_joined");
    // Only the operator may do this; to anyone else the application does not exist.
    app.post(&format!("/api/v1/applications/{application}/admin-invite"))
        .token(&admin.token)
        .send()
        .await
        .problem(404, "not_found");
}
