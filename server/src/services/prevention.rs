//! Phase G's recurrence-prevention checklist: the playbook's measures for
//! the incident's kind, each with its decision (`prevention_decisions`).
//! A measure the playbooks no longer offer keeps its recorded decision on
//! the page but counts for nothing.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use app::domain::event::EventKind;
use app::domain::policy::Actor;
use app::domain::prevention::{PreventionChoice, PreventionDecision, PreventionView};
use app::domain::workflow::{self, Edit, Facts};
use playbooks::HandlingModel;

use super::error::{ServiceError, ServiceResult};
use super::kernel::event;
use super::timeline::detail;
use crate::entity::prevention_decision as row;
use crate::entity::{incident, user};

/// How many measures offered to the incident are not decided yet.
pub async fn undecided(
    conn: &impl ConnectionTrait,
    model: &HandlingModel,
    inc: &incident::Model,
) -> ServiceResult<usize> {
    let offered: Vec<&str> = model
        .prevention_for_kind(&inc.kind)
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    let decided = row::Entity::find()
        .filter(row::Column::IncidentId.eq(inc.id))
        .all(conn)
        .await?;
    Ok(offered
        .iter()
        .filter(|id| !decided.iter().any(|d| d.prevention_id == **id))
        .count())
}

/// Records (or takes back) the decision on one measure. The owner of a
/// scheduled measure is an active handler; the measure one the playbooks
/// offer to this incident's kind.
pub(super) async fn decide(
    txn: &DatabaseTransaction,
    model: &HandlingModel,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    item: String,
    choice: PreventionChoice,
) -> ServiceResult<()> {
    workflow::may_edit(&actor.roles, f, &Edit::Prevention)?;
    if item == ALL_UNDECIDED {
        return decide_rest(txn, model, actor, inc, choice).await;
    }
    let def = model
        .prevention_item(&item)
        .filter(|d| d.applies_to(&inc.kind))
        .ok_or(ServiceError::NOT_FOUND)?;
    let owner_name = match &choice {
        PreventionChoice::Scheduled { owner, .. } => Some(
            super::accounts::person(
                txn,
                Some(*owner),
                "owner",
                app::domain::policy::roles::is_handler,
            )
            .await?,
        ),
        _ => None,
    };
    let existing = row::Entity::find()
        .filter(row::Column::IncidentId.eq(inc.id))
        .filter(row::Column::PreventionId.eq(def.id.as_str()))
        .one(txn)
        .await?;
    let before = existing
        .as_ref()
        .map(|e| e.decision.clone())
        .unwrap_or_else(|| "undecided".into());
    let Some(decision) = choice.decision() else {
        if let Some(e) = existing {
            row::Entity::delete_by_id(e.id).exec(txn).await?;
        } else {
            return Ok(());
        }
        let d = detail([
            ("prevention", def.id.clone()),
            ("decision.before", before),
            ("decision.after", "undecided".into()),
        ]);
        return event(txn, inc, actor, EventKind::PreventionDecided, None, d).await;
    };
    let (owner, due) = match &choice {
        PreventionChoice::Scheduled { owner, due, .. } => (Some(*owner), Some(*due)),
        _ => (None, None),
    };
    let now = Utc::now();
    let text = choice.text().to_string();
    match existing {
        Some(e) => {
            let mut m: row::ActiveModel = e.into();
            m.decision = Set(decision.id().into());
            m.reason = Set(text.clone());
            m.owner_id = Set(owner);
            m.due_on = Set(due);
            m.decided_by = Set(actor.id);
            m.decided_at = Set(now);
            m.update(txn).await?;
        }
        None => {
            row::ActiveModel {
                id: Set(Uuid::new_v4()),
                incident_id: Set(inc.id),
                prevention_id: Set(def.id.clone()),
                decision: Set(decision.id().into()),
                reason: Set(text.clone()),
                owner_id: Set(owner),
                due_on: Set(due),
                decided_by: Set(actor.id),
                decided_at: Set(now),
            }
            .insert(txn)
            .await?;
        }
    }
    let d = detail([
        ("prevention", def.id.clone()),
        ("decision.before", before),
        ("decision.after", decision.id().into()),
        ("note", text),
        ("owner", owner_name.unwrap_or_default()),
        ("due", due.map(|d| d.to_string()).unwrap_or_default()),
    ]);
    event(txn, inc, actor, EventKind::PreventionDecided, None, d).await
}

