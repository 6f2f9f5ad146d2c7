//! Juniper NetScreen / SSG (ScreenOS) traffic log, as forwarded to syslog.
//!
//! Seed 001 (text lines ~688–700) shows, after an rsyslog RFC 3339 prefix:
//!
//! ```text
//! 2014-12-16T01:02:01.258399+09:00 192.168.1.1 ns208-master: NetScreen device_id=ns208-master [Root]system-notification-00257(traffic): start_time="2014-12-16 00:11:15" duration=0 policy_id=36 service=http proto=6 src zone=SHANAI dst zone=Untrust action=Deny sent=0 rcvd=0 src=192.168.100.21 dst=23.23.10.10 src_port=58461 dst_port=80 session_id=0
//! ```
//!
//! The body is `key=value` pairs; `src zone` / `dst zone` have a space in
//! the key, `start_time` is quoted, and other ScreenOS fields
//! (`src-xlated ip=… port=…`, `icmp type=8`, `reason=Close - TCP FIN`) may
//! follow and are skipped. Any prefix before `NetScreen device_id=` is
//! accepted (BSD or RFC 3339 syslog, or none).
//!
//! The record's time is `start_time` (the device's local time, converted
//! with [`Options::utc_offset_minutes`]); when it is missing, the syslog
//! stamp. Other NetScreen messages (admin logins, `system-warning-…`) are
//! ignored; lines without `NetScreen device_id=` are unparsed.

use std::net::{IpAddr, Ipv4Addr};

use crate::triage::record::{Record, Traffic};

use super::syslog::{self, YearTracker};
use super::util::{self, Civil, Needle};
use super::{LineParser, Options, Outcome};

static NETSCREEN: Needle = Needle::new(b"NetScreen device_id=");
static TRAFFIC: Needle = Needle::new(b"(traffic):");

pub(crate) struct Parser {
    years: YearTracker,
    clock: util::Clock,
    offset: i32,
    /// The reusable record lent for each traffic line (see
    /// [`Outcome::Record`]).
    slot: Record,
}

impl Parser {
    pub(crate) fn new(opts: &Options) -> Self {
        let any = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
        Self {
            years: YearTracker::new(opts.year),
            clock: util::Clock::default(),
            offset: opts.utc_offset_minutes,
            slot: Record::Firewall(Traffic {
                time: None,
                action: String::new(),
                src_zone: String::new(),
                dst_zone: String::new(),
                src: any,
                dst: any,
                src_port: None,
                dst_port: None,
                service: String::new(),
                sent_bytes: None,
                received_bytes: None,
            }),
        }
    }
}

/// Calls `f(key, value)` for each `key=value` pair in `s`. `src zone=` and
/// `dst zone=` come out as keys `src zone` and `dst zone`; a quoted value
/// runs to its closing quote. Words and values are found eight bytes at a
/// time (a traffic line is some twenty pairs).
fn pairs<'a>(s: &'a [u8], mut f: impl FnMut(&'a [u8], &'a [u8])) {
    let mut rest = s;
    let mut prev_word: &[u8] = b"";
    loop {
        rest = trim_spaces(rest);
        if rest.is_empty() {
            return;
        }
        let end = find_byte2(rest, b' ', b'=').unwrap_or(rest.len());
        if rest.get(end) != Some(&b'=') {
            (prev_word, rest) = rest.split_at(end);
            continue;
        }
        let mut key = &rest[..end];
        if key == b"zone" {
            match prev_word {
                b"src" => key = b"src zone",
                b"dst" => key = b"dst zone",
                _ => {}
            }
        }
        let after = &rest[end + 1..];
        let value = if let Some(quoted) = after.strip_prefix(b"\"") {
            let len = memchr::memchr(b'"', quoted).unwrap_or(quoted.len());
            rest = quoted.get(len + 1..).unwrap_or_default();
            &quoted[..len]
        } else {
            let len = find_byte2(after, b' ', b' ').unwrap_or(after.len());
            rest = &after[len..];
            &after[..len]
        };
        f(key, value);
        prev_word = b"";
    }
}

#[inline]
fn trim_spaces(s: &[u8]) -> &[u8] {
    let i = s.iter().position(|&b| b != b' ').unwrap_or(s.len());
    &s[i..]
}

