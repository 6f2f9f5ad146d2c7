//! What a detector reports: a [`Finding`] with a bilingual title and
//! explanation, the log lines that support it and the observables it
//! implicates.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::triage::record::At;

/// At most this many supporting lines are kept per finding; the rest are
/// only counted in [`Finding::line_count`].
pub const MAX_LINES: usize = 20;

/// How urgently a finding should be looked at. Ordered most severe first,
/// so sorting ascending puts `High` on top.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    High,
    Medium,
    Low,
}

/// A text in both languages the product speaks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub ja: String,
    pub en: String,
}

impl Label {
    pub fn new(ja: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            ja: ja.into(),
            en: en.into(),
        }
    }
}

/// What kind of thing an [`Observable`] is (the STIX-like vocabulary the
/// threat-intelligence store uses).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObservableKind {
    /// A computer name (Windows workstation, mail server).
    Host,
    Ip,
    Domain,
    Url,
    UserAgent,
    Account,
    Email,
    FileName,
}

/// A value a finding implicates, ready to be searched for elsewhere or
/// promoted to an indicator.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Observable {
    pub kind: ObservableKind,
    pub value: String,
}

impl Observable {
    pub fn new(kind: ObservableKind, value: impl Into<String>) -> Self {
        Self {
            kind,
            value: value.into(),
        }
    }
}

/// One thing worth an analyst's attention.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// Stable id of the rule, e.g. `proxy.beaconing`; see [`super::DETECTORS`].
    pub detector: &'static str,
    pub severity: Severity,
    pub title: Label,
    /// What was seen, with the concrete values, and why it matters.
    pub explanation: Label,
    /// The first [`MAX_LINES`] supporting lines, in the order fed.
    pub lines: Vec<At>,
    /// How many lines support the finding in total.
    pub line_count: u64,
    pub observables: Vec<Observable>,
    /// Time of the earliest and latest supporting line that had a time.
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
}

/// Orders findings for presentation: severity, then detector, then first
/// cited line; the explanation breaks remaining ties so the order never
/// depends on hash-map iteration.
pub(crate) fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let first = |f: &Finding| f.lines.first().map(|at| (at.line, at.offset));
        a.severity
            .cmp(&b.severity)
            .then_with(|| a.detector.cmp(b.detector))
            .then_with(|| first(a).cmp(&first(b)))
            .then_with(|| a.explanation.en.cmp(&b.explanation.en))
    });
}

/// Collects observables without duplicates, keeping first-seen order.
#[derive(Default)]
pub(crate) struct Observables(Vec<Observable>);

impl Observables {
    pub fn push(&mut self, kind: ObservableKind, value: impl Into<String>) {
        let value = value.into();
        if value.is_empty() {
            return;
        }
        if !self.0.iter().any(|o| o.kind == kind && o.value == value) {
            self.0.push(Observable { kind, value });
        }
    }

    pub fn into_vec(self) -> Vec<Observable> {
        self.0
    }
}

/// Unicode bidirectional formatting characters (LRM, RLM, ALM, the
/// embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069):
/// they reorder what a reader sees, e.g. `abc\u{202E}fdp.exe` shows as
/// `abcexe.pdf`.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that do not show: controls, bidi formatting, zero-width.
fn is_invisible(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}')
}

/// Makes untrusted text safe to put in an explanation: invisible and
/// reordering characters are written as `<U+202E>`, so a file name cannot
/// disguise itself inside the very finding that exposes it.
pub(crate) fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_invisible) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_invisible(c) {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}
