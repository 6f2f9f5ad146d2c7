//! Building and running the application: configuration in, a bound listener
//! out. `Application::build` returns the bound address, so tests can bind
//! port 0 and run side by side.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use playbooks::HandlingModel;

use crate::config::Config;
use crate::services::{Hikeshi, create_first_admin};
use crate::session_store::DbSessionStore;
use crate::web::{AppState, app, leptos_options};

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
    #[error("creating the first administrator failed: {0}")]
    Admin(app::domain::AppError),
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
    match create_first_admin(&db, &config.admin_username, config.admin_password.clone()).await {
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
        let db = prepare(&config).await?;
        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(|source| StartError::Bind {
                addr: config.bind,
                source,
            })?;
        let state = AppState {
            hikeshi: Hikeshi {
                db,
                evidence: crate::evidence_store::EvidenceStore::new(
                    &config.evidence_dir,
                    config.evidence_max_bytes,
                ),
                model: Arc::new(model),
                auth: crate::auth::Auth::new(&config),
            },
            leptos: leptos_options(&config),
            config: Arc::new(config),
        };
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
        crate::services::evidence::spawn_sweeper(
            self.state.hikeshi.db.clone(),
            self.state.hikeshi.evidence.clone(),
            Duration::from_secs(3600),
        );
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
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
    }
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
