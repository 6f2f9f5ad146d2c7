//! Handing out stored files: who may download which item, the custody event
//! each download records, and zips (samples encrypted with the customary
//! password).

use app::domain::event::EventKind;
use std::io::Write;

use sea_orm::{DatabaseConnection, EntityTrait, TransactionTrait};
use uuid::Uuid;

use app::domain::evidence::{CustodyKind, EvidenceKind, Integrity};
use app::domain::policy::Actor;

use super::registry::custody;
use crate::entity::{evidence, incident};
use crate::evidence_store::EvidenceStore;
use crate::services::error::{OrCorrupt, ServiceError, ServiceResult};
use crate::services::kernel::{access_to, visible_incident};
use crate::services::timeline::detail;
use app::domain::policy::{IncidentAct, may_act};

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

/// The item, if the reader may handle it (see [`kind_for`]).
pub(in crate::services) async fn authorised(
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
    let own = crate::services::external::colleagues(db, actor).await?;
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
    let inc = crate::services::timeline::lock(&txn, e.incident_id)
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
    crate::services::timeline::append(
        &txn,
        &inc,
        Some(actor.id),
        EventKind::EvidenceDownloaded,
        None,
        d,
    )
    .await?;
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
