//! Delivery of status integrations: Slack, Microsoft Teams and Discord
//! incoming webhooks and signed generic JSON webhooks. The body is made at
//! fan-out time (it says what happened then); the signature is made at each
//! attempt, so its timestamp is fresh for the receiver's replay window.
use crate::http::{IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::worker::{Channel, Outcome, WorkerConfig};
use serde::{Deserialize, Serialize};
use store::{OutboxMessage, Store};

/// A webhook as stored in the outbox payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookPayload {
    pub integration_id: String,
    /// The JSON text to post, already formatted for the target.
    pub body: String,
}

impl WebhookPayload {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_string())
    }
}

/// The host of a URL, which the circuit breaker counts failures by.
pub fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| url.to_string())
}

/// Posts one formatted body to an integration's URL; signs it when the
/// integration has a secret. Used by the worker and by "send test".
pub async fn post(
    client: &reqwest::Client,
    integration: &store::Integration,
    body: &str,
    idempotency_key: &str,
    allow_private: bool,
    now_secs: i64,
) -> Result<u16, String> {
    let url = crate::http::check_url_shape(&integration.url)?;
    crate::http::check_literal(&url, allow_private)?;
    let mut req = client
        .post(url)
        .header("content-type", "application/json")
        .header(IDEMPOTENCY_HEADER, idempotency_key);
    if let Some(secret) = integration.secret.as_deref().filter(|s| !s.is_empty()) {
        req = req.header(TIMESTAMP_HEADER, now_secs.to_string()).header(
            SIGNATURE_HEADER,
            crate::http::signature(secret, now_secs, body.as_bytes()),
        );
    }
    let resp = req
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| format!("cannot reach the target: {}", error_chain(&e)))?;
    let status = resp.status();
    if status.is_success() {
        Ok(status.as_u16())
    } else {
        Err(format!("the target answered HTTP {}", status.as_u16()))
    }
}

/// An error with its causes, which is where reqwest says what went wrong.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}

struct Webhooks {
    store: Store,
    client: reqwest::Client,
    allow_private: bool,
    now: Box<dyn Fn() -> i64 + Send + Sync>,
}

impl Channel for Webhooks {
    fn name(&self) -> &'static str {
        "webhook"
    }

    /// Each integration's URL is its own target: one organisation's
    /// revoked Slack webhook must not hold back another's.
    fn target_key(&self, m: &OutboxMessage) -> String {
        m.target.clone()
    }

    async fn deliver(&self, m: &OutboxMessage) -> Outcome {
        let payload: WebhookPayload = match serde_json::from_str(&m.payload) {
            Ok(p) => p,
            Err(e) => return Outcome::Retry(format!("bad payload: {e}")),
        };
        let integration = match self
            .store
            .integration_for_delivery(&payload.integration_id)
            .await
        {
            Ok(Some(i)) => i,
            Ok(None) => return Outcome::Gone("the integration was removed".into()),
            Err(e) => return Outcome::Retry(e.to_string()),
        };
        let now_secs = (self.now)().div_euclid(1000);
        match post(
            &self.client,
            &integration,
            &payload.body,
            &m.idempotency_key,
            self.allow_private,
            now_secs,
        )
        .await
        {
            Ok(_) => Outcome::Delivered,
            Err(e) => Outcome::Retry(e),
        }
    }
}

/// Delivers integration posts until `stop` turns true.
pub async fn run(
    store: Store,
    config: WorkerConfig,
    allow_private: bool,
    now: impl Fn() -> i64 + Send + Sync + Clone + 'static,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    let channel = Webhooks {
        store: store.clone(),
        client: crate::http::client(allow_private),
        allow_private,
        now: Box::new(now.clone()),
    };
    crate::worker::run(store, channel, config, now, stop).await;
}
