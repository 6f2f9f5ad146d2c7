//! The configuration compiled into fast lookups: domain suffix sets,
//! address ranges, URL prefixes by host, and the business calendar.

use std::net::IpAddr;

use chrono::{Datelike, NaiveDate, Timelike};
use ipnet::IpNet;
use rustc_hash::{FxHashMap, FxHashSet};

use super::config::{Config, MaintenanceWindow, WindowDay};
use super::stats::Millis;

/// Lower-cases a domain and drops a trailing dot, a leading `*.` or `.`.
pub(crate) fn normalize_domain(s: &str) -> Option<String> {
    let s = s.trim().trim_end_matches('.');
    let s = s.strip_prefix("*.").unwrap_or(s).trim_start_matches('.');
    (!s.is_empty()).then(|| s.to_ascii_lowercase())
}

/// A set of domains where each also stands for all its subdomains:
/// `evil.example` matches `a.b.evil.example` but not `notevil.example`.
#[derive(Debug, Default)]
pub(crate) struct DomainSet {
    set: FxHashSet<Box<str>>,
}

impl DomainSet {
    pub fn new<'a>(domains: impl IntoIterator<Item = &'a String>) -> Self {
        let set = domains
            .into_iter()
            .filter_map(|d| normalize_domain(d))
            .map(String::into_boxed_str)
            .collect();
        Self { set }
    }

    /// The listed domain `name` equals or is a subdomain of. `name` must be
    /// lower-case (the parsers guarantee it); a trailing dot is ignored.
    pub fn find(&self, name: &str) -> Option<&str> {
        if self.set.is_empty() {
            return None;
        }
        let mut candidate = name.strip_suffix('.').unwrap_or(name);
        loop {
            if let Some(hit) = self.set.get(candidate) {
                return Some(hit);
            }
            match candidate.find('.') {
                Some(dot) => candidate = &candidate[dot + 1..],
                None => return None,
            }
        }
    }
}

/// A few address ranges, checked in order. IPv4-mapped IPv6 addresses
/// match their IPv4 ranges.
#[derive(Debug, Default)]
pub(crate) struct NetSet(Vec<IpNet>);

impl NetSet {
    pub fn new(nets: &[IpNet]) -> Self {
        Self(nets.to_vec())
    }

    #[inline]
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|n| n.contains(&ip))
    }
}

/// URL indicators indexed by host, so a request only compares against the
/// prefixes for its own host.
#[derive(Debug, Default)]
pub(crate) struct UrlIndex {
    by_host: FxHashMap<Box<str>, Vec<UrlPrefix>>,
}

#[derive(Debug)]
pub(crate) struct UrlPrefix {
    /// The indicator as configured, for the explanation.
    pub indicator: String,
    /// Path and query the request must start with ("" matches any).
    path: String,
}

/// Splits `scheme://host:port/path` into the lower-case host without port
/// and the rest starting at `/`, `?` or `#`.
fn split_url(url: &str) -> (String, &str) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if authority.starts_with('[') {
        authority
            .split_once(']')
            .map_or(authority, |(h, _)| h.trim_start_matches('['))
    } else {
        authority.split(':').next().unwrap_or(authority)
    };
    (host.to_ascii_lowercase(), &rest[end..])
}

impl UrlIndex {
    pub fn new(urls: &[String]) -> Self {
        let mut by_host: FxHashMap<Box<str>, Vec<UrlPrefix>> = FxHashMap::default();
        for url in urls {
            let url = url.trim();
            let (host, path) = split_url(url);
            if host.is_empty() {
                continue;
            }
            let path = if path == "/" { "" } else { path };
            by_host
                .entry(host.into_boxed_str())
                .or_default()
                .push(UrlPrefix {
                    indicator: url.to_owned(),
                    path: path.to_owned(),
                });
        }
        Self { by_host }
    }

    /// The prefixes that could match requests to `host`.
    pub fn for_host(&self, host: &str) -> &[UrlPrefix] {
        self.by_host.get(host).map_or(&[], Vec::as_slice)
    }
}

