//! Server functions for external parties: the administrator's organisations
//! and memberships, the officer's engagements, the vendor's report. The
//! backend enforces who may do each.

use leptos::prelude::*;
use uuid::Uuid;

use crate::domain::AppError;
use crate::domain::external::{EngageForm, OrganisationForm, OrganisationView, ReportParts};
use crate::domain::form::FormResult;

#[server(endpoint = "organisations/list")]
pub async fn list_organisations() -> Result<Vec<OrganisationView>, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .organisations(&actor)
        .await
        .map_err(ctx::status)
}

#[server(endpoint = "organisations/create")]
pub async fn create_organisation(form: OrganisationForm) -> Result<FormResult<Uuid>, AppError> {
    use crate::api::ctx;
    use crate::domain::external::validate_organisation;
    let actor = ctx::actor()?;
    let valid = match validate_organisation(&form) {
        Ok(v) => v,
        Err(errors) => return Ok(FormResult::Invalid(errors)),
    };
    ctx::services()?
        .create_organisation(&actor, valid)
        .await
        .map(FormResult::Done)
        .map_err(ctx::status)
}

/// `organisation` empty takes the user out of any organisation.
#[server(endpoint = "users/organisation")]
pub async fn set_user_organisation(
    user: Uuid,
    organisation: String,
) -> Result<FormResult<()>, AppError> {
    use crate::api::ctx;
    use crate::domain::form::Checker;
    let actor = ctx::actor()?;
    let mut c = Checker::default();
    let org = c.optional_choice("organisation", &organisation, |s| Uuid::parse_str(s).ok());
    if let Err(errors) = c.finish(|| ()) {
        return Ok(FormResult::Invalid(errors));
    }
    ctx::services()?
        .set_user_organisation(&actor, user, org)
        .await
        .map_err(ctx::status)
}

/// The officer engages an organisation on incident `id`.
#[server(endpoint = "incidents/engage")]
pub async fn engage(id: String, form: EngageForm) -> Result<FormResult<()>, AppError> {
    use crate::domain::external::validate_engagement;
    use crate::ports::IncidentOp;
    let op = validate_engagement(&form, chrono::Utc::now()).map(IncidentOp::Engage);
    crate::api::workflow::ssr::run(&id, op).await
}

#[server(endpoint = "incidents/engagement/revoke")]
pub async fn revoke_engagement(
    id: String,
    engagement: String,
    reason: String,
) -> Result<FormResult<()>, AppError> {
    use crate::domain::form::Checker;
    use crate::ports::IncidentOp;
    let mut c = Checker::default();
    let engagement = c.choice("engagement", &engagement, |s| Uuid::parse_str(s).ok());
    let op = c.finish(|| IncidentOp::Revoke {
        engagement: engagement.expect("checked above"),
        reason,
    });
    crate::api::workflow::ssr::run(&id, op).await
}

/// The engaged vendor submits its full-investigation report in four parts.
#[server(endpoint = "incidents/investigation-report")]
pub async fn submit_investigation_report(
    id: String,
    parts: ReportParts,
) -> Result<FormResult<()>, AppError> {
    use crate::domain::external::validate_report;
    use crate::ports::IncidentOp;
    let op = validate_report(&parts).map(IncidentOp::SubmitReport);
    crate::api::workflow::ssr::run(&id, op).await
}
