//! The handling workflow: the only transitions an incident can make between
//! phases A–G, who may make them, and what must be finished first. Pure rules
//! over plain facts; the services gather the facts inside the transaction
//! that applies the outcome.

use serde::{Deserialize, Serialize};

use super::classification::Severity;
use super::phase::Phase;
use super::policy::roles::{may_command, may_give_task, may_work_task};
use super::role::Role;
use super::workspace::{Available, CommandKind};
use crate::string_enum;

string_enum! {
    /// The first-response decision of phase B (初動対処の可否判断).
    pub enum Decision {
        RespondNow = "respond_now",
        Watch = "watch",
        NotAnIncident = "not_an_incident",
    }
}

string_enum! {
    pub enum Status {
        Open = "open",
        Closed = "closed",
    }
}

string_enum! {
    pub enum CloseReason {
        NotAnIncident = "not_an_incident",
        Resolved = "resolved",
    }
}

string_enum! {
    pub enum TaskStatus {
        Open = "open",
        InProgress = "in_progress",
        Done = "done",
        Waived = "waived",
    }
}

impl TaskStatus {
    /// Counts as a delivered output of its phase.
    pub fn is_finished(self) -> bool {
        matches!(self, TaskStatus::Done | TaskStatus::Waived)
    }
}

/// What the rules need to know about an incident.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    pub phase: Phase,
    pub status: Status,
    pub decision: Option<Decision>,
    /// Required tasks of the current phase that are neither done nor waived.
    pub open_required_tasks: usize,
    /// Approved containment measures neither executed nor withdrawn (phase C).
    pub pending_containment: usize,
    /// Containment measures in force and still temporary: lifted or made
    /// permanent before the incident closes.
    pub active_containment: usize,
    pub prevention_technical: bool,
    pub prevention_operational: bool,
    /// Measures of the recurrence-prevention checklist neither accepted,
    /// rejected nor scheduled.
    pub prevention_undecided: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    /// A → B: a handling role takes the report into triage.
    TakeIntoTriage,
    /// In B: the security officer's first-response decision and severity.
    Decide {
        decision: Decision,
        severity: Severity,
        reason: String,
    },
    /// B→C, C→D, D→E, E→F, F→G: the security officer signs the phase off.
    Advance,
    /// G → closed, with recurrence-prevention measures recorded.
    Close,
    /// Closed → open again, in the phase it was closed in.
    Reopen { reason: String },
}

/// Why a command is refused. The page shows these; the API returns them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// The acting user's roles do not allow this command.
    Role,
    /// The command does not apply in the current phase or status.
    NotNow,
    /// Required tasks of the phase are neither done nor waived.
    OutputsMissing(usize),
    /// Approved containment measures are neither executed nor withdrawn.
    ContainmentPending(usize),
    /// Temporary containment is still in force: lift it or make it permanent.
    ContainmentActive(usize),
    /// No one decides on their own containment proposal.
    OwnProposal,
    /// The measure destroys evidence: confirm what was preserved first.
    EvidenceNotConfirmed,
    /// B can only be left after the decision to respond now.
    DecisionNeeded,
    /// G closes only with technical and operational measures recorded.
    PreventionMissing,
    /// Measures of the recurrence-prevention checklist are still undecided.
    PreventionUndecided(usize),
    /// The task depends on tasks not yet done or waived.
    WaitingFor(usize),
    /// A reason must be given.
    ReasonRequired,
    /// An indicator shared with partners: stop sharing it before it is
    /// removed, raised above TLP:AMBER or no longer an indicator.
    StillShared,
    /// Not something partners may be given: not an indicator, above
    /// TLP:AMBER or allow-listed.
    NotShareable,
}

/// What a permitted command does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub phase: Phase,
    pub status: Status,
    pub close_reason: Option<CloseReason>,
}

impl Command {
    pub fn kind(&self) -> CommandKind {
        match self {
            Command::TakeIntoTriage => CommandKind::TakeIntoTriage,
            Command::Decide { .. } => CommandKind::Decide,
            Command::Advance => CommandKind::Advance,
            Command::Close => CommandKind::Close,
            Command::Reopen { .. } => CommandKind::Reopen,
        }
    }
}

