//! Evidence preservation: the organisation's declared log sources, each
//! incident's preservation checklist, the evidence registry (files stored
//! once by SHA-256) and each item's append-only chain of custody.

use sea_orm_migration::{prelude::*, schema::*};

use crate::fk;
use crate::m0001_accounts::Users;

#[derive(DeriveIden)]
enum Incidents {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum LogSources {
    Table,
    Id,
    SourceId,
    System,
    RetentionDays,
    Note,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ChecklistItems {
    Table,
    Id,
    IncidentId,
    LogSourceId,
    SourceId,
    System,
    WindowStart,
    Deadline,
    RetentionDays,
    Status,
    EvidenceId,
    WaiveReason,
    SettledBy,
    SettledAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Evidence {
    Table,
    Id,
    IncidentId,
    Kind,
    Description,
    FileName,
    MediaType,
    Sha256,
    Size,
    SourceHost,
    AcquiredHow,
    AcquiredBy,
    AcquiredAt,
    UploadedBy,
    UploadedAt,
    ChecklistItemId,
    Integrity,
    VerifiedAt,
}

#[derive(DeriveIden)]
enum CustodyEvents {
    Table,
    Id,
    EvidenceId,
    Seq,
    Kind,
    ActorId,
    At,
    FromParty,
    ToParty,
    Reason,
    Detail,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(LogSources::Table)
                .col(uuid(LogSources::Id).primary_key())
                .col(string_len(LogSources::SourceId, 32))
                .col(string_len(LogSources::System, 255))
                .col(integer(LogSources::RetentionDays))
                .col(text(LogSources::Note))
                .col(boolean(LogSources::Active).default(true))
                .col(timestamp_with_time_zone(LogSources::CreatedAt))
                .col(timestamp_with_time_zone(LogSources::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Evidence::Table)
                .col(uuid(Evidence::Id).primary_key())
                .col(uuid(Evidence::IncidentId))
                .col(string_len(Evidence::Kind, 32))
                .col(text(Evidence::Description))
                .col(string_len(Evidence::FileName, 255))
                .col(string_len(Evidence::MediaType, 255))
                .col(string_len(Evidence::Sha256, 64))
                .col(big_integer(Evidence::Size))
                .col(string_len(Evidence::SourceHost, 255))
                .col(text(Evidence::AcquiredHow))
                .col(string_len(Evidence::AcquiredBy, 255))
                .col(timestamp_with_time_zone(Evidence::AcquiredAt))
                .col(uuid(Evidence::UploadedBy))
                .col(timestamp_with_time_zone(Evidence::UploadedAt))
                .col(uuid_null(Evidence::ChecklistItemId))
                .col(string_len(Evidence::Integrity, 16))
                .col(timestamp_with_time_zone_null(Evidence::VerifiedAt))
                .foreign_key(&mut fk(
                    Evidence::Table,
                    Evidence::IncidentId,
                    Incidents::Table,
                    Incidents::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    Evidence::Table,
                    Evidence::UploadedBy,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_evidence_incident")
                .table(Evidence::Table)
                .col(Evidence::IncidentId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_evidence_sha256")
                .table(Evidence::Table)
                .col(Evidence::Sha256)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ChecklistItems::Table)
                .col(uuid(ChecklistItems::Id).primary_key())
                .col(uuid(ChecklistItems::IncidentId))
                .col(uuid(ChecklistItems::LogSourceId))
                .col(string_len(ChecklistItems::SourceId, 32))
                .col(string_len(ChecklistItems::System, 255))
                .col(timestamp_with_time_zone(ChecklistItems::WindowStart))
                .col(timestamp_with_time_zone(ChecklistItems::Deadline))
                .col(integer(ChecklistItems::RetentionDays))
                .col(string_len(ChecklistItems::Status, 16))
                .col(uuid_null(ChecklistItems::EvidenceId))
                .col(text_null(ChecklistItems::WaiveReason))
                .col(uuid_null(ChecklistItems::SettledBy))
                .col(timestamp_with_time_zone_null(ChecklistItems::SettledAt))
                .col(timestamp_with_time_zone(ChecklistItems::CreatedAt))
                .foreign_key(&mut fk(
                    ChecklistItems::Table,
                    ChecklistItems::IncidentId,
                    Incidents::Table,
                    Incidents::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    ChecklistItems::Table,
                    ChecklistItems::LogSourceId,
                    LogSources::Table,
                    LogSources::Id,
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        // One item per declared source per incident: generating twice adds nothing.
        m.create_index(
            Index::create()
                .name("ux_checklist_incident_source")
                .table(ChecklistItems::Table)
                .col(ChecklistItems::IncidentId)
                .col(ChecklistItems::LogSourceId)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CustodyEvents::Table)
                .col(uuid(CustodyEvents::Id).primary_key())
                .col(uuid(CustodyEvents::EvidenceId))
                .col(integer(CustodyEvents::Seq))
                .col(string_len(CustodyEvents::Kind, 16))
                .col(uuid_null(CustodyEvents::ActorId))
                .col(timestamp_with_time_zone(CustodyEvents::At))
                .col(string_len(CustodyEvents::FromParty, 255))
                .col(string_len(CustodyEvents::ToParty, 255))
                .col(text(CustodyEvents::Reason))
                .col(text(CustodyEvents::Detail))
                .foreign_key(&mut fk(
                    CustodyEvents::Table,
                    CustodyEvents::EvidenceId,
                    Evidence::Table,
                    Evidence::Id,
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_custody_evidence_seq")
                .table(CustodyEvents::Table)
                .col(CustodyEvents::EvidenceId)
                .col(CustodyEvents::Seq)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            CustodyEvents::Table.into_iden(),
            ChecklistItems::Table.into_iden(),
            Evidence::Table.into_iden(),
            LogSources::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
