//! The statusdesk binary's library half: configuration, start-up and the
//! demo. `main.rs` only parses the command line; tests start the server
//! through [`start`] on a port of their own.
#![forbid(unsafe_code)]

pub mod bench;
pub mod config;
pub mod demo;

use anyhow::{Context, Result};
use config::Settings;
use domain::Clock;
use std::sync::Arc;
use store::Store;

/// Opens the database of `settings`, creating the data directory for
/// SQLite, and applies pending migrations.
pub async fn open_store(settings: &Settings) -> Result<Store> {
    if settings.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&settings.data_dir).with_context(|| {
            format!(
                "cannot create data directory {}",
                settings.data_dir.display()
            )
        })?;
        if let Some(path) = settings.database_url.strip_prefix("sqlite:")
            && let Some(parent) =
                std::path::Path::new(path.split('?').next().unwrap_or(path)).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
    }
    let store = Store::connect(&settings.database_url, settings.db_max_connections)
        .await
        .with_context(|| {
            format!(
                "cannot open database {}",
                store::redact_url(&settings.database_url)
            )
        })?;
    let applied = store
        .migrate()
        .await
        .context("cannot apply database migrations")?;
    if applied > 0 {
        tracing::info!(
            applied,
            backend = store.backend().as_str(),
            "database migrations applied"
        );
    }
    Ok(store)
}

/// A running server.
pub struct Running {
    pub addr: std::net::SocketAddr,
    pub store: Store,
    pub state: web::AppState,
}

/// Opens the store, seeds the demo when asked, and serves on `listener`
/// until `shutdown` resolves. Returns once the server has stopped.
pub async fn start(
    settings: &Settings,
    listener: tokio::net::TcpListener,
    demo: bool,
    clock: Arc<dyn Clock>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    on_ready: impl FnOnce(&Running),
) -> Result<()> {
    let store = open_store(settings).await?;
    if demo {
        demo::seed(&store, clock.now_ms()).await?;
    }
    let addr = listener.local_addr()?;
    let mut web_config = settings.web_config(demo);
    if !settings.base_url_configured {
        // Links follow the address actually bound (the port may be 0).
        let host = if addr.ip().is_unspecified() {
            std::net::IpAddr::from([127, 0, 0, 1])
        } else {
            addr.ip()
        };
        web_config.base_url = format!("http://{}", std::net::SocketAddr::new(host, addr.port()));
    }
    let state = web::AppState::new(store.clone(), web_config, clock);
    let vapid = state
        .load_vapid()
        .await
        .map_err(|e| anyhow::anyhow!("cannot load the Web Push keys: {e}"))?;
    web::statuspage::rebuild(&state)
        .await
        .map_err(|e| anyhow::anyhow!("cannot build the status page: {e}"))?;
    tokio::spawn(background_jobs(state.clone()));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(web::subscriptions::run_fanout(
        state.clone(),
        stop_rx.clone(),
    ));
    let workers = notify::worker::WorkerConfig {
        max_attempts: settings.outbox_max_attempts,
        lease_ms: settings.outbox_lease_seconds * 1000,
        ..notify::worker::WorkerConfig::default()
    };
    let clock = state.clock.clone();
    tokio::spawn(notify::webhook::run(
        store.clone(),
        workers.clone(),
        settings.webhooks_allow_private_targets,
        move || clock.now_ms(),
        stop_rx.clone(),
    ));
    let clock = state.clock.clone();
    tokio::spawn(notify::push::run(
        store.clone(),
        workers,
        vapid,
        vapid_contact(&settings.smtp_from),
        settings.webhooks_allow_private_targets,
        move || clock.now_ms(),
        stop_rx.clone(),
    ));
    match &settings.smtp_url {
        Some(url) => {
            let config = notify::mail::MailConfig {
                smtp_url: url.clone(),
                from: settings.smtp_from.clone(),
                max_attempts: settings.outbox_max_attempts,
                lease_ms: settings.outbox_lease_seconds * 1000,
                connections: settings.smtp_connections,
            };
            let clock = state.clock.clone();
            tokio::spawn(notify::mail::run(
                store.clone(),
                config,
                move || clock.now_ms(),
                stop_rx,
            ));
        }
        None => tracing::info!("no smtp_url configured: e-mail waits in the outbox"),
    }
    let shutdown = async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    };
    if store.backend() == store::Backend::Postgres {
        tokio::spawn(listen_for_changes(
            settings.database_url.clone(),
            state.clone(),
        ));
    }
    on_ready(&Running {
        addr,
        store: store.clone(),
        state: state.clone(),
    });
    web::serve(listener, state, shutdown).await?;
    store.close().await;
    Ok(())
}

/// The VAPID `sub` claim (RFC 8292): how a push service reaches the
/// operator, from the e-mail sender's address.
fn vapid_contact(smtp_from: &str) -> String {
    let address = match (smtp_from.rfind('<'), smtp_from.rfind('>')) {
        (Some(a), Some(b)) if a < b => &smtp_from[a + 1..b],
        _ => smtp_from.trim(),
    };
    format!("mailto:{address}")
}

/// Periodic work: starting and completing scheduled maintenance, closing
/// requests that have been solved long enough, and refreshing the status
/// page (uptime bars move on at midnight).
async fn background_jobs(state: web::AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
    loop {
        tick.tick().await;
        if let Err(e) = web::run_due_maintenance(&state).await {
            tracing::warn!(error = %e, "scheduled maintenance could not be advanced");
        }
        web::statuspage::refresh(&state).await;
        match web::requests::close_solved(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(closed = n, "closed solved requests"),
            Err(e) => tracing::warn!(error = %e, "closing solved requests failed"),
        }
    }
}

/// With several instances on one PostgreSQL database: rebuild this
/// instance's status snapshot when another instance announces a change.
async fn listen_for_changes(url: String, state: web::AppState) {
    loop {
        match sqlx::postgres::PgListener::connect(&url).await {
            Ok(mut listener) => {
                if let Err(e) = listener.listen(web::statuspage::CHANNEL).await {
                    tracing::warn!(error = %e, "cannot LISTEN for status changes");
                } else {
                    // A change may have been missed while not listening.
                    let _ = web::statuspage::rebuild(&state).await;
                    loop {
                        match listener.recv().await {
                            Ok(n) if n.payload() == state.status.instance => {}
                            Ok(_) => {
                                if let Err(e) = web::statuspage::rebuild(&state).await {
                                    tracing::warn!(error = %e, "status snapshot rebuild failed");
                                }
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "status change listener lost its connection");
                                break;
                            }
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot connect the status change listener"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}
