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
    assert_eq!(first["more_than_total"], false);
    assert_eq!(first["rows"].as_array().unwrap().len(), 50);
    assert_eq!(first["rows"][0]["title"], "defaced", "newest first");
    assert!(first["prev"].is_null(), "nothing is newer than the newest");
    // The older page starts after the first page's last row, by cursor.
    let next = first["next"].as_str().unwrap().to_string();
    let second = h
        .post("/api/incidents/list", &[("after", next.as_str())])
        .await
        .json();
    assert_eq!(second["rows"].as_array().unwrap().len(), 6);
    assert_eq!(second["rows"][0]["title"], "mail 5");
    assert_eq!(second["rows"][5]["title"], "mail 0");
    assert!(second["next"].is_null(), "the oldest page");
    // And back: the newer page from the second page's first row is the
    // first page again, in the same order.
    let prev = second["prev"].as_str().unwrap().to_string();
    let back = h
        .post("/api/incidents/list", &[("before", prev.as_str())])
        .await
        .json();
    assert_eq!(back["rows"], first["rows"]);
    assert!(back["prev"].is_null() && back["next"] == first["next"]);
    // An incident reported meanwhile does not shift the older page.
    report(&mut tanaka, "mail late", "targeted_email").await;
    let again = h
        .post("/api/incidents/list", &[("after", next.as_str())])
        .await
        .json();
    assert_eq!(again["rows"], second["rows"]);
    // A cursor that does not parse is the newest page, as other bad values.
    let bad = h
        .post("/api/incidents/list", &[("after", "x~1")])
        .await
        .json();
    assert_eq!(bad["rows"][0]["title"], "mail late");
    // Filters and the cursor together.
    let mails = h
        .post(
            "/api/incidents/list",
            &[("kind", "targeted_email"), ("after", next.as_str())],
        )
        .await
        .json();
    assert_eq!(mails["rows"].as_array().unwrap().len(), 6);

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
        57
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

