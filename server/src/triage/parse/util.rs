//! Small byte-slice helpers shared by the parsers: tokenising, number and
//! address parsing, text conversion and local-time → UTC conversion.
//!
//! Everything here works on `&[u8]` so that a line never has to be valid
//! UTF-8 to be looked at, and nothing allocates unless it returns a `String`.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

/// Splits off the first token (bytes up to the next space or tab) after
/// skipping leading blanks; returns `(token, rest)` with `rest` starting at
/// the separator (or empty). `None` when only blanks remain.
#[inline]
pub(crate) fn token(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let s = trim_start(s);
    if s.is_empty() {
        return None;
    }
    let end = s
        .iter()
        .position(|&b| b == b' ' || b == b'\t')
        .unwrap_or(s.len());
    Some((&s[..end], &s[end..]))
}

#[inline]
pub(crate) fn trim_start(s: &[u8]) -> &[u8] {
    let i = s
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(s.len());
    &s[i..]
}

#[inline]
pub(crate) fn trim(s: &[u8]) -> &[u8] {
    s.trim_ascii()
}

/// A substring searcher built once (memchr's `Finder`), for needles looked
/// for on every line: `static X: Needle = Needle::new(b"...");`.
pub(crate) struct Needle {
    needle: &'static [u8],
    fwd: OnceLock<memchr::memmem::Finder<'static>>,
    rev: OnceLock<memchr::memmem::FinderRev<'static>>,
}

impl Needle {
    pub(crate) const fn new(needle: &'static [u8]) -> Self {
        Self {
            needle,
            fwd: OnceLock::new(),
            rev: OnceLock::new(),
        }
    }

    #[inline]
    pub(crate) fn find(&self, hay: &[u8]) -> Option<usize> {
        self.fwd
            .get_or_init(|| memchr::memmem::Finder::new(self.needle))
            .find(hay)
    }

    #[inline]
    pub(crate) fn rfind(&self, hay: &[u8]) -> Option<usize> {
        self.rev
            .get_or_init(|| memchr::memmem::FinderRev::new(self.needle))
            .rfind(hay)
    }

    pub(crate) const fn len(&self) -> usize {
        self.needle.len()
    }
}

/// Position of `needle` in `hay`.
#[inline]
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// Parses an unsigned decimal number made only of ASCII digits.
#[inline]
pub(crate) fn parse_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in s {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    Some(n)
}

#[inline]
pub(crate) fn parse_u32(s: &[u8]) -> Option<u32> {
    parse_u64(s).and_then(|n| u32::try_from(n).ok())
}

#[inline]
pub(crate) fn parse_u16(s: &[u8]) -> Option<u16> {
    parse_u64(s).and_then(|n| u16::try_from(n).ok())
}

/// Nanoseconds from the digits after a decimal point (`"123"` → 123 ms).
/// Digits past the ninth are ignored.
pub(crate) fn parse_fraction(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut n: u32 = 0;
    for i in 0..9 {
        n = n * 10 + s.get(i).map_or(0, |&b| u32::from(b - b'0'));
    }
    Some(n)
}

/// Parses an IPv4 or IPv6 address. IPv4 (the common case in these logs)
/// takes a fast path without UTF-8 validation; IPv4-mapped IPv6
/// (`::ffff:10.0.0.1`, as Windows logs it) comes out as IPv4.
#[inline]
pub(crate) fn parse_ip(s: &[u8]) -> Option<IpAddr> {
    if let Some(v4) = parse_ipv4(s) {
        return Some(IpAddr::V4(v4));
    }
    let text = std::str::from_utf8(s).ok()?;
    // Strip an IPv6 zone (`fe80::1%eth0`) as std does not accept it.
    let text = text.split_once('%').map_or(text, |(a, _)| a);
    match text.parse::<IpAddr>().ok()? {
        IpAddr::V6(v6) => Some(v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)),
        v4 => Some(v4),
    }
}

#[inline]
fn parse_ipv4(s: &[u8]) -> Option<Ipv4Addr> {
    if s.len() < 7 || s.len() > 15 {
        return None;
    }
    let mut octets = [0u8; 4];
    let mut idx = 0;
    let mut val: u32 = 0;
    let mut digits = 0;
    for &b in s {
        if b == b'.' {
            if digits == 0 || idx == 3 {
                return None;
            }
            octets[idx] = val as u8;
            idx += 1;
            val = 0;
            digits = 0;
        } else {
            let d = b.wrapping_sub(b'0');
            if d > 9 || digits == 3 || (digits > 0 && val == 0) {
                return None;
            }
            val = val * 10 + u32::from(d);
            if val > 255 {
                return None;
            }
            digits += 1;
        }
    }
    if idx != 3 || digits == 0 {
        return None;
    }
    octets[3] = val as u8;
    Some(Ipv4Addr::from(octets))
}

