//! Every command × every phase × both statuses × every role, against a table
//! written independently of `check`; then each precondition on its own.

use super::*;

const OFFICER: Role = Role::SecurityOfficer;

fn ready(phase: Phase, status: Status) -> Facts {
    Facts {
        phase,
        status,
        decision: Some(Decision::RespondNow),
        open_required_tasks: 0,
        pending_containment: 0,
        active_containment: 0,
        prevention_technical: true,
        prevention_operational: true,
        prevention_undecided: 0,
    }
}

fn commands() -> Vec<Command> {
    let mut v = vec![Command::TakeIntoTriage, Command::Advance, Command::Close];
    for d in Decision::ALL {
        v.push(Command::Decide {
            decision: *d,
            severity: Severity::High,
            reason: "r".into(),
        });
    }
    v.push(Command::Reopen { reason: "r".into() });
    v
}

/// The expected result with every precondition met: (roles allowed, outcome).
fn expected(
    command: &Command,
    phase: Phase,
    status: Status,
) -> (Vec<Role>, Result<Outcome, Refusal>) {
    use Phase::*;
    let handlers = vec![Role::ItLanAdmin, Role::BuLanAdmin, OFFICER];
    let open = |p| {
        Ok(Outcome {
            phase: p,
            status: Status::Open,
            close_reason: None,
        })
    };
    if status == Status::Closed {
        return match command {
            Command::Reopen { .. } => (vec![OFFICER], open(phase)),
            Command::TakeIntoTriage => (handlers, Err(Refusal::NotNow)),
            _ => (vec![OFFICER], Err(Refusal::NotNow)),
        };
    }
    match (command, phase) {
        (Command::Reopen { .. }, _) => (vec![OFFICER], Err(Refusal::NotNow)),
        (Command::TakeIntoTriage, A) => (handlers, open(B)),
        (Command::TakeIntoTriage, _) => (handlers, Err(Refusal::NotNow)),
        (Command::Decide { decision, .. }, B) => (
            vec![OFFICER],
            Ok(match decision {
                Decision::NotAnIncident => Outcome {
                    phase: B,
                    status: Status::Closed,
                    close_reason: Some(CloseReason::NotAnIncident),
                },
                _ => Outcome {
                    phase: B,
                    status: Status::Open,
                    close_reason: None,
                },
            }),
        ),
        (Command::Decide { .. }, _) => (vec![OFFICER], Err(Refusal::NotNow)),
        (Command::Advance, B) => (vec![OFFICER], open(C)),
        (Command::Advance, C) => (vec![OFFICER], open(D)),
        (Command::Advance, D) => (vec![OFFICER], open(E)),
        (Command::Advance, E) => (vec![OFFICER], open(F)),
        (Command::Advance, F) => (vec![OFFICER], open(G)),
        (Command::Advance, _) => (vec![OFFICER], Err(Refusal::NotNow)),
        (Command::Close, G) => (
            vec![OFFICER],
            Ok(Outcome {
                phase: G,
                status: Status::Closed,
                close_reason: Some(CloseReason::Resolved),
            }),
        ),
        (Command::Close, _) => (vec![OFFICER], Err(Refusal::NotNow)),
    }
}