/// Posts the report form with other values for some fields.
async fn report_with(c: &mut Client, changes: &[(&'static str, &str)]) -> common::Response {
    let mut form = report_form("Suspicious mail", "targeted_email");
    for (k, v) in changes {
        form.retain(|(key, _)| key != k);
        form.push((k, v.to_string()));
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    c.post("/api/incidents/report", &pairs).await
}

async fn an_impossible_time_zone_offset_answers_a_field_error_not_a_dropped_connection(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut c = app.signed_in("tanaka", &[Role::Reporter]).await;
    for tz in ["-9223372036854775808", "9223372036854775807", "100000"] {
        let r = report_with(&mut c, &[("form[tz_offset]", tz)]).await;
        assert_eq!(r.status, StatusCode::OK, "{tz}: {}", r.text);
        assert_eq!(
            r.field_errors(),
            [("noticed_at".to_string(), "InvalidTimeZone".to_string())],
            "{tz}"
        );
    }
    assert_eq!(app.count("incidents").await, 0);
}

async fn a_report_noticed_in_year_minus_262143_is_refused_with_a_field_error(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut c = app.signed_in("tanaka", &[Role::Reporter]).await;
    for noticed in [
        "-262143-01-01T00:00",
        "1900-01-01T00:00",
        "+262142-12-31T23:59",
    ] {
        let r = report_with(
            &mut c,
            &[("form[noticed_at]", noticed), ("form[tz_offset]", "")],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{noticed}: {}", r.text);
        assert_eq!(
            r.field_errors(),
            [("noticed_at".to_string(), "DateOutOfRange".to_string())],
            "{noticed}"
        );
    }
    assert_eq!(app.count("incidents").await, 0);
}

/// What an older version let in stays in the database: the incident is
/// written directly with the most extreme dates each database holds, then
/// triaged (which computes the preservation deadlines from when it was
/// noticed) and decided (which computes the time targets from when it was
/// reported).
async fn an_incident_with_extreme_stored_dates_can_still_be_triaged(db: Db) {
    use chrono::{DateTime, NaiveDate};
    use common::flow::{command, done, finish_required};
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use server::entity::incident;

    let app = TestApp::spawn(db).await;
    let mut admin = app.admin().await;
    let r = admin
        .post(
            "/api/log-sources/save",
            &[
                ("source", "proxy"),
                ("system", "squid01"),
                ("retention_days", "90"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let id = report(&mut reporter, "Ancient beaconing", "targeted_email").await;

    // PostgreSQL's timestamps start in 4713 BC; SQLite keeps whatever text
    // chrono wrote, down to its own limit.
    let ancient = match db {
        Db::Sqlite => DateTime::<Utc>::MIN_UTC,
        Db::Postgres => NaiveDate::from_ymd_opt(-4712, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc(),
    };
    let end_of_time = NaiveDate::from_ymd_opt(262_142, 12, 31)
        .unwrap()
        .and_hms_opt(23, 59, 59)
        .unwrap()
        .and_utc();
    let changed = incident::Entity::update_many()
        .col_expr(incident::Column::NoticedAt, Expr::value(ancient))
        .col_expr(incident::Column::CreatedAt, Expr::value(end_of_time))
        .filter(incident::Column::HumanId.eq(id.as_str()))
        .exec(&app.state.hikeshi.db)
        .await
        .unwrap();
    assert_eq!(changed.rows_affected, 1);

    finish_required(&mut officer, &id).await;
    let r = command(&mut officer, &id, "take_into_triage", &[]).await;
    assert_eq!(r.json(), done(), "{}", r.text);
    assert_eq!(app.count("checklist_items").await, 1);
    let r = command(
        &mut officer,
        &id,
        "decide",
        &[
            ("decision", "respond_now"),
            ("severity", "high"),
            ("reason", "beaconing confirmed"),
        ],
    )
    .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let i = common::flow::incident(&mut officer, &id).await;
    assert_eq!(i["phase"], "B");
    assert_eq!(i["severity"], "high");
    assert!(
        i["checklist"][0]["deadline"]
            .as_str()
            .is_some_and(|d| d.starts_with("0001-")),
        "{}",
        i["checklist"]
    );
    let page = officer.get(&format!("/incidents/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
}

async fn waive_reasons_and_custody_fields_have_length_limits(db: Db) {
    use common::flow::{done, incident};
    use common::upload::{meta, triaged, upload};

    let mut c = triaged(db).await;
    let long_reason = "理".repeat(2_001);
    let i = incident(&mut c.officer, &c.id).await;
    let item = i["checklist"][0]["id"].as_str().unwrap().to_string();
    let r = c
        .officer
        .post(
            "/api/incidents/checklist/waive",
            &[("id", &c.id), ("item", &item), ("reason", &long_reason)],
        )
        .await;
    assert_eq!(
        r.field_errors(),
        [("reason".to_string(), "TooLong".to_string())],
        "{}",
        r.text
    );
    let task = i["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["phase"] == "B" && t["status"] == "open")
        .expect("an open task in B")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = c
        .officer
        .post(
            "/api/incidents/task/waive",
            &[("id", &c.id), ("task", &task), ("reason", &long_reason)],
        )
        .await;
    assert_eq!(
        r.field_errors(),
        [("reason".to_string(), "TooLong".to_string())],
        "{}",
        r.text
    );

    let r = upload(
        &mut c.responder,
        &c.id,
        &meta(&[]),
        "access.log",
        b"log line\n",
    )
    .await;
    let evidence = r.json()["Done"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.text))
        .to_string();
    let party = "p".repeat(256);
    let r = c
        .officer
        .post(
            "/api/incidents/evidence/custody",
            &[
                ("id", &c.id),
                ("evidence", &evidence),
                ("kind", "transferred"),
                ("from", &party),
                ("to", &party),
                ("reason", &long_reason),
            ],
        )
        .await;
    assert_eq!(
        r.field_errors(),
        [
            ("reason".to_string(), "TooLong".to_string()),
            ("from".to_string(), "TooLong".to_string()),
            ("to".to_string(), "TooLong".to_string()),
        ],
        "{}",
        r.text
    );
    assert_eq!(
        c.app
            .count("custody_events WHERE kind = 'transferred'")
            .await,
        0
    );
    // Within the limits all three are recorded.
    let r = c
        .officer
        .post(
            "/api/incidents/evidence/custody",
            &[
                ("id", &c.id),
                ("evidence", &evidence),
                ("kind", "transferred"),
                ("from", "Sato"),
                ("to", "Forensics Ltd"),
                ("reason", &"理".repeat(2_000)),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
}

/// A right-to-left override turns `invoice<RLO>fdp.exe` into what reads as
/// `invoiceexe.pdf`; a NUL cuts the name short in other tools; zero-width
/// characters make two names look alike.
async fn invisible_characters_are_stripped_from_titles_and_file_names(db: Db) {
    use common::flow::incident;
    use common::upload::{meta, triaged, upload};

    let mut c = triaged(db).await;
    let mut reporter = c.reporter.clone();
    let id = report(
        &mut reporter,
        "Invoice\u{202E}fdp.exe\u{0}\u{200B} from \u{2066}HR\u{2069}",
        "targeted_email",
    )
    .await;
    let i = incident(&mut c.officer, &id).await;
    assert_eq!(i["title"], "Invoicefdp.exe from HR");

    let r = upload(
        &mut c.responder,
        &c.id,
        &meta(&[("source_host", "proxy01\u{200D}\u{FEFF}")]),
        "invoice\u{202E}fdp.exe\u{200B}",
        b"MZ",
    )
    .await;
    assert!(r.json()["Done"].is_string(), "{}", r.text);
    let i = incident(&mut c.officer, &c.id).await;
    let e = &i["evidence"][0];
    assert_eq!(e["file_name"], "invoicefdp.exe");
    assert_eq!(e["source_host"], "proxy01");

    // Multi-line text keeps its lines but not NUL or overrides (PostgreSQL
    // refuses NUL in text outright).
    let r = c
        .officer
        .post(
            "/api/incidents/comment",
            &[("id", &c.id), ("text", "line 1\u{0}\r\nline \u{202E}2")],
        )
        .await;
    assert_eq!(r.json(), common::flow::done(), "{}", r.text);
    let i = incident(&mut c.officer, &c.id).await;
    let comment = i["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "comment")
        .expect("the comment");
    assert_eq!(comment["detail"]["text"], "line 1\nline 2");
}

on_both_databases!(
    waive_reasons_and_custody_fields_have_length_limits,
    invisible_characters_are_stripped_from_titles_and_file_names,
    an_impossible_time_zone_offset_answers_a_field_error_not_a_dropped_connection,
    a_report_noticed_in_year_minus_262143_is_refused_with_a_field_error,
    an_incident_with_extreme_stored_dates_can_still_be_triaged,
    a_report_becomes_a_phase_a_ticket_with_a_sequential_human_id,
    an_invalid_report_names_each_field_and_stores_nothing,
    concurrent_reports_never_share_a_number,
    reporters_see_their_own_incidents_and_handlers_see_all,
    the_list_filters_pages_and_puts_the_newest_first,
    pages_render_on_the_server_for_the_signed_in_and_redirect_the_others,
    the_language_follows_the_browser_and_the_switch,
    signed_out_requests_are_refused,
);
