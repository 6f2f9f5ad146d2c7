//! `GET /api/reports/{id}/download`: a generated report, as it was handed
//! out (its handlers, or the external party that generated it).

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use app::ports::CurrentUser;

use crate::web::AppState;
use crate::web_evidence::{refuse, signed_in};

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
        Ok(g) => (
            [
                (header::CONTENT_TYPE, g.media_type.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", g.file_name),
                ),
            ],
            g.body,
        )
            .into_response(),
        Err(e) => refuse(e),
    }
}
