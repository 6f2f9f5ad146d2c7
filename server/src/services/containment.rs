//! Containment on an incident: proposals against its assets, the steps of
//! each measure under the rules of `app::domain::containment`, the read model
//! for the incident page, and the in-app notifications that go with them.
//! Every write runs inside the incident's locking transaction (see
//! `workflow::change`), so two officers deciding at once are serialised and
//! the second finds the proposal already decided.

use crate::mail::MailKind;
use app::domain::event::EventKind;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use app::domain::Role;
use app::domain::classification::AssetType;
use app::domain::containment::{self, MeasureFacts, MeasureStatus, Step};
use app::domain::form::ErrorCode;
use app::domain::policy::Actor;
use app::domain::workflow::{Facts, Refusal};
use app::domain::workspace::{MeasureView, NotificationKind, NotificationView};
use app::ports::EmergencyNow;
use playbooks::{HandlingModel, MeasureDef};

use super::error::{OrCorrupt, ServiceError, ServiceResult};
use super::kernel::{event, notify};
use super::timeline::detail;
use crate::entity::{asset, containment as row, incident, notification, user, user_role};

pub(super) struct Proposal {
    pub measure: String,
    pub asset: Uuid,
    pub reason: String,
    pub expected_effect: String,
    pub emergency: Option<EmergencyNow>,
}

/// Approved measures not yet executed or withdrawn, and temporary measures
/// in force: the facts the phase rules need.
pub(super) async fn counts(
    conn: &impl ConnectionTrait,
    incident: Uuid,
) -> ServiceResult<(usize, usize)> {
    let count = |statuses: Vec<&'static str>| {
        row::Entity::find()
            .filter(row::Column::IncidentId.eq(incident))
            .filter(row::Column::Status.is_in(statuses))
            .count(conn)
    };
    let pending = count(ids(MeasureStatus::is_pending)).await?;
    let active = count(ids(MeasureStatus::is_temporary)).await?;
    Ok((pending as usize, active as usize))
}

fn ids(which: fn(MeasureStatus) -> bool) -> Vec<&'static str> {
    MeasureStatus::ALL
        .iter()
        .filter(|s| which(**s))
        .map(|s| s.id())
        .collect()
}

/// A refusal of a step, put on the field the reader has to fix.
fn refused(r: Refusal) -> ServiceError {
    match r {
        Refusal::ReasonRequired => ServiceError::field("note", ErrorCode::Required),
        Refusal::EvidenceNotConfirmed => {
            ServiceError::field("confirm_evidence", ErrorCode::Refused(r))
        }
        r => ServiceError::Rule(r),
    }
}

