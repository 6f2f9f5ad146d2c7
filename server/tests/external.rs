//! External parties on SQLite and PostgreSQL: a vendor sees exactly its
//! engagement (one incident, its phases, its evidence items), downloads in
//! scope as custody events, writes the four-part report that feeds phase F;
//! revocation and expiry end access at the next request, on the session it
//! already has; an ISP sees and executes the requests addressed to it; the
//! engagement and reminder mails are queued once.

mod common;

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;

use common::external::{add_assets, approved, engage, engaged, member, organisation, respond_now};
use common::flow::{done, incident, report};
use common::{Client, Db};
use server::entity::{checklist_item, engagement, incident as inc_entity, outbox};

async fn list_total(c: &mut Client) -> i64 {
    let r = c.post("/api/incidents/list", &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["total"].as_i64().unwrap()
}

fn parts(missing: &str) -> Vec<(&'static str, &'static str)> {
    [
        (
            "parts[intrusion_path]",
            "Phishing mail with a macro document to pc-0042",
        ),
        ("parts[spread]", "pc-0042 to file server fs01 over SMB"),
        (
            "parts[exfiltration]",
            "HTTPS POST to c2.example: project folder, 1.2 GB",
        ),
        (
            "parts[recovery]",
            "Reimage pc-0042; reset k.tanaka; rotate fs01 service account",
        ),
    ]
    .into_iter()
    .filter(|(k, _)| !k.contains(missing) || missing.is_empty())
    .collect()
}

async fn a_vendor_sees_exactly_its_engagement(db: Db) {
    let mut e = engaged(db).await;
    let id = e.case.id.clone();
    // The list and its count hold the engaged incident only.
    assert_eq!(list_total(&mut e.vendor).await, 1);
    assert_eq!(list_total(&mut e.case.responder).await, 2);
    let i = incident(&mut e.vendor, &id).await;
    let phases: Vec<&str> = i["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["phase"].as_str().unwrap())
        .collect();
    assert!(
        !phases.is_empty() && phases.iter().all(|p| *p == "E"),
        "{phases:?}"
    );
    assert!(
        i["events"].as_array().unwrap().is_empty(),
        "no timeline in scope"
    );
    assert!(i["checklist"].as_array().unwrap().is_empty());
    assert_eq!(i["reporter_contact"], "");
    let files: Vec<&str> = i["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["file_name"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["squid-a.log"]);
    assert_eq!(i["may_report"], true);
    assert!(i["engagements"].as_array().unwrap().is_empty());

    // Another incident answers exactly as one that does not exist.
    let other = e
        .vendor
        .post("/api/incidents/get", &[("id", &e.other_id)])
        .await;
    let missing = e
        .vendor
        .post("/api/incidents/get", &[("id", "INC-2099-9999")])
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!((other.status, other.text), (missing.status, missing.text));
    let page = e.vendor.get(&format!("/incidents/{}", e.other_id)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // Download in scope: a custody event with the vendor's name.
    let r = e
        .vendor
        .get(&format!(
            "/api/evidence/{}/download?reason=analysis",
            e.log_a
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(&r.bytes[..], &b"GET http://c2.example/beacon"[..]);
    let i = incident(&mut e.case.responder, &id).await;
    let item = i["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == e.log_a.as_str())
        .unwrap()
        .clone();
    let last = item["custody"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "downloaded");
    assert_eq!(last["actor"], "f.vendor (outside)");
    // Out of scope: not there. Exports are the organisation's.
    let r = e
        .vendor
        .get(&format!("/api/evidence/{}/download", e.log_b))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = e
        .vendor
        .get(&format!("/api/incidents/{id}/evidence-bundle"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // No timeline in scope: no comments; nothing beyond the scope.
    let r = e
        .vendor
        .post("/api/incidents/comment", &[("id", &id), ("text", "hello")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = e
        .vendor
        .post(
            "/api/incidents/asset/add",
            &[("id", &id), ("asset_type", "host"), ("identifier", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The vendor uploads its findings (not against the checklist).
    let r = common::upload::upload(
        &mut e.vendor,
        &id,
        &common::upload::meta(&[]),
        "timeline.csv",
        b"2026-01-04T23:10Z,macro executed",
    )
    .await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}",
        r.text
    );
    let i = incident(&mut e.case.responder, &id).await;
    assert_eq!(i["evidence"].as_array().unwrap().len(), 3);
}

async fn the_report_feeds_phase_f(db: Db) {
    let mut e = engaged(db).await;
    let id = e.case.id.clone();
    let r = e
        .vendor
        .post(
            "/api/incidents/investigation-report",
            &[&[("id", id.as_str())][..], &parts("exfiltration")].concat(),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("exfiltration".to_string(), "Required".to_string())]
    );
    assert_eq!(e.case.app.count("investigation_reports").await, 0);
    let r = e
        .vendor
        .post(
            "/api/incidents/investigation-report",
            &[&[("id", id.as_str())][..], &parts("")].concat(),
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let i = incident(&mut e.case.officer, &id).await;
    let rep = &i["reports"][0];
    assert_eq!(rep["organisation"], "Forensic Works");
    assert_eq!(
        rep["parts"]["spread"],
        "pc-0042 to file server fs01 over SMB"
    );
    let task = i["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["action_id"] == "e.technical_investigation")
        .unwrap();
    assert_eq!(task["status"], "done");
    assert!(
        i["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|ev| ev["kind"] == "investigation_report_submitted")
    );
    // A handler cannot write the vendor's report.
    let r = e
        .case
        .officer
        .post(
            "/api/incidents/investigation-report",
            &[&[("id", id.as_str())][..], &parts("")].concat(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Revising keeps one report and every version in the timeline.
    let r = e
        .vendor
        .post(
            "/api/incidents/investigation-report",
            &[&[("id", id.as_str())][..], &parts("")].concat(),
        )
        .await;
    assert_eq!(r.json(), done());
    assert_eq!(e.case.app.count("investigation_reports").await, 1);
    assert_eq!(
        incident(&mut e.vendor, &id).await["external"]["report"]["recovery"],
        "Reimage pc-0042; reset k.tanaka; rotate fs01 service account"
    );
}

async fn revocation_and_expiry_end_access_at_the_next_request(db: Db) {
    let mut e = engaged(db).await;
    let id = e.case.id.clone();
    let i = incident(&mut e.case.officer, &id).await;
    let eng = i["engagements"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(i["engagements"][0]["state"], "active");
    // Only the officer revokes, and with a reason.
    let r = e
        .case
        .responder
        .post(
            "/api/incidents/engagement/revoke",
            &[("id", &id), ("engagement", &eng), ("reason", "done")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = e
        .case
        .officer
        .post(
            "/api/incidents/engagement/revoke",
            &[("id", &id), ("engagement", &eng), ("reason", " ")],
        )
        .await;
    assert_eq!(r.field_errors(), vec![("reason".into(), "Required".into())]);
    incident(&mut e.vendor, &id).await;
    let r = e
        .case
        .officer
        .post(
            "/api/incidents/engagement/revoke",
            &[
                ("id", &id),
                ("engagement", &eng),
                ("reason", "contract ended"),
            ],
        )
        .await;
    assert_eq!(r.json(), done());
    // Same session, next request: gone.
    let r = e.vendor.post("/api/incidents/get", &[("id", &id)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(list_total(&mut e.vendor).await, 0);
    let r = e
        .vendor
        .get(&format!("/api/evidence/{}/download", e.log_a))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        incident(&mut e.case.officer, &id).await["engagements"][0]["state"],
        "revoked"
    );

    // A new engagement; then it expires.
    let r = engage(
        &mut e.case.officer,
        &id,
        &e.vendor_org,
        &[("form[phases][]", "E")],
    )
    .await;
    assert_eq!(r.json(), done());
    incident(&mut e.vendor, &id).await;
    let db = &e.case.app.state.hikeshi.db;
    engagement::Entity::update_many()
        .col_expr(
            engagement::Column::ExpiresAt,
            Expr::value(Utc::now() - Duration::minutes(1)),
        )
        .filter(engagement::Column::RevokedAt.is_null())
        .exec(db)
        .await
        .unwrap();
    let r = e.vendor.post("/api/incidents/get", &[("id", &id)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let states: Vec<Value> = incident(&mut e.case.officer, &id).await["engagements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["state"].clone())
        .collect();
    assert_eq!(states, ["revoked", "expired"]);
}

async fn only_the_officer_engages_and_bad_input_stores_nothing(db: Db) {
    let mut e = engaged(db).await;
    let id = e.case.id.clone();
    let before = e.case.app.count("engagements").await;
    let r = engage(
        &mut e.case.responder,
        &id,
        &e.vendor_org,
        &[("form[phases][]", "E")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = e
        .case
        .officer
        .post(
            "/api/incidents/engage",
            &[
                ("id", id.as_str()),
                ("form[organisation]", "not-an-id"),
                ("form[expires_at]", "2020-01-01T00:00"),
            ],
        )
        .await;
    let mut fields: Vec<String> = r.field_errors().into_iter().map(|(f, _)| f).collect();
    fields.sort();
    assert_eq!(fields, ["expires_at", "organisation", "phases"]);
    // An evidence item of another incident is not a choice.
    let other = uuid::Uuid::new_v4().to_string();
    let r = engage(
        &mut e.case.officer,
        &id,
        &e.vendor_org,
        &[("form[evidence]", "on"), ("form[evidence_items][]", &other)],
    )
    .await;
    assert_eq!(
        r.field_errors(),
        vec![("evidence_items".into(), "InvalidChoice".into())]
    );
    assert_eq!(e.case.app.count("engagements").await, before);
    // Organisations are the administrator's.
    let r = e
        .case
        .officer
        .post(
            "/api/organisations/create",
            &[
                ("form[name_ja]", "x"),
                ("form[name_en]", "x"),
                ("form[kind]", "isp"),
                ("form[contract_ref]", "x"),
                ("form[contact]", "x"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = e
        .admin
        .post(
            "/api/organisations/create",
            &[
                ("form[name_ja]", ""),
                ("form[name_en]", ""),
                ("form[kind]", "bank"),
                ("form[contract_ref]", ""),
                ("form[contact]", ""),
            ],
        )
        .await;
    assert_eq!(r.field_errors().len(), 5, "{}", r.text);
}

async fn an_isp_executes_the_requests_addressed_to_it(db: Db) {
    let mut e = engaged(db).await;
    let id = e.case.id.clone();
    let (officer, responder) = (&mut e.case.officer, &mut e.case.responder);
    respond_now(officer, &id).await;
    let assets = add_assets(
        responder,
        &id,
        &[("segment", "10.1.20.0/24"), ("host", "pc-0042")],
    )
    .await;
    let to_isp = approved(
        responder,
        officer,
        &id,
        "segment.change_network",
        &assets["10.1.20.0/24"],
    )
    .await;
    let to_us = approved(
        responder,
        officer,
        &id,
        "host.move_network",
        &assets["pc-0042"],
    )
    .await;
    let isp_org = organisation(&mut e.admin, "Backbone ISP", "isp").await;
    let mut isp = member(&e.case.app, &mut e.admin, "isp.noc", "isp", &isp_org).await;
    assert_eq!(list_total(&mut isp).await, 0);
    let r = engage(officer, &id, &isp_org, &[("form[phases][]", "C")]).await;
    assert_eq!(r.json(), done());
    let seen = incident(&mut isp, &id).await["measures"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(seen.len(), 1, "only the request addressed to the ISP");
    assert_eq!(seen[0]["def"]["id"], "segment.change_network");
    assert!(
        incident(&mut isp, &id).await["evidence"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let r = isp
        .post(
            "/api/incidents/containment/step",
            &[
                ("id", id.as_str()),
                ("measure", &to_isp),
                ("step", "execute"),
                ("note", "Line switched to the walled garden at 14:05"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let r = isp
        .post(
            "/api/incidents/containment/step",
            &[
                ("id", id.as_str()),
                ("measure", &to_us),
                ("step", "execute"),
                ("note", "x"),
            ],
        )
        .await;
    // A measure not addressed to the ISP is not there for it at all.
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let m = incident(officer, &id).await["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["def"]["id"] == "segment.change_network")
        .unwrap()
        .clone();
    assert_eq!(m["status"], "executed");
    assert_eq!(m["executed_by"], "isp.noc (outside)");
}

async fn engagement_and_reminder_mail_is_queued_once(db: Db) {
    let mut e = engaged(db).await;
    let db = e.case.app.state.hikeshi.db.clone();
    let mail = |kind: &'static str| {
        let db = db.clone();
        async move {
            outbox::Entity::find()
                .filter(outbox::Column::Kind.eq(kind))
                .all(&db)
                .await
                .unwrap()
        }
    };
    let granted = mail("engagement_granted").await;
    assert_eq!(granted.len(), 1);
    assert_eq!(granted[0].to_address, "f.vendor@vendor.example");
    assert!(
        granted[0].subject.contains(&e.case.id),
        "{}",
        granted[0].subject
    );

    // Nothing is due yet.
    let now = Utc::now();
    let s = server::services::reminders::scan(&db, now).await.unwrap();
    assert_eq!((s.expiring, s.deadlines), (0, 0));

    // The engagement ends within a day; a checklist item rotates away in an
    // hour; a new report's triage target was missed.
    engagement::Entity::update_many()
        .col_expr(
            engagement::Column::ExpiresAt,
            Expr::value(now + Duration::hours(3)),
        )
        .exec(&db)
        .await
        .unwrap();
    let item = checklist_item::Entity::find()
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    checklist_item::Entity::update_many()
        .col_expr(
            checklist_item::Column::Deadline,
            Expr::value(now + Duration::hours(1)),
        )
        .filter(checklist_item::Column::Id.eq(item.id))
        .exec(&db)
        .await
        .unwrap();
    let late = report(&mut e.case.reporter, "other").await;
    inc_entity::Entity::update_many()
        .col_expr(
            inc_entity::Column::TriageDueAt,
            Expr::value(now - Duration::minutes(5)),
        )
        .filter(inc_entity::Column::HumanId.eq(late.as_str()))
        .exec(&db)
        .await
        .unwrap();
    // The officer wants mail.
    let r = e
        .case
        .officer
        .post(
            "/api/mail/settings/save",
            &[("email", "sato@example.jp"), ("language", "ja")],
        )
        .await;
    assert_eq!(r.json(), done());

    let s = server::services::reminders::scan(&db, now).await.unwrap();
    assert_eq!((s.expiring, s.deadlines, s.breaches), (1, 1, 1));
    let expiring = mail("engagement_expiring").await;
    let mut to: Vec<&str> = expiring.iter().map(|m| m.to_address.as_str()).collect();
    to.sort();
    assert_eq!(to, ["f.vendor@vendor.example", "sato@example.jp"]);
    let officer_mail = expiring
        .iter()
        .find(|m| m.to_address == "sato@example.jp")
        .unwrap();
    assert!(
        officer_mail.subject.contains("まもなく終了"),
        "{}",
        officer_mail.subject
    );
    let deadline = mail("checklist_deadline").await;
    assert_eq!(deadline.len(), 1);
    assert!(deadline[0].subject.contains(&e.case.id));
    let breached = mail("target_breached").await;
    assert_eq!(breached.len(), 1);
    assert!(
        breached[0].subject.contains(&late),
        "{}",
        breached[0].subject
    );

    // A second scan queues nothing again.
    let s = server::services::reminders::scan(&db, now + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!((s.expiring, s.deadlines, s.breaches), (0, 0, 0));
}

on_both_databases!(
    a_vendor_sees_exactly_its_engagement,
    the_report_feeds_phase_f,
    revocation_and_expiry_end_access_at_the_next_request,
    only_the_officer_engages_and_bad_input_stores_nothing,
    an_isp_executes_the_requests_addressed_to_it,
    engagement_and_reminder_mail_is_queued_once,
);
