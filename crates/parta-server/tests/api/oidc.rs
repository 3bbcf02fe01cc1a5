//! Signing in with an OpenID provider, against a real one started here
//! (`oidc_provider/provider.mjs`: the certified `oidc-provider` library over HTTPS
//! with the test's certificate, PKCE required). The test plays the browser: it follows
//! the redirects, keeps each side's cookies and posts the provider's login form.
//! Linking by password and by an invite link, signing in after, an unlinked identity,
//! an identity linked to a second account, a replayed state, a callback in another
//! browser, and ID tokens forged, for another audience or expired — each refused with
//! its code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use parta_server::https::{self, Fetched};
use parta_server::oidc::{ContactClaim, ProviderConfig};
use serde_json::json;

use crate::on_both_backends;
use crate::push::certificate;
use crate::recovery::free_port;
use crate::support::{PASSWORD, Reply, TestApp};

on_both_backends!(
    an_identity_linked_by_password_signs_in_and_no_other_account_takes_it,
    joining_by_an_invite_link_with_the_provider_makes_the_account_and_links_it,
    forged_foreign_expired_tokens_and_replayed_states_are_refused
);

const PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// The provider process, killed with the test.
pub struct Provider {
    pub issuer: String,
    pub cert: Vec<u8>,
    tls: Arc<tokio_rustls::rustls::ClientConfig>,
    _process: tokio::process::Child,
}

fn provider_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api/oidc_provider")
}

impl Provider {
    /// Starts the provider with two accounts; `None` (with a note) when its packages
    /// are not installed outside CI — `scripts/test.sh` installs them, and under
    /// `CI=true` a provider that cannot start fails the test.
    pub async fn start() -> Option<Provider> {
        let required = std::env::var("CI").is_ok_and(|v| v == "true");
        if !provider_dir().join("node_modules/oidc-provider").exists() {
            assert!(!required, "the OpenID provider's packages are missing: npm ci in {}", provider_dir().display());
            eprintln!("skipped: no OpenID provider (run scripts/test.sh, or npm ci in tests/api/oidc_provider)");
            return None;
        }
        let dir = certificate("oidc");
        let port = free_port();
        let config = json!({
            "port": port,
            "cert": dir.join("cert.pem"),
            "key": dir.join("key.pem"),
            "client_id": "parta",
            "client_secret": "parta-test-secret",
            "redirect_uris": [format!("{PUBLIC_URL}/api/v1/auth/oidc/test/callback")],
            "accounts": [
                { "id": "anna-1", "email": "anna@id.test", "family_name": "Кузнецова", "given_name": "Анна" },
                { "id": "boris-2", "email": "boris@id.test", "family_name": "Орлов", "given_name": "Борис" },
                { "id": "nameless-3", "email": "nameless@id.test", "family_name": "", "given_name": "" },
            ],
        });
        let config_file = dir.join("provider.json");
        std::fs::write(&config_file, config.to_string()).expect("the provider's config");
        let process = tokio::process::Command::new("node")
            .arg(provider_dir().join("provider.mjs"))
            .arg(&config_file)
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node starts");
        let cert = std::fs::read(dir.join("cert.pem")).expect("the certificate");
        let tls = https::tls_config(Some(&cert)).expect("TLS");
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                let issuer = format!("https://127.0.0.1:{port}");
                return Some(Provider { issuer, cert, tls, _process: process });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the OpenID provider did not listen on {port}");
    }

    /// Parta's settings naming this provider as `test`.
    pub fn config(&self) -> ProviderConfig {
        ProviderConfig {
            id: "test".into(),
            name: "Тестовый ID".into(),
            issuer: self.issuer.clone(),
            client_id: "parta".into(),
            client_secret: "parta-test-secret".into(),
            scopes: vec!["email".into(), "profile".into()],
            claim: ContactClaim::Email,
            ca_pem: Some(self.cert.clone()),
        }
    }

