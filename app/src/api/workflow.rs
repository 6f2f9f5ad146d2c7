//! Server functions that change an incident after its report. Each parses the
//! form into one `IncidentOp`; the backend applies it under the workflow rules.

use leptos::prelude::*;
use uuid::Uuid;

use crate::domain::AppError;
use crate::domain::form::FormResult;
use crate::domain::workspace::MyTask;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::api::ctx;
    use crate::domain::AppError;
    use crate::domain::form::{Checker, FieldError, FormResult};
    use crate::ports::IncidentOp;

    pub async fn run(
        id: &str,
        op: Result<IncidentOp, Vec<FieldError>>,
    ) -> Result<FormResult<()>, AppError> {
        let actor = ctx::actor()?;
        let op = match op {
            Ok(op) => op,
            Err(errors) => return Ok(FormResult::Invalid(errors)),
        };
        ctx::services()?
            .change_incident(&actor, id, op)
            .await
            .map_err(ctx::status)
    }

    /// An optional choice: empty means none, anything else must parse.
    pub fn optional<T>(
        c: &mut Checker,
        field: &str,
        value: Option<String>,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        c.optional_choice(field, &value.unwrap_or_default(), parse)
    }
}

/// The phase commands: `take_into_triage`, `decide`, `advance`, `close`,
/// `reopen`.
#[server(endpoint = "incidents/command")]
pub async fn incident_command(
    id: String,
    command: String,
    decision: Option<String>,
    severity: Option<String>,
    reason: Option<String>,
) -> Result<FormResult<()>, AppError> {
    use crate::domain::classification::Severity;
    use crate::domain::form::Checker;
    use crate::domain::workflow::{Command, Decision};
    use crate::domain::workspace::CommandKind;
    use crate::ports::IncidentOp;

    let mut c = Checker::default();
    let reason = reason.unwrap_or_default();
    let command = match c.choice("command", &command, CommandKind::from_id) {
        Some(CommandKind::TakeIntoTriage) => Some(Command::TakeIntoTriage),
        Some(CommandKind::Advance) => Some(Command::Advance),
        Some(CommandKind::Close) => Some(Command::Close),
        Some(CommandKind::Reopen) => Some(Command::Reopen {
            reason: c.text("reason", &reason, 10_000),
        }),
        Some(CommandKind::Decide) => {
            let decision = c.choice(
                "decision",
                decision.as_deref().unwrap_or(""),
                Decision::from_id,
            );
            let severity = c.choice(
                "severity",
                severity.as_deref().unwrap_or(""),
                Severity::from_id,
            );
            let reason = c.text("reason", &reason, 10_000);
            decision
                .zip(severity)
                .map(|(decision, severity)| Command::Decide {
                    decision,
                    severity,
                    reason,
                })
        }
        None => None,
    };
    let op = c.finish(|| IncidentOp::Command(command.expect("checked")));
    ssr::run(&id, op).await
}

#[server(endpoint = "incidents/task")]
pub async fn update_task(
    id: String,
    task: Uuid,
    status: String,
    note: Option<String>,
) -> Result<FormResult<()>, AppError> {
    use crate::domain::form::Checker;
    use crate::domain::workflow::TaskStatus;
    use crate::ports::IncidentOp;

    let mut c = Checker::default();
    let status = c.choice("status", &status, TaskStatus::from_id);
    let note = c.optional_text("note", note.as_deref().unwrap_or(""), 10_000);
    let op = c.finish(|| IncidentOp::Task {
        task,
        status: status.expect("checked"),
        note,
    });
    ssr::run(&id, op).await
}

#[server(endpoint = "incidents/task/waive")]
pub async fn waive_task(
    id: String,
    task: Uuid,
    reason: String,
) -> Result<FormResult<()>, AppError> {
    use crate::ports::IncidentOp;
    ssr::run(&id, Ok(IncidentOp::Waive { task, reason })).await
}

/// Gives a task to a person (`assignee` a user id), or takes it back (empty).
#[server(endpoint = "incidents/task/assign")]
pub async fn assign_task(
    id: String,
    task: Uuid,
    assignee: Option<String>,
) -> Result<FormResult<()>, AppError> {
    use crate::domain::form::Checker;
    use crate::ports::IncidentOp;

    let me = crate::api::ctx::actor()?.id;
    let mut c = Checker::default();
    // "me" takes the task: the page does not need to know the reader's id.
    let assignee = ssr::optional(&mut c, "assignee", assignee, |s| match s {
        "me" => Some(me),
        other => Uuid::parse_str(other).ok(),
    });
    let op = c.finish(|| IncidentOp::AssignTask { task, assignee });
    ssr::run(&id, op).await
}

