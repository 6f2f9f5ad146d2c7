//! Evidence preservation: the organisation's log sources, each incident's
//! checklist (generated at triage and as assets are added), the evidence
//! registry with its files stored by SHA-256, the append-only chain of
//! custody, verification, and the custody report and evidence bundle.
//!
//! - `log_sources`: the organisation's devices and their retention;
//! - `checklist`: what each incident must preserve, and by when;
//! - `registry`: upload, custody, verification, disposal;
//! - `sweep`: removing files nothing refers to;
//! - `download`: handing files out, with their custody events;
//! - `views`: the incident page, the custody report, the bundle.

mod checklist;
mod download;
mod log_sources;
mod registry;
mod sweep;
mod views;

pub(in crate::services) use checklist::{generate_checklist, waive_item};
pub(in crate::services) use download::authorised as authorised_item;
pub use download::{Download, download, kind_for, write_zip};
pub(in crate::services) use log_sources::{log_sources, save_log_source};
pub(in crate::services) use registry::custody as custody_of;
pub use registry::{UploadForm, UploadOutcome, may_upload, upload, verify_all};
pub(in crate::services) use registry::{
    record_custody, record_verification, rehash, remove_if_unreferenced,
};
pub use sweep::{SWEEP_GRACE, Swept, spawn_sweeper, sweep};
pub(in crate::services) use views::views;
pub use views::{bundle_name, custody_report, for_export, md};
