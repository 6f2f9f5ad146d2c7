use sea_orm::entity::prelude::*;

/// One analysis of an evidence item by the log-triage parsers and detectors.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "triage_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub incident_id: Uuid,
    pub evidence_id: Uuid,
    pub status: String,
    pub format: Option<String>,
    pub bytes_total: i64,
    pub bytes_done: i64,
    pub summary: String,
    pub findings: i32,
    pub error: Option<String>,
    pub started_by: Uuid,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
