//! `attack_models.toml`: the models of an attack's stages. The first is
//! seed 000's six stages, the ones an incident records (its stage ids are
//! [`ATTACK_STAGE_IDS`], in order); the others are named alternatives whose
//! stages say which recorded stages they correspond to.

use serde::Deserialize;
use toml::Spanned;

use super::Issue;
use super::check::{self, RawLabel};
use super::log_sources::all_known;
use super::source::Source;
use crate::{ATTACK_STAGE_IDS, AttackModelDef, AttackModelStage};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    model: Vec<Spanned<RawModel>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    id: Option<Spanned<String>>,
    name: Option<Spanned<RawLabel>>,
    cite: Option<Spanned<String>>,
    #[serde(default)]
    stage: Vec<Spanned<RawStage>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    id: Option<Spanned<String>>,
    name: Option<Spanned<RawLabel>>,
    covers: Option<Vec<Spanned<String>>>,
}

pub(super) fn read(src: &Source, issues: &mut Vec<Issue>) -> Vec<AttackModelDef> {
    let Some(file) = src.deserialize::<RawFile>(issues) else {
        return Vec::new();
    };
    let mut models = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    for (n, raw) in file.model.iter().enumerate() {
        let key = format!("model[{n}]");
        let header = raw.span();
        let m = raw.get_ref();
        let before = issues.len();
        let id = check::required(src, &m.id, &header, &format!("{key}.id"), issues);
        if !id.is_empty() && ids.contains(&id) {
            issues.push(src.issue(header.clone(), &format!("{key}.id"), "duplicate model id"));
        }
        ids.push(id.clone());
        let name = check::label(
            src,
            m.name.as_ref(),
            &header,
            &format!("{key}.name"),
            issues,
        );
        let cite = check::required(src, &m.cite, &header, &format!("{key}.cite"), issues);
        let mut stages = Vec::new();
        for (i, s) in m.stage.iter().enumerate() {
            let skey = format!("{key}.stage[{i}]");
            let r = s.get_ref();
            let sid = check::required(src, &r.id, &s.span(), &format!("{skey}.id"), issues);
            let sname = check::label(
                src,
                r.name.as_ref(),
                &s.span(),
                &format!("{skey}.name"),
                issues,
            );
            let covers = match (&r.covers, n) {
                // The recorded model's stages cover themselves.
                (None, 0) => vec![sid.clone()],
                (Some(_), 0) => {
                    issues.push(src.issue(
                        s.span(),
                        &format!("{skey}.covers"),
                        "the first model is the one recorded: its stages cover themselves",
                    ));
                    Vec::new()
                }
                (None, _) => {
                    issues.push(src.issue(
                        s.span(),
                        &format!("{skey}.covers"),
                        "missing: the recorded stages this one corresponds to ([] for none)",
                    ));
                    Vec::new()
                }
                (Some(c), _) => {
                    all_known(src, c, &format!("{skey}.covers"), &ATTACK_STAGE_IDS, issues)
                }
            };
            stages.push(AttackModelStage {
                id: sid,
                name: sname,
                covers,
            });
        }
        if n == 0 {
            let got: Vec<&str> = stages.iter().map(|s| s.id.as_str()).collect();
            if got != ATTACK_STAGE_IDS {
                issues.push(src.issue(
                    header.clone(),
                    &format!("{key}.stage"),
                    format!(
                        "the first model's stages must be, in order: {}",
                        ATTACK_STAGE_IDS.join(", ")
                    ),
                ));
            }
        } else if stages.is_empty() {
            issues.push(src.issue(header.clone(), &format!("{key}.stage"), "list its stages"));
        }
        if issues.len() == before {
            models.push(AttackModelDef {
                id,
                name,
                cite,
                stages,
            });
        }
    }
    if file.model.is_empty() {
        issues.push(src.issue(0..0, "model", "list at least seed 000's model"));
    }
    models
}
