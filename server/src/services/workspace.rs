//! Read models of the workflow: the incident page (report, classification,
//! tasks, timeline, assets, phase durations, targets, available commands) and
//! the "My tasks" list.

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use app::domain::classification::{
    Asset, AssetType, AttackRoute, AttackStage, AttackerType, Severity, Tlp,
};
use app::domain::event::{EventKind, Topic};
use app::domain::incident::ExternalAccess;
use app::domain::incident::{Discovery, IncidentDetail, IncidentKind, StageModelView};
use app::domain::policy::{Access, Actor, Audience, EventAbout, Permissions, Subject};
use app::domain::targets::{Target, state};
use app::domain::workflow::{self, CloseReason, Status, TaskChange, TaskStatus};
use app::domain::workspace::{EventView, MyTask, PersonRef, PhaseSpan, TaskView};
use app::domain::{Phase, Role};
use playbooks::ActionDef;

use super::dispatch::facts;
use super::error::{OrCorrupt, ServiceError, ServiceResult};
use super::kernel::{access_to, visible_incident};
use crate::entity::{asset, incident, incident_event, incident_phase, task, user, user_role};

async fn people(db: &DatabaseConnection, ids: &[Uuid]) -> ServiceResult<HashMap<Uuid, PersonRef>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = user::Entity::find()
        .filter(user::Column::Id.is_in(ids.to_vec()))
        .find_with_related(user_role::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(u, rs)| (u.id, person(u, rs)))
        .collect())
}

fn person(u: user::Model, roles: Vec<user_role::Model>) -> PersonRef {
    let mut roles: Vec<Role> = roles
        .iter()
        .filter_map(|r| Role::from_id(&r.role))
        .collect();
    roles.sort();
    PersonRef {
        id: u.id,
        username: u.username,
        display_name: u.display_name,
        roles,
    }
}

