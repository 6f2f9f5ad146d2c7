//! The server function that generates a report: the form is checked here
//! (field errors come back in place), the permission is the service's.
//! The file itself is fetched from `/api/reports/{id}/download`.

use leptos::prelude::*;
use uuid::Uuid;

use crate::domain::AppError;
use crate::domain::form::FormResult;
use crate::domain::report::ReportForm;

#[server(endpoint = "reports/generate")]
pub async fn generate_report(
    id: String,
    #[server(default)] form: ReportForm,
) -> Result<FormResult<Uuid>, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    let request = match form.validate() {
        Ok(r) => r,
        Err(e) => return Ok(FormResult::Invalid(e)),
    };
    ctx::services()?
        .generate_report(&actor, &id, request)
        .await
        .map_err(ctx::status)
}

/// The check of the report whose file has this SHA-256.
#[server(endpoint = "reports/verify")]
pub async fn verify_report(
    sha256: String,
) -> Result<crate::domain::report::Verification, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .verify_report(&actor, &sha256)
        .await
        .map_err(ctx::status)
}
