//! The TAXII 2.1 server and client on SQLite and PostgreSQL: the officer
//! shares indicators into the collections their TLP allows, partners page
//! through them (`limit`/`next`, `added_after`, `match[...]`), read the
//! manifest and the versions (a withdrawn indicator is a revoked version),
//! post envelopes into the inbound collection and read the status; HTTP
//! Basic as a Hikeshi user, with what the policy gives that user. Then the
//! OASIS client library (taxii2-client) against this server over TCP, and
//! this server's subscriptions against medallion, the OASIS reference
//! server.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use common::flow::{done, incident, refusal, report};
use common::stix::validate;
use common::{Client, Db, PASSWORD, TestApp};
use serde_json::{Value, json};

use app::domain::Role;

const TAXII: &str = "application/taxii+json;version=2.1";
const CLEAR: &str = "5d0a6c1e-7b2f-4c6a-9e1d-3a8f0b4c2d01";
const GREEN: &str = "5d0a6c1e-7b2f-4c6a-9e1d-3a8f0b4c2d02";
const AMBER: &str = "5d0a6c1e-7b2f-4c6a-9e1d-3a8f0b4c2d03";
const INBOUND: &str = "5d0a6c1e-7b2f-4c6a-9e1d-3a8f0b4c2d10";

fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// A GET as a TAXII client: Basic credentials, the TAXII media type.
async fn taxii(c: &mut Client, path: &str, user: &str) -> common::Response {
    c.fetch_with(
        path,
        &[("accept", TAXII), ("authorization", &basic(user, PASSWORD))],
    )
    .await
}

async fn post_envelope(
    c: &mut Client,
    user: &str,
    content_type: &str,
    body: Value,
) -> common::Response {
    let req = Request::post(format!("/taxii2/api/collections/{INBOUND}/objects/"))
        .header(header::HOST, common::HOST)
        .header(header::ACCEPT, TAXII)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::AUTHORIZATION, basic(user, PASSWORD))
        .body(Body::from(body.to_string()))
        .unwrap();
    c.send(req).await
}

