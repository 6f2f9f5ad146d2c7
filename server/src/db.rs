//! Connecting to SQLite or PostgreSQL, bringing the schema up to date, and
//! the one way every service starts a transaction that writes
//! ([`begin_write`]).

use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    if let Some(path) = sqlite_file(url)
        && let Some(dir) = std::path::Path::new(&path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
    }
    let mut opts = ConnectOptions::new(url.to_string());
    opts.max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(false)
        // Per connection, not once per pool: WAL lets readers work while one
        // writer writes; foreign keys are off by default in SQLite; a writer
        // waits for the lock for a while instead of failing at once.
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    let db = Database::connect(opts).await?;
    Ok(db)
}

/// Starts a transaction that is going to write. Every service's write path
/// begins with it.
///
/// On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), waiting up
/// to the busy timeout for another writer to finish. A plain (deferred)
/// transaction that reads first and writes later fails instead with
/// "database is locked" when another writer committed in between: its read
/// snapshot is stale and cannot become a write, and the busy timeout does
/// not help. On PostgreSQL it is a plain transaction; a service that reads a
/// row and then changes it locks the row first (a no-op `UPDATE`, as
/// `services::timeline::lock` and `accounts::lock_user` do) so that two
/// changes of one row take turns instead of racing.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// The file behind a `sqlite://path?…` URL, if it is one.
fn sqlite_file(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| path.to_string())
}
