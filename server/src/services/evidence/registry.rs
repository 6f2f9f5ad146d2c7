//! The evidence registry: uploads streamed into the content-addressed store,
//! the append-only chain of custody, verification by re-hashing, and removal
//! of a disposed item's file once nothing refers to it.

use app::domain::event::EventKind;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use uuid::Uuid;

use app::domain::AppError;
use app::domain::evidence::{self as rules, ChecklistStatus, CustodyKind, Integrity};
use app::domain::form::{ErrorCode, FieldError};
use app::domain::policy::Actor;
use app::domain::workflow::{Refusal, Status};

use crate::entity::{checklist_item, custody_event, evidence, incident};
use crate::evidence_store::{EvidenceStore, StoreError};
use crate::services::error::{ServiceError, ServiceResult};
use crate::services::kernel::{access_to, event, visible_incident};
use crate::services::timeline::detail;
use app::domain::policy::{IncidentAct, may_act};

pub(in crate::services) async fn custody(
    conn: &impl ConnectionTrait,
    evidence: Uuid,
    kind: CustodyKind,
    actor: Option<Uuid>,
    parties: (&str, &str),
    reason: &str,
    detail: &str,
) -> Result<(), sea_orm::DbErr> {
    let last = custody_event::Entity::find()
        .filter(custody_event::Column::EvidenceId.eq(evidence))
        .order_by_desc(custody_event::Column::Seq)
        .one(conn)
        .await?
        .map_or(0, |e| e.seq);
    let sealed = custody_event::ActiveModel {
        id: Set(Uuid::new_v4()),
        evidence_id: Set(evidence),
        seq: Set(last + 1),
        kind: Set(kind.id().into()),
        actor_id: Set(actor),
        at: Set(Utc::now()),
        from_party: Set(parties.0.into()),
        to_party: Set(parties.1.into()),
        reason: Set(reason.into()),
        detail: Set(detail.into()),
    }
    .insert(conn)
    .await?;
    crate::integrity::seal(conn, crate::integrity::Covered::Custody(sealed.id)).await
}

async fn find_item(
    conn: &impl ConnectionTrait,
    inc: &incident::Model,
    id: Uuid,
) -> ServiceResult<evidence::Model> {
    evidence::Entity::find_by_id(id)
        .filter(evidence::Column::IncidentId.eq(inc.id))
        .one(conn)
        .await?
        .ok_or(ServiceError::App(AppError::NotFound))
}

/// Transferred, returned or disposed, recorded by hand.
#[allow(clippy::too_many_arguments)]
pub(in crate::services) async fn record_custody(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    id: Uuid,
    kind: CustodyKind,
    from: String,
    to: String,
    reason: String,
) -> ServiceResult<()> {
    let allowed = match kind {
        CustodyKind::Transferred | CustodyKind::Returned => {
            app::domain::policy::roles::may_handle_evidence(&actor.roles)
        }
        CustodyKind::Disposed => app::domain::policy::roles::may_dispose_evidence(&actor.roles),
        // The others are written by the system as they happen.
        _ => false,
    };
    if !allowed {
        return Err(Refusal::Role.into());
    }
    let e = find_item(txn, inc, id).await?;
    if e.integrity == Integrity::Disposed.id() {
        return Err(Refusal::NotNow.into());
    }
    let v = rules::validate_custody(kind, &from, &to, &reason).map_err(ServiceError::Fields)?;
    let (from, to, reason) = (v.from.as_str(), v.to.as_str(), v.reason.as_str());
    custody(txn, e.id, kind, Some(actor.id), (from, to), reason, "").await?;
    if kind == CustodyKind::Disposed {
        let mut m: evidence::ActiveModel = e.clone().into();
        m.integrity = Set(Integrity::Disposed.id().into());
        m.update(txn).await?;
        crate::integrity::seal(txn, crate::integrity::Covered::Evidence(e.id)).await?;
    }
    let d = detail([
        ("evidence_id", e.id.to_string()),
        ("evidence", e.file_name),
        ("sha256", e.sha256),
        ("custody", kind.id().into()),
        ("from", from.into()),
        ("to", to.into()),
        ("reason", reason.into()),
    ]);
    event(txn, inc, actor, EventKind::CustodyRecorded, None, d).await
}

