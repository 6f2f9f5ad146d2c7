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

use chrono::DateTime;

use crate::triage::record::{Record, Request};

use super::util::{self, Civil};
use super::{LineParser, Outcome};

/// Squid native access.log lines.
pub(crate) struct Native;

/// Seed 001's `logformat combined` lines.
pub(crate) struct Combined;

impl LineParser for Native {
    #[inline]
    fn parse_line(&mut self, line: &[u8]) -> Outcome {
        match native(line) {
            Some(r) => Outcome::Record(Record::Proxy(r)),
            None => Outcome::Unparsed,
        }
    }
}

impl LineParser for Combined {
    fn parse_line(&mut self, line: &[u8]) -> Outcome {
        match combined(line) {
            Some(r) => Outcome::Record(Record::Proxy(r)),
            None => Outcome::Unparsed,
        }
    }
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
        while self.i < self.s.len() && (self.s[self.i] == b' ' || self.s[self.i] == b'\t') {
            self.i += 1;
        }
    }

    /// The next blank-separated token.
    #[inline]
    fn token(&mut self) -> Option<&'a [u8]> {
        self.skip_blanks();
        let start = self.i;
        let rest = &self.s[start..];
        if rest.is_empty() {
            return None;
        }
        let len = blank(rest).unwrap_or(rest.len());
        self.i = start + len;
        Some(&rest[..len])
    }

    /// `[…]` without the brackets.
    fn bracketed(&mut self) -> Option<&'a [u8]> {
        self.skip_blanks();
        if self.s.get(self.i) != Some(&b'[') {
            return None;
        }
        let start = self.i + 1;
        let len = self.s[start..].iter().position(|&b| b == b']')?;
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

/// The first space or tab. Most fields are short, so a plain scan of the
/// first bytes beats memchr's set-up; long ones (URLs) go to memchr.
#[inline]
fn blank(s: &[u8]) -> Option<usize> {
    let head = s.len().min(16);
    if let Some(i) = s[..head].iter().position(|&b| b == b' ' || b == b'\t') {
        return Some(i);
    }
    memchr::memchr2(b' ', b'\t', &s[head..]).map(|i| i + head)
}

/// `None` for `-`.
#[inline]
fn dash_none(v: &[u8]) -> Option<&[u8]> {
    (v != b"-" && !v.is_empty()).then_some(v)
}

