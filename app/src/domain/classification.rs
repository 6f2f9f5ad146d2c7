//! How an incident is classified once it is triaged: severity, TLP, where it
//! stands in the attack's kill chain, how the attacker came in, and which
//! assets are affected.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::form::{Checker, FieldError};

use crate::string_enum;

string_enum! {
    /// Severity; the written definitions and time targets are in the
    /// playbooks (`severity.toml`), keyed by these ids.
    pub enum Severity {
        Critical = "critical",
        High = "high",
        Medium = "medium",
        Low = "low",
    }
}

string_enum! {
    /// Traffic Light Protocol 2.0: who the incident's information may be
    /// shared with.
    pub enum Tlp {
        Clear = "clear",
        Green = "green",
        Amber = "amber",
        AmberStrict = "amber_strict",
        Red = "red",
    }
}

impl Tlp {
    pub fn label(self) -> &'static str {
        match self {
            Tlp::Clear => "TLP:CLEAR",
            Tlp::Green => "TLP:GREEN",
            Tlp::Amber => "TLP:AMBER",
            Tlp::AmberStrict => "TLP:AMBER+STRICT",
            Tlp::Red => "TLP:RED",
        }
    }
}

string_enum! {
    /// The six stages of a targeted attack as seed 000 names them (「攻撃段階」,
    /// the default model). The ids are those of the earlier labels, which were
    /// seed 003/004's; the texts (`stage.*` in the locale files) are seed 000's.
    pub enum AttackStage {
        /// ① ターゲットの情報収集 — gathering information on the target
        /// (social engineering, probing public hosts).
        Reconnaissance = "reconnaissance",
        /// ② ターゲットに対するマルウェアの送り込み — targeted mail, drive-by download.
        Delivery = "delivery",
        /// ③ ターゲット内における足場固め — droppers, persistence, backdoor,
        /// privilege escalation, credential theft.
        Foothold = "foothold",
        /// ④ ターゲット内での感染拡大 — internal reconnaissance, spreading.
        LateralSpread = "lateral_spread",
        /// ⑤ C2ホストとの積極的な通信 — C2 with detection evasion, beaconing.
        CommandAndControl = "command_and_control",
        /// ⑥ 本格的な攻撃実行 — packaging, encrypting, exfiltration.
        Objective = "objective",
    }
}

impl AttackStage {
    /// The stored form of a set of stages: their ids in stage order,
    /// comma-separated; `None` for none.
    pub fn join(stages: &[AttackStage]) -> Option<String> {
        let mut sorted: Vec<AttackStage> = stages.to_vec();
        sorted.sort_by_key(|s| Self::ALL.iter().position(|a| a == s));
        sorted.dedup();
        (!sorted.is_empty()).then(|| sorted.iter().map(|s| s.id()).collect::<Vec<_>>().join(","))
    }

    /// The stages a form ticked (`stages[]`, blanks ignored); `None` when
    /// one of them is no stage.
    pub fn parse_all(values: &[String]) -> Option<Vec<AttackStage>> {
        values
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(Self::from_id)
            .collect()
    }

    /// The stages of the stored form; unknown ids are dropped.
    pub fn split(stored: Option<&str>) -> Vec<AttackStage> {
        stored
            .unwrap_or("")
            .split(',')
            .filter_map(|id| Self::from_id(id.trim()))
            .collect()
    }
}

string_enum! {
    /// The suspected attacker type (攻撃者属性), seed 001: it decides which
    /// logs matter most (攻撃者属性ごとのログ保管の重要性).
    pub enum AttackerType {
        /// 高度サイバー攻撃: intelligence gathering.
        Apt = "apt",
        /// サイバー犯罪: money, disruption.
        Crime = "crime",
        /// ハクティビズム: making a point.
        Hacktivism = "hacktivism",
    }
}

string_enum! {
    /// Attack routes (攻撃経路).
    pub enum AttackRoute {
        TargetedEmail = "targeted_email",
        DriveByDownload = "drive_by_download",
        TamperedSoftware = "tampered_software",
        UsbMemory = "usb_memory",
        MaintenanceDevice = "maintenance_device",
        CloudService = "cloud_service",
        Other = "other",
    }
}

string_enum! {
    /// What an affected asset is; containment measures act on these.
    pub enum AssetType {
        Host = "host",
        Account = "account",
        Segment = "segment",
        Service = "service",
    }
}

/// One affected asset of an incident.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    pub id: Uuid,
    pub asset_type: AssetType,
    /// Host name or IP, account name, segment (CIDR or name), service name.
    pub identifier: String,
    pub note: String,
}

/// A host name or IP, account, segment or service name: one line.
pub const IDENTIFIER_MAX: usize = 255;
pub const ASSET_NOTE_MAX: usize = 2_000;

/// An affected asset as typed, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidAsset {
    pub identifier: String,
    pub note: String,
}

pub fn validate_asset(identifier: &str, note: &str) -> Result<ValidAsset, Vec<FieldError>> {
    let mut c = Checker::default();
    let identifier = c.line("identifier", identifier, IDENTIFIER_MAX);
    let note = c
        .optional_text("note", note, ASSET_NOTE_MAX)
        .unwrap_or_default();
    c.finish(|| ValidAsset { identifier, note })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::form::ErrorCode;

    #[test]
    fn stages_are_stored_in_stage_order_once() {
        use AttackStage::*;
        let stored = AttackStage::join(&[Objective, Delivery, Objective]);
        assert_eq!(stored.as_deref(), Some("delivery,objective"));
        assert_eq!(AttackStage::split(stored.as_deref()), [Delivery, Objective]);
        // A row from before several stages were recorded holds one id.
        assert_eq!(AttackStage::split(Some("foothold")), [Foothold]);
        assert_eq!(AttackStage::join(&[]), None);
        assert!(AttackStage::split(None).is_empty());
        assert_eq!(AttackStage::split(Some("objective,bogus")), [Objective]);
        let ticked = |v: &[&str]| {
            AttackStage::parse_all(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        };
        assert_eq!(
            ticked(&["delivery", " ", "objective"]),
            Some(vec![Delivery, Objective])
        );
        assert_eq!(ticked(&["delivery", "exfil"]), None);
    }

    #[test]
    fn attacker_types_are_the_playbooks_ones() {
        let ids: Vec<&str> = AttackerType::ALL.iter().map(|a| a.id()).collect();
        assert_eq!(ids, playbooks::ATTACKER_TYPES);
    }

    #[test]
    fn an_asset_identifier_is_one_clean_bounded_line() {
        let v = validate_asset(" pc-0042\u{200B}\u{202E} ", "seen\r\nat 09:30\0").unwrap();
        assert_eq!(v.identifier, "pc-0042");
        assert_eq!(v.note, "seen\nat 09:30");
        let errs = validate_asset("\u{FEFF}", &"n".repeat(ASSET_NOTE_MAX + 1)).unwrap_err();
        let got: Vec<(&str, &ErrorCode)> =
            errs.iter().map(|e| (e.field.as_str(), &e.code)).collect();
        assert_eq!(
            got,
            [
                ("identifier", &ErrorCode::Required),
                ("note", &ErrorCode::TooLong(ASSET_NOTE_MAX))
            ]
        );
        assert_eq!(
            validate_asset(&"h".repeat(IDENTIFIER_MAX + 1), "").unwrap_err()[0].code,
            ErrorCode::TooLong(IDENTIFIER_MAX)
        );
    }
}
