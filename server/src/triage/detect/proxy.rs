//! Web proxy access logs (Squid native and combined), seed 001 §4
//! 「Webプロキシサーバにおけるポイント(1/2)(2/2)」.
//!
//! Everything is kept per (client, destination host) pair: host names and
//! clients are interned once, each pair holds counters, first/last times
//! and Welford statistics of the intervals between contacts, and the first
//! lines of each pair go to an append-only log. Per-host facts (indicator
//! match, business domain) are computed when the host is first seen, so a
//! record costs three hash look-ups (host, client, pair) and some
//! arithmetic. At the end the pairs are folded into one finding per
//! subject (see [`ProxyDetector::finish`]).

use std::net::IpAddr;

use chrono::FixedOffset;
use rustc_hash::{FxHashMap, FxHashSet};

use super::config::{Config, Thresholds};
use super::finding::{Finding, Label, MAX_LINES, ObservableKind, Observables, Severity, visible};
use super::matching::{Calendar, DomainSet, UrlIndex};
use super::stats::{
    Millis, Tally, Welford, bytes, count, list, list_of, merge, millis, seconds, span,
};
use crate::triage::record::{At, Request};

/// A request to a destination from the threat-intelligence store: a
/// domain or its subdomain, an IP address, or a URL prefix.
///
/// Seed 001 §4 (Webプロキシ), 「不審な送信先への通信」: 「マルウエアに感染
/// した PC がC&Cサーバやダウンロードサイトへの通信を試みる」, found by
/// 「高度サイバー攻撃に関連する情報（IPアドレスやドメインなど）で検索」.
pub const INDICATOR: &str = "proxy.indicator";

/// CONNECT to a port other than the allowed ones (80 and 443).
///
/// Seed 001 §4 (Webプロキシ), 「CONNECTメソッドで80、443以外のポートへ
/// 通信」: 「HTTPやHTTPS通信の偽装を行い、組織外との通信を試みる」, found by
/// 「80、443番ポート以外のCONNECTメソッドの通信を抽出」.
pub const CONNECT_PORT: &str = "proxy.connect_port";

/// A User-Agent that is not one of the organisation's standard browsers
/// (only for logs that record it; an empty UA counts as non-standard).
///
/// Seed 001 §4 (Webプロキシ), 「標準利用以外のUser Agentによる通信」:
/// 「組織内で標準利用しているブラウザのUser Agentと異なる User Agent による
/// 通信を検索」.
pub const USER_AGENT: &str = "proxy.user_agent";

/// One client contacting one host many times at a nearly constant
/// interval: enough contacts, over enough hours, with a low coefficient of
/// variation of the intervals.
///
/// Seed 001 §4 (Webプロキシ), 「定期的に発生するHTTP通信」: 「ボットに感染した
/// PC はC&Cサーバへの通信を定期的に行い、情報の取得やコントロールの受信を
/// 試みる」.
pub const BEACONING: &str = "proxy.beaconing";

/// Requests outside business hours and outside declared maintenance
/// windows, one finding per client.
///
/// Seed 001 §4 (Webプロキシ), 「業務時間外に発生するHTTP通信」: 「業務時間外の
/// 時間帯でシステムメンテナンス利用を除いたものを抽出。不自然なアクセスが
/// ないか確認」.
pub const OFF_HOURS: &str = "proxy.off_hours";

/// A large upload volume (POST/PUT bodies, and CONNECT when the log has
/// request sizes) from one client to one host; without sizes in the log,
/// many POSTs to one host.
///
/// Seed 001 §4 (Webプロキシ), 「大量のHTTP通信」: 「同一の送信先に対する
/// POSTメソッド、それに続くCONNECTメソッドを抽出し、データ量の合計値が
/// 異常に大きなものを確認」.
pub const LARGE_UPLOAD: &str = "proxy.large_upload";

/// Hosts (and clients) named in an explanation.
const SHOWN: usize = 5;

/// Clients listed as observables of one finding.
const MAX_CLIENTS: usize = 20;

/// What the threat-intelligence store says about a host.
#[derive(Debug)]
enum Ioc {
    Domain(Box<str>),
    Ip,
}

#[derive(Debug)]
struct HostInfo {
    name: Box<str>,
    ioc: Option<Ioc>,
    /// There are URL indicators for this host.
    has_urls: bool,
    /// A declared business destination.
    business: bool,
}

#[derive(Debug, Default)]
struct IocHit {
    tally: Tally,
    denied: u64,
    /// The URL indicator that matched, if a URL did.
    url: Option<String>,
}

#[derive(Debug, Default)]
struct ConnectHit {
    tally: Tally,
    denied: u64,
    ports: Vec<u16>,
}

#[derive(Debug, Default)]
struct Upload {
    /// POST/PUT, and CONNECT with a recorded request size: counted and
    /// timed here, their lines in [`ProxyDetector::upload_lines`].
    tally: Tally,
    posts: u64,
    /// Request bodies summed where the log records them.
    bytes: u64,
    sized: u64,
}

