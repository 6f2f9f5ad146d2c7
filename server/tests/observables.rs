//! Observables on SQLite and PostgreSQL: a pasted block with defanged
//! values and a bad line, the preview, matching across incidents with its
//! timeline event and notification, the allow-list, who may see and record
//! them, editing and removing, and the STIX 2.1 export checked by the OASIS
//! validator and read back with the OASIS `stix2` library.

mod common;

use common::stix::{read_back, validate};

use axum::http::StatusCode;
use common::flow::{done, incident, report};
use common::{Client, Db, TestApp};
use serde_json::Value;

use app::domain::Role;

async fn paste(c: &mut Client, id: &str, block: &str, extra: &[(&str, &str)]) -> common::Response {
    let mut form = vec![
        ("id", id),
        ("form[block]", block),
        ("form[tlp]", "amber"),
        ("form[pap]", "amber"),
    ];
    form.extend_from_slice(extra);
    c.post("/api/incidents/observable/paste", &form).await
}

fn observables(i: &Value) -> Vec<Value> {
    i["observables"].as_array().cloned().unwrap_or_default()
}

fn find<'a>(list: &'a [Value], value: &str) -> &'a Value {
    list.iter()
        .find(|o| o["value"] == value)
        .unwrap_or_else(|| panic!("{value} not in {list:?}"))
}

