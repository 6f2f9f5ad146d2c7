//! External parties (seed 000 §3): the external specialist organisation
//! works under a contract and the ISP under its terms of service. Each sees
//! what an engagement on an incident covers and nothing else. An engagement
//! has a scope, a start and an expiry; access ends at expiry or on
//! revocation, at the next request.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Phase;
use super::dates;
use super::form::{Checker, ErrorCode, FieldError};
use crate::string_enum;

string_enum! {
    /// What kind of outside party an organisation is.
    pub enum OrgKind {
        /// 外部専門組織: forensics, under contract.
        ForensicsVendor = "forensics_vendor",
        /// ISP事業者: under its terms of service.
        Isp = "isp",
    }
}

/// What an engagement lets the organisation see and do on its incident.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// The phases whose tasks it sees and works (e.g. E, full investigation).
    pub phases: Vec<Phase>,
    /// It may see, download and upload evidence.
    pub evidence: bool,
    /// The evidence items it may see; empty means all of the incident's.
    pub evidence_items: Vec<Uuid>,
    /// It sees the containment measures (an ISP always sees those addressed
    /// to it).
    pub containment: bool,
    /// It sees the timeline and may comment.
    pub timeline: bool,
}

impl Scope {
    pub fn covers_phase(&self, p: Phase) -> bool {
        self.phases.contains(&p)
    }

    pub fn covers_evidence(&self, id: Uuid) -> bool {
        self.evidence && (self.evidence_items.is_empty() || self.evidence_items.contains(&id))
    }

    /// The full-investigation report (seed 000 §3.3) is written by a vendor
    /// engaged on phase E.
    pub fn may_report(&self, kind: OrgKind) -> bool {
        kind == OrgKind::ForensicsVendor && self.covers_phase(Phase::E)
    }
}

/// One engagement in force for the acting user's organisation: carried by
/// the actor, read afresh from the database on every request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub engagement: Uuid,
    pub incident: Uuid,
    pub kind: OrgKind,
    pub scope: Scope,
    pub expires_at: DateTime<Utc>,
}

string_enum! {
    pub enum EngagementState {
        /// Granted, not yet started.
        Pending = "pending",
        Active = "active",
        Expired = "expired",
        Revoked = "revoked",
    }
}

impl EngagementState {
    /// Expired or revoked: it gives nothing any more.
    pub fn is_ended(self) -> bool {
        matches!(self, EngagementState::Expired | EngagementState::Revoked)
    }
}

