//! Domain fidelity (issue 15), on SQLite and PostgreSQL: outside notices and
//! the public notification form, phase G's recurrence-prevention checklist,
//! tasks that wait for their prerequisites, several attack stages.

mod common;

use axum::http::StatusCode;
use serde_json::Value;

use common::flow::{command, done, finish_required, incident, phase_of, refusal, report};
use common::{Db, TestApp};

use app::domain::Role;

fn notice_form<'a>(subject: &'a str, website: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("form[organisation]", "JPCERT/CC"),
        ("form[person]", "Yamada"),
        ("form[contact]", "office@example.jp"),
        ("form[their_reference]", "JPCERT#2026-1234"),
        ("form[subject]", subject),
        (
            "form[details]",
            "Sinkhole data shows 192.0.2.10 contacting a known C2 since 2026-11-30.",
        ),
        ("form[affected]", "192.0.2.10"),
        ("form[website]", website),
    ]
}

fn receipt(r: &common::Response) -> Option<String> {
    r.json()["Done"]["Received"].as_str().map(str::to_string)
}

async fn the_notification_form_files_a_phase_a_report_and_shows_nothing_back(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut outsider = app.client_from("198.51.100.7");
    let subject = "<script>alert(1)</script> your host talks to a C2";
    let r = outsider
        .post("/api/notify", &notice_form(subject, ""))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let reference = receipt(&r).expect("a reference");
    assert!(
        reference.starts_with("N-") && reference.len() == 13,
        "{reference}"
    );
    // Nothing the sender typed comes back to them.
    assert!(!r.text.contains("script") && !r.text.contains("192.0.2.10"));
    assert_eq!(app.count("outside_notices").await, 1);

    // It is a phase-A report, discovered by an outside notification, with
    // who sent it: the handlers see it, on the list and on its page.
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let list = officer.post("/api/incidents/list", &[]).await.json();
    let id = list["rows"][0]["human_id"].as_str().unwrap().to_string();
    let i = incident(&mut officer, &id).await;
    assert_eq!(phase_of(&i), "A");
    assert_eq!(i["discovery"], "external_notification");
    assert_eq!(i["title"], subject);
    assert_eq!(i["reporter_contact"], "office@example.jp");
    let n = &i["notices"][0];
    assert_eq!(n["via"], "form");
    assert_eq!(n["reference"], reference.as_str());
    assert_eq!(n["notifier"]["organisation"], "JPCERT/CC");
    assert_eq!(n["notifier"]["their_reference"], "JPCERT#2026-1234");
    let kinds: Vec<&str> = i["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["reported", "outside_notice"]);
    // The intake account that filed it cannot sign in.
    let mut intruder = app.client();
    for password in ["", "!"] {
        let r = intruder.sign_in("outside-notice", password).await;
        assert!(r.json()["Invalid"].is_array(), "{}", r.text);
    }
    assert!(
        intruder
            .post("/api/incidents/get", &[("id", &id)])
            .await
            .status
            == StatusCode::UNAUTHORIZED
    );

    // Nor can an administrator make it one that does: it is not activated,
    // given a password or roles, and its name is not free for a new user.
    let mut admin = app.admin().await;
    let users = admin.post("/api/users/list", &[]).await.json();
    let intake = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "outside-notice")
        .expect("the intake account")["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (path, form) in [
        (
            "/api/users/active",
            vec![("user", intake.as_str()), ("active", "true")],
        ),
        (
            "/api/users/reset-password",
            vec![
                ("user", intake.as_str()),
                ("password", "a long enough password 1"),
            ],
        ),
        (
            "/api/users/roles",
            vec![("user", intake.as_str()), ("roles[]", "security_officer")],
        ),
    ] {
        let r = admin.post(path, &form).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{path}: {}", r.text);
        assert!(r.text.contains("SystemAccount"), "{path}: {}", r.text);
    }
    let r = admin
        .post(
            "/api/users/create",
            &[
                ("form[username]", "outside-notice"),
                ("form[display_name]", "Impostor"),
                ("form[password]", "a long enough password 1"),
                ("form[roles][]", "reporter"),
            ],
        )
        .await;
    assert_eq!(
        r.field_errors(),
        [("username".to_string(), "UsernameTaken".to_string())]
    );

    // The page itself renders without an account, and the sign-in page
    // points outsiders to it.
    let page = app.client().get("/notify").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("form[contact]"));
    assert!(
        app.client()
            .get("/login")
            .await
            .text
            .contains("href=\"/notify\"")
    );
}

