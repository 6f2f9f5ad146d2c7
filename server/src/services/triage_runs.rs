//! Log triage of an evidence item in the product: "Analyse" queues a run,
//! a background worker streams the stored file through the parsers and
//! detectors (`crate::triage`), writing its progress as it goes, and
//! stores the findings with the run in one transaction. The file is only
//! read, never changed; the analysis is in the item's chain of custody. A
//! run left queued or running by a restart starts again; a cancelled one
//! stops at its next progress mark and keeps nothing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use uuid::Uuid;

use app::domain::ErrorCode;
use app::domain::event::EventKind;
use app::domain::evidence::CustodyKind;
use app::domain::observable::SeenIn;
use app::domain::policy::{Access, Actor, IncidentAct, may_act};
use app::domain::triage::{
    FindingObservable, FindingStatus, FindingView, LineRef, RunStatus, RunView, observable_type,
};
use app::domain::workflow::{self, Edit, Facts};

use super::error::{OrCorrupt as _, ServiceError, ServiceResult};
use super::kernel::{access_to, event};
use super::timeline::detail;
use crate::entity::{evidence, incident, observable, triage_finding, triage_run, user};
use crate::evidence_store::EvidenceStore;
use crate::triage::detect::Finding;
use crate::triage::parse::Options;
use crate::triage::record::Format;
use playbooks::HandlingModel;

/// How often a running analysis writes its progress (and notices a cancel).
const PROGRESS_EVERY: Duration = Duration::from_millis(500);

/// Queues an analysis of an evidence item and starts its worker. Who may:
/// whoever may handle the item's evidence and sees the item (handlers, a
/// vendor for the items its scope covers). One run at a time per item.
pub async fn start(
    db: &DatabaseConnection,
    store: &EvidenceStore,
    model: &Arc<HandlingModel>,
    actor: &Actor,
    evidence_id: Uuid,
    format: Option<Format>,
) -> ServiceResult<Uuid> {
    let e = super::evidence::authorised_item(db, actor, evidence_id).await?;
    let txn = db.begin().await?;
    let inc = super::timeline::lock(&txn, e.incident_id)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    let busy = triage_run::Entity::find()
        .filter(triage_run::Column::EvidenceId.eq(e.id))
        .filter(triage_run::Column::Status.is_in([RunStatus::Queued.id(), RunStatus::Running.id()]))
        .one(&txn)
        .await?;
    if let Some(run) = busy {
        return Ok(run.id);
    }
    let id = Uuid::new_v4();
    triage_run::ActiveModel {
        id: Set(id),
        incident_id: Set(inc.id),
        evidence_id: Set(e.id),
        status: Set(RunStatus::Queued.id().into()),
        format: Set(format.map(format_id)),
        bytes_total: Set(e.size),
        bytes_done: Set(0),
        summary: Set("{}".into()),
        findings: Set(0),
        error: Set(None),
        started_by: Set(actor.id),
        created_at: Set(Utc::now()),
        finished_at: Set(None),
    }
    .insert(&txn)
    .await?;
    super::evidence::custody_of(
        &txn,
        e.id,
        CustodyKind::Analysed,
        Some(actor.id),
        ("Hikeshi evidence store", "Hikeshi log triage (read only)"),
        "log triage",
        &format!("run {id}"),
    )
    .await?;
    txn.commit().await?;
    spawn(db.clone(), store.clone(), model.clone(), id);
    Ok(id)
}

/// Asks a queued or running analysis to stop; the worker notices at its
/// next progress mark and stores nothing.
pub async fn cancel(db: &DatabaseConnection, actor: &Actor, run: Uuid) -> ServiceResult<()> {
    let r = triage_run::Entity::find_by_id(run)
        .one(db)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    super::evidence::authorised_item(db, actor, r.evidence_id).await?;
    mark(db, run, RunStatus::Cancelled, None).await
}

/// Starts again every run a restart interrupted.
pub async fn resume(
    db: &DatabaseConnection,
    store: &EvidenceStore,
    model: &Arc<HandlingModel>,
) -> ServiceResult<usize> {
    let left = triage_run::Entity::find()
        .filter(triage_run::Column::Status.is_in([RunStatus::Queued.id(), RunStatus::Running.id()]))
        .all(db)
        .await?;
    for r in &left {
        spawn(db.clone(), store.clone(), model.clone(), r.id);
    }
    Ok(left.len())
}

