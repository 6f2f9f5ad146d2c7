//! Every flag a page shows about what the reader may do, answered once from
//! the same rules the services enforce. The read model copies
//! [`Permissions::of`] into the incident page's data and the layout asks
//! [`Navigation::of`]; no page decides on roles itself.

use serde::{Deserialize, Serialize};

use super::roles::may_propose;
use super::{Access, Actor, Audience, IncidentAct, may_act};
use crate::domain::workflow::{self, Edit, Facts};
use crate::domain::workspace::Available;

/// What the reader may do on one incident, as the page offers it. The names
/// on the wire are those of the incident's data (`may_classify`, …).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    /// The phase commands the reader's roles allow now, each with what
    /// still blocks it.
    #[serde(rename = "available")]
    pub commands: Vec<Available>,
    /// TLP, attack stage and route (handlers, while open).
    #[serde(rename = "may_classify")]
    pub classify: bool,
    /// The severity, with its time targets (the officer, while open).
    #[serde(rename = "may_set_severity")]
    pub set_severity: bool,
    /// The responder and the officer (the officer, while open).
    #[serde(rename = "may_assign")]
    pub assign: bool,
    /// A containment proposal (handlers, once triaged, while open).
    #[serde(rename = "may_propose")]
    pub propose: bool,
    /// The evidence registry and checklist (handlers; a party by scope).
    #[serde(rename = "may_handle_evidence")]
    pub handle_evidence: bool,
    /// Engage an external organisation (the officer, while open).
    #[serde(rename = "may_engage")]
    pub engage: bool,
    /// End an engagement (the officer, also once closed).
    #[serde(rename = "may_revoke")]
    pub revoke: bool,
    /// Submit or revise the full-investigation report (an engaged vendor
    /// whose scope covers it, until closed).
    #[serde(rename = "may_report")]
    pub report: bool,
    /// Who the reader's comments may be addressed to (handlers choose; the
    /// others write to the audience their access gives: empty).
    pub comment_audiences: Vec<Audience>,
    /// Observables may be recorded now (handlers; a party in its phases).
    #[serde(rename = "may_observe")]
    pub observe: bool,
    /// Indicators may be shared through the TAXII collections (the officer).
    #[serde(rename = "may_share")]
    pub share: bool,
    /// The observables panel is shown.
    #[serde(rename = "sees_observables")]
    pub see_observables: bool,
    /// The timeline is shown.
    #[serde(rename = "sees_timeline")]
    pub see_timeline: bool,
    /// The reporter's identity and the organisation's own handling panels
    /// (assignment, prevention) are shown: not to outside parties.
    #[serde(rename = "sees_internal")]
    pub see_internal: bool,
}

impl Permissions {
    pub fn of(actor: &Actor, access: &Access, f: &Facts) -> Permissions {
        if !access.sees() {
            return Permissions::default();
        }
        let roles = &actor.roles;
        let edit = |e: Edit| workflow::may_edit(roles, f, &e).is_ok();
        Permissions {
            commands: workflow::available(roles, f),
            classify: edit(Edit::Classify {
                severity_changed: false,
            }),
            set_severity: edit(Edit::Classify {
                severity_changed: true,
            }),
            assign: edit(Edit::Assign),
            propose: may_propose(roles)
                && crate::domain::containment::may_propose(roles, f).is_ok(),
            handle_evidence: may_act(access, IncidentAct::Evidence),
            engage: edit(Edit::Engage),
            revoke: edit(Edit::Revoke),
            report: may_act(access, IncidentAct::Report) && edit(Edit::Report),
            comment_audiences: if *access == Access::Handler {
                Audience::ALL.to_vec()
            } else {
                Vec::new()
            },
            observe: edit(Edit::Observe)
                && may_act(access, IncidentAct::Observe { phase: f.phase }),
            share: *access == Access::Handler && super::roles::may_share_intel(roles),
            see_observables: !matches!(access, Access::Reporter),
            see_timeline: access.sees_timeline(),
            see_internal: !matches!(access, Access::Engaged { .. }),
        }
    }
}

/// The links of the navigation the reader gets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Navigation {
    pub users: bool,
    pub mail: bool,
    pub organisations: bool,
    pub log_sources: bool,
    pub allowlist: bool,
    pub intel: bool,
    /// The import form on the threat-intelligence page.
    pub import_intel: bool,
    pub metrics: bool,
}

