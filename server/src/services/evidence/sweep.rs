//! Upkeep of the store: files no committed item refers to (refused or failed
//! uploads) and interrupted uploads' temporary files, removed after a grace
//! period under the store's exclusive guard.

use sea_orm::DatabaseConnection;

use super::registry::referenced;
use crate::evidence_store::EvidenceStore;
use crate::services::error::ServiceResult;

/// How old an unreferenced file must be before the sweep removes it: far
/// longer than any upload takes from "file in place" to "row committed",
/// including one running in another server process on the same store.
pub const SWEEP_GRACE: std::time::Duration = std::time::Duration::from_secs(3600);

/// What one sweep removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub files: usize,
    pub temporary: usize,
}

/// Removes stored files no committed item refers to (left by refused or
/// failed uploads) and temporary files of interrupted uploads, each once it
/// is older than `grace`. Each removal is decided under the store's
/// exclusive guard, after the file's age is read again.
pub async fn sweep(
    db: &DatabaseConnection,
    store: &EvidenceStore,
    grace: std::time::Duration,
) -> ServiceResult<Swept> {
    let old_enough = |t: std::time::SystemTime| {
        std::time::SystemTime::now()
            .duration_since(t)
            .is_ok_and(|age| age >= grace)
    };
    let mut swept = Swept {
        temporary: store.clean_tmp(grace).await?,
        ..Swept::default()
    };
    for (sha256, modified) in store.stored().await? {
        if !old_enough(modified) || referenced(db, &sha256).await? {
            continue;
        }
        let guard = store.exclusive().await;
        // Again under the guard: an upload may have replaced the file or
        // committed a row since the first look.
        let still_old = store.modified(&sha256).await?.is_some_and(old_enough);
        if still_old && !referenced(db, &sha256).await? {
            guard.remove(&sha256).await?;
            swept.files += 1;
        }
    }
    Ok(swept)
}

/// Sweeps at start and then every `every`.
pub fn spawn_sweeper(db: DatabaseConnection, store: EvidenceStore, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match sweep(&db, &store, SWEEP_GRACE).await {
                Ok(s) if s != Swept::default() => {
                    tracing::info!(
                        files = s.files,
                        temporary = s.temporary,
                        "evidence store swept"
                    )
                }
                Ok(_) => {}
                Err(_) => tracing::warn!("sweeping the evidence store failed"),
            }
        }
    });
}
