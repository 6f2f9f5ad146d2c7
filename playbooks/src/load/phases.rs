//! `phases.toml`: the seven handling phases (インシデントハンドリングフェーズ).

use serde::Deserialize;
use toml::Spanned;

use super::Issue;
use super::check::{self, Entry, RawLabel};
use super::source::Source;
use crate::{PHASE_IDS, PhaseDef};

/// The file as written. Every field is optional here so that each missing
/// one becomes its own issue instead of serde stopping at the first.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    phase: Vec<Spanned<RawPhase>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhase {
    id: Option<Spanned<String>>,
    order: Option<Spanned<i64>>,
    name: Option<Spanned<RawLabel>>,
    purpose: Option<Spanned<RawLabel>>,
}

/// The phases in order A–G, adding to `issues` whatever is wrong.
pub(super) fn read(src: &Source, issues: &mut Vec<Issue>) -> Vec<PhaseDef> {
    let Some(file) = src.deserialize::<RawFile>(issues) else {
        return Vec::new();
    };
    let entries: Vec<Entry> = file
        .phase
        .iter()
        .map(|p| Entry {
            header: p.span(),
            id: p.get_ref().id.as_ref(),
        })
        .collect();
    let positions = check::ids(src, "phase", &PHASE_IDS, &entries, issues);

    let mut phases = Vec::new();
    for (i, (raw, position)) in file.phase.iter().zip(positions).enumerate() {
        let key = format!("phase[{i}]");
        let header = raw.span();
        let raw = raw.get_ref();
        let name = check::label(
            src,
            raw.name.as_ref(),
            &header,
            &format!("{key}.name"),
            issues,
        );
        let purpose = check::label(
            src,
            raw.purpose.as_ref(),
            &header,
            &format!("{key}.purpose"),
            issues,
        );
        let Some(position) = position else { continue };
        // A is 1 … G is 7: the order is fixed by the model, and writing it
        // down lets a reader of the file see it without counting.
        let expected = position + 1;
        let id = PHASE_IDS[position];
        let key = format!("{key}.order");
        match &raw.order {
            None => issues.push(src.issue(
                header,
                &key,
                format!("missing order (phase {id} is {expected})"),
            )),
            Some(order) if usize::try_from(*order.get_ref()).ok() != Some(expected) => {
                let message = format!(
                    "phase {id} must have order {expected}, not {}",
                    order.get_ref()
                );
                issues.push(src.issue(order.span(), &key, message));
            }
            Some(_) => phases.push(PhaseDef {
                id: id.to_string(),
                order: expected as u8,
                name,
                purpose,
            }),
        }
    }
    phases.sort_by_key(|p| p.order);
    phases
}
