//! Server functions for evidence preservation: waiving a checklist item,
//! recording custody by hand, re-verifying a stored file, and the
//! organisation's declared log sources. Uploads and downloads stream, so
//! they are plain routes of the server (`web_evidence`).

use leptos::prelude::*;
use uuid::Uuid;

use crate::domain::AppError;
use crate::domain::evidence::OrgLogSource;
use crate::domain::form::FormResult;

#[server(endpoint = "incidents/checklist/waive")]
pub async fn waive_checklist_item(
    id: String,
    item: Uuid,
    reason: String,
) -> Result<FormResult<()>, AppError> {
    use crate::ports::IncidentOp;
    super::workflow::ssr::run(&id, Ok(IncidentOp::WaiveChecklist { item, reason })).await
}

/// `kind`: `transferred`, `returned` or `disposed`.
#[server(endpoint = "incidents/evidence/custody")]
pub async fn record_custody(
    id: String,
    evidence: Uuid,
    kind: String,
    from: Option<String>,
    to: Option<String>,
    reason: String,
) -> Result<FormResult<()>, AppError> {
    use crate::domain::evidence::CustodyKind;
    use crate::domain::form::Checker;
    use crate::ports::IncidentOp;

    let mut c = Checker::default();
    let kind = c.choice("kind", &kind, |k| {
        CustodyKind::from_id(k).filter(|k| {
            matches!(
                k,
                CustodyKind::Transferred | CustodyKind::Returned | CustodyKind::Disposed
            )
        })
    });
    let op = c.finish(|| IncidentOp::Custody {
        evidence,
        kind: kind.expect("checked"),
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
        reason,
    });
    super::workflow::ssr::run(&id, op).await
}

/// Re-hashes the stored file and records the result in its chain of custody.
#[server(endpoint = "incidents/evidence/verify")]
pub async fn verify_evidence(id: String, evidence: Uuid) -> Result<FormResult<()>, AppError> {
    use crate::ports::IncidentOp;
    let op = IncidentOp::VerifyEvidence {
        evidence,
        actual: None,
    };
    super::workflow::ssr::run(&id, Ok(op)).await
}

#[server(endpoint = "log-sources")]
pub async fn log_sources() -> Result<Vec<OrgLogSource>, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .log_sources(&actor)
        .await
        .map_err(ctx::status)
}

/// What the organisation declares for the log-triage detectors.
#[server(endpoint = "detection-settings")]
pub async fn detection_settings() -> Result<crate::domain::triage::DetectionSettings, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .detection_settings(&actor)
        .await
        .map_err(ctx::status)
}

#[server(endpoint = "detection-settings/save")]
pub async fn save_detection_settings(text: String) -> Result<FormResult<()>, AppError> {
    use crate::api::ctx;
    use crate::domain::form::Checker;
    let actor = ctx::actor()?;
    let mut c = Checker::default();
    let text = c
        .optional_text("text", &text, crate::domain::triage::SETTINGS_MAX)
        .unwrap_or_default();
    if let Err(errors) = c.finish(|| ()) {
        return Ok(FormResult::Invalid(errors));
    }
    ctx::services()?
        .save_detection_settings(&actor, text)
        .await
        .map_err(ctx::status)
}

/// Declares a log source (no `source_id`) or changes one.
#[server(endpoint = "log-sources/save")]
pub async fn save_log_source(
    source_id: Option<Uuid>,
    source: String,
    system: String,
    retention_days: String,
    note: Option<String>,
    active: Option<String>,
) -> Result<FormResult<()>, AppError> {
    use crate::api::ctx;
    use crate::domain::form::{Checker, ErrorCode};

    let actor = ctx::actor()?;
    let mut c = Checker::default();
    let retention = retention_days
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=3650).contains(d));
    if retention.is_none() {
        c.fail("retention_days", ErrorCode::InvalidChoice);
    }
    let note = c
        .optional_text("note", note.as_deref().unwrap_or(""), 2_000)
        .unwrap_or_default();
    let system = c.line("system", &system, 255);
    let is_new = source_id.is_none();
    let s = match c.finish(|| OrgLogSource {
        // The server gives a new source its id.
        id: source_id.unwrap_or(Uuid::nil()),
        source: source.trim().to_string(),
        system,
        retention_days: retention.expect("checked"),
        note,
        active: active.as_deref().is_some_and(|v| v != "false"),
    }) {
        Ok(s) => s,
        Err(errors) => return Ok(FormResult::Invalid(errors)),
    };
    ctx::services()?
        .save_log_source(&actor, s, is_new)
        .await
        .map_err(ctx::status)
}

/// Log triage: analyse an evidence item (a log) in the background. `format`
/// empty detects it from the content.
#[server(endpoint = "evidence/analyse")]
pub async fn analyse_evidence(evidence: Uuid, format: Option<String>) -> Result<Uuid, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .analyse_evidence(&actor, evidence, format)
        .await
        .map_err(ctx::status)
}

#[server(endpoint = "evidence/analyse/cancel")]
pub async fn cancel_analysis(run: Uuid) -> Result<(), AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .cancel_analysis(&actor, run)
        .await
        .map_err(ctx::status)
}

/// Opens a task for `role` in the current phase to follow a finding up.
#[server(endpoint = "incidents/finding/task")]
pub async fn task_from_finding(
    id: String,
    finding: Uuid,
    role: String,
) -> Result<FormResult<()>, AppError> {
    use crate::api::workflow::ssr;
    use crate::domain::Role;
    use crate::domain::form::Checker;
    use crate::ports::IncidentOp;

    let mut c = Checker::default();
    let role = c.choice("role", &role, Role::from_id);
    let op = c.finish(|| IncidentOp::TaskFromFinding {
        finding,
        role: role.expect("checked"),
    });
    ssr::run(&id, op).await
}

/// Records one value a finding implicates as an observable (sighted, at
/// the incident's TLP), and marks the finding promoted.
#[server(endpoint = "incidents/finding/promote")]
pub async fn promote_finding(
    id: String,
    finding: Uuid,
    kind: String,
    value: String,
    tlp: Option<String>,
) -> Result<FormResult<()>, AppError> {
    use crate::api::workflow::ssr;
    use crate::domain::observable::ObservableForm;
    use crate::ports::IncidentOp;

    let form = ObservableForm {
        kind,
        value,
        tlp: tlp.unwrap_or_else(|| "amber".into()),
        pap: "amber".into(),
        indicator: None,
        sighted: Some("on".into()),
        confidence: String::new(),
        tags: "log-triage".into(),
        source: "log triage".into(),
        note: String::new(),
    };
    let op = form
        .validate()
        .map(|observable| IncidentOp::PromoteFinding {
            finding,
            observable,
        });
    ssr::run(&id, op).await
}

#[server(endpoint = "incidents/finding/dismiss")]
pub async fn dismiss_finding(
    id: String,
    finding: Uuid,
    reason: String,
) -> Result<FormResult<()>, AppError> {
    use crate::api::workflow::ssr;
    use crate::ports::IncidentOp;
    ssr::run(&id, Ok(IncidentOp::DismissFinding { finding, reason })).await
}