    async fn request(&self, method: &'static str, url: &str, cookies: &Jar, form: Option<String>) -> Fetched {
        let endpoint = https::parse(url).unwrap_or_else(|| panic!("an https URL: {url}"));
        let mut headers = vec![("cookie", cookies.header())];
        let body = match form {
            Some(form) => {
                headers.push(("content-type", "application/x-www-form-urlencoded".to_owned()));
                form.into_bytes()
            }
            None => Vec::new(),
        };
        https::fetch(&self.tls, method, &endpoint, &headers, body).await.expect("the provider answers")
    }

    /// Asks the token endpoint to hand out `forged`, `wrong_aud`, `expired` or `normal` ID tokens.
    pub async fn token_mode(&self, mode: &str) {
        let answer =
            self.request("POST", &format!("{}/_test/mode?token={mode}", self.issuer), &Jar::default(), None).await;
        assert_eq!(answer.status, 204);
    }
}

/// Cookies one side set, by name.
#[derive(Default, Clone)]
pub struct Jar(BTreeMap<String, String>);

impl Jar {
    fn take(&mut self, headers: &axum::http::HeaderMap) {
        for value in headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()) {
            if let Some((name, rest)) = value.split_once('=') {
                let value = rest.split(';').next().unwrap_or_default();
                self.0.insert(name.trim().to_owned(), value.to_owned());
            }
        }
    }

    fn header(&self) -> String {
        self.0.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }
}

fn location(headers: &axum::http::HeaderMap) -> String {
    headers.get("location").and_then(|v| v.to_str().ok()).expect("a redirect").to_owned()
}

/// A browser: its cookies at Parta and at the provider.
#[derive(Default, Clone)]
pub struct Browser {
    parta: Jar,
    provider: Jar,
}

impl Browser {
    /// Opens a Parta path that redirects to the provider (`…/start`); the provider's URL.
    pub async fn start(&mut self, app: &TestApp, path: &str) -> String {
        let reply = app.get(path).header("cookie", &self.parta.header()).send().await.expect(303);
        self.parta.take(&reply.headers);
        location(&reply.headers)
    }

    /// Signs in at the provider as `email` from its authorization URL; the callback
    /// path (with query) the provider sends the browser back to.
    pub async fn sign_in_at(&mut self, provider: &Provider, url: &str, email: &str) -> String {
        let mut url = url.to_owned();
        let mut posted = false;
        for _ in 0..10 {
            if let Some(callback) = url.strip_prefix(PUBLIC_URL) {
                return callback.to_owned();
            }
            let absolute = if url.starts_with('/') { format!("{}{url}", provider.issuer) } else { url.clone() };
            let answer = if absolute.contains("/interaction/") && !posted {
                posted = true;
                let form = serde_urlencoded::to_string([("login", email)]).expect("a form");
                provider.request("POST", &format!("{absolute}/login"), &self.provider, Some(form)).await
            } else {
                provider.request("GET", &absolute, &self.provider, None).await
            };
            self.provider.take(&answer.headers);
            assert!(
                (300..400).contains(&answer.status),
                "{absolute}: {} {}",
                answer.status,
                String::from_utf8_lossy(&answer.body)
            );
            url = location(&answer.headers);
        }
        panic!("the provider never sent the browser back");
    }

    /// Brings the provider's answer to Parta, asking for JSON (the outcome or a problem).
    pub async fn callback(&mut self, app: &TestApp, path: &str) -> Reply {
        let reply =
            app.get(path).header("cookie", &self.parta.header()).header("accept", "application/json").send().await;
        self.parta.take(&reply.headers);
        reply
    }

    /// The whole round: start at Parta, sign in at the provider, come back.
    pub async fn round(&mut self, app: &TestApp, provider: &Provider, start: &str, email: &str) -> Reply {
        let url = self.start(app, start).await;
        let callback = self.sign_in_at(provider, &url, email).await;
        self.callback(app, &callback).await
    }
}

const START: &str = "/api/v1/auth/oidc/test/start";

/// The app with the provider started here as `test`.
async fn with_provider(bare: TestApp) -> Option<(TestApp, Provider)> {
    let provider = Provider::start().await?;
    let config = provider.config();
    let app = bare.with_settings(|s| {
        s.public_url = PUBLIC_URL.into();
        s.oidc.push(config);
    });
    Some((app, provider))
}

