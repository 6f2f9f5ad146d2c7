//! The authorisation matrix, on SQLite and PostgreSQL: every subject (no
//! session; the incident's reporter and another reporter; the three internal
//! handling roles; the administrator; a vendor engaged on the incident, one
//! whose engagement expired, one engaged on another incident; an ISP engaged
//! on the incident) against every server function, page and file route the
//! application serves, each compared with the answer the policy expects.
//!
//! The routes are not listed by hand: they are read from the server function
//! registry, the Leptos route list and the router's file routes. A route
//! without an entry in `RULES` fails the test, and so does an entry for a
//! route that no longer exists.

mod common;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use common::external::{add_assets, approved, engage, engaged, member, organisation, respond_now};
use common::flow::{done, incident};
use common::{Client, Db, Response};
use server::entity::engagement;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Subject {
    Anonymous,
    Reporter,
    OtherReporter,
    ItLanAdmin,
    BuLanAdmin,
    Officer,
    Admin,
    Vendor,
    VendorExpired,
    VendorElsewhere,
    Isp,
}

use Subject::*;

const SUBJECTS: [Subject; 11] = [
    Anonymous,
    Reporter,
    OtherReporter,
    ItLanAdmin,
    BuLanAdmin,
    Officer,
    Admin,
    Vendor,
    VendorExpired,
    VendorElsewhere,
    Isp,
];

/// Who is let through, per route. `Handlers` are the three internal
/// handling roles.
#[derive(Clone, Copy, Debug)]
enum Rule {
    /// Everyone, signed in or not.
    Public,
    SignedIn,
    Admin,
    AdminOrOfficer,
    /// Log sources are read by the handlers and the administrator.
    AdminOrHandlers,
    /// Whoever sees the incident: its reporter, the handlers, the engaged.
    SeesIncident,
    Handlers,
    Officer,
    /// The reporter and the handlers (the vendor's scope has no timeline).
    Comment,
    /// Handlers, and the vendor for the evidence its scope covers.
    HandlersAndVendor,
    /// The officer, and the vendor for its own phase-E task.
    OfficerAndVendor,
    /// Handlers, and the ISP for the request addressed to it.
    HandlersAndIsp,
    /// The engaged vendor only.
    Vendor,
    /// Handlers and the parties engaged on the incident now.
    HandlersAndEngaged,
    /// No session opens it.
    Nobody,
}

fn allowed(rule: Rule, s: Subject) -> bool {
    let handler = matches!(s, ItLanAdmin | BuLanAdmin | Officer);
    match rule {
        Rule::Public => true,
        Rule::SignedIn => s != Anonymous,
        Rule::Admin => s == Admin,
        Rule::AdminOrOfficer => matches!(s, Admin | Officer),
        Rule::AdminOrHandlers => s == Admin || handler,
        Rule::SeesIncident => handler || matches!(s, Reporter | Vendor | Isp),
        Rule::Handlers => handler,
        Rule::Officer => s == Officer,
        Rule::Comment => handler || s == Reporter,
        Rule::HandlersAndVendor => handler || s == Vendor,
        Rule::OfficerAndVendor => matches!(s, Officer | Vendor),
        Rule::HandlersAndIsp => handler || s == Isp,
        Rule::Vendor => s == Vendor,
        Rule::HandlersAndEngaged => handler || matches!(s, Vendor | Isp),
        Rule::Nobody => false,
    }
}

