//! The test harness: a fresh Parta per test on SQLite (always) or PostgreSQL
//! (whenever reachable; required under `CI=true`), driven through the router
//! without a socket, plus fixtures that build schools the way users do — through
//! the API.

#![allow(dead_code)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use parta_server::blobs::{BlobStore, LocalDisk, S3Settings, S3Store};
use parta_server::db::{Backend, Db};
use parta_server::state::{AppState, Settings};
use serde_json::{Value, json};
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse 42";

/// Runs each listed test body once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::support::TestApp::sqlite().await).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(app) = $crate::support::TestApp::postgres().await {
                        super::$name(app).await
                    }
                }
            )*
        }
    };
}

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub backend: Backend,
    dir: std::path::PathBuf,
    url: String,
}

/// The S3-compatible store the test command started (`PARTA_TEST_S3_URL`, SeaweedFS),
/// under a folder of this test's own. Required under `CI=true` or when named.
pub fn s3_settings() -> Option<S3Settings> {
    let required = std::env::var("CI").is_ok_and(|v| v == "true");
    let Ok(endpoint) = std::env::var("PARTA_TEST_S3_URL") else {
        assert!(!required, "an S3 store is required under CI=true: set PARTA_TEST_S3_URL (scripts/test.sh starts one)");
        eprintln!("note: no PARTA_TEST_S3_URL; files stay on local disk in this test");
        return None;
    };
    let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    Some(S3Settings {
        endpoint,
        bucket: var("PARTA_TEST_S3_BUCKET", "parta"),
        region: "us-east-1".to_owned(),
        access_key: var("PARTA_TEST_S3_ACCESS_KEY", "parta-test"),
        secret_key: var("PARTA_TEST_S3_SECRET_KEY", "parta-test-secret"),
        prefix: format!("test-{}", random_suffix()),
    })
}

/// The test S3 store, once it takes writes: a store just started by the test command
/// may answer on its port a moment before its bucket exists.
pub async fn ready_s3_store(settings: &S3Settings) -> S3Store {
    let store = S3Store::new(settings).expect("S3 settings");
    let mut tries = 0;
    loop {
        match store.check().await {
            Ok(()) => return store,
            Err(error) if tries < 40 => {
                tries += 1;
                if tries == 1 {
                    eprintln!("note: waiting for the test S3 store: {error:#}");
                }
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            }
            Err(error) => panic!("the test S3 store at {} does not take writes: {error:#}", settings.endpoint),
        }
    }
}

fn random_suffix() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn test_settings() -> Settings {
    Settings { max_upload_bytes: 256 * 1024, max_file_bytes: 512 * 1024, ..Settings::default() }
}

impl TestApp {
    async fn build(url: &str, dir: std::path::PathBuf) -> TestApp {
        TestApp::build_on(url, dir, None, "local", None).await
    }

    /// A SQLite app deployed behind a reverse proxy (`X-Forwarded-For` trusted).
    pub async fn sqlite_behind_proxy() -> TestApp {
        let mut app = TestApp::sqlite().await;
        let settings = Settings { trust_forwarded_for: true, ..test_settings() };
        let state = AppState::new(app.state.db.clone(), app.state.blobs.clone(), settings);
        app.router = parta_server::app::app(state.clone());
        app.state = state;
        app
    }

    /// The same app (database and files) with changed settings, for tests that need,
    /// say, more than the flood limit's messages a minute. Call it before `serve`.
    pub fn with_settings(mut self, change: impl FnOnce(&mut Settings)) -> TestApp {
        let mut settings = self.state.settings.clone();
        change(&mut settings);
        let state = AppState::new(self.state.db.clone(), self.state.blobs.clone(), settings);
        self.router = parta_server::app::app(state.clone());
        self.state = state;
        self
    }

    async fn build_on(
        url: &str,
        dir: std::path::PathBuf,
        bus: Option<Arc<dyn parta_server::bus::Bus>>,
        node: &str,
        blobs: Option<Arc<dyn BlobStore>>,
    ) -> TestApp {
        std::fs::create_dir_all(&dir).expect("temp dir");
        let db = Db::connect(url).await.expect("database connects");
        db.migrate().await.expect("migrations apply");
        let blobs = blobs.unwrap_or_else(|| Arc::new(LocalDisk::new(dir.join("files")).expect("file store")));
        let mut settings = test_settings();
        settings.calls.node = node.to_owned();
        let state = match bus {
            Some(bus) => AppState::with_bus(db.clone(), blobs, settings, bus),
            None => AppState::new(db.clone(), blobs, settings),
        };
        TestApp { router: parta_server::app::app(state.clone()), state, backend: db.backend, dir, url: url.to_owned() }
    }

