//! What the organisation declares about itself: its networks, proxies,
//! browsers, working hours, administrators, the indicators from the
//! threat-intelligence store, and the detectors' thresholds.
//!
//! Every field has a default (see [`Config::default`]), so a TOML file
//! only needs the values that differ:
//!
//! ```toml
//! proxies = ["10.0.0.8", "10.0.1.0/29"]
//! standard_user_agents = ["Edg/", "Chrome/"]
//! business_hours = [9, 18]
//! maintenance_windows = [{ on = "Sat", start = "02:00", end = "05:00" }]
//! admin_hosts = [["administrator", ["ADMIN-PC01", "10.0.5.10"]]]
//!
//! [indicators]
//! domains = ["evil.example"]
//!
//! [thresholds]
//! beacon_min_requests = 24
//! ```

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use chrono::{FixedOffset, NaiveDate, NaiveTime, Offset, Utc, Weekday};
use ipnet::IpNet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Everything the organisation declares. See the module docs for a TOML
/// example.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The organisation's web proxies (addresses or CIDR ranges): they may
    /// talk to the outside, nobody else should try.
    #[serde(deserialize_with = "nets")]
    pub proxies: Vec<IpNet>,
    /// Internal address ranges. Default: RFC 1918 and IPv6 ULA.
    #[serde(deserialize_with = "nets")]
    pub internal: Vec<IpNet>,
    /// Firewall zones that are inside (compared case-insensitively).
    /// Default `Trust`, `DMZ`. A zone in neither list is judged by address.
    pub internal_zones: Vec<String>,
    /// Firewall zones that are outside. Default `Untrust`.
    pub external_zones: Vec<String>,
    /// Substrings of the User-Agent of the organisation's standard
    /// browsers. Empty disables the User-Agent rule.
    pub standard_user_agents: Vec<String>,
    /// Destinations known to be used for business (a domain matches its
    /// subdomains too): left out of the statistical proxy rules
    /// (beaconing, out-of-hours, large uploads, User-Agent), never out of
    /// the indicator and CONNECT-port rules.
    pub business_domains: Vec<String>,
    /// Ports CONNECT may go to. Default 80 and 443.
    pub allowed_connect_ports: Vec<u16>,
    /// Business hours as `[start_hour, end_hour)` in local time, e.g.
    /// `[8, 20]`. `start > end` is a night shift crossing midnight;
    /// `start == end` means around the clock.
    pub business_hours: (u32, u32),
    /// Working days. Default Monday to Friday.
    pub business_days: Vec<Weekday>,
    /// Public holidays and other closed days (local dates).
    pub holidays: Vec<NaiveDate>,
    /// The local time zone as minutes east of UTC. Default 540 (JST).
    pub utc_offset_minutes: i32,
    /// Declared system-maintenance windows: traffic in them is not
    /// "out of hours".
    pub maintenance_windows: Vec<MaintenanceWindow>,
    /// Indicators from the threat-intelligence store.
    pub indicators: Indicators,
    /// Administrative accounts (`DOMAIN\name` and `name@realm` match
    /// `name`, case-insensitively).
    pub admin_accounts: Vec<String>,
    /// For administrative accounts, the hosts (names, addresses or CIDR
    /// ranges) they usually authenticate from. Accounts listed here are
    /// administrative even if missing from `admin_accounts`.
    pub admin_hosts: Vec<(String, Vec<String>)>,
    pub thresholds: Thresholds,
}

impl Default for Config {
    fn default() -> Self {
        let internal = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect();
        Self {
            proxies: Vec::new(),
            internal,
            internal_zones: vec!["Trust".into(), "DMZ".into()],
            external_zones: vec!["Untrust".into()],
            standard_user_agents: ["Chrome/", "Firefox/", "Edg/", "Safari/"]
                .map(String::from)
                .to_vec(),
            business_domains: Vec::new(),
            allowed_connect_ports: vec![80, 443],
            business_hours: (8, 20),
            business_days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            holidays: Vec::new(),
            utc_offset_minutes: 9 * 60,
            maintenance_windows: Vec::new(),
            indicators: Indicators::default(),
            admin_accounts: Vec::new(),
            admin_hosts: Vec::new(),
            thresholds: Thresholds::default(),
        }
    }
}

