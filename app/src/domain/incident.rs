//! Incidents as they are reported in phase A (事象の発見・通報): what was seen,
//! when, where, how it came to light and what kind of event it looks like.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::classification::{Asset, AttackRoute, AttackStage, AttackerType, Severity, Tlp};
use playbooks::Label;

use super::dates;
use super::form::{Checker, ErrorCode, FieldError};
use super::phase::Phase;
use super::targets::TargetState;
use super::workflow::{CloseReason, Decision, Status};
use super::workspace::{EventView, PersonRef, PhaseSpan, TaskView};
use crate::string_enum;

string_enum! {
    /// Incident kinds of seed 001 plus targeted e-mail received (seed 003).
    pub enum IncidentKind {
        /// 標的型メール
        TargetedEmail = "targeted_email",
        /// マルウェア感染
        MalwareInfection = "malware_infection",
        /// 情報漏えい
        InformationLeak = "information_leak",
        /// サービス妨害
        DenialOfService = "denial_of_service",
        /// Webサイト改ざん
        WebsiteDefacement = "website_defacement",
        /// 不正アクセス (seed 001: 「不正アクセス、情報漏えい、DoS 攻撃などの事案」;
        /// seed 003: IPA's ウイルス・不正アクセス届出)
        UnauthorisedAccess = "unauthorised_access",
        Other = "other",
    }
}

string_enum! {
    /// How the event came to light. Seed 001: most intrusions are first
    /// noticed by an outside party, so external notification is a first-class
    /// answer.
    pub enum Discovery {
        InternalDetection = "internal_detection",
        UserReport = "user_report",
        ExternalNotification = "external_notification",
    }
}

/// The report form exactly as typed: every field is text so nothing the user
/// wrote is lost on the way to validation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportForm {
    pub title: String,
    pub observed: String,
    /// `YYYY-MM-DDTHH:MM` in the reporter's local time (an HTML datetime-local).
    pub noticed_at: String,
    /// The reporter's offset from UTC in minutes as JavaScript reports it
    /// (UTC minus local, so Japan is -540); empty means UTC.
    #[serde(default)]
    pub tz_offset: String,
    pub location: String,
    pub discovery: String,
    pub kind: String,
    pub reporter_contact: String,
    /// Who notified us, when the discovery is an outside notification.
    #[serde(default)]
    pub notifier: super::notice::Notifier,
}

/// A report that passed validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidReport {
    pub title: String,
    pub observed: String,
    pub noticed_at: DateTime<Utc>,
    pub location: String,
    pub discovery: Discovery,
    pub kind: IncidentKind,
    pub reporter_contact: String,
    /// Set exactly when the discovery is an outside notification.
    pub notifier: Option<super::notice::Notifier>,
}

pub const TITLE_MAX: usize = 200;
pub const OBSERVED_MAX: usize = 20_000;
pub const LOCATION_MAX: usize = 2_000;
pub const CONTACT_MAX: usize = 200;
/// Clocks drift; a notice time a few minutes ahead is a clock, not a typo.
const FUTURE_TOLERANCE_MINUTES: i64 = 10;

pub fn validate_report(
    form: &ReportForm,
    now: DateTime<Utc>,
) -> Result<ValidReport, Vec<FieldError>> {
    let mut c = Checker::default();
    let title = c.line("title", &form.title, TITLE_MAX);
    let observed = c.text("observed", &form.observed, OBSERVED_MAX);
    let noticed_at = dates::parse_local(&form.noticed_at, &form.tz_offset, now);
    match &noticed_at {
        Err(code) => c.fail("noticed_at", code.clone()),
        Ok(t) if *t > dates::add(now, Duration::minutes(FUTURE_TOLERANCE_MINUTES)) => {
            c.fail("noticed_at", ErrorCode::InFuture)
        }
        Ok(_) => {}
    }
    let location = c.text("location", &form.location, LOCATION_MAX);
    let discovery = c.choice("discovery", &form.discovery, Discovery::from_id);
    let kind = c.choice("kind", &form.kind, IncidentKind::from_id);
    let reporter_contact = c.line("reporter_contact", &form.reporter_contact, CONTACT_MAX);
    // Seed 001 §5: who notified us is part of an outside notice.
    let notifier = (discovery == Some(Discovery::ExternalNotification))
        .then(|| super::notice::check_notifier(&mut c, "notifier_", &form.notifier));
    c.finish(|| ValidReport {
        title,
        observed,
        noticed_at: noticed_at.expect("checked above"),
        location,
        discovery: discovery.expect("checked above"),
        kind: kind.expect("checked above"),
        reporter_contact,
        notifier,
    })
}

