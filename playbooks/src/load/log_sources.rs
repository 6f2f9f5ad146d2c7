//! `log_sources.toml`: the kinds of log source, the items each should
//! preserve, the attack stages they reveal, whether a default installation
//! records them and how to make it, the recommended retention, and when an
//! incident needs them.

use std::collections::HashMap;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::Issue;
use super::check::{self, RawLabel};
use super::source::Source;
use crate::{
    ATTACK_STAGE_IDS, CONTAINMENT_TARGETS, IMPORTANCE_LEVELS, Importance, KIND_IDS, LogEventDef,
    LogSourceDef, Retention,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    preservation: Option<Spanned<RawPreservation>>,
    #[serde(default)]
    source: Vec<Spanned<RawSource>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPreservation {
    margin_days: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    id: Option<Spanned<i64>>,
    criticality: Option<Spanned<String>>,
    meaning: Option<Spanned<RawLabel>>,
}

/// The criticalities seed 001 gives its event ids.
const CRITICALITIES: [&str; 2] = ["high", "medium_high"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: Option<Spanned<String>>,
    name: Option<Spanned<RawLabel>>,
    #[serde(default)]
    items: Vec<Spanned<RawLabel>>,
    #[serde(default)]
    stages: Vec<Spanned<String>>,
    default_on: Option<Spanned<bool>>,
    enable: Option<Spanned<RawLabel>>,
    /// `{ min_days = 365, max_days = 730 }`, `{ min_days = 730 }` (or
    /// more), or `"n/a"` where the source gives none.
    retention_online: Option<Spanned<toml::Value>>,
    retention_offline: Option<Spanned<toml::Value>>,
    #[serde(default)]
    kinds: Vec<Spanned<String>>,
    #[serde(default)]
    assets: Vec<Spanned<String>>,
    #[serde(default)]
    events: Vec<Spanned<RawEvent>>,
    importance: Option<Spanned<RawImportance>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImportance {
    apt: Option<Spanned<String>>,
    crime: Option<Spanned<String>>,
    hacktivism: Option<Spanned<String>>,
}

/// Longest retention or margin accepted: ten years.
const MAX_DAYS: i64 = 3650;

/// The catalogue, and the preservation margin (days before the earliest
/// known event).
pub(super) fn read(src: &Source, issues: &mut Vec<Issue>) -> (Vec<LogSourceDef>, u32) {
    let Some(file) = src.deserialize::<RawFile>(issues) else {
        return (Vec::new(), 0);
    };
    let margin = match &file.preservation {
        None => {
            issues.push(src.issue(
                0..0,
                "preservation",
                "missing [preservation] with margin_days",
            ));
            0
        }
        Some(p) => days(
            src,
            &p.get_ref().margin_days,
            &p.span(),
            "preservation.margin_days",
            0,
            issues,
        )
        .unwrap_or(0),
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut sources = Vec::new();
    for (n, raw) in file.source.iter().enumerate() {
        let key = format!("source[{n}]");
        let header = raw.span();
        let s = raw.get_ref();
        let before = issues.len();
        let name = check::label(
            src,
            s.name.as_ref(),
            &header,
            &format!("{key}.name"),
            issues,
        );
        let enable = check::label(
            src,
            s.enable.as_ref(),
            &header,
            &format!("{key}.enable"),
            issues,
        );
        let items: Vec<_> = s
            .items
            .iter()
            .enumerate()
            .map(|(i, l)| check::label(src, Some(l), &header, &format!("{key}.items[{i}]"), issues))
            .collect();
        if items.is_empty() {
            issues.push(src.issue(
                header.clone(),
                &format!("{key}.items"),
                "list at least one log item to preserve",
            ));
        }
        let stages = all_known(
            src,
            &s.stages,
            &format!("{key}.stages"),
            &ATTACK_STAGE_IDS,
            issues,
        );
        let kinds = all_known(src, &s.kinds, &format!("{key}.kinds"), &KIND_IDS, issues);
        let assets = all_known(
            src,
            &s.assets,
            &format!("{key}.assets"),
            &CONTAINMENT_TARGETS,
            issues,
        );
        let online = retention(
            src,
            &s.retention_online,
            &header,
            &format!("{key}.retention_online"),
            issues,
        );
        let offline = retention(
            src,
            &s.retention_offline,
            &header,
            &format!("{key}.retention_offline"),
            issues,
        );
        let mut events = Vec::new();
        for (i, e) in s.events.iter().enumerate() {
            let ekey = format!("{key}.events[{i}]");
            let r = e.get_ref();
            let meaning = check::label(
                src,
                r.meaning.as_ref(),
                &e.span(),
                &format!("{ekey}.meaning"),
                issues,
            );
            let id = match &r.id {
                Some(n) if (1..=65535).contains(n.get_ref()) => Some(*n.get_ref() as u32),
                Some(n) => {
                    issues.push(src.issue(
                        n.span(),
                        &format!("{ekey}.id"),
                        "must be a Windows event id (1–65535)",
                    ));
                    None
                }
                None => {
                    issues.push(src.issue(e.span(), &format!("{ekey}.id"), "missing"));
                    None
                }
            };
            let criticality = match &r.criticality {
                Some(c) if CRITICALITIES.contains(&c.get_ref().as_str()) => {
                    Some(c.get_ref().clone())
                }
                Some(c) => {
                    issues.push(src.issue(
                        c.span(),
                        &format!("{ekey}.criticality"),
                        format!(
                            "unknown value `{}`; expected one of {}",
                            c.get_ref(),
                            CRITICALITIES.join(", ")
                        ),
                    ));
                    None
                }
                None => {
                    issues.push(src.issue(e.span(), &format!("{ekey}.criticality"), "missing"));
                    None
                }
            };
            if let (Some(id), Some(criticality)) = (id, criticality) {
                events.push(LogEventDef {
                    id,
                    criticality,
                    meaning,
                });
            }
        }
        let importance = importance(src, s.importance.as_ref(), &header, &key, issues);
        let default_on = match &s.default_on {
            Some(b) => Some(*b.get_ref()),
            None => {
                issues.push(src.issue(header.clone(), &format!("{key}.default_on"), "missing"));
                None
            }
        };
        let id = match &s.id {
            None => {
                issues.push(src.issue(header.clone(), &format!("{key}.id"), "missing id"));
                None
            }
            Some(id) => {
                let text = id.get_ref();
                if let Some(first) = seen.get(text) {
                    issues.push(src.issue(
                        id.span(),
                        &format!("{key}.id"),
                        format!("duplicate log source id `{text}`; already used on line {first}"),
                    ));
                } else {
                    seen.insert(text.clone(), src.line(id.span().start));
                }
                Some(text.clone())
            }
        };
        if issues.len() > before {
            continue;
        }
        let (Some(id), Some(online), Some(offline), Some(default_on), Some(importance)) =
            (id, online, offline, default_on, importance)
        else {
            continue;
        };
        sources.push(LogSourceDef {
            id,
            name,
            items,
            stages,
            default_on,
            enable,
            retention_online: online,
            retention_offline: offline,
            kinds,
            assets,
            events,
            importance,
        });
    }
    (sources, margin)
}

/// `importance = { apt = …, crime = …, hacktivism = … }`, each one of the
/// levels; recorded issues and `None` when anything is missing or unknown.
fn importance(
    src: &Source,
    raw: Option<&Spanned<RawImportance>>,
    header: &Range<usize>,
    key: &str,
    issues: &mut Vec<Issue>,
) -> Option<Importance> {
    let Some(raw) = raw else {
        issues.push(src.issue(
            header.clone(),
            &format!("{key}.importance"),
            "missing importance = { apt = …, crime = …, hacktivism = … }",
        ));
        return None;
    };
    let r = raw.get_ref();
    let mut level = |v: &Option<Spanned<String>>, who: &str| match v {
        Some(l) if IMPORTANCE_LEVELS.contains(&l.get_ref().as_str()) => Some(l.get_ref().clone()),
        Some(l) => {
            issues.push(src.issue(
                l.span(),
                &format!("{key}.importance.{who}"),
                format!(
                    "unknown level `{}`; expected one of {}",
                    l.get_ref(),
                    IMPORTANCE_LEVELS.join(", ")
                ),
            ));
            None
        }
        None => {
            issues.push(src.issue(raw.span(), &format!("{key}.importance.{who}"), "missing"));
            None
        }
    };
    let apt = level(&r.apt, "apt");
    let crime = level(&r.crime, "crime");
    let hacktivism = level(&r.hacktivism, "hacktivism");
    Some(Importance {
        apt: apt?,
        crime: crime?,
        hacktivism: hacktivism?,
    })
}

/// A retention: a range of days, a lower bound, or `"n/a"`. `Some(None)` is
/// "not stated"; `None` an error (recorded).
fn retention(
    src: &Source,
    v: &Option<Spanned<toml::Value>>,
    header: &Range<usize>,
    key: &str,
    issues: &mut Vec<Issue>,
) -> Option<Option<Retention>> {
    let Some(v) = v else {
        issues.push(src.issue(header.clone(), key, "missing"));
        return None;
    };
    let bad = |issues: &mut Vec<Issue>, why: &str| {
        issues.push(src.issue(v.span(), key, why));
        None
    };
    let shape = "a table { min_days = …, max_days = … } (max_days optional), or \"n/a\"";
    match v.get_ref() {
        toml::Value::String(s) if s == "n/a" => Some(None),
        toml::Value::Table(t) => {
            if t.keys().any(|k| k != "min_days" && k != "max_days") {
                return bad(issues, &format!("must be {shape}"));
            }
            let day = |k: &str| {
                t.get(k)
                    .map(|d| d.as_integer().filter(|n| (1..=MAX_DAYS).contains(n)))
            };
            let min = match day("min_days") {
                Some(Some(n)) => n as u32,
                _ => {
                    return bad(
                        issues,
                        &format!("min_days must be a number of days from 1 to {MAX_DAYS}"),
                    );
                }
            };
            let max = match day("max_days") {
                None => None,
                Some(Some(n)) if n as u32 >= min => Some(n as u32),
                Some(_) => {
                    return bad(
                        issues,
                        &format!("max_days must be from min_days to {MAX_DAYS}"),
                    );
                }
            };
            Some(Some(Retention {
                min_days: min,
                max_days: max,
            }))
        }
        _ => bad(issues, &format!("must be {shape}")),
    }
}

pub(super) fn all_known(
    src: &Source,
    values: &[Spanned<String>],
    key: &str,
    known: &[&str],
    issues: &mut Vec<Issue>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (i, v) in values.iter().enumerate() {
        if known.contains(&v.get_ref().as_str()) {
            out.push(v.get_ref().clone());
        } else {
            issues.push(src.issue(
                v.span(),
                &format!("{key}[{i}]"),
                format!(
                    "unknown value `{}`; expected one of {}",
                    v.get_ref(),
                    known.join(", ")
                ),
            ));
        }
    }
    out
}

fn days(
    src: &Source,
    v: &Option<Spanned<i64>>,
    header: &Range<usize>,
    key: &str,
    min: i64,
    issues: &mut Vec<Issue>,
) -> Option<u32> {
    match v {
        Some(d) if (min..=MAX_DAYS).contains(d.get_ref()) => Some(*d.get_ref() as u32),
        Some(d) => {
            issues.push(src.issue(
                d.span(),
                key,
                format!("must be a number of days from {min} to {MAX_DAYS}"),
            ));
            None
        }
        None => {
            issues.push(src.issue(header.clone(), key, "missing"));
            None
        }
    }
}
