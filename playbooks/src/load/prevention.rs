//! `prevention.toml`: phase G's recurrence-prevention checklist, each
//! measure with where its source says it.

use std::collections::HashMap;

use serde::Deserialize;
use toml::Spanned;

use super::Issue;
use super::check::{self, RawLabel};
use super::log_sources::all_known;
use super::source::Source;
use crate::{ATTACK_STAGE_IDS, KIND_IDS, PREVENTION_CATEGORIES, PREVENTION_LAYERS, PreventionDef};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    prevention: Vec<Spanned<RawPrevention>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrevention {
    id: Option<Spanned<String>>,
    category: Option<Spanned<String>>,
    layer: Option<Spanned<String>>,
    cite: Option<Spanned<String>>,
    name: Option<Spanned<RawLabel>>,
    description: Option<Spanned<RawLabel>>,
    #[serde(default)]
    kinds: Vec<Spanned<String>>,
    #[serde(default)]
    stages: Vec<Spanned<String>>,
}

pub(super) fn read(src: &Source, issues: &mut Vec<Issue>) -> Vec<PreventionDef> {
    let Some(file) = src.deserialize::<RawFile>(issues) else {
        return Vec::new();
    };
    if file.prevention.is_empty() {
        issues.push(src.issue(
            0..0,
            "prevention",
            "list at least one [[prevention]] measure",
        ));
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for (n, raw) in file.prevention.iter().enumerate() {
        let key = format!("prevention[{n}]");
        let header = raw.span();
        let p = raw.get_ref();
        let before = issues.len();
        let id = match &p.id {
            Some(id) if super::actions::valid_id(id.get_ref()) => {
                let text = id.get_ref().clone();
                if let Some(first) = seen.get(&text) {
                    issues.push(src.issue(
                        id.span(),
                        &format!("{key}.id"),
                        format!("duplicate prevention id `{text}`; already used on line {first}"),
                    ));
                } else {
                    seen.insert(text.clone(), src.line(id.span().start));
                }
                text
            }
            Some(id) => {
                issues.push(src.issue(
                    id.span(),
                    &format!("{key}.id"),
                    "ids use lower-case letters, digits, '.' and '_'",
                ));
                String::new()
            }
            None => {
                issues.push(src.issue(header.clone(), &format!("{key}.id"), "missing id"));
                String::new()
            }
        };
        let mut one = |v: &Option<Spanned<String>>, field: &str, known: &[&str]| match v {
            Some(x) if known.contains(&x.get_ref().as_str()) => x.get_ref().clone(),
            Some(x) => {
                issues.push(src.issue(
                    x.span(),
                    &format!("{key}.{field}"),
                    format!(
                        "unknown {field} `{}`; expected one of {}",
                        x.get_ref(),
                        known.join(", ")
                    ),
                ));
                String::new()
            }
            None => {
                issues.push(src.issue(header.clone(), &format!("{key}.{field}"), "missing"));
                String::new()
            }
        };
        let category = one(&p.category, "category", &PREVENTION_CATEGORIES);
        let layer = one(&p.layer, "layer", &PREVENTION_LAYERS);
        let cite = match &p.cite {
            Some(c) if !c.get_ref().trim().is_empty() => c.get_ref().clone(),
            _ => {
                issues.push(src.issue(
                    header.clone(),
                    &format!("{key}.cite"),
                    "say where the source gives this measure",
                ));
                String::new()
            }
        };
        let name = check::label(
            src,
            p.name.as_ref(),
            &header,
            &format!("{key}.name"),
            issues,
        );
        let description = check::label(
            src,
            p.description.as_ref(),
            &header,
            &format!("{key}.description"),
            issues,
        );
        let kinds = all_known(src, &p.kinds, &format!("{key}.kinds"), &KIND_IDS, issues);
        let stages = all_known(
            src,
            &p.stages,
            &format!("{key}.stages"),
            &ATTACK_STAGE_IDS,
            issues,
        );
        if issues.len() > before {
            continue;
        }
        out.push(PreventionDef {
            id,
            category,
            layer,
            cite,
            name,
            description,
            kinds,
            stages,
        });
    }
    out
}
