use super::*;
use crate::triage::detect::firewall::{INDICATOR, INTERNAL_DENIED, PROXY_BYPASS};
use crate::triage::detect::{Indicators, ObservableKind as K, Severity};
use crate::triage::record::Traffic;

fn traffic(
    action: &str,
    src_zone: &str,
    dst_zone: &str,
    src: &str,
    dst: &str,
    port: u16,
) -> Record {
    Record::Firewall(Traffic {
        time: Some(jst(2014, 12, 16, 0, 11, 15)),
        action: action.into(),
        src_zone: src_zone.into(),
        dst_zone: dst_zone.into(),
        src: ip(src),
        dst: ip(dst),
        src_port: Some(58461),
        dst_port: Some(port),
        service: "http".into(),
        sent_bytes: Some(0),
        received_bytes: Some(0),
    })
}

fn cfg() -> Config {
    Config {
        proxies: vec!["192.168.1.8/32".parse().unwrap()],
        ..Config::default()
    }
}

#[test]
fn denied_outbound_not_from_the_proxy_is_a_bypass() {
    // Seed 001: src zone=SHANAI dst zone=Untrust action=Deny … dst_port=80
    let records = [
        traffic(
            "permit",
            "SHANAI",
            "Untrust",
            "192.168.1.8",
            "23.23.10.10",
            80,
        ),
        traffic(
            "deny",
            "SHANAI",
            "Untrust",
            "192.168.100.5",
            "23.23.10.10",
            80,
        ),
        traffic(
            "deny",
            "SHANAI",
            "Untrust",
            "192.168.100.5",
            "23.23.10.10",
            80,
        ),
        traffic(
            "deny",
            "SHANAI",
            "Untrust",
            "192.168.100.5",
            "203.0.113.9",
            443,
        ),
    ];
    let found = run(cfg(), &records);
    let hits = of(&found, PROXY_BYPASS);
    assert_eq!(hits.len(), 1, "{found:#?}");
    let f = hits[0];
    assert_eq!(lines(f), [2, 3, 4]);
    assert_eq!(f.severity, Severity::Medium);
    assert!(has(f, K::Ip, "192.168.100.5"));
    assert!(has(f, K::Ip, "23.23.10.10"));
    assert!(f.explanation.ja.contains("192.168.100.5"));
    assert!(
        f.explanation.ja.contains("23.23.10.10:80（2 回）"),
        "{}",
        f.explanation.ja
    );
    assert!(f.explanation.en.contains("tried 3 times"));
    assert_eq!(found.len(), 1);
}

#[test]
fn denied_traffic_between_internal_segments_is_reported() {
    // Seed 001: src zone=SHANAI dst zone=INTRA action=Deny … dst_port=8089
    let records = [
        traffic(
            "deny",
            "SHANAI",
            "INTRA",
            "192.168.100.5",
            "192.168.200.7",
            8089,
        ),
        traffic(
            "deny",
            "Trust",
            "Trust",
            "192.168.100.5",
            "192.168.200.8",
            445,
        ),
    ];
    let found = run(cfg(), &records);
    let hits = of(&found, INTERNAL_DENIED);
    assert_eq!(hits.len(), 1);
    assert_eq!(lines(hits[0]), [1, 2]);
    assert!(hits[0].explanation.en.contains("to 2 hosts"));
    assert!(has(hits[0], K::Ip, "192.168.200.7"));
    assert_eq!(found.len(), 1);
}

#[test]
fn permitted_proxy_and_inbound_traffic_gives_nothing() {
    let records = [
        traffic(
            "permit",
            "Trust",
            "Untrust",
            "192.168.100.5",
            "23.23.10.10",
            80,
        ),
        traffic(
            "deny",
            "Trust",
            "Untrust",
            "192.168.1.8",
            "23.23.10.10",
            8080,
        ),
        traffic(
            "deny",
            "Untrust",
            "Trust",
            "198.51.100.3",
            "192.168.100.5",
            3389,
        ),
        traffic("deny", "Untrust", "DMZ", "198.51.100.3", "192.168.50.2", 22),
        traffic(
            "permit",
            "Trust",
            "DMZ",
            "192.168.100.5",
            "192.168.50.2",
            443,
        ),
    ];
    assert!(run(cfg(), &records).is_empty());
}

#[test]
fn zones_decide_over_addresses() {
    // A public address in a declared internal zone is inside.
    let records = [traffic(
        "reject",
        "DMZ",
        "Untrust",
        "198.51.100.20",
        "203.0.113.1",
        25,
    )];
    let found = run(cfg(), &records);
    assert_eq!(of(&found, PROXY_BYPASS).len(), 1);
}

#[test]
fn traffic_with_an_indicator_address_is_reported_whatever_the_action() {
    let cfg = Config {
        indicators: Indicators {
            ips: vec![ip("203.0.113.66")],
            ..Default::default()
        },
        ..cfg()
    };
    let records = [
        traffic(
            "permit",
            "Trust",
            "Untrust",
            "192.168.1.8",
            "203.0.113.66",
            443,
        ),
        traffic(
            "permit",
            "Trust",
            "Untrust",
            "192.168.1.8",
            "203.0.113.67",
            443,
        ),
    ];
    let found = run(cfg, &records);
    let hits = of(&found, INDICATOR);
    assert_eq!(hits.len(), 1);
    assert_eq!(lines(hits[0]), [1]);
    assert_eq!(hits[0].severity, Severity::High);
    assert!(hits[0].explanation.en.contains("(1 permitted, 0 denied)"));
}
