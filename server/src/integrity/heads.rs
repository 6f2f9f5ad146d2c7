//! Publishing the heads: the ledger's newest entry and every incident's
//! chain head, with a MAC, once a day to the log and as one JSON line
//! appended to a file an operator archives somewhere the database's users
//! cannot write. Truncating the trail (deleting the newest entries and moving
//! a head back) leaves a database that is consistent in itself; it is
//! caught by `verify` against an earlier publication.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use sea_orm::{DatabaseConnection, DbErr, EntityTrait};
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;

use super::AuditKey;
use crate::entity::incident;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerHead {
    pub seq: i64,
    pub mac: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    pub seq: i32,
    pub hash: String,
}

/// What one publication states. Serialised in a fixed order (struct fields,
/// sorted incident ids), so its MAC can be recomputed from a parsed line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heads {
    pub at: String,
    pub key_id: String,
    pub ledger: LedgerHead,
    /// Human id → chain head.
    pub incidents: BTreeMap<String, ChainHead>,
}

/// One line of the heads file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    #[serde(flatten)]
    pub heads: Heads,
    pub mac: String,
}

impl Heads {
    pub fn mac(&self, key: &AuditKey) -> String {
        let text = serde_json::to_string(self).unwrap_or_default();
        key.mac("hikeshi-heads-v1", &[&text])
    }
}

impl Published {
    pub fn is_signed_by(&self, key: &AuditKey) -> bool {
        self.heads.key_id == key.id() && self.heads.mac(key) == self.mac
    }
}

/// The heads as they are now.
pub async fn current(db: &DatabaseConnection, key: &AuditKey) -> Result<Heads, DbErr> {
    let head = super::ledger::head(db).await?;
    let incidents = incident::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|i| {
            let h = ChainHead {
                seq: i.last_event_seq,
                hash: i.last_event_hash,
            };
            (i.human_id, h)
        })
        .collect();
    Ok(Heads {
        at: Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
        key_id: key.id(),
        ledger: LedgerHead {
            seq: head.seq,
            mac: head.mac,
        },
        incidents,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error("cannot append to {path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Writes the current heads to the log and appends them to `path`.
pub async fn publish(
    db: &DatabaseConnection,
    key: &AuditKey,
    path: &Path,
) -> Result<Published, PublishError> {
    let heads = current(db, key).await?;
    let published = Published {
        mac: heads.mac(key),
        heads,
    };
    let line = serde_json::to_string(&published).unwrap_or_default();
    tracing::info!(
        target: "hikeshi::audit",
        ledger_seq = published.heads.ledger.seq,
        incidents = published.heads.incidents.len(),
        heads = %line,
        "audit heads published"
    );
    let file_error = |source| PublishError::File {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(dir).await.map_err(file_error)?;
    }
    let mut f = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .await
        .map_err(file_error)?;
    f.write_all(format!("{line}\n").as_bytes())
        .await
        .map_err(file_error)?;
    f.sync_data().await.map_err(file_error)?;
    Ok(published)
}

/// The lines of a heads file, each parsed or with why not (by line number).
pub fn read(path: &Path) -> std::io::Result<Vec<(usize, Result<Published, String>)>> {
    let text = std::fs::read_to_string(path)?;
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            let parsed = serde_json::from_str::<Published>(l).map_err(|e| e.to_string());
            (n + 1, parsed)
        })
        .collect())
}

/// Publishes now and then every `every`, under the installed key.
pub fn spawn(db: DatabaseConnection, path: PathBuf, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            let result = match super::key() {
                Ok(key) => publish(&db, key, &path).await.map(|_| ()),
                Err(e) => Err(PublishError::Database(e)),
            };
            if let Err(e) = result {
                tracing::error!(target: "hikeshi::audit", error = %e, "publishing the audit heads failed");
            }
        }
    });
}
