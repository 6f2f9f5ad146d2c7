//! External parties: organisations (forensics vendors, ISPs) and their users,
//! engagements on incidents with a scope and an expiry, the vendor's
//! full-investigation report, and the marks the reminder scanner leaves so
//! that each reminder goes out once.

use sea_orm_migration::{prelude::*, schema::*};

use crate::fk;

#[derive(DeriveIden)]
enum Users {
    Table,
    OrganisationId,
}

#[derive(DeriveIden)]
enum Incidents {
    Table,
    Id,
    TriageBreachMailedAt,
    ResponseBreachMailedAt,
}

#[derive(DeriveIden)]
enum ChecklistItems {
    Table,
    DeadlineMailedAt,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
    NameJa,
    NameEn,
    Kind,
    ContractRef,
    Contact,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Engagements {
    Table,
    Id,
    IncidentId,
    OrganisationId,
    Phases,
    SeeEvidence,
    EvidenceItems,
    SeeContainment,
    SeeTimeline,
    StartsAt,
    ExpiresAt,
    GrantedBy,
    CreatedAt,
    RevokedAt,
    RevokedBy,
    RevokeReason,
    ExpiryMailedAt,
}

#[derive(DeriveIden)]
enum InvestigationReports {
    Table,
    Id,
    EngagementId,
    IncidentId,
    IntrusionPath,
    Spread,
    Exfiltration,
    Recovery,
    SubmittedBy,
    SubmittedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Organisations::Table)
                .col(uuid(Organisations::Id).primary_key())
                .col(string_len(Organisations::NameJa, 200))
                .col(string_len(Organisations::NameEn, 200))
                .col(string_len(Organisations::Kind, 32))
                .col(text(Organisations::ContractRef))
                .col(text(Organisations::Contact))
                .col(timestamp_with_time_zone(Organisations::CreatedAt))
                .to_owned(),
        )
        .await?;
        // SQLite adds one column per ALTER, and cannot add a foreign key later.
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(uuid_null(Users::OrganisationId))
                .to_owned(),
        )
        .await?;
        for col in [
            Incidents::TriageBreachMailedAt,
            Incidents::ResponseBreachMailedAt,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Incidents::Table)
                    .add_column(timestamp_with_time_zone_null(col))
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(ChecklistItems::Table)
                .add_column(timestamp_with_time_zone_null(
                    ChecklistItems::DeadlineMailedAt,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Engagements::Table)
                .col(uuid(Engagements::Id).primary_key())
                .col(uuid(Engagements::IncidentId))
                .col(uuid(Engagements::OrganisationId))
                .col(string_len(Engagements::Phases, 32))
                .col(boolean(Engagements::SeeEvidence))
                .col(text(Engagements::EvidenceItems))
                .col(boolean(Engagements::SeeContainment))
                .col(boolean(Engagements::SeeTimeline))
                .col(timestamp_with_time_zone(Engagements::StartsAt))
                .col(timestamp_with_time_zone(Engagements::ExpiresAt))
                .col(uuid(Engagements::GrantedBy))
                .col(timestamp_with_time_zone(Engagements::CreatedAt))
                .col(timestamp_with_time_zone_null(Engagements::RevokedAt))
                .col(uuid_null(Engagements::RevokedBy))
                .col(text_null(Engagements::RevokeReason))
                .col(timestamp_with_time_zone_null(Engagements::ExpiryMailedAt))
                .foreign_key(&mut fk(
                    Engagements::Table,
                    Engagements::IncidentId,
                    Incidents::Table,
                    Incidents::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    Engagements::Table,
                    Engagements::OrganisationId,
                    Organisations::Table,
                    Organisations::Id,
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_engagements_org")
                .table(Engagements::Table)
                .col(Engagements::OrganisationId)
                .col(Engagements::ExpiresAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_engagements_incident")
                .table(Engagements::Table)
                .col(Engagements::IncidentId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(InvestigationReports::Table)
                .col(uuid(InvestigationReports::Id).primary_key())
                .col(uuid(InvestigationReports::EngagementId).unique_key())
                .col(uuid(InvestigationReports::IncidentId))
                .col(text(InvestigationReports::IntrusionPath))
                .col(text(InvestigationReports::Spread))
                .col(text(InvestigationReports::Exfiltration))
                .col(text(InvestigationReports::Recovery))
                .col(uuid(InvestigationReports::SubmittedBy))
                .col(timestamp_with_time_zone(InvestigationReports::SubmittedAt))
                .foreign_key(&mut fk(
                    InvestigationReports::Table,
                    InvestigationReports::EngagementId,
                    Engagements::Table,
                    Engagements::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    InvestigationReports::Table,
                    InvestigationReports::IncidentId,
                    Incidents::Table,
                    Incidents::Id,
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(InvestigationReports::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Engagements::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(ChecklistItems::Table)
                .drop_column(ChecklistItems::DeadlineMailedAt)
                .to_owned(),
        )
        .await?;
        for col in [
            Incidents::TriageBreachMailedAt,
            Incidents::ResponseBreachMailedAt,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Incidents::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .drop_column(Users::OrganisationId)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(Organisations::Table).to_owned())
            .await?;
        Ok(())
    }
}
