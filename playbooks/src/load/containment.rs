//! `containment.toml`: the catalogue of temporary containment measures
//! (暫定対処策一覧), each with its effect on C/I/A, its side effects, the
//! evidence it destroys, how it is undone and who executes it.

use std::collections::HashMap;

use serde::Deserialize;
use toml::Spanned;

use super::Issue;
use super::check::{self, RawLabel};
use super::source::Source;
use crate::{CONTAINMENT_EXECUTORS, CONTAINMENT_TARGETS, Impact, MeasureDef};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    measure: Vec<Spanned<RawMeasure>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeasure {
    id: Option<Spanned<String>>,
    target: Option<Spanned<String>>,
    executor: Option<Spanned<String>>,
    name: Option<Spanned<RawLabel>>,
    description: Option<Spanned<RawLabel>>,
    impact: Option<Spanned<RawImpact>>,
    side_effects: Option<Spanned<RawLabel>>,
    destroys_evidence: Option<Spanned<bool>>,
    evidence_lost: Option<Spanned<RawLabel>>,
    reversible: Option<Spanned<bool>>,
    reversal: Option<Spanned<RawLabel>>,
    #[serde(default)]
    preserve_first: Vec<Spanned<RawLabel>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImpact {
    c: Option<Spanned<i64>>,
    i: Option<Spanned<i64>>,
    a: Option<Spanned<i64>>,
}

pub(super) fn read(src: &Source, issues: &mut Vec<Issue>) -> Vec<MeasureDef> {
    let Some(file) = src.deserialize::<RawFile>(issues) else {
        return Vec::new();
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut measures = Vec::new();
    for (n, raw) in file.measure.iter().enumerate() {
        let key = format!("measure[{n}]");
        let header = raw.span();
        let m = raw.get_ref();
        let before = issues.len();
        let label = |raw: Option<&Spanned<RawLabel>>, field: &str, issues: &mut Vec<Issue>| {
            check::label(src, raw, &header, &format!("{key}.{field}"), issues)
        };
        let name = label(m.name.as_ref(), "name", issues);
        let description = label(m.description.as_ref(), "description", issues);
        let side_effects = label(m.side_effects.as_ref(), "side_effects", issues);
        let reversal = label(m.reversal.as_ref(), "reversal", issues);
        let preserve_first = m
            .preserve_first
            .iter()
            .enumerate()
            .map(|(i, l)| label(Some(l), &format!("preserve_first[{i}]"), issues))
            .collect();

        let target = one_of(
            src,
            m.target.as_ref(),
            &header,
            &format!("{key}.target"),
            &CONTAINMENT_TARGETS,
            issues,
        );
        let executor = one_of(
            src,
            m.executor.as_ref(),
            &header,
            &format!("{key}.executor"),
            &CONTAINMENT_EXECUTORS,
            issues,
        );
        let id = match &m.id {
            None => {
                issues.push(src.issue(header.clone(), &format!("{key}.id"), "missing id"));
                None
            }
            Some(id) => {
                let text = id.get_ref();
                let line = src.line(id.span().start);
                if let Some(first) = seen.get(text) {
                    issues.push(src.issue(
                        id.span(),
                        &format!("{key}.id"),
                        format!("duplicate measure id `{text}`; already used on line {first}"),
                    ));
                } else {
                    seen.insert(text.clone(), line);
                }
                if let Some(t) = &target
                    && !text.starts_with(&format!("{t}."))
                {
                    issues.push(src.issue(
                        id.span(),
                        &format!("{key}.id"),
                        format!("a {t} measure's id must start with `{t}.`"),
                    ));
                }
                Some(text.clone())
            }
        };
        let impact = impact(src, m.impact.as_ref(), &header, &key, issues);
        let flag = |v: &Option<Spanned<bool>>, field: &str, issues: &mut Vec<Issue>| match v {
            Some(b) => Some(*b.get_ref()),
            None => {
                issues.push(src.issue(header.clone(), &format!("{key}.{field}"), "missing"));
                None
            }
        };
        let destroys = flag(&m.destroys_evidence, "destroys_evidence", issues);
        let reversible = flag(&m.reversible, "reversible", issues);
        let evidence_lost = match (destroys, &m.evidence_lost) {
            (Some(true), raw) => Some(label(raw.as_ref(), "evidence_lost", issues)),
            (Some(false), Some(raw)) => {
                issues.push(src.issue(
                    raw.span(),
                    &format!("{key}.evidence_lost"),
                    "only a measure with destroys_evidence = true loses evidence",
                ));
                None
            }
            _ => None,
        };
        if issues.len() > before {
            continue;
        }
        let (Some(id), Some(target), Some(executor), Some(impact), Some(reversible)) =
            (id, target, executor, impact, reversible)
        else {
            continue;
        };
        measures.push(MeasureDef {
            id,
            target,
            executor,
            name,
            description,
            impact,
            side_effects,
            evidence_lost,
            reversible,
            reversal,
            preserve_first,
        });
    }
    let end = src.text.trim_end().len();
    for target in CONTAINMENT_TARGETS {
        if !measures.iter().any(|m| m.target == target) {
            issues.push(src.issue(
                end..end,
                "measure",
                format!("no measure for target `{target}`"),
            ));
        }
    }
    measures.sort_by_key(|m| {
        CONTAINMENT_TARGETS
            .iter()
            .position(|t| *t == m.target)
            .unwrap_or(usize::MAX)
    });
    measures
}

fn one_of(
    src: &Source,
    raw: Option<&Spanned<String>>,
    header: &std::ops::Range<usize>,
    key: &str,
    known: &[&str],
    issues: &mut Vec<Issue>,
) -> Option<String> {
    match raw {
        Some(v) if known.contains(&v.get_ref().as_str()) => Some(v.get_ref().clone()),
        Some(v) => {
            issues.push(src.issue(
                v.span(),
                key,
                format!(
                    "unknown value `{}`; expected one of {}",
                    v.get_ref(),
                    known.join(", ")
                ),
            ));
            None
        }
        None => {
            issues.push(src.issue(header.clone(), key, "missing"));
            None
        }
    }
}

fn impact(
    src: &Source,
    raw: Option<&Spanned<RawImpact>>,
    header: &std::ops::Range<usize>,
    key: &str,
    issues: &mut Vec<Issue>,
) -> Option<Impact> {
    let Some(raw) = raw else {
        issues.push(src.issue(header.clone(), &format!("{key}.impact"), "missing"));
        return None;
    };
    let at = raw.span();
    let r = raw.get_ref();
    let mut level = |v: &Option<Spanned<i64>>, part: &str| match v {
        Some(n) if (-3..=3).contains(n.get_ref()) => Some(*n.get_ref() as i8),
        Some(n) => {
            issues.push(src.issue(
                n.span(),
                &format!("{key}.impact.{part}"),
                "must be from -3 (severely degrades) to 3 (strongly protects)",
            ));
            None
        }
        None => {
            issues.push(src.issue(at.clone(), &format!("{key}.impact.{part}"), "missing"));
            None
        }
    };
    let (c, i, a) = (level(&r.c, "c"), level(&r.i, "i"), level(&r.a, "a"));
    Some(Impact {
        c: c?,
        i: i?,
        a: a?,
    })
}
