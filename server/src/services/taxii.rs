//! TAXII 2.1 collections (OASIS TAXII 2.1, §5): the indicators the officer
//! shares, one collection per TLP level a partner may receive (each holds
//! what is at that level or below), and an inbound collection partners post
//! envelopes to, whose indicators go into the threat-intelligence store.
//!
//! Every version of every object is a row of `taxii_objects`, in the order
//! it was added: a page is one range of one index (keyset paging on
//! date added, id and version; the `next` token is where the last page
//! ended), and its objects are the stored JSON text, never re-encoded.

use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use app::domain::classification::Tlp;
use app::domain::event::EventKind;
use app::domain::form::{ErrorCode, FieldError, FormResult};
use app::domain::policy::{Action, Actor, may, roles};

use super::audit;
use super::error::{OrCorrupt, ServiceError, ServiceResult};
use super::kernel::{event, visible_incident};
use super::timeline::detail;
use crate::entity::{observable, taxii_object, taxii_status};

/// The media type of TAXII 2.1 resources, and of the STIX objects in them.
pub const TAXII: &str = "application/taxii+json;version=2.1";
pub const STIX: &str = "application/stix+json;version=2.1";
/// The most objects one page holds.
pub const PAGE_MAX: usize = 1000;
/// The largest envelope a partner may post, in bytes, and the most objects
/// in it (all are written in one transaction).
pub const ENVELOPE_MAX: usize = 32 * 1024 * 1024;
pub const ENVELOPE_OBJECTS_MAX: usize = 10_000;

/// A collection of this server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Collection {
    pub id: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// The highest TLP it holds; `None` for the inbound collection.
    pub up_to: Option<Tlp>,
}

pub const COLLECTIONS: [Collection; 4] = [
    Collection {
        id: "5d0a6c1e-7b2f-4c6a-9e1d-3a8f0b4c2d01",
        title: "Hikeshi shared indicators (TLP:CLEAR)",
        description: "Indicators the security officer shares, at TLP:CLEAR.",
        up_to: Some(Tlp::Clear),
    },
    Collection {
        id: "5d0a6c1e-7b2f-4c6a-9e1d-3a8f0b4c2d02",
        title: "Hikeshi shared indicators (TLP:GREEN and below)",
        description: "Indicators the security officer shares, at TLP:GREEN or TLP:CLEAR.",
        up_to: Some(Tlp::Green),
    },
    Collection {
        id: "5d0a6c1e-7b2f-4c6a-9e1d-3a8f0b4c2d03",
        title: "Hikeshi shared indicators (TLP:AMBER and below)",
        description: "Indicators the security officer shares, at TLP:AMBER, TLP:GREEN or TLP:CLEAR.",
        up_to: Some(Tlp::Amber),
    },
    Collection {
        id: "5d0a6c1e-7b2f-4c6a-9e1d-3a8f0b4c2d10",
        title: "Hikeshi inbound",
        description: "Partners post STIX 2.1 envelopes here; their indicators go into the threat-intelligence store.",
        up_to: None,
    },
];

impl Collection {
    pub fn by_id(id: &str) -> Option<&'static Collection> {
        COLLECTIONS.iter().find(|c| c.id == id)
    }

    /// Handlers read the shared collections; the officer also the inbound one.
    pub fn can_read(&self, actor: &Actor) -> bool {
        match self.up_to {
            Some(_) => may(actor, Action::SeeIntel),
            None => may(actor, Action::ManageIntel),
        }
    }

    /// Only the inbound collection is written to, by the officer.
    pub fn can_write(&self, actor: &Actor) -> bool {
        self.up_to.is_none() && may(actor, Action::ManageIntel)
    }

    /// A collection the actor may do nothing with does not exist for it.
    pub fn visible_to(&self, actor: &Actor) -> bool {
        self.can_read(actor) || self.can_write(actor)
    }
}

/// A TAXII timestamp: UTC, microseconds, `Z` (the precision the
/// specification asks of `date_added`), which sorts as text.
pub fn taxii_ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A timestamp as a client sends it, in our form; `None` when it is not one.
pub fn parse_ts(s: &str) -> Option<String> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| taxii_ts(t.with_timezone(&Utc)))
}

/// Which versions of an object a request asks for (`match[version]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Versions {
    Last,
    First,
    All,
    /// These versions (STIX timestamps, as stored).
    At(Vec<String>),
}

