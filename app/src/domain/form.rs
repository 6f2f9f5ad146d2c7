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
    /// A date outside the years a real one can have (from, to): before 1970 or
    /// too far ahead.
    DateOutOfRange(i32, i32),
    /// The browser's time-zone offset is not one the Earth has (±14 h).
    InvalidTimeZone,
    InFuture,
    /// A time that must come later (an expiry after its start and after now).
    MustBeLater,
    InvalidUsername,
    InvalidEmail,
    UsernameTaken,
    /// An administrator cannot deactivate their own account.
    CannotDeactivateSelf,
    PasswordMismatch,
    WrongPassword,
    InvalidCredentials,
    /// Sign-in refused for this many more seconds after repeated failures.
    Throttled(u64),
    /// A workflow rule refused the change.
    Refused(super::workflow::Refusal),
    /// Not a valid value of the chosen observable type.
    InvalidObservable,
    /// A pasted line whose type could not be told.
    UnknownObservableType,
    /// A line of a pasted block, and what is wrong with it.
    BadLine(usize, Box<ErrorCode>),
    /// More lines than one paste may hold.
    TooManyLines(usize),
    /// The value is on the list already.
    AlreadyListed,
    /// A STIX object (by id, or its place) and the field that is missing or
    /// not valid.
    BadStix(String, String),
    /// No incident of this human id that the reader may see.
    UnknownIncident(String),
    /// Not an http(s) URL (with a host) that can be used.
    InvalidUrl,
    /// The notification form's intake account: it never signs in, so it
    /// cannot be activated, given a password or roles.
    SystemAccount,
    /// A PDF in Japanese was asked for and the server has no Japanese font.
    NoJapaneseFont,
    /// Settings text that cannot be used: the line (0: not at one line) and
    /// the parser's explanation.
    BadSettings(usize, String),
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

    /// Multi-line text, cleaned (see [`clean`]) and trimmed; it must be
    /// non-empty and at most `max` characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        self.required(field, clean(value, Lines::Many), max)
    }

    /// Like `text` but an empty value is allowed.
    pub fn optional_text(&mut self, field: &str, value: &str, max: usize) -> Option<String> {
        self.optional(field, clean(value, Lines::Many), max)
    }

    /// Single-line text (a title, a name, a file or host name), cleaned and
    /// trimmed; non-empty and at most `max` characters.
    pub fn line(&mut self, field: &str, value: &str, max: usize) -> String {
        self.required(field, clean(value, Lines::One), max)
    }

    /// Like `line` but an empty value is allowed.
    pub fn optional_line(&mut self, field: &str, value: &str, max: usize) -> Option<String> {
        self.optional(field, clean(value, Lines::One), max)
    }

    fn required(&mut self, field: &str, v: String, max: usize) -> String {
        if v.is_empty() {
            self.fail(field, ErrorCode::Required);
        } else if v.chars().count() > max {
            self.fail(field, ErrorCode::TooLong(max));
        }
        v
    }

    fn optional(&mut self, field: &str, v: String, max: usize) -> Option<String> {
        if v.is_empty() {
            return None;
        }
        if v.chars().count() > max {
            self.fail(field, ErrorCode::TooLong(max));
        }
        Some(v)
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

/// One required multi-line field on its own (a comment, a reason): cleaned,
/// trimmed, non-empty and at most `max` characters.
pub fn required_text(field: &str, value: &str, max: usize) -> Result<String, Vec<FieldError>> {
    let mut c = Checker::default();
    let v = c.text(field, value, max);
    c.finish(|| v)
}

/// What kind of text a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    /// A title, a name, a file or host name: shown on one line, in lists,
    /// subjects and headers.
    One,
    /// A description or a reason: newlines and tabs are part of it.
    Many,
}

/// Free text as it is kept: without the characters that are not seen but
/// change what is seen or how it is read, so a title cannot hide a right-to-left
/// override that turns `gpj.exe` into `exe.jpg`, a NUL that cuts it short in
/// another tool, or zero-width characters that make two names look alike.
/// Every validator of free text goes through this, then trims.
///
/// - One line: control characters go (tabs and line breaks, including
///   U+2028/U+2029, become a space), and so do bidirectional overrides,
///   embeddings, isolates and marks (U+202A–202E, U+2066–2069, U+200E/200F,
///   U+061C) and zero-width characters (U+200B–200D, U+2060, U+FEFF).
/// - Many lines: newlines (CR LF and lone CR become LF) and tabs stay; other
///   control characters, NUL among them, and the bidirectional overrides,
///   embeddings and isolates go. Zero-width joiners stay: emoji and some
///   scripts need them inside running text.
pub fn clean(value: &str, lines: Lines) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match lines {
            Lines::One => {
                if matches!(c, '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}') {
                    out.push(' ');
                } else if !(c.is_control() || is_invisible(c)) {
                    out.push(c);
                }
            }
            Lines::Many => match c {
                '\r' => {
                    if chars.peek() != Some(&'\n') {
                        out.push('\n');
                    }
                }
                '\n' | '\t' => out.push(c),
                c if c.is_control() || is_bidi_override(c) => {}
                c => out.push(c),
            },
        }
    }
    out.trim().to_string()
}

