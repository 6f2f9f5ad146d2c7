//! Accounts: sign-in with throttling, the administrator's user management and
//! a user's own password change. Every write begins with `db::begin_write`
//! and every change of a user locks its row first (`lock_user`), so that
//! concurrent changes take turns instead of failing with "database is locked".

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use app::domain::account::{SessionUser, UserRow, ValidNewUser, normalize_username};
use app::domain::form::{ErrorCode, FieldError, FormResult};
use app::domain::policy::{Action, Actor, may};
use app::domain::{AppError, Role};
use app::ports::{ClientAddress, SignIn};

use super::error::{ServiceError, ServiceResult};
use super::kernel::require;
use super::{audit, throttle};
use crate::auth::source::Source;
use crate::auth::throttle::Buckets;
use crate::auth::{Auth, FREE_FAILURES, Hashing, SOURCE_FREE_FAILURES, hash_password};
use crate::db::begin_write;
use crate::entity::{session, user, user_role};

/// The active user with this id, with roles: who a session belongs to.
pub async fn actor_by_id(db: &impl ConnectionTrait, id: Uuid) -> ServiceResult<Option<Actor>> {
    let Some(u) = user::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    if !u.is_active {
        return Ok(None);
    }
    let roles = roles_of(db, id).await?;
    Ok(Some(
        actor_of(
            db,
            u.id,
            u.username,
            u.display_name,
            u.organisation_id,
            roles,
        )
        .await?,
    ))
}

/// An active user as the policy sees them: with their roles and, for an
/// external party, the engagements in force, read afresh on every request
/// so that a revocation or an expiry ends access at the next click.
async fn actor_of(
    db: &impl ConnectionTrait,
    id: Uuid,
    username: String,
    display_name: String,
    organisation_id: Option<Uuid>,
    roles: Vec<Role>,
) -> ServiceResult<Actor> {
    let grants = match organisation_id {
        Some(org) if roles.iter().any(|r| r.is_external()) => {
            super::external::grants_of(db, org, Utc::now()).await?
        }
        _ => Vec::new(),
    };
    Ok(Actor {
        id,
        username,
        display_name,
        roles,
        grants,
    })
}

/// Who the request's session belongs to.
pub enum SessionOwner {
    /// No such session, expired, or nobody signed in on it.
    Nobody,
    /// A user deactivated since: the session is to be ended.
    Deactivated,
    Active(Actor),
}

/// The session's user and roles in one statement (the session, unexpired,
/// joined to its user and the user's roles), asked on every request, so a
/// deactivation or a role change acts at the next click; an external
/// party's engagements follow ([`actor_of`]).
pub async fn session_owner(
    db: &DatabaseConnection,
    session_id: &str,
) -> ServiceResult<SessionOwner> {
    use sea_orm::FromQueryResult;
    use sea_orm::sea_query::{ExprTrait, Query};
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
        username: String,
        display_name: String,
        is_active: bool,
        organisation_id: Option<Uuid>,
        role: Option<String>,
    }
    let q = Query::select()
        .column((user::Entity, user::Column::Id))
        .column((user::Entity, user::Column::Username))
        .column((user::Entity, user::Column::DisplayName))
        .column((user::Entity, user::Column::IsActive))
        .column((user::Entity, user::Column::OrganisationId))
        .column((user_role::Entity, user_role::Column::Role))
        .from(session::Entity)
        .inner_join(
            user::Entity,
            Expr::col((user::Entity, user::Column::Id))
                .equals((session::Entity, session::Column::UserId)),
        )
        .left_join(
            user_role::Entity,
            Expr::col((user_role::Entity, user_role::Column::UserId))
                .equals((user::Entity, user::Column::Id)),
        )
        .and_where(Expr::col((session::Entity, session::Column::Id)).eq(session_id))
        .and_where(Expr::col((session::Entity, session::Column::ExpiresAt)).gt(Utc::now()))
        .to_owned();
    let rows = Row::find_by_statement(db.get_database_backend().build(&q))
        .all(db)
        .await?;
    let Some(first) = rows.first() else {
        return Ok(SessionOwner::Nobody);
    };
    if !first.is_active {
        return Ok(SessionOwner::Deactivated);
    }
    let mut roles: Vec<Role> = rows
        .iter()
        .filter_map(|r| r.role.as_deref().and_then(Role::from_id))
        .collect();
    roles.sort();
    let u = rows.into_iter().next().expect("a first row");
    Ok(SessionOwner::Active(
        actor_of(
            db,
            u.id,
            u.username,
            u.display_name,
            u.organisation_id,
            roles,
        )
        .await?,
    ))
}

