use sea_orm::entity::prelude::*;

/// A report generated from a template (see `services::reports`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub incident_id: Uuid,
    pub version: i32,
    pub template: String,
    pub lang: String,
    pub format: String,
    pub audience: String,
    pub sha256: String,
    pub manifest: String,
    pub body: Vec<u8>,
    pub generated_by: Uuid,
    pub generated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
