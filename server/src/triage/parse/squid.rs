//! Squid access.log: the native format and seed 001's `combined`.
//!
//! Native (seed 001 text lines ~745–750, ~814–822), fields separated by
//! one or more spaces: time (Unix epoch, UTC, with milliseconds), elapsed
//! ms, client, `result/status`, reply bytes, method, URL, user (ident or
//! auth, `-` if none), `hierarchy/peer`, content type:
//!
//! ```text
//! 1424221299.090    452 192.168.10.5 TCP_MISS/200 74769 GET http://apt.example.com/data/apt.zip - DEFAULT_PARENT/113.10.10.10 application/x-zip-compressed
//! 1423528142.737      0 192.168.10.5 TCP_DENIED/403 3641 CONNECT 192.168.20.5:8089 - NONE/- text/html
//! ```
//!
//! Combined (seed 001 text line ~833) is defined in squid.conf as
//! `logformat combined %>a %ui %un [%tl] "%rm %ru HTTP/%rv" %>Hs %<st
//! "%{Referer}>h" "%{User-Agent}>h" %Ss:%Sh`, e.g. (line ~810):
//!
//! ```text
//! 192.168.10.5 - - [12/Feb/2015:13:53:00 +0900] "POST http://apt.example.com/control/apt.zip HTTP/1.1" 200 851 - "Wget/1.12 (linux-gnu)" TCP_MISS:DIRECT
//! ```
//!
//! The seed's sample writes the empty referer as a bare `-`; quoted and
//! bare values are both accepted, and the trailing `%Ss:%Sh` may be
//! missing. For combined lines the record's `result` is rebuilt in the
//! native form `%Ss/%>Hs` (`TCP_MISS/200`) so both formats read alike;
//! `user` is `%un`, else `%ui`.
//!
//! `host` and `port` come from the URL: `host:port` for CONNECT (port 443
//! if absent); otherwise the authority of `scheme://[user@]host[:port]/…`
//! with the scheme's default port (http 80, https 443, ftp 21). A URL
//! without a host (`/path`, `error:invalid-request`) gives host `""` and
//! port 0.

use std::net::{IpAddr, Ipv4Addr};

use chrono::DateTime;

use crate::triage::record::{Record, Request};

use super::util::{self, Civil};
use super::{LineParser, Outcome};

/// Squid native access.log lines.
pub(crate) struct Native {
    slot: Slot,
    clock: util::Clock,
}

/// Seed 001's `logformat combined` lines.
pub(crate) struct Combined {
    slot: Slot,
}

impl Native {
    pub(crate) fn new() -> Self {
        Self {
            slot: Slot::new(),
            clock: util::Clock::default(),
        }
    }
}

impl Combined {
    pub(crate) fn new() -> Self {
        Self { slot: Slot::new() }
    }
}

impl LineParser for Native {
    #[inline]
    fn parse_line(&mut self, line: &[u8]) -> Outcome<'_> {
        match native(line, &mut self.clock, &mut self.slot) {
            Some(()) => Outcome::Record(&self.slot.record),
            None => Outcome::Unparsed,
        }
    }
}

impl LineParser for Combined {
    fn parse_line(&mut self, line: &[u8]) -> Outcome<'_> {
        match combined(line, &mut self.slot) {
            Some(()) => Outcome::Record(&self.slot.record),
            None => Outcome::Unparsed,
        }
    }
}

/// The parser's reusable record: its strings keep their capacity from line
/// to line, so a line allocates nothing once they have grown to size.
struct Slot {
    record: Record,
    /// The `user` buffer while the current line has none.
    spare_user: String,
}

impl Slot {
    fn new() -> Self {
        Self {
            record: Record::Proxy(Request {
                time: DateTime::UNIX_EPOCH,
                client: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                method: String::new(),
                url: String::new(),
                host: String::new(),
                port: 0,
                status: 0,
                bytes: 0,
                request_bytes: None,
                user_agent: None,
                result: String::new(),
                user: None,
            }),
            spare_user: String::new(),
        }
    }

