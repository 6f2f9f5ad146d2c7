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
            notifier_organisation,
            notifier_reference,
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
        notifier: app::domain::notice::Notifier {
            organisation: notifier_organisation,
            person: String::new(),
            contact: String::new(),
            their_reference: notifier_reference,
        },
    };
    match validate_report(&form, now) {
        Ok(r) => {
            assert_in_window(r.noticed_at, now);
            assert_one_clean_line(&r.title);
            assert_one_clean_line(&r.reporter_contact);
            assert_clean_text(&r.observed);
            assert_clean_text(&r.location);
            assert!(!r.title.is_empty() && r.title.chars().count() <= TITLE_MAX);
            // Who notified is recorded exactly for an outside notification.
            assert_eq!(
                r.notifier.is_some(),
                r.discovery == app::domain::incident::Discovery::ExternalNotification
            );
            if let Some(n) = &r.notifier {
                assert_one_clean_line(&n.organisation);
                assert!(!n.organisation.is_empty());
                assert!(n.their_reference.is_empty() || !n.their_reference.contains('\n'));
            }
        }
        Err(errors) => assert!(!errors.is_empty()),
    }
});
