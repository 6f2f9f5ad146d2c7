//! Budget of the TAXII 2.1 server (issue 12): a page of 1,000 objects from
//! a 100,000-object collection in under 50 ms. Seeds the TLP:AMBER
//! collection with 100,000 indicators made by the product's own STIX code,
//! then asks the router, as a TAXII client does (HTTP Basic, the TAXII
//! media type), for the first page, a page deep inside (by `next`), a page
//! after a date (`added_after`) and a filtered page (`match[type]`),
//! timing each request from the request to the last byte of the body.
//! SQLite by default; PostgreSQL too when `BENCH_PG_URL` names a server
//! (`make bench` does). Run with `cargo bench -p server --bench taxii`.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, header};
use base64::Engine;
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use tower::ServiceExt;
use uuid::Uuid;

use app::domain::Role;
use app::domain::account::ValidNewUser;
use app::domain::classification::Tlp;
use app::domain::observable::{ObservableType, ObservableView, Pap};
use server::config::Config;
use server::entity::taxii_object;
use server::services::create_user_unchecked;
use server::services::taxii::{COLLECTIONS, taxii_ts};

const OBJECTS: usize = 100_000;
const ROUNDS: usize = 40;
const PASSWORD: &str = "bench officer password";

fn view(n: usize) -> ObservableView {
    ObservableView {
        id: Uuid::from_u128(n as u128 + 1),
        kind: ObservableType::C2Domain,
        value: format!("c2-{n}.example.net"),
        tlp: Tlp::Amber,
        pap: Pap::Amber,
        indicator: true,
        sighted: false,
        confidence: Some(80),
        tags: vec!["c2".into()],
        source: String::new(),
        note: String::new(),
        phase: app::domain::Phase::D,
        first_seen: Some(chrono::Utc::now()),
        last_seen: None,
        allowlisted: false,
        also_in: vec![],
        known: vec![],
        shared: true,
    }
}

/// One audit key for both runs: a process holds one.
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
    create_user_unchecked(
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
    let amber = COLLECTIONS[2];
    let start = chrono::Utc::now() - chrono::Duration::days(30);
    let t = Instant::now();
    let rows: Vec<taxii_object::ActiveModel> = (0..OBJECTS)
        .map(|n| {
            let o = server::stix::shared_indicator("Bench CSIRT", &view(n), start, false).unwrap();
            taxii_object::ActiveModel {
                collection: Set(amber.id.into()),
                stix_id: Set(o["id"].as_str().unwrap().into()),
                version: Set(o["modified"].as_str().unwrap().into()),
                // Twenty seconds apart, as a month of sharing.
                date_added: Set(taxii_ts(start + chrono::Duration::seconds(n as i64 * 20))),
                latest: Set(true),
                first: Set(true),
                object_type: Set("indicator".into()),
                body: Set(o.to_string()),
            }
        })
        .collect();
    for chunk in rows.chunks(1000) {
        taxii_object::Entity::insert_many(chunk.to_vec())
            .exec(&db)
            .await
            .unwrap();
    }
    if label == "PostgreSQL" {
        db.execute_unprepared("ANALYZE taxii_objects")
            .await
            .unwrap();
    }
    println!(
        "{label}: seeded {OBJECTS} objects in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let model = server::startup::load_model(&config).unwrap();
    let state = server::web::AppState::new(config, db, model);
    let router = server::web::app(state);
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("officer:{PASSWORD}"))
    );
    let get = |path: String| {
        let router = router.clone();
        let auth = auth.clone();
        async move {
            let req = Request::get(path)
                .header(header::HOST, "hikeshi.bench")
                .header(header::ACCEPT, "application/taxii+json;version=2.1")
                .header(header::AUTHORIZATION, auth)
                .body(Body::empty())
                .unwrap();
            let t = Instant::now();
            let res = router.oneshot(req).await.unwrap();
            let status = res.status();
            let next = res
                .headers()
                .get("x-taxii-date-added-last")
                .map(|v| v.to_str().unwrap().to_string());
            let body = res.into_body().collect().await.unwrap().to_bytes();
            (t.elapsed(), status, body, next)
        }
    };
    let objects = format!("/taxii2/api/collections/{}/objects/", amber.id);
    // Warm: the first request pays argon2 once for the credentials.
    let (_, status, first, _) = get(format!("{objects}?limit=1000")).await;
    assert!(status.is_success(), "{status}");
    let envelope: serde_json::Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(envelope["objects"].as_array().unwrap().len(), 1000);
    // A cursor deep inside: follow `next` 50 times (page 51 of 100).
    let mut next = envelope["next"].as_str().unwrap().to_string();
    for _ in 0..49 {
        let (_, _, b, _) = get(format!("{objects}?limit=1000&next={next}")).await;
        let e: serde_json::Value = serde_json::from_slice(&b).unwrap();
        next = e["next"].as_str().unwrap().to_string();
    }
    let middle = taxii_ts(start + chrono::Duration::seconds(OBJECTS as i64 / 2 * 20));
    let cases = [
        ("first page", format!("{objects}?limit=1000")),
        (
            "page 51 (next)",
            format!("{objects}?limit=1000&next={next}"),
        ),
        (
            "added_after (middle)",
            format!("{objects}?limit=1000&added_after={middle}"),
        ),
        (
            "match[type]=indicator",
            format!("{objects}?limit=1000&match[type]=indicator"),
        ),
        (
            "manifest",
            format!("/taxii2/api/collections/{}/manifest/?limit=1000", amber.id),
        ),
    ];
    for (name, path) in cases {
        let mut times: Vec<Duration> = Vec::with_capacity(ROUNDS);
        let mut bytes = 0;
        for _ in 0..ROUNDS {
            let (d, status, body, _) = get(path.clone()).await;
            assert!(status.is_success(), "{name}: {status}");
            bytes = body.len();
            times.push(d);
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{label}: {name}: 1,000 of {OBJECTS} objects ({:.0} KB): median {:.1} ms, p99 {:.1} ms — budget 50 ms",
            bytes as f64 / 1024.0,
            ms(times[ROUNDS / 2]),
            ms(times[ROUNDS * 99 / 100])
        );
    }
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
        let name = format!("hikeshi_bench_taxii_{}", std::process::id());
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
