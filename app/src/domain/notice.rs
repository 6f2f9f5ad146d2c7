//! Outside notices (外部からの通知, seed 001 §5): 94% of intrusions were first
//! noticed by someone outside, and with a contact point (窓口) a notice
//! reached the security team in a day instead of about 60. Who notified is
//! recorded with the report, and outsiders without an account use the
//! public notification form (`/notify`), which turns what they send into a
//! phase-A report and answers only with a reference.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::form::{Checker, FieldError};

/// The account that files the form's reports. It cannot sign in (inactive,
/// no usable password, the reporter role only), and the name is reserved:
/// no user can be created with it.
pub const INTAKE_USERNAME: &str = "outside-notice";

pub const NAME_MAX: usize = 200;
pub const SUBJECT_MAX: usize = 200;
pub const DETAILS_MAX: usize = 10_000;
pub const AFFECTED_MAX: usize = 2_000;

/// Notices one source may send through the form in an hour.
pub const PER_SOURCE_PER_HOUR: u64 = 5;
/// Notices the form accepts from everyone together in a day: a flood from
/// many addresses fills no more than this.
pub const PER_DAY: u64 = 200;

/// Who notified us, as the report form or the notice form has it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notifier {
    pub organisation: String,
    pub person: String,
    pub contact: String,
    /// Their own reference for the notice (a ticket number, a case id).
    pub their_reference: String,
}

/// The organisation is required, the rest optional; each one clean line.
pub fn check_notifier(c: &mut Checker, prefix: &str, n: &Notifier) -> Notifier {
    let f = |name: &str| format!("{prefix}{name}");
    Notifier {
        organisation: c.line(&f("organisation"), &n.organisation, NAME_MAX),
        person: c
            .optional_line(&f("person"), &n.person, NAME_MAX)
            .unwrap_or_default(),
        contact: c
            .optional_line(&f("contact"), &n.contact, NAME_MAX)
            .unwrap_or_default(),
        their_reference: c
            .optional_line(&f("their_reference"), &n.their_reference, NAME_MAX)
            .unwrap_or_default(),
    }
}

/// The public notification form as typed. `website` is a field people do
/// not see (a trap for form-filling robots): anything in it and the notice
/// is acknowledged but not kept.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NoticeForm {
    pub organisation: String,
    pub person: String,
    pub contact: String,
    pub their_reference: String,
    pub subject: String,
    pub details: String,
    pub affected: String,
    pub website: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidNotice {
    pub notifier: Notifier,
    pub subject: String,
    pub details: String,
    /// What of ours it concerns (addresses, host names, URLs), if they said.
    pub affected: String,
    /// The robot trap was filled in.
    pub trap: bool,
}

/// A notice needs who sent it, how to reach them, a subject and what they
/// saw.
pub fn validate_notice(form: &NoticeForm) -> Result<ValidNotice, Vec<FieldError>> {
    let mut c = Checker::default();
    let notifier = check_notifier(
        &mut c,
        "",
        &Notifier {
            organisation: form.organisation.clone(),
            person: form.person.clone(),
            contact: form.contact.clone(),
            their_reference: form.their_reference.clone(),
        },
    );
    // Without a way back the notice cannot be followed up.
    let contact = c.line("contact", &form.contact, NAME_MAX);
    let subject = c.line("subject", &form.subject, SUBJECT_MAX);
    let details = c.text("details", &form.details, DETAILS_MAX);
    let affected = c
        .optional_text("affected", &form.affected, AFFECTED_MAX)
        .unwrap_or_default();
    c.finish(|| ValidNotice {
        notifier: Notifier {
            contact,
            ..notifier
        },
        subject,
        details,
        affected,
        trap: !form.website.trim().is_empty(),
    })
}

crate::string_enum! {
    pub enum NoticeVia {
        /// Sent through the public notification form.
        Form = "form",
        /// Recorded by whoever filed the report (a call, a mail).
        Recorded = "recorded",
    }
}

/// What the notice form answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoticeReceipt {
    /// Received; the sender quotes this reference when they follow up.
    Received(String),
    /// Too many notices from this source, or today: try again later.
    Busy,
}

/// A notice on the incident page (handlers only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeView {
    pub via: NoticeVia,
    pub notifier: Notifier,
    pub reference: String,
    pub created_at: DateTime<Utc>,
}

/// Our acknowledgement reference: `N-` and ten characters from an alphabet
/// without look-alikes (no 0/O, 1/I/L), from 50 random bits.
pub fn reference(random: u64) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut n = random;
    let mut out = String::from("N-");
    for i in 0..10 {
        if i == 5 {
            out.push('-');
        }
        out.push(ALPHABET[(n % ALPHABET.len() as u64) as usize] as char);
        n /= ALPHABET.len() as u64;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::form::ErrorCode;

    fn good() -> NoticeForm {
        NoticeForm {
            organisation: "JPCERT/CC".into(),
            person: "".into(),
            contact: "office@example.jp".into(),
            their_reference: "JPCERT#12345".into(),
            subject: "Your host 192.0.2.10 talks to a known C2".into(),
            details: "Seen in sinkhole data since 2026-11-30.".into(),
            affected: "192.0.2.10".into(),
            website: "".into(),
        }
    }

    #[test]
    fn a_notice_needs_sender_contact_subject_and_details() {
        let v = validate_notice(&good()).unwrap();
        assert_eq!(v.notifier.organisation, "JPCERT/CC");
        assert_eq!(v.notifier.contact, "office@example.jp");
        assert!(!v.trap);
        let errs = validate_notice(&NoticeForm::default()).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["organisation", "contact", "subject", "details"]);
        assert!(errs.iter().all(|e| e.code == ErrorCode::Required));
    }

    #[test]
    fn notice_fields_are_bounded_and_cleaned() {
        let f = NoticeForm {
            subject: "line one\r\nline two\u{202E}".into(),
            organisation: "o".repeat(NAME_MAX + 1),
            ..good()
        };
        let errs = validate_notice(&f).unwrap_err();
        assert_eq!(errs[0].field, "organisation");
        assert_eq!(errs[0].code, ErrorCode::TooLong(NAME_MAX));
        let ok = validate_notice(&NoticeForm {
            subject: "line one\u{202E}".into(),
            ..good()
        })
        .unwrap();
        assert_eq!(ok.subject, "line one");
    }

    #[test]
    fn the_robot_trap_is_noticed() {
        let v = validate_notice(&NoticeForm {
            website: "http://spam.example".into(),
            ..good()
        })
        .unwrap();
        assert!(v.trap);
    }

    #[test]
    fn references_have_no_look_alikes_and_differ() {
        let a = reference(0x1234_5678_9abc);
        assert_eq!(a.len(), 13);
        assert!(a.starts_with("N-"));
        assert!(!a.contains(['0', 'O', '1', 'I', 'L']));
        assert_ne!(a, reference(0x1234_5678_9abd));
    }
}
