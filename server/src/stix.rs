//! STIX 2.1 bundles of an incident's observables: the organisation as an
//! `identity`, each observable as its cyber-observable object (SCO), the
//! ones marked as indicators as `indicator`s with STIX patterns, sightings
//! as `observed-data` and `sighting`, exploited CVEs as `vulnerability`,
//! techniques as `attack-pattern`, executed containment as
//! `course-of-action` that `mitigates` the indicators, the whole incident
//! as a `grouping`, each object marked with the official TLP 2.0 marking
//! definition.
//!
//! Ids are deterministic: an SCO's is the UUIDv5 the specification defines
//! (its namespace over the object's id-contributing properties), the
//! others, for which the specification wants UUIDv4, get a version-4 UUID
//! made from a hash of what they are in this database. Exporting twice
//! gives the same objects, not copies.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use app::domain::classification::Tlp;
use app::domain::observable::{ObservableType, ObservableView};

/// The namespace of SCO ids (STIX 2.1, 2.9).
pub const SCO_NAMESPACE: Uuid = Uuid::from_u128(0x00abedb4_aa42_466c_9c01_fed23315a9b7);
/// Hikeshi's own namespace for the ids of the other objects.
pub const HIKESHI_NAMESPACE: Uuid = Uuid::from_u128(0x3f1c2a5e_6b7d_4e0f_9a81_7c2d4b6e8f10);

/// The TLP 2.0 extension that the official marking definitions use.
const TLP2_EXTENSION: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// The official marking definition of a TLP 2.0 level.
pub fn tlp_marking(tlp: Tlp) -> Value {
    let (id, name, level) = match tlp {
        Tlp::Clear => ("94868c89-83c2-464b-929b-a1a8aa3c8487", "TLP:CLEAR", "clear"),
        Tlp::Green => ("bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "TLP:GREEN", "green"),
        Tlp::Amber => ("55d920b0-5e8b-4f79-9ee9-91f868d9b421", "TLP:AMBER", "amber"),
        Tlp::AmberStrict => (
            "939a9414-2ddd-4d32-a0cd-375ea402b003",
            "TLP:AMBER+STRICT",
            "amber+strict",
        ),
        Tlp::Red => ("e828b379-4e03-4974-9ac4-e53a884c97c1", "TLP:RED", "red"),
    };
    json!({
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": format!("marking-definition--{id}"),
        "created": "2022-10-01T00:00:00.000Z",
        "name": name,
        "extensions": {
            TLP2_EXTENSION: {
                "extension_type": "property-extension",
                "tlp_2_0": level
            }
        }
    })
}

fn marking_id(tlp: Tlp) -> String {
    tlp_marking(tlp)["id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A STIX timestamp: UTC, milliseconds, `Z`.
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The JSON canonical form (RFC 8785) of what an SCO id is computed over:
/// keys sorted, no spaces. The keys are sorted here, not left to
/// serde_json: a dependency (the `evtx` crate) turns on its
/// `preserve_order`, which keeps insertion order. serde_json writes strings
/// as JCS does for the text these values hold.
fn canonical(v: &Value) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), sorted(&m[k])))
                        .collect(),
                )
            }
            Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    serde_json::to_string(&sorted(v)).unwrap_or_default()
}

fn sco_id(kind: &str, contributing: &Value) -> String {
    format!(
        "{kind}--{}",
        Uuid::new_v5(&SCO_NAMESPACE, canonical(contributing).as_bytes())
    )
}

/// A version-4 UUID that is the same every time for the same thing: the
/// first 16 bytes of SHA-256 over Hikeshi's namespace and the name, with
/// the version and variant bits of a v4.
fn own_id(kind: &str, name: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(HIKESHI_NAMESPACE.as_bytes());
    h.update(name.as_bytes());
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    let uuid = uuid::Builder::from_random_bytes(bytes).into_uuid();
    format!("{kind}--{uuid}")
}

