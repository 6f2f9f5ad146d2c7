//! Handling metrics (`/metrics`): the KPIs of `app::domain::metrics`, read
//! off the timeline. Every append that can move a milestone (the kinds of
//! `Mark::KINDS`, and a classification) recomputes that incident's row of
//! `incident_metrics` in the same transaction, so the figures are never
//! behind the timeline. The page then costs one grouped query over those
//! rows (indexed by report time) grouped two ways, by period and by the
//! values the page breaks down by, and two small ones for the waits, not
//! a scan of the timeline per request. The table is derived: `backfill`
//! builds the rows missing (an upgrade, a restore) from the timeline.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, Order, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use uuid::Uuid;

use app::domain::Phase;
use app::domain::containment::MeasureStatus;
use app::domain::event::EventKind;
use app::domain::metrics::{
    self, Cell, Every, Mark, Mean, MetricsQuery, MetricsView, Milestones, Waits,
};
use app::domain::policy::{Action, Actor};
use app::domain::workflow::Status;

use super::error::ServiceResult;
use crate::entity::{
    containment, engagement, incident, incident_event, incident_metric, investigation_report,
};

/// Whether an event of this kind can change an incident's metrics row.
pub fn moves_metrics(kind: EventKind) -> bool {
    Mark::KINDS.contains(&kind) || kind == EventKind::Classified
}

/// Recomputes one incident's row from its timeline and its current
/// classification. Call inside the transaction that appended the event.
pub async fn refresh(conn: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    let Some(inc) = incident::Entity::find_by_id(id).one(conn).await? else {
        return Ok(());
    };
    let kinds: Vec<&str> = Mark::KINDS.iter().map(|k| k.id()).collect();
    let events: Vec<(String, DateTime<Utc>, String)> = incident_event::Entity::find()
        .select_only()
        .column(incident_event::Column::Kind)
        .column(incident_event::Column::At)
        .column(incident_event::Column::Detail)
        .filter(incident_event::Column::IncidentId.eq(id))
        .filter(incident_event::Column::Kind.is_in(kinds))
        .order_by_asc(incident_event::Column::Seq)
        .into_tuple()
        .all(conn)
        .await?;
    let marks: Vec<Mark> = events
        .iter()
        .filter_map(|(kind, at, detail)| {
            let kind = EventKind::from_id(kind)?;
            let d: HashMap<String, String> = serde_json::from_str(detail).unwrap_or_default();
            Some(Mark {
                kind,
                at: *at,
                phase_after: d.get("phase.after").and_then(|p| Phase::from_id(p)),
                status_after: d.get("status.after").and_then(|s| Status::from_id(s)),
            })
        })
        .collect();
    let row = row_of(&inc, &Milestones::of(inc.noticed_at, &marks));
    incident_metric::Entity::delete_by_id(id).exec(conn).await?;
    incident_metric::Entity::insert(row).exec(conn).await?;
    Ok(())
}

fn row_of(inc: &incident::Model, m: &Milestones) -> incident_metric::ActiveModel {
    let d = m.durations();
    let reported = m.reported.unwrap_or(inc.created_at);
    let s = |t: Option<DateTime<Utc>>| t.map(|t| t.timestamp());
    let passed = d
        .passed
        .iter()
        .enumerate()
        .fold(0i32, |bits, (i, p)| if *p { bits | 1 << i } else { bits });
    let [a, b, c, dd, e, f, g] = d.in_phase;
    incident_metric::ActiveModel {
        incident_id: Set(inc.id),
        reported_s: Set(reported.timestamp()),
        week: Set(metrics::bucket(Every::Week, reported)),
        month: Set(metrics::bucket(Every::Month, reported)),
        kind: Set(inc.kind.clone()),
        severity: Set(inc.severity.clone().unwrap_or_default()),
        discovery: Set(inc.discovery.clone()),
        route: Set(inc.attack_route.clone().unwrap_or_default()),
        phase: Set(inc.phase.clone()),
        status: Set(inc.status.clone()),
        lag_s: Set(d.kpi[0]),
        decision_s: Set(d.kpi[1]),
        containment_s: Set(d.kpi[2]),
        prevention_s: Set(d.kpi[3]),
        close_s: Set(d.kpi[4]),
        phase_a_s: Set(a),
        phase_b_s: Set(b),
        phase_c_s: Set(c),
        phase_d_s: Set(dd),
        phase_e_s: Set(e),
        phase_f_s: Set(f),
        phase_g_s: Set(g),
        passed: Set(passed),
        reopened: Set(d.reopened.min(i32::MAX as u32) as i32),
        triage_due_s: Set(s(inc.triage_due_at)),
        triage_met_s: Set(s(inc.triaged_at)),
        response_due_s: Set(s(inc.response_due_at)),
        response_met_s: Set(s(inc.responded_at)),
    }
}

