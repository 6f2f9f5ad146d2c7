//! `severity.toml`: the severity levels, their written definitions and the
//! time targets for triage and first response.

use serde::Deserialize;
use toml::Spanned;

use super::Issue;
use super::check::{self, RawLabel};
use super::source::Source;
use crate::{SEVERITY_IDS, SeverityDef};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    level: Vec<Spanned<RawLevel>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    id: Option<Spanned<String>>,
    order: Option<Spanned<i64>>,
    name: Option<Spanned<RawLabel>>,
    definition: Option<Spanned<RawLabel>>,
    triage_minutes: Option<Spanned<i64>>,
    first_response_minutes: Option<Spanned<i64>>,
}

pub(super) fn read(src: &Source, issues: &mut Vec<Issue>) -> Vec<SeverityDef> {
    let Some(file) = src.deserialize::<RawFile>(issues) else {
        return Vec::new();
    };
    let entries: Vec<check::Entry> = file
        .level
        .iter()
        .map(|l| check::Entry {
            header: l.span(),
            id: l.get_ref().id.as_ref(),
        })
        .collect();
    let positions = check::ids(src, "level", &SEVERITY_IDS, &entries, issues);
    let mut levels = Vec::new();
    for (i, (raw, position)) in file.level.iter().zip(positions).enumerate() {
        let key = format!("level[{i}]");
        let header = raw.span();
        let l = raw.get_ref();
        let name = check::label(
            src,
            l.name.as_ref(),
            &header,
            &format!("{key}.name"),
            issues,
        );
        let definition = check::label(
            src,
            l.definition.as_ref(),
            &header,
            &format!("{key}.definition"),
            issues,
        );
        let minutes = |v: &Option<Spanned<i64>>, field: &str, issues: &mut Vec<Issue>| match v {
            Some(m) if *m.get_ref() > 0 && *m.get_ref() <= u32::MAX as i64 => {
                Some((*m.get_ref() as u32, m.span()))
            }
            Some(m) => {
                issues.push(src.issue(
                    m.span(),
                    &format!("{key}.{field}"),
                    "must be a positive number of minutes",
                ));
                None
            }
            None => {
                issues.push(src.issue(header.clone(), &format!("{key}.{field}"), "missing"));
                None
            }
        };
        let triage = minutes(&l.triage_minutes, "triage_minutes", issues);
        let response = minutes(&l.first_response_minutes, "first_response_minutes", issues);
        let Some(position) = position else { continue };
        match &l.order {
            Some(o) if *o.get_ref() == position as i64 + 1 => {}
            Some(o) => issues.push(src.issue(
                o.span(),
                &format!("{key}.order"),
                format!(
                    "{} must have order {}",
                    SEVERITY_IDS[position],
                    position + 1
                ),
            )),
            None => {
                issues.push(src.issue(header.clone(), &format!("{key}.order"), "missing order"))
            }
        }
        if let (Some((t, _)), Some((r, span))) = (&triage, &response)
            && r < t
        {
            issues.push(src.issue(
                span.clone(),
                &format!("{key}.first_response_minutes"),
                "first response cannot be due before triage",
            ));
        }
        if let (Some((t, _)), Some((r, _))) = (triage, response) {
            levels.push((
                position,
                SeverityDef {
                    id: SEVERITY_IDS[position].to_string(),
                    order: position as u8 + 1,
                    name,
                    definition,
                    triage_minutes: t,
                    first_response_minutes: r,
                },
            ));
        }
    }
    levels.sort_by_key(|(p, _)| *p);
    levels.into_iter().map(|(_, l)| l).collect()
}
