//! Domain fidelity (issue 15): an incident records several attack stages
//! (the `attack_stage` column now holds a comma-separated list, so rows
//! sealed before keep their digest) and the suspected attacker type; outside
//! notices (seed 001 §5: who notified us, and the public notification form's
//! acknowledgements); the decision on each recurrence-prevention measure of
//! phase G's checklist.

use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

use crate::fk;
use crate::m0001_accounts::Users;

#[derive(DeriveIden)]
enum Incidents {
    Table,
    Id,
    AttackStage,
    /// `apt`, `crime`, `hacktivism` (seed 001's attacker types), or none.
    AttackerType,
}

#[derive(DeriveIden)]
enum OutsideNotices {
    Table,
    Id,
    IncidentId,
    /// `form` (the public /notify form) or `recorded` (a handler typed it
    /// into the report).
    Via,
    Organisation,
    Person,
    Contact,
    /// The notifier's own reference for the notice.
    TheirReference,
    /// Our acknowledgement, given to a sender of the form.
    Reference,
    /// A keyed hash of the form sender's address: the rate limit's key.
    SourceBucket,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PreventionDecisions {
    Table,
    Id,
    IncidentId,
    /// The playbook's measure id (`prevention.toml`).
    PreventionId,
    /// `accepted`, `rejected` or `scheduled`.
    Decision,
    Reason,
    OwnerId,
    DueOn,
    DecidedBy,
    DecidedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == DbBackend::Postgres {
            // SQLite does not enforce a VARCHAR length, and cannot alter one.
            m.alter_table(
                Table::alter()
                    .table(Incidents::Table)
                    .modify_column(string_len_null(Incidents::AttackStage, 255))
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Incidents::Table)
                .add_column(string_len_null(Incidents::AttackerType, 16))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(OutsideNotices::Table)
                .col(uuid(OutsideNotices::Id).primary_key())
                .col(uuid(OutsideNotices::IncidentId))
                .col(string_len(OutsideNotices::Via, 16))
                .col(string_len(OutsideNotices::Organisation, 200))
                .col(string_len(OutsideNotices::Person, 200))
                .col(string_len(OutsideNotices::Contact, 200))
                .col(string_len(OutsideNotices::TheirReference, 200))
                .col(string_len_uniq(OutsideNotices::Reference, 32))
                .col(string_len_null(OutsideNotices::SourceBucket, 64))
                .col(timestamp_with_time_zone(OutsideNotices::CreatedAt))
                .foreign_key(&mut fk(
                    OutsideNotices::Table,
                    OutsideNotices::IncidentId,
                    Incidents::Table,
                    Incidents::Id,
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_outside_notices_incident")
                .table(OutsideNotices::Table)
                .col(OutsideNotices::IncidentId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_outside_notices_source")
                .table(OutsideNotices::Table)
                .col(OutsideNotices::SourceBucket)
                .col(OutsideNotices::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_outside_notices_created")
                .table(OutsideNotices::Table)
                .col(OutsideNotices::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PreventionDecisions::Table)
                .col(uuid(PreventionDecisions::Id).primary_key())
                .col(uuid(PreventionDecisions::IncidentId))
                .col(string_len(PreventionDecisions::PreventionId, 64))
                .col(string_len(PreventionDecisions::Decision, 16))
                .col(text(PreventionDecisions::Reason))
                .col(uuid_null(PreventionDecisions::OwnerId))
                .col(date_null(PreventionDecisions::DueOn))
                .col(uuid(PreventionDecisions::DecidedBy))
                .col(timestamp_with_time_zone(PreventionDecisions::DecidedAt))
                .foreign_key(&mut fk(
                    PreventionDecisions::Table,
                    PreventionDecisions::IncidentId,
                    Incidents::Table,
                    Incidents::Id,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    PreventionDecisions::Table,
                    PreventionDecisions::OwnerId,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    PreventionDecisions::Table,
                    PreventionDecisions::DecidedBy,
                    Users::Table,
                    Users::Id,
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_prevention_decisions_unique")
                .table(PreventionDecisions::Table)
                .col(PreventionDecisions::IncidentId)
                .col(PreventionDecisions::PreventionId)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            PreventionDecisions::Table.into_iden(),
            OutsideNotices::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        m.alter_table(
            Table::alter()
                .table(Incidents::Table)
                .drop_column(Incidents::AttackerType)
                .to_owned(),
        )
        .await
    }
}