/// Builds the rows of incidents that have none, from their timelines, a
/// batch per transaction. Returns how many it built.
pub async fn backfill(db: &DatabaseConnection) -> Result<usize, DbErr> {
    let mut built = 0;
    loop {
        let have = Query::select()
            .column(incident_metric::Column::IncidentId)
            .from(incident_metric::Entity)
            .to_owned();
        let ids: Vec<Uuid> = incident::Entity::find()
            .select_only()
            .column(incident::Column::Id)
            .filter(incident::Column::Id.not_in_subquery(have))
            .limit(500)
            .into_tuple()
            .all(db)
            .await?;
        if ids.is_empty() {
            return Ok(built);
        }
        let txn = db.begin().await?;
        for id in &ids {
            refresh(&txn, *id).await?;
        }
        txn.commit().await?;
        built += ids.len();
    }
}

/// The incidents the filters select, as a subquery of ids.
fn selected(q: &MetricsQuery) -> SelectStatement {
    let mut s = Query::select();
    s.column(incident_metric::Column::IncidentId)
        .from(incident_metric::Entity);
    filter(&mut s, q);
    s.to_owned()
}

fn filter(s: &mut SelectStatement, q: &MetricsQuery) {
    use incident_metric::Column as M;
    // An open end adds no condition: a range over the whole index would
    // make the database walk it and fetch each row, slower than a scan.
    let (from, to) = q.range();
    if from > i64::MIN {
        s.and_where(M::ReportedS.gte(from));
    }
    if to < i64::MAX {
        s.and_where(M::ReportedS.lt(to));
    }
    if let Some(k) = q.kind {
        s.and_where(M::Kind.eq(k.id()));
    }
    if let Some(v) = q.severity {
        s.and_where(M::Severity.eq(v.id()));
    }
}

/// One grouped row as the database returns it (see `cells`).
#[derive(FromQueryResult)]
struct Grouped {
    bucket: i64,
    kind: String,
    severity: String,
    discovery: String,
    route: String,
    phase: String,
    status: String,
    incidents: i64,
    k0s: i64,
    k0n: i64,
    k1s: i64,
    k1n: i64,
    k2s: i64,
    k2n: i64,
    k3s: i64,
    k3n: i64,
    k4s: i64,
    k4n: i64,
    p0s: i64,
    p0n: i64,
    p1s: i64,
    p1n: i64,
    p2s: i64,
    p2n: i64,
    p3s: i64,
    p3n: i64,
    p4s: i64,
    p4n: i64,
    p5s: i64,
    p5n: i64,
    p6s: i64,
    p6n: i64,
    triage_breached: i64,
    response_breached: i64,
    reopened: i64,
}

const KPI_COLUMNS: [&str; 5] = [
    "lag_s",
    "decision_s",
    "containment_s",
    "prevention_s",
    "close_s",
];
const PHASE_COLUMNS: [&str; 7] = [
    "phase_a_s",
    "phase_b_s",
    "phase_c_s",
    "phase_d_s",
    "phase_e_s",
    "phase_f_s",
    "phase_g_s",
];

/// A grouped query over the selected rows: the sums per period and status
/// ([`Grouping::Totals`]), or the counts per value of every dimension the
/// page breaks down by ([`Grouping::Counts`]). Integer seconds only, so the
/// SQL is the same on SQLite and PostgreSQL (sums cast back to BIGINT,
/// which PostgreSQL would otherwise widen to NUMERIC).
/// What one grouped query groups by.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Grouping {
    /// Period, severity and status: the KPI and phase sums and the
    /// breaches, for the totals, the trend and the targets.
    Totals,
    /// The values the page breaks down by, counted only: the index on
    /// them (with the report time) answers it without reading the table.
    Counts,
}

