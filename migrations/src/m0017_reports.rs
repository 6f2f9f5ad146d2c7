//! Reports (issue 17): every report generated, by whom, when, for whom,
//! the SHA-256 of the file handed out and the manifest it committed to
//! (the timeline's chain head, the evidence hashes), so that
//! `hikeshi report verify` can find a report by its content and check it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum Reports {
    Table,
    Id,
    IncidentId,
    /// The n-th report of the incident.
    Version,
    Template,
    Lang,
    Format,
    Audience,
    Sha256,
    /// `app::domain::report::Manifest` as JSON.
    Manifest,
    /// The file as handed out, so every version can be downloaded again.
    Body,
    GeneratedBy,
    GeneratedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Reports::Table)
                .col(uuid(Reports::Id).primary_key())
                .col(uuid(Reports::IncidentId))
                .col(integer(Reports::Version))
                .col(string_len(Reports::Template, 40))
                .col(string_len(Reports::Lang, 4))
                .col(string_len(Reports::Format, 20))
                .col(string_len(Reports::Audience, 800))
                .col(string_len(Reports::Sha256, 64))
                .col(text(Reports::Manifest))
                .col(blob(Reports::Body))
                .col(uuid(Reports::GeneratedBy))
                .col(timestamp_with_time_zone(Reports::GeneratedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_reports_sha256")
                .table(Reports::Table)
                .col(Reports::Sha256)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_reports_incident_version")
                .table(Reports::Table)
                .col(Reports::IncidentId)
                .col(Reports::Version)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Reports::Table).to_owned())
            .await
    }
}
