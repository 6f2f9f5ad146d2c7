//! Japanese and English text. The language of a page is decided on the server
//! (a `hikeshi_lang` cookie, else the browser's Accept-Language) and written to
//! `<html lang>`, where the browser reads it back when it hydrates, so both
//! sides render the same words.
//!
//! The words themselves are in `app/locales/en.toml` and `ja.toml`, which
//! `app/build.rs` checks (same keys in both, no empty text, same placeholders)
//! and compiles into `lookup`. The tests below hold them to the keys the UI
//! uses, both ways: no key without text, no text without a use.

use serde::{Deserialize, Serialize};

use crate::domain::ErrorCode;
use crate::domain::incident::{Discovery, IncidentKind};
use crate::domain::workflow::Refusal;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    Ja,
    #[default]
    En,
}

pub const LANG_COOKIE: &str = "hikeshi_lang";

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The preferred of Japanese and English in an Accept-Language header,
    /// honouring q-values; English when neither is asked for.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = it
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|v| v.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let lang = match tag.split('-').next() {
                Some("ja") => Lang::Ja,
                Some("en") => Lang::En,
                _ => continue,
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    /// Picks the text for this language.
    pub fn pick<'a>(self, en: &'a str, ja: &'a str) -> &'a str {
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }
}

/// A UI string by key. An unknown key comes back as `??`, which the
/// `every_key_used_in_the_ui_has_both_languages` test catches.
pub fn t(lang: Lang, key: &str) -> &'static str {
    match lookup(key) {
        Some((en, ja)) => lang.pick(en, ja),
        None => "??",
    }
}

/// A text by key in both languages (English, Japanese), if there is one:
/// for keys built from data (an event kind), where `t`'s `??` would do.
pub fn lookup_text(key: &str) -> Option<(&'static str, &'static str)> {
    lookup(key)
}

// `fn lookup(key: &str) -> Option<(&'static str, &'static str)>`: one `match`
// from key to (English, Japanese), written by build.rs from app/locales/.
include!(concat!(env!("OUT_DIR"), "/locales.rs"));

/// What an engagement covers, in one line: on the incident page and in the
/// engagement mail.
pub fn scope_text(lang: Lang, s: &crate::domain::external::Scope) -> String {
    let mut parts = Vec::new();
    if !s.phases.is_empty() {
        let phases: Vec<&str> = s.phases.iter().map(|p| p.id()).collect();
        parts.push(format!("{} {}", t(lang, "ext.phases"), phases.join(", ")));
    }
    if s.evidence {
        parts.push(if s.evidence_items.is_empty() {
            t(lang, "ext.all_evidence").to_string()
        } else {
            format!("{} ({})", t(lang, "ext.evidence"), s.evidence_items.len())
        });
    }
    if s.containment {
        parts.push(t(lang, "ext.containment").into());
    }
    if s.timeline {
        parts.push(t(lang, "ext.timeline").into());
    }
    parts.join(" · ")
}

/// The message shown next to a field.
pub fn error_text(lang: Lang, code: &ErrorCode) -> String {
    let text = t(lang, error_key(code));
    match code {
        ErrorCode::TooLong(n) | ErrorCode::TooShort(n) => with_n(text, n),
        ErrorCode::Throttled(seconds) => with_n(text, seconds),
        ErrorCode::DateOutOfRange(from, to) => text
            .replace("{from}", &from.to_string())
            .replace("{to}", &to.to_string()),
        ErrorCode::Refused(r) => refusal_text(lang, r),
        ErrorCode::BadLine(n, reason) => {
            with_n(text, n).replace("{reason}", &error_text(lang, reason))
        }
        ErrorCode::TooManyLines(n) => with_n(text, n),
        ErrorCode::BadStix(object, field) => {
            text.replace("{object}", object).replace("{field}", field)
        }
        ErrorCode::UnknownIncident(id) => text.replace("{id}", id),
        ErrorCode::BadSettings(0, why) => why.clone(),
        ErrorCode::BadSettings(line, why) => with_n(text, line).replace("{reason}", why),
        ErrorCode::Required
        | ErrorCode::InvalidChoice
        | ErrorCode::InvalidDateTime
        | ErrorCode::InvalidTimeZone
        | ErrorCode::InFuture
        | ErrorCode::MustBeLater
        | ErrorCode::InvalidUsername
        | ErrorCode::InvalidEmail
        | ErrorCode::UsernameTaken
        | ErrorCode::CannotDeactivateSelf
        | ErrorCode::InvalidObservable
        | ErrorCode::UnknownObservableType
        | ErrorCode::AlreadyListed
        | ErrorCode::InvalidUrl
        | ErrorCode::SystemAccount
        | ErrorCode::NoJapaneseFont
        | ErrorCode::PasswordMismatch
        | ErrorCode::WrongPassword
        | ErrorCode::InvalidCredentials => text.into(),
    }
}

