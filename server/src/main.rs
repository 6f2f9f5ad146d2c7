//! The `hikeshi` command line.

use std::process::ExitCode;

use server::config::Config;
use server::startup::{Application, StartError};

const HELP: &str = "\
hikeshi — incident handling for CSIRTs (火消し)

USAGE:
    hikeshi [COMMAND]

COMMANDS:
    serve                  Run the web application (the default)
    migrate                Apply pending database migrations and exit
    create-admin [NAME]    Create an administrator (default name: admin). The
                           password comes from HIKESHI_ADMIN_PASSWORD, or one
                           is generated and printed once.
    audit verify [--heads FILE]
                           Check the tamper-evident trail under the audit key:
                           the integrity ledger's MAC chain, every covered row
                           against its seal, every incident's timeline, and
                           that the database is not behind (or diverging from)
                           any head published in FILE (default: the
                           HIKESHI_AUDIT_HEADS_FILE, when it exists). Names
                           each difference; exits 1 when there is one
    audit publish          Publish the heads now (as the server does daily):
                           to the log and one line appended to the heads file
    evidence verify        Re-hash every stored evidence file against its recorded
                           SHA-256, record the result in its chain of custody and
                           raise an alarm on the incident for each mismatch
    report verify FILE     Check a generated report against the database: it must be
                           one Hikeshi generated (by its SHA-256), the timeline event
                           it committed to must be unchanged and the chain verify up
                           to it, and each evidence item it lists must still carry
                           its hash. Names each difference; exits 1 when there is one
    playbooks check DIR    Validate a playbook directory (as HIKESHI_PLAYBOOKS_DIR)
    playbooks export DIR   Write the built-in playbooks to DIR, to start your own
    triage FILE [--json]   Parse a log (Postfix, NetScreen, Squid, BIND, Windows CSV/XML;
                           gzip or plain) and print the findings of seed 001's heuristics
                           (hikeshi triage --help for the options)
    --help, -h             Show this help

CONFIGURATION (environment variables):
    HIKESHI_DATABASE_URL       sqlite://data/hikeshi.db?mode=rwc (default) or postgres://…
    HIKESHI_BIND               127.0.0.1:3000
    HIKESHI_SITE_ROOT          target/site (the compiled front end)
    HIKESHI_SECURE_COOKIES     false; true behind HTTPS
    HIKESHI_SESSION_HOURS      8
    HIKESHI_ADMIN_USERNAME     admin
    HIKESHI_ADMIN_PASSWORD     (generated when unset)
    HIKESHI_ORGANISATION       Hikeshi CSIRT (the author of shared STIX)
    HIKESHI_FEED_TOKEN         (feeds off when unset) token sensors present
    HIKESHI_FEED_TLP           amber (the highest TLP in the feeds)
    HIKESHI_PLAYBOOKS_DIR      (the built-in playbooks when unset)
    HIKESHI_TRUSTED_ORIGINS    extra origins allowed to post forms
    HIKESHI_DB_MAX_CONNECTIONS 8
    HIKESHI_TRUSTED_PROXIES    (none) proxies whose X-Forwarded-For is believed
    HIKESHI_HASH_CONCURRENCY   (cores) password hashes at once
    HIKESHI_HASH_QUEUE         (4 x concurrency) waiting before 503
    HIKESHI_THROTTLE_MAX_ROWS  100000
    HIKESHI_LOG                info (a tracing filter)
    HIKESHI_AUDIT_KEY          the audit key (hex or base64, >= 32 bytes), or:
    HIKESHI_AUDIT_KEY_FILE     data/audit.key (generated, mode 0600, on first start)
    HIKESHI_AUDIT_HEADS_FILE   data/audit-heads.log (archive it elsewhere)
