//! Behaviour of every detector, both ways: a planted trace is found with
//! the right lines cited, and a clean log gives nothing.

mod config;
mod directory;
mod dns;
mod firewall;
mod mail;
mod proxy;
mod settings;

use std::net::IpAddr;

use chrono::{DateTime, TimeZone, Utc};

use super::{Config, Detectors, Finding, ObservableKind};
use crate::triage::record::{At, Record, Request};

/// Line `n` of a test file: offsets are made up but distinct.
pub(super) fn at(line: u64) -> At {
    At {
        line,
        offset: (line - 1) * 100,
    }
}

/// Feeds the records as lines 1, 2, 3, … and returns the findings.
pub(super) fn run(cfg: Config, records: &[Record]) -> Vec<Finding> {
    let mut d = Detectors::new(cfg);
    for (i, r) in records.iter().enumerate() {
        d.feed(at(i as u64 + 1), r);
    }
    d.finish()
}

/// The findings of one detector.
pub(super) fn of<'a>(findings: &'a [Finding], detector: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.detector == detector).collect()
}

/// The line numbers a finding cites.
pub(super) fn lines(f: &Finding) -> Vec<u64> {
    f.lines.iter().map(|a| a.line).collect()
}

pub(super) fn has(f: &Finding, kind: ObservableKind, value: &str) -> bool {
    f.observables
        .iter()
        .any(|o| o.kind == kind && o.value == value)
}

/// A time given in JST (UTC+09:00, the default zone).
pub(super) fn jst(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap() - chrono::Duration::hours(9)
}

pub(super) fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// A proxy request as the Squid parser would produce it.
pub(super) fn req(time: DateTime<Utc>, client: &str, method: &str, url: &str) -> Request {
    let (host, port) = if method == "CONNECT" {
        let (h, p) = url.rsplit_once(':').unwrap();
        (h.to_owned(), p.parse().unwrap())
    } else {
        let https = url.starts_with("https://");
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let authority = rest.split('/').next().unwrap();
        match authority.split_once(':') {
            Some((h, p)) => (h.to_owned(), p.parse().unwrap()),
            None => (authority.to_owned(), if https { 443 } else { 80 }),
        }
    };
    Request {
        time,
        client: ip(client),
        method: method.to_owned(),
        url: url.to_owned(),
        host: host.to_lowercase(),
        port,
        status: 200,
        bytes: 553,
        request_bytes: None,
        user_agent: None,
        result: "TCP_MISS/200".to_owned(),
        user: None,
    }
}

pub(super) fn proxy(r: Request) -> Record {
    Record::Proxy(r)
}

#[test]
fn an_empty_log_gives_nothing() {
    assert!(run(Config::default(), &[]).is_empty());
}

#[test]
fn findings_are_sorted_by_severity_detector_and_line() {
    let cfg = Config {
        indicators: super::Indicators {
            domains: vec!["evil.example".into()],
            ..Default::default()
        },
        ..Config::default()
    };
    let t = jst(2025, 1, 6, 10, 0, 0);
    let records = [
        proxy(req(t, "10.0.0.9", "CONNECT", "mail.example.org:8443")),
        proxy(req(t, "10.0.0.8", "GET", "http://x.evil.example/a")),
        proxy(req(t, "10.0.0.7", "CONNECT", "chat.example.org:5222")),
        proxy(req(t, "10.0.0.6", "GET", "http://evil.example/b")),
    ];
    let found = run(cfg, &records);
    let order: Vec<(&str, u64)> = found
        .iter()
        .map(|f| (f.detector, f.lines[0].line))
        .collect();
    assert_eq!(
        order,
        [
            ("proxy.indicator", 2),
            ("proxy.indicator", 4),
            ("proxy.connect_port", 1),
            ("proxy.connect_port", 3)
        ]
    );
}

#[test]
fn every_detector_id_is_listed_once() {
    let mut ids = super::DETECTORS.to_vec();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), super::DETECTORS.len());
}

