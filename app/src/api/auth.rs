//! Sign-in, sign-out, the current user and password changes.

use leptos::prelude::*;

use crate::domain::AppError;
use crate::domain::account::{ChangePasswordForm, SessionUser};
use crate::domain::form::FormResult;
use crate::model::ModelView;

/// Session key under which the signed-in user's id is kept. The session store
/// also copies it into its own column so a user's sessions can be ended.
pub const SESSION_USER_KEY: &str = "uid";

#[server(endpoint = "auth/login")]
pub async fn login(username: String, password: String) -> Result<FormResult<()>, AppError> {
    use crate::api::ctx;
    use crate::domain::{ErrorCode, FieldError};
    use crate::ports::SignIn;

    let services = ctx::services()?;
    match services
        .sign_in(&username, &password, &client_address())
        .await
        .map_err(ctx::status)?
    {
        SignIn::Accepted(user) => {
            let session = leptos_axum::extract::<tower_sessions::Session>()
                .await
                .map_err(|_| AppError::Internal)?;
            // A new id at sign-in: a session id planted before sign-in is worthless after it.
            session.cycle_id().await.map_err(|_| AppError::Internal)?;
            session
                .insert(SESSION_USER_KEY, user.id)
                .await
                .map_err(|_| AppError::Internal)?;
            leptos_axum::redirect("/incidents");
            Ok(FormResult::Done(()))
        }
        SignIn::Rejected => Ok(FormResult::Invalid(vec![FieldError {
            field: "password".into(),
            code: ErrorCode::InvalidCredentials,
        }])),
        SignIn::Throttled(seconds) => Ok(FormResult::Invalid(vec![FieldError {
            field: "username".into(),
            code: ErrorCode::Throttled(seconds),
        }])),
    }
}

/// The TCP peer (axum's `ConnectInfo`) and any `X-Forwarded-For` of the
/// request; the backend decides whether the header counts.
#[cfg(feature = "ssr")]
pub(crate) fn client_address() -> crate::ports::ClientAddress {
    use axum::extract::ConnectInfo;
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Default::default();
    };
    crate::ports::ClientAddress {
        peer: parts
            .extensions
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip()),
        forwarded_for: parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect(),
    }
}

#[server(endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    let session = leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|_| AppError::Internal)?;
    session.flush().await.map_err(|_| AppError::Internal)?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// The signed-in user, or `None`.
#[server(endpoint = "auth/me")]
pub async fn me() -> Result<Option<SessionUser>, AppError> {
    Ok(crate::api::ctx::current().map(|a| SessionUser::of(&a)))
}

#[server(endpoint = "auth/password")]
pub async fn change_password(form: ChangePasswordForm) -> Result<FormResult<()>, AppError> {
    use crate::api::ctx;
    use crate::domain::account::validate_change_password;
    use crate::domain::{ErrorCode, FieldError};

    let actor = ctx::actor()?;
    if let Err(errors) = validate_change_password(&form) {
        return Ok(FormResult::Invalid(errors));
    }
    // This session's data is read before the change ends every session
    // of the user in the store, so that it can go on under a new id.
    let session = leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|_| AppError::Internal)?;
    session
        .get::<uuid::Uuid>(SESSION_USER_KEY)
        .await
        .map_err(|_| AppError::Internal)?;
    let changed = ctx::services()?
        .change_password(&actor, &form.current, &form.new)
        .await
        .map_err(ctx::status)?;
    Ok(if changed {
        session.cycle_id().await.map_err(|_| AppError::Internal)?;
        FormResult::Done(())
    } else {
        FormResult::Invalid(vec![FieldError {
            field: "current".into(),
            code: ErrorCode::WrongPassword,
        }])
    })
}

/// Phases and roles with their names, for display.
#[server(endpoint = "model")]
pub async fn handling_model() -> Result<ModelView, AppError> {
    Ok(crate::api::ctx::services()?.model())
}

/// The containment measures and log sources to choose from.
#[server(endpoint = "catalogue")]
pub async fn catalogue() -> Result<crate::model::Catalogue, AppError> {
    Ok(crate::api::ctx::services()?.catalogue())
}
