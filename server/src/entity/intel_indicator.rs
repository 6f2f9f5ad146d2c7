use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "intel_indicators")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub stix_id: String,
    pub name: String,
    pub pattern: String,
    pub pattern_type: String,
    pub valid_from: DateTimeUtc,
    pub valid_until: Option<DateTimeUtc>,
    pub source: String,
    pub automatic: bool,
    pub unread: String,
    pub imported_by: Uuid,
    pub imported_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
