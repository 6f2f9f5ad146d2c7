//! The incident list in the list's order (issue 16): newest first by
//! report time and number, each page an index range after (or before) a
//! cursor instead of an OFFSET over the rows before it. One index for the
//! whole list and one per filter the page offers, each the filter's value
//! followed by the order, so a filtered page is a range too. They replace
//! the single-column indexes of m0002/m0003, whose lookups by value they
//! still serve; the officer, filtered by "mine", had none.

use sea_orm_migration::prelude::*;

/// The new indexes and the column each starts with (none: the whole list).
const LIST: [(&str, Option<&str>); 8] = [
    ("idx_incidents_list", None),
    ("idx_incidents_list_phase", Some("phase")),
    ("idx_incidents_list_kind", Some("kind")),
    ("idx_incidents_list_severity", Some("severity")),
    ("idx_incidents_list_status", Some("status")),
    ("idx_incidents_list_reporter", Some("reporter_id")),
    ("idx_incidents_list_responder", Some("responder_id")),
    ("idx_incidents_list_officer", Some("officer_id")),
];

/// The indexes they replace and their column.
const REPLACED: [(&str, &str); 7] = [
    ("idx_incidents_created", "created_at"),
    ("idx_incidents_reporter", "reporter_id"),
    ("idx_incidents_phase", "phase"),
    ("idx_incidents_kind", "kind"),
    ("idx_incidents_status", "status"),
    ("idx_incidents_severity", "severity"),
    ("idx_incidents_responder", "responder_id"),
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for (name, first) in LIST {
            let columns = match first {
                Some(c) => format!("{c}, created_at, seq"),
                None => "created_at, seq".into(),
            };
            db.execute_unprepared(&format!("CREATE INDEX {name} ON incidents ({columns})"))
                .await?;
        }
        for (name, _) in REPLACED {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for (name, column) in REPLACED {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON incidents ({column})"))
                .await?;
        }
        for (name, _) in LIST {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        Ok(())
    }
}
