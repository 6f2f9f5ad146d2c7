//! Log triage, second part (issue 13): what the organisation declares for
//! the detectors (its proxies, zones, browsers, business hours, thresholds
//! over the playbook's), and the task a finding was turned into.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum DetectionSettings {
    Table,
    /// Always `organisation`: one set of declarations per installation.
    Id,
    /// The declarations as TOML, as the administrator wrote them (the same
    /// text `hikeshi triage --config` reads).
    Text,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TriageFindings {
    Table,
    /// The task opened from the finding, if any.
    TaskId,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DetectionSettings::Table)
                .col(string_len(DetectionSettings::Id, 32).primary_key())
                .col(text(DetectionSettings::Text))
                .col(uuid_null(DetectionSettings::UpdatedBy))
                .col(timestamp_with_time_zone(DetectionSettings::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(TriageFindings::Table)
                .add_column(uuid_null(TriageFindings::TaskId))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(TriageFindings::Table)
                .drop_column(TriageFindings::TaskId)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(DetectionSettings::Table).to_owned())
            .await
    }
}
