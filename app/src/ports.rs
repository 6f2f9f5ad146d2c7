//! The port between the thin server functions of this crate and the services
//! of the `server` crate, which implements it. Server functions find the
//! implementation in the Leptos context; they never touch the database.

use std::sync::Arc;

use uuid::Uuid;

use crate::domain::account::{MailSettings, PendingMail, SessionUser, UserRow, ValidNewUser};
use crate::domain::evidence::OrgLogSource;
use crate::domain::external::{OrganisationView, ValidOrganisation};
use crate::domain::form::FormResult;
use crate::domain::incident::{IncidentDetail, IncidentPage, IncidentQuery, ValidReport};
use crate::domain::policy::Actor;
use crate::domain::workspace::{MyTask, NotificationView};
use crate::domain::{AppError, Role};
use crate::model::{Catalogue, ModelView};

pub use crate::domain::operation::{EmergencyNow, IncidentOp};

/// Outcome of a sign-in attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignIn {
    Accepted(SessionUser),
    /// Unknown user, wrong password or a deactivated account: one answer for all.
    Rejected,
    /// Too many recent failures from this source, or for this account from
    /// this source: wait this many seconds.
    Throttled(u64),
}

/// Where a request comes from, as the HTTP layer saw it. The server decides
/// which address counts: `forwarded_for` only when `peer` is one of its
/// trusted proxies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientAddress {
    /// The TCP peer; `None` when the router is driven without a listener.
    pub peer: Option<std::net::IpAddr>,
    /// The `X-Forwarded-For` values, in the order received.
    pub forwarded_for: Vec<String>,
}

