//! Evidence preservation: which logs an incident needs secured and by when
//! (before the oldest needed entry rotates away), the evidence registry's
//! kinds, the chain of custody, and who may handle evidence. Pure rules; the
//! services gather the facts.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::classification::AssetType;
use super::dates;
use super::form::{self, Checker, ErrorCode, FieldError, Lines};
use crate::string_enum;

string_enum! {
    /// What a piece of evidence is.
    pub enum EvidenceKind {
        Log = "log",
        MemoryDump = "memory_dump",
        DiskImage = "disk_image",
        MailSample = "mail_sample",
        Screenshot = "screenshot",
        /// A live malicious file: downloaded only deliberately, zipped with
        /// the customary password.
        MalwareSample = "malware_sample",
        Other = "other",
    }
}

string_enum! {
    /// One link of an item's chain of custody.
    pub enum CustodyKind {
        Acquired = "acquired",
        Uploaded = "uploaded",
        Transferred = "transferred",
        Downloaded = "downloaded",
        Verified = "verified",
        Returned = "returned",
        Disposed = "disposed",
        /// Read by the log-triage parsers; the file is never changed.
        Analysed = "analysed",
    }
}

string_enum! {
    pub enum ChecklistStatus {
        Open = "open",
        Fulfilled = "fulfilled",
        Waived = "waived",
    }
}

string_enum! {
    /// The stored file against its recorded hash.
    pub enum Integrity {
        Unverified = "unverified",
        Intact = "intact",
        /// The stored file no longer matches: an alarm on the incident.
        Mismatch = "mismatch",
        /// Disposed of: the file is gone on purpose.
        Disposed = "disposed",
    }
}

/// How close a checklist item is to losing its evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Urgency {
    /// The oldest needed entry has already rotated away.
    Lost,
    /// Within [`NEAR_DAYS`] of the deadline.
    Near,
    Ok,
    /// Fulfilled or waived: nothing left to lose.
    Settled,
}

/// Items whose deadline is this close are flagged.
pub const NEAR_DAYS: i64 = 7;

/// The time window an item must cover: from the earliest relevant event
/// minus the source's margin, up to now. The event time is stored, so it may
/// be anything an older version accepted: the arithmetic saturates.
pub fn window_start(earliest_event: DateTime<Utc>, margin_days: u32) -> DateTime<Utc> {
    dates::sub(earliest_event, Duration::days(margin_days.into()))
}

/// The date the oldest needed entry rotates away: a log kept for
/// `retention_days` loses an entry written at `window_start` then.
pub fn deadline(window_start: DateTime<Utc>, retention_days: u32) -> DateTime<Utc> {
    dates::add(window_start, Duration::days(retention_days.into()))
}

pub fn urgency(status: ChecklistStatus, deadline: DateTime<Utc>, now: DateTime<Utc>) -> Urgency {
    if status != ChecklistStatus::Open {
        Urgency::Settled
    } else if deadline <= now {
        Urgency::Lost
    } else if deadline - now <= Duration::days(NEAR_DAYS) {
        Urgency::Near
    } else {
        Urgency::Ok
    }
}

/// A log source of the catalogue, as the checklist rules see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceRule<'a> {
    pub id: &'a str,
    /// Incident kinds that always need this source.
    pub kinds: &'a [String],
    /// Affected-asset types that make this source needed.
    pub assets: &'a [String],
}

/// A log source the organisation declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    pub id: Uuid,
    pub source: String,
    pub retention_days: u32,
}

/// The declared sources an incident needs preserved: those whose catalogue
/// source applies to its kind or to one of its affected assets' types, in
/// declaration order.
pub fn needed<'d>(
    kind: &str,
    assets: &[AssetType],
    catalogue: &[SourceRule<'_>],
    declared: &'d [Declared],
) -> Vec<&'d Declared> {
    declared
        .iter()
        .filter(|d| {
            catalogue.iter().any(|s| {
                s.id == d.source
                    && (s.kinds.iter().any(|k| k == kind)
                        || assets.iter().any(|a| s.assets.iter().any(|x| x == a.id())))
            })
        })
        .collect()
}

