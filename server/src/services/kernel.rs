//! What every incident service stands on: finding the incident the reader
//! may see, what the policy needs to know about it, a named task inside it,
//! and appending the change's timeline event. It imports no other service
//! but the timeline, so every service can import it without a circle.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set,
};
use uuid::Uuid;

use app::domain::event::EventKind;
use app::domain::policy::{
    Access, Actor, IncidentFacts, Visibility, access, incident_visibility, may_view_incident,
};
use app::domain::workspace::NotificationKind;

use super::error::{ServiceError, ServiceResult};
use super::timeline::{self, Detail};
use crate::entity::{incident, notification, task};

/// Refuses an action the policy does not give the actor.
pub(super) fn require(actor: &Actor, action: app::domain::policy::Action) -> ServiceResult<()> {
    if app::domain::policy::may(actor, action) {
        Ok(())
    } else {
        Err(ServiceError::FORBIDDEN)
    }
}

/// Finds a visible incident by human id; invisible looks like missing.
pub async fn visible_incident(
    db: &impl ConnectionTrait,
    actor: &Actor,
    human_id: &str,
) -> ServiceResult<incident::Model> {
    let found = incident::Entity::find()
        .filter(incident::Column::HumanId.eq(human_id.trim().to_uppercase()))
        .one(db)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    if !may_view_incident(actor, facts_of(&found)) {
        return Err(ServiceError::NOT_FOUND);
    }
    Ok(found)
}

/// What the policy needs to know about an incident.
pub fn facts_of(inc: &incident::Model) -> IncidentFacts {
    IncidentFacts {
        id: inc.id,
        reporter_id: inc.reporter_id,
    }
}

/// The incidents the actor may see, as a condition on `incidents`: the
/// same rule as [`may_view_incident`] (both come from the policy's
/// `incident_visibility`), for queries that select many.
pub fn visible(actor: &Actor) -> sea_orm::Condition {
    use sea_orm::{ColumnTrait, Condition};
    match incident_visibility(actor) {
        Visibility::All => Condition::all(),
        Visibility::Limited { reporter, engaged } => Condition::any()
            .add(incident::Column::ReporterId.eq(reporter))
            .add(incident::Column::Id.is_in(engaged)),
    }
}

/// How much of the incident the actor reaches.
pub fn access_to(actor: &Actor, inc: &incident::Model) -> Access {
    access(actor, facts_of(inc))
}

/// A task of this incident; another incident's task is `NotFound`.
pub(super) async fn find_task(
    conn: &impl ConnectionTrait,
    inc: &incident::Model,
    id: Uuid,
) -> ServiceResult<task::Model> {
    task::Entity::find_by_id(id)
        .filter(task::Column::IncidentId.eq(inc.id))
        .one(conn)
        .await?
        .ok_or(ServiceError::NOT_FOUND)
}

/// Appends the timeline event of a change made by `actor`.
pub(super) async fn event(
    txn: &DatabaseTransaction,
    inc: &incident::Model,
    actor: &Actor,
    kind: EventKind,
    task: Option<Uuid>,
    d: Detail,
) -> ServiceResult<()> {
    timeline::append(txn, inc, Some(actor.id), kind, task, d).await?;
    Ok(())
}

/// In-app notifications to these users about a thing of the incident
/// (`subject`: a measure, an observable), from `actor`.
pub(super) async fn notify(
    txn: &DatabaseTransaction,
    to: &[Uuid],
    inc: &incident::Model,
    kind: NotificationKind,
    subject: Uuid,
    actor: &Actor,
) -> ServiceResult<()> {
    let now = Utc::now();
    for user in to {
        notification::ActiveModel {
            id: Set(Uuid::new_v4()),
            user_id: Set(*user),
            incident_id: Set(inc.id),
            kind: Set(kind.id().into()),
            subject: Set(Some(subject)),
            actor_id: Set(Some(actor.id)),
            created_at: Set(now),
            read_at: Set(None),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// The index key of an observable's or an indicator's match key: SHA-256,
/// hex. Short and of one size, however long the value.
pub fn match_hash(key: &app::domain::observable::MatchKey) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(key.0.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
