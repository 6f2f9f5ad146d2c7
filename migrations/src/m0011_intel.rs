//! The threat-intelligence store: indicators imported from STIX 2.1
//! bundles, and the match keys their patterns compare with (one row per
//! value, by hash, the same index as the observables').

use sea_orm_migration::{prelude::*, schema::*};

use crate::fk;
use crate::m0001_accounts::Users;

#[derive(DeriveIden)]
enum IntelIndicators {
    Table,
    Id,
    /// The indicator's STIX id: a re-import of the same id replaces it.
    StixId,
    Name,
    Pattern,
    PatternType,
    ValidFrom,
    ValidUntil,
    /// Where it came from (the file, or later a TAXII collection).
    Source,
    /// Whether its pattern is in the subset matched automatically; why not.
    Automatic,
    Unread,
    ImportedBy,
    ImportedAt,
}

#[derive(DeriveIden)]
enum IntelKeys {
    Table,
    IndicatorId,
    MatchHash,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(IntelIndicators::Table)
                .col(uuid(IntelIndicators::Id).primary_key())
                .col(string_len_uniq(IntelIndicators::StixId, 100))
                .col(text(IntelIndicators::Name))
                .col(text(IntelIndicators::Pattern))
                .col(string_len(IntelIndicators::PatternType, 32))
                .col(timestamp_with_time_zone(IntelIndicators::ValidFrom))
                .col(timestamp_with_time_zone_null(IntelIndicators::ValidUntil))
                .col(string_len(IntelIndicators::Source, 255))
                .col(boolean(IntelIndicators::Automatic))
                .col(text(IntelIndicators::Unread))
                .col(uuid(IntelIndicators::ImportedBy))
                .col(timestamp_with_time_zone(IntelIndicators::ImportedAt))
                .foreign_key(&mut fk(
                    IntelIndicators::Table,
                    IntelIndicators::ImportedBy,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(IntelKeys::Table)
                .col(uuid(IntelKeys::IndicatorId))
                .col(string_len(IntelKeys::MatchHash, 64))
                .primary_key(
                    Index::create()
                        .col(IntelKeys::IndicatorId)
                        .col(IntelKeys::MatchHash),
                )
                .foreign_key(&mut fk(
                    IntelKeys::Table,
                    IntelKeys::IndicatorId,
                    IntelIndicators::Table,
                    IntelIndicators::Id,
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_intel_keys_match")
                .table(IntelKeys::Table)
                .col(IntelKeys::MatchHash)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(IntelKeys::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(IntelIndicators::Table).to_owned())
            .await
    }
}
