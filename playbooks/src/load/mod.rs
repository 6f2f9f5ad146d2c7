//! Reading the model files and turning them into a validated
//! [`HandlingModel`]. Each file has its own module (`phases`, `roles`) that
//! knows its raw TOML shape and its rules; `source` maps byte offsets to the
//! line and key a person editing the file needs to see.

mod actions;
mod attack_models;
mod check;
mod containment;
mod detectors;
mod error;
mod links;
mod log_sources;
mod phases;
mod prevention;
mod roles;
mod severity;
mod source;
#[cfg(test)]
mod tests;

use std::io::ErrorKind;
use std::path::Path;

use sha2::{Digest, Sha256};

pub use error::{Issue, PlaybookError};

use crate::HandlingModel;
use source::Source;

const PHASES_FILE: &str = "phases.toml";
const ROLES_FILE: &str = "roles.toml";
const ACTIONS_FILE: &str = "actions.toml";
const SEVERITY_FILE: &str = "severity.toml";
const CONTAINMENT_FILE: &str = "containment.toml";
const LOG_SOURCES_FILE: &str = "log_sources.toml";
const PREVENTION_FILE: &str = "prevention.toml";
const ATTACK_MODELS_FILE: &str = "attack_models.toml";
const DETECTORS_FILE: &str = "detectors.toml";

/// The files that make up the model. A new kind of data is a new entry here.
const MODEL_FILES: [&str; 15] = [
    ACTIONS_FILE,
    ATTACK_MODELS_FILE,
    CONTAINMENT_FILE,
    DETECTORS_FILE,
    "kinds/denial_of_service.toml",
    "kinds/information_leak.toml",
    "kinds/malware_infection.toml",
    "kinds/targeted_email.toml",
    "kinds/unauthorised_access.toml",
    "kinds/website_defacement.toml",
    LOG_SOURCES_FILE,
    PHASES_FILE,
    PREVENTION_FILE,
    ROLES_FILE,
    SEVERITY_FILE,
];

const BUILTIN: [(&str, &str); 15] = [
    (ACTIONS_FILE, include_str!("../../model/actions.toml")),
    (
        ATTACK_MODELS_FILE,
        include_str!("../../model/attack_models.toml"),
    ),
    (
        CONTAINMENT_FILE,
        include_str!("../../model/containment.toml"),
    ),
    (DETECTORS_FILE, include_str!("../../model/detectors.toml")),
    (
        "kinds/denial_of_service.toml",
        include_str!("../../model/kinds/denial_of_service.toml"),
    ),
    (
        "kinds/information_leak.toml",
        include_str!("../../model/kinds/information_leak.toml"),
    ),
    (
        "kinds/malware_infection.toml",
        include_str!("../../model/kinds/malware_infection.toml"),
    ),
    (
        "kinds/targeted_email.toml",
        include_str!("../../model/kinds/targeted_email.toml"),
    ),
    (
        "kinds/unauthorised_access.toml",
        include_str!("../../model/kinds/unauthorised_access.toml"),
    ),
    (
        "kinds/website_defacement.toml",
        include_str!("../../model/kinds/website_defacement.toml"),
    ),
    (
        LOG_SOURCES_FILE,
        include_str!("../../model/log_sources.toml"),
    ),
    (PHASES_FILE, include_str!("../../model/phases.toml")),
    (PREVENTION_FILE, include_str!("../../model/prevention.toml")),
    (ROLES_FILE, include_str!("../../model/roles.toml")),
    (SEVERITY_FILE, include_str!("../../model/severity.toml")),
];

/// The built-in model files as (file name, contents), so a CLI can write them
/// out as the starting point for an organisation's own playbooks.
pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
    &BUILTIN
}

impl HandlingModel {
    /// The model shipped with Hikeshi.
    ///
    /// # Panics
    /// If the embedded files are invalid. That is a bug in this crate, caught
    /// by its tests, never something a user's input can cause.
    pub fn builtin() -> HandlingModel {
        Self::from_files(builtin_files())
            .unwrap_or_else(|e| panic!("the built-in playbooks are invalid:\n{e}"))
    }