#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    /// The handling model (phases and roles with their names) for display.
    fn model(&self) -> ModelView;
    /// The containment and log-source catalogues.
    fn catalogue(&self) -> Catalogue;

    /// `Busy` when password hashing is at its limit.
    async fn sign_in(
        &self,
        username: &str,
        password: &str,
        from: &ClientAddress,
    ) -> Result<SignIn, AppError>;
    /// Ends every session of the user; the caller keeps its own by cycling
    /// its id.
    async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
    ) -> Result<bool, AppError>;

    async fn report_incident(&self, actor: &Actor, report: ValidReport)
    -> Result<String, AppError>;
    /// Queues a log-triage analysis of an evidence item; its run id. Who may
    /// handle the item may analyse it.
    async fn analyse_evidence(
        &self,
        actor: &Actor,
        evidence: Uuid,
        format: Option<String>,
    ) -> Result<Uuid, AppError>;
    async fn cancel_analysis(&self, actor: &Actor, run: Uuid) -> Result<(), AppError>;
    /// A notice from the public notification form: no account, rate-limited
    /// per source; it becomes a phase-A report.
    async fn submit_notice(
        &self,
        from: &ClientAddress,
        notice: crate::domain::notice::ValidNotice,
    ) -> Result<crate::domain::notice::NoticeReceipt, AppError>;
    async fn list_incidents(
        &self,
        actor: &Actor,
        query: IncidentQuery,
    ) -> Result<IncidentPage, AppError>;
    /// By human id (`INC-2026-0001`). Not visible and not existing look the same.
    async fn incident(&self, actor: &Actor, human_id: &str) -> Result<IncidentDetail, AppError>;

    /// Applies one change to an incident. Refused by a workflow rule: a field
    /// error (`command` for the phase rules); refused for the reader's roles:
    /// `Forbidden`.
    async fn change_incident(
        &self,
        actor: &Actor,
        human_id: &str,
        op: IncidentOp,
    ) -> Result<FormResult<()>, AppError>;
    /// Open tasks of the current phase of open incidents, for the reader's
    /// roles or assigned to them.
    async fn my_tasks(&self, actor: &Actor) -> Result<Vec<MyTask>, AppError>;

    /// What each line of a pasted block would be recorded as, for a reader
    /// who may record observables on the incident.
    async fn preview_observables(
        &self,
        actor: &Actor,
        human_id: &str,
        block: &str,
    ) -> Result<Vec<crate::domain::observable::PastedLine>, AppError>;
    /// Shares an indicator through the TAXII collections, or stops.
    async fn share_observable(
        &self,
        actor: &Actor,
        human_id: &str,
        observable: Uuid,
        share: bool,
    ) -> Result<FormResult<()>, AppError>;
    /// The allow-list (the officer's).
    async fn allowlist(
        &self,
        actor: &Actor,
    ) -> Result<Vec<crate::domain::observable::AllowEntryView>, AppError>;
    async fn allow(
        &self,
        actor: &Actor,
        value: &str,
        note: &str,
    ) -> Result<FormResult<Uuid>, AppError>;
    async fn disallow(&self, actor: &Actor, entry: Uuid) -> Result<(), AppError>;
    /// Incidents that share indicators, proposed as campaigns.
    async fn campaign_proposals(
        &self,
        actor: &Actor,
    ) -> Result<Vec<crate::domain::campaign::ProposalView>, AppError>;
    /// Generates and records a report of an incident; its id, to download.
    async fn generate_report(
        &self,
        actor: &Actor,
        human_id: &str,
        request: crate::domain::report::ValidReportRequest,
    ) -> Result<FormResult<Uuid>, AppError>;
    /// Checks the report file of this SHA-256 against the database.
    async fn verify_report(
        &self,
        actor: &Actor,
        sha256: &str,
    ) -> Result<crate::domain::report::Verification, AppError>;
    /// The handling metrics over the incidents the filters select (the
    /// internal handling roles').
    async fn metrics(
        &self,
        actor: &Actor,
        query: crate::domain::metrics::MetricsQuery,
    ) -> Result<crate::domain::metrics::MetricsView, AppError>;
    /// The threat-intelligence store (the handlers').
    async fn intel(&self, actor: &Actor) -> Result<crate::domain::intel::IntelPage, AppError>;
    /// TAXII subscriptions (the officer's).
    async fn subscriptions(
        &self,
        actor: &Actor,
    ) -> Result<Vec<crate::domain::intel::SubscriptionView>, AppError>;
    async fn subscribe(
        &self,
        actor: &Actor,
        subscription: crate::domain::intel::ValidSubscription,
    ) -> Result<FormResult<Uuid>, AppError>;
    async fn unsubscribe(&self, actor: &Actor, id: Uuid) -> Result<(), AppError>;
    /// Polls a subscription now and tells how it went.
    async fn poll_subscription(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<crate::domain::intel::SubscriptionView, AppError>;
    /// Confirmed campaigns (the handlers').
    async fn campaigns(
        &self,
        actor: &Actor,
    ) -> Result<Vec<crate::domain::campaign::CampaignSummary>, AppError>;
    async fn campaign(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<crate::domain::campaign::CampaignView, AppError>;
    /// The officer confirms a campaign of these incidents (human ids).
    async fn confirm_campaign(
        &self,
        actor: &Actor,
        campaign: crate::domain::campaign::ValidCampaign,
        incidents: &str,
    ) -> Result<FormResult<Uuid>, AppError>;
    async fn update_campaign(
        &self,
        actor: &Actor,
        id: Uuid,
        campaign: crate::domain::campaign::ValidCampaign,
    ) -> Result<FormResult<()>, AppError>;
    async fn add_to_campaign(
        &self,
        actor: &Actor,
        id: Uuid,
        incidents: &str,
    ) -> Result<FormResult<()>, AppError>;
    async fn remove_from_campaign(
        &self,
        actor: &Actor,
        id: Uuid,
        human_id: &str,
    ) -> Result<(), AppError>;

    /// What the organisation declares for the log-triage detectors.
    async fn detection_settings(
        &self,
        actor: &Actor,
    ) -> Result<crate::domain::triage::DetectionSettings, AppError>;
    /// Replaces the declarations; a text the detectors cannot use is refused
    /// with the line and reason.
    async fn save_detection_settings(
        &self,
        actor: &Actor,
        text: String,
    ) -> Result<FormResult<()>, AppError>;

    /// The organisation's declared log sources.
    async fn log_sources(&self, actor: &Actor) -> Result<Vec<OrgLogSource>, AppError>;
    /// Declares a log source (`id` None) or changes one.
    async fn save_log_source(
        &self,
        actor: &Actor,
        source: OrgLogSource,
        is_new: bool,
    ) -> Result<FormResult<()>, AppError>;

    async fn mail_settings(&self, actor: &Actor) -> Result<MailSettings, AppError>;
    async fn save_mail_settings(
        &self,
        actor: &Actor,
        settings: MailSettings,
    ) -> Result<FormResult<()>, AppError>;
    /// Mail not yet delivered, with the last error: administrators only.
    async fn undelivered_mail(&self, actor: &Actor) -> Result<Vec<PendingMail>, AppError>;

    /// The reader's notifications, newest first (at most 200).
    async fn notifications(&self, actor: &Actor) -> Result<Vec<NotificationView>, AppError>;
    async fn unread_notifications(&self, actor: &Actor) -> Result<u64, AppError>;
    /// Marks all of the reader's notifications read.
    async fn mark_notifications_read(&self, actor: &Actor) -> Result<(), AppError>;

    async fn users(&self, actor: &Actor) -> Result<Vec<UserRow>, AppError>;
    /// Field errors when the username is taken or the organisation unknown.
    async fn create_user(
        &self,
        actor: &Actor,
        user: ValidNewUser,
    ) -> Result<FormResult<Uuid>, AppError>;
    /// Puts a user in an external organisation, or takes them out.
    async fn set_user_organisation(
        &self,
        actor: &Actor,
        user: Uuid,
        organisation: Option<Uuid>,
    ) -> Result<FormResult<()>, AppError>;

    /// External organisations (administrators and officers).
    async fn organisations(&self, actor: &Actor) -> Result<Vec<OrganisationView>, AppError>;
    async fn create_organisation(
        &self,
        actor: &Actor,
        organisation: ValidOrganisation,
    ) -> Result<Uuid, AppError>;
    async fn set_roles(&self, actor: &Actor, user: Uuid, roles: Vec<Role>) -> Result<(), AppError>;
    /// Deactivating ends the user's sessions at once.
    async fn set_active(&self, actor: &Actor, user: Uuid, active: bool) -> Result<(), AppError>;
    async fn reset_password(
        &self,
        actor: &Actor,
        user: Uuid,
        password: &str,
    ) -> Result<(), AppError>;
}

/// What the server puts in the Leptos context.
pub type Services = Arc<dyn Backend>;

/// The acting user as resolved by the server's session middleware and put in
/// the request's extensions: `None` when nobody is signed in.
#[derive(Clone, Debug, Default)]
pub struct CurrentUser(pub Option<Actor>);
