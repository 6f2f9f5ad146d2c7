//! Active Directory security logs (Windows events), seed 001 §4
//! 「認証サーバ (Active Directory)におけるポイント」.

use std::fmt::Write as _;
use std::net::IpAddr;

use chrono::FixedOffset;
use ipnet::IpNet;
use rustc_hash::FxHashMap;

use super::config::{Config, parse_net};
use super::finding::{Finding, Label, MAX_LINES, ObservableKind, Observables, Severity};
use super::matching::{account_key, account_key_into, host_key, host_key_into};
use super::stats::{Millis, Tally, count, list, local_time, opt_millis, push_line, span, to_utc};
use crate::triage::record::{At, WinEvent};

/// An event id that normal authentication never produces (4618, 4649,
/// 4719, 4765, 4766, 4794, 4897, 4964, 5124: high; 1102, the audit log
/// cleared: medium).
///
/// Seed 001 §4 (AD), 「通常の認証要求では発生しないような認証イベント」:
/// 「通常の認証要求とは異なる特殊な操作要求を確認」; the table of ids is the
/// seed's excerpt of Microsoft's "Best Practices for Securing Active
/// Directory": 「これらのイベントがあれば、サイバーキルチェーンモデルのC&C
/// の段階の可能性が懸念される」.
pub const CRITICAL_EVENT: &str = "directory.critical_event";

/// An administrative account authenticating (4624, 4625, 4648, 4768,
/// 4769, 4771, 4776) from a host that is not among its usual ones.
///
/// Seed 001 §4 (AD), 「管理者アカウントに関連したイベントの調査」:
/// 「管理者が通常使用するIPアドレスと異なるIPアドレスからの管理者権限要求
/// など」, 「管理者アカウントの認証要求を発行したPC (IPアドレス) が想定外」.
pub const ADMIN_UNUSUAL_HOST: &str = "directory.admin_unusual_host";

/// Special privileges assigned at logon (4672) to an account that is not
/// declared administrative (machine and built-in service accounts aside).
/// Only active when administrative accounts are declared.
///
/// Seed 001 §4 (AD): 「特権の割り当てを要求したアカウントが想定外」.
pub const UNEXPECTED_PRIVILEGE: &str = "directory.unexpected_privilege";

/// An hour in which one host sends far more authentication requests
/// (4768, 4769, 4776) than its usual (median) hour.
///
/// Seed 001 §4 (AD): 「特定のPCから認証要求イベントの回数が急激に変化」,
/// 「特定のPCから異常に多くの認証要求イベントが存在」.
pub const AUTH_SPIKE: &str = "directory.auth_spike";

/// The high-criticality events and what they mean, from seed 001's table.
const CRITICAL: &[(u32, Severity, &str, &str)] = &[
    (
        4618,
        Severity::High,
        "監視対象のセキュリティイベントパターンが発生しました",
        "A monitored security event pattern has occurred",
    ),
    (
        4649,
        Severity::High,
        "リプレイ攻撃が検出されました",
        "A replay attack was detected",
    ),
    (
        4719,
        Severity::High,
        "システム監査ポリシーが変更されました",
        "System audit policy was changed",
    ),
    (
        4765,
        Severity::High,
        "SID の履歴がアカウントに追加されました",
        "SID History was added to an account",
    ),
    (
        4766,
        Severity::High,
        "SID の履歴をアカウントに追加できませんでした",
        "An attempt to add SID History to an account failed",
    ),
    (
        4794,
        Severity::High,
        "ディレクトリ サービス復元モードの管理者パスワードを設定しようとしました",
        "An attempt was made to set the Directory Services Restore Mode administrator password",
    ),
    (
        4897,
        Severity::High,
        "役割の分離が有効になりました",
        "Role separation was enabled (Certificate Services)",
    ),
    (
        4964,
        Severity::High,
        "特殊グループが新しいログオンに割り当てられました",
        "Special groups have been assigned to a new logon",
    ),
    (
        5124,
        Severity::High,
        "OCSP レスポンダー サービスのセキュリティ設定が更新されました",
        "A security setting was updated on the OCSP Responder Service",
    ),
    (
        1102,
        Severity::Medium,
        "監査ログが消去されました",
        "The audit log was cleared",
    ),
];

