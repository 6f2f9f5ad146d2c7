use chrono::{NaiveTime, Weekday};

use crate::triage::detect::{Config, MaintenanceWindow, WindowDay};

#[test]
fn defaults_are_sensible() {
    let c = Config::default();
    assert_eq!(c.internal.len(), 4);
    assert_eq!(c.internal_zones, ["Trust", "DMZ"]);
    assert_eq!(c.business_hours, (8, 20));
    assert_eq!(c.utc_offset_minutes, 540);
    assert_eq!(c.allowed_connect_ports, [80, 443]);
    assert_eq!(c.thresholds.beacon_min_requests, 12);
    assert_eq!(c.thresholds.large_post_bytes, 10 * 1024 * 1024);
    assert!(c.validate().is_ok());
}

#[test]
fn a_toml_file_sets_only_what_differs() {
    let c: Config = toml::from_str(
        r#"
        proxies = ["10.0.0.8", "10.0.1.0/29"]
        standard_user_agents = ["Edg/"]
        business_hours = [9, 18]
        business_days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        holidays = ["2025-01-13"]
        maintenance_windows = [
            { on = "Sat", start = "02:00", end = "05:00" },
            { on = "2025-01-04", start = "22:00", end = "02:00" },
            { on = "daily", start = "12:00", end = "12:30" },
        ]
        admin_hosts = [["administrator", ["ADMIN-PC01", "10.0.5.10"]]]

        [indicators]
        domains = ["evil.example"]
        ips = ["203.0.113.5"]

        [thresholds]
        beacon_min_requests = 24
        "#,
    )
    .unwrap();
    assert_eq!(c.proxies[0].to_string(), "10.0.0.8/32");
    assert_eq!(c.proxies[1].to_string(), "10.0.1.0/29");
    assert_eq!(c.business_hours, (9, 18));
    assert_eq!(c.business_days.last(), Some(&Weekday::Sat));
    assert_eq!(
        c.maintenance_windows[0],
        MaintenanceWindow {
            on: WindowDay::Weekday(Weekday::Sat),
            start: NaiveTime::from_hms_opt(2, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(5, 0, 0).unwrap(),
        }
    );
    assert!(matches!(c.maintenance_windows[1].on, WindowDay::Date(_)));
    assert_eq!(c.maintenance_windows[2].on, WindowDay::Daily);
    assert_eq!(c.admin_hosts[0].1, ["ADMIN-PC01", "10.0.5.10"]);
    assert_eq!(c.thresholds.beacon_min_requests, 24);
    assert_eq!(
        c.thresholds.beacon_max_jitter, 0.1,
        "unset thresholds keep defaults"
    );
    assert_eq!(
        c.internal_zones,
        ["Trust", "DMZ"],
        "unset fields keep defaults"
    );
}

#[test]
fn mistakes_in_the_file_are_named() {
    let typo = toml::from_str::<Config>("proxy = [\"10.0.0.8\"]").unwrap_err();
    assert!(typo.to_string().contains("proxy"), "{typo}");
    let bad = toml::from_str::<Config>("proxies = [\"10.0.0.300\"]").unwrap_err();
    assert!(bad.to_string().contains("10.0.0.300"), "{bad}");
    let day = toml::from_str::<Config>(
        r#"maintenance_windows = [{ on = "someday", start = "01:00", end = "02:00" }]"#,
    )
    .unwrap_err();
    assert!(day.to_string().contains("someday"), "{day}");
    let hours = Config {
        business_hours: (9, 25),
        ..Config::default()
    };
    assert_eq!(hours.validate().unwrap_err().field, "business_hours");
}

#[test]
fn the_config_round_trips_through_toml() {
    let c = Config::default();
    let text = toml::to_string(&c).unwrap();
    let back: Config = toml::from_str(&text).unwrap();
    assert_eq!(back, c);
}