/// The stored file's hash now, computed outside any transaction.
pub(in crate::services) async fn rehash(
    db: &DatabaseConnection,
    store: &EvidenceStore,
    id: Uuid,
) -> ServiceResult<Option<String>> {
    let e = evidence::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    Ok(store.rehash(&e.sha256).await?)
}

/// Records a verification: intact, or a mismatch that is an alarm on the
/// incident (its own timeline event).
pub(in crate::services) async fn record_verification(
    txn: &DatabaseTransaction,
    actor: Option<&Actor>,
    inc: &incident::Model,
    id: Uuid,
    actual: Option<String>,
) -> ServiceResult<bool> {
    if let Some(a) = actor
        && !app::domain::policy::roles::may_handle_evidence(&a.roles)
    {
        return Err(Refusal::Role.into());
    }
    let e = find_item(txn, inc, id).await?;
    if e.integrity == Integrity::Disposed.id() {
        return Err(Refusal::NotNow.into());
    }
    let intact = actual.as_deref() == Some(e.sha256.as_str());
    let result = match &actual {
        Some(h) if intact => format!("intact: {h}"),
        Some(h) => format!("MISMATCH: stored file hashes to {h}, recorded {}", e.sha256),
        None => format!("MISSING: no stored file for {}", e.sha256),
    };
    let actor_id = actor.map(|a| a.id);
    custody(
        txn,
        e.id,
        CustodyKind::Verified,
        actor_id,
        ("", ""),
        "",
        &result,
    )
    .await?;
    let mut m: evidence::ActiveModel = e.clone().into();
    m.integrity = Set(if intact {
        Integrity::Intact
    } else {
        Integrity::Mismatch
    }
    .id()
    .into());
    m.verified_at = Set(Some(Utc::now()));
    m.update(txn).await?;
    crate::integrity::seal(txn, crate::integrity::Covered::Evidence(e.id)).await?;
    let kind = if intact {
        EventKind::EvidenceVerified
    } else {
        EventKind::EvidenceMismatch
    };
    let d = detail([
        ("evidence_id", e.id.to_string()),
        ("evidence", e.file_name),
        ("sha256", e.sha256),
        ("result", result),
    ]);
    crate::services::timeline::append(txn, inc, actor_id, kind, None, d).await?;
    Ok(intact)
}

/// `hikeshi evidence verify`: every stored item of every incident, each in
/// its own transaction. Returns (checked, mismatched).
pub async fn verify_all(
    db: &DatabaseConnection,
    store: &EvidenceStore,
) -> ServiceResult<(u64, Vec<(String, String)>)> {
    let items = evidence::Entity::find()
        .filter(evidence::Column::Integrity.ne(Integrity::Disposed.id()))
        .order_by_asc(evidence::Column::UploadedAt)
        .all(db)
        .await?;
    let mut bad = Vec::new();
    for e in &items {
        let actual = store.rehash(&e.sha256).await?;
        let txn = db.begin().await?;
        let inc = crate::services::timeline::lock(&txn, e.incident_id)
            .await?
            .ok_or(ServiceError::NOT_FOUND)?;
        let intact = record_verification(&txn, None, &inc, e.id, actual).await?;
        txn.commit().await?;
        if !intact {
            bad.push((inc.human_id.clone(), e.file_name.clone()));
        }
    }
    Ok((items.len() as u64, bad))
}