fn event_kinds(i: &Value) -> Vec<String> {
    i["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

async fn a_pasted_block_is_read_checked_and_recorded_whole(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let id = report(&mut reporter, "targeted_email").await;
    let block = "\
# from the proxy log
hxxp://update-check[.]example[.]net/gate.php
198.51.100[.]7
D41D8CD98F00B204E9800998ECF8427E
attacker[@]example.com
user_agent: Mozilla/4.0 (compatible; MSIE 7.0)
not a thing at all
c2_domain, bad..domain
";
    // The preview names every line; nothing is saved by it.
    let r = responder
        .post(
            "/api/incidents/observable/preview",
            &[("id", &id), ("block", block)],
        )
        .await;
    let lines = r.json();
    assert_eq!(lines.as_array().unwrap().len(), 7, "{lines}");
    assert_eq!(
        lines[0]["value"]["Ok"],
        "http://update-check.example.net/gate.php"
    );
    assert_eq!(lines[1]["kind"], "c2_ip");
    assert_eq!(lines[5]["line"], 7);
    assert_eq!(lines[5]["value"]["Err"], "UnknownObservableType");
    assert_eq!(app.count("observables").await, 0);

    // Saving refuses the whole block, each bad line named, keeping nothing.
    let r = paste(&mut responder, &id, block, &[]).await;
    let errors = r.json()["Invalid"].as_array().unwrap().clone();
    let lines: Vec<u64> = errors
        .iter()
        .map(|e| e["code"]["BadLine"][0].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [7, 8], "{errors:?}");
    assert!(errors.iter().all(|e| e["field"] == "block"));
    assert_eq!(app.count("observables").await, 0);

    let good: String = block
        .lines()
        .filter(|l| !l.starts_with("not a") && !l.starts_with("c2_domain, bad"))
        .collect::<Vec<_>>()
        .join("\n");
    let r = paste(&mut responder, &id, &good, &[("form[indicator]", "true")]).await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let i = incident(&mut responder, &id).await;
    let list = observables(&i);
    assert_eq!(list.len(), 5);
    assert_eq!(find(&list, "198.51.100.7")["kind"], "c2_ip");
    assert_eq!(
        find(&list, "d41d8cd98f00b204e9800998ecf8427e")["kind"],
        "md5"
    );
    assert_eq!(find(&list, "attacker@example.com")["indicator"], true);
    assert_eq!(
        find(&list, "Mozilla/4.0 (compatible; MSIE 7.0)")["kind"],
        "user_agent"
    );
    assert!(event_kinds(&i).contains(&"observables_added".to_string()));
    // Pasting again refreshes the records, it does not double them.
    let r = paste(&mut responder, &id, &good, &[]).await;
    assert_eq!(r.json(), done(), "{}", r.text);
    assert_eq!(app.count("observables").await, 5);
    let i = incident(&mut responder, &id).await;
    assert_eq!(
        find(&observables(&i), "attacker@example.com")["indicator"],
        false
    );

    // One at a time, with its fields checked in place.
    let r = responder
        .post(
            "/api/incidents/observable/add",
            &[
                ("id", &id),
                ("form[kind]", "c2_domain"),
                ("form[value]", "not a domain"),
                ("form[tlp]", "purple"),
                ("form[pap]", "green"),
            ],
        )
        .await;
    let fields: Vec<(String, String)> = r.field_errors();
    assert_eq!(
        fields,
        [
            ("value".to_string(), "InvalidObservable".to_string()),
            ("tlp".to_string(), "InvalidChoice".to_string())
        ]
    );
}

async fn a_shared_value_links_the_incidents_unless_allow_listed(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let first = report(&mut reporter, "targeted_email").await;
    let second = report(&mut reporter, "malware_infection").await;
    let r = paste(
        &mut responder,
        &first,
        "c2_domain: Evil.Example.COM\nmail.example.co.jp",
        &[],
    )
    .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    // The officer's own domain never correlates.
    let r = officer
        .post(
            "/api/allowlist/add",
            &[("value", "example[.]co[.]jp"), ("note", "ours")],
        )
        .await;
    assert!(r.json()["Done"].is_string(), "{}", r.text);
    let r = officer
        .post("/api/allowlist/add", &[("value", "example.co.jp")])
        .await;
    assert_eq!(
        r.field_errors(),
        [("value".to_string(), "AlreadyListed".to_string())]
    );
    let before = app.count("notifications").await;
    // The same domain defanged and in another role, and the allow-listed one.
    let r = paste(
        &mut responder,
        &second,
        "sender_host evil[.]example[.]com\nwww.example.co.jp",
        &[],
    )
    .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let i = incident(&mut officer, &second).await;
    let list = observables(&i);
    let evil = find(&list, "evil.example.com");
    assert_eq!(evil["kind"], "sender_host");
    assert_eq!(evil["also_in"][0]["human_id"], first.as_str());
    let ours = find(&list, "www.example.co.jp");
    assert_eq!(ours["allowlisted"], true);
    assert_eq!(ours["also_in"], serde_json::json!([]));
    assert!(event_kinds(&i).contains(&"observable_matched".to_string()));
    let matched = i["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "observable_matched")
        .unwrap();
    assert_eq!(matched["detail"]["incidents"], first.as_str());
    assert_eq!(matched["detail"]["values"], "evil.example.com");
    // The officer is told (the responder made the change).
    assert_eq!(app.count("notifications").await, before + 1);
    let n = officer.post("/api/notifications", &[]).await.json();
    assert_eq!(n[0]["kind"], "observable_matched");
    assert_eq!(n[0]["human_id"], second.as_str());
    // And the first incident shows the second.
    let i = incident(&mut officer, &first).await;
    assert_eq!(
        find(&observables(&i), "evil.example.com")["also_in"][0]["human_id"],
        second.as_str()
    );
    // The reporter sees no observables, and records none.
    let mine = incident(&mut reporter, &first).await;
    assert_eq!(observables(&mine), Vec::<Value>::new());
    assert_eq!(mine["may_observe"], false);
    let r = paste(&mut reporter, &first, "evil.example.com", &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    // The allow-list is the officer's.
    let r = responder.post("/api/allowlist", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let list = officer.post("/api/allowlist", &[]).await.json();
    assert_eq!(list[0]["value"], "example.co.jp");
    let entry = list[0]["id"].as_str().unwrap().to_string();
    let r = officer
        .post("/api/allowlist/remove", &[("entry", &entry)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let i = incident(&mut officer, &second).await;
    let list = observables(&i);
    assert_eq!(find(&list, "www.example.co.jp")["allowlisted"], false);
}

async fn observables_are_changed_and_removed_on_the_record(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let id = report(&mut reporter, "targeted_email").await;
    let r = paste(&mut responder, &id, "CVE-2017-0199\nT1566.001", &[]).await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let list = observables(&incident(&mut responder, &id).await);
    let cve = find(&list, "CVE-2017-0199")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let technique = find(&list, "T1566.001")["id"].as_str().unwrap().to_string();
    let r = responder
        .post(
            "/api/incidents/observable/edit",
            &[
                ("id", &id),
                ("observable", &cve),
                ("tlp", "green"),
                ("pap", "clear"),
                ("sighted", "true"),
                ("note", "the RTF exploit of the attachment"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let r = responder
        .post(
            "/api/incidents/observable/remove",
            &[("id", &id), ("observable", &technique)],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    // Another incident's observable is not there for this one.
    let other = report(&mut reporter, "other").await;
    let r = responder
        .post(
            "/api/incidents/observable/remove",
            &[("id", &other), ("observable", &cve)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let i = incident(&mut responder, &id).await;
    let list = observables(&i);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["tlp"], "green");
    assert_eq!(list[0]["sighted"], true);
    assert_eq!(list[0]["note"], "the RTF exploit of the attachment");
    let kinds = event_kinds(&i);
    assert!(kinds.contains(&"observable_edited".to_string()));
    assert!(kinds.contains(&"observable_removed".to_string()));
}

async fn the_stix_export_validates_and_shares_nothing_above_its_tlp(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let id = report(&mut reporter, "targeted_email").await;
    let block = "\
c2_domain: evil.example.com
198.51.100.7
2001:db8::7
hxxps://evil.example.com/gate.php?id=1
attacker@example.com
d41d8cd98f00b204e9800998ecf8427e
da39a3ee5e6b4b0d3255bfef95601890afd80709
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
file_name: 【マル秘】顧客情報！.exe
dropped_file: C:\\Users\\Public\\svchost.exe
registry_key: HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\updater
process: rundll32.exe C:\\Users\\Public\\a.dll,Start
mail_subject: 【至急】請求書の件
attachment_type: application/x-msdownload
user_agent: Mozilla/4.0 (compatible; MSIE 7.0)
protocol_feature: X-Session: 0xdeadbeef
CVE-2017-0199
T1566.001
";
    let r = paste(
        &mut responder,
        &id,
        block,
        &[("form[indicator]", "true"), ("form[sighted]", "true")],
    )
    .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let r = paste(&mut responder, &id, "c2_domain: secret-c2.example", &[]).await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let secret = find(
        &observables(&incident(&mut responder, &id).await),
        "secret-c2.example",
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = responder
        .post(
            "/api/incidents/observable/edit",
            &[
                ("id", &id),
                ("observable", &secret),
                ("tlp", "red"),
                ("pap", "red"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);

    let r = responder
        .get(&format!("/api/incidents/{id}/stix?tlp=amber"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.headers["content-type"],
        "application/stix+json;version=2.1"
    );
    let problems = validate(&r.text);
    assert!(problems.is_empty(), "{problems}\n{}", r.text);
    assert!(!r.text.contains("secret-c2.example"), "TLP:RED stays home");
    let bundle: Value = serde_json::from_str(&r.text).unwrap();
    let types: Vec<&str> = bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["type"].as_str().unwrap())
        .collect();
    for t in [
        "marking-definition",
        "identity",
        "domain-name",
        "ipv4-addr",
        "ipv6-addr",
        "url",
        "email-addr",
        "file",
        "directory",
        "windows-registry-key",
        "process",
        "email-message",
        "indicator",
        "observed-data",
        "sighting",
        "vulnerability",
        "attack-pattern",
        "note",
        "grouping",
    ] {
        assert!(types.contains(&t), "{t} missing in {types:?}");
    }
    // The OASIS library reads it, and computes the same SCO ids.
    let back = read_back(&r.text);
    assert_eq!(
        back["objects"].as_array().unwrap().len(),
        types.len(),
        "{back}"
    );
    for (ours, theirs) in back["computed"].as_object().unwrap() {
        assert_eq!(ours, theirs.as_str().unwrap());
    }
    // A second export is the same objects.
    let again: Value = serde_json::from_str(
        &responder
            .get(&format!("/api/incidents/{id}/stix?tlp=amber"))
            .await
            .text,
    )
    .unwrap();
    let ids = |b: &Value| -> Vec<String> {
        b["objects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&bundle), ids(&again));
    // A selection: only the observables ticked.
    let i = incident(&mut responder, &id).await;
    let picked = i["observables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["value"] == "evil.example.com")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let one = responder
        .get(&format!(
            "/api/incidents/{id}/stix?tlp=amber&observable={picked}"
        ))
        .await;
    assert_eq!(validate(&one.text), "");
    assert!(one.text.contains("evil.example.com"));
    assert!(
        !one.text.contains("198.51.100"),
        "the others stay out: {}",
        one.text
    );
    let r = responder
        .get(&format!("/api/incidents/{id}/stix?observable=not-an-id"))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // TLP:CLEAR shares nothing marked AMBER, and leaves the title out.
    let clear: Value = serde_json::from_str(
        &responder
            .get(&format!("/api/incidents/{id}/stix?tlp=clear"))
            .await
            .text,
    )
    .unwrap();
    assert!(!clear.to_string().contains("evil.example.com"));
    assert!(!clear.to_string().contains("Beaconing"), "{clear}");
    assert_eq!(
        responder
            .get(&format!("/api/incidents/{id}/stix?tlp=purple"))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    // The reporter exports nothing.
    assert_eq!(
        reporter
            .get(&format!("/api/incidents/{id}/stix"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

on_both_databases!(
    a_pasted_block_is_read_checked_and_recorded_whole,
    a_shared_value_links_the_incidents_unless_allow_listed,
    observables_are_changed_and_removed_on_the_record,
    the_stix_export_validates_and_shares_nothing_above_its_tlp,
);