/// Statistics of one (client, host) pair, kept small and inline in the
/// pair map: every request touches its pair, and with many pairs that
/// touch is a cache miss, so what every request updates is here, the rare
/// facts behind one pointer, and the lines in an append-only log
/// ([`ProxyDetector::pair_lines`]).
#[derive(Debug)]
struct Pair {
    requests: u64,
    first: Millis,
    last: Millis,
    contact_start: Millis,
    intervals: Welford,
    /// Separate contacts: requests at least `beacon_min_gap` apart.
    contacts: u32,
    /// Requests out of hours (their lines and times are the client's);
    /// saturates, which four billion requests of one pair never reach.
    off_hours: u32,
    rare: Option<Box<Rare>>,
}

/// What only some requests of a pair touch: uploads (a POST is common
/// enough to keep inline), CONNECTs to odd ports and indicator hits (rare
/// enough to keep this small).
#[derive(Debug, Default)]
struct Rare {
    upload: Option<Upload>,
    connect: Option<Box<ConnectHit>>,
    ioc: Option<Box<IocHit>>,
}

impl Pair {
    fn new(t: Millis) -> Self {
        Self {
            requests: 0,
            first: t,
            last: t,
            contact_start: t,
            intervals: Welford::default(),
            contacts: 0,
            off_hours: 0,
            rare: None,
        }
    }

    fn rare(&self) -> Option<&Rare> {
        self.rare.as_deref()
    }

    fn rare_mut(&mut self) -> &mut Rare {
        self.rare.get_or_insert_default()
    }

    /// Hours from the first request to the last.
    fn span_hours(&self) -> f64 {
        (self.last - self.first) as f64 / 3_600_000.0
    }

    /// The pair's requests as a tally, with its `lines` from the log.
    fn tally(&self, lines: Vec<At>) -> Tally {
        Tally {
            count: self.requests,
            first: Some(self.first),
            last: Some(self.last),
            lines,
        }
    }

    /// Counts the request and, when it starts a new contact, the interval
    /// since the previous contact started. Requests arriving out of order
    /// (Squid logs at completion) join the current contact.
    #[inline]
    fn record(&mut self, t: Millis, gap: Millis) {
        if self.requests == 0 {
            self.contacts = 1;
            self.first = t;
            self.last = t;
            self.contact_start = t;
        } else {
            if t >= self.last + gap {
                self.intervals
                    .push((t - self.contact_start) as f64 / 1000.0);
                self.contacts += 1;
                self.contact_start = t;
            }
            self.first = self.first.min(t);
            self.last = self.last.max(t);
        }
        self.requests += 1;
    }
}

#[derive(Debug)]
struct UaInfo {
    text: Box<str>,
    standard: bool,
}

#[derive(Debug, Default)]
struct UaUse {
    tally: Tally,
    hosts: Vec<u32>,
}

/// Whether the proxy refused the request (`TCP_DENIED/403`); a 407 is only
/// the authentication challenge and does not count.
fn is_denied(r: &Request) -> bool {
    r.result.contains("DENIED") || r.status == 403
}

pub(crate) struct ProxyDetector {
    calendar: Calendar,
    offset: FixedOffset,
    /// 「月・火・水・木・金 8:00〜20:00」 / "Mon, Tue, Wed, Thu, Fri 08:00–20:00".
    hours_ja: String,
    hours_en: String,
    standard_uas: Vec<String>,
    business: DomainSet,
    ioc_domains: DomainSet,
    ioc_ips: FxHashSet<IpAddr>,
    ioc_urls: UrlIndex,
    connect_ports: Vec<u16>,
    thresholds: Thresholds,
    gap: Millis,
    hosts: FxHashMap<Box<str>, u32>,
    host_info: Vec<HostInfo>,
    /// Clients are numbered too, so that a pair's key is one `u64`
    /// ([`key`]): cheap to hash and small in the map.
    clients: FxHashMap<IpAddr, u32>,
    client_info: Vec<ClientInfo>,
    pairs: FxHashMap<u64, Pair>,
    uas: FxHashMap<Box<str>, u32>,
    ua_info: Vec<UaInfo>,
    /// Keyed by (client, User-Agent).
    ua_uses: FxHashMap<u64, UaUse>,
    /// The first [`MAX_LINES`] lines of each pair, by pair key, appended
    /// as they come: writing each pair's own list was a cache miss on
    /// nearly every line, an append is not. Bounded like the pairs.
    pair_lines: Vec<(u64, At)>,
    /// Likewise the first lines of each pair's uploads.
    upload_lines: Vec<(u64, At)>,
}

#[derive(Debug)]
struct ClientInfo {
    ip: IpAddr,
    /// Requests out of hours, to any host: one finding per client.
    off_hours: Tally,
}

/// The map key of a (client, host) or (client, User-Agent) pair.
#[inline]
fn key(client: u32, other: u32) -> u64 {
    u64::from(client) << 32 | u64::from(other)
}

/// The two ids of a [`key`].
fn ids(key: u64) -> (u32, u32) {
    ((key >> 32) as u32, key as u32)
}

