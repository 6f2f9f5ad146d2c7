use sea_orm::entity::prelude::*;

/// What an incident's timeline says about its handling, for `/metrics`
/// (derived; see `services::metrics`). Times in seconds since 1970.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incident_metrics")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub incident_id: Uuid,
    pub reported_s: i64,
    pub week: i64,
    pub month: i64,
    pub kind: String,
    pub severity: String,
    pub discovery: String,
    pub route: String,
    pub phase: String,
    pub status: String,
    pub lag_s: Option<i64>,
    pub decision_s: Option<i64>,
    pub containment_s: Option<i64>,
    pub prevention_s: Option<i64>,
    pub close_s: Option<i64>,
    pub phase_a_s: i64,
    pub phase_b_s: i64,
    pub phase_c_s: i64,
    pub phase_d_s: i64,
    pub phase_e_s: i64,
    pub phase_f_s: i64,
    pub phase_g_s: i64,
    pub passed: i32,
    pub reopened: i32,
    pub triage_due_s: Option<i64>,
    pub triage_met_s: Option<i64>,
    pub response_due_s: Option<i64>,
    pub response_met_s: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