    /// Two nodes on one PostgreSQL schema, carrying events through the machine's
    /// NATS on a subject of their own, and keeping files in the test S3 store under a
    /// folder of their own (on local disks, each its own, where no S3 store is given
    /// outside CI). `None` (with a note) where PostgreSQL or NATS is unreachable
    /// outside CI; a failure under `CI=true`.
    pub async fn cluster() -> Option<(TestApp, TestApp)> {
        let nats = std::env::var("PARTA_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned());
        let required = std::env::var("CI").is_ok_and(|v| v == "true") || std::env::var("PARTA_TEST_NATS_URL").is_ok();
        let first = TestApp::postgres().await?;
        let subject = format!("parta.test.{}", random_suffix());
        let s3 = s3_settings();
        let mut nodes = Vec::new();
        for node in ["node-1", "node-2"] {
            let bus = match parta_server::bus::NatsBus::connect(&nats, &subject, 65_536).await {
                Ok(bus) => bus,
                Err(error) => {
                    assert!(!required, "NATS is required here but unreachable at {nats}: {error:#}");
                    eprintln!("note: NATS unreachable at {nats}; the cluster test did not run");
                    return None;
                }
            };
            let dir = std::env::temp_dir().join(format!("parta-test-{}", random_suffix()));
            let blobs = match &s3 {
                Some(s3) => Some(Arc::new(ready_s3_store(s3).await) as Arc<dyn BlobStore>),
                None => None,
            };
            nodes.push(TestApp::build_on(&first.url, dir, Some(Arc::new(bus)), node, blobs).await);
        }
        let second = nodes.pop()?;
        let first_node = nodes.pop()?;
        Some((first_node, second))
    }

    /// A SQLite app whose files live in the test S3 store. `None` (with a note) when
    /// none is given outside CI; a failure under `CI=true`.
    pub async fn sqlite_on_s3() -> Option<TestApp> {
        let store = ready_s3_store(&s3_settings()?).await;
        let dir = std::env::temp_dir().join(format!("parta-test-{}", random_suffix()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = parta_server::cli::sqlite_url(&dir.join("parta.db"));
        Some(TestApp::build_on(&url, dir, None, "local", Some(Arc::new(store))).await)
    }

    pub async fn sqlite() -> TestApp {
        let dir = std::env::temp_dir().join(format!("parta-test-{}", random_suffix()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = parta_server::cli::sqlite_url(&dir.join("parta.db"));
        TestApp::build(&url, dir).await
    }

    /// A fresh schema in the test PostgreSQL. `None` (with a note) when PostgreSQL is
    /// unreachable outside CI; a failure when it is unreachable under `CI=true` or when
    /// `PARTA_TEST_POSTGRES_URL` names it explicitly.
    pub async fn postgres() -> Option<TestApp> {
        let explicit = std::env::var("PARTA_TEST_POSTGRES_URL").ok();
        let required = explicit.is_some() || std::env::var("CI").is_ok_and(|v| v == "true");
        let base = explicit.unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        let schema = format!("t_{}_{}", unix_seconds(), random_suffix());
        let setup = async {
            use sqlx::Connection;
            sqlx::any::install_default_drivers();
            let mut conn = sqlx::AnyConnection::connect(&base).await?;
            drop_stale_schemas(&mut conn).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&mut conn).await?;
            conn.close().await
        };
        if let Err(error) = setup.await {
            assert!(!required, "PostgreSQL is required here but unreachable at {base}: {error}");
            eprintln!("note: PostgreSQL unreachable at {base}; this test ran on SQLite only");
            return None;
        }
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options=-c%20search_path%3D{schema}");
        let dir = std::env::temp_dir().join(format!("parta-test-{}", random_suffix()));
        Some(TestApp::build(&url, dir).await)
    }

    /// Another node on the same database whose bus this node does not hear: what it
    /// commits is never published here, as if it died right after committing.
    pub fn unheard_node(&self) -> Router {
        let state = AppState::with_bus(
            self.state.db.clone(),
            self.state.blobs.clone(),
            test_settings(),
            Arc::new(parta_server::bus::LocalBus::new(64)),
        );
        parta_server::app::app(state)
    }

    /// The data directory: the files under `files/`, SQLite's database beside them.
    pub fn data_dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// An app on a database and data directory that already hold a deployment (a restored backup).
    pub async fn on_existing(url: &str, dir: std::path::PathBuf) -> TestApp {
        TestApp::build(url, dir).await
    }

    /// The database this app uses, for a `parta serve` process on the same data.
    pub fn database_url(&self) -> &str {
        &self.url
    }

    /// A folder of this test's own, removed with the app.
    pub fn scratch_dir(&self, name: &str) -> std::path::PathBuf {
        let dir = self.dir.join(name);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    pub fn request(&self, method: Method, path: &str) -> Call<'_> {
        Call { app: self, via: None, method, path: path.to_owned(), headers: Vec::new(), body: None }
    }

    pub fn get(&self, path: &str) -> Call<'_> {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Call<'_> {
        self.request(Method::POST, path)
    }

    pub fn patch(&self, path: &str) -> Call<'_> {
        self.request(Method::PATCH, path)
    }

    pub fn put(&self, path: &str) -> Call<'_> {
        self.request(Method::PUT, path)
    }

    pub fn delete(&self, path: &str) -> Call<'_> {
        self.request(Method::DELETE, path)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // PostgreSQL schemas are not dropped here: Drop cannot await, and blocking on
        // DROP SCHEMA while this test's pool may still hold a transaction would wait
        // forever. Old schemas are removed when the next test run starts.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Removes schemas left by earlier runs (older than an hour, so a run going on in
/// parallel keeps its own).
async fn drop_stale_schemas(conn: &mut sqlx::AnyConnection) -> sqlx::Result<()> {
    static DONE: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    DONE.get_or_try_init(|| async {
        let names: Vec<String> =
            sqlx::query_scalar("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 't\\_%'")
                .fetch_all(&mut *conn)
                .await?;
        let hour_ago = unix_seconds().saturating_sub(3600);
        for name in names {
            let created = name.split('_').nth(1).and_then(|t| t.parse::<u64>().ok()).unwrap_or(0);
            if created < hour_ago {
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {name} CASCADE")))
                    .execute(&mut *conn)
                    .await?;
            }
        }
        Ok::<(), sqlx::Error>(())
    })
    .await
    .map(|_| ())
}

fn unix_seconds() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// One request being built.
pub struct Call<'a> {
    app: &'a TestApp,
    /// Another node's router to send this through, instead of the app's own.
    via: Option<Router>,
    method: Method,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<(String, Vec<u8>)>,
}

impl Call<'_> {
    pub fn via(mut self, router: &Router) -> Self {
        self.via = Some(router.clone());
        self
    }

    pub fn token(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(("application/json".into(), body.to_string().into_bytes()));
        self
    }

    pub fn raw(mut self, content_type: &str, body: Vec<u8>) -> Self {
        self.body = Some((content_type.into(), body));
        self
    }

    pub async fn send(self) -> Reply {
        let mut builder = Request::builder().method(self.method.clone()).uri(&self.path);
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        let request = match self.body {
            Some((content_type, bytes)) => {
                builder.header(header::CONTENT_TYPE, content_type).body(Body::from(bytes)).expect("request builds")
            }
            None => builder.body(Body::empty()).expect("request builds"),
        };
        let router = self.via.unwrap_or_else(|| self.app.router.clone());
        let response = router.oneshot(request).await.expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body reads").to_bytes().to_vec();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply { status, headers, bytes, json, what: format!("{} {}", self.method, self.path) }
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub bytes: Vec<u8>,
    pub json: Value,
    what: String,
}

impl Reply {
    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Reply {
        assert_eq!(self.status.as_u16(), status, "{} answered {}: {}", self.what, self.status, self.json);
        self
    }

    /// Asserts an RFC 9457 problem with this status and code.
    #[track_caller]
    pub fn problem(self, status: u16, code: &str) -> Reply {
        let reply = self.expect(status);
        assert_eq!(
            reply.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()),
            Some("application/problem+json"),
            "{}: not a problem document",
            reply.what
        );
        assert_eq!(reply.json["code"], code, "{}: {}", reply.what, reply.json);
        assert_eq!(reply.json["status"], status);
        assert!(reply.json["detail"].as_str().is_some_and(|d| !d.is_empty()));
        reply
    }

    pub fn id(&self) -> i64 {
        self.json["id"].as_i64().unwrap_or_else(|| panic!("{}: no id in {}", self.what, self.json))
    }
}

// ---------------------------------------------------------------------------
// Fixtures: everything through the API, as people would do it.
// ---------------------------------------------------------------------------

pub const ORDER_PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// A multipart body with text fields and optional file parts `(name, file_name, bytes)`.
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "parta-test-boundary-7c1d";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (name, file_name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The fields of a valid application; `n` varies names and contacts.
pub fn application_fields(n: u32) -> Vec<(&'static str, String)> {
    vec![
        ("school_name", format!("МБОУ «Средняя общеобразовательная школа № {n}»")),
        ("short_name", format!("Школа № {n}")),
        ("address", "г. Екатеринбург, ул. Ленина, д. 1".into()),
        ("inn", "6601234565".into()),
        ("ogrn", "1026600123450".into()),
        ("region", "Свердловская область".into()),
        ("time_zone", "Asia/Yekaterinburg".into()),
        ("admin_family_name", "Сидорова".into()),
        ("admin_given_name", "Наталья".into()),
        ("admin_patronymic", "Игоревна".into()),
        ("admin_email", format!("admin{n}@school{n}.ru")),
        ("admin_phone", format!("+7 912 000 {:02} {:02}", n % 100, (n / 100) % 100)),
    ]
}

/// A school as its admin set it up.
pub struct School {
    pub org: i64,
    pub admin: String,
    pub admin_id: i64,
    pub staff_room: i64,
}

/// A person who joined through a link.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: i64,
    pub token: String,
    pub email: String,
}

impl TestApp {
    /// The platform operator, logged in; returns their token.
    pub async fn operator(&self) -> String {
        let email = format!("operator-{}@parta.test", random_suffix());
        let created = parta_server::actions::accounts::create_operator(&self.state, &email, "Оператор", "Платформы")
            .await
            .expect("operator created");
        self.post("/api/v1/auth/set-password")
            .json(json!({ "token": created.code, "password": PASSWORD }))
            .send()
            .await
            .expect(204);
        self.login(&email, PASSWORD).await
    }

