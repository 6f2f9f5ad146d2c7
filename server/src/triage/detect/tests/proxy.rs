use chrono::{Duration, NaiveTime, Weekday};

use super::*;
use crate::triage::detect::proxy::{
    BEACONING, CONNECT_PORT, INDICATOR, LARGE_UPLOAD, OFF_HOURS, USER_AGENT,
};
use crate::triage::detect::{
    Indicators, MaintenanceWindow, ObservableKind as K, Severity, WindowDay,
};

/// Monday 2025-01-06, 10:00 JST: business hours.
fn monday_10() -> DateTime<Utc> {
    jst(2025, 1, 6, 10, 0, 0)
}

fn get(client: &str, url: &str) -> Record {
    proxy(req(monday_10(), client, "GET", url))
}

fn with_ua(mut r: Request, ua: &str) -> Record {
    r.user_agent = Some(ua.to_owned());
    proxy(r)
}

const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

fn indicators() -> Config {
    Config {
        indicators: Indicators {
            domains: vec!["evil.example".into()],
            ips: vec![ip("198.51.100.7")],
            urls: vec!["http://apt.example.com/control/".into()],
        },
        ..Config::default()
    }
}

#[test]
fn indicator_domains_match_subdomains_but_not_lookalikes() {
    let records = [
        get("10.0.0.5", "http://a.b.evil.example/x"),
        get("10.0.0.5", "http://notevil.example/x"),
        get("10.0.0.5", "http://evil.example.net/x"),
        get("10.0.0.5", "http://a.b.evil.example/y"),
    ];
    let found = run(indicators(), &records);
    let hits = of(&found, INDICATOR);
    assert_eq!(hits.len(), 1, "{found:#?}");
    let f = hits[0];
    assert_eq!(lines(f), [1, 4]);
    assert_eq!(f.severity, Severity::High);
    assert!(has(f, K::Domain, "a.b.evil.example") && has(f, K::Domain, "evil.example"));
    assert!(
        f.explanation
            .ja
            .contains("ドメイン evil.example のサブドメイン a.b.evil.example")
    );
    assert_eq!(found.len(), 1);
}

#[test]
fn indicator_ips_and_url_prefixes_match() {
    // Seed 001: GET http://apt.example.com/xxx/xxx/apt.zip (URL indicators
    // are prefixes, so only /control/ matches here).
    let records = [
        get("10.0.0.5", "http://198.51.100.7/gate.php"),
        get("10.0.0.6", "http://apt.example.com/blog/"),
        get("10.0.0.6", "http://APT.example.com:80/control/apt.zip"),
        get("10.0.0.7", "http://198.51.100.8/gate.php"),
    ];
    let found = run(indicators(), &records);
    let hits = of(&found, INDICATOR);
    assert_eq!(hits.len(), 2, "{found:#?}");
    let by_ip = hits.iter().find(|f| has(f, K::Ip, "198.51.100.7")).unwrap();
    assert_eq!(lines(by_ip), [1]);
    assert!(by_ip.explanation.en.contains("the IP address 198.51.100.7"));
    let by_url = hits
        .iter()
        .find(|f| has(f, K::Url, "http://apt.example.com/control/"))
        .unwrap();
    assert_eq!(lines(by_url), [3]);
    assert_eq!(by_url.line_count, 1);
}

#[test]
fn connect_to_unusual_ports_is_found() {
    // Seed 001: TCP_DENIED/403 … CONNECT 192.168.xxx.xxx:8089
    let mut denied = req(monday_10(), "10.0.0.5", "CONNECT", "192.168.10.10:8089");
    denied.status = 403;
    denied.result = "TCP_DENIED/403".into();
    let records = [
        proxy(req(
            monday_10(),
            "10.0.0.5",
            "CONNECT",
            "www.example.com:443",
        )),
        proxy(req(
            monday_10(),
            "10.0.0.5",
            "CONNECT",
            "mail.example.org:8443",
        )),
        proxy(denied),
        proxy(req(
            monday_10(),
            "10.0.0.5",
            "CONNECT",
            "www.example.net:80",
        )),
    ];
    let found = run(Config::default(), &records);
    let hits = of(&found, CONNECT_PORT);
    assert_eq!(hits.len(), 2, "{found:#?}");
    let f = hits.iter().find(|f| lines(f) == [2]).unwrap();
    assert!(f.explanation.ja.contains("ポート 8443"));
    assert!(has(f, K::Domain, "mail.example.org"));
    let d = hits.iter().find(|f| lines(f) == [3]).unwrap();
    assert!(d.explanation.en.contains("port 8089") && d.explanation.en.contains("1 denied"));
    assert!(has(d, K::Ip, "192.168.10.10"));
    assert_eq!(found.len(), 2);
}

