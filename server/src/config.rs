//! Typed configuration from `HIKESHI_*` environment variables. Defaults work
//! on a bare machine (embedded SQLite, 127.0.0.1:3000); every value is checked
//! at start and a bad one is named in the error.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::auth::source::IpRange;

#[derive(Clone, Debug)]
pub struct Config {
    /// `HIKESHI_DATABASE_URL`: `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// `HIKESHI_BIND`: address to listen on.
    pub bind: SocketAddr,
    /// `HIKESHI_SITE_ROOT`: where cargo-leptos put the compiled site (`pkg/`).
    pub site_root: PathBuf,
    /// `HIKESHI_SECURE_COOKIES`: mark cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// `HIKESHI_SESSION_HOURS`: idle time after which a session ends.
    pub session_hours: i64,
    /// `HIKESHI_ADMIN_USERNAME`: name of the first administrator.
    pub admin_username: String,
    /// `HIKESHI_ADMIN_PASSWORD`: password of the first administrator; when
    /// unset, one is generated and printed once.
    pub admin_password: Option<String>,
    /// `HIKESHI_PLAYBOOKS_DIR`: the organisation's own playbooks; the built-in
    /// ones when unset.
    pub playbooks_dir: Option<PathBuf>,
    /// `HIKESHI_TRUSTED_ORIGINS`: comma-separated origins (scheme://host:port)
    /// besides the request's own host that may send forms, e.g. behind a
    /// reverse proxy that rewrites Host.
    pub trusted_origins: Vec<String>,
    /// `HIKESHI_DB_MAX_CONNECTIONS`: connection pool size.
    pub db_max_connections: u32,
    /// `HIKESHI_EVIDENCE_DIR`: where evidence files are stored, by SHA-256.
    pub evidence_dir: PathBuf,
    /// `HIKESHI_EVIDENCE_MAX_BYTES`: the largest evidence file accepted.
    pub evidence_max_bytes: u64,
    /// Where mail goes: an SMTP server (`HIKESHI_SMTP_*`), or, when no
    /// `HIKESHI_SMTP_HOST` is set, `.eml` files in `HIKESHI_MAIL_DIR`.
    pub mail: MailConfig,
    /// `HIKESHI_BASE_URL`: how users reach Hikeshi, for links in mail.
    pub base_url: String,
    /// `HIKESHI_TRUSTED_PROXIES`: comma-separated addresses or CIDR blocks of
    /// reverse proxies whose `X-Forwarded-For` names the client. None by
    /// default: the TCP peer is the client.
    pub trusted_proxies: Vec<IpRange>,
    /// `HIKESHI_HASH_CONCURRENCY`: password hashes run at once (19 MiB
    /// each); the number of cores by default.
    pub hash_concurrency: usize,
    /// `HIKESHI_HASH_QUEUE`: sign-ins waiting for a hashing slot before
    /// further ones get 503; four times the concurrency by default.
    pub hash_queue: usize,
    /// `HIKESHI_THROTTLE_MAX_ROWS`: the most sign-in throttle counters kept;
    /// the oldest are dropped past it.
    pub throttle_max_rows: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    None,
    StartTls,
    Tls,
}

#[derive(Clone, Debug)]
pub enum MailTransport {
    Smtp {
        host: String,
        port: u16,
        security: SmtpSecurity,
        user: Option<String>,
        password: Option<String>,
    },
    Dir(PathBuf),
}

#[derive(Clone, Debug)]
pub struct MailConfig {
    pub transport: MailTransport,
    /// `HIKESHI_MAIL_FROM`.
    pub from: String,
    /// The base URL for links (`HIKESHI_BASE_URL`).
    pub base_url: String,
}

/// 8 GiB: a laptop's memory dump or a small disk image.
pub const DEFAULT_EVIDENCE_MAX_BYTES: u64 = 8 << 30;

#[derive(Debug, thiserror::Error)]
#[error("configuration error: {var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/hikeshi.db?mode=rwc";

