//! The incident timeline: an append-only list of events (who, when, what,
//! before/after), chained per incident so that changing, removing or
//! reordering a stored event is detectable. Each event carries an
//! HMAC-SHA256 under the audit key (`integrity::AuditKey`) over its content
//! and the MAC before it, so a chain cannot be recomputed with database
//! access alone. Events written before the key existed keep their plain
//! SHA-256 hash (`Link::unkeyed`); they verify as "unkeyed" only up to the
//! chain head that the incident's adoption seal (at the first keyed start)
//! committed to.
//!
//! The incident row holds the head of its chain; appending locks that row, so
//! events of one incident are written one at a time on both databases, and
//! seals the row (with its new head) in the integrity ledger.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, Set,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use app::domain::event::EventKind;

use crate::entity::{incident, incident_event};
use crate::integrity::{self, AuditKey, Covered};

/// Event detail: a flat map of strings, so the hash input is canonical (keys
/// sorted) and the page can show any event without knowing its kind.
pub type Detail = BTreeMap<String, String>;

pub fn detail<const N: usize>(pairs: [(&str, String); N]) -> Detail {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Everything stored about one event that its link covers, with the link
/// of the event before it.
#[derive(Clone, Copy, Debug)]
pub struct Link<'a> {
    pub prev: &'a str,
    pub incident: Uuid,
    pub seq: i32,
    pub at: DateTime<Utc>,
    pub actor: Option<Uuid>,
    pub kind: &'a str,
    pub task: Option<Uuid>,
    pub detail_json: &'a str,
}

impl<'a> Link<'a> {
    /// A stored event, as linked to `prev`.
    pub fn of(prev: &'a str, e: &'a incident_event::Model) -> Link<'a> {
        Link {
            prev,
            incident: e.incident_id,
            seq: e.seq,
            at: e.at,
            actor: e.actor_id,
            kind: &e.kind,
            task: e.task_id,
            detail_json: &e.detail,
        }
    }

    /// What both versions of the link are computed over, in order.
    fn parts(&self) -> [String; 8] {
        let or_dash = |id: Option<Uuid>| id.map_or_else(|| "-".into(), |i| i.to_string());
        [
            self.prev.into(),
            self.incident.to_string(),
            self.seq.to_string(),
            self.at.timestamp_micros().to_string(),
            or_dash(self.actor),
            self.kind.into(),
            or_dash(self.task),
            self.detail_json.into(),
        ]
    }

    /// The unkeyed (version 1) hash: what events written before the audit
    /// key carry. Anyone can recompute it, so it is only accepted for them.
    pub fn unkeyed(&self) -> String {
        let mut h = Sha256::new();
        for part in self.parts() {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        format!("{:x}", h.finalize())
    }

    /// The keyed (version 2) link: HMAC-SHA256 under the audit key.
    pub fn keyed(&self, key: &AuditKey) -> String {
        let parts = self.parts();
        key.mac("hikeshi-event-v2", &parts.each_ref().map(String::as_str))
    }
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

/// Appends an event to a locked incident's chain, moves the head and seals
/// the incident row with it.
pub async fn append(
    conn: &impl ConnectionTrait,
    incident: &incident::Model,
    actor: Option<Uuid>,
    kind: EventKind,
    task: Option<Uuid>,
    detail: Detail,
) -> Result<(), DbErr> {
    let moves_metrics = super::metrics::moves_metrics(kind);
    let kind = kind.id();
    let seq = incident.last_event_seq + 1;
    // Stored timestamps keep microseconds on both databases; hash what is kept.
    let at = Utc::now().trunc_subsecs(6);
    let detail_json = serde_json::to_string(&detail).map_err(|e| DbErr::Custom(e.to_string()))?;
    let hash = Link {
        prev: &incident.last_event_hash,
        incident: incident.id,
        seq,
        at,
        actor,
        kind,
        task,
        detail_json: &detail_json,
    }
    .keyed(integrity::key()?);
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
    if moves_metrics {
        super::metrics::refresh(conn, incident.id).await?;
    }
    integrity::seal(conn, Covered::Incident(incident.id)).await
}

/// The first broken link of one incident's chain, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    pub human_id: String,
    pub seq: i32,
    pub problem: String,
}

/// One incident's chain as verified: its events' hashes (for comparing with
/// published heads), how many of them predate the key, its first break.
#[derive(Clone, Debug)]
pub struct Chain {
    pub incident: Uuid,
    pub human_id: String,
    pub hashes: Vec<String>,
    pub unkeyed: u64,
    pub broken: Option<Broken>,
}

/// How far the unkeyed events of an incident from before the key may go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BeforeKey {
    /// All of them: a database that was never sealed.
    All,
    /// Up to the chain head its adoption seal committed to: the hint of the
    /// incident's `last_event_seq` in that seal.
    Committed(String),
}

