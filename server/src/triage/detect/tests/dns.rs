use super::*;
use crate::triage::detect::dns::INDICATOR;
use crate::triage::detect::{Indicators, ObservableKind as K, Severity};
use crate::triage::record::Query;

fn query(client: &str, name: &str) -> Record {
    Record::Dns(Query {
        time: Some(jst(2014, 12, 16, 1, 3, 55)),
        client: ip(client),
        client_port: Some(47197),
        name: name.into(),
        qtype: "A".into(),
    })
}

fn cfg() -> Config {
    Config {
        indicators: Indicators {
            domains: vec!["evil.example".into(), "apt.example.com".into()],
            ..Default::default()
        },
        ..Config::default()
    }
}

#[test]
fn queries_for_indicator_domains_and_subdomains_are_found() {
    // Seed 001: client 192.168.100.xxx #47197: query: apt.example.com IN A
    let records = [
        query("192.168.100.5", "www.example.com"),
        query("192.168.100.5", "apt.example.com"),
        query("192.168.100.5", "a.b.evil.example"),
        query("192.168.100.5", "notevil.example"),
        query("192.168.100.5", "evil.example"),
        query("192.168.100.6", "example"),
    ];
    let found = run(cfg(), &records);
    let hits = of(&found, INDICATOR);
    assert_eq!(hits.len(), 2, "{found:#?}");
    assert!(hits.iter().all(|f| f.severity == Severity::High));
    let apt = hits
        .iter()
        .find(|f| has(f, K::Domain, "apt.example.com"))
        .unwrap();
    assert_eq!(lines(apt), [2]);
    let evil = hits
        .iter()
        .find(|f| has(f, K::Domain, "evil.example"))
        .unwrap();
    assert_eq!(lines(evil), [3, 5]);
    assert!(has(evil, K::Domain, "a.b.evil.example"));
    assert!(has(evil, K::Ip, "192.168.100.5"));
    assert!(
        evil.explanation
            .en
            .contains("a.b.evil.example, evil.example")
    );
    assert!(evil.explanation.ja.contains("2 回"));
}

#[test]
fn ordinary_queries_give_nothing() {
    let records = [
        query("192.168.100.5", "www.example.com"),
        query("192.168.100.5", "notevil.example"),
        query("192.168.100.5", "evil.example.net"),
        query("192.168.100.5", "example.com"),
    ];
    assert!(run(cfg(), &records).is_empty());
}
