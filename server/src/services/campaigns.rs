//! Confirmed campaigns (攻撃キャンペーン): the officer confirms a proposal
//! (or starts one), names it, records the threat actor and techniques, and
//! adds or removes incidents. Each link is an event on the incident's
//! timeline and every change an audit record. The page is built from what
//! the reader sees of each incident (`workspace::get`), so a campaign never
//! shows more of an incident than the incident page does.

use std::collections::BTreeSet;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use app::domain::campaign::{
    CampaignMember, CampaignSummary, CampaignView, INCIDENTS_MAX, ValidCampaign, combine,
};
use app::domain::classification::Tlp;
use app::domain::event::EventKind;
use app::domain::form::{ErrorCode, FieldError, FormResult};
use app::domain::policy::{Action, Actor, may};

use super::audit;
use super::error::{OrCorrupt, ServiceError, ServiceResult};
use super::kernel::{event, visible_incident};
use super::timeline::detail;
use crate::entity::{campaign, campaign_incident, incident};

fn invalid<T>(field: &str, code: ErrorCode) -> ServiceResult<FormResult<T>> {
    Ok(FormResult::Invalid(vec![FieldError {
        field: field.into(),
        code,
    }]))
}

fn may_manage(actor: &Actor) -> ServiceResult<()> {
    super::kernel::require(actor, Action::ManageIntel)
}

/// The incidents named by human id (one per line, comma or space), each
/// once; a name the reader cannot see is named in the error like a missing
/// one.
async fn members(
    conn: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
    names: &str,
) -> ServiceResult<Result<Vec<incident::Model>, ErrorCode>> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for name in names
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        let name = name.to_uppercase();
        if !seen.insert(name.clone()) {
            continue;
        }
        if out.len() >= INCIDENTS_MAX {
            return Ok(Err(ErrorCode::TooManyLines(INCIDENTS_MAX)));
        }
        match visible_incident(conn, actor, &name).await {
            Ok(i) => out.push(i),
            Err(ServiceError::App(app::domain::AppError::NotFound)) => {
                return Ok(Err(ErrorCode::UnknownIncident(
                    name.chars().take(40).collect(),
                )));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Ok(out))
}

async fn link(
    txn: &DatabaseTransaction,
    actor: &Actor,
    c: &campaign::Model,
    inc: &incident::Model,
) -> ServiceResult<()> {
    campaign_incident::ActiveModel {
        campaign_id: Set(c.id),
        incident_id: Set(inc.id),
        added_by: Set(actor.id),
        added_at: Set(Utc::now()),
    }
    .insert(txn)
    .await?;
    let d = detail([("campaign", c.name.clone())]);
    event(txn, inc, actor, EventKind::CampaignLinked, None, d).await
}

