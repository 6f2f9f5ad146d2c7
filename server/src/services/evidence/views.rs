//! What the incident page, the custody report and the evidence bundle show
//! of the registry and the checklist.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use app::domain::evidence::{
    self as rules, ChecklistStatus, ChecklistView, CustodyKind, CustodyView, EvidenceKind,
    EvidenceView, Integrity,
};
use app::domain::policy::Actor;
use playbooks::HandlingModel;

use crate::entity::{checklist_item, custody_event, evidence, incident, user};
use crate::services::error::{ServiceError, ServiceResult};
use crate::services::kernel::{access_to, visible_incident};
use app::domain::policy::{Access, IncidentAct, may_act};

/// The checklist and the registry for the incident page; empty for readers
/// who may not handle evidence. `own`: the reader and its organisation's
/// members (`external::colleagues`), whose uploads an engaged party sees.
pub(in crate::services) async fn views(
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
    let attacker = inc.attacker_type.as_deref();
    let mut checklist: Vec<ChecklistView> = checklist_item::Entity::find()
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
                recommended: def.and_then(|d| d.retention_online),
                events: def.map(|d| d.events.clone()).unwrap_or_default(),
                importance: attacker
                    .and_then(|a| def.and_then(|d| d.importance.for_attacker(a)))
                    .map(str::to_string),
                deadline: c.deadline,
                urgency: rules::urgency(status, c.deadline, now),
                status,
                evidence_name: c.evidence_id.and_then(|e| file_names.get(&e).cloned()),
                evidence: c.evidence_id,
                waive_reason: c.waive_reason,
            }
        })
        .collect();
    // Against a known attacker type, the sources that matter most come
    // first (seed 001's table); within a level, the earliest deadline.
    if attacker.is_some() {
        checklist.sort_by_key(|c| {
            c.importance
                .as_deref()
                .map_or(usize::MAX, playbooks::Importance::rank)
        });
    }
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
    let own = crate::services::external::colleagues(db, actor).await?;
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
