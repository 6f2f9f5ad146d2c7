//! The HTTP surface: Leptos pages and server functions, static files, the
//! language switch, and the middleware every request passes through —
//! cross-origin refusal, language, session, current user, security headers.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};
use uuid::Uuid;

use app::api::auth::SESSION_USER_KEY;
use app::i18n::{LANG_COOKIE, Lang};
use app::ports::{CurrentUser, Services};
use app::{App, shell};

use crate::config::Config;
use crate::services::{Hikeshi, actor_by_id};
use crate::session_store::DbSessionStore;

pub const SESSION_COOKIE: &str = "hikeshi_session";

#[derive(Clone)]
pub struct AppState {
    pub hikeshi: Hikeshi,
    pub config: Arc<Config>,
    pub leptos: LeptosOptions,
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
            move || provide_context(services.clone()),
            {
                let options = options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(options)
        .merge(evidence)
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
    vec![
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
    ]
}

/// Resolves the session's user on every request. A user deactivated since
/// signing in is signed out here, at their next request.
async fn current_user(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let user_id = session.get::<Uuid>(SESSION_USER_KEY).await.ok().flatten();
    let actor = match user_id {
        Some(id) => match actor_by_id(&state.hikeshi.db, id).await {
            Ok(actor) => actor,
            Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        },
        None => None,
    };
    if user_id.is_some() && actor.is_none() {
        let _ = session.flush().await;
    }
    req.extensions_mut().insert(CurrentUser(actor));
    next.run(req).await
}

/// CSRF defence: a state-changing request must come from our own origin.
/// Browsers send `Sec-Fetch-Site` and `Origin` on every cross-origin POST;
/// requests without either come from non-browser clients, which carry no
/// ambient cookies to abuse. SameSite=Lax cookies are the second wall.
async fn same_origin_only(State(config): State<Arc<Config>>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || is_same_origin(req.headers(), &config)
    {
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

/// `/lang/ja?next=/incidents`: remember the choice and go back.
async fn switch_language(Path(code): Path<String>, Query(q): Query<Next_>) -> Response {
    let Some(lang) = Lang::from_code(&code) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // Only local paths: never an open redirect.
    let next = q
        .next
        .filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or_else(|| "/".into());
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    let mut res = Redirect::to(&next).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    res
}
