//! The public notification form's notices (seed 001 §5): each becomes a
//! phase-A report filed by the intake account. The form is rate-limited per
//! source (a keyed hash of the address, never the address itself) and
//! overall per day, in the same transaction that files the report, so a
//! burst cannot slip between the count and the insert.

use chrono::{Duration, Utc};
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};
use serde_json::json;
use uuid::Uuid;

use app::domain::Role;
use app::domain::incident::{Discovery, IncidentKind, ValidReport};
use app::domain::notice::{
    INTAKE_USERNAME, NoticeReceipt, NoticeVia, PER_DAY, PER_SOURCE_PER_HOUR, ValidNotice, reference,
};
use app::domain::policy::Actor;
use app::ports::ClientAddress;
use playbooks::HandlingModel;

use super::error::ServiceResult;
use crate::auth::Auth;
use crate::entity::{outside_notice, user, user_role};

/// A notice from the public form. A filled robot trap is answered like a
/// real notice and kept nowhere; past the limits nothing is kept and the
/// sender is asked to try later.
pub async fn intake(
    db: &DatabaseConnection,
    model: &HandlingModel,
    auth: &Auth,
    from: &ClientAddress,
    notice: ValidNotice,
) -> ServiceResult<NoticeReceipt> {
    if notice.trap {
        return Ok(NoticeReceipt::Received(reference(
            rand::rng().random::<u64>(),
        )));
    }
    let source = auth.source(from);
    let bucket = crate::integrity::key()?.mac("hikeshi-notice-source-v1", &[source.as_str()]);
    let txn = crate::db::begin_write(db).await?;
    let now = Utc::now();
    let from_source = outside_notice::Entity::find()
        .filter(outside_notice::Column::SourceBucket.eq(bucket.as_str()))
        .filter(outside_notice::Column::CreatedAt.gt(now - Duration::hours(1)))
        .count(&txn)
        .await?;
    let today = outside_notice::Entity::find()
        .filter(outside_notice::Column::Via.eq(NoticeVia::Form.id()))
        .filter(outside_notice::Column::CreatedAt.gt(now - Duration::days(1)))
        .count(&txn)
        .await?;
    if from_source >= PER_SOURCE_PER_HOUR || today >= PER_DAY {
        tracing::warn!(%source, from_source, today, "outside notice refused: limit reached");
        return Ok(NoticeReceipt::Busy);
    }
    let intake = intake_actor(&txn).await?;
    let ValidNotice {
        notifier,
        subject,
        details,
        affected,
        ..
    } = notice;
    let report = ValidReport {
        title: subject,
        observed: details,
        noticed_at: now,
        location: affected,
        discovery: Discovery::ExternalNotification,
        kind: IncidentKind::Other,
        reporter_contact: notifier.contact.clone(),
        notifier: Some(notifier),
    };
    let filed =
        super::incidents::file(&txn, model, &intake, report, NoticeVia::Form, Some(bucket)).await?;
    let reference = filed
        .notice_reference
        .ok_or(super::error::ServiceError::Corrupt(
            "notice without its record",
        ))?;
    super::audit::record(
        &txn,
        Some(intake.id),
        "outside_notice_received",
        "incident",
        filed.id,
        json!({ "reference": reference }),
    )
    .await?;
    txn.commit().await?;
    Ok(NoticeReceipt::Received(reference))
}

/// The intake account, made the first time it is needed.
async fn intake_actor(txn: &DatabaseTransaction) -> ServiceResult<Actor> {
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(INTAKE_USERNAME))
        .one(txn)
        .await?;
    let u = match found {
        // Only the account made here: never one someone could sign in to.
        Some(u) if !u.is_active && u.password_hash == "!" => u,
        Some(_) => {
            return Err(super::error::ServiceError::Corrupt(
                "the intake account's name belongs to an account that can sign in",
            ));
        }
        None => {
            let now = Utc::now();
            let u = user::ActiveModel {
                id: Set(Uuid::new_v4()),
                username: Set(INTAKE_USERNAME.into()),
                display_name: Set("外部からの通知 / Outside notice".into()),
                email: Set(None),
                // Not an argon2 hash: no password ever matches it.
                password_hash: Set("!".into()),
                language: Set(None),
                is_active: Set(false),
                mail_opt_out: Set(String::new()),
                organisation_id: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(txn)
            .await?;
            user_role::ActiveModel {
                user_id: Set(u.id),
                role: Set(Role::Reporter.id().into()),
            }
            .insert(txn)
            .await?;
            crate::integrity::seal(txn, crate::integrity::Covered::User(u.id)).await?;
            u
        }
    };
    Ok(Actor {
        id: u.id,
        username: u.username,
        display_name: u.display_name,
        roles: vec![Role::Reporter],
        grants: Vec::new(),
    })
}
