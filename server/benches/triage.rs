//! Log triage throughput (issue 13's budget: ≥ 300 MB/s per core for
//! Squid native, likewise Postfix, BIND and NetScreen), on generated logs:
//! a realistic mix of methods, hosts, status codes and Postfix programs,
//! with a few planted beacons. For each format it prints MB/s of parsing
//! alone and of parsing with every detector (`triage::analyse`), best of
//! three runs on one thread, wall and per CPU-second (the machine may be
//! shared).
//!
//! `cargo bench -p server --bench triage [-- MB]` (default 200 MB each).

use std::hint::black_box;
use std::io::Write as _;

mod measure;

use flate2::Compression;
use flate2::write::GzEncoder;
use server::triage::detect::Config;
use server::triage::parse::{Options, parse};
use server::triage::record::Format;

use measure::Rng;

const HOSTS: &[&str] = &[
    "www.example.com",
    "apt.example.com",
    "cdn.example.net",
    "login.example.org",
    "update.example.jp",
    "static.images.example.co.jp",
    "api.example.io",
    "203.0.113.5",
];
const PATHS: &[&str] = &[
    "/",
    "/index.html",
    "/blog/",
    "/control/apt.zip",
    "/api/v1/items?page=2&sort=desc",
    "/static/js/app.3f9a1c.js",
    "/images/logo.png",
    "/search?q=%E3%83%AD%E3%82%B0&lang=ja",
];
const TYPES: &[&str] = &[
    "text/html",
    "application/javascript",
    "image/png",
    "application/json",
    "-",
    "application/x-zip-compressed",
];

fn squid(rng: &mut Rng, target: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(target + 1024);
    let mut ts = 1_418_663_035u64;
    while out.len() < target {
        ts += rng.below(3);
        let ms = rng.below(1000);
        let elapsed = rng.below(5000);
        let client = format!("192.168.{}.{}", rng.below(8), 1 + rng.below(254));
        let r = rng.below(100);
        let host = rng.pick(HOSTS);
        let (code, method, url) = if r < 12 {
            ("TCP_TUNNEL/200", "CONNECT", format!("{host}:443"))
        } else if r < 14 {
            ("TCP_DENIED/403", "CONNECT", format!("{host}:8089"))
        } else if r < 24 {
            (
                "TCP_MISS/200",
                "POST",
                format!("http://{host}{}", rng.pick(PATHS)),
            )
        } else if r < 60 {
            (
                "TCP_MISS/200",
                "GET",
                format!("http://{host}{}", rng.pick(PATHS)),
            )
        } else if r < 85 {
            (
                "TCP_HIT/200",
                "GET",
                format!("http://{host}{}", rng.pick(PATHS)),
            )
        } else if r < 95 {
            (
                "TCP_REFRESH_UNMODIFIED/304",
                "GET",
                format!("http://{host}{}", rng.pick(PATHS)),
            )
        } else {
            (
                "TCP_MISS/404",
                "GET",
                format!("https://{host}{}", rng.pick(PATHS)),
            )
        };
        let user = if rng.below(10) == 0 { "taro" } else { "-" };
        let hier = if code.starts_with("TCP_HIT") {
            "HIER_NONE/-".to_owned()
        } else {
            format!("HIER_DIRECT/{host}")
        };
        writeln!(
            out,
            "{ts}.{ms:03} {elapsed:>6} {client} {code} {} {method} {url} {user} {hier} {}",
            rng.below(200_000),
            rng.pick(TYPES)
        )
        .unwrap();
    }
    out
}

fn bind(rng: &mut Rng, target: usize) -> Vec<u8> {
    const QTYPES: &[&str] = &["A", "A", "A", "AAAA", "AAAA", "MX", "TXT", "PTR", "SRV"];
    let mut out = Vec::with_capacity(target + 1024);
    let (mut h, mut m, mut s) = (0u64, 0u64, 0u64);
    while out.len() < target {
        s += rng.below(2);
        if s >= 60 {
            s = 0;
            m += 1;
        }
        if m >= 60 {
            m = 0;
            h = (h + 1) % 24;
        }
        let name = rng.pick(HOSTS);
        let client = format!("192.168.{}.{}", rng.below(8), 1 + rng.below(254));
        let port = 1024 + rng.below(60000);
        let qtype = rng.pick(QTYPES);
        if rng.below(2) == 0 {
            writeln!(
                out,
                "16-Dec-2014 {h:02}:{m:02}:{s:02}.{:03} queries: info: client @0x7f1c2c{:06x} {client}#{port} ({name}): query: {name} IN {qtype} +E(0)K (192.168.1.53)",
                rng.below(1000),
                rng.below(1 << 24)
            )
            .unwrap();
        } else {
            writeln!(
                out,
                "16-Dec-2014 {h:02}:{m:02}:{s:02} client {client}#{port}: query: {name} IN {qtype} + (192.168.1.53)"
            )
            .unwrap();
        }
    }
    out
}