/// Confirms a campaign of these incidents (human ids), named and described.
pub async fn confirm(
    db: &DatabaseConnection,
    actor: &Actor,
    v: ValidCampaign,
    incidents: &str,
) -> ServiceResult<FormResult<Uuid>> {
    may_manage(actor)?;
    let txn = crate::db::begin_write(db).await?;
    let list = match members(&txn, actor, incidents).await? {
        Ok(l) if l.is_empty() => return invalid("incidents", ErrorCode::Required),
        Ok(l) => l,
        Err(code) => return invalid("incidents", code),
    };
    let now = Utc::now();
    let c = campaign::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(v.name.clone()),
        description: Set(v.description.clone()),
        threat_actor: Set(v.threat_actor.clone()),
        techniques: Set(v.techniques.join("\n")),
        tlp: Set(v.tlp.id().into()),
        created_by: Set(actor.id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    for inc in &list {
        link(&txn, actor, &c, inc).await?;
    }
    audit::record(
        &txn,
        Some(actor.id),
        "campaign_confirmed",
        "campaign",
        c.id,
        serde_json::json!({
            "name": v.name,
            "incidents": list.iter().map(|i| i.human_id.clone()).collect::<Vec<_>>(),
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(FormResult::Done(c.id))
}

async fn find(conn: &impl sea_orm::ConnectionTrait, id: Uuid) -> ServiceResult<campaign::Model> {
    campaign::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ServiceError::NOT_FOUND)
}

/// Renames and redescribes a campaign.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    v: ValidCampaign,
) -> ServiceResult<FormResult<()>> {
    may_manage(actor)?;
    let txn = crate::db::begin_write(db).await?;
    let c = find(&txn, id).await?;
    let before = serde_json::json!({
        "name": c.name, "threat_actor": c.threat_actor, "tlp": c.tlp,
    });
    let mut m: campaign::ActiveModel = c.into();
    m.name = Set(v.name.clone());
    m.description = Set(v.description.clone());
    m.threat_actor = Set(v.threat_actor.clone());
    m.techniques = Set(v.techniques.join("\n"));
    m.tlp = Set(v.tlp.id().into());
    m.updated_at = Set(Utc::now());
    m.update(&txn).await?;
    audit::record(
        &txn,
        Some(actor.id),
        "campaign_updated",
        "campaign",
        id,
        serde_json::json!({
            "before": before,
            "name": v.name, "threat_actor": v.threat_actor, "tlp": v.tlp.id(),
            "techniques": v.techniques,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(FormResult::Done(()))
}

/// Adds incidents (human ids) to a campaign; one already in it is left be.
pub async fn add_incidents(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    incidents: &str,
) -> ServiceResult<FormResult<()>> {
    may_manage(actor)?;
    let txn = crate::db::begin_write(db).await?;
    let c = find(&txn, id).await?;
    let list = match members(&txn, actor, incidents).await? {
        Ok(l) if l.is_empty() => return invalid("incidents", ErrorCode::Required),
        Ok(l) => l,
        Err(code) => return invalid("incidents", code),
    };
    let already: BTreeSet<Uuid> = linked(&txn, id).await?.into_iter().collect();
    let mut added = Vec::new();
    for inc in list.iter().filter(|i| !already.contains(&i.id)) {
        link(&txn, actor, &c, inc).await?;
        added.push(inc.human_id.clone());
    }
    if !added.is_empty() {
        touch(&txn, c.clone()).await?;
        audit::record(
            &txn,
            Some(actor.id),
            "campaign_incidents_added",
            "campaign",
            id,
            serde_json::json!({ "incidents": added }),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(FormResult::Done(()))
}

/// Takes an incident out of a campaign.
pub async fn remove_incident(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    human_id: &str,
) -> ServiceResult<()> {
    may_manage(actor)?;
    let txn = crate::db::begin_write(db).await?;
    let c = find(&txn, id).await?;
    let inc = visible_incident(&txn, actor, human_id).await?;
    let gone = campaign_incident::Entity::delete_many()
        .filter(campaign_incident::Column::CampaignId.eq(id))
        .filter(campaign_incident::Column::IncidentId.eq(inc.id))
        .exec(&txn)
        .await?;
    if gone.rows_affected == 0 {
        return Err(ServiceError::NOT_FOUND);
    }
    let d = detail([("campaign", c.name.clone())]);
    event(&txn, &inc, actor, EventKind::CampaignUnlinked, None, d).await?;
    touch(&txn, c).await?;
    audit::record(
        &txn,
        Some(actor.id),
        "campaign_incident_removed",
        "campaign",
        id,
        serde_json::json!({ "incident": inc.human_id }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

async fn touch(txn: &DatabaseTransaction, c: campaign::Model) -> ServiceResult<()> {
    let mut m: campaign::ActiveModel = c.into();
    m.updated_at = Set(Utc::now());
    m.update(txn).await?;
    Ok(())
}

async fn linked(conn: &impl sea_orm::ConnectionTrait, id: Uuid) -> ServiceResult<Vec<Uuid>> {
    use sea_orm::QuerySelect;
    Ok(campaign_incident::Entity::find()
        .select_only()
        .column(campaign_incident::Column::IncidentId)
        .filter(campaign_incident::Column::CampaignId.eq(id))
        .into_tuple()
        .all(conn)
        .await?)
}

/// The campaigns, newest change first: the handlers'.
pub async fn list(db: &DatabaseConnection, actor: &Actor) -> ServiceResult<Vec<CampaignSummary>> {
    super::kernel::require(actor, Action::SeeIntel)?;
    let rows = campaign::Entity::find()
        .order_by_desc(campaign::Column::UpdatedAt)
        .all(db)
        .await?;
    let links = campaign_incident::Entity::find().all(db).await?;
    Ok(rows
        .into_iter()
        .map(|c| CampaignSummary {
            incidents: links.iter().filter(|l| l.campaign_id == c.id).count(),
            id: c.id,
            name: c.name,
            threat_actor: c.threat_actor,
            updated_at: c.updated_at,
        })
        .collect())
}

fn valid_of(c: &campaign::Model) -> ServiceResult<ValidCampaign> {
    Ok(ValidCampaign {
        name: c.name.clone(),
        description: c.description.clone(),
        threat_actor: c.threat_actor.clone(),
        techniques: c
            .techniques
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        tlp: Tlp::from_id(&c.tlp).or_corrupt("campaign.tlp")?,
    })
}

/// What the reader sees of each incident of the campaign, oldest first.
async fn member_details(
    db: &DatabaseConnection,
    model: &playbooks::HandlingModel,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<Vec<app::domain::incident::IncidentDetail>> {
    let ids = linked(db, id).await?;
    let mut incidents = incident::Entity::find()
        .filter(incident::Column::Id.is_in(ids))
        .order_by_asc(incident::Column::CreatedAt)
        .all(db)
        .await?;
    incidents.retain(|i| app::domain::policy::may_view_incident(actor, super::kernel::facts_of(i)));
    let mut out = Vec::with_capacity(incidents.len());
    for i in incidents {
        out.push(super::workspace::get(db, model, actor, &i.human_id).await?);
    }
    Ok(out)
}

/// The campaign page.
pub async fn view(
    db: &DatabaseConnection,
    model: &playbooks::HandlingModel,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<CampaignView> {
    super::kernel::require(actor, Action::SeeIntel)?;
    let c = find(db, id).await?;
    let details = member_details(db, model, actor, id).await?;
    let (shared, stages, techniques_seen, timeline) = combine(&details);
    Ok(CampaignView {
        id: c.id,
        campaign: valid_of(&c)?,
        created_at: c.created_at,
        updated_at: c.updated_at,
        incidents: details
            .iter()
            .map(|d| CampaignMember {
                human_id: d.human_id.clone(),
                title: d.title.clone(),
                phase: d.phase,
                severity: d.severity,
                stages: d.attack_stages.clone(),
                created_at: d.created_at,
            })
            .collect(),
        shared,
        stages,
        techniques_seen,
        timeline,
        may_manage: may(actor, Action::ManageIntel),
    })
}

/// The campaign as a STIX 2.1 bundle: each incident's objects (as its own
/// export makes them, nothing above `share_up_to`), the `campaign`, its
/// `threat-actor` and `attack-pattern`s, and the relationships: indicators
/// `indicates` the campaign, the campaign `attributed-to` the actor and
/// `uses` the techniques. Recorded in the audit trail.
pub async fn export_stix(
    db: &DatabaseConnection,
    model: &playbooks::HandlingModel,
    actor: &Actor,
    id: Uuid,
    organisation: &str,
    share_up_to: Tlp,
) -> ServiceResult<(String, serde_json::Value)> {
    let page = view(db, model, actor, id).await?;
    let mut bundles = Vec::new();
    for m in &page.incidents {
        let inc = visible_incident(db, actor, &m.human_id).await?;
        bundles.push(
            super::observables::stix_bundle(db, actor, &inc, &[], organisation, share_up_to)
                .await?,
        );
    }
    let first = page.incidents.iter().map(|m| m.created_at).min();
    let last = page.incidents.iter().map(|m| m.created_at).max();
    let export = crate::stix::CampaignExport {
        organisation,
        id: page.id,
        campaign: &page.campaign,
        created: page.created_at,
        modified: page.updated_at,
        first_seen: first,
        last_seen: last,
        share_up_to,
    };
    let bundle = crate::stix::campaign_bundle(&export, bundles);
    let txn = crate::db::begin_write(db).await?;
    audit::record(
        &txn,
        Some(actor.id),
        "stix_exported",
        "campaign",
        id,
        serde_json::json!({
            "tlp": share_up_to.id(),
            "objects": bundle["objects"].as_array().map_or(0, Vec::len),
        }),
    )
    .await?;
    txn.commit().await?;
    let file = format!("campaign-{}", &page.id.to_string()[..8]);
    Ok((file, bundle))
}