/// Why a workflow command cannot be applied (yet).
pub fn refusal_text(lang: Lang, r: &Refusal) -> String {
    let text = t(lang, refusal_key(r));
    match r {
        Refusal::OutputsMissing(n)
        | Refusal::ContainmentPending(n)
        | Refusal::ContainmentActive(n)
        | Refusal::PreventionUndecided(n)
        | Refusal::WaitingFor(n) => with_n(text, n),
        Refusal::Role
        | Refusal::NotNow
        | Refusal::OwnProposal
        | Refusal::EvidenceNotConfirmed
        | Refusal::DecisionNeeded
        | Refusal::PreventionMissing
        | Refusal::ReasonRequired
        | Refusal::StillShared
        | Refusal::NotShareable => text.into(),
    }
}

/// The locale key of an error's message (`err.*`, or `refusal.*` for a
/// refused command).
fn error_key(code: &ErrorCode) -> &'static str {
    match code {
        ErrorCode::Required => "err.required",
        ErrorCode::TooLong(_) => "err.too_long",
        ErrorCode::TooShort(_) => "err.too_short",
        ErrorCode::InvalidChoice => "err.invalid_choice",
        ErrorCode::InvalidDateTime => "err.invalid_date_time",
        ErrorCode::DateOutOfRange(_, _) => "err.date_out_of_range",
        ErrorCode::InvalidTimeZone => "err.invalid_time_zone",
        ErrorCode::InFuture => "err.in_future",
        ErrorCode::MustBeLater => "err.must_be_later",
        ErrorCode::InvalidUsername => "err.invalid_username",
        ErrorCode::InvalidEmail => "err.invalid_email",
        ErrorCode::UsernameTaken => "err.username_taken",
        ErrorCode::CannotDeactivateSelf => "err.cannot_deactivate_self",
        ErrorCode::InvalidObservable => "err.invalid_observable",
        ErrorCode::UnknownObservableType => "err.unknown_observable_type",
        ErrorCode::BadLine(..) => "err.bad_line",
        ErrorCode::TooManyLines(_) => "err.too_many_lines",
        ErrorCode::AlreadyListed => "err.already_listed",
        ErrorCode::BadStix(..) => "err.bad_stix",
        ErrorCode::UnknownIncident(_) => "err.unknown_incident",
        ErrorCode::InvalidUrl => "err.invalid_url",
        ErrorCode::SystemAccount => "err.system_account",
        ErrorCode::NoJapaneseFont => "err.no_japanese_font",
        ErrorCode::BadSettings(..) => "err.bad_settings",
        ErrorCode::PasswordMismatch => "err.password_mismatch",
        ErrorCode::WrongPassword => "err.wrong_password",
        ErrorCode::InvalidCredentials => "err.invalid_credentials",
        ErrorCode::Throttled(_) => "err.throttled",
        ErrorCode::Refused(r) => refusal_key(r),
    }
}

fn refusal_key(r: &Refusal) -> &'static str {
    match r {
        Refusal::Role => "refusal.role",
        Refusal::NotNow => "refusal.not_now",
        Refusal::OutputsMissing(_) => "refusal.outputs_missing",
        Refusal::ContainmentPending(_) => "refusal.containment_pending",
        Refusal::ContainmentActive(_) => "refusal.containment_active",
        Refusal::OwnProposal => "refusal.own_proposal",
        Refusal::EvidenceNotConfirmed => "refusal.evidence_not_confirmed",
        Refusal::DecisionNeeded => "refusal.decision_needed",
        Refusal::PreventionMissing => "refusal.prevention_missing",
        Refusal::PreventionUndecided(_) => "refusal.prevention_undecided",
        Refusal::WaitingFor(_) => "refusal.waiting_for",
        Refusal::ReasonRequired => "refusal.reason_required",
        Refusal::StillShared => "refusal.still_shared",
        Refusal::NotShareable => "refusal.not_shareable",
    }
}

