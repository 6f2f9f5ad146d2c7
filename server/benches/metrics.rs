//! Budget (issue 17): `/metrics` over 100,000 incidents under 200 ms.
//! Seeds 100,000 rows of `incident_metrics` spread over two years (kinds,
//! severities, discoveries, routes and phases mixed; durations of minutes
//! to weeks; a tenth still open, some reopened, some targets missed), then
//! times the service (`services::metrics::view`: the grouped query, the
//! waits, the fold) and the whole page rendered through the router, for
//! no filter, a kind, a quarter, and weekly trends. Prints median and p99.
//! SQLite; PostgreSQL too when `BENCH_PG_URL` names a server (`make bench`
//! does). Run with `cargo bench -p server --bench metrics`.

use std::time::{Duration, Instant};

mod measure;

use axum::body::Body;
use axum::http::{Request, header};
use chrono::{Duration as ChronoDuration, Utc};
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use tower::ServiceExt;
use uuid::Uuid;

use app::domain::Role;
use app::domain::account::ValidNewUser;
use app::domain::metrics::{Every, MetricsForm};
use server::config::Config;
use server::entity::incident_metric;
use server::services::create_user_unchecked;
use server::web::{AppState, app};

const INCIDENTS: usize = 100_000;
const RUNS: usize = 30;
const PASSWORD: &str = "bench officer password";

use measure::Rng;

fn row(rng: &mut Rng, now: i64) -> incident_metric::ActiveModel {
    let reported = now - rng.below(730 * 86_400) as i64;
    let at = chrono::DateTime::from_timestamp(reported, 0).unwrap();
    let closed = rng.below(10) != 0;
    let phase = ["A", "B", "C", "D", "E", "F", "G"][rng.below(7) as usize];
    let minutes = |rng: &mut Rng, max: u64| Some((rng.below(max) as i64 + 1) * 60);
    let decided = rng.below(20) != 0;
    let contained = decided && rng.below(3) != 0;
    let triage_due = reported + 4 * 3600;
    incident_metric::ActiveModel {
        incident_id: Set(Uuid::new_v4()),
        reported_s: Set(reported),
        week: Set(app::domain::metrics::bucket(Every::Week, at)),
        month: Set(app::domain::metrics::bucket(Every::Month, at)),
        kind: Set(playbooks::KIND_IDS[rng.below(7) as usize].into()),
        severity: Set(["critical", "high", "medium", "low", ""][rng.below(5) as usize].into()),
        discovery: Set(
            ["internal_detection", "user_report", "external_notification"][rng.below(3) as usize]
                .into(),
        ),
        route: Set(["targeted_email", "drive_by_download", "usb_memory", ""]
            [rng.below(4) as usize]
            .into()),
        phase: Set(phase.into()),
        status: Set(if closed { "closed" } else { "open" }.into()),
        lag_s: Set(minutes(rng, 60 * 24 * 30)),
        decision_s: Set(if decided { minutes(rng, 600) } else { None }),
        containment_s: Set(if contained {
            minutes(rng, 60 * 48)
        } else {
            None
        }),
        prevention_s: Set(if contained && closed {
            minutes(rng, 60 * 24 * 21)
        } else {
            None
        }),
        close_s: Set(if closed {
            minutes(rng, 60 * 24 * 60)
        } else {
            None
        }),
        phase_a_s: Set(rng.below(7_200) as i64),
        phase_b_s: Set(rng.below(36_000) as i64),
        phase_c_s: Set(rng.below(172_800) as i64),
        phase_d_s: Set(rng.below(259_200) as i64),
        phase_e_s: Set(rng.below(1_209_600) as i64),
        phase_f_s: Set(rng.below(259_200) as i64),
        phase_g_s: Set(rng.below(604_800) as i64),
        passed: Set(if closed { 0x7f } else { 0x07 }),
        reopened: Set((rng.below(50) == 0) as i32),
        triage_due_s: Set(Some(triage_due)),
        triage_met_s: Set(decided.then(|| triage_due - 7_200 + rng.below(14_400) as i64)),
        response_due_s: Set(Some(reported + 24 * 3600)),
        response_met_s: Set(contained.then(|| reported + rng.below(172_800) as i64)),
    }
}

