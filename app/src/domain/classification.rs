//! How an incident is classified once it is triaged: severity, TLP, where it
//! stands in the attack's kill chain, how the attacker came in, and which
//! assets are affected.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
    /// The six stages of a targeted attack (seed 000).
    pub enum AttackStage {
        /// ① 事前調査 — reconnaissance of the target.
        Reconnaissance = "reconnaissance",
        /// ② 初期潜入 — malware delivery.
        Delivery = "delivery",
        /// ③ 攻撃基盤構築 — foothold: persistence, backdoor, privilege escalation.
        Foothold = "foothold",
        /// ④ システム調査・侵害拡大 — lateral spread.
        LateralSpread = "lateral_spread",
        /// ⑤ C2通信 — active command-and-control communication.
        CommandAndControl = "command_and_control",
        /// ⑥ 目的遂行 — the real attack: packaging, encrypting, exfiltration.
        Objective = "objective",
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
