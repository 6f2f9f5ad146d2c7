//! Which roles may do what inside an incident they reach, before its phase
//! and status are looked at. The state rules (`workflow`, `containment`,
//! `evidence`) ask these first and refuse with `Refusal::Role` when they say
//! no; the incident page's flags (`Permissions`) come from the same calls.

use uuid::Uuid;

use crate::domain::containment::{MeasureFacts, StepKind};
use crate::domain::role::Role;
use crate::domain::workflow::{Edit, TaskChange};
use crate::domain::workspace::CommandKind;

/// An internal handling role (the LAN administrators, the security officer).
pub fn is_handler(roles: &[Role]) -> bool {
    roles.iter().any(|r| r.is_internal_handler())
}

pub fn is_officer(roles: &[Role]) -> bool {
    roles.contains(&Role::SecurityOfficer)
}

/// Taking a report into triage is any handler's; the decisions that move
/// the incident on (first response, sign-off, closing, reopening) are the
/// security officer's.
pub fn may_command(roles: &[Role], kind: CommandKind) -> bool {
    match kind {
        CommandKind::TakeIntoTriage => is_handler(roles),
        CommandKind::Decide | CommandKind::Advance | CommandKind::Close | CommandKind::Reopen => {
            is_officer(roles)
        }
    }
}

/// A task is worked by the holders of its role, the person it is assigned
/// to, or the security officer; only the security officer waives one.
pub fn may_work_task(
    roles: &[Role],
    is_assignee: bool,
    task_role: Role,
    change: TaskChange,
) -> bool {
    match change {
        TaskChange::Waive => is_officer(roles),
        TaskChange::Progress => is_officer(roles) || is_assignee || roles.contains(&task_role),
    }
}

/// The officer gives a task to anyone who may work it; a holder of the
/// task's role takes it for themselves.
pub fn may_give_task(roles: &[Role], task_role: Role, to_self: bool) -> bool {
    is_officer(roles) || (to_self && roles.contains(&task_role))
}

/// Someone who may be given a task of this role.
pub fn may_be_given_task(roles: &[Role], task_role: Role) -> bool {
    roles.contains(&task_role) || is_officer(roles)
}

/// Comments (and the vendor's report, whose writer the engagement's scope
/// decides) are open to everyone who reaches the incident; assigning,
/// engaging, revoking and changing the severity are the officer's; the
/// rest of the classification, assets and prevention any handler's.
pub fn may_edit(roles: &[Role], edit: &Edit) -> bool {
    match edit {
        Edit::Comment | Edit::Report | Edit::Observe => true,
        Edit::Assign | Edit::Engage | Edit::Revoke => is_officer(roles),
        Edit::Classify {
            severity_changed: true,
        } => is_officer(roles),
        Edit::Classify {
            severity_changed: false,
        }
        | Edit::Asset
        | Edit::Task
        | Edit::Prevention => is_handler(roles),
    }
}

/// Containment is proposed by the handling roles.
/// Sharing an indicator with partners (the TAXII collections) is the
/// security officer's decision: it leaves the organisation.
pub fn may_share_intel(roles: &[Role]) -> bool {
    is_officer(roles)
}

pub fn may_propose(roles: &[Role]) -> bool {
    is_handler(roles)
}

/// Who may take a kind of step on a measure, before its state is looked at.
/// No one decides on their own proposal; an ISP executes what is addressed
/// to it.
pub fn may_take_step(actor: Uuid, roles: &[Role], m: &MeasureFacts, kind: StepKind) -> bool {
    let officer = is_officer(roles);
    match kind {
        StepKind::Approve | StepKind::Reject => officer && actor != m.proposed_by,
        StepKind::Emergency | StepKind::Lift | StepKind::MakePermanent => officer,
        StepKind::Withdraw => officer || actor == m.proposed_by,
        StepKind::Execute | StepKind::Verify => {
            is_handler(roles) || (m.executor == Role::Isp && roles.contains(&Role::Isp))
        }
    }
}

/// Handling roles see and handle evidence; reporters do not, and external
/// parties only through an engagement's scope (`policy::may_act`).
pub fn may_handle_evidence(roles: &[Role]) -> bool {
    is_handler(roles)
}

/// Waiving a checklist item is the security officer's call.
pub fn may_waive_checklist(roles: &[Role]) -> bool {
    is_officer(roles)
}

/// Disposing of evidence destroys it: the officer only.
pub fn may_dispose_evidence(roles: &[Role]) -> bool {
    is_officer(roles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_is_handled_by_handlers_and_disposed_and_waived_by_the_officer() {
        for r in Role::ALL {
            assert_eq!(may_handle_evidence(&[r]), r.is_internal_handler(), "{r:?}");
            assert_eq!(
                may_dispose_evidence(&[r]),
                r == Role::SecurityOfficer,
                "{r:?}"
            );
            assert_eq!(
                may_waive_checklist(&[r]),
                r == Role::SecurityOfficer,
                "{r:?}"
            );
        }
    }

    #[test]
    fn only_triage_is_every_handlers_the_other_commands_are_the_officers() {
        for r in Role::ALL {
            for k in CommandKind::ALL {
                let expected = match k {
                    CommandKind::TakeIntoTriage => r.is_internal_handler(),
                    _ => r == Role::SecurityOfficer,
                };
                assert_eq!(may_command(&[r], *k), expected, "{r:?} {k:?}");
            }
        }
    }

    #[test]
    fn the_severity_is_the_officers_the_rest_of_the_classification_any_handlers() {
        let change = Edit::Classify {
            severity_changed: true,
        };
        let keep = Edit::Classify {
            severity_changed: false,
        };
        assert!(may_edit(&[Role::SecurityOfficer], &change));
        assert!(!may_edit(&[Role::ItLanAdmin], &change));
        assert!(may_edit(&[Role::ItLanAdmin], &keep));
        assert!(!may_edit(&[Role::Reporter], &keep));
        assert!(may_edit(&[Role::Reporter], &Edit::Comment));
    }
}
