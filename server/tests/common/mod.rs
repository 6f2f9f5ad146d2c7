//! `TestApp`: the real application on a fresh database — a temporary SQLite
//! file or a new PostgreSQL database per test — driven in-process through
//! `tower::ServiceExt::oneshot`, with a cookie-carrying client.

#![allow(dead_code)]

pub mod external;
pub mod flow;
pub mod stix;
pub mod upload;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use tower::ServiceExt;
use uuid::Uuid;

use app::domain::Role;
use app::domain::account::ValidNewUser;
use server::config::Config;
use server::web::{AppState, app};

pub const ADMIN_PASSWORD: &str = "admin password for tests";
pub const PASSWORD: &str = "a password for tests";
pub const HOST: &str = "hikeshi.test";
/// The fixed audit key of every test app (one key per test process).
pub const TEST_AUDIT_KEY: &str = "7e57a0d17e57a0d17e57a0d17e57a0d17e57a0d17e57a0d17e57a0d17e57a0d1";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Generates one `#[tokio::test]` per database for each listed async fn
/// taking a `Db`: `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::common::within_limit(super::$name($crate::common::Db::Sqlite)).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::common::within_limit(super::$name($crate::common::Db::Postgres)).await
                }
            )*
        }
    };
}

/// How long one test may take. A hung test fails with its name after this
/// instead of holding the whole run until CI's limit.
pub const TEST_LIMIT: std::time::Duration = std::time::Duration::from_secs(180);

pub async fn within_limit(test: impl std::future::Future<Output = ()>) {
    let trail = Trail::default();
    let run = TRAIL.scope(trail.clone(), tokio::time::timeout(TEST_LIMIT, test));
    if run.await.is_err() {
        // Where it stood: the steps of the harness, newest last, with when
        // each started, so a hang names the request or startup phase.
        let steps = trail.0.lock().map(|s| s.join("\n  ")).unwrap_or_default();
        panic!("test did not finish within {TEST_LIMIT:?}; last steps:\n  {steps}");
    }
}

/// The harness's last steps in the running test (startup phases, requests).
#[derive(Clone, Default)]
pub struct Trail(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

tokio::task_local! {
    static TRAIL: Trail;
}

/// Notes a step of the harness in the test's trail (kept: the last 20).
pub fn step(what: impl Into<String>) {
    let what = what.into();
    let _ = TRAIL.try_with(|t| {
        if let Ok(mut steps) = t.0.lock() {
            let at = chrono::Utc::now().format("%H:%M:%S%.3f");
            steps.push(format!("{at} {what}"));
            let n = steps.len();
            if n > 20 {
                steps.drain(..n - 20);
            }
        }
    });
}

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub config: Config,
    _dir: Option<tempfile::TempDir>,
}

impl TestApp {
    pub async fn spawn(db: Db) -> TestApp {
        Self::spawn_with(db, &[]).await
    }

