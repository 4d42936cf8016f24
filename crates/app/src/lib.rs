//! The use cases of statusdesk: one home for every rule. Pages, the REST
//! API, the chat WebSocket and the background jobs all call [`App`]; it
//! validates input (with messages in Swedish and English), asks the policy
//! for a [`domain::Permit`] before it touches data, talks to the store, and
//! publishes a change event when the public status changes. It knows nothing
//! of HTTP: the web layer only parses requests and renders answers.
//!
//! The store is private to this crate, so no handler can read or write data
//! without going through a use case, and so without asking the policy.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod branding;
pub mod changes;
pub mod chat;
pub mod community;
pub mod content;
pub mod error;
pub mod files;
pub mod help;
pub mod i18n;
pub mod integrations;
pub mod jobs;
pub mod mail;
pub mod markdown;
pub mod orgs;
pub mod outbox;
pub mod people;
pub mod push;
pub mod reports;
pub mod requests;
pub mod status;
pub mod subscriptions;
pub mod targets;
pub mod teams;
pub mod totp;
pub mod two_factor;
pub mod workspace;

pub use error::{Error, Invalid, Result};

/// The data the use cases hand out: plain values read from the store.
pub mod model {
    pub use store::{
        AgentLoad, ApiToken, Article, ArticleRevision, Attachment, Backend, Chat, ChatMessage,
        Component, ComponentRef, Event, HelpSection, Incident, IncidentComponent, IncidentEdit,
        IncidentUpdate, Integration, LinkedIncident, Macro, Message, NewAttachment, Organisation,
        OrganisationSummary, OutboxMessage, PoolStats, Post, Principal, QueueView, Rating, Request,
        RequestFilter, SavedView, Thread, User,
    };
}

use domain::{Action, Actor, Clock, Language, Permit};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU8, Ordering};
use store::{Principal, Store};

/// Settings of the use cases, derived from the configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The public address, for links in e-mails (no trailing slash).
    pub base_url: String,
    /// Demo mode: password-reset links are also written to the log.
    pub demo: bool,
    pub default_language: Language,
    pub session_ttl_ms: i64,
    /// Sign-in failures allowed before each further attempt waits (1 s,
    /// then doubling up to `login_max_wait_ms`): per account and address
    /// pair, per account from devices it has not signed in on, and per
    /// address. Failures are forgotten after `login_window_ms` without one.
    pub login_free_failures_pair: i64,
    pub login_max_failures_account: i64,
    pub login_max_failures_address: i64,
    pub login_max_wait_ms: i64,
    pub login_window_ms: i64,
    /// Where uploaded files are kept.
    pub data_dir: std::path::PathBuf,
    /// Solved requests close themselves after this long.
    pub auto_close_ms: i64,
    /// Integrations and push subscriptions may reach loopback and private
    /// addresses (`webhooks_allow_private_targets`).
    pub allow_private_targets: bool,
    /// Whether an SMTP relay is configured (`smtp_url`); without one
    /// e-mail waits in the outbox, and staff pages say so.
    pub mail_relay: bool,
    /// Push services subscriptions may point at (`push_hosts`; a name also
    /// allows its subdomains); empty: any public host.
    pub push_hosts: Vec<String>,
    /// How long a claimed outbox row is held (`outbox_lease_seconds`).
    pub outbox_lease_ms: i64,
    /// Attempts before an outbox row is given up (`outbox_max_attempts`).
    pub outbox_max_attempts: i64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            base_url: "http://127.0.0.1:8080".into(),
            demo: false,
            default_language: Language::En,
            session_ttl_ms: 14 * 24 * 3600 * 1000,
            login_free_failures_pair: 3,
            login_max_failures_account: 10,
            login_max_failures_address: 30,
            login_max_wait_ms: 10 * 60 * 1000,
            login_window_ms: 60 * 60 * 1000,
            data_dir: std::path::PathBuf::from("./statusdesk-data"),
            auto_close_ms: 7 * 24 * 3600 * 1000,
            allow_private_targets: false,
            push_hosts: Vec::new(),
            mail_relay: false,
            outbox_lease_ms: 120_000,
            outbox_max_attempts: 10,
        }
    }
}

/// Someone known: a signed-in user (page session or API token) with the
/// policy's view of them.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub actor: Actor,
}

impl Caller {
    pub fn user_id(&self) -> &str {
        &self.principal.user.id
    }

    pub fn is_staff(&self) -> bool {
        self.actor.is_staff()
    }

    /// The user's own language setting, if any.
    pub fn language(&self) -> Option<Language> {
        self.principal.user.language
    }

    /// Whether the policy would allow `action` (for what a page offers;
    /// the use case asks again when it is done).
    pub fn may(&self, action: Action<'_>) -> bool {
        domain::decide(Some(&self.actor), action).is_allowed()
    }
}

pub const CHAT_PERCENT_KEY: &str = "chat_rollout_percent";

#[derive(Clone)]
pub struct App(Arc<Inner>);

pub struct Inner {
    store: Store,
    pub config: Config,
    pub clock: Arc<dyn Clock>,
    pub changes: changes::Changes,
    chat_hub: chat::Hub,
    help: help::HelpIndex,
    chat_percent: AtomicU8,
    chat_percent_read_at: AtomicI64,
    /// Staff must sign in with a second factor (a support admins' setting).
    require_2fa: AtomicBool,
    require_2fa_read_at: AtomicI64,
    vapid: std::sync::OnceLock<notify::push::Vapid>,
    outgoing: std::sync::OnceLock<notify::http::Client>,
    /// Secrets kept in the settings table, once read (they never change).
    secrets: std::sync::Mutex<std::collections::HashMap<&'static str, String>>,
    /// Response targets, business hours and support teams, once read.
    targets: targets::TargetCache,
    /// The operator's branding, as last read.
    brand: branding::BrandingCache,
}

