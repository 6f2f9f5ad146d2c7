//! The tamper-evident trail against someone with database access but not the
//! audit key: rewriting a timeline and recomputing its chain, truncating it
//! and moving the heads back, changing custody, evidence, engagements, roles,
//! incidents or the audit log directly, verifying with another key. Each is
//! detected and named; an untouched database verifies clean.

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use app::domain::Role;
use common::external::{Engaged, add_assets, approved, engaged, respond_now};
use common::flow::{done, incident, report};
use common::{Db, PASSWORD, TEST_AUDIT_KEY, TestApp};
use server::entity::{
    audit_log, custody_event, engagement, evidence, incident as incident_row, incident_event, user,
    user_role,
};
use server::integrity::heads::publish;
use server::integrity::ledger::{self, entry, head};
use server::integrity::{AuditKey, Finding, Report};
use server::services::timeline;

fn key() -> AuditKey {
    AuditKey::parse(TEST_AUDIT_KEY).unwrap()
}

fn db_of(app: &TestApp) -> &DatabaseConnection {
    &app.state.hikeshi.db
}

fn heads_file(app: &TestApp) -> PathBuf {
    app.config.audit.heads_file.clone()
}

async fn verify(app: &TestApp, heads: Option<&Path>) -> Report {
    server::integrity::verify(db_of(app), &key(), heads)
        .await
        .unwrap()
}

async fn clean(app: &TestApp, heads: Option<&Path>) {
    let r = verify(app, heads).await;
    assert!(r.is_clean(), "{}", shown(&r));
}

fn shown(r: &Report) -> String {
    r.findings
        .iter()
        .map(Finding::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The one finding about `table` whose row mentions `row`.
fn named<'a>(r: &'a Report, table: &str, row: &str) -> &'a Finding {
    let found: Vec<&Finding> = r
        .about(table)
        .into_iter()
        .filter(|f| f.row.contains(row))
        .collect();
    assert_eq!(found.len(), 1, "{table} {row} in:\n{}", shown(r));
    found[0]
}

async fn comment(c: &mut common::Client, id: &str, text: &str) {
    let r = c
        .post("/api/incidents/comment", &[("id", id), ("text", text)])
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
}

