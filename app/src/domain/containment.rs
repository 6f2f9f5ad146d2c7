//! Temporary containment (暫定対処): the life of one measure taken against one
//! target of an incident, who may move it on, and what the measures in force
//! do to confidentiality, integrity and availability together.
//!
//! proposed → approved | rejected | withdrawn
//! approved → executed | withdrawn
//! proposed | approved → executed (the officer's emergency path)
//! executed → verified | lifted | permanent
//! verified → lifted | permanent

use playbooks::Impact;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::phase::Phase;
use super::policy::roles::{is_officer, may_take_step};
use super::role::Role;
use super::workflow::{Facts, Refusal, Status};
use crate::string_enum;

string_enum! {
    pub enum MeasureStatus {
        Proposed = "proposed",
        Approved = "approved",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
        Executed = "executed",
        Verified = "verified",
        Lifted = "lifted",
        Permanent = "permanent",
    }
}

impl MeasureStatus {
    /// The measure is in force on its target.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            MeasureStatus::Executed | MeasureStatus::Verified | MeasureStatus::Permanent
        )
    }

    /// In force and still temporary: lifted or made permanent before closing.
    pub fn is_temporary(self) -> bool {
        matches!(self, MeasureStatus::Executed | MeasureStatus::Verified)
    }

    /// Approved but neither executed nor withdrawn: phase C cannot be left.
    pub fn is_pending(self) -> bool {
        self == MeasureStatus::Approved
    }
}

string_enum! {
    /// The steps a measure can take after it is proposed, as forms name them.
    pub enum StepKind {
        Approve = "approve",
        Reject = "reject",
        Withdraw = "withdraw",
        Emergency = "emergency",
        Execute = "execute",
        Verify = "verify",
        Lift = "lift",
        MakePermanent = "make_permanent",
    }
}

/// One step on a measure, with what it must carry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// The security officer approves someone else's proposal.
    Approve {
        rationale: String,
        evidence_confirmed: bool,
    },
    Reject {
        rationale: String,
    },
    /// The proposer or the officer takes it back before it is executed.
    Withdraw {
        reason: String,
    },
    /// The officer executes at once and records the approval afterwards,
    /// with a justification; flagged in the timeline.
    Emergency {
        justification: String,
        evidence_confirmed: bool,
    },
    Execute {
        note: String,
    },
    /// Did it work?
    Verify {
        effective: bool,
        note: String,
    },
    /// Rolled back.
    Lift {
        reason: String,
    },
    /// Kept for good: part of the full response rather than temporary.
    MakePermanent {
        note: String,
    },
}

impl Step {
    pub fn kind(&self) -> StepKind {
        match self {
            Step::Approve { .. } => StepKind::Approve,
            Step::Reject { .. } => StepKind::Reject,
            Step::Withdraw { .. } => StepKind::Withdraw,
            Step::Emergency { .. } => StepKind::Emergency,
            Step::Execute { .. } => StepKind::Execute,
            Step::Verify { .. } => StepKind::Verify,
            Step::Lift { .. } => StepKind::Lift,
            Step::MakePermanent { .. } => StepKind::MakePermanent,
        }
    }
}

/// What the rules need to know about one measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MeasureFacts {
    pub status: MeasureStatus,
    pub proposed_by: Uuid,
    /// Executing it destroys evidence (the catalogue says what).
    pub destroys_evidence: bool,
    /// The role that normally executes it.
    pub executor: Role,
}

/// Containment is proposed once the report is taken into triage and while the
/// incident is open, by the handling roles.
pub fn may_propose(roles: &[Role], f: &Facts) -> Result<(), Refusal> {
    if !super::policy::roles::may_propose(roles) {
        return Err(Refusal::Role);
    }
    if f.status == Status::Closed || f.phase == Phase::A {
        return Err(Refusal::NotNow);
    }
    Ok(())
}

