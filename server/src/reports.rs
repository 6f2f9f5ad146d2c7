//! Incident reports from templates (issue 17): Markdown with Jinja-style
//! tags (`minijinja`), one file per report and language
//! (`<template>.<lang>.md`, built in under `playbooks/reports/`, replaced
//! by an organisation's file of the same name in
//! `HIKESHI_REPORT_TEMPLATES_DIR`). Every value a template prints is
//! escaped for Markdown here, whatever the template does, so a title or a
//! finding cannot forge a heading, a link or HTML; `| block` keeps a
//! multi-line text's line breaks. The data a template sees is built from
//! the incident page the reader gets ([`ReportData::of`]), so a report
//! never shows more than its reader may see. Templates are checked at
//! start: each is compiled and rendered once against a sample incident,
//! with unknown fields an error.

use std::path::Path;

use minijinja::{Environment, UndefinedBehavior, Value};
use serde_json::json;

use app::domain::dates::format_utc as at;
use app::domain::incident::IncidentDetail;
use app::domain::report::{Manifest, ReportTemplate};
use app::i18n::{Lang, t};
use playbooks::HandlingModel;

use crate::services::evidence::md;

/// The compiled templates.
pub struct Templates {
    env: Environment<'static>,
}

/// A template that cannot be used: its file name and why.
#[derive(Debug, thiserror::Error)]
#[error("report template {file}: {message}")]
pub struct TemplateError {
    pub file: String,
    pub message: String,
}

/// The file name of a report's template.
pub fn file_name(template: ReportTemplate, lang: Lang) -> String {
    format!("{}.{}.md", template.id(), lang.code())
}

impl Templates {
    /// The built-in templates, overridden by those in `dir`. A file there
    /// that is no report's template is refused, so a misspelt name is not
    /// silently ignored.
    pub fn load(dir: Option<&Path>) -> Result<Templates, TemplateError> {
        let mut sources: Vec<(String, String)> = playbooks::REPORT_TEMPLATES
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect();
        if let Some(dir) = dir {
            let entries = std::fs::read_dir(dir).map_err(|e| TemplateError {
                file: dir.display().to_string(),
                message: e.to_string(),
            })?;
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                let Some(slot) = sources.iter_mut().find(|(n, _)| *n == name) else {
                    return Err(TemplateError {
                        file: name,
                        message: format!(
                            "not the name of a report template (one of {})",
                            playbooks::REPORT_TEMPLATES.map(|(n, _)| n).join(", ")
                        ),
                    });
                };
                slot.1 = std::fs::read_to_string(entry.path()).map_err(|e| TemplateError {
                    file: name.clone(),
                    message: e.to_string(),
                })?;
            }
        }
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_formatter(|out, _state, value| {
            let text = if value.is_safe() {
                value.to_string()
            } else if value.is_none() || value.is_undefined() {
                "—".to_string()
            } else {
                md(&value.to_string())
            };
            out.write_str(&text).map_err(|_| {
                minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write failed")
            })
        });
        env.add_filter("block", |v: Value| {
            Value::from_safe_string(block(&v.to_string()))
        });
        for (name, source) in sources {
            env.add_template_owned(name.clone(), source)
                .map_err(|e| TemplateError {
                    file: name.clone(),
                    message: describe(&e),
                })?;
        }
        let templates = Templates { env };
        for template in ReportTemplate::ALL {
            for lang in [Lang::Ja, Lang::En] {
                templates
                    .render(*template, lang, &sample_data(1), "")
                    .map_err(|e| TemplateError {
                        file: file_name(*template, lang),
                        message: e,
                    })?;
            }
        }
        Ok(templates)
    }

    /// Renders a report from its data.
    /// Renders a report from its data and its manifest section (already
    /// Markdown).
    pub fn render(
        &self,
        template: ReportTemplate,
        lang: Lang,
        data: &serde_json::Value,
        manifest: &str,
    ) -> Result<String, String> {
        let t = self
            .env
            .get_template(&file_name(template, lang))
            .map_err(|e| describe(&e))?;
        let ctx = minijinja::context! {
            manifest => Value::from_safe_string(manifest.to_string()),
            ..Value::from_serialize(data)
        };
        t.render(ctx).map_err(|e| describe(&e))
    }
}

fn describe(e: &minijinja::Error) -> String {
    match e.line() {
        Some(line) => format!("line {line}: {e}"),
        None => e.to_string(),
    }
}

