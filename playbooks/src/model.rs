//! The plain types of the handling model. They carry no loading logic so the
//! wasm frontend can depend on them with nothing but serde.

use serde::{Deserialize, Serialize};

/// A text in both languages the product speaks. The source model is Japanese;
/// the English is ours, so neither may be left empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub ja: String,
    pub en: String,
}

impl Label {
    /// The text for a language code: `"ja"` gives Japanese, anything else
    /// English, so an unknown language still shows something readable.
    pub fn get(&self, lang: &str) -> &str {
        if lang == "ja" { &self.ja } else { &self.en }
    }
}

/// One handling phase (インシデントハンドリングフェーズ), e.g. C, 初動対処.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseDef {
    /// `"A"` … `"G"`, one of [`crate::PHASE_IDS`].
    pub id: String,
    /// 1 … 7; A is 1. Kept in the data so the files read in order.
    pub order: u8,
    pub name: Label,
    /// What the phase is for, in a sentence or two.
    pub purpose: Label,
}

/// One handling role (ロール), e.g. 情報セキュリティ責任者.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDef {
    /// One of [`crate::ROLE_IDS`].
    pub id: String,
    pub name: Label,
    pub description: Label,
    /// An organisation outside ours (外部専門組織, ISP事業者), working with us
    /// under a contract or terms of service; such users see only what they
    /// are assigned.
    pub external: bool,
}

/// RACI: how a role takes part in an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Raci {
    Responsible,
    Approves,
    Consulted,
    Informed,
}

impl Raci {
    /// The id the playbooks write (`responsible`, `approves`, …).
    pub fn id(self) -> &'static str {
        match self {
            Raci::Responsible => "responsible",
            Raci::Approves => "approves",
            Raci::Consulted => "consulted",
            Raci::Informed => "informed",
        }
    }

    pub const ALL: [Raci; 4] = [
        Raci::Responsible,
        Raci::Approves,
        Raci::Consulted,
        Raci::Informed,
    ];
}

/// One action (アクション) of the phase × role matrix, or one task of an
/// incident-kind playbook: what a role does in a phase, what it needs
/// (インプット), what it delivers (アウトプット) and the skills it takes
/// (要求事項・能力スキル).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionDef {
    pub id: String,
    pub phase: String,
    pub role: String,
    pub raci: Raci,
    /// An exit criterion of its phase: done or waived before the phase is left.
    pub required: bool,
    pub name: Label,
    pub description: Label,
    pub inputs: Vec<Label>,
    pub outputs: Vec<Label>,
    pub skills: Vec<Label>,
    /// Actions that must be done or waived first (or whose phase the
    /// incident has left): until then the task waits.
    pub depends_on: Vec<String>,
    /// Concrete points to check while doing it (e.g. seed 003's ways to
    /// recognise a targeted mail). Absent from tasks copied before it existed.
    #[serde(default)]
    pub checklist: Vec<Label>,
    /// `None` for the generic matrix, the kind id for a kind playbook's task.
    pub kind: Option<String>,
}

/// An incident kind with a playbook of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindDef {
    pub id: String,
    pub name: Label,
}

/// A severity level with its written definition and time targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityDef {
    pub id: String,
    pub order: u8,
    pub name: Label,
    pub definition: Label,
    /// Triage (phase B left) within this many minutes of the report.
    pub triage_minutes: u32,
    /// First response (phase C left) within this many minutes of the report.
    pub first_response_minutes: u32,
}

/// The effect of a containment measure on confidentiality, integrity and
/// availability, each from -3 (severely degrades) to 3 (strongly protects);
/// 0 is no effect.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Impact {
    pub c: i8,
    pub i: i8,
    pub a: i8,
}

/// One temporary containment measure (暫定対処策) of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureDef {
    /// `<target>.<name>`, e.g. `host.power_off`.
    pub id: String,
    /// What it acts on: one of [`crate::CONTAINMENT_TARGETS`].
    pub target: String,
    /// The role that normally executes it (own LAN admin, business unit's
    /// LAN admin, the ISP under its terms, the security officer).
    pub executor: String,
    pub name: Label,
    pub description: Label,
    pub impact: Impact,
    /// The business impact of executing it.
    pub side_effects: Label,
    /// What evidence executing it destroys; `None` when it destroys none.
    pub evidence_lost: Option<Label>,
    pub reversible: bool,
    /// How it is undone, or why it cannot be.
    pub reversal: Label,
    /// Evidence to secure before executing it.
    pub preserve_first: Vec<Label>,
}

impl MeasureDef {
    pub fn destroys_evidence(&self) -> bool {
        self.evidence_lost.is_some()
    }
}

