//! External parties as a test needs them: organisations recorded by the
//! administrator, their users created through the API, and an engagement
//! granted by the officer on an incident with two evidence items.

use chrono::{Duration, Utc};
use serde_json::Value;

use super::flow::{done, incident, report};
use super::upload::{Case, meta, triaged, upload};
use super::{Client, Db, PASSWORD};

pub struct Engaged {
    pub case: Case,
    pub admin: Client,
    pub vendor: Client,
    pub vendor_org: String,
    /// In the engagement's scope, and not.
    pub log_a: String,
    pub log_b: String,
    /// An incident of the same reporter that nobody engaged the vendor on.
    pub other_id: String,
}

pub async fn organisation(admin: &mut Client, name: &str, kind: &str) -> String {
    let r = admin
        .post(
            "/api/organisations/create",
            &[
                ("form[name_ja]", &format!("{name}株式会社")),
                ("form[name_en]", name),
                ("form[kind]", kind),
                ("form[contract_ref]", "Contract 2026-017"),
                ("form[contact]", "soc@vendor.example"),
            ],
        )
        .await;
    r.json()["Done"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.text))
        .to_string()
}

/// A user of `org` with `role`, created by the administrator, signed in.
pub async fn member(
    app: &super::TestApp,
    admin: &mut Client,
    username: &str,
    role: &str,
    org: &str,
) -> Client {
    let r = admin
        .post(
            "/api/users/create",
            &[
                ("form[username]", username),
                ("form[display_name]", &format!("{username} (outside)")),
                ("form[email]", &format!("{username}@vendor.example")),
                ("form[password]", PASSWORD),
                ("form[roles][]", role),
                ("form[organisation]", org),
            ],
        )
        .await;
    assert!(r.json()["Done"].is_string(), "{}", r.text);
    let mut c = app.client();
    c.sign_in(username, PASSWORD).await;
    c
}

pub fn in_days(days: i64) -> String {
    (Utc::now() + Duration::days(days))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

pub async fn engage(
    officer: &mut Client,
    id: &str,
    org: &str,
    extra: &[(&str, &str)],
) -> super::Response {
    let expires = in_days(7);
    let mut form = vec![
        ("id", id),
        ("form[organisation]", org),
        ("form[expires_at]", expires.as_str()),
        ("form[tz_offset]", "0"),
    ];
    form.extend_from_slice(extra);
    officer.post("/api/incidents/engage", &form).await
}

pub fn evidence_id(i: &Value, file: &str) -> String {
    i["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["file_name"] == file)
        .unwrap_or_else(|| panic!("no {file}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A vendor engaged on phase E with evidence item A only, no timeline.
pub async fn engaged(db: Db) -> Engaged {
    let mut case = triaged(db).await;
    let id = case.id.clone();
    for (name, content) in [
        ("squid-a.log", &b"GET http://c2.example/beacon"[..]),
        ("squid-b.log", b"GET http://intranet/"),
    ] {
        let r = upload(&mut case.responder, &id, &meta(&[]), name, content).await;
        assert!(
            r.status.is_success() || r.status.is_redirection(),
            "{} {}",
            r.status,
            r.text
        );
    }
    let i = incident(&mut case.responder, &id).await;
    let (log_a, log_b) = (
        evidence_id(&i, "squid-a.log"),
        evidence_id(&i, "squid-b.log"),
    );
    let mut admin = case.app.admin().await;
    let vendor_org = organisation(&mut admin, "Forensic Works", "forensics_vendor").await;
    let vendor = member(
        &case.app,
        &mut admin,
        "f.vendor",
        "external_specialist",
        &vendor_org,
    )
    .await;
    let r = engage(
        &mut case.officer,
        &id,
        &vendor_org,
        &[
            ("form[phases][]", "E"),
            ("form[evidence]", "on"),
            ("form[evidence_items][]", &log_a),
        ],
    )
    .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let other_id = report(&mut case.reporter, "malware_infection").await;
    Engaged {
        case,
        admin,
        vendor,
        vendor_org,
        log_a,
        log_b,
        other_id,
    }
}

/// The officer decides to respond now (phase B), so containment can start.
pub async fn respond_now(officer: &mut Client, id: &str) {
    let decide = [
        ("decision", "respond_now"),
        ("severity", "high"),
        ("reason", "beaconing confirmed"),
    ];
    let r = super::flow::command(officer, id, "decide", &decide).await;
    assert_eq!(r.json(), done(), "{}", r.text);
}

/// Adds assets; returns every asset of the incident, identifier → id.
pub async fn add_assets(
    c: &mut Client,
    id: &str,
    assets: &[(&str, &str)],
) -> std::collections::BTreeMap<String, String> {
    for (t, ident) in assets {
        let r = c
            .post(
                "/api/incidents/asset/add",
                &[("id", id), ("asset_type", t), ("identifier", ident)],
            )
            .await;
        assert_eq!(r.json(), done(), "{}", r.text);
    }
    incident(c, id).await["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["identifier"].as_str().unwrap().to_string(),
                a["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The responder proposes a measure and the officer approves it; returns
/// the measure's id.
pub async fn approved(
    responder: &mut Client,
    officer: &mut Client,
    id: &str,
    measure: &str,
    asset: &str,
) -> String {
    let r = responder
        .post(
            "/api/incidents/containment/propose",
            &[
                ("id", id),
                ("measure", measure),
                ("asset", asset),
                ("reason", "C2 traffic"),
                ("expected_effect", "No more C2 traffic"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let m = incident(officer, id).await["measures"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = officer
        .post(
            "/api/incidents/containment/step",
            &[
                ("id", id),
                ("measure", &m),
                ("step", "approve"),
                ("note", "approved"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    m
}
