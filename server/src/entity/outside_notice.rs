use sea_orm::entity::prelude::*;

/// Who notified us from outside (seed 001 §5): recorded with the report, or
/// sent through the public notification form.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outside_notices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub incident_id: Uuid,
    pub via: String,
    pub organisation: String,
    pub person: String,
    pub contact: String,
    pub their_reference: String,
    #[sea_orm(unique)]
    pub reference: String,
    pub source_bucket: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
