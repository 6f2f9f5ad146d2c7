//! A task's progress, waiver and assignee, under the task rules of
//! `app::domain::workflow` (who works which role's tasks, in which phase).

use app::domain::event::EventKind;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use app::domain::policy::Actor;
use app::domain::workflow::{self, Facts, Refusal, TaskChange, TaskStatus};
use app::domain::{Phase, Role};

use super::accounts::person;
use super::error::{OrCorrupt, ServiceError, ServiceResult};
use super::kernel::{event, find_task};
use super::timeline::detail;
use crate::entity::{incident, task};

pub(super) async fn progress(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    id: Uuid,
    status: TaskStatus,
    note: Option<String>,
) -> ServiceResult<()> {
    let t = find_task(txn, inc, id).await?;
    let role = Role::from_id(&t.role).or_corrupt("task.role")?;
    let phase = Phase::from_id(&t.phase).or_corrupt("task.phase")?;
    let is_assignee = t.assignee_id == Some(actor.id);
    workflow::may_change_task(
        &actor.roles,
        is_assignee,
        role,
        phase,
        f,
        TaskChange::Progress,
    )?;
    if status == TaskStatus::Waived {
        // Waiving has its own path, with its own permission and a reason.
        return Err(Refusal::Role.into());
    }
    // A task whose prerequisites are unfinished waits for them.
    let def: playbooks::ActionDef = serde_json::from_str(&t.definition)
        .map_err(|_| ServiceError::Corrupt("task definition"))?;
    if !def.depends_on.is_empty() {
        let all = task::Entity::find()
            .filter(task::Column::IncidentId.eq(inc.id))
            .all(txn)
            .await?;
        let progress = task_progress(&all);
        let waiting = workflow::waiting_on(&def.depends_on, &progress, f.phase).len();
        workflow::may_start(status, waiting)?;
    }
    let before = t.status.clone();
    let action_id = t.action_id.clone();
    let now = Utc::now();
    let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    let mut m: task::ActiveModel = t.into();
    m.status = Set(status.id().into());
    if note.is_some() {
        m.output_note = Set(note.clone());
    }
    let done = status == TaskStatus::Done;
    m.done_by = Set(done.then_some(actor.id));
    m.done_at = Set(done.then_some(now));
    m.waive_reason = Set(None);
    m.updated_at = Set(now);
    m.update(txn).await?;
    let d = detail([
        ("task", action_id),
        ("status.before", before),
        ("status.after", status.id().into()),
        ("note", note.unwrap_or_default()),
    ]);
    event(txn, inc, actor, EventKind::TaskUpdated, Some(id), d).await
}

pub(super) async fn waive(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    id: Uuid,
    reason: String,
) -> ServiceResult<()> {
    let t = find_task(txn, inc, id).await?;
    let role = Role::from_id(&t.role).or_corrupt("task.role")?;
    let phase = Phase::from_id(&t.phase).or_corrupt("task.phase")?;
    workflow::may_change_task(&actor.roles, false, role, phase, f, TaskChange::Waive)?;
    let reason = workflow::validate_waive_reason(&reason).map_err(ServiceError::Fields)?;
    let before = t.status.clone();
    let action_id = t.action_id.clone();
    let mut m: task::ActiveModel = t.into();
    m.status = Set(TaskStatus::Waived.id().into());
    m.waive_reason = Set(Some(reason.clone()));
    m.done_by = Set(Some(actor.id));
    m.done_at = Set(Some(Utc::now()));
    m.updated_at = Set(Utc::now());
    m.update(txn).await?;
    let d = detail([
        ("task", action_id),
        ("status.before", before),
        ("status.after", TaskStatus::Waived.id().into()),
        ("reason", reason),
    ]);
    event(txn, inc, actor, EventKind::TaskWaived, Some(id), d).await
}

pub(super) async fn assign(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    id: Uuid,
    assignee: Option<Uuid>,
) -> ServiceResult<()> {
    let t = find_task(txn, inc, id).await?;
    let role = Role::from_id(&t.role).or_corrupt("task.role")?;
    workflow::may_assign_task(&actor.roles, role, assignee == Some(actor.id), f)?;
    // Only someone who may work the task can be given it.
    let name = person(txn, assignee, "assignee", |rs| {
        app::domain::policy::roles::may_be_given_task(rs, role)
    })
    .await?;
    let action_id = t.action_id.clone();
    let mut m: task::ActiveModel = t.into();
    m.assignee_id = Set(assignee);
    m.updated_at = Set(Utc::now());
    m.update(txn).await?;
    let d = detail([("task", action_id), ("assignee", name)]);
    event(txn, inc, actor, EventKind::TaskAssigned, Some(id), d).await
}

/// Each task's (action id, phase, status), what `workflow::waiting_on` reads.
pub(super) fn task_progress(tasks: &[task::Model]) -> Vec<(&str, Phase, TaskStatus)> {
    tasks
        .iter()
        .filter_map(|t| {
            Some((
                t.action_id.as_str(),
                Phase::from_id(&t.phase)?,
                TaskStatus::from_id(&t.status)?,
            ))
        })
        .collect()
}
