//! Passwords: hashing under a bound, sign-in throttling and where a sign-in
//! comes from.
//!
//! Hashing is argon2id with the crate's defaults (19 MiB, 2 passes, the OWASP
//! recommendation), run off the async runtime so it never stalls it. Unknown
//! usernames are checked against a dummy hash so that the time of an answer
//! does not tell whether an account exists.
//!
//! Every hash and verify a request causes goes through [`Hashing`]: at most
//! one per core at once (each holds 19 MiB), on threads of its own, with a
//! short queue behind them; past that the request is refused at once with
//! `AppError::Busy` (503 and `Retry-After`) instead of piling up memory.

mod argon;
pub mod source;
pub mod throttle;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use app::domain::AppError;
use app::ports::ClientAddress;

use crate::config::Config;
use source::{IpRange, Source};

pub use throttle::{FREE_FAILURES, SOURCE_FREE_FAILURES};

/// What a refused request is told to wait, in seconds.
pub const BUSY_RETRY_AFTER: u64 = 2;
/// The longest a queued request waits for a hashing slot.
pub const MAX_QUEUE_WAIT: Duration = Duration::from_secs(5);

/// What sign-in needs besides the database, shared by all requests of one
/// server instance.
#[derive(Clone, Debug)]
pub struct Auth {
    pub hashing: Hashing,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<[IpRange]>,
    /// The most throttle counters kept.
    pub throttle_max_rows: u64,
    failures: Arc<AtomicU64>,
    /// HTTP Basic credentials verified lately (TAXII clients send them with
    /// every request; argon2 on each would cost ~50 ms of a core).
    verified: Arc<Mutex<Verified>>,
}

/// Credentials that verified, by a keyed digest (never the password), with
/// the stored hash they verified against: a changed password no longer
/// matches it, and the entry lapses after `VERIFIED_FOR`.
#[derive(Debug, Default)]
struct Verified {
    key: [u8; 32],
    entries: std::collections::HashMap<[u8; 32], (uuid::Uuid, String, std::time::Instant)>,
}

/// How long verified Basic credentials are believed without argon2.
pub const VERIFIED_FOR: Duration = Duration::from_secs(300);
const VERIFIED_MAX: usize = 1024;

impl Auth {
    pub fn new(config: &Config) -> Auth {
        Auth {
            hashing: Hashing::new(config.hash_concurrency, config.hash_queue),
            trusted_proxies: config.trusted_proxies.clone().into(),
            throttle_max_rows: config.throttle_max_rows,
            failures: Arc::new(AtomicU64::new(0)),
            verified: Arc::new(Mutex::new(Verified {
                key: rand::random(),
                entries: Default::default(),
            })),
        }
    }

