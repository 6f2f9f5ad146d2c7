//! `hikeshi audit verify`: recomputes the ledger's MAC chain, compares every
//! covered row with its newest seal, recomputes every incident's timeline
//! and, given a heads file, checks the database is neither behind nor
//! diverging from any published head. Every difference is named: table,
//! row, the fields that differ and the ledger seq it differs from.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::AuditKey;
use super::heads::{self, Published};
use super::ledger::{self, Origin, entry, entry_mac};
use super::rows::{ABSENT, TABLES, read_table};
use crate::services::timeline::{self, BeforeKey, Chain};

/// One difference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// A covered table, `incident_events`, `integrity_ledger`,
    /// `integrity_head` or `heads file`.
    pub table: String,
    /// The row (`INC-2026-0001 (uuid)`, a username and id, a seq, a line).
    pub row: String,
    /// The ledger entry it differs from, when there is one.
    pub seq: Option<i64>,
    pub problem: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.table, self.row, self.problem)?;
        if let Some(seq) = self.seq {
            write!(f, " [ledger seq {seq}]")?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Default)]
pub struct Report {
    pub key_id: String,
    pub entries: u64,
    pub rows: u64,
    pub events: u64,
    /// Timeline events from before the key: checked as plain SHA-256.
    pub unkeyed_events: u64,
    /// Rows sealed as found at the first keyed start, and when.
    pub adopted_rows: u64,
    pub adopted_at: Option<DateTime<Utc>>,
    /// Lines of the heads file checked.
    pub publications: u64,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }

    /// The findings about one table.
    pub fn about(&self, table: &str) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.table == table).collect()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error("cannot read the heads file {0}: {1}")]
    Heads(String, std::io::Error),
}

fn finding(table: &str, row: impl ToString, seq: Option<i64>, problem: String) -> Finding {
    Finding {
        table: table.to_string(),
        row: row.to_string(),
        seq,
        problem,
    }
}

/// The newest seal of a row.
struct Seal {
    seq: i64,
    at: DateTime<Utc>,
    digest: String,
    fields: String,
}

/// Incidents that existed before the key (adopted at the first keyed
/// start), with how far their unkeyed events may go.
pub async fn adopted_incidents(
    db: &impl ConnectionTrait,
) -> Result<HashMap<Uuid, BeforeKey>, DbErr> {
    Ok(entry::Entity::find()
        .filter(entry::Column::Tbl.eq("incidents"))
        .filter(entry::Column::Origin.eq(Origin::Adopt.id()))
        .all(db)
        .await?
        .iter()
        .filter_map(adoption)
        .collect())
}

/// An incident's adoption seal: its id and the head it committed to.
fn adoption(e: &entry::Model) -> Option<(Uuid, BeforeKey)> {
    if e.tbl != "incidents" || e.origin != Origin::Adopt.id() {
        return None;
    }
    let id = Uuid::parse_str(&e.row_id).ok()?;
    let fields: BTreeMap<String, String> = serde_json::from_str(&e.fields).ok()?;
    let hint = fields.get("last_event_seq")?.clone();
    Some((id, BeforeKey::Committed(hint)))
}

