//! The life of a measure: every status × every step × the roles that matter,
//! against a table written apart from `step`; then the self-approval ban, the
//! emergency path, the evidence confirmation and the C/I/A aggregation.

use super::*;
use crate::domain::workflow::Decision;

const OFFICER: Role = Role::SecurityOfficer;
const PROPOSER: Uuid = Uuid::from_u128(1);
const OTHER: Uuid = Uuid::from_u128(2);

fn open(phase: Phase) -> Facts {
    Facts {
        phase,
        status: Status::Open,
        decision: Some(Decision::RespondNow),
        open_required_tasks: 0,
        pending_containment: 0,
        active_containment: 0,
        prevention_technical: false,
        prevention_operational: false,
        prevention_undecided: 0,
    }
}

fn measure(status: MeasureStatus) -> MeasureFacts {
    MeasureFacts {
        status,
        proposed_by: PROPOSER,
        destroys_evidence: false,
        executor: Role::ItLanAdmin,
    }
}

fn full(kind: StepKind) -> Step {
    let t = || "because".to_string();
    match kind {
        StepKind::Approve => Step::Approve {
            rationale: t(),
            evidence_confirmed: true,
        },
        StepKind::Reject => Step::Reject { rationale: t() },
        StepKind::Withdraw => Step::Withdraw { reason: t() },
        StepKind::Emergency => Step::Emergency {
            justification: t(),
            evidence_confirmed: true,
        },
        StepKind::Execute => Step::Execute { note: t() },
        StepKind::Verify => Step::Verify {
            effective: true,
            note: t(),
        },
        StepKind::Lift => Step::Lift { reason: t() },
        StepKind::MakePermanent => Step::MakePermanent { note: t() },
    }
}

/// The state machine as a table: the status each step leads to from each
/// status, for someone allowed to take it.
fn expected(from: MeasureStatus, kind: StepKind) -> Option<MeasureStatus> {
    use MeasureStatus::*;
    use StepKind as K;
    Some(match (kind, from) {
        (K::Approve, Proposed) => Approved,
        (K::Reject, Proposed) => Rejected,
        (K::Withdraw, Proposed | Approved) => Withdrawn,
        (K::Emergency, Proposed | Approved) => Executed,
        (K::Execute, Approved) => Executed,
        (K::Verify, Executed) => Verified,
        (K::Lift, Executed | Verified) => Lifted,
        (K::MakePermanent, Executed | Verified) => Permanent,
        _ => return None,
    })
}

#[test]
fn every_status_and_step_follows_the_table() {
    for from in MeasureStatus::ALL {
        for kind in StepKind::ALL {
            // An officer who did not propose it may take every kind of step.
            let got = step(
                OTHER,
                &[OFFICER],
                &open(Phase::C),
                &measure(*from),
                &full(*kind),
            );
            match expected(*from, *kind) {
                Some(to) => assert_eq!(got, Ok(to), "{from:?} {kind:?}"),
                None => assert_eq!(got, Err(Refusal::NotNow), "{from:?} {kind:?}"),
            }
        }
    }
}

#[test]
fn nothing_moves_on_a_closed_incident() {
    let f = Facts {
        status: Status::Closed,
        ..open(Phase::G)
    };
    for kind in StepKind::ALL {
        let m = measure(MeasureStatus::Proposed);
        assert_eq!(
            step(OTHER, &[OFFICER], &f, &m, &full(*kind)),
            Err(Refusal::NotNow)
        );
    }
    assert_eq!(may_propose(&[OFFICER], &f), Err(Refusal::NotNow));
}

#[test]
fn no_one_decides_their_own_proposal() {
    let m = measure(MeasureStatus::Proposed);
    for kind in [StepKind::Approve, StepKind::Reject] {
        assert_eq!(
            step(PROPOSER, &[OFFICER], &open(Phase::C), &m, &full(kind)),
            Err(Refusal::OwnProposal),
            "{kind:?}"
        );
        assert!(!may_take_step(PROPOSER, &[OFFICER], &m, kind));
        assert!(may_take_step(OTHER, &[OFFICER], &m, kind));
    }
    // The proposer may still withdraw it.
    assert_eq!(
        step(
            PROPOSER,
            &[Role::ItLanAdmin],
            &open(Phase::C),
            &m,
            &full(StepKind::Withdraw)
        ),
        Ok(MeasureStatus::Withdrawn)
    );
}