    /// Like `spawn`, with extra configuration variables.
    pub async fn spawn_with(db: Db, vars: &[(&str, &str)]) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = match db {
            Db::Sqlite => format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("hikeshi.db").display()
            ),
            Db::Postgres => fresh_postgres_database().await,
        };
        let evidence_dir = dir.path().join("evidence").display().to_string();
        let mail_dir = dir.path().join("mail").display().to_string();
        let heads_file = dir.path().join("audit-heads.log").display().to_string();
        let config = Config::from_lookup(|k| match k {
            "HIKESHI_DATABASE_URL" => Some(url.clone()),
            "HIKESHI_ADMIN_PASSWORD" => Some(ADMIN_PASSWORD.into()),
            "HIKESHI_BIND" => Some("127.0.0.1:0".into()),
            "HIKESHI_EVIDENCE_DIR" if !vars.iter().any(|(k, _)| *k == "HIKESHI_EVIDENCE_DIR") => {
                Some(evidence_dir.clone())
            }
            "HIKESHI_MAIL_DIR" if !vars.iter().any(|(k, _)| *k == "HIKESHI_MAIL_DIR") => {
                Some(mail_dir.clone())
            }
            "HIKESHI_AUDIT_KEY" => Some(TEST_AUDIT_KEY.into()),
            "HIKESHI_AUDIT_HEADS_FILE" => Some(heads_file.clone()),
            other => vars
                .iter()
                .find(|(k, _)| *k == other)
                .map(|(_, v)| v.to_string()),
        })
        .expect("test config");
        let mut t = Self::start(config).await;
        t._dir = Some(dir);
        t
    }

    async fn start(config: Config) -> TestApp {
        let model = server::startup::load_model(&config).expect("playbooks");
        step("start: connect, migrate, open the audit trail, first administrator");
        let db = server::startup::prepare(&config).await.expect("database");
        step("start: ready");
        let state = AppState::new(config.clone(), db, model);
        TestApp {
            router: app(state.clone()),
            state,
            config,
            _dir: None,
        }
    }

    /// A second application on the same database, as after a restart or as a
    /// second instance behind a load balancer.
    pub async fn restart(&self) -> TestApp {
        Self::start(self.config.clone()).await
    }

    /// The same database served with other configuration (e.g. playbooks).
    pub async fn restart_with(&self, vars: &[(&str, &str)]) -> TestApp {
        let mut config = self.config.clone();
        for (k, v) in vars {
            if *k == "HIKESHI_PLAYBOOKS_DIR" {
                config.playbooks_dir = Some(v.into());
            }
        }
        Self::start(config).await
    }

    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookies: BTreeMap::new(),
            origin: Some(format!("http://{HOST}")),
            peer: None,
        }
    }

    /// A client whose requests come from `ip`, as the TCP peer address the
    /// server sees (axum's `ConnectInfo`).
    pub fn client_from(&self, ip: &str) -> Client {
        let mut c = self.client();
        c.peer = Some(SocketAddr::new(ip.parse().expect("an IP address"), 40_000));
        c
    }

    /// A user created directly through the services, with the test password.
    pub async fn user(&self, username: &str, roles: &[Role]) -> Uuid {
        step(format!("create user {username}"));
        server::services::create_user_unchecked(
            &self.state.hikeshi.db,
            ValidNewUser {
                username: username.into(),
                display_name: format!("{username} (test)"),
                email: None,
                password: PASSWORD.into(),
                roles: roles.to_vec(),
                organisation: None,
            },
        )
        .await
        .expect("create user")
    }

    /// A client signed in as a new user with these roles.
    pub async fn signed_in(&self, username: &str, roles: &[Role]) -> Client {
        self.user(username, roles).await;
        let mut c = self.client();
        let r = c.sign_in(username, PASSWORD).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "sign-in of {username}: {}",
            r.text
        );
        c
    }

    pub async fn admin(&self) -> Client {
        let mut c = self.client();
        let r = c.sign_in("admin", ADMIN_PASSWORD).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        c
    }

    pub async fn count(&self, table: &str) -> i64 {
        let db = &self.state.hikeshi.db;
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count")
            .expect("row");
        row.try_get::<i64>("", "n").expect("n")
    }
}

async fn fresh_postgres_database() -> String {
    let admin_url = std::env::var("HIKESHI_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("hikeshi_t_{}", Uuid::new_v4().simple());
    let admin = Database::connect(&admin_url)
        .await
        .expect("PostgreSQL at HIKESHI_TEST_PG_URL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create test database");
    admin.close().await.ok();
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(&admin_url);
    format!("{base}/{name}")
}

pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    /// The body as received, for binary downloads.
    pub bytes: Vec<u8>,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The field errors of a `FormResult::Invalid` answer, as (field, code).
    pub fn field_errors(&self) -> Vec<(String, String)> {
        let v = self.json();
        let Some(list) = v.get("Invalid").and_then(Value::as_array) else {
            return vec![];
        };
        list.iter()
            .map(|e| {
                let code = match &e["code"] {
                    Value::String(s) => s.clone(),
                    Value::Object(o) => o.keys().next().cloned().unwrap_or_default(),
                    other => other.to_string(),
                };
                (e["field"].as_str().unwrap_or_default().to_string(), code)
            })
            .collect()
    }

    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }
}