#[test]
fn non_standard_user_agents_are_found() {
    // Seed 001: "Wget/1.12 (linux-gnu)" in the combined format.
    let t = monday_10();
    let records = [
        with_ua(req(t, "10.0.0.5", "GET", "http://www.example.com/"), CHROME),
        with_ua(
            req(t, "10.0.0.5", "GET", "http://c2.example.net/a"),
            "Mozilla/4.0",
        ),
        with_ua(
            req(t, "10.0.0.6", "POST", "http://api.example.org/"),
            "python-requests/2.31",
        ),
        with_ua(
            req(t, "10.0.0.5", "GET", "http://c2.example.net/b"),
            "Mozilla/4.0",
        ),
        proxy(req(t, "10.0.0.7", "GET", "http://www.example.com/")),
        with_ua(req(t, "10.0.0.8", "GET", "http://www.example.com/"), "-"),
    ];
    let found = run(Config::default(), &records);
    let hits = of(&found, USER_AGENT);
    assert_eq!(hits.len(), 3, "{found:#?}");
    let moz = hits
        .iter()
        .find(|f| has(f, K::UserAgent, "Mozilla/4.0"))
        .unwrap();
    assert_eq!(lines(moz), [2, 4]);
    assert!(has(moz, K::Ip, "10.0.0.5") && has(moz, K::Domain, "c2.example.net"));
    assert!(moz.explanation.ja.contains("「Mozilla/4.0」で 2 件"));
    let py = hits
        .iter()
        .find(|f| has(f, K::UserAgent, "python-requests/2.31"))
        .unwrap();
    assert_eq!(lines(py), [3]);
    let none = hits.iter().find(|f| lines(f) == [6]).unwrap();
    assert!(none.explanation.en.contains("(none)"));
    assert_eq!(found.len(), 3);
}

#[test]
fn standard_browsers_and_logs_without_user_agents_give_nothing() {
    let t = monday_10();
    let records = [
        with_ua(req(t, "10.0.0.5", "GET", "http://www.example.com/"), CHROME),
        proxy(req(t, "10.0.0.5", "GET", "http://www.example.com/")),
        proxy(req(t, "10.0.0.5", "CONNECT", "www.example.com:443")),
    ];
    assert!(run(Config::default(), &records).is_empty());
}

/// A day of browsing: 40 clients, 300 hosts, sessions of bursts at random
/// times, popular hosts visited many times a day; plus one client polling
/// one host every 300 s ± 2 %.
fn generated_day(rng: &mut fastrand::Rng, beacon: bool) -> Vec<Request> {
    let day = jst(2025, 1, 6, 0, 0, 0);
    let mut out = Vec::new();
    for c in 0..40 {
        let client = format!("10.1.0.{}", c + 10);
        let sessions = rng.usize(40..120);
        for _ in 0..sessions {
            // Popular hosts more often: min of two draws skews low.
            let host = rng.usize(0..300).min(rng.usize(0..300));
            let start = rng.i64(0..86_400_000);
            for k in 0..rng.usize(1..25) {
                let t = day + Duration::milliseconds(start + k as i64 * rng.i64(50..2_000));
                let url = format!("http://site{host}.example.org/page/{k}");
                out.push(req(t, &client, "GET", &url));
            }
        }
    }
    if beacon {
        let mut t = day + Duration::seconds(rng.i64(0..300));
        while t < day + Duration::days(1) {
            out.push(req(
                t,
                "10.1.0.99",
                "POST",
                "http://update.badcdn.example/b.php",
            ));
            let jitter = 300_000.0 * (1.0 + (rng.f64() * 2.0 - 1.0) * 0.02);
            t += Duration::milliseconds(jitter as i64);
        }
    }
    out.sort_by_key(|r| r.time);
    out
}

