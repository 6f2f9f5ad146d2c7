//! Observables on incidents (the traces of an attack, seed 004) and the
//! allow-list of values never to flag or correlate. `match_hash` is the
//! SHA-256 of the value's kind and normal form (`domain:evil.example`): a
//! short, fixed-size key whose index finds every incident sharing a value
//! without a scan, however long the value.

use sea_orm_migration::{prelude::*, schema::*};

use crate::fk;
use crate::m0001_accounts::Users;

#[derive(DeriveIden)]
enum Incidents {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Observables {
    Table,
    Id,
    IncidentId,
    Kind,
    Value,
    MatchHash,
    Tlp,
    Pap,
    IsIndicator,
    Sighted,
    Confidence,
    Tags,
    Source,
    Note,
    /// The incident's phase when it was recorded: an engaged party sees the
    /// observables of the phases its scope covers.
    Phase,
    FirstSeen,
    LastSeen,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AllowlistEntries {
    Table,
    Id,
    /// As the officer wrote it, normalised (`example.co.jp`, `10.0.0.0/8`).
    Value,
    MatchHash,
    Note,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Observables::Table)
                .col(uuid(Observables::Id).primary_key())
                .col(uuid(Observables::IncidentId))
                .col(string_len(Observables::Kind, 32))
                .col(text(Observables::Value))
                .col(string_len(Observables::MatchHash, 64))
                .col(string_len(Observables::Tlp, 16))
                .col(string_len(Observables::Pap, 16))
                .col(boolean(Observables::IsIndicator).default(false))
                .col(boolean(Observables::Sighted).default(false))
                .col(small_integer_null(Observables::Confidence))
                .col(text(Observables::Tags))
                .col(string_len(Observables::Source, 255))
                .col(text(Observables::Note))
                .col(string_len(Observables::Phase, 1))
                .col(timestamp_with_time_zone_null(Observables::FirstSeen))
                .col(timestamp_with_time_zone_null(Observables::LastSeen))
                .col(uuid(Observables::CreatedBy))
                .col(timestamp_with_time_zone(Observables::CreatedAt))
                .col(timestamp_with_time_zone(Observables::UpdatedAt))
                .foreign_key(&mut fk(
                    Observables::Table,
                    Observables::IncidentId,
                    Incidents::Table,
                    Incidents::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    Observables::Table,
                    Observables::CreatedBy,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_observables_match")
                .table(Observables::Table)
                .col(Observables::MatchHash)
                .col(Observables::IncidentId)
                .to_owned(),
        )
        .await?;
        // One record of a value per incident: a second paste updates it.
        m.create_index(
            Index::create()
                .name("idx_observables_incident_kind_value")
                .table(Observables::Table)
                .col(Observables::IncidentId)
                .col(Observables::Kind)
                .col(Observables::MatchHash)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AllowlistEntries::Table)
                .col(uuid(AllowlistEntries::Id).primary_key())
                .col(text(AllowlistEntries::Value))
                .col(string_len_uniq(AllowlistEntries::MatchHash, 64))
                .col(text(AllowlistEntries::Note))
                .col(uuid(AllowlistEntries::CreatedBy))
                .col(timestamp_with_time_zone(AllowlistEntries::CreatedAt))
                .foreign_key(&mut fk(
                    AllowlistEntries::Table,
                    AllowlistEntries::CreatedBy,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AllowlistEntries::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Observables::Table).to_owned())
            .await
    }
}
