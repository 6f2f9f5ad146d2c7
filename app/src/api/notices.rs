//! The public notification form (外部からの通知窓口): no account needed.

use leptos::prelude::*;

use crate::domain::AppError;
use crate::domain::form::FormResult;
use crate::domain::notice::{NoticeForm, NoticeReceipt};

/// A notice from outside. Whatever the sender typed is never shown back to
/// them: the answer is a reference, or "try later" past the limits.
#[server(endpoint = "notify")]
pub async fn submit_notice(form: NoticeForm) -> Result<FormResult<NoticeReceipt>, AppError> {
    use crate::api::ctx;
    use crate::domain::notice::validate_notice;

    let notice = match validate_notice(&form) {
        Ok(n) => n,
        Err(errors) => return Ok(FormResult::Invalid(errors)),
    };
    let receipt = ctx::services()?
        .submit_notice(&crate::api::auth::client_address(), notice)
        .await
        .map_err(ctx::status)?;
    Ok(FormResult::Done(receipt))
}
