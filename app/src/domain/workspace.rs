//! What the incident page shows beyond the report: tasks, timeline, assets,
//! phase durations, time targets and the commands open to the reader.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use playbooks::Label;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::phase::Phase;
use super::role::Role;
use super::workflow::{Refusal, TaskStatus};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRef {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskView {
    pub id: Uuid,
    pub action_id: String,
    pub phase: Phase,
    pub role: Role,
    pub required: bool,
    /// From the incident kind's playbook rather than the generic matrix.
    pub kind_specific: bool,
    pub name: Label,
    pub description: Label,
    pub inputs: Vec<Label>,
    pub outputs: Vec<Label>,
    /// The skills it takes (要求事項・能力スキル).
    pub skills: Vec<Label>,
    pub raci: playbooks::Raci,
    /// Points to check while doing it.
    pub checklist: Vec<Label>,
    /// The prerequisites not yet done or waived: the task waits for them.
    pub waiting_on: Vec<Label>,
    pub status: TaskStatus,
    pub assignee: Option<String>,
    pub output_note: Option<String>,
    pub waive_reason: Option<String>,
    pub may_progress: bool,
    pub may_waive: bool,
    /// The reader may take this task (it is theirs to do and not yet theirs).
    pub may_take: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub seq: i32,
    pub at: DateTime<Utc>,
    pub actor: Option<String>,
    pub kind: String,
    pub task: Option<String>,
    pub detail: BTreeMap<String, String>,
}

/// One stay of the incident in a phase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseSpan {
    pub phase: Phase,
    pub entered_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
}

crate::string_enum! {
    /// The phase commands, as the page offers them.
    pub enum CommandKind {
        TakeIntoTriage = "take_into_triage",
        Decide = "decide",
        Advance = "advance",
        Close = "close",
        Reopen = "reopen",
    }
}

/// A command the reader's roles allow in the current state; `blocked` says
/// what is still missing when it cannot be applied yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Available {
    pub command: CommandKind,
    pub blocked: Option<Refusal>,
}

/// A task on the "My tasks" page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyTask {
    pub task: Uuid,
    pub human_id: String,
    pub incident_title: String,
    pub phase: Phase,
    pub role: Role,
    pub required: bool,
    pub name: Label,
    pub status: TaskStatus,
    pub assigned_to_me: bool,
}

/// One containment measure on the incident page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureView {
    pub id: Uuid,
    /// The catalogue entry as it was when proposed.
    pub def: playbooks::MeasureDef,
    pub target_type: super::classification::AssetType,
    pub target: String,
    pub status: super::containment::MeasureStatus,
    pub reason: String,
    pub expected_effect: String,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    /// Executed before approval on the officer's emergency path.
    pub emergency: bool,
    pub executed_by: Option<String>,
    pub executed_at: Option<DateTime<Utc>>,
    pub execution_note: Option<String>,
    pub verified_by: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
    pub effective: Option<bool>,
    pub verification_note: Option<String>,
    /// Withdrawn, lifted or made permanent: by whom, when, why.
    pub ended_by: Option<String>,
    pub ended_at: Option<DateTime<Utc>>,
    pub end_note: Option<String>,
    /// The steps the reader may take on it now.
    pub steps: Vec<super::containment::StepKind>,
}

crate::string_enum! {
    pub enum NotificationKind {
        /// To the security officer(s): a proposal waits for a decision.
        ContainmentProposed = "containment_proposed",
        /// To the proposer: the proposal was approved, rejected or executed
        /// on the emergency path.
        ContainmentDecided = "containment_decided",
        /// To the handlers: an observable also appears in another incident.
        ObservableMatched = "observable_matched",
    }
}

/// One entry of the reader's notification list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationView {
    pub id: Uuid,
    pub kind: NotificationKind,
    pub human_id: String,
    pub incident_title: String,
    pub actor: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read: bool,
    /// The containment measure it is about, with its target and status now.
    pub measure: Option<Label>,
    pub target: Option<String>,
    pub status: Option<super::containment::MeasureStatus>,
}
