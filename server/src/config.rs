//! Typed configuration from `HIKESHI_*` environment variables. Defaults work
//! on a bare machine (embedded SQLite, 127.0.0.1:3000); every value is checked
//! at start and a bad one is named in the error.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::auth::source::IpRange;

/// A value that must not reach a log: its `Debug` prints `[redacted]`.
/// Read it with [`Secret::expose`] where it is used, nowhere else.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A database URL with its password, if it has one, replaced for printing.
pub fn redacted_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    // The userinfo ends at the last '@' before the path.
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => match rest[..at].split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:[redacted]{}", &rest[at..]),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[derive(Clone)]
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
    /// `HIKESHI_ORGANISATION`: the organisation's name, as threat
    /// intelligence it shares names its author (a STIX `identity`).
    pub organisation: String,
    /// `HIKESHI_FEED_TOKEN`: what a sensor presents to pull the feeds
    /// (`Authorization: Bearer …` or `?token=`); the feeds are off unset.
    pub feed_token: Option<Secret>,
    /// `HIKESHI_FEED_TLP`: the highest TLP of an indicator in the feeds.
    pub feed_tlp: app::domain::classification::Tlp,
    /// `HIKESHI_ADMIN_PASSWORD`: password of the first administrator; when
    /// unset, one is generated and printed once.
    pub admin_password: Option<Secret>,
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
    /// `HIKESHI_REPORT_TEMPLATES_DIR`: the organisation's report templates,
    /// replacing the built-in ones of the same name.
    pub report_templates_dir: Option<PathBuf>,
    /// `HIKESHI_TRIAGE_READ_LIMIT`: the most bytes per second a log-triage
    /// run reads from the evidence store, so that analysing a large log
    /// leaves the disk to uploads and pages on a small server; none by
    /// default.
    pub triage_read_limit: Option<u64>,
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
    /// `HIKESHI_AUDIT_*`: the key of the tamper-evident trail, where the
    /// heads are published.
    pub audit: AuditConfig,
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
        password: Option<Secret>,
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

