//! Evidence preservation: which logs an incident needs secured and by when
//! (before the oldest needed entry rotates away), the evidence registry's
//! kinds, the chain of custody, and who may handle evidence. Pure rules; the
//! services gather the facts.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::classification::AssetType;
use super::role::Role;
use super::workflow::{is_handler, is_officer};
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
/// minus the source's margin, up to now.
pub fn window_start(earliest_event: DateTime<Utc>, margin_days: u32) -> DateTime<Utc> {
    earliest_event - Duration::days(margin_days as i64)
}

/// The date the oldest needed entry rotates away: a log kept for
/// `retention_days` loses an entry written at `window_start` then.
pub fn deadline(window_start: DateTime<Utc>, retention_days: u32) -> DateTime<Utc> {
    window_start + Duration::days(retention_days as i64)
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

/// Handling roles see and handle evidence; reporters and outsiders do not
/// (external parties get scoped access through an engagement, later).
pub fn may_handle(roles: &[Role]) -> bool {
    is_handler(roles)
}

/// Waiving a checklist item is the security officer's call.
pub fn may_waive(roles: &[Role]) -> bool {
    is_officer(roles)
}

/// Disposing of evidence destroys it: the officer only.
pub fn may_dispose(roles: &[Role]) -> bool {
    is_officer(roles)
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
    pub retention_days: u32,
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
    fn only_handlers_handle_evidence_and_only_the_officer_disposes() {
        for r in Role::ALL {
            assert_eq!(may_handle(&[r]), r.is_internal_handler(), "{r:?}");
            assert_eq!(may_dispose(&[r]), r == Role::SecurityOfficer, "{r:?}");
            assert_eq!(may_waive(&[r]), r == Role::SecurityOfficer, "{r:?}");
        }
    }
}
