//! The web surface against a hostile client: user text cannot leave the
//! element it is written into (page title, textareas), every page carries a
//! Content-Security-Policy whose nonce is the one on its scripts, the
//! language switch only redirects within the site, malformed requests are
//! the client's 400 without parser detail, and a client trickling its
//! headers is disconnected.

mod common;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use app::domain::{AppError, Role};
use common::external::{engaged, respond_now};
use common::flow::done;
use common::{Client, Db, HOST, Response, TestApp};

/// Ends a `<title>` and starts an element whose handler runs at once.
const HOSTILE_TITLE: &str = "Phish</title><img src=x onerror=alert(1)>";
/// Ends a `<textarea>` and starts a script.
const HOSTILE_AREA: &str = "</textarea><script>alert(1)</script>";
const ESCAPED_AREA: &str = "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;";

async fn report_titled(c: &mut Client, title: &str) -> String {
    let r = c
        .post(
            "/api/incidents/report",
            &[
                ("form[title]", title),
                ("form[observed]", "A mail asked for a password."),
                ("form[noticed_at]", "2026-01-05T09:30"),
                ("form[location]", "pc-0042"),
                ("form[discovery]", "user_report"),
                ("form[kind]", "targeted_email"),
                ("form[reporter_contact]", "soc@example.jp"),
            ],
        )
        .await;
    r.json()["Done"]
        .as_str()
        .unwrap_or_else(|| panic!("not reported: {}", r.text))
        .to_string()
}

/// The text between `<tag ...>` and `</tag>` for every such element.
fn contents_of<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(gt) = after.find('>') else { break };
        let inner = &after[gt + 1..];
        let Some(end) = inner.find(&close) else { break };
        out.push(&inner[..end]);
        rest = &inner[end + close.len()..];
    }
    out
}

