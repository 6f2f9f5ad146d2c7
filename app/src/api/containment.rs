//! Server functions for containment: proposing a catalogue measure against
//! an asset of the incident, the steps of its life, and the notifications
//! that go with them.

use leptos::prelude::*;
use uuid::Uuid;

use crate::domain::AppError;
use crate::domain::form::FormResult;
use crate::domain::workspace::NotificationView;

/// A form checkbox: present (any value but "false") means ticked.
#[cfg(feature = "ssr")]
fn ticked(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|v| v != "false")
}

/// Proposes `measure` (a catalogue id) against `asset`. With `emergency`
/// ticked, the officer executes it at once with a `justification`.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "incidents/containment/propose")]
pub async fn propose_containment(
    id: String,
    measure: String,
    asset: Option<String>,
    reason: String,
    expected_effect: String,
    emergency: Option<String>,
    justification: Option<String>,
    confirm_evidence: Option<String>,
) -> Result<FormResult<()>, AppError> {
    use crate::domain::form::{Checker, ErrorCode};
    use crate::ports::{EmergencyNow, IncidentOp};

    let mut c = Checker::default();
    let measure = c.text("measure", &measure, 64);
    let asset = match asset.as_deref().map(str::trim).unwrap_or("") {
        "" => {
            c.fail("asset", ErrorCode::Required);
            None
        }
        a => {
            let parsed = Uuid::parse_str(a).ok();
            if parsed.is_none() {
                c.fail("asset", ErrorCode::InvalidChoice);
            }
            parsed
        }
    };
    let reason = c.text("reason", &reason, 10_000);
    let expected_effect = c.text("expected_effect", &expected_effect, 10_000);
    let emergency = ticked(&emergency).then(|| EmergencyNow {
        justification: c.text(
            "justification",
            justification.as_deref().unwrap_or(""),
            10_000,
        ),
        evidence_confirmed: ticked(&confirm_evidence),
    });
    let op = c.finish(|| IncidentOp::Propose {
        measure,
        asset: asset.expect("checked"),
        reason,
        expected_effect,
        emergency,
    });
    super::workflow::ssr::run(&id, op).await
}

/// One step on a measure: `approve`, `reject`, `withdraw`, `emergency`,
/// `execute`, `verify`, `lift`, `make_permanent`. `note` carries the
/// rationale, reason, justification or note the step needs; `effective`
/// ("true"/"false") the outcome of a verification; `confirm_evidence` the
/// explicit confirmation a measure that destroys evidence needs.
#[server(endpoint = "incidents/containment/step")]
pub async fn containment_step(
    id: String,
    measure: Uuid,
    step: String,
    note: Option<String>,
    effective: Option<String>,
    confirm_evidence: Option<String>,
) -> Result<FormResult<()>, AppError> {
    use crate::domain::containment::{Step, StepKind};
    use crate::domain::form::Checker;
    use crate::ports::IncidentOp;

    let mut c = Checker::default();
    let kind = c.choice("step", &step, StepKind::from_id);
    let note = c
        .optional_text("note", note.as_deref().unwrap_or(""), 10_000)
        .unwrap_or_default();
    let effective = match effective.as_deref().unwrap_or("") {
        "" | "true" => true,
        "false" => false,
        _ => {
            c.fail("effective", crate::domain::form::ErrorCode::InvalidChoice);
            true
        }
    };
    let confirmed = ticked(&confirm_evidence);
    let op = c.finish(|| {
        let step = match kind.expect("checked") {
            StepKind::Approve => Step::Approve {
                rationale: note,
                evidence_confirmed: confirmed,
            },
            StepKind::Reject => Step::Reject { rationale: note },
            StepKind::Withdraw => Step::Withdraw { reason: note },
            StepKind::Emergency => Step::Emergency {
                justification: note,
                evidence_confirmed: confirmed,
            },
            StepKind::Execute => Step::Execute { note },
            StepKind::Verify => Step::Verify { effective, note },
            StepKind::Lift => Step::Lift { reason: note },
            StepKind::MakePermanent => Step::MakePermanent { note },
        };
        IncidentOp::Containment { measure, step }
    });
    super::workflow::ssr::run(&id, op).await
}

#[server(endpoint = "notifications")]
pub async fn notifications() -> Result<Vec<NotificationView>, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .notifications(&actor)
        .await
        .map_err(ctx::status)
}

/// The number on the header's badge; 0 when signed out.
#[server(endpoint = "notifications/unread")]
pub async fn unread_notifications() -> Result<u64, AppError> {
    use crate::api::ctx;
    let Some(actor) = ctx::current() else {
        return Ok(0);
    };
    ctx::services()?
        .unread_notifications(&actor)
        .await
        .map_err(ctx::status)
}

#[server(endpoint = "notifications/read")]
pub async fn mark_notifications_read() -> Result<(), AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .mark_notifications_read(&actor)
        .await
        .map_err(ctx::status)
}