async fn link(app: &TestApp, provider: &Provider, token: &str, email: &str) -> (Browser, Reply) {
    let mut browser = Browser::default();
    let begun = app
        .post("/api/v1/me/oidc/test/link")
        .token(token)
        .json(json!({ "password": PASSWORD }))
        .send()
        .await
        .expect(200);
    browser.parta.take(&begun.headers);
    let url = begun.json["url"].as_str().expect("the provider's URL").to_owned();
    let callback = browser.sign_in_at(provider, &url, email).await;
    let reply = browser.callback(app, &callback).await;
    (browser, reply)
}

async fn an_identity_linked_by_password_signs_in_and_no_other_account_takes_it(app: TestApp) {
    let Some((app, provider)) = with_provider(app).await else { return };
    let s = app.school(951).await;
    assert_eq!(
        app.get("/api/v1/auth/oidc").send().await.expect(200).json,
        json!([{ "id": "test", "name": "Тестовый ID" }])
    );

    // Not linked yet: refused, and no account is made.
    let users = app.count("SELECT COUNT(*) FROM users".into()).await;
    Browser::default().round(&app, &provider, START, "anna@id.test").await.problem(403, "oidc_not_linked");
    assert_eq!(app.count("SELECT COUNT(*) FROM users".into()).await, users);
    // The browser sees the refusal on the login page, in words.
    let mut browser = Browser::default();
    let url = browser.start(&app, START).await;
    let callback = browser.sign_in_at(&provider, &url, "anna@id.test").await;
    let page = app.get(&callback).header("cookie", &browser.parta.header()).send().await.expect(303);
    assert_eq!(location(&page.headers), "/login?sso_error=oidc_not_linked");

    // Linking asks for the password first, under the login's limits.
    app.post("/api/v1/me/oidc/test/link")
        .token(&s.admin)
        .json(json!({ "password": "not the password" }))
        .send()
        .await
        .problem(401, "invalid_credentials");
    app.post("/api/v1/me/oidc/nope/link")
        .token(&s.admin)
        .json(json!({ "password": PASSWORD }))
        .send()
        .await
        .problem(404, "oidc_provider_unknown");
    let (mut browser, linked) = link(&app, &provider, &s.admin, "anna@id.test").await;
    assert_eq!(linked.expect(200).json["outcome"], "linked");
    let links = app.get("/api/v1/me/oidc").token(&s.admin).send().await.expect(200).json;
    assert_eq!(links[0]["provider"], "test");
    assert_eq!(links[0]["name"], "Тестовый ID");
    assert_eq!(links[0]["label"], "anna@id.test");
    app.post("/api/v1/me/oidc/test/link")
        .token(&s.admin)
        .json(json!({ "password": PASSWORD }))
        .send()
        .await
        .problem(409, "oidc_already_linked");

    // Signing in with the provider is signing in as that account.
    let url = browser.start(&app, START).await;
    let callback = browser.sign_in_at(&provider, &url, "anna@id.test").await;
    let signed = browser.callback(&app, &callback).await.expect(200);
    assert_eq!(signed.json["outcome"], "signed_in");
    let cookie = signed.header_str("set-cookie").expect("the session cookie").to_owned();
    assert!(cookie.starts_with("parta_session=") && cookie.contains("HttpOnly"), "{cookie}");
    let token = signed.json["token"].as_str().expect("a session");
    assert_eq!(app.me(token).await["id"], s.admin_id);
    // The same answer again: its state was used.
    browser.callback(&app, &callback).await.problem(403, "oidc_state_unknown");
    // The browser way: a redirect into the app with the session cookie.
    let url = browser.start(&app, START).await;
    let callback = browser.sign_in_at(&provider, &url, "anna@id.test").await;
    let page = app.get(&callback).header("cookie", &browser.parta.header()).send().await.expect(303);
    assert_eq!(location(&page.headers), "/");
    assert!(page.header_str("set-cookie").is_some_and(|c| c.starts_with("parta_session=")));

    // Another account cannot link the identity already linked.
    let class = app.create_class(&s, "5А", 5).await;
    let teacher = app.join(&s, class, "teacher", None, "Петров").await;
    let (_, taken) = link(&app, &provider, &teacher.token, "anna@id.test").await;
    taken.problem(409, "oidc_identity_taken");
    assert!(app.get("/api/v1/me/oidc").token(&teacher.token).send().await.expect(200).list().is_empty());

    // Unlinked (audited): the identity signs nobody in any more.
    app.delete("/api/v1/me/oidc/test").token(&s.admin).send().await.expect(204);
    app.delete("/api/v1/me/oidc/test").token(&s.admin).send().await.expect(404);
    Browser::default().round(&app, &provider, START, "anna@id.test").await.problem(403, "oidc_not_linked");
    let audited =
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('oidc_linked', 'oidc_unlinked') AND actor_user_id = ";
    assert_eq!(app.count(format!("{audited}{}", s.admin_id)).await, 2);
    // Now the teacher may link it.
    let (_, linked) = link(&app, &provider, &teacher.token, "anna@id.test").await;
    assert_eq!(linked.expect(200).json["outcome"], "linked");
    // A deleted account's links go with its personal data.
    app.delete("/api/v1/me").token(&teacher.token).json(json!({ "password": PASSWORD })).send().await.expect(204);
    Browser::default().round(&app, &provider, START, "anna@id.test").await.problem(403, "oidc_not_linked");
}

