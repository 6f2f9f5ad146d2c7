//! Content-addressed evidence files are shared by every item with the same
//! content, so a refused upload must never remove a file another upload has
//! just recorded an item against. Files nobody refers to go only through the
//! sweep, after a grace period.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use sha2::{Digest, Sha256};

use common::Db;
use common::flow::{command, done, finish_required, report};
use common::upload::{meta, triaged, upload};
use server::services::evidence::{Swept, sweep};

fn sha256(content: &[u8]) -> String {
    server::evidence_store::hex(&Sha256::digest(content))
}

/// Reports a second incident and closes it ("not an incident"): uploads to
/// it are refused.
async fn closed_incident(c: &mut common::upload::Case) -> String {
    let id = report(&mut c.reporter, "targeted_email").await;
    finish_required(&mut c.officer, &id).await;
    assert_eq!(
        command(&mut c.responder, &id, "take_into_triage", &[])
            .await
            .json(),
        done()
    );
    let no = [
        ("decision", "not_an_incident"),
        ("severity", "low"),
        ("reason", "backup job, known traffic"),
    ];
    assert_eq!(
        command(&mut c.officer, &id, "decide", &no).await.json(),
        done()
    );
    id
}

async fn a_refused_upload_never_removes_the_file_an_accepted_one_recorded(db: Db) {
    let mut c = triaged(db).await;
    let open = c.id.clone();
    let closed = closed_incident(&mut c).await;
    let fields = meta(&[]);
    for round in 0..12 {
        let content = format!("round {round}: 2026-01-05 09:29:58 pc-0042 beacon\n").repeat(4000);
        let content = content.as_bytes();
        let (accepted, refused) = tokio::join!(
            upload(&mut c.responder, &open, &fields, "proxy.log", content),
            upload(&mut c.officer, &closed, &fields, "proxy.log", content),
        );
        assert!(accepted.json()["Done"].is_string(), "{}", accepted.text);
        assert!(refused.json()["Invalid"].is_array(), "{}", refused.text);
        let path = c.app.state.hikeshi.evidence.path(&sha256(content));
        let on_disk = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("round {round}: the accepted item's file is gone: {e}"));
        assert_eq!(sha256(&on_disk), sha256(content), "round {round}");
    }
    // The sweep keeps every file an item refers to, even with no grace.
    let h = &c.app.state.hikeshi;
    let swept = sweep(&h.db, &h.evidence, Duration::ZERO).await.unwrap();
    assert_eq!(swept.files, 0);
    for round in 0..12 {
        let content = format!("round {round}: 2026-01-05 09:29:58 pc-0042 beacon\n").repeat(4000);
        assert!(h.evidence.path(&sha256(content.as_bytes())).exists());
    }
}

async fn the_sweep_removes_only_unreferenced_files_past_the_grace_period(db: Db) {
    let mut c = triaged(db).await;
    let closed = closed_incident(&mut c).await;
    let orphan = b"uploaded against a closed incident\n".repeat(100);
    let r = upload(&mut c.officer, &closed, &meta(&[]), "late.log", &orphan).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json()["Invalid"].is_array(), "{}", r.text);
    let h = &c.app.state.hikeshi;
    let path = h.evidence.path(&sha256(&orphan));
    assert!(
        path.exists(),
        "a refused upload leaves its file to the sweep"
    );

    // Younger than the grace period: kept.
    let swept = sweep(&h.db, &h.evidence, Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(swept, Swept::default());
    assert!(path.exists());

    // Interrupted uploads leave temporary files; old ones go too.
    let tmp = h.evidence.tmp_dir().join("interrupted-upload");
    std::fs::write(&tmp, b"half").unwrap();
    let swept = sweep(&h.db, &h.evidence, Duration::ZERO).await.unwrap();
    assert_eq!(
        swept,
        Swept {
            files: 1,
            temporary: 1
        }
    );
    assert!(!path.exists() && !tmp.exists());
}

