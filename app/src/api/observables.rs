//! Server functions for observables and the allow-list. Changes to an
//! incident's observables go through `change_incident` like every other
//! change; the preview of a pasted block and the allow-list have their own
//! backend calls.

use leptos::prelude::*;
use uuid::Uuid;

use crate::domain::AppError;
use crate::domain::form::FormResult;
use crate::domain::observable::{AllowEntryView, ObservableForm, PasteForm, PastedLine};

#[server(endpoint = "incidents/observable/add")]
pub async fn add_observable(id: String, form: ObservableForm) -> Result<FormResult<()>, AppError> {
    use crate::ports::IncidentOp;
    crate::api::workflow::ssr::run(&id, form.validate().map(IncidentOp::AddObservable)).await
}

#[server(endpoint = "incidents/observable/paste")]
pub async fn paste_observables(id: String, form: PasteForm) -> Result<FormResult<()>, AppError> {
    use crate::ports::IncidentOp;
    crate::api::workflow::ssr::run(&id, form.validate().map(IncidentOp::PasteObservables)).await
}

/// What each line of a block would be saved as, before saving: the type
/// read or guessed, the value in its normal form, or why the line is not
/// one. Only for those who may add observables to the incident.
#[server(endpoint = "incidents/observable/preview")]
pub async fn preview_observables(id: String, block: String) -> Result<Vec<PastedLine>, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .preview_observables(&actor, &id, &block)
        .await
        .map_err(ctx::status)
}

#[server(endpoint = "incidents/observable/edit")]
pub async fn edit_observable(
    id: String,
    observable: Uuid,
    tlp: String,
    pap: String,
    indicator: Option<String>,
    sighted: Option<String>,
    note: Option<String>,
) -> Result<FormResult<()>, AppError> {
    use crate::domain::classification::Tlp;
    use crate::domain::form::Checker;
    use crate::domain::observable::{NOTE_MAX, ObservableChange, Pap, checked};
    use crate::ports::IncidentOp;

    let mut c = Checker::default();
    let tlp = c.choice("tlp", &tlp, Tlp::from_id);
    let pap = c.choice("pap", &pap, Pap::from_id);
    let note = c
        .optional_text("note", note.as_deref().unwrap_or(""), NOTE_MAX)
        .unwrap_or_default();
    let op = c.finish(|| IncidentOp::EditObservable {
        observable,
        change: ObservableChange {
            tlp: tlp.expect("checked"),
            pap: pap.expect("checked"),
            indicator: checked(&indicator),
            sighted: checked(&sighted),
            note,
        },
    });
    crate::api::workflow::ssr::run(&id, op).await
}

#[server(endpoint = "incidents/observable/remove")]
pub async fn remove_observable(id: String, observable: Uuid) -> Result<FormResult<()>, AppError> {
    use crate::ports::IncidentOp;
    crate::api::workflow::ssr::run(&id, Ok(IncidentOp::RemoveObservable { observable })).await
}

/// Shares an indicator through the TAXII collections (`share` set), or
/// stops sharing it. The officer's.
#[server(endpoint = "incidents/observable/share")]
pub async fn share_observable(
    id: String,
    observable: Uuid,
    share: Option<String>,
) -> Result<FormResult<()>, AppError> {
    use crate::api::ctx;
    use crate::domain::observable::checked;
    let actor = ctx::actor()?;
    ctx::services()?
        .share_observable(&actor, &id, observable, checked(&share))
        .await
        .map_err(ctx::status)
}

#[server(endpoint = "allowlist")]
pub async fn allowlist() -> Result<Vec<AllowEntryView>, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .allowlist(&actor)
        .await
        .map_err(ctx::status)
}

#[server(endpoint = "allowlist/add")]
pub async fn allow(value: String, note: Option<String>) -> Result<FormResult<Uuid>, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .allow(&actor, &value, note.as_deref().unwrap_or(""))
        .await
        .map_err(ctx::status)
}

#[server(endpoint = "allowlist/remove")]
pub async fn disallow(entry: Uuid) -> Result<(), AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .disallow(&actor, entry)
        .await
        .map_err(ctx::status)
}

/// The threat-intelligence store: how many indicators, the newest.
#[server(endpoint = "intel/list")]
pub async fn intel() -> Result<crate::domain::intel::IntelPage, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?.intel(&actor).await.map_err(ctx::status)
}

/// Incidents that share indicators, proposed as campaigns.
#[server(endpoint = "intel/campaigns")]
pub async fn campaign_proposals() -> Result<Vec<crate::domain::campaign::ProposalView>, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .campaign_proposals(&actor)
        .await
        .map_err(ctx::status)
}

/// The officer's TAXII subscriptions.
#[server(endpoint = "intel/subscriptions")]
pub async fn subscriptions() -> Result<Vec<crate::domain::intel::SubscriptionView>, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .subscriptions(&actor)
        .await
        .map_err(ctx::status)
}

#[server(endpoint = "intel/subscribe")]
pub async fn subscribe(
    form: crate::domain::intel::SubscriptionForm,
) -> Result<FormResult<Uuid>, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    let v = match form.validate() {
        Ok(v) => v,
        Err(e) => return Ok(FormResult::Invalid(e)),
    };
    ctx::services()?
        .subscribe(&actor, v)
        .await
        .map_err(ctx::status)
}

#[server(endpoint = "intel/unsubscribe")]
pub async fn unsubscribe(subscription: Uuid) -> Result<(), AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .unsubscribe(&actor, subscription)
        .await
        .map_err(ctx::status)
}

#[server(endpoint = "intel/poll")]
pub async fn poll_subscription(
    subscription: Uuid,
) -> Result<crate::domain::intel::SubscriptionView, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .poll_subscription(&actor, subscription)
        .await
        .map_err(ctx::status)
}
