//! Budgets of the threat-intelligence store (issue 12): importing a
//! 100,000-indicator STIX bundle in under 30 s, and matching an observable
//! against what is stored in under 1 ms (an index, not a scan). Seeds a fresh
//! SQLite database through the product's own import, then times the lookup
//! the incident page and every new observable make, against 100,000
//! imported indicators' keys plus 100,000 stored observables
//! (`BENCH_OBSERVABLES=1000000` for a million). Prints the numbers. Run with
//! `cargo bench -p server --bench intel`.

use std::time::Instant;

use sea_orm::{EntityTrait, Set};
use serde_json::json;
use uuid::Uuid;

use app::domain::Role;
use app::domain::account::ValidNewUser;
use app::domain::observable::{MatchKey, ValueKind};
use app::domain::policy::Actor;
use server::config::Config;
use server::entity::observable;
use server::services::create_user_unchecked;

const INDICATORS: usize = 100_000;
/// `BENCH_OBSERVABLES` overrides it (e.g. 1000000).
fn observables_count() -> usize {
    std::env::var("BENCH_OBSERVABLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}
const LOOKUPS: usize = 2_000;

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

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
    let db = server::startup::prepare(&config).await.unwrap();
    let officer_id = create_user_unchecked(
        &db,
        ValidNewUser {
            username: "officer".into(),
            display_name: "Officer".into(),
            email: None,
            password: "bench officer password".into(),
            roles: vec![Role::SecurityOfficer],
            organisation: None,
        },
    )
    .await
    .unwrap();
    let officer = Actor {
        id: officer_id,
        username: "officer".into(),
        display_name: "Officer".into(),
        roles: vec![Role::SecurityOfficer],
        grants: vec![],
    };

    // A bundle of 100,000 indicators, half domains, half addresses, written
    // as text (no JSON tree here either, so the peak below is the import's).
    let mut bundle = String::from(
        r#"{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000001","objects":["#,
    );
    for n in 0..INDICATORS {
        let pattern = if n % 2 == 0 {
            format!("[domain-name:value = 'c2-{n}.example.net']")
        } else {
            format!(
                "[ipv4-addr:value = '10.{}.{}.{}']",
                (n >> 16) & 255,
                (n >> 8) & 255,
                n & 255
            )
        };
        if n > 0 {
            bundle.push(',');
        }
        bundle.push_str(
            &json!({
                "type": "indicator", "spec_version": "2.1",
                "id": format!("indicator--{}", Uuid::from_u128(n as u128 + 1)),
                "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
                "name": format!("bench {n}"), "pattern": pattern, "pattern_type": "stix",
                "valid_from": "2026-01-01T00:00:00Z"
            })
            .to_string(),
        );
    }
    bundle.push_str("]}");
    let bundle = bundle.into_bytes();
    let size_mb = bundle.len() as f64 / 1024.0 / 1024.0;
    let before = rss_mb();
    let t = Instant::now();
    let r = server::services::intel::import(&db, &officer, "bench", &bundle)
        .await
        .unwrap();
    let took = t.elapsed();
    drop(bundle);
    println!(
        "import: {INDICATORS} indicators ({size_mb:.1} MB bundle) in {:.2} s; peak RSS {:.0} MB (before {:.0} MB) — budget 30 s, 200 MB; {r:?}",
        took.as_secs_f64(),
        rss_mb(),
        before
    );

    // 100,000 observables on one incident's worth of rows (the index is on
    // the hash, whatever the incident).
    let model = server::startup::load_model(&config).unwrap();
    let state = server::web::AppState::new(config.clone(), db.clone(), model);
    use app::ports::Backend;
    let human = state
        .hikeshi
        .report_incident(
            &officer,
            app::domain::incident::ValidReport {
                title: "bench".into(),
                observed: "bench".into(),
                noticed_at: chrono::Utc::now(),
                location: "bench".into(),
                discovery: app::domain::incident::Discovery::InternalDetection,
                kind: app::domain::incident::IncidentKind::Other,
                reporter_contact: "bench".into(),
                notifier: None,
            },
        )
        .await
        .unwrap();
    let incident = server::entity::incident::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.human_id == human)
        .unwrap()
        .id;
    {
        let now = chrono::Utc::now();
        let rows: Vec<observable::ActiveModel> = (0..observables_count())
            .map(|n| {
                let value = format!("seen-{n}.example.org");
                observable::ActiveModel {
                    id: Set(Uuid::new_v4()),
                    incident_id: Set(incident),
                    kind: Set("c2_domain".into()),
                    value: Set(value.clone()),
                    match_hash: Set(server::services::match_hash(&MatchKey::of(
                        ValueKind::Domain,
                        &value,
                    ))),
                    tlp: Set("amber".into()),
                    pap: Set("amber".into()),
                    is_indicator: Set(false),
                    sighted: Set(false),
                    confidence: Set(None),
                    tags: Set(String::new()),
                    source: Set(String::new()),
                    note: Set(String::new()),
                    phase: Set("A".into()),
                    first_seen: Set(None),
                    last_seen: Set(None),
                    created_by: Set(officer_id),
                    created_at: Set(now),
                    updated_at: Set(now),
                    shared_at: Set(None),
                }
            })
            .collect();
        for chunk in rows.chunks(1000) {
            if observable::Entity::insert_many(chunk.to_vec())
                .exec(&db)
                .await
                .is_err()
            {
                println!("observables: the seeding insert failed (incident row missing?)");
                break;
            }
        }
    }

    // What every new observable and every incident page asks: the store's
    // indicators and the other incidents for one value.
    let mut times = Vec::with_capacity(LOOKUPS);
    for n in 0..LOOKUPS {
        let value = if n % 2 == 0 {
            format!("c2-{}.example.net", n * 37 % INDICATORS)
        } else {
            format!("seen-{n}.example.org")
        };
        let hash = server::services::match_hash(&MatchKey::of(ValueKind::Domain, &value));
        let t = Instant::now();
        let known = server::services::intel::known(&db, vec![hash.clone()])
            .await
            .unwrap();
        let shared = server::services::observables::sharing(&db, &hash)
            .await
            .unwrap();
        times.push(t.elapsed());
        std::hint::black_box((known, shared));
    }
    times.sort();
    let us = |d: std::time::Duration| d.as_secs_f64() * 1e6;
    println!(
        "match one value against {INDICATORS} indicators and {} observables: median {:.0} µs, p99 {:.0} µs ({LOOKUPS} lookups) — budget 1 ms",
        observables_count(),
        us(times[LOOKUPS / 2]),
        us(times[LOOKUPS * 99 / 100])
    );
}