    fn digest(key: &[u8; 32], username: &str, password: &str) -> [u8; 32] {
        use hmac::Mac;
        let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(key)
            .expect("HMAC takes a key of any length");
        mac.update(username.as_bytes());
        mac.update(&[0]);
        mac.update(password.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The user these credentials verified as lately, if they verified
    /// against this same stored hash.
    pub fn recall(&self, username: &str, password: &str, hash: &str) -> Option<uuid::Uuid> {
        let v = self.verified.lock().ok()?;
        let (id, h, at) = v.entries.get(&Self::digest(&v.key, username, password))?;
        (h == hash && at.elapsed() < VERIFIED_FOR).then_some(*id)
    }

    /// Remembers credentials that verified.
    pub fn remember(&self, username: &str, password: &str, id: uuid::Uuid, hash: &str) {
        if let Ok(mut v) = self.verified.lock() {
            if v.entries.len() >= VERIFIED_MAX {
                v.entries
                    .retain(|_, (_, _, at)| at.elapsed() < VERIFIED_FOR);
                if v.entries.len() >= VERIFIED_MAX {
                    v.entries.clear();
                }
            }
            let d = Self::digest(&v.key, username, password);
            v.entries
                .insert(d, (id, hash.to_string(), std::time::Instant::now()));
        }
    }

    /// Where a sign-in counts as coming from.
    pub fn source(&self, from: &ClientAddress) -> Source {
        Source::resolve(from, &self.trusted_proxies)
    }

    /// The cap to cut the throttle table to after this failure, if it is
    /// time: after every failure while the cap is small, else after every
    /// thousandth of the cap (at most every 100th failure), so the table
    /// passes its cap by at most a few hundred rows per instance.
    pub fn cap_due(&self) -> Option<u64> {
        let every = (self.throttle_max_rows / 1000).clamp(1, 100);
        let n = self.failures.fetch_add(1, Ordering::Relaxed);
        n.is_multiple_of(every).then_some(self.throttle_max_rows)
    }
}

/// The bound on concurrent password hashing.
#[derive(Clone, Debug)]
pub struct Hashing {
    inner: Arc<Limits>,
}

#[derive(Debug)]
struct Limits {
    /// One permit per hash allowed to run.
    running: Arc<Semaphore>,
    /// Running plus waiting: past these a request is refused at once.
    admitted: Arc<Semaphore>,
    concurrency: usize,
    active: AtomicUsize,
    high_water: AtomicUsize,
    /// Jobs for the hashing threads; `None` if none could be started, and
    /// then the blocking pool does the work.
    workers: Option<mpsc::Sender<Job>>,
}

type Job = Box<dyn FnOnce() + Send>;

/// One thread per permit, for all hashing. Threads of their own, not tokio's
/// blocking pool: each hash allocates 19 MiB, and a thread's allocator keeps
/// what it freed for the next hash on that thread, so a few long-lived
/// threads hold a few of those blocks instead of one per pool thread that
/// ever hashed (48 concurrent sign-ins held 180 MiB more that way). The
/// threads end when the last `Hashing` handle is dropped.
fn start_workers(n: usize) -> Option<mpsc::Sender<Job>> {
    let (jobs, queue) = mpsc::channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    let mut started = 0;
    for i in 0..n {
        let queue = queue.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("hikeshi-hash-{i}"))
            .spawn(move || {
                argon::keep_memory_on_this_thread();
                loop {
                    let job = match queue.lock() {
                        Ok(q) => q.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = job else { return };
                    // A panic loses only this answer (the caller gets an
                    // internal error), not the thread.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                }
            });
        match spawned {
            Ok(_) => started += 1,
            Err(e) => tracing::error!(error = %e, "cannot start a password hashing thread"),
        }
    }
    (started > 0).then_some(jobs)
}

/// All hashing permits, held: nothing hashes until it is dropped.
pub struct HeldHashing(#[allow(dead_code)] OwnedSemaphorePermit);

impl Hashing {
    /// At most `concurrency` hashes at once (at least one) and `queue` more
    /// waiting.
    pub fn new(concurrency: usize, queue: usize) -> Hashing {
        let concurrency = concurrency.max(1);
        Hashing {
            inner: Arc::new(Limits {
                running: Arc::new(Semaphore::new(concurrency)),
                admitted: Arc::new(Semaphore::new(concurrency + queue)),
                concurrency,
                active: AtomicUsize::new(0),
                high_water: AtomicUsize::new(0),
                workers: start_workers(concurrency),
            }),
        }
    }

    /// The number of cores, or one when that cannot be told.
    pub fn cores() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }

    /// A new hash of `password`.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.run(move || hash_now(&password)).await?
    }

    /// Whether `password` matches `hash`; checked against a dummy hash when
    /// there is no account, taking the same time either way.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, AppError> {
        self.run(move || verify_now(&password, hash)).await
    }

    /// Runs `work` on a hashing thread once a slot is free. The slot goes
    /// with the work: a request that gives up does not free it before the
    /// hash is done.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let busy = || {
            tracing::warn!("password hashing at its limit; request refused");
            AppError::Busy(BUSY_RETRY_AFTER)
        };
        let Ok(ticket) = self.inner.admitted.clone().try_acquire_owned() else {
            return Err(busy());
        };
        let permit =
            match tokio::time::timeout(MAX_QUEUE_WAIT, self.inner.running.clone().acquire_owned())
                .await
            {
                Ok(Ok(permit)) => permit,
                _ => return Err(busy()),
            };
        let limits = self.inner.clone();
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _slot = (ticket, permit);
            let now = limits.active.fetch_add(1, Ordering::SeqCst) + 1;
            limits.high_water.fetch_max(now, Ordering::SeqCst);
            struct Leave<'a>(&'a AtomicUsize);
            impl Drop for Leave<'_> {
                fn drop(&mut self) {
                    self.0.fetch_sub(1, Ordering::SeqCst);
                }
            }
            let _leave = Leave(&limits.active);
            let _ = done.send(work());
        });
        match &self.inner.workers {
            Some(workers) => {
                if workers.send(job).is_err() {
                    tracing::error!("password hashing threads are gone");
                    return Err(AppError::Internal);
                }
            }
            None => drop(tokio::task::spawn_blocking(job)),
        }
        result.await.map_err(|_| {
            tracing::error!("password hashing failed without an answer");
            AppError::Internal
        })
    }

    /// Takes every hashing slot until the result is dropped, as a flood of
    /// sign-ins would: for tests.
    pub async fn hold_all(&self) -> HeldHashing {
        let n = u32::try_from(self.inner.concurrency).unwrap_or(u32::MAX);
        let permit = self
            .inner
            .running
            .clone()
            .acquire_many_owned(n)
            .await
            .expect("the hashing semaphore is never closed");
        HeldHashing(permit)
    }

    /// The most hashes that ever ran at once.
    pub fn high_water(&self) -> usize {
        self.inner.high_water.load(Ordering::SeqCst)
    }
}

