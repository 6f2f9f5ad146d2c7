//! Web proxy access logs (Squid native and combined), seed 001 §4
//! 「Webプロキシサーバにおけるポイント(1/2)(2/2)」.
//!
//! Everything is kept per (client, destination host) pair: host names are
//! interned once, each pair holds counters, first/last times, Welford
//! statistics of the intervals between contacts and a few capped line
//! lists. Per-host facts (indicator match, business domain) are computed
//! when the host is first seen, so a record costs two hash look-ups and
//! some arithmetic.

use std::net::IpAddr;

use chrono::FixedOffset;
use rustc_hash::{FxHashMap, FxHashSet};

use super::config::{Config, Thresholds};
use super::finding::{Finding, Label, MAX_LINES, ObservableKind, Observables, Severity, visible};
use super::matching::{Calendar, DomainSet, UrlIndex};
use super::stats::{
    Millis, Tally, Welford, bytes, count, list, merge_lines, millis, push_line, seconds, span,
    to_utc,
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

/// Hosts named in an explanation.
const SHOWN: usize = 5;

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
    /// POST/PUT, and CONNECT with a recorded request size.
    tally: Tally,
    posts: u64,
    /// Request bodies summed where the log records them.
    bytes: u64,
    sized: u64,
}

/// Statistics of one (client, host) pair.
#[derive(Debug)]
struct Pair {
    requests: u64,
    first: Millis,
    last: Millis,
    /// Separate contacts: requests at least `beacon_min_gap` apart.
    contacts: u32,
    contact_start: Millis,
    latest: Millis,
    intervals: Welford,
    /// The first requests of the pair.
    lines: Vec<At>,
    off_hours: Option<Box<Tally>>,
    upload: Option<Box<Upload>>,
    connect: Option<Box<ConnectHit>>,
    ioc: Option<Box<IocHit>>,
}

impl Pair {
    fn new(t: Millis) -> Self {
        Self {
            requests: 0,
            first: t,
            last: t,
            contacts: 0,
            contact_start: t,
            latest: t,
            intervals: Welford::default(),
            lines: Vec::new(),
            off_hours: None,
            upload: None,
            connect: None,
            ioc: None,
        }
    }

