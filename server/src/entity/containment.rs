use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "containments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub incident_id: Uuid,
    pub measure_id: String,
    pub definition: String,
    pub target_type: String,
    pub target: String,
    pub asset_id: Option<Uuid>,
    pub status: String,
    pub reason: String,
    pub expected_effect: String,
    pub proposed_by: Uuid,
    pub proposed_at: DateTimeUtc,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_note: Option<String>,
    pub emergency: bool,
    pub evidence_confirmed: bool,
    pub executed_by: Option<Uuid>,
    pub executed_at: Option<DateTimeUtc>,
    pub execution_note: Option<String>,
    pub verified_by: Option<Uuid>,
    pub verified_at: Option<DateTimeUtc>,
    pub effective: Option<bool>,
    pub verification_note: Option<String>,
    pub ended_by: Option<Uuid>,
    pub ended_at: Option<DateTimeUtc>,
    pub end_note: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
