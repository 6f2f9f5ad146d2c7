//! Dates that come from outside — typed into a form, or read back from a
//! database that an older version filled — and the arithmetic on them.
//!
//! A typed date is accepted only inside a plausible window around now: not
//! before 1970, not more than [`FUTURE_YEARS`] ahead, with a time-zone offset
//! the Earth has (±14 h). Arithmetic on a date never panics: it saturates at
//! the years 1 and 9999, which both databases store and SQLite's text
//! timestamps still sort, so a stored date that is absurd gives an absurd but
//! harmless deadline instead of a request that dies half-way.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, Utc};

use super::form::ErrorCode;

/// No incident, engagement or evidence predates this.
pub const EARLIEST_YEAR: i32 = 1970;
/// How far ahead a typed date may lie (an engagement's expiry, at most).
pub const FUTURE_YEARS: u32 = 10;
/// The largest offset from UTC of any time zone (UTC+14, UTC−12 is smaller).
pub const MAX_TZ_OFFSET_MINUTES: i64 = 14 * 60;
/// A `datetime-local` value is 16 characters, 19 with seconds; anything much
/// longer is not one.
const MAX_INPUT_LEN: usize = 64;

/// The start of the window: 1970-01-01T00:00:00Z.
/// How a time is shown on pages and in reports: minutes, in UTC.
pub fn format_utc(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

pub fn earliest() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

/// The end of the window: [`FUTURE_YEARS`] after `now`.
pub fn latest(now: DateTime<Utc>) -> DateTime<Utc> {
    now.checked_add_months(Months::new(12 * FUTURE_YEARS))
        .map_or(ceiling(), clamp)
}

/// The error for a date outside the window, naming its years.
pub fn out_of_range(now: DateTime<Utc>) -> ErrorCode {
    ErrorCode::DateOutOfRange(EARLIEST_YEAR, latest(now).year())
}

/// `t` if it lies in the plausible window around `now`.
pub fn in_window(t: DateTime<Utc>, now: DateTime<Utc>) -> Result<DateTime<Utc>, ErrorCode> {
    if t < earliest() || t > latest(now) {
        Err(out_of_range(now))
    } else {
        Ok(t)
    }
}

/// The browser's `getTimezoneOffset()` (UTC minus local, in minutes; Japan is
/// -540); empty means UTC.
pub fn parse_tz_offset(value: &str) -> Result<i64, ErrorCode> {
    match value.trim() {
        "" => Ok(0),
        s => s
            .parse::<i64>()
            .ok()
            .filter(|m| (-MAX_TZ_OFFSET_MINUTES..=MAX_TZ_OFFSET_MINUTES).contains(m))
            .ok_or(ErrorCode::InvalidTimeZone),
    }
}

/// A browser's `datetime-local` value and `getTimezoneOffset()` as an
/// instant inside the plausible window around `now`.
pub fn parse_local(
    value: &str,
    tz_offset: &str,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, ErrorCode> {
    let t = parse_instant(value, tz_offset)?.ok_or_else(|| out_of_range(now))?;
    in_window(t, now)
}

/// The same without a `now`: the window is 1970 to 9999.
pub fn parse_local_absolute(value: &str, tz_offset: &str) -> Result<DateTime<Utc>, ErrorCode> {
    let range = || ErrorCode::DateOutOfRange(EARLIEST_YEAR, ceiling().year());
    match parse_instant(value, tz_offset)? {
        Some(t) if t >= earliest() && t <= ceiling() => Ok(t),
        _ => Err(range()),
    }
}

/// Parsed, with `None` when the instant is not representable at all.
fn parse_instant(value: &str, tz_offset: &str) -> Result<Option<DateTime<Utc>>, ErrorCode> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ErrorCode::Required);
    }
    if v.len() > MAX_INPUT_LEN {
        return Err(ErrorCode::InvalidDateTime);
    }
    let local = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M"))
        .map_err(|_| ErrorCode::InvalidDateTime)?;
    let offset = parse_tz_offset(tz_offset)?;
    Ok(local
        .and_utc()
        .checked_add_signed(Duration::minutes(offset)))
}

/// 0001-01-01T00:00:00Z, the earliest date arithmetic gives.
pub fn floor() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(1, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(DateTime::<Utc>::MIN_UTC, |t| t.and_utc())
}

/// 9999-12-31T23:59:59Z, the latest date arithmetic gives.
pub fn ceiling() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .map_or(DateTime::<Utc>::MAX_UTC, |t| t.and_utc())
}

/// `t` moved into the years 1–9999.
pub fn clamp(t: DateTime<Utc>) -> DateTime<Utc> {
    t.clamp(floor(), ceiling())
}