pub(super) async fn propose(
    txn: &DatabaseTransaction,
    model: &HandlingModel,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    p: Proposal,
) -> ServiceResult<()> {
    containment::may_propose(&actor.roles, f)?;
    let Some(def) = model.measure(p.measure.trim()) else {
        return Err(ServiceError::field("measure", ErrorCode::InvalidChoice));
    };
    let target = asset::Entity::find_by_id(p.asset)
        .filter(asset::Column::IncidentId.eq(inc.id))
        .one(txn)
        .await?
        .ok_or_else(|| ServiceError::field("asset", ErrorCode::InvalidChoice))?;
    // A measure acts on one kind of target: no account deletion on a segment.
    if target.asset_type != def.target {
        return Err(ServiceError::field("asset", ErrorCode::InvalidChoice));
    }
    let now = Utc::now();
    let id = Uuid::new_v4();
    let definition =
        serde_json::to_string(def).map_err(|_| ServiceError::Corrupt("measure definition"))?;
    row::ActiveModel {
        id: Set(id),
        incident_id: Set(inc.id),
        measure_id: Set(def.id.clone()),
        definition: Set(definition),
        target_type: Set(target.asset_type.clone()),
        target: Set(target.identifier.clone()),
        asset_id: Set(Some(target.id)),
        status: Set(MeasureStatus::Proposed.id().into()),
        reason: Set(p.reason.trim().into()),
        expected_effect: Set(p.expected_effect.trim().into()),
        proposed_by: Set(actor.id),
        proposed_at: Set(now),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_note: Set(None),
        emergency: Set(false),
        evidence_confirmed: Set(false),
        executed_by: Set(None),
        executed_at: Set(None),
        execution_note: Set(None),
        verified_by: Set(None),
        verified_at: Set(None),
        effective: Set(None),
        verification_note: Set(None),
        ended_by: Set(None),
        ended_at: Set(None),
        end_note: Set(None),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    crate::integrity::seal(txn, crate::integrity::Covered::Containment(id)).await?;
    let d = detail([
        ("measure", def.id.clone()),
        ("target_type", target.asset_type.clone()),
        ("target", target.identifier.clone()),
        ("reason", p.reason.trim().into()),
        ("expected_effect", p.expected_effect.trim().into()),
    ]);
    event(txn, inc, actor, EventKind::ContainmentProposed, None, d).await?;
    match p.emergency {
        // The officer's emergency path straight from the proposal: the same
        // rules as on an existing proposal, in the same transaction.
        Some(e) => {
            let step = Step::Emergency {
                justification: e.justification,
                evidence_confirmed: e.evidence_confirmed,
            };
            // The proposal's event moved the chain's head: continue from it.
            let inc = incident::Entity::find_by_id(inc.id)
                .one(txn)
                .await?
                .ok_or(ServiceError::NOT_FOUND)?;
            let proposed = find(txn, &inc, id).await?;
            apply_step(txn, actor, &inc, f, proposed, step).await
        }
        None => {
            let to = officers_to_tell(txn, inc, Some(actor.id)).await?;
            notify(
                txn,
                &to,
                inc,
                NotificationKind::ContainmentProposed,
                id,
                actor,
            )
            .await?;
            // The officers also by mail, unless they opted out of it.
            let detail = (
                format!("{} → {}", def.name.ja, target.identifier),
                format!("{} → {}", def.name.en, target.identifier),
            );
            mail(txn, &to, MailKind::ContainmentProposed, inc, &detail).await
        }
    }
}

pub(super) async fn step(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    id: Uuid,
    step: Step,
) -> ServiceResult<()> {
    let m = find(txn, inc, id).await?;
    apply_step(txn, actor, inc, f, m, step).await
}

async fn find(
    conn: &impl ConnectionTrait,
    inc: &incident::Model,
    id: Uuid,
) -> ServiceResult<row::Model> {
    row::Entity::find_by_id(id)
        .filter(row::Column::IncidentId.eq(inc.id))
        .one(conn)
        .await?
        .ok_or(ServiceError::NOT_FOUND)
}

fn definition(m: &row::Model) -> ServiceResult<MeasureDef> {
    serde_json::from_str(&m.definition).map_err(|e| {
        tracing::error!(error = %e, measure = %m.id, "stored containment definition");
        ServiceError::Corrupt("containment.definition")
    })
}

fn facts_of(m: &row::Model, def: &MeasureDef) -> ServiceResult<MeasureFacts> {
    Ok(MeasureFacts {
        status: MeasureStatus::from_id(&m.status).or_corrupt("measure.status")?,
        proposed_by: m.proposed_by,
        destroys_evidence: def.destroys_evidence(),
        executor: Role::from_id(&def.executor).or_corrupt("measure_def.executor")?,
    })
}

async fn apply_step(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    m: row::Model,
    step: Step,
) -> ServiceResult<()> {
    let def = definition(&m)?;
    let mf = facts_of(&m, &def)?;
    let next = containment::step(actor.id, &actor.roles, f, &mf, &step).map_err(refused)?;
    let now = Utc::now();
    let proposer = m.proposed_by;
    let id = m.id;
    let target = m.target.clone();
    let mut d = detail([
        ("measure", m.measure_id.clone()),
        ("target", m.target.clone()),
        ("status.before", m.status.clone()),
        ("status.after", next.id().into()),
    ]);
    let mut a: row::ActiveModel = m.into();
    a.status = Set(next.id().into());
    a.updated_at = Set(now);
    let kind = step.kind();
    let decided = match step {
        Step::Approve {
            rationale,
            evidence_confirmed,
        } => {
            a.decided_by = Set(Some(actor.id));
            a.decided_at = Set(Some(now));
            a.decision_note = Set(Some(rationale.trim().into()));
            a.evidence_confirmed = Set(evidence_confirmed);
            d.insert("rationale".into(), rationale.trim().into());
            true
        }
        Step::Reject { rationale } => {
            a.decided_by = Set(Some(actor.id));
            a.decided_at = Set(Some(now));
            a.decision_note = Set(Some(rationale.trim().into()));
            d.insert("rationale".into(), rationale.trim().into());
            true
        }
        Step::Emergency {
            justification,
            evidence_confirmed,
        } => {
            // Executed first; the approval is recorded with it, flagged.
            a.decided_by = Set(Some(actor.id));
            a.decided_at = Set(Some(now));
            a.decision_note = Set(Some(justification.trim().into()));
            a.emergency = Set(true);
            a.evidence_confirmed = Set(evidence_confirmed);
            a.executed_by = Set(Some(actor.id));
            a.executed_at = Set(Some(now));
            d.insert("justification".into(), justification.trim().into());
            d.insert("emergency".into(), "true".into());
            proposer != actor.id
        }
        Step::Execute { note } => {
            a.executed_by = Set(Some(actor.id));
            a.executed_at = Set(Some(now));
            a.execution_note = Set(Some(note.trim().to_string()).filter(|n| !n.is_empty()));
            d.insert("note".into(), note.trim().into());
            false
        }
        Step::Verify { effective, note } => {
            a.verified_by = Set(Some(actor.id));
            a.verified_at = Set(Some(now));
            a.effective = Set(Some(effective));
            a.verification_note = Set(Some(note.trim().to_string()).filter(|n| !n.is_empty()));
            d.insert("effective".into(), effective.to_string());
            d.insert("note".into(), note.trim().into());
            false
        }
        Step::Withdraw { reason: note }
        | Step::Lift { reason: note }
        | Step::MakePermanent { note } => {
            a.ended_by = Set(Some(actor.id));
            a.ended_at = Set(Some(now));
            a.end_note = Set(Some(note.trim().into()));
            d.insert("note".into(), note.trim().into());
            false
        }
    };
    a.update(txn).await?;
    crate::integrity::seal(txn, crate::integrity::Covered::Containment(id)).await?;
    event(txn, inc, actor, EventKind::of_step(kind), None, d).await?;
    if decided && proposer != actor.id {
        notify(
            txn,
            &[proposer],
            inc,
            NotificationKind::ContainmentDecided,
            id,
            actor,
        )
        .await?;
        let detail = (
            format!("{} → {}: {}", def.name.ja, target, next.id()),
            format!("{} → {}: {}", def.name.en, target, next.id()),
        );
        mail(txn, &[proposer], MailKind::ContainmentDecided, inc, &detail).await?;
    }
    Ok(())
}

async fn mail(
    txn: &DatabaseTransaction,
    to: &[Uuid],
    kind: crate::mail::MailKind,
    inc: &incident::Model,
    detail: &(String, String),
) -> ServiceResult<()> {
    let about = crate::mail::About {
        human_id: &inc.human_id,
        title: &inc.title,
        detail: (&detail.0, &detail.1),
    };
    crate::mail::enqueue(txn, to, kind, &about).await?;
    Ok(())
}

/// Who is told of something the officer decides: the incident's officer if
/// it has one, otherwise every active security officer; never `except` (the
/// proposer).
pub(super) async fn officers_to_tell(
    conn: &impl ConnectionTrait,
    inc: &incident::Model,
    except: Option<Uuid>,
) -> Result<Vec<Uuid>, sea_orm::DbErr> {
    let officers: Vec<Uuid> = user_role::Entity::find()
        .filter(user_role::Column::Role.eq(Role::SecurityOfficer.id()))
        .inner_join(user::Entity)
        .filter(user::Column::IsActive.eq(true))
        .select_only()
        .column(user_role::Column::UserId)
        .into_tuple()
        .all(conn)
        .await?;
    let assigned = inc
        .officer_id
        .filter(|o| officers.contains(o) && Some(*o) != except);
    Ok(match assigned {
        Some(o) => vec![o],
        None => officers
            .into_iter()
            .filter(|o| Some(*o) != except)
            .collect(),
    })
}

/// The incident's measures for the page, newest first, with the steps the
/// reader may take on each.
pub(super) async fn views(
    db: &DatabaseConnection,
    actor: &Actor,
    f: &Facts,
    incident: Uuid,
    name: &impl Fn(Option<Uuid>) -> Option<String>,
) -> ServiceResult<Vec<MeasureView>> {
    let rows = row::Entity::find()
        .filter(row::Column::IncidentId.eq(incident))
        .order_by_desc(row::Column::ProposedAt)
        .all(db)
        .await?;
    rows.into_iter()
        .map(|m| {
            let def = definition(&m)?;
            let mf = facts_of(&m, &def)?;
            Ok(MeasureView {
                id: m.id,
                steps: containment::open_steps(actor.id, &actor.roles, f, &mf),
                status: mf.status,
                def,
                target_type: AssetType::from_id(&m.target_type)
                    .or_corrupt("measure.target_type")?,
                target: m.target,
                reason: m.reason,
                expected_effect: m.expected_effect,
                proposed_by: name(Some(m.proposed_by)).unwrap_or_default(),
                proposed_at: m.proposed_at,
                decided_by: name(m.decided_by),
                decided_at: m.decided_at,
                decision_note: m.decision_note,
                emergency: m.emergency,
                executed_by: name(m.executed_by),
                executed_at: m.executed_at,
                execution_note: m.execution_note,
                verified_by: name(m.verified_by),
                verified_at: m.verified_at,
                effective: m.effective,
                verification_note: m.verification_note,
                ended_by: name(m.ended_by),
                ended_at: m.ended_at,
                end_note: m.end_note,
            })
        })
        .collect()
}

/// The people named on the incident's measures, for the page's name lookup.
pub(super) async fn people_on(db: &DatabaseConnection, incident: Uuid) -> ServiceResult<Vec<Uuid>> {
    let rows = row::Entity::find()
        .filter(row::Column::IncidentId.eq(incident))
        .all(db)
        .await?;
    Ok(rows
        .iter()
        .flat_map(|m| {
            [
                Some(m.proposed_by),
                m.decided_by,
                m.executed_by,
                m.verified_by,
                m.ended_by,
            ]
        })
        .flatten()
        .collect())
}

pub(super) async fn notifications(
    db: &DatabaseConnection,
    actor: &Actor,
) -> ServiceResult<Vec<NotificationView>> {
    let rows = notification::Entity::find()
        .filter(notification::Column::UserId.eq(actor.id))
        .order_by_desc(notification::Column::CreatedAt)
        .limit(200)
        .all(db)
        .await?;
    let incidents = still_visible(db, actor, rows.iter().map(|n| n.incident_id)).await?;
    let subjects: Vec<Uuid> = rows.iter().filter_map(|n| n.subject).collect();
    let measures: std::collections::HashMap<Uuid, row::Model> = row::Entity::find()
        .filter(row::Column::Id.is_in(subjects))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let observed: std::collections::HashMap<Uuid, String> =
        crate::entity::observable::Entity::find()
            .filter(
                crate::entity::observable::Column::Id.is_in(rows.iter().filter_map(|n| n.subject)),
            )
            .all(db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.value))
            .collect();
    let actors: Vec<Uuid> = rows.iter().filter_map(|n| n.actor_id).collect();
    let names: std::collections::HashMap<Uuid, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(actors))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|n| {
            let inc = incidents.get(&n.incident_id)?;
            let m = n.subject.and_then(|s| measures.get(&s));
            Some(NotificationView {
                id: n.id,
                kind: NotificationKind::from_id(&n.kind)?,
                human_id: inc.human_id.clone(),
                incident_title: inc.title.clone(),
                actor: n.actor_id.and_then(|a| names.get(&a).cloned()),
                created_at: n.created_at,
                read: n.read_at.is_some(),
                measure: m.and_then(|m| definition(m).ok()).map(|d| d.name),
                target: m
                    .map(|m| m.target.clone())
                    .or_else(|| n.subject.and_then(|s| observed.get(&s).cloned())),
                status: m.and_then(|m| MeasureStatus::from_id(&m.status)),
            })
        })
        .collect())
}

