//! Evidence preservation: the organisation's log sources, each incident's
//! checklist (generated at triage and as assets are added), the evidence
//! registry with its files stored by SHA-256, the append-only chain of
//! custody, verification, and the custody report and evidence bundle.

use std::collections::HashMap;
use std::io::Write;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use uuid::Uuid;

use app::domain::AppError;
use app::domain::classification::AssetType;
use app::domain::evidence::{
    self as rules, ChecklistStatus, ChecklistView, CustodyKind, CustodyView, Declared,
    EvidenceKind, EvidenceView, Integrity, OrgLogSource, SourceRule,
};
use app::domain::form::{ErrorCode, FieldError, FormResult};
use app::domain::policy::Actor;
use app::domain::workflow::{Facts, Refusal, Status};
use playbooks::HandlingModel;

use super::audit;
use super::error::{OrCorrupt, ServiceError, ServiceResult};
use super::kernel::{access_to, event, visible_incident};
use super::timeline::detail;
use crate::entity::{asset, checklist_item, custody_event, evidence, incident, log_source, user};
use crate::evidence_store::{EvidenceStore, StoreError};
use app::domain::policy::{Access, IncidentAct, may_act};

// ---- the organisation's log sources -----------------------------------------

pub(super) async fn log_sources(
    db: &DatabaseConnection,
    actor: &Actor,
) -> ServiceResult<Vec<OrgLogSource>> {
    if !(app::domain::policy::may(actor, app::domain::policy::Action::ManageLogSources)
        || rules::may_handle(&actor.roles))
    {
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

pub(super) async fn save_log_source(
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

// ---- the checklist -----------------------------------------------------------

/// Adds the checklist items the incident needs and does not have yet: one
/// per active declared source that applies to its kind or assets. Run when
/// the incident is taken into triage and whenever an asset is added later.
pub(super) async fn generate_checklist(
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
        let Some(def) = model.log_source(&d.source) else {
            continue;
        };
        let system = declared
            .iter()
            .find(|x| x.id == d.id)
            .map(|x| x.system.clone())
            .unwrap_or_default();
        let start = rules::window_start(inc.noticed_at, def.margin_days);
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

pub(super) async fn waive_item(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    item: Uuid,
    reason: String,
) -> ServiceResult<()> {
    if !rules::may_waive(&actor.roles) {
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
    event(txn, inc, actor, "checklist_waived", None, d).await
}

// ---- custody -------------------------------------------------------------------

async fn custody(
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
pub(super) async fn record_custody(
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
        CustodyKind::Transferred | CustodyKind::Returned => rules::may_handle(&actor.roles),
        CustodyKind::Disposed => rules::may_dispose(&actor.roles),
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
    event(txn, inc, actor, "custody_recorded", None, d).await
}

/// The stored file's hash now, computed outside any transaction.
pub(super) async fn rehash(
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
pub(super) async fn record_verification(
    txn: &DatabaseTransaction,
    actor: Option<&Actor>,
    inc: &incident::Model,
    id: Uuid,
    actual: Option<String>,
) -> ServiceResult<bool> {
    if let Some(a) = actor
        && !rules::may_handle(&a.roles)
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
        "evidence_verified"
    } else {
        "evidence_mismatch"
    };
    let d = detail([
        ("evidence_id", e.id.to_string()),
        ("evidence", e.file_name),
        ("sha256", e.sha256),
        ("result", result),
    ]);
    super::timeline::append(txn, inc, actor_id, kind, None, d).await?;
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
        let inc = super::timeline::lock(&txn, e.incident_id)
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
pub(super) async fn remove_if_unreferenced(
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
async fn referenced(db: &DatabaseConnection, sha256: &str) -> Result<bool, sea_orm::DbErr> {
    use sea_orm::PaginatorTrait;
    let n = evidence::Entity::find()
        .filter(evidence::Column::Sha256.eq(sha256))
        .filter(evidence::Column::Integrity.ne(Integrity::Disposed.id()))
        .count(db)
        .await?;
    Ok(n > 0)
}

/// How old an unreferenced file must be before the sweep removes it: far
/// longer than any upload takes from "file in place" to "row committed",
/// including one running in another server process on the same store.
pub const SWEEP_GRACE: std::time::Duration = std::time::Duration::from_secs(3600);

/// What one sweep removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub files: usize,
    pub temporary: usize,
}

/// Removes stored files no committed item refers to (left by refused or
/// failed uploads) and temporary files of interrupted uploads, each once it
/// is older than `grace`. Each removal is decided under the store's
/// exclusive guard, after the file's age is read again.
pub async fn sweep(
    db: &DatabaseConnection,
    store: &EvidenceStore,
    grace: std::time::Duration,
) -> ServiceResult<Swept> {
    let old_enough = |t: std::time::SystemTime| {
        std::time::SystemTime::now()
            .duration_since(t)
            .is_ok_and(|age| age >= grace)
    };
    let mut swept = Swept {
        temporary: store.clean_tmp(grace).await?,
        ..Swept::default()
    };
    for (sha256, modified) in store.stored().await? {
        if !old_enough(modified) || referenced(db, &sha256).await? {
            continue;
        }
        let guard = store.exclusive().await;
        // Again under the guard: an upload may have replaced the file or
        // committed a row since the first look.
        let still_old = store.modified(&sha256).await?.is_some_and(old_enough);
        if still_old && !referenced(db, &sha256).await? {
            guard.remove(&sha256).await?;
            swept.files += 1;
        }
    }
    Ok(swept)
}

/// Sweeps at start and then every `every`.
pub fn spawn_sweeper(db: DatabaseConnection, store: EvidenceStore, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match sweep(&db, &store, SWEEP_GRACE).await {
                Ok(s) if s != Swept::default() => {
                    tracing::info!(
                        files = s.files,
                        temporary = s.temporary,
                        "evidence store swept"
                    )
                }
                Ok(_) => {}
                Err(_) => tracing::warn!("sweeping the evidence store failed"),
            }
        }
    });
}

// ---- upload ----------------------------------------------------------------------

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
    let inc = super::timeline::lock(&txn, found.id)
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
    super::timeline::append(&txn, &inc, Some(actor.id), "evidence_uploaded", None, d).await?;
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

// ---- download ------------------------------------------------------------------

/// What an item is, after the same checks as a download: someone who may
/// not see its incident gets `NotFound`, someone who may not handle evidence
/// `Forbidden`. Used to ask for a deliberate download of a malware sample
/// before anything is recorded.
pub async fn kind_for(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<EvidenceKind> {
    let e = authorised(db, actor, id).await?;
    EvidenceKind::from_id(&e.kind).or_corrupt("evidence.kind")
}

async fn authorised(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<evidence::Model> {
    let e = evidence::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    let inc = incident::Entity::find_by_id(e.incident_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    visible_incident(db, actor, &inc.human_id).await?;
    let access = access_to(actor, &inc);
    if !may_act(&access, IncidentAct::Evidence) {
        return Err(ServiceError::FORBIDDEN);
    }
    // An item outside the engagement's scope does not exist for it.
    let own = super::external::colleagues(db, actor).await?;
    if !access.sees_evidence(e.id, own.contains(&e.uploaded_by)) {
        return Err(ServiceError::NOT_FOUND);
    }
    if e.integrity == Integrity::Disposed.id() {
        return Err(ServiceError::NOT_FOUND);
    }
    Ok(e)
}

/// An item the reader may download, after the download is recorded.
pub struct Download {
    pub path: std::path::PathBuf,
    pub file_name: String,
    pub media_type: String,
    pub size: u64,
    pub kind: EvidenceKind,
    pub sha256: String,
}

/// Checks the reader may download the item and records the download in its
/// chain of custody. Someone who may not see the incident gets `NotFound`;
/// someone who sees it but may not handle evidence, `Forbidden`.
pub async fn download(
    db: &DatabaseConnection,
    store: &EvidenceStore,
    actor: &Actor,
    id: Uuid,
    reason: &str,
) -> ServiceResult<Download> {
    let e = authorised(db, actor, id).await?;
    let kind = EvidenceKind::from_id(&e.kind).or_corrupt("evidence.kind")?;
    let txn = db.begin().await?;
    let inc = super::timeline::lock(&txn, e.incident_id)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    let how = if kind == EvidenceKind::MalwareSample {
        "zip (password)"
    } else {
        "file"
    };
    custody(
        &txn,
        e.id,
        CustodyKind::Downloaded,
        Some(actor.id),
        ("Hikeshi evidence store", actor.display_name.as_str()),
        reason,
        how,
    )
    .await?;
    let d = detail([
        ("evidence_id", e.id.to_string()),
        ("evidence", e.file_name.clone()),
        ("sha256", e.sha256.clone()),
    ]);
    super::timeline::append(&txn, &inc, Some(actor.id), "evidence_downloaded", None, d).await?;
    txn.commit().await?;
    Ok(Download {
        path: store.path(&e.sha256),
        file_name: e.file_name,
        media_type: e.media_type,
        size: e.size.max(0) as u64,
        kind,
        sha256: e.sha256,
    })
}

/// Writes `files` (name in the zip, path on disk, encrypt?) into a zip at
/// `out`, stored without compression; the files marked (malware samples)
/// encrypted with `password`, as is customary for samples.
pub fn write_zip(
    out: &std::path::Path,
    files: &[(String, std::path::PathBuf, bool)],
    manifest: Option<&str>,
    password: &str,
) -> std::io::Result<()> {
    use zip::unstable::write::FileOptionsExt;
    let file = std::fs::File::create(out)?;
    let mut zip = zip::ZipWriter::new(file);
    let base = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    for (name, path, encrypt) in files {
        let options = if *encrypt {
            base.with_deprecated_encryption(password.as_bytes())
                .map_err(std::io::Error::other)?
        } else {
            base
        };
        zip.start_file(name.as_str(), options)
            .map_err(std::io::Error::other)?;
        let mut src = std::fs::File::open(path)?;
        std::io::copy(&mut src, &mut zip)?;
    }
    if let Some(text) = manifest {
        zip.start_file("SHA256SUMS", base)
            .map_err(std::io::Error::other)?;
        zip.write_all(text.as_bytes())?;
    }
    zip.finish().map_err(std::io::Error::other)?;
    Ok(())
}

// ---- the page and the exports ------------------------------------------------------

/// The checklist and the registry for the incident page; empty for readers
/// who may not handle evidence. `own`: the reader and its organisation's
/// members (`external::colleagues`), whose uploads an engaged party sees.
pub(super) async fn views(
    db: &DatabaseConnection,
    model: &HandlingModel,
    actor: &Actor,
    own: &std::collections::HashSet<Uuid>,
    inc: &incident::Model,
) -> ServiceResult<(Vec<ChecklistView>, Vec<EvidenceView>)> {
    let access = access_to(actor, inc);
    if !may_act(&access, IncidentAct::Evidence) {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut items = evidence::Entity::find()
        .filter(evidence::Column::IncidentId.eq(inc.id))
        .order_by_asc(evidence::Column::UploadedAt)
        .all(db)
        .await?;
    items.retain(|e| access.sees_evidence(e.id, own.contains(&e.uploaded_by)));
    let ids: Vec<Uuid> = items.iter().map(|e| e.id).collect();
    let events = custody_event::Entity::find()
        .filter(custody_event::Column::EvidenceId.is_in(ids))
        .order_by_asc(custody_event::Column::Seq)
        .all(db)
        .await?;
    let mut people: Vec<Uuid> = items.iter().map(|e| e.uploaded_by).collect();
    people.extend(events.iter().filter_map(|e| e.actor_id));
    let names: HashMap<Uuid, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(people))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let name_of = |id: Option<Uuid>| id.and_then(|i| names.get(&i).cloned());
    let mut by_item: HashMap<Uuid, Vec<CustodyView>> = HashMap::new();
    for ev in events {
        let Some(kind) = CustodyKind::from_id(&ev.kind) else {
            continue;
        };
        by_item
            .entry(ev.evidence_id)
            .or_default()
            .push(CustodyView {
                seq: ev.seq,
                kind,
                actor: name_of(ev.actor_id),
                at: ev.at,
                from: ev.from_party,
                to: ev.to_party,
                reason: ev.reason,
                detail: ev.detail,
            });
    }
    let file_names: HashMap<Uuid, String> =
        items.iter().map(|e| (e.id, e.file_name.clone())).collect();
    let registry = items
        .into_iter()
        .map(|e| EvidenceView {
            custody: by_item.remove(&e.id).unwrap_or_default(),
            kind: EvidenceKind::from_id(&e.kind).unwrap_or(EvidenceKind::Other),
            integrity: Integrity::from_id(&e.integrity).unwrap_or(Integrity::Unverified),
            uploaded_by: name_of(Some(e.uploaded_by)).unwrap_or_default(),
            id: e.id,
            description: e.description,
            file_name: e.file_name,
            media_type: e.media_type,
            sha256: e.sha256,
            size: e.size.max(0) as u64,
            source_host: e.source_host,
            acquired_how: e.acquired_how,
            acquired_by: e.acquired_by,
            acquired_at: e.acquired_at,
            uploaded_at: e.uploaded_at,
            checklist_item: e.checklist_item_id,
            verified_at: e.verified_at,
        })
        .collect();
    if access != Access::Handler {
        // The checklist is the organisation's own preparation.
        return Ok((Vec::new(), registry));
    }
    let now = Utc::now();
    let checklist = checklist_item::Entity::find()
        .filter(checklist_item::Column::IncidentId.eq(inc.id))
        .order_by_asc(checklist_item::Column::Deadline)
        .all(db)
        .await?
        .into_iter()
        .map(|c| {
            let def = model.log_source(&c.source_id);
            let status = ChecklistStatus::from_id(&c.status).unwrap_or(ChecklistStatus::Open);
            ChecklistView {
                id: c.id,
                source_name: def
                    .map(|d| d.name.clone())
                    .unwrap_or_else(|| playbooks::Label {
                        ja: c.source_id.clone(),
                        en: c.source_id.clone(),
                    }),
                items: def.map(|d| d.items.clone()).unwrap_or_default(),
                default_on: def.is_some_and(|d| d.default_on),
                enable: def.map(|d| d.enable.clone()).unwrap_or(playbooks::Label {
                    ja: String::new(),
                    en: String::new(),
                }),
                source: c.source_id,
                system: c.system,
                window_start: c.window_start,
                retention_days: c.retention_days.max(0) as u32,
                deadline: c.deadline,
                urgency: rules::urgency(status, c.deadline, now),
                status,
                evidence_name: c.evidence_id.and_then(|e| file_names.get(&e).cloned()),
                evidence: c.evidence_id,
                waive_reason: c.waive_reason,
            }
        })
        .collect();
    Ok((checklist, registry))
}

/// The incident's registry for the exports, after the visibility and role
/// checks.
pub async fn for_export(
    db: &DatabaseConnection,
    model: &HandlingModel,
    actor: &Actor,
    human_id: &str,
) -> ServiceResult<(incident::Model, Vec<EvidenceView>)> {
    let inc = visible_incident(db, actor, human_id).await?;
    // Exports are the organisation's: external parties download item by item.
    if !may_act(&access_to(actor, &inc), IncidentAct::Handling) {
        return Err(ServiceError::FORBIDDEN);
    }
    let own = super::external::colleagues(db, actor).await?;
    let (_, registry) = views(db, model, actor, &own, &inc).await?;
    Ok((inc, registry))
}

/// The custody report: every item, its hash and every event, as text.
/// Everything a person typed goes through [`md`], so it can neither start a
/// line of its own nor become Markdown.
pub fn custody_report(inc: &incident::Model, items: &[EvidenceView]) -> String {
    let mut out = String::new();
    let line = |out: &mut String, s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(
        &mut out,
        format!("# Chain of custody — {} {}", inc.human_id, md(&inc.title)),
    );
    line(&mut out, format!("Generated {}", Utc::now().to_rfc3339()));
    line(&mut out, String::new());
    for (n, e) in items.iter().enumerate() {
        line(
            &mut out,
            format!("## {}. {} ({})", n + 1, md(&e.file_name), e.kind.id()),
        );
        line(&mut out, format!("- SHA-256: {}", e.sha256));
        line(
            &mut out,
            format!("- Size: {} bytes; media type {}", e.size, md(&e.media_type)),
        );
        line(&mut out, format!("- Description: {}", md(&e.description)));
        line(&mut out, format!("- Source host: {}", md(&e.source_host)));
        line(
            &mut out,
            format!(
                "- Acquired: {} by {} — {}",
                e.acquired_at.to_rfc3339(),
                md(&e.acquired_by),
                md(&e.acquired_how)
            ),
        );
        line(
            &mut out,
            format!(
                "- Uploaded: {} by {}",
                e.uploaded_at.to_rfc3339(),
                md(&e.uploaded_by)
            ),
        );
        line(&mut out, format!("- Integrity: {}", e.integrity.id()));
        line(&mut out, "- Custody:".into());
        for c in &e.custody {
            line(
                &mut out,
                format!(
                    "  {}. {} {} by {} from [{}] to [{}] reason [{}] {}",
                    c.seq,
                    c.at.to_rfc3339(),
                    c.kind.id(),
                    c.actor.as_deref().map_or_else(|| "system".into(), md),
                    md(&c.from),
                    md(&c.to),
                    md(&c.reason),
                    md(&c.detail)
                ),
            );
        }
        line(&mut out, String::new());
    }
    out
}

/// Text a person typed, as one line of inert Markdown: line breaks and other
/// control characters are shown as `\u{..}` escapes instead of starting a
/// new (forged) line, and the punctuation that makes links, images, HTML,
/// code or emphasis is escaped.
pub fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '!' | '|' | '&' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() || app::domain::form::is_invisible(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// Names inside the bundle: numbered, so two items with one file name
/// never collide.
pub fn bundle_name(n: usize, e: &EvidenceView) -> String {
    format!("{:03}-{}", n + 1, e.file_name)
}
