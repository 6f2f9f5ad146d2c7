//! Containment measures taken on an incident's targets, and the in-app
//! notifications that tell the officer a proposal waits and the proposer
//! that it was decided.

use sea_orm_migration::{prelude::*, schema::*};

use crate::fk;
use crate::m0001_accounts::Users;

#[derive(DeriveIden)]
enum Incidents {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Containments {
    Table,
    Id,
    IncidentId,
    MeasureId,
    Definition,
    TargetType,
    Target,
    AssetId,
    Status,
    Reason,
    ExpectedEffect,
    ProposedBy,
    ProposedAt,
    DecidedBy,
    DecidedAt,
    DecisionNote,
    Emergency,
    EvidenceConfirmed,
    ExecutedBy,
    ExecutedAt,
    ExecutionNote,
    VerifiedBy,
    VerifiedAt,
    Effective,
    VerificationNote,
    EndedBy,
    EndedAt,
    EndNote,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    IncidentId,
    Kind,
    Subject,
    ActorId,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Containments::Table)
                .col(uuid(Containments::Id).primary_key())
                .col(uuid(Containments::IncidentId))
                .col(string_len(Containments::MeasureId, 64))
                // The catalogue entry as it was when proposed (JSON): editing
                // the playbooks later does not change what was decided.
                .col(text(Containments::Definition))
                .col(string_len(Containments::TargetType, 16))
                .col(string_len(Containments::Target, 255))
                // The asset it was proposed against; the target text stays
                // when the asset record is removed.
                .col(uuid_null(Containments::AssetId))
                .col(string_len(Containments::Status, 16))
                .col(text(Containments::Reason))
                .col(text(Containments::ExpectedEffect))
                .col(uuid(Containments::ProposedBy))
                .col(timestamp_with_time_zone(Containments::ProposedAt))
                .col(uuid_null(Containments::DecidedBy))
                .col(timestamp_with_time_zone_null(Containments::DecidedAt))
                .col(text_null(Containments::DecisionNote))
                .col(boolean(Containments::Emergency).default(false))
                .col(boolean(Containments::EvidenceConfirmed).default(false))
                .col(uuid_null(Containments::ExecutedBy))
                .col(timestamp_with_time_zone_null(Containments::ExecutedAt))
                .col(text_null(Containments::ExecutionNote))
                .col(uuid_null(Containments::VerifiedBy))
                .col(timestamp_with_time_zone_null(Containments::VerifiedAt))
                .col(boolean_null(Containments::Effective))
                .col(text_null(Containments::VerificationNote))
                .col(uuid_null(Containments::EndedBy))
                .col(timestamp_with_time_zone_null(Containments::EndedAt))
                .col(text_null(Containments::EndNote))
                .col(timestamp_with_time_zone(Containments::UpdatedAt))
                .foreign_key(&mut fk(
                    Containments::Table,
                    Containments::IncidentId,
                    Incidents::Table,
                    Incidents::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    Containments::Table,
                    Containments::ProposedBy,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_containments_incident")
                .table(Containments::Table)
                .col(Containments::IncidentId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Notifications::Table)
                .col(uuid(Notifications::Id).primary_key())
                .col(uuid(Notifications::UserId))
                .col(uuid(Notifications::IncidentId))
                .col(string_len(Notifications::Kind, 32))
                // What it is about, e.g. the containment measure's id.
                .col(uuid_null(Notifications::Subject))
                .col(uuid_null(Notifications::ActorId))
                .col(timestamp_with_time_zone(Notifications::CreatedAt))
                .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                .foreign_key(&mut fk(
                    Notifications::Table,
                    Notifications::UserId,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    Notifications::Table,
                    Notifications::IncidentId,
                    Incidents::Table,
                    Incidents::Id,
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_notifications_user")
                .table(Notifications::Table)
                .col(Notifications::UserId)
                .col(Notifications::CreatedAt)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Notifications::Table.into_iden(),
            Containments::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
