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

on_both_databases!(
    a_refused_upload_never_removes_the_file_an_accepted_one_recorded,
    the_sweep_removes_only_unreferenced_files_past_the_grace_period,
);
