//! Accounts: login, throttling, sessions, cookies with CSRF, password change,
//! account deletion, the operator's one-time code.

use serde_json::json;

use crate::on_both_backends;
use crate::support::{PASSWORD, TestApp};

on_both_backends!(
    login_answers_alike_for_unknown_and_wrong,
    login_is_throttled_after_ten_failures,
    sessions_are_listed_and_ended,
    cookie_sessions_need_the_csrf_token,
    password_change_ends_other_sessions,
    deleting_an_account_erases_it_and_keeps_the_audit,
    operator_code_works_once,
);

/// Behind a proxy, the per-address limit applies to each client, not to the proxy.
#[tokio::test]
async fn behind_a_proxy_each_client_has_its_own_address_limit() {
    let app = TestApp::sqlite_behind_proxy().await;
    let attempt = |ip: &'static str, n: u32| {
        let app = &app;
        async move {
            app.post("/api/v1/auth/login")
                .header("x-forwarded-for", &format!("203.0.113.7, {ip}"))
                .json(json!({ "login": format!("nobody{n}@school.ru"), "password": "x" }))
                .send()
                .await
        }
    };
    // 100 failures from one address, each for a different login, use up that address…
    for n in 0..100 {
        attempt("198.51.100.1", n).await.problem(401, "invalid_credentials");
    }
    attempt("198.51.100.1", 100).await.problem(429, "too_many_attempts");
    // …and only that one.
    attempt("198.51.100.2", 101).await.problem(401, "invalid_credentials");
}

async fn login_answers_alike_for_unknown_and_wrong(app: TestApp) {
    let school = app.school(1).await;
    let known = app
        .post("/api/v1/auth/login")
        .json(json!({ "login": "admin1@school1.ru", "password": "wrong password" }))
        .send()
        .await;
    let unknown = app
        .post("/api/v1/auth/login")
        .json(json!({ "login": "nobody@school1.ru", "password": "wrong password" }))
        .send()
        .await;
    let nonsense = app.post("/api/v1/auth/login").json(json!({ "login": "not a login", "password": "x" })).send().await;
    let known = known.problem(401, "invalid_credentials");
    let unknown = unknown.problem(401, "invalid_credentials");
    nonsense.problem(401, "invalid_credentials");
    assert_eq!(known.json, unknown.json);
    let token = app.login("ADMIN1@school1.ru", PASSWORD).await;
    let me = app.get("/api/v1/me").token(&token).send().await.expect(200);
    assert_eq!(me.json["id"], school.admin_id);
    assert_eq!(me.json["schools"][0]["is_admin"], true);
    // Someone registered by phone logs in with any usual spelling of it.
    let class = app.create_class(&school, "7Б", 7).await;
    let invite = app.invite(&school.admin, school.org, json!({ "class_id": class, "role": "student" })).await;
    app.post("/api/v1/auth/register")
        .json(json!({ "invite_token": invite, "family_name": "Телефонов", "given_name": "Пётр",
            "phone": "8 (912) 555-12-34", "password": PASSWORD }))
        .send()
        .await
        .expect(201);
    for spelling in ["+79125551234", "8 912 555 12 34", "+7 (912) 555-12-34"] {
        app.login(spelling, PASSWORD).await;
    }
}

async fn login_is_throttled_after_ten_failures(app: TestApp) {
    app.school(2).await;
    for _ in 0..10 {
        app.post("/api/v1/auth/login")
            .json(json!({ "login": "admin2@school2.ru", "password": "wrong password" }))
            .send()
            .await
            .problem(401, "invalid_credentials");
    }
    // The 11th attempt is refused even with the right password, and an unknown
    // account throttles identically.
    app.post("/api/v1/auth/login")
        .json(json!({ "login": "admin2@school2.ru", "password": PASSWORD }))
        .send()
        .await
        .problem(429, "too_many_attempts");
    for _ in 0..10 {
        app.post("/api/v1/auth/login")
            .json(json!({ "login": "ghost@school2.ru", "password": "x" }))
            .send()
            .await
            .expect(401);
    }
    app.post("/api/v1/auth/login")
        .json(json!({ "login": "ghost@school2.ru", "password": "x" }))
        .send()
        .await
        .problem(429, "too_many_attempts");
    // Another account from elsewhere is not affected.
    let other =
        app.post("/api/v1/auth/login").json(json!({ "login": "someone@else.ru", "password": "x" })).send().await;
    other.problem(401, "invalid_credentials");
}

async fn sessions_are_listed_and_ended(app: TestApp) {
    let school = app.school(3).await;
    let second = app.login("admin3@school3.ru", PASSWORD).await;
    let list = app.get("/api/v1/me/sessions").token(&second).send().await.expect(200);
    let sessions = list.json.as_array().expect("list").clone();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    let other = sessions.iter().find(|s| s["current"] == false).expect("other session")["id"].as_i64().expect("id");
    app.delete(&format!("/api/v1/me/sessions/{other}")).token(&second).send().await.expect(204);
    app.get("/api/v1/me").token(&school.admin).send().await.problem(401, "unauthenticated");
    // Someone else's session id is simply not found.
    let stranger = app.school(4).await;
    let mine = app.get("/api/v1/me/sessions").token(&second).send().await.json[0]["id"].as_i64().expect("id");
    app.delete(&format!("/api/v1/me/sessions/{mine}")).token(&stranger.admin).send().await.problem(404, "not_found");
    app.post("/api/v1/auth/logout").token(&second).send().await.expect(204);
    app.get("/api/v1/me").token(&second).send().await.problem(401, "unauthenticated");
}

