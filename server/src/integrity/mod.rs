//! Tamper evidence for everything security-relevant, keyed so that database
//! access alone cannot forge it.
//!
//! - **The key** (`AuditKey`) lives outside the database: `HIKESHI_AUDIT_KEY`,
//!   or a key file generated on first start (`config::AuditConfig`). One key
//!   serves the process; `install` sets it once at start and every seal uses
//!   it, so services need no extra argument.
//! - **The timeline** of each incident stays its own chain
//!   (`services::timeline`), now HMAC-SHA256 under the key.
//! - **The integrity ledger** (`ledger`) covers the rows themselves: after
//!   each write to a covered row, in the same transaction, `seal` appends
//!   (seq, table, row id, digest of the row's covered fields, per-field
//!   hints, previous MAC, MAC) and moves the ledger head. Sealing locks the
//!   head row first, so ledger entries are written one at a time. Which
//!   fields of which table are covered is `rows`.
//! - **Published heads** (`heads`): once a day the ledger head and every
//!   incident's chain head are written to the log and appended to a file an
//!   operator archives; deleting the newest entries and moving a head back is
//!   then caught against that file.
//! - `verify` recomputes all of it and names what differs.
//!
//! Rows that existed before the first keyed start are adopted then: sealed
//! as they were found, marked `adopt`, and their old timeline events keep
//! their unkeyed SHA-256 hashes (verified as such and counted as "before
//! the key"); the adoption entry of each incident pins its chain head under
//! the key, so those old events cannot be changed afterwards either.
//!
//! Lock order: a transaction seals after its own row writes (the head is
//! the last lock it takes), so two transactions never wait on each other
//! through the head.

pub mod heads;
pub mod ledger;
pub mod rows;
pub mod verify;

use std::sync::OnceLock;

use hmac::{Hmac, Mac};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, EntityTrait};
use sha2::{Digest, Sha256};

pub use ledger::Origin;
pub use rows::Covered;
pub use verify::{Finding, Report, verify};

use crate::config::{AuditConfig, ConfigError};

/// The secret that keys every MAC of the audit trail. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey(Vec<u8>);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey(id {}, redacted)", self.id())
    }
}

/// The shortest key accepted: 256 bits.
pub const KEY_MIN_BYTES: usize = 32;

impl AuditKey {
    /// Hex (`openssl rand -hex 32`) or base64 (`openssl rand -base64 32`).
    pub fn parse(text: &str) -> Result<AuditKey, String> {
        use base64::Engine;
        let text = text.trim();
        let bytes = if text.len().is_multiple_of(2) && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..text.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&text[i..i + 2], 16))
                .collect::<Result<Vec<u8>, _>>()
                .map_err(|_| "not hex".to_string())?
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(text))
                .map_err(|_| "expected hex or base64".to_string())?
        };
        if bytes.len() < KEY_MIN_BYTES {
            return Err(format!(
                "expected at least {KEY_MIN_BYTES} bytes (64 hex digits), got {}",
                bytes.len()
            ));
        }
        Ok(AuditKey(bytes))
    }

    /// 256 fresh random bits.
    pub fn generate() -> AuditKey {
        AuditKey(rand::random::<[u8; KEY_MIN_BYTES]>().to_vec())
    }

    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// A short, public name for the key: tells two keys apart in messages
    /// and in the heads file without revealing either.
    pub fn id(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"hikeshi audit key id");
        h.update(&self.0);
        hex(&h.finalize()[..4])
    }

    /// HMAC-SHA256 over `domain` and `parts`, each length-prefixed so that
    /// text cannot move from one part to the next, as hex.
    pub fn mac(&self, domain: &str, parts: &[&str]) -> String {
        // HMAC takes a key of any length; ours are at least 32 bytes.
        let Ok(mut m) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            unreachable!("HMAC accepts keys of every length")
        };
        feed(&mut m, domain, parts);
        hex(&m.finalize().into_bytes())
    }
}

/// SHA-256 over `domain` and `parts`, length-prefixed like `AuditKey::mac`.
pub fn sha256(domain: &str, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    feed(&mut h, domain, parts);
    hex(&h.finalize())
}

