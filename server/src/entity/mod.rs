//! sea-orm entities, one module per table.

pub mod allowlist_entry;
pub mod asset;
pub mod audit_log;
pub mod checklist_item;
pub mod containment;
pub mod custody_event;
pub mod engagement;
pub mod evidence;
pub mod incident;
pub mod incident_counter;
pub mod incident_event;
pub mod incident_phase;
pub mod intel_indicator;
pub mod intel_key;
pub mod investigation_report;
pub mod log_source;
pub mod login_throttle;
pub mod notification;
pub mod observable;
pub mod organisation;
pub mod outbox;
pub mod playbook_version;
pub mod session;
pub mod task;
pub mod user;
pub mod user_role;
