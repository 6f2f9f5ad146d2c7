//! Mail against a real SMTP server (aiosmtpd on 127.0.0.1), on SQLite and
//! PostgreSQL: a new report reaches the triage roles in their own language
//! and not those who opted out; with the server down the mail stays queued,
//! survives a restart, and goes out once the server is back.

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use common::flow::report;
use common::{Db, TestApp};

use app::domain::Role;

/// aiosmtpd writing what it receives into a maildir; killed when dropped.
struct SmtpServer {
    child: Child,
    pub dir: tempfile::TempDir,
}

impl SmtpServer {
    fn start(port: u16) -> SmtpServer {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.path().join("maildir"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m aiosmtpd (make setup-test installs it)");
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return SmtpServer { child, dir };
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("aiosmtpd did not start on port {port}");
    }

    /// (recipient, decoded subject, body) of every message received.
    fn messages(&self) -> Vec<(String, String, String)> {
        let script = r#"
import sys, json, mailbox, email.header
box = mailbox.Maildir(sys.argv[1], create=False)
out = []
for m in box:
    subject = str(email.header.make_header(email.header.decode_header(m["Subject"])))
    body = m.get_payload(decode=True).decode(m.get_content_charset() or "utf-8")
    out.append([m["To"], subject, body])
out.sort()
print(json.dumps(out))
"#;
        let out = Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(self.dir.path().join("maildir"))
            .output()
            .unwrap();
        if !out.status.success() {
            return Vec::new();
        }
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn smtp_app(db: Db, port: u16) -> TestApp {
    let port = port.to_string();
    TestApp::spawn_with(
        db,
        &[
            ("HIKESHI_SMTP_HOST", "127.0.0.1"),
            ("HIKESHI_SMTP_PORT", &port),
            ("HIKESHI_SMTP_SECURITY", "none"),
            ("HIKESHI_MAIL_FROM", "Hikeshi CSIRT <csirt@example.jp>"),
            ("HIKESHI_BASE_URL", "https://hikeshi.example.jp"),
        ],
    )
    .await
}

/// A user with an address, a language and the kinds they opted out of.
async fn person(app: &TestApp, name: &str, role: Role, lang: &str, opt_out: &str) {
    let id = app.user(name, &[role]).await;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use server::entity::user;
    user::Entity::update_many()
        .col_expr(
            user::Column::Email,
            Expr::value(format!("{name}@example.jp")),
        )
        .col_expr(user::Column::Language, Expr::value(lang))
        .col_expr(user::Column::MailOptOut, Expr::value(opt_out))
        .filter(user::Column::Id.eq(id))
        .exec(&app.state.hikeshi.db)
        .await
        .unwrap();
}

async fn deliver(app: &TestApp, at: chrono::DateTime<Utc>) -> (usize, usize) {
    server::mail::deliver_due(&app.state.hikeshi.db, &app.config.mail, at)
        .await
        .unwrap()
}

async fn a_new_report_reaches_the_triage_roles_in_their_language(db: Db) {
    let port = free_port();
    let smtp = SmtpServer::start(port);
    let app = smtp_app(db, port).await;
    person(&app, "sato", Role::SecurityOfficer, "ja", "").await;
    person(&app, "smith", Role::ItLanAdmin, "en", "").await;
    person(&app, "quiet", Role::BuLanAdmin, "en", "new_report,assigned").await;
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let id = report(&mut reporter, "targeted_email").await;
    // Queued with the report, sent by the sender: the request did not wait.
    assert_eq!(app.count("outbox").await, 2);
    assert_eq!(deliver(&app, Utc::now()).await, (2, 0));
    assert_eq!(deliver(&app, Utc::now()).await, (0, 0), "nothing twice");
    let got = smtp.messages();
    assert_eq!(got.len(), 2, "{got:?}");
    let (to, subject, body) = &got[0];
    assert_eq!(to, "sato@example.jp");
    assert_eq!(
        subject,
        &format!("[Hikeshi] 新しい通報 {id}: Beaconing from pc-0042")
    );
    assert!(
        body.contains(&format!("https://hikeshi.example.jp/incidents/{id}")),
        "{body}"
    );
    let (to, subject, _) = &got[1];
    assert_eq!(to, "smith@example.jp");
    assert_eq!(
        subject,
        &format!("[Hikeshi] New report {id}: Beaconing from pc-0042")
    );
}

async fn with_the_server_down_mail_waits_and_survives_a_restart(db: Db) {
    let port = free_port();
    let app = smtp_app(db, port).await;
    person(&app, "sato", Role::SecurityOfficer, "en", "").await;
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    report(&mut reporter, "other").await;
    let now = Utc::now();
    assert_eq!(deliver(&app, now).await, (0, 1));
    let pending = server::mail::undelivered(&app.state.hikeshi.db)
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].attempts, 1);
    assert!(
        pending[0].last_error.is_some(),
        "the administrator sees why"
    );
    // Not due again before its back-off.
    assert_eq!(
        deliver(&app, now + chrono::Duration::seconds(5)).await,
        (0, 0)
    );

    let restarted = app.restart().await;
    let smtp = SmtpServer::start(port);
    assert_eq!(
        deliver(&restarted, now + chrono::Duration::minutes(10)).await,
        (1, 0)
    );
    assert!(
        server::mail::undelivered(&restarted.state.hikeshi.db)
            .await
            .unwrap()
            .is_empty()
    );
    let got = smtp.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "sato@example.jp");
}

