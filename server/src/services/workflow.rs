//! Changes to an incident after its report: the phase commands, tasks,
//! classification, assets, assignment, recurrence prevention and comments.
//! Each change locks the incident, gathers the facts the domain rules need,
//! asks them, applies the outcome and appends its timeline event, all in one
//! transaction: a refused or failed change leaves nothing behind.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, Set, TransactionTrait,
};
use uuid::Uuid;

use app::domain::classification::Severity;
use app::domain::form::{ErrorCode, FieldError, FormResult};
use app::domain::policy::{
    Access, Actor, IncidentAct, IncidentFacts, Subject, access, may_act, may_view_incident,
};
use app::domain::targets::due;
use app::domain::workflow::{
    self, CloseReason, Command, Decision, Edit, Facts, Refusal, Status, TaskChange, TaskStatus,
};
use app::domain::{AppError, Phase, Role};
use app::ports::IncidentOp;
use playbooks::HandlingModel;

use super::timeline::{self, Detail, detail};
use super::{actor_by_id, internal};
use crate::entity::{asset, incident, incident_phase, task};

/// A change refused by a rule: `Forbidden` for the roles, a field error
/// otherwise.
pub(super) enum Refused {
    Rule(Refusal),
    Fields(Vec<FieldError>),
    App(AppError),
}

impl From<Refusal> for Refused {
    fn from(r: Refusal) -> Self {
        Refused::Rule(r)
    }
}

impl From<AppError> for Refused {
    fn from(e: AppError) -> Self {
        Refused::App(e)
    }
}

impl From<sea_orm::DbErr> for Refused {
    fn from(e: sea_orm::DbErr) -> Self {
        Refused::App(internal(e))
    }
}

pub(super) fn field(field: &str, code: ErrorCode) -> Refused {
    Refused::Fields(vec![FieldError {
        field: field.into(),
        code,
    }])
}

/// Finds a visible incident by human id; invisible looks like missing.
pub async fn visible_incident(
    db: &impl ConnectionTrait,
    actor: &Actor,
    human_id: &str,
) -> Result<incident::Model, AppError> {
    let found = incident::Entity::find()
        .filter(incident::Column::HumanId.eq(human_id.trim().to_uppercase()))
        .one(db)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    if !may_view_incident(actor, facts_of(&found)) {
        return Err(AppError::NotFound);
    }
    Ok(found)
}

/// What the policy needs to know about an incident.
pub fn facts_of(inc: &incident::Model) -> IncidentFacts {
    IncidentFacts {
        id: inc.id,
        reporter_id: inc.reporter_id,
    }
}

/// How much of the incident the actor reaches.
pub fn access_to(actor: &Actor, inc: &incident::Model) -> Access {
    access(actor, facts_of(inc))
}

/// The incident a change is made to, once the policy lets the reader make
/// it: invisible is `NotFound`, not allowed `Forbidden`.
pub async fn authorise(
    db: &DatabaseConnection,
    model: &HandlingModel,
    actor: &Actor,
    human_id: &str,
    op: &IncidentOp,
) -> Result<incident::Model, AppError> {
    let found = visible_incident(db, actor, human_id).await?;
    let access = access_to(actor, &found);
    let (subject, act) = classify(db, model, actor, op, found.id).await?;
    // A thing inside the incident that the reader does not see answers as
    // a thing that does not exist, like an incident it does not see.
    if subject.is_some_and(|s| !access.sees_subject(&s)) {
        return Err(AppError::NotFound);
    }
    if !may_act(&access, act) {
        return Err(AppError::Forbidden);
    }
    Ok(found)
}