    pub async fn login(&self, login: &str, password: &str) -> String {
        let reply = self
            .post("/api/v1/auth/login")
            .json(json!({ "login": login, "password": password }))
            .send()
            .await
            .expect(200);
        reply.json["token"].as_str().expect("token").to_owned()
    }

    /// Submits an application through the multipart form; returns its id.
    pub async fn apply(&self, n: u32) -> i64 {
        let fields = application_fields(n);
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (content_type, body) = multipart(&pairs, &[("order", "приказ.pdf", ORDER_PDF)]);
        self.post("/api/v1/applications").raw(&content_type, body).send().await.expect(201).id()
    }

    /// A school: applied, approved by `operator`, its first admin registered by the link.
    pub async fn school_with(&self, operator: &str, n: u32) -> School {
        let application = self.apply(n).await;
        let approved =
            self.post(&format!("/api/v1/applications/{application}/approve")).token(operator).send().await.expect(200);
        let org = approved.json["org_id"].as_i64().expect("org id");
        let token = approved.json["admin_invite"]["token"].as_str().expect("admin token").to_owned();
        let admin = self.register(&token, "Сидорова", &format!("admin{n}@school{n}.ru")).await;
        let classes = self.get(&format!("/api/v1/orgs/{org}/classes")).token(&admin.token).send().await.expect(200);
        let staff_room = classes.json[0]["id"].as_i64().expect("staff room");
        assert_eq!(classes.json[0]["kind"], "staff_room");
        School { org, admin: admin.token, admin_id: admin.id, staff_room }
    }

