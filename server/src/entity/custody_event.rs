use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "custody_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub evidence_id: Uuid,
    pub seq: i32,
    pub kind: String,
    pub actor_id: Option<Uuid>,
    pub at: DateTimeUtc,
    pub from_party: String,
    pub to_party: String,
    pub reason: String,
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
