//! The integrity ledger: one append-only, HMAC-chained list of what every
//! security-relevant row (incidents, users and their roles, organisations,
//! engagements, evidence, custody events, containment measures, investigation
//! reports, the audit log) held after each write, and its head, the row every
//! sealing transaction locks first. The key is kept outside the database, so
//! nothing here can be recomputed by someone with database access alone.
//!
//! Rows that exist when this migration runs are adopted into the ledger at
//! the first start that has a key (`server::integrity::open`): the migration
//! itself never sees the key.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum IntegrityLedger {
    Table,
    Seq,
    At,
    Tbl,
    RowId,
    Digest,
    Fields,
    Origin,
    PrevMac,
    Mac,
}

#[derive(DeriveIden)]
enum IntegrityHead {
    Table,
    Id,
    Seq,
    Mac,
    KeyId,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(IntegrityLedger::Table)
                .col(big_integer(IntegrityLedger::Seq).primary_key())
                .col(timestamp_with_time_zone(IntegrityLedger::At))
                .col(string_len(IntegrityLedger::Tbl, 40))
                .col(string_len(IntegrityLedger::RowId, 80))
                .col(string_len(IntegrityLedger::Digest, 64))
                .col(text(IntegrityLedger::Fields))
                .col(string_len(IntegrityLedger::Origin, 16))
                .col(string_len(IntegrityLedger::PrevMac, 64))
                .col(string_len(IntegrityLedger::Mac, 64))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_integrity_ledger_row")
                .table(IntegrityLedger::Table)
                .col(IntegrityLedger::Tbl)
                .col(IntegrityLedger::RowId)
                .col(IntegrityLedger::Seq)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(IntegrityHead::Table)
                .col(integer(IntegrityHead::Id).primary_key())
                .col(big_integer(IntegrityHead::Seq))
                .col(string_len(IntegrityHead::Mac, 64))
                .col(string_len(IntegrityHead::KeyId, 16))
                .to_owned(),
        )
        .await?;
        // The one head row: sealing locks it, so it must exist before anyone seals.
        m.exec_stmt(
            Query::insert()
                .into_table(IntegrityHead::Table)
                .columns([
                    IntegrityHead::Id,
                    IntegrityHead::Seq,
                    IntegrityHead::Mac,
                    IntegrityHead::KeyId,
                ])
                .values_panic([1.into(), 0i64.into(), "".into(), "".into()])
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(IntegrityHead::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(IntegrityLedger::Table).to_owned())
            .await?;
        Ok(())
    }
}