/// Verifies everything under `key`; `heads` is a heads file to hold the
/// database against.
pub async fn verify(
    db: &DatabaseConnection,
    key: &AuditKey,
    heads: Option<&Path>,
) -> Result<Report, VerifyError> {
    let mut report = Report {
        key_id: key.id(),
        ..Report::default()
    };
    let published = match heads {
        Some(p) => heads::read(p).map_err(|e| VerifyError::Heads(p.display().to_string(), e))?,
        None => Vec::new(),
    };
    let wanted: HashSet<i64> = published
        .iter()
        .filter_map(|(_, p)| p.as_ref().ok().map(|p| p.heads.ledger.seq))
        .collect();

    // 1. The ledger's own chain, and the newest seal of every row.
    let mut latest: HashMap<(String, String), Seal> = HashMap::new();
    let mut adopted = HashMap::new();
    let mut macs_at: HashMap<i64, String> = HashMap::new();
    let (mut expected, mut prev, mut chain_ok) = (1i64, String::new(), true);
    let mut last_seq = 0i64;
    loop {
        let page = entry::Entity::find()
            .filter(entry::Column::Seq.gt(last_seq))
            .order_by_asc(entry::Column::Seq)
            .limit(1000)
            .all(db)
            .await?;
        let Some(last) = page.last().map(|e| e.seq) else {
            break;
        };
        for e in page {
            report.entries += 1;
            if chain_ok {
                let problem = if e.seq != expected {
                    Some(format!(
                        "entries missing or out of order: expected seq {expected}, found seq {}",
                        e.seq
                    ))
                } else if e.prev_mac != prev {
                    Some("does not link to the entry before it".to_string())
                } else if entry_mac(key, &e) != e.mac {
                    Some("MAC does not match: rewritten, or verified with another key".to_string())
                } else {
                    None
                };
                if let Some(problem) = problem {
                    let row = format!("seq {} ({} {})", e.seq, e.tbl, e.row_id);
                    report
                        .findings
                        .push(finding("integrity_ledger", row, Some(e.seq), problem));
                    // Past the first break every later link is suspect anyway.
                    chain_ok = false;
                }
            }
            if e.origin == Origin::Adopt.id() {
                report.adopted_rows += 1;
                report.adopted_at = Some(e.at);
                adopted.extend(adoption(&e));
            }
            if wanted.contains(&e.seq) {
                macs_at.insert(e.seq, e.mac.clone());
            }
            prev = e.mac.clone();
            expected = e.seq + 1;
            latest.insert(
                (e.tbl, e.row_id),
                Seal {
                    seq: e.seq,
                    at: e.at,
                    digest: e.digest,
                    fields: e.fields,
                },
            );
        }
        last_seq = last;
    }
    let head = ledger::head(db).await?;
    if head.seq != last_seq || head.mac != prev {
        report.findings.push(finding(
            "integrity_head",
            "1",
            Some(head.seq),
            format!(
                "the head (seq {}) does not match the newest entry (seq {last_seq}): \
                 entries deleted, or the head moved, outside Hikeshi",
                head.seq
            ),
        ));
    }

    // 2. Every covered row against its newest seal.
    let sealed = last_seq > 0;
    if !sealed {
        report.findings.push(finding(
            "integrity_ledger",
            "-",
            None,
            "the ledger is empty: this database was never sealed (start Hikeshi once with \
             its audit key), or the ledger was deleted"
                .into(),
        ));
    }
    for table in TABLES.iter().filter(|_| sealed) {
        for r in read_table(db, table).await? {
            report.rows += 1;
            let Some(s) = latest.remove(&(table.to_string(), r.row_id.clone())) else {
                report.findings.push(finding(
                    table,
                    r.name(),
                    None,
                    "not in the ledger: written outside Hikeshi".into(),
                ));
                continue;
            };
            if s.digest == ABSENT {
                let problem = "present, but sealed as deleted".to_string();
                report
                    .findings
                    .push(finding(table, r.name(), Some(s.seq), problem));
            } else if s.digest != r.digest() {
                let sealed: BTreeMap<String, String> =
                    serde_json::from_str(&s.fields).unwrap_or_default();
                let now = r.hints();
                let differ: Vec<&str> = sealed
                    .keys()
                    .chain(now.keys())
                    .filter(|k| sealed.get(*k) != now.get(*k))
                    .map(String::as_str)
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                let what = if differ.is_empty() {
                    "its digest".to_string()
                } else {
                    format!("field(s) {}", differ.join(", "))
                };
                let problem = format!(
                    "{what} differ from the seal of {}",
                    s.at.format("%Y-%m-%d %H:%M:%S UTC")
                );
                report
                    .findings
                    .push(finding(table, r.name(), Some(s.seq), problem));
            }
        }
    }
    for ((table, row), s) in latest {
        if s.digest == ABSENT || !sealed {
            continue;
        }
        let problem = if TABLES.contains(&table.as_str()) {
            "missing: deleted outside Hikeshi".to_string()
        } else {
            "the ledger names a table that is not covered".to_string()
        };
        report
            .findings
            .push(finding(&table, row, Some(s.seq), problem));
    }

    // 3. Every incident's timeline. A database never sealed has only
    //    unkeyed events to show.
    if !sealed {
        adopted = incident_ids(db).await?;
    }
    let chains = timeline::verify_chains(db, key, &adopted).await?;
    for c in &chains {
        report.events += c.hashes.len() as u64;
        report.unkeyed_events += c.unkeyed;
        if let Some(b) = &c.broken {
            let problem = format!("event #{}: {}", b.seq, b.problem);
            let row = format!("{} ({})", c.human_id, c.incident);
            report
                .findings
                .push(finding("incident_events", row, None, problem));
        }
    }

    // 4. The published heads.
    check_heads(&mut report, key, &published, last_seq, &macs_at, &chains);
    Ok(report)
}

