//! The protocol around the flows: problem documents for every kind of failure,
//! languages, operational endpoints, the OpenAPI document and the docs page.

use serde_json::json;

use crate::on_both_backends;
use crate::support::{PASSWORD, TestApp};

on_both_backends!(
    bodies_that_cannot_be_read_are_problems,
    routes_and_methods_that_do_not_exist_are_problems,
    problems_speak_russian_unless_english_is_preferred,
    health_readiness_and_metrics_answer,
    the_api_describes_itself_and_the_docs_stay_local,
    every_answer_carries_the_security_headers,
    pages_and_api_answers_carry_a_strict_content_security_policy,
);

async fn bodies_that_cannot_be_read_are_problems(app: TestApp) {
    let school = app.school(501).await;
    // Wrong content type, or none.
    app.post("/api/v1/auth/login")
        .raw("text/plain", br#"{"login":"a@b.ru","password":"x"}"#.to_vec())
        .send()
        .await
        .problem(415, "unsupported_media_type");
    app.post("/api/v1/auth/login")
        .raw("application/x-www-form-urlencoded", b"login=a%40b.ru&password=x".to_vec())
        .send()
        .await
        .problem(415, "unsupported_media_type");
    app.post("/api/v1/auth/login").send().await.problem(415, "unsupported_media_type");
    // Over 256 KiB, declared or not.
    let padding = "я".repeat(140 * 1024);
    let big = json!({ "login": "admin501@school501.ru", "password": padding }).to_string().into_bytes();
    assert!(big.len() > 256 * 1024);
    app.post("/api/v1/auth/login").raw("application/json", big.clone()).send().await.problem(413, "payload_too_large");
    let length = big.len().to_string();
    app.post("/api/v1/auth/login")
        .header("content-length", &length)
        .raw("application/json", big)
        .send()
        .await
        .problem(413, "payload_too_large");
    app.post(&format!("/api/v1/orgs/{}/units", school.org))
        .token(&school.admin)
        .raw("application/json", json!({ "name": "Ж".repeat(200 * 1024) }).to_string().into_bytes())
        .send()
        .await
        .problem(413, "payload_too_large");
    // Just under the limit is read (and then judged on its content).
    let fits = json!({ "login": "admin501@school501.ru", "password": "x".repeat(200 * 1024) }).to_string().into_bytes();
    app.post("/api/v1/auth/login").raw("application/json", fits).send().await.problem(401, "invalid_credentials");
    // Not JSON at all.
    app.post("/api/v1/auth/login")
        .raw("application/json", b"{\"login\": \"a@b.ru\",".to_vec())
        .send()
        .await
        .problem(400, "malformed_body");
    app.post("/api/v1/auth/login")
        .raw("application/json", b"login=admin".to_vec())
        .send()
        .await
        .problem(400, "malformed_body");
    // JSON of the wrong shape names the field.
    let missing = app
        .post("/api/v1/auth/login")
        .json(json!({ "login": "admin501@school501.ru" }))
        .send()
        .await
        .invalid(&[("password", "required")]);
    assert!(missing.json["errors"][0]["detail"].as_str().is_some_and(|d| !d.is_empty()));
    app.post("/api/v1/auth/login")
        .json(json!({ "login": 42, "password": PASSWORD }))
        .send()
        .await
        .invalid(&[("login", "invalid_value")]);
    app.post(&format!("/api/v1/orgs/{}/classes", school.org))
        .token(&school.admin)
        .json(json!({ "name": "5А", "grade": "пятый", "academic_year": 2026 }))
        .send()
        .await
        .invalid(&[("grade", "invalid_value")]);
    app.post(&format!("/api/v1/orgs/{}/classes", school.org))
        .token(&school.admin)
        .json(json!({ "grade": 5, "academic_year": 2026 }))
        .send()
        .await
        .invalid(&[("name", "required")]);
    // A problem document has the RFC 9457 members.
    let problem = app.post("/api/v1/auth/login").json(json!({})).send().await.problem(422, "validation_failed");
    assert_eq!(problem.json["type"], "https://parta.example/problems/validation-failed");
    assert_eq!(problem.json["title"], "Unprocessable Entity");
    assert_eq!(problem.json["status"], 422);
}

async fn routes_and_methods_that_do_not_exist_are_problems(app: TestApp) {
    let school = app.school(502).await;
    let unknown = app.get("/api/v1/nothing-here").send().await.problem(404, "not_found");
    assert_eq!(unknown.header_str("content-language"), Some("ru"));
    app.get("/api/v2/me").token(&school.admin).send().await.problem(404, "not_found");
    app.post("/definitely/not/a/route").json(json!({})).send().await.problem(404, "not_found");
    // A path id of the wrong type is a bad request, as a problem too.
    let bad_id = app.get("/api/v1/orgs/five").token(&school.admin).send().await;
    assert_eq!(bad_id.status.as_u16(), 400, "{}", bad_id.json);
    assert_eq!(bad_id.header_str("content-type"), Some("application/problem+json"));
    // Wrong method on a known route.
    let wrong = app.delete("/api/v1/auth/login").send().await.problem(405, "method_not_allowed");
    let allow = wrong.header_str("allow").expect("Allow header");
    assert!(allow.contains("POST"), "{allow}");
    app.put(&format!("/api/v1/orgs/{}", school.org))
        .token(&school.admin)
        .json(json!({}))
        .send()
        .await
        .problem(405, "method_not_allowed");
    // The fixed route wins over the token pattern: GET on the accept route is a wrong method, not a token.
    app.get("/api/v1/invites/accept").send().await.problem(405, "method_not_allowed");
}

async fn problems_speak_russian_unless_english_is_preferred(app: TestApp) {
    let russian = app.get("/api/v1/me").send().await.problem(401, "unauthenticated");
    assert_eq!(russian.header_str("content-language"), Some("ru"));
    let detail = russian.json["detail"].as_str().expect("detail");
    assert!(detail.chars().any(|c| (0x0400..0x0500).contains(&(c as u32))), "{detail}");
    let english = app.get("/api/v1/me").header("accept-language", "en").send().await.problem(401, "unauthenticated");
    assert_eq!(english.header_str("content-language"), Some("en"));
    let detail = english.json["detail"].as_str().expect("detail");
    assert!(detail.is_ascii() && detail.chars().any(|c| c.is_ascii_alphabetic()), "{detail}");
    assert_eq!(english.json["code"], russian.json["code"]);
    assert_ne!(english.json["detail"], russian.json["detail"]);
    // Field details follow the language too.
    let ru =
        app.post("/api/v1/auth/login").json(json!({ "login": "x" })).send().await.invalid(&[("password", "required")]);
    assert_eq!(ru.json["errors"][0]["detail"], "Обязательное поле.");
    let en = app
        .post("/api/v1/auth/login")
        .header("accept-language", "en-GB,en;q=0.9")
        .json(json!({ "login": "x" }))
        .send()
        .await
        .invalid(&[("password", "required")]);
    assert_eq!(en.json["errors"][0]["detail"], "This field is required.");
    assert_eq!(en.header_str("content-language"), Some("en"));
    // Russian preferred over English stays Russian; an unknown language falls back to Russian.
    let ru = app
        .get("/api/v1/me")
        .header("accept-language", "ru-RU,ru;q=0.9,en;q=0.8")
        .send()
        .await
        .problem(401, "unauthenticated");
    assert_eq!(ru.header_str("content-language"), Some("ru"));
    let de = app.get("/api/v1/me").header("accept-language", "de").send().await.problem(401, "unauthenticated");
    assert_eq!(de.header_str("content-language"), Some("ru"));
    // Framework answers are translated as well.
    let not_found = app.get("/api/v1/nothing").header("accept-language", "en").send().await.problem(404, "not_found");
    assert_eq!(not_found.header_str("content-language"), Some("en"));
    let gone = app
        .get("/api/v1/invites/unknown-token")
        .header("accept-language", "en")
        .send()
        .await
        .problem(404, "invite_not_found");
    assert_eq!(gone.json["detail"], "Invite link not found. Check that it was copied in full.");
}

async fn health_readiness_and_metrics_answer(app: TestApp) {
    let health = app.get("/healthz").send().await.expect(200);
    assert_eq!(health.bytes, b"ok");
    let ready = app.get("/readyz").send().await.expect(200);
    assert_eq!(ready.bytes, b"ready");
    app.get("/api/v1/me").send().await.expect(401);
    let metrics = app.get("/metrics").send().await.expect(200);
    let text = String::from_utf8(metrics.bytes.clone()).expect("utf-8");
    assert!(metrics.header_str("content-type").is_some_and(|t| t.starts_with("text/plain")));
    assert!(text.contains("parta_http_requests_total"), "{text}");
    // Requests are counted by route template, never by raw path.
    // (The recorder is process-wide, so other tests' requests are in it too.)
    let counted = text.lines().any(|l| {
        l.starts_with("parta_http_requests_total")
            && l.contains("route=\"/api/v1/me\"")
            && l.contains("status=\"401\"")
            && l.contains("method=\"GET\"")
    });
    assert!(counted, "no counter for GET /api/v1/me → 401: {text}");
    app.get("/api/v1/invites/some-secret-token-value").send().await.expect(404);
    let text = String::from_utf8(app.get("/metrics").send().await.expect(200).bytes).expect("utf-8");
    assert!(!text.contains("some-secret-token-value"), "a token reached the metrics");
    assert!(text.contains("route=\"/api/v1/invites/{token}\""), "{text}");
    assert!(text.contains("parta_http_request_duration_seconds"), "{text}");

    // A send heard on a socket: each stage of its way is timed.
    let c = crate::messaging::class_with_people(&app, 907).await;
    let address = app.serve().await;
    let chat = crate::messaging::chat_id(&app, &c.student.token, c.school.org, "class", Some(c.a)).await;
    let (mut teacher, _) = crate::support::Socket::connect(address, &c.teacher.token).await;
    crate::messaging::send(&app, &c.student, chat, "timed", "Где сменка?").await;
    teacher.next().await.expect("the send heard");
    let text = String::from_utf8(app.get("/metrics").send().await.expect(200).bytes).expect("utf-8");
    for stage in ["session", "send", "queue", "writer", "statements", "commit", "publish", "reply", "fanout"] {
        let line = format!("parta_write_stage_seconds_count{{stage=\"{stage}\"}}");
        assert!(text.contains(&line), "no {stage} stage: {text}");
    }
}

async fn the_api_describes_itself_and_the_docs_stay_local(app: TestApp) {
    let spec = app.get("/api/openapi.json").send().await.expect(200);
    let version = spec.json["openapi"].as_str().expect("openapi version");
    assert!(version.starts_with("3.1"), "{version}");
    let paths = spec.json["paths"].as_object().expect("paths");
    for path in [
        "/api/v1/auth/login",
        "/api/v1/auth/register",
        "/api/v1/applications",
        "/api/v1/orgs/{org_id}/invites",
        "/api/v1/invites/{token}",
        "/api/v1/orgs/{org_id}/members/{user_id}/transfer",
        "/api/v1/audit",
    ] {
        assert!(paths.contains_key(path), "{path} missing from the OpenAPI document");
    }
    assert!(spec.json["paths"]["/api/v1/auth/login"]["post"].is_object());
    assert!(spec.json["components"]["securitySchemes"]["bearer"].is_object());
    assert!(spec.json["components"]["schemas"]["Problem"].is_object());

    let page = app.get("/api/docs/").send().await.expect(200);
    assert!(page.header_str("content-type").is_some_and(|t| t.starts_with("text/html")), "{:?}", page.headers);
    let html = String::from_utf8(page.bytes.clone()).expect("utf-8");
    assert!(html.contains("swagger"), "{html}");
    assert_no_external_urls("/api/docs/", &html);
    let initializer = app.get("/api/docs/swagger-initializer.js").send().await.expect(200);
    let js = String::from_utf8(initializer.bytes.clone()).expect("utf-8");
    assert!(js.contains("/api/openapi.json"), "{js}");
    assert_no_external_urls("swagger-initializer.js", &js);
    // What the page loads is served from here.
    for asset in ["swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"] {
        if html.contains(asset) {
            app.get(&format!("/api/docs/{asset}")).send().await.expect(200);
        }
    }
}

fn assert_no_external_urls(name: &str, text: &str) {
    for scheme in ["http://", "https://", "//cdn", "//unpkg"] {
        assert!(!text.contains(scheme), "{name} references an external URL ({scheme}): {text}");
    }
}

async fn every_answer_carries_the_security_headers(app: TestApp) {
    for reply in [
        app.get("/healthz").send().await,
        app.get("/api/v1/me").send().await,
        app.get("/api/v1/nothing").send().await,
        app.get("/api/openapi.json").send().await,
    ] {
        assert_eq!(reply.header_str("x-content-type-options"), Some("nosniff"));
        assert_eq!(reply.header_str("x-frame-options"), Some("DENY"));
        assert_eq!(reply.header_str("referrer-policy"), Some("no-referrer"));
    }
}

/// The directives of a Content-Security-Policy header by name, each with its sources.
fn csp_directives(policy: &str) -> std::collections::HashMap<String, Vec<String>> {
    policy
        .split(';')
        .filter_map(|directive| {
            let mut words = directive.split_whitespace();
            let name = words.next()?.to_ascii_lowercase();
            Some((name, words.map(str::to_owned).collect()))
        })
        .collect()
}

async fn pages_and_api_answers_carry_a_strict_content_security_policy(app: TestApp) {
    // A client directory of one page, as `--web-dir` serves it: every page path gets it.
    let web = app.scratch_dir("web");
    std::fs::write(web.join("index.html"), "<!doctype html><script type=\"module\" src=\"/assets/app.js\"></script>")
        .expect("index.html");
    let app = app.with_settings(|s| s.web_dir = Some(web));
    let page = app.get("/chats").send().await.expect(200);
    assert!(page.header_str("content-type").is_some_and(|t| t.starts_with("text/html")), "{:?}", page.headers);
    for (what, reply) in [
        ("a page", page),
        ("the root", app.get("/").send().await.expect(200)),
        ("an API answer", app.get("/api/v1/me").send().await.expect(401)),
        ("an API path that does not exist", app.get("/api/v1/nothing").send().await.expect(404)),
        ("the OpenAPI document", app.get("/api/openapi.json").send().await.expect(200)),
        ("the docs page", app.get("/api/docs/").send().await.expect(200)),
        ("readiness", app.get("/readyz").send().await),
    ] {
        let policy = reply.header_str("content-security-policy").unwrap_or_else(|| panic!("{what}: no CSP"));
        let directives = csp_directives(policy);
        let sources = |name: &str| directives.get(name).unwrap_or_else(|| panic!("{what}: no {name} in {policy}"));
        for name in ["object-src", "base-uri", "frame-ancestors"] {
            assert_eq!(sources(name), &["'none'"], "{what}: {name} in {policy}");
        }
        assert_eq!(sources("default-src"), &["'self'"], "{what}: {policy}");
        for name in ["script-src", "style-src"] {
            for source in sources(name) {
                assert!(
                    source == "'self'" || source.starts_with("'sha256-"),
                    "{what}: {name} allows {source}, which lets injected markup run: {policy}"
                );
            }
        }
        if what != "the docs page" {
            assert_eq!(sources("style-src"), &["'self'"], "{what}: {policy}");
        }
        assert!(!policy.contains("'unsafe-"), "{what}: {policy}");
        assert!(!policy.contains('*'), "{what}: a wildcard source in {policy}");
    }
}
