//! Sign-in, sessions, throttling, sign-out and account administration,
//! on SQLite and on PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::{ADMIN_PASSWORD, Db, PASSWORD, TestApp};

use app::domain::Role;

async fn sign_in_sets_a_hardened_cookie_and_cycles_the_session_id(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut c = app.client();
    let r = c.sign_in("admin", ADMIN_PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json(), serde_json::json!({ "Done": null }));
    let cookie = r.set_cookie("hikeshi_session").expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    let first = c.session_id().unwrap();
    assert_eq!(c.me().await["username"], "admin");

    // Signing in again from a session that already exists hands out a new id.
    let r = c.sign_in("admin", ADMIN_PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK);
    let second = c.session_id().unwrap();
    assert_ne!(first, second, "session id must change at sign-in");
    // The old id is worthless now.
    let mut stale = app.client();
    stale.cookies.insert("hikeshi_session".into(), first);
    assert!(stale.me().await.is_null());
}

async fn wrong_password_and_unknown_user_get_the_same_answer(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut c = app.client();
    let wrong = c.sign_in("admin", "not the password").await;
    let unknown = c.sign_in("nobody", "not the password").await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert_eq!(wrong.text, unknown.text);
    assert_eq!(
        wrong.field_errors(),
        [("password".to_string(), "InvalidCredentials".to_string())]
    );
    assert!(c.session_id().is_none(), "no session for a failed sign-in");
    assert!(c.me().await.is_null());
}

async fn five_failures_make_further_attempts_wait(db: Db) {
    let app = TestApp::spawn(db).await;
    app.user("tanaka", &[Role::Reporter]).await;
    let mut c = app.client();
    for _ in 0..5 {
        let r = c.sign_in("tanaka", "guess").await;
        assert_eq!(r.field_errors()[0].1, "InvalidCredentials");
    }
    // Even the right password waits now, and the answer says so.
    let r = c.sign_in("Tanaka", PASSWORD).await;
    let errors = r.field_errors();
    assert_eq!(errors[0].0, "username");
    assert_eq!(errors[0].1, "Throttled");
    let secs = r.json()["Invalid"][0]["code"]["Throttled"]
        .as_u64()
        .unwrap();
    assert!((1..=30).contains(&secs), "{secs}");
    assert!(c.me().await.is_null());
    // Other accounts are unaffected.
    assert_eq!(
        c.sign_in("admin", ADMIN_PASSWORD).await.json(),
        serde_json::json!({ "Done": null })
    );
}