async fn users_choose_address_language_and_kinds(db: Db) {
    let port = free_port();
    let smtp = SmtpServer::start(port);
    let app = smtp_app(db, port).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let r = officer
        .post(
            "/api/mail/settings/save",
            &[("email", "not an address"), ("language", "fr")],
        )
        .await;
    let fields: Vec<String> = r.field_errors().into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["email", "language"]);
    let r = officer
        .post(
            "/api/mail/settings/save",
            &[
                ("email", "sato@example.jp"),
                ("language", "en"),
                ("opt_out[]", "assigned"),
            ],
        )
        .await;
    assert_eq!(r.json(), serde_json::json!({ "Done": null }), "{}", r.text);
    let s = officer.post("/api/mail/settings", &[]).await.json();
    assert_eq!(s["email"], "sato@example.jp");
    assert_eq!(s["opt_out"], serde_json::json!(["assigned"]));
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let id = report(&mut reporter, "other").await;
    assert_eq!(deliver(&app, Utc::now()).await, (1, 0));
    assert_eq!(
        smtp.messages()[0].1,
        format!("[Hikeshi] New report {id}: Beaconing from pc-0042")
    );
    // Undelivered mail is the administrator's to see.
    let r = officer.post("/api/mail/undelivered", &[]).await;
    assert_eq!(r.status, axum::http::StatusCode::FORBIDDEN);
    let r = app.admin().await.post("/api/mail/undelivered", &[]).await;
    assert_eq!(r.json(), serde_json::json!([]));
}

async fn placeholders_typed_into_a_title_arrive_literally(db: Db) {
    let port = free_port();
    let smtp = SmtpServer::start(port);
    let app = smtp_app(db, port).await;
    person(&app, "smith", Role::ItLanAdmin, "en", "").await;
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let title = "Phish {url} {detail} {base} {{id}} {title}";
    let r = reporter
        .post(
            "/api/incidents/report",
            &[
                ("form[title]", title),
                ("form[observed]", "A mail whose subject names our wiki."),
                ("form[noticed_at]", "2026-01-05T09:30"),
                ("form[location]", "pc-0042"),
                ("form[discovery]", "user_report"),
                ("form[kind]", "targeted_email"),
                ("form[reporter_contact]", "tanaka@example.jp"),
            ],
        )
        .await;
    let id = r.json()["Done"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.text))
        .to_string();
    assert_eq!(deliver(&app, Utc::now()).await, (1, 0));
    let got = smtp.messages();
    assert_eq!(got.len(), 1, "{got:?}");
    let (_, subject, body) = &got[0];
    let body = &body.replace("\r\n", "\n");
    // A long subject is folded onto several header lines: unfold it.
    let subject = subject.replace(['\r', '\n'], "");
    assert_eq!(subject, format!("[Hikeshi] New report {id}: {title}"));
    assert!(body.contains(&format!("{id} {title}\n")), "{body}");
    let url = format!("https://hikeshi.example.jp/incidents/{id}");
    assert_eq!(body.matches("https://").count(), 1, "{body}");
    assert!(body.contains(&format!("\n{url}\n")), "{body}");
}

