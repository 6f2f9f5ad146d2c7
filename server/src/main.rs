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
    audit verify           Re-compute every incident's hash-chained timeline
                           and report the first broken link of each
    evidence verify        Re-hash every stored evidence file against its recorded
                           SHA-256, record the result in its chain of custody and
                           raise an alarm on the incident for each mismatch
    playbooks check DIR    Validate a playbook directory (as HIKESHI_PLAYBOOKS_DIR)
    playbooks export DIR   Write the built-in playbooks to DIR, to start your own
    --help, -h             Show this help

CONFIGURATION (environment variables):
    HIKESHI_DATABASE_URL       sqlite://data/hikeshi.db?mode=rwc (default) or postgres://…
    HIKESHI_BIND               127.0.0.1:3000
    HIKESHI_SITE_ROOT          target/site (the compiled front end)
    HIKESHI_SECURE_COOKIES     false; true behind HTTPS
    HIKESHI_SESSION_HOURS      8
    HIKESHI_ADMIN_USERNAME     admin
    HIKESHI_ADMIN_PASSWORD     (generated when unset)
    HIKESHI_PLAYBOOKS_DIR      (the built-in playbooks when unset)
    HIKESHI_TRUSTED_ORIGINS    extra origins allowed to post forms
    HIKESHI_DB_MAX_CONNECTIONS 8
    HIKESHI_TRUSTED_PROXIES    (none) proxies whose X-Forwarded-For is believed
    HIKESHI_HASH_CONCURRENCY   (cores) password hashes at once
    HIKESHI_HASH_QUEUE         (4 x concurrency) waiting before 503
    HIKESHI_THROTTLE_MAX_ROWS  100000
    HIKESHI_LOG                info (a tracing filter)
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
            return audit_verify().await;
        }
        Some("evidence") if args.get(1).map(String::as_str) == Some("verify") => {
            return evidence_verify().await;
        }
        Some("playbooks") => {
            return playbooks_command(args.get(1).map(String::as_str), args.get(2));
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

async fn audit_verify() -> ExitCode {
    let run = async {
        let config = Config::from_env()?;
        let db = server::db::connect(&config.database_url, 1).await?;
        server::db::migrate(&db).await?;
        Ok::<_, StartError>(server::services::timeline::verify_all(&db).await?)
    };
    match run.await {
        Ok((checked, broken)) if broken.is_empty() => {
            println!("audit verify: {checked} timeline events checked, every chain intact");
            ExitCode::SUCCESS
        }
        Ok((checked, broken)) => {
            println!(
                "audit verify: {checked} timeline events checked, {} broken chain(s):",
                broken.len()
            );
            for b in broken {
                println!("  {} event #{}: {}", b.human_id, b.seq, b.problem);
            }
            ExitCode::FAILURE
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
        let db = server::db::connect(&config.database_url, 1).await?;
        server::db::migrate(&db).await?;
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
    let db = server::db::connect(&config.database_url, 1).await?;
    server::db::migrate(&db).await?;
    let name = name.unwrap_or(config.admin_username.clone());
    match server::services::create_admin(&db, &name, config.admin_password.clone()).await {
        Ok((username, Some(password))) => {
            println!("Created administrator '{username}' with password: {password}")
        }
        Ok((username, None)) => println!("Created administrator '{username}'."),
        Err(e) => return Err(StartError::Admin(e)),
    }
    Ok(())
}
