//! Handling metrics (KPIs), derived from what the timeline records.
//!
//! Every figure rests on recorded events, never on a hand-kept field: an
//! incident's [`Milestones`] are read off its timeline ([`Mark`]s: the
//! report, the triage decision, the first containment measure in force,
//! entering phase G, closing and reopening), its time in each phase off the
//! phase changes those events record. The server stores one row of
//! [`Durations`] per incident whenever its timeline moves, and the page
//! folds the grouped sums of those rows ([`Cell`]s) into its tables
//! ([`fold`]). The formulas are written on the page ([`Kpi`], in the locale
//! files under `mt.kpi.*`).

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::Phase;
use super::classification::{AttackRoute, Severity};
use super::event::EventKind;
use super::form::{ErrorCode, FieldError};
use super::incident::{Discovery, IncidentKind};
use super::workflow::Status;
use crate::string_enum;

/// One timeline event, as far as the metrics read it: its kind, when, and
/// the phase and status it left the incident in (progress events record
/// both; others neither).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    pub phase_after: Option<Phase>,
    pub status_after: Option<Status>,
}

impl Mark {
    /// The event kinds a milestone or a phase change can come from; the
    /// server reads only these.
    pub const KINDS: &'static [EventKind] = &[
        EventKind::Reported,
        EventKind::TakenIntoTriage,
        EventKind::FirstResponseDecided,
        EventKind::PhaseAdvanced,
        EventKind::Closed,
        EventKind::Reopened,
        EventKind::ContainmentExecute,
        EventKind::ContainmentEmergency,
    ];
}

/// When an incident reached each point of its handling.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Milestones {
    /// When the reporter noticed it (as the report says).
    pub noticed: Option<DateTime<Utc>>,
    pub reported: Option<DateTime<Utc>>,
    /// The first triage decision (初動対処の可否判断).
    pub decided: Option<DateTime<Utc>>,
    /// The first containment measure executed (emergency ones included).
    pub contained: Option<DateTime<Utc>>,
    /// The first time it entered phase G.
    pub entered_g: Option<DateTime<Utc>>,
    /// When it was closed, unless reopened since.
    pub closed: Option<DateTime<Utc>>,
    pub reopened: u32,
    /// Seconds spent in each phase (A–G), over every stay that has ended:
    /// a phase it went through twice (reopened) counts both stays, one it
    /// never entered counts nothing.
    pub in_phase: [i64; 7],
    /// The phases it has left at least once.
    pub passed: [bool; 7],
}

