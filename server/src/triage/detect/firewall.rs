//! Firewall traffic logs (Juniper SSG / NetScreen), seed 001 §4
//! 「ファイアウォールにおけるポイント」.

use std::net::IpAddr;

use chrono::FixedOffset;
use rustc_hash::{FxHashMap, FxHashSet};

use super::config::Config;
use super::finding::{Finding, Label, ObservableKind, Observables, Severity};
use super::matching::NetSet;
use super::stats::{Tally, count, list, opt_millis, span};
use crate::triage::record::{At, Traffic};

/// Denied traffic from inside to outside that does not come from one of
/// the organisation's proxies: a PC trying to reach the Internet directly.
///
/// Seed 001 §4 (ファイアウォール), 「組織内から組織外への不正な通信」:
/// 「Webプロキシサーバを経由せずに、ボットに感染した PC がC&Cサーバに
/// …通信を試みる」, found by 「組織内から組織外へ通信で、かつ許可されて
/// いない通信を抽出」.
pub const PROXY_BYPASS: &str = "firewall.proxy_bypass";

/// Denied traffic between internal segments: an infected PC spreading.
///
/// Seed 001 §4 (ファイアウォール), 「異なるセグメントに収容された PC 間の
/// 不正な通信」: 「マルウエアに感染した PC が、他の PC 等に対して感染を
/// 広げるための通信を行う」, found by 「組織内から組織内へ通信で、かつ
/// 許可されていない通信を抽出」.
pub const INTERNAL_DENIED: &str = "firewall.internal_denied";

/// Traffic (permitted or not) to or from an indicator address.
///
/// Seed 001 §2 「外部からの情報を起点とする分析」: 「提供された情報をもとに
/// 一致するログが存在しないかを確認する」 (「通信先のURL、IPアドレス、
/// ドメイン」).
pub const INDICATOR: &str = "firewall.indicator";

/// Destinations named in an explanation.
const SHOWN: usize = 5;

/// Actions that mean the firewall did not let the traffic through.
fn is_denied(action: &str) -> bool {
    [
        "deny", "denied", "reject", "drop", "dropped", "block", "blocked",
    ]
    .iter()
    .any(|a| action.eq_ignore_ascii_case(a))
}

#[derive(Default)]
struct Source {
    tally: Tally,
    /// Count per (destination, port); bounded by the distinct pairs.
    dests: FxHashMap<(IpAddr, Option<u16>), u64>,
}

impl Source {
    fn add(&mut self, at: At, t: &Traffic) {
        self.tally.add(at, opt_millis(&t.time));
        *self.dests.entry((t.dst, t.dst_port)).or_default() += 1;
    }

    /// Destinations by descending count, formatted `ip:port`.
    fn top(&self) -> (Vec<(String, u64)>, Vec<IpAddr>) {
        let mut d: Vec<_> = self.dests.iter().collect();
        d.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        let shown = d
            .iter()
            .map(|((ip, port), n)| (endpoint(*ip, *port), **n))
            .collect();
        let ips = d.iter().map(|((ip, _), _)| *ip).collect();
        (shown, ips)
    }
}

fn endpoint(ip: IpAddr, port: Option<u16>) -> String {
    match (ip, port) {
        (IpAddr::V6(v6), Some(p)) => format!("[{v6}]:{p}"),
        (ip, Some(p)) => format!("{ip}:{p}"),
        (ip, None) => ip.to_string(),
    }
}

#[derive(Default)]
struct IndicatorHit {
    tally: Tally,
    permitted: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Inside,
    Outside,
}

pub(crate) struct FirewallDetector {
    proxies: NetSet,
    internal: NetSet,
    internal_zones: Vec<String>,
    external_zones: Vec<String>,
    indicator_ips: FxHashSet<IpAddr>,
    offset: FixedOffset,
    bypass: FxHashMap<IpAddr, Source>,
    internal_denied: FxHashMap<IpAddr, Source>,
    /// Keyed by (the other end, the indicator address).
    indicator: FxHashMap<(IpAddr, IpAddr), IndicatorHit>,
}

impl FirewallDetector {
    pub fn new(cfg: &Config) -> Self {
        Self {
            proxies: NetSet::new(&cfg.proxies),
            internal: NetSet::new(&cfg.internal),
            internal_zones: cfg.internal_zones.clone(),
            external_zones: cfg.external_zones.clone(),
            indicator_ips: cfg
                .indicators
                .ips
                .iter()
                .map(|ip| ip.to_canonical())
                .collect(),
            offset: cfg.offset_or_utc(),
            bypass: FxHashMap::default(),
            internal_denied: FxHashMap::default(),
            indicator: FxHashMap::default(),
        }
    }

    /// Inside or outside: the zone decides when it is declared, the address
    /// otherwise (the seed's own zones, `SHANAI` and `INTRA`, are custom).
    fn side(&self, zone: &str, ip: IpAddr) -> Side {
        let zone = zone.trim();
        if self
            .internal_zones
            .iter()
            .any(|z| z.eq_ignore_ascii_case(zone))
        {
            Side::Inside
        } else if self
            .external_zones
            .iter()
            .any(|z| z.eq_ignore_ascii_case(zone))
        {
            Side::Outside
        } else if self.internal.contains(ip) {
            Side::Inside
        } else {
            Side::Outside
        }
    }