impl Config {
    /// Checks the values a TOML file could get wrong, naming the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let (start, end) = self.business_hours;
        if start > 24 || end > 24 {
            return Err(ConfigError::new(
                "business_hours",
                "hours must be between 0 and 24",
            ));
        }
        if self.offset().is_none() {
            return Err(ConfigError::new(
                "utc_offset_minutes",
                "must be within ±1440 minutes",
            ));
        }
        let t = &self.thresholds;
        let positive = [
            ("thresholds.beacon_max_jitter", t.beacon_max_jitter),
            ("thresholds.beacon_min_span_hours", t.beacon_min_span_hours),
            ("thresholds.beacon_min_gap_secs", t.beacon_min_gap_secs),
            ("thresholds.auth_spike_factor", t.auth_spike_factor),
        ];
        for (field, v) in positive {
            if !(v.is_finite() && v >= 0.0) {
                return Err(ConfigError::new(field, "must be a non-negative number"));
            }
        }
        if t.beacon_min_requests < 3 {
            return Err(ConfigError::new(
                "thresholds.beacon_min_requests",
                "needs at least 3 requests to measure jitter",
            ));
        }
        Ok(())
    }

    /// The local time zone; UTC when `utc_offset_minutes` is out of range.
    pub(crate) fn offset(&self) -> Option<FixedOffset> {
        FixedOffset::east_opt(self.utc_offset_minutes.checked_mul(60)?)
    }

    pub(crate) fn offset_or_utc(&self) -> FixedOffset {
        self.offset().unwrap_or_else(|| Utc.fix())
    }
}

/// Why an organisation's declarations cannot be used: where (1-based line,
/// 0 when the problem is not at one line) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            0 => f.write_str(&self.message),
            n => write!(f, "line {n}: {}", self.message),
        }
    }
}

impl std::error::Error for SettingsError {}

impl Config {
    /// The organisation's declarations (the TOML of the detection settings
    /// page and of `hikeshi triage --config`) over the playbook's
    /// thresholds (`detectors.toml`): a threshold the text does not set is
    /// the playbook's, everything else not set is [`Config::default`]'s.
    pub fn from_settings(
        playbook: &[playbooks::ThresholdDef],
        text: &str,
    ) -> Result<Config, SettingsError> {
        let at_line = |e: &toml::de::Error| {
            e.span().map_or(0, |s| {
                text[..s.start.min(text.len())].matches('\n').count() + 1
            })
        };
        let mut cfg: Config = toml::from_str(text).map_err(|e| SettingsError {
            line: at_line(&e),
            message: e.message().to_string(),
        })?;
        let set: toml::Table = text.parse().map_err(|e: toml::de::Error| SettingsError {
            line: at_line(&e),
            message: e.message().to_string(),
        })?;
        let mut thresholds = table(&Thresholds::from_playbook(playbook)?)?;
        if let Some(toml::Value::Table(own)) = set.get("thresholds") {
            thresholds.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        cfg.thresholds = thresholds
            .try_into()
            .map_err(|e: toml::de::Error| SettingsError {
                line: 0,
                message: e.message().to_string(),
            })?;
        cfg.validate().map_err(|e| SettingsError {
            line: line_of(text, e.field),
            message: e.to_string(),
        })?;
        Ok(cfg)
    }
}

/// The line where `field` (`business_hours`, `thresholds.beacon_min_requests`)
/// is set, 0 if nowhere.
fn line_of(text: &str, field: &str) -> usize {
    let key = field.rsplit('.').next().unwrap_or(field);
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(0, |n| n + 1)
}

fn table(t: &Thresholds) -> Result<toml::Table, SettingsError> {
    toml::Table::try_from(t).map_err(|e| SettingsError {
        line: 0,
        message: e.to_string(),
    })
}

impl Thresholds {
    /// The built-in values [`Thresholds::default`] with the playbook's
    /// over them (every one, for the shipped `detectors.toml`).
    pub fn from_playbook(defs: &[playbooks::ThresholdDef]) -> Result<Thresholds, SettingsError> {
        let mut t = table(&Thresholds::default())?;
        for d in defs {
            let value = match d.value.parse::<i64>() {
                Ok(i) => toml::Value::Integer(i),
                Err(_) => toml::Value::Float(d.value.parse().map_err(|_| SettingsError {
                    line: 0,
                    message: format!("detectors.toml: threshold `{}` is not a number", d.id),
                })?),
            };
            t.insert(d.id.clone(), value);
        }
        t.try_into().map_err(|e: toml::de::Error| SettingsError {
            line: 0,
            message: format!("detectors.toml: {}", e.message()),
        })
    }
}

/// A configuration value that cannot work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub field: &'static str,
    pub message: &'static str,
}