/// A character [`clean`] would drop because it is not seen, as visible text
/// (`<U+202E>`); everything else as it is. For values whose hidden
/// characters are the evidence: an attachment named `invoice<U+202E>fdp.exe`
/// is exactly what must be seen, and cannot reorder the page that shows it.
pub fn reveal_invisible(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if is_invisible(c) || is_bidi_override(c) {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Overrides, embeddings and isolates: they reorder what follows them.
fn is_bidi_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Overrides plus the invisible direction marks.
fn is_bidi_control(c: char) -> bool {
    is_bidi_override(c) || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Characters that change how the text around them reads without showing
/// themselves: what one-line cleaning removes besides control characters.
pub fn is_invisible(c: char) -> bool {
    is_bidi_control(c) || is_zero_width(c)
}

/// The first error for a field, if any: what the page shows next to it.
pub fn error_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a ErrorCode> {
    errors.iter().find(|e| e.field == field).map(|e| &e.code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_text_loses_controls_bidi_overrides_and_zero_width_characters() {
        // A right-to-left override makes `invoice\u{202E}fdp.exe` look like
        // `invoiceexe.pdf`.
        assert_eq!(
            clean("invoice\u{202E}fdp.exe", Lines::One),
            "invoicefdp.exe"
        );
        assert_eq!(clean("a\0b\u{7}c\u{1b}[31md\u{7f}", Lines::One), "abc[31md");
        assert_eq!(
            clean("ad\u{200B}min\u{200C}\u{200D}\u{2060}\u{FEFF}", Lines::One),
            "admin"
        );
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{2066}', '\u{2067}', '\u{2068}',
            '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}', '\u{85}', '\u{9f}',
        ] {
            assert_eq!(
                clean(&format!("x{c}y"), Lines::One).replace(' ', ""),
                "xy",
                "{c:?}"
            );
        }
        // Line breaks would forge a second line in a mail subject or a report.
        assert_eq!(
            clean("first\r\nsecond\u{2028}third\tfourth", Lines::One),
            "first  second third fourth"
        );
        assert_eq!(clean(" \u{202E}\u{200B} ", Lines::One), "");
        // Ordinary text, Japanese included, is kept as it is.
        assert_eq!(
            clean("標的型メール「請求書」", Lines::One),
            "標的型メール「請求書」"
        );
    }

    #[test]
    fn many_line_text_keeps_newlines_and_tabs_but_not_nul_or_overrides() {
        assert_eq!(
            clean("line 1\r\nline 2\rline 3\n\tindented", Lines::Many),
            "line 1\nline 2\nline 3\n\tindented"
        );
        assert_eq!(clean("a\0b\u{202E}c\u{2067}d\u{1b}e", Lines::Many), "abcde");
        // A family emoji is held together by zero-width joiners.
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";
        assert_eq!(clean(family, Lines::Many), family);
    }

    #[test]
    fn a_single_required_text_is_cleaned_and_bounded() {
        assert_eq!(required_text("text", " a\0\r\nb ", 5), Ok("a\nb".into()));
        let err = |code| {
            Err(vec![FieldError {
                field: "text".into(),
                code,
            }])
        };
        assert_eq!(
            required_text("text", "\u{202E}", 5),
            err(ErrorCode::Required)
        );
        assert_eq!(
            required_text("text", "abcdef", 5),
            err(ErrorCode::TooLong(5))
        );
    }

    #[test]
    fn the_checker_cleans_before_it_counts_and_reports_empty_after_cleaning() {
        let mut c = Checker::default();
        assert_eq!(c.line("title", "\u{202E}\u{200B}", 10), "");
        assert_eq!(c.line("name", "abc\u{200B}\u{200B}\u{200B}", 3), "abc");
        assert_eq!(c.optional_line("host", "\u{FEFF}", 10), None);
        assert_eq!(c.text("observed", "x\0\r\ny", 10), "x\ny");
        assert_eq!(
            c.finish(|| ()).unwrap_err(),
            [FieldError {
                field: "title".into(),
                code: ErrorCode::Required
            }]
        );
    }
}