/// One item of an incident's preservation checklist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistView {
    pub id: Uuid,
    /// The catalogue's log source (`proxy`, `dns`, …) and its name.
    pub source: String,
    pub source_name: playbooks::Label,
    /// The organisation's system it comes from, e.g. `squid01`.
    pub system: String,
    /// What to preserve from it.
    pub items: Vec<playbooks::Label>,
    /// Whether a default installation records the items, and how to make it.
    pub default_on: bool,
    pub enable: playbooks::Label,
    pub window_start: DateTime<Utc>,
    /// The organisation's declared retention of this system.
    pub retention_days: u32,
    /// What seed 001 recommends online (none: not stated, as for mail).
    #[serde(default)]
    pub recommended: Option<playbooks::Retention>,
    /// Event ids to look for in these logs.
    #[serde(default)]
    pub events: Vec<playbooks::LogEventDef>,
    /// How much this source matters against the incident's suspected
    /// attacker type (seed 001); none while the type is not known.
    #[serde(default)]
    pub importance: Option<String>,
    pub deadline: DateTime<Utc>,
    pub status: ChecklistStatus,
    pub urgency: Urgency,
    /// The evidence that fulfils it.
    pub evidence: Option<Uuid>,
    pub evidence_name: Option<String>,
    pub waive_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodyView {
    pub seq: i32,
    pub kind: CustodyKind,
    pub actor: Option<String>,
    pub at: DateTime<Utc>,
    pub from: String,
    pub to: String,
    pub reason: String,
    pub detail: String,
}

/// One item of the evidence registry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceView {
    pub id: Uuid,
    pub kind: EvidenceKind,
    pub description: String,
    pub file_name: String,
    pub media_type: String,
    pub sha256: String,
    pub size: u64,
    pub source_host: String,
    pub acquired_how: String,
    pub acquired_by: String,
    pub acquired_at: DateTime<Utc>,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
    pub checklist_item: Option<Uuid>,
    pub integrity: Integrity,
    pub verified_at: Option<DateTime<Utc>>,
    pub custody: Vec<CustodyView>,
}

/// A log source the organisation declared, for the admin page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgLogSource {
    pub id: Uuid,
    pub source: String,
    pub system: String,
    pub retention_days: u32,
    pub note: String,
    pub active: bool,
}

// ---- forms ----------------------------------------------------------------------

pub const DESCRIPTION_MAX: usize = 2_000;
pub const ACQUIRED_HOW_MAX: usize = 2_000;
/// Host names, people and parties: one line each.
pub const NAME_MAX: usize = 255;
pub const FILE_NAME_MAX: usize = 200;
pub const REASON_MAX: usize = 2_000;
/// A stated acquisition time this far ahead of the server's clock is a clock.
const ACQUIRED_TOLERANCE_MINUTES: i64 = 5;

/// What the uploader says about a file, as the upload form sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UploadForm {
    pub kind: String,
    pub description: String,
    pub source_host: String,
    pub acquired_how: String,
    pub acquired_by: String,
    /// `YYYY-MM-DDTHH:MM` in the uploader's time zone, with the browser's
    /// `getTimezoneOffset()` (as the report form sends it; empty is UTC).
    pub acquired_at: String,
    pub tz_offset: String,
    pub checklist_item: String,
    pub file_name: String,
    pub media_type: String,
}

/// An upload form that passed validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidUpload {
    pub kind: EvidenceKind,
    pub description: String,
    pub source_host: String,
    pub acquired_how: String,
    pub acquired_by: String,
    pub acquired_at: DateTime<Utc>,
    pub checklist_item: Option<Uuid>,
}

pub fn validate_upload(f: &UploadForm, now: DateTime<Utc>) -> Result<ValidUpload, Vec<FieldError>> {
    let mut c = Checker::default();
    let kind = c.choice("kind", &f.kind, EvidenceKind::from_id);
    let description = c.text("description", &f.description, DESCRIPTION_MAX);
    let source_host = c
        .optional_line("source_host", &f.source_host, NAME_MAX)
        .unwrap_or_default();
    let acquired_how = c.text("acquired_how", &f.acquired_how, ACQUIRED_HOW_MAX);
    let acquired_by = c
        .optional_line("acquired_by", &f.acquired_by, NAME_MAX)
        .unwrap_or_default();
    let latest = dates::add(now, Duration::minutes(ACQUIRED_TOLERANCE_MINUTES));
    let acquired_at = match dates::parse_local(&f.acquired_at, &f.tz_offset, now) {
        Ok(t) if t <= latest => Some(t),
        Ok(_) => {
            c.fail("acquired_at", ErrorCode::InFuture);
            None
        }
        Err(code) => {
            c.fail("acquired_at", code);
            None
        }
    };
    let checklist_item = c.optional_choice("checklist_item", &f.checklist_item, |s| {
        Uuid::parse_str(s).ok()
    });
    c.finish(|| ValidUpload {
        kind: kind.expect("checked"),
        description,
        source_host,
        acquired_how,
        acquired_by,
        acquired_at: acquired_at.expect("checked"),
        checklist_item,
    })
}

