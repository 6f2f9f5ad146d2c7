//! Incidents: reporting (phase A) and the list, filtered through the one
//! visibility policy; and the changes to an incident's own fields after its
//! report (classification, assignment, recurrence prevention).

use crate::mail::MailKind;
use app::domain::event::EventKind;
use chrono::{DateTime, Datelike, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use app::domain::incident::{
    COUNT_CAP, Direction, Discovery, IncidentKind, IncidentPage, IncidentQuery, IncidentRow,
    ListCursor, PAGE_SIZE, ValidReport, human_id,
};
use app::domain::policy::{Action, Actor, may};
use app::domain::{Phase, Role};

use app::domain::classification::{Severity, Tlp};
use app::domain::workflow::{Status, TaskStatus};
use playbooks::HandlingModel;

use app::domain::classification::{AttackRoute, AttackStage, AttackerType};
use app::domain::workflow::{self as rules, Edit, Facts};

use super::accounts::person;
use super::audit;
use super::error::{ServiceError, ServiceResult};
use super::kernel::{access_to, event, visible};
use super::phases::{enter_phase, set_severity};
use super::timeline::{self, Detail, detail};
use crate::entity::{incident, incident_counter, playbook_version, task, user};
use app::domain::notice::NoticeVia;

pub async fn report(
    db: &DatabaseConnection,
    model: &HandlingModel,
    actor: &Actor,
    r: ValidReport,
) -> ServiceResult<String> {
    if !may(actor, Action::ReportIncident) {
        return Err(ServiceError::FORBIDDEN);
    }
    let txn = db.begin().await?;
    let filed = file(&txn, model, actor, r, NoticeVia::Recorded, None).await?;
    txn.commit().await?;
    Ok(filed.human_id)
}

/// A report as filed: its human id and id, and the outside notice's
/// acknowledgement reference when it has one.
pub(super) struct Filed {
    pub human_id: String,
    pub id: Uuid,
    pub notice_reference: Option<String>,
}

/// Files a report inside the caller's transaction: the incident, its
/// workflow, the outside notice when there is one, the audit record and the
/// mail to the triage roles.
pub(super) async fn file(
    txn: &DatabaseTransaction,
    model: &HandlingModel,
    actor: &Actor,
    r: ValidReport,
    via: NoticeVia,
    source_bucket: Option<String>,
) -> ServiceResult<Filed> {
    let now = Utc::now();
    let year = now.year();
    // The write comes first so the transaction holds the write lock from its
    // first statement (SQLite) and concurrent reports queue for the counter.
    let seq = next_seq(txn, year).await?;
    let id = Uuid::new_v4();
    let hid = human_id(year, seq as i64);
    let kind = r.kind;
    let inc = incident::ActiveModel {
        id: Set(id),
        human_id: Set(hid.clone()),
        year: Set(year),
        seq: Set(seq),
        title: Set(r.title.clone()),
        observed: Set(r.observed),
        noticed_at: Set(r.noticed_at),
        location: Set(r.location),
        discovery: Set(r.discovery.id().to_string()),
        kind: Set(r.kind.id().to_string()),
        reporter_contact: Set(r.reporter_contact),
        reporter_id: Set(actor.id),
        phase: Set(Phase::A.id().to_string()),
        created_at: Set(now),
        updated_at: Set(now),
        status: Set(Status::Open.id().into()),
        tlp: Set(Tlp::Amber.id().into()),
        playbook_hash: Set(model.content_hash.clone()),
        last_event_seq: Set(0),
        last_event_hash: Set(String::new()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    open_workflow(txn, model, &inc, kind, actor).await?;
    let notice_reference = match &r.notifier {
        Some(n) => Some(super::notices::record(txn, &inc, actor, n, via, source_bucket).await?),
        None => None,
    };
    audit::record(
        txn,
        Some(actor.id),
        "incident_reported",
        "incident",
        id,
        json!({ "human_id": hid, "title": r.title, "kind": r.kind.id() }),
    )
    .await?;
    // The triage roles hear of it by mail (not the reporter, if one of them).
    let triage = [Role::ItLanAdmin, Role::BuLanAdmin, Role::SecurityOfficer];
    let mut to = crate::mail::holders(txn, &triage).await?;
    to.retain(|u| *u != actor.id);
    let about = crate::mail::About {
        human_id: &hid,
        title: &r.title,
        detail: ("", ""),
    };
    crate::mail::enqueue(txn, &to, MailKind::NewReport, &about).await?;
    Ok(Filed {
        human_id: hid,
        id,
        notice_reference,
    })
}

/// Pins the playbook version, generates every phase's tasks from the
/// playbook for the incident's kind, enters phase A and starts the timeline.
async fn open_workflow(
    txn: &DatabaseTransaction,
    model: &HandlingModel,
    inc: &incident::Model,
    kind: IncidentKind,
    reporter: &Actor,
) -> Result<(), sea_orm::DbErr> {
    let content =
        serde_json::to_string(model).map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
    playbook_version::Entity::insert(playbook_version::ActiveModel {
        hash: Set(model.content_hash.clone()),
        content: Set(content),
        created_at: Set(inc.created_at),
    })
    .on_conflict(
        OnConflict::column(playbook_version::Column::Hash)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;

    let tasks: Vec<task::ActiveModel> = model
        .tasks_for_kind(kind.id())
        .into_iter()
        .enumerate()
        .map(|(position, a)| {
            // The report itself delivers the reporter's action of phase A.
            let done = a.id == REPORT_ACTION;
            task::ActiveModel {
                id: Set(Uuid::new_v4()),
                incident_id: Set(inc.id),
                action_id: Set(a.id.clone()),
                phase: Set(a.phase.clone()),
                role: Set(a.role.clone()),
                required: Set(a.required),
                position: Set(position as i32),
                definition: Set(serde_json::to_string(a).unwrap_or_default()),
                status: Set(if done {
                    TaskStatus::Done
                } else {
                    TaskStatus::Open
                }
                .id()
                .into()),
                assignee_id: Set(done.then_some(reporter.id)),
                output_note: Set(None),
                waive_reason: Set(None),
                done_by: Set(done.then_some(reporter.id)),
                done_at: Set(done.then_some(inc.created_at)),
                updated_at: Set(inc.created_at),
            }
        })
        .collect();
    if !tasks.is_empty() {
        task::Entity::insert_many(tasks).exec(txn).await?;
    }
    enter_phase(txn, inc.id, Phase::A, inc.created_at).await?;
    timeline::append(
        txn,
        inc,
        Some(reporter.id),
        EventKind::Reported,
        None,
        detail([
            ("title", inc.title.clone()),
            ("kind", kind.id().into()),
            ("playbook", model.content_hash.clone()),
        ]),
    )
    .await
}

/// The playbook action the report itself fulfils.
pub const REPORT_ACTION: &str = "a.report_event";

/// The next number of the year: one atomic upsert, so two reports at the same
/// moment can never get the same number, on SQLite or PostgreSQL.
async fn next_seq(conn: &impl ConnectionTrait, year: i32) -> ServiceResult<i32> {
    use incident_counter::Column;
    let stmt = Query::insert()
        .into_table(incident_counter::Entity)
        .columns([Column::Year, Column::Last])
        .values_panic([year.into(), 1.into()])
        .on_conflict(
            OnConflict::column(Column::Year)
                .value(
                    Column::Last,
                    sea_orm::sea_query::ExprTrait::add(
                        Expr::col((incident_counter::Entity, Column::Last)),
                        1,
                    ),
                )
                .to_owned(),
        )
        .returning_col(Column::Last)
        .to_owned();
    let row = conn.query_one(&stmt).await?.ok_or(ServiceError::Corrupt(
        "the incident counter returned no row",
    ))?;
    Ok(row.try_get::<i32>("", "last")?)
}

pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    q: IncidentQuery,
) -> ServiceResult<IncidentPage> {
    let mut cond = visible(actor);
    if let Some(p) = q.phase {
        cond = cond.add(incident::Column::Phase.eq(p.id()));
    }
    if let Some(k) = q.kind {
        cond = cond.add(incident::Column::Kind.eq(k.id()));
    }
    if let Some(name) = &q.reporter {
        cond = cond.add(
            incident::Column::ReporterId.in_subquery(
                Query::select()
                    .column(user::Column::Id)
                    .from(user::Entity)
                    .and_where(user::Column::Username.eq(name.as_str()))
                    .to_owned(),
            ),
        );
    }
    if let Some(sev) = q.severity {
        cond = cond.add(incident::Column::Severity.eq(sev.id()));
    }
    if let Some(tlp) = q.tlp {
        cond = cond.add(incident::Column::Tlp.eq(tlp.id()));
    }
    if q.mine {
        cond = cond.add(
            Condition::any()
                .add(incident::Column::ResponderId.eq(actor.id))
                .add(incident::Column::OfficerId.eq(actor.id)),
        );
    }
    let now = Utc::now();
    if q.overdue {
        cond = cond.add(overdue_condition(now));
    }
    // At most COUNT_CAP + 1 rows counted: "more than 1,000" is as useful
    // as the exact number and does not grow with the table.
    let mut capped = Query::select();
    capped
        .expr(Expr::val(1))
        .from(incident::Entity)
        .cond_where(cond.clone())
        .limit(COUNT_CAP + 1);
    let counted = db
        .query_one(
            Query::select()
                .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
                .from_subquery(capped, Alias::new("capped")),
        )
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0) as u64;
    // One row more than a page, to know whether there is a further one.
    let key = Expr::tuple([
        Expr::col((incident::Entity, incident::Column::CreatedAt)),
        Expr::col((incident::Entity, incident::Column::Seq)),
    ]);
    let mut find = incident::Entity::find()
        .filter(cond)
        .find_also_related(user::Entity);
    let backwards = matches!(q.from, Some((Direction::Before, _)));
    if let Some((direction, c)) = q.from {
        let at = Expr::tuple([Expr::val(c.created_at), Expr::val(c.seq)]);
        find = find.filter(match direction {
            Direction::After => key.lt(at),
            Direction::Before => key.gt(at),
        });
    }
    let mut rows = if backwards {
        find.order_by_asc(incident::Column::CreatedAt)
            .order_by_asc(incident::Column::Seq)
    } else {
        find.order_by_desc(incident::Column::CreatedAt)
            .order_by_desc(incident::Column::Seq)
    }
    .limit(PAGE_SIZE + 1)
    .all(db)
    .await?;
    let further = rows.len() as u64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    if backwards {
        rows.reverse();
    }
    let rows = rows
        .into_iter()
        .filter_map(|(i, u)| {
            let overdue = is_overdue(&i, now);
            let sees_reporter = access_to(actor, &i).sees_reporter();
            Some(IncidentRow {
                id: i.id,
                phase: Phase::from_id(&i.phase)?,
                kind: IncidentKind::from_id(&i.kind)?,
                discovery: Discovery::from_id(&i.discovery)?,
                human_id: i.human_id,
                title: i.title,
                // Outside parties never learn who reported it.
                reporter: if sees_reporter {
                    u.map(|u| u.display_name).unwrap_or_default()
                } else {
                    String::new()
                },
                created_at: i.created_at,
                seq: i.seq,
                status: Status::from_id(&i.status)?,
                severity: i.severity.as_deref().and_then(Severity::from_id),
                tlp: Tlp::from_id(&i.tlp)?,
                overdue,
            })
        })
        .collect::<Vec<IncidentRow>>();
    let (next, prev) = ListCursor::links(q.from, further, &rows);
    Ok(IncidentPage {
        next,
        prev,
        total: Ord::min(counted, COUNT_CAP),
        more_than_total: counted > COUNT_CAP,
        rows,
    })
}

/// An open incident is overdue when a time target was missed or met late.
pub fn is_overdue(i: &incident::Model, now: DateTime<Utc>) -> bool {
    let late = |due: Option<DateTime<Utc>>, met: Option<DateTime<Utc>>| match (due, met) {
        (Some(d), Some(m)) => m > d,
        (Some(d), None) => now > d,
        (None, _) => false,
    };
    i.status == Status::Open.id()
        && (late(i.triage_due_at, i.triaged_at) || late(i.response_due_at, i.responded_at))
}

/// The same rule as `is_overdue`, as a query condition.
fn overdue_condition(now: DateTime<Utc>) -> Condition {
    use incident::Column as C;
    let late =
        |due: C, met: C| {
            Condition::any()
                .add(
                    Condition::all()
                        .add(due.is_not_null())
                        .add(met.is_null())
                        .add(due.lt(now)),
                )
                .add(Condition::all().add(met.is_not_null()).add(
                    sea_orm::sea_query::ExprTrait::gt(Expr::col(met), Expr::col(due)),
                ))
        };
    Condition::all().add(C::Status.eq(Status::Open.id())).add(
        Condition::any()
            .add(late(C::TriageDueAt, C::TriagedAt))
            .add(late(C::ResponseDueAt, C::RespondedAt)),
    )
}

/// The classification a handler sets on the incident page.
pub(super) struct Classification {
    pub tlp: Tlp,
    pub stages: Vec<AttackStage>,
    pub attacker: Option<AttackerType>,
    pub route: Option<AttackRoute>,
    pub severity: Option<Severity>,
}

/// Records what changed (before and after) and, when the severity changes,
/// its time targets; nothing changed records nothing.
pub(super) async fn classify(
    txn: &DatabaseTransaction,
    model: &HandlingModel,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    c: Classification,
) -> ServiceResult<()> {
    let Classification {
        tlp,
        stages,
        attacker,
        route,
        severity,
    } = c;
    let stages = AttackStage::join(&stages);
    let current = inc.severity.as_deref().and_then(Severity::from_id);
    let severity_changed = severity.is_some() && severity != current;
    rules::may_edit(&actor.roles, f, &Edit::Classify { severity_changed })?;
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
        inc.attack_stages.as_deref(),
        stages.as_deref(),
    );
    set(
        "attacker_type",
        inc.attacker_type.as_deref(),
        attacker.map(|a| a.id()),
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
    m.attack_stages = Set(stages);
    m.attacker_type = Set(attacker.map(|a| a.id().into()));
    m.attack_route = Set(route.map(|r| r.id().into()));
    m.updated_at = Set(Utc::now());
    m.update(txn).await?;
    event(txn, inc, actor, EventKind::Classified, None, d).await
}

/// Sets the responder and the officer, and mails the ones newly assigned.
pub(super) async fn assign(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    responder: Option<Uuid>,
    officer: Option<Uuid>,
) -> ServiceResult<()> {
    rules::may_edit(&actor.roles, f, &Edit::Assign)?;
    let responder_name = person(
        txn,
        responder,
        "responder",
        app::domain::policy::roles::is_handler,
    )
    .await?;
    let officer_name = person(
        txn,
        officer,
        "officer",
        app::domain::policy::roles::is_officer,
    )
    .await?;
    let mut m: incident::ActiveModel = inc.clone().into();
    m.responder_id = Set(responder);
    m.officer_id = Set(officer);
    m.updated_at = Set(Utc::now());
    m.update(txn).await?;
    let d = detail([("responder", responder_name), ("officer", officer_name)]);
    event(txn, inc, actor, EventKind::Assigned, None, d).await?;
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
    crate::mail::enqueue(txn, &newly, MailKind::Assigned, &about).await?;
    Ok(())
}

/// The technical and operational recurrence-prevention measures (phase G).
pub(super) async fn record_prevention(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    technical: String,
    operational: String,
) -> ServiceResult<()> {
    rules::may_edit(&actor.roles, f, &Edit::Prevention)?;
    let mut m: incident::ActiveModel = inc.clone().into();
    let clean = |s: String| {
        Some(app::domain::form::clean(&s, app::domain::form::Lines::Many)).filter(|s| !s.is_empty())
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
    event(txn, inc, actor, EventKind::PreventionRecorded, None, d).await
}
