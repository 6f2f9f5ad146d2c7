//! Checks across all action files: ids unique everywhere, dependencies that
//! exist, never on a later phase, and without cycles; and the two actions
//! the workflow itself relies on.

use std::collections::HashMap;

use super::Issue;
use super::actions::Located;

/// Actions the workflow completes itself: the report delivers the first, the
/// officer's decision in B the second.
pub(super) const ANCHORS: [(&str, &str, &str); 2] = [
    ("a.report_event", "A", "reporter"),
    ("b.decide_first_response", "B", "security_officer"),
];

pub(super) fn check(actions: &[Located], issues: &mut Vec<Issue>) {
    let issue = |a: &Located, line: usize, key: String, message: String| Issue {
        file: a.file.clone(),
        line,
        key,
        message,
    };
    let mut by_id: HashMap<&str, &Located> = HashMap::new();
    for a in actions {
        if let Some(first) = by_id.get(a.def.id.as_str()) {
            let message = format!(
                "duplicate id `{}`; already used in {}:{}",
                a.def.id, first.file, first.line
            );
            issues.push(issue(a, a.line, format!("{}.id", a.key), message));
        } else {
            by_id.insert(&a.def.id, a);
        }
    }
    for a in actions {
        for (n, dep) in a.def.depends_on.iter().enumerate() {
            let key = format!("{}.depends_on[{n}]", a.key);
            match by_id.get(dep.as_str()) {
                None => issues.push(issue(
                    a,
                    a.dep_lines[n],
                    key,
                    format!("unknown action `{dep}`"),
                )),
                Some(d) if d.def.phase > a.def.phase => issues.push(issue(
                    a,
                    a.dep_lines[n],
                    key,
                    format!(
                        "`{dep}` is in phase {}, after this action's phase {}",
                        d.def.phase, a.def.phase
                    ),
                )),
                Some(_) => {}
            }
        }
    }
    for (id, phase, role) in ANCHORS {
        match by_id.get(id) {
            Some(a) if a.def.phase == phase && a.def.role == role && a.def.required => {}
            _ => issues.push(Issue {
                file: "actions.toml".into(),
                line: 1,
                key: "action".into(),
                message: format!(
                    "the workflow needs a required action `{id}` in phase {phase} for role {role}"
                ),
            }),
        }
    }
    if let Some(cycle) = find_cycle(actions, &by_id) {
        let first = by_id[cycle[0].as_str()];
        issues.push(issue(
            first,
            first.line,
            format!("{}.depends_on", first.key),
            format!("dependency cycle: {}", cycle.join(" -> ")),
        ));
    }
}

/// The first cycle in `depends_on`, as a path that ends where it starts.
fn find_cycle(actions: &[Located], by_id: &HashMap<&str, &Located>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit<'a>(
        id: &'a str,
        by_id: &HashMap<&str, &'a Located>,
        marks: &mut HashMap<&'a str, Mark>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        match marks.get(id).copied().unwrap_or(Mark::New) {
            Mark::Done => return None,
            Mark::Open => {
                let start = path.iter().position(|p| *p == id).unwrap_or(0);
                let mut cycle: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
                cycle.push(id.to_string());
                return Some(cycle);
            }
            Mark::New => {}
        }
        marks.insert(id, Mark::Open);
        path.push(id);
        if let Some(a) = by_id.get(id) {
            for dep in &a.def.depends_on {
                if let Some(d) = by_id.get(dep.as_str())
                    && let Some(c) = visit(&d.def.id, by_id, marks, path)
                {
                    return Some(c);
                }
            }
        }
        path.pop();
        marks.insert(id, Mark::Done);
        None
    }
    let mut marks = HashMap::new();
    for a in actions {
        let mut path = Vec::new();
        if let Some(c) = visit(&a.def.id, by_id, &mut marks, &mut path) {
            return Some(c);
        }
    }
    None
}
