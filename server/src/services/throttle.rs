//! The sign-in throttle's counters in `login_throttle`; the rules are in
//! `auth::throttle`. Failures are counted inside the sign-in's write
//! transaction. The table stays bounded: a counter an hour without a failure
//! is deleted, and past the configured number of rows the oldest go.
//! Deleting other requests' rows skips those they hold (PostgreSQL), so
//! pruning never waits for, or deadlocks with, a sign-in.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, LockBehavior, LockType, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::auth::throttle::{Buckets, account_bucket, pair_delay, quiet, source_delay};
use crate::entity::login_throttle::{self, Column, Entity};

/// How long this attempt must wait before its password is even checked:
/// the source or this account from this source is waiting. The account's
/// own counter never makes anybody wait.
pub async fn wait(
    db: &impl ConnectionTrait,
    b: &Buckets,
    now: DateTime<Utc>,
) -> Result<Option<u64>, DbErr> {
    let until = Entity::find()
        .filter(Column::Bucket.is_in([b.source.as_str(), b.pair.as_str()]))
        .filter(Column::LockedUntil.gt(now))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|r| r.locked_until)
        .max();
    Ok(until.map(|u| (u - now).num_seconds().max(1) as u64))
}

/// Counts one failure in each of the attempt's buckets and sets the waits
/// that follow. Returns the failures now counted for (source, account, pair).
pub async fn record_failure(
    txn: &impl ConnectionTrait,
    b: &Buckets,
    now: DateTime<Utc>,
) -> Result<(i32, i32, i32), DbErr> {
    let mine = [b.source.as_str(), b.account.as_str(), b.pair.as_str()];
    // A counter quiet for long enough starts again from nothing.
    Entity::delete_many()
        .filter(Column::Bucket.is_in(mine))
        .filter(Column::UpdatedAt.lt(now - quiet()))
        .exec(txn)
        .await?;
    // Always source, account, pair: two sign-ins sharing buckets lock them
    // in the same order.
    for (bucket, account) in [
        (&b.source, None),
        (&b.account, Some(&b.account)),
        (&b.pair, Some(&b.account)),
    ] {
        Entity::insert(login_throttle::ActiveModel {
            bucket: Set(bucket.clone()),
            account: Set(account.cloned()),
            failures: Set(1),
            locked_until: Set(None),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(Column::Bucket)
                .value(
                    Column::Failures,
                    sea_orm::sea_query::ExprTrait::add(Expr::col((Entity, Column::Failures)), 1),
                )
                .value(Column::UpdatedAt, now)
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    }
    let rows = Entity::find()
        .filter(Column::Bucket.is_in(mine))
        .all(txn)
        .await?;
    let failures = |bucket: &str| {
        rows.iter()
            .find(|r| r.bucket == bucket)
            .map_or(0, |r| r.failures)
    };
    let (source, account, pair) = (failures(&b.source), failures(&b.account), failures(&b.pair));
    for (bucket, delay) in [
        (&b.source, source_delay(source)),
        (&b.pair, pair_delay(pair, account)),
    ] {
        if !delay.is_zero() {
            Entity::update_many()
                .col_expr(Column::LockedUntil, Expr::value(now + delay))
                .filter(Column::Bucket.eq(bucket.as_str()))
                .exec(txn)
                .await?;
        }
    }
    Ok((source, account, pair))
}

/// The failures of this account from this source are forgotten: it signed in.
pub async fn forget_pair(txn: &impl ConnectionTrait, b: &Buckets) -> Result<(), DbErr> {
    Entity::delete_by_id(b.pair.clone()).exec(txn).await?;
    Ok(())
}

/// Every count of an account, from every source, is forgotten (a password
/// reset: the new password's owner must not wait out anyone's failures).
pub async fn forget_account(txn: &impl ConnectionTrait, username: &str) -> Result<(), DbErr> {
    let account = account_bucket(username);
    // The account's row first, as a failing sign-in takes them.
    Entity::delete_by_id(account.clone()).exec(txn).await?;
    Entity::delete_many()
        .filter(Column::Account.eq(account))
        .exec(txn)
        .await?;
    Ok(())
}

/// Deletes the counters an hour without a failure and, with `cap`, the
/// oldest past that many rows. Rows another transaction holds are left for
/// the next time.
pub async fn prune(
    txn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    cap: Option<u64>,
) -> Result<(), DbErr> {
    delete_unheld(txn, Column::UpdatedAt.lt(now - quiet())).await?;
    if let Some(cap) = cap {
        // The newest row past the cap, and everything as old or older.
        let first_dropped = Entity::find()
            .order_by_desc(Column::UpdatedAt)
            .offset(cap)
            .limit(1)
            .one(txn)
            .await?;
        if let Some(row) = first_dropped {
            delete_unheld(txn, Column::UpdatedAt.lte(row.updated_at)).await?;
        }
    }
    Ok(())
}

async fn delete_unheld(
    txn: &impl ConnectionTrait,
    condition: sea_orm::sea_query::SimpleExpr,
) -> Result<(), DbErr> {
    let unheld = Query::select()
        .column(Column::Bucket)
        .from(Entity)
        .and_where(condition)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .to_owned();
    Entity::delete_many()
        .filter(Column::Bucket.in_subquery(unheld))
        .exec(txn)
        .await?;
    Ok(())
}
