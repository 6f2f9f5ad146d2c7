//! Account administration (administrators only; the backend enforces it).

use leptos::prelude::*;
use uuid::Uuid;

use crate::domain::AppError;
use crate::domain::account::{NewUserForm, UserRow};
use crate::domain::form::FormResult;

#[server(endpoint = "users/list")]
pub async fn list_users() -> Result<Vec<UserRow>, AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?.users(&actor).await.map_err(ctx::status)
}

#[server(endpoint = "users/create")]
pub async fn create_user(form: NewUserForm) -> Result<FormResult<Uuid>, AppError> {
    use crate::api::ctx;
    use crate::domain::account::validate_new_user;

    let actor = ctx::actor()?;
    let user = match validate_new_user(&form) {
        Ok(u) => u,
        Err(errors) => return Ok(FormResult::Invalid(errors)),
    };
    ctx::services()?
        .create_user(&actor, user)
        .await
        .map_err(ctx::status)
}

#[server(endpoint = "users/roles")]
pub async fn set_user_roles(
    user: Uuid,
    roles: Option<Vec<String>>,
) -> Result<FormResult<()>, AppError> {
    use crate::api::ctx;
    use crate::domain::account::parse_roles;
    use crate::domain::form::Checker;

    let actor = ctx::actor()?;
    let mut c = Checker::default();
    let roles = parse_roles(&mut c, &roles.unwrap_or_default());
    if let Err(errors) = c.finish(|| ()) {
        return Ok(FormResult::Invalid(errors));
    }
    ctx::services()?
        .set_roles(&actor, user, roles)
        .await
        .map_err(ctx::status)?;
    Ok(FormResult::Done(()))
}

#[server(endpoint = "users/active")]
pub async fn set_user_active(user: Uuid, active: bool) -> Result<(), AppError> {
    use crate::api::ctx;
    let actor = ctx::actor()?;
    ctx::services()?
        .set_active(&actor, user, active)
        .await
        .map_err(ctx::status)
}

#[server(endpoint = "users/reset-password")]
pub async fn reset_user_password(user: Uuid, password: String) -> Result<FormResult<()>, AppError> {
    use crate::api::ctx;
    use crate::domain::account::check_password;
    use crate::domain::form::Checker;

    let actor = ctx::actor()?;
    let mut c = Checker::default();
    check_password(&mut c, "password", &password);
    if let Err(errors) = c.finish(|| ()) {
        return Ok(FormResult::Invalid(errors));
    }
    ctx::services()?
        .reset_password(&actor, user, &password)
        .await
        .map_err(ctx::status)?;
    Ok(FormResult::Done(()))
}