async fn run(label: &str, url: String, dir: &std::path::Path) {
    let config = Config::from_lookup(|k| match k {
        "HIKESHI_DATABASE_URL" => Some(url.clone()),
        "HIKESHI_ADMIN_PASSWORD" => Some("bench administrator password".into()),
        "HIKESHI_AUDIT_KEY_FILE" => Some(dir.join("audit.key").display().to_string()),
        "HIKESHI_AUDIT_HEADS_FILE" => Some(dir.join("heads.log").display().to_string()),
        _ => None,
    })
    .unwrap();
    let db = server::startup::prepare(&config).await.unwrap();
    let officer = create_user_unchecked(
        &db,
        ValidNewUser {
            username: "officer".into(),
            display_name: "Officer".into(),
            email: None,
            password: PASSWORD.into(),
            roles: vec![Role::SecurityOfficer],
            organisation: None,
        },
    )
    .await
    .unwrap();
    let seeded = Instant::now();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let now = Utc::now().timestamp();
    for _ in 0..INCIDENTS / 1_000 {
        let rows: Vec<_> = (0..1_000).map(|_| row(&mut rng, now)).collect();
        incident_metric::Entity::insert_many(rows)
            .exec(&db)
            .await
            .unwrap();
    }
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        db.execute_unprepared("ANALYZE incident_metrics")
            .await
            .unwrap();
    }
    println!(
        "[{label}] seeded {INCIDENTS} incidents' metrics in {:?}",
        seeded.elapsed()
    );

    let actor = server::services::actor_by_id(&db, officer)
        .await
        .unwrap()
        .unwrap();
    let quarter_from = (Utc::now() - ChronoDuration::days(90))
        .date_naive()
        .to_string();
    let cases: [(&str, MetricsForm); 4] = [
        ("all 100,000, by month", MetricsForm::default()),
        (
            "one kind",
            MetricsForm {
                kind: "malware_infection".into(),
                ..MetricsForm::default()
            },
        ),
        (
            "the last 90 days",
            MetricsForm {
                from: quarter_from.clone(),
                ..MetricsForm::default()
            },
        ),
        (
            "all, by week",
            MetricsForm {
                every: "week".into(),
                ..MetricsForm::default()
            },
        ),
    ];
    for (name, form) in &cases {
        let q = form.validate().unwrap();
        let mut times = Vec::with_capacity(RUNS);
        for i in 0..RUNS + 3 {
            let t = Instant::now();
            let v = server::services::metrics::view(&db, &actor, q)
                .await
                .unwrap();
            let elapsed = t.elapsed();
            assert!(v.incidents > 0);
            if i >= 3 {
                times.push(elapsed);
            }
        }
        report(&format!("[{label}] service, {name}"), &mut times);
    }

    let model = server::startup::load_model(&config).unwrap();
    let state = AppState::new(config, db, model);
    let router = app(state);
    let login = Request::post("/api/auth/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "username=officer&password={}",
            PASSWORD.replace(' ', "+")
        )))
        .unwrap();
    let res = router.clone().oneshot(login).await.unwrap();
    let cookie = res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    for (name, path) in [
        ("all 100,000, by month", "/metrics".to_string()),
        (
            "the last 90 days, by week",
            format!("/metrics?from={quarter_from}&every=week"),
        ),
    ] {
        let mut times = Vec::with_capacity(RUNS);
        for i in 0..RUNS + 3 {
            let req = Request::get(&path)
                .header(header::COOKIE, &cookie)
                .header(header::ACCEPT, "text/html")
                .body(Body::empty())
                .unwrap();
            let t = Instant::now();
            let res = router.clone().oneshot(req).await.unwrap();
            assert!(res.status().is_success(), "{}", res.status());
            let body = res.into_body().collect().await.unwrap().to_bytes();
            let elapsed = t.elapsed();
            assert!(body.len() > 10_000, "a full page");
            if i >= 3 {
                times.push(elapsed);
            }
        }
        report(&format!("[{label}] page {path}, {name}"), &mut times);
    }
}

fn report(label: &str, times: &mut [Duration]) {
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 * p).ceil() as usize).saturating_sub(1)];
    println!(
        "{label}: median {:.1} ms, p99 {:.1} ms (budget 200 ms)",
        pct(0.5).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
    );
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    run("SQLite", url, dir.path()).await;
    if let Ok(admin) = std::env::var("BENCH_PG_URL") {
        let name = format!("hikeshi_bench_metrics_{}", std::process::id());
        let conn = sea_orm::Database::connect(&admin).await.unwrap();
        conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let url = match admin.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => admin.clone(),
        };
        run("PostgreSQL", url, dir.path()).await;
        conn.execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .await
            .unwrap();
    }
}