/// The item name that decides every measure still undecided at once (e.g.
/// reject the rest, "not applicable to us", with one reason).
pub const ALL_UNDECIDED: &str = "*";

async fn decide_rest(
    txn: &DatabaseTransaction,
    model: &HandlingModel,
    actor: &Actor,
    inc: &incident::Model,
    choice: PreventionChoice,
) -> ServiceResult<()> {
    let Some(decision) = choice.decision() else {
        // Taking back every decision at once is not offered.
        return Err(ServiceError::field(
            "decision",
            app::domain::ErrorCode::InvalidChoice,
        ));
    };
    let (owner, due, owner_name) = match &choice {
        PreventionChoice::Scheduled { owner, due, .. } => {
            let name = super::accounts::person(
                txn,
                Some(*owner),
                "owner",
                app::domain::policy::roles::is_handler,
            )
            .await?;
            (Some(*owner), Some(*due), name)
        }
        _ => (None, None, String::new()),
    };
    let decided: Vec<String> = row::Entity::find()
        .filter(row::Column::IncidentId.eq(inc.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|r| r.prevention_id)
        .collect();
    let now = Utc::now();
    let text = choice.text().to_string();
    let rest: Vec<row::ActiveModel> = model
        .prevention_for_kind(&inc.kind)
        .into_iter()
        .filter(|d| !decided.contains(&d.id))
        .map(|d| row::ActiveModel {
            id: Set(Uuid::new_v4()),
            incident_id: Set(inc.id),
            prevention_id: Set(d.id.clone()),
            decision: Set(decision.id().into()),
            reason: Set(text.clone()),
            owner_id: Set(owner),
            due_on: Set(due),
            decided_by: Set(actor.id),
            decided_at: Set(now),
        })
        .collect();
    let count = rest.len();
    if count == 0 {
        return Ok(());
    }
    row::Entity::insert_many(rest).exec(txn).await?;
    let d = detail([
        ("prevention", ALL_UNDECIDED.into()),
        ("count", count.to_string()),
        ("decision.after", decision.id().into()),
        ("note", text),
        ("owner", owner_name),
        ("due", due.map(|d| d.to_string()).unwrap_or_default()),
    ]);
    event(txn, inc, actor, EventKind::PreventionDecided, None, d).await
}

/// The checklist as the incident page shows it: every measure offered to
/// the kind, in the playbook's order, with its decision.
pub async fn views(
    db: &DatabaseConnection,
    model: &HandlingModel,
    inc: &incident::Model,
) -> ServiceResult<Vec<PreventionView>> {
    let rows = row::Entity::find()
        .filter(row::Column::IncidentId.eq(inc.id))
        .all(db)
        .await?;
    let mut ids: Vec<Uuid> = rows
        .iter()
        .flat_map(|r| [Some(r.decided_by), r.owner_id])
        .flatten()
        .collect();
    ids.sort();
    ids.dedup();
    let names: HashMap<Uuid, String> = if ids.is_empty() {
        HashMap::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect()
    };
    let today = Utc::now().date_naive();
    Ok(model
        .prevention_for_kind(&inc.kind)
        .into_iter()
        .map(|def| {
            let r = rows.iter().find(|r| r.prevention_id == def.id);
            let decision = r.and_then(|r| PreventionDecision::from_id(&r.decision));
            let due_on = r.and_then(|r| r.due_on);
            PreventionView {
                def: def.clone(),
                decision,
                note: r.map(|r| r.reason.clone()).unwrap_or_default(),
                owner: r
                    .and_then(|r| r.owner_id)
                    .and_then(|o| names.get(&o).cloned()),
                due_on,
                decided_by: r.and_then(|r| names.get(&r.decided_by).cloned()),
                decided_at: r.map(|r| r.decided_at),
                overdue: decision == Some(PreventionDecision::Scheduled)
                    && due_on.is_some_and(|d| d < today),
            }
        })
        .collect())
}