fn spawn(db: DatabaseConnection, store: EvidenceStore, model: Arc<HandlingModel>, run: Uuid) {
    tokio::spawn(async move {
        if let Err(e) = work(&db, &store, &model, run).await {
            tracing::error!(%run, error = %e, "log triage failed");
            let _ = finish_failed(&db, run, "the analysis failed; see the server log").await;
        }
    });
}

/// Reads the stored file through a counting reader on a blocking thread,
/// writing progress from here; then stores the findings, or the failure.
async fn work(
    db: &DatabaseConnection,
    store: &EvidenceStore,
    model: &HandlingModel,
    run: Uuid,
) -> ServiceResult<()> {
    let Some(r) = triage_run::Entity::find_by_id(run).one(db).await? else {
        return Ok(());
    };
    let Some(e) = evidence::Entity::find_by_id(r.evidence_id).one(db).await? else {
        return finish_failed(db, run, "the evidence item is gone").await;
    };
    mark(db, run, RunStatus::Running, None).await?;
    let config = match super::detection::config(db, model).await? {
        Ok(c) => c,
        Err(e) => return finish_failed(db, run, &format!("detection settings: {e}")).await,
    };
    let format = r.format.as_deref().and_then(crate::triage::parse_format);
    let path = store.path(&e.sha256);
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (d, s) = (done.clone(), stop.clone());
    let year = chrono::Datelike::year(&e.acquired_at);
    let limit = store.read_limit();
    let job = tokio::task::spawn_blocking(move || {
        let file = std::fs::File::open(&path)?;
        let reader = Counting {
            inner: file,
            done: d,
            stop: s,
            limit: limit.map(|l| (l, std::time::Instant::now(), 0)),
        };
        let options = Options {
            format,
            year,
            utc_offset_minutes: config.utc_offset_minutes,
        };
        crate::triage::analyse(reader, &options, config)
            .map_err(|e| std::io::Error::other(e.to_string()))
    });
    tokio::pin!(job);
    let outcome = loop {
        tokio::select! {
            result = &mut job => break result,
            _ = tokio::time::sleep(PROGRESS_EVERY) => {
                let now = triage_run::Entity::find_by_id(run).one(db).await?;
                if now.as_ref().is_none_or(|n| n.status == RunStatus::Cancelled.id()) {
                    stop.store(true, Ordering::Relaxed);
                }
                triage_run::Entity::update_many()
                    .col_expr(
                        triage_run::Column::BytesDone,
                        sea_orm::sea_query::Expr::value(done.load(Ordering::Relaxed) as i64),
                    )
                    .filter(triage_run::Column::Id.eq(run))
                    .exec(db)
                    .await?;
            }
        }
    };
    if stop.load(Ordering::Relaxed) {
        return Ok(());
    }
    match outcome {
        Ok(Ok((summary, findings))) => store_findings(db, &e, run, summary, findings).await,
        Ok(Err(err)) => finish_failed(db, run, &err.to_string()).await,
        Err(join) => finish_failed(db, run, &format!("the analysis stopped: {join}")).await,
    }
}

