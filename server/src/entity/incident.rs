use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incidents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub human_id: String,
    pub year: i32,
    pub seq: i32,
    pub title: String,
    pub observed: String,
    pub noticed_at: DateTimeUtc,
    pub location: String,
    pub discovery: String,
    pub kind: String,
    pub reporter_contact: String,
    pub reporter_id: Uuid,
    pub phase: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub status: String,
    pub close_reason: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
    pub decision: Option<String>,
    pub decision_reason: Option<String>,
    pub severity: Option<String>,
    pub tlp: String,
    /// The attack stages reached (seed 000 ids), comma-separated in stage
    /// order; the column kept its name from when it held one.
    #[sea_orm(column_name = "attack_stage")]
    pub attack_stages: Option<String>,
    pub attack_route: Option<String>,
    pub responder_id: Option<Uuid>,
    pub officer_id: Option<Uuid>,
    /// The playbook version (content hash) the incident was opened under.
    pub playbook_hash: String,
    pub triage_due_at: Option<DateTimeUtc>,
    pub response_due_at: Option<DateTimeUtc>,
    pub triaged_at: Option<DateTimeUtc>,
    pub responded_at: Option<DateTimeUtc>,
    pub prevention_technical: Option<String>,
    pub prevention_operational: Option<String>,
    /// Sequence number and hash of the newest timeline event: the head of the
    /// incident's hash chain.
    pub last_event_seq: i32,
    pub last_event_hash: String,
    /// The suspected attacker type (seed 001): `apt`, `crime`, `hacktivism`.
    pub attacker_type: Option<String>,
    pub triage_breach_mailed_at: Option<DateTimeUtc>,
    pub response_breach_mailed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::ReporterId",
        to = "super::user::Column::Id"
    )]
    Reporter,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Reporter.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