impl Versions {
    pub fn parse(s: Option<&str>) -> Option<Versions> {
        let Some(s) = s else {
            return Some(Versions::Last);
        };
        let mut at = Vec::new();
        for part in s.split(',').map(str::trim) {
            match part {
                "last" => return Some(Versions::Last),
                "first" => return Some(Versions::First),
                "all" => return Some(Versions::All),
                t => at.push(
                    DateTime::parse_from_rfc3339(t)
                        .ok()
                        .map(|t| crate::stix::ts(t.with_timezone(&Utc)))?,
                ),
            }
        }
        Some(Versions::At(at))
    }
}

/// Where a page starts: after this (date added, id, version).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub date_added: String,
    pub id: String,
    pub version: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
            "{}\n{}\n{}",
            self.date_added, self.id, self.version
        ))
    }

    pub fn decode(s: &str) -> Option<Cursor> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s.trim())
            .ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let mut parts = text.split('\n');
        let (d, i, v) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || parse_ts(d).as_deref() != Some(d) || i.len() > 100 {
            return None;
        }
        Some(Cursor {
            date_added: d.into(),
            id: i.into(),
            version: v.into(),
        })
    }
}

/// A request for objects, manifest entries or versions.
#[derive(Clone, Debug)]
pub struct Query {
    pub added_after: Option<String>,
    pub limit: usize,
    pub next: Option<Cursor>,
    pub types: Vec<String>,
    pub ids: Vec<String>,
    pub versions: Versions,
    /// Asked for a STIX version other than 2.1: nothing matches.
    pub nothing: bool,
}

/// One page: the rows and whether more follow.
#[derive(Debug)]
pub struct Page {
    pub rows: Vec<taxii_object::Model>,
    pub more: bool,
    pub next: Option<String>,
}

impl Page {
    pub fn first_added(&self) -> Option<&str> {
        self.rows.first().map(|r| r.date_added.as_str())
    }
    pub fn last_added(&self) -> Option<&str> {
        self.rows.last().map(|r| r.date_added.as_str())
    }
}

/// A page of a collection the actor may read.
pub async fn page(
    db: &DatabaseConnection,
    actor: &Actor,
    collection: &Collection,
    q: &Query,
) -> ServiceResult<Page> {
    if !collection.can_read(actor) {
        return Err(ServiceError::FORBIDDEN);
    }
    if q.nothing {
        return Ok(Page {
            rows: Vec::new(),
            more: false,
            next: None,
        });
    }
    use taxii_object::Column as C;
    let mut find = taxii_object::Entity::find().filter(C::Collection.eq(collection.id));
    match &q.versions {
        Versions::Last => find = find.filter(C::Latest.eq(true)),
        Versions::First => find = find.filter(C::First.eq(true)),
        Versions::All => {}
        Versions::At(v) => find = find.filter(C::Version.is_in(v.clone())),
    }
    if let Some(after) = &q.added_after {
        find = find.filter(C::DateAdded.gt(after.as_str()));
    }
    if !q.types.is_empty() {
        find = find.filter(C::ObjectType.is_in(q.types.clone()));
    }
    if !q.ids.is_empty() {
        find = find.filter(C::StixId.is_in(q.ids.clone()));
    }
    if let Some(c) = &q.next {
        // A row-value comparison: one range of the page index on both
        // databases (the OR of its parts made SQLite read more of it).
        find = find.filter(
            Expr::tuple([
                Expr::col(C::DateAdded),
                Expr::col(C::StixId),
                Expr::col(C::Version),
            ])
            .gt(Expr::tuple([
                Expr::val(c.date_added.as_str()),
                Expr::val(c.id.as_str()),
                Expr::val(c.version.as_str()),
            ])),
        );
    }
    let limit = q.limit.clamp(1, PAGE_MAX);
    let mut rows = find
        .order_by_asc(C::DateAdded)
        .order_by_asc(C::StixId)
        .order_by_asc(C::Version)
        .limit(limit as u64 + 1)
        .all(db)
        .await?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = more.then(|| rows.last()).flatten().map(|r| {
        Cursor {
            date_added: r.date_added.clone(),
            id: r.stix_id.clone(),
            version: r.version.clone(),
        }
        .encode()
    });
    Ok(Page { rows, more, next })
}

/// The envelope of a page: its objects' stored text, as is.
pub fn envelope(page: &Page) -> String {
    let mut out =
        String::with_capacity(page.rows.iter().map(|r| r.body.len() + 1).sum::<usize>() + 64);
    out.push_str("{\"more\":");
    out.push_str(if page.more { "true" } else { "false" });
    if let Some(n) = &page.next {
        out.push_str(",\"next\":");
        out.push_str(&Value::String(n.clone()).to_string());
    }
    out.push_str(",\"objects\":[");
    for (i, r) in page.rows.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&r.body);
    }
    out.push_str("]}");
    out
}