#[test]
fn a_steady_beacon_is_found_among_random_browsing() {
    let mut rng = fastrand::Rng::with_seed(7);
    let day = generated_day(&mut rng, true);
    let records: Vec<Record> = day.iter().cloned().map(proxy).collect();
    let found = run(Config::default(), &records);
    let hits = of(&found, BEACONING);
    assert_eq!(hits.len(), 1, "{:#?}", hits);
    let f = hits[0];
    assert!(has(f, K::Ip, "10.1.0.99") && has(f, K::Domain, "update.badcdn.example"));
    assert_eq!(f.lines.len(), crate::triage::detect::MAX_LINES);
    for at in &f.lines {
        let r = &day[at.line as usize - 1];
        assert_eq!(
            (r.client, r.host.as_str()),
            (ip("10.1.0.99"), "update.badcdn.example")
        );
    }
    assert!(f.line_count >= 280, "{}", f.line_count);
    assert!(
        f.explanation.en.contains("interval of 300 s"),
        "{}",
        f.explanation.en
    );
    assert!(
        f.explanation.ja.contains("平均 300 秒間隔"),
        "{}",
        f.explanation.ja
    );
}

#[test]
fn random_browsing_alone_is_not_beaconing() {
    let mut rng = fastrand::Rng::with_seed(11);
    let records: Vec<Record> = generated_day(&mut rng, false)
        .into_iter()
        .map(proxy)
        .collect();
    assert!(of(&run(Config::default(), &records), BEACONING).is_empty());
}

#[test]
fn a_beacon_doing_two_requests_per_poll_is_one_contact_per_poll() {
    let start = monday_10();
    let mut records = Vec::new();
    for i in 0..30 {
        let t = start + Duration::seconds(i * 600);
        records.push(get_at(t, "http://c2.example.net/task"));
        records.push(proxy(req(
            t + Duration::milliseconds(700),
            "10.0.0.5",
            "POST",
            "http://c2.example.net/result",
        )));
    }
    let found = run(Config::default(), &records);
    let f = of(&found, BEACONING);
    assert_eq!(f.len(), 1);
    assert!(
        f[0].explanation.en.contains("30 times (60 requests)"),
        "{}",
        f[0].explanation.en
    );
}

fn get_at(t: DateTime<Utc>, url: &str) -> Record {
    proxy(req(t, "10.0.0.5", "GET", url))
}

#[test]
fn business_domains_are_not_beacons() {
    let start = monday_10();
    let records: Vec<Record> = (0..40)
        .map(|i| {
            get_at(
                start + Duration::seconds(i * 300),
                "http://ctldl.windowsupdate.com/x",
            )
        })
        .collect();
    assert_eq!(of(&run(Config::default(), &records), BEACONING).len(), 1);
    let cfg = Config {
        business_domains: vec!["windowsupdate.com".into()],
        ..Config::default()
    };
    assert!(run(cfg, &records).is_empty());
}

#[test]
fn too_short_or_too_irregular_polling_is_not_beaconing() {
    let start = monday_10();
    // 12 contacts a minute apart: only 11 minutes long.
    let short: Vec<Record> = (0..12)
        .map(|i| get_at(start + Duration::seconds(i * 60), "http://a.example.net/"))
        .collect();
    assert!(run(Config::default(), &short).is_empty());
    // Doubling intervals: long enough, far from regular.
    let irregular: Vec<Record> = (0..14)
        .map(|i| {
            get_at(
                start + Duration::seconds((1 << i) * 2),
                "http://b.example.net/",
            )
        })
        .collect();
    assert!(of(&run(Config::default(), &irregular), BEACONING).is_empty());
}

