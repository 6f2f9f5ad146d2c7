//! What the integrity ledger covers: for each security-relevant table, the
//! fields whose change matters, in a canonical text form. Bookkeeping that the
//! system itself rewrites without a seal (the reminder scanner's "mailed"
//! marks, `updated_at`, a user's language and mail choices) is left out on
//! purpose; everything else is in.
//!
//! | table | covered |
//! |---|---|
//! | `incidents` | every field but `updated_at` and the two breach-mailed marks, incl. the chain head |
//! | `users` (+ `user_roles`) | username, display name, e-mail, password hash, active, organisation, created, roles |
//! | `organisations` | every field |
//! | `engagements` | every field but `expiry_mailed_at`: scope, start, expiry, revocation |
//! | `evidence` | every field: hash, size, acquisition, integrity state |
//! | `custody_events` | every field |
//! | `containments` | every field: proposal, decision, execution, verification, end |
//! | `investigation_reports` | every field |
//! | `audit_log` | every field |

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entity::{
    audit_log, containment, custody_event, engagement, evidence, incident, investigation_report,
    organisation, user, user_role,
};

/// A covered row, by id: what `seal` is told after a write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Covered {
    Incident(Uuid),
    /// The user row together with its roles.
    User(Uuid),
    Organisation(Uuid),
    Engagement(Uuid),
    Evidence(Uuid),
    Custody(Uuid),
    Containment(Uuid),
    Report(Uuid),
    Audit(Uuid),
}

/// The covered tables, in the order `verify` reads them.
pub const TABLES: [&str; 9] = [
    "incidents",
    "users",
    "organisations",
    "engagements",
    "evidence",
    "custody_events",
    "containments",
    "investigation_reports",
    "audit_log",
];

/// One row's covered content, or `fields: None` when the row is gone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub table: &'static str,
    pub row_id: String,
    /// What a person calls the row (`INC-2026-0001`, a username), for messages.
    pub label: Option<String>,
    pub fields: Option<Vec<(&'static str, String)>>,
}

/// The digest stored for a row that no longer exists.
pub const ABSENT: &str = "absent";

impl Record {
    /// SHA-256 over table, row id and every (field, value): the row's digest.
    pub fn digest(&self) -> String {
        let Some(fields) = &self.fields else {
            return ABSENT.into();
        };
        let mut parts: Vec<&str> = vec![self.table, &self.row_id];
        for (name, value) in fields {
            parts.push(name);
            parts.push(value);
        }
        super::sha256("hikeshi-row-v1", &parts)
    }

    /// Per field, the first 64 bits of its own hash: enough to name which
    /// field changed, never used to decide whether one did (the digest does).
    pub fn hints(&self) -> BTreeMap<String, String> {
        self.fields
            .iter()
            .flatten()
            .map(|(name, value)| {
                (
                    name.to_string(),
                    field_hint(self.table, &self.row_id, name, value),
                )
            })
            .collect()
    }

    pub fn hints_json(&self) -> String {
        serde_json::to_string(&self.hints()).unwrap_or_else(|_| "{}".into())
    }

    /// `INC-2026-0001 (uuid)` or the bare id.
    pub fn name(&self) -> String {
        match &self.label {
            Some(l) => format!("{l} ({})", self.row_id),
            None => self.row_id.clone(),
        }
    }
}

/// One field's hint: the first 64 bits of a hash of where it is and its value.
pub fn field_hint(table: &str, row_id: &str, name: &str, value: &str) -> String {
    super::sha256("hikeshi-field-v1", &[table, row_id, name, value])[..16].to_string()
}