impl Milestones {
    /// Reads the milestones off an incident's timeline, in order.
    pub fn of(noticed: DateTime<Utc>, marks: &[Mark]) -> Milestones {
        let mut m = Milestones {
            noticed: Some(noticed),
            ..Milestones::default()
        };
        let mut stay: Option<(Phase, DateTime<Utc>)> = None;
        let leave = |m: &mut Milestones, stay: &mut Option<(Phase, DateTime<Utc>)>, at| {
            if let Some((p, since)) = stay.take() {
                let i = p as usize;
                m.in_phase[i] += seconds(since, at);
                m.passed[i] = true;
            }
        };
        for mark in marks {
            let at = mark.at;
            match mark.kind {
                EventKind::Reported if m.reported.is_none() => {
                    m.reported = Some(at);
                    stay = Some((Phase::A, at));
                }
                EventKind::ContainmentExecute | EventKind::ContainmentEmergency => {
                    m.contained.get_or_insert(at);
                }
                EventKind::TakenIntoTriage
                | EventKind::FirstResponseDecided
                | EventKind::PhaseAdvanced
                | EventKind::Closed
                | EventKind::Reopened => {
                    if mark.kind == EventKind::FirstResponseDecided {
                        m.decided.get_or_insert(at);
                    }
                    if mark.kind == EventKind::Reopened {
                        m.reopened += 1;
                    }
                    let closes = match mark.status_after {
                        Some(s) => s == Status::Closed,
                        None => mark.kind == EventKind::Closed,
                    };
                    let phase = mark.phase_after.or(stay.map(|(p, _)| p));
                    if closes || stay.map(|(p, _)| p) != phase {
                        leave(&mut m, &mut stay, at);
                    }
                    if closes {
                        m.closed = Some(at);
                    } else {
                        m.closed = None;
                        if let (None, Some(p)) = (stay, phase) {
                            stay = Some((p, at));
                            if p == Phase::G {
                                m.entered_g.get_or_insert(at);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        m
    }

    /// The KPI durations, in seconds; `None` where the incident has not
    /// reached both ends. A later end recorded before an earlier one (an
    /// emergency measure before the triage decision) counts as zero.
    pub fn durations(&self) -> Durations {
        let span = |a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>| Some(seconds(a?, b?));
        Durations {
            kpi: [
                span(self.noticed, self.reported),
                span(self.reported, self.decided),
                span(self.decided, self.contained),
                span(self.contained, self.entered_g),
                span(self.reported, self.closed),
            ],
            in_phase: self.in_phase,
            passed: self.passed,
            reopened: self.reopened,
        }
    }
}

/// Whole seconds from `a` to `b`, never negative.
fn seconds(a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
    (b - a).num_seconds().max(0)
}

/// What the server stores per incident: the KPI durations (in
/// [`Kpi::ALL`] order) and the time in each phase.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Durations {
    pub kpi: [Option<i64>; 5],
    pub in_phase: [i64; 7],
    pub passed: [bool; 7],
    pub reopened: u32,
}

string_enum! {
    /// The durations the page reports, each between two milestones.
    pub enum Kpi {
        /// noticed → reported: how long a trace waited for someone to speak up.
        DetectionLag = "detection_lag",
        /// reported → first triage decision.
        ToDecision = "to_decision",
        /// triage decision → first containment measure in force.
        ToContainment = "to_containment",
        /// containment in force → phase G entered.
        ContainmentToPrevention = "containment_to_prevention",
        /// reported → closed.
        ToClose = "to_close",
    }
}

string_enum! {
    /// How the figures are grouped over time.
    pub enum Every {
        Week = "week",
        Month = "month",
    }
}

/// The period bucket of a report time: for weeks the Monday (UTC) as days
/// since 1970-01-01, for months `yyyymm`.
pub fn bucket(every: Every, at: DateTime<Utc>) -> i64 {
    let d = at.date_naive();
    match every {
        Every::Week => {
            let monday = d - Duration::days(d.weekday().num_days_from_monday().into());
            monday.signed_duration_since(epoch()).num_days()
        }
        Every::Month => i64::from(d.year()) * 100 + i64::from(d.month()),
    }
}

/// How a bucket is written: `2026-W47` (ISO week of its Monday) or `2026-11`.
pub fn bucket_label(every: Every, b: i64) -> String {
    match every {
        Every::Week => {
            let monday = epoch() + Duration::days(b);
            let w = monday.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        }
        Every::Month => format!("{}-{:02}", b / 100, b % 100),
    }
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// The filters as typed (a GET form: every value is text, kept as typed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricsForm {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub every: String,
}

/// The filters checked: incidents reported from `from` (inclusive) to `to`
/// (inclusive, whole days, UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricsQuery {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub kind: Option<IncidentKind>,
    pub severity: Option<Severity>,
    pub every: Every,
}

impl MetricsQuery {
    /// The report times covered, as seconds since 1970: `[start, end)`.
    pub fn range(&self) -> (i64, i64) {
        let day = |d: NaiveDate| {
            Utc.from_utc_datetime(&d.and_time(Default::default()))
                .timestamp()
        };
        (
            self.from.map_or(i64::MIN, day),
            self.to.map_or(i64::MAX, |d| day(d) + 86_400),
        )
    }
}

impl MetricsForm {
    pub fn validate(&self) -> Result<MetricsQuery, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut err = |field: &str, code| {
            errors.push(FieldError {
                field: field.into(),
                code,
            })
        };
        let date = |s: &str| -> Result<Option<NaiveDate>, ErrorCode> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            let d =
                NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| ErrorCode::InvalidDateTime)?;
            if !(1970..=9999).contains(&d.year()) {
                return Err(ErrorCode::DateOutOfRange(1970, 9999));
            }
            Ok(Some(d))
        };
        let from = date(&self.from).unwrap_or_else(|c| {
            err("from", c);
            None
        });
        let to = date(&self.to).unwrap_or_else(|c| {
            err("to", c);
            None
        });
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            err("to", ErrorCode::MustBeLater);
        }
        fn choice<T>(s: &str, of: fn(&str) -> Option<T>) -> Result<Option<T>, ErrorCode> {
            match s.trim() {
                "" => Ok(None),
                v => of(v).map(Some).ok_or(ErrorCode::InvalidChoice),
            }
        }
        let kind = choice(&self.kind, IncidentKind::from_id).unwrap_or_else(|c| {
            err("kind", c);
            None
        });
        let severity = choice(&self.severity, Severity::from_id).unwrap_or_else(|c| {
            err("severity", c);
            None
        });
        let every = choice(&self.every, Every::from_id).unwrap_or_else(|c| {
            err("every", c);
            None
        });
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(MetricsQuery {
            from,
            to,
            kind,
            severity,
            every: every.unwrap_or(Every::Month),
        })
    }
}