async fn joining_by_an_invite_link_with_the_provider_makes_the_account_and_links_it(app: TestApp) {
    let Some((app, provider)) = with_provider(app).await else { return };
    let s = app.school(952).await;
    let class = app.create_class(&s, "7Б", 7).await;
    let invite =
        app.invite(&s.admin, s.org, json!({ "class_id": class, "role": "student", "requires_approval": false })).await;
    let version = parta_domain::consent::VERSION;

    // The consent comes first, and a dead link is told before the trip to the provider.
    app.get(&format!("{START}?invite={invite}"))
        .header("accept", "application/json")
        .send()
        .await
        .invalid(&[("consent_version", "required")]);
    let dead = app.get(&format!("{START}?invite=no-such-link&consent_version={version}")).send().await.expect(303);
    assert_eq!(location(&dead.headers), "/join/no-such-link?sso_error=invite_not_found");
    // Whatever a link's place holds, it never reaches a header as it is.
    let odd = app.get(&format!("{START}?invite=%0d%0aSet-Cookie:x&consent_version={version}")).send().await.expect(303);
    assert_eq!(location(&odd.headers), "/login?sso_error=invite_not_found");

    let start = format!("{START}?invite={invite}&consent_version={version}");
    let mut browser = Browser::default();
    let joined = browser.round(&app, &provider, &start, "boris@id.test").await.expect(200);
    assert_eq!(joined.json["outcome"], "joined");
    let token = joined.json["token"].as_str().expect("a session").to_owned();
    let me = app.me(&token).await;
    assert_eq!(me["family_name"], "Орлов");
    assert_eq!(me["given_name"], "Борис");
    assert_eq!(me["email"], "boris@id.test");
    assert_eq!(me["schools"][0]["org_id"], s.org);
    let links = app.get("/api/v1/me/oidc").token(&token).send().await.expect(200).json;
    assert_eq!(links[0]["label"], "boris@id.test");
    // No password: the only way in stays.
    app.delete("/api/v1/me/oidc/test").token(&token).send().await.problem(409, "oidc_last_sign_in");

    // From now on the provider signs them in.
    let again = browser.round(&app, &provider, START, "boris@id.test").await.expect(200);
    assert_eq!(app.me(again.json["token"].as_str().expect("a session")).await["id"], me["id"]);

    // A provider that tells no name makes no account; a contact someone has is theirs to link.
    let second =
        app.invite(&s.admin, s.org, json!({ "class_id": class, "role": "student", "requires_approval": false })).await;
    let start = format!("{START}?invite={second}&consent_version={version}");
    Browser::default().round(&app, &provider, &start, "nameless@id.test").await.problem(403, "oidc_name_missing");
    app.sql(format!("UPDATE users SET email = 'anna@id.test' WHERE id = {}", s.admin_id)).await;
    Browser::default().round(&app, &provider, &start, "anna@id.test").await.problem(409, "oidc_contact_taken");
}

