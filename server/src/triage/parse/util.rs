//! Small byte-slice helpers shared by the parsers: tokenising, number and
//! address parsing, text conversion and local-time → UTC conversion.
//!
//! Everything here works on `&[u8]` so that a line never has to be valid
//! UTF-8 to be looked at, and nothing allocates unless it returns a `String`.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::OnceLock;

use chrono::{DateTime, Datelike as _, NaiveDate, NaiveTime, TimeDelta, Utc};

/// Splits off the first token (bytes up to the next space or tab) after
/// skipping leading blanks; returns `(token, rest)` with `rest` starting at
/// the separator (or empty). `None` when only blanks remain.
#[inline]
pub(crate) fn token(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let s = trim_start(s);
    if s.is_empty() {
        return None;
    }
    Some(s.split_at(blank(s).unwrap_or(s.len())))
}

#[inline]
pub(crate) fn trim_start(s: &[u8]) -> &[u8] {
    let i = s.iter().position(|&b| !is_blank(b)).unwrap_or(s.len());
    &s[i..]
}

/// A space or a tab.
#[inline]
pub(crate) fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `0x01` in every byte of a word.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of every zero byte of `x`, and possibly of bytes above a
/// zero byte (borrows), so only the lowest flag is exact: the classic
/// `(x - 0x01…) & !x & 0x80…` test.
#[inline]
pub(crate) fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & 0x8080_8080_8080_8080
}

/// The first space or tab, eight bytes at a time: each word is XORed with
/// the separator so that a match becomes a zero byte, which the classic
/// `(x - 0x01…) & !x & 0x80…` test flags. Borrows can only flag bytes
/// above a true zero, so the lowest flag is always the first match.
#[inline]
pub(crate) fn blank(s: &[u8]) -> Option<usize> {
    const SPACES: u64 = ONES * b' ' as u64;
    const TABS: u64 = ONES * b'\t' as u64;
    let mut chunks = s.chunks_exact(8);
    let mut at = 0;
    for chunk in chunks.by_ref() {
        let w = u64::from_le_bytes(chunk.try_into().expect("chunks of eight"));
        let hits = zero_bytes(w ^ SPACES) | zero_bytes(w ^ TABS);
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| is_blank(b))
        .map(|i| at + i)
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
}

impl Needle {
    pub(crate) const fn new(needle: &'static [u8]) -> Self {
        Self {
            needle,
            fwd: OnceLock::new(),
        }
    }

    /// The first occurrence. The needles sit near the start of the
    /// part searched, or their first byte is rare there, so a few
    /// vector-searched occurrences of the first byte are tried before
    /// setting up a substring search.
    #[inline]
    pub(crate) fn find(&self, hay: &[u8]) -> Option<usize> {
        let (&first, _) = self.needle.split_first()?;
        let mut from = 0;
        for _ in 0..4 {
            let i = from + memchr::memchr(first, &hay[from..])?;
            if hay[i..].starts_with(self.needle) {
                return Some(i);
            }
            from = i + 1;
        }
        self.fwd
            .get_or_init(|| memchr::memmem::Finder::new(self.needle))
            .find(&hay[from..])
            .map(|i| from + i)
    }

