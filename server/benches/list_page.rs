//! Budget: the incident list page, rendered on the server, with 10,000
//! incidents in SQLite (or `BENCH_INCIDENTS`): under 50 ms median; and the
//! SQL statements one request sends, which must not grow with the rows. Seeds a fresh database, signs in
//! as a handler (who sees every incident) and renders `/incidents` and a
//! filtered, deep page repeatedly through the real router; then the same list
//! as a vendor engaged on 25 of them (its engagements are read on every
//! request). Prints median and p99. Run with
//! `cargo bench -p server --bench list_page`.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, header};
use chrono::{Duration as ChronoDuration, Utc};
use http_body_util::BodyExt;
use sea_orm::{EntityTrait, Set};
use tower::ServiceExt;
use uuid::Uuid;

use app::domain::Role;
use app::domain::account::ValidNewUser;
use server::config::Config;
use server::entity::{engagement, incident, incident_counter, organisation};
use server::services::create_user_unchecked;
use server::web::{AppState, app};

/// Incidents seeded: 10,000, or `BENCH_INCIDENTS`.
fn incidents() -> usize {
    std::env::var("BENCH_INCIDENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

/// SQL statements sent since the last look (sea-orm's metric callback).
static STATEMENTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
const RUNS: usize = 200;
const KINDS: [&str; 7] = playbooks::KIND_IDS;

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    let config = Config::from_lookup(|k| match k {
        "HIKESHI_DATABASE_URL" => Some(url.clone()),
        "HIKESHI_ADMIN_PASSWORD" => Some("bench administrator password".into()),
        "HIKESHI_AUDIT_KEY_FILE" => Some(dir.path().join("audit.key").display().to_string()),
        _ => None,
    })
    .unwrap();
    let mut db = server::startup::prepare(&config).await.unwrap();
    let count = incidents();
    let password = "bench handler password";
    let handler = create_user_unchecked(
        &db,
        ValidNewUser {
            username: "handler".into(),
            display_name: "Handler".into(),
            email: None,
            password: password.into(),
            roles: vec![Role::ItLanAdmin],
            organisation: None,
        },
    )
    .await
    .unwrap();

    let seeded = Instant::now();
    let now = Utc::now();
    let ids: Vec<Uuid> = (0..count).map(|_| Uuid::new_v4()).collect();
    for chunk in (0..count).collect::<Vec<_>>().chunks(500) {
        let rows = chunk.iter().map(|&n| {
            let at = now - ChronoDuration::minutes((count - n) as i64);
            incident::ActiveModel {
                id: Set(ids[n]),
                human_id: Set(format!("INC-2026-{:04}", n + 1)),
                year: Set(2026),
                seq: Set(n as i32 + 1),
                title: Set(format!(
                    "Seeded incident {n}: suspicious traffic from pc-{n:05}"
                )),
                observed: Set("Beaconing to a known C2 domain every 60 seconds.".into()),
                noticed_at: Set(at),
                location: Set(format!("pc-{n:05}")),
                discovery: Set("internal_detection".into()),
                kind: Set(KINDS[n % KINDS.len()].into()),
                reporter_contact: Set("soc@example.jp".into()),
                reporter_id: Set(handler),
                phase: Set("A".into()),
                created_at: Set(at),
                updated_at: Set(at),
                status: Set("open".into()),
                tlp: Set("amber".into()),
                severity: Set(Some(["critical", "high", "medium", "low"][n % 4].into())),
                playbook_hash: Set(String::new()),
                last_event_seq: Set(0),
                last_event_hash: Set(String::new()),
                ..Default::default()
            }
        });
        incident::Entity::insert_many(rows).exec(&db).await.unwrap();
    }
    incident_counter::Entity::insert(incident_counter::ActiveModel {
        year: Set(2026),
        last: Set(count as i32),
    })
    .exec(&db)
    .await
    .unwrap();
    println!("seeded {count} incidents in {:?}", seeded.elapsed());

    // A vendor engaged on every 400th incident.
    let org = Uuid::new_v4();
    organisation::Entity::insert(organisation::ActiveModel {
        id: Set(org),
        name_ja: Set("ベンチ".into()),
        name_en: Set("Bench Forensics".into()),
        kind: Set("forensics_vendor".into()),
        contract_ref: Set("bench".into()),
        contact: Set("bench".into()),
        created_at: Set(now),
    })
    .exec(&db)
    .await
    .unwrap();
    create_user_unchecked(
        &db,
        ValidNewUser {
            username: "vendor".into(),
            display_name: "Vendor".into(),
            email: None,
            password: password.into(),
            roles: vec![Role::ExternalSpecialist],
            organisation: Some(org),
        },
    )
    .await
    .unwrap();
    let engagements = ids
        .iter()
        .step_by(400)
        .map(|&incident| engagement::ActiveModel {
            id: Set(Uuid::new_v4()),
            incident_id: Set(incident),
            organisation_id: Set(org),
            phases: Set("E".into()),
            see_evidence: Set(true),
            evidence_items: Set(String::new()),
            see_containment: Set(false),
            see_timeline: Set(false),
            starts_at: Set(now - ChronoDuration::days(1)),
            expires_at: Set(now + ChronoDuration::days(7)),
            granted_by: Set(handler),
            created_at: Set(now),
            revoked_at: Set(None),
            revoked_by: Set(None),
            revoke_reason: Set(None),
            expiry_mailed_at: Set(None),
        });
    engagement::Entity::insert_many(engagements)
        .exec(&db)
        .await
        .unwrap();

    // Page 20 of a filter, as the pager reaches it: after the 950th row.
    let deep = {
        use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
        let row = incident::Entity::find()
            .filter(incident::Column::Kind.eq("targeted_email"))
            .order_by_desc(incident::Column::CreatedAt)
            .order_by_desc(incident::Column::Seq)
            .offset(19 * 50 - 1)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let cursor = app::domain::incident::ListCursor {
            created_at: row.created_at,
            seq: row.seq,
        };
        format!("/incidents?kind=targeted_email&after={}", cursor.to_param())
    };
    db.set_metric_callback(|_| {
        STATEMENTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    });
    let model = server::startup::load_model(&config).unwrap();
    let state = AppState::new(config, db, model);
    let router = app(state);
    let sign_in = |username: &'static str| {
        let router = router.clone();
        async move {
            let login = Request::post("/api/auth/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "username={username}&password={}",
                    password.replace(' ', "+")
                )))
                .unwrap();
            let res = router.oneshot(login).await.unwrap();
            res.headers()[header::SET_COOKIE]
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_string()
        }
    };
    let handler_cookie = sign_in("handler").await;
    let vendor_cookie = sign_in("vendor").await;

    for (label, path, cookie) in [
        (
            format!("/incidents (newest 50 of {count})"),
            "/incidents",
            &handler_cookie,
        ),
        (
            "/incidents?kind=targeted_email, page 20 (after= cursor)".to_string(),
            deep.as_str(),
            &handler_cookie,
        ),
        (
            format!("/incidents as a vendor engaged on 25 of {count}"),
            "/incidents",
            &vendor_cookie,
        ),
    ] {
        let mut times = Vec::with_capacity(RUNS);
        for i in 0..RUNS + 10 {
            let req = Request::get(path)
                .header(header::COOKIE, cookie)
                .header(header::ACCEPT, "text/html")
                .body(Body::empty())
                .unwrap();
            let t = Instant::now();
            let res = router.clone().oneshot(req).await.unwrap();
            assert!(res.status().is_success(), "{}", res.status());
            let body = res.into_body().collect().await.unwrap().to_bytes();
            let elapsed = t.elapsed();
            assert!(body.len() > 5_000, "a full page");
            if i >= 10 {
                times.push(elapsed); // the first ten warm caches up
            }
        }
        // One more, counting what it sends to the database.
        STATEMENTS.store(0, std::sync::atomic::Ordering::Relaxed);
        let req = Request::get(path)
            .header(header::COOKIE, cookie)
            .header(header::ACCEPT, "text/html")
            .body(Body::empty())
            .unwrap();
        let res = router.clone().oneshot(req).await.unwrap();
        let _ = res.into_body().collect().await.unwrap();
        let statements = STATEMENTS.load(std::sync::atomic::Ordering::Relaxed);
        report(
            &format!("{label} [{statements} SQL statements]"),
            &mut times,
        );
    }
}

fn report(label: &str, times: &mut [Duration]) {
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 * p).ceil() as usize).saturating_sub(1)];
    println!(
        "{label}: median {:.2} ms, p99 {:.2} ms, min {:.2} ms, max {:.2} ms over {} renders",
        pct(0.5).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
        times.len()
    );
}
