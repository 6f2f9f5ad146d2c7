//! Field-level validation results. A form that fails validation comes back as
//! `FormResult::Invalid` with one entry per bad field; the page shows each
//! message next to its field, in the reader's language, and keeps the input.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorCode {
    Required,
    TooLong(usize),
    TooShort(usize),
    InvalidChoice,
    InvalidDateTime,
    InFuture,
    /// A time that must come later (an expiry after its start and after now).
    MustBeLater,
    InvalidUsername,
    InvalidEmail,
    UsernameTaken,
    PasswordMismatch,
    WrongPassword,
    InvalidCredentials,
    /// Sign-in refused for this many more seconds after repeated failures.
    Throttled(u64),
    /// A workflow rule refused the change.
    Refused(super::workflow::Refusal),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub code: ErrorCode,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FormResult<T> {
    Done(T),
    Invalid(Vec<FieldError>),
}

/// Collects field errors while a form is checked.
#[derive(Default, Debug)]
pub struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    pub fn fail(&mut self, field: &str, code: ErrorCode) {
        self.errors.push(FieldError {
            field: field.to_string(),
            code,
        });
    }

    /// Trims the text; it must be non-empty and at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let v = value.trim();
        if v.is_empty() {
            self.fail(field, ErrorCode::Required);
        } else if v.chars().count() > max {
            self.fail(field, ErrorCode::TooLong(max));
        }
        v.to_string()
    }

    /// Like `text` but an empty value is allowed.
    pub fn optional_text(&mut self, field: &str, value: &str, max: usize) -> Option<String> {
        let v = value.trim();
        if v.is_empty() {
            return None;
        }
        if v.chars().count() > max {
            self.fail(field, ErrorCode::TooLong(max));
        }
        Some(v.to_string())
    }

    /// A value from a fixed list of choices.
    pub fn choice<T>(
        &mut self,
        field: &str,
        value: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let v = value.trim();
        if v.is_empty() {
            self.fail(field, ErrorCode::Required);
            return None;
        }
        let parsed = parse(v);
        if parsed.is_none() {
            self.fail(field, ErrorCode::InvalidChoice);
        }
        parsed
    }

    /// An optional choice: empty means none, anything else must parse.
    pub fn optional_choice<T>(
        &mut self,
        field: &str,
        value: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let v = value.trim();
        if v.is_empty() {
            return None;
        }
        let parsed = parse(v);
        if parsed.is_none() {
            self.fail(field, ErrorCode::InvalidChoice);
        }
        parsed
    }

    pub fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(value())
        } else {
            Err(self.errors)
        }
    }
}

/// The first error for a field, if any: what the page shows next to it.
pub fn error_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a ErrorCode> {
    errors.iter().find(|e| e.field == field).map(|e| &e.code)
}