async fn store_findings(
    db: &DatabaseConnection,
    e: &evidence::Model,
    run: Uuid,
    summary: crate::triage::parse::Summary,
    findings: Vec<Finding>,
) -> ServiceResult<()> {
    let txn = db.begin().await?;
    let inc = super::timeline::lock(&txn, e.incident_id)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    // Cancelled in the meantime: keep nothing.
    let r = triage_run::Entity::find_by_id(run)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    if r.status == RunStatus::Cancelled.id() {
        return Ok(());
    }
    let count = findings.len();
    let rows: Vec<triage_finding::ActiveModel> = findings
        .iter()
        .map(|f| triage_finding::ActiveModel {
            id: Set(Uuid::new_v4()),
            run_id: Set(run),
            incident_id: Set(e.incident_id),
            evidence_id: Set(e.id),
            detector: Set(f.detector.to_string()),
            severity: Set(crate::triage::id_of(f.severity)),
            body: Set(serde_json::to_string(f).unwrap_or_else(|_| "{}".into())),
            status: Set(FindingStatus::Open.id().into()),
            note: Set(String::new()),
            decided_by: Set(None),
            decided_at: Set(None),
            task_id: Set(None),
        })
        .collect();
    for chunk in rows.chunks(500) {
        triage_finding::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    let mut m: triage_run::ActiveModel = r.into();
    m.status = Set(RunStatus::Done.id().into());
    m.format = Set(Some(format_id(summary.format)));
    m.bytes_done = Set(summary.bytes as i64);
    m.findings = Set(count as i32);
    m.summary = Set(serde_json::to_string(&summary).unwrap_or_else(|_| "{}".into()));
    m.finished_at = Set(Some(Utc::now()));
    let started_by = *m.started_by.as_ref();
    m.update(&txn).await?;
    let d = detail([
        ("evidence_id", e.id.to_string()),
        ("evidence", e.file_name.clone()),
        ("format", format_id(summary.format)),
        ("lines", summary.lines.to_string()),
        ("findings", count.to_string()),
    ]);
    super::timeline::append(
        &txn,
        &inc,
        Some(started_by),
        EventKind::EvidenceAnalysed,
        None,
        d,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

async fn finish_failed(db: &DatabaseConnection, run: Uuid, why: &str) -> ServiceResult<()> {
    mark(
        db,
        run,
        RunStatus::Failed,
        Some(why.chars().take(500).collect()),
    )
    .await
}

/// Moves a run to `status` (with the error, for a failure) unless it was
/// cancelled meanwhile; a run that ends records when. Cancelling itself
/// moves only a run still at work.
async fn mark(
    db: &DatabaseConnection,
    run: Uuid,
    status: RunStatus,
    error: Option<String>,
) -> ServiceResult<()> {
    use sea_orm::sea_query::Expr;
    let mut q = triage_run::Entity::update_many()
        .col_expr(triage_run::Column::Status, Expr::value(status.id()))
        .filter(triage_run::Column::Id.eq(run));
    q = if status == RunStatus::Cancelled {
        q.filter(
            triage_run::Column::Status.is_in([RunStatus::Queued.id(), RunStatus::Running.id()]),
        )
    } else {
        q.filter(triage_run::Column::Status.ne(RunStatus::Cancelled.id()))
    };
    if !status.is_active() {
        q = q.col_expr(triage_run::Column::FinishedAt, Expr::value(Utc::now()));
    }
    if let Some(e) = error {
        q = q.col_expr(triage_run::Column::Error, Expr::value(e));
    }
    q.exec(db).await?;
    Ok(())
}

/// Counts what the parsers read, stops them once asked to, and keeps
/// them under the store's read limit.
struct Counting<R> {
    inner: R,
    done: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    /// Bytes per second allowed, since when, and how many read since.
    limit: Option<(u64, std::time::Instant, u64)>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.stop.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("cancelled"));
        }
        // Under a limit, reads come in slices of a tenth of a second's
        // worth, each after the time the bytes before it were due.
        let want = match self.limit {
            Some((rate, _, _)) => buf.len().min((rate / 10).max(1) as usize),
            None => buf.len(),
        };
        let n = self.inner.read(&mut buf[..want])?;
        self.done.fetch_add(n as u64, Ordering::Relaxed);
        if let Some((rate, since, read)) = &mut self.limit {
            *read += n as u64;
            let due = Duration::from_secs_f64(*read as f64 / *rate as f64);
            if let Some(wait) = due.checked_sub(since.elapsed()) {
                std::thread::sleep(wait);
            }
        }
        Ok(n)
    }
}

fn format_id(f: Format) -> String {
    crate::triage::id_of(f)
}

/// The runs and findings of the items the reader sees, newest run first.
pub(super) async fn views(
    db: &DatabaseConnection,
    model: &HandlingModel,
    actor: &Actor,
    inc: &incident::Model,
    seen: &HashMap<Uuid, String>,
) -> ServiceResult<(Vec<RunView>, Vec<FindingView>)> {
    let access = access_to(actor, inc);
    if !may_act(&access, IncidentAct::Evidence) || seen.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let runs = triage_run::Entity::find()
        .filter(triage_run::Column::IncidentId.eq(inc.id))
        .order_by_desc(triage_run::Column::CreatedAt)
        .all(db)
        .await?;
    let runs: Vec<_> = runs
        .into_iter()
        .filter(|r| seen.contains_key(&r.evidence_id))
        .collect();
    let mut ids: Vec<Uuid> = runs.iter().map(|r| r.started_by).collect();
    ids.sort();
    ids.dedup();
    let names: HashMap<Uuid, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let run_views = runs
        .iter()
        .filter_map(|r| {
            let summary: serde_json::Value = serde_json::from_str(&r.summary).unwrap_or_default();
            let n = |k: &str| summary.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
            Some(RunView {
                id: r.id,
                evidence_id: r.evidence_id,
                evidence_name: seen.get(&r.evidence_id)?.clone(),
                status: RunStatus::from_id(&r.status)?,
                format: r.format.clone(),
                bytes_done: r.bytes_done.max(0) as u64,
                bytes_total: r.bytes_total.max(0) as u64,
                lines: n("lines"),
                parsed: n("parsed"),
                unparsed: n("unparsed"),
                findings: r.findings.max(0) as u32,
                error: r.error.clone(),
                started_by: names.get(&r.started_by).cloned().unwrap_or_default(),
                created_at: r.created_at,
                finished_at: r.finished_at,
            })
        })
        .collect();
    let rows: Vec<(triage_finding::Model, Stored)> = triage_finding::Entity::find()
        .filter(triage_finding::Column::IncidentId.eq(inc.id))
        .limit(2_000)
        .all(db)
        .await?
        .into_iter()
        .filter(|f| seen.contains_key(&f.evidence_id))
        .filter_map(|f| stored(&f).map(|b| (f, b)))
        .collect();
    let links = Links::of(db, actor, &access, inc, &rows).await?;
    let findings = rows
        .into_iter()
        .filter_map(|(f, body)| finding_view(model, &f, body, seen, &links))
        .collect();
    Ok((run_views, findings))
}

