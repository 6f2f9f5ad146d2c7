//! The threat-intelligence store as the pages show it: what an import did,
//! the indicators it holds, and what it knows of an observable.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What one import did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    /// Objects in the bundle, of every type.
    pub objects: usize,
    /// Indicators kept.
    pub indicators: usize,
    /// Of those, the ones whose pattern is matched automatically.
    pub automatic: usize,
    /// Indicators that replaced an earlier import of the same STIX id.
    pub replaced: usize,
}

/// An indicator of the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntelIndicatorView {
    pub stix_id: String,
    pub name: String,
    pub pattern: String,
    pub source: String,
    pub valid_from: DateTime<Utc>,
    pub valid_until: Option<DateTime<Utc>>,
    /// Its pattern is in the subset compared automatically.
    pub automatic: bool,
    /// Why not, when it is not.
    pub unread: String,
    pub imported_at: DateTime<Utc>,
}

/// An indicator in force that an observable's value matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known {
    pub name: String,
    pub source: String,
    pub valid_until: Option<DateTime<Utc>>,
}

/// The store's page: how many indicators, and the newest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntelPage {
    pub total: u64,
    pub newest: Vec<IntelIndicatorView>,
}
