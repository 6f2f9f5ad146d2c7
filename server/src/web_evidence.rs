//! The evidence routes that are not server functions because they stream:
//! the multipart upload, file downloads (samples as a password zip), the
//! custody report and the evidence bundle. Each asks the same services and
//! the same policy as everything else.

use axum::Extension;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tokio_util::io::ReaderStream;
use uuid::Uuid;

use app::domain::AppError;
use app::domain::evidence::{EvidenceKind, SAMPLE_ZIP_PASSWORD};
use app::domain::form::{FieldError, FormResult};
use app::domain::policy::Actor;
use app::ports::CurrentUser;

use crate::services::evidence::{self, UploadForm, UploadOutcome};
use crate::web::AppState;

/// The one place a file route's error becomes its answer (a service
/// error's detail is logged by the conversion, never sent).
pub(crate) fn refuse(e: impl Into<AppError>) -> Response {
    let e: AppError = e.into();
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let text = match e {
        AppError::NotFound => "not found",
        AppError::Forbidden => "forbidden",
        AppError::Unauthenticated => "sign in first",
        AppError::Conflict(_) => "conflict",
        _ => "internal error",
    };
    (status, text).into_response()
}

/// A download: the body under its media type, saved as `file_name` (which
/// the caller builds from ids and fixed words only).
pub(crate) fn attachment(media_type: &str, file_name: &str, body: impl Into<Body>) -> Response {
    (
        [
            (header::CONTENT_TYPE, media_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        body.into(),
    )
        .into_response()
}

pub(crate) fn signed_in(user: &CurrentUser) -> Result<Actor, Box<Response>> {
    user.0
        .clone()
        .ok_or_else(|| Box::new(refuse(AppError::Unauthenticated)))
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"))
}

/// `POST /api/incidents/{id}/evidence`, multipart: the description fields
/// first, the `file` last (browsers send fields in the form's order). A
/// browser form gets a redirect back to the incident; other clients get the
/// `FormResult` as JSON, `Done` carrying the new item's id.
pub async fn upload(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let actor = match signed_in(&user) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| multer::parse_boundary(ct).ok());
    let Some(boundary) = boundary else {
        return (StatusCode::BAD_REQUEST, "expected multipart/form-data").into_response();
    };
    let hikeshi = &state.hikeshi;
    // Nothing of the body is read for someone who may not upload here.
    if let Err(e) = evidence::may_upload(&hikeshi.db, &actor, &id).await {
        return refuse(e);
    }
    // Every part but the file is small: a description is a few lines. The
    // file's own limit is the store's, checked as it streams to disk.
    let limits = multer::SizeLimit::new()
        .per_field(FIELD_MAX_BYTES)
        .for_field("file", u64::MAX);
    let mut multipart = multer::Multipart::with_constraints(
        OneAtATime::new(body.into_data_stream()),
        boundary,
        multer::Constraints::new().size_limit(limits),
    );
    let mut form = UploadForm::default();
    let mut outcome: Option<Result<UploadOutcome, crate::services::error::ServiceError>> = None;
    let mut parts = 0usize;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return malformed(&e),
        };
        parts += 1;
        if parts > MAX_PARTS {
            return (StatusCode::PAYLOAD_TOO_LARGE, "too many form fields").into_response();
        }
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            if outcome.is_some() {
                break;
            }
            form.file_name = field.file_name().unwrap_or("").to_string();
            form.media_type = field
                .content_type()
                .map(|m| m.to_string())
                .unwrap_or_default();
            outcome = Some(
                evidence::upload(
                    &hikeshi.db,
                    &hikeshi.evidence,
                    &actor,
                    &id,
                    form.clone(),
                    field,
                )
                .await,
            );
            continue;
        }
        let value = match field.text().await {
            Ok(v) => v,
            Err(multer::Error::FieldSizeExceeded { .. }) => {
                let errors = vec![FieldError {
                    field: name.clone(),
                    code: app::domain::ErrorCode::TooLong(FIELD_MAX_BYTES as usize),
                }];
                return answer(&headers, &id, FormResult::Invalid(errors));
            }
            Err(e) => return malformed(&e),
        };
        let slot = match name.as_str() {
            "kind" => &mut form.kind,
            "description" => &mut form.description,
            "source_host" => &mut form.source_host,
            "acquired_how" => &mut form.acquired_how,
            "acquired_by" => &mut form.acquired_by,
            "acquired_at" => &mut form.acquired_at,
            "tz_offset" => &mut form.tz_offset,
            "checklist_item" => &mut form.checklist_item,
            _ => continue,
        };
        *slot = value;
    }
    let outcome = outcome.unwrap_or_else(|| {
        Ok(UploadOutcome::Invalid(vec![FieldError {
            field: "file".into(),
            code: app::domain::ErrorCode::Required,
        }]))
    });
    let result: FormResult<Uuid> = match outcome {
        Ok(UploadOutcome::Stored { evidence, .. }) => FormResult::Done(evidence),
        Ok(UploadOutcome::Invalid(errors)) => FormResult::Invalid(errors),
        Err(e) => return refuse(e),
    };
    answer(&headers, &id, result)
}