/// A value inside a STIX pattern's single quotes.
pub fn pattern_literal(v: &str) -> String {
    format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// What an export holds besides the observables.
pub struct Export<'a> {
    pub organisation: &'a str,
    pub incident_id: Uuid,
    pub human_id: &'a str,
    /// Shown only when the incident's own TLP is within the export's.
    pub title: Option<&'a str>,
    pub created: DateTime<Utc>,
    pub tlp: Tlp,
    /// The highest TLP shared: observables above it are left out.
    pub share_up_to: Tlp,
    pub observables: &'a [ObservableView],
    /// Executed containment: (measure row id, name, what it acted on, when).
    pub measures: &'a [(Uuid, String, String, DateTime<Utc>)],
}

/// The SCO of an observable (and a parent directory, for a path), or none
/// for what STIX models otherwise.
fn scos(o: &ObservableView, marking: &str) -> Vec<Value> {
    let v = o.value.as_str();
    let with = |kind: &str, contributing: Value, mut body: Map<String, Value>| {
        body.insert("type".into(), json!(kind));
        body.insert("spec_version".into(), json!("2.1"));
        body.insert("id".into(), json!(sco_id(kind, &contributing)));
        body.insert("object_marking_refs".into(), json!([marking]));
        Value::Object(body)
    };
    let props = |pairs: &[(&str, Value)]| -> Map<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    };
    use ObservableType::*;
    match o.kind {
        SenderEmail => vec![with(
            "email-addr",
            json!({"value": v}),
            props(&[("value", json!(v))]),
        )],
        SenderHost | C2Domain => vec![with(
            "domain-name",
            json!({"value": v}),
            props(&[("value", json!(v))]),
        )],
        SenderIp | C2Ip => {
            let kind = if v.contains(':') {
                "ipv6-addr"
            } else {
                "ipv4-addr"
            };
            vec![with(
                kind,
                json!({"value": v}),
                props(&[("value", json!(v))]),
            )]
        }
        Url => vec![with(
            "url",
            json!({"value": v}),
            props(&[("value", json!(v))]),
        )],
        Md5 | Sha1 | Sha256 => {
            let algo = match o.kind {
                Md5 => "MD5",
                Sha1 => "SHA-1",
                _ => "SHA-256",
            };
            let hashes = json!({ algo: v });
            vec![with(
                "file",
                json!({"hashes": hashes}),
                props(&[("hashes", hashes.clone())]),
            )]
        }
        AttachmentName | FileName => {
            vec![with(
                "file",
                json!({"name": v}),
                props(&[("name", json!(v))]),
            )]
        }
        DroppedFile => {
            let cut = v.rfind(['\\', '/']);
            match cut {
                Some(i) if i > 0 && i + 1 < v.len() => {
                    let dir = with(
                        "directory",
                        json!({"path": &v[..i]}),
                        props(&[("path", json!(&v[..i]))]),
                    );
                    let dir_id = dir["id"].clone();
                    let name = &v[i + 1..];
                    let file = with(
                        "file",
                        json!({"name": name, "parent_directory_ref": dir_id}),
                        props(&[
                            ("name", json!(name)),
                            ("parent_directory_ref", dir_id.clone()),
                        ]),
                    );
                    vec![dir, file]
                }
                _ => vec![with(
                    "file",
                    json!({"name": v}),
                    props(&[("name", json!(v))]),
                )],
            }
        }
        RegistryKey => vec![with(
            "windows-registry-key",
            json!({"key": v}),
            props(&[("key", json!(v))]),
        )],
        Process => {
            let mut p = with("process", json!({}), props(&[("command_line", json!(v))]));
            p["id"] = json!(own_id("process", &o.id.to_string()));
            vec![p]
        }
        MailSubject => {
            let mut m = with(
                "email-message",
                json!({"subject": v}),
                props(&[("is_multipart", json!(false)), ("subject", json!(v))]),
            );
            m["id"] = json!(sco_id("email-message", &json!({"subject": v})));
            vec![m]
        }
        // A file needs a name or hashes, and many attachment types are not
        // IANA-registered: the type goes into the note, and into a pattern.
        AttachmentType | UserAgent | ProtocolFeature | Cve | Technique => Vec::new(),
    }
}