async fn the_notification_form_is_validated_limited_and_trapped(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut outsider = app.client_from("203.0.113.9");
    // Bad input: named field errors, nothing kept.
    let r = outsider
        .post(
            "/api/notify",
            &[
                ("form[organisation]", ""),
                ("form[person]", ""),
                ("form[contact]", ""),
                ("form[their_reference]", ""),
                ("form[subject]", "x"),
                ("form[details]", ""),
                ("form[affected]", ""),
            ],
        )
        .await;
    let fields: Vec<String> = r.field_errors().into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["organisation", "contact", "details"]);
    assert_eq!(app.count("outside_notices").await, 0);

    // A robot that fills the hidden field is thanked and forgotten.
    let r = outsider
        .post(
            "/api/notify",
            &notice_form("buy now", "http://spam.example"),
        )
        .await;
    assert!(receipt(&r).is_some());
    assert_eq!(app.count("incidents").await, 0);

    // Five an hour from one source; the sixth is turned away, kept nowhere.
    for n in 0..5 {
        let r = outsider
            .post("/api/notify", &notice_form(&format!("notice {n}"), ""))
            .await;
        assert!(receipt(&r).is_some(), "{n}: {}", r.text);
    }
    let r = outsider
        .post("/api/notify", &notice_form("one too many", ""))
        .await;
    assert_eq!(r.json()["Done"], "Busy");
    assert_eq!(app.count("outside_notices").await, 5);
    assert_eq!(app.count("incidents").await, 5);
    // Another source is not held up by the first.
    let r = app
        .client_from("203.0.113.10")
        .post("/api/notify", &notice_form("from elsewhere", ""))
        .await;
    assert!(receipt(&r).is_some());

    // A cross-site form post never reaches it.
    let mut forged = app.client_from("203.0.113.11");
    forged.origin = Some("https://evil.example".into());
    let r = forged.post("/api/notify", &notice_form("forged", "")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("outside_notices").await, 6);
}

async fn a_report_of_an_outside_notification_names_who_notified(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let base = [
        ("form[title]", "Call from our ISP"),
        ("form[observed]", "The ISP says pc-0042 sends spam."),
        ("form[noticed_at]", "2026-01-05T09:30"),
        ("form[location]", "pc-0042"),
        ("form[discovery]", "external_notification"),
        ("form[kind]", "malware_infection"),
        ("form[reporter_contact]", "tanaka@example.jp"),
    ];
    let r = reporter.post("/api/incidents/report", &base).await;
    assert_eq!(
        r.field_errors(),
        [("notifier_organisation".to_string(), "Required".to_string())]
    );
    let mut named = base.to_vec();
    named.extend([
        ("form[notifier][organisation]", "Example ISP"),
        ("form[notifier][person]", "abuse desk"),
        ("form[notifier][contact]", "abuse@isp.example"),
        ("form[notifier][their_reference]", "ABUSE-77"),
    ]);
    let r = reporter.post("/api/incidents/report", &named).await;
    let id = r.json()["Done"].as_str().expect(&r.text).to_string();
    let i = incident(&mut responder, &id).await;
    assert_eq!(i["notices"][0]["via"], "recorded");
    assert_eq!(i["notices"][0]["notifier"]["organisation"], "Example ISP");
    assert_eq!(i["notices"][0]["notifier"]["their_reference"], "ABUSE-77");
    // Who notified is the handlers' to see.
    let mine = incident(&mut reporter, &id).await;
    assert!(mine["notices"].as_array().unwrap().is_empty());
}

/// Walks an incident of `kind` to phase G, finishing every required task.
async fn to_phase_g(app: &TestApp, kind: &str) -> (common::Client, common::Client, String) {
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let id = report(&mut reporter, kind).await;
    finish_required(&mut officer, &id).await;
    assert_eq!(
        command(&mut officer, &id, "take_into_triage", &[])
            .await
            .json(),
        done()
    );
    finish_required(&mut officer, &id).await;
    let r = command(
        &mut officer,
        &id,
        "decide",
        &[
            ("decision", "respond_now"),
            ("severity", "high"),
            ("reason", "spreading"),
        ],
    )
    .await;
    assert_eq!(r.json(), done());
    for _ in ["B", "C", "D", "E", "F"] {
        finish_required(&mut officer, &id).await;
        let r = command(&mut officer, &id, "advance", &[]).await;
        assert_eq!(r.json(), done(), "{}", r.text);
    }
    finish_required(&mut officer, &id).await;
    assert_eq!(phase_of(&incident(&mut officer, &id).await), "G");
    (officer, responder, id)
}