/// Authentication events that name an account and where it came from.
const LOGONS: &[u32] = &[4624, 4625, 4648, 4768, 4769, 4771, 4776];
/// Failed authentications among [`LOGONS`].
const FAILURES: &[u32] = &[4625, 4771];
/// Authentication requests counted per host per hour.
const AUTH_REQUESTS: &[u32] = &[4768, 4769, 4776];

/// Hour buckets kept open per host, so slightly unordered (or
/// newest-first) exports still count each hour once.
const OPEN_HOURS: usize = 4;
/// Busiest hours remembered per host with their lines.
const TOP_HOURS: usize = 3;

/// Where an administrator usually works from.
#[derive(Debug)]
enum Usual {
    Name(String),
    Net(IpNet),
}

/// A declared administrator's usual hosts, matched and as written.
#[derive(Debug, Default)]
struct UsualHosts {
    hosts: Vec<Usual>,
    written: Vec<String>,
}

/// Names, accounts and event ids remembered per finding.
fn remember<T: PartialEq>(list: &mut Vec<T>, value: T) {
    if list.len() < MAX_LINES && !list.contains(&value) {
        list.push(value);
    }
}

#[derive(Default)]
struct Critical {
    tally: Tally,
    accounts: Vec<String>,
}

#[derive(Default)]
struct AdminUse {
    tally: Tally,
    account: String,
    /// Count per unusual source, bounded by the distinct sources.
    sources: FxHashMap<String, u64>,
    event_ids: Vec<u32>,
    failures: u64,
}

#[derive(Default)]
struct Privilege {
    tally: Tally,
    account: String,
    computers: Vec<String>,
}

#[derive(Clone, Debug)]
struct Hour {
    hour: i64,
    count: u64,
    lines: Vec<At>,
}

/// Hourly authentication counts of one host: a histogram of finished hours
/// (for the median), the busiest hours with their lines, and a few open
/// hours still counting.
#[derive(Default)]
struct HostAuth {
    name: String,
    open: Vec<Hour>,
    histogram: FxHashMap<u64, u64>,
    top: Vec<Hour>,
}

impl HostAuth {
    fn add(&mut self, at: At, t: Millis) {
        let hour = t.div_euclid(3_600_000);
        if let Some(h) = self.open.iter_mut().find(|h| h.hour == hour) {
            h.count += 1;
            push_line(&mut h.lines, at);
            return;
        }
        if self.open.len() == OPEN_HOURS {
            let far = (0..self.open.len())
                .max_by_key(|&i| (self.open[i].hour - hour).abs())
                .unwrap_or(0);
            let done = self.open.swap_remove(far);
            self.close(done);
        }
        let mut lines = Vec::new();
        push_line(&mut lines, at);
        self.open.push(Hour {
            hour,
            count: 1,
            lines,
        });
    }

    fn close(&mut self, h: Hour) {
        *self.histogram.entry(h.count).or_default() += 1;
        if self.top.len() < TOP_HOURS || self.top.last().is_some_and(|l| l.count < h.count) {
            self.top.push(h);
            self.top
                .sort_by(|a, b| b.count.cmp(&a.count).then(a.hour.cmp(&b.hour)));
            self.top.truncate(TOP_HOURS);
        }
    }

    /// Median count over the hours with any request.
    fn median(&self) -> f64 {
        let mut counts: Vec<(u64, u64)> = self.histogram.iter().map(|(&c, &n)| (c, n)).collect();
        counts.sort_unstable();
        let hours: u64 = counts.iter().map(|&(_, n)| n).sum();
        let value_at = |rank: u64| {
            let mut seen = 0;
            for &(c, n) in &counts {
                seen += n;
                if seen > rank {
                    return c as f64;
                }
            }
            0.0
        };
        if hours == 0 {
            0.0
        } else if hours % 2 == 1 {
            value_at(hours / 2)
        } else {
            (value_at(hours / 2 - 1) + value_at(hours / 2)) / 2.0
        }
    }
}

pub(crate) struct DirectoryDetector {
    offset: FixedOffset,
    /// Administrative accounts, with their usual hosts when declared.
    admins: FxHashMap<String, Option<UsualHosts>>,
    spike_factor: f64,
    spike_min: u64,
    critical: FxHashMap<(u32, String), Critical>,
    admin_uses: FxHashMap<String, AdminUse>,
    privileges: FxHashMap<String, Privilege>,
    auth: FxHashMap<String, HostAuth>,
    account_buf: String,
    host_buf: String,
}

