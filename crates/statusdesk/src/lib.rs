//! The statusdesk binary's library half: configuration, start-up and the
//! demo. `main.rs` only parses the command line; tests start the server
//! through [`start`] on a port of their own.
#![forbid(unsafe_code)]

pub mod bench;
pub mod bench_chat;
pub mod bench_help;
pub mod config;
pub mod demo;
mod demo_help;

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
    pub app: app::App,
    pub state: web::AppState,
}

/// Opens the store, seeds the demo when asked, and serves on `listener`
/// until `shutdown` resolves. Returns once the server and its background
/// jobs have stopped.
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
    let mut config = settings.app_config(demo);
    if !settings.base_url_configured {
        // Links follow the address actually bound (the port may be 0).
        let host = if addr.ip().is_unspecified() {
            std::net::IpAddr::from([127, 0, 0, 1])
        } else {
            addr.ip()
        };
        config.base_url = format!("http://{}", std::net::SocketAddr::new(host, addr.port()));
    }
    let app = app::App::new(store.clone(), config, clock);
    let state = web::state(app.clone(), settings.web_config());
    let vapid = app
        .load_vapid()
        .await
        .map_err(|e| anyhow::anyhow!("cannot load the Web Push keys: {e:?}"))?;
    web::public::snapshot::rebuild(&state)
        .await
        .map_err(|e| anyhow::anyhow!("cannot build the status page: {:?}", e.0))?;
    // The help center's search index is built in the background: the
    // server answers meanwhile, and a search waits for the build.
    {
        let app = app.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            match app.ensure_help_index().await {
                Ok(true) => tracing::info!(
                    ms = started.elapsed().as_millis() as u64,
                    "help center search index built"
                ),
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(error = ?e, "cannot build the help center's search index; a search tries again")
                }
            }
        });
    }
    let jobs = app.start_jobs(
        app::jobs::Delivery {
            smtp_url: settings.smtp_url.clone(),
            smtp_from: settings.smtp_from.clone(),
            smtp_connections: settings.smtp_connections,
        },
        vapid,
    );
    on_ready(&Running {
        addr,
        store: store.clone(),
        app: app.clone(),
        state: state.clone(),
    });
    let served = web::serve(listener, state, shutdown).await;
    jobs.stop().await;
    app.close().await;
    served?;
    Ok(())
}