#[test]
fn only_the_officer_decides_and_only_handlers_work() {
    let f = open(Phase::C);
    for role in Role::ALL {
        let roles = [role];
        let proposed = measure(MeasureStatus::Proposed);
        let approve = step(OTHER, &roles, &f, &proposed, &full(StepKind::Approve));
        assert_eq!(approve.is_ok(), role == OFFICER, "{role:?} approve");
        if role != OFFICER {
            assert_eq!(approve, Err(Refusal::Role));
        }
        let approved = measure(MeasureStatus::Approved);
        let execute = step(OTHER, &roles, &f, &approved, &full(StepKind::Execute));
        assert_eq!(
            execute.is_ok(),
            role.is_internal_handler(),
            "{role:?} execute"
        );
        assert_eq!(
            may_propose(&roles, &f).is_ok(),
            role.is_internal_handler(),
            "{role:?}"
        );
        let executed = measure(MeasureStatus::Executed);
        let lift = step(OTHER, &roles, &f, &executed, &full(StepKind::Lift));
        assert_eq!(lift.is_ok(), role == OFFICER, "{role:?} lift");
    }
}

#[test]
fn the_isp_executes_what_is_addressed_to_it() {
    let f = open(Phase::C);
    let mut m = measure(MeasureStatus::Approved);
    assert_eq!(
        step(OTHER, &[Role::Isp], &f, &m, &full(StepKind::Execute)),
        Err(Refusal::Role)
    );
    m.executor = Role::Isp;
    assert_eq!(
        step(OTHER, &[Role::Isp], &f, &m, &full(StepKind::Execute)),
        Ok(MeasureStatus::Executed)
    );
    assert!(!may_take_step(OTHER, &[Role::Isp], &m, StepKind::Approve));
}

#[test]
fn nothing_is_proposed_before_triage() {
    assert_eq!(
        may_propose(&[OFFICER], &open(Phase::A)),
        Err(Refusal::NotNow)
    );
    for p in [Phase::B, Phase::C, Phase::D, Phase::E, Phase::F, Phase::G] {
        assert_eq!(may_propose(&[Role::BuLanAdmin], &open(p)), Ok(()));
    }
}

#[test]
fn the_emergency_path_is_the_officers_and_needs_a_justification() {
    let f = open(Phase::B);
    let m = measure(MeasureStatus::Proposed);
    // Even on their own proposal: executing first is the point.
    let go = |justification: &str| Step::Emergency {
        justification: justification.into(),
        evidence_confirmed: false,
    };
    assert_eq!(
        step(
            PROPOSER,
            &[OFFICER],
            &f,
            &m,
            &go("C2 traffic to a known host, now")
        ),
        Ok(MeasureStatus::Executed)
    );
    assert_eq!(
        step(PROPOSER, &[OFFICER], &f, &m, &go("  ")),
        Err(Refusal::ReasonRequired)
    );
    assert_eq!(
        step(OTHER, &[Role::ItLanAdmin], &f, &m, &go("urgent")),
        Err(Refusal::Role)
    );
}

