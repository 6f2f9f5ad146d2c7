//! TAXII subscriptions: remote collections the officer subscribes to, polled
//! on their interval; what each poll brings is imported into the
//! threat-intelligence store as its subscriber (who must still be allowed to
//! import), and the page shows when it last ran, what it brought and the
//! last error.
//!
//! The password is kept as given (it must be sent) and never shown again.
//! Two instances may poll the same subscription at once; an import of the
//! same objects again replaces them, so nothing doubles.

use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use app::domain::form::FormResult;
use app::domain::intel::{SubscriptionView, ValidSubscription};
use app::domain::policy::{Action, Actor};

use super::audit;
use super::error::{ServiceError, ServiceResult};
use crate::entity::taxii_subscription;

fn may_manage(actor: &Actor) -> ServiceResult<()> {
    super::kernel::require(actor, Action::ManageIntel)
}

fn view(s: taxii_subscription::Model) -> SubscriptionView {
    SubscriptionView {
        id: s.id,
        name: s.name,
        api_root: s.api_root,
        collection: s.collection_id,
        username: s.username,
        interval_minutes: u32::try_from(s.interval_minutes).unwrap_or(60),
        last_run: s.last_run,
        last_error: s.last_error,
        imported: u64::try_from(s.imported).unwrap_or(0),
        added_after: s.added_after,
    }
}

pub async fn list(db: &DatabaseConnection, actor: &Actor) -> ServiceResult<Vec<SubscriptionView>> {
    may_manage(actor)?;
    Ok(taxii_subscription::Entity::find()
        .order_by_asc(taxii_subscription::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    v: ValidSubscription,
) -> ServiceResult<FormResult<Uuid>> {
    may_manage(actor)?;
    let id = Uuid::new_v4();
    let txn = crate::db::begin_write(db).await?;
    taxii_subscription::ActiveModel {
        id: Set(id),
        name: Set(v.name.clone()),
        api_root: Set(v.api_root.clone()),
        collection_id: Set(v.collection.clone()),
        username: Set(v.username.clone()),
        password: Set(v.password),
        interval_minutes: Set(i32::try_from(v.interval_minutes).unwrap_or(60)),
        added_after: Set(String::new()),
        last_run: Set(None),
        last_error: Set(String::new()),
        imported: Set(0),
        active: Set(true),
        created_by: Set(actor.id),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Some(actor.id),
        "taxii_subscribed",
        "taxii_subscription",
        id,
        serde_json::json!({
            "name": v.name, "api_root": v.api_root, "collection": v.collection,
            "interval_minutes": v.interval_minutes,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(FormResult::Done(id))
}

pub async fn remove(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> ServiceResult<()> {
    may_manage(actor)?;
    let txn = crate::db::begin_write(db).await?;
    let s = taxii_subscription::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    taxii_subscription::Entity::delete_by_id(id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        Some(actor.id),
        "taxii_unsubscribed",
        "taxii_subscription",
        id,
        serde_json::json!({ "name": s.name }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Polls one subscription now, at the officer's asking.
pub async fn run_now(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<SubscriptionView> {
    may_manage(actor)?;
    let s = taxii_subscription::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    poll(db, s).await?;
    let s = taxii_subscription::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    Ok(view(s))
}

/// One poll: fetch what came after the last one, import it as the
/// subscriber, record the outcome on the subscription.
async fn poll(db: &DatabaseConnection, s: taxii_subscription::Model) -> ServiceResult<()> {
    let remote = crate::taxii_client::Remote {
        api_root: s.api_root.clone(),
        collection: s.collection_id.clone(),
        username: s.username.clone(),
        password: s.password.clone(),
    };
    let after = (!s.added_after.is_empty()).then_some(s.added_after.as_str());
    let outcome: Result<(usize, Option<String>), String> =
        match crate::taxii_client::fetch(&remote, after).await {
            Err(e) => Err(e),
            Ok(f) if f.objects.is_empty() => Ok((0, f.last_added)),
            Ok(f) => match super::accounts::actor_by_id(db, s.created_by).await? {
                None => Err("the subscriber's account is no longer active".into()),
                Some(owner) => {
                    let bundle = serde_json::json!({
                        "type": "bundle",
                        "id": format!("bundle--{}", Uuid::new_v4()),
                        "objects": f.objects,
                    });
                    let bytes = serde_json::to_vec(&bundle).unwrap_or_default();
                    match super::intel::import(db, &owner, &format!("taxii:{}", s.name), &bytes)
                        .await
                    {
                        Ok(FormResult::Done(summary)) => Ok((summary.indicators, f.last_added)),
                        Ok(FormResult::Invalid(errors)) => Err(errors
                            .first()
                            .map(|e| match &e.code {
                                app::domain::form::ErrorCode::BadStix(o, field) => {
                                    format!("{o}: {field} is missing or not valid")
                                }
                                other => format!("{other:?}"),
                            })
                            .unwrap_or_default()),
                        Err(ServiceError::App(app::domain::AppError::Forbidden)) => {
                            Err("the subscriber may no longer import threat intelligence".into())
                        }
                        Err(e) => return Err(e),
                    }
                }
            },
        };
    let imported = s.imported;
    let previous = s.added_after.clone();
    let mut m: taxii_subscription::ActiveModel = s.into();
    m.last_run = Set(Some(Utc::now()));
    match outcome {
        Ok((n, last)) => {
            m.last_error = Set(String::new());
            m.imported = Set(imported + i64::try_from(n).unwrap_or(0));
            if let Some(l) = last.filter(|l| *l > previous) {
                m.added_after = Set(l);
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "TAXII poll failed");
            m.last_error = Set(e.chars().take(1000).collect());
        }
    }
    m.update(db).await?;
    Ok(())
}

/// The subscriptions due now: never polled, or polled longer ago than
/// their interval.
pub async fn poll_due(db: &DatabaseConnection) -> ServiceResult<usize> {
    let now = Utc::now();
    let due: Vec<taxii_subscription::Model> = taxii_subscription::Entity::find()
        .filter(taxii_subscription::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .filter(|s| {
            s.last_run
                .is_none_or(|r| r + Duration::minutes(i64::from(s.interval_minutes)) <= now)
        })
        .collect();
    let n = due.len();
    for s in due {
        poll(db, s).await?;
    }
    Ok(n)
}

/// Polls what is due every `every`.
pub fn spawn(db: DatabaseConnection, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = poll_due(&db).await {
                tracing::warn!(error = %e, "TAXII subscriptions could not be polled");
            }
        }
    })
}
