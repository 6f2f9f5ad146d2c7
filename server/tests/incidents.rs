//! Reporting (phase A), the incident list and the incident page, with the
//! visibility policy, on SQLite and on PostgreSQL.

mod common;

use axum::http::StatusCode;
use chrono::{Datelike, Utc};
use common::{Client, Db, TestApp};

use app::domain::Role;

fn report_form(title: &str, kind: &str) -> Vec<(&'static str, String)> {
    vec![
        ("form[title]", title.to_string()),
        (
            "form[observed]",
            "添付ファイル付きの不審なメールを受信した".into(),
        ),
        ("form[noticed_at]", "2026-01-05T09:30".into()),
        ("form[tz_offset]", "-540".into()),
        ("form[location]", "pc-0042 / tanaka".into()),
        ("form[discovery]", "user_report".into()),
        ("form[kind]", kind.to_string()),
        ("form[reporter_contact]", "内線 1234".into()),
    ]
}

async fn report(c: &mut Client, title: &str, kind: &str) -> String {
    let form = report_form(title, kind);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = c.post("/api/incidents/report", &pairs).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["Done"]
        .as_str()
        .unwrap_or_else(|| panic!("not reported: {}", r.text))
        .to_string()
}

async fn a_report_becomes_a_phase_a_ticket_with_a_sequential_human_id(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut c = app.signed_in("tanaka", &[Role::Reporter]).await;
    let year = Utc::now().year();
    assert_eq!(
        report(&mut c, "Suspicious mail", "targeted_email").await,
        format!("INC-{year}-0001")
    );
    assert_eq!(
        report(&mut c, "Slow web site", "denial_of_service").await,
        format!("INC-{year}-0002")
    );
    let r = c
        .post("/api/incidents/get", &[("id", &format!("INC-{year}-0001"))])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let i = r.json();
    assert_eq!(i["phase"], "A");
    assert_eq!(i["kind"], "targeted_email");
    assert_eq!(i["discovery"], "user_report");
    assert_eq!(i["reporter_username"], "tanaka");
    // 09:30 in Japan is 00:30 UTC.
    assert!(
        i["noticed_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-01-05T00:30:00"),
        "{}",
        i["noticed_at"]
    );
    assert_eq!(
        app.count("audit_log WHERE action = 'incident_reported'")
            .await,
        2
    );
}

