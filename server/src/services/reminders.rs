//! The reminder scanner: mail that no request triggers, because it is about
//! time passing. An engagement about to expire, a checklist item whose logs
//! rotate away soon, a time target missed. Each reminder goes out once: the
//! scanner marks the row in the same transaction as it queues the mail, and
//! only the instance whose mark took effect queues it.

use crate::mail::MailKind;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use app::domain::evidence::ChecklistStatus;
use app::domain::workflow::Status;

use crate::entity::{checklist_item, engagement, incident, organisation, user};
use crate::mail::{About, enqueue};

/// A checklist item whose deadline is this close is announced.
pub const DEADLINE_WARNING: Duration = Duration::hours(48);

/// How many reminders of each kind one scan queued.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scanned {
    pub expiring: usize,
    pub deadlines: usize,
    pub breaches: usize,
}

/// The incident's officer, else every security officer; and its responder.
async fn handlers_of(
    conn: &impl ConnectionTrait,
    inc: &incident::Model,
) -> Result<Vec<Uuid>, DbErr> {
    let mut to = super::containment::officers_to_tell(conn, inc, None).await?;
    to.extend(inc.responder_id);
    to.sort();
    to.dedup();
    Ok(to)
}

pub async fn scan(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Scanned, DbErr> {
    let mut done = Scanned::default();

    for e in engagement::Entity::find()
        .filter(super::external::expiring(now))
        .all(db)
        .await?
    {
        let txn = crate::db::begin_write(db).await?;
        let marked = engagement::Entity::update_many()
            .col_expr(engagement::Column::ExpiryMailedAt, Expr::value(now))
            .filter(engagement::Column::Id.eq(e.id))
            .filter(engagement::Column::ExpiryMailedAt.is_null())
            .exec(&txn)
            .await?;
        let inc = incident::Entity::find_by_id(e.incident_id)
            .one(&txn)
            .await?;
        let org = organisation::Entity::find_by_id(e.organisation_id)
            .one(&txn)
            .await?;
        if marked.rows_affected == 1
            && let (Some(inc), Some(org)) = (inc, org)
        {
            let mut to: Vec<Uuid> = user::Entity::find()
                .filter(user::Column::OrganisationId.eq(org.id))
                .all(&txn)
                .await?
                .into_iter()
                .map(|u| u.id)
                .collect();
            to.extend(handlers_of(&txn, &inc).await?);
            let when = e.expires_at.format("%Y-%m-%d %H:%M UTC").to_string();
            let ja = format!("{}: {when} まで", org.name_ja);
            let en = format!("{}: until {when}", org.name_en);
            let about = About {
                human_id: &inc.human_id,
                title: &inc.title,
                detail: (&ja, &en),
            };
            enqueue(&txn, &to, MailKind::EngagementExpiring, &about).await?;
            done.expiring += 1;
        }
        txn.commit().await?;
    }

    let items = checklist_item::Entity::find()
        .filter(checklist_item::Column::Status.eq(ChecklistStatus::Open.id()))
        .filter(checklist_item::Column::DeadlineMailedAt.is_null())
        .filter(checklist_item::Column::Deadline.gt(now))
        .filter(checklist_item::Column::Deadline.lte(now + DEADLINE_WARNING))
        .all(db)
        .await?;
    for item in items {
        let inc = incident::Entity::find_by_id(item.incident_id)
            .one(db)
            .await?;
        let Some(inc) = inc.filter(|i| i.status == Status::Open.id()) else {
            continue;
        };
        let txn = crate::db::begin_write(db).await?;
        let marked = checklist_item::Entity::update_many()
            .col_expr(checklist_item::Column::DeadlineMailedAt, Expr::value(now))
            .filter(checklist_item::Column::Id.eq(item.id))
            .filter(checklist_item::Column::DeadlineMailedAt.is_null())
            .exec(&txn)
            .await?;
        if marked.rows_affected == 1 {
            let when = item.deadline.format("%Y-%m-%d %H:%M UTC").to_string();
            let ja = format!("{}（{}）: {when} まで", item.system, item.source_id);
            let en = format!("{} ({}): until {when}", item.system, item.source_id);
            let about = About {
                human_id: &inc.human_id,
                title: &inc.title,
                detail: (&ja, &en),
            };
            let to = handlers_of(&txn, &inc).await?;
            enqueue(&txn, &to, MailKind::ChecklistDeadline, &about).await?;
            done.deadlines += 1;
        }
        txn.commit().await?;
    }

    use incident::Column as C;
    let targets = [
        (
            C::TriageDueAt,
            C::TriagedAt,
            C::TriageBreachMailedAt,
            ("トリアージ", "triage"),
        ),
        (
            C::ResponseDueAt,
            C::RespondedAt,
            C::ResponseBreachMailedAt,
            ("初動対処", "first response"),
        ),
    ];
    for (due, met, mailed, (ja_name, en_name)) in targets {
        let late = incident::Entity::find()
            .filter(C::Status.eq(Status::Open.id()))
            .filter(due.lt(now))
            .filter(met.is_null())
            .filter(mailed.is_null())
            .all(db)
            .await?;
        for inc in late {
            let txn = crate::db::begin_write(db).await?;
            let marked = incident::Entity::update_many()
                .col_expr(mailed, Expr::value(now))
                .filter(C::Id.eq(inc.id))
                .filter(mailed.is_null())
                .exec(&txn)
                .await?;
            if marked.rows_affected == 1 {
                let ja = format!("{ja_name}の目標時間");
                let en = format!("the {en_name} target");
                let about = About {
                    human_id: &inc.human_id,
                    title: &inc.title,
                    detail: (&ja, &en),
                };
                let to = handlers_of(&txn, &inc).await?;
                enqueue(&txn, &to, MailKind::TargetBreached, &about).await?;
                done.breaches += 1;
            }
            txn.commit().await?;
        }
    }
    Ok(done)
}

/// Scans every `every` in the background, for `serve`.
pub fn spawn(db: DatabaseConnection, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match scan(&db, Utc::now()).await {
                Ok(s) if s != Scanned::default() => tracing::info!(?s, "reminders queued"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reminder scan failed"),
            }
        }
    })
}
