//! Passwords and sign-in throttling.
//!
//! Hashing is argon2id with the crate's defaults (19 MiB, 2 passes, the OWASP
//! recommendation), run on the blocking pool so it never stalls the async
//! runtime. Unknown usernames are checked against a dummy hash so that the
//! time of an answer does not tell whether an account exists.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use chrono::Duration;

use app::domain::AppError;

pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|_| AppError::Internal)?
}

fn hash_now(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            AppError::Internal
        })
}

/// Verifies `password` against `hash`, or against a dummy hash when there is
/// no account, taking the same time either way.
pub async fn verify_password(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let stored = hash.unwrap_or_else(|| dummy_hash().to_string());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY
        .get_or_init(|| hash_now("hikeshi dummy password for unknown accounts").unwrap_or_default())
}

/// Failures allowed before sign-in for a username starts to wait.
pub const FREE_FAILURES: i32 = 5;

/// How long sign-in waits after `failures` consecutive failures: nothing for
/// the first five, then 30 s, doubling with each further failure, at most
/// 15 minutes. Keyed by username, so it protects an account from guessing
/// without letting anyone lock out everybody from one address.
pub fn throttle_delay(failures: i32) -> Duration {
    if failures < FREE_FAILURES {
        return Duration::zero();
    }
    let doublings = (failures - FREE_FAILURES).min(5) as u32;
    Duration::seconds((30_i64 << doublings).min(15 * 60))
}

/// A random password for the first administrator: 20 characters from an
/// alphabet without look-alikes.
pub fn generate_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_are_free_then_waits_grow_to_a_cap() {
        for f in 0..FREE_FAILURES {
            assert_eq!(throttle_delay(f), Duration::zero());
        }
        assert_eq!(throttle_delay(5), Duration::seconds(30));
        assert_eq!(throttle_delay(6), Duration::seconds(60));
        assert_eq!(throttle_delay(7), Duration::seconds(120));
        assert_eq!(throttle_delay(50), Duration::minutes(15));
    }

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let h = hash_password("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery".into(), Some(h.clone())).await);
        assert!(!verify_password("wrong".into(), Some(h)).await);
        assert!(!verify_password("anything".into(), None).await);
    }

    #[test]
    fn generated_passwords_are_long_and_differ() {
        let (a, b) = (generate_password(), generate_password());
        assert_eq!(a.len(), 20);
        assert_ne!(a, b);
    }
}