impl ProxyDetector {
    pub fn new(cfg: &Config) -> Self {
        let (hours_ja, hours_en) = describe_hours(cfg);
        Self {
            calendar: Calendar::new(cfg),
            offset: cfg.offset_or_utc(),
            hours_ja,
            hours_en,
            standard_uas: cfg
                .standard_user_agents
                .iter()
                .filter(|s| !s.is_empty())
                .cloned()
                .collect(),
            business: DomainSet::new(&cfg.business_domains),
            ioc_domains: DomainSet::new(&cfg.indicators.domains),
            ioc_ips: cfg
                .indicators
                .ips
                .iter()
                .map(|ip| ip.to_canonical())
                .collect(),
            ioc_urls: UrlIndex::new(&cfg.indicators.urls),
            connect_ports: cfg.allowed_connect_ports.clone(),
            thresholds: cfg.thresholds.clone(),
            gap: (cfg.thresholds.beacon_min_gap_secs.max(0.0) * 1000.0) as Millis,
            hosts: FxHashMap::default(),
            host_info: Vec::new(),
            clients: FxHashMap::default(),
            client_info: Vec::new(),
            pairs: FxHashMap::default(),
            uas: FxHashMap::default(),
            ua_info: Vec::new(),
            ua_uses: FxHashMap::default(),
            pair_lines: Vec::new(),
            upload_lines: Vec::new(),
        }
    }

    /// The id of `host`, judging it against the indicators the first time.
    #[inline]
    fn host_id(&mut self, host: &str) -> u32 {
        if let Some(&id) = self.hosts.get(host) {
            return id;
        }
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let ioc = match self.ioc_domains.find(host) {
            Some(d) => Some(Ioc::Domain(d.into())),
            None => bare
                .parse::<IpAddr>()
                .ok()
                .filter(|ip| self.ioc_ips.contains(&ip.to_canonical()))
                .map(|_| Ioc::Ip),
        };
        let id = self.host_info.len() as u32;
        self.host_info.push(HostInfo {
            name: host.into(),
            ioc,
            has_urls: !self.ioc_urls.for_host(bare).is_empty(),
            business: self.business.find(host).is_some(),
        });
        self.hosts.insert(host.into(), id);
        id
    }

    #[inline]
    fn client_id(&mut self, ip: IpAddr) -> u32 {
        let next = self.client_info.len() as u32;
        let id = *self.clients.entry(ip).or_insert(next);
        if id == next {
            self.client_info.push(ClientInfo {
                ip,
                off_hours: Tally::default(),
            });
        }
        id
    }

    #[inline]
    fn ua_id(&mut self, ua: &str) -> (u32, bool) {
        if let Some(&id) = self.uas.get(ua) {
            return (id, self.ua_info[id as usize].standard);
        }
        let standard = self.standard_uas.iter().any(|s| ua.contains(s.as_str()));
        let id = self.ua_info.len() as u32;
        self.ua_info.push(UaInfo {
            text: ua.into(),
            standard,
        });
        self.uas.insert(ua.into(), id);
        (id, standard)
    }

    pub fn feed(&mut self, at: At, r: &Request) {
        let t = millis(&r.time);
        let host = self.host_id(&r.host);
        let client = self.client_id(r.client);
        let info = &self.host_info[host as usize];
        let business = info.business;
        let k = key(client, host);
        let pair = self.pairs.entry(k).or_insert_with(|| Pair::new(t));
        if pair.requests < MAX_LINES as u64 {
            self.pair_lines.push((k, at));
        }
        pair.record(t, self.gap);

        if info.ioc.is_some() || info.has_urls {
            let url = if info.has_urls {
                let bare = info.name.trim_start_matches('[').trim_end_matches(']');
                self.ioc_urls
                    .for_host(bare)
                    .iter()
                    .find(|p| p.matches(&r.url))
            } else {
                None
            };
            if info.ioc.is_some() || url.is_some() {
                let hit = pair.rare_mut().ioc.get_or_insert_default();
                hit.tally.add(at, Some(t));
                hit.denied += u64::from(is_denied(r));
                if let (None, Some(p)) = (&hit.url, url) {
                    hit.url = Some(p.indicator.clone());
                }
            }
        }

        let method = r.method.as_str();
        if method.eq_ignore_ascii_case("CONNECT") {
            if !self.connect_ports.contains(&r.port) {
                let hit = pair.rare_mut().connect.get_or_insert_default();
                hit.tally.add(at, Some(t));
                hit.denied += u64::from(is_denied(r));
                if hit.ports.len() < 8 && !hit.ports.contains(&r.port) {
                    hit.ports.push(r.port);
                }
            }
            if let (Some(b), false) = (r.request_bytes, business) {
                let up = pair.rare_mut().upload.get_or_insert_default();
                if up.tally.count < MAX_LINES as u64 {
                    self.upload_lines.push((k, at));
                }
                up.tally.count_at(Some(t));
                up.bytes += b;
                up.sized += 1;
            }
        } else if !business
            && (method.eq_ignore_ascii_case("POST") || method.eq_ignore_ascii_case("PUT"))
        {
            let up = pair.rare_mut().upload.get_or_insert_default();
            if up.tally.count < MAX_LINES as u64 {
                self.upload_lines.push((k, at));
            }
            up.tally.count_at(Some(t));
            up.posts += 1;
            if let Some(b) = r.request_bytes {
                up.bytes += b;
                up.sized += 1;
            }
        }

        if business {
            return;
        }
        if self.calendar.is_off_hours(t) {
            pair.off_hours = pair.off_hours.saturating_add(1);
            self.client_info[client as usize].off_hours.add(at, Some(t));
        }
        if let (Some(ua), false) = (&r.user_agent, self.standard_uas.is_empty()) {
            let (ua, standard) = self.ua_id(ua);
            if !standard {
                let u = self.ua_uses.entry(key(client, ua)).or_default();
                u.tally.add(at, Some(t));
                if u.hosts.len() < MAX_LINES && !u.hosts.contains(&host) {
                    u.hosts.push(host);
                }
            }
        }
    }