/// The manifest of a page.
pub fn manifest(page: &Page) -> Value {
    let objects: Vec<Value> = page
        .rows
        .iter()
        .map(|r| {
            json!({
                "id": r.stix_id,
                "date_added": r.date_added,
                "version": r.version,
                "media_type": STIX,
            })
        })
        .collect();
    let mut m = json!({ "more": page.more, "objects": objects });
    if let Some(n) = &page.next {
        m["next"] = json!(n);
    }
    m
}

/// The versions of a page's object.
pub fn versions(page: &Page) -> Value {
    let list: Vec<&str> = page.rows.iter().map(|r| r.version.as_str()).collect();
    let mut m = json!({ "more": page.more, "versions": list });
    if let Some(n) = &page.next {
        m["next"] = json!(n);
    }
    m
}

/// The version an object names: its `modified`, else `created`, else
/// (an SCO, a marking definition without either) when it was added.
fn version_of(o: &serde_json::Map<String, Value>, added: &str) -> String {
    ["modified", "created"]
        .iter()
        .find_map(|k| o.get(*k).and_then(Value::as_str))
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| crate::stix::ts(t.with_timezone(&Utc)))
        .unwrap_or_else(|| added.to_string())
}

/// Adds an object to a collection as its newest version (unless that
/// version is there already: adding it again changes nothing).
async fn put(
    txn: &DatabaseTransaction,
    collection: &str,
    object: &serde_json::Map<String, Value>,
    added: &str,
) -> ServiceResult<String> {
    use taxii_object::Column as C;
    let id = object
        .get("id")
        .and_then(Value::as_str)
        .or_corrupt("stix id")?
        .to_string();
    let kind = object
        .get("type")
        .and_then(Value::as_str)
        .or_corrupt("stix type")?
        .to_string();
    let version = version_of(object, added);
    let versions: Vec<(String, bool)> = taxii_object::Entity::find()
        .select_only()
        .column(C::Version)
        .column(C::Latest)
        .filter(C::Collection.eq(collection))
        .filter(C::StixId.eq(id.as_str()))
        .into_tuple()
        .all(txn)
        .await?;
    if versions.iter().any(|(v, _)| *v == version) {
        return Ok(version);
    }
    let newest = versions.iter().all(|(v, _)| *v < version);
    if newest && !versions.is_empty() {
        taxii_object::Entity::update_many()
            .col_expr(C::Latest, Expr::value(false))
            .filter(C::Collection.eq(collection))
            .filter(C::StixId.eq(id.as_str()))
            .exec(txn)
            .await?;
    }
    let oldest = versions.iter().all(|(v, _)| *v > version);
    if oldest && !versions.is_empty() {
        taxii_object::Entity::update_many()
            .col_expr(C::First, Expr::value(false))
            .filter(C::Collection.eq(collection))
            .filter(C::StixId.eq(id.as_str()))
            .exec(txn)
            .await?;
    }
    taxii_object::ActiveModel {
        collection: Set(collection.to_string()),
        stix_id: Set(id),
        version: Set(version.clone()),
        date_added: Set(added.to_string()),
        latest: Set(newest),
        first: Set(oldest),
        object_type: Set(kind),
        body: Set(Value::Object(object.clone()).to_string()),
    }
    .insert(txn)
    .await?;
    Ok(version)
}

fn as_map(v: Value) -> serde_json::Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

