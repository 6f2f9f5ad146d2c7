//! The handling workflow end to end, on SQLite and PostgreSQL: a full walk
//! A→G→closed by the right roles, the wrong role refused at every step, and
//! the hash-chained timeline verified and shown to detect tampering.

mod common;

use axum::http::StatusCode;
use common::flow::{
    command, done, finish_required, incident, open_required, phase_of, refusal, report, task_in,
};
use common::{Db, TestApp};

use app::domain::Role;

async fn a_full_walk_from_report_to_closure_by_the_right_roles(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let id = report(&mut reporter, "malware_infection").await;

    // A: the report is a ticket with the playbook's tasks, the reporter's done.
    let i = incident(&mut officer, &id).await;
    assert_eq!(phase_of(&i), "A");
    assert_eq!(i["playbook_hash"].as_str().unwrap().len(), 64);
    let tasks = i["tasks"].as_array().unwrap();
    assert!(
        tasks
            .iter()
            .any(|t| t["action_id"] == "a.report_event" && t["status"] == "done")
    );
    assert!(
        tasks.iter().any(|t| t["kind_specific"] == true),
        "kind playbook tasks are added"
    );
    for p in ["A", "B", "C", "D", "E", "F", "G"] {
        assert!(
            tasks
                .iter()
                .any(|t| t["phase"] == p && t["required"] == true),
            "phase {p} has required outputs"
        );
    }

    // A → B: a handling role, once A's outputs are in.
    assert_eq!(
        command(&mut reporter, &id, "take_into_triage", &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    finish_required(&mut responder, &id).await;
    assert_eq!(
        command(&mut responder, &id, "take_into_triage", &[])
            .await
            .json(),
        done()
    );
    assert_eq!(phase_of(&incident(&mut responder, &id).await), "B");

    // B: only the officer decides; leaving needs "respond now" and the outputs.
    let decide = [
        ("decision", "respond_now"),
        ("severity", "high"),
        ("reason", "C2 traffic confirmed"),
    ];
    assert_eq!(
        command(&mut responder, &id, "decide", &decide).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        command(&mut responder, &id, "advance", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let r = command(&mut officer, &id, "advance", &[]).await;
    assert_eq!(refusal(&r), "DecisionNeeded");
    let r = command(
        &mut officer,
        &id,
        "decide",
        &[
            ("decision", "respond_now"),
            ("severity", "high"),
            ("reason", " "),
        ],
    )
    .await;
    assert_eq!(r.field_errors()[0].0, "reason");
    assert_eq!(
        command(&mut officer, &id, "decide", &decide).await.json(),
        done()
    );
    let i = incident(&mut officer, &id).await;
    assert_eq!(i["decision"], "respond_now");
    assert_eq!(i["severity"], "high");
    assert_eq!(
        i["targets"].as_array().unwrap().len(),
        2,
        "time targets follow from the severity"
    );

    // B..F: each phase is left by the officer once its outputs are in.
    for (from, to) in [("B", "C"), ("C", "D"), ("D", "E"), ("E", "F"), ("F", "G")] {
        assert_eq!(phase_of(&incident(&mut officer, &id).await), from);
        let pending = open_required(&mut officer, &id).await;
        if !pending.is_empty() {
            let r = command(&mut officer, &id, "advance", &[]).await;
            assert_eq!(refusal(&r), "OutputsMissing", "{from}");
        }
        // The reporter may not work handling tasks; the responder may not sign off.
        if let Some(task) = pending.first() {
            let r = reporter
                .post(
                    "/api/incidents/task",
                    &[("id", &id), ("task", task), ("status", "done")],
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{from}: {}", r.text);
        }
        finish_required(&mut officer, &id).await;
        assert_eq!(
            command(&mut responder, &id, "advance", &[]).await.status,
            StatusCode::FORBIDDEN,
            "{from}"
        );
        assert_eq!(
            command(&mut officer, &id, "advance", &[]).await.json(),
            done(),
            "{from}"
        );
        assert_eq!(phase_of(&incident(&mut officer, &id).await), to);
    }

    // G closes only with technical and operational prevention recorded.
    finish_required(&mut officer, &id).await;
    assert_eq!(
        refusal(&command(&mut officer, &id, "close", &[]).await),
        "PreventionMissing"
    );
    let r = responder
        .post(
            "/api/incidents/prevention",
            &[
                ("id", &id),
                (
                    "technical",
                    "Block the C2 domain at the proxy; EDR rule for the dropper",
                ),
                ("operational", ""),
            ],
        )
        .await;
    assert_eq!(r.json(), done());
    assert_eq!(
        refusal(&command(&mut officer, &id, "close", &[]).await),
        "PreventionMissing"
    );
    let r = responder
        .post(
            "/api/incidents/prevention",
            &[
                ("id", &id),
                ("technical", "Block the C2 domain at the proxy"),
                ("operational", "Phishing drill every quarter"),
            ],
        )
        .await;
    assert_eq!(r.json(), done());
    assert_eq!(
        command(&mut responder, &id, "close", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    // And with every measure of the recurrence-prevention checklist decided.
    assert_eq!(
        refusal(&command(&mut officer, &id, "close", &[]).await),
        "PreventionUndecided"
    );
    common::flow::decide_all_prevention(&mut responder, &id).await;
    assert_eq!(
        command(&mut officer, &id, "close", &[]).await.json(),
        done()
    );
    let i = incident(&mut officer, &id).await;
    assert_eq!(i["status"], "closed");
    assert_eq!(i["close_reason"], "resolved");
    // Every stay in a phase is recorded with its start and end.
    let spans = i["phases"].as_array().unwrap();
    assert_eq!(spans.len(), 7);
    assert!(spans.iter().all(|s| !s["left_at"].is_null()));

    // Nothing moves a closed incident but the officer's reopening, with a reason.
    assert_eq!(
        refusal(&command(&mut officer, &id, "advance", &[]).await),
        "NotNow"
    );
    assert_eq!(
        command(&mut responder, &id, "reopen", &[("reason", "x")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        command(&mut officer, &id, "reopen", &[("reason", "")])
            .await
            .field_errors()[0]
            .0,
        "reason"
    );
    assert_eq!(
        command(
            &mut officer,
            &id,
            "reopen",
            &[("reason", "same beacon seen again")]
        )
        .await
        .json(),
        done()
    );
    let i = incident(&mut officer, &id).await;
    assert_eq!((i["status"].as_str(), phase_of(&i)), (Some("open"), "G"));

    // The timeline tells the whole story, and its chain verifies.
    let kinds: Vec<&str> = i["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"reported"));
    assert!(kinds.contains(&"first_response_decided"));
    assert_eq!(kinds.iter().filter(|k| **k == "phase_advanced").count(), 5);
    assert_eq!(kinds.last(), Some(&"reopened"));
    let (checked, broken) = server::services::timeline::verify_all(&app.state.hikeshi.db)
        .await
        .unwrap();
    assert!(broken.is_empty(), "{broken:?}");
    assert_eq!(checked as usize, kinds.len());
}

async fn not_an_incident_closes_in_triage_and_watch_stays(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut responder = app.signed_in("suzuki", &[Role::BuLanAdmin]).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let id = report(&mut responder, "other").await;
    finish_required(&mut officer, &id).await;
    assert_eq!(
        command(&mut responder, &id, "take_into_triage", &[])
            .await
            .json(),
        done()
    );
    let watch = [
        ("decision", "watch"),
        ("severity", "low"),
        ("reason", "keep an eye on the proxy log"),
    ];
    assert_eq!(
        command(&mut officer, &id, "decide", &watch).await.json(),
        done()
    );
    let i = incident(&mut officer, &id).await;
    assert_eq!((phase_of(&i), i["status"].as_str()), ("B", Some("open")));
    let no = [
        ("decision", "not_an_incident"),
        ("severity", "low"),
        ("reason", "backup job, known traffic"),
    ];
    assert_eq!(
        command(&mut officer, &id, "decide", &no).await.json(),
        done()
    );
    let i = incident(&mut officer, &id).await;
    assert_eq!(i["status"], "closed");
    assert_eq!(i["close_reason"], "not_an_incident");
    assert_eq!(i["decision_reason"], "backup job, known traffic");
}

async fn only_the_officer_waives_and_tasks_belong_to_their_role(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut bu = app.signed_in("bu", &[Role::BuLanAdmin]).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let id = report(&mut bu, "targeted_email").await;
    let i = incident(&mut officer, &id).await;
    let it_task = i["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["phase"] == "A" && t["role"] == "it_lan_admin" && t["status"] != "done")
        .map(|t| t["id"].as_str().unwrap().to_string());
    if let Some(task) = it_task {
        // The business-unit admin is not the IT department's admin.
        let r = bu
            .post(
                "/api/incidents/task",
                &[("id", &id), ("task", &task), ("status", "done")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = bu
            .post(
                "/api/incidents/task/waive",
                &[("id", &id), ("task", &task), ("reason", "n/a")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = officer
            .post(
                "/api/incidents/task/waive",
                &[("id", &id), ("task", &task), ("reason", "")],
            )
            .await;
        assert_eq!(r.field_errors()[0].0, "reason");
        let r = officer
            .post(
                "/api/incidents/task/waive",
                &[("id", &id), ("task", &task), ("reason", "handled by phone")],
            )
            .await;
        assert_eq!(r.json(), done());
        let i = incident(&mut officer, &id).await;
        let t = task_in(&i, &task);
        assert_eq!(t["status"], "waived");
        assert_eq!(t["waive_reason"], "handled by phone");
    } else {
        panic!("the playbook has no IT-department task in phase A");
    }
    // A task of a later phase cannot be worked yet.
    let later = i["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["phase"] == "E")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = officer
        .post(
            "/api/incidents/task",
            &[("id", &id), ("task", &later), ("status", "done")],
        )
        .await;
    assert_eq!(refusal(&r), "NotNow");
}

async fn classification_assets_assignment_and_my_tasks(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let id = report(&mut reporter, "information_leak").await;
    let responder_id = responder.me().await["id"].as_str().unwrap().to_string();
    let officer_id = officer.me().await["id"].as_str().unwrap().to_string();

    // Handlers classify; only the officer sets severity; reporters do neither.
    let r = responder
        .post(
            "/api/incidents/classify",
            &[
                ("id", &id),
                ("tlp", "amber_strict"),
                ("stages[]", "objective"),
                ("stages[]", "delivery"),
                ("attacker", "apt"),
                ("route", ""),
            ],
        )
        .await;
    assert_eq!(r.json(), done());
    // An incident records several stages; one that is no stage is refused.
    let r = responder
        .post(
            "/api/incidents/classify",
            &[("id", &id), ("tlp", "amber_strict"), ("stages[]", "exfil")],
        )
        .await;
    assert_eq!(
        r.field_errors()[0],
        ("stages".to_string(), "InvalidChoice".to_string())
    );
    let r = responder
        .post(
            "/api/incidents/classify",
            &[
                ("id", &id),
                ("tlp", "amber_strict"),
                ("severity", "critical"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = officer
        .post(
            "/api/incidents/classify",
            &[
                ("id", &id),
                ("tlp", "red"),
                ("severity", "critical"),
                ("stages[]", "delivery"),
                ("stages[]", "objective"),
                ("attacker", "apt"),
            ],
        )
        .await;
    assert_eq!(r.json(), done());
    let r = reporter
        .post("/api/incidents/classify", &[("id", &id), ("tlp", "clear")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = officer
        .post("/api/incidents/classify", &[("id", &id), ("tlp", "purple")])
        .await;
    assert_eq!(
        r.field_errors()[0],
        ("tlp".to_string(), "InvalidChoice".to_string())
    );

    let r = responder
        .post(
            "/api/incidents/asset/add",
            &[
                ("id", &id),
                ("asset_type", "host"),
                ("identifier", "fs-01"),
                ("note", "file server"),
            ],
        )
        .await;
    assert_eq!(r.json(), done());
    let r = responder
        .post(
            "/api/incidents/asset/add",
            &[("id", &id), ("asset_type", "host"), ("identifier", " ")],
        )
        .await;
    assert_eq!(r.field_errors()[0].0, "identifier");
    assert_eq!(
        reporter
            .post(
                "/api/incidents/asset/add",
                &[("id", &id), ("asset_type", "account"), ("identifier", "x")]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Assignment: by the officer, to people with fitting roles.
    let r = responder
        .post(
            "/api/incidents/assign",
            &[("id", &id), ("responder", &responder_id)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = officer
        .post(
            "/api/incidents/assign",
            &[
                ("id", &id),
                ("responder", &officer_id),
                ("officer", &responder_id),
            ],
        )
        .await;
    assert_eq!(
        r.field_errors()[0].0,
        "officer",
        "a LAN admin is not a security officer"
    );
    let r = officer
        .post(
            "/api/incidents/assign",
            &[
                ("id", &id),
                ("responder", &responder_id),
                ("officer", &officer_id),
            ],
        )
        .await;
    assert_eq!(r.json(), done());

    // The reporter answers questions in the comments.
    assert_eq!(
        reporter
            .post(
                "/api/incidents/comment",
                &[("id", &id), ("text", "The file was the customer list.")]
            )
            .await
            .json(),
        done()
    );
    assert_eq!(
        reporter
            .post("/api/incidents/comment", &[("id", &id), ("text", "")])
            .await
            .field_errors()[0]
            .0,
        "text"
    );

    let i = incident(&mut officer, &id).await;
    assert_eq!(i["tlp"], "red");
    assert_eq!(i["severity"], "critical");
    assert_eq!(
        i["attack_stages"],
        serde_json::json!(["delivery", "objective"])
    );
    assert_eq!(i["attacker_type"], "apt");
    // The same stages in the kill chain (seed 001) and seed 004's phases.
    let models = i["stage_models"].as_array().unwrap();
    assert_eq!(models.len(), 2);
    let reached = |m: &serde_json::Value| -> Vec<String> {
        m["reached"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["en"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(reached(&models[0]), ["Delivery", "Actions on objectives"]);
    assert_eq!(
        reached(&models[1]),
        ["Initial intrusion", "Carrying out the objective"]
    );
    assert_eq!(i["assets"][0]["identifier"], "fs-01");
    assert_eq!(i["responder"]["username"], "suzuki");
    let kinds: Vec<&str> = i["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "reported",
            "classified",
            "classified",
            "asset_added",
            "assigned",
            "comment"
        ]
    );

    // The list filters by severity, TLP and assignment; my tasks follow roles.
    let mine = responder
        .post(
            "/api/incidents/list",
            &[("mine", "1"), ("severity", "critical"), ("tlp", "red")],
        )
        .await
        .json();
    assert_eq!(mine["total"], 1);
    assert_eq!(
        officer
            .post("/api/incidents/list", &[("severity", "low")])
            .await
            .json()["total"],
        0
    );
    let tasks = responder.post("/api/tasks/mine", &[]).await.json();
    let tasks = tasks.as_array().unwrap();
    assert!(!tasks.is_empty());
    assert!(
        tasks
            .iter()
            .all(|t| t["phase"] == "A" && t["role"] == "it_lan_admin"),
        "{tasks:?}"
    );
    assert!(
        reporter
            .post("/api/tasks/mine", &[])
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
}

async fn overdue_incidents_are_flagged_and_filtered(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let late = report(&mut responder, "denial_of_service").await;
    let fine = report(&mut responder, "denial_of_service").await;
    for id in [&late, &fine] {
        let r = officer
            .post(
                "/api/incidents/classify",
                &[("id", id), ("tlp", "amber"), ("severity", "critical")],
            )
            .await;
        assert_eq!(r.json(), done());
    }
    // Move the first report's targets into the past.
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
    let db = &app.state.hikeshi.db;
    let m = server::entity::incident::Entity::find()
        .filter(server::entity::incident::Column::HumanId.eq(late.as_str()))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let mut a: server::entity::incident::ActiveModel = m.into();
    let past = chrono::Utc::now() - chrono::Duration::days(2);
    a.triage_due_at = Set(Some(past));
    a.response_due_at = Set(Some(past));
    a.update(db).await.unwrap();
    let list = officer
        .post("/api/incidents/list", &[("overdue", "1")])
        .await
        .json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["rows"][0]["human_id"], late.as_str());
    assert_eq!(list["rows"][0]["overdue"], true);
    let all = officer.post("/api/incidents/list", &[]).await.json();
    let fine_row = all["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["human_id"] == fine.as_str())
        .unwrap()
        .clone();
    assert_eq!(fine_row["overdue"], false);
    let i = incident(&mut officer, &late).await;
    assert!(
        i["targets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["overdue"] == true)
    );
}

async fn a_tampered_timeline_is_detected(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let id = report(&mut responder, "other").await;
    for n in 0..3 {
        let text = format!("note {n}");
        assert_eq!(
            responder
                .post("/api/incidents/comment", &[("id", &id), ("text", &text)])
                .await
                .json(),
            done()
        );
    }
    let db = &app.state.hikeshi.db;
    let (checked, broken) = server::services::timeline::verify_all(db).await.unwrap();
    assert_eq!((checked, broken.len()), (4, 0));

    // Someone with database access rewrites the second comment.
    use sea_orm::ConnectionTrait;
    db.execute_unprepared(
        "UPDATE incident_events SET detail = '{\"text\":\"nothing happened\"}' WHERE seq = 3",
    )
    .await
    .unwrap();
    let (_, broken) = server::services::timeline::verify_all(db).await.unwrap();
    assert_eq!(broken.len(), 1);
    assert_eq!(broken[0].human_id, id);
    assert_eq!(broken[0].seq, 3, "the first broken link is named");

    // Deleting the newest event is caught too.
    let app2 = TestApp::spawn(db_kind(db)).await;
    let mut r2 = app2.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let id2 = report(&mut r2, "other").await;
    assert_eq!(
        r2.post("/api/incidents/comment", &[("id", &id2), ("text", "x")])
            .await
            .json(),
        done()
    );
    app2.state
        .hikeshi
        .db
        .execute_unprepared("DELETE FROM incident_events WHERE seq = 2")
        .await
        .unwrap();
    let (_, broken) = server::services::timeline::verify_all(&app2.state.hikeshi.db)
        .await
        .unwrap();
    assert_eq!(broken[0].seq, 2);
}

fn db_kind(db: &sea_orm::DatabaseConnection) -> Db {
    match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => Db::Postgres,
        _ => Db::Sqlite,
    }
}

/// Writes the built-in playbooks to a fresh directory, edited by `edit`.
fn playbook_dir(edit: impl Fn(&str, &str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in playbooks::builtin_files() {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, edit(name, text)).unwrap();
    }
    dir
}

async fn editing_the_playbooks_never_rewrites_open_incidents(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let old = report(&mut officer, "other").await;
    let before = incident(&mut officer, &old).await;

    // The organisation renames a task and adds a required one to phase A.
    let edited = playbook_dir(|name, text| {
        if name != "actions.toml" {
            return text.to_string();
        }
        text.replace(
            "Acknowledge the report and confirm the facts",
            "Call the reporter back",
        ) + "\n[[action]]\nid = \"a.open_ticket_in_itsm\"\nphase = \"A\"\nrole = \"it_lan_admin\"\nraci = \"responsible\"\nrequired = true\nname.ja = \"ITSMに登録\"\nname.en = \"Register in the ITSM\"\ndescription.ja = \"登録する\"\ndescription.en = \"Register it\"\nskills = [{ ja = \"ITSMの操作\", en = \"Using the ITSM\" }]\n"
    });
    let path = edited.path().to_str().unwrap().to_string();
    let app2 = app.restart_with(&[("HIKESHI_PLAYBOOKS_DIR", &path)]).await;
    let mut officer2 = app2.client();
    officer2.cookies = officer.cookies.clone();
    let after = incident(&mut officer2, &old).await;
    assert_eq!(after["playbook_hash"], before["playbook_hash"]);
    assert_eq!(
        after["tasks"], before["tasks"],
        "the open incident keeps its tasks"
    );

    let new = report(&mut officer2, "other").await;
    let fresh = incident(&mut officer2, &new).await;
    assert_ne!(fresh["playbook_hash"], before["playbook_hash"]);
    let names: Vec<&str> = fresh["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"]["en"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Call the reporter back") && names.contains(&"Register in the ITSM"),
        "{names:?}"
    );
}

#[test]
fn the_server_does_not_start_on_a_broken_playbook() {
    let dir = playbook_dir(|name, text| {
        if name == "roles.toml" {
            text.replacen("id = \"isp\"", "id = \"telco\"", 1)
        } else {
            text.to_string()
        }
    });
    let config = server::config::Config::from_lookup(|k| {
        (k == "HIKESHI_PLAYBOOKS_DIR").then(|| dir.path().to_str().unwrap().to_string())
    })
    .unwrap();
    let err = server::startup::load_model(&config).expect_err("refused");
    let text = err.to_string();
    assert!(
        text.contains("roles.toml:") && text.contains("unknown role id `telco`"),
        "{text}"
    );
}

async fn tasks_are_taken_by_their_role_and_comments_can_be_about_a_task(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut it = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let mut bu = app.signed_in("bu", &[Role::BuLanAdmin]).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let id = report(&mut it, "other").await;
    let i = incident(&mut officer, &id).await;
    let task = i["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["action_id"] == "a.confirm_receipt")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let bu_id = bu.me().await["id"].as_str().unwrap().to_string();
    // Not their role: neither taking nor being given.
    let r = bu
        .post(
            "/api/incidents/task/assign",
            &[("id", &id), ("task", &task), ("assignee", "me")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = officer
        .post(
            "/api/incidents/task/assign",
            &[("id", &id), ("task", &task), ("assignee", &bu_id)],
        )
        .await;
    assert_eq!(r.field_errors()[0].0, "assignee");
    // A holder of its role takes it.
    let r = it
        .post(
            "/api/incidents/task/assign",
            &[("id", &id), ("task", &task), ("assignee", "me")],
        )
        .await;
    assert_eq!(r.json(), done());
    let i = incident(&mut it, &id).await;
    let t = task_in(&i, &task);
    assert_eq!(t["assignee"], "suzuki (test)");
    assert_eq!(t["may_take"], false);
    let r = it
        .post(
            "/api/incidents/comment",
            &[
                ("id", &id),
                ("task", &task),
                ("text", "called the reporter"),
            ],
        )
        .await;
    assert_eq!(r.json(), done());
    let i = incident(&mut it, &id).await;
    let last = i["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["kind"].as_str(), last["task"].as_str()),
        (Some("comment"), Some("a.confirm_receipt"))
    );
    let tasks = it.post("/api/tasks/mine", &[]).await.json();
    assert!(
        tasks
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["task"] == task.as_str() && t["assigned_to_me"] == true)
    );
}

on_both_databases!(
    tasks_are_taken_by_their_role_and_comments_can_be_about_a_task,
    editing_the_playbooks_never_rewrites_open_incidents,
    a_full_walk_from_report_to_closure_by_the_right_roles,
    not_an_incident_closes_in_triage_and_watch_stays,
    only_the_officer_waives_and_tasks_belong_to_their_role,
    classification_assets_assignment_and_my_tasks,
    overdue_incidents_are_flagged_and_filtered,
    a_tampered_timeline_is_detected,
);
