//! The TAXII 2.1 server under `/taxii2/` (OASIS TAXII 2.1): discovery, one
//! API root, its collections, their objects (`added_after`, `limit`,
//! `next`, `match[id|type|version|spec_version]`), manifest and versions,
//! envelopes posted to the inbound collection and their status.
//!
//! Clients authenticate with HTTP Basic as a Hikeshi user (throttled like a
//! sign-in); what they may do is what the policy gives that user. Every
//! answer is `application/taxii+json;version=2.1`; errors are TAXII error
//! messages. A collection the user may not use answers 404, as one that
//! does not exist.

use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use base64::Engine;
use serde_json::{Value, json};

use app::domain::AppError;
use app::domain::policy::{Action, Actor, may};
use app::ports::ClientAddress;

use crate::services::taxii::{
    COLLECTIONS, Collection, Cursor, ENVELOPE_MAX, PAGE_MAX, Query, TAXII, Versions, parse_ts,
};
use crate::services::{Basic, basic};
use crate::web::AppState;

/// The most values one `match[...]` filter takes.
const MATCH_MAX: usize = 100;

/// The routes, for the router and the authorisation matrix.
pub fn routes() -> Vec<(&'static str, Method, MethodRouter<AppState>)> {
    vec![
        ("/taxii2/", Method::GET, get(discovery)),
        ("/taxii2/api/", Method::GET, get(api_root)),
        ("/taxii2/api/status/{status}/", Method::GET, get(status)),
        ("/taxii2/api/collections/", Method::GET, get(collections)),
        (
            "/taxii2/api/collections/{collection}/",
            Method::GET,
            get(collection),
        ),
        (
            "/taxii2/api/collections/{collection}/objects/",
            Method::GET,
            get(objects),
        ),
        (
            "/taxii2/api/collections/{collection}/objects/",
            Method::POST,
            post(add_objects).layer(axum::extract::DefaultBodyLimit::max(ENVELOPE_MAX)),
        ),
        (
            "/taxii2/api/collections/{collection}/objects/{object}/",
            Method::GET,
            get(object),
        ),
        (
            "/taxii2/api/collections/{collection}/objects/{object}/versions/",
            Method::GET,
            get(object_versions),
        ),
        (
            "/taxii2/api/collections/{collection}/manifest/",
            Method::GET,
            get(manifest),
        ),
    ]
}

/// A TAXII error message.
fn error(status: StatusCode, title: &str, description: &str) -> Response {
    let mut r = (
        status,
        taxii_body(json!({
            "title": title,
            "description": description,
            "http_status": status.as_u16().to_string(),
        })),
    )
        .into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(TAXII));
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"hikeshi-taxii\", charset=\"UTF-8\""),
        );
    }
    r
}

fn taxii_body(v: Value) -> String {
    v.to_string()
}

fn ok(body: String) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, TAXII),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

fn from_app(e: AppError) -> Response {
    match e {
        AppError::NotFound => error(StatusCode::NOT_FOUND, "Not found", "No such resource."),
        AppError::Forbidden => error(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "The user may not do this.",
        ),
        AppError::Busy(_) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Busy",
            "Try again in a few seconds.",
        ),
        _ => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal error",
            "The request could not be completed.",
        ),
    }
}

/// The client must accept TAXII 2.1 (or anything).
fn accepts_taxii(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    accept.split(',').any(|part| {
        let p: String = part
            .split(';')
            .filter(|s| !s.trim().starts_with("q="))
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(";")
            .to_ascii_lowercase();
        p == "*/*" || p == "application/*" || p == "application/taxii+json" || p == TAXII
    })
}

/// The user of the request's Basic credentials.
async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<std::net::SocketAddr>,
) -> Result<Actor, Box<Response>> {
    let unauthorised = || {
        Box::new(error(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "HTTP Basic credentials of a Hikeshi user are required.",
        ))
    };
    let credentials = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(unauthorised)?;
    let (username, password) = credentials.split_once(':').ok_or_else(unauthorised)?;
    let from = ClientAddress {
        peer: peer.map(|p| p.ip()),
        forwarded_for: headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect(),
    };
    let h = &state.hikeshi;
    match basic(&h.db, &h.auth, username, password, &from).await {
        Ok(Basic::Accepted(_)) if !accepts_taxii(headers) => Err(Box::new(error(
            StatusCode::NOT_ACCEPTABLE,
            "Not acceptable",
            "This server answers application/taxii+json;version=2.1.",
        ))),
        Ok(Basic::Accepted(actor)) => Ok(actor),
        Ok(Basic::Rejected) => Err(unauthorised()),
        Ok(Basic::Throttled(seconds)) => {
            let mut r = error(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many failures",
                "Too many failed attempts: wait before trying again.",
            );
            if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Err(Box::new(r))
        }
        Err(e) => Err(Box::new(from_app(e.into()))),
    }
}

