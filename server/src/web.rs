//! The HTTP surface: Leptos pages and server functions, static files, the
//! language switch, and the middleware every request passes through —
//! cross-origin refusal, language, session, current user, security headers.

use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

use app::domain::AppError;
use app::i18n::{LANG_COOKIE, Lang, t};
use app::ports::{CurrentUser, Services};
use app::{App, shell};

use crate::config::Config;
use crate::services::{Hikeshi, SessionOwner, session_owner};
use crate::session_store::DbSessionStore;
use playbooks::HandlingModel;

pub const SESSION_COOKIE: &str = "hikeshi_session";

#[derive(Clone)]
pub struct AppState {
    pub hikeshi: Hikeshi,
    pub config: Arc<Config>,
    pub leptos: LeptosOptions,
}

impl AppState {
    /// The one way to put the application together from its configuration,
    /// an open database and the handling model: startup, the tests and the
    /// benchmarks all use it, so none of them wires a part differently.
    pub fn new(config: Config, db: sea_orm::DatabaseConnection, model: HandlingModel) -> AppState {
        AppState {
            hikeshi: Hikeshi {
                db,
                evidence: crate::evidence_store::EvidenceStore::new(
                    &config.evidence_dir,
                    config.evidence_max_bytes,
                )
                .with_read_limit(config.triage_read_limit),
                model: Arc::new(model),
                auth: crate::auth::Auth::new(&config),
                organisation: config.organisation.clone(),
                base_url: config.base_url.clone(),
                // Checked by `Application::build` before anything serves;
                // a test or bench given a broken directory gets the
                // built-in ones.
                reports: Arc::new(
                    crate::reports::Templates::load(config.report_templates_dir.as_deref())
                        .or_else(|_| crate::reports::Templates::load(None))
                        .expect("the built-in report templates load"),
                ),
            },
            leptos: leptos_options(&config),
            config: Arc::new(config),
        }
    }
}

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("hikeshi")
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.bind)
        .build()
}

/// The whole application as a router, for `serve` and for tests.
pub fn app(state: AppState) -> Router {
    let services: Services = Arc::new(state.hikeshi.clone());
    let options = state.leptos.clone();
    let routes = generate_route_list(App);
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.hikeshi.db.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(
            state.config.session_hours,
        )));

    let evidence = file_routes()
        .into_iter()
        .fold(Router::new(), |r, (path, _, handler)| {
            r.route(path, handler)
        })
        .with_state(state.clone());

    Router::new()
        .route("/lang/{code}", get(switch_language))
        .route("/healthz", get(|| async { "ok" }))
        .leptos_routes_with_context(
            &options,
            routes,
            move || {
                provide_context(services.clone());
                provide_request_nonce();
            },
            {
                let options = options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler_with_context(
            provide_request_nonce,
            shell,
        ))
        .with_state(options)
        .merge(evidence)
        .layer(middleware::from_fn(malformed_input))
        .layer(middleware::from_fn_with_state(state.clone(), current_user))
        .layer(sessions)
        .layer(middleware::from_fn(language))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn_with_state(
            state.config.clone(),
            same_origin_only,
        ))
}

/// The routes outside Leptos: evidence files in and out, and the exports.
/// One list, so the authorisation matrix test enumerates exactly what the
/// router serves.
pub fn file_routes() -> Vec<(
    &'static str,
    axum::http::Method,
    axum::routing::MethodRouter<AppState>,
)> {
    use crate::web_evidence as ev;
    use axum::http::Method;
    let mut routes = vec![
        (
            "/api/incidents/{id}/evidence",
            Method::POST,
            axum::routing::post(ev::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        (
            "/api/evidence/{id}/download",
            Method::GET,
            get(ev::download),
        ),
        ("/feeds/{name}", Method::GET, get(crate::web_intel::feed)),
        (
            "/api/intel/import",
            Method::POST,
            axum::routing::post(crate::web_intel::intel_import)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        (
            "/api/incidents/{id}/stix",
            Method::GET,
            get(crate::web_intel::stix_export),
        ),
        (
            "/api/campaigns/{id}/stix",
            Method::GET,
            get(crate::web_intel::campaign_stix),
        ),
        (
            "/api/incidents/{id}/custody-report",
            Method::GET,
            get(ev::custody_report),
        ),
        (
            "/api/incidents/{id}/evidence-bundle",
            Method::GET,
            get(ev::bundle),
        ),
        (
            "/api/metrics/{file}",
            Method::GET,
            get(crate::web_metrics::csv_export),
        ),
        (
            "/api/reports/{id}/download",
            Method::GET,
            get(crate::web_reports::download),
        ),
        (
            "/api/reports/verify-file",
            Method::POST,
            axum::routing::post(crate::web_reports::verify_file)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        ),
    ];
    routes.extend(crate::web_taxii::routes());
    routes
}

/// Resolves the session's user on every request. A user deactivated since
/// signing in is signed out here, at their next request.
async fn current_user(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    // The session is not loaded through tower-sessions here: one joined
    // statement reads its user and roles (`session_owner`); a handler that
    // needs the session's data loads it itself.
    let actor = match session.id() {
        None => None,
        Some(id) => match session_owner(&state.hikeshi.db, &id.to_string()).await {
            Ok(SessionOwner::Active(actor)) => Some(actor),
            Ok(SessionOwner::Nobody) => None,
            Ok(SessionOwner::Deactivated) => {
                let _ = session.flush().await;
                None
            }
            Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        },
    };
    req.extensions_mut().insert(CurrentUser(actor));
    next.run(req).await
}

/// CSRF defence: a state-changing request must come from our own origin.
/// Browsers send `Sec-Fetch-Site` and `Origin` on every cross-origin POST;
/// requests without either come from non-browser clients, which carry no
/// ambient cookies to abuse. SameSite=Lax cookies are the second wall.
async fn same_origin_only(State(config): State<Arc<Config>>, req: Request, next: Next) -> Response {
    // Pages may be linked from anywhere; under /api/ even a GET can write
    // (a download is a custody event), so there every method must come from
    // this site.
    let reads_a_page = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        && !req.uri().path().starts_with("/api/");
    if reads_a_page || is_same_origin(req.headers(), &config) {
        return next.run(req).await;
    }
    tracing::warn!(uri = %req.uri(), "cross-origin request refused");
    (StatusCode::FORBIDDEN, "cross-origin request refused").into_response()
}

pub fn is_same_origin(headers: &HeaderMap, config: &Config) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site")
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    let Some(origin) = get("origin") else {
        return true;
    };
    let origin = origin.trim_end_matches('/');
    if config.trusted_origins.iter().any(|o| o == origin) {
        return true;
    }
    let host = get("host").unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

/// The page language: the `hikeshi_lang` cookie, else Accept-Language.
async fn language(mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    let from_cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            c.trim()
                .strip_prefix(LANG_COOKIE)?
                .strip_prefix('=')
                .and_then(Lang::from_code)
        });
    let lang = from_cookie.unwrap_or_else(|| {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Lang::from_accept_language)
            .unwrap_or_default()
    });
    req.extensions_mut().insert(lang);
    next.run(req).await
}

