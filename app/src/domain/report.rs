//! Incident reports: which one (a template of the playbooks or of the
//! organisation), in which language and format, for whom; and the manifest
//! each report carries so that it can be checked against the database
//! later (`hikeshi report verify`): the timeline's chain head when it was
//! written and the SHA-256 of every evidence item it lists.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::form::{ErrorCode, FieldError};
use super::policy::Access;
use crate::i18n::Lang;
use crate::string_enum;

string_enum! {
    /// The built-in report templates.
    pub enum ReportTemplate {
        /// The internal incident report: everything the reader may see.
        Internal = "internal",
        /// One page for management: what happened, impact, status, decisions.
        Summary = "summary",
        /// The targeted-e-mail report to IPA (seed 003: 関係機関への届出),
        /// anonymised: no organisation, people or internal hosts.
        Ipa = "ipa",
    }
}

string_enum! {
    pub enum ReportFormat {
        Markdown = "markdown",
        /// The same report laid out as A4 pages (typst).
        Pdf = "pdf",
    }
}

impl ReportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Markdown => "md",
            ReportFormat::Pdf => "pdf",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            ReportFormat::Markdown => "text/markdown; charset=utf-8",
            ReportFormat::Pdf => "application/pdf",
        }
    }
}

/// The templates a reader of an incident may generate reports of:
/// handlers any; an engaged external party the internal report and the
/// summary, of what its scope shows (the IPA report is the organisation's
/// own); nobody else any.
pub fn templates_for(access: &Access) -> Vec<ReportTemplate> {
    match access {
        Access::Handler => ReportTemplate::ALL.to_vec(),
        Access::Engaged { .. } => vec![ReportTemplate::Internal, ReportTemplate::Summary],
        Access::Reporter | Access::None => Vec::new(),
    }
}

/// Whether a reader may download a generated report: the incident's
/// handlers, and whoever generated it while they still see the incident.
pub fn may_see_report(access: &Access, generated_by: Uuid, reader: Uuid) -> bool {
    match access {
        Access::Handler => true,
        Access::Engaged { .. } => generated_by == reader,
        Access::Reporter | Access::None => false,
    }
}

/// The most characters "for whom" may hold.
pub const AUDIENCE_MAX: usize = 200;

/// The report form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    pub template: String,
    #[serde(default)]
    pub lang: String,
    #[serde(default)]
    pub format: String,
    /// Who the report is for (recorded with it).
    #[serde(default)]
    pub audience: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidReportRequest {
    pub template: ReportTemplate,
    pub lang: Lang,
    pub format: ReportFormat,
    pub audience: String,
}

impl ReportForm {
    pub fn validate(&self) -> Result<ValidReportRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut err = |field: &str, code| {
            errors.push(FieldError {
                field: field.into(),
                code,
            })
        };
        let template = ReportTemplate::from_id(self.template.trim());
        if template.is_none() {
            err("template", ErrorCode::InvalidChoice);
        }
        let lang = Lang::from_code(&self.lang);
        if lang.is_none() {
            err("lang", ErrorCode::InvalidChoice);
        }
        let format = match self.format.trim() {
            "" => Some(ReportFormat::Markdown),
            f => ReportFormat::from_id(f),
        };
        if format.is_none() {
            err("format", ErrorCode::InvalidChoice);
        }
        let audience = super::form::clean(&self.audience, super::form::Lines::One);
        if audience.is_empty() {
            err("audience", ErrorCode::Required);
        } else if audience.chars().count() > AUDIENCE_MAX {
            err("audience", ErrorCode::TooLong(AUDIENCE_MAX));
        }
        match (template, lang, format) {
            (Some(template), Some(lang), Some(format)) if errors.is_empty() => {
                Ok(ValidReportRequest {
                    template,
                    lang,
                    format,
                    audience,
                })
            }
            _ => Err(errors),
        }
    }
}

/// One evidence item as a report lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestItem {
    pub id: Uuid,
    pub file_name: String,
    pub sha256: String,
}

/// What a report commits to: written into it, and kept with its record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub report: Uuid,
    pub incident: String,
    /// The n-th report of the incident.
    pub version: i32,
    pub template: String,
    pub generated_at: DateTime<Utc>,
    /// The timeline's newest event when the report was written: its number
    /// and its link (HMAC) in the chain.
    pub chain_seq: i32,
    pub chain_head: String,
    pub evidence: Vec<ManifestItem>,
}

