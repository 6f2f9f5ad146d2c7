//! Proposing campaigns (攻撃キャンペーン): incidents that share indicators
//! are proposed as one campaign for the officer to confirm. Each shared
//! value counts by its kind (a file hash or a C2 address says more than a
//! mail subject), allow-listed values do not count, and a value seen in very
//! many incidents (a common CDN, a scanner) is left out as noise. Pure: the
//! services hand in what each incident holds.

use std::collections::{BTreeMap, BTreeSet};

use super::observable::ObservableType;

/// A proposal as the page shows it: the incidents (those the reader may
/// see) and the values they share, strongest first.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProposalView {
    pub incidents: Vec<super::observable::SeenIn>,
    /// (value, weight), heaviest first.
    pub shared: Vec<(String, u32)>,
    pub score: u32,
}

/// How much one shared value of this type links two incidents.
pub fn weight(kind: ObservableType) -> u32 {
    use ObservableType::*;
    match kind {
        Md5 | Sha1 | Sha256 => 10,
        C2Domain | C2Ip | Url => 8,
        DroppedFile | RegistryKey => 6,
        SenderEmail | SenderIp | SenderHost => 5,
        AttachmentName | FileName | Process | UserAgent => 3,
        Cve | Technique => 2,
        MailSubject | AttachmentType | ProtocolFeature => 1,
    }
}

/// How a proposal is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    /// Two incidents are linked when the weights of what they share add up
    /// to at least this.
    pub threshold: u32,
    /// A value in more than this many incidents is noise.
    pub max_incidents_per_value: usize,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            threshold: 8,
            max_incidents_per_value: 20,
        }
    }
}

/// A proposed campaign: its incidents (two or more) and the values that
/// link them, with their weight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal<I> {
    pub incidents: BTreeSet<I>,
    pub shared: BTreeMap<String, u32>,
    pub score: u32,
}

/// Groups incidents into proposals. `values` is, per incident, the
/// (type, match key) of each of its observables that is not allow-listed.
/// Incidents linked directly or through each other fall into one group
/// (connected components over the links that reach the threshold); the
/// groups come strongest first.
pub fn propose<I: Ord + Clone>(
    values: &BTreeMap<I, Vec<(ObservableType, String)>>,
    rules: Rules,
) -> Vec<Proposal<I>> {
    // Which incidents hold each value, and its weight.
    let mut holders: BTreeMap<&str, (u32, BTreeSet<&I>)> = BTreeMap::new();
    for (incident, list) in values {
        for (kind, key) in list {
            let e = holders.entry(key.as_str()).or_insert((0, BTreeSet::new()));
            e.0 = e.0.max(weight(*kind));
            e.1.insert(incident);
        }
    }
    holders.retain(|_, (_, who)| who.len() >= 2 && who.len() <= rules.max_incidents_per_value);
    // The weight of each pair.
    let mut pairs: BTreeMap<(&I, &I), u32> = BTreeMap::new();
    for (w, who) in holders.values() {
        let who: Vec<&I> = who.iter().copied().collect();
        for i in 0..who.len() {
            for j in i + 1..who.len() {
                *pairs.entry((who[i], who[j])).or_default() += w;
            }
        }
    }
    // Connected components over strong enough pairs (union-find).
    let ids: Vec<&I> = values.keys().collect();
    let index: BTreeMap<&I, usize> = ids.iter().enumerate().map(|(n, i)| (*i, n)).collect();
    let mut parent: Vec<usize> = (0..ids.len()).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for ((a, b), w) in &pairs {
        if *w >= rules.threshold {
            let (ra, rb) = (root(&mut parent, index[a]), root(&mut parent, index[b]));
            if ra != rb {
                parent[ra] = rb;
            }
        }
    }
    let mut groups: BTreeMap<usize, BTreeSet<I>> = BTreeMap::new();
    for (n, i) in ids.iter().enumerate() {
        let r = root(&mut parent, n);
        groups.entry(r).or_default().insert((*i).clone());
    }
    let mut out: Vec<Proposal<I>> = groups
        .into_values()
        .filter(|g| g.len() >= 2)
        .map(|incidents| {
            let shared: BTreeMap<String, u32> = holders
                .iter()
                .filter(|(_, (_, who))| who.iter().filter(|i| incidents.contains(**i)).count() >= 2)
                .map(|(k, (w, _))| (k.to_string(), *w))
                .collect();
            let score = shared.values().sum();
            Proposal {
                incidents,
                shared,
                score,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.incidents.cmp(&b.incidents))
    });
    out
}