/// A file name safe to show and to put in a zip: no directories, no control,
/// direction or zero-width characters, no leading dots, not empty.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = form::clean(base, Lines::One)
        .chars()
        .take(FILE_NAME_MAX)
        .collect();
    let cleaned = cleaned
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end();
    if cleaned.is_empty() {
        "evidence.bin".into()
    } else {
        cleaned.to_string()
    }
}

/// A custody event recorded by hand, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidCustody {
    pub from: String,
    pub to: String,
    pub reason: String,
}

/// Transferred or returned items name both parties; every hand-recorded
/// event has a reason. Parties are one line each.
pub fn validate_custody(
    kind: CustodyKind,
    from: &str,
    to: &str,
    reason: &str,
) -> Result<ValidCustody, Vec<FieldError>> {
    let mut c = Checker::default();
    let reason = c.text("reason", reason, REASON_MAX);
    let (from, to) = if matches!(kind, CustodyKind::Transferred | CustodyKind::Returned) {
        (c.line("from", from, NAME_MAX), c.line("to", to, NAME_MAX))
    } else {
        (
            c.optional_line("from", from, NAME_MAX).unwrap_or_default(),
            c.optional_line("to", to, NAME_MAX).unwrap_or_default(),
        )
    };
    c.finish(|| ValidCustody { from, to, reason })
}