    /// Counts the request and, when it starts a new contact, the interval
    /// since the previous contact started. Requests arriving out of order
    /// (Squid logs at completion) join the current contact.
    #[inline]
    fn record(&mut self, at: At, t: Millis, gap: Millis) {
        if self.requests == 0 {
            self.contacts = 1;
            self.first = t;
            self.last = t;
            self.contact_start = t;
            self.latest = t;
        } else {
            if t >= self.latest + gap {
                self.intervals
                    .push((t - self.contact_start) as f64 / 1000.0);
                self.contacts += 1;
                self.contact_start = t;
            }
            self.latest = self.latest.max(t);
            self.first = self.first.min(t);
            self.last = self.last.max(t);
        }
        self.requests += 1;
        push_line(&mut self.lines, at);
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
    pairs: FxHashMap<(IpAddr, u32), Pair>,
    uas: FxHashMap<Box<str>, u32>,
    ua_info: Vec<UaInfo>,
    ua_uses: FxHashMap<(IpAddr, u32), UaUse>,
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
            pairs: FxHashMap::default(),
            uas: FxHashMap::default(),
            ua_info: Vec::new(),
            ua_uses: FxHashMap::default(),
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
        let info = &self.host_info[host as usize];
        let business = info.business;
        let pair = self
            .pairs
            .entry((r.client, host))
            .or_insert_with(|| Pair::new(t));
        pair.record(at, t, self.gap);

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
                let hit = pair.ioc.get_or_insert_default();
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
                let hit = pair.connect.get_or_insert_default();
                hit.tally.add(at, Some(t));
                hit.denied += u64::from(is_denied(r));
                if hit.ports.len() < 8 && !hit.ports.contains(&r.port) {
                    hit.ports.push(r.port);
                }
            }
            if let (Some(b), false) = (r.request_bytes, business) {
                let up = pair.upload.get_or_insert_default();
                up.tally.add(at, Some(t));
                up.bytes += b;
                up.sized += 1;
            }
        } else if !business
            && (method.eq_ignore_ascii_case("POST") || method.eq_ignore_ascii_case("PUT"))
        {
            let up = pair.upload.get_or_insert_default();
            up.tally.add(at, Some(t));
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
            pair.off_hours.get_or_insert_default().add(at, Some(t));
        }
        if let (Some(ua), false) = (&r.user_agent, self.standard_uas.is_empty()) {
            let (ua, standard) = self.ua_id(ua);
            if !standard {
                let u = self.ua_uses.entry((r.client, ua)).or_default();
                u.tally.add(at, Some(t));
                if u.hosts.len() < MAX_LINES && !u.hosts.contains(&host) {
                    u.hosts.push(host);
                }
            }
        }
    }

    pub fn finish(self, out: &mut Vec<Finding>) {
        let mut off_by_client: FxHashMap<IpAddr, Vec<(&str, &Tally)>> = FxHashMap::default();
        for (&(client, host), pair) in &self.pairs {
            let info = &self.host_info[host as usize];
            if let Some(hit) = &pair.ioc {
                out.push(self.indicator(client, info, hit));
            }
            if let Some(hit) = &pair.connect {
                out.push(self.connect(client, info, hit));
            }
            if let Some(f) = self.beacon(client, info, pair) {
                out.push(f);
            }
            if let Some(f) = pair
                .upload
                .as_ref()
                .and_then(|u| self.upload(client, info, u))
            {
                out.push(f);
            }
            if let Some(off) = &pair.off_hours {
                off_by_client
                    .entry(client)
                    .or_default()
                    .push((&info.name, off));
            }
        }
        for (client, hosts) in off_by_client {
            out.push(self.off_hours(client, hosts));
        }
        for (&(client, ua), u) in &self.ua_uses {
            out.push(self.user_agent(client, &self.ua_info[ua as usize].text, u));
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

    fn indicator(&self, client: IpAddr, info: &HostInfo, hit: &IocHit) -> Finding {
        let host = &*info.name;
        let mut obs = client_and_host(client, host);
        let (what_ja, what_en) = match (&hit.url, &info.ioc) {
            (Some(url), _) => {
                obs.push(ObservableKind::Url, url.as_str());
                (format!("URL {url}"), format!("the URL {url}"))
            }
            (None, Some(Ioc::Domain(d))) if **d == *host => {
                (format!("ドメイン {d}"), format!("the domain {d}"))
            }
            (None, Some(Ioc::Domain(d))) => {
                obs.push(ObservableKind::Domain, &**d);
                (
                    format!("ドメイン {d} のサブドメイン {host}"),
                    format!("{host}, a subdomain of {d}"),
                )
            }
            (None, _) => (
                format!("IP アドレス {host}"),
                format!("the IP address {host}"),
            ),
        };
        let (n, (denied_ja, denied_en)) = (hit.tally.count, denied(hit.denied));
        let (when_ja, when_en) = span(hit.tally.first_seen(), hit.tally.last_seen(), self.offset);
        self.finding(
            INDICATOR,
            Severity::High,
            Label::new("インディケータへの通信", "Request to an indicator"),
            Label::new(
                format!(
                    "クライアント {client} から、脅威情報に登録された{what_ja} への通信が {n} 回ありました\
                     {denied_ja}{when_ja}。\
                     C&C サーバやダウンロードサイトへの通信の可能性があります。"
                ),
                format!(
                    "Client {client} sent {} to {what_en}, listed in threat intelligence{denied_en}{when_en}. \
                     This may be traffic to a C&C server or download site.",
                    count(n, "request", "requests")
                ),
            ),
            &hit.tally,
            obs,
        )
    }

    fn connect(&self, client: IpAddr, info: &HostInfo, hit: &ConnectHit) -> Finding {
        let host = &*info.name;
        let ports: Vec<String> = hit.ports.iter().map(u16::to_string).collect();
        let allowed: Vec<String> = self.connect_ports.iter().map(u16::to_string).collect();
        let (ports, allowed) = (ports.join(", "), allowed.join(", "));
        let (n, (denied_ja, denied_en)) = (hit.tally.count, denied(hit.denied));
        let (when_ja, when_en) = span(hit.tally.first_seen(), hit.tally.last_seen(), self.offset);
        self.finding(
            CONNECT_PORT,
            Severity::Medium,
            Label::new(
                "CONNECT メソッドによる標準外ポートへの通信",
                "CONNECT to a non-standard port",
            ),
            Label::new(
                format!(
                    "クライアント {client} が CONNECT メソッドで {host} のポート {ports}（許可されたポートは {allowed}）へ \
                     {n} 回通信しようとしました{denied_ja}{when_ja}。\
                     HTTP や HTTPS の通信を装って組織外と通信しようとしている可能性があります。"
                ),
                format!(
                    "Client {client} issued {} to {host} on port {ports} (allowed: {allowed}){denied_en}{when_en}. \
                     Malware tunnels its own traffic this way, posing as HTTP or HTTPS.",
                    count(n, "CONNECT request", "CONNECT requests")
                ),
            ),
            &hit.tally,
            client_and_host(client, host),
        )
    }

    fn beacon(&self, client: IpAddr, info: &HostInfo, pair: &Pair) -> Option<Finding> {
        let th = &self.thresholds;
        let span_hours = (pair.last - pair.first) as f64 / 3_600_000.0;
        let cv = pair.intervals.coefficient_of_variation();
        if info.business
            || pair.contacts < th.beacon_min_requests
            || pair.intervals.count() < 2
            || span_hours < th.beacon_min_span_hours
            || cv > th.beacon_max_jitter
        {
            return None;
        }
        let host = &*info.name;
        let (contacts, requests) = (pair.contacts, pair.requests);
        let (mean, sd) = (
            seconds(pair.intervals.mean()),
            seconds(pair.intervals.std_dev()),
        );
        let (when_ja, when_en) = span(to_utc(pair.first), to_utc(pair.last), self.offset);
        let tally = Tally {
            count: pair.requests,
            first: Some(pair.first),
            last: Some(pair.last),
            lines: pair.lines.clone(),
        };
        Some(self.finding(
            BEACONING,
            Severity::Medium,
            Label::new("定期的に発生する HTTP 通信", "Periodic HTTP requests (beaconing)"),
            Label::new(
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
            ),
            &tally,
            client_and_host(client, host),
        ))
    }

    fn upload(&self, client: IpAddr, info: &HostInfo, up: &Upload) -> Option<Finding> {
        let th = &self.thresholds;
        let large = if up.sized > 0 {
            up.bytes >= th.large_post_bytes
        } else {
            up.posts >= th.large_post_count
        };
        if !large {
            return None;
        }
        let host = &*info.name;
        let (n, total) = (up.tally.count, bytes(up.bytes));
        let (when_ja, when_en) = span(up.tally.first_seen(), up.tally.last_seen(), self.offset);
        let (severity, ja, en) = if up.sized > 0 {
            (
                Severity::Medium,
                format!(
                    "クライアント {client} から {host} へ、POST/PUT/CONNECT の {n} 件のリクエストで合計 {total} を\
                     送信しています（しきい値 {}）{when_ja}。機密情報が組織外へ持ち出されている可能性があります。",
                    bytes(th.large_post_bytes)
                ),
                format!(
                    "Client {client} uploaded {total} in total to {host} in {} (POST/PUT/CONNECT; threshold {}){when_en}. \
                     Confidential data may be leaving the organisation.",
                    count(n, "request", "requests"),
                    bytes(th.large_post_bytes)
                ),
            )
        } else {
            let (n, limit) = (up.posts, th.large_post_count);
            (
                Severity::Low,
                format!(
                    "クライアント {client} から {host} へ POST/PUT が {n} 回送信されています（しきい値 {limit} 回。\
                     このログには送信サイズが記録されていません）{when_ja}。\
                     アップロードサイトへ情報が持ち出されている可能性があります。"
                ),
                format!(
                    "Client {client} sent {n} POST/PUT requests to {host} (threshold {limit}; this log does not record \
                     request sizes){when_en}. Data may be being uploaded out of the organisation."
                ),
            )
        };
        Some(self.finding(
            LARGE_UPLOAD,
            severity,
            Label::new(
                "同一の送信先への大量の送信",
                "Large upload to one destination",
            ),
            Label::new(ja, en),
            &up.tally,
            client_and_host(client, host),
        ))
    }

    fn off_hours(&self, client: IpAddr, mut hosts: Vec<(&str, &Tally)>) -> Finding {
        hosts.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(b.0)));
        let mut total = Tally::default();
        for (_, t) in &hosts {
            total.count += t.count;
            total.first = [total.first, t.first].into_iter().flatten().min();
            total.last = [total.last, t.last].into_iter().flatten().max();
        }
        total.lines = merge_lines(hosts.iter().map(|(_, t)| t.lines.as_slice()));
        let ja: Vec<String> = hosts
            .iter()
            .map(|(h, t)| format!("{h}（{} 件）", t.count))
            .collect();
        let en: Vec<String> = hosts
            .iter()
            .map(|(h, t)| format!("{h} ({})", t.count))
            .collect();
        let (ja, en) = (list(&ja, SHOWN).0, list(&en, SHOWN).1);
        let (n, k) = (total.count, hosts.len());
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
            &total,
            obs,
        )
    }

    fn user_agent(&self, client: IpAddr, ua: &str, u: &UaUse) -> Finding {
        let hosts: Vec<String> = u
            .hosts
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
        let n = u.tally.count;
        let (when_ja, when_en) = span(u.tally.first_seen(), u.tally.last_seen(), self.offset);
        let mut obs = Observables::default();
        obs.push(ObservableKind::Ip, client.to_string());
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
                    "クライアント {client} が、組織の標準ブラウザではない User-Agent {shown_ja}で {n} 件通信しました\
                     {when_ja}。通信先: {h_ja}。マルウエアが C&C サーバやダウンロードサイトと通信している可能性があります。"
                ),
                format!(
                    "Client {client} sent {} with the User-Agent {shown_en}, which is not one of the \
                     organisation's standard browsers{when_en}. Destinations: {h_en}. Malware talking to its C&C or \
                     download site often shows up like this.",
                    count(n, "request", "requests")
                ),
            ),
            &u.tally,
            obs,
        )
    }
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

fn client_and_host(client: IpAddr, host: &str) -> Observables {
    let mut obs = Observables::default();
    obs.push(ObservableKind::Ip, client.to_string());
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