    /// The findings, each folded over the clients that share its subject:
    /// one per destination host for indicators, CONNECT ports, beaconing
    /// and uploads (the host is what an analyst blocks and searches for,
    /// and many clients reaching it is one incident, not many), one per
    /// client for out-of-hours use (the client is what is unusual), one
    /// per User-Agent for unusual agents (the program behind it). The
    /// statistics stay per (client, host) pair, so a folded finding still
    /// names each client's share.
    pub fn finish(self, out: &mut Vec<Finding>) {
        let mut indicators = Vec::new();
        let mut connects = Vec::new();
        let mut beacons = Vec::new();
        let mut uploads = Vec::new();
        let mut off_by_client: FxHashMap<u32, Vec<(&str, u64)>> = FxHashMap::default();
        for (&k, pair) in &self.pairs {
            let (client_id, host) = ids(k);
            let client = self.client_info[client_id as usize].ip;
            let info = &self.host_info[host as usize];
            let rare = pair.rare();
            if let Some(hit) = rare.and_then(|r| r.ioc.as_deref()) {
                indicators.push((host, client, hit));
            }
            if let Some(hit) = rare.and_then(|r| r.connect.as_deref()) {
                connects.push((host, client, hit));
            }
            if self.is_beacon(info, pair) {
                beacons.push((host, client, (k, pair)));
            }
            let upload = rare.and_then(|r| r.upload.as_ref());
            if let Some(up) = upload.filter(|u| self.is_large(u)) {
                uploads.push(((host, up.sized > 0), client, (k, up)));
            }
            if pair.off_hours > 0 {
                off_by_client
                    .entry(client_id)
                    .or_default()
                    .push((&info.name, u64::from(pair.off_hours)));
            }
        }
        for (host, hits) in by_subject(indicators, |h| h.tally.count) {
            out.push(self.indicator(&self.host_info[host as usize], &hits));
        }
        for (host, hits) in by_subject(connects, |h| h.tally.count) {
            out.push(self.connect(&self.host_info[host as usize], &hits));
        }
        let mut lines = lines_of(&self.pair_lines, beacons.iter().map(|(_, _, (k, _))| *k));
        for (host, pairs) in by_subject(beacons, |(_, p)| p.requests) {
            let pairs: Vec<(IpAddr, Tally, &Pair)> = pairs
                .into_iter()
                .map(|(c, (k, p))| (c, p.tally(lines.remove(&k).unwrap_or_default()), p))
                .collect();
            out.push(self.beacon(&self.host_info[host as usize], &pairs));
        }
        let mut lines = lines_of(&self.upload_lines, uploads.iter().map(|(_, _, (k, _))| *k));
        for ((host, sized), ups) in by_subject(uploads, |(_, u)| u.tally.count) {
            let ups: Vec<(IpAddr, Tally, &Upload)> = ups
                .into_iter()
                .map(|(c, (k, u))| {
                    let lines = lines.remove(&k).unwrap_or_default();
                    (
                        c,
                        Tally {
                            lines,
                            ..u.tally.clone()
                        },
                        u,
                    )
                })
                .collect();
            out.push(self.upload(&self.host_info[host as usize], sized, &ups));
        }
        for (client, hosts) in off_by_client {
            out.push(self.off_hours(&self.client_info[client as usize], hosts));
        }
        let uses = self
            .ua_uses
            .iter()
            .map(|(&k, u)| {
                let (client, ua) = ids(k);
                (ua, self.client_info[client as usize].ip, u)
            })
            .collect();
        for (ua, uses) in by_subject(uses, |u| u.tally.count) {
            out.push(self.user_agent(&self.ua_info[ua as usize].text, &uses));
        }
    }

    fn finding(
        &self,
        detector: &'static str,
        severity: Severity,
        title: Label,
        explanation: Label,
        tally: &Tally,
        observables: Observables,
    ) -> Finding {
        Finding {
            detector,
            severity,
            title,
            explanation,
            lines: tally.lines.clone(),
            line_count: tally.count,
            observables: observables.into_vec(),
            first_seen: tally.first_seen(),
            last_seen: tally.last_seen(),
        }
    }

