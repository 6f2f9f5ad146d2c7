//! The one authorisation policy. Every service call passes the acting user
//! through these functions; no page, server function or query decides on its
//! own who may see or do what.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub mod acts;
pub mod permissions;
pub mod roles;

pub use acts::{Found, Named};
pub use permissions::{Navigation, Permissions};

use crate::domain::external::{Grant, OrgKind, Scope};
use crate::domain::role::Role;

/// The signed-in, active user on whose behalf a request runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    /// The engagements in force for the user's organisation (external
    /// parties only), read afresh on every request: revoking or expiring
    /// one takes effect at the user's next click.
    #[serde(default)]
    pub grants: Vec<Grant>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// What an action touches, as far as the policy needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IncidentFacts {
    pub id: Uuid,
    pub reporter_id: Uuid,
}

/// Actions that do not concern one particular incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Report an event (phase A). Anyone signed in may: seed 001 says most
    /// intrusions are noticed from outside the security team.
    ReportIncident,
    /// Create users, set roles, deactivate, reset passwords.
    ManageUsers,
    /// Declare the organisation's log sources and their retention, and
    /// what the log-triage detectors need to know.
    ManageLogSources,
    /// Read those declarations: their managers, and the handlers who
    /// preserve and analyse logs.
    SeeLogSources,
    /// See undelivered mail and why it failed.
    SeeOutbox,
    /// Record external organisations (vendors, ISPs) and their contracts.
    ManageOrganisations,
    /// See the list of external organisations, to engage one.
    SeeOrganisations,
    /// Keep the allow-list of values never flagged or correlated.
    ManageAllowlist,
    /// Import threat intelligence (STIX bundles) into the store.
    ManageIntel,
    /// See the threat-intelligence store.
    SeeIntel,
    /// See the handling metrics (`/metrics`): the internal handling roles,
    /// who see every incident they are computed over; an external party
    /// none.
    SeeMetrics,
    /// Check a report against the database (`/reports/verify`): it names
    /// the incident a report belongs to, so the internal handling roles.
    VerifyReports,
}

pub fn may(actor: &Actor, action: Action) -> bool {
    match action {
        Action::ReportIncident => true,
        Action::ManageUsers | Action::SeeOutbox | Action::ManageOrganisations => {
            actor.has(Role::Admin)
        }
        Action::SeeOrganisations => actor.has(Role::Admin) || actor.has(Role::SecurityOfficer),
        Action::ManageLogSources => actor.has(Role::Admin) || actor.has(Role::SecurityOfficer),
        Action::SeeLogSources => {
            may(actor, Action::ManageLogSources) || roles::may_handle_evidence(&actor.roles)
        }
        Action::ManageAllowlist | Action::ManageIntel => actor.has(Role::SecurityOfficer),
        Action::SeeIntel | Action::SeeMetrics | Action::VerifyReports => {
            actor.roles.iter().any(|r| r.is_internal_handler())
        }
    }
}

/// Which incidents a user may see: the rule a list query is built from and
/// the single-incident check derives from, so the two can never disagree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Visibility {
    /// Internal handling roles work every incident.
    All,
    /// Everyone else sees the incidents they reported themselves and, for
    /// external parties, those their organisation is engaged on now.
    Limited { reporter: Uuid, engaged: Vec<Uuid> },
}

pub fn incident_visibility(actor: &Actor) -> Visibility {
    if actor.roles.iter().any(|r| r.is_internal_handler()) {
        Visibility::All
    } else {
        Visibility::Limited {
            reporter: actor.id,
            engaged: actor.grants.iter().map(|g| g.incident).collect(),
        }
    }
}

/// How much of one incident a user reaches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    /// An internal handler: the whole incident, under the workflow's rules.
    Handler,
    /// The reporter of the incident (and nothing more).
    Reporter,
    /// An external party through an engagement: what its scope covers.
    Engaged { kind: OrgKind, scope: Scope },
    /// Nothing: the incident does not exist for this user.
    None,
}

