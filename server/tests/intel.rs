//! The threat-intelligence store on SQLite and PostgreSQL: importing STIX
//! 2.1 bundles (indicators with validity, patterns read or kept as not
//! matched automatically), a malformed bundle refused whole with the object
//! and field named, re-import replacing, observables matched against the
//! indicators in force, and a bundle of our own export imported back.

mod common;

use axum::http::StatusCode;
use common::flow::{done, incident, report};
use common::{Client, Db, TestApp};
use serde_json::{Value, json};

use app::domain::Role;

fn indicator(n: u128, pattern: &str, name: &str, until: Option<&str>) -> Value {
    let mut i = json!({
        "type": "indicator",
        "spec_version": "2.1",
        "id": format!("indicator--{}", uuid::Uuid::from_u128(0x1000 + n)),
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "name": name,
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z"
    });
    if let Some(u) = until {
        i["valid_until"] = json!(u);
    }
    i
}

fn bundle(objects: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "type": "bundle",
        "id": "bundle--5b3f7c1e-8d2a-4f6b-9c0d-1e2f3a4b5c6d",
        "objects": objects
    }))
    .unwrap()
}

async fn import(c: &mut Client, source: &str, body: Vec<u8>) -> common::Response {
    c.post_body(
        &format!("/api/intel/import?source={source}"),
        "application/json",
        axum::body::Body::from(body),
    )
    .await
}