impl DirectoryDetector {
    pub fn new(cfg: &Config) -> Self {
        let mut admins: FxHashMap<String, Option<UsualHosts>> = FxHashMap::default();
        for a in &cfg.admin_accounts {
            admins.entry(account_key(a)).or_insert(None);
        }
        for (a, hosts) in &cfg.admin_hosts {
            let usual = admins
                .entry(account_key(a))
                .or_insert(None)
                .get_or_insert_default();
            for h in hosts {
                usual.hosts.push(match parse_net(h) {
                    Some(net) => Usual::Net(net),
                    None => Usual::Name(host_key(h)),
                });
                usual.written.push(h.trim().to_owned());
            }
        }
        Self {
            offset: cfg.offset_or_utc(),
            admins,
            spike_factor: cfg.thresholds.auth_spike_factor,
            spike_min: cfg.thresholds.auth_spike_min,
            critical: FxHashMap::default(),
            admin_uses: FxHashMap::default(),
            privileges: FxHashMap::default(),
            auth: FxHashMap::default(),
            account_buf: String::new(),
            host_buf: String::new(),
        }
    }

    pub fn feed(&mut self, at: At, e: &WinEvent) {
        let time = opt_millis(&e.time);
        let id = e.event_id;
        if CRITICAL.iter().any(|c| c.0 == id) {
            let c = self.critical.entry((id, e.computer.clone())).or_default();
            c.tally.add(at, time);
            if let Some(a) = e.account.as_deref().filter(|a| !is_blank(a)) {
                remember(&mut c.accounts, a.to_owned());
            }
        } else if LOGONS.contains(&id) {
            self.logon(at, time, e);
        } else if id == 4672 && !self.admins.is_empty() {
            self.privilege(at, time, e);
        }
        if AUTH_REQUESTS.contains(&id)
            && let Some(t) = time
            && self.source_key(e)
        {
            let key = self.host_buf.as_str();
            let h = match self.auth.get_mut(key) {
                Some(h) => h,
                None => self.auth.entry(key.to_owned()).or_insert_with(|| HostAuth {
                    name: describe_source(e),
                    ..HostAuth::default()
                }),
            };
            h.add(at, t);
        }
    }

    /// Puts the key of the host an event came from into `host_buf`: its
    /// address, else its workstation name; a loopback address means the
    /// logging computer itself. False when the event does not say.
    fn source_key(&mut self, e: &WinEvent) -> bool {
        self.host_buf.clear();
        match e.source_ip.map(|ip| ip.to_canonical()) {
            Some(ip) if ip.is_loopback() => host_key_into(&e.computer, &mut self.host_buf),
            Some(ip) if !ip.is_unspecified() => {
                let _ = write!(self.host_buf, "{ip}");
            }
            _ => match e.source_host.as_deref().filter(|h| !is_blank(h)) {
                Some(h) => host_key_into(h, &mut self.host_buf),
                None => return false,
            },
        }
        true
    }

    fn logon(&mut self, at: At, time: Option<Millis>, e: &WinEvent) {
        let Some(account) = e.account.as_deref().filter(|a| !is_blank(a)) else {
            return;
        };
        account_key_into(account, &mut self.account_buf);
        let Some(Some(usual)) = self.admins.get(self.account_buf.as_str()) else {
            return;
        };
        let ip = e
            .source_ip
            .map(|ip| ip.to_canonical())
            .filter(|ip| !ip.is_unspecified());
        let name = match (ip, e.source_host.as_deref().filter(|h| !is_blank(h))) {
            (Some(ip), _) if ip.is_loopback() => Some(e.computer.as_str()),
            (_, name) => name,
        };
        if ip.is_none() && name.is_none() {
            return;
        }
        self.host_buf.clear();
        if let Some(n) = name {
            host_key_into(n, &mut self.host_buf);
        }
        let known = usual.hosts.iter().any(|u| match u {
            Usual::Name(n) => name.is_some() && *n == self.host_buf,
            Usual::Net(net) => ip.is_some_and(|ip| net.contains(&ip)),
        });
        if known {
            return;
        }
        let source = describe_source(e);
        let u = self
            .admin_uses
            .entry(self.account_buf.clone())
            .or_insert_with(|| AdminUse {
                account: account.to_owned(),
                ..AdminUse::default()
            });
        u.tally.add(at, time);
        *u.sources.entry(source).or_default() += 1;
        remember(&mut u.event_ids, e.event_id);
        u.failures += u64::from(FAILURES.contains(&e.event_id));
    }