/// One group of incidents as the server's one grouped query returns it:
/// the values they share and the sums over them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    pub bucket: i64,
    pub kind: String,
    /// Empty before the triage decision sets one.
    pub severity: String,
    pub discovery: String,
    /// Empty while none is recorded.
    pub route: String,
    pub phase: String,
    pub status: String,
    pub incidents: i64,
    /// Per KPI: the sum of the durations and how many incidents have one.
    pub kpi: [(i64, i64); 5],
    /// Per phase: the sum of the time spent in it and how many passed it.
    pub in_phase: [(i64, i64); 7],
    pub triage_breached: i64,
    pub response_breached: i64,
    pub reopened: i64,
}

/// A mean of durations: how many and the mean in seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Mean {
    pub n: i64,
    pub seconds: Option<f64>,
}

impl Mean {
    /// The mean of `n` durations that sum to `sum` seconds.
    pub fn of((sum, n): (i64, i64)) -> Mean {
        Mean {
            n,
            seconds: (n > 0).then(|| sum as f64 / n as f64),
        }
    }
}

/// A count of incidents by one value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Count {
    /// The value's id (`malware_infection`, `high`, `C`); empty: none yet.
    pub id: String,
    pub incidents: i64,
}

string_enum! {
    /// What the incidents are counted by.
    pub enum Dimension {
        Phase = "phase",
        Kind = "kind",
        Severity = "severity",
        Discovery = "discovery",
        Route = "route",
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    pub by: Dimension,
    pub counts: Vec<Count>,
}

/// Time targets missed, by severity (met late, or not met and overdue).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Breaches {
    pub severity: String,
    pub incidents: i64,
    pub triage: i64,
    pub response: i64,
}

/// One period of the trend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Period {
    pub label: String,
    pub reported: i64,
    pub closed: i64,
    pub to_decision: Mean,
}

/// How long one role keeps the others waiting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Waits {
    /// Containment proposals from proposal to the officer's decision
    /// (emergency measures, decided by executing them, left out).
    pub proposal_decision: Mean,
    /// Proposals still waiting, and the oldest one's age in seconds.
    pub proposals_pending: i64,
    pub oldest_pending_seconds: Option<i64>,
    /// Vendors, from the engagement's start to their findings report.
    pub engagement_report: Mean,
    /// Engagements in force without a report yet.
    pub engagements_open: i64,
}

/// Everything `/metrics` shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricsView {
    pub query: MetricsQuery,
    pub incidents: i64,
    pub open: i64,
    pub reopened: i64,
    pub kpis: Vec<(Kpi, Mean)>,
    pub phases: Vec<(Phase, Mean)>,
    pub breaches: Vec<Breaches>,
    pub breakdowns: Vec<Breakdown>,
    pub trend: Vec<Period>,
    pub waits: Waits,
    /// The share of incidents first noticed outside (seed 001: 94% of
    /// intrusions were), when there are any incidents.
    pub outside_share: Option<f64>,
}

/// What seed 001 reports for comparison: 94% of intrusions were first
/// noticed by an outside party (「侵害の94%が外部からの通知で発覚」).
pub const SEED_OUTSIDE_SHARE: f64 = 0.94;