fn measures(i: &Value) -> Vec<Value> {
    i["prevention"].as_array().unwrap().clone()
}

async fn decide(
    c: &mut common::Client,
    id: &str,
    item: &str,
    form: &[(&str, &str)],
) -> common::Response {
    let mut f = vec![("id", id), ("item", item)];
    f.extend_from_slice(form);
    c.post("/api/incidents/prevention/decide", &f).await
}

async fn phase_g_closes_once_every_prevention_measure_is_decided(db: Db) {
    let app = TestApp::spawn(db).await;
    let (mut officer, mut responder, id) = to_phase_g(&app, "targeted_email").await;
    let r = officer
        .post(
            "/api/incidents/prevention",
            &[
                ("id", &id),
                ("technical", "Proxy UA logging"),
                ("operational", "Training"),
            ],
        )
        .await;
    assert_eq!(r.json(), done());
    let i = incident(&mut officer, &id).await;
    let all = measures(&i);
    assert!(all.len() >= 15, "{}", all.len());
    // The sources are cited, seed 003's exit measures among them.
    assert!(
        all.iter()
            .all(|m| !m["def"]["cite"].as_str().unwrap().is_empty())
    );
    assert!(all.iter().any(|m| m["def"]["layer"] == "exit"));
    assert!(all.iter().all(|m| m["decision"].is_null()));
    let r = command(&mut officer, &id, "close", &[]).await;
    assert_eq!(refusal(&r), "PreventionUndecided");

    let first = all[0]["def"]["id"].as_str().unwrap().to_string();
    let second = all[1]["def"]["id"].as_str().unwrap().to_string();
    // A rejection needs its reason; the error names the measure's form.
    let r = decide(
        &mut responder,
        &id,
        &first,
        &[("form[decision]", "rejected"), ("form[note]", " ")],
    )
    .await;
    assert_eq!(
        r.field_errors(),
        [(format!("{first}/note"), "Required".to_string())]
    );
    // A schedule's owner is a handler, its due date not past.
    let reporter_id = app.user("kato", &[Role::Reporter]).await.to_string();
    let r = decide(
        &mut responder,
        &id,
        &first,
        &[
            ("form[decision]", "scheduled"),
            ("form[owner]", &reporter_id),
            ("form[due]", "2099-01-01"),
        ],
    )
    .await;
    assert_eq!(r.field_errors()[0].0, format!("{first}/due"));
    let suzuki = responder.me().await["id"].as_str().unwrap().to_string();
    let r = decide(
        &mut responder,
        &id,
        &first,
        &[
            ("form[decision]", "scheduled"),
            ("form[owner]", &reporter_id),
            ("form[due]", "2027-03-31"),
        ],
    )
    .await;
    assert_eq!(
        r.field_errors(),
        [(format!("{first}/owner"), "InvalidChoice".to_string())]
    );
    let r = decide(
        &mut responder,
        &id,
        &first,
        &[
            ("form[decision]", "scheduled"),
            ("form[owner]", &suzuki),
            ("form[due]", "2027-03-31"),
            ("form[note]", "budget in Q1"),
        ],
    )
    .await;
    assert_eq!(r.json(), done());
    let r = decide(
        &mut officer,
        &id,
        &second,
        &[
            ("form[decision]", "rejected"),
            ("form[note]", "no own mail server"),
        ],
    )
    .await;
    assert_eq!(r.json(), done());
    // A measure the playbooks do not offer is not there; a reporter decides nothing.
    let r = decide(
        &mut officer,
        &id,
        "rp.nothing",
        &[("form[decision]", "accepted")],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let mut reporter = app.client();
    reporter.sign_in("tanaka", common::PASSWORD).await;
    let r = decide(
        &mut reporter,
        &id,
        &second,
        &[("form[decision]", "accepted")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Someone who does not see the incident is told it is not there.
    let mut kato = app.client();
    kato.sign_in("kato", common::PASSWORD).await;
    let r = decide(&mut kato, &id, &second, &[("form[decision]", "accepted")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let i = incident(&mut officer, &id).await;
    let m = measures(&i);
    assert_eq!(m[0]["decision"], "scheduled");
    assert_eq!(m[0]["owner"], "suzuki (test)");
    assert_eq!(m[0]["due_on"], "2027-03-31");
    assert_eq!(m[0]["note"], "budget in Q1");
    assert_eq!(m[1]["decision"], "rejected");
    assert_eq!(
        refusal(&command(&mut officer, &id, "close", &[]).await),
        "PreventionUndecided"
    );

    // The rest at once, with one reason; then it closes.
    let r = decide(
        &mut officer,
        &id,
        "*",
        &[("form[decision]", "rejected"), ("form[note]", "")],
    )
    .await;
    assert_eq!(
        r.field_errors(),
        [("*/note".to_string(), "Required".to_string())]
    );
    let r = decide(
        &mut officer,
        &id,
        "*",
        &[
            ("form[decision]", "accepted"),
            ("form[note]", "in place already"),
        ],
    )
    .await;
    assert_eq!(r.json(), done());
    let i = incident(&mut officer, &id).await;
    assert!(measures(&i).iter().all(|m| !m["decision"].is_null()));
    assert_eq!(
        measures(&i)[0]["decision"],
        "scheduled",
        "decided ones keep their decision"
    );
    assert_eq!(
        command(&mut officer, &id, "close", &[]).await.json(),
        done()
    );
    let count = i["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "prevention_decided")
        .count();
    assert_eq!(count, 3);
}

async fn a_task_waits_for_the_tasks_it_depends_on(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let id = report(&mut reporter, "malware_infection").await;
    finish_required(&mut officer, &id).await;
    assert_eq!(
        command(&mut officer, &id, "take_into_triage", &[])
            .await
            .json(),
        done()
    );
    // B: deciding depends on estimating the impact.
    let i = incident(&mut officer, &id).await;
    let task = |action: &str| -> Value {
        i["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["action_id"] == action)
            .unwrap()
            .clone()
    };
    let decide_task = task("b.decide_first_response");
    assert_eq!(decide_task["may_progress"], false);
    assert_eq!(
        decide_task["waiting_on"][0]["en"],
        "Estimate the scope of impact"
    );
    assert!(!decide_task["skills"].as_array().unwrap().is_empty());
    assert_eq!(decide_task["raci"], "responsible");
    let r = officer
        .post(
            "/api/incidents/task",
            &[
                ("id", &id),
                ("task", decide_task["id"].as_str().unwrap()),
                ("status", "done"),
            ],
        )
        .await;
    assert_eq!(refusal(&r), "WaitingFor");
    let assess = task("b.assess_impact");
    let r = officer
        .post(
            "/api/incidents/task",
            &[
                ("id", &id),
                ("task", assess["id"].as_str().unwrap()),
                ("status", "done"),
            ],
        )
        .await;
    assert_eq!(r.json(), done());
    let r = officer
        .post(
            "/api/incidents/task",
            &[
                ("id", &id),
                ("task", decide_task["id"].as_str().unwrap()),
                ("status", "done"),
            ],
        )
        .await;
    assert_eq!(r.json(), done());
}

async fn targeted_mail_examination_and_recovery_tasks_are_on_the_incident(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let id = report(&mut reporter, "targeted_email").await;
    let i = incident(&mut officer, &id).await;
    let tasks = i["tasks"].as_array().unwrap();
    let by = |a: &str| tasks.iter().find(|t| t["action_id"] == a).cloned();
    let examine = by("k.te.examine_mail").expect("the mail is examined");
    assert_eq!(examine["phase"], "B");
    assert!(examine["checklist"].as_array().unwrap().len() >= 5);
    let confirm = by("k.te.confirm_sender").unwrap();
    assert!(
        confirm["description"]["en"]
            .as_str()
            .unwrap()
            .contains("phone")
    );
    for a in [
        "f.plan_recovery",
        "g.eradicate",
        "g.restore",
        "g.monitor",
        "g.closing_checks",
    ] {
        let t = by(a).unwrap_or_else(|| panic!("{a}"));
        assert_eq!(t["required"], true, "{a}");
    }
    // Every task names the skills it takes.
    assert!(
        tasks
            .iter()
            .all(|t| !t["skills"].as_array().unwrap().is_empty())
    );
}

on_both_databases!(
    the_notification_form_files_a_phase_a_report_and_shows_nothing_back,
    the_notification_form_is_validated_limited_and_trapped,
    a_report_of_an_outside_notification_names_who_notified,
    phase_g_closes_once_every_prevention_measure_is_decided,
    a_task_waits_for_the_tasks_it_depends_on,
    targeted_mail_examination_and_recovery_tasks_are_on_the_incident,
);