    fn indicator(&self, info: &HostInfo, hits: &[(IpAddr, &IocHit)]) -> Finding {
        let host = &*info.name;
        let tally = merge(hits.iter().map(|(_, h)| &h.tally));
        let mut obs = clients_and_host(hits.iter().map(|(c, _)| *c), host);
        let mut urls: Vec<&str> = hits.iter().filter_map(|(_, h)| h.url.as_deref()).collect();
        urls.sort_unstable();
        urls.dedup();
        let (what_ja, what_en) = match (urls.as_slice(), &info.ioc) {
            ([url], _) => {
                obs.push(ObservableKind::Url, *url);
                (format!("URL {url}"), format!("the URL {url}"))
            }
            ([_, ..], _) => {
                urls.iter().for_each(|u| obs.push(ObservableKind::Url, *u));
                let shown: Vec<String> = urls.iter().map(|u| u.to_string()).collect();
                let (ja, en) = list(&shown, SHOWN);
                (format!("URL {ja}"), format!("the URLs {en}"))
            }
            ([], Some(Ioc::Domain(d))) if **d == *host => {
                (format!("ドメイン {d}"), format!("the domain {d}"))
            }
            ([], Some(Ioc::Domain(d))) => {
                obs.push(ObservableKind::Domain, &**d);
                (
                    format!("ドメイン {d} のサブドメイン {host}"),
                    format!("{host}, a subdomain of {d}"),
                )
            }
            ([], _) => (
                format!("IP アドレス {host}"),
                format!("the IP address {host}"),
            ),
        };
        let (who_ja, who_en) = clients(hits.iter().map(|(c, h)| (*c, h.tally.count)));
        let n = tally.count;
        let (denied_ja, denied_en) = denied(hits.iter().map(|(_, h)| h.denied).sum());
        let (when_ja, when_en) = span(tally.first_seen(), tally.last_seen(), self.offset);
        self.finding(
            INDICATOR,
            Severity::High,
            Label::new("インディケータへの通信", "Request to an indicator"),
            Label::new(
                format!(
                    "{who_ja}から、脅威情報に登録された{what_ja} への通信が {n} 回ありました\
                     {denied_ja}{when_ja}。\
                     C&C サーバやダウンロードサイトへの通信の可能性があります。"
                ),
                format!(
                    "{who_en} sent {} to {what_en}, listed in threat intelligence{denied_en}{when_en}. \
                     This may be traffic to a C&C server or download site.",
                    count(n, "request", "requests")
                ),
            ),
            &tally,
            obs,
        )
    }

    fn connect(&self, info: &HostInfo, hits: &[(IpAddr, &ConnectHit)]) -> Finding {
        let host = &*info.name;
        let tally = merge(hits.iter().map(|(_, h)| &h.tally));
        let mut ports: Vec<u16> = hits
            .iter()
            .flat_map(|(_, h)| h.ports.iter().copied())
            .collect();
        ports.sort_unstable();
        ports.dedup();
        let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
        let allowed: Vec<String> = self.connect_ports.iter().map(u16::to_string).collect();
        let (ports, allowed) = (ports.join(", "), allowed.join(", "));
        let (who_ja, who_en) = clients(hits.iter().map(|(c, h)| (*c, h.tally.count)));
        let n = tally.count;
        let (denied_ja, denied_en) = denied(hits.iter().map(|(_, h)| h.denied).sum());
        let (when_ja, when_en) = span(tally.first_seen(), tally.last_seen(), self.offset);
        self.finding(
            CONNECT_PORT,
            Severity::Medium,
            Label::new(
                "CONNECT メソッドによる標準外ポートへの通信",
                "CONNECT to a non-standard port",
            ),
            Label::new(
                format!(
                    "{who_ja}が CONNECT メソッドで {host} のポート {ports}（許可されたポートは {allowed}）へ \
                     {n} 回通信しようとしました{denied_ja}{when_ja}。\
                     HTTP や HTTPS の通信を装って組織外と通信しようとしている可能性があります。"
                ),
                format!(
                    "{who_en} issued {} to {host} on port {ports} (allowed: {allowed}){denied_en}{when_en}. \
                     Malware tunnels its own traffic this way, posing as HTTP or HTTPS.",
                    count(n, "CONNECT request", "CONNECT requests")
                ),
            ),
            &tally,
            clients_and_host(hits.iter().map(|(c, _)| *c), host),
        )
    }

    /// Whether a pair's contacts are regular enough, long enough and
    /// numerous enough to be a beacon.
    fn is_beacon(&self, info: &HostInfo, pair: &Pair) -> bool {
        let th = &self.thresholds;
        !info.business
            && pair.contacts >= th.beacon_min_requests
            && pair.intervals.count() >= 2
            && pair.span_hours() >= th.beacon_min_span_hours
            && pair.intervals.coefficient_of_variation() <= th.beacon_max_jitter
    }

