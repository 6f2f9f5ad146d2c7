//! Log triage in the product, on SQLite and PostgreSQL: a preserved proxy
//! log is analysed in the background, its findings cite the lines they rest
//! on, a value is promoted to an observable, a finding is dismissed with a
//! reason, and only those who may handle the evidence do any of it.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::Value;

use common::Db;
use common::flow::{done, incident};
use common::upload::{meta, triaged, upload};

/// A day of Squid native lines from pc 192.168.1.10, with a CONNECT to port
/// 8443 (line 3) and requests to the indicator domain `evil.example`.
fn proxy_log() -> Vec<u8> {
    let mut out = String::new();
    let base = 1_767_600_000; // 2026-01-05 08:00 UTC
    out.push_str(&format!(
        "{base}.100    120 192.168.1.10 TCP_MISS/200 5120 GET http://www.example.com/ - HIER_DIRECT/203.0.113.5 text/html\n"
    ));
    out.push_str(&format!(
        "{}.200     80 192.168.1.11 TCP_MISS/200 2048 GET http://news.example.org/today - HIER_DIRECT/203.0.113.6 text/html\n",
        base + 5
    ));
    out.push_str(&format!(
        "{}.300   3000 192.168.1.10 TCP_TUNNEL/200 40960 CONNECT evil.example:8443 - HIER_DIRECT/198.51.100.66 -\n",
        base + 30
    ));
    for n in 0..3 {
        out.push_str(&format!(
            "{}.000    200 192.168.1.10 TCP_MISS/200 300 GET http://cdn.evil.example/p.gif - HIER_DIRECT/198.51.100.66 image/gif\n",
            base + 60 + n * 300
        ));
    }
    out.push_str("this is not a squid line\n");
    out.into_bytes()
}