// ---- confirmed campaigns --------------------------------------------------------

use super::Phase;
use super::classification::{AttackStage, Severity, Tlp};
use super::form::{Checker, FieldError};
use super::workspace::EventView;
use chrono::{DateTime, Utc};
use uuid::Uuid;

pub const NAME_MAX: usize = 200;
pub const ACTOR_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 4000;
/// Techniques of one campaign, and the characters of one.
pub const TECHNIQUES_MAX: usize = 50;
pub const TECHNIQUE_MAX: usize = 200;
/// Incidents confirmed into a campaign at once.
pub const INCIDENTS_MAX: usize = 200;

/// The campaign form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CampaignForm {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub threat_actor: String,
    /// One per line: ATT&CK ids (`T1566.001`) or free text.
    #[serde(default)]
    pub techniques: String,
    #[serde(default)]
    pub tlp: String,
}

/// A campaign's description, checked.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ValidCampaign {
    pub name: String,
    pub description: String,
    pub threat_actor: String,
    /// ATT&CK ids in their normal form, free text as written; each once.
    pub techniques: Vec<String>,
    pub tlp: Tlp,
}

impl CampaignForm {
    pub fn validate(&self) -> Result<ValidCampaign, Vec<FieldError>> {
        use super::form::ErrorCode;
        let mut c = Checker::default();
        let name = c.line("name", &self.name, NAME_MAX);
        let description = c
            .optional_text("description", &self.description, DESCRIPTION_MAX)
            .unwrap_or_default();
        let threat_actor = c
            .optional_line("threat_actor", &self.threat_actor, ACTOR_MAX)
            .unwrap_or_default();
        let mut techniques: Vec<String> = Vec::new();
        for line in self.techniques.lines() {
            let line = super::form::clean(line, super::form::Lines::One);
            if line.is_empty() {
                continue;
            }
            if line.chars().count() > TECHNIQUE_MAX {
                c.fail("techniques", ErrorCode::TooLong(TECHNIQUE_MAX));
                break;
            }
            let t = super::observable::technique_id(&line).unwrap_or(line);
            if !techniques.contains(&t) {
                techniques.push(t);
            }
        }
        if techniques.len() > TECHNIQUES_MAX {
            c.fail("techniques", ErrorCode::TooManyLines(TECHNIQUES_MAX));
        }
        let tlp = if self.tlp.trim().is_empty() {
            Some(Tlp::Amber)
        } else {
            c.choice("tlp", &self.tlp, Tlp::from_id)
        };
        c.finish(|| ValidCampaign {
            name,
            description,
            threat_actor,
            techniques,
            tlp: tlp.unwrap_or(Tlp::Amber),
        })
    }
}

/// A campaign in the list.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CampaignSummary {
    pub id: Uuid,
    pub name: String,
    pub threat_actor: String,
    pub incidents: usize,
    pub updated_at: DateTime<Utc>,
}

/// An incident of a campaign, as its page lists it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CampaignMember {
    pub human_id: String,
    pub title: String,
    pub phase: Phase,
    pub severity: Option<Severity>,
    pub stages: Vec<AttackStage>,
    pub created_at: DateTime<Utc>,
}

/// A value two or more of the campaign's incidents hold.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SharedValue {
    pub kind: ObservableType,
    pub value: String,
    /// The incidents (human ids) holding it.
    pub incidents: Vec<String>,
}

/// One event of the combined timeline.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CampaignEvent {
    pub human_id: String,
    pub event: EventView,
}

/// The campaign page.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CampaignView {
    pub id: Uuid,
    pub campaign: ValidCampaign,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub incidents: Vec<CampaignMember>,
    pub shared: Vec<SharedValue>,
    /// The attack stages its incidents reached, in kill-chain order.
    pub stages: Vec<AttackStage>,
    /// Techniques recorded as observables on its incidents (besides the
    /// campaign's own).
    pub techniques_seen: Vec<String>,
    /// Every event of its incidents, newest first (at most `TIMELINE_MAX`).
    pub timeline: Vec<CampaignEvent>,
    /// The officer may change it.
    pub may_manage: bool,
}

/// Events on the combined timeline.
pub const TIMELINE_MAX: usize = 500;

