//! Reporting, listing and reading incidents.

use leptos::prelude::*;

use crate::domain::AppError;
use crate::domain::form::FormResult;
use crate::domain::incident::{IncidentDetail, IncidentPage, ReportForm};

/// Phase A: anyone signed in reports an event. On success the browser is sent
/// to the new incident's page.
#[server(endpoint = "incidents/report")]
pub async fn report_incident(form: ReportForm) -> Result<FormResult<String>, AppError> {
    use crate::api::ctx;
    use crate::domain::incident::validate_report;

    let actor = ctx::actor()?;
    let report = match validate_report(&form, chrono::Utc::now()) {
        Ok(r) => r,
        Err(errors) => return Ok(FormResult::Invalid(errors)),
    };
    let human_id = ctx::services()?
        .report_incident(&actor, report)
        .await
        .map_err(ctx::status)?;
    leptos_axum::redirect(&format!("/incidents/{human_id}"));
    Ok(FormResult::Done(human_id))
}

/// The incidents the signed-in user may see, newest first. Filter values that
/// do not parse are ignored rather than refused: they come from a URL.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "incidents/list")]
pub async fn list_incidents(
    phase: Option<String>,
    kind: Option<String>,
    reporter: Option<String>,
    severity: Option<String>,
    tlp: Option<String>,
    overdue: Option<String>,
    mine: Option<String>,
    after: Option<String>,
    before: Option<String>,
) -> Result<IncidentPage, AppError> {
    use crate::api::ctx;
    use crate::domain::Phase;
    use crate::domain::classification::{Severity, Tlp};
    use crate::domain::incident::{IncidentKind, IncidentQuery, ListCursor};

    let actor = ctx::actor()?;
    let query = IncidentQuery {
        phase: phase.as_deref().and_then(Phase::from_id),
        kind: kind.as_deref().and_then(IncidentKind::from_id),
        reporter: reporter
            .map(|r| r.trim().to_lowercase())
            .filter(|r| !r.is_empty()),
        severity: severity.as_deref().and_then(Severity::from_id),
        tlp: tlp.as_deref().and_then(Tlp::from_id),
        overdue: overdue.is_some_and(|v| !v.is_empty() && v != "false"),
        mine: mine.is_some_and(|v| !v.is_empty() && v != "false"),
        from: ListCursor::from_params(after.as_deref(), before.as_deref()),
    };
    ctx::services()?
        .list_incidents(&actor, query)
        .await
        .map_err(ctx::status)
}

#[server(endpoint = "incidents/get")]
pub async fn get_incident(id: String) -> Result<IncidentDetail, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .incident(&actor, &id)
        .await
        .map_err(ctx::status)
}
