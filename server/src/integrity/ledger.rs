//! The integrity ledger's two tables and the only code that appends to them.

use chrono::{SubsecRound, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use sea_orm::{DatabaseConnection, TransactionTrait};

use super::AuditKey;
use super::rows::{Record, TABLES, read_table};
use crate::entity::{incident, incident_event};

pub mod entry {
    use sea_orm::entity::prelude::*;

    /// One sealed state of one covered row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "integrity_ledger")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub seq: i64,
        pub at: DateTimeUtc,
        pub tbl: String,
        pub row_id: String,
        /// `rows::Record::digest`, or `absent`.
        pub digest: String,
        /// JSON: field → 64-bit hint, to name what changed.
        pub fields: String,
        /// `write` (sealed as it was written) or `adopt` (found at the first
        /// keyed start).
        pub origin: String,
        pub prev_mac: String,
        pub mac: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod head {
    use sea_orm::entity::prelude::*;

    /// The newest entry's seq and MAC; row 1 only.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "integrity_head")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub seq: i64,
        pub mac: String,
        /// `AuditKey::id` of the key that sealed the newest entry.
        pub key_id: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Write,
    Adopt,
}

impl Origin {
    pub fn id(self) -> &'static str {
        match self {
            Origin::Write => "write",
            Origin::Adopt => "adopt",
        }
    }
}

/// The MAC of an entry: over everything in it and the MAC before it.
pub fn entry_mac(key: &AuditKey, e: &entry::Model) -> String {
    key.mac(
        "hikeshi-ledger-v1",
        &[
            &e.seq.to_string(),
            &e.at.timestamp_micros().to_string(),
            &e.tbl,
            &e.row_id,
            &e.digest,
            &e.fields,
            &e.origin,
            &e.prev_mac,
        ],
    )
}

fn missing_head() -> DbErr {
    DbErr::Custom("integrity_head row 1 is missing".into())
}

pub async fn head(conn: &impl ConnectionTrait) -> Result<head::Model, DbErr> {
    head::Entity::find_by_id(1)
        .one(conn)
        .await?
        .ok_or_else(missing_head)
}

/// Locks the head for the rest of the transaction (a write: the row lock on
/// PostgreSQL, the write lock on SQLite) and returns it.
async fn lock(conn: &impl ConnectionTrait) -> Result<head::Model, DbErr> {
    let res = head::Entity::update_many()
        .col_expr(head::Column::Seq, Expr::col(head::Column::Seq))
        .filter(head::Column::Id.eq(1))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(missing_head());
    }
    head(conn).await
}

/// Appends one entry per record, in order, and moves the head.
pub async fn append(
    conn: &impl ConnectionTrait,
    key: &AuditKey,
    records: &[Record],
    origin: Origin,
) -> Result<(), DbErr> {
    if records.is_empty() {
        return Ok(());
    }
    let head = lock(conn).await?;
    // Stored timestamps keep microseconds on both databases; MAC what is kept.
    let at = Utc::now().trunc_subsecs(6);
    let (mut seq, mut prev) = (head.seq, head.mac);
    let mut entries = Vec::with_capacity(records.len());
    for r in records {
        seq += 1;
        let mut e = entry::Model {
            seq,
            at,
            tbl: r.table.to_string(),
            row_id: r.row_id.clone(),
            digest: r.digest(),
            fields: r.hints_json(),
            origin: origin.id().to_string(),
            prev_mac: prev,
            mac: String::new(),
        };
        e.mac = entry_mac(key, &e);
        prev = e.mac.clone();
        entries.push(e);
    }
    // Bounded statements: a large adoption goes in chunks.
    for chunk in entries.chunks(200) {
        entry::Entity::insert_many(chunk.iter().cloned().map(|e| entry::ActiveModel {
            seq: Set(e.seq),
            at: Set(e.at),
            tbl: Set(e.tbl),
            row_id: Set(e.row_id),
            digest: Set(e.digest),
            fields: Set(e.fields),
            origin: Set(e.origin),
            prev_mac: Set(e.prev_mac),
            mac: Set(e.mac),
        }))
        .exec_without_returning(conn)
        .await?;
    }
    head::Entity::update_many()
        .col_expr(head::Column::Seq, Expr::value(seq))
        .col_expr(head::Column::Mac, Expr::value(prev))
        .col_expr(head::Column::KeyId, Expr::value(key.id()))
        .filter(head::Column::Id.eq(1))
        .exec(conn)
        .await?;
    Ok(())
}

/// The first keyed start: seals every covered row as it is found, in one
/// transaction. Returns how many rows were adopted. Refuses when a timeline
/// already carries this key's MACs: then the database was sealed before and
/// its ledger has been emptied, and adopting would launder whatever was done.
pub async fn adopt_all(db: &DatabaseConnection, key: &AuditKey) -> Result<u64, DbErr> {
    let txn = db.begin().await?;
    // Another instance may have adopted meanwhile: decide under the lock.
    if lock(&txn).await?.seq > 0 {
        return Ok(0);
    }
    let mut records = Vec::new();
    for table in TABLES {
        records.extend(read_table(&txn, table).await?);
    }
    for i in incident::Entity::find()
        .filter(incident::Column::LastEventSeq.gt(0))
        .all(&txn)
        .await?
    {
        let newest = incident_event::Entity::find()
            .filter(incident_event::Column::IncidentId.eq(i.id))
            .filter(incident_event::Column::Seq.eq(i.last_event_seq))
            .one(&txn)
            .await?;
        if newest.is_some_and(|e| {
            let mac = crate::services::timeline::Link::of(&e.prev_hash, &e).keyed(key);
            mac == e.hash
        }) {
            return Err(DbErr::Custom(format!(
                "the integrity ledger is empty, but {} was written under this audit key: \
                 the ledger was deleted; restore it from a backup and run `hikeshi audit verify`",
                i.human_id
            )));
        }
    }
    append(&txn, key, &records, Origin::Adopt).await?;
    txn.commit().await?;
    Ok(records.len() as u64)
}
