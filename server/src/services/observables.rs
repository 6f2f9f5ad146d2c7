//! Observables on an incident (seed 004's traces of a targeted attack):
//! added one at a time or pasted as a block, edited, removed; matched
//! against every other incident by their key's hash, unless allow-listed;
//! and the allow-list the officer keeps.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use app::domain::Phase;
use app::domain::classification::Tlp;
use app::domain::event::EventKind;
use app::domain::form::{ErrorCode, FieldError, FormResult};
use app::domain::observable::{
    AllowEntryView, MatchKey, ObservableType, ObservableView, Pap, PastedLine, SeenIn,
    ValidObservable, allow_candidates, allow_entry, read_block, tags,
};
use app::domain::policy::{Access, Action, Actor, Visibility, incident_visibility, may};
use app::domain::workflow::{Edit, Facts, Refusal};
use app::domain::workspace::NotificationKind;

use super::audit;
use super::error::{OrCorrupt, ServiceError, ServiceResult};
use super::kernel::{event, match_hash, notify};
use super::timeline::detail;
use crate::entity::{allowlist_entry, incident, observable};

/// Adds one observable, or refreshes the one already recorded for the same
/// value in the same role (its flags, note and last seen).
pub(super) async fn add(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    v: ValidObservable,
) -> ServiceResult<()> {
    app::domain::workflow::may_edit(&actor.roles, f, &Edit::Observe)?;
    let key = MatchKey::of(v.kind.kind(), &v.value);
    let saved = save(txn, actor, inc, f.phase, &v, &key).await?;
    let d = detail([
        ("count", "1".to_string()),
        ("values", format!("{} {}", v.kind.id(), v.value)),
        ("phase", f.phase.id().to_string()),
    ]);
    event(txn, inc, actor, EventKind::ObservablesAdded, None, d).await?;
    correlate(txn, actor, inc, &[(saved, key)]).await
}

/// Adds every line of a pasted block with the same TLP, PAP and flags.
/// One bad line refuses the whole block, each bad line named; nothing is
/// saved until every line reads.
pub(super) async fn paste(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    p: app::domain::observable::ValidPaste,
) -> ServiceResult<()> {
    app::domain::workflow::may_edit(&actor.roles, f, &Edit::Observe)?;
    let lines = read_block(&p.block);
    let errors = bad_lines(&lines);
    if !errors.is_empty() {
        return Err(ServiceError::Fields(errors));
    }
    let mut saved = Vec::new();
    let mut values = Vec::new();
    for l in lines {
        let (Some(kind), Ok(value)) = (l.kind, l.value) else {
            continue;
        };
        let v = ValidObservable {
            kind,
            value,
            tlp: p.tlp,
            pap: p.pap,
            indicator: p.indicator,
            sighted: p.sighted,
            confidence: None,
            tags: p.tags.clone(),
            source: p.source.clone(),
            note: String::new(),
        };
        let key = MatchKey::of(kind.kind(), &v.value);
        let id = save(txn, actor, inc, f.phase, &v, &key).await?;
        values.push(format!("{} {}", kind.id(), v.value));
        saved.push((id, key));
    }
    if saved.is_empty() {
        return Err(ServiceError::field("block", ErrorCode::Required));
    }
    let d = detail([
        ("count", saved.len().to_string()),
        ("values", values.join("\n")),
        ("phase", f.phase.id().to_string()),
    ]);
    event(txn, inc, actor, EventKind::ObservablesAdded, None, d).await?;
    correlate(txn, actor, inc, &saved).await
}

/// The field errors of a block: one per line that does not read, on the
/// `block` field, naming the line.
pub fn bad_lines(lines: &[PastedLine]) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = lines
        .iter()
        .filter_map(|l| {
            l.value.as_ref().err().map(|code| FieldError {
                field: "block".into(),
                code: ErrorCode::BadLine(l.line, Box::new(code.clone())),
            })
        })
        .collect();
    if lines.len() > app::domain::observable::PASTE_MAX_LINES {
        errors.push(FieldError {
            field: "block".into(),
            code: ErrorCode::TooManyLines(app::domain::observable::PASTE_MAX_LINES),
        });
    }
    errors
}