/// Human id of an incident: `INC-2026-0001`. Four digits at least, more when a
/// year has more than 9,999 incidents.
pub fn human_id(year: i32, seq: i64) -> String {
    format!("INC-{year}-{seq:04}")
}

/// One line of the incident list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentRow {
    pub id: Uuid,
    pub human_id: String,
    pub title: String,
    pub phase: Phase,
    pub kind: IncidentKind,
    pub discovery: Discovery,
    pub reporter: String,
    pub created_at: DateTime<Utc>,
    /// The number within its year (the list's order after the time).
    pub seq: i32,
    pub status: Status,
    pub severity: Option<Severity>,
    pub tlp: Tlp,
    pub overdue: bool,
}

/// Filters of the incident list; every field optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentQuery {
    pub phase: Option<Phase>,
    pub kind: Option<IncidentKind>,
    /// Username of the reporter.
    pub reporter: Option<String>,
    pub severity: Option<Severity>,
    pub tlp: Option<Tlp>,
    /// Only incidents past a time target.
    pub overdue: bool,
    /// Only incidents where the reader is the responder or the officer.
    pub mine: bool,
    /// Where the page starts: after this row (older ones), or before it
    /// (newer ones); neither, the newest.
    pub from: Option<(Direction, ListCursor)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// The rows after the cursor in the list's order (older).
    After,
    /// The rows before it (newer).
    Before,
}

/// A place in the incident list (newest first): a row's report time and
/// its number, the list's order. Written in links as `<ns>~<seq>`, so a
/// page is found by an index range, not by counting the rows before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListCursor {
    pub created_at: DateTime<Utc>,
    pub seq: i32,
}

impl ListCursor {
    pub fn of(row: &IncidentRow) -> ListCursor {
        ListCursor {
            created_at: row.created_at,
            seq: row.seq,
        }
    }

    pub fn to_param(self) -> String {
        format!(
            "{}~{}",
            self.created_at.timestamp_nanos_opt().unwrap_or_default(),
            self.seq
        )
    }

    /// A cursor from a link; anything else is none (the newest page), as
    /// the list's other URL filters that do not parse are ignored.
    pub fn parse(s: &str) -> Option<ListCursor> {
        let (ns, seq) = s.trim().split_once('~')?;
        let ns: i64 = ns.parse().ok()?;
        Some(ListCursor {
            created_at: DateTime::from_timestamp_nanos(ns),
            seq: seq.parse().ok()?,
        })
    }

    /// Where a page starts, from its link's `after=` and `before=`: `after`
    /// when both are given; a value that does not parse counts as absent.
    pub fn from_params(
        after: Option<&str>,
        before: Option<&str>,
    ) -> Option<(Direction, ListCursor)> {
        after
            .and_then(ListCursor::parse)
            .map(|c| (Direction::After, c))
            .or_else(|| {
                before
                    .and_then(ListCursor::parse)
                    .map(|c| (Direction::Before, c))
            })
    }

    /// The links of a page read from `from`, in the list's order, when the
    /// query found `further` rows beyond it in its own direction: `(next,
    /// prev)`, the `after=` of its last row and the `before=` of its first.
    /// Reached going forward there are newer rows, going back older ones.
    pub fn links(
        from: Option<(Direction, ListCursor)>,
        further: bool,
        rows: &[IncidentRow],
    ) -> (Option<String>, Option<String>) {
        let (older, newer) = match from {
            None => (further, false),
            Some((Direction::After, _)) => (further, true),
            Some((Direction::Before, _)) => (true, further),
        };
        let param = |r: Option<&IncidentRow>| r.map(|r| ListCursor::of(r).to_param());
        (
            older.then(|| param(rows.last())).flatten(),
            newer.then(|| param(rows.first())).flatten(),
        )
    }
}

pub const PAGE_SIZE: u64 = 50;

/// How many matching incidents the list counts at most: past it, the
/// page says "more than" (an exact count of 100,000 rows costs more than
/// the page itself).
pub const COUNT_CAP: u64 = 1000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentPage {
    pub rows: Vec<IncidentRow>,
    /// The incidents the filters match, up to [`COUNT_CAP`].
    pub total: u64,
    /// More match than [`COUNT_CAP`].
    pub more_than_total: bool,
    /// The link parameter of the older page (`after=`), if there is one.
    pub next: Option<String>,
    /// The link parameter of the newer page (`before=`), if there is one.
    pub prev: Option<String>,
}

