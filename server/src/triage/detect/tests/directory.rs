use chrono::Duration;

use super::*;
use crate::triage::detect::directory::{
    ADMIN_UNUSUAL_HOST, AUTH_SPIKE, CRITICAL_EVENT, UNEXPECTED_PRIVILEGE,
};
use crate::triage::detect::{ObservableKind as K, Severity};
use crate::triage::record::WinEvent;

fn event(id: u32, account: Option<&str>, host: Option<&str>, addr: Option<&str>) -> WinEvent {
    WinEvent {
        time: Some(jst(2025, 1, 6, 10, 0, 0)),
        event_id: id,
        computer: "DC01.corp.example".into(),
        account: account.map(String::from),
        logon_type: (id == 4624 || id == 4625).then_some(3),
        source_host: host.map(String::from),
        source_ip: addr.map(ip),
        target: None,
    }
}

fn win(e: WinEvent) -> Record {
    Record::Windows(e)
}

fn admins() -> Config {
    Config {
        admin_accounts: vec!["Administrator".into(), "ops-admin".into()],
        admin_hosts: vec![(
            "administrator".into(),
            vec!["ADMIN-PC01".into(), "10.0.5.0/28".into()],
        )],
        ..Config::default()
    }
}

#[test]
fn each_high_criticality_event_is_reported_with_its_meaning() {
    let ids = [4618, 4649, 4719, 4765, 4766, 4794, 4897, 4964, 5124];
    let records: Vec<Record> = ids
        .iter()
        .map(|&id| win(event(id, Some("attacker"), None, None)))
        .collect();
    let found = run(Config::default(), &records);
    let hits = of(&found, CRITICAL_EVENT);
    assert_eq!(hits.len(), ids.len());
    for (i, id) in ids.iter().enumerate() {
        let f = hits.iter().find(|f| lines(f) == [i as u64 + 1]).unwrap();
        assert_eq!(f.severity, Severity::High, "{id}");
        assert!(f.title.en.contains(&id.to_string()) && f.title.ja.contains(&id.to_string()));
        assert!(has(f, K::Host, "DC01.corp.example") && has(f, K::Account, "attacker"));
    }
    let audit = hits.iter().find(|f| f.title.en.contains("4719")).unwrap();
    assert!(
        audit
            .explanation
            .ja
            .contains("システム監査ポリシーが変更されました")
    );
    assert!(
        audit
            .explanation
            .en
            .contains("System audit policy was changed")
    );
    let sid = hits.iter().find(|f| f.title.en.contains("4765")).unwrap();
    assert!(sid.explanation.ja.contains("SID の履歴"));
}

#[test]
fn clearing_the_audit_log_is_reported_at_medium() {
    let records = [
        win(event(1102, Some("intruder"), None, None)),
        win(event(1102, Some("intruder"), None, None)),
    ];
    let found = run(Config::default(), &records);
    let f = of(&found, CRITICAL_EVENT);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Medium);
    assert_eq!(lines(f[0]), [1, 2]);
    assert!(f[0].explanation.ja.contains("監査ログが消去されました"));
    assert!(f[0].explanation.en.contains("wiped the log"));
}

#[test]
fn ordinary_authentication_gives_nothing() {
    let records = [
        win(event(4624, Some("tanaka"), Some("PC01"), Some("10.0.1.23"))),
        win(event(4768, Some("tanaka"), None, Some("10.0.1.23"))),
        win(event(4769, Some("tanaka"), None, Some("10.0.1.23"))),
        win(event(4776, Some("tanaka"), Some("PC01"), None)),
        win(event(4634, Some("tanaka"), None, None)),
        // The administrator at the usual places, written differently.
        win(event(
            4624,
            Some("CORP\\Administrator"),
            Some("admin-pc01.corp.example"),
            None,
        )),
        win(event(
            4769,
            Some("administrator@CORP.EXAMPLE"),
            None,
            Some("10.0.5.10"),
        )),
        win(event(
            4624,
            Some("Administrator"),
            Some("-"),
            Some("::ffff:10.0.5.3"),
        )),
        // Privileges for declared admins and machine accounts are normal.
        win(event(4672, Some("Administrator"), None, None)),
        win(event(4672, Some("PC01$"), None, None)),
        win(event(4672, Some("SYSTEM"), None, None)),
    ];
    assert!(run(admins(), &records).is_empty());
}

