//! The assets an incident concerns (hosts, accounts, segments, services):
//! what containment is proposed against and what the evidence checklist is
//! generated from.

use app::domain::event::EventKind;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use app::domain::Phase;
use app::domain::classification::{AssetType, ValidAsset, validate_asset};
use app::domain::policy::Actor;
use app::domain::workflow::{self, Edit, Facts};
use playbooks::HandlingModel;

use super::error::{ServiceError, ServiceResult};
use super::kernel::event;
use super::timeline::detail;
use crate::entity::{asset, incident};

#[allow(clippy::too_many_arguments)]
pub(super) async fn add(
    txn: &DatabaseTransaction,
    model: &HandlingModel,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    asset_type: AssetType,
    identifier: String,
    note: String,
) -> ServiceResult<()> {
    workflow::may_edit(&actor.roles, f, &Edit::Asset)?;
    let ValidAsset { identifier, note } =
        validate_asset(&identifier, &note).map_err(ServiceError::Fields)?;
    asset::ActiveModel {
        id: Set(Uuid::new_v4()),
        incident_id: Set(inc.id),
        asset_type: Set(asset_type.id().into()),
        identifier: Set(identifier.clone()),
        note: Set(note.clone()),
        created_at: Set(Utc::now()),
    }
    .insert(txn)
    .await?;
    let d = detail([
        ("type", asset_type.id().into()),
        ("identifier", identifier),
        ("note", note),
    ]);
    event(txn, inc, actor, EventKind::AssetAdded, None, d).await?;
    // A new asset may need more logs preserved (once triaged).
    if f.phase != Phase::A {
        super::evidence::generate_checklist(txn, model, inc).await?;
    }
    Ok(())
}

pub(super) async fn remove(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    asset: Uuid,
) -> ServiceResult<()> {
    workflow::may_edit(&actor.roles, f, &Edit::Asset)?;
    let a = asset::Entity::find_by_id(asset)
        .filter(asset::Column::IncidentId.eq(inc.id))
        .one(txn)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    asset::Entity::delete_by_id(a.id).exec(txn).await?;
    let d = detail([("type", a.asset_type), ("identifier", a.identifier)]);
    event(txn, inc, actor, EventKind::AssetRemoved, None, d).await
}
