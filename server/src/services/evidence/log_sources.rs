//! The organisation's log sources: which devices it has, what they record
//! and how long they keep it, against the model's recommendations.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, DatabaseConnection, EntityTrait, QueryOrder, Set, TransactionTrait,
};
use uuid::Uuid;

use app::domain::evidence::OrgLogSource;
use app::domain::form::{ErrorCode, FieldError, FormResult};
use app::domain::policy::Actor;
use playbooks::HandlingModel;

use crate::entity::log_source;
use crate::services::audit;
use crate::services::error::{ServiceError, ServiceResult};

pub(in crate::services) async fn log_sources(
    db: &DatabaseConnection,
    actor: &Actor,
) -> ServiceResult<Vec<OrgLogSource>> {
    if !app::domain::policy::may(actor, app::domain::policy::Action::SeeLogSources) {
        return Err(ServiceError::FORBIDDEN);
    }
    Ok(log_source::Entity::find()
        .order_by_asc(log_source::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|s| OrgLogSource {
            id: s.id,
            source: s.source_id,
            system: s.system,
            retention_days: s.retention_days.max(0) as u32,
            note: s.note,
            active: s.active,
        })
        .collect())
}

pub(in crate::services) async fn save_log_source(
    db: &DatabaseConnection,
    model: &HandlingModel,
    actor: &Actor,
    s: OrgLogSource,
    is_new: bool,
) -> ServiceResult<FormResult<()>> {
    if !app::domain::policy::may(actor, app::domain::policy::Action::ManageLogSources) {
        return Err(ServiceError::FORBIDDEN);
    }
    let mut errors = Vec::new();
    if model.log_source(&s.source).is_none() {
        errors.push(FieldError {
            field: "source".into(),
            code: ErrorCode::InvalidChoice,
        });
    }
    let system = s.system.trim().to_string();
    if system.is_empty() {
        errors.push(FieldError {
            field: "system".into(),
            code: ErrorCode::Required,
        });
    }
    if !errors.is_empty() {
        return Ok(FormResult::Invalid(errors));
    }
    let now = Utc::now();
    let mut s = s;
    if is_new {
        s.id = Uuid::new_v4();
    }
    let txn = db.begin().await?;
    if is_new {
        log_source::ActiveModel {
            id: Set(s.id),
            source_id: Set(s.source.clone()),
            system: Set(system.clone()),
            retention_days: Set(s.retention_days as i32),
            note: Set(s.note.trim().into()),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
    } else {
        let found = log_source::Entity::find_by_id(s.id)
            .one(&txn)
            .await?
            .ok_or(ServiceError::NOT_FOUND)?;
        let mut m: log_source::ActiveModel = found.into();
        m.source_id = Set(s.source.clone());
        m.system = Set(system.clone());
        m.retention_days = Set(s.retention_days as i32);
        m.note = Set(s.note.trim().into());
        m.active = Set(s.active);
        m.updated_at = Set(now);
        m.update(&txn).await?;
    }
    audit::record(
        &txn,
        Some(actor.id),
        if is_new {
            "log_source_declared"
        } else {
            "log_source_changed"
        },
        "log_source",
        s.id,
        serde_json::json!({
            "source": s.source, "system": system,
            "retention_days": s.retention_days, "active": s.active || is_new,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(FormResult::Done(()))
}