async fn roles_of(db: &impl ConnectionTrait, id: Uuid) -> ServiceResult<Vec<Role>> {
    let mut roles: Vec<Role> = user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|r| Role::from_id(&r.role))
        .collect();
    roles.sort();
    Ok(roles)
}

/// Signs in from `from`. ServiceError without checking the password while the
/// source or this account from this source waits; never for failures of
/// other sources (`auth::throttle`).
pub async fn sign_in(
    db: &DatabaseConnection,
    auth: &Auth,
    username: &str,
    password: &str,
    from: &ClientAddress,
) -> ServiceResult<SignIn> {
    let username = normalize_username(username);
    let source = auth.source(from);
    let buckets = Buckets::new(&username, &source);
    if let Some(wait) = throttle::wait(db, &buckets, Utc::now()).await? {
        return Ok(SignIn::Throttled(wait));
    }

    let found = user::Entity::find()
        .filter(user::Column::Username.eq(username.as_str()))
        .one(db)
        .await?;
    let verified = auth
        .hashing
        .verify(
            password.to_string(),
            found.as_ref().map(|u| u.password_hash.clone()),
        )
        .await?;
    match found {
        Some(u) if verified && u.is_active => {
            let txn = begin_write(db).await?;
            throttle::forget_pair(&txn, &buckets).await?;
            audit::record(
                &txn,
                Some(u.id),
                "sign_in",
                "user",
                u.id,
                json!({ "source": source.as_str() }),
            )
            .await?;
            txn.commit().await?;
            let roles = roles_of(db, u.id).await?;
            Ok(SignIn::Accepted(SessionUser::of(&Actor {
                id: u.id,
                username: u.username,
                display_name: u.display_name,
                roles,
                grants: Vec::new(),
            })))
        }
        found => {
            record_failure(db, auth, &username, &buckets, &source, found.map(|u| u.id)).await?;
            Ok(SignIn::Rejected)
        }
    }
}

/// What HTTP Basic credentials (a TAXII client's) are worth.
#[derive(Debug)]
pub enum Basic {
    Accepted(Actor),
    Rejected,
    Throttled(u64),
}

/// Checks HTTP Basic credentials, throttled like a sign-in. Credentials that
/// verified lately against the same stored hash are believed without
/// argon2 (`Auth::recall`); the account is read on every request, so a
/// deactivated user or a changed password is refused at once. Failures are
/// counted and audited as failed sign-ins; a success is not a sign-in and
/// opens no session.
pub async fn basic(
    db: &DatabaseConnection,
    auth: &Auth,
    username: &str,
    password: &str,
    from: &ClientAddress,
) -> ServiceResult<Basic> {
    let username = normalize_username(username);
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(username.as_str()))
        .one(db)
        .await?;
    if let Some(u) = &found
        && u.is_active
        && auth.recall(&username, password, &u.password_hash) == Some(u.id)
    {
        return Ok(match actor_by_id(db, u.id).await? {
            Some(a) => Basic::Accepted(a),
            None => Basic::Rejected,
        });
    }
    let source = auth.source(from);
    let buckets = Buckets::new(&username, &source);
    if let Some(wait) = throttle::wait(db, &buckets, Utc::now()).await? {
        return Ok(Basic::Throttled(wait));
    }
    let verified = auth
        .hashing
        .verify(
            password.to_string(),
            found.as_ref().map(|u| u.password_hash.clone()),
        )
        .await?;
    match found {
        Some(u) if verified && u.is_active => {
            auth.remember(&username, password, u.id, &u.password_hash);
            Ok(match actor_by_id(db, u.id).await? {
                Some(a) => Basic::Accepted(a),
                None => Basic::Rejected,
            })
        }
        found => {
            record_failure(db, auth, &username, &buckets, &source, found.map(|u| u.id)).await?;
            Ok(Basic::Rejected)
        }
    }
}

/// The name as typed, cut to what a log line or an audit record keeps.
fn shown(username: &str) -> String {
    username.chars().take(64).collect()
}

