//! Sign-in under attack: throttling per source and per (account, source)
//! that never locks the owner out from a clean source, a bounded throttle
//! table, bounded password hashing, and sessions ended by password changes;
//! on SQLite and on PostgreSQL.

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use common::{ADMIN_PASSWORD, Client, Db, PASSWORD, Response, TestApp};

use app::domain::Role;
use server::auth::{FREE_FAILURES, SOURCE_FREE_FAILURES};

fn done() -> serde_json::Value {
    serde_json::json!({ "Done": null })
}

/// The code of the first field error: `InvalidCredentials`, `Throttled`, …
fn code(r: &Response) -> String {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.field_errors()
        .first()
        .map(|(_, c)| c.clone())
        .unwrap_or_else(|| panic!("no field error: {}", r.text))
}

fn wait_seconds(r: &Response) -> u64 {
    r.json()["Invalid"][0]["code"]["Throttled"]
        .as_u64()
        .unwrap_or_else(|| panic!("not throttled: {}", r.text))
}

/// A sign-in from TCP peer `peer` carrying `X-Forwarded-For: forwarded`.
async fn sign_in_forwarded(
    c: &mut Client,
    peer: &str,
    forwarded: &str,
    username: &str,
    password: &str,
) -> Response {
    let body = serde_urlencoded::to_string([("username", username), ("password", password)])
        .expect("form");
    let mut req = Request::post("/api/auth/login")
        .header(header::HOST, common::HOST)
        .header(header::ORIGIN, format!("http://{}", common::HOST))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-forwarded-for", forwarded)
        .body(Body::from(body))
        .expect("request");
    let peer = std::net::SocketAddr::new(peer.parse().expect("ip"), 50_000);
    req.extensions_mut().insert(ConnectInfo(peer));
    c.send(req).await
}

async fn admin_under_attack_from_one_source_still_signs_in_from_a_clean_one(db: Db) {
    let app = TestApp::spawn(db).await;
    // One source guesses until it is made to wait; from there even the
    // right password waits.
    let mut attacker = app.client_from("203.0.113.7");
    for _ in 0..8 {
        attacker.sign_in("admin", "a guess").await;
    }
    let r = attacker.sign_in("admin", ADMIN_PASSWORD).await;
    assert_eq!(code(&r), "Throttled");
    assert!(wait_seconds(&r) >= 1);
    // Many sources guess a little each, past the account-wide soft limit.
    for i in 0..12 {
        let mut c = app.client_from(&format!("198.18.0.{i}"));
        for _ in 0..2 {
            c.sign_in("admin", "another guess").await;
        }
    }
    // The owner, from a source that has not been failing, is let in.
    let mut owner = app.client_from("192.0.2.10");
    assert_eq!(owner.sign_in("admin", ADMIN_PASSWORD).await.json(), done());
    assert_eq!(owner.me().await["username"], "admin");
    // The attacker still waits.
    let r = attacker.sign_in("admin", ADMIN_PASSWORD).await;
    assert_eq!(code(&r), "Throttled");
}

async fn a_source_guessing_across_many_accounts_is_made_to_wait(db: Db) {
    let app = TestApp::spawn(db).await;
    for i in 0..8 {
        app.user(&format!("user{i}"), &[Role::Reporter]).await;
    }
    // The probe's pattern: 32 guesses over 8 accounts, 4 each, below any
    // per-account limit.
    let mut a = app.client_from("203.0.113.9");
    let (mut evaluated, mut throttled) = (0, 0);
    for _ in 0..4 {
        for i in 0..8 {
            let r = a.sign_in(&format!("user{i}"), "a guess").await;
            match code(&r).as_str() {
                "InvalidCredentials" => evaluated += 1,
                "Throttled" => throttled += 1,
                other => panic!("{other}"),
            }
        }
    }
    assert_eq!(
        evaluated, SOURCE_FREE_FAILURES,
        "guesses checked before waiting"
    );
    assert_eq!(evaluated + throttled, 32);
    // The source waits even for a right password.
    assert_eq!(code(&a.sign_in("user0", PASSWORD).await), "Throttled");
    // Another source is not affected.
    let mut b = app.client_from("192.0.2.44");
    assert_eq!(b.sign_in("user3", PASSWORD).await.json(), done());
}