/// Folds the grouped sums into the page's tables: `totals` grouped by
/// period, severity and status (the KPIs, phases, trend and breaches are
/// read from them), `by_value` by the values the page breaks down by (the
/// breakdowns). Two groupings, not their product: each stays small however
/// many incidents there are. Pure: the same cells always give the same
/// view, in a fixed order (the enums' order; values not among them last).
pub fn fold(query: MetricsQuery, totals: &[Cell], by_value: &[Cell], waits: Waits) -> MetricsView {
    let mut kpi = [(0i64, 0i64); 5];
    let mut in_phase = [(0i64, 0i64); 7];
    let (mut incidents, mut open, mut reopened) = (0, 0, 0);
    for c in totals {
        incidents += c.incidents;
        reopened += c.reopened;
        if c.status != Status::Closed.id() {
            open += c.incidents;
        }
        for (t, s) in kpi.iter_mut().zip(c.kpi) {
            *t = (t.0 + s.0, t.1 + s.1);
        }
        for (t, s) in in_phase.iter_mut().zip(c.in_phase) {
            *t = (t.0 + s.0, t.1 + s.1);
        }
    }
    let order = |by: Dimension| -> Vec<&'static str> {
        match by {
            Dimension::Phase => Phase::ALL.iter().map(|p| p.id()).collect(),
            Dimension::Kind => IncidentKind::ALL.iter().map(|k| k.id()).collect(),
            Dimension::Severity => Severity::ALL.iter().map(|k| k.id()).collect(),
            Dimension::Discovery => Discovery::ALL.iter().map(|k| k.id()).collect(),
            Dimension::Route => AttackRoute::ALL.iter().map(|k| k.id()).collect(),
        }
    };
    let value = |by: Dimension, c: &Cell| -> String {
        match by {
            Dimension::Phase if c.status == Status::Closed.id() => "closed".into(),
            Dimension::Phase => c.phase.clone(),
            Dimension::Kind => c.kind.clone(),
            Dimension::Severity => c.severity.clone(),
            Dimension::Discovery => c.discovery.clone(),
            Dimension::Route => c.route.clone(),
        }
    };
    let counted = |by: Dimension| {
        let mut ids: Vec<String> = order(by).into_iter().map(String::from).collect();
        if by == Dimension::Phase {
            ids.push("closed".into());
        }
        let mut counts: Vec<Count> = ids
            .into_iter()
            .map(|id| Count { id, incidents: 0 })
            .collect();
        for c in by_value {
            let v = value(by, c);
            match counts.iter_mut().find(|x| x.id == v) {
                Some(x) => x.incidents += c.incidents,
                None => counts.push(Count {
                    id: v,
                    incidents: c.incidents,
                }),
            }
        }
        Breakdown { by, counts }
    };
    let breakdowns: Vec<Breakdown> = Dimension::ALL.iter().map(|d| counted(*d)).collect();
    let mut breaches: Vec<Breaches> = Severity::ALL
        .iter()
        .map(|s| Breaches {
            severity: s.id().into(),
            incidents: 0,
            triage: 0,
            response: 0,
        })
        .collect();
    for c in totals.iter().filter(|c| !c.severity.is_empty()) {
        let row = match breaches.iter_mut().position(|b| b.severity == c.severity) {
            Some(i) => &mut breaches[i],
            None => {
                breaches.push(Breaches {
                    severity: c.severity.clone(),
                    incidents: 0,
                    triage: 0,
                    response: 0,
                });
                breaches.last_mut().expect("just pushed")
            }
        };
        row.incidents += c.incidents;
        row.triage += c.triage_breached;
        row.response += c.response_breached;
    }
    let mut periods: Vec<(i64, i64, i64, (i64, i64))> = Vec::new();
    for c in totals {
        let i = match periods.binary_search_by_key(&c.bucket, |p| p.0) {
            Ok(i) => i,
            Err(i) => {
                periods.insert(i, (c.bucket, 0, 0, (0, 0)));
                i
            }
        };
        let p = &mut periods[i];
        p.1 += c.incidents;
        if c.status == Status::Closed.id() {
            p.2 += c.incidents;
        }
        p.3 = (p.3.0 + c.kpi[1].0, p.3.1 + c.kpi[1].1);
    }
    let trend = periods
        .into_iter()
        .map(|(b, reported, closed, d)| Period {
            label: bucket_label(query.every, b),
            reported,
            closed,
            to_decision: Mean::of(d),
        })
        .collect();
    let outside = breakdowns
        .iter()
        .find(|b| b.by == Dimension::Discovery)
        .and_then(|b| {
            b.counts
                .iter()
                .find(|c| c.id == Discovery::ExternalNotification.id())
        })
        .map_or(0, |c| c.incidents);
    MetricsView {
        query,
        incidents,
        open,
        reopened,
        kpis: Kpi::ALL.iter().copied().zip(kpi.map(Mean::of)).collect(),
        phases: Phase::ALL.into_iter().zip(in_phase.map(Mean::of)).collect(),
        breaches,
        breakdowns,
        trend,
        waits,
        outside_share: (incidents > 0).then(|| outside as f64 / incidents as f64),
    }
}

