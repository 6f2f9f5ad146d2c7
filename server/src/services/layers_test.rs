//! The services import each other without a circle: read off the `use`
//! lines of the files themselves, so a new file or import is checked too.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The sibling services a source text names, as `super::x`, `super::{x, y}`
/// (from a file directly in `services/`) or `crate::services::x`.
fn named(src: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = src;
    while let Some(at) = rest.find(prefix) {
        let after = &rest[at + prefix.len()..];
        if let Some(group) = after.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.insert(name);
            }
        } else {
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.insert(name);
        }
        rest = after;
    }
    out
}

/// Module → the sibling modules it imports.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/services");
    let mut modules: BTreeMap<String, Vec<(String, bool)>> = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("services dir") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            for inner in std::fs::read_dir(&path).expect("module dir") {
                let inner = inner.expect("entry").path();
                let is_mod = inner.file_stem().is_some_and(|s| s == "mod");
                let src = std::fs::read_to_string(&inner).expect("source");
                modules.entry(name.clone()).or_default().push((src, is_mod));
            }
        } else if name != "mod" && !name.ends_with("_test") {
            let src = std::fs::read_to_string(&path).expect("source");
            modules.entry(name).or_default().push((src, true));
        }
    }
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(name, files)| {
            let mut deps = BTreeSet::new();
            for (src, top) in files {
                // From `services/x.rs` or `services/x/mod.rs`, `super::` is
                // `services`; from `services/x/y.rs` it is `x` itself.
                if *top {
                    deps.extend(named(src, "super::"));
                } else {
                    deps.extend(named(src, "super::super::"));
                }
                deps.extend(named(src, "crate::services::"));
            }
            deps.retain(|d| known.contains(d) && d != name);
            (name.clone(), deps)
        })
        .collect()
}

#[test]
fn the_services_import_each_other_without_a_circle() {
    let g = graph();
    assert!(
        g.contains_key("kernel") && g.contains_key("dispatch"),
        "{g:?}"
    );
    // Depth-first, with the path so far: a module met again on it closes a
    // circle.
    fn visit(
        g: &BTreeMap<String, BTreeSet<String>>,
        at: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if let Some(pos) = path.iter().position(|p| p == at) {
            panic!("import circle: {} → {at}", path[pos..].join(" → "));
        }
        if !done.insert(at.to_string()) {
            return;
        }
        path.push(at.to_string());
        for d in &g[at] {
            visit(g, d, path, done);
        }
        path.pop();
    }
    let mut done = BTreeSet::new();
    for m in g.keys() {
        visit(&g, m, &mut Vec::new(), &mut done);
    }
}

#[test]
fn the_kernel_and_the_error_stand_on_nothing_but_the_timeline() {
    let g = graph();
    assert!(g["error"].is_empty(), "{:?}", g["error"]);
    let allowed: BTreeSet<String> = ["error", "timeline"].map(String::from).into();
    assert!(g["kernel"].is_subset(&allowed), "{:?}", g["kernel"]);
}

#[test]
fn the_circle_check_sees_grouped_and_nested_imports() {
    assert_eq!(
        named(
            "use super::{audit, error::ServiceError, kernel::{event}};",
            "super::"
        ),
        ["audit", "error", "kernel"].map(String::from).into()
    );
    assert_eq!(
        named(
            "x = super::timeline::lock(); use crate::services::evidence;",
            "super::"
        ),
        ["timeline"].map(String::from).into()
    );
}