    /// One host's beaconing pairs, each with its tally.
    fn beacon(&self, info: &HostInfo, pairs: &[(IpAddr, Tally, &Pair)]) -> Finding {
        let host = &*info.name;
        let tally = merge(pairs.iter().map(|(_, t, _)| t));
        let (when_ja, when_en) = span(tally.first_seen(), tally.last_seen(), self.offset);
        let (ja, en) = match pairs {
            [(client, _, pair)] => {
                let (contacts, requests, span_hours) =
                    (pair.contacts, pair.requests, pair.span_hours());
                let (mean, sd, cv) = interval(pair);
                (
                    format!(
                        "クライアント {client} から {host} への通信が {span_hours:.1} 時間にわたり {contacts} 回\
                         （リクエスト {requests} 件）、平均 {mean} 秒間隔（標準偏差 {sd} 秒、変動係数 {cv:.3}）で\
                         ほぼ一定の周期で発生しています{when_ja}。ボットに感染した PC が C&C サーバへ定期的に通信し、\
                         命令を受け取ろうとしている可能性があります。"
                    ),
                    format!(
                        "Client {client} contacted {host} {contacts} times ({requests} requests) over {span_hours:.1} hours \
                         at a nearly constant interval of {mean} s on average (standard deviation {sd} s, coefficient of \
                         variation {cv:.3}){when_en}. A bot polling its C&C server for commands looks like this."
                    ),
                )
            }
            _ => {
                let k = pairs.len();
                let each_ja: Vec<String> = pairs
                    .iter()
                    .map(|(client, _, p)| {
                        let (mean, sd, _) = interval(p);
                        format!(
                            "{client}（平均 {mean} 秒間隔、標準偏差 {sd} 秒、{:.1} 時間に {} 回）",
                            p.span_hours(),
                            p.contacts
                        )
                    })
                    .collect();
                let each_en: Vec<String> = pairs
                    .iter()
                    .map(|(client, _, p)| {
                        let (mean, sd, _) = interval(p);
                        format!(
                            "{client} every {mean} s on average (standard deviation {sd} s; {} over {:.1} hours)",
                            count(u64::from(p.contacts), "contact", "contacts"),
                            p.span_hours()
                        )
                    })
                    .collect();
                let (each_ja, each_en) = (list(&each_ja, SHOWN).0, list(&each_en, SHOWN).1);
                let n = tally.count;
                (
                    format!(
                        "{k} 台のクライアントから {host} への通信（リクエスト {n} 件）が、それぞれほぼ一定の周期で\
                         発生しています{when_ja}: {each_ja}。ボットに感染した PC が C&C サーバへ定期的に通信し、\
                         命令を受け取ろうとしている可能性があります。"
                    ),
                    format!(
                        "{k} clients contacted {host} at nearly constant intervals ({n} requests){when_en}: {each_en}. \
                         Bots polling their C&C server for commands look like this."
                    ),
                )
            }
        };
        self.finding(
            BEACONING,
            Severity::Medium,
            Label::new(
                "定期的に発生する HTTP 通信",
                "Periodic HTTP requests (beaconing)",
            ),
            Label::new(ja, en),
            &tally,
            clients_and_host(pairs.iter().map(|(c, _, _)| *c), host),
        )
    }

    /// Whether one client's uploads to one host cross the thresholds: the
    /// summed request sizes where the log has them, else the POST count.
    fn is_large(&self, up: &Upload) -> bool {
        let th = &self.thresholds;
        if up.sized > 0 {
            up.bytes >= th.large_post_bytes
        } else {
            up.posts >= th.large_post_count
        }
    }

    /// One host's large uploads, from logs with request sizes (`sized`)
    /// or without.
    fn upload(&self, info: &HostInfo, sized: bool, ups: &[(IpAddr, Tally, &Upload)]) -> Finding {
        let th = &self.thresholds;
        let host = &*info.name;
        let tally = merge(ups.iter().map(|(_, t, _)| t));
        let (when_ja, when_en) = span(tally.first_seen(), tally.last_seen(), self.offset);
        let n = tally.count;
        let several = ups.len() > 1;
        let (who_ja, who_en) = clients(ups.iter().map(|(c, t, _)| (*c, t.count)));
        let (severity, ja, en) = if sized {
            let total = bytes(ups.iter().map(|(_, _, u)| u.bytes).sum());
            let limit = bytes(th.large_post_bytes);
            let per = if several { " per client" } else { "" };
            let per_ja = if several {
                "クライアントごとに "
            } else {
                ""
            };
            let each: Vec<(String, String)> = ups
                .iter()
                .map(|(c, _, u)| {
                    (
                        format!("{c}（{}）", bytes(u.bytes)),
                        format!("{c} ({})", bytes(u.bytes)),
                    )
                })
                .collect();
            let (each_ja, each_en) = if several {
                let (ja, en): (Vec<String>, Vec<String>) = each.into_iter().unzip();
                (
                    format!("内訳: {}。", list(&ja, SHOWN).0),
                    format!(" By client: {}.", list(&en, SHOWN).1),
                )
            } else {
                (String::new(), String::new())
            };
            (
                Severity::Medium,
                format!(
                    "{who_ja}から {host} へ、POST/PUT/CONNECT の {n} 件のリクエストで合計 {total} を\
                     送信しています（しきい値 {per_ja}{limit}）{when_ja}。{each_ja}機密情報が組織外へ持ち出されている可能性があります。"
                ),
                format!(
                    "{who_en} uploaded {total} in total to {host} in {} (POST/PUT/CONNECT; threshold {limit}{per}){when_en}.{each_en} \
                     Confidential data may be leaving the organisation.",
                    count(n, "request", "requests"),
                ),
            )
        } else {
            let (posts, limit) = (
                ups.iter().map(|(_, _, u)| u.posts).sum::<u64>(),
                th.large_post_count,
            );
            let (per_ja, per) = if several {
                ("クライアントごとに ", " per client")
            } else {
                ("", "")
            };
            (
                Severity::Low,
                format!(
                    "{who_ja}から {host} へ POST/PUT が {posts} 回送信されています（しきい値 {per_ja}{limit} 回。\
                     このログには送信サイズが記録されていません）{when_ja}。\
                     アップロードサイトへ情報が持ち出されている可能性があります。"
                ),
                format!(
                    "{who_en} sent {posts} POST/PUT requests to {host} (threshold {limit}{per}; this log does not record \
                     request sizes){when_en}. Data may be being uploaded out of the organisation."
                ),
            )
        };
        self.finding(
            LARGE_UPLOAD,
            severity,
            Label::new(
                "同一の送信先への大量の送信",
                "Large upload to one destination",
            ),
            Label::new(ja, en),
            &tally,
            clients_and_host(ups.iter().map(|(c, _, _)| *c), host),
        )
    }