fn windows_cfg() -> Config {
    Config {
        maintenance_windows: vec![MaintenanceWindow {
            on: WindowDay::Weekday(Weekday::Wed),
            start: NaiveTime::from_hms_opt(2, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(4, 0, 0).unwrap(),
        }],
        ..Config::default()
    }
}

#[test]
fn requests_at_three_in_the_morning_are_out_of_hours() {
    let records = [
        proxy(req(
            jst(2025, 1, 6, 3, 0, 0),
            "10.0.0.5",
            "GET",
            "http://c2.example.net/a",
        )),
        proxy(req(
            jst(2025, 1, 6, 10, 0, 0),
            "10.0.0.5",
            "GET",
            "http://www.example.com/",
        )),
        proxy(req(
            jst(2025, 1, 6, 3, 5, 0),
            "10.0.0.5",
            "GET",
            "http://c2.example.net/b",
        )),
        proxy(req(
            jst(2025, 1, 6, 23, 0, 0),
            "10.0.0.5",
            "GET",
            "http://other.example.net/",
        )),
    ];
    let found = run(windows_cfg(), &records);
    let hits = of(&found, OFF_HOURS);
    assert_eq!(hits.len(), 1, "one finding per client: {found:#?}");
    let f = hits[0];
    assert_eq!(lines(f), [1, 3, 4]);
    assert_eq!(f.severity, Severity::Low);
    assert!(
        f.explanation.ja.contains("c2.example.net（2 件）"),
        "{}",
        f.explanation.ja
    );
    assert!(f.explanation.ja.contains("月・火・水・木・金 8:00〜20:00"));
    assert!(
        f.explanation.en.contains("2025-01-06 03:00:00+09:00"),
        "{}",
        f.explanation.en
    );
    assert!(has(f, K::Ip, "10.0.0.5") && has(f, K::Domain, "other.example.net"));
    assert_eq!(found.len(), 1);
}

#[test]
fn maintenance_windows_and_business_hours_are_not_out_of_hours() {
    let records = [
        // Wednesday 2025-01-08 03:00 JST, inside the declared window.
        proxy(req(
            jst(2025, 1, 8, 3, 0, 0),
            "10.0.0.5",
            "GET",
            "http://repo.example.net/a",
        )),
        proxy(req(
            jst(2025, 1, 8, 8, 0, 0),
            "10.0.0.5",
            "GET",
            "http://repo.example.net/b",
        )),
        proxy(req(
            jst(2025, 1, 10, 19, 59, 0),
            "10.0.0.5",
            "GET",
            "http://repo.example.net/c",
        )),
    ];
    assert!(run(windows_cfg(), &records).is_empty());
}

#[test]
fn weekends_and_holidays_are_out_of_hours() {
    let cfg = Config {
        holidays: vec![chrono::NaiveDate::from_ymd_opt(2025, 1, 13).unwrap()],
        ..Config::default()
    };
    let records = [
        proxy(req(
            jst(2025, 1, 11, 14, 0, 0),
            "10.0.0.5",
            "GET",
            "http://a.example.net/",
        )),
        proxy(req(
            jst(2025, 1, 13, 14, 0, 0),
            "10.0.0.5",
            "GET",
            "http://a.example.net/",
        )),
        proxy(req(
            jst(2025, 1, 14, 14, 0, 0),
            "10.0.0.5",
            "GET",
            "http://a.example.net/",
        )),
    ];
    let found = run(cfg, &records);
    assert_eq!(lines(of(&found, OFF_HOURS)[0]), [1, 2]);
}

fn post(t: DateTime<Utc>, client: &str, url: &str, size: Option<u64>) -> Record {
    let mut r = req(t, client, "POST", url);
    r.request_bytes = size;
    proxy(r)
}

#[test]
fn large_uploads_to_one_host_are_found() {
    let t = monday_10();
    let mib = 1024 * 1024;
    let mut records = vec![get("10.0.0.5", "http://www.example.com/")];
    for i in 0..6 {
        records.push(post(
            t + Duration::seconds(i),
            "10.0.0.5",
            "http://drop.example.net/up",
            Some(2 * mib),
        ));
    }
    records.push(post(
        t,
        "10.0.0.6",
        "http://forms.example.com/send",
        Some(mib),
    ));
    let found = run(Config::default(), &records);
    let hits = of(&found, LARGE_UPLOAD);
    assert_eq!(hits.len(), 1, "{found:#?}");
    let f = hits[0];
    assert_eq!(lines(f), [2, 3, 4, 5, 6, 7]);
    assert_eq!(f.severity, Severity::Medium);
    assert!(
        f.explanation
            .en
            .contains("uploaded 12.0 MiB in total to drop.example.net"),
        "{}",
        f.explanation.en
    );
    assert!(has(f, K::Domain, "drop.example.net"));
}

#[test]
fn without_request_sizes_many_posts_to_one_host_are_found() {
    let t = monday_10();
    let records: Vec<Record> = (0..250)
        .map(|i| {
            post(
                t + Duration::milliseconds(i * 10),
                "10.0.0.5",
                "http://drop.example.net/up",
                None,
            )
        })
        .chain((0..50).map(|i| {
            post(
                t + Duration::milliseconds(i * 10),
                "10.0.0.6",
                "http://forms.example.com/",
                None,
            )
        }))
        .collect();
    let found = run(Config::default(), &records);
    let hits = of(&found, LARGE_UPLOAD);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].severity, Severity::Low);
    assert_eq!(hits[0].line_count, 250);
    assert!(hits[0].explanation.ja.contains("POST/PUT が 250 回"));
}