/// The most any part of an upload but the file may hold.
pub const FIELD_MAX_BYTES: u64 = 16 * 1024;
/// The upload form has nine parts; a few more are tolerated.
const MAX_PARTS: usize = 32;

/// A body the multipart parser cannot read: the parser's own words stay in
/// the log.
fn malformed(e: &multer::Error) -> Response {
    tracing::debug!(error = %e, "malformed upload");
    (
        StatusCode::BAD_REQUEST,
        "malformed multipart/form-data body",
    )
        .into_response()
}

/// A browser form gets a redirect back to the incident; other clients get
/// the `FormResult` as JSON.
fn answer(headers: &HeaderMap, id: &str, result: FormResult<Uuid>) -> Response {
    if wants_html(headers) {
        let target = match &result {
            FormResult::Done(_) => format!("/incidents/{id}?uploaded=1#evidence"),
            FormResult::Invalid(errors) => {
                let first = errors.first().map(|e| e.field.as_str()).unwrap_or("file");
                format!("/incidents/{id}?upload_error={first}#evidence")
            }
        };
        return Redirect::to(&target).into_response();
    }
    axum::Json(result).into_response()
}

/// The multipart parser reads its input for as long as the input is ready,
/// so a fast client could fill memory with a whole disk image before the
/// disk catches up. This hands it one chunk per poll: the parser passes each
/// chunk on before it reads the next, and memory stays at a chunk or two.
struct OneAtATime<S> {
    inner: S,
    yielded: bool,
}

impl<S> OneAtATime<S> {
    fn new(inner: S) -> Self {
        OneAtATime {
            inner,
            yielded: false,
        }
    }
}

