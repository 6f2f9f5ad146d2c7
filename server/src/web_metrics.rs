//! `GET /api/metrics/{table}.csv`: a table of `/metrics` as CSV, with the
//! page's filters in the query string. The same service and policy as the
//! page; a filter that does not check gets 400 naming the fields.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use app::domain::metrics::{MetricsForm, Table, csv};
use app::ports::CurrentUser;

use crate::web::AppState;
use crate::web_evidence::{attachment, refuse, signed_in};

pub async fn csv_export(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(file): Path<String>,
    Query(form): Query<MetricsForm>,
) -> Response {
    let actor = match signed_in(&user) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    let Some(table) = file.strip_suffix(".csv").and_then(Table::from_id) else {
        return refuse(app::domain::AppError::NotFound);
    };
    let query = match form.validate() {
        Ok(q) => q,
        Err(errors) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            return (
                StatusCode::BAD_REQUEST,
                format!("filters not understood: {}", fields.join(", ")),
            )
                .into_response();
        }
    };
    match crate::services::metrics::view(&state.hikeshi.db, &actor, query).await {
        Ok(view) => attachment(
            "text/csv; charset=utf-8",
            &format!("hikeshi-{}.csv", table.id()),
            csv(&view, table),
        ),
        Err(e) => refuse(e),
    }
}
