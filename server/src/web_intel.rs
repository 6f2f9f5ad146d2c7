//! Threat-intelligence exchange over HTTP: the STIX 2.1 export of an
//! incident's observables.

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
