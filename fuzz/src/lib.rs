//! What the fuzz targets share: turning fuzzer bytes into form fields and a
//! clock reading, and the invariants every validated value must keep.
//!
//! An input is fields separated by the byte 0xFF, which UTF-8 never uses, so
//! the seeds in `corpus/` are readable forms: the first field is the server's
//! clock in Unix seconds (anything else means 2026-11-22T12:00:00Z), then the
//! form's fields in order; missing fields are empty.

use app::domain::dates;
use chrono::{DateTime, Utc};

/// The separator between fields.
pub const SEP: u8 = 0xFF;

/// The clock when the first field is not a number.
pub const REFERENCE_NOW: i64 = 1_795_348_800;

/// The clock and `N` fields of a form.
pub fn fields<const N: usize>(data: &[u8]) -> (DateTime<Utc>, [String; N]) {
    let mut parts = data.split(|b| *b == SEP);
    let now = parts
        .next()
        .and_then(|p| std::str::from_utf8(p).ok())
        .and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(REFERENCE_NOW);
    let fields = std::array::from_fn(|_| {
        parts
            .next()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .unwrap_or_default()
    });
    (now_from(now), fields)
}

/// Any instant chrono can represent: the validators must not panic whatever
/// the server's clock says.
pub fn now_from(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0)
        .or_else(|| DateTime::from_timestamp(REFERENCE_NOW, 0))
        .unwrap_or_default()
}

/// A date a form accepted lies in the plausible window around `now`.
pub fn assert_in_window(t: DateTime<Utc>, now: DateTime<Utc>) {
    assert!(
        t >= dates::earliest() && t <= dates::latest(now),
        "{t} outside the window around {now}"
    );
}

/// A cleaned single line has no character that hides or reorders text.
pub fn assert_one_clean_line(s: &str) {
    assert_eq!(s, s.trim(), "{s:?} is not trimmed");
    for c in s.chars() {
        assert!(
            !c.is_control()
                && !matches!(
                    c,
                    '\u{200B}'..='\u{200F}'
                        | '\u{202A}'..='\u{202E}'
                        | '\u{2060}'
                        | '\u{2066}'..='\u{2069}'
                        | '\u{FEFF}'
                        | '\u{061C}'
                        | '\u{2028}'
                        | '\u{2029}'
                ),
            "{c:?} kept in {s:?}"
        );
    }
}

/// Cleaned multi-line text keeps only newlines and tabs of the controls, and
/// no bidirectional override.
pub fn assert_clean_text(s: &str) {
    assert_eq!(s, s.trim(), "{s:?} is not trimmed");
    for c in s.chars() {
        assert!(
            (!c.is_control() || c == '\n' || c == '\t')
                && !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'),
            "{c:?} kept in {s:?}"
        );
    }
}
