use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "checklist_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub incident_id: Uuid,
    pub log_source_id: Uuid,
    pub source_id: String,
    pub system: String,
    pub window_start: DateTimeUtc,
    pub deadline: DateTimeUtc,
    pub retention_days: i32,
    pub status: String,
    pub evidence_id: Option<Uuid>,
    pub waive_reason: Option<String>,
    pub settled_by: Option<Uuid>,
    pub settled_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub deadline_mailed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