    /// The request and the spare buffer, to fill in place.
    #[inline]
    fn parts(&mut self) -> (&mut Request, &mut String) {
        match &mut self.record {
            Record::Proxy(r) => (r, &mut self.spare_user),
            _ => unreachable!("a proxy parser's slot only ever holds a request"),
        }
    }
}

/// The value of an ASCII digit.
#[inline]
fn digit(b: u8) -> Option<u16> {
    b.is_ascii_digit().then(|| u16::from(b - b'0'))
}

/// Space-separated fields.
struct Fields<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Fields<'a> {
    #[inline]
    fn new(s: &'a [u8]) -> Self {
        Self { s, i: 0 }
    }

    #[inline]
    fn skip_blanks(&mut self) {
        while self.i < self.s.len() && util::is_blank(self.s[self.i]) {
            self.i += 1;
        }
    }

    /// The next blank-separated token. Always inlined: a line has five
    /// such calls, and calling cost about as much as the search.
    #[inline(always)]
    fn token(&mut self) -> Option<&'a [u8]> {
        self.skip_blanks();
        let start = self.i;
        let rest = &self.s[start..];
        if rest.is_empty() {
            return None;
        }
        let len = util::blank(rest).unwrap_or(rest.len());
        self.i = start + len;
        Some(&rest[..len])
    }

    /// The next token as an unsigned decimal number, read in the same pass
    /// that finds its end; `None` unless the token is all digits.
    #[inline]
    fn number(&mut self) -> Option<u64> {
        self.skip_blanks();
        let n = self.digits()?;
        self.at_token_end().then_some(n)
    }

    /// `secs[.fraction]`, Squid's `%ts.%03tu`: (seconds, nanoseconds).
    #[inline]
    fn epoch(&mut self) -> Option<(u64, u32)> {
        self.skip_blanks();
        let secs = self.digits()?;
        let mut nanos = 0;
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            let start = self.i;
            while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
                self.i += 1;
            }
            nanos = util::parse_fraction(&self.s[start..self.i])?;
        }
        self.at_token_end().then_some((secs, nanos))
    }

    /// At least one digit, as many as a `u64` holds. Nineteen digits
    /// cannot overflow, so only longer runs are checked.
    #[inline]
    fn digits(&mut self) -> Option<u64> {
        let start = self.i;
        let mut n: u64 = 0;
        while let Some(d) = self.s.get(self.i).map(|b| b.wrapping_sub(b'0')) {
            if d > 9 {
                break;
            }
            n = n.wrapping_mul(10).wrapping_add(u64::from(d));
            self.i += 1;
        }
        match self.i - start {
            0 => None,
            1..=19 => Some(n),
            _ => util::parse_u64(&self.s[start..self.i]),
        }
    }

    #[inline]
    fn at_token_end(&self) -> bool {
        self.s.get(self.i).is_none_or(|&b| util::is_blank(b))
    }

    /// `[…]` without the brackets.
    fn bracketed(&mut self) -> Option<&'a [u8]> {
        self.skip_blanks();
        if self.s.get(self.i) != Some(&b'[') {
            return None;
        }
        let start = self.i + 1;
        let len = memchr::memchr(b']', &self.s[start..])?;
        self.i = start + len + 1;
        Some(&self.s[start..start + len])
    }

    /// A `"…"` value (backslash escapes kept) or a bare token.
    fn quoted_or_token(&mut self) -> Option<&'a [u8]> {
        self.skip_blanks();
        if self.s.get(self.i) != Some(&b'"') {
            return self.token();
        }
        let start = self.i + 1;
        let mut j = start;
        while j < self.s.len() && self.s[j] != b'"' {
            j += if self.s[j] == b'\\' { 2 } else { 1 };
        }
        let end = j.min(self.s.len());
        self.i = (j + 1).min(self.s.len());
        Some(&self.s[start..end])
    }
}

/// `None` for `-`.
#[inline]
fn dash_none(v: &[u8]) -> Option<&[u8]> {
    (v != b"-" && !v.is_empty()).then_some(v)
}