#[test]
fn every_command_in_every_phase_for_every_role() {
    let mut checked = 0;
    for command in commands() {
        for phase in Phase::ALL {
            for status in Status::ALL {
                let (allowed, outcome) = expected(&command, phase, *status);
                for role in Role::ALL {
                    let got = check(&[role], &ready(phase, *status), &command);
                    let want = if allowed.contains(&role) {
                        outcome.clone()
                    } else {
                        Err(Refusal::Role)
                    };
                    assert_eq!(got, want, "{role:?} {command:?} in {phase:?}/{status:?}");
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 7 * 7 * 2 * 7);
}

#[test]
fn a_user_without_roles_can_do_nothing() {
    for command in commands() {
        for phase in Phase::ALL {
            assert_eq!(
                check(&[], &ready(phase, Status::Open), &command),
                Err(Refusal::Role)
            );
        }
    }
}

#[test]
fn no_phase_is_left_with_required_outputs_missing() {
    for phase in Phase::ALL {
        let f = Facts {
            open_required_tasks: 2,
            ..ready(phase, Status::Open)
        };
        let command = match phase {
            Phase::A => Command::TakeIntoTriage,
            Phase::G => Command::Close,
            _ => Command::Advance,
        };
        assert_eq!(
            check(&[OFFICER], &f, &command),
            Err(Refusal::OutputsMissing(2)),
            "{phase:?}"
        );
    }
}

#[test]
fn triage_is_left_only_after_deciding_to_respond() {
    for decision in [None, Some(Decision::Watch)] {
        let f = Facts {
            decision,
            ..ready(Phase::B, Status::Open)
        };
        assert_eq!(
            check(&[OFFICER], &f, &Command::Advance),
            Err(Refusal::DecisionNeeded)
        );
    }
}

#[test]
fn not_an_incident_closes_even_with_open_tasks_and_needs_a_reason() {
    let f = Facts {
        decision: None,
        open_required_tasks: 3,
        ..ready(Phase::B, Status::Open)
    };
    let decide = |reason: &str| Command::Decide {
        decision: Decision::NotAnIncident,
        severity: Severity::Low,
        reason: reason.into(),
    };
    assert_eq!(
        check(&[OFFICER], &f, &decide("  ")),
        Err(Refusal::ReasonRequired)
    );
    let out = check(
        &[OFFICER],
        &f,
        &decide("a phishing simulation by the training team"),
    )
    .unwrap();
    assert_eq!(out.status, Status::Closed);
    assert_eq!(out.close_reason, Some(CloseReason::NotAnIncident));
}

#[test]
fn containment_must_be_settled_before_leaving_first_response() {
    let f = Facts {
        pending_containment: 1,
        ..ready(Phase::C, Status::Open)
    };
    assert_eq!(
        check(&[OFFICER], &f, &Command::Advance),
        Err(Refusal::ContainmentPending(1))
    );
}

#[test]
fn closing_needs_technical_and_operational_prevention() {
    for (t, o) in [(false, false), (true, false), (false, true)] {
        let f = Facts {
            prevention_technical: t,
            prevention_operational: o,
            prevention_undecided: 0,
            ..ready(Phase::G, Status::Open)
        };
        assert_eq!(
            check(&[OFFICER], &f, &Command::Close),
            Err(Refusal::PreventionMissing)
        );
    }
}

#[test]
fn closing_needs_every_prevention_measure_decided() {
    let f = Facts {
        prevention_undecided: 3,
        ..ready(Phase::G, Status::Open)
    };
    assert_eq!(
        check(&[OFFICER], &f, &Command::Close),
        Err(Refusal::PreventionUndecided(3))
    );
    let decided = Facts {
        prevention_undecided: 0,
        ..f
    };
    assert!(check(&[OFFICER], &decided, &Command::Close).is_ok());
}

#[test]
fn reopening_needs_a_reason() {
    let f = ready(Phase::G, Status::Closed);
    assert_eq!(
        check(&[OFFICER], &f, &Command::Reopen { reason: "".into() }),
        Err(Refusal::ReasonRequired)
    );
}

#[test]
fn tasks_are_worked_by_their_role_assignee_or_officer_and_waived_by_the_officer() {
    let f = ready(Phase::C, Status::Open);
    for role in Role::ALL {
        let progress = may_change_task(
            &[role],
            false,
            Role::ItLanAdmin,
            Phase::C,
            &f,
            TaskChange::Progress,
        );
        let expect = role == Role::ItLanAdmin || role == OFFICER;
        assert_eq!(progress.is_ok(), expect, "{role:?}");
        let waive = may_change_task(
            &[role],
            false,
            Role::ItLanAdmin,
            Phase::C,
            &f,
            TaskChange::Waive,
        );
        assert_eq!(waive.is_ok(), role == OFFICER, "{role:?}");
    }
    // The assignee may work it whatever their roles.
    assert!(
        may_change_task(
            &[Role::BuLanAdmin],
            true,
            Role::ItLanAdmin,
            Phase::C,
            &f,
            TaskChange::Progress
        )
        .is_ok()
    );
    // Only the current phase's tasks, only while open.
    assert_eq!(
        may_change_task(
            &[OFFICER],
            false,
            Role::ItLanAdmin,
            Phase::D,
            &f,
            TaskChange::Progress
        ),
        Err(Refusal::NotNow)
    );
    let closed = ready(Phase::C, Status::Closed);
    assert_eq!(
        may_change_task(
            &[OFFICER],
            false,
            Role::ItLanAdmin,
            Phase::C,
            &closed,
            TaskChange::Waive
        ),
        Err(Refusal::NotNow)
    );
}

#[test]
fn tasks_are_given_by_the_officer_or_taken_by_their_role() {
    let f = ready(Phase::B, Status::Open);
    for role in Role::ALL {
        let take = may_assign_task(&[role], Role::ItLanAdmin, true, &f).is_ok();
        assert_eq!(
            take,
            role == Role::ItLanAdmin || role == OFFICER,
            "{role:?} taking"
        );
        let give = may_assign_task(&[role], Role::ItLanAdmin, false, &f).is_ok();
        assert_eq!(give, role == OFFICER, "{role:?} giving");
    }
    let closed = ready(Phase::B, Status::Closed);
    assert_eq!(
        may_assign_task(&[OFFICER], Role::ItLanAdmin, false, &closed),
        Err(Refusal::NotNow)
    );
}

#[test]
fn temporary_containment_in_force_keeps_the_incident_open() {
    let f = Facts {
        active_containment: 2,
        ..ready(Phase::G, Status::Open)
    };
    assert_eq!(
        check(&[OFFICER], &f, &Command::Close),
        Err(Refusal::ContainmentActive(2))
    );
}

#[test]
fn engagements_are_the_officers_and_only_revoking_outlives_closing() {
    let open = ready(Phase::E, Status::Open);
    let closed = ready(Phase::G, Status::Closed);
    for role in Role::ALL {
        let officer = role == OFFICER;
        for edit in [Edit::Engage, Edit::Revoke] {
            assert_eq!(
                may_edit(&[role], &open, &edit).is_ok(),
                officer,
                "{role:?} {edit:?}"
            );
        }
    }
    assert_eq!(
        may_edit(&[OFFICER], &closed, &Edit::Engage),
        Err(Refusal::NotNow)
    );
    assert_eq!(may_edit(&[OFFICER], &closed, &Edit::Revoke), Ok(()));
    // The report: its scope decides who; the status when.
    assert_eq!(
        may_edit(&[Role::ExternalSpecialist], &open, &Edit::Report),
        Ok(())
    );
    assert_eq!(
        may_edit(&[Role::ExternalSpecialist], &closed, &Edit::Report),
        Err(Refusal::NotNow)
    );
}

#[test]
fn a_waive_reason_is_required_and_bounded() {
    use crate::domain::form::{ErrorCode, FieldError};
    assert_eq!(
        validate_waive_reason("  not applicable here\r\n"),
        Ok("not applicable here".to_string())
    );
    let err = |code| {
        Err(vec![FieldError {
            field: "reason".into(),
            code,
        }])
    };
    assert_eq!(
        validate_waive_reason(" \u{202E} "),
        err(ErrorCode::Required)
    );
    assert_eq!(
        validate_waive_reason(&"理".repeat(WAIVE_REASON_MAX + 1)),
        err(ErrorCode::TooLong(WAIVE_REASON_MAX))
    );
    assert!(validate_waive_reason(&"理".repeat(WAIVE_REASON_MAX)).is_ok());
}

#[test]
fn a_task_waits_for_its_unfinished_prerequisites_of_this_phase_or_later() {
    let deps = vec![
        "c.preserve_evidence".to_string(),
        "b.assess_impact".to_string(),
    ];
    let tasks = [
        ("c.preserve_evidence", Phase::C, TaskStatus::InProgress),
        ("b.assess_impact", Phase::B, TaskStatus::Open),
    ];
    // B is behind: its open task holds nothing up any more.
    assert_eq!(waiting_on(&deps, &tasks, Phase::C), ["c.preserve_evidence"]);
    let done = [
        ("c.preserve_evidence", Phase::C, TaskStatus::Waived),
        ("b.assess_impact", Phase::B, TaskStatus::Open),
    ];
    assert!(waiting_on(&deps, &done, Phase::C).is_empty());
    // Still in B, both count.
    assert_eq!(waiting_on(&deps, &tasks, Phase::B).len(), 2);
    // A prerequisite the incident does not have holds nothing up.
    assert!(waiting_on(&["x.gone".to_string()], &tasks, Phase::C).is_empty());
    assert_eq!(may_start(TaskStatus::Done, 1), Err(Refusal::WaitingFor(1)));
    assert_eq!(
        may_start(TaskStatus::InProgress, 2),
        Err(Refusal::WaitingFor(2))
    );
    assert_eq!(may_start(TaskStatus::Open, 2), Ok(()));
    assert_eq!(may_start(TaskStatus::Done, 0), Ok(()));
}