/// Every route with its rule. Server functions by path; pages and file
/// routes by their pattern.
const RULES: &[(&str, Rule)] = &[
    ("/api/auth/login", Rule::Public),
    ("/api/auth/logout", Rule::Public),
    ("/api/auth/me", Rule::Public),
    ("/api/model", Rule::Public),
    ("/api/catalogue", Rule::Public),
    ("/api/auth/password", Rule::SignedIn),
    ("/api/incidents/report", Rule::SignedIn),
    ("/api/incidents/list", Rule::SignedIn),
    ("/api/tasks/mine", Rule::SignedIn),
    ("/api/notifications", Rule::SignedIn),
    // The header's badge asks on every page: without a session it is 0.
    ("/api/notifications/unread", Rule::Public),
    ("/api/notifications/read", Rule::SignedIn),
    ("/api/mail/settings", Rule::SignedIn),
    ("/api/mail/settings/save", Rule::SignedIn),
    ("/api/mail/undelivered", Rule::Admin),
    ("/api/users/list", Rule::Admin),
    ("/api/users/create", Rule::Admin),
    ("/api/users/roles", Rule::Admin),
    ("/api/users/active", Rule::Admin),
    ("/api/users/reset-password", Rule::Admin),
    ("/api/users/organisation", Rule::Admin),
    ("/api/organisations/create", Rule::Admin),
    ("/api/organisations/list", Rule::AdminOrOfficer),
    ("/api/log-sources/save", Rule::AdminOrOfficer),
    ("/api/log-sources", Rule::AdminOrHandlers),
    ("/api/detection-settings/save", Rule::AdminOrOfficer),
    ("/api/detection-settings", Rule::AdminOrHandlers),
    ("/api/incidents/get", Rule::SeesIncident),
    ("/api/incidents/comment", Rule::Comment),
    ("/api/incidents/command", Rule::Handlers),
    ("/api/incidents/classify", Rule::Handlers),
    ("/api/incidents/asset/add", Rule::Handlers),
    ("/api/incidents/asset/remove", Rule::Handlers),
    ("/api/incidents/prevention", Rule::Handlers),
    ("/api/incidents/prevention/decide", Rule::Handlers),
    // Log triage: whoever handles the item analyses it; findings are the handlers'.
    ("/api/evidence/analyse", Rule::HandlersAndVendor),
    // The probe's run is on an item of the organisation's, outside the
    // vendor's scope: to the vendor it is not there.
    ("/api/evidence/analyse/cancel", Rule::Handlers),
    ("/api/incidents/finding/promote", Rule::Handlers),
    ("/api/incidents/finding/dismiss", Rule::Handlers),
    ("/api/incidents/finding/task", Rule::Handlers),
    // The notification form is for outsiders: no account needed.
    ("/api/notify", Rule::Public),
    ("/api/incidents/containment/propose", Rule::Handlers),
    ("/api/incidents/evidence/custody", Rule::Handlers),
    ("/api/incidents/evidence/verify", Rule::Handlers),
    ("/api/incidents/assign", Rule::Officer),
    ("/api/incidents/task/assign", Rule::Officer),
    ("/api/incidents/task/waive", Rule::Officer),
    ("/api/incidents/checklist/waive", Rule::Officer),
    ("/api/incidents/engage", Rule::Officer),
    ("/api/incidents/engagement/revoke", Rule::Officer),
    ("/api/incidents/task", Rule::OfficerAndVendor),
    ("/api/incidents/containment/step", Rule::HandlersAndIsp),
    ("/api/incidents/investigation-report", Rule::Vendor),
    // Observables of phase B (the incident's phase): the vendor's scope is
    // phase E, the ISP's C.
    ("/api/incidents/observable/add", Rule::Handlers),
    ("/api/incidents/observable/paste", Rule::Handlers),
    ("/api/incidents/observable/preview", Rule::Handlers),
    ("/api/incidents/observable/edit", Rule::Handlers),
    ("/api/incidents/observable/remove", Rule::Handlers),
    ("/api/allowlist", Rule::Officer),
    ("/api/allowlist/add", Rule::Officer),
    ("/api/allowlist/remove", Rule::Officer),
    ("/api/intel/list", Rule::Handlers),
    ("/api/metrics", Rule::Handlers),
    ("/api/reports/verify", Rule::Handlers),
    // The internal report: handlers, and the parties engaged now (of what
    // their scope shows).
    ("/api/reports/generate", Rule::HandlersAndEngaged),
    ("/api/intel/campaigns", Rule::Handlers),
    ("/api/incidents/observable/share", Rule::Officer),
    ("/api/campaigns/list", Rule::Handlers),
    ("/api/campaigns/get", Rule::Handlers),
    ("/api/campaigns/confirm", Rule::Officer),
    ("/api/campaigns/update", Rule::Officer),
    ("/api/campaigns/add", Rule::Officer),
    ("/api/campaigns/remove", Rule::Officer),
    ("/api/intel/subscriptions", Rule::Officer),
    ("/api/intel/subscribe", Rule::Officer),
    ("/api/intel/poll", Rule::Officer),
    ("/api/intel/unsubscribe", Rule::Officer),
    // Pages.
    // The home page sends the signed-in to the list, others to sign in.
    ("/", Rule::SignedIn),
    ("/login", Rule::Public),
    ("/notify", Rule::Public),
    ("/incidents", Rule::SignedIn),
    ("/incidents/new", Rule::SignedIn),
    ("/incidents/{id}", Rule::SeesIncident),
    ("/tasks", Rule::SignedIn),
    ("/notifications", Rule::SignedIn),
    ("/account", Rule::SignedIn),
    ("/admin/users", Rule::Admin),
    ("/admin/mail", Rule::Admin),
    // Officers read the list (they engage from it); recording is the
    // administrator's (`/api/organisations/create`).
    ("/admin/organisations", Rule::AdminOrOfficer),
    ("/admin/log-sources", Rule::AdminOrHandlers),
    ("/admin/allowlist", Rule::Officer),
    ("/intel", Rule::Handlers),
    ("/metrics", Rule::Handlers),
    ("/reports/verify", Rule::Handlers),
    ("/campaigns/{id}", Rule::Handlers),
    // Files and exports.
    ("/api/incidents/{id}/evidence", Rule::HandlersAndVendor),
    ("/api/evidence/{id}/download", Rule::HandlersAndVendor),
    ("/api/incidents/{id}/custody-report", Rule::Handlers),
    // What each sees of the observables; the reporter none.
    ("/api/incidents/{id}/stix", Rule::HandlersAndEngaged),
    // A body that is no bundle: answered with the field error for the
    // officer, refused before it is read for the others.
    ("/api/intel/import", Rule::Officer),
    // Sensors present the feed token, not a session: no subject's session
    // opens it (and without a configured token there are no feeds).
    ("/feeds/{name}", Rule::Nobody),
    ("/api/incidents/{id}/evidence-bundle", Rule::Handlers),
    ("/api/campaigns/{id}/stix", Rule::Handlers),
    ("/api/metrics/{file}", Rule::Handlers),
    // The officer's report: its handlers (an external party sees its own).
    ("/api/reports/{id}/download", Rule::Handlers),
    ("/api/reports/verify-file", Rule::Handlers),
    // TAXII clients present HTTP Basic credentials, not a session: no
    // subject's session opens any of it (tests/taxii.rs has the rest).
    ("/taxii2/", Rule::Nobody),
    ("/taxii2/api/", Rule::Nobody),
    ("/taxii2/api/status/{status}/", Rule::Nobody),
    ("/taxii2/api/collections/", Rule::Nobody),
    ("/taxii2/api/collections/{collection}/", Rule::Nobody),
    (
        "/taxii2/api/collections/{collection}/objects/",
        Rule::Nobody,
    ),
    (
        "/taxii2/api/collections/{collection}/objects/{object}/",
        Rule::Nobody,
    ),
    (
        "/taxii2/api/collections/{collection}/objects/{object}/versions/",
        Rule::Nobody,
    ),
    (
        "/taxii2/api/collections/{collection}/manifest/",
        Rule::Nobody,
    ),
];