impl std::ops::Deref for App {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl App {
    pub fn new(store: Store, config: Config, clock: Arc<dyn Clock>) -> Self {
        let changes = changes::Changes::new(store.backend() == store::Backend::Postgres);
        Self(Arc::new(Inner {
            store,
            config,
            clock,
            changes,
            chat_hub: chat::Hub::default(),
            help: help::HelpIndex::default(),
            chat_percent: AtomicU8::new(0),
            chat_percent_read_at: AtomicI64::new(i64::MIN),
            require_2fa: AtomicBool::new(false),
            require_2fa_read_at: AtomicI64::new(i64::MIN),
            vapid: std::sync::OnceLock::new(),
            outgoing: std::sync::OnceLock::new(),
            secrets: std::sync::Mutex::new(std::collections::HashMap::new()),
            targets: targets::TargetCache::default(),
            brand: branding::BrandingCache::default(),
        }))
    }

    /// A random secret kept in the settings table under `key`: made by the
    /// first instance that asks, the same for every instance after, and
    /// read from the database once per process.
    pub(crate) async fn stored_secret(&self, key: &'static str) -> Result<String> {
        if let Some(s) = self.secrets.lock().ok().and_then(|m| m.get(key).cloned()) {
            return Ok(s);
        }
        let s = self
            .store()
            .setting_or_insert(key, &store::new_secret("").0)
            .await?;
        if let Ok(mut m) = self.secrets.lock() {
            m.insert(key, s.clone());
        }
        Ok(s)
    }

    pub(crate) fn store(&self) -> &Store {
        &self.0.store
    }

    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Asks the policy; a refusal becomes the matching error.
    pub fn authorize<'a>(
        &self,
        caller: Option<&'a Caller>,
        action: Action<'a>,
    ) -> Result<Permit<'a>> {
        domain::authorize(caller.map(|c| &c.actor), action).map_err(Error::from)
    }

    /// The same for a known caller.
    pub fn permit<'a>(&self, caller: &'a Caller, action: Action<'a>) -> Result<Permit<'a>> {
        self.authorize(Some(caller), action)
    }

    /// The caller for a principal, with the chat rollout as it stands.
    pub async fn caller(&self, principal: Principal) -> Caller {
        let mut actor = principal.actor(self.chat_percent().await);
        // Staff who must use a second factor and have none may only set one
        // up until they do (the policy refuses everything else).
        actor.second_factor_missing = principal.user.role.is_staff()
            && !principal.two_factor
            && self.staff_two_factor_required().await;
        Caller { principal, actor }
    }

    // ---- health ---------------------------------------------------------------

    pub async fn ping(&self) -> Result<()> {
        Ok(self.store().ping().await?)
    }

    pub fn pool_stats(&self) -> model::PoolStats {
        self.store().pool_stats()
    }

    pub fn backend(&self) -> model::Backend {
        self.store().backend()
    }

    /// Closes the database connections (after the server has stopped).
    pub async fn close(&self) {
        self.store().close().await;
    }

    // ---- settings shared by instances ----------------------------------------

    /// The global chat rollout percentage, re-read from the database at most
    /// every five seconds so every instance follows a change quickly.
    pub async fn chat_percent(&self) -> u8 {
        let now = self.now();
        let read_at = self.chat_percent_read_at.load(Ordering::Relaxed);
        let stale = read_at == i64::MIN || now - read_at > 5_000 || now < read_at;
        if stale && let Ok(value) = self.store().setting(CHAT_PERCENT_KEY).await {
            let p = value
                .and_then(|v| v.parse::<u8>().ok())
                .unwrap_or(0)
                .min(100);
            self.chat_percent.store(p, Ordering::Relaxed);
            self.chat_percent_read_at.store(now, Ordering::Relaxed);
        }
        self.chat_percent.load(Ordering::Relaxed)
    }

    pub(crate) async fn store_chat_percent(&self, percent: u8) -> Result<()> {
        let p = percent.min(100);
        self.store()
            .set_setting(CHAT_PERCENT_KEY, &p.to_string())
            .await?;
        self.chat_percent.store(p, Ordering::Relaxed);
        self.chat_percent_read_at
            .store(self.now(), Ordering::Relaxed);
        Ok(())
    }

    /// Loads (or on first start generates and stores) the VAPID key pair.
    pub async fn load_vapid(&self) -> Result<notify::push::Vapid> {
        if let Some(v) = self.vapid.get() {
            return Ok(v.clone());
        }
        let v = notify::push::Vapid::load_or_create(self.store())
            .await
            .map_err(|e| Error::internal(anyhow::anyhow!(e)))?;
        Ok(self.vapid.get_or_init(|| v).clone())
    }

    /// The public VAPID key for browsers, or "" before it is loaded.
    pub fn vapid_public_key(&self) -> &str {
        self.vapid.get().map_or("", |v| v.public_key.as_str())
    }

    /// The HTTP client for requests to integrations, with the private
    /// address guard unless the operator lifted it.
    pub(crate) fn outgoing(&self) -> &notify::http::Client {
        self.outgoing
            .get_or_init(|| notify::http::client(self.config.allow_private_targets))
    }

    /// A link to `path` on this site.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_url)
    }

    /// The language of a stored language code, or the server's default.
    pub fn language_or_default(&self, code: Option<&str>) -> Language {
        code.and_then(|c| Language::parse(c).ok())
            .unwrap_or(self.config.default_language)
    }
}