/// Host and port of a request; see the module docs.
pub(crate) fn host_port<'a>(method: &[u8], url: &'a [u8]) -> (&'a [u8], u16) {
    let (default, authority) = if method.eq_ignore_ascii_case(b"CONNECT") {
        (443, url)
    } else {
        let Some(colon) = url.iter().take(8).position(|&b| b == b':') else {
            return (b"", 0);
        };
        if url.get(colon + 1..colon + 3) != Some(b"//") {
            return (b"", 0);
        }
        let default = match &url[..colon] {
            b"http" | b"ws" => 80,
            b"https" | b"wss" => 443,
            b"ftp" => 21,
            s if s.eq_ignore_ascii_case(b"http") || s.eq_ignore_ascii_case(b"ws") => 80,
            s if s.eq_ignore_ascii_case(b"https") || s.eq_ignore_ascii_case(b"wss") => 443,
            s if s.eq_ignore_ascii_case(b"ftp") => 21,
            _ => 0,
        };
        (default, &url[colon + 3..])
    };
    let (start, end, colon, colons) = authority_bounds(authority);
    let auth = &authority[start..end];
    if auth.first() == Some(&b'[') {
        let Some(close) = memchr::memchr(b']', auth) else {
            return (&auth[1..], default);
        };
        let port = auth[close + 1..]
            .strip_prefix(b":")
            .and_then(util::parse_u16)
            .unwrap_or(default);
        return (&auth[1..close], port);
    }
    match colon {
        Some(c) if colons == 1 => (
            &auth[..c - start],
            util::parse_u16(&auth[c - start + 1..]).unwrap_or(default),
        ),
        _ => (auth, default),
    }
}

/// Where the host part of a URL's authority starts (after any `user@`) and
/// the authority ends (at `/`, `?` or `#`), the last colon after the start
/// and how many colons there are. Eight bytes at a time as in [`blank`]:
/// a word holding none of the five bytes is skipped whole, and host names
/// rarely hold any.
#[inline]
fn authority_bounds(authority: &[u8]) -> (usize, usize, Option<usize>, u32) {
    let any = |w: u64, b: u8| util::zero_bytes(w ^ (util::ONES * u64::from(b)));
    let (mut start, mut colon, mut colons) = (0, None, 0u32);
    let mut at = 0;
    while at < authority.len() {
        let word = authority.get(at..at + 8).map(|c| {
            let w = u64::from_le_bytes(c.try_into().expect("eight bytes"));
            any(w, b'/') | any(w, b'?') | any(w, b'#') | any(w, b'@') | any(w, b':')
        });
        if word == Some(0) {
            at += 8;
            continue;
        }
        // A word with a delimiter, or the tail: byte by byte.
        for (i, &b) in authority.iter().enumerate().skip(at).take(8) {
            match b {
                b'/' | b'?' | b'#' => return (start, i, colon, colons),
                b'@' => (start, colon, colons) = (i + 1, None, 0),
                b':' => (colon, colons) = (Some(i), colons + 1),
                _ => {}
            }
        }
        at += 8;
    }
    (start, authority.len(), colon, colons)
}

/// `result/status` → status (`-`, `000` → 0).
#[inline]
fn status_of(code: &[u8]) -> Option<u16> {
    // Nearly always three digits: read them without searching.
    if let [.., b'/', a, b, c] = *code
        && let (Some(a), Some(b), Some(c)) = (digit(a), digit(b), digit(c))
    {
        return Some(a * 100 + b * 10 + c);
    }
    let slash = code.iter().rposition(|&b| b == b'/')?;
    let s = &code[slash + 1..];
    Some(util::parse_u16(s).unwrap_or(0))
}

