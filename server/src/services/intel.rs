//! The threat-intelligence store: STIX 2.1 bundles imported (their
//! indicators, with validity and the values their patterns compare with),
//! and what the store knows of an observable.
//!
//! A bundle is read object by object (the objects are never all held as a
//! JSON tree), checked, and written in one transaction: a malformed object
//! names itself and its field, and nothing of the bundle is kept.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use uuid::Uuid;

use app::domain::form::{ErrorCode, FieldError, FormResult};
use app::domain::intel::{ImportSummary, IntelIndicatorView, Known};
use app::domain::pattern;
use app::domain::policy::{Action, Actor, may};

use super::audit;
use super::error::{ServiceError, ServiceResult};
use super::kernel::match_hash;
use crate::entity::{intel_indicator, intel_key};

/// The most a bundle may be, in bytes.
pub const BUNDLE_MAX: usize = 256 * 1024 * 1024;

/// One indicator of a bundle, checked.
#[derive(Debug)]
pub(super) struct Indicator {
    stix_id: String,
    name: String,
    pattern: String,
    pattern_type: String,
    valid_from: DateTime<Utc>,
    valid_until: Option<DateTime<Utc>>,
    keys: Result<Vec<String>, String>,
}

/// What is wrong with an object: its id (or its place), the field.
#[derive(Debug)]
pub(super) struct Bad {
    pub object: String,
    pub field: String,
}

impl fmt::Display for Bad {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.object, self.field)
    }
}

/// Reads a bundle's objects one at a time, keeping the indicators.
fn read_bundle(bytes: &[u8]) -> Result<(Vec<Indicator>, usize), Bad> {
    struct Objects<'a> {
        out: &'a mut Vec<Indicator>,
        seen: &'a mut usize,
        bad: &'a mut Option<Bad>,
    }
    impl<'de> DeserializeSeed<'de> for Objects<'_> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }
    impl<'de> Visitor<'de> for Objects<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an array of STIX objects")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some(o) = seq.next_element::<serde_json::Map<String, serde_json::Value>>()? {
                *self.seen += 1;
                if self.bad.is_some() {
                    continue;
                }
                match indicator(&o, *self.seen) {
                    Ok(Some(i)) => self.out.push(i),
                    Ok(None) => {}
                    Err(b) => *self.bad = Some(b),
                }
            }
            Ok(())
        }
    }
    struct Bundle<'a> {
        out: &'a mut Vec<Indicator>,
        seen: &'a mut usize,
        bad: &'a mut Option<Bad>,
        kind: &'a mut Option<String>,
    }
    impl<'de> Visitor<'de> for Bundle<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a STIX bundle")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<String>()? {
                match key.as_str() {
                    "type" => *self.kind = Some(map.next_value()?),
                    "objects" => map.next_value_seed(Objects {
                        out: self.out,
                        seen: self.seen,
                        bad: self.bad,
                    })?,
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(())
        }
    }
    let mut out = Vec::new();
    let mut seen = 0;
    let mut bad = None;
    let mut kind = None;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde::Deserializer::deserialize_map(
        &mut de,
        Bundle {
            out: &mut out,
            seen: &mut seen,
            bad: &mut bad,
            kind: &mut kind,
        },
    )
    .and_then(|()| de.end())
    .map_err(|e| Bad {
        object: "bundle".into(),
        field: format!("not JSON a bundle can be read from: {e}"),
    })?;
    if let Some(b) = bad {
        return Err(b);
    }
    if kind.as_deref() != Some("bundle") {
        return Err(Bad {
            object: "bundle".into(),
            field: "type (must be \"bundle\")".into(),
        });
    }
    Ok((out, seen))
}

