//! The one authorisation policy. Every service call passes the acting user
//! through these functions; no page, server function or query decides on its
//! own who may see or do what.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::role::Role;

/// The signed-in, active user on whose behalf a request runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// What an action touches, as far as the policy needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IncidentFacts {
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
    /// Declare the organisation's log sources and their retention.
    ManageLogSources,
    /// See undelivered mail and why it failed.
    SeeOutbox,
}

pub fn may(actor: &Actor, action: Action) -> bool {
    match action {
        Action::ReportIncident => true,
        Action::ManageUsers | Action::SeeOutbox => actor.has(Role::Admin),
        Action::ManageLogSources => actor.has(Role::Admin) || actor.has(Role::SecurityOfficer),
    }
}

/// Which incidents a user may see: the rule a list query is built from and
/// the single-incident check derives from, so the two can never disagree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    /// Internal handling roles work every incident.
    All,
    /// Everyone else sees the incidents they reported themselves. External
    /// parties will additionally see their engagements.
    ReportedBy(Uuid),
}

pub fn incident_visibility(actor: &Actor) -> Visibility {
    if actor.roles.iter().any(|r| r.is_internal_handler()) {
        Visibility::All
    } else {
        Visibility::ReportedBy(actor.id)
    }
}

pub fn may_view_incident(actor: &Actor, incident: IncidentFacts) -> bool {
    match incident_visibility(actor) {
        Visibility::All => true,
        Visibility::ReportedBy(id) => incident.reporter_id == id,
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
        }
    }

    #[test]
    fn handling_roles_see_every_incident_others_only_their_own() {
        let someone_else = IncidentFacts {
            reporter_id: Uuid::new_v4(),
        };
        for role in Role::ALL {
            let a = actor(&[role]);
            let own = IncidentFacts { reporter_id: a.id };
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
}
