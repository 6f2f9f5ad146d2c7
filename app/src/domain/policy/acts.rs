//! What the policy judges a change as. An operation names at most one thing
//! inside the incident ([`IncidentOp::names`]); the services look it up and
//! hand back what they found ([`Found`]); [`IncidentAct::of`] then says
//! which subject the reader must be able to see and which act the access
//! must allow. Both are matches over every operation, without a wildcard: a
//! new operation does not compile until someone decides how it is judged.

use uuid::Uuid;

use super::{IncidentAct, Subject};
use crate::domain::operation::IncidentOp;
use crate::domain::{Phase, Role};

/// The thing inside the incident an operation names, by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Named {
    Nothing,
    Task(Uuid),
    Measure(Uuid),
    Evidence(Uuid),
    Engagement(Uuid),
    Checklist,
    Observable(Uuid),
    /// Nothing by id, but the act depends on the incident's current phase
    /// (a new observable lives in it).
    CurrentPhase,
}

/// What the services found for a [`Named`] thing of this incident. A
/// named thing that is not there is `NotFound` before the policy is asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    Nothing,
    Task {
        phase: Phase,
        role: Role,
    },
    /// A containment measure and the role that normally executes it.
    Measure {
        executor: String,
    },
    /// An evidence item; `own` when the reader's organisation uploaded it.
    Evidence {
        item: Uuid,
        own: bool,
    },
    /// An engagement; `own` when it is the reader's organisation's.
    Engagement {
        own: bool,
    },
    Checklist,
    /// An observable and the phase it was recorded in.
    Observable {
        phase: Phase,
    },
    /// The incident's current phase.
    Phase(Phase),
}

impl IncidentOp {
    /// The one thing inside the incident this operation names.
    pub fn names(&self) -> Named {
        match self {
            IncidentOp::Task { task, .. }
            | IncidentOp::Waive { task, .. }
            | IncidentOp::AssignTask { task, .. }
            | IncidentOp::Comment {
                task: Some(task), ..
            } => Named::Task(*task),
            IncidentOp::Containment { measure, .. } => Named::Measure(*measure),
            IncidentOp::Custody { evidence, .. } | IncidentOp::VerifyEvidence { evidence, .. } => {
                Named::Evidence(*evidence)
            }
            IncidentOp::Revoke { engagement, .. } => Named::Engagement(*engagement),
            IncidentOp::WaiveChecklist { .. } => Named::Checklist,
            IncidentOp::EditObservable { observable, .. }
            | IncidentOp::RemoveObservable { observable } => Named::Observable(*observable),
            // Promoting a finding records an observable: judged the same
            // way (the service checks the reader sees the finding's item).
            IncidentOp::AddObservable(_)
            | IncidentOp::PasteObservables(_)
            | IncidentOp::PromoteFinding { .. } => Named::CurrentPhase,
            // Assets and catalogue measures are named too, but they are the
            // handlers' alone: the act decides, no subject is needed.
            IncidentOp::Comment { task: None, .. }
            | IncidentOp::Command(_)
            | IncidentOp::Classify { .. }
            | IncidentOp::AddAsset { .. }
            | IncidentOp::RemoveAsset { .. }
            | IncidentOp::Assign { .. }
            | IncidentOp::Prevention { .. }
            | IncidentOp::DecidePrevention { .. }
            | IncidentOp::DismissFinding { .. }
            | IncidentOp::TaskFromFinding { .. }
            | IncidentOp::Propose { .. }
            | IncidentOp::Engage(_)
            | IncidentOp::SubmitReport(_) => Named::Nothing,
        }
    }
}

impl Found {
    /// The subject the reader must see for the operation to exist for it.
    pub fn subject(&self) -> Option<Subject> {
        match self {
            Found::Nothing => None,
            Found::Task { phase, .. } => Some(Subject::Task(*phase)),
            Found::Measure { executor } => Some(Subject::Measure {
                executor: executor.clone(),
            }),
            Found::Evidence { item, own } => Some(Subject::Evidence {
                item: Some(*item),
                own: *own,
            }),
            Found::Engagement { own } => Some(Subject::Engagement { own: *own }),
            Found::Checklist => Some(Subject::Checklist),
            Found::Observable { phase } | Found::Phase(phase) => Some(Subject::Observable(*phase)),
        }
    }
}