    fn privilege(&mut self, at: At, time: Option<Millis>, e: &WinEvent) {
        let Some(account) = e.account.as_deref().filter(|a| !is_blank(a)) else {
            return;
        };
        account_key_into(account, &mut self.account_buf);
        let key = self.account_buf.as_str();
        if self.admins.contains_key(key) || is_builtin(key) {
            return;
        }
        let p = match self.privileges.get_mut(key) {
            Some(p) => p,
            None => self
                .privileges
                .entry(key.to_owned())
                .or_insert_with(|| Privilege {
                    account: account.to_owned(),
                    ..Privilege::default()
                }),
        };
        p.tally.add(at, time);
        if !p.computers.contains(&e.computer) {
            remember(&mut p.computers, e.computer.clone());
        }
    }

    pub fn finish(mut self, out: &mut Vec<Finding>) {
        let offset = self.offset;
        for ((id, computer), c) in self.critical.drain() {
            out.push(critical_finding(id, &computer, &c, offset));
        }
        for (_, u) in self.admin_uses.drain() {
            out.push(admin_finding(&u, &self.admins, offset));
        }
        for (_, p) in self.privileges.drain() {
            out.push(privilege_finding(&p, offset));
        }
        let (factor, min) = (self.spike_factor, self.spike_min);
        for (_, mut h) in self.auth.drain() {
            for open in std::mem::take(&mut h.open) {
                h.close(open);
            }
            if let Some(f) = spike_finding(&h, factor, min, offset) {
                out.push(f);
            }
        }
    }
}

fn is_blank(s: &str) -> bool {
    let s = s.trim();
    s.is_empty() || s == "-"
}

/// Machine accounts and the built-in service identities get special
/// privileges at every logon.
fn is_builtin(account: &str) -> bool {
    account.ends_with('$')
        || matches!(
            account,
            "system" | "local service" | "network service" | "anonymous logon"
        )
        || account.starts_with("dwm-")
        || account.starts_with("umfd-")
        || account.starts_with("font driver host")
        || account.starts_with("window manager")
}

/// `PC01 (10.0.1.23)`, `PC01` or `10.0.1.23`.
fn describe_source(e: &WinEvent) -> String {
    let ip = e
        .source_ip
        .map(|ip| ip.to_canonical())
        .filter(|ip| !ip.is_unspecified());
    let name = e
        .source_host
        .as_deref()
        .map(str::trim)
        .filter(|h| !is_blank(h));
    match (name, ip) {
        (Some(n), Some(ip)) => format!("{n} ({ip})"),
        (Some(n), None) => n.to_owned(),
        (None, Some(ip)) if ip.is_loopback() => format!("{} ({ip})", e.computer),
        (None, Some(ip)) => ip.to_string(),
        (None, None) => e.computer.clone(),
    }
}

fn host_observable(obs: &mut Observables, s: &str) {
    // `PC01 (10.0.1.23)` names both.
    let (name, ip) = match s.split_once(" (") {
        Some((n, rest)) => (n, rest.strip_suffix(')')),
        None => (s, None),
    };
    match name.parse::<IpAddr>() {
        Ok(_) => obs.push(ObservableKind::Ip, name),
        Err(_) => obs.push(ObservableKind::Host, name),
    }
    if let Some(ip) = ip {
        obs.push(ObservableKind::Ip, ip);
    }
}

