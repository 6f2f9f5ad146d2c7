//! The domain rules of Hikeshi as plain Rust: roles, phases, incidents, accounts,
//! form validation and the one authorisation policy. No database, no HTTP, no
//! Leptos: these compile for the browser too, so the server and the page agree on
//! every rule, and they are unit-tested exhaustively.

pub mod account;
pub mod campaign;
pub mod classification;
pub mod containment;
pub mod dates;
pub mod error;
pub mod event;
pub mod evidence;
pub mod external;
pub mod form;
pub mod ids;
pub mod incident;
pub mod intel;
pub mod metrics;
pub mod notice;
pub mod observable;
pub mod operation;
pub mod pattern;
pub mod phase;
pub mod policy;
pub mod prevention;
pub mod report;
pub mod role;
pub mod targets;
pub mod triage;
pub mod workflow;
pub mod workspace;

pub use error::AppError;
pub use form::{ErrorCode, FieldError, FormResult};
pub use phase::Phase;
pub use role::Role;