/// The steps open to the reader on a measure now.
pub fn open_steps(actor: Uuid, roles: &[Role], f: &Facts, m: &MeasureFacts) -> Vec<StepKind> {
    StepKind::ALL
        .iter()
        .copied()
        .filter(|k| may_take_step(actor, roles, m, *k) && next_status(f, m.status, *k).is_ok())
        .collect()
}

/// Decides one step; returns the measure's new status.
pub fn step(
    actor: Uuid,
    roles: &[Role],
    f: &Facts,
    m: &MeasureFacts,
    step: &Step,
) -> Result<MeasureStatus, Refusal> {
    let kind = step.kind();
    if !may_take_step(actor, roles, m, kind) {
        return Err(
            if matches!(kind, StepKind::Approve | StepKind::Reject) && is_officer(roles) {
                Refusal::OwnProposal
            } else {
                Refusal::Role
            },
        );
    }
    let next = next_status(f, m.status, kind)?;
    match step {
        Step::Approve {
            rationale,
            evidence_confirmed,
        } => {
            given(rationale)?;
            evidence(m, *evidence_confirmed)?;
        }
        Step::Emergency {
            justification,
            evidence_confirmed,
        } => {
            given(justification)?;
            evidence(m, *evidence_confirmed)?;
        }
        Step::Reject { rationale } => given(rationale)?,
        Step::Withdraw { reason } | Step::Lift { reason } => given(reason)?,
        Step::MakePermanent { note } => given(note)?,
        Step::Verify { effective, note } => {
            // Saying it did not work needs to say what was seen.
            if !effective {
                given(note)?;
            }
        }
        Step::Execute { .. } => {}
    }
    Ok(next)
}

fn next_status(f: &Facts, now: MeasureStatus, kind: StepKind) -> Result<MeasureStatus, Refusal> {
    use MeasureStatus as S;
    if f.status == Status::Closed {
        return Err(Refusal::NotNow);
    }
    let next = match (now, kind) {
        (S::Proposed, StepKind::Approve) => S::Approved,
        (S::Proposed, StepKind::Reject) => S::Rejected,
        (S::Proposed | S::Approved, StepKind::Withdraw) => S::Withdrawn,
        (S::Proposed | S::Approved, StepKind::Emergency) => S::Executed,
        (S::Approved, StepKind::Execute) => S::Executed,
        (S::Executed, StepKind::Verify) => S::Verified,
        (S::Executed | S::Verified, StepKind::Lift) => S::Lifted,
        (S::Executed | S::Verified, StepKind::MakePermanent) => S::Permanent,
        _ => return Err(Refusal::NotNow),
    };
    Ok(next)
}

fn given(text: &str) -> Result<(), Refusal> {
    if text.trim().is_empty() {
        Err(Refusal::ReasonRequired)
    } else {
        Ok(())
    }
}

fn evidence(m: &MeasureFacts, confirmed: bool) -> Result<(), Refusal> {
    if m.destroys_evidence && !confirmed {
        Err(Refusal::EvidenceNotConfirmed)
    } else {
        Ok(())
    }
}

/// How far the measures in force protect and degrade one property: the
/// strongest protection and the worst degradation, each 0–3. Protection on
/// one target does not cancel the outage another measure causes, so the two
/// are kept apart rather than summed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effect {
    pub protects: u8,
    pub degrades: u8,
}

impl Effect {
    fn add(&mut self, level: i8) {
        if level > 0 {
            self.protects = self.protects.max(level.unsigned_abs());
        } else {
            self.degrades = self.degrades.max(level.unsigned_abs());
        }
    }
}

/// The combined C/I/A effect of the measures in force.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cia {
    pub c: Effect,
    pub i: Effect,
    pub a: Effect,
}

pub fn combined(impacts: impl IntoIterator<Item = Impact>) -> Cia {
    let mut cia = Cia::default();
    for x in impacts {
        cia.c.add(x.c);
        cia.i.add(x.i);
        cia.a.add(x.a);
    }
    cia
}

#[cfg(test)]
#[path = "containment_tests.rs"]
mod tests;