fn feed(m: &mut impl sha2::digest::Update, domain: &str, parts: &[&str]) {
    m.update(domain.as_bytes());
    for p in parts {
        m.update(&(p.len() as u64).to_be_bytes());
        m.update(p.as_bytes());
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

static KEY: OnceLock<AuditKey> = OnceLock::new();

/// Makes `key` the key every seal of this process uses. A second call with
/// the same key is fine (a restart in tests); another key is refused, so one
/// process never writes under two keys.
pub fn install(key: &AuditKey) -> Result<(), String> {
    let installed = KEY.get_or_init(|| key.clone());
    if installed == key {
        Ok(())
    } else {
        Err(format!(
            "another audit key (id {}) is already in use in this process",
            installed.id()
        ))
    }
}

/// The installed key. Without one nothing can be sealed, and the write that
/// wanted a seal fails rather than go unsealed.
pub fn key() -> Result<&'static AuditKey, DbErr> {
    KEY.get()
        .ok_or_else(|| DbErr::Custom("no audit key installed: refusing an unsealed write".into()))
}

/// Records what `what` holds now in the integrity ledger, in the caller's
/// transaction. Call it after the row's writes in that transaction.
pub async fn seal(conn: &impl ConnectionTrait, what: Covered) -> Result<(), DbErr> {
    let key = key()?;
    let record = rows::read_one(conn, what).await?;
    ledger::append(conn, key, &[record], Origin::Write).await
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error("{0}")]
    Key(String),
}

/// At start: loads the key (generating it only for a database never sealed),
/// checks it is the key the database was sealed with, installs it and, on
/// the first keyed start, adopts every row that is already there. Returns
/// the key.
pub async fn open(db: &DatabaseConnection, config: &AuditConfig) -> Result<AuditKey, OpenError> {
    let head = ledger::head(db).await?;
    let key = config.load_key(head.seq == 0)?;
    check_key(db, &key).await?;
    install(&key).map_err(OpenError::Key)?;
    if head.seq == 0 {
        let adopted = ledger::adopt_all(db, &key).await?;
        if adopted > 0 {
            tracing::warn!(
                adopted,
                key_id = %key.id(),
                "first start with an audit key: existing rows adopted into the integrity ledger as found"
            );
        }
    }
    Ok(key)
}

/// Refuses a key that did not seal the newest ledger entry: writing on
/// under another key would make the whole trail unverifiable.
pub async fn check_key(db: &impl ConnectionTrait, key: &AuditKey) -> Result<(), OpenError> {
    let head = ledger::head(db).await?;
    if head.seq == 0 {
        return Ok(());
    }
    let newest = ledger::entry::Entity::find_by_id(head.seq).one(db).await?;
    if newest.is_some_and(|e| e.mac == head.mac && ledger::entry_mac(key, &e) == e.mac) {
        return Ok(());
    }
    Err(OpenError::Key(format!(
        "HIKESHI_AUDIT_KEY / HIKESHI_AUDIT_KEY_FILE: this database was sealed with audit key id {}, \
         the configured key has id {} (or the newest ledger entry was changed); \
         restore the original key, or run `hikeshi audit verify` to see what differs",
        head.key_id,
        key.id()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_from_hex_and_base64_and_short_ones_are_refused() {
        let k = AuditKey::generate();
        assert_eq!(AuditKey::parse(&k.to_hex()).unwrap(), k);
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(&k.0);
        assert_eq!(AuditKey::parse(&b64).unwrap(), k);
        assert!(AuditKey::parse("00ff").is_err());
        assert!(AuditKey::parse("not a key at all, not even base64!").is_err());
    }

    #[test]
    fn a_key_is_never_printed() {
        let k = AuditKey::generate();
        let shown = format!("{k:?}");
        assert!(!shown.contains(&k.to_hex()));
        assert!(shown.contains(&k.id()));
    }

    #[test]
    fn the_mac_depends_on_key_domain_and_part_boundaries() {
        let (a, b) = (AuditKey::generate(), AuditKey::generate());
        let m = a.mac("d", &["x", "y"]);
        assert_eq!(m, a.mac("d", &["x", "y"]));
        assert_ne!(m, b.mac("d", &["x", "y"]));
        assert_ne!(m, a.mac("e", &["x", "y"]));
        assert_ne!(m, a.mac("d", &["xy", ""]));
        assert_ne!(m, sha256("d", &["x", "y"]));
    }
}