async fn incident_ids(db: &DatabaseConnection) -> Result<HashMap<Uuid, BeforeKey>, DbErr> {
    Ok(crate::entity::incident::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, BeforeKey::All))
        .collect())
}

/// The database must hold every published head: a ledger at least as long,
/// with the same MAC at the published seq; every published incident with at
/// least as many events and the same hash at the published one. Only the
/// newest publication that fails is named for each subject.
fn check_heads(
    report: &mut Report,
    key: &AuditKey,
    published: &[(usize, Result<Published, String>)],
    last_seq: i64,
    macs_at: &HashMap<i64, String>,
    chains: &[Chain],
) {
    let chain_of: HashMap<&str, &Chain> = chains.iter().map(|c| (c.human_id.as_str(), c)).collect();
    let mut named: HashSet<String> = HashSet::new();
    for (line, p) in published.iter().rev() {
        report.publications += 1;
        let at_line = format!("line {line}");
        let p = match p {
            Ok(p) => p,
            Err(e) => {
                let problem = format!("not a heads line: {e}");
                report
                    .findings
                    .push(finding("heads file", at_line, None, problem));
                continue;
            }
        };
        if !p.is_signed_by(key) {
            let problem = format!(
                "not published under this key (line says key id {}, verifying with {}), \
                 or altered",
                p.heads.key_id,
                key.id()
            );
            report
                .findings
                .push(finding("heads file", at_line, None, problem));
            continue;
        }
        let at = &p.heads.at;
        let l = &p.heads.ledger;
        if l.seq > 0 && !named.contains("ledger") {
            let problem = if l.seq > last_seq {
                Some(format!(
                    "behind the head published {at} ({at_line}): published seq {}, the \
                     database ends at seq {last_seq} — newest entries deleted",
                    l.seq
                ))
            } else if macs_at.get(&l.seq) != Some(&l.mac) {
                Some(format!(
                    "diverges from the head published {at} ({at_line}) at seq {}",
                    l.seq
                ))
            } else {
                None
            };
            if let Some(problem) = problem {
                named.insert("ledger".into());
                report.findings.push(finding(
                    "integrity_ledger",
                    format!("seq {}", l.seq),
                    Some(l.seq),
                    problem,
                ));
            }
        }
        for (hid, h) in &p.heads.incidents {
            if h.seq <= 0 || named.contains(hid) {
                continue;
            }
            let problem = match chain_of.get(hid.as_str()) {
                None => Some(format!(
                    "missing: published {at} ({at_line}) with {} event(s)",
                    h.seq
                )),
                Some(c) if c.hashes.len() < h.seq as usize => Some(format!(
                    "behind the head published {at} ({at_line}): published event #{}, the \
                     database has {} — newest events deleted",
                    h.seq,
                    c.hashes.len()
                )),
                Some(c) if c.hashes[h.seq as usize - 1] != h.hash => Some(format!(
                    "diverges from the head published {at} ({at_line}) at event #{}",
                    h.seq
                )),
                Some(_) => None,
            };
            if let Some(problem) = problem {
                named.insert(hid.clone());
                report
                    .findings
                    .push(finding("incident_events", hid, None, problem));
            }
        }
    }
}