#[test]
fn sized_connect_tunnels_count_as_uploads() {
    let t = monday_10();
    let mut r = req(t, "10.0.0.5", "CONNECT", "files.example.net:443");
    r.request_bytes = Some(11 * 1024 * 1024);
    let found = run(Config::default(), &[proxy(r)]);
    let hits = of(&found, LARGE_UPLOAD);
    assert_eq!(hits.len(), 1);
    assert_eq!(lines(hits[0]), [1]);
    assert!(
        hits[0]
            .explanation
            .en
            .contains("11.0 MiB in total to files.example.net in 1 request")
    );
}

#[test]
fn business_hours_may_run_to_midnight_or_around_the_clock() {
    let late = Config {
        business_hours: (8, 24),
        ..Config::default()
    };
    let night = [proxy(req(
        jst(2025, 1, 6, 23, 30, 0),
        "10.0.0.5",
        "GET",
        "http://a.example.net/",
    ))];
    assert!(run(late, &night).is_empty());
    let always = Config {
        business_hours: (0, 0),
        ..Config::default()
    };
    let early = [proxy(req(
        jst(2025, 1, 6, 3, 0, 0),
        "10.0.0.5",
        "GET",
        "http://a.example.net/",
    ))];
    assert!(run(always, &early).is_empty());
    assert_eq!(of(&run(Config::default(), &early), OFF_HOURS).len(), 1);
}

/// Clients 10.0.0.1 … 10.0.0.n, `per` requests each, through `make`.
fn from_clients(n: u32, per: u32, make: impl Fn(&str, u32) -> Record) -> Vec<Record> {
    let mut out = Vec::new();
    for i in 0..per {
        for c in 1..=n {
            out.push(make(&format!("10.0.0.{c}"), i));
        }
    }
    out
}

/// A thousand CONNECTs to one odd port from fifty clients are one finding
/// about the destination: every request counted, the first cited, the
/// clients named busiest first and bounded.
#[test]
fn connects_to_one_host_fold_into_one_finding() {
    let t = monday_10();
    let mut records = from_clients(50, 20, |c, i| {
        proxy(req(
            t + Duration::seconds(i64::from(i)),
            c,
            "CONNECT",
            "c2.example.net:8089",
        ))
    });
    records.push(proxy(req(t, "10.0.0.7", "CONNECT", "c2.example.net:8443")));
    let found = run(Config::default(), &records);
    let hits = of(&found, CONNECT_PORT);
    assert_eq!(hits.len(), 1, "{hits:#?}");
    let f = hits[0];
    assert_eq!(f.line_count, 1001);
    assert_eq!(lines(f), (1..=20).collect::<Vec<u64>>());
    assert!(
        f.explanation.en.starts_with(
            "50 clients (10.0.0.7 ×21, 10.0.0.1 ×20, 10.0.0.2 ×20, 10.0.0.3 ×20, 10.0.0.4 ×20 and 45 more) \
             issued 1001 CONNECT requests to c2.example.net on port 8089, 8443"
        ),
        "{}",
        f.explanation.en
    );
    assert!(
        f.explanation
            .ja
            .starts_with("50 台のクライアント（10.0.0.7（21 件）")
    );
    let ips = f.observables.iter().filter(|o| o.kind == K::Ip).count();
    assert_eq!(ips, 20, "clients bounded");
    assert!(has(f, K::Ip, "10.0.0.7") && has(f, K::Domain, "c2.example.net"));
}