async fn forged_foreign_expired_tokens_and_replayed_states_are_refused(app: TestApp) {
    let Some((app, provider)) = with_provider(app).await else { return };
    let s = app.school(953).await;
    let (_, linked) = link(&app, &provider, &s.admin, "anna@id.test").await;
    linked.expect(200);

    for (mode, code) in
        [("forged", "oidc_token_signature"), ("wrong_aud", "oidc_token_audience"), ("expired", "oidc_token_expired")]
    {
        provider.token_mode(mode).await;
        let mut browser = Browser::default();
        let refused = browser.round(&app, &provider, START, "anna@id.test").await;
        assert_eq!(refused.json["code"], code, "{mode}: {:?}", refused.json);
        assert_eq!(refused.status.as_u16(), 403, "{mode}");
        assert!(refused.header_str("set-cookie").is_none(), "{mode}: no session");
    }
    // Keys rotate: a good token under a key id not seen yet makes the set be fetched
    // again at once; another unknown key id right after is not fetched for (once a
    // minute at most), and refused.
    provider.token_mode("rotated").await;
    let rotated = Browser::default().round(&app, &provider, START, "anna@id.test").await.expect(200);
    assert_eq!(rotated.json["outcome"], "signed_in");
    provider.token_mode("unknown_kid").await;
    Browser::default().round(&app, &provider, START, "anna@id.test").await.problem(403, "oidc_token_signature");
    provider.token_mode("normal").await;

    // A state used once is used up, whatever its first answer was.
    let mut browser = Browser::default();
    let url = browser.start(&app, START).await;
    let callback = browser.sign_in_at(&provider, &url, "anna@id.test").await;
    assert_eq!(browser.callback(&app, &callback).await.expect(200).json["outcome"], "signed_in");
    browser.callback(&app, &callback).await.problem(403, "oidc_state_unknown");
    // A state nobody began, and none at all.
    let forged_state = callback.replace("state=", "state=x");
    browser.callback(&app, &forged_state).await.problem(403, "oidc_state_unknown");
    browser.callback(&app, "/api/v1/auth/oidc/test/callback?code=abc").await.problem(403, "oidc_state_unknown");
    // The answer brought to another browser (one without the binding cookie).
    let url = browser.start(&app, START).await;
    let callback = browser.sign_in_at(&provider, &url, "anna@id.test").await;
    Browser::default().callback(&app, &callback).await.problem(403, "oidc_state_browser");
    // An expired state.
    let url = browser.start(&app, START).await;
    let callback = browser.sign_in_at(&provider, &url, "anna@id.test").await;
    app.sql("UPDATE oidc_states SET expires_at = 0").await;
    browser.callback(&app, &callback).await.problem(403, "oidc_state_expired");
    // The provider's refusal.
    let url = browser.start(&app, START).await;
    let state = url.split("state=").nth(1).and_then(|s| s.split('&').next()).expect("the state");
    browser
        .callback(&app, &format!("/api/v1/auth/oidc/test/callback?error=access_denied&state={state}"))
        .await
        .problem(403, "oidc_denied");
    // An unknown provider.
    app.get("/api/v1/auth/oidc/nope/start")
        .header("accept", "application/json")
        .send()
        .await
        .problem(404, "oidc_provider_unknown");

    // Sign-ins begun from one address are counted: beyond the limit, 429; others go on.
    let app = app.with_settings(|s| s.trust_forwarded_for = true);
    let now = parta_server::clock::now_ms();
    let limit = parta_server::actions::oidc::STARTS_PER_ADDRESS;
    app.sql(format!(
        "INSERT INTO login_attempts (key, window_start, attempts) VALUES ('oidc-start:203.0.113.9', {now}, {limit})
         ON CONFLICT (key) DO UPDATE SET window_start = excluded.window_start, attempts = excluded.attempts"
    ))
    .await;
    app.get(START)
        .header("x-forwarded-for", "203.0.113.9")
        .header("accept", "application/json")
        .send()
        .await
        .problem(429, "oidc_rate_limited");
    app.get(START).header("x-forwarded-for", "203.0.113.10").send().await.expect(303);
}