async fn hostile_text_stays_text_in_the_page_title_and_in_textareas(db: Db) {
    let mut e = engaged(db).await;
    let id = e.case.id.clone();

    // A reporter's title, shown to the officer in the page's <title>.
    let phish = report_titled(&mut e.case.reporter, HOSTILE_TITLE).await;
    let page = e.case.officer.get(&format!("/incidents/{phish}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.text.contains("</title><img"),
        "the title ends the <title> element: {}",
        contents_of(&page.text, "title").join(" | ")
    );
    assert_eq!(
        contents_of(&page.text, "title"),
        [format!(
            "{phish} Phish&lt;/title&gt;&lt;img src=x onerror=alert(1)&gt;"
        )]
    );

    // Recurrence prevention, shown to the officer in its form's textareas.
    respond_now(&mut e.case.officer, &id).await;
    let r = e
        .case
        .responder
        .post(
            "/api/incidents/prevention",
            &[
                ("id", &id),
                ("technical", HOSTILE_AREA),
                ("operational", &format!("{HOSTILE_AREA} & more")),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let page = e.case.officer.get(&format!("/incidents/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("id=\"p-technical\""),
        "the form is there"
    );
    assert!(
        !page.text.contains("</textarea><script>"),
        "prevention text ends its <textarea>"
    );
    let areas = contents_of(&page.text, "textarea");
    assert!(areas.contains(&ESCAPED_AREA), "{areas:?}");
    // `&` reads back as `&`, not as the start of a character reference.
    assert!(
        areas.contains(&format!("{ESCAPED_AREA} &amp; more").as_str()),
        "{areas:?}"
    );

    // The vendor's report parts, shown back to the vendor in its form.
    let r = e
        .vendor
        .post(
            "/api/incidents/investigation-report",
            &[
                ("id", &id),
                ("parts[intrusion_path]", HOSTILE_AREA),
                ("parts[spread]", HOSTILE_AREA),
                ("parts[exfiltration]", HOSTILE_AREA),
                ("parts[recovery]", HOSTILE_AREA),
            ],
        )
        .await;
    assert_eq!(r.json(), done(), "{}", r.text);
    let page = e.vendor.get(&format!("/incidents/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.text.contains("</textarea><script>"),
        "report parts end their <textarea>"
    );
    let prefilled = contents_of(&page.text, "textarea")
        .into_iter()
        .filter(|a| *a == ESCAPED_AREA)
        .count();
    assert_eq!(prefilled, 4, "the four parts, escaped");
}

/// The nonce of a page's policy: `'nonce-…'` in `script-src`.
fn policy_nonce(r: &Response) -> String {
    let policy = r
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap_or_else(|| panic!("no Content-Security-Policy on a page"))
        .to_str()
        .expect("ASCII policy");
    for directive in [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "style-src 'self'",
    ] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    let script_src = policy
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src "))
        .unwrap_or_else(|| panic!("no script-src in {policy}"));
    assert!(!script_src.contains("'unsafe-inline'"), "{script_src}");
    assert!(!script_src.contains("'unsafe-eval'"), "{script_src}");
    let nonces: Vec<&str> = script_src
        .split_whitespace()
        .filter_map(|s| s.strip_prefix("'nonce-")?.strip_suffix('\''))
        .collect();
    assert_eq!(nonces.len(), 1, "{script_src}");
    assert!(nonces[0].len() >= 16, "a nonce of 128 bits: {script_src}");
    nonces[0].to_string()
}

/// Every opening tag of the page, as written.
fn tags(html: &str) -> Vec<&str> {
    html.split('<')
        .skip(1)
        .filter(|t| t.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter_map(|t| t.split_once('>').map(|(tag, _)| tag))
        .collect()
}

/// The names of a tag's attributes (the tag name first), quoted values skipped.
fn attribute_names(tag: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut chars = tag.chars().peekable();
    let mut name = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {
                for d in chars.by_ref() {
                    if d == c {
                        break;
                    }
                }
            }
            c if c.is_whitespace() || c == '=' || c == '/' => {
                if !name.is_empty() {
                    names.push(std::mem::take(&mut name).to_ascii_lowercase());
                }
            }
            c => name.push(c),
        }
    }
    if !name.is_empty() {
        names.push(name.to_ascii_lowercase());
    }
    names
}

fn assert_page_policy_matches_its_scripts(path: &str, r: &Response) {
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{path}"
    );
    let nonce = policy_nonce(r);
    let scripts: Vec<&str> = tags(&r.text)
        .into_iter()
        .filter(|t| t.starts_with("script"))
        .collect();
    assert!(!scripts.is_empty(), "{path}: the hydration bootstrap");
    for s in &scripts {
        assert!(
            s.contains(&format!("nonce=\"{nonce}\"")),
            "{path}: script without the policy's nonce {nonce}: <{s}>"
        );
    }
    for t in tags(&r.text) {
        let handlers: Vec<String> = attribute_names(t)
            .into_iter()
            .skip(1)
            .filter(|a| a.starts_with("on"))
            .collect();
        assert!(handlers.is_empty(), "{path}: inline handler in <{t}>");
    }
}

async fn every_page_has_a_policy_whose_nonce_is_on_its_scripts(db: Db) {
    let mut e = engaged(db).await;
    let id = e.case.id.clone();
    let mut anon = e.case.app.client();
    let login = anon.get("/login").await;
    assert_eq!(login.status, StatusCode::OK);
    assert_page_policy_matches_its_scripts("/login", &login);
    let again = anon.get("/login").await;
    assert_ne!(
        policy_nonce(&login),
        policy_nonce(&again),
        "a fresh nonce per response"
    );
    let missing = anon.get("/no/such/page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_page_policy_matches_its_scripts("/no/such/page", &missing);

    for path in [
        "/incidents".to_string(),
        "/incidents/new".into(),
        format!("/incidents/{id}"),
        "/tasks".into(),
        "/notifications".into(),
        "/account".into(),
        "/admin/organisations".into(),
        "/admin/allowlist".into(),
        "/intel".into(),
        "/incidents/INC-2099-9999".into(),
    ] {
        let r = e.case.officer.get(&path).await;
        assert!(
            r.status == StatusCode::OK || r.status == StatusCode::NOT_FOUND,
            "{path}: {}",
            r.status
        );
        assert_page_policy_matches_its_scripts(&path, &r);
    }
    // A campaign whose name and actor are markup: escaped, run nowhere.
    let r = e
        .case
        .officer
        .post(
            "/api/campaigns/confirm",
            &[
                ("form[name]", "<script>alert('campaign')</script>"),
                ("form[threat_actor]", "<img src=x onerror=alert(1)>"),
                ("incidents", &id),
            ],
        )
        .await;
    let campaign = r.json()["Done"].as_str().unwrap().to_string();
    let r = e.case.officer.get(&format!("/campaigns/{campaign}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_page_policy_matches_its_scripts("campaign page", &r);
    assert!(
        !r.text.contains("<script>alert('campaign')"),
        "the name is escaped"
    );
    assert!(!r.text.contains("<img src=x"), "the actor is escaped");
    assert!(r.text.contains("&lt;script&gt;"));
    for path in ["/admin/users", "/admin/log-sources", "/admin/mail"] {
        let r = e.admin.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_page_policy_matches_its_scripts(path, &r);
    }
    let r = e.vendor.get(&format!("/incidents/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_page_policy_matches_its_scripts("vendor's incident page", &r);

    // Answers that are not pages run nothing, whatever they contain.
    let api = e
        .case
        .officer
        .post("/api/incidents/get", &[("id", &id)])
        .await;
    assert_eq!(api.status, StatusCode::OK);
    let policy = api.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        policy.contains("default-src 'none'") && policy.contains("sandbox"),
        "{policy}"
    );
    assert!(!policy.contains("nonce-"), "{policy}");
}

async fn lang_location(c: &mut Client, query: &str) -> (StatusCode, String) {
    let r = c.get(&format!("/lang/en?{query}")).await;
    let location = r
        .headers
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap_or("<not text>").to_string())
        .unwrap_or_default();
    (r.status, location)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_switch_redirects_only_within_the_site() {
    common::within_limit(async {
        let app = TestApp::spawn(Db::Sqlite).await;
        let mut c = app.client();
        for hostile in [
            "next=/%09/evil.example",
            "next=/%0A/evil.example",
            "next=/%0D%0A/evil.example",
            "next=/incidents%0D%0ASet-Cookie:%20x=1",
            "next=%20//evil.example",
            "next=/%20/evil.example",
            "next=//evil.example",
            "next=/%2Fevil.example",
            "next=/\\evil.example",
            "next=/%5Cevil.example",
            "next=https://evil.example",
            "next=evil.example",
            "next=/%00/evil.example",
            "next=/%E2%80%A8/evil.example",
            // A query that cannot be read at all goes to the start page too.
            "next=/incidents&next=//evil.example",
        ] {
            let (status, location) = lang_location(&mut c, hostile).await;
            assert_eq!(
                (status, location.as_str()),
                (StatusCode::SEE_OTHER, "/"),
                "{hostile}"
            );
        }
        for fine in [
            "/incidents",
            "/incidents/INC-2026-0001",
            "/incidents?mine=1",
        ] {
            let query = serde_urlencoded::to_string([("next", fine)]).unwrap();
            assert_eq!(
                lang_location(&mut c, &query).await,
                (StatusCode::SEE_OTHER, fine.to_string())
            );
        }
    })
    .await
}

/// A server function call with a raw body of any type.
async fn call(c: &mut Client, path: &str, content_type: &str, body: &str, lang: &str) -> Response {
    let mut req = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT_LANGUAGE, lang)
        .header(
            header::COOKIE,
            c.cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
        );
    if let Some(o) = &c.origin {
        req = req.header(header::ORIGIN, o);
    }
    c.send(req.body(Body::from(body.to_string())).unwrap())
        .await
}

async fn malformed_requests_are_the_clients_400_without_parser_detail(db: Db) {
    let app = TestApp::spawn(db).await;
    let mut officer = app.signed_in("sato", &[Role::SecurityOfficer]).await;
    let mut anon = app.client();
    let form = "application/x-www-form-urlencoded";
    // (signed in, path, content type, body)
    let cases = [
        (true, "/api/incidents/get", form, ""),
        (true, "/api/incidents/get", form, "id[0]=x&id[1]=y"),
        (
            true,
            "/api/incidents/get",
            "application/json",
            "{\"id\": [1,",
        ),
        (
            true,
            "/api/incidents/task",
            form,
            "id=INC-2026-0001&task[x]=1",
        ),
        (true, "/api/incidents/list", form, "after[x]=1"),
        (true, "/api/incidents/list", form, "kind[]=a&kind[]=b"),
        (true, "/api/incidents/report", form, "form=1"),
        (false, "/api/auth/login", form, "username[]=a&password=x"),
    ];
    for (signed_in, path, ct, body) in cases {
        let c = if signed_in { &mut officer } else { &mut anon };
        for (lang, message) in [
            ("en", "The request could not be read."),
            ("ja", "リクエストを読み取れませんでした。"),
        ] {
            let r = call(c, path, ct, body, lang).await;
            assert_eq!(
                r.status,
                StatusCode::BAD_REQUEST,
                "{path} {body:?}: {}",
                r.text
            );
            let error: AppError = serde_json::from_str(&r.text)
                .unwrap_or_else(|e| panic!("{path}: not an AppError ({e}): {}", r.text));
            let AppError::Transport(text) = error else {
                panic!("{path}: {}", r.text)
            };
            assert!(text.starts_with(message), "{path} {lang}: {text}");
            for internal in [
                "deserializ",
                "missing field",
                "invalid",
                "expected",
                "line",
                "column",
            ] {
                assert!(!text.contains(internal), "{path}: parser detail in {text}");
            }
        }
    }
    // Well-formed requests are untouched.
    let r = officer
        .post("/api/incidents/get", &[("id", "INC-2099-9999")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert_eq!(r.json(), serde_json::json!("NotFound"));
}

/// Connects, sends `sent`, then one more byte every `every` and reports how
/// long the server kept the connection (None: still open after `limit`).
async fn held_for(
    addr: std::net::SocketAddr,
    sent: &'static [u8],
    every: Option<Duration>,
    limit: Duration,
) -> Option<Duration> {
    let start = Instant::now();
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.write_all(sent).await.expect("first bytes");
    let mut buf = [0u8; 1024];
    loop {
        let wait = every.unwrap_or(limit);
        match tokio::time::timeout(wait, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(start.elapsed()),
            // A 408 or similar before closing is fine: keep reading to the close.
            Ok(Ok(_)) => continue,
            Err(_) if start.elapsed() >= limit => return None,
            Err(_) => {
                if s.write_all(b"a").await.is_err() {
                    return Some(start.elapsed());
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_trickling_its_headers_is_disconnected() {
    common::within_limit(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("h.db").display());
        let evidence = dir.path().join("evidence").display().to_string();
        let mail = dir.path().join("mail").display().to_string();
        let heads = dir.path().join("heads.log").display().to_string();
        let config = server::config::Config::from_lookup(|k| match k {
            "HIKESHI_DATABASE_URL" => Some(url.clone()),
            "HIKESHI_ADMIN_PASSWORD" => Some(common::ADMIN_PASSWORD.into()),
            "HIKESHI_BIND" => Some("127.0.0.1:0".into()),
            "HIKESHI_EVIDENCE_DIR" => Some(evidence.clone()),
            "HIKESHI_MAIL_DIR" => Some(mail.clone()),
            // One audit key per process: the one every other test uses.
            "HIKESHI_AUDIT_KEY" => Some(common::TEST_AUDIT_KEY.into()),
            "HIKESHI_AUDIT_HEADS_FILE" => Some(heads.clone()),
            _ => None,
        })
        .expect("config");
        let application = server::Application::build(config).await.expect("build");
        let addr = application.local_addr();
        tokio::spawn(application.run());

        let timeout = server::startup::HEADER_READ_TIMEOUT;
        let limit = timeout + Duration::from_secs(5);
        let every = Some(Duration::from_millis(500));
        let (trickle, silent, normal) = tokio::join!(
            held_for(
                addr,
                b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ",
                every,
                limit
            ),
            held_for(addr, b"", None, limit),
            async {
                let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
                s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .await
                    .expect("request");
                let mut answer = String::new();
                s.read_to_string(&mut answer).await.expect("answer");
                answer
            }
        );
        assert!(normal.starts_with("HTTP/1.1 200"), "{normal}");
        for (what, held) in [("trickling headers", trickle), ("sending nothing", silent)] {
            let held = held.unwrap_or_else(|| panic!("{what}: still connected after {limit:?}"));
            assert!(
                held >= timeout - Duration::from_secs(1) && held < limit,
                "{what}: disconnected after {held:?}, the limit is {timeout:?}"
            );
        }
    })
    .await
}

on_both_databases!(
    hostile_text_stays_text_in_the_page_title_and_in_textareas,
    every_page_has_a_policy_whose_nonce_is_on_its_scripts,
    malformed_requests_are_the_clients_400_without_parser_detail,
);
