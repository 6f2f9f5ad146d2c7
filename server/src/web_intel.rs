//! Threat-intelligence exchange over HTTP: the STIX 2.1 export of an
//! incident's observables, and the import of bundles into the store.

use axum::extract::{Extension, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use app::domain::AppError;
use app::domain::classification::Tlp;
use app::ports::CurrentUser;

use crate::web::AppState;

#[derive(serde::Deserialize)]
pub struct ExportQuery {
    /// The highest TLP shared (`clear`, `green`, `amber`, `amber_strict`,
    /// `red`); TLP:AMBER when not given.
    tlp: Option<String>,
}

fn refuse(e: impl Into<AppError>) -> Response {
    let e: AppError = e.into();
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, status.canonical_reason().unwrap_or("error")).into_response()
}

/// `GET /api/incidents/{id}/stix?tlp=amber`: a STIX 2.1 bundle.
pub async fn stix_export(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Response {
    let Some(actor) = user.0 else {
        return refuse(AppError::Unauthenticated);
    };
    let share = match q.tlp.as_deref().map(str::trim) {
        None | Some("") => Tlp::Amber,
        Some(t) => match Tlp::from_id(t) {
            Some(t) => t,
            None => {
                return (
                    StatusCode::BAD_REQUEST,
                    "tlp: one of clear, green, amber, amber_strict, red",
                )
                    .into_response();
            }
        },
    };
    let h = &state.hikeshi;
    match crate::services::observables::export_stix(
        &h.db,
        &actor,
        &id,
        &state.config.organisation,
        share,
    )
    .await
    {
        Ok((human_id, bundle)) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/stix+json;version=2.1".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{human_id}-stix.json\""),
                ),
            ],
            bundle.to_string(),
        )
            .into_response(),
        Err(e) => refuse(e),
    }
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
