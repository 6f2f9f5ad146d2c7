//! Phase G's recurrence-prevention checklist: the playbook's measures for
//! the incident's kind, each with its decision (`prevention_decisions`).
//! A measure the playbooks no longer offer keeps its recorded decision on
//! the page but counts for nothing.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, Set,
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
    let decided = Decided::of(txn, &choice).await?;
    let decisions = row::Entity::find()
        .filter(row::Column::IncidentId.eq(inc.id))
        .all(txn)
        .await?;
    let (targets, before) = if item == ALL_UNDECIDED {
        // Taking back every decision at once is not offered.
        if decided.is_none() {
            return Err(ServiceError::field(
                "decision",
                app::domain::ErrorCode::InvalidChoice,
            ));
        }
        let open: Vec<String> = model
            .prevention_for_kind(&inc.kind)
            .into_iter()
            .filter(|d| !decisions.iter().any(|r| r.prevention_id == d.id))
            .map(|d| d.id.clone())
            .collect();
        (open, None)
    } else {
        let def = model
            .prevention_item(&item)
            .filter(|d| d.applies_to(&inc.kind))
            .ok_or(ServiceError::NOT_FOUND)?;
        let existing = decisions.iter().find(|r| r.prevention_id == def.id);
        if let Some(e) = existing {
            row::Entity::delete_by_id(e.id).exec(txn).await?;
        } else if decided.is_none() {
            return Ok(());
        }
        let before = existing.map_or("undecided", |e| e.decision.as_str());
        (vec![def.id.clone()], Some(before.to_string()))
    };
    if targets.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let mut d = detail([(
        "prevention",
        if item == ALL_UNDECIDED {
            item.clone()
        } else {
            targets[0].clone()
        },
    )]);
    if let Some(before) = before {
        d.insert("decision.before".into(), before);
    }
    match &decided {
        None => {
            d.insert("decision.after".into(), "undecided".into());
        }
        Some(x) => {
            let rows: Vec<row::ActiveModel> = targets
                .iter()
                .map(|id| row::ActiveModel {
                    id: Set(Uuid::new_v4()),
                    incident_id: Set(inc.id),
                    prevention_id: Set(id.clone()),
                    decision: Set(x.decision.id().into()),
                    reason: Set(x.text.clone()),
                    owner_id: Set(x.owner),
                    due_on: Set(x.due),
                    decided_by: Set(actor.id),
                    decided_at: Set(now),
                })
                .collect();
            row::Entity::insert_many(rows).exec(txn).await?;
            if item == ALL_UNDECIDED {
                d.insert("count".into(), targets.len().to_string());
            }
            d.insert("decision.after".into(), x.decision.id().into());
            d.insert("note".into(), x.text.clone());
            d.insert("owner".into(), x.owner_name.clone());
            d.insert(
                "due".into(),
                x.due.map(|d| d.to_string()).unwrap_or_default(),
            );
        }
    }
    event(txn, inc, actor, EventKind::PreventionDecided, None, d).await
}

/// The item name that decides every measure still undecided at once (e.g.
/// "in place already" for the rest, with one note).
pub const ALL_UNDECIDED: &str = "*";

/// A decision as stored, with the owner's name for the timeline; `None`
/// for taking one back.
struct Decided {
    decision: PreventionDecision,
    text: String,
    owner: Option<Uuid>,
    due: Option<chrono::NaiveDate>,
    owner_name: String,
}

impl Decided {
    async fn of(
        txn: &DatabaseTransaction,
        choice: &PreventionChoice,
    ) -> ServiceResult<Option<Self>> {
        let Some(decision) = choice.decision() else {
            return Ok(None);
        };
        let (owner, due) = match choice {
            PreventionChoice::Scheduled { owner, due, .. } => (Some(*owner), Some(*due)),
            _ => (None, None),
        };
        let owner_name =
            super::accounts::person(txn, owner, "owner", app::domain::policy::roles::is_handler)
                .await?;
        Ok(Some(Decided {
            decision,
            text: choice.text().to_string(),
            owner,
            due,
            owner_name,
        }))
    }
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
