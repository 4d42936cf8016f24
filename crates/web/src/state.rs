//! What every handler has: the use cases ([`app::App`]), the web's own
//! settings, metrics, and the public status snapshot.
use crate::http::metrics::Metrics;
use crate::public::snapshot::StatusHub;
use std::sync::Arc;

/// Settings of the web layer, derived from the configuration.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    pub secure_cookies: bool,
    /// A host name on which `/` shows the status page (its own domain).
    pub status_host: Option<String>,
    /// Proxies whose `X-Forwarded-For` is believed (addresses or ranges).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Send `Strict-Transport-Security` (the site is served over HTTPS).
    pub hsts: bool,
}

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub app: app::App,
    pub web: WebConfig,
    pub metrics: Metrics,
    pub status: StatusHub,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// The web state over `app`; the status snapshot follows every change
    /// the use cases publish.
    pub fn new(app: app::App, web: WebConfig) -> Self {
        let state = Self(Arc::new(Inner {
            app,
            web,
            metrics: Metrics::default(),
            status: StatusHub::default(),
        }));
        // The listener holds only a weak reference: the app must not keep
        // the web state alive in a cycle.
        let weak = Arc::downgrade(&state.0);
        state.app.changes.subscribe(Arc::new(move |topic| {
            let weak = weak.clone();
            Box::pin(async move {
                if topic == app::changes::Topic::Status
                    && let Some(inner) = weak.upgrade()
                {
                    let state = AppState(inner);
                    if let Err(e) = crate::public::snapshot::rebuild(&state).await {
                        tracing::error!(error = ?e.0, "status page snapshot could not be rebuilt");
                    }
                }
            })
        }));
        state
    }
}
