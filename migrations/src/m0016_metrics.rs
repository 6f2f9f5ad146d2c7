//! Metrics (issue 17): one row per incident of what its timeline says about
//! its handling — the KPI durations, the time in each phase, the time
//! targets — with the values the page groups by, kept current by every
//! timeline append that moves a milestone. Derived data: it can be dropped
//! and rebuilt from the timeline (`services::metrics::backfill`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum IncidentMetrics {
    Table,
    IncidentId,
    /// The report time, seconds since 1970 (UTC): the period filter.
    ReportedS,
    /// The Monday of the report's week, as days since 1970.
    Week,
    /// The report's month, `yyyymm`.
    Month,
    Kind,
    Severity,
    Discovery,
    Route,
    Phase,
    Status,
    /// The KPIs in seconds (`app::domain::metrics::Kpi` order); null where
    /// the incident has not reached both ends.
    LagS,
    DecisionS,
    ContainmentS,
    PreventionS,
    CloseS,
    /// Seconds in each phase over the stays that ended, and whether the
    /// phase was passed at all.
    #[sea_orm(iden = "phase_a_s")]
    PhaseAS,
    #[sea_orm(iden = "phase_b_s")]
    PhaseBS,
    #[sea_orm(iden = "phase_c_s")]
    PhaseCS,
    #[sea_orm(iden = "phase_d_s")]
    PhaseDS,
    #[sea_orm(iden = "phase_e_s")]
    PhaseES,
    #[sea_orm(iden = "phase_f_s")]
    PhaseFS,
    #[sea_orm(iden = "phase_g_s")]
    PhaseGS,
    /// Bit i: phase i (A = 0) was left at least once.
    Passed,
    Reopened,
    /// The time targets (seconds since 1970): when due, when met.
    TriageDueS,
    TriageMetS,
    ResponseDueS,
    ResponseMetS,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use IncidentMetrics as M;
        let mut t = Table::create();
        t.table(M::Table)
            .col(uuid(M::IncidentId).primary_key())
            .col(big_integer(M::ReportedS))
            .col(big_integer(M::Week))
            .col(big_integer(M::Month))
            .col(string_len(M::Kind, 40))
            .col(string_len(M::Severity, 20))
            .col(string_len(M::Discovery, 40))
            .col(string_len(M::Route, 40))
            .col(string_len(M::Phase, 2))
            .col(string_len(M::Status, 10));
        for c in [
            M::LagS,
            M::DecisionS,
            M::ContainmentS,
            M::PreventionS,
            M::CloseS,
        ] {
            t.col(big_integer_null(c));
        }
        for c in [
            M::PhaseAS,
            M::PhaseBS,
            M::PhaseCS,
            M::PhaseDS,
            M::PhaseES,
            M::PhaseFS,
            M::PhaseGS,
        ] {
            t.col(big_integer(c).default(0));
        }
        t.col(integer(M::Passed).default(0))
            .col(integer(M::Reopened).default(0));
        for c in [
            M::TriageDueS,
            M::TriageMetS,
            M::ResponseDueS,
            M::ResponseMetS,
        ] {
            t.col(big_integer_null(c));
        }
        m.create_table(t.to_owned()).await?;
        m.create_index(
            Index::create()
                .name("idx_incident_metrics_reported")
                .table(M::Table)
                .col(M::ReportedS)
                .to_owned(),
        )
        .await?;
        // The counts by value, answered from this index alone.
        m.create_index(
            Index::create()
                .name("idx_incident_metrics_values")
                .table(M::Table)
                .col(M::Kind)
                .col(M::Severity)
                .col(M::Discovery)
                .col(M::Route)
                .col(M::Phase)
                .col(M::Status)
                .col(M::ReportedS)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(IncidentMetrics::Table).to_owned())
            .await
    }
}
