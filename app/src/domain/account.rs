//! Accounts: who may sign in, with which roles, and the rules for usernames
//! and passwords.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::form::{Checker, ErrorCode, FieldError};
use super::role::Role;

/// NIST SP 800-63B asks for at least 8; a CSIRT's accounts guard incident
/// data, so we ask for more and cap the length only to bound hashing work.
pub const PASSWORD_MIN: usize = 12;
pub const PASSWORD_MAX: usize = 256;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUserForm {
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub email: String,
    pub password: String,
    /// Role ids; a form sends one value per ticked checkbox.
    #[serde(default)]
    pub roles: Vec<String>,
    /// The external organisation the user belongs to (id), or empty.
    #[serde(default)]
    pub organisation: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidNewUser {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub password: String,
    pub roles: Vec<Role>,
    pub organisation: Option<Uuid>,
}

pub fn validate_new_user(form: &NewUserForm) -> Result<ValidNewUser, Vec<FieldError>> {
    let mut c = Checker::default();
    let username = normalize_username(&form.username);
    if username.is_empty() {
        c.fail("username", ErrorCode::Required);
    } else if !is_valid_username(&username) {
        c.fail("username", ErrorCode::InvalidUsername);
    } else if username == super::notice::INTAKE_USERNAME {
        c.fail("username", ErrorCode::UsernameTaken);
    }
    let display_name = c.line("display_name", &form.display_name, 200);
    let email = c.optional_text("email", &form.email, 254);
    if let Some(e) = &email
        && !is_plausible_email(e)
    {
        c.fail("email", ErrorCode::InvalidEmail);
    }
    check_password(&mut c, "password", &form.password);
    let roles = parse_roles(&mut c, &form.roles);
    let organisation = c.optional_choice("organisation", &form.organisation, |s| {
        Uuid::parse_str(s).ok()
    });
    c.finish(|| ValidNewUser {
        organisation,
        username,
        display_name,
        email,
        password: form.password.clone(),
        roles,
    })
}

pub fn parse_roles(c: &mut Checker, ids: &[String]) -> Vec<Role> {
    let mut roles = Vec::new();
    for id in ids {
        match Role::from_id(id.trim()) {
            Some(r) if !roles.contains(&r) => roles.push(r),
            Some(_) => {}
            None => {
                c.fail("roles", ErrorCode::InvalidChoice);
                return roles;
            }
        }
    }
    if roles.is_empty() {
        c.fail("roles", ErrorCode::Required);
    }
    roles.sort();
    roles
}

pub fn check_password(c: &mut Checker, field: &str, password: &str) {
    let n = password.chars().count();
    if n == 0 {
        c.fail(field, ErrorCode::Required);
    } else if n < PASSWORD_MIN {
        c.fail(field, ErrorCode::TooShort(PASSWORD_MIN));
    } else if n > PASSWORD_MAX {
        c.fail(field, ErrorCode::TooLong(PASSWORD_MAX));
    }
}

/// Usernames compare case-insensitively, so they are stored lower-case.
pub fn normalize_username(raw: &str) -> String {
    raw.trim().to_lowercase()
}

pub fn is_valid_username(u: &str) -> bool {
    (2..=64).contains(&u.len())
        && u.chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || "._-@".contains(ch))
}

fn is_plausible_email(e: &str) -> bool {
    match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !e.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// A password change by its owner: the current one must be given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePasswordForm {
    pub current: String,
    pub new: String,
    pub confirm: String,
}

pub fn validate_change_password(form: &ChangePasswordForm) -> Result<(), Vec<FieldError>> {
    let mut c = Checker::default();
    if form.current.is_empty() {
        c.fail("current", ErrorCode::Required);
    }
    check_password(&mut c, "new", &form.new);
    if form.new != form.confirm {
        c.fail("confirm", ErrorCode::PasswordMismatch);
    }
    c.finish(|| ())
}