/// Throttle counters kept at most: a few MiB of small rows.
pub const DEFAULT_THROTTLE_MAX_ROWS: u64 = 100_000;

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads the variables through `get`, so tests need not touch the process
    /// environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let var = |k: &'static str| {
            get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let bad = |var: &'static str, message: String| ConfigError { var, message };

        let database_url =
            var("HIKESHI_DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(bad(
                "HIKESHI_DATABASE_URL",
                format!("expected sqlite://… or postgres://…, got {database_url:?}"),
            ));
        }
        let bind = var("HIKESHI_BIND").unwrap_or_else(|| "127.0.0.1:3000".into());
        let bind: SocketAddr = bind.parse().map_err(|_| {
            bad(
                "HIKESHI_BIND",
                format!("expected host:port such as 127.0.0.1:3000, got {bind:?}"),
            )
        })?;
        let site_root = PathBuf::from(
            var("HIKESHI_SITE_ROOT")
                .or_else(|| var("LEPTOS_SITE_ROOT"))
                .unwrap_or_else(|| "target/site".into()),
        );
        let secure_cookies = match var("HIKESHI_SECURE_COOKIES").as_deref() {
            None | Some("0") | Some("false") | Some("no") => false,
            Some("1") | Some("true") | Some("yes") => true,
            Some(other) => {
                return Err(bad(
                    "HIKESHI_SECURE_COOKIES",
                    format!("expected true or false, got {other:?}"),
                ));
            }
        };
        let session_hours = match var("HIKESHI_SESSION_HOURS") {
            None => 8,
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|h| (1..=24 * 30).contains(h))
                .ok_or_else(|| {
                    bad(
                        "HIKESHI_SESSION_HOURS",
                        format!("expected whole hours between 1 and 720, got {v:?}"),
                    )
                })?,
        };
        let admin_username = var("HIKESHI_ADMIN_USERNAME").unwrap_or_else(|| "admin".into());
        if !app::domain::account::is_valid_username(&admin_username) {
            return Err(bad(
                "HIKESHI_ADMIN_USERNAME",
                format!("not a valid username: {admin_username:?}"),
            ));
        }
        let admin_password = var("HIKESHI_ADMIN_PASSWORD");
        if let Some(p) = &admin_password
            && p.chars().count() < app::domain::account::PASSWORD_MIN
        {
            return Err(bad(
                "HIKESHI_ADMIN_PASSWORD",
                format!(
                    "must be at least {} characters",
                    app::domain::account::PASSWORD_MIN
                ),
            ));
        }
        let playbooks_dir = var("HIKESHI_PLAYBOOKS_DIR").map(PathBuf::from);
        let trusted_origins = var("HIKESHI_TRUSTED_ORIGINS")
            .map(|v| {
                v.split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_string())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let db_max_connections = match var("HIKESHI_DB_MAX_CONNECTIONS") {
            None => 8,
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| {
                    bad(
                        "HIKESHI_DB_MAX_CONNECTIONS",
                        format!("expected a number from 1 to 1000, got {v:?}"),
                    )
                })?,
        };
        let evidence_dir = var("HIKESHI_EVIDENCE_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("data/evidence"));
        let evidence_max_bytes = match var("HIKESHI_EVIDENCE_MAX_BYTES") {
            None => DEFAULT_EVIDENCE_MAX_BYTES,
            Some(v) => v.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                bad(
                    "HIKESHI_EVIDENCE_MAX_BYTES",
                    format!("expected a positive number of bytes, got {v:?}"),
                )
            })?,
        };
        let security = match var("HIKESHI_SMTP_SECURITY").as_deref() {
            None | Some("starttls") => SmtpSecurity::StartTls,
            Some("tls") => SmtpSecurity::Tls,
            Some("none") => SmtpSecurity::None,
            Some(other) => {
                return Err(bad(
                    "HIKESHI_SMTP_SECURITY",
                    format!("expected starttls, tls or none, got {other:?}"),
                ));
            }
        };
        let transport = match var("HIKESHI_SMTP_HOST") {
            Some(host) => {
                let default_port = match security {
                    SmtpSecurity::Tls => 465,
                    SmtpSecurity::StartTls => 587,
                    SmtpSecurity::None => 25,
                };
                let port = match var("HIKESHI_SMTP_PORT") {
                    None => default_port,
                    Some(p) => p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
                        bad(
                            "HIKESHI_SMTP_PORT",
                            format!("expected a port number, got {p:?}"),
                        )
                    })?,
                };
                MailTransport::Smtp {
                    host,
                    port,
                    security,
                    user: var("HIKESHI_SMTP_USER"),
                    password: var("HIKESHI_SMTP_PASSWORD"),
                }
            }
            None => MailTransport::Dir(
                var("HIKESHI_MAIL_DIR")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| PathBuf::from("data/mail")),
            ),
        };
        let from = var("HIKESHI_MAIL_FROM").unwrap_or_else(|| "Hikeshi <hikeshi@localhost>".into());
        if from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(bad(
                "HIKESHI_MAIL_FROM",
                format!("not a mail address: {from:?}"),
            ));
        }
        let trusted_proxies = match var("HIKESHI_TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(v) => v
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| {
                    IpRange::parse(p).ok_or_else(|| {
                        bad(
                            "HIKESHI_TRUSTED_PROXIES",
                            format!(
                                "expected addresses or CIDR blocks such as 10.0.0.0/8, got {p:?}"
                            ),
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let count =
            |name: &'static str, default: usize, range: std::ops::RangeInclusive<usize>| match var(
                name,
            ) {
                None => Ok(default),
                Some(v) => v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| range.contains(n))
                    .ok_or_else(|| {
                        bad(
                            name,
                            format!(
                                "expected a number from {} to {}, got {v:?}",
                                range.start(),
                                range.end()
                            ),
                        )
                    }),
            };
        let hash_concurrency = count(
            "HIKESHI_HASH_CONCURRENCY",
            crate::auth::Hashing::cores(),
            1..=1024,
        )?;
        let hash_queue = count("HIKESHI_HASH_QUEUE", 4 * hash_concurrency, 0..=65_536)?;
        let throttle_max_rows = count(
            "HIKESHI_THROTTLE_MAX_ROWS",
            DEFAULT_THROTTLE_MAX_ROWS as usize,
            10..=100_000_000,
        )? as u64;
        let base_url = var("HIKESHI_BASE_URL")
            .unwrap_or_else(|| format!("http://{bind}"))
            .trim_end_matches('/')
            .to_string();
        Ok(Config {
            mail: MailConfig {
                transport,
                from,
                base_url: base_url.clone(),
            },
            base_url,
            evidence_dir,
            evidence_max_bytes,
            database_url,
            bind,
            site_root,
            secure_cookies,
            session_hours,
            admin_username,
            admin_password,
            playbooks_dir,
            trusted_origins,
            db_max_connections,
            trusted_proxies,
            hash_concurrency,
            hash_queue,
            throttle_max_rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_work_on_a_bare_machine() {
        let c = with(&[]).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.bind.to_string(), "127.0.0.1:3000");
        assert_eq!(c.session_hours, 8);
        assert!(!c.secure_cookies);
        assert!(
            c.trusted_proxies.is_empty(),
            "X-Forwarded-For is not trusted by default"
        );
        assert!(c.hash_concurrency >= 1);
        assert_eq!(c.hash_queue, 4 * c.hash_concurrency);
        assert_eq!(c.throttle_max_rows, DEFAULT_THROTTLE_MAX_ROWS);
    }

    #[test]
    fn proxies_and_limits_are_read() {
        let c = with(&[
            ("HIKESHI_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8"),
            ("HIKESHI_HASH_CONCURRENCY", "3"),
            ("HIKESHI_HASH_QUEUE", "0"),
            ("HIKESHI_THROTTLE_MAX_ROWS", "500"),
        ])
        .unwrap();
        assert_eq!(c.trusted_proxies.len(), 2);
        assert!(c.trusted_proxies[1].contains("10.1.2.3".parse().unwrap()));
        assert_eq!((c.hash_concurrency, c.hash_queue), (3, 0));
        assert_eq!(c.throttle_max_rows, 500);
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        for (var, value) in [
            ("HIKESHI_BIND", "localhost"),
            ("HIKESHI_DATABASE_URL", "mysql://x"),
            ("HIKESHI_SECURE_COOKIES", "maybe"),
            ("HIKESHI_SESSION_HOURS", "0"),
            ("HIKESHI_ADMIN_PASSWORD", "short"),
            ("HIKESHI_ADMIN_USERNAME", "Bad Name"),
            ("HIKESHI_DB_MAX_CONNECTIONS", "many"),
            ("HIKESHI_EVIDENCE_MAX_BYTES", "0"),
            ("HIKESHI_SMTP_SECURITY", "ssl3"),
            ("HIKESHI_MAIL_FROM", "not an address"),
            ("HIKESHI_TRUSTED_PROXIES", "127.0.0.1, proxy.example"),
            ("HIKESHI_HASH_CONCURRENCY", "0"),
            ("HIKESHI_HASH_QUEUE", "lots"),
            ("HIKESHI_THROTTLE_MAX_ROWS", "5"),
        ] {
            let err = with(&[(var, value)]).unwrap_err();
            assert_eq!(err.var, var);
            assert!(err.to_string().contains(var));
        }
    }
}