";

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HIKESHI_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        None | Some("serve") => serve().await,
        Some("migrate") => migrate().await,
        Some("create-admin") => create_admin(args.get(1).cloned()).await,
        Some("audit") if args.get(1).map(String::as_str) == Some("verify") => {
            return audit_verify(&args[2..]).await;
        }
        Some("audit") if args.get(1).map(String::as_str) == Some("publish") => {
            return audit_publish().await;
        }
        Some("evidence") if args.get(1).map(String::as_str) == Some("verify") => {
            return evidence_verify().await;
        }
        Some("playbooks") => {
            return playbooks_command(args.get(1).map(String::as_str), args.get(2));
        }
        Some("triage") => return server::triage::cli::main(&args[1..]),
        Some("report") if args.get(1).map(String::as_str) == Some("verify") => {
            return report_verify(args.get(2)).await;
        }
        Some("--help" | "-h" | "help") => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => {
            eprintln!("unknown command: {other}\n\n{HELP}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hikeshi: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> Result<(), StartError> {
    let app = Application::build(Config::from_env()?).await?;
    println!("Hikeshi listening on http://{}", app.local_addr());
    app.run().await.map_err(|source| StartError::Bind {
        addr: ([0, 0, 0, 0], 0).into(),
        source,
    })
}

async fn audit_verify(args: &[String]) -> ExitCode {
    let heads = match args {
        [] => None,
        [flag, file] if flag == "--heads" => Some(std::path::PathBuf::from(file)),
        _ => {
            eprintln!("usage: hikeshi audit verify [--heads FILE]");
            return ExitCode::from(2);
        }
    };
    let run = async {
        let config = Config::from_env()?;
        // Never generate a key here: a new key cannot verify an old trail.
        let key = config.audit.load_key(false)?;
        let heads = heads.or_else(|| {
            let default = config.audit.heads_file.clone();
            default.exists().then_some(default)
        });
        let db = server::db::connect(&config.database_url, 1).await?;
        server::db::migrate(&db).await?;
        let report = server::integrity::verify(&db, &key, heads.as_deref())
            .await
            .map_err(|e| StartError::Other(format!("audit verify: {e}")))?;
        Ok::<_, StartError>((report, heads))
    };
    let (r, heads) = match run.await {
        Ok(done) => done,
        Err(e) => {
            eprintln!("hikeshi: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("audit verify, key id {}:", r.key_id);
    println!(
        "  {} ledger entries; {} rows in the covered tables; {} timeline events",
        r.entries, r.rows, r.events
    );
    if r.adopted_rows > 0 || r.unkeyed_events > 0 {
        let when = r
            .adopted_at
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|| "-".into());
        println!(
            "  from before the key: {} rows adopted as found at the first keyed start ({when}); \
             {} timeline events unkeyed (plain SHA-256, pinned by that adoption)",
            r.adopted_rows, r.unkeyed_events
        );
    }
    match heads {
        Some(p) => println!(
            "  {} published head(s) checked from {}",
            r.publications,
            p.display()
        ),
        None => println!("  no heads file: truncation after the newest seal cannot be ruled out"),
    }
    if r.is_clean() {
        println!("every seal, chain and published head intact");
        return ExitCode::SUCCESS;
    }
    println!("{} difference(s):", r.findings.len());
    for f in &r.findings {
        println!("  {f}");
    }
    ExitCode::FAILURE
}

async fn audit_publish() -> ExitCode {
    let run = async {
        let config = Config::from_env()?;
        let db = server::startup::connect_sealed(&config, 1).await?;
        let key = server::integrity::key()?;
        server::integrity::heads::publish(&db, key, &config.audit.heads_file)
            .await
            .map_err(|e| StartError::Other(format!("audit publish: {e}")))
            .map(|p| (p, config.audit.heads_file))
    };
    match run.await {
        Ok((p, file)) => {
            println!(
                "published ledger seq {} and {} incident head(s) to {}",
                p.heads.ledger.seq,
                p.heads.incidents.len(),
                file.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("hikeshi: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn evidence_verify() -> ExitCode {
    let run = async {
        let config = Config::from_env()?;
        let db = server::startup::connect_sealed(&config, 1).await?;
        let store = server::evidence_store::EvidenceStore::new(
            &config.evidence_dir,
            config.evidence_max_bytes,
        );
        server::services::evidence::verify_all(&db, &store)
            .await
            .map_err(|e| StartError::Other(format!("evidence verify: {e:?}")))
    };
    match run.await {
        Ok((checked, bad)) if bad.is_empty() => {
            println!("evidence verify: {checked} item(s) re-hashed, all intact");
            ExitCode::SUCCESS
        }
        Ok((checked, bad)) => {
            println!(
                "evidence verify: {checked} item(s) re-hashed, {} MISMATCH(ES):",
                bad.len()
            );
            for (incident, file) in bad {
                println!("  {incident}: {file}");
            }
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("hikeshi: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn report_verify(file: Option<&String>) -> ExitCode {
    let Some(file) = file else {
        eprintln!("usage: hikeshi report verify FILE");
        return ExitCode::from(2);
    };
    let content = match std::fs::read(file) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("hikeshi: {file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let run = async {
        let config = Config::from_env()?;
        let db = server::startup::connect_sealed(&config, 1).await?;
        server::services::reports::verify(&db, &content)
            .await
            .map_err(|e| StartError::Other(format!("report verify: {e}")))
    };
    match run.await {
        Ok(v) if v.ok() => {
            let m = v.manifest.as_ref().expect("ok has a manifest");
            println!(
                "report verify: {file} is version {} of {}'s report, generated {}; timeline event {} unchanged, {} evidence hash(es) as recorded",
                m.version,
                m.incident,
                m.generated_at.to_rfc3339(),
                m.chain_seq,
                m.evidence.len()
            );
            ExitCode::SUCCESS
        }
        Ok(v) => {
            println!("report verify: {file} DIFFERS:");
            for line in v.lines() {
                println!("  {line}");
            }
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("hikeshi: {e}");
            ExitCode::FAILURE
        }
    }
}

fn playbooks_command(sub: Option<&str>, dir: Option<&String>) -> ExitCode {
    let Some(dir) = dir.map(std::path::PathBuf::from) else {
        eprintln!("usage: hikeshi playbooks check DIR | hikeshi playbooks export DIR");
        return ExitCode::from(2);
    };
    match sub {
        Some("check") => match playbooks::HandlingModel::load_dir(&dir) {
            Ok(m) => {
                println!(
                    "{}: valid ({} phases, {} roles, {} actions and tasks); version {}",
                    dir.display(),
                    m.phases.len(),
                    m.roles.len(),
                    m.actions.len(),
                    m.content_hash
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
        Some("export") => {
            for (name, content) in playbooks::builtin_files() {
                let path = dir.join(name);
                let written = path
                    .parent()
                    .map_or(Ok(()), std::fs::create_dir_all)
                    .and_then(|_| std::fs::write(&path, content));
                if let Err(e) = written {
                    eprintln!("cannot write {}: {e}", path.display());
                    return ExitCode::FAILURE;
                }
            }
            println!("built-in playbooks written to {}", dir.display());
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: hikeshi playbooks check DIR | hikeshi playbooks export DIR");
            ExitCode::from(2)
        }
    }
}

async fn migrate() -> Result<(), StartError> {
    let config = Config::from_env()?;
    let db = server::db::connect(&config.database_url, 1).await?;
    server::db::migrate(&db).await?;
    println!("migrations applied");
    Ok(())
}

async fn create_admin(name: Option<String>) -> Result<(), StartError> {
    let config = Config::from_env()?;
    let db = server::startup::connect_sealed(&config, 1).await?;
    let name = name.unwrap_or(config.admin_username.clone());
    match server::services::create_admin(
        &db,
        &name,
        config
            .admin_password
            .as_ref()
            .map(|p| p.expose().to_owned()),
    )
    .await
    {
        Ok((username, Some(password))) => {
            println!("Created administrator '{username}' with password: {password}")
        }
        Ok((username, None)) => println!("Created administrator '{username}'."),
        Err(e) => return Err(StartError::Admin(e)),
    }
    Ok(())
}
