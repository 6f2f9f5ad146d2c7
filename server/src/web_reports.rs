//! `GET /api/reports/{id}/download`: a generated report, as it was handed
//! out (its handlers, or the external party that generated it).
//! `POST /api/reports/verify-file`: a report file uploaded to be checked;
//! only its SHA-256 is kept, and the browser is sent to the verification
//! page for that hash.

use axum::Extension;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use app::ports::CurrentUser;

use crate::web::AppState;
use crate::web_evidence::{attachment, refuse, signed_in};

pub async fn download(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<Uuid>,
) -> Response {
    let actor = match signed_in(&user) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    match crate::services::reports::download(&state.hikeshi.db, &actor, id).await {
        Ok(g) => attachment(g.media_type, &g.file_name, g.body),
        Err(e) => refuse(e),
    }
}

/// The largest report file checked: far above any report we write.
const VERIFY_MAX_BYTES: u64 = 256 << 20;

pub async fn verify_file(
    State(_state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let actor = match signed_in(&user) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    if !app::domain::policy::may(&actor, app::domain::policy::Action::VerifyReports) {
        return refuse(app::domain::AppError::Forbidden);
    }
    let Some(boundary) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| multer::parse_boundary(ct).ok())
    else {
        return (StatusCode::BAD_REQUEST, "expected multipart/form-data").into_response();
    };
    let mut multipart = multer::Multipart::with_constraints(
        body.into_data_stream(),
        boundary,
        multer::Constraints::new()
            .size_limit(multer::SizeLimit::new().whole_stream(VERIFY_MAX_BYTES)),
    );
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return (StatusCode::BAD_REQUEST, "no file").into_response(),
            Err(_) => return (StatusCode::BAD_REQUEST, "malformed upload").into_response(),
        };
        if field.name() != Some("file") {
            continue;
        }
        let mut h = Sha256::new();
        loop {
            match field.chunk().await {
                Ok(Some(c)) => h.update(&c),
                Ok(None) => break,
                Err(_) => {
                    return (
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "the file is too large or cut short",
                    )
                        .into_response();
                }
            }
        }
        return Redirect::to(&format!("/reports/verify?sha256={:x}", h.finalize())).into_response();
    }
}
