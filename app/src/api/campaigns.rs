//! Server functions for campaigns: the list, one campaign's page, and the
//! officer's changes. Each checks its form here (field errors come back in
//! place) and leaves the permission to the services.

use leptos::prelude::*;
use uuid::Uuid;

use crate::domain::AppError;
use crate::domain::campaign::{CampaignForm, CampaignSummary, CampaignView};
use crate::domain::form::FormResult;

#[server(endpoint = "campaigns/list")]
pub async fn campaigns() -> Result<Vec<CampaignSummary>, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .campaigns(&actor)
        .await
        .map_err(ctx::status)
}

#[server(endpoint = "campaigns/get")]
pub async fn campaign(id: Uuid) -> Result<CampaignView, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .campaign(&actor, id)
        .await
        .map_err(ctx::status)
}

/// Confirms a campaign of the incidents named (human ids, one per line or
/// separated by commas).
#[server(endpoint = "campaigns/confirm")]
pub async fn confirm_campaign(
    form: CampaignForm,
    incidents: String,
) -> Result<FormResult<Uuid>, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    let v = match form.validate() {
        Ok(v) => v,
        Err(e) => return Ok(FormResult::Invalid(e)),
    };
    ctx::services()?
        .confirm_campaign(&actor, v, &incidents)
        .await
        .map_err(ctx::status)
}

#[server(endpoint = "campaigns/update")]
pub async fn update_campaign(id: Uuid, form: CampaignForm) -> Result<FormResult<()>, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    let v = match form.validate() {
        Ok(v) => v,
        Err(e) => return Ok(FormResult::Invalid(e)),
    };
    ctx::services()?
        .update_campaign(&actor, id, v)
        .await
        .map_err(ctx::status)
}

#[server(endpoint = "campaigns/add")]
pub async fn add_to_campaign(id: Uuid, incidents: String) -> Result<FormResult<()>, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .add_to_campaign(&actor, id, &incidents)
        .await
        .map_err(ctx::status)
}

#[server(endpoint = "campaigns/remove")]
pub async fn remove_from_campaign(id: Uuid, incident: String) -> Result<(), AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .remove_from_campaign(&actor, id, &incident)
        .await
        .map_err(ctx::status)
}
