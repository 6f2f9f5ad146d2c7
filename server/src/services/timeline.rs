//! The incident timeline: an append-only list of events (who, when, what,
//! before/after), hash-chained per incident so that changing, removing or
//! reordering a stored event is detectable. The incident row holds the head of
//! its chain; appending locks that row, so events of one incident are written
//! one at a time on both databases.

use std::collections::BTreeMap;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::entity::{incident, incident_event};

/// Event detail: a flat map of strings, so the hash input is canonical (keys
/// sorted) and the page can show any event without knowing its kind.
pub type Detail = BTreeMap<String, String>;

pub fn detail<const N: usize>(pairs: [(&str, String); N]) -> Detail {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The hash of one event, over everything stored about it and the hash of
/// the event before it.
#[allow(clippy::too_many_arguments)] // one argument per hashed column
pub fn chain_hash(
    prev: &str,
    incident: Uuid,
    seq: i32,
    at: DateTime<Utc>,
    actor: Option<Uuid>,
    kind: &str,
    task: Option<Uuid>,
    detail_json: &str,
) -> String {
    let mut h = Sha256::new();
    let actor = actor.map(|a| a.to_string()).unwrap_or_else(|| "-".into());
    let task = task.map(|t| t.to_string()).unwrap_or_else(|| "-".into());
    for part in [
        prev,
        &incident.to_string(),
        &seq.to_string(),
        &at.timestamp_micros().to_string(),
        &actor,
        kind,
        &task,
        detail_json,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    format!("{:x}", h.finalize())
}

/// Locks the incident row for the rest of the transaction (a write takes the
/// row lock on PostgreSQL and the database write lock on SQLite) and returns
/// it as it is now.
pub async fn lock(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<incident::Model>, DbErr> {
    let res = incident::Entity::update_many()
        .col_expr(
            incident::Column::LastEventSeq,
            Expr::col(incident::Column::LastEventSeq),
        )
        .filter(incident::Column::Id.eq(id))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Ok(None);
    }
    incident::Entity::find_by_id(id).one(conn).await
}

/// Appends an event to a locked incident's chain and moves the head.
pub async fn append(
    conn: &impl ConnectionTrait,
    incident: &incident::Model,
    actor: Option<Uuid>,
    kind: &str,
    task: Option<Uuid>,
    detail: Detail,
) -> Result<(), DbErr> {
    let seq = incident.last_event_seq + 1;
    // Stored timestamps keep microseconds on both databases; hash what is kept.
    let at = Utc::now().trunc_subsecs(6);
    let detail_json = serde_json::to_string(&detail).map_err(|e| DbErr::Custom(e.to_string()))?;
    let hash = chain_hash(
        &incident.last_event_hash,
        incident.id,
        seq,
        at,
        actor,
        kind,
        task,
        &detail_json,
    );
    incident_event::ActiveModel {
        id: Set(Uuid::new_v4()),
        incident_id: Set(incident.id),
        seq: Set(seq),
        at: Set(at),
        actor_id: Set(actor),
        kind: Set(kind.to_string()),
        task_id: Set(task),
        detail: Set(detail_json),
        prev_hash: Set(incident.last_event_hash.clone()),
        hash: Set(hash.clone()),
    }
    .insert(conn)
    .await?;
    incident::Entity::update_many()
        .col_expr(incident::Column::LastEventSeq, Expr::value(seq))
        .col_expr(incident::Column::LastEventHash, Expr::value(hash))
        .filter(incident::Column::Id.eq(incident.id))
        .exec(conn)
        .await?;
    Ok(())
}

/// The first broken link of one incident's chain, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    pub human_id: String,
    pub seq: i32,
    pub problem: String,
}

/// Re-computes every incident's chain. Returns the number of events checked
/// and, per broken incident, its first broken link.
pub async fn verify_all(db: &DatabaseConnection) -> Result<(u64, Vec<Broken>), DbErr> {
    let mut checked = 0;
    let mut broken = Vec::new();
    let incidents = incident::Entity::find()
        .order_by_asc(incident::Column::CreatedAt)
        .all(db)
        .await?;
    for i in incidents {
        let events = incident_event::Entity::find()
            .filter(incident_event::Column::IncidentId.eq(i.id))
            .order_by_asc(incident_event::Column::Seq)
            .all(db)
            .await?;
        checked += events.len() as u64;
        if let Some(b) = first_break(&i, &events) {
            broken.push(b);
        }
    }
    Ok((checked, broken))
}

fn first_break(i: &incident::Model, events: &[incident_event::Model]) -> Option<Broken> {
    let broken = |seq: i32, problem: &str| {
        Some(Broken {
            human_id: i.human_id.clone(),
            seq,
            problem: problem.to_string(),
        })
    };
    let mut prev = String::new();
    for (n, e) in events.iter().enumerate() {
        let expected_seq = n as i32 + 1;
        if e.seq != expected_seq {
            return broken(expected_seq, "event missing or out of order");
        }
        if e.prev_hash != prev {
            return broken(e.seq, "does not link to the event before it");
        }
        let h = chain_hash(
            &prev,
            e.incident_id,
            e.seq,
            e.at,
            e.actor_id,
            &e.kind,
            e.task_id,
            &e.detail,
        );
        if h != e.hash {
            return broken(e.seq, "content does not match its hash");
        }
        prev = e.hash.clone();
    }
    if i.last_event_seq != events.len() as i32 || i.last_event_hash != prev {
        return broken(
            events.len() as i32 + 1,
            "newest events missing (chain head does not match)",
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_changes_the_hash() {
        let at = Utc::now().trunc_subsecs(6);
        let id = Uuid::new_v4();
        let base = chain_hash("p", id, 1, at, None, "k", None, "{}");
        assert_eq!(base, chain_hash("p", id, 1, at, None, "k", None, "{}"));
        let variants = [
            chain_hash("q", id, 1, at, None, "k", None, "{}"),
            chain_hash("p", Uuid::new_v4(), 1, at, None, "k", None, "{}"),
            chain_hash("p", id, 2, at, None, "k", None, "{}"),
            chain_hash(
                "p",
                id,
                1,
                at + chrono::Duration::microseconds(1),
                None,
                "k",
                None,
                "{}",
            ),
            chain_hash("p", id, 1, at, Some(id), "k", None, "{}"),
            chain_hash("p", id, 1, at, None, "j", None, "{}"),
            chain_hash("p", id, 1, at, None, "k", Some(id), "{}"),
            chain_hash("p", id, 1, at, None, "k", None, "{\"a\":\"b\"}"),
        ];
        for v in variants {
            assert_ne!(v, base);
        }
        // Field boundaries are part of the input: moving text between fields changes it.
        assert_ne!(
            chain_hash("ab", id, 1, at, None, "c", None, ""),
            chain_hash("a", id, 1, at, None, "bc", None, "")
        );
    }
}
