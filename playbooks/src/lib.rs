//! The incident-handling model as data: the seven handling phases
//! (インシデントハンドリングフェーズ A–G) and the six roles (6つのロール) of the
//! JPCERT/IPA model, with their Japanese and English names.
//!
//! The model lives in TOML files under `model/`, one file per kind of thing
//! (`phases.toml`, `roles.toml`; later the per-phase × per-role action matrix
//! and the incident-kind playbooks), so an organisation can copy the directory,
//! edit it and point the server at its own copy.
//!
//! Without the default `load` feature this crate is only the plain types in
//! [`model`], which the wasm frontend shares with the server through serde.
//! With it, `HandlingModel::builtin` and `HandlingModel::load_dir` read and
//! validate the files, and every problem is reported with its file, line and key.

pub mod model;

#[cfg(feature = "load")]
mod load;

pub use model::{
    ActionDef, AttackModelDef, AttackModelStage, DetectorDef, HandlingModel, Impact, Importance,
    KindDef, Label, LogEventDef, LogSourceDef, MeasureDef, PhaseDef, PreventionDef, Raci,
    Retention, RoleDef, SeverityDef, ThresholdDef,
};

#[cfg(feature = "load")]
pub use load::{Issue, PlaybookError, builtin_files};

/// The handling phases, in the order an incident moves through them.
/// The ids are stable: they are stored in the database and used in URLs.
pub const PHASE_IDS: [&str; 7] = ["A", "B", "C", "D", "E", "F", "G"];

/// The handling roles, in the order the source lists them.
/// The ids are stable: they are stored in the database.
pub const ROLE_IDS: [&str; 6] = [
    "reporter",
    "it_lan_admin",
    "bu_lan_admin",
    "security_officer",
    "external_specialist",
    "isp",
];

/// Incident kinds. Every kind but `other` has a playbook file of its own
/// (`kinds/<id>.toml`) that adds tasks to the generic matrix.
pub const KIND_IDS: [&str; 7] = [
    "targeted_email",
    "malware_infection",
    "information_leak",
    "denial_of_service",
    "website_defacement",
    "unauthorised_access",
    "other",
];

/// What an organisation declares for the log-triage detectors (the keys of
/// its detection settings), which `detectors.toml` may name as a
/// detector's parameters beside the thresholds.
pub const DETECTION_DECLARATIONS: [&str; 15] = [
    "proxies",
    "internal",
    "internal_zones",
    "external_zones",
    "standard_user_agents",
    "business_domains",
    "allowed_connect_ports",
    "business_hours",
    "business_days",
    "holidays",
    "utc_offset_minutes",
    "maintenance_windows",
    "indicators",
    "admin_accounts",
    "admin_hosts",
];

/// Severity levels, most severe first (`severity.toml`).
pub const SEVERITY_IDS: [&str; 4] = ["critical", "high", "medium", "low"];

/// What containment measures act on (`containment.toml`); the same ids as
/// the incident's affected-asset types.
pub const CONTAINMENT_TARGETS: [&str; 4] = ["account", "host", "segment", "service"];

/// Roles that may execute containment measures.
pub const CONTAINMENT_EXECUTORS: [&str; 4] =
    ["it_lan_admin", "bu_lan_admin", "security_officer", "isp"];

/// The stages of a targeted attack (seed 000), as log sources name them.
pub const ATTACK_STAGE_IDS: [&str; 6] = [
    "reconnaissance",
    "delivery",
    "foothold",
    "lateral_spread",
    "command_and_control",
    "objective",
];

/// Attacker types of seed 001's table of log importance (攻撃者属性):
/// advanced (APT) attackers, cyber crime, hacktivism.
pub const ATTACKER_TYPES: [&str; 3] = ["apt", "crime", "hacktivism"];

/// Importance levels of that table, most important first.
pub const IMPORTANCE_LEVELS: [&str; 5] = ["very_high", "high", "medium", "low", "very_low"];

/// Where a recurrence-prevention measure acts: at the way in (入口対策),
/// inside (内部対策), at the way out (出口対策), or on the organisation
/// (体制・運用・教育).
pub const PREVENTION_LAYERS: [&str; 4] = ["entry", "internal", "exit", "organisation"];

/// Technical (技術的) or operational (運用的) recurrence prevention.
pub const PREVENTION_CATEGORIES: [&str; 2] = ["technical", "operational"];

/// The built-in report templates (`reports/`, Markdown with Jinja-style
/// tags, rendered by the server): `<template>.<lang>.md` for each report
/// of `app::domain::report::ReportTemplate` in Japanese and English. An
/// organisation replaces any of them with a file of the same name in
/// `HIKESHI_REPORT_TEMPLATES_DIR`.
#[cfg(feature = "load")]
pub const REPORT_TEMPLATES: [(&str, &str); 6] = [
    ("internal.en.md", include_str!("../reports/internal.en.md")),
    ("internal.ja.md", include_str!("../reports/internal.ja.md")),
    ("summary.en.md", include_str!("../reports/summary.en.md")),
    ("summary.ja.md", include_str!("../reports/summary.ja.md")),
    ("ipa.en.md", include_str!("../reports/ipa.en.md")),
    ("ipa.ja.md", include_str!("../reports/ipa.ja.md")),
];
