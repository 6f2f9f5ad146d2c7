//! The phase commands: into triage, the first-response decision, advancing,
//! closing and reopening, under the rules of `app::domain::workflow`, with
//! the phase history (`incident_phase`) and the time targets they set.

use app::domain::event::EventKind;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set,
};
use uuid::Uuid;

use app::domain::Phase;
use app::domain::classification::Severity;
use app::domain::policy::Actor;
use app::domain::targets::due;
use app::domain::workflow::{self, CloseReason, Command, Facts, Status, TaskStatus};
use playbooks::HandlingModel;

use super::error::ServiceResult;
use super::kernel::event;
use super::timeline::detail;
use crate::entity::{incident, incident_phase, task};

pub(super) fn set_severity(
    m: &mut incident::ActiveModel,
    model: &HandlingModel,
    reported: DateTime<Utc>,
    severity: Option<Severity>,
) {
    let def = severity.and_then(|s| model.severity(s.id()));
    m.severity = Set(severity.map(|s| s.id().into()));
    m.triage_due_at = Set(def.map(|d| due(reported, d.triage_minutes)));
    m.response_due_at = Set(def.map(|d| due(reported, d.first_response_minutes)));
}

pub(super) async fn command(
    txn: &DatabaseTransaction,
    model: &HandlingModel,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    c: Command,
) -> ServiceResult<()> {
    let outcome = workflow::check(&actor.roles, f, &c)?;
    let now = Utc::now();
    let mut m: incident::ActiveModel = inc.clone().into();
    let mut d = detail([
        ("phase.before", f.phase.id().into()),
        ("phase.after", outcome.phase.id().into()),
        ("status.before", f.status.id().into()),
        ("status.after", outcome.status.id().into()),
    ]);
    let kind = match &c {
        Command::TakeIntoTriage => EventKind::TakenIntoTriage,
        Command::Advance => EventKind::PhaseAdvanced,
        Command::Close => EventKind::Closed,
        Command::Reopen { reason } => {
            d.insert("reason".into(), reason.trim().into());
            EventKind::Reopened
        }
        Command::Decide {
            decision,
            severity,
            reason,
        } => {
            d.insert("decision".into(), decision.id().into());
            d.insert("severity".into(), severity.id().into());
            d.insert("reason".into(), reason.trim().into());
            m.decision = Set(Some(decision.id().into()));
            m.decision_reason = Set(Some(reason.trim().into()));
            set_severity(&mut m, model, inc.created_at, Some(*severity));
            finish_action(txn, inc, actor, "b.decide_first_response", reason.trim()).await?;
            EventKind::FirstResponseDecided
        }
    };
    if outcome.phase != f.phase {
        m.phase = Set(outcome.phase.id().into());
        leave_phase(txn, inc.id, f.phase, now).await?;
        enter_phase(txn, inc.id, outcome.phase, now).await?;
        match f.phase {
            Phase::B => m.triaged_at = Set(Some(now)),
            Phase::C => m.responded_at = Set(Some(now)),
            _ => {}
        }
    }
    if outcome.status != f.status {
        m.status = Set(outcome.status.id().into());
        match outcome.status {
            Status::Closed => {
                m.closed_at = Set(Some(now));
                m.close_reason = Set(outcome.close_reason.map(|r| r.id().into()));
                if outcome.close_reason == Some(CloseReason::NotAnIncident) {
                    m.triaged_at = Set(Some(now));
                }
                leave_phase(txn, inc.id, f.phase, now).await?;
            }
            Status::Open => {
                m.closed_at = Set(None);
                m.close_reason = Set(None);
                enter_phase(txn, inc.id, f.phase, now).await?;
            }
        }
    }
    m.updated_at = Set(now);
    m.update(txn).await?;
    if matches!(c, Command::TakeIntoTriage) {
        super::evidence::generate_checklist(txn, model, inc).await?;
    }
    event(txn, inc, actor, kind, None, d).await
}

async fn leave_phase(
    conn: &impl ConnectionTrait,
    id: Uuid,
    phase: Phase,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    incident_phase::Entity::update_many()
        .col_expr(
            incident_phase::Column::LeftAt,
            sea_orm::sea_query::Expr::value(Some(now)),
        )
        .filter(incident_phase::Column::IncidentId.eq(id))
        .filter(incident_phase::Column::Phase.eq(phase.id()))
        .filter(incident_phase::Column::LeftAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn enter_phase(
    conn: &impl ConnectionTrait,
    id: Uuid,
    phase: Phase,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    incident_phase::ActiveModel {
        incident_id: Set(id),
        phase: Set(phase.id().into()),
        entered_at: Set(now),
        left_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Marks a playbook action done as a side effect of the command that
/// delivers it (the decision in B delivers `b.decide_first_response`).
async fn finish_action(
    txn: &DatabaseTransaction,
    inc: &incident::Model,
    actor: &Actor,
    action_id: &str,
    note: &str,
) -> ServiceResult<()> {
    let Some(t) = task::Entity::find()
        .filter(task::Column::IncidentId.eq(inc.id))
        .filter(task::Column::ActionId.eq(action_id))
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    let now = Utc::now();
    let mut m: task::ActiveModel = t.into();
    m.status = Set(TaskStatus::Done.id().into());
    m.output_note = Set(Some(note.to_string()));
    m.done_by = Set(Some(actor.id));
    m.done_at = Set(Some(now));
    m.updated_at = Set(now);
    m.update(txn).await?;
    Ok(())
}
