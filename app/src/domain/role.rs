//! The six handling roles of the JPCERT/IPA model (6つのロール), plus system
//! administration, which is not a handling role.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 利用者 — reports events, answers questions.
    Reporter,
    /// LAN管理・運用者（情報システム部門） — responder in the IT department.
    ItLanAdmin,
    /// LAN管理・運用者（各事業部門） — responder for a business unit's systems.
    BuLanAdmin,
    /// 情報セキュリティ責任者 — decides first response, approves containment.
    SecurityOfficer,
    /// 外部専門組織 — forensics vendor, engaged under contract.
    ExternalSpecialist,
    /// ISP事業者 — engaged under its terms of service.
    Isp,
    /// System administration: accounts and playbooks. Not a handling role.
    Admin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Reporter,
        Role::ItLanAdmin,
        Role::BuLanAdmin,
        Role::SecurityOfficer,
        Role::ExternalSpecialist,
        Role::Isp,
        Role::Admin,
    ];

    /// The stable id, shared with the playbooks and stored in the database.
    pub fn id(self) -> &'static str {
        match self {
            Role::Reporter => "reporter",
            Role::ItLanAdmin => "it_lan_admin",
            Role::BuLanAdmin => "bu_lan_admin",
            Role::SecurityOfficer => "security_officer",
            Role::ExternalSpecialist => "external_specialist",
            Role::Isp => "isp",
            Role::Admin => "admin",
        }
    }

    pub fn from_id(id: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.id() == id)
    }

    /// Internal responders who work every incident of the organisation.
    pub fn is_internal_handler(self) -> bool {
        matches!(
            self,
            Role::ItLanAdmin | Role::BuLanAdmin | Role::SecurityOfficer
        )
    }

    /// External parties see only what an engagement gives them.
    pub fn is_external(self) -> bool {
        matches!(self, Role::ExternalSpecialist | Role::Isp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for r in Role::ALL {
            assert_eq!(Role::from_id(r.id()), Some(r));
            assert!(seen.insert(r.id()));
        }
        assert_eq!(Role::from_id("root"), None);
    }

    #[test]
    fn handling_roles_match_the_playbook_ids() {
        let ours: Vec<&str> = Role::ALL
            .into_iter()
            .filter(|r| *r != Role::Admin)
            .map(Role::id)
            .collect();
        assert_eq!(ours, playbooks::ROLE_IDS.to_vec());
    }
}
