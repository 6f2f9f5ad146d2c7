//! Rules every model file shares: the bilingual texts and the entry ids.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::Issue;
use super::source::Source;
use crate::Label;

/// A `name` or `description` table as written; both languages optional
/// here so that every missing one is reported, not just the first.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLabel {
    ja: Option<Spanned<String>>,
    en: Option<Spanned<String>>,
}

/// The label at `key` (e.g. `role[3].name`), each language present and not
/// blank. `entry` is the span of the `[[…]]` header, pointed at when the
/// whole label is missing.
pub(super) fn label(
    src: &Source,
    raw: Option<&Spanned<RawLabel>>,
    entry: &Range<usize>,
    key: &str,
    issues: &mut Vec<Issue>,
) -> Label {
    let at = raw.map_or(entry.clone(), Spanned::span);
    let (ja, en) = raw.map_or((None, None), |l| {
        (l.get_ref().ja.as_ref(), l.get_ref().en.as_ref())
    });
    Label {
        ja: text(src, ja, &at, &format!("{key}.ja"), "Japanese", issues),
        en: text(src, en, &at, &format!("{key}.en"), "English", issues),
    }
}

fn text(
    src: &Source,
    raw: Option<&Spanned<String>>,
    at: &Range<usize>,
    key: &str,
    language: &str,
    issues: &mut Vec<Issue>,
) -> String {
    match raw {
        Some(t) if !t.get_ref().trim().is_empty() => t.get_ref().clone(),
        Some(t) => {
            issues.push(src.issue(t.span(), key, format!("empty {language} text")));
            String::new()
        }
        None => {
            issues.push(src.issue(at.clone(), key, format!("missing {language} text")));
            String::new()
        }
    }
}

/// One `[[table]]` entry as the id check sees it: the span of its header and
/// its `id`, if it has one.
pub(super) struct Entry<'r> {
    pub header: Range<usize>,
    pub id: Option<&'r Spanned<String>>,
}

/// Checks the ids of the `[[table]]` entries: each present, one of `known`,
/// and used once; and every known id used. Returns, per entry, the position
/// of its id in `known`, or `None` if the entry cannot be used.
pub(super) fn ids(
    src: &Source,
    table: &str,
    known: &[&str],
    entries: &[Entry<'_>],
    issues: &mut Vec<Issue>,
) -> Vec<Option<usize>> {
    let mut first_line: Vec<Option<usize>> = vec![None; known.len()];
    let mut found = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let key = format!("{table}[{i}].id");
        let Some(id) = entry.id else {
            issues.push(src.issue(entry.header.clone(), &key, "missing id"));
            found.push(None);
            continue;
        };
        let line = src.line(id.span().start);
        let position = known.iter().position(|k| k == id.get_ref());
        match position.map(|p| (p, first_line[p])) {
            None => {
                let message = format!(
                    "unknown {table} id `{}`; expected one of {}",
                    id.get_ref(),
                    known.join(", ")
                );
                issues.push(src.issue(id.span(), &key, message));
                found.push(None);
            }
            Some((_, Some(first))) => {
                let message = format!(
                    "duplicate {table} id `{}`; already used on line {first}",
                    id.get_ref()
                );
                issues.push(src.issue(id.span(), &key, message));
                found.push(None);
            }
            Some((p, None)) => {
                first_line[p] = Some(line);
                found.push(Some(p));
            }
        }
    }
    let end = src.text.trim_end().len();
    for (id, _) in known.iter().zip(&first_line).filter(|(_, l)| l.is_none()) {
        let message = format!("missing {table} `{id}`: add a [[{table}]] with id = \"{id}\"");
        issues.push(src.issue(end..end, table, message));
    }
    found
}

/// A plain text value that must be present and not blank.
pub(super) fn required(
    src: &Source,
    v: &Option<Spanned<String>>,
    header: &Range<usize>,
    key: &str,
    issues: &mut Vec<Issue>,
) -> String {
    match v {
        Some(t) if !t.get_ref().trim().is_empty() => t.get_ref().clone(),
        _ => {
            issues.push(src.issue(header.clone(), key, "missing"));
            String::new()
        }
    }
}