/// A kind of log source (mail server, proxy, DNS, …) and what to preserve
/// from it (システムログ一覧（証拠保全）).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogSourceDef {
    pub id: String,
    pub name: Label,
    /// The log items that keep traces (e.g. URL, method, time, User-Agent).
    pub items: Vec<Label>,
    /// The attack stages these items reveal, as attack-stage ids.
    pub stages: Vec<String>,
    /// Whether a default installation records the items.
    pub default_on: bool,
    /// The configuration change that makes it record them.
    pub enable: Label,
    /// Recommended retention online and offline (seed 001, JPCERT/CC with
    /// DeltaRisk); `None` where the source says N/A (the mail server).
    pub retention_online: Option<Retention>,
    pub retention_offline: Option<Retention>,
    /// Incident kinds that always need this source preserved.
    pub kinds: Vec<String>,
    /// Affected-asset types that make this source needed.
    pub assets: Vec<String>,
    /// Events worth flagging in this source's logs (the directory's event
    /// ids of seed 001), each with its criticality.
    #[serde(default)]
    pub events: Vec<LogEventDef>,
    /// How much keeping this source matters against each attacker type
    /// (seed 001, 攻撃者属性ごとのログ保管の重要性).
    pub importance: Importance,
}

/// One of [`crate::IMPORTANCE_LEVELS`] per attacker type of
/// [`crate::ATTACKER_TYPES`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Importance {
    pub apt: String,
    pub crime: String,
    pub hacktivism: String,
}

impl Importance {
    /// The level for an attacker type id; `None` for an unknown type.
    pub fn for_attacker(&self, attacker: &str) -> Option<&str> {
        match attacker {
            "apt" => Some(&self.apt),
            "crime" => Some(&self.crime),
            "hacktivism" => Some(&self.hacktivism),
            _ => None,
        }
    }

    /// 0 for very high … 4 for very low: the order a checklist sorts by.
    pub fn rank(level: &str) -> usize {
        crate::IMPORTANCE_LEVELS
            .iter()
            .position(|l| *l == level)
            .unwrap_or(crate::IMPORTANCE_LEVELS.len())
    }
}

/// One recurrence-prevention measure (再発防止策) of phase G's checklist,
/// from seed 003's countermeasures (1)–(8) and exit measures, seed 000's
/// prior measures and seed 004's countermeasures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreventionDef {
    pub id: String,
    /// `technical` or `operational`.
    pub category: String,
    /// One of [`crate::PREVENTION_LAYERS`]: entry, internal, exit, organisation.
    pub layer: String,
    /// Where the source says it.
    pub cite: String,
    pub name: Label,
    pub description: Label,
    /// The incident kinds whose checklist offers it; empty for every kind.
    pub kinds: Vec<String>,
    /// Attack stages (seed 000 ids) it counters.
    pub stages: Vec<String>,
}

impl PreventionDef {
    pub fn applies_to(&self, kind: &str) -> bool {
        self.kinds.is_empty() || self.kinds.iter().any(|k| k == kind)
    }
}

/// A model of the stages of an attack: seed 000's six (the one incidents
/// record), the Lockheed Martin kill chain of seed 001, seed 004's five.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttackModelDef {
    pub id: String,
    pub name: Label,
    pub cite: String,
    pub stages: Vec<AttackModelStage>,
}

/// A log-triage detector: the seed 001 rule it implements, on which log
/// source, and the parameters that tune it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetectorDef {
    /// Stable id, e.g. `proxy.beaconing` (stored with each finding).
    pub id: String,
    /// The log source id (`log_sources.toml`) it reads.
    pub source: String,
    pub name: Label,
    /// The seed's own words for the trace and how to find it.
    pub rule: Label,
    pub cite: String,
    /// Threshold ids and organisation declarations it uses.
    pub parameters: Vec<String>,
}

/// A detector parameter and its built-in value, written as in the file
/// (`12`, `0.1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThresholdDef {
    pub id: String,
    pub value: String,
    pub name: Label,
}

/// A stage of an attack model and the recorded (seed 000) stages it
/// corresponds to; empty where the stage happens out of the defender's
/// sight (the kill chain's weaponisation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttackModelStage {
    pub id: String,
    pub name: Label,
    pub covers: Vec<String>,
}

impl AttackModelDef {
    /// The stages of this model that the recorded stages reach, in order.
    pub fn reached<'m>(&'m self, recorded: &[&str]) -> Vec<&'m AttackModelStage> {
        self.stages
            .iter()
            .filter(|s| s.covers.iter().any(|c| recorded.contains(&c.as_str())))
            .collect()
    }
}