/// Multi-line text a person typed, as inert Markdown keeping its lines:
/// each line escaped like [`md`], with what would start a block (a
/// heading, a list, a quote, a rule, a fence) at the line's start escaped
/// too, joined by hard line breaks.
pub fn block(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = line.trim_end();
            let escaped = md(line);
            let digits = escaped.chars().take_while(|c| c.is_ascii_digit()).count();
            match escaped.chars().next() {
                Some('#' | '-' | '+' | '=' | '~' | '>') => format!("\\{escaped}"),
                Some(_)
                    if digits > 0
                        && matches!(escaped[digits..].chars().next(), Some('.' | ')')) =>
                {
                    format!("{}\\{}", &escaped[..digits], &escaped[digits..])
                }
                _ => escaped,
            }
        })
        .collect::<Vec<_>>()
        .join("  \n")
}

/// The manifest as the last section of a report: the chain head and each
/// evidence item's SHA-256, readable by a person and by `report verify`.
pub fn manifest_block(m: &Manifest, lang: Lang) -> String {
    let mut out = String::new();
    out.push_str(lang.pick("## Verification\n\n", "## 検証情報\n\n"));
    out.push_str(lang.pick(
        "Check this report against Hikeshi with `hikeshi report verify FILE` or on the verification page.\n\n",
        "この報告書は `hikeshi report verify FILE` または検証ページで Hikeshi の記録と照合できます。\n\n",
    ));
    out.push_str(&format!(
        "- {}: {}\n- {}: {} (#{})\n",
        lang.pick("Report", "報告書"),
        m.report,
        lang.pick("Timeline chain head", "タイムラインのチェーンヘッド"),
        m.chain_head,
        m.chain_seq
    ));
    for e in &m.evidence {
        out.push_str(&format!("- SHA-256 `{}` {}\n", e.sha256, md(&e.file_name)));
    }
    out
}

fn opt_at(t: Option<chrono::DateTime<chrono::Utc>>) -> Option<String> {
    t.map(at)
}

