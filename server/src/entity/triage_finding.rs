use sea_orm::entity::prelude::*;

/// One finding of a triage run; `body` is the finding as JSON.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "triage_findings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub run_id: Uuid,
    pub incident_id: Uuid,
    pub evidence_id: Uuid,
    pub detector: String,
    pub severity: String,
    pub body: String,
    pub status: String,
    pub note: String,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    /// The task opened from this finding.
    pub task_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
