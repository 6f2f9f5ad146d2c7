//! One counter of recent sign-in failures: a source, an account, or an
//! account from one source (`auth::throttle`). Named by a hash, never by
//! what was typed.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_throttle")]
pub struct Model {
    /// `s:…` source, `a:…` account, `p:…` account from one source.
    #[sea_orm(primary_key, auto_increment = false)]
    pub bucket: String,
    /// The account's bucket, on account and pair rows: a password reset
    /// forgets them all.
    pub account: Option<String>,
    pub failures: i32,
    pub locked_until: Option<DateTimeUtc>,
    /// The last failure; the row is forgotten an hour after it.
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
