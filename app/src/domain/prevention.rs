//! Phase G's recurrence-prevention checklist (再発防止策): the measures the
//! playbooks offer (`prevention.toml`, from seeds 000, 003 and 004), each
//! accepted, rejected with a reason, or scheduled with an owner and a due
//! date. The incident closes only once every measure offered is decided.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::form::{Checker, ErrorCode, FieldError};

crate::string_enum! {
    pub enum PreventionDecision {
        /// Adopted as it stands (done, or part of the handling already).
        Accepted = "accepted",
        /// Not for this organisation or this incident, with the reason.
        Rejected = "rejected",
        /// To be done by its owner by its due date.
        Scheduled = "scheduled",
    }
}

/// A decision as validated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PreventionChoice {
    Accepted {
        note: String,
    },
    Rejected {
        reason: String,
    },
    Scheduled {
        owner: Uuid,
        due: NaiveDate,
        note: String,
    },
    /// Taken back: the measure is open again.
    Undecided,
}

impl PreventionChoice {
    pub fn decision(&self) -> Option<PreventionDecision> {
        match self {
            PreventionChoice::Accepted { .. } => Some(PreventionDecision::Accepted),
            PreventionChoice::Rejected { .. } => Some(PreventionDecision::Rejected),
            PreventionChoice::Scheduled { .. } => Some(PreventionDecision::Scheduled),
            PreventionChoice::Undecided => None,
        }
    }

    /// The note or reason given with it.
    pub fn text(&self) -> &str {
        match self {
            PreventionChoice::Accepted { note } | PreventionChoice::Scheduled { note, .. } => note,
            PreventionChoice::Rejected { reason } => reason,
            PreventionChoice::Undecided => "",
        }
    }
}

pub const NOTE_MAX: usize = 2_000;
/// A measure scheduled further ahead than this is not a plan.
pub const DUE_YEARS: i32 = 5;

/// The form as typed: `decision` is a [`PreventionDecision`] id or
/// `undecided`; `owner` a user id; `due` a `YYYY-MM-DD` date.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PreventionForm {
    pub decision: String,
    pub note: String,
    pub owner: String,
    pub due: String,
}

/// A rejection needs its reason; a schedule its owner and a due date that
/// is not already past (`today` in the organisation's calendar).
pub fn validate(
    form: &PreventionForm,
    today: NaiveDate,
) -> Result<PreventionChoice, Vec<FieldError>> {
    let mut c = Checker::default();
    if form.decision == "undecided" {
        return Ok(PreventionChoice::Undecided);
    }
    let decision = c.choice("decision", &form.decision, PreventionDecision::from_id);
    let note = c
        .optional_text("note", &form.note, NOTE_MAX)
        .unwrap_or_default();
    match decision {
        Some(PreventionDecision::Rejected) if note.is_empty() => {
            c.fail("note", ErrorCode::Required);
        }
        Some(PreventionDecision::Scheduled) => {
            let owner = form.owner.trim();
            if owner.is_empty() {
                c.fail("owner", ErrorCode::Required);
            } else if Uuid::parse_str(owner).is_err() {
                c.fail("owner", ErrorCode::InvalidChoice);
            }
            match NaiveDate::parse_from_str(form.due.trim(), "%Y-%m-%d") {
                _ if form.due.trim().is_empty() => c.fail("due", ErrorCode::Required),
                Ok(d) if d < today => c.fail("due", ErrorCode::MustBeLater),
                Ok(d) if d.year() > today.year() + DUE_YEARS => c.fail(
                    "due",
                    ErrorCode::DateOutOfRange(today.year(), today.year() + DUE_YEARS),
                ),
                Ok(_) => {}
                Err(_) => c.fail("due", ErrorCode::InvalidDateTime),
            }
        }
        _ => {}
    }
    c.finish(|| match decision.expect("checked") {
        PreventionDecision::Accepted => PreventionChoice::Accepted { note },
        PreventionDecision::Rejected => PreventionChoice::Rejected { reason: note },
        PreventionDecision::Scheduled => PreventionChoice::Scheduled {
            owner: Uuid::parse_str(form.owner.trim()).expect("checked"),
            due: NaiveDate::parse_from_str(form.due.trim(), "%Y-%m-%d").expect("checked"),
            note,
        },
    })
}

/// One measure of the checklist on the incident page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreventionView {
    pub def: playbooks::PreventionDef,
    pub decision: Option<PreventionDecision>,
    pub note: String,
    pub owner: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Scheduled and past its due date.
    pub overdue: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
    }

    fn form(decision: &str, note: &str, owner: &str, due: &str) -> PreventionForm {
        PreventionForm {
            decision: decision.into(),
            note: note.into(),
            owner: owner.into(),
            due: due.into(),
        }
    }

    fn codes(r: Result<PreventionChoice, Vec<FieldError>>) -> Vec<(String, ErrorCode)> {
        r.unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn accepting_needs_nothing_more_and_keeps_the_note_clean() {
        assert_eq!(
            validate(&form("accepted", " done in C\u{202E} ", "", ""), today()),
            Ok(PreventionChoice::Accepted {
                note: "done in C".into()
            })
        );
        assert_eq!(
            validate(&form("undecided", "", "", ""), today()),
            Ok(PreventionChoice::Undecided)
        );
    }

    #[test]
    fn a_rejection_needs_its_reason() {
        assert_eq!(
            codes(validate(&form("rejected", "  ", "", ""), today())),
            [("note".to_string(), ErrorCode::Required)]
        );
        assert!(matches!(
            validate(&form("rejected", "no mail server of our own", "", ""), today()),
            Ok(PreventionChoice::Rejected { reason }) if reason == "no mail server of our own"
        ));
    }

    #[test]
    fn a_schedule_needs_an_owner_and_a_due_date_not_past() {
        let owner = Uuid::new_v4().to_string();
        assert_eq!(
            codes(validate(&form("scheduled", "", "", ""), today())),
            [
                ("owner".to_string(), ErrorCode::Required),
                ("due".to_string(), ErrorCode::Required)
            ]
        );
        assert_eq!(
            codes(validate(
                &form("scheduled", "", "bob", "2026-12-02"),
                today()
            )),
            [
                ("owner".to_string(), ErrorCode::InvalidChoice),
                ("due".to_string(), ErrorCode::MustBeLater)
            ]
        );
        assert_eq!(
            codes(validate(
                &form("scheduled", "", &owner, "3-12-2026"),
                today()
            )),
            [("due".to_string(), ErrorCode::InvalidDateTime)]
        );
        assert_eq!(
            codes(validate(
                &form("scheduled", "", &owner, "2040-01-01"),
                today()
            ))[0]
                .0,
            "due"
        );
        assert!(matches!(
            validate(&form("scheduled", "", &owner, "2026-12-03"), today()),
            Ok(PreventionChoice::Scheduled { due, .. }) if due == today()
        ));
        assert_eq!(
            codes(validate(&form("maybe", "", "", ""), today())),
            [("decision".to_string(), ErrorCode::InvalidChoice)]
        );
    }
}
