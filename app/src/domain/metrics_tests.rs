use chrono::{TimeZone, Utc};

use super::*;

fn t(h: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap() + Duration::hours(h)
}

fn mark(kind: EventKind, h: i64, phase: Option<Phase>, status: Option<Status>) -> Mark {
    Mark {
        kind,
        at: t(h),
        phase_after: phase,
        status_after: status,
    }
}

fn progress(kind: EventKind, h: i64, phase: Phase, status: Status) -> Mark {
    mark(kind, h, Some(phase), Some(status))
}

const H: i64 = 3_600;

/// Reported at 1 h (noticed at 0), triage at 2, decided at 4 (C), a
/// measure executed at 5, C→D at 7, … G at 13, closed at 15.
fn whole_run() -> Vec<Mark> {
    use EventKind as K;
    use Phase::*;
    let open = Status::Open;
    vec![
        mark(K::Reported, 1, None, None),
        mark(K::Comment, 1, None, None),
        progress(K::TakenIntoTriage, 2, B, open),
        progress(K::FirstResponseDecided, 4, B, open),
        progress(K::PhaseAdvanced, 4, C, open),
        mark(K::ContainmentExecute, 5, None, None),
        mark(K::ContainmentExecute, 6, None, None),
        progress(K::PhaseAdvanced, 7, D, open),
        progress(K::PhaseAdvanced, 9, E, open),
        progress(K::PhaseAdvanced, 12, F, open),
        progress(K::PhaseAdvanced, 13, G, open),
        progress(K::Closed, 15, G, Status::Closed),
    ]
}

#[test]
fn a_full_run_gives_every_kpi_from_its_events() {
    let m = Milestones::of(t(0), &whole_run());
    assert_eq!(m.reported, Some(t(1)));
    assert_eq!(m.decided, Some(t(4)));
    assert_eq!(m.contained, Some(t(5)), "the first measure in force counts");
    assert_eq!(m.entered_g, Some(t(13)));
    assert_eq!(m.closed, Some(t(15)));
    let d = m.durations();
    assert_eq!(
        d.kpi,
        [Some(H), Some(3 * H), Some(H), Some(8 * H), Some(14 * H)]
    );
    assert_eq!(
        d.in_phase,
        [H, 2 * H, 3 * H, 2 * H, 3 * H, H, 2 * H],
        "A 1–2, B 2–4, C 4–7, D 7–9, E 9–12, F 12–13, G 13–15"
    );
    assert_eq!(d.passed, [true; 7]);
}

#[test]
fn an_open_incident_counts_only_what_it_has_reached() {
    let marks: Vec<Mark> = whole_run().into_iter().take(5).collect();
    let d = Milestones::of(t(0), &marks).durations();
    assert_eq!(d.kpi, [Some(H), Some(3 * H), None, None, None]);
    // C has not been left yet: its time is not counted.
    assert_eq!(d.in_phase, [H, 2 * H, 0, 0, 0, 0, 0]);
    assert_eq!(d.passed, [true, true, false, false, false, false, false]);
}

#[test]
fn a_reopened_incident_is_open_again_and_counts_both_stays_in_its_phase() {
    use EventKind as K;
    let mut marks = whole_run();
    marks.push(progress(K::Reopened, 20, Phase::G, Status::Open));
    let m = Milestones::of(t(0), &marks);
    assert_eq!(m.closed, None, "open again: no time to close");
    assert_eq!(m.reopened, 1);
    assert_eq!(m.durations().kpi[4], None);
    marks.push(progress(K::Closed, 23, Phase::G, Status::Closed));
    let m = Milestones::of(t(0), &marks);
    assert_eq!(m.closed, Some(t(23)), "the last close counts");
    assert_eq!(m.entered_g, Some(t(13)), "the first entry into G counts");
    let d = m.durations();
    assert_eq!(d.kpi[4], Some(22 * H));
    assert_eq!(d.in_phase[6], 2 * H + 3 * H, "13–15 and 20–23 in G");
    assert_eq!(d.reopened, 1);
}

#[test]
fn not_an_incident_closes_in_triage_and_skips_the_later_phases() {
    use EventKind as K;
    let marks = vec![
        mark(K::Reported, 1, None, None),
        progress(K::TakenIntoTriage, 2, Phase::B, Status::Open),
        progress(K::FirstResponseDecided, 3, Phase::B, Status::Closed),
    ];
    let m = Milestones::of(t(0), &marks);
    let d = m.durations();
    assert_eq!(d.kpi, [Some(H), Some(2 * H), None, None, Some(2 * H)]);
    assert_eq!(d.in_phase, [H, H, 0, 0, 0, 0, 0]);
    assert_eq!(d.passed, [true, true, false, false, false, false, false]);
}