/// The STIX pattern of an indicator on this observable, if STIX can say it.
pub fn pattern(o: &ObservableView) -> Option<String> {
    let path = match o.kind {
        ObservableType::SenderIp | ObservableType::C2Ip if o.value.contains(':') => {
            "ipv6-addr:value"
        }
        ObservableType::DroppedFile => "file:name",
        k => k.stix_path()?,
    };
    let value = match o.kind {
        ObservableType::DroppedFile => o
            .value
            .rsplit(['\\', '/'])
            .next()
            .unwrap_or(&o.value)
            .to_string(),
        _ => o.value.clone(),
    };
    Some(format!("[{path} = {}]", pattern_literal(&value)))
}

/// The organisation's `identity` id.
pub fn identity_id(organisation: &str) -> String {
    own_id("identity", &format!("organisation:{organisation}"))
}

/// When the organisation's `identity` was made, for every export: one
/// version of it everywhere, so that a consumer never sees it change.
const IDENTITY_CREATED: &str = "2026-01-01T00:00:00.000Z";

/// The organisation as an `identity`.
pub fn identity(organisation: &str) -> Value {
    let created = IDENTITY_CREATED;
    json!({
        "type": "identity",
        "spec_version": "2.1",
        "id": identity_id(organisation),
        "created": created,
        "modified": created,
        "name": organisation,
        "identity_class": "organization"
    })
}

/// The `indicator` of an observable marked as one (none for a type STIX
/// has no pattern for): the same id in a bundle and in a TAXII collection.
fn indicator_sdo(
    o: &ObservableView,
    identity_id: &str,
    marking: &str,
    made: &str,
) -> Option<Value> {
    if !o.indicator {
        return None;
    }
    let p = pattern(o)?;
    let mut i = json!({
        "type": "indicator",
        "spec_version": "2.1",
        "id": own_id("indicator", &format!("indicator:{}", o.id)),
        "created": made,
        "modified": made,
        "created_by_ref": identity_id,
        "object_marking_refs": [marking],
    });
    i["name"] = json!(format!("{} {}", o.kind.id(), o.value));
    i["description"] = json!(if o.note.is_empty() {
        format!("{} recorded while handling an incident", o.kind.id())
    } else {
        o.note.clone()
    });
    i["indicator_types"] = json!(["malicious-activity"]);
    i["pattern"] = json!(p);
    i["pattern_type"] = json!("stix");
    i["pattern_version"] = json!("2.1");
    i["valid_from"] = json!(made);
    if let Some(c) = o.confidence {
        i["confidence"] = json!(c);
    }
    if !o.tags.is_empty() {
        i["labels"] = json!(o.tags);
    }
    Some(i)
}

/// The indicator an observable is shared as in the TAXII collections, at
/// the version `modified`; `revoked` when the officer stops sharing it.
pub fn shared_indicator(
    organisation: &str,
    o: &ObservableView,
    modified: DateTime<Utc>,
    revoked: bool,
) -> Option<Value> {
    let made = ts(o.first_seen.unwrap_or(modified));
    let mut i = indicator_sdo(o, &identity_id(organisation), &marking_id(o.tlp), &made)?;
    let modified = ts(modified).max(made);
    i["modified"] = json!(modified);
    if revoked {
        i["revoked"] = json!(true);
    }
    Some(i)
}

/// What a campaign export holds besides its incidents' bundles.
pub struct CampaignExport<'a> {
    pub organisation: &'a str,
    pub id: Uuid,
    pub campaign: &'a app::domain::campaign::ValidCampaign,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    pub share_up_to: Tlp,
}

