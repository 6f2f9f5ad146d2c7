//! The incident report form: any text in any field is a result or field
//! errors, never a panic; an accepted report's notice time lies in the window
//! and its single-line fields are clean.
#![no_main]

use app::domain::incident::{ReportForm, TITLE_MAX, validate_report};
use hikeshi_fuzz::{assert_clean_text, assert_in_window, assert_one_clean_line, fields};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (
        now,
        [
            title,
            observed,
            noticed_at,
            tz_offset,
            location,
            discovery,
            kind,
            contact,
        ],
    ) = fields(data);
    let form = ReportForm {
        title,
        observed,
        noticed_at,
        tz_offset,
        location,
        discovery,
        kind,
        reporter_contact: contact,
    };
    match validate_report(&form, now) {
        Ok(r) => {
            assert_in_window(r.noticed_at, now);
            assert_one_clean_line(&r.title);
            assert_one_clean_line(&r.reporter_contact);
            assert_clean_text(&r.observed);
            assert_clean_text(&r.location);
            assert!(!r.title.is_empty() && r.title.chars().count() <= TITLE_MAX);
        }
        Err(errors) => assert!(!errors.is_empty()),
    }
});
