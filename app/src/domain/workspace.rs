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