async fn nothing_of_an_upload_is_read_for_someone_who_may_not_upload(db: Db) {
    let mut c = triaged(db).await;
    let id = c.id.clone();
    let before = c.app.count("evidence").await;
    // The reporter sees the incident but may not upload: refused before the
    // parts are read, not after a megabyte of them.
    let big = "x".repeat(1 << 20);
    let r = upload(
        &mut c.reporter,
        &id,
        &meta(&[("description", &big)]),
        "a.log",
        b"data",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    // A handler's parts are each capped, a part we do not know included.
    let r = upload(
        &mut c.responder,
        &id,
        &meta(&[("junk", &big)]),
        "a.log",
        b"data",
    )
    .await;
    assert_eq!(
        r.json()["Invalid"][0]["field"],
        "junk",
        "an oversized part is a field error: {}",
        r.text
    );
    let r = upload(
        &mut c.responder,
        &id,
        &[("description", big.as_str())],
        "a.log",
        b"data",
    )
    .await;
    assert_eq!(r.json()["Invalid"][0]["field"], "description", "{}", r.text);
    assert_eq!(c.app.count("evidence").await, before);
    // A body the parser cannot read is the client's mistake, named generally.
    let r = c
        .responder
        .post_body(
            &format!("/api/incidents/{id}/evidence"),
            "multipart/form-data; boundary=nope",
            axum::body::Body::from("--nope\r\nContent-Disposition: garbage\r\n\r\n"),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(!r.text.to_lowercase().contains("multer"), "{}", r.text);
}

async fn downloads_started_elsewhere_write_no_custody(db: Db) {
    let mut c = triaged(db).await;
    let id = c.id.clone();
    let r = upload(
        &mut c.responder,
        &id,
        &meta(&[]),
        "fw.log",
        b"deny 10.0.0.1",
    )
    .await;
    let ev = r.json()["Done"].as_str().unwrap().to_string();
    let path = format!("/api/evidence/{ev}/download?reason=attacker%20chose%20this");
    let before = c.app.count("custody_events").await;
    for site in ["cross-site", "same-site"] {
        let r = c
            .officer
            .fetch_with(&path, &[("sec-fetch-site", site)])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{site}");
    }
    assert_eq!(c.app.count("custody_events").await, before);
    let r = c.officer.fetch(&path).await;
    assert_eq!(r.status, StatusCode::OK);
    let i = common::flow::incident(&mut c.officer, &id).await;
    let text = serde_json::to_string(&i["evidence"]).unwrap();
    assert!(!text.contains("attacker chose"), "{text}");
}

async fn typed_text_cannot_forge_lines_of_the_custody_report(db: Db) {
    let mut c = triaged(db).await;
    let id = c.id.clone();
    let forged = "copied\n  9. 2026-01-01T00:00:00+00:00 disposed by admin from [x] to [y] reason [z]\n## 2. fake.bin";
    let r = upload(
        &mut c.responder,
        &id,
        &meta(&[("acquired_how", forged)]),
        "fw.log",
        b"deny 10.0.0.1",
    )
    .await;
    let ev = r.json()["Done"].as_str().unwrap().to_string();
    let r = c
        .responder
        .post(
            "/api/incidents/evidence/custody",
            &[
                ("id", &id),
                ("evidence", &ev),
                ("kind", "transferred"),
                ("from", "Suzuki"),
                ("to", "[Vendor](http://evil.example)"),
                ("reason", "analysis\r\n  8. forged"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let report = c
        .officer
        .fetch(&format!("/api/incidents/{id}/custody-report"))
        .await;
    assert_eq!(report.status, StatusCode::OK);
    let lines: Vec<&str> = report.text.lines().collect();
    assert!(
        !lines
            .iter()
            .any(|l| l.starts_with("  9.") || l.starts_with("  8.") || l.starts_with("## 2.")),
        "{}",
        report.text
    );
    assert!(!report.text.contains("[Vendor](http"), "{}", report.text);
    assert_eq!(lines.iter().filter(|l| l.starts_with("## ")).count(), 1);
}

async fn verify(c: &mut common::Client, id: &str, evidence: &str) {
    let r = c
        .post(
            "/api/incidents/evidence/verify",
            &[("id", id), ("evidence", evidence)],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
}

async fn uploading_the_original_again_repairs_the_stored_file(db: Db) {
    let mut c = triaged(db).await;
    let id = c.id.clone();
    let content = b"2026-01-05 09:29:58 pc-0042 -> 203.0.113.7:443\n".repeat(100);
    let r = upload(&mut c.responder, &id, &meta(&[]), "fw.log", &content).await;
    let first = r.json()["Done"].as_str().unwrap().to_string();
    let path = c.app.state.hikeshi.evidence.path(&sha256(&content));
    std::fs::write(&path, b"tampered").unwrap();
    verify(&mut c.officer, &id, &first).await;
    let r = upload(&mut c.responder, &id, &meta(&[]), "fw-again.log", &content).await;
    let second = r.json()["Done"].as_str().unwrap().to_string();
    assert_eq!(sha256(&std::fs::read(&path).unwrap()), sha256(&content));
    verify(&mut c.officer, &id, &first).await;
    let i = common::flow::incident(&mut c.officer, &id).await;
    for e in i["evidence"].as_array().unwrap() {
        assert_eq!(e["integrity"], "intact", "{e}");
    }
    assert!(
        i["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["id"] == second.as_str())
    );
}

on_both_databases!(
    a_refused_upload_never_removes_the_file_an_accepted_one_recorded,
    the_sweep_removes_only_unreferenced_files_past_the_grace_period,
    nothing_of_an_upload_is_read_for_someone_who_may_not_upload,
    downloads_started_elsewhere_write_no_custody,
    typed_text_cannot_forge_lines_of_the_custody_report,
    uploading_the_original_again_repairs_the_stored_file,
);