async fn signing_in_to_an_own_account_does_not_reset_the_sources_count(db: Db) {
    let app = TestApp::spawn(db).await;
    app.user("mole", &[Role::Reporter]).await;
    let mut a = app.client_from("2001:db8:1:2::7");
    for i in 0..SOURCE_FREE_FAILURES - 1 {
        assert_eq!(
            code(&a.sign_in(&format!("target{i}"), "a guess").await),
            "InvalidCredentials"
        );
    }
    assert_eq!(a.sign_in("mole", PASSWORD).await.json(), done());
    assert_eq!(
        code(&a.sign_in("target-last", "a guess").await),
        "InvalidCredentials"
    );
    assert_eq!(code(&a.sign_in("target-x", "a guess").await), "Throttled");
    // Another address of the same IPv6 /64 is the same source.
    let mut same_net = app.client_from("2001:db8:1:2:ffff::1");
    assert_eq!(
        code(&same_net.sign_in("target-y", "a guess").await),
        "Throttled"
    );
}

async fn unknown_long_usernames_do_not_grow_the_throttle_table(db: Db) {
    let app = TestApp::spawn_with(db, &[("HIKESHI_THROTTLE_MAX_ROWS", "30")]).await;
    let long = "x".repeat(10_000);
    for i in 0..40 {
        let mut c = app.client_from(&format!("198.18.1.{i}"));
        let r = c.sign_in(&format!("{long}{i}"), "a guess").await;
        assert_eq!(code(&r), "InvalidCredentials");
    }
    let rows = app.count("login_throttle").await;
    assert!(rows <= 30, "{rows} rows");
    assert_eq!(
        app.count("login_throttle WHERE LENGTH(bucket) > 64").await,
        0,
        "names are not stored as typed"
    );
    // The newest failures are the ones kept: the last source still counts.
    let mut last = app.client_from("198.18.1.39");
    for _ in 0..SOURCE_FREE_FAILURES - 1 {
        last.sign_in(&long, "a guess").await;
    }
    assert_eq!(code(&last.sign_in(&long, "a guess").await), "Throttled");
}

async fn forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(db: Db) {
    // Not configured: a forged header does not make a new source.
    let app = TestApp::spawn(db).await;
    let mut c = app.client();
    let mut last = String::new();
    for i in 0..SOURCE_FREE_FAILURES + 1 {
        let r = sign_in_forwarded(
            &mut c,
            "203.0.113.5",
            &format!("10.0.0.{i}"),
            &format!("nobody{i}"),
            "a guess",
        )
        .await;
        last = code(&r);
    }
    assert_eq!(last, "Throttled");

    // Behind a trusted proxy, the client is the last address the proxy added.
    let app =
        TestApp::spawn_with(db, &[("HIKESHI_TRUSTED_PROXIES", "127.0.0.1, 10.9.0.0/16")]).await;
    let mut c = app.client();
    for i in 0..SOURCE_FREE_FAILURES {
        let r = sign_in_forwarded(
            &mut c,
            "127.0.0.1",
            "203.0.113.5, 10.9.3.4",
            &format!("nobody{i}"),
            "a guess",
        )
        .await;
        assert_eq!(code(&r), "InvalidCredentials");
    }
    // A forged entry in front of the real one changes nothing.
    let r = sign_in_forwarded(&mut c, "127.0.0.1", "192.0.2.7, 203.0.113.5", "admin", "x").await;
    assert_eq!(code(&r), "Throttled");
    // Another client behind the same proxy signs in.
    let r = sign_in_forwarded(&mut c, "127.0.0.1", "192.0.2.7", "admin", ADMIN_PASSWORD).await;
    assert_eq!(r.json(), done());
    // A peer that is not a trusted proxy cannot choose its source.
    let mut direct = app.client();
    let r = sign_in_forwarded(&mut direct, "203.0.113.5", "192.0.2.99", "nobody", "x").await;
    assert_eq!(code(&r), "Throttled");
}

async fn every_hashing_path_answers_503_with_retry_after_while_hashing_is_full(db: Db) {
    let app = TestApp::spawn_with(
        db,
        &[
            ("HIKESHI_HASH_CONCURRENCY", "1"),
            ("HIKESHI_HASH_QUEUE", "0"),
        ],
    )
    .await;
    let mut admin = app.admin().await;
    let kato = app.user("kato", &[Role::Reporter]).await.to_string();
    let mut ito = app.signed_in("ito", &[Role::Reporter]).await;
    let held = app.state.hikeshi.auth.hashing.hold_all().await;
    let mut c = app.client_from("192.0.2.1");
    let answers = [
        ("sign-in", c.sign_in("admin", ADMIN_PASSWORD).await),
        ("unknown user", c.sign_in("nobody", "a guess").await),
        (
            "password change",
            ito.change_password(PASSWORD, "brand new password").await,
        ),
        (
            "user creation",
            admin
                .post(
                    "/api/users/create",
                    &[
                        ("form[username]", "sato"),
                        ("form[display_name]", "Sato"),
                        ("form[password]", "a long enough password"),
                        ("form[roles][]", "reporter"),
                    ],
                )
                .await,
        ),
        (
            "reset",
            admin
                .post(
                    "/api/users/reset-password",
                    &[("user", &kato), ("password", "the new password!")],
                )
                .await,
        ),
    ];
    for (what, r) in answers {
        assert_eq!(
            r.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{what}: {}",
            r.text
        );
        assert_eq!(
            r.headers
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
            Some("2"),
            "{what}"
        );
    }
    assert!(c.session_id().is_none());
    // Refused before any password was checked: nothing counted or changed.
    assert_eq!(app.count("login_throttle").await, 0);
    assert_eq!(app.count("users WHERE username = 'sato'").await, 0);
    drop(held);
    assert_eq!(c.sign_in("admin", ADMIN_PASSWORD).await.json(), done());
    assert_eq!(ito.me().await["username"], "ito", "nothing was changed");
}