impl Access {
    pub fn sees(&self) -> bool {
        *self != Access::None
    }

    /// The engagement's scope, for an external party.
    pub fn scope(&self) -> Option<(&Scope, OrgKind)> {
        match self {
            Access::Engaged { kind, scope } => Some((scope, *kind)),
            _ => None,
        }
    }

    /// The tasks of this phase are shown: an external party sees its phases.
    pub fn sees_phase(&self, phase: crate::domain::Phase) -> bool {
        match self {
            Access::Engaged { scope, .. } => scope.covers_phase(phase),
            other => other.sees(),
        }
    }

    pub fn sees_timeline(&self) -> bool {
        match self {
            Access::Engaged { scope, .. } => scope.timeline,
            other => other.sees(),
        }
    }

    /// A containment measure with this executor is shown: an ISP always
    /// sees the requests addressed to it.
    pub fn sees_measure(&self, executor: &str) -> bool {
        match self {
            Access::Engaged { kind, scope } => {
                scope.containment || (*kind == OrgKind::Isp && executor == Role::Isp.id())
            }
            other => other.sees(),
        }
    }

    /// An evidence item is there at all for the reader (handlers: every
    /// one; an engaged party: those in scope, and what its own organisation
    /// uploaded — its findings — even when the scope names chosen items).
    pub fn sees_evidence(&self, item: Uuid, own_upload: bool) -> bool {
        match self {
            Access::Handler => true,
            Access::Engaged { scope, .. } => {
                scope.covers_evidence(item) || (scope.evidence && own_upload)
            }
            Access::Reporter | Access::None => false,
        }
    }

    /// Who reported the incident (name, user name, contact) is internal to
    /// the organisation.
    pub fn sees_reporter(&self) -> bool {
        matches!(self, Access::Handler | Access::Reporter)
    }

    /// A task, evidence item, measure, checklist item or engagement inside
    /// the incident is there at all for the reader. What is not answers like
    /// something that does not exist, whether an operation names it or a
    /// timeline event is about it.
    pub fn sees_subject(&self, subject: &Subject) -> bool {
        match (self, subject) {
            (Access::Handler, _) => true,
            (Access::None, _) => false,
            (_, Subject::Task(phase)) => self.sees_phase(*phase),
            (
                _,
                Subject::Evidence {
                    item: Some(id),
                    own,
                },
            ) => self.sees_evidence(*id, *own),
            (_, Subject::Evidence { item: None, .. }) => false,
            (_, Subject::Measure { executor }) => self.sees_measure(executor),
            // The preparation is the organisation's own.
            (_, Subject::Checklist) => false,
            (Access::Reporter, Subject::Observable(_)) => false,
            (_, Subject::Observable(phase)) => self.sees_phase(*phase),
            (Access::Engaged { .. }, Subject::Engagement { own }) => *own,
            (Access::Reporter, Subject::Engagement { .. }) => false,
        }
    }

    /// One timeline event passes the same scope as the thing it is about:
    /// a reporter follows the ticket's progress and the conversation meant
    /// for them; an external party with the timeline in scope sees the
    /// progress, the subjects it sees and the comments meant for outside
    /// parties.
    pub fn sees_event(&self, about: &EventAbout) -> bool {
        match self {
            Access::Handler => true,
            Access::None => false,
            Access::Reporter => match about {
                EventAbout::Report | EventAbout::Progress => true,
                EventAbout::Comment { audience, own } => *own || *audience == Audience::Reporter,
                EventAbout::Handling | EventAbout::Subject(_) => false,
            },
            Access::Engaged { scope, .. } => {
                scope.timeline
                    && match about {
                        EventAbout::Progress => true,
                        EventAbout::Report | EventAbout::Handling => false,
                        EventAbout::Subject(subject) => self.sees_subject(subject),
                        EventAbout::Comment { audience, own } => {
                            *own || *audience == Audience::Parties
                        }
                    }
            }
        }
    }

