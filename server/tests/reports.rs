//! Incident reports on SQLite and PostgreSQL: generated from the built-in
//! templates in English and Japanese, downloaded again by version, each a
//! timeline event; a vendor's report holds only what its engagement shows
//! and it cannot write the IPA report; a bad form is answered per field;
//! and `verify` passes on a fresh report, then names what differs after an
//! evidence hash or a timeline row is altered, or when the file is not
//! ours. The same reports as PDF hold the same text (read back with
//! `pdftotext`) and verify the same way.

mod common;

use axum::http::StatusCode;
use common::external::{Engaged, engaged};
use common::flow::incident;
use common::{Client, Db};
use sea_orm::ConnectionTrait;

use app::domain::report::Difference;

async fn generate(c: &mut Client, id: &str, template: &str, lang: &str) -> common::Response {
    c.post(
        "/api/reports/generate",
        &[
            ("id", id),
            ("form[template]", template),
            ("form[lang]", lang),
            ("form[format]", "markdown"),
            ("form[audience]", "CSIRT 運営委員会 <board>"),
        ],
    )
    .await
}

async fn generated(c: &mut Client, id: &str, template: &str, lang: &str) -> (String, String) {
    let r = generate(c, id, template, lang).await;
    let report = r.json()["Done"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.text))
        .to_string();
    let file = c.get(&format!("/api/reports/{report}/download")).await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.text);
    assert!(
        file.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/markdown")
    );
    (report, file.text)
}

/// Someone with database access rewrites an item's recorded hash.
async fn set_hash(db: &sea_orm::DatabaseConnection, item: &str, sha256: &str) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    use server::entity::evidence;
    let id: uuid::Uuid = item.parse().unwrap();
    evidence::Entity::update_many()
        .col_expr(evidence::Column::Sha256, Expr::value(sha256))
        .filter(evidence::Column::Id.eq(id))
        .exec(db)
        .await
        .unwrap();
}

