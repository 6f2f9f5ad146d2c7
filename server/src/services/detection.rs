//! What the organisation declares for the log-triage detectors: its
//! proxies, internal networks and firewall zones, standard browsers,
//! business hours and maintenance windows, administrators and their hosts,
//! and thresholds over the playbook's (`detectors.toml`). One TOML text,
//! the same `hikeshi triage --config` reads, so a responder on the log host
//! and the product judge a log alike. The indicators come from the
//! threat-intelligence store, never from this text.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set, TransactionTrait};

use app::domain::form::{ErrorCode, FieldError, FormResult};
use app::domain::policy::{Action, Actor, may};
use app::domain::triage::DetectionSettings;
use playbooks::HandlingModel;

use super::audit;
use super::error::{ServiceError, ServiceResult};
use crate::entity::{detection_settings, user};
use crate::triage::detect::{Config, SettingsError};

/// The one row's id.
const ROW: &str = "organisation";

/// The declarations as saved, for the settings page (the log-source
/// administrators, and the handlers who analyse logs, may read them).
pub(super) async fn settings(
    db: &DatabaseConnection,
    model: &HandlingModel,
    actor: &Actor,
) -> ServiceResult<DetectionSettings> {
    if !may(actor, Action::SeeLogSources) {
        return Err(ServiceError::FORBIDDEN);
    }
    let row = detection_settings::Entity::find_by_id(ROW).one(db).await?;
    let by = match row.as_ref().and_then(|r| r.updated_by) {
        Some(id) => user::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|u| u.display_name),
        None => None,
    };
    Ok(DetectionSettings {
        text: row.as_ref().map(|r| r.text.clone()).unwrap_or_default(),
        updated_by: by,
        updated_at: row.map(|r| r.updated_at),
        detectors: model.detectors.clone(),
        thresholds: model.thresholds.clone(),
    })
}

/// Replaces the declarations after checking the detectors can use them
/// with this playbook; a mistake is refused with its line, the text kept.
pub(super) async fn save(
    db: &DatabaseConnection,
    model: &HandlingModel,
    actor: &Actor,
    text: String,
) -> ServiceResult<FormResult<()>> {
    if !may(actor, Action::ManageLogSources) {
        return Err(ServiceError::FORBIDDEN);
    }
    if let Err(e) = Config::from_settings(&model.thresholds, &text) {
        return Ok(FormResult::Invalid(vec![FieldError {
            field: "text".into(),
            code: ErrorCode::BadSettings(e.line, e.message),
        }]));
    }
    let txn = db.begin().await?;
    let now = Utc::now();
    let before = detection_settings::Entity::find_by_id(ROW)
        .one(&txn)
        .await?;
    let previous = before.as_ref().map(|r| r.text.clone()).unwrap_or_default();
    match before {
        Some(row) => {
            let mut m: detection_settings::ActiveModel = row.into();
            m.text = Set(text.clone());
            m.updated_by = Set(Some(actor.id));
            m.updated_at = Set(now);
            m.update(&txn).await?;
        }
        None => {
            detection_settings::ActiveModel {
                id: Set(ROW.into()),
                text: Set(text.clone()),
                updated_by: Set(Some(actor.id)),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?;
        }
    }
    audit::record(
        &txn,
        Some(actor.id),
        "detection_settings_changed",
        "detection_settings",
        ROW,
        serde_json::json!({ "before": previous, "after": text }),
    )
    .await?;
    txn.commit().await?;
    Ok(FormResult::Done(()))
}

/// The configuration a run uses: the declarations over the playbook's
/// thresholds, and the indicators in force: the observables marked as
/// such and the threat-intelligence store's automatic ones, less the
/// allow-list (what the sensor feeds serve).
/// Saved texts were checked, but a playbook changed since can still refuse
/// one: that is the inner error, for the run to fail with.
pub(super) async fn config(
    db: &DatabaseConnection,
    model: &HandlingModel,
) -> ServiceResult<Result<Config, SettingsError>> {
    let text = detection_settings::Entity::find_by_id(ROW)
        .one(db)
        .await?
        .map(|r| r.text)
        .unwrap_or_default();
    let mut c = match Config::from_settings(&model.thresholds, &text) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    use crate::feeds::Active;
    for a in
        super::observables::active_indicators(db, app::domain::classification::Tlp::Red).await?
    {
        match a {
            Active::Domain(d) => c.indicators.domains.push(d),
            Active::Ip(ip) => c.indicators.ips.push(ip),
            Active::Url(u) => c.indicators.urls.push(u),
            Active::Hash(..) => {}
        }
    }
    Ok(Ok(c))
}
