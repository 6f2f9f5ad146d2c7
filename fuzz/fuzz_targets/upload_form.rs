//! The evidence upload form and the uploaded file's name.
#![no_main]

use app::domain::dates;
use app::domain::evidence::{FILE_NAME_MAX, UploadForm, clean_file_name, validate_upload};
use chrono::Duration;
use hikeshi_fuzz::{assert_clean_text, assert_in_window, assert_one_clean_line, fields};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (
        now,
        [
            kind,
            description,
            source_host,
            acquired_how,
            acquired_by,
            acquired_at,
            tz_offset,
            checklist_item,
            file_name,
            media_type,
        ],
    ) = fields(data);
    let name = clean_file_name(&file_name);
    assert!(!name.is_empty() && name.chars().count() <= FILE_NAME_MAX);
    assert!(
        !name.contains(['/', '\\']) && !name.starts_with('.'),
        "{name:?}"
    );
    assert_one_clean_line(&name);
    let form = UploadForm {
        kind,
        description,
        source_host,
        acquired_how,
        acquired_by,
        acquired_at,
        tz_offset,
        checklist_item,
        file_name,
        media_type,
    };
    if let Ok(v) = validate_upload(&form, now) {
        assert_in_window(v.acquired_at, now);
        assert!(v.acquired_at <= dates::add(now, Duration::minutes(5)));
        assert_one_clean_line(&v.source_host);
        assert_one_clean_line(&v.acquired_by);
        assert_clean_text(&v.description);
        assert_clean_text(&v.acquired_how);
    }
});
