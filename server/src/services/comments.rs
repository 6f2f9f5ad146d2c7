//! Comments on an incident or one of its tasks, each with the audience that
//! may read it (internal, the reporter, the engaged parties).

use app::domain::event::EventKind;
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use app::domain::policy::{Access, Actor, Audience};
use app::domain::workflow::{self, Edit, Facts};

use super::error::{ServiceError, ServiceResult};
use super::kernel::{access_to, event, find_task};
use super::timeline::detail;
use crate::entity::incident;

pub(super) async fn add(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    task: Option<Uuid>,
    text: String,
    audience: Option<Audience>,
) -> ServiceResult<()> {
    workflow::may_edit(&actor.roles, f, &Edit::Comment)?;
    // Handlers choose the audience; reporters and outside parties get the
    // one their access gives.
    let access = access_to(actor, inc);
    let audience = match (&access, audience) {
        (Access::Handler, Some(chosen)) => chosen,
        _ => access.default_audience(),
    };
    let text = workflow::validate_comment(&text).map_err(ServiceError::Fields)?;
    if let Some(t) = task {
        find_task(txn, inc, t).await?;
    }
    let d = detail([("text", text), ("audience", audience.id().into())]);
    event(txn, inc, actor, EventKind::Comment, task, d).await
}
