//! The handling workflow: classification and state on the incident, tasks
//! generated from the playbooks, affected assets, per-phase durations, the
//! hash-chained timeline, and the playbook versions incidents are pinned to.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m0001_accounts::Users;

#[derive(DeriveIden)]
enum Incidents {
    Table,
    Id,
    Status,
    CloseReason,
    ClosedAt,
    Decision,
    DecisionReason,
    Severity,
    Tlp,
    AttackStage,
    AttackRoute,
    ResponderId,
    OfficerId,
    PlaybookHash,
    TriageDueAt,
    ResponseDueAt,
    TriagedAt,
    RespondedAt,
    PreventionTechnical,
    PreventionOperational,
    LastEventSeq,
    LastEventHash,
}

#[derive(DeriveIden)]
enum Tasks {
    Table,
    Id,
    IncidentId,
    ActionId,
    Phase,
    Role,
    Required,
    Position,
    Definition,
    Status,
    AssigneeId,
    OutputNote,
    WaiveReason,
    DoneBy,
    DoneAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Assets {
    Table,
    Id,
    IncidentId,
    AssetType,
    Identifier,
    Note,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IncidentPhases {
    Table,
    IncidentId,
    Phase,
    EnteredAt,
    LeftAt,
}

#[derive(DeriveIden)]
enum IncidentEvents {
    Table,
    Id,
    IncidentId,
    Seq,
    At,
    ActorId,
    Kind,
    TaskId,
    Detail,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum PlaybookVersions {
    Table,
    Hash,
    Content,
    CreatedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk_incident<T: IntoIden + 'static>(table: T, col: T) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Incidents::Table, Incidents::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        let columns = [
            string_len(Incidents::Status, 16).default("open").to_owned(),
            string_len_null(Incidents::CloseReason, 32),
            timestamp_with_time_zone_null(Incidents::ClosedAt),
            string_len_null(Incidents::Decision, 32),
            text_null(Incidents::DecisionReason),
            string_len_null(Incidents::Severity, 16),
            string_len(Incidents::Tlp, 16).default("amber").to_owned(),
            string_len_null(Incidents::AttackStage, 32),
            string_len_null(Incidents::AttackRoute, 32),
            uuid_null(Incidents::ResponderId),
            uuid_null(Incidents::OfficerId),
            string_len(Incidents::PlaybookHash, 64)
                .default("")
                .to_owned(),
            timestamp_with_time_zone_null(Incidents::TriageDueAt),
            timestamp_with_time_zone_null(Incidents::ResponseDueAt),
            timestamp_with_time_zone_null(Incidents::TriagedAt),
            timestamp_with_time_zone_null(Incidents::RespondedAt),
            text_null(Incidents::PreventionTechnical),
            text_null(Incidents::PreventionOperational),
            integer(Incidents::LastEventSeq).default(0).to_owned(),
            string_len(Incidents::LastEventHash, 64)
                .default("")
                .to_owned(),
        ];
        for mut col in columns {
            m.alter_table(
                Table::alter()
                    .table(Incidents::Table)
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        for (name, col) in [
            ("idx_incidents_status", Incidents::Status),
            ("idx_incidents_severity", Incidents::Severity),
            ("idx_incidents_responder", Incidents::ResponderId),
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

        m.create_table(
            Table::create()
                .table(Tasks::Table)
                .col(uuid(Tasks::Id).primary_key())
                .col(uuid(Tasks::IncidentId))
                .col(string_len(Tasks::ActionId, 128))
                .col(string_len(Tasks::Phase, 1))
                .col(string_len(Tasks::Role, 32))
                .col(boolean(Tasks::Required))
                .col(integer(Tasks::Position))
                .col(text(Tasks::Definition))
                .col(string_len(Tasks::Status, 16))
                .col(uuid_null(Tasks::AssigneeId))
                .col(text_null(Tasks::OutputNote))
                .col(text_null(Tasks::WaiveReason))
                .col(uuid_null(Tasks::DoneBy))
                .col(timestamp_with_time_zone_null(Tasks::DoneAt))
                .col(timestamp_with_time_zone(Tasks::UpdatedAt))
                .foreign_key(&mut fk_incident(Tasks::Table, Tasks::IncidentId))
                .foreign_key(
                    ForeignKey::create()
                        .from(Tasks::Table, Tasks::AssigneeId)
                        .to(Users::Table, Users::Id),
                )
                .index(
                    Index::create()
                        .unique()
                        .name("uq_tasks_incident_action")
                        .col(Tasks::IncidentId)
                        .col(Tasks::ActionId),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_tasks_role_status")
                .table(Tasks::Table)
                .col(Tasks::Role)
                .col(Tasks::Status)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_tasks_assignee")
                .table(Tasks::Table)
                .col(Tasks::AssigneeId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Assets::Table)
                .col(uuid(Assets::Id).primary_key())
                .col(uuid(Assets::IncidentId))
                .col(string_len(Assets::AssetType, 16))
                .col(string_len(Assets::Identifier, 255))
                .col(text(Assets::Note))
                .col(timestamp_with_time_zone(Assets::CreatedAt))
                .foreign_key(&mut fk_incident(Assets::Table, Assets::IncidentId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_assets_incident")
                .table(Assets::Table)
                .col(Assets::IncidentId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(IncidentPhases::Table)
                .col(uuid(IncidentPhases::IncidentId))
                .col(string_len(IncidentPhases::Phase, 1))
                .col(timestamp_with_time_zone(IncidentPhases::EnteredAt))
                .col(timestamp_with_time_zone_null(IncidentPhases::LeftAt))
                .primary_key(
                    Index::create()
                        .col(IncidentPhases::IncidentId)
                        .col(IncidentPhases::Phase)
                        .col(IncidentPhases::EnteredAt),
                )
                .foreign_key(&mut fk_incident(
                    IncidentPhases::Table,
                    IncidentPhases::IncidentId,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(IncidentEvents::Table)
                .col(uuid(IncidentEvents::Id).primary_key())
                .col(uuid(IncidentEvents::IncidentId))
                .col(integer(IncidentEvents::Seq))
                .col(timestamp_with_time_zone(IncidentEvents::At))
                .col(uuid_null(IncidentEvents::ActorId))
                .col(string_len(IncidentEvents::Kind, 48))
                .col(uuid_null(IncidentEvents::TaskId))
                .col(text(IncidentEvents::Detail))
                .col(string_len(IncidentEvents::PrevHash, 64))
                .col(string_len(IncidentEvents::Hash, 64))
                .foreign_key(&mut fk_incident(
                    IncidentEvents::Table,
                    IncidentEvents::IncidentId,
                ))
                .index(
                    Index::create()
                        .unique()
                        .name("uq_events_incident_seq")
                        .col(IncidentEvents::IncidentId)
                        .col(IncidentEvents::Seq),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PlaybookVersions::Table)
                .col(string_len(PlaybookVersions::Hash, 64).primary_key())
                .col(text(PlaybookVersions::Content))
                .col(timestamp_with_time_zone(PlaybookVersions::CreatedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            PlaybookVersions::Table.into_iden(),
            IncidentEvents::Table.into_iden(),
            IncidentPhases::Table.into_iden(),
            Assets::Table.into_iden(),
            Tasks::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