async fn incident_by(db: &DatabaseConnection, human_id: &str) -> incident_row::Model {
    incident_row::Entity::find()
        .filter(incident_row::Column::HumanId.eq(human_id))
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

async fn events_of(db: &DatabaseConnection, incident: Uuid) -> Vec<incident_event::Model> {
    incident_event::Entity::find()
        .filter(incident_event::Column::IncidentId.eq(incident))
        .order_by_asc(incident_event::Column::Seq)
        .all(db)
        .await
        .unwrap()
}

/// What someone without the key can do: edit events, then recompute every
/// link from the first edited one on with the public, unkeyed SHA-256 and
/// move the incident's head to match.
async fn rewrite_with_plain_chain(
    db: &DatabaseConnection,
    human_id: &str,
    edit: impl Fn(&mut incident_event::Model) -> bool,
) {
    let inc = incident_by(db, human_id).await;
    let mut prev = String::new();
    let mut rewriting = false;
    for mut e in events_of(db, inc.id).await {
        rewriting |= edit(&mut e);
        if rewriting {
            e.prev_hash = prev.clone();
            e.hash = timeline::Link::of(&prev, &e).unkeyed();
            let mut m = e.clone().into_active_model();
            m.prev_hash = Set(e.prev_hash.clone());
            m.hash = Set(e.hash.clone());
            m.detail = Set(e.detail.clone());
            m.update(db).await.unwrap();
        }
        prev = e.hash;
    }
    incident_row::Entity::update_many()
        .col_expr(incident_row::Column::LastEventHash, Expr::value(prev))
        .filter(incident_row::Column::Id.eq(inc.id))
        .exec(db)
        .await
        .unwrap();
}

// ---- (1) a rewritten event with a recomputed chain ---------------------------

async fn a_rewritten_event_with_a_recomputed_plain_chain_is_detected(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let id = report(&mut responder, "other").await;
    for n in 0..3 {
        comment(&mut responder, &id, &format!("note {n}")).await;
    }
    clean(&app, None).await;

    rewrite_with_plain_chain(db_of(&app), &id, |e| {
        let hit = e.seq == 3;
        if hit {
            e.detail = r#"{"text":"nothing happened"}"#.into();
        }
        hit
    })
    .await;

    let r = verify(&app, None).await;
    let f = named(&r, "incident_events", &id);
    assert!(f.problem.starts_with("event #3:"), "{f}");
    assert!(f.problem.contains("without the audit key"), "{f}");
    // The incident row's seal pins the head the rewrite had to move.
    let f = named(&r, "incidents", &id);
    assert!(f.problem.contains("last_event_hash"), "{f}");
    let (_, broken) = timeline::verify_all(db_of(&app)).await.unwrap();
    assert_eq!(broken.len(), 1);
    assert_eq!(
        (broken[0].human_id.as_str(), broken[0].seq),
        (id.as_str(), 3)
    );
}

// ---- (2) truncation, caught against the published heads ----------------------

async fn deleting_the_newest_event_and_moving_the_heads_back_is_caught_by_a_published_head(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let id = report(&mut responder, "other").await;
    comment(&mut responder, &id, "first look").await;
    let before = ledger::head(db_of(&app)).await.unwrap();
    comment(&mut responder, &id, "the beacon is real").await;
    let file = heads_file(&app);
    let published = publish(db_of(&app), &key(), &file).await.unwrap();
    assert_eq!(published.heads.incidents[&id].seq, 3);
    clean(&app, Some(&file)).await;

    // The newest event goes; the incident's head, the ledger (everything
    // sealed since) and its head are moved back so that all agree.
    let conn = db_of(&app);
    let inc = incident_by(conn, &id).await;
    let events = events_of(conn, inc.id).await;
    incident_event::Entity::delete_by_id(events[2].id)
        .exec(conn)
        .await
        .unwrap();
    incident_row::Entity::update_many()
        .col_expr(incident_row::Column::LastEventSeq, Expr::value(2))
        .col_expr(
            incident_row::Column::LastEventHash,
            Expr::value(events[1].hash.clone()),
        )
        .filter(incident_row::Column::Id.eq(inc.id))
        .exec(conn)
        .await
        .unwrap();
    entry::Entity::delete_many()
        .filter(entry::Column::Seq.gt(before.seq))
        .exec(conn)
        .await
        .unwrap();
    head::Entity::update_many()
        .col_expr(head::Column::Seq, Expr::value(before.seq))
        .col_expr(head::Column::Mac, Expr::value(before.mac.clone()))
        .exec(conn)
        .await
        .unwrap();

    // Consistent in itself: only an earlier publication shows it.
    let alone = verify(&app, None).await;
    assert!(alone.is_clean(), "{}", shown(&alone));
    let r = verify(&app, Some(&file)).await;
    assert_eq!(r.publications, 1);
    let f = named(&r, "incident_events", &id);
    assert!(
        f.problem.contains("behind the head published") && f.problem.contains("event #3"),
        "{f}"
    );
    let f = named(&r, "integrity_ledger", "seq");
    assert!(f.problem.contains("behind the head published"), "{f}");
}

// ---- (3) covered rows changed directly ----------------------------------------

async fn a_rewritten_custody_event_is_named(db: Db) {
    let e = engaged(db).await;
    let app = &e.case.app;
    clean(app, None).await;
    let c = custody_event::Entity::find()
        .filter(custody_event::Column::EvidenceId.eq(Uuid::parse_str(&e.log_a).unwrap()))
        .filter(custody_event::Column::Kind.eq("uploaded"))
        .one(db_of(app))
        .await
        .unwrap()
        .unwrap();
    let mut m = c.clone().into_active_model();
    m.to_party = Set("someone else".into());
    m.reason = Set("handed over in the car park".into());
    m.update(db_of(app)).await.unwrap();

    let r = verify(app, None).await;
    assert_eq!(r.findings.len(), 1, "{}", shown(&r));
    let f = named(&r, "custody_events", &c.id.to_string());
    assert!(f.problem.contains("reason, to_party"), "{f}");
    assert!(f.seq.is_some(), "the seal it differs from is named");

    // Deleting one is named too.
    custody_event::Entity::delete_by_id(c.id)
        .exec(db_of(app))
        .await
        .unwrap();
    let r = verify(app, None).await;
    let f = named(&r, "custody_events", &c.id.to_string());
    assert!(f.problem.contains("deleted outside Hikeshi"), "{f}");
}

async fn a_swapped_evidence_hash_is_named(db: Db) {
    let e = engaged(db).await;
    let app = &e.case.app;
    let conn = db_of(app);
    let (a, b) = (
        Uuid::parse_str(&e.log_a).unwrap(),
        Uuid::parse_str(&e.log_b).unwrap(),
    );
    let other = evidence::Entity::find_by_id(b)
        .one(conn)
        .await
        .unwrap()
        .unwrap();
    evidence::Entity::update_many()
        .col_expr(evidence::Column::Sha256, Expr::value(other.sha256))
        .filter(evidence::Column::Id.eq(a))
        .exec(conn)
        .await
        .unwrap();

    let r = verify(app, None).await;
    assert_eq!(r.findings.len(), 1, "{}", shown(&r));
    let f = named(&r, "evidence", &e.log_a);
    assert!(f.row.contains("squid-a.log"), "{f}");
    assert!(f.problem.starts_with("field(s) sha256 differ"), "{f}");
}

async fn a_widened_engagement_scope_and_expiry_are_named(db: Db) {
    let mut e = engaged(db).await;
    let id = e.case.id.clone();
    let eng = incident(&mut e.case.officer, &id).await["engagements"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let app = &e.case.app;
    engagement::Entity::update_many()
        // Every item instead of one, for a year more.
        .col_expr(engagement::Column::EvidenceItems, Expr::value(""))
        .col_expr(
            engagement::Column::ExpiresAt,
            Expr::value(Utc::now() + Duration::days(365)),
        )
        .filter(engagement::Column::Id.eq(Uuid::parse_str(&eng).unwrap()))
        .exec(db_of(app))
        .await
        .unwrap();

    let r = verify(app, None).await;
    assert_eq!(r.findings.len(), 1, "{}", shown(&r));
    let f = named(&r, "engagements", &eng);
    assert!(f.problem.contains("evidence_items, expires_at"), "{f}");
}

async fn a_role_activation_or_organisation_changed_in_the_database_is_named(db: Db) {
    let e = engaged(db).await;
    let app = &e.case.app;
    let conn = db_of(app);
    let vendor = user::Entity::find()
        .filter(user::Column::Username.eq("f.vendor"))
        .one(conn)
        .await
        .unwrap()
        .unwrap();
    user_role::ActiveModel {
        user_id: Set(vendor.id),
        role: Set(Role::Admin.id().into()),
    }
    .insert(conn)
    .await
    .unwrap();
    let r = verify(app, None).await;
    assert_eq!(r.findings.len(), 1, "{}", shown(&r));
    let f = named(&r, "users", "f.vendor");
    assert!(f.problem.starts_with("field(s) roles differ"), "{f}");

    // The officer locked out and moved into the vendor's organisation.
    user::Entity::update_many()
        .col_expr(user::Column::IsActive, Expr::value(false))
        .col_expr(
            user::Column::OrganisationId,
            Expr::value(vendor.organisation_id),
        )
        .filter(user::Column::Username.eq("sato"))
        .exec(conn)
        .await
        .unwrap();
    let r = verify(app, None).await;
    let f = named(&r, "users", "sato");
    assert!(
        f.problem
            .starts_with("field(s) is_active, organisation_id differ"),
        "{f}"
    );

    // A user added behind Hikeshi's back is not in the ledger at all.
    user::ActiveModel {
        id: Set(Uuid::new_v4()),
        username: Set("backdoor".into()),
        display_name: Set("Backdoor".into()),
        email: Set(None),
        password_hash: Set(vendor.password_hash.clone()),
        language: Set(None),
        is_active: Set(true),
        mail_opt_out: Set(String::new()),
        organisation_id: Set(None),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
    }
    .insert(conn)
    .await
    .unwrap();
    let r = verify(app, None).await;
    let f = named(&r, "users", "backdoor");
    assert!(f.problem.contains("not in the ledger"), "{f}");
}

async fn an_edited_or_deleted_audit_row_is_named(db: Db) {
    let e = engaged(db).await;
    let app = &e.case.app;
    let conn = db_of(app);
    let rows = audit_log::Entity::find()
        .order_by_asc(audit_log::Column::At)
        .all(conn)
        .await
        .unwrap();
    // One written by a person, with something to say; and the newest.
    let edited = rows
        .iter()
        .find(|r| r.actor_id.is_some() && r.detail != "{}")
        .unwrap();
    let deleted = rows.last().unwrap();
    assert_ne!(edited.id, deleted.id);
    let mut m = edited.clone().into_active_model();
    m.detail = Set("{}".into());
    m.actor_id = Set(None);
    m.update(conn).await.unwrap();
    audit_log::Entity::delete_by_id(deleted.id)
        .exec(conn)
        .await
        .unwrap();

    let r = verify(app, None).await;
    assert_eq!(r.findings.len(), 2, "{}", shown(&r));
    let f = named(&r, "audit_log", &edited.id.to_string());
    assert!(f.problem.contains("actor_id, detail"), "{f}");
    let f = named(&r, "audit_log", &deleted.id.to_string());
    assert!(f.problem.contains("deleted outside Hikeshi"), "{f}");
}

async fn an_incident_closed_behind_the_timeline_is_named(db: Db) {
    let e = engaged(db).await;
    let app = &e.case.app;
    let inc = incident_by(db_of(app), &e.case.id).await;
    incident_row::Entity::update_many()
        .col_expr(incident_row::Column::Status, Expr::value("closed"))
        .col_expr(incident_row::Column::Severity, Expr::value(Some("low")))
        .filter(incident_row::Column::Id.eq(inc.id))
        .exec(db_of(app))
        .await
        .unwrap();
    let r = verify(app, None).await;
    assert_eq!(r.findings.len(), 1, "{}", shown(&r));
    let f = named(&r, "incidents", &e.case.id);
    assert!(f.problem.contains("severity, status"), "{f}");
}

// ---- (4) another key -------------------------------------------------------------

async fn another_key_neither_verifies_the_trail_nor_starts_the_server(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let id = report(&mut responder, "other").await;
    comment(&mut responder, &id, "seen").await;
    let file = heads_file(&app);
    publish(db_of(&app), &key(), &file).await.unwrap();

    let other = AuditKey::generate();
    let r = server::integrity::verify(db_of(&app), &other, Some(&file))
        .await
        .unwrap();
    assert!(!r.is_clean());
    let f = named(&r, "integrity_ledger", "seq 1 ");
    assert!(f.problem.contains("MAC does not match"), "{f}");
    let f = named(&r, "incident_events", &id);
    assert!(
        f.problem
            .contains("event #1: content does not match its MAC"),
        "{f}"
    );
    let f = named(&r, "heads file", "line 1");
    assert!(f.problem.contains("not published under this key"), "{f}");

    // Nor may the server write on under it.
    let mut config = app.config.clone();
    config.audit.key = Some(other);
    let refused = server::startup::prepare(&config).await.unwrap_err();
    assert!(
        refused.to_string().contains("sealed with audit key id"),
        "{refused}"
    );
    clean(&app, Some(&file)).await;
}

// ---- (5) an untouched database after a realistic flow ----------------------------

async fn an_untouched_database_verifies_clean_after_a_realistic_flow(db: Db) {
    let started = Instant::now();
    let Engaged {
        mut case,
        mut admin,
        mut vendor,
        log_a,
        ..
    } = engaged(db).await;
    let id = case.id.clone();
    let app = &case.app;
    let file = heads_file(app);
    publish(db_of(app), &key(), &file).await.unwrap();

    // Handling: decision, classification, assignment, assets, containment.
    respond_now(&mut case.officer, &id).await;
    let r = case
        .officer
        .post(
            "/api/incidents/classify",
            &[("id", &id), ("tlp", "red"), ("severity", "critical")],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let suzuki = user_id(db_of(app), "suzuki").await;
    let sato = user_id(db_of(app), "sato").await;
    let r = case
        .officer
        .post(
            "/api/incidents/assign",
            &[("id", &id), ("responder", &suzuki), ("officer", &sato)],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let assets = add_assets(&mut case.responder, &id, &[("host", "pc-0042")]).await;
    let m = approved(
        &mut case.responder,
        &mut case.officer,
        &id,
        "host.move_network",
        &assets["pc-0042"],
    )
    .await;
    let r = case
        .responder
        .post(
            "/api/incidents/containment/step",
            &[
                ("id", &id),
                ("measure", &m),
                ("step", "execute"),
                ("note", "done"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);

    // Evidence: custody by hand, re-verification, the command-line check.
    let r = case
        .responder
        .post(
            "/api/incidents/evidence/custody",
            &[
                ("id", &id),
                ("evidence", &log_a),
                ("kind", "transferred"),
                ("from", "Suzuki"),
                ("to", "Evidence locker 2"),
                ("reason", "kept for court"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let r = case
        .responder
        .post(
            "/api/incidents/evidence/verify",
            &[("id", &id), ("evidence", &log_a)],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    server::services::evidence::verify_all(db_of(app), &app.state.hikeshi.evidence)
        .await
        .unwrap();

    // The vendor's report; the engagement revoked.
    let r = vendor
        .post(
            "/api/incidents/investigation-report",
            &[
                ("id", id.as_str()),
                ("parts[intrusion_path]", "Phishing mail to pc-0042"),
                ("parts[spread]", "None found"),
                ("parts[exfiltration]", "None found"),
                ("parts[recovery]", "Reimage pc-0042"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let eng = incident(&mut case.officer, &id).await["engagements"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = case
        .officer
        .post(
            "/api/incidents/engagement/revoke",
            &[
                ("id", &id),
                ("engagement", &eng),
                ("reason", "report received"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);

    // Accounts: roles, organisation, deactivation, passwords, mail settings.
    let tanaka = user_id(db_of(app), "tanaka").await;
    for (path, form) in [
        (
            "/api/users/roles",
            vec![("user", tanaka.as_str()), ("roles[]", "bu_lan_admin")],
        ),
        (
            "/api/users/organisation",
            vec![("user", tanaka.as_str()), ("organisation", "")],
        ),
        (
            "/api/users/active",
            vec![("user", tanaka.as_str()), ("active", "false")],
        ),
        (
            "/api/users/active",
            vec![("user", tanaka.as_str()), ("active", "true")],
        ),
        (
            "/api/users/reset-password",
            vec![
                ("user", tanaka.as_str()),
                ("password", "a reset password here"),
            ],
        ),
    ] {
        let r = admin.post(path, &form).await;
        assert!(r.status.is_success(), "{path}: {} {}", r.status, r.text);
    }
    let r = case
        .responder
        .change_password(PASSWORD, "brand new password")
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let r = case
        .officer
        .post(
            "/api/mail/settings/save",
            &[("email", "sato@example.jp"), ("language", "en")],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    case.app.client().sign_in("sato", "wrong password").await;
    publish(db_of(app), &key(), &file).await.unwrap();
    let flow = started.elapsed();

    let t = Instant::now();
    let r = verify(app, Some(&file)).await;
    let took = t.elapsed();
    assert!(r.is_clean(), "{}", shown(&r));
    assert_eq!(
        (r.publications, r.unkeyed_events, r.adopted_rows),
        (2, 0, 0)
    );
    assert!(r.rows > 30 && r.events > 20, "{r:?}");
    for table in server::integrity::rows::TABLES {
        let sealed = entry::Entity::find()
            .filter(entry::Column::Tbl.eq(table))
            .one(db_of(app))
            .await
            .unwrap();
        assert!(sealed.is_some(), "the flow sealed a row of {table}");
    }
    eprintln!(
        "{:?}: flow {flow:?}; verify {took:?} over {} ledger entries, {} rows, {} events",
        db_of(app).get_database_backend(),
        r.entries,
        r.rows,
        r.events
    );
}

async fn user_id(db: &DatabaseConnection, username: &str) -> String {
    user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

// ---- databases from before the key ------------------------------------------------

async fn a_database_from_before_the_key_is_adopted_and_its_old_events_stay_pinned(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let id = report(&mut responder, "other").await;
    comment(&mut responder, &id, "before the key").await;
    // Make it a database of the old release: unkeyed SHA-256 chains, no ledger.
    let conn = db_of(&app);
    rewrite_with_plain_chain(conn, &id, |_| true).await;
    empty_the_ledger(conn).await;

    // The first keyed start adopts what it finds.
    let app = app.restart().await;
    let r = verify(&app, None).await;
    assert!(r.is_clean(), "{}", shown(&r));
    assert_eq!(r.unkeyed_events, 2);
    assert!(r.adopted_rows > 0 && r.adopted_at.is_some(), "{r:?}");
    // New events are keyed, after the old ones.
    comment(&mut responder, &id, "after the key").await;
    let r = verify(&app, None).await;
    assert!(r.is_clean(), "{}", shown(&r));
    assert_eq!((r.unkeyed_events, r.events), (2, 3));

    // An old event rewritten (with every link after it downgraded) is caught.
    rewrite_with_plain_chain(db_of(&app), &id, |e| {
        let hit = e.seq == 2;
        if hit {
            e.detail = r#"{"text":"all fine"}"#.into();
        }
        hit
    })
    .await;
    let r = verify(&app, None).await;
    let f = named(&r, "incident_events", &id);
    assert!(
        f.problem.starts_with("event #3:"),
        "the keyed link that was downgraded: {f}"
    );
    let f = named(&r, "incidents", &id);
    assert!(f.problem.contains("last_event_hash"), "{f}");
}

async fn empty_the_ledger(conn: &DatabaseConnection) {
    entry::Entity::delete_many().exec(conn).await.unwrap();
    head::Entity::update_many()
        .col_expr(head::Column::Seq, Expr::value(0i64))
        .col_expr(head::Column::Mac, Expr::value(""))
        .exec(conn)
        .await
        .unwrap();
}

async fn an_emptied_ledger_is_not_adopted_again(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let id = report(&mut responder, "other").await;
    comment(&mut responder, &id, "a keyed event").await;
    let file = heads_file(&app);
    publish(db_of(&app), &key(), &file).await.unwrap();

    // Adopting now would launder whatever was done: the start refuses.
    empty_the_ledger(db_of(&app)).await;
    let refused = server::startup::prepare(&app.config).await.unwrap_err();
    assert!(
        refused.to_string().contains("the ledger was deleted"),
        "{refused}"
    );

    // Downgrading every event to unkeyed hashes first gets past that, and the
    // start adopts the rewritten timeline; the published head still shows it.
    rewrite_with_plain_chain(db_of(&app), &id, |e| {
        let hit = e.seq == 2;
        if hit {
            e.detail = r#"{"text":"nothing"}"#.into();
        }
        hit
    })
    .await;
    server::startup::prepare(&app.config).await.unwrap();
    let r = verify(&app, Some(&file)).await;
    let f = named(&r, "incident_events", &id);
    assert!(
        f.problem.contains("diverges from the head published"),
        "{f}"
    );
    let f = named(&r, "integrity_ledger", "seq");
    assert!(f.problem.contains("the head published"), "{f}");
}

on_both_databases!(
    a_rewritten_event_with_a_recomputed_plain_chain_is_detected,
    deleting_the_newest_event_and_moving_the_heads_back_is_caught_by_a_published_head,
    a_rewritten_custody_event_is_named,
    a_swapped_evidence_hash_is_named,
    a_widened_engagement_scope_and_expiry_are_named,
    a_role_activation_or_organisation_changed_in_the_database_is_named,
    an_edited_or_deleted_audit_row_is_named,
    an_incident_closed_behind_the_timeline_is_named,
    another_key_neither_verifies_the_trail_nor_starts_the_server,
    an_untouched_database_verifies_clean_after_a_realistic_flow,
    a_database_from_before_the_key_is_adopted_and_its_old_events_stay_pinned,
    an_emptied_ledger_is_not_adopted_again,
);