/// Shares an observable marked as an indicator through the collections its
/// TLP allows (with the organisation's identity and the TLP marking), or
/// stops sharing it: a revoked version follows, as STIX says an object is
/// withdrawn. The officer's; a timeline event and an audit record.
pub async fn share(
    db: &DatabaseConnection,
    actor: &Actor,
    human_id: &str,
    id: Uuid,
    on: bool,
    organisation: &str,
) -> ServiceResult<FormResult<()>> {
    if !roles::may_share_intel(&actor.roles) {
        return Err(ServiceError::FORBIDDEN);
    }
    let inc = visible_incident(db, actor, human_id).await?;
    let refuse = |code| {
        Ok(FormResult::Invalid(vec![FieldError {
            field: "share".into(),
            code,
        }]))
    };
    let access = super::kernel::access_to(actor, &inc);
    let view = super::observables::views(db, actor, &access, &inc)
        .await?
        .into_iter()
        .find(|o| o.id == id)
        .ok_or(ServiceError::NOT_FOUND)?;
    let row = observable::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    use app::domain::workflow::Refusal;
    if on && (view.tlp > Tlp::Amber || view.allowlisted) {
        return refuse(ErrorCode::Refused(Refusal::NotShareable));
    }
    let now = Utc::now();
    let Some(indicator) = crate::stix::shared_indicator(organisation, &view, now, !on) else {
        return refuse(ErrorCode::Refused(Refusal::NotShareable));
    };
    if on == row.shared_at.is_some() {
        // Shared already, or not shared: nothing changes.
        return Ok(FormResult::Done(()));
    }
    let added = taxii_ts(now);
    let txn = crate::db::begin_write(db).await?;
    let identity = as_map(crate::stix::identity(organisation));
    let marking = as_map(crate::stix::tlp_marking(view.tlp));
    let indicator = as_map(indicator);
    for c in COLLECTIONS
        .iter()
        .filter(|c| c.up_to.is_some_and(|t| view.tlp <= t))
    {
        // Revoking reaches every collection that has the indicator.
        put(&txn, c.id, &marking, &added).await?;
        put(&txn, c.id, &identity, &added).await?;
        put(&txn, c.id, &indicator, &added).await?;
    }
    let mut m: observable::ActiveModel = row.into();
    m.shared_at = Set(on.then_some(now));
    m.update(&txn).await?;
    let kind = if on {
        EventKind::ObservableShared
    } else {
        EventKind::ObservableUnshared
    };
    let d = detail([
        ("observable", id.to_string()),
        ("value", format!("{} {}", view.kind.id(), view.value)),
        ("phase", view.phase.id().to_string()),
    ]);
    event(&txn, &inc, actor, kind, None, d).await?;
    audit::record(
        &txn,
        Some(actor.id),
        if on {
            "indicator_shared"
        } else {
            "indicator_unshared"
        },
        "observable",
        id,
        json!({ "incident": inc.human_id, "tlp": view.tlp.id() }),
    )
    .await?;
    txn.commit().await?;
    Ok(FormResult::Done(()))
}

/// What happened to one object of a posted envelope.
#[derive(Debug)]
struct Outcome {
    id: String,
    version: Option<String>,
    message: Option<String>,
}

