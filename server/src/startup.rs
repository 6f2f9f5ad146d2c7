//! Building and running the application: configuration in, a bound listener
//! out. `Application::build` returns the bound address, so tests can bind
//! port 0 and run side by side.

use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use playbooks::HandlingModel;

use crate::config::Config;
use crate::services::create_first_admin;
use crate::session_store::DbSessionStore;
use crate::web::{AppState, app};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("playbooks: {0}")]
    Playbooks(#[from] playbooks::PlaybookError),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("creating the administrator failed: {0}")]
    Admin(crate::services::error::ServiceError),
    #[error("audit trail: {0}")]
    Audit(#[from] crate::integrity::OpenError),
    #[error("{0}")]
    Other(String),
}

pub fn load_model(config: &Config) -> Result<HandlingModel, StartError> {
    Ok(match &config.playbooks_dir {
        Some(dir) => HandlingModel::load_dir(dir)?,
        None => HandlingModel::builtin(),
    })
}

/// Connects, migrates and opens the audit trail (loads its key, adopts what
/// predates it): what every command that writes needs.
pub async fn connect_sealed(
    config: &Config,
    max_connections: u32,
) -> Result<DatabaseConnection, StartError> {
    let db = crate::db::connect(&config.database_url, max_connections).await?;
    crate::db::migrate(&db).await?;
    crate::integrity::open(&db, &config.audit).await?;
    Ok(db)
}

/// Connects, migrates, opens the audit trail and makes sure there is an
/// administrator.
pub async fn prepare(config: &Config) -> Result<DatabaseConnection, StartError> {
    let db = connect_sealed(config, config.db_max_connections).await?;
    match create_first_admin(
        &db,
        &config.admin_username,
        config
            .admin_password
            .as_ref()
            .map(|p| p.expose().to_owned()),
    )
    .await
    {
        Ok(Some((username, Some(password)))) => {
            // Printed once, to the terminal of whoever started the server.
            println!("Created administrator '{username}' with password: {password}");
            println!("Sign in and change it under 'My account'.");
        }
        Ok(Some((username, None))) => {
            println!("Created administrator '{username}' (password from HIKESHI_ADMIN_PASSWORD).")
        }
        Ok(None) => {}
        Err(e) => return Err(StartError::Admin(e)),
    }
    Ok(db)
}

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    pub state: AppState,
}

impl Application {
    pub async fn build(config: Config) -> Result<Application, StartError> {
        let model = load_model(&config)?;
        crate::reports::Templates::load(config.report_templates_dir.as_deref())
            .map_err(|e| StartError::Other(e.to_string()))?;
        let db = prepare(&config).await?;
        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(|source| StartError::Bind {
                addr: config.bind,
                source,
            })?;
        let state = AppState::new(config, db, model);
        Ok(Application {
            listener,
            router: app(state.clone()),
            state,
        })
    }

    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub async fn run(self) -> std::io::Result<()> {
        crate::mail::spawn_sender(
            self.state.hikeshi.db.clone(),
            self.state.config.mail.clone(),
        );
        crate::services::reminders::spawn(self.state.hikeshi.db.clone(), Duration::from_secs(60));
        crate::services::subscriptions::spawn(
            self.state.hikeshi.db.clone(),
            Duration::from_secs(60),
        );
        crate::services::evidence::spawn_sweeper(
            self.state.hikeshi.db.clone(),
            self.state.hikeshi.evidence.clone(),
            Duration::from_secs(3600),
        );
        // The fonts for PDF reports are listed soon after start, not at the
        // first report; not at once, so the first pages do not wait for the
        // font files to be read.
        tokio::spawn(async {
            tokio::time::sleep(Duration::from_secs(10)).await;
            let japanese = tokio::task::spawn_blocking(crate::pdf::warm).await;
            if matches!(japanese, Ok(false)) {
                tracing::warn!(
                    "no Japanese font is installed (fonts-noto-cjk): PDF reports in Japanese are refused"
                );
            }
        });
        // Metrics rows missing (an upgrade, a restore) are built from the
        // timelines; the page counts what is there meanwhile.
        {
            let db = self.state.hikeshi.db.clone();
            tokio::spawn(async move {
                match crate::services::metrics::backfill(&db).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(incidents = n, "metrics built from the timelines"),
                    Err(e) => tracing::error!(error = %e, "metrics could not be built"),
                }
            });
        }
        // Log-triage runs a restart interrupted start again.
        {
            let (db, store, model) = (
                self.state.hikeshi.db.clone(),
                self.state.hikeshi.evidence.clone(),
                self.state.hikeshi.model.clone(),
            );
            tokio::spawn(async move {
                match crate::services::triage_runs::resume(&db, &store, &model).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(runs = n, "log triage resumed"),
                    Err(e) => tracing::error!(error = %e, "log triage could not resume"),
                }
            });
        }
        crate::integrity::heads::spawn(
            self.state.hikeshi.db.clone(),
            self.state.config.audit.heads_file.clone(),
            Duration::from_secs(24 * 3600),
        );
        let store = DbSessionStore::new(self.state.hikeshi.db.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(3600));
            loop {
                tick.tick().await;
                if let Err(e) = store.delete_expired().await {
                    tracing::warn!(error = %e, "removing expired sessions failed");
                }
            }
        });
        // The peer address reaches the handlers (`ConnectInfo`): sign-in
        // throttling counts failures by source.
        serve(self.listener, self.router, shutdown_signal()).await
    }
}

/// How long a client may take to send a request's headers, counted from the
/// moment the server waits for them (a new connection, or the end of the
/// previous response on a kept-alive one). Past it the connection is closed,
/// so a client trickling headers a byte at a time (slowloris), or opening
/// connections and sending nothing, cannot hold them.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long shutting down waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// The accept loop. HTTP/1.1 only: browsers speak HTTP/2 to us only over
/// TLS, which a proxy in front terminates, and the HTTP/2 detection of a
/// plain connection would wait for its first bytes without any timeout.
/// Each request carries `ConnectInfo<SocketAddr>` with the peer's address.
pub async fn serve(
    listener: TcpListener,
    router: axum::Router,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    use axum::extract::ConnectInfo;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::server::graceful::GracefulShutdown;
    use hyper_util::service::TowerToHyperService;
    use tower::ServiceExt;

    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of file descriptors and the like: back off, keep serving.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let router = router.clone();
        let service = tower::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(req)
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after {SHUTDOWN_GRACE:?}; stopping anyway");
    }
    Ok(())
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