async fn save(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    phase: Phase,
    v: &ValidObservable,
    key: &MatchKey,
) -> ServiceResult<Uuid> {
    let hash = match_hash(key);
    let now = Utc::now();
    let existing = observable::Entity::find()
        .filter(observable::Column::IncidentId.eq(inc.id))
        .filter(observable::Column::Kind.eq(v.kind.id()))
        .filter(observable::Column::MatchHash.eq(hash.as_str()))
        .one(txn)
        .await?;
    if let Some(o) = existing {
        let id = o.id;
        let mut m: observable::ActiveModel = o.into();
        m.tlp = Set(v.tlp.id().into());
        m.pap = Set(v.pap.id().into());
        m.is_indicator = Set(v.indicator);
        m.sighted = Set(v.sighted);
        if v.confidence.is_some() {
            m.confidence = Set(v.confidence.map(i16::from));
        }
        m.last_seen = Set(Some(now));
        m.updated_at = Set(now);
        m.update(txn).await?;
        return Ok(id);
    }
    let id = Uuid::new_v4();
    observable::ActiveModel {
        id: Set(id),
        incident_id: Set(inc.id),
        kind: Set(v.kind.id().into()),
        value: Set(v.value.clone()),
        match_hash: Set(hash),
        tlp: Set(v.tlp.id().into()),
        pap: Set(v.pap.id().into()),
        is_indicator: Set(v.indicator),
        sighted: Set(v.sighted),
        confidence: Set(v.confidence.map(i16::from)),
        tags: Set(v.tags.join(",")),
        source: Set(v.source.clone()),
        note: Set(v.note.clone()),
        phase: Set(phase.id().into()),
        first_seen: Set(Some(now)),
        last_seen: Set(Some(now)),
        created_by: Set(actor.id),
        created_at: Set(now),
        updated_at: Set(now),
        shared_at: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(id)
}

/// What an observable shares with other incidents, unless allow-listed:
/// a timeline event on this incident naming the others, and the handlers
/// told.
async fn correlate(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    saved: &[(Uuid, MatchKey)],
) -> ServiceResult<()> {
    let allowed = allowlisted(txn, saved.iter().map(|(_, k)| k)).await?;
    let hashes: Vec<String> = saved
        .iter()
        .filter(|(_, k)| !allowed.contains(k))
        .map(|(_, k)| match_hash(k))
        .collect();
    if hashes.is_empty() {
        return Ok(());
    }
    let known = super::intel::known(txn, hashes.clone()).await?;
    let others = observable::Entity::find()
        .filter(observable::Column::MatchHash.is_in(hashes))
        .filter(observable::Column::IncidentId.ne(inc.id))
        .all(txn)
        .await?;
    if others.is_empty() && known.is_empty() {
        return Ok(());
    }
    let ids: HashSet<Uuid> = others.iter().map(|o| o.incident_id).collect();
    let mut human: Vec<String> = incident::Entity::find()
        .filter(incident::Column::Id.is_in(ids))
        .all(txn)
        .await?
        .into_iter()
        .map(|i| i.human_id)
        .collect();
    human.sort();
    let mut values: Vec<String> = others.iter().map(|o| o.value.clone()).collect();
    values.extend(
        saved
            .iter()
            .filter(|(_, k)| known.contains_key(&match_hash(k)))
            .map(|(_, k)| k.parts().1.to_string()),
    );
    values.sort();
    values.dedup();
    let mut indicators: Vec<String> = known
        .values()
        .flatten()
        .map(|k| format!("{} ({})", k.name, k.source))
        .collect();
    indicators.sort();
    indicators.dedup();
    let d = detail([
        ("incidents", human.join(" ")),
        ("values", values.join("\n")),
        ("indicators", indicators.join("\n")),
    ]);
    // The chain's head moved with the addition: continue from it.
    let inc = incident::Entity::find_by_id(inc.id)
        .one(txn)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    event(txn, &inc, actor, EventKind::ObservableMatched, None, d).await?;
    let mut to = super::containment::officers_to_tell(txn, &inc, Some(actor.id)).await?;
    if let Some(r) = inc
        .responder_id
        .filter(|r| *r != actor.id && !to.contains(r))
    {
        to.push(r);
    }
    notify(
        txn,
        &to,
        &inc,
        NotificationKind::ObservableMatched,
        saved[0].0,
        actor,
    )
    .await
}

/// Which of these keys an allow-list entry covers.
async fn allowlisted<'a>(
    conn: &impl ConnectionTrait,
    keys: impl Iterator<Item = &'a MatchKey>,
) -> ServiceResult<HashSet<MatchKey>> {
    let mut by_hash: HashMap<String, Vec<MatchKey>> = HashMap::new();
    for key in keys {
        let (kind, value) = key.parts();
        for c in allow_candidates(kind, value) {
            by_hash.entry(match_hash(&c)).or_default().push(key.clone());
        }
    }
    if by_hash.is_empty() {
        return Ok(HashSet::new());
    }
    let hits = allowlist_entry::Entity::find()
        .filter(allowlist_entry::Column::MatchHash.is_in(by_hash.keys().cloned()))
        .all(conn)
        .await?;
    Ok(hits
        .into_iter()
        .flat_map(|e| by_hash.get(&e.match_hash).cloned().unwrap_or_default())
        .collect())
}