/// A generated report as the incident page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRecord {
    pub id: Uuid,
    pub version: i32,
    pub template: ReportTemplate,
    pub lang: String,
    pub format: String,
    pub audience: String,
    pub sha256: String,
    pub generated_by: String,
    pub generated_at: DateTime<Utc>,
}

/// What differs between a report and the database now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Difference {
    /// No report of ours has this content: not generated here, or changed
    /// since (its SHA-256).
    UnknownReport(String),
    /// The incident is gone.
    IncidentMissing(String),
    /// The timeline event the report committed to now has another link, or
    /// is gone (its number).
    ChainHeadChanged(i32),
    /// The timeline no longer verifies up to that event (the first broken
    /// event and why).
    ChainBroken(i32, String),
    /// An evidence item's recorded hash is not the one in the report (its
    /// file name, the hash now or none if removed).
    EvidenceChanged(String, Option<String>),
}

/// The outcome of checking a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub manifest: Option<Manifest>,
    pub differences: Vec<Difference>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.manifest.is_some() && self.differences.is_empty()
    }

    /// One line per difference, for the command line and the page.
    pub fn lines(&self) -> Vec<String> {
        self.differences
            .iter()
            .map(|d| match d {
                Difference::UnknownReport(sha) => format!(
                    "no report generated here has this content (SHA-256 {sha}): not ours, or changed since"
                ),
                Difference::IncidentMissing(id) => format!("incident {id} is gone"),
                Difference::ChainHeadChanged(seq) => format!(
                    "timeline event {seq} is not the one the report committed to"
                ),
                Difference::ChainBroken(seq, why) => {
                    format!("the timeline breaks at event {seq}: {why}")
                }
                Difference::EvidenceChanged(name, now) => match now {
                    Some(h) => format!("evidence {name}: recorded SHA-256 is now {h}"),
                    None => format!("evidence {name}: no longer in the registry"),
                },
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_request_is_checked_field_by_field() {
        let ok = ReportForm {
            template: "ipa".into(),
            lang: "ja".into(),
            format: String::new(),
            audience: " IPA 標的型サイバー攻撃特別相談窓口 ".into(),
        }
        .validate()
        .unwrap();
        assert_eq!(ok.template, ReportTemplate::Ipa);
        assert_eq!(ok.format, ReportFormat::Markdown);
        assert_eq!(ok.audience, "IPA 標的型サイバー攻撃特別相談窓口");
        let bad = ReportForm {
            template: "../../etc/passwd".into(),
            lang: "fr".into(),
            format: "docx".into(),
            audience: "x".repeat(AUDIENCE_MAX + 1),
        }
        .validate()
        .unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["template", "lang", "format", "audience"]);
        let missing = ReportForm {
            template: "internal".into(),
            lang: "en".into(),
            ..ReportForm::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(missing[0].field, "audience");
        assert_eq!(missing[0].code, ErrorCode::Required);
    }

    #[test]
    fn handlers_write_every_report_and_outsiders_only_of_their_scope() {
        use crate::domain::external::{OrgKind, Scope};
        let engaged = Access::Engaged {
            kind: OrgKind::ForensicsVendor,
            scope: Scope::default(),
        };
        assert_eq!(templates_for(&Access::Handler), ReportTemplate::ALL);
        assert!(!templates_for(&engaged).contains(&ReportTemplate::Ipa));
        assert!(templates_for(&Access::Reporter).is_empty());
        let (me, other) = (Uuid::new_v4(), Uuid::new_v4());
        assert!(may_see_report(&Access::Handler, other, me));
        assert!(may_see_report(&engaged, me, me));
        assert!(!may_see_report(&engaged, other, me));
        assert!(!may_see_report(&Access::Reporter, me, me));
    }

    #[test]
    fn a_verification_names_each_difference() {
        let v = Verification {
            manifest: None,
            differences: vec![
                Difference::ChainHeadChanged(7),
                Difference::EvidenceChanged("a.log".into(), None),
            ],
        };
        assert!(!v.ok());
        assert_eq!(
            v.lines(),
            [
                "timeline event 7 is not the one the report committed to",
                "evidence a.log: no longer in the registry"
            ]
        );
    }
}