    pub async fn school(&self, n: u32) -> School {
        let operator = self.operator().await;
        self.school_with(&operator, n).await
    }

    /// Registers a new account through an invite link (expects an immediate join or a pending request).
    pub async fn register(&self, invite_token: &str, family_name: &str, email: &str) -> Person {
        let reply = self
            .post("/api/v1/auth/register")
            .json(json!({
                "invite_token": invite_token, "family_name": family_name, "given_name": "Тест",
                "patronymic": "Тестович", "email": email, "password": PASSWORD,
                "consent_version": parta_domain::consent::VERSION,
            }))
            .send()
            .await
            .expect(201);
        Person {
            id: reply.json["session"]["user"]["id"].as_i64().expect("user id"),
            token: reply.json["session"]["token"].as_str().expect("token").to_owned(),
            email: email.to_owned(),
        }
    }

    pub async fn create_class(&self, school: &School, name: &str, grade: i64) -> i64 {
        self.post(&format!("/api/v1/orgs/{}/classes", school.org))
            .token(&school.admin)
            .json(json!({ "name": name, "grade": grade, "academic_year": 2026 }))
            .send()
            .await
            .expect(201)
            .id()
    }

    /// Creates an invite as `by`; returns the token.
    pub async fn invite(&self, by: &str, org: i64, body: Value) -> String {
        let reply = self.post(&format!("/api/v1/orgs/{org}/invites")).token(by).json(body).send().await.expect(201);
        reply.json["token"].as_str().expect("token").to_owned()
    }

