use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evidence")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub incident_id: Uuid,
    pub kind: String,
    pub description: String,
    pub file_name: String,
    pub media_type: String,
    pub sha256: String,
    pub size: i64,
    pub source_host: String,
    pub acquired_how: String,
    pub acquired_by: String,
    pub acquired_at: DateTimeUtc,
    pub uploaded_by: Uuid,
    pub uploaded_at: DateTimeUtc,
    pub checklist_item_id: Option<Uuid>,
    pub integrity: String,
    pub verified_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