/// Everything the incident page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentDetail {
    pub id: Uuid,
    pub human_id: String,
    pub title: String,
    pub observed: String,
    pub noticed_at: DateTime<Utc>,
    pub location: String,
    pub discovery: Discovery,
    pub kind: IncidentKind,
    pub reporter_contact: String,
    pub reporter: String,
    pub reporter_username: String,
    pub phase: Phase,
    pub created_at: DateTime<Utc>,
    pub status: Status,
    pub close_reason: Option<CloseReason>,
    pub decision: Option<Decision>,
    pub decision_reason: Option<String>,
    pub severity: Option<Severity>,
    pub tlp: Tlp,
    /// Every stage reached, in seed 000's model.
    pub attack_stages: Vec<AttackStage>,
    /// The same stages in the alternative models (kill chain, seed 004).
    pub stage_models: Vec<StageModelView>,
    pub attacker_type: Option<AttackerType>,
    pub attack_route: Option<AttackRoute>,
    pub responder: Option<PersonRef>,
    pub officer: Option<PersonRef>,
    /// The playbook version (content hash) the incident was opened under.
    pub playbook_hash: String,
    pub prevention_technical: Option<String>,
    pub prevention_operational: Option<String>,
    /// Phase G's recurrence-prevention checklist (handlers only).
    #[serde(default)]
    pub prevention: Vec<super::prevention::PreventionView>,
    /// Who notified us from outside (handlers only).
    #[serde(default)]
    pub notices: Vec<super::notice::NoticeView>,
    /// Log-triage analyses of the evidence items the reader sees, newest
    /// first, and their findings.
    #[serde(default)]
    pub triage_runs: Vec<super::triage::RunView>,
    #[serde(default)]
    pub findings: Vec<super::triage::FindingView>,
    /// The reports generated that the reader may download, newest first.
    #[serde(default)]
    pub report_records: Vec<super::report::ReportRecord>,
    /// The report templates the reader may generate (none: no panel).
    #[serde(default)]
    pub report_templates: Vec<super::report::ReportTemplate>,
    pub tasks: Vec<TaskView>,
    pub events: Vec<EventView>,
    pub assets: Vec<Asset>,
    pub phases: Vec<PhaseSpan>,
    pub targets: Vec<TargetState>,
    /// Containment measures, newest first.
    pub measures: Vec<super::workspace::MeasureView>,
    /// The preservation checklist and the evidence registry; empty for
    /// readers who may not handle evidence.
    pub checklist: Vec<super::evidence::ChecklistView>,
    pub evidence: Vec<super::evidence::EvidenceView>,
    /// Candidates for assignment; empty unless the reader may assign.
    pub people: Vec<PersonRef>,
    /// External organisations engaged on the incident (handlers only).
    pub engagements: Vec<super::external::EngagementView>,
    /// Full-investigation reports, the input of phase F (handlers only).
    pub reports: Vec<super::external::ReportView>,
    /// The organisations the officer may engage (empty unless `may.engage`).
    pub organisations: Vec<super::external::OrganisationView>,
    /// Set when the reader is an external party: what its engagement covers.
    pub external: Option<ExternalAccess>,
    /// The observables the reader sees, each with the other incidents that
    /// share it.
    #[serde(default)]
    pub observables: Vec<super::observable::ObservableView>,
    /// What the reader may do here, from the one policy
    /// (`policy::Permissions::of`); its flags sit beside the other fields on
    /// the wire (`may_classify`, `available`, …).
    #[serde(flatten)]
    pub may: super::policy::Permissions,
}

/// An alternative attack-stage model and the stages of it the incident's
/// recorded stages reach.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageModelView {
    pub name: Label,
    pub cite: String,
    pub reached: Vec<Label>,
}

