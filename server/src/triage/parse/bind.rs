//! BIND 9 query log (`category queries` to a file with `print-time yes`).
//!
//! Seed 001 (text line ~870) shows the BIND 9.9 form, with the PDF's
//! redaction leaving a space before `#`:
//!
//! ```text
//! 16-Dec-2014 01:03:55 client 192.168.100.5 #47197: query: apt.example.com IN A + (192.168.1.53)
//! ```
//!
//! Also accepted: `client 192.168.100.5#47197 (apt.example.com): query: …`
//! (9.9+, name in parentheses), the 9.11+ form with category, severity
//! and client object
//! `16-Dec-2014 01:03:55.123 queries: info: client @0x7f1c2c0f4e30 192.168.100.5#47197 (www.example.com): query: www.example.com IN A +E(0)K (192.168.1.1)`,
//! `view NAME: ` before `query:`, the refusal form `query (cache)
//! 'name/TYPE/IN' denied`, lines without a time (`print-time no`) and
//! lines sent to syslog (`Dec 16 01:03:55 ns1 named[812]: client …`).
//!
//! The time is local ([`Options::utc_offset_minutes`]). Names are
//! lower-cased and lose their trailing dot (the root stays `.`). Other
//! `named` syslog lines are ignored; lines that are neither are unparsed.

use std::net::{IpAddr, Ipv4Addr};

use crate::triage::record::{Query, Record};

use super::syslog::{self, YearTracker};
use super::util::{self, Civil, Needle};
use super::{LineParser, Options, Outcome};

static CLIENT: Needle = Needle::new(b"client ");
static QUERY: Needle = Needle::new(b"query: ");
static DENIED: Needle = Needle::new(b"query (cache) '");

pub(crate) struct Parser {
    years: YearTracker,
    clock: util::Clock,
    offset: i32,
    /// The reusable record lent for each query (see [`Outcome::Record`]).
    slot: Record,
}

impl Parser {
    pub(crate) fn new(opts: &Options) -> Self {
        Self {
            years: YearTracker::new(opts.year),
            clock: util::Clock::default(),
            offset: opts.utc_offset_minutes,
            slot: Record::Dns(Query {
                time: None,
                client: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                client_port: None,
                name: String::new(),
                qtype: String::new(),
            }),
        }
    }
}

/// `16-Dec-2014 01:03:55[.123]` → (time, rest).
fn bind_time(s: &[u8]) -> Option<(Civil, &[u8])> {
    let dash = s.iter().take(3).position(|&b| b == b'-')?;
    let day = match dash {
        1 => u32::from(s[0].checked_sub(b'0').filter(|d| *d <= 9)?),
        2 => util::two(&s[..2])?,
        _ => return None,
    };
    let s = &s[dash + 1..];
    let month = util::month(s.get(..3)?)?;
    if s.get(3) != Some(&b'-') || s.get(8) != Some(&b' ') {
        return None;
    }
    let year = util::parse_u32(&s[4..8])? as i32;
    let rest = &s[9..];
    let end = rest.iter().position(|&b| b == b' ').unwrap_or(rest.len());
    let (hour, minute, second, nanos) = util::parse_hms(&rest[..end])?;
    Some((
        Civil {
            year,
            month,
            day,
            hour,
            minute,
            second,
            nanos,
        },
        &rest[end..],
    ))
}

/// Lower-case, trailing dot removed (the root stays `.`).
fn set_qname(dst: &mut String, name: &[u8]) {
    let name = match name {
        [rest @ .., b'.'] if !rest.is_empty() => rest,
        n => n,
    };
    util::set_string(dst, name);
    dst.make_ascii_lowercase();
}

/// The `client …` part: address, port, and what follows.
fn client(s: &[u8]) -> Option<(IpAddr, Option<u16>, &[u8])> {
    let (mut tok, mut rest) = util::token(s)?;
    if tok.first() == Some(&b'@') {
        (tok, rest) = util::token(rest)?;
    }
    // `addr#port` or, in seed 001, `addr #port`.
    let (addr, port, rest) = match tok.iter().position(|&b| b == b'#') {
        Some(h) => (&tok[..h], &tok[h + 1..], rest),
        None => {
            let (p, r) = util::token(rest)?;
            let p = p.strip_prefix(b"#")?;
            (tok, p, r)
        }
    };
    let addr = util::parse_ip(addr)?;
    let port = port.strip_suffix(b":").unwrap_or(port);
    Some((addr, util::parse_u16(port), rest))
}