    /// A new person joined directly to `class` in `role` (child for parents); a teacher
    /// is verified by the admin at once, as a school does before they teach.
    pub async fn join(&self, school: &School, class: i64, role: &str, child: Option<i64>, name: &str) -> Person {
        let person = self.join_unverified(school, class, role, child, name).await;
        if role == "teacher" {
            self.put(&format!("/api/v1/orgs/{}/members/{}/teacher-verification", school.org, person.id))
                .token(&school.admin)
                .send()
                .await
                .expect(200);
        }
        person
    }

    /// A new person joined directly to `class` in `role`; a teacher stays unverified.
    pub async fn join_unverified(
        &self,
        school: &School,
        class: i64,
        role: &str,
        child: Option<i64>,
        name: &str,
    ) -> Person {
        let mut body = json!({ "class_id": class, "role": role, "requires_approval": false });
        if let Some(child) = child {
            body["child_user_id"] = json!(child);
        }
        let token = self.invite(&school.admin, school.org, body).await;
        let email = format!("{}-{}@people.test", name.to_lowercase(), random_suffix());
        self.register(&token, name, &email).await
    }

    pub async fn assign_class_teacher(&self, school: &School, class: i64, user: i64) {
        self.post(&format!("/api/v1/orgs/{}/classes/{class}/class-teachers", school.org))
            .token(&school.admin)
            .json(json!({ "user_id": user }))
            .send()
            .await
            .expect(200);
    }
}

// ---------------------------------------------------------------------------
// Small generic helpers (added for the flow tests).
// ---------------------------------------------------------------------------

impl Reply {
    /// The `(field, code)` pairs of a validation problem, in order.
    pub fn field_errors(&self) -> Vec<(String, String)> {
        self.json["errors"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|e| {
                        (e["field"].as_str().unwrap_or("").to_owned(), e["code"].as_str().unwrap_or("").to_owned())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Asserts a 422 `validation_failed` naming exactly these `(field, code)` pairs (any order).
    #[track_caller]
    pub fn invalid(self, expected: &[(&str, &str)]) -> Reply {
        let reply = self.problem(422, "validation_failed");
        let mut got = reply.field_errors();
        got.sort();
        let mut want: Vec<(String, String)> =
            expected.iter().map(|(f, c)| ((*f).to_owned(), (*c).to_owned())).collect();
        want.sort();
        assert_eq!(got, want, "{}: {}", reply.what, reply.json);
        reply
    }

    /// The body as a JSON array.
    #[track_caller]
    pub fn list(&self) -> &Vec<Value> {
        self.json.as_array().unwrap_or_else(|| panic!("{}: not a list: {}", self.what, self.json))
    }

    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestApp {
    /// Runs one SQL statement in a committed write transaction (to set up states the API cannot reach, like an expired link).
    pub async fn sql(&self, statement: impl Into<String>) {
        let mut work = self.state.begin().await.expect("transaction");
        sqlx::query(sqlx::AssertSqlSafe(statement.into())).execute(&mut *work).await.expect("statement runs");
        work.commit(&self.state).await.expect("commit");
    }

    /// A number read straight from the database (for what the API does not show, such as
    /// the journal's record of earlier values).
    pub async fn count(&self, query: String) -> i64 {
        let mut conn = self.state.db.reads().acquire().await.expect("connection");
        sqlx::query_scalar(sqlx::AssertSqlSafe(query)).fetch_one(&mut *conn).await.expect("a count")
    }

    /// The signed-in person (`GET /api/v1/me`).
    pub async fn me(&self, token: &str) -> Value {
        self.get("/api/v1/me").token(token).send().await.expect(200).json
    }
}

// ---------------------------------------------------------------------------
// Real sockets, for the WebSocket gateway.
// ---------------------------------------------------------------------------

/// A WebSocket client speaking the gateway's JSON frames.
pub struct Socket {
    stream: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
}

impl TestApp {
    /// Serves this app on a loopback port for the rest of the test.
    pub async fn serve(&self) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let service = self.router.clone().into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, service).await;
        });
        address
    }
}

impl Socket {
    pub fn wrap(
        stream: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    ) -> Socket {
        Socket { stream }
    }