async fn indicators_from_a_bundle_mark_the_observables_they_name(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let feed = bundle(vec![
        json!({"type": "identity", "spec_version": "2.1", "id": "identity--0b8f5d3c-2a1e-4c6b-8d7f-9e0a1b2c3d4e", "name": "JPCERT/CC", "identity_class": "organization", "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z"}),
        indicator(
            1,
            "[domain-name:value = 'Update-Check.example.net']",
            "Loader C2",
            None,
        ),
        indicator(
            2,
            "[ipv4-addr:value = '198.51.100.7' OR ipv4-addr:value = '198.51.100.8']",
            "C2 addresses",
            None,
        ),
        indicator(3, "[process:pid = 4]", "Odd process", None),
        indicator(
            4,
            "[domain-name:value = 'old.example.org']",
            "Expired",
            Some("2026-02-01T00:00:00Z"),
        ),
    ]);
    // Only the officer imports; nothing of the body is read for others.
    let r = import(&mut responder, "feed", feed.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = import(&mut officer, "JPCERT%20feed", feed.clone()).await;
    assert_eq!(
        r.json(),
        json!({"Done": {"objects": 5, "indicators": 4, "automatic": 3, "replaced": 0}}),
        "{}",
        r.text
    );
    // The same ids again replace, they do not double.
    let r = import(&mut officer, "JPCERT%20feed", feed).await;
    assert_eq!(r.json()["Done"]["replaced"], 4);
    assert_eq!(app.count("intel_indicators").await, 4);
    let store = responder.post("/api/intel/list", &[]).await.json();
    assert_eq!(store["total"], 4);
    let odd = store["newest"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "Odd process")
        .unwrap();
    assert_eq!(odd["automatic"], false);
    assert!(!odd["unread"].as_str().unwrap().is_empty());
    assert_eq!(
        reporter.post("/api/intel/list", &[]).await.status,
        StatusCode::FORBIDDEN
    );

    let id = report(&mut reporter, "malware_infection").await;
    let r = responder
        .post(
            "/api/incidents/observable/paste",
            &[
                ("id", &id),
                (
                    "form[block]",
                    "hxxp://update-check[.]example[.]net/gate.php\nupdate-check.example.net\n198.51.100.8\nold.example.org",
                ),
                ("form[tlp]", "amber"),
                ("form[pap]", "amber"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let i = incident(&mut responder, &id).await;
    let list = i["observables"].as_array().unwrap();
    let known = |v: &str| -> Vec<String> {
        list.iter().find(|o| o["value"] == v).unwrap()["known"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| {
                format!(
                    "{} / {}",
                    k["name"].as_str().unwrap(),
                    k["source"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(
        known("update-check.example.net"),
        ["Loader C2 / JPCERT feed"]
    );
    assert_eq!(known("198.51.100.8"), ["C2 addresses / JPCERT feed"]);
    assert_eq!(known("old.example.org"), Vec::<String>::new(), "expired");
    // A URL is not its host: it matches only a URL indicator.
    assert_eq!(
        known("http://update-check.example.net/gate.php"),
        Vec::<String>::new()
    );
    let matched = i["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "observable_matched")
        .expect("a match with the store is on the timeline");
    assert!(
        matched["detail"]["indicators"]
            .as_str()
            .unwrap()
            .contains("Loader C2 (JPCERT feed)"),
        "{matched}"
    );
}

async fn a_malformed_bundle_is_refused_whole_naming_the_object_and_field(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let mut bad = indicator(7, "[domain-name:value = 'x.example']", "Bad date", None);
    bad["valid_from"] = json!("yesterday");
    let body = bundle(vec![
        indicator(6, "[domain-name:value = 'fine.example']", "Fine", None),
        bad,
    ]);
    let r = import(&mut officer, "feed", body).await;
    let errors = r.json()["Invalid"].clone();
    assert_eq!(errors[0]["field"], "bundle");
    assert_eq!(
        errors[0]["code"]["BadStix"],
        json!([
            format!("indicator--{}", uuid::Uuid::from_u128(0x1007)),
            "valid_from"
        ])
    );
    assert_eq!(
        app.count("intel_indicators").await,
        0,
        "nothing half imported"
    );
    for (body, field) in [
        (b"{not json".to_vec(), "bundle"),
        (br#"{"type":"report","objects":[]}"#.to_vec(), "bundle"),
        (
            bundle(vec![
                json!({"type": "indicator", "id": "indicator--x", "pattern": "[a:b = 'c']"}),
            ]),
            "indicator--x",
        ),
    ] {
        let r = import(&mut officer, "feed", body).await;
        assert_eq!(
            r.json()["Invalid"][0]["code"]["BadStix"][0],
            field,
            "{}",
            r.text
        );
    }
    assert_eq!(app.count("intel_indicators").await, 0);
}

async fn our_own_export_imports_back(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let id = report(&mut reporter, "targeted_email").await;
    let r = responder
        .post(
            "/api/incidents/observable/paste",
            &[
                ("id", &id),
                (
                    "form[block]",
                    "c2_domain: evil.example.com\n198.51.100.9\nd41d8cd98f00b204e9800998ecf8427e\nregistry_key: HKCU\\Run\\x",
                ),
                ("form[tlp]", "amber"),
                ("form[pap]", "amber"),
                ("form[indicator]", "true"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let exported = officer
        .get(&format!("/api/incidents/{id}/stix?tlp=amber"))
        .await;
    assert_eq!(exported.status, StatusCode::OK);
    let r = import(&mut officer, "own%20export", exported.bytes.clone()).await;
    let s = &r.json()["Done"];
    assert_eq!(s["indicators"], 4, "{}", r.text);
    // The registry key's pattern is outside the automatic subset.
    assert_eq!(s["automatic"], 3, "{}", r.text);
}

async fn sensors_pull_the_active_indicators_with_the_feed_token(db: Db) {
    const TOKEN: &str = "feed-token-for-tests-0123456789";
    let app = TestApp::spawn_with(
        db,
        &[("HIKESHI_FEED_TOKEN", TOKEN), ("HIKESHI_FEED_TLP", "amber")],
    )
    .await;
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let id = report(&mut reporter, "malware_infection").await;
    let paste = |block: &'static str, tlp: &'static str, indicator: bool| {
        let id = id.clone();
        let mut form = vec![
            ("id".to_string(), id),
            ("form[block]".to_string(), block.to_string()),
            ("form[tlp]".to_string(), tlp.to_string()),
            ("form[pap]".to_string(), "amber".to_string()),
        ];
        if indicator {
            form.push(("form[indicator]".into(), "true".into()));
        }
        form
    };
    for (block, tlp, indicator) in [
        (
            "c2_domain: evil.example.com\n198.51.100.7\nd41d8cd98f00b204e9800998ecf8427e",
            "amber",
            true,
        ),
        ("c2_domain: red-only.example", "red", true),
        ("c2_domain: just-seen.example", "amber", false),
        ("c2_domain: cdn.ours.example", "amber", true),
    ] {
        let form = paste(block, tlp, indicator);
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = responder
            .post("/api/incidents/observable/paste", &pairs)
            .await;
        assert_eq!(r.json(), done(), "{}", r.text);
    }
    let r = officer
        .post("/api/allowlist/add", &[("value", "ours.example")])
        .await;
    assert!(r.json()["Done"].is_string());
    let r = import(
        &mut officer,
        "feed",
        bundle(vec![indicator(
            9,
            "[ipv4-addr:value = '203.0.113.9']",
            "Feed C2",
            None,
        )]),
    )
    .await;
    assert_eq!(r.json()["Done"]["automatic"], 1, "{}", r.text);

    let mut sensor = app.client();
    let r = sensor.get(&format!("/feeds/rpz?token={TOKEN}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let zone = r.text;
    assert!(
        zone.contains("\nevil.example.com CNAME .\n*.evil.example.com CNAME .\n"),
        "{zone}"
    );
    assert!(
        zone.contains("\n32.7.100.51.198.rpz-ip CNAME .\n"),
        "{zone}"
    );
    assert!(
        zone.contains("\n32.9.113.0.203.rpz-ip CNAME .\n"),
        "the store's indicator: {zone}"
    );
    for absent in ["red-only.example", "just-seen.example", "cdn.ours.example"] {
        assert!(!zone.contains(absent), "{absent} in {zone}");
    }
    let r = sensor
        .get(&format!("/feeds/squid-domains.txt?token={TOKEN}"))
        .await;
    assert_eq!(
        r.text.lines().skip(1).collect::<Vec<_>>(),
        [".evil.example.com"]
    );
    let r = sensor
        .get(&format!("/feeds/indicators.csv?token={TOKEN}"))
        .await;
    assert!(
        r.text.contains("md5,d41d8cd98f00b204e9800998ecf8427e\n"),
        "{}",
        r.text
    );
    assert_eq!(r.headers["content-type"], "text/csv; charset=utf-8");
    // The token is required and must be exact; an unknown feed is not there.
    assert_eq!(
        sensor.get("/feeds/rpz").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sensor
            .get(&format!("/feeds/rpz?token={TOKEN}x"))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sensor
            .get(&format!("/feeds/secrets?token={TOKEN}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // A session is not a token.
    assert_eq!(
        officer.get("/feeds/rpz").await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn incidents_sharing_indicators_are_proposed_as_a_campaign(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let mut ids = Vec::new();
    for block in [
        "c2_domain: evil.example.com\nmail_subject: Invoice",
        "c2_domain: evil.example.com\nd41d8cd98f00b204e9800998ecf8427e",
        "d41d8cd98f00b204e9800998ecf8427e\ncdn.ours.example",
        "mail_subject: Invoice\ncdn.ours.example",
    ] {
        let id = report(&mut reporter, "targeted_email").await;
        let r = responder
            .post(
                "/api/incidents/observable/paste",
                &[
                    ("id", id.as_str()),
                    ("form[block]", block),
                    ("form[tlp]", "amber"),
                    ("form[pap]", "amber"),
                ],
            )
            .await;
        assert_eq!(r.json(), done(), "{}", r.text);
        ids.push(id);
    }
    // The fourth shares only a subject and an allow-listed CDN: too weak.
    let r = officer
        .post("/api/allowlist/add", &[("value", "ours.example")])
        .await;
    assert!(r.json()["Done"].is_string());
    let list = responder.post("/api/intel/campaigns", &[]).await.json();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let got: Vec<&str> = list[0]["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["human_id"].as_str().unwrap())
        .collect();
    assert_eq!(got, [ids[0].as_str(), ids[1].as_str(), ids[2].as_str()]);
    let shared: Vec<&str> = list[0]["shared"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s[0].as_str().unwrap())
        .collect();
    assert_eq!(
        shared[0], "d41d8cd98f00b204e9800998ecf8427e",
        "the heaviest first"
    );
    assert!(shared.contains(&"evil.example.com"));
    assert!(
        !shared.contains(&"cdn.ours.example"),
        "allow-listed values do not count"
    );
    assert_eq!(
        reporter.post("/api/intel/campaigns", &[]).await.status,
        StatusCode::FORBIDDEN
    );
}

/// The page's form: `source` and the `bundle` file as multipart, from a
/// browser (redirected back to the page) or another client (the answer).
async fn import_form(c: &mut Client, body: &[u8], browser: bool) -> common::Response {
    use common::upload::{BOUNDARY, part};
    let mut form = part("source", "Partner CERT").into_bytes();
    form.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"bundle\"; filename=\"feed.json\"\r\nContent-Type: application/json\r\n\r\n"
        )
        .as_bytes(),
    );
    form.extend_from_slice(body);
    form.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let cookies: Vec<String> = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut req = axum::http::Request::post("/api/intel/import")
        .header("host", common::HOST)
        .header("origin", format!("http://{}", common::HOST))
        .header("cookie", cookies.join("; "))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        );
    if browser {
        req = req.header("accept", "text/html");
    }
    c.send(req.body(axum::body::Body::from(form)).unwrap())
        .await
}

async fn the_import_form_works_from_the_browser(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let feed = bundle(vec![indicator(
        11,
        "[domain-name:value = 'form.example']",
        "From the form",
        None,
    )]);
    let r = import_form(&mut officer, &feed, true).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(r.headers["location"], "/intel?imported=1");
    let store = officer.post("/api/intel/list", &[]).await.json();
    assert_eq!(store["newest"][0]["source"], "Partner CERT");
    let r = import_form(&mut officer, b"{not json", true).await;
    assert_eq!(r.headers["location"], "/intel?import_error=1");
    let r = import_form(&mut officer, b"{not json", false).await;
    assert_eq!(r.json()["Invalid"][0]["code"]["BadStix"][0], "bundle");
    assert_eq!(app.count("intel_indicators").await, 1);
    // The page shows the store and the import form to the officer.
    let page = officer.get("/intel?imported=1").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("From the form"), "{}", page.text);
    assert!(page.text.contains("1 indicator(s) imported."));
    assert!(page.text.contains("action=\"/api/intel/import\""));
}

on_both_databases!(
    the_import_form_works_from_the_browser,
    incidents_sharing_indicators_are_proposed_as_a_campaign,
    sensors_pull_the_active_indicators_with_the_feed_token,
    indicators_from_a_bundle_mark_the_observables_they_name,
    a_malformed_bundle_is_refused_whole_naming_the_object_and_field,
    our_own_export_imports_back,
);