/// After disposal: the file goes when no other live item shares its content.
/// Decided under the store's exclusive guard, so an upload of the same
/// content whose row is not yet committed is waited for, never undone.
pub(in crate::services) async fn remove_if_unreferenced(
    db: &DatabaseConnection,
    store: &EvidenceStore,
    id: Uuid,
) -> ServiceResult<()> {
    let Some(e) = evidence::Entity::find_by_id(id).one(db).await? else {
        return Ok(());
    };
    let guard = store.exclusive().await;
    if !referenced(db, &e.sha256).await? {
        guard.remove(&e.sha256).await?;
    }
    Ok(())
}

/// Whether a committed, not disposed item refers to this content.
pub(super) async fn referenced(
    db: &DatabaseConnection,
    sha256: &str,
) -> Result<bool, sea_orm::DbErr> {
    use sea_orm::PaginatorTrait;
    let n = evidence::Entity::find()
        .filter(evidence::Column::Sha256.eq(sha256))
        .filter(evidence::Column::Integrity.ne(Integrity::Disposed.id()))
        .count(db)
        .await?;
    Ok(n > 0)
}

/// What the uploader says about a file; checked by the domain.
pub use app::domain::evidence::UploadForm;
use app::domain::evidence::ValidUpload;

#[derive(Debug)]
pub enum UploadOutcome {
    Stored { evidence: Uuid, duplicate: bool },
    Invalid(Vec<FieldError>),
}

/// Whether the actor may upload to this incident at all: asked before any of
/// the request body is read. `upload` asks again with the whole form.
pub async fn may_upload(
    db: &DatabaseConnection,
    actor: &Actor,
    human_id: &str,
) -> ServiceResult<()> {
    let inc = visible_incident(db, actor, human_id).await?;
    if may_act(
        &access_to(actor, &inc),
        IncidentAct::Upload { checklist: false },
    ) {
        Ok(())
    } else {
        Err(ServiceError::FORBIDDEN)
    }
}

/// Stores an uploaded file against an incident: the file is streamed to disk
/// first (hashing as it goes), then the record, its custody events and the
/// checklist item are written in one transaction. A refused upload keeps no
/// record; its file stays until the sweep finds nothing refers to it.
pub async fn upload<S, E>(
    db: &DatabaseConnection,
    store: &EvidenceStore,
    actor: &Actor,
    human_id: &str,
    form: UploadForm,
    body: S,
) -> ServiceResult<UploadOutcome>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, E>>,
    E: std::fmt::Display,
{
    let inc = visible_incident(db, actor, human_id).await?;
    let act = IncidentAct::Upload {
        checklist: !form.checklist_item.trim().is_empty(),
    };
    if !may_act(&access_to(actor, &inc), act) {
        return Err(ServiceError::FORBIDDEN);
    }
    let valid = match rules::validate_upload(&form, Utc::now()) {
        Ok(v) => v,
        Err(errors) => return Ok(UploadOutcome::Invalid(errors)),
    };
    let stored = match store.save(body).await {
        Ok(s) => s,
        Err(StoreError::TooLarge(n)) => {
            return Ok(UploadOutcome::Invalid(vec![FieldError {
                field: "file".into(),
                code: ErrorCode::TooLong(n.min(usize::MAX as u64) as usize),
            }]));
        }
        Err(StoreError::Empty) => {
            return Ok(UploadOutcome::Invalid(vec![FieldError {
                field: "file".into(),
                code: ErrorCode::Required,
            }]));
        }
        Err(e) => return Err(e.into()),
    };
    // The file is never removed here, even when the record is refused: an
    // upload of the same content may have committed a row against it. The
    // sweep removes what no row refers to. The lease in `stored` is held
    // until the transaction has ended.
    let result = record_upload(db, actor, &inc, &form, valid, &stored).await;
    drop(stored);
    result
}