async fn cookie_sessions_need_the_csrf_token(app: TestApp) {
    app.school(5).await;
    let reply = app
        .post("/api/v1/auth/login")
        .json(json!({ "login": "admin5@school5.ru", "password": PASSWORD }))
        .send()
        .await
        .expect(200);
    let set_cookie = reply.headers.get("set-cookie").and_then(|v| v.to_str().ok()).expect("cookie").to_owned();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    let cookie = set_cookie.split(';').next().expect("pair").to_owned();
    let csrf = reply.json["csrf_token"].as_str().expect("csrf").to_owned();
    // Reading with the cookie alone is fine.
    app.get("/api/v1/me").header("cookie", &cookie).send().await.expect(200);
    let fetched = app.get("/api/v1/me/csrf").header("cookie", &cookie).send().await.expect(200);
    assert_eq!(fetched.json["csrf_token"], csrf.as_str());
    // A change without the token (what a forged cross-site form sends) is refused.
    app.post("/api/v1/auth/logout").header("cookie", &cookie).send().await.problem(403, "csrf_failed");
    app.post("/api/v1/auth/logout")
        .header("cookie", &cookie)
        .header("x-csrf-token", "wrong")
        .send()
        .await
        .problem(403, "csrf_failed");
    app.post("/api/v1/auth/logout").header("cookie", &cookie).header("x-csrf-token", &csrf).send().await.expect(204);
    app.get("/api/v1/me").header("cookie", &cookie).send().await.problem(401, "unauthenticated");
}

async fn password_change_ends_other_sessions(app: TestApp) {
    let school = app.school(6).await;
    let other = app.login("admin6@school6.ru", PASSWORD).await;
    app.post("/api/v1/me/password")
        .token(&school.admin)
        .json(json!({ "current_password": "not it", "new_password": "a new password" }))
        .send()
        .await
        .problem(422, "validation_failed");
    app.post("/api/v1/me/password")
        .token(&school.admin)
        .json(json!({ "current_password": PASSWORD, "new_password": "short" }))
        .send()
        .await
        .problem(422, "validation_failed");
    app.post("/api/v1/me/password")
        .token(&school.admin)
        .json(json!({ "current_password": PASSWORD, "new_password": "a new password" }))
        .send()
        .await
        .expect(204);
    app.get("/api/v1/me").token(&other).send().await.problem(401, "unauthenticated");
    app.get("/api/v1/me").token(&school.admin).send().await.expect(200);
    app.post("/api/v1/auth/login")
        .json(json!({ "login": "admin6@school6.ru", "password": PASSWORD }))
        .send()
        .await
        .expect(401);
    app.login("admin6@school6.ru", "a new password").await;
}

async fn deleting_an_account_erases_it_and_keeps_the_audit(app: TestApp) {
    let school = app.school(7).await;
    let class = app.create_class(&school, "5А", 5).await;
    let student = app.join(&school, class, "student", None, "Удаляемов").await;
    app.delete("/api/v1/me")
        .token(&student.token)
        .json(json!({ "password": "wrong" }))
        .send()
        .await
        .problem(422, "validation_failed");
    app.delete("/api/v1/me").token(&student.token).json(json!({ "password": PASSWORD })).send().await.expect(204);
    app.get("/api/v1/me").token(&student.token).send().await.problem(401, "unauthenticated");
    app.post("/api/v1/auth/login")
        .json(json!({ "login": student.email, "password": PASSWORD }))
        .send()
        .await
        .problem(401, "invalid_credentials");
    // Gone from the class, but the class history and the audit log still account for them.
    let members = app
        .get(&format!("/api/v1/orgs/{}/members?class_id={class}", school.org))
        .token(&school.admin)
        .send()
        .await
        .expect(200);
    assert!(members.json.as_array().expect("list").iter().all(|m| m["person"]["id"] != student.id));
    let history = app
        .get(&format!("/api/v1/orgs/{}/classes/{class}/memberships", school.org))
        .token(&school.admin)
        .send()
        .await
        .expect(200);
    let entry = history
        .json
        .as_array()
        .expect("list")
        .iter()
        .find(|m| m["person"]["id"] == student.id)
        .expect("history kept")
        .clone();
    assert_eq!(entry["end_reason"], "account_deleted");
    assert_eq!(entry["person"]["family_name"], "Удалённый");
    let audit = app.get(&format!("/api/v1/orgs/{}/audit", school.org)).token(&school.admin).send().await.expect(200);
    let actions: Vec<&str> = audit.json.as_array().expect("list").iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"account_deleted") && actions.contains(&"member_joined"), "{actions:?}");
    // The school's only admin must hand over first.
    app.delete("/api/v1/me")
        .token(&school.admin)
        .json(json!({ "password": PASSWORD }))
        .send()
        .await
        .problem(409, "last_admin");
}

async fn operator_code_works_once(app: TestApp) {
    let created = parta_server::actions::accounts::create_operator(&app.state, "op@parta.test", "Операторова", "Ольга")
        .await
        .expect("created");
    app.post("/api/v1/auth/set-password")
        .json(json!({ "token": created.code, "password": "short" }))
        .send()
        .await
        .problem(422, "validation_failed");
    app.post("/api/v1/auth/set-password")
        .json(json!({ "token": created.code, "password": PASSWORD }))
        .send()
        .await
        .expect(204);
    app.post("/api/v1/auth/set-password")
        .json(json!({ "token": created.code, "password": PASSWORD }))
        .send()
        .await
        .problem(409, "token_invalid");
    let token = app.login("op@parta.test", PASSWORD).await;
    let me = app.get("/api/v1/me").token(&token).send().await.expect(200);
    assert_eq!(me.json["is_operator"], true);
}