/// `stages[]` repeats, one per stage reached (none: not known yet).
#[server(endpoint = "incidents/classify")]
pub async fn classify_incident(
    id: String,
    tlp: String,
    stages: Option<Vec<String>>,
    attacker: Option<String>,
    route: Option<String>,
    severity: Option<String>,
) -> Result<FormResult<()>, AppError> {
    use crate::domain::ErrorCode;
    use crate::domain::classification::{AttackRoute, AttackStage, AttackerType, Severity, Tlp};
    use crate::domain::form::Checker;
    use crate::ports::IncidentOp;

    let mut c = Checker::default();
    let tlp = c.choice("tlp", &tlp, Tlp::from_id);
    let parsed = AttackStage::parse_all(&stages.unwrap_or_default());
    if parsed.is_none() {
        c.fail("stages", ErrorCode::InvalidChoice);
    }
    let attacker = ssr::optional(&mut c, "attacker", attacker, AttackerType::from_id);
    let route = ssr::optional(&mut c, "route", route, AttackRoute::from_id);
    let severity = ssr::optional(&mut c, "severity", severity, Severity::from_id);
    let op = c.finish(|| IncidentOp::Classify {
        tlp: tlp.expect("checked"),
        stages: parsed.expect("checked"),
        attacker,
        route,
        severity,
    });
    ssr::run(&id, op).await
}

#[server(endpoint = "incidents/asset/add")]
pub async fn add_asset(
    id: String,
    asset_type: String,
    identifier: String,
    note: Option<String>,
) -> Result<FormResult<()>, AppError> {
    use crate::domain::classification::AssetType;
    use crate::domain::form::Checker;
    use crate::ports::IncidentOp;

    let mut c = Checker::default();
    let asset_type = c.choice("asset_type", &asset_type, AssetType::from_id);
    let note = c
        .optional_text("note", note.as_deref().unwrap_or(""), 2_000)
        .unwrap_or_default();
    let op = c.finish(|| IncidentOp::AddAsset {
        asset_type: asset_type.expect("checked"),
        identifier,
        note,
    });
    ssr::run(&id, op).await
}

#[server(endpoint = "incidents/asset/remove")]
pub async fn remove_asset(id: String, asset: Uuid) -> Result<FormResult<()>, AppError> {
    use crate::ports::IncidentOp;
    ssr::run(&id, Ok(IncidentOp::RemoveAsset { asset })).await
}

#[server(endpoint = "incidents/assign")]
pub async fn assign_incident(
    id: String,
    responder: Option<String>,
    officer: Option<String>,
) -> Result<FormResult<()>, AppError> {
    use crate::domain::form::Checker;
    use crate::ports::IncidentOp;

    let mut c = Checker::default();
    let responder = ssr::optional(&mut c, "responder", responder, |s| Uuid::parse_str(s).ok());
    let officer = ssr::optional(&mut c, "officer", officer, |s| Uuid::parse_str(s).ok());
    let op = c.finish(|| IncidentOp::Assign { responder, officer });
    ssr::run(&id, op).await
}

/// The decision on one measure of phase G's recurrence-prevention checklist.
#[server(endpoint = "incidents/prevention/decide")]
pub async fn decide_prevention(
    id: String,
    item: String,
    form: crate::domain::prevention::PreventionForm,
) -> Result<FormResult<()>, AppError> {
    use crate::domain::prevention::validate;
    use crate::ports::IncidentOp;

    let op = validate(&form, chrono::Utc::now().date_naive()).map(|choice| {
        IncidentOp::DecidePrevention {
            item: item.clone(),
            choice,
        }
    });
    // Each measure has its own form on the page: the errors name the measure
    // (`<item>/<field>`) so they show beside the form that was sent.
    Ok(match ssr::run(&id, op).await? {
        FormResult::Invalid(errors) => FormResult::Invalid(
            errors
                .into_iter()
                .map(|e| crate::domain::FieldError {
                    field: format!("{item}/{}", e.field),
                    code: e.code,
                })
                .collect(),
        ),
        done => done,
    })
}

#[server(endpoint = "incidents/prevention")]
pub async fn record_prevention(
    id: String,
    technical: String,
    operational: String,
) -> Result<FormResult<()>, AppError> {
    use crate::domain::form::Checker;
    use crate::ports::IncidentOp;

    let mut c = Checker::default();
    c.optional_text("technical", &technical, 20_000);
    c.optional_text("operational", &operational, 20_000);
    let op = c.finish(|| IncidentOp::Prevention {
        technical,
        operational,
    });
    ssr::run(&id, op).await
}

#[server(endpoint = "incidents/comment")]
pub async fn comment_incident(
    id: String,
    task: Option<String>,
    text: String,
    audience: Option<String>,
) -> Result<FormResult<()>, AppError> {
    use crate::domain::form::Checker;
    use crate::domain::policy::Audience;
    use crate::ports::IncidentOp;

    let mut c = Checker::default();
    let task = ssr::optional(&mut c, "task", task, |s| Uuid::parse_str(s).ok());
    let audience = ssr::optional(&mut c, "audience", audience, Audience::from_id);
    let op = c.finish(|| IncidentOp::Comment {
        task,
        text,
        audience,
    });
    ssr::run(&id, op).await
}

/// "My tasks": what the reader's roles (or assignments) have to do now.
#[server(endpoint = "tasks/mine")]
pub async fn my_tasks() -> Result<Vec<MyTask>, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?.my_tasks(&actor).await.map_err(ctx::status)
}