/// Text from bytes: borrowed when valid UTF-8, else lossy.
#[inline]
pub(crate) fn text(s: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(s)
}

/// An owned `String` from bytes (lossy UTF-8).
#[inline]
pub(crate) fn string(s: &[u8]) -> String {
    match std::str::from_utf8(s) {
        Ok(t) => t.to_owned(),
        Err(_) => String::from_utf8_lossy(s).into_owned(),
    }
}

/// An owned, ASCII-lower-cased `String` from bytes (lossy UTF-8).
#[inline]
pub(crate) fn lower_string(s: &[u8]) -> String {
    let mut out = string(s);
    out.make_ascii_lowercase();
    out
}

/// Text that may be in a Japanese legacy encoding: UTF-8 when valid, else
/// Shift_JIS (CP932) when that decodes cleanly, else lossy UTF-8. Used for
/// free text fields (mail headers, Windows messages) that Japanese systems
/// often write in CP932.
pub(crate) fn text_ja(s: &[u8]) -> Cow<'_, str> {
    if let Ok(t) = std::str::from_utf8(s) {
        return Cow::Borrowed(t);
    }
    if let Some(t) = encoding_rs::SHIFT_JIS.decode_without_bom_handling_and_without_replacement(s) {
        return Cow::Owned(t.into_owned());
    }
    String::from_utf8_lossy(s)
}

/// `Jan` … `Dec` (any case) → 1 … 12.
#[inline]
pub(crate) fn month(s: &[u8]) -> Option<u32> {
    let [a, b, c] = *s else { return None };
    let m = match [a | 0x20, b | 0x20, c | 0x20] {
        [b'j', b'a', b'n'] => 1,
        [b'f', b'e', b'b'] => 2,
        [b'm', b'a', b'r'] => 3,
        [b'a', b'p', b'r'] => 4,
        [b'm', b'a', b'y'] => 5,
        [b'j', b'u', b'n'] => 6,
        [b'j', b'u', b'l'] => 7,
        [b'a', b'u', b'g'] => 8,
        [b's', b'e', b'p'] => 9,
        [b'o', b'c', b't'] => 10,
        [b'n', b'o', b'v'] => 11,
        [b'd', b'e', b'c'] => 12,
        _ => return None,
    };
    Some(m)
}

/// A civil date and time, as written in a log (local or UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Civil {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nanos: u32,
}

impl Civil {
    /// Converts a local time at `offset_minutes` east of UTC to UTC.
    pub(crate) fn to_utc(self, offset_minutes: i32) -> Option<DateTime<Utc>> {
        let naive = NaiveDate::from_ymd_opt(self.year, self.month, self.day)?.and_hms_nano_opt(
            self.hour,
            self.minute,
            self.second,
            self.nanos,
        )?;
        naive
            .and_utc()
            .checked_sub_signed(TimeDelta::minutes(i64::from(offset_minutes)))
    }
}

/// `HH:MM:SS` with an optional `.fraction`; returns (h, m, s, nanos).
pub(crate) fn parse_hms(s: &[u8]) -> Option<(u32, u32, u32, u32)> {
    if s.len() < 8 || s[2] != b':' || s[5] != b':' {
        return None;
    }
    let h = two(&s[0..2])?;
    let m = two(&s[3..5])?;
    let sec = two(&s[6..8])?;
    let nanos = match s.get(8) {
        None => 0,
        Some(b'.' | b',') => parse_fraction(&s[9..])?,
        Some(_) => return None,
    };
    (h < 24 && m < 60 && sec < 61).then_some((h, m, sec.min(59), nanos))
}

#[inline]
pub(crate) fn two(s: &[u8]) -> Option<u32> {
    match *s {
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
            Some(u32::from(a - b'0') * 10 + u32::from(b - b'0'))
        }
        _ => None,
    }
}

/// `YYYY-MM-DD` → (y, m, d).
pub(crate) fn parse_ymd(s: &[u8]) -> Option<(i32, u32, u32)> {
    if s.len() != 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let y = parse_u32(&s[0..4])? as i32;
    Some((y, two(&s[5..7])?, two(&s[8..10])?))
}

/// `±HHMM` or `±HH:MM` → minutes east of UTC.
pub(crate) fn parse_offset(s: &[u8]) -> Option<i32> {
    let (sign, rest) = match s.first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = match rest.len() {
        4 => (two(&rest[0..2])?, two(&rest[2..4])?),
        5 if rest[2] == b':' => (two(&rest[0..2])?, two(&rest[3..5])?),
        _ => return None,
    };
    Some(sign * (h as i32 * 60 + m as i32))
}

