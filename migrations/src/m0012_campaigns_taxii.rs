//! Confirmed campaigns (攻撃キャンペーン) and their incidents; TAXII 2.1:
//! the objects of each collection (every version, in the order they were
//! added, so a page is one range of one index), the status of each posted
//! envelope, and the remote collections Hikeshi subscribes to. An
//! observable the officer shares carries when it was shared.

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
    SharedAt,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Id,
    Name,
    Description,
    /// The threat actor, as the officer names it.
    ThreatActor,
    /// ATT&CK technique ids or free text, one per line.
    Techniques,
    Tlp,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CampaignIncidents {
    Table,
    CampaignId,
    IncidentId,
    AddedBy,
    AddedAt,
}

#[derive(DeriveIden)]
enum TaxiiObjects {
    Table,
    Collection,
    StixId,
    /// The object's `modified` (or `created`), which names its version.
    Version,
    DateAdded,
    /// Whether this is the object's newest version in the collection.
    Latest,
    /// Whether this is its oldest (`match[version]=first`).
    First,
    ObjectType,
    Body,
}

#[derive(DeriveIden)]
enum TaxiiStatuses {
    Table,
    Id,
    Collection,
    Status,
    RequestTimestamp,
    TotalCount,
    SuccessCount,
    FailureCount,
    /// JSON: the per-object details.
    Details,
    CreatedBy,
}

#[derive(DeriveIden)]
enum TaxiiSubscriptions {
    Table,
    Id,
    Name,
    ApiRoot,
    CollectionId,
    Username,
    Password,
    IntervalMinutes,
    /// The newest `date_added` imported: the next poll asks for what came after.
    AddedAfter,
    LastRun,
    LastError,
    Imported,
    Active,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Observables::Table)
                .add_column(timestamp_with_time_zone_null(Observables::SharedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Campaigns::Table)
                .col(uuid(Campaigns::Id).primary_key())
                .col(string_len(Campaigns::Name, 200))
                .col(text(Campaigns::Description))
                .col(string_len(Campaigns::ThreatActor, 200))
                .col(text(Campaigns::Techniques))
                .col(string_len(Campaigns::Tlp, 16))
                .col(uuid(Campaigns::CreatedBy))
                .col(timestamp_with_time_zone(Campaigns::CreatedAt))
                .col(timestamp_with_time_zone(Campaigns::UpdatedAt))
                .foreign_key(&mut fk(
                    Campaigns::Table,
                    Campaigns::CreatedBy,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CampaignIncidents::Table)
                .col(uuid(CampaignIncidents::CampaignId))
                .col(uuid(CampaignIncidents::IncidentId))
                .col(uuid(CampaignIncidents::AddedBy))
                .col(timestamp_with_time_zone(CampaignIncidents::AddedAt))
                .primary_key(
                    Index::create()
                        .col(CampaignIncidents::CampaignId)
                        .col(CampaignIncidents::IncidentId),
                )
                .foreign_key(&mut fk(
                    CampaignIncidents::Table,
                    CampaignIncidents::CampaignId,
                    Campaigns::Table,
                    Campaigns::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    CampaignIncidents::Table,
                    CampaignIncidents::IncidentId,
                    Incidents::Table,
                    Incidents::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    CampaignIncidents::Table,
                    CampaignIncidents::AddedBy,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_campaign_incidents_incident")
                .table(CampaignIncidents::Table)
                .col(CampaignIncidents::IncidentId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TaxiiObjects::Table)
                .col(string_len(TaxiiObjects::Collection, 64))
                .col(string_len(TaxiiObjects::StixId, 100))
                .col(string_len(TaxiiObjects::Version, 32))
                .col(string_len(TaxiiObjects::DateAdded, 32))
                .col(boolean(TaxiiObjects::Latest))
                .col(boolean(TaxiiObjects::First))
                .col(string_len(TaxiiObjects::ObjectType, 64))
                .col(text(TaxiiObjects::Body))
                .primary_key(
                    Index::create()
                        .col(TaxiiObjects::Collection)
                        .col(TaxiiObjects::StixId)
                        .col(TaxiiObjects::Version),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_taxii_objects_page")
                .table(TaxiiObjects::Table)
                .col(TaxiiObjects::Collection)
                .col(TaxiiObjects::DateAdded)
                .col(TaxiiObjects::StixId)
                .col(TaxiiObjects::Version)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TaxiiStatuses::Table)
                .col(uuid(TaxiiStatuses::Id).primary_key())
                .col(string_len(TaxiiStatuses::Collection, 64))
                .col(string_len(TaxiiStatuses::Status, 16))
                .col(timestamp_with_time_zone(TaxiiStatuses::RequestTimestamp))
                .col(integer(TaxiiStatuses::TotalCount))
                .col(integer(TaxiiStatuses::SuccessCount))
                .col(integer(TaxiiStatuses::FailureCount))
                .col(text(TaxiiStatuses::Details))
                .col(uuid(TaxiiStatuses::CreatedBy))
                .foreign_key(&mut fk(
                    TaxiiStatuses::Table,
                    TaxiiStatuses::CreatedBy,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TaxiiSubscriptions::Table)
                .col(uuid(TaxiiSubscriptions::Id).primary_key())
                .col(string_len(TaxiiSubscriptions::Name, 200))
                .col(string_len(TaxiiSubscriptions::ApiRoot, 500))
                .col(string_len(TaxiiSubscriptions::CollectionId, 100))
                .col(string_len(TaxiiSubscriptions::Username, 200))
                .col(string_len(TaxiiSubscriptions::Password, 500))
                .col(integer(TaxiiSubscriptions::IntervalMinutes))
                .col(string_len(TaxiiSubscriptions::AddedAfter, 32))
                .col(timestamp_with_time_zone_null(TaxiiSubscriptions::LastRun))
                .col(text(TaxiiSubscriptions::LastError))
                .col(big_integer(TaxiiSubscriptions::Imported))
                .col(boolean(TaxiiSubscriptions::Active))
                .col(uuid(TaxiiSubscriptions::CreatedBy))
                .col(timestamp_with_time_zone(TaxiiSubscriptions::CreatedAt))
                .foreign_key(&mut fk(
                    TaxiiSubscriptions::Table,
                    TaxiiSubscriptions::CreatedBy,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            TaxiiSubscriptions::Table.into_iden(),
            TaxiiStatuses::Table.into_iden(),
            TaxiiObjects::Table.into_iden(),
            CampaignIncidents::Table.into_iden(),
            Campaigns::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        m.alter_table(
            Table::alter()
                .table(Observables::Table)
                .drop_column(Observables::SharedAt)
                .to_owned(),
        )
        .await
    }
}
