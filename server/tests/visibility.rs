//! What each reader sees of an incident, compared by content, not only by
//! status: outside parties never learn who reported it, and every timeline
//! event passes the same scope as the thing it is about; reporters follow
//! their ticket, not the internal handling; things outside a scope answer
//! like things that do not exist; the unread badge counts only what the
//! reader may still open.

mod common;

use axum::http::StatusCode;
use serde_json::Value;

use common::Db;
use common::external::{engage, engaged};
use common::flow::{done, incident};
use common::upload::{meta, upload};

fn events(i: &Value) -> Vec<Value> {
    i["events"].as_array().cloned().unwrap_or_default()
}

async fn comment(c: &mut common::Client, id: &str, text: &str, audience: &str) {
    let mut form = vec![("id", id), ("text", text)];
    if !audience.is_empty() {
        form.push(("audience", audience));
    }
    let r = c.post("/api/incidents/comment", &form).await;
    assert_eq!(r.json(), done(), "{}", r.text);
}

async fn outside_parties_see_only_what_their_scope_covers(db: Db) {
    let mut e = engaged(db).await;
    let id = e.case.id.clone();
    // A second engagement adds the timeline to the vendor's scope.
    let r = engage(
        &mut e.case.officer,
        &id,
        &e.vendor_org,
        &[
            ("form[phases][]", "E"),
            ("form[evidence]", "on"),
            ("form[evidence_items][]", &e.log_a),
            ("form[timeline]", "on"),
        ],
    )
    .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    comment(
        &mut e.case.responder,
        &id,
        "internal: the CFO clicked it",
        "",
    )
    .await;
    comment(
        &mut e.case.officer,
        &id,
        "for the vendor: please image pc-0042",
        "parties",
    )
    .await;
    comment(
        &mut e.case.officer,
        &id,
        "for the reporter: thank you, keep the PC off",
        "reporter",
    )
    .await;
    comment(&mut e.case.reporter, &id, "reporter: it is off now", "").await;
    // The responder downloads the item outside the vendor's scope.
    let r = e
        .case
        .responder
        .fetch(&format!("/api/evidence/{}/download", e.log_b))
        .await;
    assert_eq!(r.status, StatusCode::OK);

    let handler = incident(&mut e.case.responder, &id).await;
    let log_b_sha = handler["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == e.log_b.as_str())
        .unwrap()["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let reporter_name = handler["reporter"].as_str().unwrap().to_string();
    assert!(!reporter_name.is_empty());
    let all = serde_json::to_string(&events(&handler)).unwrap();
    assert!(all.contains("internal: the CFO") && all.contains("squid-b.log"));

    // The vendor's page: the timeline is there, but nothing outside its scope.
    let r = e.vendor.post("/api/incidents/get", &[("id", &id)]).await;
    assert_eq!(r.status, StatusCode::OK);
    let seen = r.json();
    let text = r.text.clone();
    assert!(!events(&seen).is_empty(), "the timeline is in scope");
    for hidden in [
        reporter_name.as_str(),
        "tanaka",
        "soc@example.jp",
        "internal: the CFO",
        "for the reporter",
        "reporter: it is off now",
        "squid-b.log",
        log_b_sha.as_str(),
        e.log_b.as_str(),
    ] {
        assert!(!text.contains(hidden), "the vendor sees {hidden:?}: {text}");
    }
    assert!(text.contains("please image pc-0042"));
    assert!(
        events(&seen)
            .iter()
            .all(|ev| ev["kind"] != "reported" && ev["kind"] != "assigned")
    );
    // …and the list does not name the reporter either.
    let r = e.vendor.post("/api/incidents/list", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    let rows = r.json()["rows"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["reporter"], "");
    assert!(!r.text.contains(&reporter_name));

    // The reporter follows the ticket and the conversation meant for them.
    let mine = incident(&mut e.case.reporter, &id).await;
    let mine_events = events(&mine);
    let kinds: Vec<&str> = mine_events
        .iter()
        .map(|ev| ev["kind"].as_str().unwrap())
        .collect();
    let text = serde_json::to_string(&mine["events"]).unwrap();
    assert!(text.contains("for the reporter") && text.contains("reporter: it is off now"));
    for hidden in [
        "internal: the CFO",
        "please image",
        "squid-a.log",
        "Forensic Works",
    ] {
        assert!(!text.contains(hidden), "the reporter sees {hidden:?}");
    }
    assert!(
        kinds
            .iter()
            .all(|k| matches!(*k, "reported" | "taken_into_triage" | "comment")),
        "{kinds:?}"
    );
}

async fn an_item_limited_vendor_sees_what_it_uploaded(db: Db) {
    let mut e = engaged(db).await;
    let id = e.case.id.clone();
    let r = upload(
        &mut e.vendor,
        &id,
        &meta(&[]),
        "memory-analysis.txt",
        b"volatility pslist: evil.exe pid 4242",
    )
    .await;
    let mine = r.json()["Done"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.text))
        .to_string();
    let seen = incident(&mut e.vendor, &id).await;
    let names: Vec<&str> = seen["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["file_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["squid-a.log", "memory-analysis.txt"]);
    let r = e
        .vendor
        .fetch(&format!("/api/evidence/{mine}/download"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(&r.bytes[..], b"volatility pslist: evil.exe pid 4242");
}

async fn things_outside_the_scope_answer_like_missing_ones(db: Db) {
    let mut e = engaged(db).await;
    let id = e.case.id.clone();
    let handler = incident(&mut e.case.responder, &id).await;
    // A task of phase A: the vendor's scope is phase E.
    let task_a = handler["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["phase"] == "A")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let checklist = handler["checklist"][0]["id"].as_str().unwrap().to_string();
    let tries: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "/api/incidents/task",
            vec![
                ("id", &id),
                ("task", &task_a),
                ("status", "done"),
                ("note", ""),
            ],
        ),
        (
            "/api/incidents/comment",
            vec![("id", &id), ("task", &task_a), ("text", "hello")],
        ),
        (
            "/api/incidents/evidence/custody",
            vec![
                ("id", &id),
                ("evidence", &e.log_b),
                ("kind", "transferred"),
                ("from", "a"),
                ("to", "b"),
                ("reason", "c"),
            ],
        ),
        (
            "/api/incidents/checklist/waive",
            vec![("id", &id), ("item", &checklist), ("reason", "x")],
        ),
    ];
    for (path, form) in tries {
        let before = e.case.app.count("incident_events").await;
        let r = e.vendor.post(path, &form).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.text);
        assert_eq!(e.case.app.count("incident_events").await, before);
    }
    // In scope but not the vendor's to do: refused, not hidden.
    let r = e
        .vendor
        .post(
            "/api/incidents/evidence/custody",
            &[
                ("id", &id),
                ("evidence", &e.log_a),
                ("kind", "transferred"),
                ("from", "a"),
                ("to", "b"),
                ("reason", "c"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn the_unread_badge_counts_only_what_the_reader_still_sees(db: Db) {
    let mut e = engaged(db).await;
    let id = e.case.id.clone();
    let assets =
        common::external::add_assets(&mut e.case.responder, &id, &[("host", "pc-0042")]).await;
    common::external::respond_now(&mut e.case.officer, &id).await;
    let r = e
        .case
        .responder
        .post(
            "/api/incidents/containment/propose",
            &[
                ("id", &id),
                ("measure", "host.move_network"),
                ("asset", &assets["pc-0042"]),
                ("reason", "C2 traffic"),
                ("expected_effect", "No more C2 traffic"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let unread = |r: common::Response| r.json().as_u64().unwrap();
    let r = e.case.officer.post("/api/notifications/unread", &[]).await;
    assert_eq!(unread(r), 1);
    // The officer is moved to the reporter role: the incident is gone for
    // them, and so is its notification from the badge.
    let me = e.case.officer.me().await;
    let officer_id = me["id"].as_str().unwrap().to_string();
    let r = e
        .admin
        .post(
            "/api/users/roles",
            &[("user", &officer_id), ("roles[]", "reporter")],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let r = e.case.officer.post("/api/notifications/unread", &[]).await;
    assert_eq!(unread(r), 0);
    let r = e.case.officer.post("/api/notifications", &[]).await;
    assert_eq!(r.json().as_array().map(Vec::len), Some(0));
}

on_both_databases!(
    outside_parties_see_only_what_their_scope_covers,
    an_item_limited_vendor_sees_what_it_uploaded,
    things_outside_the_scope_answer_like_missing_ones,
    the_unread_badge_counts_only_what_the_reader_still_sees,
);