/// What an operation names inside the incident (read once) and the act the
/// policy judges it as. A named task, measure or item that is not there is
/// `NotFound`.
async fn classify(
    db: &DatabaseConnection,
    model: &HandlingModel,
    actor: &Actor,
    op: &IncidentOp,
    incident: Uuid,
) -> Result<(Option<Subject>, IncidentAct), AppError> {
    use crate::entity::{containment, evidence};
    let task = |id: Uuid| async move {
        let t = task::Entity::find_by_id(id)
            .filter(task::Column::IncidentId.eq(incident))
            .one(db)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        match (Phase::from_id(&t.phase), Role::from_id(&t.role)) {
            (Some(phase), Some(role)) => Ok((phase, role)),
            _ => Err(AppError::Internal),
        }
    };
    Ok(match op {
        IncidentOp::Task { task: id, .. } | IncidentOp::AssignTask { task: id, .. } => {
            let (phase, role) = task(*id).await?;
            (
                Some(Subject::Task(phase)),
                IncidentAct::Task { phase, role },
            )
        }
        IncidentOp::Waive { task: id, .. } => {
            let (phase, _) = task(*id).await?;
            (Some(Subject::Task(phase)), IncidentAct::Handling)
        }
        IncidentOp::Comment { task: Some(id), .. } => {
            let (phase, _) = task(*id).await?;
            (Some(Subject::Task(phase)), IncidentAct::Comment)
        }
        IncidentOp::Comment { task: None, .. } => (None, IncidentAct::Comment),
        IncidentOp::Containment { measure, .. } => {
            let executor = containment::Entity::find_by_id(*measure)
                .filter(containment::Column::IncidentId.eq(incident))
                .one(db)
                .await
                .map_err(internal)?
                .and_then(|m| model.measure(&m.measure_id).map(|d| d.executor.clone()))
                .ok_or(AppError::NotFound)?;
            (
                Some(Subject::Measure { executor }),
                IncidentAct::Containment,
            )
        }
        IncidentOp::Custody { evidence: id, .. }
        | IncidentOp::VerifyEvidence { evidence: id, .. } => {
            let e = evidence::Entity::find_by_id(*id)
                .filter(evidence::Column::IncidentId.eq(incident))
                .one(db)
                .await
                .map_err(internal)?
                .ok_or(AppError::NotFound)?;
            let own = super::external::colleagues(db, actor)
                .await?
                .contains(&e.uploaded_by);
            let subject = Subject::Evidence {
                item: Some(e.id),
                own,
            };
            (Some(subject), IncidentAct::Handling)
        }
        IncidentOp::WaiveChecklist { .. } => (Some(Subject::Checklist), IncidentAct::Handling),
        IncidentOp::Revoke { engagement, .. } => {
            let own = actor.grants.iter().any(|g| g.engagement == *engagement);
            (Some(Subject::Engagement { own }), IncidentAct::Handling)
        }
        IncidentOp::SubmitReport(_) => (None, IncidentAct::Report),
        // Listed one by one, not with a wildcard: a new operation does not
        // compile until someone decides what the policy judges it as.
        IncidentOp::Command(_)
        | IncidentOp::Classify { .. }
        | IncidentOp::AddAsset { .. }
        | IncidentOp::RemoveAsset { .. }
        | IncidentOp::Assign { .. }
        | IncidentOp::Prevention { .. }
        | IncidentOp::Propose { .. }
        | IncidentOp::Engage(_) => (None, IncidentAct::Handling),
    })
}

