//! The officer's engagement form: an accepted engagement starts and expires
//! inside the window, expires after now and after it starts. Fields:
//! organisation, phases and evidence items (comma-separated), the three
//! boxes (empty is unticked), start, expiry, offset.
#![no_main]

use app::domain::external::{EngageForm, validate_engagement};
use hikeshi_fuzz::{assert_in_window, fields};
use libfuzzer_sys::fuzz_target;

fn list(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect()
}

fn ticked(s: String) -> Option<String> {
    Some(s).filter(|s| !s.is_empty())
}

fuzz_target!(|data: &[u8]| {
    let (
        now,
        [
            organisation,
            phases,
            evidence_items,
            evidence,
            containment,
            timeline,
            starts_at,
            expires_at,
            tz_offset,
        ],
    ) = fields(data);
    let form = EngageForm {
        organisation,
        phases: list(&phases),
        evidence: ticked(evidence),
        evidence_items: list(&evidence_items),
        containment: ticked(containment),
        timeline: ticked(timeline),
        starts_at,
        expires_at,
        tz_offset,
    };
    if let Ok(v) = validate_engagement(&form, now) {
        if !form.starts_at.trim().is_empty() {
            assert_in_window(v.starts_at, now);
        }
        assert_in_window(v.expires_at, now);
        assert!(v.expires_at > now && v.expires_at > v.starts_at);
    }
});
