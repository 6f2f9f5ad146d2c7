//! External parties: the administrator's organisations, the officer's
//! engagements on an incident, the vendor's full-investigation report, and
//! the grants that the session middleware puts on every external actor.
//! What an external user may see and do is decided by `policy::access` from
//! those grants; this module only stores and reads them.

use crate::mail::MailKind;
use app::domain::event::EventKind;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use app::domain::external::{
    EngagementView, Grant, OrgKind, OrganisationView, ReportParts, ReportView, Scope,
    ValidEngagement, ValidOrganisation, state,
};
use app::domain::form::ErrorCode;
use app::domain::policy::{Action, Actor, may};
use app::domain::workflow::{Edit, Facts, Refusal, TaskStatus, may_edit};
use app::domain::{AppError, Phase, Role};
use app::i18n::{Lang, scope_text};

use super::audit;
use super::error::{OrCorrupt, ServiceError, ServiceResult};
use super::kernel::event;
use super::timeline::detail;
use crate::entity::{
    engagement, evidence, incident, investigation_report, organisation, task, user,
};

/// Engagements in force now for an organisation, as the actor carries them.
pub async fn grants_of(
    db: &impl ConnectionTrait,
    organisation_id: Uuid,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<Grant>> {
    let Some(org) = organisation::Entity::find_by_id(organisation_id)
        .one(db)
        .await?
    else {
        return Ok(vec![]);
    };
    let kind = OrgKind::from_id(&org.kind).or_corrupt("organisation.kind")?;
    let rows = engagement::Entity::find()
        .filter(engagement::Column::OrganisationId.eq(organisation_id))
        .filter(engagement::Column::ExpiresAt.gt(now))
        .filter(engagement::Column::StartsAt.lte(now))
        .filter(engagement::Column::RevokedAt.is_null())
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|e| Grant {
            engagement: e.id,
            incident: e.incident_id,
            kind,
            scope: scope_of(&e),
            expires_at: e.expires_at,
        })
        .collect())
}

fn scope_of(e: &engagement::Model) -> Scope {
    Scope {
        phases: e
            .phases
            .split(',')
            .filter_map(|p| Phase::from_id(p.trim()))
            .collect(),
        evidence: e.see_evidence,
        evidence_items: e
            .evidence_items
            .split(',')
            .filter_map(|s| Uuid::parse_str(s.trim()).ok())
            .collect(),
        containment: e.see_containment,
        timeline: e.see_timeline,
    }
}

fn join<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    items.iter().map(f).collect::<Vec<_>>().join(",")
}

// ---- organisations ----------------------------------------------------------------

pub async fn organisations(
    db: &DatabaseConnection,
    actor: &Actor,
) -> ServiceResult<Vec<OrganisationView>> {
    if !may(actor, Action::SeeOrganisations) {
        return Err(ServiceError::FORBIDDEN);
    }
    all_organisations(db).await
}

/// Every organisation with its members; also the engagement form's choices.
pub(super) async fn all_organisations(
    db: &impl ConnectionTrait,
) -> ServiceResult<Vec<OrganisationView>> {
    let orgs = organisation::Entity::find()
        .order_by_asc(organisation::Column::NameEn)
        .all(db)
        .await?;
    let mut members: HashMap<Uuid, Vec<String>> = HashMap::new();
    for u in user::Entity::find()
        .filter(user::Column::OrganisationId.is_not_null())
        .order_by_asc(user::Column::Username)
        .all(db)
        .await?
    {
        if let Some(o) = u.organisation_id {
            members.entry(o).or_default().push(u.display_name);
        }
    }
    Ok(orgs
        .into_iter()
        .filter_map(|o| {
            Some(OrganisationView {
                id: o.id,
                kind: OrgKind::from_id(&o.kind)?,
                members: members.remove(&o.id).unwrap_or_default(),
                name_ja: o.name_ja,
                name_en: o.name_en,
                contract_ref: o.contract_ref,
                contact: o.contact,
            })
        })
        .collect())
}

