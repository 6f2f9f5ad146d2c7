//! The services behind the server functions. Each takes the acting user,
//! asks the policy (`app::domain::policy`) before anything else, and does its
//! writes in one transaction together with their audit record.
//!
//! Layers, each importing only those below it (no circles):
//! 1. `error`, `timeline`, `audit`, `throttle`: the error type, the hash-chained
//!    timeline and audit trail, sign-in throttling;
//! 2. `kernel`: the visible incident, the policy's facts about it, a task of
//!    it, appending an event;
//! 3. the nouns, each with its handlers: `external` (organisations and
//!    engagements), `accounts` (users; it reads engagements for an actor's
//!    grants), `evidence`, `containment`, `phases`, `tasks`, `assets`,
//!    `comments`, `incidents`;
//! 4. `dispatch` (authorise and apply every change to an incident) and the
//!    read models `workspace` and `reminders`;
//! 5. this module: the `Backend` port, where a `ServiceError` becomes the
//!    `AppError` the client sees (`error`'s header says which is which).

mod accounts;
mod assets;
pub mod audit;
pub mod campaigns;
mod comments;
mod containment;
mod detection;
mod dispatch;
pub mod error;
pub mod evidence;
mod external;
mod incidents;
mod intake;
pub mod intel;
mod kernel;
pub mod metrics;
mod notices;
pub mod observables;
mod phases;
pub mod prevention;
pub mod reminders;
pub mod reports;
pub mod subscriptions;
mod tasks;
pub mod taxii;
mod throttle;
pub mod timeline;
pub mod triage_runs;
mod workspace;

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use uuid::Uuid;

use app::domain::account::{MailSettings, PendingMail, UserRow, ValidNewUser};
use app::domain::evidence::{CustodyKind, OrgLogSource};
use app::domain::external::{OrganisationView, ValidOrganisation};
use app::domain::form::FormResult;
use app::domain::incident::{IncidentDetail, IncidentPage, IncidentQuery, ValidReport};
use app::domain::policy::Actor;
use app::domain::workspace::{MyTask, NotificationView};
use app::domain::{AppError, Role};
use app::model::ModelView;
use app::ports::{Backend, ClientAddress, IncidentOp, SignIn};
use playbooks::HandlingModel;

use error::ServiceError;

pub use kernel::match_hash;

pub use accounts::{
    Basic, SessionOwner, actor_by_id, basic, create_admin, create_first_admin,
    create_user_unchecked, end_sessions_of, session_owner,
};

#[derive(Clone)]
pub struct Hikeshi {
    pub db: DatabaseConnection,
    pub model: Arc<HandlingModel>,
    pub evidence: crate::evidence_store::EvidenceStore,
    /// Password hashing bound, trusted proxies, throttle table cap.
    pub auth: crate::auth::Auth,
    /// The organisation's name, as STIX and TAXII name it.
    pub organisation: String,
    /// The address users reach the server at (`HIKESHI_BASE_URL`).
    pub base_url: String,
    /// The report templates, checked at start.
    pub reports: Arc<crate::reports::Templates>,
}

#[async_trait::async_trait]
impl Backend for Hikeshi {
    fn model(&self) -> ModelView {
        ModelView {
            phases: self.model.phases.clone(),
            roles: self.model.roles.clone(),
            severities: self.model.severities.clone(),
        }
    }

    fn catalogue(&self) -> app::model::Catalogue {
        app::model::Catalogue {
            measures: self.model.measures.clone(),
            log_sources: self.model.log_sources.clone(),
        }
    }

    async fn sign_in(
        &self,
        username: &str,
        password: &str,
        from: &ClientAddress,
    ) -> Result<SignIn, AppError> {
        Ok(accounts::sign_in(&self.db, &self.auth, username, password, from).await?)
    }