/// A browser-like client: keeps cookies, sends our own Origin on posts.
#[derive(Clone)]
pub struct Client {
    router: Router,
    pub cookies: BTreeMap<String, String>,
    pub origin: Option<String>,
    /// The TCP peer of every request (`ConnectInfo`); none when unset, as for
    /// a router driven without a listener.
    pub peer: Option<SocketAddr>,
}

impl Client {
    /// A client that is not signed in and talks to no application, to hold
    /// a place while the real one is borrowed.
    pub fn placeholder() -> Client {
        Client {
            router: Router::new(),
            cookies: BTreeMap::new(),
            origin: None,
            peer: None,
        }
    }

    pub async fn send(&mut self, mut req: Request<Body>) -> Response {
        if let Some(peer) = self.peer
            && req.extensions().get::<ConnectInfo<SocketAddr>>().is_none()
        {
            req.extensions_mut().insert(ConnectInfo(peer));
        }
        step(format!("{} {}", req.method(), req.uri()));
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        for v in headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap_or_default();
            let pair = v.split(';').next().unwrap_or_default();
            if let Some((k, val)) = pair.split_once('=') {
                let expired = v.to_ascii_lowercase().contains("max-age=0") || val.is_empty();
                if expired {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), val.to_string());
                }
            }
        }
        let body = res.into_body().collect().await.expect("body").to_bytes();
        Response {
            status,
            headers,
            text: String::from_utf8_lossy(&body).into_owned(),
            bytes: body.to_vec(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn get(&mut self, path: &str) -> Response {
        let req = Request::get(path)
            .header(header::HOST, HOST)
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    /// POSTs a form to a path (a server function under `/api/…`).
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Response {
        let body = serde_urlencoded::to_string(form).unwrap();
        let mut req = Request::post(path)
            .header(header::HOST, HOST)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(o) = &self.origin {
            req = req.header(header::ORIGIN, o);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// POSTs a body of any type, e.g. a streamed multipart upload.
    pub async fn post_body(&mut self, path: &str, content_type: &str, body: Body) -> Response {
        let mut req = Request::post(path)
            .header(header::HOST, HOST)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, content_type);
        if let Some(o) = &self.origin {
            req = req.header(header::ORIGIN, o);
        }
        self.send(req.body(body).unwrap()).await
    }

    /// GETs a path as an API client (no `Accept: text/html`).
    pub async fn fetch(&mut self, path: &str) -> Response {
        let req = Request::get(path)
            .header(header::HOST, HOST)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    /// Changes the signed-in user's password through the account form.
    pub async fn change_password(&mut self, current: &str, new: &str) -> Response {
        self.post(
            "/api/auth/password",
            &[
                ("form[current]", current),
                ("form[new]", new),
                ("form[confirm]", new),
            ],
        )
        .await
    }

    /// A GET with extra request headers (e.g. what a browser says about
    /// where the request comes from).
    pub async fn fetch_with(&mut self, path: &str, headers: &[(&str, &str)]) -> Response {
        let mut req = Request::get(path)
            .header(header::HOST, HOST)
            .header(header::COOKIE, self.cookie_header());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    pub async fn sign_in(&mut self, username: &str, password: &str) -> Response {
        self.post(
            "/api/auth/login",
            &[("username", username), ("password", password)],
        )
        .await
    }

    pub async fn me(&mut self) -> Value {
        let r = self.post("/api/auth/me", &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.json()
    }

    pub fn session_id(&self) -> Option<String> {
        self.cookies.get(server::web::SESSION_COOKIE).cloned()
    }
}
