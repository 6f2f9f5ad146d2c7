//! Server functions for mail: the reader's own settings, and the
//! administrator's view of undelivered mail.

use leptos::prelude::*;

use crate::domain::AppError;
use crate::domain::account::{MailSettings, PendingMail};
use crate::domain::form::FormResult;

#[server(endpoint = "mail/settings")]
pub async fn get_mail_settings() -> Result<MailSettings, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .mail_settings(&actor)
        .await
        .map_err(ctx::status)
}

/// `opt_out[]`: the kinds of mail not wanted.
#[server(endpoint = "mail/settings/save")]
pub async fn save_mail_settings(
    email: String,
    language: String,
    opt_out: Option<Vec<String>>,
) -> Result<FormResult<()>, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    let settings = MailSettings {
        email,
        language,
        opt_out: opt_out.unwrap_or_default(),
    };
    ctx::services()?
        .save_mail_settings(&actor, settings)
        .await
        .map_err(ctx::status)
}

#[server(endpoint = "mail/undelivered")]
pub async fn undelivered_mail() -> Result<Vec<PendingMail>, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .undelivered_mail(&actor)
        .await
        .map_err(ctx::status)
}