async fn cells(
    db: &DatabaseConnection,
    q: &MetricsQuery,
    grouping: Grouping,
) -> Result<Vec<Cell>, DbErr> {
    let now = Utc::now().timestamp();
    let bucket = match (grouping, q.every) {
        (Grouping::Counts, _) => "CAST(0 AS BIGINT)",
        (Grouping::Totals, Every::Week) => "week",
        (Grouping::Totals, Every::Month) => "month",
    };
    let dims: &[&str] = match grouping {
        Grouping::Totals => &["severity", "status"],
        Grouping::Counts => &["kind", "severity", "discovery", "route", "phase", "status"],
    };
    let mut s = Query::select();
    s.from(incident_metric::Entity)
        .expr_as(Expr::cust(bucket), Alias::new("bucket"));
    for c in ["kind", "severity", "discovery", "route", "phase", "status"] {
        let e = if dims.contains(&c) { c } else { "''" };
        s.expr_as(Expr::cust(e), Alias::new(c));
    }
    let big = |e: String| Expr::cust(format!("CAST({e} AS BIGINT)"));
    // Only the grouping that reads a sum computes it.
    let sum = |e: String, wanted: Grouping| {
        if grouping == wanted {
            big(format!("COALESCE({e}, 0)"))
        } else {
            big("0".into())
        }
    };
    s.expr_as(big("COUNT(*)".into()), Alias::new("incidents"));
    for (i, c) in KPI_COLUMNS.iter().enumerate() {
        s.expr_as(
            sum(format!("SUM({c})"), Grouping::Totals),
            Alias::new(format!("k{i}s")),
        );
        s.expr_as(
            sum(format!("COUNT({c})"), Grouping::Totals),
            Alias::new(format!("k{i}n")),
        );
    }
    for (i, c) in PHASE_COLUMNS.iter().enumerate() {
        s.expr_as(
            sum(format!("SUM({c})"), Grouping::Totals),
            Alias::new(format!("p{i}s")),
        );
        s.expr_as(
            sum(
                format!(
                    "SUM(CASE WHEN (passed & {}) <> 0 THEN 1 ELSE 0 END)",
                    1 << i
                ),
                Grouping::Totals,
            ),
            Alias::new(format!("p{i}n")),
        );
    }
    // Missed: met after it was due, or not met, still open and overdue.
    for (name, due, met) in [
        ("triage_breached", "triage_due_s", "triage_met_s"),
        ("response_breached", "response_due_s", "response_met_s"),
    ] {
        s.expr_as(
            sum(
                format!(
                    "SUM(CASE WHEN {due} IS NOT NULL AND (({met} IS NOT NULL AND {met} > {due}) \
                     OR ({met} IS NULL AND status <> 'closed' AND {due} < {now})) THEN 1 ELSE 0 END)"
                ),
                Grouping::Totals,
            ),
            Alias::new(name),
        );
    }
    s.expr_as(
        sum("SUM(reopened)".into(), Grouping::Totals),
        Alias::new("reopened"),
    );
    filter(&mut s, q);
    if grouping == Grouping::Totals {
        s.add_group_by([Expr::cust(bucket)]);
    }
    for c in dims {
        s.add_group_by([Expr::cust(*c)]);
    }
    s.order_by_expr(Expr::cust(bucket), Order::Asc);
    let stmt = db.get_database_backend().build(&s);
    let rows = Grouped::find_by_statement(stmt).all(db).await?;
    Ok(rows
        .into_iter()
        .map(|g| Cell {
            bucket: g.bucket,
            kind: g.kind,
            severity: g.severity,
            discovery: g.discovery,
            route: g.route,
            phase: g.phase,
            status: g.status,
            incidents: g.incidents,
            kpi: [
                (g.k0s, g.k0n),
                (g.k1s, g.k1n),
                (g.k2s, g.k2n),
                (g.k3s, g.k3n),
                (g.k4s, g.k4n),
            ],
            in_phase: [
                (g.p0s, g.p0n),
                (g.p1s, g.p1n),
                (g.p2s, g.p2n),
                (g.p3s, g.p3n),
                (g.p4s, g.p4n),
                (g.p5s, g.p5n),
                (g.p6s, g.p6n),
            ],
            triage_breached: g.triage_breached,
            response_breached: g.response_breached,
            reopened: g.reopened,
        })
        .collect())
}