/// Every field, with the passwords (the administrator's, SMTP's, the one in
/// the database URL) and the audit key left out: a configuration printed
/// into a log or a panic message gives nothing away.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Destructured, so that a new field does not compile until it is
        // decided here whether it may be printed.
        let Config {
            database_url,
            bind,
            site_root,
            secure_cookies,
            session_hours,
            admin_username,
            organisation,
            feed_token,
            feed_tlp,
            admin_password,
            playbooks_dir,
            trusted_origins,
            db_max_connections,
            evidence_dir,
            evidence_max_bytes,
            triage_read_limit,
            report_templates_dir,
            mail,
            base_url,
            trusted_proxies,
            hash_concurrency,
            hash_queue,
            throttle_max_rows,
            audit,
        } = self;
        f.debug_struct("Config")
            .field("database_url", &redacted_url(database_url))
            .field("bind", bind)
            .field("site_root", site_root)
            .field("secure_cookies", secure_cookies)
            .field("session_hours", session_hours)
            .field("admin_username", admin_username)
            .field("organisation", organisation)
            .field("feed_token", feed_token)
            .field("feed_tlp", feed_tlp)
            .field("admin_password", admin_password)
            .field("playbooks_dir", playbooks_dir)
            .field("trusted_origins", trusted_origins)
            .field("db_max_connections", db_max_connections)
            .field("evidence_dir", evidence_dir)
            .field("evidence_max_bytes", evidence_max_bytes)
            .field("triage_read_limit", triage_read_limit)
            .field("report_templates_dir", report_templates_dir)
            .field("mail", mail)
            .field("base_url", base_url)
            .field("trusted_proxies", trusted_proxies)
            .field("hash_concurrency", hash_concurrency)
            .field("hash_queue", hash_queue)
            .field("throttle_max_rows", throttle_max_rows)
            .field("audit", audit)
            .finish()
    }
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
        let organisation = var("HIKESHI_ORGANISATION")
            .map(|o| app::domain::form::clean(&o, app::domain::form::Lines::One))
            .filter(|o| !o.is_empty())
            .unwrap_or_else(|| "Hikeshi CSIRT".into());
        let feed_token = match var("HIKESHI_FEED_TOKEN") {
            Some(t) if t.trim().len() < 24 => {
                return Err(bad(
                    "HIKESHI_FEED_TOKEN",
                    "at least 24 characters (openssl rand -hex 24)".into(),
                ));
            }
            Some(t) => Some(Secret::new(t.trim().to_string())),
            None => None,
        };
        let feed_tlp = match var("HIKESHI_FEED_TLP") {
            None => app::domain::classification::Tlp::Amber,
            Some(t) => app::domain::classification::Tlp::from_id(t.trim()).ok_or_else(|| {
                bad(
                    "HIKESHI_FEED_TLP",
                    format!("one of clear, green, amber, amber_strict, red, got {t:?}"),
                )
            })?,
        };
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
        let report_templates_dir = var("HIKESHI_REPORT_TEMPLATES_DIR").map(PathBuf::from);
        let triage_read_limit = match var("HIKESHI_TRIAGE_READ_LIMIT") {
            None => None,
            Some(v) => Some(v.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                bad(
                    "HIKESHI_TRIAGE_READ_LIMIT",
                    format!("expected a positive number of bytes per second, got {v:?}"),
                )
            })?),
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
                    password: var("HIKESHI_SMTP_PASSWORD").map(Secret::new),
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
        let audit = AuditConfig::from_vars(&var)?;
        Ok(Config {
            audit,
            mail: MailConfig {
                transport,
                from,
                base_url: base_url.clone(),
            },
            base_url,
            evidence_dir,
            evidence_max_bytes,
            triage_read_limit,
            report_templates_dir,
            database_url,
            bind,
            site_root,
            secure_cookies,
            session_hours,
            admin_username,
            organisation,
            feed_token,
            feed_tlp,
            admin_password: admin_password.map(Secret::new),
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

// ---- The audit key (tamper evidence) -------------------------------------------

/// Where the key of the audit trail comes from and where its heads go.
/// The key is kept outside the database: whoever can write the database but
/// not read this key cannot forge a seal.
#[derive(Clone, Debug)]
pub struct AuditConfig {
    /// `HIKESHI_AUDIT_KEY`: the key itself, hex or base64, at least 32
    /// bytes. Shown redacted in `Debug`.
    pub key: Option<crate::integrity::AuditKey>,
    /// `HIKESHI_AUDIT_KEY_FILE` (default `data/audit.key`): the key, when
    /// `HIKESHI_AUDIT_KEY` is unset; generated (mode 0600) on the first start
    /// of a database never sealed.
    pub key_file: PathBuf,
    /// `HIKESHI_AUDIT_HEADS_FILE` (default `data/audit-heads.log`): one JSON
    /// line of heads a day, for the operator to archive.
    pub heads_file: PathBuf,
}

pub const DEFAULT_AUDIT_KEY_FILE: &str = "data/audit.key";
pub const DEFAULT_AUDIT_HEADS_FILE: &str = "data/audit-heads.log";

impl AuditConfig {
    fn from_vars(var: &dyn Fn(&'static str) -> Option<String>) -> Result<Self, ConfigError> {
        let bad = |var: &'static str, message: String| ConfigError { var, message };
        let key = var("HIKESHI_AUDIT_KEY")
            .map(|k| crate::integrity::AuditKey::parse(&k))
            .transpose()
            .map_err(|m| bad("HIKESHI_AUDIT_KEY", m))?;
        let key_file = var("HIKESHI_AUDIT_KEY_FILE");
        if key.is_some() && key_file.is_some() {
            return Err(bad(
                "HIKESHI_AUDIT_KEY_FILE",
                "set either HIKESHI_AUDIT_KEY or HIKESHI_AUDIT_KEY_FILE, not both".into(),
            ));
        }
        Ok(AuditConfig {
            key,
            key_file: PathBuf::from(key_file.unwrap_or_else(|| DEFAULT_AUDIT_KEY_FILE.into())),
            heads_file: PathBuf::from(
                var("HIKESHI_AUDIT_HEADS_FILE").unwrap_or_else(|| DEFAULT_AUDIT_HEADS_FILE.into()),
            ),
        })
    }

    /// The key: `HIKESHI_AUDIT_KEY`, else the key file. A missing file is
    /// generated only when `may_create` (a database that was never sealed);
    /// otherwise it is an error, since a new key cannot verify an old trail.
    pub fn load_key(&self, may_create: bool) -> Result<crate::integrity::AuditKey, ConfigError> {
        use crate::integrity::AuditKey;
        if let Some(k) = &self.key {
            return Ok(k.clone());
        }
        let path = &self.key_file;
        let bad = |message: String| ConfigError {
            var: "HIKESHI_AUDIT_KEY_FILE",
            message,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                warn_if_readable_by_others(path);
                AuditKey::parse(&text).map_err(|m| bad(format!("{}: {m}", path.display())))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && may_create => {
                let key = AuditKey::generate();
                write_new_key(path, &key)
                    .map_err(|e| bad(format!("cannot create {}: {e}", path.display())))?;
                tracing::warn!(
                    path = %path.display(),
                    key_id = %key.id(),
                    "generated a new audit key: back it up and keep it apart from the database; \
                     without it the audit trail cannot be verified"
                );
                Ok(key)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(bad(format!(
                "{} does not exist, and this database was sealed with a key: restore that key \
                 (or set HIKESHI_AUDIT_KEY)",
                path.display()
            ))),
            Err(e) => Err(bad(format!("cannot read {}: {e}", path.display()))),
        }
    }
}

/// Creates the key file, readable by its owner only, refusing to overwrite.
fn write_new_key(path: &std::path::Path, key: &crate::integrity::AuditKey) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path)?;
    writeln!(f, "{}", key.to_hex())?;
    f.sync_all()
}

fn warn_if_readable_by_others(path: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(path = %path.display(), "the audit key file is readable by others: chmod 600 it");
        }
    }
    #[cfg(not(unix))]
    let _ = path;
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
    fn a_short_feed_token_or_an_unknown_feed_tlp_stops_the_start() {
        let e = with(&[("HIKESHI_FEED_TOKEN", "short")]).unwrap_err();
        assert_eq!(e.var, "HIKESHI_FEED_TOKEN");
        let e = with(&[("HIKESHI_FEED_TLP", "white")]).unwrap_err();
        assert_eq!(e.var, "HIKESHI_FEED_TLP");
        let c = with(&[]).unwrap();
        assert!(c.feed_token.is_none(), "no feeds unless a token is set");
        assert_eq!(c.feed_tlp, app::domain::classification::Tlp::Amber);
    }

    #[test]
    fn printing_the_configuration_shows_no_password() {
        let c = with(&[
            (
                "HIKESHI_DATABASE_URL",
                "postgres://hikeshi:db-pass-1@db.example:5432/hikeshi",
            ),
            ("HIKESHI_ADMIN_PASSWORD", "admin-pass-12345"),
            ("HIKESHI_SMTP_HOST", "smtp.example"),
            ("HIKESHI_SMTP_USER", "mailer"),
            ("HIKESHI_SMTP_PASSWORD", "smtp-pass-1"),
            ("HIKESHI_FEED_TOKEN", "feed-token-0123456789abcdef"),
            (
                "HIKESHI_AUDIT_KEY",
                "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
            ),
        ])
        .unwrap();
        let printed = format!("{c:?}");
        for secret in [
            "db-pass-1",
            "admin-pass-12345",
            "smtp-pass-1",
            "feed-token-0123456789",
            "00112233445566",
        ] {
            assert!(!printed.contains(secret), "{secret} printed in {printed}");
        }
        // What is not secret still helps whoever reads the log.
        assert!(printed.contains("postgres://hikeshi:[redacted]@db.example:5432/hikeshi"));
        assert!(printed.contains("smtp.example") && printed.contains("mailer"));
        assert_eq!(
            c.admin_password.as_ref().map(Secret::expose),
            Some("admin-pass-12345")
        );
    }

    #[test]
    fn proxies_and_limits_are_read() {
        let c = with(&[
            ("HIKESHI_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8"),
            ("HIKESHI_HASH_CONCURRENCY", "3"),
            ("HIKESHI_HASH_QUEUE", "0"),
            ("HIKESHI_THROTTLE_MAX_ROWS", "500"),
            ("HIKESHI_TRIAGE_READ_LIMIT", "200000"),
        ])
        .unwrap();
        assert_eq!(c.triage_read_limit, Some(200_000));
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
            ("HIKESHI_TRIAGE_READ_LIMIT", "fast"),
        ] {
            let err = with(&[(var, value)]).unwrap_err();
            assert_eq!(err.var, var);
            assert!(err.to_string().contains(var));
        }
    }

    #[test]
    fn the_audit_key_file_is_generated_once_private_and_never_shown() {
        let dir = tempfile_dir();
        let file = dir.join("keys/audit.key");
        let audit = with(&[("HIKESHI_AUDIT_KEY_FILE", file.to_str().unwrap())])
            .unwrap()
            .audit;
        assert!(
            audit.load_key(false).is_err(),
            "not generated unless allowed"
        );
        let key = audit.load_key(true).unwrap();
        assert_eq!(
            audit.load_key(false).unwrap(),
            key,
            "read back, not regenerated"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let hex = key.to_hex();
        let c = with(&[("HIKESHI_AUDIT_KEY", &hex)]).unwrap();
        assert_eq!(c.audit.load_key(false).unwrap(), key);
        assert!(
            !format!("{c:?}").contains(&hex),
            "the key is redacted in Debug"
        );
        for bad in ["too short", "00ff"] {
            let err = with(&[("HIKESHI_AUDIT_KEY", bad)]).unwrap_err();
            assert_eq!(err.var, "HIKESHI_AUDIT_KEY");
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("hikeshi-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}
