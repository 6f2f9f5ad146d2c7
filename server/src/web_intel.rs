//! Threat-intelligence exchange over HTTP: the STIX 2.1 export of an
//! incident's observables, and the import of bundles into the store.

use axum::extract::{Extension, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use app::domain::AppError;
use app::domain::classification::Tlp;
use app::ports::CurrentUser;

use crate::web::AppState;
use crate::web_evidence::refuse;

#[derive(serde::Deserialize)]
pub struct ExportQuery {
    /// The highest TLP shared (`clear`, `green`, `amber`, `amber_strict`,
    /// `red`); TLP:AMBER when not given.
    tlp: Option<String>,
}

/// `GET /api/incidents/{id}/stix?tlp=amber`: a STIX 2.1 bundle; with
/// `observable=<id>` (repeated), only the observables selected.
pub async fn stix_export(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Response {
    let Some(actor) = user.0 else {
        return refuse(AppError::Unauthenticated);
    };
    let share = match share_tlp(&q) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let mut selected = Vec::new();
    for (k, v) in pairs.iter().filter(|(k, _)| k == "observable") {
        match uuid::Uuid::parse_str(v.trim()) {
            Ok(u) if selected.len() < 1000 => selected.push(u),
            _ => {
                return (
                    StatusCode::BAD_REQUEST,
                    format!("{k}: an observable's id (at most 1,000)"),
                )
                    .into_response();
            }
        }
    }
    let h = &state.hikeshi;
    match crate::services::observables::export_stix(
        &h.db,
        &actor,
        &id,
        &selected,
        &state.config.organisation,
        share,
    )
    .await
    {
        Ok((human_id, bundle)) => stix_response(&human_id, &bundle),
        Err(e) => refuse(e),
    }
}

/// `GET /api/campaigns/{id}/stix?tlp=amber`: a campaign as a STIX 2.1
/// bundle.
pub async fn campaign_stix(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Response {
    let Some(actor) = user.0 else {
        return refuse(AppError::Unauthenticated);
    };
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return refuse(AppError::NotFound);
    };
    let share = match share_tlp(&q) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    let h = &state.hikeshi;
    match crate::services::campaigns::export_stix(
        &h.db,
        &h.model,
        &actor,
        id,
        &state.config.organisation,
        share,
    )
    .await
    {
        Ok((file, bundle)) => stix_response(&file, &bundle),
        Err(e) => refuse(e),
    }
}

/// The TLP asked for, TLP:AMBER when none.
fn share_tlp(q: &ExportQuery) -> Result<Tlp, Box<Response>> {
    match q.tlp.as_deref().map(str::trim) {
        None | Some("") => Ok(Tlp::Amber),
        Some(t) => Tlp::from_id(t).ok_or_else(|| {
            Box::new(
                (
                    StatusCode::BAD_REQUEST,
                    "tlp: one of clear, green, amber, amber_strict, red",
                )
                    .into_response(),
            )
        }),
    }
}

fn stix_response(file: &str, bundle: &serde_json::Value) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/stix+json;version=2.1".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}-stix.json\""),
            ),
        ],
        bundle.to_string(),
    )
        .into_response()
}