/// Fills the slot from a native line; `None` (the slot half-filled, to be
/// overwritten) when the line is not one.
#[inline]
fn native(line: &[u8], clock: &mut util::Clock, slot: &mut Slot) -> Option<()> {
    let mut f = Fields::new(line);
    let (secs, nanos) = f.epoch()?;
    f.number()?; // elapsed
    let client = f.token()?;
    let code = f.token()?;
    let bytes = f.number()?;
    let method = f.token()?;
    let url = f.token()?;
    let user = f.token().and_then(dash_none);

    let (r, spare_user) = slot.parts();
    r.time = clock.utc(i64::try_from(secs).ok()?, nanos)?;
    r.client = util::parse_ip(client)?;
    r.status = status_of(code)?;
    r.bytes = bytes;
    let (host, port) = host_port(method, url);
    // Only the fields copied out need to be UTF-8: validate from the
    // result code to the user, not the numbers and trailing fields.
    let (from, last) = (code, user.unwrap_or(url));
    let start = from.as_ptr() as usize - line.as_ptr() as usize;
    let end = last.as_ptr() as usize - line.as_ptr() as usize + last.len();
    let text = util::LineText::new(&line[start..end]);
    text.set(&mut r.method, method);
    text.set(&mut r.url, url);
    text.set_lower(&mut r.host, host);
    r.port = port;
    r.request_bytes = None;
    r.user_agent = None;
    text.set(&mut r.result, code);
    text.set_opt(&mut r.user, spare_user, user);
    Some(())
}

/// `12/Feb/2015:13:53:00 +0900` → UTC.
fn clf_time(s: &[u8]) -> Option<chrono::DateTime<chrono::Utc>> {
    if s.len() < 26 || s[2] != b'/' || s[6] != b'/' || s[11] != b':' || s[20] != b' ' {
        return None;
    }
    let (hour, minute, second, nanos) = util::parse_hms(&s[12..20])?;
    Civil {
        year: util::parse_u32(&s[7..11])? as i32,
        month: util::month(&s[3..6])?,
        day: util::two(&s[..2])?,
        hour,
        minute,
        second,
        nanos,
    }
    .to_utc(util::parse_offset(&s[21..])?)
}

/// Sets `dst` to the quoted value `v` with its backslash escapes undone.
fn set_unescaped(text: &util::LineText<'_>, dst: &mut String, v: &[u8]) {
    if !v.contains(&b'\\') {
        return text.set(dst, v);
    }
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        if v[i] == b'\\' && i + 1 < v.len() {
            i += 1;
        }
        out.push(v[i]);
        i += 1;
    }
    util::set_string(dst, &out);
}