#[test]
fn a_phase_whose_tasks_were_all_waived_is_a_short_stay_not_a_gap() {
    use EventKind as K;
    use Phase::*;
    let open = Status::Open;
    let marks = vec![
        mark(K::Reported, 1, None, None),
        progress(K::TakenIntoTriage, 1, B, open),
        progress(K::FirstResponseDecided, 2, B, open),
        progress(K::PhaseAdvanced, 2, C, open),
        mark(K::TaskWaived, 2, None, None),
        progress(K::PhaseAdvanced, 2, D, open),
        progress(K::PhaseAdvanced, 5, E, open),
    ];
    let d = Milestones::of(t(0), &marks).durations();
    assert_eq!(d.in_phase[Phase::C as usize], 0);
    assert!(
        d.passed[Phase::C as usize],
        "C was passed through, in no time"
    );
    assert_eq!(d.in_phase[Phase::D as usize], 3 * H);
    assert_eq!(d.kpi[2], None, "no measure was executed");
}

#[test]
fn an_emergency_measure_before_the_decision_counts_as_immediate() {
    use EventKind as K;
    let marks = vec![
        mark(K::Reported, 1, None, None),
        progress(K::TakenIntoTriage, 1, Phase::B, Status::Open),
        mark(K::ContainmentEmergency, 2, None, None),
        progress(K::FirstResponseDecided, 3, Phase::B, Status::Open),
    ];
    let d = Milestones::of(t(0), &marks).durations();
    assert_eq!(d.kpi[2], Some(0));
}

#[test]
fn buckets_are_mondays_and_months() {
    // 2026-11-04 is a Wednesday of ISO week 45; its Monday is the 2nd.
    let wed = Utc.with_ymd_and_hms(2026, 11, 4, 23, 0, 0).unwrap();
    let b = bucket(Every::Week, wed);
    assert_eq!(b, bucket(Every::Week, t(0)));
    assert_eq!(bucket_label(Every::Week, b), "2026-W45");
    assert_eq!(bucket(Every::Month, wed), 202_611);
    assert_eq!(bucket_label(Every::Month, 202_611), "2026-11");
    // The ISO year of a week can differ from its Monday's calendar year.
    let d = Utc.with_ymd_and_hms(2026, 12, 31, 0, 0, 0).unwrap();
    assert_eq!(
        bucket_label(Every::Week, bucket(Every::Week, d)),
        "2026-W53"
    );
}

#[test]
fn the_filters_are_checked_and_keep_nothing_half_read() {
    let ok = MetricsForm {
        from: "2026-11-01".into(),
        to: " 2026-11-30 ".into(),
        kind: "malware_infection".into(),
        severity: "".into(),
        every: "week".into(),
    }
    .validate()
    .unwrap();
    assert_eq!(ok.kind, Some(IncidentKind::MalwareInfection));
    assert_eq!(ok.every, Every::Week);
    let (a, b) = ok.range();
    assert_eq!(b - a, 30 * 86_400, "both ends are whole days");
    assert_eq!(
        MetricsForm::default().validate().unwrap().every,
        Every::Month
    );
    assert_eq!(
        MetricsForm::default().validate().unwrap().range(),
        (i64::MIN, i64::MAX)
    );
    let bad = MetricsForm {
        from: "2026-13-01".into(),
        to: "1900-01-01".into(),
        kind: "<script>".into(),
        severity: "extreme".into(),
        every: "day".into(),
    }
    .validate()
    .unwrap_err();
    let fields: Vec<(&str, &ErrorCode)> = bad.iter().map(|e| (e.field.as_str(), &e.code)).collect();
    assert_eq!(
        fields,
        [
            ("from", &ErrorCode::InvalidDateTime),
            ("to", &ErrorCode::DateOutOfRange(1970, 9999)),
            ("kind", &ErrorCode::InvalidChoice),
            ("severity", &ErrorCode::InvalidChoice),
            ("every", &ErrorCode::InvalidChoice),
        ]
    );
    let backwards = MetricsForm {
        from: "2026-11-30".into(),
        to: "2026-11-01".into(),
        ..MetricsForm::default()
    }
    .validate()
    .unwrap_err();
    assert_eq!(backwards[0].field, "to");
    assert_eq!(backwards[0].code, ErrorCode::MustBeLater);
}