/// Counts a failed sign-in in its buckets (atomically: two instances may see
/// failures for the same name at once), keeps the table bounded, and audits
/// it under the account's id, or its bucket when there is no such account.
async fn record_failure(
    db: &DatabaseConnection,
    auth: &Auth,
    username: &str,
    buckets: &Buckets,
    source: &Source,
    user_id: Option<Uuid>,
) -> ServiceResult<()> {
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let (from_source, for_account, from_pair) =
        throttle::record_failure(&txn, buckets, now).await?;
    throttle::prune(&txn, now, auth.cap_due()).await?;
    if from_source >= SOURCE_FREE_FAILURES || from_pair >= FREE_FAILURES {
        tracing::warn!(
            username = shown(username),
            %source,
            from_source,
            for_account,
            from_pair,
            "sign-in throttled"
        );
    }
    let entity_id = user_id.map_or_else(|| buckets.account.clone(), |id| id.to_string());
    audit::record(
        &txn,
        user_id,
        "sign_in_failed",
        "user",
        entity_id,
        json!({ "username": shown(username), "source": source.as_str() }),
    )
    .await?;
    Ok(txn.commit().await?)
}

/// Changes the actor's own password and ends every session of theirs; the
/// server function keeps the current one going under a new id.
pub async fn change_password(
    db: &DatabaseConnection,
    hashing: &Hashing,
    actor: &Actor,
    current: &str,
    new: &str,
) -> ServiceResult<bool> {
    let u = user::Entity::find_by_id(actor.id)
        .one(db)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if !hashing
        .verify(current.to_string(), Some(u.password_hash.clone()))
        .await?
    {
        return Ok(false);
    }
    let hash = hashing.hash(new.to_string()).await?;
    let txn = begin_write(db).await?;
    let u = lock_user(&txn, actor.id).await?;
    let mut active: user::ActiveModel = u.into();
    active.password_hash = Set(hash);
    active.updated_at = Set(Utc::now());
    active.update(&txn).await?;
    crate::integrity::seal(&txn, crate::integrity::Covered::User(actor.id)).await?;
    let ended = end_sessions_of(&txn, actor.id).await?;
    audit::record(
        &txn,
        Some(actor.id),
        "password_changed",
        "user",
        actor.id,
        json!({ "sessions_ended": ended }),
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

pub async fn list(db: &DatabaseConnection, actor: &Actor) -> ServiceResult<Vec<UserRow>> {
    require(actor, Action::ManageUsers)?;
    let users = user::Entity::find()
        .find_with_related(user_role::Entity)
        .order_by_asc(user::Column::Username)
        .all(db)
        .await?;
    Ok(users
        .into_iter()
        .map(|(u, roles)| {
            let mut roles: Vec<Role> = roles
                .iter()
                .filter_map(|r| Role::from_id(&r.role))
                .collect();
            roles.sort();
            UserRow {
                id: u.id,
                username: u.username,
                display_name: u.display_name,
                email: u.email,
                roles,
                is_active: u.is_active,
                created_at: u.created_at,
                organisation: u.organisation_id,
            }
        })
        .collect())
}

/// The administrator's user form: field errors for a taken username or an
/// unknown organisation, after the permission check.
pub(super) async fn create_from_form(
    db: &DatabaseConnection,
    hashing: &Hashing,
    actor: &Actor,
    user: ValidNewUser,
) -> ServiceResult<FormResult<Uuid>> {
    require(actor, Action::ManageUsers)?;
    let invalid = |field: &str, code| {
        Ok(FormResult::Invalid(vec![FieldError {
            field: field.into(),
            code,
        }]))
    };
    if let Some(org) = user.organisation
        && !super::external::organisation_exists(db, org).await?
    {
        return invalid("organisation", ErrorCode::InvalidChoice);
    }
    match create(db, Some(hashing), Some(actor), user).await? {
        Some(id) => Ok(FormResult::Done(id)),
        None => invalid("username", ErrorCode::UsernameTaken),
    }
}

/// Creates a user; `None` when the username is taken. `actor` is `None` only
/// for the system itself (the first administrator, seeding), whose hashing
/// (`hashing` `None`) is not bounded.
pub async fn create(
    db: &DatabaseConnection,
    hashing: Option<&Hashing>,
    actor: Option<&Actor>,
    new: ValidNewUser,
) -> ServiceResult<Option<Uuid>> {
    if let Some(a) = actor {
        require(a, Action::ManageUsers)?;
    }
    let taken = user::Entity::find()
        .filter(user::Column::Username.eq(new.username.as_str()))
        .count(db)
        .await?;
    if taken > 0 {
        return Ok(None);
    }
    let hash = match hashing {
        Some(h) => h.hash(new.password.clone()).await?,
        None => hash_password(new.password.clone()).await?,
    };
    let id = Uuid::new_v4();
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let inserted = user::ActiveModel {
        id: Set(id),
        username: Set(new.username.clone()),
        display_name: Set(new.display_name.clone()),
        email: Set(new.email.clone()),
        password_hash: Set(hash),
        language: Set(None),
        is_active: Set(true),
        mail_opt_out: Set(String::new()),
        organisation_id: Set(new.organisation),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await;
    if let Err(e) = inserted {
        // Lost a race for the same username against another request.
        if matches!(
            e.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        ) {
            return Ok(None);
        }
        return Err(e.into());
    }
    insert_roles(&txn, id, &new.roles).await?;
    crate::integrity::seal(&txn, crate::integrity::Covered::User(id)).await?;
    let role_ids: Vec<&str> = new.roles.iter().map(|r| r.id()).collect();
    audit::record(
        &txn,
        actor.map(|a| a.id),
        "user_created",
        "user",
        id,
        json!({ "username": new.username, "roles": role_ids }),
    )
    .await?;
    txn.commit().await?;
    Ok(Some(id))
}

async fn insert_roles(conn: &impl ConnectionTrait, id: Uuid, roles: &[Role]) -> ServiceResult<()> {
    if roles.is_empty() {
        return Ok(());
    }
    user_role::Entity::insert_many(roles.iter().map(|r| user_role::ActiveModel {
        user_id: Set(id),
        role: Set(r.id().to_string()),
    }))
    .exec(conn)
    .await?;
    Ok(())
}

/// Locks the user's row for the rest of the transaction and returns it as it
/// is now: a no-op write, which takes the row lock on PostgreSQL (two changes
/// of one user take turns) and the write lock on SQLite. Every change of a
/// user reads it through this (see `db::begin_write`).
pub(super) async fn lock_user(txn: &impl ConnectionTrait, id: Uuid) -> ServiceResult<user::Model> {
    let res = user::Entity::update_many()
        .col_expr(user::Column::UpdatedAt, Expr::col(user::Column::UpdatedAt))
        .filter(user::Column::Id.eq(id))
        .exec(txn)
        .await?;
    if res.rows_affected == 0 {
        return Err(ServiceError::NOT_FOUND);
    }
    user::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(ServiceError::NOT_FOUND)
}

/// The notification form's intake account never signs in: no one makes it.
fn not_intake(u: &user::Model) -> ServiceResult<()> {
    if u.username == app::domain::notice::INTAKE_USERNAME {
        Err(ServiceError::conflict(ErrorCode::SystemAccount))
    } else {
        Ok(())
    }
}

pub async fn set_roles(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    roles: Vec<Role>,
) -> ServiceResult<()> {
    require(actor, Action::ManageUsers)?;
    let txn = begin_write(db).await?;
    not_intake(&lock_user(&txn, id).await?)?;
    let before = roles_of(&txn, id).await?;
    user_role::Entity::delete_many()
        .filter(user_role::Column::UserId.eq(id))
        .exec(&txn)
        .await?;
    insert_roles(&txn, id, &roles).await?;
    crate::integrity::seal(&txn, crate::integrity::Covered::User(id)).await?;
    let ids = |rs: &[Role]| rs.iter().map(|r| r.id()).collect::<Vec<_>>();
    audit::record(
        &txn,
        Some(actor.id),
        "roles_set",
        "user",
        id,
        json!({ "before": ids(&before), "after": ids(&roles) }),
    )
    .await?;
    Ok(txn.commit().await?)
}

pub async fn set_active(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    active: bool,
) -> ServiceResult<()> {
    require(actor, Action::ManageUsers)?;
    if id == actor.id && !active {
        // An administrator who locks themselves out may leave nobody to undo it.
        return Err(ServiceError::conflict(ErrorCode::CannotDeactivateSelf));
    }
    let txn = begin_write(db).await?;
    let u = lock_user(&txn, id).await?;
    if active {
        not_intake(&u)?;
    }
    let before = u.is_active;
    let mut m: user::ActiveModel = u.into();
    m.is_active = Set(active);
    m.updated_at = Set(Utc::now());
    m.update(&txn).await?;
    if !active {
        end_sessions_of(&txn, id).await?;
    }
    crate::integrity::seal(&txn, crate::integrity::Covered::User(id)).await?;
    audit::record(
        &txn,
        Some(actor.id),
        if active {
            "user_activated"
        } else {
            "user_deactivated"
        },
        "user",
        id,
        json!({ "before": before, "after": active }),
    )
    .await?;
    Ok(txn.commit().await?)
}

/// Sets a new password for a user and ends every session of theirs.
pub async fn reset_password(
    db: &DatabaseConnection,
    hashing: &Hashing,
    actor: &Actor,
    id: Uuid,
    password: &str,
) -> ServiceResult<()> {
    require(actor, Action::ManageUsers)?;
    let hash = hashing.hash(password.to_string()).await?;
    let txn = begin_write(db).await?;
    let u = lock_user(&txn, id).await?;
    not_intake(&u)?;
    let username = u.username.clone();
    let mut m: user::ActiveModel = u.into();
    m.password_hash = Set(hash);
    m.updated_at = Set(Utc::now());
    m.update(&txn).await?;
    // Whoever held the old password must not stay signed in with it, and the
    // owner of the new one must not wait out someone else's failures.
    let ended = end_sessions_of(&txn, id).await?;
    throttle::forget_account(&txn, &username).await?;
    crate::integrity::seal(&txn, crate::integrity::Covered::User(id)).await?;
    audit::record(
        &txn,
        Some(actor.id),
        "password_reset",
        "user",
        id,
        json!({ "sessions_ended": ended }),
    )
    .await?;
    Ok(txn.commit().await?)
}

pub async fn end_sessions_of(conn: &impl ConnectionTrait, id: Uuid) -> Result<u64, sea_orm::DbErr> {
    let res = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(id))
        .exec(conn)
        .await?;
    Ok(res.rows_affected)
}

/// On a database without users, creates the first administrator. Returns the
/// username and, when the password was generated, the password to print once.
pub async fn create_first_admin(
    db: &DatabaseConnection,
    username: &str,
    password: Option<String>,
) -> ServiceResult<Option<(String, Option<String>)>> {
    if user::Entity::find().count(db).await? > 0 {
        return Ok(None);
    }
    create_admin(db, username, password).await.map(Some)
}

/// Creates an administrator (the `create-admin` command). Returns the
/// username and the generated password, if one was generated.
pub async fn create_admin(
    db: &DatabaseConnection,
    username: &str,
    password: Option<String>,
) -> ServiceResult<(String, Option<String>)> {
    let generated = password.is_none().then(crate::auth::generate_password);
    let pw = password.or_else(|| generated.clone()).unwrap_or_default();
    let new = ValidNewUser {
        username: normalize_username(username),
        display_name: "Administrator".into(),
        email: None,
        password: pw,
        roles: vec![Role::Admin],
        organisation: None,
    };
    match create(db, None, None, new.clone()).await? {
        Some(_) => Ok((new.username, generated)),
        None => Err(ServiceError::conflict(ErrorCode::UsernameTaken)),
    }
}

/// Creates a user on behalf of the system itself (seeding, tests, benches):
/// no acting administrator, still audited.
pub async fn create_user_unchecked(
    db: &DatabaseConnection,
    user: ValidNewUser,
) -> ServiceResult<Uuid> {
    create(db, None, None, user)
        .await?
        .ok_or(ServiceError::conflict(ErrorCode::UsernameTaken))
}

/// Checks that an assignee exists, is active and has a fitting role; returns
/// their display name for the timeline.
pub(super) async fn person(
    conn: &impl ConnectionTrait,
    id: Option<Uuid>,
    field_name: &str,
    fits: impl Fn(&[Role]) -> bool,
) -> ServiceResult<String> {
    let Some(id) = id else {
        return Ok(String::new());
    };
    match actor_by_id(conn, id).await? {
        Some(a) if fits(&a.roles) => Ok(a.display_name),
        _ => Err(ServiceError::field(field_name, ErrorCode::InvalidChoice)),
    }
}

/// Puts a user in an organisation (or takes them out). Administrators only.
pub async fn set_user_organisation(
    db: &DatabaseConnection,
    actor: &Actor,
    user_id: Uuid,
    org: Option<Uuid>,
) -> ServiceResult<FormResult<()>> {
    if !may(actor, Action::ManageUsers) {
        return Err(ServiceError::FORBIDDEN);
    }
    let txn = crate::db::begin_write(db).await?;
    let u = lock_user(&txn, user_id).await?;
    if let Some(o) = org
        && !super::external::organisation_exists(&txn, o).await?
    {
        return Ok(FormResult::Invalid(vec![app::domain::FieldError {
            field: "organisation".into(),
            code: ErrorCode::InvalidChoice,
        }]));
    }
    let before = u.organisation_id;
    let mut m: user::ActiveModel = u.into();
    m.organisation_id = Set(org);
    m.updated_at = Set(Utc::now());
    m.update(&txn).await?;
    crate::integrity::seal(&txn, crate::integrity::Covered::User(user_id)).await?;
    audit::record(
        &txn,
        Some(actor.id),
        "user_organisation_set",
        "user",
        user_id,
        json!({ "before": before.map(|o| o.to_string()), "after": org.map(|o| o.to_string()) }),
    )
    .await?;
    txn.commit().await?;
    Ok(FormResult::Done(()))
}