pub async fn create_organisation(
    db: &DatabaseConnection,
    actor: &Actor,
    o: ValidOrganisation,
) -> ServiceResult<Uuid> {
    if !may(actor, Action::ManageOrganisations) {
        return Err(ServiceError::FORBIDDEN);
    }
    let id = Uuid::new_v4();
    let txn = crate::db::begin_write(db).await?;
    organisation::ActiveModel {
        id: Set(id),
        name_ja: Set(o.name_ja.clone()),
        name_en: Set(o.name_en.clone()),
        kind: Set(o.kind.id().into()),
        contract_ref: Set(o.contract_ref.clone()),
        contact: Set(o.contact.clone()),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    crate::integrity::seal(&txn, crate::integrity::Covered::Organisation(id)).await?;
    audit::record(
        &txn,
        Some(actor.id),
        "organisation_created",
        "organisation",
        id,
        json!({ "name_ja": o.name_ja, "name_en": o.name_en, "kind": o.kind.id(),
                "contract_ref": o.contract_ref }),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Whether an organisation exists (for the user form's check).
pub async fn organisation_exists(db: &impl ConnectionTrait, id: Uuid) -> ServiceResult<bool> {
    Ok(organisation::Entity::find_by_id(id)
        .one(db)
        .await?
        .is_some())
}

async fn members_of(conn: &impl ConnectionTrait, org: Uuid) -> Result<Vec<Uuid>, sea_orm::DbErr> {
    Ok(user::Entity::find()
        .filter(user::Column::OrganisationId.eq(org))
        .filter(user::Column::IsActive.eq(true))
        .all(conn)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect())
}

// ---- engagements ----------------------------------------------------------------

/// The officer engages an organisation on the incident.
pub(super) async fn engage(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    v: ValidEngagement,
) -> ServiceResult<()> {
    may_edit(&actor.roles, f, &Edit::Engage)?;
    let Some(org) = organisation::Entity::find_by_id(v.organisation)
        .one(txn)
        .await?
    else {
        return Err(ServiceError::field(
            "organisation",
            ErrorCode::InvalidChoice,
        ));
    };
    if !v.scope.evidence_items.is_empty() {
        let found = evidence::Entity::find()
            .filter(evidence::Column::IncidentId.eq(inc.id))
            .filter(evidence::Column::Id.is_in(v.scope.evidence_items.clone()))
            .all(txn)
            .await?
            .len();
        if found != v.scope.evidence_items.len() {
            return Err(ServiceError::field(
                "evidence_items",
                ErrorCode::InvalidChoice,
            ));
        }
    }
    let id = Uuid::new_v4();
    let now = Utc::now();
    engagement::ActiveModel {
        id: Set(id),
        incident_id: Set(inc.id),
        organisation_id: Set(org.id),
        phases: Set(join(&v.scope.phases, |p| p.id().to_string())),
        see_evidence: Set(v.scope.evidence),
        evidence_items: Set(join(&v.scope.evidence_items, Uuid::to_string)),
        see_containment: Set(v.scope.containment),
        see_timeline: Set(v.scope.timeline),
        starts_at: Set(v.starts_at),
        expires_at: Set(v.expires_at),
        granted_by: Set(actor.id),
        created_at: Set(now),
        revoked_at: Set(None),
        revoked_by: Set(None),
        revoke_reason: Set(None),
        expiry_mailed_at: Set(None),
    }
    .insert(txn)
    .await?;
    crate::integrity::seal(txn, crate::integrity::Covered::Engagement(id)).await?;
    let (ja, en) = (
        scope_text(Lang::Ja, &v.scope),
        scope_text(Lang::En, &v.scope),
    );
    let d = detail([
        ("engagement", id.to_string()),
        ("organisation", org.name_en.clone()),
        ("scope", en.clone()),
        ("starts_at", v.starts_at.to_rfc3339()),
        ("expires_at", v.expires_at.to_rfc3339()),
    ]);
    event(txn, inc, actor, EventKind::EngagementGranted, None, d).await?;
    let to = members_of(txn, org.id).await?;
    let until_ja = format!("{ja}（{} まで）", v.expires_at.format("%Y-%m-%d %H:%M UTC"));
    let until_en = format!("{en} (until {})", v.expires_at.format("%Y-%m-%d %H:%M UTC"));
    let about = crate::mail::About {
        human_id: &inc.human_id,
        title: &inc.title,
        detail: (&until_ja, &until_en),
    };
    crate::mail::enqueue(txn, &to, MailKind::EngagementGranted, &about).await?;
    Ok(())
}

/// The officer ends an engagement now. The organisation's users lose access
/// at their next request: their grants are read afresh each time.
pub(super) async fn revoke(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    id: Uuid,
    reason: String,
) -> ServiceResult<()> {
    may_edit(&actor.roles, f, &Edit::Revoke)?;
    let e = engagement::Entity::find_by_id(id)
        .filter(engagement::Column::IncidentId.eq(inc.id))
        .one(txn)
        .await?
        .ok_or(ServiceError::App(AppError::NotFound))?;
    let reason =
        app::domain::form::required_text("reason", &reason, 2_000).map_err(ServiceError::Fields)?;
    let now = Utc::now();
    if state(e.starts_at, e.expires_at, e.revoked_at, now).is_ended() {
        return Err(ServiceError::Rule(Refusal::NotNow));
    }
    let org = organisation::Entity::find_by_id(e.organisation_id)
        .one(txn)
        .await?
        .map(|o| o.name_en)
        .unwrap_or_default();
    let engagement = e.id;
    let mut m: engagement::ActiveModel = e.into();
    m.revoked_at = Set(Some(now));
    m.revoked_by = Set(Some(actor.id));
    m.revoke_reason = Set(Some(reason.clone()));
    m.update(txn).await?;
    crate::integrity::seal(txn, crate::integrity::Covered::Engagement(id)).await?;
    let d = detail([
        ("engagement", engagement.to_string()),
        ("organisation", org),
        ("reason", reason),
    ]);
    event(txn, inc, actor, EventKind::EngagementRevoked, None, d).await
}

/// The vendor submits (or revises) its full-investigation report. The
/// report feeds phase F; submitting it completes the vendor's open tasks of
/// phase E. Every version stays in the timeline.
pub(super) async fn submit_report(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    parts: ReportParts,
) -> ServiceResult<()> {
    may_edit(&actor.roles, f, &Edit::Report)?;
    let Some(grant) = actor
        .grants
        .iter()
        .find(|g| g.incident == inc.id && g.scope.may_report(g.kind))
    else {
        return Err(ServiceError::App(AppError::Forbidden));
    };
    let now = Utc::now();
    let existing = investigation_report::Entity::find()
        .filter(investigation_report::Column::EngagementId.eq(grant.engagement))
        .one(txn)
        .await?;
    let revised = existing.is_some();
    let mut m = match existing {
        Some(r) => r.into_active_model(),
        None => investigation_report::ActiveModel {
            id: Set(Uuid::new_v4()),
            engagement_id: Set(grant.engagement),
            incident_id: Set(inc.id),
            ..Default::default()
        },
    };
    m.intrusion_path = Set(parts.intrusion_path.clone());
    m.spread = Set(parts.spread.clone());
    m.exfiltration = Set(parts.exfiltration.clone());
    m.recovery = Set(parts.recovery.clone());
    m.submitted_by = Set(actor.id);
    m.submitted_at = Set(now);
    let saved = if revised {
        m.update(txn).await?
    } else {
        m.insert(txn).await?
    };
    crate::integrity::seal(txn, crate::integrity::Covered::Report(saved.id)).await?;
    let d = detail([
        ("engagement", grant.engagement.to_string()),
        ("intrusion_path", parts.intrusion_path),
        ("spread", parts.spread),
        ("exfiltration", parts.exfiltration),
        ("recovery", parts.recovery),
        ("revised", revised.to_string()),
    ]);
    event(
        txn,
        inc,
        actor,
        EventKind::InvestigationReportSubmitted,
        None,
        d,
    )
    .await?;
    // The report is the output of the vendor's technical investigation.
    let open = task::Entity::find()
        .filter(task::Column::IncidentId.eq(inc.id))
        .filter(task::Column::Phase.eq(Phase::E.id()))
        .filter(task::Column::Role.eq(Role::ExternalSpecialist.id()))
        .filter(task::Column::Status.is_in([TaskStatus::Open.id(), TaskStatus::InProgress.id()]))
        .all(txn)
        .await?;
    for t in open {
        let (tid, action_id, before) = (t.id, t.action_id.clone(), t.status.clone());
        let mut m: task::ActiveModel = t.into();
        m.status = Set(TaskStatus::Done.id().into());
        m.output_note = Set(Some(
            "Full-investigation report submitted / 本格調査報告書を提出".into(),
        ));
        m.done_by = Set(Some(actor.id));
        m.done_at = Set(Some(now));
        m.updated_at = Set(now);
        m.update(txn).await?;
        let inc = incident::Entity::find_by_id(inc.id)
            .one(txn)
            .await?
            .ok_or(ServiceError::App(AppError::NotFound))?;
        event(
            txn,
            &inc,
            actor,
            EventKind::TaskUpdated,
            Some(tid),
            detail([
                ("task", action_id),
                ("status.before", before),
                ("status.after", TaskStatus::Done.id().into()),
                ("note", "investigation report".into()),
            ]),
        )
        .await?;
    }
    Ok(())
}

/// The incident's engagements and reports, for handlers.
pub(super) async fn views(
    db: &DatabaseConnection,
    incident: Uuid,
    name: &impl Fn(Option<Uuid>) -> Option<String>,
) -> ServiceResult<(Vec<EngagementView>, Vec<ReportView>)> {
    let rows = engagement::Entity::find()
        .filter(engagement::Column::IncidentId.eq(incident))
        .order_by_asc(engagement::Column::CreatedAt)
        .all(db)
        .await?;
    let orgs: HashMap<Uuid, organisation::Model> = organisation::Entity::find()
        .filter(
            organisation::Column::Id
                .is_in(rows.iter().map(|r| r.organisation_id).collect::<Vec<_>>()),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let now = Utc::now();
    let mut engagements = Vec::new();
    let mut org_of = HashMap::new();
    for e in &rows {
        let Some(o) = orgs.get(&e.organisation_id) else {
            continue;
        };
        org_of.insert(e.id, o.name_en.clone());
        engagements.push(EngagementView {
            id: e.id,
            organisation: o.name_en.clone(),
            organisation_ja: o.name_ja.clone(),
            kind: OrgKind::from_id(&o.kind).or_corrupt("organisation.kind")?,
            scope: scope_of(e),
            starts_at: e.starts_at,
            expires_at: e.expires_at,
            state: state(e.starts_at, e.expires_at, e.revoked_at, now),
            granted_by: name(Some(e.granted_by)),
            revoked_by: name(e.revoked_by),
            revoke_reason: e.revoke_reason.clone(),
        });
    }
    let reports = investigation_report::Entity::find()
        .filter(investigation_report::Column::IncidentId.eq(incident))
        .order_by_asc(investigation_report::Column::SubmittedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|r| ReportView {
            engagement: r.engagement_id,
            organisation: org_of.get(&r.engagement_id).cloned().unwrap_or_default(),
            submitted_by: name(Some(r.submitted_by)),
            submitted_at: r.submitted_at,
            parts: parts_of(r),
        })
        .collect();
    Ok((engagements, reports))
}

/// People who submitted reports, for the page's name lookup.
pub(super) async fn people_on(db: &DatabaseConnection, incident: Uuid) -> ServiceResult<Vec<Uuid>> {
    let mut ids: Vec<Uuid> = engagement::Entity::find()
        .filter(engagement::Column::IncidentId.eq(incident))
        .all(db)
        .await?
        .into_iter()
        .flat_map(|e| [Some(e.granted_by), e.revoked_by])
        .flatten()
        .collect();
    ids.extend(
        investigation_report::Entity::find()
            .filter(investigation_report::Column::IncidentId.eq(incident))
            .all(db)
            .await?
            .into_iter()
            .map(|r| r.submitted_by),
    );
    Ok(ids)
}

/// Engagements that end within the warning time and were not announced:
/// used by the reminder scanner.
pub(super) fn expiring(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(engagement::Column::RevokedAt.is_null())
        .add(engagement::Column::ExpiryMailedAt.is_null())
        .add(engagement::Column::ExpiresAt.gt(now))
        .add(engagement::Column::ExpiresAt.lte(now + app::domain::external::EXPIRY_WARNING))
}

/// The report last submitted under an engagement.
pub(super) async fn report_of(
    db: &DatabaseConnection,
    engagement: Uuid,
) -> ServiceResult<Option<ReportParts>> {
    Ok(investigation_report::Entity::find()
        .filter(investigation_report::Column::EngagementId.eq(engagement))
        .one(db)
        .await?
        .map(parts_of))
}

fn parts_of(r: investigation_report::Model) -> ReportParts {
    ReportParts {
        intrusion_path: r.intrusion_path,
        spread: r.spread,
        exfiltration: r.exfiltration,
        recovery: r.recovery,
    }
}

/// The reader and the other members of its organisation: what they uploaded
/// is the organisation's own. Only the reader for someone in none.
pub(super) async fn colleagues(
    conn: &impl ConnectionTrait,
    actor: &Actor,
) -> ServiceResult<std::collections::HashSet<Uuid>> {
    let mut out = std::collections::HashSet::from([actor.id]);
    if actor.grants.is_empty() {
        return Ok(out);
    }
    let org = user::Entity::find_by_id(actor.id)
        .one(conn)
        .await?
        .and_then(|u| u.organisation_id);
    if let Some(org) = org {
        out.extend(members_of(conn, org).await?);
    }
    Ok(out)
}
