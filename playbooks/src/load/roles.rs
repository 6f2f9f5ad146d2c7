//! `roles.toml`: the six handling roles (6つのロール).

use serde::Deserialize;
use toml::Spanned;

use super::Issue;
use super::check::{self, Entry, RawLabel};
use super::source::Source;
use crate::{ROLE_IDS, RoleDef};

/// The roles outside the organisation: the specialist works with us under a
/// contract (契約に基づいた連携), the ISP under its terms of service
/// (約款に基づいた連携). Access rules depend on this, so an edited file may
/// state it but not change it.
const EXTERNAL: [&str; 2] = ["external_specialist", "isp"];

/// The file as written. Every field is optional here so that each missing
/// one becomes its own issue instead of serde stopping at the first.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    role: Vec<Spanned<RawRole>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRole {
    id: Option<Spanned<String>>,
    name: Option<Spanned<RawLabel>>,
    description: Option<Spanned<RawLabel>>,
    external: Option<Spanned<bool>>,
}

/// The roles in the order of [`ROLE_IDS`], adding to `issues` whatever is
/// wrong.
pub(super) fn read(src: &Source, issues: &mut Vec<Issue>) -> Vec<RoleDef> {
    let Some(file) = src.deserialize::<RawFile>(issues) else {
        return Vec::new();
    };
    let entries: Vec<Entry> = file
        .role
        .iter()
        .map(|r| Entry {
            header: r.span(),
            id: r.get_ref().id.as_ref(),
        })
        .collect();
    let positions = check::ids(src, "role", &ROLE_IDS, &entries, issues);

    let mut roles = Vec::new();
    for (i, (raw, position)) in file.role.iter().zip(positions).enumerate() {
        let key = format!("role[{i}]");
        let header = raw.span();
        let raw = raw.get_ref();
        let name = check::label(
            src,
            raw.name.as_ref(),
            &header,
            &format!("{key}.name"),
            issues,
        );
        let description = check::label(
            src,
            raw.description.as_ref(),
            &header,
            &format!("{key}.description"),
            issues,
        );
        let Some(position) = position else { continue };
        let id = ROLE_IDS[position];
        let expected = EXTERNAL.contains(&id);
        let key = format!("{key}.external");
        match &raw.external {
            None => {
                let message = format!("missing external (true or false; {id} is {expected})");
                issues.push(src.issue(header, &key, message));
            }
            Some(external) if *external.get_ref() != expected => {
                let message = if expected {
                    format!("{id} is an organisation outside ours: external must be true")
                } else {
                    format!("{id} is part of our organisation: external must be false")
                };
                issues.push(src.issue(external.span(), &key, message));
            }
            Some(_) => roles.push((
                position,
                RoleDef {
                    id: id.to_string(),
                    name,
                    description,
                    external: expected,
                },
            )),
        }
    }
    roles.sort_by_key(|(position, _)| *position);
    roles.into_iter().map(|(_, role)| role).collect()
}
