//! `datetime-local` values with a time-zone offset, and the date arithmetic
//! that runs on stored dates: no input panics, an accepted date lies in its
//! window, and saturating arithmetic stays within the storable years.
//! Fields: value, offset, a stored instant (Unix seconds), a duration
//! (milliseconds), margin days, retention days.
#![no_main]

use app::domain::dates;
use app::domain::evidence::{ChecklistStatus, deadline, urgency, window_start};
use app::domain::targets::due;
use chrono::{DateTime, Duration, Utc};
use hikeshi_fuzz::{assert_in_window, fields, now_from};
use libfuzzer_sys::fuzz_target;

fn number<T: std::str::FromStr + Default>(s: &str) -> T {
    s.trim().parse().unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    let (now, [value, tz, stored, delta, margin, retention]) = fields(data);
    if let Ok(t) = dates::parse_local(&value, &tz, now) {
        assert_in_window(t, now);
    }
    if let Ok(t) = dates::parse_local_absolute(&value, &tz) {
        assert!(t >= dates::earliest() && t <= dates::ceiling(), "{t}");
    }
    if let Ok(m) = dates::parse_tz_offset(&tz) {
        assert!(m.abs() <= dates::MAX_TZ_OFFSET_MINUTES);
    }

    // Whatever an older version stored.
    let stored = now_from(number(&stored));
    let storable = |t: DateTime<Utc>| assert!(t >= dates::floor() && t <= dates::ceiling(), "{t}");
    let d = Duration::try_milliseconds(number(&delta)).unwrap_or(Duration::MAX);
    storable(dates::add(stored, d));
    storable(dates::sub(stored, d));
    let (margin, retention): (u32, u32) = (number(&margin), number(&retention));
    let start = window_start(stored, margin);
    storable(start);
    let end = deadline(start, retention);
    storable(end);
    assert!(end >= start);
    storable(due(stored, margin));
    let _ = urgency(ChecklistStatus::Open, end, now);
    let _ = urgency(ChecklistStatus::Open, stored, now);
});
