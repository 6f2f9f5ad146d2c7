//! Metrics (issue 17), on SQLite: the totals the page groups by period,
//! severity and status, read in that order from an index that holds every
//! column they sum, so SQLite aggregates while it walks the index instead
//! of sorting 100,000 rows first (the sort was most of the page's time).
//! One index per period (week, month). PostgreSQL aggregates by hashing
//! and does not need them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

/// Everything the totals read, after the grouping columns.
const SUMMED: &str = "kind, reported_s, lag_s, decision_s, containment_s, prevention_s, \
    close_s, phase_a_s, phase_b_s, phase_c_s, phase_d_s, phase_e_s, phase_f_s, phase_g_s, \
    passed, reopened, triage_due_s, triage_met_s, response_due_s, response_met_s";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DatabaseBackend::Sqlite {
            return Ok(());
        }
        let db = m.get_connection();
        for period in ["week", "month"] {
            db.execute_unprepared(&format!(
                "CREATE INDEX idx_incident_metrics_{period}_sums \
                 ON incident_metrics ({period}, severity, status, {SUMMED})"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DatabaseBackend::Sqlite {
            return Ok(());
        }
        for period in ["week", "month"] {
            m.get_connection()
                .execute_unprepared(&format!("DROP INDEX idx_incident_metrics_{period}_sums"))
                .await?;
        }
        Ok(())
    }
}
