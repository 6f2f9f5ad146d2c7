//! The threat-intelligence store as the pages show it: what an import did,
//! the indicators it holds, and what it knows of an observable.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What one import did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    /// Objects in the bundle, of every type.
    pub objects: usize,
    /// Indicators kept.
    pub indicators: usize,
    /// Of those, the ones whose pattern is matched automatically.
    pub automatic: usize,
    /// Indicators that replaced an earlier import of the same STIX id.
    pub replaced: usize,
}

/// An indicator of the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntelIndicatorView {
    pub stix_id: String,
    pub name: String,
    pub pattern: String,
    pub source: String,
    pub valid_from: DateTime<Utc>,
    pub valid_until: Option<DateTime<Utc>>,
    /// Its pattern is in the subset compared automatically.
    pub automatic: bool,
    /// Why not, when it is not.
    pub unread: String,
    pub imported_at: DateTime<Utc>,
}

/// An indicator in force that an observable's value matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known {
    pub name: String,
    pub source: String,
    pub valid_until: Option<DateTime<Utc>>,
}

/// The store's page: how many indicators, and the newest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntelPage {
    pub total: u64,
    pub newest: Vec<IntelIndicatorView>,
    /// This server's TAXII 2.1 API root, and the collections the reader
    /// may use there: (id, title).
    #[serde(default)]
    pub taxii_root: String,
    #[serde(default)]
    pub collections: Vec<(String, String)>,
    /// The TAXII subscriptions, for the officer (empty for the others).
    #[serde(default)]
    pub subscriptions: Vec<SubscriptionView>,
}

/// The most minutes between two polls of a subscription (a week), and the
/// fewest.
pub const INTERVAL_MIN: u32 = 5;
pub const INTERVAL_MAX: u32 = 7 * 24 * 60;

/// A TAXII subscription as the officer types it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionForm {
    pub name: String,
    /// The remote API root (`https://ti.example/taxii2/api1/`).
    pub api_root: String,
    pub collection: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    /// Minutes between polls.
    #[serde(default)]
    pub interval: String,
}

/// A subscription, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidSubscription {
    pub name: String,
    /// Ends in `/`.
    pub api_root: String,
    pub collection: String,
    pub username: String,
    pub password: String,
    pub interval_minutes: u32,
}

/// An http(s) URL with a host, no credentials in it, ending in `/`.
pub fn api_root(url: &str) -> Option<String> {
    let u = url.trim();
    let rest = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let valid = !host.is_empty()
        && !host.contains('@')
        && !u.contains(['?', '#'])
        && u.chars().all(|c| c.is_ascii_graphic());
    valid.then(|| {
        if u.ends_with('/') {
            u.to_string()
        } else {
            format!("{u}/")
        }
    })
}

impl SubscriptionForm {
    pub fn validate(&self) -> Result<ValidSubscription, Vec<super::form::FieldError>> {
        use super::form::{Checker, ErrorCode};
        let mut c = Checker::default();
        let name = c.line("name", &self.name, 200);
        let root = api_root(&self.api_root);
        if self.api_root.trim().is_empty() {
            c.fail("api_root", ErrorCode::Required);
        } else if root.as_ref().is_none_or(|r| r.len() > 500) {
            c.fail("api_root", ErrorCode::InvalidUrl);
        }
        let collection = c.line("collection", &self.collection, 100);
        if collection.contains(['/', '?', '#']) {
            c.fail("collection", ErrorCode::InvalidChoice);
        }
        let username = c
            .optional_line("username", &self.username, 200)
            .unwrap_or_default();
        if username.contains(':') {
            c.fail("username", ErrorCode::InvalidUsername);
        }
        let password = self.password.clone();
        if password.chars().count() > 500 {
            c.fail("password", ErrorCode::TooLong(500));
        }
        let interval = if self.interval.trim().is_empty() {
            Some(60)
        } else {
            match self.interval.trim().parse::<u32>() {
                Ok(n) if (INTERVAL_MIN..=INTERVAL_MAX).contains(&n) => Some(n),
                _ => {
                    c.fail("interval", ErrorCode::InvalidChoice);
                    None
                }
            }
        };
        c.finish(|| ValidSubscription {
            name,
            api_root: root.unwrap_or_default(),
            collection,
            username,
            password,
            interval_minutes: interval.unwrap_or(60),
        })
    }
}

/// A subscription on the store's page (never its password).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionView {
    pub id: uuid::Uuid,
    pub name: String,
    pub api_root: String,
    pub collection: String,
    pub username: String,
    pub interval_minutes: u32,
    pub last_run: Option<DateTime<Utc>>,
    /// Empty after a poll that worked.
    pub last_error: String,
    pub imported: u64,
    /// Where the next poll starts (the newest `date_added` imported).
    pub added_after: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_root_is_an_http_url_with_a_host_and_no_credentials() {
        assert_eq!(
            api_root("https://ti.example/taxii2/api1").as_deref(),
            Some("https://ti.example/taxii2/api1/")
        );
        assert_eq!(
            api_root("http://127.0.0.1:9000/api1/").as_deref(),
            Some("http://127.0.0.1:9000/api1/")
        );
        for bad in [
            "ftp://x/",
            "https://",
            "https://user:pw@x/",
            "javascript:alert(1)",
            "https://x/?a",
            "https://x y/",
        ] {
            assert_eq!(api_root(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_subscription_form_names_each_bad_field() {
        let f = SubscriptionForm {
            name: "".into(),
            api_root: "gopher://x".into(),
            collection: "a/b".into(),
            interval: "1".into(),
            ..SubscriptionForm::default()
        };
        let fields: Vec<String> = f
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["name", "api_root", "collection", "interval"]);
        let ok = SubscriptionForm {
            name: "Partner".into(),
            api_root: "https://ti.example/api1".into(),
            collection: "365fed99-08fa-fdcd-a1b3-fb247eb41d01".into(),
            ..SubscriptionForm::default()
        };
        assert_eq!(ok.validate().unwrap().interval_minutes, 60);
    }
}
