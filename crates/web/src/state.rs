//! Shared application state.
use crate::metrics::Metrics;
use domain::{Clock, Language};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU8, Ordering};
use store::Store;

/// Web settings derived from the configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The public address, for links in e-mails (no trailing slash).
    pub base_url: String,
    pub secure_cookies: bool,
    /// Demo mode: password-reset links are also written to the log.
    pub demo: bool,
    pub default_language: Language,
    /// Trust `X-Forwarded-For` for the client address.
    pub behind_proxy: bool,
    pub session_ttl_ms: i64,
    /// Sign-in failures per account, and per client address, within the window.
    pub login_max_failures_account: i64,
    pub login_max_failures_address: i64,
    pub login_window_ms: i64,
    /// Where uploaded files are kept.
    pub data_dir: std::path::PathBuf,
    /// Solved requests close themselves after this long.
    pub auto_close_ms: i64,
    /// A host name on which `/` shows the status page (its own domain).
    pub status_host: Option<String>,
    /// Integrations and push subscriptions may reach loopback and private
    /// addresses (`webhooks_allow_private_targets`).
    pub allow_private_targets: bool,
    /// How long a claimed outbox batch is held (`outbox_lease_seconds`).
    pub outbox_lease_ms: i64,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            base_url: "http://127.0.0.1:8080".into(),
            secure_cookies: false,
            demo: false,
            default_language: Language::En,
            behind_proxy: false,
            session_ttl_ms: 14 * 24 * 3600 * 1000,
            login_max_failures_account: 5,
            login_max_failures_address: 30,
            login_window_ms: 15 * 60 * 1000,
            data_dir: std::path::PathBuf::from("./statusdesk-data"),
            auto_close_ms: 7 * 24 * 3600 * 1000,
            status_host: None,
            allow_private_targets: false,
            outbox_lease_ms: 120_000,
        }
    }
}

pub const CHAT_PERCENT_KEY: &str = "chat_rollout_percent";

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub config: WebConfig,
    pub clock: Arc<dyn Clock>,
    pub metrics: Metrics,
    pub status: crate::statuspage::StatusHub,
    chat_percent: AtomicU8,
    chat_percent_read_at: AtomicI64,
    /// The server's Web Push (VAPID) key pair, once loaded at start-up.
    pub vapid: std::sync::OnceLock<notify::push::Vapid>,
    /// The guarded HTTP client for "send test", made on first use.
    outgoing: std::sync::OnceLock<notify::http::Client>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(store: Store, config: WebConfig, clock: Arc<dyn Clock>) -> Self {
        Self(Arc::new(Inner {
            store,
            config,
            clock,
            metrics: Metrics::default(),
            status: crate::statuspage::StatusHub::default(),
            chat_percent: AtomicU8::new(0),
            chat_percent_read_at: AtomicI64::new(i64::MIN),
            vapid: std::sync::OnceLock::new(),
            outgoing: std::sync::OnceLock::new(),
        }))
    }

    /// Loads (or on first start generates and stores) the VAPID key pair.
    pub async fn load_vapid(&self) -> Result<notify::push::Vapid, String> {
        if let Some(v) = self.vapid.get() {
            return Ok(v.clone());
        }
        let v = notify::push::Vapid::load_or_create(&self.store).await?;
        Ok(self.vapid.get_or_init(|| v).clone())
    }

    /// The HTTP client for requests to integrations, with the private
    /// address guard unless the operator lifted it.
    pub fn outgoing(&self) -> &notify::http::Client {
        self.outgoing
            .get_or_init(|| notify::http::client(self.config.allow_private_targets))
    }

    /// The public VAPID key for browsers, or "" before it is loaded.
    pub fn vapid_public_key(&self) -> &str {
        self.vapid.get().map_or("", |v| v.public_key.as_str())
    }

    /// The global chat rollout percentage, re-read from the database at most
    /// every five seconds so every instance follows a change quickly.
    pub async fn chat_percent(&self) -> u8 {
        let now = self.clock.now_ms();
        let read_at = self.chat_percent_read_at.load(Ordering::Relaxed);
        let stale = read_at == i64::MIN || now - read_at > 5_000 || now < read_at;
        if stale && let Ok(value) = self.store.setting(CHAT_PERCENT_KEY).await {
            let p = value
                .and_then(|v| v.parse::<u8>().ok())
                .unwrap_or(0)
                .min(100);
            self.chat_percent.store(p, Ordering::Relaxed);
            self.chat_percent_read_at.store(now, Ordering::Relaxed);
        }
        self.chat_percent.load(Ordering::Relaxed)
    }

    pub async fn set_chat_percent(&self, percent: u8) -> Result<(), store::StoreError> {
        let p = percent.min(100);
        self.store
            .set_setting(CHAT_PERCENT_KEY, &p.to_string())
            .await?;
        self.chat_percent.store(p, Ordering::Relaxed);
        self.chat_percent_read_at
            .store(self.clock.now_ms(), Ordering::Relaxed);
        Ok(())
    }
}
