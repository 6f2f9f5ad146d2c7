use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "observables")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub incident_id: Uuid,
    pub kind: String,
    pub value: String,
    pub match_hash: String,
    pub tlp: String,
    pub pap: String,
    pub is_indicator: bool,
    pub sighted: bool,
    pub confidence: Option<i16>,
    /// Comma separated, lower case.
    pub tags: String,
    pub source: String,
    pub note: String,
    pub phase: String,
    pub first_seen: Option<DateTimeUtc>,
    pub last_seen: Option<DateTimeUtc>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When the officer shared it through the TAXII collections.
    pub shared_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