fn cell(bucket: i64, kind: &str, severity: &str, discovery: &str, status: &str, n: i64) -> Cell {
    Cell {
        bucket,
        kind: kind.into(),
        severity: severity.into(),
        discovery: discovery.into(),
        route: String::new(),
        phase: "C".into(),
        status: status.into(),
        incidents: n,
        kpi: [(n * 60, n), (n * 600, n), (0, 0), (0, 0), (0, 0)],
        in_phase: [(n * 60, n), (0, 0), (0, 0), (0, 0), (0, 0), (0, 0), (0, 0)],
        triage_breached: 1,
        response_breached: 0,
        reopened: 0,
    }
}

fn no_waits() -> Waits {
    Waits {
        proposal_decision: Mean::default(),
        proposals_pending: 0,
        oldest_pending_seconds: None,
        engagement_report: Mean::default(),
        engagements_open: 0,
    }
}

#[test]
fn fold_adds_the_groups_into_every_table() {
    let q = MetricsForm::default().validate().unwrap();
    let cells = vec![
        cell(
            202_610,
            "malware_infection",
            "high",
            "external_notification",
            "open",
            3,
        ),
        cell(202_611, "malware_infection", "", "user_report", "closed", 1),
        cell(
            202_611,
            "targeted_email",
            "high",
            "external_notification",
            "open",
            2,
        ),
    ];
    let v = fold(q, &cells, &cells, no_waits());
    assert_eq!((v.incidents, v.open), (6, 5));
    assert_eq!(
        v.kpis[0],
        (
            Kpi::DetectionLag,
            Mean {
                n: 6,
                seconds: Some(60.0)
            }
        )
    );
    assert_eq!(v.kpis[1].1.seconds, Some(600.0));
    assert_eq!(
        v.kpis[2].1,
        Mean {
            n: 0,
            seconds: None
        }
    );
    let by = |d: Dimension, id: &str| {
        v.breakdowns
            .iter()
            .find(|b| b.by == d)
            .and_then(|b| b.counts.iter().find(|c| c.id == id))
            .map(|c| c.incidents)
    };
    assert_eq!(by(Dimension::Kind, "malware_infection"), Some(4));
    assert_eq!(
        by(Dimension::Kind, "other"),
        Some(0),
        "every value is listed"
    );
    assert_eq!(by(Dimension::Phase, "C"), Some(5));
    assert_eq!(by(Dimension::Phase, "closed"), Some(1));
    assert_eq!(by(Dimension::Severity, ""), Some(1), "not yet decided");
    assert_eq!(v.outside_share, Some(5.0 / 6.0));
    let high = v.breaches.iter().find(|b| b.severity == "high").unwrap();
    assert_eq!((high.incidents, high.triage), (5, 2));
    assert_eq!(
        v.trend
            .iter()
            .map(|p| (p.label.as_str(), p.reported, p.closed))
            .collect::<Vec<_>>(),
        [("2026-10", 3, 0), ("2026-11", 3, 1)]
    );
    assert_eq!(fold(q, &[], &[], no_waits()).outside_share, None);
}

#[test]
fn csv_tables_are_quoted_and_defused() {
    let q = MetricsForm::default().validate().unwrap();
    let mut c = cell(
        202_611,
        "=HYPERLINK(\"x\")",
        "high",
        "user_report",
        "open",
        1,
    );
    c.route = "a,b".into();
    let v = fold(q, &[c.clone()], &[c], no_waits());
    let counts = csv(&v, Table::Counts);
    assert!(counts.starts_with("by,value,incidents\r\n"));
    assert!(
        counts.contains("kind,\"'=HYPERLINK(\"\"x\"\")\",1\r\n"),
        "{counts}"
    );
    assert!(counts.contains("route,\"a,b\",1\r\n"));
    let kpis = csv(&v, Table::Kpis);
    assert!(kpis.contains("detection_lag,1,60\r\n"), "{kpis}");
    assert!(kpis.contains("to_containment,0,\r\n"));
    for table in Table::ALL {
        assert!(csv(&v, *table).lines().count() >= 2, "{table:?}");
    }
}

#[test]
fn durations_read_as_people_write_them() {
    assert_eq!(human_duration(40.0), "40 s");
    assert_eq!(human_duration(125.0), "2 min 5 s");
    assert_eq!(human_duration(2.0 * 3600.0 + 300.0), "2 h 5 min");
    assert_eq!(human_duration(3.0 * 86_400.0 + 4.0 * 3600.0), "3 d 4 h");
    assert_eq!(human_duration(-5.0), "0 s");
}
