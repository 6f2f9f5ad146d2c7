//! Sign-in throttling rules (pure; the counters live in `login_throttle`).
//!
//! Three counters of recent failures, each in its own bucket:
//! - the **source** (an address, an IPv6 /64) across all accounts:
//!   [`SOURCE_FREE_FAILURES`] free, then the source waits, 30 s doubling to
//!   15 minutes — one address cannot guess its way through many accounts;
//! - the **account from that source**: [`FREE_FAILURES`] free, then that pair
//!   waits the same way, even with the right password;
//! - the **account from everywhere**: it never refuses anybody. Past
//!   [`ACCOUNT_SOFT_LIMIT`] the account is under attack, and every source
//!   gets only [`UNDER_ATTACK_FREE_FAILURES`] before its pair waits.
//!
//! So a source that has not been failing is never refused: the owner signs
//! in while the account is attacked from elsewhere, and nobody can lock
//! anyone else out. Counters are forgotten after [`QUIET_MINUTES`] without a
//! failure. Attempts already past the check when a wait begins still finish:
//! at most what the hashing bound lets run at once. Buckets are named by a hash, never by the name as typed, so a
//! row is small whatever was sent.

use chrono::Duration;
use sha2::{Digest, Sha256};

use super::source::Source;

/// Failures for one account from one source before that pair waits.
pub const FREE_FAILURES: i32 = 5;
/// Failures from one source, over all accounts, before the source waits.
pub const SOURCE_FREE_FAILURES: i32 = 10;
/// Failures for one account, from all sources, past which it is under attack.
pub const ACCOUNT_SOFT_LIMIT: i32 = 20;
/// Failures for an account under attack from one source before that pair waits.
pub const UNDER_ATTACK_FREE_FAILURES: i32 = 1;
/// A counter without a failure for this long starts again from zero.
pub const QUIET_MINUTES: i64 = 60;

pub fn quiet() -> Duration {
    Duration::minutes(QUIET_MINUTES)
}

/// How long to wait after `failures` when `free` are allowed: nothing
/// before, then 30 s, doubling with each further failure, at most 15 minutes.
pub fn delay_after(failures: i32, free: i32) -> Duration {
    if failures < free {
        return Duration::zero();
    }
    let doublings = (failures - free).clamp(0, 5) as u32;
    Duration::seconds((30_i64 << doublings).min(15 * 60))
}

/// The wait of an account from one source after `failures` there, when the
/// account has `account_failures` from everywhere.
pub fn pair_delay(failures: i32, account_failures: i32) -> Duration {
    let free = if account_failures >= ACCOUNT_SOFT_LIMIT {
        UNDER_ATTACK_FREE_FAILURES
    } else {
        FREE_FAILURES
    };
    delay_after(failures, free)
}

pub fn source_delay(failures: i32) -> Duration {
    delay_after(failures, SOURCE_FREE_FAILURES)
}

/// The three buckets of one sign-in attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Buckets {
    pub source: String,
    pub account: String,
    pub pair: String,
}

impl Buckets {
    /// For a normalised username from a source.
    pub fn new(username: &str, source: &Source) -> Buckets {
        Buckets {
            source: format!("s:{}", digest(&[source.as_str()])),
            account: account_bucket(username),
            pair: format!("p:{}", digest(&[username, source.as_str()])),
        }
    }
}

/// The account's bucket; pair rows carry it too, so that a password reset
/// can forget every count of the account.
pub fn account_bucket(username: &str) -> String {
    format!("a:{}", digest(&[username]))
}

/// 128 bits of SHA-256 over length-prefixed parts, in hex.
fn digest(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    let full = format!("{:x}", h.finalize());
    full[..32].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::ports::ClientAddress;

    fn source(ip: &str) -> Source {
        Source::resolve(
            &ClientAddress {
                peer: Some(ip.parse().unwrap()),
                forwarded_for: vec![],
            },
            &[],
        )
    }

    #[test]
    fn five_failures_are_free_then_waits_grow_to_a_cap() {
        for f in 0..FREE_FAILURES {
            assert_eq!(pair_delay(f, 0), Duration::zero());
        }
        assert_eq!(pair_delay(5, 5), Duration::seconds(30));
        assert_eq!(pair_delay(6, 6), Duration::seconds(60));
        assert_eq!(pair_delay(7, 7), Duration::seconds(120));
        assert_eq!(pair_delay(50, 50), Duration::minutes(15));
    }

    #[test]
    fn a_source_gets_more_free_failures_than_a_pair_but_then_waits() {
        assert_eq!(source_delay(SOURCE_FREE_FAILURES - 1), Duration::zero());
        assert_eq!(source_delay(SOURCE_FREE_FAILURES), Duration::seconds(30));
        assert_eq!(source_delay(1000), Duration::minutes(15));
    }

    #[test]
    fn an_account_under_attack_leaves_each_source_one_free_failure() {
        assert_eq!(pair_delay(0, ACCOUNT_SOFT_LIMIT), Duration::zero());
        assert_eq!(pair_delay(1, ACCOUNT_SOFT_LIMIT), Duration::seconds(30));
        assert_eq!(pair_delay(1, ACCOUNT_SOFT_LIMIT - 1), Duration::zero());
    }

    #[test]
    fn buckets_are_short_and_distinct_whatever_the_name() {
        let long = "x".repeat(100_000);
        let b = Buckets::new(&long, &source("192.0.2.1"));
        for k in [&b.source, &b.account, &b.pair] {
            assert!(k.len() <= 34, "{k}");
        }
        let other = Buckets::new("admin", &source("192.0.2.1"));
        assert_eq!(b.source, other.source);
        assert_ne!(b.account, other.account);
        assert_ne!(b.pair, other.pair);
        let elsewhere = Buckets::new("admin", &source("192.0.2.2"));
        assert_eq!(other.account, elsewhere.account);
        assert_ne!(other.pair, elsewhere.pair);
        assert_eq!(other.account, account_bucket("admin"));
        // Length prefixes: ("ab", "c") and ("a", "bc") differ.
        assert_ne!(digest(&["ab", "c"]), digest(&["a", "bc"]));
    }
}
