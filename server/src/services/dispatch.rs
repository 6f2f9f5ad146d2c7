//! Every change to an incident after its report goes through here:
//! [`authorise`] (is the incident visible, is what the operation names inside
//! it visible, may the reader make this kind of change) and then [`change`],
//! which locks the incident, gathers the facts the domain rules need and
//! hands the operation to the handler in the file of its noun. All of it in
//! one transaction: a refused or failed change leaves nothing behind.
//!
//! This is the top of the services: it imports the handlers, none of them
//! imports it.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, TransactionTrait,
};

use app::domain::form::FormResult;
use app::domain::policy::{Actor, Found, IncidentAct, Named, Subject, may_act};
use app::domain::workflow::{Decision, Facts, Status, TaskStatus};
use app::domain::{AppError, Phase, Role};
use app::ports::IncidentOp;
use playbooks::HandlingModel;

use super::error::{OrCorrupt, ServiceError, ServiceResult};
use super::kernel::{access_to, visible_incident};
use super::{
    assets, comments, containment, evidence, external, incidents, observables, phases, tasks,
    timeline,
};
use crate::entity::{incident, task};

/// The incident a change is made to, once the policy lets the reader make
/// it: invisible is `NotFound`, not allowed `Forbidden`.
pub async fn authorise(
    db: &DatabaseConnection,
    model: &HandlingModel,
    actor: &Actor,
    human_id: &str,
    op: &IncidentOp,
) -> ServiceResult<incident::Model> {
    let found = visible_incident(db, actor, human_id).await?;
    let (subject, act) = classify(db, model, actor, op, &found).await?;
    admit(actor, &found, subject, act)?;
    Ok(found)
}

/// The incident on which the reader may record observables now (the
/// preview of a pasted block asks before reading it): judged as recording
/// one would be.
pub async fn authorise_observing(
    db: &DatabaseConnection,
    actor: &Actor,
    human_id: &str,
) -> ServiceResult<incident::Model> {
    let found = visible_incident(db, actor, human_id).await?;
    let phase = Phase::from_id(&found.phase).or_corrupt("incident.phase")?;
    let named = Found::Phase(phase);
    admit(
        actor,
        &found,
        named.subject(),
        IncidentAct::Observe { phase },
    )?;
    Ok(found)
}

/// A thing inside the incident that the reader does not see answers as a
/// thing that does not exist, like an incident it does not see; an act its
/// access does not allow is `Forbidden`.
fn admit(
    actor: &Actor,
    found: &incident::Model,
    subject: Option<Subject>,
    act: IncidentAct,
) -> ServiceResult<()> {
    let access = access_to(actor, found);
    if subject.is_some_and(|s| !access.sees_subject(&s)) {
        return Err(ServiceError::NOT_FOUND);
    }
    if !may_act(&access, act) {
        return Err(ServiceError::FORBIDDEN);
    }
    Ok(())
}

/// What an operation names inside the incident, looked up (once) for the
/// policy, and the act the policy judges it as (`IncidentAct::of`). A named
/// task, measure, item or engagement that is not there is `NotFound`.
async fn classify(
    db: &DatabaseConnection,
    model: &HandlingModel,
    actor: &Actor,
    op: &IncidentOp,
    inc: &incident::Model,
) -> ServiceResult<(Option<Subject>, IncidentAct)> {
    use crate::entity::{containment, evidence};
    let incident = inc.id;
    let found = match op.names() {
        Named::Nothing => Found::Nothing,
        Named::CurrentPhase => {
            Found::Phase(Phase::from_id(&inc.phase).or_corrupt("incident.phase")?)
        }
        Named::Observable(id) => Found::Observable {
            phase: observables::phase_of(db, incident, id).await?,
        },
        Named::Checklist => Found::Checklist,
        Named::Task(id) => {
            let t = task::Entity::find_by_id(id)
                .filter(task::Column::IncidentId.eq(incident))
                .one(db)
                .await?
                .ok_or(ServiceError::NOT_FOUND)?;
            Found::Task {
                phase: Phase::from_id(&t.phase).or_corrupt("task.phase")?,
                role: Role::from_id(&t.role).or_corrupt("task.role")?,
            }
        }
        Named::Measure(id) => {
            let executor = containment::Entity::find_by_id(id)
                .filter(containment::Column::IncidentId.eq(incident))
                .one(db)
                .await?
                .and_then(|m| model.measure(&m.measure_id).map(|d| d.executor.clone()))
                .ok_or(ServiceError::NOT_FOUND)?;
            Found::Measure { executor }
        }
        Named::Evidence(id) => {
            let e = evidence::Entity::find_by_id(id)
                .filter(evidence::Column::IncidentId.eq(incident))
                .one(db)
                .await?
                .ok_or(ServiceError::NOT_FOUND)?;
            let own = external::colleagues(db, actor)
                .await?
                .contains(&e.uploaded_by);
            Found::Evidence { item: e.id, own }
        }
        // Whether it is this incident's, the handler checks under the lock.
        Named::Engagement(id) => Found::Engagement {
            own: actor.grants.iter().any(|g| g.engagement == id),
        },
    };
    Ok((found.subject(), IncidentAct::of(op, &found)))
}

/// Applies an authorised change (`authorise` first).
pub async fn change(
    db: &DatabaseConnection,
    model: &HandlingModel,
    actor: &Actor,
    found: &incident::Model,
    op: IncidentOp,
) -> Result<FormResult<()>, AppError> {
    let run = async {
        let txn = db.begin().await?;
        let inc = timeline::lock(&txn, found.id)
            .await?
            .ok_or(ServiceError::NOT_FOUND)?;
        let f = facts(&txn, model, &inc).await?;
        apply(&txn, model, actor, &inc, &f, op).await?;
        // Any refusal above dropped the transaction, which rolls it back.
        txn.commit().await?;
        ServiceResult::Ok(())
    };
    match run.await {
        Ok(()) => Ok(FormResult::Done(())),
        Err(e) => e.into_form(),
    }
}