    /// Who a comment written with this access is for, when the writer does
    /// not choose: a reporter talks to the handlers, an outside party to
    /// the handlers and its own side; a handler's note is internal.
    pub fn default_audience(&self) -> Audience {
        match self {
            Access::Reporter => Audience::Reporter,
            Access::Engaged { .. } => Audience::Parties,
            Access::Handler | Access::None => Audience::Internal,
        }
    }
}

crate::string_enum! {
    /// Who a comment is meant for, besides the internal handlers.
    pub enum Audience {
        /// The handling team only.
        Internal = "internal",
        /// Also the reporter of the incident.
        Reporter = "reporter",
        /// Also the engaged outside parties with the timeline in scope.
        Parties = "parties",
    }
}

/// A thing inside an incident, as far as the policy needs to know to
/// decide whether it is there for the reader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A task of this phase.
    Task(crate::domain::Phase),
    /// An evidence item (when it could be told which); `own` when the
    /// reader's organisation uploaded it.
    Evidence { item: Option<Uuid>, own: bool },
    /// A containment measure normally executed by this role.
    Measure { executor: String },
    /// An item of the preservation checklist.
    Checklist,
    /// An engagement or its report; `own` when it is the reader's.
    Engagement { own: bool },
    /// An observable recorded in this phase.
    Observable(crate::domain::Phase),
}

/// What a timeline event is about, as far as the policy needs to know to
/// decide who sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventAbout {
    /// The report as filed, with its reporter.
    Report,
    /// The ticket's progress: into triage, a phase completed, closed, reopened.
    Progress,
    /// The organisation's own handling: decisions and their reasons,
    /// classification, assets, assignments, the checklist, prevention.
    Handling,
    /// A task, item, measure or engagement: seen when the subject is.
    Subject(Subject),
    /// A comment for this audience; `own` when the reader wrote it.
    Comment { audience: Audience, own: bool },
}

pub fn access(actor: &Actor, incident: IncidentFacts) -> Access {
    if actor.roles.iter().any(|r| r.is_internal_handler()) {
        return Access::Handler;
    }
    // An external user engaged twice on one incident (a vendor with two
    // contracts) gets the union of the scopes.
    let mut grants = actor
        .grants
        .iter()
        .filter(|g| g.incident == incident.id && actor.roles.iter().any(|r| r.is_external()));
    if let Some(first) = grants.next() {
        let mut scope = first.scope.clone();
        for g in grants {
            for p in &g.scope.phases {
                if !scope.phases.contains(p) {
                    scope.phases.push(*p);
                }
            }
            if g.scope.evidence {
                // An empty list means every item.
                if !scope.evidence {
                    scope.evidence_items = g.scope.evidence_items.clone();
                } else if scope.evidence_items.is_empty() || g.scope.evidence_items.is_empty() {
                    scope.evidence_items.clear();
                } else {
                    scope
                        .evidence_items
                        .extend(g.scope.evidence_items.iter().copied());
                }
            }
            scope.evidence |= g.scope.evidence;
            scope.containment |= g.scope.containment;
            scope.timeline |= g.scope.timeline;
        }
        return Access::Engaged {
            kind: first.kind,
            scope,
        };
    }
    if incident.reporter_id == actor.id {
        Access::Reporter
    } else {
        Access::None
    }
}

pub fn may_view_incident(actor: &Actor, incident: IncidentFacts) -> bool {
    access(actor, incident).sees()
}

/// A change to an incident, as far as access decides it. The workflow's role
/// and phase rules decide after this.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncidentAct {
    Comment,
    /// Progressing or assigning a task of this phase and role.
    Task {
        phase: crate::domain::Phase,
        role: Role,
    },
    /// A step on a containment measure.
    Containment,
    /// The vendor's full-investigation report.
    Report,
    /// Seeing the registry and downloading evidence.
    Evidence,
    /// Uploading evidence; `checklist` when it settles a checklist item.
    Upload {
        checklist: bool,
    },
    /// Recording or changing the observables of this phase.
    Observe {
        phase: crate::domain::Phase,
    },
    /// Everything else: classification, assets, assignment, commands,
    /// proposals, waivers, custody, verification, engagements, exports.
    Handling,
}

