//! The Hikeshi server: configuration, persistence (sea-orm on SQLite or
//! PostgreSQL), the services behind the server functions, authentication and
//! the HTTP application. `main.rs` is only the command line around it.

pub mod auth;
pub mod config;
pub mod db;
pub mod entity;
pub mod evidence_store;
pub mod feeds;
pub mod integrity;
pub mod mail;
pub mod pdf;
pub mod reports;
pub mod services;
pub mod session_store;
pub mod startup;
pub mod stix;
pub mod taxii_client;
pub mod triage;
pub mod web;
pub mod web_evidence;
pub mod web_intel;
pub mod web_metrics;
pub mod web_reports;
pub mod web_taxii;

pub use startup::Application;
pub use web::{AppState, app};