/// Records `domain` on the incident as an indicator (what the detectors
/// match, from the store).
async fn indicator(c: &mut common::Client, id: &str, domain: &str) {
    let r = c
        .post(
            "/api/incidents/observable/add",
            &[
                ("id", id),
                ("form[kind]", "c2_domain"),
                ("form[value]", domain),
                ("form[tlp]", "amber"),
                ("form[pap]", "amber"),
                ("form[indicator]", "on"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
}

/// Asks for an analysis of the item (`format` empty: detected).
async fn analyse(c: &mut common::Client, item: &str, format: &str) -> common::Response {
    c.post(
        "/api/evidence/analyse",
        &[("evidence", item), ("format", format)],
    )
    .await
}

async fn wait_done(c: &mut common::Client, id: &str) -> Value {
    for _ in 0..200 {
        let i = incident(c, id).await;
        let runs = i["triage_runs"].as_array().cloned().unwrap_or_default();
        if !runs.is_empty()
            && runs
                .iter()
                .all(|r| !matches!(r["status"].as_str(), Some("queued" | "running")))
        {
            // The page reads the timeline before the runs: read it once more
            // so a run that finished in between shows with its event.
            return incident(c, id).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the analysis did not finish");
}

async fn a_preserved_log_is_analysed_and_its_findings_promoted_or_dismissed(db: Db) {
    let mut c = triaged(db).await;
    let id = c.id.clone();
    // The indicator the proxy detector looks for, from the store.
    indicator(&mut c.responder, &id, "evil.example").await;
    let log = proxy_log();
    let r = upload(&mut c.responder, &id, &meta(&[]), "access.log", &log).await;
    assert!(r.json()["Done"].is_string(), "{}", r.text);
    let i = incident(&mut c.responder, &id).await;
    let item = i["evidence"][0]["id"].as_str().unwrap().to_string();
    let sha = i["evidence"][0]["sha256"].as_str().unwrap().to_string();

    // The reporter may not analyse the organisation's evidence.
    let r = analyse(&mut c.reporter, &item, "").await;
    assert!(
        matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        r.status
    );
    let r = analyse(&mut c.responder, &item, "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    let i = wait_done(&mut c.responder, &id).await;
    let run = &i["triage_runs"][0];
    assert_eq!(run["status"], "done", "{run}");
    assert_eq!(run["format"], "squid_native");
    assert_eq!(run["lines"], 7);
    assert_eq!(run["unparsed"], 1);
    assert_eq!(run["bytes_done"], log.len());
    let findings = i["findings"].as_array().unwrap().clone();
    let by = |d: &str| findings.iter().find(|f| f["detector"] == d).cloned();
    let connect = by("proxy.connect_port").expect("CONNECT to 8443 found");
    assert_eq!(connect["lines"][0]["line"], 3);
    let offset = connect["lines"][0]["offset"].as_u64().unwrap() as usize;
    assert!(
        log[offset..].starts_with(b"1767600030.300"),
        "the offset points at the line"
    );
    let indicator = by("proxy.indicator").expect("the indicator domain is found");
    assert!(
        indicator["explanation"]["ja"]
            .as_str()
            .unwrap()
            .contains("evil.example")
    );
    // Analysing is in the chain of custody; the file is unchanged.
    let kinds: Vec<&str> = i["evidence"][0]["custody"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["acquired", "uploaded", "analysed"]);
    assert_eq!(i["evidence"][0]["sha256"], sha.as_str());
    let events: Vec<&str> = i["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(events.contains(&"evidence_analysed"), "{events:?}");
    // The reporter sees none of it.
    let mine = incident(&mut c.reporter, &id).await;
    assert!(mine["findings"].as_array().unwrap().is_empty());

    // A value the finding implicates becomes an observable; another value
    // cannot be slipped in through it.
    let fid = connect["id"].as_str().unwrap().to_string();
    let value = connect["observables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "c2_domain")
        .map(|o| o["value"].as_str().unwrap().to_string())
        .expect("a promotable domain");
    let r = c
        .responder
        .post(
            "/api/incidents/finding/promote",
            &[
                ("id", &id),
                ("finding", &fid),
                ("kind", "c2_domain"),
                ("value", "innocent.example"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = c
        .responder
        .post(
            "/api/incidents/finding/promote",
            &[
                ("id", &id),
                ("finding", &fid),
                ("kind", "c2_domain"),
                ("value", &value),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    // Dismissing needs a reason.
    let other = findings.iter().find(|f| f["id"] != fid.as_str()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = c
        .responder
        .post(
            "/api/incidents/finding/dismiss",
            &[("id", &id), ("finding", &other), ("reason", " ")],
        )
        .await;
    assert_eq!(r.field_errors()[0].0, "reason");
    let r = c
        .officer
        .post(
            "/api/incidents/finding/dismiss",
            &[
                ("id", &id),
                ("finding", &other),
                ("reason", "our own test host"),
            ],
        )
        .await;
    assert_eq!(r.json(), done());
    let i = incident(&mut c.responder, &id).await;
    let status = |f: &str| {
        i["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == f)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status(&fid), "promoted");
    assert_eq!(status(&other), "dismissed");
    assert!(
        i["observables"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["value"] == value.as_str() && o["sighted"] == true)
    );
    // The reporter decides nothing about findings.
    let r = c
        .reporter
        .post(
            "/api/incidents/finding/dismiss",
            &[("id", &id), ("finding", &fid), ("reason", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // An unknown item or format is not there.
    let r = analyse(&mut c.responder, &item, "syslog").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let _ = &c.app;
}

/// The organisation's declarations tune the detectors (a port declared
/// allowed is no finding any more); a text they cannot use is refused with
/// its line and loses nothing; a finding becomes a task of the current
/// phase, once.
async fn settings_tune_the_detectors_and_a_finding_becomes_a_task(db: Db) {
    let mut c = triaged(db).await;
    let id = c.id.clone();
    let mut admin = c.app.admin().await;
    let r = admin
        .post(
            "/api/detection-settings/save",
            &[(
                "text",
                "proxies = [\"10.0.0.8\"]\nallowed_connect_portz = [8443]\n",
            )],
        )
        .await;
    assert_eq!(
        r.field_errors(),
        [("text".to_string(), "BadSettings".to_string())],
        "{}",
        r.text
    );
    assert_eq!(
        r.json()["Invalid"][0]["code"]["BadSettings"][0],
        2,
        "{}",
        r.text
    );
    // Only the log-source administrators change them.
    let r = c
        .responder
        .post("/api/detection-settings/save", &[("text", "")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let text = "# our proxies and the port our VPN gateway uses\nallowed_connect_ports = [80, 443, 8443]\n";
    let r = admin
        .post("/api/detection-settings/save", &[("text", text)])
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let r = c.responder.post("/api/detection-settings", &[]).await;
    // Kept as written (the trailing newline aside).
    assert_eq!(r.json()["text"], text.trim_end());
    assert_eq!(r.json()["detectors"].as_array().unwrap().len(), 16);

    let log = proxy_log();
    let r = upload(&mut c.responder, &id, &meta(&[]), "access.log", &log).await;
    assert!(r.json()["Done"].is_string(), "{}", r.text);
    let i = incident(&mut c.responder, &id).await;
    let item = i["evidence"][0]["id"].as_str().unwrap().to_string();
    let r = analyse(&mut c.responder, &item, "squid_native").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let i = wait_done(&mut c.responder, &id).await;
    let findings = i["findings"].as_array().unwrap().clone();
    assert!(
        findings
            .iter()
            .all(|f| f["detector"] != "proxy.connect_port"),
        "8443 is declared allowed: {findings:?}"
    );
    // With the domain recorded as an indicator, a second analysis finds it.
    indicator(&mut c.responder, &id, "evil.example").await;
    let r = analyse(&mut c.responder, &item, "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let i = wait_done(&mut c.responder, &id).await;
    let finding = i["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["detector"] == "proxy.indicator" && f["task"].is_null())
        .cloned()
        .expect("the indicator is found");
    assert_eq!(
        finding["detector_name"]["en"],
        "Requests to an indicator destination"
    );
    assert_eq!(finding["host"], "192.168.1.10");
    let domain = finding["observables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "c2_domain")
        .cloned()
        .unwrap();
    assert_eq!(domain["recorded"], true, "{domain}");
    let fid = finding["id"].as_str().unwrap().to_string();
    let tasks_before = i["tasks"].as_array().unwrap().len();
    // The reporter opens no task from a finding.
    let r = c
        .reporter
        .post(
            "/api/incidents/finding/task",
            &[("id", &id), ("finding", &fid), ("role", "it_lan_admin")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c
        .responder
        .post(
            "/api/incidents/finding/task",
            &[("id", &id), ("finding", &fid), ("role", "ruler")],
        )
        .await;
    assert_eq!(r.field_errors()[0].0, "role");
    let r = c
        .responder
        .post(
            "/api/incidents/finding/task",
            &[("id", &id), ("finding", &fid), ("role", "it_lan_admin")],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let r = c
        .responder
        .post(
            "/api/incidents/finding/task",
            &[("id", &id), ("finding", &fid), ("role", "it_lan_admin")],
        )
        .await;
    assert_eq!(
        r.field_errors()[0],
        ("finding".into(), "AlreadyListed".into())
    );
    let i = incident(&mut c.responder, &id).await;
    let tasks = i["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), tasks_before + 1);
    let task = tasks
        .iter()
        .find(|t| {
            t["action_id"]
                .as_str()
                .is_some_and(|a| a.starts_with("finding."))
        })
        .expect("the follow-up task");
    assert_eq!(task["phase"], i["phase"], "{task}");
    assert_eq!(task["role"], "it_lan_admin");
    assert!(
        task["name"]["en"]
            .as_str()
            .unwrap()
            .starts_with("Investigate: "),
        "{task}"
    );
    let f = i["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == fid.as_str())
        .unwrap()
        .clone();
    assert!(f["task"].is_string(), "{f}");
    let events: Vec<&str> = i["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(events.contains(&"task_opened"), "{events:?}");
    let _ = &c.app;
}

/// A run the server was stopped in the middle of (left `running`, with
/// its progress) is started again by the next start's `resume` and
/// finishes, once: its findings are stored one time.
async fn a_run_a_restart_interrupted_starts_again(db: Db) {
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let mut c = triaged(db).await;
    let id = c.id.clone();
    let log = proxy_log();
    let r = upload(&mut c.responder, &id, &meta(&[]), "access.log", &log).await;
    assert!(r.json()["Done"].is_string(), "{}", r.text);
    let i = incident(&mut c.responder, &id).await;
    let item: uuid::Uuid = i["evidence"][0]["id"].as_str().unwrap().parse().unwrap();
    let hikeshi = &c.app.state.hikeshi;
    // What a stop mid-run leaves: the run at work, part-way through.
    let run = uuid::Uuid::new_v4();
    // Who started it is only shown by name: any user will do.
    let starter = server::entity::user::Entity::find()
        .one(&hikeshi.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    server::entity::triage_run::ActiveModel {
        id: Set(run),
        incident_id: Set(i["id"].as_str().unwrap().parse().unwrap()),
        evidence_id: Set(item),
        status: Set("running".into()),
        format: Set(None),
        bytes_total: Set(log.len() as i64),
        bytes_done: Set(100),
        summary: Set("{}".into()),
        findings: Set(0),
        error: Set(None),
        started_by: Set(starter),
        created_at: Set(chrono::Utc::now()),
        finished_at: Set(None),
    }
    .insert(&hikeshi.db)
    .await
    .unwrap();
    let resumed =
        server::services::triage_runs::resume(&hikeshi.db, &hikeshi.evidence, &hikeshi.model)
            .await
            .unwrap();
    assert_eq!(resumed, 1);
    let i = wait_done(&mut c.responder, &id).await;
    let r = &i["triage_runs"][0];
    assert_eq!(r["status"], "done", "{r}");
    assert_eq!(
        r["bytes_done"],
        log.len(),
        "read to the end, from the start"
    );
    let stored = i["findings"].as_array().unwrap().len();
    assert!(stored > 0);
    assert_eq!(r["findings"], stored, "stored once");
    // Nothing left to resume.
    assert_eq!(
        server::services::triage_runs::resume(&hikeshi.db, &hikeshi.evidence, &hikeshi.model)
            .await
            .unwrap(),
        0
    );
}

on_both_databases!(
    a_preserved_log_is_analysed_and_its_findings_promoted_or_dismissed,
    settings_tune_the_detectors_and_a_finding_becomes_a_task,
    a_run_a_restart_interrupted_starts_again
);
