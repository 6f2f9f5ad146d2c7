//! Evidence on SQLite and PostgreSQL: the checklist generated at triage with
//! its deadlines, uploads streamed and hashed (checked against `sha256sum`),
//! the same content stored once, tampering caught by verification, custody
//! events for downloads, downloads refused to those who may not have them,
//! malware samples only deliberately, and a bundle `sha256sum -c` accepts.

mod common;

use axum::http::StatusCode;
use common::flow::{done, incident};
use common::upload::{meta, triaged, upload};
use common::{Db, TestApp};
use serde_json::Value;

use app::domain::Role;

fn checklist(i: &Value) -> Vec<Value> {
    i["checklist"].as_array().unwrap().clone()
}

fn item<'a>(list: &'a [Value], source: &str) -> &'a Value {
    list.iter()
        .find(|c| c["source"] == source)
        .unwrap_or_else(|| panic!("no {source} in {list:?}"))
}

async fn the_checklist_follows_kind_and_assets_with_deadlines(db: Db) {
    let mut c = triaged(db).await;
    let i = incident(&mut c.responder, &c.id).await;
    let list = checklist(&i);
    // Targeted e-mail needs the mail, proxy and DNS logs (mail is not
    // declared here); the directory only once an account is affected.
    let sources: Vec<&str> = list.iter().map(|x| x["source"].as_str().unwrap()).collect();
    assert_eq!(sources.len(), 2, "{sources:?}");
    let proxy = item(&list, "proxy");
    assert_eq!(proxy["system"], "squid01");
    // Noticed 2026-01-05 09:30 (UTC: the helper sends no offset), minus
    // seed 001's average dwell time (356 days), plus the 90 days kept.
    assert_eq!(proxy["window_start"], "2025-01-14T09:30:00Z");
    assert_eq!(proxy["deadline"], "2025-04-14T09:30:00Z");
    assert_eq!(proxy["urgency"], "Lost", "that date has passed");
    assert_eq!(proxy["default_on"], false);
    // 90 days kept against the year recommended: the page warns.
    assert_eq!(proxy["retention_days"], 90);
    assert_eq!(proxy["recommended"]["min_days"], 365);
    let dns = item(&list, "dns");
    assert_eq!(dns["deadline"], "2026-01-14T09:30:00Z");
    assert_eq!(
        dns["recommended"],
        serde_json::json!({"min_days": 365, "max_days": 730})
    );

    // The reporter sees none of it.
    let mine = incident(&mut c.reporter, &c.id).await;
    assert!(checklist(&mine).is_empty() && mine["evidence"].as_array().unwrap().is_empty());

    let r = c
        .responder
        .post(
            "/api/incidents/asset/add",
            &[
                ("id", &c.id),
                ("asset_type", "account"),
                ("identifier", "k.tanaka"),
            ],
        )
        .await;
    assert_eq!(r.json(), done());
    let list = checklist(&incident(&mut c.responder, &c.id).await);
    assert_eq!(list.len(), 3);
    assert_eq!(item(&list, "directory")["system"], "dc01");
    assert!(list.iter().all(|x| x["importance"].is_null()));
    // With a suspected attacker type, the logs that matter most against it
    // come first (seed 001: against cyber crime, proxy very high, DNS high,
    // directory medium).
    let r = c
        .responder
        .post(
            "/api/incidents/classify",
            &[("id", &c.id), ("tlp", "amber"), ("attacker", "crime")],
        )
        .await;
    assert_eq!(r.json(), done());
    let list = checklist(&incident(&mut c.responder, &c.id).await);
    let order: Vec<(&str, &str)> = list
        .iter()
        .map(|x| {
            (
                x["source"].as_str().unwrap(),
                x["importance"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            ("proxy", "very_high"),
            ("dns", "high"),
            ("directory", "medium")
        ]
    );
    // Adding another asset adds nothing twice.
    c.responder
        .post(
            "/api/incidents/asset/add",
            &[
                ("id", &c.id),
                ("asset_type", "account"),
                ("identifier", "admin2"),
            ],
        )
        .await;
    assert_eq!(checklist(&incident(&mut c.responder, &c.id).await).len(), 3);

    // Waiving is the officer's, with a reason.
    let dir = item(&list, "directory")["id"].as_str().unwrap().to_string();
    let r = c
        .responder
        .post(
            "/api/incidents/checklist/waive",
            &[("id", &c.id), ("item", &dir), ("reason", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c
        .officer
        .post(
            "/api/incidents/checklist/waive",
            &[("id", &c.id), ("item", &dir), ("reason", " ")],
        )
        .await;
    assert_eq!(r.field_errors()[0].0, "reason");
    let r = c
        .officer
        .post(
            "/api/incidents/checklist/waive",
            &[
                ("id", &c.id),
                ("item", &dir),
                ("reason", "audit policy was off: no logs exist"),
            ],
        )
        .await;
    assert_eq!(r.json(), done());
    let list = checklist(&incident(&mut c.officer, &c.id).await);
    assert_eq!(item(&list, "directory")["status"], "waived");
    assert_eq!(item(&list, "directory")["urgency"], "Settled");
}

fn sha256sum(path: &std::path::Path) -> String {
    let out = std::process::Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum");
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

fn stored_files(app: &TestApp) -> usize {
    let root = app.config.evidence_dir.join("sha256");
    let Ok(dirs) = std::fs::read_dir(&root) else {
        return 0;
    };
    dirs.flatten()
        .map(|d| std::fs::read_dir(d.path()).map(|f| f.count()).unwrap_or(0))
        .sum()
}

async fn uploads_are_hashed_stored_once_and_tampering_is_caught(db: Db) {
    let mut c = triaged(db).await;
    let id = c.id.clone();
    let proxy = item(&checklist(&incident(&mut c.responder, &id).await), "proxy")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let content: Vec<u8> = (0..200_000u32)
        .flat_map(|n| format!("{n} GET http://203.0.113.7/beacon\n").into_bytes())
        .collect();
    let src = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(src.path(), &content).unwrap();
    let expected = sha256sum(src.path());

    // Bad input: every field named, nothing stored.
    let r = upload(
        &mut c.responder,
        &id,
        &[("kind", "poem")],
        "access.log",
        &content,
    )
    .await;
    let fields: Vec<String> = r.field_errors().into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        ["kind", "description", "acquired_how", "acquired_at"]
    );
    assert_eq!(stored_files(&c.app), 0);
    assert_eq!(c.app.count("evidence").await, 0);

    let r = upload(
        &mut c.responder,
        &id,
        &meta(&[("checklist_item", &proxy)]),
        "access.log",
        &content,
    )
    .await;
    assert!(r.json()["Done"].is_string(), "{}", r.text);
    let i = incident(&mut c.responder, &id).await;
    let e = &i["evidence"][0];
    assert_eq!(e["sha256"], expected.as_str(), "the hash is sha256sum's");
    assert_eq!(e["size"], content.len());
    assert_eq!(e["acquired_at"], "2026-01-06T01:00:00Z", "10:00 in Tokyo");
    assert_eq!(e["integrity"], "intact");
    let kinds: Vec<&str> = e["custody"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["acquired", "uploaded"]);
    assert_eq!(item(&checklist(&i), "proxy")["status"], "fulfilled");
    assert_eq!(item(&checklist(&i), "proxy")["evidence_name"], "access.log");
    assert_eq!(
        sha256sum(&c.app.state.hikeshi.evidence.path(&expected)),
        expected
    );

    // The same content again: a second record, one file.
    let r = upload(
        &mut c.responder,
        &id,
        &meta(&[]),
        "copy-of-access.log",
        &content,
    )
    .await;
    assert!(r.json()["Done"].is_string(), "{}", r.text);
    assert_eq!(c.app.count("evidence").await, 2);
    assert_eq!(stored_files(&c.app), 1);

    // Tampering on disk is caught by verification and raises the alarm.
    let first = e["id"].as_str().unwrap().to_string();
    let r = c
        .responder
        .post(
            "/api/incidents/evidence/verify",
            &[("id", &id), ("evidence", &first)],
        )
        .await;
    assert_eq!(r.json(), done());
    let mut bytes = content.clone();
    bytes[10] ^= 1;
    std::fs::write(c.app.state.hikeshi.evidence.path(&expected), &bytes).unwrap();
    let r = c
        .responder
        .post(
            "/api/incidents/evidence/verify",
            &[("id", &id), ("evidence", &first)],
        )
        .await;
    assert_eq!(r.json(), done());
    let i = incident(&mut c.officer, &id).await;
    let e = &i["evidence"][0];
    assert_eq!(e["integrity"], "mismatch");
    let last = e["custody"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "verified");
    assert!(
        last["detail"].as_str().unwrap().starts_with("MISMATCH"),
        "{last}"
    );
    let kinds: Vec<&str> = i["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"evidence_mismatch"));
    // The command-line check finds it too.
    let (checked, bad) = server::services::evidence::verify_all(
        &c.app.state.hikeshi.db,
        &c.app.state.hikeshi.evidence,
    )
    .await
    .unwrap();
    assert_eq!(checked, 2);
    assert_eq!(bad.len(), 2, "both records share the tampered file");
}

async fn downloads_are_custody_events_and_refused_to_others(db: Db) {
    let mut c = triaged(db).await;
    let id = c.id.clone();
    let content = b"2026-01-05 09:29:58 pc-0042 -> 203.0.113.7:443\n".repeat(1000);
    let r = upload(&mut c.responder, &id, &meta(&[]), "fw.log", &content).await;
    let ev = r.json()["Done"].as_str().unwrap().to_string();
    let path = format!("/api/evidence/{ev}/download");

    let r = c.officer.fetch(&format!("{path}?reason=forged")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.bytes, content);
    assert!(
        r.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("fw.log")
    );
    let i = incident(&mut c.officer, &id).await;
    let last = i["evidence"][0]["custody"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"], "downloaded");
    assert_eq!(last["actor"], "sato (test)");
    // The address says nothing in the chain of custody.
    assert_eq!(last["reason"], "");

    // The reporter sees the incident but not its evidence; an outsider sees
    // nothing; nobody signed in, nothing.
    let before = c.app.count("custody_events").await;
    assert_eq!(c.reporter.fetch(&path).await.status, StatusCode::FORBIDDEN);
    let mut vendor = c.app.signed_in("vendor", &[Role::ExternalSpecialist]).await;
    assert_eq!(vendor.fetch(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        c.app.client().fetch(&path).await.status,
        StatusCode::UNAUTHORIZED
    );
    let missing = format!("/api/evidence/{}/download", uuid::Uuid::nil());
    assert_eq!(vendor.fetch(&missing).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        c.app.count("custody_events").await,
        before,
        "refusals record nothing"
    );
    let r = upload(&mut c.reporter, &id, &meta(&[]), "x.log", b"x").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // A malware sample: only deliberately, and as a zip with the password.
    let sample = b"MZ\x90\x00 this would be a dropper EICAR-STANDARD-ANTIVIRUS-TEST-FILE";
    let r = upload(
        &mut c.responder,
        &id,
        &meta(&[("kind", "malware_sample")]),
        "invoice.exe",
        sample,
    )
    .await;
    let s = r.json()["Done"].as_str().unwrap().to_string();
    let spath = format!("/api/evidence/{s}/download");
    assert_eq!(c.officer.fetch(&spath).await.status, StatusCode::CONFLICT);
    // Probing a sample's id tells an outsider nothing, deliberate or not.
    assert_eq!(vendor.fetch(&spath).await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.reporter.fetch(&spath).await.status, StatusCode::FORBIDDEN);
    let r = c.officer.fetch(&format!("{spath}?deliberate=1")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(&r.bytes[..2], b"PK");
    assert!(
        !r.bytes.windows(20).any(|w| w == &sample[4..24]),
        "the sample is encrypted inside"
    );
    let out = tempfile::tempdir().unwrap();
    let zip = out.path().join("s.zip");
    std::fs::write(&zip, &r.bytes).unwrap();
    let ok = std::process::Command::new("python3")
        .args(["-c", "import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); sys.stdout.buffer.write(z.read('invoice.exe', pwd=b'infected'))"])
        .arg(&zip)
        .output()
        .unwrap();
    assert_eq!(ok.stdout, sample, "{}", String::from_utf8_lossy(&ok.stderr));

    // The bundle: every item and a manifest that sha256sum -c accepts.
    let r = c
        .officer
        .fetch(&format!("/api/incidents/{id}/evidence-bundle"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let bundle = out.path().join("bundle.zip");
    std::fs::write(&bundle, &r.bytes).unwrap();
    let dir = out.path().join("bundle");
    let unzip = std::process::Command::new("python3")
        .args(["-c", "import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); z.setpassword(b'infected'); z.extractall(sys.argv[2])"])
        .arg(&bundle)
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        unzip.status.success(),
        "{}",
        String::from_utf8_lossy(&unzip.stderr)
    );
    let check = std::process::Command::new("sha256sum")
        .args(["-c", "SHA256SUMS"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert_eq!(
        String::from_utf8_lossy(&check.stdout)
            .matches(": OK")
            .count(),
        2
    );
    let report = c
        .officer
        .fetch(&format!("/api/incidents/{id}/custody-report"))
        .await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.text.contains(&format!("Chain of custody — {id}")));
    assert!(report.text.contains("downloaded") && report.text.contains("fw.log"));
    assert_eq!(
        c.reporter
            .fetch(&format!("/api/incidents/{id}/evidence-bundle"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

on_both_databases!(
    the_checklist_follows_kind_and_assets_with_deadlines,
    uploads_are_hashed_stored_once_and_tampering_is_caught,
    downloads_are_custody_events_and_refused_to_others,
);