/// How long the officer keeps proposals waiting and vendors take to
/// report, over the selected incidents.
async fn waits(db: &DatabaseConnection, q: &MetricsQuery) -> Result<Waits, DbErr> {
    let now = Utc::now();
    let measures: Vec<(String, DateTime<Utc>, Option<DateTime<Utc>>)> = containment::Entity::find()
        .select_only()
        .column(containment::Column::Status)
        .column(containment::Column::ProposedAt)
        .column(containment::Column::DecidedAt)
        .filter(containment::Column::Emergency.eq(false))
        .filter(containment::Column::IncidentId.in_subquery(selected(q)))
        .into_tuple()
        .all(db)
        .await?;
    let mut decided = (0i64, 0i64);
    let (mut pending, mut oldest) = (0i64, None::<i64>);
    for (status, proposed, decided_at) in &measures {
        match decided_at {
            Some(d) => {
                decided = (
                    decided.0 + (*d - *proposed).num_seconds().max(0),
                    decided.1 + 1,
                )
            }
            None if status == MeasureStatus::Proposed.id() => {
                pending += 1;
                let age = (now - *proposed).num_seconds().max(0);
                oldest = Some(oldest.map_or(age, |o| o.max(age)));
            }
            None => {}
        }
    }
    /// An engagement's id, start, expiry and revocation.
    type Span = (Uuid, DateTime<Utc>, DateTime<Utc>, Option<DateTime<Utc>>);
    let engagements: Vec<Span> = engagement::Entity::find()
        .select_only()
        .column(engagement::Column::Id)
        .column(engagement::Column::StartsAt)
        .column(engagement::Column::ExpiresAt)
        .column(engagement::Column::RevokedAt)
        .filter(engagement::Column::IncidentId.in_subquery(selected(q)))
        .into_tuple()
        .all(db)
        .await?;
    let ids: Vec<Uuid> = engagements.iter().map(|e| e.0).collect();
    let mut first_report: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let reports: Vec<(Uuid, DateTime<Utc>)> = investigation_report::Entity::find()
            .select_only()
            .column(investigation_report::Column::EngagementId)
            .column(investigation_report::Column::SubmittedAt)
            .filter(investigation_report::Column::EngagementId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        for (e, at) in reports {
            let t = first_report.entry(e).or_insert(at);
            *t = (*t).min(at);
        }
    }
    let mut reported = (0i64, 0i64);
    let mut open = 0;
    for (id, starts, expires, revoked) in &engagements {
        match first_report.get(id) {
            Some(at) => {
                reported = (
                    reported.0 + (*at - *starts).num_seconds().max(0),
                    reported.1 + 1,
                )
            }
            None if revoked.is_none() && *expires > now && *starts <= now => open += 1,
            None => {}
        }
    }
    Ok(Waits {
        proposal_decision: Mean::of(decided),
        proposals_pending: pending,
        oldest_pending_seconds: oldest,
        engagement_report: Mean::of(reported),
        engagements_open: open,
    })
}

/// The metrics page over the incidents the filters select. The internal
/// handling roles only (they see every incident the figures cover).
pub async fn view(
    db: &DatabaseConnection,
    actor: &Actor,
    q: MetricsQuery,
) -> ServiceResult<MetricsView> {
    // Not `kernel::require`: the timeline (which kernel uses) calls this
    // module, and the services import each other without a circle.
    if !app::domain::policy::may(actor, Action::SeeMetrics) {
        return Err(super::error::ServiceError::FORBIDDEN);
    }
    // Three independent reads, each on its own pooled connection: the
    // page waits for the slowest, not for their sum.
    let (totals, counts, waits) = tokio::try_join!(
        cells(db, &q, Grouping::Totals),
        cells(db, &q, Grouping::Counts),
        waits(db, &q),
    )?;
    Ok(metrics::fold(q, &totals, &counts, waits))
}