    fn off_hours(&self, client: &ClientInfo, mut hosts: Vec<(&str, u64)>) -> Finding {
        let (total, client) = (&client.off_hours, client.ip);
        hosts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let ja: Vec<String> = hosts
            .iter()
            .take(SHOWN)
            .map(|(h, n)| format!("{h}（{n} 件）"))
            .collect();
        let en: Vec<String> = hosts
            .iter()
            .take(SHOWN)
            .map(|(h, n)| format!("{h} ({n})"))
            .collect();
        let (n, k) = (total.count, hosts.len());
        let (ja, en) = (list_of(&ja, k, SHOWN).0, list_of(&en, k, SHOWN).1);
        let (when_ja, when_en) = span(total.first_seen(), total.last_seen(), self.offset);
        let (hours_ja, hours_en) = (&self.hours_ja, &self.hours_en);
        let mut obs = Observables::default();
        obs.push(ObservableKind::Ip, client.to_string());
        for (h, _) in hosts.iter().take(MAX_LINES) {
            obs.push(host_kind(h), *h);
        }
        self.finding(
            OFF_HOURS,
            Severity::Low,
            Label::new(
                "業務時間外の HTTP 通信",
                "HTTP requests outside business hours",
            ),
            Label::new(
                format!(
                    "クライアント {client} から、業務時間（{hours_ja}）外かつメンテナンス時間外に \
                     {k} 件の通信先へ {n} 件のリクエストがありました{when_ja}。通信先: {ja}。\
                     マルウエアに感染した PC は変則的な時間帯にも C&C サーバ等へ通信を試みます。"
                ),
                format!(
                    "Client {client} sent {} to {} outside business hours ({hours_en}) \
                     and outside maintenance windows{when_en}. Destinations: {en}. \
                     Infected PCs call their C&C servers at odd hours too.",
                    count(n, "request", "requests"),
                    count(k as u64, "destination", "destinations")
                ),
            ),
            total,
            obs,
        )
    }

    fn user_agent(&self, ua: &str, uses: &[(IpAddr, &UaUse)]) -> Finding {
        let tally = merge(uses.iter().map(|(_, u)| &u.tally));
        let mut hosts: Vec<u32> = Vec::new();
        for h in uses.iter().flat_map(|(_, u)| u.hosts.iter()) {
            if hosts.len() < MAX_LINES && !hosts.contains(h) {
                hosts.push(*h);
            }
        }
        let hosts: Vec<String> = hosts
            .iter()
            .map(|&h| self.host_info[h as usize].name.to_string())
            .collect();
        let (h_ja, h_en) = (list(&hosts, SHOWN).0, list(&hosts, SHOWN).1);
        let shown = visible(ua);
        let (shown_ja, shown_en) = if ua.is_empty() || ua == "-" {
            ("（なし）".to_owned(), "(none)".to_owned())
        } else {
            (format!("「{shown}」"), format!("\"{shown}\""))
        };
        let (who_ja, who_en) = clients(uses.iter().map(|(c, u)| (*c, u.tally.count)));
        let n = tally.count;
        let (when_ja, when_en) = span(tally.first_seen(), tally.last_seen(), self.offset);
        let mut obs = Observables::default();
        for (c, _) in uses.iter().take(MAX_CLIENTS) {
            obs.push(ObservableKind::Ip, c.to_string());
        }
        if !(ua.is_empty() || ua == "-") {
            obs.push(ObservableKind::UserAgent, ua);
        }
        for h in &hosts {
            obs.push(host_kind(h), h.as_str());
        }
        self.finding(
            USER_AGENT,
            Severity::Low,
            Label::new("標準ブラウザ以外の User-Agent", "Non-standard User-Agent"),
            Label::new(
                format!(
                    "{who_ja}が、組織の標準ブラウザではない User-Agent {shown_ja}で {n} 件通信しました\
                     {when_ja}。通信先: {h_ja}。マルウエアが C&C サーバやダウンロードサイトと通信している可能性があります。"
                ),
                format!(
                    "{who_en} sent {} with the User-Agent {shown_en}, which is not one of the \
                     organisation's standard browsers{when_en}. Destinations: {h_en}. Malware talking to its C&C or \
                     download site often shows up like this.",
                    count(n, "request", "requests")
                ),
            ),
            &tally,
            obs,
        )
    }
}