/// A hash outside any request (the first administrator, the command line,
/// seeding): not bounded, as nobody outside can cause it.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|_| AppError::Internal)?
}

fn hash_now(password: &str) -> Result<String, AppError> {
    argon::hash(password.as_bytes()).map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        AppError::Internal
    })
}

fn verify_now(password: &str, hash: Option<String>) -> bool {
    match hash {
        Some(stored) => argon::verify(password.as_bytes(), &stored),
        None => argon::verify(password.as_bytes(), dummy_hash()),
    }
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY
        .get_or_init(|| hash_now("hikeshi dummy password for unknown accounts").unwrap_or_default())
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

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let hashing = Hashing::new(2, 2);
        let h = hashing.hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(
            hashing
                .verify("correct horse battery".into(), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(!hashing.verify("wrong".into(), Some(h)).await.unwrap());
        assert!(!hashing.verify("anything".into(), None).await.unwrap());
        assert!(
            hash_password("x".repeat(20))
                .await
                .unwrap()
                .starts_with("$argon2id$")
        );
    }

    #[tokio::test]
    async fn past_the_queue_hashing_is_refused_at_once() {
        let hashing = Hashing::new(1, 0);
        let held = hashing.hold_all().await;
        assert_eq!(
            hashing.verify("x".into(), None).await,
            Err(AppError::Busy(BUSY_RETRY_AFTER))
        );
        drop(held);
        assert_eq!(hashing.verify("x".into(), None).await, Ok(false));
        assert_eq!(hashing.high_water(), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_more_than_the_permits_hash_at_once() {
        let hashing = Hashing::new(2, 64);
        let tasks: Vec<_> = (0..12)
            .map(|_| {
                let h = hashing.clone();
                tokio::spawn(async move { h.verify("x".into(), None).await })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), Ok(false));
        }
        assert!(
            (1..=2).contains(&hashing.high_water()),
            "{}",
            hashing.high_water()
        );
    }

    #[test]
    fn generated_passwords_are_long_and_differ() {
        let (a, b) = (generate_password(), generate_password());
        assert_eq!(a.len(), 20);
        assert_ne!(a, b);
    }
}
