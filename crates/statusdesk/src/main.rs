//! `statusdesk`: the command line. Everything of substance lives in the
//! library crates; this file parses arguments and reports.
#![forbid(unsafe_code)]

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use domain::{Clock, EmailAddress, Plan, Role, SystemClock};
use statusdesk::config::{Overrides, Settings};
use statusdesk::{demo, open_store};
use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::Arc;
use store::{Scope, Store};

#[derive(Parser)]
#[command(
    name = "statusdesk",
    version,
    about = "Support desk and public status page in one binary"
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Global {
    /// TOML configuration file (also STATUSDESK_CONFIG).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on, e.g. 127.0.0.1:8080.
    #[arg(long, global = true, value_name = "ADDR")]
    listen: Option<String>,
    /// Directory for the SQLite database and uploaded files.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<String>,
    /// sqlite:PATH or postgres://user:password@host/db.
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    /// Public address of the server, for links in e-mails.
    #[arg(long, global = true, value_name = "URL")]
    base_url: Option<String>,
    /// Log format: text or json.
    #[arg(long, global = true, value_name = "FORMAT")]
    log_format: Option<String>,
    /// Log filter, e.g. info or debug.
    #[arg(long, global = true, value_name = "FILTER")]
    log_level: Option<String>,
    /// SMTP relay: smtp://host:25, smtp://host:587?tls=required or smtps://user:password@host.
    #[arg(long, global = true, value_name = "URL")]
    smtp_url: Option<String>,
    /// Sender of e-mail, e.g. "Status <status@example.com>".
    #[arg(long, global = true, value_name = "ADDRESS")]
    smtp_from: Option<String>,
    /// Let integrations and push subscriptions post to loopback and private addresses.
    #[arg(long, global = true, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    webhooks_allow_private_targets: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Fill an empty database with demo organisations and users.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Configuration helpers.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Manage customer organisations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Write a consistent copy of the SQLite database to FILE while it runs.
    Backup { file: PathBuf },
    /// Benchmarks (see docs/benchmarks.md).
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Seed an empty database with many requests and measure the inbox list
    /// and request creation.
    Inbox {
        #[arg(long, default_value_t = 1_000_000)]
        requests: usize,
        #[arg(long, default_value_t = 10_000)]
        orgs: usize,
        #[arg(long, default_value_t = 5_000)]
        samples: usize,
    },
    /// Fan one incident out to many confirmed e-mail subscribers and deliver
    /// it into a local SMTP sink.
    Fanout {
        #[arg(long, default_value_t = 100_000)]
        subscribers: usize,
    },
    /// Seed many help articles and community posts, build the search index
    /// and measure `GET /api/v1/search`.
    Search {
        #[arg(long, default_value_t = 5_000)]
        articles: usize,
        #[arg(long, default_value_t = 100_000)]
        posts: usize,
        #[arg(long, default_value_t = 2_000)]
        samples: usize,
    },
    /// Open many chat sockets against a server started on demo data, measure
    /// its memory per idle socket, then message latency at a fixed rate.
    Chat {
        /// Chats, each with a customer and an agent socket.
        #[arg(long, default_value_t = 5_000)]
        chats: usize,
        /// Messages a second, across all sockets.
        #[arg(long, default_value_t = 1_000)]
        rate: u32,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print a commented example configuration file.
    Example,
    /// Print the configuration in force (secrets hidden).
    Show,
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Create an organisation.
    Create {
        name: String,
        #[arg(long, default_value = "core")]
        plan: String,
    },
    /// List organisations.
    List,
    /// Change an organisation's plan (by name or id).
    SetPlan { org: String, plan: String },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user. The password comes from --password, STATUSDESK_PASSWORD or standard input.
    Create {
        email: String,
        #[arg(long)]
        name: String,
        /// member, admin, agent or support_admin.
        #[arg(long)]
        role: String,
        /// Organisation (name or id) for members and admins.
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        password: Option<String>,
    },
    /// Set a user's password (from --password, STATUSDESK_PASSWORD or standard input).
    SetPassword {
        email: String,
        #[arg(long)]
        password: Option<String>,
    },
    /// Change a user's role (and organisation, for customers).
    SetRole {
        email: String,
        role: String,
        #[arg(long)]
        org: Option<String>,
    },
}

fn main() {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("statusdesk: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(run(cli)) {
        eprintln!("statusdesk: {e:#}");
        std::process::exit(1);
    }
}

fn settings(global: &Global) -> Result<Settings> {
    let mut o = Overrides {
        config_file: global.config.clone(),
        ..Default::default()
    };
    for (key, value) in [
        ("listen", &global.listen),
        ("data_dir", &global.data_dir),
        ("database_url", &global.database_url),
        ("base_url", &global.base_url),
        ("log_format", &global.log_format),
        ("log_level", &global.log_level),
        ("smtp_url", &global.smtp_url),
        ("smtp_from", &global.smtp_from),
        (
            "webhooks_allow_private_targets",
            &global.webhooks_allow_private_targets,
        ),
    ] {
        if let Some(v) = value {
            o.values.insert(key, v.clone());
        }
    }
    let env: BTreeMap<String, String> = std::env::vars().collect();
    Settings::load(&o, &env)
}

fn init_logging(s: &Settings) {
    let filter = tracing_subscriber::EnvFilter::try_new(&s.log_level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if s.log_json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn run(cli: Cli) -> Result<()> {
    if let Command::Config(ConfigCommand::Example) = cli.command {
        print!("{}", statusdesk::config::example());
        return Ok(());
    }
    let settings = settings(&cli.global)?;
    init_logging(&settings);
    let now = SystemClock.now_ms();
    match cli.command {
        Command::Config(ConfigCommand::Example) => {}
        Command::Config(ConfigCommand::Show) => println!("{settings:#?}"),
        Command::Serve { demo } => serve(settings, demo).await?,
        Command::Migrate => {
            let store = open_store(&settings).await?;
            println!("migrations up to date ({})", store.backend().as_str());
        }
        Command::Backup { file } => {
            let store = open_store(&settings).await?;
            if store.backend() != store::Backend::Sqlite {
                bail!(
                    "backup copies the embedded SQLite database; for PostgreSQL use pg_dump, e.g.\n  pg_dump --format=custom --file=statusdesk.dump \"$DATABASE_URL\"\nand restore with pg_restore (see docs/operations.md)"
                );
            }
            if file.exists() {
                bail!("{} already exists; choose a new file name", file.display());
            }
            let path = file
                .to_str()
                .context("the backup path must be valid UTF-8")?;
            eprintln!("backing up to {} …", file.display());
            let started = std::time::Instant::now();
            store.backup_sqlite(path).await?;
            let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
            println!(
                "backup written: {} ({} KiB, {} users, {} organisations) in {} ms",
                file.display(),
                size / 1024,
                store.user_count().await?,
                store.org_count().await?,
                started.elapsed().as_millis()
            );
        }
        Command::Bench(BenchCommand::Inbox {
            requests,
            orgs,
            samples,
        }) => {
            let store = open_store(&settings).await?;
            statusdesk::bench::inbox(store, &settings, requests, orgs, samples).await?;
        }
        Command::Bench(BenchCommand::Search {
            articles,
            posts,
            samples,
        }) => {
            let store = open_store(&settings).await?;
            statusdesk::bench_help::run(store, &settings, articles, posts, samples).await?;
        }
        Command::Bench(BenchCommand::Fanout { subscribers }) => {
            statusdesk::bench::fanout(&settings, subscribers).await?;
        }
        Command::Bench(BenchCommand::Chat {
            chats,
            rate,
            seconds,
        }) => {
            let bench = statusdesk::bench_chat::ChatBench {
                chats,
                rate,
                seconds,
            };
            statusdesk::bench_chat::run(&settings, bench).await?;
        }
        Command::Org(cmd) => {
            let store = open_store(&settings).await?;
            org_command(&store, cmd, now).await?;
        }
        Command::User(cmd) => {
            let store = open_store(&settings).await?;
            user_command(&store, cmd, now).await?;
        }
    }
    Ok(())
}

async fn serve(settings: Settings, demo: bool) -> Result<()> {
    // The signal handlers are installed before the server says it is ready:
    // a SIGTERM that arrives right after "ready" must stop it gracefully,
    // not kill it (the default action of an unhandled SIGTERM).
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot handle SIGTERM")?;
    #[cfg(unix)]
    let mut interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .context("cannot handle SIGINT")?;
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let stopping = Arc::new(std::sync::OnceLock::<std::time::Instant>::new());
    let stopping_at = stopping.clone();
    let shutdown = async move {
        #[cfg(unix)]
        tokio::select! {
            _ = term.recv() => {},
            _ = interrupt.recv() => {},
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        let _ = stopping_at.set(std::time::Instant::now());
        tracing::info!("shutting down: finishing requests in flight");
    };
    let started = std::time::Instant::now();
    statusdesk::start(
        &settings,
        listener,
        demo,
        Arc::new(SystemClock),
        shutdown,
        |running| {
            let url = running.app.config.base_url.clone();
            println!(
                "statusdesk is ready at {url}/ (listening on {}, {} database, started in {} ms)",
                running.addr,
                running.store.backend().as_str(),
                started.elapsed().as_millis()
            );
            println!("Status page: {url}/status");
            if demo {
                print!("{}", demo::sign_in_help());
            }
            let _ = std::io::stdout().flush();
        },
    )
    .await?;
    match stopping.get() {
        Some(at) => println!(
            "statusdesk stopped (shutdown took {} ms)",
            at.elapsed().as_millis()
        ),
        None => println!("statusdesk stopped"),
    }
    Ok(())
}

async fn find_org(store: &Store, key: &str) -> Result<store::Organisation> {
    if let Some(o) = store.org(Scope::Staff, key).await? {
        return Ok(o);
    }
    store.org_by_name(key).await?.with_context(|| {
        format!("no organisation named or with id '{key}' (see `statusdesk org list`)")
    })
}

async fn org_command(store: &Store, cmd: OrgCommand, now: i64) -> Result<()> {
    match cmd {
        OrgCommand::Create { name, plan } => {
            let name = domain::parse_display_name(&name)?;
            let plan = Plan::parse(&plan)?;
            let org = store.create_org(&name, plan, now).await?;
            println!(
                "created organisation {} ({}) with id {}",
                org.name, org.plan, org.id
            );
        }
        OrgCommand::List => {
            let orgs = store.list_orgs().await?;
            println!(
                "{:<38} {:<28} {:<11} {:>6} {:>7}",
                "ID", "NAME", "PLAN", "ADMINS", "MEMBERS"
            );
            for s in &orgs {
                println!(
                    "{:<38} {:<28} {:<11} {:>6} {:>7}",
                    s.org.id, s.org.name, s.org.plan, s.admins, s.members
                );
            }
            println!("{} organisations", orgs.len());
        }
        OrgCommand::SetPlan { org, plan } => {
            let plan = Plan::parse(&plan)?;
            let o = find_org(store, &org).await?;
            store.set_org_plan(&o.id, plan).await?;
            println!("{} is now on {}", o.name, plan);
        }
    }
    Ok(())
}

fn read_password(flag: Option<String>) -> Result<String> {
    if let Some(p) = flag.or_else(|| std::env::var("STATUSDESK_PASSWORD").ok()) {
        return Ok(p);
    }
    eprint!("password: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

async fn user_command(store: &Store, cmd: UserCommand, now: i64) -> Result<()> {
    match cmd {
        UserCommand::Create {
            email,
            name,
            role,
            org,
            password,
        } => {
            let email = EmailAddress::parse(&email)?;
            let name = domain::parse_display_name(&name)?;
            let role = Role::parse(&role)?;
            let org = match (role.is_staff(), org) {
                (true, Some(_)) => {
                    bail!("agents and support admins belong to no organisation; leave out --org")
                }
                (false, None) => bail!("members and admins need --org NAME"),
                (false, Some(o)) => Some(find_org(store, &o).await?),
                (true, None) => None,
            };
            let password = read_password(password)?;
            domain::check_password(&password)?;
            let hash = app::accounts::hash_password(password)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let user = store
                .create_user(
                    &store::NewUser {
                        email: email.as_str(),
                        name: &name,
                        role,
                        org_id: org.as_ref().map(|o| o.id.as_str()),
                        password_hash: &hash,
                        language: None,
                    },
                    now,
                )
                .await?;
            println!(
                "created {} {} ({}) with id {}",
                role, user.email, user.name, user.id
            );
        }
        UserCommand::SetPassword { email, password } => {
            let (principal, _) = store
                .principal_by_email(&email)
                .await?
                .with_context(|| format!("no user with e-mail {email}"))?;
            let password = read_password(password)?;
            domain::check_password(&password)?;
            let hash = app::accounts::hash_password(password)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or_default();
            let revoked = store
                .set_password(&principal.user.id, &hash, None, now)
                .await?;
            println!(
                "password set for {}; their sessions have been signed out and {} API token(s) revoked",
                principal.user.email,
                revoked.len()
            );
        }
        UserCommand::SetRole { email, role, org } => {
            let (principal, _) = store
                .principal_by_email(&email)
                .await?
                .with_context(|| format!("no user with e-mail {email}"))?;
            let role = Role::parse(&role)?;
            let org_id = if role.is_staff() {
                if org.is_some() {
                    bail!("agents and support admins belong to no organisation; leave out --org");
                }
                None
            } else {
                match org {
                    Some(o) => Some(find_org(store, &o).await?.id),
                    None => {
                        Some(
                            principal.user.org_id.clone().context(
                                "a member or admin needs an organisation: add --org NAME",
                            )?,
                        )
                    }
                }
            };
            store
                .set_role(&principal.user.id, role, org_id.as_deref())
                .await?;
            println!("{} is now {}", principal.user.email, role);
        }
    }
    Ok(())
}