    /// The last occurrence. The needles looked for from the end (Postfix's
    /// `; from=<` trailer, ` from CLIENT`) sit near the end of the line,
    /// so trying each vector-searched occurrence of the first byte from the
    /// end beats a reverse substring search over the whole line.
    #[inline]
    pub(crate) fn rfind(&self, hay: &[u8]) -> Option<usize> {
        let (&first, _) = self.needle.split_first()?;
        let mut end = hay.len();
        while let Some(i) = memchr::memrchr(first, &hay[..end]) {
            if hay[i..].starts_with(self.needle) {
                return Some(i);
            }
            end = i;
        }
        None
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
    if s.len() < 20 {
        // Nineteen digits cannot overflow: no checked arithmetic per digit.
        let mut n: u64 = 0;
        for &b in s {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            n = n * 10 + u64::from(d);
        }
        return Some(n);
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
#[inline]
pub(crate) fn parse_fraction(s: &[u8]) -> Option<u32> {
    /// What the first `n` digits are worth in nanoseconds per unit.
    const SCALE: [u32; 10] = [
        0,
        100_000_000,
        10_000_000,
        1_000_000,
        100_000,
        10_000,
        1_000,
        100,
        10,
        1,
    ];
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let kept = &s[..s.len().min(9)];
    let n = kept.iter().fold(0u32, |n, &b| n * 10 + u32::from(b - b'0'));
    Some(n * SCALE[kept.len()])
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

/// Dotted-quad IPv4 (no leading zeros, which some stacks read as octal).
/// One octet at a time, each a run of one to three digits, so a byte
/// costs a couple of instructions: client addresses are on every line.
#[inline]
fn parse_ipv4(s: &[u8]) -> Option<Ipv4Addr> {
    if s.len() < 7 || s.len() > 15 {
        return None;
    }
    let mut octets = [0u8; 4];
    let mut rest = s;
    for (k, octet) in octets.iter_mut().enumerate() {
        if k > 0 {
            rest = rest.strip_prefix(b".")?;
        }
        let (v, len) = match rest {
            [a, b, c, ..] if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() => {
                let v = u32::from(a - b'0') * 100 + u32::from(b - b'0') * 10 + u32::from(c - b'0');
                (v, 3)
            }
            [a, b, ..] if a.is_ascii_digit() && b.is_ascii_digit() => {
                (u32::from(a - b'0') * 10 + u32::from(b - b'0'), 2)
            }
            [a, ..] if a.is_ascii_digit() => (u32::from(a - b'0'), 1),
            _ => return None,
        };
        if v > 255 || (len > 1 && rest[0] == b'0') {
            return None;
        }
        *octet = v as u8;
        rest = &rest[len..];
    }
    rest.is_empty().then(|| Ipv4Addr::from(octets))
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

/// Makes `dst` the text of `src` (lossy UTF-8), reusing its allocation:
/// how the line parsers refill their reusable record.
#[inline]
pub(crate) fn set_string(dst: &mut String, src: &[u8]) {
    // Host names, queue ids, methods and zones repeat from line to line:
    // comparing is cheaper than validating and copying.
    if dst.as_bytes() == src {
        return;
    }
    dst.clear();
    match std::str::from_utf8(src) {
        Ok(t) => dst.push_str(t),
        Err(_) => dst.push_str(&String::from_utf8_lossy(src)),
    }
}

/// A line whose UTF-8 is validated once, so that copying several of its
/// fields out costs no validation each (validating a short field costs
/// more in set-up than in bytes).
pub(crate) struct LineText<'a> {
    line: &'a [u8],
    text: Option<&'a str>,
}

impl<'a> LineText<'a> {
    #[inline]
    pub(crate) fn new(line: &'a [u8]) -> Self {
        Self {
            line,
            text: std::str::from_utf8(line).ok(),
        }
    }

    /// [`set_string`] for `part`, normally a sub-slice of the line;
    /// anything else, or a part of a line that is not UTF-8, is validated
    /// on its own. Always inlined: it runs for several fields of every
    /// line, and the call cost about as much as the comparison.
    #[inline(always)]
    pub(crate) fn set(&self, dst: &mut String, part: &[u8]) {
        if dst.as_bytes() == part {
            return;
        }
        if let Some(text) = self.text {
            let start = (part.as_ptr() as usize).wrapping_sub(self.line.as_ptr() as usize);
            if let Some(s) = start
                .checked_add(part.len())
                .and_then(|end| text.get(start..end))
            {
                dst.clear();
                dst.push_str(s);
                return;
            }
        }
        set_string(dst, part);
    }

    /// [`LineText::set`], ASCII-lower-cased.
    #[inline]
    pub(crate) fn set_lower(&self, dst: &mut String, part: &[u8]) {
        self.set(dst, part);
        dst.make_ascii_lowercase();
    }

    /// [`LineText::set`] for an optional field: while the field is `None`
    /// its buffer waits in `spare`, so a field present on some lines only
    /// does not allocate each time it comes back.
    #[inline]
    pub(crate) fn set_opt(
        &self,
        dst: &mut Option<String>,
        spare: &mut String,
        part: Option<&[u8]>,
    ) {
        match part {
            Some(v) => self.set(dst.get_or_insert_with(|| std::mem::take(spare)), v),
            None => {
                if let Some(s) = dst.take() {
                    *spare = s;
                }
            }
        }
    }
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

/// Civil times and epoch seconds to UTC with the calendar arithmetic done
/// once per day: consecutive lines are nearly always on the same day, and
/// turning a date into a day number (or back) is the costly part of a
/// conversion. Gives what [`Civil::to_utc`] and
/// `DateTime::from_timestamp` give.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    /// The local date last converted, as days since 1970-01-01.
    local_day: Option<((i32, u32, u32), i64)>,
    /// The UTC day (days since 1970-01-01) last converted, and its date.
    utc_day: Option<(i64, NaiveDate)>,
}

impl Clock {
    /// A local time at `offset_minutes` east of UTC, in UTC.
    #[inline]
    pub(crate) fn local(&mut self, c: Civil, offset_minutes: i32) -> Option<DateTime<Utc>> {
        let key = (c.year, c.month, c.day);
        let day = match self.local_day {
            Some((k, day)) if k == key => day,
            _ => {
                let date = NaiveDate::from_ymd_opt(c.year, c.month, c.day)?;
                let day = i64::from(date.num_days_from_ce()) - DAYS_TO_EPOCH;
                self.local_day = Some((key, day));
                day
            }
        };
        if c.hour > 23 || c.minute > 59 || c.second > 59 || c.nanos >= 1_000_000_000 {
            return None;
        }
        let secs = day * 86_400 + i64::from(c.hour * 3600 + c.minute * 60 + c.second)
            - i64::from(offset_minutes) * 60;
        self.utc(secs, c.nanos)
    }

    /// Seconds since the Unix epoch (and nanoseconds), in UTC.
    #[inline]
    pub(crate) fn utc(&mut self, secs: i64, nanos: u32) -> Option<DateTime<Utc>> {
        let day = secs.div_euclid(86_400);
        let date = match self.utc_day {
            Some((d, date)) if d == day => date,
            _ => {
                let date = DateTime::from_timestamp(secs, 0)?.date_naive();
                self.utc_day = Some((day, date));
                date
            }
        };
        let time =
            NaiveTime::from_num_seconds_from_midnight_opt(secs.rem_euclid(86_400) as u32, nanos)?;
        Some(date.and_time(time).and_utc())
    }
}

/// Days from 0001-01-01 (chrono's day 1 of the common era) to 1970-01-01.
const DAYS_TO_EPOCH: i64 = 719_163;

/// `HH:MM:SS` with an optional `.fraction`; returns (h, m, s, nanos).
#[inline]
pub(crate) fn parse_hms(s: &[u8]) -> Option<(u32, u32, u32, u32)> {
    let [h1, h2, b':', m1, m2, b':', s1, s2, ..] = *s else {
        return None;
    };
    let digits = |a: u8, b: u8| {
        let (a, b) = (a.wrapping_sub(b'0'), b.wrapping_sub(b'0'));
        (a < 10 && b < 10).then(|| u32::from(a) * 10 + u32::from(b))
    };
    let h = digits(h1, h2)?;
    let m = digits(m1, m2)?;
    let sec = digits(s1, s2)?;
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
        // The fast path agrees with std wherever std reads IPv4.
        for s in [
            "1.2.3.4.",
            ".1.2.3",
            "1.2.3.4 ",
            "255.255.255.255",
            "255.255.255.256",
            "256.255.255.255",
            "1.2.3.04",
            "1.2.3.0",
            "0.0.0.00",
            "1.2.3.999",
            "1.2.3.4a",
            "10.0.0.1",
            "1.2.3.-4",
        ] {
            assert_eq!(parse_ipv4(s.as_bytes()), s.parse().ok(), "{s}");
        }
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
    fn the_clock_agrees_with_chrono() {
        let mut clock = Clock::default();
        for (day, hour, offset) in [
            (16, 1, 540),
            (16, 23, 540),
            (17, 0, -300),
            (31, 8, 0),
            (1, 0, 60),
        ] {
            let c = Civil {
                year: 2014,
                month: 12,
                day,
                hour,
                minute: 3,
                second: 55,
                nanos: 123_000_000,
            };
            assert_eq!(clock.local(c, offset), c.to_utc(offset), "{c:?} {offset}");
        }
        let bad = Civil {
            year: 2014,
            month: 2,
            day: 30,
            hour: 1,
            minute: 0,
            second: 0,
            nanos: 0,
        };
        assert_eq!(clock.local(bad, 0), None);
        for secs in [0, 1_418_663_035, 1_418_749_435, -1] {
            assert_eq!(clock.utc(secs, 7), DateTime::from_timestamp(secs, 7));
        }
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
