//! E-mail: a persistent outbox (a restart loses nothing queued; failures
//! stay visible) and each user's choice of which notifications they receive.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveIden)]
enum Users {
    Table,
    MailOptOut,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    UserId,
    ToAddress,
    Kind,
    Subject,
    Body,
    CreatedAt,
    Attempts,
    NextAttemptAt,
    SentAt,
    LastError,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The kinds of notification a user does not want by mail, comma-separated.
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(text(Users::MailOptOut).default(""))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Outbox::Table)
                .col(uuid(Outbox::Id).primary_key())
                .col(uuid_null(Outbox::UserId))
                .col(string_len(Outbox::ToAddress, 254))
                .col(string_len(Outbox::Kind, 32))
                .col(text(Outbox::Subject))
                .col(text(Outbox::Body))
                .col(timestamp_with_time_zone(Outbox::CreatedAt))
                .col(integer(Outbox::Attempts).default(0))
                .col(timestamp_with_time_zone(Outbox::NextAttemptAt))
                .col(timestamp_with_time_zone_null(Outbox::SentAt))
                .col(text_null(Outbox::LastError))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_outbox_due")
                .table(Outbox::Table)
                .col(Outbox::SentAt)
                .col(Outbox::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Outbox::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .drop_column(Users::MailOptOut)
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
