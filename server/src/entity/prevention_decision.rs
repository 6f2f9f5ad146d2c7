use sea_orm::entity::prelude::*;

/// The decision on one recurrence-prevention measure of an incident's
/// phase-G checklist.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "prevention_decisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub incident_id: Uuid,
    pub prevention_id: String,
    pub decision: String,
    pub reason: String,
    pub owner_id: Option<Uuid>,
    pub due_on: Option<Date>,
    pub decided_by: Uuid,
    pub decided_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