impl UrlPrefix {
    /// Whether the request URL (as logged) starts with this indicator.
    pub fn matches(&self, url: &str) -> bool {
        let (_, path) = split_url(url);
        path.starts_with(&self.path)
    }
}

const MS_PER_MINUTE: i64 = 60_000;
const MS_PER_DAY: i64 = 86_400_000;
const MINUTES_PER_DAY: u32 = 24 * 60;

/// Days since 1970-01-01.
fn day_number(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce()) - 719_163
}

/// Business days, hours, holidays and maintenance windows, evaluated on
/// millisecond timestamps with plain integer arithmetic.
#[derive(Debug)]
pub(crate) struct Calendar {
    offset_ms: i64,
    /// Indexed Monday = 0.
    business_days: [bool; 7],
    start: u32,
    end: u32,
    holidays: FxHashSet<i64>,
    windows: Vec<Window>,
}

#[derive(Debug)]
struct Window {
    on: WindowDay,
    start: u32,
    end: u32,
}

/// Local day number and minute of the day.
#[inline]
fn local(t: Millis, offset_ms: i64) -> (i64, u32) {
    let lt = t + offset_ms;
    let day = lt.div_euclid(MS_PER_DAY);
    let minute = (lt.rem_euclid(MS_PER_DAY) / MS_PER_MINUTE) as u32;
    (day, minute)
}

#[inline]
fn weekday(day: i64) -> usize {
    // 1970-01-01 was a Thursday (index 3).
    (day + 3).rem_euclid(7) as usize
}

fn minutes(t: chrono::NaiveTime) -> u32 {
    t.num_seconds_from_midnight() / 60
}

/// Whether minute `m` lies in `[start, end)`, a range crossing midnight
/// when `end < start`; `on(d)` says whether day `d` is one the range
/// starts on. `start == end` covers the whole day.
#[inline]
fn in_range(start: u32, end: u32, day: i64, m: u32, on: impl Fn(i64) -> bool) -> bool {
    if start < end {
        on(day) && (start..end).contains(&m)
    } else if start == end {
        on(day)
    } else {
        (on(day) && m >= start) || (on(day - 1) && m < end)
    }
}

impl Calendar {
    pub fn new(cfg: &Config) -> Self {
        let mut business_days = [false; 7];
        for d in &cfg.business_days {
            business_days[d.num_days_from_monday() as usize] = true;
        }
        let (start, end) = cfg.business_hours;
        Self {
            offset_ms: i64::from(cfg.offset_or_utc().local_minus_utc()) * 1000,
            business_days,
            start: start.min(24) * 60,
            // 24:00 is midnight: `[8, 24]` runs to the end of the day.
            end: end.min(24) * 60 % MINUTES_PER_DAY,
            holidays: cfg.holidays.iter().copied().map(day_number).collect(),
            windows: cfg
                .maintenance_windows
                .iter()
                .map(|w: &MaintenanceWindow| Window {
                    on: w.on,
                    start: minutes(w.start),
                    end: minutes(w.end),
                })
                .collect(),
        }
    }

    fn is_business_day(&self, day: i64) -> bool {
        self.business_days[weekday(day)] && !self.holidays.contains(&day)
    }

    /// Whether `t` is outside business hours and outside every declared
    /// maintenance window.
    #[inline]
    pub fn is_off_hours(&self, t: Millis) -> bool {
        let (day, m) = local(t, self.offset_ms);
        let business = in_range(self.start, self.end, day, m, |d| self.is_business_day(d));
        !business && !self.in_maintenance(day, m)
    }

    fn in_maintenance(&self, day: i64, m: u32) -> bool {
        self.windows.iter().any(|w| {
            in_range(w.start, w.end, day, m, |d| match w.on {
                WindowDay::Daily => true,
                WindowDay::Weekday(wd) => weekday(d) == wd.num_days_from_monday() as usize,
                WindowDay::Date(date) => day_number(date) == d,
            })
        })
    }
}

/// Normalises an account name: `CORP\Admin` and `admin@corp.example`
/// become `admin`.
pub(crate) fn account_key(s: &str) -> String {
    let mut out = String::new();
    account_key_into(s, &mut out);
    out
}

