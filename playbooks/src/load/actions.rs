//! `actions.toml` (the phase × role matrix) and `kinds/<kind>.toml` (the
//! incident-kind playbooks): both are lists of actions of the same shape.
//! Checks that need every file at once (unique ids, dependencies, cycles)
//! are in `links`.

use serde::Deserialize;
use toml::Spanned;

use super::Issue;
use super::check::{self, RawLabel};
use super::source::Source;
use crate::{ActionDef, KIND_IDS, KindDef, Label, PHASE_IDS, ROLE_IDS, Raci};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatrix {
    #[serde(default)]
    action: Vec<Spanned<RawAction>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKind {
    kind: Option<Spanned<String>>,
    name: Option<Spanned<RawLabel>>,
    #[serde(default)]
    task: Vec<Spanned<RawAction>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAction {
    id: Option<Spanned<String>>,
    phase: Option<Spanned<String>>,
    role: Option<Spanned<String>>,
    raci: Option<Spanned<String>>,
    required: Option<Spanned<bool>>,
    name: Option<Spanned<RawLabel>>,
    description: Option<Spanned<RawLabel>>,
    #[serde(default)]
    inputs: Vec<Spanned<RawLabel>>,
    #[serde(default)]
    outputs: Vec<Spanned<RawLabel>>,
    #[serde(default)]
    skills: Vec<Spanned<RawLabel>>,
    #[serde(default)]
    depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    checklist: Vec<Spanned<RawLabel>>,
}

/// An action with where it was written, for the checks across files.
pub(super) struct Located {
    pub def: ActionDef,
    pub file: String,
    pub line: usize,
    pub key: String,
    /// Line of each `depends_on` item.
    pub dep_lines: Vec<usize>,
}

pub(super) fn read_matrix(src: &Source, issues: &mut Vec<Issue>) -> Vec<Located> {
    let Some(file) = src.deserialize::<RawMatrix>(issues) else {
        return Vec::new();
    };
    file.action
        .iter()
        .enumerate()
        .filter_map(|(i, a)| action(src, a, &format!("action[{i}]"), None, issues))
        .collect()
}

/// A kind file; `expected` is the kind its file name says.
pub(super) fn read_kind(
    src: &Source,
    expected: &str,
    issues: &mut Vec<Issue>,
) -> (Option<KindDef>, Vec<Located>) {
    let Some(file) = src.deserialize::<RawKind>(issues) else {
        return (None, Vec::new());
    };
    let whole = 0..0;
    match &file.kind {
        None => issues.push(src.issue(
            whole.clone(),
            "kind",
            format!("missing kind (expected \"{expected}\")"),
        )),
        Some(k) if !KIND_IDS.contains(&k.get_ref().as_str()) => issues.push(src.issue(
            k.span(),
            "kind",
            format!(
                "unknown kind `{}`; expected one of {}",
                k.get_ref(),
                KIND_IDS.join(", ")
            ),
        )),
        Some(k) if k.get_ref() != expected => issues.push(src.issue(
            k.span(),
            "kind",
            format!(
                "kind `{}` does not match the file name (expected \"{expected}\")",
                k.get_ref()
            ),
        )),
        Some(_) => {}
    }
    let name = check::label(src, file.name.as_ref(), &whole, "name", issues);
    let tasks = file
        .task
        .iter()
        .enumerate()
        .filter_map(|(i, a)| action(src, a, &format!("task[{i}]"), Some(expected), issues))
        .collect();
    (
        Some(KindDef {
            id: expected.to_string(),
            name,
        }),
        tasks,
    )
}

fn action(
    src: &Source,
    raw: &Spanned<RawAction>,
    key: &str,
    kind: Option<&str>,
    issues: &mut Vec<Issue>,
) -> Option<Located> {
    let header = raw.span();
    let a = raw.get_ref();
    let before = issues.len();
    let id = match &a.id {
        Some(id) if valid_id(id.get_ref()) => id.get_ref().clone(),
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
    let phase = one_of(
        src,
        a.phase.as_ref(),
        &header,
        &format!("{key}.phase"),
        "phase",
        &PHASE_IDS,
        issues,
    );
    let role = one_of(
        src,
        a.role.as_ref(),
        &header,
        &format!("{key}.role"),
        "role",
        &ROLE_IDS,
        issues,
    );
    let raci_ids = Raci::ALL.map(Raci::id);
    let raci = one_of(
        src,
        a.raci.as_ref(),
        &header,
        &format!("{key}.raci"),
        "raci",
        &raci_ids,
        issues,
    );
    let required = match &a.required {
        Some(r) => *r.get_ref(),
        None => {
            issues.push(src.issue(
                header.clone(),
                &format!("{key}.required"),
                "missing required (true or false)",
            ));
            false
        }
    };
    let name = check::label(
        src,
        a.name.as_ref(),
        &header,
        &format!("{key}.name"),
        issues,
    );
    let description = check::label(
        src,
        a.description.as_ref(),
        &header,
        &format!("{key}.description"),
        issues,
    );
    let list = |items: &[Spanned<RawLabel>], field: &str, issues: &mut Vec<Issue>| -> Vec<Label> {
        items
            .iter()
            .enumerate()
            .map(|(n, l)| {
                check::label(
                    src,
                    Some(l),
                    &l.span(),
                    &format!("{key}.{field}[{n}]"),
                    issues,
                )
            })
            .collect()
    };
    let inputs = list(&a.inputs, "inputs", issues);
    let outputs = list(&a.outputs, "outputs", issues);
    let skills = list(&a.skills, "skills", issues);
    let checklist = list(&a.checklist, "checklist", issues);
    if a.skills.is_empty() {
        // The matrix's 要求事項・能力スキル: who can do it is part of the action.
        issues.push(src.issue(
            header.clone(),
            &format!("{key}.skills"),
            "name at least one skill the action takes",
        ));
    }
    // A faulty action still takes part in the checks across files (so it
    // does not also show up as an unknown dependency); its issues are
    // already reported and the model is refused.
    if id.is_empty() && issues.len() > before {
        return None;
    }
    // Checked above: an unknown one is already an issue.
    let raci = Raci::ALL
        .into_iter()
        .find(|r| r.id() == raci)
        .unwrap_or(Raci::Informed);
    Some(Located {
        def: ActionDef {
            id,
            phase,
            role,
            raci,
            required,
            name,
            description,
            inputs,
            outputs,
            skills,
            depends_on: a.depends_on.iter().map(|d| d.get_ref().clone()).collect(),
            checklist,
            kind: kind.map(str::to_string),
        },
        file: src.name.to_string(),
        line: src.line(a.id.as_ref().map_or(header.start, |i| i.span().start)),
        key: key.to_string(),
        dep_lines: a
            .depends_on
            .iter()
            .map(|d| src.line(d.span().start))
            .collect(),
    })
}

pub(super) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_')
}

fn one_of(
    src: &Source,
    raw: Option<&Spanned<String>>,
    header: &std::ops::Range<usize>,
    key: &str,
    what: &str,
    known: &[&str],
    issues: &mut Vec<Issue>,
) -> String {
    match raw {
        Some(v) if known.contains(&v.get_ref().as_str()) => v.get_ref().clone(),
        Some(v) => {
            let message = format!(
                "unknown {what} `{}`; expected one of {}",
                v.get_ref(),
                known.join(", ")
            );
            issues.push(src.issue(v.span(), key, message));
            String::new()
        }
        None => {
            issues.push(src.issue(header.clone(), key, format!("missing {what}")));
            String::new()
        }
    }
}