/// A duration for people: `3 d 4 h`, `2 h 5 min`, `40 s`.
pub fn human_duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as i64;
    let (d, h, m) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60);
    if d > 0 {
        format!("{d} d {h} h")
    } else if h > 0 {
        format!("{h} h {m} min")
    } else if m > 0 {
        format!("{m} min {} s", s % 60)
    } else {
        format!("{s} s")
    }
}

string_enum! {
    /// The tables of the page, each downloadable as CSV.
    pub enum Table {
        Kpis = "kpis",
        Phases = "phases",
        Breaches = "breaches",
        Counts = "counts",
        Trend = "trend",
        Waits = "waits",
    }
}

/// A table as CSV (RFC 4180), ids rather than translated names so that a
/// spreadsheet or a script reads the same columns in either language. A
/// cell that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`,
/// tab, CR) is prefixed with `'`.
pub fn csv(view: &MetricsView, table: Table) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mean = |m: &Mean| {
        [
            m.n.to_string(),
            m.seconds.map(|s| format!("{s:.0}")).unwrap_or_default(),
        ]
    };
    match table {
        Table::Kpis => {
            rows.push(vec![
                "kpi".into(),
                "incidents".into(),
                "mean_seconds".into(),
            ]);
            for (k, m) in &view.kpis {
                let [n, s] = mean(m);
                rows.push(vec![k.id().into(), n, s]);
            }
        }
        Table::Phases => {
            rows.push(vec![
                "phase".into(),
                "incidents".into(),
                "mean_seconds".into(),
            ]);
            for (p, m) in &view.phases {
                let [n, s] = mean(m);
                rows.push(vec![p.id().into(), n, s]);
            }
        }
        Table::Breaches => {
            rows.push(vec![
                "severity".into(),
                "incidents".into(),
                "triage_breached".into(),
                "response_breached".into(),
            ]);
            for b in &view.breaches {
                rows.push(vec![
                    b.severity.clone(),
                    b.incidents.to_string(),
                    b.triage.to_string(),
                    b.response.to_string(),
                ]);
            }
        }
        Table::Counts => {
            rows.push(vec!["by".into(), "value".into(), "incidents".into()]);
            for b in &view.breakdowns {
                for c in &b.counts {
                    rows.push(vec![
                        b.by.id().into(),
                        c.id.clone(),
                        c.incidents.to_string(),
                    ]);
                }
            }
        }
        Table::Trend => {
            rows.push(vec![
                "period".into(),
                "reported".into(),
                "closed".into(),
                "decided".into(),
                "mean_seconds_to_decision".into(),
            ]);
            for p in &view.trend {
                let [n, s] = mean(&p.to_decision);
                rows.push(vec![
                    p.label.clone(),
                    p.reported.to_string(),
                    p.closed.to_string(),
                    n,
                    s,
                ]);
            }
        }
        Table::Waits => {
            let w = &view.waits;
            rows.push(vec!["wait".into(), "count".into(), "mean_seconds".into()]);
            let [n, s] = mean(&w.proposal_decision);
            rows.push(vec!["proposal_to_decision".into(), n, s]);
            rows.push(vec![
                "proposals_pending".into(),
                w.proposals_pending.to_string(),
                w.oldest_pending_seconds
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
            ]);
            let [n, s] = mean(&w.engagement_report);
            rows.push(vec!["engagement_to_report".into(), n, s]);
            rows.push(vec![
                "engagements_open".into(),
                w.engagements_open.to_string(),
                String::new(),
            ]);
        }
    }
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

fn csv_cell(v: &str) -> String {
    let guarded = if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
#[path = "metrics_tests.rs"]
mod tests;
