//! One model file's text, and the way from a byte offset in it to what a
//! person editing the file needs: the line number and the key.

use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::Issue;

pub(super) struct Source<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

impl<'a> Source<'a> {
    pub fn new(name: &'a str, text: &'a str) -> Self {
        Source { name, text }
    }

    /// 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    pub fn issue(&self, span: Range<usize>, key: &str, message: impl Into<String>) -> Issue {
        Issue {
            file: self.name.to_string(),
            line: self.line(span.start),
            key: key.to_string(),
            message: message.into(),
        }
    }

    /// Parses the file into its raw shape. Syntax errors (all of them) and
    /// shape errors (the first: serde stops there) become issues; the caller
    /// then checks the content only if this returns `Some`.
    pub fn deserialize<T: DeserializeOwned>(&self, issues: &mut Vec<Issue>) -> Option<T> {
        let (tree, syntax) = DeTable::parse_recoverable(self.text);
        let mut keys = Vec::new();
        flatten(tree.get_ref(), "", &mut keys);
        let mut report = |span: Option<Range<usize>>, message: String| {
            let span = span.unwrap_or(0..0);
            let key = key_at(self.text, &keys, &span);
            issues.push(self.issue(span, &key, message));
        };
        if !syntax.is_empty() {
            for e in syntax {
                report(e.span(), format!("TOML syntax error: {}", e.message()));
            }
            return None;
        }
        match toml::from_str(self.text) {
            Ok(value) => Some(value),
            Err(e) => {
                report(e.span(), e.message().to_string());
                None
            }
        }
    }
}

/// A key or array item in the file with its dotted path (`role[2].name.ja`),
/// the bytes of its key and the bytes from its key to the end of its value.
struct Located {
    path: String,
    key: Option<Range<usize>>,
    span: Range<usize>,
}

fn flatten(table: &DeTable<'_>, prefix: &str, out: &mut Vec<Located>) {
    for (key, value) in table.iter() {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        let (k, v) = (key.span(), value.span());
        out.push(Located {
            path: path.clone(),
            span: k.start.min(v.start)..k.end.max(v.end),
            key: Some(k),
        });
        flatten_value(value, &path, out);
    }
}

fn flatten_value(value: &Spanned<DeValue<'_>>, path: &str, out: &mut Vec<Located>) {
    match value.get_ref() {
        DeValue::Table(table) => flatten(table, path, out),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let path = format!("{path}[{i}]");
                out.push(Located {
                    path: path.clone(),
                    key: None,
                    span: item.span(),
                });
                flatten_value(item, &path, out);
            }
        }
        _ => {}
    }
}

/// The key an error at `span` is about: the key itself when the error
/// points at one (an unknown field); else the innermost key around it (an
/// error just past a value still belongs to it); else a key earlier on the
/// same line. A broken line may hold no key the parser could recover: then
/// the key as written on that line, within the `[[table]]` entry it is in.
fn key_at(text: &str, keys: &[Located], span: &Range<usize>) -> String {
    let offset = span.start.min(text.len());
    let line_start = text.as_bytes()[..offset]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let exact = || keys.iter().find(|k| k.key.as_ref() == Some(span));
    let around = || {
        keys.iter()
            .filter(|k| k.span.start <= offset && offset <= k.span.end)
            .min_by_key(|k| (k.span.len(), usize::MAX - k.path.len()))
    };
    let on_this_line = || {
        keys.iter()
            .filter(|k| line_start <= k.span.start && k.span.start <= offset)
            .max_by_key(|k| (k.span.start, k.path.len()))
    };
    if let Some(k) = exact().or_else(around).or_else(on_this_line) {
        return k.path.clone();
    }
    let entry = keys
        .iter()
        .filter(|k| k.key.is_none() && k.span.start <= offset)
        .max_by_key(|k| k.span.start)
        .map(|k| k.path.as_str());
    let line = text[line_start..].lines().next().unwrap_or("");
    match (entry, written_key(line)) {
        (Some(entry), Some(key)) => format!("{entry}.{key}"),
        (Some(entry), None) => entry.to_string(),
        (None, Some(key)) => key.to_string(),
        (None, None) => "(top level)".to_string(),
    }
}

/// The bare or dotted key a `key = value` line starts with, if it has one.
fn written_key(line: &str) -> Option<&str> {
    let line = line.trim_start();
    let end = line
        .find(|c: char| c == '=' || c.is_whitespace())
        .unwrap_or(line.len());
    let key = &line[..end];
    let bare = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    (!key.is_empty() && key.chars().all(bare)).then_some(key)
}