/// The badge: unread notifications about incidents the reader still sees,
/// by the same rule as the list.
/// One statement: the page header asks on every page.
pub(super) async fn unread(db: &DatabaseConnection, actor: &Actor) -> ServiceResult<u64> {
    use sea_orm::PaginatorTrait;
    let seen = sea_orm::sea_query::Query::select()
        .column(incident::Column::Id)
        .from(incident::Entity)
        .cond_where(super::kernel::visible(actor))
        .to_owned();
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(actor.id))
        .filter(notification::Column::ReadAt.is_null())
        .filter(notification::Column::IncidentId.in_subquery(seen))
        .count(db)
        .await?)
}

/// The incidents among `ids` the reader may still see: a notification
/// never outlives access to its incident.
async fn still_visible(
    db: &DatabaseConnection,
    actor: &Actor,
    ids: impl Iterator<Item = Uuid>,
) -> ServiceResult<std::collections::HashMap<Uuid, incident::Model>> {
    let mut ids: Vec<Uuid> = ids.collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(incident::Entity::find()
        .filter(incident::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .filter(|i| app::domain::policy::may_view_incident(actor, super::kernel::facts_of(i)))
        .map(|i| (i.id, i))
        .collect())
}

pub(super) async fn mark_read(db: &DatabaseConnection, actor: &Actor) -> ServiceResult<()> {
    notification::Entity::update_many()
        .col_expr(
            notification::Column::ReadAt,
            sea_orm::sea_query::Expr::value(Some(Utc::now())),
        )
        .filter(notification::Column::UserId.eq(actor.id))
        .filter(notification::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