async fn sign_out_ends_the_session_on_the_server(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut c = app.admin().await;
    let sid = c.session_id().unwrap();
    let r = c.post("/api/auth/logout", &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(c.me().await.is_null());
    // Replaying the old cookie does not bring the session back.
    let mut replay = app.client();
    replay.cookies.insert("hikeshi_session".into(), sid);
    assert!(replay.me().await.is_null());
    assert_eq!(
        replay.post("/api/incidents/list", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn sessions_survive_a_restart_and_are_shared_by_instances(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut c = app.admin().await;
    let restarted = app.restart().await;
    let mut c2 = restarted.client();
    c2.cookies = c.cookies.clone();
    assert_eq!(c2.me().await["username"], "admin");
    assert_eq!(c.me().await["username"], "admin");
}

async fn deactivating_a_user_ends_their_sessions_at_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let id = app.user("suzuki", &[Role::ItLanAdmin]).await;
    let mut user = app.client();
    user.sign_in("suzuki", PASSWORD).await;
    assert_eq!(user.me().await["username"], "suzuki");
    let mut admin = app.admin().await;
    let r = admin
        .post(
            "/api/users/active",
            &[("user", &id.to_string()), ("active", "false")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(user.me().await.is_null());
    assert_eq!(
        app.count("sessions WHERE user_id IS NOT NULL").await,
        1,
        "only the administrator's session remains"
    );
    // And they cannot sign in again.
    let r = user.sign_in("suzuki", PASSWORD).await;
    assert_eq!(r.field_errors()[0].1, "InvalidCredentials");
}

async fn administrators_create_users_with_roles_and_errors_name_fields(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut admin = app.admin().await;
    let bad = admin
        .post(
            "/api/users/create",
            &[
                ("form[username]", "Bad Name"),
                ("form[display_name]", ""),
                ("form[password]", "short"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::OK);
    let fields: Vec<String> = bad.field_errors().into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["username", "display_name", "password", "roles"]);
    let users_before = app.count("users").await;

    let ok = admin
        .post(
            "/api/users/create",
            &[
                ("form[username]", "sato"),
                ("form[display_name]", "佐藤 花子"),
                ("form[email]", "sato@example.jp"),
                ("form[password]", "a long enough password"),
                ("form[roles][]", "reporter"),
                ("form[roles][]", "bu_lan_admin"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    assert!(ok.json().get("Done").is_some(), "{}", ok.text);
    assert_eq!(app.count("users").await, users_before + 1);

    let again = admin
        .post(
            "/api/users/create",
            &[
                ("form[username]", "SATO"),
                ("form[display_name]", "x"),
                ("form[password]", "a long enough password"),
                ("form[roles][]", "reporter"),
            ],
        )
        .await;
    assert_eq!(
        again.field_errors(),
        [("username".to_string(), "UsernameTaken".to_string())]
    );

    let mut sato = app.client();
    sato.sign_in("sato", "a long enough password").await;
    let me = sato.me().await;
    assert_eq!(me["roles"], serde_json::json!(["reporter", "bu_lan_admin"]));
    assert!(app.count("audit_log WHERE action = 'user_created'").await >= 2);
}

async fn only_administrators_manage_users(db: Db) {
    let app = TestApp::spawn(db).await;
    let id = app.user("victim", &[Role::Reporter]).await.to_string();
    for role in [
        Role::Reporter,
        Role::ItLanAdmin,
        Role::SecurityOfficer,
        Role::ExternalSpecialist,
        Role::Isp,
    ] {
        let mut c = app.signed_in(&format!("u-{}", role.id()), &[role]).await;
        assert_eq!(
            c.post("/api/users/list", &[]).await.status,
            StatusCode::FORBIDDEN,
            "{role:?}"
        );
        let r = c
            .post(
                "/api/users/create",
                &[
                    ("form[username]", "intruder"),
                    ("form[display_name]", "x"),
                    ("form[password]", "a long enough password"),
                    ("form[roles][]", "admin"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?}");
        let r = c
            .post("/api/users/roles", &[("user", &id), ("roles[]", "admin")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?}");
        let r = c
            .post(
                "/api/users/reset-password",
                &[("user", &id), ("password", "a long enough password")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?}");
        let r = c
            .post("/api/users/active", &[("user", &id), ("active", "false")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?}");
    }
    // The admin page itself refuses too.
    let mut reporter = app.signed_in("plain", &[Role::Reporter]).await;
    let page = reporter.get("/admin/users").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(!page.text.contains("victim"));
}

async fn roles_and_passwords_are_changed_by_the_administrator(db: Db) {
    let app = TestApp::spawn(db).await;
    let id = app.user("kato", &[Role::Reporter]).await.to_string();
    let mut kato = app.client();
    kato.sign_in("kato", PASSWORD).await;
    let mut admin = app.admin().await;
    let r = admin
        .post(
            "/api/users/roles",
            &[
                ("user", &id),
                ("roles[]", "security_officer"),
                ("roles[]", "reporter"),
            ],
        )
        .await;
    assert_eq!(r.json(), serde_json::json!({ "Done": null }), "{}", r.text);
    assert_eq!(
        kato.me().await["roles"],
        serde_json::json!(["reporter", "security_officer"])
    );

    let r = admin
        .post(
            "/api/users/reset-password",
            &[("user", &id), ("password", "short")],
        )
        .await;
    assert_eq!(r.field_errors()[0].0, "password");
    let r = admin
        .post(
            "/api/users/reset-password",
            &[("user", &id), ("password", "the new password!")],
        )
        .await;
    assert_eq!(r.json(), serde_json::json!({ "Done": null }));
    // The reset ends the user's sessions; the new password works, the old does not.
    assert!(kato.me().await.is_null());
    assert_eq!(
        kato.sign_in("kato", PASSWORD).await.field_errors()[0].1,
        "InvalidCredentials"
    );
    assert_eq!(
        kato.sign_in("kato", "the new password!").await.json(),
        serde_json::json!({ "Done": null })
    );
}

async fn users_change_their_own_password_with_the_current_one(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut c = app.signed_in("ito", &[Role::Reporter]).await;
    let r = c
        .post(
            "/api/auth/password",
            &[
                ("form[current]", "wrong"),
                ("form[new]", "brand new password"),
                ("form[confirm]", "brand new password"),
            ],
        )
        .await;
    assert_eq!(
        r.field_errors(),
        [("current".to_string(), "WrongPassword".to_string())]
    );
    let r = c
        .post(
            "/api/auth/password",
            &[
                ("form[current]", PASSWORD),
                ("form[new]", "brand new password"),
                ("form[confirm]", "different"),
            ],
        )
        .await;
    assert_eq!(
        r.field_errors(),
        [("confirm".to_string(), "PasswordMismatch".to_string())]
    );
    let r = c.change_password(PASSWORD, "brand new password").await;
    assert_eq!(r.json(), serde_json::json!({ "Done": null }));
    let mut fresh = app.client();
    assert_eq!(
        fresh.sign_in("ito", "brand new password").await.json(),
        serde_json::json!({ "Done": null })
    );
}

async fn cross_origin_posts_are_refused(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut c = app.admin().await;
    c.origin = Some("https://evil.example".into());
    let r = c
        .post("/api/users/create", &[("form[username]", "x")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c.post("/api/auth/logout", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    c.origin = Some(format!("http://{}", common::HOST));
    assert_eq!(
        c.me().await["username"],
        "admin",
        "the refused logout did nothing"
    );
}

/// Deactivating, setting roles and organisations and creating users while
/// other writes go on: every request succeeds (no "database is locked") and
/// the final state is what was asked.
async fn concurrent_user_administration_never_fails_and_ends_as_asked(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut admin = app.admin().await;
    let org =
        common::external::organisation(&mut admin, "Forensic Works", "forensics_vendor").await;
    let reporter = app.signed_in("writer", &[Role::Reporter]).await;
    let mut members = Vec::new();
    for round in 0..3 {
        let mut ids = Vec::new();
        for i in 0..4 {
            ids.push(app.user(&format!("m{round}-{i}"), &[Role::Reporter]).await);
        }
        let mut tasks = tokio::task::JoinSet::new();
        let post = |c: &common::Client, path: &'static str, form: Vec<(&'static str, String)>| {
            let mut c = c.clone();
            async move {
                let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let r = c.post(path, &form).await;
                (path, r.status, r.text)
            }
        };
        for (i, id) in ids.iter().enumerate() {
            let id = id.to_string();
            tasks.spawn(post(
                &admin,
                "/api/users/active",
                vec![("user", id.clone()), ("active", "false".into())],
            ));
            for _ in 0..2 {
                tasks.spawn(post(
                    &admin,
                    "/api/users/roles",
                    vec![
                        ("user", id.clone()),
                        ("roles[]", "reporter".into()),
                        ("roles[]", "bu_lan_admin".into()),
                    ],
                ));
            }
            tasks.spawn(post(
                &admin,
                "/api/users/organisation",
                vec![("user", id.clone()), ("organisation", org.clone())],
            ));
            tasks.spawn(post(
                &admin,
                "/api/users/create",
                vec![
                    ("form[username]", format!("new{round}-{i}")),
                    ("form[display_name]", "New".into()),
                    ("form[password]", "a long enough password".into()),
                    ("form[roles][]", "reporter".into()),
                ],
            ));
            tasks.spawn(post(
                &reporter,
                "/api/incidents/report",
                vec![
                    ("form[title]", format!("Beaconing {round}-{i}")),
                    (
                        "form[observed]",
                        "Periodic POSTs to an unknown host.".into(),
                    ),
                    ("form[noticed_at]", "2026-01-05T09:30".into()),
                    ("form[location]", "pc-0042".into()),
                    ("form[discovery]", "internal_detection".into()),
                    ("form[kind]", "malware_infection".into()),
                    ("form[reporter_contact]", "soc@example.jp".into()),
                ],
            ));
        }
        while let Some(done) = tasks.join_next().await {
            let (path, status, text) = done.expect("task");
            assert_eq!(status, StatusCode::OK, "{path}: {text}");
            assert!(!text.contains("Invalid"), "{path}: {text}");
        }
        members.extend(ids);
    }
    let list = admin.post("/api/users/list", &[]).await.json();
    let rows = list.as_array().expect("users");
    for id in &members {
        let row = rows
            .iter()
            .find(|r| r["id"] == id.to_string())
            .expect("member listed");
        assert_eq!(row["is_active"], false, "{row}");
        assert_eq!(
            row["roles"],
            serde_json::json!(["reporter", "bu_lan_admin"]),
            "{row}"
        );
        assert_eq!(row["organisation"], org, "{row}");
    }
    for round in 0..3 {
        for i in 0..4 {
            let name = format!("new{round}-{i}");
            assert!(rows.iter().any(|r| r["username"] == name), "{name} created");
        }
    }
    assert_eq!(app.count("incidents").await, 12);
}

on_both_databases!(
    sign_in_sets_a_hardened_cookie_and_cycles_the_session_id,
    wrong_password_and_unknown_user_get_the_same_answer,
    five_failures_make_further_attempts_wait,
    sign_out_ends_the_session_on_the_server,
    sessions_survive_a_restart_and_are_shared_by_instances,
    deactivating_a_user_ends_their_sessions_at_once,
    administrators_create_users_with_roles_and_errors_name_fields,
    only_administrators_manage_users,
    roles_and_passwords_are_changed_by_the_administrator,
    users_change_their_own_password_with_the_current_one,
    cross_origin_posts_are_refused,
    concurrent_user_administration_never_fails_and_ends_as_asked,
);