/// What the application serves, read from the application itself.
fn served_routes() -> Vec<(String, &'static str)> {
    let mut routes: Vec<(String, &'static str)> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| (path.to_string(), "server function"))
        .collect();
    for r in leptos_axum::generate_route_list(app::ui::App) {
        routes.push((r.path().to_string(), "page"));
    }
    for (path, _, _) in server::web::file_routes() {
        routes.push((path.to_string(), "file"));
    }
    routes.sort();
    routes.dedup();
    routes
}

/// Everything the requests refer to.
struct Fixture {
    id: String,
    log_a: String,
    e_task: String,
    checklist_item: String,
    isp_measure: String,
    dummy_user: String,
    dummy_engagement: String,
    /// One asset per subject, for removing.
    assets: BTreeMap<String, String>,
    /// Two observables per subject: `name` to change, `name-r` to remove.
    observables: BTreeMap<String, String>,
    /// An allow-list entry to remove.
    allow_entry: String,
    /// A campaign holding the incident.
    campaign: String,
    /// Two TAXII subscriptions: one to poll, one to remove.
    subscriptions: (String, String),
    /// A log-triage run and one of its findings, with a value it implicates.
    triage_run: String,
    finding: (String, String),
    /// A report the officer generated.
    report: String,
}

fn subject_name(s: Subject) -> String {
    format!("{s:?}").to_lowercase()
}

/// The request one subject makes on one route: valid input, so that the
/// answer is decided by who asks.
fn request(path: &str, s: Subject, f: &Fixture) -> (String, Vec<(String, String)>, bool) {
    let form = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
    };
    let id = f.id.as_str();
    let me = subject_name(s);
    let get = |p: String| (p, Vec::new(), false);
    let post = |p: &str, body: Vec<(String, String)>| (p.to_string(), body, true);
    match path {
        "/api/auth/login" => post(path, form(&[("username", "nobody"), ("password", "x")])),
        "/api/auth/password" => post(
            path,
            form(&[
                ("form[current]", "wrong current password"),
                ("form[new]", "a new password for tests"),
                ("form[confirm]", "a new password for tests"),
            ]),
        ),
        "/api/incidents/report" => post(
            path,
            form(&[
                ("form[title]", "Matrix probe"),
                ("form[observed]", "Nothing, really."),
                ("form[noticed_at]", "2026-01-05T09:30"),
                ("form[location]", "pc-0001"),
                ("form[discovery]", "internal_detection"),
                ("form[kind]", "other"),
                ("form[reporter_contact]", "x@example.jp"),
            ]),
        ),
        "/api/mail/settings/save" => post(path, form(&[("email", ""), ("language", "en")])),
        "/api/users/create" => post(
            path,
            form(&[
                ("form[username]", &format!("created.by.{me}")),
                ("form[display_name]", "Created"),
                ("form[password]", "a password for tests"),
                ("form[roles][]", "reporter"),
            ]),
        ),
        "/api/users/roles" => post(
            path,
            form(&[("user", &f.dummy_user), ("roles[]", "reporter")]),
        ),
        "/api/users/active" => post(path, form(&[("user", &f.dummy_user), ("active", "true")])),
        "/api/users/reset-password" => post(
            path,
            form(&[
                ("user", &f.dummy_user),
                ("password", "another password for tests"),
            ]),
        ),
        "/api/users/organisation" => {
            post(path, form(&[("user", &f.dummy_user), ("organisation", "")]))
        }
        "/api/organisations/create" => post(
            path,
            form(&[
                ("form[name_ja]", "検証"),
                ("form[name_en]", &format!("Probe {me}")),
                ("form[kind]", "isp"),
                ("form[contract_ref]", "ToS"),
                ("form[contact]", "noc@example.net"),
            ]),
        ),
        "/api/log-sources/save" => post(
            path,
            form(&[
                ("source", "firewall"),
                ("system", &format!("fw-{me}")),
                ("retention_days", "30"),
            ]),
        ),
        "/api/incidents/get" => post(path, form(&[("id", id)])),
        "/api/incidents/comment" => post(path, form(&[("id", id), ("text", "matrix probe")])),
        "/api/incidents/command" => {
            post(path, form(&[("id", id), ("command", "take_into_triage")]))
        }
        "/api/incidents/classify" => post(path, form(&[("id", id), ("tlp", "amber")])),
        "/api/incidents/asset/add" => post(
            path,
            form(&[
                ("id", id),
                ("asset_type", "host"),
                ("identifier", &format!("probe-{me}")),
            ]),
        ),
        "/api/incidents/asset/remove" => post(path, form(&[("id", id), ("asset", &f.assets[&me])])),
        "/api/evidence/analyse" => post(path, form(&[("evidence", &f.log_a), ("format", "")])),
        "/api/evidence/analyse/cancel" => post(path, form(&[("run", &f.triage_run)])),
        "/api/incidents/finding/promote" => post(
            path,
            form(&[
                ("id", id),
                ("finding", &f.finding.0),
                ("kind", "c2_domain"),
                ("value", &f.finding.1),
            ]),
        ),
        "/api/detection-settings/save" => post(path, form(&[("text", "")])),
        "/api/detection-settings" => post(path, form(&[])),
        "/api/incidents/finding/task" => post(
            path,
            form(&[
                ("id", id),
                ("finding", &f.finding.0),
                ("role", "it_lan_admin"),
            ]),
        ),
        "/api/incidents/finding/dismiss" => post(
            path,
            form(&[("id", id), ("finding", &f.finding.0), ("reason", "probe")]),
        ),
        "/api/incidents/prevention/decide" => post(
            path,
            form(&[
                ("id", id),
                ("item", "*"),
                ("form[decision]", "accepted"),
                ("form[note]", "probe"),
            ]),
        ),
        "/api/notify" => post(
            path,
            form(&[
                ("form[organisation]", "Probe CERT"),
                ("form[contact]", "probe@example.org"),
                ("form[subject]", "probe"),
                ("form[details]", "probe"),
            ]),
        ),
        "/api/incidents/prevention" => post(
            path,
            form(&[
                ("id", id),
                ("technical", "Macro policy"),
                ("operational", "Training"),
            ]),
        ),
        "/api/incidents/containment/propose" => post(
            path,
            form(&[
                ("id", id),
                ("measure", "host.move_network"),
                ("asset", &f.assets[&format!("{me}-p")]),
                ("reason", "probe"),
                ("expected_effect", "probe"),
            ]),
        ),
        "/api/incidents/evidence/custody" => post(
            path,
            form(&[
                ("id", id),
                ("evidence", &f.log_a),
                ("kind", "transferred"),
                ("from", "a"),
                ("to", "b"),
                ("reason", "probe"),
            ]),
        ),
        "/api/incidents/evidence/verify" => post(path, form(&[("id", id), ("evidence", &f.log_a)])),
        "/api/incidents/assign" => post(
            path,
            form(&[("id", id), ("responder", ""), ("officer", "")]),
        ),
        "/api/incidents/task/assign" => post(
            path,
            form(&[("id", id), ("task", &f.e_task), ("assignee", "")]),
        ),
        "/api/incidents/task/waive" => post(
            path,
            form(&[("id", id), ("task", &f.e_task), ("reason", "probe")]),
        ),
        "/api/incidents/checklist/waive" => post(
            path,
            form(&[("id", id), ("item", &f.checklist_item), ("reason", "probe")]),
        ),
        "/api/incidents/engage" => post(
            path,
            form(&[
                ("id", id),
                (
                    "form[organisation]",
                    f.dummy_engagement.split('/').next().unwrap_or(""),
                ),
                ("form[phases][]", "E"),
                ("form[expires_at]", &common::external::in_days(3)),
            ]),
        ),
        "/api/incidents/engagement/revoke" => post(
            path,
            form(&[
                ("id", id),
                (
                    "engagement",
                    f.dummy_engagement.split('/').nth(1).unwrap_or(""),
                ),
                ("reason", "probe"),
            ]),
        ),
        "/api/incidents/task" => post(
            path,
            form(&[("id", id), ("task", &f.e_task), ("status", "in_progress")]),
        ),
        "/api/incidents/containment/step" => post(
            path,
            form(&[
                ("id", id),
                ("measure", &f.isp_measure),
                ("step", "execute"),
                ("note", "probe"),
            ]),
        ),
        "/api/incidents/investigation-report" => post(
            path,
            form(&[
                ("id", id),
                ("parts[intrusion_path]", "a"),
                ("parts[spread]", "b"),
                ("parts[exfiltration]", "c"),
                ("parts[recovery]", "d"),
            ]),
        ),
        "/api/incidents/observable/add" => post(
            path,
            form(&[
                ("id", id),
                ("form[kind]", "c2_domain"),
                ("form[value]", &format!("added-{me}.example")),
                ("form[tlp]", "amber"),
                ("form[pap]", "green"),
            ]),
        ),
        "/api/incidents/observable/paste" => post(
            path,
            form(&[
                ("id", id),
                ("form[block]", &format!("pasted-{me}.example\n198.51.100.9")),
                ("form[tlp]", "amber"),
                ("form[pap]", "green"),
            ]),
        ),
        "/api/incidents/observable/preview" => {
            post(path, form(&[("id", id), ("block", "hxxp://x[.]example/a")]))
        }
        "/api/incidents/observable/edit" => post(
            path,
            form(&[
                ("id", id),
                ("observable", &f.observables[&me]),
                ("tlp", "green"),
                ("pap", "clear"),
                ("indicator", "true"),
            ]),
        ),
        "/api/incidents/observable/remove" => post(
            path,
            form(&[
                ("id", id),
                ("observable", &f.observables[&format!("{me}-r")]),
            ]),
        ),
        "/api/allowlist/add" => post(
            path,
            form(&[("value", &format!("allow-{me}.example")), ("note", "probe")]),
        ),
        "/api/allowlist/remove" => post(path, form(&[("entry", &f.allow_entry)])),
        "/api/incidents/observable/share" => post(
            path,
            form(&[
                ("id", id),
                ("observable", &f.observables[&me]),
                ("share", "true"),
            ]),
        ),
        "/api/campaigns/get" => post(path, form(&[("id", &f.campaign)])),
        "/api/campaigns/confirm" => post(
            path,
            form(&[("form[name]", &format!("Probe {me}")), ("incidents", id)]),
        ),
        "/api/campaigns/update" => post(
            path,
            form(&[
                ("id", &f.campaign),
                ("form[name]", &format!("Renamed by {me}")),
            ]),
        ),
        "/api/campaigns/add" => post(path, form(&[("id", &f.campaign), ("incidents", id)])),
        "/api/campaigns/remove" => post(path, form(&[("id", &f.campaign), ("incident", id)])),
        "/api/intel/subscribe" => post(
            path,
            form(&[
                ("form[name]", &format!("Probe {me}")),
                ("form[api_root]", "http://127.0.0.1:9/api/"),
                ("form[collection]", "probe"),
            ]),
        ),
        "/api/intel/poll" => post(path, form(&[("subscription", &f.subscriptions.0)])),
        "/api/intel/unsubscribe" => post(path, form(&[("subscription", &f.subscriptions.1)])),
        "/campaigns/{id}" => get(format!("/campaigns/{}", f.campaign)),
        "/api/metrics" => post(path, form(&[("form[every]", "week")])),
        "/api/reports/generate" => post(
            path,
            form(&[
                ("id", id),
                ("form[template]", "internal"),
                ("form[lang]", "ja"),
                ("form[audience]", &format!("probe {me}")),
            ]),
        ),
        "/api/reports/{id}/download" => get(format!("/api/reports/{}/download", f.report)),
        "/api/reports/verify" => post(path, form(&[("sha256", &"0".repeat(64))])),
        "/reports/verify" => get(format!("/reports/verify?sha256={}", "0".repeat(64))),
        "/api/metrics/{file}" => get("/api/metrics/kpis.csv?every=week".to_string()),
        "/api/campaigns/{id}/stix" => get(format!("/api/campaigns/{}/stix", f.campaign)),
        p if p.starts_with("/taxii2/") => get(p
            .replace("{collection}", "5d0a6c1e-7b2f-4c6a-9e1d-3a8f0b4c2d02")
            .replace(
                "{object}",
                "indicator--5c8f8a26-5b2f-4b6e-8d3e-0f3c9a7a1b11",
            )
            .replace("{status}", "5c8f8a26-5b2f-4b6e-8d3e-0f3c9a7a1b11")),
        "/incidents/{id}" => get(format!("/incidents/{id}")),
        "/api/evidence/{id}/download" => {
            get(format!("/api/evidence/{}/download?reason=probe", f.log_a))
        }
        "/api/incidents/{id}/custody-report" => get(format!("/api/incidents/{id}/custody-report")),
        "/api/incidents/{id}/stix" => get(format!("/api/incidents/{id}/stix?tlp=green")),
        "/feeds/{name}" => get("/feeds/rpz".to_string()),
        "/api/incidents/{id}/evidence-bundle" => {
            get(format!("/api/incidents/{id}/evidence-bundle"))
        }
        "/api/incidents/{id}/evidence" => {
            (format!("/api/incidents/{id}/evidence"), Vec::new(), true)
        }
        p if p.starts_with("/api/") => post(p, Vec::new()),
        p => get(p.to_string()),
    }
}