    pub fn feed(&mut self, at: At, t: &Traffic) {
        if !self.indicator_ips.is_empty() {
            let (src, dst) = (t.src.to_canonical(), t.dst.to_canonical());
            let hit = if self.indicator_ips.contains(&dst) {
                Some((src, dst))
            } else if self.indicator_ips.contains(&src) {
                Some((dst, src))
            } else {
                None
            };
            if let Some(key) = hit {
                let h = self.indicator.entry(key).or_default();
                h.tally.add(at, opt_millis(&t.time));
                if !is_denied(&t.action) {
                    h.permitted += 1;
                }
            }
        }
        if !is_denied(&t.action) || self.side(&t.src_zone, t.src) == Side::Outside {
            return;
        }
        match self.side(&t.dst_zone, t.dst) {
            Side::Outside if !self.proxies.contains(t.src) => {
                self.bypass.entry(t.src).or_default().add(at, t);
            }
            Side::Outside => {}
            Side::Inside => self.internal_denied.entry(t.src).or_default().add(at, t),
        }
    }

    pub fn finish(self, out: &mut Vec<Finding>) {
        let offset = self.offset;
        for (src, s) in self.bypass {
            let (dests, ips) = s.top();
            let (d_ja, d_en) = dest_list(&dests);
            let (when_ja, when_en) = span(s.tally.first_seen(), s.tally.last_seen(), offset);
            let n = s.tally.count;
            out.push(Finding {
                detector: PROXY_BYPASS,
                severity: Severity::Medium,
                title: Label::new(
                    "プロキシを経由しない外部への通信",
                    "Outbound traffic bypassing the proxy",
                ),
                explanation: Label::new(
                    format!(
                        "組織内の {src} が、プロキシサーバを経由せずに組織外と直接通信しようとし、\
                         ファイアウォールで {n} 回拒否されました{when_ja}。宛先: {d_ja}。\
                         ボットやダウンローダに感染した PC が C&C サーバやダウンロードサイトへ\
                         コールバックしている可能性があります。"
                    ),
                    format!(
                        "Internal host {src} tried {} to reach the outside directly, not through the proxy, \
                         and the firewall denied it{when_en}. Destinations: {d_en}. \
                         A PC infected with a bot or downloader calling back to its C&C or download site does this.",
                        count(n, "time", "times")
                    ),
                ),
                lines: s.tally.lines.clone(),
                line_count: n,
                observables: ip_observables(src, &ips),
                first_seen: s.tally.first_seen(),
                last_seen: s.tally.last_seen(),
            });
        }
        for (src, s) in self.internal_denied {
            let (dests, ips) = s.top();
            let (d_ja, d_en) = dest_list(&dests);
            let (when_ja, when_en) = span(s.tally.first_seen(), s.tally.last_seen(), offset);
            let (n, hosts) = (s.tally.count, ips.len());
            out.push(Finding {
                detector: INTERNAL_DENIED,
                severity: Severity::Medium,
                title: Label::new(
                    "内部セグメント間の許可されていない通信",
                    "Denied traffic between internal segments",
                ),
                explanation: Label::new(
                    format!(
                        "組織内の {src} から別の内部セグメントの {hosts} 台への通信が、\
                         ファイアウォールで {n} 回拒否されました{when_ja}。宛先: {d_ja}。\
                         マルウエアに感染した PC が他の PC へ感染を広げようとしている可能性があります。"
                    ),
                    format!(
                        "The firewall denied {} from internal host {src} to {} \
                         in other internal segments{when_en}. Destinations: {d_en}. \
                         An infected PC trying to spread to other PCs does this.",
                        count(n, "connection attempt", "connection attempts"),
                        count(hosts as u64, "host", "hosts")
                    ),
                ),
                lines: s.tally.lines.clone(),
                line_count: n,
                observables: ip_observables(src, &ips),
                first_seen: s.tally.first_seen(),
                last_seen: s.tally.last_seen(),
            });
        }
        for ((peer, ioc), h) in self.indicator {
            let (when_ja, when_en) = span(h.tally.first_seen(), h.tally.last_seen(), offset);
            let (n, permitted) = (h.tally.count, h.permitted);
            let denied = n - permitted;
            out.push(Finding {
                detector: INDICATOR,
                severity: Severity::High,
                title: Label::new(
                    "インディケータの IP アドレスとの通信",
                    "Traffic with an indicator IP address",
                ),
                explanation: Label::new(
                    format!(
                        "{peer} と、脅威情報に登録された IP アドレス {ioc} との通信が {n} 回記録されています\
                         （許可 {permitted} 回、拒否 {denied} 回）{when_ja}。C&C サーバとの通信の可能性があります。"
                    ),
                    format!(
                        "{peer} exchanged traffic with {ioc}, an address listed in threat intelligence, {} \
                         ({permitted} permitted, {denied} denied){when_en}. This may be C&C communication.",
                        count(n, "time", "times")
                    ),
                ),
                lines: h.tally.lines.clone(),
                line_count: n,
                observables: ip_observables(peer, &[ioc]),
                first_seen: h.tally.first_seen(),
                last_seen: h.tally.last_seen(),
            });
        }
    }
}

fn dest_list(dests: &[(String, u64)]) -> (String, String) {
    let ja: Vec<String> = dests
        .iter()
        .map(|(d, n)| format!("{d}（{n} 回）"))
        .collect();
    let en: Vec<String> = dests.iter().map(|(d, n)| format!("{d} ({n}×)")).collect();
    (list(&ja, SHOWN).0, list(&en, SHOWN).1)
}

fn ip_observables(first: IpAddr, rest: &[IpAddr]) -> Vec<super::finding::Observable> {
    let mut obs = Observables::default();
    obs.push(ObservableKind::Ip, first.to_string());
    for ip in rest.iter().take(super::finding::MAX_LINES) {
        obs.push(ObservableKind::Ip, ip.to_string());
    }
    obs.into_vec()
}
