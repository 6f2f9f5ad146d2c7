//! DNS cache server query logs (BIND 9), seed 001 §4
//! 「DNS(キャッシュ)サーバにおけるポイント」.

use std::net::IpAddr;

use chrono::FixedOffset;
use rustc_hash::FxHashMap;

use super::config::Config;
use super::finding::{Finding, Label, ObservableKind, Observables, Severity};
use super::matching::DomainSet;
use super::stats::{Tally, count, list, opt_millis, span};
use crate::triage::record::{At, Query};

/// A query for an indicator domain or any of its subdomains
/// (`a.b.evil.example` for `evil.example`, never `notevil.example`).
///
/// Seed 001 §4 (DNS), 「不審な送信先への通信」: 「マルウエアに感染した PC が
/// C&Cサーバやダウンロードサイトへの通信を試みる」, found by 「高度サイバー
/// 攻撃に関連する情報（URLやドメインなど）で検索」.
pub const INDICATOR: &str = "dns.indicator";

/// Query names remembered per finding.
const MAX_NAMES: usize = 20;

#[derive(Default)]
struct Hit {
    tally: Tally,
    names: Vec<String>,
    qtypes: Vec<String>,
}

pub(crate) struct DnsDetector {
    domains: DomainSet,
    offset: FixedOffset,
    /// Keyed by (client, indicator domain).
    hits: FxHashMap<(IpAddr, Box<str>), Hit>,
}

impl DnsDetector {
    pub fn new(cfg: &Config) -> Self {
        Self {
            domains: DomainSet::new(&cfg.indicators.domains),
            offset: cfg.offset_or_utc(),
            hits: FxHashMap::default(),
        }
    }

    pub fn feed(&mut self, at: At, q: &Query) {
        let Some(ioc) = self.domains.find(&q.name) else {
            return;
        };
        let hit = self.hits.entry((q.client, ioc.into())).or_default();
        hit.tally.add(at, opt_millis(&q.time));
        let name = q.name.strip_suffix('.').unwrap_or(&q.name);
        if hit.names.len() < MAX_NAMES && !hit.names.iter().any(|n| n == name) {
            hit.names.push(name.to_owned());
        }
        if hit.qtypes.len() < 8 && !hit.qtypes.iter().any(|t| t == &q.qtype) {
            hit.qtypes.push(q.qtype.clone());
        }
    }

    pub fn finish(self, out: &mut Vec<Finding>) {
        for ((client, ioc), h) in self.hits {
            let (names_ja, names_en) = list(&h.names, 5);
            let types = h.qtypes.join("/");
            let (when_ja, when_en) = span(h.tally.first_seen(), h.tally.last_seen(), self.offset);
            let n = h.tally.count;
            let mut obs = Observables::default();
            obs.push(ObservableKind::Ip, client.to_string());
            obs.push(ObservableKind::Domain, &*ioc);
            h.names
                .iter()
                .for_each(|d| obs.push(ObservableKind::Domain, d.as_str()));
            out.push(Finding {
                detector: INDICATOR,
                severity: Severity::High,
                title: Label::new(
                    "インディケータのドメインの名前解決",
                    "DNS query for an indicator domain",
                ),
                explanation: Label::new(
                    format!(
                        "{client} が、脅威情報に登録されたドメイン {ioc} の名前 {names_ja} を \
                         {n} 回問い合わせました（{types}）{when_ja}。\
                         C&C サーバやマルウエア設置サイトへ通信しようとしている可能性があります。"
                    ),
                    format!(
                        "{client} looked up {names_en}, under the threat-intelligence domain {ioc}, {} \
                         ({types}){when_en}. It may be about to contact a C&C server or malware site.",
                        count(n, "time", "times")
                    ),
                ),
                lines: h.tally.lines.clone(),
                line_count: n,
                observables: obs.into_vec(),
                first_seen: h.tally.first_seen(),
                last_seen: h.tally.last_seen(),
            });
        }
    }
}