impl IncidentAct {
    /// The act an operation is judged as, given what it names.
    pub fn of(op: &IncidentOp, found: &Found) -> IncidentAct {
        match op {
            // Working a task is judged by the task's phase and role; a task
            // that was not told is judged strictly, as handling.
            IncidentOp::Task { .. } | IncidentOp::AssignTask { .. } => match found {
                Found::Task { phase, role } => IncidentAct::Task {
                    phase: *phase,
                    role: *role,
                },
                _ => IncidentAct::Handling,
            },
            IncidentOp::Comment { .. } => IncidentAct::Comment,
            IncidentOp::Containment { .. } => IncidentAct::Containment,
            IncidentOp::SubmitReport(_) => IncidentAct::Report,
            // Observables are judged by the phase they live in: a new one's
            // is the incident's current phase.
            IncidentOp::AddObservable(_)
            | IncidentOp::PasteObservables(_)
            | IncidentOp::PromoteFinding { .. }
            | IncidentOp::EditObservable { .. }
            | IncidentOp::RemoveObservable { .. } => match found {
                Found::Observable { phase } | Found::Phase(phase) => {
                    IncidentAct::Observe { phase: *phase }
                }
                _ => IncidentAct::Handling,
            },
            IncidentOp::Waive { .. }
            | IncidentOp::Custody { .. }
            | IncidentOp::VerifyEvidence { .. }
            | IncidentOp::WaiveChecklist { .. }
            | IncidentOp::Revoke { .. }
            | IncidentOp::Command(_)
            | IncidentOp::Classify { .. }
            | IncidentOp::AddAsset { .. }
            | IncidentOp::RemoveAsset { .. }
            | IncidentOp::Assign { .. }
            | IncidentOp::Prevention { .. }
            | IncidentOp::DecidePrevention { .. }
            | IncidentOp::DismissFinding { .. }
            | IncidentOp::TaskFromFinding { .. }
            | IncidentOp::Propose { .. }
            | IncidentOp::Engage(_) => IncidentAct::Handling,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::{Command, TaskStatus};

    #[test]
    fn a_task_operation_is_judged_by_its_tasks_phase_and_role() {
        let task = Uuid::new_v4();
        let op = IncidentOp::Task {
            task,
            status: TaskStatus::Done,
            note: None,
        };
        assert_eq!(op.names(), Named::Task(task));
        let found = Found::Task {
            phase: Phase::E,
            role: Role::ExternalSpecialist,
        };
        assert_eq!(
            IncidentAct::of(&op, &found),
            IncidentAct::Task {
                phase: Phase::E,
                role: Role::ExternalSpecialist
            }
        );
        assert_eq!(found.subject(), Some(Subject::Task(Phase::E)));
        // Not told the task: the strictest act, the handlers'.
        assert_eq!(IncidentAct::of(&op, &Found::Nothing), IncidentAct::Handling);
        // Waiving a task is the handlers' business, whatever the task.
        let waive = IncidentOp::Waive {
            task,
            reason: "r".into(),
        };
        assert_eq!(IncidentAct::of(&waive, &found), IncidentAct::Handling);
    }

    #[test]
    fn promoting_a_finding_is_recording_an_observable_deciding_on_it_is_handling() {
        let finding = Uuid::new_v4();
        let promote = IncidentOp::PromoteFinding {
            finding,
            observable: crate::domain::observable::ValidObservable {
                kind: crate::domain::observable::ObservableType::C2Domain,
                value: "evil.example".into(),
                tlp: crate::domain::classification::Tlp::Amber,
                pap: crate::domain::observable::Pap::Amber,
                indicator: false,
                sighted: true,
                confidence: None,
                tags: Vec::new(),
                source: String::new(),
                note: String::new(),
            },
        };
        assert_eq!(promote.names(), Named::CurrentPhase);
        assert_eq!(
            IncidentAct::of(&promote, &Found::Phase(Phase::E)),
            IncidentAct::Observe { phase: Phase::E }
        );
        let dismiss = IncidentOp::DismissFinding {
            finding,
            reason: "r".into(),
        };
        let task = IncidentOp::TaskFromFinding {
            finding,
            role: Role::ItLanAdmin,
        };
        for op in [dismiss, task] {
            assert_eq!(op.names(), Named::Nothing);
            assert_eq!(IncidentAct::of(&op, &Found::Nothing), IncidentAct::Handling);
        }
    }

    #[test]
    fn what_outside_parties_may_ask_for_is_judged_as_its_own_act() {
        let comment = IncidentOp::Comment {
            task: None,
            text: "t".into(),
            audience: None,
        };
        assert_eq!(comment.names(), Named::Nothing);
        assert_eq!(
            IncidentAct::of(&comment, &Found::Nothing),
            IncidentAct::Comment
        );
        let measure = Uuid::new_v4();
        let step = IncidentOp::Containment {
            measure,
            step: crate::domain::containment::Step::Execute {
                note: String::new(),
            },
        };
        assert_eq!(step.names(), Named::Measure(measure));
        assert_eq!(
            IncidentAct::of(&step, &Found::Nothing),
            IncidentAct::Containment
        );
        assert_eq!(
            IncidentAct::of(&IncidentOp::Command(Command::Close), &Found::Nothing),
            IncidentAct::Handling
        );
        assert_eq!(
            IncidentOp::WaiveChecklist {
                item: Uuid::new_v4(),
                reason: "r".into()
            }
            .names(),
            Named::Checklist
        );
    }
}
