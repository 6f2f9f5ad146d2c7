//! Evidence uploads as a browser sends them (multipart), and an incident
//! ready for evidence: log sources declared, reported, taken into triage.

use axum::body::Body;

use super::flow::{command, done, finish_required, report};
use super::{Client, Db, Response, TestApp};
use app::domain::Role;

pub const BOUNDARY: &str = "hikeshi-test-boundary-7MA4YWxkTrZu0gW";

pub fn part(name: &str, value: &str) -> String {
    format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
}

/// The multipart head (fields, then the file part's header) and tail.
pub fn multipart(fields: &[(&str, &str)], file_name: &str) -> (String, String) {
    let mut head: String = fields.iter().map(|(k, v)| part(k, v)).collect();
    head.push_str(&format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/plain\r\n\r\n"
    ));
    (head, format!("\r\n--{BOUNDARY}--\r\n"))
}

pub fn meta<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
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

pub async fn upload(
    c: &mut Client,
    id: &str,
    fields: &[(&str, &str)],
    name: &str,
    content: &[u8],
) -> Response {
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

pub struct Case {
    pub app: TestApp,
    pub id: String,
    pub reporter: Client,
    pub responder: Client,
    pub officer: Client,
}

/// Log sources declared, then an incident reported (noticed 2026-01-05
/// 09:30 UTC) and taken into triage.
pub async fn triaged(db: Db) -> Case {
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
