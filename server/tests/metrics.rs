//! The metrics page on SQLite and PostgreSQL: incidents driven through the
//! product (a report, triage, a decision, containment proposed, approved
//! and executed, a vendor engaged, one closed as not an incident), then the
//! figures: counts, the KPIs from the timeline, the waits on the officer
//! and the vendor, the filters (and their field errors), the CSV tables,
//! the SVG charts (parsed by Python's XML parser, their bars matching the
//! tables), rows rebuilt from the timelines equal to the live ones, and
//! nobody but the handling roles seeing any of it.

mod common;

use axum::http::StatusCode;
use chrono::Utc;
use common::external::{add_assets, approved, engaged, respond_now};
use common::flow::{command, done, finish_required};
use common::{Client, Db};
use serde_json::Value;

async fn metrics(c: &mut Client, filters: &[(&str, &str)]) -> common::Response {
    let form: Vec<(String, &str)> = filters
        .iter()
        .map(|(k, v)| (format!("form[{k}]"), *v))
        .collect();
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    c.post("/api/metrics", &form).await
}

async fn view(c: &mut Client, filters: &[(&str, &str)]) -> Value {
    let r = metrics(c, filters).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["Done"].clone()
}

fn kpi(v: &Value, id: &str) -> (i64, Option<f64>) {
    let row = v["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k[0] == id)
        .unwrap_or_else(|| panic!("{id}"));
    (row[1]["n"].as_i64().unwrap(), row[1]["seconds"].as_f64())
}

fn count(v: &Value, by: &str, id: &str) -> i64 {
    v["breakdowns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["by"] == by)
        .and_then(|b| {
            b["counts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == id)
        })
        .map_or(-1, |c| c["incidents"].as_i64().unwrap())
}

/// Every `<svg>` of a page, parsed by Python's XML parser: per chart its id
/// and its bars' (label, value).
fn charts(html: &str) -> Value {
    let mut svgs = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").expect("closed svg") + start + "</svg>".len();
        svgs.push(rest[start..end].to_string());
        rest = &rest[end..];
    }
    let script = r#"
import sys, json, xml.etree.ElementTree as E
ns = "{http://www.w3.org/2000/svg}"
out = {}
for s in json.load(sys.stdin):
    root = E.fromstring(s)
    bars = []
    for g in root.iter(ns + "g"):
        texts = [t.text for t in g.iter(ns + "text")]
        bars.append([texts[0], float(g.get("data-value"))])
    out[root.get("id")] = bars
print(json.dumps(out))
"#;
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&svgs).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "an SVG chart does not parse: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

async fn the_figures_come_from_the_timeline(db: Db) {
    let common::external::Engaged {
        mut case,
        mut vendor,
        other_id,
        ..
    } = engaged(db).await;
    let id = case.id.clone();
    // Decided, containment executed; a second proposal left waiting.
    respond_now(&mut case.officer, &id).await;
    let assets = add_assets(&mut case.responder, &id, &[("host", "pc-0042")]).await;
    let m = approved(
        &mut case.responder,
        &mut case.officer,
        &id,
        "host.move_network",
        &assets["pc-0042"],
    )
    .await;
    let r = case
        .responder
        .post(
            "/api/incidents/containment/step",
            &[
                ("id", &id),
                ("measure", &m),
                ("step", "execute"),
                ("note", "moved"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let r = case
        .responder
        .post(
            "/api/incidents/containment/propose",
            &[
                ("id", &id),
                ("measure", "host.move_network"),
                ("asset", &assets["pc-0042"]),
                ("reason", "again"),
                ("expected_effect", "quiet"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    // A notice from outside, triaged and found to be nothing.
    let r = case
        .reporter
        .post(
            "/api/incidents/report",
            &[
                ("form[title]", "Partner says we scan them"),
                ("form[observed]", "Their IDS saw 10.0.0.5"),
                ("form[noticed_at]", "2026-01-05T08:30"),
                ("form[location]", "dmz"),
                ("form[discovery]", "external_notification"),
                ("form[kind]", "unauthorised_access"),
                ("form[reporter_contact]", "soc@partner.example"),
                ("form[notifier][organisation]", "Partner CSIRT"),
                ("form[notifier][person]", "duty officer"),
                ("form[notifier][contact]", "csirt@partner.example"),
                ("form[notifier][their_reference]", "P-1"),
            ],
        )
        .await;
    let outside = r.json()["Done"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.text))
        .to_string();
    finish_required(&mut case.officer, &outside).await;
    let r = command(&mut case.responder, &outside, "take_into_triage", &[]).await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let decide = [
        ("decision", "not_an_incident"),
        ("severity", "low"),
        ("reason", "their own scanner"),
    ];
    let r = command(&mut case.officer, &outside, "decide", &decide).await;
    assert_eq!(r.json(), done(), "{}", r.text);

    let v = view(&mut case.officer, &[]).await;
    assert_eq!(v["incidents"], 3, "{v}");
    assert_eq!(v["open"], 2);
    assert_eq!(count(&v, "kind", "targeted_email"), 1);
    assert_eq!(
        count(&v, "kind", "malware_infection"),
        1,
        "{other_id} is still in A"
    );
    assert_eq!(count(&v, "phase", "A"), 1);
    assert_eq!(count(&v, "phase", "B"), 1);
    assert_eq!(count(&v, "phase", "closed"), 1);
    assert_eq!(count(&v, "discovery", "external_notification"), 1);
    assert_eq!(count(&v, "severity", ""), 1, "not yet decided");
    assert!((v["outside_share"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    // Reported 2026-12 for a trace noticed 2026-01-05: months of lag.
    let (n, lag) = kpi(&v, "detection_lag");
    assert_eq!(n, 3);
    let expected = (Utc::now()
        - "2026-01-05T09:30:00Z"
            .parse::<chrono::DateTime<Utc>>()
            .unwrap())
    .num_seconds() as f64;
    assert!(
        (lag.unwrap() - expected).abs() < 3_700.0,
        "{lag:?} vs {expected}"
    );
    assert_eq!(kpi(&v, "to_decision").0, 2);
    assert_eq!(kpi(&v, "to_containment").0, 1);
    assert_eq!(kpi(&v, "containment_to_prevention"), (0, None));
    assert_eq!(kpi(&v, "to_close").0, 1);
    let phases = v["phases"].as_array().unwrap();
    assert_eq!(phases[0][0], "A");
    assert_eq!(phases[0][1]["n"], 2, "two incidents left A");
    assert_eq!(phases[1][1]["n"], 1, "one left B (closed in it)");
    // The waits: one decision on a proposal, one waiting; the vendor has
    // not reported yet.
    let w = &v["waits"];
    assert_eq!(w["proposal_decision"]["n"], 1, "{w}");
    assert_eq!(w["proposals_pending"], 1);
    assert!(w["oldest_pending_seconds"].as_i64().unwrap() >= 0);
    assert_eq!(w["engagement_report"]["n"], 0);
    assert_eq!(w["engagements_open"], 1);
    assert_eq!(v["trend"].as_array().unwrap().len(), 1);
    assert_eq!(v["trend"][0]["reported"], 3);

    // Filters narrow; a bad one is refused per field, nothing else said.
    let only = view(&mut case.responder, &[("kind", "unauthorised_access")]).await;
    assert_eq!(only["incidents"], 1);
    let today = Utc::now().date_naive();
    let tomorrow = (today + chrono::Duration::days(1)).to_string();
    let later = view(&mut case.officer, &[("from", &tomorrow)]).await;
    assert_eq!(later["incidents"], 0);
    assert_eq!(later["outside_share"], Value::Null);
    let weekly = view(
        &mut case.officer,
        &[("to", &today.to_string()), ("every", "week")],
    )
    .await;
    assert_eq!(weekly["incidents"], 3);
    assert!(weekly["trend"][0]["label"].as_str().unwrap().contains("-W"));
    let r = metrics(
        &mut case.officer,
        &[("from", "2026-02-30"), ("every", "day")],
    )
    .await;
    let fields: Vec<String> = r.field_errors().into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["from", "every"], "{}", r.text);

    // CSV: the same numbers, ids as columns; refused to others.
    let r = case.officer.get("/api/metrics/kpis.csv?every=week").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.text.starts_with("kpi,incidents,mean_seconds\r\n"),
        "{}",
        r.text
    );
    assert!(r.text.contains("\r\nto_decision,2,"), "{}", r.text);
    let r = case.officer.get("/api/metrics/counts.csv").await;
    assert!(
        r.text.contains("\r\ndiscovery,external_notification,1\r\n"),
        "{}",
        r.text
    );
    assert_eq!(
        case.officer.get("/api/metrics/secrets.csv").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        case.officer
            .get("/api/metrics/kpis.csv?from=yesterday")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    for c in [&mut case.reporter, &mut vendor] {
        assert_eq!(metrics(c, &[]).await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            c.get("/api/metrics/kpis.csv").await.status,
            StatusCode::FORBIDDEN
        );
    }
    let mut anonymous = case.app.client();
    assert_eq!(
        anonymous.get("/api/metrics/kpis.csv").await.status,
        StatusCode::UNAUTHORIZED
    );

    // The page: every chart is well-formed SVG whose bars are the table's.
    let page = case.officer.fetch("/metrics").await;
    assert_eq!(page.status, StatusCode::OK);
    let charts = charts(&page.text);
    let bars = |id: &str| charts[id].as_array().unwrap().clone();
    let kind_bars = bars("chart-kind");
    let targeted = kind_bars
        .iter()
        .find(|b| b[0] == "Targeted e-mail")
        .unwrap();
    assert_eq!(targeted[1], 1.0);
    assert_eq!(bars("chart-discovery").len(), 3);
    let kpi_bars = bars("chart-kpis");
    let decision_hours = kpi(&v, "to_decision").1.unwrap() / 3600.0;
    assert!((kpi_bars[1][1].as_f64().unwrap() - decision_hours).abs() < 0.01);
    assert!(
        page.text.contains("Seed 001"),
        "the benchmark is shown beside it"
    );
    let page = case.reporter.fetch("/metrics").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(!page.text.contains("chart-kpis"));

    // The rows are derived: rebuilt from the timelines, the figures are
    // the same.
    let db = &case.app.state.hikeshi.db;
    sea_orm::ConnectionTrait::execute_unprepared(db, "DELETE FROM incident_metrics")
        .await
        .unwrap();
    assert_eq!(view(&mut case.officer, &[]).await["incidents"], 0);
    assert_eq!(server::services::metrics::backfill(db).await.unwrap(), 3);
    let rebuilt = view(&mut case.officer, &[]).await;
    let strip = |mut v: Value| {
        // Pending ages move with the clock.
        v["waits"]["oldest_pending_seconds"] = Value::Null;
        v
    };
    assert_eq!(strip(rebuilt), strip(v));
}

on_both_databases!(the_figures_come_from_the_timeline);