impl ConfigError {
    fn new(field: &'static str, message: &'static str) -> Self {
        Self { field, message }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "detection config `{}`: {}", self.field, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Indicators of compromise (seed 001 §2: 「提供された情報をもとに一致する
/// ログが存在しないかを確認する」).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Indicators {
    /// Bad domains; each also matches its subdomains.
    pub domains: Vec<String>,
    pub ips: Vec<IpAddr>,
    /// Bad URLs; a request matches when its URL starts with one (scheme
    /// and host case ignored, a missing scheme allowed).
    pub urls: Vec<String>,
}

/// The detectors' numeric knobs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Beaconing needs at least this many separate contacts. Default 12.
    pub beacon_min_requests: u32,
    /// …whose intervals have at most this coefficient of variation
    /// (standard deviation / mean). Default 0.1.
    pub beacon_max_jitter: f64,
    /// …spread over at least this many hours. Default 2.
    pub beacon_min_span_hours: f64,
    /// Requests closer together than this many seconds are one contact
    /// (a page load, a poll doing GET then POST). Default 10.
    pub beacon_min_gap_secs: f64,
    /// Uploaded bytes (POST/PUT request bodies) per client and
    /// destination that count as large. Default 10 MiB.
    pub large_post_bytes: u64,
    /// When the log has no request sizes: this many POST/PUT per client
    /// and destination count as large. Default 200.
    pub large_post_count: u64,
    /// An hour with more than this factor times the host's median hourly
    /// authentication count is a spike. Default 5.
    pub auth_spike_factor: f64,
    /// …and it needs at least this many requests. Default 50.
    pub auth_spike_min: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            beacon_min_requests: 12,
            beacon_max_jitter: 0.1,
            beacon_min_span_hours: 2.0,
            beacon_min_gap_secs: 10.0,
            large_post_bytes: 10 * 1024 * 1024,
            large_post_count: 200,
            auth_spike_factor: 5.0,
            auth_spike_min: 50,
        }
    }
}

/// A declared maintenance window, in local time. `end` before `start`
/// crosses midnight; `start == end` is the whole day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceWindow {
    pub on: WindowDay,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// When a maintenance window applies: written `"daily"`, a weekday
/// (`"Sat"`, `"saturday"`) or a date (`"2025-01-04"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowDay {
    Daily,
    Weekday(Weekday),
    Date(NaiveDate),
}

impl FromStr for WindowDay {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("daily") {
            Ok(Self::Daily)
        } else if let Ok(d) = s.parse::<NaiveDate>() {
            Ok(Self::Date(d))
        } else if let Ok(w) = s.parse::<Weekday>() {
            Ok(Self::Weekday(w))
        } else {
            Err(format!(
                "`{s}` is neither \"daily\", a weekday nor a YYYY-MM-DD date"
            ))
        }
    }
}

impl fmt::Display for WindowDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Daily => f.write_str("daily"),
            Self::Weekday(w) => write!(f, "{w}"),
            Self::Date(d) => write!(f, "{d}"),
        }
    }
}

impl Serialize for WindowDay {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for WindowDay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Parses a network (`10.0.0.0/8`) or a single address (`10.0.0.8`).
pub fn parse_net(s: &str) -> Option<IpNet> {
    let s = s.trim();
    s.parse::<IpNet>()
        .ok()
        .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
}

/// Accepts CIDR ranges and bare addresses in one list.
fn nets<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<IpNet>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|s| {
            parse_net(s).ok_or_else(|| {
                serde::de::Error::custom(format!("`{s}` is not an address or CIDR range"))
            })
        })
        .collect()
}