fn postfix(rng: &mut Rng, target: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(target + 1024);
    let mut n = 0u64;
    while out.len() < target {
        n += 1;
        let id = format!("{:010X}", rng.next() & 0xff_ffff_ffff);
        let ip = format!("198.51.100.{}", 1 + rng.below(254));
        let t = format!(
            "Dec 16 {:02}:{:02}:{:02}",
            (n / 3600) % 24,
            (n / 60) % 60,
            n % 60
        );
        let pid = 1000 + rng.below(9000);
        // One message's worth of lines.
        writeln!(
            out,
            "{t} mx01 postfix/smtpd[{pid}]: connect from unknown[{ip}]"
        )
        .unwrap();
        writeln!(
            out,
            "{t} mx01 postfix/smtpd[{pid}]: {id}: client=unknown[{ip}]"
        )
        .unwrap();
        writeln!(
            out,
            "{t} mx01 postfix/cleanup[{pid}]: {id}: message-id=<{n}@example.net>"
        )
        .unwrap();
        writeln!(out, "{t} mx01 postfix/cleanup[{pid}]: {id}: warning: header From: \"sample@example.co.jp\" <attack{n}@example.com> from unknown[{ip}]; from=<attack{n}@example.com> to=<user@example.co.jp> proto=ESMTP helo=<[127.0.0.1]>").unwrap();
        if rng.below(4) == 0 {
            writeln!(out, "{t} mx01 postfix/cleanup[{pid}]: {id}: warning: header Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document;? name=\"=?Shift_JIS?B?gXmDfYOLlOmBeozai3GP7pXxgUkuZXhl=?=\" from unknown[{ip}]; from=<attack{n}@example.com> to=<user@example.co.jp> proto=ESMTP helo=<[127.0.0.1]>").unwrap();
        }
        writeln!(out, "{t} mx01 postfix/qmgr[812]: {id}: from=<attack{n}@example.com>, size={}, nrcpt=1 (queue active)", rng.below(100_000)).unwrap();
        writeln!(out, "{t} mx01 postfix/smtpd[{pid}]: disconnect from unknown[{ip}] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5").unwrap();
        writeln!(out, "{t} mx01 postfix/smtp[{pid}]: {id}: to=<user@example.co.jp>, relay=10.0.0.25[10.0.0.25]:25, delay=0.4, delays=0.1/0/0.1/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 8A1B2C3D)").unwrap();
        writeln!(out, "{t} mx01 postfix/qmgr[812]: {id}: removed").unwrap();
    }
    out
}

fn netscreen(rng: &mut Rng, target: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(target + 512);
    let mut t: u64 = 0;
    while out.len() < target {
        t += rng.below(3);
        let (h, m, s) = ((t / 3600) % 24, (t / 60) % 60, t % 60);
        let action = if rng.below(10) == 0 { "Deny" } else { "Permit" };
        let dst_port = [80, 443, 53, 25, 8080, 445][rng.below(6) as usize];
        writeln!(
            out,
            "Dec 16 {h:02}:{m:02}:{s:02} 192.168.0.1 ns208: NetScreen device_id=ns208-master  [Root]system-notification-00257(traffic): start_time=\"2014-12-16 {h:02}:{m:02}:{s:02}\" duration={} policy_id={} service=http proto=6 src zone=Trust dst zone=Untrust action={action} sent={} rcvd={} src=192.168.{}.{} dst=203.0.113.{} src_port={} dst_port={dst_port} src-xlated ip=198.51.100.1 port={} dst-xlated ip=203.0.113.9 port={dst_port} session_id={} reason=Close - TCP FIN",
            rng.below(600),
            rng.below(200),
            rng.below(100_000),
            rng.below(1_000_000),
            rng.below(8),
            1 + rng.below(250),
            1 + rng.below(250),
            1024 + rng.below(60_000),
            1024 + rng.below(60_000),
            rng.below(100_000),
        )
        .unwrap();
    }
    out
}

fn run(name: &str, data: &[u8], format: Format, detectors: bool) {
    let opts = Options {
        format: Some(format),
        year: 2014,
        utc_offset_minutes: 540,
    };
    let ((_, found), mb, rates) = measure::best_of_three(
        || {
            if detectors {
                let (s, findings) =
                    server::triage::analyse(data, &opts, Config::default()).expect("analyse");
                (s.bytes, findings.len())
            } else {
                let s = parse(data, &opts, |at, r| {
                    black_box((at, r));
                })
                .expect("parse");
                (s.bytes, 0)
            }
        },
        |(bytes, _)| *bytes,
    );
    let what = if detectors {
        format!("parse + detectors ({found} findings)")
    } else {
        "parse".to_string()
    };
    println!("triage {name:<16} {mb:>6.1} MB {what:<34} {rates}");
}

fn main() {
    let mb: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200);
    let target = mb * 1_000_000;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let squid_log = squid(&mut rng, target);
    for (name, data, format) in [
        ("squid native", squid_log.clone(), Format::SquidNative),
        ("bind", bind(&mut rng, target), Format::Bind),
        ("postfix", postfix(&mut rng, target), Format::Postfix),
        ("netscreen", netscreen(&mut rng, target), Format::Netscreen),
    ] {
        run(name, &data, format, false);
        run(name, &data, format, true);
    }
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(&squid_log).unwrap();
    let gz = gz.finish().unwrap();
    run("squid, gzip", &gz, Format::SquidNative, true);
}