async fn record_upload(
    db: &DatabaseConnection,
    actor: &Actor,
    found: &incident::Model,
    form: &UploadForm,
    v: ValidUpload,
    stored: &crate::evidence_store::Stored,
) -> ServiceResult<UploadOutcome> {
    let txn = db.begin().await?;
    let inc = crate::services::timeline::lock(&txn, found.id)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    if inc.status == Status::Closed.id() {
        return Ok(UploadOutcome::Invalid(vec![FieldError {
            field: "command".into(),
            code: ErrorCode::Refused(Refusal::NotNow),
        }]));
    }
    let item = match v.checklist_item {
        None => None,
        Some(id) => {
            let c = checklist_item::Entity::find_by_id(id)
                .filter(checklist_item::Column::IncidentId.eq(inc.id))
                .one(&txn)
                .await?;
            match c {
                Some(c) if c.status == ChecklistStatus::Open.id() => Some(c),
                _ => {
                    return Ok(UploadOutcome::Invalid(vec![FieldError {
                        field: "checklist_item".into(),
                        code: ErrorCode::InvalidChoice,
                    }]));
                }
            }
        }
    };
    let now = Utc::now();
    let id = Uuid::new_v4();
    let file_name = clean_name(&form.file_name);
    let media_type = Some(form.media_type.trim())
        .filter(|m| !m.is_empty() && m.len() <= 255)
        .unwrap_or("application/octet-stream")
        .to_string();
    evidence::ActiveModel {
        id: Set(id),
        incident_id: Set(inc.id),
        kind: Set(v.kind.id().into()),
        description: Set(v.description.clone()),
        file_name: Set(file_name.clone()),
        media_type: Set(media_type),
        sha256: Set(stored.sha256.clone()),
        size: Set(stored.size as i64),
        source_host: Set(v.source_host.clone()),
        acquired_how: Set(v.acquired_how.clone()),
        acquired_by: Set(v.acquired_by.clone()),
        acquired_at: Set(v.acquired_at),
        uploaded_by: Set(actor.id),
        uploaded_at: Set(now),
        checklist_item_id: Set(item.as_ref().map(|c| c.id)),
        integrity: Set(Integrity::Intact.id().into()),
        verified_at: Set(Some(now)),
    }
    .insert(&txn)
    .await?;
    let acquirer = if v.acquired_by.is_empty() {
        actor.display_name.clone()
    } else {
        v.acquired_by.clone()
    };
    custody(
        &txn,
        id,
        CustodyKind::Acquired,
        None,
        (v.source_host.as_str(), acquirer.as_str()),
        &v.acquired_how,
        &format!("acquired at {}", v.acquired_at.to_rfc3339()),
    )
    .await?;
    custody(
        &txn,
        id,
        CustodyKind::Uploaded,
        Some(actor.id),
        (acquirer.as_str(), "Hikeshi evidence store"),
        "",
        &format!("sha256 {} · {} bytes", stored.sha256, stored.size),
    )
    .await?;
    if let Some(c) = &item {
        let mut m: checklist_item::ActiveModel = c.clone().into();
        m.status = Set(ChecklistStatus::Fulfilled.id().into());
        m.evidence_id = Set(Some(id));
        m.settled_by = Set(Some(actor.id));
        m.settled_at = Set(Some(now));
        m.update(&txn).await?;
    }
    let mut d = detail([
        ("evidence_id", id.to_string()),
        ("evidence", file_name),
        ("kind", v.kind.id().into()),
        ("sha256", stored.sha256.clone()),
        ("size", stored.size.to_string()),
    ]);
    if let Some(c) = &item {
        d.insert(
            "checklist".into(),
            format!("{} ({})", c.source_id, c.system),
        );
    }
    crate::integrity::seal(&txn, crate::integrity::Covered::Evidence(id)).await?;
    crate::services::timeline::append(
        &txn,
        &inc,
        Some(actor.id),
        EventKind::EvidenceUploaded,
        None,
        d,
    )
    .await?;
    txn.commit().await?;
    Ok(UploadOutcome::Stored {
        evidence: id,
        duplicate: stored.existed,
    })
}

/// A file name safe to show and to put in a zip (the domain's rule).
fn clean_name(name: &str) -> String {
    rules::clean_file_name(name)
}