use axum::http::request::Parts;

/// A handler's first steps: the user, then the collection it names.
macro_rules! signed_in {
    ($state:expr, $parts:expr) => {
        match authenticate(
            &$state,
            &$parts.headers,
            $parts
                .extensions
                .get::<ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0),
        )
        .await
        {
            Ok(a) => a,
            Err(r) => return *r,
        }
    };
}

fn find_collection(actor: &Actor, id: &str) -> Result<&'static Collection, Box<Response>> {
    Collection::by_id(id)
        .filter(|c| c.visible_to(actor))
        .ok_or_else(|| Box::new(from_app(AppError::NotFound)))
}

/// The API root's address, as the configured public address names it.
fn api_root_url(state: &AppState) -> String {
    format!(
        "{}/taxii2/api/",
        state.config.base_url.trim_end_matches('/')
    )
}

async fn discovery(State(state): State<AppState>, parts: Parts) -> Response {
    let _actor = signed_in!(state, parts);
    let root = api_root_url(&state);
    ok(taxii_body(json!({
        "title": "Hikeshi TAXII 2.1",
        "description": format!("Indicators shared by {}", state.config.organisation),
        "default": root,
        "api_roots": [root],
    })))
}

async fn api_root(State(state): State<AppState>, parts: Parts) -> Response {
    let _actor = signed_in!(state, parts);
    ok(taxii_body(json!({
        "title": "Hikeshi",
        "description": format!("{}: shared indicators and an inbound collection", state.config.organisation),
        "versions": [TAXII],
        "max_content_length": ENVELOPE_MAX,
    })))
}

fn collection_resource(c: &Collection, actor: &Actor) -> Value {
    json!({
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "can_read": c.can_read(actor),
        "can_write": c.can_write(actor),
        "media_types": [crate::services::taxii::STIX],
    })
}

async fn collections(State(state): State<AppState>, parts: Parts) -> Response {
    let actor = signed_in!(state, parts);
    if !may(&actor, Action::SeeIntel) {
        return from_app(AppError::Forbidden);
    }
    let list: Vec<Value> = COLLECTIONS
        .iter()
        .filter(|c| c.visible_to(&actor))
        .map(|c| collection_resource(c, &actor))
        .collect();
    ok(taxii_body(json!({ "collections": list })))
}

async fn collection(
    State(state): State<AppState>,
    parts: Parts,
    Path(id): Path<String>,
) -> Response {
    let actor = signed_in!(state, parts);
    match find_collection(&actor, &id) {
        Ok(c) => ok(taxii_body(collection_resource(c, &actor))),
        Err(r) => *r,
    }
}

/// The query string's filters; a bad one is a 400 naming it.
fn query(raw: Option<&str>, object: Option<&str>) -> Result<Query, Box<Response>> {
    let bad = |what: &str| {
        Box::new(error(
            StatusCode::BAD_REQUEST,
            "Bad request",
            &format!("{what} is not valid"),
        ))
    };
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|_| bad("the query string"))?;
    let mut q = Query {
        added_after: None,
        limit: PAGE_MAX,
        next: None,
        types: Vec::new(),
        ids: object.map(|o| vec![o.to_string()]).unwrap_or_default(),
        versions: Versions::Last,
        nothing: false,
    };
    let mut version = None;
    for (k, v) in &pairs {
        match k.as_str() {
            "added_after" => q.added_after = Some(parse_ts(v).ok_or_else(|| bad("added_after"))?),
            "limit" => {
                q.limit = v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| bad("limit"))?
                    .min(PAGE_MAX)
            }
            "next" => q.next = Some(Cursor::decode(v).ok_or_else(|| bad("next"))?),
            "match[type]" => q.types.extend(
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty()),
            ),
            "match[id]" if object.is_none() => q.ids.extend(
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty()),
            ),
            "match[version]" => version = Some(v.clone()),
            "match[spec_version]" => {
                // Only STIX 2.1 is held.
                q.nothing = !v.split(',').any(|s| s.trim() == "2.1");
            }
            _ => {}
        }
    }
    q.versions = Versions::parse(version.as_deref()).ok_or_else(|| bad("match[version]"))?;
    // Each value is a bound parameter of one query: keep the lists short.
    if q.ids.len() > MATCH_MAX {
        return Err(bad("match[id] (at most 100 values)"));
    }
    if q.types.len() > MATCH_MAX {
        return Err(bad("match[type] (at most 100 values)"));
    }
    if matches!(&q.versions, Versions::At(v) if v.len() > MATCH_MAX) {
        return Err(bad("match[version] (at most 100 values)"));
    }
    Ok(q)
}