/// [`account_key`] into a reused buffer, for the per-record path.
pub(crate) fn account_key_into(s: &str, out: &mut String) {
    let s = s.trim();
    let s = s.rsplit_once('\\').map_or(s, |(_, n)| n);
    let s = s.split_once('@').map_or(s, |(n, _)| n);
    lower_into(s, out);
}

/// Normalises a host name: lower-case, without `\\` and domain suffix
/// (`\\PC01.corp.example` is `pc01`); addresses are kept whole.
pub(crate) fn host_key(s: &str) -> String {
    let mut out = String::new();
    host_key_into(s, &mut out);
    out
}

/// [`host_key`] into a reused buffer.
pub(crate) fn host_key_into(s: &str, out: &mut String) {
    let s = s.trim().trim_start_matches('\\');
    if s.parse::<IpAddr>().is_ok() {
        out.clear();
        out.push_str(s);
    } else {
        lower_into(s.split('.').next().unwrap_or(s), out);
    }
}

fn lower_into(s: &str, out: &mut String) {
    out.clear();
    if s.is_ascii() {
        out.push_str(s);
        out.make_ascii_lowercase();
    } else {
        out.extend(s.chars().flat_map(char::to_lowercase));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc, Weekday};

    #[test]
    fn domains_match_themselves_and_subdomains_only() {
        let set = DomainSet::new(&["Evil.Example.".to_owned()]);
        assert_eq!(set.find("evil.example"), Some("evil.example"));
        assert_eq!(set.find("a.b.evil.example"), Some("evil.example"));
        assert_eq!(set.find("notevil.example"), None);
        assert_eq!(set.find("example"), None);
    }

    #[test]
    fn urls_split_into_host_and_path() {
        assert_eq!(
            split_url("http://User@APT.example.com:8080/x?y"),
            ("apt.example.com".into(), "/x?y")
        );
        assert_eq!(split_url("apt.example.com"), ("apt.example.com".into(), ""));
        assert_eq!(
            split_url("https://[2001:db8::1]:443/a"),
            ("2001:db8::1".into(), "/a")
        );
    }

    #[test]
    fn calendar_knows_business_hours_holidays_and_windows() {
        let cfg = Config {
            holidays: vec![NaiveDate::from_ymd_opt(2025, 1, 7).unwrap()],
            maintenance_windows: vec![MaintenanceWindow {
                on: WindowDay::Weekday(Weekday::Sat),
                start: chrono::NaiveTime::from_hms_opt(23, 0, 0).unwrap(),
                end: chrono::NaiveTime::from_hms_opt(2, 0, 0).unwrap(),
            }],
            ..Config::default()
        };
        let cal = Calendar::new(&cfg);
        // JST = UTC+9; 2025-01-06 is a Monday.
        let jst = |d: u32, h: u32, m: u32| {
            Utc.with_ymd_and_hms(2025, 1, d, h, m, 0)
                .unwrap()
                .timestamp_millis()
                - 9 * 3_600_000
        };
        assert!(!cal.is_off_hours(jst(6, 10, 0)));
        assert!(cal.is_off_hours(jst(6, 3, 0)));
        assert!(cal.is_off_hours(jst(6, 20, 0)));
        assert!(!cal.is_off_hours(jst(6, 19, 59)));
        assert!(cal.is_off_hours(jst(7, 10, 0)), "holiday");
        assert!(
            cal.is_off_hours(jst(11, 22, 59)),
            "Saturday before the window"
        );
        assert!(!cal.is_off_hours(jst(11, 23, 30)), "Saturday window");
        assert!(!cal.is_off_hours(jst(12, 1, 59)), "window crosses midnight");
        assert!(cal.is_off_hours(jst(12, 2, 0)));
    }

    #[test]
    fn names_normalise() {
        assert_eq!(account_key("CORP\\Administrator"), "administrator");
        assert_eq!(account_key("Admin@corp.example"), "admin");
        assert_eq!(host_key("\\\\PC01.corp.example"), "pc01");
        assert_eq!(host_key("10.0.0.5"), "10.0.0.5");
    }
}