#[test]
fn indicator_hits_fold_per_destination() {
    let records = from_clients(3, 2, |c, i| get(c, &format!("http://x.evil.example/{i}")));
    let found = run(indicators(), &records);
    let hits = of(&found, INDICATOR);
    assert_eq!(hits.len(), 1, "{hits:#?}");
    assert_eq!(hits[0].line_count, 6);
    assert!(
        hits[0].explanation.en.starts_with(
            "3 clients (10.0.0.1 ×2, 10.0.0.2 ×2, 10.0.0.3 ×2) sent 6 requests to x.evil.example"
        ),
        "{}",
        hits[0].explanation.en
    );
    for c in ["10.0.0.1", "10.0.0.2", "10.0.0.3"] {
        assert!(has(hits[0], K::Ip, c));
    }
}

#[test]
fn a_user_agent_is_one_finding_for_all_its_clients() {
    let t = monday_10();
    let records = from_clients(4, 3, |c, i| {
        with_ua(
            req(t, c, "GET", &format!("http://h{i}.example.net/")),
            "python-requests/2.31",
        )
    });
    let found = run(Config::default(), &records);
    let hits = of(&found, USER_AGENT);
    assert_eq!(hits.len(), 1, "{hits:#?}");
    let f = hits[0];
    assert_eq!(f.line_count, 12);
    assert!(
        f.explanation.en.starts_with("4 clients ("),
        "{}",
        f.explanation.en
    );
    assert!(
        f.explanation
            .ja
            .contains("「python-requests/2.31」で 12 件")
    );
    assert!(has(f, K::UserAgent, "python-requests/2.31"));
    assert!(has(f, K::Domain, "h2.example.net") && has(f, K::Ip, "10.0.0.4"));
}

#[test]
fn two_clients_beaconing_to_one_host_are_one_finding() {
    let start = monday_10();
    let mut records = Vec::new();
    for i in 0..30 {
        let t = start + Duration::seconds(i * 600);
        records.push(get_at(t, "http://c2.example.net/task"));
        records.push(proxy(req(
            t + Duration::seconds(5),
            "10.0.0.6",
            "GET",
            "http://c2.example.net/task",
        )));
    }
    let found = run(Config::default(), &records);
    let hits = of(&found, BEACONING);
    assert_eq!(hits.len(), 1, "{hits:#?}");
    let f = hits[0];
    assert_eq!(f.line_count, 60);
    assert_eq!(f.lines.len(), crate::triage::detect::MAX_LINES);
    assert!(
        f.explanation
            .en
            .starts_with("2 clients contacted c2.example.net at nearly constant intervals"),
        "{}",
        f.explanation.en
    );
    assert!(f.explanation.en.contains("10.0.0.5 every 600 s on average"));
    assert!(f.explanation.ja.contains("10.0.0.6（平均 600 秒間隔"));
    assert!(has(f, K::Ip, "10.0.0.5") && has(f, K::Ip, "10.0.0.6"));
}

#[test]
fn large_uploads_to_one_host_fold_over_clients() {
    let t = monday_10();
    let mib = 1024 * 1024;
    let records = from_clients(2, 6, |c, i| {
        post(
            t + Duration::seconds(i64::from(i)),
            c,
            "http://drop.example.net/up",
            Some(2 * mib),
        )
    });
    let found = run(Config::default(), &records);
    let hits = of(&found, LARGE_UPLOAD);
    assert_eq!(hits.len(), 1, "{hits:#?}");
    let f = hits[0];
    assert_eq!(lines(f), (1..=12).collect::<Vec<u64>>());
    assert!(
        f.explanation
            .en
            .contains("uploaded 24.0 MiB in total to drop.example.net in 12 requests")
            && f.explanation.en.contains("threshold 10.0 MiB per client")
            && f.explanation
                .en
                .contains("By client: 10.0.0.1 (12.0 MiB), 10.0.0.2 (12.0 MiB)."),
        "{}",
        f.explanation.en
    );
}