/// The password customarily used for zipped malware samples.
pub const SAMPLE_ZIP_PASSWORD: &str = "infected";

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    #[test]
    fn the_deadline_is_when_the_oldest_needed_entry_rotates_away() {
        // Beaconing first seen 2026-03-10; the proxy keeps 90 days; look 30
        // days further back for the delivery.
        let start = window_start(at(2026, 3, 10, 9), 30);
        assert_eq!(start, at(2026, 2, 8, 9));
        assert_eq!(deadline(start, 90), at(2026, 5, 9, 9));
        // A year of DNS logs leaves plenty of time.
        assert_eq!(deadline(start, 365), at(2027, 2, 8, 9));
        // No margin, no retention: gone the moment it was written.
        assert_eq!(
            deadline(window_start(at(2026, 3, 10, 9), 0), 0),
            at(2026, 3, 10, 9)
        );
    }

    #[test]
    fn deadlines_are_instants_whatever_the_local_time_zone() {
        // 09:30 in Tokyo on 1 March is 00:30 UTC the same day; across the
        // end of February in a leap year the arithmetic stays in days.
        let tokyo = chrono::FixedOffset::east_opt(9 * 3600).unwrap();
        let noticed = tokyo.with_ymd_and_hms(2028, 3, 1, 9, 30, 0).unwrap();
        let start = window_start(noticed.with_timezone(&Utc), 1);
        assert_eq!(start, Utc.with_ymd_and_hms(2028, 2, 29, 0, 30, 0).unwrap());
        assert_eq!(deadline(start, 1), noticed.with_timezone(&Utc));
    }

    #[test]
    fn urgency_flags_lost_and_near_items_and_ignores_settled_ones() {
        let now = at(2026, 5, 1, 0);
        let open = ChecklistStatus::Open;
        assert_eq!(urgency(open, at(2026, 4, 30, 0), now), Urgency::Lost);
        assert_eq!(urgency(open, now, now), Urgency::Lost);
        assert_eq!(urgency(open, at(2026, 5, 8, 0), now), Urgency::Near);
        assert_eq!(urgency(open, at(2026, 5, 8, 1), now), Urgency::Ok);
        for s in [ChecklistStatus::Fulfilled, ChecklistStatus::Waived] {
            assert_eq!(urgency(s, at(2026, 4, 1, 0), now), Urgency::Settled);
        }
    }

    #[test]
    fn the_checklist_follows_the_kind_and_the_assets() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let (mail_kinds, proxy_kinds, none) = (
            s(&["targeted_email"]),
            s(&["malware_infection", "targeted_email"]),
            s(&[]),
        );
        let (host, account) = (s(&["host"]), s(&["account"]));
        let catalogue = [
            SourceRule {
                id: "mail",
                kinds: &mail_kinds,
                assets: &none,
            },
            SourceRule {
                id: "proxy",
                kinds: &proxy_kinds,
                assets: &host,
            },
            SourceRule {
                id: "directory",
                kinds: &none,
                assets: &account,
            },
        ];
        let d = |n: u128, source: &str| Declared {
            id: Uuid::from_u128(n),
            source: source.into(),
            retention_days: 90,
        };
        let declared = [
            d(1, "proxy"),
            d(2, "mail"),
            d(3, "directory"),
            d(4, "proxy"),
            d(5, "firewall"),
        ];
        let ids = |v: Vec<&Declared>| v.into_iter().map(|d| d.id.as_u128()).collect::<Vec<_>>();
        assert_eq!(
            ids(needed("targeted_email", &[], &catalogue, &declared)),
            [1, 2, 4]
        );
        assert_eq!(
            ids(needed("malware_infection", &[], &catalogue, &declared)),
            [1, 4]
        );
        assert_eq!(
            ids(needed(
                "malware_infection",
                &[AssetType::Account],
                &catalogue,
                &declared
            )),
            [1, 3, 4]
        );
        assert_eq!(
            ids(needed(
                "denial_of_service",
                &[AssetType::Host],
                &catalogue,
                &declared
            )),
            [1, 4]
        );
        assert!(needed("other", &[], &catalogue, &declared).is_empty());
        // A declared source the catalogue does not know is never needed.
        assert!(
            needed(
                "targeted_email",
                &[AssetType::Host],
                &catalogue,
                &[d(9, "fax")]
            )
            .is_empty()
        );
    }

    #[test]
    fn the_playbooks_name_the_same_attack_stages() {
        let ids: Vec<&str> = crate::domain::classification::AttackStage::ALL
            .iter()
            .map(|s| s.id())
            .collect();
        assert_eq!(ids, playbooks::ATTACK_STAGE_IDS);
    }

    #[test]
    fn stored_dates_at_the_ends_of_time_give_deadlines_instead_of_panics() {
        let min = DateTime::<Utc>::MIN_UTC;
        let max = DateTime::<Utc>::MAX_UTC;
        let start = window_start(min, 30);
        assert_eq!(start, dates::floor());
        assert_eq!(deadline(start, 90), dates::floor() + Duration::days(90));
        assert_eq!(window_start(max, 30), dates::ceiling());
        assert_eq!(deadline(max, u32::MAX), dates::ceiling());
        assert_eq!(window_start(min, u32::MAX), dates::floor());
        let now = at(2026, 5, 1, 0);
        assert_eq!(urgency(ChecklistStatus::Open, min, now), Urgency::Lost);
        assert_eq!(urgency(ChecklistStatus::Open, max, now), Urgency::Ok);
        assert_eq!(urgency(ChecklistStatus::Open, now, max), Urgency::Lost);
        assert_eq!(urgency(ChecklistStatus::Open, max, min), Urgency::Ok);
    }

    fn upload() -> UploadForm {
        UploadForm {
            kind: "log".into(),
            description: "Proxy log of squid01, 2026-02-08 to 2026-03-10".into(),
            source_host: "squid01".into(),
            acquired_how: "scp from /var/log/squid".into(),
            acquired_by: "Sato".into(),
            acquired_at: "2026-03-10T18:00".into(),
            tz_offset: "-540".into(),
            checklist_item: String::new(),
            file_name: "access.log".into(),
            media_type: "text/plain".into(),
        }
    }

    fn fields(r: Result<impl std::fmt::Debug, Vec<FieldError>>) -> Vec<(String, ErrorCode)> {
        r.unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn an_upload_form_is_checked_field_by_field() {
        let now = at(2026, 3, 11, 0);
        let v = validate_upload(&upload(), now).unwrap();
        assert_eq!(v.kind, EvidenceKind::Log);
        assert_eq!(v.acquired_at, at(2026, 3, 10, 9));
        assert_eq!(v.checklist_item, None);
        let bad = UploadForm {
            kind: "photo".into(),
            description: " ".into(),
            source_host: "h".repeat(NAME_MAX + 1),
            acquired_at: "2026-03-12T18:00".into(),
            tz_offset: String::new(),
            checklist_item: "item 1".into(),
            ..upload()
        };
        assert_eq!(
            fields(validate_upload(&bad, now)),
            [
                ("kind".into(), ErrorCode::InvalidChoice),
                ("description".into(), ErrorCode::Required),
                ("source_host".into(), ErrorCode::TooLong(NAME_MAX)),
                ("acquired_at".into(), ErrorCode::InFuture),
                ("checklist_item".into(), ErrorCode::InvalidChoice),
            ]
        );
        for (acquired_at, tz, code) in [
            (
                "-262143-01-01T00:00",
                "",
                ErrorCode::DateOutOfRange(1970, 2036),
            ),
            (
                "2026-03-10T18:00",
                "-9223372036854775808",
                ErrorCode::InvalidTimeZone,
            ),
        ] {
            let f = UploadForm {
                acquired_at: acquired_at.into(),
                tz_offset: tz.into(),
                ..upload()
            };
            assert_eq!(
                fields(validate_upload(&f, now)),
                [("acquired_at".into(), code)]
            );
        }
    }

    #[test]
    fn hosts_and_people_of_an_upload_are_one_clean_line() {
        let f = UploadForm {
            source_host: "squid01\u{202E}\u{200B}\r\n- Integrity: intact".into(),
            acquired_by: "\u{FEFF}Sato\0".into(),
            description: "two\r\nlines\u{202E}".into(),
            ..upload()
        };
        let v = validate_upload(&f, at(2026, 3, 11, 0)).unwrap();
        assert_eq!(v.source_host, "squid01  - Integrity: intact");
        assert_eq!(v.acquired_by, "Sato");
        assert_eq!(v.description, "two\nlines");
    }

    #[test]
    fn file_names_lose_directories_and_invisible_characters() {
        assert_eq!(
            clean_file_name("C:\\Users\\x\\..\\report.pdf"),
            "report.pdf"
        );
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(clean_file_name("a\0b\u{200B}\u{2066}c.txt"), "abc.txt");
        assert_eq!(clean_file_name("...hidden"), "hidden");
        // Found by fuzzing: dots and spaces in turn.
        assert_eq!(clean_file_name(". . .\t. hidden "), "hidden");
        assert_eq!(clean_file_name("\u{202E}\u{FEFF}"), "evidence.bin");
        assert_eq!(clean_file_name("dir/"), "evidence.bin");
        assert_eq!(
            clean_file_name(&"火".repeat(300)).chars().count(),
            FILE_NAME_MAX
        );
    }

    #[test]
    fn custody_fields_have_limits_and_transfers_name_both_parties() {
        let ok = validate_custody(
            CustodyKind::Transferred,
            " Sato ",
            "Forensics Ltd",
            "analysis",
        )
        .unwrap();
        assert_eq!(
            (ok.from.as_str(), ok.to.as_str()),
            ("Sato", "Forensics Ltd")
        );
        assert_eq!(
            fields(validate_custody(CustodyKind::Returned, "", " ", "")),
            [
                ("reason".into(), ErrorCode::Required),
                ("from".into(), ErrorCode::Required),
                ("to".into(), ErrorCode::Required),
            ]
        );
        let long = "x".repeat(REASON_MAX + 1);
        let party = "p".repeat(NAME_MAX + 1);
        assert_eq!(
            fields(validate_custody(
                CustodyKind::Transferred,
                &party,
                &party,
                &long
            )),
            [
                ("reason".into(), ErrorCode::TooLong(REASON_MAX)),
                ("from".into(), ErrorCode::TooLong(NAME_MAX)),
                ("to".into(), ErrorCode::TooLong(NAME_MAX)),
            ]
        );
        assert_eq!(
            fields(validate_custody(
                CustodyKind::Disposed,
                &party,
                "",
                "shredded"
            )),
            [("from".into(), ErrorCode::TooLong(NAME_MAX))]
        );
        let disposed = validate_custody(CustodyKind::Disposed, "", "", "shredded").unwrap();
        assert_eq!(disposed.from, "");
        // A party is one line: it cannot forge a line of the custody report.
        let forged =
            validate_custody(CustodyKind::Transferred, "Sato\n  9. forged", "B", "r").unwrap();
        assert_eq!(forged.from, "Sato   9. forged");
    }
}