async fn reports_are_generated_scoped_and_verified(db: Db) {
    let Engaged {
        mut case,
        mut vendor,
        log_a,
        ..
    } = engaged(db).await;
    let id = case.id.clone();
    let i = incident(&mut case.officer, &id).await;
    let hash_of = |name: &str| {
        i["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["file_name"] == name)
            .unwrap()["sha256"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (a_hash, b_hash) = (hash_of("squid-a.log"), hash_of("squid-b.log"));

    // The officer's internal report, in English and in Japanese.
    let (first, en) = generated(&mut case.officer, &id, "internal", "en").await;
    assert!(en.starts_with(&format!("# Incident report {id}: ")), "{en}");
    assert!(
        en.contains("| For | CSIRT 運営委員会 \\<board\\> |"),
        "{en}"
    );
    assert!(en.contains("## 4. Evidence"));
    assert!(en.contains(&a_hash) && en.contains(&b_hash));
    assert!(en.contains("Timeline chain head"));
    let (_, ja) = generated(&mut case.officer, &id, "internal", "ja").await;
    assert!(
        ja.starts_with(&format!("# インシデント報告書 {id}: ")),
        "{ja}"
    );
    assert!(ja.contains("## 4. 証拠") && ja.contains("## 7. タイムライン"));
    let (_, summary) = generated(&mut case.officer, &id, "summary", "en").await;
    assert!(summary.contains("(management summary)"));
    let (_, ipa) = generated(&mut case.officer, &id, "ipa", "ja").await;
    assert!(
        ipa.starts_with("# 標的型攻撃メールに関する情報提供"),
        "{ipa}"
    );
    assert!(
        !ipa.contains("pc-0042"),
        "the IPA report is anonymised: {ipa}"
    );

    // Versions are numbered and stay downloadable; each is an event.
    let i = incident(&mut case.officer, &id).await;
    let versions: Vec<i64> = i["report_records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [4, 3, 2, 1]);
    let events = i["events"].as_array().unwrap();
    let generated_events: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["kind"] == "report_generated")
        .collect();
    assert_eq!(generated_events.len(), 4);
    assert_eq!(generated_events[0]["detail"]["version"], "1");

    // The vendor's report shows only the item its engagement covers; the
    // IPA report and the officer's reports are not the vendor's.
    let (_, theirs) = generated(&mut vendor, &id, "internal", "en").await;
    assert!(theirs.contains(&a_hash), "{theirs}");
    assert!(!theirs.contains(&b_hash), "outside its scope: {theirs}");
    assert_eq!(
        generate(&mut vendor, &id, "ipa", "en").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        vendor
            .get(&format!("/api/reports/{first}/download"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        generate(&mut case.reporter, &id, "internal", "en")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // A bad form, field by field; nothing recorded.
    let r = case
        .officer
        .post(
            "/api/reports/generate",
            &[
                ("id", &id),
                ("form[template]", "../../etc/passwd"),
                ("form[lang]", "en"),
                ("form[audience]", "  "),
            ],
        )
        .await;
    let fields: Vec<String> = r.field_errors().into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["template", "audience"], "{}", r.text);
    assert_eq!(case.app.count("reports").await, 5);

    // Verification: fresh, then after an evidence hash and a timeline row
    // are altered, and for a file that is not ours.
    let db = case.app.state.hikeshi.db.clone();
    let v = server::services::reports::verify(&db, en.as_bytes())
        .await
        .unwrap();
    assert!(v.ok(), "{:?}", v.differences);
    assert_eq!(v.manifest.as_ref().unwrap().version, 1);
    // The page: the file uploaded (only its hash is kept), then the verdict.
    let (head, tail) = common::upload::multipart(&[], "report.md");
    let body = format!("{head}{en}{tail}");
    let r = case
        .officer
        .post_body(
            "/api/reports/verify-file",
            &format!("multipart/form-data; boundary={}", common::upload::BOUNDARY),
            axum::body::Body::from(body.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    let to = r.headers["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/reports/verify?sha256="), "{to}");
    let page = case.officer.fetch(&to).await;
    assert!(
        page.text.contains("The report matches the database."),
        "{}",
        page.text
    );
    let r = vendor
        .post_body(
            "/api/reports/verify-file",
            &format!("multipart/form-data; boundary={}", common::upload::BOUNDARY),
            axum::body::Body::from(body),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let edited = en.replace("## 1. Summary", "## 1. Summary (edited)");
    let v = server::services::reports::verify(&db, edited.as_bytes())
        .await
        .unwrap();
    assert!(matches!(v.differences[..], [Difference::UnknownReport(_)]));
    let forged = "f".repeat(64);
    set_hash(&db, &log_a, &forged).await;
    let v = server::services::reports::verify(&db, en.as_bytes())
        .await
        .unwrap();
    assert_eq!(
        v.differences,
        [Difference::EvidenceChanged(
            "squid-a.log".into(),
            Some(forged.clone())
        )]
    );
    set_hash(&db, &log_a, &a_hash).await;
    db.execute_unprepared(
        "UPDATE incident_events SET detail = '{\"forged\":\"yes\"}' WHERE seq = 1",
    )
    .await
    .unwrap();
    let v = server::services::reports::verify(&db, en.as_bytes())
        .await
        .unwrap();
    assert!(
        v.differences
            .iter()
            .any(|d| matches!(d, Difference::ChainBroken(1, _))),
        "{:?}",
        v.differences
    );
    assert!(!v.ok());
    assert!(
        v.lines()[0].contains("breaks at event 1"),
        "{:?}",
        v.lines()
    );
}

/// The text `pdftotext` reads out of a PDF.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils, installed by make setup-test)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn pdf(c: &mut Client, id: &str, template: &str, lang: &str) -> (String, Vec<u8>) {
    let r = c
        .post(
            "/api/reports/generate",
            &[
                ("id", id),
                ("form[template]", template),
                ("form[lang]", lang),
                ("form[format]", "pdf"),
                ("form[audience]", "CSIRT 運営委員会 <board>"),
            ],
        )
        .await;
    let report = r.json()["Done"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.text))
        .to_string();
    let file = c.get(&format!("/api/reports/{report}/download")).await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.text);
    assert_eq!(file.headers["content-type"], "application/pdf");
    assert!(
        file.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!("-{template}-v")),
    );
    (report, file.bytes)
}

async fn pdf_reports_hold_the_text_and_verify(db: Db) {
    let Engaged {
        mut case, log_a, ..
    } = engaged(db).await;
    let id = case.id.clone();
    let i = incident(&mut case.officer, &id).await;
    let a_hash = i["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["file_name"] == "squid-a.log")
        .unwrap()["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let title = i["title"].as_str().unwrap().to_string();

    // Japanese and English, as text a reader (and pdftotext) gets back:
    // the headings, the title, the evidence hash and the chain head.
    let (_, ja) = pdf(&mut case.officer, &id, "internal", "ja").await;
    assert!(ja.starts_with(b"%PDF-"));
    let text = pdf_text(&ja);
    for heading in [
        "インシデント報告書",
        "4. 証拠",
        "7. タイムライン",
        "検証情報",
    ] {
        assert!(text.contains(heading), "{heading} in {text}");
    }
    assert!(text.contains(&title), "{text}");
    assert!(text.contains(&a_hash), "{text}");
    let db = case.app.state.hikeshi.db.clone();
    let v = server::services::reports::verify(&db, &ja).await.unwrap();
    assert!(v.ok(), "{:?}", v.differences);
    let head = &v.manifest.as_ref().unwrap().chain_head;
    assert!(
        text.contains(head.as_str()),
        "the chain head {head} in {text}"
    );
    assert!(text.contains("CSIRT 運営委員会 <board>"), "{text}");
    let (_, en) = pdf(&mut case.officer, &id, "internal", "en").await;
    let text = pdf_text(&en);
    for heading in [
        "Incident report",
        "4. Evidence",
        "7. Timeline",
        "Verification",
    ] {
        assert!(text.contains(heading), "{heading} in {text}");
    }
    let (_, summary) = pdf(&mut case.officer, &id, "summary", "ja").await;
    assert!(pdf_text(&summary).contains("概要"));

    // The file stops verifying when an evidence hash it lists is altered.
    set_hash(&db, &log_a, &"0".repeat(64)).await;
    let v = server::services::reports::verify(&db, &ja).await.unwrap();
    assert!(matches!(
        v.differences[..],
        [Difference::EvidenceChanged(..)]
    ));
    let i = incident(&mut case.officer, &id).await;
    let formats: Vec<&str> = i["report_records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["format"].as_str().unwrap())
        .collect();
    assert_eq!(formats, ["pdf", "pdf", "pdf"]);
}

on_both_databases!(
    reports_are_generated_scoped_and_verified,
    pdf_reports_hold_the_text_and_verify
);
