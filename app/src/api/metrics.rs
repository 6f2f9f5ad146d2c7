//! The server function of `/metrics`: the filters are checked here (field
//! errors come back in place), the permission is the service's.

use leptos::prelude::*;

use crate::domain::AppError;
use crate::domain::form::FormResult;
use crate::domain::metrics::{MetricsForm, MetricsView};

#[server(endpoint = "metrics")]
pub async fn metrics(
    #[server(default)] form: MetricsForm,
) -> Result<FormResult<MetricsView>, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    let query = match form.validate() {
        Ok(q) => q,
        Err(e) => return Ok(FormResult::Invalid(e)),
    };
    ctx::services()?
        .metrics(&actor, query)
        .await
        .map(FormResult::Done)
        .map_err(ctx::status)
}