/// A locale text with its `{n}` filled in.
fn with_n(text: &str, n: impl std::fmt::Display) -> String {
    text.replace("{n}", &n.to_string())
}

pub fn kind_label(lang: Lang, kind: IncidentKind) -> &'static str {
    t(lang, &format!("kind.{}", kind.id()))
}

pub fn severity_label(lang: Lang, s: crate::domain::classification::Severity) -> &'static str {
    use crate::domain::classification::Severity;
    match s {
        Severity::Critical => lang.pick("Critical", "緊急"),
        Severity::High => lang.pick("High", "高"),
        Severity::Medium => lang.pick("Medium", "中"),
        Severity::Low => lang.pick("Low", "低"),
    }
}

pub fn discovery_label(lang: Lang, d: Discovery) -> &'static str {
    t(lang, &format!("discovery.{}", d.id()))
}

/// Every key the UI uses; the tests below hold the locale files to it.
pub const UI_KEYS: &[&str] = &[
    "app.name",
    "app.tagline",
    "nav.incidents",
    "nav.report",
    "nav.users",
    "nav.account",
    "nav.signout",
    "nav.language",
    "login.title",
    "login.username",
    "login.password",
    "login.submit",
    "report.title",
    "report.intro",
    "report.f.title",
    "report.f.observed",
    "report.f.noticed_at",
    "report.f.location",
    "report.f.discovery",
    "report.f.kind",
    "report.f.reporter_contact",
    "report.submit",
    "choose",
    "list.title",
    "list.empty",
    "list.filter",
    "list.all",
    "list.reporter",
    "list.count",
    "list.newest",
    "list.prev",
    "list.next",
    "list.page",
    "col.id",
    "col.title",
    "col.phase",
    "col.kind",
    "col.reporter",
    "col.reported",
    "incident.reported_by",
    "incident.contact",
    "incident.noticed",
    "incident.location",
    "incident.discovery",
    "incident.observed",
    "incident.phase",
    "users.title",
    "users.create",
    "users.f.username",
    "users.f.display_name",
    "users.f.email",
    "users.f.password",
    "users.f.roles",
    "users.submit",
    "users.created",
    "users.active",
    "users.inactive",
    "users.deactivate",
    "users.activate",
    "users.save_roles",
    "users.reset",
    "users.new_password",
    "users.status",
    "account.title",
    "account.change",
    "account.current",
    "account.new",
    "account.confirm",
    "account.changed",
    "account.roles",
    "error.forbidden",
    "error.not_found",
    "error.internal",
    "error.malformed",
    "error.form",
    "error.busy",
    "col.severity",
    "col.tlp",
    "list.overdue",
    "list.mine",
    "badge.overdue",
    "badge.closed",
    "badge.required",
    "badge.kind",
    "nav.tasks",
    "tasks.title",
    "tasks.empty",
    "tasks.assigned",
    "ws.closed",
    "ws.to_leave",
    "ws.outputs_done",
    "ws.no_commands",
    "ws.reason",
    "ws.decision",
    "ws.severity_definitions",
    "ws.record_decision",
    "ws.tasks",
    "ws.all_tasks",
    "ws.outputs",
    "ws.waived_because",
    "ws.status",
    "ws.note",
    "ws.save",
    "ws.waive_reason",
    "ws.waive",
    "ws.report",
    "ws.durations",
    "ws.playbook",
    "ws.classification",
    "ws.stage",
    "ws.route",
    "ws.assets",
    "ws.remove",
    "ws.asset_type",
    "ws.identifier",
    "ws.add_asset",
    "ws.assignment",
    "ws.responder",
    "ws.officer",
    "ws.prevention",
    "ws.prevention_technical",
    "ws.prevention_operational",
    "ws.timeline",
    "ws.comment",
    "ws.post",
    "ws.audience",
    "ws.take",
    "ws.assignee",
    "ws.about_task",
    "mail.title",
    "mail.saved",
    "mail.email",
    "mail.language",
    "mail.not_wanted",
    "mail.save",
    "mail.admin_title",
    "mail.all_sent",
    "mail.to",
    "mail.subject",
    "mail.attempts",
    "mail.next",
    "mail.error",
    "nav.mail",
    "nav.organisations",
    "ext.orgs_title",
    "ext.orgs_intro",
    "ext.no_orgs",
    "ext.name",
    "ext.name_ja",
    "ext.name_en",
    "ext.kind",
    "ext.contract_ref",
    "ext.contact",
    "ext.members",
    "ext.add_org",
    "ext.org_created",
    "ext.organisation",
    "ext.no_organisation",
    "ext.set_organisation",
    "ext.title",
    "ext.none",
    "ext.engage",
    "ext.phases",
    "ext.evidence",
    "ext.all_evidence",
    "ext.containment",
    "ext.timeline",
    "ext.see_evidence",
    "ext.evidence_items",
    "ext.see_containment",
    "ext.see_timeline",
    "ext.starts_at",
    "ext.expires_at",
    "ext.granted_by",
    "ext.revoked_by",
    "ext.revoke",
    "ext.reports",
    "ext.no_reports",
    "ext.your_engagement",
    "ext.until",
    "ext.report_title",
    "ext.report_intro",
    "ext.report_saved",
    "ext.submit_report",
    "rp.intrusion_path",
    "rp.spread",
    "rp.exfiltration",
    "rp.recovery",
    "evd.title",
    "evd.alarm",
    "evd.checklist",
    "evd.checklist_empty",
    "evd.lost",
    "evd.near",
    "evd.window",
    "evd.deadline",
    "evd.days_kept",
    "evd.not_default",
    "evd.fulfilled_by",
    "evd.upload",
    "evd.uploaded",
    "evd.upload_failed",
    "evd.registry",
    "evd.custody_report",
    "evd.bundle",
    "evd.for_item",
    "evd.kind",
    "evd.description",
    "evd.source_host",
    "evd.acquired_how",
    "evd.acquired_by",
    "evd.acquired_at",
    "evd.file",
    "evd.acquired",
    "evd.uploaded_by",
    "evd.sample_warning",
    "evd.download_sample",
    "evd.download",
    "evd.verify",
    "evd.record_custody",
    "evd.custody_kind",
    "evd.from",
    "evd.to",
    "nav.log_sources",
    "ls.title",
    "ls.intro",
    "ls.source",
    "ls.system",
    "ls.retention",
    "ls.recommended",
    "ls.note",
    "ls.active",
    "ls.add",
    "ls.save",
    "ls.none",
    "ct.title",
    "ct.in_force",
    "ct.none_in_force",
    "ct.combined",
    "ct.protects",
    "ct.degrades",
    "ct.confidentiality",
    "ct.integrity",
    "ct.availability",
    "ct.target",
    "ct.measure",
    "ct.since",
    "ct.by",
    "ct.measures",
    "ct.propose",
    "ct.reason",
    "ct.expected_effect",
    "ct.emergency",
    "ct.justification",
    "ct.emergency_flag",
    "ct.impact",
    "ct.side_effects",
    "ct.evidence_lost",
    "ct.preserve_first",
    "ct.confirm_evidence",
    "ct.reversible",
    "ct.irreversible",
    "ct.executor",
    "ct.proposed",
    "ct.decided",
    "ct.executed",
    "ct.verified",
    "ct.ended",
    "ct.effective",
    "ct.not_effective",
    "ct.note",
    "ct.no_assets",
    "ct.choose",
    "ct.pending_approval",
    "nav.notifications",
    "nt.title",
    "nt.none",
    "nt.mark_read",
    "nt.containment_proposed",
    "nt.containment_decided",
    "ob.title",
    "ob.export",
    "ob.export_submit",
    "ob.none",
    "ob.kind",
    "ob.value",
    "ob.flags",
    "ob.also_in",
    "ob.also_in_n",
    "ob.indicator",
    "ob.sighted",
    "ob.allowlisted",
    "ob.edit",
    "ob.save",
    "ob.remove",
    "ob.note",
    "ob.pap_help",
    "ob.add",
    "ob.add_submit",
    "ob.confidence",
    "ob.tags",
    "ob.source",
    "ob.paste",
    "ob.paste_help",
    "ob.block",
    "ob.preview",
    "ob.paste_submit",
    "al.title",
    "al.intro",
    "al.none",
    "al.value",
    "al.note",
    "al.added",
    "al.remove",
    "al.add",
    "al.add_submit",
    "nav.allowlist",
    "nt.observable_matched",
    "ob.known",
    "nav.intel",
    "nav.metrics",
    "rv.title",
    "rv.intro",
    "rv.file",
    "rv.sha",
    "rv.check",
    "rv.ok",
    "rv.differs",
    "rv.head",
    "rp.title",
    "rp.template",
    "rp.lang",
    "rp.format",
    "rp.audience",
    "rp.generate",
    "rp.ready",
    "rp.download",
    "rp.version",
    "rp.by",
    "mt.title",
    "mt.intro",
    "mt.filter",
    "mt.from",
    "mt.to",
    "mt.every",
    "mt.every.default",
    "mt.every.month",
    "mt.every.week",
    "mt.fix_filters",
    "mt.csv",
    "mt.incidents",
    "mt.open",
    "mt.reopened",
    "mt.outside",
    "mt.kpis",
    "mt.measure",
    "mt.formula",
    "mt.n",
    "mt.mean",
    "mt.unit.hours",
    "mt.phases",
    "mt.phases_how",
    "mt.breaches",
    "mt.breaches_how",
    "mt.breach.triage",
    "mt.breach.response",
    "mt.counts",
    "mt.none",
    "mt.closed",
    "mt.trend",
    "mt.period",
    "mt.reported",
    "mt.waits",
    "mt.wait.proposal",
    "mt.wait.pending",
    "mt.wait.vendor",
    "mt.wait.open",
    "ti.title",
    "ti.intro",
    "ti.imported",
    "ti.import_failed",
    "ti.source",
    "ti.bundle",
    "ti.import",
    "ti.total",
    "ti.name",
    "ti.pattern",
    "ti.valid",
    "ti.not_automatic",
    "ti.campaigns",
    "ti.campaigns_intro",
    "ti.no_campaigns",
    "ti.score",
    "ti.shared",
    "ti.indicators",
    "cp.actor",
    "cp.add",
    "cp.add_submit",
    "cp.confirm",
    "cp.confirmed",
    "cp.description",
    "cp.edit",
    "cp.incident_title",
    "cp.incidents",
    "cp.list",
    "cp.n_incidents",
    "cp.name",
    "cp.none",
    "cp.none_shared",
    "cp.phase",
    "cp.remove",
    "cp.save",
    "cp.severity",
    "cp.shared",
    "cp.stage",
    "cp.stages",
    "cp.techniques",
    "cp.techniques_help",
    "cp.timeline",
    "cp.title",
    "ob.share",
    "ob.shared",
    "ob.unshare",
    "sub.add",
    "sub.add_submit",
    "sub.api_root",
    "sub.collection",
    "sub.every",
    "sub.imported",
    "sub.interval",
    "sub.intro",
    "sub.last_run",
    "sub.name",
    "sub.none",
    "sub.password",
    "sub.poll",
    "sub.remote",
    "sub.remove",
    "sub.title",
    "sub.username",
    "ti.taxii",
    "ti.taxii_help",
    "evd.below_recommended",
    "evd.events",
    "crit.high",
    "crit.medium_high",
    "ls.not_stated",
    "ob.export_selection",
    "ob.select",
    "pv.rest",
    "tr.title",
    "tr.intro",
    "tr.item",
    "tr.format",
    "tr.detect",
    "tr.analyse",
    "tr.status",
    "tr.progress",
    "tr.findings",
    "tr.working",
    "tr.open",
    "tr.lines",
    "tr.cancel",
    "tr.cited",
    "tr.promote",
    "tr.dismiss",
    "tr.dismiss_reason",
    "tr.f.severity",
    "tr.f.any",
    "tr.f.detector",
    "tr.f.text",
    "tr.f.none",
    "tr.no_host",
    "tr.add_asset",
    "tr.known",
    "tr.also_in",
    "tr.recorded",
    "tr.task_role",
    "tr.open_task",
    "tr.task_opened",
    "det.title",
    "det.intro",
    "det.text",
    "det.updated",
    "det.saved",
    "det.save",
    "det.example",
    "det.detectors",
    "det.detector",
    "det.rule",
    "det.parameters",
    "det.thresholds",
    "det.parameter",
    "det.builtin",
    "pv.decide",
    "pv.change",
    "pv.rest_submit",
    "notify.title",
    "notify.intro",
    "notify.organisation",
    "notify.person",
    "notify.contact",
    "notify.their_reference",
    "notify.subject",
    "notify.details",
    "notify.affected",
    "notify.submit",
    "notify.received",
    "notify.reference",
    "notify.follow_up",
    "notify.busy",
    "login.notify_link",
    "ws.attacker",
    "ws.attacker_hint",
    "notice.heading",
    "notice.organisation",
    "notice.person",
    "notice.contact",
    "notice.their_reference",
    "notice.reference",
    "pv.heading",
    "pv.intro",
    "pv.progress",
    "pv.undecided",
    "pv.cite",
    "pv.owner",
    "pv.due",
    "pv.decision",
    "pv.note",
    "ws.raci",
    "ws.waiting_for",
    "ws.inputs",
    "ws.skills",
    "ws.checklist",
    "report.notifier",
    "report.notifier_hint",
    "imp.label",
];

