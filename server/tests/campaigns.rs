//! Campaigns on SQLite and PostgreSQL: a proposal confirmed by the officer
//! (and refused to others), named and described, incidents added and taken
//! out (each an event on the incident's timeline), the campaign page built
//! from what the reader sees of each incident, and its STIX 2.1 export
//! validated by the OASIS validator, with nothing above the shared TLP.

mod common;

use axum::http::StatusCode;
use common::flow::{done, incident, report};
use common::stix::{read_back, validate};
use common::{Client, Db, TestApp};
use serde_json::Value;

use app::domain::Role;

async fn paste(c: &mut Client, id: &str, block: &str, tlp: &str) {
    let r = c
        .post(
            "/api/incidents/observable/paste",
            &[
                ("id", id),
                ("form[block]", block),
                ("form[tlp]", tlp),
                ("form[pap]", "green"),
                ("form[indicator]", "true"),
                ("form[sighted]", "true"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
}

fn kinds(i: &Value) -> Vec<String> {
    i["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

async fn a_campaign_is_confirmed_edited_and_exported(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let a = report(&mut reporter, "malware_infection").await;
    let b = report(&mut reporter, "malware_infection").await;
    let c = report(&mut reporter, "targeted_email").await;
    paste(
        &mut responder,
        &a,
        "c2.kasai[.]example\n44d88612fea8a8f36de82e1278abb02f\nT1566.001",
        "green",
    )
    .await;
    paste(
        &mut responder,
        &b,
        "hxxp://c2.kasai.example/gate\nc2.kasai.example\n44d88612fea8a8f36de82e1278abb02f",
        "amber",
    )
    .await;
    paste(&mut responder, &c, "unrelated.example", "green").await;

    // Proposed together; confirmed only by the officer.
    let proposals = responder.post("/api/intel/campaigns", &[]).await.json();
    let together: Vec<&str> = proposals[0]["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["human_id"].as_str().unwrap())
        .collect();
    assert_eq!(together, vec![a.as_str(), b.as_str()]);
    let members = format!("{a},{b}");
    let confirm = |name: &'static str, incidents: String| {
        vec![
            ("form[name]".to_string(), name.to_string()),
            ("incidents".to_string(), incidents),
        ]
    };
    let post = |c: &mut Client, form: Vec<(String, String)>| {
        let mut c = c.clone();
        async move {
            let f: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            c.post("/api/campaigns/confirm", &f).await
        }
    };
    let r = post(&mut responder, confirm("Operation Kasai", members.clone())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // Bad input: each field named, nothing created.
    let r = post(&mut officer, confirm("  ", members.clone())).await;
    assert_eq!(r.field_errors(), vec![("name".into(), "Required".into())]);
    let r = post(
        &mut officer,
        confirm("Operation Kasai", format!("{a}, INC-1999-9999")),
    )
    .await;
    assert_eq!(
        r.field_errors(),
        vec![("incidents".into(), "UnknownIncident".into())]
    );
    let r = post(&mut officer, confirm("Operation Kasai", " ,".into())).await;
    assert_eq!(
        r.field_errors(),
        vec![("incidents".into(), "Required".into())]
    );
    assert_eq!(app.count("campaigns").await, 0);
    assert_eq!(app.count("campaign_incidents").await, 0);
    let r = post(&mut officer, confirm("Operation Kasai", members.clone())).await;
    let id = r.json()["Done"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.text))
        .to_string();
    assert!(kinds(&incident(&mut responder, &a).await).contains(&"campaign_linked".to_string()));

    // The page: incidents, the values they share, one timeline.
    let page = responder
        .post("/api/campaigns/get", &[("id", &id)])
        .await
        .json();
    assert_eq!(page["campaign"]["name"], "Operation Kasai");
    assert_eq!(page["may_manage"], false);
    assert_eq!(page["incidents"].as_array().unwrap().len(), 2);
    let shared: Vec<&str> = page["shared"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["value"].as_str().unwrap())
        .collect();
    assert!(shared.contains(&"c2.kasai.example"), "{shared:?}");
    assert!(shared.contains(&"44d88612fea8a8f36de82e1278abb02f"));
    assert!(!shared.contains(&"unrelated.example"));
    assert_eq!(page["techniques_seen"], serde_json::json!(["T1566.001"]));
    let timeline = page["timeline"].as_array().unwrap();
    for inc in [&a, &b] {
        assert!(
            timeline
                .iter()
                .any(|e| e["human_id"] == inc.as_str() && e["event"]["kind"] == "reported"),
            "{inc} in the combined timeline"
        );
    }
    let listed = responder.post("/api/campaigns/list", &[]).await.json();
    assert_eq!(listed[0]["incidents"], 2);
    // Reporters see no campaign.
    assert_eq!(
        reporter
            .post("/api/campaigns/get", &[("id", &id)])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        reporter.post("/api/campaigns/list", &[]).await.status,
        StatusCode::FORBIDDEN
    );

    // Edited: actor, techniques, TLP; a bad TLP is named.
    let r = officer
        .post(
            "/api/campaigns/update",
            &[
                ("id", &id),
                ("form[name]", "Operation Kasai"),
                ("form[tlp]", "purple"),
            ],
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("tlp".into(), "InvalidChoice".into())]
    );
    let r = officer
        .post(
            "/api/campaigns/update",
            &[
                ("id", &id),
                ("form[name]", "Operation Kasai <script>"),
                ("form[threat_actor]", "APT-Hikeshi"),
                (
                    "form[techniques]",
                    "t1566.001\nT1071.001\nbeaconing over HTTPS",
                ),
                ("form[description]", "Phishing with a loader, C2 over HTTP."),
                ("form[tlp]", "green"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let r = responder
        .post("/api/campaigns/update", &[("id", &id), ("form[name]", "x")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // An incident added and taken out, both on its timeline.
    let r = officer
        .post("/api/campaigns/add", &[("id", &id), ("incidents", &c)])
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let page = officer
        .post("/api/campaigns/get", &[("id", &id)])
        .await
        .json();
    assert_eq!(page["incidents"].as_array().unwrap().len(), 3);
    assert_eq!(page["may_manage"], true);
    let r = officer
        .post("/api/campaigns/remove", &[("id", &id), ("incident", &c)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let ck = kinds(&incident(&mut responder, &c).await);
    assert!(
        ck.contains(&"campaign_linked".to_string())
            && ck.contains(&"campaign_unlinked".to_string())
    );
    let r = officer
        .post("/api/campaigns/remove", &[("id", &id), ("incident", &c)])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not in it any more");
    assert_eq!(app.count("campaign_incidents").await, 2);

    // The STIX export: valid, the campaign with its actor and techniques,
    // the indicators indicating it.
    let r = responder
        .fetch(&format!("/api/campaigns/{id}/stix?tlp=amber"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(validate(&r.text), "", "the validator finds nothing");
    let back = read_back(&r.text);
    let types: Vec<&str> = back["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o[0].as_str().unwrap())
        .collect();
    for t in [
        "campaign",
        "threat-actor",
        "attack-pattern",
        "indicator",
        "relationship",
        "identity",
    ] {
        assert!(types.contains(&t), "{t} in {types:?}");
    }
    let bundle = r.json();
    let objects = bundle["objects"].as_array().unwrap();
    let campaign = objects.iter().find(|o| o["type"] == "campaign").unwrap();
    assert_eq!(
        campaign["name"], "Operation Kasai <script>",
        "JSON carries it as text"
    );
    let rel = |kind: &str| {
        objects
            .iter()
            .filter(|o| o["relationship_type"] == kind)
            .count()
    };
    assert!(
        rel("indicates") >= 3,
        "every indicator indicates the campaign"
    );
    assert_eq!(rel("attributed-to"), 1);
    assert_eq!(rel("uses"), 3);
    // Re-export: the same objects (ids), not copies.
    let again = responder
        .fetch(&format!("/api/campaigns/{id}/stix?tlp=amber"))
        .await
        .json();
    let ids = |b: &Value| -> Vec<String> {
        let mut v: Vec<String> = b["objects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids(&bundle), ids(&again));
    // At TLP:CLEAR: the TLP:GREEN campaign goes without its name, the
    // TLP:GREEN and TLP:AMBER values not at all.
    let clear = responder
        .fetch(&format!("/api/campaigns/{id}/stix?tlp=clear"))
        .await;
    assert_eq!(validate(&clear.text), "");
    assert!(!clear.text.contains("Kasai"), "{}", clear.text);
    assert!(!clear.text.contains("APT-Hikeshi"));
    assert!(!clear.text.contains("44d88612fea8a8f36de82e1278abb02f"));
    assert_eq!(
        reporter
            .fetch(&format!("/api/campaigns/{id}/stix"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        responder
            .fetch("/api/campaigns/not-a-uuid/stix")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

on_both_databases!(a_campaign_is_confirmed_edited_and_exported);