/// `POST /api/intel/import`: a STIX 2.1 bundle into the threat-intelligence
/// store, as a JSON body (`?source=` names it) or as the `bundle` file of a
/// form (with a `source` field). A browser form is sent back to the store's
/// page; other clients get the `FormResult` as JSON.
pub async fn intel_import(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<ImportQuery>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Response {
    use app::domain::policy::{Action, may};
    let Some(actor) = user.0 else {
        return refuse(AppError::Unauthenticated);
    };
    // Nothing of the body is read for someone who may not import.
    if !may(&actor, Action::ManageIntel) {
        return refuse(AppError::Forbidden);
    }
    let limit = crate::services::intel::BUNDLE_MAX;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let (source, bytes) = if let Ok(boundary) = multer::parse_boundary(&content_type) {
        let mut multipart = multer::Multipart::new(body.into_data_stream(), boundary);
        let mut source = String::new();
        let mut bytes = Vec::new();
        loop {
            match multipart.next_field().await {
                Ok(Some(field)) => match field.name() {
                    Some("source") => source = field.text().await.unwrap_or_default(),
                    Some("bundle") => {
                        if source.is_empty() {
                            source = field.file_name().unwrap_or("").to_string();
                        }
                        let mut field = field;
                        loop {
                            match field.chunk().await {
                                Ok(Some(c)) => {
                                    if bytes.len() + c.len() > limit {
                                        return too_large();
                                    }
                                    bytes.extend_from_slice(&c);
                                }
                                Ok(None) => break,
                                Err(_) => return malformed(),
                            }
                        }
                    }
                    _ => {}
                },
                Ok(None) => break,
                Err(_) => return malformed(),
            }
        }
        (source, bytes)
    } else {
        match axum::body::to_bytes(body, limit).await {
            Ok(b) => (q.source.clone().unwrap_or_default(), b.to_vec()),
            Err(_) => return too_large(),
        }
    };
    let source = if source.trim().is_empty() {
        "upload".to_string()
    } else {
        source
    };
    let result = crate::services::intel::import(&state.hikeshi.db, &actor, &source, &bytes).await;
    match result {
        Ok(r) if html => {
            let target = match &r {
                app::domain::FormResult::Done(s) => format!("/intel?imported={}", s.indicators),
                app::domain::FormResult::Invalid(_) => "/intel?import_error=1".to_string(),
            };
            axum::response::Redirect::to(&target).into_response()
        }
        Ok(r) => axum::Json(r).into_response(),
        Err(e) => refuse(e),
    }
}

#[derive(serde::Deserialize)]
pub struct ImportQuery {
    source: Option<String>,
}

fn too_large() -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        "the bundle is larger than 256 MiB",
    )
        .into_response()
}

fn malformed() -> Response {
    (
        StatusCode::BAD_REQUEST,
        "malformed multipart/form-data body",
    )
        .into_response()
}

#[derive(serde::Deserialize)]
pub struct FeedQuery {
    token: Option<String>,
}

/// `GET /feeds/{name}`: the active indicators for sensors — `rpz` (a BIND
/// response-policy zone), `squid-domains.txt` and `squid-ips.txt` (Squid
/// ACL files), `indicators.csv`, `indicators.txt`. Authenticated by the feed
/// token (`Authorization: Bearer …` or `?token=`), compared in constant
/// time; without a configured token there are no feeds.
pub async fn feed(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<FeedQuery>,
    headers: axum::http::HeaderMap,
) -> Response {
    let Some(expected) = state.config.feed_token.as_ref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
        .or(q.token)
        .unwrap_or_default();
    if !same(presented.trim().as_bytes(), expected.expose().as_bytes()) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "a valid feed token is required",
        )
            .into_response();
    }
    let render: fn(&[crate::feeds::Active]) -> String = match name.as_str() {
        "rpz" => |a| {
            let serial = u32::try_from(chrono::Utc::now().timestamp() / 60).unwrap_or(u32::MAX);
            crate::feeds::rpz("hikeshi.rpz", serial, a)
        },
        "squid-domains.txt" => crate::feeds::squid_domains,
        "squid-ips.txt" => crate::feeds::squid_ips,
        "indicators.csv" => crate::feeds::csv,
        "indicators.txt" => crate::feeds::text,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let content_type = if name.ends_with(".csv") {
        "text/csv; charset=utf-8"
    } else {
        "text/plain; charset=utf-8"
    };
    match crate::services::observables::active_indicators(&state.hikeshi.db, state.config.feed_tlp)
        .await
    {
        Ok(active) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "no-store"),
            ],
            render(&active),
        )
            .into_response(),
        Err(e) => refuse(e),
    }
}

/// Equal bytes, in time that depends only on the length.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