/// What an access lets through: handlers everything but the vendor's
/// report; a reporter comments and works tasks that are not an external
/// party's; an external party what its engagement's scope covers.
pub fn may_act(access: &Access, act: IncidentAct) -> bool {
    match access {
        Access::Handler => act != IncidentAct::Report,
        Access::None => false,
        Access::Reporter => match act {
            IncidentAct::Comment => true,
            IncidentAct::Task { role, .. } => !role.is_external(),
            _ => false,
        },
        Access::Engaged { kind, scope } => match act {
            IncidentAct::Comment => scope.timeline,
            IncidentAct::Task { phase, .. } => scope.covers_phase(phase),
            IncidentAct::Containment => scope.containment || *kind == OrgKind::Isp,
            IncidentAct::Report => scope.may_report(*kind),
            IncidentAct::Evidence => scope.evidence,
            // Its findings; the checklist is the organisation's.
            IncidentAct::Upload { checklist } => scope.evidence && !checklist,
            IncidentAct::Observe { phase } => scope.covers_phase(phase),
            IncidentAct::Handling => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: &[Role]) -> Actor {
        Actor {
            id: Uuid::new_v4(),
            username: "u".into(),
            display_name: "U".into(),
            roles: roles.to_vec(),
            grants: vec![],
        }
    }

    fn grant(incident: Uuid, kind: OrgKind, scope: Scope) -> Grant {
        Grant {
            engagement: Uuid::new_v4(),
            incident,
            kind,
            scope,
            expires_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn handling_roles_see_every_incident_others_only_their_own() {
        let someone_else = IncidentFacts {
            id: Uuid::new_v4(),
            reporter_id: Uuid::new_v4(),
        };
        for role in Role::ALL {
            let a = actor(&[role]);
            let own = IncidentFacts {
                id: Uuid::new_v4(),
                reporter_id: a.id,
            };
            assert!(may_view_incident(&a, own), "{role:?} must see own report");
            let expected = matches!(
                role,
                Role::ItLanAdmin | Role::BuLanAdmin | Role::SecurityOfficer
            );
            assert_eq!(may_view_incident(&a, someone_else), expected, "{role:?}");
        }
    }

    #[test]
    fn a_reporter_who_is_also_a_responder_sees_all() {
        let a = actor(&[Role::Reporter, Role::BuLanAdmin]);
        assert_eq!(incident_visibility(&a), Visibility::All);
    }

    #[test]
    fn only_administrators_manage_users() {
        for role in Role::ALL {
            assert_eq!(
                may(&actor(&[role]), Action::ManageUsers),
                role == Role::Admin,
                "{role:?}"
            );
            assert!(may(&actor(&[role]), Action::ReportIncident));
        }
        assert!(!may(&actor(&[]), Action::ManageUsers));
    }

    #[test]
    fn log_sources_are_declared_by_admins_and_officers_and_mail_is_seen_by_admins() {
        for role in Role::ALL {
            let a = actor(&[role]);
            assert_eq!(
                may(&a, Action::ManageLogSources),
                matches!(role, Role::Admin | Role::SecurityOfficer),
                "{role:?}"
            );
            assert_eq!(may(&a, Action::SeeOutbox), role == Role::Admin, "{role:?}");
        }
    }

    #[test]
    fn external_parties_see_exactly_their_engagements() {
        let engaged = IncidentFacts {
            id: Uuid::new_v4(),
            reporter_id: Uuid::new_v4(),
        };
        let other = IncidentFacts {
            id: Uuid::new_v4(),
            reporter_id: Uuid::new_v4(),
        };
        let scope = Scope {
            phases: vec![crate::domain::Phase::E],
            evidence: true,
            ..Scope::default()
        };
        let mut vendor = actor(&[Role::ExternalSpecialist]);
        vendor.grants = vec![grant(engaged.id, OrgKind::ForensicsVendor, scope.clone())];
        assert_eq!(
            access(&vendor, engaged),
            Access::Engaged {
                kind: OrgKind::ForensicsVendor,
                scope: scope.clone()
            }
        );
        assert_eq!(access(&vendor, other), Access::None);
        assert_eq!(
            incident_visibility(&vendor),
            Visibility::Limited {
                reporter: vendor.id,
                engaged: vec![engaged.id]
            }
        );
        // A grant on a user who is not an external party gives nothing.
        let mut reporter = actor(&[Role::Reporter]);
        reporter.grants = vendor.grants.clone();
        assert_eq!(access(&reporter, engaged), Access::None);
        // Handlers reach everything, with or without grants.
        assert_eq!(access(&actor(&[Role::BuLanAdmin]), other), Access::Handler);
    }

    #[test]
    fn two_engagements_on_one_incident_unite_their_scopes() {
        let inc = IncidentFacts {
            id: Uuid::new_v4(),
            reporter_id: Uuid::new_v4(),
        };
        let item = Uuid::new_v4();
        let mut isp = actor(&[Role::Isp]);
        isp.grants = vec![
            grant(
                inc.id,
                OrgKind::Isp,
                Scope {
                    containment: true,
                    ..Scope::default()
                },
            ),
            grant(
                inc.id,
                OrgKind::Isp,
                Scope {
                    phases: vec![crate::domain::Phase::C],
                    evidence: true,
                    evidence_items: vec![item],
                    ..Scope::default()
                },
            ),
        ];
        let (scope, kind) = access(&isp, inc)
            .scope()
            .map(|(s, k)| (s.clone(), k))
            .unwrap();
        assert_eq!(kind, OrgKind::Isp);
        assert!(scope.containment && scope.evidence && !scope.timeline);
        assert!(scope.covers_phase(crate::domain::Phase::C));
        assert!(scope.covers_evidence(item) && !scope.covers_evidence(Uuid::new_v4()));
    }

    #[test]
    fn organisations_are_recorded_by_admins_and_seen_by_officers() {
        for role in Role::ALL {
            let a = actor(&[role]);
            assert_eq!(may(&a, Action::ManageOrganisations), role == Role::Admin);
            assert_eq!(
                may(&a, Action::SeeOrganisations),
                matches!(role, Role::Admin | Role::SecurityOfficer)
            );
        }
    }

    #[test]
    fn what_each_access_lets_through() {
        use crate::domain::Phase;
        let task = |phase, role| IncidentAct::Task { phase, role };
        let vendor = Access::Engaged {
            kind: OrgKind::ForensicsVendor,
            scope: Scope {
                phases: vec![Phase::E],
                evidence: true,
                ..Scope::default()
            },
        };
        let isp = Access::Engaged {
            kind: OrgKind::Isp,
            scope: Scope {
                phases: vec![Phase::C],
                ..Scope::default()
            },
        };
        let acts = [
            IncidentAct::Comment,
            task(Phase::E, Role::ExternalSpecialist),
            task(Phase::C, Role::Isp),
            task(Phase::B, Role::Reporter),
            IncidentAct::Containment,
            IncidentAct::Report,
            IncidentAct::Handling,
            IncidentAct::Evidence,
            IncidentAct::Upload { checklist: false },
            IncidentAct::Upload { checklist: true },
        ];
        let expect = |access: &Access, allowed: [bool; 10]| {
            for (act, want) in acts.iter().zip(allowed) {
                assert_eq!(may_act(access, *act), want, "{access:?} {act:?}");
            }
        };
        expect(
            &Access::Handler,
            [true, true, true, true, true, false, true, true, true, true],
        );
        expect(
            &Access::Reporter,
            [
                true, false, false, true, false, false, false, false, false, false,
            ],
        );
        expect(
            &vendor,
            [
                false, true, false, false, false, true, false, true, true, false,
            ],
        );
        expect(
            &isp,
            [
                false, false, true, false, true, false, false, false, false, false,
            ],
        );
        expect(&Access::None, [false; 10]);

        // What each sees of the incident.
        let item = Uuid::new_v4();
        assert!(vendor.sees_phase(Phase::E) && !vendor.sees_phase(Phase::C));
        assert!(!vendor.sees_timeline() && Access::Reporter.sees_timeline());
        assert!(!vendor.sees_measure("isp") && isp.sees_measure("isp"));
        assert!(!isp.sees_measure("it_lan_admin"));
        assert!(vendor.sees_evidence(item, false) && !isp.sees_evidence(item, false));
        assert!(
            !Access::Reporter.sees_evidence(item, false)
                && Access::Handler.sees_evidence(item, false)
        );
        assert!(!Access::None.sees_phase(Phase::A) && !Access::None.sees_timeline());
    }

    #[test]
    fn each_timeline_event_passes_the_scope_of_what_it_is_about() {
        use crate::domain::Phase;
        let item = Uuid::new_v4();
        let engaged = |timeline: bool| Access::Engaged {
            kind: OrgKind::ForensicsVendor,
            scope: Scope {
                phases: vec![Phase::E],
                evidence: true,
                evidence_items: vec![item],
                containment: false,
                timeline,
            },
        };
        let comment = |audience, own| EventAbout::Comment { audience, own };
        let evidence = |item, own| EventAbout::Subject(Subject::Evidence { item, own });
        let measure = |executor: &str| {
            EventAbout::Subject(Subject::Measure {
                executor: executor.into(),
            })
        };
        let engagement = |own| EventAbout::Subject(Subject::Engagement { own });
        let abouts = [
            EventAbout::Report,
            EventAbout::Progress,
            EventAbout::Handling,
            EventAbout::Subject(Subject::Task(Phase::E)),
            EventAbout::Subject(Subject::Task(Phase::A)),
            evidence(Some(item), false),
            evidence(Some(Uuid::new_v4()), false),
            evidence(Some(Uuid::new_v4()), true),
            evidence(None, false),
            measure("isp"),
            comment(Audience::Internal, false),
            comment(Audience::Reporter, false),
            comment(Audience::Parties, false),
            comment(Audience::Internal, true),
            engagement(true),
            engagement(false),
        ];
        let expect = |access: &Access, want: [bool; 16]| {
            for (about, w) in abouts.iter().zip(want) {
                assert_eq!(access.sees_event(about), w, "{access:?} {about:?}");
            }
        };
        expect(&Access::Handler, [true; 16]);
        expect(&Access::None, [false; 16]);
        expect(
            &Access::Reporter,
            [
                true, true, false, false, false, false, false, false, false, false, false, true,
                false, true, false, false,
            ],
        );
        expect(
            &engaged(true),
            [
                false, true, false, true, false, true, false, true, false, false, false, false,
                true, true, true, false,
            ],
        );
        expect(&engaged(false), [false; 16]);
        let isp = Access::Engaged {
            kind: OrgKind::Isp,
            scope: Scope {
                timeline: true,
                ..Scope::default()
            },
        };
        assert!(isp.sees_event(&measure("isp")) && !isp.sees_event(&measure("it_lan_admin")));
        assert!(Access::Handler.sees_reporter() && Access::Reporter.sees_reporter());
        assert!(!engaged(true).sees_reporter() && !Access::None.sees_reporter());
        assert_eq!(engaged(true).default_audience(), Audience::Parties);
        assert_eq!(Access::Reporter.default_audience(), Audience::Reporter);
        assert_eq!(Access::Handler.default_audience(), Audience::Internal);
        // Named by an operation, a subject needs no timeline in scope.
        let vendor = engaged(false);
        assert!(vendor.sees_subject(&Subject::Task(Phase::E)));
        assert!(!vendor.sees_subject(&Subject::Task(Phase::A)));
        assert!(!vendor.sees_subject(&Subject::Checklist));
        assert!(!Access::Reporter.sees_subject(&Subject::Checklist));
        assert!(Access::Handler.sees_subject(&Subject::Checklist));
        assert!(!Access::Reporter.sees_subject(&Subject::Engagement { own: true }));
    }
}