/// An object of the bundle: an indicator, checked; anything else, skipped.
pub(super) fn indicator(
    o: &serde_json::Map<String, serde_json::Value>,
    n: usize,
) -> Result<Option<Indicator>, Bad> {
    let at = |field: &str| Bad {
        object: o
            .get("id")
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| format!("object {n}")),
        field: field.into(),
    };
    let Some(kind) = o.get("type").and_then(|v| v.as_str()) else {
        return Err(at("type"));
    };
    if kind != "indicator" {
        return Ok(None);
    }
    let text = |field: &str| -> Result<String, Bad> {
        o.get(field)
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .ok_or_else(|| at(field))
    };
    let stix_id = text("id")?;
    let valid_id = stix_id
        .strip_prefix("indicator--")
        .is_some_and(|u| Uuid::parse_str(u).is_ok());
    if !valid_id {
        return Err(at("id"));
    }
    let time = |field: &str| -> Result<Option<DateTime<Utc>>, Bad> {
        match o.get(field) {
            None => Ok(None),
            Some(v) => v
                .as_str()
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                .map(|t| Some(t.with_timezone(&Utc)))
                .ok_or_else(|| at(field)),
        }
    };
    let valid_from = time("valid_from")?.ok_or_else(|| at("valid_from"))?;
    let valid_until = time("valid_until")?;
    if valid_until.is_some_and(|u| u <= valid_from) {
        return Err(at("valid_until"));
    }
    let pattern = text("pattern")?;
    let pattern_type = text("pattern_type")?;
    let keys = if pattern_type == "stix" {
        pattern::keys(&pattern)
            .map(|ks| ks.iter().map(match_hash).collect())
            .map_err(|u| match u {
                pattern::Unread::Syntax(s) | pattern::Unread::Unsupported(s) => s,
            })
    } else {
        Err(format!("pattern type {pattern_type}"))
    };
    let name = o
        .get("name")
        .and_then(|v| v.as_str())
        .map(|s| app::domain::form::clean(s, app::domain::form::Lines::One))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| pattern.chars().take(120).collect());
    Ok(Some(Indicator {
        stix_id,
        name,
        pattern,
        pattern_type,
        valid_from,
        valid_until,
        keys,
    }))
}

/// Imports a bundle: all of it in one transaction, or nothing with the
/// object and field that stopped it. The officer's.
pub async fn import(
    db: &DatabaseConnection,
    actor: &Actor,
    source: &str,
    bytes: &[u8],
) -> ServiceResult<FormResult<ImportSummary>> {
    if !may(actor, Action::ManageIntel) {
        return Err(ServiceError::FORBIDDEN);
    }
    let refuse = |code| {
        Ok(FormResult::Invalid(vec![FieldError {
            field: "bundle".into(),
            code,
        }]))
    };
    if bytes.len() > BUNDLE_MAX {
        return refuse(ErrorCode::TooLong(BUNDLE_MAX));
    }
    let bytes = bytes.to_vec();
    let read = tokio::task::spawn_blocking(move || read_bundle(&bytes))
        .await
        .map_err(|_| ServiceError::Corrupt("bundle reader"))?;
    let (indicators, objects) = match read {
        Ok(v) => v,
        Err(b) => return refuse(ErrorCode::BadStix(b.object, b.field)),
    };
    let txn = crate::db::begin_write(db).await?;
    let summary = store(&txn, actor, source, indicators, objects).await?;
    txn.commit().await?;
    Ok(FormResult::Done(summary))
}

/// Keeps checked indicators in the store (replacing earlier imports of the
/// same STIX ids), inside the caller's transaction, with its audit record.
pub(super) async fn store(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    source: &str,
    indicators: Vec<Indicator>,
    objects: usize,
) -> ServiceResult<ImportSummary> {
    let source = app::domain::form::clean(source, app::domain::form::Lines::One);
    let source: String = source.chars().take(200).collect();
    let now = Utc::now();
    let mut summary = ImportSummary {
        objects,
        indicators: indicators.len(),
        automatic: 0,
        replaced: 0,
    };
    for chunk in indicators.chunks(500) {
        let ids: Vec<String> = chunk.iter().map(|i| i.stix_id.clone()).collect();
        let old: Vec<Uuid> = intel_indicator::Entity::find()
            .select_only()
            .column(intel_indicator::Column::Id)
            .filter(intel_indicator::Column::StixId.is_in(ids))
            .into_tuple()
            .all(txn)
            .await?;
        summary.replaced += old.len();
        if !old.is_empty() {
            intel_key::Entity::delete_many()
                .filter(intel_key::Column::IndicatorId.is_in(old.clone()))
                .exec(txn)
                .await?;
            intel_indicator::Entity::delete_many()
                .filter(intel_indicator::Column::Id.is_in(old))
                .exec(txn)
                .await?;
        }
        let mut rows = Vec::new();
        let mut keys = Vec::new();
        for i in chunk {
            let id = Uuid::new_v4();
            let (automatic, unread) = match &i.keys {
                Ok(hashes) => {
                    for h in hashes {
                        keys.push(intel_key::ActiveModel {
                            indicator_id: Set(id),
                            match_hash: Set(h.clone()),
                        });
                    }
                    (true, String::new())
                }
                Err(why) => (false, why.clone()),
            };
            summary.automatic += usize::from(automatic);
            rows.push(intel_indicator::ActiveModel {
                id: Set(id),
                stix_id: Set(i.stix_id.clone()),
                name: Set(i.name.clone()),
                pattern: Set(i.pattern.clone()),
                pattern_type: Set(i.pattern_type.clone()),
                valid_from: Set(i.valid_from),
                valid_until: Set(i.valid_until),
                source: Set(source.clone()),
                automatic: Set(automatic),
                unread: Set(unread),
                imported_by: Set(actor.id),
                imported_at: Set(now),
            });
        }
        if !rows.is_empty() {
            intel_indicator::Entity::insert_many(rows).exec(txn).await?;
        }
        for k in keys.chunks(500) {
            intel_key::Entity::insert_many(k.to_vec()).exec(txn).await?;
        }
    }
    audit::record(
        txn,
        Some(actor.id),
        "intel_imported",
        "intel",
        source.clone(),
        serde_json::json!({
            "objects": summary.objects,
            "indicators": summary.indicators,
            "automatic": summary.automatic,
            "replaced": summary.replaced,
        }),
    )
    .await?;
    Ok(summary)
}