/// Decides whether `roles` may apply `command` to an incident in state `f`.
pub fn check(roles: &[Role], f: &Facts, command: &Command) -> Result<Outcome, Refusal> {
    allowed_now(roles, f, command.kind())?;
    let stay = |status, close_reason| Outcome {
        phase: f.phase,
        status,
        close_reason,
    };
    match command {
        Command::Reopen { reason } => {
            reason_given(reason)?;
            Ok(stay(Status::Open, None))
        }
        Command::TakeIntoTriage => Ok(Outcome {
            phase: Phase::B,
            status: Status::Open,
            close_reason: None,
        }),
        Command::Decide {
            decision, reason, ..
        } => {
            reason_given(reason)?;
            Ok(match decision {
                Decision::NotAnIncident => stay(Status::Closed, Some(CloseReason::NotAnIncident)),
                Decision::RespondNow | Decision::Watch => stay(Status::Open, None),
            })
        }
        Command::Advance => Ok(Outcome {
            phase: next_phase(f.phase).ok_or(Refusal::NotNow)?,
            status: Status::Open,
            close_reason: None,
        }),
        Command::Close => Ok(stay(Status::Closed, Some(CloseReason::Resolved))),
    }
}

/// The phase B–F hand over to; A is left by triage, G by closing.
fn next_phase(p: Phase) -> Option<Phase> {
    match p {
        Phase::A | Phase::G => None,
        Phase::B => Some(Phase::C),
        Phase::C => Some(Phase::D),
        Phase::D => Some(Phase::E),
        Phase::E => Some(Phase::F),
        Phase::F => Some(Phase::G),
    }
}

/// Whether a kind of command may be given now, whatever its reason says:
/// the roles first (`policy::roles::may_command`), then the incident's
/// phase and status and what must be finished before.
pub fn allowed_now(roles: &[Role], f: &Facts, kind: CommandKind) -> Result<(), Refusal> {
    require(may_command(roles, kind))?;
    match kind {
        CommandKind::Reopen if f.status != Status::Closed => Err(Refusal::NotNow),
        CommandKind::Reopen => Ok(()),
        // Nothing happens to a closed incident but reopening it.
        _ if f.status == Status::Closed => Err(Refusal::NotNow),
        CommandKind::TakeIntoTriage => {
            if f.phase != Phase::A {
                return Err(Refusal::NotNow);
            }
            outputs_done(f)
        }
        CommandKind::Decide if f.phase != Phase::B => Err(Refusal::NotNow),
        CommandKind::Decide => Ok(()),
        CommandKind::Advance => {
            next_phase(f.phase).ok_or(Refusal::NotNow)?;
            if f.phase == Phase::B && f.decision != Some(Decision::RespondNow) {
                return Err(Refusal::DecisionNeeded);
            }
            outputs_done(f)?;
            if f.phase == Phase::C && f.pending_containment > 0 {
                return Err(Refusal::ContainmentPending(f.pending_containment));
            }
            Ok(())
        }
        CommandKind::Close => {
            if f.phase != Phase::G {
                return Err(Refusal::NotNow);
            }
            outputs_done(f)?;
            if !(f.prevention_technical && f.prevention_operational) {
                return Err(Refusal::PreventionMissing);
            }
            if f.active_containment > 0 {
                return Err(Refusal::ContainmentActive(f.active_containment));
            }
            if f.prevention_undecided > 0 {
                return Err(Refusal::PreventionUndecided(f.prevention_undecided));
            }
            Ok(())
        }
    }
}

/// The commands the reader's roles allow in this state, each with what
/// still blocks it, if anything; the ones that do not apply at all (not the
/// reader's, or not in this phase) are left out.
pub fn available(roles: &[Role], f: &Facts) -> Vec<Available> {
    CommandKind::ALL
        .iter()
        .filter_map(|&command| match allowed_now(roles, f, command) {
            Ok(()) => Some(Available {
                command,
                blocked: None,
            }),
            Err(Refusal::Role | Refusal::NotNow) => None,
            Err(r) => Some(Available {
                command,
                blocked: Some(r),
            }),
        })
        .collect()
}

fn require(allowed: bool) -> Result<(), Refusal> {
    if allowed { Ok(()) } else { Err(Refusal::Role) }
}

fn reason_given(reason: &str) -> Result<(), Refusal> {
    if reason.trim().is_empty() {
        Err(Refusal::ReasonRequired)
    } else {
        Ok(())
    }
}

fn outputs_done(f: &Facts) -> Result<(), Refusal> {
    match f.open_required_tasks {
        0 => Ok(()),
        n => Err(Refusal::OutputsMissing(n)),
    }
}

