//! A large upload is streamed to disk, never held in memory. In a test
//! binary of its own, one database after the other, so that the process's
//! peak memory is this upload's alone.

mod common;

use axum::body::Body;
use bytes::Bytes;
use common::flow::{command, done, finish_required, incident, report};
use common::{Client, Db, TestApp};

use app::domain::Role;

const BOUNDARY: &str = "hikeshi-test-boundary-7MA4YWxkTrZu0gW";

fn part(name: &str, value: &str) -> String {
    format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
}

/// The multipart head (fields, then the file part's header) and tail.
fn multipart(fields: &[(&str, &str)], file_name: &str) -> (String, String) {
    let mut head: String = fields.iter().map(|(k, v)| part(k, v)).collect();
    head.push_str(&format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/plain\r\n\r\n"
    ));
    (head, format!("\r\n--{BOUNDARY}--\r\n"))
}

fn meta<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v = vec![
        ("kind", "log"),
        ("description", "Squid access log, 1-5 January"),
        ("source_host", "proxy01"),
        ("acquired_how", "copied from /var/log/squid with scp"),
        ("acquired_by", "Suzuki"),
        ("acquired_at", "2026-01-06T10:00"),
        ("tz_offset", "-540"),
    ];
    v.extend_from_slice(extra);
    v
}

#[allow(dead_code)]
async fn upload(
    c: &mut Client,
    id: &str,
    fields: &[(&str, &str)],
    name: &str,
    content: &[u8],
) -> common::Response {
    let (head, tail) = multipart(fields, name);
    let mut body = head.into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(tail.as_bytes());
    c.post_body(
        &format!("/api/incidents/{id}/evidence"),
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        Body::from(body),
    )
    .await
}

#[allow(dead_code)]
struct Case {
    app: TestApp,
    id: String,
    reporter: Client,
    responder: Client,
    officer: Client,
}

/// Log sources declared, then an incident reported (noticed 2026-01-05
/// 09:30 UTC) and taken into triage.
async fn triaged(db: Db) -> Case {
    let app = TestApp::spawn(db).await;
    let mut admin = app.admin().await;
    for (source, system, days) in [
        ("proxy", "squid01", "90"),
        ("dns", "bind01", "365"),
        ("directory", "dc01", "30"),
    ] {
        let r = admin
            .post(
                "/api/log-sources/save",
                &[
                    ("source", source),
                    ("system", system),
                    ("retention_days", days),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(r.json(), done(), "{}", r.text);
    }
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let id = report(&mut reporter, "targeted_email").await;
    finish_required(&mut officer, &id).await;
    assert_eq!(
        command(&mut responder, &id, "take_into_triage", &[])
            .await
            .json(),
        done()
    );
    Case {
        app,
        id,
        reporter,
        responder,
        officer,
    }
}

/// The peak resident memory of this process, from the kernel.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap()
}

async fn a_large_upload_is_streamed_not_held_in_memory(db: Db) {
    let mut c = triaged(db).await;
    const MIB: usize = 1 << 20;
    const SIZE_MIB: usize = 256;
    let (head, tail) = multipart(&meta(&[("kind", "disk_image")]), "disk.img");
    let chunk = Bytes::from(vec![0x5a_u8; MIB]);
    let parts = std::iter::once(Bytes::from(head))
        .chain(std::iter::repeat_n(chunk, SIZE_MIB))
        .chain(std::iter::once(Bytes::from(tail)))
        .map(Ok::<_, std::io::Error>);
    let before = peak_rss_kib();
    let r = c
        .responder
        .post_body(
            &format!("/api/incidents/{}/evidence", c.id),
            &format!("multipart/form-data; boundary={BOUNDARY}"),
            Body::from_stream(futures_util::stream::iter(parts)),
        )
        .await;
    assert!(r.json()["Done"].is_string(), "{}", r.text);
    let grown_mib = (peak_rss_kib() - before) / 1024;
    assert!(
        grown_mib < 96,
        "peak memory grew by {grown_mib} MiB for a {SIZE_MIB} MiB upload"
    );
    let i = incident(&mut c.responder, &c.id).await;
    assert_eq!(i["evidence"][0]["size"], SIZE_MIB * MIB);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_upload_is_streamed_on_both_databases() {
    common::within_limit(async {
        a_large_upload_is_streamed_not_held_in_memory(Db::Sqlite).await;
        a_large_upload_is_streamed_not_held_in_memory(Db::Postgres).await;
    })
    .await
}
