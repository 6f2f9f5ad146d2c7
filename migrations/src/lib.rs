//! Schema migrations. Every migration runs unchanged on SQLite (the embedded
//! default) and PostgreSQL (production): string-backed enums instead of
//! `CREATE TYPE`, foreign keys declared inside `create_table` (SQLite cannot add
//! them later), and UTC timestamps everywhere.

pub use sea_orm_migration::prelude::*;

mod m0001_accounts;
mod m0002_incidents;
mod m0003_workflow;
mod m0004_containment;
mod m0005_evidence;
mod m0006_mail;
mod m0007_external;
mod m0008_throttle;
mod m0009_integrity;
mod m0010_observables;
mod m0011_intel;
mod m0012_campaigns_taxii;
mod m0013_fidelity;
mod m0014_triage;
mod m0015_detection;
mod m0016_metrics;
mod m0017_reports;
mod m0018_metric_sums;
mod m0019_incident_list;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_accounts::Migration),
            Box::new(m0002_incidents::Migration),
            Box::new(m0003_workflow::Migration),
            Box::new(m0004_containment::Migration),
            Box::new(m0005_evidence::Migration),
            Box::new(m0006_mail::Migration),
            Box::new(m0007_external::Migration),
            Box::new(m0008_throttle::Migration),
            Box::new(m0009_integrity::Migration),
            Box::new(m0010_observables::Migration),
            Box::new(m0011_intel::Migration),
            Box::new(m0012_campaigns_taxii::Migration),
            Box::new(m0013_fidelity::Migration),
            Box::new(m0014_triage::Migration),
            Box::new(m0015_detection::Migration),
            Box::new(m0016_metrics::Migration),
            Box::new(m0017_reports::Migration),
            Box::new(m0018_metric_sums::Migration),
            Box::new(m0019_incident_list::Migration),
        ]
    }
}

/// A foreign key from `table.col` to `to.to_col`, declared inside
/// `create_table` (SQLite cannot add one later).
pub(crate) fn fk(
    table: impl IntoIden + 'static,
    col: impl IntoIden + 'static,
    to: impl IntoIden + 'static,
    to_col: impl IntoIden + 'static,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(to, to_col)
        .on_delete(on_delete)
        .to_owned()
}