/// The flags of an observable, changed on the incident page.
pub(super) async fn edit(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    id: Uuid,
    change: app::domain::observable::ObservableChange,
) -> ServiceResult<()> {
    app::domain::workflow::may_edit(&actor.roles, f, &Edit::Observe)?;
    let o = find(txn, inc, id).await?;
    if o.shared_at.is_some() && (change.tlp > Tlp::Amber || !change.indicator) {
        return Err(ServiceError::Rule(Refusal::StillShared));
    }
    let d = detail([
        ("observable", o.id.to_string()),
        ("value", format!("{} {}", o.kind, o.value)),
        ("phase", o.phase.clone()),
        ("tlp", change.tlp.id().to_string()),
        ("pap", change.pap.id().to_string()),
        ("indicator", change.indicator.to_string()),
        ("sighted", change.sighted.to_string()),
        ("note", change.note.clone()),
    ]);
    let mut m: observable::ActiveModel = o.into();
    m.tlp = Set(change.tlp.id().into());
    m.pap = Set(change.pap.id().into());
    m.is_indicator = Set(change.indicator);
    m.sighted = Set(change.sighted);
    m.note = Set(change.note);
    m.updated_at = Set(Utc::now());
    m.update(txn).await?;
    event(txn, inc, actor, EventKind::ObservableEdited, None, d).await
}

pub(super) async fn remove(
    txn: &DatabaseTransaction,
    actor: &Actor,
    inc: &incident::Model,
    f: &Facts,
    id: Uuid,
) -> ServiceResult<()> {
    app::domain::workflow::may_edit(&actor.roles, f, &Edit::Observe)?;
    let o = find(txn, inc, id).await?;
    if o.shared_at.is_some() {
        return Err(ServiceError::Rule(Refusal::StillShared));
    }
    observable::Entity::delete_by_id(o.id).exec(txn).await?;
    let d = detail([
        ("observable", o.id.to_string()),
        ("value", format!("{} {}", o.kind, o.value)),
        ("phase", o.phase),
    ]);
    event(txn, inc, actor, EventKind::ObservableRemoved, None, d).await
}

async fn find(
    conn: &impl ConnectionTrait,
    inc: &incident::Model,
    id: Uuid,
) -> ServiceResult<observable::Model> {
    observable::Entity::find_by_id(id)
        .filter(observable::Column::IncidentId.eq(inc.id))
        .one(conn)
        .await?
        .ok_or(ServiceError::NOT_FOUND)
}

