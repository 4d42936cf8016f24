//! What every handler has: the use cases ([`app::App`]), the web's own
//! settings, metrics, and the public status snapshot.
use crate::http::cache::StatusHub;
use crate::http::metrics::Metrics;
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
    /// Who may read `/metrics`.
    pub metrics: MetricsAccess,
    /// Connection limits and timeouts of the accept loop.
    pub limits: crate::http::serve::ConnLimits,
}

/// Who may read `/metrics`: nobody (the default), whoever sends the
/// bearer token (`metrics_token`), or anyone (`metrics_public`).
#[derive(Debug, Clone, Default)]
pub enum MetricsAccess {
    #[default]
    Off,
    Token(String),
    Public,
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
    /// The web state over `app`. (`crate::state` also makes the status
    /// snapshot follow the app's change events.)
    pub fn bare(app: app::App, web: WebConfig) -> Self {
        Self(Arc::new(Inner {
            app,
            web,
            metrics: Metrics::default(),
            status: StatusHub::default(),
        }))
    }

    /// A weak handle, for listeners that must not keep the state alive.
    pub fn downgrade(&self) -> std::sync::Weak<Inner> {
        Arc::downgrade(&self.0)
    }

    pub fn from_inner(inner: Arc<Inner>) -> Self {
        Self(inner)
    }
}