/// A campaign's bundle: the objects of its incidents' bundles, each once,
/// with the `campaign`, its `threat-actor` and `attack-pattern`s and the
/// relationships between them. A campaign above the shared TLP is sent
/// without its name, description and actor.
pub fn campaign_bundle(e: &CampaignExport, incidents: Vec<Value>) -> Value {
    let mut objects: Vec<Value> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for b in incidents {
        if let Value::Array(list) = b["objects"].clone() {
            for o in list {
                let id = o["id"].as_str().unwrap_or_default().to_string();
                if seen.insert(id) {
                    objects.push(o);
                }
            }
        }
    }
    let identity_id = identity_id(e.organisation);
    let created = ts(e.created);
    let modified = ts(e.modified.max(e.created));
    if seen.insert(identity_id.clone()) {
        objects.push(identity(e.organisation));
    }
    let tlp = e.campaign.tlp.min(e.share_up_to);
    let marking = marking_id(tlp);
    if seen.insert(marking.clone()) {
        objects.insert(0, tlp_marking(tlp));
    }
    let open = e.campaign.tlp <= e.share_up_to;
    let campaign_id = own_id("campaign", &format!("campaign:{}", e.id));
    let sdo = |kind: &str, id: &str| {
        json!({
            "type": kind,
            "spec_version": "2.1",
            "id": id,
            "created": created,
            "modified": modified,
            "created_by_ref": identity_id,
            "object_marking_refs": [marking],
        })
    };
    let mut c = sdo("campaign", &campaign_id);
    c["name"] = json!(if open {
        e.campaign.name.clone()
    } else {
        format!("Campaign {}", &e.id.to_string()[..8])
    });
    if open && !e.campaign.description.is_empty() {
        c["description"] = json!(e.campaign.description);
    }
    if let Some(f) = e.first_seen {
        c["first_seen"] = json!(ts(f));
    }
    if let Some(l) = e.last_seen {
        c["last_seen"] = json!(ts(l));
    }
    let relationship = |kind: &str, from: &str, to: &str| {
        let mut r = sdo(
            "relationship",
            &own_id("relationship", &format!("{kind}:{from}:{to}")),
        );
        r["relationship_type"] = json!(kind);
        r["source_ref"] = json!(from);
        r["target_ref"] = json!(to);
        r
    };
    let mut extra = vec![c];
    let indicators: Vec<String> = objects
        .iter()
        .filter(|o| o["type"] == "indicator")
        .filter_map(|o| o["id"].as_str().map(str::to_string))
        .collect();
    for i in indicators {
        extra.push(relationship("indicates", &i, &campaign_id));
    }
    if open && !e.campaign.threat_actor.is_empty() {
        let actor_id = own_id(
            "threat-actor",
            &format!("actor:{}", e.campaign.threat_actor.to_lowercase()),
        );
        let mut a = sdo("threat-actor", &actor_id);
        a["name"] = json!(e.campaign.threat_actor);
        extra.push(a);
        extra.push(relationship("attributed-to", &campaign_id, &actor_id));
    }
    if open {
        for t in &e.campaign.techniques {
            let id = own_id("attack-pattern", &format!("technique:{t}"));
            if seen.insert(id.clone()) {
                let mut a = sdo("attack-pattern", &id);
                a["name"] = json!(t);
                if app::domain::observable::technique_id(t).is_some() {
                    a["external_references"] = json!([{
                        "source_name": "mitre-attack",
                        "external_id": t,
                    }]);
                }
                extra.push(a);
            }
            extra.push(relationship("uses", &campaign_id, &id));
        }
    }
    objects.extend(extra);
    json!({
        "type": "bundle",
        "id": format!("bundle--{}", Uuid::new_v4()),
        "objects": objects,
    })
}