/// What a campaign's incidents have in common, from what the reader sees
/// of each: the values two or more of them hold (allow-listed ones left
/// out), the stages reached, the techniques observed, and one timeline.
pub fn combine(
    members: &[super::incident::IncidentDetail],
) -> (
    Vec<SharedValue>,
    Vec<AttackStage>,
    Vec<String>,
    Vec<CampaignEvent>,
) {
    let mut holders: BTreeMap<(ObservableType, String), BTreeSet<String>> = BTreeMap::new();
    let mut techniques: BTreeSet<String> = BTreeSet::new();
    for m in members {
        for o in m.observables.iter().filter(|o| !o.allowlisted) {
            holders
                .entry((o.kind, o.value.clone()))
                .or_default()
                .insert(m.human_id.clone());
            if o.kind == ObservableType::Technique {
                techniques.insert(o.value.clone());
            }
        }
    }
    let mut shared: Vec<SharedValue> = holders
        .into_iter()
        .filter(|(_, who)| who.len() >= 2)
        .map(|((kind, value), who)| SharedValue {
            kind,
            value,
            incidents: who.into_iter().collect(),
        })
        .collect();
    shared.sort_by(|a, b| {
        b.incidents
            .len()
            .cmp(&a.incidents.len())
            .then_with(|| weight(b.kind).cmp(&weight(a.kind)))
            .then_with(|| a.value.cmp(&b.value))
    });
    let mut stages: Vec<AttackStage> = members
        .iter()
        .flat_map(|m| m.attack_stages.iter().copied())
        .collect();
    stages.sort();
    stages.dedup();
    let mut timeline: Vec<CampaignEvent> = members
        .iter()
        .flat_map(|m| {
            m.events.iter().map(|e| CampaignEvent {
                human_id: m.human_id.clone(),
                event: e.clone(),
            })
        })
        .collect();
    timeline.sort_by(|a, b| {
        b.event
            .at
            .cmp(&a.event.at)
            .then_with(|| a.human_id.cmp(&b.human_id))
            .then_with(|| b.event.seq.cmp(&a.event.seq))
    });
    timeline.truncate(TIMELINE_MAX);
    (shared, stages, techniques.into_iter().collect(), timeline)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ObservableType::*;

    fn v(list: &[(ObservableType, &str)]) -> Vec<(ObservableType, String)> {
        list.iter().map(|(k, s)| (*k, s.to_string())).collect()
    }

    #[test]
    fn incidents_sharing_strong_indicators_are_proposed_together() {
        let mut values = BTreeMap::new();
        values.insert(
            1,
            v(&[
                (C2Domain, "domain:evil.example"),
                (MailSubject, "text:invoice"),
            ]),
        );
        values.insert(2, v(&[(C2Domain, "domain:evil.example")]));
        // Linked to 2 by a hash: one campaign of three, through each other.
        values.insert(3, v(&[(Md5, "md5:aa"), (MailSubject, "text:invoice")]));
        values.get_mut(&2).unwrap().push((Md5, "md5:aa".into()));
        // Only a subject in common with 1: too weak alone.
        values.insert(4, v(&[(MailSubject, "text:invoice")]));
        values.insert(5, v(&[(Sha256, "sha256:bb")]));
        let p = propose(&values, Rules::default());
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].incidents, BTreeSet::from([1, 2, 3]));
        assert_eq!(p[0].shared["domain:evil.example"], 8);
        assert_eq!(p[0].shared["md5:aa"], 10);
        assert!(
            p[0].shared.contains_key("text:invoice"),
            "shared inside the group"
        );
    }

    #[test]
    fn a_campaign_form_is_checked_and_techniques_normalised() {
        let f = CampaignForm {
            name: "  Operation Kasai ".into(),
            threat_actor: "APT-X".into(),
            techniques: "t1566.001\n\nSpear-phishing link\nT1566.001\n".into(),
            ..CampaignForm::default()
        };
        let v = f.validate().unwrap();
        assert_eq!(v.name, "Operation Kasai");
        assert_eq!(v.techniques, vec!["T1566.001", "Spear-phishing link"]);
        assert_eq!(v.tlp, Tlp::Amber, "TLP:AMBER unless chosen");
        let bad = CampaignForm {
            name: " ".into(),
            tlp: "purple".into(),
            techniques: "x".repeat(TECHNIQUE_MAX + 1),
            ..CampaignForm::default()
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["name", "techniques", "tlp"]);
    }

    #[test]
    fn a_value_in_very_many_incidents_is_noise() {
        let mut values = BTreeMap::new();
        for n in 0..30 {
            values.insert(n, v(&[(C2Ip, "ip:192.0.2.1")]));
        }
        assert!(propose(&values, Rules::default()).is_empty());
        let rules = Rules {
            max_incidents_per_value: 50,
            ..Rules::default()
        };
        assert_eq!(propose(&values, rules)[0].incidents.len(), 30);
    }
}