/// One page of a collection, with the headers TAXII names.
async fn read(
    state: &AppState,
    actor: &Actor,
    id: &str,
    q: Query,
    render: fn(&crate::services::taxii::Page) -> String,
    must_exist: bool,
) -> Response {
    let c = match find_collection(actor, id) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    match crate::services::taxii::page(&state.hikeshi.db, actor, c, &q).await {
        Ok(page) if must_exist && page.rows.is_empty() && q.next.is_none() => {
            from_app(AppError::NotFound)
        }
        Ok(page) => {
            let mut r = ok(render(&page));
            for (name, v) in [
                ("x-taxii-date-added-first", page.first_added()),
                ("x-taxii-date-added-last", page.last_added()),
            ] {
                if let Some(v) = v.and_then(|v| HeaderValue::from_str(v).ok()) {
                    r.headers_mut().insert(name, v);
                }
            }
            r
        }
        Err(e) => from_app(e.into()),
    }
}

/// What a read route answers with.
#[derive(Clone, Copy)]
enum Listing {
    /// An envelope of the collection's objects.
    Objects,
    /// An envelope of one object (404 when the collection has none of it).
    Object,
    /// One object's versions.
    Versions,
    Manifest,
}

/// The four read routes: the user, the query, one page in the listing's form.
async fn list(
    state: AppState,
    parts: Parts,
    id: String,
    object: Option<String>,
    raw: Option<String>,
    listing: Listing,
) -> Response {
    let actor = signed_in!(state, parts);
    let mut q = match query(raw.as_deref(), object.as_deref()) {
        Ok(q) => q,
        Err(r) => return *r,
    };
    let (render, must_exist): (fn(&crate::services::taxii::Page) -> String, bool) = match listing {
        Listing::Objects => (crate::services::taxii::envelope, false),
        Listing::Object => (crate::services::taxii::envelope, true),
        Listing::Versions => {
            q.versions = Versions::All;
            (|p| crate::services::taxii::versions(p).to_string(), true)
        }
        Listing::Manifest => (|p| crate::services::taxii::manifest(p).to_string(), false),
    };
    read(&state, &actor, &id, q, render, must_exist).await
}

async fn objects(
    State(state): State<AppState>,
    parts: Parts,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    list(state, parts, id, None, raw, Listing::Objects).await
}

async fn object(
    State(state): State<AppState>,
    parts: Parts,
    Path((id, object)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    list(state, parts, id, Some(object), raw, Listing::Object).await
}

async fn object_versions(
    State(state): State<AppState>,
    parts: Parts,
    Path((id, object)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    list(state, parts, id, Some(object), raw, Listing::Versions).await
}

async fn manifest(
    State(state): State<AppState>,
    parts: Parts,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    list(state, parts, id, None, raw, Listing::Manifest).await
}

async fn add_objects(
    State(state): State<AppState>,
    parts: Parts,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let actor = signed_in!(state, parts);
    let c = match find_collection(&actor, &id) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    if !c.can_write(&actor) {
        return from_app(AppError::Forbidden);
    }
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .replace(' ', "")
        .to_ascii_lowercase();
    if !content_type.starts_with("application/taxii+json") {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported media type",
            "Post an envelope as application/taxii+json;version=2.1.",
        );
    }
    let db = &state.hikeshi.db;
    match crate::services::taxii::post(db, &actor, c, &body).await {
        Ok(Ok(status)) => match crate::services::taxii::status(db, &actor, status).await {
            Ok(s) => {
                let mut r = ok(s.to_string());
                *r.status_mut() = StatusCode::ACCEPTED;
                r
            }
            Err(e) => from_app(e.into()),
        },
        Ok(Err(why)) => error(StatusCode::BAD_REQUEST, "Bad envelope", &why),
        Err(e) => from_app(e.into()),
    }
}

async fn status(State(state): State<AppState>, parts: Parts, Path(id): Path<String>) -> Response {
    let actor = signed_in!(state, parts);
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return from_app(AppError::NotFound);
    };
    match crate::services::taxii::status(&state.hikeshi.db, &actor, id).await {
        Ok(s) => ok(s.to_string()),
        Err(e) => from_app(e.into()),
    }
}
