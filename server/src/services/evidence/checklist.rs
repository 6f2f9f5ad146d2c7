//! Each incident's evidence-preservation checklist: generated at triage and
//! as assets are added, from the log sources that cover them, with the date
//! each log rotates away; an item is satisfied by registered evidence or
//! waived with a reason.

use app::domain::event::EventKind;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use app::domain::AppError;
use app::domain::classification::AssetType;
use app::domain::evidence::{self as rules, ChecklistStatus, Declared, SourceRule};
use app::domain::policy::Actor;
use app::domain::workflow::{Facts, Refusal, Status};
use playbooks::HandlingModel;

use crate::entity::{asset, checklist_item, incident, log_source};
use crate::services::error::{ServiceError, ServiceResult};
use crate::services::kernel::event;
use crate::services::timeline::detail;

/// Adds the checklist items the incident needs and does not have yet: one
/// per active declared source that applies to its kind or assets. Run when
/// the incident is taken into triage and whenever an asset is added later.
pub(in crate::services) async fn generate_checklist(
    txn: &DatabaseTransaction,
    model: &HandlingModel,
    inc: &incident::Model,
) -> Result<usize, sea_orm::DbErr> {
    let declared: Vec<log_source::Model> = log_source::Entity::find()
        .filter(log_source::Column::Active.eq(true))
        .order_by_asc(log_source::Column::CreatedAt)
        .all(txn)
        .await?;
    let assets: Vec<AssetType> = asset::Entity::find()
        .filter(asset::Column::IncidentId.eq(inc.id))
        .all(txn)
        .await?
        .iter()
        .filter_map(|a| AssetType::from_id(&a.asset_type))
        .collect();
    let have: Vec<Uuid> = checklist_item::Entity::find()
        .filter(checklist_item::Column::IncidentId.eq(inc.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|c| c.log_source_id)
        .collect();
    let catalogue: Vec<SourceRule<'_>> = model
        .log_sources
        .iter()
        .map(|s| SourceRule {
            id: &s.id,
            kinds: &s.kinds,
            assets: &s.assets,
        })
        .collect();
    let plain: Vec<Declared> = declared
        .iter()
        .map(|d| Declared {
            id: d.id,
            source: d.source_id.clone(),
            retention_days: d.retention_days.max(0) as u32,
        })
        .collect();
    let now = Utc::now();
    let mut added = 0;
    for d in rules::needed(&inc.kind, &assets, &catalogue, &plain) {
        if have.contains(&d.id) {
            continue;
        }
        if model.log_source(&d.source).is_none() {
            continue;
        }
        let system = declared
            .iter()
            .find(|x| x.id == d.id)
            .map(|x| x.system.clone())
            .unwrap_or_default();
        let start = rules::window_start(inc.noticed_at, model.preservation_margin_days);
        checklist_item::ActiveModel {
            id: Set(Uuid::new_v4()),
            incident_id: Set(inc.id),
            log_source_id: Set(d.id),
            source_id: Set(d.source.clone()),
            system: Set(system),
            window_start: Set(start),
            deadline: Set(rules::deadline(start, d.retention_days)),
            retention_days: Set(d.retention_days as i32),
            status: Set(ChecklistStatus::Open.id().into()),
            evidence_id: Set(None),
            waive_reason: Set(None),
            settled_by: Set(None),
            settled_at: Set(None),
            created_at: Set(now),
            deadline_mailed_at: Set(None),
        }
        .insert(txn)
        .await?;
        added += 1;
    }
    Ok(added)
}

pub(in crate::services) async fn waive_item(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    item: Uuid,
    reason: String,
) -> ServiceResult<()> {
    if !app::domain::policy::roles::may_waive_checklist(&actor.roles) {
        return Err(Refusal::Role.into());
    }
    if f.status == Status::Closed {
        return Err(Refusal::NotNow.into());
    }
    let reason =
        app::domain::workflow::validate_waive_reason(&reason).map_err(ServiceError::Fields)?;
    let c = checklist_item::Entity::find_by_id(item)
        .filter(checklist_item::Column::IncidentId.eq(inc.id))
        .one(txn)
        .await?
        .ok_or(ServiceError::App(AppError::NotFound))?;
    if c.status != ChecklistStatus::Open.id() {
        return Err(Refusal::NotNow.into());
    }
    let system = c.system.clone();
    let source = c.source_id.clone();
    let mut m: checklist_item::ActiveModel = c.into();
    m.status = Set(ChecklistStatus::Waived.id().into());
    m.waive_reason = Set(Some(reason.clone()));
    m.settled_by = Set(Some(actor.id));
    m.settled_at = Set(Some(Utc::now()));
    m.update(txn).await?;
    let d = detail([("source", source), ("system", system), ("reason", reason)]);
    event(txn, inc, actor, EventKind::ChecklistWaived, None, d).await
}