/// Fills the slot from a combined line, like [`native`].
fn combined(line: &[u8], slot: &mut Slot) -> Option<()> {
    use std::fmt::Write as _;

    let mut f = Fields::new(line);
    let client = util::parse_ip(f.token()?)?;
    let ident = f.token()?;
    let auth = f.token()?;
    let time = clf_time(f.bracketed()?)?;
    let request = f.quoted_or_token()?;
    let status = f.token()?;
    let bytes = f.token()?;
    let _referer = f.quoted_or_token();
    let agent = f.quoted_or_token().and_then(dash_none);
    let squid = f.token();

    let mut r = Fields::new(request);
    let method = r.token()?;
    let url = r.token().unwrap_or_default();
    let status = if status == b"-" {
        0
    } else {
        util::parse_u16(status)?
    };
    let bytes = if bytes == b"-" {
        0
    } else {
        util::parse_u64(bytes)?
    };
    let (host, port) = host_port(method, url);
    let (r, spare_user) = slot.parts();
    let text = util::LineText::new(line);
    r.result.clear();
    if let Some(s) = squid {
        let code = s.split(|&b| b == b':').next().unwrap_or(s);
        // Writing to a String cannot fail.
        let _ = write!(r.result, "{}/{status}", util::text(code));
    }
    r.time = time;
    r.client = client;
    text.set(&mut r.method, method);
    text.set(&mut r.url, url);
    text.set_lower(&mut r.host, host);
    r.port = port;
    r.status = status;
    r.bytes = bytes;
    r.request_bytes = None;
    match agent {
        Some(a) => set_unescaped(&text, r.user_agent.get_or_insert_default(), a),
        None => r.user_agent = None,
    }
    text.set_opt(
        &mut r.user,
        spare_user,
        dash_none(auth).or_else(|| dash_none(ident)),
    );
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(p: &mut impl LineParser, line: &str) -> Request {
        match p.parse_line(line.as_bytes()) {
            Outcome::Record(Record::Proxy(r)) => r.clone(),
            _ => panic!("not a request: {line}"),
        }
    }

    fn ip(s: &str) -> std::net::IpAddr {
        s.parse().unwrap()
    }

    /// Seed 001 lines ~745–747 (the PDF breaks `application/zip-compressed`).
    #[test]
    fn seed_native_get() {
        let r = req(
            &mut Native::new(),
            "1424221299.090 452 192.168.10.5 TCP_MISS/200 74769 GET http://apt.example.com/xxx/xxx/apt.zip - DEFAULT_PARENT/113.10.10.10 application/ zip-compressed",
        );
        assert_eq!(r.time.to_rfc3339(), "2015-02-18T01:01:39.090+00:00");
        assert_eq!(r.client, ip("192.168.10.5"));
        assert_eq!(r.method, "GET");
        assert_eq!(r.url, "http://apt.example.com/xxx/xxx/apt.zip");
        assert_eq!((r.host.as_str(), r.port), ("apt.example.com", 80));
        assert_eq!((r.status, r.bytes), (200, 74769));
        assert_eq!(r.result, "TCP_MISS/200");
        assert_eq!(r.user, None);
        assert_eq!(r.user_agent, None);
    }

    /// Seed 001 lines ~749–750: CONNECT to a port other than 80/443.
    #[test]
    fn seed_native_connect() {
        let r = req(
            &mut Native::new(),
            "1423528142.737 0 192.168.10.5 TCP_DENIED/403 3641 CONNECT 192.168.20.5:8089 - NONE/- text/html",
        );
        assert_eq!(r.method, "CONNECT");
        assert_eq!(r.url, "192.168.20.5:8089");
        assert_eq!((r.host.as_str(), r.port), ("192.168.20.5", 8089));
        assert_eq!(r.status, 403);
        assert_eq!(r.result, "TCP_DENIED/403");
    }

    /// Seed 001 lines ~814–822: periodic POSTs.
    #[test]
    fn seed_native_periodic_post() {
        for ts in ["1424227775.972", "1424314175.972", "1424486975.972"] {
            let r = req(
                &mut Native::new(),
                &format!(
                    "{ts} 21 192.168.10.5 TCP_MISS/200 553 POST http://apt.example.com/blog/ - HIER_DIRECT/apt.example.com text/html"
                ),
            );
            assert_eq!(r.method, "POST");
            assert_eq!(r.bytes, 553);
        }
    }

    #[test]
    fn native_realistic() {
        let r = req(
            &mut Native::new(),
            "1418663035.123    245 192.168.1.10 TCP_MISS/200 1234 GET https://WWW.Example.COM:8443/a?b=c taro HIER_DIRECT/203.0.113.5 text/html",
        );
        assert_eq!((r.host.as_str(), r.port), ("www.example.com", 8443));
        assert_eq!(r.user.as_deref(), Some("taro"));
        let r = req(
            &mut Native::new(),
            "1418663035.999      1 10.0.0.7 TCP_TUNNEL/200 5120 CONNECT login.example.net:443 - HIER_DIRECT/198.51.100.1 -",
        );
        assert_eq!((r.host.as_str(), r.port), ("login.example.net", 443));
        let r = req(
            &mut Native::new(),
            "1418663036.000      0 ::1 NONE/400 3900 NONE error:invalid-request - HIER_NONE/- text/html",
        );
        assert_eq!((r.host.as_str(), r.port, r.status), ("", 0, 400));
        let r = req(
            &mut Native::new(),
            "1418663036 5 10.0.0.7 TCP_MISS_ABORTED/000 0 GET http://user:pw@[2001:db8::1]/x - HIER_DIRECT/2001:db8::1 -",
        );
        assert_eq!((r.host.as_str(), r.port, r.status), ("2001:db8::1", 80, 0));
    }

    #[test]
    fn host_port_cases() {
        assert_eq!(
            host_port(b"GET", b"ftp://ftp.example.org/pub"),
            (&b"ftp.example.org"[..], 21)
        );
        assert_eq!(
            host_port(b"CONNECT", b"example.com"),
            (&b"example.com"[..], 443)
        );
        assert_eq!(
            host_port(b"CONNECT", b"[2001:db8::2]:8443"),
            (&b"2001:db8::2"[..], 8443)
        );
        assert_eq!(
            host_port(b"GET", b"http://example.com?q=1"),
            (&b"example.com"[..], 80)
        );
        assert_eq!(
            host_port(b"GET", b"http://example.com:bad/"),
            (&b"example.com"[..], 80)
        );
        assert_eq!(host_port(b"GET", b"/relative"), (&b""[..], 0));
    }

    #[test]
    fn native_rejects_other_formats() {
        let mut p = Native::new();
        for l in [
            "hello world",
            "192.168.10.5 - - [12/Feb/2015:13:53:00 +0900] \"GET http://x/ HTTP/1.1\" 200 851",
            "Dec 16 01:03:55 mx postfix/qmgr[1]: A: from=<a@b>, size=1, nrcpt=1",
            "1424221299.090 abc 192.168.10.5 TCP_MISS/200 1 GET http://x/",
        ] {
            assert!(
                matches!(p.parse_line(l.as_bytes()), Outcome::Unparsed),
                "{l}"
            );
        }
    }

    /// Seed 001 lines ~810–812.
    #[test]
    fn seed_combined() {
        let r = req(
            &mut Combined::new(),
            "192.168.10.5 - - [12/Feb/2015:13:53:00 +0900] \"POST http://apt.example.com/control/apt.zip HTTP/1.1\" 200 851 - \"Wget/1.12 (linux-gnu)\" TCP_MISS:DIRECT",
        );
        assert_eq!(r.time.to_rfc3339(), "2015-02-12T04:53:00+00:00");
        assert_eq!(r.client, ip("192.168.10.5"));
        assert_eq!(r.method, "POST");
        assert_eq!((r.host.as_str(), r.port), ("apt.example.com", 80));
        assert_eq!((r.status, r.bytes), (200, 851));
        assert_eq!(r.user_agent.as_deref(), Some("Wget/1.12 (linux-gnu)"));
        assert_eq!(r.result, "TCP_MISS/200");
        assert_eq!(r.user, None);
    }

    #[test]
    fn combined_realistic() {
        let r = req(
            &mut Combined::new(),
            r#"10.1.2.3 - hanako [16/Dec/2014:01:03:55 +0900] "CONNECT mail.example.org:587 HTTP/1.1" 200 10240 "-" "Mozilla/5.0 (Windows NT 6.1; \"x\")" TCP_TUNNEL:HIER_DIRECT"#,
        );
        assert_eq!((r.host.as_str(), r.port), ("mail.example.org", 587));
        assert_eq!(r.user.as_deref(), Some("hanako"));
        assert_eq!(
            r.user_agent.as_deref(),
            Some(r#"Mozilla/5.0 (Windows NT 6.1; "x")"#)
        );
        assert_eq!(r.result, "TCP_TUNNEL/200");
        assert_eq!(r.time.to_rfc3339(), "2014-12-15T16:03:55+00:00");
        // Without the Squid codes, with a dash user agent.
        let r = req(
            &mut Combined::new(),
            r#"10.1.2.3 - - [16/Dec/2014:01:03:55 -0500] "GET https://example.com/ HTTP/1.1" 304 - "-" "-""#,
        );
        assert_eq!((r.status, r.bytes, r.port), (304, 0, 443));
        assert_eq!(r.user_agent, None);
        assert_eq!(r.result, "");
        let mut p = Combined::new();
        assert!(matches!(
            p.parse_line(b"10.1.2.3 - - [bad] \"GET / HTTP/1.1\" 200 1"),
            Outcome::Unparsed
        ));
        assert!(matches!(
            p.parse_line(b"10.1.2.3 - - [16/Dec/2014:01:03:55 +0900] \"GET"),
            Outcome::Unparsed
        ));
    }
}
