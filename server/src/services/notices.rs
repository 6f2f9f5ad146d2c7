//! Outside notices (seed 001 §5): who notified us, recorded with the report
//! (by `incidents::file`, for a report typed in and for one from the public
//! form, `intake`), and read back for the incident page.

use chrono::Utc;
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use app::domain::event::EventKind;
use app::domain::notice::{NoticeVia, NoticeView, Notifier, reference};
use app::domain::policy::Actor;

use super::error::ServiceResult;
use super::timeline::detail;
use crate::entity::{incident, outside_notice};

/// Records who notified us, with its acknowledgement reference, and says
/// so on the timeline. Returns the reference.
pub(super) async fn record(
    txn: &DatabaseTransaction,
    inc: &incident::Model,
    actor: &Actor,
    n: &Notifier,
    via: NoticeVia,
    source_bucket: Option<String>,
) -> ServiceResult<String> {
    let reference = reference(rand::rng().random::<u64>());
    outside_notice::ActiveModel {
        id: Set(Uuid::new_v4()),
        incident_id: Set(inc.id),
        via: Set(via.id().into()),
        organisation: Set(n.organisation.clone()),
        person: Set(n.person.clone()),
        contact: Set(n.contact.clone()),
        their_reference: Set(n.their_reference.clone()),
        reference: Set(reference.clone()),
        source_bucket: Set(source_bucket),
        created_at: Set(Utc::now()),
    }
    .insert(txn)
    .await?;
    // The chain head moved with the report's own event: append after it.
    let fresh = incident::Entity::find_by_id(inc.id)
        .one(txn)
        .await?
        .ok_or(super::error::ServiceError::NOT_FOUND)?;
    let d = detail([
        ("via", via.id().into()),
        ("organisation", n.organisation.clone()),
        ("their_reference", n.their_reference.clone()),
        ("reference", reference.clone()),
    ]);
    super::kernel::event(txn, &fresh, actor, EventKind::OutsideNotice, None, d).await?;
    Ok(reference)
}

/// The incident's outside notices, oldest first.
pub async fn views(conn: &impl ConnectionTrait, incident: Uuid) -> ServiceResult<Vec<NoticeView>> {
    Ok(outside_notice::Entity::find()
        .filter(outside_notice::Column::IncidentId.eq(incident))
        .order_by_asc(outside_notice::Column::CreatedAt)
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|n| {
            Some(NoticeView {
                via: NoticeVia::from_id(&n.via)?,
                notifier: Notifier {
                    organisation: n.organisation,
                    person: n.person,
                    contact: n.contact,
                    their_reference: n.their_reference,
                },
                reference: n.reference,
                created_at: n.created_at,
            })
        })
        .collect())
}
