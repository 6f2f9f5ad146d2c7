//! The handling model as the pages show it: phases and roles with their
//! Japanese and English names, from the playbooks the server loaded.

use playbooks::{Label, LogSourceDef, MeasureDef, PhaseDef, RoleDef, SeverityDef};
use serde::{Deserialize, Serialize};

use crate::domain::{Phase, Role};
use crate::i18n::Lang;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelView {
    pub phases: Vec<PhaseDef>,
    pub roles: Vec<RoleDef>,
    pub severities: Vec<SeverityDef>,
}

/// The catalogues only some forms choose from (the containment measures,
/// the log sources): fetched by those forms, not sent with every page as
/// the model is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    pub measures: Vec<MeasureDef>,
    pub log_sources: Vec<LogSourceDef>,
}

impl Catalogue {
    pub fn measure(&self, id: &str) -> Option<&MeasureDef> {
        self.measures.iter().find(|m| m.id == id)
    }
}

/// The model as the pages hold it: one copy per page, shared by every
/// component that reads it (serialised for hydration as the model itself).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SharedModel(pub std::sync::Arc<ModelView>);

impl std::ops::Deref for SharedModel {
    type Target = ModelView;
    fn deref(&self) -> &ModelView {
        &self.0
    }
}

impl Serialize for SharedModel {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for SharedModel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ModelView::deserialize(d).map(|m| SharedModel(std::sync::Arc::new(m)))
    }
}

impl ModelView {
    pub fn phase_name(&self, lang: Lang, phase: Phase) -> String {
        self.phases
            .iter()
            .find(|p| p.id == phase.id())
            .map(|p| label(lang, &p.name))
            .unwrap_or_else(|| phase.id().to_string())
    }

    pub fn phase_purpose(&self, lang: Lang, phase: Phase) -> String {
        self.phases
            .iter()
            .find(|p| p.id == phase.id())
            .map(|p| label(lang, &p.purpose))
            .unwrap_or_default()
    }

    pub fn role_name(&self, lang: Lang, role: Role) -> String {
        if role == Role::Admin {
            return lang.pick("Administrator", "システム管理者").to_string();
        }
        self.roles
            .iter()
            .find(|r| r.id == role.id())
            .map(|r| label(lang, &r.name))
            .unwrap_or_else(|| role.id().to_string())
    }
}

impl ModelView {
    pub fn severity(&self, id: &str) -> Option<&SeverityDef> {
        self.severities.iter().find(|s| s.id == id)
    }
}

pub fn label(lang: Lang, l: &Label) -> String {
    l.get(lang.code()).to_string()
}