/// A recommended retention: at least `min_days`, up to `max_days` (none:
/// "or more"). The seed gives ranges ("1–2 years") and lower bounds ("2
/// years or more"); both ends are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    pub min_days: u32,
    pub max_days: Option<u32>,
}

impl Retention {
    /// `365–730`, `≥ 730`: the days, for a page.
    pub fn days_text(&self) -> String {
        match self.max_days {
            Some(max) if max > self.min_days => format!("{}–{max}", self.min_days),
            Some(_) => self.min_days.to_string(),
            None => format!("≥ {}", self.min_days),
        }
    }
}

/// An event id to look for, with its criticality and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEventDef {
    pub id: u32,
    /// `high` or `medium_high` (seed 001: "Medium to High").
    pub criticality: String,
    pub meaning: Label,
}

/// The whole model, validated: all seven phases in order A–G and all six
/// roles in the order of [`crate::ROLE_IDS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandlingModel {
    pub phases: Vec<PhaseDef>,
    pub roles: Vec<RoleDef>,
    /// The generic matrix, then each kind's tasks in `KIND_IDS` order.
    pub actions: Vec<ActionDef>,
    pub kinds: Vec<KindDef>,
    /// Most severe first.
    pub severities: Vec<SeverityDef>,
    /// The containment catalogue, by target in the order of
    /// [`crate::CONTAINMENT_TARGETS`], then in file order.
    pub measures: Vec<MeasureDef>,
    /// The log-source catalogue for evidence preservation.
    pub log_sources: Vec<LogSourceDef>,
    /// How far before the earliest known event a preservation window starts,
    /// for every source: seed 001's average dwell time (356 days) unless the
    /// organisation's playbooks say otherwise.
    pub preservation_margin_days: u32,
    /// Phase G's recurrence-prevention checklist, in file order.
    pub prevention: Vec<PreventionDef>,
    /// The attack-stage models; the first is seed 000's, the one recorded.
    pub attack_models: Vec<AttackModelDef>,
    /// The log-triage detectors, in file order.
    pub detectors: Vec<DetectorDef>,
    /// The detectors' numeric parameters with their built-in values.
    pub thresholds: Vec<ThresholdDef>,
    /// Hex SHA-256 over the model files' names and contents, in name order.
    /// The same files give the same hash wherever they were loaded from, so
    /// it tells which version of the playbooks is in force.
    pub content_hash: String,
}

impl HandlingModel {
    pub fn detector(&self, id: &str) -> Option<&DetectorDef> {
        self.detectors.iter().find(|d| d.id == id)
    }

    pub fn phase(&self, id: &str) -> Option<&PhaseDef> {
        self.phases.iter().find(|p| p.id == id)
    }

    pub fn role(&self, id: &str) -> Option<&RoleDef> {
        self.roles.iter().find(|r| r.id == id)
    }

    pub fn action(&self, id: &str) -> Option<&ActionDef> {
        self.actions.iter().find(|a| a.id == id)
    }

    pub fn severity(&self, id: &str) -> Option<&SeverityDef> {
        self.severities.iter().find(|s| s.id == id)
    }

    pub fn measure(&self, id: &str) -> Option<&MeasureDef> {
        self.measures.iter().find(|m| m.id == id)
    }

    pub fn prevention_item(&self, id: &str) -> Option<&PreventionDef> {
        self.prevention.iter().find(|p| p.id == id)
    }

    /// The recurrence-prevention measures offered to an incident of a kind.
    pub fn prevention_for_kind(&self, kind: &str) -> Vec<&PreventionDef> {
        self.prevention
            .iter()
            .filter(|p| p.applies_to(kind))
            .collect()
    }

    pub fn log_source(&self, id: &str) -> Option<&LogSourceDef> {
        self.log_sources.iter().find(|s| s.id == id)
    }

    /// The generic matrix plus the kind's own tasks, by phase A–G and then
    /// in file order.
    pub fn tasks_for_kind(&self, kind: &str) -> Vec<&ActionDef> {
        let mut tasks: Vec<&ActionDef> = self
            .actions
            .iter()
            .filter(|a| a.kind.as_deref().is_none_or(|k| k == kind))
            .collect();
        tasks.sort_by_key(|a| a.phase.clone());
        tasks
    }

    pub fn required_actions(&self, kind: &str, phase: &str) -> Vec<&ActionDef> {
        self.tasks_for_kind(kind)
            .into_iter()
            .filter(|a| a.phase == phase && a.required)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_picks_japanese_only_for_ja() {
        let l = Label {
            ja: "本格調査".into(),
            en: "Full investigation".into(),
        };
        assert_eq!(l.get("ja"), "本格調査");
        assert_eq!(l.get("en"), "Full investigation");
        assert_eq!(l.get("fr"), "Full investigation");
    }
}