/// Keys built from enum ids (`task.done`, `stage.foothold`, …).
pub fn enum_keys() -> Vec<String> {
    use crate::domain::classification::{AssetType, AttackRoute, AttackStage};
    use crate::domain::targets::Target;
    use crate::domain::workflow::{CloseReason, Decision, TaskStatus};
    use crate::domain::workspace::CommandKind;
    let mut keys = Vec::new();
    keys.extend(IncidentKind::ALL.iter().map(|v| format!("kind.{}", v.id())));
    keys.extend(
        crate::domain::report::ReportTemplate::ALL
            .iter()
            .map(|v| format!("rp.template.{}", v.id())),
    );
    keys.extend(
        crate::domain::report::ReportFormat::ALL
            .iter()
            .map(|v| format!("rp.format.{}", v.id())),
    );
    for k in crate::domain::metrics::Kpi::ALL {
        keys.push(format!("mt.kpi.{}", k.id()));
        keys.push(format!("mt.formula.{}", k.id()));
    }
    keys.extend(
        crate::domain::metrics::Dimension::ALL
            .iter()
            .map(|v| format!("mt.dim.{}", v.id())),
    );
    keys.extend(
        Discovery::ALL
            .iter()
            .map(|v| format!("discovery.{}", v.id())),
    );
    keys.extend(Decision::ALL.iter().map(|v| format!("decision.{}", v.id())));
    keys.extend(TaskStatus::ALL.iter().map(|v| format!("task.{}", v.id())));
    keys.extend(AttackStage::ALL.iter().map(|v| format!("stage.{}", v.id())));
    keys.extend(AttackRoute::ALL.iter().map(|v| format!("route.{}", v.id())));
    keys.extend(
        crate::domain::classification::AttackerType::ALL
            .iter()
            .map(|v| format!("attacker.{}", v.id())),
    );
    keys.extend(
        crate::domain::notice::NoticeVia::ALL
            .iter()
            .map(|v| format!("notice.via.{}", v.id())),
    );
    keys.extend(
        crate::domain::prevention::PreventionDecision::ALL
            .iter()
            .map(|v| format!("pv.decision.{}", v.id())),
    );
    keys.extend(
        ["undecided", "accepted", "rejected", "scheduled"].map(|d| format!("pv.choice.{d}")),
    );
    keys.extend(playbooks::PREVENTION_CATEGORIES.map(|c| format!("pv.category.{c}")));
    keys.extend(playbooks::PREVENTION_LAYERS.map(|l| format!("pv.layer.{l}")));
    keys.extend(playbooks::IMPORTANCE_LEVELS.map(|l| format!("imp.{l}")));
    keys.extend(
        crate::domain::triage::RunStatus::ALL
            .iter()
            .map(|v| format!("tr.st.{}", v.id())),
    );
    keys.extend(
        crate::domain::triage::FindingStatus::ALL
            .iter()
            .map(|v| format!("tr.fs.{}", v.id())),
    );
    keys.extend(["high", "medium", "low"].map(|s| format!("tr.sev.{s}")));
    keys.extend(crate::domain::triage::FORMATS.map(|f| format!("tr.fmt.{f}")));
    keys.extend(playbooks::Raci::ALL.map(|r| format!("raci.{}", r.id())));
    keys.extend(AssetType::ALL.iter().map(|v| format!("asset.{}", v.id())));
    keys.extend(CloseReason::ALL.iter().map(|v| format!("close.{}", v.id())));
    keys.extend(Target::ALL.iter().map(|v| format!("target.{}", v.id())));
    keys.extend(CommandKind::ALL.iter().map(|v| format!("cmd.{}", v.id())));
    keys.extend(
        crate::domain::event::EventKind::ALL
            .iter()
            .map(|k| format!("ev.{}", k.id())),
    );
    keys.extend(
        crate::domain::observable::ObservableType::ALL
            .iter()
            .map(|k| format!("obt.{}", k.id())),
    );
    keys.extend(
        crate::domain::account::MailKind::ALL
            .iter()
            .map(|k| format!("mail.kind.{}", k.id())),
    );
    keys.extend(
        crate::domain::policy::Audience::ALL
            .iter()
            .map(|v| format!("aud.{}", v.id())),
    );
    use crate::domain::containment::{MeasureStatus, StepKind};
    keys.extend(MeasureStatus::ALL.iter().map(|v| format!("ms.{}", v.id())));
    keys.extend(StepKind::ALL.iter().map(|v| format!("step.{}", v.id())));
    use crate::domain::evidence::{ChecklistStatus, CustodyKind, EvidenceKind, Integrity};
    keys.extend(EvidenceKind::ALL.iter().map(|v| format!("ek.{}", v.id())));
    keys.extend(CustodyKind::ALL.iter().map(|v| format!("cu.{}", v.id())));
    keys.extend(
        ChecklistStatus::ALL
            .iter()
            .map(|v| format!("cs.{}", v.id())),
    );
    keys.extend(Integrity::ALL.iter().map(|v| format!("in.{}", v.id())));
    use crate::domain::external::{EngagementState, OrgKind};
    keys.extend(OrgKind::ALL.iter().map(|v| format!("ok.{}", v.id())));
    keys.extend(
        EngagementState::ALL
            .iter()
            .map(|v| format!("es.{}", v.id())),
    );
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_used_in_the_ui_has_both_languages() {
        let dynamic = enum_keys();
        for key in UI_KEYS
            .iter()
            .copied()
            .chain(dynamic.iter().map(String::as_str))
        {
            let (en, ja) = lookup(key).unwrap_or_else(|| panic!("missing text for {key}"));
            assert!(!en.is_empty() && !ja.is_empty(), "{key}");
        }
    }

    #[test]
    fn accept_language_prefers_the_higher_q() {
        assert_eq!(
            Lang::from_accept_language("ja,en-US;q=0.9,en;q=0.8"),
            Lang::Ja
        );
        assert_eq!(
            Lang::from_accept_language("en-GB,en;q=0.9,ja;q=0.5"),
            Lang::En
        );
        assert_eq!(Lang::from_accept_language("fr-FR,ja;q=0.3"), Lang::Ja);
        assert_eq!(Lang::from_accept_language("de"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
    }

    #[test]
    fn every_error_has_text_in_both_languages() {
        for code in [
            ErrorCode::Required,
            ErrorCode::TooLong(5),
            ErrorCode::Throttled(30),
            ErrorCode::DateOutOfRange(1970, 2036),
            ErrorCode::InvalidTimeZone,
        ] {
            assert_ne!(error_text(Lang::Ja, &code), error_text(Lang::En, &code));
        }
    }

    /// One error code of each kind, every refusal among them.
    fn every_error() -> Vec<ErrorCode> {
        let refusals = [
            Refusal::Role,
            Refusal::NotNow,
            Refusal::OutputsMissing(2),
            Refusal::ContainmentPending(1),
            Refusal::ContainmentActive(3),
            Refusal::OwnProposal,
            Refusal::EvidenceNotConfirmed,
            Refusal::DecisionNeeded,
            Refusal::PreventionMissing,
            Refusal::PreventionUndecided(4),
            Refusal::WaitingFor(1),
            Refusal::ReasonRequired,
            Refusal::StillShared,
            Refusal::NotShareable,
        ];
        let mut codes = vec![
            ErrorCode::Required,
            ErrorCode::TooLong(200),
            ErrorCode::TooShort(12),
            ErrorCode::InvalidChoice,
            ErrorCode::InvalidDateTime,
            ErrorCode::DateOutOfRange(1970, 2036),
            ErrorCode::InvalidTimeZone,
            ErrorCode::InFuture,
            ErrorCode::MustBeLater,
            ErrorCode::InvalidUsername,
            ErrorCode::InvalidEmail,
            ErrorCode::UsernameTaken,
            ErrorCode::CannotDeactivateSelf,
            ErrorCode::InvalidObservable,
            ErrorCode::UnknownObservableType,
            ErrorCode::BadLine(3, Box::new(ErrorCode::InvalidObservable)),
            ErrorCode::TooManyLines(1000),
            ErrorCode::AlreadyListed,
            ErrorCode::BadStix("indicator--1".into(), "valid_from".into()),
            ErrorCode::UnknownIncident("INC-2026-0001".into()),
            ErrorCode::InvalidUrl,
            ErrorCode::SystemAccount,
            ErrorCode::NoJapaneseFont,
            ErrorCode::BadSettings(3, "unknown field `proxys`".into()),
            ErrorCode::PasswordMismatch,
            ErrorCode::WrongPassword,
            ErrorCode::InvalidCredentials,
            ErrorCode::Throttled(30),
        ];
        codes.extend(refusals.into_iter().map(ErrorCode::Refused));
        codes
    }

    #[test]
    fn every_text_in_the_locale_files_is_used() {
        let used: std::collections::BTreeSet<String> = UI_KEYS
            .iter()
            .map(|k| k.to_string())
            .chain(enum_keys())
            .chain(every_error().iter().map(|c| error_key(c).to_string()))
            .collect();
        let unused: Vec<&str> = LOCALE_KEYS
            .iter()
            .copied()
            .filter(|k| !used.contains(*k))
            .collect();
        assert!(unused.is_empty(), "texts nothing uses: {unused:?}");
    }

    #[test]
    fn every_error_has_its_text_with_the_numbers_filled_in() {
        for code in every_error() {
            let key = error_key(&code);
            assert!(lookup(key).is_some(), "missing text for {key}");
            for lang in [Lang::En, Lang::Ja] {
                let text = error_text(lang, &code);
                assert!(!text.contains(['{', '}']), "{key}: {text}");
            }
        }
    }

    #[test]
    fn messages_read_as_they_did_in_rust() {
        let cases: [(ErrorCode, &str, &str); 8] = [
            (
                ErrorCode::Required,
                "This field is required.",
                "必須項目です。",
            ),
            (
                ErrorCode::TooLong(200),
                "At most 200 characters.",
                "200文字以内で入力してください。",
            ),
            (
                ErrorCode::TooShort(12),
                "At least 12 characters.",
                "12文字以上で入力してください。",
            ),
            (
                ErrorCode::DateOutOfRange(1970, 2036),
                "Enter a date between 1970 and 2036.",
                "1970年から2036年までの日時を入力してください。",
            ),
            (
                ErrorCode::Throttled(30),
                "Too many failed sign-ins. Wait 30 seconds before trying again.",
                "サインインの失敗が続いたため、30秒待ってから再度お試しください。",
            ),
            (
                ErrorCode::Refused(Refusal::OutputsMissing(2)),
                "2 required task(s) of this phase are neither done nor waived.",
                "このフェーズの必須タスクが2件、完了も免除もされていません。",
            ),
            (
                ErrorCode::Refused(Refusal::ContainmentPending(1)),
                "1 approved containment measure(s) are neither executed nor withdrawn.",
                "承認済みの暫定対処が1件、実施も取り下げもされていません。",
            ),
            (
                ErrorCode::Refused(Refusal::ContainmentActive(3)),
                "3 temporary containment measure(s) are still in force: lift them or make them permanent.",
                "暫定対処が3件まだ有効です。解除するか恒久対処にしてください。",
            ),
        ];
        for (code, en, ja) in cases {
            assert_eq!(error_text(Lang::En, &code), en);
            assert_eq!(error_text(Lang::Ja, &code), ja);
        }
        assert_eq!(
            refusal_text(Lang::Ja, &Refusal::Role),
            "あなたのロールではこの操作はできません。"
        );
        assert_eq!(
            refusal_text(Lang::En, &Refusal::Role),
            "Your roles do not allow this."
        );
        assert_eq!(
            kind_label(Lang::En, IncidentKind::TargetedEmail),
            "Targeted e-mail"
        );
        assert_eq!(
            kind_label(Lang::Ja, IncidentKind::DenialOfService),
            "サービス妨害（DoS）"
        );
        assert_eq!(
            discovery_label(Lang::En, Discovery::UserReport),
            "Report from a user"
        );
        assert_eq!(
            discovery_label(Lang::Ja, Discovery::ExternalNotification),
            "外部からの通知"
        );
    }
}