/// Sets a signed-in user's address, language and opt-outs.
async fn address(app: &TestApp, username: &str, lang: &str, opt_out: &str) {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use server::entity::user;
    user::Entity::update_many()
        .col_expr(
            user::Column::Email,
            Expr::value(format!("{username}@example.jp")),
        )
        .col_expr(user::Column::Language, Expr::value(lang))
        .col_expr(user::Column::MailOptOut, Expr::value(opt_out))
        .filter(user::Column::Username.eq(username))
        .exec(&app.state.hikeshi.db)
        .await
        .unwrap();
}

async fn a_containment_proposal_mails_the_officers_and_its_decision_the_proposer(db: Db) {
    use common::flow::{command, done, finish_required, incident};
    let port = free_port();
    let smtp = SmtpServer::start(port);
    let app = smtp_app(db, port).await;
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let mut quiet = app.signed_in("kato", &[Role::SecurityOfficer]).await;
    let id = report(&mut reporter, "malware_infection").await;
    finish_required(&mut officer, &id).await;
    assert_eq!(
        command(&mut responder, &id, "take_into_triage", &[])
            .await
            .json(),
        done()
    );
    let r = responder
        .post(
            "/api/incidents/asset/add",
            &[
                ("id", &id),
                ("asset_type", "host"),
                ("identifier", "pc-0042"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let host = incident(&mut officer, &id).await["assets"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Only what happens from here on is mailed.
    address(&app, "sato", "ja", "").await;
    address(&app, "kato", "en", "containment_proposed").await;
    address(&app, "suzuki", "en", "").await;
    let before = app.count("outbox").await;
    let r = responder
        .post(
            "/api/incidents/containment/propose",
            &[
                ("id", id.as_str()),
                ("measure", "host.move_network"),
                ("asset", host.as_str()),
                ("reason", "C2 beaconing every 60 s from this host"),
                ("expected_effect", "No more traffic to the C2 server"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    assert_eq!(app.count("outbox").await, before + 1, "kato opted out");
    let mid = incident(&mut officer, &id).await["measures"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = quiet
        .post(
            "/api/incidents/containment/step",
            &[
                ("id", id.as_str()),
                ("measure", mid.as_str()),
                ("step", "approve"),
                ("note", "isolate it"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    deliver(&app, Utc::now()).await;
    let got = smtp.messages();
    let to: Vec<&str> = got.iter().map(|m| m.0.as_str()).collect();
    assert_eq!(to, ["sato@example.jp", "suzuki@example.jp"], "{got:?}");
    assert!(
        got[0]
            .1
            .starts_with(&format!("[Hikeshi] {id}: 暫定対処の承認依頼 — ")),
        "{}",
        got[0].1
    );
    assert!(got[0].1.ends_with("→ pc-0042"), "{}", got[0].1);
    assert!(
        got[0].2.contains(&format!(
            "https://hikeshi.example.jp/incidents/{id}#containment"
        )),
        "{}",
        got[0].2
    );
    assert!(
        got[1].1.starts_with(&format!(
            "[Hikeshi] {id}: your containment proposal was decided — "
        )),
        "{}",
        got[1].1
    );
}

on_both_databases!(
    a_containment_proposal_mails_the_officers_and_its_decision_the_proposer,
    placeholders_typed_into_a_title_arrive_literally,
    users_choose_address_language_and_kinds,
    a_new_report_reaches_the_triage_roles_in_their_language,
    with_the_server_down_mail_waits_and_survives_a_restart,
);
