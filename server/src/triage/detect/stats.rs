//! Streaming statistics the detectors keep per group (client and
//! destination, account, host…) instead of the records themselves, so
//! memory grows with the number of groups and never with the number of
//! lines.

use chrono::{DateTime, FixedOffset, Utc};

use super::finding::MAX_LINES;
use crate::triage::record::At;

/// Milliseconds since the Unix epoch: the only time representation kept in
/// the hot path.
pub(crate) type Millis = i64;

pub(crate) fn millis(t: &DateTime<Utc>) -> Millis {
    t.timestamp_millis()
}

pub(crate) fn opt_millis(t: &Option<DateTime<Utc>>) -> Option<Millis> {
    t.as_ref().map(millis)
}

pub(crate) fn to_utc(ms: Millis) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

/// A count, the time span and the first [`MAX_LINES`] lines of a group.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tally {
    pub count: u64,
    pub first: Option<Millis>,
    pub last: Option<Millis>,
    pub lines: Vec<At>,
}

impl Tally {
    #[inline]
    pub fn add(&mut self, at: At, time: Option<Millis>) {
        self.count_at(time);
        push_line(&mut self.lines, at);
    }

    /// [`Tally::add`] for a group whose lines are kept elsewhere.
    #[inline]
    pub fn count_at(&mut self, time: Option<Millis>) {
        self.count += 1;
        if let Some(t) = time {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
        }
    }

    pub fn first_seen(&self) -> Option<DateTime<Utc>> {
        self.first.and_then(to_utc)
    }

    pub fn last_seen(&self) -> Option<DateTime<Utc>> {
        self.last.and_then(to_utc)
    }
}

/// Several groups' tallies as one: counts summed, the widest span, the
/// first [`MAX_LINES`] of all their lines.
pub(crate) fn merge<'a>(tallies: impl IntoIterator<Item = &'a Tally>) -> Tally {
    let tallies: Vec<&Tally> = tallies.into_iter().collect();
    Tally {
        count: tallies.iter().map(|t| t.count).sum(),
        first: tallies.iter().filter_map(|t| t.first).min(),
        last: tallies.iter().filter_map(|t| t.last).max(),
        lines: merge_lines(tallies.iter().map(|t| t.lines.as_slice())),
    }
}

/// Appends `at` unless [`MAX_LINES`] are already kept; allocates the full
/// capacity once so a group costs one allocation for its lines.
#[inline]
pub(crate) fn push_line(lines: &mut Vec<At>, at: At) {
    if lines.len() < MAX_LINES {
        if lines.capacity() == 0 {
            lines.reserve_exact(MAX_LINES);
        }
        lines.push(at);
    }
}

/// Merges several capped line lists into one, ordered by line number.
fn merge_lines<'a>(lists: impl IntoIterator<Item = &'a [At]>) -> Vec<At> {
    let mut all: Vec<At> = lists.into_iter().flatten().copied().collect();
    all.sort_by_key(|at| (at.line, at.offset));
    all.dedup();
    all.truncate(MAX_LINES);
    all
}

/// Welford's online mean and variance.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Welford {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Welford {
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    pub fn count(&self) -> u64 {
        self.n
    }

    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Sample standard deviation (0 for fewer than two values).
    pub fn std_dev(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2 / (self.n - 1) as f64).sqrt()
        }
    }

    /// Standard deviation over mean: how irregular the values are,
    /// independent of their scale.
    pub fn coefficient_of_variation(&self) -> f64 {
        if self.mean > 0.0 {
            self.std_dev() / self.mean
        } else {
            f64::INFINITY
        }
    }
}