/// A log with one trace for every rule: each finding is complete, in both
/// languages, and every detector id shows up.
#[test]
fn every_detector_fires_and_explains_itself() {
    use crate::triage::record::*;
    let cfg = Config {
        indicators: super::Indicators {
            domains: vec!["evil.example".into()],
            ips: vec![ip("203.0.113.66")],
            urls: vec![],
        },
        admin_hosts: vec![("administrator".into(), vec!["ADMIN-PC01".into()])],
        ..Config::default()
    };
    let t = jst(2025, 1, 6, 3, 0, 0);
    let traffic = |zone: &str, dst: &str| Traffic {
        time: Some(t),
        action: "deny".into(),
        src_zone: "Trust".into(),
        dst_zone: zone.into(),
        src: ip("192.168.100.5"),
        dst: ip(dst),
        src_port: None,
        dst_port: Some(80),
        service: "http".into(),
        sent_bytes: None,
        received_bytes: None,
    };
    let win = |id: u32, account: &str, addr: &str, at: DateTime<Utc>| WinEvent {
        time: Some(at),
        event_id: id,
        computer: "DC01".into(),
        account: Some(account.into()),
        logon_type: None,
        source_host: None,
        source_ip: Some(ip(addr)),
        target: None,
    };
    let mail = |event| {
        Record::Mail(MailLine {
            time: Some(t),
            host: "mail".into(),
            queue_id: "Q1".into(),
            event,
        })
    };
    let mut records = vec![
        mail(MailEvent::HeaderFrom {
            value: String::new(),
            display: Some("boss@example.co.jp".into()),
            address: "x@example.com".into(),
            envelope_from: "x@example.com".into(),
            envelope_to: "staff@example.co.jp".into(),
        }),
        mail(MailEvent::Attachment {
            name: "a.pdf.exe".into(),
            envelope_from: "x@example.com".into(),
            envelope_to: "staff@example.co.jp".into(),
        }),
        Record::Firewall(traffic("Untrust", "203.0.113.66")),
        Record::Firewall(traffic("Trust", "192.168.200.5")),
        Record::Dns(Query {
            time: Some(t),
            client: ip("192.168.100.5"),
            client_port: None,
            name: "x.evil.example".into(),
            qtype: "A".into(),
        }),
        proxy(req(t, "10.0.0.5", "GET", "http://x.evil.example/a")),
        proxy(req(t, "10.0.0.5", "CONNECT", "x.example.net:8443")),
        Record::Windows(win(4719, "bad", "10.0.1.2", t)),
        Record::Windows(win(4624, "Administrator", "10.0.1.2", t)),
        Record::Windows(win(4672, "svc-web", "10.0.1.2", t)),
    ];
    let mut r = req(t, "10.0.0.5", "POST", "http://drop.example.net/u");
    r.user_agent = Some("python-requests/2.31".into());
    r.request_bytes = Some(20 * 1024 * 1024);
    records.push(proxy(r));
    for i in 0..30 {
        let at = t + chrono::Duration::seconds(i * 300);
        records.push(proxy(req(
            at,
            "10.0.0.7",
            "GET",
            "http://beacon.example.net/a",
        )));
    }
    for h in 0..12 {
        let n = if h == 6 { 120 } else { 5 };
        for i in 0..n {
            let at = t + chrono::Duration::hours(h) + chrono::Duration::seconds(i * 25);
            records.push(Record::Windows(win(4769, "tanaka", "10.0.1.50", at)));
        }
    }
    let found = run(cfg, &records);
    for id in super::DETECTORS {
        assert!(found.iter().any(|f| f.detector == *id), "{id} did not fire");
    }
    for f in &found {
        assert!(
            !f.lines.is_empty() && f.lines.len() <= super::MAX_LINES,
            "{f:?}"
        );
        assert!(f.line_count >= f.lines.len() as u64, "{f:?}");
        assert!(!f.observables.is_empty(), "{f:?}");
        assert!(
            f.first_seen.is_some() && f.first_seen <= f.last_seen,
            "{f:?}"
        );
        for text in [&f.title.ja, &f.explanation.ja] {
            assert!(
                text.chars().any(|c| ('\u{3040}'..='\u{30FF}').contains(&c)),
                "{text}"
            );
        }
        for text in [&f.title.en, &f.explanation.en] {
            assert!(
                text.is_ascii() || text.contains('–') || text.contains('×'),
                "{text}"
            );
            assert!(!text.contains("(s)"), "{text}");
        }
    }
}