/// The phase an observable was recorded in (what an engaged party's scope
/// is judged by).
pub(super) async fn phase_of(
    conn: &impl ConnectionTrait,
    incident: Uuid,
    id: Uuid,
) -> ServiceResult<Phase> {
    let o = observable::Entity::find_by_id(id)
        .filter(observable::Column::IncidentId.eq(incident))
        .one(conn)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    Phase::from_id(&o.phase).or_corrupt("observable.phase")
}

/// The incident's observables the reader sees, each with the other
/// incidents (those the reader may see) that share it.
pub(super) async fn views(
    db: &DatabaseConnection,
    actor: &Actor,
    access: &Access,
    inc: &incident::Model,
) -> ServiceResult<Vec<ObservableView>> {
    if matches!(access, Access::Reporter | Access::None) {
        return Ok(Vec::new());
    }
    let rows: Vec<observable::Model> = observable::Entity::find()
        .filter(observable::Column::IncidentId.eq(inc.id))
        .order_by_asc(observable::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .filter(|o| Phase::from_id(&o.phase).is_some_and(|p| access.sees_phase(p)))
        .collect();
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<MatchKey> = rows
        .iter()
        .filter_map(|o| {
            let t = ObservableType::from_id(&o.kind)?;
            Some(MatchKey::of(t.kind(), &o.value))
        })
        .collect();
    let allowed = allowlisted(db, keys.iter()).await?;
    let hashes: Vec<String> = rows.iter().map(|o| o.match_hash.clone()).collect();
    let mut known = super::intel::known(db, hashes.clone()).await?;
    let mut seen_in = also_in(db, actor, hashes, inc.id).await?;
    rows.into_iter()
        .map(|o| {
            let kind = ObservableType::from_id(&o.kind).or_corrupt("observable.kind")?;
            let key = MatchKey::of(kind.kind(), &o.value);
            let mut also_in = seen_in.remove(&o.match_hash).unwrap_or_default();
            also_in.sort_by(|a, b| a.human_id.cmp(&b.human_id));
            let allowlisted = allowed.contains(&key);
            Ok(ObservableView {
                id: o.id,
                kind,
                value: o.value,
                tlp: Tlp::from_id(&o.tlp).or_corrupt("observable.tlp")?,
                pap: Pap::from_id(&o.pap).or_corrupt("observable.pap")?,
                indicator: o.is_indicator,
                sighted: o.sighted,
                confidence: o.confidence.and_then(|c| u8::try_from(c).ok()),
                tags: tags(&o.tags),
                source: o.source,
                note: o.note,
                phase: Phase::from_id(&o.phase).or_corrupt("observable.phase")?,
                first_seen: o.first_seen,
                last_seen: o.last_seen,
                allowlisted,
                also_in: if allowlisted { Vec::new() } else { also_in },
                known: if allowlisted {
                    Vec::new()
                } else {
                    known.remove(&o.match_hash).unwrap_or_default()
                },
                shared: o.shared_at.is_some(),
            })
        })
        .collect()
}

/// For each match hash, the other incidents than `except` that recorded a
/// value of it and that the reader may see: what "also in" shows, beside
/// an observable and beside a triage finding's value.
pub(super) async fn also_in(
    db: &DatabaseConnection,
    actor: &Actor,
    hashes: Vec<String>,
    except: Uuid,
) -> ServiceResult<BTreeMap<String, Vec<SeenIn>>> {
    let mut seen_in: BTreeMap<String, Vec<SeenIn>> = BTreeMap::new();
    if hashes.is_empty() {
        return Ok(seen_in);
    }
    let shared = observable::Entity::find()
        .filter(observable::Column::MatchHash.is_in(hashes))
        .filter(observable::Column::IncidentId.ne(except))
        .all(db)
        .await?;
    let ids: HashSet<Uuid> = shared.iter().map(|o| o.incident_id).collect();
    if ids.is_empty() {
        return Ok(seen_in);
    }
    let mut q = incident::Entity::find().filter(incident::Column::Id.is_in(ids));
    if let Visibility::Limited { reporter, engaged } = incident_visibility(actor) {
        q = q.filter(
            sea_orm::Condition::any()
                .add(incident::Column::ReporterId.eq(reporter))
                .add(incident::Column::Id.is_in(engaged)),
        );
    }
    let incidents: HashMap<Uuid, incident::Model> =
        q.all(db).await?.into_iter().map(|i| (i.id, i)).collect();
    for o in &shared {
        if let Some(i) = incidents.get(&o.incident_id) {
            let list = seen_in.entry(o.match_hash.clone()).or_default();
            if !list.iter().any(|s| s.human_id == i.human_id) {
                list.push(SeenIn {
                    human_id: i.human_id.clone(),
                    title: i.title.clone(),
                });
            }
        }
    }
    Ok(seen_in)
}

// ---- the allow-list ----------------------------------------------------------

pub(super) async fn allowlist(
    db: &DatabaseConnection,
    actor: &Actor,
) -> ServiceResult<Vec<AllowEntryView>> {
    if !may(actor, Action::ManageAllowlist) {
        return Err(ServiceError::FORBIDDEN);
    }
    Ok(allowlist_entry::Entity::find()
        .order_by_asc(allowlist_entry::Column::Value)
        .all(db)
        .await?
        .into_iter()
        .map(|e| AllowEntryView {
            id: e.id,
            value: e.value,
            note: e.note,
            created_at: e.created_at,
        })
        .collect())
}

pub(super) async fn allow(
    db: &DatabaseConnection,
    actor: &Actor,
    value: &str,
    note: &str,
) -> ServiceResult<FormResult<Uuid>> {
    if !may(actor, Action::ManageAllowlist) {
        return Err(ServiceError::FORBIDDEN);
    }
    let invalid = |field: &str, code| {
        Ok(FormResult::Invalid(vec![FieldError {
            field: field.into(),
            code,
        }]))
    };
    let (key, shown) = match allow_entry(value) {
        Ok(v) => v,
        Err(code) => return invalid("value", code),
    };
    let note = app::domain::form::clean(note, app::domain::form::Lines::Many);
    if note.chars().count() > app::domain::observable::NOTE_MAX {
        return invalid(
            "note",
            ErrorCode::TooLong(app::domain::observable::NOTE_MAX),
        );
    }
    let hash = match_hash(&key);
    let txn = crate::db::begin_write(db).await?;
    if allowlist_entry::Entity::find()
        .filter(allowlist_entry::Column::MatchHash.eq(hash.as_str()))
        .one(&txn)
        .await?
        .is_some()
    {
        return invalid("value", ErrorCode::AlreadyListed);
    }
    let id = Uuid::new_v4();
    allowlist_entry::ActiveModel {
        id: Set(id),
        value: Set(shown.clone()),
        match_hash: Set(hash),
        note: Set(note.clone()),
        created_by: Set(actor.id),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Some(actor.id),
        "allowlist_added",
        "allowlist_entry",
        id,
        serde_json::json!({ "value": shown, "note": note }),
    )
    .await?;
    txn.commit().await?;
    Ok(FormResult::Done(id))
}

pub(super) async fn disallow(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<()> {
    if !may(actor, Action::ManageAllowlist) {
        return Err(ServiceError::FORBIDDEN);
    }
    let txn = crate::db::begin_write(db).await?;
    let e = allowlist_entry::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    allowlist_entry::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        Some(actor.id),
        "allowlist_removed",
        "allowlist_entry",
        id,
        serde_json::json!({ "value": e.value }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

// ---- STIX export ---------------------------------------------------------------

/// An incident's observables as a STIX 2.1 bundle, with nothing the reader
/// does not see and nothing above `share_up_to`. Recorded in the audit
/// trail: who exported what, at which TLP.
pub async fn export_stix(
    db: &DatabaseConnection,
    actor: &Actor,
    human_id: &str,
    selected: &[Uuid],
    organisation: &str,
    share_up_to: Tlp,
) -> ServiceResult<(String, serde_json::Value)> {
    let inc = super::kernel::visible_incident(db, actor, human_id).await?;
    let bundle = stix_bundle(db, actor, &inc, selected, organisation, share_up_to).await?;
    let txn = crate::db::begin_write(db).await?;
    audit::record(
        &txn,
        Some(actor.id),
        "stix_exported",
        "incident",
        inc.id,
        serde_json::json!({
            "tlp": share_up_to.id(),
            "selected": selected.len(),
            "objects": bundle["objects"].as_array().map_or(0, Vec::len),
        }),
    )
    .await?;
    txn.commit().await?;
    Ok((inc.human_id, bundle))
}

/// The bundle of a visible incident, as `export_stix` makes it (without
/// recording it: the caller does).
/// `selected` empty: every observable the reader sees; else only those.
pub(super) async fn stix_bundle(
    db: &DatabaseConnection,
    actor: &Actor,
    inc: &incident::Model,
    selected: &[Uuid],
    organisation: &str,
    share_up_to: Tlp,
) -> ServiceResult<serde_json::Value> {
    use crate::entity::containment;
    use app::domain::containment::MeasureStatus;
    let access = super::kernel::access_to(actor, inc);
    if matches!(access, Access::Reporter | Access::None) {
        return Err(ServiceError::FORBIDDEN);
    }
    let mut observables = views(db, actor, &access, inc).await?;
    if !selected.is_empty() {
        observables.retain(|o| selected.contains(&o.id));
    }
    let done = [
        MeasureStatus::Executed,
        MeasureStatus::Verified,
        MeasureStatus::Lifted,
        MeasureStatus::Permanent,
    ]
    .map(MeasureStatus::id);
    let mut measures = Vec::new();
    for m in containment::Entity::find()
        .filter(containment::Column::IncidentId.eq(inc.id))
        .filter(containment::Column::Status.is_in(done))
        .order_by_asc(containment::Column::ProposedAt)
        .all(db)
        .await?
    {
        let def: playbooks::MeasureDef = serde_json::from_str(&m.definition)
            .map_err(|_| ServiceError::Corrupt("containment.definition"))?;
        if !access.sees_measure(&def.executor) {
            continue;
        }
        let at = m.executed_at.unwrap_or(m.proposed_at);
        measures.push((m.id, def.name.en.clone(), m.target.clone(), at));
    }
    let tlp = Tlp::from_id(&inc.tlp).or_corrupt("incident.tlp")?;
    let export = crate::stix::Export {
        organisation,
        incident_id: inc.id,
        human_id: &inc.human_id,
        title: (tlp <= share_up_to).then_some(inc.title.as_str()),
        created: inc.created_at,
        tlp,
        share_up_to,
        observables: &observables,
        measures: &measures,
    };
    Ok(crate::stix::bundle(&export))
}

// ---- feeds to sensors --------------------------------------------------------------

/// The values a sensor should block now: the observables marked as
/// indicators (up to `up_to`) and the store's indicators in force that are
/// matched automatically, less what the allow-list covers. Sorted, each
/// once.
pub async fn active_indicators(
    db: &DatabaseConnection,
    up_to: Tlp,
) -> ServiceResult<Vec<crate::feeds::Active>> {
    use crate::entity::intel_indicator;
    use crate::feeds::Active;
    let mut keys: Vec<MatchKey> = Vec::new();
    for o in observable::Entity::find()
        .filter(observable::Column::IsIndicator.eq(true))
        .all(db)
        .await?
    {
        let (Some(kind), Some(tlp)) = (ObservableType::from_id(&o.kind), Tlp::from_id(&o.tlp))
        else {
            continue;
        };
        if tlp <= up_to {
            keys.push(MatchKey::of(kind.kind(), &o.value));
        }
    }
    let now = Utc::now();
    for i in intel_indicator::Entity::find()
        .filter(intel_indicator::Column::Automatic.eq(true))
        .filter(intel_indicator::Column::ValidFrom.lte(now))
        .all(db)
        .await?
    {
        if i.valid_until.is_some_and(|u| u <= now) {
            continue;
        }
        if let Ok(ks) = app::domain::pattern::keys(&i.pattern) {
            keys.extend(ks);
        }
    }
    keys.sort();
    keys.dedup();
    let allowed = allowlisted(db, keys.iter()).await?;
    use app::domain::observable::ValueKind;
    let mut out: Vec<Active> = keys
        .iter()
        .filter(|k| !allowed.contains(k))
        .filter_map(|k| {
            let (kind, value) = k.parts();
            Some(match kind {
                ValueKind::Domain => Active::Domain(value.to_string()),
                ValueKind::Ip => Active::Ip(value.parse().ok()?),
                ValueKind::Url => Active::Url(value.to_string()),
                ValueKind::Md5 => Active::Hash("md5", value.to_string()),
                ValueKind::Sha1 => Active::Hash("sha1", value.to_string()),
                ValueKind::Sha256 => Active::Hash("sha256", value.to_string()),
                _ => return None,
            })
        })
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// The incidents with an observable of this match hash (what "also in"
/// asks, for one value).
pub async fn sharing(db: &DatabaseConnection, hash: &str) -> ServiceResult<Vec<Uuid>> {
    use sea_orm::QuerySelect;
    Ok(observable::Entity::find()
        .select_only()
        .column(observable::Column::IncidentId)
        .filter(observable::Column::MatchHash.eq(hash))
        .into_tuple()
        .all(db)
        .await?)
}

// ---- campaign proposals ------------------------------------------------------------

/// Incidents that share indicators, proposed as campaigns
/// (`domain::campaign::propose`): allow-listed values do not count, and
/// only incidents the reader may see are shown. The handlers'.
pub async fn campaign_proposals(
    db: &DatabaseConnection,
    actor: &Actor,
) -> ServiceResult<Vec<app::domain::campaign::ProposalView>> {
    use app::domain::campaign::{ProposalView, Rules, propose};
    if !may(actor, Action::SeeIntel) {
        return Err(ServiceError::FORBIDDEN);
    }
    let rows = observable::Entity::find().all(db).await?;
    let keys: Vec<MatchKey> = rows
        .iter()
        .filter_map(|o| {
            let t = ObservableType::from_id(&o.kind)?;
            Some(MatchKey::of(t.kind(), &o.value))
        })
        .collect();
    let allowed = allowlisted(db, keys.iter()).await?;
    let mut values: BTreeMap<Uuid, Vec<(ObservableType, String)>> = BTreeMap::new();
    for o in &rows {
        let Some(t) = ObservableType::from_id(&o.kind) else {
            continue;
        };
        let key = MatchKey::of(t.kind(), &o.value);
        if !allowed.contains(&key) {
            values.entry(o.incident_id).or_default().push((t, key.0));
        }
    }
    let proposals = propose(&values, Rules::default());
    let ids: HashSet<Uuid> = proposals
        .iter()
        .flat_map(|p| p.incidents.iter().copied())
        .collect();
    let incidents: HashMap<Uuid, incident::Model> = if ids.is_empty() {
        HashMap::new()
    } else {
        incident::Entity::find()
            .filter(incident::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .filter(|i| app::domain::policy::may_view_incident(actor, super::kernel::facts_of(i)))
            .map(|i| (i.id, i))
            .collect()
    };
    Ok(proposals
        .into_iter()
        .filter_map(|p| {
            let mut seen: Vec<SeenIn> = p
                .incidents
                .iter()
                .filter_map(|id| incidents.get(id))
                .map(|i| SeenIn {
                    human_id: i.human_id.clone(),
                    title: i.title.clone(),
                })
                .collect();
            if seen.len() < 2 {
                return None;
            }
            seen.sort_by(|a, b| a.human_id.cmp(&b.human_id));
            let mut shared: Vec<(String, u32)> = p
                .shared
                .into_iter()
                .map(|(k, w)| (MatchKey(k).parts().1.to_string(), w))
                .collect();
            shared.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            Some(ProposalView {
                incidents: seen,
                shared,
                score: p.score,
            })
        })
        .collect())
}
