//! Errors from loading the model. Policy: the reader of these is the person
//! who edited the playbook files (or an administrator starting the server),
//! so every content problem is an [`Issue`] that names the file, the line and
//! the key, and all issues found are reported together so one edit-and-retry
//! cycle fixes as many as possible. Problems with the directory or a file as
//! a whole (missing, unreadable) are variants of their own naming the path.

use std::fmt;
use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum PlaybookError {
    /// The playbook directory does not exist, is not a directory or cannot
    /// be read.
    #[error("cannot read the playbook directory {}: {error}", path.display())]
    Directory { path: PathBuf, error: io::Error },
    /// A model file (e.g. `roles.toml`) is not there.
    #[error("{}: model file is missing", path.display())]
    MissingFile { path: PathBuf },
    /// A model file is there but cannot be read (permissions, not UTF-8).
    #[error("cannot read {}: {error}", path.display())]
    Read { path: PathBuf, error: io::Error },
    /// The files were read, but their content is wrong; one issue per line.
    #[error("{}", one_per_line(.0))]
    Invalid(Vec<Issue>),
}

/// One problem in a model file, printed as
/// `roles.toml:14: role[3].name.ja: missing Japanese text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// The file name within the playbook directory, e.g. `roles.toml`.
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// Dotted path of the key; array items are counted from 0 in file order
    /// (`role[0]` is the first `[[role]]`).
    pub key: String,
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.key, self.message
        )
    }
}

fn one_per_line(issues: &[Issue]) -> String {
    issues
        .iter()
        .map(Issue::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