/// The first `a` or `b` in `s`, eight bytes at a time as in
/// [`util::blank`].
#[inline]
fn find_byte2(s: &[u8], a: u8, b: u8) -> Option<usize> {
    let (wa, wb) = (util::ONES * u64::from(a), util::ONES * u64::from(b));
    let mut chunks = s.chunks_exact(8);
    let mut at = 0;
    for chunk in chunks.by_ref() {
        let w = u64::from_le_bytes(chunk.try_into().expect("chunks of eight"));
        let hits = util::zero_bytes(w ^ wa) | util::zero_bytes(w ^ wb);
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == a || c == b)
        .map(|i| at + i)
}

/// `2014-12-16 00:11:15` (local).
fn start_time(v: &[u8]) -> Option<Civil> {
    let (year, month, day) = util::parse_ymd(v.get(..10)?)?;
    if v.get(10) != Some(&b' ') {
        return None;
    }
    let (hour, minute, second, nanos) = util::parse_hms(&v[11..])?;
    Some(Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
        nanos,
    })
}

impl LineParser for Parser {
    fn parse_line(&mut self, line: &[u8]) -> Outcome<'_> {
        let Some(pos) = NETSCREEN.find(line) else {
            return Outcome::Unparsed;
        };
        let body = &line[pos..];
        let Some(t) = TRAFFIC.find(body) else {
            return Outcome::Ignored;
        };
        let kv = &body[t + TRAFFIC.len()..];