/// RFC 3339 / ISO 8601 with offset or `Z` (`2014-12-16T01:02:01.258399+09:00`,
/// `2014-12-16T01:03:55.1234567Z`), any number of fraction digits.
pub(crate) fn parse_rfc3339(s: &[u8]) -> Option<DateTime<Utc>> {
    if s.len() < 20 || !matches!(s[10], b'T' | b't' | b' ') {
        return None;
    }
    let (year, month, day) = parse_ymd(&s[..10])?;
    let rest = &s[11..];
    let zone_at = rest
        .iter()
        .skip(8)
        .position(|&b| matches!(b, b'Z' | b'z' | b'+' | b'-'))?
        + 8;
    let (hour, minute, second, nanos) = parse_hms(&rest[..zone_at])?;
    let zone = &rest[zone_at..];
    let offset = if zone.eq_ignore_ascii_case(b"z") {
        0
    } else {
        parse_offset(zone)?
    };
    Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
        nanos,
    }
    .to_utc(offset)
}

/// Keeps at most `max_chars` characters of (lossy) text.
pub(crate) fn truncate_chars(s: &[u8], max_chars: usize) -> String {
    let head = &s[..s.len().min(max_chars * 4)];
    let t = String::from_utf8_lossy(head);
    match t.char_indices().nth(max_chars) {
        Some((i, _)) => t[..i].to_owned(),
        None => t.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_fast_path() {
        assert_eq!(
            parse_ip(b"192.168.100.5"),
            Some("192.168.100.5".parse().unwrap())
        );
        assert_eq!(parse_ip(b"0.0.0.0"), Some("0.0.0.0".parse().unwrap()));
        assert_eq!(parse_ip(b"256.1.1.1"), None);
        assert_eq!(parse_ip(b"1.2.3"), None);
        assert_eq!(parse_ip(b"01.2.3.4"), None);
        assert_eq!(parse_ip(b"1..3.4"), None);
        assert_eq!(
            parse_ip(b"::ffff:10.0.0.5"),
            Some("10.0.0.5".parse().unwrap())
        );
        assert_eq!(
            parse_ip(b"2001:db8::1"),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(parse_ip(b"fe80::1%eth0"), Some("fe80::1".parse().unwrap()));
        assert_eq!(parse_ip(b"-"), None);
        assert_eq!(parse_ip(b"\xff\xfe"), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_u64(b"74769"), Some(74769));
        assert_eq!(parse_u64(b""), None);
        assert_eq!(parse_u64(b"12a"), None);
        assert_eq!(parse_u64(b"99999999999999999999"), None);
        assert_eq!(parse_u16(b"65536"), None);
        assert_eq!(parse_fraction(b"090"), Some(90_000_000));
        assert_eq!(parse_fraction(b"1234567"), Some(123_456_700));
        assert_eq!(parse_fraction(b"1234567891234"), Some(123_456_789));
    }

    #[test]
    fn times() {
        let t = parse_rfc3339(b"2014-12-16T01:02:01.258399+09:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2014-12-15T16:02:01.258399+00:00");
        let t = parse_rfc3339(b"2014-12-16T01:03:55.1234567Z").unwrap();
        assert_eq!(t.timestamp_subsec_nanos(), 123_456_700);
        assert!(parse_rfc3339(b"2014-13-16T01:03:55Z").is_none());
        assert_eq!(parse_offset(b"+0900"), Some(540));
        assert_eq!(parse_offset(b"-05:30"), Some(-330));
        assert_eq!(month(b"Dec"), Some(12));
        assert_eq!(month(b"xyz"), None);
        let c = Civil {
            year: 2014,
            month: 12,
            day: 16,
            hour: 1,
            minute: 3,
            second: 55,
            nanos: 0,
        };
        assert_eq!(
            c.to_utc(540).unwrap().to_rfc3339(),
            "2014-12-15T16:03:55+00:00"
        );
    }

    #[test]
    fn truncation_is_char_safe() {
        let s = "あ".repeat(300);
        assert_eq!(truncate_chars(s.as_bytes(), 200).chars().count(), 200);
        assert_eq!(truncate_chars(b"abc\xff", 200), "abc\u{fffd}");
    }

    #[test]
    fn legacy_japanese_text() {
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("顧客情報");
        assert_eq!(text_ja(&sjis), "顧客情報");
        assert_eq!(text_ja("顧客".as_bytes()), "顧客");
    }
}