async fn an_invalid_report_names_each_field_and_stores_nothing(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut c = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut form = report_form("", "ransom");
    form.retain(|(k, _)| *k != "form[reporter_contact]");
    form.push(("form[reporter_contact]", String::new()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = c.post("/api/incidents/report", &pairs).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.field_errors(),
        [
            ("title".to_string(), "Required".to_string()),
            ("kind".to_string(), "InvalidChoice".to_string()),
            ("reporter_contact".to_string(), "Required".to_string()),
        ]
    );
    assert_eq!(app.count("incidents").await, 0);
}

async fn concurrent_reports_never_share_a_number(db: Db) {
    let app = TestApp::spawn(db).await;
    let c = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut tasks = Vec::new();
    for n in 0..16 {
        let mut c = c.clone();
        tasks.push(tokio::spawn(async move {
            report(&mut c, &format!("burst {n}"), "other").await
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 16, "{ids:?}");
    let year = Utc::now().year();
    assert_eq!(ids.first().unwrap(), &format!("INC-{year}-0001"));
    assert_eq!(ids.last().unwrap(), &format!("INC-{year}-0016"));
}

async fn reporters_see_their_own_incidents_and_handlers_see_all(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut tanaka = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut sato = app.signed_in("sato", &[Role::Reporter]).await;
    let mine = report(&mut tanaka, "mine", "other").await;
    let theirs = report(&mut sato, "theirs", "other").await;

    let list = tanaka.post("/api/incidents/list", &[]).await.json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["rows"][0]["human_id"], mine.as_str());

    // Someone else's incident looks exactly like one that does not exist.
    let r = tanaka.post("/api/incidents/get", &[("id", &theirs)]).await;
    let missing = tanaka
        .post("/api/incidents/get", &[("id", "INC-1999-9999")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        (r.status, r.text.clone()),
        (missing.status, missing.text.clone())
    );
    let page = tanaka.get(&format!("/incidents/{theirs}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(!page.text.contains("theirs"));

    for role in [Role::ItLanAdmin, Role::BuLanAdmin, Role::SecurityOfficer] {
        let mut h = app.signed_in(&format!("h-{}", role.id()), &[role]).await;
        assert_eq!(
            h.post("/api/incidents/list", &[]).await.json()["total"],
            2,
            "{role:?}"
        );
        assert_eq!(
            h.post("/api/incidents/get", &[("id", &theirs)])
                .await
                .status,
            StatusCode::OK
        );
    }
    for role in [Role::ExternalSpecialist, Role::Isp, Role::Admin] {
        let mut o = app.signed_in(&format!("o-{}", role.id()), &[role]).await;
        assert_eq!(
            o.post("/api/incidents/list", &[]).await.json()["total"],
            0,
            "{role:?}"
        );
        assert_eq!(
            o.post("/api/incidents/get", &[("id", &mine)]).await.status,
            StatusCode::NOT_FOUND
        );
    }
}

async fn the_list_filters_pages_and_puts_the_newest_first(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut tanaka = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut sato = app.signed_in("sato", &[Role::Reporter]).await;
    for n in 0..55 {
        report(&mut tanaka, &format!("mail {n}"), "targeted_email").await;
    }
    report(&mut sato, "defaced", "website_defacement").await;
    let mut h = app.signed_in("officer", &[Role::SecurityOfficer]).await;

    let first = h.post("/api/incidents/list", &[]).await.json();
    assert_eq!(first["total"], 56);
    assert_eq!(first["pages"], 2);
    assert_eq!(first["rows"].as_array().unwrap().len(), 50);
    assert_eq!(first["rows"][0]["title"], "defaced", "newest first");
    let second = h.post("/api/incidents/list", &[("page", "2")]).await.json();
    assert_eq!(second["rows"].as_array().unwrap().len(), 6);
    assert_eq!(second["rows"][5]["title"], "mail 0");

    let by_kind = h
        .post("/api/incidents/list", &[("kind", "website_defacement")])
        .await
        .json();
    assert_eq!(by_kind["total"], 1);
    let by_reporter = h
        .post("/api/incidents/list", &[("reporter", "Sato")])
        .await
        .json();
    assert_eq!(by_reporter["total"], 1);
    assert_eq!(by_reporter["rows"][0]["reporter"], "sato (test)");
    assert_eq!(
        h.post("/api/incidents/list", &[("phase", "A")])
            .await
            .json()["total"],
        56
    );
    assert_eq!(
        h.post("/api/incidents/list", &[("phase", "B")])
            .await
            .json()["total"],
        0
    );
    assert_eq!(
        h.post("/api/incidents/list", &[("reporter", "nobody")])
            .await
            .json()["total"],
        0
    );
}

async fn pages_render_on_the_server_for_the_signed_in_and_redirect_the_others(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut anon = app.client();
    let r = anon.get("/incidents").await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
    assert_eq!(r.headers["location"], "/login");
    let login = anon.get("/login").await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.text.contains("<html lang=\"en\""));

    let mut c = app.signed_in("tanaka", &[Role::Reporter]).await;
    let id = report(
        &mut c,
        "Mail with <script>alert(1)</script>",
        "targeted_email",
    )
    .await;
    let list = c.get("/incidents").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text.contains(&id));
    assert!(
        !list.text.contains("<script>alert(1)"),
        "titles are escaped"
    );
    let page = c.get(&format!("/incidents/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("内線 1234"));
    assert!(page.text.contains("Discovery and report"));
}

async fn the_language_follows_the_browser_and_the_switch(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut c = app.client();
    let req = axum::http::Request::get("/login")
        .header("host", common::HOST)
        .header("accept-language", "ja,en;q=0.8")
        .body(axum::body::Body::empty())
        .unwrap();
    let r = c.send(req).await;
    assert!(r.text.contains("<html lang=\"ja\""));
    assert!(r.text.contains("サインイン"));
    let r = c.get("/lang/ja?next=/login").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers["location"], "/login");
    assert!(c.get("/login").await.text.contains("パスワード"));
    let r = c.get("/lang/en?next=//evil.example").await;
    assert_eq!(r.headers["location"], "/", "no open redirect");
}

async fn signed_out_requests_are_refused(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut anon = app.client();
    let form = report_form("x", "other");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        anon.post("/api/incidents/report", &pairs).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        anon.post("/api/incidents/list", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.count("incidents").await, 0);
}

on_both_databases!(
    a_report_becomes_a_phase_a_ticket_with_a_sequential_human_id,
    an_invalid_report_names_each_field_and_stores_nothing,
    concurrent_reports_never_share_a_number,
    reporters_see_their_own_incidents_and_handlers_see_all,
    the_list_filters_pages_and_puts_the_newest_first,
    pages_render_on_the_server_for_the_signed_in_and_redirect_the_others,
    the_language_follows_the_browser_and_the_switch,
    signed_out_requests_are_refused,
);