impl<S: futures_util::Stream + Unpin> futures_util::Stream for OneAtATime<S> {
    type Item = S::Item;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<S::Item>> {
        use std::task::Poll;
        if self.yielded {
            self.yielded = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let next = std::pin::Pin::new(&mut self.inner).poll_next(cx);
        if matches!(next, Poll::Ready(Some(_))) {
            self.yielded = true;
        }
        next
    }
}

#[derive(Deserialize)]
pub struct DownloadQuery {
    /// Malware samples are downloaded only when asked for deliberately.
    #[serde(default)]
    deliberate: Option<String>,
}

/// `GET /api/evidence/{id}/download`: the file, or for a malware sample a zip
/// with the customary password. Every download is a custody event.
pub async fn download(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<Uuid>,
    Query(q): Query<DownloadQuery>,
) -> Response {
    let actor = match signed_in(&user) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    let hikeshi = &state.hikeshi;
    // Checked like the download itself (an outsider learns nothing), and
    // before anything is recorded: a sample must be asked for deliberately.
    match crate::services::evidence::kind_for(&hikeshi.db, &actor, id).await {
        Err(e) => return refuse(e),
        Ok(EvidenceKind::MalwareSample) if q.deliberate.as_deref() != Some("1") => {
            return (
                StatusCode::CONFLICT,
                "this is a live malware sample: ask for it deliberately (deliberate=1); it comes as a zip with the password \"infected\"",
            )
                .into_response();
        }
        Ok(_) => {}
    }
    // No reason is taken from the address: whoever made the link would
    // choose what the custody record says.
    let d = match evidence::download(&hikeshi.db, &hikeshi.evidence, &actor, id, "").await {
        Ok(d) => d,
        Err(e) => return refuse(e),
    };
    if d.kind == EvidenceKind::MalwareSample {
        let files = vec![(d.file_name.clone(), d.path.clone(), true)];
        let name = format!("{}.zip", d.file_name);
        return match zip_to_temp(&hikeshi.evidence, files, None).await {
            Ok(file) => stream_file(file, &name, "application/zip"),
            Err(e) => {
                tracing::error!(error = %e, "zipping a sample");
                refuse(AppError::Internal)
            }
        };
    }
    match tokio::fs::File::open(&d.path).await {
        Ok(file) => stream_file(file, &d.file_name, &d.media_type),
        Err(e) => {
            tracing::error!(error = %e, sha256 = %d.sha256, "stored evidence file missing");
            refuse(AppError::NotFound)
        }
    }
}

fn stream_file(file: tokio::fs::File, name: &str, media_type: &str) -> Response {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"");
    (
        [
            (header::CONTENT_TYPE, media_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(ReaderStream::with_capacity(file, 1 << 16)),
    )
        .into_response()
}

/// Builds a zip in the store's temporary directory and opens it; the file is
/// unlinked at once, so it goes when the download ends.
async fn zip_to_temp(
    store: &crate::evidence_store::EvidenceStore,
    files: Vec<(String, std::path::PathBuf, bool)>,
    manifest: Option<String>,
) -> std::io::Result<tokio::fs::File> {
    let tmp_dir = store.tmp_dir();
    tokio::fs::create_dir_all(&tmp_dir).await?;
    let out = tmp_dir.join(format!("{}.zip", Uuid::new_v4().simple()));
    let path = out.clone();
    tokio::task::spawn_blocking(move || {
        evidence::write_zip(&path, &files, manifest.as_deref(), SAMPLE_ZIP_PASSWORD)
    })
    .await
    .map_err(std::io::Error::other)??;
    let file = tokio::fs::File::open(&out).await?;
    tokio::fs::remove_file(&out).await?;
    Ok(file)
}

/// `GET /api/incidents/{id}/custody-report`: every item, its hash and every
/// custody event, as Markdown.
pub async fn custody_report(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Response {
    let actor = match signed_in(&user) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    let h = &state.hikeshi;
    match evidence::for_export(&h.db, &h.model, &actor, &id).await {
        Ok((inc, items)) => attachment(
            "text/markdown; charset=utf-8",
            &format!("{}-custody.md", inc.human_id),
            evidence::custody_report(&inc, &items),
        ),
        Err(e) => refuse(e),
    }
}

/// `GET /api/incidents/{id}/evidence-bundle`: every stored item in a zip
/// with a `SHA256SUMS` manifest the recipient checks with `sha256sum -c`.
/// Samples inside are encrypted with the customary password. Each item gets
/// a custody event.
pub async fn bundle(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Response {
    let actor = match signed_in(&user) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    let h = &state.hikeshi;
    let (inc, items) = match evidence::for_export(&h.db, &h.model, &actor, &id).await {
        Ok(v) => v,
        Err(e) => return refuse(e),
    };
    let live: Vec<_> = items
        .iter()
        .filter(|e| e.integrity != app::domain::evidence::Integrity::Disposed)
        .collect();
    let mut files = Vec::new();
    let mut manifest = String::new();
    for (n, e) in live.iter().enumerate() {
        if let Err(err) =
            evidence::download(&h.db, &h.evidence, &actor, e.id, "evidence bundle").await
        {
            return refuse(err);
        }
        let name = evidence::bundle_name(n, e);
        manifest.push_str(&format!("{}  {}\n", e.sha256, name));
        let sample = e.kind == EvidenceKind::MalwareSample;
        files.push((name, h.evidence.path(&e.sha256), sample));
    }
    match zip_to_temp(&h.evidence, files, Some(manifest)).await {
        Ok(file) => stream_file(
            file,
            &format!("{}-evidence.zip", inc.human_id),
            "application/zip",
        ),
        Err(e) => {
            tracing::error!(error = %e, "building an evidence bundle");
            refuse(AppError::Internal)
        }
    }
}