fn critical_finding(id: u32, computer: &str, c: &Critical, offset: FixedOffset) -> Finding {
    let &(_, severity, ja, en) = CRITICAL
        .iter()
        .find(|c| c.0 == id)
        .unwrap_or(&CRITICAL[CRITICAL.len() - 1]);
    let n = c.tally.count;
    let (when_ja, when_en) = span(c.tally.first_seen(), c.tally.last_seen(), offset);
    let (acc_ja, acc_en) = if c.accounts.is_empty() {
        (String::new(), String::new())
    } else {
        let (ja, en) = list(&c.accounts, 3);
        (format!("（アカウント {ja}）"), format!(" (account {en})"))
    };
    let (why_ja, why_en) = if id == 1102 {
        (
            "攻撃者が侵入の痕跡を消すためにログを消去した可能性があります。",
            "An attacker may have wiped the log to remove the traces of an intrusion.",
        )
    } else {
        (
            "通常の認証要求では発生しないイベントで、攻撃が C&C の段階にある可能性が懸念されるため、詳細な調査が必要です。",
            "Normal authentication never produces this event; it raises the concern of an attack at the C&C stage and needs a detailed investigation.",
        )
    };
    let mut obs = Observables::default();
    obs.push(ObservableKind::Host, computer);
    c.accounts
        .iter()
        .for_each(|a| obs.push(ObservableKind::Account, a.as_str()));
    Finding {
        detector: CRITICAL_EVENT,
        severity,
        title: Label::new(
            format!("重要度の高いイベント {id}: {ja}"),
            format!("High-criticality event {id}: {en}"),
        ),
        explanation: Label::new(
            format!(
                "{computer} でイベント ID {id}「{ja}」が {n} 回記録されました{acc_ja}{when_ja}。{why_ja}"
            ),
            format!(
                "{computer} logged event ID {id} (\"{en}\") {}{acc_en}{when_en}. {why_en}",
                count(n, "time", "times")
            ),
        ),
        lines: c.tally.lines.clone(),
        line_count: n,
        observables: obs.into_vec(),
        first_seen: c.tally.first_seen(),
        last_seen: c.tally.last_seen(),
    }
}

fn admin_finding(
    u: &AdminUse,
    admins: &FxHashMap<String, Option<UsualHosts>>,
    offset: FixedOffset,
) -> Finding {
    let mut sources: Vec<(&String, &u64)> = u.sources.iter().collect();
    sources.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    // Counts per source only help when there are several.
    let several = sources.len() > 1;
    let src_ja: Vec<String> = sources
        .iter()
        .map(|(s, n)| {
            if several {
                format!("{s}（{n} 回）")
            } else {
                s.to_string()
            }
        })
        .collect();
    let src_en: Vec<String> = sources
        .iter()
        .map(|(s, n)| {
            if several {
                format!("{s} ({n}×)")
            } else {
                s.to_string()
            }
        })
        .collect();
    let usual: &[String] = admins
        .get(&account_key(&u.account))
        .and_then(Option::as_ref)
        .map_or(&[], |h| h.written.as_slice());
    let (usual_ja, usual_en) = list(usual, 5);
    let ids: Vec<String> = u.event_ids.iter().map(u32::to_string).collect();
    let ids_en = format!(
        "event ID{} {}",
        if ids.len() > 1 { "s" } else { "" },
        ids.join(", ")
    );
    let ids = ids.join(", ");
    let (account, n, failures) = (&u.account, u.tally.count, u.failures);
    let (failed_ja, failed_en) = if failures > 0 {
        (
            format!("、うち失敗 {failures} 回"),
            format!("; {failures} failed"),
        )
    } else {
        (String::new(), String::new())
    };
    let (when_ja, when_en) = span(u.tally.first_seen(), u.tally.last_seen(), offset);
    let mut obs = Observables::default();
    obs.push(ObservableKind::Account, account.as_str());
    for (s, _) in sources.iter().take(MAX_LINES) {
        host_observable(&mut obs, s);
    }
    Finding {
        detector: ADMIN_UNUSUAL_HOST,
        severity: Severity::High,
        title: Label::new(
            "想定外の端末からの管理者アカウントの認証",
            "Administrator authenticating from an unusual host",
        ),
        explanation: Label::new(
            format!(
                "管理者アカウント {account} の認証要求が、通常使用する端末（{usual_ja}）以外の {} から \
                 {n} 回ありました（イベント ID {ids}{failed_ja}）{when_ja}。\
                 攻撃者が窃取した管理者の認証情報で、特権が必要な操作を試みている可能性があります。",
                list(&src_ja, 5).0
            ),
            format!(
                "Administrative account {account} authenticated {} from {} rather than its usual hosts \
                 ({usual_en}) ({ids_en}{failed_en}){when_en}. An attacker may be using stolen \
                 administrator credentials for privileged operations.",
                count(n, "time", "times"),
                list(&src_en, 5).1
            ),
        ),
        lines: u.tally.lines.clone(),
        line_count: n,
        observables: obs.into_vec(),
        first_seen: u.tally.first_seen(),
        last_seen: u.tally.last_seen(),
    }
}