/// What the values of an incident's findings are elsewhere: the match
/// hash of each promotable value, the other incidents (the reader may see)
/// that recorded it, the store's indicators in force that match it, and
/// whether this incident recorded it already. Only handlers see links to
/// other incidents.
struct Links {
    hash: HashMap<(String, String), String>,
    also_in: BTreeMap<String, Vec<SeenIn>>,
    known: HashMap<String, Vec<app::domain::intel::Known>>,
    here: HashSet<String>,
}

impl Links {
    async fn of(
        db: &DatabaseConnection,
        actor: &Actor,
        access: &Access,
        inc: &incident::Model,
        rows: &[(triage_finding::Model, Stored)],
    ) -> ServiceResult<Links> {
        let mut hash = HashMap::new();
        for (_, body) in rows {
            for o in &body.observables {
                let Some(t) = observable_type(&o.kind) else {
                    continue;
                };
                if let Ok(v) = app::domain::observable::normalise(t.kind(), &o.value) {
                    let key = app::domain::observable::MatchKey::of(t.kind(), &v);
                    hash.insert(
                        (o.kind.clone(), o.value.clone()),
                        super::kernel::match_hash(&key),
                    );
                }
            }
        }
        let hashes: Vec<String> = hash
            .values()
            .cloned()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut links = Links {
            hash,
            also_in: BTreeMap::new(),
            known: HashMap::new(),
            here: HashSet::new(),
        };
        if hashes.is_empty() {
            return Ok(links);
        }
        links.known = super::intel::known(db, hashes.clone()).await?;
        links.here = observable::Entity::find()
            .filter(observable::Column::MatchHash.is_in(hashes.clone()))
            .filter(observable::Column::IncidentId.eq(inc.id))
            .all(db)
            .await?
            .into_iter()
            .map(|o| o.match_hash)
            .collect();
        if *access == Access::Handler {
            links.also_in = super::observables::also_in(db, actor, hashes, inc.id).await?;
        }
        Ok(links)
    }
}

/// A finding as stored: the detectors' `Finding` serialised, read back
/// with owned strings.
#[derive(serde::Deserialize)]
struct Stored {
    title: playbooks::Label,
    explanation: playbooks::Label,
    lines: Vec<LineRef>,
    line_count: u64,
    observables: Vec<StoredObservable>,
    first_seen: Option<chrono::DateTime<Utc>>,
    last_seen: Option<chrono::DateTime<Utc>>,
}

#[derive(serde::Deserialize)]
struct StoredObservable {
    kind: String,
    value: String,
}

fn stored(f: &triage_finding::Model) -> Option<Stored> {
    serde_json::from_str(&f.body).ok()
}

