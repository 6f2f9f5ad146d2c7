//! A change to an incident, as a value: what the server functions pass to
//! the services, and what the policy judges (`policy::IncidentAct::of`).

use uuid::Uuid;

use super::classification::{AssetType, AttackRoute, AttackStage, AttackerType, Severity, Tlp};
use super::containment::Step;
use super::evidence::CustodyKind;
use super::workflow::{Command, TaskStatus};

/// One change to an incident, as the server functions pass it on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IncidentOp {
    Command(Command),
    Task {
        task: Uuid,
        status: TaskStatus,
        note: Option<String>,
    },
    Waive {
        task: Uuid,
        reason: String,
    },
    /// Give a task to a person, or take it back (`None`).
    AssignTask {
        task: Uuid,
        assignee: Option<Uuid>,
    },
    Classify {
        tlp: Tlp,
        /// Every stage reached (seed 000's model).
        stages: Vec<AttackStage>,
        attacker: Option<AttackerType>,
        route: Option<AttackRoute>,
        severity: Option<Severity>,
    },
    AddAsset {
        asset_type: AssetType,
        identifier: String,
        note: String,
    },
    RemoveAsset {
        asset: Uuid,
    },
    Assign {
        responder: Option<Uuid>,
        officer: Option<Uuid>,
    },
    Prevention {
        technical: String,
        operational: String,
    },
    /// Records one value a triage finding implicates as an observable, and
    /// marks the finding promoted.
    PromoteFinding {
        finding: Uuid,
        observable: super::observable::ValidObservable,
    },
    /// Opens a task for one role, in the current phase, to follow a triage
    /// finding up (its explanation and cited lines are the task's input).
    TaskFromFinding {
        finding: Uuid,
        role: super::Role,
    },
    /// Sets a triage finding aside, with the reason.
    DismissFinding {
        finding: Uuid,
        reason: String,
    },
    /// The decision on one measure of phase G's recurrence-prevention
    /// checklist (its playbook id).
    DecidePrevention {
        item: String,
        choice: super::prevention::PreventionChoice,
    },
    Comment {
        task: Option<Uuid>,
        text: String,
        /// Who it is for, when a handler chooses; others' comments go to
        /// the audience their access implies.
        audience: Option<super::policy::Audience>,
    },
    /// Propose a catalogue measure against one of the incident's assets.
    /// With `emergency`, the officer executes it at once (the justification
    /// is then the emergency path's).
    Propose {
        measure: String,
        asset: Uuid,
        reason: String,
        expected_effect: String,
        emergency: Option<EmergencyNow>,
    },
    /// One step on a proposed measure.
    Containment {
        measure: Uuid,
        step: Step,
    },
    /// The officer waives a preservation-checklist item, with a reason.
    WaiveChecklist {
        item: Uuid,
        reason: String,
    },
    /// A custody event recorded by hand: transferred, returned, disposed.
    Custody {
        evidence: Uuid,
        kind: CustodyKind,
        from: String,
        to: String,
        reason: String,
    },
    /// The officer engages an external organisation on the incident.
    Engage(super::external::ValidEngagement),
    /// The officer ends an engagement now, with a reason.
    Revoke {
        engagement: Uuid,
        reason: String,
    },
    /// The engaged vendor submits or revises its full-investigation report.
    SubmitReport(super::external::ReportParts),
    /// Re-hash the stored file and record the result. `actual` is filled in
    /// by the backend (the hash it computed, `None` when the file is gone),
    /// never by the caller.
    VerifyEvidence {
        evidence: Uuid,
        actual: Option<Option<String>>,
    },
    /// Record one observable (or refresh the same value's record).
    AddObservable(super::observable::ValidObservable),
    /// Record every line of a pasted block.
    PasteObservables(super::observable::ValidPaste),
    EditObservable {
        observable: Uuid,
        change: super::observable::ObservableChange,
    },
    RemoveObservable {
        observable: Uuid,
    },
}

/// The officer's emergency path taken at the moment of proposing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmergencyNow {
    pub justification: String,
    pub evidence_confirmed: bool,
}