/// Formats a time in the organisation's local offset, e.g.
/// `2025-01-06 03:00:00+09:00` (what `%Y-%m-%d %H:%M:%S%:z` gives, written
/// out by hand: chrono parses a format string on every call, and every
/// finding formats two times).
pub(crate) fn local_time(t: Option<DateTime<Utc>>, offset: FixedOffset) -> String {
    use chrono::{Datelike as _, Timelike as _};
    let Some(t) = t else {
        return "?".to_owned();
    };
    let l = t.with_timezone(&offset).naive_local();
    let east = offset.local_minus_utc();
    let (sign, east) = if east < 0 { ('-', -east) } else { ('+', east) };
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}{sign}{:02}:{:02}",
        l.year(),
        l.month(),
        l.day(),
        l.hour(),
        l.minute(),
        l.second(),
        east / 3600,
        east / 60 % 60
    )
}

/// Describes a span `first … last` in both languages, or nothing when the
/// lines had no time.
pub(crate) fn span(
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
    offset: FixedOffset,
) -> (String, String) {
    match (first, last) {
        (Some(a), Some(b)) if a == b => {
            let t = local_time(first, offset);
            (format!("（{t}）"), format!(" (at {t})"))
        }
        (Some(_), Some(_)) => {
            let (f, l) = (local_time(first, offset), local_time(last, offset));
            (format!("（{f} 〜 {l}）"), format!(" ({f} to {l})"))
        }
        _ => (String::new(), String::new()),
    }
}

/// An English count with the right noun: `1 request`, `3 requests`.
pub(crate) fn count(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Human duration in seconds: `300 s`, `1.5 h`.
pub(crate) fn seconds(secs: f64) -> String {
    if secs < 120.0 {
        format!("{secs:.1}")
    } else {
        format!("{secs:.0}")
    }
}

/// Bytes in binary units: `12.5 MiB`.
pub(crate) fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// Joins at most `max` items with `、`/`, ` and says how many more there are.
pub(crate) fn list(items: &[String], max: usize) -> (String, String) {
    list_of(items, items.len(), max)
}

/// [`list`] for the first of `total` items, when only those are kept.
pub(crate) fn list_of(items: &[String], total: usize, max: usize) -> (String, String) {
    let shown = &items[..items.len().min(max)];
    let rest = total.saturating_sub(shown.len());
    let mut ja = shown.join("、");
    let mut en = shown.join(", ");
    if rest > 0 {
        ja.push_str(&format!(" ほか {rest} 件"));
        en.push_str(&format!(" and {rest} more"));
    }
    (ja, en)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welford_matches_the_two_pass_formula() {
        let xs = [300.0, 294.0, 306.0, 301.0, 299.5];
        let mut w = Welford::default();
        xs.iter().for_each(|&x| w.push(x));
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
        assert!((w.mean() - mean).abs() < 1e-9);
        assert!((w.std_dev() - var.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn tally_keeps_only_the_first_lines() {
        let mut t = Tally::default();
        for i in 0..50 {
            t.add(
                At {
                    line: i,
                    offset: i * 10,
                },
                Some(i as i64),
            );
        }
        assert_eq!(t.count, 50);
        assert_eq!(t.lines.len(), MAX_LINES);
        assert_eq!((t.first, t.last), (Some(0), Some(49)));
    }

    #[test]
    fn local_times_read_like_strftime() {
        let t = DateTime::from_timestamp(1_736_100_000, 0);
        for minutes in [540, 0, -330, 345] {
            let offset = FixedOffset::east_opt(minutes * 60).unwrap();
            let strftime = t
                .unwrap()
                .with_timezone(&offset)
                .format("%Y-%m-%d %H:%M:%S%:z")
                .to_string();
            assert_eq!(local_time(t, offset), strftime);
        }
        assert_eq!(local_time(None, FixedOffset::east_opt(0).unwrap()), "?");
    }

    #[test]
    fn lists_say_how_many_more() {
        let items: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        assert_eq!(list(&items, 2).1, "a, b and 1 more");
        assert_eq!(list_of(&items, 10, 5).0, "a、b、c ほか 7 件");
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(10 * 1024 * 1024), "10.0 MiB");
    }
}