/// The facts the workflow rules need, read inside the locking transaction.
pub async fn facts(
    conn: &impl ConnectionTrait,
    model: &HandlingModel,
    inc: &incident::Model,
) -> ServiceResult<Facts> {
    let open_required_tasks = task::Entity::find()
        .filter(task::Column::IncidentId.eq(inc.id))
        .filter(task::Column::Phase.eq(inc.phase.as_str()))
        .filter(task::Column::Required.eq(true))
        .filter(task::Column::Status.is_not_in([TaskStatus::Done.id(), TaskStatus::Waived.id()]))
        .count(conn)
        .await? as usize;
    let (pending_containment, active_containment) = containment::counts(conn, inc.id).await?;
    let filled = |s: &Option<String>| s.as_deref().is_some_and(|t| !t.trim().is_empty());
    Ok(Facts {
        phase: Phase::from_id(&inc.phase).or_corrupt("incident.phase")?,
        status: Status::from_id(&inc.status).or_corrupt("incident.status")?,
        decision: inc.decision.as_deref().and_then(Decision::from_id),
        open_required_tasks,
        pending_containment,
        active_containment,
        prevention_technical: filled(&inc.prevention_technical),
        prevention_operational: filled(&inc.prevention_operational),
        prevention_undecided: super::prevention::undecided(conn, model, inc).await?,
    })
}

/// Hands the operation to its handler.
async fn apply(
    txn: &DatabaseTransaction,
    model: &HandlingModel,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    op: IncidentOp,
) -> ServiceResult<()> {
    match op {
        IncidentOp::Command(c) => phases::command(txn, model, actor, inc, f, c).await,
        IncidentOp::Task { task, status, note } => {
            tasks::progress(txn, actor, inc, f, task, status, note).await
        }
        IncidentOp::Waive { task, reason } => tasks::waive(txn, actor, inc, f, task, reason).await,
        IncidentOp::AssignTask { task, assignee } => {
            tasks::assign(txn, actor, inc, f, task, assignee).await
        }
        IncidentOp::Classify {
            tlp,
            stages,
            attacker,
            route,
            severity,
        } => {
            let c = incidents::Classification {
                tlp,
                stages,
                attacker,
                route,
                severity,
            };
            incidents::classify(txn, model, actor, inc, f, c).await
        }
        IncidentOp::AddAsset {
            asset_type,
            identifier,
            note,
        } => assets::add(txn, model, actor, inc, f, asset_type, identifier, note).await,
        IncidentOp::RemoveAsset { asset } => assets::remove(txn, actor, inc, f, asset).await,
        IncidentOp::Assign { responder, officer } => {
            incidents::assign(txn, actor, inc, f, responder, officer).await
        }
        IncidentOp::Prevention {
            technical,
            operational,
        } => incidents::record_prevention(txn, actor, inc, f, technical, operational).await,
        IncidentOp::PromoteFinding {
            finding,
            observable,
        } => super::triage_runs::promote(txn, actor, inc, f, finding, observable).await,
        IncidentOp::TaskFromFinding { finding, role } => {
            super::triage_runs::open_task(txn, model, actor, inc, f, finding, role).await
        }
        IncidentOp::DismissFinding { finding, reason } => {
            super::triage_runs::dismiss(txn, actor, inc, f, finding, reason).await
        }
        IncidentOp::DecidePrevention { item, choice } => {
            super::prevention::decide(txn, model, actor, inc, f, item, choice).await
        }
        IncidentOp::Comment {
            task,
            text,
            audience,
        } => comments::add(txn, actor, inc, f, task, text, audience).await,
        IncidentOp::Propose {
            measure,
            asset,
            reason,
            expected_effect,
            emergency,
        } => {
            let p = containment::Proposal {
                measure,
                asset,
                reason,
                expected_effect,
                emergency,
            };
            containment::propose(txn, model, actor, inc, f, p).await
        }
        IncidentOp::Containment { measure, step } => {
            containment::step(txn, actor, inc, f, measure, step).await
        }
        IncidentOp::WaiveChecklist { item, reason } => {
            evidence::waive_item(txn, actor, inc, f, item, reason).await
        }
        IncidentOp::Custody {
            evidence: item,
            kind,
            from,
            to,
            reason,
        } => evidence::record_custody(txn, actor, inc, item, kind, from, to, reason).await,
        IncidentOp::Engage(v) => external::engage(txn, actor, inc, f, v).await,
        IncidentOp::Revoke { engagement, reason } => {
            external::revoke(txn, actor, inc, f, engagement, reason).await
        }
        IncidentOp::SubmitReport(parts) => external::submit_report(txn, actor, inc, f, parts).await,
        IncidentOp::AddObservable(v) => observables::add(txn, actor, inc, f, v).await,
        IncidentOp::PasteObservables(p) => observables::paste(txn, actor, inc, f, p).await,
        IncidentOp::EditObservable { observable, change } => {
            observables::edit(txn, actor, inc, f, observable, change).await
        }
        IncidentOp::RemoveObservable { observable } => {
            observables::remove(txn, actor, inc, f, observable).await
        }
        IncidentOp::VerifyEvidence {
            evidence: item,
            actual,
        } => {
            // The backend fills in the hash; a caller cannot.
            let actual = actual.ok_or(ServiceError::Corrupt("verification without a hash"))?;
            evidence::record_verification(txn, Some(actor), inc, item, actual)
                .await
                .map(|_| ())
        }
    }
}