pub fn state(
    starts_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> EngagementState {
    if revoked_at.is_some_and(|r| r <= now) {
        EngagementState::Revoked
    } else if now >= expires_at {
        EngagementState::Expired
    } else if now < starts_at {
        EngagementState::Pending
    } else {
        EngagementState::Active
    }
}

/// An engagement expiring within this time is announced once by mail.
pub const EXPIRY_WARNING: Duration = Duration::hours(24);

// ---- organisations ----------------------------------------------------------------

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationForm {
    pub name_ja: String,
    pub name_en: String,
    pub kind: String,
    /// Contract number or the ISP's terms of service.
    #[serde(default)]
    pub contract_ref: String,
    #[serde(default)]
    pub contact: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidOrganisation {
    pub name_ja: String,
    pub name_en: String,
    pub kind: OrgKind,
    pub contract_ref: String,
    pub contact: String,
}

pub fn validate_organisation(f: &OrganisationForm) -> Result<ValidOrganisation, Vec<FieldError>> {
    let mut c = Checker::default();
    let name_ja = c.line("name_ja", &f.name_ja, 200);
    let name_en = c.line("name_en", &f.name_en, 200);
    let kind = c.choice("kind", &f.kind, OrgKind::from_id);
    let contract_ref = c.text("contract_ref", &f.contract_ref, 2_000);
    let contact = c.text("contact", &f.contact, 2_000);
    c.finish(|| ValidOrganisation {
        name_ja,
        name_en,
        kind: kind.expect("checked above"),
        contract_ref,
        contact,
    })
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationView {
    pub id: Uuid,
    pub name_ja: String,
    pub name_en: String,
    pub kind: OrgKind,
    pub contract_ref: String,
    pub contact: String,
    /// Display names of its users.
    pub members: Vec<String>,
}

// ---- engagements ----------------------------------------------------------------

/// The officer's engagement form as the browser sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngageForm {
    pub organisation: String,
    #[serde(default)]
    pub phases: Vec<String>,
    #[serde(default)]
    pub evidence: Option<String>,
    #[serde(default)]
    pub evidence_items: Vec<String>,
    #[serde(default)]
    pub containment: Option<String>,
    #[serde(default)]
    pub timeline: Option<String>,
    /// `datetime-local`; empty means now.
    #[serde(default)]
    pub starts_at: String,
    pub expires_at: String,
    #[serde(default)]
    pub tz_offset: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidEngagement {
    pub organisation: Uuid,
    pub scope: Scope,
    pub starts_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

fn ticked(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !s.is_empty() && s != "false")
}

pub fn validate_engagement(
    f: &EngageForm,
    now: DateTime<Utc>,
) -> Result<ValidEngagement, Vec<FieldError>> {
    let mut c = Checker::default();
    let organisation = c.choice("organisation", &f.organisation, |s| Uuid::parse_str(s).ok());
    let mut phases = Vec::new();
    for p in &f.phases {
        match Phase::from_id(p.trim()) {
            Some(p) if !phases.contains(&p) => phases.push(p),
            Some(_) => {}
            None => c.fail("phases", ErrorCode::InvalidChoice),
        }
    }
    phases.sort();
    let evidence = ticked(&f.evidence);
    let mut evidence_items = Vec::new();
    for id in &f.evidence_items {
        match Uuid::parse_str(id.trim()) {
            Ok(id) => evidence_items.push(id),
            Err(_) => c.fail("evidence_items", ErrorCode::InvalidChoice),
        }
    }
    let containment = ticked(&f.containment);
    let timeline = ticked(&f.timeline);
    if phases.is_empty() && !evidence && !containment && !timeline {
        c.fail("phases", ErrorCode::Required);
    }
    let starts_at = if f.starts_at.trim().is_empty() {
        Ok(now)
    } else {
        dates::parse_local(&f.starts_at, &f.tz_offset, now)
    };
    if let Err(code) = &starts_at {
        c.fail("starts_at", code.clone());
    }
    let expires_at = dates::parse_local(&f.expires_at, &f.tz_offset, now);
    match (&starts_at, &expires_at) {
        (_, Err(code)) => c.fail("expires_at", code.clone()),
        (_, Ok(e)) if *e <= now => c.fail("expires_at", ErrorCode::MustBeLater),
        (Ok(s), Ok(e)) if e <= s => c.fail("expires_at", ErrorCode::MustBeLater),
        _ => {}
    }
    c.finish(|| ValidEngagement {
        organisation: organisation.expect("checked above"),
        scope: Scope {
            phases,
            evidence,
            evidence_items: if evidence { evidence_items } else { vec![] },
            containment,
            timeline,
        },
        starts_at: starts_at.expect("checked above"),
        expires_at: expires_at.expect("checked above"),
    })
}

/// An engagement as the incident page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngagementView {
    pub id: Uuid,
    pub organisation: String,
    pub organisation_ja: String,
    pub kind: OrgKind,
    pub scope: Scope,
    pub starts_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub state: EngagementState,
    pub granted_by: Option<String>,
    pub revoked_by: Option<String>,
    pub revoke_reason: Option<String>,
}

// ---- the full-investigation report -------------------------------------------------------

/// The four parts of a full-investigation report (seed 000 §3.3): what phase F
/// correlates with the operational findings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportParts {
    /// 侵入経路 — how the attacker got in.
    pub intrusion_path: String,
    /// 拡散元・拡散先 — where it spread from and to.
    pub spread: String,
    /// 情報流出経路・流出情報 — exfiltration path and the data taken.
    pub exfiltration: String,
    /// 復旧に必要な情報 — what recovery needs.
    pub recovery: String,
}

pub const REPORT_PART_MAX: usize = 20_000;

pub fn validate_report(p: &ReportParts) -> Result<ReportParts, Vec<FieldError>> {
    let mut c = Checker::default();
    let parts = ReportParts {
        intrusion_path: c.text("intrusion_path", &p.intrusion_path, REPORT_PART_MAX),
        spread: c.text("spread", &p.spread, REPORT_PART_MAX),
        exfiltration: c.text("exfiltration", &p.exfiltration, REPORT_PART_MAX),
        recovery: c.text("recovery", &p.recovery, REPORT_PART_MAX),
    };
    c.finish(|| parts)
}

/// A submitted report, shown with phase F.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    pub engagement: Uuid,
    pub organisation: String,
    pub parts: ReportParts,
    pub submitted_by: Option<String>,
    pub submitted_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn state_follows_start_expiry_and_revocation() {
        let (s, e) = (at("2026-05-01T00:00:00Z"), at("2026-05-08T00:00:00Z"));
        assert_eq!(
            state(s, e, None, at("2026-04-30T23:59:59Z")),
            EngagementState::Pending
        );
        assert_eq!(state(s, e, None, s), EngagementState::Active);
        assert_eq!(
            state(s, e, None, at("2026-05-07T23:59:59Z")),
            EngagementState::Active
        );
        assert_eq!(state(s, e, None, e), EngagementState::Expired);
        let r = Some(at("2026-05-02T00:00:00Z"));
        assert_eq!(
            state(s, e, r, at("2026-05-02T00:00:00Z")),
            EngagementState::Revoked
        );
        assert_eq!(
            state(s, e, r, at("2026-05-01T12:00:00Z")),
            EngagementState::Active
        );
    }

    #[test]
    fn scope_limits_evidence_to_the_listed_items() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let mut s = Scope {
            phases: vec![Phase::E],
            evidence: true,
            ..Scope::default()
        };
        assert!(s.covers_evidence(a) && s.covers_evidence(b));
        s.evidence_items = vec![a];
        assert!(s.covers_evidence(a) && !s.covers_evidence(b));
        s.evidence = false;
        assert!(!s.covers_evidence(a));
        assert!(s.may_report(OrgKind::ForensicsVendor));
        assert!(!s.may_report(OrgKind::Isp));
        s.phases = vec![Phase::D];
        assert!(!s.may_report(OrgKind::ForensicsVendor));
    }

    #[test]
    fn engagement_form_checks_dates_and_scope() {
        let now = at("2026-05-01T00:00:00Z");
        let form = EngageForm {
            organisation: Uuid::nil().to_string(),
            phases: vec!["E".into(), "E".into(), "F".into()],
            evidence: Some("on".into()),
            expires_at: "2026-05-08T09:00".into(),
            tz_offset: "-540".into(),
            ..EngageForm::default()
        };
        let v = validate_engagement(&form, now).unwrap();
        assert_eq!(v.scope.phases, vec![Phase::E, Phase::F]);
        assert!(v.scope.evidence && !v.scope.timeline);
        assert_eq!(v.starts_at, now);
        assert_eq!(v.expires_at, at("2026-05-08T00:00:00Z"));

        let past = EngageForm {
            expires_at: "2026-04-30T09:00".into(),
            ..form.clone()
        };
        let errs = validate_engagement(&past, now).unwrap_err();
        assert_eq!(errs[0].field, "expires_at");
        assert_eq!(errs[0].code, ErrorCode::MustBeLater);

        let nothing = EngageForm {
            organisation: "x".into(),
            phases: vec!["Z".into()],
            evidence: None,
            expires_at: String::new(),
            ..EngageForm::default()
        };
        let fields: Vec<String> = validate_engagement(&nothing, now)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert!(fields.contains(&"organisation".to_string()));
        assert!(fields.contains(&"phases".to_string()));
        assert!(fields.contains(&"expires_at".to_string()));
    }

    #[test]
    fn engagement_dates_stay_within_the_window_and_offsets_within_fourteen_hours() {
        let now = at("2026-05-01T00:00:00Z");
        let form = EngageForm {
            organisation: Uuid::nil().to_string(),
            phases: vec!["E".into()],
            expires_at: "2026-05-08T09:00".into(),
            ..EngageForm::default()
        };
        let errors = |f: &EngageForm| -> Vec<(String, ErrorCode)> {
            validate_engagement(f, now)
                .unwrap_err()
                .into_iter()
                .map(|e| (e.field, e.code))
                .collect()
        };
        let range = ErrorCode::DateOutOfRange(1970, 2036);
        let forever = EngageForm {
            expires_at: "+262142-12-31T23:59".into(),
            ..form.clone()
        };
        assert_eq!(errors(&forever), [("expires_at".into(), range.clone())]);
        let eleven_years = EngageForm {
            expires_at: "2037-05-01T00:00".into(),
            ..form.clone()
        };
        assert_eq!(
            errors(&eleven_years),
            [("expires_at".into(), range.clone())]
        );
        let ancient = EngageForm {
            starts_at: "-262143-01-01T00:00".into(),
            ..form.clone()
        };
        assert_eq!(errors(&ancient), [("starts_at".into(), range)]);
        let tz = EngageForm {
            starts_at: "2026-05-01T09:00".into(),
            tz_offset: "-9223372036854775808".into(),
            ..form.clone()
        };
        assert_eq!(
            errors(&tz),
            [
                ("starts_at".into(), ErrorCode::InvalidTimeZone),
                ("expires_at".into(), ErrorCode::InvalidTimeZone)
            ]
        );
        assert!(
            validate_engagement(
                &EngageForm {
                    expires_at: "2036-04-30T00:00".into(),
                    ..form
                },
                now
            )
            .is_ok()
        );
    }

    #[test]
    fn organisation_names_are_one_clean_line() {
        let v = validate_organisation(&OrganisationForm {
            name_ja: "フォレンジック\u{202E}社\u{200B}".into(),
            name_en: "Forensics\r\nLtd\0".into(),
            kind: "forensics_vendor".into(),
            contract_ref: "C-2026-001\r\nannex B".into(),
            contact: "soc@forensics.example".into(),
        })
        .unwrap();
        assert_eq!(v.name_ja, "フォレンジック社");
        assert_eq!(v.name_en, "Forensics  Ltd");
        assert_eq!(v.contract_ref, "C-2026-001\nannex B");
    }

    #[test]
    fn a_report_needs_all_four_parts() {
        let errs = validate_report(&ReportParts {
            intrusion_path: "phishing mail to pc-0042".into(),
            spread: " ".into(),
            ..ReportParts::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["spread", "exfiltration", "recovery"]);
    }
}
