//! Log triage (issue 13): each analysis of an evidence item (a run, with
//! its progress so the page can show it and a restart can resume it) and
//! the findings it produced.

use sea_orm_migration::{prelude::*, schema::*};

use crate::fk;
use crate::m0001_accounts::Users;

#[derive(DeriveIden)]
enum Incidents {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Evidence {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum TriageRuns {
    Table,
    Id,
    IncidentId,
    EvidenceId,
    /// `queued`, `running`, `done`, `failed`, `cancelled`.
    Status,
    /// The format as chosen, or detected once parsing starts.
    Format,
    BytesTotal,
    BytesDone,
    /// JSON: the parse summary once done (lines, parsed, unparsed, samples).
    Summary,
    Findings,
    Error,
    StartedBy,
    CreatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum TriageFindings {
    Table,
    Id,
    RunId,
    IncidentId,
    EvidenceId,
    Detector,
    Severity,
    /// JSON: the finding as the detectors gave it (title, explanation,
    /// lines, observables, first and last seen).
    Body,
    /// `open`, `promoted`, `dismissed`.
    Status,
    Note,
    DecidedBy,
    DecidedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(TriageRuns::Table)
                .col(uuid(TriageRuns::Id).primary_key())
                .col(uuid(TriageRuns::IncidentId))
                .col(uuid(TriageRuns::EvidenceId))
                .col(string_len(TriageRuns::Status, 16))
                .col(string_len_null(TriageRuns::Format, 32))
                .col(big_integer(TriageRuns::BytesTotal))
                .col(big_integer(TriageRuns::BytesDone))
                .col(text(TriageRuns::Summary))
                .col(integer(TriageRuns::Findings))
                .col(text_null(TriageRuns::Error))
                .col(uuid(TriageRuns::StartedBy))
                .col(timestamp_with_time_zone(TriageRuns::CreatedAt))
                .col(timestamp_with_time_zone_null(TriageRuns::FinishedAt))
                .foreign_key(&mut fk(
                    TriageRuns::Table,
                    TriageRuns::IncidentId,
                    Incidents::Table,
                    Incidents::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    TriageRuns::Table,
                    TriageRuns::EvidenceId,
                    Evidence::Table,
                    Evidence::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    TriageRuns::Table,
                    TriageRuns::StartedBy,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_triage_runs_incident")
                .table(TriageRuns::Table)
                .col(TriageRuns::IncidentId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TriageFindings::Table)
                .col(uuid(TriageFindings::Id).primary_key())
                .col(uuid(TriageFindings::RunId))
                .col(uuid(TriageFindings::IncidentId))
                .col(uuid(TriageFindings::EvidenceId))
                .col(string_len(TriageFindings::Detector, 64))
                .col(string_len(TriageFindings::Severity, 16))
                .col(text(TriageFindings::Body))
                .col(string_len(TriageFindings::Status, 16))
                .col(text(TriageFindings::Note))
                .col(uuid_null(TriageFindings::DecidedBy))
                .col(timestamp_with_time_zone_null(TriageFindings::DecidedAt))
                .foreign_key(&mut fk(
                    TriageFindings::Table,
                    TriageFindings::RunId,
                    TriageRuns::Table,
                    TriageRuns::Id,
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_triage_findings_incident")
                .table(TriageFindings::Table)
                .col(TriageFindings::IncidentId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            TriageFindings::Table.into_iden(),
            TriageRuns::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
