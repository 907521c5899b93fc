//! Test support: databases on both backends, the application router, fixtures.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use chrono::{DateTime, TimeZone, Utc};
use db::Db;
use domain::role::Role;
use http_body_util::BodyExt;
use sea_orm::ConnectionTrait;
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt;

/// Runs the body once on SQLite and once on PostgreSQL, as two tests `sqlite` and `postgres`
/// in a module named after the test.
macro_rules! db_test {
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $db = crate::support::TestDb::sqlite().await;
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($db) = crate::support::TestDb::postgres().await else { return };
                $body
            }
        }
    };
}
pub(crate) use db_test;

/// A migrated, empty database that lives as long as the value.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl std::ops::Deref for TestDb {
    type Target = Db;
    fn deref(&self) -> &Db {
        &self.db
    }
}

impl TestDb {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let db = Db::connect(&url).await.expect("sqlite connects");
        db.migrate().await.expect("sqlite migrates");
        Self { db, url, _dir: Some(dir) }
    }

    /// A fresh database on the server named by `METIERS_TEST_POSTGRES`, created from a
    /// migrated template (made once per cluster, brought up to date under the lock). `None` (the test is skipped, and says so)
    /// when the variable is unset outside CI; in CI a missing server fails the test.
    pub async fn postgres() -> Option<Self> {
        let Ok(admin_url) = std::env::var("METIERS_TEST_POSTGRES") else {
            assert!(
                std::env::var("CI").is_err(),
                "METIERS_TEST_POSTGRES must be set in CI: the suite runs on PostgreSQL too"
            );
            eprintln!("PostgreSQL test skipped: METIERS_TEST_POSTGRES is not set (scripts/test.sh sets it)");
            return None;
        };
        let admin = Db::connect(&admin_url).await.expect("postgres admin connects");
        let conn = admin.conn();
        let backend = admin.backend();
        // One template per cluster, created under an advisory lock: tests run as parallel processes.
        conn.execute_unprepared("SELECT pg_advisory_lock(774201)").await.expect("lock");
        let exists = conn
            .query_one_raw(sea_orm::Statement::from_string(
                backend,
                "SELECT 1 FROM pg_database WHERE datname = 'metiers_template'",
            ))
            .await
            .expect("query pg_database")
            .is_some();
        if !exists {
            conn.execute_unprepared("CREATE DATABASE metiers_template").await.expect("create template");
        }
        // Migrated every time (a no-op when up to date): a cluster kept from before a new
        // migration would otherwise hand out old schemas.
        let template_url = replace_db_name(&admin_url, "metiers_template");
        let template = Db::connect(&template_url).await.expect("template connects");
        template.migrate().await.expect("template migrates");
        template.close().await.expect("template closes");
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let created = conn.execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE metiers_template")).await;
        conn.execute_unprepared("SELECT pg_advisory_unlock(774201)").await.expect("unlock");
        created.expect("create test database");
        admin.close().await.expect("admin closes");
        let url = replace_db_name(&admin_url, &name);
        let db = Db::connect(&url).await.expect("test database connects");
        Some(Self { db, url, _dir: None })
    }

    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, _) = url.rsplit_once('/').expect("url with a database name");
    format!("{base}/{name}")
}

/// 24 November 2026, noon UTC: "today" for the tests.
pub fn today() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).single().expect("valid date")
}

pub fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).single().expect("valid date")
}

/// The shared real data folder (`../shared/data`), if present.
pub fn shared_data() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/data is absent (the real offers of the State's job board are read from there)");
        None
    }
}

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The application on a test database, with a fixed clock.
pub struct TestApp {
    pub router: axum::Router,
    pub state: web::AppState,
}

pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestApp {
    pub async fn new(db: &Db, now: DateTime<Utc>) -> Self {
        Self::with_url(db, now, "http://127.0.0.1:8080").await
    }

    /// The application with an in-memory search index, synchronised with the database.
    pub async fn with_url(db: &Db, now: DateTime<Utc>, public_url: &str) -> Self {
        Self::with_config(db, now, web::WebConfig::new(public_url)).await
    }

    pub async fn with_config(db: &Db, now: DateTime<Utc>, config: web::WebConfig) -> Self {
        let state = web::AppState::build(web::Parts {
            db: db.clone(),
            clock: Arc::new(domain::FixedClock(now)),
            config,
            search: web::offer_search::SearchService::in_memory().expect("index"),
            files: web::storage::FileStore::in_memory(),
            mailer: mail::Mailer::from_config(
                "memory",
                "Métiers du numérique <ne-pas-repondre@exemple.fr>",
                std::path::PathBuf::new(),
            )
            .expect("mailer"),
        })
        .await
        .expect("application builds");
        state.files.put_demo_files().await.expect("demo files");
        Self { router: web::router(state.clone()), state }
    }

    /// Brings the search index up to date, as the follower does every two seconds.
    pub async fn sync(&self) -> usize {
        self.state.sync_search().await.expect("index sync")
    }

    /// A form request (`application/x-www-form-urlencoded`) with the given cookie, as a
    /// browser signed in with that session sends it.
    pub async fn send(&self, cookie: &str, method: &str, uri: &str, body: &str) -> Response {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header(axum::http::header::COOKIE, cookie)
            .header(axum::http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.to_string()))
            .expect("request");
        self.request(req).await
    }

    pub async fn get(&self, uri: &str) -> Response {
        self.request(Request::get(uri).body(Body::empty()).expect("request")).await
    }

    pub async fn json(&self, uri: &str) -> (StatusCode, serde_json::Value) {
        let res = self.get(uri).await;
        let value = serde_json::from_str(&res.body).unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {}", res.body));
        (res.status, value)
    }

    pub async fn request(&self, req: Request<Body>) -> Response {
        Response::read(self.router.clone().oneshot(req).await.expect("router answers")).await
    }

    /// The answer with its body as bytes (a video, an image).
    pub async fn request_bytes(&self, req: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
        let res = self.router.clone().oneshot(req).await.expect("router answers");
        let (status, headers) = (res.status(), res.headers().clone());
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        (status, headers, bytes.to_vec())
    }
}

