//! Generating and checking incident reports. A report is built from the
//! incident page its reader gets (`workspace::get`), so it shows nothing
//! its reader may not see: a vendor's report holds what its engagement
//! covers. Generating locks the incident, so the chain head the report
//! commits to is the newest event when it was written; the report is
//! recorded (version, template, language, for whom, its SHA-256 and its
//! manifest) and is an event on the timeline. Checking finds a report by
//! its content and compares its manifest with the database now.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    Set, TransactionTrait,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use app::domain::event::EventKind;
use app::domain::form::ErrorCode;
use app::domain::policy::Actor;
use app::domain::report::{
    Difference, Manifest, ManifestItem, ReportFormat, ReportTemplate, ValidReportRequest,
    Verification, may_see_report, templates_for,
};

use super::error::{ServiceError, ServiceResult};
use super::kernel::{access_to, event};
use super::timeline::detail;
use crate::entity::{evidence, incident, incident_event, report};
use crate::pdf::{self, PdfError};
use crate::reports::{Templates, manifest_block, report_data};

/// A report as handed out.
pub struct Generated {
    pub id: Uuid,
    pub file_name: String,
    pub media_type: &'static str,
    pub body: Vec<u8>,
}

fn file_name_of(human_id: &str, r: &report::Model) -> String {
    let ext = ReportFormat::from_id(&r.format).map_or("md", |f| f.extension());
    format!("{human_id}-{}-v{}.{}.{ext}", r.template, r.version, r.lang)
}