async fn concurrent_sign_ins_never_hash_more_than_the_permits_at_once(db: Db) {
    let app = TestApp::spawn_with(
        db,
        &[
            ("HIKESHI_HASH_CONCURRENCY", "2"),
            ("HIKESHI_HASH_QUEUE", "2"),
        ],
    )
    .await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..48 {
        let mut c = app.client_from(&format!("198.18.2.{i}"));
        tasks.spawn(async move {
            if i % 2 == 0 {
                c.sign_in("admin", ADMIN_PASSWORD).await
            } else {
                c.sign_in(&format!("nobody{i}"), "a guess").await
            }
        });
    }
    let (mut answered, mut busy) = (0, 0);
    while let Some(r) = tasks.join_next().await {
        let r = r.expect("task");
        match r.status {
            StatusCode::OK => answered += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                assert!(r.headers.contains_key(header::RETRY_AFTER));
                busy += 1;
            }
            other => panic!("{other}: {}", r.text),
        }
    }
    assert_eq!(answered + busy, 48);
    assert!(answered >= 2, "{answered} answered, {busy} refused");
    let most = app.state.hikeshi.auth.hashing.high_water();
    assert!((1..=2).contains(&most), "{most} hashes ran at once");
}

async fn changing_ones_password_ends_the_other_sessions_and_keeps_this_one(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut here = app.signed_in("ito", &[Role::Reporter]).await;
    let mut there = app.client();
    assert_eq!(there.sign_in("ito", PASSWORD).await.json(), done());
    let before = here.session_id().expect("session");
    let r = here.change_password(PASSWORD, "brand new password").await;
    assert_eq!(r.json(), done());
    assert_eq!(here.me().await["username"], "ito", "this session goes on");
    assert_ne!(
        here.session_id().expect("session"),
        before,
        "under a new id"
    );
    assert!(there.me().await.is_null(), "the other session ended");
    let mut stale = app.client();
    stale
        .cookies
        .insert(server::web::SESSION_COOKIE.into(), before);
    assert!(stale.me().await.is_null(), "the old id is worthless");
    assert_eq!(app.count("sessions WHERE user_id IS NOT NULL").await, 1);
}

async fn an_administrators_reset_ends_every_session_and_wait_of_the_target(db: Db) {
    let app = TestApp::spawn(db).await;
    let id = app.user("kato2", &[Role::Reporter]).await.to_string();
    let (mut a, mut b) = (app.client(), app.client());
    assert_eq!(a.sign_in("kato2", PASSWORD).await.json(), done());
    assert_eq!(b.sign_in("kato2", PASSWORD).await.json(), done());
    // The owner made their own source wait.
    let mut owner = app.client_from("192.0.2.80");
    for _ in 0..FREE_FAILURES {
        owner.sign_in("kato2", "forgotten").await;
    }
    assert_eq!(code(&owner.sign_in("kato2", PASSWORD).await), "Throttled");
    let mut admin = app.admin().await;
    let r = admin
        .post(
            "/api/users/reset-password",
            &[("user", &id), ("password", "the new password!")],
        )
        .await;
    assert_eq!(r.json(), done());
    assert!(a.me().await.is_null());
    assert!(b.me().await.is_null());
    assert_eq!(admin.me().await["username"], "admin");
    // The new password works at once, from where the old one failed.
    assert_eq!(
        owner.sign_in("kato2", "the new password!").await.json(),
        done()
    );
}

on_both_databases!(
    admin_under_attack_from_one_source_still_signs_in_from_a_clean_one,
    a_source_guessing_across_many_accounts_is_made_to_wait,
    signing_in_to_an_own_account_does_not_reset_the_sources_count,
    unknown_long_usernames_do_not_grow_the_throttle_table,
    forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy,
    every_hashing_path_answers_503_with_retry_after_while_hashing_is_full,
    concurrent_sign_ins_never_hash_more_than_the_permits_at_once,
    changing_ones_password_ends_the_other_sessions_and_keeps_this_one,
    an_administrators_reset_ends_every_session_and_wait_of_the_target,
);