impl Response {
    /// The whole answer, its body read as text.
    async fn read(res: axum::response::Response) -> Self {
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        Self { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// The `name=value` part of the cookie the response sets, if it sets one.
    pub fn cookie(&self) -> Option<String> {
        self.headers
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::to_string)
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

impl TestApp {
    /// The same application sending its mail through `url` (e.g. the SMTP catcher).
    pub fn with_mailer(mut self, url: &str) -> Self {
        let mailer =
            mail::Mailer::from_config(url, "Métiers du numérique <ne-pas-repondre@exemple.fr>", PathBuf::new())
                .expect("mailer");
        self.state.mailer = Arc::new(mailer);
        self.router = web::router(self.state.clone());
        self
    }
}

pub mod smtp;

/// Signs an existing account in with a one-time link.
pub async fn staff_session(app: &TestApp, db: &TestDb, user_id: i64) -> String {
    let token = format!("jeton-session-{user_id}");
    db::accounts::insert_token(
        db.conn(),
        user_id,
        db::accounts::TokenPurpose::SignIn,
        &token,
        chrono::Duration::hours(1),
        today(),
    )
    .await
    .expect("token");
    app.get(&format!("/connexion/lien/{token}")).await.cookie().unwrap_or_default()
}

/// Creates a staff account and signs it in with a one-time link, as `metiers user add` does.
pub async fn staff(app: &TestApp, db: &TestDb, email: &str, role: Role, institution: Option<i64>) -> String {
    let email = domain::email::Email::parse(email).expect("email");
    let u = db::users::create(db.conn(), &email, role, institution, today()).await.expect("user");
    let token = format!("jeton-{}", u.id);
    db::accounts::insert_token(
        db.conn(),
        u.id,
        db::accounts::TokenPurpose::SignIn,
        &token,
        chrono::Duration::hours(24),
        today(),
    )
    .await
    .expect("token");
    let res = app.get(&format!("/connexion/lien/{token}")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), if role == Role::Administrator { "/admin" } else { "/recruteur" });
    let again = app.get(&format!("/connexion/lien/{token}")).await;
    assert!(again.body.contains("Lien expiré ou déjà utilisé"), "single use");
    res.cookie().unwrap_or_default()
}

/// A verified candidate account and a session for it, as the sign-in makes.
pub async fn candidate(db: &Db, email: &str) -> (i64, String) {
    let email = domain::email::Email::parse(email).expect("email");
    let user = db::accounts::create_candidate(db.conn(), &email, "x", today()).await.expect("candidate");
    db::accounts::mark_verified(db.conn(), user.id, today()).await.expect("verified");
    let id = tower_sessions::session::Id::default().to_string();
    let data = format!("{{\"user_id\":{}}}", user.id);
    db::accounts::session_create(db.conn(), &id, Some(user.id), &data, today() + chrono::Duration::days(1))
        .await
        .expect("session");
    (user.id, format!("metiers_session={id}"))
}

impl TestApp {
    /// The same requests sent at once (each on its own task, as a crowd's would be).
    pub async fn concurrently(&self, requests: Vec<Request<Body>>) -> Vec<Response> {
        let tasks: Vec<_> = requests
            .into_iter()
            .map(|req| {
                let router = self.router.clone();
                tokio::spawn(async move { Response::read(router.oneshot(req).await.expect("router answers")).await })
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.expect("request task"));
        }
        out
    }
}

/// A form POST as a signed-in browser sends it.
pub fn form_post(cookie: &str, uri: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header(axum::http::header::COOKIE, cookie)
        .header(axum::http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .expect("request")
}

/// A real one-page PDF (made with lopdf), for uploads.
pub fn pdf() -> Vec<u8> {
    use lopdf::{Document, Object, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {"Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1}),
    );
    let catalog_id = doc.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages_id});
    doc.trailer.set("Root", catalog_id);
    let mut buf = Vec::new();
    doc.save_to(&mut buf).expect("pdf");
    buf
}

/// A multipart body of `(field, file name, bytes)` parts (`None`: a text field).
pub fn multipart(cookie: &str, uri: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Request<Body> {
    let boundary = "----essai";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        let disposition = match file {
            Some(f) => format!("form-data; name=\"{name}\"; filename=\"{f}\""),
            None => format!("form-data; name=\"{name}\""),
        };
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .expect("request")
}
