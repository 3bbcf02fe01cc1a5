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
    concurrent_guesses_are_limited_like_sequential_ones,
    an_account_with_two_logins_has_one_limit,
    password_checks_beyond_the_bound_are_answered_busy,
    a_known_device_logs_in_through_a_flood_from_its_address,
    a_known_device_is_not_locked_out_by_guesses_from_elsewhere,
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

fn wrong(login: &str) -> serde_json::Value {
    json!({ "login": login, "password": "wrong password" })
}

/// 100 guesses at once, the right password among them: only the limit's worth are
/// checked at all, the rest are refused before any hashing.
async fn concurrent_guesses_are_limited_like_sequential_ones(app: TestApp) {
    app.school(31).await;
    let calls = (0..100).map(|n| {
        let body = if n == 99 {
            json!({ "login": "admin31@school31.ru", "password": PASSWORD })
        } else {
            wrong("admin31@school31.ru")
        };
        app.post("/api/v1/auth/login").json(body).send()
    });
    let replies = futures_util::future::join_all(calls).await;
    let checked = replies.iter().filter(|r| r.status.as_u16() != 429).count();
    let refused = replies.iter().filter(|r| r.status.as_u16() == 429).count();
    assert!(checked <= 10, "{checked} of 100 concurrent guesses were checked");
    assert_eq!(checked + refused, 100, "every answer is a check or a refusal");
    for reply in &replies {
        assert!(matches!(reply.status.as_u16(), 200 | 401 | 429), "unexpected {}", reply.status);
    }
}

/// Guesses by e-mail and by phone count against the same account.
async fn an_account_with_two_logins_has_one_limit(app: TestApp) {
    let school = app.school(32).await;
    let class = app.create_class(&school, "8А", 8).await;
    let invite = app.invite(&school.admin, school.org, json!({ "class_id": class, "role": "student" })).await;
    app.post("/api/v1/auth/register")
        .json(json!({ "consent_version": parta_domain::consent::VERSION, "invite_token": invite, "family_name": "Двулогинов", "given_name": "Иван",
            "email": "two@school32.ru", "phone": "+7 912 000-32-32", "password": PASSWORD }))
        .send()
        .await
        .expect(201);
    for n in 0..10 {
        let login = if n % 2 == 0 { "two@school32.ru" } else { "89120003232" };
        app.post("/api/v1/auth/login").json(wrong(login)).send().await.problem(401, "invalid_credentials");
    }
    for login in ["two@school32.ru", "+79120003232"] {
        app.post("/api/v1/auth/login")
            .json(json!({ "login": login, "password": PASSWORD }))
            .send()
            .await
            .problem(429, "too_many_attempts");
    }
}

/// With one check at a time and one waiting, a burst of logins is answered at once
/// with 503 beyond the queue, and nobody's failure count grows for a refused one.
async fn password_checks_beyond_the_bound_are_answered_busy(app: TestApp) {
    app.school(33).await;
    let app = app.with_settings(|s| s.password_checks = Some((1, 1)));
    let calls = (0..12).map(|n| app.post("/api/v1/auth/login").json(wrong(&format!("nobody{n}@school33.ru"))).send());
    let replies = futures_util::future::join_all(calls).await;
    let busy: Vec<_> = replies.iter().filter(|r| r.status.as_u16() == 503).collect();
    assert!(!busy.is_empty(), "no login was refused as busy");
    assert!(busy.iter().all(|r| r.json["code"] == "server_busy" && r.headers.contains_key("retry-after")));
    assert!(replies.iter().all(|r| matches!(r.status.as_u16(), 401 | 503)));
    // The refused ones were never checked: ten wrong guesses still fit the account's limit.
    let token = app.login("admin33@school33.ru", PASSWORD).await;
    assert!(!token.is_empty());
}

fn device_of(reply: &crate::support::Reply) -> Option<String> {
    reply.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|cookie| {
        let value = cookie.strip_prefix("parta_device=")?;
        Some(value.split(';').next()?.to_owned())
    })
}

/// A flood of 1,000 failed logins from one address (a school behind one NAT) shuts
/// that address to new devices, but the director's phone, used there before, still
/// gets in with the right password; with a wrong one it is refused like any other.
async fn a_known_device_logs_in_through_a_flood_from_its_address(app: TestApp) {
    app.school(34).await;
    let app = app.with_settings(|s| s.trust_forwarded_for = true);
    let from = |body: serde_json::Value, device: Option<&str>| {
        let mut call = app.post("/api/v1/auth/login").header("x-forwarded-for", "198.51.100.34").json(body);
        if let Some(device) = device {
            call = call.header("cookie", &format!("parta_device={device}"));
        }
        call.send()
    };
    let first = from(json!({ "login": "admin34@school34.ru", "password": PASSWORD }), None).await.expect(200);
    let device = device_of(&first).expect("a new browser gets a device cookie");
    assert!(first.headers.get_all("set-cookie").iter().any(|c| c.to_str().is_ok_and(|c| c.contains("HttpOnly"))));
    for batch in 0..20 {
        let calls = (0..50).map(|n| from(wrong(&format!("guess{batch}-{n}@school34.ru")), None));
        for reply in futures_util::future::join_all(calls).await {
            assert!(matches!(reply.status.as_u16(), 401 | 429 | 503), "unexpected {}", reply.status);
        }
    }
    // A device never used here is refused even with the right password…
    from(json!({ "login": "admin34@school34.ru", "password": PASSWORD }), None).await.problem(429, "too_many_attempts");
    from(json!({ "login": "admin34@school34.ru", "password": PASSWORD }), Some("made-up-device"))
        .await
        .problem(429, "too_many_attempts");
    // …the known one gets in, and is not given a new cookie.
    let again = from(json!({ "login": "admin34@school34.ru", "password": PASSWORD }), Some(&device)).await.expect(200);
    assert!(device_of(&again).is_none());
    from(wrong("admin34@school34.ru"), Some(&device)).await.problem(401, "invalid_credentials");
}

/// Ten wrong guesses at the account from elsewhere lock out new devices; the owner's
/// known device still logs in, and has a limit of its own.
async fn a_known_device_is_not_locked_out_by_guesses_from_elsewhere(app: TestApp) {
    app.school(35).await;
    let login = |password: &str, device: Option<&str>| {
        let mut call =
            app.post("/api/v1/auth/login").json(json!({ "login": "admin35@school35.ru", "password": password }));
        if let Some(device) = device {
            call = call.header("cookie", &format!("parta_device={device}"));
        }
        call.send()
    };
    let device = device_of(&login(PASSWORD, None).await.expect(200)).expect("device cookie");
    for _ in 0..10 {
        login("wrong password", None).await.problem(401, "invalid_credentials");
    }
    login(PASSWORD, None).await.problem(429, "too_many_attempts");
    login(PASSWORD, Some(&device)).await.expect(200);
    for _ in 0..10 {
        login("wrong password", Some(&device)).await.problem(401, "invalid_credentials");
    }
    login(PASSWORD, Some(&device)).await.problem(429, "too_many_attempts");
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
        .json(json!({ "consent_version": parta_domain::consent::VERSION, "invite_token": invite, "family_name": "Телефонов", "given_name": "Пётр",
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
