use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "engagements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub incident_id: Uuid,
    pub organisation_id: Uuid,
    /// Phase ids, comma-separated (`e,f`).
    pub phases: String,
    pub see_evidence: bool,
    /// Evidence ids, comma-separated; empty means every item.
    pub evidence_items: String,
    pub see_containment: bool,
    pub see_timeline: bool,
    pub starts_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub granted_by: Uuid,
    pub created_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoked_by: Option<Uuid>,
    pub revoke_reason: Option<String>,
    pub expiry_mailed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