pub async fn get(
    db: &DatabaseConnection,
    model: &playbooks::HandlingModel,
    actor: &Actor,
    human_id: &str,
) -> ServiceResult<IncidentDetail> {
    let i = visible_incident(db, actor, human_id).await?;
    let access = access_to(actor, &i);
    let f = facts(db, model, &i).await?;
    let tasks = task::Entity::find()
        .filter(task::Column::IncidentId.eq(i.id))
        .order_by_asc(task::Column::Phase)
        .order_by_asc(task::Column::Position)
        .all(db)
        .await?;
    let events = incident_event::Entity::find()
        .filter(incident_event::Column::IncidentId.eq(i.id))
        .order_by_asc(incident_event::Column::Seq)
        .all(db)
        .await?;
    let mut ids: Vec<Uuid> = vec![i.reporter_id];
    ids.extend(i.responder_id);
    ids.extend(i.officer_id);
    ids.extend(tasks.iter().filter_map(|t| t.assignee_id));
    ids.extend(events.iter().filter_map(|e| e.actor_id));
    ids.extend(super::containment::people_on(db, i.id).await?);
    ids.extend(super::external::people_on(db, i.id).await?);
    ids.sort();
    ids.dedup();
    let who = people(db, &ids).await?;
    let name = |id: Option<Uuid>| {
        id.and_then(|id| who.get(&id))
            .map(|p| p.display_name.clone())
    };

    let task_names: HashMap<Uuid, String> =
        tasks.iter().map(|t| (t.id, t.action_id.clone())).collect();
    let own = super::external::colleagues(db, actor).await?;
    let seen = Seen::of(db, model, actor, &access, &own, &i, &tasks).await?;
    let progress = super::tasks::task_progress(&tasks);
    // Each definition read once: for its own view and for the names of
    // the tasks that wait for it.
    let defs = tasks
        .iter()
        .map(|t| {
            serde_json::from_str::<ActionDef>(&t.definition)
                .map_err(|_| ServiceError::Corrupt("task definition"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let names: HashMap<&str, &playbooks::Label> = tasks
        .iter()
        .zip(&defs)
        .map(|(t, d)| (t.action_id.as_str(), &d.name))
        .collect();
    let tasks = tasks
        .iter()
        .zip(&defs)
        .map(|(t, d)| task_view(actor, &f, t.clone(), d.clone(), &name, &progress, &names))
        .collect::<Result<Vec<_>, _>>()?;
    let events: Vec<EventView> = events
        .into_iter()
        .filter_map(|e| {
            let detail =
                serde_json::from_str::<BTreeMap<String, String>>(&e.detail).unwrap_or_default();
            if !access.sees_event(&seen.about(&e, &detail)) {
                return None;
            }
            // The reporter's identity is the organisation's, also as the
            // author of an event.
            let hidden = e.actor_id == Some(i.reporter_id) && !access.sees_reporter();
            Some(EventView {
                seq: e.seq,
                at: e.at,
                actor: if hidden { None } else { name(e.actor_id) },
                kind: e.kind,
                task: e.task_id.and_then(|t| task_names.get(&t).cloned()),
                detail,
            })
        })
        .collect();
    let assets = asset::Entity::find()
        .filter(asset::Column::IncidentId.eq(i.id))
        .order_by_asc(asset::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|a| {
            Some(Asset {
                id: a.id,
                asset_type: AssetType::from_id(&a.asset_type)?,
                identifier: a.identifier,
                note: a.note,
            })
        })
        .collect();
    let phases = incident_phase::Entity::find()
        .filter(incident_phase::Column::IncidentId.eq(i.id))
        .order_by_asc(incident_phase::Column::EnteredAt)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|p| {
            Some(PhaseSpan {
                phase: Phase::from_id(&p.phase)?,
                entered_at: p.entered_at,
                left_at: p.left_at,
            })
        })
        .collect();
    let now = Utc::now();
    let mut targets = Vec::new();
    if let Some(d) = i.triage_due_at {
        targets.push(state(Target::Triage, d, i.triaged_at, now));
    }
    if let Some(d) = i.response_due_at {
        targets.push(state(Target::FirstResponse, d, i.responded_at, now));
    }
    let mut measures = super::containment::views(db, actor, &f, i.id, &name).await?;
    let (checklist, evidence) = super::evidence::views(db, model, actor, &own, &i).await?;
    // Triage runs and findings of the items the reader sees.
    let seen_items: HashMap<Uuid, String> = evidence
        .iter()
        .map(|e| (e.id, e.file_name.clone()))
        .collect();
    let (triage_runs, findings) =
        super::triage_runs::views(db, model, actor, &i, &seen_items).await?;
    let report_records = super::reports::records(db, actor, &i).await?;
    let report_templates = app::domain::report::templates_for(&access);
    let may = Permissions::of(actor, &access, &f);
    let observables = super::observables::views(db, actor, &access, &i).await?;
    let (engagements, reports) = if access == Access::Handler {
        super::external::views(db, i.id, &name).await?
    } else {
        (Vec::new(), Vec::new())
    };
    let mut tasks = tasks;
    let mut external = None;
    // An external party sees the tasks of its phases, and the timeline and
    // containment as its scope says.
    tasks.retain(|t| access.sees_phase(t.phase));
    measures.retain(|m| access.sees_measure(&m.def.executor));
    if let Access::Engaged { kind, scope } = &access {
        let grant = actor
            .grants
            .iter()
            .filter(|g| g.incident == i.id)
            .max_by_key(|g| g.expires_at);
        let report = match actor
            .grants
            .iter()
            .find(|g| g.incident == i.id && g.scope.may_report(g.kind))
        {
            Some(g) => super::external::report_of(db, g.engagement).await?,
            None => None,
        };
        external = Some(ExternalAccess {
            kind: *kind,
            scope: scope.clone(),
            expires_at: grant.map(|g| g.expires_at).unwrap_or(now),
            report,
        });
    }
    // The reporter's identity is internal to the organisation.
    let hidden = !access.sees_reporter();
    let people = if may.assign {
        assignable(db).await?
    } else {
        Vec::new()
    };
    let reporter = who.get(&i.reporter_id).or_corrupt("reporter")?;
    let stages = AttackStage::split(i.attack_stages.as_deref());
    // Who notified us and how the recurrence is prevented are the handlers'.
    let (prevention, notices) = if access == Access::Handler {
        (
            super::prevention::views(db, model, &i).await?,
            super::notices::views(db, i.id).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };

    Ok(IncidentDetail {
        id: i.id,
        phase: f.phase,
        kind: IncidentKind::from_id(&i.kind).or_corrupt("kind")?,
        discovery: Discovery::from_id(&i.discovery).or_corrupt("discovery")?,
        human_id: i.human_id.clone(),
        title: i.title.clone(),
        observed: i.observed.clone(),
        noticed_at: i.noticed_at,
        location: i.location.clone(),
        reporter_contact: if hidden {
            String::new()
        } else {
            i.reporter_contact.clone()
        },
        reporter: if hidden {
            String::new()
        } else {
            reporter.display_name.clone()
        },
        reporter_username: if hidden {
            String::new()
        } else {
            reporter.username.clone()
        },
        created_at: i.created_at,
        status: f.status,
        close_reason: i.close_reason.as_deref().and_then(CloseReason::from_id),
        decision: f.decision,
        decision_reason: i.decision_reason.clone(),
        severity: i.severity.as_deref().and_then(Severity::from_id),
        tlp: Tlp::from_id(&i.tlp).or_corrupt("tlp")?,
        attack_stages: stages.clone(),
        stage_models: model
            .attack_models
            .iter()
            .skip(1)
            .map(|m| {
                let ids: Vec<&str> = stages.iter().map(|s| s.id()).collect();
                StageModelView {
                    name: m.name.clone(),
                    cite: m.cite.clone(),
                    reached: m
                        .reached(&ids)
                        .into_iter()
                        .map(|s| s.name.clone())
                        .collect(),
                }
            })
            .collect(),
        attacker_type: i.attacker_type.as_deref().and_then(AttackerType::from_id),
        attack_route: i.attack_route.as_deref().and_then(AttackRoute::from_id),
        responder: i.responder_id.and_then(|id| who.get(&id).cloned()),
        officer: i.officer_id.and_then(|id| who.get(&id).cloned()),
        playbook_hash: i.playbook_hash.clone(),
        prevention_technical: i.prevention_technical.clone(),
        prevention_operational: i.prevention_operational.clone(),
        prevention,
        notices,
        triage_runs,
        findings,
        report_records,
        report_templates,
        tasks,
        events,
        assets,
        phases,
        targets,
        people,
        checklist,
        evidence,
        measures,
        organisations: if may.engage {
            super::external::all_organisations(db).await?
        } else {
            Vec::new()
        },
        engagements,
        reports,
        external,
        observables,
        may,
    })
}

/// What the reader's access needs to know to tell what each timeline event
/// is about: the phases of the incident's tasks, its evidence items, whose
/// uploads are the reader's organisation's, the measures' executors.
struct Seen<'a> {
    actor: &'a Actor,
    model: &'a playbooks::HandlingModel,
    task_phases: HashMap<Uuid, Phase>,
    /// (id, sha256, file name, uploaded by the reader's organisation)
    items: Vec<(Uuid, String, String, bool)>,
}

impl<'a> Seen<'a> {
    async fn of(
        db: &DatabaseConnection,
        model: &'a playbooks::HandlingModel,
        actor: &'a Actor,
        access: &Access,
        own: &std::collections::HashSet<Uuid>,
        inc: &incident::Model,
        tasks: &[task::Model],
    ) -> ServiceResult<Seen<'a>> {
        let task_phases = tasks
            .iter()
            .filter_map(|t| Some((t.id, Phase::from_id(&t.phase)?)))
            .collect();
        let items = if matches!(access, Access::Engaged { .. }) {
            crate::entity::evidence::Entity::find()
                .filter(crate::entity::evidence::Column::IncidentId.eq(inc.id))
                .all(db)
                .await?
                .into_iter()
                .map(|e| {
                    let mine = own.contains(&e.uploaded_by);
                    (e.id, e.sha256, e.file_name, mine)
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(Seen {
            actor,
            model,
            task_phases,
            items,
        })
    }

    fn about(&self, e: &incident_event::Model, d: &BTreeMap<String, String>) -> EventAbout {
        // A kind this version does not know is the organisation's own.
        let topic = EventKind::from_id(&e.kind).map_or(Topic::Handling, EventKind::topic);
        match topic {
            Topic::Report => EventAbout::Report,
            Topic::Progress => EventAbout::Progress,
            Topic::Handling => EventAbout::Handling,
            Topic::Observable => d
                .get("phase")
                .and_then(|p| Phase::from_id(p))
                .map_or(EventAbout::Handling, |p| {
                    EventAbout::Subject(Subject::Observable(p))
                }),
            Topic::Task => e
                .task_id
                .and_then(|t| self.task_phases.get(&t).copied())
                .map_or(EventAbout::Handling, |p| {
                    EventAbout::Subject(Subject::Task(p))
                }),
            Topic::Comment => EventAbout::Comment {
                audience: d
                    .get("audience")
                    .and_then(|a| Audience::from_id(a))
                    .unwrap_or(Audience::Internal),
                own: e.actor_id == Some(self.actor.id),
            },
            Topic::Engagement => {
                let id = d.get("engagement").and_then(|v| Uuid::parse_str(v).ok());
                EventAbout::Subject(Subject::Engagement {
                    own: id.is_some_and(|id| self.actor.grants.iter().any(|g| g.engagement == id)),
                })
            }
            Topic::Measure => EventAbout::Subject(Subject::Measure {
                executor: d
                    .get("measure")
                    .and_then(|m| self.model.measure(m))
                    .map(|m| m.executor.clone())
                    .unwrap_or_default(),
            }),
            Topic::Evidence => {
                // Events written before they named the item are matched by
                // content and file name.
                let by_id = d.get("evidence_id").and_then(|v| Uuid::parse_str(v).ok());
                let found = self.items.iter().find(|(id, sha, name, _)| match by_id {
                    Some(want) => *id == want,
                    None => d.get("sha256") == Some(sha) && d.get("evidence") == Some(name),
                });
                EventAbout::Subject(Subject::Evidence {
                    item: found.map(|f| f.0),
                    own: found.is_some_and(|f| f.3),
                })
            }
        }
    }
}

fn task_view(
    actor: &Actor,
    f: &workflow::Facts,
    t: task::Model,
    def: ActionDef,
    name: &impl Fn(Option<Uuid>) -> Option<String>,
    progress: &[(&str, Phase, TaskStatus)],
    names: &HashMap<&str, &playbooks::Label>,
) -> ServiceResult<TaskView> {
    let role = Role::from_id(&t.role).or_corrupt("task role")?;
    let phase = Phase::from_id(&t.phase).or_corrupt("task phase")?;
    let is_assignee = t.assignee_id == Some(actor.id);
    let may = |c| workflow::may_change_task(&actor.roles, is_assignee, role, phase, f, c).is_ok();
    let waiting: Vec<playbooks::Label> = workflow::waiting_on(&def.depends_on, progress, f.phase)
        .into_iter()
        .filter_map(|id| names.get(id).map(|n| (*n).clone()))
        .collect();
    Ok(TaskView {
        id: t.id,
        action_id: t.action_id,
        phase,
        role,
        required: t.required,
        kind_specific: def.kind.is_some(),
        name: def.name,
        description: def.description,
        inputs: def.inputs,
        outputs: def.outputs,
        skills: def.skills,
        raci: def.raci,
        checklist: def.checklist,
        may_progress: may(TaskChange::Progress) && waiting.is_empty(),
        waiting_on: waiting,
        status: TaskStatus::from_id(&t.status).or_corrupt("task status")?,
        assignee: name(t.assignee_id),
        output_note: t.output_note,
        waive_reason: t.waive_reason,
        may_waive: may(TaskChange::Waive),
        may_take: !is_assignee && workflow::may_assign_task(&actor.roles, role, true, f).is_ok(),
    })
}

/// Active users who can be assigned as responder or officer.
async fn assignable(db: &DatabaseConnection) -> ServiceResult<Vec<PersonRef>> {
    let rows = user::Entity::find()
        .filter(user::Column::IsActive.eq(true))
        .find_with_related(user_role::Entity)
        .order_by_asc(user::Column::Username)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(u, rs)| person(u, rs))
        .filter(|p| app::domain::policy::roles::is_handler(&p.roles))
        .collect())
}

pub async fn my_tasks(db: &DatabaseConnection, actor: &Actor) -> ServiceResult<Vec<MyTask>> {
    let roles: Vec<&str> = actor.roles.iter().map(|r| r.id()).collect();
    let mut cond = Condition::all()
        .add(task::Column::Status.is_in([TaskStatus::Open.id(), TaskStatus::InProgress.id()]))
        .add(incident::Column::Status.eq(Status::Open.id()))
        .add(sea_orm::sea_query::ExprTrait::equals(
            Expr::col((task::Entity, task::Column::Phase)),
            (incident::Entity, incident::Column::Phase),
        ))
        .add(
            Condition::any()
                .add(task::Column::Role.is_in(roles))
                .add(task::Column::AssigneeId.eq(actor.id)),
        );
    cond = cond.add(super::kernel::visible(actor));
    let rows = task::Entity::find()
        .find_also_related(incident::Entity)
        .filter(cond)
        .order_by_asc(incident::Column::CreatedAt)
        .order_by_asc(task::Column::Position)
        .limit(500)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(t, i)| {
            let i = i?;
            // Only what the reader may work: an external party its
            // engagement's phases, a reporter no external party's task.
            let phase = Phase::from_id(&t.phase)?;
            let workable = match access_to(actor, &i) {
                Access::Handler => true,
                Access::Engaged { scope, .. } => scope.covers_phase(phase),
                Access::Reporter => Role::from_id(&t.role).is_some_and(|r| !r.is_external()),
                Access::None => false,
            };
            if !workable {
                return None;
            }
            let def: ActionDef = serde_json::from_str(&t.definition).ok()?;
            Some(MyTask {
                task: t.id,
                human_id: i.human_id,
                incident_title: i.title,
                phase: Phase::from_id(&t.phase)?,
                role: Role::from_id(&t.role)?,
                required: t.required,
                name: def.name,
                status: TaskStatus::from_id(&t.status)?,
                assigned_to_me: t.assignee_id == Some(actor.id),
            })
        })
        .collect())
}