/// Re-computes every incident's chain under the installed audit key.
/// Returns the number of events checked and, per broken incident, its first
/// broken link.
pub async fn verify_all(db: &DatabaseConnection) -> Result<(u64, Vec<Broken>), DbErr> {
    let adopted = integrity::verify::adopted_incidents(db).await?;
    let chains = verify_chains(db, integrity::key()?, &adopted).await?;
    let checked = chains.iter().map(|c| c.hashes.len() as u64).sum();
    Ok((
        checked,
        chains.into_iter().filter_map(|c| c.broken).collect(),
    ))
}

/// Re-computes every incident's chain under `key`. Unkeyed events are
/// accepted only for incidents in `adopted` (those from before the key), up
/// to where their `BeforeKey` says.
pub async fn verify_chains(
    db: &DatabaseConnection,
    key: &AuditKey,
    adopted: &HashMap<Uuid, BeforeKey>,
) -> Result<Vec<Chain>, DbErr> {
    let mut chains = Vec::new();
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
        let (unkeyed, broken) = first_break(key, &i, &events, adopted.get(&i.id));
        chains.push(Chain {
            incident: i.id,
            human_id: i.human_id,
            hashes: events.into_iter().map(|e| e.hash).collect(),
            unkeyed,
            broken,
        });
    }
    Ok(chains)
}

/// The first broken link of one incident's chain, if any (`verify_all`
/// for one incident: a report's check).
pub async fn verify_one(db: &DatabaseConnection, id: Uuid) -> Result<Option<Broken>, DbErr> {
    let Some(i) = incident::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let adopted = integrity::verify::adopted_incidents(db).await?;
    let events = incident_event::Entity::find()
        .filter(incident_event::Column::IncidentId.eq(id))
        .order_by_asc(incident_event::Column::Seq)
        .all(db)
        .await?;
    Ok(first_break(integrity::key()?, &i, &events, adopted.get(&id)).1)
}

fn first_break(
    key: &AuditKey,
    i: &incident::Model,
    events: &[incident_event::Model],
    adopted: Option<&BeforeKey>,
) -> (u64, Option<Broken>) {
    let broken = |seq: i32, problem: &str| {
        Some(Broken {
            human_id: i.human_id.clone(),
            seq,
            problem: problem.to_string(),
        })
    };
    let mut prev = String::new();
    let mut unkeyed = 0;
    let row_id = i.id.to_string();
    let key_from = match adopted {
        None => 0,
        Some(BeforeKey::All) => i32::MAX,
        Some(BeforeKey::Committed(hint)) => (0..=events.len() as i32)
            .rev()
            .find(|n| {
                integrity::rows::field_hint("incidents", &row_id, "last_event_seq", &n.to_string())
                    == *hint
            })
            .unwrap_or(0),
    };
    for (n, e) in events.iter().enumerate() {
        let expected_seq = n as i32 + 1;
        if e.seq != expected_seq {
            return (
                unkeyed,
                broken(expected_seq, "event missing or out of order"),
            );
        }
        if e.prev_hash != prev {
            return (
                unkeyed,
                broken(e.seq, "does not link to the event before it"),
            );
        }
        let link = Link::of(&prev, e);
        if link.keyed(key) != e.hash {
            if link.unkeyed() != e.hash {
                return (
                    unkeyed,
                    broken(
                        e.seq,
                        "content does not match its MAC (rewritten, or verified with another key)",
                    ),
                );
            }
            if e.seq > key_from {
                return (
                    unkeyed,
                    broken(
                        e.seq,
                        "hashed without the audit key (plain SHA-256) where a keyed MAC belongs: \
                         rewritten or inserted by someone without the key",
                    ),
                );
            }
            unkeyed += 1;
        }
        prev = e.hash.clone();
    }
    if i.last_event_seq != events.len() as i32 || i.last_event_hash != prev {
        return (
            unkeyed,
            broken(
                events.len() as i32 + 1,
                "newest events missing (chain head does not match)",
            ),
        );
    }
    (unkeyed, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_changes_the_hash() {
        let id = Uuid::new_v4();
        let base = Link {
            prev: "p",
            incident: id,
            seq: 1,
            at: Utc::now().trunc_subsecs(6),
            actor: None,
            kind: "k",
            task: None,
            detail_json: "{}",
        };
        assert_eq!(base.unkeyed(), base.unkeyed());
        let variants = [
            Link { prev: "q", ..base },
            Link {
                incident: Uuid::new_v4(),
                ..base
            },
            Link { seq: 2, ..base },
            Link {
                at: base.at + chrono::Duration::microseconds(1),
                ..base
            },
            Link {
                actor: Some(id),
                ..base
            },
            Link { kind: "j", ..base },
            Link {
                task: Some(id),
                ..base
            },
            Link {
                detail_json: "{\"a\":\"b\"}",
                ..base
            },
        ];
        for v in variants {
            assert_ne!(v.unkeyed(), base.unkeyed());
        }
        // Field boundaries are part of the input: moving text between fields changes it.
        assert_ne!(
            Link {
                prev: "ab",
                kind: "c",
                detail_json: "",
                ..base
            }
            .unkeyed(),
            Link {
                prev: "a",
                kind: "bc",
                detail_json: "",
                ..base
            }
            .unkeyed()
        );
    }
}
