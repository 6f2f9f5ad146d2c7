//! The public notification form, the one form anyone on the Internet can
//! send: any text in any field is a notice or field errors, never a panic;
//! an accepted notice's single-line fields are clean lines within bounds.
#![no_main]

use app::domain::notice::{NAME_MAX, NoticeForm, SUBJECT_MAX, validate_notice};
use hikeshi_fuzz::{assert_clean_text, assert_one_clean_line, fields};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (
        _,
        [
            organisation,
            person,
            contact,
            their_reference,
            subject,
            details,
            affected,
            website,
        ],
    ) = fields(data);
    let form = NoticeForm {
        organisation,
        person,
        contact,
        their_reference,
        subject,
        details,
        affected,
        website,
    };
    match validate_notice(&form) {
        Ok(n) => {
            for line in [
                &n.notifier.organisation,
                &n.notifier.contact,
                &n.subject,
            ] {
                assert_one_clean_line(line);
                assert!(!line.is_empty());
            }
            assert_one_clean_line(&n.notifier.person);
            assert_one_clean_line(&n.notifier.their_reference);
            assert!(n.notifier.organisation.chars().count() <= NAME_MAX);
            assert!(n.subject.chars().count() <= SUBJECT_MAX);
            assert_clean_text(&n.details);
            assert_clean_text(&n.affected);
            assert_eq!(n.trap, !form.website.trim().is_empty());
        }
        Err(errors) => assert!(!errors.is_empty()),
    }
});