/// The prerequisites (`depends_on`) a task still waits for: those of the
/// incident's tasks neither done nor waived, except in a phase the incident
/// has already left (nothing can finish them there any more, so they hold
/// nothing up). A prerequisite the incident does not have (a kind task's
/// dependency on a task another version of the playbook had) holds nothing
/// up either.
pub fn waiting_on<'d>(
    depends_on: &'d [String],
    tasks: &[(&str, Phase, TaskStatus)],
    current: Phase,
) -> Vec<&'d str> {
    depends_on
        .iter()
        .map(String::as_str)
        .filter(|dep| {
            tasks
                .iter()
                .any(|(id, phase, status)| id == dep && *phase >= current && !status.is_finished())
        })
        .collect()
}

/// Starting or finishing a task waits for its prerequisites; opening it
/// again never does.
pub fn may_start(status: TaskStatus, waiting: usize) -> Result<(), Refusal> {
    match status {
        TaskStatus::InProgress | TaskStatus::Done if waiting > 0 => {
            Err(Refusal::WaitingFor(waiting))
        }
        _ => Ok(()),
    }
}

/// The longest reason a waiver may give.
pub const WAIVE_REASON_MAX: usize = 2_000;

/// Why a task or a checklist item is waived: required, at most
/// [`WAIVE_REASON_MAX`] characters, cleaned like any free text.
pub fn validate_waive_reason(reason: &str) -> Result<String, Vec<super::form::FieldError>> {
    super::form::required_text("reason", reason, WAIVE_REASON_MAX)
}

pub const COMMENT_MAX: usize = 10_000;

/// A comment on the timeline.
pub fn validate_comment(text: &str) -> Result<String, Vec<super::form::FieldError>> {
    super::form::required_text("text", text, COMMENT_MAX)
}

/// What may be done to one task of the incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskChange {
    /// Open, in progress or done, with an output note.
    Progress,
    /// Waived with a reason; the security officer's call only.
    Waive,
}

/// Tasks are worked in their own phase while the incident is open, by the
/// holders of the task's role, the person it is assigned to, or the security
/// officer; only the security officer waives.
pub fn may_change_task(
    roles: &[Role],
    is_assignee: bool,
    task_role: Role,
    task_phase: Phase,
    f: &Facts,
    change: TaskChange,
) -> Result<(), Refusal> {
    require(may_work_task(roles, is_assignee, task_role, change))?;
    if f.status == Status::Closed || task_phase != f.phase {
        return Err(Refusal::NotNow);
    }
    Ok(())
}

#[cfg(test)]
#[path = "workflow_tests.rs"]
mod tests;

/// Who may give a task to a person: the officer to anyone who may work it; a
/// holder of the task's role to themselves (taking it). Any phase, while the
/// incident is open, so work can be planned ahead.
pub fn may_assign_task(
    roles: &[Role],
    task_role: Role,
    to_self: bool,
    f: &Facts,
) -> Result<(), Refusal> {
    require(may_give_task(roles, task_role, to_self))?;
    if f.status == Status::Closed {
        return Err(Refusal::NotNow);
    }
    Ok(())
}

/// Everything that changes an incident besides the phase commands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Edit {
    /// TLP, attack stage and route by handlers; severity by the officer.
    Classify {
        severity_changed: bool,
    },
    Asset,
    Assign,
    Prevention,
    Comment,
    /// Engage an external organisation on the incident.
    Engage,
    /// End an engagement; also once the incident is closed.
    Revoke,
    /// The vendor's report: who may write it is its engagement's scope
    /// (`policy::may_act`); it is revised until the incident is closed.
    Report,
    /// Recording, changing or removing observables: who may is the access
    /// (`policy::IncidentAct::Observe`); only while the incident is open.
    Observe,
    /// Opening a task the playbook did not foresee (from a triage finding).
    Task,
}

/// Who may make an edit. Comments are open to everyone who can see the
/// incident (the reporter answers questions there), even once it is closed.
pub fn may_edit(roles: &[Role], f: &Facts, edit: &Edit) -> Result<(), Refusal> {
    require(super::policy::roles::may_edit(roles, edit))?;
    if f.status == Status::Closed && !matches!(edit, Edit::Comment | Edit::Revoke) {
        return Err(Refusal::NotNow);
    }
    Ok(())
}