/// What the store knows of these match hashes: the indicators in force now
/// (valid from before now, not expired) that compare with them.
pub async fn known(
    conn: &impl ConnectionTrait,
    hashes: Vec<String>,
) -> ServiceResult<HashMap<String, Vec<Known>>> {
    if hashes.is_empty() {
        return Ok(HashMap::new());
    }
    let now = Utc::now();
    let keys = intel_key::Entity::find()
        .filter(intel_key::Column::MatchHash.is_in(hashes))
        .all(conn)
        .await?;
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<Uuid> = keys.iter().map(|k| k.indicator_id).collect();
    let indicators: HashMap<Uuid, intel_indicator::Model> = intel_indicator::Entity::find()
        .filter(intel_indicator::Column::Id.is_in(ids))
        .filter(intel_indicator::Column::ValidFrom.lte(now))
        .all(conn)
        .await?
        .into_iter()
        .filter(|i| i.valid_until.is_none_or(|u| u > now))
        .map(|i| (i.id, i))
        .collect();
    let mut out: HashMap<String, Vec<Known>> = HashMap::new();
    for k in keys {
        if let Some(i) = indicators.get(&k.indicator_id) {
            out.entry(k.match_hash).or_default().push(Known {
                name: i.name.clone(),
                source: i.source.clone(),
                valid_until: i.valid_until,
            });
        }
    }
    Ok(out)
}

/// The store's newest indicators, with the counts: for the handlers.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
) -> ServiceResult<(u64, Vec<IntelIndicatorView>)> {
    if !may(actor, Action::SeeIntel) {
        return Err(ServiceError::FORBIDDEN);
    }
    let total = intel_indicator::Entity::find().count(db).await?;
    let rows = intel_indicator::Entity::find()
        .order_by_desc(intel_indicator::Column::ImportedAt)
        .order_by_asc(intel_indicator::Column::StixId)
        .limit(200)
        .all(db)
        .await?;
    Ok((
        total,
        rows.into_iter()
            .map(|i| IntelIndicatorView {
                stix_id: i.stix_id,
                name: i.name,
                pattern: i.pattern,
                source: i.source,
                valid_from: i.valid_from,
                valid_until: i.valid_until,
                automatic: i.automatic,
                unread: i.unread,
                imported_at: i.imported_at,
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_is_read_object_by_object_and_a_bad_one_is_named() {
        let good = br#"{"type":"bundle","id":"bundle--1","objects":[
            {"type":"identity","id":"identity--x"},
            {"type":"indicator","id":"indicator--5c8f8a26-5b2f-4b6e-8d3e-0f3c9a7a1b11","pattern":"[domain-name:value = 'evil.example']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z","name":"C2"},
            {"type":"indicator","id":"indicator--6c8f8a26-5b2f-4b6e-8d3e-0f3c9a7a1b11","pattern":"[process:pid = 4]","pattern_type":"stix","valid_from":"2026-01-01T00:00:00.000Z"}
        ]}"#;
        let (list, seen) = read_bundle(good).unwrap();
        assert_eq!(seen, 3);
        assert_eq!(list.len(), 2);
        assert!(list[0].keys.is_ok());
        assert!(list[1].keys.is_err(), "kept, not matched automatically");
        let bad = br#"{"type":"bundle","objects":[
            {"type":"indicator","id":"indicator--7c8f8a26-5b2f-4b6e-8d3e-0f3c9a7a1b11","pattern":"[domain-name:value = 'x.example']","pattern_type":"stix","valid_from":"yesterday"}
        ]}"#;
        let b = read_bundle(bad).unwrap_err();
        assert_eq!(b.object, "indicator--7c8f8a26-5b2f-4b6e-8d3e-0f3c9a7a1b11");
        assert_eq!(b.field, "valid_from");
        let b = read_bundle(br#"{"type":"bundle","objects":[{"id":"x"}]}"#).unwrap_err();
        assert_eq!((b.object.as_str(), b.field.as_str()), ("x", "type"));
        let b = read_bundle(br#"{"type":"report","objects":[]}"#).unwrap_err();
        assert_eq!(b.object, "bundle");
        assert!(read_bundle(b"{not json").is_err());
    }
}