async fn paste(c: &mut Client, id: &str, block: &str, tlp: &str) {
    let r = c
        .post(
            "/api/incidents/observable/paste",
            &[
                ("id", id),
                ("form[block]", block),
                ("form[tlp]", tlp),
                ("form[pap]", "green"),
                ("form[indicator]", "true"),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
}

fn observable<'a>(i: &'a Value, value: &str) -> &'a Value {
    i["observables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["value"] == value)
        .unwrap_or_else(|| panic!("{value} recorded"))
}

async fn share(c: &mut Client, id: &str, o: &Value, on: bool) -> common::Response {
    let oid = o["id"].as_str().unwrap().to_string();
    let mut form = vec![("id", id), ("observable", oid.as_str())];
    if on {
        form.push(("share", "true"));
    }
    c.post("/api/incidents/observable/share", &form).await
}

fn ids_of(envelope: &Value) -> Vec<String> {
    envelope["objects"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|o| o["id"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn shared_indicators_are_served_and_envelopes_received(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let mut partner = app.client();
    let id = report(&mut reporter, "malware_infection").await;
    paste(&mut responder, &id, "green-c2[.]example", "green").await;
    paste(&mut responder, &id, "198.51.100.23", "amber").await;
    paste(
        &mut responder,
        &id,
        "44d88612fea8a8f36de82e1278abb02f",
        "red",
    )
    .await;
    let i = incident(&mut officer, &id).await;
    assert_eq!(i["may_share"], true);
    assert_eq!(incident(&mut responder, &id).await["may_share"], false);
    let (domain, ip, md5) = (
        observable(&i, "green-c2.example").clone(),
        observable(&i, "198.51.100.23").clone(),
        observable(&i, "44d88612fea8a8f36de82e1278abb02f").clone(),
    );
    // Sharing is the officer's; TLP:RED never leaves.
    assert_eq!(
        share(&mut responder, &id, &domain, true).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(share(&mut officer, &id, &domain, true).await.json(), done());
    assert_eq!(share(&mut officer, &id, &ip, true).await.json(), done());
    let r = share(&mut officer, &id, &md5, true).await;
    assert_eq!(refusal(&r), "NotShareable");
    // Shared twice is shared once.
    assert_eq!(share(&mut officer, &id, &ip, true).await.json(), done());
    // While shared, it is neither removed nor raised above TLP:AMBER.
    let oid = ip["id"].as_str().unwrap().to_string();
    let r = responder
        .post(
            "/api/incidents/observable/edit",
            &[
                ("id", &id),
                ("observable", &oid),
                ("tlp", "red"),
                ("pap", "green"),
                ("indicator", "true"),
            ],
        )
        .await;
    assert_eq!(refusal(&r), "StillShared", "{}", r.text);
    let r = responder
        .post(
            "/api/incidents/observable/remove",
            &[("id", &id), ("observable", &oid)],
        )
        .await;
    assert_eq!(refusal(&r), "StillShared", "{}", r.text);
    let i = incident(&mut responder, &id).await;
    assert_eq!(observable(&i, "green-c2.example")["shared"], true);
    assert!(
        i["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "observable_shared")
    );

    // Authentication and what each user may see.
    let r = partner
        .fetch_with("/taxii2/api/collections/", &[("accept", TAXII)])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        r.headers[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    assert_eq!(r.headers[header::CONTENT_TYPE], TAXII);
    assert_eq!(r.json()["http_status"], "401");
    let r = partner
        .fetch_with(
            "/taxii2/api/collections/",
            &[
                ("accept", TAXII),
                ("authorization", &basic("suzuki", "wrong password")),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        taxii(&mut partner, "/taxii2/api/collections/", "tanaka")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = partner
        .fetch_with(
            "/taxii2/api/collections/",
            &[
                ("accept", "text/html"),
                ("authorization", &basic("suzuki", PASSWORD)),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_ACCEPTABLE);
    let seen = |r: &common::Response| -> Vec<String> {
        r.json()["collections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    let r = taxii(&mut partner, "/taxii2/api/collections/", "suzuki").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(seen(&r), vec![CLEAR, GREEN, AMBER]);
    assert_eq!(
        seen(&taxii(&mut partner, "/taxii2/api/collections/", "sato").await),
        vec![CLEAR, GREEN, AMBER, INBOUND]
    );
    let r = taxii(
        &mut partner,
        &format!("/taxii2/api/collections/{INBOUND}/"),
        "suzuki",
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "the inbound collection is the officer's"
    );
    let discovery = taxii(&mut partner, "/taxii2/", "suzuki").await.json();
    assert_eq!(discovery["default"], discovery["api_roots"][0]);
    let root = taxii(&mut partner, "/taxii2/api/", "suzuki").await.json();
    assert_eq!(root["versions"], json!([TAXII]));

    // Each collection holds what its TLP allows.
    let objects = |c: &str| format!("/taxii2/api/collections/{c}/objects/");
    let green = taxii(&mut partner, &objects(GREEN), "suzuki").await;
    assert_eq!(green.status, StatusCode::OK, "{}", green.text);
    assert_eq!(green.headers[header::CONTENT_TYPE], TAXII);
    assert!(green.text.contains("green-c2.example"));
    assert!(
        !green.text.contains("198.51.100.23"),
        "TLP:AMBER is not in the TLP:GREEN collection"
    );
    let amber = taxii(&mut partner, &objects(AMBER), "suzuki").await;
    assert!(amber.text.contains("green-c2.example") && amber.text.contains("198.51.100.23"));
    assert!(!amber.text.contains("44d88612fea8a8f36de82e1278abb02f"));
    let clear = taxii(&mut partner, &objects(CLEAR), "suzuki").await.json();
    assert!(ids_of(&clear).is_empty());
    // The objects are valid STIX 2.1.
    let as_bundle = json!({"type": "bundle", "id": "bundle--7d0a6c1e-7b2f-4c6a-9e1d-3a8f0b4c2d01", "objects": amber.json()["objects"]});
    assert_eq!(validate(&as_bundle.to_string()), "");
    let all = ids_of(&amber.json());
    assert_eq!(
        all.len(),
        5,
        "two marking definitions, the identity (one version), two indicators: {all:?}"
    );

    // Paging: one at a time, following `next`, gives the same objects.
    let mut paged = Vec::new();
    let mut path = format!("{}?limit=1", objects(AMBER));
    for _ in 0..10 {
        let r = taxii(&mut partner, &path, "suzuki").await.json();
        paged.extend(ids_of(&r));
        if r["more"] != true {
            break;
        }
        path = format!(
            "{}?limit=1&next={}",
            objects(AMBER),
            r["next"].as_str().unwrap()
        );
    }
    assert_eq!(paged, all);
    let manifest = taxii(
        &mut partner,
        &format!("/taxii2/api/collections/{AMBER}/manifest/"),
        "suzuki",
    )
    .await
    .json();
    assert_eq!(manifest["objects"].as_array().unwrap().len(), 5);
    let r = taxii(
        &mut partner,
        &format!("{}?match[spec_version]=2.0", objects(AMBER)),
        "suzuki",
    )
    .await
    .json();
    assert!(ids_of(&r).is_empty(), "only STIX 2.1 is held");
    let r = taxii(
        &mut partner,
        &format!("{}?match[type]=indicator", objects(AMBER)),
        "suzuki",
    )
    .await
    .json();
    assert_eq!(ids_of(&r).len(), 2);
    let indicator_id = ids_of(&r)
        .into_iter()
        .find(|i| green.text.contains(i.as_str()))
        .unwrap();
    for bad in [
        "limit=0",
        "limit=ten",
        "next=forged",
        "added_after=yesterday",
        "match[version]=soon",
    ] {
        let r = taxii(&mut partner, &format!("{}?{bad}", objects(AMBER)), "suzuki").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(
            r.json()["description"]
                .as_str()
                .unwrap()
                .contains("not valid")
        );
    }
    assert_eq!(
        taxii(
            &mut partner,
            "/taxii2/api/collections/5d0a6c1e-0000-0000-0000-000000000000/objects/",
            "suzuki"
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let many: Vec<String> = (0..101)
        .map(|n| format!("indicator--{}", uuid::Uuid::from_u128(n)))
        .collect();
    let r = taxii(
        &mut partner,
        &format!("{}?match[id]={}", objects(AMBER), many.join(",")),
        "suzuki",
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "a hundred values at most"
    );

    // Withdrawn: a revoked version; `added_after` brings only what is new.
    let last = green.headers["x-taxii-date-added-last"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        share(&mut officer, &id, &domain, false).await.json(),
        done()
    );
    let newer = taxii(
        &mut partner,
        &format!("{}?added_after={last}", objects(GREEN)),
        "suzuki",
    )
    .await
    .json();
    assert_eq!(ids_of(&newer), vec![indicator_id.clone()]);
    assert_eq!(newer["objects"][0]["revoked"], true);
    let one = |q: &str| format!("/taxii2/api/collections/{GREEN}/objects/{indicator_id}/{q}");
    let versions = taxii(&mut partner, &one("versions/"), "suzuki")
        .await
        .json();
    assert_eq!(versions["versions"].as_array().unwrap().len(), 2);
    let first = taxii(
        &mut partner,
        &format!("{}?match[version]=first", one("")),
        "suzuki",
    )
    .await
    .json();
    assert!(first["objects"][0].get("revoked").is_none());
    let both = taxii(
        &mut partner,
        &format!("{}?match[version]=all", one("")),
        "suzuki",
    )
    .await
    .json();
    assert_eq!(ids_of(&both).len(), 2);
    assert_eq!(
        taxii(&mut partner, &format!("/taxii2/api/collections/{GREEN}/objects/indicator--00000000-0000-4000-8000-000000000000/"), "suzuki").await.status,
        StatusCode::NOT_FOUND
    );

    // An envelope into the inbound collection: each bad object named, the
    // good ones kept, the indicator in the store.
    let envelope = json!({"objects": [
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--0c9a3f5e-1b2d-4e6f-8a7b-9c0d1e2f3a4b",
         "created": "2026-03-01T00:00:00.000Z", "modified": "2026-03-01T00:00:00.000Z", "name": "Partner C2",
         "pattern": "[domain-name:value = 'partner-c2.example']", "pattern_type": "stix", "valid_from": "2026-03-01T00:00:00Z"},
        {"type": "identity", "spec_version": "2.1", "id": "identity--1c9a3f5e-1b2d-4e6f-8a7b-9c0d1e2f3a4b",
         "created": "2026-03-01T00:00:00.000Z", "modified": "2026-03-01T00:00:00.000Z", "name": "Partner CSIRT"},
        {"type": "indicator", "spec_version": "2.1", "id": "not-an-id"},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--2c9a3f5e-1b2d-4e6f-8a7b-9c0d1e2f3a4b",
         "pattern": "[domain-name:value = 'x.example']", "pattern_type": "stix", "valid_from": "last week"},
    ]});
    let r = post_envelope(&mut partner, "suzuki", TAXII, envelope.clone()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a handler may not post");
    let r = post_envelope(&mut partner, "sato", "application/json", envelope.clone()).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = post_envelope(&mut partner, "sato", TAXII, json!({"not": "an envelope"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let flood = json!({ "objects": vec![json!({}); 10_001] });
    let r = post_envelope(&mut partner, "sato", TAXII, flood).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.json()["description"]
            .as_str()
            .unwrap()
            .contains("at most 10000 objects")
    );
    let r = post_envelope(&mut partner, "sato", TAXII, envelope).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let status = r.json();
    assert_eq!(
        (
            status["total_count"].clone(),
            status["success_count"].clone(),
            status["failure_count"].clone()
        ),
        (json!(4), json!(2), json!(2))
    );
    let failures: Vec<String> = status["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}: {}",
                f["id"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    assert!(failures[0].starts_with("not-an-id: id"), "{failures:?}");
    assert!(failures[1].contains("valid_from"), "{failures:?}");
    let path = format!("/taxii2/api/status/{}/", status["id"].as_str().unwrap());
    assert_eq!(taxii(&mut partner, &path, "sato").await.json(), status);
    assert_eq!(
        taxii(&mut partner, &path, "suzuki").await.status,
        StatusCode::NOT_FOUND
    );
    let store = officer.post("/api/intel/list", &[]).await.json();
    assert_eq!(store["total"], 1);
    assert_eq!(store["newest"][0]["source"], "taxii:inbound");
    let inbound = taxii(&mut partner, &objects(INBOUND), "sato").await.json();
    assert_eq!(ids_of(&inbound).len(), 2);
}

/// The application served on a real socket, for clients in other processes.
async fn serve(app: &TestApp) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}

fn script(name: &str) -> String {
    format!("{}/tests/taxii/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// medallion on a free port with `n` partner indicators; killed on drop.
struct Medallion {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Medallion {
    fn start(n: usize, user: &str, password: &str) -> Medallion {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("medallion.json");
        let made = Command::new("python3")
            .arg(script("medallion_data.py"))
            .arg(&data)
            .arg(n.to_string())
            .status()
            .expect("python3");
        assert!(made.success());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new("python3")
            .arg(script("medallion_serve.py"))
            .arg(port.to_string())
            .arg(&data)
            .args([user, password])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 with medallion (make setup-test installs it)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "medallion started");
        Medallion {
            child,
            port,
            _dir: dir,
        }
    }
}

impl Drop for Medallion {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn guessing_a_password_over_basic_auth_is_throttled(db: Db) {
    let app = TestApp::spawn(db).await;
    app.user("suzuki", &[Role::ItLanAdmin]).await;
    let mut partner = app.client_from("203.0.113.50");
    let mut last = StatusCode::OK;
    for n in 0..12 {
        let r = partner
            .fetch_with(
                "/taxii2/api/collections/",
                &[
                    ("accept", TAXII),
                    ("authorization", &basic("suzuki", &format!("guess {n}"))),
                ],
            )
            .await;
        last = r.status;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(r.headers.contains_key(header::RETRY_AFTER));
            break;
        }
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "guess {n}");
    }
    assert_eq!(
        last,
        StatusCode::TOO_MANY_REQUESTS,
        "guessing is slowed down like a sign-in"
    );
    // Even the right password waits now, from that source.
    let r = partner
        .fetch_with(
            "/taxii2/api/collections/",
            &[
                ("accept", TAXII),
                ("authorization", &basic("suzuki", PASSWORD)),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Another source is not held back by this one's failures.
    let mut other = app.client_from("198.51.100.60");
    let r = other
        .fetch_with(
            "/taxii2/api/collections/",
            &[
                ("accept", TAXII),
                ("authorization", &basic("suzuki", PASSWORD)),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

async fn the_oasis_client_and_server_interoperate(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut reporter = app.signed_in("tanaka", &[Role::Reporter]).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let id = report(&mut reporter, "malware_infection").await;
    paste(
        &mut officer,
        &id,
        "shared-1[.]example\nshared-2.example\n203.0.113.9",
        "green",
    )
    .await;
    let i = incident(&mut officer, &id).await;
    for v in ["shared-1.example", "shared-2.example", "203.0.113.9"] {
        assert_eq!(
            share(&mut officer, &id, observable(&i, v), true)
                .await
                .json(),
            done()
        );
    }

    // taxii2-client against this server, over TCP.
    let addr = serve(&app).await;
    let root = format!("http://{addr}/taxii2/api/");
    let out = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg(script("client_check.py"))
            .args([root.as_str(), "sato", PASSWORD])
            .output()
            .expect("python3 with taxii2-client (make setup-test installs it)")
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let green = report["collections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == GREEN)
        .unwrap();
    // TLP:GREEN's marking, the identity, three indicators.
    assert_eq!(green["objects"], 5, "{report}");
    assert_eq!(green["manifest"], 5);
    assert_eq!(green["pages"], 3, "five objects, two per page");
    assert_eq!(green["versions_of_first"], 1);
    assert_eq!(report["posted"]["status"], "complete");
    assert_eq!(report["posted"]["success_count"], 1);
    let store = officer.post("/api/intel/list", &[]).await.json();
    assert_eq!(store["total"], 1, "the posted indicator is in the store");

    // This server's subscription against medallion.
    let medallion = Medallion::start(3, "partner", "partner secret");
    let api_root = format!("http://127.0.0.1:{}/api1/", medallion.port);
    let officer2 = officer.clone();
    let subscribe = |password: &'static str| {
        let api_root = api_root.clone();
        let mut officer = officer2.clone();
        async move {
            officer
                .post(
                    "/api/intel/subscribe",
                    &[
                        ("form[name]", "Partner sharing"),
                        ("form[api_root]", api_root.as_str()),
                        ("form[collection]", "365fed99-08fa-fdcd-a1b3-fb247eb41d01"),
                        ("form[username]", "partner"),
                        ("form[password]", password),
                        ("form[interval]", "30"),
                    ],
                )
                .await
        }
    };
    let r = officer
        .post(
            "/api/intel/subscribe",
            &[
                ("form[name]", "x"),
                ("form[api_root]", "file:///etc/passwd"),
                ("form[collection]", "c"),
            ],
        )
        .await;
    assert_eq!(
        r.field_errors(),
        vec![("api_root".into(), "InvalidUrl".into())]
    );
    let wrong = subscribe("not the secret").await.json()["Done"]
        .as_str()
        .unwrap()
        .to_string();
    let sub = subscribe("partner secret").await.json()["Done"]
        .as_str()
        .unwrap()
        .to_string();
    let mut responder = app.signed_in("suzuki", &[Role::ItLanAdmin]).await;
    assert_eq!(
        responder
            .post("/api/intel/poll", &[("subscription", &sub)])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let polled = officer
        .post("/api/intel/poll", &[("subscription", &sub)])
        .await
        .json();
    assert_eq!(polled["last_error"], "", "{polled}");
    assert_eq!(polled["imported"], 3);
    assert!(
        polled["added_after"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-01T00:02:00"),
        "{polled}"
    );
    let store = officer.post("/api/intel/list", &[]).await.json();
    assert_eq!(store["total"], 4);
    assert!(
        store["newest"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["source"] == "taxii:Partner sharing")
    );
    // Polled again: nothing new, nothing doubled.
    let again = officer
        .post("/api/intel/poll", &[("subscription", &sub)])
        .await
        .json();
    assert_eq!(again["imported"], 3);
    assert_eq!(
        officer.post("/api/intel/list", &[]).await.json()["total"],
        4
    );
    let refused = officer
        .post("/api/intel/poll", &[("subscription", &wrong)])
        .await
        .json();
    assert!(
        refused["last_error"].as_str().unwrap().contains("401"),
        "{refused}"
    );
    let listed = officer.post("/api/intel/subscriptions", &[]).await;
    assert!(
        !listed.text.contains("partner secret"),
        "the password is never shown"
    );
    drop(medallion);
    let gone = officer
        .post("/api/intel/poll", &[("subscription", &sub)])
        .await
        .json();
    assert_ne!(
        gone["last_error"], "",
        "an unreachable server is an error shown"
    );
    assert_eq!(
        officer
            .post("/api/intel/unsubscribe", &[("subscription", &sub)])
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(app.count("taxii_subscriptions").await, 1);
}

on_both_databases!(
    shared_indicators_are_served_and_envelopes_received,
    guessing_a_password_over_basic_auth_is_throttled,
    the_oasis_client_and_server_interoperate
);
