//! `detectors.toml`: the log-triage detectors (what each looks for, in
//! which log source, after which rule of seed 001) and the numeric
//! parameters they use, with their built-in values.

use serde::Deserialize;
use toml::Spanned;

use super::Issue;
use super::check::{self, RawLabel};
use super::log_sources::all_known;
use super::source::Source;
use crate::{DETECTION_DECLARATIONS, DetectorDef, ThresholdDef};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    detector: Vec<Spanned<RawDetector>>,
    #[serde(default)]
    threshold: Vec<Spanned<RawThreshold>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDetector {
    id: Option<Spanned<String>>,
    source: Option<Spanned<String>>,
    name: Option<Spanned<RawLabel>>,
    rule: Option<Spanned<RawLabel>>,
    cite: Option<Spanned<String>>,
    #[serde(default)]
    parameters: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThreshold {
    id: Option<Spanned<String>>,
    value: Option<Spanned<toml::Value>>,
    name: Option<Spanned<RawLabel>>,
}

/// The detectors in file order and the thresholds. `sources` are the log
/// source ids of `log_sources.toml`, when that file was valid.
pub(super) fn read(
    src: &Source,
    sources: Option<&[&str]>,
    issues: &mut Vec<Issue>,
) -> (Vec<DetectorDef>, Vec<ThresholdDef>) {
    let Some(file) = src.deserialize::<RawFile>(issues) else {
        return (Vec::new(), Vec::new());
    };
    let mut thresholds: Vec<ThresholdDef> = Vec::new();
    for (n, raw) in file.threshold.iter().enumerate() {
        let key = format!("threshold[{n}]");
        let t = raw.get_ref();
        let id = check::required(src, &t.id, &raw.span(), &format!("{key}.id"), issues);
        if !id.is_empty() && thresholds.iter().any(|d| d.id == id) {
            issues.push(src.issue(raw.span(), &format!("{key}.id"), "duplicate threshold id"));
        }
        let value = match t.value.as_ref().map(|v| (v.span(), v.get_ref())) {
            Some((_, toml::Value::Integer(i))) if *i >= 0 => i.to_string(),
            Some((_, toml::Value::Float(f))) if f.is_finite() && *f >= 0.0 => f.to_string(),
            Some((span, _)) => {
                issues.push(src.issue(span, &format!("{key}.value"), "must be a number ≥ 0"));
                String::new()
            }
            None => {
                issues.push(src.issue(raw.span(), &format!("{key}.value"), "missing"));
                String::new()
            }
        };
        let name = check::label(
            src,
            t.name.as_ref(),
            &raw.span(),
            &format!("{key}.name"),
            issues,
        );
        thresholds.push(ThresholdDef { id, value, name });
    }
    let mut known: Vec<&str> = DETECTION_DECLARATIONS.to_vec();
    known.extend(thresholds.iter().map(|t| t.id.as_str()));
    let mut detectors: Vec<DetectorDef> = Vec::new();
    for (n, raw) in file.detector.iter().enumerate() {
        let key = format!("detector[{n}]");
        let header = raw.span();
        let d = raw.get_ref();
        let id = check::required(src, &d.id, &header, &format!("{key}.id"), issues);
        if !id.is_empty() && detectors.iter().any(|x| x.id == id) {
            issues.push(src.issue(
                header.clone(),
                &format!("{key}.id"),
                "duplicate detector id",
            ));
        }
        let source = match &d.source {
            Some(s) => {
                let known = sources.is_none_or(|ids| ids.contains(&s.get_ref().as_str()));
                if !known {
                    issues.push(src.issue(
                        s.span(),
                        &format!("{key}.source"),
                        format!("unknown log source `{}` (log_sources.toml)", s.get_ref()),
                    ));
                }
                s.get_ref().clone()
            }
            None => {
                issues.push(src.issue(header.clone(), &format!("{key}.source"), "missing"));
                String::new()
            }
        };
        let name = check::label(
            src,
            d.name.as_ref(),
            &header,
            &format!("{key}.name"),
            issues,
        );
        let rule = check::label(
            src,
            d.rule.as_ref(),
            &header,
            &format!("{key}.rule"),
            issues,
        );
        let cite = check::required(src, &d.cite, &header, &format!("{key}.cite"), issues);
        let parameters = all_known(
            src,
            &d.parameters,
            &format!("{key}.parameters"),
            &known,
            issues,
        );
        detectors.push(DetectorDef {
            id,
            source,
            name,
            rule,
            cite,
            parameters,
        });
    }
    (detectors, thresholds)
}
