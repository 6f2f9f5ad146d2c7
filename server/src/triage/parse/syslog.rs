//! The syslog prefix in front of Postfix, NetScreen and (optionally) BIND
//! lines.
//!
//! Two forms are accepted, each optionally preceded by a `<PRI>`:
//!
//! * BSD / RFC 3164, as in seed 001's Postfix samples:
//!   `Feb 16 11:43:32 mail-server postfix/cleanup[29597]: message` — no
//!   year and no zone; the caller supplies both (see [`YearTracker`]).
//! * rsyslog's high-precision RFC 3339 stamp, as in seed 001's NetScreen
//!   samples: `2014-12-16T01:02:01.258399+09:00 192.168.1.1 ns208-master: message`.

use chrono::{DateTime, Utc};

use super::util::{self, Civil, Clock};

/// The time in a syslog prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stamp {
    /// `Mmm dd hh:mm:ss`: month, day, h, m, s — no year, local time.
    Bsd {
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
    },
    /// A full RFC 3339 stamp with its own offset.
    Absolute(DateTime<Utc>),
}

/// A line split into its syslog parts.
#[derive(Debug)]
pub(crate) struct Syslog<'a> {
    pub stamp: Stamp,
    pub host: &'a [u8],
    /// The tag without its `[pid]`: `postfix/cleanup`, `named`, …
    pub program: &'a [u8],
    /// The text after `tag: `.
    pub msg: &'a [u8],
}

/// Splits a syslog line; `None` if it does not start with a syslog stamp,
/// host and `tag:`.
pub(crate) fn split(line: &[u8]) -> Option<Syslog<'_>> {
    let (stamp, rest) = stamp(line)?;
    let (host, rest) = util::token(rest)?;
    let (tag, msg) = util::token(rest)?;
    let tag = tag.strip_suffix(b":")?;
    let program = match memchr::memchr(b'[', tag) {
        Some(i) => &tag[..i],
        None => tag,
    };
    let msg = msg.strip_prefix(b" ").unwrap_or(msg);
    Some(Syslog {
        stamp,
        host,
        program,
        msg,
    })
}

/// Parses the leading time stamp; returns it and the rest of the line.
pub(crate) fn stamp(line: &[u8]) -> Option<(Stamp, &[u8])> {
    let mut s = line;
    if s.first() == Some(&b'<') {
        let end = s.iter().take(5).position(|&b| b == b'>')?;
        s = &s[end + 1..];
    }
    if let Some(month) = s.get(..3).and_then(util::month)
        && s.len() >= 15
        && s[3] == b' '
    {
        let day = match (s[4], s[5]) {
            (b' ', d) if d.is_ascii_digit() => u32::from(d - b'0'),
            (a, b) => util::two(&[a, b])?,
        };
        if s[6] != b' ' {
            return None;
        }
        let (hour, minute, second, _) = util::parse_hms(&s[7..15])?;
        return Some((
            Stamp::Bsd {
                month,
                day,
                hour,
                minute,
                second,
            },
            &s[15..],
        ));
    }
    if s.first().is_some_and(u8::is_ascii_digit) {
        let end = s.iter().position(|&b| b == b' ').unwrap_or(s.len());
        let t = util::parse_rfc3339(&s[..end])?;
        return Some((Stamp::Absolute(t), &s[end..]));
    }
    None
}

/// Supplies the year BSD syslog leaves out: starts at the caller's year
/// and moves to the next one when the month goes back by more than half
/// a year (a log that runs from December into January).
#[derive(Clone, Debug)]
pub(crate) struct YearTracker {
    year: i32,
    last_month: u32,
}

impl YearTracker {
    pub(crate) fn new(year: i32) -> Self {
        Self {
            year,
            last_month: 0,
        }
    }

    fn year_for(&mut self, month: u32) -> i32 {
        if self.last_month >= month + 6 {
            self.year += 1;
        }
        self.last_month = month;
        self.year
    }

    /// Resolves a stamp to UTC, `offset_minutes` being the log's zone.
    pub(crate) fn resolve(
        &mut self,
        stamp: Stamp,
        offset_minutes: i32,
        clock: &mut Clock,
    ) -> Option<DateTime<Utc>> {
        match stamp {
            Stamp::Absolute(t) => Some(t),
            Stamp::Bsd {
                month,
                day,
                hour,
                minute,
                second,
            } => clock.local(
                Civil {
                    year: self.year_for(month),
                    month,
                    day,
                    hour,
                    minute,
                    second,
                    nanos: 0,
                },
                offset_minutes,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bsd_prefix_from_seed() {
        let s =
            split(b"Feb 16 11:43:32 mail-server postfix/cleanup[29597]: B1467845E2: warning: x")
                .unwrap();
        assert_eq!(s.host, b"mail-server");
        assert_eq!(s.program, b"postfix/cleanup");
        assert_eq!(s.msg, b"B1467845E2: warning: x");
        let mut y = YearTracker::new(2015);
        let t = y.resolve(s.stamp, 540, &mut Clock::default()).unwrap();
        assert_eq!(t.to_rfc3339(), "2015-02-16T02:43:32+00:00");
    }

    #[test]
    fn space_padded_day_and_priority() {
        let s = split(b"<22>Feb  6 01:02:03 mx postfix/qmgr[1]: msg").unwrap();
        assert!(matches!(s.stamp, Stamp::Bsd { day: 6, .. }));
        assert_eq!(s.program, b"postfix/qmgr");
    }

    #[test]
    fn rfc3339_prefix_from_seed() {
        let s = split(
            b"2014-12-16T01:02:01.258399+09:00 192.168.100.1 ns208-master: NetScreen device_id=ns208-master",
        )
        .unwrap();
        assert_eq!(s.host, b"192.168.100.1");
        assert_eq!(s.program, b"ns208-master");
        assert!(s.msg.starts_with(b"NetScreen"));
    }

    #[test]
    fn year_rolls_over() {
        let mut y = YearTracker::new(2014);
        assert_eq!(y.year_for(12), 2014);
        assert_eq!(y.year_for(12), 2014);
        assert_eq!(y.year_for(1), 2015);
        assert_eq!(y.year_for(2), 2015);
    }

    #[test]
    fn not_syslog() {
        assert!(split(b"hello world").is_none());
        assert!(split(b"Feb 16 11:43:32").is_none());
        assert!(split(b"1424221299.090 452 192.168.1.5 TCP_MISS/200").is_none());
    }
}
