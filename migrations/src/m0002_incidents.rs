//! Incidents as reported in phase A (事象の発見・通報), and the per-year counter
//! that hands out human ids such as `INC-2026-0001`.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m0001_accounts::Users;

#[derive(DeriveIden)]
enum IncidentCounters {
    Table,
    Year,
    Last,
}

#[derive(DeriveIden)]
enum Incidents {
    Table,
    Id,
    HumanId,
    Year,
    Seq,
    Title,
    Observed,
    NoticedAt,
    Location,
    Discovery,
    Kind,
    ReporterContact,
    ReporterId,
    Phase,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(IncidentCounters::Table)
                .col(integer(IncidentCounters::Year).primary_key())
                .col(integer(IncidentCounters::Last))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Incidents::Table)
                .col(uuid(Incidents::Id).primary_key())
                .col(string_len_uniq(Incidents::HumanId, 32))
                .col(integer(Incidents::Year))
                .col(integer(Incidents::Seq))
                .col(string_len(Incidents::Title, 200))
                .col(text(Incidents::Observed))
                .col(timestamp_with_time_zone(Incidents::NoticedAt))
                .col(text(Incidents::Location))
                .col(string_len(Incidents::Discovery, 32))
                .col(string_len(Incidents::Kind, 32))
                .col(string_len(Incidents::ReporterContact, 200))
                .col(uuid(Incidents::ReporterId))
                .col(string_len(Incidents::Phase, 1))
                .col(timestamp_with_time_zone(Incidents::CreatedAt))
                .col(timestamp_with_time_zone(Incidents::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Incidents::Table, Incidents::ReporterId)
                        .to(Users::Table, Users::Id),
                )
                .index(
                    Index::create()
                        .unique()
                        .name("uq_incidents_year_seq")
                        .col(Incidents::Year)
                        .col(Incidents::Seq),
                )
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("idx_incidents_created", Incidents::CreatedAt),
            ("idx_incidents_reporter", Incidents::ReporterId),
            ("idx_incidents_phase", Incidents::Phase),
            ("idx_incidents_kind", Incidents::Kind),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Incidents::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Incidents::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(IncidentCounters::Table).to_owned())
            .await
    }
}

#[derive(DeriveMigrationName)]
pub struct Migration;