impl Navigation {
    pub fn of(actor: &Actor) -> Navigation {
        use super::{Action, may};
        Navigation {
            users: may(actor, Action::ManageUsers),
            mail: may(actor, Action::SeeOutbox),
            organisations: may(actor, Action::ManageOrganisations),
            log_sources: may(actor, Action::ManageLogSources),
            allowlist: may(actor, Action::ManageAllowlist),
            intel: may(actor, Action::SeeIntel),
            import_intel: may(actor, Action::ManageIntel),
            metrics: may(actor, Action::SeeMetrics),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::external::{OrgKind, Scope};
    use crate::domain::workflow::Status;
    use crate::domain::{Phase, Role};

    fn actor(roles: &[Role]) -> Actor {
        Actor {
            id: uuid::Uuid::new_v4(),
            username: "u".into(),
            display_name: "U".into(),
            roles: roles.to_vec(),
            grants: vec![],
        }
    }

    fn facts(phase: Phase, status: Status) -> Facts {
        Facts {
            phase,
            status,
            decision: None,
            open_required_tasks: 0,
            pending_containment: 0,
            active_containment: 0,
            prevention_technical: false,
            prevention_operational: false,
            prevention_undecided: 0,
        }
    }

    #[test]
    fn the_officer_may_do_everything_on_an_open_incident_and_only_revoke_once_closed() {
        let officer = actor(&[Role::SecurityOfficer]);
        let p = Permissions::of(&officer, &Access::Handler, &facts(Phase::C, Status::Open));
        assert!(p.classify && p.set_severity && p.assign && p.propose && p.engage && p.revoke);
        assert!(p.handle_evidence && p.see_timeline && p.see_internal);
        assert!(!p.report, "the vendor's report is not the officer's");
        assert_eq!(p.comment_audiences, Audience::ALL.to_vec());
        let closed = Permissions::of(&officer, &Access::Handler, &facts(Phase::G, Status::Closed));
        assert!(!closed.classify && !closed.assign && !closed.propose && !closed.engage);
        assert!(p.observe && !closed.observe, "observables only while open");
        assert!(closed.revoke, "an engagement is ended also after closing");
        assert_eq!(
            closed
                .commands
                .iter()
                .map(|a| a.command)
                .collect::<Vec<_>>(),
            [crate::domain::workspace::CommandKind::Reopen]
        );
    }

    #[test]
    fn a_responder_classifies_but_does_not_set_the_severity_or_assign() {
        let responder = actor(&[Role::ItLanAdmin]);
        let p = Permissions::of(&responder, &Access::Handler, &facts(Phase::B, Status::Open));
        assert!(p.classify && !p.set_severity && !p.assign && !p.engage && !p.revoke);
        assert!(p.propose, "containment is proposed from triage on");
        let a = Permissions::of(&responder, &Access::Handler, &facts(Phase::A, Status::Open));
        assert!(!a.propose, "not before triage");
    }

    #[test]
    fn a_reporter_and_an_outside_party_see_no_handling_flags() {
        let reporter = actor(&[Role::Reporter]);
        let p = Permissions::of(&reporter, &Access::Reporter, &facts(Phase::C, Status::Open));
        assert_eq!(
            (p.classify, p.propose, p.handle_evidence, p.engage, p.report),
            (false, false, false, false, false)
        );
        assert!(p.commands.is_empty() && p.comment_audiences.is_empty());
        assert!(p.see_internal && p.see_timeline);
        let vendor = actor(&[Role::ExternalSpecialist]);
        let scope = Scope {
            phases: vec![Phase::E],
            evidence: true,
            evidence_items: vec![],
            containment: false,
            timeline: false,
        };
        let engaged = Access::Engaged {
            kind: OrgKind::ForensicsVendor,
            scope,
        };
        let p = Permissions::of(&vendor, &engaged, &facts(Phase::E, Status::Open));
        assert!(p.handle_evidence && p.report);
        assert!(!p.see_internal && !p.see_timeline && !p.classify);
        let closed = Permissions::of(&vendor, &engaged, &facts(Phase::G, Status::Closed));
        assert!(!closed.report, "revised until the incident is closed");
        assert_eq!(
            Permissions::of(&vendor, &Access::None, &facts(Phase::E, Status::Open)),
            Permissions::default()
        );
    }

    #[test]
    fn the_navigation_follows_the_actions() {
        let admin = Navigation::of(&actor(&[Role::Admin]));
        assert!(admin.users && admin.mail && admin.organisations && admin.log_sources);
        assert!(!admin.allowlist, "threat intelligence is the officer's");
        let officer = Navigation::of(&actor(&[Role::SecurityOfficer]));
        assert_eq!(
            officer,
            Navigation {
                log_sources: true,
                allowlist: true,
                intel: true,
                import_intel: true,
                metrics: true,
                ..Navigation::default()
            }
        );
        assert_eq!(
            Navigation::of(&actor(&[Role::ItLanAdmin])),
            Navigation {
                intel: true,
                metrics: true,
                ..Navigation::default()
            }
        );
        assert!(!admin.metrics, "the figures are the handlers'");
        for outside in [Role::Reporter, Role::ExternalSpecialist, Role::Isp] {
            assert_eq!(Navigation::of(&actor(&[outside])), Navigation::default());
        }
    }
}