#[test]
fn destroying_evidence_needs_explicit_confirmation() {
    let f = open(Phase::C);
    let m = MeasureFacts {
        destroys_evidence: true,
        ..measure(MeasureStatus::Proposed)
    };
    let approve = |confirmed| Step::Approve {
        rationale: "memory already dumped".into(),
        evidence_confirmed: confirmed,
    };
    assert_eq!(
        step(OTHER, &[OFFICER], &f, &m, &approve(false)),
        Err(Refusal::EvidenceNotConfirmed)
    );
    assert_eq!(
        step(OTHER, &[OFFICER], &f, &m, &approve(true)),
        Ok(MeasureStatus::Approved)
    );
    let emergency = Step::Emergency {
        justification: "ransomware encrypting the share".into(),
        evidence_confirmed: false,
    };
    assert_eq!(
        step(OTHER, &[OFFICER], &f, &m, &emergency),
        Err(Refusal::EvidenceNotConfirmed)
    );
    // A harmless measure needs no confirmation.
    assert_eq!(
        step(
            OTHER,
            &[OFFICER],
            &f,
            &measure(MeasureStatus::Proposed),
            &approve(false)
        ),
        Ok(MeasureStatus::Approved)
    );
}

#[test]
fn decisions_carry_their_reasons() {
    let f = open(Phase::C);
    let blank = [
        (
            MeasureStatus::Proposed,
            Step::Approve {
                rationale: " ".into(),
                evidence_confirmed: true,
            },
        ),
        (
            MeasureStatus::Proposed,
            Step::Reject {
                rationale: "".into(),
            },
        ),
        (
            MeasureStatus::Approved,
            Step::Withdraw { reason: "".into() },
        ),
        (MeasureStatus::Executed, Step::Lift { reason: "".into() }),
        (
            MeasureStatus::Verified,
            Step::MakePermanent { note: "".into() },
        ),
        (
            MeasureStatus::Executed,
            Step::Verify {
                effective: false,
                note: "".into(),
            },
        ),
    ];
    for (status, s) in blank {
        assert_eq!(
            step(OTHER, &[OFFICER], &f, &measure(status), &s),
            Err(Refusal::ReasonRequired),
            "{s:?}"
        );
    }
    // Working as intended needs no words.
    let ok = Step::Verify {
        effective: true,
        note: "".into(),
    };
    assert_eq!(
        step(
            OTHER,
            &[OFFICER],
            &f,
            &measure(MeasureStatus::Executed),
            &ok
        ),
        Ok(MeasureStatus::Verified)
    );
}

#[test]
fn open_steps_are_what_step_allows() {
    let f = open(Phase::C);
    for from in MeasureStatus::ALL {
        for (actor, roles) in [
            (PROPOSER, vec![OFFICER]),
            (OTHER, vec![OFFICER]),
            (OTHER, vec![Role::ItLanAdmin]),
            (PROPOSER, vec![Role::ItLanAdmin]),
            (OTHER, vec![Role::Reporter]),
        ] {
            let m = measure(*from);
            for kind in StepKind::ALL {
                let offered = open_steps(actor, &roles, &f, &m).contains(kind);
                let allowed = step(actor, &roles, &f, &m, &full(*kind)).is_ok();
                assert_eq!(offered, allowed, "{from:?} {kind:?} {roles:?}");
            }
        }
    }
}

#[test]
fn statuses_in_force_pending_and_temporary() {
    use MeasureStatus::*;
    let active: Vec<_> = MeasureStatus::ALL
        .iter()
        .filter(|s| s.is_active())
        .collect();
    assert_eq!(active, [&Executed, &Verified, &Permanent]);
    let pending: Vec<_> = MeasureStatus::ALL
        .iter()
        .filter(|s| s.is_pending())
        .collect();
    assert_eq!(pending, [&Approved]);
    assert!(!Permanent.is_temporary() && Verified.is_temporary());
}

#[test]
fn cia_keeps_the_strongest_protection_and_the_worst_degradation() {
    let i = |c, i, a| Impact { c, i, a };
    assert_eq!(combined([]), Cia::default());
    let cia = combined([i(2, 1, -1), i(3, 0, -3), i(1, 2, 0), i(-1, 0, 1)]);
    assert_eq!(
        cia.c,
        Effect {
            protects: 3,
            degrades: 1
        }
    );
    assert_eq!(
        cia.i,
        Effect {
            protects: 2,
            degrades: 0
        }
    );
    assert_eq!(
        cia.a,
        Effect {
            protects: 1,
            degrades: 3
        }
    );
}
