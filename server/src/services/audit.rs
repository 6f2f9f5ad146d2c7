//! The audit trail: one row for every change, written in the same transaction
//! as the change itself, and sealed in the integrity ledger with it (so a
//! changed or deleted audit row is named by `hikeshi audit verify`).

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};
use uuid::Uuid;

use crate::entity::audit_log;

pub async fn record(
    conn: &impl ConnectionTrait,
    actor: Option<Uuid>,
    action: &str,
    entity: &str,
    entity_id: impl ToString,
    detail: serde_json::Value,
) -> Result<(), DbErr> {
    let id = Uuid::new_v4();
    audit_log::ActiveModel {
        id: Set(id),
        at: Set(Utc::now()),
        actor_id: Set(actor),
        action: Set(action.to_string()),
        entity: Set(entity.to_string()),
        entity_id: Set(entity_id.to_string()),
        detail: Set(detail.to_string()),
    }
    .insert(conn)
    .await?;
    crate::integrity::seal(conn, crate::integrity::Covered::Audit(id)).await
}