        let (mut src, mut dst, mut src_port, mut dst_port) = (None, None, None, None);
        let (mut action, mut service, mut src_zone, mut dst_zone): (&[u8], &[u8], &[u8], &[u8]) =
            (b"", b"", b"", b"");
        let (mut sent, mut rcvd, mut start) = (None, None, None);
        pairs(kv, |k, v| match k {
            b"start_time" => start = start_time(v),
            b"service" => service = v,
            b"src zone" => src_zone = v,
            b"dst zone" => dst_zone = v,
            b"action" => action = v,
            b"sent" => sent = util::parse_u64(v),
            b"rcvd" => rcvd = util::parse_u64(v),
            b"src" => src = util::parse_ip(v),
            b"dst" => dst = util::parse_ip(v),
            b"src_port" => src_port = util::parse_u16(v),
            b"dst_port" => dst_port = util::parse_u16(v),
            _ => {}
        });
        let (Some(src), Some(dst)) = (src, dst) else {
            return Outcome::Unparsed;
        };
        let time = match start {
            Some(c) => self.clock.local(c, self.offset),
            None => syslog::stamp(line)
                .and_then(|(s, _)| self.years.resolve(s, self.offset, &mut self.clock)),
        };
        let Record::Firewall(t) = &mut self.slot else {
            unreachable!("the NetScreen parser's slot only ever holds traffic")
        };
        // The fields are a few short words of a long line: validating
        // each is cheaper than validating the line.
        t.time = time;
        util::set_string(&mut t.action, action);
        t.action.make_ascii_lowercase();
        util::set_string(&mut t.src_zone, src_zone);
        util::set_string(&mut t.dst_zone, dst_zone);
        t.src = src;
        t.dst = dst;
        t.src_port = src_port;
        t.dst_port = dst_port;
        util::set_string(&mut t.service, service);
        t.sent_bytes = sent;
        t.received_bytes = rcvd;
        Outcome::Record(&self.slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Options {
        Options {
            format: None,
            year: 2014,
            utc_offset_minutes: 540,
        }
    }

    fn traffic(line: &str) -> Traffic {
        match Parser::new(&opts()).parse_line(line.as_bytes()) {
            Outcome::Record(Record::Firewall(t)) => t.clone(),
            _ => panic!("not traffic: {line}"),
        }
    }

    /// Seed 001 lines ~689–694, redactions filled in.
    #[test]
    fn seed_outbound_deny() {
        let t = traffic(
            "2014-12-16T01:02:01.258399+09:00 192.168.1.1 ns208-master: NetScreen device_id=ns208-master [Root]system-notification-00257(traffic): start_time=\"2014-12-16 00:11:15\" duration=0 policy_id=36 service=http proto=6 src zone=SHANAI dst zone=Untrust action=Deny sent=0 rcvd=0 src=192.168.100.21 dst=23.23.10.10 src_port=58461 dst_port=80 session_id=0",
        );
        assert_eq!(t.time, Some("2014-12-15T15:11:15Z".parse().unwrap()));
        assert_eq!(t.action, "deny");
        assert_eq!(t.src_zone, "SHANAI");
        assert_eq!(t.dst_zone, "Untrust");
        assert_eq!(t.src, "192.168.100.21".parse::<std::net::IpAddr>().unwrap());
        assert_eq!(t.dst, "23.23.10.10".parse::<std::net::IpAddr>().unwrap());
        assert_eq!((t.src_port, t.dst_port), (Some(58461), Some(80)));
        assert_eq!(t.service, "http");
        assert_eq!((t.sent_bytes, t.received_bytes), (Some(0), Some(0)));
    }

    /// Seed 001 lines ~696–701: segment to segment, `service=-`.
    #[test]
    fn seed_inter_segment_deny() {
        let t = traffic(
            "2014-12-16T01:01:55.711749+09:00 192.168.1.2 ns20x-master: NetScreen device_id=ns20x-master [Root]system-notification-00257(traffic): start_time=\"2014-12-16 00:11:10\" duration=0 policy_id=38 service=- proto=17 src zone=SHANAI dst zone=INTRA action=Deny sent=0 rcvd=0 src=192.168.100.21 dst=192.168.200.5 src_port=2562 dst_port=8089 session_id=0",
        );
        assert_eq!(t.service, "-");
        assert_eq!(t.dst_zone, "INTRA");
        assert_eq!(t.dst_port, Some(8089));
    }

    #[test]
    fn permit_with_xlate_and_reason_bsd_prefix() {
        let t = traffic(
            "Dec 16 01:03:55 10.0.0.1 ssg140: NetScreen device_id=ssg140  [Root]system-notification-00257(traffic): start_time=\"2014-12-16 01:03:50\" duration=5 policy_id=4 service=https proto=6 src zone=Trust dst zone=Untrust action=Permit sent=1834 rcvd=5120 src=10.1.2.3 dst=203.0.113.5 src_port=50123 dst_port=443 src-xlated ip=198.51.100.2 port=40001 dst-xlated ip=203.0.113.5 port=443 session_id=12345 reason=Close - TCP FIN",
        );
        assert_eq!(t.action, "permit");
        assert_eq!(t.src_zone, "Trust");
        assert_eq!(t.src, "10.1.2.3".parse::<std::net::IpAddr>().unwrap());
        assert_eq!(t.src_port, Some(50123));
        assert_eq!(t.sent_bytes, Some(1834));
        assert_eq!(t.received_bytes, Some(5120));
    }

    #[test]
    fn icmp_without_ports_and_time_fallback() {
        let t = traffic(
            "Dec 16 01:03:55 10.0.0.1 ssg: NetScreen device_id=ssg [Root]system-notification-00257(traffic): duration=0 policy_id=2 service=icmp proto=1 src zone=Trust dst zone=Untrust action=Permit sent=84 rcvd=84 src=10.0.0.5 dst=8.8.8.8 icmp type=8 icmp code=0 session_id=9",
        );
        assert_eq!((t.src_port, t.dst_port), (None, None));
        assert_eq!(t.time, Some("2014-12-15T16:03:55Z".parse().unwrap()));
    }

    #[test]
    fn other_lines() {
        let mut p = Parser::new(&opts());
        assert!(matches!(
            p.parse_line(b"Dec 16 01:03:55 10.0.0.1 ssg: NetScreen device_id=ssg [Root]system-warning-00518: Admin user netscreen login attempt for Web(http) management (port 80) from 10.0.0.9:1234 failed."),
            Outcome::Ignored
        ));
        assert!(matches!(p.parse_line(b"hello"), Outcome::Unparsed));
        assert!(matches!(
            p.parse_line(b"NetScreen device_id=x [Root]system-notification-00257(traffic): src=bad dst=1.2.3.4"),
            Outcome::Unparsed
        ));
        // Unterminated quote, junk bytes: no panic.
        let _ = p.parse_line(b"NetScreen device_id=x (traffic): start_time=\"2014-12-16 \xff");
        let _ = p.parse_line(b"NetScreen device_id=x (traffic): zone= =");
    }
}
