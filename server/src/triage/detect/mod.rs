//! Detection of attack traces in parsed logs (痕跡が残る機器の検知例,
//! JPCERT/CC 「高度サイバー攻撃への対処におけるログの活用と分析方法」
//! §4, summarised in DOMAIN.md §6).
//!
//! [`Detectors`] takes the [`Record`]s the parsers produce one at a time and
//! keeps only streaming statistics per group (client and destination,
//! source and destination, account, host): counts, first and last times,
//! Welford mean and variance of intervals, and at most
//! [`MAX_LINES`] line positions. Memory therefore grows with the number of
//! distinct groups, never with the number of lines. [`Detectors::finish`]
//! turns the statistics into [`Finding`]s, each with a bilingual title and
//! explanation naming the concrete values, the supporting lines and the
//! observables involved.
//!
//! One file per kind of device: [`mail`], [`firewall`], [`proxy`],
//! [`dns`], [`directory`]. Each rule's id is a constant there whose doc
//! comment cites the seed's rule; [`DETECTORS`] lists them all.
//!
//! ```
//! use server::triage::detect::{Config, Detectors};
//! # use server::triage::record::{At, Record};
//! # let records: Vec<(At, Record)> = Vec::new();
//! let mut detectors = Detectors::new(Config::default());
//! for (at, record) in &records {
//!     detectors.feed(*at, record);
//! }
//! for finding in detectors.finish() {
//!     println!("{:?} {}: {}", finding.severity, finding.detector, finding.explanation.en);
//! }
//! ```

pub mod config;
pub mod directory;
pub mod dns;
pub mod finding;
pub mod firewall;
pub mod mail;
mod matching;
pub mod proxy;
mod stats;

#[cfg(test)]
mod tests;

pub use config::{
    Config, ConfigError, Indicators, MaintenanceWindow, SettingsError, Thresholds, WindowDay,
};
pub use finding::{Finding, Label, MAX_LINES, Observable, ObservableKind, Severity};

use crate::triage::record::{At, Record};

/// Every detector id.
pub const DETECTORS: &[&str] = &[
    mail::DISPLAY_NAME_SPOOF,
    mail::EXECUTABLE_ATTACHMENT,
    firewall::PROXY_BYPASS,
    firewall::INTERNAL_DENIED,
    firewall::INDICATOR,
    proxy::INDICATOR,
    proxy::CONNECT_PORT,
    proxy::USER_AGENT,
    proxy::BEACONING,
    proxy::OFF_HOURS,
    proxy::LARGE_UPLOAD,
    dns::INDICATOR,
    directory::CRITICAL_EVENT,
    directory::ADMIN_UNUSUAL_HOST,
    directory::UNEXPECTED_PRIVILEGE,
    directory::AUTH_SPIKE,
];

/// All detectors over one stream of records. Feed records in file order;
/// the position [`At`] is what findings cite. `At` does not name a file:
/// when several files are fed into one `Detectors`, the caller keeps the
/// mapping (or runs one `Detectors` per file).
pub struct Detectors {
    mail: mail::MailDetector,
    firewall: firewall::FirewallDetector,
    proxy: proxy::ProxyDetector,
    dns: dns::DnsDetector,
    directory: directory::DirectoryDetector,
}

impl Detectors {
    /// Compiles the configuration into look-up tables. Values out of range
    /// are clamped; call [`Config::validate`] when loading to report them.
    pub fn new(cfg: Config) -> Self {
        Self {
            mail: mail::MailDetector::default(),
            firewall: firewall::FirewallDetector::new(&cfg),
            proxy: proxy::ProxyDetector::new(&cfg),
            dns: dns::DnsDetector::new(&cfg),
            directory: directory::DirectoryDetector::new(&cfg),
        }
    }

    /// Takes one record into account.
    #[inline]
    pub fn feed(&mut self, at: At, record: &Record) {
        match record {
            Record::Mail(m) => self.mail.feed(at, m),
            Record::Firewall(t) => self.firewall.feed(at, t),
            Record::Proxy(r) => self.proxy.feed(at, r),
            Record::Dns(q) => self.dns.feed(at, q),
            Record::Windows(e) => self.directory.feed(at, e),
        }
    }

    /// The findings, most severe first, then by detector id and first
    /// cited line.
    pub fn finish(self) -> Vec<Finding> {
        let mut out = Vec::new();
        self.mail.finish(&mut out);
        self.firewall.finish(&mut out);
        self.proxy.finish(&mut out);
        self.dns.finish(&mut out);
        self.directory.finish(&mut out);
        finding::sort(&mut out);
        out
    }
}
