//! Log triage on the incident page: each analysis of an evidence item
//! (a run, with its progress) and the findings it produced, which a handler
//! promotes to observables or dismisses with a reason. The parsers and
//! detectors themselves run on the server (`server::triage`).

use chrono::{DateTime, Utc};
use playbooks::Label;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::observable::ObservableType;

crate::string_enum! {
    pub enum RunStatus {
        Queued = "queued",
        Running = "running",
        Done = "done",
        Failed = "failed",
        Cancelled = "cancelled",
    }
}

impl RunStatus {
    /// Still working: a second analysis of the same item waits for it.
    pub fn is_active(self) -> bool {
        matches!(self, RunStatus::Queued | RunStatus::Running)
    }
}

crate::string_enum! {
    pub enum FindingStatus {
        Open = "open",
        Promoted = "promoted",
        Dismissed = "dismissed",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunView {
    pub id: Uuid,
    pub evidence_id: Uuid,
    pub evidence_name: String,
    pub status: RunStatus,
    pub format: Option<String>,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub lines: u64,
    pub parsed: u64,
    pub unparsed: u64,
    pub findings: u32,
    pub error: Option<String>,
    pub started_by: String,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A value a finding implicates; `kind` is what it can be recorded as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingObservable {
    /// The detectors' kind (`ip`, `domain`, `url`, `user_agent`, …).
    pub found_as: String,
    pub value: String,
    /// The observable type it becomes when promoted; none for a value the
    /// observable types have no room for (an account, a host name).
    pub kind: Option<ObservableType>,
    /// The other incidents the reader may see that recorded the value.
    pub also_in: Vec<super::observable::SeenIn>,
    /// The threat-intelligence store's indicators in force it matches.
    pub known: Vec<super::intel::Known>,
    /// Recorded as an observable of this incident already.
    pub recorded: bool,
}

/// Where a finding's line is in the registered file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineRef {
    pub line: u64,
    pub offset: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingView {
    pub id: Uuid,
    pub evidence_id: Uuid,
    pub evidence_name: String,
    pub detector: String,
    /// The detector's name in the playbook (`detectors.toml`).
    pub detector_name: Label,
    /// The host or address the finding is about (its first such
    /// observable): what the findings are grouped by under a detector.
    pub host: Option<String>,
    /// `high`, `medium` or `low`.
    pub severity: String,
    pub title: Label,
    pub explanation: Label,
    pub lines: Vec<LineRef>,
    pub line_count: u64,
    pub observables: Vec<FindingObservable>,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    pub status: FindingStatus,
    pub note: String,
    /// The task opened from it.
    pub task: Option<Uuid>,
}

/// The asset type a value a finding implicates can be recorded as.
pub fn asset_type(found_as: &str) -> Option<super::classification::AssetType> {
    use super::classification::AssetType;
    match found_as {
        "host" | "ip" => Some(AssetType::Host),
        "account" => Some(AssetType::Account),
        _ => None,
    }
}

/// The observable type a detector's value kind is recorded as.
pub fn observable_type(found_as: &str) -> Option<ObservableType> {
    match found_as {
        "ip" => Some(ObservableType::C2Ip),
        "domain" => Some(ObservableType::C2Domain),
        "url" => Some(ObservableType::Url),
        "user_agent" => Some(ObservableType::UserAgent),
        "email" => Some(ObservableType::SenderEmail),
        "file_name" => Some(ObservableType::AttachmentName),
        _ => None,
    }
}

/// The log formats the parsers read, by the names the server takes
/// (`server::triage::record::Format`); a test there holds the two together.
pub const FORMATS: [&str; 8] = [
    "postfix",
    "netscreen",
    "squid_native",
    "squid_combined",
    "bind",
    "windows_csv",
    "windows_xml",
    "windows_evtx",
];

/// What the organisation declares for the detectors, for the settings page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetectionSettings {
    /// The declarations as TOML, as last saved (empty: none yet).
    pub text: String,
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
    /// The playbook's detectors and thresholds the text tunes.
    pub detectors: Vec<playbooks::DetectorDef>,
    pub thresholds: Vec<playbooks::ThresholdDef>,
}

/// The longest detection settings text.
pub const SETTINGS_MAX: usize = 100_000;

/// The longest dismissal reason.
pub const DISMISS_MAX: usize = 2_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_values_an_observable_type_holds_are_promotable() {
        assert_eq!(observable_type("domain"), Some(ObservableType::C2Domain));
        assert_eq!(observable_type("ip"), Some(ObservableType::C2Ip));
        assert_eq!(observable_type("account"), None);
        assert_eq!(observable_type("host"), None);
        assert!(RunStatus::Running.is_active() && !RunStatus::Done.is_active());
    }
}