/// `t + d`, saturating at the years 1 and 9999 instead of overflowing.
pub fn add(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    match t.checked_add_signed(d) {
        Some(sum) => clamp(sum),
        None if d < Duration::zero() => floor(),
        None => ceiling(),
    }
}

/// `t - d`, saturating like [`add`].
pub fn sub(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    match t.checked_sub_signed(d) {
        Some(diff) => clamp(diff),
        None if d < Duration::zero() => ceiling(),
        None => floor(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
    }

    #[test]
    fn a_local_time_becomes_an_instant_in_utc() {
        assert_eq!(
            parse_local("2026-11-22T09:30", "-540", now()),
            Ok(Utc.with_ymd_and_hms(2026, 11, 22, 0, 30, 0).unwrap())
        );
        assert_eq!(
            parse_local("2026-11-22 09:30", "", now()),
            Ok(Utc.with_ymd_and_hms(2026, 11, 22, 9, 30, 0).unwrap())
        );
        assert_eq!(
            parse_local("1970-01-01T09:00:00", "-540", now()),
            Ok(earliest())
        );
    }

    #[test]
    fn time_zone_offsets_beyond_fourteen_hours_are_refused_without_overflow() {
        for tz in [
            "-9223372036854775808",
            "9223372036854775807",
            "99999999999999999999999",
            "841",
            "-841",
            "1e3",
            "+",
        ] {
            assert_eq!(
                parse_local("2026-11-22T09:30", tz, now()),
                Err(ErrorCode::InvalidTimeZone),
                "{tz}"
            );
        }
        assert!(parse_local("2026-11-22T09:30", "840", now()).is_ok());
        assert!(parse_local("2026-11-22T09:30", "-840", now()).is_ok());
        assert!(parse_local("2026-11-22T09:30", " +60 ", now()).is_ok());
    }

    #[test]
    fn dates_outside_1970_to_ten_years_ahead_are_refused_with_the_window() {
        let range = ErrorCode::DateOutOfRange(1970, 2036);
        for v in [
            "-262143-01-01T00:00",
            "+262142-12-31T23:59",
            "0000-01-01T00:00",
            "1969-12-31T23:59",
            "2036-11-23T12:00",
            "9999-12-31T23:59",
        ] {
            assert_eq!(parse_local(v, "", now()), Err(range.clone()), "{v}");
        }
        // At the very edge of chrono's range the offset itself overflows.
        assert_eq!(
            parse_local("-262143-01-01T00:00", "-840", now()),
            Err(range.clone())
        );
        assert_eq!(parse_local("+262142-12-31T23:59", "840", now()), Err(range));
        assert!(parse_local("2036-11-21T12:00", "", now()).is_ok());
    }

    #[test]
    fn what_is_not_a_date_says_so() {
        assert_eq!(parse_local("  ", "", now()), Err(ErrorCode::Required));
        for v in [
            "yesterday",
            "2026-02-30T10:00",
            "2026-11-22T25:00",
            "2026-11-22",
        ] {
            assert_eq!(
                parse_local(v, "", now()),
                Err(ErrorCode::InvalidDateTime),
                "{v}"
            );
        }
        let long = format!("2026-11-22T09:30{}", "0".repeat(10_000));
        assert_eq!(
            parse_local(&long, "", now()),
            Err(ErrorCode::InvalidDateTime)
        );
    }

    #[test]
    fn the_window_without_now_ends_in_9999() {
        assert!(parse_local_absolute("2026-11-22T09:30", "-540").is_ok());
        assert_eq!(
            parse_local_absolute("-262143-01-01T00:00", ""),
            Err(ErrorCode::DateOutOfRange(1970, 9999))
        );
        assert_eq!(
            parse_local_absolute("2026-11-22T09:30", "-9223372036854775808"),
            Err(ErrorCode::InvalidTimeZone)
        );
    }

    #[test]
    fn arithmetic_saturates_at_the_storable_years_instead_of_panicking() {
        let min = DateTime::<Utc>::MIN_UTC;
        let max = DateTime::<Utc>::MAX_UTC;
        assert_eq!(sub(min, Duration::days(30)), floor());
        assert_eq!(add(min, Duration::days(30)), floor());
        assert_eq!(add(max, Duration::minutes(30)), ceiling());
        assert_eq!(sub(max, Duration::days(1)), ceiling());
        assert_eq!(add(min, Duration::MAX), ceiling());
        assert_eq!(add(max, Duration::MIN), floor());
        assert_eq!(sub(min, Duration::MIN), ceiling());
        assert_eq!(sub(max, Duration::MAX), floor());
        let t = now();
        assert_eq!(add(t, Duration::days(1)), t + Duration::days(1));
        assert_eq!(sub(t, Duration::days(1)), t - Duration::days(1));
        assert_eq!(floor().year(), 1);
        assert_eq!(ceiling().year(), 9999);
        assert_eq!(latest(max), ceiling());
    }
}