#[derive(serde::Deserialize)]
struct Next_ {
    next: Option<String>,
}

/// `/lang/ja?next=/incidents`: remember the choice and go back. A query
/// that cannot be read goes back to the start page.
async fn switch_language(
    Path(code): Path<String>,
    q: Result<Query<Next_>, QueryRejection>,
) -> Response {
    let Some(lang) = Lang::from_code(&code) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let next = q.ok().and_then(|Query(q)| q.next);
    let next = next
        .as_deref()
        .and_then(local_path)
        .and_then(|n| HeaderValue::from_str(n).ok())
        .unwrap_or_else(|| HeaderValue::from_static("/"));
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    let mut res = StatusCode::SEE_OTHER.into_response();
    res.headers_mut().insert(header::LOCATION, next);
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

/// A redirect target that stays on this site: a path from the root. Never
/// `//host` or `/\host` (other hosts to a browser), and no control or
/// white-space characters anywhere, since browsers drop tabs and newlines
/// from URLs, which turns `/\t/evil.example` into `//evil.example`.
pub fn local_path(next: &str) -> Option<&str> {
    let rest = next.strip_prefix('/')?;
    let safe = !rest.starts_with('/')
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace());
    safe.then_some(next)
}

/// The largest server function error body read back here; theirs are a
/// line of JSON.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// A server function whose request cannot be read (garbage or missing
/// fields, wrong types, broken encoding) answers 400 with a generic message
/// in the reader's language. server_fn would answer 500 with the parser's
/// message, which tells the client about our internals and blames the
/// server for the client's mistake. The detail goes to the log.
async fn malformed_input(req: Request, next: Next) -> Response {
    let lang = req.extensions().get::<Lang>().copied().unwrap_or_default();
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res
            .headers()
            .contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, ERROR_BODY_LIMIT)
        .await
        .unwrap_or_default();
    let Ok(AppError::Transport(detail)) = serde_json::from_slice::<AppError>(&bytes) else {
        return Response::from_parts(parts, axum::body::Body::from(bytes));
    };
    // The server side of server_fn only reports the request it could not
    // decode this way; anything else is ours, and still says nothing.
    let client_fault = [
        "error deserializing server function arguments",
        "error deserializing server function results",
        "missing argument",
    ]
    .iter()
    .any(|p| detail.starts_with(p));
    let (status, key) = if client_fault {
        tracing::info!(%detail, "server function request could not be read");
        (StatusCode::BAD_REQUEST, "error.malformed")
    } else {
        tracing::error!(%detail, "server function failed outside the service");
        (StatusCode::INTERNAL_SERVER_ERROR, "error.internal")
    };
    let body = serde_json::to_vec(&AppError::Transport(t(lang, key).into())).unwrap_or_default();
    parts.status = status;
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// The CSP nonce of this request, made by `security_headers`, as the nonce
/// Leptos puts on its scripts. Leptos provides a random one of its own
/// first; this replaces it, so the page and the header agree.
fn provide_request_nonce() {
    let nonce =
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(n)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(n));
    }
}

/// A fresh, unguessable value per request for the page's `script-src`.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// The Content-Security-Policy of an HTML page. Scripts: our own files and
/// the one inline hydration bootstrap (and resource data) Leptos writes with
/// the nonce; WebAssembly compilation of our own module. No inline handlers,
/// no inline styles, no plugins, no `<base>`, no framing, forms only to us.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

/// Everything else (JSON, files, downloads, redirects) is never a document
/// that should run anything, even if a browser were tricked into showing
/// one inline.
pub const OTHER_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox";

async fn security_headers(mut req: Request, next: Next) -> Response {
    let nonce = leptos::nonce::Nonce::new().to_string();
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    // Pages are Leptos's; under /api/ are server functions and files, whose
    // answers are never pages, whatever type an upload claimed.
    let may_be_page = !req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    let is_html = may_be_page
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                ct.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("text/html")
            });
    // A page whose policy cannot be written runs nothing rather than anything.
    let policy = is_html
        .then(|| HeaderValue::from_str(&page_policy(&nonce)).ok())
        .flatten()
        .unwrap_or(HeaderValue::from_static(OTHER_POLICY));
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, policy);
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    res
}
