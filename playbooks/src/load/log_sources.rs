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
use crate::{ATTACK_STAGE_IDS, CONTAINMENT_TARGETS, KIND_IDS, LogSourceDef};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    source: Vec<Spanned<RawSource>>,
}

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
    retention_online_days: Option<Spanned<i64>>,
    retention_offline_days: Option<Spanned<i64>>,
    #[serde(default)]
    kinds: Vec<Spanned<String>>,
    #[serde(default)]
    assets: Vec<Spanned<String>>,
    margin_days: Option<Spanned<i64>>,
}

/// Longest retention or margin accepted: ten years.
const MAX_DAYS: i64 = 3650;

pub(super) fn read(src: &Source, issues: &mut Vec<Issue>) -> Vec<LogSourceDef> {
    let Some(file) = src.deserialize::<RawFile>(issues) else {
        return Vec::new();
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
        let days = |v: &Option<Spanned<i64>>, field: &str, min: i64, issues: &mut Vec<Issue>| {
            days(src, v, &header, &format!("{key}.{field}"), min, issues)
        };
        let online = days(&s.retention_online_days, "retention_online_days", 1, issues);
        let offline = days(
            &s.retention_offline_days,
            "retention_offline_days",
            0,
            issues,
        );
        let margin = days(&s.margin_days, "margin_days", 0, issues);
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
        let (Some(id), Some(online), Some(offline), Some(margin), Some(default_on)) =
            (id, online, offline, margin, default_on)
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
            retention_online_days: online,
            retention_offline_days: offline,
            kinds,
            assets,
            margin_days: margin,
        });
    }
    sources
}

fn all_known(
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