/// Generates a report of an incident from the page its reader gets
/// (`workspace::get`, which the caller passes: this module sits below the
/// workspace). Handlers may write any; an engaged external party the
/// internal and summary reports of what its scope shows; nobody else any.
pub async fn generate(
    db: &DatabaseConnection,
    model: &playbooks::HandlingModel,
    templates: &Templates,
    actor: &Actor,
    detail_view: &app::domain::incident::IncidentDetail,
    req: ValidReportRequest,
) -> ServiceResult<Generated> {
    let txn = db.begin().await?;
    let inc = super::timeline::lock(&txn, detail_view.id)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    if !templates_for(&access_to(actor, &inc)).contains(&req.template) {
        return Err(ServiceError::FORBIDDEN);
    }
    let version = report::Entity::find()
        .filter(report::Column::IncidentId.eq(inc.id))
        .count(&txn)
        .await? as i32
        + 1;
    let now = Utc::now();
    let manifest = Manifest {
        report: Uuid::new_v4(),
        incident: inc.human_id.clone(),
        version,
        template: req.template.id().into(),
        generated_at: now,
        chain_seq: inc.last_event_seq,
        chain_head: inc.last_event_hash.clone(),
        evidence: detail_view
            .evidence
            .iter()
            .map(|e| ManifestItem {
                id: e.id,
                file_name: e.file_name.clone(),
                sha256: e.sha256.clone(),
            })
            .collect(),
    };
    let data = report_data(
        model,
        detail_view,
        req.lang,
        version,
        &actor.display_name,
        &req.audience,
        now,
    );
    let markdown = templates
        .render(
            req.template,
            req.lang,
            &data,
            &manifest_block(&manifest, req.lang),
        )
        .map_err(|e| {
            tracing::error!(error = %e, "report template failed");
            ServiceError::Corrupt("a report template failed to render")
        })?;
    let body = match req.format {
        ReportFormat::Markdown => markdown.into_bytes(),
        ReportFormat::Pdf => {
            let (lang, title) = (req.lang, format!("{} {}", inc.human_id, detail_view.title));
            tokio::task::spawn_blocking(move || pdf::render(&markdown, lang, &title))
                .await
                .map_err(|_| ServiceError::Corrupt("the PDF layout stopped"))?
                .map_err(|e| match e {
                    PdfError::NoJapaneseFont => {
                        ServiceError::field("format", ErrorCode::NoJapaneseFont)
                    }
                    PdfError::Layout(why) => {
                        tracing::error!(error = %why, "a report failed to lay out");
                        ServiceError::Corrupt("a report failed to lay out as PDF")
                    }
                })?
                .bytes
        }
    };
    let sha256 = format!("{:x}", Sha256::digest(&body));
    let recorded = report::ActiveModel {
        id: Set(manifest.report),
        incident_id: Set(inc.id),
        version: Set(version),
        template: Set(req.template.id().into()),
        lang: Set(req.lang.code().into()),
        format: Set(req.format.id().into()),
        audience: Set(req.audience.clone()),
        sha256: Set(sha256.clone()),
        manifest: Set(serde_json::to_string(&manifest).unwrap_or_default()),
        body: Set(body),
        generated_by: Set(actor.id),
        generated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let d = detail([
        ("report", manifest.report.to_string()),
        ("version", version.to_string()),
        ("template", req.template.id().into()),
        ("lang", req.lang.code().into()),
        ("audience", req.audience.clone()),
        ("sha256", sha256),
    ]);
    event(&txn, &inc, actor, EventKind::ReportGenerated, None, d).await?;
    txn.commit().await?;
    Ok(Generated {
        id: recorded.id,
        file_name: file_name_of(&inc.human_id, &recorded),
        media_type: req.format.media_type(),
        body: recorded.body,
    })
}

/// A generated report, to download again.
pub async fn download(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<Generated> {
    let r = report::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    let inc = incident::Entity::find_by_id(r.incident_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    if !may_see_report(&access_to(actor, &inc), r.generated_by, actor.id) {
        return Err(ServiceError::NOT_FOUND);
    }
    let format =
        ReportFormat::from_id(&r.format).ok_or(ServiceError::Corrupt("a report's format"))?;
    Ok(Generated {
        id: r.id,
        file_name: file_name_of(&inc.human_id, &r),
        media_type: format.media_type(),
        body: r.body,
    })
}

/// The reports of an incident the reader may see, newest first.
pub(super) async fn records(
    db: &DatabaseConnection,
    actor: &Actor,
    inc: &incident::Model,
) -> ServiceResult<Vec<app::domain::report::ReportRecord>> {
    use sea_orm::{QueryOrder, QuerySelect};
    let access = access_to(actor, inc);
    if templates_for(&access).is_empty() {
        return Ok(Vec::new());
    }
    let rows = report::Entity::find()
        .select_only()
        .columns([
            report::Column::Id,
            report::Column::Version,
            report::Column::Template,
            report::Column::Lang,
            report::Column::Format,
            report::Column::Audience,
            report::Column::Sha256,
            report::Column::GeneratedBy,
            report::Column::GeneratedAt,
        ])
        .filter(report::Column::IncidentId.eq(inc.id))
        .order_by_desc(report::Column::Version)
        .into_model::<Listed>()
        .all(db)
        .await?;
    let mut ids: Vec<Uuid> = rows.iter().map(|r| r.generated_by).collect();
    ids.sort();
    ids.dedup();
    let names: std::collections::HashMap<Uuid, String> = crate::entity::user::Entity::find()
        .filter(crate::entity::user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    Ok(rows
        .into_iter()
        .filter(|r| may_see_report(&access, r.generated_by, actor.id))
        .filter_map(|r| {
            Some(app::domain::report::ReportRecord {
                id: r.id,
                version: r.version,
                template: ReportTemplate::from_id(&r.template)?,
                lang: r.lang,
                format: r.format,
                audience: r.audience,
                sha256: r.sha256,
                generated_by: names.get(&r.generated_by).cloned().unwrap_or_default(),
                generated_at: r.generated_at,
            })
        })
        .collect())
}

/// A report's row without its file.
#[derive(sea_orm::FromQueryResult)]
struct Listed {
    id: Uuid,
    version: i32,
    template: String,
    lang: String,
    format: String,
    audience: String,
    sha256: String,
    generated_by: Uuid,
    generated_at: chrono::DateTime<Utc>,
}

/// Checks a report file against the database: it must be one we
/// generated (by its SHA-256), its incident's timeline must still hold
/// the event it committed to and verify up to it, and every evidence item
/// it lists must still carry the hash it printed.
pub async fn verify(db: &DatabaseConnection, content: &[u8]) -> ServiceResult<Verification> {
    verify_hash(db, &format!("{:x}", Sha256::digest(content))).await
}

/// [`verify`] of the file with this SHA-256 (lowercase hex), as the
/// verification page asks: for the internal handling roles.
pub async fn verify_for(
    db: &DatabaseConnection,
    actor: &Actor,
    sha256: &str,
) -> ServiceResult<Verification> {
    if !app::domain::policy::may(actor, app::domain::policy::Action::VerifyReports) {
        return Err(ServiceError::FORBIDDEN);
    }
    verify_hash(db, &sha256.trim().to_ascii_lowercase()).await
}

async fn verify_hash(db: &DatabaseConnection, sha256: &str) -> ServiceResult<Verification> {
    let sha256 = sha256.to_string();
    let Some(row) = report::Entity::find()
        .filter(report::Column::Sha256.eq(sha256.clone()))
        .one(db)
        .await?
    else {
        return Ok(Verification {
            manifest: None,
            differences: vec![Difference::UnknownReport(sha256)],
        });
    };
    let manifest: Manifest = serde_json::from_str(&row.manifest)
        .map_err(|_| ServiceError::Corrupt("a report's stored manifest"))?;
    let mut differences = Vec::new();
    if incident::Entity::find_by_id(row.incident_id)
        .one(db)
        .await?
        .is_none()
    {
        differences.push(Difference::IncidentMissing(manifest.incident.clone()));
        return Ok(Verification {
            manifest: Some(manifest),
            differences,
        });
    }
    let head = incident_event::Entity::find()
        .filter(incident_event::Column::IncidentId.eq(row.incident_id))
        .filter(incident_event::Column::Seq.eq(manifest.chain_seq))
        .one(db)
        .await?;
    if head.is_none_or(|e| e.hash != manifest.chain_head) {
        differences.push(Difference::ChainHeadChanged(manifest.chain_seq));
    }
    if let Some(b) = super::timeline::verify_one(db, row.incident_id).await? {
        differences.push(Difference::ChainBroken(b.seq, b.problem));
    }
    for item in &manifest.evidence {
        let now = evidence::Entity::find_by_id(item.id)
            .one(db)
            .await?
            .map(|e| e.sha256);
        if now.as_deref() != Some(item.sha256.as_str()) {
            differences.push(Difference::EvidenceChanged(item.file_name.clone(), now));
        }
    }
    Ok(Verification {
        manifest: Some(manifest),
        differences,
    })
}