/// Applies an authorised change (`authorise` first).
pub async fn change(
    db: &DatabaseConnection,
    model: &HandlingModel,
    actor: &Actor,
    found: &incident::Model,
    op: IncidentOp,
) -> Result<FormResult<()>, AppError> {
    let txn = db.begin().await.map_err(internal)?;
    let inc = timeline::lock(&txn, found.id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    let f = facts(&txn, &inc).await?;
    let result = apply(&txn, model, actor, &inc, &f, op).await;
    match result {
        Ok(()) => {
            txn.commit().await.map_err(internal)?;
            Ok(FormResult::Done(()))
        }
        // Dropping the transaction rolls it back.
        Err(Refused::Rule(Refusal::Role | Refusal::OwnProposal)) => Err(AppError::Forbidden),
        Err(Refused::Rule(r)) => Ok(FormResult::Invalid(vec![FieldError {
            field: "command".into(),
            code: ErrorCode::Refused(r),
        }])),
        Err(Refused::Fields(errors)) => Ok(FormResult::Invalid(errors)),
        Err(Refused::App(e)) => Err(e),
    }
}

/// The facts the workflow rules need, read inside the locking transaction.
pub async fn facts(conn: &impl ConnectionTrait, inc: &incident::Model) -> Result<Facts, AppError> {
    let open_required_tasks = task::Entity::find()
        .filter(task::Column::IncidentId.eq(inc.id))
        .filter(task::Column::Phase.eq(inc.phase.as_str()))
        .filter(task::Column::Required.eq(true))
        .filter(task::Column::Status.is_not_in([TaskStatus::Done.id(), TaskStatus::Waived.id()]))
        .count(conn)
        .await
        .map_err(internal)? as usize;
    let (pending_containment, active_containment) =
        super::containment::counts(conn, inc.id).await?;
    let filled = |s: &Option<String>| s.as_deref().is_some_and(|t| !t.trim().is_empty());
    Ok(Facts {
        phase: Phase::from_id(&inc.phase).ok_or(AppError::Internal)?,
        status: Status::from_id(&inc.status).ok_or(AppError::Internal)?,
        decision: inc.decision.as_deref().and_then(Decision::from_id),
        open_required_tasks,
        pending_containment,
        active_containment,
        prevention_technical: filled(&inc.prevention_technical),
        prevention_operational: filled(&inc.prevention_operational),
    })
}

async fn apply(
    txn: &DatabaseTransaction,
    model: &HandlingModel,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    op: IncidentOp,
) -> Result<(), Refused> {
    match op {
        IncidentOp::Command(c) => command(txn, model, actor, inc, f, c).await,
        IncidentOp::Task { task, status, note } => {
            progress_task(txn, actor, inc, f, task, status, note).await
        }
        IncidentOp::Waive { task, reason } => waive_task(txn, actor, inc, f, task, reason).await,
        IncidentOp::AssignTask { task, assignee } => {
            assign_task(txn, actor, inc, f, task, assignee).await
        }
        IncidentOp::Classify {
            tlp,
            stage,
            route,
            severity,
        } => {
            let current = inc.severity.as_deref().and_then(Severity::from_id);
            let severity_changed = severity.is_some() && severity != current;
            workflow::may_edit(
                &actor.roles,
                f,
                &Edit::Classify {
                    tlp,
                    stage,
                    route,
                    severity,
                    severity_changed,
                },
            )?;
            let mut d = Detail::new();
            let mut m: incident::ActiveModel = inc.clone().into();
            let mut set = |key: &str, before: Option<&str>, after: Option<&str>| {
                if before != after {
                    d.insert(format!("{key}.before"), before.unwrap_or("").to_string());
                    d.insert(format!("{key}.after"), after.unwrap_or("").to_string());
                }
            };
            set("tlp", Some(&inc.tlp), Some(tlp.id()));
            set(
                "attack_stage",
                inc.attack_stage.as_deref(),
                stage.map(|s| s.id()),
            );
            set(
                "attack_route",
                inc.attack_route.as_deref(),
                route.map(|r| r.id()),
            );
            if severity_changed {
                set(
                    "severity",
                    inc.severity.as_deref(),
                    severity.map(|s| s.id()),
                );
                set_severity(&mut m, model, inc.created_at, severity);
            }
            if d.is_empty() {
                return Ok(());
            }
            m.tlp = Set(tlp.id().into());
            m.attack_stage = Set(stage.map(|s| s.id().into()));
            m.attack_route = Set(route.map(|r| r.id().into()));
            m.updated_at = Set(Utc::now());
            m.update(txn).await?;
            event(txn, inc, actor, "classified", None, d).await
        }
        IncidentOp::AddAsset {
            asset_type,
            identifier,
            note,
        } => {
            workflow::may_edit(&actor.roles, f, &Edit::Asset)?;
            let app::domain::classification::ValidAsset { identifier, note } =
                app::domain::classification::validate_asset(&identifier, &note)
                    .map_err(Refused::Fields)?;
            asset::ActiveModel {
                id: Set(Uuid::new_v4()),
                incident_id: Set(inc.id),
                asset_type: Set(asset_type.id().into()),
                identifier: Set(identifier.clone()),
                note: Set(note.clone()),
                created_at: Set(Utc::now()),
            }
            .insert(txn)
            .await?;
            let d = detail([
                ("type", asset_type.id().into()),
                ("identifier", identifier),
                ("note", note),
            ]);
            event(txn, inc, actor, "asset_added", None, d).await?;
            // A new asset may need more logs preserved (once triaged).
            if f.phase != Phase::A {
                super::evidence::generate_checklist(txn, model, inc).await?;
            }
            Ok(())
        }
        IncidentOp::RemoveAsset { asset } => {
            workflow::may_edit(&actor.roles, f, &Edit::Asset)?;
            let a = asset::Entity::find_by_id(asset)
                .filter(asset::Column::IncidentId.eq(inc.id))
                .one(txn)
                .await?
                .ok_or(AppError::NotFound)?;
            asset::Entity::delete_by_id(a.id).exec(txn).await?;
            let d = detail([("type", a.asset_type), ("identifier", a.identifier)]);
            event(txn, inc, actor, "asset_removed", None, d).await
        }
        IncidentOp::Assign { responder, officer } => {
            workflow::may_edit(&actor.roles, f, &Edit::Assign)?;
            let responder_name = person(txn, responder, "responder", workflow::is_handler).await?;
            let officer_name = person(txn, officer, "officer", |rs| {
                rs.contains(&Role::SecurityOfficer)
            })
            .await?;
            let mut m: incident::ActiveModel = inc.clone().into();
            m.responder_id = Set(responder);
            m.officer_id = Set(officer);
            m.updated_at = Set(Utc::now());
            m.update(txn).await?;
            let d = detail([("responder", responder_name), ("officer", officer_name)]);
            event(txn, inc, actor, "assigned", None, d).await?;
            // Mail the people newly assigned (not the one assigning).
            let newly: Vec<Uuid> = [
                responder.filter(|r| inc.responder_id != Some(*r)),
                officer.filter(|o| inc.officer_id != Some(*o)),
            ]
            .into_iter()
            .flatten()
            .filter(|u| *u != actor.id)
            .collect();
            let about = crate::mail::About {
                human_id: &inc.human_id,
                title: &inc.title,
                detail: ("", ""),
            };
            crate::mail::enqueue(txn, &newly, "assigned", &about).await?;
            Ok(())
        }
        IncidentOp::Prevention {
            technical,
            operational,
        } => {
            workflow::may_edit(&actor.roles, f, &Edit::Prevention)?;
            let mut m: incident::ActiveModel = inc.clone().into();
            let clean = |s: String| {
                Some(app::domain::form::clean(&s, app::domain::form::Lines::Many))
                    .filter(|s| !s.is_empty())
            };
            let (technical, operational) = (clean(technical), clean(operational));
            m.prevention_technical = Set(technical.clone());
            m.prevention_operational = Set(operational.clone());
            m.updated_at = Set(Utc::now());
            m.update(txn).await?;
            let d = detail([
                ("technical", technical.unwrap_or_default()),
                ("operational", operational.unwrap_or_default()),
            ]);
            event(txn, inc, actor, "prevention_recorded", None, d).await
        }
        IncidentOp::Comment {
            task,
            text,
            audience,
        } => {
            workflow::may_edit(&actor.roles, f, &Edit::Comment)?;
            let access = access_to(actor, inc);
            let audience = match (&access, audience) {
                (Access::Handler, Some(chosen)) => chosen,
                _ => access.default_audience(),
            };
            let text = workflow::validate_comment(&text).map_err(Refused::Fields)?;
            if let Some(t) = task {
                find_task(txn, inc, t).await?;
            }
            let d = detail([("text", text), ("audience", audience.id().into())]);
            event(txn, inc, actor, "comment", task, d).await
        }
        IncidentOp::Propose {
            measure,
            asset,
            reason,
            expected_effect,
            emergency,
        } => {
            super::containment::propose(
                txn,
                model,
                actor,
                inc,
                f,
                super::containment::Proposal {
                    measure,
                    asset,
                    reason,
                    expected_effect,
                    emergency,
                },
            )
            .await
        }
        IncidentOp::Containment { measure, step } => {
            super::containment::step(txn, actor, inc, f, measure, step).await
        }
        IncidentOp::WaiveChecklist { item, reason } => {
            super::evidence::waive_item(txn, actor, inc, f, item, reason).await
        }
        IncidentOp::Custody {
            evidence,
            kind,
            from,
            to,
            reason,
        } => {
            super::evidence::record_custody(txn, actor, inc, evidence, kind, from, to, reason).await
        }
        IncidentOp::Engage(v) => super::external::engage(txn, actor, inc, f, v).await,
        IncidentOp::Revoke { engagement, reason } => {
            super::external::revoke(txn, actor, inc, f, engagement, reason).await
        }
        IncidentOp::SubmitReport(parts) => {
            super::external::submit_report(txn, actor, inc, f, parts).await
        }
        IncidentOp::VerifyEvidence { evidence, actual } => {
            // The backend fills in the hash; a caller cannot.
            let actual = actual.ok_or(Refused::App(AppError::Internal))?;
            super::evidence::record_verification(txn, Some(actor), inc, evidence, actual)
                .await
                .map(|_| ())
        }
    }
}

pub(super) async fn event(
    txn: &DatabaseTransaction,
    inc: &incident::Model,
    actor: &Actor,
    kind: &str,
    task: Option<Uuid>,
    d: Detail,
) -> Result<(), Refused> {
    timeline::append(txn, inc, Some(actor.id), kind, task, d).await?;
    Ok(())
}

/// Checks that an assignee exists, is active and has a fitting role; returns
/// their display name for the timeline.
async fn person(
    conn: &impl ConnectionTrait,
    id: Option<Uuid>,
    field_name: &str,
    fits: impl Fn(&[Role]) -> bool,
) -> Result<String, Refused> {
    let Some(id) = id else {
        return Ok(String::new());
    };
    match actor_by_id(conn, id).await? {
        Some(a) if fits(&a.roles) => Ok(a.display_name),
        _ => Err(field(field_name, ErrorCode::InvalidChoice)),
    }
}

fn set_severity(
    m: &mut incident::ActiveModel,
    model: &HandlingModel,
    reported: DateTime<Utc>,
    severity: Option<Severity>,
) {
    let def = severity.and_then(|s| model.severity(s.id()));
    m.severity = Set(severity.map(|s| s.id().into()));
    m.triage_due_at = Set(def.map(|d| due(reported, d.triage_minutes)));
    m.response_due_at = Set(def.map(|d| due(reported, d.first_response_minutes)));
}

async fn command(
    txn: &DatabaseTransaction,
    model: &HandlingModel,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    c: Command,
) -> Result<(), Refused> {
    let outcome = workflow::check(&actor.roles, f, &c)?;
    let now = Utc::now();
    let mut m: incident::ActiveModel = inc.clone().into();
    let mut d = detail([
        ("phase.before", f.phase.id().into()),
        ("phase.after", outcome.phase.id().into()),
        ("status.before", f.status.id().into()),
        ("status.after", outcome.status.id().into()),
    ]);
    let kind = match &c {
        Command::TakeIntoTriage => "taken_into_triage",
        Command::Advance => "phase_advanced",
        Command::Close => "closed",
        Command::Reopen { reason } => {
            d.insert("reason".into(), reason.trim().into());
            "reopened"
        }
        Command::Decide {
            decision,
            severity,
            reason,
        } => {
            d.insert("decision".into(), decision.id().into());
            d.insert("severity".into(), severity.id().into());
            d.insert("reason".into(), reason.trim().into());
            m.decision = Set(Some(decision.id().into()));
            m.decision_reason = Set(Some(reason.trim().into()));
            set_severity(&mut m, model, inc.created_at, Some(*severity));
            finish_action(txn, inc, actor, "b.decide_first_response", reason.trim()).await?;
            "first_response_decided"
        }
    };
    if outcome.phase != f.phase {
        m.phase = Set(outcome.phase.id().into());
        leave_phase(txn, inc.id, f.phase, now).await?;
        enter_phase(txn, inc.id, outcome.phase, now).await?;
        match f.phase {
            Phase::B => m.triaged_at = Set(Some(now)),
            Phase::C => m.responded_at = Set(Some(now)),
            _ => {}
        }
    }
    if outcome.status != f.status {
        m.status = Set(outcome.status.id().into());
        match outcome.status {
            Status::Closed => {
                m.closed_at = Set(Some(now));
                m.close_reason = Set(outcome.close_reason.map(|r| r.id().into()));
                if outcome.close_reason == Some(CloseReason::NotAnIncident) {
                    m.triaged_at = Set(Some(now));
                }
                leave_phase(txn, inc.id, f.phase, now).await?;
            }
            Status::Open => {
                m.closed_at = Set(None);
                m.close_reason = Set(None);
                enter_phase(txn, inc.id, f.phase, now).await?;
            }
        }
    }
    m.updated_at = Set(now);
    m.update(txn).await?;
    if matches!(c, Command::TakeIntoTriage) {
        super::evidence::generate_checklist(txn, model, inc).await?;
    }
    event(txn, inc, actor, kind, None, d).await
}

async fn leave_phase(
    conn: &impl ConnectionTrait,
    id: Uuid,
    phase: Phase,
    now: DateTime<Utc>,
) -> Result<(), Refused> {
    incident_phase::Entity::update_many()
        .col_expr(
            incident_phase::Column::LeftAt,
            sea_orm::sea_query::Expr::value(Some(now)),
        )
        .filter(incident_phase::Column::IncidentId.eq(id))
        .filter(incident_phase::Column::Phase.eq(phase.id()))
        .filter(incident_phase::Column::LeftAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn enter_phase(
    conn: &impl ConnectionTrait,
    id: Uuid,
    phase: Phase,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    incident_phase::ActiveModel {
        incident_id: Set(id),
        phase: Set(phase.id().into()),
        entered_at: Set(now),
        left_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(())
}

async fn find_task(
    conn: &impl ConnectionTrait,
    inc: &incident::Model,
    id: Uuid,
) -> Result<task::Model, Refused> {
    task::Entity::find_by_id(id)
        .filter(task::Column::IncidentId.eq(inc.id))
        .one(conn)
        .await?
        .ok_or(Refused::App(AppError::NotFound))
}

/// Marks a playbook action done as a side effect of the command that
/// delivers it (the decision in B delivers `b.decide_first_response`).
async fn finish_action(
    txn: &DatabaseTransaction,
    inc: &incident::Model,
    actor: &Actor,
    action_id: &str,
    note: &str,
) -> Result<(), Refused> {
    let Some(t) = task::Entity::find()
        .filter(task::Column::IncidentId.eq(inc.id))
        .filter(task::Column::ActionId.eq(action_id))
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    let now = Utc::now();
    let mut m: task::ActiveModel = t.into();
    m.status = Set(TaskStatus::Done.id().into());
    m.output_note = Set(Some(note.to_string()));
    m.done_by = Set(Some(actor.id));
    m.done_at = Set(Some(now));
    m.updated_at = Set(now);
    m.update(txn).await?;
    Ok(())
}

async fn progress_task(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    id: Uuid,
    status: TaskStatus,
    note: Option<String>,
) -> Result<(), Refused> {
    let t = find_task(txn, inc, id).await?;
    let role = Role::from_id(&t.role).ok_or(AppError::Internal)?;
    let phase = Phase::from_id(&t.phase).ok_or(AppError::Internal)?;
    let is_assignee = t.assignee_id == Some(actor.id);
    workflow::may_change_task(
        &actor.roles,
        is_assignee,
        role,
        phase,
        f,
        TaskChange::Progress,
    )?;
    if status == TaskStatus::Waived {
        // Waiving has its own path, with its own permission and a reason.
        return Err(Refusal::Role.into());
    }
    let before = t.status.clone();
    let action_id = t.action_id.clone();
    let now = Utc::now();
    let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    let mut m: task::ActiveModel = t.into();
    m.status = Set(status.id().into());
    if note.is_some() {
        m.output_note = Set(note.clone());
    }
    let done = status == TaskStatus::Done;
    m.done_by = Set(done.then_some(actor.id));
    m.done_at = Set(done.then_some(now));
    m.waive_reason = Set(None);
    m.updated_at = Set(now);
    m.update(txn).await?;
    let d = detail([
        ("task", action_id),
        ("status.before", before),
        ("status.after", status.id().into()),
        ("note", note.unwrap_or_default()),
    ]);
    event(txn, inc, actor, "task_updated", Some(id), d).await
}

async fn waive_task(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    id: Uuid,
    reason: String,
) -> Result<(), Refused> {
    let t = find_task(txn, inc, id).await?;
    let role = Role::from_id(&t.role).ok_or(AppError::Internal)?;
    let phase = Phase::from_id(&t.phase).ok_or(AppError::Internal)?;
    workflow::may_change_task(&actor.roles, false, role, phase, f, TaskChange::Waive)?;
    let reason = workflow::validate_waive_reason(&reason).map_err(Refused::Fields)?;
    let before = t.status.clone();
    let action_id = t.action_id.clone();
    let mut m: task::ActiveModel = t.into();
    m.status = Set(TaskStatus::Waived.id().into());
    m.waive_reason = Set(Some(reason.clone()));
    m.done_by = Set(Some(actor.id));
    m.done_at = Set(Some(Utc::now()));
    m.updated_at = Set(Utc::now());
    m.update(txn).await?;
    let d = detail([
        ("task", action_id),
        ("status.before", before),
        ("status.after", TaskStatus::Waived.id().into()),
        ("reason", reason),
    ]);
    event(txn, inc, actor, "task_waived", Some(id), d).await
}

async fn assign_task(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    id: Uuid,
    assignee: Option<Uuid>,
) -> Result<(), Refused> {
    let t = find_task(txn, inc, id).await?;
    let role = Role::from_id(&t.role).ok_or(AppError::Internal)?;
    workflow::may_assign_task(&actor.roles, role, assignee == Some(actor.id), f)?;
    // Only someone who may work the task can be given it.
    let name = person(txn, assignee, "assignee", |rs| {
        rs.contains(&role) || workflow::is_officer(rs)
    })
    .await?;
    let action_id = t.action_id.clone();
    let mut m: task::ActiveModel = t.into();
    m.assignee_id = Set(assignee);
    m.updated_at = Set(Utc::now());
    m.update(txn).await?;
    let d = detail([("task", action_id), ("assignee", name)]);
    event(txn, inc, actor, "task_assigned", Some(id), d).await
}
