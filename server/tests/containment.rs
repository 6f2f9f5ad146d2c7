//! Containment on SQLite and PostgreSQL: a measure's whole life, rejection,
//! the self-approval ban, who may propose, two officers deciding at once,
//! approved measures holding phase C, evidence confirmation, the emergency
//! path and the notifications that go with them.

mod common;

use axum::http::StatusCode;
use common::flow::{command, done, finish_required, incident, phase_of, refusal, report};
use common::{Client, Db, TestApp};
use serde_json::Value;

use app::domain::Role;

struct Case {
    app: TestApp,
    id: String,
    reporter: Client,
    responder: Client,
    officer: Client,
    /// The asset `pc-0042` (a host) of the incident.
    host: String,
    /// The account `k.tanaka` of the incident.
    account: String,
}

/// An incident in phase B, decided "respond now", with a host and an
/// account among its assets.
async fn triaged(db: Db) -> Case {
    let app = TestApp::spawn(db).await;
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let id = report(&mut reporter, "malware_infection").await;
    finish_required(&mut officer, &id).await;
    assert_eq!(
        command(&mut responder, &id, "take_into_triage", &[])
            .await
            .json(),
        done()
    );
    let decide = [
        ("decision", "respond_now"),
        ("severity", "high"),
        ("reason", "beaconing confirmed"),
    ];
    assert_eq!(
        command(&mut officer, &id, "decide", &decide).await.json(),
        done()
    );
    for (t, identifier) in [("host", "pc-0042"), ("account", "k.tanaka")] {
        let r = responder
            .post(
                "/api/incidents/asset/add",
                &[("id", &id), ("asset_type", t), ("identifier", identifier)],
            )
            .await;
        assert_eq!(r.json(), done(), "{}", r.text);
    }
    let i = incident(&mut officer, &id).await;
    let asset = |name: &str| {
        i["assets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["identifier"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (host, account) = (asset("pc-0042"), asset("k.tanaka"));
    Case {
        app,
        id,
        reporter,
        responder,
        officer,
        host,
        account,
    }
}

async fn propose(
    c: &mut Client,
    id: &str,
    measure: &str,
    asset: &str,
    extra: &[(&str, &str)],
) -> common::Response {
    let mut form = vec![
        ("id", id),
        ("measure", measure),
        ("asset", asset),
        ("reason", "C2 beaconing every 60 s from this host"),
        ("expected_effect", "No more traffic to the C2 server"),
    ];
    form.extend_from_slice(extra);
    c.post("/api/incidents/containment/propose", &form).await
}

async fn step(
    c: &mut Client,
    id: &str,
    measure: &str,
    step: &str,
    extra: &[(&str, &str)],
) -> common::Response {
    let mut form = vec![("id", id), ("measure", measure), ("step", step)];
    form.extend_from_slice(extra);
    c.post("/api/incidents/containment/step", &form).await
}

/// The incident's measures, newest first.
async fn measures(c: &mut Client, id: &str) -> Vec<Value> {
    incident(c, id).await["measures"]
        .as_array()
        .unwrap()
        .clone()
}

async fn newest(c: &mut Client, id: &str) -> Value {
    measures(c, id).await.remove(0)
}

async fn unread(c: &mut Client) -> u64 {
    let r = c.post("/api/notifications/unread", &[]).await;
    r.json().as_u64().unwrap_or_else(|| panic!("{}", r.text))
}

fn event_kinds(i: &Value) -> Vec<String> {
    i["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

async fn a_measure_lives_from_proposal_to_lifting(db: Db) {
    let mut c = triaged(db).await;
    let id = c.id.clone();
    assert_eq!(unread(&mut c.officer).await, 0);
    let r = propose(&mut c.responder, &id, "host.move_network", &c.host, &[]).await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let m = newest(&mut c.officer, &id).await;
    let mid = m["id"].as_str().unwrap().to_string();
    assert_eq!(m["status"], "proposed");
    assert_eq!(m["target"], "pc-0042");
    assert_eq!(m["target_type"], "host");
    assert_eq!(m["proposed_by"], "suzuki (test)");
    assert_eq!(m["def"]["id"], "host.move_network");
    assert!(!m["def"]["name"]["ja"].as_str().unwrap().is_empty());
    // The officer sees the decision steps; the proposer only withdrawing.
    assert_eq!(
        m["steps"],
        serde_json::json!(["approve", "reject", "withdraw", "emergency"])
    );
    let mine = newest(&mut c.responder, &id).await;
    assert_eq!(mine["steps"], serde_json::json!(["withdraw"]));

    // The officer is told; reading the list and marking it read clears the badge.
    assert_eq!(unread(&mut c.officer).await, 1);
    let list = c.officer.post("/api/notifications", &[]).await.json();
    assert_eq!(list[0]["kind"], "containment_proposed");
    assert_eq!(list[0]["human_id"], id.as_str());
    assert_eq!(list[0]["target"], "pc-0042");
    assert_eq!(list[0]["status"], "proposed");
    c.officer.post("/api/notifications/read", &[]).await;
    assert_eq!(unread(&mut c.officer).await, 0);
    assert_eq!(unread(&mut c.responder).await, 0);

    // A decision needs its rationale, in place.
    let r = step(&mut c.officer, &id, &mid, "approve", &[("note", "  ")]).await;
    assert_eq!(
        r.field_errors(),
        [("note".to_string(), "Required".to_string())]
    );
    let r = step(
        &mut c.officer,
        &id,
        &mid,
        "approve",
        &[("note", "isolate, keep running for memory")],
    )
    .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    assert_eq!(
        unread(&mut c.responder).await,
        1,
        "the proposer hears of it"
    );

    let r = step(
        &mut c.responder,
        &id,
        &mid,
        "execute",
        &[("note", "moved to VLAN 999")],
    )
    .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let m = newest(&mut c.officer, &id).await;
    assert_eq!(m["status"], "executed");
    assert_eq!(m["executed_by"], "suzuki (test)");
    assert!(m["executed_at"].is_string());

    // Saying it did not work needs to say what was seen.
    let r = step(
        &mut c.responder,
        &id,
        &mid,
        "verify",
        &[("effective", "false")],
    )
    .await;
    assert_eq!(r.field_errors()[0].0, "note");
    let r = step(
        &mut c.responder,
        &id,
        &mid,
        "verify",
        &[
            ("effective", "true"),
            ("note", "no beacons in the proxy log since"),
        ],
    )
    .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let m = newest(&mut c.officer, &id).await;
    assert_eq!(m["status"], "verified");
    assert_eq!(m["effective"], true);

    // Only the officer lifts it.
    let r = step(&mut c.responder, &id, &mid, "lift", &[("note", "done")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = step(
        &mut c.officer,
        &id,
        &mid,
        "lift",
        &[("note", "host reimaged")],
    )
    .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let i = incident(&mut c.officer, &id).await;
    let m = &i["measures"][0];
    assert_eq!(m["status"], "lifted");
    assert_eq!(m["end_note"], "host reimaged");
    assert_eq!(m["steps"], serde_json::json!([]));
    let kinds = event_kinds(&i);
    for k in [
        "containment_proposed",
        "containment_approve",
        "containment_execute",
        "containment_verify",
        "containment_lift",
    ] {
        assert!(kinds.contains(&k.to_string()), "{k} in {kinds:?}");
    }
    // Each step is a link of the tamper-evident chain.
    let (checked, broken) = server::services::timeline::verify_all(&c.app.state.hikeshi.db)
        .await
        .unwrap();
    assert!(checked > 5, "{checked} events checked");
    assert!(broken.is_empty(), "{broken:?}");
}

async fn a_rejected_proposal_goes_no_further(db: Db) {
    let mut c = triaged(db).await;
    let id = c.id.clone();
    propose(&mut c.responder, &id, "account.disable", &c.account, &[]).await;
    let mid = newest(&mut c.officer, &id).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = step(
        &mut c.officer,
        &id,
        &mid,
        "reject",
        &[("note", "the user is the CFO; alert first")],
    )
    .await;
    assert_eq!(r.json(), done());
    let m = newest(&mut c.responder, &id).await;
    assert_eq!(m["status"], "rejected");
    assert_eq!(m["decided_by"], "sato (test)");
    assert_eq!(m["decision_note"], "the user is the CFO; alert first");
    let r = step(&mut c.responder, &id, &mid, "execute", &[]).await;
    assert_eq!(refusal(&r), "NotNow");
    let r = step(
        &mut c.officer,
        &id,
        &mid,
        "approve",
        &[("note", "changed my mind")],
    )
    .await;
    assert_eq!(refusal(&r), "NotNow", "a decision stands");
    let list = c.responder.post("/api/notifications", &[]).await.json();
    assert_eq!(list[0]["kind"], "containment_decided");
    assert_eq!(list[0]["status"], "rejected");
}

async fn no_one_approves_their_own_proposal(db: Db) {
    let mut c = triaged(db).await;
    let id = c.id.clone();
    let mut second = c.app.signed_in("ito", &[Role::SecurityOfficer]).await;
    let r = propose(&mut c.officer, &id, "host.block_destination", &c.host, &[]).await;
    assert_eq!(r.json(), done());
    let mid = newest(&mut c.officer, &id).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for s in ["approve", "reject"] {
        let r = step(
            &mut c.officer,
            &id,
            &mid,
            s,
            &[("note", "looks right to me")],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{s}: {}", r.text);
    }
    assert_eq!(newest(&mut c.officer, &id).await["status"], "proposed");
    // The officer did not notify themselves; a second officer decides.
    assert_eq!(unread(&mut c.officer).await, 0);
    assert_eq!(unread(&mut second).await, 1);
    let r = step(&mut second, &id, &mid, "approve", &[("note", "agreed")]).await;
    assert_eq!(r.json(), done());
    assert_eq!(newest(&mut second, &id).await["status"], "approved");
}

async fn only_handling_roles_propose(db: Db) {
    let mut c = triaged(db).await;
    let id = c.id.clone();
    // The reporter sees their incident but cannot propose.
    let r = propose(&mut c.reporter, &id, "host.move_network", &c.host, &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(incident(&mut c.reporter, &id).await["may_propose"], false);
    assert_eq!(incident(&mut c.responder, &id).await["may_propose"], true);
    // An external specialist without an engagement does not see it at all.
    let mut vendor = c.app.signed_in("vendor", &[Role::ExternalSpecialist]).await;
    let r = propose(&mut vendor, &id, "host.move_network", &c.host, &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(measures(&mut c.officer, &id).await.is_empty());
    assert_eq!(c.app.count("containments").await, 0);

    // Bad input: every field named, nothing stored.
    let r = c
        .responder
        .post(
            "/api/incidents/containment/propose",
            &[
                ("id", &id),
                ("measure", ""),
                ("asset", ""),
                ("reason", ""),
                ("expected_effect", ""),
            ],
        )
        .await;
    let fields: Vec<String> = r.field_errors().into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["measure", "asset", "reason", "expected_effect"]);
    // A measure must fit its target: no account measure on a host.
    let r = propose(&mut c.responder, &id, "account.disable", &c.host, &[]).await;
    assert_eq!(r.field_errors(), [("asset".into(), "InvalidChoice".into())]);
    let r = propose(&mut c.responder, &id, "host.teleport", &c.host, &[]).await;
    assert_eq!(
        r.field_errors(),
        [("measure".into(), "InvalidChoice".into())]
    );
    assert_eq!(c.app.count("containments").await, 0);
}

async fn two_officers_deciding_at_once_leave_one_decision(db: Db) {
    let mut c = triaged(db).await;
    let id = c.id.clone();
    let mut second = c.app.signed_in("ito", &[Role::SecurityOfficer]).await;
    for round in 0..5 {
        propose(
            &mut c.responder,
            &id,
            "host.block_destination",
            &c.host,
            &[],
        )
        .await;
        let mid = newest(&mut c.officer, &id).await["id"]
            .as_str()
            .unwrap()
            .to_string();
        let (a, b) = tokio::join!(
            step(&mut c.officer, &id, &mid, "approve", &[("note", "approve")]),
            step(&mut second, &id, &mid, "reject", &[("note", "reject")]),
        );
        let won: Vec<bool> = [&a, &b].iter().map(|r| r.json() == done()).collect();
        assert_eq!(
            won.iter().filter(|w| **w).count(),
            1,
            "round {round}: {} / {}",
            a.text,
            b.text
        );
        let loser = if won[0] { &b } else { &a };
        assert_eq!(refusal(loser), "NotNow");
        let m = newest(&mut c.officer, &id).await;
        assert_eq!(m["status"], if won[0] { "approved" } else { "rejected" });
        let i = incident(&mut c.officer, &id).await;
        let decisions = i["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| {
                matches!(
                    e["kind"].as_str(),
                    Some("containment_approve" | "containment_reject")
                )
            })
            .count();
        assert_eq!(decisions, round + 1);
    }
}

async fn approved_measures_hold_phase_c_and_active_ones_hold_closing(db: Db) {
    let mut c = triaged(db).await;
    let id = c.id.clone();
    finish_required(&mut c.officer, &id).await;
    assert_eq!(
        command(&mut c.officer, &id, "advance", &[]).await.json(),
        done()
    );
    assert_eq!(phase_of(&incident(&mut c.officer, &id).await), "C");
    propose(
        &mut c.responder,
        &id,
        "host.block_destination",
        &c.host,
        &[],
    )
    .await;
    let mid = newest(&mut c.officer, &id).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    step(&mut c.officer, &id, &mid, "approve", &[("note", "go")]).await;
    finish_required(&mut c.officer, &id).await;
    let r = command(&mut c.officer, &id, "advance", &[]).await;
    assert_eq!(refusal(&r), "ContainmentPending");
    assert_eq!(
        r.json()["Invalid"][0]["code"]["Refused"]["ContainmentPending"],
        1
    );
    step(&mut c.responder, &id, &mid, "execute", &[]).await;
    assert_eq!(
        command(&mut c.officer, &id, "advance", &[]).await.json(),
        done()
    );

    // Through to G: the temporary block still in force keeps it open.
    for _ in ["D", "E", "F"] {
        finish_required(&mut c.officer, &id).await;
        assert_eq!(
            command(&mut c.officer, &id, "advance", &[]).await.json(),
            done()
        );
    }
    finish_required(&mut c.officer, &id).await;
    c.responder
        .post(
            "/api/incidents/prevention",
            &[
                ("id", &id),
                ("technical", "proxy category block"),
                ("operational", "drill"),
            ],
        )
        .await;
    let r = command(&mut c.officer, &id, "close", &[]).await;
    assert_eq!(refusal(&r), "ContainmentActive");
    let r = step(
        &mut c.officer,
        &id,
        &mid,
        "make_permanent",
        &[("note", "kept as policy")],
    )
    .await;
    assert_eq!(r.json(), done());
    common::flow::decide_all_prevention(&mut c.officer, &id).await;
    assert_eq!(
        command(&mut c.officer, &id, "close", &[]).await.json(),
        done()
    );
    // A closed incident's measures do not move.
    let r = step(&mut c.officer, &id, &mid, "lift", &[("note", "x")]).await;
    assert_eq!(refusal(&r), "NotNow");
}

async fn destroying_evidence_needs_confirmation_and_emergencies_are_flagged(db: Db) {
    let mut c = triaged(db).await;
    let id = c.id.clone();
    propose(&mut c.responder, &id, "host.power_off", &c.host, &[]).await;
    let m = newest(&mut c.officer, &id).await;
    assert!(
        m["def"]["evidence_lost"]["en"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert!(!m["def"]["preserve_first"].as_array().unwrap().is_empty());
    let mid = m["id"].as_str().unwrap().to_string();
    let r = step(
        &mut c.officer,
        &id,
        &mid,
        "approve",
        &[("note", "memory dumped")],
    )
    .await;
    assert_eq!(r.field_errors()[0].0, "confirm_evidence");
    assert_eq!(newest(&mut c.officer, &id).await["status"], "proposed");
    let r = step(
        &mut c.officer,
        &id,
        &mid,
        "approve",
        &[("note", "memory dumped"), ("confirm_evidence", "true")],
    )
    .await;
    assert_eq!(r.json(), done(), "{}", r.text);

    // The emergency path: only the officer, with a justification, flagged.
    let emergency = [("emergency", "true"), ("justification", "")];
    let r = propose(
        &mut c.officer,
        &id,
        "account.disable",
        &c.account,
        &emergency,
    )
    .await;
    assert_eq!(r.field_errors()[0].0, "justification");
    let before = c.app.count("containments").await;
    let emergency = [
        ("emergency", "true"),
        ("justification", "active data theft with this account"),
    ];
    let r = propose(
        &mut c.responder,
        &id,
        "account.disable",
        &c.account,
        &emergency,
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "not the responder's: {}",
        r.text
    );
    assert_eq!(
        c.app.count("containments").await,
        before,
        "nothing half-written"
    );
    let r = propose(
        &mut c.officer,
        &id,
        "account.disable",
        &c.account,
        &emergency,
    )
    .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let i = incident(&mut c.officer, &id).await;
    let m = &i["measures"][0];
    assert_eq!(m["status"], "executed");
    assert_eq!(m["emergency"], true);
    assert_eq!(m["decision_note"], "active data theft with this account");
    let last = i["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "containment_emergency");
    assert_eq!(last["detail"]["emergency"], "true");
}

on_both_databases!(
    a_measure_lives_from_proposal_to_lifting,
    a_rejected_proposal_goes_no_further,
    no_one_approves_their_own_proposal,
    only_handling_roles_propose,
    two_officers_deciding_at_once_leave_one_decision,
    approved_measures_hold_phase_c_and_active_ones_hold_closing,
    destroying_evidence_needs_confirmation_and_emergencies_are_flagged,
);