    /// Reads and validates an organisation's playbook directory: the same
    /// files as `model/` in this crate. Other files in it are ignored.
    pub fn load_dir(dir: &Path) -> Result<HandlingModel, PlaybookError> {
        let dir_error = |error| PlaybookError::Directory {
            path: dir.to_path_buf(),
            error,
        };
        let meta = std::fs::metadata(dir).map_err(dir_error)?;
        if !meta.is_dir() {
            return Err(dir_error(ErrorKind::NotADirectory.into()));
        }
        let mut files = Vec::with_capacity(MODEL_FILES.len());
        for name in MODEL_FILES {
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(text) => files.push((name, text)),
                Err(e) if e.kind() == ErrorKind::NotFound => {
                    return Err(PlaybookError::MissingFile { path });
                }
                Err(error) => return Err(PlaybookError::Read { path, error }),
            }
        }
        let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
        Self::from_files(&files)
    }

    /// Validates the model from (file name, contents) pairs, wherever they
    /// came from. Names that are not model files are ignored.
    pub fn from_files(files: &[(&str, &str)]) -> Result<HandlingModel, PlaybookError> {
        let text_of = |name: &str| {
            files
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| *t)
                .ok_or_else(|| PlaybookError::MissingFile { path: name.into() })
        };
        let mut issues = Vec::new();
        let phases = phases::read(
            &Source::new(PHASES_FILE, text_of(PHASES_FILE)?),
            &mut issues,
        );
        let roles = roles::read(&Source::new(ROLES_FILE, text_of(ROLES_FILE)?), &mut issues);
        let severities = severity::read(
            &Source::new(SEVERITY_FILE, text_of(SEVERITY_FILE)?),
            &mut issues,
        );
        let measures = containment::read(
            &Source::new(CONTAINMENT_FILE, text_of(CONTAINMENT_FILE)?),
            &mut issues,
        );
        let before = issues.len();
        let (log_sources, preservation_margin_days) = log_sources::read(
            &Source::new(LOG_SOURCES_FILE, text_of(LOG_SOURCES_FILE)?),
            &mut issues,
        );
        let prevention = prevention::read(
            &Source::new(PREVENTION_FILE, text_of(PREVENTION_FILE)?),
            &mut issues,
        );
        let attack_models = attack_models::read(
            &Source::new(ATTACK_MODELS_FILE, text_of(ATTACK_MODELS_FILE)?),
            &mut issues,
        );
        // A broken log-source file is reported once, not again as unknown
        // sources of every detector.
        let source_ids: Option<Vec<&str>> =
            (issues.len() == before).then(|| log_sources.iter().map(|s| s.id.as_str()).collect());
        let (detectors, thresholds) = detectors::read(
            &Source::new(DETECTORS_FILE, text_of(DETECTORS_FILE)?),
            source_ids.as_deref(),
            &mut issues,
        );
        let mut located = actions::read_matrix(
            &Source::new(ACTIONS_FILE, text_of(ACTIONS_FILE)?),
            &mut issues,
        );
        let mut kinds = Vec::new();
        for kind in crate::KIND_IDS.iter().filter(|k| **k != "other") {
            let name = format!("kinds/{kind}.toml");
            let (def, tasks) =
                actions::read_kind(&Source::new(&name, text_of(&name)?), kind, &mut issues);
            kinds.extend(def);
            located.extend(tasks);
        }
        links::check(&located, &mut issues);
        if !issues.is_empty() {
            // Stable sort: issues on one line keep the order they were found in.
            issues.sort_by(|a: &Issue, b: &Issue| (&a.file, a.line).cmp(&(&b.file, b.line)));
            return Err(PlaybookError::Invalid(issues));
        }
        let mut hasher = Sha256::new();
        for name in MODEL_FILES {
            let text = text_of(name)?;
            // Length prefixes keep ("ab", "c") and ("a", "bc") apart.
            for part in [name, text] {
                hasher.update((part.len() as u64).to_le_bytes());
                hasher.update(part.as_bytes());
            }
        }
        let content_hash = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(HandlingModel {
            phases,
            roles,
            actions: located.into_iter().map(|a| a.def).collect(),
            kinds,
            severities,
            measures,
            log_sources,
            preservation_margin_days,
            prevention,
            attack_models,
            detectors,
            thresholds,
            content_hash,
        })
    }
}