/// One row of the administrator's user list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub roles: Vec<Role>,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub organisation: Option<Uuid>,
}

/// The signed-in user as the page header shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    /// The links the navigation shows them (`policy::Navigation::of`).
    #[serde(default)]
    pub nav: super::policy::Navigation,
}

impl SessionUser {
    pub fn of(actor: &super::policy::Actor) -> SessionUser {
        SessionUser {
            id: actor.id,
            username: actor.username.clone(),
            display_name: actor.display_name.clone(),
            roles: actor.roles.clone(),
            nav: super::policy::Navigation::of(actor),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> NewUserForm {
        NewUserForm {
            username: " Tanaka.Ichiro ".into(),
            display_name: "田中 一郎".into(),
            email: "tanaka@example.jp".into(),
            password: "correct horse battery".into(),
            roles: vec!["reporter".into(), "it_lan_admin".into(), "reporter".into()],
            organisation: String::new(),
        }
    }

    #[test]
    fn username_is_normalised_and_roles_deduplicated() {
        let u = validate_new_user(&good()).unwrap();
        assert_eq!(u.username, "tanaka.ichiro");
        assert_eq!(u.roles, vec![Role::Reporter, Role::ItLanAdmin]);
    }

    #[test]
    fn bad_fields_are_each_named() {
        let form = NewUserForm {
            username: "bad name!".into(),
            display_name: "".into(),
            email: "not-an-address".into(),
            password: "short".into(),
            roles: vec![],
            organisation: "not-an-id".into(),
        };
        let errs = validate_new_user(&form).unwrap_err();
        let got: Vec<(&str, &ErrorCode)> =
            errs.iter().map(|e| (e.field.as_str(), &e.code)).collect();
        assert_eq!(
            got,
            [
                ("username", &ErrorCode::InvalidUsername),
                ("display_name", &ErrorCode::Required),
                ("email", &ErrorCode::InvalidEmail),
                ("password", &ErrorCode::TooShort(PASSWORD_MIN)),
                ("roles", &ErrorCode::Required),
                ("organisation", &ErrorCode::InvalidChoice),
            ]
        );
    }

    #[test]
    fn unknown_role_is_refused() {
        let form = NewUserForm {
            roles: vec!["root".into()],
            ..good()
        };
        let errs = validate_new_user(&form).unwrap_err();
        assert_eq!(errs[0].field, "roles");
        assert_eq!(errs[0].code, ErrorCode::InvalidChoice);
    }

    #[test]
    fn password_change_needs_matching_confirmation() {
        let form = ChangePasswordForm {
            current: "x".into(),
            new: "a long enough password".into(),
            confirm: "a long enough passw0rd".into(),
        };
        let errs = validate_change_password(&form).unwrap_err();
        assert_eq!(errs[0].field, "confirm");
        assert_eq!(errs[0].code, ErrorCode::PasswordMismatch);
    }
}

/// Which notifications a user gets by mail, where and in which language.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MailSettings {
    pub email: String,
    /// `ja` or `en`.
    pub language: String,
    /// The kinds of mail the user does not want.
    pub opt_out: Vec<String>,
}

/// One undelivered mail, for the administrator.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PendingMail {
    pub to: String,
    pub subject: String,
    pub kind: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub attempts: i32,
    pub next_attempt_at: chrono::DateTime<chrono::Utc>,
    pub last_error: Option<String>,
}

crate::string_enum! {
    /// The kinds of mail the server sends, each of which a user can opt out
    /// of (named in the locale files as `mail.kind.<id>`).
    pub enum MailKind {
        NewReport = "new_report",
        Assigned = "assigned",
        ContainmentProposed = "containment_proposed",
        ContainmentDecided = "containment_decided",
        EngagementGranted = "engagement_granted",
        EngagementExpiring = "engagement_expiring",
        ChecklistDeadline = "checklist_deadline",
        TargetBreached = "target_breached",
    }
}