#[test]
fn an_administrator_from_an_unusual_host_is_found() {
    let records = [
        win(event(
            4624,
            Some("Administrator"),
            Some("ADMIN-PC01"),
            Some("10.0.5.2"),
        )),
        win(event(
            4624,
            Some("CORP\\Administrator"),
            Some("PC01"),
            Some("10.0.1.23"),
        )),
        win(event(
            4625,
            Some("administrator"),
            Some("PC01"),
            Some("10.0.1.23"),
        )),
        win(event(
            4769,
            Some("Administrator@CORP.EXAMPLE"),
            None,
            Some("10.0.1.40"),
        )),
        win(event(4624, Some("tanaka"), Some("PC01"), Some("10.0.1.23"))),
    ];
    let found = run(admins(), &records);
    let hits = of(&found, ADMIN_UNUSUAL_HOST);
    assert_eq!(hits.len(), 1, "{found:#?}");
    let f = hits[0];
    assert_eq!(f.severity, Severity::High);
    assert_eq!(lines(f), [2, 3, 4]);
    assert!(has(f, K::Host, "PC01") && has(f, K::Ip, "10.0.1.23") && has(f, K::Ip, "10.0.1.40"));
    assert!(has(f, K::Account, "CORP\\Administrator"));
    assert!(
        f.explanation.ja.contains("PC01 (10.0.1.23)（2 回）"),
        "{}",
        f.explanation.ja
    );
    assert!(
        f.explanation.ja.contains("ADMIN-PC01、10.0.5.0/28"),
        "{}",
        f.explanation.ja
    );
    assert!(f.explanation.en.contains("1 failed"));
    assert_eq!(found.len(), 1);
}

#[test]
fn privileges_for_an_undeclared_account_are_found() {
    let records = [
        win(event(4672, Some("Administrator"), None, None)),
        win(event(4672, Some("CORP\\svc-web"), None, None)),
    ];
    let found = run(admins(), &records);
    let hits = of(&found, UNEXPECTED_PRIVILEGE);
    assert_eq!(hits.len(), 1);
    assert_eq!(lines(hits[0]), [2]);
    assert!(has(hits[0], K::Account, "CORP\\svc-web"));
    // Without declared administrators the rule has nothing to compare with.
    assert!(run(Config::default(), &records).is_empty());
}

/// `per_hour[h]` Kerberos service-ticket requests from `addr` in hour `h`
/// of 2025-01-06 (UTC), spread over the hour.
fn auth_hours(addr: &str, per_hour: &[u64]) -> Vec<WinEvent> {
    let day = Utc.with_ymd_and_hms(2025, 1, 6, 0, 0, 0).unwrap();
    let mut out = Vec::new();
    for (h, &n) in per_hour.iter().enumerate() {
        for i in 0..n {
            let mut e = event(4769, Some("tanaka"), None, Some(addr));
            e.time =
                Some(day + Duration::hours(h as i64) + Duration::seconds((i * 3600 / n) as i64));
            out.push(e);
        }
    }
    out
}

#[test]
fn a_sudden_spike_in_authentication_requests_is_found() {
    let mut hours = vec![10; 24];
    hours[14] = 200;
    let events = auth_hours("10.0.1.50", &hours);
    let spike_start = 14 * 10 + 1; // first line of hour 14
    let steady = auth_hours("10.0.1.51", &[100; 24]);
    let mut records: Vec<Record> = events.into_iter().map(win).collect();
    records.extend(steady.into_iter().map(win));
    let found = run(Config::default(), &records);
    let hits = of(&found, AUTH_SPIKE);
    assert_eq!(hits.len(), 1, "{found:#?}");
    let f = hits[0];
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.line_count, 200);
    let expect: Vec<u64> = (spike_start..spike_start + 20).collect();
    assert_eq!(lines(f), expect);
    assert!(has(f, K::Ip, "10.0.1.50"));
    assert!(
        f.explanation
            .ja
            .contains("2025-01-06 23:00:00+09:00 からの 1 時間に 200 件"),
        "{}",
        f.explanation.ja
    );
    assert!(f.explanation.en.contains("median of 10.0"));
}

#[test]
fn a_spike_is_found_in_newest_first_exports_too() {
    let mut hours = vec![8; 48];
    hours[30] = 90;
    let mut events = auth_hours("10.0.1.60", &hours);
    events.reverse();
    let records: Vec<Record> = events.into_iter().map(win).collect();
    let found = run(Config::default(), &records);
    let hits = of(&found, AUTH_SPIKE);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].line_count, 90);
}

#[test]
fn busy_but_steady_or_small_counts_are_not_spikes() {
    let mut small = vec![2; 24];
    small[5] = 40; // 20× the median, but under auth_spike_min (50)
    let mut records: Vec<Record> = auth_hours("10.0.1.70", &small)
        .into_iter()
        .map(win)
        .collect();
    records.extend(auth_hours("10.0.1.71", &[300; 24]).into_iter().map(win));
    assert!(run(Config::default(), &records).is_empty());
}