fn finding_view(
    model: &HandlingModel,
    f: &triage_finding::Model,
    body: Stored,
    seen: &HashMap<Uuid, String>,
    links: &Links,
) -> Option<FindingView> {
    let host = body
        .observables
        .iter()
        .find(|o| o.kind == "host" || o.kind == "ip")
        .map(|o| o.value.clone());
    let detector_name = model
        .detector(&f.detector)
        .map(|d| d.name.clone())
        .unwrap_or_else(|| playbooks::Label {
            ja: f.detector.clone(),
            en: f.detector.clone(),
        });
    Some(FindingView {
        id: f.id,
        evidence_id: f.evidence_id,
        evidence_name: seen.get(&f.evidence_id).cloned().unwrap_or_default(),
        detector: f.detector.clone(),
        detector_name,
        host,
        severity: f.severity.clone(),
        title: body.title,
        explanation: body.explanation,
        lines: body.lines,
        line_count: body.line_count,
        observables: body
            .observables
            .into_iter()
            .map(|o| {
                let hash = links.hash.get(&(o.kind.clone(), o.value.clone()));
                let mut also_in = hash
                    .and_then(|h| links.also_in.get(h))
                    .cloned()
                    .unwrap_or_default();
                also_in.sort_by(|a, b| a.human_id.cmp(&b.human_id));
                FindingObservable {
                    kind: observable_type(&o.kind),
                    also_in,
                    known: hash
                        .and_then(|h| links.known.get(h))
                        .cloned()
                        .unwrap_or_default(),
                    recorded: hash.is_some_and(|h| links.here.contains(h)),
                    found_as: o.kind,
                    value: o.value,
                }
            })
            .collect(),
        first_seen: body.first_seen,
        last_seen: body.last_seen,
        status: FindingStatus::from_id(&f.status)?,
        note: f.note.clone(),
        task: f.task_id,
    })
}

/// A finding of this incident, for a decision on it.
async fn find(
    txn: &DatabaseTransaction,
    inc: &incident::Model,
    id: Uuid,
) -> ServiceResult<triage_finding::Model> {
    triage_finding::Entity::find_by_id(id)
        .filter(triage_finding::Column::IncidentId.eq(inc.id))
        .one(txn)
        .await?
        .ok_or(ServiceError::NOT_FOUND)
}

/// Records one value of a finding as an observable and marks the finding
/// promoted, in the incident's transaction.
pub(super) async fn promote(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    finding: Uuid,
    v: app::domain::observable::ValidObservable,
) -> ServiceResult<()> {
    workflow::may_edit(&actor.roles, f, &Edit::Observe)?;
    let row = find(txn, inc, finding).await?;
    // A vendor promotes only what it sees: the findings of the items its
    // engagement covers.
    let own = super::external::colleagues(txn, actor).await?;
    let item = evidence::Entity::find_by_id(row.evidence_id)
        .one(txn)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    if !access_to(actor, inc).sees_evidence(item.id, own.contains(&item.uploaded_by)) {
        return Err(ServiceError::NOT_FOUND);
    }
    // Only a value the finding implicates can be promoted from it.
    let body = stored(&row).or_corrupt("triage_finding.body")?;
    let implicated = body.observables.iter().any(|o| {
        app::domain::observable::normalise(v.kind.kind(), &o.value)
            .ok()
            .as_deref()
            == Some(v.value.as_str())
    });
    if !implicated {
        return Err(ServiceError::NOT_FOUND);
    }
    super::observables::add(txn, actor, inc, f, v.clone()).await?;
    decide(
        txn,
        actor,
        inc,
        row,
        FindingStatus::Promoted,
        format!("{} {}", v.kind.id(), v.value),
    )
    .await
}

