//! Sign-in throttling by source and by account from a source: the throttle
//! table is keyed by a hashed bucket instead of the username as typed, and
//! its rows age out (an index on the last failure). The old counters are
//! dropped: they only ever held the last hour's failures.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum LoginThrottle {
    Table,
    Bucket,
    Account,
    Failures,
    LockedUntil,
    UpdatedAt,
    /// The key of the table before this migration.
    Username,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(LoginThrottle::Table).to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table(LoginThrottle::Table)
                .col(string_len(LoginThrottle::Bucket, 64).primary_key())
                .col(string_len_null(LoginThrottle::Account, 64))
                .col(integer(LoginThrottle::Failures).default(0))
                .col(timestamp_with_time_zone_null(LoginThrottle::LockedUntil))
                .col(timestamp_with_time_zone(LoginThrottle::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_login_throttle_updated")
                .table(LoginThrottle::Table)
                .col(LoginThrottle::UpdatedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_login_throttle_account")
                .table(LoginThrottle::Table)
                .col(LoginThrottle::Account)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(LoginThrottle::Table).to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table(LoginThrottle::Table)
                .col(string_len(LoginThrottle::Username, 64).primary_key())
                .col(integer(LoginThrottle::Failures).default(0))
                .col(timestamp_with_time_zone_null(LoginThrottle::LockedUntil))
                .col(timestamp_with_time_zone(LoginThrottle::UpdatedAt))
                .to_owned(),
        )
        .await
    }
}
