use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tasks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub incident_id: Uuid,
    pub action_id: String,
    pub phase: String,
    pub role: String,
    pub required: bool,
    pub position: i32,
    /// The playbook action as JSON, copied when the incident was opened so
    /// later playbook edits never rewrite it.
    pub definition: String,
    pub status: String,
    pub assignee_id: Option<Uuid>,
    pub output_note: Option<String>,
    pub waive_reason: Option<String>,
    pub done_by: Option<Uuid>,
    pub done_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::incident::Entity",
        from = "Column::IncidentId",
        to = "super::incident::Column::Id"
    )]
    Incident,
}

impl Related<super::incident::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Incident.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