/// An external reader's engagement, as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalAccess {
    pub kind: super::external::OrgKind,
    pub scope: super::external::Scope,
    pub expires_at: DateTime<Utc>,
    /// The report as last submitted, to revise.
    pub report: Option<super::external::ReportParts>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_cursors_read_back_and_name_the_neighbouring_pages() {
        let at = |s: i64| DateTime::from_timestamp(1_780_000_000 + s, 123_456_789).unwrap();
        let row = |seq: i32| IncidentRow {
            id: Uuid::nil(),
            human_id: format!("INC-2026-{seq:04}"),
            title: String::new(),
            phase: crate::domain::Phase::A,
            kind: IncidentKind::Other,
            discovery: Discovery::UserReport,
            reporter: String::new(),
            created_at: at(seq.into()),
            seq,
            status: Status::Open,
            severity: None,
            tlp: Tlp::Amber,
            overdue: false,
        };
        let c = ListCursor::of(&row(7));
        assert_eq!(
            ListCursor::parse(&c.to_param()),
            Some(c),
            "nanoseconds kept"
        );
        for bad in ["", "7", "x~1", "1~x", "1~2~3"] {
            assert_eq!(ListCursor::parse(bad), None, "{bad}");
        }
        let p = c.to_param();
        assert_eq!(
            ListCursor::from_params(Some(&p), Some("1~1")),
            Some((Direction::After, c))
        );
        assert_eq!(
            ListCursor::from_params(Some("junk"), Some(&p)),
            Some((Direction::Before, c))
        );
        assert_eq!(ListCursor::from_params(Some(""), None), None);
        // Newest first: rows 9, 8, 7.
        let rows = [row(9), row(8), row(7)];
        let of = |seq| Some(ListCursor::of(&row(seq)).to_param());
        assert_eq!(ListCursor::links(None, true, &rows), (of(7), None));
        assert_eq!(ListCursor::links(None, false, &rows), (None, None));
        let after = Some((Direction::After, c));
        assert_eq!(ListCursor::links(after, false, &rows), (None, of(9)));
        let before = Some((Direction::Before, c));
        assert_eq!(ListCursor::links(before, true, &rows), (of(7), of(9)));
        assert_eq!(ListCursor::links(before, false, &rows), (of(7), None));
        assert_eq!(ListCursor::links(after, true, &[]), (None, None));
    }
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
    }

    fn good() -> ReportForm {
        ReportForm {
            title: "Suspicious mail with attachment".into(),
            observed: "A mail claiming to be from HR had an .exe attachment".into(),
            noticed_at: "2026-11-22T09:30".into(),
            tz_offset: "-540".into(),
            location: "pc-0042, user tanaka".into(),
            discovery: "user_report".into(),
            kind: "targeted_email".into(),
            reporter_contact: "tanaka@example.jp / 03-1234-5678".into(),
            notifier: Default::default(),
        }
    }

    #[test]
    fn an_outside_notification_names_who_notified() {
        let outside = ReportForm {
            discovery: "external_notification".into(),
            ..good()
        };
        let errs = validate_report(&outside, now()).unwrap_err();
        assert_eq!(
            fields(&errs),
            [("notifier_organisation", &ErrorCode::Required)]
        );
        let named = ReportForm {
            notifier: crate::domain::notice::Notifier {
                organisation: " JPCERT/CC ".into(),
                their_reference: "JPCERT#1".into(),
                ..Default::default()
            },
            ..outside
        };
        let v = validate_report(&named, now()).unwrap();
        assert_eq!(v.notifier.unwrap().organisation, "JPCERT/CC");
        // Any other discovery records no notifier, whatever was typed.
        let user = ReportForm {
            discovery: "user_report".into(),
            ..named
        };
        assert_eq!(validate_report(&user, now()).unwrap().notifier, None);
    }

    fn fields(errs: &[FieldError]) -> Vec<(&str, &ErrorCode)> {
        errs.iter().map(|e| (e.field.as_str(), &e.code)).collect()
    }

    #[test]
    fn valid_report_converts_local_time_to_utc() {
        let r = validate_report(&good(), now()).unwrap();
        assert_eq!(
            r.noticed_at,
            Utc.with_ymd_and_hms(2026, 11, 22, 0, 30, 0).unwrap()
        );
        assert_eq!(r.kind, IncidentKind::TargetedEmail);
        assert_eq!(r.discovery, Discovery::UserReport);
    }

    #[test]
    fn every_missing_field_is_named() {
        let errs = validate_report(&ReportForm::default(), now()).unwrap_err();
        let names: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            names,
            [
                "title",
                "observed",
                "noticed_at",
                "location",
                "discovery",
                "kind",
                "reporter_contact"
            ]
        );
        assert!(errs.iter().all(|e| e.code == ErrorCode::Required));
    }

    #[test]
    fn whitespace_only_is_missing() {
        let form = ReportForm {
            title: "   ".into(),
            ..good()
        };
        let errs = validate_report(&form, now()).unwrap_err();
        assert_eq!(fields(&errs), [("title", &ErrorCode::Required)]);
    }

    #[test]
    fn overlong_title_is_refused_with_its_limit() {
        let form = ReportForm {
            title: "火".repeat(TITLE_MAX + 1),
            ..good()
        };
        let errs = validate_report(&form, now()).unwrap_err();
        assert_eq!(fields(&errs), [("title", &ErrorCode::TooLong(TITLE_MAX))]);
        let ok = ReportForm {
            title: "火".repeat(TITLE_MAX),
            ..good()
        };
        assert!(validate_report(&ok, now()).is_ok());
    }

    #[test]
    fn unknown_choices_are_refused() {
        let form = ReportForm {
            kind: "ransom".into(),
            discovery: "psychic".into(),
            ..good()
        };
        let errs = validate_report(&form, now()).unwrap_err();
        assert_eq!(
            fields(&errs),
            [
                ("discovery", &ErrorCode::InvalidChoice),
                ("kind", &ErrorCode::InvalidChoice)
            ]
        );
    }

    #[test]
    fn notice_time_must_parse_and_not_be_in_the_future() {
        let bad = ReportForm {
            noticed_at: "yesterday".into(),
            ..good()
        };
        assert_eq!(
            fields(&validate_report(&bad, now()).unwrap_err()),
            [("noticed_at", &ErrorCode::InvalidDateTime)]
        );
        let future = ReportForm {
            noticed_at: "2026-11-23T12:00".into(),
            tz_offset: "".into(),
            ..good()
        };
        assert_eq!(
            fields(&validate_report(&future, now()).unwrap_err()),
            [("noticed_at", &ErrorCode::InFuture)]
        );
        let drift = ReportForm {
            noticed_at: "2026-11-22T12:05".into(),
            tz_offset: "".into(),
            ..good()
        };
        assert!(validate_report(&drift, now()).is_ok());
        let bad_tz = ReportForm {
            tz_offset: "9999".into(),
            ..good()
        };
        assert!(validate_report(&bad_tz, now()).is_err());
    }

    #[test]
    fn an_impossible_time_zone_offset_is_a_field_error_not_a_panic() {
        for tz in ["-9223372036854775808", "9223372036854775807", "-841", "1e9"] {
            let form = ReportForm {
                tz_offset: tz.into(),
                ..good()
            };
            assert_eq!(
                fields(&validate_report(&form, now()).unwrap_err()),
                [("noticed_at", &ErrorCode::InvalidTimeZone)],
                "{tz}"
            );
        }
    }

    #[test]
    fn a_report_noticed_in_an_impossible_year_is_refused_with_the_window() {
        for noticed_at in [
            "-262143-01-01T00:00",
            "1969-12-31T23:59",
            "+262142-12-31T23:59",
        ] {
            let form = ReportForm {
                noticed_at: noticed_at.into(),
                tz_offset: "".into(),
                ..good()
            };
            assert_eq!(
                fields(&validate_report(&form, now()).unwrap_err()),
                [("noticed_at", &ErrorCode::DateOutOfRange(1970, 2036))],
                "{noticed_at}"
            );
        }
        // A date inside the window but ahead of now is still "in the future".
        let ahead = ReportForm {
            noticed_at: "2030-01-01T00:00".into(),
            ..good()
        };
        assert_eq!(
            fields(&validate_report(&ahead, now()).unwrap_err()),
            [("noticed_at", &ErrorCode::InFuture)]
        );
    }

    #[test]
    fn titles_and_contacts_lose_invisible_characters_and_line_breaks() {
        let form = ReportForm {
            title: "Invoice \u{202E}fdp.exe\u{200B}\0 attached\r\nBcc: x".into(),
            observed: "line one\r\nline two\u{202E}\0".into(),
            reporter_contact: "\u{2066}tanaka\u{2069}@example.jp".into(),
            ..good()
        };
        let r = validate_report(&form, now()).unwrap();
        assert_eq!(r.title, "Invoice fdp.exe attached  Bcc: x");
        assert_eq!(r.observed, "line one\nline two");
        assert_eq!(r.reporter_contact, "tanaka@example.jp");
        let invisible = ReportForm {
            title: "\u{202E}\u{200B}\u{FEFF}".into(),
            ..good()
        };
        assert_eq!(
            fields(&validate_report(&invisible, now()).unwrap_err()),
            [("title", &ErrorCode::Required)]
        );
    }

    #[test]
    fn human_ids_are_zero_padded_and_grow() {
        assert_eq!(human_id(2026, 1), "INC-2026-0001");
        assert_eq!(human_id(2026, 12345), "INC-2026-12345");
    }
}