    /// Connects, authenticates with the token in the first frame and resumes from the
    /// position in `welcome`; returns the `welcome` frame once `ready` has come.
    pub async fn connect(address: std::net::SocketAddr, token: &str) -> (Socket, Value) {
        let (stream, _) =
            tokio_tungstenite::connect_async(format!("ws://{address}/api/v1/ws")).await.expect("ws connects");
        let mut socket = Socket { stream };
        socket.send(json!({ "type": "auth", "token": token })).await;
        let welcome = socket.next().await.expect("welcome");
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        // Resume from the position in `welcome`: live from now, after `ready`.
        socket.send(json!({ "type": "resume", "user_seq": welcome["user_seq"], "chats": [] })).await;
        let replayed = socket.until("ready").await;
        assert!(replayed.is_empty(), "nothing to replay from the current position: {replayed:?}");
        (socket, welcome)
    }

    pub async fn send(&mut self, frame: Value) {
        use futures_util::SinkExt;
        self.stream
            .send(tokio_tungstenite::tungstenite::Message::Text(frame.to_string().into()))
            .await
            .expect("ws send");
    }

    /// The next JSON frame, or `None` when the server closed the socket or nothing came within 5 s.
    pub async fn next(&mut self) -> Option<Value> {
        self.next_within(std::time::Duration::from_secs(5)).await
    }

    pub async fn next_within(&mut self, wait: std::time::Duration) -> Option<Value> {
        use futures_util::StreamExt;
        loop {
            let message = tokio::time::timeout(wait, self.stream.next()).await.ok()??.ok()?;
            match message {
                tokio_tungstenite::tungstenite::Message::Text(text) => {
                    return Some(serde_json::from_str(&text).expect("json frame"));
                }
                tokio_tungstenite::tungstenite::Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// The next event of `kind` in the socket's personal stream (other frames pass by),
    /// or none within `wait`.
    pub async fn user_event(&mut self, kind: &str, wait: std::time::Duration) -> Option<Value> {
        while let Some(frame) = self.next_within(wait).await {
            if frame["type"] == "user_event" && frame["event"]["type"] == kind {
                return Some(frame["event"].clone());
            }
        }
        None
    }

    /// Frames until (and without) the first one of `kind`, which must come.
    pub async fn until(&mut self, kind: &str) -> Vec<Value> {
        let mut frames = Vec::new();
        loop {
            let frame = self.next().await.unwrap_or_else(|| panic!("socket ended before `{kind}`; got {frames:?}"));
            if frame["type"] == kind {
                return frames;
            }
            frames.push(frame);
        }
    }

    /// The close code the server sent, waiting at most `wait`.
    pub async fn closed_with(&mut self, wait: std::time::Duration) -> Option<u16> {
        use futures_util::StreamExt;
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.checked_duration_since(tokio::time::Instant::now())?;
            match tokio::time::timeout(left, self.stream.next()).await.ok()? {
                Some(Ok(tokio_tungstenite::tungstenite::Message::Close(frame))) => {
                    return Some(frame.map_or(1005, |f| u16::from(f.code)));
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Some(1006),
            }
        }
    }
}

/// Message bodies of `message_sent` chat events among frames, for one chat.
pub fn sent_bodies(frames: &[Value], chat: i64) -> Vec<String> {
    frames
        .iter()
        .filter(|f| f["type"] == "chat_event" && f["chat_id"] == chat && f["event"]["type"] == "message_sent")
        .filter_map(|f| f["event"]["message"]["body"].as_str().map(str::to_owned))
        .collect()
}

/// A PNG of the given size, for uploads that get a preview.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 120]));
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).expect("encode a PNG");
    out.into_inner()
}

// A seeded generator: a failing run repeats its schedule with its seed.

/// SplitMix64.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high - low + 1)
    }

    /// An independent generator for one task, drawn from this one.
    pub fn fork(&mut self) -> Rng {
        Rng(self.next())
    }
}

/// `PARTA_TEST_SEED` (decimal or `0x…`) when set, else a fresh random seed.
pub fn test_seed() -> u64 {
    match std::env::var("PARTA_TEST_SEED") {
        Ok(text) => {
            let text = text.trim();
            let parsed = match text.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => text.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("PARTA_TEST_SEED={text} is not a number"))
        }
        Err(_) => getrandom::u64().expect("random seed"),
    }
}