/// What a template sees, in the reader's language: the incident (as the
/// reader's page shows it), its phases, measures, evidence, findings,
/// prevention and timeline, and the report's own facts.
pub fn report_data(
    model: &HandlingModel,
    i: &IncidentDetail,
    lang: Lang,
    version: i32,
    generated_by: &str,
    audience: &str,
    generated_at: chrono::DateTime<chrono::Utc>,
) -> serde_json::Value {
    let label = |l: &playbooks::Label| lang.pick(&l.en, &l.ja).to_string();
    let phase_name = |p: app::domain::Phase| {
        model
            .phase(p.id())
            .map(|d| label(&d.name))
            .unwrap_or_default()
    };
    let severity = i.severity.map(|s| app::i18n::severity_label(lang, s));
    let measures: Vec<_> = i
        .measures
        .iter()
        .map(|m| {
            let imp = &m.def.impact;
            json!({
                "name": label(&m.def.name),
                "target": m.target,
                "status": t(lang, &format!("ms.{}", m.status.id())),
                "in_force": m.status.is_active(),
                "emergency": m.emergency,
                "cia": format!("C {:+} / I {:+} / A {:+}", imp.c, imp.i, imp.a),
                "reason": m.reason,
                "proposed_by": m.proposed_by,
                "proposed_at": at(m.proposed_at),
                "decided_by": m.decided_by,
                "decided_at": opt_at(m.decided_at),
                "decision_note": m.decision_note,
                "executed_by": m.executed_by,
                "executed_at": opt_at(m.executed_at),
            })
        })
        .collect();
    let in_force = i.measures.iter().filter(|m| m.status.is_active()).count();
    let evidence: Vec<_> = i
        .evidence
        .iter()
        .map(|e| {
            json!({
                "file_name": e.file_name,
                "kind": t(lang, &format!("ek.{}", e.kind.id())),
                "kind_id": e.kind.id(),
                "sha256": e.sha256,
                "size": e.size,
                "source_host": e.source_host,
                "acquired_at": at(e.acquired_at),
                "acquired_by": e.acquired_by,
                "custody": e.custody.iter().map(|c| json!({
                    "kind": t(lang, &format!("cu.{}", c.kind.id())),
                    "at": at(c.at),
                    "by": c.actor,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let findings: Vec<_> = i
        .reports
        .iter()
        .map(|r| {
            json!({
                "organisation": r.organisation,
                "submitted_at": at(r.submitted_at),
                "intrusion_path": r.parts.intrusion_path,
                "spread": r.parts.spread,
                "exfiltration": r.parts.exfiltration,
                "recovery": r.parts.recovery,
            })
        })
        .collect();
    let prevention: Vec<_> = i
        .prevention
        .iter()
        .map(|p| {
            json!({
                "name": label(&p.def.name),
                "decision": p.decision.map(|d| t(lang, &format!("pv.decision.{}", d.id()))),
                "owner": p.owner,
                "due_on": p.due_on.map(|d| d.to_string()),
                "note": (!p.note.is_empty()).then_some(&p.note),
            })
        })
        .collect();
    let timeline: Vec<_> = i
        .events
        .iter()
        .map(|e| {
            let what = match app::i18n::lookup_text(&format!("ev.{}", e.kind)) {
                Some(w) => lang.pick(w.0, w.1).to_string(),
                None => e.kind.clone(),
            };
            json!({ "seq": e.seq, "at": at(e.at), "actor": e.actor, "what": what })
        })
        .collect();
    let observables: Vec<_> = i
        .observables
        .iter()
        .map(|o| {
            json!({
                "type": o.kind.id(),
                "type_name": t(lang, &format!("obt.{}", o.kind.id())),
                "value": o.value,
            })
        })
        .collect();
    json!({
        "version": version,
        "generated_at": at(generated_at),
        "generated_by": generated_by,
        "audience": audience,
        "i": {
            "human_id": i.human_id,
            "title": i.title,
            "observed": i.observed,
            "noticed_at": at(i.noticed_at),
            "created_at": at(i.created_at),
            "location": i.location,
            "discovery": app::i18n::discovery_label(lang, i.discovery),
            "kind": app::i18n::kind_label(lang, i.kind),
            "severity": severity,
            "tlp": i.tlp.label(),
            "status": match i.status {
                app::domain::workflow::Status::Open => lang.pick("Open", "対応中"),
                app::domain::workflow::Status::Closed => lang.pick("Closed", "クローズ"),
            },
            "phase": format!("{} {}", i.phase.id(), phase_name(i.phase)),
            "decision": i.decision.map(|d| t(lang, &format!("decision.{}", d.id()))),
            "decision_reason": i.decision_reason,
            "attack_route": i.attack_route.map(|r| t(lang, &format!("route.{}", r.id()))),
            "attack_stages": if i.attack_stages.is_empty() { None } else {
                Some(i.attack_stages.iter().map(|s| t(lang, &format!("stage.{}", s.id()))).collect::<Vec<_>>().join(", "))
            },
            "reporter": i.reporter,
            "responder": i.responder.as_ref().map(|p| p.display_name.clone()),
            "officer": i.officer.as_ref().map(|p| p.display_name.clone()),
        },
        "anonymised_observed": anonymise(&i.observed, i),
        "phases": i.phases.iter().map(|p| json!({
            "id": p.phase.id(),
            "name": phase_name(p.phase),
            "entered_at": at(p.entered_at),
            "left_at": opt_at(p.left_at),
        })).collect::<Vec<_>>(),
        "measures": measures,
        "measures_in_force": in_force,
        "evidence": evidence,
        "findings": findings,
        "prevention": prevention,
        "technical": i.prevention_technical,
        "operational": i.prevention_operational,
        "timeline": timeline,
        "observables": observables,
    })
}

/// The report's text with what names the organisation taken out: the
/// location, the reporter's contact and the assets (hosts, accounts) are
/// replaced by `[…]`.
fn anonymise(text: &str, i: &IncidentDetail) -> String {
    let mut out = text.to_string();
    let mut names: Vec<&str> = vec![i.location.as_str(), i.reporter_contact.as_str()];
    names.extend(i.assets.iter().map(|a| a.identifier.as_str()));
    names.retain(|n| n.chars().count() >= 3);
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    for n in names {
        out = out.replace(n, "[…]");
    }
    out
}

/// A made-up incident with every list holding `rows` entries: one checks
/// the templates at start, many make the PDF benchmark's long report.
pub fn sample_data(rows: usize) -> serde_json::Value {
    let at = "2026-01-01 09:30 UTC";
    let hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let many = |f: &dyn Fn(usize) -> serde_json::Value| (1..=rows).map(f).collect::<Vec<_>>();
    json!({
        "version": 1, "generated_at": at, "generated_by": "Kimura", "audience": "CSIRT",
        "i": {
            "human_id": "INC-2026-0001", "title": "Targeted e-mail with a macro attachment",
            "observed": "The proxy showed beacons to a host seen in a feed.\nThe user opened the attachment.",
            "noticed_at": at, "created_at": at, "location": "Sales, 3F", "discovery": "User report",
            "kind": "Targeted e-mail", "severity": "High", "tlp": "TLP:AMBER", "status": "Open",
            "phase": "C First response", "decision": "Contain", "decision_reason": "Beaconing",
            "attack_route": "E-mail", "attack_stages": "Delivery, Installation",
            "reporter": "Sato", "responder": "Suzuki", "officer": "Kimura",
        },
        "anonymised_observed": "The proxy showed beacons.",
        "phases": many(&|n| json!({ "id": "A", "name": format!("Phase {n}"), "entered_at": at, "left_at": at })),
        "measures": many(&|n| json!({
            "name": "Disable the account", "target": format!("user{n}@example.jp"), "status": "Executed",
            "in_force": true, "emergency": n % 5 == 0, "cia": "C +1 / I +1 / A -1",
            "reason": "Credentials were entered on a phishing page.", "proposed_by": "Suzuki",
            "proposed_at": at, "decided_by": "Kimura", "decided_at": at, "decision_note": "Approved",
            "executed_by": "Tanaka", "executed_at": at,
        })),
        "measures_in_force": rows,
        "evidence": many(&|n| json!({
            "file_name": format!("proxy-{n}.log.gz"), "kind": "Proxy log", "kind_id": "log",
            "sha256": hash, "size": 1_048_576, "source_host": "proxy01", "acquired_at": at,
            "acquired_by": "Tanaka", "custody": [{ "kind": "Acquired", "at": at, "by": "Tanaka" },
                { "kind": "Verified", "at": at, "by": "Kimura" }],
        })),
        "findings": many(&|_| json!({ "organisation": "Forensics Co.", "submitted_at": at,
            "intrusion_path": "A macro in the attachment.", "spread": "None found.",
            "exfiltration": "None found.", "recovery": "Reimage the PC." })),
        "prevention": many(&|_| json!({ "name": "Mail filtering", "decision": "Adopted",
            "owner": "IT", "due_on": "2026-02-01", "note": "Block macros from outside." })),
        "technical": "Block macros.", "operational": "Train staff.",
        "timeline": many(&|n| json!({ "seq": n, "at": at, "actor": "Suzuki", "what": "Comment added" })),
        "observables": many(&|n| json!({ "type": "domain", "type_name": "Domain", "value": format!("c2-{n}.example") })),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_templates_load_and_a_broken_one_is_named() {
        Templates::load(None).unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("internal.en.md"), "# {{ i.titel }}").unwrap();
        let e = Templates::load(Some(dir.path())).err().unwrap();
        assert_eq!(e.file, "internal.en.md");
        assert!(
            e.message.contains("titel") || e.message.contains("undefined"),
            "{e}"
        );
        std::fs::write(dir.path().join("internal.en.md"), "# {% if %}").unwrap();
        let e = Templates::load(Some(dir.path())).err().unwrap();
        assert!(e.message.starts_with("line 1"), "{e}");
        std::fs::remove_file(dir.path().join("internal.en.md")).unwrap();
        std::fs::write(dir.path().join("internl.en.md"), "x").unwrap();
        let e = Templates::load(Some(dir.path())).err().unwrap();
        assert_eq!(e.file, "internl.en.md");
    }

    #[test]
    fn whatever_a_template_prints_is_inert_markdown() {
        let mut data = sample_data(1);
        data["i"]["title"] =
            json!("<img src=x onerror=alert(1)> [link](javascript:x) *bold*\n# forged");
        data["i"]["observed"] =
            json!("line one\n# not a heading\n- not a list\n1. not a list\n> no quote");
        let t = Templates::load(None).unwrap();
        let out = t
            .render(ReportTemplate::Internal, Lang::En, &data, "")
            .unwrap();
        assert!(out.contains("\\<img src=x onerror=alert(1)\\>"), "{out}");
        assert!(
            out.contains("\\[link\\](javascript:x) \\*bold\\*\\u{a}# forged"),
            "{out}"
        );
        assert!(
            out.contains(
                "line one  \n\\# not a heading  \n\\- not a list  \n1\\. not a list  \n\\> no quote"
            ),
            "{out}"
        );
        assert!(!out.contains("\n# not a heading"));
    }
}