impl LineParser for Parser {
    fn parse_line(&mut self, line: &[u8]) -> Outcome<'_> {
        let (time, body) = if let Some((c, rest)) = bind_time(line) {
            (self.clock.local(c, self.offset), rest)
        } else if line.starts_with(b"client ") || line.starts_with(b"queries: ") {
            (None, line)
        } else if let Some(sl) = syslog::split(line) {
            if sl.program != b"named" {
                return Outcome::Other;
            }
            (
                self.years.resolve(sl.stamp, self.offset, &mut self.clock),
                sl.msg,
            )
        } else {
            return Outcome::Unparsed;
        };
        let Some(c) = CLIENT.find(body) else {
            return Outcome::Ignored;
        };
        let Some((client, client_port, rest)) = client(&body[c + CLIENT.len()..]) else {
            return Outcome::Unparsed;
        };
        let (name, qtype) = if let Some(q) = QUERY.find(rest) {
            let mut t = &rest[q + QUERY.len()..];
            let Some((name, r)) = util::token(t) else {
                return Outcome::Unparsed;
            };
            t = r;
            let Some((_class, r)) = util::token(t) else {
                return Outcome::Unparsed;
            };
            let Some((qtype, _)) = util::token(r) else {
                return Outcome::Unparsed;
            };
            (name, qtype)
        } else if let Some(q) = DENIED.find(rest) {
            // `query (cache) 'name/TYPE/IN' denied`
            let t = &rest[q + DENIED.len()..];
            let Some(end) = t.iter().position(|&b| b == b'\'') else {
                return Outcome::Unparsed;
            };
            let mut parts = t[..end].rsplitn(3, |&b| b == b'/');
            let (_class, qtype, name) = (parts.next(), parts.next(), parts.next());
            match (qtype, name) {
                (Some(qt), Some(n)) => (n, qt),
                _ => return Outcome::Unparsed,
            }
        } else {
            return Outcome::Ignored;
        };
        let Record::Dns(q) = &mut self.slot else {
            unreachable!("the BIND parser's slot only ever holds a query")
        };
        q.time = time;
        q.client = client;
        q.client_port = client_port;
        set_qname(&mut q.name, name);
        util::set_string(&mut q.qtype, qtype);
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

    fn query(line: &str) -> Query {
        match Parser::new(&opts()).parse_line(line.as_bytes()) {
            Outcome::Record(Record::Dns(q)) => q.clone(),
            _ => panic!("not a query: {line}"),
        }
    }

    /// Seed 001 lines ~870–871, with the seed's space before `#`.
    #[test]
    fn seed_query() {
        let q = query(
            "16-Dec-2014 01:03:55 client 192.168.100.5 #47197: query: apt.example.com IN A + (192.168.1.53)",
        );
        assert_eq!(q.time, Some("2014-12-15T16:03:55Z".parse().unwrap()));
        assert_eq!(
            q.client,
            "192.168.100.5".parse::<std::net::IpAddr>().unwrap()
        );
        assert_eq!(q.client_port, Some(47197));
        assert_eq!(q.name, "apt.example.com");
        assert_eq!(q.qtype, "A");
        // …and without the space.
        let q = query(
            "16-Dec-2014 01:03:55 client 192.168.100.5#47197: query: apt.example.com IN A + (192.168.1.53)",
        );
        assert_eq!(q.client_port, Some(47197));
    }

    #[test]
    fn newer_forms() {
        let q = query(
            "16-Dec-2014 01:03:55.123 queries: info: client @0x7f1c2c0f4e30 192.168.100.5#47197 (WWW.Example.COM.): query: WWW.Example.COM. IN AAAA +E(0)K (192.168.1.1)",
        );
        assert_eq!(q.time, Some("2014-12-15T16:03:55.123Z".parse().unwrap()));
        assert_eq!(q.name, "www.example.com");
        assert_eq!(q.qtype, "AAAA");
        let q = query(
            "16-Dec-2014 01:03:55.123 client 2001:db8::5#5353 (x.example.jp): view internal: query: x.example.jp IN TXT -ED (2001:db8::53)",
        );
        assert_eq!(q.client, "2001:db8::5".parse::<std::net::IpAddr>().unwrap());
        assert_eq!(q.qtype, "TXT");
        let q = query("client 10.0.0.5#1234 (.): query: . IN NS + (10.0.0.53)");
        assert_eq!((q.time, q.name.as_str()), (None, "."));
        let q = query(
            "Dec 16 01:03:55 ns1 named[812]: client 10.0.0.5#1234 (evil.example): query (cache) 'evil.example/A/IN' denied",
        );
        assert_eq!(q.time, Some("2014-12-15T16:03:55Z".parse().unwrap()));
        assert_eq!((q.name.as_str(), q.qtype.as_str()), ("evil.example", "A"));
        let q = query("6-Jan-2015 23:59:59 client 10.0.0.5#1234: query: a.example IN MX +");
        assert_eq!(q.time, Some("2015-01-06T14:59:59Z".parse().unwrap()));
    }

    #[test]
    fn others() {
        let mut p = Parser::new(&opts());
        assert!(matches!(
            p.parse_line(
                b"Dec 16 01:03:55 ns1 named[812]: zone example.jp/IN: loaded serial 2014121601"
            ),
            Outcome::Ignored
        ));
        assert!(matches!(
            p.parse_line(b"Dec 16 01:03:55 ns1 sshd[1]: Accepted publickey"),
            Outcome::Other
        ));
        for l in [
            &b"garbage"[..],
            b"16-Dec-2014 01:03:55 client nonsense: query: x IN A",
            b"16-Dec-2014 01:03:55 client 10.0.0.5#1: query: x",
            b"\xff\xfe16-Dec",
        ] {
            assert!(matches!(p.parse_line(l), Outcome::Unparsed));
        }
    }
}