fn privilege_finding(p: &Privilege, offset: FixedOffset) -> Finding {
    let (account, n) = (&p.account, p.tally.count);
    let (c_ja, c_en) = list(&p.computers, 5);
    let (when_ja, when_en) = span(p.tally.first_seen(), p.tally.last_seen(), offset);
    let mut obs = Observables::default();
    obs.push(ObservableKind::Account, account.as_str());
    p.computers
        .iter()
        .for_each(|c| obs.push(ObservableKind::Host, c.as_str()));
    Finding {
        detector: UNEXPECTED_PRIVILEGE,
        severity: Severity::Medium,
        title: Label::new(
            "想定外のアカウントへの特権の割り当て",
            "Special privileges for an unexpected account",
        ),
        explanation: Label::new(
            format!(
                "管理者として登録されていないアカウント {account} に、ログオン時に特権が {n} 回割り当てられました\
                 （イベント ID 4672、{c_ja}）{when_ja}。乗っ取られたアカウントで特権の取得が試みられている可能性があります。"
            ),
            format!(
                "Account {account}, not declared administrative, was assigned special privileges at logon {} \
                 (event ID 4672 on {c_en}){when_en}. A hijacked account may be gaining privileges.",
                count(n, "time", "times")
            ),
        ),
        lines: p.tally.lines.clone(),
        line_count: n,
        observables: obs.into_vec(),
        first_seen: p.tally.first_seen(),
        last_seen: p.tally.last_seen(),
    }
}

fn spike_finding(h: &HostAuth, factor: f64, min: u64, offset: FixedOffset) -> Option<Finding> {
    let median = h.median();
    let worst = h.top.first()?;
    let is_spike = |count: u64| count >= min && count as f64 > factor * median;
    if !is_spike(worst.count) {
        return None;
    }
    let (spike_hours, spike_lines) = h
        .histogram
        .iter()
        .filter(|(c, _)| is_spike(**c))
        .fold((0, 0), |(hours, lines), (&c, &n)| {
            (hours + n, lines + c * n)
        });
    let start = to_utc(worst.hour * 3_600_000);
    let end = to_utc((worst.hour + 1) * 3_600_000);
    let (from, to) = (local_time(start, offset), local_time(end, offset));
    let (name, requests) = (&h.name, worst.count);
    let ratio = if median > 0.0 {
        requests as f64 / median
    } else {
        f64::INFINITY
    };
    let mut obs = Observables::default();
    host_observable(&mut obs, name);
    Some(Finding {
        detector: AUTH_SPIKE,
        severity: Severity::Medium,
        title: Label::new(
            "認証要求回数の急激な変化",
            "Sudden spike in authentication requests",
        ),
        explanation: Label::new(
            format!(
                "{name} からの認証要求（イベント ID 4768/4769/4776）が {from} からの 1 時間に {requests} 件あり、\
                 この端末の 1 時間あたりの中央値 {median:.1} 件の {ratio:.1} 倍です（しきい値 {factor} 倍・{min} 件\
                 以上を超えた時間帯は計 {spike_hours} 時間）。感染した PC が他の PC へのログオンを試みたり、\
                 認証情報を探索したりしている可能性があります。"
            ),
            format!(
                "{name} sent {requests} authentication requests (event IDs 4768/4769/4776) in the hour from {from} to {to}, \
                 {ratio:.1} times its median of {median:.1} per hour ({} in total exceed {factor}× \
                 the median and {min} requests). An infected PC trying to log on to other PCs or hunting for \
                 credentials does this.",
                count(spike_hours, "hour", "hours")
            ),
        ),
        lines: worst.lines.clone(),
        line_count: spike_lines,
        observables: obs.into_vec(),
        first_seen: start,
        last_seen: end,
    })
}