/// Refused: no session, forbidden, or not there; or sent to sign in.
fn refused(r: &Response) -> bool {
    matches!(
        r.status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ) || (r.status.is_redirection()
        && r.headers
            .get("location")
            .and_then(|l| l.to_str().ok())
            .is_some_and(|l| l.starts_with("/login")))
}

/// A proxy log with a CONNECT to port 8443, uploaded and analysed: the run
/// and its finding (id, the domain it implicates).
async fn analysed(c: &mut Client, id: &str) -> (String, (String, String)) {
    let log = b"1767600030.300   3000 192.168.1.10 TCP_TUNNEL/200 40960 CONNECT evil.example:8443 - HIER_DIRECT/198.51.100.66 -\n";
    let r = common::upload::upload(c, id, &common::upload::meta(&[]), "tunnel.log", log).await;
    assert!(r.json()["Done"].is_string(), "{}", r.text);
    let i = common::flow::incident(c, id).await;
    let item = i["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["file_name"] == "tunnel.log")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = c
        .post(
            "/api/evidence/analyse",
            &[("evidence", &item), ("format", "squid_native")],
        )
        .await;
    let run = r.json().as_str().expect(&r.text).to_string();
    for _ in 0..200 {
        let i = common::flow::incident(c, id).await;
        if let Some(f) = i["findings"].as_array().and_then(|a| a.first()) {
            let value = f["observables"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["kind"] == "c2_domain")
                .unwrap()["value"]
                .as_str()
                .unwrap()
                .to_string();
            return (run, (f["id"].as_str().unwrap().to_string(), value));
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the analysis gave no finding");
}

async fn subject_clients(e: &mut common::external::Engaged) -> (Vec<(Subject, Client)>, Fixture) {
    let app = &e.case.app;
    let id = e.case.id.clone();
    // The ISP's request: decided, a segment, proposed and approved; one
    // host per subject to remove and one to propose against.
    respond_now(&mut e.case.officer, &id).await;
    let mut wanted: Vec<(String, String)> = vec![("segment".into(), "10.1.20.0/24".into())];
    for s in SUBJECTS {
        wanted.push(("host".into(), subject_name(s)));
        wanted.push(("host".into(), format!("{}-p", subject_name(s))));
    }
    let wanted: Vec<(&str, &str)> = wanted
        .iter()
        .map(|(t, n)| (t.as_str(), n.as_str()))
        .collect();
    let assets = add_assets(&mut e.case.responder, &id, &wanted).await;
    let isp_measure = approved(
        &mut e.case.responder,
        &mut e.case.officer,
        &id,
        "segment.change_network",
        &assets["10.1.20.0/24"],
    )
    .await;
    // Observables of phase B: two per subject.
    let block: String = SUBJECTS
        .iter()
        .flat_map(|s| {
            let n = subject_name(*s);
            [
                format!("c2_domain: {n}.probe.example"),
                format!("c2_domain: {n}-r.probe.example"),
            ]
        })
        .collect::<Vec<_>>()
        .join("\n");
    let r = e
        .case
        .responder
        .post(
            "/api/incidents/observable/paste",
            &[
                ("id", &id),
                ("form[block]", &block),
                ("form[tlp]", "amber"),
                ("form[pap]", "amber"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let r = e
        .case
        .officer
        .post("/api/allowlist/add", &[("value", "fixture.allow.example")])
        .await;
    let allow_entry = r.json()["Done"].as_str().unwrap().to_string();
    let i = incident(&mut e.case.officer, &id).await;
    let observables: BTreeMap<String, String> = i["observables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let name = o["value"]
                .as_str()
                .unwrap()
                .trim_end_matches(".probe.example");
            (name.to_string(), o["id"].as_str().unwrap().to_string())
        })
        .collect();
    let e_task = i["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["action_id"] == "e.technical_investigation")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let checklist_item = i["checklist"][0]["id"].as_str().unwrap().to_string();
    let r = e
        .case
        .officer
        .post(
            "/api/campaigns/confirm",
            &[("form[name]", "Fixture campaign"), ("incidents", &id)],
        )
        .await;
    let campaign = r.json()["Done"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.text))
        .to_string();
    let mut subscriptions = Vec::new();
    for name in ["poll", "remove"] {
        let r = e
            .case
            .officer
            .post(
                "/api/intel/subscribe",
                &[
                    ("form[name]", name),
                    ("form[api_root]", "http://127.0.0.1:9/api/"),
                    ("form[collection]", "fixture"),
                ],
            )
            .await;
        subscriptions.push(r.json()["Done"].as_str().unwrap().to_string());
    }

    // The other parties.
    let admin = &mut e.admin;
    let expired_org = organisation(admin, "Late Forensics", "forensics_vendor").await;
    let expired = member(
        app,
        admin,
        "late.vendor",
        "external_specialist",
        &expired_org,
    )
    .await;
    let r = engage(
        &mut e.case.officer,
        &id,
        &expired_org,
        &[("form[phases][]", "E"), ("form[evidence]", "on")],
    )
    .await;
    assert_eq!(r.json(), done());
    engagement::Entity::update_many()
        .col_expr(
            engagement::Column::ExpiresAt,
            Expr::value(Utc::now() - Duration::hours(1)),
        )
        .filter(engagement::Column::OrganisationId.eq(uuid::Uuid::parse_str(&expired_org).unwrap()))
        .exec(&app.state.hikeshi.db)
        .await
        .unwrap();
    let elsewhere_org = organisation(admin, "Other Forensics", "forensics_vendor").await;
    let elsewhere = member(
        app,
        admin,
        "other.vendor",
        "external_specialist",
        &elsewhere_org,
    )
    .await;
    let r = engage(
        &mut e.case.officer,
        &e.other_id,
        &elsewhere_org,
        &[
            ("form[phases][]", "E"),
            ("form[evidence]", "on"),
            ("form[timeline]", "on"),
        ],
    )
    .await;
    assert_eq!(r.json(), done());
    let isp_org = organisation(admin, "Backbone ISP", "isp").await;
    let isp = member(app, admin, "isp.noc", "isp", &isp_org).await;
    let r = engage(
        &mut e.case.officer,
        &id,
        &isp_org,
        &[("form[phases][]", "C")],
    )
    .await;
    assert_eq!(r.json(), done());
    let dummy_org = organisation(admin, "Dummy Org", "isp").await;
    let r = engage(
        &mut e.case.officer,
        &id,
        &dummy_org,
        &[("form[phases][]", "C")],
    )
    .await;
    assert_eq!(r.json(), done());
    let i = incident(&mut e.case.officer, &id).await;
    let dummy_engagement = i["engagements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["organisation"] == "Dummy Org")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let dummy_user = app
        .user("dummy.user", &[app::domain::Role::Reporter])
        .await
        .to_string();
    let other_reporter = app
        .signed_in("other.reporter", &[app::domain::Role::Reporter])
        .await;
    let bu = app
        .signed_in("bu.admin", &[app::domain::Role::BuLanAdmin])
        .await;
    let admin_client = app.admin().await;
    let (triage_run, finding) = analysed(&mut e.case.responder, &id).await;
    let r = e
        .case
        .officer
        .post(
            "/api/reports/generate",
            &[
                ("id", &id),
                ("form[template]", "internal"),
                ("form[lang]", "en"),
                ("form[audience]", "the board"),
            ],
        )
        .await;
    let report = r.json()["Done"].as_str().expect(&r.text).to_string();

    let fixture = Fixture {
        id,
        log_a: e.log_a.clone(),
        e_task,
        checklist_item,
        isp_measure,
        dummy_user,
        dummy_engagement: format!("{dummy_org}/{dummy_engagement}"),
        assets,
        observables,
        allow_entry,
        campaign,
        subscriptions: (subscriptions[0].clone(), subscriptions[1].clone()),
        triage_run,
        finding,
        report,
    };
    let clients = vec![
        (Anonymous, app.client()),
        (
            Reporter,
            std::mem::replace(&mut e.case.reporter, app.client()),
        ),
        (OtherReporter, other_reporter),
        (
            ItLanAdmin,
            std::mem::replace(&mut e.case.responder, app.client()),
        ),
        (BuLanAdmin, bu),
        (
            Officer,
            std::mem::replace(&mut e.case.officer, app.client()),
        ),
        (Admin, admin_client),
        (Vendor, std::mem::replace(&mut e.vendor, app.client())),
        (VendorExpired, expired),
        (VendorElsewhere, elsewhere),
        (Isp, isp),
    ];
    (clients, fixture)
}

async fn every_route_answers_every_subject_as_the_policy_says(db: Db) {
    // Every served route has a rule, every rule a route.
    let served = served_routes();
    let rules: BTreeMap<&str, Rule> = RULES.iter().copied().collect();
    let unruled: Vec<String> = served
        .iter()
        .filter(|(p, _)| !rules.contains_key(p.as_str()))
        .map(|(p, kind)| format!("{kind} {p}"))
        .collect();
    assert!(
        unruled.is_empty(),
        "routes without a policy entry: {unruled:?}"
    );
    let stale: Vec<&str> = RULES
        .iter()
        .map(|(p, _)| *p)
        .filter(|p| !served.iter().any(|(s, _)| s == p))
        .collect();
    assert!(
        stale.is_empty(),
        "policy entries for routes not served: {stale:?}"
    );
    assert!(served.len() >= 55, "{}", served.len());

    let mut e = engaged(db).await;
    let (mut clients, f) = subject_clients(&mut e).await;
    contents_follow_the_policy(&mut clients, &f).await;
    // Signing out goes last: it ends the subject's session.
    let mut order: Vec<&str> = RULES
        .iter()
        .map(|(p, _)| *p)
        .filter(|p| *p != "/api/auth/logout")
        .collect();
    order.push("/api/auth/logout");
    let mut wrong = Vec::new();
    let mut asked = 0;
    for path in order {
        let rule = rules[path];
        for (s, c) in clients.iter_mut() {
            let (url, body, is_post) = request(path, *s, &f);
            let r = if path == "/api/incidents/{id}/evidence" {
                common::upload::upload(
                    c,
                    &f.id,
                    &common::upload::meta(&[]),
                    &format!("{}.log", subject_name(*s)),
                    b"probe",
                )
                .await
            } else if is_post {
                let pairs: Vec<(&str, &str)> =
                    body.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                c.post(&url, &pairs).await
            } else {
                c.get(&url).await
            };
            asked += 1;
            let expected = allowed(rule, *s);
            if refused(&r) == expected {
                wrong.push(format!(
                    "{s:?} {path}: expected {}, got {} {}",
                    if expected { "allowed" } else { "refused" },
                    r.status,
                    r.text.chars().take(120).collect::<String>()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {asked} answers differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The same subjects compared by what the pages and server functions *say*:
/// texts that only some may read are planted, then every subject's incident
/// page (HTML and data), list, tasks and notifications are searched for them.
/// Who may read a planted text.
type MayRead = Box<dyn Fn(Subject) -> bool>;

async fn contents_follow_the_policy(clients: &mut [(Subject, Client)], f: &Fixture) {
    let id = f.id.as_str();
    let client = |clients: &mut [(Subject, Client)], s: Subject| -> Client {
        let i = clients.iter().position(|(x, _)| *x == s).unwrap();
        std::mem::replace(&mut clients[i].1, Client::placeholder())
    };
    let put_back = |clients: &mut [(Subject, Client)], s: Subject, c: Client| {
        let i = clients.iter().position(|(x, _)| *x == s).unwrap();
        clients[i].1 = c;
    };
    let mut it = client(clients, ItLanAdmin);
    let r = it
        .post(
            "/api/incidents/comment",
            &[
                ("id", id),
                ("text", "internal-note-7f3a: the CFO clicked it"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let r = it
        .post(
            "/api/incidents/comment",
            &[
                ("id", id),
                ("text", "for-reporter-51c2: keep the PC off"),
                ("audience", "reporter"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let handler_view = incident(&mut it, id).await;
    put_back(clients, ItLanAdmin, it);
    let log_b = handler_view["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["file_name"] == "squid-b.log")
        .unwrap()
        .clone();
    let reporter = handler_view["reporter"].as_str().unwrap().to_string();
    let contact = handler_view["reporter_contact"]
        .as_str()
        .unwrap()
        .to_string();
    let handler = |s: Subject| matches!(s, ItLanAdmin | BuLanAdmin | Officer);
    // (text, who may read it)
    let secrets: Vec<(String, MayRead)> = vec![
        (reporter, Box::new(move |s| handler(s) || s == Reporter)),
        (contact, Box::new(move |s| handler(s) || s == Reporter)),
        ("internal-note-7f3a".into(), Box::new(handler)),
        (
            "for-reporter-51c2".into(),
            Box::new(move |s| handler(s) || s == Reporter),
        ),
        ("squid-b.log".into(), Box::new(handler)),
        (
            log_b["sha256"].as_str().unwrap().to_string(),
            Box::new(handler),
        ),
        (log_b["id"].as_str().unwrap().to_string(), Box::new(handler)),
        // The observables of phase B, in the page, the data and the
        // timeline: no outside party's scope has phase B.
        (".probe.example".into(), Box::new(handler)),
    ];
    let mut wrong = Vec::new();
    for (s, c) in clients.iter_mut() {
        let mut seen = String::new();
        for page in [
            format!("/incidents/{id}"),
            "/incidents".into(),
            "/tasks".into(),
        ] {
            seen.push_str(&c.get(&page).await.text);
        }
        for (path, form) in [
            ("/api/incidents/get", vec![("id", id)]),
            ("/api/incidents/list", vec![]),
            ("/api/tasks/mine", vec![]),
            ("/api/notifications", vec![]),
        ] {
            seen.push_str(&c.post(path, &form).await.text);
        }
        for (text, may) in &secrets {
            if seen.contains(text.as_str()) != may(*s) {
                wrong.push(format!(
                    "{s:?} {} {text:?}",
                    if may(*s) { "misses" } else { "sees" }
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "contents differ:\n{}", wrong.join("\n"));
}

on_both_databases!(every_route_answers_every_subject_as_the_policy_says);