/// Adds a posted envelope's objects to the inbound collection and its
/// indicators to the threat-intelligence store, in one transaction. Each
/// object that is not a STIX 2.1 object fails with why; the rest succeed.
/// Returns the status resource's id.
pub async fn post(
    db: &DatabaseConnection,
    actor: &Actor,
    collection: &Collection,
    body: &[u8],
) -> ServiceResult<Result<Uuid, String>> {
    if !collection.can_write(actor) {
        return Err(ServiceError::FORBIDDEN);
    }
    let envelope: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return Ok(Err(format!("not JSON: {e}"))),
    };
    let Some(objects) = envelope.get("objects").and_then(Value::as_array) else {
        return Ok(Err("an envelope holds an array of objects".into()));
    };
    if objects.len() > ENVELOPE_OBJECTS_MAX {
        return Ok(Err(format!(
            "at most {ENVELOPE_OBJECTS_MAX} objects per envelope; send the rest in another"
        )));
    }
    let now = Utc::now();
    let added = taxii_ts(now);
    let mut outcomes = Vec::new();
    let mut accepted = Vec::new();
    let mut indicators = Vec::new();
    for (n, o) in objects.iter().enumerate() {
        let Some(map) = o.as_object() else {
            outcomes.push(Outcome {
                id: format!("object {}", n + 1),
                version: None,
                message: Some("not a JSON object".into()),
            });
            continue;
        };
        let named = map.get("id").and_then(Value::as_str).unwrap_or("");
        let id = if named.is_empty() {
            format!("object {}", n + 1)
        } else {
            named.chars().take(100).collect()
        };
        let fail = |message: String| Outcome {
            id: id.clone(),
            version: None,
            message: Some(message),
        };
        let kind = map.get("type").and_then(Value::as_str).unwrap_or("");
        let well_formed = named
            .split_once("--")
            .is_some_and(|(t, u)| t == kind && Uuid::parse_str(u).is_ok());
        if kind.is_empty() || !well_formed {
            outcomes.push(fail(
                "id: must be the object's type, \"--\" and a UUID".into(),
            ));
            continue;
        }
        if map.get("spec_version").and_then(Value::as_str) != Some("2.1")
            && kind != "marking-definition"
        {
            outcomes.push(fail("spec_version: must be \"2.1\"".into()));
            continue;
        }
        match super::intel::indicator(map, n + 1) {
            Ok(Some(i)) => indicators.push(i),
            Ok(None) => {}
            Err(b) => {
                outcomes.push(fail(format!("{} is missing or not valid", b.field)));
                continue;
            }
        }
        accepted.push(map.clone());
    }
    let txn = crate::db::begin_write(db).await?;
    for map in &accepted {
        let version = put(&txn, collection.id, map, &added).await?;
        outcomes.push(Outcome {
            id: map
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            version: Some(version),
            message: None,
        });
    }
    let summary = if indicators.is_empty() {
        None
    } else {
        Some(super::intel::store(&txn, actor, "taxii:inbound", indicators, objects.len()).await?)
    };
    let successes: Vec<Value> = outcomes
        .iter()
        .filter(|o| o.message.is_none())
        .map(|o| json!({ "id": o.id, "version": o.version }))
        .collect();
    let failures: Vec<Value> = outcomes
        .iter()
        .filter_map(|o| {
            o.message
                .as_ref()
                .map(|m| json!({ "id": o.id, "message": m }))
        })
        .collect();
    let id = Uuid::new_v4();
    taxii_status::ActiveModel {
        id: Set(id),
        collection: Set(collection.id.into()),
        status: Set("complete".into()),
        request_timestamp: Set(now),
        total_count: Set(i32::try_from(outcomes.len()).unwrap_or(i32::MAX)),
        success_count: Set(i32::try_from(successes.len()).unwrap_or(i32::MAX)),
        failure_count: Set(i32::try_from(failures.len()).unwrap_or(i32::MAX)),
        details: Set(json!({ "successes": successes, "failures": failures }).to_string()),
        created_by: Set(actor.id),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Some(actor.id),
        "taxii_envelope_posted",
        "taxii_collection",
        collection.id,
        json!({
            "status": id.to_string(),
            "objects": outcomes.len(),
            "failures": failures.len(),
            "indicators": summary.map_or(0, |s| s.indicators),
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(id))
}

/// A status resource, for whoever posted it (or the officer).
pub async fn status(conn: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> ServiceResult<Value> {
    let s = taxii_status::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ServiceError::NOT_FOUND)?;
    if s.created_by != actor.id && !may(actor, Action::ManageIntel) {
        return Err(ServiceError::NOT_FOUND);
    }
    let details: Value = serde_json::from_str(&s.details).unwrap_or_else(|_| json!({}));
    Ok(json!({
        "id": s.id.to_string(),
        "status": s.status,
        "request_timestamp": taxii_ts(s.request_timestamp),
        "total_count": s.total_count,
        "success_count": s.success_count,
        "successes": details.get("successes").cloned().unwrap_or_else(|| json!([])),
        "failure_count": s.failure_count,
        "failures": details.get("failures").cloned().unwrap_or_else(|| json!([])),
        "pending_count": 0,
        "pendings": [],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_a_forged_one_is_refused() {
        let c = Cursor {
            date_added: "2026-12-01T00:00:00.000001Z".into(),
            id: "indicator--5c8f8a26-5b2f-4b6e-8d3e-0f3c9a7a1b11".into(),
            version: "2026-12-01T00:00:00.000Z".into(),
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("not base64!"), None);
        let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("yesterday\nx\ny");
        assert_eq!(Cursor::decode(&forged), None);
    }

    #[test]
    fn versions_and_timestamps_are_read_as_the_specification_writes_them() {
        assert_eq!(Versions::parse(None), Some(Versions::Last));
        assert_eq!(Versions::parse(Some("all")), Some(Versions::All));
        assert_eq!(
            Versions::parse(Some("2026-01-01T00:00:00Z")),
            Some(Versions::At(vec!["2026-01-01T00:00:00.000Z".into()]))
        );
        assert_eq!(Versions::parse(Some("soon")), None);
        assert_eq!(
            parse_ts("2026-01-01T09:00:00+09:00").as_deref(),
            Some("2026-01-01T00:00:00.000000Z")
        );
        assert_eq!(parse_ts("2026-13-01"), None);
    }

    #[test]
    fn every_collection_has_its_own_id_and_only_inbound_is_written() {
        let mut ids: Vec<&str> = COLLECTIONS.iter().map(|c| c.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), COLLECTIONS.len());
        assert!(ids.iter().all(|i| Uuid::parse_str(i).is_ok()));
        assert_eq!(COLLECTIONS.iter().filter(|c| c.up_to.is_none()).count(), 1);
    }
}