/// Host and port of a request; see the module docs.
pub(crate) fn host_port<'a>(method: &[u8], url: &'a [u8]) -> (&'a [u8], u16) {
    let (default, authority) = if method == b"CONNECT" || method.eq_ignore_ascii_case(b"CONNECT") {
        (443, url)
    } else {
        let Some(colon) = memchr::memchr(b':', &url[..url.len().min(8)]) else {
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
    let end = memchr::memchr3(b'/', b'?', b'#', authority).unwrap_or(authority.len());
    let mut auth = &authority[..end];
    if let Some(at) = auth.iter().rposition(|&b| b == b'@') {
        auth = &auth[at + 1..];
    }
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
    match auth.iter().rposition(|&b| b == b':') {
        Some(c) if !auth[..c].contains(&b':') => (
            &auth[..c],
            util::parse_u16(&auth[c + 1..]).unwrap_or(default),
        ),
        _ => (auth, default),
    }
}

/// Makes `String`s of sub-slices of one line, validating the line's UTF-8
/// once rather than per field.
struct Text<'a> {
    line: &'a [u8],
    text: Option<&'a str>,
}

impl<'a> Text<'a> {
    #[inline]
    fn new(line: &'a [u8]) -> Self {
        Self {
            line,
            text: std::str::from_utf8(line).ok(),
        }
    }

    /// `part` is normally a sub-slice of the line; anything else is
    /// converted on its own.
    #[inline]
    fn string(&self, part: &[u8]) -> String {
        if let Some(text) = self.text {
            let start = (part.as_ptr() as usize).wrapping_sub(self.line.as_ptr() as usize);
            if let Some(s) = start
                .checked_add(part.len())
                .and_then(|end| text.get(start..end))
            {
                return s.to_owned();
            }
        }
        util::string(part)
    }

    #[inline]
    fn lower(&self, part: &[u8]) -> String {
        let mut s = self.string(part);
        s.make_ascii_lowercase();
        s
    }
}

/// `result/status` → status (`-`, `000` → 0).
#[inline]
fn status_of(code: &[u8]) -> Option<u16> {
    let slash = code.iter().rposition(|&b| b == b'/')?;
    let s = &code[slash + 1..];
    Some(util::parse_u16(s).unwrap_or(0))
}

#[inline]
fn native(line: &[u8]) -> Option<Request> {
    let mut f = Fields::new(line);
    let ts = f.token()?;
    let elapsed = f.token()?;
    let client = f.token()?;
    let code = f.token()?;
    let bytes = f.token()?;
    let method = f.token()?;
    let url = f.token()?;
    let user = f.token().and_then(dash_none);

    let (secs, frac) = match ts.iter().position(|&b| b == b'.') {
        Some(dot) => (&ts[..dot], util::parse_fraction(&ts[dot + 1..])?),
        None => (ts, 0),
    };
    let time = DateTime::from_timestamp(i64::try_from(util::parse_u64(secs)?).ok()?, frac)?;
    util::parse_u64(elapsed)?;
    let client = util::parse_ip(client)?;
    let status = status_of(code)?;
    let bytes = util::parse_u64(bytes)?;
    let (host, port) = host_port(method, url);
    let t = Text::new(line);
    Some(Request {
        time,
        client,
        method: t.string(method),
        url: t.string(url),
        host: t.lower(host),
        port,
        status,
        bytes,
        request_bytes: None,
        user_agent: None,
        result: t.string(code),
        user: user.map(|u| t.string(u)),
    })
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

fn unescape(v: &[u8]) -> String {
    if !v.contains(&b'\\') {
        return util::string(v);
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
    util::string(&out)
}

fn combined(line: &[u8]) -> Option<Request> {
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
    let result = match squid {
        Some(s) => {
            let code = s.split(|&b| b == b':').next().unwrap_or(s);
            format!("{}/{status}", util::text(code))
        }
        None => String::new(),
    };
    let (host, port) = host_port(method, url);
    Some(Request {
        time,
        client,
        method: util::string(method),
        url: util::string(url),
        host: util::lower_string(host),
        port,
        status,
        bytes,
        request_bytes: None,
        user_agent: agent.map(unescape),
        result,
        user: dash_none(auth)
            .or_else(|| dash_none(ident))
            .map(util::string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(p: &mut impl LineParser, line: &str) -> Request {
        match p.parse_line(line.as_bytes()) {
            Outcome::Record(Record::Proxy(r)) => r,
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
            &mut Native,
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
            &mut Native,
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
                &mut Native,
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
            &mut Native,
            "1418663035.123    245 192.168.1.10 TCP_MISS/200 1234 GET https://WWW.Example.COM:8443/a?b=c taro HIER_DIRECT/203.0.113.5 text/html",
        );
        assert_eq!((r.host.as_str(), r.port), ("www.example.com", 8443));
        assert_eq!(r.user.as_deref(), Some("taro"));
        let r = req(
            &mut Native,
            "1418663035.999      1 10.0.0.7 TCP_TUNNEL/200 5120 CONNECT login.example.net:443 - HIER_DIRECT/198.51.100.1 -",
        );
        assert_eq!((r.host.as_str(), r.port), ("login.example.net", 443));
        let r = req(
            &mut Native,
            "1418663036.000      0 ::1 NONE/400 3900 NONE error:invalid-request - HIER_NONE/- text/html",
        );
        assert_eq!((r.host.as_str(), r.port, r.status), ("", 0, 400));
        let r = req(
            &mut Native,
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
        let mut p = Native;
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
            &mut Combined,
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
            &mut Combined,
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
            &mut Combined,
            r#"10.1.2.3 - - [16/Dec/2014:01:03:55 -0500] "GET https://example.com/ HTTP/1.1" 304 - "-" "-""#,
        );
        assert_eq!((r.status, r.bytes, r.port), (304, 0, 443));
        assert_eq!(r.user_agent, None);
        assert_eq!(r.result, "");
        let mut p = Combined;
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