/// Groups per-(client, subject) results by subject, in subject order,
/// each group's clients busiest first (then by address, so the text never
/// depends on hash-map order).
fn by_subject<K: Ord + Copy, T>(
    mut items: Vec<(K, IpAddr, T)>,
    count: impl Fn(&T) -> u64,
) -> Vec<(K, Vec<(IpAddr, T)>)> {
    items.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| count(&b.2).cmp(&count(&a.2)))
            .then_with(|| a.1.cmp(&b.1))
    });
    let mut groups: Vec<(K, Vec<(IpAddr, T)>)> = Vec::new();
    for (key, client, item) in items {
        match groups.last_mut() {
            Some((k, members)) if *k == key => members.push((client, item)),
            _ => groups.push((key, vec![(client, item)])),
        }
    }
    groups
}

/// Who sent the requests, for the start of a sentence: 「クライアント
/// 10.0.0.5」 / "Client 10.0.0.5", or for several, busiest first,
/// 「3 台のクライアント（10.0.0.5（12 件）、…）」 / "3 clients (10.0.0.5 ×12, …)".
fn clients(clients: impl ExactSizeIterator<Item = (IpAddr, u64)>) -> (String, String) {
    let k = clients.len();
    let shown: Vec<(IpAddr, u64)> = clients.take(SHOWN).collect();
    if let [(client, _)] = shown.as_slice()
        && k == 1
    {
        return (
            format!("クライアント {client} "),
            format!("Client {client}"),
        );
    }
    let ja: Vec<String> = shown
        .iter()
        .map(|(c, n)| format!("{c}（{n} 件）"))
        .collect();
    let en: Vec<String> = shown.iter().map(|(c, n)| format!("{c} ×{n}")).collect();
    (
        format!("{k} 台のクライアント（{}）", list_of(&ja, k, SHOWN).0),
        format!("{k} clients ({})", list_of(&en, k, SHOWN).1),
    )
}

/// The lines logged for each of the `wanted` keys, in file order.
fn lines_of(log: &[(u64, At)], wanted: impl Iterator<Item = u64>) -> FxHashMap<u64, Vec<At>> {
    let mut lines: FxHashMap<u64, Vec<At>> = wanted.map(|k| (k, Vec::new())).collect();
    if !lines.is_empty() {
        for (k, at) in log {
            if let Some(l) = lines.get_mut(k) {
                l.push(*at);
            }
        }
    }
    lines
}

/// Mean and standard deviation of a pair's intervals in seconds, and
/// their coefficient of variation.
fn interval(pair: &Pair) -> (String, String, f64) {
    (
        seconds(pair.intervals.mean()),
        seconds(pair.intervals.std_dev()),
        pair.intervals.coefficient_of_variation(),
    )
}

/// 「（うちプロキシが拒否 3 回）」 / " (3 denied by the proxy)", or nothing.
fn denied(n: u64) -> (String, String) {
    if n == 0 {
        (String::new(), String::new())
    } else {
        (
            format!("（うちプロキシが拒否 {n} 回）"),
            format!(" ({n} denied by the proxy)"),
        )
    }
}

/// `Ip` for an address literal (also `[v6]`), `Domain` otherwise.
fn host_kind(host: &str) -> ObservableKind {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if bare.parse::<IpAddr>().is_ok() {
        ObservableKind::Ip
    } else {
        ObservableKind::Domain
    }
}

/// The clients (the first [`MAX_CLIENTS`]) and the host, as observables.
fn clients_and_host(clients: impl Iterator<Item = IpAddr>, host: &str) -> Observables {
    let mut obs = Observables::default();
    for client in clients.take(MAX_CLIENTS) {
        obs.push(ObservableKind::Ip, client.to_string());
    }
    obs.push(host_kind(host), host);
    obs
}

/// The declared business hours in words, e.g. 「月・火・水・木・金 8:00〜20:00」.
fn describe_hours(cfg: &Config) -> (String, String) {
    const JA: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
    let mut days = cfg.business_days.clone();
    days.sort_by_key(|d| d.num_days_from_monday());
    days.dedup();
    let ja_days: Vec<&str> = days
        .iter()
        .map(|d| JA[d.num_days_from_monday() as usize])
        .collect();
    let en_days: Vec<String> = days.iter().map(|d| d.to_string()).collect();
    let (s, e) = cfg.business_hours;
    if s == e {
        return (
            format!("{} の終日", ja_days.join("・")),
            format!("all day {}", en_days.join(", ")),
        );
    }
    (
        format!("{} {s}:00〜{e}:00", ja_days.join("・")),
        format!("{} {s:02}:00–{e:02}:00", en_days.join(", ")),
    )
}