/// Opens a task for `role` in the incident's current phase to follow the
/// finding up: its explanation is the description, its cited lines the
/// input, its observables the checklist. One task per finding.
#[allow(clippy::too_many_arguments)]
pub(super) async fn open_task(
    txn: &DatabaseTransaction,
    model: &HandlingModel,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    finding: Uuid,
    role: app::domain::Role,
) -> ServiceResult<()> {
    use crate::entity::task;
    workflow::may_edit(&actor.roles, f, &Edit::Task)?;
    let row = find(txn, inc, finding).await?;
    if row.task_id.is_some() {
        return Err(ServiceError::field("finding", ErrorCode::AlreadyListed));
    }
    let body = stored(&row).or_corrupt("triage_finding.body")?;
    let item = evidence::Entity::find_by_id(row.evidence_id)
        .one(txn)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    let def = follow_up(model, &row, &body, &item.file_name, f.phase, role);
    let position = task::Entity::find()
        .filter(task::Column::IncidentId.eq(inc.id))
        .order_by_desc(task::Column::Position)
        .one(txn)
        .await?
        .map_or(0, |t| t.position + 1);
    let id = Uuid::new_v4();
    let now = Utc::now();
    task::ActiveModel {
        id: Set(id),
        incident_id: Set(inc.id),
        action_id: Set(def.id.clone()),
        phase: Set(def.phase.clone()),
        role: Set(def.role.clone()),
        required: Set(false),
        position: Set(position),
        definition: Set(
            serde_json::to_string(&def).map_err(|_| ServiceError::Corrupt("task definition"))?
        ),
        status: Set(app::domain::workflow::TaskStatus::Open.id().into()),
        assignee_id: Set(None),
        output_note: Set(None),
        waive_reason: Set(None),
        done_by: Set(None),
        done_at: Set(None),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    let mut m: triage_finding::ActiveModel = row.into();
    m.task_id = Set(Some(id));
    m.update(txn).await?;
    let d = detail([
        ("task", id.to_string()),
        ("finding", finding.to_string()),
        ("phase", def.phase.clone()),
        ("role", def.role.clone()),
        ("name", def.name.en.clone()),
    ]);
    event(txn, inc, actor, EventKind::TaskOpened, None, d).await
}

/// The task definition that follows a finding up.
fn follow_up(
    model: &HandlingModel,
    row: &triage_finding::Model,
    body: &Stored,
    file: &str,
    phase: app::domain::Phase,
    role: app::domain::Role,
) -> playbooks::ActionDef {
    use playbooks::Label;
    let rule = model.detector(&row.detector).map(|d| d.cite.clone());
    let lines: Vec<String> = body
        .lines
        .iter()
        .map(|l| format!("{}@{}", l.line, l.offset))
        .collect();
    let lines = lines.join(", ");
    playbooks::ActionDef {
        id: format!("finding.{}", row.id.simple()),
        phase: phase.id().into(),
        role: role.id().into(),
        raci: playbooks::Raci::Responsible,
        required: false,
        name: Label {
            ja: format!("調査: {}", body.title.ja),
            en: format!("Investigate: {}", body.title.en),
        },
        description: Label {
            ja: format!(
                "{}{}",
                body.explanation.ja,
                rule.as_deref()
                    .map(|r| format!("（{r}）"))
                    .unwrap_or_default()
            ),
            en: format!(
                "{}{}",
                body.explanation.en,
                rule.as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ),
        },
        inputs: vec![Label {
            ja: format!(
                "証拠 {file} の {} 行（行@バイト位置: {lines}）",
                body.line_count
            ),
            en: format!(
                "Evidence {file}, {} line(s) (line@byte offset: {lines})",
                body.line_count
            ),
        }],
        outputs: vec![Label {
            ja: "調査結果: 攻撃の痕跡か、影響の範囲、次に取る対処".into(),
            en: "What it is: an attack trace or not, how far it reached, what to do next".into(),
        }],
        skills: vec![Label {
            ja: "ログ分析".into(),
            en: "Log analysis".into(),
        }],
        depends_on: Vec::new(),
        checklist: body
            .observables
            .iter()
            .map(|o| Label {
                ja: format!("{} {} を他のログと端末で確認する", o.kind, o.value),
                en: format!(
                    "Look for {} {} in the other logs and on the hosts",
                    o.kind, o.value
                ),
            })
            .collect(),
        kind: None,
    }
}

pub(super) async fn dismiss(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    finding: Uuid,
    reason: String,
) -> ServiceResult<()> {
    workflow::may_edit(&actor.roles, f, &Edit::Observe)?;
    let reason =
        app::domain::form::required_text("reason", &reason, app::domain::triage::DISMISS_MAX)
            .map_err(ServiceError::Fields)?;
    let row = find(txn, inc, finding).await?;
    decide(txn, actor, inc, row, FindingStatus::Dismissed, reason).await
}

async fn decide(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    row: triage_finding::Model,
    status: FindingStatus,
    note: String,
) -> ServiceResult<()> {
    let (evidence_id, detector) = (row.evidence_id, row.detector.clone());
    let mut m: triage_finding::ActiveModel = row.into();
    m.status = Set(status.id().into());
    m.note = Set(note.clone());
    m.decided_by = Set(Some(actor.id));
    m.decided_at = Set(Some(Utc::now()));
    m.update(txn).await?;
    // The chain head may have moved with the observable's own event.
    let fresh = incident::Entity::find_by_id(inc.id)
        .one(txn)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    let d = detail([
        ("evidence_id", evidence_id.to_string()),
        ("detector", detector),
        ("status", status.id().into()),
        ("note", note),
    ]);
    event(
        txn,
        &fresh,
        actor,
        EventKind::EvidenceFindingDecided,
        None,
        d,
    )
    .await
}