    async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
    ) -> Result<bool, AppError> {
        Ok(accounts::change_password(&self.db, &self.auth.hashing, actor, current, new).await?)
    }

    async fn report_incident(
        &self,
        actor: &Actor,
        report: ValidReport,
    ) -> Result<String, AppError> {
        Ok(incidents::report(&self.db, &self.model, actor, report).await?)
    }

    async fn analyse_evidence(
        &self,
        actor: &Actor,
        evidence: Uuid,
        format: Option<String>,
    ) -> Result<Uuid, AppError> {
        let format = match format.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
            None => None,
            Some(f) => Some(crate::triage::parse_format(f).ok_or(AppError::NotFound)?),
        };
        Ok(triage_runs::start(
            &self.db,
            &self.evidence,
            &self.model,
            actor,
            evidence,
            format,
        )
        .await?)
    }

    async fn cancel_analysis(&self, actor: &Actor, run: Uuid) -> Result<(), AppError> {
        Ok(triage_runs::cancel(&self.db, actor, run).await?)
    }

    async fn submit_notice(
        &self,
        from: &ClientAddress,
        notice: app::domain::notice::ValidNotice,
    ) -> Result<app::domain::notice::NoticeReceipt, AppError> {
        Ok(intake::intake(&self.db, &self.model, &self.auth, from, notice).await?)
    }

    async fn list_incidents(
        &self,
        actor: &Actor,
        query: IncidentQuery,
    ) -> Result<IncidentPage, AppError> {
        Ok(incidents::list(&self.db, actor, query).await?)
    }

    async fn incident(&self, actor: &Actor, human_id: &str) -> Result<IncidentDetail, AppError> {
        Ok(workspace::get(&self.db, &self.model, actor, human_id).await?)
    }

    async fn change_incident(
        &self,
        actor: &Actor,
        human_id: &str,
        op: IncidentOp,
    ) -> Result<FormResult<()>, AppError> {
        // Nobody the policy refuses makes the server read a file.
        let found = dispatch::authorise(&self.db, &self.model, actor, human_id, &op).await?;
        let op = match op {
            // Re-hashing a large file holds no lock: it is done first, and
            // the result recorded under the incident's lock.
            IncidentOp::VerifyEvidence { evidence: id, .. } => IncidentOp::VerifyEvidence {
                evidence: id,
                actual: Some(evidence::rehash(&self.db, &self.evidence, id).await?),
            },
            op => op,
        };
        let disposed = match &op {
            IncidentOp::Custody {
                evidence: id,
                kind: CustodyKind::Disposed,
                ..
            } => Some(*id),
            _ => None,
        };
        let result = dispatch::change(&self.db, &self.model, actor, &found, op).await?;
        if let (Some(id), FormResult::Done(())) = (disposed, &result) {
            evidence::remove_if_unreferenced(&self.db, &self.evidence, id).await?;
        }
        Ok(result)
    }

    async fn preview_observables(
        &self,
        actor: &Actor,
        human_id: &str,
        block: &str,
    ) -> Result<Vec<app::domain::observable::PastedLine>, AppError> {
        // The same judgement as recording: whoever may not add them here
        // learns nothing about the incident from the preview.
        dispatch::authorise_observing(&self.db, actor, human_id).await?;
        if block.len() > app::domain::observable::BLOCK_MAX {
            return Err(AppError::Conflict(app::domain::ErrorCode::TooLong(
                app::domain::observable::BLOCK_MAX,
            )));
        }
        Ok(app::domain::observable::read_block(block))
    }

    async fn allowlist(
        &self,
        actor: &Actor,
    ) -> Result<Vec<app::domain::observable::AllowEntryView>, AppError> {
        Ok(observables::allowlist(&self.db, actor).await?)
    }

    async fn allow(
        &self,
        actor: &Actor,
        value: &str,
        note: &str,
    ) -> Result<FormResult<Uuid>, AppError> {
        Ok(observables::allow(&self.db, actor, value, note).await?)
    }

    async fn campaign_proposals(
        &self,
        actor: &Actor,
    ) -> Result<Vec<app::domain::campaign::ProposalView>, AppError> {
        Ok(observables::campaign_proposals(&self.db, actor).await?)
    }

    async fn generate_report(
        &self,
        actor: &Actor,
        human_id: &str,
        request: app::domain::report::ValidReportRequest,
    ) -> Result<FormResult<Uuid>, AppError> {
        let detail = workspace::get(&self.db, &self.model, actor, human_id).await?;
        match reports::generate(
            &self.db,
            &self.model,
            &self.reports,
            actor,
            &detail,
            request,
        )
        .await
        {
            Ok(g) => Ok(FormResult::Done(g.id)),
            Err(e) => e.into_form(),
        }
    }

    async fn verify_report(
        &self,
        actor: &Actor,
        sha256: &str,
    ) -> Result<app::domain::report::Verification, AppError> {
        Ok(reports::verify_for(&self.db, actor, sha256).await?)
    }

    async fn metrics(
        &self,
        actor: &Actor,
        query: app::domain::metrics::MetricsQuery,
    ) -> Result<app::domain::metrics::MetricsView, AppError> {
        Ok(metrics::view(&self.db, actor, query).await?)
    }

    async fn intel(&self, actor: &Actor) -> Result<app::domain::intel::IntelPage, AppError> {
        let (total, newest) = intel::list(&self.db, actor).await?;
        Ok(app::domain::intel::IntelPage {
            total,
            newest,
            taxii_root: format!("{}/taxii2/api/", self.base_url.trim_end_matches('/')),
            collections: taxii::COLLECTIONS
                .iter()
                .filter(|c| c.visible_to(actor))
                .map(|c| (c.id.to_string(), c.title.to_string()))
                .collect(),
            subscriptions: if app::domain::policy::may(
                actor,
                app::domain::policy::Action::ManageIntel,
            ) {
                subscriptions::list(&self.db, actor).await?
            } else {
                Vec::new()
            },
        })
    }

    async fn share_observable(
        &self,
        actor: &Actor,
        human_id: &str,
        observable: Uuid,
        share: bool,
    ) -> Result<FormResult<()>, AppError> {
        Ok(taxii::share(
            &self.db,
            actor,
            human_id,
            observable,
            share,
            &self.organisation,
        )
        .await?)
    }

    async fn subscriptions(
        &self,
        actor: &Actor,
    ) -> Result<Vec<app::domain::intel::SubscriptionView>, AppError> {
        Ok(subscriptions::list(&self.db, actor).await?)
    }

    async fn subscribe(
        &self,
        actor: &Actor,
        subscription: app::domain::intel::ValidSubscription,
    ) -> Result<FormResult<Uuid>, AppError> {
        Ok(subscriptions::create(&self.db, actor, subscription).await?)
    }

    async fn unsubscribe(&self, actor: &Actor, id: Uuid) -> Result<(), AppError> {
        Ok(subscriptions::remove(&self.db, actor, id).await?)
    }

    async fn poll_subscription(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<app::domain::intel::SubscriptionView, AppError> {
        Ok(subscriptions::run_now(&self.db, actor, id).await?)
    }

    async fn campaigns(
        &self,
        actor: &Actor,
    ) -> Result<Vec<app::domain::campaign::CampaignSummary>, AppError> {
        Ok(campaigns::list(&self.db, actor).await?)
    }

    async fn campaign(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<app::domain::campaign::CampaignView, AppError> {
        Ok(campaigns::view(&self.db, &self.model, actor, id).await?)
    }

    async fn confirm_campaign(
        &self,
        actor: &Actor,
        campaign: app::domain::campaign::ValidCampaign,
        incidents: &str,
    ) -> Result<FormResult<Uuid>, AppError> {
        Ok(campaigns::confirm(&self.db, actor, campaign, incidents).await?)
    }

    async fn update_campaign(
        &self,
        actor: &Actor,
        id: Uuid,
        campaign: app::domain::campaign::ValidCampaign,
    ) -> Result<FormResult<()>, AppError> {
        Ok(campaigns::update(&self.db, actor, id, campaign).await?)
    }

    async fn add_to_campaign(
        &self,
        actor: &Actor,
        id: Uuid,
        incidents: &str,
    ) -> Result<FormResult<()>, AppError> {
        Ok(campaigns::add_incidents(&self.db, actor, id, incidents).await?)
    }

    async fn remove_from_campaign(
        &self,
        actor: &Actor,
        id: Uuid,
        human_id: &str,
    ) -> Result<(), AppError> {
        Ok(campaigns::remove_incident(&self.db, actor, id, human_id).await?)
    }

    async fn disallow(&self, actor: &Actor, entry: Uuid) -> Result<(), AppError> {
        Ok(observables::disallow(&self.db, actor, entry).await?)
    }

    async fn log_sources(&self, actor: &Actor) -> Result<Vec<OrgLogSource>, AppError> {
        Ok(evidence::log_sources(&self.db, actor).await?)
    }

    async fn detection_settings(
        &self,
        actor: &Actor,
    ) -> Result<app::domain::triage::DetectionSettings, AppError> {
        Ok(detection::settings(&self.db, &self.model, actor).await?)
    }

    async fn save_detection_settings(
        &self,
        actor: &Actor,
        text: String,
    ) -> Result<FormResult<()>, AppError> {
        Ok(detection::save(&self.db, &self.model, actor, text).await?)
    }

    async fn save_log_source(
        &self,
        actor: &Actor,
        source: OrgLogSource,
        is_new: bool,
    ) -> Result<FormResult<()>, AppError> {
        Ok(evidence::save_log_source(&self.db, &self.model, actor, source, is_new).await?)
    }

    async fn mail_settings(&self, actor: &Actor) -> Result<MailSettings, AppError> {
        crate::mail::settings(&self.db, actor.id)
            .await
            .map_err(|e| ServiceError::from(e).into())
    }

    async fn save_mail_settings(
        &self,
        actor: &Actor,
        settings: MailSettings,
    ) -> Result<FormResult<()>, AppError> {
        crate::mail::save_settings(&self.db, actor.id, settings)
            .await
            .map_err(|e| ServiceError::from(e).into())
    }

    async fn undelivered_mail(&self, actor: &Actor) -> Result<Vec<PendingMail>, AppError> {
        if !app::domain::policy::may(actor, app::domain::policy::Action::SeeOutbox) {
            return Err(AppError::Forbidden);
        }
        Ok(crate::mail::undelivered(&self.db)
            .await
            .map_err(ServiceError::from)?
            .into_iter()
            .map(|m| PendingMail {
                to: m.to_address,
                subject: m.subject,
                kind: m.kind,
                created_at: m.created_at,
                attempts: m.attempts,
                next_attempt_at: m.next_attempt_at,
                last_error: m.last_error,
            })
            .collect())
    }

    async fn notifications(&self, actor: &Actor) -> Result<Vec<NotificationView>, AppError> {
        Ok(containment::notifications(&self.db, actor).await?)
    }

    async fn unread_notifications(&self, actor: &Actor) -> Result<u64, AppError> {
        Ok(containment::unread(&self.db, actor).await?)
    }

    async fn mark_notifications_read(&self, actor: &Actor) -> Result<(), AppError> {
        Ok(containment::mark_read(&self.db, actor).await?)
    }

    async fn my_tasks(&self, actor: &Actor) -> Result<Vec<MyTask>, AppError> {
        Ok(workspace::my_tasks(&self.db, actor).await?)
    }

    async fn users(&self, actor: &Actor) -> Result<Vec<UserRow>, AppError> {
        Ok(accounts::list(&self.db, actor).await?)
    }

    async fn create_user(
        &self,
        actor: &Actor,
        user: ValidNewUser,
    ) -> Result<FormResult<Uuid>, AppError> {
        Ok(accounts::create_from_form(&self.db, &self.auth.hashing, actor, user).await?)
    }

    async fn set_user_organisation(
        &self,
        actor: &Actor,
        user: Uuid,
        organisation: Option<Uuid>,
    ) -> Result<FormResult<()>, AppError> {
        Ok(accounts::set_user_organisation(&self.db, actor, user, organisation).await?)
    }

    async fn organisations(&self, actor: &Actor) -> Result<Vec<OrganisationView>, AppError> {
        Ok(external::organisations(&self.db, actor).await?)
    }

    async fn create_organisation(
        &self,
        actor: &Actor,
        organisation: ValidOrganisation,
    ) -> Result<Uuid, AppError> {
        Ok(external::create_organisation(&self.db, actor, organisation).await?)
    }

    async fn set_roles(&self, actor: &Actor, user: Uuid, roles: Vec<Role>) -> Result<(), AppError> {
        Ok(accounts::set_roles(&self.db, actor, user, roles).await?)
    }

    async fn set_active(&self, actor: &Actor, user: Uuid, active: bool) -> Result<(), AppError> {
        Ok(accounts::set_active(&self.db, actor, user, active).await?)
    }

    async fn reset_password(
        &self,
        actor: &Actor,
        user: Uuid,
        password: &str,
    ) -> Result<(), AppError> {
        Ok(accounts::reset_password(&self.db, &self.auth.hashing, actor, user, password).await?)
    }
}

#[cfg(test)]
mod layers_test;