/// Canonical values: a timestamp as microseconds (what both databases keep),
/// an absent optional value distinct from every present one.
struct Fields(Vec<(&'static str, String)>);

impl Fields {
    fn new() -> Self {
        Fields(Vec::new())
    }
    fn s(mut self, name: &'static str, v: impl ToString) -> Self {
        self.0.push((name, v.to_string()));
        self
    }
    fn o(self, name: &'static str, v: Option<impl ToString>) -> Self {
        let v = v.map_or_else(|| "0".to_string(), |v| format!("1{}", v.to_string()));
        self.s(name, v)
    }
    /// A field added after rows were first sealed: left out while empty, so
    /// those rows keep their digest; once set it is covered like any other.
    fn later(self, name: &'static str, v: Option<impl ToString>) -> Self {
        match v {
            Some(v) => self.s(name, format!("1{}", v.to_string())),
            None => self,
        }
    }
    fn t(self, name: &'static str, v: DateTime<Utc>) -> Self {
        self.s(name, v.timestamp_micros())
    }
    fn ot(self, name: &'static str, v: Option<DateTime<Utc>>) -> Self {
        self.o(name, v.map(|t| t.timestamp_micros()))
    }
}

fn record(table: &'static str, id: impl ToString, label: Option<String>, f: Fields) -> Record {
    Record {
        table,
        row_id: id.to_string(),
        label,
        fields: Some(f.0),
    }
}

pub fn incident_record(i: &incident::Model) -> Record {
    let f = Fields::new()
        .s("human_id", &i.human_id)
        .s("year", i.year)
        .s("seq", i.seq)
        .s("title", &i.title)
        .s("observed", &i.observed)
        .t("noticed_at", i.noticed_at)
        .s("location", &i.location)
        .s("discovery", &i.discovery)
        .s("kind", &i.kind)
        .s("reporter_contact", &i.reporter_contact)
        .s("reporter_id", i.reporter_id)
        .s("phase", &i.phase)
        .t("created_at", i.created_at)
        .s("status", &i.status)
        .o("close_reason", i.close_reason.as_ref())
        .ot("closed_at", i.closed_at)
        .o("decision", i.decision.as_ref())
        .o("decision_reason", i.decision_reason.as_ref())
        .o("severity", i.severity.as_ref())
        .s("tlp", &i.tlp)
        .o("attack_stage", i.attack_stages.as_ref())
        .o("attack_route", i.attack_route.as_ref())
        .o("responder_id", i.responder_id)
        .o("officer_id", i.officer_id)
        .s("playbook_hash", &i.playbook_hash)
        .ot("triage_due_at", i.triage_due_at)
        .ot("response_due_at", i.response_due_at)
        .ot("triaged_at", i.triaged_at)
        .ot("responded_at", i.responded_at)
        .o("prevention_technical", i.prevention_technical.as_ref())
        .o("prevention_operational", i.prevention_operational.as_ref())
        .s("last_event_seq", i.last_event_seq)
        .s("last_event_hash", &i.last_event_hash)
        .later("attacker_type", i.attacker_type.as_ref());
    record("incidents", i.id, Some(i.human_id.clone()), f)
}

/// `roles` sorted, so the order they were stored in does not matter.
pub fn user_record(u: &user::Model, roles: &[String]) -> Record {
    let mut roles = roles.to_vec();
    roles.sort();
    let f = Fields::new()
        .s("username", &u.username)
        .s("display_name", &u.display_name)
        .o("email", u.email.as_ref())
        .s("password_hash", &u.password_hash)
        .s("is_active", u.is_active)
        .o("organisation_id", u.organisation_id)
        .t("created_at", u.created_at)
        .s("roles", roles.join(","));
    record("users", u.id, Some(u.username.clone()), f)
}

pub fn organisation_record(o: &organisation::Model) -> Record {
    let f = Fields::new()
        .s("name_ja", &o.name_ja)
        .s("name_en", &o.name_en)
        .s("kind", &o.kind)
        .s("contract_ref", &o.contract_ref)
        .s("contact", &o.contact)
        .t("created_at", o.created_at);
    record("organisations", o.id, Some(o.name_en.clone()), f)
}

pub fn engagement_record(e: &engagement::Model) -> Record {
    let f = Fields::new()
        .s("incident_id", e.incident_id)
        .s("organisation_id", e.organisation_id)
        .s("phases", &e.phases)
        .s("see_evidence", e.see_evidence)
        .s("evidence_items", &e.evidence_items)
        .s("see_containment", e.see_containment)
        .s("see_timeline", e.see_timeline)
        .t("starts_at", e.starts_at)
        .t("expires_at", e.expires_at)
        .s("granted_by", e.granted_by)
        .t("created_at", e.created_at)
        .ot("revoked_at", e.revoked_at)
        .o("revoked_by", e.revoked_by)
        .o("revoke_reason", e.revoke_reason.as_ref());
    record("engagements", e.id, None, f)
}

pub fn evidence_record(e: &evidence::Model) -> Record {
    let f = Fields::new()
        .s("incident_id", e.incident_id)
        .s("kind", &e.kind)
        .s("description", &e.description)
        .s("file_name", &e.file_name)
        .s("media_type", &e.media_type)
        .s("sha256", &e.sha256)
        .s("size", e.size)
        .s("source_host", &e.source_host)
        .s("acquired_how", &e.acquired_how)
        .s("acquired_by", &e.acquired_by)
        .t("acquired_at", e.acquired_at)
        .s("uploaded_by", e.uploaded_by)
        .t("uploaded_at", e.uploaded_at)
        .o("checklist_item_id", e.checklist_item_id)
        .s("integrity", &e.integrity)
        .ot("verified_at", e.verified_at);
    record("evidence", e.id, Some(e.file_name.clone()), f)
}

pub fn custody_record(c: &custody_event::Model) -> Record {
    let f = Fields::new()
        .s("evidence_id", c.evidence_id)
        .s("seq", c.seq)
        .s("kind", &c.kind)
        .o("actor_id", c.actor_id)
        .t("at", c.at)
        .s("from_party", &c.from_party)
        .s("to_party", &c.to_party)
        .s("reason", &c.reason)
        .s("detail", &c.detail);
    record("custody_events", c.id, None, f)
}

pub fn containment_record(c: &containment::Model) -> Record {
    let f = Fields::new()
        .s("incident_id", c.incident_id)
        .s("measure_id", &c.measure_id)
        .s("definition", &c.definition)
        .s("target_type", &c.target_type)
        .s("target", &c.target)
        .o("asset_id", c.asset_id)
        .s("status", &c.status)
        .s("reason", &c.reason)
        .s("expected_effect", &c.expected_effect)
        .s("proposed_by", c.proposed_by)
        .t("proposed_at", c.proposed_at)
        .o("decided_by", c.decided_by)
        .ot("decided_at", c.decided_at)
        .o("decision_note", c.decision_note.as_ref())
        .s("emergency", c.emergency)
        .s("evidence_confirmed", c.evidence_confirmed)
        .o("executed_by", c.executed_by)
        .ot("executed_at", c.executed_at)
        .o("execution_note", c.execution_note.as_ref())
        .o("verified_by", c.verified_by)
        .ot("verified_at", c.verified_at)
        .o("effective", c.effective)
        .o("verification_note", c.verification_note.as_ref())
        .o("ended_by", c.ended_by)
        .ot("ended_at", c.ended_at)
        .o("end_note", c.end_note.as_ref())
        .t("updated_at", c.updated_at);
    record("containments", c.id, Some(c.measure_id.clone()), f)
}

pub fn report_record(r: &investigation_report::Model) -> Record {
    let f = Fields::new()
        .s("engagement_id", r.engagement_id)
        .s("incident_id", r.incident_id)
        .s("intrusion_path", &r.intrusion_path)
        .s("spread", &r.spread)
        .s("exfiltration", &r.exfiltration)
        .s("recovery", &r.recovery)
        .s("submitted_by", r.submitted_by)
        .t("submitted_at", r.submitted_at);
    record("investigation_reports", r.id, None, f)
}

pub fn audit_record(a: &audit_log::Model) -> Record {
    let f = Fields::new()
        .t("at", a.at)
        .o("actor_id", a.actor_id)
        .s("action", &a.action)
        .s("entity", &a.entity)
        .s("entity_id", &a.entity_id)
        .s("detail", &a.detail);
    record("audit_log", a.id, Some(a.action.clone()), f)
}

fn absent(table: &'static str, id: Uuid) -> Record {
    Record {
        table,
        row_id: id.to_string(),
        label: None,
        fields: None,
    }
}

/// The row as the transaction sees it now (read back, so the digest is of
/// what is stored, at the precision the database keeps).
pub async fn read_one(conn: &impl ConnectionTrait, what: Covered) -> Result<Record, DbErr> {
    macro_rules! one {
        ($entity:ident, $id:expr, $table:literal, $f:expr) => {
            match $entity::Entity::find_by_id($id).one(conn).await? {
                Some(m) => $f(&m),
                None => absent($table, $id),
            }
        };
    }
    Ok(match what {
        Covered::Incident(id) => one!(incident, id, "incidents", incident_record),
        Covered::User(id) => match user::Entity::find_by_id(id).one(conn).await? {
            Some(u) => {
                let roles: Vec<String> = user_role::Entity::find()
                    .filter(user_role::Column::UserId.eq(id))
                    .all(conn)
                    .await?
                    .into_iter()
                    .map(|r| r.role)
                    .collect();
                user_record(&u, &roles)
            }
            None => absent("users", id),
        },
        Covered::Organisation(id) => one!(organisation, id, "organisations", organisation_record),
        Covered::Engagement(id) => one!(engagement, id, "engagements", engagement_record),
        Covered::Evidence(id) => one!(evidence, id, "evidence", evidence_record),
        Covered::Custody(id) => one!(custody_event, id, "custody_events", custody_record),
        Covered::Containment(id) => one!(containment, id, "containments", containment_record),
        Covered::Report(id) => one!(
            investigation_report,
            id,
            "investigation_reports",
            report_record
        ),
        Covered::Audit(id) => one!(audit_log, id, "audit_log", audit_record),
    })
}

/// Every row of one covered table, as `verify` and the adoption read them.
pub async fn read_table(conn: &impl ConnectionTrait, table: &str) -> Result<Vec<Record>, DbErr> {
    macro_rules! all {
        ($entity:ident, $f:expr) => {
            $entity::Entity::find()
                .all(conn)
                .await?
                .iter()
                .map($f)
                .collect()
        };
    }
    Ok(match table {
        "incidents" => all!(incident, incident_record),
        "users" => {
            let mut roles: HashMap<Uuid, Vec<String>> = HashMap::new();
            for r in user_role::Entity::find().all(conn).await? {
                roles.entry(r.user_id).or_default().push(r.role);
            }
            user::Entity::find()
                .all(conn)
                .await?
                .iter()
                .map(|u| user_record(u, roles.get(&u.id).map_or(&[], Vec::as_slice)))
                .collect()
        }
        "organisations" => all!(organisation, organisation_record),
        "engagements" => all!(engagement, engagement_record),
        "evidence" => all!(evidence, evidence_record),
        "custody_events" => all!(custody_event, custody_record),
        "containments" => all!(containment, containment_record),
        "investigation_reports" => all!(investigation_report, report_record),
        "audit_log" => all!(audit_log, audit_record),
        other => return Err(DbErr::Custom(format!("not a covered table: {other}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audit(detail: &str) -> audit_log::Model {
        audit_log::Model {
            id: Uuid::nil(),
            at: DateTime::from_timestamp_micros(1_700_000_000_000_000).unwrap_or_default(),
            actor_id: None,
            action: "a".into(),
            entity: "e".into(),
            entity_id: "x".into(),
            detail: detail.into(),
        }
    }

    #[test]
    fn a_changed_field_changes_the_digest_and_its_hint_only() {
        let (a, b) = (
            audit_record(&audit("{}")),
            audit_record(&audit("{\"x\":1}")),
        );
        assert_ne!(a.digest(), b.digest());
        let (ha, hb) = (a.hints(), b.hints());
        let differ: Vec<&String> = ha.keys().filter(|k| ha[*k] != hb[*k]).collect();
        assert_eq!(differ, vec!["detail"]);
    }

    #[test]
    fn absent_and_present_optional_values_differ() {
        let none = Fields::new().o("x", None::<String>).0;
        let empty = Fields::new().o("x", Some("")).0;
        let zero = Fields::new().o("x", Some("0")).0;
        assert_ne!(none, empty);
        assert_ne!(none, zero);
    }
}