/// The bundle.
pub fn bundle(e: &Export) -> Value {
    let identity_id = identity_id(e.organisation);
    let created = ts(e.created);
    let mut objects: Vec<Value> = Vec::new();
    let mut markings: Vec<Tlp> = vec![e.tlp.min(e.share_up_to)];
    objects.push(identity(e.organisation));
    let mut refs: Vec<Value> = Vec::new();
    let mut indicators: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for o in e
        .observables
        .iter()
        .filter(|o| o.tlp <= e.share_up_to && !o.allowlisted)
    {
        let marking = marking_id(o.tlp);
        if !markings.contains(&o.tlp) {
            markings.push(o.tlp);
        }
        let made = ts(o.first_seen.unwrap_or(e.created));
        let common = |kind: &str, name: &str| {
            json!({
                "type": kind,
                "spec_version": "2.1",
                "id": own_id(kind, name),
                "created": made,
                "modified": made,
                "created_by_ref": identity_id,
                "object_marking_refs": [marking],
            })
        };
        let sco = scos(o, &marking);
        let sco_refs: Vec<Value> = sco.iter().map(|s| s["id"].clone()).collect();
        refs.extend(sco_refs.iter().cloned());
        objects.extend(sco);
        match o.kind {
            ObservableType::Cve => {
                let mut v = common("vulnerability", &format!("cve:{}", o.value));
                v["name"] = json!(o.value);
                v["external_references"] = json!([{"source_name": "cve", "external_id": o.value}]);
                refs.push(v["id"].clone());
                objects.push(v);
            }
            ObservableType::Technique => {
                let mut a = common("attack-pattern", &format!("technique:{}", o.value));
                a["name"] = json!(o.value);
                if app::domain::observable::technique_id(&o.value).is_some() {
                    a["external_references"] = json!([{
                        "source_name": "mitre-attack",
                        "external_id": o.value,
                    }]);
                }
                refs.push(a["id"].clone());
                objects.push(a);
            }
            ObservableType::UserAgent
            | ObservableType::ProtocolFeature
            | ObservableType::AttachmentType => {
                notes.push(format!("{}: {}", o.kind.id(), o.value));
            }
            _ => {}
        }
        let mut indicator_id = None;
        if let Some(i) = indicator_sdo(o, &identity_id, &marking, &made) {
            let id = i["id"].as_str().unwrap_or_default().to_string();
            refs.push(i["id"].clone());
            objects.push(i);
            indicators.push(id.clone());
            indicator_id = Some(id);
        }
        if o.sighted && !sco_refs.is_empty() {
            let seen_first = ts(o.first_seen.unwrap_or(e.created));
            let seen_last = ts(o.last_seen.or(o.first_seen).unwrap_or(e.created));
            let mut od = common("observed-data", &format!("observed:{}", o.id));
            od["first_observed"] = json!(seen_first);
            od["last_observed"] = json!(seen_last);
            od["number_observed"] = json!(1);
            od["object_refs"] = json!(sco_refs);
            let od_id = od["id"].clone();
            refs.push(od_id.clone());
            objects.push(od);
            if let Some(ind) = indicator_id {
                let mut s = common("sighting", &format!("sighting:{}", o.id));
                s["sighting_of_ref"] = json!(ind);
                s["observed_data_refs"] = json!([od_id]);
                s["where_sighted_refs"] = json!([identity_id]);
                s["first_seen"] = json!(seen_first);
                s["last_seen"] = json!(seen_last);
                refs.push(s["id"].clone());
                objects.push(s);
            }
        }
    }
    let incident_marking = marking_id(e.tlp.min(e.share_up_to));
    for (id, name, target, at) in e.measures {
        let made = ts(*at);
        let coa_id = own_id("course-of-action", &format!("containment:{id}"));
        objects.push(json!({
            "type": "course-of-action",
            "spec_version": "2.1",
            "id": coa_id,
            "created": made,
            "modified": made,
            "created_by_ref": identity_id,
            "name": name,
            "description": format!("{name} — {target}"),
            "object_marking_refs": [incident_marking],
        }));
        refs.push(json!(coa_id));
        for ind in &indicators {
            let rel_id = own_id("relationship", &format!("mitigates:{id}:{ind}"));
            objects.push(json!({
                "type": "relationship",
                "spec_version": "2.1",
                "id": rel_id,
                "created": made,
                "modified": made,
                "created_by_ref": identity_id,
                "relationship_type": "mitigates",
                "source_ref": coa_id,
                "target_ref": ind,
                "object_marking_refs": [incident_marking],
            }));
            refs.push(json!(rel_id));
        }
    }
    let grouping_id = own_id("grouping", &format!("incident:{}", e.incident_id));
    if !notes.is_empty() {
        let note_id = own_id("note", &format!("protocol:{}", e.incident_id));
        objects.push(json!({
            "type": "note",
            "spec_version": "2.1",
            "id": note_id,
            "created": created,
            "modified": created,
            "created_by_ref": identity_id,
            "abstract": "Protocol features",
            "content": notes.join("\n"),
            "object_refs": [grouping_id],
            "object_marking_refs": [incident_marking],
        }));
        refs.push(json!(note_id));
    }
    let name = match e.title {
        Some(t) => format!("{} {t}", e.human_id),
        None => e.human_id.to_string(),
    };
    refs.push(json!(identity_id));
    objects.push(json!({
        "type": "grouping",
        "spec_version": "2.1",
        "id": grouping_id,
        "created": created,
        "modified": created,
        "created_by_ref": identity_id,
        "name": name,
        "context": "suspicious-activity",
        "object_refs": refs,
        "object_marking_refs": [incident_marking],
    }));
    markings.sort();
    markings.dedup();
    let mut all: Vec<Value> = markings.into_iter().map(tlp_marking).collect();
    all.extend(objects);
    json!({
        "type": "bundle",
        "id": format!("bundle--{}", Uuid::new_v4()),
        "objects": all,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(kind: ObservableType, value: &str, tlp: Tlp, indicator: bool) -> ObservableView {
        ObservableView {
            id: Uuid::from_u128(kind as u128 + 1),
            kind,
            value: value.into(),
            tlp,
            pap: app::domain::observable::Pap::Amber,
            indicator,
            sighted: true,
            confidence: Some(70),
            tags: vec!["c2".into()],
            source: String::new(),
            note: String::new(),
            phase: app::domain::Phase::D,
            first_seen: None,
            last_seen: None,
            allowlisted: false,
            also_in: vec![],
            known: vec![],
            shared: false,
        }
    }

    #[test]
    fn an_sco_id_is_a_uuid_v5_of_its_contributing_properties() {
        let id = sco_id("ipv4-addr", &json!({"value": "198.51.100.3"}));
        let uuid = Uuid::parse_str(id.strip_prefix("ipv4-addr--").unwrap()).unwrap();
        assert_eq!(uuid.get_version_num(), 5);
        assert_eq!(id, sco_id("ipv4-addr", &json!({"value": "198.51.100.3"})));
        assert_ne!(id, sco_id("ipv4-addr", &json!({"value": "198.51.100.4"})));
        // As the OASIS `stix2` library computes them.
        assert_eq!(id, "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4");
        assert_eq!(
            sco_id("domain-name", &json!({"value": "evil.example"})),
            "domain-name--69228563-c8d2-54ae-aeca-5f4134cb59aa"
        );
    }

    #[test]
    fn the_canonical_form_sorts_keys_whatever_order_they_were_built_in() {
        let mut m = serde_json::Map::new();
        m.insert("value".into(), json!("x"));
        m.insert("hashes".into(), json!({"SHA-256": "b", "MD5": "a"}));
        assert_eq!(
            canonical(&Value::Object(m)),
            r#"{"hashes":{"MD5":"a","SHA-256":"b"},"value":"x"}"#
        );
    }

    #[test]
    fn patterns_escape_what_they_quote() {
        let o = obs(ObservableType::FileName, r"a'b\c.exe", Tlp::Amber, true);
        assert_eq!(pattern(&o).unwrap(), r"[file:name = 'a\'b\\c.exe']");
        let v6 = obs(ObservableType::C2Ip, "2001:db8::1", Tlp::Amber, true);
        assert_eq!(pattern(&v6).unwrap(), "[ipv6-addr:value = '2001:db8::1']");
        let sha = obs(ObservableType::Sha1, "ab", Tlp::Amber, true);
        assert_eq!(pattern(&sha).unwrap(), "[file:hashes.'SHA-1' = 'ab']");
    }

    #[test]
    fn nothing_above_the_shared_tlp_is_exported_and_ids_repeat() {
        let list = vec![
            obs(ObservableType::C2Domain, "evil.example", Tlp::Green, true),
            obs(
                ObservableType::Md5,
                "d41d8cd98f00b204e9800998ecf8427e",
                Tlp::Red,
                true,
            ),
        ];
        let e = Export {
            organisation: "CSIRT",
            incident_id: Uuid::nil(),
            human_id: "INC-2026-0001",
            title: None,
            created: Utc::now(),
            tlp: Tlp::Amber,
            share_up_to: Tlp::Amber,
            observables: &list,
            measures: &[],
        };
        let a = bundle(&e);
        let text = a.to_string();
        assert!(text.contains("evil.example"));
        assert!(
            !text.contains("d41d8cd98f00b204e9800998ecf8427e"),
            "TLP:RED stays home"
        );
        let ids = |b: &Value| -> Vec<String> {
            b["objects"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["id"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(ids(&a), ids(&bundle(&e)), "the same objects on re-export");
    }
}
